//! The transcript vault: ccdesk's own compressed copy of every transcript, kept against the CLI's
//! clean-up (see [`crate::transcripts::retention`]), opened when the CLI has deleted the original,
//! and restored byte for byte on request.
//!
//! Layout, in ccdesk's data dir (never under the CLI's config dir):
//! - `vault/<config dir key>/<project dir>/<id>.jsonl.zst`, and every regular file under
//!   `<project dir>/<id>/` (subagent transcripts and their `.meta.json`) as `<rel>.zst`;
//! - `vault/vault.sqlite`: per file, how many source bytes the copy holds and how long the copy
//!   is; per session, its summary as last listed (what the list shows once the transcript is
//!   gone).
//!
//! A copy is a series of zstd frames: the first sync compresses the whole file; a later one, when
//! the file only grew, compresses just the new bytes into one more frame (appends cost only their
//! own bytes' worth of work). Frames decompress as one stream. A sync cut short (crash, full disk)
//! leaves at most a frame the manifest does not count; the next sync cuts it off first. A file
//! that shrank, changed inode or whose last 4 KiB changed is copied again whole (through a
//! temporary file and a rename).
//!
//! Owns: everything under `vault/`. Reads the CLI's transcripts; writes there only in
//! [`Vault::restore`], which the user asks for, and never over an existing file.

mod keeper;

pub use keeper::Keeper;

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::CoreError;
use crate::store::config_dir_key;
use crate::sync::LockExt;
use crate::transcripts::index::{
    ArchivedSessions, NotResumableReason, Resumability, SessionSummary,
};
use crate::transcripts::paths;
use crate::transcripts::profiles::Profiles;

/// The manifest's schema (`PRAGMA user_version`).
const SCHEMA_VERSION: i32 = 1;
/// Source bytes kept to check that a file only grew (its last bytes when copied).
const TAIL_BYTES: u64 = 4096;
/// zstd level: fast (hundreds of MB/s), about 5-10x on transcripts.
const LEVEL: i32 = 3;
/// Deepest dir level under `<id>/` copied (`subagents/agent-x.jsonl` is 2).
const MAX_DEPTH: usize = 4;

/// What the vault holds, for its view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VaultStats {
    /// Sessions with a copy.
    pub sessions: u32,
    /// Of those, sessions whose transcript the CLI deleted (the copy is the only one).
    pub archived: u32,
    /// Files copied (transcripts and the files under their `<id>/` dirs).
    pub files: u32,
    /// Source bytes the copies hold.
    pub original_bytes: u64,
    /// Bytes the copies take on disk.
    pub stored_bytes: u64,
    /// The vault dir.
    pub dir: PathBuf,
}

impl VaultStats {
    /// The copies of `self` and `other` (two config dirs) counted together, in `self`'s dir.
    pub fn plus(self, other: &VaultStats) -> VaultStats {
        VaultStats {
            sessions: self.sessions.saturating_add(other.sessions),
            archived: self.archived.saturating_add(other.archived),
            files: self.files.saturating_add(other.files),
            original_bytes: self.original_bytes.saturating_add(other.original_bytes),
            stored_bytes: self.stored_bytes.saturating_add(other.stored_bytes),
            dir: self.dir,
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// Files copied whole (new, or changed other than by an append).
    pub copied: u32,
    /// Files whose new bytes were added as one more frame.
    pub appended: u32,
    /// Files already up to date.
    pub unchanged: u32,
    /// Sessions not copied because the vault is at its cap.
    pub skipped_full: u32,
    /// Files that could not be copied, in words.
    pub errors: Vec<String>,
}

impl SyncReport {
    /// `self` and `other` (two syncs) counted together.
    pub fn plus(mut self, other: SyncReport) -> SyncReport {
        self.add(other);
        self
    }

    fn add(&mut self, other: SyncReport) {
        self.copied += other.copied;
        self.appended += other.appended;
        self.unchanged += other.unchanged;
        self.skipped_full += other.skipped_full;
        self.errors.extend(other.errors);
    }
}

/// What [`Vault::restore`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    /// The transcript written (`<config>/projects/<dir the CLI derives from the cwd>/<id>.jsonl`).
    pub transcript: PathBuf,
    /// Files written, the transcript included.
    pub files: u32,
    /// Bytes written.
    pub bytes: u64,
}

/// A file's state when copied.
struct Row {
    src_len: u64,
    src_mtime_ns: i64,
    src_ino: u64,
    zst_len: u64,
    tail: Vec<u8>,
}

/// The vault of one data dir. Cheap to share (`Arc`); its methods take `&self`.
pub struct Vault {
    root: PathBuf,
    conn: Mutex<Connection>,
    /// Bytes all copies take (the manifest's sum), once asked; kept current by every write.
    stored: Mutex<Option<u64>>,
}

impl Vault {
    /// Opens (or makes) the vault at `root`. A manifest that cannot be read is set aside as
    /// `vault.sqlite.corrupt-<ms>` and started afresh: copies are then made again (the old ones
    /// are replaced as their sessions are synced).
    ///
    /// Errors: [`CoreError::Io`] when `root` cannot be made; [`CoreError::Index`] when no
    /// manifest can be opened at all.
    pub fn open(root: &Path) -> Result<Vault, CoreError> {
        std::fs::create_dir_all(root).map_err(|e| CoreError::io(root, e))?;
        let db = root.join("vault.sqlite");
        let conn = match open_manifest(&db) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(
                    "vault manifest {} unusable ({e}); setting it aside",
                    db.display()
                );
                crate::store::file::set_aside(&db)?;
                open_manifest(&db)?
            }
        };
        Ok(Vault {
            root: root.to_path_buf(),
            conn: Mutex::new(conn),
            stored: Mutex::new(None),
        })
    }

    /// The vault in ccdesk's data dir (`<data dir>/vault`); `None` when the OS names no data dir.
    pub fn default_root() -> Option<PathBuf> {
        Some(crate::store::data_dir()?.join("vault"))
    }

    /// The vault dir.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Brings the copy of one session up to date: its transcript and every regular file under
    /// its `<id>/` dir. A session not copied before is skipped (counted in
    /// [`SyncReport::skipped_full`]) when the vault's copies already take `max_bytes`.
    ///
    /// Errors: [`CoreError::Index`] when the manifest cannot be written; files that cannot be
    /// read or copied are listed in [`SyncReport::errors`].
    pub fn sync_session(
        &self,
        config_dir: &Path,
        summary: &SessionSummary,
        max_bytes: u64,
    ) -> Result<SyncReport, CoreError> {
        let cfg = config_dir_key(config_dir);
        let projects = paths::projects_dir(config_dir);
        let mut report = SyncReport::default();
        if summary.archived {
            return Ok(report);
        }
        let known = self.has_session(&cfg, &summary.key)?;
        if !known && self.stored_bytes()? >= max_bytes {
            report.skipped_full = 1;
            return Ok(report);
        }
        let mut files = vec![summary.transcript_path.clone()];
        if let Some(parent) = summary.transcript_path.parent() {
            session_files(&parent.join(&summary.id), 0, &mut files);
        }
        for src in files {
            let Some(rel) = rel_of(&projects, &src) else {
                continue;
            };
            match self.sync_file(&cfg, &src, &rel) {
                Ok(Synced::Copied) => report.copied += 1,
                Ok(Synced::Appended) => report.appended += 1,
                Ok(Synced::Unchanged) => report.unchanged += 1,
                Err(e) => report.errors.push(e.to_string()),
            }
        }
        let mut stored = summary.clone();
        stored.archived = false;
        let json = serde_json::to_string(&stored)
            .map_err(|e| CoreError::Index(format!("cannot encode a summary: {e}")))?;
        // Unchanged (the usual case at a start): nothing written, so no commit to wait for.
        let same: Option<bool> = self
            .conn
            .locked()
            .query_row(
                "SELECT summary = ?3 FROM session WHERE cfg = ?1 AND key = ?2",
                params![cfg, summary.key, json],
                |r| r.get(0),
            )
            .optional()?;
        if same == Some(true) {
            return Ok(report);
        }
        self.conn.locked().execute(
            "INSERT INTO session(cfg, key, summary, synced_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(cfg, key) DO UPDATE SET summary = excluded.summary,
                 synced_ms = excluded.synced_ms",
            params![
                cfg,
                summary.key,
                json,
                crate::transcripts::retention::now_ms()
            ],
        )?;
        Ok(report)
    }

    /// [`Vault::sync_session`] for every session listed, oldest first (those the CLI deletes
    /// first are copied first).
    ///
    /// Errors: as [`Vault::sync_session`].
    pub fn sync_all<'a>(
        &self,
        config_dir: &Path,
        sessions: impl IntoIterator<Item = &'a SessionSummary>,
        max_bytes: u64,
    ) -> Result<SyncReport, CoreError> {
        let mut list: Vec<&SessionSummary> = sessions.into_iter().collect();
        list.sort_by_key(|s| s.modified_ms.unwrap_or(i64::MAX));
        let mut report = SyncReport::default();
        for s in list {
            report.add(self.sync_session(config_dir, s, max_bytes)?);
        }
        Ok(report)
    }

    fn has_session(&self, cfg: &str, key: &str) -> Result<bool, CoreError> {
        Ok(self
            .conn
            .locked()
            .query_row(
                "SELECT 1 FROM session WHERE cfg = ?1 AND key = ?2",
                params![cfg, key],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Bytes all copies take: summed once, then kept current (a sync of 10,000 new sessions asks
    /// 10,000 times).
    fn stored_bytes(&self) -> Result<u64, CoreError> {
        if let Some(n) = *self.stored.locked() {
            return Ok(n);
        }
        let n: i64 = self.conn.locked().query_row(
            "SELECT COALESCE(SUM(zst_len), 0) FROM file",
            [],
            |r| r.get(0),
        )?;
        let n = u64::try_from(n).unwrap_or(0);
        *self.stored.locked() = Some(n);
        Ok(n)
    }

    /// Brings one file's copy up to date.
    fn sync_file(&self, cfg: &str, src: &Path, rel: &str) -> Result<Synced, CoreError> {
        let file = paths::open_regular(src).map_err(|e| CoreError::io(src, e))?;
        let meta = file.metadata().map_err(|e| CoreError::io(src, e))?;
        let (size, mtime_ns, ino) = paths::file_stamp(&meta);
        let row = self.row(cfg, rel)?;
        let dest = self.copy_path(cfg, rel);
        if let Some(row) = &row {
            if row.src_len == size && row.src_mtime_ns == mtime_ns && row.src_ino == ino {
                return Ok(Synced::Unchanged);
            }
            if let Some(done) =
                self.try_append(cfg, rel, &file, row, &dest, (size, mtime_ns, ino))?
            {
                return Ok(done);
            }
        }
        // Copied whole: into a temporary file beside the copy, then renamed over it. The old row
        // goes first: a crash after the rename must not leave a row that describes the old copy
        // (the next sync would take the new one for the old and append to it).
        if let Some(old) = &row {
            self.conn.locked().execute(
                "DELETE FROM file WHERE cfg = ?1 AND rel = ?2",
                params![cfg, rel],
            )?;
            if let Some(total) = self.stored.locked().as_mut() {
                *total = total.saturating_sub(old.zst_len);
            }
        }
        let dir = dest.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| CoreError::io(dir, e))?;
        let mut enc = zstd::stream::write::Encoder::new(tmp.as_file(), LEVEL)
            .map_err(|e| CoreError::io(&dest, e))?;
        let mut tail = Tail::default();
        let copied = copy_counting(&mut (&file).take(size), &mut enc, &mut tail)
            .map_err(|e| CoreError::io(src, e))?;
        enc.finish().map_err(|e| CoreError::io(&dest, e))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| CoreError::io(tmp.path(), e))?;
        let tmp_path = tmp.path().to_path_buf();
        tmp.persist(&dest)
            .map_err(|e| CoreError::io(&tmp_path, e.error))?;
        let zst_len = std::fs::metadata(&dest)
            .map_err(|e| CoreError::io(&dest, e))?
            .len();
        self.put_row(
            cfg,
            rel,
            &Row {
                src_len: copied,
                src_mtime_ns: mtime_ns,
                src_ino: ino,
                zst_len,
                tail: tail.bytes(),
            },
        )?;
        Ok(Synced::Copied)
    }

    /// Adds the bytes past `row.src_len` as one more frame, when the file only grew (same inode,
    /// same last bytes where the copy ended). `None`: not an append, copy it whole.
    fn try_append(
        &self,
        cfg: &str,
        rel: &str,
        file: &File,
        row: &Row,
        dest: &Path,
        (size, mtime_ns, ino): (u64, i64, u64),
    ) -> Result<Option<Synced>, CoreError> {
        if ino != row.src_ino || size <= row.src_len || !dest.is_file() {
            return Ok(None);
        }
        let tail_len = row.tail.len() as u64;
        let start = row.src_len.saturating_sub(tail_len);
        let mut src = file;
        let mut seen = vec![0; usize::try_from(row.src_len - start).unwrap_or(0)];
        let read = src
            .seek(SeekFrom::Start(start))
            .and_then(|_| src.read_exact(&mut seen));
        if read.is_err() || seen != row.tail {
            return Ok(None);
        }
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .open(dest)
            .map_err(|e| CoreError::io(dest, e))?;
        // A frame a cut-short sync left is dropped first.
        out.set_len(row.zst_len)
            .and_then(|()| out.seek(SeekFrom::End(0)).map(|_| ()))
            .map_err(|e| CoreError::io(dest, e))?;
        let mut tail = Tail::from(seen);
        let mut enc =
            zstd::stream::write::Encoder::new(&out, LEVEL).map_err(|e| CoreError::io(dest, e))?;
        let added = copy_counting(&mut src.take(size - row.src_len), &mut enc, &mut tail)
            .map_err(|e| CoreError::io(dest, e))?;
        enc.finish().map_err(|e| CoreError::io(dest, e))?;
        out.sync_all().map_err(|e| CoreError::io(dest, e))?;
        let zst_len = out.metadata().map_err(|e| CoreError::io(dest, e))?.len();
        self.put_row(
            cfg,
            rel,
            &Row {
                src_len: row.src_len + added,
                src_mtime_ns: mtime_ns,
                src_ino: ino,
                zst_len,
                tail: tail.bytes(),
            },
        )?;
        Ok(Some(Synced::Appended))
    }

    fn row(&self, cfg: &str, rel: &str) -> Result<Option<Row>, CoreError> {
        Ok(self
            .conn
            .locked()
            .query_row(
                "SELECT src_len, src_mtime_ns, src_ino, zst_len, tail FROM file
                 WHERE cfg = ?1 AND rel = ?2",
                params![cfg, rel],
                |r| {
                    Ok(Row {
                        src_len: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        src_mtime_ns: r.get(1)?,
                        src_ino: r.get::<_, i64>(2)? as u64,
                        zst_len: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                        tail: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    fn put_row(&self, cfg: &str, rel: &str, row: &Row) -> Result<(), CoreError> {
        let before = self.row(cfg, rel)?.map_or(0, |r| r.zst_len);
        if let Some(total) = self.stored.locked().as_mut() {
            *total = total.saturating_sub(before).saturating_add(row.zst_len);
        }
        self.conn.locked().execute(
            "INSERT INTO file(cfg, rel, src_len, src_mtime_ns, src_ino, zst_len, tail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(cfg, rel) DO UPDATE SET src_len = excluded.src_len,
                 src_mtime_ns = excluded.src_mtime_ns, src_ino = excluded.src_ino,
                 zst_len = excluded.zst_len, tail = excluded.tail",
            params![
                cfg,
                rel,
                i64::try_from(row.src_len).unwrap_or(i64::MAX),
                row.src_mtime_ns,
                row.src_ino as i64,
                i64::try_from(row.zst_len).unwrap_or(i64::MAX),
                row.tail
            ],
        )?;
        Ok(())
    }

    fn copy_path(&self, cfg: &str, rel: &str) -> PathBuf {
        let mut p = self.root.join(cfg);
        for part in rel.split('/') {
            p.push(part);
        }
        p.as_mut_os_string().push(".zst");
        p
    }

    /// The sessions the vault holds for `config_dir` whose transcript is gone from it, as last
    /// listed, marked [`SessionSummary::archived`] and not resumable until restored. `skip`:
    /// keys listed from disk (not looked at).
    ///
    /// Errors: [`CoreError::Index`] when the manifest cannot be read.
    pub fn archived(
        &self,
        config_dir: &Path,
        skip: &HashSet<&str>,
    ) -> Result<Vec<SessionSummary>, CoreError> {
        let cfg = config_dir_key(config_dir);
        let conn = self.conn.locked();
        // Keys first: a listing passes every session it found on disk, and only the rest (the
        // deleted ones, usually few) have their summaries read and decoded.
        let keys: Vec<String> = conn
            .prepare_cached("SELECT key FROM session WHERE cfg = ?1")?
            .query_map(params![cfg], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
        let mut stmt =
            conn.prepare_cached("SELECT summary FROM session WHERE cfg = ?1 AND key = ?2")?;
        let mut out = Vec::new();
        for key in keys.iter().filter(|k| !skip.contains(k.as_str())) {
            let json: String = stmt.query_row(params![cfg, key], |r| r.get(0))?;
            if let Some(s) = archived_summary(&json) {
                if !s.transcript_path.exists() {
                    out.push(s);
                }
            }
        }
        Ok(out)
    }

    /// The vault's summary of session `key` of `config_dir`, marked archived, when it holds one
    /// and the transcript is gone.
    ///
    /// Errors: [`CoreError::Index`] when the manifest cannot be read.
    pub fn archived_one(
        &self,
        config_dir: &Path,
        key: &str,
    ) -> Result<Option<SessionSummary>, CoreError> {
        let cfg = config_dir_key(config_dir);
        let json: Option<String> = self
            .conn
            .locked()
            .query_row(
                "SELECT summary FROM session WHERE cfg = ?1 AND key = ?2",
                params![cfg, key],
                |r| r.get(0),
            )
            .optional()?;
        Ok(json
            .as_deref()
            .and_then(archived_summary)
            .filter(|s| !s.transcript_path.exists()))
    }

    /// Finds a session the vault holds by [`SessionSummary::key`] or CLI session id (the newest
    /// when an id is in two project dirs), with its transcript there or not.
    ///
    /// Errors: [`CoreError::UnknownSession`] when the vault holds none.
    pub fn find(&self, config_dir: &Path, key_or_id: &str) -> Result<SessionSummary, CoreError> {
        let cfg = config_dir_key(config_dir);
        let conn = self.conn.locked();
        let mut stmt = conn.prepare_cached(
            "SELECT summary FROM session WHERE cfg = ?1 AND (key = ?2 OR key LIKE ?3 ESCAPE '\\')
             ORDER BY synced_ms DESC",
        )?;
        let like = format!("%/{}", key_or_id.replace(['\\', '%', '_'], "\\$0"));
        let mut rows = stmt.query(params![cfg, key_or_id, like])?;
        while let Some(r) = rows.next()? {
            let json: String = r.get(0)?;
            if let Ok(mut s) = serde_json::from_str::<SessionSummary>(&json) {
                if s.key == key_or_id || s.id == key_or_id {
                    if !s.transcript_path.exists() {
                        s = mark_archived(s);
                    }
                    return Ok(s);
                }
            }
        }
        Err(CoreError::UnknownSession(key_or_id.to_owned()))
    }

    /// Writes the copy of session `key` (its transcript and the files under its `<id>/` dir)
    /// into `dir` as `<dir>/<project dir>/<id>.jsonl` etc., replacing what is there: a
    /// read-only view of an archived session for the transcript reader. Returns the
    /// transcript's path.
    ///
    /// Errors: [`CoreError::UnknownSession`] when the vault holds no copy; [`CoreError::Io`].
    pub fn extract_to(
        &self,
        config_dir: &Path,
        key: &str,
        dir: &Path,
    ) -> Result<PathBuf, CoreError> {
        let (transcript, files) = self.files_of(config_dir, key)?;
        for rel in &files {
            let out = join_rel(dir, rel);
            let bytes = self.read_copy(&config_dir_key(config_dir), rel)?;
            crate::store::file::write_bytes_atomic(&out, &bytes)?;
        }
        Ok(join_rel(dir, &transcript))
    }

    /// A read-only view of archived session `key` for the transcript reader: its files written
    /// once under `<vault>/open/<config dir key>/` (again only when a copy changed). Returns
    /// the transcript's path there.
    ///
    /// Errors: as [`Vault::extract_to`].
    pub fn view(&self, config_dir: &Path, key: &str) -> Result<PathBuf, CoreError> {
        let cfg = config_dir_key(config_dir);
        let dir = self.root.join("open").join(&cfg);
        let (transcript, files) = self.files_of(config_dir, key)?;
        let current = files.iter().all(|rel| {
            let len = std::fs::metadata(join_rel(&dir, rel)).map(|m| m.len()).ok();
            matches!((self.row(&cfg, rel), len), (Ok(Some(row)), Some(len)) if row.src_len == len)
        });
        if current {
            return Ok(join_rel(&dir, &transcript));
        }
        self.extract_to(config_dir, key, &dir)
    }

    /// The manifest paths (`<dir>/<id>.jsonl` first) of session `key`'s copies.
    fn files_of(&self, config_dir: &Path, key: &str) -> Result<(String, Vec<String>), CoreError> {
        let cfg = config_dir_key(config_dir);
        let transcript = format!("{key}.jsonl");
        let prefix = format!("{key}/");
        let conn = self.conn.locked();
        let mut stmt = conn.prepare_cached("SELECT rel FROM file WHERE cfg = ?1 AND (rel = ?2 OR substr(rel, 1, length(?3)) = ?3) ORDER BY rel")?;
        let rels: Vec<String> = stmt
            .query_map(params![cfg, transcript, prefix], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if !rels.contains(&transcript) {
            return Err(CoreError::UnknownSession(key.to_owned()));
        }
        let mut files = vec![transcript.clone()];
        files.extend(rels.into_iter().filter(|r| *r != transcript));
        Ok((transcript, files))
    }

    /// The source bytes of one copy, whole.
    fn read_copy(&self, cfg: &str, rel: &str) -> Result<Vec<u8>, CoreError> {
        let row = self
            .row(cfg, rel)?
            .ok_or_else(|| CoreError::UnknownSession(rel.to_owned()))?;
        let path = self.copy_path(cfg, rel);
        let file = File::open(&path).map_err(|e| CoreError::io(&path, e))?;
        // Only the frames the manifest counts (a cut-short sync may have left one more).
        let mut dec = zstd::stream::read::Decoder::new(file.take(row.zst_len))
            .map_err(|e| CoreError::io(&path, e))?;
        let mut out = Vec::with_capacity(usize::try_from(row.src_len).unwrap_or(0));
        dec.read_to_end(&mut out)
            .map_err(|e| CoreError::io(&path, e))?;
        if out.len() as u64 != row.src_len {
            return Err(CoreError::io(
                &path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "the copy holds {} bytes, the vault recorded {}",
                        out.len(),
                        row.src_len
                    ),
                ),
            ));
        }
        Ok(out)
    }

    /// Writes session `key_or_id`'s copy back where the CLI looks for it:
    /// `<config>/projects/<dir the CLI derives from its cwd>/<id>.jsonl` (the recorded project
    /// dir when it records no cwd), and its `<id>/` files beside it, byte for byte. The files get
    /// a fresh mtime, so the CLI's clean-up does not take them again at its next start. After it,
    /// `claude --resume <id>` works again.
    ///
    /// Errors: [`CoreError::UnknownSession`] when the vault holds no copy;
    /// [`CoreError::InvalidInput`] when a transcript is at the target already (never
    /// overwritten: it is newer than the copy, or the same); [`CoreError::Io`].
    pub fn restore(&self, config_dir: &Path, key_or_id: &str) -> Result<RestoreReport, CoreError> {
        let summary = self.find(config_dir, key_or_id)?;
        let cfg = config_dir_key(config_dir);
        let (transcript_rel, files) = self.files_of(config_dir, &summary.key)?;
        let dir_name = summary
            .project_path
            .as_deref()
            .map_or_else(|| summary.dir_name.clone(), paths::project_dir_name);
        let projects = paths::projects_dir(config_dir);
        let target_dir = projects.join(&dir_name);
        let target = target_dir.join(format!("{}.jsonl", summary.id));
        if target.exists() {
            return Err(CoreError::InvalidInput(format!(
                "{} exists already: the vault never writes over a transcript (it is as new as the copy or newer)",
                target.display()
            )));
        }
        let mut report = RestoreReport {
            transcript: target.clone(),
            files: 0,
            bytes: 0,
        };
        // The `<id>/` files first, the transcript last: the session shows up whole.
        for rel in files.iter().filter(|r| **r != transcript_rel) {
            let Some(inner) = rel.strip_prefix(&format!("{}/", summary.key)) else {
                continue;
            };
            let out = join_rel(&target_dir.join(&summary.id), inner);
            if out.exists() {
                continue;
            }
            let bytes = self.read_copy(&cfg, rel)?;
            crate::store::file::write_bytes_atomic(&out, &bytes)?;
            report.files += 1;
            report.bytes += bytes.len() as u64;
        }
        let bytes = self.read_copy(&cfg, &transcript_rel)?;
        write_new_file(&target, &bytes)?;
        report.files += 1;
        report.bytes += bytes.len() as u64;
        Ok(report)
    }

    /// Drops session `key`'s copy (the user's choice in the vault view).
    ///
    /// Errors: [`CoreError::Index`]; a copy file that cannot be removed is left (and no longer
    /// counted).
    pub fn remove(&self, config_dir: &Path, key: &str) -> Result<(), CoreError> {
        let cfg = config_dir_key(config_dir);
        let (_, files) = match self.files_of(config_dir, key) {
            Ok(f) => f,
            Err(CoreError::UnknownSession(_)) => (String::new(), Vec::new()),
            Err(e) => return Err(e),
        };
        for rel in &files {
            let _ = std::fs::remove_file(self.copy_path(&cfg, rel));
        }
        let conn = self.conn.locked();
        for rel in &files {
            conn.execute(
                "DELETE FROM file WHERE cfg = ?1 AND rel = ?2",
                params![cfg, rel],
            )?;
        }
        conn.execute(
            "DELETE FROM session WHERE cfg = ?1 AND key = ?2",
            params![cfg, key],
        )?;
        *self.stored.locked() = None;
        Ok(())
    }

    /// What the vault holds for `config_dir`.
    ///
    /// Errors: [`CoreError::Index`] when the manifest cannot be read.
    pub fn stats(&self, config_dir: &Path) -> Result<VaultStats, CoreError> {
        let cfg = config_dir_key(config_dir);
        let (files, original, stored): (i64, i64, i64) = self.conn.locked().query_row(
            "SELECT COUNT(*), COALESCE(SUM(src_len), 0), COALESCE(SUM(zst_len), 0) FROM file
             WHERE cfg = ?1",
            params![cfg],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let sessions: i64 = self.conn.locked().query_row(
            "SELECT COUNT(*) FROM session WHERE cfg = ?1",
            params![cfg],
            |r| r.get(0),
        )?;
        let archived = self.archived(config_dir, &HashSet::new())?.len();
        Ok(VaultStats {
            sessions: u32::try_from(sessions).unwrap_or(u32::MAX),
            archived: u32::try_from(archived).unwrap_or(u32::MAX),
            files: u32::try_from(files).unwrap_or(u32::MAX),
            original_bytes: u64::try_from(original).unwrap_or(0),
            stored_bytes: u64::try_from(stored).unwrap_or(0),
            dir: self.root.clone(),
        })
    }
}

/// A session by key or id as [`crate::transcripts::index::resolve_session`] finds it, else,
/// when the CLI deleted it and `vault` holds a copy, the archived session with its
/// `transcript_path` at the vault's read-only view ([`Vault::view`]).
///
/// Errors: those of `resolve_session` when the vault has no copy either.
pub fn resolve_session(
    config_dir: &Path,
    key_or_id: &str,
    vault: Option<&Vault>,
) -> Result<SessionSummary, CoreError> {
    match crate::transcripts::index::resolve_session(config_dir, key_or_id) {
        Err(CoreError::UnknownSession(id)) => {
            let Some(vault) = vault else {
                return Err(CoreError::UnknownSession(id));
            };
            let Ok(mut s) = vault.find(config_dir, key_or_id) else {
                return Err(CoreError::UnknownSession(id));
            };
            if !s.archived {
                return Err(CoreError::UnknownSession(id));
            }
            s.transcript_path = vault.view(config_dir, &s.key)?;
            Ok(s)
        }
        other => other,
    }
}

/// Lookups across config dirs, with the vault's copies (here rather than in
/// [`crate::transcripts::profiles`], which knows nothing of the vault).
impl Profiles {
    /// A session by its key (as [`Profiles::stamp`] makes them) or bare CLI session id, as
    /// [`resolve_session`] finds it in its profile's config dir (from `vault` when
    /// the CLI deleted it); a bare id is looked for in every profile and the most recently active
    /// one found wins.
    ///
    /// Errors: [`CoreError::UnknownSession`] when no profile has it (or the key names no
    /// listed profile); [`CoreError::Io`] as the lookup.
    pub fn resolve_session(
        &self,
        key_or_id: &str,
        vault: Option<&Vault>,
    ) -> Result<SessionSummary, CoreError> {
        let unknown = || CoreError::UnknownSession(key_or_id.to_owned());
        let (i, inner) = self.split_key(key_or_id).ok_or_else(unknown)?;
        let is_key = key_or_id.starts_with('@') || inner.contains('/');
        if is_key || self.len() == 1 {
            let dir = &self.get(i).ok_or_else(unknown)?.config_dir;
            let found = resolve_session(dir, inner, vault)?;
            return Ok(self.stamp(i, found));
        }
        let mut best: Option<SessionSummary> = None;
        for (i, p) in self.iter().enumerate() {
            match resolve_session(&p.config_dir, inner, vault) {
                Ok(s) => {
                    let s = self.stamp(i, s);
                    if best
                        .as_ref()
                        .is_none_or(|b| s.last_activity_ms > b.last_activity_ms)
                    {
                        best = Some(s);
                    }
                }
                Err(CoreError::UnknownSession(_)) => {}
                Err(e) => return Err(e),
            }
        }
        best.ok_or_else(unknown)
    }

    /// The config dir of the session `key_or_id` resolves to, with the key inside it.
    ///
    /// Errors: as [`Profiles::resolve_session`].
    pub fn locate(
        &self,
        key_or_id: &str,
        vault: Option<&Vault>,
    ) -> Result<(PathBuf, SessionSummary), CoreError> {
        let s = self.resolve_session(key_or_id, vault)?;
        let (i, _) = self
            .split_key(&s.key)
            .ok_or_else(|| CoreError::UnknownSession(key_or_id.to_owned()))?;
        let dir = self
            .get(i)
            .map(|p| p.config_dir.clone())
            .ok_or_else(|| CoreError::UnknownSession(key_or_id.to_owned()))?;
        Ok((dir, s))
    }
}

impl ArchivedSessions for Vault {
    fn archived_sessions(&self, config_dir: &Path, listed: &HashSet<&str>) -> Vec<SessionSummary> {
        self.archived(config_dir, listed).unwrap_or_else(|e| {
            tracing::warn!("vault: cannot list archived sessions: {e}");
            Vec::new()
        })
    }

    fn archived_session(&self, config_dir: &Path, key: &str) -> Option<SessionSummary> {
        self.archived_one(config_dir, key).ok().flatten()
    }
}

enum Synced {
    Copied,
    Appended,
    Unchanged,
}

/// The last [`TAIL_BYTES`] bytes that went through a copy.
#[derive(Default)]
struct Tail(std::collections::VecDeque<u8>);

impl From<Vec<u8>> for Tail {
    fn from(v: Vec<u8>) -> Self {
        Tail(v.into())
    }
}

impl Tail {
    fn push(&mut self, bytes: &[u8]) {
        let max = TAIL_BYTES as usize;
        let keep = bytes.len().min(max);
        self.0.extend(&bytes[bytes.len() - keep..]);
        let over = self.0.len().saturating_sub(max);
        self.0.drain(..over);
    }

    fn bytes(self) -> Vec<u8> {
        self.0.into()
    }
}

/// Copies `from` into `to`, keeping the last bytes in `tail`; returns the bytes copied.
fn copy_counting(
    from: &mut impl Read,
    to: &mut impl Write,
    tail: &mut Tail,
) -> std::io::Result<u64> {
    let mut buf = vec![0; 256 * 1024];
    let mut total = 0;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buf[..n])?;
        tail.push(&buf[..n]);
        total += n as u64;
    }
}

/// Every regular file under a session's `<id>/` dir (no links followed), to [`MAX_DEPTH`].
fn session_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth >= MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_file() {
            out.push(e.path());
        } else if kind.is_dir() {
            session_files(&e.path(), depth + 1, out);
        }
    }
}

/// `path` relative to the projects dir, `/`-separated; `None` outside it or not UTF-8.
fn rel_of(projects: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(projects).ok()?;
    let parts: Option<Vec<&str>> = rel
        .components()
        .map(|c| match c {
            std::path::Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    let parts = parts?;
    (parts.len() >= 2).then(|| parts.join("/"))
}

fn join_rel(dir: &Path, rel: &str) -> PathBuf {
    let mut p = dir.to_path_buf();
    for part in rel
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
    {
        p.push(part);
    }
    p
}

fn archived_summary(json: &str) -> Option<SessionSummary> {
    serde_json::from_str::<SessionSummary>(json)
        .ok()
        .map(mark_archived)
}

fn mark_archived(mut s: SessionSummary) -> SessionSummary {
    s.archived = true;
    s.expires_at_ms = None;
    s.resumability = Resumability::not(
        NotResumableReason::Archived,
        "the CLI deleted its transcript; ccdesk's vault keeps a copy: restore it to resume".into(),
    );
    s
}

/// `bytes` in a temporary file in `path`'s dir (made if missing), flushed to disk: to be renamed
/// to `path`.
fn staged(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, CoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| CoreError::io(dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| CoreError::io(path, e))?;
    Ok(tmp)
}

/// Writes `bytes` to `path` atomically, failing when `path` exists (no transcript is ever
/// written over).
fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    let tmp = staged(path, bytes)?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            CoreError::InvalidInput(format!(
                "{} exists already: the vault never writes over a transcript",
                path.display()
            ))
        } else {
            CoreError::io(path, e.error)
        }
    })?;
    Ok(())
}

fn open_manifest(db: &Path) -> Result<Connection, CoreError> {
    let conn = Connection::open(db)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version == 0 {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS file(
                 cfg TEXT NOT NULL, rel TEXT NOT NULL, src_len INTEGER NOT NULL,
                 src_mtime_ns INTEGER NOT NULL, src_ino INTEGER NOT NULL,
                 zst_len INTEGER NOT NULL, tail BLOB NOT NULL, PRIMARY KEY(cfg, rel));
             CREATE TABLE IF NOT EXISTS session(
                 cfg TEXT NOT NULL, key TEXT NOT NULL, summary TEXT NOT NULL,
                 synced_ms INTEGER NOT NULL, PRIMARY KEY(cfg, key));",
        )?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    } else if version != SCHEMA_VERSION {
        return Err(CoreError::Index(format!(
            "vault manifest schema {version}, this build reads {SCHEMA_VERSION}"
        )));
    }
    // A file that is not a database fails here rather than at the first write.
    conn.query_row("SELECT COUNT(*) FROM session", [], |r| r.get::<_, i64>(0))?;
    Ok(conn)
}
