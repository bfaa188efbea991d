//! Search benchmark (prints figures; not a test): builds a corpus of 10,000 transcripts in 500
//! project dirs (sizes log-uniform from 4 KiB to 2 MiB, as the index benchmark's) made of
//! genuine transcript lines (`common::Genuine`: the samples' lines replayed, one word in four
//! replaced from a 20,000-word Zipf vocabulary), then times the search index's full build (`LiveIndex::update_search`), its size
//! against the transcripts', and 20 typical queries in process (p50 and p99 over 10 rounds).
//!
//! Run: `cargo bench -p ccdesk-core --bench search` (env `CCDESK_BENCH_SESSIONS`,
//! `CCDESK_BENCH_DIR` as for the index benchmark; `CCDESK_BENCH_CACHE`, below).

use std::path::Path;
use std::time::{Duration, Instant};

use ccdesk_core::transcripts::index::LiveIndex;
use ccdesk_core::transcripts::search::query::SearchQuery;

/// The headless binary's allocator (see the workspace's Cargo.toml): the in-process figures are
/// those of `ccdesk-cli`; the window keeps the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;
use common::{genuine_corpus, word};

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() -> std::io::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let (_, root, corpus_bytes) = genuine_corpus()?;
    // `CCDESK_BENCH_CACHE=FILE` keeps the index there (an existing one is brought up to date
    // rather than built: for profiling the queries).
    let cache_dir = tempfile::tempdir()?;
    let cache = std::env::var_os("CCDESK_BENCH_CACHE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| cache_dir.path().join("search.sqlite"));
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
        corpus_bytes as f64 / 1e6,
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
        db_bytes as f64 * 100.0 / corpus_bytes.max(1) as f64
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
