//! The IPC contract is written in four places until it is generated: the commands registered
//! with `generate_handler!` (src/lib.rs), the app manifest that puts them under the ACL
//! (build.rs), the permissions the main window is granted (capabilities/default.json) and the
//! names the UI invokes (ui/src/ipc.ts). This test reads all four and fails on any difference,
//! so a command added, renamed or removed in one place only is caught before the app runs.
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

fn handler_commands() -> BTreeSet<String> {
    let lib = read("src/lib.rs");
    between(&lib, "generate_handler![", "]")
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

fn invoked_commands() -> BTreeSet<String> {
    let ipc = read("../ui/src/ipc.ts");
    let mut names = BTreeSet::new();
    for (at, _) in ipc.match_indices("call") {
        let rest = &ipc[at + 4..];
        // `call<T>('name'` or `call('name'`
        let rest = match rest.strip_prefix('<') {
            Some(r) => match r.find(">(") {
                Some(i) => &r[i + 1..],
                None => continue,
            },
            None => rest,
        };
        if let Some(name) = rest.strip_prefix("('").and_then(|r| r.split('\'').next()) {
            names.insert(name.to_owned());
        }
    }
    names
}

#[test]
fn every_command_is_registered_put_under_the_acl_granted_and_invoked_alike() {
    let handler = handler_commands();
    assert!(handler.len() >= 20, "parsed too few commands: {handler:?}");
    assert_eq!(
        manifest_commands(),
        handler,
        "build.rs vs generate_handler!"
    );
    assert_eq!(
        granted_commands(),
        handler,
        "capabilities/default.json vs generate_handler!"
    );
    assert_eq!(
        invoked_commands(),
        handler,
        "ui/src/ipc.ts vs generate_handler!"
    );
}
