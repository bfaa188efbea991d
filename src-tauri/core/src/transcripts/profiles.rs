//! Several Claude config dirs at once: a user with two accounts (work and personal) has two
//! `CLAUDE_CONFIG_DIR`s, each with its own `projects/`. Each is a [`Profile`]: a name and a
//! config dir. The first profile is the one ccdesk used before there were several (the settings'
//! config dir, else `$CLAUDE_CONFIG_DIR`, else `~/.claude`); its sessions keep their plain keys
//! (`<dir name>/<id>`), and the sessions of every other profile are keyed
//! `@<profile name>/<dir name>/<id>` and carry [`SessionSummary::profile`], so keys stay unique
//! when two config dirs hold the same session id (a copied config dir).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::transcripts::index::SessionSummary;
use crate::transcripts::paths;

/// The name of the first profile when the settings give none.
pub const DEFAULT_PROFILE: &str = "default";

/// Most config dirs listed at once.
pub const MAX_PROFILES: usize = 8;

/// Longest profile name, in characters.
pub const MAX_PROFILE_NAME: usize = 32;

/// One Claude config dir, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// What the window shows on its sessions and filters by ([`check_profile_name`]).
    pub name: String,
    /// The config dir: its `projects/` holds the transcripts; a session started in this profile
    /// gets it as `CLAUDE_CONFIG_DIR`.
    pub config_dir: PathBuf,
}

/// Whether `name` can name a profile: 1 to [`MAX_PROFILE_NAME`] characters, letters, digits,
/// space, `-`, `_` and `.`, not starting or ending with a space.
///
/// Errors: the rule broken, in words.
pub fn check_profile_name(name: &str) -> Result<(), String> {
    let count = name.chars().count();
    if count == 0 || count > MAX_PROFILE_NAME {
        return Err(format!(
            "a config dir's name has 1 to {MAX_PROFILE_NAME} characters, not {count}"
        ));
    }
    if name.starts_with(' ') || name.ends_with(' ') {
        return Err(format!("the name {name:?} starts or ends with a space"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')))
    {
        return Err(format!(
            "the name {name:?} has {c:?}: use letters, digits, spaces, '-', '_' and '.'"
        ));
    }
    Ok(())
}

/// The config dirs listed, the first one first (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profiles {
    list: Vec<Profile>,
}

impl Profiles {
    /// The profiles in `list`, in that order.
    ///
    /// Errors: [`CoreError::InvalidInput`] when the list is empty or longer than
    /// [`MAX_PROFILES`], a name breaks [`check_profile_name`], or two share a name or a dir.
    pub fn new(list: Vec<Profile>) -> Result<Profiles, CoreError> {
        let bad = |m: String| Err(CoreError::InvalidInput(m));
        if list.is_empty() || list.len() > MAX_PROFILES {
            return bad(format!(
                "list 1 to {MAX_PROFILES} config dirs, not {}",
                list.len()
            ));
        }
        for (i, p) in list.iter().enumerate() {
            check_profile_name(&p.name).map_err(CoreError::InvalidInput)?;
            let earlier = &list[..i];
            if earlier.iter().any(|q| q.name == p.name) {
                return bad(format!("two config dirs are named {:?}", p.name));
            }
            if earlier.iter().any(|q| q.config_dir == p.config_dir) {
                return bad(format!(
                    "the config dir {} is listed twice",
                    p.config_dir.display()
                ));
            }
        }
        Ok(Profiles { list })
    }

    /// One profile, [`DEFAULT_PROFILE`], for `config_dir`.
    pub fn single(config_dir: PathBuf) -> Profiles {
        Profiles {
            list: vec![Profile {
                name: DEFAULT_PROFILE.to_owned(),
                config_dir,
            }],
        }
    }

    /// The first profile: the one whose sessions have plain keys.
    pub fn first(&self) -> &Profile {
        // `new` and `single` never make an empty list.
        &self.list[0]
    }

    /// The profiles in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Profile> {
        self.list.iter()
    }

    /// How many there are (1 or more).
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Never true: there is always a first profile (for clippy's `len_without_is_empty`).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The profile named `name` and its place in the list.
    pub fn by_name(&self, name: &str) -> Option<(usize, &Profile)> {
        self.list.iter().enumerate().find(|(_, p)| p.name == name)
    }

    /// The profile at place `i`.
    pub fn get(&self, i: usize) -> Option<&Profile> {
        self.list.get(i)
    }

    /// The names, in order.
    pub fn names(&self) -> Vec<String> {
        self.list.iter().map(|p| p.name.clone()).collect()
    }

    /// The profile a session key belongs to and the key inside its config dir:
    /// `@<name>/<dir>/<id>` is profile `name`'s `<dir>/<id>`; any other key (or bare id) is the
    /// first profile's. `None` for `@` keys of no listed profile.
    pub fn split_key<'k>(&self, key: &'k str) -> Option<(usize, &'k str)> {
        match key.strip_prefix('@') {
            Some(rest) => {
                let (name, inner) = rest.split_once('/')?;
                let (i, _) = self.by_name(name)?;
                Some((i, inner))
            }
            None => Some((0, key)),
        }
    }

    /// `summary` (as the index of profile `i`'s config dir lists it) as listed among all the
    /// profiles: after the first, its key is prefixed with `@<name>/` and its
    /// [`SessionSummary::profile`] set.
    pub fn stamp(&self, i: usize, mut summary: SessionSummary) -> SessionSummary {
        if i > 0 {
            if let Some(p) = self.list.get(i) {
                summary.key = format!("@{}/{}", p.name, summary.key);
                summary.profile = Some(p.name.clone());
            }
        }
        summary
    }

    /// A key of profile `i`'s index as listed among all the profiles ([`Profiles::stamp`]).
    pub fn key_in(&self, i: usize, key: &str) -> String {
        match self.list.get(i) {
            Some(p) if i > 0 => format!("@{}/{key}", p.name),
            _ => key.to_owned(),
        }
    }

    /// `summary` as its own config dir's index lists it: the inverse of [`Profiles::stamp`],
    /// with the profile's place; `None` for a key of no listed profile.
    pub fn unstamp(&self, mut summary: SessionSummary) -> Option<(usize, SessionSummary)> {
        let (i, inner) = self.split_key(&summary.key)?;
        summary.key = inner.to_owned();
        summary.profile = None;
        Some((i, summary))
    }

    /// `sessions` (keyed as [`Profiles::stamp`] makes them) sorted by config dir, each as its
    /// own config dir's index lists it ([`Profiles::unstamp`]); those of no listed profile are
    /// left out.
    pub fn by_config_dir(
        &self,
        sessions: Vec<SessionSummary>,
    ) -> Vec<(PathBuf, Vec<SessionSummary>)> {
        let mut out: Vec<(PathBuf, Vec<SessionSummary>)> = self
            .list
            .iter()
            .map(|p| (p.config_dir.clone(), Vec::new()))
            .collect();
        for s in sessions {
            if let Some((i, s)) = self.unstamp(s) {
                out[i].1.push(s);
            }
        }
        out.retain(|(_, v)| !v.is_empty());
        out
    }

    /// The profile whose `projects/` holds `path`, if any.
    pub fn of_path(&self, path: &Path) -> Option<usize> {
        self.list
            .iter()
            .position(|p| path.starts_with(paths::projects_dir(&p.config_dir)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Profiles {
        Profiles::new(vec![
            Profile {
                name: "personal".into(),
                config_dir: "/h/.claude".into(),
            },
            Profile {
                name: "work".into(),
                config_dir: "/h/.claude-work".into(),
            },
        ])
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn names_follow_the_rule() {
        for ok in ["default", "Work 2", "a.b-c_d", "été"] {
            assert!(check_profile_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", " x", "x ", "a/b", "@me", "a\nb", &"x".repeat(33)] {
            assert!(check_profile_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lists_are_checked() {
        let p = |n: &str, d: &str| Profile {
            name: n.into(),
            config_dir: d.into(),
        };
        assert!(Profiles::new(vec![]).is_err());
        assert!(Profiles::new(vec![p("a", "/x"), p("a", "/y")]).is_err());
        assert!(Profiles::new(vec![p("a", "/x"), p("b", "/x")]).is_err());
        assert!(Profiles::new(
            (0..9)
                .map(|i| p(&format!("p{i}"), &format!("/{i}")))
                .collect()
        )
        .is_err());
        assert_eq!(two().names(), ["personal", "work"]);
    }

    #[test]
    fn keys_of_later_profiles_are_prefixed_and_split_back() {
        let ps = two();
        assert_eq!(ps.key_in(0, "-w-a/s1"), "-w-a/s1");
        assert_eq!(ps.key_in(1, "-w-a/s1"), "@work/-w-a/s1");
        assert_eq!(ps.split_key("@work/-w-a/s1"), Some((1, "-w-a/s1")));
        assert_eq!(ps.split_key("-w-a/s1"), Some((0, "-w-a/s1")));
        assert_eq!(ps.split_key("s1"), Some((0, "s1")));
        assert_eq!(ps.split_key("@nobody/-w-a/s1"), None);
        assert_eq!(
            ps.of_path(Path::new("/h/.claude-work/projects/-w-a/s1.jsonl")),
            Some(1)
        );
        assert_eq!(
            ps.of_path(Path::new("/h/.claude/projects/-w/s.jsonl")),
            Some(0)
        );
        assert_eq!(ps.of_path(Path::new("/elsewhere/s.jsonl")), None);
    }
}
