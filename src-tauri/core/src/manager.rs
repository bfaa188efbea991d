//! The session manager: starts runs for new and resumed sessions, keeps the live ones by
//! ccdesk run id, routes prompts to them and ends them all on quit.
//!
//! A *run* is one live `claude` process. It has a ccdesk run id (a UUID minted here) because the
//! CLI's session id is only known after `system/init` and can change (a fork gets a new one).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::error::CoreError;
use crate::index::{find_session, Resumability};
use crate::runner::{ClaudeCommand, Run, RunEvent, RunOptions};

/// What the UI asks for when it starts a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartRequest {
    /// Folder for a new session. Ignored when resuming: a session resumes in the dir it was
    /// recorded in.
    #[serde(default)]
    pub cwd: Option<PathBuf>,
    /// The first prompt.
    pub prompt: String,
    /// CLI session id to resume.
    #[serde(default)]
    pub resume: Option<String>,
    /// With `resume`: fork into a new session.
    #[serde(default)]
    pub fork_session: bool,
    /// Model alias or name; `None` for the CLI's default.
    #[serde(default)]
    pub model: Option<String>,
    /// Permission mode; `None` for the CLI's default.
    #[serde(default)]
    pub permission_mode: Option<String>,
}

/// Finds the CLI each time a run starts (so installing it while ccdesk runs works).
pub type ClaudeLocator = Box<dyn Fn() -> Result<ClaudeCommand, CoreError> + Send + Sync>;

/// Owns the live runs.
pub struct SessionManager {
    config_dir: PathBuf,
    locate: ClaudeLocator,
    env: Vec<(std::ffi::OsString, std::ffi::OsString)>,
    runs: Arc<Mutex<HashMap<String, Arc<Run>>>>,
}

impl SessionManager {
    /// A manager for sessions under `config_dir`, finding the CLI with `locate`.
    /// `env` is added to every child's environment.
    pub fn new(
        config_dir: PathBuf,
        locate: ClaudeLocator,
        env: Vec<(std::ffi::OsString, std::ffi::OsString)>,
    ) -> Self {
        SessionManager {
            config_dir,
            locate,
            env,
            runs: Arc::default(),
        }
    }

    /// The config dir this manager works on.
    pub fn config_dir(&self) -> &std::path::Path {
        &self.config_dir
    }

    /// Starts a run and sends its first prompt. Every [`RunEvent`] goes to `sink`, in order,
    /// from a background task; [`RunEvent::Exited`] is the last and removes the run.
    /// Returns the run id.
    ///
    /// Errors: [`CoreError::InvalidInput`] (empty prompt, no folder for a new session),
    /// [`CoreError::UnknownSession`], [`CoreError::NotResumable`],
    /// [`CoreError::ProjectDirMissing`], [`CoreError::ClaudeNotFound`], [`CoreError::Spawn`].
    pub async fn start(
        &self,
        req: StartRequest,
        sink: impl Fn(RunEvent) + Send + 'static,
    ) -> Result<String, CoreError> {
        if req.prompt.trim().is_empty() {
            return Err(CoreError::InvalidInput("the prompt is empty".into()));
        }
        let cwd = match &req.resume {
            Some(id) => {
                let summary = find_session(&self.config_dir, id)?;
                if let Resumability::NotResumable { message, .. } = &summary.resumability {
                    return Err(CoreError::NotResumable {
                        id: id.clone(),
                        reason: message.clone(),
                    });
                }
                summary
                    .project_path
                    .map(PathBuf::from)
                    .ok_or_else(|| CoreError::NotResumable {
                        id: id.clone(),
                        reason: "no project directory recorded".into(),
                    })?
            }
            None => {
                let cwd = req
                    .cwd
                    .clone()
                    .filter(|c| !c.as_os_str().is_empty())
                    .ok_or_else(|| {
                        CoreError::InvalidInput("choose a folder for the new session".into())
                    })?;
                if !cwd.is_dir() {
                    return Err(CoreError::ProjectDirMissing(cwd));
                }
                // The CLI records the canonical path; so do we, for the index to group it right.
                std::fs::canonicalize(&cwd).map_err(|e| CoreError::io(&cwd, e))?
            }
        };
        let claude = (self.locate)()?;
        let opts = RunOptions {
            cwd,
            resume: req.resume.clone(),
            fork_session: req.fork_session,
            model: req.model.clone().filter(|m| !m.trim().is_empty()),
            permission_mode: req.permission_mode.clone().filter(|m| !m.trim().is_empty()),
            env: self.env.clone(),
            env_remove: Vec::new(),
            extra_args: Vec::new(),
        };
        let (run, mut events) = Run::spawn(&claude, opts).await?;
        let run = Arc::new(run);
        let run_id = uuid::Uuid::new_v4().to_string();
        if let Ok(mut runs) = self.runs.lock() {
            runs.insert(run_id.clone(), Arc::clone(&run));
        }
        let runs = Arc::clone(&self.runs);
        let id = run_id.clone();
        tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                let last = matches!(ev, RunEvent::Exited(_));
                sink(ev);
                if last {
                    break;
                }
            }
            if let Ok(mut runs) = runs.lock() {
                runs.remove(&id);
            }
        });
        run.send_prompt(&req.prompt).await?;
        Ok(run_id)
    }

    fn get(&self, run_id: &str) -> Result<Arc<Run>, CoreError> {
        self.runs
            .lock()
            .ok()
            .and_then(|r| r.get(run_id).cloned())
            .ok_or(CoreError::RunEnded)
    }

    /// Sends a follow-up prompt to a live run.
    ///
    /// Errors: [`CoreError::RunEnded`] for an unknown or finished run; [`CoreError::InvalidInput`]
    /// for an empty prompt.
    pub async fn send_prompt(&self, run_id: &str, prompt: &str) -> Result<(), CoreError> {
        self.get(run_id)?.send_prompt(prompt).await
    }

    /// Ends a run (see [`Run::stop`]). Ending a run that already ended is not an error.
    pub async fn stop(&self, run_id: &str) {
        if let Ok(run) = self.get(run_id) {
            run.stop().await;
        }
    }

    /// Ends every live run, concurrently; returns when all have exited.
    pub async fn stop_all(&self) {
        let runs: Vec<Arc<Run>> = self
            .runs
            .lock()
            .map(|r| r.values().cloned().collect())
            .unwrap_or_default();
        let mut tasks = tokio::task::JoinSet::new();
        for run in runs {
            tasks.spawn(async move { run.stop().await });
        }
        while tasks.join_next().await.is_some() {}
    }

    /// Ids of the live runs.
    pub fn live_runs(&self) -> Vec<String> {
        self.runs
            .lock()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default()
    }
}
