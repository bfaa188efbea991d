//! `mock-messages-api [--port N]`: serves the scripted Messages API mock on 127.0.0.1 and prints
//! `listening on 127.0.0.1:PORT` once bound. `MOCK_API_LOG=<path>` logs every request body.

use std::io::Write;

fn usage() -> ! {
    eprintln!("usage: mock-messages-api [--port N]   (default 0: any free port)");
    std::process::exit(2);
}

fn parse_port() -> u16 {
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    while let Some(a) = args.next() {
        let value = if a == "--port" {
            args.next()
        } else if let Some(v) = a.strip_prefix("--port=") {
            Some(v.to_string())
        } else if a == "-h" || a == "--help" {
            usage()
        } else {
            eprintln!("unknown argument: {a}");
            usage()
        };
        port = match value.as_deref().map(str::parse) {
            Some(Ok(p)) => p,
            _ => usage(),
        };
    }
    port
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let port = parse_port();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {addr}")?;
        out.flush()?;
    }
    ccdesk_mock_api::serve(listener).await
}
