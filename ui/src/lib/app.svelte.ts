// The app's state and what the screens can do with it: load the session index, select a project
// and a session, start runs (new or resumed) and follow them. No DOM here; tested with a fake Api.
import type { Api } from '../ipc';
import { describeError } from './errors';
import { LiveRun } from './run.svelte';
import { buildTranscriptView, userPrompts } from './transcript';
import { runSessionId, splitTurns, turnsInTranscript } from './turns';
import type { AppInfo, ProjectGroup, RunRequest, SessionDetail, SessionIndex, SessionSummary } from './types';

export interface NewRunInput {
  cwd: string;
  prompt: string;
  model?: string | null;
  permissionMode?: string | null;
}

export class AppModel {
  info: AppInfo | null = $state(null);
  index: SessionIndex | null = $state(null);
  loadingIndex = $state(false);
  /** `dirName` of the selected project (unique per project dir). */
  selectedProject: string | null = $state(null);
  selectedSessionId: string | null = $state(null);
  detail: SessionDetail | null = $state(null);
  loadingDetail = $state(false);
  /** App-level problems in words (failed commands), shown in the top banner. */
  errors: string[] = $state([]);
  run: LiveRun | null = $state(null);
  /** The prompts typed in the open transcript (to tell which of a run's turns it shows). */
  private readonly detailPrompts: string[] = $derived(this.detail ? userPrompts(buildTranscriptView(this.detail)) : []);
  /**
   * How many of the run's first turns the open transcript already shows (it is the run's session
   * and was reloaded after them): the run view folds those away instead of repeating them.
   */
  readonly runTurnsShown: number = $derived.by(() => {
    const run = this.run;
    if (!run || !this.detail) return 0;
    if (runSessionId(run.state, run.request) !== this.detail.summary.id) return 0;
    return turnsInTranscript(splitTurns(run.state.items), this.detailPrompts);
  });
  /** A run's session to select once the index lists it. */
  private follow: string | null = null;
  private readonly api: Api;

  constructor(api: Api) {
    this.api = api;
  }

  async init(): Promise<void> {
    await Promise.all([this.loadInfo(), this.refresh()]);
  }

  async loadInfo(): Promise<void> {
    try {
      this.info = await this.api.appInfo();
    } catch (e) {
      this.report(e);
    }
  }

  /** Reloads the session list (and the open session), keeping the selection when it still exists. */
  async refresh(): Promise<void> {
    this.loadingIndex = true;
    try {
      const index = await this.api.listSessions();
      this.index = index;
      if (this.follow && this.findSession(this.follow)) {
        const id = this.follow;
        this.follow = null;
        await this.selectSession(id);
        return;
      }
      if (!this.selectedProject || !index.projects.some((p) => p.dirName === this.selectedProject)) {
        this.selectedProject = index.projects[0]?.dirName ?? null;
      }
      if (this.selectedSessionId) await this.loadDetail(this.selectedSessionId);
    } catch (e) {
      this.report(e);
    } finally {
      this.loadingIndex = false;
    }
  }

  get projects(): ProjectGroup[] {
    return this.index?.projects ?? [];
  }

  get currentProject(): ProjectGroup | null {
    return this.projects.find((p) => p.dirName === this.selectedProject) ?? null;
  }

  /** The selected session's summary: from the index, else from the loaded detail. */
  get currentSession(): SessionSummary | null {
    if (!this.selectedSessionId) return null;
    return this.findSession(this.selectedSessionId) ??
      (this.detail?.summary.id === this.selectedSessionId ? this.detail.summary : null);
  }

  selectProject(dirName: string): void {
    this.selectedProject = dirName;
  }

  async selectSession(id: string): Promise<void> {
    this.follow = null;
    const found = this.findSession(id);
    if (found) this.selectedProject = found.dirName;
    if (this.selectedSessionId !== id) this.detail = null;
    this.selectedSessionId = id;
    await this.loadDetail(id);
  }

  private async loadDetail(id: string): Promise<void> {
    this.loadingDetail = true;
    try {
      const detail = await this.api.showSession(id);
      if (this.selectedSessionId === id) this.detail = detail;
    } catch (e) {
      if (this.selectedSessionId === id) this.report(e);
    } finally {
      this.loadingDetail = false;
    }
  }

  /** Why a new run cannot start now, or null. */
  get runBlocker(): string | null {
    return this.run?.busy ? 'A run is in progress: wait for it to finish or stop it first.' : null;
  }

  /**
   * Starts `claude` in a folder with a first prompt. The open transcript is closed, so the new run
   * has the main pane to itself until its session is listed (and then opened).
   */
  async startNew(input: NewRunInput): Promise<void> {
    await this.startRun({
      cwd: input.cwd.trim(),
      prompt: input.prompt.trim(),
      model: input.model?.trim() || null,
      permissionMode: input.permissionMode || null,
    });
  }

  /** Continues the selected session with a prompt; `fork` continues it as a new session. */
  async resume(prompt: string, fork = false): Promise<void> {
    const s = this.currentSession;
    if (!s || s.resumability.state !== 'resumable' || !s.projectPath) return;
    const request: RunRequest = { cwd: s.projectPath, prompt: prompt.trim(), resume: s.id };
    if (fork) request.forkSession = true;
    await this.startRun(request);
  }

  private async startRun(request: RunRequest): Promise<void> {
    if (this.runBlocker || !request.prompt || !request.cwd) return;
    // An idle run has finished its turn; end it so only one claude process runs at a time.
    if (this.run?.alive) await this.run.stop();
    if (!request.resume) {
      this.follow = null;
      this.selectedSessionId = null;
      this.detail = null;
    }
    const run = new LiveRun(this.api, request, {
      onSessionId: (r, id) => {
        if (this.run !== r || this.selectedSessionId === id) return;
        if (this.findSession(id)) void this.selectSession(id);
        else this.follow = id;
      },
      onResult: (r) => {
        if (this.run === r) void this.refresh();
      },
      onExited: (r) => {
        if (this.run === r) void this.refresh();
      },
    });
    this.run = run;
    await run.start();
  }

  /** Hides an ended run's view. */
  closeRun(): void {
    if (this.run && !this.run.alive) this.run = null;
  }

  dismissErrors(): void {
    this.errors = [];
  }

  private findSession(id: string): SessionSummary | null {
    for (const p of this.projects) {
      const s = p.sessions.find((x) => x.id === id);
      if (s) return s;
    }
    return null;
  }

  private report(e: unknown): void {
    const msg = describeError(e);
    if (!this.errors.includes(msg)) this.errors.push(msg);
  }
}
