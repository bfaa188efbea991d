//! The headless command line (no window, no display needed):
//!
//! - `ccdesk list [--json]`: every session, newest project first. With `--json`, one JSON object
//!   per line (the index's session summary: `id`, `projectPath`, `title`, `firstTimestamp`,
//!   `lastTimestamp`, `gitBranch`, `sizeBytes`, `resumability`, ...).
//! - `ccdesk show <session-id> [--json]`: the session's transcript. With `--json`, one JSON
//!   object: `{ "summary": .., "transcript": { "entries": [..], "malformedLines": n, .. } }`.
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

use ccdesk_core::index::{find_session, Resumability, SessionIndex};
use ccdesk_core::pool::{PermissionAnswer, SessionEvent, SessionState, StartRequest};
use ccdesk_core::runner::ClaudeCommand;
use ccdesk_core::transcript::{Block, Content, Entry, Transcript};

/// What `run` answers when Ctrl-C or SIGTERM ended it (exit code 130).
const INTERRUPTED: &str = "interrupted";

const USAGE: &str = "usage: ccdesk [<folder> | --resume <session-id>]   open the window (in the running ccdesk if there is one)\n       ccdesk list [--json] | show <session-id> [--json]\n       ccdesk run <folder> <prompt> [--json] | run --resume <session-id> <prompt> [--json]";

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
        ["show", id] => show(config_dir, id, json),
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

fn show(config_dir: &Path, id: &str, json: bool) -> Result<(), String> {
    let summary = find_session(config_dir, id).map_err(|e| e.to_string())?;
    let transcript = Transcript::read(&summary.transcript_path).map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({ "summary": summary, "transcript": transcript });
        return writeln!(out, "{v}").map_err(|e| e.to_string());
    }
    let _ = writeln!(
        out,
        "# {}\n# {}\n",
        summary.title,
        summary
            .project_path
            .as_deref()
            .unwrap_or("(unknown project path)")
    );
    for entry in &transcript.entries {
        let Entry::Message(m) = entry else { continue };
        if !m.is_conversation() || m.is_meta {
            continue;
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
        if writeln!(out, "{who}: {text}\n").is_err() {
            break;
        }
    }
    Ok(())
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
