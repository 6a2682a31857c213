//! The count-report screen (確認結果（件数）の報告): the report live, approved decisions only
//! or all, saved as CSV or PDF off the UI thread. The screen owns its state, its actions and
//! their apply; the counting is the core's (`totsugo_core::report`).

use egui::Ui;
use totsugo_core::report::CountReport;

use crate::{Action, App, Screen};

/// What the report screen shows.
pub struct ReportScreen {
    /// The count report shown.
    pub shown: Option<CountReport>,
    /// The report counts approved decisions only.
    pub approved_only: bool,
    /// What the saved report still needs (the core's check), shown on the screen and
    /// checked again before the save dialog.
    pub missing: Vec<String>,
}

impl Default for ReportScreen {
    fn default() -> Self {
        ReportScreen {
            shown: None,
            approved_only: true,
            missing: Vec::new(),
        }
    }
}

/// What the user can do with the count report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportAction {
    /// Open the count report.
    Open,
    /// Count approved decisions only (or every current decision).
    ApprovedOnly(bool),
    /// Save the count report: as PDF (`true`) or CSV.
    Export(bool),
}

impl App {
    pub(crate) fn load_report(&mut self) {
        let Some(s) = &self.session else { return };
        self.report.missing = s.output_missing(totsugo_core::session::Output::CountReport);
        match s.count_report(self.report.approved_only) {
            Ok(r) => self.report.shown = Some(r),
            Err(e) => self.error(e),
        }
    }

    /// Applies an action of the report screen.
    pub(crate) fn apply_report(&mut self, action: ReportAction) {
        match action {
            ReportAction::Open => {
                self.open_screen(Screen::Report);
                self.load_report();
            }
            ReportAction::ApprovedOnly(b) => {
                self.report.approved_only = b;
                self.load_report();
            }
            ReportAction::Export(pdf) => {
                // What the report needs is checked before the save dialog, not after it.
                let Some(s) = &self.session else { return };
                self.report.missing = s.output_missing(totsugo_core::session::Output::CountReport);
                if !self.report.missing.is_empty() {
                    let m = format!(
                        "件数の報告を保存できません: {}",
                        self.report.missing.join("。")
                    );
                    self.error(m);
                    return;
                }
                let name = if pdf {
                    "確認結果（件数）の報告.pdf"
                } else {
                    "確認結果（件数）の報告.csv"
                };
                let Some(path) = self.save_path(name, Action::Report(ReportAction::Export(pdf)))
                else {
                    return;
                };
                // The name as typed, with the ending of the format chosen when it lacks it
                // (「報告」 for PDF is saved as 報告.pdf, never as CSV under that name).
                let ending = if pdf { "pdf" } else { "csv" };
                let path = if path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case(ending))
                {
                    path
                } else {
                    let mut p = path.into_os_string();
                    p.push(format!(".{ending}"));
                    std::path::PathBuf::from(p)
                };
                let insurer = self.insurer_name();
                let approved_only = self.report.approved_only;
                self.start_work(
                    "件数の報告を保存しています".to_string(),
                    false,
                    move |s, _| {
                        let r = s.write_count_report(approved_only, &insurer, &path);
                        Box::new(move |app: &mut App| match r {
                            Ok(()) => app.notice(format!("{} に保存しました", path.display())),
                            Err(e) => app.error(e),
                        })
                    },
                );
            }
        }
    }
}

/// The count report (確認結果（件数）の報告), live, with its export.
pub fn ui(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("確認結果（件数）の報告");
    crate::widgets::message(ui, app);
    crate::widgets::missing(ui, &app.report.missing);
    let mut approved = app.report.approved_only;
    if ui
        .checkbox(&mut approved, "承認済の判断だけを数える（報告用）")
        .changed()
    {
        actions.push(Action::Report(ReportAction::ApprovedOnly(approved)));
    }
    ui.horizontal(|ui| {
        if ui.button("CSV で保存").clicked() {
            actions.push(Action::Report(ReportAction::Export(false)));
        }
        if ui.button("PDF で保存").clicked() {
            actions.push(Action::Report(ReportAction::Export(true)));
        }
    });
    let Some(r) = &app.report.shown else { return };
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            crate::widgets::count_report_grid(ui, "count-report", r);
            ui.add_space(8.0);
            for note in r.notes_ja() {
                ui.label(note);
            }
            ui.add_space(8.0);
            // Why a record counts where it does: the core's one table, as it is.
            egui::CollapsingHeader::new("判断と設問の対応")
                .id_salt("report-mapping")
                .default_open(true)
                .show(ui, |ui| {
                    crate::widgets::report_mapping(ui, "report-mapping-grid")
                });
        });
}
