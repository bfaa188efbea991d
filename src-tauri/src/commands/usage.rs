//! The usage view's command: what the history cost, per day, session or project.

use ccdesk_core::transcripts::usage::{usage, UsageBy, UsageQuery, UsageReport};
use tauri::State;

use crate::error::AppError;
use crate::AppState;

/// Tokens and dollars of every config dir's transcripts, grouped `by` (days oldest first;
/// sessions and projects most expensive first), from `since` to `until` (local days,
/// `YYYY-MM-DD`, both optional). Reads every transcript (seconds on a large history), off the
/// main thread.
///
/// Errors: `invalid_input` for a date that is not `YYYY-MM-DD`; `io` when a projects dir cannot
/// be listed.
#[tauri::command]
#[specta::specta]
pub async fn usage_report(
    state: State<'_, AppState>,
    by: UsageBy,
    since: Option<String>,
    until: Option<String>,
) -> Result<UsageReport, AppError> {
    let profiles = state.live.profiles().clone();
    super::blocking(move || {
        let query = UsageQuery::new(by, since.as_deref(), until.as_deref())?;
        usage(&profiles, &query).map_err(AppError::from)
    })
    .await
}
