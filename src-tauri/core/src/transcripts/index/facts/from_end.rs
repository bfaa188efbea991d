//! A line's top-level `timestamp`, found by walking back from the line's end.
//!
//! The listing's last activity is the newest line's `timestamp`. In a genuine transcript the
//! newest line is often long (a tool result, then its `toolUseResult` copy: tens of KB) while
//! its `timestamp` sits a few hundred bytes from its end (CLI 2.x writes `..,"message":{..},
//! "uuid":..,"timestamp":..,"toolUseResult":{..}}`). Parsing the line from its start means
//! reading and scanning all of it; here the line is walked backwards from its closing brace,
//! through the members after the key only, tracking strings and nesting, until the top-level
//! `"timestamp"` key is met.
//!
//! Walking backwards is exact on valid JSON: outside strings JSON has no backslash, and inside
//! one a quote is escaped exactly when an odd number of backslashes precedes it. A top-level key
//! with an escape (which may spell `timestamp`) ends the walk with no answer. The bytes are not
//! validated (before the key not even looked at), so a line malformed elsewhere gives its
//! timestamp here where serde would refuse the whole line; the caller uses the walk only for a
//! terminated newest line too long for its window, which it could not parse at all.

use std::borrow::Cow;

/// What the walk from a line's end found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum FromEnd<'a> {
    /// The line's top-level `timestamp` string (borrowed unless it had escapes).
    Found(Cow<'a, str>),
    /// The walk reached the line's opening brace without meeting the key, or the bytes are not
    /// a line's end, or the value is not a string: the full parse decides.
    NotFound,
    /// The bytes start inside the line before the key was met: more of the line may hold it.
    Cut,
}

/// Walks `piece` (bytes that end where a line ends, trailing ASCII whitespace allowed) back
/// from its end to the line's top-level `"timestamp"` key. Cost: linear in the bytes after
/// the key (strings skipped with a byte search for their opening quote).
pub(super) fn timestamp(piece: &[u8]) -> FromEnd<'_> {
    let b = piece.trim_ascii_end();
    if b.last() != Some(&b'}') {
        return FromEnd::NotFound;
    }
    let mut depth = 0usize;
    // The last non-space byte walked (the one after the current position in file order).
    let mut after = 0u8;
    let mut i = b.len();
    while i > 0 {
        let c = b[i - 1];
        match c {
            b'"' => {
                let end = i - 1;
                let Some(start) = opening_quote(b, end) else {
                    return FromEnd::Cut;
                };
                if depth == 1 && after == b':' {
                    let key = &b[start + 1..end];
                    if key == b"timestamp" {
                        return value_after_key(b, end + 1);
                    }
                    if key.contains(&b'\\') {
                        // An escaped key may spell `timestamp` (and come after the one found
                        // earlier): serde decides.
                        return FromEnd::NotFound;
                    }
                }
                i = start;
            }
            b'}' | b']' => {
                depth += 1;
                i -= 1;
            }
            b'{' | b'[' => {
                depth -= 1;
                if depth == 0 {
                    return FromEnd::NotFound;
                }
                i -= 1;
            }
            _ => i -= 1,
        }
        if !c.is_ascii_whitespace() {
            after = c;
        }
    }
    FromEnd::Cut
}

/// The opening quote of the string whose closing quote is at `end`: the nearest quote before
/// it that an even number of backslashes precedes. `None` when `b` starts inside the string,
/// or may: a quote whose backslashes reach back to the start of `b` may be escaped by one
/// before it.
fn opening_quote(b: &[u8], end: usize) -> Option<usize> {
    let mut j = end;
    loop {
        let q = memchr::memrchr(b'"', &b[..j])?;
        let slashes = b[..q].iter().rev().take_while(|&&x| x == b'\\').count();
        if slashes == q {
            return None;
        }
        if slashes % 2 == 0 {
            return Some(q);
        }
        j = q;
    }
}

/// The string value after a key that ends at `at` (`: "value"`), decoded as serde decodes it.
fn value_after_key(b: &[u8], at: usize) -> FromEnd<'_> {
    let rest = &b[at..];
    let Some(colon) = rest.iter().position(|x| !x.is_ascii_whitespace()) else {
        return FromEnd::NotFound;
    };
    if rest[colon] != b':' {
        return FromEnd::NotFound;
    }
    let rest = &rest[colon + 1..];
    let Some(open) = rest.iter().position(|x| !x.is_ascii_whitespace()) else {
        return FromEnd::NotFound;
    };
    let value = &rest[open..];
    if value.first() != Some(&b'"') {
        return FromEnd::NotFound;
    }
    if let Some(close) = memchr::memchr2(b'"', b'\\', &value[1..]) {
        let raw = &value[1..1 + close];
        if value[1 + close] == b'"' && raw.iter().all(|&x| x >= 0x20) {
            if let Ok(s) = std::str::from_utf8(raw) {
                return FromEnd::Found(Cow::Borrowed(s));
            }
        }
    }
    // Escapes or odd bytes: serde reads the one string.
    let mut strings = serde_json::Deserializer::from_slice(value).into_iter::<String>();
    match strings.next() {
        Some(Ok(s)) => FromEnd::Found(Cow::Owned(s)),
        _ => FromEnd::NotFound,
    }
}

/// The walk's contract, checked on `raw` (a line, or any bytes): on any bytes it never panics;
/// when `raw` is a JSON object, a timestamp the walk finds, from the whole line or from any end
/// of it, is the object's `timestamp` string as serde reads it, and the whole line is never
/// taken for a cut one. (Not finding one is always allowed: the full parse decides then.) For
/// the differential fuzz target and the tests.
///
/// Errors: the disagreement, in words.
pub(crate) fn agrees_with_serde(raw: &[u8]) -> Result<(), String> {
    let found = timestamp(raw);
    let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice::<serde_json::Value>(raw)
    else {
        // Not a line: any end of it may be walked too, never panicking.
        for cut in cuts(raw.len()) {
            let _ = timestamp(&raw[cut..]);
        }
        return Ok(());
    };
    let expected = obj.get("timestamp").and_then(serde_json::Value::as_str);
    let shown = || String::from_utf8_lossy(raw).into_owned();
    match &found {
        FromEnd::Found(got) if Some(got.as_ref()) != expected => {
            return Err(format!(
                "from the end {got:?}, serde {expected:?}: {}",
                shown()
            ))
        }
        FromEnd::Cut => return Err(format!("a whole line taken for a cut one: {}", shown())),
        _ => {}
    }
    for cut in cuts(raw.len()) {
        if let FromEnd::Found(got) = timestamp(&raw[cut..]) {
            if Some(got.as_ref()) != expected {
                return Err(format!(
                    "cut at {cut}: {got:?}, serde {expected:?}: {}",
                    shown()
                ));
            }
        }
    }
    Ok(())
}

/// At most about 64 cut positions of a piece of `len` bytes: every one of a short piece,
/// evenly spread over a long one (the fuzz smoke run checks thousands of lines).
fn cuts(len: usize) -> impl Iterator<Item = usize> {
    (1..len).step_by(len.div_ceil(64).max(1))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn found(s: &str) -> FromEnd<'_> {
        FromEnd::Found(Cow::Borrowed(s))
    }

    #[test]
    fn the_top_level_key_is_found_behind_nested_ones() {
        let line = br#"{"type":"user","message":{"timestamp":"inner"},"uuid":"u","timestamp":"2026-01-02T03:04:05.000Z","toolUseResult":{"timestamp":"nested","stdout":"a \"timestamp\":\"x\" b"}}"#;
        assert_eq!(timestamp(line), found("2026-01-02T03:04:05.000Z"));
        agrees_with_serde(line).unwrap();
    }

    #[test]
    fn a_line_without_the_key_is_left_to_the_parse() {
        let line =
            br#"{"type":"summary","summary":"s","leafUuid":"x","data":{"timestamp":"nested"}}"#;
        assert_eq!(timestamp(line), FromEnd::NotFound);
        assert_eq!(
            timestamp(b"{\"a\":1"),
            FromEnd::NotFound,
            "no closing brace"
        );
        assert_eq!(timestamp(br#"{"timestamp":5}"#), FromEnd::NotFound);
        agrees_with_serde(line).unwrap();
    }

    #[test]
    fn a_piece_cut_before_the_key_asks_for_more() {
        let line =
            br#"{"type":"user","timestamp":"t1","toolUseResult":{"stdout":"long \\\" text"}}"#;
        let at = line.len() - 20;
        assert_eq!(timestamp(&line[at..]), FromEnd::Cut);
        let at = 14; // at the comma before the key
        assert_eq!(timestamp(&line[at..]), found("t1"));
        // A piece that starts at the key's quote cannot tell whether a backslash before it
        // escaped it; one that starts inside the key is cut.
        assert_eq!(timestamp(&line[at + 1..]), FromEnd::Cut);
        assert_eq!(timestamp(&line[at + 2..]), FromEnd::Cut);
        agrees_with_serde(line).unwrap();
        // A key spelled with an escape may be `timestamp` too (serde keeps the last).
        let line = br#"{"timestamp":"A","timest\u0061mp":"B"}"#;
        assert_eq!(timestamp(line), FromEnd::NotFound);
        agrees_with_serde(line).unwrap();
        // Found by the fuzz target: the key's quote escaped by a backslash just before the cut.
        let line = br#"{"t\"timestamp":"x"}"#;
        assert_eq!(timestamp(&line[4..]), FromEnd::Cut);
        assert_eq!(timestamp(line), FromEnd::NotFound);
        agrees_with_serde(line).unwrap();
    }

    #[test]
    fn escapes_are_told_apart_by_the_backslashes_before_a_quote() {
        // A string ending in an escaped backslash, then the key.
        let line = br#"{"a":"x\\","timestamp":"t\u0031","b":"q\"}\\\"","c":["]",{"}":"{"}]}"#;
        assert_eq!(timestamp(line), FromEnd::Found(Cow::Owned("t1".into())));
        agrees_with_serde(line).unwrap();
        assert_eq!(timestamp(b"{\"timestamp\" : \"t\" }\n\r \n"), found("t"));
    }
}
