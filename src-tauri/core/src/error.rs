//! Typed errors of the core. The app maps each variant to a stable `kind` the UI matches on.

use std::path::PathBuf;

/// Everything the core can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// No `$CLAUDE_CONFIG_DIR` and no home directory to find `~/.claude` in.
    #[error("cannot find the Claude Code config dir: CLAUDE_CONFIG_DIR is not set and there is no home directory")]
    NoHomeDir,

    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// No session with this id exists under the config dir.
    #[error("no session {0} was found in the Claude Code config dir")]
    UnknownSession(String),

    /// The `claude` executable was not found; `tried` lists every place looked at, in order.
    #[error("cannot find the claude CLI; tried: {}", tried.join(", "))]
    ClaudeNotFound {
        /// Human-readable list of the places looked at.
        tried: Vec<String>,
    },

    /// The working directory for a run does not exist (or is not a directory).
    #[error("the project directory {0} does not exist")]
    ProjectDirMissing(PathBuf),

    /// Spawning the CLI failed.
    #[error("cannot start {program}: {source}")]
    Spawn {
        /// The program that was started.
        program: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// The run is not running any more (the process has exited or was closed).
    #[error("the claude process for this run has ended")]
    RunEnded,

    /// A session cannot be resumed; the reason is user-facing.
    #[error("session {id} cannot be resumed: {reason}")]
    NotResumable {
        /// The CLI session id.
        id: String,
        /// Why, in words.
        reason: String,
    },

    /// Invalid input from the caller (an empty prompt, a bad option).
    #[error("{0}")]
    InvalidInput(String),

    /// The pool has as many live sessions as it may; nothing was closed to make room.
    #[error("{max} sessions are already running, the most ccdesk allows at once; close an idle session{} or raise the limit in the settings", idle_hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    PoolFull {
        /// The cap.
        max: usize,
        /// The run id of the session idle the longest, to offer closing it.
        idle_run_id: Option<String>,
        /// That session in words.
        idle_hint: Option<String>,
    },

    /// No live session has this ccdesk run id (closed and removed, or never existed).
    #[error("no live session {0}")]
    UnknownRun(String),

    /// The CLI refused a control request or did not answer it in time.
    #[error("the claude CLI refused the request: {0}")]
    ControlRequest(String),

    /// The search index (in ccdesk's data dir) cannot be used; the transcripts are untouched.
    #[error("the search index cannot be used: {0}")]
    Index(String),
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        CoreError::Index(e.to_string())
    }
}

impl CoreError {
    /// Wraps an `io::Error` with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CoreError::Io {
            path: path.into(),
            source,
        }
    }

    /// A stable machine-readable name of the variant, e.g. `"claude_not_found"`.
    pub fn kind(&self) -> &'static str {
        match self {
            CoreError::NoHomeDir => "no_home_dir",
            CoreError::Io { .. } => "io",
            CoreError::UnknownSession(_) => "unknown_session",
            CoreError::ClaudeNotFound { .. } => "claude_not_found",
            CoreError::ProjectDirMissing(_) => "project_dir_missing",
            CoreError::Spawn { .. } => "spawn_failed",
            CoreError::RunEnded => "run_ended",
            CoreError::NotResumable { .. } => "not_resumable",
            CoreError::InvalidInput(_) => "invalid_input",
            CoreError::PoolFull { .. } => "pool_full",
            CoreError::UnknownRun(_) => "unknown_run",
            CoreError::ControlRequest(_) => "control_request_failed",
            CoreError::Index(_) => "index",
        }
    }
}
