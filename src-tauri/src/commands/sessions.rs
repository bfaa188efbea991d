//! Commands of the session browser.

use ccdesk_core::sync::LockExt;
use std::sync::Arc;

use ccdesk_core::transcripts::export::{export_to_file, ExportFormat, ExportStats};
use ccdesk_core::transcripts::index::{
    ProjectIndex, SearchResults, SessionBrief, SessionIndex, SessionSummary,
};
use ccdesk_core::transcripts::search::query::SearchQuery;
use ccdesk_core::transcripts::transcript::{
    read_entry, read_page, LineCache, PageRequest, PagedEntry, TranscriptPage,
};
use ccdesk_core::CoreError;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::error::AppError;
use crate::AppState;

/// A session and one page of its transcript, for the transcript view.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionDetail {
    /// What the index knows of it.
    pub summary: SessionSummary,
    /// The lines asked for (the last ones when no `from` was given).
    pub transcript: TranscriptPage,
}

/// The projects without their sessions (newest first), from the one index the window, the tray
/// and [`project_sessions`] share. The first call answers the listing made as the app started
/// (waiting for it); later calls (the window's refresh) bring the index up to date first, which
/// reads only the transcripts that changed. Between calls the watcher keeps the index current
/// and reports each change with `index://changed`. Runs off the UI thread.
#[tauri::command]
#[specta::specta]
pub async fn list_projects(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<ProjectIndex, AppError> {
    // Waits while the listing made as the app starts runs; the first call takes it.
    drop(state.first_listing.lock().await);
    let first = !state
        .first_listed
        .swap(true, std::sync::atomic::Ordering::Relaxed);
    let index = match state.index_snapshot() {
        Some(index) if first => index,
        _ => crate::tray::relist(&app).await?,
    };
    Ok(index.project_entries())
}

/// The sessions of the project with this `key` (`ProjectEntry.key`) in the last listing, newest
/// first; none when it is not (or no longer) listed.
#[tauri::command]
#[specta::specta]
pub async fn project_sessions(
    app: AppHandle,
    state: State<'_, AppState>,
    project_key: String,
) -> Result<Vec<SessionSummary>, AppError> {
    let index = listing(&app, &state).await?;
    Ok(index
        .project(&project_key)
        .map(|p| p.sessions.clone())
        .unwrap_or_default())
}

/// A session by its `key` (`<dir name>/<id>`, `@<config dir name>/<dir name>/<id>` in a further
/// config dir) or bare CLI session id (the newest with that id in any config dir),
/// read from its transcript (no listing needed); `None` when there is no such session.
#[tauri::command]
#[specta::specta]
pub async fn find_session(
    state: State<'_, AppState>,
    key_or_id: String,
) -> Result<Option<SessionSummary>, AppError> {
    let live = Arc::clone(&state.live);
    let vault = state.vault.vault();
    blocking(move || {
        match live
            .profiles()
            .resolve_session(&key_or_id, vault.as_deref())
        {
            Ok(s) => Ok(Some(s)),
            Err(CoreError::UnknownSession(_)) => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

/// Full-text search over every transcript: the sessions whose lines match `query` (words,
/// "phrases", prefix*, -excluded, project:/branch:/model:/since:/until:), best first, at most
/// `limit` (default 200), each with its best hits (snippets with marks as UTF-16 offsets).
/// While the search index is still being built, results cover the transcripts indexed so far
/// and say `partial: true` (`search://progress` tells how far the build is).
///
/// Errors: `invalid_input` for a query with nothing to look for or a bad date; `index` when the
/// index cache cannot be used.
#[tauri::command]
#[specta::specta]
pub async fn search_sessions(
    state: State<'_, AppState>,
    query: String,
    limit: Option<u32>,
) -> Result<SearchResults, AppError> {
    let live = Arc::clone(&state.live);
    let limit = limit.unwrap_or(200).clamp(1, 1_000) as usize;
    blocking(move || {
        let q =
            SearchQuery::parse_now(&query).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        live.search(&q, limit)
    })
    .await
}

/// Every session of the last listing, newest first, as the quick switcher lists them.
#[tauri::command]
#[specta::specta]
pub async fn session_briefs(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Vec<SessionBrief>, AppError> {
    Ok(listing(&app, &state).await?.briefs())
}

/// The last listing; a fresh one when there is none yet.
async fn listing(app: &AppHandle, state: &AppState) -> Result<Arc<SessionIndex>, AppError> {
    match state.index_snapshot() {
        Some(index) => Ok(index),
        None => crate::tray::relist(app).await,
    }
}

/// One session and a page of its transcript. `session_key` is a session's `key`
/// (`<dir name>/<id>`) or a bare session id (the newest of that id); `from` absent means the
/// last `limit` lines; `limit` defaults to 200, at most 1000.
#[tauri::command]
#[specta::specta]
pub async fn show_session(
    state: State<'_, AppState>,
    session_key: String,
    from: Option<usize>,
    limit: Option<usize>,
) -> Result<SessionDetail, AppError> {
    let live = Arc::clone(&state.live);
    let lines = state.lines.clone();
    let vault = state.vault.vault();
    blocking(move || {
        let summary = live
            .profiles()
            .resolve_session(&session_key, vault.as_deref())?;
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
#[specta::specta]
pub async fn transcript_entry(
    state: State<'_, AppState>,
    session_key: String,
    index: usize,
) -> Result<PagedEntry, AppError> {
    let live = Arc::clone(&state.live);
    let lines = state.lines.clone();
    let vault = state.vault.vault();
    blocking(move || {
        let summary = live
            .profiles()
            .resolve_session(&session_key, vault.as_deref())?;
        let ix = lines.get(&summary.transcript_path)?;
        let ix = ix.locked();
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
    let ix = ix.locked();
    read_page(&ix, request)
}

/// [`super::blocking`] for core calls.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ccdesk_core::CoreError> + Send + 'static,
) -> Result<T, AppError> {
    super::blocking(move || f().map_err(AppError::from)).await
}

/// What each turn of session `session_key` changed in files (applied Edit, MultiEdit, Write and
/// NotebookEdit calls, as unified diffs), read from its transcript (an archived one from the
/// vault).
///
/// Errors: `unknown_session`; `io` when the transcript cannot be read.
#[tauri::command]
#[specta::specta]
pub async fn session_changes(
    state: State<'_, AppState>,
    session_key: String,
) -> Result<ccdesk_core::transcripts::changes::SessionChanges, AppError> {
    let live = Arc::clone(&state.live);
    let vault = state.vault.vault();
    blocking(move || {
        let s = live
            .profiles()
            .resolve_session(&session_key, vault.as_deref())?;
        ccdesk_core::transcripts::changes::session_changes(
            &s.transcript_path,
            s.project_path.as_deref(),
        )
    })
    .await
}

/// Writes session `session_key` (an archived one from the vault) as `format` to `path` (a file
/// the user chose in the save dialog), atomically; returns what was written.
///
/// Errors: `unknown_session`; `io` when a transcript cannot be read or the file written.
#[tauri::command]
#[specta::specta]
pub async fn export_session(
    state: State<'_, AppState>,
    session_key: String,
    format: ExportFormat,
    path: String,
) -> Result<ExportStats, AppError> {
    let live = Arc::clone(&state.live);
    let vault = state.vault.vault();
    blocking(move || {
        let summary = live
            .profiles()
            .resolve_session(&session_key, vault.as_deref())?;
        export_to_file(
            &summary,
            &summary.transcript_path,
            format,
            std::path::Path::new(&path),
        )
    })
    .await
}
