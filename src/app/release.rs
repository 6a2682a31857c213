//! The release-request screen (閲覧停止の解除依頼, supervisors): what is ready for the next
//! cut-off, ① first, the request made of it, and each request's files written off the UI
//! thread. The screen owns its state, its actions and their apply; the release condition is
//! the core's.

use egui::{RichText, Ui};
use totsugo_core::session::{Session, SessionError};
use totsugo_core::store::{ReleaseRequestRow, ReleaseRow};

use crate::{Action, App, Screen};

/// What the release screen shows.
#[derive(Default)]
pub struct ReleaseScreen {
    /// Records ready for the next release request.
    pub ready: Vec<ReleaseRow>,
    /// Release requests made so far.
    pub requests: Vec<ReleaseRequestRow>,
    /// Follow-up outcomes waiting for a supervisor's approval (their records are not ready
    /// until approved).
    pub outcomes_waiting: u64,
    /// What the files still need before they can be written (the core's check), shown on
    /// the screen and checked again before the save dialog.
    pub missing: Vec<String>,
}

/// What the supervisor can do about release requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReleaseAction {
    /// Open the release-request screen.
    Open,
    /// Make a release request of every record ready for it.
    Make,
    /// Write the files of this release request where the user chooses.
    Write(i64),
}

impl ReleaseScreen {
    /// Reads what is ready and the requests made.
    pub fn load(&mut self, s: &Session) -> Result<(), SessionError> {
        self.ready = s.release_candidates()?;
        self.requests = s.release_requests()?;
        self.outcomes_waiting = s.outcomes_waiting()?;
        self.missing = s.output_missing(totsugo_core::session::Output::ReleaseRequest);
        Ok(())
    }
}

impl App {
    fn load_release(&mut self) {
        let Some(s) = &self.session else { return };
        if let Err(e) = self.release.load(s) {
            self.error(e);
        }
    }

    /// Applies an action of the release screen.
    pub(crate) fn apply_release(&mut self, action: ReleaseAction) {
        match action {
            ReleaseAction::Open => {
                self.open_screen(Screen::Release);
                self.load_release();
            }
            ReleaseAction::Make => {
                let Some(s) = &self.session else { return };
                let ids: Vec<i64> = self.release.ready.iter().map(|r| r.record_id).collect();
                match s.make_release_request(&ids) {
                    Ok(id) => {
                        self.load_release();
                        self.refresh();
                        self.notice(format!(
                            "解除依頼 第{id}号（{} 件）を作成しました。ファイルを書き出して送付してください",
                            ids.len()
                        ));
                    }
                    Err(e) => self.error(e),
                }
            }
            ReleaseAction::Write(id) => {
                // What the files need is checked before the save dialog, not after it.
                let Some(s) = &self.session else { return };
                self.release.missing =
                    s.output_missing(totsugo_core::session::Output::ReleaseRequest);
                if !self.release.missing.is_empty() {
                    let m = format!(
                        "解除依頼のファイルを書き出せません: {}",
                        self.release.missing.join("。")
                    );
                    self.error(m);
                    return;
                }
                let Some(dir) = self.pick_folder(
                    &format!("閲覧停止解除依頼_第{id}号"),
                    Action::Release(ReleaseAction::Write(id)),
                ) else {
                    return;
                };
                let insurer = self.insurer_name();
                self.start_work(
                    format!("解除依頼 第{id}号のファイルを書き出しています"),
                    false,
                    move |s, _| {
                        let r = s.write_release_request(id, &insurer, &dir);
                        Box::new(move |app: &mut App| match r {
                            Ok((files, note)) => {
                                let mut m = format!(
                                    "{} に {} 個のファイルを書き出しました",
                                    dir.display(),
                                    files.len()
                                );
                                if let Some(n) = note {
                                    m.push_str(&format!("（{n}）"));
                                }
                                app.notice(m);
                            }
                            Err(e) => app.error(e),
                        })
                    },
                );
            }
        }
    }
}

/// Release requests (閲覧停止解除依頼): what is ready for the next cut-off, ① first, and the
/// requests made, each with its files.
pub fn ui(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("閲覧停止の解除依頼");
    crate::widgets::message(ui, app);
    crate::widgets::missing(ui, &app.release.missing);
    if let Some(p) = app.progress()
        && let Some(t) = p.next_cutoff
    {
        ui.label(format!("次の締切: {}", t.describe()));
    }
    let n = totsugo_core::release::per_case(&app.release.ready);
    ui.label(format!(
        "依頼できる記録（承認済・番号確認済・未依頼）: {} 件（① {}　② {}　③ {}）",
        app.release.ready.len(),
        n[0],
        n[1],
        n[2]
    ));
    if app.release.outcomes_waiting > 0 {
        ui.label(
            RichText::new(format!(
                "その後の結果（個人番号の誤りなし）の承認待ち {} 件: 承認画面で別の責任者が承認すると、ここに入ります",
                app.release.outcomes_waiting
            ))
            .color(crate::desk::AMBER),
        );
    }
    if ui
        .add_enabled(
            !app.release.ready.is_empty(),
            egui::Button::new(format!(
                "この {} 件で解除依頼を作成",
                app.release.ready.len()
            )),
        )
        .clicked()
    {
        actions.push(Action::Release(ReleaseAction::Make));
    }
    ui.separator();
    ui.label(RichText::new("作成した解除依頼").strong());
    ui.label("書き出すファイル: 送付用 CSV（UTF-8 と Shift_JIS、実施機関の指定に合わせて一方を送付）、確認用 XLSX（目で確かめる用）、送付書 PDF（印刷して押印）");
    ui.label(RichText::new(totsugo_core::release::RELEASE_FILES_NOTE).color(crate::desk::AMBER));
    if app.release.requests.is_empty() {
        ui.label("まだありません");
    }
    for r in &app.release.requests {
        ui.horizontal(|ui| {
            ui.label(format!(
                "第{}号　{}　{} 件　締切 {}",
                r.id,
                r.created_at,
                r.records,
                r.cutoff
                    .as_deref()
                    .map(totsugo_core::release::describe_stored)
                    .unwrap_or_else(|| "—".into())
            ));
            if ui
                .button(format!("第{}号のファイルを書き出す", r.id))
                .clicked()
            {
                actions.push(Action::Release(ReleaseAction::Write(r.id)));
            }
        });
    }
}
