//! The real Claude Code CLI, driven through ccdesk's runner against a loopback mock of the
//! Messages API (`tests/mock-api`).
//!
//! Two pinned builds (see `tests/real-cli/package.json`): the last JS build (2.1.112, `cli.js`)
//! and a native build. Their paths come from `CCDESK_REAL_CLI_JS` and `CCDESK_REAL_CLI_NATIVE`;
//! `tests/real-cli/run.sh` installs them from npm, sets both and runs this suite inside a network
//! namespace that has only loopback. Without the variables the tests print a skip notice and
//! pass, unless `CI` is set: then they fail, so CI cannot silently skip them.
//!
//! Every CLI gets its own temp `HOME` and `CLAUDE_CONFIG_DIR` (the real `~/.claude` is never
//! touched) and talks only to the mock. Every test is bounded by a timeout so a hang fails.
//!
//! Tests (one module per build, `js::` and `native::`):
//! - `session_lifecycle`: stream a reply, end, find it in the index, resume it, same `.jsonl`.
//! - `two_prompts_in_one_process`: a second prompt after the first `result`.
//! - `resume_of_an_unknown_id_fails`: exit code 1 and `No conversation found`.
//! - `api_error_is_reported`: an HTTP 400 from the API ends the turn with an error result.
//! - `tool_use_round_trip`: an allowed `Bash` tool call runs and its output comes back.
//! - `project_dir_names_match_the_cli`: `paths::project_dir_name` against where the CLI wrote.
//! - `search_finds_planted_words`: full-text search over what the CLI wrote finds words planted
//!   in a prompt (snake_case and dotted identifiers, accented words), the tool call's command,
//!   its output and a reply, each in its column.
//! - `vault_round_trip`: a session copied into the vault, deleted as the CLI's clean-up deletes it
//!   (the transcript and its `<id>/` dir; the CLI runs its clean-up 10 minutes after it starts,
//!   too late for a test), listed as archived, not resumable by the CLI, restored byte for byte,
//!   then resumed by the CLI with a new prompt that lands in the same file.
//! - `changes_per_turn`: a `Write` in one turn and an `Edit` of that file in the next, as the CLI
//!   applied them, come back from `transcripts::changes` as two turns with their diffs.
//! - `usage_equals_ccusage`: the token totals of `transcripts::usage` (per day and in all) equal
//!   those of `ccusage` 18 (`CCDESK_CCUSAGE_JS`, installed beside the CLI builds) on what the CLI
//!   wrote (a tool call, two prompts in one process, a resume) plus the genuine fixtures of both
//!   eras and a public transcript with subagents and prompt-cache counts.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ccdesk_core::claude::runner::{ClaudeProcess, RunEvent, RunExit, RunOptions};
use ccdesk_core::claude::stream::{EventKind, StreamEvent};
use ccdesk_core::transcripts::index::{SessionIndex, TitleSource};
use ccdesk_core::transcripts::paths::project_dir_name;
use ccdesk_core::transcripts::transcript::{Block, Content, Transcript};
use ccdesk_mock_api::{script, MockApi, RequestKind};
use common::real::{Cli, Sandbox};
use serde_json::Value;

/// Bound on one CLI process, from spawn to exit.
const RUN_TIMEOUT: Duration = Duration::from_secs(90);

/// Run options for a CLI in `sb` talking to `mock`, in `cwd`.
fn options(sb: &Sandbox, mock: &MockApi, cwd: &Path, resume: Option<String>) -> RunOptions {
    RunOptions {
        cwd: cwd.to_path_buf(),
        resume: resume.map(|id| ccdesk_core::ids::SessionId::parse(&id).expect("a session id")),
        env: sb.env(mock),
        ..Default::default()
    }
}

/// What one turn (one prompt up to its `result`) showed.
#[derive(Debug, Default)]
struct Turn {
    /// `text_delta` pieces of the main conversation, in order.
    deltas: Vec<String>,
    /// Texts of the `assistant` lines.
    assistant_texts: Vec<String>,
    /// Tool names of the `assistant` lines' tool_use blocks.
    tool_uses: Vec<String>,
    /// The `result` line that ended the turn.
    result: Option<Value>,
    /// Session ids of the `system/init` lines of this turn.
    init_ids: Vec<String>,
}

impl Turn {
    fn text(&self) -> String {
        self.deltas.concat()
    }
    fn result(&self) -> &Value {
        self.result.as_ref().expect("the turn has a result")
    }
}

/// Everything one CLI process showed.
#[derive(Debug)]
struct Outcome {
    turns: Vec<Turn>,
    exit: RunExit,
    malformed: usize,
    /// Lines seen after the last `result` (should be none of substance).
    all_lines: Vec<StreamEvent>,
}

impl Outcome {
    fn session_id(&self) -> String {
        self.exit
            .session_id
            .clone()
            .unwrap_or_else(|| panic!("no session id: {:#?}", self.exit))
    }
}

/// Spawns the CLI through ccdesk's runner, sends `prompts` one at a time (each after the
/// previous `result`), closes stdin after the last `result`, and reads to `Exited`.
async fn drive(cli: &Cli, opts: RunOptions, prompts: &[&str]) -> Outcome {
    let what = format!("{} in {}", cli.label, opts.cwd.display());
    let fut = async {
        let (run, mut events) = ClaudeProcess::spawn(&cli.command(), opts)
            .await
            .expect("spawn");
        let mut prompts = prompts.iter();
        let mut turns = vec![Turn::default()];
        match prompts.next() {
            // A send can fail when the CLI has already exited (unknown --resume id): the
            // Exited event tells the rest.
            Some(p) => {
                let _ = run.send_prompt(p).await;
            }
            None => run.close_input().await,
        }
        let mut malformed = 0;
        let mut all_lines = Vec::new();
        loop {
            let Some(ev) = events.recv().await else {
                panic!("the event channel closed before Exited");
            };
            match ev {
                RunEvent::Cli(line) => {
                    all_lines.push(line.clone());
                    let turn = turns.last_mut().unwrap();
                    let top_level = line
                        .raw()
                        .get("parent_tool_use_id")
                        .is_none_or(Value::is_null);
                    match line.kind() {
                        EventKind::Init => {
                            turn.init_ids.extend(line.session_id().map(str::to_owned))
                        }
                        EventKind::Partial if top_level => {
                            if let Some(d) = line.text_delta() {
                                turn.deltas.push(d.to_owned());
                            }
                        }
                        EventKind::Assistant if top_level => {
                            if let Some(t) = line.assistant_text().filter(|t| !t.is_empty()) {
                                turn.assistant_texts.push(t);
                            }
                            let blocks = line
                                .raw()
                                .pointer("/message/content")
                                .and_then(Value::as_array);
                            for b in blocks.into_iter().flatten() {
                                if b.get("type").and_then(Value::as_str) == Some("tool_use") {
                                    turn.tool_uses.extend(
                                        b.get("name").and_then(Value::as_str).map(str::to_owned),
                                    );
                                }
                            }
                        }
                        EventKind::Result => {
                            turn.result = Some(line.raw().clone());
                            match prompts.next() {
                                Some(p) => {
                                    turns.push(Turn::default());
                                    run.send_prompt(p).await.expect("send the next prompt");
                                }
                                None => run.close_input().await,
                            }
                        }
                        _ => {}
                    }
                }
                RunEvent::Malformed { preview } => {
                    eprintln!("[{what}] malformed stdout line: {preview}");
                    malformed += 1;
                }
                RunEvent::Exited(exit) => {
                    // A turn opened for a prompt that never got its result is dropped.
                    if turns
                        .last()
                        .is_some_and(|t| t.result.is_none() && t.deltas.is_empty())
                        && turns.len() > 1
                    {
                        turns.pop();
                    }
                    return Outcome {
                        turns,
                        exit,
                        malformed,
                        all_lines,
                    };
                }
            }
        }
    };
    match tokio::time::timeout(RUN_TIMEOUT, fut).await {
        Ok(o) => o,
        Err(_) => panic!("{what}: the CLI did not finish within {RUN_TIMEOUT:?}"),
    }
}

/// Asserts a successful turn whose streamed text is `expected`, with partial deltas before the
/// `result`.
fn assert_reply(turn: &Turn, expected: &str) {
    assert!(
        turn.deltas.len() > 1,
        "partial text deltas arrive before the result (got {:?})",
        turn.deltas
    );
    assert_eq!(
        turn.text(),
        expected,
        "the streamed text is the mock's reply"
    );
    assert_eq!(
        turn.assistant_texts.last().map(String::as_str),
        Some(expected)
    );
    let r = turn.result();
    assert_eq!(r["subtype"], "success", "{r}");
    assert_eq!(r["is_error"], false, "{r}");
    assert_eq!(r["result"], expected, "{r}");
}

fn assert_clean_exit(o: &Outcome) {
    assert_eq!(o.exit.code, Some(0), "exit: {:#?}", o.exit);
    assert!(o.exit.errors.is_empty(), "errors: {:?}", o.exit.errors);
    assert!(o.exit.is_success());
    assert_eq!(o.malformed, 0);
    assert_eq!(o.exit.malformed_lines, 0);
}

/// The one `.jsonl` of the sandbox's config dir, with its project dir name.
fn transcripts(config: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir(config.join("projects")) else {
        return out;
    };
    for d in dirs.flatten() {
        for f in std::fs::read_dir(d.path()).into_iter().flatten().flatten() {
            if f.path().extension().is_some_and(|e| e == "jsonl") {
                out.push(f.path());
            }
        }
    }
    out.sort();
    out
}

async fn bounded<F: std::future::Future<Output = ()>>(limit: Duration, what: &str, f: F) {
    if tokio::time::timeout(limit, f).await.is_err() {
        panic!("{what} did not finish within {limit:?}");
    }
}

/// FNV-1a (64 bits) of a file's bytes: what "byte for byte" is checked with (beside equality).
fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

async fn vault_round_trip(cli: Cli) {
    use ccdesk_core::transcripts::index::{LiveIndex, NotResumableReason, Resumability};
    use ccdesk_core::vault::Vault;
    let mock = MockApi::start().await.unwrap();
    let sb = Sandbox::new();
    let project = sb.project("kept project");
    let first = "Remember this session for the vault";
    let o = drive(&cli, options(&sb, &mock, &project, None), &[first]).await;
    assert_clean_exit(&o);
    let id = o.session_id();
    let path = transcripts(&sb.config).pop().expect("a transcript");
    let original = std::fs::read(&path).unwrap();

    // Archived, then deleted as the CLI's clean-up deletes it.
    let vault = std::sync::Arc::new(Vault::open(&sb.root.join("data/vault")).unwrap());
    let index = SessionIndex::scan(&sb.config).unwrap();
    let report = vault
        .sync_all(&sb.config, index.sessions(), u64::MAX)
        .unwrap();
    assert_eq!(report.copied, 1, "{report:?}");
    std::fs::remove_file(&path).unwrap();
    let _ = std::fs::remove_dir_all(path.with_extension(""));

    // Listed as archived, and the CLI cannot resume it.
    let live = LiveIndex::new(sb.config.clone(), None);
    live.set_archive(Some(vault.clone()));
    let (listed, _) = live.refresh_all().unwrap();
    let s = listed.find(&id).expect("still listed");
    assert!(s.archived);
    assert!(matches!(
        &s.resumability,
        Resumability::NotResumable {
            reason: NotResumableReason::Archived,
            ..
        }
    ));
    let gone = drive(
        &cli,
        options(&sb, &mock, &project, Some(id.clone())),
        &["hello?"],
    )
    .await;
    assert_eq!(gone.exit.code, Some(1), "{:#?}", gone.exit);

    // Restored byte for byte where the CLI looks.
    let restored = vault.restore(&sb.config, &id).unwrap();
    assert_eq!(restored.transcript, path);
    let back = std::fs::read(&path).unwrap();
    assert_eq!(hash(&back), hash(&original));
    assert_eq!(back, original);
    let (listed, _) = live.refresh_all().unwrap();
    assert!(!listed.find(&id).unwrap().archived);

    // The CLI resumes it: the new prompt lands in the same file, after the restored bytes.
    let second = "Back from the vault";
    let o2 = drive(
        &cli,
        options(&sb, &mock, &project, Some(id.clone())),
        &[second],
    )
    .await;
    assert_clean_exit(&o2);
    assert_eq!(o2.session_id(), id);
    assert_reply(&o2.turns[0], &script::reply_text_for(second));
    assert_eq!(transcripts(&sb.config), vec![path.clone()]);
    let after = std::fs::read(&path).unwrap();
    assert!(
        after.starts_with(&original),
        "appended to the restored file"
    );
    let t = Transcript::read(&path).unwrap();
    let prompts: Vec<String> = t
        .messages()
        .filter(|m| m.is_real_user_prompt())
        .map(|m| m.content.plain_text())
        .collect();
    assert_eq!(prompts, vec![first.to_string(), second.to_string()]);
    mock.shutdown().await;
}

// ---------------------------------------------------------------------------------------------

async fn session_lifecycle(cli: Cli) {
    let mock = MockApi::start().await.unwrap();
    let sb = Sandbox::new();
    let project = sb.project("my project");
    let first = "Say hello to the real CLI test";
    let second = "And now a second turn after resume";

    // 1. A new session, one turn.
    let o = drive(&cli, options(&sb, &mock, &project, None), &[first]).await;
    assert_clean_exit(&o);
    assert_eq!(o.turns.len(), 1);
    let id = o.session_id();
    assert!(
        uuid::Uuid::parse_str(&id).is_ok(),
        "session id {id} is a uuid"
    );
    assert_eq!(o.turns[0].init_ids, vec![id.clone()]);
    assert_reply(&o.turns[0], &script::reply_text_for(first));
    assert_eq!(o.turns[0].result()["session_id"], id.as_str());
    assert_eq!(mock.user_texts(), vec![first.to_string()]);

    // 2. The index finds it under the canonical project path.
    let index = SessionIndex::scan(&sb.config).unwrap();
    assert!(index.errors.is_empty(), "{:?}", index.errors);
    let s = index
        .find(&id)
        .unwrap_or_else(|| panic!("session {id} not indexed: {index:#?}"));
    assert_eq!(s.project_path.as_deref(), Some(project.to_str().unwrap()));
    assert_eq!(s.dir_name, project_dir_name(project.to_str().unwrap()));
    // In stream-json mode neither build writes a title line (no ai-title/summary/custom-title):
    // the title is the first prompt.
    assert_eq!(s.title_source, TitleSource::Prompt, "{s:#?}");
    assert_eq!(s.title, first);
    assert!(s.resumability.is_resumable(), "{s:#?}");
    assert!(s.cli_version.is_some());
    let path = s.transcript_path.clone();
    assert_eq!(
        path,
        sb.config
            .join("projects")
            .join(&s.dir_name)
            .join(format!("{id}.jsonl"))
    );
    assert_eq!(
        transcripts(&sb.config),
        vec![path.clone()],
        "exactly one transcript"
    );

    // 3. Resume it with a second prompt: same id, same file.
    let o2 = drive(
        &cli,
        options(&sb, &mock, &project, Some(id.clone())),
        &[second],
    )
    .await;
    assert_clean_exit(&o2);
    assert_eq!(o2.session_id(), id, "--resume keeps the session id");
    assert_eq!(o2.turns[0].init_ids, vec![id.clone()]);
    assert_reply(&o2.turns[0], &script::reply_text_for(second));
    assert_eq!(
        transcripts(&sb.config),
        vec![path.clone()],
        "resume appends to the same file"
    );

    // The resumed request carried the first turn as history.
    let last = mock
        .requests()
        .into_iter()
        .rfind(|r| r.kind == RequestKind::Messages)
        .unwrap();
    let history = last.body["messages"].to_string();
    assert!(history.contains(first) && history.contains(&script::reply_text_for(first)));

    // 4. Both turns in the one transcript, under the one session id.
    let t = Transcript::read(&path).unwrap();
    assert_eq!(t.malformed_lines, 0);
    assert!(!t.incomplete_tail);
    let prompts: Vec<String> = t
        .messages()
        .filter(|m| m.is_real_user_prompt())
        .map(|m| m.content.plain_text())
        .collect();
    assert_eq!(prompts, vec![first.to_string(), second.to_string()]);
    let replies: Vec<String> = t
        .messages()
        .filter(|m| m.kind == "assistant" && !m.is_sidechain)
        .map(|m| m.content.plain_text())
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(
        replies,
        vec![
            script::reply_text_for(first),
            script::reply_text_for(second)
        ]
    );
    for m in t
        .messages()
        .filter(|m| m.kind == "user" || m.kind == "assistant")
    {
        assert_eq!(m.session_id.as_deref(), Some(id.as_str()));
        assert_eq!(m.cwd.as_deref(), Some(project.to_str().unwrap()));
    }
    // The index sees the resumed session's last prompt and the title still the first prompt.
    let index = SessionIndex::scan(&sb.config).unwrap();
    let s2 = index.find(&id).unwrap();
    assert_eq!(s2.title, first);
    assert!(s2.last_activity_ms >= s.last_activity_ms);
    mock.shutdown().await;
}

async fn two_prompts_in_one_process(cli: Cli) {
    let mock = MockApi::start().await.unwrap();
    let sb = Sandbox::new();
    let project = sb.project("multi");
    let prompts = ["first prompt of two", "second prompt of two"];
    let o = drive(&cli, options(&sb, &mock, &project, None), &prompts).await;
    assert_clean_exit(&o);
    assert_eq!(o.turns.len(), 2, "{:#?}", o.turns);
    let id = o.session_id();
    for (turn, p) in o.turns.iter().zip(prompts) {
        assert_reply(turn, &script::reply_text_for(p));
        assert_eq!(turn.result()["session_id"], id.as_str());
        // A system/init precedes every turn, always with the same id.
        assert_eq!(turn.init_ids, vec![id.clone()]);
    }
    assert_eq!(o.all_lines.iter().filter(|l| l.is_result()).count(), 2);
    assert_eq!(mock.user_texts(), prompts.map(str::to_owned).to_vec());
    // One transcript with both prompts.
    let files = transcripts(&sb.config);
    assert_eq!(files.len(), 1, "{files:?}");
    let t = Transcript::read(&files[0]).unwrap();
    let seen: Vec<String> = t
        .messages()
        .filter(|m| m.is_real_user_prompt())
        .map(|m| m.content.plain_text())
        .collect();
    assert_eq!(seen, prompts.map(str::to_owned).to_vec());
    mock.shutdown().await;
}

async fn changes_per_turn(cli: Cli) {
    use ccdesk_core::transcripts::changes::session_changes;
    let mock = MockApi::start().await.unwrap();
    let sb = Sandbox::new();
    let project = sb.project("changes");
    let mut opts = options(&sb, &mock, &project, None);
    opts.extra_args = vec!["--allowedTools=Write,Edit".into()];
    let o = drive(
        &cli,
        opts,
        &["write a file MOCK_WRITE", "now edit it MOCK_EDIT"],
    )
    .await;
    assert_clean_exit(&o);
    let file = project.join(script::WRITE_FILE_NAME);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("{}\n", script::EDIT_NEW),
        "the CLI applied both"
    );
    let cwd = dunce::canonicalize(&project).unwrap();
    let c = session_changes(&transcripts(&sb.config)[0], Some(&cwd.to_string_lossy())).unwrap();
    assert_eq!(c.turns.len(), 2, "{c:#?}");
    let (w, e) = (&c.turns[0], &c.turns[1]);
    assert_eq!((w.index, e.index), (1, 2));
    assert!(w.prompt.contains("MOCK_WRITE") && e.prompt.contains("MOCK_EDIT"));
    assert_eq!(w.files.len(), 1);
    assert_eq!(w.files[0].path, script::WRITE_FILE_NAME);
    assert!(w.files[0].created, "{:?}", w.files[0]);
    assert_eq!((w.files[0].added, w.files[0].removed), (1, 0));
    assert!(
        w.files[0].diff.contains("+written by the mock"),
        "{}",
        w.files[0].diff
    );
    let edit = &e.files[0];
    assert_eq!((edit.added, edit.removed, edit.created), (1, 1, false));
    assert_eq!(edit.tools, ["Edit"]);
    assert!(
        edit.diff
            .contains("-written by the mock\n+edited by the mock"),
        "{}",
        edit.diff
    );
    assert!(edit.diff.starts_with(&format!(
        "--- a/{0}\n+++ b/{0}\n@@ -1",
        script::WRITE_FILE_NAME
    )));
    mock.shutdown().await;
}

/// Copies `from` (a dir tree of transcripts) to `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

async fn usage_equals_ccusage(cli: Cli) {
    use ccdesk_core::transcripts::profiles::Profiles;
    use ccdesk_core::transcripts::usage::{usage, UsageBy, UsageQuery};
    let ccusage = match std::env::var_os("CCDESK_CCUSAGE_JS") {
        Some(p) => PathBuf::from(p),
        None if std::env::var_os("CI").is_some() => panic!("CCDESK_CCUSAGE_JS is not set"),
        None => {
            eprintln!("skipped: CCDESK_CCUSAGE_JS is not set (tests/real-cli/env.sh sets it)");
            return;
        }
    };
    let mock = MockApi::start().await.unwrap();
    let sb = Sandbox::new();
    // What the CLI writes: a tool call (two API calls), two prompts in one process, a resume.
    let project = sb.project("usage");
    let mut opts = options(&sb, &mock, &project, None);
    opts.extra_args = vec!["--allowedTools=Bash".into()];
    let o = drive(&cli, opts, &["count this MOCK_BASH", "and a second prompt"]).await;
    assert_clean_exit(&o);
    let resumed = options(&sb, &mock, &project, Some(o.session_id()));
    assert_clean_exit(&drive(&cli, resumed, &["resumed once"]).await);
    // The genuine fixtures of both eras, and a public transcript with subagents and caches.
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/samples");
    for era in ["local-cli-2.1.112", "local-cli-2.1.330"] {
        copy_tree(
            &samples.join(era).join("projects"),
            &sb.config.join("projects"),
        );
    }
    copy_tree(
        &samples.join("public/marot-spotter"),
        &sb.config.join("projects/-home-dev-marot-spotter"),
    );

    let ours = usage(
        &Profiles::single(sb.config.clone()),
        &UsageQuery {
            by: UsageBy::Day,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        ours.total.messages > 0 && ours.total.cache_read_tokens > 0,
        "{ours:?}"
    );
    assert!(
        ours.duplicates > 0,
        "the CLI's one-line-per-block copies are counted once"
    );
    let out = std::process::Command::new("node")
        .arg(&ccusage)
        .args(["daily", "--json", "--offline"])
        .env("CLAUDE_CONFIG_DIR", &sb.config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tokens = |v: &Value| {
        [
            "inputTokens",
            "outputTokens",
            "cacheReadTokens",
            "cacheCreationTokens",
        ]
        .map(|k| v[k].as_u64().unwrap_or(u64::MAX))
    };
    let t = &ours.total;
    assert_eq!(
        [
            t.input_tokens,
            t.output_tokens,
            t.cache_read_tokens,
            t.cache_creation_tokens
        ],
        tokens(&theirs["totals"]),
        "totals; ccusage said {theirs}"
    );
    let mut days: Vec<(String, [u64; 4])> = theirs["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["date"].as_str().unwrap().to_owned(), tokens(d)))
        .collect();
    days.sort();
    let mine: Vec<(String, [u64; 4])> = ours
        .rows
        .iter()
        .map(|r| {
            let t = &r.totals;
            (
                r.key.clone(),
                [
                    t.input_tokens,
                    t.output_tokens,
                    t.cache_read_tokens,
                    t.cache_creation_tokens,
                ],
            )
        })
        .collect();
    assert_eq!(mine, days, "per day");
    mock.shutdown().await;
}

async fn resume_of_an_unknown_id_fails(cli: Cli) {
    let mock = MockApi::start().await.unwrap();
    let sb = Sandbox::new();
    let project = sb.project("unknown");
    let bogus = uuid::Uuid::new_v4().to_string();
    let o = drive(
        &cli,
        options(&sb, &mock, &project, Some(bogus.clone())),
        &["hello?"],
    )
    .await;
    assert_eq!(o.exit.code, Some(1), "{:#?}", o.exit);
    let wanted = format!("No conversation found with session ID: {bogus}");
    assert!(
        o.exit.errors.iter().any(|e| e.contains(&wanted)),
        "errors {:?} should contain {wanted:?} (stderr: {})",
        o.exit.errors,
        o.exit.stderr_tail
    );
    assert!(!o.exit.is_success());
    assert_eq!(
        mock.count(RequestKind::Messages),
        0,
        "no model request for a failed resume"
    );
    assert!(transcripts(&sb.config).is_empty(), "no transcript written");
    mock.shutdown().await;
}

async fn api_error_is_reported(cli: Cli) {
    let mock = MockApi::start().await.unwrap();
    let sb = Sandbox::new();
    let project = sb.project("api-error");
    let o = drive(
        &cli,
        options(&sb, &mock, &project, None),
        &["please fail MOCK_400"],
    )
    .await;
    assert_eq!(o.turns.len(), 1);
    let r = o.turns[0].result();
    assert_eq!(r["is_error"], true, "{r}");
    assert!(
        o.exit
            .errors
            .iter()
            .any(|e| e.contains("400") && e.contains("MOCK_400")),
        "{:?}",
        o.exit.errors
    );
    assert_eq!(o.exit.code, Some(1), "{:#?}", o.exit);
    assert!(!o.exit.is_success());
    // 2.1.112 sends the request once; 2.1.330 retries a 400 with other request shapes
    // (without `thinking.display`, then with more tools): 6 requests for one prompt.
    let rejected = mock.requests().iter().filter(|r| r.status == 400).count();
    assert!(rejected >= 1);
    eprintln!(
        "{}: {rejected} request(s) answered 400 for one prompt",
        cli.label
    );
    // The session still exists and is indexed.
    let id = o.session_id();
    let index = SessionIndex::scan(&sb.config).unwrap();
    assert!(index.find(&id).is_some());
    mock.shutdown().await;
}

async fn tool_use_round_trip(cli: Cli) {
    let mock = MockApi::start().await.unwrap();
    let sb = Sandbox::new();
    let project = sb.project("tools");
    let mut opts = options(&sb, &mock, &project, None);
    // Running as root, bypassPermissions is refused: allow just the tool.
    opts.extra_args = vec!["--allowedTools=Bash".into()];
    let o = drive(&cli, opts, &["run something MOCK_BASH"]).await;
    assert_clean_exit(&o);
    let turn = &o.turns[0];
    assert_eq!(turn.tool_uses, vec!["Bash".to_string()]);
    let expected_final = script::after_tool_text("mock-bash");
    assert_eq!(turn.result()["result"], expected_final.as_str());
    assert_eq!(turn.result()["num_turns"], 2);
    assert!(turn.text().ends_with(&expected_final), "{:?}", turn.deltas);
    // The tool result reached the model.
    let reqs: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Messages)
        .collect();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1].last_user,
        script::LastUser::ToolResults("mock-bash".into())
    );
    // And the transcript records the call and its result.
    let t = Transcript::read(&transcripts(&sb.config)[0]).unwrap();
    let has = |f: &dyn Fn(&Block) -> bool| {
        t.messages()
            .any(|m| matches!(&m.content, Content::Blocks(b) if b.iter().any(f)))
    };
    assert!(has(
        &|b| matches!(b, Block::ToolUse { name, .. } if name == "Bash")
    ));
    assert!(has(
        &|b| matches!(b, Block::ToolResult { content, is_error: false, .. } if content.to_string().contains("mock-bash"))
    ));
    mock.shutdown().await;
}

async fn project_dir_names_match_the_cli(cli: Cli) {
    let mock = MockApi::start().await.unwrap();
    let sb = Sandbox::new();
    // A path longer than 200 chars in total, made of legal components.
    let long_rel = format!(
        "long/{}/{}/{}",
        "a_component.with-dots and spaces".repeat(2),
        "b".repeat(120),
        "ünï ç.ø_d €".repeat(3)
    );
    let cases = [
        "with spaces and.dots_and_underscores".to_string(),
        "ünïcødé 日本語 🎉 émoji".to_string(),
        long_rel,
    ];
    let long_cwd = sb.root.join(&cases[2]);
    let long_units = long_cwd.to_str().unwrap().encode_utf16().count();
    assert!(
        long_units > 230,
        "the long case must be longer than 200 UTF-16 units: {long_units}"
    );
    for rel in &cases {
        let project = sb.project(rel);
        let cwd = project.to_str().unwrap().to_owned();
        let o = drive(&cli, options(&sb, &mock, &project, None), &["where am I?"]).await;
        assert_clean_exit(&o);
        let id = o.session_id();
        let expected_dir = sb.config.join("projects").join(project_dir_name(&cwd));
        let file = expected_dir.join(format!("{id}.jsonl"));
        let all = transcripts(&sb.config);
        assert!(
            file.is_file(),
            "{}: for cwd {cwd:?} ({} UTF-16 units) ccdesk expects {}, the CLI wrote {all:?}",
            cli.label,
            cwd.encode_utf16().count(),
            file.display()
        );
        let index = SessionIndex::scan(&sb.config).unwrap();
        let s = index.find(&id).unwrap();
        assert_eq!(s.project_path.as_deref(), Some(cwd.as_str()));
        assert_eq!(s.transcript_path, file);
    }
    assert!(
        sb.root
            .join(&cases[2])
            .to_str()
            .unwrap()
            .encode_utf16()
            .count()
            > 200,
        "the long case is long"
    );
    assert_eq!(transcripts(&sb.config).len(), cases.len());
    mock.shutdown().await;
}

async fn search_finds_planted_words(cli: Cli) {
    use ccdesk_core::transcripts::index::{HitKind, LiveIndex};
    use ccdesk_core::transcripts::search::query::SearchQuery;
    let mock = MockApi::start().await.unwrap();
    let sb = Sandbox::new();
    let project = sb.project("search me");
    let mut opts = options(&sb, &mock, &project, None);
    opts.extra_args = vec!["--allowedTools=Bash".into()];
    let o = drive(
        &cli,
        opts,
        &[
            "MOCK_BASH parse_session_index ccdesk.core.search naïve café",
            "quokka wallaby",
        ],
    )
    .await;
    assert_clean_exit(&o);
    let id = o.session_id();
    let cache = sb.root.join("ccdesk-data").join("index.sqlite");
    let live = LiveIndex::new(sb.config.clone(), Some(cache));
    live.refresh_all().unwrap();
    let built = live.update_search(|_| {}).unwrap();
    assert!(built.done_bytes > 0, "{}: {built:?}", cli.label);
    let kinds = |q: &str| -> Vec<HitKind> {
        let r = live.search(&SearchQuery::parse(q, 0).unwrap(), 10).unwrap();
        assert_eq!(
            r.sessions
                .iter()
                .map(|s| s.session.id.as_str())
                .collect::<Vec<_>>(),
            vec![id.as_str()],
            "{}: {q}",
            cli.label
        );
        r.sessions[0].hits.iter().map(|h| h.kind).collect()
    };
    for q in [
        "parse_session_index",
        "ccdesk.core.search",
        "naive cafe",
        "NAÏVE",
    ] {
        assert!(kinds(q).contains(&HitKind::Prompt), "{}: {q}", cli.label);
    }
    let bash = kinds(&format!("\"{}\"", script::BASH_COMMAND));
    assert!(
        bash.contains(&HitKind::ToolInput),
        "{}: {bash:?}",
        cli.label
    );
    // `mock-bash` is in the prompt (MOCK_BASH), the command, the tool's output and the reply
    // quoting it: four lines at least, of which the best three are shown.
    let r = live
        .search(&SearchQuery::parse("mock-bash", 0).unwrap(), 10)
        .unwrap();
    assert!(
        r.sessions[0].hit_count >= 4,
        "{}: {:?}",
        cli.label,
        r.sessions[0]
    );
    let wallaby = kinds("wallaby");
    assert!(
        wallaby.contains(&HitKind::Reply) && wallaby.contains(&HitKind::Prompt),
        "{}: {wallaby:?}",
        cli.label
    );
    mock.shutdown().await;
}

macro_rules! suite {
    ($module:ident, $var:literal, $label:literal) => {
        mod $module {
            use super::*;

            fn cli() -> Option<Cli> {
                Cli::from_env($var, $label)
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn session_lifecycle() {
                let Some(cli) = cli() else { return };
                bounded(
                    2 * RUN_TIMEOUT,
                    "session_lifecycle",
                    super::session_lifecycle(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn vault_round_trip() {
                let Some(cli) = cli() else { return };
                bounded(
                    3 * RUN_TIMEOUT,
                    "vault_round_trip",
                    super::vault_round_trip(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn changes_per_turn() {
                let Some(cli) = cli() else { return };
                bounded(
                    2 * RUN_TIMEOUT,
                    "changes_per_turn",
                    super::changes_per_turn(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn usage_equals_ccusage() {
                let Some(cli) = cli() else { return };
                bounded(
                    3 * RUN_TIMEOUT,
                    "usage_equals_ccusage",
                    super::usage_equals_ccusage(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn two_prompts_in_one_process() {
                let Some(cli) = cli() else { return };
                bounded(
                    RUN_TIMEOUT,
                    "two_prompts_in_one_process",
                    super::two_prompts_in_one_process(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn resume_of_an_unknown_id_fails() {
                let Some(cli) = cli() else { return };
                bounded(
                    RUN_TIMEOUT,
                    "resume_of_an_unknown_id_fails",
                    super::resume_of_an_unknown_id_fails(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn api_error_is_reported() {
                let Some(cli) = cli() else { return };
                bounded(
                    RUN_TIMEOUT,
                    "api_error_is_reported",
                    super::api_error_is_reported(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn tool_use_round_trip() {
                let Some(cli) = cli() else { return };
                bounded(
                    RUN_TIMEOUT,
                    "tool_use_round_trip",
                    super::tool_use_round_trip(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn search_finds_planted_words() {
                let Some(cli) = cli() else { return };
                bounded(
                    RUN_TIMEOUT,
                    "search_finds_planted_words",
                    super::search_finds_planted_words(cli),
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn project_dir_names_match_the_cli() {
                let Some(cli) = cli() else { return };
                bounded(
                    3 * RUN_TIMEOUT,
                    "project_dir_names_match_the_cli",
                    super::project_dir_names_match_the_cli(cli),
                )
                .await;
            }
        }
    };
}

suite!(js, "CCDESK_REAL_CLI_JS", "2.1.112 JS");
suite!(native, "CCDESK_REAL_CLI_NATIVE", "native");
