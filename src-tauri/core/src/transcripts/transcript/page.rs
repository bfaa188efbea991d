//! Windows of a transcript, served by line range with every entry cut to a budget.
//!
//! The window shows a transcript a page at a time ([`read_page`]): a range of lines found through
//! the file's [`LineIndex`], each decoded on its own, with long strings cut (tool results to
//! [`TOOL_RESULT_BUDGET`], other text to [`TEXT_BUDGET`], image data dropped) so that a page stays
//! small whatever the transcript holds. One entry's whole content comes on demand
//! ([`read_entry`]). A line over [`MAX_LINE_BYTES`] is never parsed: it is served as
//! [`Entry::TooLarge`] with a preview, so a 200 MB line without a newline costs 2 KB.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use serde::Serialize;
use serde_json::Value;

use super::lines::LineIndex;
use super::{parse_line, Entry, LineOutcome};
use crate::error::CoreError;

/// Bytes a tool result keeps in a page (all its strings together); the rest on demand.
pub const TOOL_RESULT_BUDGET: usize = 8 * 1024;
/// Bytes any other block (text, thinking, a tool call's input) keeps in a page.
pub const TEXT_BUDGET: usize = 32 * 1024;
/// Longest line that is parsed, in bytes; longer ones are served as [`Entry::TooLarge`].
pub const MAX_LINE_BYTES: u64 = 8 << 20;
/// Bytes of a too-large line shown as its preview.
pub const PREVIEW_BYTES: usize = 2048;
/// Lines in a page when the caller does not say.
pub const DEFAULT_PAGE_LINES: usize = 200;
/// Most lines one page serves.
pub const MAX_PAGE_LINES: usize = 1000;
/// Most bytes of the file one page reads (at least one line is always served).
pub const MAX_PAGE_BYTES: u64 = 48 << 20;

/// One transcript line, as a page serves it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PagedEntry {
    /// 0-based line number in the file; blank and malformed lines take a number too, so it is
    /// stable as the file grows.
    pub index: usize,
    /// `<index>:<uuid>` (uuid empty when the line has none): unique within the transcript even
    /// where the CLI repeated a uuid.
    pub key: String,
    /// The line's size on disk, bytes (newline included).
    pub line_bytes: u64,
    /// True when strings of the line were cut to the budget, or image data dropped;
    /// [`read_entry`] gives it whole.
    pub cut: bool,
    /// The decoded line.
    pub entry: Entry,
}

/// A range of lines of one transcript.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptPage {
    /// First line served (inclusive).
    pub from: usize,
    /// End of the range served (exclusive); `from..to` lies in `0..total`.
    pub to: usize,
    /// Lines in the file now: the complete ones, plus a last line without newline when it
    /// decodes (or is too large to try).
    pub total: usize,
    /// The decoded lines of `from..to`, in order (blank and malformed lines skipped).
    pub entries: Vec<PagedEntry>,
    /// Lines of `from..to` that were not JSON objects.
    pub malformed_lines: usize,
    /// True when the file ends in a line that is still being written (no newline, not JSON yet).
    pub incomplete_tail: bool,
    /// The file's size, bytes.
    pub size_bytes: u64,
}

/// Which lines a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRequest {
    /// The last `limit` lines (what the window opens on).
    Tail {
        /// Lines wanted (1..=[`MAX_PAGE_LINES`]).
        limit: usize,
    },
    /// `limit` lines from line `from` on.
    From {
        /// First line wanted; past the end gives an empty page at the end.
        from: usize,
        /// Lines wanted (1..=[`MAX_PAGE_LINES`]).
        limit: usize,
    },
}

impl PageRequest {
    /// The request for optional `from`/`limit` arguments: no `from` is the tail; `limit` defaults
    /// to [`DEFAULT_PAGE_LINES`] and is clamped to `1..=`[`MAX_PAGE_LINES`].
    pub fn new(from: Option<usize>, limit: Option<usize>) -> PageRequest {
        let limit = limit.unwrap_or(DEFAULT_PAGE_LINES).clamp(1, MAX_PAGE_LINES);
        match from {
            Some(from) => PageRequest::From { from, limit },
            None => PageRequest::Tail { limit },
        }
    }
}

/// What a line of the file is, as far as pages go.
struct Line {
    start: u64,
    len: u64,
}

/// The lines of the file as the index and its tail show them.
struct Lines<'a> {
    index: &'a LineIndex,
    /// The last line without newline, when it counts as a line (decodes, or is too large).
    tail: Option<Line>,
    incomplete_tail: bool,
}

impl Lines<'_> {
    fn total(&self) -> usize {
        self.index.complete_lines() + usize::from(self.tail.is_some())
    }

    fn get(&self, i: usize) -> Option<Line> {
        match self.index.line_span(i) {
            Some((start, end)) => Some(Line {
                start,
                len: end - start,
            }),
            None if i == self.index.complete_lines() => self.tail.as_ref().map(|t| Line {
                start: t.start,
                len: t.len,
            }),
            None => None,
        }
    }

    /// Bytes reading line `i` costs (a too-large line costs its preview).
    fn cost(&self, i: usize) -> u64 {
        self.get(i).map_or(0, |l| {
            if l.len > MAX_LINE_BYTES {
                PREVIEW_BYTES as u64
            } else {
                l.len
            }
        })
    }
}

/// Looks at the bytes after the last newline: a complete JSON object written without a newline
/// counts as a line; a line over [`MAX_LINE_BYTES`] counts too (served as too large); anything
/// else is a line the CLI is still writing.
fn lines<'a>(index: &'a LineIndex, file: &mut File) -> std::io::Result<Lines<'a>> {
    let start = index.complete_end();
    let len = index.tail_bytes();
    let mut out = Lines {
        index,
        tail: None,
        incomplete_tail: false,
    };
    if len == 0 {
        return Ok(out);
    }
    if len > MAX_LINE_BYTES {
        out.tail = Some(Line { start, len });
        return Ok(out);
    }
    let mut buf = Vec::new();
    read_span(file, start, len, &mut buf)?;
    match parse_line(&buf) {
        LineOutcome::Parsed(_) => out.tail = Some(Line { start, len }),
        LineOutcome::Blank => {}
        LineOutcome::Malformed => out.incomplete_tail = true,
    }
    Ok(out)
}

fn read_span(file: &mut File, start: u64, len: u64, buf: &mut Vec<u8>) -> std::io::Result<()> {
    buf.clear();
    file.seek(SeekFrom::Start(start))?;
    // A file truncated since it was indexed gives a short read: the line is then malformed.
    file.take(len).read_to_end(buf)?;
    Ok(())
}

/// Reads one page of the transcript `index` covers (refresh the index first: see
/// [`LineCache::get`](super::lines::LineCache::get)). Reads only the lines served, at most
/// [`MAX_PAGE_BYTES`] of them (so a page may end before `limit` lines; `to` says where).
///
/// Errors: [`CoreError::Io`] when the file cannot be opened or read.
pub fn read_page(index: &LineIndex, request: PageRequest) -> Result<TranscriptPage, CoreError> {
    read_page_with(index, request, true)
}

/// Lines of a transcript to read whole, page after page: see [`read_range`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRange {
    /// Lines `from..` (`limit` of them, or to the end).
    From {
        /// First line.
        from: usize,
        /// Lines wanted; `None` to the end.
        limit: Option<usize>,
    },
    /// The last `n` lines.
    Tail(usize),
}

/// Reads the lines of `range` whole (nothing cut; a line over [`MAX_LINE_BYTES`] is still
/// [`Entry::TooLarge`]), one page of at most [`MAX_PAGE_LINES`] lines and [`MAX_PAGE_BYTES`]
/// at a time, handing each to `each`, which returns false to stop. Memory stays that of one
/// page, whatever the transcript's size: what `ccdesk show` prints with.
///
/// Errors: [`CoreError::Io`] when the file cannot be read.
pub fn read_range(
    index: &LineIndex,
    range: LineRange,
    mut each: impl FnMut(TranscriptPage) -> bool,
) -> Result<(), CoreError> {
    let (mut from, end) = match range {
        LineRange::From { from, limit } => (from, limit.map(|l| from.saturating_add(l))),
        LineRange::Tail(n) => {
            let first = read_page_with(
                index,
                PageRequest::From {
                    from: usize::MAX,
                    limit: 1,
                },
                false,
            )?;
            (first.total.saturating_sub(n), None)
        }
    };
    loop {
        let want = end
            .map_or(MAX_PAGE_LINES, |e| e.saturating_sub(from))
            .clamp(1, MAX_PAGE_LINES);
        let mut page = read_page_with(index, PageRequest::From { from, limit: want }, false)?;
        if end.is_some_and(|e| from >= e) {
            // Nothing wanted: an empty page that still tells the total.
            page.entries.clear();
            page.malformed_lines = 0;
            page.to = page.from;
        }
        let last =
            page.to >= page.total || page.to == page.from || end.is_some_and(|e| page.to >= e);
        let next = page.to;
        if !each(page) || last {
            return Ok(());
        }
        from = next;
    }
}

fn read_page_with(
    index: &LineIndex,
    request: PageRequest,
    cut: bool,
) -> Result<TranscriptPage, CoreError> {
    let path = index.path();
    let io = |e| CoreError::io(path, e);
    let mut file = crate::transcripts::paths::open_regular(path).map_err(io)?;
    let lines = lines(index, &mut file).map_err(io)?;
    let total = lines.total();
    let (from, to) = match request {
        PageRequest::Tail { limit } => {
            let mut from = total;
            let mut bytes = 0u64;
            while from > 0 && total - from < limit {
                let cost = lines.cost(from - 1);
                if from < total && bytes + cost > MAX_PAGE_BYTES {
                    break;
                }
                bytes += cost;
                from -= 1;
            }
            (from, total)
        }
        PageRequest::From { from, limit } => {
            let from = from.min(total);
            let mut to = from;
            let mut bytes = 0u64;
            while to < total && to - from < limit {
                let cost = lines.cost(to);
                if to > from && bytes + cost > MAX_PAGE_BYTES {
                    break;
                }
                bytes += cost;
                to += 1;
            }
            (from, to)
        }
    };
    let mut entries = Vec::with_capacity(to - from);
    let mut malformed_lines = 0;
    let mut buf = Vec::new();
    for i in from..to {
        match read_line(&lines, &mut file, i, cut, &mut buf).map_err(io)? {
            Read1::Entry(e) => entries.push(*e),
            Read1::Malformed => malformed_lines += 1,
            Read1::Blank => {}
        }
    }
    Ok(TranscriptPage {
        from,
        to,
        total,
        entries,
        malformed_lines,
        incomplete_tail: lines.incomplete_tail,
        size_bytes: index.size(),
    })
}

/// Line `i` of the transcript, whole (nothing cut); a line over [`MAX_LINE_BYTES`] is still
/// [`Entry::TooLarge`].
///
/// Errors: [`CoreError::InvalidInput`] when line `i` does not exist, is blank or is not JSON;
/// [`CoreError::Io`] when the file cannot be read.
pub fn read_entry(index: &LineIndex, i: usize) -> Result<PagedEntry, CoreError> {
    let path = index.path();
    let io = |e| CoreError::io(path, e);
    let mut file = crate::transcripts::paths::open_regular(path).map_err(io)?;
    let lines = lines(index, &mut file).map_err(io)?;
    if i >= lines.total() {
        return Err(CoreError::InvalidInput(format!(
            "the transcript has {} lines; there is no line {i}",
            lines.total()
        )));
    }
    match read_line(&lines, &mut file, i, false, &mut Vec::new()).map_err(io)? {
        Read1::Entry(e) => Ok(*e),
        Read1::Malformed | Read1::Blank => Err(CoreError::InvalidInput(format!(
            "line {i} of the transcript is not a JSON object"
        ))),
    }
}

enum Read1 {
    Entry(Box<PagedEntry>),
    Malformed,
    Blank,
}

fn read_line(
    lines: &Lines<'_>,
    file: &mut File,
    i: usize,
    cut: bool,
    buf: &mut Vec<u8>,
) -> std::io::Result<Read1> {
    let Some(line) = lines.get(i) else {
        return Ok(Read1::Blank);
    };
    if line.len > MAX_LINE_BYTES {
        read_span(file, line.start, PREVIEW_BYTES as u64, buf)?;
        return Ok(Read1::Entry(Box::new(PagedEntry {
            index: i,
            key: format!("{i}:"),
            line_bytes: line.len,
            cut: false,
            entry: Entry::TooLarge {
                bytes: line.len,
                preview: String::from_utf8_lossy(buf).into_owned(),
            },
        })));
    }
    read_span(file, line.start, line.len, buf)?;
    let mut value = match parse_line(buf) {
        LineOutcome::Parsed(v) => v,
        LineOutcome::Blank => return Ok(Read1::Blank),
        LineOutcome::Malformed => return Ok(Read1::Malformed),
    };
    let was_cut = cut && cut_line(&mut value);
    let uuid = value.get("uuid").and_then(Value::as_str).unwrap_or("");
    Ok(Read1::Entry(Box::new(PagedEntry {
        index: i,
        key: format!("{i}:{uuid}"),
        line_bytes: line.len,
        cut: was_cut,
        entry: Entry::from_value(&value),
    })))
}

/// Cuts the strings of one parsed line to the budgets; true when anything was cut. Only the
/// parts [`Entry::from_value`] keeps are looked at (the rest is dropped by decoding anyway).
fn cut_line(v: &mut Value) -> bool {
    let mut cut = false;
    if let Some(content) = v.get_mut("content") {
        // `system` lines keep their text at the top level.
        cut |= cut_to(content, TEXT_BUDGET);
    }
    match v.get_mut("message").and_then(|m| m.get_mut("content")) {
        Some(Value::Array(blocks)) => {
            for block in blocks {
                cut |= cut_block(block);
            }
        }
        Some(other) => cut |= cut_to(other, TEXT_BUDGET),
        None => {}
    }
    cut
}

fn cut_block(block: &mut Value) -> bool {
    match block.get("type").and_then(Value::as_str) {
        Some("image") => drop_image_data(block),
        Some("tool_result") => {
            let Some(content) = block.get_mut("content") else {
                return false;
            };
            let mut budget = TOOL_RESULT_BUDGET;
            match content {
                Value::Array(items) => items.iter_mut().fold(false, |cut, item| {
                    let dropped = item.get("type").and_then(Value::as_str) == Some("image")
                        && drop_image_data(item);
                    cut_strings(item, &mut budget) || dropped || cut
                }),
                other => cut_strings(other, &mut budget),
            }
        }
        Some("tool_use") => block
            .get_mut("input")
            .is_some_and(|input| cut_to(input, TOOL_RESULT_BUDGET)),
        _ => cut_to(block, TEXT_BUDGET),
    }
}

/// Empties `source.data` (base64) of an image block; true when there was any.
fn drop_image_data(block: &mut Value) -> bool {
    match block.get_mut("source").and_then(|s| s.get_mut("data")) {
        Some(Value::String(data)) if !data.is_empty() => {
            data.clear();
            true
        }
        _ => false,
    }
}

/// [`cut_strings`] with a budget of its own.
fn cut_to(v: &mut Value, budget: usize) -> bool {
    let mut budget = budget;
    cut_strings(v, &mut budget)
}

/// Strings this short are never cut and take nothing from a budget: they are the line's
/// structure (`type`, ids, names, paths), not its bulk.
const KEEP_SHORT: usize = 256;

/// Cuts the long strings under `v` so that together they keep at most `budget` bytes (taken from
/// the budget in key order, cut at a char boundary; strings up to [`KEEP_SHORT`] bytes are left
/// alone); true when anything was cut. Depth is bounded by serde_json's parser (128).
fn cut_strings(v: &mut Value, budget: &mut usize) -> bool {
    match v {
        Value::String(s) => {
            if s.len() <= KEEP_SHORT {
                return false;
            }
            if s.len() <= *budget {
                *budget -= s.len();
                return false;
            }
            let mut at = *budget;
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            s.truncate(at);
            *budget = 0;
            true
        }
        // Every item is visited (no short circuit): each one past the budget is cut.
        Value::Array(items) => {
            let mut cut = false;
            for item in items.iter_mut() {
                cut |= cut_strings(item, budget);
            }
            cut
        }
        Value::Object(map) => {
            let mut cut = false;
            for item in map.values_mut() {
                cut |= cut_strings(item, budget);
            }
            cut
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcripts::transcript::{Block, Content};
    use std::io::Write;

    fn index_of(bytes: &[u8]) -> (tempfile::TempDir, LineIndex) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.jsonl");
        std::fs::write(&p, bytes).unwrap();
        let ix = LineIndex::build(&p).unwrap();
        (dir, ix)
    }

    fn user(uuid: &str, text: &str) -> String {
        format!(
            "{}\n",
            serde_json::json!({"type":"user","uuid":uuid,"message":{"role":"user","content":text}})
        )
    }

    fn text_of(e: &PagedEntry) -> String {
        match &e.entry {
            Entry::Message(m) => m.content.plain_text(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn the_tail_page_is_the_last_lines_and_from_pages_go_forward() {
        let body: String = (0..10)
            .map(|i| user(&format!("u{i}"), &format!("m{i}")))
            .collect();
        let (_d, ix) = index_of(body.as_bytes());
        let tail = read_page(&ix, PageRequest::new(None, Some(3))).unwrap();
        assert_eq!((tail.from, tail.to, tail.total), (7, 10, 10));
        let texts: Vec<_> = tail.entries.iter().map(text_of).collect();
        assert_eq!(texts, ["m7", "m8", "m9"]);
        assert_eq!(tail.entries[0].key, "7:u7");
        let page = read_page(&ix, PageRequest::new(Some(2), Some(2))).unwrap();
        assert_eq!((page.from, page.to), (2, 4));
        assert_eq!(
            page.entries.iter().map(|e| e.index).collect::<Vec<_>>(),
            [2, 3]
        );
        let past = read_page(&ix, PageRequest::new(Some(50), None)).unwrap();
        assert_eq!((past.from, past.to, past.entries.len()), (10, 10, 0));
    }

    #[test]
    fn duplicated_uuids_get_distinct_keys_and_bad_lines_are_counted() {
        let body = format!(
            "{}not json\n\n{}{{\"type\":\"user\"",
            user("same", "a"),
            user("same", "b")
        );
        let (_d, ix) = index_of(body.as_bytes());
        let page = read_page(&ix, PageRequest::new(Some(0), None)).unwrap();
        let keys: Vec<_> = page.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["0:same", "3:same"]);
        assert_eq!(page.malformed_lines, 1);
        assert!(page.incomplete_tail, "a half-written last line");
        assert_eq!(page.total, 4);
    }

    #[test]
    fn a_last_line_without_newline_that_decodes_is_a_line() {
        let body = format!("{}{}", user("a", "x"), user("b", "y").trim_end());
        let (_d, ix) = index_of(body.as_bytes());
        let page = read_page(&ix, PageRequest::new(None, None)).unwrap();
        assert_eq!(page.total, 2);
        assert!(!page.incomplete_tail);
        assert_eq!(page.entries.last().map(text_of).as_deref(), Some("y"));
    }

    #[test]
    fn tool_results_and_texts_are_cut_and_served_whole_on_demand() {
        let big = "r".repeat(100_000);
        let line = serde_json::json!({"type":"user","uuid":"t","message":{"role":"user","content":[
            {"type":"tool_result","tool_use_id":"x","content":[{"type":"text","text":big},{"type":"text","text":"more"},
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"QUJD"}}]},
            {"type":"text","text":"é".repeat(20_000)}
        ]}});
        let (_d, ix) = index_of(format!("{line}\n").as_bytes());
        let page = read_page(&ix, PageRequest::new(None, None)).unwrap();
        let e = &page.entries[0];
        assert!(e.cut);
        let Entry::Message(m) = &e.entry else {
            panic!()
        };
        let Content::Blocks(blocks) = &m.content else {
            panic!()
        };
        let Block::ToolResult { content, .. } = &blocks[0] else {
            panic!()
        };
        assert_eq!(
            content[0]["text"].as_str().map(str::len),
            Some(TOOL_RESULT_BUDGET)
        );
        assert_eq!(content[1]["text"], "more", "short strings are never cut");
        assert_eq!(content[2]["source"]["data"], "");
        let Block::Text { text } = &blocks[1] else {
            panic!("{:?}", blocks[1])
        };
        assert!(
            text.len() <= TEXT_BUDGET && text.len() > TEXT_BUDGET - 2,
            "{}",
            text.len()
        );
        let whole = read_entry(&ix, 0).unwrap();
        assert!(!whole.cut);
        let Entry::Message(m) = &whole.entry else {
            panic!()
        };
        let Content::Blocks(blocks) = &m.content else {
            panic!()
        };
        let Block::ToolResult { content, .. } = &blocks[0] else {
            panic!()
        };
        assert_eq!(content[0]["text"].as_str().map(str::len), Some(100_000));
        assert!(read_entry(&ix, 1).is_err());
    }

    #[test]
    fn a_huge_line_without_newline_is_served_as_too_large_with_bounded_reads() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.jsonl");
        let mut f = File::create(&p).unwrap();
        f.write_all(user("a", "first").as_bytes()).unwrap();
        f.write_all(b"{\"type\":\"user\",\"message\":{\"content\":\"")
            .unwrap();
        let chunk = vec![b'z'; 1 << 20];
        for _ in 0..9 {
            f.write_all(&chunk).unwrap();
        }
        drop(f);
        let ix = LineIndex::build(&p).unwrap();
        let page = read_page(&ix, PageRequest::new(None, None)).unwrap();
        assert_eq!(page.total, 2);
        let Entry::TooLarge { bytes, preview } = &page.entries[1].entry else {
            panic!("{:?}", page.entries[1])
        };
        assert!(*bytes > MAX_LINE_BYTES);
        assert_eq!(preview.len(), PREVIEW_BYTES);
        assert_eq!(text_of(&page.entries[0]), "first");
    }

    #[test]
    fn a_page_reads_at_most_its_byte_budget() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.jsonl");
        let mut f = File::create(&p).unwrap();
        let big = user("b", &"x".repeat(7 << 20));
        for _ in 0..10 {
            f.write_all(big.as_bytes()).unwrap();
        }
        drop(f);
        let ix = LineIndex::build(&p).unwrap();
        let tail = read_page(&ix, PageRequest::new(None, Some(10))).unwrap();
        let per = big.len() as u64;
        assert_eq!(tail.to - tail.from, (MAX_PAGE_BYTES / per) as usize);
        assert_eq!(tail.to, 10);
        let head = read_page(&ix, PageRequest::new(Some(0), Some(10))).unwrap();
        assert_eq!(head.to - head.from, (MAX_PAGE_BYTES / per) as usize);
    }

    #[test]
    fn json_nested_too_deep_is_a_malformed_line_not_a_crash() {
        let deep = format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let body = format!("{deep}{}", user("a", "ok"));
        let (_d, ix) = index_of(body.as_bytes());
        let page = read_page(&ix, PageRequest::new(Some(0), None)).unwrap();
        assert_eq!(page.malformed_lines, 1);
        assert_eq!(page.entries.len(), 1);
    }
}
