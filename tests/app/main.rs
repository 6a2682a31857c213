//! The desktop app's integration tests (one binary): the screens driven through egui_kittest over a real store.

#[path = "../common/mod.rs"]
mod common;

mod ui;
