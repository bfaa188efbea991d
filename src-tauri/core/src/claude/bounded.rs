//! Short commands with a deadline (`claude --version`, `npm prefix -g`, a login shell's `PATH`,
//! `claude agents --json`): run directly (never through a shell), stdin closed, in a process group
//! of their own (no console window on Windows), both pipes drained on threads, and the whole group
//! killed once the deadline passes; output still held open by a process that left the group is
//! waited for at most a second more.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How a bounded run ended.
pub(crate) enum Outcome {
    /// It exited; its output, lossily decoded, each cut at its bound.
    Exited {
        status: ExitStatus,
        stdout: String,
        stderr: String,
    },
    /// It ran for the whole timeout and was killed (with its process group).
    TimedOut,
}

/// Runs `command` (its program, arguments and environment set by the caller) for at most
/// `timeout`, keeping the first `stdout_limit` and `stderr_limit` bytes of its output (the rest is
/// read and dropped, so it never blocks on a full pipe).
///
/// Errors: the spawn's, after a few retries while the executable is busy (`ETXTBSY`).
pub(crate) fn run(
    mut command: Command,
    timeout: Duration,
    stdout_limit: u64,
    stderr_limit: u64,
) -> std::io::Result<Outcome> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so that on a timeout whatever it started (a login shell's
    // children) ends too.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    // No console window flashing up.
    #[cfg(windows)]
    std::os::windows::process::CommandExt::creation_flags(
        &mut command,
        windows::Win32::System::Threading::CREATE_NO_WINDOW.0,
    );
    let mut child = spawn_retrying(&mut command)?;
    // Both pipes are read on threads so that a child filling one cannot block the wait below.
    let stdout = child.stdout.take().map(|s| drain(s, stdout_limit));
    let stderr = child.stderr.take().map(|s| drain(s, stderr_limit));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                #[cfg(unix)]
                if let Ok(pid) = i32::try_from(child.id()) {
                    let _ = nix::sys::signal::killpg(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    // A grandchild that left the group (or, on Windows, outlived its parent) may hold the pipes
    // open: what the readers have by then is taken, and they are left to end on their own.
    let give_up = Instant::now() + READ_GRACE;
    let collect = |reader: Option<std::sync::mpsc::Receiver<Vec<u8>>>| {
        let bytes = reader
            .and_then(|r| {
                r.recv_timeout(give_up.saturating_duration_since(Instant::now()))
                    .ok()
            })
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let (stdout, stderr) = (collect(stdout), collect(stderr));
    Ok(match status {
        Some(status) => Outcome::Exited {
            status,
            stdout,
            stderr,
        },
        None => Outcome::TimedOut,
    })
}

/// How long the output is waited for once the child has exited or been killed, in ms.
const READ_GRACE: Duration = Duration::from_millis(1_000);

/// Reads `pipe` to its end on a thread, keeping its first `limit` bytes; they arrive on the
/// returned channel once the pipe is closed.
fn drain(mut pipe: impl Read + Send + 'static, limit: u64) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let _ = pipe.by_ref().take(limit).read_to_end(&mut kept);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        let _ = tx.send(kept);
    });
    rx
}

/// Spawns `command`, retrying a few times (about 0.3 s in all) while the executable is busy
/// (`ETXTBSY`: it was just written and another thread's fork still holds it open for writing).
fn spawn_retrying(command: &mut Command) -> std::io::Result<std::process::Child> {
    const ATTEMPTS: u64 = 5;
    let mut attempt = 1;
    loop {
        match command.spawn() {
            Err(e) if is_text_busy(&e) && attempt < ATTEMPTS => {
                std::thread::sleep(Duration::from_millis(30 * attempt));
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_text_busy(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(nix::errno::Errno::ETXTBSY as i32)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_child_that_exits_is_read_and_its_status_kept() {
        let mut c = Command::new("sh");
        c.args(["-c", "echo out; echo err >&2; exit 3"]);
        let Ok(Outcome::Exited {
            status,
            stdout,
            stderr,
        }) = run(c, Duration::from_secs(10), 1 << 20, 1 << 10)
        else {
            panic!("sh ran and exited");
        };
        assert_eq!(
            (status.code(), stdout.as_str(), stderr.as_str()),
            (Some(3), "out\n", "err\n")
        );
    }

    /// A grandchild that left the process group keeps the pipes open: the run still returns
    /// within its timeout and the grace, not when the grandchild ends.
    #[test]
    fn a_grandchild_holding_the_pipes_does_not_hold_the_run() {
        let mut c = Command::new("sh");
        c.args(["-c", "setsid sleep 30 & echo started"]);
        let started = Instant::now();
        let outcome = run(c, Duration::from_secs(2), 1 << 20, 1 << 10);
        assert!(matches!(outcome, Ok(Outcome::Exited { .. })));
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "{:?}",
            started.elapsed()
        );
    }
}
