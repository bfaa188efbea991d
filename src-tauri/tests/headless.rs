//! `ccdesk <command>` runs the headless commands of `ccdesk_cli` (tested in full as `ccdesk-cli`,
//! `src-tauri/cli/tests/headless.rs`): the window's binary is wired to them, without a display.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::path::Path;
use std::process::Command;

#[test]
fn the_window_binary_runs_the_headless_commands_without_a_display() {
    let config =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/samples/local-cli-2.1.112");
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ccdesk"))
            .args(args)
            .env("CLAUDE_CONFIG_DIR", &config)
            .env("XDG_DATA_HOME", data.path())
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .expect("ccdesk runs")
    };
    let out = run(&["list", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("a JSON line")["id"].to_string()
        })
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids
        .iter()
        .any(|i| i.contains("11111111-2222-4333-8444-555555555555")));
    let out = run(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("ccdesk {}", env!("CARGO_PKG_VERSION"))
    );
}
