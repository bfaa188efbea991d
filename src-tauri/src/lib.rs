//! ccdesk's Tauri shell: wiring only. All domain logic is in `ccdesk-core`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod commands;
pub mod error;
pub mod headless;

use std::path::PathBuf;
use std::sync::Arc;

use ccdesk_core::pool::{sweep_forever, PoolConfig, SessionInfo, SessionPool};
use ccdesk_core::reaper::{Reaper, REAPER_ARG};
use ccdesk_core::runner::ClaudeCommand;
use tauri::{Emitter, Manager};

/// The event carrying a [`SessionInfo`] whenever any live session changes state or metrics.
pub const POOL_EVENT: &str = "pool://session";

/// State shared by the commands.
pub struct AppState {
    /// The live sessions.
    pub pool: Arc<SessionPool>,
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
        .manage(AppState {
            pool: Arc::clone(&pool),
        })
        .setup(move |app| {
            let handle = app.handle().clone();
            pool.set_observer(Arc::new(move |info: &SessionInfo| {
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
