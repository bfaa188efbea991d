//! One writer per transcript: a session's lock, held by the ccdesk process (window or headless
//! command) whose `claude` process writes that session's transcript.
//!
//! Two CLI processes resuming one session append interleaved lines to one transcript and break
//! its chain of `parentUuid`s. The pool therefore holds, for each live session, an advisory lock
//! on `<lock dir>/<session id>.lock`, the lock dir being
//! `<ccdesk data dir>/locks/<config dir key>` ([`crate::store::session_locks_dir`], passed in by
//! [`super::new_pool`]) (OS file locks: `flock` on
//! Unix, `LockFileEx` on Windows, through `std::fs::File::try_lock`), from the moment its process
//! starts with `--resume` (or, for a new session, from `system/init`) until that process has
//! exited. A resume of a session another ccdesk process holds fails at once with
//! [`CoreError::NotResumable`] naming that process. The OS drops the lock when its holder dies,
//! however it dies, so a crash never leaves a session locked. The file holds the holder's pid
//! (written after locking; for the message only) and lives in ccdesk's data dir, never under the
//! CLI's config dir.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::CoreError;
use crate::ids::SessionId;

/// A held session lock; dropping it releases the lock.
#[derive(Debug)]
pub struct WriterLock {
    id: SessionId,
    // Held open: the OS lock lives as long as this handle (opened close-on-exec, so no child
    // inherits it).
    _file: File,
}

impl WriterLock {
    /// Takes the lock of session `id` in `dir` (created if missing), without waiting.
    ///
    /// Errors: [`CoreError::NotResumable`] when another process (or another session of this
    /// one) holds it, naming the holder's pid when it is known; [`CoreError::Io`] when the lock
    /// file cannot be made or locked.
    pub fn acquire(dir: &Path, id: &SessionId) -> Result<WriterLock, CoreError> {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
        let path = dir.join(format!("{id}.lock"));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| CoreError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let who = if holder.parse::<u32>().is_ok() {
                    format!("another ccdesk process (pid {holder})")
                } else {
                    "another ccdesk process".to_owned()
                };
                return Err(CoreError::NotResumable {
                    id: id.to_string(),
                    reason: format!(
                        "it is live in {who}; two claude processes must not write one transcript (close it there first)"
                    ),
                });
            }
            Err(TryLockError::Error(e)) => return Err(CoreError::io(&path, e)),
        }
        // The pid is only for the message above; a failure to write it changes nothing.
        let pid = std::process::id().to_string();
        let _ = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(pid.as_bytes()));
        tracing::debug!(session = %id, "session lock taken");
        Ok(WriterLock {
            id: id.clone(),
            _file: file,
        })
    }

    /// The session this lock is for.
    pub fn session_id(&self) -> &SessionId {
        &self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> SessionId {
        SessionId::parse(s).expect("valid id")
    }

    #[test]
    fn a_held_session_is_refused_with_the_holder_named_then_free_once_released() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = id("a1b2c3d4-0000-4000-8000-000000000001");
        let held = WriterLock::acquire(dir.path(), &a).expect("first lock");
        // A second holder (here: another handle in the same process, as flock locks are per
        // open file) is refused and told who holds it.
        let err = WriterLock::acquire(dir.path(), &a).expect_err("second lock");
        let msg = err.to_string();
        assert!(matches!(err, CoreError::NotResumable { .. }), "{msg}");
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "the holder is named: {msg}"
        );
        // Another session is independent.
        let b = id("a1b2c3d4-0000-4000-8000-000000000002");
        let _other = WriterLock::acquire(dir.path(), &b).expect("other session");
        drop(held);
        let again = WriterLock::acquire(dir.path(), &a).expect("free after release");
        assert_eq!(again.session_id(), &a);
    }
}
