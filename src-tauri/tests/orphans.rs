//! No orphans: whichever way ccdesk ends, the `claude` processes it started and their tool
//! processes end too. Drives `ccdesk run` (the same pool and watchdog as the window) with the
//! project's fake CLI, whose `FAKE_GRANDCHILD FAKE_DETACHED` turn starts a `sleep 600` in a
//! process group of its own (as the real CLI's Bash tool does) and then waits.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn fake_claude() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let fake = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("fake-claude");
    assert!(
        fake.is_file(),
        "{} is missing: run `cargo build --workspace` first",
        fake.display()
    );
    fake
}

fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // A zombie runs nothing; it only waits for its parent to collect it.
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn gone_within(pid: u32, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

struct Running {
    ccdesk: Child,
    cli_pid: u32,
    tool_pid: u32,
    _tmp: tempfile::TempDir,
}

/// Starts `ccdesk run <project> "FAKE_GRANDCHILD FAKE_DETACHED" --json` and waits until the
/// fake CLI has started its tool process (in a process group of its own, as the real CLI's Bash
/// tool commands are); returns the pids.
fn start() -> Running {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let mut ccdesk = Command::new(env!("CARGO_BIN_EXE_ccdesk"))
        .args([
            "run",
            project.to_str().unwrap(),
            "FAKE_GRANDCHILD",
            "--json",
        ])
        .env("CLAUDE_CONFIG_DIR", tmp.path().join("config"))
        .env("CCDESK_CLAUDE", fake_claude())
        .env_remove("DISPLAY")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("ccdesk starts");
    let stdout = ccdesk.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (mut cli_pid, mut tool_pid) = (None, None);
    let deadline = Instant::now() + Duration::from_secs(30);
    while cli_pid.is_none() || tool_pid.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).expect("ccdesk reported the session");
        let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON event");
        if v["event"] == "state" {
            if let Some(p) = v["info"]["pid"].as_u64() {
                cli_pid = u32::try_from(p).ok();
            }
        }
        if v["event"] == "cli" && v["line"]["subtype"] == "fake_grandchild" {
            tool_pid = v["line"]["pid"]
                .as_u64()
                .and_then(|p| u32::try_from(p).ok());
        }
    }
    let (cli_pid, tool_pid) = (cli_pid.unwrap(), tool_pid.unwrap());
    assert!(alive(cli_pid) && alive(tool_pid));
    Running {
        ccdesk,
        cli_pid,
        tool_pid,
        _tmp: tmp,
    }
}

/// The CLI and its tool process are gone within `secs`.
fn assert_ended(r: &Running, secs: u64) {
    assert!(
        gone_within(r.cli_pid, Duration::from_secs(secs)),
        "the claude process outlived ccdesk"
    );
    assert!(
        gone_within(r.tool_pid, Duration::from_secs(secs)),
        "the tool process outlived ccdesk"
    );
}

#[test]
fn sigkill_of_ccdesk_ends_its_sessions_and_their_tool_processes() {
    let mut r = start();
    r.ccdesk.kill().unwrap(); // SIGKILL: nothing in ccdesk runs any more.
    r.ccdesk.wait().unwrap();
    assert_ended(&r, 5);
}

#[test]
fn sigterm_of_ccdesk_ends_everything_before_it_exits() {
    let mut r = start();
    let st = Command::new("kill")
        .args(["-TERM", &r.ccdesk.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = r.ccdesk.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "interrupted, as a shell reports Ctrl-C"
    );
    // ccdesk closed the session itself before exiting: nothing is left, at once.
    assert_ended(&r, 2);
}

/// The pid of `ccdesk`'s process watchdog (its child started with `--ccdesk-reaper`).
fn watchdog_of(ccdesk: u32) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if ppid == Some(ccdesk) && cmdline.split(|b| *b == 0).any(|a| a == b"--ccdesk-reaper") {
                return pid;
            }
        }
        assert!(Instant::now() < deadline, "no watchdog found");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn catches_sigterm(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|st| {
            st.lines()
                .find_map(|l| l.strip_prefix("SigCgt:"))
                .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        })
        .is_some_and(|mask| mask & (1 << (15 - 1)) != 0)
}

fn kill(sig: &str, pid: u32) {
    let st = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success(), "kill -{sig} {pid}");
}

#[test]
fn sighup_of_ccdesk_ends_everything_before_it_exits_as_sigterm_does() {
    let mut r = start();
    kill("HUP", r.ccdesk.id());
    let status = r.ccdesk.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_ended(&r, 2);
}

/// `killall ccdesk` reaches the watchdog too (same executable): it takes SIGTERM, SIGINT and
/// SIGHUP without dying, so that when ccdesk is then killed for good it still ends what ccdesk
/// left running; it exits once it has.
#[test]
fn the_watchdog_outlives_a_broad_kill_and_still_ends_what_ccdesk_left() {
    let mut r = start();
    let watchdog = watchdog_of(r.ccdesk.id());
    // It may still be loading its libraries (the window's binary: ~0.1 s before `main`): wait
    // until it catches SIGTERM (bit 15 of SigCgt in /proc/<pid>/status).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !catches_sigterm(watchdog) {
        assert!(Instant::now() < deadline, "the watchdog never took SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
    for sig in ["TERM", "INT", "HUP"] {
        kill(sig, watchdog);
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        alive(watchdog),
        "the watchdog died of a signal it must ignore"
    );
    r.ccdesk.kill().unwrap(); // SIGKILL
    r.ccdesk.wait().unwrap();
    assert_ended(&r, 5);
    assert!(
        gone_within(watchdog, Duration::from_secs(5)),
        "the watchdog stayed after its work"
    );
}

/// A panic in a release build aborts the process (the workspace's release profile): SIGABRT, which
/// nothing in ccdesk handles. The watchdog ends what it left, as after a SIGKILL.
#[test]
fn an_abort_of_ccdesk_as_a_release_panic_ends_its_sessions_and_their_tool_processes() {
    let mut r = start();
    kill("ABRT", r.ccdesk.id());
    let status = r.ccdesk.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(6),
        "ended by SIGABRT"
    );
    assert_ended(&r, 5);
}
