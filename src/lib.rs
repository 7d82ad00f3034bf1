//! xocr: read ID cards, bank cards, licences and other certificates from
//! pictures, and print their fields as a table, JSON or CSV.
//!
//! One pass, one direction: arguments → inputs → preflight → engine →
//! record → sinks. `main.rs` only parses the command line and calls
//! [`app::run`].

pub mod annotate;
pub mod app;
pub mod batch;
pub mod cli;
pub mod config;
pub mod documents;
pub mod engine;
pub mod exit;
pub mod fields;
pub mod fs;
pub mod images;
pub mod input;
pub mod interrupt;
pub mod output;
pub mod preflight;
pub mod record;
pub mod safe_text;
pub mod scan;
pub mod scan_cmd;
pub mod secret;
pub mod store;
pub mod suggest;
pub mod term;
pub mod thumbnail;
pub mod units;
