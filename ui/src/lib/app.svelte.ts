// The app's state and what the screens can do with it: list the projects, load the selected
// project's sessions (only that project's: all of them can be 10,000), select a session, start
// live sessions (new, resumed or forked), follow several at once, and keep the pool view current.
// No DOM here; tested with a fake Api.
import type { Api } from '../ipc';
import { pickIdleSession } from './capacity';
import { describeError } from './errors';
import { mark } from './marks';
import { baseName } from './paths';
import { PoolModel } from './pool.svelte';
import { cleanName, nameOf, normalizeRegistry, orderSessions } from './registry';
import { LiveRun } from './run.svelte';
import { isBusy } from './sessionState';
import { buildTranscriptView, userPrompts } from './transcript';
import { TranscriptWindow } from './transcriptWindow.svelte';
import { runSessionId, splitTurns, turnsInTranscript } from './turns';
import { ViewState, type Overlay, type SheetKind } from './stores/view.svelte';
import type {
  AppInfo,
  OpenRequest,
  PermissionMode,
  ProjectEntry,
  ProjectIndex,
  Registry,
  SessionDetail,
  SessionInfo,
  SessionSummary,
  Settings,
  StartRequest,
} from './types';

export interface NewRunInput {
  cwd: string;
  prompt: string;
  model?: string | null;
  permissionMode?: PermissionMode | null;
}

/** One row of the live list and the pool view: the backend's info and the UI's run, if any. */
export interface LiveEntry {
  key: string;
  runId: string | null;
  info: SessionInfo | null;
  run: LiveRun | null;
  title: string;
  state: string;
}

/** The CLI session id in a session key (`<dirName>/<sessionId>`); a bare id is returned as it is. */
export function idOfKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash >= 0 ? key.slice(slash + 1) : key;
}

export class AppModel {
  /** Summaries fetched by `findSession` that are kept (for titles and the open session's head). */
  static fetchedMax = 50;
  info: AppInfo | null = $state(null);
  /** The projects (without their sessions). Replaced whole on each listing, never changed in place:
   * not deeply reactive. */
  index: ProjectIndex | null = $state.raw(null);
  loadingIndex = $state(false);
  /** `key` of the selected project (`ProjectEntry.key`, unique). */
  selectedProject: string | null = $state(null);
  /**
   * The sessions of project `sessionsOf` as last loaded (`projectSessions`), newest first; only
   * that project's are held (a project can have 10,000). Replaced whole: not deeply reactive.
   */
  sessions: SessionSummary[] = $state.raw([]);
  /** `key` of the project `sessions` belongs to; null before any is loaded. */
  sessionsOf: string | null = $state(null);
  /** `key` of the open session (`SessionSummary.key`; a bare id until a summary is found). */
  selectedSessionKey: string | null = $state(null);
  /** CLI session id of the open session (names, pins, runs and resuming go by it). */
  selectedSessionId: string | null = $state(null);
  /** The loaded window of the open session's transcript; null when none is open. */
  transcript: TranscriptWindow | null = $state(null);
  /** App-level problems in words (failed commands), shown in the top banner. */
  errors: string[] = $state([]);
  /** Things the backend wants the user told once (`app_info().notices`), until dismissed. */
  notices: string[] = $state([]);
  /** ccdesk's own memory of sessions (names, pins, run history); null until loaded. */
  registry: Registry | null = $state(null);
  /** Every live session the UI follows, oldest first. */
  runs: LiveRun[] = $state([]);
  /** `key` of the run shown in the main pane. */
  activeKey: string | null = $state(null);
  /** What covers the main pane: nothing, the pool view or one sheet (see `ViewState`). */
  readonly view = new ViewState();
  readonly pool = new PoolModel();
  /** A capacity action is under way (closing an idle session to make room). */
  makingRoom = $state(false);
  /** The settings in force (defaults for new sessions); null until loaded. */
  settings: Settings | null = $state(null);
  /** Bumped when the resume prompt of the open session should take the focus. */
  focusResume = $state(0);
  /** How long index://changed waits for more before listing again, in ms (tests shorten it). */
  static indexDebounceMs = 300;

  /** What covers the main pane: nothing, the pool view, or one sheet. */
  get overlay(): Overlay {
    return this.view.overlay;
  }

  /** The main pane shows the pool view (alone, or under a sheet). */
  get poolShown(): boolean {
    return this.view.poolShown;
  }

  /** The open session and its loaded lines; null until the first page is in. */
  get detail(): SessionDetail | null {
    return this.transcript?.detail ?? null;
  }

  /** The open transcript's first page is being loaded. */
  get loadingDetail(): boolean {
    return this.transcript !== null && this.transcript.state === 'loading';
  }

  /** The run shown in the main pane. */
  readonly run: LiveRun | null = $derived(this.runs.find((r) => r.key === this.activeKey) ?? null);
  /** The prompts typed in the open transcript (to tell which of a run's turns it shows). */
  private readonly detailPrompts: string[] = $derived(this.detail ? userPrompts(buildTranscriptView(this.detail)) : []);
  /**
   * How many of the active run's first turns the open transcript already shows (it is the run's
   * session and was reloaded after them): the run view folds those away instead of repeating them.
   */
  readonly runTurnsShown: number = $derived.by(() => {
    const run = this.run;
    if (!run || !this.detail) return 0;
    if (runSessionId(run.state, run.request) !== this.detail.summary.id) return 0;
    return turnsInTranscript(splitTurns(run.state.items), this.detailPrompts);
  });
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
  /** A run's session to select once the backend finds it. */
  private follow: string | null = null;
  /**
   * Summaries fetched by `api.findSession` (sessions of other projects than the loaded one), by
   * key; a few only, the newest last. Replaced whole on change.
   */
  private fetched: ReadonlyMap<string, SessionSummary> = $state.raw(new Map());
  /** `projectSessions` answers are taken only for the latest request (see `loadSessions`). */
  private sessionsAsked = 0;
  /** Bumped by each selection: one waiting for the backend gives way to a later one. */
  private selections = 0;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  /** Whether the refresh under way (or the next) reloads the open transcript too. */
  private detailWanted = false;
  /** Session ids whose transcripts changed since the last index://changed refresh. */
  private changedSessions = new Set<string>();
  /**
   * Registry answers and `registry://changed` payloads are taken in the order they were asked for
   * or arrived (see `takeRegistry`).
   */
  private registryAsked = 0;
  private registryTaken = 0;
  private unlisten: (() => void) | null = null;
  private readonly api: Api;

  constructor(api: Api) {
    this.api = api;
  }

  async init(): Promise<void> {
    await Promise.all([this.loadInfo(), this.refresh(), this.listenPool(), this.loadSettings(), this.listenDesktop()]);
    await this.loadPool(true);
    // Requests that came before the UI listened (the command line, a second launch, the tray).
    try {
      for (const request of await this.api.takeLaunchIntents()) await this.handleOpen(request);
    } catch (e) {
      this.report(e);
    }
  }

  /** Stops listening to backend events (the app is going away). */
  dispose(): void {
    this.unlisten?.();
    this.unlisten = null;
    for (const stop of this.desktopUnlisten) stop();
    this.desktopUnlisten = [];
    if (this.indexTimer) clearTimeout(this.indexTimer);
  }

  private desktopUnlisten: (() => void)[] = [];
  private indexTimer: ReturnType<typeof setTimeout> | null = null;

  private async listenDesktop(): Promise<void> {
    try {
      this.desktopUnlisten.push(await this.api.onAppOpen((r) => void this.handleOpen(r)));
      // The backend sends the registry after every save of it (a rename, a pin, a run's new state).
      this.desktopUnlisten.push(await this.api.onRegistryChanged((r) => this.takeRegistry(++this.registryAsked, r)));
      this.desktopUnlisten.push(
        await this.api.onIndexChanged((sessionIds) => {
          for (const id of sessionIds) this.changedSessions.add(id);
          if (this.indexTimer) clearTimeout(this.indexTimer);
          this.indexTimer = setTimeout(() => {
            this.indexTimer = null;
            // The open transcript is read again only when it is one of those that changed.
            const open = this.selectedSessionId;
            const reload = open !== null && this.changedSessions.has(open);
            this.changedSessions.clear();
            void this.refresh(reload);
          }, AppModel.indexDebounceMs);
        }),
      );
    } catch (e) {
      this.report(e);
    }
  }

  async loadSettings(): Promise<void> {
    try {
      const view = await this.api.settings();
      this.settings = view.settings;
      for (const n of view.notices) if (!this.notices.includes(n)) this.notices = [...this.notices, n];
    } catch (e) {
      this.report(e);
    }
  }

  /** What the backend asks the window to open: a folder's new-session sheet, a session, ... */
  async handleOpen(request: OpenRequest): Promise<void> {
    switch (request.kind) {
      case 'folder':
        // An open sheet takes the folder and keeps the prompt typed in it.
        this.view.openNew(request.path, true);
        return;
      case 'newSession':
        this.openNewSheet();
        return;
      case 'settings':
        this.view.open('settings');
        return;
      case 'live': {
        // The tray or a notification may name a run this window has not heard of yet.
        const known = () => this.runs.some((r) => r.runId === request.runId) || request.runId in this.pool.sessions;
        if (!known()) await this.loadPool();
        if (!known()) {
          this.errors = [...this.errors, 'That session is no longer live; open it from the session list to resume it.'];
          return;
        }
        this.view.closeSheet();
        await this.openRun(request.runId);
        return;
      }
      case 'resume': {
        // Read from disk by the backend: the session may be in any project, listed or not yet.
        const found = await this.fetchSession(request.sessionId);
        if (!found) {
          this.errors = [...this.errors, `No session ${request.sessionId} under ${this.index?.configDir ?? 'the config dir'}.`];
          return;
        }
        this.view.closeSheet();
        this.follow = null;
        await this.openSession(found.key, found, this.loadedSession(found.key) === null);
        this.focusResume += 1;
        return;
      }
      case 'error':
        this.errors = [...this.errors, request.message];
        return;
    }
  }

  /** Opens the new-session sheet in the open project's folder (an open one stays as it is). */
  openNewSheet(): void {
    this.view.openNew(this.currentProject?.projectPath ?? '', false);
  }

  /** Opens the settings sheet (any other sheet closes). */
  openSettings(): void {
    this.view.open('settings');
  }

  /** Opens the quick switcher (any other sheet closes). */
  openSwitcher(): void {
    this.view.open('switcher');
  }

  /** Closes the open sheet (with `kind`, only a sheet of that kind); the pool view stays if under it. */
  closeSheet(kind?: SheetKind): void {
    this.view.closeSheet(kind);
  }

  async loadInfo(): Promise<void> {
    try {
      this.info = await this.api.appInfo();
      if (this.pool.maxSessions === null && typeof this.info.maxSessions === 'number') this.pool.maxSessions = this.info.maxSessions;
      for (const n of this.info.notices ?? []) {
        if (typeof n === 'string' && n.trim() !== '' && !this.notices.includes(n)) this.notices.push(n);
      }
    } catch (e) {
      this.report(e);
    }
  }

  private async listenPool(): Promise<void> {
    try {
      this.unlisten = await this.api.onPoolChange((info) => {
        if (this.pool.apply(info)) void this.loadPool();
      });
    } catch (e) {
      this.report(e);
    }
  }

  /** Reloads the registry (names, pins, run history). */
  async loadRegistry(): Promise<void> {
    const ticket = ++this.registryAsked;
    try {
      this.takeRegistry(ticket, await this.api.registry());
    } catch (e) {
      this.report(e);
    }
  }

  /**
   * Takes a registry answer (or an event's payload) unless one asked for, or arrived, later was
   * taken already.
   */
  private takeRegistry(ticket: number, value: unknown): void {
    if (ticket < this.registryTaken) return;
    this.registryTaken = ticket;
    this.registry = normalizeRegistry(value);
  }

  /**
   * Names session `id` (a blank name removes the name, and the title shows again). False, with the
   * error in the banner, when the backend refused.
   */
  async renameSession(id: string, name: string): Promise<boolean> {
    const clean = cleanName(name);
    if (clean === (nameOf(this.registry, id) ?? '')) return true;
    const ticket = ++this.registryAsked;
    try {
      this.takeRegistry(ticket, await this.api.renameSession(id, clean));
      return true;
    } catch (e) {
      this.report(e);
      return false;
    }
  }

  /** Pins (or unpins) session `id` at the top of its project. */
  async pinSession(id: string, pinned: boolean): Promise<boolean> {
    const ticket = ++this.registryAsked;
    try {
      this.takeRegistry(ticket, await this.api.pinSession(id, pinned));
      return true;
    } catch (e) {
      this.report(e);
      return false;
    }
  }

  /** The name the user gave session `id`, if any. */
  nameOf(id: string | null | undefined): string | null {
    return nameOf(this.registry, id);
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
      this.report(e);
      return;
    }
    if (!attach) return;
    for (const info of this.pool.list) {
      if (this.runs.some((r) => r.runId === info.runId)) continue;
      const run = await LiveRun.attach(this.api, info, this.hooks());
      if (!this.runs.some((r) => r.runId === info.runId)) this.runs.push(run);
    }
  }

  /**
   * Reloads the session list (and the open session), keeping the selection when it still exists.
   * Calls made while one runs are folded into one more reload after it.
   */
  refresh(reloadDetail = true): Promise<void> {
    this.detailWanted ||= reloadDetail;
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          await this.refreshOnce();
        } while (this.refreshAgain);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    this.loadingIndex = true;
    // The registry changes as runs go; it is reloaded with the list.
    const registry = this.loadRegistry();
    try {
      const index = await this.api.listProjects();
      this.index = index;
      // A run's session: opened (with its project) once the backend finds it, unless the user went
      // elsewhere meanwhile.
      const follow = this.follow;
      const followed = follow ? await this.fetchSession(follow) : null;
      if (followed && this.follow === follow) {
        this.follow = null;
        this.detailWanted = false;
        await this.openSession(followed.key, followed, true);
        return;
      }
      if (!this.selectedProject || !index.projects.some((p) => p.key === this.selectedProject)) {
        this.selectedProject = index.projects[0]?.key ?? null;
      }
      const reload = this.detailWanted;
      this.detailWanted = false;
      await Promise.all([this.loadSessions(this.selectedProject), this.transcript && reload ? this.transcript.update() : null]);
    } catch (e) {
      this.report(e);
    } finally {
      await registry;
      this.loadingIndex = false;
    }
  }

  /**
   * Loads project `key`'s sessions (none for null). Only the answer to the latest request, and only
   * while that project is still the selected one, is taken: a late answer for a project the user
   * left must not replace the list of the one they went to.
   */
  private async loadSessions(key: string | null): Promise<void> {
    const ticket = ++this.sessionsAsked;
    if (key === null) {
      this.sessions = [];
      this.sessionsOf = null;
      return;
    }
    try {
      const sessions = await this.api.projectSessions(key);
      if (ticket !== this.sessionsAsked || key !== this.selectedProject) return;
      this.sessions = sessions;
      this.sessionsOf = key;
    } catch (e) {
      if (ticket === this.sessionsAsked) this.report(e);
    }
  }

  get projects(): ProjectEntry[] {
    return this.index?.projects ?? [];
  }

  get currentProject(): ProjectEntry | null {
    return this.projects.find((p) => p.key === this.selectedProject) ?? null;
  }

  /** The selected project's loaded sessions, newest first (none while another project's are held). */
  get projectSessions(): SessionSummary[] {
    return this.sessionsOf !== null && this.sessionsOf === this.selectedProject ? this.sessions : [];
  }

  /** The selected project's sessions as listed: pinned first, then newest first. */
  get currentSessions(): SessionSummary[] {
    return orderSessions(this.projectSessions, this.registry);
  }

  /**
   * The selected session's summary: from the loaded project's sessions, else from the loaded
   * detail (fresh from the backend), else as fetched.
   */
  get currentSession(): SessionSummary | null {
    const key = this.selectedSessionKey;
    if (!key) return null;
    const summary = this.transcript?.summary ?? null;
    return this.loadedSession(key) ??
      (summary && (summary.key === key || summary.id === key) ? summary : null) ??
      this.findByKey(key) ??
      (this.selectedSessionId ? this.findSession(this.selectedSessionId) : null);
  }

  /** Selects a project and loads its sessions (the open transcript stays open). */
  selectProject(key: string): Promise<void> {
    this.selectedProject = key;
    return this.loadSessions(key);
  }

  /**
   * Opens a session's transcript at its latest turn; a live run of that session becomes the one in
   * view. `keyOrId` is a `SessionSummary.key`, or a CLI session id (launch intents, the tray, runs
   * and the switcher know only that): the newest session with that id. A session not among the
   * loaded project's is asked of the backend; its project is then selected and loaded, so the
   * session list shows it.
   */
  async selectSession(keyOrId: string): Promise<void> {
    mark('ccdesk:select-session');
    this.follow = null;
    this.view.leavePool();
    const ticket = ++this.selections;
    const loaded = this.loadedSession(keyOrId);
    const found = loaded ?? (await this.fetchSession(keyOrId));
    // Another selection came while the backend looked this one up: it wins.
    if (ticket !== this.selections) return;
    await this.openSession(keyOrId, found, loaded === null);
  }

  /**
   * Opens session `found` (null: unknown, `keyOrId` is opened as it is and the backend says what
   * is wrong). `elsewhere`: it is not among the loaded sessions, so its project is selected and its
   * sessions loaded.
   */
  private async openSession(keyOrId: string, found: SessionSummary | null, elsewhere: boolean): Promise<void> {
    ++this.selections;
    this.view.leavePool();
    const key = found?.key ?? keyOrId;
    const id = found?.id ?? idOfKey(keyOrId);
    let sessions: Promise<void> | null = null;
    if (found && !elsewhere && this.sessionsOf !== null) this.selectedProject = this.sessionsOf;
    if (found && elsewhere) {
      this.selectedProject = found.projectKey;
      sessions = this.loadSessions(found.projectKey);
      // Found on disk in a project the last listing does not have yet (a new folder's first
      // session): list again, so the project list shows it (not from within a listing: it just
      // listed).
      const unlisted = this.index !== null && !this.index.projects.some((p) => p.key === found.projectKey);
      if (unlisted && !this.refreshing) void this.refresh(false);
    }
    const same = this.transcript !== null && this.selectedSessionKey === key;
    this.selectedSessionKey = key;
    this.selectedSessionId = id;
    const run = this.runOfSession(id);
    if (run) this.activeKey = run.key;
    if (same && this.transcript) {
      await Promise.all([this.transcript.update(), sessions]);
      return;
    }
    const window = new TranscriptWindow(this.api, key, (msg) => {
      if (this.transcript === window) this.reportText(msg);
    });
    this.transcript = window;
    await Promise.all([window.loadTail(), sessions]);
  }

  /** Closes the open transcript (the selection too). */
  private closeTranscript(): void {
    this.selectedSessionKey = null;
    this.selectedSessionId = null;
    this.transcript = null;
  }

  /** The newest run that writes to session `id` (not a fork of it), if the UI follows one. */
  runOfSession(id: string): LiveRun | null {
    for (let i = this.runs.length - 1; i >= 0; i -= 1) {
      const r = this.runs[i];
      if (!r.gone && runSessionId(r.state, r.request) === id) return r;
    }
    return null;
  }

  /** Shows a live session: under its transcript when it is listed, else alone in the main pane. */
  async openRun(key: string): Promise<void> {
    let run = this.runs.find((r) => r.key === key || r.runId === key) ?? null;
    if (!run) {
      const info = this.pool.sessions[key];
      if (!info) return;
      run = await LiveRun.attach(this.api, info, this.hooks());
      this.runs.push(run);
    }
    this.view.leavePool();
    this.activeKey = run.key;
    const sid = runSessionId(run.state, run.request);
    const loaded = sid ? this.loadedSession(sid) : null;
    const found = loaded ?? (sid ? await this.fetchSession(sid) : null);
    // The user went elsewhere while the backend looked it up.
    if (this.activeKey !== run.key || this.view.poolShown) return;
    if (found) {
      this.follow = null;
      await this.openSession(found.key, found, loaded === null);
      return;
    }
    this.follow = sid;
    this.closeTranscript();
  }

  openPool(): void {
    this.view.openPool();
    // The user went elsewhere: a run's session listed later must not take the view back.
    this.follow = null;
    void this.loadPool();
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

  /**
   * Continues the selected session with a prompt (its live run takes it when there is one);
   * `fork` continues it as a new session that starts with a copy of its history.
   */
  async resume(prompt: string, fork = false): Promise<void> {
    const s = this.currentSession;
    const text = prompt.trim();
    if (!s || s.resumability.state !== 'resumable' || !s.projectPath || !text) return;
    const live = fork ? null : this.runOfSession(s.id);
    if (live?.open) {
      this.activeKey = live.key;
      this.view.leavePool();
      await live.send(text);
      return;
    }
    const request: StartRequest = { cwd: s.projectPath, prompt: text, resume: s.id };
    if (fork) request.forkSession = true;
    await this.startRun(request);
  }

  private hooks() {
    return {
      onSessionId: (r: LiveRun, id: string) => {
        if (this.activeKey !== r.key || this.selectedSessionId === id) return;
        // Followed until found: a refresh meanwhile opens it as well.
        this.follow = id;
        void this.fetchSession(id).then((found) => {
          if (!found || this.follow !== id || this.activeKey !== r.key) return;
          this.follow = null;
          return this.openSession(found.key, found, this.loadedSession(found.key) === null);
        });
      },
      onResult: () => void this.refresh(),
      onExited: () => void this.refresh(),
    };
  }

  private async startRun(request: StartRequest): Promise<void> {
    if (!request.prompt || !request.cwd) return;
    if (!request.resume || request.forkSession) {
      this.follow = null;
      this.closeTranscript();
    }
    const run = new LiveRun(this.api, request, this.hooks());
    this.runs.push(run);
    this.activeKey = run.key;
    this.view.leavePool();
    await run.start();
    this.adopt(run);
  }

  /** A start may have reused a session already live: one run per run id, the newest. */
  private adopt(run: LiveRun): void {
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
      this.report(e);
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
      const idle = pickIdleSession(snapshot, run.runId ? [run.runId] : []);
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

  /** Interrupts the run in view if it is running a turn (Esc). */
  async interruptActive(): Promise<boolean> {
    const run = this.run;
    if (!run || this.view.poolShown || !run.busy) return false;
    await run.interrupt();
    return true;
  }

  /**
   * A name for a live session: the name the user gave it, else its title (when its summary is
   * loaded or fetched), else its first prompt, else its folder.
   */
  liveTitle(info: SessionInfo | null, run: LiveRun | null): string {
    const sid = info?.sessionId ?? run?.state.sessionId ?? null;
    const named = this.nameOf(sid);
    if (named) return named;
    const listed = sid ? this.findSession(sid) : null;
    if (listed?.title) return listed.title;
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

  dismissErrors(): void {
    this.errors = [];
  }

  dismissNotices(): void {
    this.notices = [];
  }

  /**
   * The session with CLI session id `id` among those the UI holds (the loaded project's, and those
   * fetched); the newest when the id is in several project dirs (a copied or moved transcript).
   * Sessions of other projects are the backend's to find (`fetchSession`).
   */
  findSession(id: string): SessionSummary | null {
    let best = this.loadedSession(id);
    for (const s of this.fetched.values()) {
      if (s.id === id && (best === null || (s.lastActivityMs ?? 0) > (best.lastActivityMs ?? 0))) best = s;
    }
    return best;
  }

  /** The session with `key` (`SessionSummary.key`) among those the UI holds. */
  findByKey(key: string): SessionSummary | null {
    return this.sessions.find((s) => s.key === key) ?? this.fetched.get(key) ?? null;
  }

  /** The session `keyOrId` names (its key, else the newest with that id) among the loaded project's. */
  private loadedSession(keyOrId: string): SessionSummary | null {
    let best: SessionSummary | null = null;
    for (const s of this.sessions) {
      if (s.key === keyOrId) return s;
      if (s.id === keyOrId && (best === null || (s.lastActivityMs ?? 0) > (best.lastActivityMs ?? 0))) best = s;
    }
    return best;
  }

  /**
   * The backend's answer for a session key or id (read from disk, any project), kept among the
   * fetched summaries; null when there is none, or when asking failed (said in the banner).
   */
  private async fetchSession(keyOrId: string): Promise<SessionSummary | null> {
    let found: SessionSummary | null;
    try {
      found = await this.api.findSession(keyOrId);
    } catch (e) {
      this.report(e);
      return null;
    }
    if (!found) return null;
    const next = new Map(this.fetched);
    next.delete(found.key);
    next.set(found.key, found);
    for (const old of next.keys()) {
      if (next.size <= AppModel.fetchedMax) break;
      next.delete(old);
    }
    this.fetched = next;
    return found;
  }

  /** A failure in the error banner (once). */
  report(e: unknown): void {
    this.reportText(describeError(e));
  }

  /** A message in the error banner (once). */
  reportText(msg: string): void {
    if (!this.errors.includes(msg)) this.errors.push(msg);
  }
}
