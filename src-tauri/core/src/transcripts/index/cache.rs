//! The index's memory between runs: one SQLite database per config dir, in ccdesk's data dir
//! (never under the CLI's config dir), holding per transcript its path, size, mtime and inode
//! and the facts the list shows.
//!
//! The cache is disposable. A database that is corrupt, not a database, or of another schema
//! version is deleted and made again from the transcripts ([`Cache::open`], [`Cache::reset`]);
//! one that another process holds locked past [`BUSY_TIMEOUT_MS`] is left alone and the index
//! works from memory until the next refresh. The user loses nothing either way.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OpenFlags};

use super::facts::Facts;
use super::FileRead;

/// The schema this build reads and writes (`PRAGMA user_version`); any other is rebuilt.
pub const SCHEMA_VERSION: i32 = 1;

/// The version of the facts a row holds (of the bounded read, `facts.rs`): rows written by a
/// build with another are read again from their transcripts, the search tables kept. 2: the
/// newest line's timestamp is found from its end (before, a long newest line gave an older one).
pub const FACTS_VERSION: i64 = 2;

/// How long a statement waits for another process's write lock, in ms.
pub const BUSY_TIMEOUT_MS: u64 = 250;

/// Where the cache of `config_dir` lives: `<ccdesk data dir>/index/<key>.sqlite`, `<key>` the config
/// dir's [`crate::store::config_dir_key`], so each config dir has its own. `None` when
/// the OS names no data dir.
pub fn default_path(config_dir: &Path) -> Option<PathBuf> {
    let key = crate::store::config_dir_key(config_dir);
    Some(
        crate::store::data_dir()?
            .join("index")
            .join(format!("{key}.sqlite")),
    )
}

/// What the cache keeps of one transcript: the file's state when it was read, and what was read.
#[derive(Debug, Clone)]
pub(super) struct CachedFile {
    /// Size in bytes when read.
    pub size: u64,
    /// Modification time in ns since the Unix epoch when read.
    pub mtime_ns: i64,
    /// Inode number (0 where the OS has none): a new one means a new file under the old name.
    pub ino: u64,
    /// Where the lines folded into `facts` end (just after a newline); `None` when the file did
    /// not end with a complete line, so a change is read again rather than folded in.
    pub facts_end: Option<u64>,
    /// What was read (its `size` is the file's size when read).
    pub read: FileRead,
}

/// Why the cache is not usable right now.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Another process holds the database locked (a running ccdesk writing it): left alone.
    #[error("the index cache is busy (another ccdesk is writing it)")]
    Busy,
    /// The database could not be opened or made, even afresh.
    #[error("the index cache cannot be used: {0}")]
    Unusable(String),
}

impl From<rusqlite::Error> for CacheError {
    fn from(e: rusqlite::Error) -> Self {
        if is_busy(&e) {
            CacheError::Busy
        } else {
            CacheError::Unusable(e.to_string())
        }
    }
}

/// True for "another connection holds the lock" errors, which never justify a rebuild.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// An open cache database.
pub(super) struct Cache {
    conn: Connection,
    path: PathBuf,
    config_dir: String,
}

impl Cache {
    /// Opens (or makes) the cache at `path` for `config_dir`. A file that is not a usable cache
    /// of this schema and config dir is deleted (with its `-wal` and `-shm`) and made again.
    ///
    /// Errors: [`CacheError::Busy`] when another process holds it locked (nothing is deleted
    /// then); [`CacheError::Unusable`] when even a fresh file cannot be made.
    pub fn open(path: &Path, config_dir: &Path) -> Result<Cache, CacheError> {
        let config_dir = config_dir.to_string_lossy().into_owned();
        match Cache::open_checked(path, &config_dir) {
            Ok(c) => Ok(c),
            Err(e) if is_busy(&e) => Err(CacheError::Busy),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "the index cache is not usable; making it again");
                remove_files(path);
                Ok(Cache::open_checked(path, &config_dir)?)
            }
        }
    }

    /// Opens the file, sets it up, and makes the schema when the file is new; fails on a file
    /// that is not this schema's cache of this config dir.
    fn open_checked(path: &Path, config_dir: &str) -> Result<Cache, rusqlite::Error> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some(format!("cannot make {}: {e}", parent.display())),
                )
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_millis(BUSY_TIMEOUT_MS))?;
        let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        if version == 0 {
            conn.execute_batch(SCHEMA)?;
            conn.execute(
                "INSERT OR REPLACE INTO meta(k, v) VALUES ('config_dir', ?1)",
                [config_dir],
            )?;
            conn.execute(
                "INSERT OR REPLACE INTO meta(k, v) VALUES ('facts', ?1)",
                [FACTS_VERSION],
            )?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        } else if version != SCHEMA_VERSION {
            return Err(mismatch(format!(
                "schema version {version}, this build reads {SCHEMA_VERSION}"
            )));
        }
        let owner: Option<String> = conn
            .query_row("SELECT v FROM meta WHERE k = 'config_dir'", [], |r| {
                r.get(0)
            })
            .ok();
        if owner.as_deref() != Some(config_dir) {
            return Err(mismatch(format!(
                "made for config dir {owner:?}, not {config_dir}"
            )));
        }
        let facts: Option<i64> = conn
            .query_row("SELECT v FROM meta WHERE k = 'facts'", [], |r| r.get(0))
            .ok();
        if facts != Some(FACTS_VERSION) {
            let tx = conn.unchecked_transaction()?;
            tx.execute("DELETE FROM transcript", [])?;
            tx.execute(
                "INSERT OR REPLACE INTO meta(k, v) VALUES ('facts', ?1)",
                [FACTS_VERSION],
            )?;
            tx.commit()?;
        }
        Ok(Cache {
            conn,
            path: path.to_path_buf(),
            config_dir: config_dir.to_owned(),
        })
    }

    /// The connection, for the search tables ([`super::fts`]).
    pub fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Deletes the database and makes it again, empty (after a read found it corrupt).
    ///
    /// Errors: as [`Cache::open`].
    pub fn reset(self) -> Result<Cache, CacheError> {
        let Cache {
            conn,
            path,
            config_dir,
        } = self;
        drop(conn);
        remove_files(&path);
        Ok(Cache::open_checked(&path, &config_dir)?)
    }

    /// Every transcript the cache knows, by its path relative to the projects dir.
    ///
    /// Errors: SQLite errors (a corrupt file shows here: [`Cache::reset`] it).
    pub fn load(&self) -> Result<HashMap<String, CachedFile>, rusqlite::Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT rel, size, mtime_ns, ino, facts_end, data FROM transcript")?;
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM transcript", [], |r| r.get(0))?;
        let mut rows = stmt.query([])?;
        let mut out = HashMap::with_capacity(usize::try_from(count).unwrap_or(0));
        while let Some(r) = rows.next()? {
            // A row this build cannot decode is left out: its file is read again.
            if let Some(file) = decode(r)? {
                out.insert(r.get::<_, String>(0)?, file);
            }
        }
        Ok(out)
    }

    /// The one transcript at `rel` (its path relative to the projects dir), if the cache knows
    /// it and can decode its row.
    ///
    /// Errors: SQLite errors.
    pub fn load_one(&self, rel: &str) -> Result<Option<CachedFile>, rusqlite::Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT rel, size, mtime_ns, ino, facts_end, data FROM transcript WHERE rel = ?1",
        )?;
        let mut rows = stmt.query([rel])?;
        match rows.next()? {
            Some(r) => decode(r),
            None => Ok(None),
        }
    }

    /// Writes the transcripts read again and forgets the ones gone, in one transaction.
    ///
    /// Errors: SQLite errors; nothing is written then.
    pub fn store(
        &mut self,
        changed: &[(&str, &CachedFile)],
        removed: &[&str],
    ) -> Result<(), rusqlite::Error> {
        if changed.is_empty() && removed.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut del = tx.prepare_cached("DELETE FROM transcript WHERE rel = ?1")?;
            for rel in removed {
                del.execute([rel])?;
            }
            let mut put = tx.prepare_cached(
                "INSERT INTO transcript(rel, size, mtime_ns, ino, facts_end, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(rel) DO UPDATE SET size = excluded.size,
                    mtime_ns = excluded.mtime_ns, ino = excluded.ino,
                    facts_end = excluded.facts_end, data = excluded.data",
            )?;
            let mut data = Vec::new();
            for (rel, f) in changed {
                data.clear();
                let stored = StoredRef {
                    facts: &f.read.facts,
                    last_activity_ms: f.read.last_activity_ms,
                    sidechains: f.read.sidechains,
                    error: f.read.error.as_deref(),
                };
                serde_json::to_writer(&mut data, &stored)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                put.execute(params![
                    rel,
                    i64::try_from(f.size).unwrap_or(i64::MAX),
                    f.mtime_ns,
                    f.ino as i64,
                    f.facts_end.and_then(|e| i64::try_from(e).ok()),
                    data,
                ])?;
            }
        }
        tx.commit()
    }
}

/// A `transcript` row (`rel, size, mtime_ns, ino, facts_end, data`) as known; `None` when its
/// data is not what this build writes.
fn decode(r: &rusqlite::Row<'_>) -> Result<Option<CachedFile>, rusqlite::Error> {
    let Ok(stored) = serde_json::from_slice::<Stored>(r.get_ref(5)?.as_bytes()?) else {
        return Ok(None);
    };
    let size: u64 = r.get::<_, i64>(1)?.try_into().unwrap_or(0);
    let facts_end = r
        .get::<_, Option<i64>>(4)?
        .and_then(|e| u64::try_from(e).ok());
    let mtime_ns: i64 = r.get(2)?;
    Ok(Some(CachedFile {
        size,
        mtime_ns,
        ino: r.get::<_, i64>(3)? as u64,
        facts_end,
        read: FileRead {
            facts: stored.facts,
            size,
            ends_complete: facts_end == Some(size),
            last_activity_ms: stored.last_activity_ms,
            modified_ms: Some(mtime_ns / 1_000_000),
            sidechains: stored.sidechains,
            error: stored.error,
        },
    }))
}

/// What a row's `data` holds (JSON): the facts read, and what the summary takes besides.
#[derive(serde::Deserialize)]
struct Stored {
    facts: Facts,
    last_activity_ms: Option<i64>,
    sidechains: usize,
    error: Option<String>,
}

/// [`Stored`], borrowed, for writing.
#[derive(serde::Serialize)]
struct StoredRef<'a> {
    facts: &'a Facts,
    last_activity_ms: Option<i64>,
    sidechains: usize,
    error: Option<&'a str>,
}

/// The first version's tables. `transcript.id` is the stable row id later tables refer to.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v ANY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS transcript(
    id INTEGER PRIMARY KEY,
    rel TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    facts_end INTEGER,
    data BLOB NOT NULL
);
";

/// An error meaning "this file is not our cache": the caller deletes and remakes it.
fn mismatch(why: String) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
        Some(why),
    )
}

/// Deletes the database and its WAL and shared-memory files (missing ones are fine).
fn remove_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(path = %p.display(), error = %e, "cannot delete"),
        }
    }
}
