//! The mock over real HTTP on loopback: routes, SSE framing, scripting by keyword, recording.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use ccdesk_mock_api::script::{self, LastUser};
use ccdesk_mock_api::{MockApi, RequestKind};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let pos = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_line = std::str::from_utf8(&raw[..pos]).unwrap();
        let size = usize::from_str_radix(size_line.split(';').next().unwrap().trim(), 16).unwrap();
        raw = &raw[pos + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

async fn request(mock: &MockApi, method: &str, path: &str, body: Option<&Value>) -> Resp {
    let mut stream = TcpStream::connect(mock.addr()).await.unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        mock.addr(),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut payload = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        payload = dechunk(&payload);
    }
    Resp {
        status,
        headers,
        body: String::from_utf8(payload).unwrap(),
    }
}

/// Parses an SSE body into (event, data) pairs, checking the framing strictly.
fn parse_sse(body: &str) -> Vec<(String, Value)> {
    assert!(
        body.ends_with("\n\n"),
        "SSE body must end with a blank line: {body:?}"
    );
    body.trim_end_matches('\n')
        .split("\n\n")
        .map(|frame| {
            let mut lines = frame.lines();
            let ev = lines
                .next()
                .unwrap()
                .strip_prefix("event: ")
                .expect("event line");
            let data = lines
                .next()
                .unwrap()
                .strip_prefix("data: ")
                .expect("data line");
            assert!(lines.next().is_none(), "one data line per frame: {frame:?}");
            let data: Value = serde_json::from_str(data).unwrap();
            assert_eq!(data["type"], ev, "event name equals data.type");
            (ev.to_string(), data)
        })
        .collect()
}

fn main_loop_body(text: &str, stream: bool) -> Value {
    json!({
        "model": "claude-test-model",
        "max_tokens": 1000,
        "stream": stream,
        "system": [{"type": "text", "text": "You are a test.\nPrimary working directory: /tmp/proj dir"}],
        "tools": [{"name": "Bash", "input_schema": {"type": "object"}}],
        "messages": [
            {"role": "user", "content": "an older turn MOCK_400"},
            {"role": "assistant", "content": [{"type": "text", "text": "ok"}]},
            {"role": "user", "content": [
                {"type": "text", "text": "<system-reminder>\nsome context MOCK_BASH\n</system-reminder>"},
                {"type": "text", "text": text}
            ]}
        ]
    })
}

/// Joins the text deltas of an SSE reply.
fn sse_text(events: &[(String, Value)], delta_type: &str, field: &str) -> String {
    events
        .iter()
        .filter(|(_, d)| d["type"] == "content_block_delta" && d["delta"]["type"] == delta_type)
        .map(|(_, d)| d["delta"][field].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn root_answers_head_and_get() {
    let mock = MockApi::start().await.unwrap();
    assert_eq!(request(&mock, "HEAD", "/", None).await.status, 200);
    assert_eq!(request(&mock, "GET", "/", None).await.status, 200);
    assert_eq!(mock.count(RequestKind::Root), 2);
    mock.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_are_404_json_errors() {
    let mock = MockApi::start().await.unwrap();
    for (m, p) in [
        ("GET", "/v1/models"),
        ("POST", "/v1/complete"),
        ("GET", "/v1/messages"),
    ] {
        let r = request(&mock, m, p, None).await;
        if p == "/v1/messages" {
            // A known path with the wrong method.
            assert_eq!(r.status, 405, "{m} {p}");
            continue;
        }
        assert_eq!(r.status, 404, "{m} {p}");
        let v = r.json();
        assert_eq!(v["type"], "error");
        assert_eq!(v["error"]["type"], "not_found_error");
    }
    assert_eq!(mock.count(RequestKind::Other), 2);
}

#[tokio::test]
async fn plain_text_is_streamed_with_correct_framing() {
    let mock = MockApi::start().await.unwrap();
    let r = request(
        &mock,
        "POST",
        "/v1/messages?beta=true",
        Some(&main_loop_body("say hello", true)),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("text/event-stream"));
    assert!(r.header("request-id").unwrap().starts_with("req_"));
    let events = parse_sse(&r.body);
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(names.first(), Some(&"message_start"));
    assert_eq!(&names[names.len() - 2..], ["message_delta", "message_stop"]);
    assert_eq!(names[1], "content_block_start");
    assert!(
        names
            .iter()
            .filter(|n| **n == "content_block_delta")
            .count()
            > 1,
        "several deltas"
    );
    let start = &events[0].1["message"];
    assert_eq!(start["model"], "claude-test-model");
    assert!(start["id"].as_str().unwrap().starts_with("msg_"));
    assert!(start["usage"]["input_tokens"].as_u64().unwrap() > 0);
    let text = sse_text(&events, "text_delta", "text");
    assert_eq!(text, "Hello from the mock. You said: say hello");
    assert_eq!(text, script::reply_text_for("say hello"));
    let delta = &events[events.len() - 2].1;
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert!(delta["usage"]["output_tokens"].as_u64().unwrap() > 0);
    let recs = mock.requests();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].kind, RequestKind::Messages);
    assert_eq!(recs[0].last_user, LastUser::Text("say hello".into()));
    assert_eq!(mock.user_texts(), vec!["say hello".to_string()]);
    assert_eq!(recs[0].reply_text, text);
}

#[tokio::test]
async fn non_streaming_answers_json() {
    let mock = MockApi::start().await.unwrap();
    let r = request(
        &mock,
        "POST",
        "/v1/messages",
        Some(&main_loop_body("no stream", false)),
    )
    .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["type"], "message");
    assert_eq!(v["role"], "assistant");
    assert_eq!(v["content"][0]["text"], script::reply_text_for("no stream"));
    assert_eq!(v["stop_reason"], "end_turn");
}

#[tokio::test]
async fn mock_bash_is_a_tool_use_with_split_json() {
    let mock = MockApi::start().await.unwrap();
    let r = request(
        &mock,
        "POST",
        "/v1/messages",
        Some(&main_loop_body("please MOCK_BASH", true)),
    )
    .await;
    let events = parse_sse(&r.body);
    let start = events
        .iter()
        .find(|(_, d)| {
            d["type"] == "content_block_start" && d["content_block"]["type"] == "tool_use"
        })
        .expect("tool_use block");
    assert_eq!(start.1["content_block"]["name"], "Bash");
    assert!(start.1["content_block"]["id"]
        .as_str()
        .unwrap()
        .starts_with("toolu_"));
    let json_text = sse_text(&events, "input_json_delta", "partial_json");
    let input: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(input["command"], "echo mock-bash");
    let delta = &events[events.len() - 2].1;
    assert_eq!(delta["delta"]["stop_reason"], "tool_use");
}

#[tokio::test]
async fn mock_write_targets_the_working_directory() {
    let mock = MockApi::start().await.unwrap();
    let r = request(
        &mock,
        "POST",
        "/v1/messages",
        Some(&main_loop_body("MOCK_WRITE it", true)),
    )
    .await;
    let events = parse_sse(&r.body);
    let input: Value =
        serde_json::from_str(&sse_text(&events, "input_json_delta", "partial_json")).unwrap();
    assert_eq!(input["file_path"], "/tmp/proj dir/mock-written.txt");
    assert_eq!(input["content"], script::WRITE_CONTENT);
}

#[tokio::test]
async fn mock_think_streams_thinking_then_text() {
    let mock = MockApi::start().await.unwrap();
    let r = request(
        &mock,
        "POST",
        "/v1/messages",
        Some(&main_loop_body("MOCK_THINK hard", true)),
    )
    .await;
    let events = parse_sse(&r.body);
    assert_eq!(events[1].1["content_block"]["type"], "thinking");
    assert_eq!(
        sse_text(&events, "thinking_delta", "thinking"),
        script::THINKING_TEXT
    );
    assert!(!sse_text(&events, "signature_delta", "signature").is_empty());
    assert_eq!(
        sse_text(&events, "text_delta", "text"),
        script::reply_text_for("MOCK_THINK hard")
    );
}

#[tokio::test]
async fn mock_400_is_an_anthropic_error() {
    let mock = MockApi::start().await.unwrap();
    let r = request(
        &mock,
        "POST",
        "/v1/messages",
        Some(&main_loop_body("MOCK_400 now", true)),
    )
    .await;
    assert_eq!(r.status, 400);
    let v = r.json();
    assert_eq!(v["type"], "error");
    assert_eq!(v["error"]["type"], "invalid_request_error");
    assert!(v["error"]["message"].as_str().unwrap().contains("MOCK_400"));
    assert_eq!(mock.requests()[0].status, 400);
}

#[tokio::test]
async fn tool_results_get_a_final_answer() {
    let mock = MockApi::start().await.unwrap();
    let mut body = main_loop_body("MOCK_BASH", true);
    body["messages"].as_array_mut().unwrap().extend([
        json!({"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {}}]}),
        json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "mock-bash\n"}]}),
    ]);
    let r = request(&mock, "POST", "/v1/messages", Some(&body)).await;
    let events = parse_sse(&r.body);
    assert_eq!(
        sse_text(&events, "text_delta", "text"),
        "Done. The tool said: mock-bash"
    );
    assert_eq!(
        mock.requests()[0].last_user,
        LastUser::ToolResults("mock-bash\n".into())
    );
}

#[tokio::test]
async fn side_requests_without_tools_get_short_answers() {
    let mock = MockApi::start().await.unwrap();
    let body = json!({"model": "small", "max_tokens": 50, "stream": false,
        "system": "Generate a concise title for this conversation. Answer in JSON.",
        "messages": [{"role": "user", "content": "MOCK_BASH please"}]});
    let r = request(&mock, "POST", "/v1/messages", Some(&body)).await;
    let v = r.json();
    let text = v["content"][0]["text"].as_str().unwrap();
    let title: Value = serde_json::from_str(text).unwrap();
    assert_eq!(title["title"], script::MOCK_TITLE);
    assert_eq!(mock.count(RequestKind::SideMessages), 1);
    assert!(
        mock.user_texts().is_empty(),
        "side requests are not user turns"
    );
}

#[tokio::test]
async fn count_tokens_answers_a_number() {
    let mock = MockApi::start().await.unwrap();
    let r = request(
        &mock,
        "POST",
        "/v1/messages/count_tokens?beta=true",
        Some(&main_loop_body("x", false)),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.json()["input_tokens"].as_u64().unwrap() > 0);
    assert_eq!(mock.count(RequestKind::CountTokens), 1);
}

#[tokio::test]
async fn bad_json_is_a_400() {
    let mock = MockApi::start().await.unwrap();
    let mut stream = TcpStream::connect(mock.addr()).await.unwrap();
    stream
        .write_all(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{x}")
        .await
        .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 400"), "{raw}");
    assert!(raw.contains("invalid_request_error"));
}

#[tokio::test]
async fn mock_slow_spaces_its_deltas() {
    let mock = MockApi::start().await.unwrap();
    let mut stream = TcpStream::connect(mock.addr()).await.unwrap();
    let body = main_loop_body("MOCK_SLOW", true).to_string();
    let head = format!(
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let t0 = Instant::now();
    let mut buf = vec![0u8; 65536];
    let mut seen = String::new();
    // Read for ~1.1 s: the stream has started but is far from done.
    while t0.elapsed() < Duration::from_millis(1100) {
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            Ok(Err(e)) => panic!("{e}"),
            Err(_) => {}
        }
    }
    let deltas = seen.matches("event: content_block_delta").count();
    assert!(
        (2..=8).contains(&deltas),
        "about 5 deltas in 1.1 s, saw {deltas}"
    );
    assert!(!seen.contains("message_stop"), "not finished after 1.1 s");
    match script::plan(&main_loop_body("MOCK_SLOW", true)) {
        script::Plan::Message {
            blocks,
            delta_delay,
            ..
        } => {
            assert_eq!(delta_delay, Some(script::SLOW_DELTA_INTERVAL));
            let script::Block::Text(chunks) = &blocks[0] else {
                panic!()
            };
            assert_eq!(chunks.len(), script::SLOW_DELTA_COUNT);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn serve_runs_on_a_given_listener() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(ccdesk_mock_api::serve(listener));
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    server.abort();
}
