//! Commands of the session browser.

use ccdesk_core::index::{find_session, SessionIndex, SessionSummary};
use ccdesk_core::transcript::Transcript;
use serde::Serialize;
use tauri::State;

use crate::error::AppError;
use crate::AppState;

/// A session with its whole transcript, for the transcript view.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDetail {
    /// What the index knows of it.
    pub summary: SessionSummary,
    /// Every line, decoded.
    pub transcript: Transcript,
}

/// Lists every session under the config dir, grouped by project. Runs off the UI thread.
#[tauri::command]
pub async fn list_sessions(state: State<'_, AppState>) -> Result<SessionIndex, AppError> {
    let dir = state.pool.config_dir().to_path_buf();
    blocking(move || SessionIndex::scan(&dir)).await
}

/// One session and its transcript.
#[tauri::command]
pub async fn show_session(
    state: State<'_, AppState>,
    session_id: String,
) -> Result<SessionDetail, AppError> {
    let dir = state.pool.config_dir().to_path_buf();
    blocking(move || {
        let summary = find_session(&dir, &session_id)?;
        let transcript = Transcript::read(&summary.transcript_path)?;
        Ok(SessionDetail {
            summary,
            transcript,
        })
    })
    .await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ccdesk_core::CoreError> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("the listing task failed: {e}")))?
        .map_err(AppError::from)
}
