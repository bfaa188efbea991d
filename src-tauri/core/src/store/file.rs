//! ccdesk's own JSON files (`settings.json`, `registry.json` in its data dir), read and written
//! by the core, atomically.
//!
//! Layout: one JSON object whose key (`"settings"`, `"registry"`) holds the versioned value the
//! core decodes, the layout tauri-plugin-store wrote up to v0.1, so existing files keep working.
//! Other keys (backups) are kept as they are.
//!
//! Nothing is lost: a value the core cannot use is copied to `<key>.backup-<ms>` in the same
//! file before defaults are used; a file that is not a JSON object at all (torn, truncated,
//! garbage) is moved aside whole, byte for byte, as `<file>.corrupt-<ms>` (ms since the Unix
//! epoch), the user is told, and nothing is ever written over it. Every write goes to a
//! temporary file in the same dir, is flushed to disk, then renamed over the old one: a crash
//! leaves the old file or the new one, never half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::CoreError;

/// What reading a store file found.
enum Found {
    /// No file yet.
    Missing,
    /// A JSON object.
    Object(Map<String, Value>),
    /// Something else (not JSON, or JSON but not an object): the text's problem.
    Unusable(String),
}

fn read(path: &Path) -> Result<Found, CoreError> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(CoreError::io(path, e)),
    };
    Ok(match serde_json::from_slice::<Value>(&text) {
        Ok(Value::Object(map)) => Found::Object(map),
        Ok(_) => Found::Unusable("not a JSON object".into()),
        Err(e) => Found::Unusable(format!("not JSON: {e}")),
    })
}

/// Reads `key` of the store file at `path` and decodes it with `decode` (one of the core's
/// `from_stored`, which gives defaults and a reason when the value cannot be used; `None` means
/// there is none). With `backup`, a value that gave a reason is kept first (see the module doc).
/// Returns the value and a notice for the user (`what` names the file's content in it). Never
/// fails: a file that cannot be read gives the defaults and says so.
pub fn load<T: Default>(
    path: &Path,
    key: &str,
    what: &str,
    backup: bool,
    decode: impl FnOnce(Option<Value>) -> (T, Option<String>),
) -> (T, Option<String>) {
    let found = match read(path) {
        Ok(f) => f,
        Err(e) => {
            return (
                T::default(),
                Some(format!(
                    "ccdesk's {what} could not be read ({e}); defaults are used"
                )),
            )
        }
    };
    match found {
        Found::Missing => decode(None),
        Found::Object(mut map) => {
            let stored = map.get(key).cloned();
            let (value, notice) = decode(stored.clone());
            if let (true, Some(old), Some(_)) = (backup, stored, &notice) {
                map.insert(format!("{key}.backup-{}", crate::pool::now_ms()), old);
                if let Err(e) = write_atomic(path, &Value::Object(map)) {
                    tracing::warn!(error = %e, what, "cannot keep a backup of the value");
                }
            }
            (value, notice)
        }
        Found::Unusable(problem) => {
            let (value, _) = decode(None);
            let kept = if backup {
                match set_aside(path) {
                    Ok(moved) => format!("; it was moved aside as {}", moved.display()),
                    Err(e) => format!("; it could not be moved aside ({e})"),
                }
            } else {
                String::new()
            };
            let notice = format!(
                "ccdesk's {what} file {} is {problem}: defaults are used{kept}",
                path.display()
            );
            (value, Some(notice))
        }
    }
}

/// Writes `value` under `key` in the store file at `path` (created with its dir if missing),
/// keeping the file's other keys, atomically (see the module doc). A file that is not a JSON
/// object is copied aside first.
///
/// Errors: [`CoreError::Io`] when the dir, the temporary file or the rename fails; the old file
/// is then as it was.
pub fn save(path: &Path, key: &str, value: Value) -> Result<(), CoreError> {
    let mut map = match read(path)? {
        Found::Object(map) => map,
        Found::Missing => Map::new(),
        Found::Unusable(_) => {
            set_aside(path)?;
            Map::new()
        }
    };
    map.insert(key.to_owned(), value);
    write_atomic(path, &Value::Object(map))
}

/// For a file that another writer makes (the UI's preferences, written through
/// tauri-plugin-store, which would read a torn file as empty and then save over it): when the
/// file at `path` exists and is not a JSON object, moves it aside as `<file>.corrupt-<ms>` and
/// returns a notice for the user (`what` names its content). `None` when it is missing or fine.
pub fn set_aside_if_unusable(path: &Path, what: &str) -> Option<String> {
    let problem = match read(path) {
        Ok(Found::Unusable(problem)) => problem,
        Ok(Found::Missing | Found::Object(_)) => return None,
        Err(e) => return Some(format!("ccdesk's {what} could not be read ({e})")),
    };
    Some(match set_aside(path) {
        Ok(moved) => format!(
            "ccdesk's {what} file {} was {problem}: it was moved aside as {}; defaults are used",
            path.display(),
            moved.display()
        ),
        Err(e) => format!(
            "ccdesk's {what} file {} is {problem} and could not be moved aside ({e})",
            path.display()
        ),
    })
}

/// Moves the file at `path` aside to `<path>.corrupt-<ms>` (a rename: byte for byte, atomic);
/// returns where it went. Never replaces an existing file.
///
/// Errors: [`CoreError::Io`] when it cannot be renamed.
pub fn set_aside(path: &Path) -> Result<PathBuf, CoreError> {
    let name = path.file_name().unwrap_or_default().to_os_string();
    let mut now = crate::pool::now_ms();
    loop {
        let mut aside = name.clone();
        aside.push(format!(".corrupt-{now}"));
        let aside = path.with_file_name(aside);
        if !aside.exists() {
            std::fs::rename(path, &aside).map_err(|e| CoreError::io(path, e))?;
            return Ok(aside);
        }
        now += 1;
    }
}

/// Writes `value` as pretty JSON to `path`: a temporary file in the same dir, flushed to disk,
/// renamed over `path`.
pub fn write_atomic(path: &Path, value: &Value) -> Result<(), CoreError> {
    let text = serde_json::to_vec_pretty(value)
        .map_err(|e| CoreError::InvalidInput(format!("cannot encode {}: {e}", path.display())))?;
    write_bytes_atomic(path, &text)
}

/// Writes `bytes` to `path` atomically: a temporary file in its dir (made if missing), flushed to
/// disk, renamed over `path`.
///
/// Errors: [`CoreError::Io`] when the dir, the file or the rename fails.
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| CoreError::io(dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| CoreError::io(tmp.path(), e))?;
    tmp.persist(path)
        .map_err(|e| CoreError::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A decoder like the core's `from_stored`: a number, else defaults and a reason.
    fn decode(v: Option<Value>) -> (u64, Option<String>) {
        match v {
            None => (0, None),
            Some(Value::Number(n)) => (n.as_u64().unwrap_or(0), None),
            Some(_) => (0, Some("not a number".into())),
        }
    }

    #[test]
    fn a_value_is_saved_and_read_back_keeping_the_files_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("settings.json");
        assert_eq!(load(&path, "settings", "settings", true, decode), (0, None));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, r#"{"settings": 1, "other": "kept"}"#).unwrap();
        save(&path, "settings", json!(7)).unwrap();
        assert_eq!(load(&path, "settings", "settings", true, decode), (7, None));
        let on_disk: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(on_disk, json!({"settings": 7, "other": "kept"}));
        // Nothing but the file itself is left in its dir (no temporary files).
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn an_unusable_value_is_kept_under_a_backup_key_before_defaults_are_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, r#"{"settings": "garbage"}"#).unwrap();
        let (value, notice) = load(&path, "settings", "settings", true, decode);
        assert_eq!((value, notice.as_deref()), (0, Some("not a number")));
        let on_disk: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let map = on_disk.as_object().unwrap();
        let backup = map
            .keys()
            .find(|k| k.starts_with("settings.backup-"))
            .unwrap();
        assert_eq!(map[backup], json!("garbage"));
        // Read-only callers (the headless commands) leave the file alone.
        let before = std::fs::read(&path).unwrap();
        std::fs::write(&path, r#"{"settings": "again"}"#).unwrap();
        let _ = load(&path, "settings", "settings", false, decode);
        assert_ne!(std::fs::read(&path).unwrap(), before);
        assert_eq!(std::fs::read(&path).unwrap(), br#"{"settings": "again"}"#);
    }

    fn set_aside_files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".corrupt-"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_torn_file_is_moved_aside_byte_for_byte_and_never_written_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.json");
        // A write cut short: the head of a valid file.
        let torn = br#"{"registry": {"version": 1, "sessions": {"a1": {"name": "my na"#;
        std::fs::write(&path, torn).unwrap();
        let (value, notice) = load(&path, "registry", "registry", true, decode);
        assert_eq!(value, 0);
        let notice = notice.unwrap();
        assert!(
            notice.contains("not JSON") && notice.contains("moved aside as"),
            "{notice}"
        );
        let aside = set_aside_files(dir.path());
        assert_eq!(aside.len(), 1, "{aside:?}");
        assert!(aside[0].starts_with("registry.json.corrupt-"), "{aside:?}");
        assert!(notice.contains(&aside[0]), "the notice names it: {notice}");
        assert_eq!(std::fs::read(dir.path().join(&aside[0])).unwrap(), torn);
        assert!(!path.exists(), "moved, not copied");
        // A save writes a new file; the one set aside is left as it is.
        save(&path, "registry", json!(3)).unwrap();
        assert_eq!(load(&path, "registry", "registry", true, decode), (3, None));
        assert_eq!(std::fs::read(dir.path().join(&aside[0])).unwrap(), torn);
        // A file garbled between load and save is set aside too, never overwritten unseen.
        std::fs::write(&path, b"").unwrap();
        save(&path, "registry", json!(4)).unwrap();
        assert_eq!(set_aside_files(dir.path()).len(), 2);
    }

    #[test]
    fn another_writers_file_is_set_aside_only_when_it_is_unusable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ui-prefs.json");
        assert_eq!(set_aside_if_unusable(&path, "window preferences"), None);
        std::fs::write(&path, br#"{"pool": true}"#).unwrap();
        assert_eq!(set_aside_if_unusable(&path, "window preferences"), None);
        std::fs::write(&path, br#"[1, 2]"#).unwrap();
        let notice = set_aside_if_unusable(&path, "window preferences").unwrap();
        assert!(notice.contains("not a JSON object"), "{notice}");
        assert!(!path.exists());
        let aside = set_aside_files(dir.path());
        assert_eq!(
            std::fs::read(dir.path().join(&aside[0])).unwrap(),
            b"[1, 2]"
        );
    }
}
