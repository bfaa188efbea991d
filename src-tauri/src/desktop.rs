//! What makes ccdesk a desktop app: requests to open something in the window (from the command
//! line, a second launch, the tray or a notification), the main window's show/hide, and system
//! notifications. Decisions are the core's ([`ccdesk_core::desktop::launch`], [`ccdesk_core::desktop::alerts`]);
//! this module only routes them.

use ccdesk_core::ids::{RunId, SessionId};
use ccdesk_core::sync::LockExt;
use std::path::{Path, PathBuf};

use crate::AppState;
use ccdesk_core::desktop::alerts::{Alert, AlertSink};
use ccdesk_core::desktop::launch::{parse_launch, LaunchIntent};
use ccdesk_core::desktop::tray::TrayAction;
use serde::Serialize;
use tauri::{AppHandle, Manager};

/// The label of ccdesk's one window.
pub const MAIN_WINDOW: &str = "main";

/// Something the UI should open, as the payload of the `app://open` event ([`crate::ipc::OpenRequested`]) (`{"kind": "folder", "path":
/// ...}`, `{"kind": "resume", "sessionId": ...}`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OpenRequest {
    /// The new-session sheet for this folder (prompt, model, permission mode; nothing starts
    /// before the user presses Start).
    Folder {
        /// An existing directory, canonical.
        path: PathBuf,
    },
    /// Open this session and focus its resume prompt.
    #[serde(rename_all = "camelCase")]
    Resume {
        /// CLI session id.
        session_id: SessionId,
    },
    /// Show this live session.
    #[serde(rename_all = "camelCase")]
    Live {
        /// ccdesk's run id.
        run_id: RunId,
    },
    /// The new-session dialog.
    NewSession,
    /// The settings view.
    Settings,
    /// Tell the user something went wrong (e.g. `ccdesk /no/such/dir`).
    Error {
        /// In words.
        message: String,
    },
}

impl OpenRequest {
    /// What a launch (first or second instance) asks for; `None` when it only wants the window.
    pub fn from_launch(intent: Result<LaunchIntent, ccdesk_core::CoreError>) -> Option<Self> {
        match intent {
            Ok(LaunchIntent::Window) => None,
            Ok(LaunchIntent::Folder { path }) => Some(OpenRequest::Folder { path }),
            Ok(LaunchIntent::Resume { session_id }) => Some(OpenRequest::Resume { session_id }),
            Err(e) => Some(OpenRequest::Error {
                message: e.to_string(),
            }),
        }
    }

    /// What a tray item opens in the window; `None` for the items that do something else
    /// ("New session in folder..." asks for a folder first, Quit quits, Show only shows).
    pub fn from_tray(action: &TrayAction) -> Option<Self> {
        match action {
            TrayAction::OpenLive { run_id } => Some(OpenRequest::Live {
                run_id: run_id.clone(),
            }),
            TrayAction::Resume { session_id } => Some(OpenRequest::Resume {
                session_id: session_id.clone(),
            }),
            TrayAction::ShowWindow | TrayAction::NewSessionInFolder | TrayAction::Quit => None,
        }
    }

    /// What clicking a notification opens: its live session.
    pub fn from_alert(alert: &Alert) -> Self {
        OpenRequest::Live {
            run_id: alert.run_id.clone(),
        }
    }
}

/// Shows, unminimizes and focuses the main window.
pub fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN_WINDOW) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// True while the main window is shown and has the keyboard focus.
pub fn main_focused(app: &AppHandle) -> bool {
    app.get_webview_window(MAIN_WINDOW)
        .map(|w| w.is_visible().unwrap_or(false) && w.is_focused().unwrap_or(false))
        .unwrap_or(false)
}

/// Shows the window and asks the UI to open `request`. Until the UI has asked for pending
/// requests once (`take_launch_intents`, at its start), requests are queued for it instead of
/// being emitted into a page that is not listening yet.
pub fn open(app: &AppHandle, request: OpenRequest) {
    tracing::info!(?request, "open in the window");
    show_main(app);
    let state = app.state::<AppState>();
    {
        let mut pending = state.pending_opens.locked();
        if let Some(queue) = pending.as_mut() {
            queue.push(request);
            return;
        }
    }
    crate::ipc::emit(app, &crate::ipc::OpenRequested(request));
}

/// Handles a launch's arguments (without the program name), from this process or a second
/// instance: `ccdesk <folder>` or `ccdesk --resume <id>`; relative paths resolve against `cwd`.
pub fn handle_launch(app: &AppHandle, args: &[String], cwd: &Path) {
    match OpenRequest::from_launch(parse_launch(args, cwd)) {
        Some(request) => open(app, request),
        None => show_main(app),
    }
}

/// Shows alerts as system notifications. On Linux through notify-rust with a `default` action,
/// so a click on the notification opens its session. Elsewhere through
/// tauri-plugin-notification, which reports no clicks on desktops: the OS raises ccdesk on a click
/// (macOS), and [`on_focus`] takes a focus that follows an alert as that click.
pub struct NotificationSink(pub AppHandle);

impl AlertSink for NotificationSink {
    fn show(&self, alert: &Alert) {
        *self.0.state::<AppState>().last_alert.locked() =
            Some((alert.clone(), ccdesk_core::pool::now_ms()));
        show_notification(&self.0, alert);
    }
}

#[cfg(target_os = "linux")]
fn show_notification(app: &AppHandle, alert: &Alert) {
    let app = app.clone();
    let alert = alert.clone();
    // wait_for_action blocks until the notification is clicked or closed: a thread of its own.
    let spawned = std::thread::Builder::new()
        .name("ccdesk-notification".into())
        .spawn(move || {
            let shown = notify_rust::Notification::new()
                .appname("ccdesk")
                .summary(&alert.title)
                .body(&ccdesk_core::desktop::alerts::body_for_linux(&alert.body))
                .action("default", "Open")
                .show();
            match shown {
                Ok(handle) => handle.wait_for_action(|action| {
                    if action == "default" {
                        open(&app, OpenRequest::from_alert(&alert));
                    }
                }),
                Err(e) => tracing::warn!(error = %e, "cannot show a notification"),
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the notification thread");
    }
}

#[cfg(not(target_os = "linux"))]
fn show_notification(app: &AppHandle, alert: &Alert) {
    use tauri_plugin_notification::NotificationExt;
    let shown = app
        .notification()
        .builder()
        .title(&alert.title)
        .body(&alert.body)
        .show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "cannot show a notification");
    }
}

/// How long after a notification focusing the window counts as clicking it, in ms (macOS and
/// Windows, where the notification plugin reports no clicks).
pub const ALERT_CLICK_WINDOW_MS: u64 = 60_000;

/// Called when the main window gains focus. Each alert is used once: on Linux its click is
/// reported, so a later focus only forgets it; elsewhere a focus less than
/// [`ALERT_CLICK_WINDOW_MS`] after an alert shown while ccdesk was unfocused is how the user
/// reached it, so its session is opened.
pub fn on_focus(app: &AppHandle) {
    let taken = app.state::<AppState>().last_alert.locked().take();
    if cfg!(target_os = "linux") {
        return;
    }
    if let Some((alert, at_ms)) = taken {
        if ccdesk_core::pool::now_ms().saturating_sub(at_ms) <= ALERT_CLICK_WINDOW_MS {
            open(app, OpenRequest::from_alert(&alert));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccdesk_core::desktop::alerts::AlertKind;

    #[test]
    fn launches_map_to_what_the_ui_opens() {
        assert_eq!(OpenRequest::from_launch(Ok(LaunchIntent::Window)), None);
        assert_eq!(
            OpenRequest::from_launch(Ok(LaunchIntent::Folder {
                path: PathBuf::from("/w/p")
            })),
            Some(OpenRequest::Folder {
                path: PathBuf::from("/w/p")
            })
        );
        assert_eq!(
            OpenRequest::from_launch(Ok(LaunchIntent::Resume {
                session_id: ccdesk_core::ids::SessionId::parse("abc").unwrap()
            })),
            Some(OpenRequest::Resume {
                session_id: ccdesk_core::ids::SessionId::parse("abc").unwrap()
            })
        );
        let err = OpenRequest::from_launch(Err(ccdesk_core::CoreError::InvalidInput(
            "no such folder: /x".into(),
        )));
        assert!(
            matches!(&err, Some(OpenRequest::Error { message }) if message.contains("/x")),
            "{err:?}"
        );
    }

    #[test]
    fn tray_items_open_the_same_things_the_ui_opens() {
        assert_eq!(
            OpenRequest::from_tray(&TrayAction::Resume {
                session_id: ccdesk_core::ids::SessionId::parse("s1").unwrap()
            }),
            Some(OpenRequest::Resume {
                session_id: ccdesk_core::ids::SessionId::parse("s1").unwrap()
            })
        );
        assert_eq!(
            OpenRequest::from_tray(&TrayAction::OpenLive {
                run_id: ccdesk_core::ids::RunId::parse("r1").unwrap()
            }),
            Some(OpenRequest::Live {
                run_id: ccdesk_core::ids::RunId::parse("r1").unwrap()
            })
        );
        for other in [
            TrayAction::ShowWindow,
            TrayAction::NewSessionInFolder,
            TrayAction::Quit,
        ] {
            assert_eq!(OpenRequest::from_tray(&other), None);
        }
    }

    #[test]
    fn payloads_are_what_the_ui_matches_on() {
        let v = serde_json::to_value(OpenRequest::Resume {
            session_id: ccdesk_core::ids::SessionId::parse("s").unwrap(),
        })
        .unwrap();
        assert_eq!(v, serde_json::json!({"kind": "resume", "sessionId": "s"}));
        let v = serde_json::to_value(OpenRequest::Live {
            run_id: ccdesk_core::ids::RunId::parse("r").unwrap(),
        })
        .unwrap();
        assert_eq!(v, serde_json::json!({"kind": "live", "runId": "r"}));
        let v = serde_json::to_value(OpenRequest::NewSession).unwrap();
        assert_eq!(v, serde_json::json!({"kind": "newSession"}));
        let alert = Alert {
            run_id: ccdesk_core::ids::RunId::parse("r9").unwrap(),
            session_id: None,
            title: "t".into(),
            body: "b".into(),
            kind: AlertKind::TurnFinished,
        };
        assert_eq!(
            OpenRequest::from_alert(&alert),
            OpenRequest::Live {
                run_id: ccdesk_core::ids::RunId::parse("r9").unwrap()
            }
        );
    }
}
