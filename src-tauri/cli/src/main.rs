//! `ccdesk-cli`: ccdesk's headless commands (`list`, `search`, `show`, `run`; see
//! [`ccdesk_cli`]) in a binary without the window's libraries, for scripts and for speed. The
//! window's binary runs the same commands as `ccdesk <command>`.

use std::process::ExitCode;

/// mimalloc, as the workspace's Cargo.toml explains (this short-lived process only: the window's
/// binary keeps the system allocator).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let config_dir = match ccdesk_cli::start() {
        Ok(dir) => dir,
        Err(code) => return code,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    match ccdesk_cli::try_run(&args, &config_dir) {
        Some(code) => code,
        None => ccdesk_cli::usage_only(&args),
    }
}
