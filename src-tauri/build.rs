//! Build script: generates the Tauri context and puts the app's commands under the ACL.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "list_sessions",
            "show_session",
            "start_run",
            "send_prompt",
            "stop_run",
            "app_info",
        ]),
    ))
    .unwrap_or_else(|e| panic!("tauri build script failed: {e:#}"));
}
