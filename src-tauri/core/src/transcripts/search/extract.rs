//! What full-text search indexes of one transcript line (format: CLI 2.1.x and 1.0.x transcripts,
//! `shared/claude-code-formats.md` §1): the prompt a person typed, the assistant's text (not its
//! thinking), tool inputs that name things (commands, paths, patterns, queries, URLs,
//! descriptions, subagent prompts; never file bodies) and the first [`MAX_TOOL_OUT_BYTES`] of
//! each tool result. Other lines (titles, summaries, system lines, attachments) are not indexed.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::transcripts::transcript::{prompt_text, Content};

/// Bumped when what is extracted (or how its rows are numbered) changes: an index built by
/// another version is built again.
pub const EXTRACT_VERSION: i64 = 2;

/// Most bytes of a prompt or a reply indexed per line.
pub const MAX_TEXT_BYTES: usize = 32 * 1024;
/// Most bytes of tool input indexed per line (each field at most [`MAX_TOOL_FIELD_BYTES`]).
pub const MAX_TOOL_IN_BYTES: usize = 8 * 1024;
/// Most bytes of one tool input field.
pub const MAX_TOOL_FIELD_BYTES: usize = 1024;
/// Most bytes of tool results indexed per line.
pub const MAX_TOOL_OUT_BYTES: usize = 8 * 1024;
/// Lines longer than this are not decoded for search, in bytes.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The tool input keys whose values are indexed.
const TOOL_KEYS: [&str; 10] = [
    "command",
    "file_path",
    "path",
    "notebook_path",
    "pattern",
    "glob",
    "query",
    "url",
    "description",
    "prompt",
];

/// The searchable text of one line, by column; empty strings for what it does not have.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// A prompt a person typed.
    pub prompt: String,
    /// The assistant's text blocks.
    pub reply: String,
    /// Tool names and the inputs that name things.
    pub tool_in: String,
    /// Tool results (the first [`MAX_TOOL_OUT_BYTES`]).
    pub tool_out: String,
    /// The line's `uuid`.
    pub uuid: Option<String>,
    /// The line's `timestamp`, RFC 3339.
    pub timestamp: Option<String>,
}

impl Extracted {
    /// Whether anything is searchable.
    pub fn is_empty(&self) -> bool {
        self.prompt.is_empty()
            && self.reply.is_empty()
            && self.tool_in.is_empty()
            && self.tool_out.is_empty()
    }

    /// The columns in index order: prompt, reply, tool input, tool output.
    pub fn columns(&self) -> [&str; 4] {
        [&self.prompt, &self.reply, &self.tool_in, &self.tool_out]
    }
}

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    uuid: Option<Cow<'a, str>>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "isMeta", default)]
    is_meta: bool,
    #[serde(rename = "isCompactSummary", default)]
    is_compact_summary: bool,
    #[serde(borrow)]
    message: Option<Message<'a>>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    content: Option<&'a RawValue>,
}

/// `message.content`: a string or blocks (told apart by the first byte: serde's untagged enums
/// cannot hold the borrowed raw values the blocks keep).
enum ContentIn<'a> {
    Text(Cow<'a, str>),
    Blocks(Vec<BlockIn<'a>>),
}

impl<'a> ContentIn<'a> {
    fn parse(raw: &'a RawValue) -> Option<ContentIn<'a>> {
        let s = raw.get();
        match s.trim_start().as_bytes().first()? {
            b'"' => serde_json::from_str(s).ok().map(ContentIn::Text),
            b'[' => serde_json::from_str(s).ok().map(ContentIn::Blocks),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct BlockIn<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    input: Option<&'a RawValue>,
    #[serde(borrow)]
    content: Option<&'a RawValue>,
}

/// A tool result's `content`: a string or blocks with text.
#[derive(Deserialize)]
#[serde(untagged)]
enum ResultIn<'a> {
    #[serde(borrow)]
    Text(Cow<'a, str>),
    #[serde(borrow)]
    Blocks(Vec<ResultBlock<'a>>),
}

#[derive(Deserialize)]
struct ResultBlock<'a> {
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
}

/// Extracts the searchable text of one line; `None` for a line that is not JSON, is too long,
/// or has nothing searchable.
pub fn extract(raw: &[u8]) -> Option<Extracted> {
    if raw.len() > MAX_LINE_BYTES {
        return None;
    }
    let line: Line = serde_json::from_slice(raw).ok()?;
    let kind = line.kind.as_deref()?;
    if kind != "user" && kind != "assistant" {
        return None;
    }
    let content = line.message.as_ref()?.content?;
    let content = ContentIn::parse(content)?;
    let mut out = Extracted {
        uuid: line.uuid.map(Cow::into_owned),
        timestamp: line.timestamp.map(Cow::into_owned),
        ..Extracted::default()
    };
    match (kind, content) {
        ("user", ContentIn::Text(text)) => {
            let not_typed = line.is_meta || line.is_compact_summary;
            if let Some(p) = prompt_text("user", not_typed, &Content::Text(text.into_owned())) {
                push_capped(&mut out.prompt, &p, MAX_TEXT_BYTES);
            }
        }
        (_, ContentIn::Text(text)) => push_capped(&mut out.reply, &text, MAX_TEXT_BYTES),
        (kind, ContentIn::Blocks(blocks)) => {
            for b in &blocks {
                match b.kind.as_deref() {
                    Some("text") => {
                        let Some(t) = b.text.as_deref() else { continue };
                        if kind == "assistant" {
                            push_capped(&mut out.reply, t, MAX_TEXT_BYTES);
                        } else if !line.is_meta && !line.is_compact_summary {
                            let typed = prompt_text("user", false, &Content::Text(t.to_owned()));
                            if let Some(p) = typed {
                                push_capped(&mut out.prompt, &p, MAX_TEXT_BYTES);
                            }
                        }
                    }
                    Some("tool_use") => tool_input(b, &mut out.tool_in),
                    Some("tool_result") => {
                        if let Some(c) = b.content {
                            tool_result(c, &mut out.tool_out);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Adds a tool call's name and the input fields that name things.
fn tool_input(b: &BlockIn, out: &mut String) {
    if let Some(name) = b.name.as_deref() {
        push_capped(out, name, MAX_TOOL_IN_BYTES);
    }
    let Some(input) = b.input else { return };
    let Ok(fields) =
        serde_json::from_str::<std::collections::HashMap<Cow<str>, &RawValue>>(input.get())
    else {
        return;
    };
    for key in TOOL_KEYS {
        let Some(v) = fields.get(key) else { continue };
        if let Ok(s) = serde_json::from_str::<Cow<str>>(v.get()) {
            let mut field = String::new();
            push_capped(&mut field, &s, MAX_TOOL_FIELD_BYTES);
            push_capped(out, &field, MAX_TOOL_IN_BYTES);
        }
    }
}

/// Adds a tool result's text.
fn tool_result(content: &RawValue, out: &mut String) {
    match serde_json::from_str::<ResultIn>(content.get()) {
        Ok(ResultIn::Text(t)) => push_capped(out, &t, MAX_TOOL_OUT_BYTES),
        Ok(ResultIn::Blocks(blocks)) => {
            for t in blocks.iter().filter_map(|b| b.text.as_deref()) {
                push_capped(out, t, MAX_TOOL_OUT_BYTES);
            }
        }
        Err(_) => {}
    }
}

/// Appends `text` (after a newline when `out` has text) while `out` stays within `cap` bytes,
/// cut on a char boundary.
fn push_capped(out: &mut String, text: &str, cap: usize) {
    if out.len() >= cap || text.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let room = cap.saturating_sub(out.len());
    let mut end = text.len().min(room);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out.push_str(&text[..end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_replies_tool_inputs_and_results_go_to_their_columns() {
        let user = br#"{"type":"user","uuid":"u1","timestamp":"2026-01-01T00:00:00Z","message":{"role":"user","content":"find parse_session_index"}}"#;
        let e = extract(user).unwrap();
        assert_eq!(e.prompt, "find parse_session_index");
        assert_eq!(e.uuid.as_deref(), Some("u1"));
        let asst = br#"{"type":"assistant","message":{"content":[{"type":"thinking","thinking":"secret plan"},{"type":"text","text":"Here it is"},{"type":"tool_use","id":"t","name":"Bash","input":{"command":"rg -n needle src/","description":"search","content":"never indexed"}}]}}"#;
        let e = extract(asst).unwrap();
        assert_eq!(e.reply, "Here it is");
        assert_eq!(e.tool_in, "Bash\nrg -n needle src/\nsearch");
        assert!(!e.columns().iter().any(|c| c.contains("secret plan")));
        assert!(!e.tool_in.contains("never indexed"));
        let result = br#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"src/a.rs:1: needle"}]}]}}"#;
        let e = extract(result).unwrap();
        assert_eq!(e.tool_out, "src/a.rs:1: needle");
        assert!(e.prompt.is_empty());
    }

    #[test]
    fn echoes_meta_lines_and_other_types_are_not_prompts() {
        for raw in [
            br#"{"type":"user","isMeta":true,"message":{"content":"Caveat"}}"#.as_slice(),
            br#"{"type":"user","message":{"content":"<command-name>/clear</command-name>"}}"#,
            br#"{"type":"summary","summary":"a title"}"#,
            br#"{"type":"custom-title","customTitle":"x"}"#,
            b"not json",
        ] {
            assert_eq!(extract(raw), None, "{}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn tool_results_are_cut_at_8_kb_on_a_char_boundary() {
        let big = "é".repeat(10_000);
        let raw = serde_json::json!({"type":"user","message":{"content":[
            {"type":"tool_result","tool_use_id":"t","content": big}]}})
        .to_string();
        let e = extract(raw.as_bytes()).unwrap();
        assert!(e.tool_out.len() <= MAX_TOOL_OUT_BYTES);
        assert!(e.tool_out.len() > MAX_TOOL_OUT_BYTES - 4);
    }
}
