//! The session pool: several live `claude` sessions at once, each one process speaking
//! stream-json, with a cap, timeouts, interrupt, permission prompts and metrics.
//!
//! Semantics follow the seed documents (ccproxy's session client and pool, shannon-mcp's session
//! manager, the TypeScript session manager, the resume fix plan):
//! - A session has a ccdesk run id (stable) and, once `system/init` has been seen, a CLI session
//!   id. Its processes come and go: closing, TTL expiry or a crash end the process; the next
//!   prompt starts a new one with `--resume=<session id>`, then, if that fails, up to
//!   [`PoolConfig::reconnect_attempts`] more with doubling back-off (one budget per prompt).
//! - At most [`PoolConfig::max_sessions`] processes live at once; past it a clear
//!   [`CoreError::PoolFull`], nothing is closed silently.
//! - Resuming a session that is already live reuses it (two processes must never write one
//!   transcript); one being interrupted is waited for, then reused only if the CLI ended the
//!   turn itself, otherwise replaced.
//! - Every process runs with `--permission-prompt-tool stdio`; `can_use_tool` requests become
//!   [`PermissionRequest`]s the UI answers with [`SessionPool::answer_permission`].
//! - Timeouts are checked by [`sweep_forever`] every [`PoolConfig::sweep_interval_ms`].

mod config;
mod mode;
mod permission;
mod session;
mod state;
pub mod writer;

use crate::sync::{LockExt, RwLockExt};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

pub use config::{PoolConfig, MAX_RECONNECT_ATTEMPTS, MAX_RECONNECT_BACKOFF_MS};
pub use mode::PermissionMode;
pub use permission::{PermissionAnswer, PermissionRequest, ToolPreview, PREVIEW_CHARS};
pub use session::{EventSink, PoolObserver, CONTROL_TIMEOUT_MS};
pub use state::{
    InterruptOutcome, PoolSnapshot, Resolution, RewindOutcome, SessionEvent, SessionInfo,
    SessionState, Tokens,
};

pub use session::now_ms;

/// The variable that turns the CLI's file checkpoints on in stream-json sessions (CLI 2.1.112
/// `cli.js`: read only when the CLI is not interactive).
pub const CHECKPOINTING_ENV: &str = "CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING";
use session::Live;

/// A pool for sessions under `config_dir`, finding `claude` with `locate`, with the process
/// watchdog ([`crate::claude::reaper::start_own`]) when it could start; `env` is added to every
/// child's environment; session locks are taken in `lock_dir` ([`writer`]; the window and the
/// headless commands pass [`crate::store::session_locks_dir`], so they share them). The window
/// and the headless commands make theirs with it.
///
/// Errors: the pool settings do not validate ([`CoreError::InvalidInput`]).
pub fn new_pool(
    config_dir: PathBuf,
    config: PoolConfig,
    locate: ClaudeLocator,
    env: Vec<(OsString, OsString)>,
    lock_dir: Option<PathBuf>,
) -> Result<SessionPool, crate::error::CoreError> {
    let pool = SessionPool::new(config_dir, locate, env, config)?.with_lock_dir(lock_dir);
    Ok(match crate::claude::reaper::start_own() {
        Some(r) => pool.with_reaper(r),
        None => pool,
    })
}

use crate::claude::reaper::Reaper;
use crate::claude::runner::{ClaudeCommand, ClaudeProcess, GroupSignal, RunOptions};
use crate::error::CoreError;
use crate::ids::{RunId, SessionId};
use crate::transcripts::index::{find_session, Resumability};
use crate::transcripts::paths;
use crate::transcripts::profiles::Profiles;

/// How long an ended session (closed, expired or failed; no process) stays in the pool untouched
/// before it leaves it, in ms (10 min): the pool view and the tray then stop listing it, and its
/// memory is freed. Its CLI session is resumed from the session browser as any other.
pub const RETIRE_AFTER_MS: u64 = 10 * 60 * 1000;

/// Finds the CLI each time a process starts (so installing it while ccdesk runs works).
/// It may ask the login shell for its PATH (seconds): the pool calls it on tokio's blocking pool.
pub type ClaudeLocator = Arc<dyn Fn() -> Result<ClaudeCommand, CoreError> + Send + Sync>;

/// What the UI asks for when it starts (or resumes) a session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartRequest {
    /// Folder for a new session. Ignored when resuming: a session resumes in the dir it was
    /// recorded in.
    #[serde(default)]
    pub cwd: Option<PathBuf>,
    /// The first prompt.
    pub prompt: String,
    /// CLI session id to resume.
    #[serde(default)]
    pub resume: Option<SessionId>,
    /// With `resume`: fork into a new session (`--fork-session`).
    #[serde(default)]
    pub fork_session: bool,
    /// Model alias or name; `None` for the CLI's default.
    #[serde(default)]
    pub model: Option<String>,
    /// Permission mode; `None` for the CLI's default.
    #[serde(default)]
    pub permission_mode: Option<PermissionMode>,
    /// The name of the config dir ([`crate::transcripts::profiles::Profile`]) the session is
    /// under: a resume looks the session up there, and the child gets it as
    /// `CLAUDE_CONFIG_DIR`. `None`: the pool's first config dir.
    #[serde(default)]
    pub profile: Option<String>,
}

/// The live sessions. Share it as `Arc<SessionPool>` and run [`sweep_forever`] beside it.
pub struct SessionPool {
    config_dir: PathBuf,
    locate: ClaudeLocator,
    env: Vec<(OsString, OsString)>,
    config: RwLock<PoolConfig>,
    sessions: Mutex<Vec<Arc<Live>>>,
    total_created: AtomicU64,
    reaper: Option<Arc<Reaper>>,
    observer: Arc<RwLock<Option<PoolObserver>>>,
    /// Where session locks are taken ([`writer`]).
    lock_dir: Option<PathBuf>,
    /// How long an ended session stays ([`RETIRE_AFTER_MS`]).
    retire_after: Duration,
    /// The config dirs a [`StartRequest::profile`] may name (the first is `config_dir`).
    profiles: Profiles,
}

impl SessionPool {
    /// A pool for sessions under `config_dir`, finding the CLI with `locate`; `env` is added to
    /// every child's environment.
    ///
    /// Errors: [`CoreError::InvalidInput`] when `config` does not validate.
    pub fn new(
        config_dir: PathBuf,
        locate: ClaudeLocator,
        env: Vec<(OsString, OsString)>,
        config: PoolConfig,
    ) -> Result<SessionPool, CoreError> {
        config.validate()?;
        let config_dir_copy = config_dir.clone();
        Ok(SessionPool {
            config_dir,
            locate,
            env,
            config: RwLock::new(config),
            sessions: Mutex::default(),
            total_created: AtomicU64::new(0),
            reaper: None,
            observer: Arc::default(),
            lock_dir: None,
            retire_after: Duration::from_millis(RETIRE_AFTER_MS),
            profiles: Profiles::single(config_dir_copy),
        })
    }

    /// Ended sessions leave the pool after `after` instead of [`RETIRE_AFTER_MS`] (tests).
    pub fn with_retire_after(mut self, after: Duration) -> Self {
        self.retire_after = after;
        self
    }

    /// Takes session locks in `dir` ([`writer`]); `None` (what [`SessionPool::new`] starts
    /// with) takes none, so two ccdesk processes could then write one transcript: tests only.
    pub fn with_lock_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.lock_dir = dir;
        self
    }

    /// Lets [`StartRequest::profile`] name any of `profiles`; their first must be this pool's
    /// config dir (else it is put first).
    pub fn with_profiles(mut self, profiles: Profiles) -> Self {
        if profiles.first().config_dir == self.config_dir {
            self.profiles = profiles;
        } else {
            tracing::warn!("the pool's profiles do not start with its config dir: not used");
        }
        self
    }

    /// The config dirs sessions may start under.
    pub fn profiles(&self) -> &Profiles {
        &self.profiles
    }

    /// Registers every process group with `reaper`, so they end even if ccdesk is killed.
    pub fn with_reaper(mut self, reaper: Arc<Reaper>) -> Self {
        self.reaper = Some(reaper);
        self
    }

    /// Calls `observer` on every state and metrics change of any session.
    pub fn set_observer(&self, observer: PoolObserver) {
        *self.observer.write_locked() = Some(observer);
    }

    /// The Claude Code config dir this pool works on.
    pub fn config_dir(&self) -> &std::path::Path {
        &self.config_dir
    }

    /// The limits in force.
    pub fn config(&self) -> PoolConfig {
        self.config.read_locked().clone()
    }

    /// Changes the limits; running sessions keep going (a lower cap only refuses new ones).
    ///
    /// Errors: [`CoreError::InvalidInput`] when `config` does not validate.
    pub fn set_config(&self, config: PoolConfig) -> Result<(), CoreError> {
        config.validate()?;
        *self.config.write_locked() = config;
        Ok(())
    }

    fn all(&self) -> Vec<Arc<Live>> {
        self.sessions.locked().clone()
    }

    fn get(&self, run_id: &str) -> Result<Arc<Live>, CoreError> {
        self.all()
            .into_iter()
            .find(|l| l.run_id == run_id)
            .ok_or_else(|| CoreError::UnknownRun(run_id.to_owned()))
    }

    /// Errors with [`CoreError::PoolFull`] when `extra` more live processes would pass the cap.
    fn check_capacity(&self) -> Result<(), CoreError> {
        let max = self.config().max_sessions;
        let all = self.all();
        let live: Vec<&Arc<Live>> = all.iter().filter(|l| l.state().is_live()).collect();
        if live.len() < max {
            return Ok(());
        }
        let idle = live
            .iter()
            .filter(|l| l.state() == SessionState::Ready)
            .map(|l| l.info())
            .max_by_key(|i| i.idle_ms);
        Err(CoreError::PoolFull {
            max,
            idle_run_id: idle.as_ref().map(|i| i.run_id.to_string()),
            idle_hint: idle.map(|i| {
                format!(
                    "the session in {} has been idle for {} s",
                    i.cwd.display(),
                    i.idle_ms / 1000
                )
            }),
        })
    }

    /// Starts a session (or resumes one) and sends its first prompt; events go to `sink`.
    /// Returns the run id. Resuming a session that is live already reuses it: `sink` replaces
    /// its previous one and the prompt goes to the running process.
    ///
    /// Errors: [`CoreError::InvalidInput`] (empty prompt, no folder, unknown permission mode),
    /// [`CoreError::UnknownSession`], [`CoreError::NotResumable`],
    /// [`CoreError::ProjectDirMissing`], [`CoreError::PoolFull`],
    /// [`CoreError::ClaudeNotFound`], [`CoreError::Spawn`].
    pub async fn start(&self, req: StartRequest, sink: EventSink) -> Result<RunId, CoreError> {
        if req.prompt.trim().is_empty() {
            return Err(CoreError::InvalidInput("the prompt is empty".into()));
        }
        let mode = req.permission_mode.map(|m| m.as_str().to_owned());
        if let (Some(id), false) = (&req.resume, req.fork_session) {
            let existing = self
                .all()
                .into_iter()
                .find(|l| l.session_id().as_ref() == Some(id));
            if let Some(live) = existing {
                live.set_sink(sink);
                let run_id = live.run_id.clone();
                self.send_prompt(&run_id, &req.prompt).await?;
                return Ok(run_id);
            }
        }
        let config_dir = match req.profile.as_deref() {
            None => self.config_dir.clone(),
            Some(name) => match self.profiles.by_name(name) {
                Some((_, p)) => p.config_dir.clone(),
                None => {
                    return Err(CoreError::InvalidInput(format!(
                        "no config dir is named {name:?}"
                    )))
                }
            },
        };
        // A resume looks its transcript up on disk: off the async workers.
        let cwd = {
            let (dir, req) = (config_dir.clone(), req.clone());
            off_runtime(&config_dir, move || resolve_cwd(&dir, &req)).await?
        };
        self.check_capacity()?;
        let mut env = self.env.clone();
        // File checkpoints, so that a live session's files can be rewound to before a turn
        // (`rewind_files`); the CLI turns them on for stream-json sessions only with this
        // variable (CLI 2.1.112), and `CLAUDE_CODE_DISABLE_FILE_CHECKPOINTING` still wins.
        if !env.iter().any(|(k, _)| k == CHECKPOINTING_ENV) {
            env.push((CHECKPOINTING_ENV.into(), "true".into()));
        }
        let mut lock_dir = self.lock_dir.clone();
        if config_dir != self.config_dir {
            env.retain(|(k, _)| k != paths::CONFIG_DIR_ENV);
            env.push((paths::CONFIG_DIR_ENV.into(), config_dir.clone().into()));
            // Where the window and the headless commands lock sessions of that config dir.
            lock_dir = lock_dir.and_then(|_| crate::store::session_locks_dir(&config_dir));
        }
        let opts = RunOptions {
            cwd,
            resume: req.resume.clone(),
            fork_session: req.fork_session && req.resume.is_some(),
            model: req.model.clone().filter(|m| !m.trim().is_empty()),
            permission_mode: mode,
            env,
            env_remove: Vec::new(),
            extra_args: vec!["--permission-prompt-tool".into(), "stdio".into()],
        };
        let run_id = RunId::new_random();
        let live = Arc::new(Live::new(
            run_id.clone(),
            opts.clone(),
            sink,
            Arc::clone(&self.observer),
            lock_dir,
        ));
        self.spawn_process(&live, opts).await?;
        self.sessions.locked().push(Arc::clone(&live));
        self.total_created.fetch_add(1, Ordering::Relaxed);
        let _guard = live.ops.lock().await;
        match live.write_prompt(&req.prompt).await {
            // Ended at once: its reader reports how (state `failed` with the CLI's words).
            Ok(()) | Err(CoreError::RunEnded) => Ok(run_id),
            Err(e) => Err(e),
        }
    }

    /// Spawns a process for `live` with `opts`, makes it current and sends `initialize`.
    async fn spawn_process(&self, live: &Arc<Live>, opts: RunOptions) -> Result<(), CoreError> {
        // One writer per transcript: a resumed session is locked before its process starts (a
        // fork writes a new transcript, locked at its `init`).
        if let (Some(id), false) = (&opts.resume, opts.fork_session) {
            live.hold_writer(id)?;
        }
        let locate = Arc::clone(&self.locate);
        let claude = off_runtime(Path::new("claude"), move || locate()).await?;
        let (run, events) = ClaudeProcess::spawn(&claude, opts).await?;
        let run = Arc::new(run);
        live.adopt(Arc::clone(&run), events, self.reaper.clone());
        // As the SDKs do; the answer (commands, models) is not needed, so it is not awaited. A
        // process that is already gone (e.g. an unknown `--resume` id) is reported by its
        // reader task with the exit; that is not an error of starting it.
        let init = crate::claude::stream::control_request_line(
            &format!("ccdesk_init_{}", uuid::Uuid::new_v4().simple()),
            json!({"subtype": "initialize", "hooks": null}),
        );
        if let Err(e) = run.write_line(&init).await {
            tracing::debug!(error = %e, "claude ended before it took the initialize request");
        }
        // Whether this process can rewind files: asked once, in the background.
        let (probe, probed) = (Arc::clone(live), Arc::clone(&run));
        tokio::spawn(async move {
            probe.probe_rewind(&probed).await;
        });
        Ok(())
    }

    /// Starts a new process for a session whose process has ended, resuming its CLI session,
    /// taking its tries from `starts` (one prompt's budget: a first start, then
    /// [`PoolConfig::reconnect_attempts`] retries with doubling back-off); errors that a retry
    /// cannot fix are returned at once. With no start left the session is failed.
    async fn reconnect(&self, live: &Arc<Live>, starts: &mut Starts) -> Result<(), CoreError> {
        let cfg = self.config();
        let (opts, state) = {
            let inner = live.lock();
            let mut opts = inner.opts.clone();
            // Until `init` named the session (e.g. a fork whose first process died early), the
            // original request (`--resume` of the source, `--fork-session`) is tried again.
            if inner.info.session_id.is_some() {
                opts.resume.clone_from(&inner.info.session_id);
                opts.fork_session = false;
            }
            (opts, inner.info.state.clone())
        };
        if let SessionState::Failed { kind, message } = &state {
            if kind == "not_resumable" {
                return Err(CoreError::NotResumable {
                    id: opts.resume.map(String::from).unwrap_or_default(),
                    reason: message.clone(),
                });
            }
        }
        let mut last = CoreError::RunEnded;
        while let Some(retry) = starts.take() {
            if retry > 0 {
                let wait = cfg
                    .reconnect_backoff_ms
                    .saturating_mul(1 << (retry - 1).min(10));
                live.warn(
                    "reconnecting",
                    format!(
                        "starting claude again (retry {retry} of {}) in {wait} ms: {last}",
                        cfg.reconnect_attempts
                    ),
                );
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            self.check_capacity()?;
            match self.spawn_process(live, opts.clone()).await {
                Ok(()) => return Ok(()),
                Err(
                    e @ (CoreError::ClaudeNotFound { .. }
                    | CoreError::ProjectDirMissing(_)
                    | CoreError::PoolFull { .. }
                    | CoreError::NotResumable { .. }
                    | CoreError::InvalidInput(_)),
                ) => return Err(e),
                Err(e) => last = e,
            }
        }
        live.transition(SessionState::Failed {
            kind: "reconnect_failed".into(),
            message: format!("claude could not be started again: {last}"),
        });
        Err(last)
    }

    /// Sends a prompt to a session. A session being interrupted is waited for (bounded by
    /// [`PoolConfig::interrupt_timeout_ms`]); one without a live process (closed, expired,
    /// crashed) is resumed in a new process first. A prompt sent while a turn runs is queued
    /// by the CLI.
    ///
    /// Errors: [`CoreError::UnknownRun`], [`CoreError::InvalidInput`] (empty prompt),
    /// [`CoreError::NotResumable`], [`CoreError::PoolFull`], and the errors of starting the CLI.
    pub async fn send_prompt(&self, run_id: &str, prompt: &str) -> Result<(), CoreError> {
        if prompt.trim().is_empty() {
            return Err(CoreError::InvalidInput("the prompt is empty".into()));
        }
        let live = self.get(run_id)?;
        let _guard = live.ops.lock().await;
        // It may have left the pool while this waited: it must not start a process the pool
        // no longer tracks.
        if live.is_retired() {
            return Err(CoreError::UnknownRun(run_id.to_owned()));
        }
        if live.state() == SessionState::Interrupting {
            self.wait_not_interrupting(&live).await;
        }
        if live.state() == SessionState::Interrupting {
            // The interrupt did not settle in time: never reuse a half-interrupted process.
            self.replace_process(&live).await;
        }
        let mut starts = Starts::new(self.config().reconnect_attempts);
        // Each round either returns or, when the process is gone, takes a start from the budget
        // (an empty budget fails the session): at most 2 + reconnect_attempts rounds.
        loop {
            if !live.state().is_live() {
                self.reconnect(&live, &mut starts).await?;
            }
            match live.write_prompt(prompt).await {
                Ok(()) => return Ok(()),
                Err(CoreError::RunEnded) => {
                    // Died between the check and the write: count it and try again.
                    let run = live.lock().run.clone();
                    let exited = match run {
                        Some(run) => run.wait_exited(Duration::from_millis(2_000)).await,
                        None => true,
                    };
                    if !exited {
                        // It took no input but lives on: never let a second process resume
                        // the same transcript beside it.
                        self.replace_process(&live).await;
                    } else if live.state().is_live() {
                        live.transition(SessionState::Closed);
                    }
                    if starts.is_empty() {
                        return Err(CoreError::RunEnded);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn wait_not_interrupting(&self, live: &Live) {
        let bound = Duration::from_millis(self.config().interrupt_timeout_ms);
        let mut rx = live.subscribe();
        let _ =
            tokio::time::timeout(bound, rx.wait_for(|s| *s != SessionState::Interrupting)).await;
    }

    /// Ends the current process at once, dropping anything it still prints. Its figures are
    /// booked when the next process is adopted.
    async fn replace_process(&self, live: &Live) {
        live.abandon_generation();
        let run = live.lock().run.clone();
        if let Some(run) = run {
            run.signal(GroupSignal::Terminate);
            if !run.wait_exited(Duration::from_millis(500)).await {
                run.signal(GroupSignal::Kill);
                run.wait_exited(Duration::from_millis(2_000)).await;
            }
            // Its (abandoned) exit is not recorded by `on_exit`: the lock goes here, once
            // nothing of this session writes any more.
            if run.has_exited() {
                live.release_writer();
            }
        }
        live.lock().info.pid = None;
        live.transition(SessionState::Closed);
    }

    /// Interrupts the running turn: the `interrupt` control request first; if the turn has not
    /// ended after [`PoolConfig::interrupt_grace_ms`], SIGINT, then SIGTERM, then SIGKILL to
    /// the process group. Bounded by [`PoolConfig::interrupt_timeout_ms`]; always leaves the
    /// session in a defined state (ready, or closed and resumable). Concurrent callers all wait
    /// for the same interrupt.
    ///
    /// Errors: [`CoreError::UnknownRun`].
    pub async fn interrupt(&self, run_id: &str) -> Result<InterruptOutcome, CoreError> {
        let live = self.get(run_id)?;
        let cfg = self.config();
        // The turn ended and the process lives on (it may already run a queued prompt).
        let outcome = |s: &SessionState| {
            if s.is_live() && *s != SessionState::Interrupting {
                InterruptOutcome::TurnEnded
            } else {
                InterruptOutcome::ProcessEnded
            }
        };
        let state = live.state();
        if state == SessionState::Interrupting {
            self.wait_not_interrupting(&live).await;
            return Ok(outcome(&live.state()));
        }
        if !state.is_busy() {
            return Ok(InterruptOutcome::NotRunning);
        }
        let started = Instant::now();
        if !live.begin_interrupt() {
            // The turn ended (or another caller started interrupting) since the check.
            return match live.state() {
                SessionState::Interrupting => {
                    self.wait_not_interrupting(&live).await;
                    Ok(outcome(&live.state()))
                }
                s if s.is_live() => Ok(InterruptOutcome::NotRunning),
                _ => Ok(InterruptOutcome::ProcessEnded),
            };
        }
        let run = live.lock().run.clone();
        let Some(run) = run else {
            live.transition(SessionState::Closed);
            return Ok(InterruptOutcome::ProcessEnded);
        };
        let mut rx = live.subscribe();
        let grace = Duration::from_millis(cfg.interrupt_grace_ms);
        let asked = tokio::time::timeout(grace, async {
            // The response is not needed: the turn's `result` (or the exit) is what counts.
            let _ = live.control(json!({"subtype": "interrupt"})).await;
            let _ = rx.wait_for(|s| *s != SessionState::Interrupting).await;
        })
        .await;
        if asked.is_ok() {
            return Ok(outcome(&live.state()));
        }
        tracing::info!(run = %run_id, "the CLI did not end the turn; signalling its process group");
        let total = Duration::from_millis(cfg.interrupt_timeout_ms);
        let step = total.saturating_sub(started.elapsed()) / 4;
        for sig in [
            GroupSignal::Interrupt,
            GroupSignal::Terminate,
            GroupSignal::Kill,
        ] {
            run.signal(sig);
            if run.wait_exited(step).await {
                break;
            }
        }
        // The reader task sets the final state on exit; make sure it has.
        let left = total.saturating_sub(started.elapsed());
        let _ = tokio::time::timeout(left, rx.wait_for(|s| *s != SessionState::Interrupting)).await;
        if live.state() == SessionState::Interrupting {
            live.abandon_generation();
            live.transition(SessionState::Failed {
                kind: "interrupt_timeout".into(),
                message: "the claude process did not end within the interrupt timeout".into(),
            });
        }
        Ok(outcome(&live.state()))
    }

    /// Answers a permission prompt.
    ///
    /// Errors: [`CoreError::UnknownRun`]; [`CoreError::InvalidInput`] when no such prompt is
    /// pending (answered already, or withdrawn); [`CoreError::RunEnded`].
    pub async fn answer_permission(
        &self,
        run_id: &str,
        request_id: &str,
        answer: PermissionAnswer,
    ) -> Result<(), CoreError> {
        let live = self.get(run_id)?;
        // Claimed under the session's lock: of two answers at once, one is written.
        let req = live.claim_permission(request_id).ok_or_else(|| {
            CoreError::InvalidInput(
                "this permission prompt is no longer pending (answered, being answered, \
                 withdrawn or abandoned)"
                    .into(),
            )
        })?;
        let run = live.lock().run.clone();
        let written = match run {
            Some(run) => run.write_line(&req.response_line(&answer)).await,
            None => Err(CoreError::RunEnded),
        };
        match written {
            Ok(()) => {
                live.resolve_permission(request_id);
                Ok(())
            }
            Err(e) => {
                live.unclaim_permission(request_id);
                Err(e)
            }
        }
    }

    /// Switches a session's permission mode: at once through the
    /// `set_permission_mode` control request when its process is alive, and for every later
    /// process.
    ///
    /// Errors: [`CoreError::UnknownRun`], [`CoreError::ControlRequest`] when the CLI refuses.
    pub async fn set_permission_mode(
        &self,
        run_id: &str,
        mode: PermissionMode,
    ) -> Result<(), CoreError> {
        let mode = mode.as_str();
        let live = self.get(run_id)?;
        let alive = live.state().is_live();
        if alive {
            live.control(json!({"subtype": "set_permission_mode", "mode": mode}))
                .await?;
        }
        {
            let mut inner = live.lock();
            inner.opts.permission_mode = Some(mode.to_owned());
            inner.info.permission_mode = mode.to_owned();
        }
        live.emit(SessionEvent::Metrics {
            info: Box::new(live.info()),
        });
        Ok(())
    }

    /// Rewinds the files that a live session's turns changed, from the prompt
    /// `user_message_id` (the `uuid` of its transcript line) on, to what they were before that
    /// prompt, through the control request `rewind_files` (CLI 2.1.112; the conversation is
    /// left as it is). `dry_run` only asks what would change. Only between turns.
    ///
    /// Errors: [`CoreError::UnknownRun`]; [`CoreError::InvalidInput`] while a turn runs or when
    /// the session's process cannot rewind ([`SessionInfo::rewind_files`], asked again here
    /// when the start-up probe said no);
    /// [`CoreError::ControlRequest`] with the CLI's reason (e.g. no checkpoint for that prompt);
    /// [`CoreError::RunEnded`].
    pub async fn rewind_files(
        &self,
        run_id: &str,
        user_message_id: &str,
        dry_run: bool,
    ) -> Result<RewindOutcome, CoreError> {
        let live = self.get(run_id)?;
        let _guard = live.ops.lock().await;
        let info = live.info();
        if info.state != SessionState::Ready {
            return Err(CoreError::InvalidInput(format!(
                "files can be rewound between turns only (the session is {})",
                info.state.name()
            )));
        }
        // The start-up probe may have timed out (a slow start): asked again before saying no.
        let can = info.rewind_files
            || match live.current_run() {
                Some(run) => live.probe_rewind(&run).await,
                None => false,
            };
        if !can {
            return Err(CoreError::InvalidInput(
                "this session's claude cannot rewind files (it has no file checkpoints)".into(),
            ));
        }
        let answer = live
            .control(json!({
                "subtype": "rewind_files",
                "user_message_id": user_message_id,
                "dry_run": dry_run,
            }))
            .await?;
        RewindOutcome::from_answer(&answer, dry_run).map_err(CoreError::ControlRequest)
    }

    /// Replaces the event sink of a session (the UI re-attaching after a reload) and returns
    /// its info.
    ///
    /// Errors: [`CoreError::UnknownRun`].
    pub fn attach(&self, run_id: &str, sink: EventSink) -> Result<SessionInfo, CoreError> {
        let live = self.get(run_id)?;
        live.set_sink(sink);
        Ok(live.info())
    }

    /// Ends a session's process (stdin closed, then signals; see [`ClaudeProcess::stop`]) and removes
    /// the session from the pool. The transcript stays; the session can be resumed later.
    /// Closing an unknown or closed session is not an error.
    pub async fn close(&self, run_id: &str) {
        let Ok(live) = self.get(run_id) else { return };
        let _guard = live.ops.lock().await;
        close_live(&live, None).await;
        self.sessions.locked().retain(|l| l.run_id != run_id);
    }

    /// Ends every session's process, concurrently; returns when all have exited. Used on quit.
    pub async fn close_all(&self) {
        let all = self.all();
        let mut tasks = tokio::task::JoinSet::new();
        for live in all {
            tasks.spawn(async move { close_live(&live, None).await });
        }
        while tasks.join_next().await.is_some() {}
    }

    /// One session's info.
    ///
    /// Errors: [`CoreError::UnknownRun`].
    pub fn info(&self, run_id: &str) -> Result<SessionInfo, CoreError> {
        Ok(self.get(run_id)?.info())
    }

    /// Every session, the count per state, and totals.
    pub fn snapshot(&self) -> PoolSnapshot {
        let mut sessions: Vec<SessionInfo> = self.all().iter().map(|l| l.info()).collect();
        sessions.sort_by_key(|s| std::cmp::Reverse(s.created_at_ms));
        let mut by_state = std::collections::BTreeMap::new();
        for s in &sessions {
            *by_state.entry(s.state.name().to_owned()).or_insert(0) += 1;
        }
        PoolSnapshot {
            live: sessions.iter().filter(|s| s.state.is_live()).count(),
            by_state,
            sessions,
            max_sessions: self.config().max_sessions,
            total_created: self.total_created.load(Ordering::Relaxed),
        }
    }

    /// Sessions that ended (no process) and stayed untouched for the retire time leave the pool,
    /// each with a last report ([`Live::retire`]). One busy with a prompt or a close (its `ops`
    /// held) stays until the next sweep; the removal happens under its `ops`, and a prompt that
    /// was waiting for them then finds it retired.
    fn retire_ended(&self) {
        let due: Vec<Arc<Live>> = self
            .all()
            .into_iter()
            .filter(|l| {
                let i = l.lock();
                i.run.is_none()
                    && !i.info.state.is_live()
                    && i.state_since.elapsed() > self.retire_after
            })
            .collect();
        for live in due {
            let Ok(_ops) = live.ops.try_lock() else {
                continue;
            };
            self.sessions.locked().retain(|l| !Arc::ptr_eq(l, &live));
            tracing::info!(run = %live.run_id, "an ended session left the pool");
            live.retire();
        }
    }

    /// Applies the timeouts once: first chunk, ongoing (interrupts the turn), stuck turns, TTL.
    /// [`sweep_forever`] calls it every [`PoolConfig::sweep_interval_ms`].
    pub async fn sweep(self: &Arc<Self>) {
        let cfg = self.config();
        let ms = Duration::from_millis;
        self.retire_ended();
        for live in self.all() {
            let state = live.state();
            let (since_spawn, since_output, since_use, turn_age, run, stuck) = {
                let i = live.lock();
                (
                    i.spawned_at.elapsed(),
                    i.last_output.elapsed(),
                    i.last_used.elapsed(),
                    i.turn_started.map(|t| t.elapsed()),
                    i.run.clone(),
                    i.info.stuck,
                )
            };
            let Some(run) = run else { continue };
            match state {
                // A sink that is slow to take events is not a silent CLI: while the reader is
                // handing events over, neither silence timeout applies.
                SessionState::Connecting
                    if since_spawn > ms(cfg.first_chunk_timeout_ms) && !live.is_delivering() =>
                {
                    live.lock().ending_as = Some(SessionState::Failed {
                        kind: "first_chunk_timeout".into(),
                        message: format!(
                            "claude printed nothing within {} s of starting; it was ended. Send the prompt again to retry.",
                            cfg.first_chunk_timeout_ms / 1000
                        ),
                    });
                    run.signal(GroupSignal::Kill);
                }
                SessionState::Streaming
                    if since_output > ms(cfg.ongoing_timeout_ms) && !live.is_delivering() =>
                {
                    live.warn(
                        "ongoing_timeout",
                        format!(
                            "no output for {} s: interrupting the turn (the session stays open)",
                            cfg.ongoing_timeout_ms / 1000
                        ),
                    );
                    let pool = Arc::clone(self);
                    let id = live.run_id.clone();
                    tokio::spawn(async move {
                        let _ = pool.interrupt(&id).await;
                    });
                }
                SessionState::Ready if since_use > ms(cfg.ttl_ms) => {
                    live.lock().ending_as = Some(SessionState::Expired);
                    tokio::spawn(async move { run.stop_within(ms(1_000)).await });
                }
                _ => {}
            }
            if state.is_busy() && !stuck && turn_age.is_some_and(|a| a > ms(cfg.stuck_after_ms)) {
                live.lock().info.stuck = true;
                live.warn(
                    "stuck",
                    format!(
                        "this turn has been running for over {} min; interrupt it if it is stuck",
                        cfg.stuck_after_ms / 60_000
                    ),
                );
            }
        }
    }
}

/// Ends a session's process and returns once the session is recorded as not live (the reader
/// task sets the state when it handles the exit; bounded, then forced).
async fn close_live(live: &Live, as_state: Option<SessionState>) {
    let state = as_state.unwrap_or(SessionState::Closed);
    let run = {
        let mut inner = live.lock();
        inner.ending_as = Some(state.clone());
        inner.run.clone()
    };
    let mut rx = live.subscribe();
    match run {
        Some(run) => {
            run.stop().await;
            let settled =
                tokio::time::timeout(Duration::from_millis(2_000), rx.wait_for(|s| !s.is_live()))
                    .await;
            if settled.is_err() {
                live.abandon_generation();
                live.transition(state);
            }
        }
        None => live.transition(state),
    }
}

/// Runs [`SessionPool::sweep`] every [`PoolConfig::sweep_interval_ms`] until the pool is dropped.
pub async fn sweep_forever(pool: Weak<SessionPool>) {
    loop {
        let interval = match pool.upgrade() {
            Some(p) => {
                p.sweep().await;
                p.config().sweep_interval_ms
            }
            None => return,
        };
        tokio::time::sleep(Duration::from_millis(interval)).await;
    }
}

/// A sink that drops every event (for callers that only poll [`SessionPool::snapshot`]).
pub fn null_sink() -> EventSink {
    Arc::new(|_| {})
}

/// One prompt's budget of process starts: a first start, then up to `retries` more.
struct Starts {
    /// Starts made so far.
    made: u32,
    /// Retries allowed after the first start ([`PoolConfig::reconnect_attempts`]).
    retries: u32,
}

impl Starts {
    fn new(retries: u32) -> Starts {
        Starts { made: 0, retries }
    }

    /// Takes a start: `Some(0)` for the first, `Some(k)` for the k-th retry, `None` when none
    /// is left.
    fn take(&mut self) -> Option<u32> {
        (self.made <= self.retries).then(|| {
            self.made += 1;
            self.made - 1
        })
    }

    /// Whether every start is taken.
    fn is_empty(&self) -> bool {
        self.made > self.retries
    }
}

/// The directory a session starts in: the resumed session's recorded project dir, or the new
/// session's folder (canonical, as the CLI records it). A resume of a session another `claude`
/// is writing right now ([`crate::claude::elsewhere`]) is refused.
fn resolve_cwd(config_dir: &Path, req: &StartRequest) -> Result<PathBuf, CoreError> {
    match &req.resume {
        Some(id) => {
            let summary = find_session(config_dir, id)?;
            if let Some(cwd) = summary.project_path.as_deref() {
                if let Some(e) = crate::claude::elsewhere::active_elsewhere(
                    &summary.transcript_path,
                    Path::new(cwd),
                ) {
                    let ago =
                        (crate::transcripts::retention::now_ms() - e.last_write_ms).max(0) / 1000;
                    return Err(CoreError::NotResumable {
                        id: id.to_string(),
                        reason: format!(
                            "it is live elsewhere: a claude process (pid {}) runs in its folder and wrote it {ago} s ago; watch it here instead (two claude processes must not write one transcript)",
                            e.pid
                        ),
                    });
                }
            }
            if let Resumability::NotResumable { message, .. } = &summary.resumability {
                return Err(CoreError::NotResumable {
                    id: id.to_string(),
                    reason: message.clone(),
                });
            }
            summary
                .project_path
                .map(PathBuf::from)
                .ok_or_else(|| CoreError::NotResumable {
                    id: id.to_string(),
                    reason: "no project directory recorded".into(),
                })
        }
        None => {
            let cwd = req
                .cwd
                .clone()
                .filter(|c| !c.as_os_str().is_empty())
                .ok_or_else(|| {
                    CoreError::InvalidInput("choose a folder for the new session".into())
                })?;
            if !cwd.is_dir() {
                return Err(CoreError::ProjectDirMissing(cwd));
            }
            // The CLI records the canonical path; so do we, for the index to group it right.
            dunce::canonicalize(&cwd).map_err(|e| CoreError::io(&cwd, e))
        }
    }
}

/// Runs `f` on tokio's blocking pool (disk lookups, the login shell): the async workers stay
/// free for the sessions' streams. A panic in `f` is an I/O error about `what`.
async fn off_runtime<T: Send + 'static>(
    what: &Path,
    f: impl FnOnce() -> Result<T, CoreError> + Send + 'static,
) -> Result<T, CoreError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(CoreError::io(
            what,
            std::io::Error::other(format!("a background task failed: {e}")),
        ))
    })
}
