//! ccdesk-core: everything ccdesk knows about Claude Code, with no GUI dependency. Grouped by
//! concept; each group's module doc says what it owns:
//!
//! - [`claude`]: the `claude` CLI as a process: finding it, one run of it and its stream-json,
//!   the processes its tools start, the watchdog that ends them if ccdesk is killed.
//! - [`pool`]: live sessions spanning runs: cap, states, timeouts, interrupt, permission prompts,
//!   metrics.
//! - [`transcripts`]: the CLI's transcripts on disk (read only): paths and project-dir naming,
//!   one transcript's pages, the session index, the watcher.
//! - [`store`]: ccdesk's own files: settings and the registry (names, pins, run history).
//! - [`vault`]: ccdesk's compressed copies of the transcripts, kept against the CLI's clean-up,
//!   and their restore.
//! - [`desktop`]: desktop policy as data: the tray's model, notifications, launch arguments,
//!   drops on the window.
//! - [`error`] (one error type with a `kind`), [`ids`] (session and run ids, valid by
//!   construction) and [`sync`] (one policy for poisoned locks).
//!
//! Dependencies run one way: `claude` and `transcripts` use none of the others; `pool` uses
//! both; `store` uses `pool`'s types (what it records of a session, the pool's settings);
//! `desktop` uses `pool`, `store` and `transcripts`; `vault` uses `store` (paths) and `transcripts`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod claude;
pub mod desktop;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod ids;
pub mod mem;
pub mod pool;
pub mod store;
pub mod sync;
pub mod transcripts;
pub mod vault;

pub use error::CoreError;
