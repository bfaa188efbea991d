//! Commands on ccdesk's own session registry (names, pins, run history); see
//! [`ccdesk_core::store::registry`]. Saved to the store `registry.json` in ccdesk's data dir.

use ccdesk_core::ids::SessionId;
use ccdesk_core::store::registry::Registry;
use tauri::{AppHandle, State};

use crate::error::AppError;
use crate::AppState;

/// The whole registry.
#[tauri::command]
#[specta::specta]
pub fn registry(state: State<'_, AppState>) -> Registry {
    state.registry_snapshot()
}

/// Names a session (blank removes the name).
#[tauri::command]
#[specta::specta]
pub fn rename_session(
    app: AppHandle,
    state: State<'_, AppState>,
    session_id: SessionId,
    name: String,
) -> Result<Registry, AppError> {
    state.update_registry(&app, |r| r.rename(&session_id, &name))
}

/// Pins or unpins a session.
#[tauri::command]
#[specta::specta]
pub fn pin_session(
    app: AppHandle,
    state: State<'_, AppState>,
    session_id: SessionId,
    pinned: bool,
) -> Result<Registry, AppError> {
    state.update_registry(&app, |r| r.pin(&session_id, pinned))
}
