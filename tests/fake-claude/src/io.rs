//! stdout (one flushed JSON line at a time, shared by both threads) and the stdin reader
//! thread, which answers control requests itself so they work while a turn runs.

use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{json, Value};

use crate::util::{to_line, uuid, VERSION};

/// Writes whole lines to stdout and flushes each; a closed stdout ends the process quietly.
#[derive(Clone, Copy)]
pub struct Out {
    /// `FAKE_CLAUDE_DELAY_MS`: pause before every line of a turn.
    pub delay: Option<Duration>,
}

impl Out {
    /// Writes `bytes` (which should end with `\n`) and flushes.
    pub fn raw(&self, bytes: &[u8]) {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        if lock.write_all(bytes).and_then(|()| lock.flush()).is_err() {
            // The reader is gone: nothing more to say to anyone.
            std::process::exit(0);
        }
    }

    /// Writes `bytes` and flushes like [`Out::raw`], but a closed stdout is not fatal: `false`.
    pub fn try_raw(&self, bytes: &[u8]) -> bool {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        lock.write_all(bytes).and_then(|()| lock.flush()).is_ok()
    }

    /// Writes one JSON line now.
    pub fn line(&self, v: &Value) {
        self.raw(&to_line(v));
    }

    /// Writes one JSON line of a turn, after the `FAKE_CLAUDE_DELAY_MS` pause.
    pub fn turn_line(&self, v: &Value) {
        if let Some(d) = self.delay {
            std::thread::sleep(d);
        }
        self.line(v);
    }
}

/// Writes a message to stderr, ignoring a closed stderr.
pub fn warn(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// What the stdin thread hands to the turn loop.
pub enum Input {
    /// A `{"type":"user",...}` line.
    User(Value),
    /// stdin reached EOF (or failed).
    Eof,
}

#[derive(Default)]
struct TurnFlags {
    /// User messages handed to the turn loop that have not started yet.
    queued: usize,
    active: bool,
    /// Set by `interrupt` while a turn runs or is queued; the (next) running turn stops.
    interrupted: bool,
}

/// State shared by the turn loop and the stdin thread.
pub struct Shared {
    pub out: Out,
    pub session_id: String,
    pub cwd: String,
    permission_mode: Mutex<String>,
    model: Mutex<String>,
    turn: Mutex<TurnFlags>,
    /// A `can_use_tool` request waiting for its answer: (request_id, where to send the response).
    pending_permission: Mutex<Option<(String, Sender<Value>)>>,
    /// Request ids of the `can_use_tool` requests answered so far.
    answered: Mutex<std::collections::HashSet<String>>,
    stdin_closed: AtomicBool,
    /// File checkpoints, one per prompt in order: the prompt's uuid and, for each file a turn
    /// wrote, what it held before the turn (`None`: it did not exist).
    checkpoints: Mutex<Vec<Checkpoint>>,
}

/// A prompt's uuid and, per file its turn wrote, the content before (`None`: no file).
type Checkpoint = (String, Vec<(String, Option<Vec<u8>>)>);

/// Whether the CLI's file checkpoints are on, as 2.1.112 decides it for a stream-json session.
fn checkpointing() -> bool {
    let on = |k: &str| {
        std::env::var(k)
            .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    };
    on("CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING") && !on("CLAUDE_CODE_DISABLE_FILE_CHECKPOINTING")
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(out: Out, session_id: String, cwd: String, model: String, mode: String) -> Self {
        Shared {
            out,
            session_id,
            cwd,
            permission_mode: Mutex::new(mode),
            model: Mutex::new(model),
            turn: Mutex::new(TurnFlags::default()),
            pending_permission: Mutex::new(None),
            answered: Mutex::new(std::collections::HashSet::new()),
            stdin_closed: AtomicBool::new(false),
            checkpoints: Mutex::new(Vec::new()),
        }
    }

    /// A prompt's turn starts: later file writes belong to its checkpoint.
    pub fn checkpoint_prompt(&self, prompt_uuid: &str) {
        lock(&self.checkpoints).push((prompt_uuid.to_owned(), Vec::new()));
    }

    /// The turn is about to write `path`: keeps what it holds now, once per turn.
    pub fn checkpoint_file(&self, path: &str) {
        let mut all = lock(&self.checkpoints);
        if let Some((_, files)) = all.last_mut() {
            if !files.iter().any(|(p, _)| p == path) {
                files.push((path.to_owned(), std::fs::read(path).ok()));
            }
        }
    }

    /// `rewind_files` as CLI 2.1.112 answers it: `{canRewind, error?}`, a dry run with
    /// `filesChanged`, `insertions`, `deletions`; a real run puts every file written since the
    /// prompt back (deleting those that did not exist).
    fn rewind(&self, message: &str, dry_run: bool) -> Value {
        if !checkpointing() {
            return json!({"canRewind": false, "error": "File rewinding is not enabled."});
        }
        let all = lock(&self.checkpoints);
        let Some(at) = all.iter().position(|(m, _)| m == message) else {
            return json!({"canRewind": false, "error": "No file checkpoint found for this message."});
        };
        // The earliest content of each file written from that prompt on.
        let mut before: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        for (_, files) in &all[at..] {
            for (p, old) in files {
                if !before.iter().any(|(q, _)| q == p) {
                    before.push((p.clone(), old.clone()));
                }
            }
        }
        let lines = |b: &Option<Vec<u8>>| {
            b.as_ref()
                .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        };
        if dry_run {
            let (mut ins, mut del) = (0, 0);
            for (p, old) in &before {
                ins += lines(old);
                del += lines(&std::fs::read(p).ok());
            }
            let files: Vec<&String> = before.iter().map(|(p, _)| p).collect();
            return json!({"canRewind": true, "filesChanged": files, "insertions": ins, "deletions": del});
        }
        for (p, old) in &before {
            let done = match old {
                Some(b) => std::fs::write(p, b),
                None => std::fs::remove_file(p).or_else(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Ok(())
                    } else {
                        Err(e)
                    }
                }),
            };
            if let Err(e) = done {
                return json!({"canRewind": false, "error": format!("Failed to rewind: {e}")});
            }
        }
        json!({"canRewind": true})
    }

    pub fn permission_mode(&self) -> String {
        lock(&self.permission_mode).clone()
    }

    pub fn model(&self) -> String {
        lock(&self.model).clone()
    }

    /// Marks the oldest queued message's turn as running.
    pub fn begin_turn(&self) {
        let mut t = lock(&self.turn);
        t.queued = t.queued.saturating_sub(1);
        t.active = true;
    }

    /// Marks the turn as over, forgetting its interrupt.
    pub fn end_turn(&self) {
        let mut t = lock(&self.turn);
        t.active = false;
        t.interrupted = false;
    }

    pub fn interrupted(&self) -> bool {
        lock(&self.turn).interrupted
    }

    pub fn stdin_closed(&self) -> bool {
        self.stdin_closed.load(Ordering::SeqCst)
    }

    /// Registers a `can_use_tool` request; its `control_response` is sent to `tx`.
    pub fn expect_permission(&self, request_id: String, tx: Sender<Value>) {
        *lock(&self.pending_permission) = Some((request_id, tx));
    }

    pub fn clear_permission(&self) {
        *lock(&self.pending_permission) = None;
    }

    fn respond(&self, request_id: &Value, response: Value) {
        self.out.line(&json!({
            "type": "control_response",
            "response": {"subtype": "success", "request_id": request_id, "response": response},
        }));
    }

    fn handle_control_request(&self, v: &Value) {
        let id = v.get("request_id").cloned().unwrap_or(Value::Null);
        let req = v.get("request").cloned().unwrap_or(Value::Null);
        match req.get("subtype").and_then(Value::as_str).unwrap_or("") {
            "initialize" => self.respond(
                &id,
                json!({
                    "commands": [],
                    "agents": [],
                    "output_style": "default",
                    "available_output_styles": ["default"],
                    "models": [{"value": "default", "displayName": "Default (fake)", "description": "fake-claude's only model"}],
                    "account": {"tokenSource": "none", "apiKeySource": "none", "apiProvider": "firstParty"},
                    "pid": std::process::id(),
                    "claude_code_version": VERSION,
                    "current_permission_mode": self.permission_mode(),
                }),
            ),
            "interrupt" => {
                self.respond(&id, json!({"still_queued": []}));
                let mut t = lock(&self.turn);
                if t.active || t.queued > 0 {
                    t.interrupted = true;
                }
            }
            "set_permission_mode" => {
                let mode = req
                    .get("mode")
                    .and_then(Value::as_str)
                    .unwrap_or("default")
                    .to_owned();
                *lock(&self.permission_mode) = mode.clone();
                self.respond(&id, json!({"mode": mode}));
                self.out.line(&json!({
                    "type": "system", "subtype": "status", "status": null, "permissionMode": mode,
                    "uuid": uuid(), "session_id": self.session_id,
                }));
            }
            "set_model" => {
                let model = req
                    .get("model")
                    .and_then(Value::as_str)
                    .unwrap_or(crate::DEFAULT_MODEL)
                    .to_owned();
                *lock(&self.model) = model.clone();
                self.respond(&id, json!({"model": model}));
            }
            "rewind_files" => {
                let message = req.get("user_message_id").and_then(Value::as_str).unwrap_or("");
                let dry_run = req.get("dry_run").and_then(Value::as_bool).unwrap_or(false);
                let answer = self.rewind(message, dry_run);
                if dry_run || answer["canRewind"] == true {
                    self.respond(&id, answer);
                } else {
                    let error = answer["error"].as_str().unwrap_or("Unexpected error").to_owned();
                    self.out.line(&json!({
                        "type": "control_response",
                        "response": {"subtype": "error", "request_id": id, "error": error},
                    }));
                }
            }
            _ => self.respond(&id, json!({})),
        }
    }

    fn handle_control_response(&self, v: &Value) {
        let resp = v.get("response").cloned().unwrap_or(Value::Null);
        let id = resp.get("request_id").and_then(Value::as_str).unwrap_or("");
        // A host must answer each request once: a second answer is a host bug, made loud.
        if !lock(&self.answered).insert(id.to_owned()) {
            warn(&format!(
                "fake-claude: a second answer to permission request {id}; exiting 4"
            ));
            std::process::exit(4);
        }
        let pending = lock(&self.pending_permission);
        if let Some((want, tx)) = pending.as_ref() {
            if want == id {
                let _ = tx.send(resp);
            }
        }
    }
}

/// Reads stdin line by line on its own thread until EOF.
pub fn spawn_stdin_reader(shared: std::sync::Arc<Shared>, tx: Sender<Input>) {
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut reader = stdin.lock();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let line = buf.trim_ascii();
            if line.is_empty() {
                continue;
            }
            let v: Value = match serde_json::from_slice(line) {
                Ok(v @ Value::Object(_)) => v,
                _ => {
                    let shown: String = String::from_utf8_lossy(line).chars().take(200).collect();
                    warn(&format!(
                        "fake-claude: ignoring stdin line that is not a JSON object: {shown}"
                    ));
                    continue;
                }
            };
            match v.get("type").and_then(Value::as_str).unwrap_or("") {
                "user" => {
                    lock(&shared.turn).queued += 1;
                    if tx.send(Input::User(v)).is_err() {
                        break;
                    }
                }
                "control_request" => shared.handle_control_request(&v),
                "control_response" => shared.handle_control_response(&v),
                other => warn(&format!(
                    "fake-claude: ignoring stdin message of type {other:?}"
                )),
            }
        }
        shared.stdin_closed.store(true, Ordering::SeqCst);
        let _ = tx.send(Input::Eof);
    });
}
