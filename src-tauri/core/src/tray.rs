//! Issue 4: being written (see the module list in lib.rs).
