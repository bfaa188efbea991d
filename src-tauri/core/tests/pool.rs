//! The session pool against the project's fake `claude` (`tests/fake-claude`): lifecycle,
//! states, cap, timeouts, interrupt, permission prompts, metrics and fault cases.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use std::sync::Arc;
use std::time::Duration;

use ccdesk_core::claude::runner::ClaudeCommand;
use ccdesk_core::claude::stream::EventKind;
use ccdesk_core::pool::{
    EventSink, InterruptOutcome, PermissionAnswer, PermissionMode, PoolConfig, SessionEvent,
    SessionPool, SessionState, StartRequest, ToolPreview,
};
use ccdesk_core::transcripts::transcript::Transcript;
use ccdesk_core::CoreError;
use common::{env, fake_claude, Env};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

/// Short timeouts, valid by the pool's rules, so that fault tests run in seconds.
fn fast() -> PoolConfig {
    PoolConfig {
        first_chunk_timeout_ms: 1_500,
        ongoing_timeout_ms: 3_000,
        ttl_ms: 60_000,
        stuck_after_ms: 600_000,
        sweep_interval_ms: 50,
        interrupt_grace_ms: 500,
        interrupt_timeout_ms: 4_000,
        reconnect_backoff_ms: 50,
        ..PoolConfig::default()
    }
}

fn pool_with(e: &Env, cfg: PoolConfig, extra_env: &[(&str, &str)]) -> Arc<SessionPool> {
    let claude = fake_claude();
    pool_locating(e, cfg, extra_env, Arc::new(move || Ok(claude.clone())))
}

/// [`pool_with`], finding `claude` with `locate`.
fn pool_locating(
    e: &Env,
    cfg: PoolConfig,
    extra_env: &[(&str, &str)],
    locate: ccdesk_core::pool::ClaudeLocator,
) -> Arc<SessionPool> {
    let mut vars = vec![("CLAUDE_CONFIG_DIR".into(), e.config.clone().into())];
    for (k, v) in extra_env {
        vars.push(((*k).into(), (*v).into()));
    }
    let pool = Arc::new(SessionPool::new(e.config.clone(), locate, vars, cfg).unwrap());
    tokio::spawn(ccdesk_core::pool::sweep_forever(Arc::downgrade(&pool)));
    pool
}

fn sink() -> (EventSink, UnboundedReceiver<SessionEvent>) {
    let (tx, rx) = unbounded_channel();
    (
        Arc::new(move |ev| {
            let _ = tx.send(ev);
        }),
        rx,
    )
}

/// Starts a new session in the env's project with `prompt`; its events arrive on the receiver.
async fn open(
    pool: &SessionPool,
    e: &Env,
    prompt: &str,
) -> (String, UnboundedReceiver<SessionEvent>) {
    let (s, rx) = sink();
    let run_id = pool.start(new_session(e, prompt), s).await.unwrap();
    (run_id.to_string(), rx)
}

fn new_session(e: &Env, prompt: &str) -> StartRequest {
    StartRequest {
        cwd: Some(e.project.clone()),
        prompt: prompt.into(),
        ..Default::default()
    }
}

/// Collects events until `stop` matches one (included), bounded by `secs`.
async fn until(
    rx: &mut UnboundedReceiver<SessionEvent>,
    secs: u64,
    stop: impl Fn(&SessionEvent) -> bool,
) -> Vec<SessionEvent> {
    let mut seen = Vec::new();
    let fut = async {
        while let Some(ev) = rx.recv().await {
            let done = stop(&ev);
            seen.push(ev);
            if done {
                return true;
            }
        }
        false
    };
    let ok = tokio::time::timeout(Duration::from_secs(secs), fut).await;
    assert!(
        matches!(ok, Ok(true)),
        "condition not met in {secs} s; events: {:#?}",
        seen.iter().map(brief).collect::<Vec<_>>()
    );
    seen
}

fn brief(ev: &SessionEvent) -> String {
    match ev {
        SessionEvent::Cli { line } => format!("cli {:?}", line.kind()),
        SessionEvent::State { info } => format!("state {:?}", info.state),
        other => format!("{other:?}").chars().take(160).collect(),
    }
}

fn is_state(ev: &SessionEvent, want: &str) -> bool {
    matches!(ev, SessionEvent::State { info } if info.state.name() == want)
}

fn states(events: &[SessionEvent]) -> Vec<&'static str> {
    events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::State { info } => Some(info.state.name()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_turn_streams_then_ready_with_metrics_and_the_next_prompt_reuses_the_process() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "hello").await;
    let events = until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    assert_eq!(states(&events), vec!["streaming", "ready"]);
    let first_partial = events
        .iter()
        .position(|e| matches!(e, SessionEvent::Cli { line } if line.text_delta().is_some()))
        .unwrap();
    let result = events
        .iter()
        .position(|e| matches!(e, SessionEvent::Cli { line } if line.is_result()))
        .unwrap();
    assert!(first_partial < result);
    // (An earlier metrics event may tell that the process can rewind files.)
    let metrics = events[result..]
        .iter()
        .find_map(|e| match e {
            SessionEvent::Metrics { info } => Some(info.clone()),
            _ => None,
        })
        .expect("metrics after the result");
    assert_eq!(metrics.turns, 1);
    assert_eq!(metrics.messages_in, 1);
    assert_eq!(metrics.messages_out, 1);
    assert!(
        metrics.tokens.input > 0 && metrics.tokens.output > 0,
        "{metrics:?}"
    );
    assert!(metrics.bytes_streamed > 0);
    assert!(metrics.session_id.is_some());
    let pid = metrics.pid;

    pool.send_prompt(&run_id, "again").await.unwrap();
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let info = pool.info(&run_id).unwrap();
    assert_eq!(info.turns, 2);
    assert_eq!(info.messages_in, 2);
    assert_eq!(info.pid, pid, "the same process served both turns");
    assert_eq!(info.reconnects, 0);
    let snap = pool.snapshot();
    assert_eq!(snap.live, 1);
    assert_eq!(snap.total_created, 1);
    assert_eq!(snap.by_state.get("ready"), Some(&1));
    pool.close(&run_id).await;
    assert!(pool.snapshot().sessions.is_empty());
    assert!(matches!(
        pool.send_prompt(&run_id, "x").await,
        Err(CoreError::UnknownRun(_))
    ));
}

/// A fast CLI can answer before the prompt's write returns: the session must still end each
/// turn `ready` (the prompt is booked before it is written). Before that fix a result that
/// beat the booking left the session `streaming` for good (seen in the GUI suite on CI).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompts_back_to_back_each_end_ready_however_fast_the_cli_answers() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "first").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    const TURNS: u64 = 60;
    for i in 0..TURNS {
        pool.send_prompt(&run_id, &format!("turn {i}"))
            .await
            .unwrap();
        until(&mut rx, 10, |ev| is_state(ev, "ready")).await;
    }
    let info = pool.info(&run_id).unwrap();
    assert_eq!(info.turns, TURNS + 1);
    assert_eq!(info.messages_in, TURNS + 1);
    assert_eq!(info.state.name(), "ready");
    pool.close(&run_id).await;
}

#[tokio::test]
async fn resume_runs_in_the_recorded_dir_reuses_a_live_session_and_refuses_what_cannot_resume() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "first").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let id = pool.info(&run_id).unwrap().session_id.unwrap();

    // Live already: the same run takes the prompt; no second process on one transcript.
    let (s2, mut rx2) = sink();
    let again = StartRequest {
        cwd: Some("/".into()),
        prompt: "again".into(),
        resume: Some(id.clone()),
        ..Default::default()
    };
    assert_eq!(pool.start(again.clone(), s2).await.unwrap(), run_id);
    until(&mut rx2, 20, |ev| is_state(ev, "ready")).await;
    assert_eq!(pool.snapshot().total_created, 1);
    pool.close(&run_id).await;

    // Not live: a new process, in the recorded dir (the request's cwd is ignored).
    let (s3, mut rx3) = sink();
    let run2 = pool.start(again, s3).await.unwrap();
    assert_ne!(run2, run_id);
    let events = until(&mut rx3, 20, |ev| is_state(ev, "ready")).await;
    let init = events
        .iter()
        .find_map(|e| match e {
            SessionEvent::Cli { line } if *line.kind() == EventKind::Init => {
                Some(line.raw().clone())
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(init["cwd"].as_str(), e.project.to_str());
    assert_eq!(init["session_id"].as_str(), Some(id.as_str()));
    pool.close_all().await;

    let refused = |r: Result<ccdesk_core::ids::RunId, CoreError>| r.err().map(|e| e.kind());
    let req = |f: &dyn Fn(&mut StartRequest)| {
        let mut r = new_session(&e, "x");
        f(&mut r);
        r
    };
    let n = || ccdesk_core::pool::null_sink();
    assert_eq!(
        refused(
            pool.start(
                req(&|r| r.resume = Some(ccdesk_core::ids::SessionId::parse("nope").unwrap())),
                n()
            )
            .await
        ),
        Some("unknown_session")
    );
    assert_eq!(
        refused(pool.start(req(&|r| r.cwd = None), n()).await),
        Some("invalid_input")
    );
    assert_eq!(
        refused(pool.start(req(&|r| r.prompt = "  ".into()), n()).await),
        Some("invalid_input")
    );
    assert_eq!(
        refused(
            pool.start(req(&|r| r.cwd = Some(e.project.join("gone"))), n())
                .await
        ),
        Some("project_dir_missing")
    );
    // A mode ccdesk does not offer cannot even be asked for: the request does not decode.
    assert!(serde_json::from_value::<StartRequest>(serde_json::json!({
        "prompt": "hi", "cwd": "/", "permissionMode": "bypassPermissions"
    }))
    .is_err());
}

/// With two config dirs (two accounts), a session started in the second runs with that
/// `CLAUDE_CONFIG_DIR` (its transcript lands there), resumes there when its profile is named, is
/// not found in the first, and a profile nobody listed is refused.
#[tokio::test]
async fn a_session_starts_and_resumes_in_the_config_dir_of_its_profile() {
    use ccdesk_core::transcripts::paths::project_dir_name;
    use ccdesk_core::transcripts::profiles::{Profile, Profiles};
    let e = env();
    let work = e.tmp.path().join("work-config");
    let claude = fake_claude();
    let vars = vec![("CLAUDE_CONFIG_DIR".into(), e.config.clone().into())];
    let profiles = Profiles::new(vec![
        Profile {
            name: "personal".into(),
            config_dir: e.config.clone(),
        },
        Profile {
            name: "work".into(),
            config_dir: work.clone(),
        },
    ])
    .unwrap();
    let pool = Arc::new(
        SessionPool::new(
            e.config.clone(),
            Arc::new(move || Ok(claude.clone())),
            vars,
            fast(),
        )
        .unwrap()
        .with_profiles(profiles),
    );
    let (s, mut rx) = sink();
    let req = StartRequest {
        profile: Some("work".into()),
        ..new_session(&e, "first")
    };
    let run_id = pool.start(req, s).await.unwrap();
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let id = pool.info(run_id.as_ref()).unwrap().session_id.unwrap();
    let dir = project_dir_name(&e.project.to_string_lossy());
    let transcript = work.join("projects").join(&dir).join(format!("{id}.jsonl"));
    assert!(transcript.is_file(), "written under the work config dir");
    assert!(!e
        .config
        .join("projects")
        .join(&dir)
        .join(format!("{id}.jsonl"))
        .exists());
    pool.close(run_id.as_ref()).await;
    let before = std::fs::metadata(&transcript).unwrap().len();

    let resume = |profile: Option<&str>| StartRequest {
        prompt: "again".into(),
        resume: Some(id.clone()),
        profile: profile.map(Into::into),
        ..Default::default()
    };
    let err = pool.start(resume(None), sink().0).await.unwrap_err();
    assert!(matches!(err, CoreError::UnknownSession(_)), "{err:?}");
    let err = pool
        .start(resume(Some("nobody")), sink().0)
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::InvalidInput(_)), "{err:?}");
    let (s, mut rx) = sink();
    let run_id = pool.start(resume(Some("work")), s).await.unwrap();
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    assert!(
        std::fs::metadata(&transcript).unwrap().len() > before,
        "the same transcript grew"
    );
    pool.close(run_id.as_ref()).await;
}

/// A session a `claude` outside ccdesk is writing (here a stand-in named `claude`, detached so
/// that it is no descendant of this process, running in the session's folder, and the transcript
/// just written) is not resumed: the pool says it is live elsewhere; once that process is gone,
/// it resumes.
#[cfg(unix)]
#[tokio::test]
async fn a_session_live_elsewhere_is_not_resumed_until_its_writer_is_gone() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "first").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let id = pool.info(&run_id).unwrap().session_id.unwrap();
    pool.close(&run_id).await;

    // The stand-in: `sleep` under the name `claude` (a link), started by a shell that exits at
    // once, so that its parent is no longer this process.
    let bin = e.tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let claude = bin.join("claude");
    std::os::unix::fs::symlink("/bin/sleep", &claude).unwrap();
    let pidfile = e.tmp.path().join("pid");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("cd \"$1\" && (\"$3\" 30 & echo $! > \"$2\")")
        .arg("sh")
        .arg(&e.project)
        .arg(&pidfile)
        .arg(&claude)
        .status()
        .unwrap();
    assert!(status.success());
    let pid: i32 = until_some(|| std::fs::read_to_string(&pidfile).ok()?.trim().parse().ok()).await;
    let resume = || StartRequest {
        prompt: "again".into(),
        resume: Some(id.clone()),
        ..Default::default()
    };
    let err = pool.start(resume(), sink().0).await.unwrap_err();
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
    match err {
        CoreError::NotResumable { reason, .. } => {
            assert!(
                reason.contains("live elsewhere") && reason.contains(&pid.to_string()),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    // Gone: it resumes.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (s, mut rx) = sink();
    let run_id = pool.start(resume(), s).await.unwrap();
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    pool.close(run_id.as_ref()).await;
}

/// Polls `f` every 20 ms for up to 5 s.
async fn until_some<T>(f: impl Fn() -> Option<T>) -> T {
    for _ in 0..250 {
        if let Some(v) = f() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("not there within 5 s");
}

/// Two ccdesk processes (the window and `ccdesk run`, here two pools sharing one lock dir) never
/// run two `claude` processes on one transcript: a resume of a session the other holds live is
/// refused at once, names the holder and starts nothing; once the holder closes it, it resumes.
#[tokio::test]
async fn a_session_live_in_another_ccdesk_is_refused_until_that_one_lets_it_go() {
    let e = env();
    let locks = tempfile::tempdir().unwrap();
    let claude = fake_claude();
    let pool_in = |dir: Option<std::path::PathBuf>| {
        let claude = claude.clone();
        let vars = vec![("CLAUDE_CONFIG_DIR".into(), e.config.clone().into())];
        let pool = SessionPool::new(
            e.config.clone(),
            Arc::new(move || Ok(claude.clone())),
            vars,
            fast(),
        )
        .unwrap()
        .with_lock_dir(dir);
        Arc::new(pool)
    };
    let window = pool_in(Some(locks.path().to_path_buf()));
    let headless = pool_in(Some(locks.path().to_path_buf()));

    // A new session is locked from its `init` on.
    let (run_id, mut rx) = open(&window, &e, "first").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let id = window.info(&run_id).unwrap().session_id.unwrap();
    let resume = |prompt: &str| StartRequest {
        prompt: prompt.into(),
        resume: Some(id.clone()),
        ..Default::default()
    };
    let err = headless
        .start(resume("from the terminal"), ccdesk_core::pool::null_sink())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "not_resumable", "{err}");
    let msg = err.to_string();
    assert!(msg.contains("another ccdesk process"), "{msg}");
    assert!(
        msg.contains(&format!("pid {}", std::process::id())),
        "{msg}"
    );
    assert_eq!(headless.snapshot().total_created, 0, "nothing was started");

    // A fork writes a transcript of its own: allowed while the source is live elsewhere.
    let (s, mut frx) = sink();
    let fork = headless
        .start(
            StartRequest {
                fork_session: true,
                ..resume("a fork")
            },
            s,
        )
        .await
        .unwrap();
    until(&mut frx, 20, |ev| is_state(ev, "ready")).await;
    headless.close(&fork).await;

    // The holder lets go when its process ends; then the other side resumes it, and holds it.
    window.close(&run_id).await;
    let (s, mut hrx) = sink();
    let taken = headless.start(resume("now mine"), s).await.unwrap();
    until(&mut hrx, 20, |ev| is_state(ev, "ready")).await;
    let err = window
        .start(resume("back"), ccdesk_core::pool::null_sink())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "not_resumable", "{err}");
    headless.close_all().await;
    let (s, mut wrx) = sink();
    window.start(resume("back"), s).await.unwrap();
    until(&mut wrx, 20, |ev| is_state(ev, "ready")).await;
    window.close_all().await;
    drop(taken);
}

#[tokio::test]
async fn a_missing_cli_is_a_clear_error() {
    let e = env();
    let pool = SessionPool::new(
        e.config.clone(),
        Arc::new(|| ClaudeCommand::locate_in(None, Some("/nonexistent".into()), None)),
        Vec::new(),
        PoolConfig::default(),
    )
    .unwrap();
    let err = pool
        .start(new_session(&e, "x"), ccdesk_core::pool::null_sink())
        .await
        .expect_err("started without a CLI");
    assert_eq!(err.kind(), "claude_not_found");
    assert!(err.to_string().contains("claude on PATH"));
    assert!(
        pool.snapshot().sessions.is_empty(),
        "nothing half-started is kept"
    );
}

#[tokio::test]
async fn the_cap_refuses_a_session_too_many_and_names_the_idle_one() {
    let e = env();
    let pool = pool_with(
        &e,
        PoolConfig {
            max_sessions: 2,
            ..fast()
        },
        &[],
    );
    let (s1, mut rx1) = sink();
    let a = pool.start(new_session(&e, "one"), s1).await.unwrap();
    until(&mut rx1, 20, |ev| is_state(ev, "ready")).await;
    let (s2, mut rx2) = sink();
    let b = pool
        .start(new_session(&e, "FAKE_HANG_MIDTURN two"), s2)
        .await
        .unwrap();
    until(&mut rx2, 20, |ev| is_state(ev, "streaming")).await;

    let err = pool
        .start(new_session(&e, "three"), ccdesk_core::pool::null_sink())
        .await
        .expect_err("a third session passed the cap");
    assert_eq!(err.kind(), "pool_full");
    let CoreError::PoolFull {
        max, idle_run_id, ..
    } = &err
    else {
        unreachable!()
    };
    assert_eq!(*max, 2);
    assert_eq!(
        idle_run_id.as_deref(),
        Some(a.as_str()),
        "the ready one is offered"
    );
    assert!(err.to_string().contains("2 sessions"), "{err}");
    // Nothing was closed to make room.
    assert_eq!(pool.snapshot().live, 2);

    pool.close(&a).await;
    let (s3, mut rx3) = sink();
    pool.start(new_session(&e, "three"), s3).await.unwrap();
    until(&mut rx3, 20, |ev| is_state(ev, "ready")).await;
    assert_eq!(pool.snapshot().total_created, 3);
    pool.close(&b).await;
    pool.close_all().await;
    assert_eq!(pool.snapshot().live, 0);
}

#[tokio::test]
async fn permission_prompts_wait_for_the_user_and_carry_the_answer() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    // Allow once.
    let (run_id, mut rx) = open(&pool, &e, "FAKE_PERMISSION write it").await;
    let events = until(&mut rx, 20, |ev| {
        matches!(ev, SessionEvent::Permission { .. })
    })
    .await;
    let SessionEvent::Permission { request } = events.last().unwrap() else {
        unreachable!()
    };
    assert_eq!(request.tool_name, "Write");
    assert!(
        matches!(&request.preview, ToolPreview::FileChange { file_path, .. } if file_path.ends_with("fake-permission.txt"))
    );
    until(&mut rx, 5, |ev| is_state(ev, "waitingForPermission")).await;
    let info = pool.info(&run_id).unwrap();
    assert_eq!(info.state, SessionState::WaitingForPermission);
    assert_eq!(info.pending_permissions.len(), 1);
    pool.answer_permission(&run_id, &request.request_id, PermissionAnswer::AllowOnce)
        .await
        .unwrap();
    let after = until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    assert!(after
        .iter()
        .any(|e| matches!(e, SessionEvent::PermissionResolved { .. })));
    let tool_result = after
        .iter()
        .find_map(|e| match e {
            SessionEvent::Cli { line } if *line.kind() == EventKind::User => {
                Some(line.raw().to_string())
            }
            _ => None,
        })
        .unwrap();
    assert!(
        tool_result.contains("File created successfully"),
        "{tool_result}"
    );
    let written = e.project.join("fake-permission.txt");
    assert_eq!(
        std::fs::read_to_string(&written).ok().as_deref(),
        Some("x\n")
    );
    std::fs::remove_file(&written).unwrap();
    // A second answer to the same prompt is refused: it is no longer pending.
    let again = pool
        .answer_permission(&run_id, &request.request_id, PermissionAnswer::AllowOnce)
        .await;
    assert_eq!(again.err().map(|e| e.kind()), Some("invalid_input"));

    // Deny with a message: the CLI reports the denial and the turn still ends.
    pool.send_prompt(&run_id, "FAKE_PERMISSION again")
        .await
        .unwrap();
    let events = until(&mut rx, 20, |ev| {
        matches!(ev, SessionEvent::Permission { .. })
    })
    .await;
    let SessionEvent::Permission { request } = events.last().unwrap() else {
        unreachable!()
    };
    pool.answer_permission(
        &run_id,
        &request.request_id,
        PermissionAnswer::Deny {
            message: "not in this repo".into(),
        },
    )
    .await
    .unwrap();
    let after = until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let denied = after.iter().any(|e| {
        matches!(e, SessionEvent::Cli { line } if line.raw()["subtype"] == "permission_denied"
            && line.raw()["message"] == "not in this repo")
    });
    assert!(denied);
    assert!(!written.exists(), "a denied Write writes nothing");

    // Mode switch: acceptEdits makes the fake skip the prompt.
    pool.set_permission_mode(&run_id, PermissionMode::AcceptEdits)
        .await
        .unwrap();
    assert_eq!(pool.info(&run_id).unwrap().permission_mode, "acceptEdits");
    pool.send_prompt(&run_id, "FAKE_PERMISSION third")
        .await
        .unwrap();
    let after = until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    assert!(!after
        .iter()
        .any(|e| matches!(e, SessionEvent::Permission { .. })));
    pool.close_all().await;
}

/// An answer to a permission prompt is written before the prompt is marked resolved; a fast CLI's
/// `result` can come in between. Every turn must still end `ready` (it once stayed `streaming`
/// for good: CI's GUI suite, 2026-12-02).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permission_answers_back_to_back_each_turn_ends_ready_however_fast_the_cli_answers() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "first").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    const TURNS: usize = 40;
    for i in 0..TURNS {
        let request = prompt_until_permission(&pool, &run_id, &mut rx, i).await;
        pool.answer_permission(&run_id, &request.request_id, PermissionAnswer::AllowOnce)
            .await
            .unwrap();
        until(&mut rx, 10, |ev| is_state(ev, "ready")).await;
        assert!(pool.info(&run_id).unwrap().pending_permissions.is_empty());
    }
    assert_eq!(pool.info(&run_id).unwrap().state.name(), "ready");
    pool.close(&run_id).await;
}

/// Sends a prompt that makes the fake ask to write a file (`FAKE_PERMISSION`, round `i`) and
/// returns its permission request once it arrives.
async fn prompt_until_permission(
    pool: &SessionPool,
    run_id: &str,
    rx: &mut UnboundedReceiver<SessionEvent>,
    i: usize,
) -> ccdesk_core::pool::PermissionRequest {
    pool.send_prompt(run_id, &format!("FAKE_PERMISSION write {i}"))
        .await
        .unwrap();
    let events = until(rx, 10, |ev| matches!(ev, SessionEvent::Permission { .. })).await;
    let Some(SessionEvent::Permission { request }) = events.last() else {
        unreachable!()
    };
    (**request).clone()
}

/// Two answers to one permission prompt at the same moment (a double click, or the window and
/// a notification): exactly one is written, the other is refused, and the CLI gets one answer
/// per request (the fake exits 4 on a second one). The window in which both could be written
/// was microseconds wide, so this guards the invariant end to end; the unit test
/// `a_prompt_is_claimed_by_one_answer_at_a_time` (pool/session.rs) shows the claim itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_answers_at_once_to_one_prompt_write_one() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "first").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    for i in 0..30 {
        let request = prompt_until_permission(&pool, &run_id, &mut rx, i).await;
        let answer = |answer: PermissionAnswer| {
            let (pool, run_id, id) = (
                Arc::clone(&pool),
                run_id.clone(),
                request.request_id.clone(),
            );
            tokio::spawn(async move { pool.answer_permission(&run_id, &id, answer).await })
        };
        let a = answer(PermissionAnswer::AllowOnce);
        let b = answer(PermissionAnswer::Deny {
            message: "no".into(),
        });
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        assert!(a.is_ok() != b.is_ok(), "round {i}: {a:?} / {b:?}");
        let refused = if a.is_err() { a } else { b };
        assert!(
            matches!(refused, Err(CoreError::InvalidInput(ref m)) if m.contains("no longer pending")),
            "{refused:?}"
        );
        until(&mut rx, 10, |ev| is_state(ev, "ready")).await;
    }
    let info = pool.info(&run_id).unwrap();
    assert_eq!(info.state.name(), "ready");
    assert_eq!(info.errors, 0);
    pool.close(&run_id).await;
}

#[tokio::test]
async fn interrupt_ends_the_turn_and_the_process_takes_the_next_prompt() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "FAKE_HANG_MIDTURN").await;
    until(
        &mut rx,
        20,
        |ev| matches!(ev, SessionEvent::Cli { line } if line.text_delta().is_some()),
    )
    .await;
    let pid = pool.info(&run_id).unwrap().pid;
    // Two callers at once wait for the same interrupt.
    let (a, b) = tokio::join!(pool.interrupt(&run_id), pool.interrupt(&run_id));
    assert_eq!(a.unwrap(), InterruptOutcome::TurnEnded);
    assert_eq!(b.unwrap(), InterruptOutcome::TurnEnded);
    let info = pool.info(&run_id).unwrap();
    assert_eq!(info.state, SessionState::Ready);
    assert_eq!(info.pid, pid);
    assert_eq!(
        pool.interrupt(&run_id).await.unwrap(),
        InterruptOutcome::NotRunning
    );
    let events = until(&mut rx, 5, |ev| is_state(ev, "ready")).await;
    assert!(states(&events).contains(&"interrupting"));
    pool.send_prompt(&run_id, "after").await.unwrap();
    let events = until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let text: String = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Cli { line } => line.text_delta().map(str::to_owned),
            _ => None,
        })
        .collect();
    assert_eq!(
        text, "Echo: after",
        "no output of the interrupted turn leaks in"
    );
    pool.close_all().await;
}

#[tokio::test]
async fn a_silent_turn_is_interrupted_by_the_ongoing_timeout_and_the_session_stays() {
    let e = env();
    let pool = pool_with(
        &e,
        PoolConfig {
            ongoing_timeout_ms: 1_600,
            ..fast()
        },
        &[],
    );
    let (run_id, mut rx) = open(&pool, &e, "FAKE_HANG_MIDTURN").await;
    let events = until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    assert!(events
        .iter()
        .any(|e| matches!(e, SessionEvent::Warning { code, .. } if code == "ongoing_timeout")));
    assert!(states(&events).contains(&"interrupting"));
    assert!(
        pool.info(&run_id).unwrap().pid.is_some(),
        "the process lives on"
    );
    pool.close_all().await;
}

/// An ended session (here: expired) that stays untouched leaves the pool after the retire time:
/// a last `state` report says so (`retired`), snapshots no longer list it, and a prompt to it is
/// refused as to an unknown run (the UI then offers to resume it from the session browser).
#[tokio::test]
async fn an_ended_session_leaves_the_pool_after_the_retire_time_with_a_last_report() {
    let e = env();
    let claude = fake_claude();
    let vars = vec![("CLAUDE_CONFIG_DIR".into(), e.config.clone().into())];
    let cfg = PoolConfig {
        first_chunk_timeout_ms: 200,
        ongoing_timeout_ms: 250,
        ttl_ms: 300,
        ..fast()
    };
    let pool = Arc::new(
        SessionPool::new(
            e.config.clone(),
            Arc::new(move || Ok(claude.clone())),
            vars,
            cfg,
        )
        .unwrap()
        .with_retire_after(Duration::from_millis(400)),
    );
    tokio::spawn(ccdesk_core::pool::sweep_forever(Arc::downgrade(&pool)));
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    pool.set_observer(Arc::new(move |info: &ccdesk_core::pool::SessionInfo| {
        let _ = seen_tx.send(info.clone());
    }));
    let (run_id, mut rx) = open(&pool, &e, "short lived").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    // A live (ready) session is never retired, however long the retire time has passed.
    until(&mut rx, 10, |ev| is_state(ev, "expired")).await;
    assert_eq!(
        pool.snapshot().sessions.len(),
        1,
        "still listed while recently ended"
    );
    let last = until(
        &mut rx,
        10,
        |ev| matches!(ev, SessionEvent::State { info } if info.retired),
    )
    .await;
    let Some(SessionEvent::State { info }) = last.last() else {
        unreachable!()
    };
    assert_eq!(info.state.name(), "expired");
    assert!(pool.snapshot().sessions.is_empty(), "gone from snapshots");
    let told = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(i) = seen.recv().await {
            if i.retired {
                return i.run_id.to_string();
            }
        }
        String::new()
    })
    .await
    .unwrap();
    assert_eq!(
        told, run_id,
        "the pool observer (pool view, tray) is told too"
    );
    let err = pool.send_prompt(&run_id, "anyone?").await.unwrap_err();
    assert_eq!(err.kind(), "unknown_run");
}

#[tokio::test]
async fn an_idle_session_expires_and_the_next_prompt_resumes_it_in_a_new_process() {
    let e = env();
    let pool = pool_with(
        &e,
        PoolConfig {
            first_chunk_timeout_ms: 200,
            ongoing_timeout_ms: 400,
            ttl_ms: 800,
            stuck_after_ms: 60_000,
            ..fast()
        },
        &[],
    );
    let (run_id, mut rx) = open(&pool, &e, "remember me").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let first = pool.info(&run_id).unwrap();
    until(&mut rx, 10, |ev| is_state(ev, "expired")).await;
    assert_eq!(pool.snapshot().live, 0);
    pool.send_prompt(&run_id, "still there?").await.unwrap();
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let second = pool.info(&run_id).unwrap();
    assert_eq!(
        second.session_id, first.session_id,
        "resumed, not a new session"
    );
    assert_ne!(second.pid, first.pid);
    assert_eq!(second.reconnects, 1);
    assert_eq!(second.turns, 2);
    let summary = ccdesk_core::transcripts::index::find_session(
        &e.config,
        first.session_id.as_deref().unwrap(),
    )
    .unwrap();
    let t = Transcript::read(&summary.transcript_path).unwrap();
    let text = serde_json::to_string(&t).unwrap();
    assert!(text.contains("remember me") && text.contains("still there?"));
    pool.close_all().await;
}

#[tokio::test]
async fn a_crash_mid_stream_fails_the_session_in_words_and_the_next_prompt_reconnects() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "first").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    pool.send_prompt(&run_id, "FAKE_CRASH now").await.unwrap();
    let events = until(&mut rx, 20, |ev| is_state(ev, "failed")).await;
    let SessionEvent::State { info } = events.last().unwrap() else {
        unreachable!()
    };
    let SessionState::Failed { kind, message } = &info.state else {
        unreachable!()
    };
    assert_eq!(kind, "crashed");
    assert!(
        message.contains("code 3") && message.contains("fake crash"),
        "{message}"
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, SessionEvent::Exited(x) if x.code == Some(3))));
    assert_eq!(info.errors, 1);
    pool.send_prompt(&run_id, "back again").await.unwrap();
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let info = pool.info(&run_id).unwrap();
    assert_eq!(info.reconnects, 1);
    pool.close_all().await;
}

/// "Retry a failed restart (times)": a prompt to a crashed session starts `claude` again once,
/// then, while that start fails, retries as often as the setting says, waiting the back-off,
/// doubled each time, in between (0: no retry at all). One budget per prompt, so the starts are
/// bounded by the setting however they fail. Then the session is failed, in words; once `claude`
/// can start again, the next prompt brings it back.
#[cfg(unix)]
#[tokio::test]
async fn a_crashed_session_is_started_again_as_often_as_the_setting_says_with_doubling_back_off() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    for retries in [0u32, 2] {
        let e = env();
        // While `broken` exists, `claude` is a file that cannot be run (no execute bit).
        let broken = e.tmp.path().join("claude-not-runnable");
        let starts = Arc::new(AtomicUsize::new(0));
        let locate = {
            let (broken, starts, claude) = (broken.clone(), Arc::clone(&starts), fake_claude());
            Arc::new(move || {
                starts.fetch_add(1, Ordering::SeqCst);
                Ok(if broken.exists() {
                    ClaudeCommand::new(&broken)
                } else {
                    claude.clone()
                })
            })
        };
        let cfg = PoolConfig {
            reconnect_attempts: retries,
            reconnect_backoff_ms: 200,
            ..fast()
        };
        let pool = pool_locating(&e, cfg, &[], locate);
        let (run_id, mut rx) = open(&pool, &e, "first").await;
        until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
        pool.send_prompt(&run_id, "FAKE_CRASH now").await.unwrap();
        until(&mut rx, 20, |ev| is_state(ev, "failed")).await;
        assert_eq!(starts.load(Ordering::SeqCst), 1);
        std::fs::write(&broken, b"not a program").unwrap();
        let t0 = std::time::Instant::now();
        let sent = pool.send_prompt(&run_id, "back again").await;
        let took = t0.elapsed();
        assert!(
            matches!(sent, Err(CoreError::Spawn { .. })),
            "retries {retries}: {sent:?}"
        );
        assert_eq!(
            starts.load(Ordering::SeqCst),
            1 + 1 + retries as usize,
            "retries {retries}"
        );
        let info = pool.info(&run_id).unwrap();
        assert!(
            matches!(&info.state, SessionState::Failed { kind, .. } if kind == "reconnect_failed"),
            "retries {retries}: {:?}",
            info.state
        );
        if retries == 2 {
            // 200 ms, then 400 ms, before the two retries.
            assert!(took >= Duration::from_millis(600), "{took:?}");
        }
        std::fs::remove_file(&broken).unwrap();
        pool.send_prompt(&run_id, "and now").await.unwrap();
        until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
        pool.close_all().await;
    }
}

/// Finding `claude` (which may ask the login shell: seconds) and looking a resumed session up
/// on disk happen on the blocking pool, not on the thread that drives the sessions' streams.
#[tokio::test]
async fn claude_is_looked_for_off_the_thread_that_drives_the_sessions() {
    let e = env();
    let driver = std::thread::current().id();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let locate = {
        let (seen, claude) = (Arc::clone(&seen), fake_claude());
        Arc::new(move || {
            seen.lock().unwrap().push(std::thread::current().id());
            Ok(claude.clone())
        })
    };
    let pool = pool_locating(&e, fast(), &[], locate);
    let (run_id, mut rx) = open(&pool, &e, "first").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(seen.iter().all(|t| *t != driver), "{seen:?} vs {driver:?}");
    pool.close(&run_id).await;
}

/// Retries and back-off are bounded: a settings file cannot make a prompt start `claude` a
/// thousand times or wait for days.
#[test]
fn retries_and_back_off_are_bounded() {
    use ccdesk_core::pool::{MAX_RECONNECT_ATTEMPTS, MAX_RECONNECT_BACKOFF_MS};
    let ok = PoolConfig {
        reconnect_attempts: MAX_RECONNECT_ATTEMPTS,
        reconnect_backoff_ms: MAX_RECONNECT_BACKOFF_MS,
        ..PoolConfig::default()
    };
    assert!(ok.validate().is_ok());
    for bad in [
        PoolConfig {
            reconnect_attempts: MAX_RECONNECT_ATTEMPTS + 1,
            ..PoolConfig::default()
        },
        PoolConfig {
            reconnect_backoff_ms: MAX_RECONNECT_BACKOFF_MS + 1,
            ..PoolConfig::default()
        },
    ] {
        let e = bad
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("retr"), "{e}");
    }
}

#[tokio::test]
async fn garbage_a_10_mb_line_and_a_stderr_flood_are_survived() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (s, mut rx) = sink();
    let run_id = pool
        .start(
            new_session(&e, "FAKE_GARBAGE FAKE_BIGLINE FAKE_STDERR_FLOOD"),
            s,
        )
        .await
        .unwrap();
    let events = until(&mut rx, 60, |ev| is_state(ev, "ready")).await;
    assert!(events
        .iter()
        .any(|e| matches!(e, SessionEvent::Malformed { .. })));
    let big = events.iter().any(
        |e| matches!(e, SessionEvent::Cli { line } if line.raw().to_string().len() > 10_000_000),
    );
    assert!(big, "the 10 MB line arrived whole");
    assert!(pool.info(&run_id).unwrap().bytes_streamed > 10_000_000);
    pool.close(&run_id).await;
}

#[tokio::test]
async fn two_results_of_one_run_are_both_consumed() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "FAKE_TWO_RESULTS").await;
    let mut results = 0;
    until(
        &mut rx,
        20,
        |ev| matches!(ev, SessionEvent::Cli { line } if line.is_result()),
    )
    .await;
    results += 1;
    until(
        &mut rx,
        20,
        |ev| matches!(ev, SessionEvent::Cli { line } if line.is_result()),
    )
    .await;
    results += 1;
    assert_eq!(results, 2);
    assert_eq!(pool.info(&run_id).unwrap().turns, 2);
    pool.close(&run_id).await;
}

#[tokio::test]
async fn a_session_the_cli_cannot_find_is_marked_not_resumable() {
    let e = env();
    // A transcript stored under another project dir than its cwd's: the index finds it, the
    // CLI (which looks in the cwd's project dir) answers "No conversation found".
    let id = "7d1f0b7e-3a53-4b56-9a47-1d5f6a3a9c11";
    let dir = e.config.join("projects").join("-somewhere-else");
    std::fs::create_dir_all(&dir).unwrap();
    let line = serde_json::json!({"type":"user","uuid":"u1","parentUuid":null,"sessionId":id,
        "cwd":e.project,"timestamp":"2026-11-01T10:00:00.000Z",
        "message":{"role":"user","content":"hi"}});
    std::fs::write(dir.join(format!("{id}.jsonl")), format!("{line}\n")).unwrap();
    let pool = pool_with(&e, fast(), &[]);
    let (s, mut rx) = sink();
    let req = StartRequest {
        prompt: "again".into(),
        resume: Some(ccdesk_core::ids::SessionId::parse(id).unwrap()),
        ..Default::default()
    };
    let run_id = pool.start(req, s).await.unwrap();
    let events = until(&mut rx, 20, |ev| is_state(ev, "failed")).await;
    let SessionEvent::State { info } = events.last().unwrap() else {
        unreachable!()
    };
    assert!(
        matches!(&info.state, SessionState::Failed { kind, message } if kind == "not_resumable" && message.contains("No conversation found")),
        "{:?}",
        info.state
    );
    let retry = pool.send_prompt(&run_id, "again").await;
    assert_eq!(retry.err().map(|e| e.kind()), Some("not_resumable"));
    pool.close_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sink_that_stops_reading_holds_the_cli_back_instead_of_growing_memory() {
    let e = env();
    // A consumer that is slow is not a CLI that is silent: the ongoing timeout must not fire.
    let pool = pool_with(
        &e,
        PoolConfig {
            first_chunk_timeout_ms: 1_000,
            ongoing_timeout_ms: 1_600,
            ..fast()
        },
        &[("FAKE_FLOOD_BYTES", "40000000")],
    );
    let gate = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let g = Arc::clone(&gate);
    let (tx, mut rx) = unbounded_channel::<bool>();
    let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen_in_sink = Arc::clone(&seen);
    let s: EventSink = Arc::new(move |ev| {
        // Blocks while the gate is closed, like a consumer that stopped reading.
        while g.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10));
        }
        if !matches!(&ev, SessionEvent::Cli { .. }) {
            if let Ok(mut s) = seen_in_sink.lock() {
                s.push(brief(&ev));
            }
        }
        if matches!(&ev, SessionEvent::State { info } if info.state == SessionState::Ready) {
            let _ = tx.send(true);
        }
    });
    let run_id = pool.start(new_session(&e, "FAKE_FLOOD"), s).await.unwrap();
    // Not `tokio::time::sleep`: the blocked sink holds a runtime worker, which can stall timers.
    tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(2_000)))
        .await
        .unwrap();
    // The reader is stuck in the sink: what it has read is bounded by the event buffer and the
    // pipe, far below the 40 MB the CLI wants to write.
    let read = pool.info(&run_id).unwrap().bytes_streamed;
    assert!(
        read < 8 * 1024 * 1024,
        "read {read} bytes with nobody consuming"
    );
    gate.store(false, std::sync::atomic::Ordering::SeqCst);
    let done = tokio::time::timeout(Duration::from_secs(120), rx.recv()).await;
    assert_eq!(
        done.ok().flatten(),
        Some(true),
        "the turn completes once the sink drains; events: {:?}, now {:?}",
        seen.lock().map(|s| s.clone()).unwrap_or_default(),
        pool.info(&run_id).map(|i| i.state)
    );
    let info = pool.info(&run_id).unwrap();
    assert!(info.bytes_streamed >= 40_000_000);
    assert_eq!(
        info.turns, 1,
        "the turn was not interrupted while the sink was slow"
    );
    pool.close_all().await;
}

fn pid_alive(pid: u32) -> bool {
    // A zombie is dead for our purposes: it runs nothing.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

async fn gone_within(pid: u32, secs: u64) -> bool {
    for _ in 0..secs * 20 {
        if !pid_alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[cfg(target_os = "linux")]
fn grandchild_pid(events: &[SessionEvent]) -> u32 {
    events
        .iter()
        .find_map(|e| match e {
            SessionEvent::Cli { line } if line.raw()["subtype"] == "fake_grandchild" => line.raw()
                ["pid"]
                .as_u64()
                .and_then(|p| u32::try_from(p).ok()),
            _ => None,
        })
        .expect("the fake reported its grandchild")
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn an_interrupt_the_cli_ignores_escalates_to_signals_and_ends_in_a_defined_state() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "FAKE_DEAF FAKE_GRANDCHILD").await;
    let events = until(
        &mut rx,
        20,
        |ev| matches!(ev, SessionEvent::Cli { line } if line.raw()["subtype"] == "fake_tick"),
    )
    .await;
    let sleep_pid = grandchild_pid(&events);
    let cli_pid = pool.info(&run_id).unwrap().pid.unwrap();
    let started = std::time::Instant::now();
    let outcome = pool.interrupt(&run_id).await.unwrap();
    assert_eq!(outcome, InterruptOutcome::ProcessEnded);
    assert!(
        started.elapsed() < Duration::from_millis(fast().interrupt_timeout_ms + 500),
        "bounded by the interrupt timeout: {:?}",
        started.elapsed()
    );
    let info = pool.info(&run_id).unwrap();
    assert_eq!(info.state, SessionState::Closed, "resumable, not half-way");
    assert!(gone_within(cli_pid, 5).await, "the CLI was ended");
    assert!(gone_within(sleep_pid, 5).await, "its tool process too");
    let after = until(&mut rx, 5, |ev| is_state(ev, "closed")).await;
    assert!(after
        .iter()
        .any(|e| matches!(e, SessionEvent::Exited(x) if x.signal == Some(9))));

    // The next prompt resumes the session in a new process; no tick of the old one follows.
    pool.send_prompt(&run_id, "fresh turn").await.unwrap();
    let events = until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let old_ticks = events
        .iter()
        .any(|e| matches!(e, SessionEvent::Cli { line } if line.raw()["subtype"] == "fake_tick"));
    assert!(
        !old_ticks,
        "output of the abandoned turn leaked into the next one"
    );
    let info = pool.info(&run_id).unwrap();
    assert_eq!(info.reconnects, 1);
    assert_ne!(info.pid, Some(cli_pid));
    pool.close_all().await;
}

#[tokio::test]
async fn a_prompt_sent_during_a_stuck_interrupt_replaces_the_process_and_drops_its_output() {
    let e = env();
    // The interrupt bound is long, the prompt's wait for it is what runs out first: the prompt
    // then replaces the process rather than reusing it half-way.
    let pool = pool_with(
        &e,
        PoolConfig {
            interrupt_grace_ms: 3_000,
            interrupt_timeout_ms: 4_000,
            ..fast()
        },
        &[],
    );
    let (run_id, mut rx) = open(&pool, &e, "FAKE_DEAF").await;
    until(
        &mut rx,
        20,
        |ev| matches!(ev, SessionEvent::Cli { line } if line.raw()["subtype"] == "fake_tick"),
    )
    .await;
    let old_pid = pool.info(&run_id).unwrap().pid.unwrap();
    let p = Arc::clone(&pool);
    let id = run_id.clone();
    let interrupt = tokio::spawn(async move { p.interrupt(&id).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        pool.info(&run_id).unwrap().state,
        SessionState::Interrupting
    );
    pool.send_prompt(&run_id, "new turn").await.unwrap();
    let events = until(&mut rx, 30, |ev| is_state(ev, "ready")).await;
    let _ = interrupt.await;
    // Once the new process has started, nothing of the old one reaches the sink.
    let new_init = events
        .iter()
        .position(|e| matches!(e, SessionEvent::Cli { line } if *line.kind() == EventKind::Init))
        .expect("the new process's init");
    let leaked = events[new_init..]
        .iter()
        .any(|e| matches!(e, SessionEvent::Cli { line } if line.raw()["subtype"] == "fake_tick"));
    assert!(
        !leaked,
        "a tick of the replaced process came after the new init"
    );
    let info = pool.info(&run_id).unwrap();
    assert_ne!(info.pid, Some(old_pid));
    assert!(gone_within(old_pid, 5).await);
    pool.close_all().await;
}

#[tokio::test]
async fn no_init_within_the_first_chunk_timeout_fails_the_session_and_a_retry_works() {
    let e = env();
    let flag = e.tmp.path().join("hang");
    std::fs::write(&flag, b"").unwrap();
    let pool = pool_with(
        &e,
        fast(),
        &[("FAKE_CLAUDE_HANG_BEFORE_INIT_IF", flag.to_str().unwrap())],
    );
    let (run_id, mut rx) = open(&pool, &e, "hello").await;
    let pid = pool.info(&run_id).unwrap().pid.unwrap();
    let events = until(&mut rx, 20, |ev| is_state(ev, "failed")).await;
    let SessionEvent::State { info } = events.last().unwrap() else {
        unreachable!()
    };
    assert!(
        matches!(&info.state, SessionState::Failed { kind, message } if kind == "first_chunk_timeout" && message.contains("again")),
        "{:?}",
        info.state
    );
    assert!(gone_within(pid, 5).await);
    std::fs::remove_file(&flag).unwrap();
    pool.send_prompt(&run_id, "hello").await.unwrap();
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    pool.close_all().await;
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn close_all_ends_every_process_group_tool_processes_included() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let mut pids = Vec::new();
    for i in 0..3 {
        let (s, mut rx) = sink();
        let run_id = pool
            // The last one like the real CLI's Bash tool: in a process group of its own.
            .start(
                new_session(
                    &e,
                    &format!(
                        "FAKE_GRANDCHILD {}",
                        if i == 2 { "FAKE_DETACHED" } else { "" }
                    ),
                ),
                s,
            )
            .await
            .unwrap();
        let events = until(&mut rx, 20, |ev| {
            matches!(ev, SessionEvent::Cli { line } if line.raw()["subtype"] == "fake_grandchild")
        })
        .await;
        pids.push(grandchild_pid(&events));
        pids.push(pool.info(&run_id).unwrap().pid.unwrap());
    }
    assert!(pids.iter().all(|p| pid_alive(*p)));
    pool.close_all().await;
    for p in pids {
        assert!(gone_within(p, 5).await, "process {p} outlived close_all");
    }
    assert_eq!(pool.snapshot().live, 0);
}

#[tokio::test]
async fn a_turn_running_past_stuck_after_is_flagged_not_ended() {
    let e = env();
    // FAKE_RATE keeps printing (so the ongoing timeout never fires) for longer than stuck_after.
    let pool = pool_with(
        &e,
        PoolConfig {
            first_chunk_timeout_ms: 200,
            ongoing_timeout_ms: 400,
            stuck_after_ms: 1_000,
            ttl_ms: 60_000,
            ..fast()
        },
        &[("FAKE_RATE_LINES_PER_SEC", "20"), ("FAKE_RATE_COUNT", "60")],
    );
    let (run_id, mut rx) = open(&pool, &e, "FAKE_RATE").await;
    let events = until(
        &mut rx,
        20,
        |ev| matches!(ev, SessionEvent::Warning { code, .. } if code == "stuck"),
    )
    .await;
    assert!(!events.iter().any(|e| is_state(e, "interrupting")));
    assert!(pool.info(&run_id).unwrap().stuck);
    let events = until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    assert!(!events.iter().any(|e| is_state(e, "interrupting")));
    assert!(
        !pool.info(&run_id).unwrap().stuck,
        "cleared when the turn ends"
    );
    pool.close_all().await;
}

/// Rewinding a live session's files (issue 14 part 1): the pool turns the CLI's file
/// checkpoints on, asks the process at start whether it can rewind, and rewinds the files of a
/// turn and those after it through `rewind_files` (dry run first); with checkpointing turned
/// off by the user it says so instead.
#[tokio::test]
async fn a_live_sessions_files_are_rewound_to_before_a_turn() {
    let e = env();
    let pool = pool_with(&e, fast(), &[]);
    let (run_id, mut rx) = open(&pool, &e, "say hi first").await;
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    until_some(|| pool.info(&run_id).unwrap().rewind_files.then_some(())).await;
    let request = prompt_until_permission(&pool, &run_id, &mut rx, 1).await;
    pool.answer_permission(&run_id, &request.request_id, PermissionAnswer::AllowOnce)
        .await
        .unwrap();
    until(&mut rx, 20, |ev| is_state(ev, "ready")).await;
    let written = e.project.join("fake-permission.txt");
    assert!(written.exists());

    // The turn that wrote it, from the transcript.
    let id = pool.info(&run_id).unwrap().session_id.unwrap();
    let found = ccdesk_core::transcripts::index::find_session(&e.config, id.as_str()).unwrap();
    let changes =
        ccdesk_core::transcripts::changes::session_changes(&found.transcript_path, None).unwrap();
    let turn = changes.turns.last().unwrap();
    assert_eq!(turn.index, 2, "{changes:#?}");
    let uuid = turn.uuid.clone().unwrap();

    let dry = pool.rewind_files(&run_id, &uuid, true).await.unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.files_changed, [written.to_str().unwrap()]);
    assert_eq!((dry.insertions, dry.deletions), (0, 1));
    assert!(written.exists(), "a dry run changes nothing");
    let done = pool.rewind_files(&run_id, &uuid, false).await.unwrap();
    assert!(!done.dry_run);
    assert!(!written.exists(), "the file the turn created is gone again");
    // A prompt with no checkpoint: the CLI's reason.
    let err = pool
        .rewind_files(&run_id, "00000000-0000-4000-8000-000000000001", false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "control_request_failed", "{err}");
    assert!(err.to_string().contains("No file checkpoint"), "{err}");
    // Not while a turn runs.
    pool.send_prompt(&run_id, "FAKE_SLOW take your time")
        .await
        .unwrap();
    let busy = pool.rewind_files(&run_id, &uuid, true).await.unwrap_err();
    assert_eq!(busy.kind(), "invalid_input", "{busy}");
    pool.close(&run_id).await;

    // Checkpointing turned off by the user: the process says it cannot rewind.
    let off = pool_with(
        &e,
        fast(),
        &[("CLAUDE_CODE_DISABLE_FILE_CHECKPOINTING", "1")],
    );
    let (off_id, mut orx) = open(&off, &e, "say hi").await;
    until(&mut orx, 20, |ev| is_state(ev, "ready")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!off.info(&off_id).unwrap().rewind_files);
    let refused = off.rewind_files(&off_id, &uuid, true).await.unwrap_err();
    assert_eq!(refused.kind(), "invalid_input", "{refused}");
    off.close(&off_id).await;
}
