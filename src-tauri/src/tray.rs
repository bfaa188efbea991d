//! The system tray: the core's [`TrayMenu`] model rendered as a native menu, rebuilt when the
//! model changes (a session changes state, the transcripts change, the settings change). The same
//! model and actions are offered to the window (`tray_menu`, `tray_action`), for desktops that
//! show no tray.

use ccdesk_core::sync::LockExt;
use std::sync::Arc;

use ccdesk_core::desktop::tray::{build_tray_menu, menu_text, TrayAction, TrayItem, TrayMenu};
use ccdesk_core::transcripts::index::SessionIndex;
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_dialog::DialogExt;

use crate::desktop::{self, OpenRequest};
use crate::error::AppError;
use crate::AppState;

/// The tray icon's id.
pub const TRAY_ID: &str = "main";

/// The menu as it should be now: live sessions from the pool, recent sessions from the last
/// index scan and the registry, as many as the settings ask for.
pub fn current_menu(state: &AppState) -> TrayMenu {
    let snapshot = state.pool.snapshot();
    let index = state.index_snapshot();
    let recent = state.settings_snapshot().tray_recent;
    build_tray_menu(
        &snapshot,
        index.as_deref(),
        &state.registry_snapshot(),
        recent,
    )
}

/// Creates the tray icon with the current menu. A desktop without a tray host shows nothing;
/// that is not an error.
///
/// Errors: the menu or icon cannot be created.
pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let model = current_menu(&app.state::<AppState>());
    let menu = render(app, &model.items)?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip(&model.tooltip)
        .menu(&menu)
        .on_menu_event(|app, event| {
            if let Some(action) = TrayAction::from_id(event.id().as_ref()) {
                perform(app, action);
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    remember(app, &model);
    Ok(())
}

/// Rebuilds the tray menu when its model changed since the last build. Cheap when nothing
/// changed: only the model is computed and compared.
pub fn refresh(app: &AppHandle) {
    let state = app.state::<AppState>();
    let model = current_menu(&state);
    let unchanged = state
        .tray_model
        .locked()
        .as_ref()
        .is_some_and(|last| last == &model);
    if unchanged {
        return;
    }
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match render(app, &model.items) {
        Ok(menu) => {
            if let Err(e) = tray.set_menu(Some(menu)) {
                tracing::warn!(error = %e, "cannot set the tray menu");
            }
            let _ = tray.set_tooltip(Some(&model.tooltip));
            remember(app, &model);
        }
        Err(e) => tracing::warn!(error = %e, "cannot build the tray menu"),
    }
}

fn remember(app: &AppHandle, model: &TrayMenu) {
    *app.state::<AppState>().tray_model.locked() = Some(model.clone());
}

/// Does what a tray item (or the window's copy of the menu) asks: open a session in the window,
/// ask for a folder for a new session, show the window, or quit (every session ended first, see
/// `lib.rs`).
pub fn perform(app: &AppHandle, action: TrayAction) {
    if let Some(request) = OpenRequest::from_tray(&action) {
        desktop::open(app, request);
        return;
    }
    match action {
        TrayAction::ShowWindow => desktop::show_main(app),
        TrayAction::NewSessionInFolder => {
            let handle = app.clone();
            app.dialog().file().pick_folder(move |picked| {
                let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
                    return;
                };
                let arg = path.display().to_string();
                desktop::handle_launch(&handle, &[arg], &path);
            });
        }
        TrayAction::Quit => app.exit(0),
        TrayAction::OpenLive { .. } | TrayAction::Resume { .. } => {}
    }
}

type Entry = Box<dyn IsMenuItem<Wry>>;

fn render(app: &AppHandle, items: &[TrayItem]) -> tauri::Result<Menu<Wry>> {
    let entries = entries(app, items)?;
    let refs: Vec<&dyn IsMenuItem<Wry>> = entries.iter().map(|e| e.as_ref()).collect();
    Menu::with_items(app, &refs)
}

fn entries(app: &AppHandle, items: &[TrayItem]) -> tauri::Result<Vec<Entry>> {
    let mut out: Vec<Entry> = Vec::with_capacity(items.len());
    for item in items {
        match item {
            TrayItem::Action {
                label,
                action,
                enabled,
            } => out.push(Box::new(MenuItem::with_id(
                app,
                action.id(),
                menu_text(label),
                *enabled,
                None::<&str>,
            )?)),
            TrayItem::Header { label } => out.push(Box::new(MenuItem::new(
                app,
                menu_text(label),
                false,
                None::<&str>,
            )?)),
            TrayItem::Separator => out.push(Box::new(PredefinedMenuItem::separator(app)?)),
            TrayItem::Submenu { label, items } => {
                let inner = entries(app, items)?;
                let refs: Vec<&dyn IsMenuItem<Wry>> = inner.iter().map(|e| e.as_ref()).collect();
                out.push(Box::new(Submenu::with_items(
                    app,
                    menu_text(label),
                    true,
                    &refs,
                )?));
            }
        }
    }
    Ok(out)
}

/// Brings the index up to date with the transcripts on a blocking thread (from its cache: only
/// changed transcripts are read) and returns it; the tray menu is rebuilt if it changed.
///
/// Errors: the projects dir cannot be listed, or the listing task failed.
pub async fn relist(app: &AppHandle) -> Result<Arc<SessionIndex>, AppError> {
    let state = app.state::<AppState>();
    let live = Arc::clone(&state.live);
    let (index, _) =
        crate::commands::blocking(move || live.refresh_all().map_err(AppError::from)).await?;
    refresh(app);
    Ok(index)
}
