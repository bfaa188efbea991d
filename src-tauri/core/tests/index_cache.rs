//! The persistent, incremental index ([`LiveIndex`]): after any change to the transcripts it
//! lists exactly what a cold [`SessionIndex::scan`] lists, while reading only what changed; its
//! cache is disposable (corrupt, foreign, of another schema, locked) and never under the CLI's
//! config dir.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ccdesk_core::transcripts::index::{
    default_cache_path, LiveIndex, RefreshStats, SessionIndex, TitleSource, CACHE_SCHEMA_VERSION,
};
use ccdesk_core::transcripts::paths::project_dir_name;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/samples")
}

/// A temp dir with a config dir and a place for the cache, and the project dir for `cwd` (which
/// exists, so its sessions are resumable).
struct Setup {
    _tmp: tempfile::TempDir,
    config: PathBuf,
    cache: PathBuf,
    cwd: String,
    proj: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let work = tmp.path().join("work").join("my project");
    fs::create_dir_all(&work).unwrap();
    let cwd = work.to_string_lossy().into_owned();
    let proj = config.join("projects").join(project_dir_name(&cwd));
    fs::create_dir_all(&proj).unwrap();
    let cache = tmp.path().join("data").join("index.sqlite");
    Setup {
        _tmp: tmp,
        config,
        cache,
        cwd,
        proj,
    }
}

impl Setup {
    /// An index as the window keeps it: lean, so facts the cache holds are read back from it.
    fn live(&self) -> LiveIndex {
        let live = LiveIndex::new(self.config.clone(), Some(self.cache.clone()));
        live.set_lean(true);
        live
    }

    fn user(&self, session: &str, ts: &str, text: &str) -> String {
        serde_json::json!({
            "type": "user", "parentUuid": null, "isSidechain": false, "uuid": format!("u-{ts}"),
            "sessionId": session, "cwd": self.cwd, "gitBranch": "main", "version": "2.1.330",
            "timestamp": ts, "message": {"role": "user", "content": text}
        })
        .to_string()
    }

    fn assistant(&self, session: &str, ts: &str, model: &str, text: &str) -> String {
        serde_json::json!({
            "type": "assistant", "uuid": format!("a-{ts}"), "sessionId": session, "cwd": self.cwd,
            "timestamp": ts, "version": "2.1.331",
            "message": {"role": "assistant", "model": model,
                        "content": [{"type": "text", "text": text}]}
        })
        .to_string()
    }

    fn write(&self, id: &str, lines: &[String]) -> PathBuf {
        let path = self.proj.join(format!("{id}.jsonl"));
        let mut body = lines.join("\n");
        body.push('\n');
        fs::write(&path, body).unwrap();
        path
    }

    /// Session `id`: its prompt ("first prompt"), then 300 KB of replies, more than the bounded
    /// read's slices hold.
    fn big(&self, id: &str) -> PathBuf {
        let mut lines = vec![self.user(id, "2026-03-01T00:00:00.000Z", "first prompt")];
        for t in 0..10 {
            lines.push(self.assistant(id, &ts(1, t), "m", &"y".repeat(30_000)));
        }
        self.write(id, &lines)
    }

    /// `n` sessions with a few lines each (some over the bounded read's slices).
    fn sessions(&self, n: usize) -> Vec<PathBuf> {
        (0..n)
            .map(|i| {
                let id = format!("00000000-0000-4000-8000-{i:012}");
                let mut lines = vec![self.user(&id, &ts(i, 0), &format!("prompt number {i}"))];
                for t in 1..(2 + i % 4) {
                    let body = "x".repeat(if i % 5 == 0 { 40_000 } else { 100 });
                    lines.push(self.assistant(&id, &ts(i, t), "claude-test-1", &body));
                }
                self.write(&id, &lines)
            })
            .collect()
    }
}

fn ts(i: usize, t: usize) -> String {
    format!(
        "2026-03-{:02}T{:02}:{:02}:00.000Z",
        1 + i % 28,
        t % 24,
        i % 60
    )
}

fn append(path: &Path, text: &str) {
    let mut f = fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// The index with the counts of what was read zeroed out where the two ways may differ: the
/// malformed-line count (a cold read parses only slices; the cache folds in every appended
/// line).
fn comparable(mut index: SessionIndex) -> SessionIndex {
    for p in &mut index.projects {
        for s in &mut std::sync::Arc::make_mut(p).sessions {
            s.malformed_lines = 0;
        }
    }
    index
}

fn refresh(live: &LiveIndex) -> (SessionIndex, RefreshStats) {
    let (index, stats) = live.refresh_all().unwrap();
    ((*index).clone(), stats)
}

fn assert_same_as_scan(s: &Setup, index: SessionIndex) {
    let cold = SessionIndex::scan(&s.config).unwrap();
    assert_eq!(comparable(index), comparable(cold));
}

#[test]
fn a_warm_refresh_lists_what_a_cold_scan_lists_and_opens_no_file() {
    let s = setup();
    s.sessions(40);
    let (first, stats) = refresh(&s.live());
    assert_eq!(stats.reread, 40);
    assert!(stats.cached);
    assert_same_as_scan(&s, first.clone());
    // A new process: everything comes from the cache.
    let (second, stats) = refresh(&s.live());
    assert_eq!(
        stats,
        RefreshStats {
            unchanged: 40,
            cached: true,
            ..RefreshStats::default()
        }
    );
    assert_eq!(second, first);
    assert!(s.cache.is_file());
    assert!(
        !s.cache.starts_with(&s.config),
        "never under the config dir"
    );
}

#[test]
fn genuine_transcripts_of_both_eras_list_the_same_from_the_cache() {
    for sample in ["local-cli-2.1.112", "local-cli-2.1.330"] {
        let tmp = tempfile::tempdir().unwrap();
        let config = samples().join(sample);
        let cache = tmp.path().join("c.sqlite");
        let (cold_run, _) = LiveIndex::new(config.clone(), Some(cache.clone()))
            .refresh_all()
            .unwrap();
        let (warm, stats) = LiveIndex::new(config.clone(), Some(cache))
            .refresh_all()
            .unwrap();
        assert_eq!(stats.reread, 0, "{sample}");
        assert_eq!(*warm, *cold_run, "{sample}");
        assert_eq!(*warm, SessionIndex::scan(&config).unwrap(), "{sample}");
        assert!(warm.sessions().any(|s| s.sidechain_count > 0) || sample.contains("112"));
    }
}

#[test]
fn an_append_is_folded_in_from_where_the_file_ended_and_a_half_line_waits() {
    let s = setup();
    let paths = s.sessions(10);
    let live = s.live();
    refresh(&live);
    let id = "00000000-0000-4000-8000-000000000003";
    let path = &paths[3];
    append(
        path,
        &format!(
            "{}\n",
            s.assistant(id, "2026-05-01T10:00:00.000Z", "claude-new-2", "later")
        ),
    );
    let (index, stats) = refresh(&live);
    assert_eq!(stats.appended, 1);
    assert_eq!(stats.unchanged, 9);
    let got = index.sessions().find(|x| x.id == id).unwrap();
    assert_eq!(got.model.as_deref(), Some("claude-new-2"));
    assert_eq!(got.cli_version.as_deref(), Some("2.1.331"));
    assert_eq!(
        got.last_timestamp.as_deref(),
        Some("2026-05-01T10:00:00.000Z")
    );
    assert_same_as_scan(&s, index);

    // Half a line: what is complete counts, the rest waits for its newline.
    let line = serde_json::json!({"type": "custom-title", "customTitle": "Renamed by hand", "sessionId": id})
        .to_string();
    let (a, b) = line.split_at(20);
    append(path, a);
    let (index, stats) = refresh(&live);
    assert_eq!(stats.appended, 1);
    let got = index.sessions().find(|x| x.id == id).unwrap();
    assert_eq!(got.title_source, TitleSource::Prompt);
    append(path, &format!("{b}\n"));
    let (index, stats) = refresh(&live);
    assert_eq!(stats.appended, 1, "{stats:?}");
    let got = index.sessions().find(|x| x.id == id).unwrap();
    assert_eq!(got.title, "Renamed by hand");
    assert_eq!(got.title_source, TitleSource::Custom);
    assert_same_as_scan(&s, index);
}

#[test]
fn a_title_appended_to_a_file_bigger_than_the_bounded_read_is_seen() {
    let s = setup();
    let id = "00000000-0000-4000-8000-0000000000aa";
    let path = s.big(id);
    let live = s.live();
    refresh(&live);
    let title =
        serde_json::json!({"type": "custom-title", "customTitle": "Middle title", "sessionId": id});
    append(&path, &format!("{title}\n"));
    // Then more lines than the tail slice holds, so a cold read no longer sees the title.
    let more: Vec<String> = (0..4)
        .map(|t| s.assistant(id, &ts(2, t), "m", &"z".repeat(30_000)))
        .collect();
    append(&path, &format!("{}\n", more.join("\n")));
    let (index, _) = refresh(&live);
    let got = index.sessions().find(|x| x.id == id).unwrap();
    assert_eq!(got.title, "Middle title");
    let cold = SessionIndex::scan(&s.config).unwrap();
    assert_eq!(
        cold.sessions().find(|x| x.id == id).unwrap().title,
        "first prompt",
        "the bounded read cannot see it (what the cache adds)"
    );
}

#[test]
fn truncation_rewrite_delete_and_rename_are_read_again() {
    let s = setup();
    let paths = s.sessions(12);
    let live = s.live();
    refresh(&live);
    // Truncated to its first line.
    let first = fs::read_to_string(&paths[1]).unwrap();
    let first_line = first.lines().next().unwrap().to_owned();
    fs::write(&paths[1], format!("{first_line}\n")).unwrap();
    // Rewritten, same size, new content (a new inode through a rename over it).
    let old = fs::read(&paths[2]).unwrap();
    let new = String::from_utf8(old)
        .unwrap()
        .replace("prompt number 2", "prompt number X");
    let tmp = s.proj.join("rewrite.tmp");
    fs::write(&tmp, &new).unwrap();
    fs::rename(&tmp, &paths[2]).unwrap();
    // Deleted.
    fs::remove_file(&paths[3]).unwrap();
    // Renamed (another session id).
    let renamed = s.proj.join("00000000-0000-4000-8000-999999999999.jsonl");
    fs::rename(&paths[4], &renamed).unwrap();
    let (index, stats) = refresh(&live);
    assert_eq!(stats.removed, 2, "{stats:?}");
    assert_eq!(stats.reread, 3, "{stats:?}");
    assert_eq!(index.scanned_files, 11);
    let two = index
        .sessions()
        .find(|x| x.id.ends_with("000000000002"))
        .unwrap();
    assert_eq!(two.title, "prompt number X");
    assert_same_as_scan(&s, index);
}

#[test]
fn a_cache_of_garbage_or_cut_in_half_is_made_again_and_the_list_is_right() {
    let s = setup();
    s.sessions(30);
    refresh(&s.live());
    let good = fs::read(&s.cache).unwrap();
    for damage in ["garbage", "half", "empty"] {
        // Close everything first: the WAL is checkpointed into the main file.
        let _ = fs::remove_file(s.cache.with_extension("sqlite-wal"));
        let _ = fs::remove_file(s.cache.with_extension("sqlite-shm"));
        match damage {
            "garbage" => fs::write(&s.cache, b"this is not a database at all\n".repeat(100)),
            "half" => fs::write(&s.cache, &good[..good.len() / 2]),
            _ => fs::write(&s.cache, b""),
        }
        .unwrap();
        let (index, stats) = refresh(&s.live());
        assert_same_as_scan(&s, index);
        assert!(stats.cached, "{damage}: a fresh cache was made");
        // And the fresh one works.
        let (_, stats) = refresh(&s.live());
        assert_eq!(stats.unchanged, 30, "{damage}: {stats:?}");
    }
}

#[test]
fn rows_of_another_facts_version_are_read_again_and_the_rest_kept() {
    let s = setup();
    s.sessions(3);
    refresh(&s.live());
    let (_, stats) = refresh(&s.live());
    assert_eq!(stats.unchanged, 3);
    {
        let conn = rusqlite::Connection::open(&s.cache).unwrap();
        conn.execute("UPDATE meta SET v = 1 WHERE k = 'facts'", [])
            .unwrap();
        conn.execute("CREATE TABLE kept(x)", []).unwrap();
    }
    let (index, stats) = refresh(&s.live());
    assert_eq!((stats.reread, stats.unchanged), (3, 0), "{stats:?}");
    assert_same_as_scan(&s, index);
    let conn = rusqlite::Connection::open(&s.cache).unwrap();
    let version: i64 = conn
        .query_row("SELECT v FROM meta WHERE k = 'facts'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version,
        ccdesk_core::transcripts::index::CACHE_FACTS_VERSION
    );
    let kept: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'kept'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 1, "only the rows of facts go");
}

#[test]
fn a_cache_of_another_schema_version_or_config_dir_is_made_again() {
    let s = setup();
    s.sessions(5);
    refresh(&s.live());
    {
        let conn = rusqlite::Connection::open(&s.cache).unwrap();
        conn.pragma_update(None, "user_version", CACHE_SCHEMA_VERSION + 98)
            .unwrap();
    }
    let (_, stats) = refresh(&s.live());
    assert_eq!(stats.reread, 5, "rebuilt: {stats:?}");
    // The same file named for another config dir: never trusted.
    let other = tempfile::tempdir().unwrap();
    let (index, stats) = LiveIndex::new(other.path().to_path_buf(), Some(s.cache.clone()))
        .refresh_all()
        .unwrap();
    assert_eq!(index.scanned_files, 0);
    assert!(stats.cached);
    let (_, stats) = refresh(&s.live());
    assert_eq!(stats.reread, 5, "made again for this config dir: {stats:?}");
}

#[test]
fn a_cache_another_process_holds_locked_is_left_alone_and_the_list_is_right() {
    let s = setup();
    s.sessions(8);
    refresh(&s.live());
    let holder = rusqlite::Connection::open(&s.cache).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let size_before = fs::metadata(&s.cache).unwrap().len();
    let id = "00000000-0000-4000-8000-000000000099";
    s.write(id, &[s.user(id, "2026-04-01T00:00:00.000Z", "one more")]);
    let (index, _) = refresh(&s.live());
    assert_eq!(index.scanned_files, 9);
    assert_same_as_scan(&s, index);
    holder.execute_batch("COMMIT").unwrap();
    drop(holder);
    assert_eq!(fs::metadata(&s.cache).unwrap().len(), size_before);
    let (_, stats) = refresh(&s.live());
    assert_eq!((stats.unchanged, stats.reread), (8, 1), "{stats:?}");
}

#[test]
fn apply_changes_patches_the_listing_and_reports_the_changed_sessions() {
    let s = setup();
    let paths = s.sessions(6);
    let live = s.live();
    refresh(&live);
    let id = "00000000-0000-4000-8000-000000000002";
    append(
        &paths[2],
        &format!(
            "{}\n",
            s.assistant(id, "2026-06-01T00:00:00.000Z", "m2", "later")
        ),
    );
    fs::remove_file(&paths[4]).unwrap();
    let new_id = "00000000-0000-4000-8000-000000000777";
    let new_path = s.write(
        new_id,
        &[s.user(new_id, "2026-06-02T00:00:00.000Z", "brand new")],
    );
    // A subagent transcript counts for its session.
    let sub = s
        .proj
        .join("00000000-0000-4000-8000-000000000001")
        .join("subagents");
    fs::create_dir_all(&sub).unwrap();
    fs::write(sub.join("agent-a1.jsonl"), "{}\n").unwrap();
    let delta = live
        .apply_changes(&[
            paths[2].clone(),
            paths[4].clone(),
            new_path,
            sub.join("agent-a1.jsonl"),
            s.proj.join("not-a-transcript.txt"),
        ])
        .unwrap();
    let mut changed: Vec<&str> = delta.changed.iter().map(|x| x.id.as_str()).collect();
    changed.sort_unstable();
    assert_eq!(
        changed,
        vec!["00000000-0000-4000-8000-000000000001", id, new_id]
    );
    assert_eq!(delta.removed.len(), 1);
    assert!(delta.removed[0].ends_with("000000000004"));
    let one = delta.changed.iter().find(|x| x.id.ends_with("01")).unwrap();
    assert_eq!(one.sidechain_count, 1);
    assert_eq!(delta.projects.len(), 1);
    assert_eq!(delta.projects[0].session_count, 6);
    let snap = live.snapshot().unwrap();
    assert_same_as_scan(&s, (*snap).clone());
    // The cache learned it too.
    let (_, stats) = refresh(&s.live());
    assert_eq!(stats.unchanged, 6, "{stats:?}");
}

#[test]
fn the_default_cache_is_in_the_data_dir_one_per_config_dir() {
    let a = default_cache_path(Path::new("/home/u/.claude"));
    let b = default_cache_path(Path::new("/home/u/.claude-work"));
    if let (Some(a), Some(b)) = (a, b) {
        assert_ne!(a, b);
        assert!(a.to_string_lossy().contains("dev.ccdesk.app"));
        assert!(!a.starts_with("/home/u/.claude"));
    }
}

/// Once in the cache, a transcript's facts are not kept in memory: an append reads them back
/// from its row. Each way (cache, no cache at all, a row another process rewrote since) must
/// list what a cold scan lists, and what only the fold can know (a title past the bounded read)
/// survives wherever the facts are.
#[test]
fn appends_fold_in_whether_the_facts_are_in_memory_in_the_cache_or_in_neither() {
    let s = setup();
    let id = "00000000-0000-4000-8000-0000000000bb";
    let path = s.big(id);
    s.sessions(5);
    let title =
        serde_json::json!({"type": "custom-title", "customTitle": "Middle title", "sessionId": id});
    let more: Vec<String> = (0..4)
        .map(|t| s.assistant(id, &ts(2, t), "m", &"z".repeat(30_000)))
        .collect();

    // No cache: the facts stay in memory.
    let memory_only = LiveIndex::new(s.config.clone(), None);
    // With the cache, and a second process sharing it.
    let cached = s.live();
    let other = s.live();
    refresh(&memory_only);
    refresh(&cached);
    refresh(&other);

    append(&path, &format!("{title}\n"));
    // The other process folds the title in first, and rewrites the row.
    let delta = other.apply_changes(std::slice::from_ref(&path)).unwrap();
    assert_eq!(delta.changed[0].title, "Middle title");
    append(&path, &format!("{}\n", more.join("\n")));
    for (name, live) in [("memory only", &memory_only), ("cached", &cached)] {
        let delta = live.apply_changes(std::slice::from_ref(&path)).unwrap();
        let got = &delta.changed[0];
        assert_eq!(
            got.last_timestamp.as_deref(),
            Some(ts(2, 3).as_str()),
            "{name}"
        );
        if name == "memory only" {
            // It saw the title line arrive (facts in memory).
            assert_eq!(got.title, "Middle title", "{name}");
        } else {
            // Its stamp no longer matches the row the other process wrote: read again from
            // scratch, as a cold scan would (never folded onto facts of another state).
            assert_eq!(got.title, "first prompt", "{name}");
            assert_same_as_scan(&s, (*live.snapshot().unwrap()).clone());
        }
    }
    // The other process finds its row rewritten since (by the read above): it reads again too,
    // and both list what a cold scan lists.
    let delta = other.apply_changes(std::slice::from_ref(&path)).unwrap();
    assert_eq!(delta.changed[0].title, "first prompt");
    assert_same_as_scan(&s, (*other.snapshot().unwrap()).clone());
}

/// A refresh lists unchanged sessions without reading them (their facts are in the cache, not in
/// memory), yet decides afresh whether their project dir is still there.
#[test]
fn an_unchanged_session_learns_that_its_project_dir_went_and_came_back() {
    let s = setup();
    s.sessions(3);
    let live = s.live();
    let (first, _) = refresh(&live);
    assert!(first.sessions().all(|x| x.resumability.is_resumable()));
    let work = PathBuf::from(&s.cwd);
    fs::remove_dir(&work).unwrap();
    let (gone, stats) = refresh(&live);
    assert_eq!(stats.unchanged, 3, "{stats:?}");
    assert!(gone.sessions().all(|x| !x.resumability.is_resumable()));
    assert_same_as_scan(&s, gone);
    fs::create_dir(&work).unwrap();
    let (back, stats) = refresh(&live);
    assert_eq!(stats.unchanged, 3, "{stats:?}");
    assert_eq!(back, first);
}

/// Two config dirs (two accounts) listed as one ([`ProfileIndexes`]): one person's repo has
/// sessions in both, one session id is in both (a copied config dir), and the keys stay unique;
/// each session says its profile, a project says which profiles it has sessions of; changes,
/// search and lookups by key or bare id go to the right config dir.
#[test]
fn two_config_dirs_list_search_and_follow_as_one() {
    use ccdesk_core::transcripts::index::ProfileIndexes;
    use ccdesk_core::transcripts::profiles::{Profile, Profiles};
    use ccdesk_core::transcripts::search::query::SearchQuery;

    let a = setup();
    let b = setup();
    let shared = "00000000-0000-4000-8000-000000000001";
    let only_b = "00000000-0000-4000-8000-000000000002";
    a.write(
        shared,
        &[a.user(shared, "2026-03-01T00:00:00.000Z", "alpha personal prompt")],
    );
    // The same repo (a's project path) in the work account, with the same session id.
    let b_same = b.config.join("projects").join(project_dir_name(&a.cwd));
    fs::create_dir_all(&b_same).unwrap();
    let line = a.user(shared, "2026-03-02T00:00:00.000Z", "beta work prompt");
    fs::write(b_same.join(format!("{shared}.jsonl")), format!("{line}\n")).unwrap();
    let b_only = b.write(
        only_b,
        &[b.user(only_b, "2026-03-03T00:00:00.000Z", "gamma work only")],
    );

    let profiles = Profiles::new(vec![
        Profile {
            name: "personal".into(),
            config_dir: a.config.clone(),
        },
        Profile {
            name: "work".into(),
            config_dir: b.config.clone(),
        },
    ])
    .unwrap();
    let caches = [a.cache.clone(), b.cache.clone()];
    let live = ProfileIndexes::new(profiles.clone(), |p| {
        let i = usize::from(p.name == "work");
        LiveIndex::new(p.config_dir.clone(), Some(caches[i].clone()))
    });
    let (index, stats) = live.refresh_all().unwrap();
    assert_eq!(stats.reread, 3);
    assert_eq!(index.profiles, ["personal", "work"]);
    assert_eq!(index.scanned_files, 3);
    let dir_a = project_dir_name(&a.cwd);
    let mut keys: Vec<(String, Option<String>)> = index
        .sessions()
        .map(|s| (s.key.clone(), s.profile.clone()))
        .collect();
    keys.sort();
    let dir_b = project_dir_name(&b.cwd);
    let mut want = vec![
        (format!("{dir_a}/{shared}"), None),
        (format!("@work/{dir_a}/{shared}"), Some("work".into())),
        (format!("@work/{dir_b}/{only_b}"), Some("work".into())),
    ];
    want.sort();
    assert_eq!(keys, want);
    // One project for a's repo, with the sessions of both accounts, newest first.
    let entries = index.project_entries();
    assert_eq!(entries.profiles, ["personal", "work"]);
    let repo = entries
        .projects
        .iter()
        .find(|p| p.project_path.as_deref() == Some(a.cwd.as_str()))
        .unwrap();
    assert_eq!(repo.session_count, 2);
    assert_eq!(repo.profiles, ["personal", "work"]);
    let work_only = entries
        .projects
        .iter()
        .find(|p| p.project_path.as_deref() == Some(b.cwd.as_str()))
        .unwrap();
    assert_eq!(work_only.profiles, ["work"]);

    // Lookups: by key in either config dir, by bare id the newest of the two.
    let work_key = format!("@work/{dir_a}/{shared}");
    let s = profiles.resolve_session(&work_key, None).unwrap();
    assert_eq!(
        (s.title.as_str(), s.key.as_str()),
        ("beta work prompt", work_key.as_str())
    );
    let s = profiles
        .resolve_session(&format!("{dir_a}/{shared}"), None)
        .unwrap();
    assert_eq!(
        (s.title.as_str(), s.profile),
        ("alpha personal prompt", None)
    );
    let s = profiles.resolve_session(shared, None).unwrap();
    assert_eq!(s.key, work_key, "the newer of the two");
    assert!(profiles.resolve_session("@nobody/x/y", None).is_err());
    let (dir, _) = profiles.locate(&work_key, None).unwrap();
    assert_eq!(dir, b.config);

    // A change in the second config dir comes back keyed as listed.
    append(
        &b_only,
        &format!(
            "{}\n",
            b.assistant(only_b, "2026-03-04T00:00:00.000Z", "m", "ok")
        ),
    );
    let delta = live.apply_changes(std::slice::from_ref(&b_only)).unwrap();
    let changed: Vec<&str> = delta.changed.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(changed, [format!("@work/{dir_b}/{only_b}")]);
    assert_eq!(delta.changed[0].profile.as_deref(), Some("work"));
    // The vault copies each session from its own config dir, keyed as its index there keys it.
    let per_dir = profiles.by_config_dir(delta.changed.clone());
    assert_eq!(per_dir.len(), 1);
    assert_eq!(per_dir[0].0, b.config);
    assert_eq!(per_dir[0].1[0].key, format!("{dir_b}/{only_b}"));
    fs::remove_file(&b_only).unwrap();
    let delta = live.apply_changes(std::slice::from_ref(&b_only)).unwrap();
    assert_eq!(delta.removed, [format!("@work/{dir_b}/{only_b}")]);
    assert!(delta
        .projects
        .iter()
        .all(|p| p.project_path.as_deref() != Some(b.cwd.as_str())));

    // Search covers both.
    live.update_search(|_| {}).unwrap();
    let q = |text: &str| SearchQuery::parse(text, 1_800_000_000_000).unwrap();
    let found = live.search(&q("prompt"), 10).unwrap();
    let mut hit_keys: Vec<&str> = found
        .sessions
        .iter()
        .map(|h| h.session.key.as_str())
        .collect();
    hit_keys.sort_unstable();
    let mut want = [
        format!("@work/{dir_a}/{shared}"),
        format!("{dir_a}/{shared}"),
    ];
    want.sort_unstable();
    assert_eq!(hit_keys, want);
    let found = live.search(&q("beta"), 10).unwrap();
    assert_eq!(found.sessions.len(), 1);
    assert_eq!(found.sessions[0].session.profile.as_deref(), Some("work"));
}
