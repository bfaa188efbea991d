// Test helper: the markdown worker as a Node worker thread, so tests in jsdom (which has no
// `Worker`) exercise the real deadline: marked runs in another thread and is terminated mid-parse.
// markdown.parse.ts is compiled to JavaScript once (it imports only `marked`) and loaded there.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import type { MarkdownWorker } from './markdown';
import type { MarkdownJob, MarkdownReply } from './markdown.parse';

const here = dirname(fileURLToPath(import.meta.url));
let compiled: string | null = null;

/** `markdown.parse.ts` as an ES module under `ui/node_modules/.cache` (so `marked` resolves). */
function parseModule(): string {
  if (compiled) return compiled;
  const source = readFileSync(join(here, 'markdown.parse.ts'), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
  const dir = resolve(here, '../../node_modules/.cache/ccdesk-markdown-test');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `markdown.parse.${process.pid}.mjs`);
  writeFileSync(file, js);
  compiled = pathToFileURL(file).href;
  return compiled;
}

/** A `MarkdownWorker` backed by a Node worker thread running the real parser. */
export function nodeMarkdownWorker(): MarkdownWorker {
  const code = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(parseModule())}).then((m) => {
      parentPort.on('message', (job) => parentPort.postMessage(m.answerMarkdownJob(job)));
      m.warmUp();
      parentPort.postMessage({ ready: true });
    });`;
  const thread = new Worker(code, { eval: true });
  const adapter: MarkdownWorker = {
    onmessage: null,
    onerror: null,
    postMessage: (job: MarkdownJob) => thread.postMessage(job),
    terminate: () => void thread.terminate(),
  };
  thread.on('message', (data: MarkdownReply) => adapter.onmessage?.({ data }));
  thread.on('error', (e) => adapter.onerror?.(e));
  return adapter;
}
