//! Search benchmark (prints figures; not a test): builds a corpus of 10,000 transcripts in 500
//! project dirs (sizes log-uniform from 4 KiB to 2 MiB, as the index benchmark's) whose text is
//! drawn from a 20,000-word vocabulary with a Zipf distribution, plus tool calls with commands
//! and paths, then times the search index's full build (`LiveIndex::update_search`), its size
//! against the transcripts', and 20 typical queries in process (p50 and p99 over 10 rounds).
//!
//! Run: `cargo bench -p ccdesk-core --bench search` (env `CCDESK_BENCH_SESSIONS`,
//! `CCDESK_BENCH_DIR` as for the index benchmark).

use std::path::Path;
use std::time::{Duration, Instant};

use ccdesk_core::transcripts::index::LiveIndex;
use ccdesk_core::transcripts::search::query::SearchQuery;

mod common;
use common::{build_sessions, corpus_dir, Rng};

const VOCAB: usize = 20_000;

/// Word `i` of the vocabulary: pronounceable, distinct.
fn word(i: usize) -> String {
    const C: &[u8] = b"bcdfghjklmnprstvz";
    const V: &[u8] = b"aeiou";
    let mut w = String::new();
    let mut n = i + 1;
    while n > 0 {
        w.push(C[n % C.len()] as char);
        n /= C.len();
        w.push(V[n % V.len()] as char);
        n /= V.len();
    }
    w
}

/// A Zipf-like pick from the vocabulary (rank ~ 1/x).
fn zipf(rng: &mut Rng, words: &[String]) -> usize {
    let u = rng.unit().max(1e-9);
    ((words.len() as f64).powf(u) as usize).saturating_sub(1) % words.len()
}

fn text(rng: &mut Rng, words: &[String], len: usize) -> String {
    let mut s = String::with_capacity(len + 16);
    while s.len() < len {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&words[zipf(rng, words)]);
    }
    s
}

fn build_corpus(root: &Path, n: usize) -> std::io::Result<u64> {
    let words: Vec<String> = (0..VOCAB).map(word).collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    build_sessions(root, n, &mut rng, |rng, cwd, id, i| {
        let s = usize::from_str_radix(&id[..8], 16).unwrap_or(0);
        let ts = format!(
            "2026-{:02}-{:02}T{:02}:{:02}:00.000Z",
            1 + (s + i) % 12,
            1 + i % 28,
            i % 24,
            i % 60
        );
        let len = (rng.next() % 3000) as usize + 20;
        let body = text(rng, &words, len);
        match i % 4 {
            0 => serde_json::json!({"type":"user","uuid":format!("u{i}"),"sessionId":id,"cwd":cwd,
                "gitBranch":"main","version":"2.1.330","timestamp":ts,
                "message":{"role":"user","content":body}}),
            1 => serde_json::json!({"type":"assistant","uuid":format!("a{i}"),"sessionId":id,"cwd":cwd,
                "timestamp":ts,"message":{"role":"assistant","model":"claude-opus-4","content":[
                    {"type":"text","text":body},
                    {"type":"tool_use","id":"toolu_1","name":"Bash","input":{
                        "command":format!("rg -n {} src/{}/{}.rs", words[zipf(rng, &words)],
                            words[zipf(rng, &words)], words[zipf(rng, &words)])}}]}}),
            2 => serde_json::json!({"type":"user","uuid":format!("t{i}"),"sessionId":id,"cwd":cwd,
                "timestamp":ts,"message":{"role":"user","content":[
                    {"type":"tool_result","tool_use_id":"toolu_1","content":body}]}}),
            _ => serde_json::json!({"type":"assistant","uuid":format!("b{i}"),"sessionId":id,"cwd":cwd,
                "timestamp":ts,"message":{"role":"assistant","model":"claude-opus-4","content":[
                    {"type":"text","text":body}]}}),
        }
        .to_string()
    })
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() -> std::io::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let (n, root) = corpus_dir("ccdesk-search-bench");
    let marker = root.join("complete");
    if !marker.exists() {
        let _ = std::fs::remove_dir_all(&root);
        let t = Instant::now();
        let b = build_corpus(&root, n)?;
        std::fs::write(&marker, b"")?;
        eprintln!(
            "built corpus: {n} sessions, {:.1} MB in {:.1?}",
            b as f64 / 1e6,
            t.elapsed()
        );
    }
    let cache_dir = tempfile::tempdir()?;
    let cache = cache_dir.path().join("search.sqlite");
    let live = LiveIndex::new(root.clone(), Some(cache.clone()));
    let t = Instant::now();
    let Ok((listing, _)) = live.refresh_all() else {
        panic!("the listing failed");
    };
    let list_t = t.elapsed();
    let t = Instant::now();
    let built = live.update_search(|_| {});
    let build_t = t.elapsed();
    let Ok(progress) = built else {
        panic!("the build failed: {built:?}");
    };
    drop(live);
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let db_bytes = size(&cache)
        + size(&cache.with_extension("sqlite-wal"))
        + size(&cache.with_extension("sqlite-shm"));
    let live = LiveIndex::new(root.clone(), Some(cache.clone()));
    if live.refresh_all().is_err() {
        panic!("the listing failed");
    }
    let w = |i: usize| word(i);
    let queries: Vec<String> = vec![
        w(0),
        w(3),
        w(50),
        w(400),
        w(5000),
        w(15000),
        format!("{} {}", w(2), w(7)),
        format!("{} {}", w(120), w(900)),
        format!("\"{} {}\"", w(1), w(2)),
        format!("\"{} {}\"", w(30), w(31)),
        format!("{}*", &w(700)[..3]),
        format!("{}*", &w(12000)[..4]),
        format!("{} -{}", w(10), w(11)),
        format!("{} project:project-42", w(5)),
        format!("{} branch:main", w(300)),
        format!("{} since:2026-06-01", w(20)),
        format!("rg src {}", w(60)),
        format!("{} {} {}", w(4), w(40), w(400)),
        format!("{} model:opus", w(2500)),
        "nothingmatchesthisword".into(),
    ];
    // In process, as the window asks (200 sessions) and as `ccdesk search` does (20).
    let run = |limit: usize| {
        let mut times = Vec::new();
        let mut found = 0usize;
        for _ in 0..10 {
            for q in &queries {
                let Ok(q) = SearchQuery::parse(q, 1_800_000_000_000) else {
                    panic!("bad query {q}");
                };
                let t = Instant::now();
                let r = live.search(&q, limit);
                times.push(t.elapsed());
                found += r.map(|r| r.sessions.len()).unwrap_or(0);
            }
        }
        (times, found / 10)
    };
    let (mut times, found) = run(200);
    let (mut times20, _) = run(20);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("sessions:               {}", listing.scanned_files);
    println!(
        "transcripts:            {:.1} MB in {} files",
        progress.done_bytes as f64 / 1e6,
        progress.total_files
    );
    println!("listing (cold):         {:.0} ms", ms(list_t));
    println!(
        "search index build:     {:.1} s ({:.0} MB/s; goal <= 60 s)",
        build_t.as_secs_f64(),
        progress.done_bytes as f64 / 1e6 / build_t.as_secs_f64()
    );
    println!(
        "database:               {:.1} MB = {:.1}% of the transcripts (goal <= 35%)",
        db_bytes as f64 / 1e6,
        db_bytes as f64 * 100.0 / progress.done_bytes.max(1) as f64
    );
    println!(
        "20 queries x 10:        p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms at 200 sessions (goal p50 <= 30, p99 <= 150); {} sessions found",
        ms(pct(&mut times, 0.5)),
        ms(pct(&mut times, 0.99)),
        ms(pct(&mut times, 1.0)),
        found
    );
    println!(
        "  at 20 sessions:       p50 {:.1} ms, p99 {:.1} ms",
        ms(pct(&mut times20, 0.5)),
        ms(pct(&mut times20, 0.99)),
    );
    Ok(())
}
