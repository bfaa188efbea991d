//! ccdesk's settings: one typed, validated, versioned struct (issue 4's settings view edits it;
//! the app stores it with tauri-plugin-store as `{"version":1, ...}`).
//!
//! A stored value of another version, one that does not decode, or one that fails validation is
//! not used: [`Settings::from_stored`] returns the defaults and says why, so the caller can back
//! the old value up and tell the user. Nothing else is lost: missing fields take their defaults.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::CoreError;
use crate::pool::{PermissionMode, PoolConfig};
use crate::transcripts::profiles::{
    check_profile_name, Profile, Profiles, DEFAULT_PROFILE, MAX_PROFILES,
};

/// The settings format this code reads and writes.
pub const SETTINGS_VERSION: u32 = 1;
/// Most recent sessions the tray menu may list.
pub const MAX_TRAY_RECENT: usize = 50;

/// The window's colour scheme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// The transcript vault's settings ([`crate::vault`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct VaultSettings {
    /// Keep a compressed copy of every transcript; `None`: not asked yet (the window asks at its
    /// first start).
    pub enabled: Option<bool>,
    /// Most MiB the copies may take, [`MIN_VAULT_MB`] or more; at the cap no new session is
    /// copied (those copied are kept current).
    pub max_mb: u64,
}

/// The default vault cap, in MiB of compressed copies.
pub const DEFAULT_VAULT_MB: u64 = 4096;

/// The smallest vault cap, in MiB.
pub const MIN_VAULT_MB: u64 = 16;

impl Default for VaultSettings {
    fn default() -> Self {
        VaultSettings {
            enabled: None,
            max_mb: DEFAULT_VAULT_MB,
        }
    }
}

impl VaultSettings {
    /// Whether copies are kept.
    pub fn on(&self) -> bool {
        self.enabled == Some(true)
    }

    /// The cap in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_mb.saturating_mul(1024 * 1024)
    }
}

/// Everything a user can set in ccdesk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Format version ([`SETTINGS_VERSION`]).
    pub version: u32,
    /// The `claude` executable to run; `None`: found automatically.
    pub claude_path: Option<PathBuf>,
    /// The Claude Code config dir; `None`: `$CLAUDE_CONFIG_DIR`, else `~/.claude`. The first of
    /// the config dirs listed ([`Settings::profiles`]).
    pub config_dir: Option<PathBuf>,
    /// The first config dir's name; `None`: [`DEFAULT_PROFILE`].
    pub config_dir_name: Option<String>,
    /// More Claude config dirs listed beside the first (another account's
    /// `CLAUDE_CONFIG_DIR`), each named; at most [`MAX_PROFILES`] in all.
    pub more_config_dirs: Vec<Profile>,
    /// Model for new sessions; `None`: the CLI's default.
    pub default_model: Option<String>,
    /// Permission mode for new sessions.
    pub default_permission_mode: PermissionMode,
    /// The session pool's cap and timeouts.
    pub pool: PoolConfig,
    /// Recent sessions in the tray menu, 1 to [`MAX_TRAY_RECENT`].
    pub tray_recent: usize,
    /// Closing the window keeps ccdesk running in the tray.
    pub close_to_tray: bool,
    /// System notifications when a turn ends or a permission prompt waits while unfocused.
    pub notifications: bool,
    /// Colour scheme.
    pub theme: Theme,
    /// The transcript vault.
    pub vault: VaultSettings,
    /// The terminal "Open in terminal" starts: a program name (looked up on `PATH`), a path, or
    /// `Terminal` / `iTerm` on macOS; `None`: the first of the OS's usual ones
    /// ([`crate::desktop::terminal`]).
    pub terminal: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: SETTINGS_VERSION,
            claude_path: None,
            config_dir: None,
            config_dir_name: None,
            more_config_dirs: Vec::new(),
            default_model: None,
            default_permission_mode: PermissionMode::Default,
            pool: PoolConfig::default(),
            tray_recent: 10,
            close_to_tray: true,
            notifications: true,
            theme: Theme::System,
            vault: VaultSettings::default(),
            terminal: None,
        }
    }
}

impl Settings {
    /// Checks every field.
    ///
    /// Errors: [`CoreError::InvalidInput`] naming the first field that is wrong.
    pub fn validate(&self) -> Result<(), CoreError> {
        let bad = |m: String| Err(CoreError::InvalidInput(format!("settings: {m}")));
        if self.version != SETTINGS_VERSION {
            return bad(format!(
                "version {} is not {SETTINGS_VERSION}",
                self.version
            ));
        }
        if self
            .default_model
            .as_deref()
            .is_some_and(|m| m.trim().is_empty())
        {
            return bad("the default model is blank (leave it unset for the CLI's default)".into());
        }
        if self
            .claude_path
            .as_deref()
            .is_some_and(|p| p.as_os_str().is_empty())
        {
            return bad(
                "the claude path is empty (leave it unset to find it automatically)".into(),
            );
        }
        // A relative path would depend on the directory ccdesk happens to be started from.
        if self
            .terminal
            .as_deref()
            .is_some_and(|p| p.as_os_str().is_empty())
        {
            return bad("the terminal is empty (leave it unset to find one automatically)".into());
        }
        for (what, path) in [
            ("the claude path", &self.claude_path),
            ("the config dir", &self.config_dir),
        ] {
            if let Some(p) = path.as_deref().filter(|p| !p.as_os_str().is_empty()) {
                if !p.is_absolute() {
                    return bad(format!(
                        "{what} must be an absolute path, not {}",
                        p.display()
                    ));
                }
            }
        }
        self.validate_config_dirs()
            .map_err(|m| CoreError::InvalidInput(format!("settings: {m}")))?;
        if !(1..=MAX_TRAY_RECENT).contains(&self.tray_recent) {
            return bad(format!(
                "the tray lists 1 to {MAX_TRAY_RECENT} recent sessions, not {}",
                self.tray_recent
            ));
        }
        if self.vault.max_mb < MIN_VAULT_MB {
            return bad(format!(
                "the vault's cap is {} MiB, below the smallest, {MIN_VAULT_MB} MiB",
                self.vault.max_mb
            ));
        }
        self.pool.validate()
    }

    /// The config dirs' names (unique, [`check_profile_name`]), the further dirs absolute and
    /// each listed once.
    fn validate_config_dirs(&self) -> Result<(), String> {
        if self.more_config_dirs.len() + 1 > MAX_PROFILES {
            return Err(format!("list at most {MAX_PROFILES} config dirs"));
        }
        let first = self.config_dir_name.as_deref().unwrap_or(DEFAULT_PROFILE);
        check_profile_name(first)?;
        let mut names = vec![first];
        let mut dirs: Vec<&std::path::Path> =
            self.config_dir.iter().map(PathBuf::as_path).collect();
        for p in &self.more_config_dirs {
            check_profile_name(&p.name)?;
            if names.contains(&p.name.as_str()) {
                return Err(format!("two config dirs are named {:?}", p.name));
            }
            names.push(&p.name);
            if !p.config_dir.is_absolute() {
                return Err(format!(
                    "the config dir {:?} must be an absolute path, not {}",
                    p.name,
                    p.config_dir.display()
                ));
            }
            if dirs.contains(&p.config_dir.as_path()) {
                return Err(format!(
                    "the config dir {} is listed twice",
                    p.config_dir.display()
                ));
            }
            dirs.push(&p.config_dir);
        }
        Ok(())
    }

    /// The config dirs to list: the first (`config_dir`, else `found`, the one
    /// `$CLAUDE_CONFIG_DIR` or `~/.claude` names) and then [`Settings::more_config_dirs`]; one
    /// that repeats an earlier dir is left out.
    pub fn profiles(&self, found: PathBuf) -> Profiles {
        let mut list = vec![Profile {
            name: self
                .config_dir_name
                .clone()
                .unwrap_or_else(|| DEFAULT_PROFILE.to_owned()),
            config_dir: self.config_dir.clone().unwrap_or(found),
        }];
        for p in &self.more_config_dirs {
            if !list
                .iter()
                .any(|q| q.config_dir == p.config_dir || q.name == p.name)
            {
                list.push(p.clone());
            }
        }
        Profiles::new(list.clone()).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "config dirs: only the first is listed");
            Profiles::single(list.swap_remove(0).config_dir)
        })
    }

    /// Decodes what the store held. `None` (nothing stored yet) gives the defaults. A value of
    /// another version, one that does not decode, or one that fails [`Settings::validate`] gives
    /// the defaults and the reason in words, for the caller to back the value up and tell the user.
    pub fn from_stored(value: Option<Value>) -> (Settings, Option<String>) {
        let Some(value) = value else {
            return (Settings::default(), None);
        };
        let version = value.get("version").and_then(Value::as_u64);
        if version != Some(u64::from(SETTINGS_VERSION)) {
            return (
                Settings::default(),
                Some(format!(
                    "the settings were written by another ccdesk (version {}); defaults are used and the old settings were kept as a backup",
                    version.map_or("none".to_owned(), |v| v.to_string())
                )),
            );
        }
        let decoded = serde_json::from_value::<Settings>(value)
            .map_err(|e| e.to_string())
            .and_then(|s| s.validate().map(|()| s).map_err(|e| e.to_string()));
        match decoded {
            Ok(s) => (s, None),
            Err(e) => (
                Settings::default(),
                Some(format!(
                    "the settings could not be used ({e}); defaults are used and the old settings were kept as a backup"
                )),
            ),
        }
    }

    /// The settings as stored.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let s = Settings::default();
        assert!(s.validate().is_ok());
        let (back, notice) = Settings::from_stored(Some(s.to_value()));
        assert_eq!(back, s);
        assert!(notice.is_none());
        assert_eq!(Settings::from_stored(None), (Settings::default(), None));
    }

    #[test]
    fn missing_fields_take_defaults_and_nothing_else_is_lost() {
        let (s, notice) = Settings::from_stored(Some(
            json!({"version": 1, "theme": "dark", "pool": {"maxSessions": 3}}),
        ));
        assert!(notice.is_none());
        assert_eq!(s.theme, Theme::Dark);
        assert_eq!(s.pool.max_sessions, 3);
        assert_eq!(s.pool.ttl_ms, PoolConfig::default().ttl_ms);
        assert_eq!(s.tray_recent, 10);
    }

    #[test]
    fn the_config_dirs_are_the_first_then_the_more() {
        let s = Settings::default();
        let one = s.profiles(PathBuf::from("/h/.claude"));
        assert_eq!(one.names(), [DEFAULT_PROFILE]);
        assert_eq!(one.first().config_dir, PathBuf::from("/h/.claude"));
        let (s, notice) = Settings::from_stored(Some(json!({
            "version": 1,
            "configDirName": "personal",
            "moreConfigDirs": [
                {"name": "work", "configDir": "/h/.claude-work"},
                {"name": "again", "configDir": "/h/.claude"}
            ]
        })));
        assert!(notice.is_none(), "{notice:?}");
        let two = s.profiles(PathBuf::from("/h/.claude"));
        // The automatic first dir repeated is listed once.
        assert_eq!(two.names(), ["personal", "work"]);
        assert_eq!(
            two.get(1).map(|p| p.config_dir.clone()),
            Some("/h/.claude-work".into())
        );
    }

    #[test]
    fn corrupt_foreign_or_invalid_settings_fall_back_with_a_reason() {
        for (stored, says) in [
            (json!({"version": 2}), "version 2"),
            (json!({"theme": "dark"}), "version none"),
            (
                json!({"version": 1, "theme": "purple"}),
                "could not be used",
            ),
            (json!({"version": 1, "trayRecent": 0}), "tray"),
            (
                json!({"version": 1, "defaultPermissionMode": "bypassPermissions"}),
                "bypassPermissions",
            ),
            (
                json!({"version": 1, "pool": {"firstChunkTimeoutMs": 999999}}),
                "first-chunk",
            ),
            (json!({"version": 1, "defaultModel": "  "}), "blank"),
            (
                json!({"version": 1, "claudePath": "bin/claude"}),
                "absolute",
            ),
            (json!({"version": 1, "configDir": ".claude"}), "absolute"),
            (json!({"version": 1, "vault": {"maxMb": 1}}), "vault's cap"),
            (
                json!({"version": 1, "moreConfigDirs": [{"name": "w", "configDir": "rel"}]}),
                "absolute",
            ),
            (
                json!({"version": 1, "moreConfigDirs": [{"name": "default", "configDir": "/w"}]}),
                "named",
            ),
            (
                json!({"version": 1, "configDir": "/w", "moreConfigDirs": [{"name": "w", "configDir": "/w"}]}),
                "twice",
            ),
            (json!({"version": 1, "configDirName": "a/b"}), "use letters"),
            (
                json!({"version": 1, "pool": {"reconnectAttempts": 1000}}),
                "retries",
            ),
            (
                json!({"version": 1, "pool": {"reconnectBackoffMs": 86400000}}),
                "back-off",
            ),
        ] {
            let (s, notice) = Settings::from_stored(Some(stored.clone()));
            assert_eq!(s, Settings::default(), "{stored}");
            let notice = notice.unwrap_or_default();
            assert!(notice.contains(says), "{stored}: {notice}");
            assert!(notice.contains("backup"), "{notice}");
        }
    }
}
