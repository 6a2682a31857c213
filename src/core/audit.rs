//! The audit trail: who did what, when, on which record or batch. Entries are appended, never
//! changed; each holds the SHA-256 of the previous one, so that editing or deleting a row by hand
//! (even with the key, even after dropping the store's triggers) breaks the chain at that row.
//!
//! Entries never hold a My Number, a name or an address: a record is named by its id.

use sha2::{Digest, Sha256};

/// What happened.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// First administrator created, store set up.
    Setup,
    /// Successful login.
    Login,
    /// Wrong login name or password.
    LoginFailed,
    /// Account locked after too many failures.
    Lockout,
    /// Locked account unlocked by an administrator.
    Unlock,
    /// Log out.
    Logout,
    /// Store opened with the recovery key.
    Recovery,
    /// A record's screen was viewed.
    ViewRecord,
    /// The full My Number was shown.
    RevealMyNumber,
    /// A clerk's decision.
    Decision,
    /// A supervisor approved a batch.
    Approval,
    /// A supervisor sent a record back.
    SendBack,
    /// Letters printed.
    LetterPrint,
    /// Data written out of the store (lists, reports, the audit export).
    Export,
    /// A match-result file imported.
    Import,
    /// A user created, changed or disabled.
    UserChange,
    /// A password set or changed.
    PasswordChange,
    /// Account rules or settings changed.
    SettingsChange,
    /// The store purged.
    Purge,
    /// Records assigned to a clerk (or unassigned) by a supervisor.
    Assign,
    /// The store re-encrypted with a new key (after a user was disabled, a password reset or
    /// a recovery).
    Rekey,
    /// Tampering found: the slot file altered, the audit chain broken or cut, lockout counters
    /// rolled back, forged pre-login events.
    Tamper,
    /// A periodic review signed off (the access log monthly, the users half-yearly), with the
    /// chain head the reviewer saw.
    ReviewSignOff,
    /// A backup written (the store, the key slots and a manifest, to a folder outside).
    Backup,
    /// The store restored from a backup (written in the restored trail).
    Restore,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 25] = [
        AuditAction::Setup,
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Lockout,
        AuditAction::Unlock,
        AuditAction::Logout,
        AuditAction::Recovery,
        AuditAction::ViewRecord,
        AuditAction::RevealMyNumber,
        AuditAction::Decision,
        AuditAction::Approval,
        AuditAction::SendBack,
        AuditAction::LetterPrint,
        AuditAction::Export,
        AuditAction::Import,
        AuditAction::UserChange,
        AuditAction::PasswordChange,
        AuditAction::SettingsChange,
        AuditAction::Purge,
        AuditAction::Assign,
        AuditAction::Rekey,
        AuditAction::Tamper,
        AuditAction::ReviewSignOff,
        AuditAction::Backup,
        AuditAction::Restore,
    ];

    /// The stable key stored in the trail.
    pub fn key(self) -> &'static str {
        match self {
            AuditAction::Setup => "setup",
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Lockout => "lockout",
            AuditAction::Unlock => "unlock",
            AuditAction::Logout => "logout",
            AuditAction::Recovery => "recovery",
            AuditAction::ViewRecord => "view_record",
            AuditAction::RevealMyNumber => "reveal_my_number",
            AuditAction::Decision => "decision",
            AuditAction::Approval => "approval",
            AuditAction::SendBack => "send_back",
            AuditAction::LetterPrint => "letter_print",
            AuditAction::Export => "export",
            AuditAction::Import => "import",
            AuditAction::UserChange => "user_change",
            AuditAction::PasswordChange => "password_change",
            AuditAction::SettingsChange => "settings_change",
            AuditAction::Purge => "purge",
            AuditAction::Assign => "assign",
            AuditAction::Rekey => "rekey",
            AuditAction::Tamper => "tamper",
            AuditAction::ReviewSignOff => "review_sign_off",
            AuditAction::Backup => "backup",
            AuditAction::Restore => "restore",
        }
    }

    /// From a stored key.
    pub fn from_key(k: &str) -> Option<AuditAction> {
        AuditAction::ALL.iter().copied().find(|a| a.key() == k)
    }

    /// What the reviewer reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            AuditAction::Setup => "初期設定",
            AuditAction::Login => "ログイン",
            AuditAction::LoginFailed => "ログイン失敗",
            AuditAction::Lockout => "アカウントロック",
            AuditAction::Unlock => "ロック解除",
            AuditAction::Logout => "ログアウト",
            AuditAction::Recovery => "復旧キーによる復旧",
            AuditAction::ViewRecord => "記録の閲覧",
            AuditAction::RevealMyNumber => "個人番号の表示",
            AuditAction::Decision => "判断の登録",
            AuditAction::Approval => "承認",
            AuditAction::SendBack => "差し戻し",
            AuditAction::LetterPrint => "通知文の印刷",
            AuditAction::Export => "書き出し",
            AuditAction::Import => "取り込み",
            AuditAction::UserChange => "利用者の変更",
            AuditAction::PasswordChange => "パスワードの変更",
            AuditAction::SettingsChange => "設定の変更",
            AuditAction::Purge => "消去",
            AuditAction::Assign => "担当の割り当て",
            AuditAction::Rekey => "鍵の更新",
            AuditAction::Tamper => "改ざんの検出",
            AuditAction::ReviewSignOff => "定期点検の確認",
            AuditAction::Backup => "バックアップ",
            AuditAction::Restore => "バックアップからの復元",
        }
    }
}

/// An entry about to be appended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntry {
    /// Local time, `YYYY-MM-DD HH:MM:SS+09:00`.
    pub at: String,
    /// The acting user, if logged in.
    pub user_id: Option<i64>,
    /// The acting (or attempted) login name.
    pub user_login: String,
    /// What happened.
    pub action: AuditAction,
    /// On what: `record:12`, `batch:3`, `import:1`, `user:5`, or empty.
    pub target: String,
    /// Short details without personal data.
    pub detail: String,
}

/// An entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Position in the trail.
    pub id: i64,
    /// Local time.
    pub at: String,
    /// The acting user, if logged in.
    pub user_id: Option<i64>,
    /// The acting (or attempted) login name.
    pub user_login: String,
    /// The action's key (see [`AuditAction::key`]).
    pub action: String,
    /// On what.
    pub target: String,
    /// Details.
    pub detail: String,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
}

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Entry {
    /// The hash this entry must carry: SHA-256 over its fields and the previous hash,
    /// unit-separated.
    pub fn computed_hash(&self) -> String {
        let mut h = Sha256::new();
        let uid = self.user_id.map(|u| u.to_string()).unwrap_or_default();
        for part in [
            self.id.to_string().as_str(),
            &self.at,
            &uid,
            &self.user_login,
            &self.action,
            &self.target,
            &self.detail,
            &self.prev_hash,
        ] {
            h.update(part.as_bytes());
            h.update([0x1f]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The current local time as the trail writes it.
pub fn now_local() -> String {
    chrono::Local::now()
        .format("%Y-%m-%d %H:%M:%S%:z")
        .to_string()
}

/// A stored local time (`2026-12-01 11:15:55+09:00`) as documents print it:
/// 「2026年12月1日 11:15」; a text it cannot read is returned as it is.
pub fn time_ja(stored: &str) -> String {
    match chrono::DateTime::parse_from_str(stored, "%Y-%m-%d %H:%M:%S%:z") {
        Ok(t) => t.format("%Y年%-m月%-d日 %H:%M").to_string(),
        Err(_) => stored.to_string(),
    }
}

/// A Unix time as the trail writes it (local time).
pub fn local_from_unix(secs: i64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_opt(secs, 0)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%:z").to_string())
        .unwrap_or_else(now_local)
}

/// Where the chain first breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's own hash does not match its contents: it was edited.
    Altered {
        /// The entry.
        id: i64,
    },
    /// The entry does not follow the one before it: an entry before it was deleted (or the
    /// entry was moved).
    Missing {
        /// The first entry after the gap.
        id: i64,
    },
}

impl ChainBreak {
    /// What the administrator reads.
    pub fn message_ja(&self) -> String {
        match self {
            ChainBreak::Altered { id } => {
                format!("操作記録 {id} 番の内容が書き換えられています")
            }
            ChainBreak::Missing { id } => {
                format!("操作記録 {id} 番の直前の記録が削除されています")
            }
        }
    }
}

/// Checks a whole trail in order; `Ok(n)` with the number of entries, or the first break.
pub fn verify_chain(entries: impl IntoIterator<Item = Entry>) -> Result<u64, ChainBreak> {
    verify_chain_from(GENESIS, entries)
}

/// Checks entries in order that follow an entry whose hash is `prev` (the anchor's, for the
/// check at login): `Ok(n)` with the number checked, or the first break.
pub fn verify_chain_from(
    prev: &str,
    entries: impl IntoIterator<Item = Entry>,
) -> Result<u64, ChainBreak> {
    let mut prev = prev.to_string();
    let mut n = 0;
    for e in entries {
        if e.computed_hash() != e.hash {
            return Err(ChainBreak::Altered { id: e.id });
        }
        if e.prev_hash != prev {
            return Err(ChainBreak::Missing { id: e.id });
        }
        prev = e.hash;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|id| {
                let mut e = Entry {
                    id,
                    at: "t".into(),
                    user_id: Some(1),
                    user_login: "admin".into(),
                    action: "login".into(),
                    target: String::new(),
                    detail: String::new(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.computed_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(chain(5)), Ok(5));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut c = chain(5);
        c[2].detail = "changed".into();
        assert_eq!(verify_chain(c), Err(ChainBreak::Altered { id: 3 }));
    }

    #[test]
    fn a_deleted_entry_is_found_at_the_next() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_chain(c), Err(ChainBreak::Missing { id: 3 }));
    }

    #[test]
    fn actions_round_trip_through_their_keys() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_key(a.key()), Some(a));
        }
    }
}
