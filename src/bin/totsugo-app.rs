//! 突合結果レビュー: the desktop app. `totsugo-app [--store DIR]` (default: the user's local data
//! directory, as for the CLI).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::path::PathBuf;

fn store_dir() -> Option<PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--store" {
            return args.next().map(PathBuf::from);
        }
        if let Some(v) = a.strip_prefix("--store=") {
            return Some(PathBuf::from(v));
        }
    }
    if let Some(v) = std::env::var_os("TOTSUGO_STORE") {
        return Some(PathBuf::from(v));
    }
    directories::ProjectDirs::from("jp", "totsugo", "totsugo")
        .map(|p| p.data_local_dir().to_path_buf())
}

fn main() -> eframe::Result {
    let dir = store_dir().expect("the user's data directory is unknown: use --store DIR");
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(totsugo::ui::TITLE)
            .with_inner_size([1200.0, 800.0])
            .with_min_inner_size([900.0, 600.0]),
        // Our own Japanese font only: never a Chinese fallback from another locale.
        system_font_fallback: false,
        ..Default::default()
    };
    eframe::run_native(
        totsugo::ui::TITLE,
        options,
        Box::new(move |cc| Ok(Box::new(totsugo::ui::App::new(cc, dir)))),
    )
}
