//! The desktop app (突合結果レビュー): draws the state and turns what the user does into
//! [`Action`]s that go to the core ([`totsugo_core::session::Session`]). No domain rule lives here.
//!
//! Each screen is a module owning its state, its action enum and their apply:
//! the guided first run (`first_run`), the account (`account`: login, the idle lock that hides
//! every screen until the password is typed again without losing what was open, the
//! password-change dialog), home (`home`), the review desk (`desk`: list, review, approval),
//! import (`importer`), letters (`letters`), release requests (`release`), the count report
//! (`report`), user administration (`users`) with the settings (`settings`) and the
//! letter-text editor (`letter_text`), and the purge
//! (`purge`), backups and their restore (`backup`), and the help on the rules (`help`). `shell` draws the header and the screen of work under way; `widgets` holds the
//! small pieces they share. [`App::apply`] only hands each action to its screen.
//!
//! Long work runs as a [`Job`] (`jobs`: progress, a stop button, a repaint waker): every
//! password check and password hashing, the import, the purge, list pages, and, with the
//! session moved into the job ([`SessionWork`]), printing letters and writing the release
//! files, the count report, the wrong-number forms and the recovery sheet.

mod account;
mod backup;
mod desk;
mod first_run;
mod fonts;
mod help;
mod home;
mod importer;
mod jobs;
mod letter_text;
mod letters;
mod purge;
mod release;
mod report;
mod reviews;
mod settings;
mod shell;
mod users;
mod widgets;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use totsugo_core::session::{Session, SessionError, UserStatus};
use totsugo_core::summary::Counts;

pub use account::{AccountAction, AccountScreen};
pub use backup::{BackupAction, BackupScreen};
pub use desk::{Desk, DeskAction, OpenRecord};
pub use first_run::{SetupAction, SetupScreen};
pub use fonts::install_fonts;
pub use importer::{
    FilePicker, FixedPicker, ImportAction, ImportScreen, NativePicker, NoDialogPicker,
};
pub use jobs::{Control, Job, SessionWork};
pub use letter_text::{LetterTextAction, LetterTextScreen, Preview};
pub use letters::{LettersAction, LettersScreen};
pub use purge::{PurgeAction, PurgeScreen};
pub use release::{ReleaseAction, ReleaseScreen};
pub use report::{ReportAction, ReportScreen};
pub use reviews::{ReviewsAction, ReviewsScreen};
pub use settings::{SettingsAction, SettingsScreen};
pub use users::{UsersAction, UsersScreen};

/// The window title.
pub const TITLE: &str = "突合結果レビュー";

/// What the user is told when a password check's thread ended abnormally.
const CRASHED: &str = "確認の処理が異常終了しました。もう一度お試しください";

/// What the user asked for; applied after the frame is drawn, each by its screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Go to the home screen.
    OpenHome,
    /// Open the help on the rules.
    OpenHelp,
    /// Stop the work under way (where it can stop cleanly).
    CancelWork,
    /// An action of the first run.
    Setup(SetupAction),
    /// An action of the account (login, lock, password).
    Account(AccountAction),
    /// An action of user administration.
    Users(UsersAction),
    /// An action of the settings.
    Settings(SettingsAction),
    /// An action of the letter-text editor.
    LetterText(LetterTextAction),
    /// An action of the review desk (list, review, approval).
    Desk(DeskAction),
    /// An action of the import screen.
    Import(ImportAction),
    /// An action of the letters screen.
    Letters(LettersAction),
    /// An action of the release-request screen.
    Release(ReleaseAction),
    /// An action of the count-report screen.
    Report(ReportAction),
    /// An action of the purge screen.
    Purge(PurgeAction),
    /// An action of the periodic reviews.
    Reviews(ReviewsAction),
    /// An action of the backup and restore screens.
    Backup(BackupAction),
    /// Save to the path typed in the field offered when no save dialog can open.
    SaveToTypedPath,
    /// Close the path field without saving.
    CancelTypedPath,
}

/// The path field offered when no save dialog can open (Linux without a desktop portal or
/// zenity): why, the path as typed, and the action that asked for it (done again with it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPrompt {
    /// Why no dialog opened.
    pub why: String,
    /// The path as typed (offered: the home folder and the output's name).
    pub path: String,
    /// The action that asked where to save.
    pub retry: Box<Action>,
    /// A file to open (the import), not one to save.
    pub opening: bool,
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
    /// The rules and what totsugo chose where the notices are silent.
    Help,
    /// Asked once of an administrator: the kind of insurer (a store made before the setting).
    ChooseKind,
    /// The wording of the letters (administrators, from the settings).
    LetterText,
    /// The monthly review of the access log (administrators, supervisors).
    AccessLogReview,
    /// The half-yearly review of the users (administrators, supervisors).
    UserReview,
    /// Backups (administrators).
    Backup,
    /// Restore a backup (first run: no store on this terminal yet).
    Restore,
}

impl Screen {
    /// Whether the screen shows personal data of the people in the file (names, cards,
    /// addresses): its text cannot be selected or copied (issue 16 §4); only what an audited
    /// action shows (the full My Number after 個人番号を表示) can be.
    pub fn shows_personal_data(&self) -> bool {
        matches!(
            self,
            Screen::Mismatches
                | Screen::Review
                | Screen::Batches
                | Screen::Release
                | Screen::Letters
        )
    }
}

/// The app's whole state: the session, which screen is open, and each screen's own state.
pub struct App {
    dir: PathBuf,
    /// The open screen.
    pub screen: Screen,
    /// The logged-in session.
    pub session: Option<Session>,
    /// The idle lock is on.
    pub locked: bool,
    /// A message for the user (errors in red, notices in the normal colour).
    pub message: Option<(bool, String)>,
    last_activity: Instant,
    counts: Option<Counts>,
    progress: Option<totsugo_core::session::ReviewProgress>,
    /// Records whose wrong-number procedure has steps to do (home screen).
    pub open_procedures: Vec<totsugo_core::session::OpenProcedure>,
    picker: Box<dyn FilePicker>,
    ctx: Option<egui::Context>,
    /// The first run.
    pub setup: SetupScreen,
    /// Login, lock and the password dialog.
    pub account: AccountScreen,
    /// User administration.
    pub users: UsersScreen,
    /// The settings.
    pub settings: SettingsScreen,
    /// The letter-text editor.
    pub letter_text: LetterTextScreen,
    /// The review desk: list and open record.
    pub desk: Desk,
    /// The import screen and its running job.
    pub importer: ImportScreen,
    /// The purge screen.
    pub purge: PurgeScreen,
    /// The count-report screen.
    pub report: ReportScreen,
    /// The release-request screen.
    pub release: ReleaseScreen,
    /// The letters screen.
    pub letters: LettersScreen,
    /// Work under way with the session in it (printing letters, writing files, hashing).
    pub work: Option<SessionWork<App>>,
    /// The periodic reviews.
    pub reviews: ReviewsScreen,
    /// The backup and restore screens.
    pub backup: BackupScreen,
    /// The reviews due (home's reminder).
    pub reviews_due: Vec<totsugo_core::audit_review::DueReview>,
    today: Option<chrono::NaiveDate>,
    /// The path field, while it is open.
    pub path_prompt: Option<PathPrompt>,
    typed_path: Option<PathBuf>,
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
        // A purge that stopped half-way is finished before anything else.
        let screen = if totsugo_core::purge::unfinished(&dir).is_some() {
            Screen::Purge
        } else if Session::is_initialised(&dir) {
            Screen::Login
        } else {
            Screen::SetupInsurer
        };
        App {
            dir,
            screen,
            session: None,
            locked: false,
            message: None,
            last_activity: Instant::now(),
            counts: None,
            progress: None,
            open_procedures: Vec::new(),
            picker: Box::new(NativePicker),
            ctx: None,
            setup: SetupScreen::default(),
            account: AccountScreen::default(),
            users: UsersScreen::default(),
            settings: SettingsScreen::default(),
            letter_text: LetterTextScreen::default(),
            desk: Desk::default(),
            importer: ImportScreen::default(),
            purge: PurgeScreen::default(),
            report: ReportScreen::default(),
            release: ReleaseScreen::default(),
            letters: LettersScreen::default(),
            work: None,
            reviews: ReviewsScreen::default(),
            backup: BackupScreen::default(),
            reviews_due: Vec::new(),
            today: None,
            path_prompt: None,
            typed_path: None,
        }
    }

    /// Today's date for the reviews (the local date, unless [`App::set_today`] set another).
    pub fn today(&self) -> chrono::NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// Sets the date the reviews count from (tests and demonstrations of what falls due).
    pub fn set_today(&mut self, day: chrono::NaiveDate) {
        self.today = Some(day);
        self.refresh();
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

    /// Shows how a change ended: `done` and the refreshed state, or the error.
    fn done(&mut self, r: Result<(), SessionError>, done: &str) {
        match r {
            Ok(()) => {
                self.notice(done);
                self.refresh();
            }
            Err(e) => self.error(e),
        }
    }

    /// Opens `screen` with no message left from the one before.
    fn open_screen(&mut self, screen: Screen) {
        self.screen = screen;
        self.message = None;
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
            self.account.unlock_password.clear();
            self.message = None;
        }
        ctx.request_repaint_after(Duration::from_secs(1));
    }

    /// Reads again the records whose wrong-number procedure has steps to do (for those who
    /// review).
    pub(crate) fn load_open_procedures(&mut self) {
        self.open_procedures = match &self.session {
            Some(s) if s.may(totsugo_core::auth::Permission::Review) => {
                s.open_wrong_number_procedures().unwrap_or_default()
            }
            _ => Vec::new(),
        };
    }

    /// Reads again what home and the administration screen show.
    fn refresh(&mut self) {
        let Some(s) = &self.session else { return };
        self.counts = s.summary().ok();
        self.progress = s.review_progress().ok();
        self.load_open_procedures();
        let Some(s) = &self.session else { return };
        self.reviews_due = s.reviews_due(self.today()).unwrap_or_default();
        self.report.shown = s.count_report(self.report.approved_only).ok();
        self.users.list = s.users().unwrap_or_default();
        if self.users.policy.is_none() {
            self.users.policy = Some(s.policy().clone());
        }
        self.settings.load(s);
    }

    /// Applies one action: hands it to its screen.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::OpenHome => {
                self.open_screen(Screen::Home);
                self.refresh();
            }
            Action::OpenHelp => self.open_screen(Screen::Help),
            Action::CancelWork => {
                if let Some(w) = &self.work {
                    w.job.cancel();
                }
            }
            Action::Setup(a) => self.apply_setup(a),
            Action::Account(a) => self.apply_account(a),
            Action::Users(a) => self.apply_users(a),
            Action::Settings(a) => self.apply_settings(a),
            Action::LetterText(a) => self.apply_letter_text(a),
            Action::Desk(a) => self.apply_desk(a),
            Action::Import(a) => self.apply_import(a),
            Action::Letters(a) => self.apply_letters(a),
            Action::Release(a) => self.apply_release(a),
            Action::Report(a) => self.apply_report(a),
            Action::Purge(a) => self.apply_purge(a),
            Action::Reviews(a) => self.apply_reviews(a),
            Action::Backup(a) => self.apply_backup(a),
            Action::SaveToTypedPath => {
                let Some(p) = self.path_prompt.take() else {
                    return;
                };
                let typed = p.path.trim();
                if typed.is_empty() {
                    self.path_prompt = Some(p);
                    return self.error("ファイルの場所を入力してください");
                }
                let mut path = PathBuf::from(typed);
                if path.is_relative() {
                    path = home_folder().join(path);
                }
                self.typed_path = Some(path);
                self.apply(*p.retry);
                // Not taken (the action refused before asking): never used for another.
                self.typed_path = None;
            }
            Action::CancelTypedPath => self.path_prompt = None,
        }
    }

    /// Runs a quick change with the session on the UI thread and shows how it ended.
    fn with_session(
        &mut self,
        f: impl FnOnce(&mut Session) -> Result<(), SessionError>,
        done: &str,
    ) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let r = f(s);
        self.done(r, done);
    }

    /// The insurer's name for documents (from the letter settings once saved).
    fn insurer_name(&self) -> String {
        self.session
            .as_ref()
            .and_then(|s| s.insurer_name())
            .unwrap_or_else(|| "（保険者名未設定）".to_string())
    }

    /// Where to save an output named `default_name`: the save dialog, or, where none can
    /// open, the path typed in the field the app offers then (`retry` is done again once it
    /// is typed). `None`: cancelled, or the field is open.
    fn save_path(&mut self, default_name: &str, retry: Action) -> Option<PathBuf> {
        if let Some(p) = self.typed_path.take() {
            return Some(p);
        }
        if let Some(why) = self.picker.unavailable() {
            self.path_prompt = Some(PathPrompt {
                why,
                path: home_folder().join(default_name).display().to_string(),
                retry: Box::new(retry),
                opening: false,
            });
            return None;
        }
        self.picker.save_as(default_name)
    }

    /// The match-result file to open: the file dialog, or, where none can open, the path
    /// typed in the field the app offers then (`retry` is done again once it is typed).
    fn open_path(&mut self, retry: Action) -> Option<PathBuf> {
        if let Some(p) = self.typed_path.take() {
            return Some(p);
        }
        if let Some(why) = self.picker.unavailable() {
            self.path_prompt = Some(PathPrompt {
                why,
                path: format!("{}{}", home_folder().display(), std::path::MAIN_SEPARATOR),
                retry: Box::new(retry),
                opening: true,
            });
            return None;
        }
        self.picker.pick_csv()
    }

    /// The folder for outputs that are several files: the name chosen in the save dialog (or
    /// typed), offered as `name`, is the folder they go in, made when it does not exist yet;
    /// `None` when the user cancelled or the folder cannot be used.
    fn pick_folder(&mut self, name: &str, retry: Action) -> Option<PathBuf> {
        let path = self.save_path(name, retry)?;
        if path.is_file() {
            self.error(format!(
                "{} は既にあるファイルです。書き出し先のフォルダーには別の名前を付けてください",
                path.display()
            ));
            return None;
        }
        if let Err(e) = std::fs::create_dir_all(&path) {
            self.error(format!("フォルダー {} を作れません: {e}", path.display()));
            return None;
        }
        Some(path)
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
                self.log_out();
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

    /// Whether a password check is under way (logging in, lifting the lock, the first run).
    pub fn checking_password(&self) -> bool {
        self.account.checking() || self.setup.working()
    }

    /// Whether background work the screen waits for is under way: a page of the list, a
    /// password check, the purge or work with the session (an import has its own screen and
    /// progress).
    pub fn busy(&self) -> bool {
        self.desk.loading
            || self.checking_password()
            || self.purge.job.is_some()
            || self.backup.restore_job.is_some()
            || self.work.is_some()
    }

    /// Draws one frame and applies what the user did.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.ctx = Some(ctx.clone());
        self.poll_import();
        self.poll_list();
        self.poll_setup();
        self.poll_account();
        self.poll_purge();
        self.poll_restore();
        self.poll_work();
        if self.importing() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        self.watch_idle(&ctx);
        let mut actions = Vec::new();
        egui::Panel::top("header").show(ui, |ui| {
            shell::header(ui, self, &mut actions);
        });
        egui::CentralPanel::default().show(ui, |ui| {
            if self.screen.shows_personal_data() {
                ui.style_mut().interaction.selectable_labels = false;
            }
            if self.locked {
                account::lock_screen(ui, self, &mut actions);
                return;
            }
            if let Some(w) = &self.work {
                shell::work(ui, w, &mut actions);
                return;
            }
            match self.screen.clone() {
                Screen::SetupInsurer => first_run::setup_insurer(ui, self, &mut actions),
                Screen::Setup => first_run::administrator(ui, self, &mut actions),
                Screen::FirstData => first_run::first_data(ui, self, &mut actions),
                Screen::RecoveryKey(k) => first_run::recovery_key(ui, self, &k, &mut actions),
                Screen::Login => account::login(ui, self, &mut actions),
                Screen::Home => {
                    egui::ScrollArea::vertical()
                        .auto_shrink([false, true])
                        .show(ui, |ui| {
                            home::home(ui, self, self.counts.as_ref(), &mut actions)
                        });
                }
                Screen::Users => users::ui(ui, self, &mut actions),
                Screen::Mismatches => desk::list(ui, self, &mut actions),
                // Long screens scroll: below the decision buttons of the review screen come
                // the history, the replies and the wrong-number steps, which must stay
                // reachable in the smallest window.
                Screen::Review => {
                    egui::ScrollArea::vertical()
                        .auto_shrink([false, true])
                        .id_salt("review-scroll")
                        .show(ui, |ui| desk::review(ui, self, &mut actions));
                }
                // The approval screen scrolls its table itself, with the selected record side
                // by side in a panel below.
                Screen::Batches => desk::batches(ui, self, &mut actions),
                Screen::Import => {
                    egui::ScrollArea::vertical()
                        .auto_shrink([false, true])
                        .id_salt("import-scroll")
                        .show(ui, |ui| importer::screen(ui, self, &mut actions));
                }
                Screen::Report => report::ui(ui, self, &mut actions),
                Screen::Release => {
                    egui::ScrollArea::vertical()
                        .auto_shrink([false, true])
                        .id_salt("release-scroll")
                        .show(ui, |ui| release::ui(ui, self, &mut actions));
                }
                Screen::Letters => letters::ui(ui, self, &mut actions),
                Screen::Purge => {
                    egui::ScrollArea::vertical()
                        .auto_shrink([false, true])
                        .id_salt("purge-scroll")
                        .show(ui, |ui| purge::ui(ui, self, &mut actions));
                }
                Screen::Help => help::ui(ui, self, &mut actions),
                Screen::ChooseKind => settings::choose_kind(ui, self, &mut actions),
                Screen::LetterText => letter_text::ui(ui, self, &mut actions),
                Screen::AccessLogReview => reviews::access_log(ui, self, &mut actions),
                Screen::UserReview => reviews::users(ui, self, &mut actions),
                Screen::Backup => {
                    egui::ScrollArea::vertical()
                        .id_salt("backup-scroll")
                        .show(ui, |ui| backup::ui(ui, self, &mut actions));
                }
                Screen::Restore => {
                    egui::ScrollArea::vertical()
                        .id_salt("restore-scroll")
                        .show(ui, |ui| backup::restore(ui, self, &mut actions));
                }
            }
        });
        if self.account.dialog && !self.locked && self.session.is_some() {
            account::password_dialog(&ctx, self, &mut actions);
        }
        if self.path_prompt.is_some() && !self.locked {
            widgets::path_prompt(&ctx, self, &mut actions);
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
        &self.users.list
    }
}

/// The user's home folder (where the path field starts), or the current folder.
fn home_folder() -> PathBuf {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }
}
