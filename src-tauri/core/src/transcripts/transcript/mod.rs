//! Claude Code transcripts: the `<session-id>.jsonl` files the CLI writes under
//! `<config>/projects/<project-dir>/`.
//!
//! Format source: CLI 2.1.112 and 2.1.330 transcripts (see `tests/fixtures/SOURCES.txt`) and
//! `shared/claude-code-formats.md` §2. Every field is optional and the set of line types is open:
//! unknown types decode to [`Entry::Other`], unknown block types to [`Block::Other`].
//!
//! Reading never fails on content: a line that is not JSON is skipped and counted in
//! [`Transcript::malformed_lines`]; a half-written last line (no trailing newline, as while the CLI
//! is writing) is reported in [`Transcript::incomplete_tail`] instead.
//!
//! [`Transcript`] decodes a whole file (small files, tests). The window and `ccdesk show` read
//! transcripts of any size through [`lines`] (where each line starts, extended on append) and
//! [`page`] (a range of lines, each cut to a budget).

pub mod lines;
pub mod page;

pub use lines::{LineCache, LineIndex};
pub use page::{
    read_entry, read_page, read_range, LineRange, PageRequest, PagedEntry, TranscriptPage,
};

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::CoreError;

/// One content block of a message (`message.content[*]`).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Plain (markdown) text.
    Text {
        /// The text.
        text: String,
    },
    /// Extended thinking.
    Thinking {
        /// The thinking text.
        thinking: String,
    },
    /// A tool call by the model.
    ToolUse {
        /// `toolu_...` id.
        id: String,
        /// Tool name, e.g. `Bash`, `Write`, `Task`/`Agent` (a subagent run).
        name: String,
        /// The tool's input, as the model sent it.
        input: Value,
    },
    /// The result of a tool call, sent back as a user message.
    ToolResult {
        /// The `tool_use` id this answers.
        tool_use_id: String,
        /// A string or an array of blocks, as the CLI wrote it.
        content: Value,
        /// Whether the tool failed.
        is_error: bool,
    },
    /// Any other block (`image`, `redacted_thinking`, future types), kept as written.
    Other {
        /// The block as JSON.
        raw: Value,
    },
}

impl Block {
    /// Decodes a block from JSON; never fails (unknown shapes become [`Block::Other`]).
    pub fn from_value(v: Value) -> Block {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        match v.get("type").and_then(Value::as_str) {
            Some("text") => match s("text") {
                Some(text) => Block::Text { text },
                None => Block::Other { raw: v },
            },
            Some("thinking") => Block::Thinking {
                thinking: s("thinking").unwrap_or_default(),
            },
            Some("tool_use") => Block::ToolUse {
                id: s("id").unwrap_or_default(),
                name: s("name").unwrap_or_default(),
                input: v.get("input").cloned().unwrap_or(Value::Null),
            },
            Some("tool_result") => Block::ToolResult {
                tool_use_id: s("tool_use_id").unwrap_or_default(),
                content: v.get("content").cloned().unwrap_or(Value::Null),
                is_error: v.get("is_error").and_then(Value::as_bool).unwrap_or(false),
            },
            _ => Block::Other { raw: v },
        }
    }
}

/// `message.content`: the CLI writes either a plain string or an array of blocks.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(untagged)]
pub enum Content {
    /// A plain string (typical for typed user prompts).
    Text(String),
    /// Structured blocks.
    Blocks(Vec<Block>),
}

impl Content {
    /// Decodes `message.content`; anything but a string or an array is empty blocks.
    pub fn from_value(v: Option<&Value>) -> Content {
        match v {
            Some(Value::String(s)) => Content::Text(s.clone()),
            Some(Value::Array(items)) => {
                Content::Blocks(items.iter().cloned().map(Block::from_value).collect())
            }
            _ => Content::Blocks(Vec::new()),
        }
    }

    /// The concatenated text of the content (text blocks only), for titles and previews.
    pub fn plain_text(&self) -> String {
        match self {
            Content::Text(s) => s.clone(),
            Content::Blocks(blocks) => blocks
                .iter()
                .filter_map(|b| match b {
                    Block::Text { text } => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// True when the content is only tool results (a user line that is not a typed prompt).
    pub fn is_tool_result_only(&self) -> bool {
        match self {
            Content::Text(_) => false,
            Content::Blocks(b) => {
                !b.is_empty() && b.iter().all(|b| matches!(b, Block::ToolResult { .. }))
            }
        }
    }
}

/// A conversation line: `user`, `assistant`, `system`, `attachment` or `progress`.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MessageLine {
    /// The line's `type` (`user`, `assistant`, `system`, `attachment`, `progress`).
    pub kind: String,
    /// `subtype` of `system` lines (`compact_boundary`, `local_command`, ...).
    pub subtype: Option<String>,
    /// This line's id in the conversation tree.
    pub uuid: Option<String>,
    /// Parent in the tree; `None` at a root (and at a compact boundary).
    pub parent_uuid: Option<String>,
    /// True for subagent (sidechain) traffic.
    pub is_sidechain: bool,
    /// True for CLI-injected lines (`isMeta`), which are not user prompts.
    pub is_meta: bool,
    /// True for the summary the CLI writes after `/compact`.
    pub is_compact_summary: bool,
    /// The CLI session id the line was written under.
    pub session_id: Option<String>,
    /// Working directory the CLI ran in: the session's real project path.
    pub cwd: Option<String>,
    /// Git branch at the time, if any.
    pub git_branch: Option<String>,
    /// CLI version that wrote the line, e.g. `2.1.112`.
    pub version: Option<String>,
    /// RFC 3339 timestamp.
    pub timestamp: Option<String>,
    /// `message.role`.
    pub role: Option<String>,
    /// `message.model` (assistant lines).
    pub model: Option<String>,
    /// `message.id` (`msg_...`): the CLI writes one line per content block, so several
    /// assistant lines can share it.
    pub message_id: Option<String>,
    /// `message.content`; empty for lines that carry no message.
    pub content: Content,
    /// `compactMetadata` of a `system/compact_boundary` line (`trigger`, `preTokens`), as written.
    pub compact_metadata: Option<Value>,
    /// `isApiErrorMessage`: the CLI's synthetic assistant message for a failed API call.
    pub is_api_error_message: bool,
}

impl MessageLine {
    /// True when this is a prompt a person typed: a non-meta, non-sidechain `user` line that is
    /// not a tool result, a compact summary, or a slash-command echo (`<command-...>` /
    /// `<local-command-...>` markup).
    pub fn is_real_user_prompt(&self) -> bool {
        let not_typed = self.is_meta || self.is_sidechain || self.is_compact_summary;
        prompt_text(&self.kind, not_typed, &self.content).is_some()
    }

    /// True for `user`/`assistant` lines, the ones that make a conversation resumable.
    pub fn is_conversation(&self) -> bool {
        self.kind == "user" || self.kind == "assistant"
    }
}

/// The text of a prompt a person typed, or `None` when the line is not one: it must be a `user`
/// line that is not meta/sidechain/compact summary (`not_typed`), not only tool results, and not
/// a slash-command echo (`<command-...>`, `<local-command-...>`), an interruption marker or the
/// CLI's caveat text.
pub(crate) fn prompt_text(kind: &str, not_typed: bool, content: &Content) -> Option<String> {
    if kind != "user" || not_typed || content.is_tool_result_only() {
        return None;
    }
    let text = content.plain_text();
    let t = text.trim_start();
    let echo = [
        "<command-",
        "<local-command-",
        "[Request interrupted",
        "Caveat: The messages below were generated",
    ];
    (!t.is_empty() && !echo.iter().any(|p| t.starts_with(p))).then_some(text)
}

/// One decoded transcript line.
// Nearly every entry of a transcript is a `Message`: boxing it would add an allocation per
// line and save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "entry", rename_all = "camelCase")]
pub enum Entry {
    /// A conversation line.
    Message(MessageLine),
    /// Old builds' title line: `{"type":"summary","summary":..,"leafUuid":..}`.
    Summary {
        /// The title.
        summary: String,
    },
    /// A user rename (`/rename`): `{"type":"custom-title","customTitle":..}`.
    CustomTitle {
        /// The title.
        title: String,
    },
    /// A title generated by the CLI: `{"type":"ai-title","aiTitle":..}`.
    AiTitle {
        /// The title.
        title: String,
    },
    /// A line longer than [`page::MAX_LINE_BYTES`], served without being parsed (only by pages:
    /// [`Transcript::read_from`] never makes one).
    #[serde(rename_all = "camelCase")]
    TooLarge {
        /// The line's size, bytes.
        bytes: u64,
        /// Its first [`page::PREVIEW_BYTES`] bytes as text (invalid UTF-8 replaced).
        preview: String,
    },
    /// Any other line type (`queue-operation`, `file-history-snapshot`, `last-prompt`, `mode`,
    /// `cost-state`, future types), kept by name only.
    Other {
        /// The line's `type`, or `""` when it had none.
        kind: String,
    },
}

impl Entry {
    /// Decodes one parsed JSON line. Never fails: an unexpected shape becomes [`Entry::Other`].
    pub fn from_value(v: &Value) -> Entry {
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let b = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        match kind {
            "user" | "assistant" | "system" | "attachment" | "progress" => {
                let msg = v.get("message");
                let ms = |k: &str| {
                    msg.and_then(|m| m.get(k))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                Entry::Message(MessageLine {
                    kind: kind.to_owned(),
                    subtype: s("subtype"),
                    uuid: s("uuid"),
                    parent_uuid: s("parentUuid"),
                    is_sidechain: b("isSidechain"),
                    is_meta: b("isMeta"),
                    is_compact_summary: b("isCompactSummary"),
                    session_id: s("sessionId"),
                    cwd: s("cwd"),
                    git_branch: s("gitBranch").filter(|g| !g.is_empty()),
                    version: s("version"),
                    timestamp: s("timestamp"),
                    role: ms("role"),
                    model: ms("model"),
                    message_id: ms("id"),
                    compact_metadata: v.get("compactMetadata").cloned(),
                    is_api_error_message: b("isApiErrorMessage"),
                    content: match kind {
                        // system lines keep their text in `content` at the top level
                        "system" => match v.get("content") {
                            Some(Value::String(t)) => Content::Text(t.clone()),
                            _ => Content::from_value(msg.and_then(|m| m.get("content"))),
                        },
                        _ => Content::from_value(msg.and_then(|m| m.get("content"))),
                    },
                })
            }
            "summary" => match s("summary") {
                Some(summary) => Entry::Summary { summary },
                None => Entry::Other {
                    kind: kind.to_owned(),
                },
            },
            "custom-title" => match s("customTitle").or_else(|| s("title")) {
                Some(title) => Entry::CustomTitle { title },
                None => Entry::Other {
                    kind: kind.to_owned(),
                },
            },
            "ai-title" => match s("aiTitle").or_else(|| s("title")) {
                Some(title) => Entry::AiTitle { title },
                None => Entry::Other {
                    kind: kind.to_owned(),
                },
            },
            _ => Entry::Other {
                kind: kind.to_owned(),
            },
        }
    }
}

/// Outcome of decoding one raw line.
#[derive(Debug)]
pub(crate) enum LineOutcome {
    /// A JSON object.
    Parsed(Value),
    /// Blank line.
    Blank,
    /// Not JSON.
    Malformed,
}

/// Parses one raw line (without its newline).
pub(crate) fn parse_line(raw: &[u8]) -> LineOutcome {
    let trimmed = raw.trim_ascii();
    if trimmed.is_empty() {
        return LineOutcome::Blank;
    }
    match serde_json::from_slice::<Value>(trimmed) {
        Ok(v @ Value::Object(_)) => LineOutcome::Parsed(v),
        _ => LineOutcome::Malformed,
    }
}

/// A whole transcript, decoded.
#[derive(Debug, Clone, Default, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Transcript {
    /// Decoded lines in file order.
    pub entries: Vec<Entry>,
    /// Lines that were not JSON objects and were skipped.
    pub malformed_lines: usize,
    /// True when the last line had no newline and did not parse (the CLI was mid-write).
    pub incomplete_tail: bool,
}

impl Transcript {
    /// Reads a transcript from any reader, line by line. Lines may be of any length.
    ///
    /// Errors: only I/O errors of the reader.
    pub fn read_from(reader: impl Read) -> std::io::Result<Transcript> {
        let mut reader = BufReader::with_capacity(64 * 1024, reader);
        let mut out = Transcript::default();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf)?;
            if n == 0 {
                break;
            }
            let complete = buf.last() == Some(&b'\n');
            match parse_line(&buf) {
                LineOutcome::Parsed(v) => out.entries.push(Entry::from_value(&v)),
                LineOutcome::Blank => {}
                LineOutcome::Malformed if !complete => out.incomplete_tail = true,
                LineOutcome::Malformed => out.malformed_lines += 1,
            }
        }
        Ok(out)
    }

    /// Reads the transcript at `path`.
    ///
    /// Errors: [`CoreError::Io`] when the file cannot be opened or read.
    pub fn read(path: &Path) -> Result<Transcript, CoreError> {
        let file =
            crate::transcripts::paths::open_regular(path).map_err(|e| CoreError::io(path, e))?;
        Transcript::read_from(file).map_err(|e| CoreError::io(path, e))
    }

    /// The conversation lines (user, assistant, system, ...) in file order.
    pub fn messages(&self) -> impl Iterator<Item = &MessageLine> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Message(m) => Some(m),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Transcript {
        Transcript::read_from(s.as_bytes()).unwrap_or_default()
    }

    #[test]
    fn content_may_be_a_string_or_blocks() {
        let t = read(concat!(
            r#"{"type":"user","message":{"role":"user","content":"hi"},"uuid":"a"}"#,
            "\n",
            r#"{"type":"assistant","message":{"model":"m","content":[{"type":"text","text":"yo"},{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls"}}]}}"#,
            "\n",
        ));
        let m: Vec<_> = t.messages().collect();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].content, Content::Text("hi".into()));
        assert_eq!(m[1].content.plain_text(), "yo");
        assert_eq!(m[1].model.as_deref(), Some("m"));
        assert!(
            matches!(&m[1].content, Content::Blocks(b) if matches!(&b[1], Block::ToolUse { name, .. } if name == "Bash"))
        );
    }

    #[test]
    fn malformed_lines_are_skipped_and_counted() {
        let t = read("not json\n{\"type\":\"user\",\"message\":{\"content\":\"ok\"}}\n[1,2]\n\n");
        assert_eq!(t.malformed_lines, 2);
        assert_eq!(t.messages().count(), 1);
        assert!(!t.incomplete_tail);
    }

    #[test]
    fn a_half_written_last_line_is_tolerated_not_counted() {
        let t = read("{\"type\":\"user\",\"message\":{\"content\":\"ok\"}}\n{\"type\":\"assist");
        assert_eq!(t.malformed_lines, 0);
        assert!(t.incomplete_tail);
        assert_eq!(t.messages().count(), 1);
    }

    #[test]
    fn unknown_types_and_blocks_are_kept_open() {
        let t = read(concat!(
            r#"{"type":"cost-state","x":1}"#,
            "\n",
            r#"{"type":"assistant","message":{"content":[{"type":"hologram","z":2}]}}"#,
            "\n",
        ));
        assert_eq!(
            t.entries[0],
            Entry::Other {
                kind: "cost-state".into()
            }
        );
        let Entry::Message(m) = &t.entries[1] else {
            panic!("not a message")
        };
        assert!(matches!(&m.content, Content::Blocks(b) if matches!(&b[0], Block::Other { .. })));
    }

    #[test]
    fn compact_boundaries_and_api_errors_are_marked() {
        let t = read(concat!(
            r#"{"type":"system","subtype":"compact_boundary","compactMetadata":{"trigger":"manual","preTokens":114}}"#,
            "\n",
            r#"{"type":"assistant","isApiErrorMessage":true,"message":{"model":"<synthetic>","content":[{"type":"text","text":"API Error: 400"}]}}"#,
            "\n",
        ));
        let m: Vec<_> = t.messages().collect();
        assert_eq!(
            m[0].compact_metadata
                .as_ref()
                .map(|c| c["preTokens"].clone()),
            Some(114.into())
        );
        assert!(m[1].is_api_error_message);
        assert!(!m[0].is_api_error_message);
    }

    #[test]
    fn title_lines_decode() {
        let t = read(concat!(
            r#"{"type":"custom-title","customTitle":"Mine","sessionId":"s"}"#,
            "\n",
            r#"{"type":"ai-title","aiTitle":"Auto","sessionId":"s"}"#,
            "\n",
            r#"{"type":"summary","summary":"Old","leafUuid":"x"}"#,
            "\n",
        ));
        assert_eq!(
            t.entries[0],
            Entry::CustomTitle {
                title: "Mine".into()
            }
        );
        assert_eq!(
            t.entries[1],
            Entry::AiTitle {
                title: "Auto".into()
            }
        );
        assert_eq!(
            t.entries[2],
            Entry::Summary {
                summary: "Old".into()
            }
        );
    }

    #[test]
    fn command_echoes_and_meta_lines_are_not_prompts() {
        let t = read(concat!(
            r#"{"type":"user","isMeta":true,"message":{"content":"Caveat"}}"#,
            "\n",
            r#"{"type":"user","message":{"content":"<command-name>/compact</command-name>"}}"#,
            "\n",
            r#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t","content":"x"}]}}"#,
            "\n",
            r#"{"type":"user","isCompactSummary":true,"message":{"content":"This session is being continued"}}"#,
            "\n",
            r#"{"type":"user","message":{"content":[{"type":"text","text":"real one"}]}}"#,
            "\n",
        ));
        let prompts: Vec<_> = t.messages().filter(|m| m.is_real_user_prompt()).collect();
        assert_eq!(prompts.len(), 1);
        assert_eq!(prompts[0].content.plain_text(), "real one");
    }

    #[test]
    fn a_line_of_twenty_megabytes_is_read() {
        let big = "x".repeat(20 * 1024 * 1024);
        let line = format!("{{\"type\":\"user\",\"message\":{{\"content\":\"{big}\"}}}}\n");
        let t = read(&line);
        assert_eq!(
            t.messages().next().map(|m| m.content.plain_text().len()),
            Some(big.len())
        );
    }
}
