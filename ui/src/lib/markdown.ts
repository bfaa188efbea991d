// Markdown for transcript text: `marked` to HTML (markdown.parse.ts), then DOMPurify over
// everything, in bounded time.
//
// Transcripts hold arbitrary text, so raw HTML in a message is shown as text (never parsed),
// links keep their words but lose their target (nothing may navigate the webview or open a
// browser), images become their alt text, and DOMPurify strips whatever might still slip through.
//
// Time: marked is quadratic or worse on some inputs (95,000 `*a` take 13 s) and throws a
// `RangeError` on deep nesting (2 KB of `>`). So a text is rendered on the main thread only when
// it is tiny (`SYNC_LIMIT`); anything longer is parsed in a Web Worker (markdown.worker.ts) that
// gets `RENDER_BUDGET_MS` per text and is terminated (and replaced) when it misses that deadline.
// The answer is then `{ kind: 'fallback' }`, which Markdown.svelte shows as plain text with a
// "Render as markdown" button (`markdownOnDemand`: a worker of its own, a much longer deadline).
// DOMPurify needs the DOM, so it runs on the main thread, over the worker's HTML (linear time).
// Results of the worker are kept in a bounded LRU cache by text, so a message that a list mounts
// again is not parsed again.
//
// Where there is no `Worker` (vitest's jsdom) the parse runs on the main thread, unbounded;
// `setMarkdownParser` lets tests put a real worker (or a scripted one) in its place.
import DOMPurify from 'dompurify';
import { escapeHtml, parseMarkdown, type MarkdownJob, type MarkdownReply } from './markdown.parse';

export { escapeHtml };

/** Longer texts (in UTF-16 code units) are not parsed unless asked: shown as plain text at once. */
export const MARKDOWN_LIMIT = 200_000;

/** Milliseconds the worker gets to parse one text before it is terminated (the text shows plain). */
export const RENDER_BUDGET_MS = 50;

/**
 * Texts up to this length (UTF-16 code units) are parsed on the main thread, synchronously.
 *
 * Measured with marked 18.2 under Node 20 on a 2-core CI machine (best of 3, after warm-up), over
 * the known bombs (`*a`, `_a`, `>`, `> `, `1. `, `> - `, nested lists, tables, brackets, ...) and
 * 6,000 random repetitions of one to three markdown tokens: the slowest 256-character text took
 * 0.9 ms, the slowest 512-character one 3.7 ms and the slowest 1,024-character one 34 ms (growth is
 * cubic at worst). 256 keeps the worst case near 1 ms, ~5x under the 5 ms allowed here for a
 * slower machine; short messages, the most common, still render without a round trip.
 */
export const SYNC_LIMIT = 256;

/** Milliseconds "Render as markdown" waits for its own worker before giving up. */
export const ON_DEMAND_LIMIT_MS = 60_000;

/** Milliseconds a new worker gets to load and say `ready`; after that, workers count as unavailable. */
const WORKER_START_MS = 10_000;

/** Why a text shows as plain text: marked was too slow, failed, or the text is over `MARKDOWN_LIMIT`. */
export type FallbackReason = 'slow' | 'error' | 'long';

/** A rendering: sanitized HTML, safe for `{@html}`, or the reason to show the text as plain text. */
export type MarkdownResult = { kind: 'html'; html: string } | { kind: 'fallback'; reason: FallbackReason };

/**
 * A parser's answer: marked's HTML (not yet sanitized), or why there is none: the deadline passed
 * (`slow`), marked threw (`error`), the caller cancelled, or no worker can run here (`unavailable`).
 */
export type ParseReply = { ok: true; html: string } | { ok: false; reason: 'slow' | 'error' | 'cancelled' | 'unavailable' };

/** What parses markdown off the main thread: the worker in the app, something scripted in tests. */
export interface MarkdownParser {
  /**
   * Marked's HTML for `text` within `deadlineMs` milliseconds of the parse starting (jobs run one
   * at a time, in order). Never rejects. `signal` cancels a job that has not started; `deep`
   * lifts the nesting limit (`MAX_NESTING`).
   */
  parse(text: string, opts: ParseOptions): Promise<ParseReply>;
  /** Stops the parser: its worker ends, unfinished jobs answer `cancelled`. */
  dispose(): void;
}

/** How to parse one text: see `MarkdownParser.parse`. */
export interface ParseOptions {
  deadlineMs: number;
  signal?: AbortSignal;
  deep?: boolean;
}

/** The part of a `Worker` the parser uses (Node's `worker_threads` can be adapted to it). */
export interface MarkdownWorker {
  postMessage(job: MarkdownJob): void;
  terminate(): void;
  onmessage: ((ev: { data: MarkdownReply }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

const CANCELLED: ParseReply = { ok: false, reason: 'cancelled' };
const SLOW: ParseReply = { ok: false, reason: 'slow' };
const ERROR: ParseReply = { ok: false, reason: 'error' };
const UNAVAILABLE: ParseReply = { ok: false, reason: 'unavailable' };

interface Job {
  id: number;
  text: string;
  deadlineMs: number;
  deep: boolean;
  resolve: (reply: ParseReply) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * A `MarkdownParser` over one worker at a time: jobs go to it one by one, each with its own
 * deadline counted from when it is posted (after the worker said `ready`, so loading marked does
 * not count). A missed deadline terminates the worker; the next job starts a new one. A worker
 * that cannot start (or fails before `ready`) makes the parser answer `unavailable` from then on.
 */
export class WorkerParser implements MarkdownParser {
  private readonly spawn: () => MarkdownWorker;
  private worker: MarkdownWorker | null = null;
  private ready = false;
  private broken = false;
  private startTimer: ReturnType<typeof setTimeout> | undefined;
  private queue: Job[] = [];
  private current: Job | null = null;
  private nextId = 0;

  constructor(spawn: () => MarkdownWorker) {
    this.spawn = spawn;
  }

  parse(text: string, { deadlineMs, signal, deep = false }: ParseOptions): Promise<ParseReply> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(CANCELLED);
      if (this.broken) return resolve(UNAVAILABLE);
      const job: Job = { id: ++this.nextId, text, deadlineMs, deep, resolve, signal };
      if (signal) {
        job.onAbort = () => this.cancel(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  dispose(): void {
    const jobs = this.current ? [this.current, ...this.queue] : this.queue;
    this.current = null;
    this.queue = [];
    this.stop();
    for (const job of jobs) this.settle(job, CANCELLED);
  }

  private settle(job: Job, reply: ParseReply): void {
    clearTimeout(job.timer);
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    job.resolve(reply);
  }

  /** A job no longer wanted: dropped if it has not started (a started one finishes; its result is cached). */
  private cancel(job: Job): void {
    const at = this.queue.indexOf(job);
    if (at < 0) return;
    this.queue.splice(at, 1);
    this.settle(job, CANCELLED);
  }

  private pump(): void {
    if (this.current || this.queue.length === 0 || this.broken) return;
    const worker = this.start();
    if (!worker || !this.ready) return; // `ready` pumps again
    const job = this.queue.shift() as Job;
    this.current = job;
    job.timer = setTimeout(() => this.expire(job), job.deadlineMs);
    try {
      worker.postMessage(job.deep ? { id: job.id, text: job.text, deep: true } : { id: job.id, text: job.text });
    } catch {
      this.current = null;
      this.stop();
      this.settle(job, ERROR);
      this.pump();
    }
  }

  private start(): MarkdownWorker | null {
    if (this.worker) return this.worker;
    let worker: MarkdownWorker;
    try {
      worker = this.spawn();
    } catch {
      this.fail();
      return null;
    }
    this.worker = worker;
    this.ready = false;
    worker.onmessage = (ev) => this.receive(worker, ev?.data);
    worker.onerror = () => this.crashed(worker);
    this.startTimer = setTimeout(() => {
      if (this.worker === worker && !this.ready) this.fail();
    }, WORKER_START_MS);
    return worker;
  }

  private receive(worker: MarkdownWorker, reply: MarkdownReply | undefined): void {
    if (worker !== this.worker || !reply || typeof reply !== 'object') return;
    if ('ready' in reply) {
      this.ready = true;
      clearTimeout(this.startTimer);
      this.pump();
      return;
    }
    const job = this.current;
    if (!job || reply.id !== job.id) return;
    this.current = null;
    this.settle(job, 'html' in reply && typeof reply.html === 'string' ? { ok: true, html: reply.html } : ERROR);
    this.pump();
  }

  /** The running job missed its deadline: the worker is stopped mid-parse (the only way to stop marked). */
  private expire(job: Job): void {
    if (this.current !== job) return;
    this.current = null;
    this.stop();
    this.settle(job, SLOW);
    this.pump();
  }

  private crashed(worker: MarkdownWorker): void {
    if (worker !== this.worker) return;
    if (!this.ready) {
      this.fail();
      return;
    }
    const job = this.current;
    this.current = null;
    this.stop();
    if (job) this.settle(job, ERROR);
    this.pump();
  }

  /** No worker can run here (blocked, or fails to load): every job, now and later, is `unavailable`. */
  private fail(): void {
    this.broken = true;
    const jobs = this.current ? [this.current, ...this.queue] : this.queue;
    this.current = null;
    this.queue = [];
    this.stop();
    for (const job of jobs) this.settle(job, UNAVAILABLE);
  }

  private stop(): void {
    clearTimeout(this.startTimer);
    const worker = this.worker;
    this.worker = null;
    this.ready = false;
    if (!worker) return;
    worker.onmessage = null;
    worker.onerror = null;
    try {
      worker.terminate();
    } catch {
      // already gone
    }
  }
}

/** Parses on the calling thread, unbounded: only for where there is no `Worker` (tests in jsdom). */
function inThreadParser(): MarkdownParser {
  return {
    async parse(text, { signal, deep }) {
      await Promise.resolve();
      if (signal?.aborted) return CANCELLED;
      try {
        return { ok: true, html: parseMarkdown(text, deep ? Infinity : undefined) };
      } catch {
        return ERROR;
      }
    },
    dispose() {},
  };
}

function browserWorker(): MarkdownWorker {
  return new Worker(new URL('./markdown.worker.ts', import.meta.url), { type: 'module' }) as unknown as MarkdownWorker;
}

function defaultParser(): MarkdownParser {
  return typeof Worker === 'undefined' ? inThreadParser() : new WorkerParser(browserWorker);
}

let makeParser: () => MarkdownParser = defaultParser;
let shared: MarkdownParser | null = null;

/**
 * Replaces how parsers are made (tests): `make` is called once for the shared parser and once per
 * "Render as markdown". `null` restores the default (a worker, or the main thread without one).
 * Also empties the cache.
 */
export function setMarkdownParser(make: (() => MarkdownParser) | null): void {
  shared?.dispose();
  shared = null;
  makeParser = make ?? defaultParser;
  clearMarkdownCache();
}

function sharedParser(): MarkdownParser {
  return (shared ??= makeParser());
}

// --- the cache: worker results by text, least recently used first out ---

/** At most this many texts are kept... */
const CACHE_ENTRIES = 500;
/** ...and at most this many UTF-16 code units of text and HTML together (~16 MB). */
const CACHE_UNITS = 8_000_000;

const cache = new Map<string, MarkdownResult>();
let cacheUnits = 0;

const unitsOf = (text: string, result: MarkdownResult) => text.length + (result.kind === 'html' ? result.html.length : 0);

function remember(text: string, result: MarkdownResult): void {
  forgetMarkdown(text);
  const units = unitsOf(text, result);
  if (units > CACHE_UNITS) return;
  cache.set(text, result);
  cacheUnits += units;
  for (const [old, r] of cache) {
    if (cache.size <= CACHE_ENTRIES && cacheUnits <= CACHE_UNITS) break;
    cache.delete(old);
    cacheUnits -= unitsOf(old, r);
  }
}

function recall(text: string): MarkdownResult | undefined {
  const hit = cache.get(text);
  if (hit) {
    cache.delete(text);
    cache.set(text, hit);
  }
  return hit;
}

/** Drops a text's cached rendering (e.g. an earlier version of a reply that is still growing). */
export function forgetMarkdown(text: string): void {
  const hit = cache.get(text);
  if (!hit) return;
  cache.delete(text);
  cacheUnits -= unitsOf(text, hit);
}

/** Empties the cache of renderings. */
export function clearMarkdownCache(): void {
  cache.clear();
  cacheUnits = 0;
}

// --- rendering ---

let purifier: ReturnType<typeof DOMPurify> | null = null;

const FORBID_TAGS = [
  'img', 'picture', 'source', 'video', 'audio', 'track', 'iframe', 'frame', 'object', 'embed',
  'form', 'input', 'button', 'textarea', 'select', 'option', 'style', 'link', 'meta', 'base',
  'svg', 'math', 'template', 'dialog', 'script', 'noscript',
];
const FORBID_ATTR = ['href', 'src', 'srcset', 'xlink:href', 'action', 'formaction', 'target', 'style', 'id', 'name', 'ping'];

/** `html` sanitized by the rules of rendered replies (no scripts, nothing that loads or navigates). */
export function purify(html: string): string {
  if (!purifier) {
    purifier = DOMPurify(window);
    purifier.addHook('afterSanitizeAttributes', (node) => {
      // Belt and braces: no element keeps anything that could navigate or load.
      if (node instanceof Element) {
        for (const attr of FORBID_ATTR) node.removeAttribute(attr);
        for (const { name } of Array.from(node.attributes)) {
          if (name.toLowerCase().startsWith('on')) node.removeAttribute(name);
        }
      }
    });
  }
  return purifier.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
  });
}

/** Sanitizes a parser's reply; a failed one becomes a fallback. Never throws. */
function finish(reply: ParseReply): MarkdownResult {
  if (!reply.ok) return { kind: 'fallback', reason: reply.reason === 'slow' ? 'slow' : 'error' };
  try {
    return { kind: 'html', html: purify(reply.html) };
  } catch {
    return { kind: 'fallback', reason: 'error' };
  }
}

/**
 * Parses and sanitizes on this thread: unbounded beyond `SYNC_LIMIT`. `deep` lifts the nesting
 * limit. Never throws.
 */
function renderHere(text: string, deep = false): MarkdownResult {
  try {
    return finish({ ok: true, html: parseMarkdown(text, deep ? Infinity : undefined) });
  } catch {
    return { kind: 'fallback', reason: 'error' };
  }
}

/**
 * Runs marked and DOMPurify once on this thread over a short text using most of their paths, so
 * that the first message a transcript shows does not pay their first run (13-35 ms measured in
 * WebKitGTK, tests/bench). Caches nothing; never throws. The window calls it once it is idle.
 */
export function prepareMarkdown(): void {
  renderHere('# h\n\n> *e* **s** `c` [l](u)\n\n- a\n\n| a | b |\n|---|---|\n| c | d |\n\n```\nx\n```\n<b>h</b>');
}

/**
 * The rendering of `text` if it is available at once: cached, short enough to render here
 * (`SYNC_LIMIT`, well under a millisecond), or over `MARKDOWN_LIMIT` (a `long` fallback). Null
 * means: ask `markdownLater`. Never throws; bounded time.
 */
export function markdownNow(text: string): MarkdownResult | null {
  if (text.length > MARKDOWN_LIMIT) return { kind: 'fallback', reason: 'long' };
  const plain = plainParagraph(text);
  if (plain !== null) return { kind: 'html', html: plain };
  const hit = recall(text);
  if (hit) return hit;
  if (text.length > SYNC_LIMIT) return null;
  // Kept too: a list that mounts the message again (a virtual list scrolling) does not parse and
  // sanitize it again (2-7 ms a text in WebKitGTK, most of it DOMPurify's document).
  const result = renderHere(text);
  if (result.kind === 'html') remember(text, result);
  return result;
}

/**
 * One line of words and plain punctuation: nothing marked would turn into anything but a
 * paragraph (no markup, entity, list or heading marker, URL, e-mail or line break).
 */
const PLAIN = /^\p{L}[\p{L}\p{N} ,.;:'"?()%/]*$/u;

/**
 * The HTML of `text` when it is one plain paragraph (`PLAIN`), built without marked or DOMPurify
 * (escaped, so it cannot hold a tag); null for anything else. The same DOM as marked's output.
 */
export function plainParagraph(text: string): string | null {
  if (text.length > SYNC_LIMIT || !PLAIN.test(text) || text.endsWith(' ') || text.includes('://') || /www\./i.test(text)) return null;
  return `<p>${escapeHtml(text)}</p>\n`;
}

/**
 * The rendering of `text`, parsed by the worker within `RENDER_BUDGET_MS` (plus the wait for
 * texts queued before it), or a fallback when marked was too slow or failed; cached. Resolves to
 * null when `signal` cancelled it first. Never rejects.
 */
export async function markdownLater(text: string, signal?: AbortSignal): Promise<MarkdownResult | null> {
  const now = markdownNow(text);
  if (now) return now;
  const reply = await sharedParser().parse(text, { deadlineMs: RENDER_BUDGET_MS, signal });
  if (!reply.ok && reply.reason === 'cancelled') return null;
  const result = finish(reply);
  remember(text, result);
  return result;
}

/**
 * "Render as markdown": the rendering of `text` in a worker of its own with up to
 * `ON_DEMAND_LIMIT_MS` (on this thread if no worker can run). A success is cached. Never rejects.
 */
export async function markdownOnDemand(text: string): Promise<MarkdownResult> {
  if (text.length <= SYNC_LIMIT) return renderHere(text, true);
  let reply: ParseReply;
  const parser = makeParser();
  try {
    reply = await parser.parse(text, { deadlineMs: ON_DEMAND_LIMIT_MS, deep: true });
  } catch {
    reply = ERROR;
  } finally {
    parser.dispose();
  }
  const result = !reply.ok && reply.reason === 'unavailable' ? renderHere(text, true) : finish(reply);
  if (result.kind === 'html') remember(text, result);
  return result;
}

/**
 * Sanitized HTML for a markdown text, synchronously; safe for `{@html}`. Unbounded in time for
 * long texts (use `markdownNow`/`markdownLater` in views); over `MARKDOWN_LIMIT`, or when marked
 * fails, the text escaped in a `<pre>`. Never throws.
 */
export function renderMarkdown(text: string): string {
  const result = text.length > MARKDOWN_LIMIT ? null : renderHere(text, true);
  return result?.kind === 'html' ? result.html : purify(`<pre>${escapeHtml(text)}</pre>`);
}
