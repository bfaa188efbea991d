//! ccdesk's own registry of sessions: what ccdesk knows beyond the CLI's transcripts (run
//! history, names given by the user, pins, the last state seen). Kept by the app in its own
//! store (tauri-plugin-store, `registry.json` in ccdesk's data dir) and restored at start; the
//! transcripts under the CLI's config dir are never written.
//!
//! Stored as JSON `{"version":1,"sessions":{"<cli session id>":{..RegistryEntry}}}`. A file of
//! another version, or one that does not decode, is not trusted: [`Registry::from_stored`]
//! starts empty and says why, and the caller keeps a copy of the old file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pool::SessionInfo;

/// The registry format this code writes.
pub const REGISTRY_VERSION: u32 = 1;
/// Runs kept per session in [`RegistryEntry::history`] (the oldest are dropped).
pub const HISTORY_LIMIT: usize = 50;

/// One run (one live session of ccdesk's pool) as remembered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    /// ccdesk's run id.
    pub run_id: String,
    /// When it started, ms since the epoch.
    pub started_at_ms: u64,
    /// Last change seen, ms since the epoch.
    pub updated_at_ms: u64,
    /// Its state at that time (`ready`, `closed`, `failed`, ...).
    pub state: String,
    /// Turns completed.
    pub turns: u64,
    /// Cost in USD as the CLI reported it.
    pub cost_usd: f64,
}

/// What ccdesk remembers of one CLI session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct RegistryEntry {
    /// A name the user gave it (shown instead of the title).
    pub name: Option<String>,
    /// Pinned to the top of its project.
    pub pinned: bool,
    /// The project dir it ran in.
    pub cwd: Option<PathBuf>,
    /// Its last state seen by ccdesk.
    pub last_state: Option<String>,
    /// When ccdesk last ran it, ms since the epoch.
    pub last_run_at_ms: u64,
    /// Runs through ccdesk, newest last, at most [`HISTORY_LIMIT`].
    pub history: Vec<RunRecord>,
}

/// The registry: entries by CLI session id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Registry {
    /// Format version ([`REGISTRY_VERSION`]).
    pub version: u32,
    /// Entries by CLI session id.
    pub sessions: BTreeMap<String, RegistryEntry>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            version: REGISTRY_VERSION,
            sessions: BTreeMap::new(),
        }
    }
}

impl Registry {
    /// Decodes what the store held. `None` (nothing stored) gives an empty registry. A value
    /// that does not decode, or of another version, gives an empty registry and the reason, for
    /// the caller to tell the user and back the old value up.
    pub fn from_stored(value: Option<Value>) -> (Registry, Option<String>) {
        let Some(value) = value else {
            return (Registry::default(), None);
        };
        let version = value.get("version").and_then(Value::as_u64);
        if version != Some(u64::from(REGISTRY_VERSION)) {
            return (
                Registry::default(),
                Some(format!(
                    "the session registry has version {}, this ccdesk reads version {REGISTRY_VERSION}; starting a new one",
                    version.map_or("none".to_owned(), |v| v.to_string())
                )),
            );
        }
        match serde_json::from_value(value) {
            Ok(r) => (r, None),
            Err(e) => (
                Registry::default(),
                Some(format!(
                    "the session registry could not be read ({e}); starting a new one"
                )),
            ),
        }
    }

    /// Records a live session's change; returns true when the registry changed (worth saving).
    /// Sessions without a CLI session id yet are not recorded; streaming states only update
    /// the history when they differ from what is stored.
    pub fn record(&mut self, info: &SessionInfo) -> bool {
        let Some(id) = &info.session_id else {
            return false;
        };
        let entry = self.sessions.entry(id.to_string()).or_default();
        let state = info.state.name().to_owned();
        let before = entry.clone();
        entry.cwd = Some(info.cwd.clone());
        entry.last_state = Some(state.clone());
        entry.last_run_at_ms = info.last_used_at_ms.max(info.created_at_ms);
        let record = RunRecord {
            run_id: info.run_id.to_string(),
            started_at_ms: info.created_at_ms,
            updated_at_ms: crate::pool::now_ms(),
            state,
            turns: info.turns,
            cost_usd: info.cost_usd,
        };
        match entry
            .history
            .iter_mut()
            .find(|r| info.run_id == r.run_id.as_str())
        {
            Some(r) => {
                let unchanged = r.state == record.state
                    && r.turns == record.turns
                    && r.cost_usd == record.cost_usd;
                if unchanged {
                    // Only the time would change: not worth a write.
                    return *entry != before;
                }
                *r = record;
            }
            None => {
                entry.history.push(record);
                let extra = entry.history.len().saturating_sub(HISTORY_LIMIT);
                entry.history.drain(..extra);
            }
        }
        *entry != before
    }

    /// Names a session (an empty or blank name removes the name).
    pub fn rename(&mut self, session_id: &str, name: &str) {
        let name = name.trim();
        let entry = self.sessions.entry(session_id.to_owned()).or_default();
        entry.name = (!name.is_empty()).then(|| name.chars().take(200).collect());
    }

    /// Pins or unpins a session.
    pub fn pin(&mut self, session_id: &str, pinned: bool) {
        self.sessions
            .entry(session_id.to_owned())
            .or_default()
            .pinned = pinned;
    }

    /// Session ids ccdesk ran most recently, newest first, at most `n`.
    pub fn recent(&self, n: usize) -> Vec<(&str, &RegistryEntry)> {
        let mut all: Vec<(&str, &RegistryEntry)> = self
            .sessions
            .iter()
            .filter(|(_, e)| e.last_run_at_ms > 0)
            .map(|(k, e)| (k.as_str(), e))
            .collect();
        all.sort_by_key(|(_, e)| std::cmp::Reverse(e.last_run_at_ms));
        all.truncate(n);
        all
    }

    /// The registry as stored.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::SessionState;

    fn info(state: SessionState, turns: u64) -> SessionInfo {
        SessionInfo {
            state,
            last_used_at_ms: 2_000,
            turns,
            messages_in: turns,
            messages_out: turns,
            cost_usd: 0.5,
            ..SessionInfo::new(
                crate::ids::RunId::parse("run-1").unwrap(),
                Some(crate::ids::SessionId::parse("s1").unwrap()),
                "/p".into(),
                None,
                "default".into(),
                1_000,
            )
        }
    }

    #[test]
    fn runs_are_recorded_once_and_updated() {
        let mut r = Registry::default();
        assert!(r.record(&info(SessionState::Streaming, 0)));
        assert!(!r.record(&info(SessionState::Streaming, 0)), "nothing new");
        assert!(r.record(&info(SessionState::Ready, 1)));
        let e = &r.sessions["s1"];
        assert_eq!(e.history.len(), 1);
        assert_eq!(e.history[0].turns, 1);
        assert_eq!(e.last_state.as_deref(), Some("ready"));
        assert_eq!(r.recent(10).len(), 1);
        let mut no_id = info(SessionState::Connecting, 0);
        no_id.session_id = None;
        assert!(!r.record(&no_id));
    }

    #[test]
    fn names_and_pins_survive_a_round_trip() {
        let mut r = Registry::default();
        r.rename("s1", "  my fix  ");
        r.pin("s1", true);
        r.rename("s2", "x");
        r.rename("s2", "   ");
        let (back, warning) = Registry::from_stored(Some(r.to_value()));
        assert!(warning.is_none());
        assert_eq!(back.sessions["s1"].name.as_deref(), Some("my fix"));
        assert!(back.sessions["s1"].pinned);
        assert_eq!(back.sessions["s2"].name, None);
    }

    #[test]
    fn a_corrupt_or_foreign_registry_starts_empty_with_a_reason() {
        let (r, w) = Registry::from_stored(Some(serde_json::json!({"version": 99})));
        assert!(r.sessions.is_empty());
        assert!(w.is_some_and(|w| w.contains("version 99")));
        let (r, w) =
            Registry::from_stored(Some(serde_json::json!({"version": 1, "sessions": "nope"})));
        assert!(r.sessions.is_empty());
        assert!(w.is_some_and(|w| w.contains("could not be read")));
        let (r, w) = Registry::from_stored(None);
        assert!(r.sessions.is_empty() && w.is_none());
    }

    #[test]
    fn history_is_bounded() {
        let mut r = Registry::default();
        for i in 0..(HISTORY_LIMIT + 5) {
            let mut x = info(SessionState::Closed, 1);
            x.run_id = crate::ids::RunId::parse(&format!("run-{i}")).unwrap();
            r.record(&x);
        }
        assert_eq!(r.sessions["s1"].history.len(), HISTORY_LIMIT);
        assert_eq!(r.sessions["s1"].history[0].run_id, "run-5");
    }
}
