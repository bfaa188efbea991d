//! `ui/src/bindings.ts` is generated from the Rust commands, events and types
//! (`ccdesk_lib::ipc::builder`). This test generates it again and fails when the checked-in file
//! differs, so a Rust change that alters the IPC contract cannot land without the UI seeing it
//! (`npm run check` then type-checks the UI against the new bindings).
//!
//! To regenerate: `CCDESK_UPDATE_BINDINGS=1 cargo test -p ccdesk --test bindings`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::path::Path;

#[test]
fn checked_in_bindings_are_current() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("bindings.ts");
    ccdesk_lib::ipc::export_typescript(&fresh).unwrap();
    let fresh = std::fs::read_to_string(&fresh).unwrap();
    let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    if std::env::var_os("CCDESK_UPDATE_BINDINGS").is_some() {
        std::fs::write(&checked_in, &fresh).unwrap();
        return;
    }
    let old = std::fs::read_to_string(&checked_in).unwrap_or_default();
    if old != fresh {
        let first = old
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| old.lines().count().min(fresh.lines().count()));
        panic!(
            "ui/src/bindings.ts is out of date (first difference at line {}):\n  checked in: {:?}\n  generated:  {:?}\nRegenerate with CCDESK_UPDATE_BINDINGS=1 cargo test -p ccdesk --test bindings",
            first + 1,
            old.lines().nth(first).unwrap_or(""),
            fresh.lines().nth(first).unwrap_or(""),
        );
    }
}

#[test]
fn generation_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.ts"), dir.path().join("b.ts"));
    ccdesk_lib::ipc::export_typescript(&a).unwrap();
    ccdesk_lib::ipc::export_typescript(&b).unwrap();
    assert_eq!(
        std::fs::read_to_string(a).unwrap(),
        std::fs::read_to_string(b).unwrap()
    );
}
