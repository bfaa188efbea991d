//! Sessions live elsewhere (issue 14 part 3): a transcript another process is writing right now,
//! a `claude` in a terminal or a background agent, that ccdesk must not resume at the same time
//! (two writers break a transcript's chain of `parentUuid`s).
//!
//! A session counts as active elsewhere when both hold: its transcript was written within
//! [`RECENT_WRITE_MS`], and a `claude` process that is not ccdesk's own (not this process nor a
//! descendant of it) runs in the session's folder (its working directory, as the OS reports it:
//! `/proc` on Linux, the process table elsewhere, through `sysinfo`). The CLI opens the transcript
//! only for each append, so "has it open" cannot be seen reliably; the folder can.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How recent a transcript's last write must be for its session to count as live elsewhere, in
/// ms (10 min: a person reading a long reply writes nothing for a while).
pub const RECENT_WRITE_MS: i64 = 10 * 60 * 1000;

/// A session's writer outside ccdesk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Elsewhere {
    /// The `claude` process's id.
    pub pid: u32,
    /// Its command line, as the OS reports it (for the user; never run).
    pub command: String,
    /// The transcript's last write, ms since the Unix epoch.
    pub last_write_ms: i64,
}

/// A process as the check needs it.
#[derive(Debug, Clone)]
pub struct ProcessInfo {
    /// Process id.
    pub pid: u32,
    /// Parent's id, when known.
    pub parent: Option<u32>,
    /// Executable name and arguments.
    pub cmd: Vec<String>,
    /// Working directory, when the OS tells it.
    pub cwd: Option<PathBuf>,
}

/// The OS's processes (name, arguments, parent, working directory).
pub fn processes() -> Vec<ProcessInfo> {
    use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};
    let mut sys = System::new();
    sys.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing()
            .with_cmd(UpdateKind::Always)
            .with_cwd(UpdateKind::Always),
    );
    sys.processes()
        .iter()
        .map(|(pid, p)| ProcessInfo {
            pid: pid.as_u32(),
            parent: p.parent().map(|q| q.as_u32()),
            cmd: p
                .cmd()
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            cwd: p.cwd().map(Path::to_path_buf),
        })
        .collect()
}

/// Whether a command line runs Claude Code: its program is named `claude` (`claude`,
/// `claude.exe`), or it is node (bun, deno) running the CLI's script
/// (`.../@anthropic-ai/claude-code/cli.js`, or one named `claude`).
pub fn is_claude(cmd: &[String]) -> bool {
    let base = |a: &str| {
        a.to_lowercase()
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let Some(program) = cmd.first().map(|p| base(p)) else {
        return false;
    };
    if program == "claude" || program == "claude.exe" {
        return true;
    }
    let interpreter =
        ["node", "node.exe", "bun", "bun.exe", "deno", "deno.exe"].contains(&program.as_str());
    interpreter
        && cmd.get(1).is_some_and(|script| {
            let name = base(script);
            name == "claude" || (name == "cli.js" && script.to_lowercase().contains("claude"))
        })
}

/// The `claude` processes of `procs` running in `dir` that are not `own` nor its descendants.
pub fn foreign_claude_in(procs: &[ProcessInfo], dir: &Path, own: u32) -> Vec<ProcessInfo> {
    let parents: HashMap<u32, Option<u32>> = procs.iter().map(|p| (p.pid, p.parent)).collect();
    let ours = |mut pid: u32| {
        for _ in 0..64 {
            if pid == own {
                return true;
            }
            match parents.get(&pid).copied().flatten() {
                Some(up) if up != pid => pid = up,
                _ => return false,
            }
        }
        false
    };
    let dir = dunce::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    procs
        .iter()
        .filter(|p| is_claude(&p.cmd))
        .filter(|p| {
            p.cwd
                .as_deref()
                .is_some_and(|c| dunce::canonicalize(c).unwrap_or_else(|_| c.to_path_buf()) == dir)
        })
        .filter(|p| !ours(p.pid))
        .cloned()
        .collect()
}

/// Who else writes the session whose transcript is `transcript`, recorded in folder `project`;
/// `None` when its last write is older than [`RECENT_WRITE_MS`] or no foreign `claude` runs
/// there. Reads the process table only for recent transcripts.
pub fn active_elsewhere(transcript: &Path, project: &Path) -> Option<Elsewhere> {
    let modified = std::fs::metadata(transcript).ok()?.modified().ok()?;
    let last_write_ms = i64::try_from(
        modified
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_millis(),
    )
    .ok()?;
    let now_ms = crate::transcripts::retention::now_ms();
    if now_ms.saturating_sub(last_write_ms) > RECENT_WRITE_MS {
        return None;
    }
    let procs = processes();
    let p = foreign_claude_in(&procs, project, std::process::id())
        .into_iter()
        .next()?;
    Some(Elsewhere {
        pid: p.pid,
        command: p.cmd.join(" "),
        last_write_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pid: u32, parent: u32, cmd: &[&str], cwd: &str) -> ProcessInfo {
        ProcessInfo {
            pid,
            parent: Some(parent),
            cmd: cmd.iter().map(|s| (*s).to_owned()).collect(),
            cwd: Some(PathBuf::from(cwd)),
        }
    }

    #[test]
    fn claude_commands_are_told_apart() {
        let c = |a: &[&str]| is_claude(&a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert!(c(&["claude", "--resume", "x"]));
        assert!(c(&["/home/me/.local/bin/claude"]));
        assert!(c(&["C:\\Users\\me\\claude.exe"]));
        assert!(c(&[
            "node",
            "/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js"
        ]));
        assert!(!c(&["node", "/srv/app/cli.js"]));
        assert!(!c(&["vim", "claude"]));
        assert!(!c(&["ccdesk"]));
    }

    #[test]
    fn only_foreign_claude_processes_in_the_folder_count() {
        let own = 100;
        let procs = vec![
            p(1, 0, &["init"], "/"),
            p(100, 1, &["ccdesk"], "/"),
            // ccdesk's own session and its child.
            p(101, 100, &["claude", "--resume", "a"], "/w/proj"),
            p(102, 101, &["node", "/x/claude-code/cli.js"], "/w/proj"),
            // A terminal's claude in the folder, and one elsewhere.
            p(200, 1, &["bash"], "/w/proj"),
            p(201, 200, &["claude"], "/w/proj"),
            p(300, 1, &["claude"], "/w/other"),
        ];
        let found = foreign_claude_in(&procs, Path::new("/w/proj"), own);
        assert_eq!(found.iter().map(|p| p.pid).collect::<Vec<_>>(), [201]);
        assert!(foreign_claude_in(&procs, Path::new("/w/none"), own).is_empty());
    }

    #[test]
    fn an_old_transcript_is_never_active_elsewhere() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let t = dir.path().join("s.jsonl");
        std::fs::write(&t, "{}\n").unwrap_or_else(|e| panic!("{e}"));
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let f = std::fs::File::options()
            .write(true)
            .open(&t)
            .unwrap_or_else(|e| panic!("{e}"));
        f.set_modified(old).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(active_elsewhere(&t, dir.path()), None);
        // Recent, but no claude runs there.
        f.set_modified(std::time::SystemTime::now())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(active_elsewhere(&t, dir.path()), None);
    }
}
