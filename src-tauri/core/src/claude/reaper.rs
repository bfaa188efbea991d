//! No orphans when ccdesk itself dies: a watchdog process that ends every `claude` process
//! group ccdesk started once ccdesk is gone.
//!
//! ccdesk ends its children itself when it quits normally ([`crate::pool::SessionPool::close_all`]).
//! When it is killed (SIGKILL, a crash), nothing in it runs any more, so a small watchdog does
//! it: a second process (ccdesk's own executable started with [`REAPER_ARG`], or the
//! `ccdesk-reaper` binary) in its own process group, reading `+<pgid>` / `-<pgid>` lines on its
//! stdin. When stdin reaches EOF, which the kernel guarantees once ccdesk has died whatever the
//! way, it sends SIGTERM and then SIGKILL to every process group still registered and to the
//! groups of every process those CLIs started (Bash commands run detached, in groups of their
//! own; see [`crate::claude::proctree`]), then exits.
//!
//! Platforms: Linux and macOS get this watchdog (process groups + pipe EOF). Windows needs none:
//! each run lives in a Job Object with kill-on-close ([`crate::claude::control`]), which the OS
//! closes, ending every process in it, when ccdesk dies however it dies.

use crate::sync::LockExt;
use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use crate::error::CoreError;

/// The argument that makes ccdesk's executable run as the watchdog ([`serve`]).
pub const REAPER_ARG: &str = "--ccdesk-reaper";

/// Time between SIGTERM and SIGKILL when the watchdog ends the groups, in ms.
pub const REAPER_GRACE_MS: u64 = 500;

/// The handle ccdesk keeps on its watchdog. Uses `std::process` on purpose: registering a
/// group is a few bytes written from synchronous code, and the watchdog must not depend on
/// ccdesk's async runtime being alive.
pub struct Reaper {
    stdin: Mutex<Option<ChildStdin>>,
    child: Mutex<Child>,
}

impl Reaper {
    /// Starts the watchdog: `program args...`, which must end up in [`serve`].
    ///
    /// Errors: [`CoreError::Spawn`] when it cannot be started.
    pub fn spawn(program: &Path, args: &[&str]) -> Result<Reaper, CoreError> {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        // Its own group: Ctrl-C on ccdesk's terminal, or a signal to ccdesk's group, must not
        // take the watchdog down with ccdesk.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn().map_err(|source| CoreError::Spawn {
            program: program.to_path_buf(),
            source,
        })?;
        let stdin = child.stdin.take();
        tracing::info!(pid = child.id(), "process watchdog started");
        Ok(Reaper {
            stdin: Mutex::new(stdin),
            child: Mutex::new(child),
        })
    }

    /// The watchdog's process id.
    pub fn pid(&self) -> Option<u32> {
        Some(self.child.locked().id())
    }

    /// Registers a process group to end if ccdesk dies.
    pub fn watch(&self, pgid: u32) {
        self.send(&format!("+{pgid}\n"));
    }

    /// Unregisters a process group (its leader has exited).
    pub fn unwatch(&self, pgid: u32) {
        self.send(&format!("-{pgid}\n"));
    }

    fn send(&self, line: &str) {
        let mut guard = self.stdin.locked();
        if let Some(stdin) = guard.as_mut() {
            if let Err(e) = stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.flush())
            {
                tracing::warn!(error = %e, "the process watchdog is gone; children may outlive a crash");
                *guard = None;
            }
        }
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        // EOF: the watchdog ends what is still registered and exits.
        self.stdin.locked().take();
        let _ = self.child.locked().wait();
    }
}

/// The watchdog's main loop: reads `+pgid`/`-pgid` lines from `input` until EOF, then ends
/// every group still registered (SIGTERM, [`REAPER_GRACE_MS`], SIGKILL). Returns the groups it
/// signalled. Malformed lines are ignored.
pub fn serve(input: impl BufRead) -> Vec<u32> {
    let groups = registrations(input);
    if !groups.is_empty() {
        // Collected before any signal: once a CLI dies, its detached tool processes are
        // re-parented and can no longer be told from anyone else's.
        let trees: Vec<_> = groups
            .iter()
            .map(|&g| crate::claude::proctree::tree_of(g))
            .collect();
        for t in &trees {
            crate::claude::proctree::signal_tree(t, false);
        }
        std::thread::sleep(Duration::from_millis(REAPER_GRACE_MS));
        for t in &trees {
            crate::claude::proctree::signal_tree(t, true);
        }
    }
    groups
}

/// The watchdog's input read to EOF: `+<pgid>` registers a group, `-<pgid>` unregisters it, any
/// other line (and a pgid of 0 or 1) is ignored. Returns the groups still registered, ascending.
/// Pure: signals nothing (the fuzz target `watchdog_input` drives it).
pub fn registrations(input: impl BufRead) -> Vec<u32> {
    let mut groups = BTreeSet::new();
    for line in input.split(b'\n') {
        // A read error ends the input as EOF does; a line that is not UTF-8 is skipped.
        let Ok(line) = line else { break };
        let Ok(line) = std::str::from_utf8(&line) else {
            continue;
        };
        let line = line.trim();
        let (add, rest) = match line.split_at_checked(1) {
            Some(("+", rest)) => (true, rest),
            Some(("-", rest)) => (false, rest),
            _ => continue,
        };
        let Ok(pgid) = rest.parse::<u32>() else {
            continue;
        };
        if pgid <= 1 {
            continue;
        }
        if add {
            groups.insert(pgid);
        } else {
            groups.remove(&pgid);
        }
    }
    groups.into_iter().collect()
}

/// Starts the process watchdog: this process's own executable, run with [`REAPER_ARG`] (its
/// `main` must call [`serve`] for it), so that children end even if this process is killed.
/// `None`, with a warning, when it cannot start.
pub fn start_own() -> Option<std::sync::Arc<Reaper>> {
    // Windows: each run's kill-on-close Job Object ends its processes when ccdesk dies
    // (`claude::control`); there are no process groups for a watchdog to signal.
    if cfg!(not(unix)) {
        return None;
    }
    let exe = std::env::current_exe()
        .map_err(|e| tracing::warn!(error = %e, "no path to our own executable; no watchdog"))
        .ok()?;
    Reaper::spawn(&exe, &[REAPER_ARG])
        .map_err(|e| tracing::warn!(error = %e, "the process watchdog did not start"))
        .ok()
        .map(std::sync::Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_are_tracked_and_junk_ignored() {
        // pgids that cannot exist (above pid_max) so signalling them is harmless.
        let input = "+4194999\n+4194998\n-4194999\nnonsense\n+1\n+abc\n";
        assert_eq!(serve(input.as_bytes()), vec![4_194_998]);
    }
}
