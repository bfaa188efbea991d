//! Notification decisions on a real pool (the fake CLI): the app's pool observer feeds an
//! `AlertTracker` and shows what it decides on an `AlertSink`; here the sink records.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccdesk_core::desktop::alerts::{Alert, AlertKind, AlertSink, AlertTracker, RecordingSink};
use ccdesk_core::pool::{
    EventSink, PermissionAnswer, PoolConfig, SessionEvent, SessionInfo, SessionPool, StartRequest,
};
use common::{env, fake_claude};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

struct Desk {
    pool: Arc<SessionPool>,
    sink: Arc<RecordingSink>,
    focused: Arc<AtomicBool>,
    enabled: Arc<AtomicBool>,
}

/// A pool wired as the app wires it: every change goes through the tracker to the sink.
fn desk(config: &std::path::Path) -> Desk {
    let claude = fake_claude();
    let pool = Arc::new(
        SessionPool::new(
            config.to_path_buf(),
            Arc::new(move || Ok(claude.clone())),
            vec![("CLAUDE_CONFIG_DIR".into(), config.as_os_str().to_owned())],
            PoolConfig::default(),
        )
        .unwrap(),
    );
    let sink = Arc::new(RecordingSink::default());
    let focused = Arc::new(AtomicBool::new(false));
    let enabled = Arc::new(AtomicBool::new(true));
    let tracker = Mutex::new(AlertTracker::new());
    let (s, f, en) = (
        Arc::clone(&sink),
        Arc::clone(&focused),
        Arc::clone(&enabled),
    );
    pool.set_observer(Arc::new(move |info: &SessionInfo| {
        let alert = tracker.lock().unwrap().observe(
            info,
            f.load(Ordering::SeqCst),
            en.load(Ordering::SeqCst),
        );
        if let Some(a) = alert {
            s.show(&a);
        }
    }));
    Desk {
        pool,
        sink,
        focused,
        enabled,
    }
}

fn channel() -> (EventSink, UnboundedReceiver<SessionEvent>) {
    let (tx, rx) = unbounded_channel();
    (
        Arc::new(move |ev| {
            let _ = tx.send(ev);
        }),
        rx,
    )
}

async fn until_state(rx: &mut UnboundedReceiver<SessionEvent>, want: &str) {
    let fut = async {
        while let Some(ev) = rx.recv().await {
            if matches!(&ev, SessionEvent::State { info } if info.state.name() == want) {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .unwrap_or_else(|_| panic!("no {want} state in 20 s"));
}

/// The alerts once `n` have been recorded (the observer runs right after the session's sink).
async fn alerts(sink: &RecordingSink, n: usize) -> Vec<Alert> {
    for _ in 0..200 {
        let got = sink.recorded();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sink.recorded()
}

#[tokio::test]
async fn a_finished_turn_and_a_waiting_permission_notify_only_while_unfocused_and_enabled() {
    let e = env();
    let d = desk(&e.config);
    let (s, mut rx) = channel();
    let run_id = d
        .pool
        .start(
            StartRequest {
                cwd: Some(e.project.clone()),
                prompt: "hello".into(),
                ..Default::default()
            },
            s,
        )
        .await
        .unwrap();
    until_state(&mut rx, "ready").await;
    let got = alerts(&d.sink, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].kind, AlertKind::TurnFinished);
    assert_eq!(got[0].run_id, run_id);
    assert!(got[0].session_id.is_some());

    // Focused: the user sees it; no notification.
    d.focused.store(true, Ordering::SeqCst);
    d.pool.send_prompt(&run_id, "again").await.unwrap();
    until_state(&mut rx, "streaming").await;
    until_state(&mut rx, "ready").await;
    // Switched off: none either.
    d.focused.store(false, Ordering::SeqCst);
    d.enabled.store(false, Ordering::SeqCst);
    d.pool.send_prompt(&run_id, "and again").await.unwrap();
    until_state(&mut rx, "streaming").await;
    until_state(&mut rx, "ready").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(d.sink.recorded().len(), 1, "{:?}", d.sink.recorded());

    // A permission prompt while away: one alert naming the tool, then one when the turn ends.
    d.enabled.store(true, Ordering::SeqCst);
    d.pool
        .send_prompt(&run_id, "FAKE_PERMISSION write it")
        .await
        .unwrap();
    until_state(&mut rx, "waitingForPermission").await;
    let got = alerts(&d.sink, 2).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].kind, AlertKind::PermissionWaiting);
    assert!(got[1].body.contains("Write"), "{}", got[1].body);
    let request_id = d.pool.info(&run_id).unwrap().pending_permissions[0]
        .request_id
        .clone();
    d.pool
        .answer_permission(&run_id, &request_id, PermissionAnswer::AllowOnce)
        .await
        .unwrap();
    until_state(&mut rx, "ready").await;
    let got = alerts(&d.sink, 3).await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[2].kind, AlertKind::TurnFinished);
    d.pool.close_all().await;
}
