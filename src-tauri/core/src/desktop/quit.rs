//! How ccdesk is asked to end from outside: signals.
//!
//! - The app (window or headless command) treats SIGTERM, SIGINT and SIGHUP (Unix; Ctrl-C,
//!   Ctrl-Break and console close elsewhere) as Quit: every session is closed and ccdesk's files
//!   saved before it exits ([`quit_requested`]). A log-out, `kill`, `systemctl stop` or a closed
//!   terminal therefore ends it as the tray's Quit does.
//! - The process watchdog ([`crate::claude::reaper`]) shares ccdesk's executable name, so a
//!   broad `killall ccdesk` or `pkill ccdesk` reaches it too: it ignores those three signals
//!   ([`survive_quit_signals`]) and ends only when ccdesk is gone (its stdin's EOF), after ending
//!   what ccdesk left running. Only SIGKILL ends it early.

/// Resolves when ccdesk is asked to end: SIGTERM, SIGINT or SIGHUP on Unix; Ctrl-C, Ctrl-Break
/// or the console's close on Windows. Returns which, in words (for the log). A signal that
/// cannot be listened for is skipped (logged); with none listenable this never resolves.
pub async fn quit_requested() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let listen = |kind: SignalKind, name: &'static str| {
            let mut s = signal(kind)
                .map_err(|e| tracing::warn!(error = %e, signal = name, "cannot listen for it"))
                .ok();
            async move {
                match s.as_mut() {
                    Some(s) => {
                        s.recv().await;
                        name
                    }
                    None => std::future::pending().await,
                }
            }
        };
        tokio::select! {
            n = listen(SignalKind::terminate(), "SIGTERM") => n,
            n = listen(SignalKind::interrupt(), "SIGINT") => n,
            n = listen(SignalKind::hangup(), "SIGHUP") => n,
        }
    }
    #[cfg(windows)]
    {
        use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close};
        fn unheard(e: std::io::Error, name: &str) {
            tracing::warn!(error = %e, signal = name, "cannot listen for it");
        }
        let c = async {
            match ctrl_c() {
                Ok(mut s) => {
                    s.recv().await;
                    "Ctrl-C"
                }
                Err(e) => {
                    unheard(e, "Ctrl-C");
                    std::future::pending().await
                }
            }
        };
        let brk = async {
            match ctrl_break() {
                Ok(mut s) => {
                    s.recv().await;
                    "Ctrl-Break"
                }
                Err(e) => {
                    unheard(e, "Ctrl-Break");
                    std::future::pending().await
                }
            }
        };
        let close = async {
            match ctrl_close() {
                Ok(mut s) => {
                    s.recv().await;
                    "console close"
                }
                Err(e) => {
                    unheard(e, "console close");
                    std::future::pending().await
                }
            }
        };
        tokio::select! {
            n = c => n,
            n = brk => n,
            n = close => n,
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// Makes SIGTERM, SIGINT and SIGHUP harmless to this process (they only set a flag nobody
/// reads): for the watchdog, which must outlive a broad `killall ccdesk`. Unix only; elsewhere a
/// no-op (Windows has no such signals for a process without a console).
pub fn survive_quit_signals() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        for sig in [SIGTERM, SIGINT, SIGHUP] {
            if let Err(e) = signal_hook::flag::register(sig, std::sync::Arc::clone(&seen)) {
                tracing::warn!(error = %e, sig, "the watchdog cannot ignore this signal");
            }
        }
    }
}
