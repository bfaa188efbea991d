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
    /// The Claude Code config dir; `None`: `$CLAUDE_CONFIG_DIR`, else `~/.claude`.
    pub config_dir: Option<PathBuf>,
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: SETTINGS_VERSION,
            claude_path: None,
            config_dir: None,
            default_model: None,
            default_permission_mode: PermissionMode::Default,
            pool: PoolConfig::default(),
            tray_recent: 10,
            close_to_tray: true,
            notifications: true,
            theme: Theme::System,
            vault: VaultSettings::default(),
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
