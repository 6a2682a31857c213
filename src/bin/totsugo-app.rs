//! 突合結果レビュー: the desktop app. `totsugo-app [--store DIR]` (default: as for the CLI,
//! [`totsugo_core::location::store_dir`]).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::path::PathBuf;

/// The folder given with `--store DIR` or `TOTSUGO_STORE`, if any.
fn given_store() -> Option<PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--store" {
            return args.next().map(PathBuf::from);
        }
        if let Some(v) = a.strip_prefix("--store=") {
            return Some(PathBuf::from(v));
        }
    }
    std::env::var_os("TOTSUGO_STORE").map(PathBuf::from)
}

/// The window icon (the same picture as the installers' and the desktop entry's).
const ICON: &[u8] = include_bytes!("../../assets/icons/totsugo-256.png");

/// Says why the app could not start: on the terminal, and (a Windows GUI program has no
/// terminal) in a message box.
fn startup_failed(what: &str) -> std::process::ExitCode {
    eprintln!("totsugo-app: {what}");
    rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title(totsugo_app::TITLE)
        .set_description(format!(
            "突合結果レビューを起動できませんでした。\n\n{what}\n\n管理者に連絡してください。"
        ))
        .show();
    std::process::ExitCode::FAILURE
}

/// What `totsugo-app --help` prints (issue 13: it opened the app instead).
const USAGE: &str = "突合結果レビュー（デスクトップアプリ）

使い方: totsugo-app [--store DIR]

  --store DIR   保管場所のフォルダ（環境変数 TOTSUGO_STORE でも指定できます。
                既定: 端末の共有の保管場所が設定されていればそこ、なければ利用者のデータフォルダ）
  -h, --help    この説明を表示して終わります
  -V, --version 版を表示して終わります

コマンドラインでの操作は totsugo（totsugo --help）を使います。";

fn main() -> std::process::ExitCode {
    // A crash shows a plain sentence (never its payload, which may hold a name) and leaves no
    // core dump.
    totsugo_core::crash::install();
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return std::process::ExitCode::SUCCESS;
            }
            "-V" | "--version" => {
                println!("totsugo-app {}", env!("CARGO_PKG_VERSION"));
                return std::process::ExitCode::SUCCESS;
            }
            _ => {}
        }
    }
    let dir = match totsugo_core::location::store_dir(given_store()) {
        Ok(dir) => dir,
        Err(e) => return startup_failed(&e),
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(totsugo_app::TITLE)
        .with_app_id("totsugo")
        .with_inner_size([1200.0, 800.0])
        .with_min_inner_size([900.0, 600.0]);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON) {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        // Our own Japanese font only: never a Chinese fallback from another locale.
        system_font_fallback: false,
        ..Default::default()
    };
    match eframe::run_native(
        totsugo_app::TITLE,
        options,
        Box::new(move |cc| Ok(Box::new(totsugo_app::App::new(cc, dir)))),
    ) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => match other_graphics() {
            Some(code) => code,
            None => startup_failed(&format!("画面を表示できません（{e}）")),
        },
    }
}

/// When the graphics interface wgpu chose first cannot draw (seen: Direct3D 12 under Wine),
/// starts the app once more with Vulkan or OpenGL (a window's event loop cannot be made twice
/// in one process). `None` when that was already the second try, or the user chose the
/// interface (WGPU_BACKEND), or the program cannot be started again.
fn other_graphics() -> Option<std::process::ExitCode> {
    if std::env::var_os("WGPU_BACKEND").is_some() {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    eprintln!("totsugo-app: the first graphics interface failed; trying Vulkan or OpenGL");
    let status = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("WGPU_BACKEND", "vulkan,gl")
        .status()
        .ok()?;
    Some(if status.success() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}
