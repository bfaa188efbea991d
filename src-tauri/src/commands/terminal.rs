//! "Open in terminal" and "Copy command": a session handed to the user's terminal
//! ([`ccdesk_core::desktop::terminal`]).

use ccdesk_core::desktop::terminal::{self, find_on_path};
use ccdesk_core::CoreError;
use tauri::State;

use crate::error::AppError;
use crate::AppState;

/// Starts the user's terminal (the settings' one, else the OS's usual one) running
/// `claude --resume <id>` in session `session_key`'s directory; returns the terminal started.
///
/// Errors: `not_resumable` while ccdesk holds the session live (this window or another ccdesk
/// process: one writer per transcript) or when it cannot be resumed; `invalid_input` when no
/// terminal is found; `claude_not_found`; `spawn_failed`.
#[tauri::command]
#[specta::specta]
pub async fn open_in_terminal(
    state: State<'_, AppState>,
    session_key: String,
) -> Result<String, AppError> {
    let settings = state.settings_snapshot();
    let profiles = state.live.profiles().clone();
    let finder = state.claude.clone();
    let pool = state.pool.snapshot();
    super::blocking(move || {
        let t = terminal::target(&profiles, &session_key, settings.config_dir.is_some())?;
        let here = pool
            .sessions
            .iter()
            .any(|s| s.session_id.as_ref() == Some(&t.id) && s.state.is_live());
        if here {
            return Err(CoreError::NotResumable {
                id: t.id.to_string(),
                reason:
                    "it is live in this window; close it first (one claude process per transcript)"
                        .into(),
            }
            .into());
        }
        terminal::ensure_not_live_elsewhere(t.lock_dir.as_deref(), &t.id)?;
        let claude = finder.locate()?;
        let launch = terminal::plan(
            settings.terminal.as_deref(),
            &claude.program,
            &t.cwd,
            &t.id,
            t.config_dir.as_deref(),
            |name| find_on_path(name, None),
        )?;
        terminal::open(&launch)?;
        Ok(launch.program.display().to_string())
    })
    .await
}

/// The command line that resumes session `session_key` in a shell ("Copy command"):
/// `cd '<dir>' && '<claude>' --resume '<id>'`, quoted for a POSIX shell.
///
/// Errors: `unknown_session`, `not_resumable`, `claude_not_found`.
#[tauri::command]
#[specta::specta]
pub async fn terminal_command(
    state: State<'_, AppState>,
    session_key: String,
) -> Result<String, AppError> {
    let explicit = state.settings_snapshot().config_dir.is_some();
    let profiles = state.live.profiles().clone();
    let finder = state.claude.clone();
    super::blocking(move || {
        let t = terminal::target(&profiles, &session_key, explicit)?;
        let claude = finder.locate()?;
        Ok(terminal::resume_command_line(
            &claude.program,
            &t.cwd,
            &t.id,
            t.config_dir.as_deref(),
        ))
    })
    .await
}
