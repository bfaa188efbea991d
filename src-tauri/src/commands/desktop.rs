//! Commands of the desktop integration: dropped files and folders, launch requests that came
//! before the UI listened, and the tray menu (the window offers the same menu and actions).

use ccdesk_core::sync::LockExt;
use std::path::PathBuf;

use ccdesk_core::desktop::dropped::{classify_drop as classify, DropOutcome, DropTarget};
use ccdesk_core::desktop::tray::{TrayAction, TrayMenu};
use tauri::{AppHandle, State};

use crate::desktop::OpenRequest;
use crate::AppState;

/// What dropping `paths` on `target` does: start a session in a folder (the UI shows the
/// new-session sheet first), mention files in the prompt, or a message saying why not.
#[tauri::command]
#[specta::specta]
pub async fn classify_drop(
    paths: Vec<PathBuf>,
    target: DropTarget,
) -> Result<DropOutcome, crate::error::AppError> {
    // It stats what was dropped (a network mount can take seconds): off the main thread.
    super::blocking(move || Ok(classify(&paths, target))).await
}

/// Open requests (command line, second launch, tray, notification) that arrived before the UI
/// listened for `app://open`; from now on they are sent as events.
#[tauri::command]
#[specta::specta]
pub fn take_launch_intents(state: State<'_, AppState>) -> Vec<OpenRequest> {
    state.pending_opens.locked().take().unwrap_or_default()
}

/// The tray menu as a model (what the tray shows now).
#[tauri::command]
#[specta::specta]
pub fn tray_menu(state: State<'_, AppState>) -> TrayMenu {
    crate::tray::current_menu(&state)
}

/// Does what the tray item with this action does (the window's copy of the tray menu).
#[tauri::command]
#[specta::specta]
pub fn tray_action(app: AppHandle, action: TrayAction) {
    crate::tray::perform(&app, action);
}
