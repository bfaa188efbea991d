// One live session as the UI drives it: starts (or attaches to) it, folds its events into reactive
// state (see stream.ts), and sends prompts, interrupts, permission answers, mode switches and
// close. Talks to the backend only through the `Api` it is given.
//
// Streamed text arrives as many small deltas (one per few tokens); applied one by one, each would
// re-render the growing reply's markdown. So deltas are held and applied together at most once
// per animation frame: the first delta after a quiet frame shows at once, those that follow wait
// for the frame after the one that shows it. Any other event applies the held deltas first, so
// the order of events is kept and the final text (the CLI's `assistant` line) always shows.
import type { Api } from '../ipc';
import { isPoolFull } from './capacity';
import { describeError, isCommandError } from './errors';
import { isBusy } from './sessionState';
import { addPrompt, applyRunEvent, createRunState, undoPrompt, type RunState } from './stream';
import type { InterruptOutcome, PermissionAnswer, PermissionMode, SessionEvent, SessionInfo, StartRequest } from './types';

export interface RunHooks {
  /** A `result` arrived (a turn ended); the session list should be refreshed. */
  onResult?(run: LiveRun): void;
  /** The run's session id became known (from `system/init`, the backend's info or `exited`). */
  onSessionId?(run: LiveRun, sessionId: string): void;
  /** A process of the session ended. */
  onExited?(run: LiveRun): void;
}

/** What the pool's cap stopped: the start of the session, or a prompt that needed a new process. */
export interface CapacityStop {
  action: 'start' | 'prompt';
  message: string;
  /** The ready session the backend named as idle the longest (to close first); null: none. */
  idleRunId: string | null;
}

let keys = 0;

/**
 * Calls `cb` before the next repaint (`requestAnimationFrame`; a 16 ms timer where there is none).
 * Returns a function that cancels it.
 */
export function nextFrame(cb: () => void): () => void {
  if (typeof requestAnimationFrame === 'function') {
    const id = requestAnimationFrame(() => cb());
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(cb, 16);
  return () => clearTimeout(id);
}

/** A `content_block_delta` of the CLI's stream: the events held until the next frame. */
export function isStreamDelta(ev: SessionEvent): boolean {
  if (ev?.event !== 'cli' || !ev.line || typeof ev.line !== 'object') return false;
  const inner = (ev.line as { event?: unknown }).event;
  return ev.line.type === 'stream_event' && !!inner && typeof inner === 'object' &&
    (inner as { type?: unknown }).type === 'content_block_delta';
}

/** Said in a run view whose session left the pool. */
export const RETIRED_MESSAGE =
  'This session left the pool: it had ended and stayed untouched for 10 minutes. Resume it from its project in the session list.';

export class LiveRun {
  state: RunState = $state(createRunState());
  /** ccdesk's id of the live session, once `start_session` answered. */
  runId: string | null = $state(null);
  /** The pool was full: what could not be done (cleared by the next attempt). */
  capacity: CapacityStop | null = $state(null);
  /** The session is no longer in the backend's pool (closed, or unknown to it). */
  gone = $state(false);
  /** An interrupt call is under way. */
  interrupting = $state(false);
  /** Permission prompts being answered (their buttons are disabled meanwhile). */
  answering: Record<string, boolean> = $state({});
  /** A local id, stable from creation (the run id comes later, or never when the start fails). */
  readonly key = `live-${++keys}`;
  readonly request: StartRequest;
  private readonly api: Api;
  private readonly hooks: RunHooks;
  /** Deltas not applied yet, in arrival order. */
  private held: SessionEvent[] = [];
  /** Cancels the pending frame callback; null when no delta was applied in the last frame. */
  private frame: (() => void) | null = null;

  constructor(api: Api, request: StartRequest, hooks: RunHooks = {}) {
    this.api = api;
    this.request = request;
    this.hooks = hooks;
  }

  /** A session the backend already runs (after a reload of the window): its events from now on. */
  static async attach(api: Api, info: SessionInfo, hooks: RunHooks = {}): Promise<LiveRun> {
    const run = new LiveRun(api, { cwd: info.cwd, prompt: '', resume: info.sessionId, model: info.model }, hooks);
    run.runId = info.runId;
    run.handle({ event: 'state', info });
    try {
      run.handle({ event: 'state', info: await api.attachSession(info.runId, (ev) => run.handle(ev)) });
    } catch (e) {
      run.report(e);
    }
    return run;
  }

  /** Busy with a turn (Interrupt applies), as opposed to idle, ended or never started. */
  get busy(): boolean {
    return this.runId !== null && !this.gone && isBusy(this.state.status);
  }

  /** Takes prompts: started and still in the pool (an ended process is resumed by the backend). */
  get open(): boolean {
    return this.runId !== null && !this.gone;
  }

  /** The session's permission mode as the backend last reported it. */
  get permissionMode(): string {
    return this.state.info?.permissionMode ?? this.request.permissionMode ?? 'default';
  }

  async start(): Promise<void> {
    if (this.request.prompt) addPrompt(this.state, this.request.prompt);
    await this.startSession();
  }

  private async startSession(): Promise<void> {
    this.capacity = null;
    try {
      const handle = await this.api.startSession(this.request, (ev) => this.handle(ev));
      this.runId = handle.runId;
    } catch (e) {
      this.failStart(e);
    }
  }

  /** Sends a prompt. False (and the text kept by the caller) when it did not reach the session. */
  async send(prompt: string): Promise<boolean> {
    const text = prompt.trim();
    if (!this.open || text === '') return false;
    this.capacity = null;
    const before = addPrompt(this.state, text);
    return this.deliver(text, before);
  }

  /** Sends the last prompt again (after a failure); a session that never started is started again. */
  async retry(): Promise<void> {
    if (this.runId === null) {
      this.state.status = 'connecting';
      this.state.failure = null;
      await this.startSession();
      return;
    }
    const text = this.state.lastPrompt ?? this.request.prompt;
    if (!text || this.gone) return;
    this.capacity = null;
    const before = this.state.status;
    this.state.status = before === 'ready' ? 'streaming' : 'connecting';
    this.state.failure = null;
    await this.deliver(text, before);
  }

  private async deliver(text: string, before: RunState['status']): Promise<boolean> {
    if (!this.runId) return false;
    try {
      await this.api.sendPrompt(this.runId, text);
      return true;
    } catch (e) {
      undoPrompt(this.state, before);
      if (isPoolFull(e)) this.capacity = { action: 'prompt', message: describeError(e), idleRunId: e.idleRunId ?? null };
      else this.report(e);
      return false;
    }
  }

  /** Interrupts the running turn (Esc, or the Interrupt button). */
  async interrupt(): Promise<InterruptOutcome | null> {
    if (!this.runId || !this.busy || this.interrupting) return null;
    this.interrupting = true;
    try {
      return await this.api.interruptSession(this.runId);
    } catch (e) {
      this.report(e);
      return null;
    } finally {
      this.interrupting = false;
    }
  }

  async answer(requestId: string, answer: PermissionAnswer): Promise<boolean> {
    if (!this.runId || this.answering[requestId]) return false;
    this.answering[requestId] = true;
    try {
      await this.api.answerPermission(this.runId, requestId, answer);
      return true;
    } catch (e) {
      this.report(e);
      return false;
    } finally {
      delete this.answering[requestId];
    }
  }

  async setPermissionMode(mode: PermissionMode): Promise<boolean> {
    if (!this.runId) return false;
    try {
      await this.api.setPermissionMode(this.runId, mode);
      if (this.state.info) this.state.info.permissionMode = mode;
      return true;
    } catch (e) {
      this.report(e);
      return false;
    }
  }

  /** Ends the session's process and takes it out of the pool. */
  async close(): Promise<boolean> {
    if (!this.runId || this.gone) {
      this.gone = true;
      return true;
    }
    try {
      await this.api.closeSession(this.runId);
      this.gone = true;
      return true;
    } catch (e) {
      this.report(e);
      return false;
    }
  }

  /**
   * Feeds one event from the backend's channel. Stream deltas may be applied a frame or two
   * later (see the top of this file); everything else at once, after the deltas before it.
   */
  handle(ev: SessionEvent): void {
    if (isStreamDelta(ev)) {
      if (this.frame) {
        this.held.push(ev);
        return;
      }
      // Quiet until now: this one shows at once (it renders in the coming frame), the next ones
      // wait for the frame after.
      this.apply(ev);
      this.frame = nextFrame(() => (this.frame = nextFrame(() => this.tick())));
      return;
    }
    // Metrics only update the numbers: they need not wait for, nor hurry, the held text.
    if (ev?.event !== 'metrics') this.flush();
    this.apply(ev);
  }

  /** Applies the held deltas now (tests; `handle` does it before any other event). */
  flush(): void {
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    for (const ev of held) this.apply(ev);
  }

  /** A frame: the deltas held since the last one are applied, and the next frame is awaited. */
  private tick(): void {
    this.frame = null;
    if (this.held.length === 0) return; // quiet: the next delta shows at once
    this.flush();
    this.frame = nextFrame(() => this.tick());
  }

  private apply(ev: SessionEvent): void {
    const results = this.state.resultCount;
    const sessionId = this.state.sessionId;
    applyRunEvent(this.state, ev);
    if (this.state.sessionId && this.state.sessionId !== sessionId) {
      this.hooks.onSessionId?.(this, this.state.sessionId);
    }
    if (this.state.resultCount > results) this.hooks.onResult?.(this);
    if (ev?.event === 'exited') this.hooks.onExited?.(this);
    if (ev?.event === 'state' && ev.info?.retired && !this.gone) {
      // Its last report: it left the pool (ended, then untouched for a while).
      this.gone = true;
      this.state.errors.push(RETIRED_MESSAGE);
    }
  }

  /** A command failed: said in words; an unknown run means the session left the pool. */
  private report(e: unknown): void {
    if (isCommandError(e) && e.kind === 'unknown_run') {
      this.gone = true;
      if (this.state.status !== 'failed') this.state.status = 'closed';
    }
    const msg = describeError(e);
    if (!this.state.errors.includes(msg)) this.state.errors.push(msg);
  }

  private failStart(e: unknown): void {
    this.state.status = 'failed';
    this.state.failure = { kind: isCommandError(e) ? e.kind : 'start_failed', message: describeError(e) };
    if (isPoolFull(e)) this.capacity = { action: 'start', message: describeError(e), idleRunId: e.idleRunId ?? null };
  }
}
