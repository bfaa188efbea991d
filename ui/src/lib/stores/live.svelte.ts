// The live sessions: every run the UI follows (started here, or attached to after a reload), the
// one in view (`activeKey`), the backend's pool as last reported (`pool://session` events and
// snapshots), and the full-pool flow (closing the session idle the longest to make room). A run's
// permission prompts and output live in its `LiveRun`. No DOM here.
import type { Api } from '../../ipc';
import { idleToClose } from '../capacity';
import { describeError } from '../errors';
import { baseName } from '../paths';
import { PoolModel } from '../pool.svelte';
import { LiveRun, type RunHooks } from '../run.svelte';
import { isBusy } from '../sessionState';
import { runSessionId } from '../turns';
import type { SessionInfo, StartRequest } from '../types';
import type { Messages } from './messages.svelte';

/** One row of the live list and the pool view: the backend's info and the UI's run, if any. */
export interface LiveEntry {
  key: string;
  runId: string | null;
  info: SessionInfo | null;
  run: LiveRun | null;
  title: string;
  state: string;
}

export interface LiveOptions {
  /** The hooks every run gets (what the app does when a run's session is known, a turn ends, ...). */
  hooks: () => RunHooks;
  /** What session `id` is called elsewhere: its name, else its listed title; null when unknown. */
  titleOf: (sessionId: string | null) => string | null;
}

export class LiveStore {
  /** Every live session the UI follows, oldest first. */
  runs: LiveRun[] = $state([]);
  /** `key` of the run shown in the main pane. */
  activeKey: string | null = $state(null);
  /** The backend's pool as last reported. */
  readonly pool = new PoolModel();
  /** A capacity action is under way (closing an idle session to make room). */
  makingRoom = $state(false);
  /** The run shown in the main pane. */
  readonly run: LiveRun | null = $derived(this.runs.find((r) => r.key === this.activeKey) ?? null);
  /** Live list rows: the pool's sessions, and runs that never reached it (failed starts). */
  readonly live: LiveEntry[] = $derived.by(() => {
    const rows: LiveEntry[] = [];
    const seen = new Set<string>();
    for (const info of this.pool.list) {
      const run = this.runs.find((r) => r.runId === info.runId) ?? null;
      seen.add(info.runId);
      rows.push({ key: run?.key ?? info.runId, runId: info.runId, info, run, title: this.liveTitle(info, run), state: info.state });
    }
    for (const run of this.runs) {
      if (run.runId !== null && seen.has(run.runId)) continue;
      // A start under way is listed once the pool reports it (a failed start is listed at once).
      if (run.runId === null && run.state.status !== 'failed') continue;
      if (run.runId !== null && !run.gone && !run.state.info) continue;
      rows.push({ key: run.key, runId: run.runId, info: run.state.info, run, title: this.liveTitle(null, run), state: run.state.status });
    }
    return rows;
  });
  /** The pool's sessions by CLI session id (for the session list's badges). */
  readonly liveBySession: Record<string, SessionInfo> = $derived.by(() => {
    const out: Record<string, SessionInfo> = {};
    for (const info of this.pool.list) if (info.sessionId && !(info.sessionId in out)) out[info.sessionId] = info;
    return out;
  });
  private readonly api: Api;
  private readonly messages: Messages;
  private readonly options: LiveOptions;

  constructor(api: Api, messages: Messages, options: LiveOptions) {
    this.api = api;
    this.messages = messages;
    this.options = options;
  }

  /** Follows `pool://session` from now on; resolves to the function that stops it. */
  listen(): Promise<() => void> {
    return this.api.onPoolChange((info) => {
      // A session that left the pool leaves the live list too, unless it is the one in view
      // (which says why, see LiveRun).
      if (info?.retired) this.runs = this.runs.filter((r) => r.runId !== info.runId || r.key === this.activeKey);
      if (this.pool.apply(info)) void this.loadPool();
    });
  }

  /**
   * Reloads the pool (totals, sessions that left it). With `attach`, sessions this window does not
   * follow (it was reloaded) are attached to, so their events reach it again.
   */
  async loadPool(attach = false): Promise<void> {
    const mark = this.pool.mark();
    try {
      this.pool.load(await this.api.poolSnapshot(), mark);
    } catch (e) {
      this.messages.report(e);
      return;
    }
    if (!attach) return;
    for (const info of this.pool.list) {
      if (this.runs.some((r) => r.runId === info.runId)) continue;
      const run = await LiveRun.attach(this.api, info, this.options.hooks());
      if (!this.runs.some((r) => r.runId === info.runId)) this.runs.push(run);
    }
  }

  /** The run with `key` (or run id `key`): one followed, else the pool's session attached to; null when neither has it. */
  async follow(key: string): Promise<LiveRun | null> {
    const run = this.runs.find((r) => r.key === key || r.runId === key);
    if (run) return run;
    const info = this.pool.sessions[key];
    if (!info) return null;
    const attached = await LiveRun.attach(this.api, info, this.options.hooks());
    this.runs.push(attached);
    return attached;
  }

  /** True when the UI follows run id `runId`, or the pool lists it. */
  knows(runId: string): boolean {
    return this.runs.some((r) => r.runId === runId) || runId in this.pool.sessions;
  }

  /** The newest run that writes to session `id` (not a fork of it), if the UI follows one. */
  runOfSession(id: string): LiveRun | null {
    for (let i = this.runs.length - 1; i >= 0; i -= 1) {
      const r = this.runs[i];
      if (!r.gone && runSessionId(r.state, r.request) === id) return r;
    }
    return null;
  }

  /** A new run for `request`, followed and in view; not started yet (`LiveRun.start`, then `adopt`). */
  add(request: StartRequest): LiveRun {
    const run = new LiveRun(this.api, request, this.options.hooks());
    this.runs.push(run);
    this.activeKey = run.key;
    return run;
  }

  /** A start may have reused a session already live: one run per run id, the newest. */
  adopt(run: LiveRun): void {
    if (!run.runId) return;
    this.runs = this.runs.filter((r) => r === run || r.runId !== run.runId);
    void this.loadPool();
  }

  /** Closes a live session (its process ends, its transcript stays) and drops its view. */
  async closeRun(run: LiveRun): Promise<void> {
    const runId = run.runId;
    if (!(await run.close())) return;
    if (runId) this.pool.remove(runId);
    this.runs = this.runs.filter((r) => r !== run);
    if (this.activeKey === run.key) this.activeKey = null;
    void this.loadPool();
  }

  /** Closes a session listed by the pool (the pool view's Close), whether or not the UI follows it. */
  async closeSession(runId: string): Promise<void> {
    const run = this.runs.find((r) => r.runId === runId);
    if (run) return this.closeRun(run);
    try {
      await this.api.closeSession(runId);
      this.pool.remove(runId);
    } catch (e) {
      this.messages.report(e);
    }
    void this.loadPool();
  }

  /**
   * The pool was full for `run`: closes the ready session idle the longest (from a fresh
   * snapshot) and tries again. Says so in the run's errors when no session is idle.
   */
  async closeIdleAndRetry(run: LiveRun): Promise<void> {
    if (this.makingRoom) return;
    this.makingRoom = true;
    try {
      const mark = this.pool.mark();
      const snapshot = await this.api.poolSnapshot();
      this.pool.load(snapshot, mark);
      const idle = idleToClose(snapshot, run.capacity?.idleRunId ?? null, run.runId ? [run.runId] : []);
      if (!idle) {
        const msg = 'No session is idle: every live session is busy. Interrupt or close one in the pool view, then retry.';
        if (!run.state.errors.includes(msg)) run.state.errors.push(msg);
        return;
      }
      await this.closeSession(idle.runId);
      await run.retry();
      this.adopt(run);
    } catch (e) {
      run.state.errors.push(describeError(e));
    } finally {
      this.makingRoom = false;
    }
  }

  /** Retries what failed for `run` (a start, or the last prompt). */
  async retry(run: LiveRun): Promise<void> {
    await run.retry();
    this.adopt(run);
  }

  /**
   * A name for a live session: the name the user gave it, else its title (when its summary is
   * loaded or fetched), else its first prompt, else its folder.
   */
  liveTitle(info: SessionInfo | null, run: LiveRun | null): string {
    const sid = info?.sessionId ?? run?.state.sessionId ?? null;
    const known = this.options.titleOf(sid);
    if (known) return known;
    const first = run?.state.items.find((i) => i.kind === 'prompt');
    if (first?.kind === 'prompt' && first.text.trim()) return first.text.trim();
    const cwd = info?.cwd ?? run?.request.cwd ?? '';
    return baseName(cwd) || cwd || '(new session)';
  }

  /** How many live sessions are waiting for a permission answer. */
  get waitingCount(): number {
    return this.live.filter((e) => e.state === 'waitingForPermission').length;
  }

  /** True while the run in view is busy (the Esc shortcut applies). */
  get activeBusy(): boolean {
    return this.run !== null && this.run.busy && isBusy(this.run.state.status);
  }
}
