//! Memory the process no longer uses, given back to the OS.
//!
//! glibc's allocator keeps what a thread frees in that thread's arena for reuse: after the
//! index's one-off work (the first listing of 10,000 sessions, the search index's build), tens of
//! MB of freed heap stay resident and count against the window's memory (its PSS) for as long as
//! it runs. [`release_free_memory`] hands the free pages back; other allocators (mimalloc in
//! `ccdesk-cli`, the system allocators of Windows and macOS) return memory on their own, and there
//! it does nothing.

/// Gives the free pages of the C heap back to the OS (glibc `malloc_trim(0)`, which also
/// releases free pages inside the heap, not only at its top). It walks every arena under its
/// lock: call it after one-off work, never on a hot path. Returns whether memory was released
/// (always `false` off glibc).
// The workspace denies unsafe code; this one FFI call has no safe wrapper in a kept crate.
#[allow(unsafe_code)]
pub fn release_free_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim takes no pointers and may be called from any thread at any time;
        // it only takes the arenas' locks.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_heap_goes_back_to_the_os() {
        /// This process's resident anonymous memory in kB (`RssAnon` of /proc/self/status).
        fn rss_anon_kb() -> u64 {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            status
                .lines()
                .find_map(|l| l.strip_prefix("RssAnon:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        }
        // Many small blocks (below the mmap threshold, so they come from the heap), touched,
        // then seven in eight freed and the rest kept: the kept ones pin the heap's top, so only
        // a trim that releases pages inside the heap gives the 14 kB holes back.
        let mut blocks: Vec<Vec<u8>> = (0..40_000).map(|i| vec![i as u8; 2000]).collect();
        let mut kept = Vec::new();
        for (i, b) in blocks.drain(..).enumerate() {
            if i % 8 == 0 {
                kept.push(b);
            }
        }
        let before = rss_anon_kb();
        assert!(super::release_free_memory());
        let after = rss_anon_kb();
        // About 70 MB were freed; most of their pages go back (other tests running at the same
        // time allocate far less than the margin).
        assert!(after + 20_000 < before, "RssAnon {before} kB -> {after} kB");
        assert_eq!(kept.len(), 5_000);
    }
}
