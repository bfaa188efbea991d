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
