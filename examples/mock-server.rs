//! The test suite's stand-in for the OCR service, runnable by hand:
//!
//!     cargo run --example mock-server -- 127.0.0.1:8080 [--latency-ms 200] [--portrait-kb 24]
//!
//! It accepts the token `tok-3f9a1c2e7b-secret`, checks each request as the
//! vendor does, and answers every picture with a fake ID card front, after
//! the given latency (milliseconds; default 0). With `--portrait-kb N`
//! each picture's portrait is a JPEG of about N KB of its own.

// The integration tests' server module; this example uses only the server,
// not the helpers the tests use with it.
#[path = "../tests/it/server.rs"]
#[allow(dead_code)]
mod common;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut addr = "127.0.0.1:8080".to_string();
    let mut latency_ms = 0u64;
    let mut portrait_kb = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--latency-ms" => {
                latency_ms = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--latency-ms takes a whole number of milliseconds")
            }
            "--portrait-kb" => {
                let kb = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--portrait-kb takes a whole number of KB");
                portrait_kb = Some(kb);
            }
            other => addr = other.to_string(),
        }
    }
    let server = common::Server::start_on(&addr);
    server.latency(std::time::Duration::from_millis(latency_ms));
    if let Some(kb) = portrait_kb {
        server.default_scenario(common::Scenario::DistinctPortrait(kb));
    }
    eprintln!(
        "mock OCR service at {} (token {}, latency {latency_ms} ms)",
        server.url,
        common::TOKEN
    );
    loop {
        std::thread::park();
    }
}
