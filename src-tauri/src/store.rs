//! ccdesk's own files, kept with tauri-plugin-store in ccdesk's app data dir: `registry.json`
//! (key `registry`) and `settings.json` (key `settings`). Each holds one versioned value that the
//! core decodes; a value the core cannot use is kept under a backup key, never deleted.

use serde_json::Value;
use tauri::AppHandle;
use tauri_plugin_store::StoreExt;

use crate::error::AppError;

/// The registry's store file and key.
pub const REGISTRY: (&str, &str) = ("registry.json", "registry");
/// The settings' store file and key.
pub const SETTINGS: (&str, &str) = ("settings.json", "settings");

/// Reads `key` from the store `file` and decodes it with `decode` (one of the core's
/// `from_stored`, which gives defaults and a reason when the value cannot be used). When there is
/// a reason, the stored value is copied to `<key>.backup-<ms since the epoch>` in the same file.
/// A store that cannot be opened gives the defaults and says so.
pub fn load<T: Default>(
    app: &AppHandle,
    (file, key): (&str, &str),
    what: &str,
    decode: impl FnOnce(Option<Value>) -> (T, Option<String>),
) -> (T, Option<String>) {
    let store = match app.store(file) {
        Ok(s) => s,
        Err(e) => {
            return (
                T::default(),
                Some(format!("ccdesk's {what} could not be opened: {e}")),
            )
        }
    };
    let stored = store.get(key);
    let (value, notice) = decode(stored.clone());
    if let (Some(old), Some(_)) = (stored, &notice) {
        store.set(format!("{key}.backup-{}", ccdesk_core::pool::now_ms()), old);
        if let Err(e) = store.save() {
            tracing::warn!(error = %e, what, "cannot save the backup");
        }
    }
    (value, notice)
}

/// Writes `value` under `key` in the store `file`, to disk at once.
///
/// Errors: `store` when the file cannot be opened or written.
pub fn save(app: &AppHandle, (file, key): (&str, &str), value: Value) -> Result<(), AppError> {
    let store = app
        .store(file)
        .map_err(|e| AppError::store(e.to_string()))?;
    store.set(key, value);
    store.save().map_err(|e| AppError::store(e.to_string()))
}
