//! What a live session reports: its state, its metrics, and the events the UI receives.

use crate::ids::{RunId, SessionId};
use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use super::permission::PermissionRequest;
use crate::claude::runner::RunExit;
use crate::claude::stream::StreamEvent;

/// Lifecycle state of a live session. Serialized as `{"state":"streaming"}`, failed with
/// `{"state":"failed","kind":"first_chunk_timeout","message":".."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum SessionState {
    /// The process was started and has not printed `system/init` yet.
    Connecting,
    /// Idle between turns; the process is alive and takes the next prompt at once.
    Ready,
    /// A turn is running.
    Streaming,
    /// A turn is waiting for the user's answer to a permission prompt.
    WaitingForPermission,
    /// An interrupt is under way.
    Interrupting,
    /// The process ended normally or was closed by the user. The session stays resumable.
    Closed,
    /// The process ended with an error, or could not be started.
    #[serde(rename_all = "camelCase")]
    Failed {
        /// Stable kind: a [`crate::CoreError::kind`], `cli_error`, `crashed`, `first_chunk_timeout`.
        kind: String,
        /// What happened, in words.
        message: String,
    },
    /// Idle past its TTL: the process was closed; the next prompt resumes the session.
    Expired,
}

impl SessionState {
    /// True while a process is alive for the session (what counts against the pool's cap).
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            SessionState::Connecting
                | SessionState::Ready
                | SessionState::Streaming
                | SessionState::WaitingForPermission
                | SessionState::Interrupting
        )
    }

    /// True while a turn is under way (output expected).
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            SessionState::Connecting
                | SessionState::Streaming
                | SessionState::WaitingForPermission
                | SessionState::Interrupting
        )
    }

    /// The state's name as serialized (`"waitingForPermission"`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            SessionState::Connecting => "connecting",
            SessionState::Ready => "ready",
            SessionState::Streaming => "streaming",
            SessionState::WaitingForPermission => "waitingForPermission",
            SessionState::Interrupting => "interrupting",
            SessionState::Closed => "closed",
            SessionState::Failed { .. } => "failed",
            SessionState::Expired => "expired",
        }
    }
}

/// Token counts summed over a session's `result` lines (`usage` of CLI 2.1.x results).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    /// `input_tokens`.
    pub input: u64,
    /// `output_tokens`.
    pub output: u64,
    /// `cache_read_input_tokens`.
    pub cache_read: u64,
    /// `cache_creation_input_tokens`.
    pub cache_creation: u64,
}

/// A live session as the UI shows it: identity, state and metrics. Times are ms since the Unix
/// epoch; ages and idle times in ms.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// ccdesk's id of the live session (stable across reconnects).
    pub run_id: RunId,
    /// The CLI session id, once `system/init` gave it (a fork changes it).
    pub session_id: Option<SessionId>,
    /// The project dir the process runs in.
    pub cwd: PathBuf,
    /// Lifecycle state, flattened: `state` plus `kind`/`message` when failed.
    #[serde(flatten)]
    pub state: SessionState,
    /// Model from the last `init`, or the one asked for.
    pub model: Option<String>,
    /// Permission mode in force.
    pub permission_mode: String,
    /// OS process id of the current process, while one is alive.
    pub pid: Option<u32>,
    /// When ccdesk created the session, ms since the epoch.
    pub created_at_ms: u64,
    /// When a prompt was last sent, ms since the epoch.
    pub last_used_at_ms: u64,
    /// Now minus `created_at_ms`, at the time of the snapshot.
    pub age_ms: u64,
    /// Now minus `last_used_at_ms`, at the time of the snapshot.
    pub idle_ms: u64,
    /// Turns completed (`result` lines).
    pub turns: u64,
    /// Prompts sent.
    pub messages_in: u64,
    /// Assistant messages received (distinct `message.id`s).
    pub messages_out: u64,
    /// Tokens, summed over results.
    pub tokens: Tokens,
    /// Cost in USD: the sum over processes of each one's last `total_cost_usd`.
    pub cost_usd: f64,
    /// Sum of the results' `duration_ms`.
    pub duration_ms: u64,
    /// Error results and failed processes.
    pub errors: u64,
    /// stdout bytes read from all of the session's processes.
    pub bytes_streamed: u64,
    /// Processes started after the first (reconnects, replacements).
    pub reconnects: u32,
    /// True once the running turn passed `stuck_after_ms`.
    pub stuck: bool,
    /// True in the last report about a session that left the pool: it had ended (closed,
    /// expired or failed) and nothing happened to it for [`super::RETIRE_AFTER_MS`]. It is gone
    /// from snapshots and takes no prompt; resuming its CLI session starts a new live session.
    pub retired: bool,
    /// Permission prompts waiting for an answer, oldest first.
    pub pending_permissions: Vec<PermissionRequest>,
    /// Output lines of replaced processes that were dropped so they could not leak into the
    /// next turn.
    pub stale_lines_dropped: u64,
    /// Whether the current process can rewind files to before a turn (the control request
    /// `rewind_files`, CLI 2.1.x with file checkpointing, which the pool turns on): asked with a
    /// dry run right after `initialize`; false until the process answered, and for a CLI that
    /// does not know the request or has checkpointing turned off.
    pub rewind_files: bool,
}

impl SessionInfo {
    /// A session that has just been created: `connecting`, no process, every counter at zero;
    /// `created_at_ms` (ms since the epoch) is also its last use.
    pub fn new(
        run_id: RunId,
        session_id: Option<SessionId>,
        cwd: PathBuf,
        model: Option<String>,
        permission_mode: String,
        created_at_ms: u64,
    ) -> Self {
        SessionInfo {
            run_id,
            session_id,
            cwd,
            state: SessionState::Connecting,
            model,
            permission_mode,
            pid: None,
            created_at_ms,
            last_used_at_ms: created_at_ms,
            age_ms: 0,
            idle_ms: 0,
            turns: 0,
            messages_in: 0,
            messages_out: 0,
            tokens: Tokens::default(),
            cost_usd: 0.0,
            duration_ms: 0,
            errors: 0,
            bytes_streamed: 0,
            reconnects: 0,
            stuck: false,
            retired: false,
            pending_permissions: Vec::new(),
            stale_lines_dropped: 0,
            rewind_files: false,
        }
    }
}

/// What the CLI said about rewinding a live session's files to before a prompt (the control
/// request `rewind_files`; its answer `{canRewind, filesChanged?, insertions?, deletions?}`,
/// CLI 2.1.112 `cli.js`).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RewindOutcome {
    /// Whether this was a dry run (nothing changed on disk; the figures say what would).
    pub dry_run: bool,
    /// The files the rewind changes (or changed), as the CLI names them (absolute paths);
    /// empty after a real rewind, whose answer lists nothing.
    pub files_changed: Vec<String>,
    /// Lines the rewind puts back (a dry run's figure).
    pub insertions: u64,
    /// Lines the rewind takes out (a dry run's figure).
    pub deletions: u64,
}

impl RewindOutcome {
    /// Reads the CLI's answer to `rewind_files`.
    ///
    /// Errors: the CLI's reason when it says the rewind cannot be done (`canRewind: false`).
    pub fn from_answer(answer: &serde_json::Value, dry_run: bool) -> Result<Self, String> {
        if answer.get("canRewind").and_then(serde_json::Value::as_bool) != Some(true) {
            return Err(answer
                .get("error")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("the CLI cannot rewind to this prompt")
                .to_owned());
        }
        let count = |k: &str| {
            answer
                .get(k)
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0)
        };
        Ok(RewindOutcome {
            dry_run,
            files_changed: answer
                .get("filesChanged")
                .and_then(serde_json::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(serde_json::Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            insertions: count("insertions"),
            deletions: count("deletions"),
        })
    }
}

/// The whole pool, for the pool view.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PoolSnapshot {
    /// Every session the pool holds, newest first.
    pub sessions: Vec<SessionInfo>,
    /// Count per state name.
    pub by_state: BTreeMap<String, usize>,
    /// Sessions with a live process.
    pub live: usize,
    /// The cap ([`super::PoolConfig::max_sessions`]).
    pub max_sessions: usize,
    /// Sessions created since the pool started.
    pub total_created: u64,
}

/// How an interrupt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum InterruptOutcome {
    /// Nothing was running.
    NotRunning,
    /// The CLI ended the turn; the process lives on, ready for the next prompt.
    TurnEnded,
    /// The process had to be signalled and has ended; the next prompt resumes the session.
    ProcessEnded,
}

/// Why a permission prompt went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Resolution {
    /// The user answered it.
    Answered,
    /// The CLI withdrew it (`control_cancel_request`).
    Cancelled,
    /// The turn was interrupted or the process ended.
    Abandoned,
}

/// What a live session sends to the UI, in order. Serialized with an `event` tag:
/// `cli` (`line`: the CLI's JSON line as printed), `malformed` (`preview`), `state` (`info`),
/// `permission` (`request`), `permissionResolved` (`requestId`, `resolution`), `metrics` (`info`),
/// `warning` (`code`, `message`), `exited` (the [`RunExit`] fields).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum SessionEvent {
    /// One stdout line of the CLI.
    Cli {
        /// The line as the CLI printed it (a JSON object).
        #[specta(type = serde_json::Map<String, serde_json::Value>)]
        line: StreamEvent,
    },
    /// A stdout line that was not JSON: skipped and counted.
    Malformed {
        /// Its first 200 chars.
        preview: String,
    },
    /// The state changed.
    State {
        /// The session after the change.
        info: Box<SessionInfo>,
    },
    /// A tool call waits for the user.
    Permission {
        /// The request.
        request: Box<PermissionRequest>,
    },
    /// A permission prompt went away.
    #[serde(rename_all = "camelCase")]
    PermissionResolved {
        /// Its request id.
        request_id: String,
        /// Why.
        resolution: Resolution,
    },
    /// Metrics changed (after each `result`).
    Metrics {
        /// The session now.
        info: Box<SessionInfo>,
    },
    /// Something the user should know that is not a state change (ongoing timeout, stuck turn,
    /// reconnect attempt).
    Warning {
        /// Stable code: `ongoing_timeout`, `stuck`, `reconnecting`.
        code: String,
        /// In words.
        message: String,
    },
    /// One of the session's processes ended and its output was read to EOF.
    Exited(RunExit),
}

/// Usage numbers from a `result` line: `(tokens, cost, duration)`.
pub(crate) fn result_usage(raw: &Value) -> (Tokens, Option<f64>, u64) {
    let u = raw.get("usage");
    let n = |k: &str| {
        u.and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    (
        Tokens {
            input: n("input_tokens"),
            output: n("output_tokens"),
            cache_read: n("cache_read_input_tokens"),
            cache_creation: n("cache_creation_input_tokens"),
        },
        raw.get("total_cost_usd").and_then(Value::as_f64),
        raw.get("duration_ms").and_then(Value::as_u64).unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_serialize_with_a_tag() {
        let v = serde_json::to_value(SessionState::Failed {
            kind: "crashed".into(),
            message: "exit 3".into(),
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"state":"failed","kind":"crashed","message":"exit 3"})
        );
        assert_eq!(
            serde_json::to_value(SessionState::WaitingForPermission).unwrap()["state"],
            SessionState::WaitingForPermission.name()
        );
    }

    #[test]
    fn usage_is_read_from_a_result() {
        let raw = serde_json::json!({"type":"result","duration_ms":388,"total_cost_usd":0.5,
            "usage":{"input_tokens":3,"output_tokens":4,"cache_read_input_tokens":5,"cache_creation_input_tokens":6}});
        let (t, cost, d) = result_usage(&raw);
        assert_eq!(
            t,
            Tokens {
                input: 3,
                output: 4,
                cache_read: 5,
                cache_creation: 6
            }
        );
        assert_eq!(cost, Some(0.5));
        assert_eq!(d, 388);
    }
}
