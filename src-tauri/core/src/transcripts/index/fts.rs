//! Full-text search over every transcript (sessions and their subagent transcripts), in the
//! index's cache database: SQLite FTS5, one row per transcript line that has searchable text
//! ([`extract`]), so a hit names the line it is on.
//!
//! The FTS table is contentless (`content=''`, `contentless_delete=1`): the text is not stored
//! twice, since it is on disk already; a hit keeps the line's offset and length, and its snippet
//! is cut from the line read again. Tokenizer: `unicode61 remove_diacritics 2` (case and
//! accents folded, so `naive cafe` finds `naïve café`; `_` and `.` separate words, so
//! `parse_session_index` is a phrase of three words that the query `parse_session_index` finds).
//!
//! [`LiveIndex::update_search`] brings the FTS rows up to date with the transcripts (new files
//! whole, grown ones from where they were indexed to, rewritten ones again, gone ones
//! forgotten), committing every [`BATCH_BYTES`] so that a stop costs at most the file under way;
//! [`LiveIndex::search`] answers a [`SearchQuery`], grouped by session.

use crate::sync::LockExt;
use crate::transcripts::paths::open_regular;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::live::{FileNames, LiveIndex, SessionLookup, Stat};
use super::{list_all, project_dirs, rfc3339_to_ms, SessionSummary};
use crate::error::CoreError;
use crate::transcripts::paths;
use crate::transcripts::search::extract::{extract, Extracted, EXTRACT_VERSION};
use crate::transcripts::search::query::{fold, SearchQuery};

/// Bytes of transcript indexed between commits. With `BATCHES_IN_FLIGHT`, what bounds the
/// build's memory: the window's process keeps what its allocator once held.
pub const BATCH_BYTES: u64 = 2 << 20;
/// Batches read ahead of the one being written.
pub const BATCHES_IN_FLIGHT: usize = 2;
/// Most matching lines a query looks at (the newest ones; ranked among themselves).
pub const MAX_HITS: usize = 5_000;
/// Hits shown per session.
pub const HITS_PER_SESSION: usize = 3;
/// Chars of context a snippet shows around its first match.
pub const SNIPPET_CHARS: usize = 160;

/// How far the search index is, by files and bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchProgress {
    /// Transcripts up to date.
    pub done_files: u32,
    /// Transcripts in all.
    pub total_files: u32,
    /// Bytes indexed in this update.
    pub done_bytes: u64,
    /// Bytes this update has to index.
    pub total_bytes: u64,
}

/// Which part of a line a hit is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum HitKind {
    /// A prompt a person typed.
    Prompt,
    /// The assistant's text.
    Reply,
    /// A tool call's input (command, path, pattern, ...).
    ToolInput,
    /// A tool's result.
    ToolOutput,
}

/// One matching transcript line.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    /// 0-based line number in its transcript (the session's own, or the subagent's when
    /// `subagent` is set).
    pub line: u32,
    /// The line's `uuid`.
    pub uuid: Option<String>,
    /// The line's timestamp (RFC 3339).
    pub timestamp: Option<String>,
    /// Where in the line the match is.
    pub kind: HitKind,
    /// The subagent transcript's file stem (`agent-…`) when the hit is in one; the session is
    /// its parent.
    pub subagent: Option<String>,
    /// Text around the first match, one line (no HTML: marks are offsets).
    pub snippet: String,
    /// Matched words in `snippet`: `[start, end)` in UTF-16 code units (what JavaScript indexes).
    pub marks: Vec<[u32; 2]>,
}

/// The hits of one session.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionHits {
    /// The session, as listed.
    pub session: SessionSummary,
    /// Matching lines in it (and its subagent transcripts) among the [`MAX_HITS`] newest.
    pub hit_count: u32,
    /// Relevance with a recency boost; higher is better.
    pub score: f64,
    /// The best [`HITS_PER_SESSION`] hits, best first.
    pub hits: Vec<SearchHit>,
}

/// What a query found.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    /// Sessions, best first.
    pub sessions: Vec<SessionHits>,
    /// The words marked in snippets, lowercased.
    pub terms: Vec<String>,
    /// More than [`MAX_HITS`] lines matched: only the newest were ranked and grouped.
    pub truncated: bool,
    /// The search index was still being built: transcripts not indexed yet are not searched.
    pub partial: bool,
}

/// A file the search index covers: a session transcript, or a subagent transcript of one.
struct Target {
    /// Path under the projects dir.
    rel: String,
    /// The session transcript's path under the projects dir.
    session_rel: String,
    path: PathBuf,
    stat: Stat,
}

/// Lines of one file read and extracted, ready to be written.
struct Batch {
    /// Index of the file in the update's work list.
    target: usize,
    /// (line number, byte offset, length, text) of the lines with text.
    lines: Vec<(u64, u64, u64, Extracted)>,
    /// Where the lines read end (just after a newline), and the next line's number.
    end: u64,
    line: u64,
    /// Bytes read for this batch.
    bytes: u64,
    /// The file's last batch.
    last: bool,
}

/// Reads file `t` from byte `from` (line `line`) and sends its lines in batches of about
/// [`BATCH_BYTES`]; only complete lines (a line still being written waits for the next
/// update). A file that cannot be opened (gone since the walk) sends nothing: the next update
/// looks at it again. Returns false when the receiver is gone.
fn read_batches(
    target: usize,
    t: &Target,
    from: u64,
    line: u64,
    tx: &std::sync::mpsc::SyncSender<Batch>,
) -> bool {
    let mut batch = Batch {
        target,
        lines: Vec::new(),
        end: from,
        line,
        bytes: 0,
        last: false,
    };
    let reader = open_regular(&t.path).and_then(|f| {
        let mut r = BufReader::with_capacity(1 << 20, f);
        r.seek(SeekFrom::Start(from))?;
        Ok(r)
    });
    let Ok(mut reader) = reader else {
        return true;
    };
    {
        let mut buf = Vec::new();
        while let Some(n) = next_line(&mut reader, &mut buf) {
            if let Some(e) = extract(&buf[..buf.len() - 1]) {
                batch.lines.push((batch.line, batch.end, n - 1, e));
            }
            batch.end += n;
            batch.line += 1;
            batch.bytes += n;
            if batch.bytes >= BATCH_BYTES {
                let next = Batch {
                    target,
                    lines: Vec::new(),
                    end: batch.end,
                    line: batch.line,
                    bytes: 0,
                    last: false,
                };
                if tx.send(std::mem::replace(&mut batch, next)).is_err() {
                    return false;
                }
            }
        }
    }
    batch.last = true;
    tx.send(batch).is_ok()
}

/// Reads the next complete line, its newline included, into `buf` and returns its length in
/// bytes; `None` at the end, at a line still being written, or on a read error.
fn next_line(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> Option<u64> {
    buf.clear();
    match reader.read_until(b'\n', buf) {
        Ok(n) if n > 0 && buf.last() == Some(&b'\n') => Some(n as u64),
        _ => None,
    }
}

/// A `fts_file` row.
struct Indexed {
    id: i64,
    size: u64,
    mtime_ns: i64,
    ino: u64,
    done_end: u64,
    done_line: u64,
}

impl LiveIndex {
    /// Brings the search index up to date with the transcripts; `progress` is called after
    /// each batch. Returns the last progress.
    ///
    /// Errors: [`CoreError::Io`] when the projects dir cannot be listed;
    /// [`CoreError::Index`] when there is no usable cache (search needs one).
    pub fn update_search(
        &self,
        progress: impl FnMut(SearchProgress),
    ) -> Result<SearchProgress, CoreError> {
        let _one_writer = self.fts_lock.locked();
        let projects = paths::projects_dir(self.config_dir());
        let threads = super::default_threads();
        // A refresh a moment ago walked and stat'ed them all already.
        let walked = self.last_walk.locked().take().filter(|w| {
            w.at.elapsed() < std::time::Duration::from_millis(super::live::WALK_REUSE_MS)
        });
        let (candidates, stats): (Vec<_>, Vec<_>) = match walked {
            Some(w) => w.files.into_iter().unzip(),
            None => {
                let (candidates, _) = list_all(&project_dirs(self.config_dir())?, threads);
                let stats = super::live::stat_all(&candidates, threads);
                (candidates, stats)
            }
        };
        let mut targets = Vec::new();
        for (c, stat) in candidates.iter().zip(stats) {
            let session_rel = format!("{}/{}.jsonl", c.dir_name, c.id);
            if let Some(stat) = stat {
                targets.push(Target {
                    rel: session_rel.clone(),
                    session_rel: session_rel.clone(),
                    path: c.path.clone(),
                    stat,
                });
            }
            if c.has_session_dir != Some(false) {
                let dir = projects.join(&c.dir_name).join(&c.id).join("subagents");
                subagent_files(&dir, 3, &mut |path| {
                    let Ok(rest) = path.strip_prefix(&projects) else {
                        return;
                    };
                    if let Some(stat) = Stat::of(path) {
                        targets.push(Target {
                            rel: rest.to_string_lossy().into_owned(),
                            session_rel: session_rel.clone(),
                            path: path.to_path_buf(),
                            stat,
                        });
                    }
                });
            }
        }
        let report = self.update_targets(targets, None, progress)?;
        self.search_complete
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(report)
    }

    /// [`LiveIndex::update_search`] for these paths only (as the watcher reports them: session
    /// transcripts, and subagent transcripts under `<dir>/<id>/`): what changed is indexed, what
    /// is gone forgotten; other paths are ignored. No walk of the projects dir.
    ///
    /// Errors: as [`LiveIndex::update_search`].
    pub fn update_search_files(&self, paths: &[PathBuf]) -> Result<SearchProgress, CoreError> {
        let _one_writer = self.fts_lock.locked();
        let projects = paths::projects_dir(self.config_dir());
        let mut targets = Vec::new();
        let mut scope = std::collections::HashSet::new();
        for path in paths {
            let Ok(rest) = path.strip_prefix(&projects) else {
                continue;
            };
            let parts: Vec<String> = rest
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let session_rel = match parts.as_slice() {
                [dir, file] if file.ends_with(".jsonl") && !file.starts_with("agent-") => {
                    format!("{dir}/{file}")
                }
                [dir, id, _, ..] if path.extension().is_some_and(|e| e == "jsonl") => {
                    format!("{dir}/{id}.jsonl")
                }
                _ => continue,
            };
            let rel = parts.join("/");
            scope.insert(rel.clone());
            if let Some(stat) = Stat::of(path) {
                targets.push(Target {
                    rel,
                    session_rel,
                    path: path.clone(),
                    stat,
                });
            }
        }
        self.update_targets(targets, Some(&scope), |_| {})
    }

    /// Indexes what changed among `targets` and forgets the known files that are not among
    /// them (all of them, or only those in `scope`).
    fn update_targets(
        &self,
        mut targets: Vec<Target>,
        scope: Option<&std::collections::HashSet<String>>,
        mut progress: impl FnMut(SearchProgress),
    ) -> Result<SearchProgress, CoreError> {
        // Oldest first: rows are then numbered about in time order (appends come later still),
        // which lets a query take the newest matches without ranking every one.
        targets.sort_by_key(|t| t.stat.mtime_ns);
        self.with_cache(prepare)??;
        let known = self.with_cache(load_files)??;
        let mut report = SearchProgress {
            total_files: u32::try_from(targets.len()).unwrap_or(u32::MAX),
            ..SearchProgress::default()
        };
        // What is gone.
        let live: std::collections::HashSet<&str> =
            targets.iter().map(|t| t.rel.as_str()).collect();
        let gone: Vec<i64> = known
            .iter()
            .filter(|(rel, _)| {
                !live.contains(rel.as_str()) && scope.is_none_or(|s| s.contains(rel.as_str()))
            })
            .map(|(_, f)| f.id)
            .collect();
        if !gone.is_empty() {
            self.with_cache(|conn| -> Result<(), rusqlite::Error> {
                let tx = conn.transaction()?;
                for id in &gone {
                    forget(&tx, *id)?;
                    tx.execute("DELETE FROM fts_file WHERE id = ?1", [id])?;
                }
                tx.commit()
            })??;
            *self.fts_files.locked() = None;
        }
        // What to read, and from where.
        let mut work = Vec::new();
        for t in targets {
            match known.get(&t.rel) {
                Some(f)
                    if f.size == t.stat.size
                        && f.mtime_ns == t.stat.mtime_ns
                        && f.ino == t.stat.ino =>
                {
                    report.done_files += 1;
                }
                Some(f)
                    if f.ino == t.stat.ino
                        && t.stat.size >= f.done_end
                        && ends_line(&t.path, f.done_end) =>
                {
                    report.total_bytes += t.stat.size - f.done_end;
                    work.push((t, Some(f.id), f.done_end, f.done_line));
                }
                Some(f) => {
                    report.total_bytes += t.stat.size;
                    work.push((t, Some(f.id), 0, 0));
                    self.with_cache(|conn| forget(conn, f.id))??;
                }
                None => {
                    report.total_bytes += t.stat.size;
                    work.push((t, None, 0, 0));
                }
            }
        }
        progress(report);
        if work.is_empty() {
            return Ok(report);
        }
        // Reading and extracting on one thread, writing on this one: the two overlap.
        let big = report.total_bytes >= BATCH_BYTES;
        if big {
            // The cache is disposable: a crash mid-build costs a rebuild, never the transcripts.
            self.with_cache(|c| c.execute_batch("PRAGMA synchronous = OFF"))??;
        }
        let written = std::thread::scope(|scope| -> Result<(), CoreError> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(BATCHES_IN_FLIGHT);
            let targets: Vec<(&Target, u64, u64)> = work
                .iter()
                .map(|(t, _, from, line)| (t, *from, *line))
                .collect();
            scope.spawn(move || {
                for (i, (t, from, line)) in targets.into_iter().enumerate() {
                    if !read_batches(i, t, from, line, &tx) {
                        return;
                    }
                }
            });
            let mut ids: Vec<Option<i64>> = work.iter().map(|(_, id, _, _)| *id).collect();
            for batch in rx {
                let (t, _, _, _) = &work[batch.target];
                let id = match ids[batch.target] {
                    Some(id) => id,
                    None => {
                        let id = self.with_cache(|conn| {
                            conn.query_row(
                                "INSERT INTO fts_file(rel, session_rel, size, mtime_ns, ino, done_end, done_line)
                                 VALUES (?1, ?2, 0, 0, 0, 0, 0) RETURNING id",
                                params![t.rel, t.session_rel],
                                |r| r.get::<_, i64>(0),
                            )
                        })??;
                        ids[batch.target] = Some(id);
                        *self.fts_files.locked() = None;
                        id
                    }
                };
                self.commit_batch(id, t, batch.end, batch.line, &batch.lines, batch.last)?;
                report.done_bytes += batch.bytes;
                if batch.last {
                    report.done_files += 1;
                }
                progress(report);
            }
            Ok(())
        });
        if big {
            self.with_cache(|c| c.execute_batch("PRAGMA synchronous = NORMAL"))??;
        }
        written?;
        Ok(report)
    }

    /// Writes a batch of lines and how far the file is indexed, in one transaction. The file's
    /// stat is recorded only with its last batch: a file whose update stopped midway is indexed
    /// again from its start by the next update (the files finished before it are kept).
    fn commit_batch(
        &self,
        id: i64,
        t: &Target,
        end: u64,
        line: u64,
        batch: &[(u64, u64, u64, Extracted)],
        last: bool,
    ) -> Result<(), CoreError> {
        self.with_cache(|conn| -> Result<(), rusqlite::Error> {
            let tx = conn.transaction()?;
            {
                let mut entry = tx.prepare_cached(
                    "INSERT INTO entry(fid, line, off, len, ts_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                let mut fts = tx.prepare_cached(
                    "INSERT INTO fts(rowid, prompt, reply, tool_in, tool_out) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for (line, off, len, e) in batch {
                    let ts = e.timestamp.as_deref().and_then(rfc3339_to_ms);
                    entry.execute(params![id, *line as i64, *off as i64, *len as i64, ts])?;
                    let rowid = tx.last_insert_rowid();
                    let [a, b, c, d] = e.columns();
                    fts.execute(params![rowid, a, b, c, d])?;
                }
            }
            let (size, mtime, ino) = if last {
                (t.stat.size, t.stat.mtime_ns, t.stat.ino)
            } else {
                (0, 0, 0)
            };
            tx.execute(
                "UPDATE fts_file SET done_end = ?2, done_line = ?3, size = ?4, mtime_ns = ?5, ino = ?6
                 WHERE id = ?1",
                params![id, end as i64, line as i64, size as i64, mtime, ino as i64],
            )?;
            tx.commit()
        })??;
        Ok(())
    }

    /// Runs `query` against the search index (as far as it is built) and groups the hits by
    /// session, best first, at most `limit` sessions. Sessions are those of the current listing
    /// ([`LiveIndex::snapshot`]; refresh first); `project:`, `branch:` and `model:` filter them.
    ///
    /// Errors: [`CoreError::InvalidInput`] for a query with nothing to find;
    /// [`CoreError::Index`] when the cache cannot be read.
    pub fn search(&self, query: &SearchQuery, limit: usize) -> Result<SearchResults, CoreError> {
        let m = query
            .fts_match()
            .map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let snapshot = match self.snapshot() {
            Some(s) => s,
            None => self.refresh_all()?.0,
        };
        let lookup = self.session_lookup(&snapshot);
        let complete = self
            .search_complete
            .load(std::sync::atomic::Ordering::Relaxed);
        if !complete {
            // The index may not exist yet (its build has not started).
            self.with_cache(prepare)??;
        }
        let mut rows =
            self.with_cache(|conn| query_rows(conn, &m, query.since_ms, query.until_ms))??;
        let names = self.file_names(rows.iter().map(|r| r.fid))?;
        let projects = paths::projects_dir(self.config_dir());
        let mut excluded: std::collections::HashSet<String> = match query.fts_excluded() {
            Some(x) => self
                .with_cache(|conn| matching_files(conn, &x))??
                .into_iter()
                .filter_map(|fid| names.get(&fid).map(|(_, s)| s.clone()))
                .collect(),
            None => Default::default(),
        };
        // While the index is built, the sessions it does not hold yet are read as they are
        // (their rows under negative file ids, named in `scanned`).
        let mut scanned = FileNames::new();
        if !complete {
            let all_names = self.file_names(std::iter::empty())?;
            scan_pending(
                &projects,
                &snapshot,
                query,
                &all_names,
                &mut scanned,
                &mut rows,
                &mut excluded,
            );
        }
        let name_of = |fid: i64| {
            if fid < 0 {
                scanned.get(&fid)
            } else {
                names.get(&fid)
            }
        };
        let truncated = rows.len() >= MAX_HITS;
        let now_ms = i64::try_from(crate::pool::now_ms()).unwrap_or(i64::MAX);
        // Group by session.
        let mut groups: HashMap<&str, Vec<Row>> = HashMap::new();
        for r in rows {
            if let Some((_, session_rel)) = name_of(r.fid) {
                groups.entry(session_rel.as_str()).or_default().push(r);
            }
        }
        let mut sessions = Vec::new();
        for (session_rel, mut hits) in groups {
            if excluded.contains(session_rel) {
                continue;
            }
            let Some(summary) = lookup.get(session_rel).and_then(|&(p, s)| {
                snapshot
                    .projects
                    .get(p as usize)
                    .and_then(|g| g.sessions.get(s as usize))
            }) else {
                continue;
            };
            if !matches_filters(summary, query) {
                continue;
            }
            for h in &mut hits {
                let age_days = h
                    .ts_ms
                    .map_or(365.0, |t| ((now_ms - t).max(0) as f64) / 86_400_000.0);
                h.score = -h.bm25 * (1.0 + 0.5 * 2f64.powf(-age_days / 30.0));
            }
            hits.sort_by(|a, b| b.score.total_cmp(&a.score));
            let best = hits.first().map_or(0.0, |h| h.score);
            let score = best + 0.25 * (1.0 + hits.len() as f64).ln();
            sessions.push((score, summary, hits));
        }
        sessions.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| b.1.last_activity_ms.cmp(&a.1.last_activity_ms))
                .then_with(|| a.1.key.cmp(&b.1.key))
        });
        sessions.truncate(limit);
        let terms = query.marked_words();
        let words = folded_words(&terms);
        // Snippets read the lines again: on every core, in order.
        let jobs: Vec<(usize, &Row, &(String, String))> = sessions
            .iter()
            .enumerate()
            .flat_map(|(i, (_, _, hits))| {
                hits.iter()
                    .take(HITS_PER_SESSION)
                    .filter_map(move |h| name_of(h.fid).map(|n| (i, h, n)))
            })
            .collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut made: Vec<(usize, usize, SearchHit)> =
            super::on_threads(super::default_threads(), jobs.len() >= 8, || {
                let mut out = Vec::new();
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&(i, h, name)) = jobs.get(k) else {
                        return out;
                    };
                    if let Some(x) = hit(&projects, h, name, &words) {
                        out.push((k, i, x));
                    }
                }
            })
            .into_iter()
            .flatten()
            .collect();
        // Each session's hits in their rank order.
        made.sort_by_key(|(k, _, _)| *k);
        let mut per_session: Vec<Vec<SearchHit>> = sessions.iter().map(|_| Vec::new()).collect();
        for (_, i, h) in made {
            per_session[i].push(h);
        }
        let sessions = sessions
            .into_iter()
            .zip(per_session)
            .map(|((score, session, hits), made)| SessionHits {
                hit_count: u32::try_from(hits.len()).unwrap_or(u32::MAX),
                hits: made,
                score,
                session: session.clone(),
            })
            .collect();
        Ok(SearchResults {
            sessions,
            terms,
            truncated,
            partial: !self
                .search_complete
                .load(std::sync::atomic::Ordering::Relaxed),
        })
    }
}

/// Makes the search tables (a cache of the first schema gains them) and clears them when the
/// extraction changed.
fn prepare(conn: &mut Connection) -> Result<(), rusqlite::Error> {
    conn.execute_batch(SEARCH_SCHEMA)?;
    let version: Option<i64> = conn
        .query_row("SELECT v FROM meta WHERE k = 'extract_version'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if version != Some(EXTRACT_VERSION) {
        let tx = conn.transaction()?;
        tx.execute_batch("DELETE FROM fts; DELETE FROM entry; DELETE FROM fts_file;")?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(k, v) VALUES ('extract_version', ?1)",
            [EXTRACT_VERSION],
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// The search tables.
const SEARCH_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS fts_file(
    id INTEGER PRIMARY KEY,
    rel TEXT NOT NULL UNIQUE,
    session_rel TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    done_end INTEGER NOT NULL,
    done_line INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS entry(
    id INTEGER PRIMARY KEY,
    fid INTEGER NOT NULL,
    line INTEGER NOT NULL,
    off INTEGER NOT NULL,
    len INTEGER NOT NULL,
    ts_ms INTEGER
);
CREATE INDEX IF NOT EXISTS entry_fid ON entry(fid);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    prompt, reply, tool_in, tool_out,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
";

fn load_files(conn: &mut Connection) -> Result<HashMap<String, Indexed>, rusqlite::Error> {
    let mut stmt =
        conn.prepare("SELECT rel, id, size, mtime_ns, ino, done_end, done_line FROM fts_file")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Indexed {
                id: r.get(1)?,
                size: r.get::<_, i64>(2)?.try_into().unwrap_or(0),
                mtime_ns: r.get(3)?,
                ino: r.get::<_, i64>(4)? as u64,
                done_end: r.get::<_, i64>(5)?.try_into().unwrap_or(0),
                done_line: r.get::<_, i64>(6)?.try_into().unwrap_or(0),
            },
        ))
    })?;
    rows.collect()
}

/// Deletes a file's rows from the search index (its `fts_file` row stays, reset to nothing
/// indexed).
fn forget(conn: &Connection, id: i64) -> Result<(), rusqlite::Error> {
    conn.execute(
        "DELETE FROM fts WHERE rowid IN (SELECT id FROM entry WHERE fid = ?1)",
        [id],
    )?;
    conn.execute("DELETE FROM entry WHERE fid = ?1", [id])?;
    conn.execute(
        "UPDATE fts_file SET done_end = 0, done_line = 0, size = 0, mtime_ns = 0, ino = 0 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// Whether the byte before `end` is a newline (what was indexed is still there), or `end` is 0.
fn ends_line(path: &Path, end: u64) -> bool {
    if end == 0 {
        return true;
    }
    let Ok(mut f) = open_regular(path) else {
        return false;
    };
    let mut b = [0u8; 1];
    f.seek(SeekFrom::Start(end - 1)).is_ok()
        && std::io::Read::read_exact(&mut f, &mut b).is_ok()
        && b[0] == b'\n'
}

/// Calls `found` with every `*.jsonl` under `dir`, `depth` levels down.
fn subagent_files(dir: &Path, depth: usize, found: &mut impl FnMut(&Path)) {
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => subagent_files(&path, depth - 1, found),
            Ok(t) if t.is_file() && path.extension().is_some_and(|x| x == "jsonl") => found(&path),
            _ => {}
        }
    }
}

/// Longest a search reads transcripts the index does not hold yet (while it is being built),
/// in ms: the newest sessions first, so that what was just written is found.
pub const SCAN_BUDGET_MS: u64 = 300;

/// The streaming scan: reads the main transcripts of the listed sessions that the search index
/// does not hold at all (`names` has no row for them), newest activity first, for at most
/// [`SCAN_BUDGET_MS`], and adds their matching lines to `rows` (at most [`MAX_HITS`] in all)
/// under new negative file ids named in `scanned`, and sessions with an excluded term to
/// `excluded`. Subagent transcripts are not scanned. A file that cannot be read is skipped.
fn scan_pending(
    projects: &Path,
    snapshot: &super::SessionIndex,
    query: &SearchQuery,
    names: &FileNames,
    scanned: &mut FileNames,
    rows: &mut Vec<Row>,
    excluded: &mut std::collections::HashSet<String>,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(SCAN_BUDGET_MS);
    let matcher = query.line_matcher();
    let indexed: std::collections::HashSet<&str> =
        names.values().map(|(rel, _)| rel.as_str()).collect();
    let mut pending: Vec<(&SessionSummary, String)> = snapshot
        .sessions()
        .map(|s| (s, format!("{}.jsonl", s.key)))
        .filter(|(_, rel)| !indexed.contains(rel.as_str()))
        .collect();
    pending.sort_by_key(|p| std::cmp::Reverse(p.0.last_activity_ms));
    let mut fid = -1i64;
    for (_, rel) in pending {
        if std::time::Instant::now() >= deadline || rows.len() >= MAX_HITS {
            break;
        }
        let Ok(file) = open_regular(&projects.join(&rel)) else {
            continue;
        };
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut buf = Vec::new();
        let (mut off, mut line) = (0u64, 0u64);
        let mut found = Vec::new();
        let mut drop_session = false;
        while let Some(n) = next_line(&mut reader, &mut buf) {
            if let Some(e) = extract(&buf[..buf.len() - 1]) {
                let cols = e.columns();
                if matcher.excludes(&cols) {
                    drop_session = true;
                    break;
                }
                if matcher.matches(&cols) {
                    let ts = e.timestamp.as_deref().and_then(rfc3339_to_ms);
                    let in_range = query.since_ms.is_none_or(|s| ts.is_some_and(|t| t >= s))
                        && query.until_ms.is_none_or(|u| ts.is_some_and(|t| t < u));
                    if in_range {
                        found.push(Row {
                            bm25: -1.0,
                            score: 0.0,
                            line,
                            off,
                            len: n - 1,
                            ts_ms: ts,
                            fid,
                        });
                    }
                }
            }
            off += n;
            line += 1;
            if line % 256 == 0 && std::time::Instant::now() >= deadline {
                break;
            }
        }
        if drop_session {
            excluded.insert(rel.clone());
        } else if !found.is_empty() {
            let room = MAX_HITS.saturating_sub(rows.len());
            rows.extend(found.into_iter().take(room));
        }
        scanned.insert(fid, (rel.clone(), rel));
        fid -= 1;
    }
}

/// One matching line, from the index.
struct Row {
    bm25: f64,
    score: f64,
    line: u64,
    off: u64,
    len: u64,
    ts_ms: Option<i64>,
    /// The file's `fts_file` id.
    fid: i64,
}

fn query_rows(
    conn: &mut Connection,
    m: &str,
    since: Option<i64>,
    until: Option<i64>,
) -> Result<Vec<Row>, rusqlite::Error> {
    // The newest matches first: rows are numbered in the order lines were indexed, oldest
    // transcripts first and appends after, so FTS5 walks its doclists backwards and stops at
    // the limit (a common word never costs a rank for every line that has it); bm25 is computed
    // for those rows only.
    let mut stmt = conn.prepare_cached(
        "SELECT bm25(fts, 4.0, 2.0, 1.5, 1.0), e.line, e.off, e.len, e.ts_ms, e.fid
         FROM fts JOIN entry e ON e.id = fts.rowid
         WHERE fts MATCH ?1
           AND (?2 IS NULL OR e.ts_ms >= ?2) AND (?3 IS NULL OR e.ts_ms < ?3)
         ORDER BY fts.rowid DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![m, since, until, MAX_HITS as i64], |r| {
        Ok(Row {
            bm25: r.get(0)?,
            score: 0.0,
            line: r.get::<_, i64>(1)?.try_into().unwrap_or(0),
            off: r.get::<_, i64>(2)?.try_into().unwrap_or(0),
            len: r.get::<_, i64>(3)?.try_into().unwrap_or(0),
            ts_ms: r.get(4)?,
            fid: r.get(5)?,
        })
    })?;
    rows.collect()
}

/// The files (`fts_file` ids) with a line matching `m`.
fn matching_files(conn: &mut Connection, m: &str) -> Result<Vec<i64>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT e.fid FROM fts JOIN entry e ON e.id = fts.rowid WHERE fts MATCH ?1",
    )?;
    let rows = stmt.query_map([m], |r| r.get::<_, i64>(0))?;
    rows.collect()
}

fn load_names(conn: &mut Connection) -> Result<FileNames, rusqlite::Error> {
    let mut stmt = conn.prepare_cached("SELECT id, rel, session_rel FROM fts_file")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    rows.collect()
}

impl LiveIndex {
    /// The search index's file names, loaded again when one of `fids` is not among them.
    fn file_names(&self, fids: impl Iterator<Item = i64>) -> Result<Arc<FileNames>, CoreError> {
        let mut slot = self.fts_files.locked();
        let mut fids = fids;
        if let Some(names) = slot.as_ref() {
            if fids.all(|f| names.contains_key(&f)) {
                return Ok(Arc::clone(names));
            }
        }
        let names = Arc::new(self.with_cache(load_names)??);
        *slot = Some(Arc::clone(&names));
        Ok(names)
    }

    /// The listing's sessions by transcript path, made once per snapshot.
    fn session_lookup(&self, snapshot: &Arc<super::SessionIndex>) -> Arc<SessionLookup> {
        let mut slot = self.lookup.locked();
        if let Some((of, lookup)) = slot.as_ref() {
            if Arc::ptr_eq(of, snapshot) {
                return Arc::clone(lookup);
            }
        }
        let mut lookup = SessionLookup::with_capacity(snapshot.scanned_files);
        for (p, g) in snapshot.projects.iter().enumerate() {
            for (i, s) in g.sessions.iter().enumerate() {
                lookup.insert(
                    format!("{}.jsonl", s.key),
                    (
                        u32::try_from(p).unwrap_or(u32::MAX),
                        u32::try_from(i).unwrap_or(u32::MAX),
                    ),
                );
            }
        }
        let lookup = Arc::new(lookup);
        *slot = Some((Arc::clone(snapshot), Arc::clone(&lookup)));
        lookup
    }
}

/// Whether a session passes the query's `project:`, `branch:` and `model:` filters.
fn matches_filters(s: &SessionSummary, q: &SearchQuery) -> bool {
    if let Some(p) = &q.project {
        let Some(path) = s.project_path.as_deref() else {
            return false;
        };
        let ok = if p.contains('/') || p.contains('\\') {
            let p = p.trim_end_matches(['/', '\\']);
            path == p
                || path
                    .strip_prefix(p)
                    .is_some_and(|r| r.starts_with(['/', '\\']))
        } else {
            path.to_lowercase().contains(&p.to_lowercase())
        };
        if !ok {
            return false;
        }
    }
    if let Some(b) = &q.branch {
        let branch = s.git_branch.as_deref().unwrap_or("");
        let ok = match b.strip_suffix('*') {
            Some(prefix) => branch.starts_with(prefix),
            None => branch == b,
        };
        if !ok {
            return false;
        }
    }
    if let Some(m) = &q.model {
        let model = s.model.as_deref().unwrap_or("").to_lowercase();
        if !model.contains(&m.to_lowercase()) {
            return false;
        }
    }
    true
}

/// A hit with its snippet, from the line read again; `None` when the line changed since it was
/// indexed (the next update indexes it again).
/// `names` is the file's (path, session transcript's path) under `projects`.
fn hit(
    projects: &Path,
    row: &Row,
    (rel, session_rel): &(String, String),
    words: &[Vec<char>],
) -> Option<SearchHit> {
    let path = projects.join(rel);
    let file = open_regular(&path).ok()?;
    let mut buf = vec![0u8; usize::try_from(row.len).ok()?];
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(&file, &mut buf, row.off).ok()?;
    #[cfg(not(unix))]
    {
        let mut f = &file;
        f.seek(SeekFrom::Start(row.off)).ok()?;
        std::io::Read::read_exact(&mut f, &mut buf).ok()?;
    }
    let e = extract(&buf)?;
    let kinds = [
        HitKind::Prompt,
        HitKind::Reply,
        HitKind::ToolInput,
        HitKind::ToolOutput,
    ];
    // The column with the first matched word; else the first with text.
    let cols = e.columns();
    let pick = (0..4)
        .find(|&i| first_match(cols[i], words).is_some())
        .or_else(|| (0..4).find(|&i| !cols[i].is_empty()))?;
    let (snippet, marks) = snippet(cols[pick], words);
    let subagent = (rel != session_rel).then(|| {
        Path::new(rel)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    Some(SearchHit {
        line: u32::try_from(row.line).unwrap_or(u32::MAX),
        uuid: e.uuid,
        timestamp: e.timestamp,
        kind: kinds[pick],
        subagent,
        snippet,
        marks,
    })
}

/// Word starts in `chars` (index of each word's first char) and where each word ends.
fn words_of(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_alphanumeric() {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// The words folded ([`fold`]), empty ones left out.
fn folded_words(words: &[String]) -> Vec<Vec<char>> {
    words
        .iter()
        .map(|w| w.chars().map(fold).collect::<Vec<char>>())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The byte offset of the first word of `text` that starts with one of `wanted` (folded).
/// Linear in the offset found: chars are folded only where a word starts, and only as far as
/// they match.
fn first_match(text: &str, wanted: &[Vec<char>]) -> Option<usize> {
    let mut in_word = false;
    for (at, c) in text.char_indices() {
        let alnum = c.is_alphanumeric();
        if alnum && !in_word {
            let rest = &text[at..];
            let starts = |w: &Vec<char>| {
                let mut chars = rest.chars();
                w.iter().all(|wc| {
                    chars
                        .next()
                        .is_some_and(|c| c.is_alphanumeric() && fold(c) == *wc)
                })
            };
            if wanted.iter().any(starts) {
                return Some(at);
            }
        }
        in_word = alnum;
    }
    None
}

/// A one-line window of `text` around its first match ([`SNIPPET_CHARS`] chars), with `…`
/// where it is cut, and the marks of every matched word in it, in UTF-16 units. Work is linear
/// in the first match's offset, whatever the text's length.
fn snippet(text: &str, wanted: &[Vec<char>]) -> (String, Vec<[u32; 2]>) {
    let first = first_match(text, wanted).unwrap_or(0);
    // Back a third of the window from the match, then forward a window's worth.
    let start = text[..first]
        .char_indices()
        .rev()
        .nth(SNIPPET_CHARS / 3 - 1)
        .map_or(0, |(i, _)| i);
    let window: Vec<char> = text[start..]
        .chars()
        .take(SNIPPET_CHARS)
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let end = start + window.iter().map(|c| c.len_utf8()).sum::<usize>();
    let folded: Vec<char> = window.iter().copied().map(fold).collect();
    let mut out = String::new();
    let mut units = 0u32;
    if start > 0 {
        out.push('…');
        units += 1;
    }
    // UTF-16 offset of each char of the window.
    let mut at = Vec::with_capacity(window.len() + 1);
    for c in &window {
        at.push(units);
        out.push(*c);
        units += u32::try_from(c.len_utf16()).unwrap_or(2);
    }
    at.push(units);
    if end < text.len() {
        out.push('…');
    }
    let mut marks = Vec::new();
    for (s, e) in words_of(&folded) {
        // A word cut by the window's start is not a match.
        if s == 0
            && start > 0
            && text[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        if let Some(w) = wanted
            .iter()
            .filter(|w| e - s >= w.len() && folded[s..s + w.len()] == w[..])
            .max_by_key(|w| w.len())
        {
            marks.push([at[s], at[s + w.len()]]);
        }
    }
    (out, marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_words_in_utf16_units_around_the_first_match() {
        let words = vec!["cafe".to_owned(), "naive".to_owned()];
        let (s, marks) = snippet("😀 a naïve\ncafé order", &folded_words(&words));
        assert_eq!(s, "😀 a naïve café order");
        let utf16: Vec<u16> = s.encode_utf16().collect();
        let marked: Vec<String> = marks
            .iter()
            .map(|[a, b]| String::from_utf16_lossy(&utf16[*a as usize..*b as usize]))
            .collect();
        assert_eq!(marked, vec!["naïve", "café"]);
        let long = format!("{} needle {}", "x ".repeat(200), "y ".repeat(200));
        let (s, marks) = snippet(&long, &folded_words(&["needle".to_owned()]));
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert_eq!(marks.len(), 1);
        assert!(s.chars().count() <= SNIPPET_CHARS + 2);
    }

    #[test]
    fn prefix_words_are_marked_by_their_prefix() {
        let (s, marks) = snippet("parsing the parser", &folded_words(&["pars".to_owned()]));
        let utf16: Vec<u16> = s.encode_utf16().collect();
        assert_eq!(marks.len(), 2);
        assert_eq!(
            String::from_utf16_lossy(&utf16[marks[0][0] as usize..marks[0][1] as usize]),
            "pars"
        );
    }
}
