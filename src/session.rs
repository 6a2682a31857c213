//! A logged-in user's session: the only way the app and the CLI reach the store.
//!
//! Logging in unwraps the store key from the user's key slot, opens the encrypted store and
//! records the login in the audit trail. Every operation checks the user's rights here, in the
//! core, and writes its audit entry.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::audit::{self, AuditAction, ChainBreak, NewEntry};
use crate::auth::{self, AuthError, Permission, Roles};
use crate::import::{ImportError, ImportOptions, ImportReport, Progress};
use crate::record::Record;
use crate::report::CountReport;
use crate::review::{
    Choice, Decision, DecisionRow, FollowUp, LetterType, PendingBatch, ReviewError, ReviewState,
};
use crate::store::{
    RecordReview, ReleaseRequestRow, ReleaseRow, Store, StoreError, StoreKey, UserRow,
};
use crate::summary::Counts;
use crate::vault::{
    KdfParams, PendingEvent, Policy, RECOVERY_CONTEXT, RecoveryKey, Vault, VaultError, WrappedKey,
};

/// The review's progress for the home screen (see [`Session::review_progress`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewProgress {
    /// Mismatches per review state (undecided, waiting, approved, sent back).
    pub states: [u64; 4],
    /// Approved, number confirmed, viewing stopped: per case ①②③.
    pub ready: [u64; 3],
    /// The next release cut-off.
    pub next_cutoff: Option<chrono::NaiveDateTime>,
    /// Decisions per day (YYYY-MM-DD, count).
    pub per_day: Vec<(String, u64)>,
    /// Records with a letter sent for their current decision.
    pub letters_sent: u64,
    /// Of those, still without a reply.
    pub replies_pending: u64,
    /// Records in a release request.
    pub in_release_requests: u64,
}

/// Where a waiting letter's postal code comes from (see [`Session::letter_postal_codes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostalPreview {
    /// Record id.
    pub record_id: i64,
    /// The code the letter will carry, if known (7 digits).
    pub code: Option<String>,
    /// How it was found, for the clerk.
    pub source: String,
    /// Candidates from the town list when it gave several.
    pub candidates: Vec<String>,
}

/// A record opened for review (see [`Session::review_record`]).
#[derive(Clone, Debug)]
pub struct ReviewedRecord {
    /// The record, My Number masked.
    pub record: Record,
    /// The explanation and the alarms.
    pub explained: crate::analyze::Explained,
    /// Its data row number in the file (1 = the first row after the header).
    pub row: Option<u64>,
}

/// Name of the key file the data spine used before key slots (read once, then removed).
const LEGACY_KEY_FILE: &str = "store.key";
/// At most this many pre-login events wait in the slot file.
const MAX_PENDING: usize = 1000;

/// A user as the session sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// User id.
    pub id: i64,
    /// Login name.
    pub login: String,
    /// Name shown on screens.
    pub display_name: String,
    /// Roles.
    pub roles: Roles,
    /// 個人番号閲覧権限.
    pub may_reveal_my_number: bool,
    /// When created.
    pub created_at: String,
    /// When disabled, if disabled.
    pub disabled_at: Option<String>,
}

impl From<UserRow> for User {
    fn from(u: UserRow) -> Self {
        User {
            id: u.id,
            login: u.login,
            display_name: u.display_name,
            roles: Roles(u.roles),
            may_reveal_my_number: u.may_reveal_my_number,
            created_at: u.created_at,
            disabled_at: u.disabled_at,
        }
    }
}

/// A user with the state of their key slot, for the administrator's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserStatus {
    /// The user.
    pub user: User,
    /// Locked until (local time), if locked now.
    pub locked_until: Option<String>,
    /// Must change the password at the next login.
    pub must_change_password: bool,
}

impl UserStatus {
    /// The account's state in words (無効, ロック中…, パスワード変更待ち); empty when usable.
    pub fn state_ja(&self) -> Vec<String> {
        let mut state = Vec::new();
        if self.user.disabled_at.is_some() {
            state.push("無効".to_string());
        }
        if let Some(t) = &self.locked_until {
            state.push(format!("ロック中（{t} まで）"));
        }
        if self.must_change_password {
            state.push("パスワード変更待ち".to_string());
        }
        state
    }
}

/// An open session.
pub struct Session {
    dir: PathBuf,
    store: Store,
    key: StoreKey,
    user: User,
    policy: Policy,
    must_change_password: bool,
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn read_legacy_key(dir: &Path) -> Option<StoreKey> {
    let text = std::fs::read_to_string(dir.join(LEGACY_KEY_FILE)).ok()?;
    let t = text.trim();
    if t.len() != 64 {
        return None;
    }
    let mut k = [0u8; 32];
    for (i, b) in k.iter_mut().enumerate() {
        *b = u8::from_str_radix(t.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(StoreKey(k))
}

/// Overwrites a small file with zeros before deleting it (where the platform keeps the blocks
/// in place, the old bytes are gone).
pub fn overwrite_and_remove(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let len = std::fs::metadata(path)?.len();
    {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        let zeros = vec![0u8; 1 << 16];
        let mut left = len;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            f.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        f.sync_all()?;
    }
    std::fs::remove_file(path)
}

fn record_pending(vault: &mut Vault, login: &str, kind: AuditAction, at: i64) {
    if vault.pending.len() >= MAX_PENDING {
        return;
    }
    // Never keep what was typed into the name field if it is not a valid login: it may be a
    // password typed in the wrong field.
    let login = if auth::check_login(login).is_ok() {
        login.to_string()
    } else {
        "（利用者名として不正な入力）".to_string()
    };
    vault.pending.push(PendingEvent {
        at,
        login,
        kind: kind.key().to_string(),
    });
}

impl Session {
    /// Whether the store in `dir` has been set up (first administrator created).
    pub fn is_initialised(dir: &Path) -> bool {
        Vault::exists(dir)
    }

    /// First run: creates the store key (or adopts the key file of a store made before key
    /// slots), the first administrator and the recovery key. Returns the session and the
    /// recovery key, which must be printed and kept safe: it is shown only now.
    pub fn init(
        dir: &Path,
        login: &str,
        display_name: &str,
        password: &str,
    ) -> Result<(Session, RecoveryKey), AuthError> {
        if Vault::exists(dir) {
            return Err(VaultError::AlreadyInitialised.into());
        }
        auth::check_login(login)?;
        let policy = Policy::default();
        auth::check_password(&policy, login, password, None)?;
        let legacy = read_legacy_key(dir);
        if legacy.is_none() && Store::file_in(dir).exists() {
            return Err(AuthError::InvalidUser(
                "保管ファイルはありますが鍵スロットファイル（keyslots.json）がありません。新しい鍵は作りません".into(),
            ));
        }
        let key = legacy.unwrap_or_else(StoreKey::random);
        let store = Store::open(dir, &key)?;
        let now = audit::now_local();
        let id = store.insert_user(
            login,
            display_name,
            Roles::of(&[auth::Role::Administrator]).0,
            false,
            &now,
        )?;
        store.set_setting("policy", &serde_json::to_string(&policy).expect("policy"))?;
        let recovery = RecoveryKey::generate();
        let mut vault = Vault::new(&key, &recovery, policy.clone());
        vault.set_slot(&key, id, login, password, false, now_unix());
        vault.save(dir)?;
        if dir.join(LEGACY_KEY_FILE).exists() {
            overwrite_and_remove(&dir.join(LEGACY_KEY_FILE)).map_err(|e| VaultError::File {
                path: dir.join(LEGACY_KEY_FILE),
                message: e.to_string(),
            })?;
        }
        let user: User = store.user(id)?.expect("just inserted").into();
        let session = Session {
            dir: dir.to_path_buf(),
            store,
            key,
            user,
            policy,
            must_change_password: false,
        };
        session.audit(
            AuditAction::Setup,
            &format!("user:{id}"),
            "最初の管理者を作成",
        )?;
        Ok((session, recovery))
    }

    /// Logs in: unwraps the store key with the password, opens the store, audits.
    pub fn login(dir: &Path, login: &str, password: &str) -> Result<Session, AuthError> {
        let mut vault = Vault::load(dir)?;
        let now = now_unix();
        let Some(slot) = vault.slot(login).cloned() else {
            record_pending(&mut vault, login, AuditAction::LoginFailed, now);
            vault.save(dir)?;
            return Err(AuthError::WrongCredentials);
        };
        if let Some(until) = slot.locked_until
            && until > now
        {
            record_pending(&mut vault, login, AuditAction::LoginFailed, now);
            vault.save(dir)?;
            return Err(AuthError::Locked {
                until: audit::local_from_unix(until),
            });
        }
        let key = match slot.key.unwrap_key(
            password.as_bytes(),
            &crate::vault::slot_context(slot.user_id, login),
        ) {
            Ok(k) => k,
            Err(_) => {
                let locked_until = vault.register_failure(login, now);
                record_pending(&mut vault, login, AuditAction::LoginFailed, now);
                if locked_until.is_some() {
                    record_pending(&mut vault, login, AuditAction::Lockout, now);
                }
                vault.save(dir)?;
                return Err(match locked_until {
                    Some(until) => AuthError::Locked {
                        until: audit::local_from_unix(until),
                    },
                    None => AuthError::WrongCredentials,
                });
            }
        };
        let store = Store::open(dir, &key)?;
        let user: User = match store.user(slot.user_id)? {
            Some(u) if u.disabled_at.is_none() && u.login == login => u.into(),
            _ => {
                // A slot without an enabled user: remove it.
                vault.remove_slot(slot.user_id);
                vault.save(dir)?;
                return Err(AuthError::WrongCredentials);
            }
        };
        {
            let s = vault.slot_mut(login).expect("slot exists");
            s.failed_attempts = 0;
            s.locked_until = None;
        }
        let pending = std::mem::take(&mut vault.pending);
        // The policy in the store is authoritative; the slot file's copy only serves before login.
        let stored_policy: Option<Policy> = store
            .setting("policy")?
            .and_then(|p| serde_json::from_str(&p).ok());
        let mut policy_restored = false;
        let policy = match stored_policy {
            Some(p) => {
                if p != vault.policy {
                    vault.policy = p.clone();
                    policy_restored = true;
                }
                p
            }
            None => vault.policy.clone(),
        };
        vault.save(dir)?;
        let expired = policy.password_expiry_days > 0
            && now - slot.password_changed_at > policy.password_expiry_days as i64 * 86_400;
        let session = Session {
            dir: dir.to_path_buf(),
            store,
            key,
            user,
            policy,
            must_change_password: slot.must_change || expired,
        };
        for ev in pending {
            let action = AuditAction::from_key(&ev.kind).unwrap_or(AuditAction::LoginFailed);
            session.store.append_audit(&NewEntry {
                at: audit::local_from_unix(ev.at),
                user_id: None,
                user_login: ev.login,
                action,
                target: String::new(),
                detail: "ログイン前の記録".into(),
            })?;
        }
        if policy_restored {
            session.audit(
                AuditAction::SettingsChange,
                "",
                "鍵スロットファイルの規則が保管データと違っていたため、保管データの規則に戻しました",
            )?;
        }
        let detail = if session.must_change_password {
            "パスワード変更が必要"
        } else {
            ""
        };
        session.audit(AuditAction::Login, "", detail)?;
        Ok(session)
    }

    /// Opens the store with the recovery key and sets a new password for an enabled
    /// administrator. The recovery key is replaced: the new one is returned and must be printed.
    pub fn recover(
        dir: &Path,
        recovery: &RecoveryKey,
        login: &str,
        new_password: &str,
    ) -> Result<(Session, RecoveryKey), AuthError> {
        let mut vault = Vault::load(dir)?;
        let key = vault
            .unwrap_recovery(recovery)
            .map_err(|_| AuthError::WrongRecoveryKey)?;
        let store = Store::open(dir, &key)?;
        let user: User = match store.user_by_login(login)? {
            Some(u) if u.disabled_at.is_none() && Roles(u.roles).has(auth::Role::Administrator) => {
                u.into()
            }
            _ => {
                return Err(AuthError::InvalidUser(format!(
                    "「{login}」は有効な管理者ではありません"
                )));
            }
        };
        auth::check_password(&vault.policy, login, new_password, None)?;
        vault.set_slot(&key, user.id, login, new_password, false, now_unix());
        let new_recovery = RecoveryKey::generate();
        vault.recovery = WrappedKey::wrap(
            &key,
            new_recovery.secret(),
            RECOVERY_CONTEXT,
            KdfParams::default(),
        );
        vault.save(dir)?;
        let session = Session {
            dir: dir.to_path_buf(),
            store,
            key,
            policy: vault.policy.clone(),
            user,
            must_change_password: false,
        };
        session.audit(
            AuditAction::Recovery,
            &format!("user:{}", session.user.id),
            "復旧キーでパスワードを再設定し、復旧キーを新しくしました",
        )?;
        Ok((session, new_recovery))
    }

    /// The logged-in user.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// The account rules in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the password must be changed before any other work.
    pub fn must_change_password(&self) -> bool {
        self.must_change_password
    }

    /// Whether the user may do this (rights and a current password).
    pub fn may(&self, p: Permission) -> bool {
        self.require(p).is_ok()
    }

    /// Refuses unless the user may do this.
    pub fn require(&self, p: Permission) -> Result<(), AuthError> {
        if self.must_change_password {
            return Err(AuthError::PasswordChangeRequired);
        }
        let ok = match p {
            Permission::RevealMyNumber => self.user.may_reveal_my_number,
            _ => self.user.roles.allow(p),
        };
        if ok {
            Ok(())
        } else {
            Err(AuthError::Forbidden(p))
        }
    }

    /// Appends an entry for the logged-in user to the audit trail.
    pub fn audit(&self, action: AuditAction, target: &str, detail: &str) -> Result<(), AuthError> {
        self.store.append_audit(&NewEntry {
            at: audit::now_local(),
            user_id: Some(self.user.id),
            user_login: self.user.login.clone(),
            action,
            target: target.to_string(),
            detail: detail.to_string(),
        })?;
        Ok(())
    }

    /// Read access to the store for lists and counts (what the screens draw from).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The mismatch list read on its own thread with a second, read-only connection (for
    /// clerks and supervisors).
    pub fn list_reader(
        &self,
        waker: impl Fn() + Send + 'static,
    ) -> Result<crate::store::pager::ListPager, AuthError> {
        self.require(Permission::Review)?;
        let store = Store::open_reader(&self.dir, &self.key)?;
        Ok(crate::store::pager::ListPager::start(store, waker))
    }

    /// The people records can be assigned to: enabled users who may review (clerks and
    /// supervisors), as (id, display name), by name.
    pub fn reviewers(&self) -> Result<Vec<(i64, String)>, AuthError> {
        self.require(Permission::Review)?;
        let mut out: Vec<(i64, String)> = self
            .store
            .users()?
            .into_iter()
            .map(User::from)
            .filter(|u| u.disabled_at.is_none() && u.roles.allow(Permission::Review))
            .map(|u| (u.id, u.display_name))
            .collect();
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }

    /// Shares out the work: assigns the records of `filter` still to do (undecided or sent
    /// back) to `to` (`None`: to nobody), at most `limit` of them in the filter's order
    /// (supervisors; audited). Returns how many.
    pub fn assign(
        &self,
        filter: &crate::store::MismatchFilter,
        to: Option<i64>,
        limit: Option<usize>,
    ) -> Result<u64, AuthError> {
        self.require(Permission::Approve)?;
        let name = match to {
            Some(id) => Some(
                self.reviewers()?
                    .into_iter()
                    .find(|(u, _)| *u == id)
                    .map(|(_, n)| n)
                    .ok_or_else(|| {
                        AuthError::InvalidUser(
                            "割り当て先は、点検のできる有効な利用者にしてください".into(),
                        )
                    })?,
            ),
            None => None,
        };
        let n = self.store.in_transaction(|store| {
            let n = store.assign_mismatches(filter, to, limit)?;
            store.append_audit(&NewEntry {
                at: audit::now_local(),
                user_id: Some(self.user.id),
                user_login: self.user.login.clone(),
                action: AuditAction::Assign,
                target: to.map_or_else(|| "unassigned".to_string(), |id| format!("user:{id}")),
                detail: format!(
                    "{n} 件を{}",
                    name.map_or_else(|| "担当なしに".to_string(), |n| format!("{n} さんに"))
                ),
            })?;
            Ok::<u64, StoreError>(n)
        })?;
        Ok(n)
    }

    /// Per person (`None`: unassigned), the records still to do, with the person's name.
    pub fn work_per_assignee(&self) -> Result<Vec<(Option<i64>, String, u64)>, AuthError> {
        self.require(Permission::Review)?;
        let names = self.reviewers()?;
        Ok(self
            .store
            .work_per_assignee()?
            .into_iter()
            .map(|(id, n)| {
                let name = match id {
                    None => "未割り当て".to_string(),
                    Some(id) => names
                        .iter()
                        .find(|(u, _)| *u == id)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_else(|| format!("利用者 {id}")),
                };
                (id, name, n)
            })
            .collect())
    }

    /// Counts of everything stored.
    pub fn summary(&self) -> Result<Counts, AuthError> {
        self.require(Permission::ViewSummary)?;
        Ok(self.store.summary()?)
    }

    /// Imports a match-result file (administrators), and audits it.
    pub fn import_file(
        &mut self,
        path: &Path,
        opts: &ImportOptions,
        on_progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<ImportReport, ImportError> {
        self.require(Permission::Import)
            .map_err(|e| ImportError::Auth(Box::new(e)))?;
        let r = crate::import::import_file(&mut self.store, path, opts, on_progress, cancel)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.audit(
            AuditAction::Import,
            &format!("import:{}", r.import_id),
            &format!("{name}（{} 行）", r.counts.rows),
        )
        .map_err(|e| ImportError::Auth(Box::new(e)))?;
        Ok(r)
    }

    /// Opens a record for review: audited, with the My Number masked (`********1234`).
    pub fn view_record(&self, id: i64) -> Result<Option<Record>, AuthError> {
        self.require(Permission::Review)?;
        let Some(mut r) = self.store.record(id)? else {
            return Ok(None);
        };
        r.my_number = crate::mask::my_number(&r.my_number);
        self.audit(AuditAction::ViewRecord, &format!("record:{id}"), "")?;
        Ok(Some(r))
    }

    /// Opens a record for review with the explanation of every item, the suggestion and the
    /// cross-record alarms ([`crate::analyze::explain_stored`]) and its data row number:
    /// audited like [`Session::view_record`], with the My Number masked.
    pub fn review_record(&self, id: i64) -> Result<Option<ReviewedRecord>, AuthError> {
        self.require(Permission::Review)?;
        let Some((mut record, explained)) = crate::analyze::explain_stored(&self.store, id)? else {
            return Ok(None);
        };
        let row = self.store.row_number(id)?;
        record.my_number = crate::mask::my_number(&record.my_number);
        self.audit(AuditAction::ViewRecord, &format!("record:{id}"), "")?;
        Ok(Some(ReviewedRecord {
            record,
            explained,
            row,
        }))
    }

    /// Records a clerk's decision on a mismatch. A decision that contradicts the evidence
    /// ([`crate::review::contradictions`]) is refused with the reasons unless `confirmed` is
    /// set and a memo says why. The decision and its audit entry are written together.
    pub fn decide(
        &self,
        record_id: i64,
        choice: Choice,
        memo: &str,
        confirmed: bool,
    ) -> Result<i64, ReviewError> {
        self.require(Permission::Decide)?;
        if (choice.decision == Decision::WriteToPerson) != choice.letter.is_some() {
            return Err(ReviewError::LetterType);
        }
        let Some((record, explained)) = crate::analyze::explain_stored(&self.store, record_id)?
        else {
            return Err(ReviewError::NotAMismatch(record_id));
        };
        if !record.class.mismatch {
            return Err(ReviewError::NotAMismatch(record_id));
        }
        let review = self
            .store
            .record_review(record_id)?
            .ok_or(ReviewError::NotAMismatch(record_id))?;
        if !review.state.open_for_decision() {
            return Err(ReviewError::AlreadyApproved(record_id));
        }
        let memo = memo.trim();
        let why = crate::review::contradictions(&record, &explained.explanation, &choice);
        if !why.is_empty() && (!confirmed || memo.is_empty()) {
            return Err(ReviewError::NeedsConfirmation(why));
        }
        self.store.in_transaction(|store| {
            let id = store.insert_decision(
                record_id,
                &choice,
                memo,
                self.user.id,
                &audit::now_local(),
                &why,
            )?;
            let detail = format!(
                "{}{}{}",
                choice.decision.key(),
                choice
                    .letter
                    .map(|l| format!(" letter={}", l.key()))
                    .unwrap_or_default(),
                if why.is_empty() {
                    ""
                } else {
                    " (confirmed against the evidence)"
                }
            );
            self.audit(
                AuditAction::Decision,
                &format!("record:{record_id}"),
                &detail,
            )?;
            Ok::<_, ReviewError>(id)
        })
    }

    /// Mismatches per review state ([`ReviewState`] order: undecided, waiting for approval,
    /// approved, sent back), for the home screen.
    pub fn review_counts(&self) -> Result<[u64; 4], AuthError> {
        self.require(Permission::ViewSummary)?;
        Ok(self.store.review_counts()?)
    }

    /// The release cut-off schedule (the setting, or the operator's published one).
    pub fn release_schedule(&self) -> crate::release::Schedule {
        self.store
            .setting(crate::release::SETTING)
            .ok()
            .flatten()
            .and_then(|t| crate::release::Schedule::parse(&t).ok())
            .unwrap_or_default()
    }

    /// The release cut-off schedule as written in the setting (the operator's published
    /// schedule until an administrator changes it).
    pub fn release_schedule_text(&self) -> String {
        self.store
            .setting(crate::release::SETTING)
            .ok()
            .flatten()
            .unwrap_or_else(|| crate::release::DEFAULT_SCHEDULE.to_string())
    }

    /// Sets the release cut-off schedule (administrators; audited). The text is checked first.
    pub fn set_release_schedule(&self, text: &str) -> Result<(), AuthError> {
        self.require(Permission::Settings)?;
        crate::release::Schedule::parse(text).map_err(AuthError::InvalidUser)?;
        self.store
            .set_setting(crate::release::SETTING, text.trim())?;
        self.audit(
            AuditAction::SettingsChange,
            crate::release::SETTING,
            &text.trim().replace('\n', " / "),
        )?;
        Ok(())
    }

    /// What the home screen shows of the review: records per review state, what is ready for
    /// the next release request (per case), the next cut-off, and decisions per day.
    pub fn review_progress(&self) -> Result<ReviewProgress, AuthError> {
        self.require(Permission::ViewSummary)?;
        let now = chrono::Local::now().naive_local();
        let (letters_sent, replies_pending, in_release_requests) = self.store.letter_progress()?;
        Ok(ReviewProgress {
            states: self.store.review_counts()?,
            ready: self.store.ready_for_release()?,
            next_cutoff: self.release_schedule().next_after(now),
            per_day: self.store.decisions_per_day()?,
            letters_sent,
            replies_pending,
            in_release_requests,
        })
    }

    /// Notes that letters were printed and sent: (record, letter type) for records whose
    /// current decision is 本人へ文書送付 with that type; `deadline` is the reply deadline
    /// (YYYY-MM-DD). Audited; returns the letter batch id.
    pub fn record_letters_printed(
        &self,
        letters: &[(i64, LetterType)],
        deadline: &str,
        reprint: bool,
    ) -> Result<i64, ReviewError> {
        self.require(Permission::PrintLetters)?;
        let mut rows = Vec::with_capacity(letters.len());
        for (id, t) in letters {
            let review = self
                .store
                .record_review(*id)?
                .ok_or(ReviewError::NotAMismatch(*id))?;
            match review.decision {
                Some(d)
                    if d.choice.decision == Decision::WriteToPerson
                        && d.choice.letter == Some(*t)
                        && matches!(review.state, ReviewState::Decided | ReviewState::Approved) =>
                {
                    rows.push((*id, d.id, *t))
                }
                _ => return Err(ReviewError::NoLetterDecided(*id)),
            }
        }
        self.store.in_transaction(|store| {
            let batch = store.insert_letter_batch(
                &rows,
                self.user.id,
                &audit::now_local(),
                deadline,
                reprint,
            )?;
            self.audit(
                AuditAction::LetterPrint,
                &format!("letter_batch:{batch}"),
                &format!(
                    "通知文 {} 通{}（回答期限 {deadline}）",
                    rows.len(),
                    if reprint { "（再印刷）" } else { "" }
                ),
            )?;
            Ok::<_, ReviewError>(batch)
        })
    }

    /// The letterhead, contact and reply deadline of the notice letters (setting `letters`).
    pub fn letter_settings(&self) -> crate::letters::LetterSettings {
        self.store
            .setting("letters")
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// The insurer's name for documents, once an administrator has saved the letter settings.
    pub fn insurer_name(&self) -> Option<String> {
        self.store
            .setting("letters")
            .ok()
            .flatten()
            .map(|_| self.letter_settings().insurer_name)
    }

    /// Sets the letter settings (administrators; audited) after
    /// [`crate::letters::LetterSettings::checked`]; returns them as stored (tidied).
    pub fn set_letter_settings(
        &self,
        s: &crate::letters::LetterSettings,
    ) -> Result<crate::letters::LetterSettings, AuthError> {
        self.require(Permission::Settings)?;
        let s = s.clone().checked().map_err(AuthError::InvalidSetting)?;
        let text = serde_json::to_string(&s).expect("letter settings");
        self.store.set_setting("letters", &text)?;
        self.audit(AuditAction::SettingsChange, "letters", "通知文の設定")?;
        Ok(s)
    }

    /// Prints the notice letters of these records (current decision 本人へ文書送付) into one
    /// PDF at `out` (postal-code order), and notes them as sent with their reply deadline.
    /// The postal code comes from the insurer's mailing list when given (it takes
    /// precedence), else from the town list when the address gives exactly one. Nothing is
    /// printed or noted if any letter cannot be printed (the error names them by card).
    /// Returns the number of letters.
    pub fn print_letters(
        &self,
        record_ids: &[i64],
        mailing: Option<&crate::postal::MailingList>,
        issued: crate::record::Date,
        out: &Path,
        reprint: bool,
    ) -> Result<usize, ReviewError> {
        use crate::letters::LetterInput;
        self.require(Permission::PrintLetters)?;
        let settings = self.letter_settings();
        let missing = settings.missing_ja();
        if !missing.is_empty() {
            return Err(ReviewError::Letters(format!(
                "通知文の差出人の設定が済んでいません（{}）。管理者が設定画面で入力してください",
                missing.join("、")
            )));
        }
        let mut inputs = Vec::with_capacity(record_ids.len());
        let mut printed = Vec::with_capacity(record_ids.len());
        for id in record_ids {
            let review = self
                .store
                .record_review(*id)?
                .ok_or(ReviewError::NotAMismatch(*id))?;
            let letter = match &review.decision {
                Some(d) if d.choice.decision == Decision::WriteToPerson => {
                    d.choice.letter.ok_or(ReviewError::NoLetterDecided(*id))?
                }
                _ => return Err(ReviewError::NoLetterDecided(*id)),
            };
            let record = self
                .store
                .record(*id)?
                .ok_or(ReviewError::NotAMismatch(*id))?;
            let (address, _) = self.letter_address(*id, &record, mailing)?;
            inputs.push(LetterInput::from_record(&record, letter, address));
            printed.push((*id, letter));
        }
        let batch = crate::letters::render_batch(&settings, &inputs, issued)
            .map_err(|e| ReviewError::Letters(e.to_string()))?;
        let deadline = crate::letters::reply_deadline(&settings, issued);
        self.write_output(
            out,
            &batch.pdf,
            "letters",
            "letters",
            &format!("通知文 {} 通", inputs.len()),
        )?;
        self.record_letters_printed(&printed, &deadline.iso(), reprint)?;
        Ok(inputs.len())
    }

    /// The similar-case check of a record (類似事案の点検).
    pub fn similar_cases(
        &self,
        record_id: i64,
    ) -> Result<Vec<crate::wrong_number::SimilarCase>, AuthError> {
        self.require(Permission::Review)?;
        Ok(self.store.similar_cases(record_id)?)
    }

    /// For a record decided 個人番号の誤り: writes into `dir` the drafts of the contact
    /// sheet (別添3), the fact-check sheet (別添4) and the report (別添5) as PDF, and the
    /// similar-case list as CSV (card and reason only), each through
    /// [`Session::write_output`]. Returns the files.
    pub fn write_wrong_number_forms(
        &self,
        record_id: i64,
        dir: &Path,
    ) -> Result<Vec<PathBuf>, ReviewError> {
        self.require(Permission::Decide)?;
        let review = self
            .store
            .record_review(record_id)?
            .ok_or(ReviewError::NotAMismatch(record_id))?;
        let decided_at = match &review.decision {
            Some(d) if d.choice.decision == Decision::WrongNumber => d.decided_at.clone(),
            _ => return Err(ReviewError::NotWrongNumber(record_id)),
        };
        // The decision's local time begins with its day, YYYY-MM-DD.
        let detected = crate::record::Date::parse_iso(decided_at.get(..10).unwrap_or(&decided_at))
            .ok_or(ReviewError::NotWrongNumber(record_id))?;
        let record = self
            .store
            .record(record_id)?
            .ok_or(ReviewError::NotAMismatch(record_id))?;
        let settings = self.letter_settings();
        let sender = crate::wrong_number::Sender {
            insurer: settings.insurer_name.clone(),
            department: settings.department.clone(),
            person: self.user.display_name.clone(),
            phone: settings.phone.clone(),
        };
        let similar = self.store.similar_cases(record_id)?;
        let card = format!(
            "{}-{}-{}",
            record.card_symbol, record.card_number, record.branch
        );
        let target = format!("record:{record_id}");
        let mut written = Vec::new();
        for (doc, name, what) in [
            (
                crate::wrong_number::contact_sheet(&sender, &record, detected),
                "連絡票_別添3",
                "連絡票（別添3）下書き",
            ),
            (
                crate::wrong_number::fact_check(&sender, &similar),
                "事実関係確認票_別添4",
                "確認票（別添4）下書き",
            ),
            (
                crate::wrong_number::report_form(&sender, detected, &similar),
                "報告様式_別添5",
                "報告様式（別添5）下書き",
            ),
        ] {
            let pdf = crate::pdf::render(&doc).map_err(|e| output_error(dir, e))?;
            let path = dir.join(format!("{name}_{card}.pdf"));
            self.write_output(&path, &pdf, "wrong_number_form", &target, what)?;
            written.push(path);
        }
        let mut rows = Vec::new();
        for c in &similar {
            if let Some(r) = self.store.record(c.record_id)? {
                rows.push(vec![r.card_symbol, r.card_number, r.branch, c.why.clone()]);
            }
        }
        let table = crate::outputs::Table {
            headers: vec![
                "記号".into(),
                "番号".into(),
                "枝番".into(),
                "類似の理由".into(),
            ],
            rows,
        };
        let csv = table
            .to_csv(crate::outputs::CsvEncoding::Utf8Bom)
            .map_err(|e| output_error(dir, e))?;
        let path = dir.join(format!("類似事案の点検_{card}.csv"));
        self.write_output(
            &path,
            &csv,
            "similar_cases",
            &target,
            "類似事案の点検の一覧",
        )?;
        written.push(path);
        Ok(written)
    }

    /// Where each waiting letter's postal code comes from, for the clerk to confirm or
    /// correct before printing.
    pub fn letter_postal_codes(
        &self,
        record_ids: &[i64],
        mailing: Option<&crate::postal::MailingList>,
    ) -> Result<Vec<PostalPreview>, AuthError> {
        self.require(Permission::PrintLetters)?;
        let mut out = Vec::new();
        for id in record_ids {
            let Some(record) = self.store.record(*id)? else {
                continue;
            };
            out.push(self.letter_address(*id, &record, mailing)?.1);
        }
        Ok(out)
    }

    /// The characters each waiting letter cannot print (the font lacks them, e.g. 𠮷 or a
    /// gaiji), for the clerk to fix before printing: (record id, characters), only letters
    /// with some.
    pub fn letters_unprintable(
        &self,
        record_ids: &[i64],
    ) -> Result<Vec<(i64, Vec<char>)>, AuthError> {
        self.require(Permission::PrintLetters)?;
        let mut out = Vec::new();
        for id in record_ids {
            let Some(record) = self.store.record(*id)? else {
                continue;
            };
            let letter = self
                .store
                .record_review(*id)?
                .and_then(|r| r.decision)
                .and_then(|d| d.choice.letter)
                .unwrap_or(LetterType::B);
            let input = crate::letters::LetterInput::from_record(&record, letter, None);
            let bad = crate::letters::unprintable(&input);
            if !bad.is_empty() {
                out.push((*id, bad));
            }
        }
        Ok(out)
    }

    /// Where a record's letter goes, and how its postal code was found: the insurer's mailing
    /// list first, then the code the clerk confirmed, then the town list when it gives one
    /// code (its candidates otherwise, for the clerk to choose).
    fn letter_address(
        &self,
        record_id: i64,
        record: &Record,
        mailing: Option<&crate::postal::MailingList>,
    ) -> Result<(Option<crate::letters::MailingAddress>, PostalPreview), StoreError> {
        use crate::postal::{Lookup, PostalIndex, Resolved, resolve};
        let card = (
            record.card_symbol.as_str(),
            record.card_number.as_str(),
            record.branch.as_str(),
        );
        let (address, code, source, candidates) =
            match resolve(mailing, PostalIndex::get(), card, &record.insurer.address) {
                Resolved::Mailing(m) => (
                    m.address.clone(),
                    Some(m.postal_code.clone()),
                    "送付先一覧",
                    Vec::new(),
                ),
                Resolved::Lookup(l) => {
                    let candidates: Vec<String> = l.codes().iter().map(|c| c.to_string()).collect();
                    let (code, source, candidates) =
                        match (self.store.postal_override(record_id)?, l) {
                            (Some(c), _) => (Some(c), "担当者が確認", candidates),
                            (None, Lookup::Exact { code, .. }) => {
                                (Some(code), "町域一覧（要確認）", Vec::new())
                            }
                            (None, Lookup::Candidates(_)) => {
                                (None, "候補が複数: 選んでください", candidates)
                            }
                            (None, Lookup::NotFound) => (
                                None,
                                "町域一覧に見つかりません: 入力してください",
                                candidates,
                            ),
                        };
                    (record.insurer.address.clone(), code, source, candidates)
                }
            };
        let mailing_address = code
            .clone()
            .map(|postal_code| crate::letters::MailingAddress {
                postal_code,
                address,
            });
        Ok((
            mailing_address,
            PostalPreview {
                record_id,
                code,
                source: source.to_string(),
                candidates,
            },
        ))
    }

    /// Sets the postal code of a record's letter as the clerk confirmed or corrected it
    /// (7 digits, `123-4567` or full-width accepted); audited. Returns the 7 digits.
    pub fn set_postal_code(&self, record_id: i64, code: &str) -> Result<String, AuthError> {
        self.require(Permission::PrintLetters)?;
        let code = crate::postal::normalize_code(code).ok_or_else(|| {
            AuthError::InvalidUser("郵便番号は7桁の数字で入力してください（例 123-4567）".into())
        })?;
        self.store
            .set_postal_override(record_id, &code, self.user.id, &audit::now_local())?;
        self.audit(
            AuditAction::Decision,
            &format!("record:{record_id}"),
            "通知文の郵便番号を確認・修正",
        )?;
        Ok(code)
    }

    /// Records waiting for their letter: (record id, type, card), ① first.
    pub fn letters_to_print(&self) -> Result<Vec<(i64, LetterType, String)>, AuthError> {
        self.require(Permission::PrintLetters)?;
        Ok(self.store.letters_to_print()?)
    }

    /// Compares the last 4 digits the person wrote on the reply form (type B) with the
    /// registered number; only "match" or "no match" comes back, and the digits are never
    /// stored or logged. Audited.
    pub fn check_last_four(&self, record_id: i64, digits: &str) -> Result<bool, ReviewError> {
        self.require(Permission::RecordReplies)?;
        let digits = crate::text::fold_width_and_spaces(digits);
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReviewError::Digits);
        }
        let record = self
            .store
            .record(record_id)?
            .ok_or(ReviewError::NotAMismatch(record_id))?;
        let matched = record.my_number.len() == 12 && record.my_number.ends_with(&digits);
        self.audit(
            AuditAction::Decision,
            &format!("record:{record_id}"),
            if matched {
                "下4桁の照合: 一致"
            } else {
                "下4桁の照合: 不一致"
            },
        )?;
        Ok(matched)
    }

    /// Records the person's reply to the letter, or the employer's answer, for the record's
    /// current decision. For type B, `digits` are the last 4 digits the person wrote: calling
    /// the number right while they do not match needs `confirmed` and a memo. Audited.
    pub fn record_follow_up(
        &self,
        record_id: i64,
        outcome: FollowUp,
        digits: Option<&str>,
        memo: &str,
        confirmed: bool,
    ) -> Result<(), ReviewError> {
        self.require(Permission::RecordReplies)?;
        let review = self
            .store
            .record_review(record_id)?
            .ok_or(ReviewError::NotAMismatch(record_id))?;
        let Some(d) = review.decision else {
            return Err(ReviewError::FollowUpDoesNotFit(record_id));
        };
        if !outcome.fits(d.choice.decision)
            || !matches!(review.state, ReviewState::Decided | ReviewState::Approved)
        {
            return Err(ReviewError::FollowUpDoesNotFit(record_id));
        }
        if d.choice.decision == Decision::WriteToPerson
            && !self
                .store
                .letters_of(record_id)?
                .iter()
                .any(|l| l.decision_id == d.id)
        {
            return Err(ReviewError::NoLetterSent(record_id));
        }
        let digits_match = match digits.filter(|s| !s.trim().is_empty()) {
            Some(x) => Some(self.check_last_four(record_id, x)?),
            None => None,
        };
        let memo = memo.trim();
        if digits_match == Some(false)
            && outcome == FollowUp::NumberCorrect
            && (!confirmed || memo.is_empty())
        {
            return Err(ReviewError::NeedsConfirmation(vec![
                "下4桁が一致しないのに「誤りなし」としようとしています".into(),
            ]));
        }
        self.store.in_transaction(|store| {
            store.set_follow_up(
                record_id,
                d.id,
                outcome,
                digits_match,
                memo,
                self.user.id,
                &audit::now_local(),
            )?;
            self.audit(
                AuditAction::Decision,
                &format!("record:{record_id}"),
                &format!("follow_up={}", outcome.label_ja()),
            )?;
            Ok::<_, ReviewError>(())
        })
    }

    /// After the reply deadline: records "no reply" for every letter still unanswered whose
    /// deadline is before `today` (YYYY-MM-DD). Audited; returns how many.
    pub fn mark_no_replies(&self, today: &str) -> Result<u64, ReviewError> {
        self.require(Permission::RecordReplies)?;
        let overdue = self.store.overdue_letters(today)?;
        self.store.in_transaction(|store| {
            let at = audit::now_local();
            for (record, decision) in &overdue {
                store.set_follow_up(
                    *record,
                    *decision,
                    FollowUp::NoReply,
                    None,
                    "回答期限を過ぎたため一括登録",
                    self.user.id,
                    &at,
                )?;
            }
            self.audit(
                AuditAction::Decision,
                "follow_up",
                &format!(
                    "期限切れの返事なし {} 件を一括登録（{today} 時点）",
                    overdue.len()
                ),
            )?;
            Ok::<_, ReviewError>(overdue.len() as u64)
        })
    }

    /// The count report (確認結果（件数）の報告), live: of approved decisions only, or of
    /// every current decision.
    pub fn count_report(&self, approved_only: bool) -> Result<CountReport, AuthError> {
        self.require(Permission::ViewSummary)?;
        Ok(CountReport::compute(
            self.store.mismatch_count()?,
            self.store.counted_decisions(approved_only)?,
            approved_only,
        ))
    }

    /// Records ready for the next release request (supervisors), ① first.
    pub fn release_candidates(&self) -> Result<Vec<ReleaseRow>, AuthError> {
        self.require(Permission::Approve)?;
        Ok(self.store.release_candidates()?)
    }

    /// Makes a release request of these records, for the next cut-off (supervisors; audited).
    /// A record goes in one request only. Returns the request id.
    pub fn make_release_request(&self, record_ids: &[i64]) -> Result<i64, ReviewError> {
        self.require(Permission::Approve)?;
        if record_ids.is_empty() {
            return Err(ReviewError::NotReleasable);
        }
        let cutoff = self
            .release_schedule()
            .next_after(chrono::Local::now().naive_local())
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string());
        self.store.in_transaction(|store| {
            let id = store
                .insert_release_request(
                    record_ids,
                    self.user.id,
                    &audit::now_local(),
                    cutoff.as_deref(),
                )?
                .ok_or(ReviewError::NotReleasable)?;
            self.audit(
                AuditAction::Export,
                &format!("release_request:{id}"),
                &format!("閲覧停止解除依頼 {} 件", record_ids.len()),
            )?;
            Ok::<_, ReviewError>(id)
        })
    }

    /// The release request format (setting; the My Number is left out unless asked for).
    pub fn release_format(&self) -> crate::release::RequestFormat {
        self.store
            .setting(crate::release::FORMAT_SETTING)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Sets the release request format (administrators; audited).
    pub fn set_release_format(&self, f: &crate::release::RequestFormat) -> Result<(), AuthError> {
        self.require(Permission::Settings)?;
        let text = serde_json::to_string(f).expect("format");
        self.store
            .set_setting(crate::release::FORMAT_SETTING, &text)?;
        self.audit(
            AuditAction::SettingsChange,
            crate::release::FORMAT_SETTING,
            &text,
        )?;
        Ok(())
    }

    /// Writes the files of a release request into `dir` (chosen by the user): the list as
    /// CSV in UTF-8 with BOM and in CP932, as XLSX, and the cover sheet as PDF. Every file
    /// goes through [`Session::write_output`]. Returns the files written and, if the CP932
    /// list could not be written, why.
    pub fn write_release_request(
        &self,
        request_id: i64,
        insurer: &str,
        dir: &Path,
    ) -> Result<(Vec<PathBuf>, Option<String>), ReviewError> {
        self.require(Permission::Approve)?;
        let request = self
            .store
            .release_requests()?
            .into_iter()
            .find(|r| r.id == request_id)
            .ok_or(ReviewError::NotReleasable)?;
        let rows = self.store.release_request_rows(request_id)?;
        let table = crate::release::request_table(&rows, &self.release_format());
        let mut approvers: Vec<String> = Vec::new();
        for r in &rows {
            if let Some((_, Some(by))) = self.store.approval_of(r.record_id)?
                && !approvers.contains(&by)
            {
                approvers.push(by);
            }
        }
        let prepared_by = self
            .store
            .user(request.created_by)?
            .map(|u| u.display_name)
            .unwrap_or_default();
        let cover = crate::release::Cover {
            insurer: insurer.to_string(),
            request_id,
            cutoff: request.cutoff.clone(),
            created_at: request.created_at.clone(),
            prepared_by,
            approved_by: approvers,
        };
        let base = format!("閲覧停止解除依頼_第{request_id}号");
        let target = format!("release_request:{request_id}");
        let mut written = Vec::new();
        let mut note = None;
        for enc in [
            crate::outputs::CsvEncoding::Utf8Bom,
            crate::outputs::CsvEncoding::Cp932,
        ] {
            match table.to_csv(enc) {
                Ok(bytes) => {
                    let path = dir.join(format!("{base}_{}.csv", enc.suffix()));
                    self.write_output(
                        &path,
                        &bytes,
                        "release_list",
                        &target,
                        "解除依頼の一覧（CSV）",
                    )?;
                    written.push(path);
                }
                Err(e) => note = Some(e),
            }
        }
        let xlsx = table
            .to_xlsx("解除依頼")
            .map_err(|e| output_error(dir, e))?;
        let path = dir.join(format!("{base}.xlsx"));
        self.write_output(
            &path,
            &xlsx,
            "release_list",
            &target,
            "解除依頼の一覧（XLSX）",
        )?;
        written.push(path);
        let pdf = crate::pdf::render(&crate::release::cover_sheet(&cover, &rows))
            .map_err(|e| output_error(dir, e))?;
        let path = dir.join(format!("{base}_送付書.pdf"));
        self.write_output(
            &path,
            &pdf,
            "release_cover",
            &target,
            "解除依頼の送付書（PDF）",
        )?;
        written.push(path);
        Ok((written, note))
    }

    /// Writes the count report to `out` as CSV (UTF-8 with BOM) or, for a path ending in
    /// `.pdf`, as a printable PDF; audited.
    pub fn write_count_report(
        &self,
        approved_only: bool,
        insurer: &str,
        out: &Path,
    ) -> Result<(), AuthError> {
        let report = self.count_report(approved_only)?;
        let basis = if approved_only {
            "承認済の判断"
        } else {
            "承認待ちを含むすべての判断"
        };
        let is_pdf = out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
        let bytes = if is_pdf {
            use crate::pdf::Block;
            let doc = crate::pdf::SimpleDoc {
                title: "確認結果（件数）の報告".into(),
                blocks: vec![
                    Block::Title("確認結果（件数）の報告".into()),
                    Block::Paragraph(format!(
                        "{insurer}　{} 現在（集計の対象: {basis}）",
                        audit::now_local()
                    )),
                    Block::Table(
                        report
                            .lines
                            .iter()
                            .map(|(k, l, n)| (format!("{k}. {l}"), format!("{n} 件")))
                            .collect(),
                    ),
                ],
                footer: Some("確認結果（件数）の報告".into()),
            };
            crate::pdf::render(&doc).map_err(|e| output_error(out, e))?
        } else {
            let table = crate::outputs::Table {
                headers: vec!["設問".into(), "内容".into(), "件数".into()],
                rows: report.rows().into_iter().map(|r| r.to_vec()).collect(),
            };
            table
                .to_csv(crate::outputs::CsvEncoding::Utf8Bom)
                .map_err(|e| output_error(out, e))?
        };
        self.write_output(
            out,
            &bytes,
            "count_report",
            "count_report",
            &format!("確認結果（件数）の報告（{basis}）"),
        )
    }

    /// The release requests made so far, newest first.
    pub fn release_requests(&self) -> Result<Vec<ReleaseRequestRow>, AuthError> {
        self.require(Permission::ViewSummary)?;
        Ok(self.store.release_requests()?)
    }

    /// Undoes this user's last decision that is not yet approved; returns its record.
    pub fn undo_last_decision(&self) -> Result<i64, ReviewError> {
        self.require(Permission::Decide)?;
        let d = self
            .store
            .last_undoable_decision(self.user.id)?
            .ok_or(ReviewError::NothingToUndo)?;
        self.store.in_transaction(|store| {
            store.undo_decision(d.id)?;
            self.audit(
                AuditAction::Decision,
                &format!("record:{}", d.record_id),
                &format!("undo {}", d.choice.decision.key()),
            )?;
            Ok::<_, ReviewError>(d.record_id)
        })
    }

    /// Where a record stands and every decision on it (for the record's history).
    pub fn record_review(
        &self,
        record_id: i64,
    ) -> Result<Option<(RecordReview, Vec<DecisionRow>)>, ReviewError> {
        self.require(Permission::Review)?;
        let Some(review) = self.store.record_review(record_id)? else {
            return Ok(None);
        };
        Ok(Some((review, self.store.decisions_of(record_id)?)))
    }

    /// Who viewed, decided, approved, sent back or revealed what on a record, from the audit
    /// trail, oldest first: (time, login, what).
    pub fn record_trail(&self, record_id: i64) -> Result<Vec<(String, String, String)>, AuthError> {
        self.require(Permission::Review)?;
        Ok(self
            .store
            .audit_entries_for(&format!("record:{record_id}"))?
            .into_iter()
            .map(|e| {
                let what = crate::audit::AuditAction::from_key(&e.action)
                    .map(|a| a.label_ja().to_string())
                    .unwrap_or(e.action);
                (e.at, e.user_login, what)
            })
            .collect())
    }

    /// Decided records waiting for approval, grouped as the supervisor chose, without the
    /// supervisor's own decisions (those can never be approved by them).
    pub fn pending_batches(
        &self,
        grouping: crate::review::BatchGrouping,
    ) -> Result<Vec<PendingBatch>, ReviewError> {
        self.require(Permission::Approve)?;
        Ok(self
            .store
            .pending_batches(grouping)?
            .into_iter()
            .filter(|b| b.clerk_id != self.user.id)
            .collect())
    }

    /// Approves records waiting for approval as one batch (four-eyes: none may be the
    /// supervisor's own decision); returns the batch id.
    pub fn approve(&self, record_ids: &[i64]) -> Result<i64, ReviewError> {
        self.require(Permission::Approve)?;
        let mut decided_by = Vec::with_capacity(record_ids.len());
        for id in record_ids {
            let review = self
                .store
                .record_review(*id)?
                .ok_or(ReviewError::NotDecided(*id))?;
            match (review.state, review.decision) {
                (ReviewState::Decided, Some(d)) => decided_by.push(d.decided_by),
                _ => return Err(ReviewError::NotDecided(*id)),
            }
        }
        self.authorize_approval(&decided_by)?;
        self.store.in_transaction(|store| {
            let batch = store.approve_records(record_ids, self.user.id, &audit::now_local())?;
            self.audit(
                AuditAction::Approval,
                &format!("batch:{batch}"),
                &format!("{} records", record_ids.len()),
            )?;
            Ok::<_, ReviewError>(batch)
        })
    }

    /// Sends one record back to its clerk with a reason (shown in the clerk's list).
    pub fn send_back(&self, record_id: i64, reason: &str) -> Result<(), ReviewError> {
        self.require(Permission::Approve)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ReviewError::EmptyReason);
        }
        let review = self
            .store
            .record_review(record_id)?
            .ok_or(ReviewError::NotDecided(record_id))?;
        let Some(d) = review
            .decision
            .filter(|_| review.state == ReviewState::Decided)
        else {
            return Err(ReviewError::NotDecided(record_id));
        };
        self.authorize_approval(&[d.decided_by])?;
        self.store.in_transaction(|store| {
            store.send_back(record_id, reason)?;
            self.audit(
                AuditAction::SendBack,
                &format!("record:{record_id}"),
                reason,
            )?;
            Ok::<_, ReviewError>(())
        })
    }

    /// The full registered My Number of a record, for users with 個人番号閲覧権限; audited.
    pub fn reveal_my_number(&self, id: i64) -> Result<Option<String>, AuthError> {
        self.require(Permission::RevealMyNumber)?;
        let Some(r) = self.store.record(id)? else {
            return Ok(None);
        };
        self.audit(AuditAction::RevealMyNumber, &format!("record:{id}"), "")?;
        Ok(Some(r.my_number))
    }

    /// The four-eyes check for approving a batch whose decisions were made by `decided_by`.
    pub fn authorize_approval(&self, decided_by: &[i64]) -> Result<(), AuthError> {
        if self.must_change_password {
            return Err(AuthError::PasswordChangeRequired);
        }
        auth::check_approval(self.user.id, self.user.roles, decided_by)
    }

    /// Checks the user's password again (to lift the idle lock). Failures count towards the
    /// lockout like failed logins; when the account locks, the caller must end the session.
    pub fn verify_password(&self, password: &str) -> Result<(), AuthError> {
        let mut vault = Vault::load(&self.dir)?;
        let now = now_unix();
        let login = self.user.login.clone();
        let slot = vault
            .slot(&login)
            .cloned()
            .ok_or(AuthError::WrongCredentials)?;
        if let Some(until) = slot.locked_until
            && until > now
        {
            return Err(AuthError::Locked {
                until: audit::local_from_unix(until),
            });
        }
        if slot
            .key
            .unwrap_key(
                password.as_bytes(),
                &crate::vault::slot_context(self.user.id, &login),
            )
            .is_ok()
        {
            if let Some(s) = vault.slot_mut(&login)
                && s.failed_attempts > 0
            {
                s.failed_attempts = 0;
                vault.save(&self.dir)?;
            }
            return Ok(());
        }
        let locked_until = vault.register_failure(&login, now);
        vault.save(&self.dir)?;
        self.audit(AuditAction::LoginFailed, "", "画面ロックの解除に失敗")?;
        if let Some(until) = locked_until {
            self.audit(AuditAction::Lockout, &format!("user:{}", self.user.id), "")?;
            return Err(AuthError::Locked {
                until: audit::local_from_unix(until),
            });
        }
        Err(AuthError::WrongCredentials)
    }

    /// Changes the user's own password (re-wraps the store key with the new one).
    pub fn change_password(&mut self, old: &str, new: &str) -> Result<(), AuthError> {
        let mut vault = Vault::load(&self.dir)?;
        let slot = vault
            .slot(&self.user.login)
            .ok_or(AuthError::WrongCredentials)?;
        slot.key
            .unwrap_key(
                old.as_bytes(),
                &crate::vault::slot_context(self.user.id, &self.user.login),
            )
            .map_err(|_| AuthError::WrongCredentials)?;
        auth::check_password(&self.policy, &self.user.login, new, Some(old))?;
        vault.set_slot(
            &self.key,
            self.user.id,
            &self.user.login,
            new,
            false,
            now_unix(),
        );
        vault.save(&self.dir)?;
        self.must_change_password = false;
        self.audit(
            AuditAction::PasswordChange,
            &format!("user:{}", self.user.id),
            "本人による変更",
        )
    }

    fn target_user(&self, id: i64) -> Result<User, AuthError> {
        self.store
            .user(id)?
            .map(User::from)
            .ok_or_else(|| AuthError::InvalidUser(format!("利用者 {id} はいません")))
    }

    fn enabled_admins(&self) -> Result<Vec<i64>, AuthError> {
        Ok(self
            .store
            .users()?
            .into_iter()
            .filter(|u| u.disabled_at.is_none() && Roles(u.roles).has(auth::Role::Administrator))
            .map(|u| u.id)
            .collect())
    }

    /// Creates a user with a temporary password, to be changed at first login.
    pub fn add_user(
        &mut self,
        login: &str,
        display_name: &str,
        roles: Roles,
        may_reveal_my_number: bool,
        temporary_password: &str,
    ) -> Result<i64, AuthError> {
        self.require(Permission::ManageUsers)?;
        auth::check_login(login)?;
        if display_name.trim().is_empty() {
            return Err(AuthError::InvalidUser(
                "氏名（表示名）を入れてください".into(),
            ));
        }
        if roles.list().is_empty() {
            return Err(AuthError::InvalidUser("役割を1つ以上選んでください".into()));
        }
        if self.store.user_by_login(login)?.is_some() {
            return Err(AuthError::InvalidUser(format!(
                "利用者名「{login}」は使われています（無効にした利用者の名前も再利用しません）"
            )));
        }
        auth::check_password(&self.policy, login, temporary_password, None)?;
        let id = self.store.insert_user(
            login,
            display_name.trim(),
            roles.0,
            may_reveal_my_number,
            &audit::now_local(),
        )?;
        let mut vault = Vault::load(&self.dir)?;
        vault.set_slot(&self.key, id, login, temporary_password, true, now_unix());
        vault.save(&self.dir)?;
        self.audit(
            AuditAction::UserChange,
            &format!("user:{id}"),
            &format!(
                "作成: {login}、役割 {}、個人番号閲覧権限 {}",
                roles.label_ja(),
                if may_reveal_my_number {
                    "あり"
                } else {
                    "なし"
                }
            ),
        )?;
        Ok(id)
    }

    /// Changes a user's roles and My Number right. The last enabled administrator keeps the
    /// administrator role.
    pub fn set_user_rights(
        &mut self,
        id: i64,
        roles: Roles,
        may_reveal_my_number: bool,
    ) -> Result<(), AuthError> {
        self.require(Permission::ManageUsers)?;
        let u = self.target_user(id)?;
        if roles.list().is_empty() {
            return Err(AuthError::InvalidUser("役割を1つ以上選んでください".into()));
        }
        if u.roles.has(auth::Role::Administrator)
            && !roles.has(auth::Role::Administrator)
            && self.enabled_admins()? == vec![id]
        {
            return Err(AuthError::InvalidUser(
                "最後の管理者から管理者の役割は外せません".into(),
            ));
        }
        self.store
            .update_user_rights(id, roles.0, may_reveal_my_number)?;
        self.audit(
            AuditAction::UserChange,
            &format!("user:{id}"),
            &format!(
                "権限変更: 役割 {} → {}、個人番号閲覧権限 {} → {}",
                u.roles.label_ja(),
                roles.label_ja(),
                if u.may_reveal_my_number {
                    "あり"
                } else {
                    "なし"
                },
                if may_reveal_my_number {
                    "あり"
                } else {
                    "なし"
                }
            ),
        )?;
        if id == self.user.id {
            self.user.roles = roles;
            self.user.may_reveal_my_number = may_reveal_my_number;
        }
        Ok(())
    }

    /// Disables a user: their key slot is removed, their name stays in the trail.
    pub fn disable_user(&mut self, id: i64) -> Result<(), AuthError> {
        self.require(Permission::ManageUsers)?;
        let u = self.target_user(id)?;
        if id == self.user.id {
            return Err(AuthError::InvalidUser("自分自身は無効にできません".into()));
        }
        if u.disabled_at.is_some() {
            return Ok(());
        }
        if u.roles.has(auth::Role::Administrator) && self.enabled_admins()? == vec![id] {
            return Err(AuthError::InvalidUser(
                "最後の管理者は無効にできません".into(),
            ));
        }
        let mut vault = Vault::load(&self.dir)?;
        vault.remove_slot(id);
        vault.save(&self.dir)?;
        self.store.disable_user(id, &audit::now_local())?;
        self.audit(
            AuditAction::UserChange,
            &format!("user:{id}"),
            &format!("無効化: {}", u.login),
        )
    }

    /// Sets a temporary password for a user (who must change it at login) and unlocks them.
    pub fn reset_password(&mut self, id: i64, temporary_password: &str) -> Result<(), AuthError> {
        self.require(Permission::ManageUsers)?;
        let u = self.target_user(id)?;
        if u.disabled_at.is_some() {
            return Err(AuthError::InvalidUser("無効にした利用者です".into()));
        }
        auth::check_password(&self.policy, &u.login, temporary_password, None)?;
        let mut vault = Vault::load(&self.dir)?;
        vault.set_slot(
            &self.key,
            id,
            &u.login,
            temporary_password,
            true,
            now_unix(),
        );
        vault.save(&self.dir)?;
        self.audit(
            AuditAction::PasswordChange,
            &format!("user:{id}"),
            "管理者による仮パスワードの設定",
        )
    }

    /// Lifts a lockout.
    pub fn unlock_user(&mut self, id: i64) -> Result<(), AuthError> {
        self.require(Permission::ManageUsers)?;
        let u = self.target_user(id)?;
        let mut vault = Vault::load(&self.dir)?;
        if let Some(s) = vault.slot_mut(&u.login) {
            s.locked_until = None;
            s.failed_attempts = 0;
        }
        vault.save(&self.dir)?;
        self.audit(AuditAction::Unlock, &format!("user:{id}"), "")
    }

    /// Every user with the state of their slot.
    pub fn users(&self) -> Result<Vec<UserStatus>, AuthError> {
        self.require(Permission::ManageUsers)?;
        let vault = Vault::load(&self.dir)?;
        let now = now_unix();
        Ok(self
            .store
            .users()?
            .into_iter()
            .map(|u| {
                let slot = vault.slot(&u.login);
                UserStatus {
                    locked_until: slot
                        .and_then(|s| s.locked_until)
                        .filter(|t| *t > now)
                        .map(audit::local_from_unix),
                    must_change_password: slot.is_some_and(|s| s.must_change),
                    user: u.into(),
                }
            })
            .collect())
    }

    /// Changes the account rules.
    pub fn set_policy(&mut self, policy: Policy) -> Result<(), AuthError> {
        self.require(Permission::Settings)?;
        if policy.min_password_len < 8 {
            return Err(AuthError::InvalidUser(
                "パスワードの最小文字数は 8 以上にしてください".into(),
            ));
        }
        if policy.max_failures == 0 || policy.idle_lock_minutes == 0 {
            return Err(AuthError::InvalidUser(
                "ロックまでの回数と画面ロックまでの時間は 1 以上にしてください".into(),
            ));
        }
        self.store
            .set_setting("policy", &serde_json::to_string(&policy).expect("policy"))?;
        let mut vault = Vault::load(&self.dir)?;
        vault.policy = policy.clone();
        vault.save(&self.dir)?;
        let detail = format!(
            "最小文字数 {}、ロックまで {} 回、ロック {} 分、有効期限 {} 日、画面ロック {} 分",
            policy.min_password_len,
            policy.max_failures,
            policy.lockout_minutes,
            policy.password_expiry_days,
            policy.idle_lock_minutes
        );
        self.policy = policy;
        self.audit(AuditAction::SettingsChange, "", &detail)
    }

    /// Recomputes the audit chain: the number of entries, or where it first breaks.
    pub fn verify_audit(&self) -> Result<Result<u64, ChainBreak>, AuthError> {
        self.require(Permission::ReadAudit)?;
        Ok(audit::verify_chain(self.store.audit_entries(None, None)?))
    }

    /// Writes the audit entries between two dates (`YYYY-MM-DD`, both included) as CSV
    /// (UTF-8 with BOM, for Excel) for the monthly review; audited. Returns the count.
    pub fn export_audit(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        out: &Path,
    ) -> Result<u64, AuthError> {
        self.require(Permission::ReadAudit)?;
        let entries = self.store.audit_entries(from, to)?;
        let names: std::collections::HashMap<i64, String> = self
            .store
            .users()?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        let rows = entries
            .iter()
            .map(|e| {
                let action = AuditAction::from_key(&e.action)
                    .map(|a| a.label_ja().to_string())
                    .unwrap_or_else(|| e.action.clone());
                let name = e
                    .user_id
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_default();
                vec![
                    e.id.to_string(),
                    e.at.clone(),
                    e.user_login.clone(),
                    name,
                    action,
                    e.target.clone(),
                    e.detail.clone(),
                    e.hash.clone(),
                ]
            })
            .collect();
        let table = crate::outputs::Table {
            headers: [
                "番号",
                "日時",
                "利用者名",
                "氏名",
                "操作",
                "対象",
                "内容",
                "ハッシュ",
            ]
            .iter()
            .map(|h| h.to_string())
            .collect(),
            rows,
        };
        // Cells are guarded against formula injection by the table.
        let bytes = table
            .to_csv(crate::outputs::CsvEncoding::Utf8Bom)
            .map_err(|e| output_error(out, e))?;
        self.write_output(
            out,
            &bytes,
            "audit_export",
            "audit",
            &format!(
                "操作記録 {} 件（{} ～ {}）",
                entries.len(),
                from.unwrap_or("最初"),
                to.unwrap_or("最後")
            ),
        )?;
        Ok(entries.len() as u64)
    }

    /// The one place outputs are written: `bytes` go to `out` (the path the user chose), via
    /// a temporary file renamed into place so that a crash leaves no half file; the file is
    /// remembered for a purge and the export is audited (`target`, `detail`: never a name or
    /// a number of a person).
    pub fn write_output(
        &self,
        out: &Path,
        bytes: &[u8],
        kind: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), AuthError> {
        let io = |source: std::io::Error| StoreError::Io {
            path: out.to_path_buf(),
            source,
        };
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = out.with_file_name(format!(".{name}.part"));
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::rename(&tmp, out).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })?;
        // Remembered so that a purge deletes it too.
        let abs = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
        self.store
            .note_written_file(&abs, kind, &audit::now_local())?;
        self.audit(AuditAction::Export, target, &format!("{detail} → {name}"))?;
        Ok(())
    }

    /// Ends the session (audited).
    pub fn logout(self) -> Result<(), AuthError> {
        self.audit(AuditAction::Logout, "", "")
    }
}

pub use crate::outputs::escape_formula;

/// An output that could not be made (a PDF, a CSV in CP932, an XLSX), as a store I/O error
/// naming where it was going.
fn output_error(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}
