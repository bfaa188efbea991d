//! The headless commands (`list`, `search`, `show`, `run`), run as `ccdesk-cli`, on the genuine
//! fixture config dirs; `run` honours the window's settings file. (`ccdesk <command>` runs the
//! same code: `src-tauri/tests/headless.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/samples")
        .join(name)
}

fn ccdesk(config: &Path, args: &[&str]) -> (i32, String, String) {
    // No settings file: a developer's own settings must not change what is listed.
    let data = tempfile::tempdir().unwrap();
    ccdesk_with(config, data.path(), args, &[])
}

/// ccdesk with `data` as its data dir (`$XDG_DATA_HOME`) and `env` added.
fn ccdesk_with(
    config: &Path,
    data: &Path,
    args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ccdesk-cli"));
    cmd.args(args)
        .env("CLAUDE_CONFIG_DIR", config)
        .env("XDG_DATA_HOME", data)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("ccdesk runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn list_json_prints_one_object_per_session_without_a_display() {
    let (code, stdout, stderr) = ccdesk(&fixtures("local-cli-2.1.112"), &["list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), 3);
    let first_turn = rows
        .iter()
        .find(|r| r["id"] == "11111111-2222-4333-8444-555555555555")
        .expect("listed");
    assert_eq!(first_turn["projectPath"], "/home/dev/proj");
    assert_eq!(first_turn["title"], "first turn");
    assert_eq!(first_turn["gitBranch"], "main");
    assert_eq!(first_turn["resumability"]["state"], "notResumable");
    assert_eq!(first_turn["resumability"]["reason"], "projectDirMissing");
    assert!(first_turn["sizeBytes"].as_u64().unwrap_or(0) > 0);
    assert!(first_turn["lastTimestamp"].is_string());
}

#[test]
fn list_says_which_sessions_the_cli_clean_up_deletes_soon() {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let proj = config.join("projects").join("-w-p");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::write(config.join("settings.json"), r#"{"cleanupPeriodDays": 10}"#).unwrap();
    let day = 86_400_000_u64;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let now_ms = u64::try_from(now.as_millis()).unwrap();
    for (id, age_days) in [
        ("aaaaaaaa-0000-4000-8000-000000000001", 5),
        ("aaaaaaaa-0000-4000-8000-000000000002", 1),
    ] {
        let path = proj.join(format!("{id}.jsonl"));
        let line = serde_json::json!({"type": "user", "uuid": "u1", "sessionId": id, "cwd": "/w/p",
            "timestamp": "2026-01-01T00:00:00.000Z", "message": {"role": "user", "content": "hi"}});
        std::fs::write(&path, format!("{line}\n")).unwrap();
        let f = std::fs::File::options().append(true).open(&path).unwrap();
        f.set_modified(UNIX_EPOCH + Duration::from_millis(now_ms - age_days * day))
            .unwrap();
    }
    let (code, stdout, stderr) = ccdesk(&config, &["list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    for line in stdout.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let modified = row["modifiedAt"].as_u64().unwrap();
        assert_eq!(
            row["expiresAt"].as_u64(),
            Some(modified + 10 * day),
            "{row}"
        );
    }
    assert!(
        stderr.contains(
            "1 session is deleted by the CLI's clean-up within 7 days (cleanupPeriodDays 10 in"
        ),
        "{stderr}"
    );
    let (code, stdout, _) = ccdesk(&config, &["list"]);
    assert_eq!(code, 0);
    let old = stdout.lines().find(|l| l.contains("000000000001")).unwrap();
    assert!(old.ends_with("[deleted by the CLI in 5 days]"), "{old}");
    let new = stdout.lines().find(|l| l.contains("000000000002")).unwrap();
    assert!(!new.contains("deleted"), "{new}");
}

#[test]
fn list_keeps_its_cache_in_the_data_dir_and_prints_what_a_full_read_prints() {
    let data = tempfile::tempdir().unwrap();
    let config = fixtures("local-cli-2.1.330");
    let run = |args: &[&str]| {
        let (code, stdout, stderr) = ccdesk_with(&config, data.path(), args, &[]);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    let full = run(&["list", "--json", "--no-cache"]);
    let cache_dir = data.path().join("dev.ccdesk.app").join("index");
    assert!(!cache_dir.exists(), "--no-cache writes no cache");
    let first = run(&["list", "--json"]);
    let caches: Vec<_> = std::fs::read_dir(&cache_dir)
        .expect("the cache is in the data dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".sqlite"))
        .collect();
    assert_eq!(caches.len(), 1);
    let warm = run(&["list", "--json"]);
    assert!(!full.is_empty());
    assert_eq!(first, full);
    assert_eq!(warm, full);
}

#[test]
fn search_prints_sessions_with_hits_and_reads_any_query() {
    let data = tempfile::tempdir().unwrap();
    let config = fixtures("local-cli-2.1.330");
    let run = |args: &[&str]| ccdesk_with(&config, data.path(), args, &[]);
    let (code, stdout, stderr) = run(&["search", "--json", "\"mock API\""]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert!(rows.len() >= 2, "{stdout}");
    for r in &rows {
        assert_eq!(r["projectPath"], "/home/dev/proj");
        let hit = &r["hits"][0];
        assert!(hit["line"].is_u64() && hit["uuid"].is_string() && hit["timestamp"].is_string());
        let snippet: Vec<u16> = hit["snippet"].as_str().unwrap().encode_utf16().collect();
        let [a, b] =
            [&hit["marks"][0][0], &hit["marks"][0][1]].map(|v| v.as_u64().unwrap() as usize);
        assert_eq!(
            String::from_utf16_lossy(&snippet[a..b]).to_lowercase(),
            "mock"
        );
    }
    // --limit, --project, and the subagent's prompt found under its session.
    let (_, one, _) = run(&["search", "--json", "--limit", "1", "mock"]);
    assert_eq!(one.lines().count(), 1);
    let (_, none, _) = run(&["search", "mock", "--project", "/elsewhere"]);
    assert_eq!(none, "");
    let (code, sub, _) = run(&["search", "--json", "SUBAGENT reply"]);
    assert_eq!(code, 0);
    assert!(sub.contains("\"subagent\":\"agent-"), "{sub}");
    // Anything typed is a query: a lone quote or FTS5 operators are plain text.
    for q in ["\"unterminated phrase", "NEAR(", "a AND", "col:x ^y"] {
        let (code, _, stderr) = run(&["search", q]);
        assert_eq!(code, 0, "{q}: {stderr}");
    }
    for q in ["-only", "\"", "project:/w"] {
        let (code, _, stderr) = run(&["search", q]);
        assert_eq!(code, 1, "{q}");
        assert!(stderr.contains("nothing to look for"), "{q}: {stderr}");
    }
}

#[test]
fn show_json_prints_the_transcript() {
    let (code, stdout, stderr) = ccdesk(
        &fixtures("local-cli-2.1.330"),
        &["show", "22222222-2222-4333-8444-555555555555", "--json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(v["summary"]["id"], "22222222-2222-4333-8444-555555555555");
    let entries = v["transcript"]["entries"].as_array().expect("entries");
    let user_texts: Vec<&str> = entries
        .iter()
        .map(|e| &e["entry"])
        .filter(|e| e["entry"] == "message" && e["kind"] == "user")
        .filter_map(|e| e["content"].as_str())
        .collect();
    assert!(user_texts.contains(&"first turn"), "{user_texts:?}");
    assert_eq!(v["transcript"]["malformedLines"], 0);
    let total = v["transcript"]["total"].as_u64().expect("total");
    assert_eq!(v["transcript"]["from"], 0);
    assert_eq!(v["transcript"]["to"], total);
    let indexes: Vec<u64> = entries.iter().filter_map(|e| e["index"].as_u64()).collect();
    assert_eq!(
        indexes,
        (0..total).collect::<Vec<_>>(),
        "every line, in order"
    );
}

#[test]
fn show_takes_a_range_of_lines_and_a_session_key() {
    let config = fixtures("local-cli-2.1.330");
    let id = "22222222-2222-4333-8444-555555555555";
    let json = |args: &[&str]| {
        let (code, stdout, stderr) = ccdesk(&config, args);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str::<serde_json::Value>(stdout.trim()).expect("one JSON object")
    };
    let indexes = |v: &serde_json::Value| -> Vec<u64> {
        v["transcript"]["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|e| e["index"].as_u64())
            .collect()
    };
    let all = json(&["show", id, "--json"]);
    let total = all["transcript"]["total"].as_u64().expect("total");
    assert!(total > 10);
    let tail = json(&["show", id, "--json", "--tail", "3"]);
    assert_eq!(indexes(&tail), [total - 3, total - 2, total - 1]);
    let window = json(&["show", id, "--from", "2", "--limit", "4", "--json"]);
    assert_eq!(indexes(&window), [2, 3, 4, 5]);
    assert_eq!(
        (
            window["transcript"]["from"].as_u64(),
            window["transcript"]["to"].as_u64()
        ),
        (Some(2), Some(6))
    );
    let key = format!(
        "{}/{id}",
        all["summary"]["dirName"].as_str().expect("dirName")
    );
    assert_eq!(all["summary"]["key"], key.as_str());
    let by_key = json(&["show", &key, "--json", "--tail", "1"]);
    assert_eq!(indexes(&by_key), [total - 1]);
    let (code, stdout, _) = ccdesk(&config, &["show", id, "--tail", "2"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("# "), "{stdout}");
    // Bad usage exits 2 (clap), a session that is not there 1.
    for (bad, want) in [
        (&["show", id, "--tail", "x"][..], 2),
        (&["show", id, "--tail", "1", "--from", "0"], 2),
        (&["show", "../../etc/passwd"], 1),
    ] {
        let (code, _, stderr) = ccdesk(&config, bad);
        assert_eq!(code, want, "{bad:?}: {stderr}");
        assert!(!stderr.is_empty());
    }
}

#[test]
fn unknown_sessions_and_bad_usage_fail_with_a_message() {
    let (code, _, stderr) = ccdesk(&fixtures("local-cli-2.1.112"), &["show", "no-such-session"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no session no-such-session"), "{stderr}");
    for bad in [
        &["list", "extra"][..],
        &["run", "only-a-folder-or-a-prompt"],
        &["run", "--resume", "abc", "a", "b"],
        &["show"],
    ] {
        let (code, _, stderr) = ccdesk(&fixtures("local-cli-2.1.112"), bad);
        assert_eq!(code, 2, "{bad:?}: {stderr}");
        assert!(stderr.contains("Usage: ccdesk"), "{bad:?}: {stderr}");
    }
    // A session id is checked where it enters: never a path, never an option.
    for id in ["../../etc/passwd", "a b", "x/y"] {
        let (code, _, stderr) = ccdesk(
            &fixtures("local-cli-2.1.112"),
            &["run", "--resume", id, "hi"],
        );
        assert_eq!(code, 2, "{id:?}: {stderr}");
        assert!(stderr.contains("is not a session id"), "{id:?}: {stderr}");
    }
}

#[test]
fn help_and_version_are_printed_and_exit_0() {
    let config = fixtures("local-cli-2.1.112");
    let (code, stdout, stderr) = ccdesk(&config, &["--help"]);
    assert_eq!(code, 0, "{stderr}");
    for word in [
        "list",
        "show",
        "run",
        "Exit codes: 0 done, 1 failed, 2 bad usage, 130 interrupted",
    ] {
        assert!(stdout.contains(word), "{word} in {stdout}");
    }
    let (code, stdout, _) = ccdesk(&config, &["show", "--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("--tail <M>"), "{stdout}");
    let (code, stdout, _) = ccdesk(&config, &["--version"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.trim(),
        format!("ccdesk {}", env!("CARGO_PKG_VERSION"))
    );
}

#[cfg(target_os = "linux")]
#[test]
fn run_uses_the_claude_path_of_the_settings_and_survives_a_corrupt_settings_file() {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_ccdesk-cli"));
    let fake = exe.with_file_name("fake-claude");
    assert!(fake.is_file(), "build the workspace first (fake-claude)");
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let project = tmp.path().join("work");
    std::fs::create_dir_all(&project).unwrap();
    let data = tmp.path().join("data");
    let store = data.join("dev.ccdesk.app");
    std::fs::create_dir_all(&store).unwrap();
    // No claude anywhere but in the settings.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let env: [(&str, &std::ffi::OsStr); 4] = [
        ("PATH", empty.as_os_str()),
        ("HOME", tmp.path().as_os_str()),
        ("SHELL", std::ffi::OsStr::new("")),
        ("CCDESK_CLAUDE", std::ffi::OsStr::new("")),
    ];
    let folder = project.to_str().unwrap();
    let (code, _, stderr) = ccdesk_with(&config, &data, &["run", folder, "hello"], &env);
    assert_ne!(code, 0, "no claude must be found: {stderr}");
    assert!(stderr.contains("claude"), "{stderr}");

    let settings = serde_json::json!({"settings": {"version": 1, "claudePath": fake}});
    std::fs::write(store.join("settings.json"), settings.to_string()).unwrap();
    let (code, stdout, stderr) = ccdesk_with(&config, &data, &["run", folder, "hello"], &env);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.trim().is_empty(), "the fake's reply is printed");

    std::fs::write(store.join("settings.json"), "{not json").unwrap();
    let (code, _, stderr) = ccdesk_with(&config, &data, &["run", folder, "hello"], &env);
    assert_ne!(code, 0);
    assert!(stderr.contains("defaults are used"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(store.join("settings.json")).unwrap(),
        "{not json",
        "the headless commands never write the settings"
    );
}

#[test]
fn without_a_command_the_headless_binary_prints_its_usage_and_exits_2() {
    let config = fixtures("local-cli-2.1.112");
    for args in [&[][..], &["/some/folder"][..], &["--resume", "x"][..]] {
        let (code, stdout, stderr) = ccdesk(&config, args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert!(
            stderr.contains("the window opens with `ccdesk`"),
            "{stderr}"
        );
        assert!(
            stderr.contains("search"),
            "the usage lists the commands: {stderr}"
        );
    }
}

/// A transcript's text can hold terminal control sequences (a title that clears the screen and
/// retitles the window): on a terminal `list` shows them as visible stand-ins, never obeyed;
/// through a pipe the text is printed as it is. (`script` gives the command a terminal.)
#[cfg(target_os = "linux")]
#[test]
fn control_sequences_in_a_title_are_shown_not_obeyed_on_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let dir = config.join("projects").join("-w-p");
    std::fs::create_dir_all(&dir).unwrap();
    let id = "eeeeeeee-0000-4000-8000-000000000001";
    let title = "evil\u{1b}]0;pwned\u{7}\u{1b}[2Jtitle\u{9b}31m";
    let lines = [
        serde_json::json!({"type": "user", "sessionId": id, "cwd": "/w/p", "uuid": "u1",
            "timestamp": "2026-05-01T10:00:00.000Z",
            "message": {"role": "user", "content": "hello"}}),
        serde_json::json!({"type": "custom-title", "customTitle": title, "sessionId": id}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join(format!("{id}.jsonl")), body).unwrap();

    let (code, piped, stderr) = ccdesk(&config, &["list"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        piped.contains(title),
        "a pipe gets the text as it is: {piped:?}"
    );

    let data = tempfile::tempdir().unwrap();
    let cmd = format!("'{}' list", env!("CARGO_BIN_EXE_ccdesk-cli"));
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("CLAUDE_CONFIG_DIR", &config)
        .env("XDG_DATA_HOME", data.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("script (util-linux) runs");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("evil␛]0;pwned␇␛[2Jtitle\u{fffd}31m"),
        "{shown:?}"
    );
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
    assert!(!shown.contains('\u{9b}'), "{shown:?}");
}

#[test]
fn archive_list_show_and_restore_a_session_the_cli_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let data = tmp.path().join("data");
    copy_tree(
        &fixtures("local-cli-2.1.112").join("projects"),
        &config.join("projects"),
    );
    let id = "5aa47c0d-7cf3-42d8-9951-79f0c19c766b";
    let dir = config.join("projects/-home-dev-proj");
    let transcript = dir.join(format!("{id}.jsonl"));
    let original = std::fs::read(&transcript).unwrap();
    let agent = dir.join(format!("{id}/subagents/agent-a9d5a7f16e5197d70.jsonl"));
    let original_agent = std::fs::read(&agent).unwrap();
    let run = |args: &[&str]| ccdesk_with(&config, &data, args, &[]);

    let (code, _, stderr) = run(&["restore", id]);
    assert_eq!(code, 1, "nothing archived yet");
    assert!(stderr.contains("vault is empty"), "{stderr}");
    let (code, stdout, stderr) = run(&["archive", "--all"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("3 sessions in the vault: 5 files copied whole"),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["archive", id]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("0 files copied whole, 0 brought up to date, 3 unchanged"),
        "{stdout}"
    );

    // The CLI's clean-up.
    std::fs::remove_file(&transcript).unwrap();
    std::fs::remove_dir_all(dir.join(id)).unwrap();
    let (code, stdout, stderr) = run(&["list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    let gone = rows.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(gone["archived"], true);
    assert_eq!(gone["resumability"]["reason"], "archived");
    assert!(rows
        .iter()
        .filter(|r| r["id"] != id)
        .all(|r| r["archived"] == false));
    let (code, stdout, stderr) = run(&["show", id, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let shown: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(shown["summary"]["archived"], true);
    assert_eq!(
        shown["transcript"]["total"].as_u64().unwrap() as usize,
        original
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count()
    );

    let (code, stdout, stderr) = run(&["restore", id]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with(&format!("restored {}", transcript.display())),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(&transcript).unwrap(),
        original,
        "byte for byte"
    );
    assert_eq!(std::fs::read(&agent).unwrap(), original_agent);
    let (code, _, stderr) = run(&["restore", id]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("never writes over a transcript"),
        "{stderr}"
    );
    let (_, stdout, _) = run(&["list", "--json"]);
    assert!(!stdout.contains("\"archived\":true"), "{stdout}");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Every tag of an exported HTML file (all `<` of text are escaped, so each `<` starts one): only
/// known tags, no attribute that runs, loads or navigates, the head's own `<meta>`s and one
/// `<style>`. Panics naming what broke the rule.
fn assert_inert_html(html: &str, what: &str) {
    const TAGS: &[&str] = &[
        "!doctype",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "code",
        "div",
        "details",
        "summary",
        "strong",
        "em",
        "pre",
        "span",
        "ul",
        "ol",
        "li",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "br",
        "del",
        "sup",
        "sub",
    ];
    let lower = html.to_ascii_lowercase();
    let (mut metas, mut styles) = (0, 0);
    for (i, _) in lower.match_indices('<') {
        let rest = &lower[i + 1..];
        let end = rest
            .find('>')
            .unwrap_or_else(|| panic!("{what}: a tag never closed at {i}"));
        let tag = &rest[..end];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        assert!(TAGS.contains(&name.as_str()), "{what}: tag <{tag}>");
        for bad in [
            "href",
            "src",
            "srcset",
            "action",
            "formaction",
            "style=",
            "xlink",
        ] {
            assert!(!tag.contains(&format!(" {bad}")), "{what}: <{tag}>");
        }
        assert!(
            !tag.split_whitespace().skip(1).any(|a| a.starts_with("on")),
            "{what}: an event handler in <{tag}>"
        );
        if name == "meta" {
            metas += 1;
        }
        if name == "style" && !tag.starts_with('/') {
            styles += 1;
        }
    }
    assert_eq!(
        (metas, styles),
        (3, 1),
        "{what}: the head's own meta and style only"
    );
    assert!(
        lower.contains("content-security-policy\" content=\"default-src 'none'"),
        "{what}: the CSP"
    );
}

#[test]
fn export_writes_markdown_and_inert_html_with_tools_thinking_and_subagents() {
    let config = fixtures("local-cli-2.1.112");
    let id = "5aa47c0d-7cf3-42d8-9951-79f0c19c766b";
    let (code, md, stderr) = ccdesk(&config, &["export", id]);
    assert_eq!(code, 0, "{stderr}");
    assert!(md.starts_with("# "), "{md}");
    assert!(md.contains(&format!("- Session: `{id}`")), "{md}");
    assert!(md.contains("## You"), "{md}");
    assert!(md.contains("## Claude"), "{md}");
    assert!(md.contains("**Tool call: "), "{md}");
    assert!(md.contains("**Tool result**"), "{md}");
    assert!(
        md.contains("# Subagent run: agent-a9d5a7f16e5197d70"),
        "{md}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.html");
    let (code, stdout, stderr) = ccdesk(
        &config,
        &[
            "export",
            id,
            "--format",
            "html",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("wrote") && stderr.contains("1 subagent runs"),
        "{stderr}"
    );
    let html = std::fs::read_to_string(&file).unwrap();
    assert_inert_html(&html, id);
    assert!(
        html.contains("<details class=\"subagent\"><summary>Subagent run: agent-a9d5a7f16e5197d70")
    );
    assert!(
        html.contains("<details class=\"tool\"><summary>Tool call: <strong>"),
        "{html}"
    );
    let (code, _, stderr) = ccdesk(&config, &["export", "no-such-session"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no-such-session"), "{stderr}");
}

#[test]
fn export_of_every_session_of_the_hostile_set_is_inert() {
    let out = tempfile::tempdir().unwrap();
    let made = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/datasets/hostile.mjs"))
        .arg(out.path())
        .output();
    let made = match made {
        Ok(m) if m.status.success() => m,
        Ok(m) => panic!("hostile.mjs failed: {}", String::from_utf8_lossy(&m.stderr)),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED: no node to make the hostile set ({e})");
            return;
        }
        Err(e) => panic!("node is needed in CI to make the hostile set: {e}"),
    };
    drop(made);
    let config = out.path().join("config");
    let (code, list, stderr) = ccdesk(&config, &["list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let keys: Vec<String> = list
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(keys.len() >= 10, "{keys:?}");
    let mut xss_seen = 0;
    for key in &keys {
        let (code, html, stderr) = ccdesk(&config, &["export", key, "--format", "html"]);
        if code != 0 {
            // Only what cannot be read (not a regular file) may fail, in words.
            assert!(stderr.contains("cannot read"), "{key}: {stderr}");
            continue;
        }
        assert_inert_html(&html, key);
        if html.contains("xss reply") {
            xss_seen += 1;
            // The payloads are there, as text.
            assert!(html.contains("&lt;img src=x onerror="), "{key}");
            assert!(
                html.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"),
                "{key}"
            );
        }
        let (code, _, stderr) = ccdesk(&config, &["export", key]);
        assert_eq!(code, 0, "{key}: {stderr}");
    }
    assert!(xss_seen >= 1, "the XSS session was exported");
}

/// Two config dirs (two accounts) at once: named on the command line (`--config-dir`, repeated)
/// or listed in the settings (`moreConfigDirs`), their sessions are listed together, each named
/// after its config dir, and keys of the second find its sessions.
#[test]
fn two_config_dirs_are_listed_together_and_their_sessions_found_by_key() {
    let first = fixtures("local-cli-2.1.112");
    let second = fixtures("local-cli-2.1.330");
    let data = tempfile::tempdir().unwrap();
    let (a, b) = (first.to_str().unwrap(), second.to_str().unwrap());
    let (code, stdout, stderr) = ccdesk_with(
        &first,
        data.path(),
        &["list", "--json", "--config-dir", a, "--config-dir", b],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let alone = |dir: &Path| {
        let (code, out, err) = ccdesk_with(dir, data.path(), &["list", "--json"], &[]);
        assert_eq!(code, 0, "{err}");
        out.lines().count()
    };
    let (n_first, n_second) = (alone(&first), alone(&second));
    assert_eq!(rows.len(), n_first + n_second);
    let keys: std::collections::HashSet<&str> =
        rows.iter().filter_map(|r| r["key"].as_str()).collect();
    assert_eq!(keys.len(), rows.len(), "keys are unique");
    let of_second: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r["profile"] == "local-cli-2.1.330")
        .collect();
    assert_eq!(of_second.len(), n_second);
    assert!(of_second.iter().all(|r| r["key"]
        .as_str()
        .unwrap()
        .starts_with("@local-cli-2.1.330/")));
    assert!(rows
        .iter()
        .filter(|r| r["profile"].is_null())
        .all(|r| !r["key"].as_str().unwrap().starts_with('@')));
    // A key of the second config dir shows that session.
    let key = of_second[0]["key"].as_str().unwrap();
    let (code, shown, stderr) = ccdesk_with(
        &first,
        data.path(),
        &[
            "show",
            key,
            "--json",
            "--tail",
            "1",
            "--config-dir",
            a,
            "--config-dir",
            b,
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["summary"]["key"], key);
    assert_eq!(shown["summary"]["profile"], "local-cli-2.1.330");

    // The same from the settings: the first config dir named, the second listed beside it; the
    // text list names each session's config dir.
    let store = data.path().join("dev.ccdesk.app");
    std::fs::create_dir_all(&store).unwrap();
    let settings = serde_json::json!({"settings": {
        "version": 1,
        "configDirName": "personal",
        "moreConfigDirs": [{"name": "work", "configDir": b}]
    }});
    std::fs::write(store.join("settings.json"), settings.to_string()).unwrap();
    let (code, text, stderr) = ccdesk_with(&first, data.path(), &["list"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(text.lines().count(), rows.len());
    assert_eq!(
        text.lines().filter(|l| l.ends_with("(work)")).count(),
        n_second,
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.ends_with("(personal)")).count(),
        n_first
    );
    // A config dir named twice is bad usage.
    let (code, _, stderr) = ccdesk_with(
        &first,
        data.path(),
        &["list", "--config-dir", a, "--config-dir", a],
        &[],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("twice"), "{stderr}");
}

/// `ccdesk usage`: one JSON object with `rows` and `total` (the fields the issue names), days
/// filtered by `--since`/`--until`, sessions keyed as the list keys them; the table names the
/// price table's source; a bad date is bad usage.
#[test]
fn usage_prints_tokens_and_dollars_by_day_session_and_project() {
    let config = fixtures("local-cli-2.1.112");
    let env = [("TZ", std::ffi::OsStr::new("UTC"))];
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| ccdesk_with(&config, data.path(), args, &env);
    let (code, out, err) = run(&["usage", "--json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fields = [
        "inputTokens",
        "outputTokens",
        "cacheReadTokens",
        "cacheCreationTokens",
        "costUsd",
    ];
    for f in fields {
        assert!(report["total"][f].is_number(), "total.{f}: {report}");
    }
    let days = report["rows"].as_array().unwrap();
    assert_eq!(days.len(), 1, "{report}");
    assert_eq!(days[0]["key"], "2026-11-22");
    assert_eq!(days[0]["inputTokens"], report["total"]["inputTokens"]);
    assert!(report["total"]["inputTokens"].as_u64().unwrap() > 0);
    assert!(
        report["total"]["costUsd"].as_f64().unwrap() > 0.0,
        "a priced model"
    );
    assert!(report["prices"].as_str().unwrap().contains("pricing"));

    let (_, out, _) = run(&["usage", "--json", "--since", "2026-11-23"]);
    let later: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(later["rows"].as_array().unwrap().len(), 0);
    assert_eq!(later["total"]["inputTokens"], 0);
    let (_, out, _) = run(&["usage", "--json", "--until", "20261122"]);
    let upto: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(upto["total"]["inputTokens"], report["total"]["inputTokens"]);

    let (_, out, _) = run(&["usage", "--json", "--by", "session"]);
    let sessions: serde_json::Value = serde_json::from_str(&out).unwrap();
    let (_, listed, _) = run(&["list", "--json"]);
    let keys: Vec<String> = listed
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for row in sessions["rows"].as_array().unwrap() {
        assert!(
            keys.contains(&row["key"].as_str().unwrap().to_owned()),
            "{row}"
        );
        assert_eq!(row["label"], "/home/dev/proj");
    }
    let sum: u64 = sessions["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["inputTokens"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, report["total"]["inputTokens"].as_u64().unwrap());
    let (_, out, _) = run(&["usage", "--json", "--by", "project"]);
    let projects: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(projects["rows"][0]["key"], "-home-dev-proj");

    let (code, table, err) = run(&["usage"]);
    assert_eq!(code, 0);
    assert!(
        table.lines().last().unwrap().starts_with("total"),
        "{table}"
    );
    assert!(err.contains("prices:"), "{err}");
    let (code, _, err) = run(&["usage", "--since", "yesterday"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a date"), "{err}");
}

/// `ccdesk changes` on a genuine transcript (CLI 2.1.39, with Write and Edit calls): per turn,
/// each file with its counts and a unified diff; `--diff` prints them.
#[test]
fn changes_prints_the_files_each_turn_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let proj = config.join("projects/-home-USER-projects-spotter");
    std::fs::create_dir_all(&proj).unwrap();
    let sample = fixtures("public/marot-spotter/8463c716-a2ea-4c14-9efa-87158ebd9f20.jsonl");
    std::fs::copy(
        &sample,
        proj.join("8463c716-a2ea-4c14-9efa-87158ebd9f20.jsonl"),
    )
    .unwrap();
    let id = "8463c716-a2ea-4c14-9efa-87158ebd9f20";
    let (code, out, err) = ccdesk(&config, &["changes", id, "--json"]);
    assert_eq!(code, 0, "{err}");
    let c: serde_json::Value = serde_json::from_str(&out).unwrap();
    let turns = c["turns"].as_array().unwrap();
    assert!(!turns.is_empty());
    let files: Vec<&serde_json::Value> = turns
        .iter()
        .flat_map(|t| t["files"].as_array().unwrap())
        .collect();
    assert!(files.len() >= 5, "{}", files.len());
    for f in &files {
        let diff = f["diff"].as_str().unwrap();
        assert!(diff.starts_with("--- "), "{diff}");
        let plus = diff.lines().skip(2).filter(|l| l.starts_with('+')).count();
        assert_eq!(plus as u64, f["added"].as_u64().unwrap(), "{}", f["path"]);
    }
    assert!(files
        .iter()
        .any(|f| f["created"] == true && f["diff"].as_str().unwrap().starts_with("--- /dev/null")));
    let added: u64 = files.iter().map(|f| f["added"].as_u64().unwrap()).sum();
    assert_eq!(added, c["added"].as_u64().unwrap());
    assert!(turns[0]["timestamp"].is_string() && turns[0]["index"].as_u64().unwrap() >= 1);

    let (code, text, _) = ccdesk(&config, &["changes", id, "--diff"]);
    assert_eq!(code, 0);
    assert!(text.contains("@@ "), "{text}");
    assert!(text
        .lines()
        .last()
        .unwrap()
        .contains("turn(s) changed files"));
}

/// `ccdesk agents` prints what `claude agents --json --all` reports (the fake CLI prints the
/// config dir's `fake-agents.json`), as JSON and as text.
#[test]
fn agents_lists_what_the_cli_reports_live() {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_ccdesk-cli"));
    let fake = exe.with_file_name("fake-claude");
    assert!(fake.is_file(), "build the workspace first (fake-claude)");
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    let env: [(&str, &std::ffi::OsStr); 1] = [("CCDESK_CLAUDE", fake.as_os_str())];
    let (code, stdout, stderr) = ccdesk_with(&config, tmp.path(), &["agents"], &env);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("no claude runs"), "{stdout}");

    std::fs::write(
        config.join("fake-agents.json"),
        r#"[{"pid": 7, "cwd": "/w/p", "kind": "interactive", "sessionId": "s-1", "name": "p-1",
             "status": "waiting", "waitingFor": "input needed"}, 42,
            {"id": "job1", "cwd": "/w/q", "kind": "background", "state": "done"}]"#,
    )
    .unwrap();
    let (code, stdout, stderr) = ccdesk_with(&config, tmp.path(), &["agents", "--json"], &env);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["offered"], true);
    assert_eq!(v["skipped"], 1);
    assert_eq!(v["agents"][0]["activity"], "needsInput");
    assert_eq!(v["agents"][0]["sessionId"], "s-1");
    assert_eq!(v["agents"][1]["activity"], "completed");
    let (code, stdout, _) = ccdesk_with(&config, tmp.path(), &["agents"], &env);
    assert_eq!(code, 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "needsInput\tinteractive\ts-1\tp-1\t/w/p",
            "completed\tbackground\t-\t-\t/w/q"
        ]
    );
}
