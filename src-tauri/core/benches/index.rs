//! Index benchmark (prints figures; not a test): builds a corpus of 10,000 transcripts in 500
//! project dirs of genuine transcript lines (`common::Genuine`) with a long-tailed size
//! distribution and compares `SessionIndex::scan`
//! (on all cores, and on one) with `cat` reading the same files, with the bare I/O of the bounded
//! reads, with the simplest listing other session browsers ship (the "simple scan": one thread,
//! each file read line by line up to its first user prompt, no cache) and with a bare stat walk.
//! All run on a warm page cache; each figure is the median of 5 runs.
//!
//! Run: `cargo bench -p ccdesk-core --bench index` (env `CCDESK_BENCH_SESSIONS` to change the
//! count, `CCDESK_BENCH_DIR` to keep the corpus somewhere else than the system temp dir).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ccdesk_core::transcripts::index::{LiveIndex, SessionIndex};

/// The headless binary's allocator (see the workspace's Cargo.toml): the in-process figures are
/// those of `ccdesk-cli`; the window keeps the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;
use common::genuine_corpus;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in std::fs::read_dir(root.join("projects"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for f in std::fs::read_dir(d.path()).into_iter().flatten().flatten() {
            out.push(f.path());
        }
    }
    out
}

fn main() -> std::io::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(()); // `cargo test --benches` probes with --list
    }
    let (n, root, bytes) = genuine_corpus()?;
    let list = files(&root);

    let cat = || {
        let t = Instant::now();
        for chunk in list.chunks(500) {
            let st = Command::new("cat")
                .args(chunk)
                .stdout(std::process::Stdio::null())
                .status();
            assert!(st.is_ok_and(|s| s.success()), "cat failed");
        }
        t.elapsed()
    };
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    // The index's time includes dropping it, as a caller that scans again would.
    let index = |threads: usize| {
        let t = Instant::now();
        let idx = SessionIndex::scan_with_threads(&root, threads).map(|i| i.scanned_files);
        assert_eq!(idx.ok(), Some(n), "index did not list every session");
        t.elapsed()
    };
    // Open, size and read 4 KiB at each end of every file, on `threads` threads: no parsing.
    let floor = |threads: usize| {
        use std::io::{Read, Seek, SeekFrom};
        let t = Instant::now();
        std::thread::scope(|scope| {
            for part in list.chunks(list.len().div_ceil(threads).max(1)) {
                scope.spawn(move || {
                    let mut buf = vec![0u8; 8192];
                    for p in part {
                        if let Ok(mut f) = std::fs::File::open(p) {
                            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                            let _ = f.read(&mut buf[..4096]);
                            let _ = f.seek(SeekFrom::Start(len.saturating_sub(4096)));
                            let _ = f.read(&mut buf[4096..]);
                        }
                    }
                });
            }
        });
        t.elapsed()
    };
    // The simple scan: one thread; each file read line by line until the first user prompt
    // (a `"type":"user"` line whose content is a string or holds a text block; a file without
    // one is read to its end), its cwd and title taken from it.
    let simple = || {
        use std::io::BufRead;
        let t = Instant::now();
        let mut titled = 0usize;
        for p in &list {
            let Ok(f) = std::fs::File::open(p) else {
                continue;
            };
            for line in std::io::BufReader::with_capacity(8192, f).lines() {
                let Ok(line) = line else { break };
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                let content = &v["message"]["content"];
                let prompt = content.is_string()
                    || content
                        .as_array()
                        .is_some_and(|a| a.iter().any(|b| b["type"] == "text"));
                if v["type"] == "user" && prompt {
                    titled += usize::from(v["cwd"].is_string());
                    break;
                }
            }
        }
        assert!(
            titled > n / 2,
            "the simple scan titled only {titled} of {n}"
        );
        t.elapsed()
    };
    // A bare stat walk: every project dir listed and every file's metadata, on `threads`.
    let stat_walk = |threads: usize| {
        let t = Instant::now();
        let dirs: Vec<PathBuf> = std::fs::read_dir(root.join("projects"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        let seen = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for part in dirs.chunks(dirs.len().div_ceil(threads).max(1)) {
                let seen = &seen;
                scope.spawn(move || {
                    for d in part {
                        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
                            if e.metadata().is_ok() {
                                seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                    }
                });
            }
        });
        assert_eq!(seen.into_inner(), n);
        t.elapsed()
    };
    // The persistent index: a cold refresh fills a fresh cache, then each warm refresh is a new
    // LiveIndex on that cache (as a new process would be): stat walk + cache load, no reads.
    let cache_dir = tempfile::tempdir()?;
    let cache = cache_dir.path().join("bench.sqlite");
    let live = || LiveIndex::new(root.clone(), Some(cache.clone()));
    let cold_live = || {
        let _ = std::fs::remove_file(&cache);
        let _ = std::fs::remove_file(cache.with_extension("sqlite-wal"));
        let _ = std::fs::remove_file(cache.with_extension("sqlite-shm"));
        let t = Instant::now();
        let refreshed = live().refresh_all().map(|(i, s)| (i.scanned_files, s));
        let Ok((scanned, stats)) = refreshed else {
            panic!("the refresh failed: {refreshed:?}");
        };
        assert_eq!(scanned, n);
        assert_eq!(stats.reread as usize, n);
        t.elapsed()
    };
    // Freeing the index is left out of the time: a process that lists and exits never frees
    // it (`ccdesk list` leaves its index to the OS).
    let warm_live = || {
        let t = Instant::now();
        let index = live();
        let refreshed = index.refresh_all().map(|(_, s)| s);
        let elapsed = t.elapsed();
        let Ok(stats) = refreshed else {
            panic!("the refresh failed: {refreshed:?}");
        };
        assert_eq!(stats.unchanged as usize, n, "{stats:?}");
        drop(index);
        elapsed
    };
    // What the window's watcher path costs per batch: a title line appended to one transcript,
    // then `apply_changes` of that path on a warm index (20 times; the file is cut back after).
    let append_apply = || {
        use std::io::Write;
        let index = live();
        assert!(index.refresh_all().is_ok());
        let target = list[list.len() / 2].clone();
        let len0 = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
        let id = target
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut times = Vec::new();
        for i in 0..20 {
            let line = serde_json::json!({"type": "custom-title", "customTitle": format!("bench {i}"), "sessionId": id});
            let appended = std::fs::OpenOptions::new()
                .append(true)
                .open(&target)
                .and_then(|mut f| writeln!(f, "{line}"));
            assert!(appended.is_ok());
            let t = Instant::now();
            let delta = index.apply_changes(std::slice::from_ref(&target));
            times.push(t.elapsed());
            assert!(delta.is_ok_and(|d| d.changed.len() == 1));
        }
        let cut = std::fs::OpenOptions::new()
            .write(true)
            .open(&target)
            .and_then(|f| f.set_len(len0));
        assert!(cut.is_ok());
        let _ = index.apply_changes(std::slice::from_ref(&target));
        times.sort();
        (times[times.len() / 2], times[times.len() * 95 / 100])
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    if std::env::var("CCDESK_BENCH_ONLY").as_deref() == Ok("append") {
        // For a profiler: only appends taken in.
        cold_live();
        for _ in 0..10 {
            append_apply();
        }
        let (p50, p95) = append_apply();
        println!(
            "append -> apply_changes: p50 {:.1} ms, p95 {:.1} ms",
            ms(p50),
            ms(p95)
        );
        return Ok(());
    }
    if std::env::var("CCDESK_BENCH_ONLY").as_deref() == Ok("warm") {
        // For a profiler: only warm refreshes of the persistent index.
        cold_live();
        let t = median((0..20).map(|_| warm_live()).collect());
        println!("LiveIndex warm:         {:.1} ms", ms(t));
        return Ok(());
    }
    if std::env::var("CCDESK_BENCH_ONLY").as_deref() == Ok("scan") {
        // For a profiler: only cold scans.
        let t = median((0..10).map(|_| index(threads)).collect());
        println!("SessionIndex::scan:     {:.1} ms", ms(t));
        return Ok(());
    }
    let load_before = load_average();
    cat(); // warm the page cache
    index(threads);
    let cat_t = median((0..5).map(|_| cat()).collect());
    let index_t = median((0..5).map(|_| index(threads)).collect());
    let index_1 = median((0..5).map(|_| index(1)).collect());
    let floor_t = median((0..5).map(|_| floor(threads)).collect());
    let floor_1 = median((0..5).map(|_| floor(1)).collect());
    let simple_t = median((0..5).map(|_| simple()).collect());
    let stat_t = median((0..5).map(|_| stat_walk(threads)).collect());
    let cold_live_t = median((0..3).map(|_| cold_live()).collect());
    let warm_live_t = median((0..5).map(|_| warm_live()).collect());
    let cache_bytes: u64 = ["", "-wal"]
        .iter()
        .filter_map(|sfx| {
            let mut p = cache.as_os_str().to_owned();
            p.push(sfx);
            std::fs::metadata(PathBuf::from(p)).ok()
        })
        .map(|m| m.len())
        .sum();
    let ratio = |d: Duration| d.as_secs_f64() / cat_t.as_secs_f64();
    println!("sessions:               {n}");
    println!("corpus size:            {:.1} MB", bytes as f64 / 1e6);
    println!("cat (all files):        {:.1} ms", ms(cat_t));
    println!(
        "SessionIndex::scan:     {:.1} ms on {threads} threads ({:.3} of cat, target < 0.1)",
        ms(index_t),
        ratio(index_t)
    );
    println!(
        "  on 1 thread:          {:.1} ms ({:.3} of cat)",
        ms(index_1),
        ratio(index_1)
    );
    println!(
        "I/O floor:              {:.1} ms on {threads} threads, {:.1} ms on 1 \
         (open, size, 4 KiB at each end; no parsing)",
        ms(floor_t),
        ms(floor_1)
    );
    println!(
        "simple scan (baseline): {:.1} ms on 1 thread ({:.3} of cat); scan / simple = {:.2} (target <= 0.5)",
        ms(simple_t),
        ratio(simple_t),
        index_t.as_secs_f64() / simple_t.as_secs_f64()
    );
    println!(
        "stat walk:              {:.1} ms on {threads} threads (a warm, cached list's target: <= 2x)",
        ms(stat_t)
    );
    println!(
        "LiveIndex cold:         {:.1} ms (scan + writing a fresh cache of {:.1} MB)",
        ms(cold_live_t),
        cache_bytes as f64 / 1e6
    );
    println!(
        "LiveIndex warm:         {:.1} ms ({:.2}x the stat walk, target <= 2)",
        ms(warm_live_t),
        warm_live_t.as_secs_f64() / stat_t.as_secs_f64()
    );
    let (append_p50, append_p95) = append_apply();
    println!(
        "append -> apply_changes: p50 {:.1} ms, p95 {:.1} ms (one title line, 10,000 sessions)",
        ms(append_p50),
        ms(append_p95)
    );
    if let (Some(before), Some(after)) = (load_before, load_average()) {
        println!("load average (1 min):   {before} before, {after} after");
    }
    Ok(())
}

/// The 1-minute load average, where the OS tells it (Linux), to judge how quiet the machine was.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_owned)
}
