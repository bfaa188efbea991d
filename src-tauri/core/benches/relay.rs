//! Session-engine benchmark (prints figures; not a test): drives the project's fake `claude`
//! through [`SessionPool`], the code path the app uses, into a sink that serializes every
//! [`SessionEvent`] with `serde_json::to_vec` (what the Tauri channel does) and counts bytes.
//!
//! Parts (arguments, or `CCDESK_RELAY_PARTS=throughput,latency`):
//! - `throughput`: `FAKE_FLOOD` of 100 MB; MB/s of CLI stdout relayed, from `start()` to the
//!   session being ready again after the `result` (median of 3).
//! - `latency`: `FAKE_RATE`, 10,000 lines at 2,000 lines/s; for every `cli` event carrying
//!   `fake_sent_ns`, the time from the fake writing the line to the sink receiving the event.
//! - `soak`: 16 sessions each sending a `FAKE_RATE` prompt (2,000 lines at 200 lines/s) again
//!   whenever its turn ended, for `CCDESK_SOAK_SECS` (600 when `soak` is asked for, 60 in the
//!   default run); ccdesk's own RSS at the start, every minute and at the end.
//!
//! With no part named: throughput, latency and a 60 s soak.
//!
//! Run: `cargo build -p ccdesk-fake-claude --release`, then
//! `cargo bench -p ccdesk-core --bench relay [-- throughput|latency|soak]`. The fake is
//! `target/release/fake-claude`, or `$CCDESK_FAKE_CLAUDE`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ccdesk_core::claude::runner::ClaudeCommand;
use ccdesk_core::pool::{
    sweep_forever, ClaudeLocator, EventSink, PoolConfig, SessionEvent, SessionPool, SessionState,
    StartRequest,
};
use tokio::sync::mpsc;

/// Width of a latency histogram bucket, in ns (10 µs).
const BUCKET_NS: u64 = 10_000;
/// Buckets: up to 2 s; slower events land in the last one (the exact maximum is kept apart).
const BUCKETS: usize = 200_000;

/// What every sink of a part adds to.
struct Counters {
    events: AtomicU64,
    /// Bytes of serialized events (what would cross the Tauri channel).
    json_bytes: AtomicU64,
    latency: Mutex<Histogram>,
}

/// Fixed-size latency histogram, so that a long soak does not grow memory by measuring.
struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    max_ns: u64,
}

impl Histogram {
    fn new() -> Self {
        // Written once here, so that its pages are resident from the start: a zeroed
        // allocation would be mapped lazily and grow the soak's RSS as new buckets fill.
        let mut buckets = vec![1; BUCKETS];
        buckets.fill(0);
        Histogram {
            buckets,
            count: 0,
            max_ns: 0,
        }
    }

    fn add(&mut self, ns: u64) {
        let i = usize::try_from(ns / BUCKET_NS)
            .unwrap_or(usize::MAX)
            .min(BUCKETS - 1);
        self.buckets[i] += 1;
        self.count += 1;
        self.max_ns = self.max_ns.max(ns);
    }

    /// The upper edge of the bucket holding quantile `q`, in ms.
    fn quantile_ms(&self, q: f64) -> f64 {
        let want = ((self.count as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= want {
                return ((i as u64 + 1) * BUCKET_NS) as f64 / 1e6;
            }
        }
        self.max_ns as f64 / 1e6
    }

    fn summary(&self) -> String {
        if self.count == 0 {
            return "no stamped lines".to_owned();
        }
        format!(
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} lines)",
            self.quantile_ms(0.50),
            self.quantile_ms(0.99),
            self.max_ns as f64 / 1e6,
            self.count
        )
    }
}

impl Counters {
    fn new() -> Arc<Self> {
        Arc::new(Counters {
            events: AtomicU64::new(0),
            json_bytes: AtomicU64::new(0),
            latency: Mutex::new(Histogram::new()),
        })
    }
}

fn unix_ns() -> u64 {
    let ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    u64::try_from(ns).unwrap_or(u64::MAX)
}

/// The `fake_sent_ns` number of a serialized `cli` event, if it has one.
fn stamp(json: &[u8]) -> Option<u64> {
    const KEY: &[u8] = b"\"fake_sent_ns\":";
    let at = memchr::memmem::rfind(json, KEY)? + KEY.len();
    let digits = json[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&json[at..at + digits])
        .ok()?
        .parse()
        .ok()
}

/// A sink like the app's: every event serialized to JSON bytes. State changes go to `states`
/// with the instant they were seen.
fn sink(c: Arc<Counters>, states: mpsc::UnboundedSender<(Instant, SessionState)>) -> EventSink {
    Arc::new(move |ev: SessionEvent| {
        let now_ns = unix_ns();
        if let SessionEvent::State { info } = &ev {
            let _ = states.send((Instant::now(), info.state.clone()));
        }
        let json = serde_json::to_vec(&ev).unwrap_or_default();
        // The stamp is looked up in the serialized bytes, not through `StreamEvent::raw`, so
        // the sink costs what the app's does whatever way the event holds its line.
        if matches!(ev, SessionEvent::Cli { .. }) {
            if let Some(sent) = stamp(&json) {
                if let Ok(mut h) = c.latency.lock() {
                    h.add(now_ns.saturating_sub(sent));
                }
            }
        }
        c.events.fetch_add(1, Ordering::Relaxed);
        c.json_bytes.fetch_add(json.len() as u64, Ordering::Relaxed);
    })
}

/// Waits for the session to be ready (its turn over); the instant it was seen. Panics on a
/// failed or closed session, with the reason.
async fn wait_ready(states: &mut mpsc::UnboundedReceiver<(Instant, SessionState)>) -> Instant {
    loop {
        match states.recv().await {
            Some((at, SessionState::Ready)) => return at,
            Some((_, s @ (SessionState::Failed { .. } | SessionState::Closed))) => {
                panic!("the session ended instead of finishing its turn: {s:?}")
            }
            Some(_) => {}
            None => panic!("the session's sink was dropped"),
        }
    }
}

/// The fake CLI: `$CCDESK_FAKE_CLAUDE`, else `fake-claude` in this bench's profile dir.
fn fake_claude() -> PathBuf {
    if let Some(p) = std::env::var_os("CCDESK_FAKE_CLAUDE").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if !p.is_file() {
            eprintln!("CCDESK_FAKE_CLAUDE={} is not a file", p.display());
            std::process::exit(2);
        }
        return p;
    }
    let exe = std::env::current_exe().expect("the bench's own path");
    // target/<profile>/deps/relay-<hash> -> target/<profile>/fake-claude
    let fake = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join(format!("fake-claude{}", std::env::consts::EXE_SUFFIX)));
    match fake {
        Some(f) if f.is_file() => f,
        other => {
            eprintln!(
                "the fake CLI is missing ({}): run `cargo build -p ccdesk-fake-claude --release` \
                 first, or point CCDESK_FAKE_CLAUDE at a fake-claude binary",
                other.map_or_else(|| "no profile dir".to_owned(), |f| f.display().to_string())
            );
            std::process::exit(2);
        }
    }
}

/// A temp config dir and project dir for one part.
struct Dirs {
    _tmp: tempfile::TempDir,
    config: PathBuf,
    project: PathBuf,
}

fn dirs() -> Dirs {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let config = tmp.path().join("config");
    let project = tmp.path().join("project");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::create_dir_all(&project).expect("project dir");
    let project = std::fs::canonicalize(project).expect("project dir path");
    Dirs {
        _tmp: tmp,
        config,
        project,
    }
}

/// A pool on `dirs` with generous timeouts, the fake as its CLI, `env` for every process.
fn pool(fake: &Path, dirs: &Dirs, env: &[(&str, &str)], max_sessions: usize) -> Arc<SessionPool> {
    let fake = fake.to_path_buf();
    let locate: ClaudeLocator = std::sync::Arc::new(move || Ok(ClaudeCommand::new(fake.clone())));
    let mut vars: Vec<(OsString, OsString)> = vec![
        ("CLAUDE_CONFIG_DIR".into(), dirs.config.clone().into()),
        // A developer's own fake settings must not slow or hang the runs.
        ("FAKE_CLAUDE_DELAY_MS".into(), "0".into()),
        ("FAKE_CLAUDE_HANG_BEFORE_INIT".into(), "0".into()),
        ("FAKE_CLAUDE_HANG_BEFORE_INIT_IF".into(), "".into()),
    ];
    vars.extend(env.iter().map(|(k, v)| (k.into(), v.into())));
    let config = PoolConfig {
        max_sessions,
        first_chunk_timeout_ms: 60_000,
        ongoing_timeout_ms: 600_000,
        ttl_ms: 7_200_000,
        stuck_after_ms: 3_600_000,
        ..PoolConfig::default()
    };
    let pool = Arc::new(
        SessionPool::new(dirs.config.clone(), locate, vars, config).expect("a valid pool config"),
    );
    tokio::spawn(sweep_forever(Arc::downgrade(&pool)));
    pool
}

fn request(dirs: &Dirs, prompt: &str) -> StartRequest {
    StartRequest {
        cwd: Some(dirs.project.clone()),
        prompt: prompt.to_owned(),
        ..StartRequest::default()
    }
}

/// VmRSS of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) this process has used, in s (Linux `/proc`, USER_HZ = 100).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rfind(')').map_or("", |i| &stat[i + 2..]);
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    (f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)) as f64 / 100.0
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

async fn throughput(fake: &Path) {
    let flood_bytes = std::env::var("FAKE_FLOOD_BYTES").unwrap_or_else(|_| "100000000".into());
    println!("== throughput: FAKE_FLOOD of {flood_bytes} bytes, through SessionPool into a serializing sink");
    let dirs = dirs();
    let pool = pool(fake, &dirs, &[("FAKE_FLOOD_BYTES", &flood_bytes)], 4);
    let mut rates = Vec::new();
    for round in 1..=3 {
        let c = Counters::new();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let cpu0 = cpu_secs();
        let t0 = Instant::now();
        let run_id = pool
            .start(request(&dirs, "FAKE_FLOOD"), sink(Arc::clone(&c), tx))
            .await
            .expect("start a session");
        let ready = wait_ready(&mut rx).await;
        let secs = ready.duration_since(t0).as_secs_f64();
        let cpu = cpu_secs() - cpu0;
        let info = pool.info(&run_id).expect("the session's info");
        let mb = info.bytes_streamed as f64 / 1e6;
        rates.push(mb / secs);
        println!(
            "  round {round}: {mb:.1} MB of stdout in {secs:.3} s = {:.0} MB/s; {} events, {:.1} MB of event JSON; ccdesk CPU {cpu:.2} s ({:.0}% of one core); RSS {} MiB",
            mb / secs,
            c.events.load(Ordering::Relaxed),
            c.json_bytes.load(Ordering::Relaxed) as f64 / 1e6,
            100.0 * cpu / secs,
            rss_kib() / 1024,
        );
        pool.close(&run_id).await;
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "  median {:.0} MB/s (target >= 100 MB/s); load average {}",
        rates[1],
        load()
    );
}

async fn latency(fake: &Path) {
    println!(
        "== latency: FAKE_RATE, 10,000 lines at 2,000 lines/s; fake write -> sink, per stamped line"
    );
    let dirs = dirs();
    let pool = pool(
        fake,
        &dirs,
        &[
            ("FAKE_RATE_COUNT", "10000"),
            ("FAKE_RATE_LINES_PER_SEC", "2000"),
        ],
        4,
    );
    let c = Counters::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let t0 = Instant::now();
    let run_id = pool
        .start(request(&dirs, "FAKE_RATE"), sink(Arc::clone(&c), tx))
        .await
        .expect("start a session");
    wait_ready(&mut rx).await;
    let summary = c.latency.lock().expect("latency histogram").summary();
    println!(
        "  {summary} in {:.2} s (target p99 <= 16 ms); load average {}",
        t0.elapsed().as_secs_f64(),
        load()
    );
    pool.close(&run_id).await;
}

async fn soak(fake: &Path, secs: u64) {
    const SESSIONS: usize = 16;
    println!(
        "== soak: {SESSIONS} sessions, each FAKE_RATE 2,000 lines at 200 lines/s again and again, for {secs} s"
    );
    let dirs = dirs();
    let rss_before = rss_kib();
    let pool = pool(
        fake,
        &dirs,
        &[
            ("FAKE_RATE_COUNT", "2000"),
            ("FAKE_RATE_LINES_PER_SEC", "200"),
        ],
        SESSIONS,
    );
    let c = Counters::new();
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(secs);
    let mut started = Vec::new();
    for _ in 0..SESSIONS {
        let (tx, rx) = mpsc::unbounded_channel();
        let run_id = pool
            .start(request(&dirs, "FAKE_RATE"), sink(Arc::clone(&c), tx))
            .await
            .expect("start a session");
        started.push((run_id, rx));
    }
    let rss_start = rss_kib();
    println!(
        "  RSS before the pool {rss_before} KiB; after {SESSIONS} sessions started {rss_start} KiB"
    );
    let turns = Arc::new(AtomicU64::new(0));
    let mut drivers = tokio::task::JoinSet::new();
    for (run_id, mut rx) in started {
        let pool = Arc::clone(&pool);
        let turns = Arc::clone(&turns);
        drivers.spawn(async move {
            loop {
                wait_ready(&mut rx).await;
                turns.fetch_add(1, Ordering::Relaxed);
                if Instant::now() >= deadline {
                    break;
                }
                pool.send_prompt(&run_id, "FAKE_RATE")
                    .await
                    .expect("send a prompt");
            }
        });
    }
    let mut samples = vec![rss_start];
    let report = |what: &str| {
        let rss = rss_kib();
        println!(
            "  {what} t={:>4} s: RSS {rss} KiB; {} events, {:.1} MB stdout / {:.1} MB event JSON, {} turns; load {}",
            t0.elapsed().as_secs(),
            c.events.load(Ordering::Relaxed),
            pool.snapshot()
                .sessions
                .iter()
                .map(|s| s.bytes_streamed)
                .sum::<u64>() as f64
                / 1e6,
            c.json_bytes.load(Ordering::Relaxed) as f64 / 1e6,
            turns.load(Ordering::Relaxed),
            load()
        );
        rss
    };
    let mut next = t0 + Duration::from_secs(60);
    loop {
        tokio::select! {
            done = drivers.join_next() => match done {
                Some(r) => r.expect("a soak driver"),
                None => break,
            },
            () = tokio::time::sleep_until(next.into()) => {
                samples.push(report("minute"));
                next += Duration::from_secs(60);
            }
        }
    }
    let rss_end = report("end   ");
    samples.push(rss_end);
    let stdout_bytes: u64 = pool
        .snapshot()
        .sessions
        .iter()
        .map(|s| s.bytes_streamed)
        .sum();
    pool.close_all().await;
    let min = samples.iter().copied().min().unwrap_or(0);
    let max = samples.iter().copied().max().unwrap_or(0);
    println!(
        "  RSS KiB: start {rss_start}, end {rss_end}, min {min}, max {max} (samples: {samples:?})"
    );
    println!(
        "  total: {} events, {:.1} MB stdout relayed, {:.1} MB event JSON, {} turns; latency {}",
        c.events.load(Ordering::Relaxed),
        stdout_bytes as f64 / 1e6,
        c.json_bytes.load(Ordering::Relaxed) as f64 / 1e6,
        turns.load(Ordering::Relaxed),
        c.latency.lock().expect("latency histogram").summary()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        return; // `cargo test --benches` probes with --list
    }
    let mut parts: Vec<String> = args.into_iter().filter(|a| !a.starts_with('-')).collect();
    if parts.is_empty() {
        if let Ok(p) = std::env::var("CCDESK_RELAY_PARTS") {
            parts = p
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
    }
    let default_run = parts.is_empty();
    if default_run {
        parts = ["throughput", "latency", "soak"]
            .map(str::to_owned)
            .to_vec();
    }
    if let Some(bad) = parts
        .iter()
        .find(|p| !["throughput", "latency", "soak"].contains(&p.as_str()))
    {
        eprintln!("unknown part {bad:?}: use throughput, latency and/or soak");
        std::process::exit(2);
    }
    let soak_secs = std::env::var("CCDESK_SOAK_SECS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(if default_run { 60 } else { 600 });
    let fake = fake_claude();
    println!(
        "fake CLI {}; load average {}; {} CPUs",
        fake.display(),
        load(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async {
        for part in &parts {
            match part.as_str() {
                "throughput" => throughput(&fake).await,
                "latency" => latency(&fake).await,
                _ => soak(&fake, soak_secs).await,
            }
        }
    });
}
