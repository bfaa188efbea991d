//! Desktop policy as plain data, tested without a window: the tray menu's model ([`tray`]), when
//! to show a system notification ([`alerts`]), what ccdesk was asked to open on its command line
//! ([`launch`]), what a drop on the window means ([`dropped`]) and which signals mean Quit ([`quit`]).
//!
//! Owns: decisions only; the shell (`src-tauri/src`) turns them into tray items, notifications
//! and windows. [`terminal`] plans and starts the user's terminal resuming a session.

pub mod alerts;
pub mod dropped;
pub mod launch;
pub mod quit;
pub mod terminal;
pub mod tray;
