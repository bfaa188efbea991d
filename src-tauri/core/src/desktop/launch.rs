//! What ccdesk was asked to open on its command line: `ccdesk <folder>` (a new session there) or
//! `ccdesk --resume <session-id>`. The same parsing serves the first launch and a second launch
//! whose arguments the single-instance plugin hands to the running ccdesk (with the second
//! launch's working directory, against which a relative folder resolves).
//!
//! The headless words (`list`, `show`, `run`, `help`) are handled before this (see the app's
//! `headless` module); a folder literally named `list` is reachable as `./list`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::CoreError;
use crate::ids::SessionId;

/// What a launch asks the window to open. Serialized as `{"kind": "window"}`,
/// `{"kind": "folder", "path": ...}`, `{"kind": "resume", "sessionId": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LaunchIntent {
    /// Only the window.
    Window,
    /// A new session in this folder (an existing directory, canonical).
    Folder {
        /// The folder.
        path: PathBuf,
    },
    /// Open and resume this session.
    #[serde(rename_all = "camelCase")]
    Resume {
        /// The CLI session id.
        session_id: SessionId,
    },
}

const USAGE: &str = "use `ccdesk <folder>` or `ccdesk --resume <session-id>`";

/// Parses a launch's arguments (without the program name); a relative folder resolves against
/// `cwd`.
///
/// Errors: [`CoreError::InvalidInput`] saying what is wrong: a folder that does not exist or is
/// not a directory, a malformed session id, an unknown option, or extra arguments.
pub fn parse_launch(args: &[String], cwd: &Path) -> Result<LaunchIntent, CoreError> {
    let bad = |m: String| Err(CoreError::InvalidInput(m));
    match args {
        [] => Ok(LaunchIntent::Window),
        [flag, id] if flag == "--resume" => {
            let session_id = SessionId::parse(id)?;
            Ok(LaunchIntent::Resume { session_id })
        }
        [flag] if flag == "--resume" => bad(format!("--resume needs a session id; {USAGE}")),
        [flag, ..] if flag.starts_with('-') && flag != "-" => {
            bad(format!("unknown option {flag:?}; {USAGE}"))
        }
        [folder] => folder_intent(folder, cwd),
        _ => bad(format!(
            "ccdesk opens one folder or one session at a time, not {} arguments; {USAGE}",
            args.len()
        )),
    }
}

fn folder_intent(folder: &str, cwd: &Path) -> Result<LaunchIntent, CoreError> {
    let given = Path::new(folder);
    let path = if given.is_absolute() {
        given.to_path_buf()
    } else {
        cwd.join(given)
    };
    match std::fs::metadata(&path) {
        Ok(m) if m.is_dir() => Ok(LaunchIntent::Folder {
            path: dunce::canonicalize(&path).unwrap_or(path),
        }),
        Ok(_) => Err(CoreError::InvalidInput(format!(
            "{} is not a folder: a session starts in a folder",
            path.display()
        ))),
        Err(e) => Err(CoreError::InvalidInput(format!(
            "cannot open the folder {}: {e}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    fn message(r: Result<LaunchIntent, CoreError>) -> String {
        match r {
            Err(CoreError::InvalidInput(m)) => m,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn no_arguments_is_the_window() {
        assert_eq!(
            parse_launch(&[], Path::new("/")).unwrap(),
            LaunchIntent::Window
        );
    }

    #[test]
    fn a_folder_absolute_or_relative_to_the_launch_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("my project");
        std::fs::create_dir(&dir).unwrap();
        let canonical = dunce::canonicalize(&dir).unwrap();
        let abs = parse_launch(&args(&[dir.to_str().unwrap()]), Path::new("/")).unwrap();
        assert_eq!(
            abs,
            LaunchIntent::Folder {
                path: canonical.clone()
            }
        );
        let rel = parse_launch(&args(&["my project"]), tmp.path()).unwrap();
        assert_eq!(rel, LaunchIntent::Folder { path: canonical });
        let dotted = parse_launch(&args(&["./my project/../my project"]), tmp.path()).unwrap();
        assert!(
            matches!(dotted, LaunchIntent::Folder { path } if !path.to_string_lossy().contains(".."))
        );
    }

    #[test]
    fn a_missing_folder_or_a_file_is_refused_with_its_path() {
        let tmp = tempfile::tempdir().unwrap();
        let m = message(parse_launch(&args(&["gone"]), tmp.path()));
        assert!(m.contains("gone"), "{m}");
        let file = tmp.path().join("notes.txt");
        std::fs::write(&file, "x").unwrap();
        let m = message(parse_launch(&args(&[file.to_str().unwrap()]), tmp.path()));
        assert!(m.contains("not a folder"), "{m}");
    }

    #[test]
    fn resume_takes_a_session_id_only() {
        let id = "0c9e7a3e-4b1f-4b8e-9a55-2f7d3f1c8e21";
        assert_eq!(
            parse_launch(&args(&["--resume", id]), Path::new("/")).unwrap(),
            LaunchIntent::Resume {
                session_id: SessionId::parse(id).unwrap()
            }
        );
        for bad in ["../../etc/passwd", "a b", "-rf-rf-rf-rf", ""] {
            let m = message(parse_launch(&args(&["--resume", bad]), Path::new("/")));
            assert!(m.contains("session id"), "{bad}: {m}");
        }
        let m = message(parse_launch(&args(&["--resume"]), Path::new("/")));
        assert!(m.contains("needs a session id"), "{m}");
    }

    #[test]
    fn unknown_options_and_extra_arguments_are_refused() {
        let m = message(parse_launch(&args(&["--frobnicate"]), Path::new("/")));
        assert!(m.contains("unknown option"), "{m}");
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().to_str().unwrap();
        let m = message(parse_launch(&args(&[d, d]), Path::new("/")));
        assert!(m.contains("2 arguments"), "{m}");
    }

    #[test]
    fn intents_serialize_as_the_ui_reads_them() {
        let v = serde_json::to_value(LaunchIntent::Resume {
            session_id: crate::ids::SessionId::parse("abc").unwrap(),
        })
        .unwrap();
        assert_eq!(v, serde_json::json!({"kind": "resume", "sessionId": "abc"}));
        let v = serde_json::to_value(LaunchIntent::Folder { path: "/w".into() }).unwrap();
        assert_eq!(v, serde_json::json!({"kind": "folder", "path": "/w"}));
    }
}
