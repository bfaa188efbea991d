//! The sessions the CLI itself reports as live: `claude agents --json --all`, offered from CLI
//! 2.1.145 on (the pinned native 2.1.330 has it; the JS builds 2.1.112 and 1.0.128 answer
//! `error: unknown option '--json'`).
//!
//! Source: CLI 2.1.330 native, `claude agents --json` (its `printAgentsJson`). It prints one
//! pretty-printed JSON array, sorted by `startedAt`, of the interactive sessions registered in
//! `<config dir>/sessions/<pid>.json` whose process is alive, and of the background jobs (with
//! `--all`, finished ones too):
//!
//! ```json
//! [{ "pid": 30223, "cwd": "/tmp/proj", "kind": "interactive", "startedAt": 1796264851573,
//!    "sessionId": "575f3f7d-…", "name": "proj-b2", "status": "idle" },
//!  { "pid": 48790, "id": "k3m9x2qa", "cwd": "/src", "kind": "background",
//!    "startedAt": 1764720412908, "sessionId": "0b8e…", "status": "busy", "state": "working" }]
//! ```
//!
//! It reads only `CLAUDE_CONFIG_DIR` (else `~/.claude`), needs no network (it answers offline)
//! and answers in well under a second. With `CLAUDE_CODE_DISABLE_AGENT_VIEW` set (or the
//! `disableAgentView` setting) it exits 1 with `'claude agents --json' is disabled by …`, which
//! counts as not offered here.
//!
//! Decoding is lenient: unknown fields are ignored, unknown `kind` / `status` / `state` values are
//! kept as the strings the CLI printed, and an element that is not an object or has no `cwd` is
//! skipped and counted ([`AgentListing::skipped`]).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::claude::bounded::{self, Outcome};
use crate::claude::runner::ClaudeCommand;
use crate::error::CoreError;

/// The first CLI version with `claude agents --json`, as `(major, minor, patch)`.
pub const AGENTS_SINCE: (u64, u64, u64) = (2, 1, 145);
/// A sensible bound for [`list_agents`]'s `timeout` (each of its two commands), in ms.
pub const AGENTS_TIMEOUT_MS: u64 = 10_000;
/// Most bytes of the CLI's stdout kept (16 MiB); a longer listing is cut and fails to parse.
pub const MAX_STDOUT_BYTES: u64 = 16 << 20;
/// Bytes of the CLI's stderr kept for error messages (the first ones).
pub const MAX_STDERR_BYTES: u64 = 64 << 10;

/// The arguments after the program (and its script).
const AGENTS_ARGS: [&str; 3] = ["agents", "--json", "--all"];
/// What an error message calls the command.
const AGENTS_COMMAND: &str = "`claude agents --json --all`";

/// What a listed session is doing, derived from its `state` (background jobs) and `status`.
///
/// A known `state` wins: `blocked` → [`NeedsInput`](Self::NeedsInput), `working` →
/// [`Working`](Self::Working), `done` → [`Completed`](Self::Completed), `failed` →
/// [`Failed`](Self::Failed), `stopped` → [`Stopped`](Self::Stopped). Otherwise the `status`:
/// `waiting` → needs input, `busy` → working, `idle` → [`Idle`](Self::Idle). Anything else is
/// [`Unknown`](Self::Unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AgentActivity {
    /// Waits for the user: a permission prompt, a question, a dialog (`state: "blocked"` or
    /// `status: "waiting"`; `waitingFor` says what).
    NeedsInput,
    /// Running a turn (`state: "working"` or `status: "busy"`).
    Working,
    /// An interactive session at its prompt (`status: "idle"`, no `state`).
    Idle,
    /// A background job that finished (`state: "done"`).
    Completed,
    /// A background job that failed (`state: "failed"`).
    Failed,
    /// A background job that was stopped (`state: "stopped"`).
    Stopped,
    /// Neither a known `state` nor a known `status`: e.g. an interactive session in its first
    /// moments, listed before it has recorded a status (seen with 2.1.330).
    Unknown,
}

impl AgentActivity {
    /// The activity of a session with this `state` and `status`, as the CLI printed them.
    pub fn of(state: Option<&str>, status: Option<&str>) -> Self {
        match state {
            Some("blocked") => return AgentActivity::NeedsInput,
            Some("working") => return AgentActivity::Working,
            Some("done") => return AgentActivity::Completed,
            Some("failed") => return AgentActivity::Failed,
            Some("stopped") => return AgentActivity::Stopped,
            _ => {}
        }
        match status {
            Some("waiting") => AgentActivity::NeedsInput,
            Some("busy") => AgentActivity::Working,
            Some("idle") => AgentActivity::Idle,
            _ => AgentActivity::Unknown,
        }
    }
}

/// One session as `claude agents --json` lists it (source: CLI 2.1.330 native, `claude agents
/// --json`), plus the [`AgentActivity`] derived from it.
///
/// Serializes to the CLI's camelCase names (absent fields omitted) with `activity` added.
/// Deserializes leniently from the CLI's element (or from its own serialization): unknown fields
/// are ignored, a field of the wrong type counts as absent, and `activity` is always derived
/// again; only a non-object or a missing `cwd` fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", try_from = "Value")]
pub struct CliAgent {
    /// The session's process id; absent for a background job whose process has ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The background job's id (what `claude attach <id>` takes); only for background jobs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The session's working directory, as the CLI recorded it.
    pub cwd: PathBuf,
    /// `"interactive"` (a `claude` in a terminal) or `"background"` (a job); another value is
    /// kept as printed.
    pub kind: String,
    /// When the session started, in ms since the Unix epoch; `None` when the CLI printed none or
    /// `null` (a background job whose creation time does not parse).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    /// The CLI's session id (the transcript's file name), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The session's display name (e.g. `proj-b2`, or a job's intent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `"idle"`, `"waiting"` or `"busy"` (another value kept as printed), when the process is
    /// alive and has recorded one (an interactive session has none for its first moments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// What a `waiting` session waits for; a string in 2.1.330 (`"input needed"`,
    /// `"dialog open"`), kept as any JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<Value>,
    /// A background job's state: `"working"`, `"blocked"`, `"done"`, `"failed"` or `"stopped"`
    /// (another value kept as printed); absent for interactive sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Derived from `state` and `status` ([`AgentActivity::of`]).
    pub activity: AgentActivity,
    /// The name of ccdesk's config dir it was listed from ([`list_agents_of_profiles`], with
    /// two or more config dirs); not the CLI's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

impl TryFrom<Value> for CliAgent {
    type Error = String;

    /// Errors: the value is not an object, or has no string `cwd`.
    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let Value::Object(map) = value else {
            return Err("a listed agent is not a JSON object".to_owned());
        };
        CliAgent::from_map(&map).ok_or_else(|| "a listed agent has no cwd".to_owned())
    }
}

impl CliAgent {
    fn from_map(map: &Map<String, Value>) -> Option<CliAgent> {
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let cwd = PathBuf::from(map.get("cwd")?.as_str()?);
        let state = text("state");
        let status = text("status");
        Some(CliAgent {
            pid: map
                .get("pid")
                .and_then(Value::as_u64)
                .and_then(|p| u32::try_from(p).ok()),
            id: text("id"),
            cwd,
            kind: text("kind").unwrap_or_default(),
            started_at: map.get("startedAt").and_then(millis),
            session_id: text("sessionId"),
            name: text("name"),
            waiting_for: map.get("waitingFor").filter(|v| !v.is_null()).cloned(),
            activity: AgentActivity::of(state.as_deref(), status.as_deref()),
            status,
            state,
            profile: None,
        })
    }

    /// Whether the CLI calls it an interactive session (`kind: "interactive"`).
    pub fn is_interactive(&self) -> bool {
        self.kind == "interactive"
    }

    /// Whether the CLI calls it a background job (`kind: "background"`).
    pub fn is_background(&self) -> bool {
        self.kind == "background"
    }
}

/// A JSON number of ms as an integer (a fraction dropped); `None` for anything else.
fn millis(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.is_finite() && f.abs() < 9.0e15)
            .map(|f| f.trunc() as i64)
    })
}

/// What [`list_agents`] found.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AgentListing {
    /// Whether this CLI offers `claude agents --json` (version 2.1.145 or later, and not
    /// disabled by `CLAUDE_CODE_DISABLE_AGENT_VIEW` / `disableAgentView`). When false, `agents`
    /// is empty and nothing was listed.
    pub offered: bool,
    /// The sessions, in the CLI's order (by `startedAt`, oldest first).
    pub agents: Vec<CliAgent>,
    /// Elements of the CLI's array that were skipped (not an object, or no `cwd`).
    pub skipped: u32,
    /// First line of `claude --version` (e.g. `2.1.330 (Claude Code)`); `None` when it failed or
    /// did not answer in time (then `offered` is false).
    pub cli_version: Option<String>,
}

impl AgentListing {
    /// The listing of a CLI that does not offer `claude agents --json`.
    fn not_offered(cli_version: Option<String>) -> Self {
        AgentListing {
            offered: false,
            agents: Vec::new(),
            skipped: 0,
            cli_version,
        }
    }
}

/// [`list_agents`] for every config dir of `profiles`, as one listing in the CLI's order per
/// dir; with two or more dirs each agent names its dir ([`CliAgent::profile`]). The CLI's
/// version is asked once (one CLI answers for all dirs).
///
/// Blocking. Errors: the first error of [`list_agents`].
pub fn list_agents_of_profiles(
    claude: &ClaudeCommand,
    profiles: &crate::transcripts::profiles::Profiles,
    timeout: Duration,
) -> Result<AgentListing, CoreError> {
    // One CLI answers for every dir: its version is asked once.
    let version = match offering_version(claude, timeout)? {
        Ok(v) => v,
        Err(listing) => return Ok(listing),
    };
    let mut all = AgentListing {
        offered: true,
        agents: Vec::new(),
        skipped: 0,
        cli_version: Some(version.clone()),
    };
    for p in profiles.iter() {
        let mut one = list_in(claude, Some(&p.config_dir), version.clone(), timeout)?;
        if !one.offered {
            return Ok(one);
        }
        if profiles.len() > 1 {
            for a in &mut one.agents {
                a.profile = Some(p.name.clone());
            }
        }
        all.agents.append(&mut one.agents);
        all.skipped += one.skipped;
    }
    Ok(all)
}

/// Whether a CLI whose `--version` prints `version` (e.g. `2.1.330 (Claude Code)`) offers
/// `claude agents --json`: its leading `major.minor.patch` is at least [`AGENTS_SINCE`]
/// (2.1.145). A pre-release suffix (`2.1.145-beta.1`) counts as that version; text that does not
/// start with three dot-separated numbers gives false.
pub fn offers_agents(version: &str) -> bool {
    parse_version(version).is_some_and(|v| v >= AGENTS_SINCE)
}

/// The leading `major.minor.patch` of a `--version` line.
fn parse_version(version: &str) -> Option<(u64, u64, u64)> {
    let word = version.split_whitespace().next()?;
    let mut parts = word.splitn(3, '.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    // The patch may carry a pre-release or build suffix: `145-beta.1`, `145+abc`.
    let patch = parts.next()?;
    let digits = &patch[..patch
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(patch.len())];
    Some((major, minor, digits.parse().ok()?))
}

/// Decodes what `claude agents --json` prints (source: CLI 2.1.330 native, `claude agents
/// --json`): a JSON array of sessions. Returns the sessions in order and how many elements were
/// skipped (not an object, or no string `cwd`). Text before the array (a warning line) is
/// tolerated when the array starts on a line of its own.
///
/// Errors: [`CoreError::ControlRequest`] when the text holds no JSON array.
pub fn parse_agents_json(text: &str) -> Result<(Vec<CliAgent>, u32), CoreError> {
    let elements = match serde_json::from_str::<Vec<Value>>(text) {
        Ok(elements) => elements,
        Err(first) => text
            .match_indices('\n')
            .map(|(i, _)| &text[i + 1..])
            .find(|rest| rest.starts_with('['))
            .and_then(|rest| serde_json::from_str::<Vec<Value>>(rest).ok())
            .ok_or_else(|| {
                CoreError::ControlRequest(format!(
                    "{AGENTS_COMMAND} did not print a JSON array ({first})"
                ))
            })?,
    };
    let mut agents = Vec::with_capacity(elements.len());
    let mut skipped = 0u32;
    for element in elements {
        match CliAgent::try_from(element) {
            Ok(agent) => agents.push(agent),
            Err(_) => skipped = skipped.saturating_add(1),
        }
    }
    Ok((agents, skipped))
}

/// Lists the sessions the CLI reports as live (source: CLI 2.1.330 native, `claude agents
/// --json`), background jobs included, finished ones too (`--all`).
///
/// First asks `<program> [script] --version`; a CLI older than 2.1.145 ([`offers_agents`]), or
/// one whose version cannot be read, gives `offered: false` without running anything else.
/// Otherwise runs `<program> [script] agents --json --all` directly (no shell), with
/// `CLAUDE_CONFIG_DIR` set to `config_dir` when given (else inherited), `PATH` from
/// `claude.path_var` when set, stdin null, stdout and stderr read to their end concurrently, in
/// its own process group (Unix; no console window on Windows). Each of the two commands is
/// killed (its whole group) once it has run for `timeout`, so the call takes at most about
/// 2 × `timeout`. A run that exits non-zero saying the option or command is unknown, or that it
/// is disabled, gives `offered: false`.
///
/// Blocking: call it from a blocking thread, not an async task.
///
/// Errors: [`CoreError::Spawn`] when the CLI cannot be started; [`CoreError::ControlRequest`]
/// when `agents --json` does not finish within `timeout`, exits non-zero for another reason
/// (the message holds its exit status and the start of its stderr), or prints no JSON array.
pub fn list_agents(
    claude: &ClaudeCommand,
    config_dir: Option<&Path>,
    timeout: Duration,
) -> Result<AgentListing, CoreError> {
    match offering_version(claude, timeout)? {
        Ok(version) => list_in(claude, config_dir, version, timeout),
        Err(listing) => Ok(listing),
    }
}

/// The CLI's `--version` line when it offers `claude agents --json`, else the listing that says
/// it does not.
///
/// Errors: [`CoreError::Spawn`].
fn offering_version(
    claude: &ClaudeCommand,
    timeout: Duration,
) -> Result<Result<String, AgentListing>, CoreError> {
    let cli_version = match run_bounded(claude, None, &["--version"], timeout)? {
        Outcome::Exited { status, stdout, .. } if status.success() => stdout
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_owned),
        _ => None,
    };
    Ok(match cli_version {
        Some(v) if offers_agents(&v) => Ok(v),
        other => Err(AgentListing::not_offered(other)),
    })
}

/// Runs `agents --json --all` for `config_dir` with a CLI of `version` that offers it.
///
/// Errors: as [`list_agents`].
fn list_in(
    claude: &ClaudeCommand,
    config_dir: Option<&Path>,
    version: String,
    timeout: Duration,
) -> Result<AgentListing, CoreError> {
    match run_bounded(claude, config_dir, &AGENTS_ARGS, timeout)? {
        Outcome::TimedOut => Err(CoreError::ControlRequest(format!(
            "{AGENTS_COMMAND} did not answer within {} ms",
            timeout.as_millis()
        ))),
        Outcome::Exited { status, stdout, .. } if status.success() => {
            let (agents, skipped) = parse_agents_json(&stdout)?;
            Ok(AgentListing {
                offered: true,
                agents,
                skipped,
                cli_version: Some(version),
            })
        }
        Outcome::Exited {
            status,
            stdout,
            stderr,
        } => {
            if says_not_offered(&stderr) || says_not_offered(&stdout) {
                return Ok(AgentListing::not_offered(Some(version)));
            }
            let said = stderr.trim();
            let said = if said.is_empty() { stdout.trim() } else { said };
            let said: String = said.chars().take(500).collect();
            Err(CoreError::ControlRequest(format!(
                "{AGENTS_COMMAND} failed ({status}){}{said}",
                if said.is_empty() { "" } else { ": " }
            )))
        }
    }
}

/// Whether a failed run's output says the command is not there: commander's `unknown option` /
/// `unknown command` (CLIs before 2.1.145), or the 2.1.330 `is disabled by …` notice.
fn says_not_offered(output: &str) -> bool {
    let lower = output.to_ascii_lowercase();
    ["unknown option", "unknown command", "is disabled by"]
        .iter()
        .any(|m| lower.contains(m))
}

/// Runs `<program> [script] args` as [`list_agents`] describes ([`bounded::run`] with the
/// command's `PATH`, its script and the config dir).
///
/// Errors: [`CoreError::Spawn`] when it cannot be started.
fn run_bounded(
    claude: &ClaudeCommand,
    config_dir: Option<&Path>,
    args: &[&str],
    timeout: Duration,
) -> Result<Outcome, CoreError> {
    let mut command = Command::new(&claude.program);
    if let Some(script) = &claude.script {
        command.arg(script);
    }
    command.args(args);
    if let Some(path_var) = &claude.path_var {
        command.env("PATH", path_var);
    }
    if let Some(dir) = config_dir {
        command.env("CLAUDE_CONFIG_DIR", dir);
    }
    bounded::run(command, timeout, MAX_STDOUT_BYTES, MAX_STDERR_BYTES).map_err(|source| {
        CoreError::Spawn {
            program: claude.program.clone(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/cli-agents")
            .join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn the_fixture_parses_with_its_odd_element_skipped() {
        let (agents, skipped) = parse_agents_json(&fixture("agents-2.1.330.json")).unwrap();
        assert_eq!(skipped, 1, "the number 42 is skipped");
        assert_eq!(agents.len(), 3);

        let interactive = &agents[0];
        assert!(interactive.is_interactive() && !interactive.is_background());
        assert_eq!(interactive.pid, Some(48213));
        assert_eq!(interactive.id, None);
        assert_eq!(interactive.cwd, PathBuf::from("/home/dev/src/ccdesk"));
        assert_eq!(interactive.started_at, Some(1_764_720_000_123));
        assert_eq!(
            interactive.session_id.as_deref(),
            Some("575f3f7d-3799-432a-8755-c562032344cd")
        );
        assert_eq!(interactive.name.as_deref(), Some("ccdesk-b2"));
        assert_eq!(interactive.status.as_deref(), Some("waiting"));
        assert_eq!(interactive.waiting_for, Some(Value::from("input needed")));
        assert_eq!(interactive.state, None);
        assert_eq!(interactive.activity, AgentActivity::NeedsInput);

        let working = &agents[1];
        assert!(working.is_background());
        assert_eq!(working.pid, Some(48790));
        assert_eq!(working.id.as_deref(), Some("k3m9x2qa"));
        assert_eq!(working.state.as_deref(), Some("working"));
        assert_eq!(working.status.as_deref(), Some("busy"));
        assert_eq!(working.waiting_for, None);
        assert_eq!(working.activity, AgentActivity::Working);

        let done = &agents[2];
        assert!(done.is_background());
        assert_eq!(done.pid, None, "its process has ended");
        assert_eq!(done.id.as_deref(), Some("p7d4w8zt"));
        assert_eq!(done.status, None);
        assert_eq!(done.state.as_deref(), Some("done"));
        assert_eq!(done.activity, AgentActivity::Completed);

        let started: Vec<_> = agents.iter().map(|a| a.started_at).collect();
        assert!(started.windows(2).all(|w| w[0] <= w[1]), "{started:?}");
    }

    #[test]
    fn the_genuine_interactive_listing_parses() {
        let (agents, skipped) =
            parse_agents_json(&fixture("agents-2.1.330-interactive.json")).unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(agents.len(), 1);
        let a = &agents[0];
        assert!(a.is_interactive());
        assert!(a.pid.is_some());
        assert!(a.id.is_none() && a.state.is_none());
        assert!(a.cwd.is_absolute(), "{}", a.cwd.display());
        assert!(a.started_at.is_some_and(|t| t > 1_700_000_000_000));
        assert!(a.session_id.as_deref().is_some_and(|s| s.len() == 36));
        assert_eq!(a.status.as_deref(), Some("idle"));
        assert_eq!(a.activity, AgentActivity::Idle);
    }

    #[test]
    fn activity_follows_state_then_status() {
        use AgentActivity::*;
        let cases: &[(Option<&str>, Option<&str>, AgentActivity)] = &[
            (Some("blocked"), None, NeedsInput),
            (Some("blocked"), Some("waiting"), NeedsInput),
            (Some("working"), Some("busy"), Working),
            (Some("working"), None, Working),
            (Some("done"), None, Completed),
            (Some("failed"), None, Failed),
            (Some("stopped"), Some("idle"), Stopped),
            (None, Some("waiting"), NeedsInput),
            (None, Some("busy"), Working),
            (None, Some("idle"), Idle),
            (None, None, Unknown),
            (None, Some("dozing"), Unknown),
            (Some("paused"), None, Unknown),
            // An unknown state falls back to the status.
            (Some("paused"), Some("busy"), Working),
        ];
        for &(state, status, expected) in cases {
            assert_eq!(
                AgentActivity::of(state, status),
                expected,
                "state {state:?}, status {status:?}"
            );
        }
    }

    #[test]
    fn decoding_is_lenient() {
        let text = r#"[
          {"cwd": "/a", "kind": "teleported", "status": "dozing", "state": "paused",
           "brandNew": {"x": 1}, "pid": "not a number", "startedAt": 1.5e12},
          {"kind": "interactive", "pid": 7},
          {"cwd": 12},
          null, "text", [],
          {"cwd": "/b", "pid": 99999999999, "startedAt": null, "waitingFor": {"tool": "Bash"},
           "status": "waiting"}
        ]"#;
        let (agents, skipped) = parse_agents_json(text).unwrap();
        assert_eq!(skipped, 5);
        assert_eq!(agents.len(), 2);
        let odd = &agents[0];
        assert_eq!(odd.kind, "teleported");
        assert_eq!(odd.status.as_deref(), Some("dozing"));
        assert_eq!(odd.state.as_deref(), Some("paused"));
        assert_eq!(odd.pid, None, "a pid of the wrong type counts as absent");
        assert_eq!(odd.started_at, Some(1_500_000_000_000));
        assert_eq!(odd.activity, AgentActivity::Unknown);
        let b = &agents[1];
        assert_eq!(b.kind, "", "no kind printed");
        assert_eq!(b.pid, None, "out of range");
        assert_eq!(b.started_at, None);
        assert_eq!(b.waiting_for, Some(serde_json::json!({"tool": "Bash"})));
        assert_eq!(b.activity, AgentActivity::NeedsInput);

        assert_eq!(parse_agents_json("[]\n").unwrap(), (Vec::new(), 0));
        let warned = "Warning: something odd\n[{\"cwd\": \"/w\", \"status\": \"idle\"}]\n";
        let (agents, skipped) = parse_agents_json(warned).unwrap();
        assert_eq!((agents.len(), skipped), (1, 0));
        assert_eq!(agents[0].activity, AgentActivity::Idle);
    }

    #[test]
    fn text_that_is_not_an_array_is_an_error() {
        for text in ["", "{}", "not json", "{\"cwd\": \"/a\"}", "[1, 2"] {
            let err = parse_agents_json(text).unwrap_err();
            assert_eq!(err.kind(), "control_request_failed", "{text:?}");
            assert!(err.to_string().contains("JSON array"), "{err}");
        }
    }

    #[test]
    fn serialization_is_camel_case_and_round_trips() {
        let (agents, _) = parse_agents_json(&fixture("agents-2.1.330.json")).unwrap();
        let json = serde_json::to_value(&agents).unwrap();
        assert_eq!(json[0]["sessionId"], "575f3f7d-3799-432a-8755-c562032344cd");
        assert_eq!(json[0]["startedAt"], 1_764_720_000_123i64);
        assert_eq!(json[0]["waitingFor"], "input needed");
        assert_eq!(json[0]["activity"], "needsInput");
        assert_eq!(json[2]["activity"], "completed");
        assert!(json[2].get("pid").is_none(), "absent fields are omitted");
        let back: Vec<CliAgent> = serde_json::from_value(json).unwrap();
        assert_eq!(back, agents);
        // `activity` is always derived, never trusted from the input.
        let lied: CliAgent =
            serde_json::from_str(r#"{"cwd": "/a", "status": "busy", "activity": "failed"}"#)
                .unwrap();
        assert_eq!(lied.activity, AgentActivity::Working);
        assert!(serde_json::from_str::<CliAgent>("42").is_err());
    }

    #[test]
    fn the_command_is_offered_from_2_1_145() {
        assert!(!offers_agents("2.1.144 (Claude Code)"));
        assert!(offers_agents("2.1.145 (Claude Code)"));
        assert!(offers_agents("2.1.330 (Claude Code)"));
        assert!(offers_agents("2.2.0 (Claude Code)"));
        assert!(offers_agents("3.0.0"));
        assert!(offers_agents("2.1.145-beta.1 (Claude Code)"));
        assert!(!offers_agents("2.1.112 (Claude Code)"));
        assert!(!offers_agents("1.0.128 (Claude Code)"));
        assert!(!offers_agents("2.0.999 (Claude Code)"));
        for garbage in [
            "",
            "   ",
            "Claude Code",
            "v22.11.0",
            "2.1",
            "2.1.x",
            "a.b.c",
            "2..145",
            "-2.1.145",
        ] {
            assert!(!offers_agents(garbage), "{garbage:?}");
        }
    }

    #[cfg(unix)]
    mod run {
        use super::super::*;
        use std::os::unix::fs::PermissionsExt;

        /// A fake CLI: `--version` prints `version`; anything else runs `agents` (shell text).
        fn fake(dir: &Path, version: &str, agents: &str) -> ClaudeCommand {
            let log = dir.join("calls");
            let p = dir.join("claude");
            std::fs::write(
                &p,
                format!(
                    "#!/bin/sh\necho \"$*\" >> '{}'\n\
                     if [ \"$1\" = --version ]; then echo '{version}'; exit 0; fi\n{agents}\n",
                    log.display()
                ),
            )
            .unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            ClaudeCommand::new(p)
        }

        fn calls(dir: &Path) -> Vec<String> {
            std::fs::read_to_string(dir.join("calls"))
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect()
        }

        const SECS_5: Duration = Duration::from_secs(5);

        #[test]
        fn an_old_cli_is_not_asked() {
            let tmp = tempfile::tempdir().unwrap();
            let claude = fake(tmp.path(), "2.1.112 (Claude Code)", "echo '[]'");
            let listing = list_agents(&claude, None, SECS_5).unwrap();
            assert_eq!(
                listing,
                AgentListing {
                    offered: false,
                    agents: Vec::new(),
                    skipped: 0,
                    cli_version: Some("2.1.112 (Claude Code)".to_owned()),
                }
            );
            assert_eq!(calls(tmp.path()), ["--version"]);
        }

        #[test]
        fn a_new_cli_lists_with_the_config_dir_and_path_given() {
            let tmp = tempfile::tempdir().unwrap();
            let mut claude = fake(
                tmp.path(),
                "2.1.330 (Claude Code)",
                "printf '[{\"cwd\": \"%s\", \"kind\": \"interactive\", \"name\": \"%s\", \
                 \"status\": \"busy\"}, 3]\\n' \"$CLAUDE_CONFIG_DIR\" \"$PATH\"",
            );
            claude.path_var = Some("/fake/bin:/usr/bin:/bin".into());
            let config = tmp.path().join("my config");
            let listing = list_agents(&claude, Some(&config), SECS_5).unwrap();
            assert!(listing.offered);
            assert_eq!(
                listing.cli_version.as_deref(),
                Some("2.1.330 (Claude Code)")
            );
            assert_eq!(listing.skipped, 1);
            assert_eq!(listing.agents.len(), 1);
            assert_eq!(listing.agents[0].cwd, config);
            assert_eq!(
                listing.agents[0].name.as_deref(),
                Some("/fake/bin:/usr/bin:/bin")
            );
            assert_eq!(listing.agents[0].activity, AgentActivity::Working);
            assert_eq!(calls(tmp.path()), ["--version", "agents --json --all"]);
        }

        #[test]
        fn every_config_dir_is_listed_and_named() {
            use crate::transcripts::profiles::{Profile, Profiles};
            let tmp = tempfile::tempdir().unwrap();
            let claude = fake(
                tmp.path(),
                "2.1.330 (Claude Code)",
                "printf '[{\"cwd\": \"%s\", \"kind\": \"interactive\"}]\\n' \"$CLAUDE_CONFIG_DIR\"",
            );
            let dir = |n: &str| tmp.path().join(n);
            let two = Profiles::new(vec![
                Profile {
                    name: "default".into(),
                    config_dir: dir("a"),
                },
                Profile {
                    name: "work".into(),
                    config_dir: dir("b"),
                },
            ])
            .unwrap();
            let listing = list_agents_of_profiles(&claude, &two, SECS_5).unwrap();
            let seen: Vec<(PathBuf, Option<&str>)> = listing
                .agents
                .iter()
                .map(|a| (a.cwd.clone(), a.profile.as_deref()))
                .collect();
            assert_eq!(
                seen,
                [(dir("a"), Some("default")), (dir("b"), Some("work"))]
            );
            assert_eq!(
                calls(tmp.path())
                    .iter()
                    .filter(|c| *c == "--version")
                    .count(),
                1,
                "one CLI, its version asked once"
            );
            let one =
                list_agents_of_profiles(&claude, &Profiles::single(dir("a")), SECS_5).unwrap();
            assert_eq!(one.agents.len(), 1);
            assert_eq!(one.agents[0].profile, None, "one config dir: no name");
        }

        #[test]
        fn a_script_is_passed_first() {
            let tmp = tempfile::tempdir().unwrap();
            let inner = fake(tmp.path(), "2.1.330 (Claude Code)", "echo '[]'");
            let claude = ClaudeCommand {
                program: PathBuf::from("/bin/sh"),
                path_var: None,
                script: Some(inner.program),
            };
            let listing = list_agents(&claude, None, SECS_5).unwrap();
            assert!(listing.offered && listing.agents.is_empty());
            assert_eq!(calls(tmp.path()), ["--version", "agents --json --all"]);
        }

        #[test]
        fn an_unknown_option_or_a_disabled_view_is_not_offered() {
            for said in [
                "echo \"error: unknown option '--json'\" >&2; exit 1",
                "echo \"error: unknown command 'agents'\" >&2; exit 1",
                "printf \"'claude agents --json' is disabled by CLAUDE_CODE_DISABLE_AGENT_VIEW.\" >&2; exit 1",
            ] {
                let tmp = tempfile::tempdir().unwrap();
                let claude = fake(tmp.path(), "2.1.150 (Claude Code)", said);
                let listing = list_agents(&claude, None, SECS_5).unwrap();
                assert!(!listing.offered, "{said}");
                assert_eq!(listing.cli_version.as_deref(), Some("2.1.150 (Claude Code)"));
            }
        }

        #[test]
        fn other_failures_are_errors() {
            let tmp = tempfile::tempdir().unwrap();
            let claude = fake(
                tmp.path(),
                "2.1.330 (Claude Code)",
                "echo 'config file is corrupt' >&2; exit 3",
            );
            let err = list_agents(&claude, None, SECS_5).unwrap_err();
            assert_eq!(err.kind(), "control_request_failed");
            let msg = err.to_string();
            assert!(
                msg.contains("config file is corrupt") && msg.contains('3'),
                "{msg}"
            );

            let garbled = fake(tmp.path(), "2.1.330 (Claude Code)", "echo 'hello'");
            let err = list_agents(&garbled, None, SECS_5).unwrap_err();
            assert!(err.to_string().contains("JSON array"), "{err}");

            let missing = ClaudeCommand::new(tmp.path().join("nowhere/claude"));
            let err = list_agents(&missing, None, SECS_5).unwrap_err();
            assert_eq!(err.kind(), "spawn_failed");
        }

        #[test]
        fn a_version_that_cannot_be_read_is_not_offered() {
            let tmp = tempfile::tempdir().unwrap();
            let p = tmp.path().join("claude");
            std::fs::write(&p, "#!/bin/sh\nexit 1\n").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            let listing = list_agents(&ClaudeCommand::new(p), None, SECS_5).unwrap();
            assert!(!listing.offered);
            assert_eq!(listing.cli_version, None);
        }

        #[test]
        fn a_hung_listing_is_killed_at_the_timeout() {
            let tmp = tempfile::tempdir().unwrap();
            let pid_file = tmp.path().join("pid");
            // A grandchild holding stdout open too: the group kill must end it, or the reader
            // threads would wait for it.
            let claude = fake(
                tmp.path(),
                "2.1.330 (Claude Code)",
                &format!(
                    "sleep 30 & echo $! > '{}'; echo '[' ; wait",
                    pid_file.display()
                ),
            );
            let started = std::time::Instant::now();
            let err = list_agents(&claude, None, Duration::from_millis(500)).unwrap_err();
            assert!(started.elapsed() < Duration::from_secs(10));
            assert_eq!(err.kind(), "control_request_failed");
            assert!(err.to_string().contains("did not answer"), "{err}");
            let pid: i32 = std::fs::read_to_string(&pid_file)
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            // Killed; reaped by whoever adopted it, which may take a moment.
            let gone = (0..100).any(|_| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                let dead = stat.is_empty() || stat.contains(") Z ");
                if !dead {
                    std::thread::sleep(Duration::from_millis(20));
                }
                dead
            });
            assert!(
                gone || !cfg!(target_os = "linux"),
                "the grandchild {pid} is still running"
            );
        }
    }
}
