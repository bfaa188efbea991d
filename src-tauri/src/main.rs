// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
//! ccdesk's entry point: `ccdesk list|search|show|run ...` runs headless (the `ccdesk_cli`
//! crate, also built alone as `ccdesk-cli`); anything else opens the
//! window (`ccdesk <folder>` and `ccdesk --resume <id>` open that in it, in the running ccdesk
//! when there is one).

use std::process::ExitCode;

fn main() -> ExitCode {
    // The watchdog, logging and the config dir: as the headless binary does.
    let config_dir = match ccdesk_cli::start() {
        Ok(dir) => dir,
        Err(code) => return code,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = ccdesk_cli::try_run(&args, &config_dir) {
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
