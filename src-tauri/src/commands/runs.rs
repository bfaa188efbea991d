//! Commands that start, feed and stop live `claude` runs. Each run streams to the UI through
//! its own [`Channel`].

use ccdesk_core::manager::StartRequest;
use ccdesk_core::runner::{ClaudeCommand, RunEvent};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::AppError;
use crate::AppState;

/// The answer to `start_run`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    /// ccdesk's id of the run (not the CLI session id, which `system/init` gives).
    pub run_id: String,
}

/// Starts a new or resumed session and streams its events to `on_event`.
#[tauri::command]
pub async fn start_run(
    state: State<'_, AppState>,
    request: StartRequest,
    on_event: Channel<RunEvent>,
) -> Result<Started, AppError> {
    let sink = move |ev: RunEvent| {
        if let Err(e) = on_event.send(ev) {
            tracing::debug!(error = %e, "the UI stopped listening to a run");
        }
    };
    let run_id = state.manager.start(request, sink).await?;
    Ok(Started { run_id })
}

/// Sends a follow-up prompt to a live run.
#[tauri::command]
pub async fn send_prompt(
    state: State<'_, AppState>,
    run_id: String,
    prompt: String,
) -> Result<(), AppError> {
    Ok(state.manager.send_prompt(&run_id, &prompt).await?)
}

/// Ends a live run.
#[tauri::command]
pub async fn stop_run(state: State<'_, AppState>, run_id: String) -> Result<(), AppError> {
    state.manager.stop(&run_id).await;
    Ok(())
}

/// Where the CLI was found, for the header.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaudeInfo {
    /// Path of the executable, when found.
    pub path: Option<String>,
    /// Why it was not found.
    pub error: Option<String>,
}

/// What the header shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The Claude Code config dir in use.
    pub config_dir: String,
    /// The CLI ccdesk will run.
    pub claude: ClaudeInfo,
    /// ccdesk's version.
    pub version: String,
}

/// The config dir, the CLI and ccdesk's version.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    let claude = match ClaudeCommand::locate() {
        Ok(c) => ClaudeInfo {
            path: Some(c.program.display().to_string()),
            error: None,
        },
        Err(e) => ClaudeInfo {
            path: None,
            error: Some(e.to_string()),
        },
    };
    AppInfo {
        config_dir: state.manager.config_dir().display().to_string(),
        claude,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}
