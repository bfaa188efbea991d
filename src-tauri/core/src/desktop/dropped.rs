//! Files and folders dropped on the window. A folder dropped anywhere but the prompt box offers
//! a new session there (the UI shows the new-session sheet; nothing starts before the user presses
//! Start); files dropped on the prompt box become `@path` mentions, the CLI's way to attach a file
//! to a prompt. Anything else gets a message saying why nothing happened.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where the paths were dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum DropTarget {
    /// Anywhere on the window but a prompt box.
    Window,
    /// A prompt box (new session, follow-up, resume).
    PromptBox,
}

/// What a drop does. Serialized as `{"kind": "folder", "path": ...}`,
/// `{"kind": "mention", "text": ...}`, `{"kind": "rejected", "message": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DropOutcome {
    /// Offer a new session in this folder (an existing directory, canonical).
    Folder {
        /// The folder.
        path: PathBuf,
    },
    /// Insert this text into the prompt: one `@path` per dropped path, separated by spaces; see
    /// [`mention`] for quoting.
    Mention {
        /// The mentions.
        text: String,
    },
    /// Nothing happens, for this reason.
    Rejected {
        /// In words, for the user.
        message: String,
    },
}

/// Decides what dropping `paths` on `target` does.
pub fn classify_drop(paths: &[PathBuf], target: DropTarget) -> DropOutcome {
    let rejected = |m: String| DropOutcome::Rejected { message: m };
    if paths.is_empty() {
        return rejected("Nothing was dropped.".into());
    }
    if let Some(gone) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        return rejected(format!(
            "{} does not exist (any more); nothing was done.",
            gone.display()
        ));
    }
    match target {
        DropTarget::PromptBox => {
            let mut mentions = Vec::with_capacity(paths.len());
            for p in paths {
                match mention(p) {
                    Some(m) => mentions.push(m),
                    None => {
                        return rejected(format!(
                            "{} has both a space and a double quote in its name, which an @ mention cannot express; rename it or type its path in the prompt.",
                            p.display()
                        ))
                    }
                }
            }
            DropOutcome::Mention {
                text: mentions.join(" "),
            }
        }
        DropTarget::Window => {
            let folders: Vec<&PathBuf> = paths.iter().filter(|p| p.is_dir()).collect();
            match (folders.as_slice(), paths.len()) {
                ([folder], 1) => DropOutcome::Folder {
                    path: dunce::canonicalize(folder).unwrap_or_else(|_| (*folder).clone()),
                },
                ([], 1) => rejected(format!(
                    "{} is a file, not a folder. Drop a folder to start a session there, or drop files on the prompt box to mention them.",
                    paths[0].display()
                )),
                _ => rejected(format!(
                    "{} items were dropped. Drop one folder to start a session there.",
                    paths.len()
                )),
            }
        }
    }
}

/// `@path` as the CLI reads a mention in a prompt: `@` then either a bare token running to the
/// next whitespace, or `@"..."` running to the next `"` (no escapes inside: a backslash is a
/// backslash, so Windows paths stay as they are).
///
/// Returns `@path` when the path has no whitespace, `@"path"` when it has whitespace or a `'`
/// but no `"`, and `None` when it has both whitespace and a `"` (no mention can express it).
pub fn mention(path: &Path) -> Option<String> {
    let s = path.to_string_lossy();
    let spaced = s.chars().any(char::is_whitespace);
    let double = s.contains('"');
    if spaced && double {
        None
    } else if double || !(spaced || s.contains('\'')) {
        Some(format!("@{s}"))
    } else {
        Some(format!("@\"{s}\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(o: DropOutcome) -> String {
        match o {
            DropOutcome::Rejected { message } => message,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn one_folder_on_the_window_offers_a_session_there() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a project");
        std::fs::create_dir(&dir).unwrap();
        assert_eq!(
            classify_drop(std::slice::from_ref(&dir), DropTarget::Window),
            DropOutcome::Folder {
                path: dunce::canonicalize(&dir).unwrap()
            }
        );
    }

    #[test]
    fn anything_else_on_the_window_starts_nothing_and_says_why() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a");
        let b = tmp.path().join("b");
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        let file = tmp.path().join("notes.md");
        std::fs::write(&file, "x").unwrap();
        let m = message(classify_drop(&[a.clone(), b], DropTarget::Window));
        assert!(m.contains("2 items"), "{m}");
        let m = message(classify_drop(
            std::slice::from_ref(&file),
            DropTarget::Window,
        ));
        assert!(m.contains("is a file"), "{m}");
        let m = message(classify_drop(&[a, file], DropTarget::Window));
        assert!(m.contains("one folder"), "{m}");
        let m = message(classify_drop(
            &[tmp.path().join("gone")],
            DropTarget::Window,
        ));
        assert!(m.contains("does not exist"), "{m}");
        let m = message(classify_drop(&[], DropTarget::Window));
        assert!(m.contains("Nothing"), "{m}");
    }

    #[test]
    fn files_on_the_prompt_box_become_mentions() {
        let tmp = tempfile::tempdir().unwrap();
        let plain = tmp.path().join("main.rs");
        let spaced = tmp.path().join("my notes.md");
        std::fs::write(&plain, "x").unwrap();
        std::fs::write(&spaced, "x").unwrap();
        let DropOutcome::Mention { text } =
            classify_drop(&[plain.clone(), spaced.clone()], DropTarget::PromptBox)
        else {
            panic!("expected mentions");
        };
        assert_eq!(
            text,
            format!("@{} @\"{}\"", plain.display(), spaced.display())
        );
    }

    #[test]
    fn a_vanished_file_on_the_prompt_box_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let m = message(classify_drop(
            &[tmp.path().join("gone.txt")],
            DropTarget::PromptBox,
        ));
        assert!(m.contains("gone.txt"), "{m}");
    }

    #[test]
    fn mentions_are_quoted_only_when_needed_and_never_escaped() {
        assert_eq!(mention(Path::new("/a/b.rs")).as_deref(), Some("@/a/b.rs"));
        assert_eq!(
            mention(Path::new("/a/my notes.md")).as_deref(),
            Some("@\"/a/my notes.md\"")
        );
        assert_eq!(
            mention(Path::new("/a/it's.md")).as_deref(),
            Some("@\"/a/it's.md\"")
        );
        // Backslashes are kept as they are (Windows paths), quoted or not.
        assert_eq!(
            mention(Path::new("C:\\Users\\me\\x.rs")).as_deref(),
            Some("@C:\\Users\\me\\x.rs")
        );
        assert_eq!(
            mention(Path::new("C:\\My Docs\\x.rs")).as_deref(),
            Some("@\"C:\\My Docs\\x.rs\"")
        );
        // A double quote without a space stays bare; with a space nothing can express it.
        assert_eq!(
            mention(Path::new("/a/say\"hi\".md")).as_deref(),
            Some("@/a/say\"hi\".md")
        );
        assert_eq!(mention(Path::new("/a/say \"hi\".md")), None);
    }

    #[test]
    fn a_name_no_mention_can_express_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let odd = tmp.path().join("say \"hi\".md");
        std::fs::write(&odd, "x").unwrap();
        let m = message(classify_drop(&[odd], DropTarget::PromptBox));
        assert!(m.contains("double quote"), "{m}");
    }

    #[test]
    fn outcomes_serialize_as_the_ui_reads_them() {
        let v = serde_json::to_value(DropOutcome::Mention { text: "@/a".into() }).unwrap();
        assert_eq!(v, serde_json::json!({"kind": "mention", "text": "@/a"}));
        let t: DropTarget = serde_json::from_value(serde_json::json!("promptBox")).unwrap();
        assert_eq!(t, DropTarget::PromptBox);
    }
}
