//! The fuzz targets (`ccdesk_core::fuzzing`, run at length by `tests/fuzz` with cargo fuzz) as a
//! short smoke run in every test run: each replays its recorded corpus (`tests/fuzz/corpus`), then
//! 20,000 inputs made from it by random byte flips, cuts, splices and repeats (a fixed seed, so a
//! failure repeats). No coverage guidance: that is the long runs' job.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};

const MUTATIONS: usize = 20_000;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// xorshift64*: deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One mutation of `seed`, spliced with `other` now and then.
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                const BYTES: &[u8] = b"{}[]\":,\\\n\x00\xff0-e.tfn";
                v[i] = BYTES[rng.below(BYTES.len())];
            }
            2 => {
                let cut = rng.below(v.len() + 1);
                v.truncate(cut);
            }
            3 => {
                let at = rng.below(v.len() + 1);
                let from = rng.below(other.len() + 1);
                let to = from + rng.below(other.len() - from + 1);
                v.splice(at..at, other[from..to].iter().copied());
            }
            4 if !v.is_empty() && v.len() < 1 << 16 => {
                let from = rng.below(v.len());
                let to = from + rng.below(v.len() - from).min(64);
                let piece = v[from..to].to_vec();
                let at = rng.below(v.len() + 1);
                v.splice(at..at, piece);
            }
            _ => {
                let at = rng.below(v.len() + 1);
                v.insert(at, rng.next() as u8);
            }
        }
    }
    v
}

#[test]
fn every_fuzz_target_survives_its_corpus_and_random_mutations_of_it() {
    for (name, target) in ccdesk_core::fuzzing::TARGETS {
        let seeds = corpus(name);
        assert!(!seeds.is_empty(), "{name}: an empty corpus");
        for s in &seeds {
            target(s);
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
        for _ in 0..MUTATIONS {
            let a = &seeds[rng.below(seeds.len())];
            let b = &seeds[rng.below(seeds.len())];
            let input = mutate(&mut rng, a, b);
            let caught = std::panic::catch_unwind(|| target(&input));
            assert!(
                caught.is_ok(),
                "{name} failed on {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}
