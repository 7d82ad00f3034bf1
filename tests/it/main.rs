//! The integration tests, in one binary (`cargo test --test it`; one area:
//! `cargo test --test it scan::`). Most run the real `xocr` binary against
//! [`server`], a stand-in for the OCR service on 127.0.0.1, through
//! [`testenv`]; the offline engine's tests draw their pictures with `draw`.

/// The stand-in OCR service (also run by `examples/mock-server.rs`).
mod server;
/// `TestEnv`: run the binary and check its output in one line.
mod testenv;

/// Pictures of text, drawn at test time.
#[cfg(feature = "local")]
mod draw;

mod annotate;
mod batch;
mod breaker;
mod completions;
mod corpus;
mod document_checks;
mod documents;
mod edges;
mod fields;
mod hostile;
mod inputs;
#[cfg(feature = "local")]
mod local;
mod messages;
#[cfg(feature = "local")]
mod recognize;
mod scan;
mod shared_folders;
mod terminal;
mod workbook;
