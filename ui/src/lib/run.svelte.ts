// One live `claude` run: starts it, folds its events into reactive state (see stream.ts), and
// sends follow-ups or stops it. Talks to the backend only through the `Api` it is given.
import type { Api } from '../ipc';
import { describeError, isCommandError } from './errors';
import { addPrompt, applyRunEvent, createRunState, type RunState } from './stream';
import type { RunEvent, RunRequest } from './types';

export interface RunHooks {
  /** A `result` arrived (a turn ended); the session list should be refreshed. */
  onResult?(run: LiveRun): void;
  /** The run's session id became known (from `system/init` or `exited`). */
  onSessionId?(run: LiveRun, sessionId: string): void;
  /** The process ended. */
  onExited?(run: LiveRun): void;
}

export class LiveRun {
  state: RunState = $state(createRunState());
  runId: string | null = $state(null);
  readonly request: RunRequest;
  private readonly api: Api;
  private readonly hooks: RunHooks;

  constructor(api: Api, request: RunRequest, hooks: RunHooks = {}) {
    this.api = api;
    this.request = request;
    this.hooks = hooks;
  }

  /** The process may still take prompts (it has not exited, nor failed to start). */
  get alive(): boolean {
    return this.state.status !== 'exited';
  }

  /** Busy with a turn (as opposed to idle between turns or ended). */
  get busy(): boolean {
    return this.state.status === 'connecting' || this.state.status === 'streaming';
  }

  async start(): Promise<void> {
    addPrompt(this.state, this.request.prompt);
    try {
      const handle = await this.api.startRun(this.request, (ev) => this.handle(ev));
      this.runId = handle.runId;
    } catch (e) {
      this.fail(describeError(e));
    }
  }

  async send(prompt: string): Promise<boolean> {
    const text = prompt.trim();
    if (!this.runId || !this.alive || text === '') return false;
    addPrompt(this.state, text);
    try {
      await this.api.sendPrompt(this.runId, text);
      return true;
    } catch (e) {
      if (isCommandError(e) && e.kind === 'run_ended') this.state.status = 'exited';
      this.state.errors.push(describeError(e));
      return false;
    }
  }

  async stop(): Promise<void> {
    if (!this.runId || !this.alive) return;
    try {
      await this.api.stopRun(this.runId);
    } catch (e) {
      if (isCommandError(e) && e.kind === 'run_ended') return;
      this.state.errors.push(describeError(e));
    }
  }

  /** Feeds one event from the backend's channel. */
  handle(ev: RunEvent): void {
    const results = this.state.resultCount;
    const sessionId = this.state.sessionId;
    applyRunEvent(this.state, ev);
    if (this.state.sessionId && this.state.sessionId !== sessionId) {
      this.hooks.onSessionId?.(this, this.state.sessionId);
    }
    if (this.state.resultCount > results) this.hooks.onResult?.(this);
    if (ev?.event === 'exited') this.hooks.onExited?.(this);
  }

  private fail(message: string): void {
    this.state.errors.push(message);
    this.state.status = 'exited';
  }
}
