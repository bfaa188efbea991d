//! ccdesk-core: everything ccdesk knows about Claude Code, with no GUI dependency.
//!
//! - [`paths`]: the config dir and the CLI's project-dir naming rule.
//! - [`transcript`]: reading `<session-id>.jsonl` transcripts.
//! - [`index`]: the session index (every session, grouped by project, with resumability).
//! - [`stream`]: stream-json lines the CLI prints and reads.
//! - [`runner`]: spawning `claude` and streaming its output.
//! - [`manager`]: the live runs, by ccdesk run id.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod error;
pub mod index;
pub mod manager;
pub mod paths;
pub mod runner;
pub mod stream;
pub mod transcript;

pub use error::CoreError;
