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
