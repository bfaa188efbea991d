// The loaded part of an open transcript: a contiguous window of the file's lines, fetched a page at
// a time (`show_session` with `from`/`limit`). It opens on the tail (the latest turn), grows at
// either end as the view scrolls, drops pages at the far end past `maxLines`, takes only the new
// lines when the file grows, and reloads at either end on a jump. No DOM here; tested with a fake Api.
import type { Api } from '../ipc';
import { describeError } from './errors';
import { mark } from './marks';
import type { PagedEntry, SessionDetail, SessionSummary, TranscriptPage } from './types';

/** One page as loaded: lines `[from, to)`, their decoded entries and malformed count. */
export interface WindowPage {
  from: number;
  to: number;
  entries: PagedEntry[];
  malformed: number;
}

/** Which end of the window an operation changed (the view keeps its scroll anchor by it). */
export type WindowEnd = 'start' | 'end';

export class TranscriptWindow {
  /** Lines asked for per page (the backend's default). */
  static pageLines = 200;
  /**
   * Lines asked for when the window opens at an end: a screenful and some, so the first entries
   * show sooner (a 200 MB transcript's tail page is about 460 KB of JSON); the pages next to it
   * load as the view nears them.
   */
  static firstPageLines = 60;
  /** Lines shown before a line opened at (`loadAt`). */
  static contextLines = 5;
  /** The most lines asked for at once (the backend's limit). */
  static maxRequest = 1000;
  /** About the most lines kept: past it, whole pages at the far end are dropped. */
  static maxLines = 2000;

  /** What `show_session` is asked for: `SessionSummary.key`, or a bare session id. */
  readonly sessionKey: string;
  /** The session, as the last page answered it; null before the first answer. */
  summary: SessionSummary | null = $state(null);
  /** The loaded pages, in file order and contiguous. */
  pages: WindowPage[] = $state.raw([]);
  /** Lines in the file, as of the last answer. */
  total = $state(0);
  /** The file ended in a half-written line at the last answer. */
  incompleteTail = $state(false);
  /** The file's size in bytes, as of the last answer. */
  sizeBytes = $state(0);
  /** `loading` until the first page is in (and again while reloading at an end). */
  state: 'loading' | 'ready' = $state('loading');
  /** The load under way at an end, if any (one at a time per end). */
  busy: WindowEnd | null = $state(null);
  /** The last failure, in words; cleared by the next success. */
  error: string | null = $state(null);
  /** A search's terms, marked wherever they show (empty: nothing marked). */
  terms: string[] = $state.raw([]);
  /** Bumped by each reload at an end; `anchor` says which end the view should show. */
  generation = $state(0);
  anchor: WindowEnd = $state('end');
  /**
   * The view shows the file's last line (it says so as it scrolls): new lines keep the end in view,
   * and more than one request holds reloads the end. Not reactive.
   */
  followEnd = true;

  /** Every decoded line loaded, in order. */
  readonly entries: PagedEntry[] = $derived(this.pages.flatMap((p) => p.entries));
  /** First line index loaded (inclusive). */
  readonly from: number = $derived(this.pages[0]?.from ?? 0);
  /** End of the loaded lines (exclusive). */
  readonly to: number = $derived(this.pages.at(-1)?.to ?? 0);
  readonly malformedLines: number = $derived(this.pages.reduce((n, p) => n + p.malformed, 0));
  /** The window starts at the file's first line. */
  readonly atStart: boolean = $derived(this.from <= 0);
  /** The window reaches the file's last line. */
  readonly atEnd: boolean = $derived(this.to >= this.total);

  private readonly api: Api;
  /** Operations run one after another, so pages always join up. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly onError: ((message: string) => void) | null;

  constructor(api: Api, sessionKey: string, onError?: (message: string) => void) {
    this.api = api;
    this.sessionKey = sessionKey;
    this.onError = onError ?? null;
  }

  /** The window as a `SessionDetail` (one page from `from` to `to`); null before the first answer. */
  get detail(): SessionDetail | null {
    if (!this.summary) return null;
    const transcript: TranscriptPage = {
      from: this.from,
      to: this.to,
      total: this.total,
      entries: this.entries,
      malformedLines: this.malformedLines,
      incompleteTail: this.incompleteTail,
      sizeBytes: this.sizeBytes,
    };
    return { summary: this.summary, transcript };
  }

  /** Loads the last page (the latest turn), replacing the window. */
  loadTail(): Promise<boolean> {
    return this.reload('end');
  }

  /** Loads the first page, replacing the window. */
  loadStart(): Promise<boolean> {
    return this.reload('start');
  }

  /**
   * Loads a page that starts a few lines before line `line` (a search hit), replacing the window;
   * the view shows it from its start.
   */
  loadAt(line: number): Promise<boolean> {
    return this.reload('start', Math.max(0, line - TranscriptWindow.contextLines));
  }

  /** Loads the page before the window (nothing when it starts at line 0 or one is under way). */
  loadOlder(): Promise<boolean> {
    if (this.atStart || this.busy || this.pages.length === 0) return Promise.resolve(false);
    this.busy = 'start';
    return this.run(async () => {
      const from = Math.max(0, this.from - TranscriptWindow.pageLines);
      const page = await this.fetch(from, this.from - from);
      if (!page) return false;
      // The window moved meanwhile, or the file was rewritten: start again at the end.
      if (page.to !== this.from) return this.replaceWith(await this.fetch(null, TranscriptWindow.pageLines), 'end');
      this.pages = [toPage(page), ...this.pages];
      return true;
    }).finally(() => (this.busy = null));
  }

  /** Loads the page after the window (nothing when it reaches the end or one is under way). */
  loadNewer(): Promise<boolean> {
    if (this.atEnd || this.busy || this.pages.length === 0) return Promise.resolve(false);
    this.busy = 'end';
    return this.run(async () => this.append(await this.fetch(this.to, TranscriptWindow.pageLines))).finally(
      () => (this.busy = null),
    );
  }

  /**
   * The file changed: fetches only the lines after the window (from the last line loaded, or the
   * half-written one) and appends them. When more came than one request holds and `follow` is
   * set (the view shows the end), the window is reloaded at the end instead.
   */
  update(follow = this.followEnd): Promise<boolean> {
    if (this.pages.length === 0) return this.loadTail();
    return this.run(async () => {
      const last = this.entries.at(-1)?.index ?? this.from - 1;
      const next = this.incompleteTail ? Math.min(this.to, last + 1) : this.to;
      const page = await this.fetch(next, TranscriptWindow.maxRequest);
      if (!page) return false;
      if (page.total < next) return this.replaceWith(await this.fetch(null, TranscriptWindow.pageLines), 'end');
      if (follow && page.to < page.total) return this.replaceWith(await this.fetch(null, TranscriptWindow.pageLines), 'end');
      if (!follow && this.to - this.from >= TranscriptWindow.maxLines) {
        // Full, and the user reads elsewhere: the new lines wait until scrolled to.
        this.take(page);
        return false;
      }
      return this.append(page);
    });
  }

  /** Drops whole pages at the start while the window holds more than `maxLines`; true if any went. */
  trimStart(): boolean {
    let pages = this.pages;
    while (pages.length > 1 && pages.at(-1)!.to - pages[0].from > TranscriptWindow.maxLines) pages = pages.slice(1);
    if (pages === this.pages) return false;
    this.pages = pages;
    return true;
  }

  /** Drops whole pages at the end while the window holds more than `maxLines`; true if any went. */
  trimEnd(): boolean {
    let pages = this.pages;
    while (pages.length > 1 && pages.at(-1)!.to - pages[0].from > TranscriptWindow.maxLines) pages = pages.slice(0, -1);
    if (pages === this.pages) return false;
    this.pages = pages;
    return true;
  }

  /** Replaces the cut line `index` by the whole line (`transcript_entry`). */
  async showAll(index: number): Promise<boolean> {
    try {
      const whole = await this.api.transcriptEntry(this.sessionKey, index);
      this.pages = this.pages.map((p) =>
        index >= p.from && index < p.to ? { ...p, entries: p.entries.map((e) => (e.index === index ? whole : e)) } : p,
      );
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  private reload(at: WindowEnd, from = 0): Promise<boolean> {
    this.state = 'loading';
    // Asked for at once, before the view's updates run (a reload replaces the window whatever
    // came before it), and taken in turn.
    const answer = this.ask(at === 'end' ? null : from, TranscriptWindow.firstPageLines);
    return this.run(async () => {
      const ok = this.replaceWith(this.settle(await answer), at);
      // A failure is in `error` (and the banner); the view shows what it has.
      this.state = 'ready';
      return ok;
    });
  }

  private replaceWith(page: TranscriptPage | null, at: WindowEnd): boolean {
    mark('ccdesk:page-applied');
    if (!page) return false;
    this.pages = [toPage(page)];
    this.anchor = at;
    this.generation += 1;
    this.state = 'ready';
    return true;
  }

  /** Appends a page that starts at (or, re-reading a half-written line, inside) the window's end. */
  private append(page: TranscriptPage | null): boolean {
    if (!page) return false;
    if (page.from > this.to) return this.replaceWith(page, 'end');
    let pages = this.pages;
    if (page.from < this.to) {
      // Lines from `page.from` on are served again: the loaded copies go.
      pages = pages
        .filter((p) => p.from < page.from)
        .map((p) => (p.to > page.from ? { ...p, to: page.from, entries: p.entries.filter((e) => e.index < page.from) } : p));
    }
    this.pages = page.to > page.from || page.entries.length > 0 ? [...pages, toPage(page)] : pages;
    return page.entries.length > 0;
  }

  private async fetch(from: number | null, limit: number): Promise<TranscriptPage | null> {
    return this.settle(await this.ask(from, limit));
  }

  /** Asks for a page; the answer, or the failure (never rejects). */
  private ask(from: number | null, limit: number): Promise<SessionDetail | { failed: unknown }> {
    return this.api.showSession(this.sessionKey, { from, limit }).catch((e: unknown) => ({ failed: e }));
  }

  /** Takes an answer of `ask`: its page, or null after reporting the failure. */
  private settle(answer: SessionDetail | { failed: unknown }): TranscriptPage | null {
    if ('failed' in answer) {
      this.fail(answer.failed);
      return null;
    }
    this.take(answer.transcript);
    this.summary = answer.summary;
    this.error = null;
    return answer.transcript;
  }

  /** Takes what a page says of the whole file. */
  private take(page: TranscriptPage): void {
    this.total = page.total;
    this.incompleteTail = page.incompleteTail;
    this.sizeBytes = page.sizeBytes;
  }

  private fail(e: unknown): void {
    this.error = describeError(e);
    this.onError?.(this.error);
  }

  private run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op, op);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function toPage(page: TranscriptPage): WindowPage {
  const entries = Array.isArray(page.entries) ? page.entries : [];
  return { from: page.from, to: Math.max(page.from, page.to), entries, malformed: page.malformedLines ?? 0 };
}
