//! What the benchmarks share: a deterministic random source and the corpus layout (10,000
//! sessions by default over [`PROJECTS`] project dirs, sizes log-uniform from 4 KiB to 2 MiB).

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
