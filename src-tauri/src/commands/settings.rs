//! Commands of the settings view: read and save ccdesk's [`Settings`] (kept in the store
//! `settings.json`), and find the `claude` executable.

use ccdesk_core::claude::discover::{discover, ClaudeDiscovery, DiscoverInputs};
use ccdesk_core::store::settings::Settings;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::error::AppError;
use crate::AppState;

/// What the settings view shows.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// The settings in force.
    pub settings: Settings,
    /// Where `claude` is found with these settings, its version, or every place tried.
    pub claude: ClaudeDiscovery,
    /// Things to tell the user once (e.g. a settings file that could not be used was backed up).
    pub notices: Vec<String>,
    /// The Claude Code config dir this running ccdesk reads (a changed one applies at the next
    /// start).
    pub config_dir_in_use: String,
}

async fn view(state: &AppState, notices: Vec<String>) -> Result<SettingsView, AppError> {
    let settings = state.settings_snapshot();
    let configured = settings.claude_path.clone();
    let claude = find(configured).await?;
    Ok(SettingsView {
        settings,
        claude,
        notices,
        config_dir_in_use: state.pool.config_dir().display().to_string(),
    })
}

async fn find(configured: Option<std::path::PathBuf>) -> Result<ClaudeDiscovery, AppError> {
    super::blocking(move || Ok(discover(&DiscoverInputs::from_env(configured)))).await
}

/// The settings, where `claude` is, and any notice about the settings file.
#[tauri::command]
#[specta::specta]
pub async fn settings(state: State<'_, AppState>) -> Result<SettingsView, AppError> {
    let notices = state.take_settings_notices();
    view(&state, notices).await
}

/// Validates and saves `settings`, then applies them: pool limits at once, the `claude` path
/// from the next process, tray and notifications at once, the config dir at the next start.
///
/// Errors: `invalid_input` naming the field; `store` when the file cannot be written.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<SettingsView, AppError> {
    state.apply_settings(&app, settings)?;
    view(&state, Vec::new()).await
}

/// Where `claude` would be found with `path` as the configured executable (`None`: found
/// automatically), and its version.
#[tauri::command]
#[specta::specta]
pub async fn discover_claude(path: Option<String>) -> Result<ClaudeDiscovery, AppError> {
    find(path.filter(|p| !p.trim().is_empty()).map(Into::into)).await
}

/// Saves the window's preferences: what the UI last put in tauri-plugin-store's `ui-prefs.json`
/// store, written by the core atomically (temp file, fsync, rename) instead of the plugin's
/// in-place write.
///
/// Errors: `store` when the store is not open or the file cannot be written.
#[tauri::command]
#[specta::specta]
pub async fn save_ui_prefs(app: AppHandle) -> Result<(), AppError> {
    use tauri_plugin_store::StoreExt;
    // fsync'ed: off the main thread.
    super::blocking(move || {
        let prefs = app
            .store(crate::store::UI_PREFS)
            .map_err(|e| AppError::store(e.to_string()))?;
        crate::store::save_ui_prefs(prefs.entries().into_iter().collect())
    })
    .await
}
