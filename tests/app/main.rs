//! The desktop app's integration tests (one binary): the screens driven through egui_kittest over a real store.
// The tests check what was stored through the store itself (the core's `inspect` feature).
#![allow(clippy::disallowed_methods)]

#[path = "../common/mod.rs"]
mod common;

mod day;
mod reviews;
mod rights;
mod security;
mod sizes;
mod ui;
mod wrong_number;
