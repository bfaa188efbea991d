//! Wires the core's transcript vault ([`ccdesk_core::vault`]) into the app: opened when the
//! setting is on or copies exist (archived sessions then list from it), and fed by the listing and
//! the watcher through its keeper thread while the setting is on.

use std::path::Path;
use std::sync::{Arc, Mutex};

use ccdesk_core::store::settings::VaultSettings;
use ccdesk_core::sync::LockExt;
use ccdesk_core::transcripts::index::{ProfileIndexes, SessionSummary};
use ccdesk_core::vault::{Keeper, Vault};

/// The vault and its keeper, as the settings have them.
#[derive(Default)]
pub struct VaultState {
    vault: Mutex<Option<Arc<Vault>>>,
    keeper: Mutex<Option<Keeper>>,
}

impl VaultState {
    /// The vault, when open.
    pub fn vault(&self) -> Option<Arc<Vault>> {
        self.vault.locked().clone()
    }

    /// Opens the vault when `settings` say so or it holds copies already, and lists its archived
    /// sessions in the index of each config dir in `live`; starts or stops the keeper as `settings` say. Returns whether the
    /// keeper started now (the caller then syncs every listed session).
    pub fn apply(&self, live: &ProfileIndexes, settings: &VaultSettings) -> bool {
        let Some(root) = Vault::default_root() else {
            return false;
        };
        let mut vault = self.vault.locked();
        if vault.is_none() && (settings.on() || root.join("vault.sqlite").is_file()) {
            match Vault::open(&root) {
                Ok(v) => {
                    let v = Arc::new(v);
                    for (_, _, index) in live.each() {
                        index.set_archive(Some(v.clone()));
                    }
                    *vault = Some(v);
                }
                Err(e) => tracing::warn!(error = %e, "the vault cannot be opened"),
            }
        }
        let mut keeper = self.keeper.locked();
        let mut started = false;
        match (&*vault, settings.on()) {
            (Some(v), true) if keeper.is_none() => {
                match Keeper::spawn(v.clone(), |r| {
                    tracing::debug!(
                        copied = r.copied,
                        appended = r.appended,
                        full = r.skipped_full,
                        "vault synced"
                    );
                }) {
                    Ok(k) => {
                        *keeper = Some(k);
                        started = true;
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot start the vault thread"),
                }
            }
            (_, false) => *keeper = None,
            _ => {}
        }
        started
    }

    /// Queues `sessions` for a sync while copies are kept.
    pub fn sync(&self, config_dir: &Path, sessions: Vec<SessionSummary>, max_bytes: u64) {
        if let Some(k) = self.keeper.locked().as_ref() {
            k.sync(config_dir.to_path_buf(), sessions, max_bytes);
        }
    }
}
