//! Process control per OS: how a `claude` process is started so that it, and every process it
//! starts, can be ended; and how they are ended. The runner ([`crate::claude::runner`]) uses only
//! [`spawn`] and [`Control`]; what differs per OS is here, on `process-wrap`.
//!
//! - **Unix** (Linux, macOS): the CLI leads a process group of its own
//!   (`process_wrap::tokio::ProcessGroup`). An interrupt is SIGINT to that group (what Ctrl-C in a
//!   terminal sends, as the SDKs' `interrupt` falls back to); ending it sends SIGTERM, then SIGKILL,
//!   to the group and to the groups of every descendant ([`crate::claude::proctree`]: the Bash
//!   tool runs its commands detached, in groups of their own). If ccdesk itself is killed, the
//!   watchdog ([`crate::claude::reaper`]) does the same.
//! - **Windows**: the CLI runs in a Job Object with kill-on-job-close
//!   (`process_wrap::tokio::{JobObject, KillOnDrop}`) and `CREATE_NO_WINDOW`, so no console window
//!   flashes up. Every process it starts joins the job; ending the run terminates the job; if
//!   ccdesk dies, however it dies, the OS closes the job's last handle and ends them all (no
//!   watchdog is needed). There is no SIGINT for a process without a console: an interrupt is the
//!   control request alone, and its escalation terminates the job.
//!
//! The Windows and macOS paths are compiled and tested by the GitHub Actions matrix
//! (`.github/workflows/ci.yml`); Linux runs them all here.

use std::process::ExitStatus;
use std::sync::Arc;

use process_wrap::tokio::{ChildWrapper, CommandWrap, KillOnDrop};
use tokio::sync::Notify;

/// A signal for a run's process tree, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupSignal {
    /// SIGINT to the group (Unix): what Ctrl-C in a terminal sends; the CLI aborts its turn and
    /// exits. Nothing on Windows (the `interrupt` control request is the interrupt there).
    Interrupt,
    /// SIGTERM to the group and its descendants' groups (Unix); the job terminated (Windows).
    Terminate,
    /// SIGKILL to the group and its descendants' groups (Unix); the job terminated (Windows).
    Kill,
}

/// Spawns `cmd` under this OS's process control: its own process group (Unix) or a kill-on-close
/// Job Object without a console window (Windows); killed when its handle is dropped.
///
/// Errors: the OS's spawn error.
pub fn spawn(cmd: tokio::process::Command) -> std::io::Result<Box<dyn ChildWrapper>> {
    let mut wrap = CommandWrap::from(cmd);
    #[cfg(unix)]
    wrap.wrap(process_wrap::tokio::ProcessGroup::leader());
    #[cfg(windows)]
    {
        wrap.wrap(process_wrap::tokio::JobObject);
        wrap.wrap(process_wrap::tokio::CreationFlags(
            windows::Win32::System::Threading::CREATE_NO_WINDOW,
        ));
    }
    wrap.wrap(KillOnDrop);
    wrap.spawn()
}

/// Ends a spawned process tree: shared by the run's handle (which asks) and its reader task
/// (which owns the child and waits for it with [`Control::wait`]). Cheap to clone.
#[derive(Clone, Debug)]
pub struct Control {
    pid: Option<u32>,
    /// Asks the task in [`Control::wait`] to kill the child through its wrapper (the Job Object
    /// on Windows, the group on Unix).
    kill: Arc<Notify>,
}

impl Control {
    /// Control of the process `pid` (also its group id on Unix).
    pub fn new(pid: Option<u32>) -> Control {
        Control {
            pid,
            kill: Arc::new(Notify::new()),
        }
    }

    /// Sends `sig` to the tree (see [`GroupSignal`] for what each does per OS). Never blocks.
    pub fn signal(&self, sig: GroupSignal) {
        #[cfg(unix)]
        if let Some(pid) = self.pid {
            use crate::claude::proctree::{signal_tree, tree_of};
            match sig {
                GroupSignal::Interrupt => {
                    use nix::sys::signal::{killpg, Signal};
                    if let Ok(p) = i32::try_from(pid) {
                        if let Err(e) = killpg(nix::unistd::Pid::from_raw(p), Signal::SIGINT) {
                            tracing::debug!(pid, error = %e, "signalling the process group failed");
                        }
                    }
                }
                // The CLI's detached tool processes too (see `proctree`).
                GroupSignal::Terminate => signal_tree(&tree_of(pid), false),
                GroupSignal::Kill => signal_tree(&tree_of(pid), true),
            }
        }
        // Through the child's wrapper as well: the only way on Windows (the Job Object), and on
        // Unix a SIGKILL to the group the wrapper made (the same path, tested on Linux).
        if matches!(sig, GroupSignal::Kill) || (cfg!(windows) && sig == GroupSignal::Terminate) {
            self.kill.notify_one();
        }
    }

    /// Waits for the CLI's own process to exit (not for processes it left behind: those end
    /// with its group or job), killing it through its wrapper whenever [`Control::signal`] asks.
    ///
    /// Errors: the OS's error waiting for it.
    pub async fn wait(&self, child: &mut Box<dyn ChildWrapper>) -> std::io::Result<ExitStatus> {
        loop {
            let asked = tokio::select! {
                status = child.inner_mut().wait() => return status,
                () = self.kill.notified() => true,
            };
            if asked {
                if let Err(e) = child.start_kill() {
                    tracing::debug!(pid = self.pid, error = %e, "killing the process tree failed");
                }
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::AsyncBufReadExt;

    fn alive(pid: u32) -> bool {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), None).is_ok()
    }

    /// The wrapper's own kill (the only way on Windows, where there is no pid to signal): a
    /// `Control` that knows no pid still ends the child and what it started in its group.
    #[tokio::test]
    async fn a_kill_through_the_wrapper_ends_the_child_and_its_group() {
        let mut cmd = tokio::process::Command::new("sh");
        cmd.args(["-c", "sleep 30 & echo $!; wait"])
            .stdout(std::process::Stdio::piped());
        let mut child = spawn(cmd).expect("sh starts");
        let stdout = child.stdout().take().expect("stdout");
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let sleeper: u32 = lines
            .next_line()
            .await
            .ok()
            .flatten()
            .and_then(|l| l.trim().parse().ok())
            .expect("the sleeper's pid");
        assert!(alive(sleeper));
        let control = Control::new(None);
        let waiting = {
            let control = control.clone();
            tokio::spawn(async move { control.wait(&mut child).await })
        };
        control.signal(GroupSignal::Kill);
        let status = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the child ended")
            .expect("the task ran")
            .expect("a status");
        assert!(!status.success());
        for _ in 0..100 {
            if !alive(sleeper) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the process it started in its group outlived it");
    }
}
