//! The transcript vault: copies made and kept up to date by appends, listed once the CLI deleted
//! the transcript, opened and restored byte for byte, never written over a transcript.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ccdesk_core::transcripts::index::{LiveIndex, NotResumableReason, Resumability, SessionIndex};
use ccdesk_core::vault::Vault;

const BIG: u64 = u64::MAX;
/// A session of the genuine 2.1.112 fixture with a subagent transcript and its `.meta.json`.
const WITH_AGENT: &str = "5aa47c0d-7cf3-42d8-9951-79f0c19c766b";

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/samples")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// A config dir holding the genuine 2.1.112 sessions (projects only), and a vault dir.
struct Setup {
    _tmp: tempfile::TempDir,
    config: PathBuf,
    vault_dir: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    copy_dir(
        &samples().join("local-cli-2.1.112/projects"),
        &config.join("projects"),
    );
    // The sessions' recorded cwd must exist for them to be resumable.
    Setup {
        vault_dir: tmp.path().join("data/vault"),
        config,
        _tmp: tmp,
    }
}

/// Every file under `dir`, relative, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push((
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                ));
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn a_deleted_session_is_listed_as_archived_opened_and_restored_byte_for_byte() {
    let s = setup();
    let projects = s.config.join("projects");
    let before = tree(&projects);
    let vault = Arc::new(Vault::open(&s.vault_dir).unwrap());
    let index = SessionIndex::scan(&s.config).unwrap();
    let report = vault.sync_all(&s.config, index.sessions(), BIG).unwrap();
    assert_eq!(
        report.copied, 5,
        "3 transcripts, a subagent transcript and its meta: {report:?}"
    );
    assert!(report.errors.is_empty(), "{report:?}");
    let stats = vault.stats(&s.config).unwrap();
    assert_eq!((stats.sessions, stats.files, stats.archived), (3, 5, 0));
    let original: u64 = before.iter().map(|(_, b)| b.len() as u64).sum();
    assert_eq!(stats.original_bytes, original);
    assert!(stats.stored_bytes < original, "{stats:?}");

    // The CLI's clean-up: the transcript and its `<id>/` dir go.
    let dir = projects.join("-home-dev-proj");
    fs::remove_file(dir.join(format!("{WITH_AGENT}.jsonl"))).unwrap();
    fs::remove_dir_all(dir.join(WITH_AGENT)).unwrap();

    let live = LiveIndex::new(s.config.clone(), None);
    live.set_archive(Some(vault.clone()));
    let (listed, _) = live.refresh_all().unwrap();
    assert_eq!(
        listed.sessions().count(),
        3,
        "the deleted one is still listed"
    );
    let gone = listed.sessions().find(|x| x.id == WITH_AGENT).unwrap();
    assert!(gone.archived);
    assert!(matches!(
        &gone.resumability,
        Resumability::NotResumable {
            reason: NotResumableReason::Archived,
            ..
        }
    ));
    assert_eq!(gone.sidechain_count, 1);
    assert!(listed
        .sessions()
        .filter(|x| x.id != WITH_AGENT)
        .all(|x| !x.archived));
    assert_eq!(vault.stats(&s.config).unwrap().archived, 1);

    // Opened from the vault: the same bytes, subagent files beside it.
    let view = tempfile::tempdir().unwrap();
    let path = vault.extract_to(&s.config, &gone.key, view.path()).unwrap();
    assert_eq!(
        path,
        view.path()
            .join(format!("-home-dev-proj/{WITH_AGENT}.jsonl"))
    );
    let opened = tree(view.path());
    let original_of_session: Vec<_> = before
        .iter()
        .filter(|(p, _)| p.to_string_lossy().contains(WITH_AGENT))
        .cloned()
        .collect();
    assert_eq!(opened, original_of_session);

    // Restored where the CLI looks (the dir it derives from the cwd), byte for byte.
    let restored = vault.restore(&s.config, WITH_AGENT).unwrap();
    assert_eq!(restored.transcript, dir.join(format!("{WITH_AGENT}.jsonl")));
    assert_eq!(restored.files, 3);
    assert_eq!(tree(&projects), before);
    let (relisted, _) = live.refresh_all().unwrap();
    assert!(relisted.sessions().all(|x| !x.archived));
    assert_eq!(vault.stats(&s.config).unwrap().archived, 0);

    // Never over a transcript that is there.
    let again = vault.restore(&s.config, WITH_AGENT).unwrap_err();
    assert_eq!(again.kind(), "invalid_input", "{again}");
    assert_eq!(tree(&projects), before);
}

#[test]
fn a_transcript_that_goes_while_listed_turns_into_its_archived_session() {
    let s = setup();
    let vault = Arc::new(Vault::open(&s.vault_dir).unwrap());
    let live = LiveIndex::new(s.config.clone(), None);
    live.set_archive(Some(vault.clone()));
    let (index, _) = live.refresh_all().unwrap();
    vault.sync_all(&s.config, index.sessions(), BIG).unwrap();
    let path = s
        .config
        .join(format!("projects/-home-dev-proj/{WITH_AGENT}.jsonl"));
    fs::remove_file(&path).unwrap();
    let delta = live.apply_changes(std::slice::from_ref(&path)).unwrap();
    assert!(delta.removed.is_empty(), "{:?}", delta.removed);
    assert_eq!(delta.changed.len(), 1);
    assert!(delta.changed[0].archived);
    // Without a copy it leaves the list.
    let other = s
        .config
        .join("projects/-home-dev-proj/11111111-2222-4333-8444-555555555555.jsonl");
    vault
        .remove(
            &s.config,
            "-home-dev-proj/11111111-2222-4333-8444-555555555555",
        )
        .unwrap();
    fs::remove_file(&other).unwrap();
    let delta = live.apply_changes(std::slice::from_ref(&other)).unwrap();
    assert_eq!(
        delta.removed,
        vec!["-home-dev-proj/11111111-2222-4333-8444-555555555555"]
    );
}

#[test]
fn appends_add_a_frame_of_their_own_and_a_cut_short_sync_is_dropped() {
    let s = setup();
    let vault = Vault::open(&s.vault_dir).unwrap();
    let index = SessionIndex::scan(&s.config).unwrap();
    let session = index
        .sessions()
        .find(|x| x.id == WITH_AGENT)
        .unwrap()
        .clone();
    vault.sync_session(&s.config, &session, BIG).unwrap();
    let copy = s
        .vault_dir
        .join(ccdesk_core::store::config_dir_key(&s.config))
        .join(format!("-home-dev-proj/{WITH_AGENT}.jsonl.zst"));
    let first_len = fs::metadata(&copy).unwrap().len();

    let append = |text: &str| {
        let mut f = fs::File::options()
            .append(true)
            .open(&session.transcript_path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    append("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"more\"}}\n");
    let r = vault.sync_session(&s.config, &session, BIG).unwrap();
    assert_eq!((r.appended, r.copied, r.unchanged), (1, 0, 2), "{r:?}");
    let second_len = fs::metadata(&copy).unwrap().len();
    assert!(second_len > first_len);
    assert!(
        second_len - first_len < 200,
        "only the new bytes: {first_len} -> {second_len}"
    );

    // A sync cut short left half a frame past what the manifest counts.
    fs::File::options()
        .append(true)
        .open(&copy)
        .unwrap()
        .write_all(&[0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3])
        .unwrap();
    append("half a line, no newline yet");
    let r = vault.sync_session(&s.config, &session, BIG).unwrap();
    assert_eq!(r.appended, 1, "{r:?}");
    let view = tempfile::tempdir().unwrap();
    let out = vault
        .extract_to(&s.config, &session.key, view.path())
        .unwrap();
    assert_eq!(
        fs::read(out).unwrap(),
        fs::read(&session.transcript_path).unwrap()
    );

    // Rewritten shorter: copied whole again.
    fs::write(&session.transcript_path, b"{\"type\":\"summary\"}\n").unwrap();
    let r = vault.sync_session(&s.config, &session, BIG).unwrap();
    assert_eq!(r.copied, 1, "{r:?}");
    let out = vault
        .extract_to(&s.config, &session.key, view.path())
        .unwrap();
    assert_eq!(fs::read(out).unwrap(), b"{\"type\":\"summary\"}\n");
    // Unchanged: nothing done.
    let r = vault.sync_session(&s.config, &session, BIG).unwrap();
    assert_eq!((r.copied, r.appended, r.unchanged), (0, 0, 3));
}

#[test]
fn at_its_cap_the_vault_copies_no_new_session_but_keeps_its_copies_current() {
    let s = setup();
    let vault = Vault::open(&s.vault_dir).unwrap();
    let index = SessionIndex::scan(&s.config).unwrap();
    let mut sessions = index.sessions();
    let first = sessions.next().unwrap();
    vault.sync_session(&s.config, first, BIG).unwrap();
    let cap = vault.stats(&s.config).unwrap().stored_bytes;
    let r = vault.sync_all(&s.config, index.sessions(), cap).unwrap();
    assert_eq!(r.skipped_full, 2, "{r:?}");
    assert_eq!(vault.stats(&s.config).unwrap().sessions, 1);
    let mut f = fs::File::options()
        .append(true)
        .open(&first.transcript_path)
        .unwrap();
    f.write_all(b"{}\n").unwrap();
    let r = vault.sync_session(&s.config, first, cap).unwrap();
    assert_eq!(r.appended, 1, "{r:?}");
}

#[test]
fn a_manifest_that_is_not_a_database_is_set_aside_and_the_vault_starts_afresh() {
    let s = setup();
    fs::create_dir_all(&s.vault_dir).unwrap();
    fs::write(
        s.vault_dir.join("vault.sqlite"),
        b"not a database at all, sorry",
    )
    .unwrap();
    let vault = Vault::open(&s.vault_dir).unwrap();
    assert_eq!(vault.stats(&s.config).unwrap().sessions, 0);
    let aside: Vec<_> = fs::read_dir(&s.vault_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("vault.sqlite.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "kept byte for byte");
    assert_eq!(
        fs::read(s.vault_dir.join(&aside[0])).unwrap(),
        b"not a database at all, sorry"
    );
    let index = SessionIndex::scan(&s.config).unwrap();
    assert_eq!(
        vault
            .sync_all(&s.config, index.sessions(), BIG)
            .unwrap()
            .copied,
        5
    );
    assert!(vault
        .archived(&s.config, &HashSet::new())
        .unwrap()
        .is_empty());
}
