//! The purge screen (保管データの消去, administrators): the confirmation word typed twice,
//! the deletion record saved where they choose, then the core's one purge off the UI thread,
//! after which the app is back at its first run. The screen owns its state, its actions and
//! their apply; the purge itself is the core's (`totsugo_core::purge`).

use std::path::PathBuf;

use egui::{RichText, Ui};
use totsugo_core::purge::DeletionRecord;
use totsugo_core::session::SessionError;
use totsugo_core::summary::format_thousands;

use crate::{Action, App, Job, NativePicker, Screen};

/// The purge screen's state.
#[derive(Default)]
pub struct PurgeScreen {
    /// The confirmation word, typed twice.
    pub confirm: [String; 2],
    /// The purge under way (the session is in it): where the record goes, and the outcome.
    pub job: Option<Job<(PathBuf, Result<DeletionRecord, SessionError>)>>,
}

/// What the administrator can do on the purge screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PurgeAction {
    /// Open the purge screen.
    Open,
    /// Choose where the deletion record goes, then purge (both confirmations typed).
    Purge,
}

impl App {
    /// Applies an action of the purge screen.
    pub(crate) fn apply_purge(&mut self, action: PurgeAction) {
        match action {
            PurgeAction::Open => {
                self.open_screen(Screen::Purge);
                self.purge.confirm = Default::default();
            }
            PurgeAction::Purge => self.start_purge(),
        }
    }

    /// Purges the store (the core's one purge, as `totsugo purge`): the deletion record goes
    /// where the administrator chooses, outside the store; the work runs off the UI thread
    /// with the session, which ends with it.
    fn start_purge(&mut self) {
        let [a, b] = &self.purge.confirm;
        if let Err(e) = totsugo_core::purge::check_confirmations([a, b]) {
            return self.error(e);
        }
        if self.purge.job.is_some() {
            return;
        }
        let Some(path) = self.save_path(
            "totsugo-消去記録.pdf",
            crate::Action::Purge(PurgeAction::Purge),
        ) else {
            return;
        };
        let confirm = self.purge.confirm.clone();
        // A purge that stopped half-way is finished without a login (the key slots may be
        // gone already).
        if self.session.is_none() && totsugo_core::purge::unfinished(&self.dir).is_some() {
            let dir = self.dir.clone();
            self.message = None;
            self.purge.job = Some(Job::spawn(self.waker(), move |_| {
                let r = totsugo_core::purge::resume(&dir, [&confirm[0], &confirm[1]], &path);
                (path, r)
            }));
            return;
        }
        let Some(session) = self.session.take() else {
            return;
        };
        self.message = None;
        self.purge.job = Some(Job::spawn(self.waker(), move |_| {
            let r = totsugo_core::purge::purge(session, [&confirm[0], &confirm[1]], &path);
            (path, r)
        }));
    }

    /// Shows how the purge ended; after it the store is gone and the app is at its first run.
    pub(crate) fn poll_purge(&mut self) {
        let Some(job) = self.purge.job.as_mut() else {
            return;
        };
        let Some(outcome) = job.take() else {
            return;
        };
        self.purge.job = None;
        let dir = std::mem::take(&mut self.dir);
        *self = App {
            ctx: self.ctx.take(),
            picker: std::mem::replace(&mut self.picker, Box::new(NativePicker)),
            ..App::for_store(dir)
        };
        match outcome {
            Ok((path, Ok(r))) if r.complete() => self.notice(format!(
                "保管データを消去しました{}（記録 {} 件、ファイル {} 個）。消去記録: {}",
                if r.resumed {
                    "（途中で止まっていた消去を終えました）"
                } else {
                    ""
                },
                format_thousands(r.records),
                r.files_removed.len(),
                path.display()
            )),
            Ok((path, Ok(r))) => self.error(format!(
                "消去は終わっていません。削除できなかったファイル: {}。原因を取り除いて、もう一度消去してください。消去記録: {}",
                r.files_not_removed
                    .iter()
                    .map(|(f, why)| format!("{f}（{why}）"))
                    .collect::<Vec<_>>()
                    .join("、"),
                path.display()
            )),
            Ok((_, Err(e))) => self.error(format!("消去できませんでした: {e}")),
            Err(_) => self.error("消去の処理が異常終了しました。保管場所を確かめてください"),
        }
    }
}

/// The end of the work (administrators): everything is deleted after the deletion record is
/// written, as `totsugo purge` does.
pub fn ui(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("保管データの消去");
    if app.session.is_none()
        && let Some(plan) = totsugo_core::purge::unfinished(&app.dir)
    {
        ui.label(
            RichText::new(format!(
                "{} に始めた消去が途中で止まっています（鍵スロット: {}）。確認の言葉を2回入力し、続きを実行してください。",
                plan.record.purged_at,
                if plan.record.key_slots_destroyed {
                    "破棄済み。保管データはもう開けません"
                } else {
                    "未破棄"
                }
            ))
            .strong(),
        );
        ui.label("残っているファイル:");
        for f in &plan.files {
            ui.label(format!("・{}", f.display()));
        }
    }
    ui.label("業務が終わったら、この端末の保管データをすべて消去します。元に戻せません。");
    ui.label(
        "はじめに消去記録（PDF: いつ、だれが、何件、どのファイル、監査記録の鎖が正しいか）を保管場所の外に保存し、保存できたときだけ、保管ファイル・鍵スロット・totsugo が書き出したファイルを上書きしてから削除します。",
    );
    if let Some(c) = &app.counts {
        ui.label(format!(
            "消去するもの: 突合結果 {} 行（不一致 {}）、判断・通知文・解除依頼・監査記録のすべて",
            format_thousands(c.rows),
            format_thousands(c.mismatches)
        ));
    }
    ui.add_space(8.0);
    crate::widgets::message(ui, app);
    let word = totsugo_core::purge::CONFIRMATION;
    egui::Grid::new("purge").num_columns(2).show(ui, |ui| {
        crate::widgets::field(
            ui,
            &format!("確認の言葉「{word}」"),
            &mut app.purge.confirm[0],
            false,
        );
        crate::widgets::field(
            ui,
            &format!("もう一度「{word}」"),
            &mut app.purge.confirm[1],
            false,
        );
    });
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let [a, b] = &app.purge.confirm;
        let ready = totsugo_core::purge::check_confirmations([a, b]).is_ok();
        if ui
            .add_enabled(
                ready && !app.busy(),
                egui::Button::new(
                    RichText::new("消去記録の保存先を選んで消去する").color(crate::desk::RED),
                ),
            )
            .clicked()
        {
            actions.push(Action::Purge(PurgeAction::Purge));
        }
        if app.busy() {
            ui.spinner();
            ui.label("消去しています…");
        }
    });
}
