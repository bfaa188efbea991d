//! ccdesk-core: everything ccdesk knows about Claude Code, with no GUI dependency.
//!
//! - [`paths`]: the config dir and the CLI's project-dir naming rule.
//! - [`transcript`]: reading `<session-id>.jsonl` transcripts.
//! - [`index`]: the session index (every session, grouped by project, with resumability).
//! - [`stream`]: stream-json lines the CLI prints and reads.
//! - [`runner`]: spawning `claude` and streaming its output.
//! - [`pool`]: the live sessions: cap, states, timeouts, interrupt, permission prompts, metrics.
//! - [`registry`]: ccdesk's own memory of sessions (names, pins, run history).
//! - [`settings`]: ccdesk's typed, validated, versioned settings.
//! - [`proctree`]: the processes a CLI started (its detached tool commands).
//! - [`discover`]: finding the `claude` executable and its version.
//! - [`launch`]: what ccdesk was asked to open on its command line.
//! - [`dropped`]: files and folders dropped on the window.
//! - [`tray`]: the tray menu as a plain model.
//! - [`alerts`]: when to show a system notification.
//! - [`watcher`]: following the CLI's transcripts as they change.
//! - [`reaper`]: the watchdog that ends ccdesk's children if ccdesk is killed.
//! - [`sync`]: one policy for poisoned locks (recover the data).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod alerts;
pub mod discover;
pub mod dropped;
pub mod error;
pub mod index;
pub mod launch;
pub mod paths;
pub mod pool;
pub mod proctree;
pub mod reaper;
pub mod registry;
pub mod runner;
pub mod settings;
pub mod stream;
pub mod sync;
pub mod transcript;
pub mod tray;
pub mod watcher;

pub use error::CoreError;
