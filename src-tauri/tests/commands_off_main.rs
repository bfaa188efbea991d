//! A synchronous Tauri command runs on the main thread, where anything slow (a disk, a login
//! shell, a network mount) freezes the window. Every command that touches the disk or a
//! process is `async` and does that work on the blocking pool; the synchronous ones left are
//! listed here with what they do, so a new one is a decision, not an accident.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::path::Path;

/// The synchronous commands, and why each may run on the main thread.
const SYNCHRONOUS: [(&str, &str); 6] = [
    ("take_launch_intents", "takes a list from memory"),
    ("tray_menu", "reads the tray's model from memory"),
    (
        "tray_action",
        "shows the window or sends an event; resumes go through the pool's tasks",
    ),
    (
        "attach_session",
        "points a live session's events at a channel",
    ),
    ("pool_snapshot", "copies the pool's state from memory"),
    ("registry", "copies the registry from memory"),
];

#[test]
fn only_the_listed_commands_run_on_the_main_thread() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let mut sync = Vec::new();
    let mut all = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if !line.trim_start().starts_with("#[tauri::command") {
                continue;
            }
            // The signature: the first `fn` line after the attributes.
            let sig = lines
                .by_ref()
                .find(|l| l.contains("fn "))
                .unwrap_or_default()
                .trim();
            all += 1;
            if !sig.starts_with("pub async fn") {
                let name = sig
                    .trim_start_matches("pub fn ")
                    .split(['(', '<'])
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                sync.push(name);
            }
        }
    }
    assert!(all > 20, "found only {all} commands in {}", dir.display());
    sync.sort();
    let mut listed: Vec<String> = SYNCHRONOUS.iter().map(|(n, _)| (*n).to_owned()).collect();
    listed.sort();
    assert_eq!(
        sync, listed,
        "a synchronous command runs on the main thread: make it async (disk and process work \
         in commands::blocking), or list it here with why it is instant"
    );
}
