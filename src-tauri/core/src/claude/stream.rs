//! stream-json: the line protocol the CLI speaks with `--output-format stream-json --verbose`
//! (and reads with `--input-format stream-json`).
//!
//! Source: CLI 2.1.112 and 2.1.330 captures (`tests/fixtures/samples/local-cli-*/stream`,
//! `control_protocol.wire.jsonl`), the Python Agent SDK `_internal/query.py`, and
//! `shared/claude-code-formats.md` §3–4. Decoding is open: every event keeps the line as the CLI
//! wrote it ([`StreamEvent::text`]), and a type this code does not know is [`EventKind::Unknown`],
//! never an error.
//!
//! Speed: most lines of a turn are `stream_event` deltas that ccdesk only relays. A line is
//! therefore validated and classified without building a JSON tree (only `type` and `subtype`
//! are decoded), kept as its original text, and serialized for the UI from that text. The tree
//! ([`StreamEvent::raw`]) is built on first use, for the few lines ccdesk inspects.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// What kind of line the CLI printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// `system` with `subtype: "init"`: the CLI's session id, model, tools. Precedes every turn.
    Init,
    /// Any other `system` line (`status`, `compact_boundary`, `task_started`, ...); holds the subtype.
    System(String),
    /// `stream_event`: a raw Messages API event (partial text, tool input), with
    /// `--include-partial-messages`.
    Partial,
    /// `assistant`: one finished content block of a model message.
    Assistant,
    /// `user`: a tool result (or an echoed prompt).
    User,
    /// `result`: the end of a turn, with cost, usage and errors. A run may print several.
    Result,
    /// `control_request` from the CLI (e.g. `can_use_tool`).
    ControlRequest,
    /// `control_response` to one of our control requests.
    ControlResponse,
    /// `control_cancel_request`.
    ControlCancel,
    /// A line type this version of ccdesk does not know; holds the type (or `""`).
    Unknown(String),
}

/// One line of the CLI's stdout, decoded. Serializes as the original JSON object, verbatim.
#[derive(Debug, Clone)]
pub struct StreamEvent {
    kind: EventKind,
    text: Box<RawValue>,
    tree: OnceLock<Value>,
}

impl PartialEq for StreamEvent {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.text.get() == other.text.get()
    }
}

impl Serialize for StreamEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text.serialize(s)
    }
}

/// The two fields a line is classified by; everything else is skipped unparsed.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow, default)]
    ty: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    subtype: Option<Cow<'a, str>>,
}

fn classify(ty: &str, subtype: &str) -> EventKind {
    match ty {
        "system" if subtype == "init" => EventKind::Init,
        "system" => EventKind::System(subtype.to_owned()),
        "stream_event" => EventKind::Partial,
        "assistant" => EventKind::Assistant,
        "user" => EventKind::User,
        "result" => EventKind::Result,
        "control_request" => EventKind::ControlRequest,
        "control_response" => EventKind::ControlResponse,
        "control_cancel_request" => EventKind::ControlCancel,
        other => EventKind::Unknown(other.to_owned()),
    }
}

impl StreamEvent {
    /// Classifies a JSON value (tests, and lines built in code). `Null` if it is not an object.
    pub fn from_value(raw: Value) -> StreamEvent {
        let ty = raw.get("type").and_then(Value::as_str).unwrap_or("");
        let subtype = raw.get("subtype").and_then(Value::as_str).unwrap_or("");
        let kind = classify(ty, subtype);
        let text = serde_json::value::to_raw_value(&raw)
            .unwrap_or_else(|_| RawValue::from_string("null".to_owned()).unwrap_or_default());
        StreamEvent {
            kind,
            text,
            tree: OnceLock::from(raw),
        }
    }

    /// Parses one stdout line (without its newline). `None` when it is not a JSON object.
    pub fn parse(line: &[u8]) -> Option<StreamEvent> {
        let line = line.trim_ascii();
        if line.first() != Some(&b'{') {
            return None;
        }
        let text: Box<RawValue> = serde_json::from_slice(line).ok()?;
        let head: Head<'_> = serde_json::from_str(text.get()).ok()?;
        let kind = classify(
            head.ty.as_deref().unwrap_or(""),
            head.subtype.as_deref().unwrap_or(""),
        );
        Some(StreamEvent {
            kind,
            text,
            tree: OnceLock::new(),
        })
    }

    /// The kind of line.
    pub fn kind(&self) -> &EventKind {
        &self.kind
    }

    /// The line as a JSON tree, built on first use.
    pub fn raw(&self) -> &Value {
        self.tree
            .get_or_init(|| serde_json::from_str(self.text.get()).unwrap_or(Value::Null))
    }

    /// The line's JSON text as the CLI wrote it (without the newline).
    pub fn text(&self) -> &str {
        self.text.get()
    }

    /// `session_id` of the line, when it has a non-empty one.
    pub fn session_id(&self) -> Option<&str> {
        self.raw()
            .get("session_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// True for a `result` line.
    pub fn is_result(&self) -> bool {
        self.kind == EventKind::Result
    }

    /// For a `result` line: `is_error`.
    pub fn is_error_result(&self) -> bool {
        self.is_result()
            && self
                .raw()
                .get("is_error")
                .and_then(Value::as_bool)
                .unwrap_or(false)
    }

    /// For a `result` line: its `errors` (e.g. `No conversation found with session ID: ..`),
    /// plus its `result` text when `is_error` is set.
    pub fn result_errors(&self) -> Vec<String> {
        if !self.is_result() {
            return Vec::new();
        }
        let mut out: Vec<String> = self
            .raw()
            .get("errors")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if self.is_error_result() {
            if let Some(r) = self
                .raw()
                .get("result")
                .and_then(Value::as_str)
                .filter(|r| !r.is_empty())
            {
                if !out.iter().any(|e| e == r) {
                    out.push(r.to_owned());
                }
            }
        }
        out
    }

    /// For a `stream_event` carrying a `text_delta`: the text piece.
    pub fn text_delta(&self) -> Option<&str> {
        if self.kind != EventKind::Partial {
            return None;
        }
        let delta = self.raw().get("event")?.get("delta")?;
        (delta.get("type")?.as_str()? == "text_delta").then(|| delta.get("text")?.as_str())?
    }

    /// For an `assistant` line: the text of its text blocks, concatenated.
    pub fn assistant_text(&self) -> Option<String> {
        if self.kind != EventKind::Assistant {
            return None;
        }
        let blocks = self.raw().get("message")?.get("content")?.as_array()?;
        let text: Vec<&str> = blocks
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect();
        Some(text.concat())
    }
}

/// The stdin line that sends a prompt to a CLI running with `--input-format stream-json`
/// (as the Agent SDKs write it), without the trailing newline.
pub fn user_message_line(prompt: &str) -> String {
    json!({
        "type": "user",
        "session_id": "",
        "message": {"role": "user", "content": prompt},
        "parent_tool_use_id": null,
    })
    .to_string()
}

/// A host→CLI control request line, e.g. `{"subtype":"interrupt"}`, without the newline.
pub fn control_request_line(request_id: &str, request: Value) -> String {
    json!({"type": "control_request", "request_id": request_id, "request": request}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_classified_and_keep_their_json() {
        let e = StreamEvent::parse(
            br#"{"type":"system","subtype":"init","session_id":"abc","model":"m"}"#,
        );
        let e = e.unwrap_or_else(|| StreamEvent::from_value(Value::Null));
        assert_eq!(e.kind(), &EventKind::Init);
        assert_eq!(e.session_id(), Some("abc"));
        assert_eq!(serde_json::to_value(&e).ok(), Some(e.raw().clone()));
    }

    #[test]
    fn unknown_types_pass_through() {
        let e = StreamEvent::parse(br#"{"type":"hologram","x":1}"#).map(|e| e.kind().clone());
        assert_eq!(e, Some(EventKind::Unknown("hologram".into())));
        assert!(StreamEvent::parse(b"not json").is_none());
        assert!(StreamEvent::parse(b"[1]").is_none());
    }

    #[test]
    fn text_deltas_and_result_errors_are_read() {
        let d = StreamEvent::parse(br#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}}"#);
        assert_eq!(d.as_ref().and_then(|d| d.text_delta()), Some("Hel"));
        let r = StreamEvent::parse(br#"{"type":"result","subtype":"error_during_execution","is_error":true,"errors":["No conversation found with session ID: x"]}"#);
        let errs = r.map(|r| r.result_errors()).unwrap_or_default();
        assert_eq!(
            errs,
            vec!["No conversation found with session ID: x".to_string()]
        );
    }

    #[test]
    fn the_user_line_is_what_the_sdk_writes() {
        let v: Value = serde_json::from_str(&user_message_line("hi \"there\"")).unwrap_or_default();
        assert_eq!(v["type"], "user");
        assert_eq!(v["message"]["content"], "hi \"there\"");
        assert_eq!(v["message"]["role"], "user");
    }
}
