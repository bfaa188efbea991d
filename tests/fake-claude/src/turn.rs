//! One turn: a user message in, `system/init` … `result` out, transcript lines on disk, and the
//! fault modes picked by keywords in the prompt.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::io::{warn, Shared};
use crate::transcript::Transcript;
use crate::util::{msg_id, request_id, timestamp, tool_use_id, uuid, VERSION};

mod stress;

const TOOLS: &[&str] = &[
    "Task",
    "AskUserQuestion",
    "Bash",
    "Edit",
    "Glob",
    "Grep",
    "NotebookEdit",
    "Read",
    "TodoWrite",
    "WebFetch",
    "WebSearch",
    "Write",
];

const INTERRUPT_TEXT: &str = "[Request interrupted by user]";
const API_ERROR_TEXT: &str = "API Error: 400 fake-claude: deliberately rejected (FAKE_API_ERROR)";
const BIGLINE_BYTES: usize = 10 * 1024 * 1024;
const FLOOD_BYTES: usize = 50 * 1024 * 1024;
const FLOOD_CHUNK: usize = 64 * 1024;

/// The fault modes, each switched on by its keyword anywhere in the prompt text.
#[derive(Default)]
struct Keywords {
    slow: bool,
    tool: bool,
    permission: bool,
    crash: bool,
    hang: bool,
    garbage: bool,
    bigline: bool,
    stderr_flood: bool,
    two_results: bool,
    api_error: bool,
    exit_after_result: bool,
    deaf: bool,
    grandchild: bool,
    /// `FAKE_DETACHED`: the grandchild gets a process group of its own, as the real CLI's Bash
    /// tool does (`detached: true` in 2.1.x).
    detached: bool,
    flood: bool,
    rate: bool,
}

impl Keywords {
    fn parse(p: &str) -> Self {
        Keywords {
            slow: p.contains("FAKE_SLOW"),
            tool: p.contains("FAKE_TOOL"),
            permission: p.contains("FAKE_PERMISSION"),
            crash: p.contains("FAKE_CRASH"),
            hang: p.contains("FAKE_HANG_MIDTURN"),
            garbage: p.contains("FAKE_GARBAGE"),
            bigline: p.contains("FAKE_BIGLINE"),
            stderr_flood: p.contains("FAKE_STDERR_FLOOD"),
            two_results: p.contains("FAKE_TWO_RESULTS"),
            api_error: p.contains("FAKE_API_ERROR"),
            exit_after_result: p.contains("FAKE_EXIT_AFTER_RESULT"),
            deaf: p.contains("FAKE_DEAF"),
            grandchild: p.contains("FAKE_GRANDCHILD"),
            detached: p.contains("FAKE_DETACHED"),
            flood: p.contains("FAKE_FLOOD"),
            rate: p.contains("FAKE_RATE"),
        }
    }
}

/// How a turn ended, for the main loop.
pub enum TurnEnd {
    /// Wait for the next message. `api_error`: the turn ended in an API error.
    Done { api_error: bool },
    /// Exit the process now with this code.
    Exit(i32),
}

/// The host sent `interrupt` while the turn ran.
struct Interrupted;
type Step<T = ()> = Result<T, Interrupted>;

/// Everything that lives for the whole process.
pub struct Session {
    pub shared: Arc<Shared>,
    pub transcript: Transcript,
    /// `--include-partial-messages`.
    pub partial: bool,
    /// `--permission-prompt-tool stdio`: ask the host through `can_use_tool`.
    pub prompt_tool: bool,
    /// `result_index` of the next result.
    results: u64,
}

impl Session {
    pub fn new(
        shared: Arc<Shared>,
        transcript: Transcript,
        partial: bool,
        prompt_tool: bool,
    ) -> Self {
        Session {
            shared,
            transcript,
            partial,
            prompt_tool,
            results: 0,
        }
    }
}

/// The text of a user message's `content`: the string, or its text blocks joined by newlines.
pub fn prompt_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// `n` consecutive pieces of `text` of about the same size (some empty when `text` is short).
fn split_chunks(text: &str, n: usize) -> Vec<&str> {
    let n = n.max(1);
    let cut = |k: usize| {
        let mut pos = k * text.len() / n;
        while !text.is_char_boundary(pos) {
            pos += 1;
        }
        pos
    };
    (0..n).map(|k| &text[cut(k)..cut(k + 1)]).collect()
}

fn usage(input: u64, output: u64) -> Value {
    json!({
        "input_tokens": input, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
        "output_tokens": output,
        "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0},
        "service_tier": "standard",
        "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
    })
}

enum Permission {
    Allow,
    Deny(String),
}

struct Turn<'a> {
    s: &'a mut Session,
    kw: Keywords,
    prompt: String,
    started: Instant,
    input_tokens: u64,
    output_tokens: u64,
    num_turns: u64,
    denials: Vec<Value>,
    flood: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
}

/// Runs one turn for the `{"type":"user",...}` line `msg`.
pub fn run(s: &mut Session, msg: &Value) -> TurnEnd {
    let content = msg
        .pointer("/message/content")
        .cloned()
        .unwrap_or_else(|| json!(""));
    let prompt = prompt_text(&content);
    s.shared.begin_turn();
    s.transcript.queue_operations(&prompt);
    let mode = s.shared.permission_mode();
    let prompt_uuid = s.transcript.conversation(
        "user",
        json!({
            "promptId": uuid(),
            "message": {"role": "user", "content": content},
            "permissionMode": mode,
        }),
    );
    s.shared.checkpoint_prompt(&prompt_uuid);
    let mut t = Turn {
        s,
        kw: Keywords::parse(&prompt),
        prompt,
        started: Instant::now(),
        input_tokens: 0,
        output_tokens: 0,
        num_turns: 0,
        denials: Vec::new(),
        flood: None,
    };
    let end = t.run();
    t.s.shared.end_turn();
    end
}

impl Turn<'_> {
    fn sid(&self) -> String {
        self.s.shared.session_id.clone()
    }

    fn emit(&self, v: &Value) {
        self.s.shared.out.turn_line(v);
    }

    fn garbage(&self, bytes: &[u8]) {
        if self.kw.garbage {
            self.s.shared.out.raw(bytes);
        }
    }

    fn check(&self) -> Step {
        if self.s.shared.interrupted() {
            Err(Interrupted)
        } else {
            Ok(())
        }
    }

    /// Sleeps `ms`, waking early (with `Err`) on an interrupt.
    fn sleep(&self, ms: u64) -> Step {
        let end = Instant::now() + Duration::from_millis(ms);
        loop {
            self.check()?;
            let now = Instant::now();
            if now >= end {
                return Ok(());
            }
            std::thread::sleep((end - now).min(Duration::from_millis(20)));
        }
    }

    fn init(&self) {
        let sh = &self.s.shared;
        self.emit(&json!({
            "type": "system", "subtype": "init", "cwd": sh.cwd, "session_id": sh.session_id,
            "tools": TOOLS, "mcp_servers": [], "model": sh.model(),
            "permissionMode": sh.permission_mode(),
            "slash_commands": ["compact", "context", "cost", "init", "review"],
            "apiKeySource": "none", "claude_code_version": VERSION, "output_style": "default",
            "agents": ["general-purpose"], "skills": [], "plugins": [], "uuid": uuid(),
            "fast_mode_state": "off",
        }));
    }

    fn stream_event(&self, api_message_id: &str, event: Value) {
        if self.s.partial {
            self.emit(&json!({
                "type": "stream_event", "event": event, "session_id": self.sid(),
                "parent_tool_use_id": null, "uuid": uuid(), "api_message_id": api_message_id,
            }));
        }
    }

    /// `system/status requesting`, `message_start` and `content_block_start` (partial only).
    fn start_message(&self, id: &str, input_tokens: u64, block: Value) {
        if !self.s.partial {
            return;
        }
        self.emit(&json!({
            "type": "system", "subtype": "status", "status": "requesting",
            "session_id": self.sid(), "uuid": uuid(),
        }));
        self.stream_event(
            id,
            json!({"type": "message_start", "message": {
                "id": id, "type": "message", "role": "assistant", "model": self.s.shared.model(),
                "content": [], "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": input_tokens, "cache_creation_input_tokens": 0,
                          "cache_read_input_tokens": 0, "output_tokens": 1},
            }}),
        );
        self.stream_event(
            id,
            json!({"type": "content_block_start", "index": 0, "content_block": block}),
        );
    }

    /// `content_block_stop`, `message_delta`, `message_stop` (partial only).
    fn finish_message(&self, id: &str, stop_reason: &str, output_tokens: u64) {
        self.stream_event(id, json!({"type": "content_block_stop", "index": 0}));
        self.stream_event(
            id,
            json!({"type": "message_delta",
                   "delta": {"stop_reason": stop_reason, "stop_sequence": null},
                   "usage": {"output_tokens": output_tokens}}),
        );
        self.stream_event(id, json!({"type": "message_stop"}));
    }

    /// The `assistant` stdout line and its transcript line for a one-block message.
    fn assistant(&mut self, id: &str, block: Value, stop_reason: &str, input: u64, output: u64) {
        let model = self.s.shared.model();
        let req = request_id();
        let mut message = json!({
            "id": id, "type": "message", "role": "assistant", "model": model,
            "content": [block], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": input, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0, "output_tokens": 1},
            "context_management": null,
        });
        self.emit(&json!({
            "type": "assistant", "message": message, "parent_tool_use_id": null,
            "session_id": self.sid(), "uuid": uuid(), "timestamp": timestamp(), "request_id": req,
        }));
        message["stop_reason"] = json!(stop_reason);
        message["usage"] = usage(input, output);
        if let Some(m) = message.as_object_mut() {
            m.remove("context_management");
        }
        self.s
            .transcript
            .conversation("assistant", json!({"message": message, "requestId": req}));
    }

    /// A model call answering `text`, streamed as `chunks.len()` deltas `delay_ms` apart.
    fn text_message(&mut self, text: &str, chunks: &[&str], delay_ms: u64) -> Step {
        let id = msg_id();
        let input = 100 + self.prompt.len() as u64 / 4;
        let output = text.len() as u64 / 4 + 1;
        self.start_message(&id, input, json!({"type": "text", "text": ""}));
        for chunk in chunks {
            if delay_ms > 0 {
                self.sleep(delay_ms)?;
            } else {
                self.check()?;
            }
            self.stream_event(
                &id,
                json!({"type": "content_block_delta", "index": 0,
                       "delta": {"type": "text_delta", "text": chunk}}),
            );
        }
        self.finish_text_message(&id, text, input, output)
    }

    /// The end of a streamed text message `id`: the `assistant` line with `text`, then
    /// `content_block_stop` … `message_stop`; counts its tokens.
    fn finish_text_message(&mut self, id: &str, text: &str, input: u64, output: u64) -> Step {
        self.check()?;
        self.garbage(b"{not json\n");
        self.assistant(
            id,
            json!({"type": "text", "text": text}),
            "end_turn",
            input,
            output,
        );
        self.finish_message(id, "end_turn", output);
        self.input_tokens += input;
        self.output_tokens += output;
        self.num_turns += 1;
        Ok(())
    }

    /// A Bash (`FAKE_TOOL`) or Write (`FAKE_PERMISSION`) tool call and its result.
    fn tool_round(&mut self) -> Step {
        let path = format!(
            "{}/fake-permission.txt",
            self.s.shared.cwd.trim_end_matches('/')
        );
        let (name, input) = if self.kw.permission {
            ("Write", json!({"file_path": path, "content": "x\n"}))
        } else {
            ("Bash", json!({"command": "echo hi"}))
        };
        let id = msg_id();
        let tid = tool_use_id();
        let in_tokens = 100 + self.prompt.len() as u64 / 4;
        self.start_message(
            &id,
            in_tokens,
            json!({"type": "tool_use", "id": tid, "name": name, "input": {}}),
        );
        let input_json = input.to_string();
        let (a, b) = input_json.split_at(input_json.find(':').unwrap_or(0));
        for part in [a, b] {
            self.check()?;
            self.stream_event(
                &id,
                json!({"type": "content_block_delta", "index": 0,
                       "delta": {"type": "input_json_delta", "partial_json": part}}),
            );
        }
        self.check()?;
        self.assistant(
            &id,
            json!({"type": "tool_use", "id": tid, "name": name, "input": input}),
            "tool_use",
            in_tokens,
            12,
        );
        self.finish_message(&id, "tool_use", 12);
        self.input_tokens += in_tokens;
        self.output_tokens += 12;
        self.num_turns += 1;

        let decision = if self.kw.permission {
            self.ask_permission(name, &input, &tid, &path)?
        } else {
            Permission::Allow
        };
        if matches!(decision, Permission::Allow) && self.kw.permission {
            self.s.shared.checkpoint_file(&path);
        }
        let (content, is_error, tool_use_result) = match decision {
            Permission::Allow if self.kw.permission => (
                // Like the real Write tool: the file exists once the tool result says so.
                match std::fs::write(&path, "x\n") {
                    Ok(()) => format!("File created successfully at: {path}"),
                    Err(e) => format!("Error writing {path}: {e}"),
                },
                false,
                json!({"type": "create", "filePath": path, "content": "x\n",
                       "structuredPatch": [], "originalFile": null}),
            ),
            Permission::Allow => (
                "hi".to_owned(),
                false,
                json!({"stdout": "hi", "stderr": "", "interrupted": false,
                       "isImage": false, "noOutputExpected": false}),
            ),
            Permission::Deny(msg) => {
                self.emit(&json!({
                    "type": "system", "subtype": "permission_denied", "tool_name": name,
                    "tool_use_id": tid, "message": msg, "uuid": uuid(), "session_id": self.sid(),
                }));
                self.denials
                    .push(json!({"tool_name": name, "tool_use_id": tid, "tool_input": input}));
                let shown = format!("Error: {msg}");
                (msg, true, Value::String(shown))
            }
        };
        self.check()?;
        let message = json!({"role": "user", "content": [{
            "tool_use_id": tid, "type": "tool_result", "content": content, "is_error": is_error,
        }]});
        self.emit(&json!({
            "type": "user", "message": message, "parent_tool_use_id": null,
            "session_id": self.sid(), "uuid": uuid(), "timestamp": timestamp(),
            "tool_use_result": tool_use_result,
        }));
        self.s.transcript.conversation(
            "user",
            json!({"message": message, "toolUseResult": tool_use_result}),
        );
        Ok(())
    }

    /// Asks the host with a `can_use_tool` control request (or decides from the mode).
    fn ask_permission(&self, name: &str, input: &Value, tid: &str, path: &str) -> Step<Permission> {
        let denied = format!(
            "Claude requested permissions to write to {path}, but you haven't granted it yet."
        );
        match self.s.shared.permission_mode().as_str() {
            "acceptEdits" | "bypassPermissions" => return Ok(Permission::Allow),
            "dontAsk" => return Ok(Permission::Deny(denied)),
            _ if !self.s.prompt_tool => return Ok(Permission::Deny(denied)),
            _ => {}
        }
        let rid = uuid();
        let (tx, rx) = channel();
        let sh = &self.s.shared;
        sh.expect_permission(rid.clone(), tx);
        self.emit(&json!({
            "type": "control_request", "request_id": rid,
            "request": {
                "subtype": "can_use_tool", "tool_name": name, "display_name": name,
                "input": input, "description": "fake-permission.txt",
                "permission_suggestions": [
                    {"type": "setMode", "mode": "acceptEdits", "destination": "session"}
                ],
                "tool_use_id": tid,
            },
        }));
        let answer = loop {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(resp) => break Ok(resp),
                Err(RecvTimeoutError::Timeout) if sh.interrupted() => break Err(Interrupted),
                Err(RecvTimeoutError::Timeout) if !sh.stdin_closed() => {}
                Err(_) => break Ok(json!({"subtype": "error", "error": "stdin closed"})),
            }
        };
        sh.clear_permission();
        let resp = answer?;
        let body = resp.get("response").cloned().unwrap_or(Value::Null);
        let behavior = body.get("behavior").and_then(Value::as_str);
        Ok(
            match (resp.get("subtype").and_then(Value::as_str), behavior) {
                (Some("success"), Some("allow")) => Permission::Allow,
                (Some("success"), _) => Permission::Deny(
                    body.get("message")
                        .and_then(Value::as_str)
                        .map_or(denied, str::to_owned),
                ),
                _ => Permission::Deny(
                    resp.get("error")
                        .and_then(Value::as_str)
                        .map_or(denied, str::to_owned),
                ),
            },
        )
    }

    fn result(&mut self, fields: Value) {
        let mut v = json!({
            "type": "result",
            "duration_ms": self.started.elapsed().as_millis() as u64,
            "duration_api_ms": self.started.elapsed().as_millis() as u64,
            "num_turns": self.num_turns,
            "session_id": self.sid(),
            "total_cost_usd": 0,
            "usage": usage(self.input_tokens, self.output_tokens),
            "modelUsage": {},
            "permission_denials": self.denials,
            "uuid": uuid(),
            "result_index": self.s.results,
        });
        if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), fields) {
            obj.extend(extra);
        }
        self.s.results += 1;
        self.garbage(b"\x00\x01\x02 <<binary garbage>> \xff\xfe\xfd \x1b[31m\x7f\n");
        self.emit(&v);
    }

    fn last_prompt(&mut self) {
        let v = json!({
            "type": "last-prompt", "lastPrompt": self.prompt,
            "leafUuid": self.s.transcript.last_uuid(), "sessionId": self.sid(),
        });
        self.s.transcript.meta(v);
    }

    fn start_flood(&mut self) {
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            let line = b"fake-claude stderr flood: the quick brown fox jumps over it\n";
            let mut chunk = Vec::with_capacity(FLOOD_CHUNK);
            while chunk.len() < FLOOD_CHUNK {
                let room = FLOOD_CHUNK - chunk.len();
                chunk.extend_from_slice(&line[..line.len().min(room)]);
            }
            let stderr = std::io::stderr();
            for _ in 0..FLOOD_BYTES / FLOOD_CHUNK {
                if stop2.load(Ordering::SeqCst) || stderr.lock().write_all(&chunk).is_err() {
                    break;
                }
            }
        });
        self.flood = Some((stop, handle));
    }

    fn stop_flood(&mut self, now: bool) {
        if let Some((stop, handle)) = self.flood.take() {
            if now {
                stop.store(true, Ordering::SeqCst);
            }
            let _ = handle.join();
        }
    }

    fn run(&mut self) -> TurnEnd {
        if self.kw.deaf {
            stress::ignore_termination_signals();
        }
        self.init();
        self.garbage(b"<<garbage>>\n");
        if self.kw.api_error {
            return self.api_error();
        }
        if self.kw.stderr_flood {
            self.start_flood();
        }
        if self.kw.crash {
            let id = msg_id();
            self.start_message(&id, 100, json!({"type": "text", "text": ""}));
            for part in ["Echo", ": ", "about to crash"] {
                self.stream_event(
                    &id,
                    json!({"type": "content_block_delta", "index": 0,
                           "delta": {"type": "text_delta", "text": part}}),
                );
            }
            warn("fake crash");
            std::process::exit(3);
        }
        let body = self.body();
        self.stop_flood(body.is_err());
        let text = match body {
            Ok(text) => text,
            Err(Interrupted) => return self.interrupted(),
        };
        self.result(json!({
            "subtype": "success", "is_error": false, "result": text, "stop_reason": "end_turn",
            "terminal_reason": "completed",
        }));
        self.last_prompt();
        if self.kw.two_results {
            self.background_result();
        }
        if self.kw.exit_after_result {
            return TurnEnd::Exit(0);
        }
        TurnEnd::Done { api_error: false }
    }

    /// Everything between `init` and `result`; returns the final text.
    fn body(&mut self) -> Step<String> {
        if self.kw.grandchild {
            self.spawn_grandchild();
        }
        if self.kw.deaf {
            self.deaf();
        }
        if self.kw.hang || self.kw.grandchild {
            self.first_delta();
            loop {
                self.sleep(1000)?;
            }
        }
        if self.kw.tool || self.kw.permission {
            self.tool_round()?;
        }
        if self.kw.flood {
            return self.flood();
        }
        if self.kw.rate {
            return self.rate();
        }
        if self.kw.bigline {
            let text = "x".repeat(BIGLINE_BYTES);
            self.text_message(&text, &split_chunks(&text, 2), 0)?;
            return Ok(text);
        }
        let text = format!("Echo: {}", self.prompt);
        if self.kw.slow {
            self.text_message(&text, &split_chunks(&text, 20), 100)?;
        } else {
            let chunks: Vec<&str> = split_chunks(&text, 3)
                .into_iter()
                .filter(|c| !c.is_empty())
                .collect();
            self.text_message(&text, &chunks, 0)?;
        }
        Ok(text)
    }

    fn interrupted(&mut self) -> TurnEnd {
        let message =
            json!({"role": "user", "content": [{"type": "text", "text": INTERRUPT_TEXT}]});
        self.emit(&json!({
            "type": "user", "message": message, "parent_tool_use_id": null,
            "session_id": self.sid(), "uuid": uuid(), "timestamp": timestamp(),
        }));
        self.s
            .transcript
            .conversation("user", json!({"message": message}));
        self.result(json!({
            "subtype": "error_during_execution", "is_error": true, "stop_reason": null,
            "terminal_reason": "aborted_streaming",
            "errors": ["[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null"],
        }));
        self.last_prompt();
        TurnEnd::Done { api_error: false }
    }

    fn api_error(&mut self) -> TurnEnd {
        let block = json!({"type": "text", "text": API_ERROR_TEXT});
        let message = json!({
            "id": uuid(), "container": null, "model": "<synthetic>", "role": "assistant",
            "stop_reason": "stop_sequence", "stop_sequence": "", "type": "message",
            "usage": usage(0, 0), "content": [block], "context_management": null,
        });
        self.emit(&json!({
            "type": "assistant", "message": message, "parent_tool_use_id": null,
            "session_id": self.sid(), "uuid": uuid(), "timestamp": timestamp(),
            "error": "unknown", "is_api_error_message": true, "api_error_status": 400,
            "api_error_type": "invalid_request_error",
        }));
        self.s.transcript.conversation(
            "assistant",
            json!({"message": message, "error": "unknown", "isApiErrorMessage": true,
                   "apiErrorStatus": 400}),
        );
        self.num_turns = 1;
        self.result(json!({
            "subtype": "success", "is_error": true, "result": API_ERROR_TEXT,
            "stop_reason": "stop_sequence", "api_error_status": 400,
            "api_error_type": "invalid_request_error", "terminal_reason": "api_error",
        }));
        self.last_prompt();
        TurnEnd::Done { api_error: true }
    }

    /// `FAKE_TWO_RESULTS`: a background task reports back after the turn's first result.
    fn background_result(&mut self) {
        std::thread::sleep(Duration::from_millis(200));
        self.emit(&json!({
            "type": "system", "subtype": "task_notification", "task_id": "fakebgtask0001",
            "tool_use_id": null, "status": "completed", "output_file": "",
            "summary": "Background task finished.", "summary_is_report": true,
            "usage": {"total_tokens": 128, "tool_uses": 0, "duration_ms": 200},
            "uuid": uuid(), "session_id": self.sid(),
        }));
        self.init();
        self.started = Instant::now();
        self.input_tokens = 0;
        self.output_tokens = 0;
        self.num_turns = 0;
        let text = "Background task finished.";
        if self.text_message(text, &split_chunks(text, 2), 0).is_err() {
            self.interrupted();
            return;
        }
        self.result(json!({
            "subtype": "success", "is_error": false, "result": text, "stop_reason": "end_turn",
            "terminal_reason": "completed",
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks() {
        assert_eq!(split_chunks("abcdef", 3), vec!["ab", "cd", "ef"]);
        assert_eq!(split_chunks("héllo wörld", 20).concat(), "héllo wörld");
        assert_eq!(split_chunks("héllo wörld", 20).len(), 20);
        assert_eq!(split_chunks("", 3), vec!["", "", ""]);
    }

    #[test]
    fn prompt_from_blocks() {
        assert_eq!(prompt_text(&json!("hi")), "hi");
        assert_eq!(
            prompt_text(
                &json!([{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}])
            ),
            "a\nb"
        );
    }
}
