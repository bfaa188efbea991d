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

    /// Runs the fake in stream-json mode with `extra` args, feeding `stdin` lines then EOF.
    fn run(&self, extra: &[&str], stdin: &[String]) -> Run {
        let mut child = Command::new(BIN)
            .args([
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
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
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
