//! What issue 16 §4–§5 needs of the store: a user's rights read fresh for every action, the
//! write transaction that takes the write lock at once (`BEGIN IMMEDIATE`), approving exactly
//! the decisions a supervisor saw, and the supervisor's approval of the follow-up outcome that
//! makes a record releasable.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::review::{Decision, FollowUp, ReviewState};

/// A user's rights as stored now (see [`Store::user_rights`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserRights {
    /// Role bits ([`crate::auth::Roles`]).
    pub roles: u8,
    /// 個人番号閲覧権限.
    pub may_reveal_my_number: bool,
    /// The user has been disabled.
    pub disabled: bool,
}

/// A follow-up outcome waiting for a supervisor's approval (see
/// [`Store::outcomes_to_approve`]): the reply "number correct" or the employer's answer that
/// would make the record releasable. No My Number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeToApprove {
    /// The record.
    pub record_id: i64,
    /// The decision the outcome follows.
    pub decision_id: i64,
    /// 記号・番号-枝番.
    pub card: String,
    /// The insurer-side kana name.
    pub kana_name: String,
    /// The decision it follows (本人へ文書送付 or 事業主へ確認).
    pub decision: Decision,
    /// The outcome.
    pub outcome: FollowUp,
    /// Type B: whether the 4 digits the person wrote matched.
    pub digits_match: Option<bool>,
    /// The clerk's memo.
    pub memo: String,
    /// Who recorded it.
    pub recorded_by: i64,
    /// Their name.
    pub recorded_by_name: String,
    /// When it was recorded (local time): with the rest, what identifies the version seen.
    pub recorded_at: String,
}

impl Store {
    /// The user's roles, My Number right and whether disabled, as stored now: one read by the
    /// primary key with a cached statement (`None`: no such user).
    pub fn user_rights(&self, id: i64) -> Result<Option<UserRights>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT roles, may_reveal_my_number, disabled_at IS NOT NULL FROM users WHERE id = ?1",
        )?;
        Ok(stmt
            .query_row([id], |r| {
                Ok(UserRights {
                    roles: r.get(0)?,
                    may_reveal_my_number: r.get(1)?,
                    disabled: r.get(2)?,
                })
            })
            .optional()?)
    }

    /// Runs `f` in one write transaction that takes the write lock at its start (`BEGIN
    /// IMMEDIATE`): what `f` reads cannot change under it before it commits (another
    /// connection waits for the lock). Everything or nothing: an error rolls back.
    pub(crate) fn in_write_transaction<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(|e| E::from(StoreError::from(e)))?;
        let out = f(self)?;
        tx.commit().map_err(|e| E::from(StoreError::from(e)))?;
        Ok(out)
    }

    /// Approves exactly these (record, decision) pairs as one batch: each record must still be
    /// waiting for approval with that decision as its current one, and the decision neither
    /// undone nor in a batch. Returns the batch id, or the first record that changed (the
    /// caller rolls back: run it inside [`Store::in_write_transaction`]).
    pub(crate) fn approve_decisions(
        &self,
        seen: &[(i64, i64)],
        by: i64,
        at: &str,
    ) -> Result<Result<i64, i64>, StoreError> {
        self.conn.execute(
            "INSERT INTO batches (approved_by, approved_at) VALUES (?1, ?2)",
            params![by, at],
        )?;
        let batch = self.conn.last_insert_rowid();
        let mut rec = self.conn.prepare_cached(
            "UPDATE records SET state = ?1 WHERE id = ?2 AND state = ?3 AND decision_id = ?4",
        )?;
        let mut dec = self.conn.prepare_cached(
            "UPDATE decisions SET batch_id = ?1 WHERE id = ?2 AND record_id = ?3 \
             AND undone = 0 AND batch_id IS NULL",
        )?;
        for &(record_id, decision_id) in seen {
            let changed = rec.execute(params![
                ReviewState::Approved as i64,
                record_id,
                ReviewState::Decided as i64,
                decision_id
            ])?;
            if changed != 1 || dec.execute(params![batch, decision_id, record_id])? != 1 {
                return Ok(Err(record_id));
            }
        }
        Ok(Ok(batch))
    }

    /// Follow-up outcomes that would make a record releasable and wait for a supervisor's
    /// approval: the reply or employer answer "number correct" of an approved decision, not
    /// yet approved itself, the record in no release request; ① first.
    pub fn outcomes_to_approve(&self) -> Result<Vec<OutcomeToApprove>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, d.id, r.card_symbol || '・' || r.card_number || '-' || r.branch, \
             r.ins_kana, d.decision, f.outcome, f.digits_match, f.memo, f.recorded_by, \
             COALESCE(u.display_name, ''), f.recorded_at \
             FROM follow_ups f JOIN records r ON r.id = f.record_id AND r.decision_id = f.decision_id \
             JOIN decisions d ON d.id = r.decision_id LEFT JOIN users u ON u.id = f.recorded_by \
             WHERE f.approved_by IS NULL AND f.outcome = ?1 AND r.state = ?2 \
             AND r.release_request_id IS NULL ORDER BY r.priority, r.id",
        )?;
        let rows = stmt.query_map(
            params![FollowUp::NumberCorrect.code(), ReviewState::Approved as i64],
            |r| {
                Ok(OutcomeToApprove {
                    record_id: r.get(0)?,
                    decision_id: r.get(1)?,
                    card: r.get(2)?,
                    kana_name: r.get(3)?,
                    decision: Decision::from_code(r.get(4)?).unwrap_or(Decision::WriteToPerson),
                    outcome: FollowUp::from_code(r.get(5)?).unwrap_or(FollowUp::NoReply),
                    digits_match: r.get(6)?,
                    memo: r.get(7)?,
                    recorded_by: r.get(8)?,
                    recorded_by_name: r.get(9)?,
                    recorded_at: r.get(10)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Approves one follow-up exactly as seen (same decision, outcome, memo, author and time,
    /// still the record's current decision, not yet approved, not recorded by the approver).
    /// Returns whether it was approved (the caller rolls back otherwise).
    pub(crate) fn approve_outcome(
        &self,
        seen: &OutcomeToApprove,
        by: i64,
        at: &str,
    ) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE follow_ups SET approved_by = ?1, approved_at = ?2 \
             WHERE record_id = ?3 AND decision_id = ?4 AND outcome = ?5 AND memo = ?6 \
             AND recorded_by = ?7 AND recorded_at = ?8 AND approved_by IS NULL \
             AND recorded_by <> ?1 \
             AND decision_id = (SELECT decision_id FROM records WHERE id = ?3 AND state = ?9)",
        )?;
        let n = stmt.execute(params![
            by,
            at,
            seen.record_id,
            seen.decision_id,
            seen.outcome.code(),
            seen.memo,
            seen.recorded_by,
            seen.recorded_at,
            ReviewState::Approved as i64
        ])?;
        Ok(n == 1)
    }

    /// Who approved the follow-up of a record's current decision, and when, if approved.
    pub fn outcome_approval(&self, record_id: i64) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT f.approved_by, f.approved_at FROM follow_ups f \
                 JOIN records r ON r.id = f.record_id AND r.decision_id = f.decision_id \
                 WHERE f.record_id = ?1 AND f.approved_by IS NOT NULL",
                [record_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}

impl UserRights {
    /// Whether these rights allow an action (a disabled user may do nothing).
    pub fn allow(self, p: crate::auth::Permission) -> bool {
        if self.disabled {
            return false;
        }
        match p {
            crate::auth::Permission::RevealMyNumber => self.may_reveal_my_number,
            _ => crate::auth::Roles(self.roles).allow(p),
        }
    }
}
