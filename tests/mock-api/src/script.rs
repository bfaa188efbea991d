//! What the mock answers: a reply is scripted from the last user text of a request.
//!
//! Keywords (anywhere in the last user text, case-sensitive):
//! - `MOCK_BASH`  -> a `tool_use` of `Bash` running `echo mock-bash` (stop_reason `tool_use`)
//! - `MOCK_WRITE` -> a `tool_use` of `Write` creating `mock-written.txt` in the session's cwd
//! - `MOCK_EDIT`  -> a `tool_use` of `Edit` changing that file's line to [`EDIT_NEW`] (the CLI
//!   takes it after a `MOCK_WRITE` of the same session: it edits only files it has read or written)
//! - `MOCK_THINK` -> a thinking block, then text
//! - `MOCK_400`   -> HTTP 400 with an Anthropic-style error body
//! - `MOCK_SLOW`  -> text deltas spaced [`SLOW_DELTA_INTERVAL`] apart, about 10 s in all
//! - `MOCK_AGENT` -> a `tool_use` of `Agent` with `run_in_background: true`: the CLI starts a
//!   background sub-agent, ends the turn with a first `result`, and when the agent finishes it
//!   tells the main loop (a task-notification user message), which answers in a second turn
//!   with a second `result`
//!   (`samples/local-cli-2.1.330/stream/subagent_background_two_results.stream.jsonl`). The
//!   sub-agent's own request (last user text [`AGENT_PROMPT`]) gets the default reply at once;
//!   the main loop's answer to the `Agent` tool result is spread over [`AGENT_TURN_END_TIME`],
//!   so the agent has finished before the turn ends. (2.1.112 folds an agent that is still
//!   running when the turn ends into that turn: it waits for it and prints one `result`.)
//!
//! Otherwise the reply is [`reply_text_for`]. A last user message that holds only tool results means
//! "continue after a tool": the reply is final text quoting the tool's output ([`after_tool_text`]).
//! Requests that are not the agent's main loop (session titles, summaries, other small-model side
//! requests) get a short text answer, or a small JSON object when they ask for structured output.

use serde_json::{json, Value};
use std::time::Duration;

/// The longest user text that [`reply_text_for`] quotes back (in chars).
pub const MAX_QUOTED_CHARS: usize = 200;
/// Spacing of text deltas for `MOCK_SLOW`.
pub const SLOW_DELTA_INTERVAL: Duration = Duration::from_millis(200);
/// Number of text deltas for `MOCK_SLOW` (50 x 200 ms = 10 s).
pub const SLOW_DELTA_COUNT: usize = 50;
/// The command the `MOCK_BASH` tool call runs.
pub const BASH_COMMAND: &str = "echo mock-bash";
/// The file name the `MOCK_WRITE` tool call writes (inside the session's working directory).
pub const WRITE_FILE_NAME: &str = "mock-written.txt";
/// The content the `MOCK_WRITE` tool call writes.
pub const WRITE_CONTENT: &str = "written by the mock\n";
/// The text the `MOCK_EDIT` tool call puts in place of `written by the mock`.
pub const EDIT_NEW: &str = "edited by the mock";
/// The task prompt of the `MOCK_AGENT` sub-agent (it holds no keyword, so the sub-agent gets
/// the default reply).
pub const AGENT_PROMPT: &str = "Reply with a short greeting from the background sub-agent.";
/// How long the main loop's answer to the `MOCK_AGENT` tool result takes to stream (its deltas
/// are spread over it), leaving the background agent time to finish within the turn.
pub const AGENT_TURN_END_TIME: Duration = Duration::from_millis(3_000);
/// Number of text deltas of that answer (at most).
pub const AGENT_TURN_END_DELTAS: usize = 10;
/// The description of the `MOCK_AGENT` sub-agent task.
pub const AGENT_DESCRIPTION: &str = "Greet from the background";
/// The thinking text of `MOCK_THINK`.
pub const THINKING_TEXT: &str = "The user wants me to think first. Thinking done.";
/// The title the mock suggests when the CLI asks for a session title.
pub const MOCK_TITLE: &str = "Mock session title";

/// The default reply to a user text: `Hello from the mock. You said: <text>`, where `<text>` is the
/// user text on one line (whitespace runs collapsed to one space), trimmed to [`MAX_QUOTED_CHARS`].
pub fn reply_text_for(user_text: &str) -> String {
    let one_line = user_text.split_whitespace().collect::<Vec<_>>().join(" ");
    let quoted: String = one_line.chars().take(MAX_QUOTED_CHARS).collect();
    format!("Hello from the mock. You said: {quoted}")
}

/// The reply after a tool ran: `Done. The tool said: <output>` (output on one line, trimmed).
pub fn after_tool_text(tool_output: &str) -> String {
    let one_line = tool_output.split_whitespace().collect::<Vec<_>>().join(" ");
    let quoted: String = one_line.chars().take(MAX_QUOTED_CHARS).collect();
    format!("Done. The tool said: {quoted}")
}

/// What the last `user` message of a request holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastUser {
    /// The last text block typed by the user (system-reminder blocks left out). The CLI merges
    /// consecutive user messages into one (after an API error, say), so only the last block counts.
    Text(String),
    /// Only tool results (plus perhaps system reminders): the text of the results, joined.
    ToolResults(String),
    /// No user message at all.
    None,
}

impl LastUser {
    /// The user's text, if the last user message has some.
    pub fn text(&self) -> Option<&str> {
        match self {
            LastUser::Text(t) => Some(t),
            _ => None,
        }
    }
}

fn is_reminder(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("<system-reminder>")
        || t.starts_with("<local-command")
        || t.starts_with("<command-")
}

/// Text of a `tool_result` block's `content` (a string or an array of blocks).
fn tool_result_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Finds the last `user` message of a Messages API request body and what it holds.
pub fn last_user(body: &Value) -> LastUser {
    let Some(messages) = body.get("messages").and_then(Value::as_array) else {
        return LastUser::None;
    };
    let Some(msg) = messages
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
    else {
        return LastUser::None;
    };
    match msg.get("content") {
        Some(Value::String(s)) => LastUser::Text(s.clone()),
        Some(Value::Array(blocks)) => {
            let mut texts = Vec::new();
            let mut all_texts = Vec::new();
            let mut results = Vec::new();
            for b in blocks {
                match b.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        let t = b.get("text").and_then(Value::as_str).unwrap_or_default();
                        all_texts.push(t.to_string());
                        if !is_reminder(t) {
                            texts.push(t.to_string());
                        }
                    }
                    Some("tool_result") => {
                        results.push(tool_result_text(b.get("content").unwrap_or(&Value::Null)))
                    }
                    _ => {}
                }
            }
            if !results.is_empty() && texts.is_empty() {
                LastUser::ToolResults(results.join("\n"))
            } else if let Some(last) = texts.pop() {
                LastUser::Text(last)
            } else {
                // Only reminders: still the user's turn; quote the last rather than nothing.
                LastUser::Text(all_texts.pop().unwrap_or_default())
            }
        }
        _ => LastUser::None,
    }
}

/// The `system` prompt of a request as one string (string or array of text blocks).
pub fn system_text(body: &Value) -> String {
    match body.get("system") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(blocks)) => blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Whether a request is the agent's main loop (it offers tools) rather than a side request
/// (session title, summary, quota probe, ...), which the CLI sends without tools.
pub fn is_main_loop(body: &Value) -> bool {
    body.get("tools")
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty())
}

/// The working directory the CLI announces in its prompts (`Primary working directory: /p` or
/// `Working directory: /p`), if any.
pub fn working_directory(body: &Value) -> Option<String> {
    let mut haystacks = vec![system_text(body)];
    if let Some(messages) = body.get("messages").and_then(Value::as_array) {
        for m in messages {
            match m.get("content") {
                Some(Value::String(s)) => haystacks.push(s.clone()),
                Some(Value::Array(blocks)) => haystacks.extend(
                    blocks
                        .iter()
                        .filter_map(|b| b.get("text").and_then(Value::as_str))
                        .map(str::to_string),
                ),
                _ => {}
            }
        }
    }
    for h in &haystacks {
        for marker in ["Primary working directory: ", "Working directory: "] {
            if let Some(pos) = h.find(marker) {
                let rest = &h[pos + marker.len()..];
                let line = rest.lines().next().unwrap_or_default().trim();
                if line.starts_with('/') || line.contains(":\\") {
                    return Some(line.to_string());
                }
            }
        }
    }
    None
}

/// The name of the last `tool_use` block of the request's last `assistant` message, if any.
pub fn last_tool_use_name(body: &Value) -> Option<String> {
    let messages = body.get("messages")?.as_array()?;
    let msg = messages
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("assistant"))?;
    msg.get("content")?
        .as_array()?
        .iter()
        .rev()
        .find(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

/// One content block of a scripted reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A text block, streamed as these `text_delta` chunks.
    Text(Vec<String>),
    /// A thinking block, streamed as these `thinking_delta` chunks (then a `signature_delta`).
    Thinking(Vec<String>),
    /// A tool call; its input is streamed as `input_json_delta` chunks.
    ToolUse {
        /// Tool name (`Bash`, `Write`).
        name: String,
        /// Tool input.
        input: Value,
    },
}

impl Block {
    /// The whole text of a text or thinking block.
    pub fn full_text(&self) -> Option<String> {
        match self {
            Block::Text(c) | Block::Thinking(c) => Some(c.concat()),
            Block::ToolUse { .. } => None,
        }
    }
}

/// A scripted answer to one `POST /v1/messages`.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// A message with these blocks.
    Message {
        /// Content blocks in order.
        blocks: Vec<Block>,
        /// `end_turn` or `tool_use`.
        stop_reason: &'static str,
        /// Pause before each delta (for `MOCK_SLOW`).
        delta_delay: Option<Duration>,
    },
    /// An HTTP error with an Anthropic-style body.
    Error {
        /// HTTP status.
        status: u16,
        /// Error type (`invalid_request_error`, ...).
        kind: &'static str,
        /// Error message.
        message: String,
    },
}

impl Plan {
    /// All text of the plan's text blocks, concatenated (what the CLI will show as the reply).
    pub fn text(&self) -> String {
        match self {
            Plan::Message { blocks, .. } => blocks
                .iter()
                .filter(|b| matches!(b, Block::Text(_)))
                .filter_map(Block::full_text)
                .collect(),
            Plan::Error { .. } => String::new(),
        }
    }
}

/// Splits a text into delta chunks of about `size` chars (on char boundaries).
pub fn chunks(text: &str, size: usize) -> Vec<String> {
    let size = size.max(1);
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

fn text_message(text: &str) -> Plan {
    Plan::Message {
        blocks: vec![Block::Text(chunks(text, 12))],
        stop_reason: "end_turn",
        delta_delay: None,
    }
}

/// A short, sensible answer to a side request (title, summary, ...).
fn side_plan(body: &Value) -> Plan {
    let system = system_text(body).to_lowercase();
    let last = last_user(body);
    let user = match &last {
        LastUser::Text(t) | LastUser::ToolResults(t) => t.to_lowercase(),
        LastUser::None => String::new(),
    };
    let wants_json = body.get("output_format").is_some()
        || body.pointer("/output_config/format").is_some()
        || system.contains("json");
    let about_title = system.contains("title") || user.contains("title");
    let text = if about_title && wants_json {
        json!({ "title": MOCK_TITLE }).to_string()
    } else if about_title {
        MOCK_TITLE.to_string()
    } else if wants_json {
        json!({ "result": "mock" }).to_string()
    } else {
        "Mock summary.".to_string()
    };
    text_message(&text)
}

/// Decides how to answer a `POST /v1/messages` request body.
pub fn plan(body: &Value) -> Plan {
    let last = last_user(body);
    if !is_main_loop(body) {
        // Scripted errors still apply so the main flow's error can be provoked without tools.
        if last.text().is_some_and(|t| t.contains("MOCK_400")) {
            return error_400();
        }
        return side_plan(body);
    }
    match last {
        LastUser::ToolResults(out) if last_tool_use_name(body).as_deref() == Some("Agent") => {
            let text = after_tool_text(&out);
            let size = text.chars().count().div_ceil(AGENT_TURN_END_DELTAS);
            let parts = chunks(&text, size);
            let delay = AGENT_TURN_END_TIME / u32::try_from(parts.len()).unwrap_or(1).max(1);
            Plan::Message {
                blocks: vec![Block::Text(parts)],
                stop_reason: "end_turn",
                delta_delay: Some(delay),
            }
        }
        LastUser::ToolResults(out) => text_message(&after_tool_text(&out)),
        LastUser::None => text_message(&reply_text_for("")),
        LastUser::Text(t) => {
            if t.contains("MOCK_400") {
                error_400()
            } else if t.contains("MOCK_BASH") {
                Plan::Message {
                    blocks: vec![
                        Block::Text(chunks("I'll run a command.", 12)),
                        Block::ToolUse {
                            name: "Bash".into(),
                            input: json!({ "command": BASH_COMMAND, "description": "Print mock-bash" }),
                        },
                    ],
                    stop_reason: "tool_use",
                    delta_delay: None,
                }
            } else if t.contains("MOCK_WRITE") {
                let path = match working_directory(body) {
                    Some(dir) => format!("{}/{WRITE_FILE_NAME}", dir.trim_end_matches('/')),
                    None => WRITE_FILE_NAME.to_string(),
                };
                Plan::Message {
                    blocks: vec![
                        Block::Text(chunks("I'll write a file.", 12)),
                        Block::ToolUse {
                            name: "Write".into(),
                            input: json!({ "file_path": path, "content": WRITE_CONTENT }),
                        },
                    ],
                    stop_reason: "tool_use",
                    delta_delay: None,
                }
            } else if t.contains("MOCK_EDIT") {
                let path = match working_directory(body) {
                    Some(dir) => format!("{}/{WRITE_FILE_NAME}", dir.trim_end_matches('/')),
                    None => WRITE_FILE_NAME.to_string(),
                };
                Plan::Message {
                    blocks: vec![
                        Block::Text(chunks("I'll edit the file.", 12)),
                        Block::ToolUse {
                            name: "Edit".into(),
                            input: json!({
                                "file_path": path,
                                "old_string": WRITE_CONTENT.trim_end(),
                                "new_string": EDIT_NEW,
                            }),
                        },
                    ],
                    stop_reason: "tool_use",
                    delta_delay: None,
                }
            } else if t.contains("MOCK_AGENT") {
                Plan::Message {
                    blocks: vec![
                        Block::Text(chunks("I'll start a background agent.", 12)),
                        Block::ToolUse {
                            name: "Agent".into(),
                            input: json!({
                                "description": AGENT_DESCRIPTION,
                                "prompt": AGENT_PROMPT,
                                "subagent_type": "general-purpose",
                                "run_in_background": true,
                            }),
                        },
                    ],
                    stop_reason: "tool_use",
                    delta_delay: None,
                }
            } else if t.contains("MOCK_THINK") {
                Plan::Message {
                    blocks: vec![
                        Block::Thinking(chunks(THINKING_TEXT, 16)),
                        Block::Text(chunks(&reply_text_for(&t), 12)),
                    ],
                    stop_reason: "end_turn",
                    delta_delay: None,
                }
            } else if t.contains("MOCK_SLOW") {
                let text = reply_text_for(&t);
                let mut parts = chunks(&text, text.chars().count().div_ceil(SLOW_DELTA_COUNT));
                parts.resize(SLOW_DELTA_COUNT.max(parts.len()), ".".to_string());
                Plan::Message {
                    blocks: vec![Block::Text(parts)],
                    stop_reason: "end_turn",
                    delta_delay: Some(SLOW_DELTA_INTERVAL),
                }
            } else {
                text_message(&reply_text_for(&t))
            }
        }
    }
}

fn error_400() -> Plan {
    Plan::Error {
        status: 400,
        kind: "invalid_request_error",
        message: "MOCK_400: the mock was asked to reject this request".into(),
    }
}

/// A rough token estimate for a request body (4 bytes a token), at least 1.
pub fn estimate_tokens(body: &Value) -> u64 {
    let len = body.to_string().len() as u64;
    (len / 4).max(1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reply_is_one_line_and_trimmed() {
        assert_eq!(
            reply_text_for("a\n  b\tc "),
            "Hello from the mock. You said: a b c"
        );
        let long = "é".repeat(500);
        let r = reply_text_for(&long);
        assert_eq!(
            r.chars().count(),
            "Hello from the mock. You said: ".len() + MAX_QUOTED_CHARS
        );
    }

    #[test]
    fn chunks_respect_char_boundaries() {
        let c = chunks("héllo wörld ✓", 4);
        assert_eq!(c.concat(), "héllo wörld ✓");
        assert!(c.iter().all(|p| p.chars().count() <= 4));
        assert_eq!(chunks("", 4), vec![String::new()]);
    }

    #[test]
    fn last_user_skips_reminders_and_older_blocks() {
        let body = json!({"messages": [
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "x"},
            {"role": "user", "content": [
                {"type": "text", "text": "<system-reminder>ctx</system-reminder>"},
                {"type": "text", "text": "MOCK_400 earlier"},
                {"type": "text", "text": "later"}]},
            {"role": "system", "content": "not a user"}
        ]});
        assert_eq!(last_user(&body), LastUser::Text("later".into()));
        assert_eq!(last_user(&json!({"messages": []})), LastUser::None);
        let tr = json!({"messages": [{"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": "out"}]},
            {"type": "text", "text": "<system-reminder>r</system-reminder>"}]}]});
        assert_eq!(last_user(&tr), LastUser::ToolResults("out".into()));
    }

    #[test]
    fn working_directory_is_found_in_system_or_messages() {
        let b = json!({"system": "x\n - Primary working directory: /a b/c\n - other"});
        assert_eq!(working_directory(&b).as_deref(), Some("/a b/c"));
        let b = json!({"messages": [{"role": "system", "content": [{"type": "text", "text": "Working directory: /p\n"}]}]});
        assert_eq!(working_directory(&b).as_deref(), Some("/p"));
        assert_eq!(working_directory(&json!({})), None);
    }

    #[test]
    fn plans_by_keyword() {
        let tools = json!([{"name": "Bash"}]);
        let body = |t: &str| json!({"tools": tools, "messages": [{"role": "user", "content": t}]});
        assert!(matches!(
            plan(&body("MOCK_400")),
            Plan::Error { status: 400, .. }
        ));
        assert_eq!(plan(&body("hi")).text(), reply_text_for("hi"));
        match plan(&body("MOCK_BASH")) {
            Plan::Message {
                blocks,
                stop_reason,
                ..
            } => {
                assert_eq!(stop_reason, "tool_use");
                assert!(matches!(&blocks[1], Block::ToolUse { name, .. } if name == "Bash"));
            }
            p => panic!("{p:?}"),
        }
        match plan(&body("start MOCK_AGENT")) {
            Plan::Message {
                blocks,
                stop_reason,
                ..
            } => {
                assert_eq!(stop_reason, "tool_use");
                assert!(matches!(&blocks[1], Block::ToolUse { name, input }
                    if name == "Agent" && input["run_in_background"] == true && input["prompt"] == AGENT_PROMPT));
            }
            p => panic!("{p:?}"),
        }
        // The sub-agent's own request holds no keyword: a plain reply, no recursion.
        assert_eq!(
            plan(&body(AGENT_PROMPT)),
            text_message(&reply_text_for(AGENT_PROMPT))
        );
        // The answer to the Agent's tool result comes slowly; to another tool's, at once.
        let after = |tool: &str| {
            plan(&json!({"tools": tools, "messages": [
                {"role": "user", "content": "go"},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "t1", "name": tool, "input": {}}]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "t1", "content": "launched"}]}]}))
        };
        match after("Agent") {
            Plan::Message {
                blocks,
                delta_delay: Some(d),
                ..
            } => {
                let Block::Text(parts) = &blocks[0] else {
                    panic!("{blocks:?}")
                };
                let total = d * parts.len() as u32;
                assert!(
                    AGENT_TURN_END_TIME - total < Duration::from_millis(1),
                    "{total:?}"
                );
                assert!(parts.iter().all(|p| !p.is_empty()), "{parts:?}");
                assert_eq!(parts.concat(), after_tool_text("launched"));
            }
            p => panic!("{p:?}"),
        }
        assert_eq!(after("Bash"), text_message(&after_tool_text("launched")));
        // Without tools it is a side request: short text, never a tool call.
        let side = json!({"messages": [{"role": "user", "content": "MOCK_BASH"}]});
        assert_eq!(plan(&side).text(), "Mock summary.");
    }
}
