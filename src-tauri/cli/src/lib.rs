//! The headless command line (no window, no display needed), parsed by clap (`ccdesk --help`,
//! `ccdesk <command> --help`); the same as `ccdesk-cli <command>`, a binary that loads none of
//! the window's libraries (GTK, WebKit: ~80-130 ms before `main` runs):
//!
//! - `ccdesk list [--json] [--no-cache]`: every session, newest project first, from the index cache
//!   in ccdesk's data dir (only changed transcripts are read; `--no-cache` reads them all). With `--json`, one JSON object
//!   per line (the index's session summary: `id`, `projectPath`, `title`, `firstTimestamp`,
//!   `lastTimestamp`, `gitBranch`, `sizeBytes`, `resumability`, ...).
//! - `ccdesk search <query> [--json] [--limit N] [--project PATH]`: full-text search over every
//!   transcript (the search index in ccdesk's data dir is brought up to date first), one session
//!   per line, best first; with `--json`, one object per line (`sessionId`, `key`, `projectPath`,
//!   `title`, `hitCount`, `score`, `hits`: `line`, `uuid`, `timestamp`, `kind`, `subagent`,
//!   `snippet`, `marks`).
//! - `ccdesk show <session-id|key> [--json] [--from N] [--limit M] [--tail M]`: the session's
//!   transcript (lines `N..N+M`, or the last `M`; line numbers of the file, 0-based), read a page
//!   at a time so memory stays bounded whatever its size. With `--json`, one JSON object:
//!   `{ "summary": .., "transcript": { "from", "to", "total", "entries": [{ "index", "key",
//!   "lineBytes", "cut", "entry": {..} }], "malformedLines", "incompleteTail", "sizeBytes" } }`.
//! - `ccdesk run <folder> <prompt> [--json]` and `ccdesk run --resume <session-id> <prompt> [--json]`:
//!   one turn through the session pool (same code as the window): the reply's text as it
//!   streams, or with `--json` every session event as a JSON line (`{"event":"cli","line":..}`,
//!   `{"event":"state","info":..}`, ...). Permission prompts are denied (nobody to ask); Ctrl-C,
//!   SIGTERM or SIGHUP ends the session's whole process group first.
//! - `ccdesk export <session> [--format md|html] [-o FILE]`: the session as Markdown or as one
//!   self-contained HTML file (inline styles, no scripts, no remote resources), to stdout or a
//!   file written atomically.
//! - `ccdesk archive [--all | <session>...]`: copies transcripts (and their `<id>/` files) into
//!   ccdesk's vault, compressed, up to the settings' cap; a copy there is brought up to date.
//!   `ccdesk restore <session>`: writes a copy back where the CLI looks for it, byte for byte,
//!   never over an existing file. Once the CLI has deleted a transcript, `list` shows its session
//!   from the vault (`"archived": true`, resumability `archived`: restore it first) and `show`
//!   reads it from there.
//!
//! Exit codes (`Failure::code`): 0 done; 1 failed (unknown session, unreadable transcript, a
//! turn that ended with an error, no `claude`); 2 bad usage (clap's message and usage on stderr);
//! 130 interrupted by Ctrl-C, SIGTERM or SIGHUP. Anything else on the command line (`ccdesk <folder>`,
//! `ccdesk --resume <id>`) opens the window instead (see `ccdesk_core::desktop::launch`).
//!
//! On a terminal, control characters in what is printed (titles, transcript text, snippets,
//! replies, error messages: text from transcripts and models) show as visible stand-ins
//! (`␛`, `�`) instead of being obeyed by the terminal (`terminal.rs`); pipes and files get the
//! bytes as they are.
//!
//! Uses the same index, transcript and pool code as the window.

mod terminal;

use ccdesk_core::ids::SessionId;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use std::sync::Arc;

use clap::{CommandFactory, Parser, Subcommand};

use ccdesk_core::claude::runner::ClaudeCommand;
use ccdesk_core::pool::{PermissionAnswer, SessionEvent, SessionState, StartRequest};
use ccdesk_core::transcripts::index::ProfileIndexes;
use ccdesk_core::transcripts::index::{LiveIndex, Resumability, SessionIndex, SessionSummary};
use ccdesk_core::transcripts::profiles::{Profile, Profiles};
use ccdesk_core::transcripts::retention::{self, Retention};
use ccdesk_core::transcripts::search::query::SearchQuery;
use ccdesk_core::transcripts::transcript::{
    read_range, Block, Content, Entry, LineIndex, LineRange,
};
use ccdesk_core::vault::Vault;

/// The first arguments that make a command line headless (clap's `help`, `--help`, `-h`,
/// `--version`, `-V` too); anything else opens the window.
const COMMANDS: [&str; 15] = [
    "agents",
    "list",
    "usage",
    "changes",
    "search",
    "show",
    "run",
    "archive",
    "restore",
    "export",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
];

/// ccdesk without its window: list and read the Claude Code sessions of this machine, or run one
/// turn of a session.
#[derive(Debug, Parser)]
#[command(
    name = "ccdesk",
    version,
    after_help = "Without a command, ccdesk opens its window: `ccdesk [<folder> | --resume <session-id>]` \
(in the running ccdesk when there is one).\n\nExit codes: 0 done, 1 failed, 2 bad usage, 130 interrupted (Ctrl-C, SIGTERM, SIGHUP).\n\
The transcripts are read from $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects (or the config dir of ccdesk's settings), \
and from the further config dirs the settings list; --config-dir names others instead."
)]
struct Cli {
    /// Read this Claude config dir instead of those of ccdesk's settings; repeat it for several
    /// (their sessions are listed together, the first's keyed `<dir>/<id>`, the others'
    /// `@<name>/<dir>/<id>`, each named after its settings entry or its folder).
    #[arg(long = "config-dir", value_name = "DIR", global = true)]
    config_dirs: Vec<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Every session, newest project first.
    List {
        /// One JSON object per session and line (the window's session summary).
        #[arg(long)]
        json: bool,
        /// Read every transcript, without the index cache (in ccdesk's data dir) that lets a
        /// listing open only the transcripts that changed since the last one.
        #[arg(long)]
        no_cache: bool,
    },
    /// Every session whose transcripts contain the query, best first: words (all must
    /// appear), "phrases", prefix*, -excluded, and filters project:, branch:, model:, since:,
    /// until:. Brings the search index up to date first (progress on stderr at a terminal).
    Search {
        /// The query (quote it for the shell: `ccdesk search 'parse_session_index -draft'`).
        #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
        query: Vec<String>,
        /// One JSON object per session and line: `sessionId`, `key`, `projectPath`, `title`,
        /// `hitCount`, `score`, `hits` (each: `line`, `uuid`, `timestamp`, `kind`, `subagent`,
        /// `snippet`, `marks` as [start, end) UTF-16 offsets into the snippet).
        #[arg(long)]
        json: bool,
        /// Most sessions to print.
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
        /// Only sessions of this project path (and the folders under it).
        #[arg(long, value_name = "PATH")]
        project: Option<String>,
    },
    /// A session's transcript, read a page at a time (bounded memory whatever its size).
    Show {
        /// A session id, or a session key `<project dir name>/<session id>` (project dir names
        /// start with `-`: `-home-me-proj/<id>`).
        #[arg(allow_hyphen_values = true)]
        session: String,
        /// One JSON object: the session's summary and the lines' entries.
        #[arg(long)]
        json: bool,
        /// First line to show (0-based line number of the transcript file).
        #[arg(long, value_name = "N", conflicts_with = "tail")]
        from: Option<usize>,
        /// Lines to show from `--from` (default: to the end).
        #[arg(long, value_name = "M", conflicts_with = "tail")]
        limit: Option<usize>,
        /// The last M lines.
        #[arg(long, value_name = "M")]
        tail: Option<usize>,
    },
    /// One turn of a session: `run <folder> <prompt>` starts one in a folder, `run --resume
    /// <session-id> <prompt>` continues one. Permission prompts are denied.
    Run {
        /// Continue this session (in the folder it was recorded in).
        #[arg(long, value_name = "SESSION_ID")]
        resume: Option<SessionId>,
        /// Every session event as a JSON line, instead of the reply's text.
        #[arg(long)]
        json: bool,
        /// `<folder> <prompt>`, or `<prompt>` with `--resume`.
        #[arg(value_name = "FOLDER|PROMPT", num_args = 1..=2, required = true)]
        args: Vec<String>,
    },
    /// Copies transcripts into ccdesk's vault (compressed, in its data dir), where the CLI's
    /// clean-up cannot delete them: every session with --all, else the sessions named. A copy
    /// already there is brought up to date (only new bytes are read).
    Archive {
        /// Every session of the config dir.
        #[arg(long, conflicts_with = "sessions")]
        all: bool,
        /// Session ids or keys `<project dir name>/<id>`.
        #[arg(allow_hyphen_values = true, required_unless_present = "all")]
        sessions: Vec<String>,
    },
    /// A session as Markdown or as one self-contained HTML file (no scripts, no remote
    /// resources): prompts, replies, thinking, tool calls and results, subagent runs.
    Export {
        /// A session id, or a key `<project dir name>/<id>` (an archived session is read from the
        /// vault).
        #[arg(allow_hyphen_values = true)]
        session: String,
        /// `md` or `html`.
        #[arg(long, value_enum, default_value_t = Format::Md)]
        format: Format,
        /// Write to this file (atomically) instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// What each turn of a session changed in files (its Edit, MultiEdit, Write and
    /// NotebookEdit calls that were applied), from the transcript alone: per turn, each file
    /// with lines added and removed, and with --diff the unified diffs.
    Changes {
        /// A session id, or a key `<project dir name>/<id>`.
        #[arg(allow_hyphen_values = true)]
        session: String,
        /// One JSON object: `turns`, each with `index`, `timestamp`, `prompt`, `line` and `files`,
        /// each file with `path`, `added`, `removed`, `diff` (unified), `created`, `tools`.
        #[arg(long)]
        json: bool,
        /// Print the diffs too (text output).
        #[arg(long)]
        diff: bool,
    },
    /// The sessions the CLI itself reports live (`claude agents --json --all`, CLI 2.1.145+):
    /// `claude`s in terminals and background jobs, with what each is doing, over every config
    /// dir. An older CLI is only asked its version, and the command says so (exit 0).
    Agents {
        /// One JSON object: `offered`, `cliVersion`, `skipped` and `agents`, each with `cwd`,
        /// `kind`, `activity` (needsInput, working, idle, completed, failed, stopped, unknown)
        /// and, when the CLI gave them, `pid`, `id`, `sessionId`, `name`, `status`,
        /// `waitingFor`, `state`, `startedAt` (ms since the epoch), `profile`.
        #[arg(long)]
        json: bool,
    },
    /// What the history cost: tokens (input, output, cache reads and writes) and dollars per
    /// day, session or project, from the transcripts' usage fields (each API message once;
    /// counted as `ccusage` counts them). Prices: the line's `costUSD`, else the model's price in
    /// ccdesk's price table (its source and date are printed).
    Usage {
        /// Group by `day` (local days, oldest first), `session` or `project` (most expensive
        /// first).
        #[arg(long, value_enum, default_value_t = By::Day)]
        by: By,
        /// First local day counted (YYYY-MM-DD or YYYYMMDD).
        #[arg(long, value_name = "DATE", value_parser = parse_day)]
        since: Option<chrono::NaiveDate>,
        /// Last local day counted (YYYY-MM-DD or YYYYMMDD).
        #[arg(long, value_name = "DATE", value_parser = parse_day)]
        until: Option<chrono::NaiveDate>,
        /// One JSON object: `rows` and `total`, each with `inputTokens`, `outputTokens`,
        /// `cacheReadTokens`, `cacheCreationTokens`, `costUsd` (rows also `key`, `label`,
        /// `lastMs`, `messages`, `unpricedMessages`), and `by`, `files`, `duplicates`, `prices`.
        #[arg(long)]
        json: bool,
    },
    /// Writes a session's copy from the vault back where the CLI looks for it (byte for byte;
    /// never over an existing transcript); `claude --resume <id>` works again after it.
    Restore {
        /// A session id, or a key `<project dir name>/<id>`.
        #[arg(allow_hyphen_values = true)]
        session: String,
    },
}

/// `ccdesk usage --by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum By {
    /// Local calendar days.
    Day,
    /// Sessions.
    Session,
    /// Project dirs.
    Project,
}

/// A day as `YYYY-MM-DD` or `YYYYMMDD` (ccusage's form).
fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    ccdesk_core::transcripts::usage::parse_day(s).map_err(|e| e.to_string())
}

/// `ccdesk export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Markdown.
    Md,
    /// One HTML file.
    Html,
}

/// Why a headless command did not succeed.
#[derive(Debug, PartialEq, Eq)]
enum Failure {
    /// Ctrl-C, SIGTERM or SIGHUP ended it (exit code 130).
    Interrupted,
    /// It failed; the message says why (exit code 1).
    Failed(String),
}

impl Failure {
    /// The process exit code for this failure.
    fn code(&self) -> u8 {
        match self {
            Failure::Interrupted => 130,
            Failure::Failed(_) => 1,
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Failed(message)
    }
}

/// The panic policy: a panic is logged (tracing, with where it happened) before the default hook
/// prints it; release builds then abort (`panic = "abort"` in the workspace's release profile), so
/// the watchdog or the Job Objects end the children.
fn log_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(at, what, "panic: ccdesk ends here (release builds abort)");
        default(info);
    }));
}

/// What both binaries do first: when started as the process watchdog
/// ([`ccdesk_core::claude::reaper::REAPER_ARG`]) serve it and return `Err(0)`; else set up
/// logging (stderr, filter `CCDESK_LOG`, default info) and return the config dir: the settings'
/// one, else `$CLAUDE_CONFIG_DIR`, else `~/.claude`.
///
/// Errors: the exit code to leave with (2, with a message, when no config dir can be named).
pub fn start() -> Result<std::path::PathBuf, ExitCode> {
    // The process watchdog: before anything else, no logging set-up.
    if std::env::args().nth(1).as_deref() == Some(ccdesk_core::claude::reaper::REAPER_ARG) {
        // A broad `killall ccdesk` must not take it down with the app.
        ccdesk_core::desktop::quit::survive_quit_signals();
        ccdesk_core::claude::reaper::serve(std::io::stdin().lock());
        return Err(ExitCode::SUCCESS);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CCDESK_LOG")
                .unwrap_or_else(|_| "ccdesk=info,ccdesk_core=info,ccdesk_cli=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    log_panics();
    let configured = ccdesk_core::store::read_settings().0.config_dir;
    configured
        .map_or_else(ccdesk_core::transcripts::paths::config_dir, Ok)
        .map_err(|e| {
            eprintln!("ccdesk: {e}");
            ExitCode::from(2)
        })
}

/// For `ccdesk-cli` given no command (or what opens the window in `ccdesk`): clap's usage on
/// stderr, exit code 2.
pub fn usage_only(args: &[String]) -> ExitCode {
    let what = args.first().map_or("no command", String::as_str);
    eprintln!("ccdesk-cli: {what}: not a command (the window opens with `ccdesk`)\n");
    let _ = Cli::command().write_help(&mut std::io::stderr());
    ExitCode::from(2)
}

/// Runs a headless command when `args` (the command line without the program name) name one;
/// `None` means "open the window". Bad usage prints clap's message and exits 2; `--help` and
/// `--version` print to stdout and exit 0.
pub fn try_run(args: &[String], config_dir: &Path) -> Option<ExitCode> {
    let first = args.first()?;
    if !COMMANDS.contains(&first.as_str()) {
        return None;
    }
    let cli =
        match Cli::try_parse_from(std::iter::once("ccdesk".to_owned()).chain(args.iter().cloned()))
        {
            Ok(cli) => cli,
            Err(e) => {
                let _ = e.print();
                return Some(ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)));
            }
        };
    let (profiles, explicit) = match profiles_for(config_dir, &cli.config_dirs) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ccdesk: {}", terminal::for_stderr(&e));
            return Some(ExitCode::from(2));
        }
    };
    let result = match cli.command {
        Command::List { json, no_cache } => list(&profiles, json, no_cache).map_err(Failure::from),
        Command::Search {
            query,
            json,
            limit,
            project,
        } => search(&profiles, &query.join(" "), json, limit, project).map_err(Failure::from),
        Command::Show {
            session,
            json,
            from,
            limit,
            tail,
        } => {
            let range = match tail {
                Some(n) => LineRange::Tail(n),
                None => LineRange::From {
                    from: from.unwrap_or(0),
                    limit,
                },
            };
            show(&profiles, &session, range, json).map_err(Failure::from)
        }
        Command::Run { resume, json, args } => match (resume.as_ref(), args.as_slice()) {
            (Some(id), [prompt]) => run(&profiles, explicit, None, Some(id), prompt, json),
            (None, [folder, prompt]) => run(&profiles, explicit, Some(folder), None, prompt, json),
            (Some(_), _) => usage("with --resume, run takes one argument: the prompt"),
            (None, _) => usage("run takes two arguments: the folder and the prompt"),
        },
        Command::Archive { all, sessions } => {
            archive(&profiles, all, &sessions).map_err(Failure::from)
        }
        Command::Restore { session } => restore(&profiles, &session).map_err(Failure::from),
        Command::Changes {
            session,
            json,
            diff,
        } => changes(&profiles, &session, json, diff).map_err(Failure::from),
        Command::Agents { json } => agents(&profiles, json).map_err(Failure::from),
        Command::Usage {
            by,
            since,
            until,
            json,
        } => usage_report(&profiles, by, since, until, json).map_err(Failure::from),
        Command::Export {
            session,
            format,
            output,
        } => export(&profiles, &session, format, output.as_deref()).map_err(Failure::from),
    };
    Some(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if let Failure::Failed(msg) = &failure {
                eprintln!("ccdesk: {}", terminal::for_stderr(msg));
            } else {
                eprintln!("ccdesk: interrupted");
            }
            ExitCode::from(failure.code())
        }
    })
}

/// The config dirs a headless command reads: those named with `--config-dir` (in that order,
/// each named as its entry in the settings, else after its folder), else those of the settings
/// with `config_dir` (what [`start`] found) first. Also says whether the first was named
/// explicitly (by `--config-dir` or the settings): only then do the children get it as
/// `CLAUDE_CONFIG_DIR` (the CLI keeps its `.claude.json` elsewhere when that is set).
///
/// Errors: a dir named twice, or more than [`ccdesk_core::transcripts::profiles::MAX_PROFILES`].
fn profiles_for(
    config_dir: &Path,
    given: &[std::path::PathBuf],
) -> Result<(Profiles, bool), String> {
    let settings = ccdesk_core::store::read_settings().0;
    if given.is_empty() {
        let explicit = settings.config_dir.is_some();
        return Ok((settings.profiles(config_dir.to_path_buf()), explicit));
    }
    let known = settings.profiles(config_dir.to_path_buf());
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut list: Vec<Profile> = Vec::new();
    for (i, dir) in given.iter().enumerate() {
        let dir = if dir.is_absolute() {
            dir.clone()
        } else {
            cwd.join(dir)
        };
        let name = known
            .iter()
            .find(|p| p.config_dir == dir)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| folder_profile_name(&dir, i));
        let mut unique = name.clone();
        let mut n = 2;
        while list.iter().any(|p| p.name == unique) {
            unique = format!("{name} {n}");
            n += 1;
        }
        list.push(Profile {
            name: unique,
            config_dir: dir,
        });
    }
    Ok((Profiles::new(list).map_err(|e| e.to_string())?, true))
}

/// A profile name for a config dir named on the command line: its folder's name without the
/// leading dot (`~/.claude-work` → `claude-work`), else `dir<i+1>`.
fn folder_profile_name(dir: &Path, i: usize) -> String {
    let name: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().trim_start_matches('.').to_owned())
        .unwrap_or_default()
        .chars()
        .take(ccdesk_core::transcripts::profiles::MAX_PROFILE_NAME)
        .collect();
    if ccdesk_core::transcripts::profiles::check_profile_name(&name).is_ok() {
        name
    } else {
        format!("dir{}", i + 1)
    }
}

/// Prints a usage error the way clap does (message, usage, exit code 2) and exits.
fn usage(message: &str) -> ! {
    Cli::command()
        .error(clap::error::ErrorKind::WrongNumberOfValues, message)
        .exit()
}

fn list(profiles: &Profiles, json: bool, no_cache: bool) -> Result<(), String> {
    let live = if no_cache {
        // Memory only: every transcript is read.
        ProfileIndexes::new(profiles.clone(), |p| {
            LiveIndex::new(p.config_dir.clone(), None)
        })
    } else {
        ProfileIndexes::with_default_cache(profiles.clone())
    };
    // Sessions the CLI deleted, from the vault (when there is one: listing never makes it).
    if let Some(vault) = existing_vault() {
        for (_, _, index) in live.each() {
            index.set_archive(Some(vault.clone()));
        }
    }
    let index = if no_cache && profiles.len() == 1 {
        Arc::new(SessionIndex::scan(&profiles.first().config_dir).map_err(|e| e.to_string())?)
    } else {
        live.refresh_all().map_err(|e| e.to_string())?.0
    };
    for e in &index.errors {
        eprintln!("ccdesk: {}", terminal::for_stderr(e));
    }
    let now_ms = retention::now_ms();
    let expiring = index
        .sessions()
        .filter(|s| {
            s.expires_at_ms
                .is_some_and(|e| Retention::expires_soon(e, now_ms))
        })
        .count();
    if expiring > 0 {
        eprintln!(
            "ccdesk: {expiring} session{} deleted by the CLI's clean-up within {} days ({})",
            if expiring == 1 { " is" } else { "s are" },
            retention::WARN_DAYS,
            terminal::for_stderr(&index.retention.describe()),
        );
    }
    // Buffered: one write(2) per 64 KiB, not per session (stdout alone flushes every line).
    let mut out = terminal::stdout();
    let written = (|| -> std::io::Result<()> {
        for s in index.sessions() {
            if json {
                serde_json::to_writer(&mut out, s)?;
                writeln!(out)?;
            } else {
                let state = match &s.resumability {
                    Resumability::Resumable => "resumable".to_owned(),
                    Resumability::NotResumable { message, .. } => {
                        format!("not resumable: {message}")
                    }
                };
                let expiry = s
                    .expires_at_ms
                    .and_then(|e| Retention::expiry_words(e, now_ms))
                    .map(|w| format!("  [{w}]"))
                    .unwrap_or_default();
                let profile = match (&s.profile, profiles.len()) {
                    (_, 1) => String::new(),
                    (Some(p), _) => format!("  ({p})"),
                    (None, _) => format!("  ({})", profiles.first().name),
                };
                writeln!(
                    out,
                    "{}  {}  {}  {}  [{}]{}{}",
                    s.id,
                    s.last_timestamp.as_deref().unwrap_or("-"),
                    s.project_path
                        .as_deref()
                        .unwrap_or("(unknown project path)"),
                    s.title,
                    state,
                    expiry,
                    profile
                )?;
            }
        }
        out.flush()
    })();
    // The process ends next: freeing 10,000 sessions one by one would cost a fifth of the
    // listing's time, and the OS takes the memory back at once (the cache's rows are committed).
    std::mem::forget(index);
    std::mem::forget(live);
    match written {
        // stdout closed (e.g. piped into head): what was asked for was printed.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write the list: {e}")),
        Ok(()) => Ok(()),
    }
}

/// The vault in ccdesk's data dir, when it has been made (by the window's setting or `archive`).
fn existing_vault() -> Option<Arc<Vault>> {
    let root = Vault::default_root()?;
    if !root.join("vault.sqlite").is_file() {
        return None;
    }
    match Vault::open(&root) {
        Ok(v) => Some(Arc::new(v)),
        Err(e) => {
            eprintln!(
                "ccdesk: the vault cannot be read: {}",
                terminal::for_stderr(&e.to_string())
            );
            None
        }
    }
}

/// `ccdesk archive`: copies sessions into the vault (made if missing), up to the settings' cap.
fn archive(profiles: &Profiles, all: bool, names: &[String]) -> Result<(), String> {
    let root = Vault::default_root().ok_or("no data dir on this system for the vault")?;
    let vault = Vault::open(&root).map_err(|e| e.to_string())?;
    let max = ccdesk_core::store::read_settings().0.vault.max_bytes();
    let live = ProfileIndexes::with_default_cache(profiles.clone());
    let (index, _) = live.refresh_all().map_err(|e| e.to_string())?;
    let sessions: Vec<&SessionSummary> = if all {
        index.sessions().collect()
    } else {
        let mut picked = Vec::new();
        for name in names {
            let found = index
                .sessions()
                .filter(|s| s.key == *name || s.id == *name)
                .max_by_key(|s| s.last_activity_ms);
            picked.push(found.ok_or_else(|| {
                format!("no session {name} was found in the Claude Code config dirs")
            })?);
        }
        picked
    };
    let mut report = ccdesk_core::vault::SyncReport::default();
    let mut stats: Option<ccdesk_core::vault::VaultStats> = None;
    let per_dir = profiles.by_config_dir(sessions.into_iter().cloned().collect());
    for (dir, sessions) in &per_dir {
        let r = vault
            .sync_all(dir, sessions.iter(), max)
            .map_err(|e| e.to_string())?;
        report = report.plus(r);
    }
    for p in profiles.iter() {
        let s = vault.stats(&p.config_dir).map_err(|e| e.to_string())?;
        stats = Some(match stats {
            None => s,
            Some(t) => t.plus(&s),
        });
    }
    let stats = stats.ok_or("no config dir")?;
    for e in &report.errors {
        eprintln!("ccdesk: {}", terminal::for_stderr(e));
    }
    println!(
        "{} session{} in the vault: {} file{} copied whole, {} brought up to date, {} unchanged; {} of transcripts in {} ({})",
        stats.sessions,
        if stats.sessions == 1 { "" } else { "s" },
        report.copied,
        if report.copied == 1 { "" } else { "s" },
        report.appended,
        report.unchanged,
        bytes(stats.original_bytes),
        bytes(stats.stored_bytes),
        stats.dir.display()
    );
    if report.skipped_full > 0 {
        return Err(format!(
            "the vault is at its cap ({} MiB): {} session{} not copied; raise the cap in the settings",
            max / (1024 * 1024),
            report.skipped_full,
            if report.skipped_full == 1 { "" } else { "s" }
        ));
    }
    if !report.errors.is_empty() {
        return Err(format!(
            "{} file(s) could not be copied",
            report.errors.len()
        ));
    }
    Ok(())
}

/// `ccdesk restore`: writes a session's copy back to the CLI's config dir.
fn restore(profiles: &Profiles, name: &str) -> Result<(), String> {
    let vault = existing_vault().ok_or("the vault is empty: nothing was archived")?;
    let (i, inner) = profiles
        .split_key(name)
        .ok_or_else(|| format!("no config dir is named in {name}"))?;
    let config_dir = &profiles.get(i).ok_or("no such config dir")?.config_dir;
    let report = vault
        .restore(config_dir, inner)
        .map_err(|e| e.to_string())?;
    println!(
        "restored {} ({} file{}, {}); `claude --resume` finds it again",
        report.transcript.display(),
        report.files,
        if report.files == 1 { "" } else { "s" },
        bytes(report.bytes)
    );
    Ok(())
}

/// `ccdesk export`: a session as Markdown or HTML, to stdout or a file written atomically.
fn export(
    profiles: &Profiles,
    name: &str,
    format: Format,
    output: Option<&Path>,
) -> Result<(), String> {
    use ccdesk_core::transcripts::export::{export_session, ExportFormat};
    let vault = existing_vault();
    let summary = profiles
        .resolve_session(name, vault.as_deref())
        .map_err(|e| e.to_string())?;
    let format = match format {
        Format::Md => ExportFormat::Markdown,
        Format::Html => ExportFormat::Html,
    };
    match output {
        None => {
            let mut out = terminal::stdout();
            match export_session(&summary, &summary.transcript_path, format, &mut out) {
                Ok(_) => Ok(()),
                // stdout closed (piped into head): what was asked for was printed.
                Err(ccdesk_core::CoreError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::BrokenPipe =>
                {
                    Ok(())
                }
                Err(e) => Err(e.to_string()),
            }
        }
        Some(path) => {
            let stats = ccdesk_core::transcripts::export::export_to_file(
                &summary,
                &summary.transcript_path,
                format,
                path,
            )
            .map_err(|e| e.to_string())?;
            eprintln!(
                "ccdesk: wrote {} ({} prompts, {} tool calls, {} subagent runs, {})",
                path.display(),
                stats.prompts,
                stats.tool_calls,
                stats.subagents,
                bytes(stats.bytes)
            );
            Ok(())
        }
    }
}

/// `ccdesk agents`: what `claude agents --json --all` reports live, over every config dir.
fn agents(profiles: &Profiles, json: bool) -> Result<(), String> {
    let (settings, notice) = ccdesk_core::store::read_settings();
    if let Some(n) = notice {
        eprintln!("ccdesk: {n}");
    }
    let claude = ClaudeCommand::locate_configured(settings.claude_path.clone())
        .map_err(|e| e.to_string())?;
    let timeout = std::time::Duration::from_millis(ccdesk_core::claude::agents::AGENTS_TIMEOUT_MS);
    let listing = ccdesk_core::claude::agents::list_agents_of_profiles(&claude, profiles, timeout)
        .map_err(|e| e.to_string())?;
    let mut out = terminal::stdout();
    let written = (|| -> std::io::Result<()> {
        if json {
            serde_json::to_writer(&mut out, &listing)?;
            writeln!(out)?;
            return out.flush();
        }
        if !listing.offered {
            writeln!(
                out,
                "this claude ({}) cannot list its sessions: `claude agents --json` came with 2.1.145",
                listing.cli_version.as_deref().unwrap_or("version unknown")
            )?;
            return out.flush();
        }
        for a in &listing.agents {
            let activity = serde_json::to_value(a.activity)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            writeln!(
                out,
                "{activity}\t{}\t{}\t{}\t{}{}",
                a.kind,
                a.session_id.as_deref().unwrap_or("-"),
                a.name.as_deref().unwrap_or("-"),
                a.cwd.display(),
                a.profile
                    .as_deref()
                    .map(|p| format!("\t@{p}"))
                    .unwrap_or_default()
            )?;
        }
        if listing.agents.is_empty() {
            writeln!(out, "no claude runs in a terminal or as a background job")?;
        }
        out.flush()
    })();
    written.map_err(|e| format!("cannot write the listing: {e}"))
}

/// `ccdesk changes`: a session's file changes per turn.
fn changes(profiles: &Profiles, name: &str, json: bool, diff: bool) -> Result<(), String> {
    let vault = existing_vault();
    let summary = profiles
        .resolve_session(name, vault.as_deref())
        .map_err(|e| e.to_string())?;
    let changes = ccdesk_core::transcripts::changes::session_changes(
        &summary.transcript_path,
        summary.project_path.as_deref(),
    )
    .map_err(|e| e.to_string())?;
    let mut out = terminal::stdout();
    let written = (|| -> std::io::Result<()> {
        if json {
            serde_json::to_writer(&mut out, &changes)?;
            writeln!(out)?;
            return out.flush();
        }
        for t in &changes.turns {
            writeln!(
                out,
                "turn {}  {}  {}",
                t.index,
                t.timestamp.as_deref().unwrap_or("-"),
                t.prompt.lines().next().unwrap_or_default()
            )?;
            for f in &t.files {
                writeln!(
                    out,
                    "  {}  +{} -{}{}",
                    f.path,
                    f.added,
                    f.removed,
                    if f.created { "  (new)" } else { "" }
                )?;
                if diff {
                    out.write_all(f.diff.as_bytes())?;
                }
            }
        }
        writeln!(
            out,
            "{} turn(s) changed files: +{} -{}",
            changes.turns.len(),
            changes.added,
            changes.removed
        )?;
        out.flush()
    })();
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write the changes: {e}")),
        Ok(()) => Ok(()),
    }
}

/// `ccdesk usage`: the table, or one JSON object.
fn usage_report(
    profiles: &Profiles,
    by: By,
    since: Option<chrono::NaiveDate>,
    until: Option<chrono::NaiveDate>,
    json: bool,
) -> Result<(), String> {
    use ccdesk_core::transcripts::usage::{usage as count, UsageBy, UsageQuery};
    let query = UsageQuery {
        by: match by {
            By::Day => UsageBy::Day,
            By::Session => UsageBy::Session,
            By::Project => UsageBy::Project,
        },
        since,
        until,
    };
    let report = count(profiles, &query).map_err(|e| e.to_string())?;
    let mut out = terminal::stdout();
    let written = (|| -> std::io::Result<()> {
        if json {
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
            return out.flush();
        }
        let head = match by {
            By::Day => "day",
            By::Session => "session",
            By::Project => "project",
        };
        writeln!(
            out,
            "{:<40} {:>12} {:>12} {:>14} {:>14} {:>10}",
            head, "input", "output", "cache read", "cache write", "USD"
        )?;
        let line =
            |out: &mut dyn Write, label: &str, t: &ccdesk_core::transcripts::usage::UsageTotals| {
                let label: String = if label.chars().count() > 40 {
                    let tail: Vec<char> = label.chars().rev().take(39).collect();
                    format!("…{}", tail.into_iter().rev().collect::<String>())
                } else {
                    label.to_owned()
                };
                writeln!(
                    out,
                    "{:<40} {:>12} {:>12} {:>14} {:>14} {:>10.4}",
                    label,
                    t.input_tokens,
                    t.output_tokens,
                    t.cache_read_tokens,
                    t.cache_creation_tokens,
                    t.cost_usd
                )
            };
        for r in &report.rows {
            line(&mut out, &r.label, &r.totals)?;
        }
        line(&mut out, "total", &report.total)?;
        out.flush()
    })();
    if !json {
        if report.total.unpriced_messages > 0 {
            eprintln!(
                "ccdesk: {} message(s) of models with no price are counted at $0",
                report.total.unpriced_messages
            );
        }
        eprintln!("ccdesk: prices: {}", report.prices);
    }
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write the usage: {e}")),
        Ok(()) => Ok(()),
    }
}

/// Bytes in words: `812 B`, `3.4 MiB`.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// Prints a session's transcript (its `key` or id), a page at a time: memory stays that of one
/// page whatever the file's size. With `--json`, one object: `{"summary":..,"transcript":
/// {"from","to","total","entries":[{"index","key","lineBytes","cut","entry"}..],
/// "malformedLines","incompleteTail","sizeBytes"}}`, written as it is read.
/// One session of `ccdesk search --json`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SearchLine<'a> {
    session_id: &'a str,
    key: &'a str,
    project_path: Option<&'a str>,
    title: &'a str,
    hit_count: u32,
    score: f64,
    hits: &'a [ccdesk_core::transcripts::index::SearchHit],
}

fn search(
    profiles: &Profiles,
    query: &str,
    json: bool,
    limit: usize,
    project: Option<String>,
) -> Result<(), String> {
    use std::io::IsTerminal;
    let mut q = SearchQuery::parse_now(query).map_err(|e| e.to_string())?;
    if project.is_some() {
        q.project = project;
    }
    if !q.has_text() {
        return Err("the query has nothing to look for (only filters or excluded words)".into());
    }
    let live = ProfileIndexes::with_default_cache(profiles.clone());
    live.refresh_all_for_search().map_err(|e| e.to_string())?;
    let tty = std::io::stderr().is_terminal();
    let mut last = std::time::Instant::now();
    live.update_search(|p| {
        if tty && p.total_bytes > 0 && last.elapsed().as_millis() >= 250 {
            last = std::time::Instant::now();
            eprint!(
                "\rccdesk: indexing {:>3}% ({} of {} files)",
                p.done_bytes * 100 / p.total_bytes.max(1),
                p.done_files,
                p.total_files
            );
        }
    })
    .map_err(|e| e.to_string())?;
    if tty {
        eprint!("\r\x1b[K");
    }
    let results = live.search(&q, limit).map_err(|e| e.to_string())?;
    let mut out = terminal::stdout();
    let written = (|| -> std::io::Result<()> {
        for s in &results.sessions {
            if json {
                serde_json::to_writer(
                    &mut out,
                    &SearchLine {
                        session_id: &s.session.id,
                        key: &s.session.key,
                        project_path: s.session.project_path.as_deref(),
                        title: &s.session.title,
                        hit_count: s.hit_count,
                        score: s.score,
                        hits: &s.hits,
                    },
                )?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{}  {}  {}  ({} hits)",
                    s.session.id,
                    s.session
                        .project_path
                        .as_deref()
                        .unwrap_or("(unknown project path)"),
                    s.session.title,
                    s.hit_count
                )?;
                for h in &s.hits {
                    writeln!(out, "    line {}: {}", h.line, h.snippet)?;
                }
            }
        }
        out.flush()
    })();
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write the results: {e}")),
        Ok(()) => Ok(()),
    }
}

fn show(profiles: &Profiles, id: &str, range: LineRange, json: bool) -> Result<(), String> {
    // A session the CLI deleted is read from the vault's copy.
    let vault = existing_vault();
    let summary = profiles
        .resolve_session(id, vault.as_deref())
        .map_err(|e| e.to_string())?;
    let transcript = summary.transcript_path.clone();
    let lines = LineIndex::build(&transcript).map_err(|e| e.to_string())?;
    let mut out = terminal::stdout();
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
    profiles: &Profiles,
    explicit: bool,
    folder: Option<&str>,
    resume: Option<&SessionId>,
    prompt: &str,
    json: bool,
) -> Result<(), Failure> {
    // The window's settings (the claude path, the pool's limits), read only.
    let (settings, notice) = ccdesk_core::store::read_settings();
    if let Some(n) = notice {
        eprintln!("ccdesk: {n}");
    }
    let claude_path = settings.claude_path.clone();
    let config_dir = &profiles.first().config_dir;
    let child_env: Vec<(std::ffi::OsString, std::ffi::OsString)> = if explicit {
        vec![(
            "CLAUDE_CONFIG_DIR".into(),
            config_dir.clone().into_os_string(),
        )]
    } else {
        Vec::new()
    };
    // A resumed session runs under the config dir that holds it.
    let profile = match resume {
        Some(id) if profiles.len() > 1 => profiles
            .resolve_session(id.as_str(), None)
            .ok()
            .and_then(|s| s.profile),
        _ => None,
    };
    let rt = tokio::runtime::Runtime::new().map_err(|e| format!("no async runtime: {e}"))?;
    rt.block_on(async {
        let pool = Arc::new(
            ccdesk_core::pool::new_pool(
                config_dir.to_path_buf(),
                settings.pool.clone(),
                Arc::new(move || ClaudeCommand::locate_configured(claude_path.clone())),
                child_env,
                ccdesk_core::store::session_locks_dir(config_dir),
            )
                .map_err(|e| e.to_string())?
                .with_profiles(profiles.clone()),
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
                        eprintln!("ccdesk: {}", terminal::for_stderr(message));
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
            resume: resume.cloned(),
            profile,
            ..Default::default()
        };
        // Listening from here on (a signal between two turns of the loop is not lost).
        let quit = ccdesk_core::desktop::quit::quit_requested();
        tokio::pin!(quit);
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
                why = &mut quit => {
                    tracing::info!(signal = why, "asked to end: closing the session");
                    pool.close_all().await;
                    return Err(Failure::Interrupted);
                }
            }
        };
        pool.close_all().await;
        if ok {
            Ok(())
        } else {
            Err(Failure::Failed("the turn ended with an error".to_owned()))
        }
    })
}

fn print_event(ev: &SessionEvent, json: bool) {
    let mut out = terminal::stdout();
    if json {
        if let Ok(line) = serde_json::to_string(ev) {
            let _ = writeln!(out, "{line}");
        }
    } else if let SessionEvent::Cli { line } = ev {
        if let Some(text) = line.text_delta() {
            let _ = write!(out, "{text}");
        } else if line.is_result() {
            let _ = writeln!(out);
        }
    }
    let _ = out.flush();
}
