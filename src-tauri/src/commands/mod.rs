//! Tauri commands: each a few lines that call `ccdesk-core`. The UI may call only the ones
//! listed in `build.rs` and granted in `capabilities/default.json`.

pub mod activity;
pub mod desktop;
pub mod live;
pub mod registry;
pub mod sessions;
pub mod settings;
pub mod terminal;
pub mod usage;
pub mod vault;

use crate::error::AppError;

/// Runs `f` on the blocking pool, never on the main thread (where a synchronous command runs,
/// and where a slow disk or a login shell would freeze the window) nor on an async worker.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("a background task failed: {e}")))?
}
