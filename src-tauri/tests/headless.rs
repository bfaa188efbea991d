//! `ccdesk list` and `ccdesk show` run without a window, on the genuine fixture config dirs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/samples")
        .join(name)
}

fn ccdesk(config: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ccdesk"))
        .args(args)
        .env("CLAUDE_CONFIG_DIR", config)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("ccdesk runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn list_json_prints_one_object_per_session_without_a_display() {
    let (code, stdout, stderr) = ccdesk(&fixtures("local-cli-2.1.112"), &["list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), 3);
    let first_turn = rows
        .iter()
        .find(|r| r["id"] == "11111111-2222-4333-8444-555555555555")
        .expect("listed");
    assert_eq!(first_turn["projectPath"], "/home/dev/proj");
    assert_eq!(first_turn["title"], "first turn");
    assert_eq!(first_turn["gitBranch"], "main");
    assert_eq!(first_turn["resumability"]["state"], "notResumable");
    assert_eq!(first_turn["resumability"]["reason"], "projectDirMissing");
    assert!(first_turn["sizeBytes"].as_u64().unwrap_or(0) > 0);
    assert!(first_turn["lastTimestamp"].is_string());
}

#[test]
fn show_json_prints_the_transcript() {
    let (code, stdout, stderr) = ccdesk(
        &fixtures("local-cli-2.1.330"),
        &["show", "22222222-2222-4333-8444-555555555555", "--json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(v["summary"]["id"], "22222222-2222-4333-8444-555555555555");
    let entries = v["transcript"]["entries"].as_array().expect("entries");
    let user_texts: Vec<&str> = entries
        .iter()
        .filter(|e| e["entry"] == "message" && e["kind"] == "user")
        .filter_map(|e| e["content"].as_str())
        .collect();
    assert!(user_texts.contains(&"first turn"), "{user_texts:?}");
    assert_eq!(v["transcript"]["malformedLines"], 0);
}

#[test]
fn unknown_sessions_and_bad_usage_fail_with_a_message() {
    let (code, _, stderr) = ccdesk(&fixtures("local-cli-2.1.112"), &["show", "no-such-session"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no session no-such-session"), "{stderr}");
    let (code, _, stderr) = ccdesk(&fixtures("local-cli-2.1.112"), &["list", "extra"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("usage"), "{stderr}");
}
