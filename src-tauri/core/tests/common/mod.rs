//! Shared helpers of the core's integration tests: the fake CLI and a temp config + project dir.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod real;

use std::path::{Path, PathBuf};

use ccdesk_core::claude::runner::{ClaudeCommand, RunOptions};

/// The fake CLI binary next to this test's deps dir: `target/<profile>/fake-claude`
/// (`tests/fake-claude`, built by `cargo build --workspace`).
pub fn fake_claude() -> ClaudeCommand {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let fake = profile_dir.join(if cfg!(windows) {
        "fake-claude.exe"
    } else {
        "fake-claude"
    });
    assert!(
        fake.is_file(),
        "{} is missing: run `cargo build --workspace` first",
        fake.display()
    );
    ClaudeCommand::new(fake)
}

/// A temp dir holding a config dir (`config`) and a project dir with a space in its name.
pub struct Env {
    pub tmp: tempfile::TempDir,
    pub config: PathBuf,
    pub project: PathBuf,
}

pub fn env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let project = tmp.path().join("my project");
    std::fs::create_dir_all(&project).unwrap();
    let project = dunce::canonicalize(project).unwrap();
    Env {
        tmp,
        config,
        project,
    }
}

impl Env {
    /// Run options for the fake in this env.
    pub fn opts(&self) -> RunOptions {
        RunOptions {
            cwd: self.project.clone(),
            env: vec![("CLAUDE_CONFIG_DIR".into(), self.config.clone().into())],
            // A developer's own settings must not reach the fake.
            env_remove: vec![
                "FAKE_CLAUDE_DELAY_MS".into(),
                "FAKE_CLAUDE_HANG_BEFORE_INIT".into(),
            ],
            ..Default::default()
        }
    }
}
