//! Import in the app: pick a file (behind [`FilePicker`], so that tests inject paths), see the
//! detected encoding, run the import off the UI thread with progress, rows/s, time left and
//! cancel, and end on the import's summary or its errors.
//!
//! The session moves into the job's thread for the import (it holds the store connection) and
//! comes back when the job ends; meanwhile the app shows only the progress.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use egui::{RichText, Ui};

use crate::{Action, App, Job, Screen};
use totsugo_core::encoding::EncodingChoice;
use totsugo_core::import::{ImportOptions, ImportReport, Progress};
use totsugo_core::session::{Session, SessionError};
use totsugo_core::summary::format_thousands;

/// Chooses a file to import. The app uses the native dialog; tests give a path.
pub trait FilePicker: Send {
    /// The chosen file, or `None` when the user cancelled (or no dialog is available).
    fn pick_csv(&mut self) -> Option<PathBuf>;
    /// Where to save an output named `default_name`, or `None` when the user cancelled.
    fn save_as(&mut self, default_name: &str) -> Option<PathBuf>;
    /// Why no save dialog can open on this machine (`None`: it can); the app then asks for
    /// the path in a field of its own.
    fn unavailable(&self) -> Option<String> {
        None
    }
}

/// The native file dialog (rfd).
pub struct NativePicker;

impl FilePicker for NativePicker {
    fn pick_csv(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("突合結果ファイルを選ぶ")
            .add_filter("CSV", &["csv", "CSV", "txt"])
            .pick_file()
    }

    fn save_as(&mut self, default_name: &str) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("保存先を選ぶ")
            .set_file_name(default_name)
            .save_file()
    }

    fn unavailable(&self) -> Option<String> {
        if cfg!(target_os = "linux") && !linux_dialog_available() {
            Some(NO_DIALOG.to_string())
        } else {
            None
        }
    }
}

/// What the user is told when no save dialog can open.
pub const NO_DIALOG: &str = "この端末ではファイルを選ぶ画面を開けません（デスクトップポータル xdg-desktop-portal も zenity もありません）。ファイルの場所を入力してください";

/// Whether rfd can show a dialog on Linux: zenity on the PATH, or a desktop portal with a
/// file chooser that the session bus can start (rfd tries the portal, then zenity, and
/// otherwise returns nothing, as if the user had cancelled).
fn linux_dialog_available() -> bool {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
    };
    if on_path("zenity") {
        return true;
    }
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|d| std::path::Path::new(&d).join("bus").exists());
    if !bus {
        return false;
    }
    let data_dirs = std::env::var("XDG_DATA_DIRS")
        .unwrap_or_else(|_| "/usr/local/share:/usr/share".to_string());
    let dirs: Vec<PathBuf> = std::env::split_paths(&data_dirs).collect();
    let portal = dirs.iter().any(|d| {
        d.join("dbus-1/services/org.freedesktop.portal.Desktop.service")
            .is_file()
    });
    // A backend that implements the file chooser (gtk, gnome, kde …).
    let chooser = dirs.iter().any(|d| {
        std::fs::read_dir(d.join("xdg-desktop-portal/portals")).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                std::fs::read_to_string(e.path())
                    .is_ok_and(|t| t.contains("org.freedesktop.impl.portal.FileChooser"))
            })
        })
    });
    portal && chooser
}

/// A picker for a machine without any file dialog (as [`NativePicker`] finds one): it always
/// says why, so that the app asks for the path instead (for tests and demonstrations).
pub struct NoDialogPicker;

impl FilePicker for NoDialogPicker {
    fn pick_csv(&mut self) -> Option<PathBuf> {
        None
    }

    fn save_as(&mut self, _default_name: &str) -> Option<PathBuf> {
        None
    }

    fn unavailable(&self) -> Option<String> {
        Some(NO_DIALOG.to_string())
    }
}

/// A picker that answers with given paths, one per call (for tests and demonstrations).
pub struct FixedPicker(pub Vec<PathBuf>);

impl FilePicker for FixedPicker {
    fn pick_csv(&mut self) -> Option<PathBuf> {
        if self.0.is_empty() {
            None
        } else {
            Some(self.0.remove(0))
        }
    }

    fn save_as(&mut self, _default_name: &str) -> Option<PathBuf> {
        self.pick_csv()
    }
}

/// What the user can do on the import screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportAction {
    /// Open the import screen.
    Open,
    /// Choose the file to import.
    Pick,
    /// Detect the chosen file's encoding again.
    Detect,
    /// Start importing the chosen file.
    Start,
    /// Stop the running import (the store stays as it was).
    Cancel,
    /// Import the bundled demo file (synthetic data for practice).
    Demo,
}

/// The import screen's state.
#[derive(Default)]
pub struct ImportScreen {
    /// The chosen file.
    pub file: Option<PathBuf>,
    /// Encoding detected for the file.
    pub detected: Option<String>,
    /// The user's choice of encoding.
    pub encoding: EncodingChoice,
    /// The running import.
    pub job: Option<ImportJob>,
    /// How the last import ended: the report, or the error message.
    pub outcome: Option<Result<ImportReport, String>>,
    /// The folder holding the demo file while it is imported.
    demo_dir: Option<PathBuf>,
}

/// An import running on its own thread (a [`Job`] with the import's own progress: rows and
/// bytes).
pub struct ImportJob {
    progress: Arc<Mutex<Progress>>,
    job: Job<(Session, Result<ImportReport, SessionError>)>,
}

impl ImportJob {
    /// Starts importing `path` with `session` (moved into the job); `waker` repaints the UI
    /// when there is news.
    pub fn start(
        mut session: Session,
        path: PathBuf,
        opts: ImportOptions,
        waker: impl Fn() + Send + Sync + 'static,
    ) -> ImportJob {
        let progress = Arc::new(Mutex::new(Progress::default()));
        let p = progress.clone();
        let job = Job::spawn(waker, move |c| {
            let mut on_progress = |x: Progress| {
                *p.lock().expect("progress lock") = x;
                c.progress(x.bytes, x.total_bytes);
            };
            let r = session.import_file(&path, &opts, &mut on_progress, c.cancel_flag());
            (session, r)
        });
        ImportJob { progress, job }
    }

    /// Asks the import to stop; the store stays as it was.
    pub fn cancel(&self) {
        self.job.cancel();
    }

    /// Whether the import has ended.
    pub fn finished(&self) -> bool {
        self.job.finished()
    }

    /// The session and the result, once [`ImportJob::finished`].
    pub fn join(mut self) -> Option<(Session, Result<ImportReport, SessionError>)> {
        self.job.take().and_then(|r| r.ok())
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        *self.progress.lock().expect("progress lock")
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.job.elapsed()
    }
}

/// The encoding the file looks like, in words.
pub fn detect(path: &Path, choice: EncodingChoice) -> String {
    match totsugo_core::import::detect_file_encoding(path, choice) {
        Ok(e) => e.name().to_string(),
        Err(e) => format!("読めません: {e}"),
    }
}

/// Draws the import screen.
pub fn screen(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("突合結果ファイルの取り込み");
    crate::widgets::message(ui, app);
    let st = &mut app.importer;
    if let Some(job) = &st.job {
        let p = job.progress();
        let secs = job.elapsed().as_secs_f64().max(0.001);
        let frac = if p.total_bytes > 0 {
            p.bytes as f32 / p.total_bytes as f32
        } else {
            0.0
        };
        ui.label(format!(
            "取り込み中: {}",
            st.file
                .as_ref()
                .and_then(|f| f.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        ui.add(egui::ProgressBar::new(frac).show_percentage());
        let rate = p.rows as f64 / secs;
        let left = if frac > 0.01 {
            format!("残り約 {:.0} 秒", secs * (1.0 - frac as f64) / frac as f64)
        } else {
            "残り時間を計算中".into()
        };
        ui.label(format!(
            "{} 行（毎秒 {} 行）　{left}",
            format_thousands(p.rows),
            format_thousands(rate as u64)
        ));
        if ui.button("中止").clicked() {
            actions.push(Action::Import(ImportAction::Cancel));
        }
        return;
    }
    ui.horizontal(|ui| {
        if ui.button("ファイルを選ぶ").clicked() {
            actions.push(Action::Import(ImportAction::Pick));
        }
        match &st.file {
            Some(f) => ui.label(f.display().to_string()),
            None => ui.label("（まだ選ばれていません）"),
        };
    });
    if st.file.is_some() {
        ui.horizontal(|ui| {
            let l = ui.label("文字コード");
            let shown = match st.encoding {
                EncodingChoice::Auto => {
                    format!("自動判別（{}）", st.detected.clone().unwrap_or_default())
                }
                EncodingChoice::Cp932 => "CP932 (Windows-31J)".into(),
                EncodingChoice::Utf8 => "UTF-8".into(),
            };
            let before = st.encoding;
            egui::ComboBox::from_id_salt("encoding")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut st.encoding, EncodingChoice::Auto, "自動判別");
                    ui.selectable_value(
                        &mut st.encoding,
                        EncodingChoice::Cp932,
                        "CP932 (Windows-31J)",
                    );
                    ui.selectable_value(&mut st.encoding, EncodingChoice::Utf8, "UTF-8");
                })
                .response
                .labelled_by(l.id);
            if st.encoding != before {
                actions.push(Action::Import(ImportAction::Detect));
            }
        });
        ui.label("列の対応表: 既定（totsugo 標準レイアウト）");
        if ui.button("取り込む").clicked() {
            actions.push(Action::Import(ImportAction::Start));
        }
    }
    match &st.outcome {
        Some(Ok(r)) => {
            ui.separator();
            ui.label(
                RichText::new(format!(
                    "取り込みました（{}、{:.1} 秒）",
                    r.encoding.name(),
                    r.elapsed.as_secs_f64()
                ))
                .strong(),
            );
            egui::Grid::new("import-counts")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (label, indent, n) in r.counts.items_ja() {
                        ui.label(format!("{}{label}", "　".repeat(indent)));
                        ui.label(RichText::new(format_thousands(n)).monospace());
                        ui.end_row();
                    }
                });
            if r.masked_number {
                ui.label(totsugo_core::import::MASKED_NUMBER_NOTE);
            }
            // Every kind of warning with its count (kept with the import), then the first rows.
            for k in totsugo_core::record::WarningKind::all() {
                if let Some(v) = r.counts.warnings_by_kind.get(&k.key()) {
                    ui.label(format!("{} 行: {}", format_thousands(*v), k.message_ja()));
                }
            }
            for (line, kind) in &r.warning_examples {
                ui.label(format!("{line}行目: {}", kind.message_ja()));
            }
        }
        Some(Err(m)) => {
            ui.separator();
            ui.label(
                RichText::new(m)
                    .color(egui::Color32::from_rgb(0xc0, 0x20, 0x20))
                    .strong(),
            );
        }
        None => {}
    }
}

impl App {
    /// Applies an action of the import screen.
    pub(crate) fn apply_import(&mut self, action: ImportAction) {
        match action {
            ImportAction::Open => self.open_screen(Screen::Import),
            ImportAction::Pick => {
                if let Some(path) = self.open_path(Action::Import(ImportAction::Pick)) {
                    self.importer.detected = Some(detect(&path, EncodingChoice::Auto));
                    self.importer.file = Some(path);
                    self.importer.outcome = None;
                }
            }
            ImportAction::Detect => {
                if let Some(path) = &self.importer.file {
                    self.importer.detected = Some(detect(path, self.importer.encoding));
                }
            }
            ImportAction::Start => self.start_import(),
            ImportAction::Cancel => {
                if let Some(job) = &self.importer.job {
                    job.cancel();
                }
            }
            ImportAction::Demo => self.import_demo(),
        }
    }

    fn import_demo(&mut self) {
        let dir = std::env::temp_dir().join(format!("totsugo-demo-{}", std::process::id()));
        match totsugo_core::demo::write_demo_file(&dir) {
            Ok(path) => {
                self.importer.demo_dir = Some(dir);
                self.screen = Screen::Import;
                self.importer.detected = Some(detect(&path, EncodingChoice::Auto));
                self.importer.file = Some(path);
                self.importer.encoding = EncodingChoice::Auto;
                self.start_import();
            }
            Err(e) => self.error(format!("デモデータを用意できません: {e}")),
        }
    }

    fn start_import(&mut self) {
        let Some(path) = self.importer.file.clone() else {
            return;
        };
        let Some(session) = self.session.take() else {
            return;
        };
        let opts = totsugo_core::import::ImportOptions {
            encoding: self.importer.encoding,
            profile: totsugo_core::profile::Profile::default(),
        };
        self.importer.outcome = None;
        self.message = None;
        self.importer.job = Some(ImportJob::start(session, path, opts, self.waker()));
    }

    /// Takes the session back from a finished import and shows how it ended.
    pub(crate) fn poll_import(&mut self) {
        if !self.importer.job.as_ref().is_some_and(|j| j.finished()) {
            return;
        }
        let Some(job) = self.importer.job.take() else {
            return;
        };
        if let Some(dir) = self.importer.demo_dir.take() {
            // The demo file was a temporary copy: gone, and no longer offered for import.
            let _ = std::fs::remove_dir_all(dir);
            self.importer.file = None;
            self.importer.detected = None;
        }
        match job.join() {
            Some((session, result)) => {
                self.session = Some(session);
                self.importer.outcome = Some(result.map_err(|e| e.message_ja(20)));
                self.desk.invalidate();
                self.refresh();
            }
            None => {
                // The job's thread panicked: the store is unchanged (nothing was committed),
                // but the session is gone with it. Log in again.
                self.log_out();
                self.error("取り込みが異常終了しました。保管データは変更していません。もう一度ログインしてください");
            }
        }
    }
}
