//! What the benchmarks share: a deterministic random source, the corpus layout (10,000
//! sessions by default over [`PROJECTS`] project dirs, sizes log-uniform from 4 KiB to 2 MiB) and
//! [`Genuine`], which makes a corpus's lines from the genuine transcripts in
//! `tests/fixtures/samples` (CLI 2.1.38-2.1.330, see `tests/fixtures/samples/SOURCES.txt`).

use std::io::Write;
use std::path::Path;

use ccdesk_core::transcripts::paths::project_dir_name;

/// Project dirs of a corpus.
pub const PROJECTS: usize = 500;

/// Deterministic xorshift, so every run builds the same corpus.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

/// Writes `n` sessions under `root/projects`: session `s` in project `s % PROJECTS`, its lines
/// made by `line(rng, cwd, id, i)` (the `i`th line) until the file reaches its size (log-uniform
/// between 4 KiB and 2 MiB). Returns the bytes written.
pub fn build_sessions(
    root: &Path,
    n: usize,
    rng: &mut Rng,
    mut line: impl FnMut(&mut Rng, &str, &str, usize) -> String,
) -> std::io::Result<u64> {
    let mut total = 0u64;
    for s in 0..n {
        let cwd = format!("/home/dev/project-{}", s % PROJECTS);
        let dir = root.join("projects").join(project_dir_name(&cwd));
        std::fs::create_dir_all(&dir)?;
        let id = format!("{:08x}-0000-4000-8000-{:012x}", s, s);
        let target = (4096.0 * (512f64).powf(rng.unit())) as usize;
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{id}.jsonl")))?);
        let mut written = 0usize;
        let mut i = 0usize;
        while written < target {
            let l = line(rng, &cwd, &id, i);
            written += l.len() + 1;
            writeln!(f, "{l}")?;
            i += 1;
        }
        total += written as u64;
    }
    Ok(total)
}

/// The corpus size (`CCDESK_BENCH_SESSIONS`, default 10,000) and its dir,
/// `<CCDESK_BENCH_DIR or the temp dir>/<prefix>-<n>-<PROJECTS>`.
pub fn corpus_dir(prefix: &str) -> (usize, std::path::PathBuf) {
    let n: usize = std::env::var("CCDESK_BENCH_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let base = std::env::var_os("CCDESK_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    (n, base.join(format!("{prefix}-{n}-{PROJECTS}")))
}

/// Words of the benchmarks' vocabulary (20,000): pronounceable, distinct.
pub const VOCAB: usize = 20_000;

/// Word `i` of the vocabulary.
pub fn word(i: usize) -> String {
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

/// A Zipf-like pick of a word index in `0..len` (rank ~ 1/x).
pub fn zipf(rng: &mut Rng, len: usize) -> usize {
    let u = rng.unit().max(1e-9);
    ((len as f64).powf(u) as usize).saturating_sub(1) % len
}

/// Genuine transcript lines, replayed into new sessions.
///
/// Every transcript line of `tests/fixtures/samples` (the stream captures and control-protocol
/// wires left out), in file order: 2,200 lines, 3.7 MB, of which user lines (mostly tool
/// results) are 46% of the bytes, progress lines 30%, assistant lines 15%. Session `s` replays
/// them from one of the samples' user prompts, in order, wrapping; each line keeps its shape and sizes and
/// gets the session's id, cwd, fresh uuids (parentUuid chained) and a timestamp. So that the
/// corpus is not 3.7 MB repeated, one word in four of every string with spaces in it is replaced
/// by a word drawn from [`VOCAB`] words with a Zipf distribution.
pub struct Genuine {
    lines: Vec<serde_json::Value>,
    /// Where the samples' user prompts are (a session starts at one).
    prompts: Vec<usize>,
    words: Vec<String>,
}

impl Genuine {
    /// Loads the samples (panics if they are missing: a benchmark, not a test).
    pub fn load() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/samples");
        let mut files = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    if p.file_name().is_some_and(|n| n != "stream") {
                        dirs.push(p);
                    }
                } else if p.extension().is_some_and(|x| x == "jsonl")
                    && !p.to_string_lossy().contains("control_protocol")
                {
                    files.push(p);
                }
            }
        }
        files.sort();
        let mut lines = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            lines.extend(
                text.lines()
                    .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                    .filter(|v| v.is_object()),
            );
        }
        assert!(
            lines.len() > 1000,
            "the genuine samples are missing under {}",
            root.display()
        );
        let prompts: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, v)| {
                let c = &v["message"]["content"];
                v["type"] == "user"
                    && v["isMeta"] != true
                    && (c.is_string()
                        || c.as_array()
                            .is_some_and(|a| a.iter().any(|b| b["type"] == "text")))
            })
            .map(|(i, _)| i)
            .collect();
        assert!(!prompts.is_empty(), "no user prompt in the samples");
        Self {
            lines,
            prompts,
            words: (0..VOCAB).map(word).collect(),
        }
    }

    /// Line `i` of session `id` (whose first 8 hex digits are its number) in `cwd`.
    pub fn line(&self, rng: &mut Rng, cwd: &str, id: &str, i: usize) -> String {
        let s = usize::from_str_radix(&id[..8], 16).unwrap_or(0);
        let start = self.prompts[s.wrapping_mul(7919) % self.prompts.len()];
        let mut v = self.lines[(start + i) % self.lines.len()].clone();
        let uuid = |i: usize| format!("{:08x}-{:04x}-4000-8000-{:012x}", s, i & 0xffff, i);
        let ts = format!(
            "2026-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
            1 + s % 12,
            1 + (s / 12) % 28,
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60
        );
        self.mutate(rng, &mut v, 0);
        if let Some(o) = v.as_object_mut() {
            for (k, new) in [
                ("sessionId", serde_json::json!(id)),
                ("cwd", serde_json::json!(cwd)),
                ("uuid", serde_json::json!(uuid(i))),
                ("timestamp", serde_json::json!(ts)),
            ] {
                if o.contains_key(k) {
                    o.insert(k.into(), new);
                }
            }
            if o.get("parentUuid").is_some_and(|p| p.is_string()) && i > 0 {
                o.insert("parentUuid".into(), serde_json::json!(uuid(i - 1)));
            }
        }
        v.to_string()
    }

    fn mutate(&self, rng: &mut Rng, v: &mut serde_json::Value, depth: usize) {
        const KEEP: &[&str] = &[
            "type",
            "uuid",
            "parentUuid",
            "sessionId",
            "cwd",
            "timestamp",
            "version",
            "gitBranch",
            "id",
            "tool_use_id",
            "model",
            "signature",
            "role",
            "name",
        ];
        match v {
            serde_json::Value::String(t) if t.contains(' ') => {
                let mut out = String::with_capacity(t.len() + 8);
                for (n, w) in t.split(' ').enumerate() {
                    if n > 0 {
                        out.push(' ');
                    }
                    if rng.next().is_multiple_of(4) && !w.is_empty() {
                        out.push_str(&self.words[zipf(rng, self.words.len())]);
                    } else {
                        out.push_str(w);
                    }
                }
                *t = out;
            }
            serde_json::Value::Array(a) if depth < 32 => {
                for x in a {
                    self.mutate(rng, x, depth + 1);
                }
            }
            serde_json::Value::Object(o) if depth < 32 => {
                for (k, x) in o.iter_mut() {
                    if !KEEP.contains(&k.as_str()) {
                        self.mutate(rng, x, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The genuine-line corpus both benchmarks run on (`<dir>/ccdesk-genuine-<n>-500`, built once,
/// then reused; a `complete` file marks a finished build): its session count, root (the config
/// dir: transcripts under `projects/`) and bytes.
pub fn genuine_corpus() -> std::io::Result<(usize, std::path::PathBuf, u64)> {
    let (n, root) = corpus_dir("ccdesk-genuine");
    let marker = root.join("complete");
    if let Ok(b) = std::fs::read_to_string(&marker) {
        if let Ok(b) = b.trim().parse() {
            return Ok((n, root, b));
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    let t = std::time::Instant::now();
    let genuine = Genuine::load();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let b = build_sessions(&root, n, &mut rng, |rng, cwd, id, i| {
        genuine.line(rng, cwd, id, i)
    })?;
    std::fs::write(&marker, b.to_string())?;
    eprintln!(
        "built corpus: {n} sessions, {:.1} MB in {:.1?}",
        b as f64 / 1e6,
        t.elapsed()
    );
    Ok((n, root, b))
}
