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
//! - [`reaper`]: the watchdog that ends ccdesk's children if ccdesk is killed.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod error;
pub mod index;
pub mod paths;
pub mod pool;
pub mod proctree;
pub mod reaper;
pub mod registry;
pub mod runner;
pub mod settings;
pub mod stream;
pub mod transcript;

pub use error::CoreError;
