//! `fake-claude`: a stand-in for the Claude Code CLI in ccdesk's tests.
//!
//! It speaks `--output-format stream-json --verbose --input-format stream-json` like the real
//! CLI (2.1.x captures in `shared/samples`): one turn per `{"type":"user"}` stdin line, control
//! requests answered at any time, transcripts written under
//! `$CLAUDE_CONFIG_DIR/projects/<project-dir-name(cwd)>/<session-id>.jsonl`. Keywords in a
//! prompt (`FAKE_SLOW`, `FAKE_TOOL`, `FAKE_CRASH`, ...) switch on fault modes; see `turn.rs`
//! and `tests/fake-claude/README.md`.

mod args;
mod io;
mod transcript;
mod turn;
mod util;

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use serde_json::{json, Value};

use crate::io::{warn, Input, Out, Shared};
use crate::transcript::Transcript;
use crate::turn::{Session, TurnEnd};

/// Model named in `init` and on assistant messages unless `--model` says otherwise.
pub const DEFAULT_MODEL: &str = "fake-model";

fn main() {
    std::process::exit(run());
}

fn run() -> i32 {
    let args = args::parse(std::env::args().skip(1));
    let delay = std::env::var("FAKE_CLAUDE_DELAY_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis);
    let out = Out { delay };
    if args.version {
        out.raw(format!("{} (Claude Code)\n", util::VERSION).as_bytes());
        return 0;
    }
    if std::env::args().nth(1).as_deref() == Some("agents") {
        // `claude agents --json --all` (CLI 2.1.145+): the listing a test left in the config dir
        // as `fake-agents.json`, else none.
        let listing = config_dir()
            .and_then(|c| std::fs::read(c.join("fake-agents.json")).ok())
            .unwrap_or_else(|| b"[]\n".to_vec());
        out.raw(&listing);
        return 0;
    }
    let hang_if = std::env::var_os("FAKE_CLAUDE_HANG_BEFORE_INIT_IF")
        .filter(|p| !p.is_empty())
        .is_some_and(|p| Path::new(&p).exists());
    if hang_if || std::env::var("FAKE_CLAUDE_HANG_BEFORE_INIT").as_deref() == Ok("1") {
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let Some(config) = config_dir() else {
        warn("fake-claude: neither CLAUDE_CONFIG_DIR nor HOME is set");
        return 1;
    };
    let cwd = match std::env::current_dir() {
        Ok(p) => p.to_string_lossy().into_owned(),
        Err(e) => {
            warn(&format!("fake-claude: no current directory: {e}"));
            return 1;
        }
    };
    let project = config
        .join("projects")
        .join(ccdesk_core::transcripts::paths::project_dir_name(&cwd));
    let (session_id, transcript) = match open_session(&args, &project, &cwd, out) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let shared = Arc::new(Shared::new(
        out,
        session_id,
        cwd,
        args.model
            .clone()
            .unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        args.permission_mode
            .clone()
            .unwrap_or_else(|| "default".to_owned()),
    ));
    let prompt_tool = args.permission_prompt_tool.as_deref() == Some("stdio");
    let mut session = Session::new(
        Arc::clone(&shared),
        transcript,
        args.include_partial,
        prompt_tool,
    );

    // `claude -p "prompt"`: one turn, stdin unused.
    if let Some(prompt) = args.prompt {
        let msg = json!({"type": "user", "message": {"role": "user", "content": prompt}});
        return match turn::run(&mut session, &msg) {
            TurnEnd::Done { api_error } => i32::from(api_error),
            TurnEnd::Exit(code) => code,
        };
    }

    let (tx, rx) = mpsc::channel();
    io::spawn_stdin_reader(shared, tx);
    let mut last_api_error = false;
    while let Ok(Input::User(msg)) = rx.recv() {
        match turn::run(&mut session, &msg) {
            TurnEnd::Done { api_error } => last_api_error = api_error,
            TurnEnd::Exit(code) => return code,
        }
    }
    // stdin closed: like `claude -p`, an API error in the last turn makes the exit code 1.
    i32::from(last_api_error)
}

/// `$CLAUDE_CONFIG_DIR`, else `$HOME/.claude`.
fn config_dir() -> Option<PathBuf> {
    match std::env::var_os("CLAUDE_CONFIG_DIR") {
        Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
        _ => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".claude")),
    }
}

/// The newest `<id>.jsonl` of a project dir (`--continue`).
fn newest_session(project: &Path) -> Option<String> {
    std::fs::read_dir(project)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let path = e.path();
            let stem = path.file_stem()?.to_str()?.to_owned();
            let modified = e.metadata().ok()?.modified().ok()?;
            (path.extension()? == "jsonl" && uuid::Uuid::parse_str(&stem).is_ok())
                .then_some((modified, stem))
        })
        .max()
        .map(|(_, stem)| stem)
}

/// The real CLI's answer to `--resume <unknown id>` (then exit 1).
fn no_conversation_result(id: &str) -> Value {
    json!({
        "type": "result", "subtype": "error_during_execution", "duration_ms": 0,
        "duration_api_ms": 0, "is_error": true, "num_turns": 0, "stop_reason": null,
        "session_id": id, "total_cost_usd": 0,
        "usage": {"input_tokens": 0, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0, "output_tokens": 0,
                  "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0},
                  "service_tier": "standard"},
        "modelUsage": {}, "permission_denials": [], "uuid": util::uuid(),
        "errors": [format!("No conversation found with session ID: {id}")],
        "result_index": 0,
    })
}

/// Picks the session id and its transcript from `--resume`/`--continue`/`--fork-session`/
/// `--session-id`. `Err(code)`: the process must exit with `code` (the reason already given).
fn open_session(
    args: &args::Args,
    project: &Path,
    cwd: &str,
    out: Out,
) -> Result<(String, Transcript), i32> {
    let file = |id: &str| project.join(format!("{id}.jsonl"));
    let off = args.no_persistence;
    if let Some(id) = &args.session_id {
        if uuid::Uuid::parse_str(id).is_err() {
            warn("Error: Invalid session ID. Must be a valid UUID.");
            return Err(1);
        }
    }
    let new_id = |out_id: Option<&String>| -> Result<String, i32> {
        let id = out_id.cloned().unwrap_or_else(util::uuid);
        if file(&id).exists() {
            warn(&format!("Error: Session ID {id} is already in use."));
            return Err(1);
        }
        Ok(id)
    };
    let resume = match (&args.resume, args.continue_last) {
        (Some(id), _) => Some(id.clone()),
        (None, true) => match newest_session(project) {
            Some(id) => Some(id),
            None => {
                warn("No conversation found to continue");
                return Err(1);
            }
        },
        (None, false) => None,
    };
    let cwd = cwd.to_owned();
    match resume {
        Some(old) => {
            let old_path = file(&old);
            if uuid::Uuid::parse_str(&old).is_err() || !old_path.is_file() {
                out.line(&no_conversation_result(&old));
                return Err(1);
            }
            if args.fork {
                let id = new_id(args.session_id.as_ref())?;
                let t = Transcript::fork(&old_path, file(&id), id.clone(), cwd, off);
                Ok((id, t))
            } else {
                Ok((old.clone(), Transcript::resume(old_path, old, cwd, off)))
            }
        }
        None => {
            let id = new_id(args.session_id.as_ref())?;
            Ok((id.clone(), Transcript::new(file(&id), id, cwd, off)))
        }
    }
}
