//! The session index on genuine CLI transcripts and on hand-made edge cases.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::fs;
use std::path::{Path, PathBuf};

use ccdesk_core::transcripts::index::{
    find_session, resolve_session, NotResumableReason, Resumability, SessionIndex, TitleSource,
};
use ccdesk_core::transcripts::paths::project_dir_name;
use ccdesk_core::transcripts::transcript::Transcript;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/samples")
}

fn reason(r: &Resumability) -> Option<NotResumableReason> {
    match r {
        Resumability::Resumable => None,
        Resumability::NotResumable { reason, .. } => Some(reason.clone()),
    }
}

/// A temp config dir with one project dir; returns (guard, config dir, project dir).
fn config_with_project(cwd: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let proj = config.join("projects").join(project_dir_name(cwd));
    fs::create_dir_all(&proj).unwrap();
    (tmp, config, proj)
}

fn user_line(cwd: &str, session: &str, ts: &str, text: &str) -> String {
    serde_json::json!({
        "type": "user", "parentUuid": null, "isSidechain": false, "uuid": format!("u-{ts}"),
        "sessionId": session, "cwd": cwd, "gitBranch": "main", "version": "2.1.330", "timestamp": ts,
        "message": {"role": "user", "content": text}
    })
    .to_string()
}

fn assistant_line(cwd: &str, session: &str, ts: &str, text: &str) -> String {
    serde_json::json!({
        "type": "assistant", "uuid": format!("a-{ts}"), "sessionId": session, "cwd": cwd, "timestamp": ts,
        "version": "2.1.330",
        "message": {"role": "assistant", "model": "claude-test-1", "content": [{"type": "text", "text": text}]}
    })
    .to_string()
}

#[test]
fn genuine_2_1_112_sessions_are_listed_with_their_recorded_project_path() {
    let index = SessionIndex::scan(&samples().join("local-cli-2.1.112")).unwrap();
    assert_eq!(
        index.scanned_files, 3,
        "subagent transcripts are not sessions"
    );
    assert_eq!(index.projects.len(), 1);
    let project = &index.projects[0];
    assert_eq!(project.project_path.as_deref(), Some("/home/dev/proj"));
    assert_eq!(project.sessions.len(), 3);

    let s = index.find("11111111-2222-4333-8444-555555555555").unwrap();
    assert_eq!(s.title, "first turn");
    assert_eq!(s.title_source, TitleSource::Prompt);
    assert_eq!(s.git_branch.as_deref(), Some("main"));
    assert_eq!(s.cli_version.as_deref(), Some("2.1.112"));
    assert!(s.first_timestamp < s.last_timestamp);
    assert!(s.model.is_some());
    assert_eq!(s.malformed_lines, 0);
    // /home/dev/proj does not exist on a test machine: the CLI could not resume it from there.
    assert_eq!(
        reason(&s.resumability),
        Some(NotResumableReason::ProjectDirMissing)
    );

    let with_agent = index.find("5aa47c0d-7cf3-42d8-9951-79f0c19c766b").unwrap();
    assert_eq!(with_agent.sidechain_count, 1);
    assert_eq!(with_agent.title, "USE_TASK delegate");
}

#[test]
fn genuine_2_1_330_sessions_are_listed_despite_new_line_types() {
    let index = SessionIndex::scan(&samples().join("local-cli-2.1.330")).unwrap();
    assert_eq!(index.scanned_files, 2);
    let s = index.find("22222222-2222-4333-8444-555555555555").unwrap();
    assert_eq!(s.project_path.as_deref(), Some("/home/dev/proj"));
    assert_eq!(s.title, "first turn");
    assert_eq!(s.cli_version.as_deref(), Some("2.1.330"));
    assert_eq!(
        index
            .find("0d5e6d18-44bd-4040-934c-95411eb40216")
            .unwrap()
            .sidechain_count,
        1
    );
}

#[test]
fn sessions_are_newest_first_and_projects_by_newest_session() {
    let index = SessionIndex::scan(&samples().join("local-cli-2.1.112")).unwrap();
    let times: Vec<_> = index.projects[0]
        .sessions
        .iter()
        .map(|s| s.last_activity_ms)
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
}

#[test]
fn a_large_transcript_is_summarized_from_its_head_and_tail_only() {
    // 2.9 MB genuine transcript (CLI 2.1.39): the bounded read must still get the last timestamp.
    let src = samples().join("public/marot-spotter/8463c716-a2ea-4c14-9efa-87158ebd9f20.jsonl");
    let full = Transcript::read(&src).unwrap();
    let first = full.messages().find(|m| m.cwd.is_some()).unwrap();
    let cwd = first.cwd.clone().unwrap();
    let last_ts = full.messages().filter_map(|m| m.timestamp.clone()).last();
    let (_tmp, config, proj) = config_with_project(&cwd);
    fs::copy(
        &src,
        proj.join("8463c716-a2ea-4c14-9efa-87158ebd9f20.jsonl"),
    )
    .unwrap();
    fs::create_dir_all(proj.join("8463c716-a2ea-4c14-9efa-87158ebd9f20/subagents")).unwrap();
    for a in ["agent-a7be2f0.jsonl", "agent-acompact-f46190.jsonl"] {
        fs::copy(
            samples()
                .join("public/marot-spotter/8463c716-a2ea-4c14-9efa-87158ebd9f20/subagents")
                .join(a),
            proj.join("8463c716-a2ea-4c14-9efa-87158ebd9f20/subagents")
                .join(a),
        )
        .unwrap();
    }
    let index = SessionIndex::scan(&config).unwrap();
    let s = index.find("8463c716-a2ea-4c14-9efa-87158ebd9f20").unwrap();
    assert_eq!(s.project_path.as_deref(), Some(cwd.as_str()));
    assert_eq!(s.last_timestamp, last_ts);
    assert_eq!(s.size_bytes, fs::metadata(&src).unwrap().len());
    assert_eq!(s.sidechain_count, 2);
    let first_prompt = full
        .messages()
        .find(|m| m.is_real_user_prompt())
        .unwrap()
        .content
        .plain_text();
    assert!(first_prompt
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .starts_with(s.title.trim_end_matches('…')));
}

/// A user line as CLI 2.x writes a tool result: the message, then `uuid` and `timestamp`, then
/// the `toolUseResult` copy (`result_bytes` of output in each).
fn tool_result_line(cwd: &str, session: &str, ts: &str, result_bytes: usize) -> String {
    let out = "x\"y\\ ".repeat(result_bytes / 6);
    format!(
        r#"{{"parentUuid":"p","isSidechain":false,"cwd":{cwd:?},"sessionId":"{session}","version":"2.1.330","type":"user","message":{{"role":"user","content":[{{"tool_use_id":"t","type":"tool_result","content":{out:?}}}]}},"uuid":"r-{ts}","timestamp":"{ts}","toolUseResult":{{"stdout":{out:?},"stderr":"","interrupted":false}}}}"#
    )
}

#[test]
fn the_last_activity_is_the_newest_line_even_when_that_line_is_long() {
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().to_str().unwrap().to_owned();
    let (_tmp, config, proj) = config_with_project(&cwd);
    // Newest lines longer than the tail's largest window (64 KiB), than half a 10 KB file, and
    // a file that starts with lines that are not prompts (a subagent's, then the assistant's).
    let cases: [(&str, Vec<String>); 3] = [
        (
            "long",
            vec![
                user_line(&cwd, "long", "2026-01-01T00:00:00Z", "first"),
                assistant_line(&cwd, "long", "2026-01-01T00:00:01Z", "ok"),
                tool_result_line(&cwd, "long", "2026-01-01T00:09:00Z", 40_000),
            ],
        ),
        (
            "mid",
            vec![
                user_line(&cwd, "mid", "2026-01-01T00:00:00Z", "first"),
                assistant_line(&cwd, "mid", "2026-01-01T00:00:01Z", &"a".repeat(2_000)),
                tool_result_line(&cwd, "mid", "2026-01-01T00:09:00Z", 3_500),
            ],
        ),
        (
            "late",
            vec![
                assistant_line(&cwd, "late", "2026-01-01T00:00:00Z", &"b".repeat(3_000)),
                assistant_line(&cwd, "late", "2026-01-01T00:00:01Z", &"c".repeat(3_000)),
                user_line(&cwd, "late", "2026-01-01T00:00:02Z", "the prompt"),
                assistant_line(&cwd, "late", "2026-01-01T00:00:03Z", &"d".repeat(3_000)),
                tool_result_line(&cwd, "late", "2026-01-01T00:09:00Z", 30_000),
            ],
        ),
    ];
    for (id, lines) in &cases {
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        fs::write(proj.join(format!("{id}.jsonl")), body).unwrap();
    }
    let index = SessionIndex::scan(&config).unwrap();
    for (id, lines) in &cases {
        let s = index.find(id).unwrap();
        assert_eq!(
            s.last_timestamp.as_deref(),
            Some("2026-01-01T00:09:00Z"),
            "{id}: {} bytes, newest line {} bytes",
            s.size_bytes,
            lines.last().unwrap().len()
        );
        assert_eq!(s.malformed_lines, 0, "{id}");
        assert_eq!(s.model.as_deref(), Some("claude-test-1"), "{id}");
        assert_eq!(reason(&s.resumability), None, "{id}");
    }
    assert_eq!(index.find("late").unwrap().title, "the prompt");
    assert_eq!(index.find("long").unwrap().title, "first");
}

#[test]
fn a_small_transcript_without_a_typed_prompt_keeps_its_model() {
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().to_str().unwrap().to_owned();
    let (_tmp, config, proj) = config_with_project(&cwd);
    let lines = [
        user_line(
            &cwd,
            "cmd",
            "2026-01-01T00:00:00Z",
            "<command-name>/init</command-name>",
        ),
        assistant_line(&cwd, "cmd", "2026-01-01T00:00:01Z", "done"),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    fs::write(proj.join("cmd.jsonl"), body).unwrap();
    let s = find_session(&config, "cmd").unwrap();
    assert_eq!(s.model.as_deref(), Some("claude-test-1"));
    assert_eq!(s.last_timestamp.as_deref(), Some("2026-01-01T00:00:01Z"));
}

#[test]
fn a_session_in_an_existing_dir_is_resumable() {
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().to_str().unwrap().to_owned();
    let (_tmp, config, proj) = config_with_project(&cwd);
    let id = "aaaaaaaa-0000-4000-8000-000000000001";
    fs::write(
        proj.join(format!("{id}.jsonl")),
        format!(
            "{}\n{}\n",
            user_line(&cwd, id, "2026-01-01T10:00:00.000Z", "hello"),
            assistant_line(&cwd, id, "2026-01-01T10:00:01.000Z", "hi")
        ),
    )
    .unwrap();
    let s = find_session(&config, id).unwrap();
    assert_eq!(s.resumability, Resumability::Resumable);
    assert_eq!(s.model.as_deref(), Some("claude-test-1"));
    assert_eq!(s.last_activity_ms, Some(1_767_261_601_000));
}

#[test]
fn why_a_session_cannot_resume_is_told() {
    let (_tmp, config, proj) = config_with_project("/nowhere/at/all");
    let no_cwd = r#"{"type":"user","message":{"role":"user","content":"hi"},"timestamp":"2026-01-01T00:00:00Z"}"#;
    fs::write(proj.join("no-cwd.jsonl"), format!("{no_cwd}\n")).unwrap();
    fs::write(
        proj.join("titles-only.jsonl"),
        "{\"type\":\"summary\",\"summary\":\"Only a title\"}\n",
    )
    .unwrap();
    fs::write(
        proj.join("gone.jsonl"),
        format!(
            "{}\n",
            user_line("/nowhere/at/all", "gone", "2026-01-01T00:00:00Z", "x")
        ),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(proj.join("missing-target"), proj.join("dangling.jsonl")).unwrap();

    let index = SessionIndex::scan(&config).unwrap();
    let r = |id: &str| reason(&index.find(id).unwrap().resumability);
    assert_eq!(r("no-cwd"), Some(NotResumableReason::NoCwd));
    assert_eq!(r("titles-only"), Some(NotResumableReason::NoConversation));
    assert_eq!(r("gone"), Some(NotResumableReason::ProjectDirMissing));
    #[cfg(unix)]
    assert_eq!(r("dangling"), Some(NotResumableReason::Unreadable));
    let Resumability::NotResumable { message, .. } = &index.find("gone").unwrap().resumability
    else {
        panic!()
    };
    assert!(message.contains("/nowhere/at/all"), "{message}");
    // No cwd: grouped under the dir name, never a path decoded from it.
    assert!(index
        .projects
        .iter()
        .any(|p| p.project_path.is_none() && p.dir_name == project_dir_name("/nowhere/at/all")));
}

#[test]
fn titles_follow_custom_then_ai_then_summary_then_first_prompt() {
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().to_str().unwrap().to_owned();
    let (_tmp, config, proj) = config_with_project(&cwd);
    let base = format!(
        "{}\n{}\n",
        user_line(
            &cwd,
            "s",
            "2026-01-01T00:00:00Z",
            "<command-name>/clear</command-name>"
        ),
        user_line(&cwd, "s", "2026-01-01T00:00:01Z", "  fix the\n parser  ")
    );
    let cases = [
        ("prompt", String::new(), "fix the parser", TitleSource::Prompt),
        ("summary", "{\"type\":\"summary\",\"summary\":\"Old summary\"}\n".into(), "Old summary", TitleSource::Summary),
        (
            "ai",
            "{\"type\":\"summary\",\"summary\":\"S\"}\n{\"type\":\"ai-title\",\"aiTitle\":\"AI one\"}\n{\"type\":\"ai-title\",\"aiTitle\":\"AI two\"}\n".into(),
            "AI two",
            TitleSource::Ai,
        ),
        (
            "custom",
            "{\"type\":\"custom-title\",\"customTitle\":\"Mine\"}\n{\"type\":\"ai-title\",\"aiTitle\":\"AI later\"}\n".into(),
            "Mine",
            TitleSource::Custom,
        ),
    ];
    for (id, extra, _, _) in &cases {
        fs::write(proj.join(format!("{id}.jsonl")), format!("{base}{extra}")).unwrap();
    }
    let index = SessionIndex::scan(&config).unwrap();
    for (id, _, title, source) in cases {
        let s = index.find(id).unwrap();
        assert_eq!(
            (s.title.as_str(), s.title_source),
            (title, source),
            "session {id}"
        );
    }
}

#[test]
fn a_big_file_gets_its_title_from_the_tail_and_its_cwd_from_the_head() {
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().to_str().unwrap().to_owned();
    let (_tmp, config, proj) = config_with_project(&cwd);
    let mut body = user_line(&cwd, "big", "2026-01-01T00:00:00Z", "start here") + "\n";
    let filler = "y".repeat(10_000);
    for i in 0..100 {
        body += &assistant_line(
            &cwd,
            "big",
            &format!("2026-01-01T00:{:02}:00Z", i % 60),
            &filler,
        );
        body += "\n";
    }
    body += "{\"type\":\"custom-title\",\"customTitle\":\"Renamed late\"}\n";
    body += &assistant_line(&cwd, "big", "2026-01-02T00:00:00Z", "end");
    body += "\n{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"te"; // half-written
    fs::write(proj.join("big.jsonl"), &body).unwrap();
    assert!(body.len() > 1_000_000);
    let s = find_session(&config, "big").unwrap();
    assert_eq!(s.project_path.as_deref(), Some(cwd.as_str()));
    assert_eq!(s.title, "Renamed late");
    assert_eq!(s.last_timestamp.as_deref(), Some("2026-01-02T00:00:00Z"));
    assert_eq!(
        s.malformed_lines, 0,
        "a half-written last line is not malformed"
    );
    assert_eq!(s.resumability, Resumability::Resumable);
}

#[test]
fn malformed_lines_are_skipped_and_counted_never_fatal() {
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().to_str().unwrap().to_owned();
    let (_tmp, config, proj) = config_with_project(&cwd);
    let body = format!(
        "garbage\n{}\n{{broken\n\u{0}\u{1}\n",
        user_line(&cwd, "m", "2026-01-01T00:00:00Z", "ok")
    );
    fs::write(proj.join("m.jsonl"), body).unwrap();
    let s = find_session(&config, "m").unwrap();
    assert_eq!(s.malformed_lines, 3);
    assert_eq!(s.title, "ok");
    let t = Transcript::read(&s.transcript_path).unwrap();
    assert_eq!(t.malformed_lines, 3);
    assert_eq!(t.messages().count(), 1);
}

#[test]
fn old_style_agent_files_and_subagent_dirs_are_not_sessions() {
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().to_str().unwrap().to_owned();
    let (_tmp, config, proj) = config_with_project(&cwd);
    fs::write(
        proj.join("main.jsonl"),
        user_line(&cwd, "main", "2026-01-01T00:00:00Z", "hi") + "\n",
    )
    .unwrap();
    fs::write(
        proj.join("agent-abc.jsonl"),
        user_line(&cwd, "main", "2026-01-01T00:00:00Z", "sub") + "\n",
    )
    .unwrap();
    fs::create_dir_all(proj.join("main/subagents/workflows/run1")).unwrap();
    fs::write(proj.join("main/subagents/agent-1.jsonl"), "{}\n").unwrap();
    fs::write(
        proj.join("main/subagents/workflows/run1/agent-2.jsonl"),
        "{}\n",
    )
    .unwrap();
    fs::write(proj.join("main/subagents/agent-1.meta.json"), "{}\n").unwrap();
    let index = SessionIndex::scan(&config).unwrap();
    assert_eq!(index.scanned_files, 1);
    assert_eq!(index.find("main").unwrap().sidechain_count, 2);
}

#[test]
fn a_missing_config_dir_is_an_empty_index_and_unknown_ids_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let index = SessionIndex::scan(&tmp.path().join("nope")).unwrap();
    assert!(index.projects.is_empty());
    for id in ["nope", "../etc/passwd", ""] {
        assert!(matches!(
            find_session(tmp.path(), id),
            Err(ccdesk_core::CoreError::UnknownSession(_))
        ));
    }
}

#[test]
fn every_genuine_transcript_reads_without_malformed_lines() {
    let mut n = 0;
    for dir in [
        "local-cli-2.1.112/projects",
        "local-cli-2.1.330/projects",
        "public/marot-spotter",
    ] {
        for entry in walk(&samples().join(dir)) {
            if entry.extension().is_some_and(|e| e == "jsonl") {
                let t = Transcript::read(&entry).unwrap();
                assert_eq!(t.malformed_lines, 0, "{}", entry.display());
                assert!(!t.incomplete_tail, "{}", entry.display());
                assert!(t.messages().count() > 0, "{}", entry.display());
                n += 1;
            }
        }
    }
    assert!(n >= 12, "expected all sample transcripts, read {n}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Writes `<config>/projects/<dir>/<id>.jsonl` with `lines`.
fn transcript(config: &Path, dir: &str, id: &str, lines: &[String]) -> PathBuf {
    let d = config.join("projects").join(dir);
    fs::create_dir_all(&d).unwrap();
    let p = d.join(format!("{id}.jsonl"));
    fs::write(
        &p,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    p
}

/// Writes a transcript holding one `summary` line and nothing else (no cwd, no timestamp), as CLI
/// 1.0.x leaves beside a resumed session.
fn summary_only(config: &Path, dir: &str, id: &str) -> PathBuf {
    transcript(
        config,
        dir,
        id,
        &[r#"{"type":"summary","summary":"Old title","leafUuid":"x"}"#.to_owned()],
    )
}

fn keys_are_unique(index: &SessionIndex) {
    let projects: std::collections::HashSet<_> = index.projects.iter().map(|p| &p.key).collect();
    assert_eq!(projects.len(), index.projects.len(), "project keys");
    let sessions: std::collections::HashSet<_> = index.sessions().map(|s| &s.key).collect();
    assert_eq!(sessions.len(), index.sessions().count(), "session keys");
}

#[test]
fn a_transcript_without_cwd_beside_normal_ones_is_its_own_project_with_its_own_key() {
    let (_tmp, config, _proj) = config_with_project("/work/p");
    let dir = project_dir_name("/work/p");
    transcript(
        &config,
        &dir,
        "s-cwd",
        &[user_line("/work/p", "s-cwd", "2026-01-01T00:00:00Z", "hi")],
    );
    summary_only(&config, &dir, "s-none");
    let index = SessionIndex::scan(&config).unwrap();
    keys_are_unique(&index);
    let keys: Vec<_> = index.projects.iter().map(|p| p.key.as_str()).collect();
    assert!(keys.contains(&"cwd:/work/p"), "{keys:?}");
    assert!(keys.contains(&format!("dir:{dir}").as_str()), "{keys:?}");
    // Both groups share the dir name: the dir name alone cannot key them.
    assert!(index.projects.iter().all(|p| p.dir_name == dir));
}

#[test]
fn two_paths_with_one_dir_name_are_two_projects() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let (a, b) = ("/work/a-b", "/work/a_b");
    assert_eq!(project_dir_name(a), project_dir_name(b));
    let dir = project_dir_name(a);
    transcript(
        &config,
        &dir,
        "s1",
        &[user_line(a, "s1", "2026-01-01T00:00:00Z", "one")],
    );
    transcript(
        &config,
        &dir,
        "s2",
        &[user_line(b, "s2", "2026-01-02T00:00:00Z", "two")],
    );
    let index = SessionIndex::scan(&config).unwrap();
    keys_are_unique(&index);
    let keys: Vec<_> = index.projects.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["cwd:/work/a_b", "cwd:/work/a-b"]);
}

#[test]
fn one_session_id_in_two_dirs_has_two_keys_and_each_resolves_to_its_own_file() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let id = "0d5e6d18-44bd-4040-934c-95411eb40216";
    transcript(
        &config,
        "-old-copy",
        id,
        &[user_line("/old/copy", id, "2026-01-01T00:00:00Z", "old")],
    );
    transcript(
        &config,
        "-new-place",
        id,
        &[user_line("/new/place", id, "2026-02-01T00:00:00Z", "new")],
    );
    let index = SessionIndex::scan(&config).unwrap();
    keys_are_unique(&index);
    assert_eq!(index.sessions().filter(|s| s.id == id).count(), 2);
    let old = ccdesk_core::transcripts::index::resolve_session(&config, &format!("-old-copy/{id}"))
        .unwrap();
    assert_eq!(old.project_path.as_deref(), Some("/old/copy"));
    assert_eq!(old.key, format!("-old-copy/{id}"));
    // A bare id is the newest of that id.
    let newest = ccdesk_core::transcripts::index::resolve_session(&config, id).unwrap();
    assert_eq!(newest.project_path.as_deref(), Some("/new/place"));
    for bad in [
        "../x/y",
        "-old-copy/../../z",
        "/etc/passwd",
        "-old-copy/",
        "-old-copy/nope",
    ] {
        let e = ccdesk_core::transcripts::index::resolve_session(&config, bad).unwrap_err();
        assert_eq!(e.kind(), "unknown_session", "{bad}");
    }
}

#[test]
fn duplicated_uuids_in_a_transcript_get_distinct_entry_keys() {
    let (_tmp, config, _proj) = config_with_project("/work/p");
    let dir = project_dir_name("/work/p");
    let line = user_line("/work/p", "s", "2026-01-01T00:00:00Z", "same uuid");
    let path = transcript(&config, &dir, "s", &[line.clone(), line.clone(), line]);
    let ix = ccdesk_core::transcripts::transcript::LineIndex::build(&path).unwrap();
    let page = ccdesk_core::transcripts::transcript::read_page(
        &ix,
        ccdesk_core::transcripts::transcript::PageRequest::new(None, None),
    )
    .unwrap();
    let keys: std::collections::HashSet<_> = page.entries.iter().map(|e| e.key.clone()).collect();
    assert_eq!(keys.len(), 3);
}

#[cfg(unix)]
#[test]
fn a_fifo_and_a_dangling_link_named_jsonl_are_listed_as_unreadable_without_blocking() {
    let (_tmp, config, proj) = config_with_project("/work/p");
    transcript(
        &config,
        &project_dir_name("/work/p"),
        "ok",
        &[user_line("/work/p", "ok", "2026-01-01T00:00:00Z", "fine")],
    );
    let fifo = proj.join("fifo.jsonl");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink(proj.join("gone"), proj.join("dangling.jsonl")).unwrap();
    // A scan that opened the FIFO would block here forever (nobody writes to it).
    let index = SessionIndex::scan(&config).unwrap();
    keys_are_unique(&index);
    for id in ["fifo", "dangling"] {
        let s = index.find(id).unwrap_or_else(|| panic!("{id} listed"));
        assert_eq!(
            reason(&s.resumability),
            Some(NotResumableReason::Unreadable),
            "{id}"
        );
    }
    assert_eq!(
        index.find("ok").map(|s| s.resumability.is_resumable()),
        Some(false)
    );
    // Opening it finds the same session (unreadable), and its transcript says why it cannot be read.
    let fifo = ccdesk_core::transcripts::index::resolve_session(
        &config,
        &format!("{}/fifo", project_dir_name("/work/p")),
    )
    .unwrap();
    assert_eq!(
        reason(&fifo.resumability),
        Some(NotResumableReason::Unreadable)
    );
    let e =
        ccdesk_core::transcripts::transcript::LineIndex::build(&fifo.transcript_path).unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
}

#[test]
fn the_project_list_carries_counts_not_sessions_and_each_session_names_its_project() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let (a, b) = ("/work/a-b", "/work/a_b");
    let dir = project_dir_name(a);
    for (i, ts) in ["2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"]
        .iter()
        .enumerate()
    {
        let id = format!("a{i}");
        transcript(&config, &dir, &id, &[user_line(a, &id, ts, "in a")]);
    }
    transcript(
        &config,
        &dir,
        "b0",
        &[user_line(b, "b0", "2026-01-02T00:00:00Z", "in b")],
    );
    summary_only(&config, &dir, "none");
    let index = SessionIndex::scan(&config).unwrap();
    // Each session's project key is the key of the group that lists it.
    for p in &index.projects {
        assert!(p.sessions.iter().all(|s| s.project_key == p.key), "{p:?}");
    }
    let list = index.project_entries();
    assert_eq!(list.config_dir, config);
    assert_eq!(list.scanned_files, 4);
    let rows: Vec<_> = list
        .projects
        .iter()
        .map(|p| (p.key.as_str(), p.session_count))
        .collect();
    // The summary-only file has no timestamp: its mtime (now) makes it the newest.
    let none = format!("dir:{dir}");
    assert_eq!(
        rows,
        [
            (none.as_str(), 1),
            ("cwd:/work/a-b", 2),
            ("cwd:/work/a_b", 1)
        ],
        "newest project first, with its count"
    );
    assert_eq!(
        index.project("cwd:/work/a_b").map(|p| p.sessions.len()),
        Some(1)
    );
    assert!(index.project("cwd:/work/nowhere").is_none());
    // The switcher's briefs: every session, newest first, each with its project.
    let briefs = index.briefs();
    let ids: Vec<_> = briefs.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["none", "a1", "b0", "a0"]);
    assert_eq!(briefs[2].project_key, "cwd:/work/a_b");
    assert_eq!(briefs[2].key, format!("{dir}/b0"));
    assert_eq!(briefs[0].project_key, none);
    // What the window selects a found session's project by.
    let found = resolve_session(&config, "b0").unwrap();
    assert_eq!(found.project_key, "cwd:/work/a_b");
}

#[test]
fn the_cli_clean_up_period_sets_when_each_session_expires_cold_warm_and_live() {
    use ccdesk_core::transcripts::index::LiveIndex;
    use ccdesk_core::transcripts::retention::DAY_MS;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let cwd = "/w/expiry";
    let (tmp, config, proj) = config_with_project(cwd);
    fs::write(config.join("settings.json"), r#"{"cleanupPeriodDays": 10}"#).unwrap();
    let now_ms = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let mut mtimes = Vec::new();
    for (i, age_days) in [(0, 8_i64), (1, 1)] {
        let id = format!("00000000-0000-4000-8000-00000000000{i}");
        let path = proj.join(format!("{id}.jsonl"));
        fs::write(
            &path,
            user_line(cwd, &id, "2026-01-01T00:00:00.000Z", "hello") + "\n",
        )
        .unwrap();
        let mtime = UNIX_EPOCH + Duration::from_millis((now_ms - age_days * DAY_MS) as u64);
        fs::File::options()
            .append(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        mtimes.push((id, now_ms - age_days * DAY_MS));
    }
    let check = |index: &SessionIndex, what: &str| {
        assert_eq!(index.retention.period_days, Some(10), "{what}");
        assert_eq!(
            index.retention.source.as_deref(),
            Some(config.join("settings.json").as_path())
        );
        for (id, mtime) in &mtimes {
            let s = index.find(id).unwrap();
            assert_eq!(s.modified_ms, Some(*mtime), "{what}: {id}");
            assert_eq!(s.expires_at_ms, Some(mtime + 10 * DAY_MS), "{what}: {id}");
        }
    };
    let cold = SessionIndex::scan(&config).unwrap();
    check(&cold, "cold scan");
    // 2 days left of 10: flagged; 9 days left: not.
    let entries = cold.project_entries();
    assert_eq!(entries.expiring_soon, 1);
    assert_eq!(entries.projects[0].expiring_soon, 1);
    let cache = tmp.path().join("cache.sqlite");
    let (cold, _) = LiveIndex::new(config.clone(), Some(cache.clone()))
        .refresh_all()
        .unwrap();
    check(&cold, "first refresh");
    let live = LiveIndex::new(config.clone(), Some(cache));
    let (warm, stats) = live.refresh_all().unwrap();
    assert_eq!(stats.unchanged, 2, "from the cache");
    check(&warm, "warm refresh");
    // An append moves the expiry with the mtime.
    let (id, _) = &mtimes[0];
    let path = proj.join(format!("{id}.jsonl"));
    let mut f = fs::File::options().append(true).open(&path).unwrap();
    std::io::Write::write_all(
        &mut f,
        (assistant_line(cwd, id, "2026-01-01T00:00:01.000Z", "hi") + "\n").as_bytes(),
    )
    .unwrap();
    drop(f);
    let delta = live.apply_changes(std::slice::from_ref(&path)).unwrap();
    let s = &delta.changed[0];
    let modified = s.modified_ms.unwrap();
    assert!(modified >= now_ms - 1000, "{modified} vs {now_ms}");
    assert_eq!(s.expires_at_ms, Some(modified + 10 * DAY_MS));
    // No clean-up: no expiry.
    fs::write(config.join("settings.json"), r#"{"cleanupPeriodDays": 0}"#).unwrap();
    let index = SessionIndex::scan(&config).unwrap();
    assert_eq!(index.retention.period_days, None);
    assert!(index.sessions().all(|s| s.expires_at_ms.is_none()));
}
