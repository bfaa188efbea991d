// The app's composition root: it owns the stores, each of one concern, and does what crosses them.
//   stores/browse.svelte.ts    projects, the selected project's sessions, the open transcript, the
//                              quick switcher's briefs
//   stores/live.svelte.ts      live runs, the pool, the run in view, the full-pool flow
//   stores/registry.svelte.ts  names, pins, run history (kept current by registry://changed)
//   stores/settings.svelte.ts  the settings in force and app_info
//   stores/messages.svelte.ts  the error and notice banners
//   stores/view.svelte.ts      what covers the main pane (one overlay: pool view or one sheet)
//   stores/prefs.svelte.ts     the UI's own preferences, kept across restarts (a `PrefsStore`)
// What crosses them is here: listing again (the sessions, the open transcript and the registry),
// opening a session (its project is selected, its live run becomes the one in view, the pool view
// closes), opening a run (its session opens), starting and resuming runs, the backend's open
// requests, and what the preferences keep: the user's selection and the pool view (restored by
// the first listing when still listed), the dismissed notices. The getters below keep one entry
// point for the screens and the tests. No DOM here.
import type { Api } from '../ipc';
import type { PrefsStore } from '../prefs';
import { mark } from './marks';
import { orderSessions } from './registry';
import type { LiveRun, RunHooks } from './run.svelte';
import { BrowseStore, idOfKey } from './stores/browse.svelte';
import { LiveStore, type LiveEntry } from './stores/live.svelte';
import { Messages } from './stores/messages.svelte';
import { PrefsModel, type Prefs } from './stores/prefs.svelte';
import { RegistryStore } from './stores/registry.svelte';
import { SettingsStore } from './stores/settings.svelte';
import { ViewState, type Overlay, type SheetKind } from './stores/view.svelte';
import { expiryNotice } from './expiry';
import { buildTranscriptView, userPrompts } from './transcript';
import type { TranscriptWindow } from './transcriptWindow.svelte';
import { runSessionId, splitTurns, turnsInTranscript } from './turns';
import type {
  AppInfo,
  IndexChanged,
  SearchIndexing,
  SearchResults,
  OpenRequest,
  PermissionMode,
  ProjectEntry,
  ProjectIndex,
  Registry,
  SessionDetail,
  SessionInfo,
  SessionSummary,
  Settings,
  ExportFormat,
  StartRequest,
} from './types';

export interface NewRunInput {
  cwd: string;
  prompt: string;
  model?: string | null;
  permissionMode?: PermissionMode | null;
  /** The config dir (its name) to start in; null or absent: the first. */
  profile?: string | null;
}

export class AppModel {
  /** Most sessions a search shows. */
  static searchLimit = 200;
  /** How far the search index's build is (`search://progress`); null until told. */
  searchProgress: SearchIndexing | null = $state.raw(null);
  /** The UI's own preferences (selection, pool view, dismissed notices), kept across restarts. */
  readonly prefs: PrefsModel;
  readonly messages = new Messages((text) => this.prefs.hidesNotice(text));
  readonly browse: BrowseStore;
  readonly liveStore: LiveStore;
  readonly registryStore: RegistryStore;
  readonly settingsStore: SettingsStore;
  /** What covers the main pane: nothing, the pool view or one sheet. */
  readonly view = new ViewState((shown) => this.prefs.remember({ poolShown: shown }));
  /** Bumped when the resume prompt of the open session should take the focus. */
  focusResume = $state(0);

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
  /** A run's session to select once the backend finds it. */
  private follow: string | null = null;
  /** Bumped by each selection: one waiting for the backend gives way to a later one. */
  private selections = 0;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  /** Whether the refresh under way (or the next) reloads the open transcript too. */
  private detailWanted = false;
  private unlisten: (() => void)[] = [];
  /** The saved preferences, for the first listing to restore the selection from (once). */
  private restoring: Promise<Partial<Prefs>> | null = null;
  private readonly api: Api;

  /**
   * `prefs`: where the UI's own preferences are kept (`tauriPrefs` in the app, a fake in tests);
   * none: nothing is restored or kept, every start is a first start.
   */
  constructor(api: Api, prefs: PrefsStore | null = null) {
    this.api = api;
    this.prefs = new PrefsModel(prefs);
    this.browse = new BrowseStore(api, this.messages);
    this.registryStore = new RegistryStore(api, (e) => this.messages.report(e));
    this.settingsStore = new SettingsStore(api, this.messages);
    this.liveStore = new LiveStore(api, this.messages, {
      hooks: () => this.hooks(),
      titleOf: (sid) => this.registryStore.nameOf(sid) ?? (sid ? this.browse.findSession(sid)?.title || null : null),
    });
  }

  // The stores' state, for the screens and the tests.
  get info(): AppInfo | null {
    return this.settingsStore.info;
  }
  get settings(): Settings | null {
    return this.settingsStore.settings;
  }
  set settings(value: Settings | null) {
    this.settingsStore.settings = value;
  }
  get errors(): string[] {
    return this.messages.errors;
  }
  set errors(value: string[]) {
    this.messages.errors = value;
  }
  get notices(): string[] {
    return this.messages.notices;
  }
  get registry(): Registry | null {
    return this.registryStore.registry;
  }
  get index(): ProjectIndex | null {
    return this.browse.index;
  }
  get loadingIndex(): boolean {
    return this.browse.loadingIndex;
  }
  get selectedProject(): string | null {
    return this.browse.selectedProject;
  }
  get selectedSessionKey(): string | null {
    return this.browse.selectedSessionKey;
  }
  get selectedSessionId(): string | null {
    return this.browse.selectedSessionId;
  }
  get transcript(): TranscriptWindow | null {
    return this.browse.transcript;
  }
  get detail(): SessionDetail | null {
    return this.browse.detail;
  }
  get loadingDetail(): boolean {
    return this.browse.loadingDetail;
  }
  /**
   * The names of the config dirs listed, the first one's first, when there are several (empty
   * for one): sessions then show theirs, and the lists can be narrowed to one.
   */
  get profiles(): string[] {
    return this.browse.index?.profiles ?? [];
  }
  /** The config dir the lists are narrowed to (its name); null: all. */
  profileFilter: string | null = $state(null);
  /** The config dir a session is under (its name); null when only one is listed. */
  profileOf(s: Pick<SessionSummary, 'profile'>): string | null {
    const names = this.profiles;
    if (names.length < 2) return null;
    return s.profile ?? names[0] ?? null;
  }
  /** The projects listed, those with sessions of the filtered config dir only when narrowed. */
  get projects(): ProjectEntry[] {
    const only = this.profileFilter;
    const all = this.browse.projects;
    if (only === null || !this.profiles.includes(only)) return all;
    return all.filter((p) => p.profiles.includes(only));
  }
  get currentProject(): ProjectEntry | null {
    return this.browse.currentProject;
  }
  get projectSessions(): SessionSummary[] {
    const only = this.profileFilter;
    const all = this.browse.projectSessions;
    if (only === null || !this.profiles.includes(only)) return all;
    return all.filter((s) => this.profileOf(s) === only);
  }
  get currentSession(): SessionSummary | null {
    return this.browse.currentSession;
  }
  /** The selected project's sessions as listed: pinned first, then newest first. */
  get currentSessions(): SessionSummary[] {
    return orderSessions(this.projectSessions, this.registryStore.registry);
  }
  get runs(): LiveRun[] {
    return this.liveStore.runs;
  }
  get activeKey(): string | null {
    return this.liveStore.activeKey;
  }
  get pool() {
    return this.liveStore.pool;
  }
  get makingRoom(): boolean {
    return this.liveStore.makingRoom;
  }
  /** The run shown in the main pane. */
  get run(): LiveRun | null {
    return this.liveStore.run;
  }
  get live(): LiveEntry[] {
    return this.liveStore.live;
  }
  get liveBySession(): Record<string, SessionInfo> {
    return this.liveStore.liveBySession;
  }
  get waitingCount(): number {
    return this.liveStore.waitingCount;
  }
  get activeBusy(): boolean {
    return this.liveStore.activeBusy;
  }
  /** What covers the main pane: nothing, the pool view, or one sheet. */
  get overlay(): Overlay {
    return this.view.overlay;
  }
  /** The main pane shows the pool view (alone, or under a sheet). */
  get poolShown(): boolean {
    return this.view.poolShown;
  }

  /**
   * Loads everything and listens to the backend. With a preferences store, the saved preferences
   * are read first (never failing): the pool view is shown again if it was, and the first listing
   * that succeeds selects the project and opens the session last chosen, if still listed (else as
   * without them).
   * Then the requests that came before the UI listened are taken (they win over what was restored).
   */
  async init(): Promise<void> {
    if (this.prefs.keeps) {
      const selections = this.selections;
      this.restoring = this.prefs.load().then((saved) => {
        // Nothing chosen meanwhile (a request from the backend, say): the pool view as it was.
        if (saved.poolShown && this.view.overlay.kind === 'none' && this.selections === selections) this.view.openPool();
        return saved;
      });
    }
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
    for (const stop of this.unlisten) stop();
    this.unlisten = [];
    // A change still waiting for its save is saved now.
    void this.prefs.flush();
  }

  private async listenPool(): Promise<void> {
    try {
      this.unlisten.push(await this.liveStore.listen());
    } catch (e) {
      this.report(e);
    }
  }

  private async listenDesktop(): Promise<void> {
    try {
      this.unlisten.push(await this.api.onAppOpen((r) => void this.handleOpen(r)));
      // The backend sends the registry after every save of it (a rename, a pin, a run's new state).
      this.unlisten.push(await this.registryStore.listen());
      this.unlisten.push(
        await this.api.onIndexChanged((change) => this.indexChanged(change)),
      );
      this.unlisten.push(await this.api.onSearchProgress((p) => (this.searchProgress = p)));
    } catch (e) {
      this.report(e);
    }
  }

  /**
   * `index://changed`: the backend's index took in a change (the watcher's only debounce is the
   * backend's). The delta is applied as it comes (the project list, the shown project's sessions);
   * the open transcript is read again only when its session changed. A full listing is made
   * instead while one is under way (its answer may predate the change) or a run's session is
   * awaited.
   */
  indexChanged(change: IndexChanged): void {
    const browse = this.browse;
    const open = browse.selectedSessionId;
    const reload = open !== null && change.sessionIds.includes(open);
    if (this.refreshing !== null || this.follow !== null || !browse.applyDelta(change)) {
      void this.refresh(reload);
      return;
    }
    if (reload && browse.transcript) void browse.transcript.update();
    const key = browse.selectedSessionKey;
    if (reload && key !== null) void this.checkElsewhere(key);
  }

  loadSettings(): Promise<void> {
    return this.settingsStore.loadSettings();
  }

  async loadInfo(): Promise<void> {
    const info = await this.settingsStore.loadInfo();
    if (info && this.pool.maxSessions === null && typeof info.maxSessions === 'number') this.pool.maxSessions = info.maxSessions;
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
        if (!this.liveStore.knows(request.runId)) await this.loadPool();
        if (!this.liveStore.knows(request.runId)) {
          this.errors = [...this.errors, 'That session is no longer live; open it from the session list to resume it.'];
          return;
        }
        this.view.closeSheet();
        await this.openRun(request.runId);
        return;
      }
      case 'resume': {
        // Read from disk by the backend: the session may be in any project, listed or not yet.
        const found = await this.browse.fetchSession(request.sessionId);
        if (!found) {
          this.errors = [...this.errors, `No session ${request.sessionId} under ${this.index?.configDir ?? 'the config dir'}.`];
          return;
        }
        this.view.closeSheet();
        this.follow = null;
        await this.openSession(found.key, found, this.browse.loadedSession(found.key) === null);
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
  /** Opens what each turn of the open session changed in files. */
  openChanges(): void {
    if (this.currentSession) this.view.open('changes');
  }

  /** Copies a patch (`what` names it in the notice). */
  async copyPatch(text: string, what: string): Promise<void> {
    try {
      await this.api.copyText(text);
      this.messages.notice(`Copied ${what} (${text.split('\n').length - 1} lines)`);
    } catch (e) {
      this.messages.report(e);
    }
  }

  /** Opens the usage view (what the history cost). */
  openUsage(): void {
    this.view.open('usage');
  }

  openSettings(): void {
    this.view.open('settings');
  }

  /** Opens the quick switcher (any other sheet closes). */
  /** Opens the search sheet (Ctrl/Cmd+Shift+F). */
  openSearch(): void {
    this.view.open('search');
  }

  openSwitcher(): void {
    this.view.open('switcher');
  }

  /** Closes the open sheet (with `kind`, only a sheet of that kind); the pool view stays if under it. */
  closeSheet(kind?: SheetKind): void {
    this.view.closeSheet(kind);
  }

  /** Reloads the registry (names, pins, run history). */
  loadRegistry(): Promise<void> {
    return this.registryStore.load();
  }

  /**
   * Names session `id` (a blank name removes the name, and the title shows again). False, with the
   * error in the banner, when the backend refused.
   */
  renameSession(id: string, name: string): Promise<boolean> {
    return this.registryStore.rename(id, name);
  }

  /** Pins (or unpins) session `id` at the top of its project. */
  pinSession(id: string, pinned: boolean): Promise<boolean> {
    return this.registryStore.pin(id, pinned);
  }

  /** The name the user gave session `id`, if any. */
  nameOf(id: string | null | undefined): string | null {
    return this.registryStore.nameOf(id);
  }

  /**
   * Reloads the pool (totals, sessions that left it). With `attach`, sessions this window does not
   * follow (it was reloaded) are attached to, so their events reach it again.
   */
  loadPool(attach = false): Promise<void> {
    return this.liveStore.loadPool(attach);
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
    const browse = this.browse;
    browse.loadingIndex = true;
    // The registry is reloaded with the list (registry://changed keeps it current meanwhile).
    const registry = this.registryStore.load();
    try {
      const index = await browse.listProjects();
      const expiring = expiryNotice(index);
      if (expiring !== null) this.messages.notice(expiring);
      // The first listing that succeeds after start: the saved preferences (read meanwhile), to
      // restore from.
      const restoring = this.restoring;
      this.restoring = null;
      const saved = restoring ? await restoring : null;
      const selections = this.selections;
      // A run's session: opened (with its project) once the backend finds it, unless the user went
      // elsewhere meanwhile.
      const follow = this.follow;
      const followed = follow ? await browse.fetchSession(follow) : null;
      if (followed && this.follow === follow) {
        this.follow = null;
        this.detailWanted = false;
        await this.openSession(followed.key, followed, true);
        return;
      }
      // The project last chosen, when nothing is selected yet and it is still listed.
      const restoreProject = saved?.project ?? null;
      if (restoreProject !== null && browse.selectedProject === null && index.projects.some((p) => p.key === restoreProject)) {
        browse.selectedProject = restoreProject;
      }
      browse.keepProjectSelected(index);
      const reload = this.detailWanted;
      this.detailWanted = false;
      await Promise.all([browse.loadSessions(browse.selectedProject), browse.transcript && reload ? browse.transcript.update() : null]);
      if (saved) await this.restoreSession(saved, selections);
    } catch (e) {
      this.report(e);
    } finally {
      await registry;
      browse.loadingIndex = false;
    }
  }

  /**
   * Opens the session last open (`saved.session`) at start, when it is listed among the restored
   * project's sessions and nothing was chosen since the listing began (`selections`); the pool
   * view, if shown, stays.
   */
  private async restoreSession(saved: Partial<Prefs>, selections: number): Promise<void> {
    const browse = this.browse;
    const key = saved.session ?? null;
    if (key === null || saved.project !== browse.selectedProject || browse.sessionsOf !== browse.selectedProject) return;
    if (this.selections !== selections || browse.selectedSessionKey !== null || this.follow !== null) return;
    const found = browse.sessions.find((s) => s.key === key);
    if (found) await this.openSession(found.key, found, false, false);
  }

  /**
   * Keeps the selection for the next start: the selected project and the open session (`session`,
   * a `SessionSummary.key`; null: none, or one the backend does not know).
   */
  private rememberSelection(session: string | null): void {
    this.prefs.remember({ project: this.browse.selectedProject, session });
  }

  /** The open session's key, when it is a session the UI knows (not a bare id the backend did not find). */
  private openSessionKey(): string | null {
    const key = this.browse.selectedSessionKey;
    return key !== null && this.browse.findByKey(key) !== null ? key : null;
  }

  /** Selects a project and loads its sessions (the open transcript stays open). */
  selectProject(key: string): Promise<void> {
    const loading = this.browse.selectProject(key);
    this.rememberSelection(this.openSessionKey());
    return loading;
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
    const loaded = this.browse.loadedSession(keyOrId);
    const found = loaded ?? (await this.browse.fetchSession(keyOrId));
    // Another selection came while the backend looked this one up: it wins.
    if (ticket !== this.selections) return;
    await this.openSession(keyOrId, found, loaded === null);
  }

  /**
   * Opens a search hit: its session (`summary`, as the search found it), at line `line` of its
   * transcript (a subagent's hit opens its session at its latest lines), with the search's
   * `terms` marked in it.
   */
  async openSearchHit(summary: SessionSummary, line: number | null, terms: string[] = []): Promise<void> {
    mark('ccdesk:select-session');
    this.follow = null;
    this.view.closeSheet('search');
    this.view.closeSheet('switcher');
    const loaded = this.browse.loadedSession(summary.key);
    await this.openSession(summary.key, loaded ?? summary, loaded === null, true, line, terms);
  }

  /** Full-text search (`search_sessions`); rejects as the backend does. */
  search(query: string): Promise<SearchResults> {
    return this.api.searchSessions(query, AppModel.searchLimit);
  }

  /**
   * Opens session `found` (null: unknown, `keyOrId` is opened as it is and the backend says what
   * is wrong). `elsewhere`: it is not among the loaded sessions, so its project is selected and its
   * sessions loaded.
   */
  private async openSession(
    keyOrId: string,
    found: SessionSummary | null,
    elsewhere: boolean,
    leavePool = true,
    atLine: number | null = null,
    terms: string[] = [],
  ): Promise<void> {
    ++this.selections;
    if (leavePool) this.view.leavePool();
    const browse = this.browse;
    const key = found?.key ?? keyOrId;
    const id = found?.id ?? idOfKey(keyOrId);
    let sessions: Promise<void> | null = null;
    if (found && !elsewhere && browse.sessionsOf !== null) browse.selectedProject = browse.sessionsOf;
    if (found && elsewhere) {
      sessions = browse.selectProject(found.projectKey);
      // Found on disk in a project the last listing does not have yet (a new folder's first
      // session): list again, so the project list shows it (not from within a listing: it just
      // listed).
      const unlisted = browse.index !== null && !browse.index.projects.some((p) => p.key === found.projectKey);
      if (unlisted && !this.refreshing) void this.refresh(false);
    }
    const transcript = browse.openTranscript(key, id, atLine, terms);
    this.rememberSelection(found?.key ?? null);
    const run = this.liveStore.runOfSession(id);
    if (run) this.liveStore.activeKey = run.key;
    void this.checkElsewhere(key);
    await Promise.all([transcript, sessions]);
  }

  /**
   * Who else (a `claude` outside ccdesk) is writing the open session right now, as last asked;
   * null when nobody is (or it is not known yet). The resume box then says so and waits.
   */
  elsewhere: { key: string; pid: number; lastWriteMs: number } | null = $state(null);

  /** Asks whether session `key` (the open one) is live elsewhere. */
  private async checkElsewhere(key: string): Promise<void> {
    try {
      const e = await this.api.sessionActivity(key);
      if (this.browse.selectedSessionKey !== key) return;
      this.elsewhere = e ? { key, pid: e.pid, lastWriteMs: e.lastWriteMs } : null;
    } catch {
      // Unknown: the resume itself is refused by the backend if it must be.
      this.elsewhere = null;
    }
  }

  /** Why the open session cannot be resumed now (it is live elsewhere), else null. */
  get resumeBlocker(): string | null {
    const e = this.elsewhere;
    const s = this.currentSession;
    if (!e || !s || e.key !== s.key) return null;
    return `Live elsewhere: a claude process (pid ${e.pid}) in its folder is writing it; its new lines show here as they land.`;
  }

  /** The newest run that writes to session `id` (not a fork of it), if the UI follows one. */
  runOfSession(id: string): LiveRun | null {
    return this.liveStore.runOfSession(id);
  }

  /** Shows a live session: under its transcript when it is listed, else alone in the main pane. */
  async openRun(key: string): Promise<void> {
    const run = await this.liveStore.follow(key);
    if (!run) return;
    this.view.leavePool();
    this.liveStore.activeKey = run.key;
    const sid = runSessionId(run.state, run.request);
    const loaded = sid ? this.browse.loadedSession(sid) : null;
    const found = loaded ?? (sid ? await this.browse.fetchSession(sid) : null);
    // The user went elsewhere while the backend looked it up.
    if (this.liveStore.activeKey !== run.key || this.view.poolShown) return;
    if (found) {
      this.follow = null;
      await this.openSession(found.key, found, loaded === null);
      return;
    }
    this.follow = sid;
    this.browse.closeTranscript();
    this.rememberSelection(null);
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
      ...(input.profile ? { profile: input.profile } : {}),
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
    const live = fork ? null : this.liveStore.runOfSession(s.id);
    if (live?.open) {
      this.liveStore.activeKey = live.key;
      this.view.leavePool();
      await live.send(text);
      return;
    }
    // Resumed in the config dir that holds it (its own CLAUDE_CONFIG_DIR).
    const request: StartRequest = { cwd: s.projectPath, prompt: text, resume: s.id };
    if (s.profile) request.profile = s.profile;
    if (fork) request.forkSession = true;
    await this.startRun(request);
  }

  /**
   * Writes the open archived session back where the CLI looks for it (the vault's copy, byte for
   * byte), lists again and opens it from there: it resumes again.
   */
  async restore(): Promise<void> {
    const s = this.currentSession;
    if (!s || !s.archived) return;
    try {
      await this.api.restoreSession(s.key);
      await this.refresh();
      const found = await this.browse.fetchSession(s.id);
      if (found) await this.openSession(found.key, found, true);
    } catch (e) {
      this.messages.report(e);
    }
  }

  /**
   * Exports the open session as Markdown or HTML to a file picked in the save dialog (offered
   * `<title>.md|html`); says where it went in a notice. Nothing happens when the dialog is cancelled.
   */
  async exportSession(format: ExportFormat): Promise<void> {
    const s = this.currentSession;
    if (!s) return;
    const base = (s.title || s.id).replace(/[^\p{L}\p{N} ._-]+/gu, ' ').trim().slice(0, 80) || s.id;
    try {
      const done = await this.api.exportSession(s.key, format, `${base}.${format === 'html' ? 'html' : 'md'}`);
      if (done) this.messages.notice(`Exported “${s.title || s.id}” to ${done.path}`);
    } catch (e) {
      this.messages.report(e);
    }
  }

  /**
   * Continues the open session in the user's terminal (`claude --resume` in its folder); says
   * which terminal in a notice. Refused, with the backend's reason, while ccdesk has it live.
   */
  async openInTerminal(): Promise<void> {
    const s = this.currentSession;
    if (!s) return;
    try {
      const terminal = await this.api.openInTerminal(s.key);
      this.messages.notice(`Opened in ${terminal}: claude --resume ${s.id}`);
    } catch (e) {
      this.messages.report(e);
    }
  }

  /** Copies the shell command line that resumes the open session; says so in a notice. */
  async copyResumeCommand(): Promise<void> {
    const s = this.currentSession;
    if (!s) return;
    try {
      const line = await this.api.terminalCommand(s.key);
      await this.api.copyText(line);
      this.messages.notice(`Copied: ${line}`);
    } catch (e) {
      this.messages.report(e);
    }
  }

  /**
   * The answer to the first start's question: keep a copy of every transcript in the vault or
   * not (saved with the settings; the setting can be changed later).
   */
  async answerVault(keep: boolean): Promise<void> {
    const current = this.settingsStore.settings;
    if (!current) return;
    try {
      const plain = $state.snapshot(current) as Settings;
      const view = await this.api.saveSettings({ ...plain, vault: { ...plain.vault, enabled: keep } });
      this.settingsStore.settings = view.settings;
    } catch (e) {
      this.messages.report(e);
    }
  }

  /** What every run tells the app: its session id (to open it), a turn's end and an exit (to list again). */
  private hooks(): RunHooks {
    return {
      onSessionId: (r: LiveRun, id: string) => {
        if (this.liveStore.activeKey !== r.key || this.browse.selectedSessionId === id) return;
        // Followed until found: a refresh meanwhile opens it as well.
        this.follow = id;
        void this.browse.fetchSession(id).then((found) => {
          if (!found || this.follow !== id || this.liveStore.activeKey !== r.key) return;
          this.follow = null;
          return this.openSession(found.key, found, this.browse.loadedSession(found.key) === null);
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
      this.browse.closeTranscript();
      this.rememberSelection(null);
    }
    const run = this.liveStore.add(request);
    this.view.leavePool();
    await run.start();
    this.liveStore.adopt(run);
  }

  /** Closes a live session (its process ends, its transcript stays) and drops its view. */
  closeRun(run: LiveRun): Promise<void> {
    return this.liveStore.closeRun(run);
  }

  /** Closes a session listed by the pool (the pool view's Close), whether or not the UI follows it. */
  closeSession(runId: string): Promise<void> {
    return this.liveStore.closeSession(runId);
  }

  /** The pool was full for `run`: closes the session idle the longest and tries again. */
  closeIdleAndRetry(run: LiveRun): Promise<void> {
    return this.liveStore.closeIdleAndRetry(run);
  }

  /** Retries what failed for `run` (a start, or the last prompt). */
  retry(run: LiveRun): Promise<void> {
    return this.liveStore.retry(run);
  }

  /** Interrupts the run in view if it is running a turn (Esc); not while the pool view is shown. */
  async interruptActive(): Promise<boolean> {
    const run = this.run;
    if (!run || this.view.poolShown || !run.busy) return false;
    await run.interrupt();
    return true;
  }

  /** A name for a live session (see `LiveStore.liveTitle`). */
  liveTitle(info: SessionInfo | null, run: LiveRun | null): string {
    return this.liveStore.liveTitle(info, run);
  }

  dismissErrors(): void {
    this.messages.dismissErrors();
  }

  /** Clears the notice banner; those notices are not shown again (this start or a later one). */
  dismissNotices(): void {
    this.prefs.dismissNotices(this.messages.dismissNotices());
  }

  /** The session with CLI session id `id` among those the UI holds (see `BrowseStore.findSession`). */
  findSession(id: string): SessionSummary | null {
    return this.browse.findSession(id);
  }

  /** The session with `key` (`SessionSummary.key`) among those the UI holds. */
  findByKey(key: string): SessionSummary | null {
    return this.browse.findByKey(key);
  }

  /** A failure in the error banner (once). */
  report(e: unknown): void {
    this.messages.report(e);
  }

  /** A message in the error banner (once). */
  reportText(msg: string): void {
    this.messages.reportText(msg);
  }
}
