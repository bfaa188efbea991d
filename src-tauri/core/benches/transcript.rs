//! Big-transcript benchmark (prints figures; not a test). Builds a 200 MB transcript of
//! genuine-shaped lines (every 50th a 200 KB tool result) and compares what opening it costs the
//! backend:
//!
//! - before (v0.1): `Transcript::read` of the whole file and its serialization as one IPC payload;
//! - after: the line index built once ([`LineIndex::build`]), the tail page the window opens on,
//!   a page at the start, a refresh after an append (only the new bytes read), and a 1 GB file and
//!   a 200 MB line without newline (bounded memory).
//!
//! Time: median of 5 runs, warm page cache. Memory: the process's peak RSS growth during one
//! run (Linux: `/proc/self/clear_refs` resets the peak between phases).
//!
//! Run: `cargo bench -p ccdesk-core --bench transcript` (`CCDESK_BENCH_DIR` to keep the files
//! somewhere else than the system temp dir).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ccdesk_core::transcripts::transcript::{read_page, LineIndex, PageRequest, Transcript};

fn line(i: usize, big: &str, small: &str) -> String {
    let ts = format!(
        "2026-03-{:02}T{:02}:{:02}:00.000Z",
        1 + i % 28,
        i % 24,
        i % 60
    );
    let v = if i % 50 == 49 {
        serde_json::json!({"type":"user","uuid":format!("t{i}"),"parentUuid":format!("a{}", i - 1),"sessionId":"s",
            "cwd":"/home/dev/proj","timestamp":ts,"version":"2.1.112",
            "message":{"role":"user","content":[{"type":"tool_result","tool_use_id":format!("toolu_{i}"),"content":big}]}})
    } else if i.is_multiple_of(2) {
        serde_json::json!({"type":"user","uuid":format!("u{i}"),"parentUuid":null,"isSidechain":false,"sessionId":"s",
            "cwd":"/home/dev/proj","gitBranch":"main","version":"2.1.112","timestamp":ts,
            "message":{"role":"user","content":small}})
    } else {
        serde_json::json!({"type":"assistant","uuid":format!("a{i}"),"parentUuid":format!("u{}", i - 1),"sessionId":"s",
            "cwd":"/home/dev/proj","timestamp":ts,"version":"2.1.112","requestId":"req_1",
            "message":{"id":format!("msg_{i}"),"role":"assistant","model":"claude-opus-4","content":[
                {"type":"text","text":small},
                {"type":"tool_use","id":format!("toolu_{}", i + 1),"name":"Bash","input":{"command":"cargo test","description":"run the tests"}}],
                "stop_reason":"tool_use","usage":{"input_tokens":1200,"output_tokens":300}}})
    };
    v.to_string()
}

/// Writes a transcript of at least `bytes` bytes; returns its line count.
fn build(path: &Path, bytes: u64) -> std::io::Result<usize> {
    let big = "result line of a long tool output\n".repeat(200 * 1024 / 34);
    let small = "Let me look at the failing test and the code it calls. ".repeat(30);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let (mut written, mut i) = (0u64, 0usize);
    while written < bytes {
        let l = line(i, &big, &small);
        writeln!(f, "{l}")?;
        written += l.len() as u64 + 1;
        i += 1;
    }
    f.flush()?;
    Ok(i)
}

/// Resets the peak RSS (Linux); false elsewhere.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// (current RSS, peak RSS) in bytes, from /proc/self/status.
fn rss() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
            .map(|kb| kb * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Median wall time of 5 runs of `f`, and the peak RSS growth of the first.
fn measure<T>(name: &str, mut f: impl FnMut() -> T) {
    let mut times = Vec::new();
    let mut growth = None;
    for run in 0..5 {
        let before = if run == 0 && reset_peak() {
            rss()
        } else {
            None
        };
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed());
        if let (Some((rss0, _)), Some((_, peak))) = (before, rss()) {
            growth = Some(peak.saturating_sub(rss0));
        }
        drop(out);
    }
    times.sort();
    let median: Duration = times[2];
    let mem = growth.map_or("n/a".to_owned(), |g| format!("{:.0} MB", g as f64 / 1e6));
    println!(
        "{name:<58} {:>9.1} ms   peak RSS growth {mem:>8}",
        median.as_secs_f64() * 1e3
    );
}

fn main() -> std::io::Result<()> {
    let tmp = tempfile::tempdir()?;
    let dir: PathBuf = std::env::var_os("CCDESK_BENCH_DIR")
        .map_or_else(|| tmp.path().to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("big-200mb.jsonl");
    let lines = build(&path, 200_000_000)?;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "transcript: {lines} lines, {:.0} MB (every 50th line a 200 KB tool result)\n",
        size as f64 / 1e6
    );

    println!("before (v0.1, show_session):");
    measure("  Transcript::read of the whole file", || {
        Transcript::read(&path).map(|t| t.entries.len())
    });
    measure("  ... and serialized as one IPC payload", || {
        Transcript::read(&path).map(|t| serde_json::to_string(&t).map(|s| s.len()))
    });

    println!("after (line index + pages):");
    measure(
        "  LineIndex::build (cold cache of ccdesk, warm OS cache)",
        || LineIndex::build(&path).map(|ix| ix.complete_lines()),
    );
    let ix = LineIndex::build(&path).map_err(std::io::Error::other)?;
    measure("  tail page (200 lines), serialized", || {
        read_page(&ix, PageRequest::new(None, None))
            .map(|p| serde_json::to_string(&p).map(|s| s.len()))
    });
    measure("  first page (from 0, 200 lines), serialized", || {
        read_page(&ix, PageRequest::new(Some(0), None))
            .map(|p| serde_json::to_string(&p).map(|s| s.len()))
    });
    let page = read_page(&ix, PageRequest::new(None, None)).map_err(std::io::Error::other)?;
    let payload = serde_json::to_string(&page)?.len();
    println!(
        "  tail page payload: {:.0} KB for {} entries",
        payload as f64 / 1e3,
        page.entries.len()
    );
    let mut grown = ix.clone();
    measure("  refresh after a 1-line append (index cached)", || {
        let mut f = std::fs::OpenOptions::new().append(true).open(&path)?;
        writeln!(f, "{}", line(1, "x", "appended"))?;
        drop(f);
        grown.refresh().map_err(std::io::Error::other)
    });

    let huge = dir.join("one-line-200mb.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&huge)?);
        f.write_all(b"{\"type\":\"user\",\"message\":{\"content\":\"")?;
        let chunk = vec![b'z'; 1 << 20];
        for _ in 0..200 {
            f.write_all(&chunk)?;
        }
    }
    measure("  a 200 MB line without newline: index + tail page", || {
        LineIndex::build(&huge)
            .and_then(|ix| read_page(&ix, PageRequest::new(None, None)))
            .map(|p| p.entries.len())
    });
    std::fs::remove_file(&huge)?;

    let gb = dir.join("big-1gb.jsonl");
    build(&gb, 1_000_000_000)?;
    measure("  1 GB transcript: index + tail page", || {
        LineIndex::build(&gb)
            .and_then(|ix| read_page(&ix, PageRequest::new(None, None)))
            .map(|p| p.entries.len())
    });
    std::fs::remove_file(&gb)?;
    std::fs::remove_file(&path)?;
    Ok(())
}
