//! The commands are registered once (`collect_commands!` in src/ipc.rs) and the UI's bindings are
//! generated from that (ui/src/bindings.ts, checked by tests/bindings.rs). Two lists stay by hand,
//! because Tauri reads them at build time: the app manifest that puts the commands under the ACL
//! (build.rs) and the permissions the main window is granted (capabilities/default.json). This
//! test fails when any of them differ, when the UI's seam (ui/src/ipc.ts) labels a call with
//! another command's name, or when the window is granted a plugin permission not listed here.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::collections::BTreeSet;
use std::path::Path;

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text between `start` and the first `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let to = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &text[from..from + to]
}

/// Every string literal (`"..."` or `'...'`) that follows `prefix` in `text`.
fn quoted_after(text: &str, prefix: &str, quote: char) -> BTreeSet<String> {
    text.match_indices(prefix)
        .filter_map(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            let rest = rest.strip_prefix(quote)?;
            Some(rest[..rest.find(quote)?].to_owned())
        })
        .collect()
}

fn registered_commands() -> BTreeSet<String> {
    let ipc = read("src/ipc.rs");
    between(&ipc, "collect_commands![", "]")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|path| path.rsplit("::").next().unwrap_or(path).to_owned())
        .collect()
}

fn manifest_commands() -> BTreeSet<String> {
    let build = read("build.rs");
    let list = between(&build, ".commands(&[", "]");
    quoted_after(list, "", '"')
        .into_iter()
        .filter(|s| !s.trim().is_empty() && !s.contains(','))
        .collect()
}

fn granted_commands() -> BTreeSet<String> {
    let caps: serde_json::Value =
        serde_json::from_str(&read("capabilities/default.json")).expect("capabilities JSON");
    caps["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|name| name.replace('-', "_"))
        .collect()
}

/// The commands the generated bindings invoke: `__TAURI_INVOKE<T>("name"`.
fn generated_commands() -> BTreeSet<String> {
    let bindings = read("../ui/src/bindings.ts");
    bindings
        .match_indices("__TAURI_INVOKE<")
        .filter_map(|(at, _)| {
            let rest = &bindings[at..];
            let rest = &rest[rest.find(">(\"")? + 3..];
            Some(rest[..rest.find('"')?].to_owned())
        })
        .collect()
}

/// `camelCase` to `snake_case`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The seam's calls: `measured('label', commands.name(`; each label must be its command's name
/// (the GUI benchmark reads the measures by it).
fn labelled_calls() -> Vec<(String, String)> {
    let ipc = read("../ui/src/ipc.ts");
    ipc.match_indices("measured('")
        .filter_map(|(at, _)| {
            let rest = &ipc[at + "measured('".len()..];
            let label = &rest[..rest.find('\'')?];
            let rest = &rest[rest.find("commands.")? + "commands.".len()..];
            let name = &rest[..rest.find('(')?];
            Some((label.to_owned(), snake(name)))
        })
        .collect()
}

/// Plugin permissions the window may use, each for a reason: events (the backend's events), the
/// folder picker and the export's save dialog, asking whether notifications are allowed, and the UI's own preferences file
/// (`ui-prefs.json`: read and set; the core saves it, atomically, through `save_ui_prefs`: the
/// plugin's own save writes in place).
const PLUGIN_PERMISSIONS: [&str; 8] = [
    "core:event:default",
    // "Copy command": the resume command line to the clipboard (write only, text only).
    "clipboard-manager:allow-write-text",
    "dialog:allow-open",
    // The save dialog of "Export" (the file is then written by the `export_session` command).
    "dialog:allow-save",
    "notification:allow-is-permission-granted",
    "store:allow-load",
    "store:allow-entries",
    "store:allow-set",
];

#[test]
fn every_command_is_registered_put_under_the_acl_granted_and_generated_alike() {
    let registered = registered_commands();
    assert!(
        registered.len() >= 20,
        "parsed too few commands: {registered:?}"
    );
    assert_eq!(
        manifest_commands(),
        registered,
        "build.rs vs collect_commands!"
    );
    assert_eq!(
        granted_commands(),
        registered,
        "capabilities/default.json vs collect_commands!"
    );
    assert_eq!(
        generated_commands(),
        registered,
        "ui/src/bindings.ts vs collect_commands!"
    );
    let calls = labelled_calls();
    assert_eq!(
        calls
            .iter()
            .map(|(_, c)| c.clone())
            .collect::<BTreeSet<_>>(),
        registered,
        "ui/src/ipc.ts calls every command"
    );
    for (label, command) in calls {
        assert_eq!(label, command, "ui/src/ipc.ts labels {command} as {label}");
    }
}

#[test]
fn the_window_gets_no_plugin_permission_beyond_the_listed_ones() {
    let caps: serde_json::Value =
        serde_json::from_str(&read("capabilities/default.json")).expect("capabilities JSON");
    let plugins: BTreeSet<String> = caps["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.starts_with("allow-"))
        .map(str::to_owned)
        .collect();
    let listed: BTreeSet<String> = PLUGIN_PERMISSIONS.iter().map(|p| p.to_string()).collect();
    assert_eq!(plugins, listed);
}
