//! The review tables: decisions, the records' review state, approval batches.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::record::{Date, StopCase};
use crate::review::{
    BatchGrouping, Choice, Decision, DecisionRow, LetterType, PendingBatch, ReviewState,
};

const DECISION_COLUMNS: &str = "SELECT id, record_id, decision, letter, memo, decided_by, \
    decided_at, overrode, undone, batch_id, lost_on FROM decisions";

fn decision_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DecisionRow> {
    let letter: Option<String> = r.get(3)?;
    let overrode: String = r.get(7)?;
    Ok(DecisionRow {
        id: r.get(0)?,
        record_id: r.get(1)?,
        choice: Choice {
            decision: Decision::from_code(r.get(2)?).unwrap_or(Decision::SameByVisualCheck),
            letter: letter.as_deref().and_then(LetterType::from_key),
            lost_on: r.get::<_, Option<u32>>(10)?.and_then(Date::from_u32),
        },
        memo: r.get(4)?,
        decided_by: r.get(5)?,
        decided_at: r.get(6)?,
        overrode: serde_json::from_str(&overrode).unwrap_or_default(),
        undone: r.get(8)?,
        batch_id: r.get(9)?,
    })
}

/// A record's review state, current decision and send-back reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordReview {
    /// Where the record stands.
    pub state: ReviewState,
    /// The current decision, if any.
    pub decision: Option<DecisionRow>,
    /// The supervisor's reason, when sent back.
    pub sent_back: Option<String>,
}

impl Store {
    /// Runs `f` in one transaction on this store (audit entries written by `f` included):
    /// everything or nothing. The write lock is taken at the start (`BEGIN IMMEDIATE`): a
    /// transaction that read first and asked for the lock later could be refused at once
    /// when another writer is committing, without waiting.
    pub(crate) fn in_transaction<T, E: From<StoreError>>(
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

    /// A decision by id.
    pub fn decision(&self, id: i64) -> Result<Option<DecisionRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{DECISION_COLUMNS} WHERE id = ?1"),
                [id],
                decision_from_row,
            )
            .optional()?)
    }

    /// Every decision on a record, oldest first (undone ones included, marked).
    pub fn decisions_of(&self, record_id: i64) -> Result<Vec<DecisionRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{DECISION_COLUMNS} WHERE record_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([record_id], decision_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where a record stands, or `None` if there is no such record.
    pub fn record_review(&self, record_id: i64) -> Result<Option<RecordReview>, StoreError> {
        let Some((state, decision_id, sent_back)) = self
            .conn
            .query_row(
                "SELECT state, decision_id, sent_back FROM records WHERE id = ?1",
                [record_id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Option<i64>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                },
            )
            .optional()?
        else {
            return Ok(None);
        };
        let decision = match decision_id {
            Some(id) => self.decision(id)?,
            None => None,
        };
        Ok(Some(RecordReview {
            state: ReviewState::from_code(state),
            decision,
            sent_back,
        }))
    }

    /// Records a decision and makes it the record's current one (state: waiting for approval).
    pub(crate) fn insert_decision(
        &self,
        record_id: i64,
        choice: &Choice,
        memo: &str,
        by: i64,
        at: &str,
        overrode: &[String],
    ) -> Result<i64, StoreError> {
        let (state, decision_id, sent_back): (i64, Option<i64>, Option<String>) =
            self.conn.query_row(
                "SELECT state, decision_id, sent_back FROM records WHERE id = ?1",
                [record_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
        self.conn.execute(
            "INSERT INTO decisions (record_id, decision, letter, memo, decided_by, decided_at, \
             overrode, prev_state, prev_decision_id, prev_sent_back, lost_on) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                record_id,
                choice.decision.code(),
                choice.letter.map(|l| l.key()),
                memo,
                by,
                at,
                serde_json::to_string(overrode).expect("strings serialize"),
                state,
                decision_id,
                sent_back,
                choice.lost_on.map(|d| d.as_u32()),
            ],
        )?;
        let id = self.conn.last_insert_rowid();
        self.conn.execute(
            "UPDATE records SET state = ?1, decision_id = ?2, sent_back = NULL WHERE id = ?3",
            params![ReviewState::Decided as i64, id, record_id],
        )?;
        Ok(id)
    }

    /// The user's most recent decision that can still be undone: not undone, still the
    /// record's current decision, and not yet approved.
    pub fn last_undoable_decision(&self, user_id: i64) -> Result<Option<DecisionRow>, StoreError> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT d.id FROM decisions d JOIN records r ON r.decision_id = d.id \
                 WHERE d.decided_by = ?1 AND d.undone = 0 AND r.state = ?2 \
                 ORDER BY d.id DESC LIMIT 1",
                params![user_id, ReviewState::Decided as i64],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.decision(id),
            None => Ok(None),
        }
    }

    /// Undoes a decision: marks it and puts the record back as it was before.
    pub(crate) fn undo_decision(&self, decision_id: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE records SET (state, decision_id, sent_back) = \
             (SELECT prev_state, prev_decision_id, prev_sent_back FROM decisions WHERE id = ?1) \
             WHERE id = (SELECT record_id FROM decisions WHERE id = ?1)",
            [decision_id],
        )?;
        self.conn.execute(
            "UPDATE decisions SET undone = 1 WHERE id = ?1",
            [decision_id],
        )?;
        Ok(())
    }

    /// Decided records waiting for approval, grouped by clerk and day, in work order.
    pub fn pending_batches(
        &self,
        grouping: BatchGrouping,
    ) -> Result<Vec<PendingBatch>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.stop_case, d.decided_by, substr(d.decided_at, 1, 10), u.login, \
             u.display_name, d.decision FROM records r \
             JOIN decisions d ON d.id = r.decision_id JOIN users u ON u.id = d.decided_by \
             WHERE r.state = ?1 \
             ORDER BY d.decided_by, substr(d.decided_at, 1, 10), r.priority, r.id",
        )?;
        let rows = stmt.query_map([ReviewState::Decided as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                StopCase::from_code(r.get(1)?),
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                Decision::from_code(r.get(6)?),
            ))
        })?;
        // Batches in order of first appearance (clerk, then day); the days a batch spans.
        let mut out: Vec<(PendingBatch, String, String)> = Vec::new();
        let mut at: std::collections::HashMap<(i64, String, Option<Decision>), usize> =
            std::collections::HashMap::new();
        for row in rows {
            let (id, case, clerk, day, login, name, decision) = row?;
            let key = match grouping {
                BatchGrouping::ClerkAndDay => (clerk, day.clone(), None),
                BatchGrouping::Clerk => (clerk, String::new(), None),
                BatchGrouping::ClerkAndDecision => (clerk, String::new(), decision),
            };
            let i = *at.entry(key).or_insert_with(|| {
                out.push((
                    PendingBatch {
                        clerk_id: clerk,
                        clerk_login: login,
                        clerk_name: name,
                        day: String::new(),
                        decision: match grouping {
                            BatchGrouping::ClerkAndDecision => decision,
                            _ => None,
                        },
                        record_ids: Vec::new(),
                        by_case: [0; 4],
                    },
                    day.clone(),
                    day.clone(),
                ));
                out.len() - 1
            });
            let (b, first, last) = &mut out[i];
            b.record_ids.push(id);
            b.by_case[PendingBatch::case_index(case)] += 1;
            if day < *first {
                *first = day;
            } else if day > *last {
                *last = day;
            }
        }
        Ok(out
            .into_iter()
            .map(|(mut b, first, last)| {
                b.day = if first == last {
                    first
                } else {
                    format!("{first}〜{last}")
                };
                b
            })
            .collect())
    }

    /// Sends a record back to its clerk with a reason.
    pub(crate) fn send_back(&self, record_id: i64, reason: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE records SET state = ?1, sent_back = ?2 WHERE id = ?3",
            params![ReviewState::SentBack as i64, reason, record_id],
        )?;
        Ok(())
    }

    /// Assigns the records of `filter` whose work is still to do (undecided or sent back) to
    /// `to` (`None`: to nobody), at most `limit` of them in the filter's order; returns how many.
    pub(crate) fn assign_mismatches(
        &self,
        filter: &super::MismatchFilter,
        to: Option<i64>,
        limit: Option<usize>,
    ) -> Result<u64, StoreError> {
        // Rows out of scope (lost on or before the match date) are nobody's work.
        let filter = super::MismatchFilter {
            lost: Some(false),
            ..filter.clone()
        };
        let (sql, mut args) =
            super::mismatch_query(&filter, None, limit.unwrap_or(i64::MAX as usize));
        // The filter's query ends in "LIMIT ?": keep its order and limit, select ids only.
        let todo = format!(
            "UPDATE records SET assignee = ? WHERE id IN (SELECT id FROM ({sql}) \
             WHERE state IN ({}, {}))",
            ReviewState::Undecided as i64,
            ReviewState::SentBack as i64
        );
        args.insert(0, to.map_or(rusqlite::types::Value::Null, Into::into));
        let n = self
            .conn
            .execute(&todo, rusqlite::params_from_iter(args.iter()))?;
        Ok(n as u64)
    }

    /// Per assignee (`None`: unassigned), the records still to do (undecided or sent back).
    pub fn work_per_assignee(&self) -> Result<Vec<(Option<i64>, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT assignee, count(*) FROM records INDEXED BY records_assignee \
             WHERE mismatch = 1 AND lost = 0 AND state IN (?1, ?2) AND {} GROUP BY assignee \
             ORDER BY assignee",
            super::not_pending("")
        ))?;
        let rows = stmt.query_map(
            params![ReviewState::Undecided as i64, ReviewState::SentBack as i64],
            |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, i64>(1)? as u64)),
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records per review state (undecided counts every mismatch without a decision).
    pub fn review_counts(&self) -> Result<[u64; 4], StoreError> {
        let mut out = [0u64; 4];
        let mut stmt = self.conn.prepare_cached(
            "SELECT state, count(*) FROM records WHERE state <> 0 AND lost = 0 GROUP BY state",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
        let mut decided = 0;
        for row in rows {
            let (s, n) = row?;
            out[ReviewState::from_code(s) as usize] += n as u64;
            decided += n as u64;
        }
        out[0] = self.mismatch_count()?.saturating_sub(decided);
        Ok(out)
    }

    /// Decisions (not undone) per day, oldest first: the progress chart.
    pub fn decisions_per_day(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT substr(decided_at, 1, 10) AS day, count(*) FROM decisions WHERE undone = 0 \
             GROUP BY day ORDER BY day",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Decisions (not undone) per hour of one day (YYYY-MM-DD, local time as stored), by
    /// hour 0–23: the chart of a day's work.
    pub fn decisions_per_hour(&self, day: &str) -> Result<Vec<(u32, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT CAST(substr(decided_at, 12, 2) AS INTEGER) AS hour, count(*) FROM decisions \
             WHERE undone = 0 AND substr(decided_at, 1, 10) = ?1 GROUP BY hour ORDER BY hour",
        )?;
        let rows = stmt.query_map([day], |r| {
            Ok((r.get::<_, i64>(0)? as u32, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
