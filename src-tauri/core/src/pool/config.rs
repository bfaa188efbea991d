//! The pool's limits and timeouts.

use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// Limits and timeouts of a [`crate::pool::SessionPool`]. All durations in ms.
///
/// Defaults follow the seed documents (ccproxy's session pool, the TypeScript session manager):
/// 8 live sessions, first chunk 10 s, no output for 120 s interrupts a turn, 1 h TTL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PoolConfig {
    /// Most sessions with a live `claude` process at once. Past it, starting or reconnecting
    /// fails with [`CoreError::PoolFull`]; nothing is closed silently.
    pub max_sessions: usize,
    /// A new process must print `system/init` within this many ms, else it is ended and the
    /// session is failed (the user may retry).
    pub first_chunk_timeout_ms: u64,
    /// While a turn runs, no output for this many ms interrupts the turn (the session stays).
    /// Time spent waiting for a permission answer does not count.
    pub ongoing_timeout_ms: u64,
    /// A session idle (between turns) for this many ms since its last use has its process
    /// closed; it stays resumable and the next prompt resumes it.
    pub ttl_ms: u64,
    /// A turn running longer than this many ms is flagged as stuck (a warning to the user; the
    /// turn is not ended, since a long agent run may be legitimate).
    pub stuck_after_ms: u64,
    /// How often timeouts are checked, in ms.
    pub sweep_interval_ms: u64,
    /// After the `interrupt` control request, how long to wait for the turn's `result` before
    /// signalling the process group, in ms.
    pub interrupt_grace_ms: u64,
    /// Upper bound of a whole interrupt (control request, then SIGINT, SIGTERM, SIGKILL), in ms.
    pub interrupt_timeout_ms: u64,
    /// When a prompt goes to a session whose process has ended (closed, expired, crashed), a
    /// new one is started with `--resume`; this many more starts are tried, for that prompt,
    /// if it fails to start or dies before taking the prompt (0: one start, no retry). At most
    /// [`MAX_RECONNECT_ATTEMPTS`].
    pub reconnect_attempts: u32,
    /// Back-off before the first retry, doubled for each further one, in ms; at most
    /// [`MAX_RECONNECT_BACKOFF_MS`].
    pub reconnect_backoff_ms: u64,
}

/// Most retries [`PoolConfig::reconnect_attempts`] may ask for.
pub const MAX_RECONNECT_ATTEMPTS: u32 = 10;

/// Longest first back-off [`PoolConfig::reconnect_backoff_ms`] may ask for, in ms.
pub const MAX_RECONNECT_BACKOFF_MS: u64 = 60_000;

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_sessions: 8,
            first_chunk_timeout_ms: 10_000,
            ongoing_timeout_ms: 120_000,
            ttl_ms: 3_600_000,
            stuck_after_ms: 1_800_000,
            sweep_interval_ms: 1_000,
            interrupt_grace_ms: 3_000,
            interrupt_timeout_ms: 15_000,
            reconnect_attempts: 3,
            reconnect_backoff_ms: 500,
        }
    }
}

impl PoolConfig {
    /// Checks the values hang together: `first_chunk < ongoing < ttl`, a cap of at least one,
    /// an interrupt grace shorter than the interrupt bound, non-zero intervals, retries and
    /// back-off within their bounds.
    ///
    /// Errors: [`CoreError::InvalidInput`] naming the first rule broken.
    pub fn validate(&self) -> Result<(), CoreError> {
        let bad = |m: &str| Err(CoreError::InvalidInput(format!("pool settings: {m}")));
        if self.max_sessions == 0 {
            return bad("at least one session must be allowed");
        }
        if self.first_chunk_timeout_ms == 0 || self.sweep_interval_ms == 0 {
            return bad("timeouts and the check interval must be above zero");
        }
        if self.first_chunk_timeout_ms >= self.ongoing_timeout_ms {
            return bad("the first-chunk timeout must be shorter than the ongoing timeout");
        }
        if self.ongoing_timeout_ms >= self.ttl_ms {
            return bad("the ongoing timeout must be shorter than the TTL");
        }
        if self.interrupt_grace_ms >= self.interrupt_timeout_ms {
            return bad("the interrupt grace must be shorter than the interrupt timeout");
        }
        if self.stuck_after_ms <= self.ongoing_timeout_ms {
            return bad("stuck detection must be later than the ongoing timeout");
        }
        if self.reconnect_attempts > MAX_RECONNECT_ATTEMPTS {
            return bad(&format!(
                "at most {MAX_RECONNECT_ATTEMPTS} retries to start a session again"
            ));
        }
        if self.reconnect_backoff_ms > MAX_RECONNECT_BACKOFF_MS {
            return bad(&format!(
                "the back-off before a retry must be at most {} s",
                MAX_RECONNECT_BACKOFF_MS / 1000
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_order_is_enforced() {
        assert!(PoolConfig::default().validate().is_ok());
        let c = PoolConfig {
            first_chunk_timeout_ms: 200_000,
            ..PoolConfig::default()
        };
        let e = c
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("first-chunk"), "{e}");
        let c = PoolConfig {
            ttl_ms: 60_000,
            ..PoolConfig::default()
        };
        assert!(c.validate().is_err());
        let c = PoolConfig {
            max_sessions: 0,
            ..PoolConfig::default()
        };
        assert!(c.validate().is_err());
    }

    #[test]
    fn partial_settings_fill_in_defaults_and_unknown_keys_are_refused() {
        let c: PoolConfig = serde_json::from_str(r#"{"maxSessions":2}"#).unwrap();
        assert_eq!(c.max_sessions, 2);
        assert_eq!(c.ttl_ms, PoolConfig::default().ttl_ms);
        assert!(serde_json::from_str::<PoolConfig>(r#"{"maxSesions":2}"#).is_err());
    }
}
