//! The periodic reviews from the session (issue 16 §7): the month's access log with its
//! filters, the user list, the sign-off (audited with the chain head the reviewer saw) and
//! what is due. Administrators and supervisors (the right to read the audit trail).

use chrono::NaiveDate;

use crate::audit::{self, AuditAction, ChainBreak};
use crate::audit_review::{
    self, ChainHead, DueReview, EntryFilter, Month, ReviewKind, SignOff, is_privileged,
};
use crate::auth::Permission;

use super::*;

/// One entry of the access log as the reviewer reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewEntry {
    /// Position in the trail.
    pub id: i64,
    /// Local time.
    pub at: String,
    /// The acting (or attempted) login.
    pub login: String,
    /// The acting user's name (empty before login).
    pub name: String,
    /// The action's key.
    pub action: String,
    /// The action in words.
    pub action_ja: String,
    /// On what (`record:12`, `user:3` …).
    pub target: String,
    /// Details (never a name or a number of a person).
    pub detail: String,
}

/// The monthly review of the access log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessLogReview {
    /// The month.
    pub month: Month,
    /// Its entries, oldest first.
    pub entries: Vec<ReviewEntry>,
    /// The chain head when the review was read (what a sign-off records).
    pub head: ChainHead,
    /// The whole chain verified: entries, or where it breaks.
    pub chain: Result<u64, ChainBreak>,
    /// The sign-offs of this month.
    pub sign_offs: Vec<SignOff>,
}

impl AccessLogReview {
    /// The entries a filter shows.
    pub fn shown(&self, filter: EntryFilter) -> impl Iterator<Item = &ReviewEntry> {
        self.entries
            .iter()
            .filter(move |e| filter.matches(&e.action))
    }

    /// How many entries a filter shows.
    pub fn count(&self, filter: EntryFilter) -> usize {
        self.shown(filter).count()
    }
}

/// A user as the half-yearly review shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewedUser {
    /// The user (roles, the My Number right, disabled).
    pub user: User,
    /// The last successful login (local time), if any.
    pub last_login: Option<String>,
    /// A supervisor, an administrator or a holder of the My Number right.
    pub privileged: bool,
}

/// The half-yearly review of the users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserListReview {
    /// Every user, the privileged first, disabled ones included.
    pub users: Vec<ReviewedUser>,
    /// The chain head when the review was read.
    pub head: ChainHead,
    /// The earlier sign-offs of the user review.
    pub sign_offs: Vec<SignOff>,
}

impl Session {
    /// The access log of `month` for its monthly review, with the chain head and the chain's
    /// verification.
    pub fn access_log_review(&self, month: Month) -> Result<AccessLogReview, SessionError> {
        self.require(Permission::ReadAudit)?;
        let head = audit_review::chain_head(&self.store)?;
        let names: std::collections::HashMap<i64, String> = self
            .store
            .users()?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        let key = month.key();
        let entries = self
            .store
            .audit_entries(Some(&key), Some(&key))?
            .into_iter()
            .map(|e| ReviewEntry {
                id: e.id,
                name: e
                    .user_id
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_default(),
                action_ja: AuditAction::from_key(&e.action)
                    .map(|a| a.label_ja().to_string())
                    .unwrap_or_else(|| e.action.clone()),
                at: e.at,
                login: e.user_login,
                action: e.action,
                target: e.target,
                detail: e.detail,
            })
            .collect();
        let chain = audit::verify_chain(self.store.audit_entries(None, None)?);
        let sign_offs = audit_review::sign_offs(&self.store)?
            .into_iter()
            .filter(|s| s.kind == ReviewKind::AccessLog && s.period == key)
            .collect();
        Ok(AccessLogReview {
            month,
            entries,
            head,
            chain,
            sign_offs,
        })
    }

    /// Every user with roles, the My Number right, the last login and whether disabled, the
    /// privileged first, for the half-yearly review.
    pub fn user_list_review(&self) -> Result<UserListReview, SessionError> {
        self.require(Permission::ReadAudit)?;
        let head = audit_review::chain_head(&self.store)?;
        let last = self.store.last_logins()?;
        let mut users: Vec<ReviewedUser> = self
            .store
            .users()?
            .into_iter()
            .map(|u| {
                let user: User = u.into();
                ReviewedUser {
                    last_login: last.get(&user.id).cloned(),
                    privileged: is_privileged(user.roles, user.may_reveal_my_number),
                    user,
                }
            })
            .collect();
        users.sort_by_key(|u| (!u.privileged, u.user.id));
        let sign_offs = audit_review::sign_offs(&self.store)?
            .into_iter()
            .filter(|s| s.kind == ReviewKind::UserList)
            .collect();
        Ok(UserListReview {
            users,
            head,
            sign_offs,
        })
    }

    /// Signs off a review: the access log of a month that is over (`period` = `2026-11`), or
    /// the user list (`period` ignored: the day of the sign-off). `seen` is the chain head the
    /// reviewer read; it must still be part of the trail (a trail cut short or rewritten since
    /// is refused). Stored and audited, with that head, in one transaction. `today` is the
    /// local date (the app's and the CLI's clock).
    pub fn sign_off_review(
        &self,
        kind: ReviewKind,
        period: &str,
        seen: &ChainHead,
        note: &str,
        today: NaiveDate,
    ) -> Result<SignOff, SessionError> {
        self.require(Permission::ReadAudit)?;
        let (period, reviewed) = match kind {
            ReviewKind::AccessLog => {
                let month = Month::parse(period).ok_or_else(|| {
                    SessionError::Review(format!(
                        "点検する月は 2026-11 のように書いてください（「{period}」）"
                    ))
                })?;
                audit_review::check_month_over(month, today).map_err(SessionError::Review)?;
                let key = month.key();
                let n = self.store.audit_entries(Some(&key), Some(&key))?.len() as u64;
                (key, n)
            }
            ReviewKind::UserList => (
                today.format("%Y-%m-%d").to_string(),
                self.store.users()?.len() as u64,
            ),
        };
        let still_there = if seen.count == 0 {
            true
        } else {
            self.store.audit_hash_at(seen.count)?.as_deref() == Some(seen.hash.as_str())
        };
        if !still_there {
            return Err(SessionError::Review(
                "点検の画面を開いた後に操作記録が短くなったか書き換えられています。確認はできません。管理者に報告し、操作記録の検証（totsugo audit verify）をしてください".into(),
            ));
        }
        let note = note.trim();
        let at = audit::now_local();
        self.store.in_transaction(|store| {
            let id = store.insert_review_sign_off(
                kind.key(),
                &period,
                self.user.id,
                &at,
                (seen.count, &seen.hash),
                reviewed,
                note,
            )?;
            self.audit(
                AuditAction::ReviewSignOff,
                &format!("review:{}:{period}", kind.key()),
                &format!(
                    "{}（{period}）を確認: 点検した{} {} 件、見た操作記録の末尾 {} 件目 {}",
                    kind.label_ja(),
                    match kind {
                        ReviewKind::AccessLog => "操作記録",
                        ReviewKind::UserList => "利用者",
                    },
                    reviewed,
                    seen.count,
                    seen.hash
                ),
            )?;
            Ok::<_, SessionError>(SignOff {
                id,
                kind,
                period: period.clone(),
                signed_by: self.user.login.clone(),
                signed_by_name: self.user.display_name.clone(),
                signed_at: at.clone(),
                head: seen.clone(),
                reviewed,
                note: note.to_string(),
            })
        })
    }

    /// The reviews due on `today` (for the home screen's reminder); empty for users who do not
    /// review (clerks).
    pub fn reviews_due(&self, today: NaiveDate) -> Result<Vec<DueReview>, SessionError> {
        if !self.may(Permission::ReadAudit) {
            return Ok(Vec::new());
        }
        let since = self
            .store
            .first_audit_at()?
            .and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok());
        Ok(audit_review::due(
            today,
            since,
            &audit_review::sign_offs(&self.store)?,
        ))
    }
}
