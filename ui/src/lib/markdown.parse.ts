// Markdown to (unsanitized) HTML with `marked`, as ccdesk configures it. No DOM here: this module
// runs in the markdown worker (markdown.worker.ts), and on the main thread only for texts small
// enough to parse at once (see markdown.ts, which sanitizes every result with DOMPurify).
//
// Transcripts hold arbitrary text, so raw HTML in a message is shown as text (never parsed), links
// keep their words but lose their target (nothing may navigate the webview or open a browser) and
// images become their alt text.
//
// Only `marked` is imported, and only erasable TypeScript is used, so the tests can run this file
// in a Node worker thread as it is (markdown.testing.ts).
import { Marked, type Tokens } from 'marked';

/** Text with the five HTML specials escaped: safe as element content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    link({ href, tokens }: Tokens.Link) {
      const inner = this.parser.parseInline(tokens);
      return `<span class="md-link" title="${escapeHtml(href)}">${inner}</span>`;
    },
    image({ text }: Tokens.Image) {
      return `<span class="md-image">[image: ${escapeHtml(text)}]</span>`;
    },
  },
});

/**
 * Elements nested deeper than this are refused: real messages nest a few levels, while a text of
 * `>` or `1. ` nests hundreds, which costs the sanitizer and the layout time that grows with the
 * depth (DOMPurify over 256 nested blockquotes: 160-330 ms in jsdom).
 */
export const MAX_NESTING = 48;

/**
 * Marked's HTML for a markdown text, NOT sanitized. Unbounded in time (some inputs take
 * seconds); throws a `RangeError` on deep nesting (marked's own recursion, or elements nested
 * more than `maxNesting` deep): callers bound and catch it.
 */
export function parseMarkdown(text: string, maxNesting: number = MAX_NESTING): string {
  const html = marked.parse(text) as string;
  if (nestingDepth(html) > maxNesting) throw new RangeError(`markdown nested more than ${maxNesting} elements deep`);
  return html;
}

const VOID = new Set(['br', 'hr', 'img', 'input', 'wbr', 'col', 'area', 'base', 'embed', 'link', 'meta', 'param', 'source', 'track']);

/**
 * How deep the elements of marked's HTML nest. Linear: marked escapes every `<` of the text, so
 * each `<` left starts a tag.
 */
export function nestingDepth(html: string): number {
  let depth = 0;
  let max = 0;
  for (let i = html.indexOf('<'); i >= 0; i = html.indexOf('<', i + 1)) {
    if (html.charCodeAt(i + 1) === 0x2f /* / */) {
      depth -= 1;
      continue;
    }
    let end = i + 1;
    while (end < html.length && /[A-Za-z0-9]/.test(html[end])) end += 1;
    if (end === i + 1 || VOID.has(html.slice(i + 1, end).toLowerCase())) continue;
    depth += 1;
    if (depth > max) max = depth;
  }
  return max;
}

/** A text that runs through most of marked, so a new worker is warm before its first deadline. */
const WARM_UP = '# h\n\n> q *e* **s** `c` [l](u) ![i](s)\n\n- a\n  1. b\n\n| a | b |\n|---|---|\n| c | d |\n\n```js\nx\n```\n<b>h</b> ~~s~~ www.x.org';

/** Parses `WARM_UP` a few times (JIT), so the first real job is not slow for being first. */
export function warmUp(): void {
  for (let i = 0; i < 20; i++) {
    try {
      parseMarkdown(WARM_UP);
    } catch {
      // nothing to warm
    }
  }
}

/**
 * A request to the markdown worker: parse `text`; `id` is echoed in the reply. `deep` lifts
 * `MAX_NESTING` (the user asked for this text to be rendered).
 */
export interface MarkdownJob {
  id: number;
  text: string;
  deep?: boolean;
}

/** The markdown worker's messages: ready to take jobs (sent once, after loading), or a job's answer. */
export type MarkdownReply =
  | { ready: true }
  | { id: number; html: string }
  | { id: number; error: string };

/** The worker's answer to a job: the HTML, or the error's name and message. Never throws. */
export function answerMarkdownJob(job: MarkdownJob): MarkdownReply {
  try {
    return { id: job.id, html: parseMarkdown(String(job.text), job.deep ? Infinity : MAX_NESTING) };
  } catch (e) {
    return { id: job.id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
