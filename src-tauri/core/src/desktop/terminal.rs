//! "Open in terminal" (issue 14 part 2): the user's terminal running `claude --resume <id>` in
//! the session's directory. Sessions ccdesk starts speak stream-json, and CLI 2.1.90+ hides those
//! from its own `/resume` picker, so the way back to a terminal is ccdesk's.
//!
//! The terminal is the settings' one (a program name or path), else the first found of the OS's
//! usual ones: `x-terminal-emulator`, GNOME Terminal, Konsole, kitty, Alacritty, WezTerm, xterm
//! (Linux and the BSDs); Terminal.app (macOS; iTerm2 when chosen); Windows Terminal, else a
//! console window (Windows). Each gets the directory and the command the way it takes them
//! (argument conventions below); the command is `claude` (the one ccdesk found: an absolute
//! path), `--resume`, the session id, as separate arguments, never through a shell, except on
//! macOS, where Terminal.app and iTerm2 take one command line through AppleScript: there every
//! part is single-quoted for the shell ([`shell_quote`]).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::error::CoreError;
use crate::ids::SessionId;

/// The terminals looked for, in order, on Linux and the BSDs.
pub const UNIX_TERMINALS: [&str; 7] = [
    "x-terminal-emulator",
    "gnome-terminal",
    "konsole",
    "kitty",
    "alacritty",
    "wezterm",
    "xterm",
];

/// A terminal to start: program, arguments, directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalLaunch {
    /// The program (absolute when it was found on `PATH`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// The directory it starts in (the session's).
    pub cwd: PathBuf,
}

/// The command line a user types to resume `id` in `cwd` with `claude`, quoted for a POSIX
/// shell: `cd '<cwd>' && [CLAUDE_CONFIG_DIR='<dir>' ]'<claude>' --resume '<id>'` ("Copy
/// command"); `config_dir` is the session's config dir when the CLI must be told it.
pub fn resume_command_line(
    claude: &Path,
    cwd: &Path,
    id: &SessionId,
    config_dir: Option<&Path>,
) -> String {
    let env = config_dir
        .map(|d| {
            format!(
                "{}={} ",
                crate::transcripts::paths::CONFIG_DIR_ENV,
                shell_quote(&d.to_string_lossy())
            )
        })
        .unwrap_or_default();
    format!(
        "cd {} && {env}{} --resume {}",
        shell_quote(&cwd.to_string_lossy()),
        shell_quote(&claude.to_string_lossy()),
        shell_quote(id.as_str())
    )
}

/// `s` in single quotes for a POSIX shell (a `'` inside becomes `'\''`).
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// How to start a terminal running `claude --resume <id>` in `cwd`. `configured` is the
/// settings' terminal (a name looked up with `find`, or a path); `None` takes the first of the
/// OS's usual ones that `find` finds. `find` looks a program name up on `PATH`. `config_dir`:
/// the session's config dir when the CLI must be told it (`CLAUDE_CONFIG_DIR`, set through
/// `/usr/bin/env` on Unix, since a terminal server may not pass its client's environment on).
///
/// Errors: [`CoreError::InvalidInput`] when no terminal is found (naming those looked for) or
/// the configured one is not found.
pub fn plan(
    configured: Option<&Path>,
    claude: &Path,
    cwd: &Path,
    id: &SessionId,
    config_dir: Option<&Path>,
    find: impl Fn(&str) -> Option<PathBuf>,
) -> Result<TerminalLaunch, CoreError> {
    /// macOS apps, started through AppleScript rather than found on `PATH`.
    const MAC_APPS: [&str; 3] = ["terminal", "iterm", "iterm2"];
    let is_app = |p: &Path| MAC_APPS.contains(&p.to_string_lossy().to_lowercase().as_str());
    let program = match configured.filter(|p| !p.as_os_str().is_empty()) {
        Some(p) if p.is_absolute() || is_app(p) => p.to_path_buf(),
        Some(p) => find(&p.to_string_lossy()).ok_or_else(|| {
            CoreError::InvalidInput(format!(
                "the terminal {} of the settings is not on PATH",
                p.display()
            ))
        })?,
        None => default_terminal(&find)?,
    };
    let name = program
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut command: Vec<OsString> = Vec::new();
    if let (Some(d), true) = (config_dir, cfg!(unix)) {
        let mut assign = OsString::from(format!("{}=", crate::transcripts::paths::CONFIG_DIR_ENV));
        assign.push(d.as_os_str());
        command.extend(["/usr/bin/env".into(), assign]);
    }
    command.extend([
        claude.as_os_str().to_owned(),
        "--resume".into(),
        id.as_str().into(),
    ]);
    let dir = cwd.as_os_str().to_owned();
    let mut args: Vec<OsString> = Vec::new();
    match name.as_str() {
        "gnome-terminal" | "kgx" | "ptyxis" => {
            let mut a = OsString::from("--working-directory=");
            a.push(&dir);
            args.push(a);
            args.push("--".into());
            args.extend(command);
        }
        "konsole" => {
            args.extend(["--workdir".into(), dir, "-e".into()]);
            args.extend(command);
        }
        "kitty" => {
            args.extend(["--directory".into(), dir]);
            args.extend(command);
        }
        "alacritty" => {
            args.extend(["--working-directory".into(), dir, "-e".into()]);
            args.extend(command);
        }
        "wezterm" => {
            args.extend(["start".into(), "--cwd".into(), dir, "--".into()]);
            args.extend(command);
        }
        "wt" => {
            args.extend(["-d".into(), dir]);
            args.extend(command);
        }
        "terminal" | "iterm" | "iterm2" | "osascript" => {
            let line = resume_command_line(claude, cwd, id, config_dir);
            let app = if name.starts_with("iterm") {
                "iTerm"
            } else {
                "Terminal"
            };
            let script = match app {
                "iTerm" => format!(
                    "tell application \"iTerm\" to create window with default profile command {}",
                    applescript_string(&line)
                ),
                _ => format!(
                    "tell application \"Terminal\" to do script {}",
                    applescript_string(&line)
                ),
            };
            return Ok(TerminalLaunch {
                program: PathBuf::from("/usr/bin/osascript"),
                args: vec![
                    "-e".into(),
                    script.into(),
                    "-e".into(),
                    format!("tell application \"{app}\" to activate").into(),
                ],
                cwd: cwd.to_path_buf(),
            });
        }
        "cmd" => {
            // A new console window: `start "" /D <dir> <claude> --resume <id>`.
            args.extend(["/c".into(), "start".into(), "".into(), "/D".into(), dir]);
            args.extend(command);
        }
        // x-terminal-emulator, xterm and anything else: the `-e` convention.
        _ => {
            args.push("-e".into());
            args.extend(command);
        }
    }
    Ok(TerminalLaunch {
        program,
        args,
        cwd: cwd.to_path_buf(),
    })
}

/// What "Open in terminal" and "Copy command" need of a session.
#[derive(Debug, Clone)]
pub struct TerminalTarget {
    /// The CLI session id.
    pub id: SessionId,
    /// The directory it was recorded in (it resumes there).
    pub cwd: PathBuf,
    /// Its config dir when the CLI must be told it (a later config dir, or a first one the
    /// settings name); `None`: the CLI's own default.
    pub config_dir: Option<PathBuf>,
    /// Where its session lock is taken ([`crate::store::session_locks_dir`]).
    pub lock_dir: Option<PathBuf>,
}

/// The session `key_or_id` of `profiles` as a terminal resumes it; `first_explicit`: the first
/// config dir was named in the settings (so the CLI must be told it too).
///
/// Errors: [`CoreError::UnknownSession`]; [`CoreError::NotResumable`] when it cannot be resumed
/// (no conversation, its directory gone, archived: restore it first).
pub fn target(
    profiles: &crate::transcripts::profiles::Profiles,
    key_or_id: &str,
    first_explicit: bool,
) -> Result<TerminalTarget, CoreError> {
    use crate::transcripts::index::Resumability;
    let s = profiles.resolve_session(key_or_id, None)?;
    if let Resumability::NotResumable { message, .. } = &s.resumability {
        return Err(CoreError::NotResumable {
            id: s.id.clone(),
            reason: message.clone(),
        });
    }
    let cwd = s
        .project_path
        .clone()
        .ok_or_else(|| CoreError::NotResumable {
            id: s.id.clone(),
            reason: "no project directory recorded".into(),
        })?;
    let id = SessionId::parse(&s.id)?;
    let (i, _) = profiles
        .split_key(&s.key)
        .ok_or_else(|| CoreError::UnknownSession(key_or_id.to_owned()))?;
    let dir = profiles
        .get(i)
        .map(|p| p.config_dir.clone())
        .ok_or_else(|| CoreError::UnknownSession(key_or_id.to_owned()))?;
    Ok(TerminalTarget {
        id,
        cwd: PathBuf::from(cwd),
        config_dir: (i > 0 || first_explicit).then(|| dir.clone()),
        lock_dir: crate::store::session_locks_dir(&dir),
    })
}

/// Refuses (one writer per transcript) when another ccdesk process holds the session live: its
/// lock in `lock_dir` is taken and let go at once.
///
/// Errors: [`CoreError::NotResumable`] naming the holder; [`CoreError::Io`] when the lock file
/// cannot be made.
pub fn ensure_not_live_elsewhere(lock_dir: Option<&Path>, id: &SessionId) -> Result<(), CoreError> {
    match lock_dir {
        Some(dir) => crate::pool::writer::WriterLock::acquire(dir, id).map(drop),
        None => Ok(()),
    }
}

/// An AppleScript string literal of `s`.
fn applescript_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The first usual terminal of this OS that `find` finds.
fn default_terminal(find: &impl Fn(&str) -> Option<PathBuf>) -> Result<PathBuf, CoreError> {
    if cfg!(target_os = "macos") {
        return Ok(PathBuf::from("Terminal"));
    }
    let names: &[&str] = if cfg!(windows) {
        &["wt", "cmd"]
    } else {
        &UNIX_TERMINALS
    };
    names.iter().find_map(|n| find(n)).ok_or_else(|| {
        CoreError::InvalidInput(format!(
            "no terminal was found (looked for {}); choose one in the settings",
            names.join(", ")
        ))
    })
}

/// `name` on the `PATH` in `path_var` (else the process's): the first executable file found.
pub fn find_on_path(name: &str, path_var: Option<&OsString>) -> Option<PathBuf> {
    let var = path_var.cloned().or_else(|| std::env::var_os("PATH"))?;
    let names: Vec<String> = if cfg!(windows) {
        [".exe", ".cmd", ".bat", ""]
            .iter()
            .map(|e| format!("{name}{e}"))
            .collect()
    } else {
        vec![name.to_owned()]
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    crate::claude::discover::program_on_path(&var, &names)
}

/// Starts `launch` detached: its own process group (a new console on Windows), no stdin or
/// stdout of ccdesk's, not ended when ccdesk ends (it is the user's terminal).
///
/// Errors: [`CoreError::Spawn`] when it cannot start.
pub fn open(launch: &TerminalLaunch) -> Result<(), CoreError> {
    let mut cmd = std::process::Command::new(&launch.program);
    cmd.args(&launch.args)
        .current_dir(&launch.cwd)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().map_err(|e| CoreError::Spawn {
        program: launch.program.clone(),
        source: e,
    })?;
    // Reaped in the background: a terminal that forks and exits at once leaves no zombie.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> SessionId {
        SessionId::parse("0d5e6d18-44bd-4040-934c-95411eb40216").unwrap_or_else(|e| panic!("{e}"))
    }

    fn args(l: &TerminalLaunch) -> Vec<String> {
        l.args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn each_terminal_gets_the_dir_and_the_command_its_way() {
        let cwd = Path::new("/w/my project");
        let claude = Path::new("/opt/claude/bin/claude");
        let found = |n: &str| Some(PathBuf::from(format!("/usr/bin/{n}")));
        let of = |t: &str| {
            plan(Some(Path::new(t)), claude, cwd, &id(), None, found)
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let tail = [
            "/opt/claude/bin/claude",
            "--resume",
            "0d5e6d18-44bd-4040-934c-95411eb40216",
        ];
        let with = |head: &[&str]| {
            head.iter()
                .chain(tail.iter())
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            args(&of("gnome-terminal")),
            with(&["--working-directory=/w/my project", "--"])
        );
        assert_eq!(
            args(&of("konsole")),
            with(&["--workdir", "/w/my project", "-e"])
        );
        assert_eq!(args(&of("kitty")), with(&["--directory", "/w/my project"]));
        assert_eq!(
            args(&of("alacritty")),
            with(&["--working-directory", "/w/my project", "-e"])
        );
        assert_eq!(
            args(&of("wezterm")),
            with(&["start", "--cwd", "/w/my project", "--"])
        );
        assert_eq!(args(&of("x-terminal-emulator")), with(&["-e"]));
        assert_eq!(args(&of("/home/me/bin/my-term")), with(&["-e"]));
        let x = of("xterm");
        assert_eq!(
            (x.program, x.cwd),
            (PathBuf::from("/usr/bin/xterm"), cwd.to_path_buf())
        );
    }

    #[test]
    fn macos_terminals_take_one_quoted_line_through_applescript() {
        let cwd = Path::new("/w/it's \"here\"");
        let l = plan(
            Some(Path::new("Terminal")),
            Path::new("/c/claude"),
            cwd,
            &id(),
            None,
            |_| None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.program, PathBuf::from("/usr/bin/osascript"));
        let script = args(&l)[1].clone();
        assert_eq!(
            script,
            r#"tell application "Terminal" to do script "cd '/w/it'\\''s \"here\"' && '/c/claude' --resume '0d5e6d18-44bd-4040-934c-95411eb40216'""#
        );
    }

    #[test]
    fn the_first_usual_terminal_found_is_taken_and_none_found_says_what_was_looked_for() {
        let only_kitty = |n: &str| (n == "kitty").then(|| PathBuf::from("/usr/bin/kitty"));
        if cfg!(target_os = "linux") {
            let l = plan(
                None,
                Path::new("/c"),
                Path::new("/w"),
                &id(),
                None,
                only_kitty,
            )
            .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(l.program, PathBuf::from("/usr/bin/kitty"));
            let e = plan(None, Path::new("/c"), Path::new("/w"), &id(), None, |_| {
                None
            })
            .unwrap_err();
            assert!(e.to_string().contains("x-terminal-emulator"), "{e}");
        }
        let e = plan(
            Some(Path::new("nope")),
            Path::new("/c"),
            Path::new("/w"),
            &id(),
            None,
            |_| None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
    }

    #[test]
    fn the_copied_command_is_quoted_for_a_shell() {
        assert_eq!(
            resume_command_line(Path::new("/c/claude"), Path::new("/w/a'b"), &id(), None),
            "cd '/w/a'\\''b' && '/c/claude' --resume '0d5e6d18-44bd-4040-934c-95411eb40216'"
        );
        assert_eq!(
            resume_command_line(Path::new("/c/claude"), Path::new("/w"), &id(), Some(Path::new("/h/.claude-work"))),
            "cd '/w' && CLAUDE_CONFIG_DIR='/h/.claude-work' '/c/claude' --resume '0d5e6d18-44bd-4040-934c-95411eb40216'"
        );
    }

    #[test]
    fn a_later_config_dir_reaches_the_cli_through_env() {
        let l = plan(
            Some(Path::new("kitty")),
            Path::new("/c/claude"),
            Path::new("/w"),
            &id(),
            Some(Path::new("/h/w")),
            |n| Some(PathBuf::from(format!("/usr/bin/{n}"))),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        if cfg!(unix) {
            assert_eq!(
                args(&l)[2..4],
                [
                    "/usr/bin/env".to_owned(),
                    "CLAUDE_CONFIG_DIR=/h/w".to_owned()
                ]
            );
        }
    }
}
