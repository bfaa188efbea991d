//! ccdesk's own files, kept with tauri-plugin-store in ccdesk's app data dir: `registry.json`
//! (key `registry`) and `settings.json` (key `settings`). Each holds one versioned value that the
//! core decodes; a value the core cannot use is kept under a backup key, never deleted.

use std::path::PathBuf;

use ccdesk_core::store::settings::Settings;
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

/// ccdesk's app identifier (`identifier` in `tauri.conf.json`): the name of its data dir.
pub const IDENTIFIER: &str = "dev.ccdesk.app";

/// Where the store plugin keeps `settings.json`: the app data dir, `<data dir>/<identifier>`
/// (Linux `$XDG_DATA_HOME` or `~/.local/share`, macOS `~/Library/Application Support`, Windows
/// `%APPDATA%`).
pub fn settings_file() -> Option<PathBuf> {
    Some(dirs::data_dir()?.join(IDENTIFIER).join(SETTINGS.0))
}

/// The settings as the window last saved them, read without the app (for the headless
/// commands), never written: a missing file gives the defaults; one that cannot be used gives the
/// defaults and the reason (the window backs it up when it next starts).
pub fn read_settings() -> (Settings, Option<String>) {
    let Some(path) = settings_file() else {
        return (Settings::default(), None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Settings::default(), None),
        Err(e) => {
            return (
                Settings::default(),
                Some(format!(
                    "cannot read {}: {e}; defaults are used",
                    path.display()
                )),
            )
        }
    };
    let stored = match serde_json::from_str::<Value>(&text) {
        Ok(v) => v.get(SETTINGS.1).cloned(),
        Err(e) => Some(Value::String(format!("not JSON: {e}"))),
    };
    Settings::from_stored(stored)
}
