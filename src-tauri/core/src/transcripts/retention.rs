//! The CLI's clean-up of old transcripts, read as the CLI reads it, so the list can say which
//! sessions it is about to delete.
//!
//! The CLI (2.1.112 `cli.js`, the clean-up that runs at every start) deletes each
//! `<config>/projects/<dir>/<id>.jsonl` whose **mtime** is older than `cleanupPeriodDays` days
//! (default 30), and with it the `<id>/` dir beside it (subagent transcripts). The period comes
//! from the merged settings: policy (managed) settings first, then the user's
//! `<config>/settings.json`. A value that fails the CLI's check (not a positive integer) makes it
//! skip the clean-up; so does 0.
//!
//! Project settings (`.claude/settings.json` in the dir the CLI starts in) can set the period
//! too, but differ per start dir; ccdesk reads the two sources that hold wherever it starts.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// The CLI's default `cleanupPeriodDays`.
pub const DEFAULT_CLEANUP_PERIOD_DAYS: u32 = 30;

/// How many days before its deletion a session is flagged in the list.
pub const WARN_DAYS: i64 = 7;

/// One day in ms.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The CLI's transcript clean-up as it applies to one config dir.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Retention {
    /// Days a transcript is kept after its last write; `None` when the CLI deletes nothing
    /// (`cleanupPeriodDays` set to 0 or to a value the CLI rejects).
    pub period_days: Option<u32>,
    /// The settings file the period comes from; `None` for the CLI's default.
    pub source: Option<PathBuf>,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            period_days: Some(DEFAULT_CLEANUP_PERIOD_DAYS),
            source: None,
        }
    }
}

impl Retention {
    /// Reads the period for `config_dir`: the managed settings where present (the drop-in dir's
    /// files override the main file, in name order), else `<config_dir>/settings.json`, else the
    /// default. Never fails: an unreadable or malformed file is as if absent (the CLI treats it
    /// the same way).
    pub fn read(config_dir: &Path) -> Retention {
        Retention::read_from(managed_settings_dir().as_deref(), config_dir)
    }

    /// [`Retention::read`] with the managed settings dir given (`None`: no managed settings).
    pub fn read_from(managed_dir: Option<&Path>, config_dir: &Path) -> Retention {
        if let Some(dir) = managed_dir {
            let mut found = None;
            for file in managed_files(dir) {
                if let Some(v) = period_in(&file) {
                    found = Some((v, file));
                }
            }
            if let Some((v, file)) = found {
                return Retention::from_value(v, file);
            }
        }
        let user = config_dir.join("settings.json");
        match period_in(&user) {
            Some(v) => Retention::from_value(v, user),
            None => Retention::default(),
        }
    }

    fn from_value(v: serde_json::Value, source: PathBuf) -> Retention {
        // The CLI's schema: `z.number().int().positive()`; 0 turns the clean-up off; anything
        // else invalid makes it skip the clean-up.
        let period_days = v
            .as_u64()
            .filter(|&d| d > 0)
            .map(|d| u32::try_from(d).unwrap_or(u32::MAX));
        Retention {
            period_days,
            source: Some(source),
        }
    }

    /// When the CLI's clean-up deletes a transcript last written at `modified_ms` (ms since the
    /// Unix epoch): from that moment on, the next CLI start deletes it. `None` when the CLI
    /// deletes nothing.
    pub fn expires_at_ms(&self, modified_ms: i64) -> Option<i64> {
        let days = i64::from(self.period_days?);
        Some(modified_ms.saturating_add(days.saturating_mul(DAY_MS)))
    }

    /// The period and its source in words, e.g. "cleanupPeriodDays 30 in
    /// /home/u/.claude/settings.json" or "the CLI's default of 30 days".
    pub fn describe(&self) -> String {
        match (&self.period_days, &self.source) {
            (Some(d), Some(src)) => format!("cleanupPeriodDays {d} in {}", src.display()),
            (Some(d), None) => format!("the CLI's default of {d} days"),
            (None, Some(src)) => format!("no clean-up: cleanupPeriodDays in {}", src.display()),
            (None, None) => "no clean-up".to_owned(),
        }
    }

    /// The list's words for a session expiring at `expires_at_ms`, seen at `now_ms`: `None`
    /// unless [`Retention::expires_soon`]; else "deleted by the CLI in N days" (N rounded up),
    /// or, once due, "deleted when the CLI next starts".
    pub fn expiry_words(expires_at_ms: i64, now_ms: i64) -> Option<String> {
        if !Retention::expires_soon(expires_at_ms, now_ms) {
            return None;
        }
        let left = expires_at_ms.saturating_sub(now_ms);
        if left <= 0 {
            return Some("deleted when the CLI next starts".to_owned());
        }
        let days = (left + DAY_MS - 1) / DAY_MS;
        Some(format!(
            "deleted by the CLI in {days} day{}",
            if days == 1 { "" } else { "s" }
        ))
    }

    /// Whether a session expiring at `expires_at_ms` is to be flagged at `now_ms` (within
    /// [`WARN_DAYS`], or past: the next CLI start deletes it).
    pub fn expires_soon(expires_at_ms: i64, now_ms: i64) -> bool {
        expires_at_ms.saturating_sub(now_ms) <= WARN_DAYS * DAY_MS
    }
}

/// Now, in ms since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Where the CLI looks for managed (policy) settings on this OS (2.1.112: `/etc/claude-code`,
/// `/Library/Application Support/ClaudeCode`, `C:\Program Files\ClaudeCode`).
pub fn managed_settings_dir() -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        Some(PathBuf::from("/Library/Application Support/ClaudeCode"))
    } else if cfg!(windows) {
        Some(PathBuf::from(r"C:\Program Files\ClaudeCode"))
    } else {
        Some(PathBuf::from("/etc/claude-code"))
    }
}

/// `managed-settings.json`, then `managed-settings.d/*.json` (no dot files) in name order.
fn managed_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = vec![dir.join("managed-settings.json")];
    if let Ok(entries) = std::fs::read_dir(dir.join("managed-settings.d")) {
        let mut more: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(".json") && !n.starts_with('.'))
            })
            .collect();
        more.sort();
        files.extend(more);
    }
    files
}

/// The `cleanupPeriodDays` value of a settings file, if it has one. Settings files are small;
/// anything over 1 MiB or not a regular file is skipped.
fn period_in(path: &Path) -> Option<serde_json::Value> {
    const MAX: u64 = 1 << 20;
    let file = super::paths::open_regular(path).ok()?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX), &mut text).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("cleanupPeriodDays").cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn the_default_is_thirty_days_from_the_last_write() {
        let t = tempfile::tempdir().unwrap();
        let r = Retention::read_from(None, t.path());
        assert_eq!(r, Retention::default());
        assert_eq!(r.expires_at_ms(1_000), Some(1_000 + 30 * DAY_MS));
    }

    #[test]
    fn the_user_settings_file_sets_the_period() {
        let t = tempfile::tempdir().unwrap();
        let user = t.path().join("settings.json");
        write(&user, r#"{"cleanupPeriodDays": 3, "model": "x"}"#);
        let r = Retention::read_from(None, t.path());
        assert_eq!(r.period_days, Some(3));
        assert_eq!(r.source.as_deref(), Some(user.as_path()));
        assert_eq!(r.expires_at_ms(0), Some(3 * DAY_MS));
    }

    #[test]
    fn zero_or_an_invalid_period_deletes_nothing() {
        let t = tempfile::tempdir().unwrap();
        for v in ["0", "-2", "1.5", "\"30\""] {
            write(
                &t.path().join("settings.json"),
                &format!(r#"{{"cleanupPeriodDays": {v}}}"#),
            );
            let r = Retention::read_from(None, t.path());
            assert_eq!(r.period_days, None, "{v}");
            assert_eq!(r.expires_at_ms(5), None);
        }
    }

    #[test]
    fn a_malformed_settings_file_is_the_default() {
        let t = tempfile::tempdir().unwrap();
        write(&t.path().join("settings.json"), "{\"cleanupPeriodDays\": 2");
        assert_eq!(Retention::read_from(None, t.path()), Retention::default());
    }

    #[test]
    fn managed_settings_win_and_drop_ins_override_in_name_order() {
        let t = tempfile::tempdir().unwrap();
        let config = t.path().join("config");
        let managed = t.path().join("managed");
        write(&config.join("settings.json"), r#"{"cleanupPeriodDays": 3}"#);
        write(
            &managed.join("managed-settings.json"),
            r#"{"cleanupPeriodDays": 90}"#,
        );
        let r = Retention::read_from(Some(&managed), &config);
        assert_eq!(r.period_days, Some(90));
        write(
            &managed.join("managed-settings.d/20-b.json"),
            r#"{"cleanupPeriodDays": 14}"#,
        );
        write(
            &managed.join("managed-settings.d/10-a.json"),
            r#"{"cleanupPeriodDays": 7}"#,
        );
        write(
            &managed.join("managed-settings.d/.hidden.json"),
            r#"{"cleanupPeriodDays": 1}"#,
        );
        let r = Retention::read_from(Some(&managed), &config);
        assert_eq!(r.period_days, Some(14));
        assert!(r.source.unwrap().ends_with("20-b.json"));
        // Managed settings without the key leave the user's.
        std::fs::remove_dir_all(&managed).unwrap();
        write(&managed.join("managed-settings.json"), r#"{"model": "m"}"#);
        assert_eq!(
            Retention::read_from(Some(&managed), &config).period_days,
            Some(3)
        );
    }

    #[test]
    fn sessions_within_seven_days_or_past_are_flagged() {
        let now = 100 * DAY_MS;
        assert!(Retention::expires_soon(now + 7 * DAY_MS, now));
        assert!(Retention::expires_soon(now - DAY_MS, now));
        assert!(!Retention::expires_soon(now + 7 * DAY_MS + 1, now));
        assert_eq!(
            Retention::expiry_words(now + 7 * DAY_MS, now).as_deref(),
            Some("deleted by the CLI in 7 days")
        );
        assert_eq!(
            Retention::expiry_words(now + 1, now).as_deref(),
            Some("deleted by the CLI in 1 day")
        );
        assert_eq!(
            Retention::expiry_words(now, now).as_deref(),
            Some("deleted when the CLI next starts")
        );
        assert_eq!(Retention::expiry_words(now + 8 * DAY_MS, now), None);
        assert_eq!(
            Retention::default().describe(),
            "the CLI's default of 30 days"
        );
    }
}
