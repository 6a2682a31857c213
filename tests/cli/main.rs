//! The product's integration tests (one binary): the `totsugo` command line, and the installers' scripts and settings.

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod installer;
