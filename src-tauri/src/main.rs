// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
//! ccdesk's entry point: `ccdesk list|show|run ...` runs headless; anything else opens the
//! window (`ccdesk <folder>` and `ccdesk --resume <id>` open that in it, in the running ccdesk
//! when there is one).

use std::process::ExitCode;

fn main() -> ExitCode {
    // The process watchdog (see ccdesk_core::claude::reaper): before anything else, no logging set-up.
    if std::env::args().nth(1).as_deref() == Some(ccdesk_core::claude::reaper::REAPER_ARG) {
        ccdesk_core::claude::reaper::serve(std::io::stdin().lock());
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CCDESK_LOG")
                .unwrap_or_else(|_| "ccdesk=info,ccdesk_core=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The config dir of the settings, else $CLAUDE_CONFIG_DIR, else ~/.claude.
    let configured = ccdesk_lib::store::read_settings().0.config_dir;
    let config_dir = match configured.map_or_else(ccdesk_core::transcripts::paths::config_dir, Ok) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("ccdesk: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(code) = ccdesk_lib::headless::try_run(&args, &config_dir) {
        return code;
    }
    match ccdesk_lib::run(config_dir, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ccdesk: {e}");
            ExitCode::FAILURE
        }
    }
}
