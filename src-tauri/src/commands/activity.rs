//! Whether a session is live elsewhere (a `claude` outside ccdesk writing it right now).

use ccdesk_core::claude::agents::{list_agents_of_profiles, AgentListing, AGENTS_TIMEOUT_MS};
use ccdesk_core::claude::elsewhere::{active_elsewhere, Elsewhere};
use std::sync::Arc;
use tauri::State;

use crate::error::AppError;
use crate::AppState;

/// The `claude` process outside ccdesk that is writing session `session_key` right now (its
/// transcript written in the last 10 minutes and a foreign `claude` running in its folder), or
/// `None`. Reads the process table only for a recently written transcript.
///
/// Errors: `unknown_session`.
#[tauri::command]
#[specta::specta]
pub async fn session_activity(
    state: State<'_, AppState>,
    session_key: String,
) -> Result<Option<Elsewhere>, AppError> {
    let live = Arc::clone(&state.live);
    super::blocking(move || {
        let s = live.profiles().resolve_session(&session_key, None)?;
        Ok(s.project_path
            .as_deref()
            .and_then(|cwd| active_elsewhere(&s.transcript_path, std::path::Path::new(cwd))))
    })
    .await
}

/// The sessions the CLI itself reports as live, over every config dir: `claude agents --json
/// --all` (CLI 2.1.145+; `offered: false` for an older one), interactive `claude`s in terminals
/// and background jobs with what each is doing. Runs the CLI (about 0.7 s): the window asks
/// while the pool view is shown.
///
/// Errors: `claude_not_found`, `spawn_failed`, `control_request_failed` (the CLI failed or did
/// not answer within 10 s).
#[tauri::command]
#[specta::specta]
pub async fn cli_agents(state: State<'_, AppState>) -> Result<AgentListing, AppError> {
    let (live, finder) = (Arc::clone(&state.live), state.claude.clone());
    super::blocking(move || {
        let claude = finder.locate()?;
        let timeout = std::time::Duration::from_millis(AGENTS_TIMEOUT_MS);
        Ok(list_agents_of_profiles(&claude, live.profiles(), timeout)?)
    })
    .await
}
