//! Build script: generates the Tauri context and puts the app's commands under the ACL.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "list_projects",
            "project_sessions",
            "find_session",
            "session_briefs",
            "search_sessions",
            "show_session",
            "transcript_entry",
            "export_session",
            "start_session",
            "send_prompt",
            "interrupt_session",
            "answer_permission",
            "set_permission_mode",
            "close_session",
            "attach_session",
            "pool_snapshot",
            "app_info",
            "registry",
            "rename_session",
            "pin_session",
            "settings",
            "save_settings",
            "save_ui_prefs",
            "discover_claude",
            "classify_drop",
            "take_launch_intents",
            "tray_menu",
            "tray_action",
            "vault_stats",
            "restore_session",
        ]),
    ))
    .unwrap_or_else(|e| panic!("tauri build script failed: {e:#}"));
}
