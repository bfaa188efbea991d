//! Runs the built `fake-claude` binary the way ccdesk does and checks its stdout and the
//! transcripts it writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_fake-claude");

/// A temp config dir and a temp project dir (the fake's cwd).
struct Env {
    config: tempfile::TempDir,
    cwd: tempfile::TempDir,
}

struct Run {
    code: Option<i32>,
    lines: Vec<Value>,
    /// stdout's lines as written (without the `\n`).
    raw: Vec<String>,
    stderr: String,
}

impl Run {
    fn of_type(&self, t: &str) -> Vec<&Value> {
        self.lines.iter().filter(|l| l["type"] == t).collect()
    }

    fn position(&self, pred: impl Fn(&Value) -> bool) -> usize {
        self.lines
            .iter()
            .position(pred)
            .expect("expected line missing")
    }
}

fn user(text: &str) -> String {
    json!({"type": "user", "session_id": "", "message": {"role": "user", "content": text},
           "parent_tool_use_id": null})
    .to_string()
}

impl Env {
    fn new() -> Self {
        Env {
            config: tempfile::tempdir().unwrap(),
            cwd: tempfile::tempdir().unwrap(),
        }
    }

    /// `<config>/projects/<sanitized cwd>`, computed independently of the binary.
    fn project_dir(&self) -> PathBuf {
        let cwd = std::fs::canonicalize(self.cwd.path()).unwrap();
        let name: String = cwd
            .to_str()
            .unwrap()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        self.config.path().join("projects").join(name)
    }

    fn transcript(&self, session_id: &str) -> PathBuf {
        self.project_dir().join(format!("{session_id}.jsonl"))
    }

    /// The fake in stream-json mode with `extra` args and `env`, stdio piped, not started.
    fn command(&self, extra: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args([
            "--output-format",
            "stream-json",
            "--verbose",
            "--input-format",
            "stream-json",
        ])
        .args(extra)
        .current_dir(self.cwd.path())
        .env("CLAUDE_CONFIG_DIR", self.config.path())
        .env_remove("FAKE_CLAUDE_DELAY_MS")
        .env_remove("FAKE_CLAUDE_HANG_BEFORE_INIT")
        .env_remove("FAKE_CLAUDE_HANG_BEFORE_INIT_IF")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        cmd
    }

    /// Runs the fake in stream-json mode with `extra` args, feeding `stdin` lines then EOF.
    fn run(&self, extra: &[&str], stdin: &[String]) -> Run {
        self.run_env(extra, &[], stdin)
    }

    /// [`Env::run`] with extra environment variables.
    fn run_env(&self, extra: &[&str], env: &[(&str, &str)], stdin: &[String]) -> Run {
        let mut child = self.command(extra, env).spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        for line in stdin {
            // The fake may already have exited (e.g. an unknown --resume id).
            let _ = writeln!(input, "{line}");
        }
        drop(input);
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        Run {
            code: out.status.code(),
            lines: stdout
                .lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
                .collect(),
            raw: stdout.lines().map(str::to_owned).collect(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The transcript's conversation lines (`user`/`assistant`).
fn conversation(lines: &[Value]) -> Vec<&Value> {
    lines
        .iter()
        .filter(|l| l["type"] == "user" || l["type"] == "assistant")
        .collect()
}

fn session_of(run: &Run) -> String {
    run.of_type("result")[0]["session_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn version_flag() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "9.9.9-fake (Claude Code)\n"
    );
}

#[test]
fn turn_streams_in_order_and_writes_transcript() {
    let env = Env::new();
    let run = env.run(&["--include-partial-messages"], &[user("hello there")]);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);

    let init = run.position(|l| l["type"] == "system" && l["subtype"] == "init");
    let first_event = run.position(|l| l["type"] == "stream_event");
    let assistant = run.position(|l| l["type"] == "assistant");
    let result = run.position(|l| l["type"] == "result");
    assert!(init < first_event && first_event < assistant && assistant < result);

    let sid = session_of(&run);
    let init_line = &run.lines[init];
    assert_eq!(init_line["session_id"], sid.as_str());
    assert_eq!(init_line["model"], "fake-model");
    assert_eq!(init_line["claude_code_version"], "9.9.9-fake");
    let cwd = std::fs::canonicalize(env.cwd.path()).unwrap();
    assert_eq!(init_line["cwd"], cwd.to_str().unwrap());

    let deltas: String = run
        .of_type("stream_event")
        .iter()
        .filter(|l| l["event"]["type"] == "content_block_delta")
        .map(|l| l["event"]["delta"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(deltas, "Echo: hello there");
    assert_eq!(
        run.lines[assistant]["message"]["content"][0]["text"],
        "Echo: hello there"
    );
    let res = &run.lines[result];
    assert_eq!(res["subtype"], "success");
    assert_eq!(res["is_error"], false);
    assert_eq!(res["result"], "Echo: hello there");
    assert_eq!(res["num_turns"], 1);
    assert_eq!(res["total_cost_usd"], 0);

    let lines = read_jsonl(&env.transcript(&sid));
    let conv = conversation(&lines);
    assert_eq!(conv.len(), 2);
    let (u, a) = (conv[0], conv[1]);
    assert_eq!(u["type"], "user");
    assert_eq!(u["parentUuid"], Value::Null);
    assert_eq!(
        u["message"],
        json!({"role": "user", "content": "hello there"})
    );
    assert_eq!(a["type"], "assistant");
    assert_eq!(a["parentUuid"], u["uuid"]);
    assert_eq!(a["message"]["content"][0]["text"], "Echo: hello there");
    assert_eq!(a["message"]["stop_reason"], "end_turn");
    for l in [u, a] {
        assert_eq!(l["sessionId"], sid.as_str());
        assert_eq!(l["cwd"], cwd.to_str().unwrap());
        assert_eq!(l["isSidechain"], false);
        assert_eq!(l["version"], "9.9.9-fake");
        assert_eq!(l["userType"], "external");
        assert_eq!(l["entrypoint"], "sdk-cli");
        assert_eq!(l["gitBranch"], "");
        let ts = l["timestamp"].as_str().unwrap();
        assert!(
            ts.len() == 24 && ts.ends_with('Z') && &ts[10..11] == "T",
            "{ts}"
        );
    }
    let last = lines.iter().find(|l| l["type"] == "last-prompt").unwrap();
    assert_eq!(last["lastPrompt"], "hello there");
}

#[test]
fn resume_appends_to_the_same_file() {
    let env = Env::new();
    let first = env.run(&[], &[user("one")]);
    let sid = session_of(&first);

    let resume_arg = format!("--resume={sid}");
    let second = env.run(&[&resume_arg], &[user("two")]);
    assert_eq!(second.code, Some(0), "stderr: {}", second.stderr);
    assert_eq!(session_of(&second), sid);
    assert_eq!(second.of_type("system")[0]["session_id"], sid.as_str());

    let third = env.run(&["--resume", &sid], &[user("three")]);
    assert_eq!(session_of(&third), sid);

    let files: Vec<_> = std::fs::read_dir(env.project_dir()).unwrap().collect();
    assert_eq!(files.len(), 1);
    let lines = read_jsonl(&env.transcript(&sid));
    let conv = conversation(&lines);
    assert_eq!(conv.len(), 6);
    for pair in conv.windows(2) {
        assert_eq!(pair[1]["parentUuid"], pair[0]["uuid"]);
    }
    assert_eq!(conv[4]["message"]["content"], "three");
    assert!(lines.iter().all(|l| l["sessionId"] == sid.as_str()));
}

#[test]
fn unknown_resume_id_fails_like_the_real_cli() {
    let env = Env::new();
    let id = "99999999-2222-4333-8444-555555555555";
    let run = env.run(&[&format!("--resume={id}")], &[user("hi")]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.lines.len(), 1);
    let r = &run.lines[0];
    assert_eq!(r["type"], "result");
    assert_eq!(r["subtype"], "error_during_execution");
    assert_eq!(r["is_error"], true);
    assert_eq!(r["session_id"], id);
    assert_eq!(
        r["errors"],
        json!([format!("No conversation found with session ID: {id}")])
    );
    assert!(!env.project_dir().exists());
}

#[test]
fn fork_copies_history_into_a_new_session() {
    let env = Env::new();
    let first = env.run(&[], &[user("one"), user("two")]);
    let old = session_of(&first);
    let old_lines = read_jsonl(&env.transcript(&old));

    let fork = env.run(&["--resume", &old, "--fork-session"], &[user("forked")]);
    assert_eq!(fork.code, Some(0), "stderr: {}", fork.stderr);
    let new = session_of(&fork);
    assert_ne!(new, old);
    assert!(fork
        .lines
        .iter()
        .filter_map(|l| l.get("session_id"))
        .all(|s| s == new.as_str()));

    // The old file is untouched; the new one has the same history under the new id.
    assert_eq!(read_jsonl(&env.transcript(&old)), old_lines);
    let new_lines = read_jsonl(&env.transcript(&new));
    assert!(new_lines.iter().all(|l| l["sessionId"] == new.as_str()));
    let old_conv = conversation(&old_lines);
    let new_conv = conversation(&new_lines);
    assert_eq!(new_conv.len(), old_conv.len() + 2);
    for (o, n) in old_conv.iter().zip(&new_conv) {
        assert_eq!(o["uuid"], n["uuid"]);
        assert_eq!(o["parentUuid"], n["parentUuid"]);
        assert_eq!(o["message"], n["message"]);
    }
    assert_eq!(new_conv[4]["parentUuid"], old_conv[3]["uuid"]);
    assert_eq!(new_conv[4]["message"]["content"], "forked");
}

#[test]
fn duplicate_session_id_is_refused() {
    let env = Env::new();
    let id = "11111111-2222-4333-8444-555555555555";
    let arg = format!("--session-id={id}");
    let first = env.run(&[&arg], &[user("hi")]);
    assert_eq!(session_of(&first), id);
    assert!(env.transcript(id).is_file());

    let again = env.run(&[&arg], &[user("hi")]);
    assert_eq!(again.code, Some(1));
    assert!(again.lines.is_empty());
    assert!(again.stderr.contains("already in use"), "{}", again.stderr);
}

#[test]
fn interrupt_stops_the_turn_and_the_session_goes_on() {
    let env = Env::new();
    let interrupt = json!({"type": "control_request", "request_id": "req_int",
                           "request": {"subtype": "interrupt"}})
    .to_string();
    let run = env.run(
        &["--include-partial-messages"],
        &[user("FAKE_SLOW please"), interrupt, user("next")],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let resp = run.of_type("control_response");
    assert_eq!(resp[0]["response"]["subtype"], "success");
    assert_eq!(resp[0]["response"]["request_id"], "req_int");
    let results = run.of_type("result");
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["subtype"], "error_during_execution");
    assert_eq!(results[0]["is_error"], true);
    assert_eq!(results[1]["result"], "Echo: next");
    let interrupted = run
        .of_type("user")
        .into_iter()
        .find(|l| l["message"]["content"][0]["text"] == "[Request interrupted by user]");
    assert!(interrupted.is_some());
    // The slow reply never completed.
    assert_eq!(run.of_type("assistant").len(), 1);
}

#[test]
fn fault_mode_exit_codes() {
    let env = Env::new();
    let crash = env.run(&[], &[user("FAKE_CRASH now"), user("never")]);
    assert_eq!(crash.code, Some(3));
    assert!(crash.of_type("result").is_empty());
    assert!(crash.stderr.contains("fake crash"));

    let api = env.run(&[], &[user("FAKE_API_ERROR")]);
    assert_eq!(api.code, Some(1));
    let r = api.of_type("result")[0];
    assert_eq!(
        (r["subtype"].as_str(), r["is_error"].as_bool()),
        (Some("success"), Some(true))
    );
    assert_eq!(
        api.of_type("assistant")[0]["message"]["model"],
        "<synthetic>"
    );

    let tool = env.run(&[], &[user("FAKE_TOOL")]);
    assert_eq!(tool.code, Some(0));
    let sid = session_of(&tool);
    let types: Vec<_> = conversation(&read_jsonl(&env.transcript(&sid)))
        .iter()
        .map(|l| l["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["user", "assistant", "user", "assistant"]);
}

/// A running fake whose stdout lines arrive on a channel as they are written.
struct Live {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    lines: std::sync::mpsc::Receiver<Value>,
}

impl Live {
    fn start(mut cmd: Command) -> Live {
        let mut child = cmd.spawn().unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Live {
            child,
            stdin,
            lines,
        }
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stdin.as_mut().unwrap(), "{line}").unwrap();
    }

    /// The next line matching `pred` (others are skipped), within 10 s.
    fn wait_for(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if pred(&v) => return v,
                Ok(_) => {}
                Err(e) => panic!("no {what} line: {e}"),
            }
        }
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn interrupt_request(id: &str) -> String {
    json!({"type": "control_request", "request_id": id, "request": {"subtype": "interrupt"}})
        .to_string()
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} {pid} failed");
}

/// Fields of `/proc/<pid>/stat` after the command name: state, ppid, pgrp, ...
#[cfg(target_os = "linux")]
fn proc_stat(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    Some(after.split_whitespace().map(str::to_owned).collect())
}

#[cfg(unix)]
#[test]
fn deaf_turn_ignores_interrupt_sigint_sigterm_and_eof() {
    use std::os::unix::process::ExitStatusExt;
    let env = Env::new();
    let mut live = Live::start(env.command(&["--include-partial-messages"], &[]));
    live.send(&user("FAKE_DEAF"));
    let init = live.wait_for("init", |l| l["subtype"] == "init");
    live.wait_for("first delta", |l| {
        l["event"]["delta"]["text"] == "Echo" && l["type"] == "stream_event"
    });
    let pid = live.child.id();
    let first = live.wait_for("tick", |l| l["subtype"] == "fake_tick");
    assert_eq!(first["type"], "system");
    assert_eq!(first["pid"], pid);
    assert_eq!(first["n"], 0);
    assert_eq!(first["session_id"], init["session_id"]);

    live.send(&interrupt_request("req_deaf"));
    let resp = live.wait_for("control_response", |l| l["type"] == "control_response");
    assert_eq!(resp["response"]["subtype"], "success");
    assert_eq!(resp["response"]["request_id"], "req_deaf");
    signal(pid, "-INT");
    signal(pid, "-TERM");
    live.stdin = None;
    // Ticks go on, numbered without gaps, and nothing ends the turn.
    let not_result = |l: &Value| l["type"] != "result" || panic!("{l}");
    let mut n = None;
    let mut seen = 0;
    while seen < 8 {
        let tick = live.wait_for("tick", not_result);
        if tick["subtype"] == "fake_tick" {
            let got = tick["n"].as_u64().unwrap();
            assert!(n.is_none_or(|prev| got == prev + 1), "{n:?} then {got}");
            n = Some(got);
            seen += 1;
        }
    }
    assert!(live.alive());
    live.child.kill().unwrap();
    let status = live.child.wait().unwrap();
    assert_eq!(status.signal(), Some(9));
}

#[cfg(target_os = "linux")]
#[test]
fn grandchild_is_left_running_in_the_same_group() {
    /// Kills the grandchild even when an assertion fails.
    struct Reap(u32);
    impl Drop for Reap {
        fn drop(&mut self) {
            let _ = Command::new("kill")
                .args(["-KILL", &self.0.to_string()])
                .status();
        }
    }
    let env = Env::new();
    let mut live = Live::start(env.command(&["--include-partial-messages"], &[]));
    live.send(&user("FAKE_GRANDCHILD"));
    let gc = live.wait_for("fake_grandchild", |l| l["subtype"] == "fake_grandchild");
    let sleep_pid = u32::try_from(gc["pid"].as_u64().unwrap()).unwrap();
    let _reap = Reap(sleep_pid);
    assert!(gc["session_id"].is_string());
    let fake_pid = live.child.id();
    let sleep = proc_stat(sleep_pid).unwrap();
    let fake = proc_stat(fake_pid).unwrap();
    assert_eq!(sleep[1], fake_pid.to_string(), "sleep's parent is the fake");
    assert_eq!(sleep[2], fake[2], "same process group");
    assert_eq!(
        std::fs::read_to_string(format!("/proc/{sleep_pid}/comm"))
            .unwrap()
            .trim(),
        "sleep"
    );
    live.wait_for("first delta", |l| l["event"]["delta"]["text"] == "Echo");

    // Interruptible like FAKE_HANG_MIDTURN; the sleep outlives the turn and the fake.
    live.send(&interrupt_request("req_gc"));
    let result = live.wait_for("result", |l| l["type"] == "result");
    assert_eq!(result["subtype"], "error_during_execution");
    live.stdin = None;
    assert_eq!(live.child.wait().unwrap().code(), Some(0));
    let state = proc_stat(sleep_pid).map(|f| f[0].clone());
    assert_eq!(state.as_deref(), Some("S"), "sleep still running");
}

#[test]
fn hang_before_init_if_the_path_exists() {
    let env = Env::new();
    let flag = env.config.path().join("hang-flag");
    let flag_str = flag.to_str().unwrap();
    // Missing path: a normal session.
    let run = env.run_env(
        &[],
        &[("FAKE_CLAUDE_HANG_BEFORE_INIT_IF", flag_str)],
        &[user("hi")],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(run.of_type("result")[0]["result"], "Echo: hi");

    std::fs::write(&flag, "").unwrap();
    let mut live = Live::start(env.command(&[], &[("FAKE_CLAUDE_HANG_BEFORE_INIT_IF", flag_str)]));
    live.send(&user("hi"));
    live.stdin = None;
    let got = live
        .lines
        .recv_timeout(std::time::Duration::from_millis(700));
    assert!(got.is_err(), "printed {got:?}");
    assert!(live.alive());
}

#[test]
fn flood_writes_the_asked_bytes_of_cli_shaped_deltas() {
    let env = Env::new();
    let run = env.run_env(
        &["--include-partial-messages"],
        &[("FAKE_FLOOD_BYTES", "2_000_000")],
        &[user("FAKE_FLOOD")],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let sid = session_of(&run);
    let mut total = 0;
    let mut count = 0;
    let mut ids = std::collections::HashSet::new();
    for (raw, l) in run.raw.iter().zip(&run.lines) {
        if l["type"] != "stream_event" || l["event"]["type"] != "content_block_delta" {
            continue;
        }
        let len = raw.len() + 1;
        assert!((200..=400).contains(&len), "{len} bytes: {raw}");
        assert!(raw.starts_with(r#"{"type":"stream_event","event":{"type":"content_block_delta""#));
        assert_eq!(l["event"]["delta"]["type"], "text_delta");
        assert_eq!(l["session_id"], sid.as_str());
        assert_eq!(l["parent_tool_use_id"], Value::Null);
        assert!(ids.insert(l["uuid"].as_str().unwrap().to_owned()));
        total += len;
        count += 1;
    }
    assert!((2_000_000..2_000_400).contains(&total), "{total} bytes");
    assert!(count > 5_000, "{count} lines");
    assert_eq!(
        run.of_type("assistant")[0]["message"]["content"][0]["text"],
        "flood done"
    );
    let result = run.of_type("result")[0];
    assert_eq!(result["subtype"], "success");
    assert_eq!(result["result"], "flood done");
}

#[test]
fn rate_paces_stamped_deltas_on_a_fixed_schedule() {
    let env = Env::new();
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let run = env.run_env(
        &["--include-partial-messages"],
        &[
            ("FAKE_RATE_COUNT", "300"),
            ("FAKE_RATE_LINES_PER_SEC", "1000"),
        ],
        &[user("FAKE_RATE")],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let sent: Vec<u128> = run
        .lines
        .iter()
        .filter(|l| l["event"]["delta"]["type"] == "text_delta")
        .map(|l| {
            assert!(l["session_id"].is_string() && l["uuid"].is_string());
            u128::from(l["fake_sent_ns"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(sent.len(), 300);
    assert!(sent[0] > started);
    assert!(sent.windows(2).all(|w| w[0] <= w[1]));
    // 299 intervals of 1 ms: never early, and (on any sane machine) not seconds late.
    let span_ms = (sent[299] - sent[0]) as f64 / 1e6;
    assert!((279.0..3000.0).contains(&span_ms), "{span_ms} ms");
    assert!((sent[150] - sent[0]) as f64 / 1e6 > 130.0);
    assert_eq!(run.of_type("result")[0]["result"], "rate done");
}
