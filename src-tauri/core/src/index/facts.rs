//! What the index learns from a bounded read of one transcript.
//!
//! Speed matters here (every session on the machine is summarized at each listing), so lines are
//! decoded into a borrowed [`LineFacts`] that skips everything the index does not need
//! (`message.content` is kept raw and decoded only for a candidate first prompt), and the tail is
//! searched for title keys with a byte search before anything is parsed there.

use std::borrow::Cow;
use std::fs::File;
#[cfg(not(unix))]
use std::io::{Read, Seek, SeekFrom};

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::transcript::{prompt_text, Content};

/// First read size for a head or tail slice, in bytes.
pub const CHUNK_BYTES: u64 = 4 * 1024;
/// Largest head or tail slice, in bytes.
pub const MAX_SLICE_BYTES: u64 = 64 * 1024;
/// Longest title kept, in chars (a first prompt can be very long).
pub const MAX_TITLE_CHARS: usize = 200;

/// The fields of one transcript line the index uses, borrowed from the line where possible.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LineFacts<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cwd: Option<Cow<'a, str>>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    git_branch: Option<Cow<'a, str>>,
    #[serde(borrow)]
    version: Option<Cow<'a, str>>,
    is_sidechain: Option<bool>,
    is_meta: Option<bool>,
    is_compact_summary: Option<bool>,
    #[serde(borrow)]
    custom_title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    ai_title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    summary: Option<Cow<'a, str>>,
    #[serde(borrow)]
    message: Option<MessageFacts<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MessageFacts<'a> {
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow)]
    content: Option<&'a RawValue>,
}

impl<'a> LineFacts<'a> {
    /// Decodes one line. A line whose fields have unexpected types still counts when it is a
    /// JSON object: the fields that fit are taken from a generic decode.
    fn parse(raw: &'a [u8]) -> Parsed<'a> {
        let trimmed = raw.trim_ascii();
        if trimmed.is_empty() {
            return Parsed::Blank;
        }
        if trimmed.first() != Some(&b'{') {
            return Parsed::Malformed;
        }
        match serde_json::from_slice::<LineFacts>(trimmed) {
            Ok(f) => Parsed::Line(f),
            Err(_) => match serde_json::from_slice::<Value>(trimmed) {
                Ok(Value::Object(map)) => Parsed::Line(LineFacts::lenient(&Value::Object(map))),
                _ => Parsed::Malformed,
            },
        }
    }

    /// The fields that have the expected type, from a generic decode (owned copies).
    fn lenient(v: &Value) -> LineFacts<'static> {
        let s = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(|s| Cow::Owned(s.to_owned()))
        };
        let b = |k: &str| v.get(k).and_then(Value::as_bool);
        let msg = v.get("message");
        LineFacts {
            kind: s("type"),
            cwd: s("cwd"),
            timestamp: s("timestamp"),
            git_branch: s("gitBranch"),
            version: s("version"),
            is_sidechain: b("isSidechain"),
            is_meta: b("isMeta"),
            is_compact_summary: b("isCompactSummary"),
            custom_title: s("customTitle"),
            ai_title: s("aiTitle"),
            summary: s("summary"),
            // The content is left out: a line this odd is no prompt to title a session with.
            message: msg.map(|m| MessageFacts {
                model: m
                    .get("model")
                    .and_then(Value::as_str)
                    .map(|s| Cow::Owned(s.to_owned())),
                content: None,
            }),
        }
    }

    fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("")
    }

    /// The text of a prompt a person typed, when this line is one.
    fn prompt(&self) -> Option<String> {
        let raw = self.message.as_ref()?.content?;
        let content = Content::from_value(serde_json::from_str::<Value>(raw.get()).ok().as_ref());
        prompt_text(
            self.kind(),
            self.is_meta.unwrap_or(false)
                || self.is_sidechain.unwrap_or(false)
                || self.is_compact_summary.unwrap_or(false),
            &content,
        )
    }
}

// A short-lived stack value: boxing the line would cost an allocation per parsed line.
#[allow(clippy::large_enum_variant)]
enum Parsed<'a> {
    Line(LineFacts<'a>),
    Blank,
    Malformed,
}

/// What the head and tail slices of one transcript told us.
#[derive(Debug, Default)]
pub(super) struct Facts {
    pub cwd: Option<String>,
    pub first_prompt: Option<String>,
    pub first_timestamp: Option<String>,
    pub last_timestamp: Option<String>,
    pub git_branch: Option<String>,
    pub version: Option<String>,
    pub model: Option<String>,
    pub custom_title: Option<String>,
    pub ai_title: Option<String>,
    pub summary: Option<String>,
    pub has_conversation: bool,
    pub malformed: usize,
}

impl Facts {
    /// Folds one line in, in file order: first-seen facts (cwd, branch, first prompt) keep their
    /// first value; last-seen facts (timestamp, version, model, titles) take the newest, as the
    /// CLI's own resume picker does for titles.
    fn absorb(&mut self, l: &LineFacts) {
        let kind = l.kind();
        let sidechain = l.is_sidechain.unwrap_or(false);
        match kind {
            "custom-title" => set(&mut self.custom_title, &l.custom_title),
            "ai-title" => set(&mut self.ai_title, &l.ai_title),
            "summary" => set(&mut self.summary, &l.summary),
            _ => {}
        }
        if let Some(ts) = &l.timestamp {
            if self.first_timestamp.is_none() {
                self.first_timestamp = Some(ts.to_string());
            }
            self.last_timestamp = Some(ts.to_string());
        }
        if !matches!(
            kind,
            "user" | "assistant" | "system" | "attachment" | "progress"
        ) {
            return;
        }
        if self.cwd.is_none() {
            self.cwd = l.cwd.as_deref().map(str::to_owned);
        }
        if self.git_branch.is_none() {
            self.git_branch = l
                .git_branch
                .as_deref()
                .filter(|b| !b.is_empty())
                .map(str::to_owned);
        }
        set(&mut self.version, &l.version);
        if (kind == "user" || kind == "assistant") && !sidechain {
            self.has_conversation = true;
        }
        if kind == "assistant" && !sidechain {
            let model = l.message.as_ref().and_then(|m| m.model.as_deref());
            if let Some(model) = model.filter(|m| *m != "<synthetic>") {
                self.model = Some(model.to_owned());
            }
        }
        if self.first_prompt.is_none() && kind == "user" {
            self.first_prompt = l.prompt();
        }
    }

    fn head_done(&self) -> bool {
        self.cwd.is_some() && self.first_prompt.is_some()
    }

    /// Adds what a tail slice found: its last-seen facts win, its first-seen facts only fill gaps.
    fn merge_tail(&mut self, tail: Facts) {
        fill(&mut self.cwd, tail.cwd);
        fill(&mut self.first_prompt, tail.first_prompt);
        fill(&mut self.first_timestamp, tail.first_timestamp);
        fill(&mut self.git_branch, tail.git_branch);
        replace(&mut self.last_timestamp, tail.last_timestamp);
        replace(&mut self.version, tail.version);
        replace(&mut self.model, tail.model);
        replace(&mut self.custom_title, tail.custom_title);
        replace(&mut self.ai_title, tail.ai_title);
        replace(&mut self.summary, tail.summary);
        self.has_conversation |= tail.has_conversation;
        self.malformed += tail.malformed;
    }

    /// The display title and where it came from: custom, else ai, else summary, else prompt.
    pub fn title(&self) -> (String, super::TitleSource) {
        use super::TitleSource;
        let pick = [
            (&self.custom_title, TitleSource::Custom),
            (&self.ai_title, TitleSource::Ai),
            (&self.summary, TitleSource::Summary),
            (&self.first_prompt, TitleSource::Prompt),
        ];
        for (t, src) in pick {
            if let Some(t) = t.as_deref().map(one_line).filter(|t| !t.is_empty()) {
                return (t, src);
            }
        }
        (String::new(), TitleSource::None)
    }
}

fn set(slot: &mut Option<String>, v: &Option<Cow<str>>) {
    if let Some(v) = v {
        *slot = Some(v.to_string());
    }
}

fn fill(slot: &mut Option<String>, v: Option<String>) {
    if slot.is_none() {
        *slot = v;
    }
}

fn replace(slot: &mut Option<String>, v: Option<String>) {
    if v.is_some() {
        *slot = v;
    }
}

/// Collapses whitespace and cuts to [`MAX_TITLE_CHARS`] chars (with `…` when cut); reads only
/// as much of `s` as the title needs.
fn one_line(s: &str) -> String {
    // Whitespace-collapsed chars, lazily: at most one more than a title may hold.
    let words = s.split_whitespace();
    let collapsed = words
        .enumerate()
        .flat_map(|(i, w)| (i > 0).then_some(' ').into_iter().chain(w.chars()));
    let mut out: Vec<char> = collapsed.take(MAX_TITLE_CHARS + 1).collect();
    if out.len() > MAX_TITLE_CHARS {
        out.truncate(MAX_TITLE_CHARS - 1);
        out.push('…');
    }
    out.into_iter().collect()
}

/// Splits `buf` into lines. With `cut_first`, the first piece (cut by a tail slice) is dropped.
/// The last piece (no newline: cut by a head slice, or half written by the CLI) is kept; it only
/// counts when it parses.
fn split_lines(buf: &[u8], cut_first: bool) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', buf) {
        lines.push(&buf[start..nl]);
        start = nl + 1;
    }
    lines.push(&buf[start..]);
    if cut_first && lines.len() > 1 {
        lines.remove(0);
    }
    lines
}

/// Parses one line; a malformed line is counted unless it is the unterminated last piece.
fn parse_counted<'a>(
    facts: &mut Facts,
    raw: &'a [u8],
    is_last_piece: bool,
) -> Option<LineFacts<'a>> {
    match LineFacts::parse(raw) {
        Parsed::Line(l) => Some(l),
        Parsed::Blank => None,
        Parsed::Malformed => {
            if !is_last_piece {
                facts.malformed += 1;
            }
            None
        }
    }
}

/// Forward pass: parses lines in order until the cwd and first prompt are known. Returns how
/// many lines it consumed.
fn head_pass(facts: &mut Facts, lines: &[&[u8]]) -> usize {
    for (i, raw) in lines.iter().enumerate() {
        if let Some(l) = parse_counted(facts, raw, i + 1 == lines.len()) {
            facts.absorb(&l);
        }
        if facts.head_done() {
            return i + 1;
        }
    }
    lines.len()
}

/// Backward pass: newest line first. Parses a line only while the last timestamp is unknown,
/// while the model is unknown and the line has a `"model"` key, or when it has a title key
/// (`customTitle`, `aiTitle`, `summary`); keys are found with a byte search, not a parse.
fn tail_pass(facts: &mut Facts, lines: &[&[u8]]) {
    let finder = memchr::memmem::Finder::new;
    let title_keys = [
        finder("\"customTitle\""),
        finder("\"aiTitle\""),
        finder("\"summary\""),
    ];
    let model_key = finder("\"model\"");
    let mut newest = Facts::default();
    for (i, raw) in lines.iter().enumerate().rev() {
        let wanted = newest.last_timestamp.is_none()
            || (newest.model.is_none() && model_key.find(raw).is_some())
            || title_keys.iter().any(|k| k.find(raw).is_some());
        if !wanted {
            continue;
        }
        let Some(l) = parse_counted(facts, raw, i + 1 == lines.len()) else {
            continue;
        };
        let mut one = Facts::default();
        one.absorb(&l);
        // Walking backwards: the first value seen is the newest one, the last is the oldest.
        fill(&mut newest.last_timestamp, one.last_timestamp);
        fill(&mut newest.version, one.version);
        fill(&mut newest.model, one.model);
        fill(&mut newest.custom_title, one.custom_title);
        fill(&mut newest.ai_title, one.ai_title);
        fill(&mut newest.summary, one.summary);
        replace(&mut newest.cwd, one.cwd);
        replace(&mut newest.git_branch, one.git_branch);
        replace(&mut newest.first_prompt, one.first_prompt);
        replace(&mut newest.first_timestamp, one.first_timestamp);
        newest.has_conversation |= one.has_conversation;
    }
    facts.merge_tail(newest);
}

/// Reads the head (growing from [`CHUNK_BYTES`] until the cwd and first prompt are known) and the
/// tail (growing until a timestamp is seen) of an open transcript of `size` bytes; never more
/// than [`MAX_SLICE_BYTES`] each. A file of at most `2 * CHUNK_BYTES` is read whole.
///
/// Errors: I/O errors of the file.
pub(super) fn read(file: &mut File, size: u64) -> std::io::Result<Facts> {
    let mut facts = Facts::default();
    let mut buf = Vec::new();
    if size <= 2 * CHUNK_BYTES {
        read_range(file, 0, size, &mut buf)?;
        let lines = split_lines(&buf, false);
        let consumed = head_pass(&mut facts, &lines);
        tail_pass(&mut facts, &lines[consumed..]);
        return Ok(facts);
    }
    // Head and tail never overlap: each is at most half the file.
    let max = MAX_SLICE_BYTES.min(size / 2);
    let mut len = CHUNK_BYTES;
    loop {
        // Grow by reading only the new part.
        read_range(file, buf.len() as u64, len - buf.len() as u64, &mut buf)?;
        let mut probe = Facts::default();
        head_pass(&mut probe, &split_lines(&buf, false));
        if probe.head_done() || len >= max {
            facts = probe;
            break;
        }
        len = (len * 4).min(max);
    }
    let mut len = CHUNK_BYTES;
    loop {
        buf.clear();
        read_range(file, size - len, len, &mut buf)?;
        let mut probe = Facts::default();
        tail_pass(&mut probe, &split_lines(&buf, true));
        if probe.last_timestamp.is_some() || len >= max {
            facts.merge_tail(probe);
            break;
        }
        len = (len * 4).min(max);
    }
    Ok(facts)
}

/// Appends `len` bytes at `offset` to `buf` with one positioned read where the OS has one
/// (no seek, no probe read for EOF). A file that shrank meanwhile gives what is there.
fn read_range(file: &mut File, offset: u64, len: u64, buf: &mut Vec<u8>) -> std::io::Result<()> {
    let start = buf.len();
    buf.resize(start + len as usize, 0);
    let mut filled = 0;
    while filled < len as usize {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(
            file,
            &mut buf[start + filled..],
            offset + filled as u64,
        );
        #[cfg(not(unix))]
        let n = file
            .seek(SeekFrom::Start(offset + filled as u64))
            .and_then(|_| file.read(&mut buf[start + filled..]));
        match n {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(start + filled);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_one_line_and_cut_with_an_ellipsis() {
        assert_eq!(one_line("  fix\n the   parser "), "fix the parser");
        let long = "word ".repeat(100);
        let t = one_line(&long);
        assert_eq!(t.chars().count(), MAX_TITLE_CHARS);
        assert!(t.ends_with('…'));
        let exact = "x".repeat(MAX_TITLE_CHARS);
        assert_eq!(one_line(&exact), exact);
    }

    #[test]
    fn lines_split_on_newlines_keeping_the_unterminated_last_piece() {
        assert_eq!(split_lines(b"a\nb\nc", false), vec![&b"a"[..], b"b", b"c"]);
        assert_eq!(split_lines(b"cut\nb\n", true), vec![&b"b"[..], b""]);
    }
}
