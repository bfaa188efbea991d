//! ccdesk's Tauri shell: wiring only. All domain logic is in `ccdesk-core`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod commands;
pub mod error;
pub mod headless;

use std::path::PathBuf;

use ccdesk_core::manager::SessionManager;
use ccdesk_core::runner::ClaudeCommand;
use tauri::Manager;

/// State shared by the commands.
pub struct AppState {
    /// The live runs.
    pub manager: SessionManager,
}

impl AppState {
    /// State for sessions under `config_dir`.
    pub fn new(config_dir: PathBuf) -> Self {
        AppState {
            manager: SessionManager::new(config_dir, Box::new(ClaudeCommand::locate), Vec::new()),
        }
    }
}

/// Builds and runs the app until it quits. Every live run is ended before the process exits.
///
/// Errors: the window system or webview fails to start.
pub fn run(config_dir: PathBuf) -> Result<(), tauri::Error> {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::new(config_dir))
        .invoke_handler(tauri::generate_handler![
            commands::sessions::list_sessions,
            commands::sessions::show_session,
            commands::runs::start_run,
            commands::runs::send_prompt,
            commands::runs::stop_run,
            commands::runs::app_info,
        ])
        .build(tauri::generate_context!())?;
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            let state = handle.state::<AppState>();
            tauri::async_runtime::block_on(state.manager.stop_all());
        }
    });
    Ok(())
}
