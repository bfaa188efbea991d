//! Tauri commands: each a few lines that call `ccdesk-core`. The UI may call only the ones
//! listed in `build.rs` and granted in `capabilities/default.json`.

pub mod desktop;
pub mod live;
pub mod registry;
pub mod sessions;
pub mod settings;
