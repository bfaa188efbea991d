//! What the index learns from a bounded read of one transcript.
//!
//! Speed matters here (every session on the machine is summarized at each listing), so:
//! - a worker reads into one reused [`Scratch`] buffer (no allocation, no zeroing per file), with
//!   one positioned read per slice step; a slice that must grow reads only its new part;
//! - lines are decoded into a borrowed [`LineFacts`] that skips everything the index does not
//!   need (`message.content` is kept raw only while a first prompt may still be needed, and
//!   decoded only for a candidate first prompt), by [`quick::line`] for the usual line and by
//!   serde for any other;
//! - only complete lines are parsed while a slice can still grow, so a line cut by the slice is
//!   parsed once, when whole;
//! - the tail is searched for title and model keys with a byte search before anything is parsed
//!   there; a newest line too long for the tail's window (a tool result and its copy can be
//!   hundreds of KB) gives its timestamp by a walk back from its end ([`from_end`]);
//! - once the cwd is known, the head parses only lines that may be the first prompt (they hold
//!   `"user"`) or a title; the others (the assistant's, progress) give their timestamp from
//!   their end and are skipped.
//!
//! What a slice step sees does not depend on how the head grows (it stops at the first line that
//! completes it), and the tail grows through the same windows ([`CHUNK_BYTES`], then ×4 up to
//! [`MAX_SLICE_BYTES`]) whatever is read when, so the facts are those of those windows.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::sync::LazyLock;

use memchr::memmem::Finder;
use serde::de::{Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::transcripts::transcript::{prompt_text, Content};

mod from_end;
mod quick;

pub(crate) use from_end::agrees_with_serde as from_end_agrees_with_serde;

/// First read size for a head or tail slice, in bytes.
pub const CHUNK_BYTES: u64 = 4 * 1024;
/// Largest head or tail slice, in bytes (so at most twice this is read per file).
pub const MAX_SLICE_BYTES: u64 = 64 * 1024;
/// Longest title kept, in chars (a first prompt can be very long).
pub const MAX_TITLE_CHARS: usize = 200;

/// [`CHUNK_BYTES`] as a buffer length, in bytes.
const CHUNK: usize = CHUNK_BYTES as usize;
/// [`MAX_SLICE_BYTES`] as a buffer length, in bytes.
const MAX_SLICE: usize = MAX_SLICE_BYTES as usize;

/// A JSON string, borrowed from the line when it has no escapes and owned otherwise (serde's own
/// `Option<Cow<str>>` always copies).
#[derive(Debug)]
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

/// `message.content` as the raw JSON text of the line, kept where a first prompt may be needed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RawContent<'a>(&'a str);

impl<'de: 'a, 'a> Deserialize<'de> for RawContent<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&RawValue>::deserialize(d).map(|raw| RawContent(raw.get()))
    }
}

/// What `message.content` becomes in a [`LineFacts`]: [`RawContent`], or [`IgnoredAny`] where
/// it is not needed.
trait ContentSlot<'a>: Deserialize<'a> {
    /// The slot for the content's raw JSON text.
    fn from_raw(raw: &'a str) -> Self;
}

impl<'a> ContentSlot<'a> for RawContent<'a> {
    fn from_raw(raw: &'a str) -> Self {
        RawContent(raw)
    }
}

impl ContentSlot<'_> for IgnoredAny {
    fn from_raw(_: &str) -> Self {
        IgnoredAny
    }
}

/// The fields of one transcript line the index uses, borrowed from the line where possible.
/// `C` is what `message.content` becomes (a [`ContentSlot`]).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "C: Deserialize<'de>"))]
struct LineFacts<'a, C> {
    #[serde(rename = "type", borrow)]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    cwd: Option<Text<'a>>,
    #[serde(borrow)]
    timestamp: Option<Text<'a>>,
    #[serde(borrow)]
    git_branch: Option<Text<'a>>,
    #[serde(borrow)]
    version: Option<Text<'a>>,
    is_sidechain: Option<bool>,
    is_meta: Option<bool>,
    is_compact_summary: Option<bool>,
    #[serde(borrow)]
    custom_title: Option<Text<'a>>,
    #[serde(borrow)]
    ai_title: Option<Text<'a>>,
    #[serde(borrow)]
    summary: Option<Text<'a>>,
    #[serde(borrow)]
    message: Option<MessageFacts<'a, C>>,
}

#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "C: Deserialize<'de>"))]
struct MessageFacts<'a, C> {
    #[serde(borrow)]
    model: Option<Text<'a>>,
    content: Option<C>,
}

/// The outcome of decoding one line.
// A short-lived stack value: boxing the line would cost an allocation per parsed line.
#[allow(clippy::large_enum_variant)]
enum Parsed<'a, C> {
    Line(LineFacts<'a, C>),
    Blank,
    Malformed,
}

/// Decodes one line: the usual line with [`quick::line`], any other with serde. A line whose
/// fields have unexpected types still counts when it is a JSON object: the fields that fit are
/// taken from a generic decode.
fn parse<'a, C: ContentSlot<'a>>(raw: &'a [u8]) -> Parsed<'a, C> {
    let trimmed = raw.trim_ascii();
    if trimmed.is_empty() {
        return Parsed::Blank;
    }
    // Only a JSON object can be a line, and trimmed it starts with `{` and ends with `}`: a piece
    // cut by a slice end is told apart here, without three failing decodes (quick, serde, Value).
    if trimmed.first() != Some(&b'{') || trimmed.last() != Some(&b'}') {
        return Parsed::Malformed;
    }
    if let Some(line) = quick::line(trimmed) {
        return Parsed::Line(line);
    }
    match serde_json::from_slice::<LineFacts<C>>(trimmed) {
        Ok(f) => Parsed::Line(f),
        Err(_) => match serde_json::from_slice::<Value>(trimmed) {
            Ok(v @ Value::Object(_)) => Parsed::Line(lenient(&v)),
            _ => Parsed::Malformed,
        },
    }
}

/// The decoders' contract, checked on `raw`: when the quick decoder takes a line, serde takes it
/// too, with the same facts (compared in their `Debug` form), for both content slots; and both
/// slots take the same lines. Returns whether the quick decoder took it. For the differential
/// fuzz target (`tests/fuzz`) and the tests.
///
/// Errors: the disagreement, in words.
pub(crate) fn quick_agrees_with_serde(raw: &[u8]) -> Result<bool, String> {
    fn one<'a, C: ContentSlot<'a> + std::fmt::Debug>(raw: &'a [u8]) -> Result<bool, String> {
        let trimmed = raw.trim_ascii();
        if trimmed.first() != Some(&b'{') {
            return Ok(false);
        }
        let Some(quick) = quick::line::<C>(trimmed) else {
            return Ok(false);
        };
        let shown = String::from_utf8_lossy(trimmed);
        match serde_json::from_slice::<LineFacts<C>>(trimmed) {
            Ok(serde) if format!("{quick:?}") == format!("{serde:?}") => Ok(true),
            Ok(serde) => Err(format!("quick {quick:?} != serde {serde:?}: {shown}")),
            Err(e) => Err(format!("quick took a line serde refuses ({e}): {shown}")),
        }
    }
    let raw_content = one::<RawContent>(raw)?;
    let ignored = one::<IgnoredAny>(raw)?;
    if raw_content != ignored {
        return Err(format!(
            "the content slots disagree ({raw_content} vs {ignored}): {}",
            String::from_utf8_lossy(raw)
        ));
    }
    Ok(raw_content)
}

/// Whether [`parse`] could find a line in `raw`: only a JSON object (opening and closing brace
/// around the trimmed text) can be one. Lets a piece cut by a slice be skipped unparsed.
fn may_be_line(raw: &[u8]) -> bool {
    let trimmed = raw.trim_ascii();
    trimmed.first() == Some(&b'{') && trimmed.last() == Some(&b'}')
}

/// The fields that have the expected type, from a generic decode (owned copies).
fn lenient<C>(v: &Value) -> LineFacts<'static, C> {
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(|s| Text(Cow::Owned(s.to_owned())))
    };
    let b = |k: &str| v.get(k).and_then(Value::as_bool);
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
        message: v.get("message").map(|m| MessageFacts {
            model: m
                .get("model")
                .and_then(Value::as_str)
                .map(|s| Text(Cow::Owned(s.to_owned()))),
            content: None,
        }),
    }
}

fn text<'l>(t: &'l Option<Text>) -> Option<&'l str> {
    t.as_ref().map(|t| t.0.as_ref())
}

impl<C> LineFacts<'_, C> {
    fn kind(&self) -> &str {
        text(&self.kind).unwrap_or("")
    }

    fn sidechain(&self) -> bool {
        self.is_sidechain.unwrap_or(false)
    }

    /// The title this line sets, if it is a title line: (custom, ai, summary).
    fn titles(&self) -> (Option<&str>, Option<&str>, Option<&str>) {
        match self.kind() {
            "custom-title" => (text(&self.custom_title), None, None),
            "ai-title" => (None, text(&self.ai_title), None),
            "summary" => (None, None, text(&self.summary)),
            _ => (None, None, None),
        }
    }

    /// True for the line types that carry session facts (cwd, branch, version, model).
    fn is_message(&self) -> bool {
        matches!(
            self.kind(),
            "user" | "assistant" | "system" | "attachment" | "progress"
        )
    }

    /// The git branch, when recorded and not empty.
    fn git_branch(&self) -> Option<&str> {
        text(&self.git_branch).filter(|b| !b.is_empty())
    }

    /// True for a user or assistant message of the main conversation.
    fn is_conversation(&self) -> bool {
        matches!(self.kind(), "user" | "assistant") && !self.sidechain()
    }

    /// The model of a main-conversation assistant message (the CLI's `<synthetic>` excluded).
    fn model(&self) -> Option<&str> {
        if self.kind() != "assistant" || self.sidechain() {
            return None;
        }
        let model = self.message.as_ref().and_then(|m| text(&m.model));
        model.filter(|m| *m != "<synthetic>")
    }
}

impl LineFacts<'_, RawContent<'_>> {
    /// The text of a prompt a person typed, when this line is one.
    fn prompt(&self) -> Option<String> {
        if self.kind() != "user" {
            return None;
        }
        let RawContent(raw) = self.message.as_ref()?.content?;
        // A plain string (the usual typed prompt) is decoded directly, and only as far as its
        // title reads; other shapes generically.
        let content = match string_start(raw) {
            Some(s) => Content::Text(s),
            None => match prompt_blocks(raw) {
                Some(blocks) => Content::Blocks(blocks),
                None => Content::from_value(serde_json::from_str::<Value>(raw).ok().as_ref()),
            },
        };
        prompt_text(
            self.kind(),
            self.is_meta.unwrap_or(false)
                || self.sidechain()
                || self.is_compact_summary.unwrap_or(false),
            &content,
        )
    }
}

/// A content block as far as a prompt's text needs it: its type and its text (still raw JSON),
/// the rest skipped.
#[derive(Deserialize)]
struct PromptBlock<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    text: Option<&'a RawValue>,
}

/// An array `message.content` decoded as [`prompt_text`] reads it for a title: text blocks
/// with their text (each decoded only as far as a title reads, as [`string_start`] does), tool
/// results as such (their content is not kept), anything else as an empty other block. Skips
/// what a generic decode would build (a tool result's or an image's bytes). `None` for any
/// other shape (a block whose `text` is no string, a type twice): the generic decode decides
/// then.
fn prompt_blocks(raw: &str) -> Option<Vec<crate::transcripts::transcript::Block>> {
    use crate::transcripts::transcript::Block;
    let blocks: Vec<PromptBlock> = serde_json::from_str(raw).ok()?;
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks {
        let kind = b.kind.as_ref().map(|t| t.0.as_ref());
        let text = match b.text.map(RawValue::get) {
            None | Some("null") => None,
            Some(t) if t.starts_with('"') => {
                Some(string_start(t).or_else(|| serde_json::from_str::<String>(t).ok())?)
            }
            Some(_) => return None,
        };
        out.push(match (kind, text) {
            (Some("text"), Some(text)) => Block::Text { text },
            (Some("tool_result"), _) => Block::ToolResult {
                tool_use_id: String::new(),
                content: Value::Null,
                is_error: false,
            },
            _ => Block::Other { raw: Value::Null },
        });
    }
    Some(out)
}

/// Non-whitespace chars of a prompt after which the rest changes neither its title (at most
/// [`MAX_TITLE_CHARS`] chars, whitespace collapsed) nor whether it is a prompt (a test of its
/// first few dozen chars).
const PROMPT_PREFIX_CHARS: usize = MAX_TITLE_CHARS + 1;

/// The start of the JSON string `raw` (one that a line's parse accepted), decoded: the whole
/// string, or its shortest prefix that holds [`PROMPT_PREFIX_CHARS`] non-whitespace chars. `None`
/// when `raw` is not a string or holds a `\u` escape that may be a surrogate: whether those pair
/// up (else a full decode fails) is left to a full decode.
fn string_start(raw: &str) -> Option<String> {
    let mut rest = raw.strip_prefix('"')?;
    let bytes = rest.as_bytes();
    let maybe_surrogate = memchr::memchr_iter(b'\\', bytes)
        .any(|i| bytes.get(i + 1) == Some(&b'u') && matches!(bytes.get(i + 2), Some(b'd' | b'D')));
    if maybe_surrogate {
        return None;
    }
    // Room for the usual prompt start (a few hundred ASCII chars) without growing.
    let mut out = String::with_capacity(rest.len().min(4 * PROMPT_PREFIX_CHARS));
    let mut seen = 0;
    loop {
        let stop = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
        let (plain, tail) = rest.split_at(stop);
        match nonspace_end(plain, PROMPT_PREFIX_CHARS - seen) {
            Ok(end) => {
                out.push_str(&plain[..end]);
                return Some(out);
            }
            Err(count) => seen += count,
        }
        out.push_str(plain);
        let (c, len) = match tail.as_bytes() {
            [b'"', ..] => return Some(out),
            [b'\\', b'u', hex @ ..] => {
                let code = std::str::from_utf8(hex.get(..4)?).ok()?;
                (char::from_u32(u32::from_str_radix(code, 16).ok()?)?, 6)
            }
            [b'\\', e, ..] => {
                let c = match e {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return None,
                };
                (c, 2)
            }
            _ => return None,
        };
        out.push(c);
        if !c.is_whitespace() {
            seen += 1;
            if seen == PROMPT_PREFIX_CHARS {
                return Some(out);
            }
        }
        rest = tail.get(len..)?;
    }
}

/// ASCII whitespace as [`char::is_whitespace`] has it (vertical tab included).
fn ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// Where the `n`th non-whitespace char of `s` ends (`n` ≥ 1), in bytes; or, when `s` has fewer,
/// how many it has. ASCII is looked at a byte at a time.
fn nonspace_end(s: &str, n: usize) -> Result<usize, usize> {
    let mut seen = 0;
    let mut i = 0;
    while let Some(&b) = s.as_bytes().get(i) {
        let (len, space) = if b.is_ascii() {
            (1, ascii_space(b))
        } else {
            let c = s[i..].chars().next().unwrap_or(' ');
            (c.len_utf8(), c.is_whitespace())
        };
        i += len;
        if !space {
            seen += 1;
            if seen == n {
                return Ok(i);
            }
        }
    }
    Err(seen)
}

/// The first-seen facts a head slice did not find, which a tail slice may fill.
#[derive(Debug, Clone, Copy)]
struct Gaps {
    cwd: bool,
    first_timestamp: bool,
    git_branch: bool,
    first_prompt: bool,
}

/// What the head and tail slices of one transcript told us.
#[derive(Debug, Default, Clone, serde::Serialize, Deserialize)]
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
    /// Folds one line in, in file order: first-seen facts (cwd, branch, first prompt, first
    /// timestamp) keep their first value; last-seen facts (timestamp, version, model, titles)
    /// take the newest, as the CLI's own resume picker does for titles.
    fn absorb_forward(&mut self, l: &LineFacts<RawContent>) {
        let (custom, ai, summary) = l.titles();
        put(&mut self.custom_title, custom);
        put(&mut self.ai_title, ai);
        put(&mut self.summary, summary);
        if let Some(ts) = text(&l.timestamp) {
            fill(&mut self.first_timestamp, Some(ts));
            put(&mut self.last_timestamp, Some(ts));
        }
        if !l.is_message() {
            return;
        }
        fill(&mut self.cwd, text(&l.cwd));
        fill(&mut self.git_branch, l.git_branch());
        put(&mut self.version, text(&l.version));
        self.has_conversation |= l.is_conversation();
        put(&mut self.model, l.model());
        if self.first_prompt.is_none() {
            // Kept as its title would show it (one line, at most MAX_TITLE_CHARS): what the
            // cache stores and copies is small whatever the prompt's size.
            self.first_prompt = l.prompt().map(|p| one_line(&p));
        }
    }

    /// Folds one line in, walking backwards (newest line first): the mirror of
    /// [`Facts::absorb_forward`], so last-seen facts keep their first value here and first-seen
    /// facts take the oldest. First-seen facts are kept only for the `gaps` the head left (the
    /// others are never used); `prompt` decodes the line's first-prompt candidate and is only
    /// called when the head found none.
    fn absorb_backward<'l, C>(
        &mut self,
        l: &LineFacts<'l, C>,
        gaps: Gaps,
        prompt: impl FnOnce(&LineFacts<'l, C>) -> Option<String>,
    ) {
        let (custom, ai, summary) = l.titles();
        fill(&mut self.custom_title, custom);
        fill(&mut self.ai_title, ai);
        fill(&mut self.summary, summary);
        if let Some(ts) = text(&l.timestamp) {
            fill(&mut self.last_timestamp, Some(ts));
            if gaps.first_timestamp {
                put(&mut self.first_timestamp, Some(ts));
            }
        }
        if !l.is_message() {
            return;
        }
        if gaps.cwd {
            put(&mut self.cwd, text(&l.cwd));
        }
        if gaps.git_branch {
            put(&mut self.git_branch, l.git_branch());
        }
        fill(&mut self.version, text(&l.version));
        self.has_conversation |= l.is_conversation();
        fill(&mut self.model, l.model());
        if gaps.first_prompt {
            if let Some(p) = prompt(l) {
                self.first_prompt = Some(one_line(&p));
            }
        }
    }

    /// The first-seen facts these (head) facts lack.
    fn gaps(&self) -> Gaps {
        Gaps {
            cwd: self.cwd.is_none(),
            first_timestamp: self.first_timestamp.is_none(),
            git_branch: self.git_branch.is_none(),
            first_prompt: self.first_prompt.is_none(),
        }
    }

    fn head_done(&self) -> bool {
        self.cwd.is_some() && self.first_prompt.is_some()
    }

    /// Adds what a tail slice found: its last-seen facts win, its first-seen facts only fill gaps.
    fn merge_tail(&mut self, tail: Facts) {
        fill_owned(&mut self.cwd, tail.cwd);
        fill_owned(&mut self.first_prompt, tail.first_prompt);
        fill_owned(&mut self.first_timestamp, tail.first_timestamp);
        fill_owned(&mut self.git_branch, tail.git_branch);
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

/// Sets `slot` to `v` when `v` is known, reusing the slot's allocation.
fn put(slot: &mut Option<String>, v: Option<&str>) {
    let Some(v) = v else { return };
    match slot {
        Some(s) => {
            s.clear();
            s.push_str(v);
        }
        None => *slot = Some(v.to_owned()),
    }
}

/// Sets `slot` to `v` only when the slot is still empty.
fn fill(slot: &mut Option<String>, v: Option<&str>) {
    if slot.is_none() {
        *slot = v.map(str::to_owned);
    }
}

fn fill_owned(slot: &mut Option<String>, v: Option<String>) {
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
/// as much of `s` as the title needs. Whitespace is what [`char::is_whitespace`] says; a start
/// that is already one line of ASCII is copied at once, other runs of ASCII a word at a time.
fn one_line(s: &str) -> String {
    // Whitespace-collapsed chars, at most one more than a title may hold.
    let limit = MAX_TITLE_CHARS + 1;
    // Room for the ellipsis that replaces two chars.
    let mut out = String::with_capacity(s.len().min(limit) + '…'.len_utf8());
    // Fast path: the first `limit` chars, and the one after, are ASCII words with single
    // spaces between them (none first, none last): collapsing changes nothing there.
    let probe = &s.as_bytes()[..s.len().min(limit + 1)];
    let one_line_already = probe.first() != Some(&b' ')
        && (probe.len() > limit || probe.last() != Some(&b' '))
        && probe
            .iter()
            .all(|&b| b.is_ascii() && (b == b' ' || !ascii_space(b)))
        && !probe.windows(2).any(|w| w == b"  ");
    if one_line_already {
        let n = probe.len().min(limit);
        if n > MAX_TITLE_CHARS {
            out.push_str(&s[..MAX_TITLE_CHARS - 1]);
            out.push('…');
        } else {
            out.push_str(&s[..n]);
        }
        return out;
    }
    let mut chars = 0;
    // A space is owed between two words: written only when another word follows.
    let mut space = false;
    let mut i = 0;
    while chars < limit {
        let Some(&b) = s.as_bytes().get(i) else { break };
        let (word_start, len, is_space) = if b.is_ascii() {
            if ascii_space(b) {
                (false, 1, true)
            } else {
                (true, 0, false)
            }
        } else {
            let c = s[i..].chars().next().unwrap_or(' ');
            (false, c.len_utf8(), c.is_whitespace())
        };
        if is_space {
            space = chars > 0;
            i += len;
            continue;
        }
        if space {
            out.push(' ');
            chars += 1;
            space = false;
            if chars == limit {
                break;
            }
        }
        if word_start {
            // A run of ASCII non-space bytes, as much of it as the title can hold.
            let run = s.as_bytes()[i..]
                .iter()
                .take(limit - chars)
                .take_while(|&&b| b.is_ascii() && !ascii_space(b))
                .count();
            out.push_str(&s[i..i + run]);
            chars += run;
            i += run;
        } else {
            out.push_str(&s[i..i + len]);
            chars += 1;
            i += len;
        }
    }
    if chars > MAX_TITLE_CHARS {
        out.pop();
        out.pop();
        out.push('…');
    }
    out
}

/// Parses one line; a malformed line is counted unless it is the unterminated last piece.
fn parse_counted<'a, C: ContentSlot<'a>>(
    malformed: &mut usize,
    raw: &'a [u8],
    is_last_piece: bool,
) -> Option<LineFacts<'a, C>> {
    match parse(raw) {
        Parsed::Line(l) => Some(l),
        Parsed::Blank => None,
        Parsed::Malformed => {
            if !is_last_piece {
                *malformed += 1;
            }
            None
        }
    }
}

/// Reusable memory for one worker: a head region and a tail region of [`MAX_SLICE_BYTES`] each.
pub(super) struct Scratch {
    buf: Vec<u8>,
}

impl Scratch {
    /// A zeroed buffer of 2 × [`MAX_SLICE_BYTES`] (the OS hands out zero pages lazily).
    pub fn new() -> Scratch {
        Scratch {
            buf: vec![0; 2 * MAX_SLICE],
        }
    }
}

/// The head pass: lines in file order until the cwd and first prompt are known.
struct Head {
    facts: Facts,
    /// Where the next unparsed line starts in the head slice, in bytes.
    pos: usize,
    /// The last line skipped unparsed that has a `"model"` key (its byte range in the slice).
    skipped_model: Option<(usize, usize)>,
}

impl Head {
    fn new() -> Head {
        Head {
            facts: Facts::default(),
            pos: 0,
            skipped_model: None,
        }
    }

    /// Whether a complete head line must be parsed: while the cwd is unknown every line is;
    /// after that only a line that may be a prompt (it has `"user"`) or holds a title.
    /// Skipped lines (the assistant's, progress, snapshots) would tell only last-seen facts,
    /// which the tail tells: a skipped line's timestamp is still taken from its end, its model
    /// kept for [`Head::model_after`].
    fn wants(&mut self, line: &[u8], start: usize) -> bool {
        if self.facts.cwd.is_none()
            || USER_VALUE.find(line).is_some()
            || TITLE_KEYS.iter().any(|k| k.find(line).is_some())
        {
            return true;
        }
        if MODEL_KEY.find(line).is_some() {
            self.skipped_model = Some((start, start + line.len()));
        }
        // The head's last timestamp stays that of its newest line (a file the head reads whole
        // has no tail pass when no prompt completes the head).
        if let from_end::FromEnd::Found(ts) = from_end::timestamp(line) {
            put(&mut self.facts.last_timestamp, Some(&ts));
        }
        false
    }

    /// Parses the complete lines of `buf` from [`Head::pos`] on. Then, when `last` (the slice
    /// cannot grow), the unterminated last piece too; otherwise that piece is tried only when it
    /// can be a whole line and the line completes the head (else it is parsed once whole).
    /// Returns true when the head is done (or nothing more can be learned from it).
    fn feed(&mut self, buf: &[u8], last: bool) -> bool {
        while let Some(nl) = memchr::memchr(b'\n', &buf[self.pos..]) {
            let start = self.pos;
            let line = &buf[start..start + nl];
            self.pos += nl + 1;
            if !self.wants(line, start) {
                continue;
            }
            if let Some(l) = parse_counted(&mut self.facts.malformed, line, false) {
                self.facts.absorb_forward(&l);
            }
            if self.facts.head_done() {
                return true;
            }
        }
        let piece = &buf[self.pos..];
        if last {
            self.pos = buf.len();
            if let Some(l) = parse_counted(&mut self.facts.malformed, piece, true) {
                self.facts.absorb_forward(&l);
            }
            return true;
        }
        if may_be_line(piece) {
            if let Parsed::Line(l) = parse::<RawContent>(piece) {
                let mut probe = self.facts.clone();
                probe.absorb_forward(&l);
                if probe.head_done() {
                    self.facts = probe;
                    return true;
                }
            }
        }
        false
    }

    /// The model of the last assistant line the head skipped, when no line it parsed gave one.
    fn model_of_skipped(&mut self, buf: &[u8]) {
        if self.facts.model.is_some() {
            return;
        }
        if let Some(line) = self
            .skipped_model
            .and_then(|(start, end)| buf.get(start..end))
        {
            if let Parsed::Line(l) = parse::<IgnoredAny>(line) {
                fill(&mut self.facts.model, l.model());
            }
        }
    }

    /// Takes the model from the head's skipped lines and from the complete lines of `buf` after
    /// the head's own (read anyway): the model the tail falls back to when its window holds no
    /// assistant line whole.
    fn model_after(&mut self, buf: &[u8]) {
        self.model_of_skipped(buf);
        let mut pos = self.pos;
        while let Some(nl) = buf.get(pos..).and_then(|rest| memchr::memchr(b'\n', rest)) {
            let line = &buf[pos..pos + nl];
            pos += nl + 1;
            if MODEL_KEY.find(line).is_none() {
                continue;
            }
            if let Parsed::Line(l) = parse::<IgnoredAny>(line) {
                put(&mut self.facts.model, l.model());
            }
        }
    }
}

/// Title keys: a tail line that holds one is parsed whatever else is known.
static TITLE_KEYS: LazyLock<[Finder<'static>; 3]> = LazyLock::new(|| {
    [
        Finder::new("\"customTitle\""),
        Finder::new("\"aiTitle\""),
        Finder::new("\"summary\""),
    ]
});
/// The model key: a tail line that holds it is parsed while the model is unknown.
static MODEL_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("\"model\""));
/// A `"user"` string: only a line that has one can be a prompt (`"type":"user"`).
static USER_VALUE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("\"user\""));

/// The tail pass: lines newest first. A line is parsed only while the last timestamp is unknown,
/// when the head found no cwd or no first prompt, while the model is unknown and the line has a
/// `"model"` key, or when it has a title key (`customTitle`, `aiTitle`, `summary`); keys are
/// found with a byte search, not a parse. When the window cannot grow and its newest line is
/// still cut (longer than 64 KiB, or than half a mid-size file), that line's timestamp is found
/// by walking back from its end ([`from_end::timestamp`]) instead of taken from an older line.
struct Tail {
    /// Newest-first facts of the parsed tail lines.
    newest: Facts,
    /// The first-seen facts the head did not find (so the tail's oldest ones are wanted).
    gaps: Gaps,
    /// Whether no piece of the tail has been taken yet (the next one is the file's last piece).
    at_end: bool,
}

impl Tail {
    fn new(gaps: Gaps) -> Tail {
        Tail {
            newest: Facts::default(),
            gaps,
            at_end: true,
        }
    }

    /// Takes one piece (newest first); `is_last_piece` for the unterminated end of the file.
    fn take(&mut self, raw: &[u8], is_last_piece: bool) {
        // While the head left the cwd or the first prompt unknown (no prompt in its slice), every
        // tail line is parsed for them.
        let wanted = self.newest.last_timestamp.is_none()
            || self.gaps.cwd
            || self.gaps.first_prompt
            || (self.newest.model.is_none() && MODEL_KEY.find(raw).is_some())
            || TITLE_KEYS.iter().any(|k| k.find(raw).is_some());
        if !wanted {
            return;
        }
        let malformed = &mut self.newest.malformed;
        let gaps = self.gaps;
        if gaps.first_prompt {
            if let Some(l) = parse_counted::<RawContent>(malformed, raw, is_last_piece) {
                self.newest.absorb_backward(&l, gaps, LineFacts::prompt);
            }
        } else if let Some(l) = parse_counted::<IgnoredAny>(malformed, raw, is_last_piece) {
            self.newest.absorb_backward(&l, gaps, |_| None);
        }
    }

    /// Takes the timestamp of `piece` (the end of a terminated line the window cut), found
    /// from its end without parsing the line ([`from_end::timestamp`]), when it has one.
    fn timestamp_from_end(&mut self, piece: &[u8]) {
        if let from_end::FromEnd::Found(ts) = from_end::timestamp(piece) {
            put(&mut self.newest.last_timestamp, Some(&ts));
            if self.gaps.first_timestamp {
                put(&mut self.newest.first_timestamp, Some(&ts));
            }
        }
    }

    /// Takes, newest first, every piece of `buf[start..end]` that follows a newline. Returns the
    /// end of what is left: the piece before the first newline.
    fn take_after_newlines(&mut self, buf: &[u8], start: usize, mut end: usize) -> usize {
        while let Some(nl) = memchr::memrchr(b'\n', &buf[start..end]) {
            let nl = start + nl;
            let is_last_piece = self.at_end;
            self.at_end = false;
            self.take(&buf[nl + 1..end], is_last_piece);
            end = nl;
        }
        end
    }

    /// Takes every line of `lines`, which starts at a line start and ends at the end of the
    /// file, newest first.
    fn feed_whole(&mut self, lines: &[u8]) {
        let end = self.take_after_newlines(lines, 0, lines.len());
        let is_last_piece = self.at_end;
        self.take(&lines[..end], is_last_piece);
    }

    /// Takes the lines of the window `buf[start..end]` (the part of the window not yet taken,
    /// which ends where the previous, smaller window began), newest first, down to the piece cut
    /// by the window's start. That piece is taken only when `last` (the window cannot grow) and
    /// the window holds no newline at all (as a one-piece window is kept whole); otherwise it is
    /// tried only when it can be a whole line and yields the last timestamp. Returns the new
    /// `end` (the start of the cut piece) and whether the tail is done.
    fn feed(&mut self, buf: &[u8], start: usize, end: usize, last: bool) -> (usize, bool) {
        let end = self.take_after_newlines(buf, start, end);
        if self.newest.last_timestamp.is_some() {
            return (end, true);
        }
        if !self.at_end {
            // The cut piece is dropped: the window has at least one newline.
            return (end, last);
        }
        let piece = &buf[start..end];
        if last {
            self.take(piece, true);
            return (end, true);
        }
        // A window without a newline is one piece, kept whole; it ends the tail only when it
        // yields a timestamp, else the bigger window decides.
        if may_be_line(piece) {
            let before = (self.newest.clone(), self.at_end);
            self.take(piece, true);
            if self.newest.last_timestamp.is_some() {
                return (end, true);
            }
            (self.newest, self.at_end) = before;
        }
        (end, false)
    }
}

/// Reads the head (growing from [`CHUNK_BYTES`] until the cwd and first prompt are known) and the
/// tail (growing ×4 from [`CHUNK_BYTES`] until a timestamp is seen) of an open transcript; never
/// more than [`MAX_SLICE_BYTES`] each, and each at most half the file so they never overlap. A
/// file of at most `2 * CHUNK_BYTES` is read whole. Returns the facts, the file's size in
/// bytes (known from a short first read, else from a seek to the end: no stat), and whether the
/// file ended with a newline when its end was read (every line up to `size` was complete, so a
/// later append can be folded in from `size` on: [`read_appended`]).
///
/// Errors: I/O errors of the file.
pub(super) fn read(file: &File, scratch: &mut Scratch) -> std::io::Result<(Facts, u64, bool)> {
    let (head_buf, tail_buf) = scratch.buf.split_at_mut(MAX_SLICE);
    let first = read_full_at(file, &mut head_buf[..CHUNK], 0)?;
    let size = if first < CHUNK {
        first as u64
    } else {
        let mut f = file;
        f.seek(SeekFrom::End(0))?
    };
    if size <= 2 * CHUNK_BYTES {
        // Read whole (a file that shrank or grew meanwhile gives what is there up to `size`).
        let want = size as usize;
        let mut len = first.min(want);
        if len < want {
            len += read_full_at(file, &mut head_buf[len..want], len as u64)?;
        }
        let buf = &head_buf[..len];
        let mut head = Head::new();
        head.feed(buf, true);
        head.model_of_skipped(buf);
        let mut facts = head.facts;
        if facts.head_done() {
            // The rest of the file is the tail.
            let mut tail = Tail::new(facts.gaps());
            tail.feed_whole(&buf[head.pos..]);
            facts.merge_tail(tail.newest);
        }
        let complete = len as u64 == size && buf.last() == Some(&b'\n');
        return Ok((facts, size, complete));
    }
    // Each slice is at most half the file: more than CHUNK, at most MAX_SLICE.
    let max = MAX_SLICE.min((size / 2) as usize);

    let mut head = Head::new();
    let mut len = CHUNK;
    while !head.feed(&head_buf[..len], len >= max) {
        // Doubling: the head's facts stop at the first line that completes them, so the step
        // size changes only what is read, not what is learned.
        let grown = (len * 2).min(max);
        let got = read_full_at(file, &mut head_buf[len..grown], len as u64)?;
        if got < grown - len {
            // The file shrank meanwhile: what is there is all there is.
            len += got;
            head.feed(&head_buf[..len], true);
            break;
        }
        len = grown;
    }
    head.model_after(&head_buf[..len]);
    let mut facts = head.facts;

    // The tail's window sits at the end of its region and grows towards the front.
    let top = tail_buf.len();
    let mut len = CHUNK;
    let got = read_full_at(file, &mut tail_buf[top - len..], size - len as u64)?;
    let complete = got == len && tail_buf[top - 1] == b'\n';
    let mut tail = Tail::new(facts.gaps());
    if got < len {
        // The file shrank meanwhile: summarize what was read.
        let start = top - len;
        tail.feed(&tail_buf[..start + got], start, start + got, true);
    } else {
        let mut end = top;
        loop {
            let last = len >= max;
            let (e, done) = tail.feed(tail_buf, top - len, end, last);
            end = e;
            if done {
                break;
            }
            let grown = (len * 4).min(max);
            let (from, to) = (top - grown, top - len);
            let got = read_full_at(file, &mut tail_buf[from..to], size - grown as u64)?;
            if got < to - from {
                // The file shrank meanwhile: keep the window read so far.
                tail.feed(tail_buf, top - len, end, true);
                break;
            }
            len = grown;
        }
        if tail.newest.last_timestamp.is_none() && !tail.at_end {
            // The window stopped inside the newest line (at its largest, or at half the file):
            // that line's end may still hold its timestamp. Bytes before a window of half the
            // file are read for the walk only (the head may have parsed some of them; nothing is
            // parsed twice).
            let reach = MAX_SLICE.min(size as usize).max(len);
            let (from, to) = (top - reach, top - len);
            if read_full_at(file, &mut tail_buf[from..to], size - reach as u64)? == to - from {
                let start =
                    memchr::memrchr(b'\n', &tail_buf[from..end]).map_or(from, |i| from + i + 1);
                tail.timestamp_from_end(&tail_buf[start..end]);
            }
        }
    }
    facts.merge_tail(tail.newest);
    Ok((facts, size, complete))
}

/// Largest appended region [`read_appended`] folds in, in bytes; a bigger append is summarized
/// again with the bounded [`read`] (which never reads more than 2 × [`MAX_SLICE_BYTES`]).
pub(super) const MAX_APPEND_BYTES: u64 = 1 << 20;

/// Folds the lines appended to a transcript since it was summarized into `facts`, in file order
/// ([`Facts::absorb_forward`]: first-seen facts fill gaps, last-seen facts take the newest).
/// `from` is where the summarized part ended (just after a newline), `size` the file's size now;
/// only complete lines are folded (a line still being written is left for the next call).
/// Returns the end of the last complete line folded (`from` when none is complete yet), or
/// `None` when the file is not an append to what was summarized (the byte before `from` is no
/// longer a newline: the file was rewritten), or the append is over [`MAX_APPEND_BYTES`].
///
/// Errors: I/O errors of the file.
pub(super) fn read_appended(
    file: &File,
    from: u64,
    size: u64,
    facts: &mut Facts,
) -> std::io::Result<Option<u64>> {
    if from == 0 || size < from || size - from > MAX_APPEND_BYTES {
        return Ok(None);
    }
    // One read from the newline that ended the summarized part.
    let mut buf = vec![0; (size - from + 1) as usize];
    let got = read_full_at(file, &mut buf, from - 1)?;
    buf.truncate(got);
    if buf.first() != Some(&b'\n') {
        return Ok(None);
    }
    let Some(last_nl) = memchr::memrchr(b'\n', &buf) else {
        return Ok(None);
    };
    for line in buf[1..=last_nl].split(|&b| b == b'\n') {
        if let Some(l) = parse_counted::<RawContent>(&mut facts.malformed, line, false) {
            facts.absorb_forward(&l);
        }
    }
    Ok(Some(from - 1 + last_nl as u64 + 1))
}

/// Fills `buf` from `offset` with positioned reads (no seek), stopping early only at end of
/// file. Returns the bytes read.
fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        #[cfg(unix)]
        let n =
            std::os::unix::fs::FileExt::read_at(file, &mut buf[filled..], offset + filled as u64);
        #[cfg(not(unix))]
        let n = {
            use std::io::Read;
            let mut f = file;
            f.seek(SeekFrom::Start(offset + filled as u64))
                .and_then(|_| f.read(&mut buf[filled..]))
        };
        match n {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The previous, obviously correct form of [`one_line`].
    fn one_line_reference(s: &str) -> String {
        let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars: Vec<char> = collapsed.chars().collect();
        if chars.len() > MAX_TITLE_CHARS {
            let mut t: String = chars[..MAX_TITLE_CHARS - 1].iter().collect();
            t.push('…');
            t
        } else {
            collapsed
        }
    }

    #[test]
    fn titles_are_one_line_and_cut_with_an_ellipsis() {
        assert_eq!(one_line("  fix\n the   parser "), "fix the parser");
        let long = "word ".repeat(100);
        let t = one_line(&long);
        assert_eq!(t.chars().count(), MAX_TITLE_CHARS);
        assert!(t.ends_with('…'));
        let exact = "x".repeat(MAX_TITLE_CHARS);
        assert_eq!(one_line(&exact), exact);
        for s in [
            String::new(),
            "   ".into(),
            "é".repeat(250),
            format!("{} {}", "a".repeat(199), "bc"),
            format!("{} {}", "a".repeat(200), "b"),
            format!("{} é{}", "a".repeat(198), "ü".repeat(9)),
            "x ".repeat(101),
            "日本語 テキスト\u{3000}全角".repeat(30),
            "a\u{0B}b\u{1C}c\u{85}d\u{A0}e\u{2029} \r\n f\u{7F}".repeat(20),
            format!("{} ", "ab ".repeat(66)),
            format!("{}  x", "ab ".repeat(66)),
            format!("{}\nx", "x".repeat(200)),
            format!("{} x", "x".repeat(199)),
            format!("{} x", "x".repeat(200)),
            "x".repeat(201),
            "ab ".repeat(67),
        ] {
            assert_eq!(one_line(&s), one_line_reference(&s), "{s:?}");
        }
        // Words of every length around the cut, with mixed whitespace and non-ASCII chars.
        let long = "x".repeat(37);
        let pieces = ["ab", " ", " ", "w ", "\t\n", "é", "\u{3000}", &long, "ü€"];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..(seed % 160) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            assert_eq!(one_line(&s), one_line_reference(&s), "{s:?}");
        }
    }

    #[test]
    fn prompt_blocks_read_a_prompt_as_the_generic_decode_does() {
        use crate::transcripts::transcript::{prompt_text, Content};
        let cases = [
            r#"[{"type":"text","text":"fix the build"}]"#,
            r#"[{"type":"image","source":{"type":"base64","data":"AAAA"}},{"type":"text","text":"what is this?"},{"type":"text","text":"and \"that\""}]"#,
            r#"[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"x"}]}]"#,
            r#"[{"type":"tool_result","content":"a"},{"type":"text","text":"<command-name>/x</command-name>"}]"#,
            r#"[{"type":"text"},{"type":"text","text":null},{"other":1}]"#,
            r#"[]"#,
        ];
        for raw in cases {
            let fast = Content::Blocks(prompt_blocks(raw).expect(raw));
            let generic = Content::from_value(serde_json::from_str::<Value>(raw).ok().as_ref());
            assert_eq!(
                prompt_text("user", false, &fast),
                prompt_text("user", false, &generic),
                "{raw}"
            );
        }
        // A long text is decoded only as far as its title reads: the titles agree.
        let long = format!(
            r#"[{{"type":"text","text":"{}"}},{{"type":"text","text":"second"}}]"#,
            r#"word \"quoted\"\n "#.repeat(200)
        );
        let title = |c: &Content| prompt_text("user", false, c).map(|p| one_line(&p));
        let fast = Content::Blocks(prompt_blocks(&long).expect("long"));
        let generic = Content::from_value(serde_json::from_str::<Value>(&long).ok().as_ref());
        assert_eq!(title(&fast), title(&generic));
        assert!(title(&fast).is_some_and(|t| t.ends_with('…')));
        // Shapes it does not read are left to the generic decode.
        for raw in [r#"[{"type":"text","text":5}]"#, r#"["a"]"#, r#"{"a":1}"#] {
            assert!(prompt_blocks(raw).is_none(), "{raw}");
        }
    }

    #[test]
    fn a_prompt_string_is_decoded_as_far_as_its_title_reads() {
        let long = "word ".repeat(300);
        let cases = [
            String::new(),
            "short".into(),
            r#"tab\there \"quoted\" back\\slash \/ \b\f\r\n"#.into(),
            r"caf\u00e9 \u65e5\u672c".into(),
            long.clone(),
            format!(r"{}\n{}", "x".repeat(199), "y".repeat(10)),
            format!(r"{}\u00e9{}", "x".repeat(200), "y".repeat(10)),
            format!(r"{}\u00e9{}", r" \n".repeat(300), "y".repeat(300)),
        ];
        for body in cases {
            let raw = format!("\"{body}\"");
            let full: String = serde_json::from_str(&raw).unwrap_or_default();
            let Some(start) = string_start(&raw) else {
                panic!("not decoded: {raw}")
            };
            assert!(full.starts_with(&start), "{raw}");
            assert_eq!(one_line(&start), one_line(&full), "{raw}");
            let nonspace = start.chars().filter(|c| !c.is_whitespace()).count();
            assert!(start == full || nonspace == PROMPT_PREFIX_CHARS, "{raw}");
        }
        // Possible surrogates, and what is no string, are left to a full decode.
        assert_eq!(string_start(r#""\ud83d\ude00""#), None);
        assert_eq!(string_start(r#""\uD800""#), None);
        assert_eq!(string_start("[]"), None);
    }

    #[test]
    fn strings_are_borrowed_unless_escaped() {
        let raw = br#"{"type":"user","cwd":"C:\\work","version":"2.1"}"#;
        let Parsed::Line(l) = parse::<IgnoredAny>(raw) else {
            panic!("not a line")
        };
        assert!(matches!(l.version, Some(Text(Cow::Borrowed("2.1")))));
        assert_eq!(text(&l.cwd), Some("C:\\work"));
    }

    #[test]
    fn a_piece_is_a_candidate_line_only_between_braces() {
        assert!(may_be_line(b" {\"a\":1}\r"));
        assert!(!may_be_line(b"{\"a\":1"));
        assert!(!may_be_line(b"\"a\":1}"));
        assert!(!may_be_line(b""));
    }
}
