//! Finding the `claude` executable, the way a user's terminal would, even when ccdesk was started
//! from a desktop launcher whose `PATH` lacks the user's shell additions (npm's global bin,
//! `~/.local/bin`, version managers).
//!
//! Order: the path in the settings, `$CCDESK_CLAUDE`, `claude` on `PATH`, `claude` on the login
//! shell's `PATH` (`$SHELL -l -c 'printf %s "$PATH"'`, Unix, bounded), `~/.claude/local/claude`
//! (the CLI's own local install), `<npm global prefix>/bin/claude` (`$NPM_CONFIG_PREFIX`, else the
//! `prefix=` line of `~/.npmrc`, else what `npm prefix -g` prints, bounded, asked only when every
//! earlier place failed).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::claude::bounded::{self, Outcome};

use serde::Serialize;

/// Env var naming the claude executable to use; wins over PATH.
pub const CLAUDE_ENV: &str = "CCDESK_CLAUDE";

/// How long the login shell may take to print its `PATH`, in ms.
pub const LOGIN_SHELL_TIMEOUT_MS: u64 = 3_000;
/// How long `claude --version` may take, in ms.
pub const VERSION_TIMEOUT_MS: u64 = 5_000;
/// How long `npm prefix -g` may take, in ms.
pub const NPM_TIMEOUT_MS: u64 = 3_000;

/// Where the executable was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ClaudeSource {
    /// The path in ccdesk's settings.
    Setting,
    /// `$CCDESK_CLAUDE`.
    EnvOverride,
    /// `PATH` of ccdesk's own environment.
    Path,
    /// `PATH` as the user's login shell sets it.
    LoginShell,
    /// `~/.claude/local/claude`.
    ClaudeLocal,
    /// `<npm global prefix>/bin/claude`.
    NpmGlobal,
}

/// The executable found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FoundClaude {
    /// Absolute path.
    pub path: PathBuf,
    /// Where it was found.
    pub source: ClaudeSource,
    /// First line of `claude --version` (e.g. `2.1.112 (Claude Code)`), when asked for and it
    /// answered in time.
    pub version: Option<String>,
}

/// The result of a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClaudeDiscovery {
    /// What was found, if anything.
    pub found: Option<FoundClaude>,
    /// Every place looked at before it, in words.
    pub tried: Vec<String>,
}

/// Everything the search reads, so tests can give their own.
#[derive(Debug, Clone, Default)]
pub struct DiscoverInputs {
    /// The path in the settings.
    pub configured: Option<PathBuf>,
    /// `$CCDESK_CLAUDE`.
    pub env_override: Option<OsString>,
    /// `$PATH`.
    pub path_var: Option<OsString>,
    /// `$SHELL`, asked for its login `PATH` when `claude` is not on `path_var` (Unix).
    pub login_shell: Option<PathBuf>,
    /// The home dir.
    pub home: Option<PathBuf>,
    /// The npm global prefix, when known without running npm (`$NPM_CONFIG_PREFIX`, `~/.npmrc`).
    pub npm_prefix: Option<PathBuf>,
    /// With no `npm_prefix`: run `npm prefix -g` (npm found on `path_var` or the login shell's
    /// `PATH`, bounded by [`NPM_TIMEOUT_MS`]) when the search gets that far.
    pub ask_npm: bool,
    /// Whether to run `claude --version` on what is found.
    pub probe_version: bool,
    /// Bound of the login-shell probe, in ms.
    pub login_shell_timeout_ms: u64,
}

impl DiscoverInputs {
    /// The inputs of this process's environment, with `configured` from the settings; the
    /// version is probed.
    pub fn from_env(configured: Option<PathBuf>) -> Self {
        let home = dirs::home_dir();
        DiscoverInputs {
            configured,
            env_override: std::env::var_os(CLAUDE_ENV).filter(|v| !v.is_empty()),
            path_var: std::env::var_os("PATH"),
            login_shell: if cfg!(unix) {
                std::env::var_os("SHELL")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            } else {
                None
            },
            npm_prefix: npm_prefix(home.as_deref()),
            ask_npm: true,
            home,
            probe_version: true,
            login_shell_timeout_ms: LOGIN_SHELL_TIMEOUT_MS,
        }
    }

    /// The same without running `claude --version` (to start a session, where only the path
    /// matters).
    pub fn without_version(mut self) -> Self {
        self.probe_version = false;
        self
    }
}

/// `$NPM_CONFIG_PREFIX`, else the `prefix=` line of `~/.npmrc` (`~/` expanded).
fn npm_prefix(home: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NPM_CONFIG_PREFIX").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let home = home?;
    let rc = std::fs::read_to_string(home.join(".npmrc")).ok()?;
    rc.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        if key.trim() != "prefix" {
            return None;
        }
        let value = value.trim().trim_matches('"');
        Some(match value.strip_prefix("~/") {
            Some(rest) => home.join(rest),
            None => PathBuf::from(value),
        })
    })
}

fn exe_names() -> &'static [&'static str] {
    if cfg!(windows) {
        &["claude.exe", "claude.cmd", "claude"]
    } else {
        &["claude"]
    }
}

fn on_path(path_var: &OsString) -> Option<PathBuf> {
    program_on_path(path_var, exe_names())
}

/// The first of `names` (in order, per directory) that is executable in a directory of
/// `path_var`.
pub(crate) fn program_on_path(path_var: &OsString, names: &[&str]) -> Option<PathBuf> {
    std::env::split_paths(path_var)
        .find_map(|dir| names.iter().map(|n| dir.join(n)).find(|c| is_executable(c)))
}

/// What `<npm> prefix -g` prints (its last non-empty line), or `None` if it fails, prints nothing
/// or takes longer than `timeout`.
pub fn npm_global_prefix(npm: &Path, timeout: Duration) -> Option<PathBuf> {
    let out = output_within(npm, &["prefix", "-g"], timeout)?;
    let line = out.lines().map(str::trim).rfind(|l| !l.is_empty())?;
    Some(PathBuf::from(line))
}

/// The npm global prefix: the one given, else (when allowed) `npm prefix -g` with npm from one
/// of `paths`.
fn npm_prefix_of(inputs: &DiscoverInputs, paths: &[&OsString]) -> Option<PathBuf> {
    if inputs.npm_prefix.is_some() || !inputs.ask_npm {
        return inputs.npm_prefix.clone();
    }
    let names: &[&str] = if cfg!(windows) {
        &["npm.cmd", "npm.exe", "npm"]
    } else {
        &["npm"]
    };
    let npm = paths.iter().find_map(|p| program_on_path(p, names))?;
    npm_global_prefix(&npm, Duration::from_millis(NPM_TIMEOUT_MS))
}

/// Searches in the documented order; never fails (nothing found gives `found: None` and the
/// places tried).
pub fn discover(inputs: &DiscoverInputs) -> ClaudeDiscovery {
    discover_with_path(inputs).0
}

/// [`discover`], and the `PATH` the found CLI is to run with ([`child_path`]): a desktop
/// launcher's `PATH` is often not the terminal's, and a CLI installed by nvm
/// (`#!/usr/bin/env node`) exits 127 without its `node`. `None` when nothing was found.
pub fn discover_with_path(inputs: &DiscoverInputs) -> (ClaudeDiscovery, Option<OsString>) {
    let mut tried = Vec::new();
    let mut login_path = None;
    let found = search(inputs, &mut tried, &mut login_path);
    let path_var = found
        .as_ref()
        .map(|(path, _)| child_path(path, inputs.path_var.as_ref(), login_path.as_ref()));
    let found = found.map(|(path, source)| FoundClaude {
        version: if inputs.probe_version {
            claude_version(&path, Duration::from_millis(VERSION_TIMEOUT_MS))
        } else {
            None
        },
        path,
        source,
    });
    (ClaudeDiscovery { found, tried }, path_var)
}

/// The `PATH` for a `claude` found at `program`: the directory it was found in first (nvm and
/// npm put `node` beside it), then the login shell's `PATH` when it was asked (what a terminal
/// has), then the launcher's own entries not yet named. Empty entries are dropped.
pub fn child_path(
    program: &Path,
    launcher: Option<&OsString>,
    login: Option<&OsString>,
) -> OsString {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut add = |d: PathBuf| {
        if !d.as_os_str().is_empty() && !dirs.contains(&d) {
            dirs.push(d);
        }
    };
    if let Some(parent) = program.parent() {
        add(parent.to_path_buf());
    }
    for var in [login, launcher].into_iter().flatten() {
        std::env::split_paths(var).for_each(&mut add);
    }
    // Only fails on a directory holding the separator, which `split_paths` cannot give back.
    std::env::join_paths(&dirs).unwrap_or_else(|_| launcher.cloned().unwrap_or_default())
}

/// On Windows, npm installs the CLI as `claude.cmd`, a batch shim: running it puts a `cmd.exe`
/// between ccdesk and the CLI (batch quoting of every argument, one more process to end). When
/// the shim's package sits beside it (`<dir>/node_modules/@anthropic-ai/claude-code/cli.js`, as
/// npm's global layout has it) and `node` is found (beside the shim, else on `path_var`), returns
/// `(node, cli.js)` to run instead. `None` for anything else (a native `claude.exe` included).
pub fn npm_shim_target(program: &Path, path_var: Option<&OsString>) -> Option<(PathBuf, PathBuf)> {
    shim_target(program, path_var, &["node.exe"])
}

fn shim_target(
    program: &Path,
    path_var: Option<&OsString>,
    node_names: &[&str],
) -> Option<(PathBuf, PathBuf)> {
    let name = program.file_name()?.to_str()?.to_ascii_lowercase();
    if !name.ends_with(".cmd") {
        return None;
    }
    let dir = program.parent()?;
    let cli = dir
        .join("node_modules")
        .join("@anthropic-ai")
        .join("claude-code")
        .join("cli.js");
    if !cli.is_file() {
        return None;
    }
    let node = node_names
        .iter()
        .map(|n| dir.join(n))
        .find(|c| is_executable(c))
        .or_else(|| program_on_path(path_var?, node_names))?;
    Some((node, cli))
}

fn search(
    inputs: &DiscoverInputs,
    tried: &mut Vec<String>,
    login_path: &mut Option<OsString>,
) -> Option<(PathBuf, ClaudeSource)> {
    if let Some(p) = &inputs.configured {
        if is_executable(p) {
            return Some((p.clone(), ClaudeSource::Setting));
        }
        tried.push(format!(
            "{} (the settings; not an executable file)",
            p.display()
        ));
    }
    if let Some(p) = &inputs.env_override {
        let p = PathBuf::from(p);
        if is_executable(&p) {
            return Some((p, ClaudeSource::EnvOverride));
        }
        tried.push(format!(
            "${CLAUDE_ENV}={} (not an executable file)",
            p.display()
        ));
    }
    match &inputs.path_var {
        Some(path_var) => {
            if let Some(p) = on_path(path_var) {
                return Some((p, ClaudeSource::Path));
            }
            tried.push("claude on PATH".to_owned());
        }
        None => tried.push("claude on PATH (PATH is not set)".to_owned()),
    }
    if let Some(shell) = &inputs.login_shell {
        match login_shell_path(shell, Duration::from_millis(inputs.login_shell_timeout_ms)) {
            Some(path_var) => {
                let found = on_path(&path_var);
                *login_path = Some(path_var);
                if let Some(p) = found {
                    return Some((p, ClaudeSource::LoginShell));
                }
                tried.push(format!("claude on the PATH of {} -l", shell.display()));
            }
            None => tried.push(format!(
                "the PATH of {} -l (it did not answer)",
                shell.display()
            )),
        }
    }
    if let Some(home) = &inputs.home {
        let local = home.join(".claude").join("local").join("claude");
        if is_executable(&local) {
            return Some((local, ClaudeSource::ClaudeLocal));
        }
        tried.push(local.display().to_string());
    }
    let paths: Vec<&OsString> = [inputs.path_var.as_ref(), login_path.as_ref()]
        .into_iter()
        .flatten()
        .collect();
    if let Some(prefix) = npm_prefix_of(inputs, &paths) {
        let dir = if cfg!(windows) {
            prefix
        } else {
            prefix.join("bin")
        };
        if let Some(p) = exe_names()
            .iter()
            .map(|n| dir.join(n))
            .find(|c| is_executable(c))
        {
            return Some((p, ClaudeSource::NpmGlobal));
        }
        tried.push(format!("{} (npm's global bin)", dir.display()));
    }
    None
}

/// Runs `program` with `args` ([`bounded::run`]: no shell, stdin closed, its process group
/// killed at `timeout`) and returns its stdout (the first MiB) when it exits successfully in time.
fn output_within(program: &Path, args: &[&str], timeout: Duration) -> Option<String> {
    let mut command = Command::new(program);
    command.args(args);
    match bounded::run(command, timeout, 1 << 20, 0).ok()? {
        Outcome::Exited { status, stdout, .. } if status.success() => Some(stdout),
        _ => None,
    }
}

/// `PATH` as the login shell `shell` sets it, or `None` if it fails or takes longer than
/// `timeout`. The command is fixed text; nothing of the user's is passed.
pub fn login_shell_path(shell: &Path, timeout: Duration) -> Option<OsString> {
    let out = output_within(shell, &["-l", "-c", "printf %s \"$PATH\""], timeout)?;
    let line = out.lines().last()?.trim();
    (!line.is_empty()).then(|| OsString::from(line))
}

/// The first line of `<path> --version`, or `None` if it fails or takes longer than `timeout`.
pub fn claude_version(path: &Path, timeout: Duration) -> Option<String> {
    let out = output_within(path, &["--version"], timeout)?;
    out.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

/// True for an existing regular file with an execute bit (Unix), or any file (elsewhere).
pub fn is_executable(p: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        true
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    fn inputs() -> DiscoverInputs {
        DiscoverInputs {
            login_shell_timeout_ms: 2_000,
            ..DiscoverInputs::default()
        }
    }

    #[test]
    fn the_order_is_setting_env_path_local_npm() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let set = script(&t.join("set"), "claude", "echo 1");
        let env = script(&t.join("env"), "claude", "echo 1");
        let on_path = script(&t.join("bin"), "claude", "echo 1");
        let local = script(&t.join("home/.claude/local"), "claude", "echo 1");
        let npm = script(&t.join("npm/bin"), "claude", "echo 1");
        let mut i = DiscoverInputs {
            configured: Some(set.clone()),
            env_override: Some(env.clone().into()),
            path_var: Some(t.join("bin").into()),
            home: Some(t.join("home")),
            npm_prefix: Some(t.join("npm")),
            ..inputs()
        };
        let mut expect = vec![
            (set, ClaudeSource::Setting),
            (env, ClaudeSource::EnvOverride),
            (on_path, ClaudeSource::Path),
            (local, ClaudeSource::ClaudeLocal),
            (npm, ClaudeSource::NpmGlobal),
        ];
        for (path, source) in expect.drain(..) {
            let d = discover(&i);
            let found = d.found.expect("found");
            assert_eq!((found.path.clone(), found.source), (path.clone(), source));
            assert_eq!(found.version, None, "not probed");
            // Hide it: the next place in the order is used.
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            if source == ClaudeSource::Setting {
                i.configured = Some(path);
            }
        }
        let d = discover(&i);
        assert_eq!(d.found, None);
        assert_eq!(d.tried.len(), 5, "{:?}", d.tried);
        assert!(d.tried[0].contains("settings"), "{:?}", d.tried);
        assert!(d.tried[4].contains("npm"), "{:?}", d.tried);
    }

    #[test]
    fn the_login_shell_path_is_used_when_path_lacks_claude() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let hidden = script(&t.join("nvm/bin"), "claude", "echo 1");
        let shell = script(
            &t.join("shell"),
            "fake-sh",
            &format!("printf %s '{}'", t.join("nvm/bin").display()),
        );
        let d = discover(&DiscoverInputs {
            path_var: Some(t.join("empty").into()),
            login_shell: Some(shell),
            ..inputs()
        });
        let found = d.found.expect("found");
        assert_eq!(found.path, hidden);
        assert_eq!(found.source, ClaudeSource::LoginShell);
    }

    #[test]
    fn the_child_path_puts_claudes_dir_then_the_login_shells_then_the_launchers() {
        let p = child_path(
            Path::new("/home/u/.nvm/v20/bin/claude"),
            Some(&OsString::from("/usr/bin:/snap/bin::/bin")),
            Some(&OsString::from(
                "/home/u/.nvm/v20/bin:/usr/local/bin:/usr/bin",
            )),
        );
        assert_eq!(
            p,
            OsString::from("/home/u/.nvm/v20/bin:/usr/local/bin:/usr/bin:/snap/bin:/bin")
        );
        let no_login = child_path(Path::new("/opt/claude/claude"), Some(&"/bin".into()), None);
        assert_eq!(no_login, OsString::from("/opt/claude:/bin"));
    }

    #[test]
    fn an_npm_batch_shim_is_run_as_node_and_its_script() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let shim = script(t, "claude.cmd", "");
        let bin = script(&t.join("nodejs"), "node", "");
        // No package beside the shim: left as it is.
        assert_eq!(
            shim_target(&shim, Some(&bin.parent().unwrap().into()), &["node"]),
            None
        );
        let cli = t.join("node_modules/@anthropic-ai/claude-code/cli.js");
        std::fs::create_dir_all(cli.parent().unwrap()).unwrap();
        std::fs::write(&cli, "").unwrap();
        let path_var = OsString::from(bin.parent().unwrap());
        assert_eq!(
            shim_target(&shim, Some(&path_var), &["node"]),
            Some((bin.clone(), cli.clone()))
        );
        // No node anywhere: left as it is (cmd.exe runs the shim).
        assert_eq!(
            shim_target(&shim, Some(&t.join("empty").into()), &["node"]),
            None
        );
        // A node beside the shim wins over PATH's.
        let beside = script(t, "node", "");
        assert_eq!(
            shim_target(&shim, Some(&path_var), &["node"]),
            Some((beside, cli))
        );
        // Not a batch shim: never.
        let native = script(&t.join("native"), "claude", "");
        assert_eq!(shim_target(&native, Some(&path_var), &["node"]), None);
    }

    #[test]
    fn a_login_shell_that_hangs_is_abandoned() {
        let tmp = tempfile::tempdir().unwrap();
        let shell = script(tmp.path(), "slow-sh", "sleep 30");
        let started = std::time::Instant::now();
        let d = discover(&DiscoverInputs {
            path_var: Some(tmp.path().join("empty").into()),
            login_shell: Some(shell),
            login_shell_timeout_ms: 300,
            ..inputs()
        });
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(d.found, None);
        assert!(
            d.tried.iter().any(|t| t.contains("did not answer")),
            "{:?}",
            d.tried
        );
    }

    #[test]
    fn the_version_is_the_first_line_of_claude_version() {
        let tmp = tempfile::tempdir().unwrap();
        let claude = script(
            tmp.path(),
            "claude",
            "[ \"$1\" = --version ] && echo '2.1.112 (Claude Code)' && echo more",
        );
        assert_eq!(
            claude_version(&claude, Duration::from_secs(5)).as_deref(),
            Some("2.1.112 (Claude Code)")
        );
        let d = discover(&DiscoverInputs {
            configured: Some(claude),
            probe_version: true,
            ..inputs()
        });
        assert_eq!(
            d.found.and_then(|f| f.version).as_deref(),
            Some("2.1.112 (Claude Code)")
        );
        // `exec` so the pid written is the child's own; after the timeout it is gone (killed and
        // reaped), not left running.
        let pid_file = tmp.path().join("pid");
        let hangs = script(
            tmp.path(),
            "hangs",
            &format!("echo $$ > '{}'; exec sleep 30", pid_file.display()),
        );
        let started = std::time::Instant::now();
        assert_eq!(claude_version(&hangs, Duration::from_millis(300)), None);
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid: i32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err(),
            "the hung child {pid} is still running"
        );
        let fails = script(tmp.path(), "fails", "exit 3");
        assert_eq!(claude_version(&fails, Duration::from_secs(5)), None);
    }

    #[test]
    fn npm_is_asked_for_its_prefix_only_when_allowed() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let claude = script(&t.join("global/bin"), "claude", "echo 1");
        script(
            &t.join("node/bin"),
            "npm",
            &format!(
                "[ \"$1 $2\" = 'prefix -g' ] && echo '{}'",
                t.join("global").display()
            ),
        );
        let mut i = DiscoverInputs {
            path_var: Some(t.join("node/bin").into()),
            ..inputs()
        };
        let d = discover(&i);
        assert_eq!(d.found, None, "npm is not run unless allowed");
        i.ask_npm = true;
        let found = discover(&i).found.expect("found");
        assert_eq!(
            (found.path, found.source),
            (claude, ClaudeSource::NpmGlobal)
        );
        // A given prefix wins over asking npm.
        i.npm_prefix = Some(t.join("elsewhere"));
        let d = discover(&i);
        assert_eq!(d.found, None);
        assert!(
            d.tried.last().unwrap().contains("elsewhere"),
            "{:?}",
            d.tried
        );
    }

    #[test]
    fn npmrc_prefix_is_read_with_home_expanded() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join(".npmrc"),
            "color=false\nprefix=~/.npm-global\n",
        )
        .unwrap();
        if std::env::var_os("NPM_CONFIG_PREFIX").is_none() {
            assert_eq!(
                npm_prefix(Some(tmp.path())),
                Some(tmp.path().join(".npm-global"))
            );
        }
    }
}
