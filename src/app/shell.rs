//! The frame around the screens: the header with who is logged in and the navigation, and
//! the screen of work under way with the session (progress and 中止).

use egui::{RichText, Ui};

use crate::{
    AccountAction, Action, App, DeskAction, ImportAction, LettersAction, ReleaseAction,
    ReportAction, Screen, SessionWork, UsersAction,
};
use totsugo_core::auth::Permission;

/// The header: title, who is logged in, navigation.
pub fn header(ui: &mut Ui, app: &App, actions: &mut Vec<Action>) {
    // Wraps onto a second line rather than cutting buttons off in a narrow window.
    ui.horizontal_wrapped(|ui| {
        ui.heading(crate::TITLE);
        let Some(s) = &app.session else { return };
        ui.separator();
        ui.label(format!(
            "{}（{}）",
            s.user().display_name,
            s.user().roles.label_ja()
        ));
        if app.locked {
            ui.label(RichText::new("ロック中").strong());
            return;
        }
        // The recovery key is shown once: no way off its screen but its own 「次へ」.
        if matches!(app.screen, Screen::RecoveryKey(_)) {
            return;
        }
        ui.separator();
        if ui.button("ホーム").clicked() {
            actions.push(Action::OpenHome);
        }
        if s.may(Permission::Review) && ui.button("不一致の一覧").clicked() {
            actions.push(Action::Desk(DeskAction::OpenList));
        }
        if s.may(Permission::Approve) && ui.button("承認").clicked() {
            actions.push(Action::Desk(DeskAction::OpenBatches));
        }
        if s.may(Permission::Import) && ui.button("取り込み").clicked() {
            actions.push(Action::Import(ImportAction::Open));
        }
        if s.may(Permission::PrintLetters) && ui.button("通知文").clicked() {
            actions.push(Action::Letters(LettersAction::Open));
        }
        if s.may(Permission::Approve) && ui.button("解除依頼").clicked() {
            actions.push(Action::Release(ReleaseAction::Open));
        }
        if s.may(Permission::ViewSummary) && ui.button("件数の報告").clicked() {
            actions.push(Action::Report(ReportAction::Open));
        }
        if s.may(Permission::ReadAudit) && ui.button("定期点検").clicked() {
            actions.push(Action::Reviews(crate::ReviewsAction::OpenAccessLog(None)));
        }
        if s.may(Permission::ManageUsers) && ui.button("利用者の管理").clicked() {
            actions.push(Action::Users(UsersAction::Open));
        }
        if ui.button("ヘルプ").clicked() {
            actions.push(Action::OpenHelp);
        }
        if ui.button("パスワードの変更").clicked() {
            actions.push(Action::Account(AccountAction::OpenPasswordDialog));
        }
        if ui.button("ログアウト").clicked() {
            actions.push(Action::Account(AccountAction::Logout));
        }
    });
}

/// The work under way with the session (printing letters, writing files): what it is, how far
/// it has come, and a stop button where it can stop cleanly.
pub fn work(ui: &mut Ui, w: &SessionWork<App>, actions: &mut Vec<Action>) {
    ui.heading(&w.label);
    ui.add_space(8.0);
    match w.job.progress() {
        Some((done, total)) => {
            ui.add(
                egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                    .show_percentage()
                    .desired_width(400.0),
            );
        }
        None => {
            ui.spinner();
        }
    }
    let note = w.job.note();
    if !note.is_empty() {
        ui.label(note);
    }
    ui.label(format!("経過 {} 秒", w.job.elapsed().as_secs()));
    if w.cancellable {
        ui.add_space(8.0);
        if w.job.cancelling() {
            ui.label("中止しています…");
        } else if ui.button("中止").clicked() {
            actions.push(Action::CancelWork);
        }
    }
}
