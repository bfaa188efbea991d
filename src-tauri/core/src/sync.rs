//! One policy for a lock poisoned by a panic: recover its data and go on.
//!
//! A `std::sync::Mutex` is poisoned when a thread panics while holding it. ccdesk's critical
//! sections are short assignments, inserts and clones that leave the data whole, so the data is
//! taken as it was left (with a warning in the log) rather than dropped: a fallback such as an
//! empty registry must never be used in its place, since the next save would write it over the
//! real one. Every `Mutex` in the core and the shell is locked through [`LockExt::locked`], every
//! `RwLock` through [`RwLockExt::read_locked`] and [`RwLockExt::write_locked`].

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// [`Mutex::lock`] that recovers from poisoning (see the module doc).
pub trait LockExt<T: ?Sized> {
    /// The guard, also when a panic poisoned the lock: the poison is cleared and a warning
    /// logged, so it is logged once per panic.
    fn locked(&self) -> MutexGuard<'_, T>;
}

impl<T: ?Sized> LockExt<T> for Mutex<T> {
    fn locked(&self) -> MutexGuard<'_, T> {
        self.lock().unwrap_or_else(|poisoned| {
            tracing::warn!("a lock was poisoned by a panic; its data is used as it was left");
            self.clear_poison();
            poisoned.into_inner()
        })
    }
}

/// [`RwLock::read`] and [`RwLock::write`] that recover from poisoning (see the module doc).
pub trait RwLockExt<T: ?Sized> {
    /// The read guard, also when a panic poisoned the lock (the poison is cleared, a warning logged).
    fn read_locked(&self) -> RwLockReadGuard<'_, T>;
    /// The write guard, also when a panic poisoned the lock (the poison is cleared, a warning logged).
    fn write_locked(&self) -> RwLockWriteGuard<'_, T>;
}

impl<T: ?Sized> RwLockExt<T> for RwLock<T> {
    fn read_locked(&self) -> RwLockReadGuard<'_, T> {
        self.read().unwrap_or_else(|poisoned| {
            tracing::warn!("a lock was poisoned by a panic; its data is used as it was left");
            self.clear_poison();
            poisoned.into_inner()
        })
    }

    fn write_locked(&self) -> RwLockWriteGuard<'_, T> {
        self.write().unwrap_or_else(|poisoned| {
            tracing::warn!("a lock was poisoned by a panic; its data is used as it was left");
            self.clear_poison();
            poisoned.into_inner()
        })
    }
}

/// Lowers the calling thread to the lowest priority the OS gives an unprivileged thread (on
/// Linux the highest nice value, 19, which threads it creates afterwards inherit; on Windows and
/// macOS the lowest thread priority), for background work such as the search index's build.
/// Returns whether it took; a failure only leaves the thread as fast as it was.
pub fn lower_current_thread_priority() -> bool {
    use thread_priority::{set_current_thread_priority, ThreadPriority};
    match set_current_thread_priority(ThreadPriority::Min) {
        Ok(()) => true,
        Err(e) => {
            tracing::debug!(error = ?e, "the thread's priority stays as it was");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{LockExt, RwLockExt};
    use std::sync::{Arc, Mutex, RwLock};

    #[test]
    fn a_poisoned_lock_gives_its_data_and_is_cleared() {
        let m = Arc::new(Mutex::new(vec![1, 2, 3]));
        let m2 = Arc::clone(&m);
        let _ = std::thread::spawn(move || {
            let mut g = m2.lock().unwrap();
            g.push(4);
            panic!("poison it");
        })
        .join();
        assert!(m.is_poisoned());
        assert_eq!(*m.locked(), vec![1, 2, 3, 4]);
        assert!(!m.is_poisoned());
    }

    #[test]
    fn a_poisoned_rwlock_gives_its_data_and_is_cleared() {
        let l = Arc::new(RwLock::new(String::from("kept")));
        let l2 = Arc::clone(&l);
        let _ = std::thread::spawn(move || {
            let _g = l2.write().unwrap();
            panic!("poison it");
        })
        .join();
        assert!(l.is_poisoned());
        assert_eq!(*l.read_locked(), "kept");
        assert!(!l.is_poisoned());
        l.write_locked().push('!');
        assert_eq!(*l.read_locked(), "kept!");
    }
}
#[cfg(all(test, target_os = "linux"))]
mod priority_tests {
    /// The calling thread's nice value, from `/proc/thread-self/stat` (field 19).
    fn nice() -> Option<i64> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        let rest = &stat[stat.rfind(')')? + 2..];
        rest.split(' ').nth(16)?.parse().ok()
    }

    #[test]
    fn a_lowered_thread_runs_at_the_highest_nice_value_and_its_children_too() {
        let got = std::thread::spawn(|| {
            let before = nice();
            let ok = super::lower_current_thread_priority();
            let after = nice();
            let child = std::thread::spawn(nice).join().ok().flatten();
            (before, ok, after, child)
        })
        .join()
        .ok();
        let Some((before, ok, after, child)) = got else {
            panic!("the thread panicked");
        };
        assert!(ok);
        // (A test run under `nice` starts there already.)
        assert!(after >= before, "nice {before:?} -> {after:?}");
        assert_eq!(after, Some(19));
        assert_eq!(child, after, "a thread it starts inherits the nice value");
    }
}
