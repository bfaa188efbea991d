//! The headless command line (no window, no display needed):
//!
//! - `ccdesk list [--json]`: every session, newest project first. With `--json`, one JSON object
//!   per line (the index's session summary: `id`, `projectPath`, `title`, `firstTimestamp`,
//!   `lastTimestamp`, `gitBranch`, `sizeBytes`, `resumability`, ...).
//! - `ccdesk show <session-id|key> [--json] [--from N] [--limit M] [--tail M]`: the session's
//!   transcript (lines `N..N+M`, or the last `M`; line numbers of the file, 0-based), read a page
//!   at a time so memory stays bounded whatever its size. With `--json`, one JSON object:
//!   `{ "summary": .., "transcript": { "from", "to", "total", "entries": [{ "index", "key",
//!   "lineBytes", "cut", "entry": {..} }], "malformedLines", "incompleteTail", "sizeBytes" } }`.
//!
//! - `ccdesk run <folder> <prompt> [--json]` and `ccdesk run --resume <session-id> <prompt> [--json]`:
//!   one turn through the session pool (same code as the window): the reply's text as it
//!   streams, or with `--json` every session event as a JSON line (`{"event":"cli","line":..}`,
//!   `{"event":"state","info":..}`, ...). Permission prompts are denied (nobody to ask); Ctrl-C
//!   or SIGTERM ends the session's whole process group first. Exit code 0 when the turn ended
//!   without error, 1 otherwise, 130 when interrupted.
//!
//! Uses the same index, transcript and pool code as the window.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use std::sync::Arc;

use ccdesk_core::index::{resolve_session, Resumability, SessionIndex};
use ccdesk_core::pool::{PermissionAnswer, SessionEvent, SessionState, StartRequest};
use ccdesk_core::runner::ClaudeCommand;
use ccdesk_core::transcript::{read_range, Block, Content, Entry, LineIndex, LineRange};

/// What `run` answers when Ctrl-C or SIGTERM ended it (exit code 130).
const INTERRUPTED: &str = "interrupted";

const USAGE: &str = "usage: ccdesk [<folder> | --resume <session-id>]   open the window (in the running ccdesk if there is one)\n       ccdesk list [--json] | show <session-id> [--json] [--from N] [--limit M] [--tail M]\n       ccdesk run <folder> <prompt> [--json] | run --resume <session-id> <prompt> [--json]";

/// Runs a headless command when `args` name one; `None` means "open the window".
pub fn try_run(args: &[String], config_dir: &Path) -> Option<ExitCode> {
    let json = args.iter().any(|a| a == "--json");
    let rest: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--json")
        .collect();
    let result = match rest.as_slice() {
        ["list"] => list(config_dir, json),
        ["show", id, opts @ ..] if !id.starts_with("--") => show(config_dir, id, opts, json),
        ["run", "--resume", id, prompt] => run(config_dir, None, Some(id), prompt, json),
        ["run", folder, prompt] if *folder != "--resume" => {
            run(config_dir, Some(folder), None, prompt, json)
        }
        ["help"] | ["--help"] | ["-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        ["list", ..] | ["show", ..] | ["run", ..] => Err(USAGE.to_owned()),
        _ => return None,
    };
    Some(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("ccdesk: {msg}");
            if msg == INTERRUPTED {
                ExitCode::from(130)
            } else {
                ExitCode::FAILURE
            }
        }
    })
}

fn list(config_dir: &Path, json: bool) -> Result<(), String> {
    let index = SessionIndex::scan(config_dir).map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    for e in &index.errors {
        eprintln!("ccdesk: {e}");
    }
    for s in index.sessions() {
        let line = if json {
            serde_json::to_string(s).map_err(|e| e.to_string())?
        } else {
            let state = match &s.resumability {
                Resumability::Resumable => "resumable".to_owned(),
                Resumability::NotResumable { message, .. } => format!("not resumable: {message}"),
            };
            format!(
                "{}  {}  {}  {}  [{}]",
                s.id,
                s.last_timestamp.as_deref().unwrap_or("-"),
                s.project_path
                    .as_deref()
                    .unwrap_or("(unknown project path)"),
                s.title,
                state
            )
        };
        if writeln!(out, "{line}").is_err() {
            break; // stdout closed (e.g. piped into head)
        }
    }
    Ok(())
}

/// `show`'s options: `--from N`, `--limit M`, `--tail M` (line numbers of the transcript file,
/// 0-based).
fn show_range(opts: &[&str]) -> Result<LineRange, String> {
    let mut from = None;
    let mut limit = None;
    let mut tail = None;
    let mut it = opts.iter();
    while let Some(flag) = it.next() {
        let slot = match *flag {
            "--from" => &mut from,
            "--limit" => &mut limit,
            "--tail" => &mut tail,
            _ => return Err(USAGE.to_owned()),
        };
        let value = it
            .next()
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or_else(|| format!("{flag} takes a whole number of lines\n{USAGE}"))?;
        *slot = Some(value);
    }
    match (from, limit, tail) {
        (None, limit, Some(n)) if limit.is_none() => Ok(LineRange::Tail(n)),
        (_, _, Some(_)) => Err(format!(
            "--tail cannot be used with --from or --limit\n{USAGE}"
        )),
        (from, limit, None) => Ok(LineRange::From {
            from: from.unwrap_or(0),
            limit,
        }),
    }
}

/// Prints a session's transcript (its `key` or id), a page at a time: memory stays that of one
/// page whatever the file's size. With `--json`, one object: `{"summary":..,"transcript":
/// {"from","to","total","entries":[{"index","key","lineBytes","cut","entry"}..],
/// "malformedLines","incompleteTail","sizeBytes"}}`, written as it is read.
fn show(config_dir: &Path, id: &str, opts: &[&str], json: bool) -> Result<(), String> {
    let range = show_range(opts)?;
    let summary = resolve_session(config_dir, id).map_err(|e| e.to_string())?;
    let lines = LineIndex::build(&summary.transcript_path).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed: Option<std::io::Error> = None;
    if json {
        let head = serde_json::to_string(&summary).map_err(|e| e.to_string())?;
        let mut first = true;
        let mut last = None;
        read_range(&lines, range, |page| {
            let mut write = || -> std::io::Result<()> {
                if first {
                    write!(
                        out,
                        "{{\"summary\":{head},\"transcript\":{{\"from\":{},\"entries\":[",
                        page.from
                    )?;
                }
                for e in &page.entries {
                    if !first {
                        out.write_all(b",")?;
                    }
                    first = false;
                    serde_json::to_writer(&mut out, e)?;
                }
                first = false;
                Ok(())
            };
            if let Err(e) = write() {
                failed = Some(e);
                return false;
            }
            let malformed = last.map_or(0, |(_, _, m, _, _)| m) + page.malformed_lines;
            last = Some((
                page.to,
                page.total,
                malformed,
                page.incomplete_tail,
                page.size_bytes,
            ));
            true
        })
        .map_err(|e| e.to_string())?;
        if let (None, Some((to, total, malformed, incomplete, size))) = (&failed, last) {
            let end = writeln!(
                out,
                "],\"to\":{to},\"total\":{total},\"malformedLines\":{malformed},\"incompleteTail\":{incomplete},\"sizeBytes\":{size}}}}}"
            );
            failed = end.and_then(|()| out.flush()).err();
        }
    } else {
        let _ = writeln!(
            out,
            "# {}\n# {}\n",
            summary.title,
            summary
                .project_path
                .as_deref()
                .unwrap_or("(unknown project path)")
        );
        read_range(&lines, range, |page| {
            for e in &page.entries {
                if let Some(text) = entry_text(&e.entry) {
                    if let Err(err) = writeln!(out, "{text}\n") {
                        failed = Some(err);
                        return false;
                    }
                }
            }
            true
        })
        .map_err(|e| e.to_string())?;
        failed = failed.or_else(|| out.flush().err());
    }
    match failed {
        // stdout closed (e.g. piped into head): not an error of ours.
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Some(e) => Err(e.to_string()),
        None => Ok(()),
    }
}

/// One line of the conversation as `show` prints it (`user: ...`), or `None` for bookkeeping.
fn entry_text(entry: &Entry) -> Option<String> {
    let m = match entry {
        Entry::Message(m) => m,
        Entry::TooLarge { bytes, .. } => {
            return Some(format!("[a line of {bytes} bytes, too large to show]"))
        }
        _ => return None,
    };
    if !m.is_conversation() || m.is_meta {
        return None;
    }
    let who = if m.is_sidechain {
        format!("{} (subagent)", m.kind)
    } else {
        m.kind.clone()
    };
    let text = match &m.content {
        Content::Text(t) => t.clone(),
        Content::Blocks(blocks) => blocks
            .iter()
            .map(|b| match b {
                Block::Text { text } => text.clone(),
                Block::Thinking { .. } => "[thinking]".to_owned(),
                Block::ToolUse { name, .. } => format!("[tool call: {name}]"),
                Block::ToolResult { .. } => "[tool result]".to_owned(),
                Block::Other { .. } => "[other]".to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    Some(format!("{who}: {text}"))
}

/// What the `run` sink tells the waiting loop.
enum Step {
    Permission(String),
    Done(bool),
}

fn run(
    config_dir: &Path,
    folder: Option<&str>,
    resume: Option<&str>,
    prompt: &str,
    json: bool,
) -> Result<(), String> {
    // The window's settings (the claude path, the pool's limits), read only.
    let (settings, notice) = crate::store::read_settings();
    if let Some(n) = notice {
        eprintln!("ccdesk: {n}");
    }
    let claude_path = settings.claude_path.clone();
    let child_env: Vec<(std::ffi::OsString, std::ffi::OsString)> = settings
        .config_dir
        .iter()
        .map(|d| ("CLAUDE_CONFIG_DIR".into(), d.clone().into_os_string()))
        .collect();
    let rt = tokio::runtime::Runtime::new().map_err(|e| format!("no async runtime: {e}"))?;
    rt.block_on(async {
        let pool = Arc::new(
            crate::new_pool(
                config_dir.to_path_buf(),
                settings.pool.clone(),
                Box::new(move || ClaudeCommand::locate_configured(claude_path.clone())),
                child_env,
            )
                .map_err(|e| e.to_string())?,
        );
        tokio::spawn(ccdesk_core::pool::sweep_forever(Arc::downgrade(&pool)));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let sink = Arc::new(move |ev: SessionEvent| {
            print_event(&ev, json);
            let step = match &ev {
                SessionEvent::Permission { request } => {
                    Some(Step::Permission(request.request_id.clone()))
                }
                SessionEvent::State { info } => match &info.state {
                    SessionState::Ready | SessionState::Closed => Some(Step::Done(info.errors == 0)),
                    SessionState::Failed { message, .. } => {
                        eprintln!("ccdesk: {message}");
                        Some(Step::Done(false))
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(step) = step {
                let _ = tx.send(step);
            }
        });
        let req = StartRequest {
            cwd: folder.map(Into::into),
            prompt: prompt.to_owned(),
            resume: resume.map(str::to_owned),
            ..Default::default()
        };
        let run_id = pool.start(req, sink).await.map_err(|e| e.to_string())?;
        let ok = loop {
            tokio::select! {
                step = rx.recv() => match step {
                    Some(Step::Permission(id)) => {
                        let deny = PermissionAnswer::Deny { message: "ccdesk run cannot ask anyone; denied.".into() };
                        let _ = pool.answer_permission(&run_id, &id, deny).await;
                    }
                    Some(Step::Done(ok)) => break ok,
                    None => break false,
                },
                () = shutdown_signal() => {
                    pool.close_all().await;
                    return Err(INTERRUPTED.to_owned());
                }
            }
        };
        pool.close_all().await;
        if ok {
            Ok(())
        } else {
            Err("the turn ended with an error".to_owned())
        }
    })
}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn print_event(ev: &SessionEvent, json: bool) {
    let mut out = std::io::stdout().lock();
    if json {
        if let Ok(line) = serde_json::to_string(ev) {
            let _ = writeln!(out, "{line}");
        }
        return;
    }
    if let SessionEvent::Cli { line } = ev {
        if let Some(text) = line.text_delta() {
            let _ = write!(out, "{text}");
            let _ = out.flush();
        } else if line.is_result() {
            let _ = writeln!(out);
        }
    }
}
