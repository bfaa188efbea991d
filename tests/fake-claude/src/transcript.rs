//! The session's `.jsonl` transcript, written the way the real CLI does in `-p`/SDK mode.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::io::warn;
use crate::util::{timestamp, to_line, uuid, VERSION};

/// Appends lines to `<config>/projects/<dir>/<session>.jsonl`.
pub struct Transcript {
    path: PathBuf,
    session_id: String,
    cwd: String,
    /// `--no-session-persistence`: write nothing.
    disabled: bool,
    /// `uuid` of the last conversation line, the `parentUuid` of the next.
    last_uuid: Option<String>,
    /// Forked history not written yet (the CLI copies it with the first new message).
    pending_copy: Vec<Value>,
}

/// Conversation lines of an existing transcript (those with a `uuid`), skipping lines that do
/// not parse (a half-written last line, say).
fn conversation_lines(path: &Path) -> std::io::Result<Vec<Value>> {
    let text = fs::read(path)?;
    Ok(text
        .split(|&b| b == b'\n')
        .filter_map(|l| serde_json::from_slice::<Value>(l).ok())
        .filter(|v| v.get("uuid").is_some_and(Value::is_string))
        .collect())
}

fn last_main_uuid(lines: &[Value]) -> Option<String> {
    lines
        .iter()
        .rev()
        .find(|v| v.get("isSidechain") != Some(&Value::Bool(true)))
        .and_then(|v| v.get("uuid"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

impl Transcript {
    /// A new session's transcript (file created by the first write).
    pub fn new(path: PathBuf, session_id: String, cwd: String, disabled: bool) -> Self {
        Transcript {
            path,
            session_id,
            cwd,
            disabled,
            last_uuid: None,
            pending_copy: Vec::new(),
        }
    }

    /// Continues the existing file at `path`: the chain goes on from its last uuid.
    pub fn resume(path: PathBuf, session_id: String, cwd: String, disabled: bool) -> Self {
        let lines = conversation_lines(&path).unwrap_or_default();
        let mut t = Transcript::new(path, session_id, cwd, disabled);
        t.last_uuid = last_main_uuid(&lines);
        t
    }

    /// A fork of `from`: the same history (same uuids) under the new session id, written to
    /// the new file together with the first new message.
    pub fn fork(
        from: &Path,
        path: PathBuf,
        session_id: String,
        cwd: String,
        disabled: bool,
    ) -> Self {
        let mut lines = conversation_lines(from).unwrap_or_default();
        for l in &mut lines {
            if let Some(obj) = l.as_object_mut() {
                if obj.contains_key("sessionId") {
                    obj.insert("sessionId".into(), Value::String(session_id.clone()));
                }
            }
        }
        let mut t = Transcript::new(path, session_id, cwd, disabled);
        t.last_uuid = last_main_uuid(&lines);
        t.pending_copy = lines;
        t
    }

    pub fn last_uuid(&self) -> Option<&str> {
        self.last_uuid.as_deref()
    }

    /// Appends raw JSON lines, creating the project dir when needed.
    fn write(&mut self, lines: &[&Value]) {
        if self.disabled {
            return;
        }
        let mut buf = Vec::new();
        for l in std::mem::take(&mut self.pending_copy).iter() {
            buf.extend_from_slice(&to_line(l));
        }
        for l in lines {
            buf.extend_from_slice(&to_line(l));
        }
        let res = (|| -> std::io::Result<()> {
            if let Some(dir) = self.path.parent() {
                fs::create_dir_all(dir)?;
            }
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            f.write_all(&buf)
        })();
        if let Err(e) = res {
            warn(&format!(
                "fake-claude: cannot write transcript {}: {e}",
                self.path.display()
            ));
        }
    }

    /// Appends a line that is not part of the conversation chain (`last-prompt`, ...).
    pub fn meta(&mut self, v: Value) {
        self.write(&[&v]);
    }

    /// `queue-operation` enqueue + dequeue, as written before every SDK prompt.
    pub fn queue_operations(&mut self, content: &str) {
        let enqueue = json!({
            "type": "queue-operation", "operation": "enqueue", "timestamp": timestamp(),
            "sessionId": self.session_id, "content": content,
        });
        let dequeue = json!({
            "type": "queue-operation", "operation": "dequeue", "timestamp": timestamp(),
            "sessionId": self.session_id,
        });
        self.write(&[&enqueue, &dequeue]);
    }

    /// Appends a conversation line of `kind` (`user`, `assistant`, ...) with the given extra
    /// fields, chained to the previous one. Returns its uuid.
    pub fn conversation(&mut self, kind: &str, extra: Value) -> String {
        let id = uuid();
        let mut obj = Map::new();
        obj.insert(
            "parentUuid".into(),
            self.last_uuid.clone().map_or(Value::Null, Value::String),
        );
        obj.insert("isSidechain".into(), Value::Bool(false));
        obj.insert("type".into(), Value::String(kind.to_owned()));
        obj.insert("uuid".into(), Value::String(id.clone()));
        obj.insert("timestamp".into(), Value::String(timestamp()));
        obj.insert("userType".into(), json!("external"));
        obj.insert("entrypoint".into(), json!("sdk-cli"));
        obj.insert("cwd".into(), Value::String(self.cwd.clone()));
        obj.insert("sessionId".into(), Value::String(self.session_id.clone()));
        obj.insert("version".into(), json!(VERSION));
        obj.insert("gitBranch".into(), json!(""));
        if let Value::Object(extra) = extra {
            obj.extend(extra);
        }
        self.write(&[&Value::Object(obj)]);
        self.last_uuid = Some(id.clone());
        id
    }
}
