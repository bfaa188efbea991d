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
        }
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
