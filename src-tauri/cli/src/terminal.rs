//! Untrusted text on a terminal: what the headless commands print (titles, transcript text,
//! snippets, the CLI's replies and error messages) comes from transcripts and models, and a
//! terminal obeys control sequences in it (an ESC sequence can clear the screen, retitle the
//! window, rewrite what was printed before, or on some terminals answer back as if typed).
//!
//! When the stream is a terminal, [`Safe`] shows every control character as a visible stand-in
//! instead: C0 controls as their Unicode control pictures (ESC as `␛`, CR as `␍`, DEL as `␡`),
//! C1 controls (U+0080–U+009F, which some terminals obey too) and bytes that are not UTF-8 as
//! `�`; newline and tab stay. A pipe or a file gets the bytes as they are, so `--json` and
//! scripts see the data unchanged (JSON escapes C0 controls itself).

use std::borrow::Cow;
use std::io::{IsTerminal, Write};

/// `text` as a terminal may show it (see the module doc): borrowed when it holds no control
/// character.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_stand_in) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        out.push(stand_in(c));
    }
    Cow::Owned(out)
}

/// Whether `c` is shown as a stand-in: a control character other than newline and tab.
fn needs_stand_in(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// What `c` is shown as.
fn stand_in(c: char) -> char {
    match c {
        '\n' | '\t' => c,
        // U+2400..U+241F: SYMBOL FOR NULL .. SYMBOL FOR UNIT SEPARATOR.
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        c if c.is_control() => '\u{fffd}',
        c => c,
    }
}

/// A writer that passes text through [`visible`] when `active` (a terminal), and bytes as they
/// are otherwise. UTF-8 split across writes is put back together first; bytes that are not
/// UTF-8 show as `�`.
pub struct Safe<W: Write> {
    inner: W,
    active: bool,
    /// The start of a UTF-8 sequence the last write cut (at most 3 bytes).
    pending: Vec<u8>,
}

impl<W: Write> Safe<W> {
    /// Wraps `inner`; `active`: whether it goes to a terminal.
    pub fn new(inner: W, active: bool) -> Safe<W> {
        Safe {
            inner,
            active,
            pending: Vec::new(),
        }
    }

    /// Writes `text`, checked, to the inner writer.
    fn write_text(&mut self, text: &str) -> std::io::Result<()> {
        match visible(text) {
            Cow::Borrowed(t) => self.inner.write_all(t.as_bytes()),
            Cow::Owned(t) => self.inner.write_all(t.as_bytes()),
        }
    }
}

/// Stdout, locked and buffered (64 KiB), made [`Safe`] when it is a terminal.
pub fn stdout() -> Safe<std::io::BufWriter<std::io::StdoutLock<'static>>> {
    let active = std::io::stdout().is_terminal();
    Safe::new(
        std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
        active,
    )
}

/// `text` as it may go to stderr: [`visible`] when stderr is a terminal.
pub fn for_stderr(text: &str) -> Cow<'_, str> {
    if std::io::stderr().is_terminal() {
        visible(text)
    } else {
        Cow::Borrowed(text)
    }
}

impl<W: Write> Write for Safe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.active {
            return self.inner.write(buf);
        }
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        let mut rest: &[u8] = &bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.write_text(text)?;
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    // Valid up to here by the error's own word.
                    self.write_text(std::str::from_utf8(good).unwrap_or_default())?;
                    match e.error_len() {
                        Some(n) => {
                            self.inner.write_all("\u{fffd}".as_bytes())?;
                            rest = &bad[n..];
                        }
                        None => {
                            // A sequence cut at the end: wait for the rest.
                            self.pending = bad.to_vec();
                            break;
                        }
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            // A cut sequence that never got its end.
            self.pending.clear();
            self.inner.write_all("\u{fffd}".as_bytes())?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(active: bool, pieces: &[&[u8]]) -> String {
        let mut w = Safe::new(Vec::new(), active);
        for p in pieces {
            assert!(w.write_all(p).is_ok());
        }
        assert!(w.flush().is_ok());
        String::from_utf8_lossy(&w.inner).into_owned()
    }

    #[test]
    fn control_sequences_show_as_text_on_a_terminal_and_pass_elsewhere() {
        let hostile = "title\u{1b}]0;owned\u{7}\u{1b}[2J\rover\u{9b}31m\u{7f}\tend\n";
        assert_eq!(
            through(true, &[hostile.as_bytes()]),
            "title␛]0;owned␇␛[2J␍over\u{fffd}31m␡\tend\n"
        );
        assert_eq!(through(false, &[hostile.as_bytes()]), hostile);
        assert_eq!(visible("plain café ✓\n"), Cow::Borrowed("plain café ✓\n"));
        assert_eq!(visible("a\u{0}b"), "a␀b");
    }

    #[test]
    fn utf8_cut_between_writes_is_joined_and_broken_bytes_are_marked() {
        let text = "é✓🙂";
        let b = text.as_bytes();
        // Every way of cutting it in two.
        for i in 0..=b.len() {
            assert_eq!(through(true, &[&b[..i], &b[i..]]), text, "cut at {i}");
        }
        assert_eq!(through(true, &[b"a\xffb\xc3"]), "a\u{fffd}b\u{fffd}");
        // A cut sequence followed by an escape is still caught.
        assert_eq!(through(true, &[b"\xc3", b"\xa9\x1b[0m"]), "é␛[0m");
    }
}
