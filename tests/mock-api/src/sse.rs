//! Server-sent events of the Messages API, and the equivalent non-streamed JSON message.

use crate::script::{Block, Plan};
use serde_json::{json, Value};
use std::time::Duration;

/// One SSE frame: `event: <name>\ndata: <json>\n\n`.
pub fn frame(event: &str, data: &Value) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

/// Ids and numbers of one scripted message.
#[derive(Debug, Clone)]
pub struct MessageMeta {
    /// `msg_mock...`
    pub id: String,
    /// The model named in the request (echoed back).
    pub model: String,
    /// Estimated input tokens.
    pub input_tokens: u64,
}

impl MessageMeta {
    /// Fresh ids for a message answering `model`.
    pub fn new(model: &str, input_tokens: u64) -> MessageMeta {
        MessageMeta {
            id: format!(
                "msg_mock{}",
                &uuid::Uuid::new_v4().simple().to_string()[..24]
            ),
            model: model.to_string(),
            input_tokens,
        }
    }
}

fn tool_id() -> String {
    format!(
        "toolu_mock{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    )
}

fn usage(input: u64, output: u64) -> Value {
    json!({
        "input_tokens": input,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output,
        "service_tier": "standard"
    })
}

fn output_tokens(blocks: &[Block]) -> u64 {
    let chars: usize = blocks
        .iter()
        .map(|b| match b {
            Block::Text(c) | Block::Thinking(c) => c.iter().map(String::len).sum(),
            Block::ToolUse { input, .. } => input.to_string().len(),
        })
        .sum();
    (chars as u64 / 4).max(1)
}

/// Signature sent for thinking blocks (the API sends an opaque one; the CLI stores it).
pub const THINKING_SIGNATURE: &str = "bW9jay1zaWduYXR1cmU=";

/// The SSE events for a message plan, each with the pause to make before sending it.
/// Returns an empty list for an error plan (errors are not streamed).
pub fn events(plan: &Plan, meta: &MessageMeta) -> Vec<(Option<Duration>, String)> {
    let Plan::Message {
        blocks,
        stop_reason,
        delta_delay,
    } = plan
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push =
        |delay: Option<Duration>, event: &str, data: Value| out.push((delay, frame(event, &data)));
    push(
        None,
        "message_start",
        json!({"type": "message_start", "message": {
            "id": meta.id, "type": "message", "role": "assistant", "model": meta.model,
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": usage(meta.input_tokens, 1)
        }}),
    );
    for (index, block) in blocks.iter().enumerate() {
        match block {
            Block::Text(chunks) => {
                push(
                    None,
                    "content_block_start",
                    json!({"type": "content_block_start", "index": index,
                    "content_block": {"type": "text", "text": ""}}),
                );
                for c in chunks {
                    push(
                        *delta_delay,
                        "content_block_delta",
                        json!({"type": "content_block_delta", "index": index,
                        "delta": {"type": "text_delta", "text": c}}),
                    );
                }
            }
            Block::Thinking(chunks) => {
                push(
                    None,
                    "content_block_start",
                    json!({"type": "content_block_start", "index": index,
                    "content_block": {"type": "thinking", "thinking": "", "signature": ""}}),
                );
                for c in chunks {
                    push(
                        *delta_delay,
                        "content_block_delta",
                        json!({"type": "content_block_delta", "index": index,
                        "delta": {"type": "thinking_delta", "thinking": c}}),
                    );
                }
                push(
                    None,
                    "content_block_delta",
                    json!({"type": "content_block_delta", "index": index,
                    "delta": {"type": "signature_delta", "signature": THINKING_SIGNATURE}}),
                );
            }
            Block::ToolUse { name, input } => {
                push(
                    None,
                    "content_block_start",
                    json!({"type": "content_block_start", "index": index,
                    "content_block": {"type": "tool_use", "id": tool_id(), "name": name, "input": {}}}),
                );
                let json_text = input.to_string();
                // Two pieces, split on a char boundary, so clients must join partial JSON.
                let mid = json_text
                    .char_indices()
                    .map(|(i, _)| i)
                    .find(|&i| i >= json_text.len() / 2)
                    .unwrap_or(json_text.len());
                for part in [&json_text[..mid], &json_text[mid..]] {
                    push(
                        *delta_delay,
                        "content_block_delta",
                        json!({"type": "content_block_delta", "index": index,
                        "delta": {"type": "input_json_delta", "partial_json": part}}),
                    );
                }
            }
        }
        push(
            None,
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        );
    }
    push(
        None,
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null},
               "usage": {"output_tokens": output_tokens(blocks)}}),
    );
    push(None, "message_stop", json!({"type": "message_stop"}));
    out
}

/// The whole message as JSON (for `"stream": false`); `None` for an error plan.
pub fn message_json(plan: &Plan, meta: &MessageMeta) -> Option<Value> {
    let Plan::Message {
        blocks,
        stop_reason,
        ..
    } = plan
    else {
        return None;
    };
    let content: Vec<Value> = blocks
        .iter()
        .map(|b| match b {
            Block::Text(c) => json!({"type": "text", "text": c.concat()}),
            Block::Thinking(c) => {
                json!({"type": "thinking", "thinking": c.concat(), "signature": THINKING_SIGNATURE})
            }
            Block::ToolUse { name, input } => {
                json!({"type": "tool_use", "id": tool_id(), "name": name, "input": input})
            }
        })
        .collect();
    Some(json!({
        "id": meta.id, "type": "message", "role": "assistant", "model": meta.model,
        "content": content, "stop_reason": stop_reason, "stop_sequence": null,
        "usage": usage(meta.input_tokens, output_tokens(blocks))
    }))
}

/// An Anthropic-style error body.
pub fn error_json(kind: &str, message: &str) -> Value {
    json!({
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": format!("req_mock{}", &uuid::Uuid::new_v4().simple().to_string()[..20])
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::script;

    #[test]
    fn frame_format() {
        assert_eq!(
            frame("ping", &json!({"type": "ping"})),
            "event: ping\ndata: {\"type\":\"ping\"}\n\n"
        );
    }

    #[test]
    fn event_order_for_text() {
        let plan = script::Plan::Message {
            blocks: vec![script::Block::Text(vec!["a".into(), "b".into()])],
            stop_reason: "end_turn",
            delta_delay: None,
        };
        let ev = events(&plan, &MessageMeta::new("m", 3));
        let names: Vec<String> = ev
            .iter()
            .map(|(_, f)| {
                f.lines()
                    .next()
                    .unwrap()
                    .trim_start_matches("event: ")
                    .to_string()
            })
            .collect();
        assert_eq!(
            names,
            [
                "message_start",
                "content_block_start",
                "content_block_delta",
                "content_block_delta",
                "content_block_stop",
                "message_delta",
                "message_stop"
            ]
        );
        let errors = script::Plan::Error {
            status: 400,
            kind: "x",
            message: "y".into(),
        };
        assert!(events(&errors, &MessageMeta::new("m", 1)).is_empty());
        assert!(message_json(&errors, &MessageMeta::new("m", 1)).is_none());
    }
}
