//! User administration (administrators): the users with their roles and state, adding a user
//! with a temporary password, disabling, temporary passwords, lifting a lockout, and the
//! account rules; the settings (`settings`) and the way to the purge are on the same screen.
//! Hashing a password runs off the UI thread. The screen owns its state, its actions and
//! their apply.

use egui::{RichText, Ui};
use zeroize::{Zeroize, Zeroizing};

use crate::widgets::{field, message, number};
use crate::{Action, App, PurgeAction, Screen};
use totsugo_core::auth::{Permission, Role, Roles};
use totsugo_core::session::UserStatus;
use totsugo_core::vault::Policy;

/// What the administration screen shows and what has been typed on it.
pub struct UsersScreen {
    /// The users, with their state.
    pub list: Vec<UserStatus>,
    /// New user: login name.
    pub new_login: String,
    /// New user: name.
    pub new_name: String,
    /// New user: clerk.
    pub new_clerk: bool,
    /// New user: supervisor.
    pub new_supervisor: bool,
    /// New user: administrator.
    pub new_admin: bool,
    /// New user: may see the full My Number.
    pub new_may_reveal: bool,
    /// New user / reset: the temporary password.
    pub temp_password: String,
    /// The account rules being edited.
    pub policy: Option<Policy>,
}

impl Default for UsersScreen {
    fn default() -> UsersScreen {
        UsersScreen {
            list: Vec::new(),
            new_login: String::new(),
            new_name: String::new(),
            new_clerk: true,
            new_supervisor: false,
            new_admin: false,
            new_may_reveal: false,
            temp_password: String::new(),
            policy: None,
        }
    }
}

/// What an administrator can do about users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsersAction {
    /// Open user administration (with the settings).
    Open,
    /// Add a user from the form.
    Add,
    /// Disable a user.
    Disable(i64),
    /// Set a temporary password (from the form's field) for a user.
    ResetPassword(i64),
    /// Lift a lockout.
    Unlock(i64),
    /// Save the account rules from the form.
    SavePolicy,
}

impl App {
    /// Applies an action of user administration.
    pub(crate) fn apply_users(&mut self, action: UsersAction) {
        match action {
            UsersAction::Open => {
                self.open_screen(Screen::Users);
                self.users.policy = None;
                self.settings = crate::SettingsScreen::default();
                self.refresh();
            }
            UsersAction::Add => self.add_user(),
            UsersAction::Disable(id) => self.start_work(
                "利用者を無効にし、保管データの鍵を新しくしています".to_string(),
                false,
                move |s, c| {
                    let r = s.disable_user_reporting(id, &|d, t| c.progress(d, t));
                    Box::new(move |app: &mut App| app.rekeyed(r, "無効にしました"))
                },
            ),
            UsersAction::ResetPassword(id) => {
                let pw = Zeroizing::new(std::mem::take(&mut self.users.temp_password));
                self.start_work(
                    "仮パスワードを設定し、保管データの鍵を新しくしています".to_string(),
                    false,
                    move |s, c| {
                        let r = s.reset_password_reporting(id, &pw, &|d, t| c.progress(d, t));
                        Box::new(move |app: &mut App| app.rekeyed(r, "仮パスワードを設定しました"))
                    },
                );
            }
            UsersAction::Unlock(id) => {
                self.with_session(|s| s.unlock_user(id), "ロックを解除しました")
            }
            UsersAction::SavePolicy => {
                if let Some(p) = self.users.policy.clone() {
                    self.with_session(|s| s.set_policy(p), "規則を保存しました");
                }
            }
        }
    }

    /// After a disable or a reset: the store has a new key and a new recovery key, shown once
    /// (the old sheet no longer opens anything); then back to this screen.
    pub(crate) fn rekeyed(
        &mut self,
        r: Result<totsugo_core::session::Rekeyed, totsugo_core::session::SessionError>,
        done: &str,
    ) {
        match r {
            Ok(k) => {
                let mut note = format!(
                    "{done}。保管データの鍵を新しくしました。古い復旧キーの用紙は使えません: 新しい復旧キーを保管してください"
                );
                if !k.dropped.is_empty() {
                    note.push_str(&format!(
                        "。旧形式の鍵のため次の利用者には仮パスワードの再設定が必要です: {}",
                        k.dropped.join("、")
                    ));
                }
                self.notice(note);
                self.setup.recovery_after = Some(Screen::Users);
                self.screen = Screen::RecoveryKey(k.recovery.grouped());
                self.refresh();
            }
            Err(e) => self.error(e),
        }
    }

    /// Adds the user of the form off the UI thread (the temporary password is hashed).
    fn add_user(&mut self) {
        let f = &self.users;
        let mut roles = Vec::new();
        if f.new_clerk {
            roles.push(Role::Clerk);
        }
        if f.new_supervisor {
            roles.push(Role::Supervisor);
        }
        if f.new_admin {
            roles.push(Role::Administrator);
        }
        let (login, name, reveal, pw) = (
            f.new_login.trim().to_string(),
            f.new_name.clone(),
            f.new_may_reveal,
            Zeroizing::new(f.temp_password.clone()),
        );
        self.start_work("利用者を追加しています".to_string(), false, move |s, _| {
            let r = s.add_user(&login, &name, Roles::of(&roles), reveal, &pw);
            Box::new(move |app: &mut App| match r {
                Ok(_) => {
                    let u = &mut app.users;
                    u.new_login.clear();
                    u.new_name.clear();
                    u.temp_password.zeroize();
                    u.new_may_reveal = false;
                    app.notice(format!(
                        "利用者「{login}」を作成しました。初回ログインでパスワードを変更してもらいます"
                    ));
                    app.refresh();
                }
                Err(e) => app.error(e),
            })
        });
    }
}

/// User administration and account rules.
pub fn ui(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("利用者の管理");
    ui.label(RichText::new(format!("保管場所: {}", app.dir.display())).weak());
    message(ui, app);
    let me = app.session.as_ref().map(|s| s.user().id);
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("users")
                .num_columns(6)
                .striped(true)
                .show(ui, |ui| {
                    for h in ["利用者名", "氏名", "役割", "個人番号閲覧", "状態", "操作"]
                    {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for u in &app.users.list {
                        ui.label(&u.user.login);
                        ui.label(&u.user.display_name);
                        ui.label(u.user.roles.label_ja());
                        ui.label(if u.user.may_reveal_my_number {
                            "閲覧可"
                        } else {
                            "－"
                        });
                        let state = u.state_ja();
                        ui.label(if state.is_empty() {
                            "有効".to_string()
                        } else {
                            state.join("、")
                        });
                        ui.horizontal(|ui| {
                            if u.user.disabled_at.is_none() {
                                if Some(u.user.id) != me && ui.button("無効にする").clicked() {
                                    actions.push(Action::Users(UsersAction::Disable(u.user.id)));
                                }
                                if ui.button("仮パスワードを設定").clicked() {
                                    actions
                                        .push(Action::Users(UsersAction::ResetPassword(u.user.id)));
                                }
                                if u.locked_until.is_some() && ui.button("ロック解除").clicked()
                                {
                                    actions.push(Action::Users(UsersAction::Unlock(u.user.id)));
                                }
                            }
                        });
                        ui.end_row();
                    }
                });
            ui.add_space(16.0);
            ui.label(RichText::new("利用者を追加").strong());
            egui::Grid::new("new-user").num_columns(2).show(ui, |ui| {
                field(ui, "新しい利用者名", &mut app.users.new_login, false);
                field(ui, "新しい利用者の氏名", &mut app.users.new_name, false);
                field(ui, "仮パスワード", &mut app.users.temp_password, true);
            });
            ui.horizontal(|ui| {
                ui.checkbox(&mut app.users.new_clerk, "担当者");
                ui.checkbox(&mut app.users.new_supervisor, "責任者");
                ui.checkbox(&mut app.users.new_admin, "管理者");
                ui.checkbox(&mut app.users.new_may_reveal, "個人番号閲覧権限");
            });
            ui.label(
            "仮パスワードは「仮パスワードを設定」にも使います。利用者は初回ログインで変更します。",
        );
            if ui.button("利用者を追加").clicked() {
                actions.push(Action::Users(UsersAction::Add));
            }
            ui.add_space(16.0);
            ui.label(RichText::new("パスワードと画面ロックの規則").strong());
            if let Some(p) = app.users.policy.as_mut() {
                egui::Grid::new("policy").num_columns(2).show(ui, |ui| {
                    number(
                        ui,
                        "パスワードの最小文字数",
                        &mut p.min_password_len,
                        8..=64,
                    );
                    number(ui, "ロックまでの失敗回数", &mut p.max_failures, 1..=20);
                    number(ui, "ロックの時間（分）", &mut p.lockout_minutes, 1..=1440);
                    number(
                        ui,
                        "パスワードの有効期限（日、0 は無期限）",
                        &mut p.password_expiry_days,
                        0..=3650,
                    );
                    number(
                        ui,
                        "画面ロックまでの時間（分）",
                        &mut p.idle_lock_minutes,
                        1..=120,
                    );
                });
                if ui.button("規則を保存").clicked() {
                    actions.push(Action::Users(UsersAction::SavePolicy));
                }
            }
            crate::settings::section(ui, app, actions);
            if app
                .session
                .as_ref()
                .is_some_and(|s| s.may(Permission::Backup))
            {
                ui.add_space(16.0);
                ui.label(RichText::new("バックアップ").strong());
                if ui.button("バックアップへ…").clicked() {
                    actions.push(Action::Backup(crate::BackupAction::Open));
                }
            }
            if app
                .session
                .as_ref()
                .is_some_and(|s| s.may(Permission::Purge))
            {
                ui.add_space(16.0);
                ui.label(RichText::new("業務の終了").strong());
                if ui.button("保管データの消去へ…").clicked() {
                    actions.push(Action::Purge(PurgeAction::Open));
                }
            }
        });
}
