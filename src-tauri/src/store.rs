//! Where ccdesk's own files live: `registry.json` (key `registry`), `settings.json` (key
//! `settings`) and the window's `ui-prefs.json` in ccdesk's data dir, read and written by the
//! core ([`ccdesk_core::store::file`]: atomically; a value it cannot use kept as a backup, a file
//! it cannot read moved aside, never deleted). This module only names the files and maps errors.

use std::path::PathBuf;

use ccdesk_core::store::file;
use serde_json::Value;

use crate::error::AppError;

/// The registry's file and key.
pub const REGISTRY: (&str, &str) = ("registry.json", "registry");
/// The settings' file and key.
pub const SETTINGS: (&str, &str) = ccdesk_core::store::SETTINGS_FILE;
/// The window's own preferences (view state, last selection, dismissed notices): the UI keeps
/// them in tauri-plugin-store's store of this name (in the same data dir); the core writes the
/// file ([`save_ui_prefs`]), atomically.
pub const UI_PREFS: &str = "ui-prefs.json";

/// Reads `key` of `file` in the data dir and decodes it with `decode` (one of the core's
/// `from_stored`); a value that gives a reason is kept as a backup first. Returns the value and a
/// notice for the user; never fails (no data dir gives the defaults and says so).
pub fn load<T: Default>(
    (file, key): (&str, &str),
    what: &str,
    decode: impl FnOnce(Option<Value>) -> (T, Option<String>),
) -> (T, Option<String>) {
    match data_file(file) {
        Some(path) => file::load(&path, key, what, true, decode),
        None => (
            T::default(),
            Some(format!(
                "ccdesk's {what} cannot be kept: no data dir on this system"
            )),
        ),
    }
}

/// Writes `value` under `key` in `file` in the data dir, atomically.
///
/// Errors: `store` when there is no data dir or the file cannot be written.
pub fn save((file, key): (&str, &str), value: Value) -> Result<(), AppError> {
    let path = data_file(file).ok_or_else(|| AppError::store("no data dir on this system"))?;
    file::save(&path, key, value).map_err(|e| AppError::store(e.to_string()))
}

/// Writes the window's preferences `prefs` (a JSON object) as [`UI_PREFS`], atomically: the
/// store plugin's own save writes the file in place, so a crash mid-write would tear it.
///
/// Errors: `store` when there is no data dir or the file cannot be written.
pub fn save_ui_prefs(prefs: serde_json::Map<String, Value>) -> Result<(), AppError> {
    let path = data_file(UI_PREFS).ok_or_else(|| AppError::store("no data dir on this system"))?;
    file::write_atomic(&path, &Value::Object(prefs)).map_err(|e| AppError::store(e.to_string()))
}

/// Before the UI reads its preferences: a [`UI_PREFS`] file that is not a JSON object (torn,
/// truncated) is moved aside as `ui-prefs.json.corrupt-<ms>` (the plugin would read it as empty
/// and save over it). Returns the notice for the user, if any.
pub fn set_aside_unusable_ui_prefs() -> Option<String> {
    file::set_aside_if_unusable(&data_file(UI_PREFS)?, "window preferences")
}

/// `file` in ccdesk's data dir.
fn data_file(file: &str) -> Option<PathBuf> {
    Some(ccdesk_core::store::data_dir()?.join(file))
}

/// ccdesk's app identifier (`identifier` in `tauri.conf.json`): the name of its data dir.
pub const IDENTIFIER: &str = ccdesk_core::store::APP_IDENTIFIER;

/// Where the store plugin keeps `settings.json` (see [`ccdesk_core::store::settings_file`]).
pub use ccdesk_core::store::settings_file;

/// The settings read without the app (see [`ccdesk_core::store::read_settings`]).
pub use ccdesk_core::store::read_settings;
