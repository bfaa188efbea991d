//! Commands of the transcript vault: what it holds, and restoring a session the CLI deleted.

use ccdesk_core::vault::{RestoreReport, VaultStats};
use tauri::{AppHandle, State};

use crate::error::AppError;
use crate::AppState;

/// What the vault holds for the config dirs listed, summed; `None` when there is no vault
/// (never turned on, nothing archived).
///
/// Errors: `index` when its manifest cannot be read.
#[tauri::command]
#[specta::specta]
pub async fn vault_stats(state: State<'_, AppState>) -> Result<Option<VaultStats>, AppError> {
    let Some(vault) = state.vault.vault() else {
        return Ok(None);
    };
    let dirs: Vec<_> = state
        .live
        .profiles()
        .iter()
        .map(|p| p.config_dir.clone())
        .collect();
    super::blocking(move || {
        let mut total: Option<VaultStats> = None;
        for dir in &dirs {
            let s = vault.stats(dir)?;
            total = Some(match total {
                None => s,
                Some(t) => t.plus(&s),
            });
        }
        Ok(total)
    })
    .await
}

/// Writes session `session_key`'s copy back where the CLI looks for it, byte for byte, then lists
/// again (the session is no longer archived and resumes).
///
/// Errors: `unknown_session` when the vault has no copy; `invalid_input` when a transcript is
/// there already (never written over); `io`.
#[tauri::command]
#[specta::specta]
pub async fn restore_session(
    app: AppHandle,
    state: State<'_, AppState>,
    session_key: String,
) -> Result<RestoreReport, AppError> {
    let vault = state.vault.vault().ok_or_else(|| {
        AppError::from(ccdesk_core::CoreError::UnknownSession(session_key.clone()))
    })?;
    let profiles = state.live.profiles().clone();
    let report = super::blocking(move || {
        let (i, inner) = profiles
            .split_key(&session_key)
            .ok_or_else(|| ccdesk_core::CoreError::UnknownSession(session_key.clone()))?;
        let dir = profiles
            .get(i)
            .map(|p| p.config_dir.clone())
            .ok_or_else(|| ccdesk_core::CoreError::UnknownSession(session_key.clone()))?;
        vault.restore(&dir, inner).map_err(AppError::from)
    })
    .await?;
    crate::tray::relist(&app).await?;
    Ok(report)
}
