//! The product's integration tests (one binary): the `totsugo` command line, and the installers' scripts and settings.
// The tests check what was stored through the store itself (the core's `inspect` feature).
#![allow(clippy::disallowed_methods)]

#[path = "../common/mod.rs"]
mod common;

mod backup;
mod cli;
mod installer;
mod kill;
mod security;
