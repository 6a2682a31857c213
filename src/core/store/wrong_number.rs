//! The wrong-number procedure as stored: which records have a wrong number (their current
//! decision and its follow-up), and the steps recorded for them.

use rusqlite::params;

use super::{Store, StoreError};
use crate::record::Date;
use crate::review::{Decision, FollowUp, ReviewState};
use crate::wrong_number::steps::{Found, Step, StepRow};

/// A record whose current decision (with its follow-up) says the registered number is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrongNumberCase {
    /// The record.
    pub record_id: i64,
    /// Its current decision.
    pub decision_id: i64,
    /// How the wrong number was found.
    pub found: Found,
    /// When (local time of the decision for 2-4, of the answer otherwise).
    pub found_at: String,
    /// 記号・番号-枝番, to find the card.
    pub card: String,
}

impl Store {
    /// Every record whose number turned out wrong (2-4, 3-2, 4-4, 4-7), oldest first; records
    /// qualified at the match date only, decided or approved.
    pub fn wrong_number_cases(&self) -> Result<Vec<WrongNumberCase>, StoreError> {
        self.wrong_number_cases_of(None)
    }

    /// The wrong-number case of one record, if its number turned out wrong.
    pub fn wrong_number_case(&self, record_id: i64) -> Result<Option<WrongNumberCase>, StoreError> {
        Ok(self
            .wrong_number_cases_of(Some(record_id))?
            .into_iter()
            .next())
    }

    /// The wrong-number cases of every record, or of one. The record is a bound parameter, so
    /// the two statements stay two entries of the statement cache (not one per record).
    fn wrong_number_cases_of(
        &self,
        record: Option<i64>,
    ) -> Result<Vec<WrongNumberCase>, StoreError> {
        let extra = if record.is_some() {
            "AND r.id = ?1"
        } else {
            ""
        };
        // The candidates by decision; `Found::of` is the rule.
        let sql = format!(
            "SELECT r.id, d.id, d.decision, f.outcome, d.decided_at, f.recorded_at, \
             r.card_symbol, r.card_number, r.branch \
             FROM records r JOIN decisions d ON d.id = r.decision_id \
             LEFT JOIN follow_ups f ON f.record_id = r.id AND f.decision_id = d.id \
             WHERE r.lost = 0 AND r.state IN ({}, {}) AND d.decision IN ({}, {}, {}) {extra} \
             ORDER BY r.id",
            ReviewState::Decided as i64,
            ReviewState::Approved as i64,
            Decision::WrongNumber.code(),
            Decision::AskEmployer.code(),
            Decision::WriteToPerson.code(),
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let params: Vec<i64> = record.into_iter().collect();
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                format!(
                    "{}・{}-{}",
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?
                ),
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (record_id, decision_id, decision, outcome, decided_at, answered_at, card) = row?;
            let Some(decision) = Decision::from_code(decision) else {
                continue;
            };
            let follow_up = outcome.and_then(FollowUp::from_code);
            let Some(found) = Found::of(decision, follow_up) else {
                continue;
            };
            let found_at = match found {
                Found::ByInsurer => decided_at,
                _ => answered_at.unwrap_or(decided_at),
            };
            out.push(WrongNumberCase {
                record_id,
                decision_id,
                found,
                found_at,
                card,
            });
        }
        Ok(out)
    }

    /// The steps recorded for a record's decision, in the procedure's order.
    pub fn wrong_number_steps(
        &self,
        record_id: i64,
        decision_id: i64,
    ) -> Result<Vec<StepRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.step, s.value, s.done_on, s.memo, COALESCE(u.display_name, ''), \
             s.recorded_at FROM wrong_number_steps s LEFT JOIN users u ON u.id = s.recorded_by \
             WHERE s.record_id = ?1 AND s.decision_id = ?2 ORDER BY s.step",
        )?;
        let rows = stmt.query_map([record_id, decision_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (step, value, done_on, memo, recorded_by, recorded_at) = row?;
            let (Some(step), Some(done_on)) = (Step::from_code(step), Date::from_u32(done_on))
            else {
                continue;
            };
            out.push(StepRow {
                step,
                value,
                done_on,
                memo,
                recorded_by,
                recorded_at,
            });
        }
        Ok(out)
    }

    /// Records a step (checked by the caller with `Procedure::check`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert_wrong_number_step(
        &self,
        record_id: i64,
        decision_id: i64,
        step: Step,
        value: Option<i64>,
        done_on: Date,
        memo: &str,
        user: i64,
        at: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO wrong_number_steps (record_id, decision_id, step, value, done_on, memo, \
             recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                record_id,
                decision_id,
                step.code(),
                value,
                done_on.as_u32(),
                memo,
                user,
                at
            ],
        )?;
        Ok(())
    }
}
