//! Permission prompts: the CLI's `can_use_tool` control requests (with
//! `--permission-prompt-tool stdio`), a readable preview of what the tool would do, and the
//! answers ccdesk sends back.
//!
//! Wire format: CLI 2.1.112/2.1.330 (`tests/fixtures/samples/local-cli-*/control_protocol.wire.jsonl`,
//! Python Agent SDK `_internal/query.py`):
//! `{"type":"control_request","request_id":"<uuid>","request":{"subtype":"can_use_tool","tool_name":"Write",
//! "input":{..},"permission_suggestions":[..],"tool_use_id":"toolu_.."}}`, answered with
//! `{"type":"control_response","response":{"subtype":"success","request_id":"<uuid>","response":
//! {"behavior":"allow","updatedInput":{..}[,"updatedPermissions":[..]]}}}` or
//! `{"behavior":"deny","message":"..","interrupt":false}`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Longest preview text kept, in chars (a Write of a large file is cut).
pub const PREVIEW_CHARS: usize = 4_000;

/// A tool call waiting for the user's decision.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PermissionRequest {
    /// The CLI's request id; the answer must carry it.
    pub request_id: String,
    /// Tool name, e.g. `Bash`, `Write`, `Edit`, `mcp__server__tool`.
    pub tool_name: String,
    /// The CLI's display name when it gives one, else the tool name.
    pub display_name: String,
    /// The tool input as the model wrote it.
    pub input: Value,
    /// What the tool would do, for people.
    pub preview: ToolPreview,
    /// The CLI's suggested permission updates, as "Allow for this session" sends them back: an
    /// array of the CLI's `PermissionUpdate` objects (Agent SDK `sdk.d.ts`), each made to last for
    /// this session only (`"destination": "session"`, never a settings file), and none that
    /// switches to `bypassPermissions`; `null` when the CLI suggested none.
    pub suggestions: Value,
    /// The `tool_use` block id, when given.
    pub tool_use_id: Option<String>,
    /// The CLI's short description, when given (e.g. the file name).
    pub description: Option<String>,
}

/// A readable view of a tool input.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ToolPreview {
    /// A shell command (`Bash`).
    #[serde(rename_all = "camelCase")]
    Command {
        /// The command line.
        command: String,
        /// The model's description of it, if any.
        description: Option<String>,
    },
    /// A file change (`Write`, `Edit`, `MultiEdit`, `NotebookEdit`): the path and a unified-style
    /// diff (`-` old lines, `+` new lines), cut at [`PREVIEW_CHARS`].
    #[serde(rename_all = "camelCase")]
    FileChange {
        /// The file concerned.
        file_path: String,
        /// `-`/`+` lines.
        diff: String,
    },
    /// A file read or search (`Read`, `Glob`, `Grep`, ...): the path or pattern.
    #[serde(rename_all = "camelCase")]
    Target {
        /// Path, pattern or URL.
        target: String,
    },
    /// Anything else: the input as indented JSON, cut at [`PREVIEW_CHARS`].
    #[serde(rename_all = "camelCase")]
    Json {
        /// Pretty-printed input.
        text: String,
    },
}

/// The user's decision on a [`PermissionRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
#[serde(tag = "decision", rename_all = "camelCase", deny_unknown_fields)]
pub enum PermissionAnswer {
    /// Run the tool this once.
    AllowOnce,
    /// Run it, and apply the CLI's suggested permission updates for the rest of the session.
    AllowSession,
    /// Do not run it; `message` is told to the model.
    Deny {
        /// Why, for the model. Empty: a default text.
        #[serde(default)]
        message: String,
    },
}

impl PermissionRequest {
    /// Reads a `can_use_tool` control request line; `None` for any other line.
    pub fn from_line(line: &Value) -> Option<PermissionRequest> {
        if line.get("type")?.as_str()? != "control_request" {
            return None;
        }
        let req = line.get("request")?;
        if req.get("subtype")?.as_str()? != "can_use_tool" {
            return None;
        }
        let request_id = line.get("request_id")?.as_str()?.to_owned();
        let tool_name = req
            .get("tool_name")
            .and_then(Value::as_str)
            .unwrap_or("unknown tool")
            .to_owned();
        let input = req.get("input").cloned().unwrap_or(Value::Null);
        let str_of = |k: &str| req.get(k).and_then(Value::as_str).map(str::to_owned);
        Some(PermissionRequest {
            preview: ToolPreview::of(&tool_name, &input),
            display_name: str_of("display_name").unwrap_or_else(|| tool_name.clone()),
            tool_use_id: str_of("tool_use_id"),
            description: str_of("description"),
            suggestions: for_this_session(req.get("permission_suggestions")),
            request_id,
            tool_name,
            input,
        })
    }

    /// The stdin line answering this request with `answer`, without the newline.
    pub fn response_line(&self, answer: &PermissionAnswer) -> String {
        let response = match answer {
            PermissionAnswer::AllowOnce => json!({"behavior": "allow", "updatedInput": self.input}),
            PermissionAnswer::AllowSession => {
                let mut r = json!({"behavior": "allow", "updatedInput": self.input});
                if self.suggestions.is_array() {
                    r["updatedPermissions"] = self.suggestions.clone();
                }
                r
            }
            PermissionAnswer::Deny { message } => {
                let message = if message.trim().is_empty() {
                    "The user denied this tool call in ccdesk."
                } else {
                    message.as_str()
                };
                json!({"behavior": "deny", "message": message, "interrupt": false})
            }
        };
        json!({
            "type": "control_response",
            "response": {"subtype": "success", "request_id": self.request_id, "response": response},
        })
        .to_string()
    }
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(PREVIEW_CHARS) {
        Some((i, _)) => format!("{}\n… ({} more chars)", &s[..i], s[i..].chars().count()),
        None => s.to_owned(),
    }
}

fn prefixed(text: &str, sign: char) -> String {
    text.lines().map(|l| format!("{sign}{l}\n")).collect()
}

impl ToolPreview {
    /// The preview of `input` for the tool `name` (built-in tools of CLI 2.1.x by name; anything
    /// else as JSON).
    pub fn of(name: &str, input: &Value) -> ToolPreview {
        let s = |k: &str| input.get(k).and_then(Value::as_str);
        let path = s("file_path").or_else(|| s("notebook_path"));
        match (name, path) {
            ("Bash", _) if s("command").is_some() => ToolPreview::Command {
                command: cut(s("command").unwrap_or_default()),
                description: s("description").map(str::to_owned),
            },
            ("Write", Some(p)) => ToolPreview::FileChange {
                file_path: p.to_owned(),
                diff: cut(&prefixed(s("content").unwrap_or_default(), '+')),
            },
            ("Edit", Some(p)) => ToolPreview::FileChange {
                file_path: p.to_owned(),
                diff: cut(&edit_diff(input)),
            },
            ("MultiEdit", Some(p)) => {
                let edits = input.get("edits").and_then(Value::as_array);
                let diff: Vec<String> = edits.into_iter().flatten().map(edit_diff).collect();
                ToolPreview::FileChange {
                    file_path: p.to_owned(),
                    diff: cut(&diff.join("…\n")),
                }
            }
            ("NotebookEdit", Some(p)) => ToolPreview::FileChange {
                file_path: p.to_owned(),
                diff: cut(&prefixed(s("new_source").unwrap_or_default(), '+')),
            },
            (_, Some(p)) => ToolPreview::Target {
                target: p.to_owned(),
            },
            _ => match s("pattern").or_else(|| s("url")).or_else(|| s("path")) {
                Some(t) => ToolPreview::Target {
                    target: t.to_owned(),
                },
                None => ToolPreview::Json {
                    text: cut(&serde_json::to_string_pretty(input).unwrap_or_default()),
                },
            },
        }
    }
}

/// The CLI's permission suggestions as "Allow for this session" may send them: each update kept
/// to this session (its `destination` made `"session"`: the CLI suggests saving rules to the
/// user's or the project's settings files, which this button must never write), and a switch to
/// `bypassPermissions` dropped. Anything but an array of objects gives `null`.
fn for_this_session(suggestions: Option<&Value>) -> Value {
    let Some(items) = suggestions.and_then(Value::as_array) else {
        return Value::Null;
    };
    let kept: Vec<Value> = items
        .iter()
        .filter_map(Value::as_object)
        .filter(|u| {
            !(u.get("type").and_then(Value::as_str) == Some("setMode")
                && u.get("mode").and_then(Value::as_str) == Some("bypassPermissions"))
        })
        .map(|u| {
            let mut u = u.clone();
            u.insert("destination".into(), Value::String("session".into()));
            Value::Object(u)
        })
        .collect();
    Value::Array(kept)
}

fn edit_diff(edit: &Value) -> String {
    let old = edit.get("old_string").and_then(Value::as_str).unwrap_or("");
    let new = edit.get("new_string").and_then(Value::as_str).unwrap_or("");
    format!("{}{}", prefixed(old, '-'), prefixed(new, '+'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(tool: &str, input: Value) -> Value {
        json!({"type":"control_request","request_id":"r1","request":{"subtype":"can_use_tool",
            "tool_name":tool,"input":input,"tool_use_id":"toolu_1",
            "permission_suggestions":[{"type":"setMode","mode":"acceptEdits","destination":"session"}]}})
    }

    #[test]
    fn the_captured_write_request_reads_with_a_diff_preview() {
        let line = include_str!(
            "../../../../tests/fixtures/samples/local-cli-2.1.330/control_protocol.wire.jsonl"
        )
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|l| l.get("msg").cloned())
        .find_map(|m| PermissionRequest::from_line(&m));
        let req = line.expect("the capture has a can_use_tool request");
        assert_eq!(req.tool_name, "Write");
        assert_eq!(
            req.preview,
            ToolPreview::FileChange {
                file_path: "/home/dev/proj/created.txt".into(),
                diff: "+x\n".into()
            }
        );
        assert!(req.suggestions.is_array());
    }

    /// "Allow for this session" never writes a settings file nor turns every check off: the
    /// CLI's suggestions are sent back scoped to the session, a bypass dropped.
    #[test]
    fn allow_for_this_session_stays_in_the_session_and_never_bypasses() {
        let line = json!({"type":"control_request","request_id":"r9","request":{
        "subtype":"can_use_tool","tool_name":"Bash","input":{"command":"npm test"},
        "permission_suggestions":[
            {"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"npm test:*"}],
             "behavior":"allow","destination":"localSettings"},
            {"type":"addRules","rules":[{"toolName":"Bash"}],"behavior":"allow",
             "destination":"userSettings"},
            {"type":"addDirectories","directories":["/tmp/x"],"destination":"projectSettings"},
            {"type":"setMode","mode":"bypassPermissions","destination":"session"},
            {"type":"setMode","mode":"acceptEdits","destination":"userSettings"},
            "not an update"
        ]}});
        let req = PermissionRequest::from_line(&line).expect("a request");
        let Some(kept) = req.suggestions.as_array() else {
            panic!("{:?}", req.suggestions)
        };
        assert_eq!(kept.len(), 4, "{kept:?}");
        assert!(
            kept.iter().all(|u| u["destination"] == "session"),
            "{kept:?}"
        );
        assert!(!kept.iter().any(|u| u["mode"] == "bypassPermissions"));
        assert_eq!(kept[0]["rules"][0]["ruleContent"], "npm test:*");
        let sent: Value =
            serde_json::from_str(&req.response_line(&PermissionAnswer::AllowSession)).unwrap();
        let updates = &sent["response"]["response"]["updatedPermissions"];
        assert_eq!(updates, &req.suggestions);
        assert!(!sent.to_string().contains("Settings"), "{sent}");
        // None suggested, or not a list: nothing is sent besides the allow.
        for none in [json!(null), json!("x"), json!({"type": "addRules"})] {
            let mut l = line.clone();
            l["request"]["permission_suggestions"] = none;
            let req = PermissionRequest::from_line(&l).expect("a request");
            assert!(req.suggestions.is_null());
            let sent = req.response_line(&PermissionAnswer::AllowSession);
            assert!(!sent.contains("updatedPermissions"), "{sent}");
        }
    }

    #[test]
    fn previews_per_tool() {
        let bash = ToolPreview::of("Bash", &json!({"command":"ls -la","description":"List"}));
        assert_eq!(
            bash,
            ToolPreview::Command {
                command: "ls -la".into(),
                description: Some("List".into())
            }
        );
        let edit = ToolPreview::of(
            "Edit",
            &json!({"file_path":"/a.rs","old_string":"a\nb","new_string":"c"}),
        );
        assert_eq!(
            edit,
            ToolPreview::FileChange {
                file_path: "/a.rs".into(),
                diff: "-a\n-b\n+c\n".into()
            }
        );
        let read = ToolPreview::of("Read", &json!({"file_path":"/etc/hosts"}));
        assert_eq!(
            read,
            ToolPreview::Target {
                target: "/etc/hosts".into()
            }
        );
        let other = ToolPreview::of("mcp__x__y", &json!({"q": 1}));
        assert!(matches!(other, ToolPreview::Json { text } if text.contains("\"q\": 1")));
        let big = ToolPreview::of("Bash", &json!({"command": "y".repeat(PREVIEW_CHARS + 10)}));
        assert!(
            matches!(big, ToolPreview::Command { command, .. } if command.ends_with("(10 more chars)"))
        );
    }

    #[test]
    fn answers_are_the_sdk_control_responses() {
        let req = PermissionRequest::from_line(&request(
            "Write",
            json!({"file_path":"/f","content":"x"}),
        ))
        .expect("a request");
        let once: Value =
            serde_json::from_str(&req.response_line(&PermissionAnswer::AllowOnce)).unwrap();
        assert_eq!(once["type"], "control_response");
        assert_eq!(once["response"]["request_id"], "r1");
        assert_eq!(once["response"]["response"]["behavior"], "allow");
        assert_eq!(
            once["response"]["response"]["updatedInput"]["file_path"],
            "/f"
        );
        assert!(once["response"]["response"]
            .get("updatedPermissions")
            .is_none());
        let session: Value =
            serde_json::from_str(&req.response_line(&PermissionAnswer::AllowSession)).unwrap();
        assert_eq!(
            session["response"]["response"]["updatedPermissions"][0]["mode"],
            "acceptEdits"
        );
        let deny: Value = serde_json::from_str(&req.response_line(&PermissionAnswer::Deny {
            message: "no".into(),
        }))
        .unwrap();
        assert_eq!(deny["response"]["response"]["behavior"], "deny");
        assert_eq!(deny["response"]["response"]["message"], "no");
        let answer: PermissionAnswer = serde_json::from_str(r#"{"decision":"deny"}"#).unwrap();
        assert_eq!(
            answer,
            PermissionAnswer::Deny {
                message: String::new()
            }
        );
    }

    #[test]
    fn other_lines_are_not_requests() {
        assert!(PermissionRequest::from_line(
            &json!({"type":"control_request","request_id":"x","request":{"subtype":"interrupt"}})
        )
        .is_none());
        assert!(PermissionRequest::from_line(&json!({"type":"assistant"})).is_none());
    }
}
