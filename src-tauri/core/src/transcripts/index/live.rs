//! [`LiveIndex`]: the one session index of a config dir, kept current in place and remembered
//! between runs in a [`cache`](super::cache).
//!
//! A refresh lists the transcripts and stats each one (size, mtime, inode). A file whose three
//! are what the cache recorded is not opened; one that grew (same inode, was complete up to the
//! recorded end) has only its new lines read and folded in; any other change is read again with
//! the bounded read of a cold listing ([`SessionIndex::scan`]). Resumability is decided afresh
//! every time (a project dir may have gone).

use crate::sync::{LockExt, RwLockExt};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;

use super::cache::{self, Cache, CacheError, CachedFile};
use super::facts;
use super::{
    default_threads, group, list_all, on_threads, project_dirs, read_candidate, regroup,
    rfc3339_to_ms, summary_of, ArchivedSessions, Candidate, DirCache, FileRead, ProjectEntry,
    SessionIndex, SessionSummary, Worker, PARALLEL_MIN_FILES,
};
use crate::error::CoreError;
use crate::transcripts::paths;
use crate::transcripts::retention::Retention;

/// How a refresh found the transcripts, by count of files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RefreshStats {
    /// Files whose size, mtime and inode were as cached: not opened.
    pub unchanged: u32,
    /// Files that grew: only the new lines were read.
    pub appended: u32,
    /// Files read with the bounded read (new, rewritten, or no cache).
    pub reread: u32,
    /// Cached files that are gone.
    pub removed: u32,
    /// Whether the cache was used (false: none configured, busy, or unusable).
    pub cached: bool,
}

/// What a change to some transcripts did to the index, for the window: the summaries of the
/// sessions that changed or appeared, the keys of those that went, and the project list after.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct IndexDelta {
    /// Sessions that changed or appeared, as listed now.
    pub changed: Vec<SessionSummary>,
    /// [`SessionSummary::key`]s of sessions whose transcript is gone.
    pub removed: Vec<String>,
    /// Every project, newest first, as [`SessionIndex::project_entries`] lists them now.
    pub projects: Vec<ProjectEntry>,
}

/// A transcript's file state from one stat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stat {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, ns since the Unix epoch.
    pub mtime_ns: i64,
    /// Inode number (0 where the OS has none).
    pub ino: u64,
}

impl Stat {
    /// The stat of a regular file (links followed); `None` for anything else or an error.
    pub fn of(path: &Path) -> Option<Stat> {
        let m = std::fs::metadata(path).ok()?;
        if !m.is_file() {
            return None;
        }
        let (size, mtime_ns, ino) = paths::file_stamp(&m);
        Some(Stat {
            size,
            mtime_ns,
            ino,
        })
    }

    /// Whether the file is as it was when `k` was read.
    fn matches(&self, k: &Known) -> bool {
        let st = k.stamp();
        self.size == st.size && self.mtime_ns == st.mtime_ns && self.ino == st.ino
    }

    /// Whether the file may have grown by an append since `st` (same inode, larger, and it
    /// ended with a complete line then): only then are its facts worth reading back.
    fn may_have_grown_from(&self, st: &Stamp) -> bool {
        st.facts_end.is_some() && self.ino == st.ino && self.size > st.size
    }
}

/// A transcript's state when it was read: what tells a change apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    /// Size in bytes.
    size: u64,
    /// Modification time, ns since the Unix epoch.
    mtime_ns: i64,
    /// Inode number (0 where the OS has none).
    ino: u64,
    /// [`CachedFile::facts_end`].
    facts_end: Option<u64>,
}

impl Stamp {
    fn of(f: &CachedFile) -> Stamp {
        Stamp {
            size: f.size,
            mtime_ns: f.mtime_ns,
            ino: f.ino,
            facts_end: f.facts_end,
        }
    }
}

/// What the index remembers of one transcript between refreshes.
#[derive(Debug)]
enum Known {
    /// Everything read: not (yet) in the cache, or no cache in use.
    Read(Box<CachedFile>),
    /// Its row is in the cache and its session in the snapshot, so only its stamp is kept here
    /// (the facts of 10,000 sessions would cost MBs on top of the listing's); an append reads
    /// the row back ([`Known::with_facts`]).
    Stored(Stamp),
}

impl Known {
    fn stamp(&self) -> Stamp {
        match self {
            Known::Read(f) => Stamp::of(f),
            Known::Stored(st) => *st,
        }
    }

    /// Keeps only the stamp of facts the cache holds (a file that could not be stat'ed or read
    /// keeps everything: it is never cached).
    fn forget_facts(&mut self) {
        if let Known::Read(f) = self {
            if stats_known(f) {
                *self = Known::Stored(Stamp::of(f));
            }
        }
    }

    /// The facts read, if kept in memory.
    fn read(&self) -> Option<&CachedFile> {
        match self {
            Known::Read(f) => Some(f),
            Known::Stored(_) => None,
        }
    }

    /// Everything known of the transcript at `rel`, for folding in an append to a file that is
    /// now as `stat` says: kept in memory, or read back from its cache row (`None` when the row
    /// is gone or no longer the one stamped, or the file cannot have been appended to: it is
    /// read again then).
    fn with_facts(
        &self,
        rel: &str,
        stat: Option<Stat>,
        cache: Option<&Cache>,
    ) -> Option<std::borrow::Cow<'_, CachedFile>> {
        match self {
            Known::Read(f) => Some(std::borrow::Cow::Borrowed(f)),
            Known::Stored(st) => {
                if !stat?.may_have_grown_from(st) {
                    return None;
                }
                let row = cache?.load_one(rel).ok()??;
                (Stamp::of(&row) == *st).then_some(std::borrow::Cow::Owned(row))
            }
        }
    }
}

/// What the index holds between refreshes.
#[derive(Default)]
struct Inner {
    /// The open cache, if any.
    cache: Option<Cache>,
    /// What is known of each transcript, by its path under the projects dir (`<dir>/<id>.jsonl`);
    /// the cache's rows plus what this process read since.
    files: HashMap<String, Known>,
    /// Whether `files` was loaded from the cache (done once).
    loaded: bool,
}

/// The search index's files: `fts_file` id → (path under the projects dir, the session
/// transcript's path: the same for a session, the parent's for a subagent transcript).
pub(super) type FileNames = HashMap<i64, (String, String)>;

/// Sessions of a listing by their transcript's path under the projects dir → (project index,
/// session index) in [`SessionIndex::projects`].
pub(super) type SessionLookup = HashMap<String, (u32, u32)>;

/// The session index of one config dir, shared by the window, the tray and the headless
/// commands: [`LiveIndex::refresh_all`] brings it up to date with the transcripts on disk,
/// [`LiveIndex::apply_changes`] with a few changed files, [`LiveIndex::snapshot`] hands out the
/// current listing. Refreshes run one at a time.
pub struct LiveIndex {
    config_dir: PathBuf,
    cache_path: Option<PathBuf>,
    inner: Mutex<Inner>,
    snapshot: RwLock<Option<Arc<SessionIndex>>>,
    /// Held by a search index update, so that two never index the same file at once.
    pub(super) fts_lock: Mutex<()>,
    /// Whether a full [`LiveIndex::update_search`] has finished (searches are partial before).
    pub(super) search_complete: AtomicBool,
    /// The search index's files by row id (`fts_file`: id → (rel, session_rel)); `None` when
    /// it must be loaded again (a search update added or removed files).
    pub(super) fts_files: Mutex<Option<Arc<FileNames>>>,
    /// The listing's sessions by their transcript's path under the projects dir
    /// (`<dir>/<id>.jsonl` → (project, session) positions in the snapshot it was made from).
    pub(super) lookup: Mutex<Option<(Arc<SessionIndex>, Arc<SessionLookup>)>>,
    /// The transcripts a refresh found and their stats, kept for the first full search update
    /// (which would walk and stat them again a moment later); taken by it, or replaced.
    pub(super) last_walk: Mutex<Option<Walk>>,
    /// Whether the next refresh keeps its walk ([`LiveIndex::refresh_all_for_search`]).
    walk_wanted: AtomicBool,
    /// Whether facts the cache holds are dropped from memory ([`LiveIndex::set_lean`]).
    lean: AtomicBool,
    /// Where sessions whose transcript the CLI deleted are listed from ([`LiveIndex::set_archive`]).
    archive: RwLock<Option<Arc<dyn ArchivedSessions>>>,
}

/// What one walk of the projects dir found: when, and each transcript with its stat.
pub(super) struct Walk {
    pub at: std::time::Instant,
    pub files: Vec<(Candidate, Option<Stat>)>,
}

/// How old a refresh's [`Walk`] may be for a search update to use it instead of walking again,
/// in ms (what changed since is reported by the watcher).
pub(super) const WALK_REUSE_MS: u64 = 2_000;

impl LiveIndex {
    /// An index of `config_dir` remembered in the cache at `cache_path` (`None`: memory only).
    /// Does no I/O: the first refresh opens the cache and lists.
    pub fn new(config_dir: PathBuf, cache_path: Option<PathBuf>) -> LiveIndex {
        LiveIndex {
            config_dir,
            cache_path,
            inner: Mutex::default(),
            snapshot: RwLock::default(),
            fts_lock: Mutex::default(),
            search_complete: AtomicBool::new(false),
            fts_files: Mutex::default(),
            lookup: Mutex::default(),
            last_walk: Mutex::default(),
            walk_wanted: AtomicBool::new(false),
            lean: AtomicBool::new(false),
            archive: RwLock::default(),
        }
    }

    /// Lists the sessions `archive` holds whose transcript is gone, from the next refresh on
    /// (marked [`SessionSummary::archived`]); a transcript that goes while listed turns into its
    /// archived session then, instead of leaving the list. `None`: no more.
    pub fn set_archive(&self, archive: Option<Arc<dyn ArchivedSessions>>) {
        *self.archive.write_locked() = archive;
    }

    fn archive(&self) -> Option<Arc<dyn ArchivedSessions>> {
        self.archive.read_locked().clone()
    }

    /// [`LiveIndex::new`] with the cache at [`cache::default_path`] (in ccdesk's data dir).
    pub fn with_default_cache(config_dir: PathBuf) -> LiveIndex {
        let path = cache::default_path(&config_dir);
        LiveIndex::new(config_dir, path)
    }

    /// The config dir indexed.
    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    /// For an index that lives long (the window's): once a transcript's facts are in the cache,
    /// only its stamp stays in memory, and an append reads its row back (10,000 sessions: about
    /// 10 MB less). A short-lived process (`ccdesk list`) leaves it off: dropping the facts would
    /// cost it time for nothing.
    pub fn set_lean(&self, lean: bool) {
        self.lean.store(lean, Ordering::Relaxed);
    }

    /// [`LiveIndex::refresh_all`], keeping what it walked and stat'ed for the
    /// [`LiveIndex::update_search`] that follows within 2 s (which then need not walk the
    /// projects dir again).
    ///
    /// Errors: as [`LiveIndex::refresh_all`].
    pub fn refresh_all_for_search(&self) -> Result<(Arc<SessionIndex>, RefreshStats), CoreError> {
        self.walk_wanted.store(true, Ordering::Relaxed);
        self.refresh_all()
    }

    /// The current listing; `None` before the first refresh.
    pub fn snapshot(&self) -> Option<Arc<SessionIndex>> {
        self.snapshot.read_locked().clone()
    }

    /// Brings the whole index up to date with the transcripts on disk and returns it.
    ///
    /// Errors: [`CoreError::Io`] only when the projects dir exists but cannot be listed (as
    /// [`SessionIndex::scan`]); a cache that cannot be used is never an error.
    pub fn refresh_all(&self) -> Result<(Arc<SessionIndex>, RefreshStats), CoreError> {
        let mut inner = self.inner.locked();
        let threads = default_threads();
        // The cache opens and loads (the first time) while the transcripts are listed and
        // stat'ed: the two take about as long on a warm start.
        let inner_ref: &mut Inner = &mut inner;
        let (cached, listed) = std::thread::scope(|scope| {
            let loader = scope.spawn(|| self.prepare_cache(inner_ref));
            let listed = project_dirs(&self.config_dir).map(|dirs| {
                let (candidates, errors) = list_all(&dirs, threads);
                let stats = stat_all(&candidates, threads);
                (candidates, errors, stats)
            });
            (loader.join().unwrap_or(false), listed)
        });
        let (candidates, errors, stats) = listed?;
        if self.walk_wanted.swap(false, Ordering::Relaxed) {
            *self.last_walk.locked() = Some(Walk {
                at: std::time::Instant::now(),
                files: candidates
                    .iter()
                    .cloned()
                    .zip(stats.iter().copied())
                    .collect(),
            });
        }
        // Sessions whose transcript is unchanged and whose facts are only in the cache are
        // listed as the last listing had them.
        let prev = self.snapshot();
        let prev_by_key: HashMap<&str, &SessionSummary> = prev
            .iter()
            .flat_map(|index| index.sessions())
            .map(|s| (s.key.as_str(), s))
            .collect();
        let mut counts = RefreshStats {
            cached,
            ..RefreshStats::default()
        };
        // Work out what to read; what is unchanged moves out of the old map, so what is left
        // there afterwards is what changed or went.
        let mut old = std::mem::take(&mut inner.files);
        let mut jobs = Vec::new();
        let mut kept: Vec<Option<Kept<'_>>> = Vec::with_capacity(candidates.len());
        for (i, (c, stat)) in candidates.iter().zip(&stats).enumerate() {
            let r = rel(c);
            let unchanged = match (stat, old.get(&r)) {
                (Some(s), Some(k)) if s.matches(k) => match k {
                    Known::Read(_) => match old.remove(&r) {
                        Some(Known::Read(f)) => Some(Kept::File(f)),
                        _ => None,
                    },
                    Known::Stored(st) => prev_by_key
                        .get(super::session_key(&c.dir_name, &c.id).as_str())
                        .map(|s| Kept::Listed(s, *st)),
                },
                _ => None,
            };
            if unchanged.is_some() {
                counts.unchanged += 1;
            } else {
                jobs.push(i);
                // An append to a file whose facts are only in the cache needs them back.
                if let Some(k @ Known::Stored(_)) = old.get(&r) {
                    let full = k
                        .with_facts(&r, *stat, inner.cache.as_ref())
                        .map(std::borrow::Cow::into_owned);
                    match full {
                        Some(f) => old.insert(r, Known::Read(Box::new(f))),
                        None => old.remove(&r),
                    };
                }
            }
            kept.push(unchanged);
        }
        let results = read_jobs(&candidates, &stats, &jobs, &old, threads);
        let mut changed = vec![false; candidates.len()];
        for (i, file, appended) in results {
            if appended {
                counts.appended += 1;
            } else {
                counts.reread += 1;
            }
            kept[i] = Some(Kept::File(Box::new(file)));
            changed[i] = true;
        }
        // Summaries, and what the cache must learn.
        let retention = Retention::read(&self.config_dir);
        let mut dirs = DirCache::new(retention.clone());
        let mut summaries = Vec::with_capacity(candidates.len());
        let mut rels = Vec::with_capacity(candidates.len());
        for ((c, kept), changed) in candidates.into_iter().zip(kept).zip(changed) {
            let Some(kept) = kept else { continue };
            let r = rel(&c);
            // What is left in `old` afterwards is what went.
            old.remove(&r);
            let known = match kept {
                Kept::File(f) => {
                    summaries.push(summary_of(c, &f.read, &mut dirs));
                    Known::Read(f)
                }
                Kept::Listed(prev, st) => {
                    summaries.push(super::relisted(prev, &mut dirs));
                    Known::Stored(st)
                }
            };
            rels.push((r, known, changed));
        }
        let gone: Vec<String> = old.into_keys().collect();
        counts.removed = count(gone.len());
        let scanned_files = summaries.len();
        if let Some(archive) = self.archive() {
            let listed: HashSet<&str> = summaries.iter().map(|s| s.key.as_str()).collect();
            let archived = archive.archived_sessions(&self.config_dir, &listed);
            summaries.extend(archived);
        }
        let index = Arc::new(SessionIndex {
            config_dir: self.config_dir.clone(),
            projects: group(vec![summaries]),
            scanned_files,
            errors,
            retention,
            profiles: Vec::new(),
        });
        *self.snapshot.write_locked() = Some(Arc::clone(&index));
        // Remember: memory first, then the cache (its failure loses nothing).
        let mut files = HashMap::with_capacity(rels.len());
        let mut to_store = Vec::new();
        for (r, k, changed) in rels {
            if changed && k.read().is_some_and(stats_known) {
                to_store.push(r.clone());
            }
            files.insert(r, k);
        }
        inner.files = files;
        let gone_refs: Vec<&str> = gone.iter().map(String::as_str).collect();
        let store_refs: Vec<&str> = to_store.iter().map(String::as_str).collect();
        let stored = write_cache(&mut inner, &store_refs, &gone_refs);
        if stored && self.lean.load(Ordering::Relaxed) {
            // Every file read is in the cache now: those loaded from it and those just written.
            // (A row a busy cache missed earlier differs from its stamp: read again if asked.)
            inner.files.values_mut().for_each(Known::forget_facts);
        }
        Ok((index, counts))
    }

    /// Brings the index up to date with changes to these paths (as the watcher reports them:
    /// transcripts `<projects>/<dir>/<id>.jsonl`, and subagent transcripts under
    /// `<projects>/<dir>/<id>/`, which count for their session). Other paths are ignored.
    /// Before the first refresh this is [`LiveIndex::refresh_all`] (every session then counts
    /// as changed).
    ///
    /// Errors: as [`LiveIndex::refresh_all`].
    pub fn apply_changes(&self, paths: &[PathBuf]) -> Result<IndexDelta, CoreError> {
        let Some(before) = self.snapshot() else {
            let (index, _) = self.refresh_all()?;
            return Ok(IndexDelta {
                changed: index.sessions().cloned().collect(),
                removed: Vec::new(),
                projects: index.project_entries().projects,
            });
        };
        let projects_dir = paths::projects_dir(&self.config_dir);
        let mut sessions: Vec<PathBuf> = paths
            .iter()
            .filter_map(|p| session_transcript(&projects_dir, p))
            .collect();
        sessions.sort();
        sessions.dedup();
        let mut inner = self.inner.locked();
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        let mut store = Vec::new();
        let mut gone = Vec::new();
        let mut worker = Worker::new(&before.retention);
        let archive = self.archive();
        for path in sessions {
            let c = Candidate::from_path(&path);
            let r = rel(&c);
            let exists = std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir());
            if !exists {
                if inner.files.remove(&r).is_some() {
                    gone.push(r);
                }
                let key = super::session_key(&c.dir_name, &c.id);
                // Deleted (by the CLI's clean-up, say) with a copy in the vault: listed from there.
                match archive
                    .as_ref()
                    .and_then(|a| a.archived_session(&self.config_dir, &key))
                {
                    Some(archived) => changed.push(archived),
                    None => removed.push(key),
                }
                continue;
            }
            let stat = Stat::of(&path);
            let (file, _) = {
                let old = inner
                    .files
                    .get(&r)
                    .and_then(|k| k.with_facts(&r, stat, inner.cache.as_ref()));
                read_one(&c, stat, old.as_deref(), &mut worker)
            };
            changed.push(summary_of(c, &file.read, &mut worker.dirs));
            if stats_known(&file) {
                store.push(r.clone());
            }
            inner.files.insert(r, Known::Read(Box::new(file)));
        }
        // The new listing: the old one with these sessions replaced, added or dropped (only
        // their groups are copied).
        let drop: HashSet<&str> = changed
            .iter()
            .map(|s| s.key.as_str())
            .chain(removed.iter().map(String::as_str))
            .collect();
        let (projects, listed) = regroup(&before.projects, &drop, changed.clone());
        let removed: Vec<String> = removed
            .iter()
            .filter(|k| listed.contains(k.as_str()))
            .cloned()
            .collect();
        let scanned_files = projects.iter().map(|p| p.sessions.len()).sum();
        let index = Arc::new(SessionIndex {
            config_dir: self.config_dir.clone(),
            projects,
            scanned_files,
            errors: before.errors.clone(),
            retention: before.retention.clone(),
            profiles: Vec::new(),
        });
        *self.snapshot.write_locked() = Some(Arc::clone(&index));
        let store_refs: Vec<&str> = store.iter().map(String::as_str).collect();
        let gone_refs: Vec<&str> = gone.iter().map(String::as_str).collect();
        let stored = write_cache(&mut inner, &store_refs, &gone_refs);
        if stored && self.lean.load(Ordering::Relaxed) {
            for r in &store {
                if let Some(k) = inner.files.get_mut(r) {
                    k.forget_facts();
                }
            }
        }
        Ok(IndexDelta {
            changed,
            removed,
            projects: index.project_entries().projects,
        })
    }

    /// Runs `f` on the cache's connection (opening the cache first if need be).
    ///
    /// Errors: [`CoreError::Index`] when there is no usable cache (none configured, busy, or
    /// it cannot be made).
    pub(super) fn with_cache<T>(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> T,
    ) -> Result<T, CoreError> {
        let mut inner = self.inner.locked();
        if !self.prepare_cache(&mut inner) {
            return Err(CoreError::Index(
                "no usable index cache (none configured, or another process holds it)".into(),
            ));
        }
        let cache = inner
            .cache
            .as_mut()
            .ok_or_else(|| CoreError::Index("no usable index cache".into()))?;
        Ok(f(cache.conn()))
    }

    /// Opens the cache and loads what it knows, once; tries again at each refresh while it is
    /// busy. Returns whether a cache is in use.
    fn prepare_cache(&self, inner: &mut Inner) -> bool {
        if inner.cache.is_none() {
            let Some(path) = &self.cache_path else {
                return false;
            };
            match Cache::open(path, &self.config_dir) {
                Ok(c) => inner.cache = Some(c),
                Err(CacheError::Busy) => {
                    tracing::info!("the index cache is busy; listing from memory this time");
                    return false;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "listing without the index cache");
                    return false;
                }
            }
        }
        if !inner.loaded {
            let Some(cache) = inner.cache.take() else {
                return false;
            };
            let loaded = match cache.load() {
                Ok(files) => Ok((cache, files)),
                Err(e) => {
                    tracing::warn!(error = %e, "the index cache cannot be read; making it again");
                    cache.reset().map(|c| (c, HashMap::new()))
                }
            };
            match loaded {
                Ok((cache, files)) => {
                    inner.cache = Some(cache);
                    // What this process read before the cache opened stays (it is newer).
                    for (k, v) in files {
                        inner.files.entry(k).or_insert(Known::Read(Box::new(v)));
                    }
                    inner.loaded = true;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "listing without the index cache");
                    return false;
                }
            }
        }
        true
    }
}

/// Writes what changed to the cache. A busy cache is skipped (the next refresh writes again: the
/// rows stay marked by their stats); any other failure makes the cache again and writes every
/// file whose facts are in memory (the others are forgotten, so they are read again). Returns
/// whether the cache holds the `changed` rows now.
fn write_cache(inner: &mut Inner, changed: &[&str], removed: &[&str]) -> bool {
    let Inner { cache, files, .. } = inner;
    let Some(c) = cache.as_mut() else {
        return false;
    };
    let rows: Vec<(&str, &CachedFile)> = changed
        .iter()
        .filter_map(|r| files.get(*r).and_then(Known::read).map(|f| (*r, f)))
        .collect();
    match c.store(&rows, removed) {
        Ok(()) => true,
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ) =>
        {
            tracing::info!("the index cache is busy; not written this time");
            // Read again next time rather than trusting a cache that missed this write.
            inner.loaded = false;
            inner.cache = None;
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot write the index cache; making it again");
            let Some(old) = cache.take() else {
                return false;
            };
            // Files whose facts were only in the old cache are read again when next asked.
            files.retain(|_, k| k.read().is_some());
            match old.reset() {
                Ok(mut fresh) => {
                    let all: Vec<(&str, &CachedFile)> = files
                        .iter()
                        .filter_map(|(r, k)| k.read().map(|f| (r.as_str(), f)))
                        .filter(|(_, f)| stats_known(f))
                        .collect();
                    if let Err(e) = fresh.store(&all, &[]) {
                        tracing::warn!(error = %e, "cannot write the index cache");
                        false
                    } else {
                        *cache = Some(fresh);
                        true
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "listing without the index cache");
                    false
                }
            }
        }
    }
}

/// Whether a file's row may be cached: only files that could be stat'ed (a FIFO, a dangling link
/// or an unreadable file is looked at again each time, which costs nothing).
fn stats_known(f: &CachedFile) -> bool {
    f.read.error.is_none() && f.mtime_ns != 0
}

/// A transcript that a refresh found unchanged.
enum Kept<'a> {
    /// Its facts are in memory.
    File(Box<CachedFile>),
    /// Its facts are only in the cache: listed as the last listing had it.
    Listed(&'a SessionSummary, Stamp),
}

/// A candidate's path under the projects dir: `<dir>/<id>.jsonl`.
fn rel(c: &Candidate) -> String {
    format!("{}/{}.jsonl", c.dir_name, c.id)
}

/// The session transcript a changed path belongs to: itself for `<projects>/<dir>/<id>.jsonl`
/// (not an old build's `agent-*.jsonl`), its session's for anything under
/// `<projects>/<dir>/<id>/`; `None` for anything else.
fn session_transcript(projects_dir: &Path, path: &Path) -> Option<PathBuf> {
    let rest = path.strip_prefix(projects_dir).ok()?;
    let mut parts = rest.components();
    let dir = parts.next()?.as_os_str();
    let second = parts.next()?.as_os_str().to_str()?;
    let deeper = parts.next().is_some();
    let id = if deeper {
        second
    } else {
        second
            .strip_suffix(".jsonl")
            .filter(|id| !id.starts_with("agent-"))?
    };
    if id.is_empty() {
        return None;
    }
    Some(projects_dir.join(dir).join(format!("{id}.jsonl")))
}

/// Stats every candidate, on `threads` threads; `None` where the stat fails or the path is no
/// regular file.
pub(super) fn stat_all(candidates: &[Candidate], threads: usize) -> Vec<Option<Stat>> {
    let next = AtomicUsize::new(0);
    const BATCH: usize = 64;
    let work = || {
        let mut out = Vec::new();
        loop {
            let start = next.fetch_add(BATCH, Ordering::Relaxed);
            if start >= candidates.len() {
                return out;
            }
            let end = (start + BATCH).min(candidates.len());
            for (i, c) in candidates[start..end].iter().enumerate() {
                let stat = match c.regular {
                    Some(false) => None,
                    _ => Stat::of(&c.path),
                };
                out.push((start + i, stat));
            }
        }
    };
    let mut stats = vec![None; candidates.len()];
    for part in on_threads(threads, candidates.len() >= PARALLEL_MIN_FILES, work) {
        for (i, s) in part {
            stats[i] = s;
        }
    }
    stats
}

/// Reads the candidates at `jobs` (changed or new files) on `threads` threads. Returns, per job,
/// its candidate index, what is now known of it, and whether only an append was read.
fn read_jobs(
    candidates: &[Candidate],
    stats: &[Option<Stat>],
    jobs: &[usize],
    known: &HashMap<String, Known>,
    threads: usize,
) -> Vec<(usize, CachedFile, bool)> {
    let next = AtomicUsize::new(0);
    // Only reads here: the summaries (and their expiry) are made by the caller.
    let retention = Retention::default();
    let work = || {
        let mut worker = Worker::new(&retention);
        let mut out = Vec::new();
        loop {
            let j = next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = jobs.get(j) else {
                return out;
            };
            let c = &candidates[i];
            let old = known.get(&rel(c)).and_then(Known::read);
            let (file, appended) = read_one(c, stats[i], old, &mut worker);
            out.push((i, file, appended));
        }
    };
    on_threads(threads, jobs.len() >= PARALLEL_MIN_FILES, work)
        .into_iter()
        .flatten()
        .collect()
}

/// Brings one changed file up to date: folds in only its new lines when it grew from a complete
/// end under the same inode, else reads it with the bounded read. Returns what is known now and
/// whether it was an append.
fn read_one(
    c: &Candidate,
    stat: Option<Stat>,
    old: Option<&CachedFile>,
    worker: &mut Worker,
) -> (CachedFile, bool) {
    if let (Some(s), Some(old)) = (stat, old) {
        if let Some(file) = fold_append(c, s, old) {
            return (file, true);
        }
    }
    let read = read_candidate(c, worker);
    let facts_end = (read.ends_complete && read.error.is_none()).then_some(read.size);
    let s = stat.unwrap_or(Stat {
        size: read.size,
        mtime_ns: 0,
        ino: 0,
    });
    (
        CachedFile {
            size: s.size,
            mtime_ns: s.mtime_ns,
            ino: s.ino,
            facts_end,
            read,
        },
        false,
    )
}

/// The append path of [`read_one`]: `None` when the change is not a plain append.
fn fold_append(c: &Candidate, s: Stat, old: &CachedFile) -> Option<CachedFile> {
    let end = old.facts_end?;
    // Grown, under the same inode (same size with a new mtime may be a rewrite: read again).
    if s.ino != old.ino || s.size < end || s.size <= old.size || old.read.error.is_some() {
        return None;
    }
    let file = crate::transcripts::paths::open_regular(&c.path).ok()?;
    let mut facts = old.read.facts.clone();
    let new_end = facts::read_appended(&file, end, s.size, &mut facts).ok()??;
    let last_activity_ms = facts
        .last_timestamp
        .as_deref()
        .and_then(rfc3339_to_ms)
        .or(Some(s.mtime_ns / 1_000_000));
    let sidechains = c.sidechains();
    Some(CachedFile {
        size: s.size,
        mtime_ns: s.mtime_ns,
        ino: s.ino,
        facts_end: Some(new_end),
        read: FileRead {
            facts,
            size: s.size,
            ends_complete: new_end == s.size,
            last_activity_ms,
            modified_ms: Some(s.mtime_ns / 1_000_000),
            sidechains,
            error: None,
        },
    })
}

/// `n` as a count field (saturating).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
