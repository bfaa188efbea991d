//! The IPC contract, in one place: every command the UI may call and every event the backend
//! sends, with their types, described by `specta` and registered with `tauri-specta`.
//!
//! [`builder`] is used twice: by [`crate::run`] for the invoke handler, and by the
//! `tests/bindings.rs` test, which generates `ui/src/bindings.ts` from it and fails when the
//! checked-in file differs (`CCDESK_UPDATE_BINDINGS=1 cargo test -p ccdesk --test bindings`
//! writes it). The UI's seam (`ui/src/ipc.ts`) calls the generated functions, so a renamed Rust
//! field or command breaks `npm run check`, not the running app.
//!
//! Events keep their names (`pool://session`, ...): each is a wrapper type here with its name as
//! [`tauri_specta::Event::NAME`], emitted with [`emit`].

use ccdesk_core::pool::SessionInfo;
use ccdesk_core::store::registry::Registry;
use ccdesk_core::transcripts::index::{IndexDelta, ProjectEntry, SearchProgress, SessionSummary};
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Emitter, Runtime};
use tauri_specta::{collect_commands, collect_events, Builder, ErrorHandlingMode, Event};

use crate::commands;
use crate::desktop::OpenRequest;

/// The header of the generated `ui/src/bindings.ts`.
pub const BINDINGS_HEADER: &str = "// Generated from the Rust types and commands by tauri-specta \
(src-tauri/src/ipc.rs); do not edit.\n// Regenerate: CCDESK_UPDATE_BINDINGS=1 cargo test -p ccdesk --test bindings";

/// `pool://session`: a live session changed state or metrics; payload its [`SessionInfo`].
#[derive(Debug, Clone, Serialize, Type)]
#[serde(transparent)]
pub struct PoolChanged(pub SessionInfo);

impl Event for PoolChanged {
    const NAME: &'static str = "pool://session";
}

/// `registry://changed`: ccdesk's registry (names, pins, run history) was saved; payload the
/// registry as saved (the `registry` command's shape). Sent after every save, so the UI never
/// needs to ask again to see a run's history or a rename made elsewhere (the tray, a second
/// window).
#[derive(Debug, Clone, Serialize, Type)]
#[serde(transparent)]
pub struct RegistryChanged(pub Registry);

impl Event for RegistryChanged {
    const NAME: &'static str = "registry://changed";
}

/// `app://open`: the window should open something (a folder from the command line, a second
/// launch, the tray, a notification).
#[derive(Debug, Clone, Serialize, Type)]
#[serde(transparent)]
pub struct OpenRequested(pub OpenRequest);

impl Event for OpenRequested {
    const NAME: &'static str = "app://open";
}

/// `index://changed`: the CLI's transcripts changed and the index took the change in; payload
/// `{"sessionIds": [...], "changed": [SessionSummary], "removed": [key], "projects":
/// [ProjectEntry]}`: the ids (file stems) of the sessions that changed or went (subagent
/// transcripts counted as their session's), the changed sessions as listed now, the keys of
/// the sessions gone, and the project list after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IndexChanged {
    /// Changed or removed sessions' ids, sorted, without repeats.
    pub session_ids: Vec<String>,
    /// The sessions that changed or appeared, as listed now.
    pub changed: Vec<SessionSummary>,
    /// Keys (`<dir name>/<id>`) of the sessions whose transcript is gone.
    pub removed: Vec<String>,
    /// Every project, newest first.
    pub projects: Vec<ProjectEntry>,
}

impl Event for IndexChanged {
    const NAME: &'static str = "index://changed";
}

/// `search://progress`: how far the search index's build is; sent at most twice a second while
/// it runs, and once with `complete: true` when it is done.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchIndexing {
    /// Files and bytes done.
    pub progress: SearchProgress,
    /// The build is done: searches cover every transcript.
    pub complete: bool,
}

impl Event for SearchIndexing {
    const NAME: &'static str = "search://progress";
}

impl From<IndexDelta> for IndexChanged {
    fn from(delta: IndexDelta) -> Self {
        let mut ids: Vec<String> = delta
            .changed
            .iter()
            .map(|s| s.id.clone())
            .chain(delta.removed.iter().map(|k| {
                k.rsplit_once('/')
                    .map_or(k.as_str(), |(_, id)| id)
                    .to_owned()
            }))
            .collect();
        ids.sort();
        ids.dedup();
        IndexChanged {
            session_ids: ids,
            changed: delta.changed,
            removed: delta.removed,
            projects: delta.projects,
        }
    }
}

/// Sends `event` to every window under its [`Event::NAME`]. A window that is gone is not an
/// error of the sender's: a failure is logged at debug level.
pub fn emit<E: Event + Serialize + Clone, R: Runtime>(app: &AppHandle<R>, event: &E) {
    if let Err(e) = app.emit(E::NAME, event) {
        tracing::debug!(event = E::NAME, error = %e, "cannot emit");
    }
}

/// Every command and event of the app. Errors are thrown (the UI's calls reject with the
/// command's `AppError`). Integers are exported as `number`: ccdesk's are counts, bytes and ms
/// since the epoch, all far below 2^53.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::sessions::list_projects,
            commands::sessions::project_sessions,
            commands::sessions::find_session,
            commands::sessions::session_briefs,
            commands::sessions::search_sessions,
            commands::sessions::show_session,
            commands::sessions::transcript_entry,
            commands::sessions::export_session,
            commands::live::start_session,
            commands::live::send_prompt,
            commands::live::interrupt_session,
            commands::live::answer_permission,
            commands::live::set_permission_mode,
            commands::live::rewind_files,
            commands::live::close_session,
            commands::live::attach_session,
            commands::live::pool_snapshot,
            commands::live::app_info,
            commands::registry::registry,
            commands::registry::rename_session,
            commands::registry::pin_session,
            commands::settings::settings,
            commands::settings::save_settings,
            commands::settings::save_ui_prefs,
            commands::settings::discover_claude,
            commands::desktop::classify_drop,
            commands::desktop::take_launch_intents,
            commands::desktop::tray_menu,
            commands::desktop::tray_action,
            commands::vault::vault_stats,
            commands::usage::usage_report,
            commands::activity::session_activity,
            commands::activity::cli_agents,
            commands::sessions::session_changes,
            commands::terminal::open_in_terminal,
            commands::terminal::terminal_command,
            commands::vault::restore_session,
        ])
        .events(collect_events![
            PoolChanged,
            RegistryChanged,
            OpenRequested,
            IndexChanged,
            SearchIndexing
        ])
        // Not returned by a command, but the UI's tests describe the backend's state with it.
        .typ::<ccdesk_core::transcripts::index::SessionIndex>()
        .error_handling(ErrorHandlingMode::Throw)
        .dangerously_cast_bigints_to_number()
}

/// Writes the TypeScript bindings of [`builder`] (its commands, events and types) to `path`:
/// what `ui/src/bindings.ts` holds.
///
/// Errors: a type specta cannot express in TypeScript, or `path` cannot be written.
pub fn export_typescript(path: &std::path::Path) -> Result<(), specta_typescript::Error> {
    builder().export(
        specta_typescript::Typescript::default().header(BINDINGS_HEADER),
        path,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_delta_names_its_sessions_once() {
        let changed = IndexChanged::from(IndexDelta {
            changed: Vec::new(),
            removed: vec!["-w/bbb".into(), "-w/aaa".into(), "-v/aaa".into()],
            projects: Vec::new(),
        });
        assert_eq!(changed.session_ids, vec!["aaa", "bbb"]);
        assert_eq!(
            serde_json::to_value(&changed).unwrap(),
            serde_json::json!({"sessionIds": ["aaa", "bbb"], "changed": [],
                "removed": ["-w/bbb", "-w/aaa", "-v/aaa"], "projects": []})
        );
    }
}
