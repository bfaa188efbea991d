//! One live session: the current `claude` process, its state machine and metrics, and the task
//! that turns the process's output into [`SessionEvent`]s.
//!
//! A session outlives its processes: when one ends (closed, expired, crashed) the next prompt
//! starts another with `--resume=<session id>`. Each process has a *generation*; output of a
//! generation that is no longer current is dropped and counted, so an abandoned turn can never
//! leak into the next one.

use crate::ids::{RunId, SessionId};
use crate::sync::{LockExt, RwLockExt};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, watch};

use super::permission::PermissionRequest;
use super::state::{result_usage, Resolution, SessionEvent, SessionInfo, SessionState};
use super::writer::WriterLock;
use crate::claude::reaper::Reaper;
use crate::claude::runner::{ClaudeProcess, RunEvent, RunExit, RunOptions};
use crate::claude::stream::{control_request_line, EventKind, StreamEvent};
use crate::error::CoreError;
use std::path::PathBuf;

/// Receives a session's events, in order. Must return quickly (it runs on the reader task).
pub type EventSink = Arc<dyn Fn(SessionEvent) + Send + Sync>;
/// Told about every state or metrics change of any session (for the pool view and the tray).
pub type PoolObserver = Arc<dyn Fn(&SessionInfo) + Send + Sync>;

/// How long a control request (interrupt aside) waits for the CLI's answer, in ms.
pub const CONTROL_TIMEOUT_MS: u64 = 5_000;

/// The `user_message_id` of the start-up probe of `rewind_files`: a uuid no prompt has.
const REWIND_PROBE_ID: &str = "00000000-0000-4000-8000-00000000cc0d";

/// Now, in ms since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Mutable part of a session, behind one mutex (held briefly, never across an await).
pub(crate) struct Inner {
    pub info: SessionInfo,
    pub run: Option<Arc<ClaudeProcess>>,
    /// Options for the next process (resume id and fork are set per connect).
    pub opts: RunOptions,
    pub last_used: Instant,
    pub last_output: Instant,
    pub spawned_at: Instant,
    pub turn_started: Option<Instant>,
    /// Prompts written whose `result` has not come yet.
    pub in_flight: u64,
    /// What the current process's end is to be recorded as (set by close, TTL, timeouts).
    pub ending_as: Option<SessionState>,
    last_message_id: Option<String>,
    /// `total_cost_usd` of the current process (cumulative per process).
    process_cost: f64,
    cost_before: f64,
    bytes_before: u64,
    waiters: HashMap<String, oneshot::Sender<Result<Value, String>>>,
    next_request: u64,
    /// Processes started for this session so far.
    processes: u32,
    /// Permission requests whose answer is being written: a second answer to one of them (a
    /// double click, two windows) is refused, so the CLI gets one answer per request.
    answering: HashSet<String>,
    /// The session's writer lock ([`super::writer`]), held while a process of this session may
    /// write its transcript.
    writer: Option<WriterLock>,
    /// When the state last changed.
    pub state_since: Instant,
}

/// A session in the pool.
pub(crate) struct Live {
    pub run_id: RunId,
    inner: Mutex<Inner>,
    state_tx: watch::Sender<SessionState>,
    sink: RwLock<EventSink>,
    observer: Arc<RwLock<Option<PoolObserver>>>,
    /// Events decided but not yet delivered, in order.
    outbox: Mutex<VecDeque<SessionEvent>>,
    /// Held by the one thread delivering the outbox.
    delivering: Mutex<()>,
    /// Serializes prompt sending, reconnects and closing.
    pub ops: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    /// Where session locks are taken ([`super::writer`]); `None`: none are.
    lock_dir: Option<PathBuf>,
}

impl Live {
    pub fn new(
        run_id: RunId,
        opts: RunOptions,
        sink: EventSink,
        observer: Arc<RwLock<Option<PoolObserver>>>,
        lock_dir: Option<PathBuf>,
    ) -> Live {
        let now = Instant::now();
        let created = now_ms();
        let info = SessionInfo::new(
            run_id.clone(),
            opts.resume.clone().filter(|_| !opts.fork_session),
            opts.cwd.clone(),
            opts.model.clone(),
            opts.permission_mode
                .clone()
                .unwrap_or_else(|| "default".to_owned()),
            created,
        );
        Live {
            run_id,
            inner: Mutex::new(Inner {
                info,
                run: None,
                opts,
                last_used: now,
                last_output: now,
                spawned_at: now,
                turn_started: None,
                in_flight: 0,
                ending_as: None,
                last_message_id: None,
                process_cost: 0.0,
                cost_before: 0.0,
                bytes_before: 0,
                waiters: HashMap::new(),
                next_request: 0,
                processes: 0,
                answering: HashSet::new(),
                writer: None,
                state_since: now,
            }),
            state_tx: watch::Sender::new(SessionState::Connecting),
            sink: RwLock::new(sink),
            observer,
            outbox: Mutex::new(VecDeque::new()),
            delivering: Mutex::new(()),
            ops: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
            lock_dir,
        }
    }

    /// Takes session `id`'s writer lock for this session, unless it holds it already (a
    /// lock for another id, e.g. the source of a fork, is let go).
    ///
    /// Errors: [`CoreError::NotResumable`] when another ccdesk process holds it;
    /// [`CoreError::Io`] when the lock file cannot be used.
    pub fn hold_writer(&self, id: &SessionId) -> Result<(), CoreError> {
        self.take_writer(&mut self.lock(), id)
    }

    /// [`Live::hold_writer`] under the caller's lock.
    fn take_writer(&self, inner: &mut Inner, id: &SessionId) -> Result<(), CoreError> {
        let Some(dir) = &self.lock_dir else {
            return Ok(());
        };
        if inner.writer.as_ref().is_none_or(|w| w.session_id() != id) {
            inner.writer = Some(WriterLock::acquire(dir, id)?);
        }
        Ok(())
    }

    /// At `system/init`: the session `id` the CLI writes (new, or forked) is locked for this
    /// session if it is not yet. A refusal cannot stop a process that already runs; it is logged.
    fn hold_writer_in(&self, inner: &mut Inner, id: &SessionId) {
        if let Err(e) = self.take_writer(inner, id) {
            tracing::warn!(error = %e, session = %id, "the session lock was not taken");
        }
    }

    /// Lets the writer lock go: no process of this session is left to write its transcript.
    pub fn release_writer(&self) {
        self.lock().writer = None;
    }

    /// Locks the mutable part. A poisoned lock (a panic elsewhere) is recovered: the data is
    /// plain values, still consistent enough to report and shut down.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.locked()
    }

    /// The CLI session id, once known; cheaper than a whole [`Live::info`].
    pub fn session_id(&self) -> Option<SessionId> {
        self.lock().info.session_id.clone()
    }

    pub fn state(&self) -> SessionState {
        self.state_tx.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<SessionState> {
        self.state_tx.subscribe()
    }

    pub fn set_sink(&self, sink: EventSink) {
        *self.sink.write_locked() = sink;
    }

    /// A snapshot of the session with ages computed now.
    pub fn info(&self) -> SessionInfo {
        let inner = self.lock();
        snapshot(&inner)
    }

    /// True while events are being handed to the sink (a slow sink is not a silent CLI).
    pub fn is_delivering(&self) -> bool {
        matches!(
            self.delivering.try_lock(),
            Err(std::sync::TryLockError::WouldBlock)
        )
    }

    /// Queues one event and delivers the queue (see [`Live::flush`]).
    pub fn emit(&self, ev: SessionEvent) {
        self.queue(vec![ev]);
        self.flush();
    }

    /// Appends events to the outbox. Callers that decided them under the `inner` lock call this
    /// before releasing it, so the outbox order is the order in which states were set.
    fn queue(&self, events: Vec<SessionEvent>) {
        if events.is_empty() {
            return;
        }
        let mut outbox = self.outbox.locked();
        outbox.extend(events);
    }

    /// Delivers queued events to the sink and the pool observer, in queue order, from one
    /// thread at a time. A caller that finds another one delivering returns at once: the other
    /// one delivers its events too (it drains until the outbox is empty), so a sink that blocks
    /// never blocks the callers of the pool's methods.
    fn flush(&self) {
        self.deliver_outbox(false);
    }

    /// [`Live::flush`] for the reader task: waits for a delivery under way instead of returning,
    /// so that a slow sink holds the reader (and through its pipe the CLI) back rather than
    /// letting the outbox grow.
    fn flush_waiting(&self) {
        self.deliver_outbox(true);
    }

    fn deliver_outbox(&self, wait: bool) {
        loop {
            let _delivering = if wait {
                self.delivering.locked()
            } else {
                match self.delivering.try_lock() {
                    Ok(g) => g,
                    // A sink that panicked once must not stop every later delivery.
                    Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(std::sync::TryLockError::WouldBlock) => return,
                }
            };
            let started = Instant::now();
            loop {
                let next = self.outbox.locked().pop_front();
                let Some(ev) = next else { break };
                self.deliver(ev);
            }
            // Time spent handing events to a slow sink is ccdesk's, not the CLI's: it does not
            // count towards the first-chunk and ongoing timeouts.
            let busy = started.elapsed();
            if busy > Duration::from_millis(10) {
                let mut inner = self.lock();
                inner.spawned_at += busy;
                inner.last_output = inner.last_output.max(Instant::now());
            }
            drop(_delivering);
            let empty = self.outbox.locked().is_empty();
            if empty {
                return;
            }
        }
    }

    fn deliver(&self, ev: SessionEvent) {
        let notify = match &ev {
            SessionEvent::State { info } | SessionEvent::Metrics { info } => {
                Some(info.as_ref().clone())
            }
            _ => None,
        };
        // Cloned out of the lock: the sink runs without holding it.
        let sink = Arc::clone(&self.sink.read_locked());
        sink(ev);
        if let Some(info) = notify {
            let obs = self.observer.read_locked().clone();
            if let Some(obs) = obs {
                obs(&info);
            }
        }
    }

    /// Sets the state (under the lock) and returns the event announcing it.
    fn set_state(&self, inner: &mut Inner, state: SessionState) -> Option<SessionEvent> {
        if inner.info.state == state {
            return None;
        }
        tracing::debug!(run = %self.run_id, from = inner.info.state.name(), to = state.name(), "session state");
        inner.info.state = state.clone();
        inner.state_since = Instant::now();
        self.state_tx.send_replace(state);
        Some(SessionEvent::State {
            info: Box::new(snapshot(inner)),
        })
    }

    /// Marks the session as having left the pool and tells the UI (its sink and the pool
    /// observer) with a last `state` event whose info has `retired` set.
    pub fn retire(&self) {
        {
            let mut inner = self.lock();
            inner.info.retired = true;
            let ev = SessionEvent::State {
                info: Box::new(snapshot(&inner)),
            };
            self.queue(vec![ev]);
        }
        self.flush();
    }

    /// Whether the session has left the pool ([`Live::retire`]).
    pub fn is_retired(&self) -> bool {
        self.lock().info.retired
    }

    /// Changes the state from outside the reader task and tells the UI.
    pub fn transition(&self, state: SessionState) {
        {
            let mut inner = self.lock();
            let ev = self.set_state(&mut inner, state);
            self.queue(ev.into_iter().collect());
        }
        self.flush();
    }

    /// Sends a warning to the UI.
    pub fn warn(&self, code: &str, message: String) {
        tracing::info!(run = %self.run_id, code, %message, "session warning");
        self.emit(SessionEvent::Warning {
            code: code.to_owned(),
            message,
        });
    }

    /// Drops every pending permission prompt as `resolution`, returning the events.
    fn drop_pending(inner: &mut Inner, resolution: Resolution) -> Vec<SessionEvent> {
        inner
            .info
            .pending_permissions
            .drain(..)
            .map(|p| SessionEvent::PermissionResolved {
                request_id: p.request_id,
                resolution,
            })
            .collect()
    }

    /// Starts the reader task of a freshly spawned process and makes it the current generation.
    pub fn adopt(
        self: &Arc<Self>,
        run: Arc<ClaudeProcess>,
        events: mpsc::Receiver<RunEvent>,
        reaper: Option<Arc<Reaper>>,
    ) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let pid = run.pid();
        if let (Some(reaper), Some(pid)) = (&reaper, pid) {
            reaper.watch(pid);
        }
        {
            let mut inner = self.lock();
            let inner = &mut *inner;
            // A replaced process whose exit was never recorded: keep its figures, drop its
            // prompts (nobody can answer them any more).
            if let Some(old) = inner.run.take() {
                inner.cost_before += inner.process_cost;
                inner.bytes_before += old.bytes_read();
            }
            let mut events = Self::drop_pending(inner, Resolution::Abandoned);
            inner.processes += 1;
            inner.info.reconnects = inner.processes.saturating_sub(1);
            inner.run = Some(Arc::clone(&run));
            inner.info.pid = pid;
            let now = Instant::now();
            inner.spawned_at = now;
            inner.last_output = now;
            inner.turn_started = None;
            inner.in_flight = 0;
            inner.ending_as = None;
            inner.process_cost = 0.0;
            inner.info.stuck = false;
            inner.info.rewind_files = false;
            events.extend(self.set_state(inner, SessionState::Connecting));
            self.queue(events);
        };
        self.flush();
        let live = Arc::clone(self);
        tokio::spawn(async move {
            let mut events = events;
            while let Some(ev) = events.recv().await {
                let current = live.generation.load(Ordering::SeqCst) == generation;
                match ev {
                    RunEvent::Exited(exit) => {
                        if let (Some(reaper), Some(pid)) = (&reaper, pid) {
                            reaper.unwatch(pid);
                        }
                        if current {
                            live.on_exit(&run, exit);
                        }
                        break;
                    }
                    _ if !current => live.lock().info.stale_lines_dropped += 1,
                    RunEvent::Cli(line) => live.on_line(&run, line),
                    RunEvent::Malformed { preview } => {
                        live.queue(vec![SessionEvent::Malformed { preview }]);
                        live.flush_waiting();
                    }
                }
            }
        });
    }

    /// Makes the current process stale: whatever it still prints is dropped.
    pub fn abandon_generation(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn on_line(self: &Arc<Self>, run: &Arc<ClaudeProcess>, line: StreamEvent) {
        let mut out = Vec::new();
        let mut reply: Option<String> = None;
        let mut after = Vec::new();
        {
            let mut inner = self.lock();
            let inner = &mut *inner;
            inner.last_output = Instant::now();
            match line.kind() {
                EventKind::Init => {
                    if let Some(id) = line.session_id() {
                        match SessionId::parse(id) {
                            Ok(id) => {
                                self.hold_writer_in(inner, &id);
                                inner.info.session_id = Some(id);
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "the CLI reported an unusable session id")
                            }
                        }
                    }
                    if let Some(m) = line.raw().get("model").and_then(Value::as_str) {
                        inner.info.model = Some(m.to_owned());
                    }
                    if let Some(m) = line.raw().get("permissionMode").and_then(Value::as_str) {
                        inner.info.permission_mode = m.to_owned();
                    }
                    if matches!(
                        inner.info.state,
                        SessionState::Connecting | SessionState::Ready
                    ) {
                        inner.turn_started.get_or_insert_with(Instant::now);
                        after.extend(self.set_state(inner, SessionState::Streaming));
                    }
                }
                EventKind::System(sub) if sub == "status" => {
                    if let Some(m) = line.raw().get("permissionMode").and_then(Value::as_str) {
                        inner.info.permission_mode = m.to_owned();
                    }
                }
                EventKind::Assistant => {
                    let id = line
                        .raw()
                        .get("message")
                        .and_then(|m| m.get("id"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    if id.is_none() || id != inner.last_message_id {
                        inner.info.messages_out += 1;
                        inner.last_message_id = id;
                    }
                }
                EventKind::ControlRequest => match PermissionRequest::from_line(line.raw()) {
                    Some(req) => {
                        inner.info.pending_permissions.push(req.clone());
                        after.push(SessionEvent::Permission {
                            request: Box::new(req),
                        });
                        if inner.info.state != SessionState::Interrupting {
                            after.extend(self.set_state(inner, SessionState::WaitingForPermission));
                        }
                    }
                    None => {
                        // Hook callbacks, MCP messages: ccdesk registers none, so it says so
                        // rather than leaving the CLI waiting.
                        let id = line.raw().get("request_id").and_then(Value::as_str);
                        let sub = line
                            .raw()
                            .get("request")
                            .and_then(|r| r.get("subtype"))
                            .and_then(Value::as_str)
                            .unwrap_or("?");
                        if let Some(id) = id {
                            reply = Some(
                                json!({"type":"control_response","response":{
                                "subtype":"error","request_id":id,
                                "error":format!("ccdesk does not handle {sub} requests")}})
                                .to_string(),
                            );
                        }
                    }
                },
                EventKind::ControlCancel => {
                    let id = line.raw().get("request_id").and_then(Value::as_str);
                    let before = inner.info.pending_permissions.len();
                    inner
                        .info
                        .pending_permissions
                        .retain(|p| Some(p.request_id.as_str()) != id);
                    if inner.info.pending_permissions.len() != before {
                        after.push(SessionEvent::PermissionResolved {
                            request_id: id.unwrap_or_default().to_owned(),
                            resolution: Resolution::Cancelled,
                        });
                    }
                    after.extend(self.permissions_settled(inner));
                }
                EventKind::ControlResponse => {
                    let resp = line.raw().get("response");
                    let id = resp
                        .and_then(|r| r.get("request_id"))
                        .and_then(Value::as_str);
                    if let Some(tx) = id.and_then(|id| inner.waiters.remove(id)) {
                        let ok = resp.and_then(|r| r.get("subtype")).and_then(Value::as_str)
                            == Some("success");
                        let _ = tx.send(if ok {
                            Ok(resp
                                .and_then(|r| r.get("response"))
                                .cloned()
                                .unwrap_or(Value::Null))
                        } else {
                            Err(resp
                                .and_then(|r| r.get("error"))
                                .and_then(Value::as_str)
                                .unwrap_or("the CLI refused the request")
                                .to_owned())
                        });
                    }
                }
                EventKind::Result => {
                    let (tokens, cost, duration) = result_usage(line.raw());
                    let t = &mut inner.info.tokens;
                    t.input = t.input.saturating_add(tokens.input);
                    t.output = t.output.saturating_add(tokens.output);
                    t.cache_read = t.cache_read.saturating_add(tokens.cache_read);
                    t.cache_creation = t.cache_creation.saturating_add(tokens.cache_creation);
                    if let Some(c) = cost.filter(|c| c.is_finite() && *c >= 0.0) {
                        inner.process_cost = c;
                    }
                    inner.info.cost_usd = inner.cost_before + inner.process_cost;
                    inner.info.duration_ms = inner.info.duration_ms.saturating_add(duration);
                    inner.info.turns += 1;
                    // A turn that just ended is a use: the TTL counts from here, not from the
                    // prompt that started a long turn.
                    inner.last_used = Instant::now();
                    if line.is_error_result() {
                        inner.info.errors += 1;
                    }
                    inner.in_flight = inner.in_flight.saturating_sub(1);
                    // Pending prompts stay: a background agent may still be waiting for one.
                    inner.info.bytes_streamed = inner.bytes_before + run.bytes_read();
                    after.push(SessionEvent::Metrics {
                        info: Box::new(snapshot(inner)),
                    });
                    if inner.info.state.is_busy() {
                        let next = if !inner.info.pending_permissions.is_empty()
                            && inner.info.state != SessionState::Interrupting
                        {
                            SessionState::WaitingForPermission
                        } else if inner.in_flight == 0 {
                            inner.turn_started = None;
                            inner.info.stuck = false;
                            SessionState::Ready
                        } else {
                            inner.turn_started = Some(Instant::now());
                            SessionState::Streaming
                        };
                        after.extend(self.set_state(inner, next));
                    }
                }
                _ => {}
            }
            out.push(SessionEvent::Cli { line });
            out.extend(after);
            self.queue(out);
        }
        self.flush_waiting();
        if let Some(reply) = reply {
            let run = Arc::clone(run);
            tokio::spawn(async move {
                let _ = run.write_line(&reply).await;
            });
        }
    }

    fn on_exit(&self, run: &Arc<ClaudeProcess>, exit: RunExit) {
        let mut events = Vec::new();
        {
            let mut inner = self.lock();
            let inner = &mut *inner;
            inner.cost_before += inner.process_cost;
            inner.process_cost = 0.0;
            inner.bytes_before += run.bytes_read();
            inner.info.bytes_streamed = inner.bytes_before;
            inner.info.cost_usd = inner.cost_before;
            inner.run = None;
            inner.writer = None;
            inner.info.pid = None;
            inner.in_flight = 0;
            inner.turn_started = None;
            inner.waiters.clear();
            if let Some(id) = exit
                .session_id
                .as_deref()
                .and_then(|id| SessionId::parse(id).ok())
            {
                inner.info.session_id = Some(id);
            }
            events.extend(Self::drop_pending(inner, Resolution::Abandoned));
            let next = match inner.ending_as.take() {
                Some(s) => s,
                None if inner.info.state == SessionState::Interrupting => SessionState::Closed,
                None => end_state(&exit),
            };
            if matches!(next, SessionState::Failed { .. }) {
                inner.info.errors += 1;
            }
            events.push(SessionEvent::Exited(exit));
            events.extend(self.set_state(inner, next));
            self.queue(events);
        }
        self.flush_waiting();
    }

    /// Sends a control request and waits (up to [`CONTROL_TIMEOUT_MS`]) for its response.
    ///
    /// Errors: [`CoreError::RunEnded`] without a live process; [`CoreError::ControlRequest`]
    /// when the CLI answers with an error or not in time.
    pub async fn control(&self, request: Value) -> Result<Value, CoreError> {
        let (run, id, rx) = {
            let mut inner = self.lock();
            let run = inner.run.clone().ok_or(CoreError::RunEnded)?;
            inner.next_request += 1;
            let id = format!(
                "ccdesk_{}_{}",
                inner.next_request,
                uuid::Uuid::new_v4().simple()
            );
            let (tx, rx) = oneshot::channel();
            inner.waiters.insert(id.clone(), tx);
            (run, id, rx)
        };
        run.write_line(&control_request_line(&id, request)).await?;
        match tokio::time::timeout(Duration::from_millis(CONTROL_TIMEOUT_MS), rx).await {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err(e))) => Err(CoreError::ControlRequest(e)),
            Ok(Err(_)) => Err(CoreError::RunEnded),
            Err(_) => {
                self.lock().waiters.remove(&id);
                Err(CoreError::ControlRequest(format!(
                    "the CLI did not answer within {CONTROL_TIMEOUT_MS} ms"
                )))
            }
        }
    }

    /// Asks `run` (this session's process, just started) whether it can rewind files: a dry run
    /// of `rewind_files` for a message id no prompt has. A CLI that knows the request answers
    /// with `canRewind: false` and "No file checkpoint found"; one with checkpointing off says
    /// "not enabled"; an older one refuses the request or does not answer. Sets
    /// [`SessionInfo::rewind_files`] while `run` is still the current process, and returns
    /// what it found.
    pub async fn probe_rewind(&self, run: &Arc<ClaudeProcess>) -> bool {
        let answer = self
            .control(json!({
                "subtype": "rewind_files",
                "user_message_id": REWIND_PROBE_ID,
                "dry_run": true,
            }))
            .await;
        let can = answer.as_ref().is_ok_and(|v| {
            v.get("canRewind").is_some()
                && !v
                    .get("error")
                    .and_then(Value::as_str)
                    .is_some_and(|e| e.contains("not enabled"))
        });
        if let Err(e) = &answer {
            tracing::debug!(error = %e, "rewind_files probe: not offered");
        }
        {
            let mut inner = self.lock();
            let current = inner.run.as_ref().is_some_and(|r| Arc::ptr_eq(r, run));
            if current && inner.info.rewind_files != can {
                inner.info.rewind_files = can;
                // Queued under the lock, as every state change is: in order with the others.
                let info = Box::new(snapshot(&inner));
                self.queue(vec![SessionEvent::Metrics { info }]);
            }
        }
        self.flush();
        can
    }

    /// The current process, if any.
    pub fn current_run(&self) -> Option<Arc<ClaudeProcess>> {
        self.lock().run.clone()
    }

    /// Books a prompt, then writes it to the current process.
    ///
    /// The booking (`in_flight`, the state `streaming`) happens before the write: a fast CLI
    /// can answer with its `result` before the write call returns, and a result that found
    /// nothing booked would leave the session streaming for good. A failed write takes the
    /// booking back.
    ///
    /// Errors: [`CoreError::RunEnded`] when no process is alive; the write's I/O error.
    pub async fn write_prompt(&self, prompt: &str) -> Result<(), CoreError> {
        let run = self.lock().run.clone().ok_or(CoreError::RunEnded)?;
        if run.has_exited() {
            return Err(CoreError::RunEnded);
        }
        let was_ready = {
            let mut inner = self.lock();
            let inner = &mut *inner;
            inner.in_flight += 1;
            inner.info.messages_in += 1;
            inner.last_used = Instant::now();
            inner.info.last_used_at_ms = now_ms();
            let was_ready = inner.info.state == SessionState::Ready;
            if was_ready {
                inner.turn_started = Some(Instant::now());
                inner.last_output = Instant::now();
                let ev = self.set_state(inner, SessionState::Streaming);
                self.queue(ev.into_iter().collect());
            }
            was_ready
        };
        self.flush();
        if let Err(e) = run.send_prompt(prompt).await {
            {
                let mut inner = self.lock();
                let inner = &mut *inner;
                inner.in_flight = inner.in_flight.saturating_sub(1);
                inner.info.messages_in = inner.info.messages_in.saturating_sub(1);
                if was_ready
                    && inner.in_flight == 0
                    && inner.info.state == SessionState::Streaming
                    && inner.run.as_ref().is_some_and(|r| Arc::ptr_eq(r, &run))
                {
                    inner.turn_started = None;
                    let ev = self.set_state(inner, SessionState::Ready);
                    self.queue(ev.into_iter().collect());
                }
            }
            self.flush();
            return Err(e);
        }
        Ok(())
    }

    /// Marks the session as interrupting and drops its permission prompts (the CLI abandons
    /// them with the turn).
    ///
    /// Returns false (and changes nothing) when no turn is running any more: the check and the
    /// change happen under one lock, so a `result` landing meanwhile is not mistaken for a hang.
    pub fn begin_interrupt(&self) -> bool {
        {
            let mut inner = self.lock();
            if !inner.info.state.is_busy() || inner.info.state == SessionState::Interrupting {
                return false;
            }
            let mut events = Self::drop_pending(&mut inner, Resolution::Abandoned);
            events.extend(self.set_state(&mut inner, SessionState::Interrupting));
            self.queue(events);
        }
        self.flush();
        true
    }

    /// When the last pending permission prompt is answered or withdrawn while the session waits
    /// for it: `streaming` while a turn is in flight, else `ready`. The answer is written before
    /// the prompt is marked resolved, so a fast CLI's `result` can come in between; it then
    /// found the prompt still pending, kept `waitingForPermission`, and the session would have
    /// stayed `streaming` for good.
    fn permissions_settled(&self, inner: &mut Inner) -> Option<SessionEvent> {
        if !inner.info.pending_permissions.is_empty()
            || inner.info.state != SessionState::WaitingForPermission
        {
            return None;
        }
        inner.last_output = Instant::now();
        let next = if inner.in_flight == 0 {
            inner.turn_started = None;
            inner.info.stuck = false;
            SessionState::Ready
        } else {
            SessionState::Streaming
        };
        self.set_state(inner, next)
    }

    /// Claims a pending permission prompt for an answer: its copy, if it is pending and no other
    /// answer to it is on its way (then release it with [`Live::resolve_permission`] once
    /// written, or [`Live::unclaim_permission`] if the write failed).
    pub fn claim_permission(&self, request_id: &str) -> Option<PermissionRequest> {
        let mut inner = self.lock();
        let req = inner
            .info
            .pending_permissions
            .iter()
            .find(|p| p.request_id == request_id)
            .cloned()?;
        inner.answering.insert(request_id.to_owned()).then_some(req)
    }

    /// Gives a claimed prompt back (its answer could not be written).
    pub fn unclaim_permission(&self, request_id: &str) {
        self.lock().answering.remove(request_id);
    }

    /// Removes a pending permission prompt after it was answered.
    pub fn resolve_permission(&self, request_id: &str) {
        {
            let mut events = Vec::new();
            let mut inner = self.lock();
            let inner = &mut *inner;
            inner.answering.remove(request_id);
            inner
                .info
                .pending_permissions
                .retain(|p| p.request_id != request_id);
            events.push(SessionEvent::PermissionResolved {
                request_id: request_id.to_owned(),
                resolution: Resolution::Answered,
            });
            events.extend(self.permissions_settled(inner));
            self.queue(events);
        }
        self.flush();
    }
}

/// The session's info with its ages computed now.
pub(crate) fn snapshot(inner: &Inner) -> SessionInfo {
    let mut info = inner.info.clone();
    let now = now_ms();
    info.age_ms = now.saturating_sub(info.created_at_ms);
    info.idle_ms = u64::try_from(inner.last_used.elapsed().as_millis()).unwrap_or(u64::MAX);
    if let Some(run) = &inner.run {
        info.bytes_streamed = inner.bytes_before + run.bytes_read();
    }
    info
}

/// The state a process's end leaves the session in, when nobody asked for it to end.
fn end_state(exit: &RunExit) -> SessionState {
    if exit.code == Some(0) && exit.errors.is_empty() {
        return SessionState::Closed;
    }
    if let Some(e) = exit
        .errors
        .iter()
        .find(|e| e.contains("No conversation found"))
    {
        return SessionState::Failed {
            kind: "not_resumable".into(),
            message: format!("the CLI cannot resume this session: {e}"),
        };
    }
    let stderr = exit
        .stderr_tail
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(str::trim);
    let how = match (exit.code, exit.signal) {
        (_, Some(sig)) => format!("claude was ended by signal {sig}"),
        (Some(code), _) => format!("claude exited with code {code}"),
        (None, None) => "claude ended".to_owned(),
    };
    let mut message = how;
    if !exit.errors.is_empty() {
        message = format!("{message}: {}", exit.errors.join("; "));
    } else if let Some(s) = stderr {
        message = format!("{message}: {s}");
    }
    let kind = if exit.signal.is_some() || exit.code.is_some_and(|c| c > 1) {
        "crashed"
    } else {
        "cli_error"
    };
    SessionState::Failed {
        kind: kind.into(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_named() {
        let ok = RunExit {
            code: Some(0),
            ..Default::default()
        };
        assert_eq!(end_state(&ok), SessionState::Closed);
        let gone = RunExit {
            code: Some(1),
            errors: vec!["No conversation found with session ID: x".into()],
            ..Default::default()
        };
        assert!(
            matches!(end_state(&gone), SessionState::Failed { kind, .. } if kind == "not_resumable")
        );
        let crash = RunExit {
            code: Some(3),
            stderr_tail: "boom\nfake crash\n".into(),
            ..Default::default()
        };
        assert!(
            matches!(end_state(&crash), SessionState::Failed { kind, message } if kind == "crashed" && message.ends_with("fake crash"))
        );
    }

    /// One answer per prompt: while an answer is being written a second claim is refused; a
    /// failed write gives the prompt back; once answered it is gone.
    #[test]
    fn a_prompt_is_claimed_by_one_answer_at_a_time() {
        let live = Live::new(
            RunId::new_random(),
            RunOptions::default(),
            Arc::new(|_| {}),
            Arc::new(RwLock::new(None)),
            None,
        );
        let line = serde_json::json!({"type": "control_request", "request_id": "r1",
            "request": {"subtype": "can_use_tool", "tool_name": "Bash",
                        "input": {"command": "ls"}}});
        let Some(req) = PermissionRequest::from_line(&line) else {
            panic!("a request")
        };
        live.lock().info.pending_permissions.push(req);
        assert!(live.claim_permission("r1").is_some());
        assert!(live.claim_permission("r1").is_none(), "being answered");
        live.unclaim_permission("r1");
        assert!(live.claim_permission("r1").is_some(), "given back");
        live.resolve_permission("r1");
        assert!(live.claim_permission("r1").is_none(), "answered");
        assert!(live.lock().answering.is_empty());
        assert!(live.claim_permission("other").is_none(), "never asked");
    }
}
