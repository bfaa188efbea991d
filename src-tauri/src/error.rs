//! The one error type commands return: serialised as `{ "kind": "...", "message": "..." }` so the
//! UI can match on `kind` and show `message`.

use ccdesk_core::CoreError;
use serde::Serialize;

/// A command's error as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// Stable machine-readable kind, e.g. `claude_not_found` (see [`CoreError::kind`]).
    pub kind: &'static str,
    /// What went wrong, in words.
    pub message: String,
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        tracing::warn!(kind = e.kind(), error = %e, "command failed");
        AppError {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

impl AppError {
    /// ccdesk's own store (registry, settings) could not be read or written.
    pub fn store(message: impl Into<String>) -> Self {
        AppError {
            kind: "store",
            message: message.into(),
        }
    }

    /// An error that is not the core's: a task that failed to run to completion.
    pub fn internal(message: impl Into<String>) -> Self {
        AppError {
            kind: "internal",
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_kind_and_message() {
        let e = AppError::from(CoreError::UnknownSession("abc".into()));
        assert_eq!(e.kind, "unknown_session");
        assert!(e.message.contains("abc"));
        let json = serde_json::to_value(&e).ok();
        assert_eq!(
            json,
            Some(serde_json::json!({"kind": "unknown_session", "message": e.message}))
        );
    }
}
