//! The processes a `claude` process started, for ending them with it.
//!
//! The CLI runs its Bash tool commands `detached` (CLI 2.1.x, `cli.js`: the shell provider spawns
//! with `detached: true`), so they lead process groups of their own and a signal to the CLI's
//! group does not reach them. Before a run is ended by signal, ccdesk therefore collects every
//! descendant of the CLI (by parent pid) while the lineage is still known, and signals their
//! groups too. Linux reads `/proc`; macOS the process table through `sysinfo` (with `getpgid`).
//! Windows needs none of this: a run's Job Object holds every process it starts
//! ([`crate::claude::control`]).

use std::collections::BTreeSet;

/// A process group to signal: the root's own group and those of all its descendants, and the
/// descendants' pids (a process may have left its group).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    /// Process group ids, the root's first.
    pub groups: BTreeSet<u32>,
    /// Every descendant's pid (not the root's).
    pub pids: BTreeSet<u32>,
}

/// `(pid, ppid, pgrp)` of every process, from `/proc/<pid>/stat` (Linux). Processes that vanish
/// while being read are skipped.
#[cfg(target_os = "linux")]
fn processes() -> Vec<(u32, u32, u32)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            parse_stat(&stat).map(|(ppid, pgrp)| (pid, ppid, pgrp))
        })
        .collect()
}

/// `(pid, ppid, pgrp)` of every process, from the OS's process table through `sysinfo` (macOS
/// and other Unixes; on Linux only to check it against `/proc`), each group from `getpgid`.
/// Processes that vanish while being read are skipped.
#[cfg(all(unix, any(test, not(target_os = "linux"))))]
fn processes_from_table() -> Vec<(u32, u32, u32)> {
    use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System};
    let mut sys = System::new();
    sys.refresh_processes_specifics(ProcessesToUpdate::All, true, ProcessRefreshKind::nothing());
    sys.processes()
        .iter()
        .filter_map(|(pid, p)| {
            let pid = pid.as_u32();
            let ppid = p.parent()?.as_u32();
            let pgrp =
                nix::unistd::getpgid(Some(nix::unistd::Pid::from_raw(i32::try_from(pid).ok()?)))
                    .ok()?;
            Some((pid, ppid, u32::try_from(pgrp.as_raw()).ok()?))
        })
        .collect()
}

#[cfg(all(unix, not(target_os = "linux")))]
fn processes() -> Vec<(u32, u32, u32)> {
    processes_from_table()
}

#[cfg(not(unix))]
fn processes() -> Vec<(u32, u32, u32)> {
    Vec::new()
}

/// `(ppid, pgrp)` from a `/proc/<pid>/stat` line: `pid (comm) state ppid pgrp ...`, where
/// `comm` may hold spaces and parentheses (so the last `)` ends it).
#[cfg(any(target_os = "linux", test))]
fn parse_stat(stat: &str) -> Option<(u32, u32)> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    let _state = fields.next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((ppid, pgrp))
}

/// The groups and pids to signal to end `root` and everything it started.
pub fn tree_of(root: u32) -> Tree {
    tree_in(root, &processes())
}

fn tree_in(root: u32, procs: &[(u32, u32, u32)]) -> Tree {
    let mut tree = Tree::default();
    tree.groups.insert(root);
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for &(pid, ppid, pgrp) in procs {
            if ppid == parent && pid != root && tree.pids.insert(pid) {
                if pgrp > 1 {
                    tree.groups.insert(pgrp);
                }
                frontier.push(pid);
            }
        }
    }
    tree
}

/// Sends SIGTERM (`kill == false`) or SIGKILL to every group and pid of `tree`. Unix only.
pub fn signal_tree(tree: &Tree, kill: bool) {
    #[cfg(unix)]
    {
        use nix::sys::signal::{kill as kill_pid, killpg, Signal};
        use nix::unistd::Pid;
        let sig = if kill {
            Signal::SIGKILL
        } else {
            Signal::SIGTERM
        };
        for &g in &tree.groups {
            if let Ok(g) = i32::try_from(g) {
                let _ = killpg(Pid::from_raw(g), sig);
            }
        }
        for &p in &tree.pids {
            if let Ok(p) = i32::try_from(p) {
                let _ = kill_pid(Pid::from_raw(p), sig);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (tree, kill);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_odd_names_parse() {
        assert_eq!(
            parse_stat("42 (my (odd) name) S 7 42 42 0 -1"),
            Some((7, 42))
        );
        assert_eq!(parse_stat("garbage"), None);
    }

    /// The macOS path (the OS's process table) sees what `/proc` sees: this process, its
    /// parent and its group, and a child in a group of its own.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_process_table_agrees_with_proc() {
        use std::os::unix::process::CommandExt;
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .expect("sleep starts");
        let me = std::process::id();
        let table = processes_from_table();
        let proc = processes();
        let _ = child.kill();
        let _ = child.wait();
        let find = |v: &[(u32, u32, u32)], pid: u32| v.iter().copied().find(|p| p.0 == pid);
        for pid in [me, child.id()] {
            assert!(find(&table, pid).is_some(), "{pid} in the table");
            assert_eq!(find(&table, pid), find(&proc, pid), "{pid}");
        }
        assert_eq!(
            find(&table, child.id()).map(|p| (p.1, p.2)),
            Some((me, child.id()))
        );
        assert_eq!(
            tree_in(me, &table).pids.contains(&child.id()),
            tree_in(me, &proc).pids.contains(&child.id())
        );
    }

    #[test]
    fn descendants_and_their_own_groups_are_found() {
        // 10 = the CLI (group 10); 11 its tool in group 11 (detached); 12 a child of 11;
        // 13 in the CLI's group; 20 unrelated.
        let procs = [
            (10, 1, 10),
            (11, 10, 11),
            (12, 11, 11),
            (13, 10, 10),
            (20, 1, 20),
        ];
        let t = tree_in(10, &procs);
        assert_eq!(t.groups, [10, 11].into_iter().collect());
        assert_eq!(t.pids, [11, 12, 13].into_iter().collect());
    }
}
