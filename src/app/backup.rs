//! Backups (administrators) and the restore of one on a terminal without a store (from the
//! first run). The screen owns its state, its actions and their apply; what a backup holds,
//! how it is checked and the restore itself are the core's (`totsugo_core::backup`,
//! `Session::backup`). Both run off the UI thread with progress; a backup can be stopped.

use std::path::PathBuf;

use egui::{RichText, Ui};
use totsugo_core::auth::Permission;
use totsugo_core::backup::{FoundBackup, Manifest};
use totsugo_core::session::{BackupDone, Session, SessionError};
use zeroize::Zeroize;

use crate::widgets::{enter_pressed, field, message};
use crate::{Action, App, Job, Screen};

/// The backup and restore screens' state.
#[derive(Default)]
pub struct BackupScreen {
    /// The folder backups go into (typed, or chosen in the dialog).
    pub folder: String,
    /// The reminder's number of days, as edited.
    pub reminder_days: u32,
    /// The backup folder to restore from.
    pub restore_from: String,
    /// The administrator who restores (a login of the backup).
    pub restore_login: String,
    /// Their password (wiped after use).
    pub restore_password: String,
    /// The backups found in the folder typed (newest first).
    pub found: Vec<FoundBackup>,
    /// The folder `found` was read from.
    found_in: String,
    /// The restore under way.
    pub restore_job: Option<Job<Result<(Session, Manifest), SessionError>>>,
}

impl BackupScreen {
    /// Reads the backups in `folder` again when it changed.
    fn look_in(&mut self, folder: &str) {
        if self.found_in != folder {
            self.found_in = folder.to_string();
            self.found = totsugo_core::backup::list(&PathBuf::from(folder.trim()));
        }
    }
}

/// What the user can do on the backup and restore screens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackupAction {
    /// Open the backup screen (administrators).
    Open,
    /// Choose the folder in the file dialog.
    ChooseFolder,
    /// Write a backup into the folder.
    Start,
    /// Save the reminder's number of days.
    SaveReminder,
    /// Open the restore screen (first run, no store yet).
    OpenRestore,
    /// Back from the restore screen to the first run.
    CloseRestore,
    /// Restore from this backup folder.
    ChooseBackup(PathBuf),
    /// Restore (the backup folder, the login and the password are filled in).
    Restore,
}

impl App {
    /// Applies an action of the backup screens.
    pub(crate) fn apply_backup(&mut self, action: BackupAction) {
        match action {
            BackupAction::Open => {
                self.open_screen(Screen::Backup);
                if let Some(s) = &self.session {
                    self.backup.reminder_days = s.backup_reminder_days();
                    if self.backup.folder.is_empty()
                        && let Some(last) = s.last_backup()
                    {
                        self.backup.folder = PathBuf::from(last.folder)
                            .parent()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default();
                    }
                }
            }
            BackupAction::ChooseFolder => {
                // The folder named in the dialog (made if new) holds the backup folders.
                if let Some(dir) = self.pick_folder(
                    "totsugo-バックアップ",
                    Action::Backup(BackupAction::ChooseFolder),
                ) {
                    self.backup.folder = dir.display().to_string();
                }
            }
            BackupAction::Start => self.start_backup(),
            BackupAction::SaveReminder => {
                let days = self.backup.reminder_days;
                self.with_session(
                    |s| s.set_backup_reminder_days(days),
                    "催促の日数を保存しました",
                );
            }
            BackupAction::OpenRestore => self.open_screen(Screen::Restore),
            BackupAction::CloseRestore => {
                self.backup.restore_password.zeroize();
                self.open_screen(Screen::SetupInsurer);
            }
            BackupAction::ChooseBackup(p) => self.backup.restore_from = p.display().to_string(),
            BackupAction::Restore => self.start_restore(),
        }
    }

    /// Writes a backup off the UI thread (the session goes into the work and comes back).
    fn start_backup(&mut self) {
        let folder = PathBuf::from(self.backup.folder.trim());
        if folder.as_os_str().is_empty() {
            return self.error("バックアップを作るフォルダを入力するか、「選ぶ…」で選んでください");
        }
        self.start_work(
            "バックアップを作っています（ほかの人は作業を続けられます）".to_string(),
            true,
            move |s, c| {
                let r = s.backup(&folder, &mut |d, t| c.progress(d, t), c.cancel_flag());
                Box::new(move |app: &mut App| app.backup_done(r))
            },
        );
    }

    fn backup_done(&mut self, r: Result<Option<BackupDone>, SessionError>) {
        self.backup.found_in.clear();
        match r {
            Ok(Some(d)) => self.notice(format!(
                "バックアップを作りました: {}（{}、{:.1} 秒）",
                d.folder.display(),
                d.manifest.summary_ja(),
                d.elapsed.as_secs_f64()
            )),
            Ok(None) => self.notice("バックアップを取り消しました（途中のものは残していません）"),
            Err(e) => self.error(format!("バックアップを作れませんでした: {e}")),
        }
    }

    /// Restores off the UI thread: the checks and the login are the core's.
    fn start_restore(&mut self) {
        if self.backup.restore_job.is_some() {
            return;
        }
        let b = &mut self.backup;
        let from = PathBuf::from(b.restore_from.trim());
        if from.as_os_str().is_empty() || b.restore_login.trim().is_empty() {
            return self.error("バックアップのフォルダ、利用者名、パスワードを入力してください");
        }
        let login = b.restore_login.trim().to_string();
        let password = zeroize::Zeroizing::new(std::mem::take(&mut b.restore_password));
        let dir = self.dir.clone();
        self.message = None;
        self.backup.restore_job = Some(Job::spawn(self.waker(), move |_| {
            Session::restore_backup(&from, &dir, &login, &password)
        }));
    }

    /// Takes the restore's outcome: logged in on the restored store, or the reason.
    pub(crate) fn poll_restore(&mut self) {
        let Some(job) = self.backup.restore_job.as_mut() else {
            return;
        };
        let Some(outcome) = job.take() else { return };
        self.backup.restore_job = None;
        match outcome {
            Ok(Ok((session, manifest))) => {
                self.logged_in(session);
                self.notice(format!(
                    "バックアップから復元しました（{}）。ページの認証・整合性・操作記録のつながりを確かめました",
                    manifest.summary_ja()
                ));
            }
            Ok(Err(e)) => self.error(format!("復元できませんでした: {e}")),
            Err(_) => self.error("復元の処理が異常終了しました。もう一度お試しください"),
        }
    }
}

/// The backup screen (administrators).
pub fn ui(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    let Some(s) = &app.session else { return };
    if !s.may(Permission::Backup) {
        ui.label("バックアップは管理者が作ります。");
        return;
    }
    ui.heading("バックアップ");
    message(ui, app);
    ui.label(
        "保管データ（暗号化されたまま）、鍵スロット、目録（件数・操作記録の位置・チェックサム）を、選んだフォルダの中の新しいフォルダ「totsugo-backup-日付-時刻」に書き出します。作成中もほかの人は作業を続けられます（保存はコピーの間だけ待たされます）。",
    );
    ui.label(
        "保管場所とは別の媒体（暗号化した USB メモリ、ファイルサーバ等）を選び、鍵のかかる場所に保管してください。バックアップは、その時点のパスワードで開けます。利用者を無効にしたあとは、新しいバックアップを作り、古いものは消去してください。",
    );
    ui.add_space(6.0);
    let last = s.last_backup();
    ui.label(match &last {
        Some(l) => format!(
            "最後のバックアップ: {}　{}",
            totsugo_core::audit::time_ja(&l.at),
            l.folder
        ),
        None => "まだバックアップはありません。".to_string(),
    });
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let l = ui.label("作成先のフォルダ");
        ui.add(egui::TextEdit::singleline(&mut app.backup.folder).desired_width(360.0))
            .labelled_by(l.id);
        if ui.button("選ぶ…").clicked() {
            actions.push(Action::Backup(BackupAction::ChooseFolder));
        }
    });
    if ui
        .add_enabled(
            !app.backup.folder.trim().is_empty(),
            egui::Button::new("バックアップを作る"),
        )
        .clicked()
    {
        actions.push(Action::Backup(BackupAction::Start));
    }
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        let l = ui.label("最後のバックアップから");
        ui.add(egui::DragValue::new(&mut app.backup.reminder_days).range(1..=90))
            .labelled_by(l.id);
        ui.label("日たったらホーム画面で催促する");
        if ui.button("保存").clicked() {
            actions.push(Action::Backup(BackupAction::SaveReminder));
        }
    });
    ui.add_space(10.0);
    let folder = app.backup.folder.clone();
    app.backup.look_in(&folder);
    if !app.backup.found.is_empty() {
        ui.label(RichText::new("このフォルダにあるバックアップ").strong());
        for b in &app.backup.found {
            ui.label(format!(
                "・{}　{}",
                b.folder
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                b.manifest.summary_ja()
            ));
        }
    }
    ui.add_space(10.0);
    ui.label(
        RichText::new(
            "復元は、保管データのない端末で totsugo を開き、最初の画面の「バックアップから復元」から行います（コマンドでは totsugo restore --from フォルダ）。",
        )
        .weak(),
    );
}

/// The restore screen (first run: this terminal has no store yet).
pub fn restore(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("バックアップから復元");
    message(ui, app);
    ui.label(
        "故障のあとなど、保管データのない端末に totsugo のバックアップを戻します。戻す前に、目録のチェックサム、保管データのページの認証と整合性、操作記録のつながりを確かめます。ログインには、バックアップを作った時点の管理者の利用者名とパスワードを使います。",
    );
    ui.label(
        RichText::new(format!("復元先: {}", app.dir.display()))
            .weak()
            .monospace(),
    );
    ui.add_space(6.0);
    let running = app.backup.restore_job.is_some();
    let b = &mut app.backup;
    let submitted = egui::Grid::new("restore")
        .num_columns(2)
        .show(ui, |ui| {
            field(ui, "バックアップのフォルダ", &mut b.restore_from, false);
            field(ui, "利用者名（管理者）", &mut b.restore_login, false);
            let pw = field(ui, "パスワード", &mut b.restore_password, true);
            enter_pressed(ui, &pw)
        })
        .inner;
    if submitted && !running {
        actions.push(Action::Backup(BackupAction::Restore));
    }
    // A drive's folder typed: the backups in it, to click.
    let from = app.backup.restore_from.clone();
    app.backup.look_in(&from);
    if !app.backup.found.is_empty() {
        ui.label(RichText::new("このフォルダにあるバックアップ（選ぶと上に入ります）").strong());
        for b in &app.backup.found {
            let name = b
                .folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if ui
                .button(format!("{name}　{}", b.manifest.summary_ja()))
                .clicked()
            {
                actions.push(Action::Backup(BackupAction::ChooseBackup(b.folder.clone())));
            }
        }
    }
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!running, egui::Button::new("復元する"))
            .clicked()
        {
            actions.push(Action::Backup(BackupAction::Restore));
        }
        if ui
            .add_enabled(!running, egui::Button::new("戻る"))
            .clicked()
        {
            actions.push(Action::Backup(BackupAction::CloseRestore));
        }
        if running {
            ui.spinner();
            ui.label("確かめながら復元しています…");
        }
    });
}

/// The home screen's reminder when the last backup is old (the rule is the core's), with the
/// way to the backup screen.
pub fn reminder(ui: &mut Ui, s: &Session, actions: &mut Vec<Action>) {
    let Some(text) = s.backup_reminder() else {
        return;
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(text).color(crate::desk::RED).strong());
        if ui.button("バックアップへ").clicked() {
            actions.push(Action::Backup(BackupAction::Open));
        }
    });
    ui.add_space(8.0);
}
