//! The one error type commands return. It serialises as `{"kind": "...", "message": "...",
//! ...}`: the UI matches on `kind` (an [`ErrorKind`], with the data that kind carries beside it,
//! e.g. the idle session a full pool names) and shows `message`.

use std::path::PathBuf;

use ccdesk_core::CoreError;
use serde::Serialize;

/// What kind of failure, with its data. The `kind` strings are [`CoreError::kind`]'s, plus
/// `store` and `internal` for the shell's own failures; `ui/src/bindings.ts` has them as a
/// union the UI switches on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorKind {
    /// No `$CLAUDE_CONFIG_DIR` and no home directory.
    NoHomeDir,
    /// A file or directory could not be read.
    Io {
        /// The path that failed.
        path: PathBuf,
    },
    /// No session with this id or key exists under the config dir.
    UnknownSession {
        /// The id or key asked for.
        id: String,
    },
    /// The `claude` executable was not found.
    ClaudeNotFound {
        /// Every place looked at, in order, in words.
        tried: Vec<String>,
    },
    /// A session's working directory does not exist.
    ProjectDirMissing {
        /// The directory.
        path: PathBuf,
    },
    /// The CLI could not be started.
    SpawnFailed {
        /// The program that was started.
        program: PathBuf,
    },
    /// The session's process has ended.
    RunEnded,
    /// The session cannot be resumed.
    NotResumable {
        /// The CLI session id.
        id: String,
        /// Why, in words.
        reason: String,
    },
    /// The input was refused (`message` names the field).
    InvalidInput,
    /// As many sessions are live as the settings allow.
    #[serde(rename_all = "camelCase")]
    PoolFull {
        /// The cap.
        max: usize,
        /// The run id of the ready session idle the longest, to offer closing it.
        idle_run_id: Option<String>,
        /// That session in words.
        idle_hint: Option<String>,
    },
    /// No live session has this run id.
    #[serde(rename_all = "camelCase")]
    UnknownRun {
        /// The run id asked for.
        run_id: String,
    },
    /// The CLI refused a control request or did not answer in time.
    ControlRequestFailed,
    /// The search index (ccdesk's cache) cannot be used.
    Index,
    /// ccdesk's own files (registry, settings) could not be read or written.
    Store,
    /// A task failed to run to completion (a bug, never the user's input).
    Internal,
}

/// A command's error as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// What kind of failure, with its data (serialised into this object: `kind`, then the
    /// kind's fields).
    #[serde(flatten)]
    pub kind: ErrorKind,
    /// What went wrong, in words.
    pub message: String,
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        tracing::warn!(kind = e.kind(), error = %e, "command failed");
        let message = e.to_string();
        let kind = match e {
            CoreError::NoHomeDir => ErrorKind::NoHomeDir,
            CoreError::Io { path, .. } => ErrorKind::Io { path },
            CoreError::UnknownSession(id) => ErrorKind::UnknownSession { id },
            CoreError::ClaudeNotFound { tried } => ErrorKind::ClaudeNotFound { tried },
            CoreError::ProjectDirMissing(path) => ErrorKind::ProjectDirMissing { path },
            CoreError::Spawn { program, .. } => ErrorKind::SpawnFailed { program },
            CoreError::RunEnded => ErrorKind::RunEnded,
            CoreError::NotResumable { id, reason } => ErrorKind::NotResumable { id, reason },
            CoreError::InvalidInput(_) => ErrorKind::InvalidInput,
            CoreError::PoolFull {
                max,
                idle_run_id,
                idle_hint,
            } => ErrorKind::PoolFull {
                max,
                idle_run_id,
                idle_hint,
            },
            CoreError::UnknownRun(run_id) => ErrorKind::UnknownRun { run_id },
            CoreError::ControlRequest(_) => ErrorKind::ControlRequestFailed,
            CoreError::Index(_) => ErrorKind::Index,
        };
        AppError { kind, message }
    }
}

impl AppError {
    /// ccdesk's own store (registry, settings) could not be read or written.
    pub fn store(message: impl Into<String>) -> Self {
        AppError {
            kind: ErrorKind::Store,
            message: message.into(),
        }
    }

    /// An error that is not the core's: a task that failed to run to completion.
    pub fn internal(message: impl Into<String>) -> Self {
        AppError {
            kind: ErrorKind::Internal,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The `kind` string the UI matches on (`"pool_full"`).
    fn kind_name(e: &AppError) -> String {
        serde_json::to_value(&e.kind).unwrap()["kind"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn every_core_error_keeps_its_kind_and_message() {
        let io = || std::io::Error::other("boom");
        for e in [
            CoreError::NoHomeDir,
            CoreError::io("/x", io()),
            CoreError::UnknownSession("abc".into()),
            CoreError::ClaudeNotFound {
                tried: vec!["PATH".into()],
            },
            CoreError::ProjectDirMissing("/gone".into()),
            CoreError::Spawn {
                program: "/bin/claude".into(),
                source: io(),
            },
            CoreError::RunEnded,
            CoreError::NotResumable {
                id: "s".into(),
                reason: "r".into(),
            },
            CoreError::InvalidInput("bad".into()),
            CoreError::PoolFull {
                max: 2,
                idle_run_id: None,
                idle_hint: None,
            },
            CoreError::UnknownRun("r1".into()),
            CoreError::ControlRequest("no".into()),
            CoreError::Index("locked".into()),
        ] {
            let (kind, message) = (e.kind(), e.to_string());
            let app = AppError::from(e);
            assert_eq!(kind_name(&app), kind);
            let json = serde_json::to_value(&app).unwrap();
            assert_eq!(json["kind"], kind);
            assert_eq!(json["message"], message.as_str());
        }
    }

    #[test]
    fn a_full_pool_names_the_idle_session() {
        let e = AppError::from(CoreError::PoolFull {
            max: 3,
            idle_run_id: Some("run-7".into()),
            idle_hint: Some("fix the build, idle 5 min".into()),
        });
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({
                "kind": "pool_full",
                "max": 3,
                "idleRunId": "run-7",
                "idleHint": "fix the build, idle 5 min",
                "message": e.message,
            })
        );
    }

    #[test]
    fn shell_errors_have_their_own_kinds() {
        assert_eq!(
            serde_json::to_value(AppError::store("disk full")).unwrap(),
            json!({"kind": "store", "message": "disk full"})
        );
        assert_eq!(kind_name(&AppError::internal("x")), "internal");
    }
}
