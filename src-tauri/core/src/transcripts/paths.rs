//! Where Claude Code keeps its state, and the CLI's rule for naming a project dir.
//!
//! Source: Claude Code CLI 2.1.112 (JS) and 2.1.330 (native), checked against their
//! transcripts in `tests/fixtures`. The rule is documented in `shared/claude-code-formats.md` §1.

use std::path::{Path, PathBuf};

use crate::error::CoreError;

/// Environment variable the CLI reads for its config dir.
pub const CONFIG_DIR_ENV: &str = "CLAUDE_CONFIG_DIR";

/// Longest sanitized project-dir name, in UTF-16 code units, before the CLI truncates and
/// appends a hash.
pub const MAX_DIR_NAME_UNITS: usize = 200;

/// The CLI's config dir: `$CLAUDE_CONFIG_DIR` when set and not empty, else `~/.claude`.
///
/// Errors: [`CoreError::NoHomeDir`] when neither is available.
pub fn config_dir() -> Result<PathBuf, CoreError> {
    match std::env::var_os(CONFIG_DIR_ENV) {
        Some(v) if !v.is_empty() => Ok(PathBuf::from(v)),
        _ => dirs::home_dir()
            .map(|h| h.join(".claude"))
            .ok_or(CoreError::NoHomeDir),
    }
}

/// Opens a transcript for reading, only if it is a regular file (a link to one included): a FIFO
/// named `*.jsonl` would block the open until some process writes to it, and a socket or device
/// is no transcript.
///
/// Errors: the I/O error of `metadata` or `open`; `InvalidInput` ("not a regular file") for
/// anything else.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    std::fs::File::open(path)
}

/// `<config>/projects`: one sub-directory per project dir, holding `<session-id>.jsonl` transcripts.
pub fn projects_dir(config_dir: &Path) -> PathBuf {
    config_dir.join("projects")
}

/// The project-dir name the CLI uses for a working directory `cwd`.
///
/// Every UTF-16 code unit outside `[A-Za-z0-9]` becomes `-`. A name longer than
/// [`MAX_DIR_NAME_UNITS`] units is cut to that length and followed by `-` and the base-36
/// absolute value of a 32-bit Java-style string hash of the *original* path.
///
/// The mapping is lossy: never decode a dir name back into a path; the real path is the
/// transcript's `cwd`.
pub fn project_dir_name(cwd: &str) -> String {
    let units: Vec<u16> = cwd.encode_utf16().collect();
    let sanitized: String = units
        .iter()
        .map(|&u| {
            if (u as u32) < 128 && (u as u8).is_ascii_alphanumeric() {
                u as u8 as char
            } else {
                '-'
            }
        })
        .collect();
    // Every char of `sanitized` is ASCII, so byte length == UTF-16 length.
    if sanitized.len() <= MAX_DIR_NAME_UNITS {
        return sanitized;
    }
    let hash = units.iter().fold(0i32, |h, &u| {
        h.wrapping_shl(5).wrapping_sub(h).wrapping_add(u as i32)
    });
    format!(
        "{}-{}",
        &sanitized[..MAX_DIR_NAME_UNITS],
        to_base36(hash.unsigned_abs())
    )
}

fn to_base36(mut n: u32) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".to_owned();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// A file's size (bytes), mtime (ns since the Unix epoch, 0 when unknown) and inode (0 where the
/// OS has none): what tells a changed transcript apart (the index cache, the vault).
pub fn file_stamp(meta: &std::fs::Metadata) -> (u64, i64, u64) {
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let ino = 0;
    (meta.len(), mtime_ns, ino)
}

/// The subagent transcripts of a session, `<dir>/<id>/subagents/*.jsonl` beside its transcript
/// (CLI 2.x), sorted by name; none when the folder is missing or unreadable.
pub fn subagent_transcripts(transcript: &Path) -> Vec<PathBuf> {
    let dir = transcript.with_extension("").join("subagents");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slashes_dots_and_underscores_become_dashes() {
        assert_eq!(
            project_dir_name("/Users/alice/my_app.v2"),
            "-Users-alice-my-app-v2"
        );
        assert_eq!(project_dir_name("/home/dev/proj"), "-home-dev-proj");
    }

    #[test]
    fn windows_paths_keep_the_drive_letter() {
        assert_eq!(project_dir_name(r"C:\Users\bob\proj"), "C--Users-bob-proj");
    }

    #[test]
    fn spaces_and_non_ascii_become_one_dash_per_utf16_unit() {
        assert_eq!(project_dir_name("/tmp/my project"), "-tmp-my-project");
        // 'é' is one UTF-16 unit, '😀' is two (a surrogate pair).
        assert_eq!(project_dir_name("/tmp/café"), "-tmp-caf-");
        assert_eq!(project_dir_name("/tmp/😀x"), "-tmp---x");
    }

    #[test]
    fn long_paths_are_cut_at_200_units_and_hashed() {
        let long = format!("/{}", "a".repeat(250));
        let name = project_dir_name(&long);
        let (head, hash) = name.split_at(MAX_DIR_NAME_UNITS);
        assert_eq!(head, format!("-{}", "a".repeat(199)));
        // Java-style hash of the original path, base 36, as computed by the CLI's JS.
        let mut h: i32 = 0;
        for u in long.encode_utf16() {
            h = h.wrapping_mul(31).wrapping_add(u as i32);
        }
        assert_eq!(hash, format!("-{}", to_base36(h.unsigned_abs())));
        assert!(name.len() > MAX_DIR_NAME_UNITS + 1);
    }

    #[test]
    fn a_path_of_exactly_200_units_is_not_hashed() {
        let p = format!("/{}", "b".repeat(199));
        assert_eq!(project_dir_name(&p).len(), 200);
        assert!(!project_dir_name(&p).contains("--"));
    }

    #[test]
    fn base36_matches_javascript_to_string_36() {
        assert_eq!(to_base36(0), "0");
        assert_eq!(to_base36(35), "z");
        assert_eq!(to_base36(36), "10");
        // (2147483648).toString(36) in JS
        assert_eq!(to_base36(2_147_483_648), "zik0zk");
    }
}
