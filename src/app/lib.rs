//! The desktop app (突合結果レビュー): draws the state and turns what the user does into
//! [`Action`]s that go to the core ([`totsugo_core::session::Session`]). No domain rule lives here.
//!
//! Screens: the guided first run (the insurer and letterhead, the first administrator, the
//! recovery key, the first data), login, home, the review desk (list, review, approval;
//! `desk`), import (`importer`), letters (`letters`), release requests (`release`), the count
//! report (`report`), user administration with the settings, the purge (`purge`), the
//! password-change dialog, and the idle lock that hides every screen until the password is
//! typed again, without losing what was open. The letters, release, report and purge screens
//! each own their state, their action enum and its apply; the others still draw from `views`
//! and apply here.
//!
//! Long work runs as a [`Job`] (`jobs`: progress, a stop button, a repaint waker): password
//! checks, the import, the purge, and, with the session moved into the job
//! ([`SessionWork`]), printing letters and writing the release files, the count report and
//! the wrong-number forms.

mod desk;
mod fonts;
mod importer;
mod jobs;
mod letters;
mod purge;
mod release;
mod report;
mod views;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use totsugo_core::auth::{Role, Roles};
use totsugo_core::session::{Session, SessionError, UserStatus};
use totsugo_core::summary::Counts;
use totsugo_core::vault::Policy;

pub use desk::{Desk, OpenRecord};
pub use fonts::install_fonts;
pub use importer::{FilePicker, FixedPicker, ImportScreen, NativePicker};
pub use jobs::{Control, Job, SessionWork};
pub use letters::{LettersAction, LettersScreen};
pub use purge::{PurgeAction, PurgeScreen};
pub use release::{ReleaseAction, ReleaseScreen};
pub use report::{ReportAction, ReportScreen};

/// A password check running off the UI thread (argon2 takes a good part of a second).
pub enum AuthJob {
    /// First run: the first administrator and the store key.
    Setup(Job<Result<(Session, totsugo_core::vault::RecoveryKey), SessionError>>),
    /// Logging in.
    Login(Job<Result<Session, SessionError>>),
    /// Lifting the idle lock (the session is in the job meanwhile).
    Unlock(Job<(Session, Result<(), SessionError>)>),
}

/// The window title.
pub const TITLE: &str = "突合結果レビュー";

/// What the user asked for; applied after the frame is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// First run: the insurer's details are typed; on to the administrator.
    SetupInsurerDone,
    /// First run: back to the insurer's details.
    SetupBack,
    /// Create the first administrator.
    Setup,
    /// The recovery key has been written down.
    RecoveryKeyNoted,
    /// Save the recovery sheet (PDF) to print.
    SaveRecoverySheet,
    /// Log in with the login form.
    Login,
    /// Log out.
    Logout,
    /// Go to the home screen.
    OpenHome,
    /// Go to user administration.
    OpenUsers,
    /// Open the password-change dialog.
    OpenPasswordDialog,
    /// Close the password-change dialog.
    ClosePasswordDialog,
    /// Change the password with the dialog's fields.
    ChangePassword,
    /// Add a user from the form.
    AddUser,
    /// Disable a user.
    DisableUser(i64),
    /// Set a temporary password (from the form's field) for a user.
    ResetPassword(i64),
    /// Lift a lockout.
    UnlockUser(i64),
    /// Save the account rules from the form.
    SavePolicy,
    /// Lift the idle lock with the lock screen's password.
    UnlockScreen,
    /// Open the mismatch list.
    OpenMismatches,
    /// Reload the list after a filter change.
    ReloadList,
    /// Load the next page of the list.
    LoadMore,
    /// Open a record on the review screen.
    OpenRecord(i64),
    /// Open the first undecided record in work order (① first).
    OpenNextUndecided,
    /// The next record of the list.
    NextRecord,
    /// The previous record of the list.
    PrevRecord,
    /// Record a decision on the open record.
    Decide(totsugo_core::review::Choice),
    /// Record the decision waiting for confirmation, with the memo.
    ConfirmDecision,
    /// Drop the decision waiting for confirmation.
    CancelDecision,
    /// Undo this user's last decision.
    UndoDecision,
    /// Open the supervisor's approval screen.
    OpenBatches,
    /// Approve the pending batch at this position.
    ApproveBatch(usize),
    /// Send the open record back with the reason typed on the review screen.
    SendBack,
    /// Show the open record's full My Number (with the right; audited).
    RevealMyNumber,
    /// Open the import screen.
    OpenImport,
    /// Import the bundled demo file (synthetic data for practice).
    ImportDemo,
    /// An action of the purge screen.
    Purge(PurgeAction),
    /// Choose the file to import.
    PickImportFile,
    /// Detect the chosen file's encoding again.
    DetectImportFile,
    /// Start importing the chosen file.
    StartImport,
    /// Stop the running import (the store stays as it was).
    CancelImport,
    /// Assign the list's records still to do to the chosen person (supervisors).
    Assign,
    /// Group the approval screen's batches this way.
    GroupBatches(totsugo_core::review::BatchGrouping),
    /// Save the release cut-off schedule typed on the settings form (administrators).
    SaveReleaseSchedule,
    /// Record the reply (or the employer's answer) for the open record.
    RecordFollowUp(totsugo_core::review::FollowUp),
    /// Compare the 4 digits typed on the review screen with the registered number.
    CheckLastFour,
    /// Save the letter settings typed on the settings screen (administrators).
    SaveLetterSettings,
    /// Write the wrong-number form drafts and the similar-case list of the open record.
    WriteWrongNumberForms,
    /// Save the release-request format from the settings screen (administrators).
    SaveReleaseFormat,
    /// Stop the work under way (where it can stop cleanly).
    CancelWork,
    /// An action of the letters screen.
    Letters(LettersAction),
    /// An action of the release-request screen.
    Release(ReleaseAction),
    /// An action of the count-report screen.
    Report(ReportAction),
}

/// Which screen is open (under the idle lock, it stays as it was).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    /// First run, step 1: the insurer's name and letterhead.
    SetupInsurer,
    /// First run, step 2: create the first administrator.
    Setup,
    /// Show the recovery key once (first run, step 3).
    RecoveryKey(String),
    /// First run, step 4: load the demo data, a real file, or nothing yet.
    FirstData,
    /// Log in.
    Login,
    /// What the user may do today.
    Home,
    /// User administration.
    Users,
    /// The mismatch list.
    Mismatches,
    /// The review screen of the open record.
    Review,
    /// The supervisor's approval screen.
    Batches,
    /// Import a match-result file.
    Import,
    /// The count report.
    Report,
    /// Release requests (閲覧停止解除依頼).
    Release,
    /// Notice letters to print.
    Letters,
    /// The end of the work: delete everything, with a deletion record (administrators).
    Purge,
}

/// Text fields of the forms.
#[derive(Clone, Debug, Default)]
pub struct Forms {
    /// Login / setup: login name.
    pub login: String,
    /// Setup: display name.
    pub display_name: String,
    /// Login / setup: password.
    pub password: String,
    /// Setup / dialogs: password again.
    pub password_again: String,
    /// Password dialog: current password.
    pub old_password: String,
    /// Lock screen: password.
    pub unlock_password: String,
    /// New user: login.
    pub new_login: String,
    /// New user: name.
    pub new_name: String,
    /// New user: roles.
    pub new_clerk: bool,
    /// New user: supervisor.
    pub new_supervisor: bool,
    /// New user: administrator.
    pub new_admin: bool,
    /// New user: may see the full My Number.
    pub new_may_reveal: bool,
    /// New user / reset: temporary password.
    pub temp_password: String,
    /// Recovery key screen: "I wrote it down".
    pub recovery_noted: bool,
    /// Account rules being edited.
    pub policy: Option<Policy>,
    /// The release cut-off schedule being edited.
    pub release_schedule: Option<String>,
    /// The letter settings being edited.
    pub letters: Option<totsugo_core::letters::LetterSettings>,
    /// The letters' reply deadline as typed (YYYY-MM-DD; empty: 14 days after issue).
    pub letters_deadline: String,
    /// The release-request format being edited.
    pub release_format: Option<totsugo_core::release::RequestFormat>,
}

/// The app's whole state.
pub struct App {
    dir: PathBuf,
    /// The open screen.
    pub screen: Screen,
    /// The logged-in session.
    pub session: Option<Session>,
    /// Form fields.
    pub forms: Forms,
    /// The password dialog is open.
    pub password_dialog: bool,
    /// The idle lock is on.
    pub locked: bool,
    /// A message for the user (errors in red, notices in the normal colour).
    pub message: Option<(bool, String)>,
    last_activity: Instant,
    counts: Option<Counts>,
    progress: Option<totsugo_core::session::ReviewProgress>,
    users: Vec<UserStatus>,
    /// The review desk: list and open record.
    pub desk: Desk,
    /// The import screen and its running job.
    pub importer: ImportScreen,
    picker: Box<dyn FilePicker>,
    ctx: Option<egui::Context>,
    /// The password check under way.
    pub auth_job: Option<AuthJob>,
    /// The folder holding the demo file while it is imported.
    demo_dir: Option<PathBuf>,
    /// The purge screen.
    pub purge: PurgeScreen,
    /// The count-report screen.
    pub report: ReportScreen,
    /// The release-request screen.
    pub release: ReleaseScreen,
    /// The letters screen.
    pub letters: LettersScreen,
    /// Work under way with the session in it (printing letters, writing files).
    pub work: Option<SessionWork<App>>,
}

impl App {
    /// The app for the store in `dir`, with fonts installed on the context.
    pub fn new(cc: &eframe::CreationContext<'_>, dir: PathBuf) -> App {
        install_fonts(&cc.egui_ctx);
        let mut app = App::for_store(dir);
        app.ctx = Some(cc.egui_ctx.clone());
        app
    }

    /// The app's state for the store in `dir` (no context needed).
    pub fn for_store(dir: PathBuf) -> App {
        let first_run = !Session::is_initialised(&dir);
        let screen = if first_run {
            Screen::SetupInsurer
        } else {
            Screen::Login
        };
        App {
            dir,
            screen,
            session: None,
            forms: Forms {
                new_clerk: true,
                letters: first_run.then(totsugo_core::letters::LetterSettings::blank),
                ..Default::default()
            },
            password_dialog: false,
            locked: false,
            message: None,
            last_activity: Instant::now(),
            counts: None,
            progress: None,
            users: Vec::new(),
            desk: Desk::default(),
            importer: ImportScreen::default(),
            picker: Box::new(NativePicker),
            ctx: None,
            auth_job: None,
            demo_dir: None,
            purge: PurgeScreen::default(),
            report: ReportScreen::default(),
            release: ReleaseScreen::default(),
            letters: LettersScreen::default(),
            work: None,
        }
    }

    /// Replaces the file dialog (tests inject paths with [`FixedPicker`]).
    pub fn set_picker(&mut self, picker: Box<dyn FilePicker>) {
        self.picker = picker;
    }

    /// Whether an import is running.
    pub fn importing(&self) -> bool {
        self.importer.job.is_some()
    }

    /// Moves the last activity back, as if nobody had touched the app for `d` (for tests and
    /// demonstrations of the idle lock).
    pub fn pretend_idle(&mut self, d: Duration) {
        self.last_activity = Instant::now().checked_sub(d).unwrap_or(self.last_activity);
    }

    fn error(&mut self, e: impl std::fmt::Display) {
        self.message = Some((true, e.to_string()));
    }

    fn notice(&mut self, m: impl Into<String>) {
        self.message = Some((false, m.into()));
    }

    fn idle_limit(&self) -> Option<Duration> {
        self.session
            .as_ref()
            .map(|s| Duration::from_secs(s.policy().idle_lock_minutes as u64 * 60))
    }

    /// Locks the screen after the idle period; any input counts as activity.
    fn watch_idle(&mut self, ctx: &egui::Context) {
        let active = ctx.input(|i| {
            !i.events.is_empty() || i.pointer.delta() != egui::Vec2::ZERO || i.pointer.any_down()
        });
        let Some(limit) = self.idle_limit() else {
            return;
        };
        if self.locked {
            return;
        }
        if active {
            self.last_activity = Instant::now();
        } else if self.last_activity.elapsed() >= limit {
            self.locked = true;
            self.forms.unlock_password.clear();
            self.message = None;
        }
        ctx.request_repaint_after(Duration::from_secs(1));
    }

    fn refresh(&mut self) {
        let Some(s) = &self.session else { return };
        self.counts = s.summary().ok();
        self.progress = s.review_progress().ok();
        self.report.shown = s.count_report(self.report.approved_only).ok();
        self.users = s.users().unwrap_or_default();
        if self.forms.policy.is_none() {
            self.forms.policy = Some(s.policy().clone());
        }
        if self.forms.release_schedule.is_none() {
            self.forms.release_schedule = Some(s.release_schedule_text());
        }
        if self.forms.release_format.is_none() {
            self.forms.release_format = Some(s.release_format());
        }
        if self.forms.letters.is_none() {
            let l = s.letter_settings();
            self.forms.letters_deadline = l.reply_deadline.map(|d| d.iso()).unwrap_or_default();
            self.forms.letters = Some(l);
        }
    }

    fn logged_in(&mut self, session: Session) {
        self.forms.password.clear();
        self.forms.password_again.clear();
        self.password_dialog = session.must_change_password();
        self.session = Some(session);
        self.screen = Screen::Home;
        self.last_activity = Instant::now();
        self.message = None;
        self.refresh();
    }

    /// Applies one action: calls the core and updates the state.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::SetupInsurerDone => {
                let typed = self.forms.letters.clone().unwrap_or_default();
                match typed.checked() {
                    Ok(l) => {
                        self.forms.letters = Some(l);
                        self.message = None;
                        self.screen = Screen::Setup;
                    }
                    Err(e) => self.error(e),
                }
            }
            Action::SetupBack => {
                self.message = None;
                self.screen = Screen::SetupInsurer;
            }
            Action::Setup => {
                let f = &self.forms;
                if f.password != f.password_again {
                    return self.error("2回入力したパスワードが一致しません");
                }
                if self.auth_job.is_some() {
                    return;
                }
                let (dir, login, name, pw) = (
                    self.dir.clone(),
                    f.login.trim().to_string(),
                    f.display_name.trim().to_string(),
                    f.password.clone(),
                );
                let letters = f.letters.clone();
                self.message = None;
                self.auth_job = Some(AuthJob::Setup(Job::spawn(self.waker(), move |_| {
                    let (session, key) = Session::init(&dir, &login, &name, &pw)?;
                    // The insurer's details typed in step 1 become the letter settings.
                    if let Some(l) = letters {
                        session.set_letter_settings(&l)?;
                    }
                    Ok((session, key))
                })));
            }
            Action::SaveRecoverySheet => self.save_recovery_sheet(),
            Action::RecoveryKeyNoted => {
                self.forms.recovery_noted = false;
                self.message = None;
                self.screen = Screen::FirstData;
            }
            Action::ImportDemo => self.import_demo(),
            Action::Purge(a) => self.apply_purge(a),
            Action::Login => {
                if self.auth_job.is_some() {
                    return;
                }
                let (dir, login, pw) = (
                    self.dir.clone(),
                    self.forms.login.trim().to_string(),
                    std::mem::take(&mut self.forms.password),
                );
                self.message = None;
                self.auth_job = Some(AuthJob::Login(Job::spawn(self.waker(), move |_| {
                    Session::login(&dir, &login, &pw)
                })));
            }
            Action::Logout => {
                if let Some(s) = self.session.take() {
                    let _ = s.logout();
                }
                *self = App::for_store(std::mem::take(&mut self.dir));
            }
            Action::OpenHome => {
                self.screen = Screen::Home;
                self.message = None;
                self.refresh();
            }
            Action::OpenUsers => {
                self.screen = Screen::Users;
                self.message = None;
                self.forms.policy = None;
                self.forms.release_schedule = None;
                self.forms.letters = None;
                self.forms.release_format = None;
                self.refresh();
            }
            Action::OpenPasswordDialog => {
                self.password_dialog = true;
                self.message = None;
            }
            Action::ClosePasswordDialog => {
                if !self
                    .session
                    .as_ref()
                    .is_some_and(|s| s.must_change_password())
                {
                    self.password_dialog = false;
                    self.clear_password_fields();
                }
            }
            Action::ChangePassword => self.change_password(),
            Action::AddUser => self.add_user(),
            Action::DisableUser(id) => self.with_session(|s| s.disable_user(id), "無効にしました"),
            Action::ResetPassword(id) => {
                let pw = std::mem::take(&mut self.forms.temp_password);
                self.with_session(|s| s.reset_password(id, &pw), "仮パスワードを設定しました");
            }
            Action::UnlockUser(id) => {
                self.with_session(|s| s.unlock_user(id), "ロックを解除しました")
            }
            Action::SavePolicy => {
                if let Some(p) = self.forms.policy.clone() {
                    self.with_session(|s| s.set_policy(p), "規則を保存しました");
                }
            }
            Action::UnlockScreen => self.unlock_screen(),
            Action::OpenMismatches => {
                self.screen = Screen::Mismatches;
                self.message = None;
                if let Some(s) = &self.session {
                    self.desk.reviewers = s.reviewers().unwrap_or_default();
                }
                if self.desk.rows.is_empty() && !self.desk.loading {
                    self.reload_list();
                }
            }
            Action::ReloadList => self.reload_list(),
            Action::LoadMore => self.load_more(),
            Action::OpenRecord(id) => self.open_record(id),
            Action::OpenNextUndecided => self.open_next_undecided(),
            Action::NextRecord => self.step_record(1),
            Action::PrevRecord => self.step_record(-1),
            Action::Decide(choice) => self.decide(choice, false),
            Action::ConfirmDecision => {
                if let Some((choice, _)) = self.desk.confirm.clone() {
                    self.decide(choice, true);
                }
            }
            Action::CancelDecision => self.desk.confirm = None,
            Action::UndoDecision => self.undo_decision(),
            Action::OpenBatches => {
                self.screen = Screen::Batches;
                self.message = None;
                self.load_batches();
            }
            Action::ApproveBatch(i) => self.approve_batch(i),
            Action::SendBack => self.send_back(),
            Action::RevealMyNumber => {
                let Some(s) = &self.session else { return };
                let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
                    return;
                };
                match s.reveal_my_number(id) {
                    Ok(n) => {
                        if let Some(o) = self.desk.open.as_mut() {
                            o.revealed = n;
                        }
                    }
                    Err(e) => self.error(e),
                }
            }
            Action::OpenImport => {
                self.screen = Screen::Import;
                self.message = None;
            }
            Action::PickImportFile => {
                if let Some(path) = self.picker.pick_csv() {
                    self.importer.detected = Some(importer::detect(
                        &path,
                        totsugo_core::encoding::EncodingChoice::Auto,
                    ));
                    self.importer.file = Some(path);
                    self.importer.outcome = None;
                }
            }
            Action::DetectImportFile => {
                if let Some(path) = &self.importer.file {
                    self.importer.detected = Some(importer::detect(path, self.importer.encoding));
                }
            }
            Action::StartImport => self.start_import(),
            Action::SaveReleaseFormat => {
                let Some(f) = self.forms.release_format.clone() else {
                    return;
                };
                let Some(s) = &self.session else { return };
                match s.set_release_format(&f) {
                    Ok(()) => self.notice("解除依頼の様式を保存しました"),
                    Err(e) => self.error(e),
                }
            }
            Action::WriteWrongNumberForms => {
                let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
                    return;
                };
                let Some(dir) = self.pick_folder("個人番号の誤り_様式") else {
                    return;
                };
                self.start_work(
                    "個人番号の誤りの様式を書き出しています".to_string(),
                    false,
                    move |s, _| {
                        let r = s.write_wrong_number_forms(id, &dir);
                        Box::new(move |app: &mut App| match r {
                            Ok(files) => app.notice(format!(
                                "{} に連絡票・確認票・報告様式の下書きと類似事案の一覧（{} 個のファイル）を保存しました",
                                dir.display(),
                                files.len()
                            )),
                            Err(e) => app.error(e),
                        })
                    },
                );
            }
            Action::SaveLetterSettings => {
                let Some(mut l) = self.forms.letters.clone() else {
                    return;
                };
                let typed = totsugo_core::text::fold_width_and_spaces(&self.forms.letters_deadline);
                l.reply_deadline = if typed.is_empty() {
                    None
                } else {
                    match totsugo_core::record::Date::parse_iso(&typed) {
                        Some(d) => Some(d),
                        None => {
                            return self.error(
                                "回答期限は 2023-12-25 の形で入力してください（空欄は発行日の14日後）",
                            );
                        }
                    }
                };
                let Some(s) = &self.session else { return };
                match s.set_letter_settings(&l) {
                    Ok(l) => {
                        let missing = l.missing_ja();
                        self.forms.letters = Some(l);
                        if missing.is_empty() {
                            self.notice("通知文の設定を保存しました");
                        } else {
                            self.notice(format!(
                                "通知文の設定を保存しました。印刷の前に {} を入力してください",
                                missing.join("、")
                            ));
                        }
                    }
                    Err(e) => self.error(e),
                }
            }
            Action::RecordFollowUp(outcome) => self.record_follow_up(outcome),
            Action::CheckLastFour => {
                let Some(s) = &self.session else { return };
                let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
                    return;
                };
                match s.check_last_four(id, &self.desk.digits) {
                    Ok(m) => self.desk.digits_match = Some(m),
                    Err(e) => self.error(e),
                }
            }
            Action::Assign => self.assign(),
            Action::GroupBatches(g) => {
                self.desk.grouping = g;
                self.desk.left_out.clear();
                self.load_batches();
            }
            Action::SaveReleaseSchedule => {
                let text = self.forms.release_schedule.clone().unwrap_or_default();
                let Some(s) = &self.session else { return };
                match s.set_release_schedule(&text) {
                    Ok(()) => {
                        self.notice("解除依頼の締切を保存しました");
                        self.refresh();
                    }
                    Err(e) => self.error(e),
                }
            }
            Action::Letters(a) => self.apply_letters(a),
            Action::Release(a) => self.apply_release(a),
            Action::Report(a) => self.apply_report(a),
            Action::CancelWork => {
                if let Some(w) = &self.work {
                    w.job.cancel();
                }
            }
            Action::CancelImport => {
                if let Some(job) = &self.importer.job {
                    job.cancel();
                }
            }
        }
    }

    /// Writes the bundled demo file to a folder of its own and imports it like any file.
    fn import_demo(&mut self) {
        let dir = std::env::temp_dir().join(format!("totsugo-demo-{}", std::process::id()));
        match totsugo_core::demo::write_demo_file(&dir) {
            Ok(path) => {
                self.demo_dir = Some(dir);
                self.screen = Screen::Import;
                self.importer.detected = Some(importer::detect(
                    &path,
                    totsugo_core::encoding::EncodingChoice::Auto,
                ));
                self.importer.file = Some(path);
                self.importer.encoding = totsugo_core::encoding::EncodingChoice::Auto;
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
        self.importer.job = Some(importer::ImportJob::start(
            session,
            path,
            opts,
            self.waker(),
        ));
    }

    /// Takes the session back from a finished import and shows how it ended.
    fn poll_import(&mut self) {
        if !self.importer.job.as_ref().is_some_and(|j| j.finished()) {
            return;
        }
        let Some(job) = self.importer.job.take() else {
            return;
        };
        if let Some(dir) = self.demo_dir.take() {
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
                self.apply(Action::Logout);
                self.error("取り込みが異常終了しました。保管データは変更していません。もう一度ログインしてください");
            }
        }
    }

    fn load_batches(&mut self) {
        let Some(s) = &self.session else { return };
        match s.pending_batches(self.desk.grouping) {
            Ok(b) => self.desk.batches = b,
            Err(e) => self.error(e),
        }
    }

    fn approve_batch(&mut self, i: usize) {
        let Some(s) = &self.session else { return };
        let Some(b) = self.desk.batches.get(i) else {
            return;
        };
        let chosen: Vec<i64> = b
            .record_ids
            .iter()
            .copied()
            .filter(|id| !self.desk.left_out.contains(id))
            .collect();
        match s.approve(&chosen) {
            Ok(batch) => {
                let msg = format!(
                    "{} の判断 {} 件を承認しました（承認番号 {batch}）",
                    b.title(),
                    chosen.len()
                );
                self.load_batches();
                self.desk.invalidate();
                self.notice(msg);
            }
            Err(e) => self.error(e),
        }
    }

    fn send_back(&mut self) {
        let Some(s) = &self.session else { return };
        let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
            return;
        };
        match s.send_back(id, &self.desk.send_back_reason) {
            Ok(()) => {
                self.desk.send_back_reason.clear();
                self.open_record(id);
                self.load_batches();
                self.desk.invalidate();
                self.notice("差し戻しました");
            }
            Err(e) => self.error(e),
        }
    }

    /// Makes the list reader at the first list (it needs the session and the repaint waker).
    fn ensure_pager(&mut self) {
        if self.desk.pager.is_some() {
            return;
        }
        let waker = self.waker();
        let Some(s) = &self.session else { return };
        match s.list_reader(waker) {
            Ok(p) => self.desk.pager = Some(p),
            Err(e) => self.error(e),
        }
    }

    fn reload_list(&mut self) {
        self.desk.invalidate();
        self.load_more();
    }

    /// Asks the list reader for the next page; the rows arrive in [`App::poll_list`].
    fn load_more(&mut self) {
        if self.desk.exhausted || self.desk.loading {
            return;
        }
        self.ensure_pager();
        let Some(p) = &self.desk.pager else { return };
        let after = self
            .desk
            .rows
            .last()
            .map(|r| totsugo_core::store::PageCursor::after(r, self.desk.filter.order));
        p.request(&self.desk.filter, after, desk::PAGE);
        self.desk.loading = true;
    }

    /// Takes the pages that have arrived from the list reader.
    fn poll_list(&mut self) {
        let Some(p) = &self.desk.pager else { return };
        for answer in p.answers() {
            self.desk.loading = false;
            self.desk.last_page_time = Some(answer.took);
            match answer.rows {
                Ok(rows) => {
                    self.desk.exhausted = answer.last;
                    self.desk.rows.extend(rows);
                }
                Err(e) => {
                    self.desk.exhausted = true;
                    self.error(e);
                }
            }
        }
    }

    /// Whether the list is waiting for a page.
    pub fn list_loading(&self) -> bool {
        self.desk.loading
    }

    /// Reads the next page at once on the main connection (moving through records with the
    /// keyboard past the rows loaded so far); pages on their way are dropped.
    fn load_more_now(&mut self) {
        if let Some(p) = &self.desk.pager {
            p.new_generation();
        }
        self.desk.loading = false;
        let Some(s) = &self.session else { return };
        if self.desk.exhausted {
            return;
        }
        let after = self
            .desk
            .rows
            .last()
            .map(|r| totsugo_core::store::PageCursor::after(r, self.desk.filter.order));
        match s.page_mismatches(&self.desk.filter, after.as_ref(), desk::PAGE) {
            Ok(rows) => {
                self.desk.exhausted = rows.len() < desk::PAGE;
                self.desk.rows.extend(rows);
            }
            Err(e) => {
                self.desk.exhausted = true;
                self.error(e);
            }
        }
    }

    fn open_record(&mut self, id: i64) {
        let Some(s) = &self.session else { return };
        match s.open_record(id) {
            Ok(Some(d)) => {
                self.desk.open = Some(OpenRecord {
                    id,
                    reviewed: d.reviewed,
                    review: d.review,
                    history: d.history,
                    names: d.names,
                    trail: d.trail,
                    revealed: None,
                    related: d.related,
                    letters: d.letters,
                    follow_up: d.follow_up,
                });
                self.desk.digits.clear();
                self.desk.digits_match = None;
                if let Some(row) = self.desk.rows.iter_mut().find(|r| r.id == id)
                    && let Some(o) = &self.desk.open
                {
                    row.state = o.review.state;
                }
                self.desk.letter = None;
                self.desk.confirm = None;
                self.screen = Screen::Review;
            }
            Ok(None) => self.error(format!("記録 {id} が見つかりません")),
            Err(e) => self.error(e),
        }
    }

    /// The insurer's name for documents (from the letter settings once saved).
    fn insurer_name(&self) -> String {
        self.session
            .as_ref()
            .and_then(|s| s.insurer_name())
            .unwrap_or_else(|| "（保険者名未設定）".to_string())
    }

    fn record_follow_up(&mut self, outcome: totsugo_core::review::FollowUp) {
        let Some(s) = &self.session else { return };
        let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
            return;
        };
        let digits = self.desk.digits.clone();
        let confirmed = self.desk.confirm_follow_up;
        match s.record_follow_up(id, outcome, Some(&digits), &self.desk.memo, confirmed) {
            Ok(()) => {
                self.desk.digits.clear();
                self.desk.digits_match = None;
                self.desk.memo.clear();
                self.desk.confirm_follow_up = false;
                self.open_record(id);
                self.notice(format!("結果を登録しました: {}", outcome.label_ja()));
            }
            Err(e) => self.error(e),
        }
    }

    /// Assigns the list's records still to do (supervisors).
    fn assign(&mut self) {
        let Some(s) = &self.session else { return };
        let count = self.desk.assign_count.trim();
        let limit = if count.is_empty() {
            None
        } else {
            match totsugo_core::text::fold_width_and_spaces(count).parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => return self.error("件数は 1 以上の数字で入力してください（空欄はすべて）"),
            }
        };
        let to = self.desk.assign_to;
        let name = to
            .and_then(|id| self.desk.reviewers.iter().find(|(u, _)| *u == id))
            .map_or_else(|| "担当なし".to_string(), |(_, n)| format!("{n} さん"));
        match s.assign(&self.desk.filter, to, limit) {
            Ok(n) => {
                self.notice(format!("{n} 件を{name}に割り当てました"));
                self.reload_list();
            }
            Err(e) => self.error(e),
        }
    }

    fn open_next_undecided(&mut self) {
        let Some(s) = &self.session else { return };
        match s.next_undecided() {
            Ok(Some(id)) => {
                self.message = None;
                self.open_record(id);
            }
            Ok(None) => self.notice("未判断の記録はありません"),
            Err(e) => self.error(e),
        }
    }

    fn step_record(&mut self, step: i64) {
        let Some(open_id) = self.desk.open.as_ref().map(|o| o.id) else {
            return;
        };
        let mut at = self.desk.rows.iter().position(|r| r.id == open_id);
        if at.is_none() {
            // Opened from elsewhere (次の未判断): find it in the list, page by page.
            if self.desk.rows.is_empty() {
                self.desk.invalidate();
            }
            while at.is_none() && !self.desk.exhausted {
                self.load_more_now();
                at = self.desk.rows.iter().position(|r| r.id == open_id);
            }
        }
        let next = match at {
            Some(i) => i as i64 + step,
            None => 0,
        };
        if next < 0 {
            return self.notice("一覧の最初の記録です");
        }
        let next = next as usize;
        if next >= self.desk.rows.len() {
            self.load_more_now();
        }
        match self.desk.rows.get(next) {
            Some(r) => {
                let id = r.id;
                self.message = None;
                self.open_record(id);
            }
            None => self.notice("一覧の最後の記録です"),
        }
    }

    fn decide(&mut self, choice: totsugo_core::review::Choice, confirmed: bool) {
        let Some(s) = &self.session else { return };
        let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
            return;
        };
        match s.decide(id, choice, &self.desk.memo, confirmed) {
            Ok(_) => {
                self.desk.memo.clear();
                self.desk.confirm = None;
                self.open_record(id);
                self.notice(format!("登録しました: {}", choice.label_ja()));
            }
            Err(totsugo_core::session::SessionError::NeedsConfirmation(why)) => {
                self.desk.confirm = Some((choice, why));
            }
            Err(e) => self.error(e),
        }
    }

    fn undo_decision(&mut self) {
        let Some(s) = &self.session else { return };
        match s.undo_last_decision() {
            Ok(id) => {
                let open = self.desk.open.as_ref().map(|o| o.id);
                if open == Some(id) {
                    self.open_record(id);
                } else if let Some(s) = &self.session
                    && let Ok(Some((review, _))) = s.record_review(id)
                    && let Some(row) = self.desk.rows.iter_mut().find(|r| r.id == id)
                {
                    row.state = review.state;
                }
                self.notice("直前の判断を取り消しました");
            }
            Err(e) => self.error(e),
        }
    }

    fn with_session(
        &mut self,
        f: impl FnOnce(&mut Session) -> Result<(), SessionError>,
        done: &str,
    ) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        match f(s) {
            Ok(()) => {
                self.notice(done);
                self.refresh();
            }
            Err(e) => self.error(e),
        }
    }

    fn clear_password_fields(&mut self) {
        self.forms.old_password.clear();
        self.forms.password.clear();
        self.forms.password_again.clear();
    }

    fn change_password(&mut self) {
        if self.forms.password != self.forms.password_again {
            return self.error("2回入力したパスワードが一致しません");
        }
        let Some(s) = self.session.as_mut() else {
            return;
        };
        match s.change_password(&self.forms.old_password, &self.forms.password) {
            Ok(()) => {
                self.password_dialog = false;
                self.clear_password_fields();
                self.notice("パスワードを変更しました");
                self.refresh();
            }
            Err(e) => self.error(e),
        }
    }

    fn add_user(&mut self) {
        let f = &self.forms;
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
            f.temp_password.clone(),
        );
        let Some(s) = self.session.as_mut() else {
            return;
        };
        match s.add_user(&login, &name, Roles::of(&roles), reveal, &pw) {
            Ok(_) => {
                self.forms.new_login.clear();
                self.forms.new_name.clear();
                self.forms.temp_password.clear();
                self.forms.new_may_reveal = false;
                self.notice(format!(
                    "利用者「{login}」を作成しました。初回ログインでパスワードを変更してもらいます"
                ));
                self.refresh();
            }
            Err(e) => self.error(e),
        }
    }

    /// Saves the recovery sheet (PDF) where the administrator chooses, through the one
    /// output writer (remembered for a purge, audited without the key).
    fn save_recovery_sheet(&mut self) {
        let Screen::RecoveryKey(k) = &self.screen else {
            return;
        };
        let key = totsugo_core::vault::RecoveryKey::parse(k);
        let Some(path) = self.picker.save_as("totsugo-復旧キー.pdf") else {
            return;
        };
        let Some(s) = &self.session else {
            return;
        };
        let doc = key.sheet(
            &self.dir,
            &s.user().display_name,
            &totsugo_core::audit::now_local(),
        );
        match totsugo_core::pdf::render(&doc)
            .map_err(|e| e.to_string())
            .and_then(|pdf| {
                s.write_output(&path, &pdf, "recovery_sheet", "recovery", "復旧キーの用紙")
                    .map_err(|e| e.to_string())
            }) {
            Ok(()) => self.notice(format!(
                "復旧キーの用紙を {} に保存しました。印刷したら、このファイルは削除してください。",
                path.display()
            )),
            Err(e) => self.error(e),
        }
    }

    fn unlock_screen(&mut self) {
        if self.auth_job.is_some() {
            return;
        }
        let pw = std::mem::take(&mut self.forms.unlock_password);
        let Some(s) = self.session.take() else {
            return;
        };
        self.message = None;
        self.auth_job = Some(AuthJob::Unlock(Job::spawn(self.waker(), move |_| {
            let r = s.verify_password(&pw);
            (s, r)
        })));
    }

    /// The folder for outputs that are several files: the folder of the path chosen in the
    /// save dialog (offered under `name`), or `None` when the user cancelled.
    fn pick_folder(&mut self, name: &str) -> Option<PathBuf> {
        let path = self.picker.save_as(name)?;
        Some(match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        })
    }

    /// Runs `work` with the session off the UI thread (the session goes into the job and comes
    /// back); what it returns is applied to the app when it ends. Meanwhile the screen shows
    /// `label`, the progress and, where `cancellable`, a stop button.
    fn start_work(
        &mut self,
        label: String,
        cancellable: bool,
        work: impl FnOnce(&mut Session, &Control) -> jobs::Then<App> + Send + 'static,
    ) {
        if self.work.is_some() {
            return;
        }
        let Some(mut session) = self.session.take() else {
            return;
        };
        self.message = None;
        let job = Job::spawn(self.waker(), move |c| {
            let then = work(&mut session, c);
            (session, then)
        });
        self.work = Some(SessionWork {
            label,
            cancellable,
            job,
        });
    }

    /// Takes the session back from finished work and applies what the work returned.
    fn poll_work(&mut self) {
        let Some(w) = self.work.as_mut() else { return };
        let Some(outcome) = w.job.take() else { return };
        self.work = None;
        match outcome {
            Ok((session, then)) => {
                self.session = Some(session);
                then(self);
            }
            Err(_) => {
                // The session went down with the work: log in again.
                self.screen = Screen::Login;
                self.error("処理が異常終了しました。もう一度ログインしてください");
            }
        }
    }

    /// Calls for a repaint from another thread.
    fn waker(&self) -> impl Fn() + Send + Sync + 'static {
        let ctx = self.ctx.clone();
        move || {
            if let Some(c) = &ctx {
                c.request_repaint();
            }
        }
    }

    /// Whether a password check is under way.
    pub fn checking_password(&self) -> bool {
        self.auth_job.is_some()
    }

    /// Whether background work the screen waits for is under way: a page of the list or a
    /// password check (an import has its own screen and progress).
    pub fn busy(&self) -> bool {
        self.desk.loading
            || self.auth_job.is_some()
            || self.purge.job.is_some()
            || self.work.is_some()
    }

    /// Takes the result of a finished password check.
    fn poll_auth(&mut self) {
        let finished = match &self.auth_job {
            Some(AuthJob::Setup(j)) => j.finished(),
            Some(AuthJob::Login(j)) => j.finished(),
            Some(AuthJob::Unlock(j)) => j.finished(),
            None => false,
        };
        if !finished {
            return;
        }
        const CRASHED: &str = "確認の処理が異常終了しました。もう一度お試しください";
        match self.auth_job.take() {
            Some(AuthJob::Setup(mut j)) => match j.take() {
                Some(Ok(Ok((session, key)))) => {
                    self.logged_in(session);
                    self.screen = Screen::RecoveryKey(key.grouped());
                }
                Some(Ok(Err(e))) => self.error(e),
                _ => self.error(CRASHED),
            },
            Some(AuthJob::Login(mut j)) => match j.take() {
                Some(Ok(Ok(session))) => self.logged_in(session),
                Some(Ok(Err(e))) => self.error(e),
                _ => self.error(CRASHED),
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
                            self.apply(Action::Logout);
                            self.error(msg);
                        }
                        Err(e) => self.error(e),
                    }
                }
                _ => {
                    // The session went down with the thread: start again from the login.
                    self.apply(Action::Logout);
                    self.error(CRASHED);
                }
            },
            None => {}
        }
    }

    /// Draws one frame and applies what the user did.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.ctx = Some(ctx.clone());
        self.poll_import();
        self.poll_list();
        self.poll_auth();
        self.poll_purge();
        self.poll_work();
        if self.importing() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        self.watch_idle(&ctx);
        let mut actions = Vec::new();
        egui::Panel::top("header").show(ui, |ui| {
            views::header(ui, self, &mut actions);
        });
        egui::CentralPanel::default().show(ui, |ui| {
            if self.locked {
                views::lock_screen(ui, self, &mut actions);
                return;
            }
            if let Some(w) = &self.work {
                views::work(ui, w, &mut actions);
                return;
            }
            match self.screen.clone() {
                Screen::SetupInsurer => views::setup_insurer(ui, self, &mut actions),
                Screen::Setup => views::setup(ui, self, &mut actions),
                Screen::FirstData => views::first_data(ui, self, &mut actions),
                Screen::RecoveryKey(k) => views::recovery_key(ui, self, &k, &mut actions),
                Screen::Login => views::login(ui, self, &mut actions),
                Screen::Home => {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        views::home(ui, self, self.counts.as_ref(), &mut actions)
                    });
                }
                Screen::Users => views::users(ui, self, &mut actions),
                Screen::Mismatches => desk::list(ui, self, &mut actions),
                Screen::Review => desk::review(ui, self, &mut actions),
                Screen::Batches => desk::batches(ui, self, &mut actions),
                Screen::Import => importer::screen(ui, self, &mut actions),
                Screen::Report => report::ui(ui, self, &mut actions),
                Screen::Release => release::ui(ui, self, &mut actions),
                Screen::Letters => letters::ui(ui, self, &mut actions),
                Screen::Purge => purge::ui(ui, self, &mut actions),
            }
        });
        if self.password_dialog && !self.locked && self.session.is_some() {
            views::password_dialog(&ctx, self, &mut actions);
        }
        for a in actions {
            self.apply(a);
        }
    }

    /// Mismatches per review state, as the home screen shows them.
    pub fn review_counts(&self) -> Option<[u64; 4]> {
        self.progress.as_ref().map(|p| p.states)
    }

    /// The review's progress, as the home screen shows it.
    pub fn progress(&self) -> Option<&totsugo_core::session::ReviewProgress> {
        self.progress.as_ref()
    }

    /// The users shown on the administration screen.
    pub fn user_list(&self) -> &[UserStatus] {
        &self.users
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }
}
