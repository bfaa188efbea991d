//! The index of several config dirs at once ([`crate::transcripts::profiles`]): one
//! [`LiveIndex`] per profile (each with its own cache, search index and clean-up settings),
//! listed as one. With one profile everything passes straight through (no copy); with several,
//! the listings are merged into one [`SessionIndex`] whose projects group the sessions of all
//! profiles by project path, later profiles' sessions keyed and marked as
//! [`Profiles::stamp`] does.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{group, IndexDelta, LiveIndex, RefreshStats, SearchProgress, SearchResults};
use super::{SessionIndex, SessionSummary};
use crate::error::CoreError;
use crate::sync::LockExt;
use crate::transcripts::profiles::{Profile, Profiles};
use crate::transcripts::search::query::SearchQuery;

/// One [`LiveIndex`] per profile, listed as one. Share it as `Arc<ProfileIndexes>`.
pub struct ProfileIndexes {
    profiles: Profiles,
    lives: Vec<Arc<LiveIndex>>,
    /// The last merge and the listings it was made of (several profiles only).
    merged: Mutex<Option<Merged>>,
}

/// A merged listing and the listings it was made of.
type Merged = (Vec<Arc<SessionIndex>>, Arc<SessionIndex>);

impl ProfileIndexes {
    /// An index per profile, made by `make` from its config dir.
    pub fn new(profiles: Profiles, make: impl Fn(&Profile) -> LiveIndex) -> ProfileIndexes {
        let lives = profiles.iter().map(|p| Arc::new(make(p))).collect();
        ProfileIndexes {
            profiles,
            lives,
            merged: Mutex::default(),
        }
    }

    /// [`ProfileIndexes::new`] with each index's cache in ccdesk's data dir
    /// ([`LiveIndex::with_default_cache`]).
    pub fn with_default_cache(profiles: Profiles) -> ProfileIndexes {
        ProfileIndexes::new(profiles, |p| {
            LiveIndex::with_default_cache(p.config_dir.clone())
        })
    }

    /// The profiles listed.
    pub fn profiles(&self) -> &Profiles {
        &self.profiles
    }

    /// Each profile with its index, in order.
    pub fn each(&self) -> impl Iterator<Item = (usize, &Profile, &Arc<LiveIndex>)> {
        self.profiles
            .iter()
            .zip(&self.lives)
            .enumerate()
            .map(|(i, (p, l))| (i, p, l))
    }

    /// [`LiveIndex::set_lean`] on every index.
    pub fn set_lean(&self, lean: bool) {
        for l in &self.lives {
            l.set_lean(lean);
        }
    }

    /// The last listing of all profiles; `None` until each was listed once.
    pub fn snapshot(&self) -> Option<Arc<SessionIndex>> {
        if self.lives.len() == 1 {
            return self.lives[0].snapshot();
        }
        let parts: Option<Vec<Arc<SessionIndex>>> =
            self.lives.iter().map(|l| l.snapshot()).collect();
        Some(self.merge(parts?))
    }

    /// [`LiveIndex::refresh_all`] of every profile, listed as one; the counts are summed.
    ///
    /// Errors: those of the first profile's refresh. A later profile that cannot be listed is
    /// listed as last time (or not at all) and named in [`SessionIndex::errors`].
    pub fn refresh_all(&self) -> Result<(Arc<SessionIndex>, RefreshStats), CoreError> {
        self.refresh_with(LiveIndex::refresh_all)
    }

    /// [`LiveIndex::refresh_all_for_search`] of every profile, as [`ProfileIndexes::refresh_all`].
    ///
    /// Errors: as [`ProfileIndexes::refresh_all`].
    pub fn refresh_all_for_search(&self) -> Result<(Arc<SessionIndex>, RefreshStats), CoreError> {
        self.refresh_with(LiveIndex::refresh_all_for_search)
    }

    fn refresh_with(
        &self,
        refresh: impl Fn(&LiveIndex) -> Result<(Arc<SessionIndex>, RefreshStats), CoreError>,
    ) -> Result<(Arc<SessionIndex>, RefreshStats), CoreError> {
        if self.lives.len() == 1 {
            return refresh(&self.lives[0]);
        }
        let mut parts = Vec::with_capacity(self.lives.len());
        let mut total = RefreshStats::default();
        let mut failed = Vec::new();
        for (i, p, live) in self.each() {
            match refresh(live) {
                Ok((index, stats)) => {
                    total.unchanged += stats.unchanged;
                    total.appended += stats.appended;
                    total.reread += stats.reread;
                    total.removed += stats.removed;
                    total.cached |= stats.cached;
                    parts.push(index);
                }
                Err(e) if i == 0 => return Err(e),
                Err(e) => {
                    failed.push(format!("config dir {:?}: {e}", p.name));
                    parts.push(live.snapshot().unwrap_or_else(|| empty(&p.config_dir)));
                }
            }
        }
        let merged = self.merge(parts);
        if failed.is_empty() {
            return Ok((merged, total));
        }
        let mut with_errors = (*merged).clone();
        with_errors.errors.extend(failed);
        Ok((Arc::new(with_errors), total))
    }

    /// [`LiveIndex::apply_changes`] for the changed `paths` (of any profile: each goes to the
    /// profile whose `projects/` holds it), as one delta keyed as the merged listing is.
    ///
    /// Errors: the first an index returns.
    pub fn apply_changes(&self, paths: &[PathBuf]) -> Result<IndexDelta, CoreError> {
        if self.lives.len() == 1 {
            return self.lives[0].apply_changes(paths);
        }
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for (i, _, live) in self.each() {
            let mine = self.paths_of(i, paths);
            if mine.is_empty() && live.snapshot().is_some() {
                continue;
            }
            let delta = live.apply_changes(&mine)?;
            changed.extend(delta.changed.into_iter().map(|s| self.profiles.stamp(i, s)));
            removed.extend(delta.removed.iter().map(|k| self.profiles.key_in(i, k)));
        }
        let projects = match self.snapshot() {
            Some(index) => index.project_entries().projects,
            None => Vec::new(),
        };
        Ok(IndexDelta {
            changed,
            removed,
            projects,
        })
    }

    /// [`LiveIndex::search`] in every profile: the sessions of all, best first, at most `limit`.
    ///
    /// Errors: the first a profile's search returns.
    pub fn search(&self, query: &SearchQuery, limit: usize) -> Result<SearchResults, CoreError> {
        if self.lives.len() == 1 {
            return self.lives[0].search(query, limit);
        }
        let mut all = SearchResults {
            sessions: Vec::new(),
            terms: Vec::new(),
            truncated: false,
            partial: false,
        };
        for (i, _, live) in self.each() {
            let found = live.search(query, limit)?;
            all.sessions.extend(found.sessions.into_iter().map(|mut h| {
                h.session = self.profiles.stamp(i, h.session);
                h
            }));
            for t in found.terms {
                if !all.terms.contains(&t) {
                    all.terms.push(t);
                }
            }
            all.truncated |= found.truncated;
            all.partial |= found.partial;
        }
        all.sessions.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.session.key.cmp(&b.session.key))
        });
        all.sessions.truncate(limit);
        Ok(all)
    }

    /// [`LiveIndex::update_search`] of every profile, one after the other; `progress` counts
    /// over all of them.
    ///
    /// Errors: the first an index returns (the profiles after it are not updated).
    pub fn update_search(
        &self,
        mut progress: impl FnMut(SearchProgress),
    ) -> Result<SearchProgress, CoreError> {
        let mut before = SearchProgress::default();
        for live in &self.lives {
            let done = live.update_search(|p| progress(add(before, p)))?;
            before = add(before, done);
        }
        Ok(before)
    }

    /// [`LiveIndex::update_search_files`] for the changed `paths`, each in its profile.
    ///
    /// Errors: the first an index returns.
    pub fn update_search_files(&self, paths: &[PathBuf]) -> Result<SearchProgress, CoreError> {
        if self.lives.len() == 1 {
            return self.lives[0].update_search_files(paths);
        }
        let mut total = SearchProgress::default();
        for (i, _, live) in self.each() {
            let mine = self.paths_of(i, paths);
            if !mine.is_empty() {
                total = add(total, live.update_search_files(&mine)?);
            }
        }
        Ok(total)
    }

    /// Those of `paths` under profile `i`'s `projects/`.
    fn paths_of(&self, i: usize, paths: &[PathBuf]) -> Vec<PathBuf> {
        paths
            .iter()
            .filter(|p| self.profiles.of_path(p) == Some(i))
            .cloned()
            .collect()
    }

    /// The listings of all profiles as one (the last merge again when none changed since).
    fn merge(&self, parts: Vec<Arc<SessionIndex>>) -> Arc<SessionIndex> {
        let mut last = self.merged.locked();
        if let Some((was, index)) = last.as_ref() {
            if was.len() == parts.len() && was.iter().zip(&parts).all(|(a, b)| Arc::ptr_eq(a, b)) {
                return Arc::clone(index);
            }
        }
        let index = Arc::new(merge(&self.profiles, &parts));
        *last = Some((parts, Arc::clone(&index)));
        index
    }
}

/// Progress `a` then `b`, counted together.
fn add(a: SearchProgress, b: SearchProgress) -> SearchProgress {
    SearchProgress {
        done_files: a.done_files + b.done_files,
        total_files: a.total_files + b.total_files,
        done_bytes: a.done_bytes + b.done_bytes,
        total_bytes: a.total_bytes + b.total_bytes,
    }
}

/// An index of `config_dir` that lists nothing.
fn empty(config_dir: &std::path::Path) -> Arc<SessionIndex> {
    Arc::new(SessionIndex {
        config_dir: config_dir.to_path_buf(),
        projects: Vec::new(),
        scanned_files: 0,
        errors: Vec::new(),
        retention: Default::default(),
        profiles: Vec::new(),
    })
}

/// The listings `parts` (one per profile, in order) as one: every session stamped with its
/// profile, grouped by project across profiles; the first profile's config dir and clean-up
/// settings (each session's `expiresAt` was computed with its own).
fn merge(profiles: &Profiles, parts: &[Arc<SessionIndex>]) -> SessionIndex {
    let sessions: Vec<Vec<SessionSummary>> = parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            part.sessions()
                .map(|s| profiles.stamp(i, s.clone()))
                .collect()
        })
        .collect();
    let mut errors = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let name = profiles.get(i).map_or("?", |p| p.name.as_str());
        errors.extend(part.errors.iter().map(|e| {
            if i == 0 {
                e.clone()
            } else {
                format!("{name}: {e}")
            }
        }));
    }
    let Some(first) = parts.first() else {
        return (*empty(&profiles.first().config_dir)).clone();
    };
    SessionIndex {
        config_dir: first.config_dir.clone(),
        projects: group(sessions),
        scanned_files: parts.iter().map(|p| p.scanned_files).sum(),
        errors,
        retention: first.retention.clone(),
        profiles: profiles.names(),
    }
}
