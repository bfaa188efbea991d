//! A session out of ccdesk: as Markdown, or as one self-contained HTML file (inline styles, no
//! scripts, no remote resources), with its prompts, replies, thinking, tool calls and results, and
//! its subagent runs (`<id>/subagents/*.jsonl`).
//!
//! The transcript is read a page at a time ([`read_range`]): memory stays that of one page
//! whatever its size. In HTML, reply text (Markdown) is rendered by pulldown-cmark and sanitized
//! by ammonia (no scripts, no event handlers, no images: nothing is fetched; links only
//! `http`, `https`, `mailto`), every other string is escaped, and a Content-Security-Policy of
//! `default-src 'none'` backs that up. Tool calls, results, thinking and subagent runs are
//! collapsible (`<details>`).

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::CoreError;
use crate::transcripts::index::SessionSummary;
use crate::transcripts::transcript::{
    read_range, Block, Content, Entry, LineIndex, LineRange, MessageLine,
};

/// A tool result's text longer than this (bytes) is cut, saying how much was left out.
pub const MAX_RESULT_BYTES: usize = 64 * 1024;
/// Reply text longer than this (bytes) is shown as plain text, not rendered as Markdown.
pub const MAX_MARKDOWN_BYTES: usize = 256 * 1024;

/// What to export a session as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    /// Markdown (`.md`).
    Markdown,
    /// One HTML file (`.html`).
    Html,
}

impl ExportFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "md",
            ExportFormat::Html => "html",
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportStats {
    /// Prompts a person typed.
    pub prompts: u32,
    /// Tool calls.
    pub tool_calls: u32,
    /// Subagent transcripts included.
    pub subagents: u32,
    /// Bytes written.
    pub bytes: u64,
}

/// Writes session `summary` (its transcript at `transcript`, subagent transcripts beside it) to
/// `out` as `format`.
///
/// Errors: [`CoreError::Io`] when a transcript cannot be read or `out` cannot be written.
pub fn export_session(
    summary: &SessionSummary,
    transcript: &Path,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<ExportStats, CoreError> {
    let mut counting = Counting { out, bytes: 0 };
    let mut stats = ExportStats::default();
    let write_err = |e: std::io::Error| CoreError::io("(export output)", e);
    {
        let mut w: Box<dyn Writer + '_> = match format {
            ExportFormat::Markdown => Box::new(Markdown {
                out: &mut counting,
                speaker: None,
            }),
            ExportFormat::Html => Box::new(Html {
                out: &mut counting,
                speaker: None,
                sanitizer: sanitizer(),
            }),
        };
        w.head(summary).map_err(write_err)?;
        walk(transcript, &mut *w, &mut stats)?;
        let subagents = super::paths::subagent_transcripts(transcript);
        for file in &subagents {
            let name = file
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            w.subagent_start(&name).map_err(write_err)?;
            walk(file, &mut *w, &mut stats)?;
            w.subagent_end().map_err(write_err)?;
            stats.subagents += 1;
        }
        w.foot().map_err(write_err)?;
    }
    counting.out.flush().map_err(write_err)?;
    stats.bytes = counting.bytes;
    Ok(stats)
}

/// [`export_session`] into the file at `path`, written atomically (a temporary file beside it,
/// flushed to disk, renamed over it): a failed export leaves what was there.
///
/// Errors: as [`export_session`]; [`CoreError::Io`] when the file cannot be written.
pub fn export_to_file(
    summary: &SessionSummary,
    transcript: &Path,
    format: ExportFormat,
    path: &Path,
) -> Result<ExportStats, CoreError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| CoreError::io(dir, e))?;
    let stats = {
        let mut out = std::io::BufWriter::new(tmp.as_file());
        export_session(summary, transcript, format, &mut out)?
    };
    tmp.as_file()
        .sync_all()
        .map_err(|e| CoreError::io(tmp.path(), e))?;
    tmp.persist(path)
        .map_err(|e| CoreError::io(path, e.error))?;
    Ok(stats)
}

/// Feeds one transcript's lines to `w`, a page at a time.
fn walk(path: &Path, w: &mut dyn Writer, stats: &mut ExportStats) -> Result<(), CoreError> {
    let index = LineIndex::build(path)?;
    let mut failed = None;
    read_range(
        &index,
        LineRange::From {
            from: 0,
            limit: None,
        },
        |page| {
            for e in &page.entries {
                if let Err(err) = line(&e.entry, w, stats) {
                    failed = Some(err);
                    return false;
                }
            }
            true
        },
    )?;
    match failed {
        Some(e) => Err(CoreError::io("(export output)", e)),
        None => Ok(()),
    }
}

fn line(entry: &Entry, w: &mut dyn Writer, stats: &mut ExportStats) -> std::io::Result<()> {
    match entry {
        Entry::Message(m) => message(m, w, stats),
        Entry::TooLarge { bytes, .. } => w.note(&format!("(a line of {bytes} bytes is not shown)")),
        _ => Ok(()),
    }
}

fn message(m: &MessageLine, w: &mut dyn Writer, stats: &mut ExportStats) -> std::io::Result<()> {
    let ts = m.timestamp.as_deref();
    if m.kind == "system" && m.subtype.as_deref() == Some("compact_boundary") {
        return w.note("The conversation was compacted here.");
    }
    if m.kind == "user" {
        if m.is_real_user_prompt() {
            stats.prompts += 1;
            return w.prompt(&m.content.plain_text(), ts);
        }
        // A subagent's task, as its parent wrote it.
        let text = m.content.plain_text();
        if m.is_sidechain
            && !m.is_meta
            && !m.content.is_tool_result_only()
            && !text.trim().is_empty()
        {
            return w.prompt(&text, ts);
        }
        if m.is_compact_summary {
            return w.thinking(
                "Summary of the compacted conversation",
                &m.content.plain_text(),
            );
        }
        if let Content::Blocks(blocks) = &m.content {
            for b in blocks {
                if let Block::ToolResult {
                    content, is_error, ..
                } = b
                {
                    w.tool_result(&result_text(content), *is_error)?;
                }
            }
        }
        return Ok(());
    }
    if m.kind != "assistant" {
        return Ok(());
    }
    match &m.content {
        Content::Text(t) => w.reply(t, ts),
        Content::Blocks(blocks) => {
            for b in blocks {
                match b {
                    Block::Text { text } => w.reply(text, ts)?,
                    Block::Thinking { thinking } => w.thinking("Thinking", thinking)?,
                    Block::ToolUse { name, input, .. } => {
                        stats.tool_calls += 1;
                        w.tool_use(name, input, ts)?;
                    }
                    _ => {}
                }
            }
            Ok(())
        }
    }
}

/// A tool result's content as text: a string, or the text blocks of an array (other blocks
/// named), cut to [`MAX_RESULT_BYTES`].
fn result_text(content: &Value) -> String {
    let text = match content {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|b| match b.get("type").and_then(Value::as_str) {
                Some("text") => b
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                Some(other) => format!("[{other}]"),
                None => String::new(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    cut(&text, MAX_RESULT_BYTES)
}

/// `text` cut to at most `max` bytes at a char boundary, saying what was left out.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n… ({} bytes more not shown)",
        &text[..end],
        text.len() - end
    )
}

/// A short line of a tool call's input: its command, path, pattern or description.
fn tool_brief(input: &Value) -> String {
    for key in [
        "command",
        "file_path",
        "path",
        "pattern",
        "url",
        "description",
        "prompt",
    ] {
        if let Some(s) = input.get(key).and_then(Value::as_str) {
            let one: String = s
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(120)
                .collect();
            return one;
        }
    }
    String::new()
}

struct Counting<'a> {
    out: &'a mut dyn Write,
    bytes: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Who spoke last (a heading is written when it changes).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Speaker {
    User,
    Claude,
}

/// One output format.
trait Writer {
    fn head(&mut self, s: &SessionSummary) -> std::io::Result<()>;
    fn prompt(&mut self, text: &str, ts: Option<&str>) -> std::io::Result<()>;
    fn reply(&mut self, markdown: &str, ts: Option<&str>) -> std::io::Result<()>;
    fn thinking(&mut self, label: &str, text: &str) -> std::io::Result<()>;
    fn tool_use(&mut self, name: &str, input: &Value, ts: Option<&str>) -> std::io::Result<()>;
    fn tool_result(&mut self, text: &str, is_error: bool) -> std::io::Result<()>;
    fn note(&mut self, text: &str) -> std::io::Result<()>;
    fn subagent_start(&mut self, name: &str) -> std::io::Result<()>;
    fn subagent_end(&mut self) -> std::io::Result<()>;
    fn foot(&mut self) -> std::io::Result<()>;
}

// ---- Markdown -------------------------------------------------------------------------------

struct Markdown<'a> {
    out: &'a mut dyn Write,
    speaker: Option<Speaker>,
}

/// A code fence longer than any run of backticks in `text` (at least 3).
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

impl Speaker {
    /// The heading's name for this speaker.
    fn name(self) -> &'static str {
        match self {
            Speaker::User => "You",
            Speaker::Claude => "Claude",
        }
    }

    /// Whether `who` speaking after `last` starts a new heading (and remembers `who`).
    fn starts(last: &mut Option<Speaker>, who: Speaker) -> bool {
        let new = *last != Some(who);
        *last = Some(who);
        new
    }
}

impl Markdown<'_> {
    fn turn(&mut self, who: Speaker, ts: Option<&str>) -> std::io::Result<()> {
        if !Speaker::starts(&mut self.speaker, who) {
            return Ok(());
        }
        let name = who.name();
        match ts {
            Some(ts) => writeln!(self.out, "## {name} · {ts}\n"),
            None => writeln!(self.out, "## {name}\n"),
        }
    }

    fn block(&mut self, lang: &str, text: &str) -> std::io::Result<()> {
        let f = fence(text);
        writeln!(self.out, "{f}{lang}\n{text}\n{f}\n")
    }
}

impl Writer for Markdown<'_> {
    fn head(&mut self, s: &SessionSummary) -> std::io::Result<()> {
        writeln!(self.out, "# {}\n", one_line(&s.title))?;
        writeln!(self.out, "- Session: `{}`", s.id)?;
        if let Some(p) = &s.project_path {
            writeln!(self.out, "- Project: `{}`", one_line(p))?;
        }
        if let Some(b) = &s.git_branch {
            writeln!(self.out, "- Branch: `{}`", one_line(b))?;
        }
        if let Some(m) = &s.model {
            writeln!(self.out, "- Model: {}", one_line(m))?;
        }
        if let (Some(a), Some(b)) = (&s.first_timestamp, &s.last_timestamp) {
            writeln!(self.out, "- From {a} to {b}")?;
        }
        writeln!(self.out, "\n---\n")
    }
    fn prompt(&mut self, text: &str, ts: Option<&str>) -> std::io::Result<()> {
        self.turn(Speaker::User, ts)?;
        // As typed: quoted, so Markdown in it is shown rather than obeyed.
        for l in text.lines() {
            writeln!(self.out, "> {l}")?;
        }
        writeln!(self.out)
    }
    fn reply(&mut self, markdown: &str, ts: Option<&str>) -> std::io::Result<()> {
        self.turn(Speaker::Claude, ts)?;
        writeln!(self.out, "{}\n", markdown.trim_end())
    }
    fn thinking(&mut self, label: &str, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "*{label}:*\n")?;
        for l in text.lines() {
            writeln!(self.out, "> {l}")?;
        }
        writeln!(self.out)
    }
    fn tool_use(&mut self, name: &str, input: &Value, ts: Option<&str>) -> std::io::Result<()> {
        self.turn(Speaker::Claude, ts)?;
        writeln!(self.out, "**Tool call: {}**\n", one_line(name))?;
        let json = serde_json::to_string_pretty(input).unwrap_or_default();
        self.block("json", &json)
    }
    fn tool_result(&mut self, text: &str, is_error: bool) -> std::io::Result<()> {
        writeln!(
            self.out,
            "**{}**\n",
            if is_error {
                "Tool error"
            } else {
                "Tool result"
            }
        )?;
        self.block("", text)
    }
    fn note(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "*{text}*\n")
    }
    fn subagent_start(&mut self, name: &str) -> std::io::Result<()> {
        self.speaker = None;
        writeln!(self.out, "---\n\n# Subagent run: {}\n", one_line(name))
    }
    fn subagent_end(&mut self) -> std::io::Result<()> {
        self.speaker = None;
        Ok(())
    }
    fn foot(&mut self) -> std::io::Result<()> {
        writeln!(
            self.out,
            "---\n\n*Exported by ccdesk from the Claude Code transcript.*"
        )
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

// ---- HTML -----------------------------------------------------------------------------------

struct Html<'a> {
    out: &'a mut dyn Write,
    speaker: Option<Speaker>,
    sanitizer: ammonia::Builder<'static>,
}

/// ammonia's defaults (no scripts, styles, event handlers or unknown attributes) without images
/// (a remote image would be fetched when the file is opened) and with only `http`, `https` and
/// `mailto` links, opened with `rel="noopener noreferrer"`.
fn sanitizer() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.rm_tags(["img"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"));
    b
}

/// Elements nested deeper than this: the text is shown as it is (the window's `MAX_NESTING`).
pub const MAX_NESTING: usize = 48;

/// A reply's Markdown as HTML, by the window's rules (`ui/src/lib/markdown.parse.ts`): HTML in
/// the text is shown as text, a link is its text with the address as a tooltip (nothing
/// navigates), an image is `[image: alt]` (nothing is fetched). `None` when the elements nest
/// deeper than [`MAX_NESTING`].
pub fn render_markdown(markdown: &str) -> Option<String> {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let parser = pulldown_cmark::Parser::new_ext(
        markdown,
        pulldown_cmark::Options::ENABLE_TABLES
            | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
            | pulldown_cmark::Options::ENABLE_TASKLISTS,
    );
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let events = parser.map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        Event::Start(Tag::Link { dest_url, .. }) => Event::InlineHtml(
            format!(
                "<span class=\"md-link\" title=\"{}\">",
                escape_html(&dest_url)
            )
            .into(),
        ),
        Event::End(TagEnd::Link) => Event::InlineHtml("</span>".into()),
        Event::Start(Tag::Image { .. }) => Event::Text("[image: ".into()),
        Event::End(TagEnd::Image) => Event::Text("]".into()),
        other => other,
    });
    let events = events.inspect(|e| match e {
        Event::Start(_) => {
            depth += 1;
            deepest = deepest.max(depth);
        }
        Event::End(_) => depth = depth.saturating_sub(1),
        _ => {}
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    (deepest <= MAX_NESTING).then_some(html)
}

/// `s` with `& < > " '` escaped, for text and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#1d1d1f;background:#fff}\
h1{font-size:1.4em}h2{font-size:1em;color:#555;margin:1.5em 0 .3em}\
.meta{color:#555;font-size:.9em}.meta code{font-size:.95em}\
.prompt{white-space:pre-wrap;background:#eef2fb;border-radius:8px;padding:.6em .8em}\
.reply{border:1px solid #ddd;border-radius:8px;padding:.2em .8em;margin:.4em 0}\
details{border:1px solid #ddd;border-radius:6px;margin:.4em 0;padding:.2em .6em}\
details>summary{cursor:pointer;color:#444}\
details.error>summary{color:#b00020}\
details.subagent{border-color:#7b61ff}\
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.5em;border-radius:4px;font-size:.85em}\
.thinking{white-space:pre-wrap;color:#555;font-style:italic}\
.note{color:#777;font-style:italic}\
@media (prefers-color-scheme:dark){body{background:#1e1e1e;color:#ddd}.prompt{background:#2a3142}pre{background:#2a2a2a}.reply,details{border-color:#444}h2,.meta{color:#aaa}}";

impl Html<'_> {
    fn turn(&mut self, who: Speaker, ts: Option<&str>) -> std::io::Result<()> {
        if !Speaker::starts(&mut self.speaker, who) {
            return Ok(());
        }
        let name = who.name();
        match ts {
            Some(ts) => writeln!(self.out, "<h2>{name} · {}</h2>", escape_html(ts)),
            None => writeln!(self.out, "<h2>{name}</h2>"),
        }
    }
}

impl Writer for Html<'_> {
    fn head(&mut self, s: &SessionSummary) -> std::io::Result<()> {
        let title = escape_html(&s.title);
        writeln!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>"
        )?;
        write!(
            self.out,
            "<p class=\"meta\">Session <code>{}</code>",
            escape_html(&s.id)
        )?;
        if let Some(p) = &s.project_path {
            write!(self.out, " · <code>{}</code>", escape_html(p))?;
        }
        if let Some(b) = &s.git_branch {
            write!(self.out, " · branch <code>{}</code>", escape_html(b))?;
        }
        if let Some(m) = &s.model {
            write!(self.out, " · {}", escape_html(m))?;
        }
        if let (Some(a), Some(b)) = (&s.first_timestamp, &s.last_timestamp) {
            write!(self.out, " · {} to {}", escape_html(a), escape_html(b))?;
        }
        writeln!(self.out, "</p>")
    }
    fn prompt(&mut self, text: &str, ts: Option<&str>) -> std::io::Result<()> {
        self.turn(Speaker::User, ts)?;
        writeln!(
            self.out,
            "<div class=\"prompt\">{}</div>",
            escape_html(text)
        )
    }
    fn reply(&mut self, markdown: &str, ts: Option<&str>) -> std::io::Result<()> {
        self.turn(Speaker::Claude, ts)?;
        if markdown.len() > MAX_MARKDOWN_BYTES {
            return writeln!(
                self.out,
                "<div class=\"reply\"><pre>{}</pre></div>",
                escape_html(markdown)
            );
        }
        let Some(rendered) = render_markdown(markdown) else {
            // Nested too deep to be a real message: shown as text, as the window does.
            return writeln!(
                self.out,
                "<div class=\"reply\"><pre>{}</pre></div>",
                escape_html(markdown)
            );
        };
        let clean = self.sanitizer.clean(&rendered).to_string();
        writeln!(self.out, "<div class=\"reply\">{clean}</div>")
    }
    fn thinking(&mut self, label: &str, text: &str) -> std::io::Result<()> {
        writeln!(
            self.out,
            "<details><summary>{}</summary><div class=\"thinking\">{}</div></details>",
            escape_html(label),
            escape_html(text)
        )
    }
    fn tool_use(&mut self, name: &str, input: &Value, ts: Option<&str>) -> std::io::Result<()> {
        self.turn(Speaker::Claude, ts)?;
        let json = serde_json::to_string_pretty(input).unwrap_or_default();
        let brief = tool_brief(input);
        writeln!(
            self.out,
            "<details class=\"tool\"><summary>Tool call: <strong>{}</strong> {}</summary><pre>{}</pre></details>",
            escape_html(name),
            escape_html(&brief),
            escape_html(&json)
        )
    }
    fn tool_result(&mut self, text: &str, is_error: bool) -> std::io::Result<()> {
        let first: String = text
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect();
        writeln!(
            self.out,
            "<details class=\"{}\"><summary>{} {}</summary><pre>{}</pre></details>",
            if is_error { "result error" } else { "result" },
            if is_error { "Tool error:" } else { "Result:" },
            escape_html(&first),
            escape_html(text)
        )
    }
    fn note(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "<p class=\"note\">{}</p>", escape_html(text))
    }
    fn subagent_start(&mut self, name: &str) -> std::io::Result<()> {
        self.speaker = None;
        writeln!(
            self.out,
            "<details class=\"subagent\"><summary>Subagent run: {}</summary>",
            escape_html(name)
        )
    }
    fn subagent_end(&mut self) -> std::io::Result<()> {
        self.speaker = None;
        writeln!(self.out, "</details>")
    }
    fn foot(&mut self) -> std::io::Result<()> {
        writeln!(
            self.out,
            "<p class=\"note\">Exported by ccdesk from the Claude Code transcript.</p>\n</body>\n</html>"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_the_backticks_inside() {
        assert_eq!(fence("plain"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }

    #[test]
    fn cuts_at_a_char_boundary_and_says_how_much() {
        let s = "é".repeat(10);
        let c = cut(&s, 5);
        assert!(c.starts_with("éé\n… (16 bytes more"), "{c}");
        assert_eq!(cut("short", 10), "short");
    }

    #[test]
    fn markdown_renders_by_the_window_rules() {
        let html = render_markdown(
            "**bold** <script>x()</script> [site](https://e.x/?a=1&b=2) ![pic](http://e.x/p.png)",
        )
        .unwrap();
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("&lt;script&gt;x()&lt;/script&gt;"), "{html}");
        assert!(
            html.contains(r#"<span class="md-link" title="https://e.x/?a=1&amp;b=2">site</span>"#),
            "{html}"
        );
        assert!(
            html.contains("[image: pic]") && !html.contains("<img"),
            "{html}"
        );
        let bomb = "> ".repeat(200) + "deep";
        assert_eq!(render_markdown(&bomb), None);
    }

    #[test]
    fn escapes_what_html_would_obey() {
        assert_eq!(
            escape_html(r#"<a href="x" onclick='y'>&"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;"
        );
    }
}
