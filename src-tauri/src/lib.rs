//! ccdesk's Tauri shell: wiring only. All domain logic is in `ccdesk-core`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod commands;
pub mod desktop;
pub mod error;
pub mod ipc;
pub mod rendering;
pub mod store;
pub mod tray;
pub mod vault;

use ccdesk_core::sync::{LockExt, RwLockExt};
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use ccdesk_core::claude::runner::{ClaudeCommand, ClaudeFinder};
use ccdesk_core::desktop::alerts::{Alert, AlertSink, AlertTracker};
use ccdesk_core::desktop::tray::TrayMenu;
use ccdesk_core::pool::{sweep_forever, SessionInfo, SessionPool};
use ccdesk_core::store::registry::Registry;
use ccdesk_core::store::settings::Settings;
use ccdesk_core::transcripts::index::{ProfileIndexes, SessionIndex};
use ccdesk_core::transcripts::watcher::TranscriptWatcher;
use ccdesk_core::CoreError;
use tauri::{AppHandle, Manager};

use crate::desktop::{NotificationSink, OpenRequest, MAIN_WINDOW};
use crate::error::AppError;

/// How long the transcript watcher waits for changes to settle before the index takes them in,
/// in ms (at most twice this after a batch's first change): the list follows a transcript
/// within about this.
pub const WATCH_DEBOUNCE_MS: u64 = 30;

/// State shared by the commands.
pub struct AppState {
    /// The live sessions.
    pub pool: Arc<SessionPool>,
    /// How the pool finds `claude`.
    pub claude: ClaudeFinder,
    /// ccdesk's own memory of sessions, restored at start.
    pub registry: Mutex<Registry>,
    /// Things the user should be told once (e.g. a registry that could not be read).
    pub notices: Mutex<Vec<String>>,
    /// Held while the registry is written, so the last write is of the newest registry.
    registry_save: Mutex<()>,
    /// The settings in force (shared with [`ClaudeFinder`]).
    settings: Arc<RwLock<Settings>>,
    /// Held while the settings are written and applied.
    settings_save: Mutex<()>,
    /// What the settings view should say once about the settings file.
    settings_notices: Mutex<Vec<String>>,
    /// The one session index of every config dir listed (the window's lists, the tray's recent
    /// sessions), remembered in its caches between runs and kept current by the transcript
    /// watchers.
    pub live: Arc<ProfileIndexes>,
    /// Held while the listing made as the app starts runs (the webview loads meanwhile): the
    /// window's first `list_projects` waits for it rather than listing a second time.
    pub first_listing: Arc<tokio::sync::Mutex<()>>,
    /// Whether the window's first `list_projects` (which takes the startup listing) came.
    pub first_listed: AtomicBool,
    /// Where the watcher's batches go for the search index (the `search-index` thread), once
    /// it runs.
    search_tx: Mutex<Option<std::sync::mpsc::Sender<Vec<PathBuf>>>>,
    /// Where the lines of the transcripts opened last start (pages of the transcript view).
    pub lines: ccdesk_core::transcripts::transcript::LineCache,
    /// The tray menu last built, to rebuild only on change.
    pub tray_model: Mutex<Option<TrayMenu>>,
    /// Open requests queued until the UI asks for them; `None` once it has (then they are events).
    pub pending_opens: Mutex<Option<Vec<OpenRequest>>>,
    /// Which sessions were last seen in which state, for notifications.
    alerts: Mutex<AlertTracker>,
    /// The last notification shown and when (ms since the epoch).
    pub last_alert: Mutex<Option<(Alert, u64)>>,
    /// Whether the main window has the keyboard focus.
    pub focused: AtomicBool,
    /// Follow the transcripts of each config dir while the app runs.
    watchers: Mutex<Vec<TranscriptWatcher>>,
    /// The transcript vault and its keeper.
    pub vault: vault::VaultState,
}

impl AppState {
    /// The current listing of the transcripts, if one was made.
    pub fn index_snapshot(&self) -> Option<Arc<SessionIndex>> {
        self.live.snapshot()
    }

    /// A copy of the settings in force.
    pub fn settings_snapshot(&self) -> Settings {
        self.settings.read_locked().clone()
    }

    /// The notices about the settings file, once.
    pub fn take_settings_notices(&self) -> Vec<String> {
        std::mem::take(&mut *self.settings_notices.locked())
    }

    /// Validates, saves and applies `settings`: the pool's limits and the `claude` path at once
    /// (running processes keep theirs), the tray at once, the config dir at the next start.
    ///
    /// Errors: `invalid_input` naming the field; `store` when the file cannot be written.
    pub fn apply_settings(&self, app: &AppHandle, settings: Settings) -> Result<(), AppError> {
        settings.validate()?;
        {
            let _one_writer = self.settings_save.locked();
            store::save(store::SETTINGS, settings.to_value())?;
            self.pool.set_config(settings.pool.clone())?;
            *self.settings.write_locked() = settings;
        }
        self.claude.forget();
        tray::refresh(app);
        if self
            .vault
            .apply(&self.live, &self.settings_snapshot().vault)
        {
            self.sync_vault_all();
        }
        Ok(())
    }

    /// Queues every listed session for the vault (copies only what changed since).
    fn sync_vault_all(&self) {
        let max = self.settings_snapshot().vault.max_bytes();
        for (_, profile, live) in self.live.each() {
            if let Some(index) = live.snapshot() {
                self.vault.sync(
                    &profile.config_dir,
                    index.sessions().cloned().collect(),
                    max,
                );
            }
        }
    }

    /// A copy of the registry.
    pub fn registry_snapshot(&self) -> Registry {
        self.registry.locked().clone()
    }

    /// Changes the registry with `f` and saves it.
    ///
    /// Errors: `store` when the store cannot be written.
    pub fn update_registry(
        &self,
        app: &AppHandle,
        f: impl FnOnce(&mut Registry),
    ) -> Result<Registry, AppError> {
        {
            f(&mut self.registry.locked());
        }
        self.save_registry(app)
    }

    /// Writes the registry as it is now to its store; returns what was written.
    fn save_registry(&self, app: &AppHandle) -> Result<Registry, AppError> {
        let _one_writer = self.registry_save.locked();
        let snapshot = self.registry_snapshot();
        store::save(store::REGISTRY, snapshot.to_value())?;
        ipc::emit(app, &ipc::RegistryChanged(snapshot.clone()));
        Ok(snapshot)
    }
}

pub use ccdesk_core::pool::new_pool;

/// Reads the settings and the registry, creates the pool with them and puts everything in
/// [`AppState`]. `default_config_dir` is used unless the settings name another one; the CLI
/// children are then pointed at it with `CLAUDE_CONFIG_DIR`. The settings' further config dirs
/// are listed beside it ([`Settings::profiles`]).
fn init_state(app: &AppHandle, default_config_dir: PathBuf) -> Result<(), CoreError> {
    let (settings, settings_notice) =
        store::load(store::SETTINGS, "settings", Settings::from_stored);
    let (registry, registry_notice) =
        store::load(store::REGISTRY, "session registry", Registry::from_stored);
    let mut env = Vec::new();
    let config_dir = match &settings.config_dir {
        Some(dir) => {
            env.push((
                OsString::from("CLAUDE_CONFIG_DIR"),
                dir.clone().into_os_string(),
            ));
            dir.clone()
        }
        None => default_config_dir,
    };
    let settings = Arc::new(RwLock::new(settings));
    let configured = Arc::clone(&settings);
    let claude = ClaudeFinder::new(move || {
        ClaudeCommand::locate_configured(configured.read_locked().claude_path.clone())
    });
    let finder = claude.clone();
    let pool_config = settings.read_locked().pool.clone();
    let profiles = settings.read_locked().profiles(config_dir.clone());
    let live = Arc::new(ProfileIndexes::with_default_cache(profiles.clone()));
    // The window lives long: facts the cache holds need not stay in memory too.
    live.set_lean(true);
    let locks = ccdesk_core::store::session_locks_dir(&config_dir);
    let pool = new_pool(
        config_dir,
        pool_config,
        Arc::new(move || finder.locate()),
        env,
        locks,
    )?
    .with_profiles(profiles);
    let mut notices = Vec::new();
    if let Some(n) = registry_notice {
        tracing::warn!(notice = %n, "registry");
        notices.push(n);
    }
    if let Some(n) = store::set_aside_unusable_ui_prefs() {
        tracing::warn!(notice = %n, "window preferences");
        notices.push(n);
    }
    // Told by the settings view's first read (the UI shows it in the notices banner).
    let settings_notices: Vec<String> = settings_notice.into_iter().collect();
    app.manage(AppState {
        pool: Arc::new(pool),
        claude,
        registry: Mutex::new(registry),
        notices: Mutex::new(notices),
        registry_save: Mutex::default(),
        settings,
        settings_save: Mutex::default(),
        settings_notices: Mutex::new(settings_notices),
        live,
        first_listing: Arc::default(),
        first_listed: AtomicBool::new(false),
        search_tx: Mutex::default(),
        lines: ccdesk_core::transcripts::transcript::LineCache::new(),
        tray_model: Mutex::default(),
        pending_opens: Mutex::new(Some(Vec::new())),
        alerts: Mutex::default(),
        last_alert: Mutex::default(),
        focused: AtomicBool::new(true),
        watchers: Mutex::default(),
        vault: vault::VaultState::default(),
    });
    Ok(())
}

/// Records a session change in the registry, tells the UI, shows a notification when one is
/// due, and keeps the tray current. Called by the pool on every state and metrics change.
fn on_session_change(app: &AppHandle, info: &SessionInfo) {
    let state = app.state::<AppState>();
    let changed = state.registry.locked().record(info);
    if changed {
        // Written (fsync'ed) on the blocking pool, not in the session's event delivery. Saves
        // may finish out of order: each writes the registry as it is when it runs, so the last
        // one written is the newest; Quit writes it once more.
        let handle = app.clone();
        tauri::async_runtime::spawn_blocking(move || {
            if let Err(e) = handle.state::<AppState>().save_registry(&handle) {
                tracing::warn!(error = %e, "cannot save the registry");
            }
        });
    }
    // After the registry (in memory): a UI reading it in answer to the event sees the change.
    ipc::emit(app, &ipc::PoolChanged(info.clone()));
    let enabled = state.settings_snapshot().notifications;
    let focused = state.focused.load(Ordering::Relaxed);
    let alert = state.alerts.locked().observe(info, focused, enabled);
    if let Some(alert) = alert {
        NotificationSink(app.clone()).show(&alert);
    }
    let handle = app.clone();
    tauri::async_runtime::spawn(async move { tray::refresh(&handle) });
}

/// Off the main thread, while the webview loads: starts following the transcripts, then brings
/// the index up to date (from its cache: only changed transcripts are read) for the window's
/// first `list_projects` and the tray. The first-listing lock is taken here, before the window
/// can ask, so the window waits for this listing instead of making a second one at the same
/// time.
fn start_listing(app: &AppHandle) {
    let state = app.state::<AppState>();
    let Ok(guard) = Arc::clone(&state.first_listing).try_lock_owned() else {
        return;
    };
    let handle = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        watch_transcripts(&handle);
        let state = handle.state::<AppState>();
        // Archived sessions are listed from the first listing on.
        let started = state
            .vault
            .apply(&state.live, &state.settings_snapshot().vault);
        // The search index's update follows at once: it takes this listing's walk.
        if let Err(e) = state.live.refresh_all_for_search() {
            tracing::warn!(error = %e, "cannot list the transcripts");
        }
        drop(guard);
        if started {
            state.sync_vault_all();
        }
        tray::refresh(&handle);
        // The first listing's reads and its regrouping are done with.
        ccdesk_core::mem::release_free_memory();
        start_search_index(&handle);
    });
}

/// Starts the `search-index` thread, at the lowest thread priority: it builds the search index
/// (only what changed since the last run: the index is kept in the cache), telling the window how
/// far it is
/// (`search://progress`, at most twice a second), then takes in the watcher's batches.
fn start_search_index(app: &AppHandle) {
    let state = app.state::<AppState>();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
    *state.search_tx.locked() = Some(tx);
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("search-index".into())
        .spawn(move || {
            // Background work: the build (and its reader thread, which inherits this on Linux)
            // yields the CPU to everything else.
            ccdesk_core::sync::lower_current_thread_priority();
            let state = handle.state::<AppState>();
            let mut last = std::time::Instant::now();
            let built = state.live.update_search(|progress| {
                if last.elapsed() >= std::time::Duration::from_millis(500) {
                    last = std::time::Instant::now();
                    ipc::emit(
                        &handle,
                        &ipc::SearchIndexing {
                            progress,
                            complete: false,
                        },
                    );
                }
            });
            match built {
                Ok(progress) => ipc::emit(
                    &handle,
                    &ipc::SearchIndexing {
                        progress,
                        complete: true,
                    },
                ),
                Err(e) => tracing::warn!(error = %e, "cannot build the search index"),
            }
            // The build's batches (MBs of text) are done with, and so is the window's first
            // listing, sent by now.
            ccdesk_core::mem::release_free_memory();
            while let Ok(mut paths) = rx.recv() {
                while let Ok(more) = rx.try_recv() {
                    paths.extend(more);
                }
                if let Err(e) = state.live.update_search_files(&paths) {
                    tracing::warn!(error = %e, "cannot update the search index");
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the search index thread");
    }
}

/// Starts following `<config dir>/projects` of every config dir listed. Each settled batch of
/// changed paths goes to one thread ("index-apply"), which takes it into the index in place
/// ([`ProfileIndexes::apply_changes`]: only those transcripts are read), tells the UI the changed
/// sessions ([`ipc::IndexChanged`]) and then rebuilds the tray, batch after batch in order.
fn watch_transcripts(app: &AppHandle) {
    let state = app.state::<AppState>();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
    let mut watchers = Vec::new();
    for (_, profile, _) in state.live.each() {
        let tx = tx.clone();
        let started = TranscriptWatcher::start(
            &profile.config_dir,
            WATCH_DEBOUNCE_MS,
            move |changed: Vec<PathBuf>| {
                let _ = tx.send(changed);
            },
        );
        match started {
            Ok(w) => watchers.push(w),
            Err(e) => tracing::warn!(
                error = %e,
                profile = %profile.name,
                "transcripts are not followed; the list refreshes on demand"
            ),
        }
    }
    drop(tx);
    if watchers.is_empty() {
        return;
    }
    *state.watchers.locked() = watchers;
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("index-apply".into())
        .spawn(move || {
            while let Ok(mut paths) = rx.recv() {
                // Batches that queued up meanwhile are taken in one go.
                while let Ok(more) = rx.try_recv() {
                    paths.extend(more);
                }
                let state = handle.state::<AppState>();
                if let Some(tx) = state.search_tx.locked().as_ref() {
                    let _ = tx.send(paths.clone());
                }
                let started = std::time::Instant::now();
                match state.live.apply_changes(&paths) {
                    Ok(delta) => {
                        let applied = started.elapsed();
                        let max = state.settings_snapshot().vault.max_bytes();
                        let profiles = state.live.profiles();
                        for (dir, sessions) in profiles.by_config_dir(delta.changed.clone()) {
                            state.vault.sync(&dir, sessions, max);
                        }
                        // The window first (it is what the user watches), then the tray.
                        ipc::emit(&handle, &ipc::IndexChanged::from(delta));
                        tray::refresh(&handle);
                        tracing::debug!(
                            files = paths.len(),
                            apply_ms = applied.as_secs_f64() * 1e3,
                            total_ms = started.elapsed().as_secs_f64() * 1e3,
                            "index changes applied"
                        );
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot update the index"),
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the index thread; the list refreshes on demand");
    }
}

/// Builds and runs the app until it quits. `args` are the command line without the program
/// name (`ccdesk <folder>`, `ccdesk --resume <id>`). A second launch hands its arguments to this
/// one and exits. Every live session's process group is ended before the process exits.
///
/// Errors: the window system or webview fails to start.
pub fn run(config_dir: PathBuf, args: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    rendering::choose();
    let ipc = ipc::builder();
    let mount = ipc.clone();
    let app = tauri::Builder::default()
        // First: a second launch must reach this instance before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            let args: Vec<String> = argv.into_iter().skip(1).collect();
            desktop::handle_launch(app, &args, std::path::Path::new(&cwd));
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        // "Copy command" (a session's resume command line): write-only, text only.
        .plugin(tauri_plugin_clipboard_manager::init())
        .setup(move |app| {
            mount.mount_events(app);
            let handle = app.handle().clone();
            init_state(&handle, config_dir)?;
            let state = handle.state::<AppState>();
            let observer_handle = handle.clone();
            state.pool.set_observer(Arc::new(move |info: &SessionInfo| {
                on_session_change(&observer_handle, info)
            }));
            tauri::async_runtime::spawn(sweep_forever(Arc::downgrade(&state.pool)));
            if let Err(e) = tray::create(&handle) {
                tracing::warn!(error = %e, "no tray icon");
            }
            start_listing(&handle);
            // SIGTERM, SIGINT, SIGHUP (a log-out, `kill`, a closed terminal) quit as the tray's
            // Quit does: every session closed, the registry saved.
            let quitting = handle.clone();
            tauri::async_runtime::spawn(async move {
                let why = ccdesk_core::desktop::quit::quit_requested().await;
                tracing::info!(signal = why, "asked to end: quitting");
                quitting.exit(0);
            });
            let cwd = std::env::current_dir().unwrap_or_default();
            desktop::handle_launch(&handle, &args, &cwd);
            Ok(())
        })
        .on_window_event(|window, event| {
            if window.label() != MAIN_WINDOW {
                return;
            }
            let app = window.app_handle();
            match event {
                tauri::WindowEvent::CloseRequested { api, .. } => {
                    let state = app.state::<AppState>();
                    if state.settings_snapshot().close_to_tray
                        && app.tray_by_id(tray::TRAY_ID).is_some()
                    {
                        api.prevent_close();
                        let _ = window.hide();
                    }
                }
                tauri::WindowEvent::Focused(focused) => {
                    app.state::<AppState>()
                        .focused
                        .store(*focused, Ordering::Relaxed);
                    if *focused {
                        desktop::on_focus(app);
                    }
                }
                _ => {}
            }
        })
        .invoke_handler(ipc.invoke_handler())
        .build(tauri::generate_context!())?;
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            if let Some(state) = handle.try_state::<AppState>() {
                tauri::async_runtime::block_on(state.pool.close_all());
                // The sessions' last states, whatever background saves were still on their way.
                if let Err(e) = state.save_registry(handle) {
                    tracing::warn!(error = %e, "cannot save the registry");
                }
            }
        }
    });
    Ok(())
}
