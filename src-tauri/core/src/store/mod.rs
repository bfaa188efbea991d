//! ccdesk's own files: its typed, validated, versioned settings ([`settings`]) and its memory of
//! sessions: names, pins, run history ([`registry`]).
//!
//! Owns: the shapes of those files, how an old or broken one is read (a notice, never a crash,
//! never a silent loss) and how they are written: atomically, by [`mod@file`].

pub mod file;
pub mod registry;
pub mod settings;
