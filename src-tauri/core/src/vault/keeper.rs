//! Keeps the vault up to date in the background: one low-priority thread that syncs the sessions
//! it is handed (all of them at start, then those the watcher saw change), so a window never waits
//! for compression.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;

use super::{SyncReport, Vault};
use crate::transcripts::index::SessionSummary;

/// One batch to sync.
struct Job {
    config_dir: PathBuf,
    sessions: Vec<SessionSummary>,
    max_bytes: u64,
}

/// The vault's sync thread. Dropping it ends the thread once the batch at hand is done.
pub struct Keeper {
    tx: mpsc::Sender<Job>,
    vault: Arc<Vault>,
}

impl Keeper {
    /// Starts the thread (`ccdesk-vault`, at the lowest priority). `done` is told each batch's
    /// report, on that thread.
    ///
    /// Errors: the OS error when no thread can be started.
    pub fn spawn(
        vault: Arc<Vault>,
        done: impl Fn(SyncReport) + Send + 'static,
    ) -> std::io::Result<Keeper> {
        let (tx, rx) = mpsc::channel::<Job>();
        let v = Arc::clone(&vault);
        std::thread::Builder::new()
            .name("ccdesk-vault".into())
            .spawn(move || {
                crate::sync::lower_current_thread_priority();
                while let Ok(job) = rx.recv() {
                    match v.sync_all(&job.config_dir, &job.sessions, job.max_bytes) {
                        Ok(report) => {
                            for e in &report.errors {
                                tracing::warn!("vault: {e}");
                            }
                            done(report);
                        }
                        Err(e) => tracing::warn!("vault: sync failed: {e}"),
                    }
                }
            })?;
        Ok(Keeper { tx, vault })
    }

    /// Queues `sessions` of `config_dir` for a sync (archived ones are skipped).
    pub fn sync(&self, config_dir: PathBuf, sessions: Vec<SessionSummary>, max_bytes: u64) {
        let sessions: Vec<SessionSummary> = sessions.into_iter().filter(|s| !s.archived).collect();
        if sessions.is_empty() {
            return;
        }
        let _ = self.tx.send(Job {
            config_dir,
            sessions,
            max_bytes,
        });
    }

    /// The vault synced.
    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }
}
