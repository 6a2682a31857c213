//! The account: logging in and out, the idle lock (the screen hidden until the password is
//! typed again, without losing what was open) and the password-change dialog (forced for a
//! temporary or expired password). Every password check runs off the UI thread (argon2 takes
//! a good part of a second). The screen owns its state, its actions and their apply.

use std::time::Instant;
use zeroize::{Zeroize, Zeroizing};

use egui::Ui;

use crate::widgets::{checking, enter_pressed, field, message};
use crate::{Action, App, Job, Screen};
use totsugo_core::session::{Session, SessionError};

/// A password check under way.
enum AuthJob {
    /// Logging in.
    Login(Job<Result<Session, SessionError>>),
    /// Lifting the idle lock (the session is in the job meanwhile).
    Unlock(Job<(Session, Result<(), SessionError>)>),
}

/// What the login, the lock screen and the password dialog hold.
#[derive(Default)]
pub struct AccountScreen {
    /// Login: the login name.
    pub login: String,
    /// Login: the password.
    pub password: String,
    /// Lock screen: the password.
    pub unlock_password: String,
    /// Password dialog: the current password.
    pub old_password: String,
    /// Password dialog: the new password.
    pub new_password: String,
    /// Password dialog: the new password again.
    pub new_password_again: String,
    /// The password dialog is open.
    pub dialog: bool,
    job: Option<AuthJob>,
}

impl AccountScreen {
    /// Whether a password is being checked.
    pub fn checking(&self) -> bool {
        self.job.is_some()
    }

    fn clear_dialog(&mut self) {
        self.old_password.zeroize();
        self.new_password.zeroize();
        self.new_password_again.zeroize();
    }
}

/// What the user can do about their account and the lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountAction {
    /// Log in with the login form.
    Login,
    /// Log out.
    Logout,
    /// Lift the idle lock with the lock screen's password.
    Unlock,
    /// Open the password-change dialog.
    OpenPasswordDialog,
    /// Close the password-change dialog (not while a change is required).
    ClosePasswordDialog,
    /// Change the password with the dialog's fields.
    ChangePassword,
}

impl App {
    /// Applies an action of the account.
    pub(crate) fn apply_account(&mut self, action: AccountAction) {
        match action {
            AccountAction::Login => {
                if self.account.job.is_some() {
                    return;
                }
                let (dir, login, pw) = (
                    self.dir.clone(),
                    self.account.login.trim().to_string(),
                    Zeroizing::new(std::mem::take(&mut self.account.password)),
                );
                self.message = None;
                self.account.job = Some(AuthJob::Login(Job::spawn(self.waker(), move |_| {
                    Session::login(&dir, &login, &pw)
                })));
            }
            AccountAction::Logout => self.log_out(),
            AccountAction::Unlock => self.unlock_screen(),
            AccountAction::OpenPasswordDialog => {
                self.account.dialog = true;
                self.message = None;
            }
            AccountAction::ClosePasswordDialog => {
                if !self
                    .session
                    .as_ref()
                    .is_some_and(|s| s.must_change_password())
                {
                    self.account.dialog = false;
                    self.account.clear_dialog();
                }
            }
            AccountAction::ChangePassword => self.change_password(),
        }
    }

    /// Ends the session and starts again from the login (the file dialog stays).
    pub(crate) fn log_out(&mut self) {
        if let Some(s) = self.session.take() {
            let _ = s.logout();
        }
        let picker = std::mem::replace(&mut self.picker, Box::new(crate::NativePicker));
        let ctx = self.ctx.take();
        *self = App::for_store(std::mem::take(&mut self.dir));
        self.picker = picker;
        self.ctx = ctx;
    }

    /// The user is in: home, and the password dialog when a change is required.
    pub(crate) fn logged_in(&mut self, session: Session) {
        self.account.password.zeroize();
        self.account.dialog = session.must_change_password();
        // A store made before the kind of insurer existed asks its administrator once.
        self.screen = if session.must_choose_insurer_kind() {
            Screen::ChooseKind
        } else {
            Screen::Home
        };
        self.desk.auto_advance = session.auto_advance();
        let mut session = session;
        let resumed = session.take_resumed_rekey();
        self.session = Some(session);
        self.last_activity = Instant::now();
        self.message = None;
        self.refresh();
        // A disable or a reset interrupted before its re-key: done now, and its new recovery
        // key shown once, as after the disable itself.
        if let Some(r) = resumed {
            self.rekeyed(
                Ok(r),
                "前回中断された鍵の更新（利用者の無効化・パスワード再設定）をやり直しました",
            );
            self.setup.recovery_after = Some(Screen::Home);
        }
    }

    /// Changes the password off the UI thread (the old one is checked, the new one hashed).
    fn change_password(&mut self) {
        let a = &self.account;
        if a.new_password != a.new_password_again {
            return self.error("2回入力したパスワードが一致しません");
        }
        let (old, new) = (
            Zeroizing::new(a.old_password.clone()),
            Zeroizing::new(a.new_password.clone()),
        );
        self.start_work(
            "パスワードを変更しています".to_string(),
            false,
            move |s, _| {
                let r = s.change_password(&old, &new);
                Box::new(move |app: &mut App| match r {
                    Ok(()) => {
                        app.account.dialog = false;
                        app.account.clear_dialog();
                        app.notice("パスワードを変更しました");
                        app.refresh();
                    }
                    Err(e) => app.error(e),
                })
            },
        );
    }

    fn unlock_screen(&mut self) {
        if self.account.job.is_some() {
            return;
        }
        let pw = Zeroizing::new(std::mem::take(&mut self.account.unlock_password));
        let Some(s) = self.session.take() else {
            return;
        };
        self.message = None;
        self.account.job = Some(AuthJob::Unlock(Job::spawn(self.waker(), move |_| {
            let r = s.verify_password(&pw);
            (s, r)
        })));
    }

    /// Takes the result of a finished password check.
    pub(crate) fn poll_account(&mut self) {
        let finished = match &self.account.job {
            Some(AuthJob::Login(j)) => j.finished(),
            Some(AuthJob::Unlock(j)) => j.finished(),
            None => false,
        };
        if !finished {
            return;
        }
        match self.account.job.take() {
            Some(AuthJob::Login(mut j)) => match j.take() {
                Some(Ok(Ok(session))) => self.logged_in(session),
                Some(Ok(Err(e))) => self.error(e),
                _ => self.error(crate::CRASHED),
            },
            Some(AuthJob::Unlock(mut j)) => match j.take() {
                Some(Ok((session, r))) => {
                    self.session = Some(session);
                    match r {
                        Ok(()) => {
                            self.locked = false;
                            self.last_activity = Instant::now();
                            self.message = None;
                        }
                        Err(e @ SessionError::Locked { .. }) => {
                            let msg = e.to_string();
                            self.log_out();
                            self.error(msg);
                        }
                        Err(e) => self.error(e),
                    }
                }
                _ => {
                    // The session went down with the thread: start again from the login.
                    self.log_out();
                    self.error(crate::CRASHED);
                }
            },
            None => {}
        }
    }
}

/// Login.
pub fn login(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("ログイン");
    ui.add_space(8.0);
    message(ui, app);
    let mut submit = false;
    egui::Grid::new("login").num_columns(2).show(ui, |ui| {
        let name = field(ui, "利用者名", &mut app.account.login, false);
        let r = field(ui, "パスワード", &mut app.account.password, true);
        submit |= enter_pressed(ui, &r);
        // Ready to type: the name field, or the password when the name is already there.
        if ui.memory(|m| m.focused().is_none()) {
            if app.account.login.is_empty() {
                name.request_focus();
            } else {
                r.request_focus();
            }
        }
    });
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui.button("ログイン").clicked() || submit {
            actions.push(Action::Account(AccountAction::Login));
        }
        checking(ui, app, "パスワードを確認しています…");
    });
}

/// The idle lock: nothing of the work shows.
pub fn lock_screen(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("画面をロックしました");
    ui.label("しばらく操作がなかったため、表示していた内容を隠しています。");
    ui.label("続けるにはパスワードを入力してください。開いていた画面はそのまま戻ります。");
    ui.add_space(8.0);
    message(ui, app);
    let mut submit = false;
    egui::Grid::new("unlock").num_columns(2).show(ui, |ui| {
        let r = field(ui, "パスワード", &mut app.account.unlock_password, true);
        submit |= enter_pressed(ui, &r);
        // Ready to type the password (issue 13: typing went nowhere).
        if ui.memory(|m| m.focused().is_none()) {
            r.request_focus();
        }
    });
    ui.horizontal(|ui| {
        if ui.button("ロック解除").clicked() || submit {
            actions.push(Action::Account(AccountAction::Unlock));
        }
        if ui.button("ログアウト").clicked() {
            actions.push(Action::Account(AccountAction::Logout));
        }
        checking(ui, app, "パスワードを確認しています…");
    });
}

/// The password-change dialog (cannot be closed while a change is required).
pub fn password_dialog(ctx: &egui::Context, app: &mut App, actions: &mut Vec<Action>) {
    let forced = app
        .session
        .as_ref()
        .is_some_and(|s| s.must_change_password());
    let modal = egui::Modal::new(egui::Id::unique("password-dialog")).show(ctx, |ui| {
        ui.heading("パスワードの変更");
        if forced {
            ui.label(
                "仮パスワードのまま、または有効期限切れのため、パスワードを変更してください。",
            );
        }
        message(ui, app);
        let mut submit = false;
        egui::Grid::new("password").num_columns(2).show(ui, |ui| {
            let first = field(ui, "今のパスワード", &mut app.account.old_password, true);
            // Ready to type (issue 13: nothing had focus in the dialog).
            if ui.memory(|m| m.focused().is_none()) {
                first.request_focus();
            }
            field(ui, "新しいパスワード", &mut app.account.new_password, true);
            let r = field(
                ui,
                "新しいパスワード（確認）",
                &mut app.account.new_password_again,
                true,
            );
            submit |= enter_pressed(ui, &r);
        });
        ui.horizontal(|ui| {
            if ui.button("変更する").clicked() || submit {
                actions.push(Action::Account(AccountAction::ChangePassword));
            }
            if !forced && ui.button("閉じる").clicked() {
                actions.push(Action::Account(AccountAction::ClosePasswordDialog));
            }
            if forced && ui.button("ログアウト").clicked() {
                actions.push(Action::Account(AccountAction::Logout));
            }
        });
    });
    // Escape closes it, unless the change is required.
    if modal.should_close() && !forced {
        actions.push(Action::Account(AccountAction::ClosePasswordDialog));
    }
}
