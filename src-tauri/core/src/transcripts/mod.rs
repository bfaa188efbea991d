//! The CLI's transcripts on disk, read only: where they live and how project dirs are named
//! ([`paths`]), one transcript's lines, pages and entries ([`transcript`]), the index of every
//! session grouped by project with its resumability ([`index`]), the CLI's clean-up of old
//! transcripts ([`retention`]), a session as Markdown or HTML ([`export`]), and following the files as the
//! CLI writes them ([`watcher`]).
//!
//! Owns: everything read from `<config dir>/projects`. Never writes there.

pub mod changes;
pub mod export;
pub mod index;
pub mod paths;
pub mod profiles;
pub mod retention;
pub mod search;
pub mod transcript;
pub mod usage;
pub mod watcher;
