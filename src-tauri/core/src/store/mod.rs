//! ccdesk's own files: its typed, validated, versioned settings ([`settings`]) and its memory of
//! sessions: names, pins, run history ([`registry`]).
//!
//! Owns: the shapes of those files and how an old or broken one is read (a notice, never a
//! crash, never a silent loss). The shell writes them (atomically) through the store plugin.

pub mod registry;
pub mod settings;
