//! Full-text search over the transcripts (`LiveIndex::update_search` / `search`): what is found
//! (prompts, replies, tool inputs and results, subagent transcripts under their session), how
//! queries read (phrases, prefixes, excludes, filters, accents and case, identifiers), and that
//! the index follows appends, rewrites and deletions and survives a corrupt cache.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ccdesk_core::transcripts::index::{HitKind, LiveIndex, SearchResults};
use ccdesk_core::transcripts::paths::project_dir_name;
use ccdesk_core::transcripts::search::query::SearchQuery;
use serde_json::json;

struct Setup {
    _tmp: tempfile::TempDir,
    config: PathBuf,
    cache: PathBuf,
    work: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let work = tmp.path().join("work");
    fs::create_dir_all(&work).unwrap();
    let cache = tmp.path().join("data").join("index.sqlite");
    Setup {
        _tmp: tmp,
        config,
        cache,
        work,
    }
}

const NOW_MS: i64 = 1_780_000_000_000;

impl Setup {
    fn live(&self) -> LiveIndex {
        LiveIndex::new(self.config.clone(), Some(self.cache.clone()))
    }

    fn project(&self, name: &str) -> (String, PathBuf) {
        let cwd = self.work.join(name);
        fs::create_dir_all(&cwd).unwrap();
        let cwd = cwd.to_string_lossy().into_owned();
        let dir = self.config.join("projects").join(project_dir_name(&cwd));
        fs::create_dir_all(&dir).unwrap();
        (cwd, dir)
    }

    /// A session: a typed prompt, a reply with a Bash call, its result, and a closing reply.
    fn session(&self, project: &str, id: &str, branch: &str, prompt: &str, reply: &str) -> PathBuf {
        let (cwd, dir) = self.project(project);
        let base = json!({"sessionId": id, "cwd": cwd, "gitBranch": branch, "version": "2.1.330"});
        let line = |extra: serde_json::Value| {
            let mut v = base.clone();
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            v.to_string()
        };
        let lines = [
            line(
                json!({"type": "user", "uuid": format!("{id}-u1"), "timestamp": "2026-05-01T10:00:00.000Z",
                "message": {"role": "user", "content": prompt}}),
            ),
            line(
                json!({"type": "assistant", "uuid": format!("{id}-a1"), "timestamp": "2026-05-01T10:00:01.000Z",
                "message": {"role": "assistant", "model": "claude-opus-4-5", "content": [
                    {"type": "thinking", "thinking": "hidden thoughts zebra"},
                    {"type": "text", "text": reply},
                    {"type": "tool_use", "id": "toolu_1", "name": "Bash",
                     "input": {"command": "cargo test -p ccdesk-core", "description": "run the tests"}}]}}),
            ),
            line(
                json!({"type": "user", "uuid": format!("{id}-r1"), "timestamp": "2026-05-01T10:00:02.000Z",
                "message": {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "test result: ok. 42 passed"}]}}),
            ),
        ];
        let path = dir.join(format!("{id}.jsonl"));
        fs::write(&path, format!("{}\n", lines.join("\n"))).unwrap();
        path
    }

    fn search(&self, live: &LiveIndex, q: &str) -> SearchResults {
        live.refresh_all().unwrap();
        live.update_search(|_| {}).unwrap();
        live.search(&SearchQuery::parse(q, NOW_MS).unwrap(), 50)
            .unwrap()
    }
}

fn ids(r: &SearchResults) -> Vec<&str> {
    let mut v: Vec<&str> = r.sessions.iter().map(|s| s.session.id.as_str()).collect();
    v.sort_unstable();
    v
}

const A: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const B: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const C: &str = "cccccccc-0000-4000-8000-000000000003";

fn three(s: &Setup) {
    s.session(
        "app",
        A,
        "main",
        "Why does parse_session_index fail on naïve café input?",
        "Because ccdesk.core.search splits identifiers.",
    );
    s.session(
        "app",
        B,
        "feature/x",
        "Переведи этот текст, пожалуйста",
        "日本語のテキスト is here",
    );
    s.session(
        "other",
        C,
        "main",
        "parse the draft document",
        "parsing done",
    );
}

#[test]
fn words_in_prompts_replies_tool_inputs_and_results_are_found_with_their_column_and_line() {
    let s = setup();
    three(&s);
    let live = s.live();
    let r = s.search(&live, "parse_session_index");
    assert_eq!(ids(&r), vec![A]);
    let hit = &r.sessions[0].hits[0];
    assert_eq!(hit.kind, HitKind::Prompt);
    assert_eq!(hit.line, 0);
    assert_eq!(hit.uuid.as_deref(), Some(&*format!("{A}-u1")));
    let utf16: Vec<u16> = hit.snippet.encode_utf16().collect();
    let marked: Vec<String> = hit
        .marks
        .iter()
        .map(|[a, b]| String::from_utf16_lossy(&utf16[*a as usize..*b as usize]))
        .collect();
    assert_eq!(marked, vec!["parse", "session", "index"]);

    let r = s.search(&live, "ccdesk.core.search");
    assert_eq!(ids(&r), vec![A]);
    assert_eq!(r.sessions[0].hits[0].kind, HitKind::Reply);
    let r = s.search(&live, r#""cargo test""#);
    assert_eq!(ids(&r), vec![A, B, C]);
    assert!(r
        .sessions
        .iter()
        .all(|x| x.hits[0].kind == HitKind::ToolInput));
    let r = s.search(&live, "42 passed");
    assert!(r
        .sessions
        .iter()
        .all(|x| x.hits[0].kind == HitKind::ToolOutput && x.hits[0].line == 2));
    // Thinking is not indexed.
    assert!(s.search(&live, "zebra").sessions.is_empty());
}

#[test]
fn accents_case_scripts_prefixes_excludes_and_filters() {
    let s = setup();
    three(&s);
    let live = s.live();
    assert_eq!(ids(&s.search(&live, "NAIVE Cafe")), vec![A]);
    assert_eq!(ids(&s.search(&live, "пожалуйста")), vec![B]);
    assert_eq!(ids(&s.search(&live, "日本語のテキスト")), vec![B]);
    assert_eq!(ids(&s.search(&live, "pars*")), vec![A, C]);
    assert_eq!(ids(&s.search(&live, "pars* -draft")), vec![A]);
    assert_eq!(ids(&s.search(&live, "cargo branch:main")), vec![A, C]);
    assert_eq!(ids(&s.search(&live, "cargo branch:feature/*")), vec![B]);
    let app = s.work.join("app").to_string_lossy().into_owned();
    assert_eq!(
        ids(&s.search(&live, &format!("cargo project:{app}"))),
        vec![A, B]
    );
    assert_eq!(ids(&s.search(&live, "cargo project:other")), vec![C]);
    assert_eq!(ids(&s.search(&live, "cargo model:OPUS")).len(), 3);
    assert!(s.search(&live, "cargo model:haiku").sessions.is_empty());
    assert_eq!(ids(&s.search(&live, "cargo since:2026-05-01")).len(), 3);
    assert!(s
        .search(&live, "cargo since:2026-05-02")
        .sessions
        .is_empty());
    assert!(s
        .search(&live, "cargo until:2026-04-30")
        .sessions
        .is_empty());
    // FTS5 syntax typed is plain text, never an error.
    for q in [
        r#"NEAR(a b)"#,
        "col:x",
        "^start",
        "a AND OR NOT",
        r#"unterminated ""#,
        "(x",
    ] {
        live.search(&SearchQuery::parse(q, NOW_MS).unwrap(), 5)
            .unwrap();
    }
}

#[test]
fn a_hit_in_a_subagent_transcript_names_its_parent_session() {
    let s = setup();
    s.session("app", A, "main", "delegate this", "ok");
    let (cwd, dir) = s.project("app");
    let sub = dir.join(A).join("subagents");
    fs::create_dir_all(&sub).unwrap();
    let line = json!({"type": "user", "isSidechain": true, "sessionId": A, "cwd": cwd, "uuid": "s1",
        "timestamp": "2026-05-01T10:00:05.000Z",
        "message": {"role": "user", "content": "background sub-agent quokka"}});
    fs::write(sub.join("agent-a1b2.jsonl"), format!("{line}\n")).unwrap();
    let r = s.search(&s.live(), "quokka");
    assert_eq!(ids(&r), vec![A]);
    assert_eq!(
        r.sessions[0].hits[0].subagent.as_deref(),
        Some("agent-a1b2")
    );
}

#[test]
fn appends_rewrites_deletions_and_a_corrupt_cache_are_followed() {
    let s = setup();
    let path = s.session("app", A, "main", "first words", "reply");
    s.session("app", B, "main", "other words", "reply");
    let live = s.live();
    assert!(s.search(&live, "wombat").sessions.is_empty());
    // An append, half a line first: only complete lines are indexed.
    let extra = json!({"type": "user", "uuid": "late", "timestamp": "2026-05-02T00:00:00.000Z",
        "sessionId": A, "message": {"role": "user", "content": "a wombat appears"}})
    .to_string();
    let (head, tail) = extra.split_at(30);
    let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(head.as_bytes()).unwrap();
    assert!(s.search(&live, "wombat").sessions.is_empty());
    f.write_all(format!("{tail}\n").as_bytes()).unwrap();
    let r = s.search(&live, "wombat");
    assert_eq!(ids(&r), vec![A]);
    assert_eq!(r.sessions[0].hits[0].line, 3);
    // A rewrite (a new file under the name) forgets what the old one had.
    let tmp = path.with_extension("tmp");
    fs::write(
        &tmp,
        fs::read_to_string(&path)
            .unwrap()
            .replace("wombat", "numbat"),
    )
    .unwrap();
    fs::rename(&tmp, &path).unwrap();
    assert!(s.search(&live, "wombat").sessions.is_empty());
    assert_eq!(ids(&s.search(&live, "numbat")), vec![A]);
    // Deleted: gone from the results.
    fs::remove_file(&path).unwrap();
    assert!(s.search(&live, "numbat").sessions.is_empty());
    assert_eq!(ids(&s.search(&live, "other")), vec![B]);
    // A new process after the cache was damaged: made again, same answers.
    drop(live);
    for ext in ["sqlite-wal", "sqlite-shm"] {
        let _ = fs::remove_file(s.cache.with_extension(ext));
    }
    fs::write(&s.cache, b"garbage, not a database").unwrap();
    assert_eq!(ids(&s.search(&s.live(), "other")), vec![B]);
}

#[test]
fn genuine_transcripts_of_both_eras_are_searchable() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/samples");
    for sample in ["local-cli-2.1.112", "local-cli-2.1.330"] {
        let tmp = tempfile::tempdir().unwrap();
        let live = LiveIndex::new(samples.join(sample), Some(tmp.path().join("c.sqlite")));
        live.refresh_all().unwrap();
        let p = live.update_search(|_| {}).unwrap();
        assert!(
            p.done_bytes > 0 && p.done_files == p.total_files,
            "{sample}: {p:?}"
        );
        let r = live
            .search(&SearchQuery::parse("mock API", NOW_MS).unwrap(), 10)
            .unwrap();
        assert!(!r.sessions.is_empty(), "{sample}");
        let r = live
            .search(&SearchQuery::parse(r#""first turn""#, NOW_MS).unwrap(), 10)
            .unwrap();
        assert!(
            r.sessions
                .iter()
                .any(|x| x.hits.iter().any(|h| h.kind == HitKind::Prompt)),
            "{sample}"
        );
        // Up to date: a second update reads nothing.
        let again = live.update_search(|_| {}).unwrap();
        assert_eq!(again.total_bytes, 0, "{sample}");
    }
}

/// While the index is not built, a search reads the transcripts it does not hold (newest
/// first), with the same reading of the query, and says its results are partial; once built,
/// the same query finds the same sessions from the index, each once.
#[test]
fn before_the_index_is_built_a_streaming_scan_finds_the_same_and_says_partial() {
    let s = setup();
    three(&s);
    let live = s.live();
    live.refresh_all().unwrap();
    let q = |text: &str| SearchQuery::parse(text, NOW_MS).unwrap();
    let cases = [
        ("parse_session_index", vec![A]),
        ("\"naive cafe\"", vec![A]),
        ("pars*", vec![A, C]),
        ("pars* -draft", vec![A]),
        ("42 passed since:2026-04-01", vec![A, B, C]),
        ("42 passed until:2026-04-01", vec![]),
        ("\"the parse\"", vec![]),
    ];
    for (text, want) in &cases {
        let r = live.search(&q(text), 50).unwrap();
        assert!(r.partial, "{text}: not marked partial");
        assert_eq!(ids(&r), *want, "scan: {text}");
        for h in r.sessions.iter().flat_map(|s| &s.hits) {
            assert!(
                !h.snippet.is_empty() && !h.marks.is_empty(),
                "{text}: {h:?}"
            );
        }
    }
    live.update_search(|_| {}).unwrap();
    for (text, want) in &cases {
        let r = live.search(&q(text), 50).unwrap();
        assert!(!r.partial, "{text}: still partial");
        assert_eq!(ids(&r), *want, "index: {text}");
    }
    // Each hit once: one prompt line holds "parse_session_index".
    let r = live.search(&q("parse_session_index"), 50).unwrap();
    assert_eq!(r.sessions[0].hit_count, 1);
}

/// The first full update after a refresh for search takes the transcripts that refresh walked and stat'ed
/// (a new `ccdesk search` and the window's start would walk them twice otherwise). A transcript
/// made in between is then left to the watcher, and the next full update finds it in any case.
#[test]
fn the_first_update_takes_the_refreshs_walk_and_the_next_one_walks_again() {
    let s = setup();
    three(&s);
    let live = s.live();
    let t0 = std::time::Instant::now();
    live.refresh_all_for_search().unwrap();
    let late = "dddddddd-0000-4000-8000-000000000004";
    s.session("app", late, "main", "quokka marmalade", "all done");
    let first = live.update_search(|_| {}).unwrap();
    if t0.elapsed() < std::time::Duration::from_millis(1_500) {
        // Well within the walk's reuse time: the refresh's 3 transcripts, not the late one.
        assert_eq!(first.total_files, 3, "{first:?}");
    }
    let second = live.update_search(|_| {}).unwrap();
    assert_eq!(second.total_files, 4, "{second:?}");
    live.refresh_all().unwrap();
    let r = live
        .search(&SearchQuery::parse("quokka", NOW_MS).unwrap(), 50)
        .unwrap();
    assert_eq!(ids(&r), vec![late]);
    assert!(!r.partial);
}

/// A FIFO (or socket) named `*.jsonl` is listed as unreadable, and no search path opens it: an
/// open would block until some process writes to it. The streaming scan, the index build and the
/// searches after it each finish.
#[cfg(unix)]
#[test]
fn a_fifo_named_jsonl_never_blocks_the_scan_the_build_or_a_search() {
    let s = setup();
    three(&s);
    let (_, dir) = s.project("alpha");
    let fifo = dir.join("0bad0bad-0000-4000-8000-00000000f1f0.jsonl");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let (tx, rx) = std::sync::mpsc::channel();
    let cfg = (s.config.clone(), s.cache.clone());
    std::thread::spawn(move || {
        let live = LiveIndex::new(cfg.0, Some(cfg.1));
        live.refresh_all().unwrap();
        let q = SearchQuery::parse("parse_session_index", NOW_MS).unwrap();
        let partial = live.search(&q, 50).unwrap();
        live.update_search(|_| {}).unwrap();
        let built = live.search(&q, 50).unwrap();
        let _ = tx.send((
            partial.partial,
            ids(&partial) == vec![A],
            ids(&built) == vec![A],
        ));
    });
    let got = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("a search path blocked on the FIFO");
    assert_eq!(got, (true, true, true));
}
