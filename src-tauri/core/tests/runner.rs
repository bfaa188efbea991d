//! The runner against the project's fake `claude`
//! (`tests/fake-claude`, built by `cargo build --workspace`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::time::Duration;

use ccdesk_core::transcripts::index::SessionIndex;
mod common;

use ccdesk_core::claude::runner::{ClaudeProcess, RunEvent, RunExit};
use ccdesk_core::claude::stream::EventKind;
use ccdesk_core::transcripts::transcript::Transcript;
use common::{env, fake_claude};
use tokio::sync::mpsc;

/// Collects events until `Exited` (bounded by 30 s).
async fn collect(rx: &mut mpsc::Receiver<RunEvent>) -> (Vec<RunEvent>, RunExit) {
    let mut events = Vec::new();
    let fut = async {
        while let Some(ev) = rx.recv().await {
            if let RunEvent::Exited(exit) = ev {
                return exit;
            }
            events.push(ev);
        }
        panic!("channel closed without Exited");
    };
    let exit = tokio::time::timeout(Duration::from_secs(30), fut)
        .await
        .expect("run did not end in 30 s");
    (events, exit)
}

/// Reads events until the first `result` (bounded by 30 s).
async fn until_result(rx: &mut mpsc::Receiver<RunEvent>) -> Vec<RunEvent> {
    let mut events = Vec::new();
    let fut = async {
        while let Some(ev) = rx.recv().await {
            let done = matches!(&ev, RunEvent::Cli(e) if e.is_result());
            events.push(ev);
            if done {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), fut)
        .await
        .expect("no result in 30 s");
    events
}

fn kinds(events: &[RunEvent]) -> Vec<EventKind> {
    events
        .iter()
        .filter_map(|e| {
            if let RunEvent::Cli(c) = e {
                Some(c.kind().clone())
            } else {
                None
            }
        })
        .collect()
}

fn streamed_text(events: &[RunEvent]) -> String {
    events
        .iter()
        .filter_map(|e| {
            if let RunEvent::Cli(c) = e {
                c.text_delta()
            } else {
                None
            }
        })
        .collect()
}

#[tokio::test]
async fn a_new_session_streams_its_reply_and_is_indexed_under_its_project() {
    let e = env();
    let (run, mut rx) = ClaudeProcess::spawn(&fake_claude(), e.opts())
        .await
        .unwrap();
    run.send_prompt("hello there").await.unwrap();
    let events = until_result(&mut rx).await;
    let k = kinds(&events);
    assert_eq!(k.first(), Some(&EventKind::Init));
    let first_partial = k.iter().position(|k| *k == EventKind::Partial).unwrap();
    let assistant = k.iter().position(|k| *k == EventKind::Assistant).unwrap();
    assert!(
        first_partial < assistant,
        "partial text arrives before the final message"
    );
    assert_eq!(streamed_text(&events), "Echo: hello there");
    let id = run.session_id().unwrap();
    run.close_input().await;
    let (_, exit) = collect(&mut rx).await;
    assert!(exit.is_success(), "{exit:?}");
    assert_eq!(exit.session_id.as_deref(), Some(id.as_str()));

    let index = SessionIndex::scan(&e.config).unwrap();
    let s = index.find(&id).unwrap();
    assert_eq!(s.project_path.as_deref(), e.project.to_str());
    assert_eq!(s.title, "hello there");
    assert!(s.resumability.is_resumable());
}

/// A CLI installed by nvm is a `#!/usr/bin/env node` script whose `node` sits beside it, on the
/// terminal's PATH but not on a desktop launcher's: found through the login shell (or named in
/// the settings), it runs with the PATH it was found with, not ccdesk's (which would exit 127).
#[cfg(unix)]
#[tokio::test]
async fn a_cli_found_on_the_login_shells_path_runs_with_that_path() {
    use ccdesk_core::claude::discover::DiscoverInputs;
    use ccdesk_core::claude::runner::ClaudeCommand;
    use std::os::unix::fs::PermissionsExt;
    let e = env();
    let tmp = tempfile::tempdir().unwrap();
    let nvm_bin = tmp.path().join("nvm/versions/node/v20/bin");
    std::fs::create_dir_all(&nvm_bin).unwrap();
    let write = |p: &std::path::Path, body: String| {
        std::fs::write(p, body).unwrap();
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    // `node` stand-in: runs the fake CLI with the script's arguments.
    let fake = fake_claude().program;
    write(
        &nvm_bin.join("ccdesk-test-node"),
        format!("#!/bin/sh\nshift\nexec '{}' \"$@\"\n", fake.display()),
    );
    write(
        &nvm_bin.join("claude"),
        "#!/usr/bin/env ccdesk-test-node\n".to_owned(),
    );
    let shell = tmp.path().join("login-sh");
    write(
        &shell,
        format!(
            "#!/bin/sh\nprintf %s '{}:/usr/bin:/bin'\n",
            nvm_bin.display()
        ),
    );
    let launcher_path = std::ffi::OsString::from("/usr/bin:/bin");
    let by_login_shell = ClaudeCommand::locate_with(&DiscoverInputs {
        path_var: Some(launcher_path.clone()),
        login_shell: Some(shell),
        login_shell_timeout_ms: 5_000,
        ..DiscoverInputs::default()
    })
    .unwrap();
    let by_setting = ClaudeCommand::locate_with(&DiscoverInputs {
        configured: Some(nvm_bin.join("claude")),
        path_var: Some(launcher_path),
        ..DiscoverInputs::default()
    })
    .unwrap();
    for claude in [by_login_shell, by_setting] {
        assert_eq!(claude.program, nvm_bin.join("claude"));
        let (run, mut rx) = ClaudeProcess::spawn(&claude, e.opts()).await.unwrap();
        run.send_prompt("hello from nvm").await.unwrap();
        run.close_input().await;
        let (events, exit) = collect(&mut rx).await;
        assert!(exit.is_success(), "{exit:?}");
        assert_eq!(streamed_text(&events), "Echo: hello from nvm");
    }
}

#[tokio::test]
async fn follow_up_prompts_go_to_the_same_process_and_resume_appends_to_the_same_file() {
    let e = env();
    let (run, mut rx) = ClaudeProcess::spawn(&fake_claude(), e.opts())
        .await
        .unwrap();
    let pid = run.pid();
    run.send_prompt("one").await.unwrap();
    until_result(&mut rx).await;
    run.send_prompt("two").await.unwrap();
    let second = until_result(&mut rx).await;
    assert_eq!(streamed_text(&second), "Echo: two");
    assert_eq!(run.pid(), pid);
    let id = run.session_id().unwrap();
    run.close_input().await;
    collect(&mut rx).await;

    let mut opts = e.opts();
    opts.resume = Some(ccdesk_core::ids::SessionId::parse(&id).unwrap());
    let (resumed, mut rx) = ClaudeProcess::spawn(&fake_claude(), opts).await.unwrap();
    resumed.send_prompt("three").await.unwrap();
    until_result(&mut rx).await;
    assert_eq!(resumed.session_id().as_deref(), Some(id.as_str()));
    resumed.close_input().await;
    collect(&mut rx).await;

    let s = SessionIndex::scan(&e.config)
        .unwrap()
        .find(&id)
        .cloned()
        .unwrap();
    let t = Transcript::read(&s.transcript_path).unwrap();
    let prompts: Vec<String> = t
        .messages()
        .filter(|m| m.is_real_user_prompt())
        .map(|m| m.content.plain_text())
        .collect();
    assert_eq!(prompts, ["one", "two", "three"]);
    assert!(t
        .messages()
        .all(|m| m.session_id.as_deref() == Some(id.as_str())));
}

#[tokio::test]
async fn resuming_an_unknown_session_reports_the_clis_error() {
    let e = env();
    let mut opts = e.opts();
    opts.resume =
        Some(ccdesk_core::ids::SessionId::parse("00000000-0000-4000-8000-000000000000").unwrap());
    let (run, mut rx) = ClaudeProcess::spawn(&fake_claude(), opts).await.unwrap();
    let _ = run.send_prompt("hi").await; // the CLI may already be gone
    let (_, exit) = collect(&mut rx).await;
    assert_eq!(exit.code, Some(1));
    assert!(
        exit.errors
            .iter()
            .any(|e| e.contains("No conversation found")),
        "{exit:?}"
    );
}

#[tokio::test]
async fn a_crash_mid_stream_ends_the_run_with_its_code_and_stderr() {
    let e = env();
    let (run, mut rx) = ClaudeProcess::spawn(&fake_claude(), e.opts())
        .await
        .unwrap();
    run.send_prompt("please FAKE_CRASH now").await.unwrap();
    let (events, exit) = collect(&mut rx).await;
    assert_eq!(exit.code, Some(3));
    assert!(
        exit.stderr_tail.contains("fake crash"),
        "{:?}",
        exit.stderr_tail
    );
    assert!(!kinds(&events).contains(&EventKind::Result));
    assert!(!exit.is_success());
}

#[tokio::test]
async fn garbage_lines_are_skipped_and_counted() {
    let e = env();
    let (run, mut rx) = ClaudeProcess::spawn(&fake_claude(), e.opts())
        .await
        .unwrap();
    run.send_prompt("FAKE_GARBAGE").await.unwrap();
    until_result(&mut rx).await;
    run.close_input().await;
    let (events, exit) = collect(&mut rx).await;
    let _ = events;
    assert!(exit.malformed_lines >= 2, "{exit:?}");
    assert!(exit.is_success());
}

#[tokio::test]
async fn a_ten_megabyte_line_and_fifty_megabytes_of_stderr_do_not_block() {
    let e = env();
    let (run, mut rx) = ClaudeProcess::spawn(&fake_claude(), e.opts())
        .await
        .unwrap();
    run.send_prompt("FAKE_BIGLINE").await.unwrap();
    let events = until_result(&mut rx).await;
    let big = events
        .iter()
        .filter_map(|e| {
            if let RunEvent::Cli(c) = e {
                c.assistant_text()
            } else {
                None
            }
        })
        .map(|t| t.len())
        .max();
    assert_eq!(big, Some(10 * 1024 * 1024));
    run.send_prompt("FAKE_STDERR_FLOOD").await.unwrap();
    until_result(&mut rx).await;
    run.close_input().await;
    let (_, exit) = collect(&mut rx).await;
    assert!(exit.is_success(), "{:?}", exit.code);
    assert!(exit.stderr_tail.len() <= ccdesk_core::claude::runner::STDERR_TAIL_BYTES);
}

#[tokio::test]
async fn stdout_is_read_to_the_end_past_the_first_result() {
    let e = env();
    let (run, mut rx) = ClaudeProcess::spawn(&fake_claude(), e.opts())
        .await
        .unwrap();
    run.send_prompt("FAKE_TWO_RESULTS").await.unwrap();
    run.close_input().await;
    let (events, exit) = collect(&mut rx).await;
    assert_eq!(
        kinds(&events)
            .iter()
            .filter(|k| **k == EventKind::Result)
            .count(),
        2
    );
    assert!(exit.is_success());
}

#[tokio::test]
async fn stop_ends_a_hung_process_group() {
    let e = env();
    let (run, mut rx) = ClaudeProcess::spawn(&fake_claude(), e.opts())
        .await
        .unwrap();
    run.send_prompt("FAKE_HANG_MIDTURN").await.unwrap();
    // wait for the first delta, then stop
    loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
        {
            Some(RunEvent::Cli(c)) if c.text_delta().is_some() => break,
            Some(_) => {}
            None => panic!("ended early"),
        }
    }
    tokio::time::timeout(Duration::from_secs(10), run.stop())
        .await
        .unwrap();
    let (_, exit) = collect(&mut rx).await;
    assert!(run.has_exited());
    assert!(exit.code.is_none() || exit.code != Some(0), "{exit:?}");
}
