//! The periodic reviews (administrators and supervisors, issue 16 §7): the month's access
//! log with its filters (個人番号の表示, 書き出し・印刷, ログイン失敗・ロック, 利用者・権限の変更,
//! 消去) and the half-yearly user list, each signed off with a note. The screen owns its state,
//! its actions and their apply; what is due, what each filter shows and the sign-off are the
//! core's (`totsugo_core::audit_review`, `Session::sign_off_review`).

use egui::{RichText, Ui};
use totsugo_core::audit_review::{EntryFilter, Month, ReviewKind};
use totsugo_core::session::{AccessLogReview, UserListReview};

use crate::widgets::message;
use crate::{Action, App, Screen};

/// What the review screens show and what has been typed on them.
pub struct ReviewsScreen {
    /// The access log's filter.
    pub filter: EntryFilter,
    /// The access log of the month shown.
    pub access: Option<AccessLogReview>,
    /// The user list shown.
    pub users: Option<UserListReview>,
    /// The reviewer's note for the sign-off.
    pub note: String,
}

impl Default for ReviewsScreen {
    fn default() -> Self {
        ReviewsScreen {
            filter: EntryFilter::All,
            access: None,
            users: None,
            note: String::new(),
        }
    }
}

/// What the reviewer can do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewsAction {
    /// Open the access-log review of a month (default: the previous month).
    OpenAccessLog(Option<Month>),
    /// Open the user-list review.
    OpenUsers,
    /// Show only the entries of a filter.
    Filter(EntryFilter),
    /// Sign off the access log shown (with the note).
    SignOffAccessLog,
    /// Sign off the user list shown (with the note).
    SignOffUsers,
}

impl App {
    /// Applies an action of the review screens.
    pub(crate) fn apply_reviews(&mut self, action: ReviewsAction) {
        let today = self.today();
        match action {
            ReviewsAction::OpenAccessLog(month) => {
                let month = month.unwrap_or_else(|| Month::of(today).previous());
                self.open_screen(Screen::AccessLogReview);
                self.reviews.filter = EntryFilter::All;
                self.reviews.note.clear();
                self.load_access_log(month);
            }
            ReviewsAction::OpenUsers => {
                self.open_screen(Screen::UserReview);
                self.reviews.note.clear();
                self.load_user_review();
            }
            ReviewsAction::Filter(f) => self.reviews.filter = f,
            ReviewsAction::SignOffAccessLog => {
                let (Some(s), Some(r)) = (&self.session, &self.reviews.access) else {
                    return;
                };
                let month = r.month;
                match s.sign_off_review(
                    ReviewKind::AccessLog,
                    &month.key(),
                    &r.head,
                    &self.reviews.note,
                    today,
                ) {
                    Ok(_) => {
                        self.reviews.note.clear();
                        self.load_access_log(month);
                        self.refresh();
                        self.notice(format!(
                            "{}の操作記録の点検を確認しました",
                            month.label_ja()
                        ));
                    }
                    Err(e) => self.error(e),
                }
            }
            ReviewsAction::SignOffUsers => {
                let (Some(s), Some(r)) = (&self.session, &self.reviews.users) else {
                    return;
                };
                match s.sign_off_review(
                    ReviewKind::UserList,
                    "",
                    &r.head,
                    &self.reviews.note,
                    today,
                ) {
                    Ok(_) => {
                        self.reviews.note.clear();
                        self.load_user_review();
                        self.refresh();
                        self.notice("利用者の点検を確認しました");
                    }
                    Err(e) => self.error(e),
                }
            }
        }
    }

    fn load_access_log(&mut self, month: Month) {
        let Some(s) = &self.session else { return };
        match s.access_log_review(month) {
            Ok(r) => self.reviews.access = Some(r),
            Err(e) => self.error(e),
        }
    }

    fn load_user_review(&mut self) {
        let Some(s) = &self.session else { return };
        match s.user_list_review() {
            Ok(r) => self.reviews.users = Some(r),
            Err(e) => self.error(e),
        }
    }
}

/// The note field and the sign-off button.
fn sign_off(ui: &mut Ui, app: &mut App, label: &str, action: Action, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let caption = ui.label("所見（任意）");
        ui.add(egui::TextEdit::singleline(&mut app.reviews.note).desired_width(360.0))
            .labelled_by(caption.id);
        if ui.button(label).clicked() {
            actions.push(action);
        }
    });
}

/// The access-log review of a month.
pub fn access_log(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    let Some(r) = app.reviews.access.clone() else {
        message(ui, app);
        return;
    };
    ui.heading(format!("操作記録の点検（{}）", r.month.label_ja()));
    ui.horizontal(|ui| {
        if ui.button("前の月").clicked() {
            actions.push(Action::Reviews(ReviewsAction::OpenAccessLog(Some(
                r.month.previous(),
            ))));
        }
        if ui.button("次の月").clicked() {
            actions.push(Action::Reviews(ReviewsAction::OpenAccessLog(Some(
                r.month.next(),
            ))));
        }
        if ui.button("利用者の点検へ").clicked() {
            actions.push(Action::Reviews(ReviewsAction::OpenUsers));
        }
    });
    message(ui, app);
    match &r.chain {
        Ok(n) => ui.label(format!("操作記録の鎖: 異常なし（{n} 件）")),
        Err(b) => ui.label(
            RichText::new(format!("操作記録の鎖: 異常あり（{}）", b.message_ja()))
                .color(crate::desk::RED)
                .strong(),
        ),
    };
    ui.label(format!("いま見ている操作記録の末尾: {}", r.head.short_ja()));
    for s in &r.sign_offs {
        ui.label(format!(
            "点検済み: {}（{}） {}　{}",
            s.signed_by_name, s.signed_by, s.signed_at, s.note
        ));
    }
    ui.horizontal_wrapped(|ui| {
        for f in EntryFilter::ALL {
            let text = format!("{}（{}）", f.label_ja(), r.count(f));
            if ui.selectable_label(app.reviews.filter == f, text).clicked() {
                actions.push(Action::Reviews(ReviewsAction::Filter(f)));
            }
        }
    });
    sign_off(
        ui,
        app,
        "この月の点検を確認して記録する",
        Action::Reviews(ReviewsAction::SignOffAccessLog),
        actions,
    );
    ui.separator();
    let filter = app.reviews.filter;
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .id_salt("access-log-scroll")
        .show(ui, |ui| {
            egui::Grid::new("access-log")
                .num_columns(6)
                .striped(true)
                .show(ui, |ui| {
                    for h in ["番号", "日時", "利用者", "操作", "対象", "内容"] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for e in r.shown(filter) {
                        ui.label(e.id.to_string());
                        ui.label(&e.at);
                        ui.label(if e.name.is_empty() {
                            e.login.clone()
                        } else {
                            format!("{}（{}）", e.name, e.login)
                        });
                        ui.label(&e.action_ja);
                        ui.label(&e.target);
                        ui.label(&e.detail);
                        ui.end_row();
                    }
                });
        });
}

/// The half-yearly user review.
pub fn users(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    let Some(r) = app.reviews.users.clone() else {
        message(ui, app);
        return;
    };
    ui.heading("利用者の点検（半年ごと）");
    ui.horizontal(|ui| {
        if ui.button("操作記録の点検へ").clicked() {
            actions.push(Action::Reviews(ReviewsAction::OpenAccessLog(None)));
        }
    });
    message(ui, app);
    ui.label(
        "特権のある利用者（責任者・管理者・個人番号閲覧権限）を先に並べています。不要な権限や、使われていないアカウントがないか確かめてください。",
    );
    ui.label(format!("いま見ている操作記録の末尾: {}", r.head.short_ja()));
    for s in &r.sign_offs {
        ui.label(format!(
            "点検済み: {}（{}） {}　{}",
            s.signed_by_name, s.signed_by, s.signed_at, s.note
        ));
    }
    sign_off(
        ui,
        app,
        "利用者の点検を確認して記録する",
        Action::Reviews(ReviewsAction::SignOffUsers),
        actions,
    );
    ui.separator();
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .id_salt("user-review-scroll")
        .show(ui, |ui| {
            egui::Grid::new("user-review")
                .num_columns(7)
                .striped(true)
                .show(ui, |ui| {
                    for h in [
                        "利用者名",
                        "氏名",
                        "役割",
                        "個人番号閲覧権限",
                        "最後のログイン",
                        "状態",
                        "特権",
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for u in &r.users {
                        ui.label(&u.user.login);
                        ui.label(&u.user.display_name);
                        ui.label(u.user.roles.label_ja());
                        ui.label(if u.user.may_reveal_my_number {
                            "あり"
                        } else {
                            "なし"
                        });
                        ui.label(u.last_login.as_deref().unwrap_or("なし"));
                        ui.label(match &u.user.disabled_at {
                            Some(d) => format!("無効（{d}）"),
                            None => "有効".into(),
                        });
                        ui.label(if u.privileged { "特権" } else { "" });
                        ui.end_row();
                    }
                });
        });
}
