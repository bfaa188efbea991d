//! Following the CLI's transcripts: a [`TranscriptWatcher`] watches `<config dir>/projects`
//! (recursively) with the OS's file notifications (`notify`: inotify, FSEvents,
//! ReadDirectoryChangesW), coalesces what arrives within a few ms on its own thread, and hands
//! the changed `.jsonl` paths to a callback, so the app can update its index. It never writes
//! anything, and when nothing changes its thread sleeps in a blocking receive (no timer ticks:
//! 0% CPU while idle).
//!
//! When `projects` does not exist yet (the CLI has never run), the nearest existing ancestor
//! (normally the config dir) is watched without recursion until it appears; then `projects` is
//! watched and the transcripts already in it are reported, since they may have been written
//! before the watch began. The same holds for a project dir that appears: its transcripts are
//! reported with it, as the OS may have told of the dir before the watch on it was in place.

use crate::sync::LockExt;
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use notify::{ErrorKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::error::CoreError;
use crate::transcripts::paths;

/// How deep below `projects` transcripts are looked for when a dir appears:
/// `<dir>/<session>.jsonl` is 2, `<dir>/<session>/subagents/<agent>.jsonl` is 4.
const MAX_DEPTH: usize = 4;
/// Most paths one listing of a new dir reports (a bound on the work done in the callback thread).
const MAX_LISTED: usize = 10_000;

/// Follows `<config dir>/projects` until dropped; see the module docs.
///
/// The callback runs on the watcher's own thread (named `watch-projects`), one call at a
/// time, with the changed transcripts (created, written, renamed or removed), sorted, never
/// empty. It should return quickly: hand the work to another thread or task.
pub struct TranscriptWatcher {
    shared: Arc<Mutex<Option<Shared>>>,
}

impl std::fmt::Debug for TranscriptWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let watching = self
            .shared
            .locked()
            .as_ref()
            .and_then(|s| s.watching.clone());
        f.debug_struct("TranscriptWatcher")
            .field("watching", &watching)
            .finish()
    }
}

/// What is watched now.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Watching {
    path: PathBuf,
    /// True when `path` is `projects` (watched with recursion).
    projects: bool,
}

struct Shared {
    watcher: RecommendedWatcher,
    config_dir: PathBuf,
    projects: PathBuf,
    /// `projects` with symlinks resolved, once it exists (FSEvents reports resolved paths).
    projects_resolved: Option<PathBuf>,
    watching: Option<Watching>,
}

impl TranscriptWatcher {
    /// Starts watching `<config_dir>/projects` (or, until it exists, its nearest existing
    /// ancestor). `debounce_ms`: how long changes must settle, in ms, before `on_change` is
    /// called (0 counts as 1), and at most twice that after the first change of a batch (so a
    /// transcript written without pause is still reported as it grows); changes within one
    /// batch come in one call. Dropping the watcher stops it; a call under way then may still
    /// finish, none starts after the thread has seen the stop.
    ///
    /// Errors: [`CoreError::Io`] when the OS refuses the watch (e.g. Linux's
    /// `fs.inotify.max_user_watches` is reached, the message says so) or no ancestor of the
    /// config dir exists (a relative path that does not exist).
    pub fn start<F>(config_dir: &Path, debounce_ms: u64, on_change: F) -> Result<Self, CoreError>
    where
        F: Fn(Vec<PathBuf>) + Send + 'static,
    {
        let shared: Arc<Mutex<Option<Shared>>> = Arc::new(Mutex::new(None));
        let weak = Arc::downgrade(&shared);
        // The OS's events go through a channel to our thread; the sender lives in the watcher,
        // so dropping the watcher ends the thread.
        let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
        let watcher = notify::recommended_watcher(move |ev| {
            let _ = tx.send(ev);
        })
        .map_err(|e| to_core(e, config_dir))?;
        let quiet = Duration::from_millis(debounce_ms.max(1));
        std::thread::Builder::new()
            .name("watch-projects".into())
            .spawn(move || {
                while let Some(batch) = next_batch(&rx, quiet) {
                    handle(&weak, batch, &on_change);
                }
            })
            .map_err(|e| CoreError::io(config_dir, e))?;
        let mut state = Shared {
            watcher,
            config_dir: config_dir.to_path_buf(),
            projects: paths::projects_dir(config_dir),
            projects_resolved: None,
            watching: None,
        };
        // What is in `projects` already is the app's first scan, not a change.
        state.rewatch()?;
        *shared.locked() = Some(state);
        Ok(TranscriptWatcher { shared })
    }

    /// The directory watched now: `<config dir>/projects` once it exists, else its nearest
    /// existing ancestor. `None` only if the watch was lost and could not be set again.
    pub fn watched_dir(&self) -> Option<PathBuf> {
        self.shared
            .locked()
            .as_ref()
            .and_then(|s| s.watching.as_ref().map(|w| w.path.clone()))
    }
}

/// Waits (blocking, no timer) for the next event, then takes what follows until `quiet` passes
/// without one or `2 × quiet` since the first. `None` when the watcher is gone.
fn next_batch(
    rx: &std::sync::mpsc::Receiver<notify::Result<notify::Event>>,
    quiet: Duration,
) -> Option<Vec<notify::Event>> {
    let first = rx.recv().ok()?;
    let until = std::time::Instant::now() + quiet * 2;
    let mut events = Vec::new();
    let mut take = |ev: notify::Result<notify::Event>| match ev {
        Ok(ev) => events.push(ev),
        Err(e) => tracing::warn!(error = %e, "the transcript watcher reported an error"),
    };
    take(first);
    loop {
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        match rx.recv_timeout(quiet.min(left)) {
            Ok(ev) => take(ev),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => break,
            // The watcher is gone: what came is still reported.
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    Some(events)
}

/// One batch: collect the transcripts, follow `projects` appearing or vanishing, then call back
/// outside the lock. An event that says the OS dropped events (a queue overflow) reports every
/// transcript.
fn handle<F: Fn(Vec<PathBuf>)>(
    shared: &Weak<Mutex<Option<Shared>>>,
    events: Vec<notify::Event>,
    on_change: &F,
) {
    // Dropped watcher: stop here.
    let Some(shared) = shared.upgrade() else {
        return;
    };
    let changed = {
        let mut guard = shared.locked();
        let Some(state) = guard.as_mut() else {
            return;
        };
        let mut changed = BTreeSet::new();
        // Opening and reading (every listing reads every transcript) change nothing: taken as
        // changes, each listing would start the next one, for ever.
        let paths = events
            .iter()
            .filter(|e| !e.kind.is_access())
            .flat_map(|e| &e.paths);
        if events.iter().any(notify::Event::need_rescan) {
            tracing::info!("the OS dropped file events; every transcript is looked at again");
            transcripts_in(&state.projects, MAX_DEPTH, &mut changed);
        }
        for path in paths {
            if state.is_transcript(path) {
                changed.insert(path.clone());
            } else if state.is_under_projects(path) && path.is_dir() {
                transcripts_in(path, MAX_DEPTH - 1, &mut changed);
            }
        }
        match state.rewatch() {
            Ok(true) => transcripts_in(&state.projects, MAX_DEPTH, &mut changed),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "cannot follow the transcripts any more"),
        }
        changed
    };
    if !changed.is_empty() {
        on_change(changed.into_iter().collect());
    }
}

impl Shared {
    fn is_under_projects(&self, path: &Path) -> bool {
        path.starts_with(&self.projects)
            || self
                .projects_resolved
                .as_ref()
                .is_some_and(|p| path.starts_with(p))
    }

    fn is_transcript(&self, path: &Path) -> bool {
        path.extension().is_some_and(|e| e == "jsonl") && self.is_under_projects(path)
    }

    /// Points the watch at `projects` if it exists, else at its nearest existing ancestor.
    /// Returns true when `projects` became the watched dir in this call (its transcripts are
    /// then news). Checked again after each change, since the dir may appear meanwhile.
    fn rewatch(&mut self) -> Result<bool, CoreError> {
        let was_projects = self.watching.as_ref().is_some_and(|w| w.projects);
        // Each round either settles or follows one more dir appearing or vanishing.
        for _ in 0..8 {
            let target = self.target()?;
            if self.watching.as_ref() == Some(&target) {
                break;
            }
            if let Some(old) = self.watching.take() {
                // The OS drops the watch of a removed dir by itself: nothing to report.
                let _ = self.watcher.unwatch(&old.path);
            }
            let mode = if target.projects {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            match self.watcher.watch(&target.path, mode) {
                Ok(()) => {
                    if target.projects {
                        self.projects_resolved = dunce::canonicalize(&self.projects).ok();
                    }
                    tracing::debug!(dir = %target.path.display(), recursive = target.projects, "watching");
                    self.watching = Some(target);
                }
                // Removed in between: look again.
                Err(e) if is_not_found(&e) => continue,
                Err(e) => return Err(to_core(e, &target.path)),
            }
        }
        let is_projects = self.watching.as_ref().is_some_and(|w| w.projects);
        Ok(is_projects && !was_projects)
    }

    /// `projects` when it is a dir, else the nearest ancestor that is one.
    fn target(&self) -> Result<Watching, CoreError> {
        let mut dir = self.projects.as_path();
        loop {
            if dir.is_dir() {
                return Ok(Watching {
                    path: dir.to_path_buf(),
                    projects: dir == self.projects,
                });
            }
            dir = match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => {
                    return Err(CoreError::io(
                        &self.config_dir,
                        io::Error::new(
                            io::ErrorKind::NotFound,
                            "neither the config dir nor any folder above it exists",
                        ),
                    ))
                }
            };
        }
    }
}

/// Adds the `.jsonl` files in `dir`, down to `depth` levels, to `out` (at most [`MAX_LISTED`]).
/// Unreadable dirs are skipped: they are reported by the index scan.
fn transcripts_in(dir: &Path, depth: usize, out: &mut BTreeSet<PathBuf>) {
    if depth == 0 || out.len() >= MAX_LISTED {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if out.len() >= MAX_LISTED {
            return;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => transcripts_in(&path, depth - 1, out),
            Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "jsonl") => {
                out.insert(path);
            }
            _ => {}
        }
    }
}

fn is_not_found(e: &notify::Error) -> bool {
    match &e.kind {
        ErrorKind::PathNotFound => true,
        ErrorKind::Io(io) => io.kind() == io::ErrorKind::NotFound,
        _ => false,
    }
}

/// A `notify` error as a [`CoreError::Io`] about `path` (or the path the error names).
fn to_core(e: notify::Error, path: &Path) -> CoreError {
    let path = e
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| path.to_path_buf());
    let source = match e.kind {
        ErrorKind::Io(io) => io,
        ErrorKind::PathNotFound => io::Error::new(io::ErrorKind::NotFound, "no such folder"),
        ErrorKind::MaxFilesWatch => io::Error::other(
            "the system's limit of watched folders is reached (on Linux raise fs.inotify.max_user_watches)",
        ),
        other => io::Error::other(notify::Error::new(other).to_string()),
    };
    CoreError::io(path, source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::io::Write;
    use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
    use std::time::Instant;

    /// Long enough for a loaded CI machine; the test returns as soon as the call comes.
    const WAIT: Duration = Duration::from_secs(20);
    const DEBOUNCE_MS: u64 = 50;

    fn start(config: &Path) -> (TranscriptWatcher, Receiver<Vec<PathBuf>>) {
        let (tx, rx) = channel();
        let w = TranscriptWatcher::start(config, DEBOUNCE_MS, move |paths| {
            let _ = tx.send(paths);
        })
        .expect("the watcher starts");
        (w, rx)
    }

    /// Collects calls until one names a file called `name`; returns every path seen. Fails
    /// after [`WAIT`].
    fn until_named(rx: &Receiver<Vec<PathBuf>>, name: &str) -> Vec<PathBuf> {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(paths) => {
                    assert!(!paths.is_empty(), "calls are never empty");
                    let hit = paths
                        .iter()
                        .any(|p| p.file_name().is_some_and(|n| n == name));
                    seen.extend(paths);
                    if hit {
                        return seen;
                    }
                }
                Err(e) => panic!("no change to {name} reported ({e:?}); saw {seen:?}"),
            }
        }
    }

    fn append(path: &Path, line: &str) {
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        writeln!(f, "{line}").unwrap();
    }

    #[test]
    fn new_and_appended_transcripts_are_reported_and_other_files_are_not() {
        let tmp = tempfile::tempdir().unwrap();
        let projects = tmp.path().join("projects");
        fs::create_dir(&projects).unwrap();
        let (w, rx) = start(tmp.path());
        assert_eq!(w.watched_dir(), Some(projects.clone()));

        // A project dir and its transcript made at once, as the CLI does on a first run.
        let dir = projects.join("-w-p");
        fs::create_dir(&dir).unwrap();
        let transcript = dir.join("s1.jsonl");
        append(&transcript, r#"{"type":"user"}"#);
        until_named(&rx, "s1.jsonl");

        // Noise first, then a marker transcript: the noise must not come before the marker.
        fs::write(dir.join("notes.txt"), "x").unwrap();
        fs::create_dir(dir.join("s1")).unwrap();
        fs::write(dir.join("s1").join("tool-output.log"), "x").unwrap();
        fs::write(tmp.path().join("history.jsonl"), "{}").unwrap();
        append(&transcript, r#"{"type":"assistant"}"#);
        let seen = until_named(&rx, "s1.jsonl");
        for p in &seen {
            assert_eq!(
                p.extension().and_then(|e| e.to_str()),
                Some("jsonl"),
                "{p:?}"
            );
            assert_ne!(
                p.file_name().and_then(|n| n.to_str()),
                Some("history.jsonl")
            );
        }

        // Subagent transcripts count too.
        let sub = dir.join("s1").join("subagents");
        fs::create_dir_all(&sub).unwrap();
        append(&sub.join("agent-1.jsonl"), "{}");
        until_named(&rx, "agent-1.jsonl");
    }

    #[test]
    fn reading_a_transcript_is_not_a_change() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("projects").join("-w-p");
        fs::create_dir_all(&dir).unwrap();
        let transcript = dir.join("s1.jsonl");
        append(&transcript, r#"{"type":"user"}"#);
        let (_w, rx) = start(tmp.path());
        // What every listing does to every transcript: open, read, close. Reported as a change,
        // each listing would start the next one, for ever.
        for _ in 0..3 {
            let _ = fs::read(&transcript).unwrap();
        }
        append(&dir.join("marker.jsonl"), "{}");
        let seen = until_named(&rx, "marker.jsonl");
        assert!(
            seen.iter()
                .all(|p| p.file_name().is_some_and(|n| n == "marker.jsonl")),
            "reads were reported: {seen:?}"
        );
    }

    #[test]
    fn a_projects_dir_made_after_the_start_is_picked_up() {
        let tmp = tempfile::tempdir().unwrap();
        let (w, rx) = start(tmp.path());
        assert_eq!(w.watched_dir().as_deref(), Some(tmp.path()));
        let dir = tmp.path().join("projects").join("-w-p");
        fs::create_dir_all(&dir).unwrap();
        append(&dir.join("first.jsonl"), "{}");
        until_named(&rx, "first.jsonl");
        assert_eq!(w.watched_dir(), Some(tmp.path().join("projects")));
        // Followed from now on.
        append(&dir.join("first.jsonl"), "{}");
        until_named(&rx, "first.jsonl");
    }

    #[test]
    fn a_config_dir_made_after_the_start_is_picked_up() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join(".claude");
        let (w, rx) = start(&config);
        assert_eq!(w.watched_dir().as_deref(), Some(tmp.path()));
        fs::create_dir(&config).unwrap();
        fs::write(config.join("settings.json"), "{}").unwrap();
        let dir = config.join("projects").join("-w-p");
        fs::create_dir_all(&dir).unwrap();
        append(&dir.join("late.jsonl"), "{}");
        until_named(&rx, "late.jsonl");
    }

    #[test]
    fn dropping_the_watcher_stops_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("projects").join("-w-p");
        fs::create_dir_all(&dir).unwrap();
        let (w, rx) = start(tmp.path());
        drop(w);
        append(&dir.join("after.jsonl"), "{}");
        // The watcher's thread ends and drops the callback (and its sender) with it.
        let deadline = Instant::now() + WAIT;
        loop {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!("the watcher still runs"),
                Ok(_) => {}
            }
        }
    }

    /// CPU ticks (user + system) of this process's threads named `name`, from `/proc`.
    #[cfg(target_os = "linux")]
    fn thread_ticks(name: &str) -> Option<u64> {
        let mut total = None;
        for task in fs::read_dir("/proc/self/task").ok()?.flatten() {
            let comm = fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            if comm.trim() != name {
                continue;
            }
            let stat = fs::read_to_string(task.path().join("stat")).ok()?;
            // Fields after the `(comm)`: state is 3rd, utime 14th, stime 15th.
            let rest = &stat[stat.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split(' ').collect();
            let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
            *total.get_or_insert(0) += ticks;
        }
        total
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_idle_watcher_uses_no_cpu() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("projects").join("-w-p");
        fs::create_dir_all(&dir).unwrap();
        let (_w, rx) = start(tmp.path());
        append(&dir.join("s.jsonl"), "{}");
        until_named(&rx, "s.jsonl");
        let before = thread_ticks("watch-projects").expect("the watcher's thread");
        std::thread::sleep(Duration::from_millis(1500));
        let after = thread_ticks("watch-projects").expect("the watcher's thread");
        // A timer that ticked every few ms would show here; a blocked receive shows nothing.
        assert!(after - before <= 1, "{before} -> {after} ticks while idle");
        assert!(
            rx.try_recv().is_err(),
            "nothing is reported while nothing changes"
        );
    }

    #[test]
    fn a_config_dir_with_no_existing_ancestor_is_an_error() {
        let err = TranscriptWatcher::start(Path::new("no-such-relative-dir/x"), 10, |_| {})
            .expect_err("nothing to watch");
        assert_eq!(err.kind(), "io");
    }
}
