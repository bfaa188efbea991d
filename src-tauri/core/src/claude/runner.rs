//! The claude process runner: spawns the CLI speaking stream-json in both directions, feeds it
//! prompts, and turns its stdout into [`RunEvent`]s.
//!
//! Spawned as the Agent SDKs do (Python SDK `_internal/transport/subprocess_cli.py`, CLI
//! 2.1.112/2.1.330): `claude -p --output-format stream-json --verbose --input-format stream-json
//! --include-partial-messages [--resume=<id>] [--fork-session] [--model=M] [--permission-mode=M]`,
//! in the session's recorded cwd, with no shell in between. Each prompt is one stream-json `user`
//! line on stdin; the process stays alive between turns until stdin is closed.
//!
//! Guarantees:
//! - stdout is read **to EOF** (a run can print more than one `result`; stopping early leaves a
//!   session that later fails to resume), then the exit status is collected, then exactly one
//!   [`RunEvent::Exited`] is sent, always last.
//! - stderr is drained concurrently (a full stderr pipe would otherwise block the CLI) and its
//!   last [`STDERR_TAIL_BYTES`] are kept for error reports.
//! - The child runs in its own process group (Unix) or kill-on-close Job Object (Windows), so
//!   ending a run ends its tools' processes too ([`crate::claude::control`]), and is killed when
//!   its handle is dropped.
//! - Events go through a bounded channel of [`EVENT_BUFFER`] events: a consumer that stops
//!   reading slows the CLI down (back-pressure through its stdout pipe) instead of growing memory.

use crate::sync::LockExt;
use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, Command};
use tokio::sync::{mpsc, watch, Mutex as AsyncMutex};

pub use crate::claude::control::GroupSignal;
use crate::claude::control::{self, Control};
use crate::claude::discover::{
    discover_with_path, npm_shim_target, ClaudeDiscovery, DiscoverInputs,
};
use crate::claude::stream::{user_message_line, EventKind, StreamEvent};
use crate::error::CoreError;

/// Bytes of stderr kept for error reports (the most recent ones).
pub const STDERR_TAIL_BYTES: usize = 64 * 1024;
/// Longest stream-json line of the CLI's stdout that is kept, in bytes (64 MiB). A longer one is
/// skipped to its newline (never held in memory), counted as malformed and reported in
/// [`RunExit::errors`].
pub const MAX_STDOUT_LINE_BYTES: usize = 64 << 20;
/// Capacity of a run's event channel, in events.
pub const EVENT_BUFFER: usize = 1024;
/// How long a write to the CLI's stdin may block (the CLI not reading its input), in ms; past
/// it the input is closed and the write fails with [`CoreError::RunEnded`].
pub const WRITE_TIMEOUT_MS: u64 = 10_000;
/// How long [`ClaudeProcess::stop`] waits after closing stdin before signalling, in ms.
pub const STOP_GRACE_MS: u64 = 3_000;

/// How to start the CLI: the executable, run directly (never through a shell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaudeCommand {
    /// Absolute path of the executable (the native `claude`, or the JS build's `cli.js` with its
    /// `#!/usr/bin/env node` line).
    pub program: PathBuf,
    /// `PATH` for the child, as found with it ([`crate::claude::discover::child_path`]: its own
    /// dir, the login shell's `PATH`, the launcher's); `None` inherits ccdesk's.
    pub path_var: Option<OsString>,
    /// A script `program` runs, passed as its first argument: the CLI's `cli.js` when an npm
    /// batch shim is run as `node cli.js` ([`crate::claude::discover::npm_shim_target`],
    /// Windows).
    pub script: Option<PathBuf>,
}

impl ClaudeCommand {
    /// Uses exactly this executable, with ccdesk's own `PATH`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        ClaudeCommand {
            program: program.into(),
            path_var: None,
            script: None,
        }
    }

    /// Finds the CLI as [`crate::claude::discover`] does with no configured path: `$CCDESK_CLAUDE`,
    /// `claude` on `PATH`, on the login shell's `PATH`, `~/.claude/local/claude`, npm's global bin.
    ///
    /// Errors: [`CoreError::ClaudeNotFound`] listing every place tried.
    pub fn locate() -> Result<Self, CoreError> {
        Self::locate_configured(None)
    }

    /// [`ClaudeCommand::locate`] with the path from ccdesk's settings tried first.
    ///
    /// Errors: [`CoreError::ClaudeNotFound`] listing every place tried.
    pub fn locate_configured(configured: Option<PathBuf>) -> Result<Self, CoreError> {
        Self::locate_with(&DiscoverInputs::from_env(configured).without_version())
    }

    /// Finds the CLI with these inputs, and the `PATH` it is to run with.
    ///
    /// Errors: [`CoreError::ClaudeNotFound`] listing every place tried.
    pub fn locate_with(inputs: &DiscoverInputs) -> Result<Self, CoreError> {
        Self::found(discover_with_path(inputs))
    }

    /// [`ClaudeCommand::locate`] with its inputs given (no login shell, no npm prefix), for tests.
    ///
    /// Errors: [`CoreError::ClaudeNotFound`] listing every place tried.
    pub fn locate_in(
        override_path: Option<OsString>,
        path_var: Option<OsString>,
        home: Option<PathBuf>,
    ) -> Result<Self, CoreError> {
        Self::locate_with(&DiscoverInputs {
            env_override: override_path.filter(|p| !p.is_empty()),
            path_var,
            home,
            ..DiscoverInputs::default()
        })
    }

    fn found((d, path_var): (ClaudeDiscovery, Option<OsString>)) -> Result<Self, CoreError> {
        match d.found {
            Some(f) => {
                let shim = if cfg!(windows) {
                    npm_shim_target(&f.path, path_var.as_ref())
                } else {
                    None
                };
                Ok(match shim {
                    Some((node, cli)) => ClaudeCommand {
                        program: node,
                        path_var,
                        script: Some(cli),
                    },
                    None => ClaudeCommand {
                        program: f.path,
                        path_var,
                        script: None,
                    },
                })
            }
            None => Err(CoreError::ClaudeNotFound { tried: d.tried }),
        }
    }
}

/// Finds the `claude` executable each time a process is about to start, keeping the path found
/// until it is no longer a file or [`ClaudeFinder::forget`] is called (the settings changed).
/// Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct ClaudeFinder {
    locate: Arc<dyn Fn() -> Result<ClaudeCommand, CoreError> + Send + Sync>,
    found: Arc<Mutex<Option<ClaudeCommand>>>,
}

impl ClaudeFinder {
    /// A finder that asks `locate` when it has nothing (or nothing valid) cached, e.g.
    /// `ClaudeCommand::locate_configured` with the path the settings name.
    pub fn new(
        locate: impl Fn() -> Result<ClaudeCommand, CoreError> + Send + Sync + 'static,
    ) -> Self {
        ClaudeFinder {
            locate: Arc::new(locate),
            found: Arc::default(),
        }
    }

    /// The executable to run (with its `PATH`): the cached one while it is a file, else a new
    /// search.
    ///
    /// Errors: what `locate` fails with ([`CoreError::ClaudeNotFound`] listing every place tried).
    pub fn locate(&self) -> Result<ClaudeCommand, CoreError> {
        if let Some(c) = self.found.locked().clone() {
            if c.program.is_file() {
                return Ok(c);
            }
        }
        let command = (self.locate)()?;
        *self.found.locked() = Some(command.clone());
        Ok(command)
    }

    /// Forgets the path found: the next [`ClaudeFinder::locate`] searches again.
    pub fn forget(&self) {
        *self.found.locked() = None;
    }
}

/// How to run one session.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Working directory: the session's project path. Must exist.
    pub cwd: PathBuf,
    /// Resume this CLI session id (`--resume=<id>`).
    pub resume: Option<crate::ids::SessionId>,
    /// With `resume`: fork into a new session id (`--fork-session`).
    pub fork_session: bool,
    /// `--model=<m>`.
    pub model: Option<String>,
    /// `--permission-mode=<m>` (`default`, `acceptEdits`, `plan`, ...).
    pub permission_mode: Option<String>,
    /// Extra environment for the child (API endpoint, config dir, ...). Never logged.
    pub env: Vec<(OsString, OsString)>,
    /// Inherited variables to remove from the child's environment (applied before `env`).
    pub env_remove: Vec<OsString>,
    /// Extra CLI arguments, each passed as one argv entry (e.g. `--allowedTools=Bash`).
    pub extra_args: Vec<String>,
}

impl RunOptions {
    /// The argv after the program name.
    pub fn args(&self) -> Vec<String> {
        let mut args: Vec<String> = [
            "-p",
            "--output-format",
            "stream-json",
            "--verbose",
            "--input-format",
            "stream-json",
            "--include-partial-messages",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        if let Some(id) = &self.resume {
            args.push(format!("--resume={id}"));
            if self.fork_session {
                args.push("--fork-session".to_owned());
            }
        }
        if let Some(m) = &self.model {
            args.push(format!("--model={m}"));
        }
        if let Some(m) = &self.permission_mode {
            args.push(format!("--permission-mode={m}"));
        }
        args.extend(self.extra_args.iter().cloned());
        args
    }
}

/// How a run's process ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunExit {
    /// Exit code; `None` when ended by a signal.
    pub code: Option<i32>,
    /// Signal that ended it (Unix), if any.
    pub signal: Option<i32>,
    /// The last [`STDERR_TAIL_BYTES`] of stderr, lossily decoded.
    pub stderr_tail: String,
    /// Errors the CLI reported in `result` lines (`errors`, or the text of an `is_error` result).
    pub errors: Vec<String>,
    /// The CLI session id, from the last `system/init` (`None` when the CLI never started a
    /// session, e.g. an unknown `--resume` id).
    pub session_id: Option<String>,
    /// stdout lines that were not JSON objects.
    pub malformed_lines: usize,
}

impl RunExit {
    /// True for exit code 0 with no reported errors.
    pub fn is_success(&self) -> bool {
        self.code == Some(0) && self.errors.is_empty()
    }
}

/// What a run reports, in order. [`RunEvent::Exited`] is always the last event.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    /// One stdout line of the CLI, decoded.
    Cli(StreamEvent),
    /// A stdout line that was not a JSON object: skipped and counted; `preview` is its first
    /// 200 chars.
    Malformed {
        /// Start of the line, lossily decoded.
        preview: String,
    },
    /// The process has ended and stdout was read to EOF.
    Exited(RunExit),
}

/// Serialized for the UI as `{"event":"cli","line":{..as the CLI printed it..}}`,
/// `{"event":"malformed","preview":".."}` or `{"event":"exited", ..RunExit fields}`.
impl serde::Serialize for RunEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            RunEvent::Cli(line) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("event", "cli")?;
                m.serialize_entry("line", line)?;
                m.end()
            }
            RunEvent::Malformed { preview } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("event", "malformed")?;
                m.serialize_entry("preview", preview)?;
                m.end()
            }
            RunEvent::Exited(exit) => {
                #[derive(serde::Serialize)]
                struct Tagged<'a> {
                    event: &'static str,
                    #[serde(flatten)]
                    exit: &'a RunExit,
                }
                Tagged {
                    event: "exited",
                    exit,
                }
                .serialize(s)
            }
        }
    }
}

/// A live `claude` process. Dropping it kills the process group if it is still running.
pub struct ClaudeProcess {
    stdin: AsyncMutex<Option<ChildStdin>>,
    pid: Option<u32>,
    state: Arc<Shared>,
    control: Control,
}

/// What the reader task tells the [`ClaudeProcess`] handle.
struct Shared {
    /// From the last `system/init`.
    session_id: Mutex<Option<String>>,
    /// Becomes true once the process has exited and its output was read.
    exited: watch::Sender<bool>,
    /// stdout bytes read so far.
    bytes_read: AtomicU64,
}

impl ClaudeProcess {
    /// Spawns the CLI for `opts` and starts reading it. Send the first prompt with
    /// [`ClaudeProcess::send_prompt`].
    ///
    /// Errors: [`CoreError::ProjectDirMissing`] when `opts.cwd` is not a directory;
    /// [`CoreError::Spawn`] when the program cannot be started.
    pub async fn spawn(
        claude: &ClaudeCommand,
        opts: RunOptions,
    ) -> Result<(ClaudeProcess, mpsc::Receiver<RunEvent>), CoreError> {
        if !opts.cwd.is_dir() {
            return Err(CoreError::ProjectDirMissing(opts.cwd.clone()));
        }
        let mut cmd = Command::new(&claude.program);
        if let Some(script) = &claude.script {
            cmd.arg(script);
        }
        cmd.args(opts.args())
            .current_dir(&opts.cwd)
            .env_remove("CLAUDECODE");
        // The PATH it was found with (so `#!/usr/bin/env node` finds nvm's node); `opts.env`
        // may still set its own.
        if let Some(path) = &claude.path_var {
            cmd.env("PATH", path);
        }
        for k in &opts.env_remove {
            cmd.env_remove(k);
        }
        cmd.envs(opts.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Its own process group (Unix) or Job Object (Windows): see `control`.
        let mut child = control::spawn(cmd).map_err(|source| CoreError::Spawn {
            program: claude.program.clone(),
            source,
        })?;
        let pid = child.id();
        let control = Control::new(pid);
        tracing::info!(pid, cwd = %opts.cwd.display(), resume = ?opts.resume, "claude run started");
        let (tx, rx) = mpsc::channel(EVENT_BUFFER);
        let state = Arc::new(Shared {
            session_id: Mutex::new(None),
            exited: watch::Sender::new(false),
            bytes_read: AtomicU64::new(0),
        });
        let stdin = child.stdin().take();
        let stdout = child.stdout().take();
        let stderr = child.stderr().take();
        let task_state = Arc::clone(&state);
        let task_control = control.clone();
        tokio::spawn(async move {
            let stderr_task = tokio::spawn(drain_stderr(stderr));
            let mut exit = RunExit::default();
            if let Some(stdout) = stdout {
                read_stdout(stdout, &tx, &task_state, &mut exit).await;
            }
            let status = task_control.wait(&mut child).await;
            exit.stderr_tail = stderr_task.await.unwrap_or_default();
            match status {
                Ok(st) => {
                    exit.code = st.code();
                    #[cfg(unix)]
                    {
                        use std::os::unix::process::ExitStatusExt;
                        exit.signal = st.signal();
                    }
                }
                Err(e) => exit
                    .errors
                    .push(format!("cannot collect the exit status: {e}")),
            }
            exit.session_id.clone_from(&task_state.session_id.locked());
            task_state.exited.send_replace(true);
            tracing::info!(pid, code = ?exit.code, signal = ?exit.signal, "claude run ended");
            // The receiver may be gone; the run is over either way.
            let _ = tx.send(RunEvent::Exited(exit)).await;
        });
        Ok((
            ClaudeProcess {
                stdin: AsyncMutex::new(stdin),
                pid,
                state,
                control,
            },
            rx,
        ))
    }

    /// Sends one prompt as a stream-json `user` line. A prompt sent while a turn runs is queued
    /// by the CLI.
    ///
    /// Errors: [`CoreError::InvalidInput`] for an empty prompt; [`CoreError::RunEnded`] when
    /// the process is gone or its stdin was closed.
    pub async fn send_prompt(&self, prompt: &str) -> Result<(), CoreError> {
        if prompt.trim().is_empty() {
            return Err(CoreError::InvalidInput("the prompt is empty".into()));
        }
        self.write_line(&user_message_line(prompt)).await
    }

    /// Writes one raw line (a stream-json message or control request) to the CLI's stdin.
    ///
    /// Errors: [`CoreError::RunEnded`] when the process is gone, its stdin was closed, or it
    /// has not taken the line within [`WRITE_TIMEOUT_MS`].
    pub async fn write_line(&self, line: &str) -> Result<(), CoreError> {
        let mut guard = self.stdin.lock().await;
        let stdin = guard.as_mut().ok_or(CoreError::RunEnded)?;
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        let res = tokio::time::timeout(Duration::from_millis(WRITE_TIMEOUT_MS), async {
            stdin.write_all(&buf).await?;
            stdin.flush().await
        })
        .await;
        if !matches!(res, Ok(Ok(()))) {
            *guard = None;
            return Err(CoreError::RunEnded);
        }
        Ok(())
    }

    /// Closes stdin: the CLI finishes the turn under way and exits.
    pub async fn close_input(&self) {
        self.stdin.lock().await.take();
    }

    /// Ends the run: closes stdin, waits up to [`STOP_GRACE_MS`], then SIGTERM and finally
    /// SIGKILL to the whole process group. Returns when the process has exited (bounded by
    /// about `STOP_GRACE_MS + 2 s`).
    pub async fn stop(&self) {
        self.stop_within(Duration::from_millis(STOP_GRACE_MS)).await;
    }

    /// [`ClaudeProcess::stop`] with its own grace period before the signals.
    pub async fn stop_within(&self, grace: Duration) {
        self.close_input().await;
        if self.wait_exited(grace).await {
            return;
        }
        self.signal(GroupSignal::Terminate);
        if self.wait_exited(Duration::from_millis(1_500)).await {
            return;
        }
        self.signal(GroupSignal::Kill);
        self.wait_exited(Duration::from_millis(500)).await;
    }

    /// The CLI session id once `system/init` has been seen.
    pub fn session_id(&self) -> Option<String> {
        self.state.session_id.locked().clone()
    }

    /// Bytes of stdout read so far (all lines, malformed ones included).
    pub fn bytes_read(&self) -> u64 {
        self.state.bytes_read.load(Ordering::Relaxed)
    }

    /// True once the process has exited and its output was read.
    pub fn has_exited(&self) -> bool {
        *self.state.exited.borrow()
    }

    /// OS process id (also the process group id on Unix).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Waits up to `within` for the process to exit and its output to be read; true if it has.
    pub async fn wait_exited(&self, within: Duration) -> bool {
        let mut exited = self.state.exited.subscribe();
        let _ = tokio::time::timeout(within, exited.wait_for(|e| *e)).await;
        self.has_exited()
    }

    /// Sends `sig` to the run's process tree ([`GroupSignal`] says what each does per OS; see
    /// [`crate::claude::control`]). Does nothing once the process has exited.
    pub fn signal(&self, sig: GroupSignal) {
        if self.has_exited() {
            return;
        }
        self.control.signal(sig);
    }
}

impl Drop for ClaudeProcess {
    fn drop(&mut self) {
        self.signal(GroupSignal::Kill);
    }
}

async fn read_stdout(
    stdout: impl AsyncRead + Unpin,
    tx: &mpsc::Sender<RunEvent>,
    state: &Shared,
    exit: &mut RunExit,
) {
    let mut reader = BufReader::with_capacity(256 * 1024, stdout);
    let mut line = Vec::new();
    let mut receiver_gone = false;
    loop {
        line.clear();
        match read_line_capped(&mut reader, &mut line, MAX_STDOUT_LINE_BYTES).await {
            Ok((0, _)) => break,
            Ok((n, overflow)) => {
                state.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
                if overflow {
                    exit.malformed_lines += 1;
                    let e = format!(
                        "the CLI printed a line of over {} MiB; it was skipped",
                        MAX_STDOUT_LINE_BYTES >> 20
                    );
                    if !exit.errors.contains(&e) {
                        exit.errors.push(e);
                    }
                    let preview = String::from_utf8_lossy(&line[..line.len().min(200)]);
                    let event = RunEvent::Malformed {
                        preview: preview.chars().take(200).collect(),
                    };
                    if !receiver_gone && tx.send(event).await.is_err() {
                        receiver_gone = true;
                    }
                    continue;
                }
            }
            Err(e) => {
                exit.errors
                    .push(format!("reading the CLI's output failed: {e}"));
                break;
            }
        }
        if line.trim_ascii().is_empty() {
            continue;
        }
        let event = match StreamEvent::parse(&line) {
            Some(ev) => {
                // From `init` only: a failed `--resume` prints a `result` carrying the unknown id.
                if matches!(ev.kind(), EventKind::Init) {
                    if let Some(id) = ev.session_id() {
                        *state.session_id.locked() = Some(id.to_owned());
                    }
                }
                for e in ev.result_errors() {
                    if !exit.errors.contains(&e) {
                        exit.errors.push(e);
                    }
                }
                RunEvent::Cli(ev)
            }
            None => {
                exit.malformed_lines += 1;
                let text = String::from_utf8_lossy(&line[..line.len().min(800)]);
                RunEvent::Malformed {
                    preview: text.trim_end().chars().take(200).collect(),
                }
            }
        };
        // Keep reading to EOF even when nobody listens any more.
        if !receiver_gone && tx.send(event).await.is_err() {
            receiver_gone = true;
        }
    }
}

/// Reads one line (newline included) into `line`, keeping at most `cap` bytes of it; the rest
/// up to the newline is read and dropped. Returns the bytes consumed (0 at EOF) and whether the
/// line was longer than `cap` (then `line` holds its first `cap` bytes).
///
/// Errors: the reader's.
async fn read_line_capped(
    reader: &mut (impl tokio::io::AsyncBufRead + Unpin),
    line: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut overflow = false;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok((consumed, overflow));
        }
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = cap.saturating_sub(line.len());
        if take > room {
            overflow = true;
        }
        line.extend_from_slice(&buf[..take.min(room)]);
        reader.consume(take);
        consumed += take;
        if done {
            return Ok((consumed, overflow));
        }
    }
}

/// Reads stderr to EOF, keeping the last [`STDERR_TAIL_BYTES`].
async fn drain_stderr(stderr: Option<impl AsyncRead + Unpin>) -> String {
    let Some(mut stderr) = stderr else {
        return String::new();
    };
    let mut tail: VecDeque<u8> = VecDeque::with_capacity(STDERR_TAIL_BYTES);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stderr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let chunk = &buf[..n];
                let chunk = &chunk[chunk.len().saturating_sub(STDERR_TAIL_BYTES)..];
                let overflow = (tail.len() + chunk.len()).saturating_sub(STDERR_TAIL_BYTES);
                tail.drain(..overflow);
                tail.extend(chunk);
            }
        }
    }
    let bytes: Vec<u8> = tail.into_iter().collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn the_finder_searches_once_while_the_file_stays_and_again_when_told() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("claude");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        let searches = Arc::new(AtomicUsize::new(0));
        let (n, found) = (Arc::clone(&searches), exe.clone());
        let finder = ClaudeFinder::new(move || {
            n.fetch_add(1, Ordering::SeqCst);
            Ok(ClaudeCommand::new(found.clone()))
        });
        assert_eq!(finder.locate().unwrap().program, exe);
        assert_eq!(finder.clone().locate().unwrap().program, exe);
        assert_eq!(
            searches.load(Ordering::SeqCst),
            1,
            "cached, shared by clones"
        );
        finder.forget();
        finder.locate().unwrap();
        assert_eq!(
            searches.load(Ordering::SeqCst),
            2,
            "searched again after forget"
        );
        std::fs::remove_file(&exe).unwrap();
        finder.locate().unwrap();
        assert_eq!(
            searches.load(Ordering::SeqCst),
            3,
            "searched again once the file is gone"
        );
    }

    #[test]
    fn the_finder_passes_a_failed_search_on_and_caches_nothing() {
        let searches = Arc::new(AtomicUsize::new(0));
        let n = Arc::clone(&searches);
        let finder = ClaudeFinder::new(move || {
            n.fetch_add(1, Ordering::SeqCst);
            Err(CoreError::ClaudeNotFound {
                tried: vec!["PATH".into()],
            })
        });
        assert_eq!(finder.locate().unwrap_err().kind(), "claude_not_found");
        assert!(finder.locate().is_err());
        assert_eq!(searches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_line_over_the_cap_is_skipped_to_its_newline_and_flagged() {
        let input = format!("{}\nok\n", "x".repeat(100));
        let mut reader = tokio::io::BufReader::with_capacity(16, input.as_bytes());
        let mut line = Vec::new();
        let (n, overflow) = super::read_line_capped(&mut reader, &mut line, 10)
            .await
            .unwrap();
        assert_eq!((n, overflow, line.len()), (101, true, 10));
        line.clear();
        let (n, overflow) = super::read_line_capped(&mut reader, &mut line, 10)
            .await
            .unwrap();
        assert_eq!((n, overflow, line.as_slice()), (3, false, &b"ok\n"[..]));
        line.clear();
        assert_eq!(
            super::read_line_capped(&mut reader, &mut line, 10)
                .await
                .unwrap(),
            (0, false)
        );
    }

    use super::*;

    #[test]
    fn args_are_those_of_the_sdks_with_ids_as_flag_values() {
        let opts = RunOptions {
            resume: Some(crate::ids::SessionId::parse("abc-1").unwrap()),
            fork_session: true,
            model: Some("sonnet".into()),
            permission_mode: Some("plan".into()),
            ..Default::default()
        };
        let a = opts.args();
        for f in [
            "--output-format",
            "stream-json",
            "--verbose",
            "--input-format",
            "--include-partial-messages",
        ] {
            assert!(a.iter().any(|x| x == f), "missing {f}");
        }
        // `--resume=<id>`: one argument, and a SessionId never starts with `-` anyway.
        assert!(a.contains(&"--resume=abc-1".to_owned()));
        assert!(a.contains(&"--fork-session".to_owned()));
        assert!(a.contains(&"--model=sonnet".to_owned()));
        assert!(a.contains(&"--permission-mode=plan".to_owned()));
    }

    #[test]
    fn fork_is_only_passed_with_resume() {
        let opts = RunOptions {
            fork_session: true,
            ..Default::default()
        };
        assert!(!opts.args().contains(&"--fork-session".to_owned()));
    }

    #[test]
    fn a_missing_cli_names_every_place_tried() {
        let dir = tempfile::tempdir().ok();
        let home = dir.as_ref().map(|d| d.path().to_path_buf());
        let err = ClaudeCommand::locate_in(
            Some("/nonexistent/claude".into()),
            Some("/nonexistent-bin".into()),
            home,
        );
        let Err(CoreError::ClaudeNotFound { tried }) = err else {
            panic!("expected ClaudeNotFound")
        };
        assert_eq!(tried.len(), 3);
        assert!(tried[0].contains("CCDESK_CLAUDE=/nonexistent/claude"));
        assert!(tried[2].ends_with(".claude/local/claude"));
    }

    #[cfg(unix)]
    #[test]
    fn the_env_override_wins_over_path() {
        use std::os::unix::fs::PermissionsExt;
        let Ok(dir) = tempfile::tempdir() else { return };
        let exe = dir.path().join("my-claude");
        let on_path = dir.path().join("claude");
        for p in [&exe, &on_path] {
            std::fs::write(p, "#!/bin/sh\n").ok();
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).ok();
        }
        let found =
            ClaudeCommand::locate_in(Some(exe.clone().into()), Some(dir.path().into()), None);
        assert_eq!(found.ok().map(|c| c.program), Some(exe));
        let found = ClaudeCommand::locate_in(None, Some(dir.path().into()), None);
        assert_eq!(found.ok().map(|c| c.program), Some(on_path));
    }
}
