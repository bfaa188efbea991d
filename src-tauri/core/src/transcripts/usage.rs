//! What the history cost: tokens (input, output, cache reads and writes) and dollars per session,
//! project or day, from the `message.usage` of the transcripts' lines (issue 14 part 4).
//!
//! Lines are counted as `ccusage` 18 counts them (its `data-loader`), so that the token totals of
//! the same transcripts are equal (a test checks it):
//! - every `*.jsonl` under `<config dir>/projects`, subagent transcripts included;
//! - a line counts when it has `timestamp` (`YYYY-MM-DDTHH:MM:SS[.mmm]Z`) and
//!   `message.usage.input_tokens` / `output_tokens` numbers (cache counts optional), and its
//!   optional fields are well formed (`version` starting `N.N.N`, non-empty ids and model,
//!   `message.content` an array of objects);
//! - one API message is counted once: a line whose `message.id` and `requestId` were seen already
//!   is skipped (the CLI writes one line per content block, each with the message's usage, and a
//!   resumed or forked session copies earlier lines), files taken oldest first;
//! - days are local calendar days.
//!
//! Dollars: the line's `costUSD` when it has one (CLI 1.0.x wrote it), else the tokens priced by
//! the model's entry in `data/model-prices.json` (which names its source and date); a model with
//! no entry is counted as unpriced, not guessed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::transcripts::paths;
use crate::transcripts::profiles::Profiles;

/// How the rows of a [`UsageReport`] are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum UsageBy {
    /// One row per session (a subagent transcript counts for its parent session).
    Session,
    /// One row per project dir.
    Project,
    /// One row per local calendar day.
    #[default]
    Day,
}

/// Tokens and dollars of some API messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UsageTotals {
    /// Input tokens (not counting cache reads and writes).
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read_tokens: u64,
    /// Input tokens written to the prompt cache.
    pub cache_creation_tokens: u64,
    /// Dollars ([`UsageReport`]'s rules).
    pub cost_usd: f64,
    /// API messages counted.
    pub messages: u64,
    /// Of those, messages of a model with no price (and no `costUSD`): their dollars are 0.
    pub unpriced_messages: u64,
}

impl UsageTotals {
    fn add(&mut self, e: &Entry) {
        self.input_tokens += e.input;
        self.output_tokens += e.output;
        self.cache_read_tokens += e.cache_read;
        self.cache_creation_tokens += e.cache_creation;
        self.cost_usd += e.cost.unwrap_or(0.0);
        self.messages += 1;
        self.unpriced_messages += u64::from(e.cost.is_none());
    }
}

/// One row of a [`UsageReport`].
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UsageRow {
    /// What the row is of: a session key (as the index keys sessions), a project dir name
    /// (`@<config dir name>/` first for later config dirs), or a day (`YYYY-MM-DD`).
    pub key: String,
    /// For people: the session's or project's path (the `cwd` its lines record), or the day.
    pub label: String,
    /// Last message's timestamp in the row, ms since the Unix epoch.
    pub last_ms: i64,
    /// Its tokens and dollars.
    #[serde(flatten)]
    pub totals: UsageTotals,
}

/// What the history cost, grouped one way.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UsageReport {
    /// How the rows are grouped.
    pub by: UsageBy,
    /// Rows: days oldest first; sessions and projects most expensive first.
    pub rows: Vec<UsageRow>,
    /// Over all rows.
    pub total: UsageTotals,
    /// Transcript files read.
    pub files: u32,
    /// Lines with usage that were counted already (the same message again).
    pub duplicates: u64,
    /// Where the prices come from, and their date.
    pub prices: String,
}

/// What to count.
#[derive(Debug, Clone, Default)]
pub struct UsageQuery {
    /// Grouping.
    pub by: UsageBy,
    /// First local day counted (`YYYY-MM-DD`), inclusive.
    pub since: Option<chrono::NaiveDate>,
    /// Last local day counted, inclusive.
    pub until: Option<chrono::NaiveDate>,
}

impl UsageQuery {
    /// A query grouped `by`, from day `since` to day `until` (`YYYY-MM-DD` or `YYYYMMDD`; blank
    /// or `None`: open).
    ///
    /// Errors: [`CoreError::InvalidInput`] for a day that is neither.
    pub fn new(
        by: UsageBy,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<UsageQuery, CoreError> {
        let day = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(parse_day)
                .transpose()
        };
        Ok(UsageQuery {
            by,
            since: day(since)?,
            until: day(until)?,
        })
    }
}

/// A local day written `YYYY-MM-DD` or `YYYYMMDD` (ccusage's form).
///
/// Errors: [`CoreError::InvalidInput`] naming what was given.
pub fn parse_day(s: &str) -> Result<chrono::NaiveDate, CoreError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%Y%m%d"))
        .map_err(|_| CoreError::InvalidInput(format!("{s:?} is not a date (YYYY-MM-DD)")))
}

#[derive(Deserialize)]
struct PriceFile {
    source: String,
    date: String,
    #[serde(rename = "cacheWriteMultiplier")]
    cache_write: f64,
    #[serde(rename = "cacheReadMultiplier")]
    cache_read: f64,
    models: Vec<ModelPrice>,
}

#[derive(Deserialize)]
struct ModelPrice {
    #[serde(rename = "match")]
    prefix: String,
    input: f64,
    output: f64,
}

/// The price table (`data/model-prices.json`).
pub struct Prices {
    file: PriceFile,
}

impl Prices {
    /// The table compiled into ccdesk.
    ///
    /// Errors: [`CoreError::InvalidInput`] if the compiled-in file does not decode (a build
    /// error in practice: a unit test reads it).
    pub fn builtin() -> Result<Prices, CoreError> {
        serde_json::from_str(include_str!("../../data/model-prices.json"))
            .map(|file| Prices { file })
            .map_err(|e| CoreError::InvalidInput(format!("model-prices.json: {e}")))
    }

    /// "source (date)".
    pub fn describe(&self) -> String {
        format!("{} ({})", self.file.source, self.file.date)
    }

    /// Dollars for these tokens of `model`; `None` when the table has no entry for it.
    pub fn cost(&self, model: &str, input: u64, output: u64, read: u64, write: u64) -> Option<f64> {
        let p = self
            .file
            .models
            .iter()
            .filter(|m| model.starts_with(&m.prefix))
            .max_by_key(|m| m.prefix.len())?;
        let per = |n: u64, usd: f64| n as f64 * usd / 1e6;
        Some(
            per(input, p.input)
                + per(output, p.output)
                + per(read, p.input * self.file.cache_read)
                + per(write, p.input * self.file.cache_write),
        )
    }
}

/// One counted line.
struct Entry {
    /// `message.id:requestId` when the line has both.
    hash: Option<String>,
    ms: i64,
    input: u64,
    output: u64,
    cache_read: u64,
    cache_creation: u64,
    /// `None`: unpriced.
    cost: Option<f64>,
    cwd: Option<String>,
}

/// One transcript file's counted lines, with what groups them.
struct FileUsage {
    /// Profile place, project dir name, session id (the parent's for a subagent transcript).
    profile: usize,
    dir: String,
    session: String,
    earliest: i64,
    entries: Vec<Entry>,
}

/// Counts the usage of every transcript of `profiles`.
///
/// Errors: [`CoreError::Io`] when a projects dir exists but cannot be listed; a file that cannot
/// be read is skipped (and not counted).
pub fn usage(profiles: &Profiles, query: &UsageQuery) -> Result<UsageReport, CoreError> {
    let prices = Prices::builtin()?;
    let mut files = Vec::new();
    for (i, p) in profiles.iter().enumerate() {
        let root = paths::projects_dir(&p.config_dir);
        match std::fs::read_dir(&root) {
            Ok(_) => walk(&root, &root, i, 0, &mut files),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CoreError::io(&root, e)),
        }
    }
    let count = u32::try_from(files.len()).unwrap_or(u32::MAX);
    let mut read = read_all(files, &prices);
    // Oldest first, as ccusage: the first copy of a message counts.
    read.sort_by_key(|f| f.earliest);
    let mut seen: HashSet<String> = HashSet::new();
    let mut duplicates = 0;
    let mut rows: HashMap<String, UsageRow> = HashMap::new();
    let mut total = UsageTotals::default();
    for f in &read {
        for e in &f.entries {
            if let Some(h) = &e.hash {
                if !seen.insert(h.clone()) {
                    duplicates += 1;
                    continue;
                }
            }
            let day = local_day(e.ms);
            if query.since.is_some_and(|s| day < s) || query.until.is_some_and(|u| day > u) {
                continue;
            }
            let key = match query.by {
                UsageBy::Day => day.format("%Y-%m-%d").to_string(),
                UsageBy::Project => profiles.key_in(f.profile, &f.dir),
                UsageBy::Session => profiles.key_in(f.profile, &format!("{}/{}", f.dir, f.session)),
            };
            let row = rows.entry(key).or_insert_with_key(|k| UsageRow {
                key: k.clone(),
                label: match query.by {
                    UsageBy::Day => k.clone(),
                    _ => String::new(),
                },
                last_ms: e.ms,
                totals: UsageTotals::default(),
            });
            if row.label.is_empty() {
                if let Some(cwd) = &e.cwd {
                    row.label.clone_from(cwd);
                }
            }
            row.last_ms = row.last_ms.max(e.ms);
            row.totals.add(e);
            total.add(e);
        }
    }
    let mut rows: Vec<UsageRow> = rows.into_values().collect();
    for r in &mut rows {
        if r.label.is_empty() {
            r.label.clone_from(&r.key);
        }
    }
    match query.by {
        UsageBy::Day => rows.sort_by(|a, b| a.key.cmp(&b.key)),
        _ => rows.sort_by(|a, b| {
            b.totals
                .cost_usd
                .total_cmp(&a.totals.cost_usd)
                .then_with(|| tokens(&b.totals).cmp(&tokens(&a.totals)))
                .then_with(|| a.key.cmp(&b.key))
        }),
    }
    Ok(UsageReport {
        by: query.by,
        rows,
        total,
        files: count,
        duplicates,
        prices: prices.describe(),
    })
}

fn tokens(t: &UsageTotals) -> u64 {
    t.input_tokens + t.output_tokens + t.cache_read_tokens + t.cache_creation_tokens
}

/// The local calendar day of `ms` (ms since the Unix epoch).
fn local_day(ms: i64) -> chrono::NaiveDate {
    use chrono::TimeZone;
    match chrono::Local.timestamp_millis_opt(ms) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.date_naive(),
        chrono::LocalResult::None => chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .date_naive(),
    }
}

/// A file to read: its path, profile, project dir and session.
struct Target {
    path: PathBuf,
    profile: usize,
    dir: String,
    session: String,
}

/// Every `*.jsonl` regular file under `dir` (at most 6 levels down), as `**/*.jsonl` finds them.
fn walk(root: &Path, dir: &Path, profile: usize, depth: usize, out: &mut Vec<Target>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if depth < 6 {
                walk(root, &path, profile, depth + 1, out);
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "jsonl") || !path.is_file() {
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        // `<dir>/<id>.jsonl`, or `<dir>/<id>/subagents/agent-x.jsonl` (its parent's).
        let (dir_name, session) = match parts.as_slice() {
            [d, file] => (d.clone(), file.trim_end_matches(".jsonl").to_owned()),
            [d, id, ..] => (d.clone(), id.clone()),
            _ => continue,
        };
        out.push(Target {
            path,
            profile,
            dir: dir_name,
            session,
        });
    }
}

/// Reads `files` on the machine's cores (files handed out one at a time).
fn read_all(files: Vec<Target>, prices: &Prices) -> Vec<FileUsage> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let files = &files;
    let next = &next;
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(t) = files.get(i) else {
                            break;
                        };
                        if let Some(f) = read_file(t, prices) {
                            out.push(f);
                        }
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    })
}

/// The counted lines of one file; `None` when it cannot be read.
fn read_file(t: &Target, prices: &Prices) -> Option<FileUsage> {
    use std::io::BufRead;
    let file = std::fs::File::open(&t.path).ok()?;
    let mut reader = std::io::BufReader::with_capacity(256 * 1024, file);
    let mut line = Vec::new();
    let mut entries = Vec::new();
    let mut earliest = i64::MAX;
    let finder = memchr::memmem::Finder::new(b"\"usage\"");
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => break,
        }
        if earliest == i64::MAX {
            if let Some(ms) = first_timestamp(&line) {
                earliest = ms;
            }
        }
        if finder.find(&line).is_none() {
            continue;
        }
        if let Some(e) = parse_line(&line, prices) {
            earliest = earliest.min(e.ms);
            entries.push(e);
        }
    }
    Some(FileUsage {
        profile: t.profile,
        dir: t.dir.clone(),
        session: t.session.clone(),
        earliest,
        entries,
    })
}

/// The `timestamp` of a line that has one (ms), for the file order.
fn first_timestamp(line: &[u8]) -> Option<i64> {
    #[derive(Deserialize)]
    struct Ts {
        timestamp: Option<String>,
    }
    let ts: Ts = serde_json::from_slice(line).ok()?;
    crate::transcripts::index::rfc3339_to_ms(&ts.timestamp?)
}

// ccusage's schema (valibot `optional`): a field may be absent, but when present it must have
// its type; `null` is not absent. Hence `deserialize_with` on every optional field: absent gives
// the default (`None`), null or another type fails the line.
#[derive(Deserialize)]
struct Line {
    timestamp: String,
    #[serde(default, deserialize_with = "present")]
    version: Option<String>,
    #[serde(default, rename = "sessionId", deserialize_with = "present")]
    session_id: Option<String>,
    #[serde(default, deserialize_with = "present")]
    cwd: Option<String>,
    message: Message,
    #[serde(default, rename = "costUSD", deserialize_with = "present")]
    cost_usd: Option<f64>,
    #[serde(default, rename = "requestId", deserialize_with = "present")]
    request_id: Option<String>,
    #[serde(default, rename = "isApiErrorMessage", deserialize_with = "present")]
    #[allow(dead_code)] // checked for its type only
    api_error: Option<bool>,
}

#[derive(Deserialize)]
struct Message {
    usage: Usage,
    #[serde(default, deserialize_with = "present")]
    model: Option<String>,
    #[serde(default, deserialize_with = "present")]
    id: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[allow(dead_code)] // checked for its type only
    content: Option<Vec<ContentBlock>>,
}

/// A content block as ccusage checks it: an object whose `text`, if any, is a string.
#[derive(Deserialize)]
struct ContentBlock {
    #[serde(default, deserialize_with = "present")]
    #[allow(dead_code)] // checked for its type only
    text: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    input_tokens: f64,
    output_tokens: f64,
    #[serde(default, deserialize_with = "present")]
    cache_creation_input_tokens: Option<f64>,
    #[serde(default, deserialize_with = "present")]
    cache_read_input_tokens: Option<f64>,
    #[serde(default, deserialize_with = "present")]
    speed: Option<String>,
}

/// A field that is there: its value (`null` is an error).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// A line that counts ([`self`]'s rules), else `None`.
fn parse_line(line: &[u8], prices: &Prices) -> Option<Entry> {
    let l: Line = serde_json::from_slice(line).ok()?;
    if !iso_z(&l.timestamp) {
        return None;
    }
    let nonempty = |s: &Option<String>| s.as_deref().is_none_or(|s| !s.is_empty());
    if !nonempty(&l.session_id)
        || !nonempty(&l.request_id)
        || !nonempty(&l.message.id)
        || !nonempty(&l.message.model)
        || !l.version.as_deref().is_none_or(semver_start)
        || !l
            .message
            .usage
            .speed
            .as_deref()
            .is_none_or(|s| s == "standard" || s == "fast")
    {
        return None;
    }
    let ms = crate::transcripts::index::rfc3339_to_ms(&l.timestamp)?;
    let n = |v: f64| {
        if v.is_finite() && v > 0.0 {
            v as u64
        } else {
            0
        }
    };
    let u = &l.message.usage;
    let (input, output) = (n(u.input_tokens), n(u.output_tokens));
    let cache_read = n(u.cache_read_input_tokens.unwrap_or(0.0));
    let cache_creation = n(u.cache_creation_input_tokens.unwrap_or(0.0));
    let cost = match l.cost_usd {
        Some(c) => Some(c),
        None => l
            .message
            .model
            .as_deref()
            .and_then(|m| prices.cost(m, input, output, cache_read, cache_creation)),
    };
    let hash = match (&l.message.id, &l.request_id) {
        (Some(m), Some(r)) => Some(format!("{m}:{r}")),
        _ => None,
    };
    Some(Entry {
        hash,
        ms,
        input,
        output,
        cache_read,
        cache_creation,
        cost,
        cwd: l.cwd,
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.mmm]Z`, as ccusage requires.
fn iso_z(ts: &str) -> bool {
    let b = ts.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && b.get(10) == Some(&b'T')
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    shape
        && match b.len() {
            20 => b[19] == b'Z',
            24 => b[19] == b'.' && digits(20..23) && b[23] == b'Z',
            _ => false,
        }
}

/// Starts `N.N.N` (digits, dot, digits, dot, digits).
fn semver_start(v: &str) -> bool {
    let mut parts = v.splitn(3, '.');
    let num =
        |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()));
    let (a, b) = (parts.next(), parts.next());
    let c = parts
        .next()
        .map(|s| &s[..s.bytes().take_while(u8::is_ascii_digit).count()]);
    num(a) && num(b) && num(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_price_table_decodes_and_prices_by_the_longest_match() {
        let p = Prices::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(p.describe().contains("2025-11-24"));
        let opus45 = p.cost("claude-opus-4-5-20251101", 1_000_000, 0, 0, 0);
        let opus41 = p.cost("claude-opus-4-1-20250805", 1_000_000, 0, 0, 0);
        assert_eq!((opus45, opus41), (Some(5.0), Some(15.0)));
        let sonnet = p.cost(
            "claude-sonnet-4-5-20250929",
            0,
            1_000_000,
            1_000_000,
            1_000_000,
        );
        assert_eq!(
            sonnet.map(|c| (c * 1000.0).round() / 1000.0),
            Some(15.0 + 0.3 + 3.75)
        );
        assert_eq!(p.cost("claude-opus-5-5", 1, 1, 0, 0), None);
        assert_eq!(p.cost("<synthetic>", 1, 1, 0, 0), None);
    }

    #[test]
    fn lines_count_by_ccusage_rules() {
        let p = Prices::builtin().unwrap_or_else(|e| panic!("{e}"));
        let line = |extra: &str| {
            format!(
                r#"{{"timestamp":"2026-01-02T03:04:05.678Z","version":"2.1.112","requestId":"r1","message":{{"id":"m1","model":"claude-sonnet-4-5","usage":{{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":100}},"content":[{{"type":"text","text":"hi"}}]}}{extra}}}"#
            )
        };
        let e = parse_line(line("").as_bytes(), &p).unwrap_or_else(|| panic!("counted"));
        assert_eq!(
            (e.input, e.output, e.cache_read, e.cache_creation),
            (10, 5, 100, 0)
        );
        assert_eq!(e.hash.as_deref(), Some("m1:r1"));
        assert!(e.cost.is_some_and(|c| c > 0.0));
        let old = parse_line(line(r#","costUSD":0.5"#).as_bytes(), &p)
            .unwrap_or_else(|| panic!("counted"));
        assert_eq!(old.cost, Some(0.5));
        for bad in [
            line("").replace(".678Z", "+01:00"),
            line("").replace("\"2.1.112\"", "\"v2\""),
            line("").replace("\"r1\"", "\"\""),
            line("").replace("\"output_tokens\":5,", ""),
            line("").replace(r#"[{"type":"text","text":"hi"}]"#, r#""plain""#),
            line("").replace("\"r1\"", "null"),
            line(r#","cwd":null"#),
            "not json".into(),
        ] {
            assert!(parse_line(bad.as_bytes(), &p).is_none(), "{bad}");
        }
        assert!(iso_z("2026-01-02T03:04:05Z"));
        assert!(!iso_z("2026-01-02T03:04:05.6Z"));
        assert!(semver_start("1.0.128") && semver_start("2.1.112-beta") && !semver_start("2.1"));
    }
}
