//! The tray menu as a plain model: what it lists and what each item does, built from the pool,
//! the session index and the registry. The app renders it as a native menu (and offers the same
//! model to the window for desktops without a tray); nothing here touches the disk or a GUI.
//!
//! Layout, top to bottom:
//! 1. "Running (n)" and one item per live session, sessions waiting for permission first, each
//!    labelled `<title> — <state>` (e.g. `Fix the parser — Waiting for permission: Bash`).
//! 2. "Recent" and, per project (a [`TrayItem::Header`] with the project's folder name), the most
//!    recent resumable sessions that are not live, at most `recent` of them in all.
//! 3. "New session in folder…", "Show ccdesk", and "Quit ccdesk".
//!
//! Labels are plain text, on one line, at most [`LABEL_CHARS`] chars (cut on char boundaries
//! with `…`). Native menus read `&` as a mnemonic marker: render labels with
//! [`menu_text`].

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ids::{RunId, SessionId};
use crate::pool::{PoolSnapshot, SessionInfo, SessionState};
use crate::store::registry::Registry;
use crate::transcripts::index::SessionIndex;

/// Longest menu label, in chars.
pub const LABEL_CHARS: usize = 60;
/// Longest session title inside a live session's label (the state follows it), in chars.
pub const TITLE_CHARS: usize = 40;

/// What a tray item does. Serialized with a `kind` tag: `{"kind":"showWindow"}`,
/// `{"kind":"openLive","runId":".."}`, `{"kind":"resume","sessionId":".."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TrayAction {
    /// Show and focus the main window.
    ShowWindow,
    /// Ask for a folder, then start a session in it.
    NewSessionInFolder,
    /// Open a live session of the pool in the window.
    #[serde(rename_all = "camelCase")]
    OpenLive {
        /// ccdesk's run id of the live session.
        run_id: RunId,
    },
    /// Resume a CLI session in the window.
    #[serde(rename_all = "camelCase")]
    Resume {
        /// The CLI session id.
        session_id: SessionId,
    },
    /// Quit ccdesk (the app ends every live session first).
    Quit,
}

const ID_SHOW: &str = "show";
const ID_NEW: &str = "new-session";
const ID_QUIT: &str = "quit";
const ID_LIVE: &str = "live:";
const ID_RESUME: &str = "resume:";

impl TrayAction {
    /// The menu item id for this action: `show`, `new-session`, `quit`, `live:<run id>` or
    /// `resume:<session id>`. [`TrayAction::from_id`] reads it back.
    pub fn id(&self) -> String {
        match self {
            TrayAction::ShowWindow => ID_SHOW.to_owned(),
            TrayAction::NewSessionInFolder => ID_NEW.to_owned(),
            TrayAction::Quit => ID_QUIT.to_owned(),
            TrayAction::OpenLive { run_id } => format!("{ID_LIVE}{run_id}"),
            TrayAction::Resume { session_id } => format!("{ID_RESUME}{session_id}"),
        }
    }

    /// The action of a menu item id made by [`TrayAction::id`]; `None` for any other id
    /// (including `live:` or `resume:` followed by no valid id).
    pub fn from_id(id: &str) -> Option<TrayAction> {
        match id {
            ID_SHOW => return Some(TrayAction::ShowWindow),
            ID_NEW => return Some(TrayAction::NewSessionInFolder),
            ID_QUIT => return Some(TrayAction::Quit),
            _ => {}
        }
        if let Some(run_id) = id.strip_prefix(ID_LIVE) {
            return RunId::parse(run_id)
                .ok()
                .map(|run_id| TrayAction::OpenLive { run_id });
        }
        id.strip_prefix(ID_RESUME)
            .and_then(|session_id| SessionId::parse(session_id).ok())
            .map(|session_id| TrayAction::Resume { session_id })
    }
}

/// One entry of the menu. Serialized with a `kind` tag: `{"kind":"action","label":"..",
/// "action":{..TrayAction},"enabled":true}`, `{"kind":"header","label":".."}`,
/// `{"kind":"separator"}`, `{"kind":"submenu","label":"..","items":[..]}`.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TrayItem {
    /// A clickable item; its menu id is `action.id()`.
    Action {
        /// Plain-text label.
        label: String,
        /// What clicking it does.
        action: TrayAction,
        /// False to show it greyed out.
        enabled: bool,
    },
    /// A label that does nothing (shown disabled): a section or project name.
    Header {
        /// Plain-text label.
        label: String,
    },
    /// A separator line.
    Separator,
    /// A nested menu.
    Submenu {
        /// Plain-text label.
        label: String,
        /// Its entries.
        items: Vec<TrayItem>,
    },
}

/// The whole tray menu and the icon's tooltip.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TrayMenu {
    /// Entries, top to bottom.
    pub items: Vec<TrayItem>,
    /// Tooltip of the tray icon, e.g. `ccdesk — 2 running, 1 waiting for permission`.
    pub tooltip: String,
}

/// Builds the tray menu (layout in the module docs).
///
/// - `pool`: live sessions come from its sessions whose state [`SessionState::is_live`], in the
///   pool's order (newest first), those waiting for permission moved to the top.
/// - `index`: titles, projects, last activity and resumability of the recent sessions. `None`
///   (no scan yet) lists the registry's sessions that record a project dir instead; with an
///   index, only sessions it holds as resumable are listed.
/// - `registry`: names given by the user (they win over titles), pins (pinned sessions are
///   picked and listed first) and when ccdesk last ran a session.
/// - `recent`: how many recent sessions to list at most (0: no "Recent" section).
///
/// A recent session's last activity is the later of the index's last activity and the
/// registry's last run. Projects appear in the order of their first listed session.
pub fn build_tray_menu(
    pool: &PoolSnapshot,
    index: Option<&SessionIndex>,
    registry: &Registry,
    recent: usize,
) -> TrayMenu {
    let mut live: Vec<&SessionInfo> = pool.sessions.iter().filter(|s| s.state.is_live()).collect();
    // Stable: pool order is kept within each group.
    live.sort_by_key(|s| s.state != SessionState::WaitingForPermission);
    let waiting = live
        .iter()
        .filter(|s| s.state == SessionState::WaitingForPermission)
        .count();

    let mut items = Vec::new();
    if !live.is_empty() {
        items.push(TrayItem::Header {
            label: format!("Running ({})", live.len()),
        });
        for s in &live {
            let title = truncate(&live_title(s, index, registry), TITLE_CHARS);
            items.push(TrayItem::Action {
                label: truncate(&format!("{title} — {}", state_label(s)), LABEL_CHARS),
                action: TrayAction::OpenLive {
                    run_id: s.run_id.clone(),
                },
                enabled: true,
            });
        }
        items.push(TrayItem::Separator);
    }

    let live_ids: HashSet<&str> = live
        .iter()
        .filter_map(|s| s.session_id.as_deref())
        .collect();
    let picked = recent_sessions(index, registry, &live_ids, recent);
    if !picked.is_empty() {
        items.push(TrayItem::Header {
            label: "Recent".to_owned(),
        });
        items.extend(recent_items(picked));
        items.push(TrayItem::Separator);
    }

    items.push(action(
        "New session in folder…",
        TrayAction::NewSessionInFolder,
    ));
    items.push(action("Show ccdesk", TrayAction::ShowWindow));
    items.push(TrayItem::Separator);
    items.push(action("Quit ccdesk", TrayAction::Quit));

    TrayMenu {
        items,
        tooltip: tooltip(live.len(), waiting),
    }
}

/// `label` as a native menu item text: `&` doubled, since muda (Tauri's menus) reads a single
/// `&` as a mnemonic marker on every platform.
pub fn menu_text(label: &str) -> String {
    label.replace('&', "&&")
}

fn action(label: &str, action: TrayAction) -> TrayItem {
    TrayItem::Action {
        label: label.to_owned(),
        action,
        enabled: true,
    }
}

fn tooltip(running: usize, waiting: usize) -> String {
    match (running, waiting) {
        (0, _) => "ccdesk — nothing running".to_owned(),
        (n, 0) => format!("ccdesk — {n} running"),
        (n, w) => format!("ccdesk — {n} running, {w} waiting for permission"),
    }
}

/// What a live session is doing, in words.
fn state_label(s: &SessionInfo) -> String {
    match &s.state {
        SessionState::WaitingForPermission => match s.pending_permissions.first() {
            Some(p) => format!("Waiting for permission: {}", p.display_name),
            None => "Waiting for permission".to_owned(),
        },
        SessionState::Streaming if s.stuck => "Streaming (no output for a while)".to_owned(),
        SessionState::Streaming => "Streaming".to_owned(),
        SessionState::Connecting => "Starting".to_owned(),
        SessionState::Ready => "Ready".to_owned(),
        SessionState::Interrupting => "Interrupting".to_owned(),
        SessionState::Closed => "Closed".to_owned(),
        SessionState::Failed { .. } => "Failed".to_owned(),
        SessionState::Expired => "Expired".to_owned(),
    }
}

/// Registry name, else index title, else the project folder's name.
fn live_title(s: &SessionInfo, index: Option<&SessionIndex>, registry: &Registry) -> String {
    let id = s.session_id.as_deref();
    let name = id
        .and_then(|id| registry.sessions.get(id))
        .and_then(|e| e.name.clone());
    let title = || {
        id.and_then(|id| index?.find(id))
            .map(|x| x.title.clone())
            .filter(|t| !t.trim().is_empty())
    };
    name.or_else(title)
        .unwrap_or_else(|| folder_name(&s.cwd.to_string_lossy()))
}

/// A session picked for the "Recent" section.
struct Recent {
    id: String,
    title: String,
    project: String,
    activity_ms: u64,
    pinned: bool,
}

fn recent_sessions(
    index: Option<&SessionIndex>,
    registry: &Registry,
    live_ids: &HashSet<&str>,
    n: usize,
) -> Vec<Recent> {
    let mut all: Vec<Recent> = match index {
        Some(index) => index
            .sessions()
            .filter(|s| s.resumability.is_resumable() && !live_ids.contains(s.id.as_str()))
            .filter_map(|s| {
                let entry = registry.sessions.get(&s.id);
                let indexed = s
                    .last_activity_ms
                    .map_or(0, |ms| u64::try_from(ms).unwrap_or(0));
                Some(Recent {
                    id: s.id.clone(),
                    title: entry
                        .and_then(|e| e.name.clone())
                        .or_else(|| Some(s.title.clone()).filter(|t| !t.trim().is_empty()))
                        .unwrap_or_else(|| untitled(&s.id)),
                    project: s.project_path.clone()?,
                    activity_ms: indexed.max(entry.map_or(0, |e| e.last_run_at_ms)),
                    pinned: entry.is_some_and(|e| e.pinned),
                })
            })
            .collect(),
        None => registry
            .sessions
            .iter()
            .filter(|(id, e)| e.last_run_at_ms > 0 && !live_ids.contains(id.as_str()))
            .filter_map(|(id, e)| {
                Some(Recent {
                    id: id.clone(),
                    title: e.name.clone().unwrap_or_else(|| untitled(id)),
                    project: e.cwd.as_ref()?.to_string_lossy().into_owned(),
                    activity_ms: e.last_run_at_ms,
                    pinned: e.pinned,
                })
            })
            .collect(),
    };
    all.sort_by(|a, b| {
        b.pinned
            .cmp(&a.pinned)
            .then(b.activity_ms.cmp(&a.activity_ms))
            .then_with(|| a.id.cmp(&b.id))
    });
    all.truncate(n);
    all
}

/// One header per project (in the order of its first session), its sessions below it.
fn recent_items(picked: Vec<Recent>) -> Vec<TrayItem> {
    let mut order: Vec<String> = Vec::new();
    let mut by_project: BTreeMap<String, Vec<Recent>> = BTreeMap::new();
    for r in picked {
        if !by_project.contains_key(&r.project) {
            order.push(r.project.clone());
        }
        by_project.entry(r.project.clone()).or_default().push(r);
    }
    // Two projects with the same folder name are told apart by their whole path.
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for p in &order {
        *names.entry(folder_name(p)).or_default() += 1;
    }
    let mut items = Vec::new();
    for project in order {
        let name = folder_name(&project);
        let label = if names.get(&name).copied().unwrap_or(0) > 1 {
            truncate_start(&project, LABEL_CHARS)
        } else {
            truncate(&name, LABEL_CHARS)
        };
        items.push(TrayItem::Header { label });
        for r in by_project.remove(&project).unwrap_or_default() {
            // A transcript whose name is no session id cannot be resumed from the tray.
            let Ok(session_id) = SessionId::parse(&r.id) else {
                continue;
            };
            items.push(TrayItem::Action {
                label: truncate(&r.title, LABEL_CHARS),
                action: TrayAction::Resume { session_id },
                enabled: true,
            });
        }
    }
    items
}

fn untitled(id: &str) -> String {
    format!("Session {}", id.chars().take(8).collect::<String>())
}

/// The last component of a path (`/w/ccdesk` → `ccdesk`), or the path itself (`/`).
fn folder_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned())
}

/// `s` on one line (control chars and runs of whitespace become one space), at most `max`
/// chars: longer text keeps its first `max - 1` chars and ends with `…`.
pub fn truncate(s: &str, max: usize) -> String {
    let line = one_line(s);
    if line.chars().count() <= max {
        return line;
    }
    let mut out: String = line.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Like [`truncate`] but keeps the end (`…/work/project`), for paths.
fn truncate_start(s: &str, max: usize) -> String {
    let line = one_line(s);
    let count = line.chars().count();
    if count <= max {
        return line;
    }
    let tail: String = line.chars().skip(count - max.saturating_sub(1)).collect();
    format!("…{tail}")
}

fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::{PermissionRequest, ToolPreview};
    use crate::store::registry::RegistryEntry;
    use crate::transcripts::index::{ProjectGroup, Resumability, SessionSummary};

    fn info(run: &str, session: Option<&str>, cwd: &str, state: SessionState) -> SessionInfo {
        SessionInfo {
            state,
            last_used_at_ms: 2_000,
            ..SessionInfo::new(
                crate::ids::RunId::parse(run).unwrap(),
                session.map(|s| crate::ids::SessionId::parse(s).unwrap()),
                cwd.into(),
                None,
                "default".into(),
                1_000,
            )
        }
    }

    fn permission(tool: &str) -> PermissionRequest {
        PermissionRequest {
            request_id: "req-1".into(),
            tool_name: tool.into(),
            display_name: tool.into(),
            input: serde_json::json!({"command": "ls"}),
            preview: ToolPreview::Command {
                command: "ls".into(),
                description: None,
            },
            suggestions: serde_json::Value::Null,
            tool_use_id: None,
            description: None,
        }
    }

    fn pool(sessions: Vec<SessionInfo>) -> PoolSnapshot {
        PoolSnapshot {
            live: sessions.iter().filter(|s| s.state.is_live()).count(),
            sessions,
            by_state: BTreeMap::new(),
            max_sessions: 8,
            total_created: 0,
        }
    }

    fn summary(id: &str, project: &str, title: &str, activity: i64) -> SessionSummary {
        let dir = crate::transcripts::paths::project_dir_name(project);
        SessionSummary::for_test(id, Some(project), &dir, title, activity)
    }

    fn index(sessions: Vec<SessionSummary>) -> SessionIndex {
        let mut groups: Vec<ProjectGroup> = Vec::new();
        for s in sessions {
            match groups.iter_mut().find(|g| g.project_path == s.project_path) {
                Some(g) => g.sessions.push(s),
                None => groups.push(ProjectGroup {
                    key: format!("cwd:{}", s.project_path.clone().unwrap_or_default()),
                    project_path: s.project_path.clone(),
                    dir_name: s.dir_name.clone(),
                    last_activity_ms: s.last_activity_ms,
                    sessions: vec![s],
                }),
            }
        }
        SessionIndex {
            config_dir: "/c".into(),
            projects: groups.into_iter().map(std::sync::Arc::new).collect(),
            scanned_files: 0,
            errors: Vec::new(),
            retention: Default::default(),
            profiles: Vec::new(),
        }
    }

    fn labels(items: &[TrayItem]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                TrayItem::Action { label, .. } => label.clone(),
                TrayItem::Header { label } => format!("[{label}]"),
                TrayItem::Separator => "---".into(),
                TrayItem::Submenu { label, .. } => format!("{label} >"),
            })
            .collect()
    }

    fn resumed(items: &[TrayItem]) -> Vec<String> {
        items
            .iter()
            .filter_map(|i| match i {
                TrayItem::Action {
                    action: TrayAction::Resume { session_id },
                    ..
                } => Some(session_id.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn running_sessions_come_first_with_their_state_and_recent_ones_by_project() {
        let mut waiting = info(
            "r2",
            Some("s2"),
            "/w/beta",
            SessionState::WaitingForPermission,
        );
        waiting.pending_permissions.push(permission("Bash"));
        let p = pool(vec![
            info("r1", Some("s1"), "/w/alpha", SessionState::Streaming),
            waiting,
            info("r3", Some("s9"), "/w/gamma", SessionState::Closed),
        ]);
        let idx = index(vec![
            summary("s1", "/w/alpha", "Fix the parser", 900),
            summary("a2", "/w/alpha", "Older alpha work", 100),
            summary("a1", "/w/alpha", "Newest alpha work", 800),
            summary("b1", "/w/beta", "Beta thing", 500),
        ]);
        let menu = build_tray_menu(&p, Some(&idx), &Registry::default(), 10);
        assert_eq!(
            labels(&menu.items),
            vec![
                "[Running (2)]",
                "beta — Waiting for permission: Bash",
                "Fix the parser — Streaming",
                "---",
                "[Recent]",
                "[alpha]",
                "Newest alpha work",
                "Older alpha work",
                "[beta]",
                "Beta thing",
                "---",
                "New session in folder…",
                "Show ccdesk",
                "---",
                "Quit ccdesk",
            ]
        );
        assert_eq!(menu.tooltip, "ccdesk — 2 running, 1 waiting for permission");
        assert!(matches!(
            &menu.items[1],
            TrayItem::Action { action: TrayAction::OpenLive { run_id }, enabled: true, .. } if run_id == "r2"
        ));
    }

    #[test]
    fn the_recent_count_is_honoured_newest_first() {
        let idx = index(
            (0..10)
                .map(|i| summary(&format!("s{i}"), "/w/p", &format!("t{i}"), i * 10))
                .collect(),
        );
        let menu = build_tray_menu(&pool(vec![]), Some(&idx), &Registry::default(), 3);
        assert_eq!(resumed(&menu.items), vec!["s9", "s8", "s7"]);
        assert_eq!(menu.tooltip, "ccdesk — nothing running");
        let none = build_tray_menu(&pool(vec![]), Some(&idx), &Registry::default(), 0);
        assert!(resumed(&none.items).is_empty());
        assert!(!labels(&none.items).contains(&"[Recent]".to_owned()));
    }

    #[test]
    fn live_and_unresumable_sessions_are_not_in_recent() {
        let mut gone = summary("gone", "/w/p", "Deleted project", 500);
        gone.resumability = Resumability::NotResumable {
            reason: crate::transcripts::index::NotResumableReason::ProjectDirMissing,
            message: "the project dir is gone".into(),
        };
        let idx = index(vec![
            summary("live", "/w/p", "Running now", 900),
            gone,
            summary("old", "/w/p", "Old one", 100),
        ]);
        let p = pool(vec![info("r", Some("live"), "/w/p", SessionState::Ready)]);
        let menu = build_tray_menu(&p, Some(&idx), &Registry::default(), 10);
        assert_eq!(resumed(&menu.items), vec!["old"]);
        assert_eq!(menu.tooltip, "ccdesk — 1 running");
    }

    #[test]
    fn registry_names_win_and_pins_and_last_runs_order_recent() {
        let idx = index(vec![
            summary("a", "/w/p", "Index title a", 300),
            summary("b", "/w/p", "Index title b", 200),
            summary("c", "/w/p", "Index title c", 100),
        ]);
        let mut reg = Registry::default();
        reg.rename("b", "My name for b");
        reg.pin("c", true);
        reg.sessions.insert(
            "live".into(),
            RegistryEntry {
                name: Some("Named live".into()),
                ..RegistryEntry::default()
            },
        );
        let p = pool(vec![info(
            "r",
            Some("live"),
            "/w/q",
            SessionState::Streaming,
        )]);
        let menu = build_tray_menu(&p, Some(&idx), &reg, 10);
        let l = labels(&menu.items);
        assert_eq!(l[1], "Named live — Streaming");
        assert_eq!(resumed(&menu.items), vec!["c", "a", "b"]);
        assert!(l.contains(&"My name for b".to_owned()));
        assert!(!l.contains(&"Index title b".to_owned()));

        // A run through ccdesk later than the transcript's last line counts as activity.
        if let Some(e) = reg.sessions.get_mut("b") {
            e.last_run_at_ms = 10_000;
        }
        let menu = build_tray_menu(&p, Some(&idx), &reg, 10);
        assert_eq!(resumed(&menu.items), vec!["c", "b", "a"]);
    }

    #[test]
    fn without_an_index_the_registry_lists_recent_sessions() {
        let mut reg = Registry::default();
        reg.sessions.insert(
            "0123456789abcdef".into(),
            RegistryEntry {
                cwd: Some("/w/p".into()),
                last_run_at_ms: 5,
                ..RegistryEntry::default()
            },
        );
        reg.sessions.insert(
            "nocwd".into(),
            RegistryEntry {
                last_run_at_ms: 6,
                ..RegistryEntry::default()
            },
        );
        let menu = build_tray_menu(&pool(vec![]), None, &reg, 10);
        let l = labels(&menu.items);
        assert!(l.contains(&"[p]".to_owned()) && l.contains(&"Session 01234567".to_owned()));
        assert_eq!(resumed(&menu.items), vec!["0123456789abcdef"]);
    }

    #[test]
    fn projects_with_the_same_folder_name_show_their_paths() {
        let idx = index(vec![
            summary("a", "/one/app", "A", 2),
            summary("b", "/two/app", "B", 1),
        ]);
        let menu = build_tray_menu(&pool(vec![]), Some(&idx), &Registry::default(), 10);
        let l = labels(&menu.items);
        assert!(l.contains(&"[/one/app]".to_owned()) && l.contains(&"[/two/app]".to_owned()));
    }

    #[test]
    fn long_titles_are_cut_on_char_boundaries() {
        let long = "é".repeat(200);
        let cut = truncate(&long, LABEL_CHARS);
        assert_eq!(cut.chars().count(), LABEL_CHARS);
        assert!(cut.ends_with('…') && cut.starts_with("éé"));
        let emoji = truncate(&"🦀 crab ".repeat(30), 10);
        assert!(
            emoji.chars().count() <= 10 && emoji.ends_with('…'),
            "{emoji}"
        );
        assert_eq!(truncate("line one\nline\ttwo  ", 60), "line one line two");
        assert_eq!(truncate("short", 60), "short");
        assert_eq!(
            truncate_start("/a/very/long/path/to/project", 12),
            "…/to/project"
        );

        let idx = index(vec![summary("s", "/w/p", &"日本語".repeat(50), 1)]);
        let p = pool(vec![info(
            "r",
            Some("x"),
            &format!("/w/{}", "ü".repeat(100)),
            SessionState::Ready,
        )]);
        let menu = build_tray_menu(&p, Some(&idx), &Registry::default(), 10);
        for item in &menu.items {
            if let TrayItem::Action { label, .. } | TrayItem::Header { label } = item {
                assert!(label.chars().count() <= LABEL_CHARS, "{label}");
            }
        }
        assert!(labels(&menu.items)[1].ends_with("… — Ready"));
    }

    #[test]
    fn ids_round_trip_and_unknown_ids_are_none() {
        for a in [
            TrayAction::ShowWindow,
            TrayAction::NewSessionInFolder,
            TrayAction::Quit,
            TrayAction::OpenLive {
                run_id: crate::ids::RunId::parse("run-1").unwrap(),
            },
            TrayAction::Resume {
                session_id: crate::ids::SessionId::parse("0b7c6e0e-8d3e-4f7a-9d2c-1a2b3c4d5e6f")
                    .unwrap(),
            },
        ] {
            assert_eq!(TrayAction::from_id(&a.id()), Some(a.clone()), "{}", a.id());
        }
        for bad in [
            "",
            "live:",
            "resume:",
            "hide",
            "Show",
            "open:x",
            "quit ",
            "resume:with:colon",
            "resume:../x",
            "live:-x",
        ] {
            assert_eq!(TrayAction::from_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_model_serializes_with_kind_tags() {
        let v = serde_json::to_value(TrayItem::Action {
            label: "x".into(),
            action: TrayAction::Resume {
                session_id: crate::ids::SessionId::parse("s").unwrap(),
            },
            enabled: true,
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind":"action","label":"x","action":{"kind":"resume","sessionId":"s"},"enabled":true})
        );
        assert_eq!(
            serde_json::to_value(TrayAction::OpenLive {
                run_id: crate::ids::RunId::parse("r").unwrap()
            })
            .unwrap(),
            serde_json::json!({"kind":"openLive","runId":"r"})
        );
        assert_eq!(
            serde_json::to_value(TrayItem::Separator).unwrap(),
            serde_json::json!({"kind":"separator"})
        );
        assert_eq!(menu_text("R&D"), "R&&D");
    }
}
