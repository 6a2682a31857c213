//! The guided first run: (1) the insurer and the letterhead, (2) the first administrator and
//! the store's key (off the UI thread: argon2), (3) the recovery key, shown once, with a sheet
//! to print, (4) the first data: the demo file, a real file, or later. The screen owns its
//! state, its actions and their apply.

use egui::{RichText, Ui};
use zeroize::{Zeroize, Zeroizing};

use crate::widgets::{checking, field, letterhead_fields, message};
use crate::{Action, App, ImportAction, Job, Screen};
use totsugo_core::letters::LetterSettings;
use totsugo_core::session::{Session, SessionError};
use totsugo_core::vault::RecoveryKey;

/// What the first run shows and what has been typed on it.
pub struct SetupScreen {
    /// Step 1: the insurer's name and letterhead (they become the letter settings).
    pub letterhead: LetterSettings,
    /// Step 1: the kind of insurer.
    pub kind: Option<totsugo_core::insurer::InsurerKind>,
    /// Step 2: the first administrator's login name.
    pub login: String,
    /// Step 2: their name.
    pub display_name: String,
    /// Step 2: their password.
    pub password: String,
    /// Step 2: the password again.
    pub password_again: String,
    /// Step 3: "I wrote the recovery key down".
    pub recovery_noted: bool,
    /// Where to go once a recovery key shown after a re-key (not the first run) is noted.
    pub recovery_after: Option<crate::Screen>,
    /// Step 2's work: the store, the key and the administrator (argon2 takes a moment).
    job: Option<Job<Result<(Session, RecoveryKey), SessionError>>>,
}

impl Default for SetupScreen {
    fn default() -> SetupScreen {
        SetupScreen {
            letterhead: LetterSettings::blank(),
            kind: None,
            login: String::new(),
            display_name: String::new(),
            password: String::new(),
            password_again: String::new(),
            recovery_noted: false,
            recovery_after: None,
            job: None,
        }
    }
}

impl SetupScreen {
    /// Whether the store and the first administrator are being made.
    pub fn working(&self) -> bool {
        self.job.is_some()
    }
}

/// What the user can do on the first run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupAction {
    /// The insurer's details are typed; on to the administrator.
    InsurerDone,
    /// Back to the insurer's details.
    Back,
    /// Create the store and the first administrator.
    CreateAdmin,
    /// Save the recovery sheet (PDF) to print.
    SaveRecoverySheet,
    /// The recovery key has been written down.
    RecoveryKeyNoted,
}

impl App {
    /// Applies an action of the first run.
    pub(crate) fn apply_setup(&mut self, action: SetupAction) {
        match action {
            SetupAction::InsurerDone => match self.setup.letterhead.clone().checked() {
                Ok(_) if self.setup.kind.is_none() => {
                    self.error("保険者の種別を選んでください（通知文の書き方や報告先が決まります）")
                }
                Ok(l) => {
                    self.setup.letterhead = l;
                    self.open_screen(Screen::Setup);
                }
                Err(e) => self.error(e),
            },
            SetupAction::Back => self.open_screen(Screen::SetupInsurer),
            SetupAction::CreateAdmin => self.create_admin(),
            SetupAction::SaveRecoverySheet => self.save_recovery_sheet(),
            SetupAction::RecoveryKeyNoted => {
                self.setup.recovery_noted = false;
                match self.setup.recovery_after.take() {
                    Some(next) => self.open_screen(next),
                    None => self.open_screen(Screen::FirstData),
                }
            }
        }
    }

    /// Makes the store, its key and the first administrator off the UI thread; the insurer's
    /// details typed in step 1 become the letter settings.
    fn create_admin(&mut self) {
        let f = &self.setup;
        if f.password != f.password_again {
            return self.error("2回入力したパスワードが一致しません");
        }
        if f.job.is_some() {
            return;
        }
        let (dir, login, name, pw, letters, kind) = (
            self.dir.clone(),
            f.login.trim().to_string(),
            f.display_name.trim().to_string(),
            Zeroizing::new(f.password.clone()),
            f.letterhead.clone(),
            f.kind,
        );
        self.message = None;
        self.setup.job = Some(Job::spawn(self.waker(), move |_| {
            let (session, key) = Session::init(&dir, &login, &name, &pw)?;
            if let Some(k) = kind {
                session.set_insurer_kind(k)?;
            }
            session.set_letter_settings(&letters)?;
            Ok((session, key))
        }));
    }

    /// Takes the store's new session and shows the recovery key once.
    pub(crate) fn poll_setup(&mut self) {
        let Some(job) = self.setup.job.as_mut() else {
            return;
        };
        let Some(outcome) = job.take() else { return };
        self.setup.job = None;
        match outcome {
            Ok(Ok((session, key))) => {
                self.setup.password.zeroize();
                self.setup.password_again.zeroize();
                self.logged_in(session);
                self.screen = Screen::RecoveryKey(key.grouped());
            }
            Ok(Err(e)) => self.error(e),
            Err(_) => self.error(crate::CRASHED),
        }
    }

    /// Saves the recovery sheet (PDF) where the administrator chooses, through the one
    /// output writer (remembered for a purge, audited without the key), off the UI thread.
    fn save_recovery_sheet(&mut self) {
        let Screen::RecoveryKey(k) = &self.screen else {
            return;
        };
        let key = RecoveryKey::parse(k);
        let Some(path) = self.save_path(
            "totsugo-復旧キー.pdf",
            crate::Action::Setup(SetupAction::SaveRecoverySheet),
        ) else {
            return;
        };
        let dir = self.dir.clone();
        self.start_work("復旧キーの用紙を保存しています".to_string(), false, move |s, _| {
            let doc = key.sheet(&dir, &s.user().display_name, &totsugo_core::audit::now_local());
            let r = totsugo_core::pdf::render(&doc)
                .map_err(|e| e.to_string())
                .and_then(|pdf| {
                    s.write_output(&path, &pdf, "recovery_sheet", "recovery", "復旧キーの用紙")
                        .map_err(|e| e.to_string())
                });
            Box::new(move |app: &mut App| match r {
                Ok(()) => app.notice(format!(
                    "復旧キーの用紙を {} に保存しました。印刷したら、このファイルは削除してください。",
                    path.display()
                )),
                Err(e) => app.error(e),
            })
        });
    }
}

/// The steps of the first run, the current one in bold.
fn setup_steps(ui: &mut Ui, current: usize) {
    ui.heading("初期設定");
    ui.horizontal_wrapped(|ui| {
        for (i, step) in ["保険者", "最初の管理者", "復旧キー", "最初のデータ"]
            .iter()
            .enumerate()
        {
            if i > 0 {
                ui.label("›");
            }
            let text = RichText::new(format!("{} {step}", i + 1));
            ui.label(if i + 1 == current {
                text.strong().color(ui.visuals().strong_text_color())
            } else {
                text.weak()
            });
        }
    });
    ui.separator();
}

/// First run, step 1: the insurer's name and the letterhead of the notice letters.
pub fn setup_insurer(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    setup_steps(ui, 1);
    ui.label("totsugo へようこそ。はじめに、この端末で点検する保険者を登録します。");
    ui.label(
        "保険者の種別と保険者名は必須です（種別で通知文の書き方、事業主への確認の有無、番号誤りの連絡先と報告先が決まります）。ほかの項目は通知文の差出人と問い合わせ先になります。あとで「利用者の管理」画面で変更できます。",
    );
    ui.label(
        RichText::new(format!("保管場所: {}", app.dir.display()))
            .weak()
            .monospace(),
    );
    ui.add_space(8.0);
    message(ui, app);
    let l = &mut app.setup.letterhead;
    let kind = &mut app.setup.kind;
    egui::Grid::new("setup-insurer")
        .num_columns(2)
        .show(ui, |ui| {
            crate::widgets::insurer_kind(ui, kind);
            letterhead_fields(ui, l);
        });
    ui.add_space(8.0);
    if ui.button("次へ").clicked() {
        actions.push(Action::Setup(SetupAction::InsurerDone));
    }
    ui.add_space(16.0);
    ui.label(
        RichText::new("故障などで端末を替えたときは、新しく始めずにバックアップから戻せます。")
            .weak(),
    );
    if ui.button("バックアップから復元…").clicked() {
        actions.push(Action::Backup(crate::BackupAction::OpenRestore));
    }
}

/// First run, step 2: the first administrator.
pub fn administrator(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    setup_steps(ui, 2);
    ui.label(
        "この端末の保管場所を準備し、最初の管理者を作成します。既定のパスワードはありません。",
    );
    ui.add_space(8.0);
    message(ui, app);
    egui::Grid::new("setup").num_columns(2).show(ui, |ui| {
        field(ui, "利用者名", &mut app.setup.login, false);
        field(ui, "氏名", &mut app.setup.display_name, false);
        field(ui, "パスワード", &mut app.setup.password, true);
        field(
            ui,
            "パスワード（確認）",
            &mut app.setup.password_again,
            true,
        );
    });
    ui.label(format!(
        "パスワードは {} 文字以上。利用者名を含めないでください。",
        totsugo_core::vault::Policy::default().min_password_len
    ));
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!app.checking_password(), egui::Button::new("戻る"))
            .clicked()
        {
            actions.push(Action::Setup(SetupAction::Back));
        }
        if ui.button("管理者を作成").clicked() {
            actions.push(Action::Setup(SetupAction::CreateAdmin));
        }
        checking(ui, app, "保管場所と鍵を準備しています…");
    });
}

/// First run, step 4: practice with the demo data, import the real file, or neither yet.
pub fn first_data(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    setup_steps(ui, 4);
    ui.label("準備ができました。突合結果ファイルを取り込むと、不一致の点検を始められます。");
    ui.add_space(8.0);
    message(ui, app);
    ui.horizontal(|ui| {
        if ui.button("突合結果ファイルを取り込む").clicked() {
            actions.push(Action::Import(ImportAction::Open));
        }
        ui.label("実施機関から受け取った CSV を選びます。");
    });
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if ui.button("デモデータで練習する").clicked() {
            actions.push(Action::Import(ImportAction::Demo));
        }
        ui.label(
            "架空の 2,000 行です。本番の保管場所には取り込まないでください（件数の報告に混ざります）。",
        );
    });
    ui.add_space(4.0);
    if ui.button("あとで").clicked() {
        actions.push(Action::OpenHome);
    }
}

/// The recovery key, shown once.
pub fn recovery_key(ui: &mut Ui, app: &mut App, key: &str, actions: &mut Vec<Action>) {
    if app.setup.recovery_after.is_none() {
        setup_steps(ui, 3);
        ui.label(RichText::new("復旧キー").strong());
    } else {
        ui.label(RichText::new("新しい復旧キー").strong());
        ui.label(
            "保管データの鍵を新しくしたため、復旧キーも新しくなりました。前の復旧キーの用紙は使えません（シュレッダーで処分してください）。",
        );
    }
    ui.label("管理者全員がパスワードを失ったとき、この復旧キーだけが保管データを開けます。");
    ui.label(
        "この画面でしか表示しません。紙に書き写すか印刷して、鍵のかかる場所に保管してください。",
    );
    ui.add_space(12.0);
    ui.label(RichText::new(key).monospace().size(28.0).strong());
    ui.add_space(12.0);
    message(ui, app);
    if ui.button("印刷用の用紙（PDF）を保存").clicked() {
        actions.push(Action::Setup(SetupAction::SaveRecoverySheet));
    }
    ui.add_space(8.0);
    ui.checkbox(
        &mut app.setup.recovery_noted,
        "復旧キーを書き留めて保管しました",
    );
    if ui
        .add_enabled(app.setup.recovery_noted, egui::Button::new("次へ"))
        .clicked()
    {
        actions.push(Action::Setup(SetupAction::RecoveryKeyNoted));
    }
}
