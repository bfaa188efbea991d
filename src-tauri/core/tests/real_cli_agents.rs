//! `claude agents --json --all` of the real CLI, through [`list_agents`] (source: CLI 2.1.330
//! native, `claude agents --json`).
//!
//! The pinned builds come from `CCDESK_REAL_CLI_NATIVE` and `CCDESK_REAL_CLI_JS` (source
//! `tests/real-cli/env.sh`); without them the tests print a skip notice and pass, unless `CI` is
//! set. Each CLI gets a sandbox `HOME` and `CLAUDE_CONFIG_DIR` and, when it talks at all, only
//! the loopback mock API. Run offline:
//! `unshare -n -- sh -c 'ip link set lo up && exec cargo test --offline -p ccdesk-core --test real_cli_agents'`.
//!
//! Tests:
//! - `native_lists_nothing_in_an_empty_config_dir`: offered, an empty array.
//! - `js_is_not_offered_and_not_asked`: 2.1.112 is below 2.1.145; only `--version` runs.
//! - `native_lists_a_live_interactive_session` (Linux): the native CLI started interactively in
//!   a pseudo-terminal (util-linux `script`), with onboarding, the project's trust and the API
//!   key pre-accepted in the sandbox's `.claude.json`, registers itself within 30 s (in about
//!   0.6 s here; its entry has no `status` for its first moments, then `idle`); the listing
//!   shows it (kind, pid alive, cwd, session id, a status), and once its process group is killed
//!   it is gone from the listing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use ccdesk_core::claude::agents::{list_agents, offers_agents};
use common::real::{Cli, Sandbox};

/// Bound of each command `list_agents` runs.
const TIMEOUT: Duration = Duration::from_secs(20);

#[test]
fn native_lists_nothing_in_an_empty_config_dir() {
    let Some(cli) = Cli::from_env("CCDESK_REAL_CLI_NATIVE", "native") else {
        return;
    };
    let sb = Sandbox::new();
    let listing = list_agents(&cli.command(), Some(&sb.config), TIMEOUT).unwrap();
    let version = listing.cli_version.clone().expect("a version");
    assert!(offers_agents(&version), "{version}");
    assert!(listing.offered, "{listing:?}");
    assert!(listing.agents.is_empty(), "{listing:?}");
    assert_eq!(listing.skipped, 0);
}

#[cfg(unix)]
#[test]
fn js_is_not_offered_and_not_asked() {
    use std::os::unix::fs::PermissionsExt;

    let Some(cli) = Cli::from_env("CCDESK_REAL_CLI_JS", "2.1.112 JS") else {
        return;
    };
    let sb = Sandbox::new();
    // The real CLI behind a wrapper that records its arguments.
    let log = sb.root.join("calls");
    let wrapper = sb.root.join("claude");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            cli.exe.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let command = ccdesk_core::claude::runner::ClaudeCommand::new(&wrapper);
    let listing = list_agents(&command, Some(&sb.config), TIMEOUT).unwrap();
    assert!(!listing.offered, "{listing:?}");
    assert!(listing.agents.is_empty());
    assert_eq!(
        listing.cli_version.as_deref(),
        Some("2.1.112 (Claude Code)"),
        "{}",
        cli.label
    );
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(calls.lines().collect::<Vec<_>>(), ["--version"]);
}

#[cfg(target_os = "linux")]
mod interactive {
    use super::*;

    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::Instant;

    use ccdesk_core::claude::agents::{parse_agents_json, AgentActivity, AgentListing};
    use ccdesk_mock_api::MockApi;
    use nix::sys::signal::{killpg, Signal};
    use nix::unistd::{getpgid, getpgrp, Pid};

    /// How long the CLI may take to register its session.
    const REGISTER_WITHIN: Duration = Duration::from_secs(30);
    /// How long it may take to leave the listing once killed.
    const GONE_WITHIN: Duration = Duration::from_secs(15);

    /// util-linux `script` on `PATH`, else `None` (then the test is skipped, or fails in CI).
    fn script_program() -> Option<PathBuf> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|d| d.join("script"))
            .find(|p| p.is_file())
    }

    /// Single-quoted for `sh -c`.
    fn sh_quote(p: &Path) -> String {
        format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
    }

    /// What an interactive first start would ask, answered in the sandbox's `.claude.json`:
    /// onboarding done (else it checks api.anthropic.com, offline here, and exits), the project
    /// trusted, the mock's API key approved (the CLI keeps the key's last 20 characters).
    fn pre_accept(sb: &Sandbox, project: &Path, api_key: &str) {
        let key_tail: String = {
            let chars: Vec<char> = api_key.chars().collect();
            chars[chars.len().saturating_sub(20)..].iter().collect()
        };
        let project_key = project.display().to_string();
        let config = serde_json::json!({
            "hasCompletedOnboarding": true,
            "lastOnboardingVersion": "2.1.330",
            "customApiKeyResponses": { "approved": [key_tail], "rejected": [] },
            "projects": {
                project_key: {
                    "hasTrustDialogAccepted": true,
                    "hasCompletedProjectOnboarding": true
                }
            }
        });
        std::fs::write(
            sb.config.join(".claude.json"),
            serde_json::to_vec_pretty(&config).unwrap(),
        )
        .unwrap();
    }

    /// The `script` process and, once known, the CLI's process group; both killed on drop so a
    /// failing test leaves nothing running.
    struct Live {
        script: Child,
        cli_group: Option<Pid>,
    }

    impl Live {
        fn kill_cli(&mut self) {
            if let Some(group) = self.cli_group.take() {
                let _ = killpg(group, Signal::SIGKILL);
            }
        }

        /// Waits up to `within` for `script` to end; kills its group if it has not.
        fn end_script(&mut self, within: Duration) -> bool {
            let deadline = Instant::now() + within;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.script.try_wait() {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if let Ok(pid) = i32::try_from(self.script.id()) {
                let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
            }
            let _ = self.script.kill();
            let _ = self.script.wait();
            false
        }
    }

    impl Drop for Live {
        fn drop(&mut self) {
            self.kill_cli();
            if let Ok(None) = self.script.try_wait() {
                self.end_script(Duration::ZERO);
            }
        }
    }

    fn alive(pid: u32) -> bool {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // A zombie has ended; only its parent's reaping is pending.
        !stat.is_empty() && !stat.contains(") Z ")
    }

    fn listing(cli: &Cli, sb: &Sandbox) -> AgentListing {
        list_agents(&cli.command(), Some(&sb.config), TIMEOUT).unwrap()
    }

    fn live_session(cli: Cli, mock: &MockApi) {
        let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        let Some(script) = script_program() else {
            assert!(
                !in_ci,
                "util-linux `script` is needed for the interactive test"
            );
            eprintln!("SKIPPED: no `script` on PATH for the interactive CLI");
            return;
        };
        let sb = Sandbox::new();
        let project = sb.project("live project");
        let env = sb.env(mock);
        let api_key = env
            .iter()
            .find(|(k, _)| k == "ANTHROPIC_API_KEY")
            .map(|(_, v)| v.to_string_lossy().into_owned())
            .unwrap();
        pre_accept(&sb, &project, &api_key);

        // `script -qfec CMD /dev/null`: CMD on a fresh pseudo-terminal (its own session), the
        // terminal's output thrown away; its stdin stays open (a pipe held here).
        let mut command = Command::new(&script);
        command
            .args(["-qfec", &sh_quote(&cli.exe), "/dev/null"])
            .current_dir(&project)
            .envs(env)
            .env("TERM", "xterm-256color")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut live = Live {
            script: command.spawn().unwrap(),
            cli_group: None,
        };

        // The CLI registers first and records its status a moment later: until then the entry
        // has no `status` (activity unknown). Wait for both.
        let started = Instant::now();
        let mut first_seen = None;
        let found = loop {
            let l = listing(&cli, &sb);
            assert!(l.offered, "{l:?}");
            if !l.agents.is_empty() && first_seen.is_none() {
                first_seen = Some(started.elapsed());
                eprintln!("listed after {:?}: {:?}", started.elapsed(), l.agents);
            }
            if l.agents.iter().any(|a| a.status.is_some()) {
                break l;
            }
            if let Ok(Some(status)) = live.script.try_wait() {
                panic!("the interactive CLI ended ({status}) before it was listed");
            }
            assert!(
                started.elapsed() < REGISTER_WITHIN,
                "the interactive CLI was not listed with a status within {REGISTER_WITHIN:?} \
                 (first listed after {first_seen:?})"
            );
            std::thread::sleep(Duration::from_millis(250));
        };
        eprintln!("listed with a status after {:?}", started.elapsed());

        assert_eq!(found.skipped, 0, "{found:?}");
        assert_eq!(found.agents.len(), 1, "{found:?}");
        let agent = &found.agents[0];
        let pid = agent.pid.expect("an interactive session has its pid");
        if let Ok(group) = getpgid(Some(Pid::from_raw(i32::try_from(pid).unwrap()))) {
            // Never this test's own group.
            if group != getpgrp() {
                live.cli_group = Some(group);
            }
        }
        assert!(agent.is_interactive(), "{agent:?}");
        assert_eq!(agent.kind, "interactive");
        assert!(alive(pid), "pid {pid} is not running");
        assert_eq!(agent.cwd, project);
        if let Some(id) = &agent.session_id {
            assert!(ccdesk_core::ids::SessionId::parse(id).is_ok(), "{id}");
        }
        assert!(agent.id.is_none() && agent.state.is_none(), "{agent:?}");
        assert!(
            matches!(
                agent.activity,
                AgentActivity::Idle | AgentActivity::Working | AgentActivity::NeedsInput
            ),
            "{agent:?}"
        );
        assert!(agent.started_at.is_some(), "{agent:?}");

        // What the CLI printed, as it printed it, decodes to the same listing.
        let raw = Command::new(&cli.exe)
            .args(["agents", "--json", "--all"])
            .env("CLAUDE_CONFIG_DIR", &sb.config)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(raw.status.success(), "{raw:?}");
        let raw = String::from_utf8(raw.stdout).unwrap();
        eprintln!("claude agents --json --all printed:\n{raw}");
        let (agents, skipped) = parse_agents_json(&raw).unwrap();
        assert_eq!((agents.len(), skipped), (1, 0), "{raw}");
        assert_eq!(agents[0].pid, agent.pid);
        assert_eq!(agents[0].cwd, agent.cwd);
        assert_eq!(agents[0].session_id, agent.session_id);

        assert!(
            live.cli_group.is_some(),
            "the CLI's process group is unknown"
        );
        live.kill_cli();
        assert!(
            live.end_script(Duration::from_secs(10)),
            "`script` did not end after its CLI was killed"
        );
        let killed = Instant::now();
        loop {
            let l = listing(&cli, &sb);
            if l.agents.is_empty() {
                break;
            }
            assert!(
                killed.elapsed() < GONE_WITHIN,
                "still listed {GONE_WITHIN:?} after it was killed: {l:?}"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
        assert!(!alive(pid), "pid {pid} still runs");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn native_lists_a_live_interactive_session() {
        let Some(cli) = Cli::from_env("CCDESK_REAL_CLI_NATIVE", "native") else {
            return;
        };
        let mock = MockApi::start().await.unwrap();
        let mock = std::sync::Arc::new(mock);
        let for_test = mock.clone();
        let outcome = tokio::task::spawn_blocking(move || live_session(cli, &for_test)).await;
        if let Ok(mock) = std::sync::Arc::try_unwrap(mock) {
            mock.shutdown().await;
        }
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}
