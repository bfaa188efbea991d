//! The rig of the real-CLI suites (`real_cli.rs`, `real_cli_pool.rs`): which pinned CLI build to
//! run, and a sandbox that keeps it away from the real `~/.claude` and the network.

use std::ffi::OsString;
use std::path::PathBuf;

use ccdesk_core::claude::runner::ClaudeCommand;
use ccdesk_mock_api::MockApi;

/// One build of the CLI under test.
#[derive(Clone, Debug)]
pub struct Cli {
    /// For messages: `2.1.112 JS`, `native`.
    pub label: &'static str,
    /// The executable.
    pub exe: PathBuf,
}

impl Cli {
    /// The build named by `var`, or `None` (skip) when it is not set. Panics when `CI` is set
    /// and the variable is missing, or when it points nowhere.
    pub fn from_env(var: &str, label: &'static str) -> Option<Cli> {
        let value = std::env::var_os(var).filter(|v| !v.is_empty());
        let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        match value {
            Some(v) => {
                let exe = PathBuf::from(v);
                assert!(
                    exe.is_file(),
                    "{var}={} is not a file: source tests/real-cli/env.sh (it installs the pinned CLI builds)",
                    exe.display()
                );
                Some(Cli { label, exe })
            }
            None if in_ci => panic!(
                "{var} is not set and CI is set: the real-CLI suites must not be skipped in CI. \
                 Source tests/real-cli/env.sh, which installs the pinned {label} build from npm \
                 and sets {var}."
            ),
            None => {
                eprintln!(
                    "SKIPPED: {var} is not set, so the real {label} CLI tests do not run. \
                     Source tests/real-cli/env.sh to run them."
                );
                None
            }
        }
    }

    /// How the runner starts this build.
    pub fn command(&self) -> ClaudeCommand {
        ClaudeCommand::new(self.exe.clone())
    }
}

/// A temp dir holding `home/`, `home/.claude` (the config dir), `tmp/` and project dirs.
pub struct Sandbox {
    _tmp: tempfile::TempDir,
    /// Canonical path of the temp dir.
    pub root: PathBuf,
    /// The CLI's `HOME`.
    pub home: PathBuf,
    /// The CLI's config dir, `home/.claude`.
    pub config: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let tmp = tempfile::Builder::new()
            .prefix("ccdesk-real-cli-")
            .tempdir()
            .unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let home = root.join("home");
        let config = home.join(".claude");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::create_dir_all(root.join("tmp")).unwrap();
        Sandbox {
            _tmp: tmp,
            root,
            home,
            config,
        }
    }

    /// Creates `rel` under the sandbox and returns its canonical path.
    pub fn project(&self, rel: &str) -> PathBuf {
        let p = self.root.join(rel);
        std::fs::create_dir_all(&p).unwrap();
        p.canonicalize().unwrap()
    }

    /// Environment for the CLI: the mock, no outside traffic, the sandbox's home, config and
    /// scratch dir.
    pub fn env(&self, mock: &MockApi) -> Vec<(OsString, OsString)> {
        let mut env: Vec<(OsString, OsString)> = vec![
            ("ANTHROPIC_BASE_URL".into(), mock.base_url().into()),
            ("ANTHROPIC_API_KEY".into(), "sk-ant-fake".into()),
            (
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC".into(),
                "1".into(),
            ),
            ("DISABLE_TELEMETRY".into(), "1".into()),
            ("DISABLE_AUTOUPDATER".into(), "1".into()),
            ("DISABLE_ERROR_REPORTING".into(), "1".into()),
            ("HOME".into(), self.home.clone().into()),
            ("CLAUDE_CONFIG_DIR".into(), self.config.clone().into()),
            ("CLAUDE_CODE_TMPDIR".into(), self.root.join("tmp").into()),
        ];
        for (var, sub) in [
            ("XDG_CONFIG_HOME", ".config"),
            ("XDG_CACHE_HOME", ".cache"),
            ("XDG_DATA_HOME", ".local/share"),
            ("XDG_STATE_HOME", ".local/state"),
        ] {
            env.push((var.into(), self.home.join(sub).into()));
        }
        env
    }
}
