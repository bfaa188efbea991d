//! The headless command line (no window, no display needed):
//!
//! - `ccdesk list [--json]`: every session, newest project first. With `--json`, one JSON object
//!   per line (the index's session summary: `id`, `projectPath`, `title`, `firstTimestamp`,
//!   `lastTimestamp`, `gitBranch`, `sizeBytes`, `resumability`, ...).
//! - `ccdesk show <session-id> [--json]`: the session's transcript. With `--json`, one JSON
//!   object: `{ "summary": .., "transcript": { "entries": [..], "malformedLines": n, .. } }`.
//!
//! Uses the same index and transcript code as the window.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use ccdesk_core::index::{find_session, Resumability, SessionIndex};
use ccdesk_core::transcript::{Block, Content, Entry, Transcript};

const USAGE: &str = "usage: ccdesk [list [--json] | show <session-id> [--json]]";

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
        ["help"] | ["--help"] | ["-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        ["list", ..] | ["show", ..] => Err(USAGE.to_owned()),
        _ => return None,
    };
    Some(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("ccdesk: {msg}");
            ExitCode::FAILURE
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
