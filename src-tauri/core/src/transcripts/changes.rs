//! What each turn of a session changed in files, from its transcript alone (no git): every
//! `Edit`, `MultiEdit`, `Write` and `NotebookEdit` tool call whose result says it was applied,
//! grouped by turn (a turn starts at a prompt a person typed), as unified diffs (issue 14 part 1).
//!
//! The diff comes from the CLI's own record of the change: the tool result's `toolUseResult`
//! (CLI 1.0.x to 2.1.x): `structuredPatch` (hunks with `oldStart`, `oldLines`, `newStart`,
//! `newLines` and `lines` prefixed ` `, `-`, `+`) for edits and for writes over a file, and
//! `type: "create"` with the `content` for a new file. Where a result has no `structuredPatch`
//! (an edit the CLI recorded without one), the diff is made from the call's `old_string` and
//! `new_string` by `similar` (hunk positions then count from the edited text, not the file). A
//! call that failed (`is_error`) or was refused changed nothing and is left out. A subagent's
//! changes count in the turn that ran it (sidechain lines, and `<id>/subagents/*.jsonl`).

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::CoreError;
use crate::transcripts::paths;

/// One file's changes in one turn.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FileChange {
    /// The file, relative to the session's project dir when inside it, else absolute.
    pub path: String,
    /// Lines added (`+` lines of the diff).
    pub added: u32,
    /// Lines removed (`-` lines of the diff).
    pub removed: u32,
    /// A unified diff (`--- a/<path>`, `+++ b/<path>`, hunks), of every change to the file in
    /// the turn, in order; `git apply` takes it (from the project dir) when the hunks came from
    /// the CLI's `structuredPatch`.
    pub diff: String,
    /// Whether the turn created the file.
    pub created: bool,
    /// The tools that changed it (`Edit`, `Write`, ...), each once.
    pub tools: Vec<String>,
}

/// The changes of one turn.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TurnChanges {
    /// The turn's number in the session, from 1 (turns that changed nothing count too); 0 for
    /// changes recorded before the transcript's first prompt.
    pub index: u32,
    /// The prompt's timestamp (RFC 3339).
    pub timestamp: Option<String>,
    /// The prompt, cut at 200 characters.
    pub prompt: String,
    /// 0-based line of the prompt in the transcript (where the transcript view opens it).
    pub line: u32,
    /// The prompt line's `uuid`: the user message a live session's files can be rewound to
    /// (control request `rewind_files`, `user_message_id`); `None` for turn 0 and lines
    /// without one.
    pub uuid: Option<String>,
    /// Files changed, in the order first changed.
    pub files: Vec<FileChange>,
}

/// What a session changed in files.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionChanges {
    /// Turns that changed files, in order.
    pub turns: Vec<TurnChanges>,
    /// Lines added over all turns.
    pub added: u32,
    /// Lines removed over all turns.
    pub removed: u32,
    /// Lines that name a user message or a tool but are not JSON (skipped; other lines are not
    /// parsed at all).
    pub malformed_lines: u32,
}

/// The file tools whose results are changes.
const FILE_TOOLS: [&str; 4] = ["Edit", "MultiEdit", "Write", "NotebookEdit"];

/// A file tool call waiting for its result.
struct Pending {
    tool: String,
    input: Value,
    turn: usize,
}

/// Reads `transcript` (a page of lines at a time: memory stays that of the pending calls) and
/// returns its changes; `cwd` (the session's project dir) makes paths relative. Changes made by
/// subagents count in the turn that ran them: sidechain lines of the transcript (CLI 1.0.x) where
/// they are, and the calls of each subagent transcript (`<id>/subagents/*.jsonl`, CLI 2.x) in
/// the turn in which their line was written (by timestamp); the CLI's own forks (compaction,
/// prompt suggestions, side questions) are left out.
///
/// Errors: [`CoreError::Io`] when the transcript cannot be read (an unreadable subagent
/// transcript is skipped).
pub fn session_changes(transcript: &Path, cwd: Option<&str>) -> Result<SessionChanges, CoreError> {
    let mut c = Collector {
        // Turn 0 holds changes before the first prompt (a transcript that starts mid-session).
        turns: vec![TurnChanges {
            index: 0,
            timestamp: None,
            prompt: String::new(),
            line: 0,
            uuid: None,
            files: Vec::new(),
        }],
        pending: HashMap::new(),
        malformed: 0,
        cwd,
    };
    c.read(transcript, false)?;
    for sub in paths::subagent_transcripts(transcript) {
        // The CLI's own forks (compaction, prompt suggestions, side questions) start with a copy
        // of the conversation: their edits are the session's, already counted.
        let name = sub
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        if [
            "agent-acompact-",
            "agent-aprompt_suggestion-",
            "agent-aside_question-",
        ]
        .iter()
        .any(|p| name.starts_with(p))
        {
            continue;
        }
        if let Err(e) = c.read(&sub, true) {
            tracing::debug!(error = %e, "a subagent transcript is skipped");
        }
    }
    let turns: Vec<TurnChanges> = c
        .turns
        .into_iter()
        .filter(|t| !t.files.is_empty())
        .collect();
    let added = turns.iter().flat_map(|t| &t.files).map(|f| f.added).sum();
    let removed = turns.iter().flat_map(|t| &t.files).map(|f| f.removed).sum();
    Ok(SessionChanges {
        turns,
        added,
        removed,
        malformed_lines: c.malformed,
    })
}

/// What [`session_changes`] gathers while it reads.
struct Collector<'a> {
    turns: Vec<TurnChanges>,
    pending: HashMap<String, Pending>,
    malformed: u32,
    cwd: Option<&'a str>,
}

impl Collector<'_> {
    /// Reads one transcript: the session's own (its typed prompts start turns)
    /// or a subagent's (each call goes to the turn its line's timestamp falls in).
    fn read(&mut self, transcript: &Path, subagent: bool) -> Result<(), CoreError> {
        let file = paths::open_regular(transcript).map_err(|e| CoreError::io(transcript, e))?;
        let mut reader = std::io::BufReader::with_capacity(256 * 1024, file);
        let mut buf = Vec::new();
        let mut n: u32 = 0;
        let tool_use = memchr::memmem::Finder::new(b"\"tool_use\"");
        let tool_result = memchr::memmem::Finder::new(b"\"tool_result\"");
        let user = memchr::memmem::Finder::new(b"\"user\"");
        loop {
            buf.clear();
            let read = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| CoreError::io(transcript, e))?;
            if read == 0 {
                break;
            }
            let line_no = n;
            n += 1;
            let (has_use, has_result, has_user) = (
                tool_use.find(&buf).is_some(),
                tool_result.find(&buf).is_some(),
                user.find(&buf).is_some(),
            );
            if !has_use && !has_result && !has_user {
                continue;
            }
            let Ok(v) = serde_json::from_slice::<Value>(&buf) else {
                if !buf.iter().all(u8::is_ascii_whitespace) {
                    self.malformed += 1;
                }
                continue;
            };
            let turn = if subagent {
                self.turn_at(v.get("timestamp"))
            } else {
                // A subagent's own prompt (a sidechain line) starts no turn of the session.
                let sidechain = v.get("isSidechain").and_then(Value::as_bool) == Some(true);
                if let Some(prompt) = typed_prompt(&v).filter(|_| !sidechain) {
                    self.turns.push(TurnChanges {
                        index: u32::try_from(self.turns.len()).unwrap_or(u32::MAX),
                        timestamp: v
                            .get("timestamp")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        prompt: prompt.chars().take(200).collect(),
                        line: line_no,
                        uuid: v.get("uuid").and_then(Value::as_str).map(str::to_owned),
                        files: Vec::new(),
                    });
                    continue;
                }
                self.turns.len() - 1
            };
            self.blocks(&v, turn);
        }
        Ok(())
    }

    /// The last turn whose prompt was written at or before `timestamp` (RFC 3339 as the CLI
    /// writes it, compared as text); the last turn when it is missing.
    fn turn_at(&self, timestamp: Option<&Value>) -> usize {
        let Some(ts) = timestamp.and_then(Value::as_str) else {
            return self.turns.len() - 1;
        };
        self.turns
            .iter()
            .rposition(|t| t.timestamp.as_deref().is_some_and(|p| p <= ts))
            .unwrap_or(0)
    }

    /// Takes the file tool calls and results of one line, for turn `turn`.
    fn blocks(&mut self, v: &Value, turn: usize) {
        let blocks = v
            .pointer("/message/content")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for b in blocks {
            match b.get("type").and_then(Value::as_str) {
                Some("tool_use") => {
                    let name = b.get("name").and_then(Value::as_str).unwrap_or_default();
                    let id = b.get("id").and_then(Value::as_str);
                    if let (true, Some(id)) = (FILE_TOOLS.contains(&name), id) {
                        self.pending.insert(
                            id.to_owned(),
                            Pending {
                                tool: name.to_owned(),
                                input: b.get("input").cloned().unwrap_or(Value::Null),
                                turn,
                            },
                        );
                    }
                }
                Some("tool_result") => {
                    let Some(p) = b
                        .get("tool_use_id")
                        .and_then(Value::as_str)
                        .and_then(|id| self.pending.remove(id))
                    else {
                        continue;
                    };
                    if b.get("is_error").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    let result = v.get("toolUseResult").unwrap_or(&Value::Null);
                    if let (Some(change), Some(t)) =
                        (change_of(&p, result, self.cwd), self.turns.get_mut(p.turn))
                    {
                        merge(&mut t.files, change);
                    }
                }
                _ => {}
            }
        }
    }
}

/// The text of a prompt a person typed (a user line that is not a tool result, a meta line or a
/// compaction summary), else `None`.
fn typed_prompt(v: &Value) -> Option<String> {
    if v.get("type").and_then(Value::as_str) != Some("user")
        || v.get("isMeta").and_then(Value::as_bool) == Some(true)
        || v.get("isCompactSummary").and_then(Value::as_bool) == Some(true)
    {
        return None;
    }
    match v.pointer("/message/content")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(blocks) => {
            if blocks
                .iter()
                .any(|b| b.get("type").and_then(Value::as_str) == Some("tool_result"))
            {
                return None;
            }
            let text: Vec<&str> = blocks
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect();
            (!text.is_empty()).then(|| text.join("\n"))
        }
        _ => None,
    }
}

/// The change a file tool's applied result records.
fn change_of(p: &Pending, result: &Value, cwd: Option<&str>) -> Option<FileChange> {
    let abs = result
        .get("filePath")
        .and_then(Value::as_str)
        .or_else(|| p.input.get("file_path").and_then(Value::as_str))
        .or_else(|| p.input.get("notebook_path").and_then(Value::as_str))?;
    let path = relative(abs, cwd);
    let created = result.get("type").and_then(Value::as_str) == Some("create");
    let mut body = String::new();
    let hunks = result
        .get("structuredPatch")
        .and_then(Value::as_array)
        .filter(|h| !h.is_empty());
    if let Some(hunks) = hunks {
        for h in hunks {
            let num = |k: &str| h.get(k).and_then(Value::as_u64).unwrap_or(0);
            body.push_str(&format!(
                "@@ -{},{} +{},{} @@\n",
                num("oldStart"),
                num("oldLines"),
                num("newStart"),
                num("newLines")
            ));
            for l in h
                .get("lines")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(l) = l.as_str() {
                    body.push_str(l);
                    body.push('\n');
                }
            }
        }
    } else if created {
        let content = result
            .get("content")
            .and_then(Value::as_str)
            .or_else(|| p.input.get("content").and_then(Value::as_str))
            .unwrap_or_default();
        let lines: Vec<&str> = content.lines().collect();
        body.push_str(&format!("@@ -0,0 +1,{} @@\n", lines.len()));
        for l in lines {
            body.push('+');
            body.push_str(l);
            body.push('\n');
        }
    } else {
        // No record of the hunks: the call's own before and after.
        let (old, new) = match p.tool.as_str() {
            "Edit" => (
                p.input
                    .get("old_string")
                    .and_then(Value::as_str)?
                    .to_owned(),
                p.input
                    .get("new_string")
                    .and_then(Value::as_str)?
                    .to_owned(),
            ),
            "NotebookEdit" => (
                String::new(),
                p.input
                    .get("new_source")
                    .and_then(Value::as_str)?
                    .to_owned(),
            ),
            _ => return None,
        };
        // Snippets, not whole files: no "\\ No newline at end of file" for their last line.
        let (old, new) = (format!("{old}\n"), format!("{new}\n"));
        let diff = similar::TextDiff::from_lines(&old, &new);
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            body.push_str(&hunk.to_string());
        }
    }
    if body.is_empty() {
        return None;
    }
    let (mut added, mut removed) = (0, 0);
    for l in body.lines() {
        if l.starts_with("@@") {
            continue;
        }
        match l.as_bytes().first() {
            Some(b'+') => added += 1,
            Some(b'-') => removed += 1,
            _ => {}
        }
    }
    // Paths outside the project dir stay absolute, without git's `a/` and `b/`.
    let (a, b) = if path.starts_with('/') {
        (path.clone(), path.clone())
    } else {
        (format!("a/{path}"), format!("b/{path}"))
    };
    let old_name = if created { "/dev/null".to_owned() } else { a };
    Some(FileChange {
        diff: format!("--- {old_name}\n+++ {b}\n{body}"),
        path,
        added,
        removed,
        created,
        tools: vec![p.tool.clone()],
    })
}

/// `change` folded into `files`: a file changed again in the turn gets the new hunks after its
/// earlier ones.
fn merge(files: &mut Vec<FileChange>, change: FileChange) {
    match files.iter_mut().find(|f| f.path == change.path) {
        Some(f) => {
            f.added += change.added;
            f.removed += change.removed;
            // The later diff's hunks, without its header.
            let hunks = change.diff.splitn(3, '\n').nth(2).unwrap_or_default();
            f.diff.push_str(hunks);
            for t in change.tools {
                if !f.tools.contains(&t) {
                    f.tools.push(t);
                }
            }
        }
        None => files.push(change),
    }
}

/// `abs` relative to `cwd` when inside it (with `/` separators), else as it is.
fn relative(abs: &str, cwd: Option<&str>) -> String {
    let Some(cwd) = cwd else {
        return abs.to_owned();
    };
    match Path::new(abs).strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        _ => abs.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(lines: &[Value]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
        for l in lines {
            writeln!(f, "{l}").unwrap_or_else(|e| panic!("{e}"));
        }
        writeln!(f, "{{\"type\":\"user\", cut short").unwrap_or_else(|e| panic!("{e}"));
        writeln!(f, "not json and not a candidate").unwrap_or_else(|e| panic!("{e}"));
        f
    }

    fn prompt(text: &str, ts: &str) -> Value {
        serde_json::json!({"type": "user", "timestamp": ts, "uuid": format!("uuid-{ts}"),
            "message": {"role": "user", "content": text}})
    }

    fn call(id: &str, name: &str, input: Value) -> Value {
        serde_json::json!({"type": "assistant", "message": {"role": "assistant", "content": [
            {"type": "tool_use", "id": id, "name": name, "input": input}]}})
    }

    fn result(id: &str, r: Value, error: bool) -> Value {
        serde_json::json!({"type": "user", "message": {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": id, "content": "ok", "is_error": error}]},
            "toolUseResult": r})
    }

    #[test]
    fn turns_collect_applied_writes_and_edits_as_diffs() {
        let f = write(&[
            prompt("make a file", "2026-01-01T00:00:00Z"),
            call(
                "t1",
                "Write",
                serde_json::json!({"file_path": "/w/p/a.txt", "content": "one\ntwo\n"}),
            ),
            result(
                "t1",
                serde_json::json!({"type": "create", "filePath": "/w/p/a.txt", "content": "one\ntwo\n", "structuredPatch": []}),
                false,
            ),
            prompt("change it", "2026-01-01T00:01:00Z"),
            call(
                "t2",
                "Edit",
                serde_json::json!({"file_path": "/w/p/a.txt", "old_string": "two", "new_string": "2"}),
            ),
            result(
                "t2",
                serde_json::json!({"filePath": "/w/p/a.txt", "structuredPatch": [
                {"oldStart": 1, "oldLines": 2, "newStart": 1, "newLines": 2, "lines": [" one", "-two", "+2"]}]}),
                false,
            ),
            call(
                "t3",
                "Edit",
                serde_json::json!({"file_path": "/elsewhere/b.txt", "old_string": "x", "new_string": "y"}),
            ),
            result(
                "t3",
                serde_json::json!("Error: File has not been read yet"),
                true,
            ),
            call(
                "t4",
                "Edit",
                serde_json::json!({"file_path": "/w/p/a.txt", "old_string": "one", "new_string": "1\nand a half"}),
            ),
            result("t4", serde_json::json!({"filePath": "/w/p/a.txt"}), false),
            prompt("nothing here", "2026-01-01T00:02:00Z"),
        ]);
        let c = session_changes(f.path(), Some("/w/p")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.malformed_lines, 1);
        assert_eq!(c.turns.len(), 2, "{c:#?}");
        let first = &c.turns[0];
        assert_eq!(
            (first.index, first.line, first.prompt.as_str()),
            (1, 0, "make a file")
        );
        assert_eq!(first.uuid.as_deref(), Some("uuid-2026-01-01T00:00:00Z"));
        assert_eq!(first.files[0].path, "a.txt");
        assert!(first.files[0].created);
        assert_eq!(
            first.files[0].diff,
            "--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n"
        );
        let second = &c.turns[1];
        assert_eq!(second.index, 2);
        assert_eq!(second.files.len(), 1, "the failed edit changed nothing");
        let a = &second.files[0];
        assert_eq!(a.tools, ["Edit"]);
        assert!(
            a.diff
                .starts_with("--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n@@"),
            "{}",
            a.diff
        );
        assert!(
            a.diff.contains("-one\n+1\n+and a half\n"),
            "made from old and new: {}",
            a.diff
        );
        assert_eq!((a.added, a.removed), (3, 2));
        assert_eq!((c.added, c.removed), (5, 2));
    }

    /// `lines` as JSON lines in `path`.
    fn write_at(path: &Path, lines: &[Value]) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    }

    fn with(mut v: Value, key: &str, value: Value) -> Value {
        v[key] = value;
        v
    }

    #[test]
    fn subagent_changes_count_in_the_turn_that_ran_them() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let main = tmp.path().join("s1.jsonl");
        let created = |p: &str| serde_json::json!({"type": "create", "filePath": p, "content": "x\n", "structuredPatch": []});
        let write = |p: &str| serde_json::json!({"file_path": p, "content": "x\n"});
        write_at(
            &main,
            &[
                prompt("first", "2026-01-01T00:00:00.000Z"),
                // CLI 1.0.x: the subagent's lines in the session's own transcript.
                with(
                    prompt("the task's own prompt", "2026-01-01T00:00:01.000Z"),
                    "isSidechain",
                    Value::Bool(true),
                ),
                with(
                    call("s1", "Write", write("/w/p/side.txt")),
                    "isSidechain",
                    Value::Bool(true),
                ),
                with(
                    result("s1", created("/w/p/side.txt"), false),
                    "isSidechain",
                    Value::Bool(true),
                ),
                prompt("second", "2026-01-01T00:01:00.000Z"),
                prompt("third", "2026-01-01T00:02:00.000Z"),
            ],
        );
        // CLI 2.x: a subagent transcript whose first line was written during the second turn.
        let subs = tmp.path().join("s1").join("subagents");
        std::fs::create_dir_all(&subs).unwrap_or_else(|e| panic!("{e}"));
        write_at(
            &subs.join("agent-a1.jsonl"),
            &[
                with(
                    prompt("do it", "2026-01-01T00:01:30.000Z"),
                    "isSidechain",
                    Value::Bool(true),
                ),
                with(
                    call("a1", "Write", write("/w/p/agent.txt")),
                    "timestamp",
                    "2026-01-01T00:01:31.000Z".into(),
                ),
                with(
                    result("a1", created("/w/p/agent.txt"), false),
                    "timestamp",
                    "2026-01-01T00:01:32.000Z".into(),
                ),
            ],
        );
        // The CLI's compaction fork copies the conversation: its edits are not counted twice.
        write_at(
            &subs.join("agent-acompact-f00.jsonl"),
            &[
                with(
                    call("c1", "Write", write("/w/p/copied.txt")),
                    "timestamp",
                    "2026-01-01T00:02:10.000Z".into(),
                ),
                with(
                    result("c1", created("/w/p/copied.txt"), false),
                    "timestamp",
                    "2026-01-01T00:02:11.000Z".into(),
                ),
            ],
        );
        std::fs::write(subs.join("agent-broken.jsonl"), "{not json\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let c = session_changes(&main, Some("/w/p")).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(u32, Vec<&str>)> = c
            .turns
            .iter()
            .map(|t| (t.index, t.files.iter().map(|f| f.path.as_str()).collect()))
            .collect();
        assert_eq!(
            got,
            [(1, vec!["side.txt"]), (2, vec!["agent.txt"])],
            "{c:#?}"
        );
        assert_eq!(
            c.turns[1].prompt, "second",
            "a sidechain prompt starts no turn"
        );
        assert_eq!(
            c.malformed_lines, 0,
            "a line that names nothing is not parsed"
        );
    }
}
