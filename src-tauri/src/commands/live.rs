//! Commands on live sessions (the pool): start or resume, prompt, interrupt, answer
//! permission prompts, switch permission mode, close. Each session streams to the UI through
//! its own [`Channel`] of [`SessionEvent`]s; pool-wide changes go out as the `pool://session`
//! event (see `lib.rs`).

use ccdesk_core::ids::RunId;
use ccdesk_core::sync::LockExt;
use std::sync::Arc;

use ccdesk_core::pool::{
    InterruptOutcome, PermissionAnswer, PermissionMode, PoolSnapshot, RewindOutcome, SessionEvent,
    SessionInfo, StartRequest,
};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::AppError;
use crate::AppState;

/// The answer to `start_session`.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    /// ccdesk's id of the live session (not the CLI session id, which `system/init` gives).
    pub run_id: RunId,
}

fn sink(channel: Channel<SessionEvent>) -> ccdesk_core::pool::EventSink {
    Arc::new(move |ev: SessionEvent| {
        if let Err(e) = channel.send(ev) {
            tracing::debug!(error = %e, "the UI stopped listening to a session");
        }
    })
}

/// Starts a new session, or resumes one (reusing it when it is live already), and streams its
/// events to `on_event`.
#[tauri::command]
#[specta::specta]
pub async fn start_session(
    state: State<'_, AppState>,
    request: StartRequest,
    on_event: Channel<SessionEvent>,
) -> Result<Started, AppError> {
    let run_id = state.pool.start(request, sink(on_event)).await?;
    Ok(Started { run_id })
}

/// Sends a prompt to a live session (resuming its process if it has ended).
#[tauri::command]
#[specta::specta]
pub async fn send_prompt(
    state: State<'_, AppState>,
    run_id: RunId,
    prompt: String,
) -> Result<(), AppError> {
    Ok(state.pool.send_prompt(&run_id, &prompt).await?)
}

/// Interrupts the running turn; resolves when the interrupt has completed.
#[tauri::command]
#[specta::specta]
pub async fn interrupt_session(
    state: State<'_, AppState>,
    run_id: RunId,
) -> Result<InterruptOutcome, AppError> {
    Ok(state.pool.interrupt(&run_id).await?)
}

/// Answers a permission prompt.
#[tauri::command]
#[specta::specta]
pub async fn answer_permission(
    state: State<'_, AppState>,
    run_id: RunId,
    request_id: String,
    answer: PermissionAnswer,
) -> Result<(), AppError> {
    Ok(state
        .pool
        .answer_permission(&run_id, &request_id, answer)
        .await?)
}

/// Switches a session's permission mode (`default`, `acceptEdits`, `plan`).
#[tauri::command]
#[specta::specta]
pub async fn set_permission_mode(
    state: State<'_, AppState>,
    run_id: RunId,
    mode: PermissionMode,
) -> Result<(), AppError> {
    Ok(state.pool.set_permission_mode(&run_id, mode).await?)
}

/// Rewinds the files a live session changed from the prompt `userMessageId` (its transcript
/// line's `uuid`) on to what they were before it (`rewind_files`); `dryRun` only says what
/// would change. Between turns only.
#[tauri::command]
#[specta::specta]
pub async fn rewind_files(
    state: State<'_, AppState>,
    run_id: RunId,
    user_message_id: String,
    dry_run: bool,
) -> Result<RewindOutcome, AppError> {
    Ok(state
        .pool
        .rewind_files(&run_id, &user_message_id, dry_run)
        .await?)
}

/// Ends a session's process and removes it from the pool (the transcript stays resumable).
#[tauri::command]
#[specta::specta]
pub async fn close_session(state: State<'_, AppState>, run_id: RunId) -> Result<(), AppError> {
    state.pool.close(&run_id).await;
    Ok(())
}

/// Re-attaches the UI to a live session (after a reload): its events go to `on_event` from now on.
#[tauri::command]
#[specta::specta]
pub fn attach_session(
    state: State<'_, AppState>,
    run_id: RunId,
    on_event: Channel<SessionEvent>,
) -> Result<SessionInfo, AppError> {
    Ok(state.pool.attach(&run_id, sink(on_event))?)
}

/// Every live session with its state and metrics, and pool totals.
#[tauri::command]
#[specta::specta]
pub fn pool_snapshot(state: State<'_, AppState>) -> PoolSnapshot {
    state.pool.snapshot()
}

/// Where the CLI was found, for the header.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaudeInfo {
    /// Path of the executable, when found.
    pub path: Option<String>,
    /// Why it was not found.
    pub error: Option<String>,
}

/// What the header shows.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The Claude Code config dir in use (the first of `profiles`).
    pub config_dir: String,
    /// Every config dir listed, named, the first first: sessions of the others carry their
    /// name ([`SessionSummary::profile`](ccdesk_core::transcripts::index::SessionSummary)), and
    /// a new session may start in any ([`StartRequest::profile`]).
    pub profiles: Vec<ccdesk_core::transcripts::profiles::Profile>,
    /// The CLI ccdesk will run.
    pub claude: ClaudeInfo,
    /// ccdesk's version.
    pub version: String,
    /// The most live sessions at once.
    pub max_sessions: usize,
    /// Things to tell the user once (e.g. a registry that could not be read and was reset).
    pub notices: Vec<String>,
}

/// The config dir, the CLI (found as the settings say) and ccdesk's version.
#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, AppError> {
    // Finding claude may ask the login shell for its PATH: seconds, never on the main thread.
    let finder = state.claude.clone();
    let located = super::blocking(move || Ok(finder.locate())).await?;
    let claude = match located {
        Ok(c) => ClaudeInfo {
            path: Some(c.program.display().to_string()),
            error: None,
        },
        Err(e) => ClaudeInfo {
            path: None,
            error: Some(e.to_string()),
        },
    };
    Ok(AppInfo {
        config_dir: state.pool.config_dir().display().to_string(),
        profiles: state.live.profiles().iter().cloned().collect(),
        claude,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        max_sessions: state.pool.config().max_sessions,
        notices: std::mem::take(&mut *state.notices.locked()),
    })
}
