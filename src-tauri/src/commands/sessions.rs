//! Commands of the session browser.

use ccdesk_core::index::{resolve_session, SessionIndex, SessionSummary};
use ccdesk_core::transcript::{
    read_entry, read_page, LineCache, PageRequest, PagedEntry, TranscriptPage,
};
use serde::Serialize;
use tauri::State;

use crate::error::AppError;
use crate::AppState;

/// A session and one page of its transcript, for the transcript view.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDetail {
    /// What the index knows of it.
    pub summary: SessionSummary,
    /// The lines asked for (the last ones when no `from` was given).
    pub transcript: TranscriptPage,
}

/// Lists every session under the config dir, grouped by project. Runs off the UI thread.
#[tauri::command]
pub async fn list_sessions(state: State<'_, AppState>) -> Result<SessionIndex, AppError> {
    let dir = state.pool.config_dir().to_path_buf();
    blocking(move || SessionIndex::scan(&dir)).await
}

/// One session and a page of its transcript. `session_key` is a session's `key`
/// (`<dir name>/<id>`) or a bare session id (the newest of that id); `from` absent means the
/// last `limit` lines; `limit` defaults to 200, at most 1000.
#[tauri::command]
pub async fn show_session(
    state: State<'_, AppState>,
    session_key: String,
    from: Option<usize>,
    limit: Option<usize>,
) -> Result<SessionDetail, AppError> {
    let dir = state.pool.config_dir().to_path_buf();
    let lines = state.lines.clone();
    blocking(move || {
        let summary = resolve_session(&dir, &session_key)?;
        let transcript = page(&lines, &summary, PageRequest::new(from, limit))?;
        Ok(SessionDetail {
            summary,
            transcript,
        })
    })
    .await
}

/// Line `index` of a session's transcript, with nothing cut (a cut entry's "show all").
#[tauri::command]
pub async fn transcript_entry(
    state: State<'_, AppState>,
    session_key: String,
    index: usize,
) -> Result<PagedEntry, AppError> {
    let dir = state.pool.config_dir().to_path_buf();
    let lines = state.lines.clone();
    blocking(move || {
        let summary = resolve_session(&dir, &session_key)?;
        let ix = lines.get(&summary.transcript_path)?;
        let ix = ix.lock().unwrap_or_else(|p| p.into_inner());
        read_entry(&ix, index)
    })
    .await
}

fn page(
    lines: &LineCache,
    summary: &SessionSummary,
    request: PageRequest,
) -> Result<TranscriptPage, ccdesk_core::CoreError> {
    let ix = lines.get(&summary.transcript_path)?;
    let ix = ix.lock().unwrap_or_else(|p| p.into_inner());
    read_page(&ix, request)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ccdesk_core::CoreError> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("the listing task failed: {e}")))?
        .map_err(AppError::from)
}
