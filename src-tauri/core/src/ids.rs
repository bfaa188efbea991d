//! The two ids ccdesk passes around, as types that can only hold a valid value: a CLI session id
//! ([`SessionId`]) and ccdesk's id of a live session ([`RunId`]). Both are checked where they
//! enter (a command's arguments, the command line, a file name): serde decodes them through
//! [`SessionId::parse`] / [`RunId::parse`], so a bad id is refused before any code sees it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// Longest id accepted, in bytes (a UUID is 36).
const MAX_ID_BYTES: usize = 128;

fn check(what: &str, s: &str) -> Result<(), CoreError> {
    let ok = !s.is_empty()
        && s.len() <= MAX_ID_BYTES
        && !s.starts_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        let shown: String = s.chars().take(40).collect();
        Err(CoreError::InvalidInput(format!(
            "{shown:?} is not a {what}: 1 to {MAX_ID_BYTES} letters, digits, `-` or `_`, not starting with `-`"
        )))
    }
}

/// A Claude Code session id: the stem of a transcript file (`<id>.jsonl`) and what
/// `claude --resume <id>` takes. The CLI writes v4 UUIDs (CLI 1.0.x and 2.1.x alike).
///
/// Valid: 1 to 128 ASCII letters, digits, `-` or `_`, not starting with `-`. So it is always one
/// plain file name (no separator, no `.` or `..`), and never taken for an option on a command
/// line. Serialized as the plain string.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(try_from = "String", into = "String")]
#[specta(type = String)]
pub struct SessionId(String);

impl SessionId {
    /// `s` as a session id.
    ///
    /// Errors: [`CoreError::InvalidInput`] saying what a session id is.
    pub fn parse(s: &str) -> Result<SessionId, CoreError> {
        check("session id", s)?;
        Ok(SessionId(s.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// ccdesk's id of a live session in the pool (a v4 UUID it made), stable across the session's
/// processes. Same rules as [`SessionId`]; serialized as the plain string.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(try_from = "String", into = "String")]
#[specta(type = String)]
pub struct RunId(String);

impl RunId {
    /// `s` as a run id.
    ///
    /// Errors: [`CoreError::InvalidInput`] saying what a run id is.
    pub fn parse(s: &str) -> Result<RunId, CoreError> {
        check("run id", s)?;
        Ok(RunId(s.to_owned()))
    }

    /// A new, random run id.
    pub fn new_random() -> RunId {
        RunId(uuid::Uuid::new_v4().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_like {
    ($t:ty) => {
        impl TryFrom<String> for $t {
            type Error = CoreError;
            fn try_from(s: String) -> Result<Self, CoreError> {
                <$t>::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(id: $t) -> String {
                id.0
            }
        }
        impl std::str::FromStr for $t {
            type Err = CoreError;
            fn from_str(s: &str) -> Result<Self, CoreError> {
                <$t>::parse(s)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::ops::Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
        impl PartialEq<$t> for String {
            fn eq(&self, other: &$t) -> bool {
                *self == other.0
            }
        }
        impl PartialEq<String> for $t {
            fn eq(&self, other: &String) -> bool {
                self.0 == *other
            }
        }
        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}
string_like!(SessionId);
string_like!(RunId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_plain_file_names_and_never_options() {
        for good in ["0d5e6d18-44bd-4040-934c-95411eb40216", "abc", "a_b-C9"] {
            assert_eq!(SessionId::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "-rf",
            "--resume",
            "../x",
            "a/b",
            "a\\b",
            ".",
            "..",
            "a b",
            "a\0b",
            "é",
            &"x".repeat(129),
        ] {
            let e = SessionId::parse(bad).unwrap_err();
            assert_eq!(e.kind(), "invalid_input", "{bad:?}");
        }
    }

    #[test]
    fn ids_decode_only_when_valid_and_encode_as_strings() {
        let id: SessionId = serde_json::from_str("\"abc-1\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"abc-1\"");
        assert!(serde_json::from_str::<SessionId>("\"../etc\"").is_err());
        assert!(serde_json::from_str::<RunId>("\"-x\"").is_err());
        let run = RunId::new_random();
        assert_eq!(RunId::parse(run.as_str()).unwrap(), run);
    }
}
