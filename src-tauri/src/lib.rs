//! ccdesk's Tauri shell: wiring only. All domain logic is in `ccdesk-core`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod commands;
pub mod error;
pub mod headless;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ccdesk_core::pool::{sweep_forever, PoolConfig, SessionInfo, SessionPool};
use ccdesk_core::reaper::{Reaper, REAPER_ARG};
use ccdesk_core::registry::Registry;
use ccdesk_core::runner::ClaudeCommand;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_store::StoreExt;

use crate::error::AppError;

/// The event carrying a [`SessionInfo`] whenever any live session changes state or metrics.
pub const POOL_EVENT: &str = "pool://session";

/// The store file (in ccdesk's app data dir) holding the registry, and its key.
pub const REGISTRY_STORE: &str = "registry.json";
const REGISTRY_KEY: &str = "registry";

/// State shared by the commands.
pub struct AppState {
    /// The live sessions.
    pub pool: Arc<SessionPool>,
    /// ccdesk's own memory of sessions, restored at start.
    pub registry: Mutex<Registry>,
    /// Things the user should be told once (e.g. a registry that could not be read).
    pub notices: Mutex<Vec<String>>,
    /// Held while the registry is written, so the last write is of the newest registry.
    registry_save: Mutex<()>,
}

impl AppState {
    /// A copy of the registry.
    pub fn registry_snapshot(&self) -> Registry {
        self.registry.lock().map(|r| r.clone()).unwrap_or_default()
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
            let mut r = self
                .registry
                .lock()
                .map_err(|_| AppError::internal("the registry lock is poisoned"))?;
            f(&mut r);
        }
        self.save_registry(app)
    }

    /// Writes the registry as it is now to its store; returns what was written.
    fn save_registry(&self, app: &AppHandle) -> Result<Registry, AppError> {
        let _one_writer = self.registry_save.lock().unwrap_or_else(|p| p.into_inner());
        let snapshot = self.registry_snapshot();
        let store = app
            .store(REGISTRY_STORE)
            .map_err(|e| AppError::store(e.to_string()))?;
        store.set(REGISTRY_KEY, snapshot.to_value());
        store.save().map_err(|e| AppError::store(e.to_string()))?;
        Ok(snapshot)
    }
}

/// Reads the registry from its store; a value that cannot be used is kept under a backup key
/// and replaced by an empty registry, with a notice for the user.
fn load_registry(app: &AppHandle) -> (Registry, Option<String>) {
    let store = match app.store(REGISTRY_STORE) {
        Ok(s) => s,
        Err(e) => {
            return (
                Registry::default(),
                Some(format!(
                    "ccdesk's session registry could not be opened: {e}"
                )),
            )
        }
    };
    let stored = store.get(REGISTRY_KEY);
    let (registry, notice) = Registry::from_stored(stored.clone());
    if let (Some(old), Some(_)) = (stored, &notice) {
        let key = format!("{REGISTRY_KEY}.backup-{}", ccdesk_core::pool::now_ms());
        store.set(key, old);
        if let Err(e) = store.save() {
            tracing::warn!(error = %e, "cannot save the registry backup");
        }
    }
    (registry, notice)
}

/// Starts the process watchdog (ccdesk's own executable in watchdog mode), so that children
/// end even if ccdesk is killed. `None`, with a warning, when it cannot start.
pub fn start_reaper() -> Option<Arc<Reaper>> {
    let exe = std::env::current_exe()
        .map_err(|e| tracing::warn!(error = %e, "no path to our own executable; no watchdog"))
        .ok()?;
    Reaper::spawn(&exe, &[REAPER_ARG])
        .map_err(|e| tracing::warn!(error = %e, "the process watchdog did not start"))
        .ok()
        .map(Arc::new)
}

/// The pool for sessions under `config_dir`, with the watchdog when it could start.
///
/// Errors: the pool settings do not validate.
pub fn new_pool(
    config_dir: PathBuf,
    config: PoolConfig,
) -> Result<SessionPool, ccdesk_core::CoreError> {
    let pool = SessionPool::new(
        config_dir,
        Box::new(ClaudeCommand::locate),
        Vec::new(),
        config,
    )?;
    Ok(match start_reaper() {
        Some(r) => pool.with_reaper(r),
        None => pool,
    })
}

/// Builds and runs the app until it quits. Every live session's process group is ended
/// before the process exits.
///
/// Errors: the window system or webview fails to start.
pub fn run(config_dir: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let pool = Arc::new(new_pool(config_dir, PoolConfig::default())?);
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_store::Builder::new().build())
        .manage(AppState {
            pool: Arc::clone(&pool),
            registry: Mutex::default(),
            notices: Mutex::default(),
            registry_save: Mutex::default(),
        })
        .setup(move |app| {
            let handle = app.handle().clone();
            let (registry, notice) = load_registry(&handle);
            let state = handle.state::<AppState>();
            if let Ok(mut r) = state.registry.lock() {
                *r = registry;
            }
            if let (Some(n), Ok(mut notices)) = (notice, state.notices.lock()) {
                tracing::warn!(notice = %n, "registry");
                notices.push(n);
            }
            pool.set_observer(Arc::new(move |info: &SessionInfo| {
                let state = handle.state::<AppState>();
                let changed = state
                    .registry
                    .lock()
                    .map(|mut r| r.record(info))
                    .unwrap_or(false);
                if changed {
                    if let Err(e) = state.save_registry(&handle) {
                        tracing::warn!(error = %e, "cannot save the registry");
                    }
                }
                // After the registry: a UI reading it in answer to the event sees the change.
                if let Err(e) = handle.emit(POOL_EVENT, info) {
                    tracing::debug!(error = %e, "cannot emit the pool event");
                }
            }));
            tauri::async_runtime::spawn(sweep_forever(Arc::downgrade(&pool)));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::sessions::list_sessions,
            commands::sessions::show_session,
            commands::live::start_session,
            commands::live::send_prompt,
            commands::live::interrupt_session,
            commands::live::answer_permission,
            commands::live::set_permission_mode,
            commands::live::close_session,
            commands::live::attach_session,
            commands::live::pool_snapshot,
            commands::live::app_info,
            commands::registry::registry,
            commands::registry::rename_session,
            commands::registry::pin_session,
        ])
        .build(tauri::generate_context!())?;
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            let state = handle.state::<AppState>();
            tauri::async_runtime::block_on(state.pool.close_all());
        }
    });
    Ok(())
}
