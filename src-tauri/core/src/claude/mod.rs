//! The `claude` CLI as a process: finding it ([`discover`]), starting and streaming one run of it
//! ([`runner`]), the stream-json lines it prints and reads ([`stream`]), the processes its tools
//! start ([`proctree`]), how they are started and ended on each OS ([`control`]) and the watchdog that ends them all if ccdesk is killed ([`reaper`]).
//!
//! Owns: everything that touches a `claude` child process or its stdio. Knows nothing of
//! sessions spanning several runs (that is [`crate::pool`]) nor of transcripts on disk.

pub mod agents;
mod bounded;
pub mod control;
pub mod discover;
pub mod elsewhere;
pub mod proctree;
pub mod reaper;
pub mod runner;
pub mod stream;
