//! The load and misbehaviour modes for the host's process handling and relay benchmarks:
//! `FAKE_DEAF` (a turn that nothing but SIGKILL ends), `FAKE_GRANDCHILD` (a child process left
//! behind), `FAKE_FLOOD` (stream events as fast as possible) and `FAKE_RATE` (stream events at
//! a steady rate, each stamped with the time it was written).

use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use super::*;
use crate::util::to_line;

/// `FAKE_FLOOD_BYTES` when unset: about 100 MB of stream events.
const FLOOD_DEFAULT_BYTES: u64 = 100_000_000;
/// `FAKE_FLOOD` writes stdout in chunks of about this size (whole lines only).
const FLOOD_WRITE_CHUNK: usize = 1 << 20;
/// `FAKE_RATE_COUNT` when unset.
const RATE_DEFAULT_COUNT: u64 = 10_000;
/// `FAKE_RATE_LINES_PER_SEC` when unset.
const RATE_DEFAULT_PER_SEC: u64 = 2_000;
/// `FAKE_DEAF`: time between two `fake_tick` lines.
const TICK: Duration = Duration::from_millis(100);

/// Assistant prose with what a JSON writer has to escape (quotes, newlines, backslashes,
/// non-ASCII), cut into the deltas of `FAKE_FLOOD` and `FAKE_RATE`.
const PROSE: &str = "Here is what I found.\n\n1. `Session::start` builds the \"runner\" before \
the pool has a slot for it, so a failed spawn leaves the slot counted.\n2. The reader splits \
lines on `\\n` but keeps a `\\r` at the end — harmless, but worth trimming.\n\n```rust\nfn \
main() {\n    println!(\"héllo, wörld: {}\", 42);\n}\n```\n\nI'll fix the first one and add a \
test that spawns a CLI which exits at once 🎉. Then I will run `cargo test -p ccdesk-core` \
again and report what changed. ";

/// Lengths (in bytes, moved to a char boundary) of the successive delta texts: a spread like
/// the real CLI's deltas, which carry from one word to a few lines each.
const PIECE_LENGTHS: &[usize] = &[9, 37, 4, 68, 21, 63, 12, 55, 47, 2, 71, 30, 55, 17, 60, 40];

/// Delta texts cut from [`PROSE`], each already JSON-escaped (with its quotes).
fn delta_texts() -> Vec<String> {
    let mut out = Vec::new();
    let mut pos = 0;
    // Two passes over the prose with the lengths cycling: pieces start at varied offsets.
    for &want in PIECE_LENGTHS.iter().cycle().take(64) {
        if pos >= PROSE.len() {
            pos = 0;
        }
        let mut end = (pos + want).min(PROSE.len());
        while !PROSE.is_char_boundary(end) {
            end += 1;
        }
        out.push(serde_json::Value::String(PROSE[pos..end].to_owned()).to_string());
        pos = end;
    }
    out
}

/// Random v4 UUIDs without a system call each (xorshift seeded from one real v4 UUID): the
/// flood makes hundreds of thousands of them.
struct FastUuids {
    state: u64,
    buf: [u8; uuid::fmt::Hyphenated::LENGTH],
}

impl FastUuids {
    fn new() -> Self {
        let seed = uuid::Uuid::new_v4().as_u64_pair();
        FastUuids {
            state: (seed.0 ^ seed.1) | 1,
            buf: [0; uuid::fmt::Hyphenated::LENGTH],
        }
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }

    /// The next UUID, hyphenated, lower case.
    fn next(&mut self) -> &str {
        let hi = u128::from(self.next_u64());
        let bytes = ((hi << 64) | u128::from(self.next_u64())).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .encode_lower(&mut self.buf)
    }
}

/// Appends one `stream_event` `text_delta` line, keys in the real CLI's order, plus
/// `fake_sent_ns` when given. `text_json` is the JSON string (quoted, escaped).
fn push_delta_line(
    out: &mut Vec<u8>,
    text_json: &str,
    session_id: &str,
    uuid: &str,
    api_message_id: &str,
    sent_ns: Option<u128>,
) {
    out.extend_from_slice(
        br#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"#,
    );
    out.extend_from_slice(text_json.as_bytes());
    out.extend_from_slice(br#"}},"session_id":""#);
    out.extend_from_slice(session_id.as_bytes());
    out.extend_from_slice(br#"","parent_tool_use_id":null,"uuid":""#);
    out.extend_from_slice(uuid.as_bytes());
    out.extend_from_slice(br#"","api_message_id":""#);
    out.extend_from_slice(api_message_id.as_bytes());
    out.push(b'"');
    if let Some(ns) = sent_ns {
        out.extend_from_slice(br#","fake_sent_ns":"#);
        out.extend_from_slice(ns.to_string().as_bytes());
    }
    out.extend_from_slice(b"}\n");
}

/// A positive (or, with `zero_ok`, zero) integer from the environment; `_` separators allowed.
fn env_u64(name: &str, default: u64, zero_ok: bool) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse::<u64>().ok())
        .filter(|&n| zero_ok || n > 0)
        .unwrap_or(default)
}

/// When the `i`-th of a series of lines at `per_sec` lines a second is due, from `start`.
pub(super) fn due_at(start: Instant, i: u64, per_sec: u64) -> Instant {
    let ns = u128::from(i) * 1_000_000_000 / u128::from(per_sec.max(1));
    start + Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
}

/// Nanoseconds since the Unix epoch, now.
fn now_unix_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
}

/// `FAKE_DEAF`: SIGINT and SIGTERM only set a flag nobody reads from now on (the default
/// action, ending the process, is replaced). Only SIGKILL (or SIGQUIT, ...) ends it.
#[cfg(unix)]
pub(super) fn ignore_termination_signals() {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&flag)) {
            warn(&format!("fake-claude: cannot ignore signal {sig}: {e}"));
        }
    }
}

/// No signals to ignore off Unix.
#[cfg(not(unix))]
pub(super) fn ignore_termination_signals() {}

impl Turn<'_> {
    /// The first text delta of a turn that then hangs: `system/status`, `message_start`,
    /// `content_block_start` and one `Echo` delta (partial mode only).
    pub(super) fn first_delta(&self) {
        let id = msg_id();
        self.start_message(&id, 100, json!({"type": "text", "text": ""}));
        self.stream_event(
            &id,
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": "Echo"}}),
        );
    }

    /// `FAKE_DEAF`: a `fake_tick` line every 100 ms forever. Interrupts are answered (by the
    /// stdin thread) and ignored, SIGINT/SIGTERM were ignored since the turn began, a closed
    /// stdout or stdin changes nothing.
    pub(super) fn deaf(&self) -> ! {
        self.first_delta();
        let pid = std::process::id();
        let sid = self.sid();
        let start = Instant::now();
        let mut n: u64 = 0;
        loop {
            let line = to_line(&json!({
                "type": "system", "subtype": "fake_tick", "pid": pid, "n": n, "session_id": sid,
            }));
            // A reader that went away does not end a deaf process either.
            let _ = self.s.shared.out.try_raw(&line);
            n += 1;
            let due = start + TICK * u32::try_from(n).unwrap_or(u32::MAX);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
    }

    /// `FAKE_GRANDCHILD`: starts `sleep 600` in this process's group (stdio to /dev/null) and
    /// announces its pid. It is left running; a thread reaps it if it ends first, so it never
    /// lingers as a zombie of a live fake.
    /// With `FAKE_DETACHED` the sleep leads a process group of its own.
    pub(super) fn spawn_grandchild(&self) {
        let mut cmd = Command::new("sleep");
        cmd.arg("600")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        if self.kw.detached {
            std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        }
        let child = cmd.spawn();
        match child {
            Ok(mut child) => {
                let pid = child.id();
                std::thread::spawn(move || {
                    let _ = child.wait();
                });
                self.emit(&json!({
                    "type": "system", "subtype": "fake_grandchild", "pid": pid,
                    "session_id": self.sid(),
                }));
            }
            Err(e) => warn(&format!("fake-claude: cannot start `sleep 600`: {e}")),
        }
    }

    /// `FAKE_FLOOD`: `FAKE_FLOOD_BYTES` of `text_delta` stream events as fast as stdout takes
    /// them, written in ~1 MiB chunks of whole lines; then `flood done` as the reply.
    pub(super) fn flood(&mut self) -> Step<String> {
        let target = env_u64("FAKE_FLOOD_BYTES", FLOOD_DEFAULT_BYTES, true);
        let id = msg_id();
        let input = 100 + self.prompt.len() as u64 / 4;
        self.start_message(&id, input, json!({"type": "text", "text": ""}));
        let sid = self.sid();
        let texts = delta_texts();
        let mut uuids = FastUuids::new();
        let mut buf = Vec::with_capacity(FLOOD_WRITE_CHUNK + 1024);
        let mut written: u64 = 0;
        let mut k = 0;
        while written < target {
            let before = buf.len();
            push_delta_line(
                &mut buf,
                &texts[k % texts.len()],
                &sid,
                uuids.next(),
                &id,
                None,
            );
            written += (buf.len() - before) as u64;
            k += 1;
            if buf.len() >= FLOOD_WRITE_CHUNK {
                self.s.shared.out.raw(&buf);
                buf.clear();
                self.check()?;
            }
        }
        if !buf.is_empty() {
            self.s.shared.out.raw(&buf);
        }
        let text = "flood done";
        self.finish_text_message(&id, text, input, written / 4)?;
        Ok(text.to_owned())
    }

    /// `FAKE_RATE`: `FAKE_RATE_COUNT` `text_delta` stream events at `FAKE_RATE_LINES_PER_SEC`,
    /// on an absolute schedule (line `i` is due `i / rate` s after the first), each flushed at
    /// once and stamped with `fake_sent_ns`; then `rate done` as the reply.
    pub(super) fn rate(&mut self) -> Step<String> {
        let count = env_u64("FAKE_RATE_COUNT", RATE_DEFAULT_COUNT, true);
        let per_sec = env_u64("FAKE_RATE_LINES_PER_SEC", RATE_DEFAULT_PER_SEC, false);
        let id = msg_id();
        let input = 100 + self.prompt.len() as u64 / 4;
        self.start_message(&id, input, json!({"type": "text", "text": ""}));
        let sid = self.sid();
        let texts = delta_texts();
        let mut uuids = FastUuids::new();
        let mut buf = Vec::with_capacity(1024);
        let mut written: u64 = 0;
        let start = Instant::now();
        for i in 0..count {
            let due = due_at(start, i, per_sec);
            loop {
                self.check()?;
                let now = Instant::now();
                if now >= due {
                    break;
                }
                std::thread::sleep((due - now).min(Duration::from_millis(20)));
            }
            buf.clear();
            let text = &texts[(i % texts.len() as u64) as usize];
            let uuid = uuids.next();
            push_delta_line(&mut buf, text, &sid, uuid, &id, Some(now_unix_ns()));
            self.s.shared.out.raw(&buf);
            written += buf.len() as u64;
        }
        let text = "rate done";
        self.finish_text_message(&id, text, input, written / 4)?;
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_lines_are_cli_shaped_and_sized() {
        let texts = delta_texts();
        let mut uuids = FastUuids::new();
        let sid = "8f03be0a-3403-4269-842c-c018168b05ae";
        let mut seen = std::collections::HashSet::new();
        let mut joined = String::new();
        for (k, text) in texts.iter().enumerate() {
            let mut buf = Vec::new();
            let uuid = uuids.next().to_owned();
            let sent = (k % 2 == 0).then_some(1_795_320_582_708_000_000);
            push_delta_line(&mut buf, text, sid, &uuid, "msg_fakeabc", sent);
            assert!((200..=400).contains(&buf.len()), "{} bytes", buf.len());
            assert_eq!(buf.last(), Some(&b'\n'));
            let v: Value = serde_json::from_slice(&buf).unwrap_or_default();
            assert_eq!(v["type"], "stream_event");
            assert_eq!(v["event"]["type"], "content_block_delta");
            assert_eq!(v["event"]["delta"]["type"], "text_delta");
            assert_eq!(v["session_id"], sid);
            assert_eq!(v["parent_tool_use_id"], Value::Null);
            assert_eq!(v["api_message_id"], "msg_fakeabc");
            let parsed = uuid::Uuid::parse_str(v["uuid"].as_str().unwrap_or_default());
            assert_eq!(parsed.map(|u| u.get_version_num()).ok(), Some(4));
            assert!(seen.insert(uuid));
            assert_eq!(v.get("fake_sent_ns").is_some(), sent.is_some());
            joined.push_str(v["event"]["delta"]["text"].as_str().unwrap_or_default());
        }
        assert!(joined.contains("héllo") && joined.contains('"') && joined.contains('\n'));
    }

    #[test]
    fn schedule_is_absolute() {
        let t0 = Instant::now();
        assert_eq!(due_at(t0, 0, 2000), t0);
        assert_eq!(due_at(t0, 1, 2000), t0 + Duration::from_micros(500));
        assert_eq!(due_at(t0, 10_000, 2000), t0 + Duration::from_secs(5));
        assert_eq!(due_at(t0, 3, 3), t0 + Duration::from_secs(1));
        assert_eq!(due_at(t0, 1, 0), t0 + Duration::from_secs(1));
    }

    #[test]
    fn env_numbers() {
        assert_eq!(env_u64("FAKE_CLAUDE_TEST_UNSET_VARIABLE", 7, false), 7);
    }
}
