//! The core library's integration tests (one binary): real match-result files in real encodings, real encrypted stores, real PDFs read back with poppler.
// The tests check what was stored through the store itself (the core's `inspect` feature).
#![allow(clippy::disallowed_methods)]

#[path = "../common/mod.rs"]
mod common;

mod architecture;
mod backup;
mod concurrent;
mod explain;
mod explain_names;
mod explain_quality;
mod follow_up;
mod import;
mod import_errors;
mod insider;
mod letter_text;
mod letters;
mod outputs;
mod pdf;
mod people;
mod postal;
mod purge;
mod review;
mod reviews;
mod rights;
mod store;
mod store_threads;
mod wrong_number;
