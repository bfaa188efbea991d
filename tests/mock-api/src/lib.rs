//! A scripted mock of the Anthropic Messages API for driving the real Claude Code CLI in tests.
//!
//! It listens on loopback only and answers:
//! - `HEAD /`, `GET /`: 200 (the CLI probes reachability);
//! - `POST /v1/messages` (with or without `?beta=true`): SSE when `"stream": true`, else JSON,
//!   scripted from the last user text (see [`script`]);
//! - `POST /v1/messages/count_tokens`: `{"input_tokens": N}`;
//! - anything else: 404 with an Anthropic-style error body.
//!
//! Embed it with [`MockApi::start`] (binds `127.0.0.1:0`) or [`serve`]; every request is recorded
//! ([`MockApi::requests`]). With `MOCK_API_LOG=<path>` each request (path and body) is appended to
//! that file as one JSON line, to see what a CLI build sends.

pub mod script;
pub mod sse;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// What kind of request the mock saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `POST /v1/messages` of the agent's main loop (the request offered tools).
    Messages,
    /// `POST /v1/messages` without tools: a side request (title, summary, ...).
    SideMessages,
    /// `POST /v1/messages/count_tokens`.
    CountTokens,
    /// `GET /` or `HEAD /`.
    Root,
    /// Anything else (answered 404).
    Other,
}

/// One request the mock answered.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Classification.
    pub kind: RequestKind,
    /// The JSON body (Null if none or not JSON).
    pub body: Value,
    /// What the last user message held (messages requests only).
    pub last_user: script::LastUser,
    /// HTTP status answered.
    pub status: u16,
    /// Text of the reply (empty for errors and non-message requests).
    pub reply_text: String,
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<RecordedRequest>>,
    log: Option<Mutex<std::fs::File>>,
}

impl Shared {
    fn from_env() -> Shared {
        let log = std::env::var_os("MOCK_API_LOG").and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&p)
                .map_err(|e| tracing::warn!("MOCK_API_LOG {p:?}: {e}"))
                .ok()
                .map(Mutex::new)
        });
        Shared {
            requests: Mutex::new(Vec::new()),
            log,
        }
    }

    fn record(&self, rec: RecordedRequest, headers: &HeaderMap) {
        if let Some(log) = &self.log {
            let hdrs: serde_json::Map<String, Value> = headers
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "x-api-key" | "authorization"))
                .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or("<binary>"))))
                .collect();
            let line = json!({"method": rec.method, "uri": rec.uri, "status": rec.status,
                "headers": hdrs, "body": rec.body, "reply_text": rec.reply_text});
            if let Ok(mut f) = log.lock() {
                let _ = writeln!(f, "{line}");
            }
        }
        if let Ok(mut r) = self.requests.lock() {
            r.push(rec);
        }
    }
}

/// The router of the mock (for embedding in another server).
pub fn router() -> Router {
    router_with(Arc::new(Shared::from_env()))
}

fn router_with(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/v1/messages", post(messages))
        .route("/v1/messages/count_tokens", post(count_tokens))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(256 * 1024 * 1024))
        .with_state(shared)
}

/// Serves the mock on `listener` until the process ends (or the future is dropped).
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router()).await
}

/// A running mock, bound to a loopback port. Dropping it stops the server.
pub struct MockApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl MockApi {
    /// Binds `127.0.0.1:0` and serves in a background task of the current tokio runtime.
    pub async fn start() -> std::io::Result<MockApi> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        MockApi::start_on(listener)
    }

    /// Serves on an already bound listener in a background task.
    pub fn start_on(listener: TcpListener) -> std::io::Result<MockApi> {
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::from_env());
        let (tx, rx) = oneshot::channel::<()>();
        let app = router_with(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
        });
        Ok(MockApi {
            addr,
            shared,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the value for `ANTHROPIC_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request answered so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// The user texts of the main-loop `POST /v1/messages` requests, oldest first.
    pub fn user_texts(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.kind == RequestKind::Messages)
            .filter_map(|r| r.last_user.text().map(str::to_string))
            .collect()
    }

    /// Number of requests of `kind`.
    pub fn count(&self, kind: RequestKind) -> usize {
        self.requests().iter().filter(|r| r.kind == kind).count()
    }

    /// Stops accepting, lets running responses finish for up to 2 s, then aborts.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(std::time::Duration::from_secs(2), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for MockApi {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn request_id() -> String {
    format!(
        "req_mock{}",
        &uuid::Uuid::new_v4().simple().to_string()[..20]
    )
}

async fn root(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    shared.record(
        RecordedRequest {
            method: method.to_string(),
            uri: uri.to_string(),
            kind: RequestKind::Root,
            body: Value::Null,
            last_user: script::LastUser::None,
            status: 200,
            reply_text: String::new(),
        },
        &headers,
    );
    json_response(
        StatusCode::OK,
        &json!({"ok": true, "service": "ccdesk-mock-api"}),
    )
}

async fn not_found(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.record(
        RecordedRequest {
            method: method.to_string(),
            uri: uri.to_string(),
            kind: RequestKind::Other,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            last_user: script::LastUser::None,
            status: 404,
            reply_text: String::new(),
        },
        &headers,
    );
    json_response(
        StatusCode::NOT_FOUND,
        &sse::error_json(
            "not_found_error",
            &format!("mock: no route for {method} {}", uri.path()),
        ),
    )
}

async fn count_tokens(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let n = script::estimate_tokens(&parsed);
    shared.record(
        RecordedRequest {
            method: "POST".into(),
            uri: uri.to_string(),
            kind: RequestKind::CountTokens,
            last_user: script::last_user(&parsed),
            body: parsed,
            status: 200,
            reply_text: String::new(),
        },
        &headers,
    );
    json_response(StatusCode::OK, &json!({"input_tokens": n}))
}

async fn messages(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            let rec = RecordedRequest {
                method: "POST".into(),
                uri: uri.to_string(),
                kind: RequestKind::Messages,
                body: Value::Null,
                last_user: script::LastUser::None,
                status: 400,
                reply_text: String::new(),
            };
            shared.record(rec, &headers);
            return json_response(
                StatusCode::BAD_REQUEST,
                &sse::error_json(
                    "invalid_request_error",
                    &format!("mock: body is not JSON: {e}"),
                ),
            );
        }
    };
    let plan = script::plan(&parsed);
    let kind = if script::is_main_loop(&parsed) {
        RequestKind::Messages
    } else {
        RequestKind::SideMessages
    };
    let status = match &plan {
        script::Plan::Error { status, .. } => *status,
        script::Plan::Message { .. } => 200,
    };
    let model = parsed
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("claude-mock")
        .to_string();
    let stream = parsed
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let meta = sse::MessageMeta::new(&model, script::estimate_tokens(&parsed));
    shared.record(
        RecordedRequest {
            method: "POST".into(),
            uri: uri.to_string(),
            kind,
            last_user: script::last_user(&parsed),
            body: parsed,
            status,
            reply_text: plan.text(),
        },
        &headers,
    );
    if let script::Plan::Error {
        status,
        kind,
        message,
    } = &plan
    {
        let code = StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut resp = json_response(code, &sse::error_json(kind, message));
        if let Ok(v) = request_id().parse() {
            resp.headers_mut().insert("request-id", v);
        }
        return resp;
    }
    let mut resp = if stream {
        let events = sse::events(&plan, &meta);
        let body = futures_util::stream::iter(events).then(|(delay, frame)| async move {
            if let Some(d) = delay {
                tokio::time::sleep(d).await;
            }
            Ok::<_, std::convert::Infallible>(frame)
        });
        Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "text/event-stream")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(Body::from_stream(body))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    } else {
        match sse::message_json(&plan, &meta) {
            Some(v) => json_response(StatusCode::OK, &v),
            None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    };
    if let Ok(v) = request_id().parse() {
        resp.headers_mut().insert("request-id", v);
    }
    resp
}
