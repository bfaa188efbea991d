//! ccdesk's own files: its typed, validated, versioned settings ([`settings`]) and its memory of
//! sessions: names, pins, run history ([`registry`]).
//!
//! Owns: the shapes of those files, how an old or broken one is read (a notice, never a crash,
//! never a silent loss) and how they are written: atomically, by [`mod@file`].

pub mod file;
pub mod registry;
pub mod settings;

/// ccdesk's app identifier (`identifier` in `tauri.conf.json`): the name of its data dir.
pub const APP_IDENTIFIER: &str = "dev.ccdesk.app";

/// ccdesk's data dir, `<data dir>/<identifier>` (Linux `$XDG_DATA_HOME` or `~/.local/share`,
/// macOS `~/Library/Application Support`, Windows `%APPDATA%`); `None` when the OS names none.
/// Never under the CLI's config dir.
pub fn data_dir() -> Option<std::path::PathBuf> {
    Some(dirs::data_dir()?.join(APP_IDENTIFIER))
}

/// Where the session locks for sessions of `config_dir` are taken ([`crate::pool::writer`]):
/// `<data dir>/locks/<config dir key>`; `None` when the OS names no data dir.
pub fn session_locks_dir(config_dir: &std::path::Path) -> Option<std::path::PathBuf> {
    Some(data_dir()?.join("locks").join(config_dir_key(config_dir)))
}

/// A short name for a Claude config dir, for ccdesk's per-config-dir files (the index cache, the
/// session locks): FNV-1a (64 bits) of its path's bytes, as 16 hex digits.
pub fn config_dir_key(config_dir: &std::path::Path) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in config_dir.as_os_str().as_encoded_bytes() {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The settings' file in the data dir (`settings.json`) and its key (`settings`).
pub const SETTINGS_FILE: (&str, &str) = ("settings.json", "settings");

/// Where the window keeps its settings: `settings.json` in [`data_dir`].
pub fn settings_file() -> Option<std::path::PathBuf> {
    Some(data_dir()?.join(SETTINGS_FILE.0))
}

/// The settings as the window last saved them, read without the app (for the headless
/// commands), never written: a missing file gives the defaults; one that cannot be used gives the
/// defaults and the reason (the window keeps a backup of it when it next starts).
pub fn read_settings() -> (settings::Settings, Option<String>) {
    match settings_file() {
        Some(path) => file::load(
            &path,
            SETTINGS_FILE.1,
            "settings",
            false,
            settings::Settings::from_stored,
        ),
        None => (settings::Settings::default(), None),
    }
}
