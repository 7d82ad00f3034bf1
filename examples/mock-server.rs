//! The test suite's stand-in for the OCR service, runnable by hand:
//!
//!     cargo run --example mock-server -- 127.0.0.1:8080
//!
//! It accepts the token `tok-3f9a1c2e7b-secret`, checks each request as the
//! vendor does, and answers every picture with a fake ID card front.

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let server = common::Server::start_on(&addr);
    eprintln!(
        "mock OCR service at {} (token {})",
        server.url,
        common::TOKEN
    );
    loop {
        std::thread::park();
    }
}
