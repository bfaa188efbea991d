//! The real Claude Code CLI driven through ccdesk's session pool (`ccdesk_core::pool`) against
//! the loopback mock of the Messages API (`tests/mock-api`).
//!
//! Same rig as `real_cli.rs`: the two pinned builds come from `CCDESK_REAL_CLI_JS` (2.1.112,
//! `cli.js`) and `CCDESK_REAL_CLI_NATIVE` (2.1.330), set by `tests/real-cli/env.sh`; without them
//! the tests print a skip notice and pass, unless `CI` is set: then they fail. Run them inside a
//! network namespace that has only loopback (`unshare -n sh -c 'ip link set lo up && cargo test
//! -p ccdesk-core --test real_cli_pool'` after `source tests/real-cli/env.sh`).
//!
//! Every test has its own temp `HOME`, `CLAUDE_CONFIG_DIR` and `CLAUDE_CODE_TMPDIR` (the CLI's
//! scratch dir, where background agents write their output), its own mock and its own pool with
//! the sweeper running as in the app. Every wait is bounded by [`STEP`] and every test by a
//! timeout, so a hang fails; every test ends with `close_all`.
//!
//! Tests (one module per build, `js::` and `native::`):
//! - `multi_turn_in_one_process`: two prompts, one process, metrics, one transcript.
//! - `interrupt_mid_turn`: `MOCK_SLOW` interrupted after its first delta; the process lives on.
//! - `interrupt_with_a_queued_prompt`: the CLI goes on with a prompt queued behind the
//!   interrupted turn; the interrupt reports the turn ended, not the process.
//! - `permission_allow_and_deny`: a `Write` asks through `can_use_tool`; allowed it writes,
//!   denied it does not, and both turns end.
//! - `permission_mode_switch`: `acceptEdits` through the control protocol; the next `Write` does
//!   not ask.
//! - `fork_of_a_closed_session`: resume with `--fork-session`: a new id, copied history, the
//!   original untouched.
//! - `background_agent_two_results`: `MOCK_AGENT` starts a background sub-agent; the CLI prints
//!   two `result`s and the pool follows both.
//! - `close_all_is_final`: right after `close_all` the pool shows no live session.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ccdesk_core::claude::runner::{ClaudeCommand, RunExit};
use ccdesk_core::claude::stream::{EventKind, StreamEvent};
use ccdesk_core::pool::{
    sweep_forever, EventSink, InterruptOutcome, PermissionAnswer, PermissionMode,
    PermissionRequest, PoolConfig, Resolution, SessionEvent, SessionInfo, SessionPool,
    SessionState, StartRequest, ToolPreview,
};
use ccdesk_core::transcripts::index::{find_session, SessionIndex};
use ccdesk_core::transcripts::transcript::Transcript;
use ccdesk_mock_api::{script, MockApi};
use common::real::{Cli, Sandbox};
use serde_json::Value;
use tokio::sync::mpsc;

/// Bound on one wait: a turn, a permission prompt, a close.
const STEP: Duration = Duration::from_secs(60);
/// Bound on a whole test.
const TEST_TIMEOUT: Duration = Duration::from_secs(240);

/// A test's world: the mock, the sandbox, and a pool on the sandbox's config dir with its
/// sweeper running.
struct Rig {
    label: &'static str,
    mock: MockApi,
    sb: Sandbox,
    pool: Arc<SessionPool>,
    sweeper: tokio::task::JoinHandle<()>,
}

impl Rig {
    async fn new(cli: &Cli) -> Rig {
        let mock = MockApi::start().await.unwrap();
        let sb = Sandbox::new();
        let exe = cli.exe.clone();
        // The app's timeouts, with room for a slow start of node under a loaded test machine.
        let config = PoolConfig {
            first_chunk_timeout_ms: 45_000,
            ongoing_timeout_ms: 90_000,
            ..PoolConfig::default()
        };
        let pool = SessionPool::new(
            sb.config.clone(),
            std::sync::Arc::new(move || Ok(ClaudeCommand::new(exe.clone()))),
            sb.env(&mock),
            config,
        )
        .unwrap();
        let pool = Arc::new(pool);
        let sweeper = tokio::spawn(sweep_forever(Arc::downgrade(&pool)));
        Rig {
            label: cli.label,
            mock,
            sb,
            pool,
            sweeper,
        }
    }

    /// Starts a session with `req`; returns its run id and its event stream.
    async fn start(&self, req: StartRequest) -> (String, Events) {
        let (sink, mut events) = Events::new(self.label);
        let run_id = bounded(STEP, "pool.start", self.pool.start(req, sink))
            .await
            .unwrap_or_else(|e| panic!("{}: start failed: {e}", self.label));
        events.run_id = run_id.to_string();
        (run_id.to_string(), events)
    }

    /// A new session in `cwd` with `prompt` and the default permission mode.
    async fn start_in(&self, cwd: &Path, prompt: &str) -> (String, Events) {
        self.start(StartRequest {
            cwd: Some(cwd.to_path_buf()),
            prompt: prompt.to_owned(),
            ..Default::default()
        })
        .await
    }

    fn info(&self, run_id: &str) -> SessionInfo {
        self.pool.info(run_id).unwrap()
    }

    /// Closes every session and stops the mock; every session must have ended (its final
    /// state may be set a moment after `close_all` returns, see [`close_all_is_final`]).
    async fn finish(self) {
        bounded(STEP, "close_all", self.pool.close_all()).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let live: Vec<SessionInfo> = self
                .pool
                .snapshot()
                .sessions
                .into_iter()
                .filter(|s| s.state.is_live() || s.pid.is_some())
                .collect();
            if live.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{}: sessions still live 5 s after close_all: {live:#?}",
                self.label
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.sweeper.abort();
        self.mock.shutdown().await;
    }
}

/// The events one session's sink received, consumed in order.
struct Events {
    label: &'static str,
    run_id: String,
    rx: mpsc::UnboundedReceiver<SessionEvent>,
    /// Every event taken from `rx` so far, in order.
    seen: Vec<SessionEvent>,
}

impl Events {
    fn new(label: &'static str) -> (EventSink, Events) {
        let (tx, rx) = mpsc::unbounded_channel();
        let sink: EventSink = Arc::new(move |ev| {
            let _ = tx.send(ev);
        });
        (
            sink,
            Events {
                label,
                run_id: String::new(),
                rx,
                seen: Vec::new(),
            },
        )
    }

    /// Position after the last event taken, for [`Events::since`].
    fn mark(&self) -> usize {
        self.seen.len()
    }

    fn since(&self, mark: usize) -> &[SessionEvent] {
        &self.seen[mark..]
    }

    /// Takes events until `f` picks one (bounded by [`STEP`]); panics with what was seen.
    async fn until<T>(&mut self, what: &str, mut f: impl FnMut(&SessionEvent) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let ev = match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(ev)) => ev,
                Ok(None) => panic!(
                    "{} {}: the event stream ended while waiting for {what}; seen: {}",
                    self.label,
                    self.run_id,
                    self.summary()
                ),
                Err(_) => panic!(
                    "{} {}: no {what} within {STEP:?}; seen: {}",
                    self.label,
                    self.run_id,
                    self.summary()
                ),
            };
            let picked = f(&ev);
            self.seen.push(ev);
            if let Some(t) = picked {
                return t;
            }
        }
    }

    /// Waits for the session to become `Ready` (the turn ended, the process lives on). Panics
    /// if it ends, fails or expires first.
    async fn ready(&mut self) -> SessionInfo {
        let label = self.label;
        let info = self
            .until("the Ready state", |ev| match ev {
                SessionEvent::State { info } => match &info.state {
                    SessionState::Ready => Some(Ok(info.as_ref().clone())),
                    SessionState::Closed | SessionState::Failed { .. } | SessionState::Expired => {
                        Some(Err(info.as_ref().clone()))
                    }
                    _ => None,
                },
                _ => None,
            })
            .await;
        info.unwrap_or_else(|info| {
            panic!(
                "{label}: the session ended instead of becoming ready: {:?} (pid {:?}); seen: {}",
                info.state,
                info.pid,
                self.summary()
            )
        })
    }

    /// Waits for a permission prompt.
    async fn permission(&mut self) -> PermissionRequest {
        self.until("a permission prompt", |ev| match ev {
            SessionEvent::Permission { request } => Some(request.as_ref().clone()),
            _ => None,
        })
        .await
    }

    /// Waits for the end of the session's current process and the state it left the session in.
    async fn ended(&mut self) -> (RunExit, SessionState) {
        let exit = self
            .until("the process's exit", |ev| match ev {
                SessionEvent::Exited(exit) => Some(exit.clone()),
                _ => None,
            })
            .await;
        let state = self
            .until("the state after the exit", |ev| match ev {
                SessionEvent::State { info } => Some(info.state.clone()),
                _ => None,
            })
            .await;
        (exit, state)
    }

    /// The CLI lines among `events`.
    fn lines(events: &[SessionEvent]) -> impl Iterator<Item = &StreamEvent> {
        events.iter().filter_map(|ev| match ev {
            SessionEvent::Cli { line } => Some(line),
            _ => None,
        })
    }

    /// The `result` lines among `events`.
    fn results(events: &[SessionEvent]) -> Vec<Value> {
        Self::lines(events)
            .filter(|l| l.is_result())
            .map(|l| l.raw().clone())
            .collect()
    }

    /// The main conversation's streamed text among `events`.
    fn text(events: &[SessionEvent]) -> String {
        Self::lines(events)
            .filter(|l| top_level(l))
            .filter_map(StreamEvent::text_delta)
            .collect()
    }

    /// Session ids of the `system/init` lines among `events`.
    fn init_ids(events: &[SessionEvent]) -> Vec<String> {
        Self::lines(events)
            .filter(|l| matches!(l.kind(), EventKind::Init))
            .filter_map(|l| l.session_id().map(str::to_owned))
            .collect()
    }

    fn permissions(events: &[SessionEvent]) -> usize {
        events
            .iter()
            .filter(|ev| matches!(ev, SessionEvent::Permission { .. }))
            .count()
    }

    /// One short word per event seen (partial-message lines counted, not listed), for failures.
    fn summary(&self) -> String {
        let mut out = Vec::new();
        let mut partials = 0;
        for ev in &self.seen {
            let word = match ev {
                SessionEvent::Cli { line } => match line.kind() {
                    EventKind::Partial => {
                        partials += 1;
                        continue;
                    }
                    EventKind::Init => "init".to_owned(),
                    EventKind::System(s) => format!("system/{s}"),
                    EventKind::Result => format!(
                        "result({},{})",
                        line.raw()["subtype"].as_str().unwrap_or("?"),
                        line.raw()["is_error"]
                    ),
                    k => format!("{k:?}").to_lowercase(),
                },
                SessionEvent::Malformed { preview } => format!("malformed({preview})"),
                SessionEvent::State { info } => format!("STATE:{}", info.state.name()),
                SessionEvent::Permission { request } => {
                    format!("PERMISSION({})", request.tool_name)
                }
                SessionEvent::PermissionResolved { resolution, .. } => {
                    format!("resolved({resolution:?})")
                }
                SessionEvent::Metrics { .. } => "metrics".to_owned(),
                SessionEvent::Warning { code, message } => format!("WARNING({code}: {message})"),
                SessionEvent::Exited(exit) => format!(
                    "EXITED(code {:?}, signal {:?}, errors {:?}, stderr {:?})",
                    exit.code,
                    exit.signal,
                    exit.errors,
                    tail(&exit.stderr_tail, 400)
                ),
            };
            out.push(word);
        }
        format!("{} ({partials} partial lines)", out.join(" "))
    }
}

fn top_level(line: &StreamEvent) -> bool {
    line.raw()
        .get("parent_tool_use_id")
        .is_none_or(Value::is_null)
}

fn tail(s: &str, n: usize) -> &str {
    let start = s.len().saturating_sub(n);
    let start = (start..=s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    &s[start..]
}

async fn bounded<F: std::future::Future>(limit: Duration, what: &str, f: F) -> F::Output {
    match tokio::time::timeout(limit, f).await {
        Ok(v) => v,
        Err(_) => panic!("{what} did not finish within {limit:?}"),
    }
}

/// The CLI session id of a pool session.
fn info_id(rig: &Rig, run_id: &str) -> String {
    rig.info(run_id)
        .session_id
        .expect("a session id")
        .to_string()
}

/// Asserts a successful `result` whose text is `expected`.
fn assert_success(result: &Value, expected: &str) {
    assert_eq!(result["subtype"], "success", "{result}");
    assert_eq!(result["is_error"], false, "{result}");
    assert_eq!(result["result"], expected, "{result}");
}

/// The prompts a person typed in a transcript, in order.
fn prompts_of(t: &Transcript) -> Vec<String> {
    t.messages()
        .filter(|m| m.is_real_user_prompt())
        .map(|m| m.content.plain_text())
        .collect()
}

/// Asserts that every user/assistant line of `t` was written under session `id`.
fn assert_one_session(t: &Transcript, id: &str) {
    let mut n = 0;
    for m in t.messages().filter(|m| m.is_conversation()) {
        assert_eq!(m.session_id.as_deref(), Some(id), "{m:?}");
        n += 1;
    }
    assert!(
        n >= 4,
        "two turns make at least four conversation lines, got {n}"
    );
}

// ---------------------------------------------------------------------------------------------

async fn multi_turn_in_one_process(cli: Cli) {
    let rig = Rig::new(&cli).await;
    let project = rig.sb.project("multi turn");
    let first = "first prompt to the pooled process";
    let second = "second prompt to the same process";

    let (run_id, mut ev) = rig.start_in(&project, first).await;
    let after_first = ev.ready().await;
    let pid = after_first.pid.expect("a live process has a pid");
    let id = after_first
        .session_id
        .clone()
        .expect("the session id is known after init");
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "session id {id}");
    let turn1 = ev.since(0).to_vec();
    assert_eq!(Events::init_ids(&turn1), vec![id.clone()]);
    let results = Events::results(&turn1);
    assert_eq!(results.len(), 1, "{}", ev.summary());
    assert_success(&results[0], &script::reply_text_for(first));
    assert_eq!(Events::text(&turn1), script::reply_text_for(first));
    assert_eq!(after_first.turns, 1);
    assert_eq!(after_first.messages_in, 1);

    let mark = ev.mark();
    bounded(STEP, "send_prompt", rig.pool.send_prompt(&run_id, second))
        .await
        .unwrap();
    let after_second = ev.ready().await;
    let turn2 = ev.since(mark).to_vec();
    assert!(
        turn2.iter().any(
            |e| matches!(e, SessionEvent::State { info } if info.state == SessionState::Streaming)
        ),
        "the second prompt made the session stream: {}",
        ev.summary()
    );
    assert_eq!(
        Events::init_ids(&turn2),
        vec![id.clone()],
        "a system/init with the same id precedes the second turn"
    );
    let results = Events::results(&turn2);
    assert_eq!(results.len(), 1, "{}", ev.summary());
    assert_success(&results[0], &script::reply_text_for(second));
    assert_eq!(Events::text(&turn2), script::reply_text_for(second));
    assert!(
        !turn2.iter().any(|e| matches!(e, SessionEvent::Exited(_))),
        "no process ended between the turns"
    );
    assert_eq!(
        after_second.pid,
        Some(pid),
        "the same process served both turns"
    );
    assert_eq!(after_second.session_id.as_deref(), Some(id.as_str()));

    let info = rig.info(&run_id);
    assert_eq!(info.state, SessionState::Ready);
    assert_eq!(info.pid, Some(pid));
    assert_eq!(info.turns, 2, "{info:#?}");
    assert_eq!(info.messages_in, 2, "{info:#?}");
    assert!(info.messages_out >= 2, "{info:#?}");
    assert!(info.tokens.input > 0, "{info:#?}");
    assert!(info.tokens.output > 0, "{info:#?}");
    assert!(info.bytes_streamed > 0, "{info:#?}");
    assert!(
        info.cost_usd >= 0.0 && info.cost_usd.is_finite(),
        "{info:#?}"
    );
    assert_eq!(info.errors, 0, "{info:#?}");
    assert_eq!(info.reconnects, 0, "{info:#?}");
    assert!(info.pending_permissions.is_empty());
    assert_eq!(
        rig.mock.user_texts(),
        vec![first.to_owned(), second.to_owned()]
    );

    // Closing ends the process cleanly.
    let mark = ev.mark();
    bounded(STEP, "close", rig.pool.close(&run_id)).await;
    let (exit, state) = ev.ended().await;
    assert_eq!(state, SessionState::Closed);
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    assert!(exit.is_success(), "{exit:#?}");
    assert_eq!(exit.malformed_lines, 0);
    assert_eq!(exit.session_id.as_deref(), Some(id.as_str()));
    assert!(
        Events::results(ev.since(mark)).is_empty(),
        "nothing ran after the close"
    );
    assert!(
        rig.pool.info(&run_id).is_err(),
        "a closed session leaves the pool"
    );

    // One transcript with both prompts, under one session id. Read once the process has
    // ended: 2.1.112 writes its transcript on a timer, some 100 ms after the `result`.
    let summary = find_session(&rig.sb.config, &id).unwrap();
    assert_eq!(
        summary.project_path.as_deref(),
        Some(project.to_str().unwrap())
    );
    let t = Transcript::read(&summary.transcript_path).unwrap();
    assert_eq!(t.malformed_lines, 0);
    assert_eq!(prompts_of(&t), vec![first.to_owned(), second.to_owned()]);
    assert_one_session(&t, &id);
    rig.finish().await;
}

async fn interrupt_mid_turn(cli: Cli) {
    let rig = Rig::new(&cli).await;
    let project = rig.sb.project("interrupt");
    let slow = "answer this slowly MOCK_SLOW";
    let follow_up = "a normal question after the interrupt";
    // The full slow reply: its text padded with "." deltas, one every 200 ms (about 10 s).
    let full_slow = match script::plan(&serde_json::json!({
        "tools": [{"name": "Bash"}],
        "messages": [{"role": "user", "content": slow}],
    })) {
        script::Plan::Message { blocks, .. } => blocks[0].full_text().unwrap(),
        p => panic!("{p:?}"),
    };
    let slow_for = script::SLOW_DELTA_INTERVAL * script::SLOW_DELTA_COUNT as u32;
    let grace = Duration::from_millis(rig.pool.config().interrupt_grace_ms);
    let bound =
        Duration::from_millis(rig.pool.config().interrupt_timeout_ms) + Duration::from_secs(5);
    assert!(
        slow_for > grace * 2,
        "the slow reply ({slow_for:?}) must outlast the interrupt grace ({grace:?}) by far"
    );

    let (run_id, mut ev) = rig.start_in(&project, slow).await;
    ev.until("the first streamed text", |e| match e {
        SessionEvent::Cli { line } if top_level(line) && line.text_delta().is_some() => Some(()),
        _ => None,
    })
    .await;
    let pid = rig.info(&run_id).pid.expect("a pid");
    assert_eq!(rig.info(&run_id).state, SessionState::Streaming);
    let asked = Instant::now();
    let outcome = bounded(bound, "interrupt", rig.pool.interrupt(&run_id))
        .await
        .unwrap();
    let took = asked.elapsed();
    assert_eq!(
        outcome,
        InterruptOutcome::TurnEnded,
        "the CLI ends the turn on the interrupt request; seen: {}",
        ev.summary()
    );
    assert!(
        took < grace,
        "the interrupt control request ended the turn in {took:?}, no signal needed"
    );
    let info = rig.info(&run_id);
    assert_eq!(info.state, SessionState::Ready, "{info:#?}");
    assert_eq!(info.pid, Some(pid), "the process lives on");
    ev.ready().await;

    let turn = ev.since(0).to_vec();
    assert!(
        turn.iter().any(|e| matches!(e, SessionEvent::State { info } if info.state == SessionState::Interrupting)),
        "{}",
        ev.summary()
    );
    let results = Events::results(&turn);
    assert_eq!(results.len(), 1, "{}", ev.summary());
    assert_ne!(
        results[0]["subtype"], "success",
        "the interrupted turn does not succeed: {}",
        results[0]
    );
    let streamed = Events::text(&turn);
    assert!(
        !streamed.is_empty()
            && full_slow.starts_with(&streamed)
            && streamed.len() < full_slow.len(),
        "only part of the slow reply streamed: {streamed:?}"
    );
    assert!(
        Events::lines(&turn).any(|l| l.kind() == &EventKind::User
            && l.raw()
                .to_string()
                .contains("[Request interrupted by user]")),
        "the CLI records the interruption: {}",
        ev.summary()
    );

    // The same process answers the next prompt normally.
    let mark = ev.mark();
    bounded(
        STEP,
        "send_prompt",
        rig.pool.send_prompt(&run_id, follow_up),
    )
    .await
    .unwrap();
    let after = ev.ready().await;
    let results = Events::results(ev.since(mark));
    assert_eq!(results.len(), 1, "{}", ev.summary());
    assert_success(&results[0], &script::reply_text_for(follow_up));
    assert_eq!(
        Events::text(ev.since(mark)),
        script::reply_text_for(follow_up)
    );
    assert_eq!(after.pid, Some(pid));
    let info = rig.info(&run_id);
    assert_eq!(info.turns, 2, "{info:#?}");
    assert_eq!(info.messages_in, 2, "{info:#?}");
    assert_eq!(info.reconnects, 0, "{info:#?}");
    assert!(
        !ev.seen.iter().any(|e| matches!(e, SessionEvent::Exited(_))),
        "no process ended: {}",
        ev.summary()
    );
    rig.finish().await;
}

async fn interrupt_with_a_queued_prompt(cli: Cli) {
    let rig = Rig::new(&cli).await;
    let project = rig.sb.project("interrupt queued");
    let queued = "a prompt queued behind the slow one";
    let (run_id, mut ev) = rig.start_in(&project, "answer slowly MOCK_SLOW").await;
    ev.until("the first streamed text", |e| match e {
        SessionEvent::Cli { line } if top_level(line) && line.text_delta().is_some() => Some(()),
        _ => None,
    })
    .await;
    let pid = rig.info(&run_id).pid.expect("a pid");
    bounded(STEP, "send_prompt", rig.pool.send_prompt(&run_id, queued))
        .await
        .unwrap();
    let outcome = bounded(STEP, "interrupt", rig.pool.interrupt(&run_id))
        .await
        .unwrap();
    let state = rig.info(&run_id).state;
    // Both builds end the slow turn and go on with the queued prompt in the same process.
    let info = ev.ready().await;
    let results = Events::results(&ev.seen);
    assert_eq!(results.len(), 2, "{}", ev.summary());
    assert_ne!(results[0]["subtype"], "success", "{}", results[0]);
    assert_success(&results[1], &script::reply_text_for(queued));
    assert_eq!(info.pid, Some(pid), "the process lived on");
    assert_eq!(info.turns, 2);
    assert!(
        !ev.seen.iter().any(|e| matches!(e, SessionEvent::Exited(_))),
        "{}",
        ev.summary()
    );
    // So the interrupt must not report the process as ended.
    assert_eq!(
        outcome,
        InterruptOutcome::TurnEnded,
        "interrupt() said {outcome:?} (state then: {state:?}) but the process lived on and ran \
         the queued prompt; seen: {}",
        ev.summary()
    );
    rig.finish().await;
}

async fn permission_allow_and_deny(cli: Cli) {
    let rig = Rig::new(&cli).await;
    let written = |dir: &Path| dir.join(script::WRITE_FILE_NAME);

    // Allowed once: the file is written.
    let allow_dir = rig.sb.project("allow");
    let (run_id, mut ev) = rig.start_in(&allow_dir, "please MOCK_WRITE a file").await;
    let req = ev.permission().await;
    assert_eq!(req.tool_name, "Write", "{req:#?}");
    assert_eq!(
        req.preview,
        ToolPreview::FileChange {
            file_path: written(&allow_dir).to_str().unwrap().to_owned(),
            diff: format!("+{}", script::WRITE_CONTENT),
        }
    );
    assert_eq!(
        req.input["file_path"],
        written(&allow_dir).to_str().unwrap()
    );
    let info = rig.info(&run_id);
    assert_eq!(info.state, SessionState::WaitingForPermission, "{info:#?}");
    assert_eq!(info.pending_permissions, vec![req.clone()]);
    assert!(
        !written(&allow_dir).exists(),
        "nothing is written before the answer"
    );
    bounded(
        STEP,
        "answer_permission",
        rig.pool
            .answer_permission(&run_id, &req.request_id, PermissionAnswer::AllowOnce),
    )
    .await
    .unwrap();
    let info = rig.info(&run_id);
    assert!(info.pending_permissions.is_empty(), "{info:#?}");
    assert_ne!(info.state, SessionState::WaitingForPermission);
    // The same prompt cannot be answered twice.
    assert!(rig
        .pool
        .answer_permission(&run_id, &req.request_id, PermissionAnswer::AllowOnce)
        .await
        .is_err());
    ev.ready().await;
    assert_eq!(
        std::fs::read_to_string(written(&allow_dir)).unwrap(),
        script::WRITE_CONTENT
    );
    assert!(ev.seen.iter().any(|e| matches!(e,
        SessionEvent::PermissionResolved { request_id, resolution: Resolution::Answered }
            if *request_id == req.request_id)));
    let results = Events::results(&ev.seen);
    assert_eq!(results.len(), 1, "{}", ev.summary());
    assert_eq!(results[0]["subtype"], "success", "{}", results[0]);
    assert_eq!(results[0]["is_error"], false, "{}", results[0]);
    assert!(
        results[0]["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("Done. The tool said:")),
        "the tool's result reached the model: {}",
        results[0]
    );
    assert_eq!(Events::permissions(&ev.seen), 1);

    // Denied, in another session: nothing is written and the turn still ends.
    let deny_dir = rig.sb.project("deny");
    let why = "Denied by the pool test: do not write files here";
    let (deny_id, mut dev) = rig.start_in(&deny_dir, "please MOCK_WRITE a file").await;
    let req = dev.permission().await;
    assert_eq!(req.tool_name, "Write");
    assert!(
        matches!(&req.preview, ToolPreview::FileChange { file_path, .. }
            if *file_path == written(&deny_dir).to_str().unwrap()),
        "{:?}",
        req.preview
    );
    assert_eq!(rig.info(&deny_id).state, SessionState::WaitingForPermission);
    bounded(
        STEP,
        "answer_permission",
        rig.pool.answer_permission(
            &deny_id,
            &req.request_id,
            PermissionAnswer::Deny {
                message: why.to_owned(),
            },
        ),
    )
    .await
    .unwrap();
    let info = dev.ready().await;
    assert!(
        !written(&deny_dir).exists(),
        "a denied Write writes nothing"
    );
    assert!(info.pending_permissions.is_empty());
    let results = Events::results(&dev.seen);
    assert_eq!(results.len(), 1, "{}", dev.summary());
    let denials = results[0]["permission_denials"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        denials.iter().any(|d| d["tool_name"] == "Write"),
        "the result lists the denial: {}",
        results[0]
    );
    assert!(
        results[0]["result"]
            .as_str()
            .is_some_and(|r| r.contains(why)),
        "the model was told why: {}",
        results[0]
    );
    // The other session was not disturbed.
    assert_eq!(rig.info(&run_id).state, SessionState::Ready);
    rig.finish().await;
}

async fn permission_mode_switch(cli: Cli) {
    let rig = Rig::new(&cli).await;
    let project = rig.sb.project("mode switch");
    let target = project.join(script::WRITE_FILE_NAME);
    let (run_id, mut ev) = rig.start_in(&project, "just say hi first").await;
    let info = ev.ready().await;
    assert_eq!(info.permission_mode, "default");

    bounded(
        STEP,
        "set_permission_mode",
        rig.pool
            .set_permission_mode(&run_id, PermissionMode::AcceptEdits),
    )
    .await
    .unwrap();
    assert_eq!(rig.info(&run_id).permission_mode, "acceptEdits");

    let mark = ev.mark();
    bounded(
        STEP,
        "send_prompt",
        rig.pool.send_prompt(&run_id, "now MOCK_WRITE it"),
    )
    .await
    .unwrap();
    let info = ev.ready().await;
    let turn = ev.since(mark).to_vec();
    assert_eq!(
        Events::permissions(&turn),
        0,
        "acceptEdits runs the Write without asking: {}",
        ev.summary()
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        script::WRITE_CONTENT
    );
    let inits: Vec<&StreamEvent> = Events::lines(&turn)
        .filter(|l| matches!(l.kind(), EventKind::Init))
        .collect();
    assert_eq!(inits.len(), 1);
    assert_eq!(inits[0].raw()["permissionMode"], "acceptEdits");
    assert_eq!(info.permission_mode, "acceptEdits");
    let results = Events::results(&turn);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["subtype"], "success", "{}", results[0]);
    assert!(
        results[0]["permission_denials"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{}",
        results[0]
    );
    assert_eq!(rig.info(&run_id).turns, 2);
    rig.finish().await;
}

async fn fork_of_a_closed_session(cli: Cli) {
    let rig = Rig::new(&cli).await;
    let project = rig.sb.project("fork");
    let first = "the history to be forked";
    let second = "a new prompt in the fork";

    let (run_id, mut ev) = rig.start_in(&project, first).await;
    let info = ev.ready().await;
    let original = info.session_id.expect("session id");
    bounded(STEP, "close", rig.pool.close(&run_id)).await;
    let (exit, state) = ev.ended().await;
    assert!(exit.is_success(), "{exit:#?}");
    assert_eq!(state, SessionState::Closed);
    let original_path = find_session(&rig.sb.config, &original)
        .unwrap()
        .transcript_path;
    let original_bytes = std::fs::read(&original_path).unwrap();

    let (fork_run, mut fev) = rig
        .start(StartRequest {
            prompt: second.to_owned(),
            resume: Some(original.clone()),
            fork_session: true,
            ..Default::default()
        })
        .await;
    assert_ne!(fork_run, run_id);
    let info = fev.ready().await;
    let fork = info.session_id.clone().expect("the fork's session id");
    assert_ne!(fork, original, "a fork has a new session id");
    assert!(uuid::Uuid::parse_str(&fork).is_ok());
    assert_eq!(
        Events::init_ids(&fev.seen),
        vec![fork.clone()],
        "init names the new id"
    );
    assert_eq!(
        info.cwd, project,
        "the fork runs in the recorded project dir"
    );
    let results = Events::results(&fev.seen);
    assert_eq!(results.len(), 1, "{}", fev.summary());
    assert_success(&results[0], &script::reply_text_for(second));
    assert_eq!(results[0]["session_id"], fork.as_str());
    // The fork's request carried the original history.
    let history = rig
        .mock
        .requests()
        .into_iter()
        .rfind(|r| r.kind == ccdesk_mock_api::RequestKind::Messages)
        .unwrap()
        .body["messages"]
        .to_string();
    assert!(history.contains(first), "{history}");

    bounded(STEP, "close", rig.pool.close(&fork_run)).await;
    let (exit, state) = fev.ended().await;
    assert_eq!(state, SessionState::Closed);
    assert!(exit.is_success(), "{exit:#?}");
    assert_eq!(exit.session_id.as_deref(), Some(fork.as_str()));

    let index = SessionIndex::scan(&rig.sb.config).unwrap();
    assert!(index.errors.is_empty(), "{:?}", index.errors);
    let ids: Vec<&str> = index.sessions().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    for id in [&original, &fork] {
        let s = index
            .find(id)
            .unwrap_or_else(|| panic!("{id} not indexed: {ids:?}"));
        assert_eq!(s.project_path.as_deref(), Some(project.to_str().unwrap()));
        assert!(s.resumability.is_resumable(), "{s:#?}");
    }
    let fork_path = index.find(&fork).unwrap().transcript_path.clone();
    assert_ne!(fork_path, original_path);
    let t = Transcript::read(&fork_path).unwrap();
    assert_eq!(t.malformed_lines, 0);
    assert_eq!(
        prompts_of(&t),
        vec![first.to_owned(), second.to_owned()],
        "the fork holds the copied history and its own prompt"
    );
    assert_one_session(&t, &fork);
    assert_eq!(
        std::fs::read(&original_path).unwrap(),
        original_bytes,
        "the original transcript is unchanged"
    );
    let orig = Transcript::read(&original_path).unwrap();
    assert_eq!(prompts_of(&orig), vec![first.to_owned()]);
    rig.finish().await;
}

async fn background_agent_two_results(cli: Cli) {
    let rig = Rig::new(&cli).await;
    let project = rig.sb.project("background agent");
    let prompt = "start a background agent MOCK_AGENT";
    let (run_id, mut ev) = rig.start_in(&project, prompt).await;

    let mut n = 0;
    ev.until("two results", |e| match e {
        SessionEvent::Cli { line } if line.is_result() => {
            n += 1;
            (n == 2).then_some(())
        }
        _ => None,
    })
    .await;
    ev.ready().await;
    let results = Events::results(&ev.seen);
    assert_eq!(results.len(), 2, "{}", ev.summary());
    let first = results[0]["result"].as_str().unwrap_or_default();
    assert!(
        first.starts_with("Done. The tool said: Async agent launched"),
        "the first result ends the turn that launched the agent: {}",
        results[0]
    );
    let second = results[1]["result"].as_str().unwrap_or_default();
    assert!(
        second.starts_with("Hello from the mock. You said:") && second != first,
        "the second result answers the agent's notification: {}",
        results[1]
    );
    for r in &results {
        assert_eq!(r["subtype"], "success", "{r}");
        assert_eq!(r["is_error"], false, "{r}");
    }
    // Between them: the agent's completion notice, then a new init opening the second turn.
    let lines: Vec<&StreamEvent> = Events::lines(&ev.seen).collect();
    let pos = |from: usize, pred: &dyn Fn(&StreamEvent) -> bool| {
        lines[from..]
            .iter()
            .position(|l| pred(l))
            .map(|p| p + from)
            .unwrap_or_else(|| panic!("a line is missing; seen: {}", ev.summary()))
    };
    let is_init = |l: &StreamEvent| matches!(l.kind(), EventKind::Init);
    let first_init = pos(0, &is_init);
    let notified = pos(0, &|l| {
        l.kind() == &EventKind::System("task_notification".into())
    });
    let first_result = pos(0, &|l| l.is_result());
    let second_init = pos(first_init + 1, &is_init);
    assert!(
        notified < second_init && first_result < second_init,
        "the notification and the first result come before the second turn: {}",
        ev.summary()
    );
    assert_eq!(lines[notified].raw()["status"], "completed");
    assert_eq!(
        Events::init_ids(&ev.seen),
        vec![info_id(&rig, &run_id); 2],
        "both turns belong to the one session"
    );
    // The sub-agent really ran against the mock.
    assert!(
        rig.mock
            .user_texts()
            .iter()
            .any(|t| t == script::AGENT_PROMPT),
        "{:?}",
        rig.mock.user_texts()
    );

    let info = rig.info(&run_id);
    assert_eq!(info.state, SessionState::Ready, "{info:#?}");
    assert_eq!(info.turns, 2, "{info:#?}");
    assert_eq!(info.messages_in, 1, "{info:#?}");
    assert_eq!(info.errors, 0, "{info:#?}");

    // Closed, the process exits cleanly and nothing more comes.
    let mark = ev.mark();
    bounded(STEP, "close", rig.pool.close(&run_id)).await;
    let (exit, state) = ev.ended().await;
    assert_eq!(state, SessionState::Closed, "{}", ev.summary());
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    assert!(exit.is_success(), "{exit:#?}");
    assert_eq!(exit.malformed_lines, 0);
    assert!(
        Events::results(ev.since(mark)).is_empty(),
        "{}",
        ev.summary()
    );
    rig.finish().await;
}

async fn close_all_is_final(cli: Cli) {
    let rig = Rig::new(&cli).await;
    let mut sessions = Vec::new();
    for name in ["first", "second"] {
        let project = rig.sb.project(name);
        let (run_id, mut ev) = rig
            .start_in(&project, &format!("hello from the {name} session"))
            .await;
        let info = ev.ready().await;
        assert!(info.pid.is_some());
        sessions.push((run_id, ev));
    }
    assert_eq!(rig.pool.snapshot().live, 2);
    bounded(STEP, "close_all", rig.pool.close_all()).await;
    // close_all "returns when all have exited": the pool must say so at once.
    let snap = rig.pool.snapshot();
    for s in &snap.sessions {
        assert!(
            !s.state.is_live() && s.pid.is_none(),
            "right after close_all, session {} is {:?} with pid {:?}",
            s.run_id,
            s.state,
            s.pid
        );
    }
    assert_eq!(snap.live, 0, "{snap:#?}");
    for (_, ev) in &mut sessions {
        let (exit, state) = ev.ended().await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        assert!(exit.is_success(), "{exit:#?}");
        assert_eq!(state, SessionState::Closed);
    }
    rig.finish().await;
}

/// Files a turn wrote are rewound to before it (issue 14 part 1): the pool turns file
/// checkpoints on, the process says at start that it can rewind, and `rewind_files` (a dry run,
/// then the real one) takes the turn's new file away again.
async fn rewind_files_of_a_turn(cli: Cli) {
    let rig = Rig::new(&cli).await;
    let project = rig.sb.project("rewind");
    let target = project.join(script::WRITE_FILE_NAME);
    let (run_id, mut ev) = rig
        .start(StartRequest {
            cwd: Some(project.clone()),
            prompt: "please MOCK_WRITE a file".to_owned(),
            permission_mode: Some(PermissionMode::AcceptEdits),
            ..Default::default()
        })
        .await;
    ev.ready().await;
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        script::WRITE_CONTENT
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !rig.info(&run_id).rewind_files {
        assert!(
            Instant::now() < deadline,
            "{}: the process never said it can rewind files",
            cli.label
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The CLI may write the transcript's last lines a moment after its `result`.
    let id = info_id(&rig, &run_id);
    let deadline = Instant::now() + Duration::from_secs(10);
    let changes = loop {
        let read = find_session(&rig.sb.config, &id).and_then(|found| {
            ccdesk_core::transcripts::changes::session_changes(&found.transcript_path, None)
        });
        match read {
            Ok(c) if c.turns.last().is_some_and(|t| t.files.len() == 1) => break c,
            other => assert!(
                Instant::now() < deadline,
                "{}: the turn's Write never showed in the transcript: {other:?}",
                cli.label
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let turn = changes.turns.last().expect("the turn that wrote the file");
    assert_eq!(turn.files.len(), 1, "{changes:#?}");
    let uuid = turn.uuid.clone().expect("the prompt line's uuid");

    let dry = bounded(
        STEP,
        "rewind dry run",
        rig.pool.rewind_files(&run_id, &uuid, true),
    )
    .await
    .unwrap_or_else(|e| panic!("{}: dry run: {e}", cli.label));
    assert_eq!(
        dry.files_changed,
        [target.to_str().unwrap()],
        "{}: {dry:?}",
        cli.label
    );
    assert!(target.exists(), "a dry run changes nothing");
    bounded(STEP, "rewind", rig.pool.rewind_files(&run_id, &uuid, false))
        .await
        .unwrap_or_else(|e| panic!("{}: rewind: {e}", cli.label));
    assert!(
        !target.exists(),
        "{}: the file the turn created is gone again",
        cli.label
    );
    rig.finish().await;
}

macro_rules! suite {
    ($module:ident, $var:literal, $label:literal) => {
        mod $module {
            use super::*;

            fn cli() -> Option<Cli> {
                Cli::from_env($var, $label)
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn multi_turn_in_one_process() {
                let Some(cli) = cli() else { return };
                bounded(
                    TEST_TIMEOUT,
                    "multi_turn_in_one_process",
                    super::multi_turn_in_one_process(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn interrupt_mid_turn() {
                let Some(cli) = cli() else { return };
                bounded(
                    TEST_TIMEOUT,
                    "interrupt_mid_turn",
                    super::interrupt_mid_turn(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn interrupt_with_a_queued_prompt() {
                let Some(cli) = cli() else { return };
                bounded(
                    TEST_TIMEOUT,
                    "interrupt_with_a_queued_prompt",
                    super::interrupt_with_a_queued_prompt(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn permission_allow_and_deny() {
                let Some(cli) = cli() else { return };
                bounded(
                    TEST_TIMEOUT,
                    "permission_allow_and_deny",
                    super::permission_allow_and_deny(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn permission_mode_switch() {
                let Some(cli) = cli() else { return };
                bounded(
                    TEST_TIMEOUT,
                    "permission_mode_switch",
                    super::permission_mode_switch(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn fork_of_a_closed_session() {
                let Some(cli) = cli() else { return };
                bounded(
                    TEST_TIMEOUT,
                    "fork_of_a_closed_session",
                    super::fork_of_a_closed_session(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn close_all_is_final() {
                let Some(cli) = cli() else { return };
                bounded(
                    TEST_TIMEOUT,
                    "close_all_is_final",
                    super::close_all_is_final(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn rewind_files_of_a_turn() {
                let Some(cli) = cli() else { return };
                bounded(
                    TEST_TIMEOUT,
                    "rewind_files_of_a_turn",
                    super::rewind_files_of_a_turn(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn background_agent_two_results() {
                let Some(cli) = cli() else { return };
                bounded(
                    TEST_TIMEOUT,
                    "background_agent_two_results",
                    super::background_agent_two_results(cli),
                )
                .await;
            }
        }
    };
}

suite!(js, "CCDESK_REAL_CLI_JS", "2.1.112 JS");
suite!(native, "CCDESK_REAL_CLI_NATIVE", "native");
