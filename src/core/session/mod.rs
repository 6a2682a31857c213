//! A logged-in user's session: the only way the app and the CLI reach the store.
//!
//! Logging in unwraps the store key from the user's key slot, opens the encrypted store and
//! records the login in the audit trail. Every operation checks the user's rights here, in the
//! core, and writes its audit entry.
//!
//! The session is split by concern: logging in and the rights (here), [`users`] and passwords,
//! the [`review`] (import, list, decisions, approval), [`letters`] and replies, the wording of
//! the letters ([`letter_text`]: templates, versions, preview), the [`release`]
//! request and the count report, the [`settings`] kept in the store, and the audit [`trail`].

mod backup;
mod error;
mod keys;
mod letter_text;
mod letters;
mod release;
mod review;
mod reviews;
mod rights;
mod settings;
mod trail;
mod users;
mod wrong_number;

pub use backup::BackupDone;
pub use error::SessionError;
pub use keys::{Rekeyed, VaultProblem};
pub use letter_text::{CurrentLetterText, LetterPreview};
pub use letters::PostalPreview;
pub use release::Output;
pub use review::{ApprovalLine, RecordDetail, ReviewProgress, ReviewedRecord};
pub use reviews::{AccessLogReview, ReviewEntry, ReviewedUser, UserListReview};
pub use rights::OutcomeLine;
pub use users::UserStatus;
pub use wrong_number::OpenProcedure;

use std::path::{Path, PathBuf};

use crate::audit::{self, AuditAction, NewEntry};
use crate::auth::{self, Permission, Roles};
use crate::store::{Store, StoreError, StoreKey, UserRow};
use crate::vault::{PendingEvent, Policy, RECOVERY_CONTEXT, RecoveryKey, Vault, VaultError};

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

/// An open session.
pub struct Session {
    dir: PathBuf,
    store: Store,
    key: StoreKey,
    user: User,
    policy: Policy,
    must_change_password: bool,
    /// Tampering found at login (the audit chain cut or broken, lockout counters rolled back,
    /// forged pre-login events), in words: shown to administrators on the home screen.
    integrity: Vec<String>,
    /// A re-key done at this login because an earlier one was interrupted.
    resumed_rekey: Option<Rekeyed>,
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

fn record_pending(dir: &Path, vault: &mut Vault, login: &str, kind: AuditAction, at: i64) {
    // Never keep what was typed into the name field if it is not a valid login: it may be a
    // password typed in the wrong field.
    let login = if auth::check_login(login).is_ok() {
        login.to_string()
    } else {
        crate::vault::INVALID_LOGIN_PLACEHOLDER.to_string()
    };
    keys::log_prelogin(dir, kind, &login);
    if vault.pending.len() >= MAX_PENDING {
        return;
    }
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
    ) -> Result<(Session, RecoveryKey), SessionError> {
        std::fs::create_dir_all(dir).map_err(|e| VaultError::File {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let lock = Vault::lock(dir)?;
        if Vault::exists(dir) {
            return Err(VaultError::AlreadyInitialised.into());
        }
        auth::check_login(login).map_err(SessionError::InvalidUser)?;
        let policy = Policy::default();
        auth::check_password(&policy, login, password, None).map_err(SessionError::WeakPassword)?;
        let legacy = read_legacy_key(dir);
        if legacy.is_none() && Store::file_in(dir).exists() {
            return Err(SessionError::InvalidUser(
                "保管ファイルはありますが鍵スロットファイル（keyslots.json）がありません。新しい鍵は作りません".into(),
            ));
        }
        let key = legacy.unwrap_or_else(StoreKey::random);
        let store = Store::open(dir, &key)?;
        let now = audit::now_local();
        let id = store.atomically(|| -> Result<i64, SessionError> {
            let id = store.insert_user(
                login,
                display_name,
                Roles::of(&[auth::Role::Administrator]).0,
                false,
                &now,
            )?;
            store.set_setting("policy", &serde_json::to_string(&policy).expect("policy"))?;
            store.append_audit(&NewEntry {
                at: now.clone(),
                user_id: Some(id),
                user_login: login.to_string(),
                action: AuditAction::Setup,
                target: format!("user:{id}"),
                detail: "最初の管理者を作成".into(),
            })?;
            Ok(id)
        })?;
        let recovery = RecoveryKey::generate();
        let mut vault = Vault::new(&key, &recovery, policy.clone());
        vault.set_slot(&key, id, login, password, false, now_unix());
        let user: User = store.user(id)?.expect("just inserted").into();
        let session = Session {
            dir: dir.to_path_buf(),
            store,
            key,
            user,
            policy,
            must_change_password: false,
            integrity: Vec::new(),
            resumed_rekey: None,
        };
        session.save_vault(&mut vault, &lock)?;
        if dir.join(LEGACY_KEY_FILE).exists() {
            overwrite_and_remove(&dir.join(LEGACY_KEY_FILE)).map_err(|e| VaultError::File {
                path: dir.join(LEGACY_KEY_FILE),
                message: e.to_string(),
            })?;
        }
        Ok((session, recovery))
    }

    /// Logs in: unwraps the store key with the password, opens the store, checks the slot
    /// file (MAC, generation, lockout counters) and the audit chain from its anchor, moves the
    /// pre-login events into the trail, audits. All under the slot file's lock.
    pub fn login(dir: &Path, login: &str, password: &str) -> Result<Session, SessionError> {
        if dir.join(crate::backup::RESTORE_MARKER).exists() {
            return Err(SessionError::Output(
                "この保管場所へのバックアップからの復元が終わっていません。もう一度復元してください"
                    .into(),
            ));
        }
        Session::login_unchecked(dir, login, password)
    }

    /// [`Session::login`] without the check for an unfinished restore (the restore itself
    /// logs in this way, to check what it copied).
    pub(crate) fn login_unchecked(
        dir: &Path,
        login: &str,
        password: &str,
    ) -> Result<Session, SessionError> {
        if !Vault::exists(dir) {
            return Err(VaultError::NotInitialised.into());
        }
        let lock = Vault::lock(dir)?;
        let mut vault = Vault::load(dir)?;
        let now = now_unix();
        let Some(slot) = vault.slot(login).cloned() else {
            record_pending(dir, &mut vault, login, AuditAction::LoginFailed, now);
            vault.save(dir)?;
            return Err(SessionError::WrongCredentials);
        };
        if let Some(until) = slot.locked_until
            && until > now
        {
            record_pending(dir, &mut vault, login, AuditAction::LoginFailed, now);
            vault.save(dir)?;
            return Err(SessionError::Locked {
                until: audit::local_from_unix(until),
            });
        }
        let unlocked = match slot.unlock(password) {
            Ok(k) => k,
            Err(VaultError::WrongSecret) => {
                let locked_until = vault.register_failure(login, now);
                record_pending(dir, &mut vault, login, AuditAction::LoginFailed, now);
                if locked_until.is_some() {
                    record_pending(dir, &mut vault, login, AuditAction::Lockout, now);
                }
                vault.save(dir)?;
                return Err(match locked_until {
                    Some(until) => SessionError::Locked {
                        until: audit::local_from_unix(until),
                    },
                    None => SessionError::WrongCredentials,
                });
            }
            Err(e) => return Err(e.into()),
        };
        let legacy = unlocked.legacy;
        let keys::Opened {
            key,
            store,
            note: rekey_note,
            problem,
        } = keys::open_resolving(dir, &mut vault, unlocked)?;
        if let Some(problem) = problem {
            // Witnessed in the trail and the system's log, then refused.
            store.append_audit(&NewEntry {
                at: audit::now_local(),
                user_id: Some(slot.user_id),
                user_login: login.to_string(),
                action: AuditAction::Tamper,
                target: "keyslots".into(),
                detail: problem.message_ja(),
            })?;
            crate::oslog::write(dir, &format!("keyslots-refused login={login}"));
            return Err(SessionError::VaultProblem(problem.message_ja()));
        }
        let user: User = match store.user(slot.user_id)? {
            Some(u) if u.disabled_at.is_none() && u.login == login => u.into(),
            _ => {
                // A slot without an enabled user: remove it.
                vault.remove_slot(slot.user_id);
                vault.save(dir)?;
                return Err(SessionError::WrongCredentials);
            }
        };
        let rolled_back = vault.rolled_back_counters();
        let (pending, rejected) = vault.take_pending(now, |l| auth::check_login(l).is_ok());
        {
            let s = vault.slot_mut(login).expect("slot exists");
            s.failed_attempts = 0;
            s.locked_until = None;
        }
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
        let expired = policy.password_expiry_days > 0
            && now - slot.password_changed_at > policy.password_expiry_days as i64 * 86_400;
        let mut session = Session {
            dir: dir.to_path_buf(),
            store,
            key,
            user,
            policy,
            must_change_password: slot.must_change || expired,
            integrity: Vec::new(),
            resumed_rekey: None,
        };
        if legacy {
            // A slot of format 1: give it a key pair now that the password is known.
            vault.set_slot(
                &session.key,
                slot.user_id,
                login,
                password,
                slot.must_change,
                slot.password_changed_at,
            );
        }
        let chain = keys::check_trail(&session.store, vault.anchor.as_ref()).err();
        let rolled_back = (!rolled_back.is_empty()).then(|| {
            format!(
                "ログイン失敗の回数が巻き戻されています（{}）",
                rolled_back.join("、")
            )
        });
        session.integrity = chain.iter().chain(&rolled_back).cloned().collect();
        if rejected > 0 {
            session.integrity.push(format!(
                "鍵スロットファイルに不正なログイン前の記録が {rejected} 件ありました"
            ));
        }
        session.store.atomically(|| -> Result<(), SessionError> {
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
            if rejected > 0 {
                session.audit(
                    AuditAction::Tamper,
                    "keyslots",
                    &format!("鍵スロットファイルにログイン失敗・ロック以外の記録、または日時の不正な記録が {rejected} 件あり、取り込みませんでした"),
                )?;
            }
            if let Some(r) = &rolled_back {
                session.audit(AuditAction::Tamper, "keyslots", r)?;
            }
            if let Some(p) = &chain {
                session.audit(AuditAction::Tamper, "audit", p)?;
            }
            if let Some(note) = rekey_note {
                session.audit(AuditAction::Rekey, "", note)?;
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
            session.audit(AuditAction::Login, "", detail)
        })?;
        if !session.integrity.is_empty() {
            crate::oslog::write(dir, &format!("tamper-found-at-login login={login}"));
        }
        session.save_vault(&mut vault, &lock)?;
        drop(lock);
        session.resumed_rekey = session.resume_rekey()?;
        Ok(session)
    }

    /// Opens the store with the recovery key and sets a new password for an enabled
    /// administrator, then re-keys the store: every slot gets the new key, the old recovery
    /// key and any copy of the old slots stop opening anything. The new recovery key is
    /// returned and must be printed.
    pub fn recover(
        dir: &Path,
        recovery: &RecoveryKey,
        login: &str,
        new_password: &str,
    ) -> Result<(Session, RecoveryKey), SessionError> {
        if !Vault::exists(dir) {
            return Err(VaultError::NotInitialised.into());
        }
        let lock = Vault::lock(dir)?;
        let mut vault = Vault::load(dir)?;
        let current = vault
            .unwrap_recovery(recovery)
            .map_err(|_| SessionError::WrongRecoveryKey)?;
        let next = vault
            .next_recovery
            .as_ref()
            .and_then(|n| n.unwrap_key(recovery.secret(), RECOVERY_CONTEXT).ok());
        let keys::Opened {
            key,
            store,
            problem,
            ..
        } = keys::open_resolving(
            dir,
            &mut vault,
            crate::vault::UnlockedSlot {
                current,
                next,
                legacy: false,
            },
        )?;
        let user: User = match store.user_by_login(login)? {
            Some(u) if u.disabled_at.is_none() && Roles(u.roles).has(auth::Role::Administrator) => {
                u.into()
            }
            _ => {
                return Err(SessionError::InvalidUser(format!(
                    "「{login}」は有効な管理者ではありません"
                )));
            }
        };
        // The policy in the store is authoritative (the file's copy may have been edited).
        if let Some(p) = store
            .setting("policy")?
            .and_then(|p| serde_json::from_str::<Policy>(&p).ok())
        {
            vault.policy = p;
        }
        auth::check_password(&vault.policy, login, new_password, None)
            .map_err(SessionError::WeakPassword)?;
        // The recovery key is the one thing that may open a file altered outside totsugo or
        // rolled back: the file is trusted again from here on, and the trail says so.
        if problem.is_some() {
            // The store's generation is the floor: continue above it.
            vault.generation = vault.generation.max(store.vault_generation()?);
        }
        vault.set_slot(&key, user.id, login, new_password, false, now_unix());
        let mut session = Session {
            dir: dir.to_path_buf(),
            store,
            key,
            policy: vault.policy.clone(),
            user,
            must_change_password: false,
            integrity: Vec::new(),
            resumed_rekey: None,
        };
        if let Some(p) = problem {
            session.audit(
                AuditAction::Tamper,
                "keyslots",
                &format!("{}（復旧キーで復旧しました）", p.message_ja()),
            )?;
        }
        session.audit(
            AuditAction::Recovery,
            &format!("user:{}", session.user.id),
            "復旧キーでパスワードを再設定しました",
        )?;
        let rekeyed = session.rekey(&mut vault, &lock, "復旧キーによる復旧", &|_, _| {})?;
        Ok((session, rekeyed.recovery))
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

    /// Tampering found at login (empty when all is well): the home screen shows it to
    /// administrators.
    pub fn integrity_problems(&self) -> &[String] {
        &self.integrity
    }

    /// Whether the password must be changed before any other work.
    pub fn must_change_password(&self) -> bool {
        self.must_change_password
    }

    /// Whether the user may do this (rights and a current password).
    pub fn may(&self, p: Permission) -> bool {
        self.require(p).is_ok()
    }

    /// Refuses unless the user may do this. The rights are read from the store for every
    /// call (one read by primary key, see [`rights`]): a user demoted or disabled while this
    /// session is open is refused at once.
    pub fn require(&self, p: Permission) -> Result<(), SessionError> {
        if self.must_change_password {
            return Err(SessionError::PasswordChangeRequired);
        }
        let ok = self.current_rights()?.allow(p);
        if ok {
            Ok(())
        } else {
            Err(SessionError::Forbidden(p))
        }
    }

    /// Appends an entry for the logged-in user to the audit trail.
    pub fn audit(
        &self,
        action: AuditAction,
        target: &str,
        detail: &str,
    ) -> Result<(), SessionError> {
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

    /// Read access to the store, for the core's own modules (the purge). The app and the CLI
    /// read through the session's methods, which check the rights and audit the views.
    #[cfg(not(feature = "inspect"))]
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Read access to the store for the integration tests (feature `inspect`, which only the
    /// tests enable): they check what was stored without going through the rights and the
    /// audit. Its writing methods stay inside the core even then.
    #[cfg(feature = "inspect")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The one place outputs are written: `bytes` go to `out` (the path the user chose),
    /// never inside the store's folder ([`crate::output_file::check_outside_store`]), via a
    /// temporary file of a unique name, readable by the owner only, fsynced and renamed into
    /// place, the folder fsynced after ([`crate::output_file::write_private`]), so that a crash
    /// leaves no half file; the file is remembered for a purge and the export is audited
    /// (`target`, `detail`: never a name or a number of a person).
    pub fn write_output(
        &self,
        out: &Path,
        bytes: &[u8],
        kind: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), SessionError> {
        let abs = crate::output_file::check_outside_store(&self.dir, out)
            .map_err(|e| SessionError::Output(e.to_string()))?;
        // The trail is checked from its anchor before anything leaves the store; a break is
        // audited and shown, the export goes on (it is audited too).
        self.check_audit_chain()?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        crate::output_file::write_private(&abs, bytes).map_err(|source| StoreError::Io {
            path: out.to_path_buf(),
            source,
        })?;
        // Remembered so that a purge deletes it too.
        self.store
            .note_written_file(&abs, kind, &audit::now_local())?;
        self.audit(AuditAction::Export, target, &format!("{detail} → {name}"))?;
        self.anchor_audit()
    }

    /// Ends the session (audited, and the audit anchor brought up to date).
    pub fn logout(self) -> Result<(), SessionError> {
        self.audit(AuditAction::Logout, "", "")?;
        self.anchor_audit()
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
