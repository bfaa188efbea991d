//! When to show a system notification: a turn finished, or a tool call waits for permission,
//! while the user is looking elsewhere. [`AlertTracker`] sees every state and metrics change of
//! the live sessions and decides; an [`AlertSink`] (the app's notification backend, or a
//! [`RecordingSink`] in tests) shows what it decided.
//!
//! Rules, per run id:
//! - turn finished: the state goes from `streaming` or `waitingForPermission` to `ready`
//!   (startup's `connecting → ready` and an interrupt's `interrupting → ready` are not turns
//!   the user waits for);
//! - permission waiting: the state is `waitingForPermission` and a pending request appears that
//!   was not alerted yet (one alert per request id, however many events repeat it);
//! - nothing is shown when alerts are disabled or the window has the focus, but the change is
//!   remembered all the same, so it is never alerted later;
//! - a run whose process is gone (`closed`, `failed`, `expired`) is forgotten.

use crate::ids::{RunId, SessionId};
use crate::sync::LockExt;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use serde::Serialize;

use crate::pool::{PermissionRequest, SessionInfo, SessionState, ToolPreview};

/// Longest alert body, in chars.
pub const BODY_CHARS: usize = 200;

/// Why an alert is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AlertKind {
    /// A turn ended; the session takes the next prompt.
    TurnFinished,
    /// A tool call waits for the user's permission.
    PermissionWaiting,
}

/// A notification to show. Clicking it should open the live session `run_id`.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// ccdesk's run id of the live session.
    pub run_id: RunId,
    /// The CLI session id, when known.
    pub session_id: Option<SessionId>,
    /// One line, e.g. `Claude finished in ccdesk`.
    pub title: String,
    /// Details, at most [`BODY_CHARS`] chars, e.g. `Turn 3 done · $0.12 in total` or
    /// `Bash: cargo test`.
    pub body: String,
    /// Why.
    pub kind: AlertKind,
}

/// Shows alerts (a system notification in the app).
pub trait AlertSink: Send + Sync {
    /// Shows `alert`. Must not block for long: it is called from the pool's event delivery.
    fn show(&self, alert: &Alert);
}

/// An [`AlertSink`] that keeps what it was asked to show, for tests.
#[derive(Debug, Default)]
pub struct RecordingSink {
    /// Alerts shown, oldest first.
    pub alerts: Mutex<Vec<Alert>>,
}

impl RecordingSink {
    /// The alerts shown so far, oldest first (they are kept).
    pub fn recorded(&self) -> Vec<Alert> {
        self.alerts.locked().clone()
    }
}

impl AlertSink for RecordingSink {
    fn show(&self, alert: &Alert) {
        self.alerts.locked().push(alert.clone());
    }
}

/// What was last seen of one run.
#[derive(Debug)]
struct Seen {
    state: SessionState,
    /// Pending permission request ids already alerted (or seen while alerts were off).
    requests: HashSet<String>,
    /// Errors counted at the last observation, to tell a failed turn.
    errors: u64,
}

/// Remembers the last state of each live run and decides which changes deserve an alert
/// (rules in the module docs). One tracker for the whole pool; not shared between threads
/// without a lock (`observe` takes `&mut self`).
#[derive(Debug, Default)]
pub struct AlertTracker {
    runs: HashMap<String, Seen>,
}

impl AlertTracker {
    /// A tracker that has seen nothing.
    pub fn new() -> Self {
        AlertTracker::default()
    }

    /// Takes the session `info` after a state or metrics change and returns the alert to show,
    /// if any. `window_focused`: the main window has the keyboard focus; `enabled`: the user's
    /// notification setting. Both only decide whether an alert is returned: the change is
    /// recorded either way.
    pub fn observe(
        &mut self,
        info: &SessionInfo,
        window_focused: bool,
        enabled: bool,
    ) -> Option<Alert> {
        if !info.state.is_live() {
            self.runs.remove(info.run_id.as_str());
            return None;
        }
        let seen = self
            .runs
            .entry(info.run_id.to_string())
            .or_insert_with(|| Seen {
                state: SessionState::Connecting,
                requests: HashSet::new(),
                errors: info.errors,
            });
        let before = std::mem::replace(&mut seen.state, info.state.clone());
        let errors_before = std::mem::replace(&mut seen.errors, info.errors);

        // Only the requests still pending are remembered: the set stays small.
        let new_requests: Vec<&PermissionRequest> = info
            .pending_permissions
            .iter()
            .filter(|p| !seen.requests.contains(&p.request_id))
            .collect();
        seen.requests = info
            .pending_permissions
            .iter()
            .map(|p| p.request_id.clone())
            .collect();

        let alert = match &info.state {
            SessionState::Ready
                if matches!(
                    before,
                    SessionState::Streaming | SessionState::WaitingForPermission
                ) =>
            {
                Some(turn_finished(info, info.errors > errors_before))
            }
            SessionState::WaitingForPermission
                if !new_requests.is_empty()
                    || (before != SessionState::WaitingForPermission
                        && info.pending_permissions.is_empty()) =>
            {
                Some(permission_waiting(
                    info,
                    new_requests.last().copied(),
                    info.pending_permissions.len(),
                ))
            }
            _ => None,
        };
        alert.filter(|_| enabled && !window_focused)
    }

    /// Forgets a run (the app closed it). Observing a non-live state does the same.
    pub fn forget(&mut self, run_id: &str) {
        self.runs.remove(run_id);
    }

    /// How many runs are remembered.
    pub fn tracked(&self) -> usize {
        self.runs.len()
    }
}

fn project(info: &SessionInfo) -> String {
    info.cwd
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| info.cwd.to_string_lossy().into_owned())
}

fn turn_finished(info: &SessionInfo, failed: bool) -> Alert {
    let what = if failed {
        "ended with an error"
    } else {
        "done"
    };
    let cost = if info.cost_usd > 0.0 {
        format!(" · ${:.2} in total", info.cost_usd)
    } else {
        String::new()
    };
    Alert {
        run_id: info.run_id.clone(),
        session_id: info.session_id.clone(),
        title: format!("Claude finished in {}", project(info)),
        body: cut(&format!("Turn {} {what}{cost}", info.turns.max(1))),
        kind: AlertKind::TurnFinished,
    }
}

fn permission_waiting(
    info: &SessionInfo,
    request: Option<&PermissionRequest>,
    pending: usize,
) -> Alert {
    let mut body = match request {
        Some(r) => match preview_line(&r.preview) {
            Some(what) => format!("{}: {what}", r.display_name),
            None => format!("{} wants to run", r.display_name),
        },
        None => "A tool call waits for your answer".to_owned(),
    };
    if pending > 1 {
        body = format!("{body} (+{} more waiting)", pending - 1);
    }
    Alert {
        run_id: info.run_id.clone(),
        session_id: info.session_id.clone(),
        title: format!("Claude needs permission in {}", project(info)),
        body: cut(&body),
        kind: AlertKind::PermissionWaiting,
    }
}

/// `text` for a notification body on Linux, where the freedesktop notification servers that
/// announce `body-markup` read the body as markup (`<b>`, `<a href=..>`, `<img src=..>`): `&`,
/// `<` and `>` escaped, so a session title or a command shows as the text it is and never as a
/// link or an image. (Desktop Notifications Specification 1.2, "Markup".)
pub fn body_for_linux(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The first line of what a tool would do: the command, the file, the target.
fn preview_line(p: &ToolPreview) -> Option<String> {
    let text = match p {
        ToolPreview::Command { command, .. } => command,
        ToolPreview::FileChange { file_path, .. } => file_path,
        ToolPreview::Target { target } => target,
        ToolPreview::Json { .. } => return None,
    };
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(BODY_CHARS.saturating_sub(1)) {
        Some((i, _)) if s.chars().count() > BODY_CHARS => format!("{}…", &s[..i]),
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(state: SessionState) -> SessionInfo {
        SessionInfo {
            state,
            pid: Some(42),
            last_used_at_ms: 2_000,
            ..SessionInfo::new(
                crate::ids::RunId::parse("run-1").unwrap(),
                Some(crate::ids::SessionId::parse("s1").unwrap()),
                "/w/ccdesk".into(),
                None,
                "default".into(),
                1_000,
            )
        }
    }

    fn request(id: &str, tool: &str, command: &str) -> PermissionRequest {
        PermissionRequest {
            request_id: id.into(),
            tool_name: tool.into(),
            display_name: tool.into(),
            input: serde_json::json!({"command": command}),
            preview: ToolPreview::Command {
                command: command.into(),
                description: None,
            },
            suggestions: serde_json::Value::Null,
            tool_use_id: None,
            description: None,
        }
    }

    /// The events of one turn as the pool sends them: streaming, then metrics (turns + 1,
    /// still streaming), then ready.
    fn turn(t: &mut AlertTracker, turns: u64, focused: bool, enabled: bool) -> Vec<Alert> {
        let mut s = info(SessionState::Streaming);
        s.turns = turns - 1;
        let mut out: Vec<Alert> = t.observe(&s, focused, enabled).into_iter().collect();
        s.turns = turns;
        s.cost_usd = 0.25 * turns as f64;
        out.extend(t.observe(&s, focused, enabled));
        s.state = SessionState::Ready;
        out.extend(t.observe(&s, focused, enabled));
        out.extend(t.observe(&s, focused, enabled));
        out
    }

    #[test]
    fn a_finished_turn_alerts_once_when_unfocused_and_enabled() {
        let mut t = AlertTracker::new();
        assert_eq!(
            t.observe(&info(SessionState::Connecting), false, true),
            None
        );
        assert_eq!(
            t.observe(&info(SessionState::Ready), false, true),
            None,
            "startup is no turn"
        );
        let alerts = turn(&mut t, 1, false, true);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        assert_eq!(a.kind, AlertKind::TurnFinished);
        assert_eq!(a.run_id, "run-1");
        assert_eq!(a.session_id.as_deref(), Some("s1"));
        assert_eq!(a.title, "Claude finished in ccdesk");
        assert_eq!(a.body, "Turn 1 done · $0.25 in total");

        assert!(turn(&mut t, 2, true, true).is_empty(), "focused");
        assert!(turn(&mut t, 3, false, false).is_empty(), "disabled");
        assert_eq!(turn(&mut t, 4, false, true).len(), 1);
    }

    #[test]
    fn a_change_seen_while_focused_is_not_alerted_later() {
        let mut t = AlertTracker::new();
        t.observe(&info(SessionState::Streaming), true, true);
        let mut ready = info(SessionState::Ready);
        ready.turns = 1;
        assert_eq!(t.observe(&ready, true, true), None);
        assert_eq!(t.observe(&ready, false, true), None, "the focus went away");
    }

    #[test]
    fn interrupts_are_not_finished_turns_and_errors_are_said() {
        let mut t = AlertTracker::new();
        t.observe(&info(SessionState::Streaming), false, true);
        t.observe(&info(SessionState::Interrupting), false, true);
        assert_eq!(t.observe(&info(SessionState::Ready), false, true), None);

        t.observe(&info(SessionState::Streaming), false, true);
        let mut failed = info(SessionState::Ready);
        failed.errors = 1;
        failed.turns = 1;
        let a = t.observe(&failed, false, true).expect("an alert");
        assert_eq!(a.body, "Turn 1 ended with an error");
    }

    #[test]
    fn a_permission_prompt_alerts_once_per_request() {
        let mut t = AlertTracker::new();
        t.observe(&info(SessionState::Streaming), false, true);
        let mut waiting = info(SessionState::WaitingForPermission);
        waiting
            .pending_permissions
            .push(request("q1", "Bash", "cargo test\n--all"));
        let a = t.observe(&waiting, false, true).expect("an alert");
        assert_eq!(a.kind, AlertKind::PermissionWaiting);
        assert_eq!(a.title, "Claude needs permission in ccdesk");
        assert_eq!(a.body, "Bash: cargo test");
        assert_eq!(t.observe(&waiting, false, true), None, "same request again");

        // A second tool call asks while the first still waits.
        waiting
            .pending_permissions
            .push(request("q2", "Write", "ignored"));
        let a = t.observe(&waiting, false, true).expect("a second alert");
        assert_eq!(a.body, "Write: ignored (+1 more waiting)");
        assert_eq!(t.observe(&waiting, false, true), None);

        // Answered, streaming, then a new prompt of the same turn.
        t.observe(&info(SessionState::Streaming), false, true);
        let mut again = info(SessionState::WaitingForPermission);
        again.pending_permissions.push(request("q3", "Bash", "ls"));
        assert!(t.observe(&again, false, true).is_some());
        // Answered and the turn ends: a finished turn after a permission prompt.
        let mut ready = info(SessionState::Ready);
        ready.turns = 1;
        assert_eq!(
            t.observe(&ready, false, true).map(|a| a.kind),
            Some(AlertKind::TurnFinished)
        );
    }

    #[test]
    fn a_permission_seen_while_focused_is_not_alerted_later() {
        let mut t = AlertTracker::new();
        let mut waiting = info(SessionState::WaitingForPermission);
        waiting
            .pending_permissions
            .push(request("q1", "Bash", "ls"));
        assert_eq!(t.observe(&waiting, true, true), None);
        assert_eq!(t.observe(&waiting, false, true), None);
    }

    #[test]
    fn closed_runs_are_forgotten() {
        let mut t = AlertTracker::new();
        t.observe(&info(SessionState::Streaming), false, true);
        let mut other = info(SessionState::Ready);
        other.run_id = crate::ids::RunId::parse("run-2").unwrap();
        t.observe(&other, false, true);
        assert_eq!(t.tracked(), 2);
        assert_eq!(t.observe(&info(SessionState::Closed), false, true), None);
        assert_eq!(t.tracked(), 1);
        let failed = SessionState::Failed {
            kind: "crashed".into(),
            message: "exit 3".into(),
        };
        other.state = failed;
        assert_eq!(t.observe(&other, false, true), None);
        assert_eq!(t.tracked(), 0);
        // A run that comes back (expired, then resumed) starts afresh: no alert on its first ready.
        assert_eq!(t.observe(&info(SessionState::Ready), false, true), None);
        t.forget("run-1");
        assert_eq!(t.tracked(), 0);
    }

    #[test]
    fn the_recording_sink_records_and_bodies_are_bounded() {
        let sink = RecordingSink::default();
        let mut t = AlertTracker::new();
        t.observe(&info(SessionState::Streaming), false, true);
        let mut waiting = info(SessionState::WaitingForPermission);
        waiting
            .pending_permissions
            .push(request("q1", "Bash", &"é".repeat(500)));
        if let Some(a) = t.observe(&waiting, false, true) {
            sink.show(&a);
        }
        let shown = sink.recorded();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].body.chars().count(), BODY_CHARS);
        assert!(shown[0].body.ends_with('…'));
        let v = serde_json::to_value(&shown[0]).unwrap();
        assert_eq!(v["kind"], "permissionWaiting");
        assert_eq!(v["runId"], "run-1");
    }

    #[test]
    fn a_linux_notification_body_shows_markup_as_text() {
        assert_eq!(
            body_for_linux("Bash: cat <a href=\"https://x\">x</a> && echo 1>2 <img src=y>"),
            "Bash: cat &lt;a href=\"https://x\"&gt;x&lt;/a&gt; &amp;&amp; echo 1&gt;2 &lt;img src=y&gt;"
        );
        assert_eq!(body_for_linux("Turn 1 done · $0.25"), "Turn 1 done · $0.25");
    }
}
