//! A quick decoder for the usual transcript line, tried before serde.
//!
//! Most of a line is the text of its message, which the index skips or keeps raw. serde scans
//! such a string eight bytes at a time for a quote, a backslash or a control byte; here the whole
//! line is checked once for UTF-8 and control bytes, and strings are skipped with a vectorized
//! search for their closing quote (or next escape).
//!
//! The decoder only ever says yes: it returns the line's facts when the line is one it fully
//! understands (valid JSON, no control byte, no escape in a key or a kept string, no field twice,
//! every field of the type [`LineFacts`] wants, nesting at most [`MAX_DEPTH`] deep), in which
//! case serde would return the very same facts; for anything else it returns `None` and serde
//! decides, malformed lines included.

use std::borrow::Cow;

use super::{ContentSlot, LineFacts, MessageFacts, Text};

/// Deepest nesting of arrays and objects below a line's top level that is skipped here (serde
/// allows 128 in all).
const MAX_DEPTH: usize = 64;

/// The facts of a line, when the line is of the usual kind; `None` leaves it to serde. `line`
/// is trimmed and starts with `{`.
pub(super) fn line<'a, C: ContentSlot<'a>>(line: &'a [u8]) -> Option<LineFacts<'a, C>> {
    // Whitespace other than spaces, and control bytes in strings, are rare: serde decides then.
    let has_control = line
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |seen, &b| seen | (b < 0x20)));
    if has_control {
        return None;
    }
    let text = std::str::from_utf8(line).ok()?;
    let mut c = Cursor { text, at: 0 };
    let facts = c.line()?;
    c.spaces();
    (c.at == text.len()).then_some(facts)
}

/// A position in a line that is valid UTF-8 without control bytes.
struct Cursor<'a> {
    text: &'a str,
    /// Byte offset of the next unread byte.
    at: usize,
}

/// The keys of the fields of [`LineFacts`], as the line spells them.
const LINE_FIELDS: [&str; 12] = [
    "type",
    "cwd",
    "timestamp",
    "gitBranch",
    "version",
    "isSidechain",
    "isMeta",
    "isCompactSummary",
    "customTitle",
    "aiTitle",
    "summary",
    "message",
];

/// Marks a field (its index) as seen; `None` when it was seen before (serde refuses a field
/// twice).
fn first_time(seen: &mut u16, field: usize) -> Option<()> {
    let bit = 1 << field;
    if *seen & bit != 0 {
        return None;
    }
    *seen |= bit;
    Some(())
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.at += 1)
    }

    /// Skips spaces (the only whitespace left: the line has no control bytes).
    fn spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    /// The object that is the line, fields of [`LineFacts`] decoded, others skipped.
    fn line<C: ContentSlot<'a>>(&mut self) -> Option<LineFacts<'a, C>> {
        let mut l = LineFacts {
            kind: None,
            cwd: None,
            timestamp: None,
            git_branch: None,
            version: None,
            is_sidechain: None,
            is_meta: None,
            is_compact_summary: None,
            custom_title: None,
            ai_title: None,
            summary: None,
            message: None,
        };
        let mut seen = 0;
        self.members(|c, key| {
            let Some(field) = LINE_FIELDS.iter().position(|f| *f == key) else {
                return c.skip_value(MAX_DEPTH);
            };
            first_time(&mut seen, field)?;
            match field {
                0 => l.kind = c.opt_text()?,
                1 => l.cwd = c.opt_text()?,
                2 => l.timestamp = c.opt_text()?,
                3 => l.git_branch = c.opt_text()?,
                4 => l.version = c.opt_text()?,
                5 => l.is_sidechain = c.opt_bool()?,
                6 => l.is_meta = c.opt_bool()?,
                7 => l.is_compact_summary = c.opt_bool()?,
                8 => l.custom_title = c.opt_text()?,
                9 => l.ai_title = c.opt_text()?,
                10 => l.summary = c.opt_text()?,
                _ => l.message = c.opt_message()?,
            }
            Some(())
        })?;
        Some(l)
    }

    /// `message`: `null` or an object (serde would also take an array: left to it).
    fn opt_message<C: ContentSlot<'a>>(&mut self) -> Option<Option<MessageFacts<'a, C>>> {
        if self.null() {
            return Some(None);
        }
        let mut m = MessageFacts {
            model: None,
            content: None,
        };
        let mut seen = 0;
        self.members(|c, key| {
            match key {
                "model" => {
                    first_time(&mut seen, 0)?;
                    m.model = c.opt_text()?;
                }
                "content" => {
                    first_time(&mut seen, 1)?;
                    if !c.null() {
                        let start = c.at;
                        c.skip_value(MAX_DEPTH - 1)?;
                        m.content = Some(C::from_raw(&c.text[start..c.at]));
                    }
                }
                _ => c.skip_value(MAX_DEPTH - 1)?,
            }
            Some(())
        })?;
        Some(Some(m))
    }

    /// An object whose keys have no escapes: `member` reads each value (the cursor is on it).
    fn members(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.spaces();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.spaces();
            let key = self.plain_string()?;
            self.spaces();
            self.eat(b':')?;
            self.spaces();
            member(self, key)?;
            self.spaces();
            if self.eat(b',').is_none() {
                return self.eat(b'}');
            }
        }
    }

    /// Takes a `null` if one is next.
    fn null(&mut self) -> bool {
        let is_null = self.text.as_bytes()[self.at..].starts_with(b"null");
        if is_null {
            self.at += 4;
        }
        is_null
    }

    /// A string without escapes, or `null`.
    fn opt_text(&mut self) -> Option<Option<Text<'a>>> {
        if self.null() {
            return Some(None);
        }
        self.plain_string().map(|s| Some(Text(Cow::Borrowed(s))))
    }

    /// `true`, `false` or `null`.
    fn opt_bool(&mut self) -> Option<Option<bool>> {
        if self.null() {
            return Some(None);
        }
        for (word, value) in [("true", true), ("false", false)] {
            if self.text[self.at..].starts_with(word) {
                self.at += word.len();
                return Some(Some(value));
            }
        }
        None
    }

    /// A string without escapes, borrowed from the line.
    fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = &self.text.as_bytes()[self.at..];
        let end = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[end] != b'"' {
            return None;
        }
        let s = &self.text[self.at..self.at + end];
        self.at += end + 1;
        Some(s)
    }

    /// Skips a string, escapes checked as serde checks them.
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let rest = &self.text.as_bytes()[self.at..];
            let stop = memchr::memchr2(b'"', b'\\', rest)?;
            self.at += stop + 1;
            if rest[stop] == b'"' {
                return Some(());
            }
            match self.peek()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                b'u' => {
                    let hex = self.text.as_bytes().get(self.at + 1..self.at + 5)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    self.at += 5;
                }
                _ => return None,
            }
        }
    }

    /// Skips any JSON value, at most `depth` more arrays or objects deep.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' => {
                let inner = depth.checked_sub(1)?;
                self.members(|c, _| c.skip_value(inner))
            }
            b'[' => {
                let inner = depth.checked_sub(1)?;
                self.at += 1;
                self.spaces();
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.spaces();
                    self.skip_value(inner)?;
                    self.spaces();
                    if self.eat(b',').is_none() {
                        return self.eat(b']');
                    }
                }
            }
            b't' | b'f' => self.opt_bool().map(|_| ()),
            b'n' => self.null().then_some(()),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// Skips a number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn both(raw: &[u8]) -> bool {
        super::super::quick_agrees_with_serde(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every line of the genuine transcripts and stream captures.
    fn genuine_lines() -> Vec<Vec<u8>> {
        fn walk(dir: &Path, out: &mut Vec<Vec<u8>>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "jsonl") {
                    let text = std::fs::read(&path).unwrap_or_default();
                    out.extend(text.split(|&b| b == b'\n').map(<[u8]>::to_vec));
                }
            }
        }
        let mut out = Vec::new();
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/samples");
        walk(&samples, &mut out);
        out
    }

    #[test]
    fn the_quick_decoder_takes_genuine_lines_as_serde_does() {
        let lines = genuine_lines();
        let objects = lines.iter().filter(|l| l.starts_with(b"{")).count();
        let taken = lines.iter().filter(|l| both(l)).count();
        assert!(objects > 2000, "samples not found: {objects} lines");
        // Lines with an escape in a kept string (a cwd, a title) are left to serde.
        assert!(taken * 10 > objects * 9, "only {taken} of {objects} taken");
    }

    #[test]
    fn odd_lines_are_left_to_serde_or_read_as_serde_reads_them() {
        let deep = format!("{{\"x\":{}1{}}}", "[".repeat(70), "]".repeat(70));
        let lines: Vec<&[u8]> = vec![
            br#"{}"#,
            br#"{"type":null,"isMeta":null,"message":null,"cwd":null}"#,
            br#"{"message":{"content":null,"model":null}}"#,
            br#"{"type":"user","type":"user"}"#,
            br#"{"message":{"model":"a","model":"b"}}"#,
            br#"{"message":["m","c"]}"#,
            br#"{"message":"text"}"#,
            br#"{"cwd":"a\"b","type":"user"}"#,
            br#"{"c\u0077d":"/x"}"#,
            br#"{"cwd":5}"#,
            br#"{"isMeta":"yes"}"#,
            br#"{"isMeta":tru}"#,
            br#"{"x":-0.5e+10,"y":[1,2,{"z":null},[],{}],"type":"user"}"#,
            br#"{"x":01}"#,
            br#"{"x":1.}"#,
            br#"{"x":.5}"#,
            br#"{"x":1e}"#,
            br#"{"x":-}"#,
            br#"{"x":"\u12G4"}"#,
            br#"{"x":"\ud800","message":{"content":"\udc00 \ud83d\ude00","model":"m"}}"#,
            br#"{"x":"\q"}"#,
            deep.as_bytes(),
            br#"{"a":1}x"#,
            br#"{"a":1,}"#,
            br#"{"a" : 1 , "type" : "user" }"#,
            r#"{"cwd":"é","type":"ü"}"#.as_bytes(),
            b"{\"a\":\"\x01\"}",
            b"{\"a\":\t1}",
            b"{\"a\":\"\xff\"}",
            br#"{"message":{"content":[{"type":"text","text":"hi"}],"role":"user"},"type":"user"}"#,
            br#"{"message":{"content":"hi"} ,"type":"user"}"#,
        ];
        for l in &lines {
            both(l);
        }
        assert!(both(
            br#"{"message":{"content":[1,{"a":"b"}]},"type":"user"}"#
        ));
        assert!(!both(br#"{"type":"user","type":"user"}"#));
        assert!(!both(deep.as_bytes()));
    }

    #[test]
    fn mutated_lines_are_left_to_serde_or_read_as_serde_reads_them() {
        let bytes = b"\"\\{}[],: 0-e.ntu/\t\x01\xc3\xa9\xff5E+";
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let lines = genuine_lines();
        let short = lines
            .iter()
            .filter(|l| l.starts_with(b"{") && l.len() < 3000);
        for line in short.take(400) {
            for _ in 0..40 {
                let mut l = line.clone();
                let at = (next() % l.len() as u64) as usize;
                let b = bytes[(next() % bytes.len() as u64) as usize];
                match next() % 3 {
                    0 => l[at] = b,
                    1 => l.insert(at, b),
                    _ => l.truncate(at.max(1)),
                }
                both(&l);
            }
        }
    }
}
