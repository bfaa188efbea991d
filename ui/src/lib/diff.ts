// A unified diff as lines to render: each line's kind (added, removed, context, hunk header, file
// header) and its text highlighted as code of the file's language (highlight.js, a line at a
// time), sanitized with the same rules as rendered replies. At most `max` lines are given back.
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import elixir from 'highlight.js/lib/languages/elixir';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { purify } from './markdown';

const LANGUAGES = { bash, css, elixir, go, java, javascript, json, markdown, python, rust, typescript, xml, yaml };
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);

/** File extensions to highlight.js language names. */
const BY_EXTENSION: Record<string, string> = {
  sh: 'bash', bash: 'bash', zsh: 'bash', css: 'css', scss: 'css', ex: 'elixir', exs: 'elixir', heex: 'xml',
  go: 'go', java: 'java', js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript',
  json: 'json', md: 'markdown', py: 'python', rs: 'rust', ts: 'typescript', tsx: 'typescript',
  html: 'xml', xml: 'xml', svg: 'xml', svelte: 'xml', vue: 'xml', yml: 'yaml', yaml: 'yaml',
};

/** Lines a diff shows at most. */
export const MAX_DIFF_LINES = 2000;

export type DiffLineKind = 'add' | 'del' | 'ctx' | 'hunk' | 'head' | 'note';

export interface DiffLine {
  kind: DiffLineKind;
  /** The marker (`+`, `-`, ` `) for code lines; empty for headers. */
  mark: string;
  /** The line's text as sanitized HTML (highlighted code, or escaped text). */
  html: string;
}

/** The highlight.js language of `path`, if one is known. */
export function languageOf(path: string): string | null {
  const ext = path.split('/').pop()?.split('.').pop()?.toLowerCase() ?? '';
  return BY_EXTENSION[ext] ?? null;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The lines of `diff` (of file `path`) to render, at most `max`. */
export function diffLines(diff: string, path: string, max = MAX_DIFF_LINES): DiffLine[] {
  const language = languageOf(path);
  const out: DiffLine[] = [];
  for (const line of diff.split('\n')) {
    if (out.length >= max) break;
    if (line === '') continue;
    if (line.startsWith('--- ') || line.startsWith('+++ ')) {
      out.push({ kind: 'head', mark: '', html: escape(line) });
      continue;
    }
    if (line.startsWith('@@')) {
      out.push({ kind: 'hunk', mark: '', html: escape(line) });
      continue;
    }
    if (line.startsWith('\\')) {
      out.push({ kind: 'note', mark: '', html: escape(line) });
      continue;
    }
    const mark = line[0];
    const kind: DiffLineKind = mark === '+' ? 'add' : mark === '-' ? 'del' : 'ctx';
    const code = line.slice(1);
    let html = escape(code);
    if (language) {
      try {
        html = purify(hljs.highlight(code, { language, ignoreIllegals: true }).value);
      } catch {
        html = escape(code);
      }
    }
    out.push({ kind, mark: kind === 'ctx' ? ' ' : mark, html });
  }
  return out;
}

/** How many lines `diff` has (to say how many were left out). */
export function diffLineCount(diff: string): number {
  let n = 0;
  for (const line of diff.split('\n')) if (line !== '') n++;
  return n;
}
