//! The store key's life from the session: opening the store with what a slot gives (finishing
//! or undoing a re-key that a crash interrupted), checking the slot file against the store
//! (its MAC, its generation, the lockout counters, the audit anchor), re-keying after a user
//! is disabled, a password reset or a recovery, and anchoring the audit trail.
//!
//! A re-key cannot leave the store half re-keyed: (1) the next key is sealed to every slot and
//! wrapped with a new recovery key *beside* the current ones, and the slot file is written;
//! (2) SQLCipher re-encrypts the store in one transaction (the rollback journal keeps the old
//! pages under the old key, so a crash rolls back to the old key); (3) the next keys replace
//! the current ones in the slot file. A crash after (1) leaves a file that opens the store with
//! either key: the next login tries the current key, then the next one, and finishes or undoes
//! the re-key accordingly.

use std::path::Path;

use crate::audit::{self, AuditAction, NewEntry};
use crate::oslog;
use crate::store::{Store, StoreError, StoreKey};
use crate::vault::{AuditAnchor, RecoveryKey, UnlockedSlot, Vault, VaultLock};

use super::*;

/// The setting that says a re-key is due: written with a disable or a password reset, removed
/// with the re-key's own audit entry. Left set by a crash in between, the re-key is done at an
/// administrator's next login ([`Session::resume_rekey`]).
pub(super) const REKEY_DUE: &str = "rekey_due";
/// What a re-key gives back: the new recovery key (print it: the old sheet no longer opens
/// anything) and the logins whose slots were in the old format and had to be dropped (they
/// need a new temporary password).
#[derive(Debug)]
pub struct Rekeyed {
    /// The new recovery key.
    pub recovery: RecoveryKey,
    /// Users whose slot could not be re-sealed (format 1, never logged in since the update).
    pub dropped: Vec<String>,
    /// How long the store's re-encryption took.
    pub elapsed: std::time::Duration,
}

/// Why the slot file cannot be trusted, found at login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultProblem {
    /// The authenticated part was changed outside totsugo.
    Altered,
    /// An older copy of the file was put back (its generation is below the store's).
    RolledBack {
        /// The file's generation.
        file: u64,
        /// The store's.
        store: u64,
    },
}

impl VaultProblem {
    /// What the user reads.
    pub fn message_ja(&self) -> String {
        match self {
            VaultProblem::Altered => "鍵スロットファイル（keyslots.json）が totsugo の外で書き換えられています。ログインできません。管理者が復旧キーで復旧してください（totsugo recover）".into(),
            VaultProblem::RolledBack { file, store } => format!(
                "鍵スロットファイル（keyslots.json）が古い写しに置き換えられています（ファイルの世代 {file}、保管データが知る世代 {store}）。ログインできません。管理者に連絡してください"
            ),
        }
    }
}

/// The store opened from a slot: the key in force, the store, a note when an interrupted
/// re-key was finished or undone, and whether the slot file's MAC held (checked under the key
/// the file was written with, before any re-key is finished).
pub(super) struct Opened {
    pub key: StoreKey,
    pub store: Store,
    pub note: Option<&'static str>,
    pub problem: Option<VaultProblem>,
}

/// Opens the store with what a slot (or the recovery key) gave, resolving an interrupted
/// re-key: the current key first; if it no longer opens the store and a next key is pending,
/// the next one (the re-key had committed: it is finished in the file); if the current key
/// opens it while a next key is pending, the re-key never reached the store: it is undone.
/// Then checks the slot file against the store: its MAC (a format-1 file has none yet) and
/// its generation. The caller holds the lock and writes the file afterwards.
pub(super) fn open_resolving(
    dir: &Path,
    vault: &mut Vault,
    unlocked: UnlockedSlot,
) -> Result<Opened, SessionError> {
    let mac_ok = vault.mac_matches(&unlocked.current) != Some(false);
    let (key, store, note) = match Store::open(dir, &unlocked.current) {
        Ok(store) => {
            let note = vault.rekey_pending().then(|| {
                vault.undo_rekey();
                "中断された鍵の更新を取り消しました（保管データは前の鍵のままでした）"
            });
            (unlocked.current, store, note)
        }
        Err(StoreError::WrongKey(p)) => match unlocked.next {
            Some(next) => {
                let store = Store::open(dir, &next)?;
                vault.finish_rekey();
                (
                    next,
                    store,
                    Some(
                        "中断された鍵の更新を完了しました（保管データは新しい鍵になっていました）",
                    ),
                )
            }
            None => return Err(StoreError::WrongKey(p).into()),
        },
        Err(e) => return Err(e.into()),
    };
    let stored = store.vault_generation()?;
    let problem = if !mac_ok {
        Some(VaultProblem::Altered)
    } else if vault.generation < stored {
        Some(VaultProblem::RolledBack {
            file: vault.generation,
            store: stored,
        })
    } else {
        None
    };
    Ok(Opened {
        key,
        store,
        note,
        problem,
    })
}

/// Where the audit trail disagrees with its anchor, or the chain after it breaks. Without an
/// anchor (a store made before anchoring, or an empty trail) the whole chain is checked.
pub(super) fn check_trail(store: &Store, anchor: Option<&AuditAnchor>) -> Result<(), String> {
    let anchor = anchor.filter(|a| a.count > 0);
    let (count, _) = store.audit_head().map_err(|e| e.to_string())?;
    if let Some(a) = anchor
        && count < a.count
    {
        return Err(format!(
            "操作記録が短くなっています（前回の記録では {} 件、今は {} 件）",
            a.count, count
        ));
    }
    let Some(a) = anchor else {
        return audit::verify_chain(store.audit_entries(None, None).map_err(|e| e.to_string())?)
            .map(|_| ())
            .map_err(|b| b.message_ja());
    };
    let mut entries = store
        .audit_entries_after(a.count)
        .map_err(|e| e.to_string())?
        .into_iter();
    let Some(first) = entries.next() else {
        return Err(format!("操作記録 {} 番がありません", a.count));
    };
    if first.id as u64 != a.count || first.hash != a.head || first.computed_hash() != first.hash {
        return Err(format!(
            "操作記録 {} 番が前回の記録と違います（書き換えられたか、削除されて作り直されています）",
            a.count
        ));
    }
    audit::verify_chain_from(&first.hash, entries)
        .map(|_| ())
        .map_err(|b| b.message_ja())
}

impl Session {
    /// Writes the slot file as a logged-in session: the audit anchor brought up to the
    /// trail's head, the generation raised, the MAC under the store key; then the store
    /// records the generation and the system's log the anchor.
    pub(super) fn save_vault(
        &self,
        vault: &mut Vault,
        _lock: &VaultLock,
    ) -> Result<(), SessionError> {
        let (count, head) = self.store.audit_head()?;
        vault.anchor = Some(AuditAnchor {
            count,
            head: head.clone(),
        });
        vault.seal(&self.key);
        vault.save(&self.dir)?;
        self.store.note_vault_generation(vault.generation)?;
        oslog::write(
            &self.dir,
            &format!(
                "audit-anchor count={count} head={head} generation={} user={}",
                vault.generation, self.user.login
            ),
        );
        Ok(())
    }

    /// The slot file for a change by this session: locked, read under the lock, and refused
    /// if it was altered outside totsugo.
    pub(super) fn vault_for_change(&self) -> Result<(VaultLock, Vault), SessionError> {
        let lock = Vault::lock(&self.dir)?;
        let vault = Vault::load(&self.dir)?;
        if vault.mac_matches(&self.key) == Some(false) {
            return Err(SessionError::VaultProblem(
                VaultProblem::Altered.message_ja(),
            ));
        }
        Ok((lock, vault))
    }

    /// Brings the audit anchor (in the slot file and the system's log) up to the trail's
    /// head. Called after the actions an insider would most want to hide: logins and
    /// logouts, exports, user and rights changes, settings, purges.
    pub fn anchor_audit(&self) -> Result<(), SessionError> {
        let (lock, mut vault) = self.vault_for_change()?;
        self.save_vault(&mut vault, &lock)
    }

    /// Checks the audit chain from the anchor on (the automatic check at login, before every
    /// export and purge); a break is audited and returned in words.
    pub fn check_audit_chain(&self) -> Result<Option<String>, SessionError> {
        let vault = Vault::load(&self.dir)?;
        let problem = check_trail(&self.store, vault.anchor.as_ref()).err();
        // Reported once per session (the first export after a break), not at every export.
        if let Some(p) = &problem
            && !self.integrity.contains(p)
        {
            self.audit(AuditAction::Tamper, "audit", p)?;
            oslog::write(
                &self.dir,
                &format!("audit-chain-broken user={}", self.user.login),
            );
        }
        Ok(problem)
    }

    /// Re-keys the store (see the module's notes): a new random store key sealed to every
    /// remaining slot, a new recovery key, the store re-encrypted. `vault` is the file as just
    /// changed by the caller (a slot removed or replaced), read under `lock`. Audited, with the
    /// reason.
    pub(super) fn rekey(
        &mut self,
        vault: &mut Vault,
        lock: &VaultLock,
        reason: &str,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Rekeyed, SessionError> {
        let next = StoreKey::random();
        let recovery = RecoveryKey::generate();
        let dropped = vault.prepare_rekey(&next, &recovery);
        // (1) Both keys in the file, authenticated under the current key.
        self.save_vault(vault, lock)?;
        // (2) The store, in one transaction.
        let started = std::time::Instant::now();
        rekey_watching(&self.store, &next, progress)?;
        let elapsed = started.elapsed();
        self.key = next;
        // (3) The next keys become the keys.
        vault.finish_rekey();
        let dropped_note = if dropped.is_empty() {
            String::new()
        } else {
            format!("。旧形式のため外した鍵スロット: {}", dropped.join("、"))
        };
        self.store.atomically(|| -> Result<(), SessionError> {
            self.store.delete_setting(REKEY_DUE)?;
            self.store.append_audit(&NewEntry {
                at: audit::now_local(),
                user_id: Some(self.user.id),
                user_login: self.user.login.clone(),
                action: AuditAction::Rekey,
                target: String::new(),
                detail: format!(
                    "保管データの鍵と復旧キーを新しくしました（{reason}）。所要 {:.1} 秒{dropped_note}",
                    elapsed.as_secs_f64()
                ),
            })?;
            Ok(())
        })?;
        self.save_vault(vault, lock)?;
        oslog::write(
            &self.dir,
            &format!("rekey user={} reason={reason}", self.user.login),
        );
        Ok(Rekeyed {
            recovery,
            dropped,
            elapsed,
        })
    }

    /// Does the re-key that a disable or a password reset left undone when it was
    /// interrupted (setting [`REKEY_DUE`], written with the change itself): at the login of an
    /// administrator, who is shown the new recovery key. The slots of users disabled in the
    /// store go first. `None` when nothing was due or the user is not an administrator.
    pub(super) fn resume_rekey(&mut self) -> Result<Option<Rekeyed>, SessionError> {
        let Some(reason) = self.store.setting(REKEY_DUE)? else {
            return Ok(None);
        };
        if !self.may(crate::auth::Permission::ManageUsers) {
            return Ok(None);
        }
        let (lock, mut vault) = self.vault_for_change()?;
        for u in self.store.users()? {
            if u.disabled_at.is_some() {
                vault.remove_slot(u.id);
            }
        }
        self.rekey(
            &mut vault,
            &lock,
            &format!("中断された鍵の更新のやり直し: {reason}"),
            &|_, _| {},
        )
        .map(Some)
    }

    /// The re-key done at this login because an earlier one was interrupted (once; the app
    /// and the CLI show its new recovery key).
    pub fn take_resumed_rekey(&mut self) -> Option<Rekeyed> {
        self.resumed_rekey.take()
    }

    /// Issues a new recovery key (the old sheet stops opening anything); administrators only.
    /// The store key stays: use this when the sheet may have been seen or lost.
    pub fn renew_recovery_key(&mut self) -> Result<RecoveryKey, SessionError> {
        self.require(crate::auth::Permission::ManageUsers)?;
        let (lock, mut vault) = self.vault_for_change()?;
        let recovery = RecoveryKey::generate();
        vault.recovery = crate::vault::WrappedKey::wrap(
            &self.key,
            recovery.secret(),
            crate::vault::RECOVERY_CONTEXT,
            crate::vault::KdfParams::default(),
        );
        self.audit(
            AuditAction::Recovery,
            "",
            "復旧キーを新しくしました（古い用紙は使えません）",
        )?;
        self.save_vault(&mut vault, &lock)?;
        Ok(recovery)
    }
}

/// Re-keys the store while a watcher reports progress: SQLCipher writes every page's old
/// content to the rollback journal before it re-encrypts the page, so the journal's size over
/// the store's is the share done (the commit after it is the last few per cent).
fn rekey_watching(
    store: &Store,
    next: &StoreKey,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(), StoreError> {
    let db = store.path().to_path_buf();
    let journal = {
        let mut p = db.clone().into_os_string();
        p.push("-journal");
        std::path::PathBuf::from(p)
    };
    let total = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0).max(1);
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let j = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
                progress(j.min(total) * 95 / 100, total);
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        let r = store.rekey(next);
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        progress(total, total);
        r
    })
}

/// Writes a pre-login event (a failed login, a lockout) to the system's log too: the slot
/// file's copy can be edited by whoever can write the folder, the system's log cannot.
pub(super) fn log_prelogin(dir: &Path, kind: AuditAction, login: &str) {
    oslog::write(dir, &format!("{} login={login}", kind.key()));
}
