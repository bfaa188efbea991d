//! The fuzz targets' bodies (`tests/fuzz`, cargo fuzz / libFuzzer), also run as a short smoke
//! test on their recorded corpora and random bytes (`tests/fuzz_smoke.rs`). Each takes any bytes
//! and panics only when one of ccdesk's contracts breaks. Not part of ccdesk's API.

use crate::claude::stream::StreamEvent;
use crate::pool::{PermissionAnswer, PermissionRequest};

/// The CLI's stdout lines (stream-json, CLI 2.1.x): parsing never panics, and what parses
/// answers every accessor the pool uses and serializes again.
pub fn stream_line(data: &[u8]) {
    if let Some(ev) = StreamEvent::parse(data) {
        let _ = ev.kind();
        let _ = ev.text();
        let _ = ev.session_id();
        let _ = ev.is_result();
        let _ = ev.is_error_result();
        let _ = ev.result_errors();
        let _ = ev.text_delta();
        let _ = ev.assistant_text();
        assert!(
            serde_json::to_string(&ev).is_ok(),
            "a parsed line serializes"
        );
    }
}

/// A transcript file of any bytes: reading it never panics.
pub fn transcript_reader(data: &[u8]) {
    let _ = crate::transcripts::transcript::Transcript::read_from(data);
}

/// Differential: the listing's quick line decoder against serde. When the quick decoder takes a
/// line, serde must take it too, with the same facts.
pub fn quick_decoder(data: &[u8]) {
    if let Err(e) = crate::transcripts::index::quick_agrees_with_serde(data) {
        panic!("{e}");
    }
}

/// Differential: the listing's walk back from a line's end to its top-level `timestamp`
/// against serde. A timestamp the walk finds, in the whole line or any end of it, is the one
/// serde reads; on any bytes it never panics.
pub fn timestamp_from_end(data: &[u8]) {
    if let Err(e) = crate::transcripts::index::from_end_agrees_with_serde(data) {
        panic!("{e}");
    }
}

/// `can_use_tool` control requests (CLI 2.1.x, `--permission-prompt-tool stdio`): reading one
/// from any JSON never panics, and each answer ccdesk can write for it is one JSON line.
pub fn permission_request(data: &[u8]) {
    let Ok(line) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Some(req) = PermissionRequest::from_line(&line) {
        for answer in [
            PermissionAnswer::AllowOnce,
            PermissionAnswer::AllowSession,
            PermissionAnswer::Deny {
                message: "no".into(),
            },
        ] {
            let out = req.response_line(&answer);
            assert!(!out.contains('\n'), "one line: {out}");
            assert!(
                serde_json::from_str::<serde_json::Value>(&out).is_ok(),
                "JSON: {out}"
            );
        }
    }
}

/// ccdesk's own command line as a launcher or a second launch passes it (`ccdesk <folder>`,
/// `--resume <id>`; arguments split at NUL bytes): parsing never panics.
pub fn launch_args(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let args: Vec<String> = text.split('\0').map(str::to_owned).collect();
    let _ = crate::desktop::launch::parse_launch(
        &args,
        std::path::Path::new("/nonexistent-ccdesk-fuzz-cwd"),
    );
}

/// The watchdog's stdin (`+<pgid>` / `-<pgid>` lines): any bytes give groups above 1, ascending,
/// each once. Pure: nothing is signalled.
pub fn watchdog_input(data: &[u8]) {
    let groups = crate::claude::reaper::registrations(data);
    assert!(groups.iter().all(|&g| g > 1), "{groups:?}");
    assert!(groups.windows(2).all(|w| w[0] < w[1]), "{groups:?}");
}

/// A fuzz target: any bytes in; panics only on a broken contract.
pub type Target = fn(&[u8]);

/// Every target, by the name of its fuzz binary.
pub const TARGETS: [(&str, Target); 7] = [
    ("stream_line", stream_line),
    ("transcript_reader", transcript_reader),
    ("quick_decoder", quick_decoder),
    ("timestamp_from_end", timestamp_from_end),
    ("permission_request", permission_request),
    ("launch_args", launch_args),
    ("watchdog_input", watchdog_input),
];
