//! Commands on ccdesk's own session registry (names, pins, run history); see
//! [`ccdesk_core::store::registry`]. Saved to the store `registry.json` in ccdesk's data dir.

use ccdesk_core::ids::SessionId;
use ccdesk_core::store::registry::Registry;
use tauri::{AppHandle, Manager, State};

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
pub async fn rename_session(
    app: AppHandle,
    session_id: SessionId,
    name: String,
) -> Result<Registry, AppError> {
    // The registry is written to disk (fsync'ed): off the main thread.
    super::blocking(move || {
        app.state::<AppState>()
            .update_registry(&app, |r| r.rename(&session_id, &name))
    })
    .await
}

/// Pins or unpins a session.
#[tauri::command]
#[specta::specta]
pub async fn pin_session(
    app: AppHandle,
    session_id: SessionId,
    pinned: bool,
) -> Result<Registry, AppError> {
    super::blocking(move || {
        app.state::<AppState>()
            .update_registry(&app, |r| r.pin(&session_id, pinned))
    })
    .await
}
