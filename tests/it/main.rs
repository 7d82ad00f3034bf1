//! The integration tests, in one binary (`cargo test --test it`; one area:
//! `cargo test --test it scan::`). Most run the real `xocr` binary against
//! [`server`], a stand-in for the OCR service on 127.0.0.1.

mod server;

#[cfg(feature = "local")]
mod draw;

mod batch;
mod completions;
mod corpus;
mod edges;
mod fields;
mod inputs;
#[cfg(feature = "local")]
mod local;
#[cfg(feature = "local")]
mod recognize;
mod scan;
