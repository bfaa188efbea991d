//! Whether a session is live elsewhere (a `claude` outside ccdesk writing it right now).

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
