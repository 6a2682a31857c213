//! What follows a decision, as stored: letters printed, replies and employer answers, the
//! count report's raw numbers, and the release requests.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::record::{StopCase, StopFlag};
use crate::report::Counted;
use crate::review::{Decision, FollowUp, LetterType, ReviewState, number_confirmed};

/// A recorded follow-up (reply or employer answer) of a record's current decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpRow {
    /// The outcome.
    pub outcome: FollowUp,
    /// Type B: whether the 4 digits the person wrote matched.
    pub digits_match: Option<bool>,
    /// The clerk's memo.
    pub memo: String,
    /// Who recorded it.
    pub recorded_by: i64,
    /// When (local time).
    pub recorded_at: String,
}

/// A letter printed for a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterRow {
    /// The letter batch.
    pub batch_id: i64,
    /// The decision it was printed for.
    pub decision_id: i64,
    /// A or B.
    pub letter_type: LetterType,
    /// A reprint.
    pub reprint: bool,
    /// When printed.
    pub printed_at: String,
    /// The reply deadline (YYYY-MM-DD).
    pub deadline: String,
}

/// One line of a release request: how the operator finds the person, and why the stop may go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseRow {
    /// Record id.
    pub record_id: i64,
    /// 保険者番号.
    pub insurer_number: String,
    /// 記号.
    pub card_symbol: String,
    /// 番号.
    pub card_number: String,
    /// 枝番.
    pub branch: String,
    /// Insurer-side kana name.
    pub kana_name: String,
    /// Insurer-side birth date (YYYYMMDD as stored).
    pub birth: Option<u32>,
    /// The registered My Number (written only where the profile asks for it).
    pub my_number: String,
    /// The case it is released under (① where the operator stopped the qualification too).
    pub case: StopCase,
    /// The decision that confirmed the number.
    pub decision: Decision,
    /// The viewing stop the operator applied (the file's 閲覧停止区分).
    pub stop: StopFlag,
}

/// A release request sent (or to send) to the operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseRequestRow {
    /// Request id (the batch number on the cover sheet).
    pub id: i64,
    /// When made.
    pub created_at: String,
    /// Who made it.
    pub created_by: i64,
    /// The cut-off it was made for.
    pub cutoff: Option<String>,
    /// Records in it.
    pub records: u64,
}

/// SQL of the viewing stop the operator applied to `records r`: the file's 閲覧停止区分 (1 =
/// 資格情報及び医療情報, 2 = 医療情報 only, 0 = none). The release follows it, not our
/// recomputation (that stays a warning on the row). Only where the file has no such value does
/// the stop recomputed from the case table stand in (① → 1, ②③ → 2).
const APPLIED_STOP: &str = "COALESCE(r.stop_flag, CASE WHEN r.stop_case = 1 THEN 1 \
     WHEN r.stop_case IN (2, 3) THEN 2 ELSE 0 END)";

/// SQL of the case (①②③) a stopped record is released under: ① where the operator stopped
/// the qualification too (the person cannot use the card), else the recomputed ② or ③ (② where
/// the recomputation found no stop).
fn release_case() -> String {
    format!(
        "CASE WHEN {APPLIED_STOP} = 1 THEN 1 WHEN r.stop_case IN (2, 3) THEN r.stop_case ELSE 2 END"
    )
}

/// SQL condition of the release (on `records r` joined with its current decision `d`): approved,
/// viewing stopped by the operator, number confirmed, in no release request yet. The one place
/// the release condition is written; the count per case and the list use it alike.
fn releasable_condition() -> String {
    format!(
        "r.state = {} AND {APPLIED_STOP} IN (1, 2) AND r.release_request_id IS NULL AND {}",
        ReviewState::Approved as i64,
        confirmed_condition()
    )
}

/// SQL condition "the current decision confirms the number", generated from
/// [`number_confirmed`] so that the rule lives once; a follow-up counts only once a supervisor
/// has approved it (issue 16 §5, see [`Store::approve_outcome`]).
fn confirmed_condition() -> String {
    let alone: Vec<String> = Decision::ALL
        .iter()
        .filter(|d| number_confirmed(**d, None))
        .map(|d| d.code().to_string())
        .collect();
    let with_follow_up: Vec<String> = Decision::ALL
        .iter()
        .filter(|d| {
            !number_confirmed(**d, None) && number_confirmed(**d, Some(FollowUp::NumberCorrect))
        })
        .map(|d| d.code().to_string())
        .collect();
    format!(
        "(d.decision IN ({}) OR (d.decision IN ({}) AND EXISTS (SELECT 1 FROM follow_ups f \
         WHERE f.record_id = r.id AND f.decision_id = d.id AND f.outcome = {} \
         AND f.approved_by IS NOT NULL)))",
        alone.join(", "),
        with_follow_up.join(", "),
        FollowUp::NumberCorrect.code()
    )
}

impl Store {
    /// Records a printed batch of letters; returns the batch id.
    pub(crate) fn insert_letter_batch(
        &self,
        letters: &[(i64, i64, LetterType)],
        by: i64,
        at: &str,
        deadline: &str,
        reprint: bool,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO letter_batches (printed_at, printed_by, deadline, letters) \
             VALUES (?1, ?2, ?3, ?4)",
            params![at, by, deadline, letters.len() as i64],
        )?;
        let batch = self.conn.last_insert_rowid();
        let mut ins = self.conn.prepare_cached(
            "INSERT INTO letters (record_id, decision_id, batch_id, letter_type, reprint) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (record, decision, t) in letters {
            ins.execute(params![record, decision, batch, t.key(), reprint])?;
        }
        Ok(batch)
    }

    /// The letters printed for a record, oldest first.
    pub fn letters_of(&self, record_id: i64) -> Result<Vec<LetterRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.batch_id, l.decision_id, l.letter_type, l.reprint, b.printed_at, b.deadline \
             FROM letters l JOIN letter_batches b ON b.id = l.batch_id \
             WHERE l.record_id = ?1 ORDER BY l.id",
        )?;
        let rows = stmt.query_map([record_id], |r| {
            Ok(LetterRow {
                batch_id: r.get(0)?,
                decision_id: r.get(1)?,
                letter_type: LetterType::from_key(&r.get::<_, String>(2)?).unwrap_or(LetterType::B),
                reprint: r.get(3)?,
                printed_at: r.get(4)?,
                deadline: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets the follow-up of a record's decision (replacing an earlier one).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn set_follow_up(
        &self,
        record_id: i64,
        decision_id: i64,
        outcome: FollowUp,
        digits_match: Option<bool>,
        memo: &str,
        by: i64,
        at: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO follow_ups (record_id, decision_id, outcome, digits_match, \
             memo, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                record_id,
                decision_id,
                outcome.code(),
                digits_match,
                memo,
                by,
                at
            ],
        )?;
        Ok(())
    }

    /// The follow-up of the record's current decision, if recorded.
    pub fn follow_up(&self, record_id: i64) -> Result<Option<FollowUpRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT f.outcome, f.digits_match, f.memo, f.recorded_by, f.recorded_at \
                 FROM follow_ups f JOIN records r ON r.id = f.record_id \
                 WHERE f.record_id = ?1 AND f.decision_id = r.decision_id",
                [record_id],
                |r| {
                    Ok(FollowUpRow {
                        outcome: FollowUp::from_code(r.get(0)?).unwrap_or(FollowUp::NoReply),
                        digits_match: r.get(1)?,
                        memo: r.get(2)?,
                        recorded_by: r.get(3)?,
                        recorded_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records whose current decision is 本人へ文書送付 and whose letter has not been
    /// printed: (record id, letter type, card as 記号・番号-枝番), ① first.
    pub fn letters_to_print(&self) -> Result<Vec<(i64, LetterType, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, d.letter, r.card_symbol || '・' || r.card_number || '-' || r.branch \
             FROM records r JOIN decisions d ON d.id = r.decision_id \
             WHERE d.decision = ?1 AND r.state IN (?2, ?3) AND NOT EXISTS (SELECT 1 FROM letters l \
             WHERE l.record_id = r.id AND l.decision_id = d.id) ORDER BY r.priority, r.id",
        )?;
        let rows = stmt.query_map(
            params![
                Decision::WriteToPerson.code(),
                ReviewState::Decided as i64,
                ReviewState::Approved as i64
            ],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, letter, card) = row?;
            if let Some(t) = letter.as_deref().and_then(LetterType::from_key) {
                out.push((id, t, card));
            }
        }
        Ok(out)
    }

    /// Letters whose reply deadline is before `today` (YYYY-MM-DD) and whose record's current
    /// decision has no follow-up yet: (record id, decision id).
    pub fn overdue_letters(&self, today: &str) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT r.id, r.decision_id FROM letters l \
             JOIN letter_batches b ON b.id = l.batch_id \
             JOIN records r ON r.id = l.record_id AND r.decision_id = l.decision_id \
             WHERE b.deadline < ?1 AND NOT EXISTS (SELECT 1 FROM follow_ups f \
             WHERE f.record_id = r.id AND f.decision_id = r.decision_id) ORDER BY r.id",
        )?;
        let rows = stmt.query_map([today], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The raw numbers of the count report: every distinct (decision, letter, sent,
    /// follow-up) of current decisions with how many records share it; approved records only
    /// if asked.
    pub fn counted_decisions(
        &self,
        approved_only: bool,
    ) -> Result<Vec<(Counted, u64)>, StoreError> {
        let states = if approved_only {
            format!("{}", ReviewState::Approved as i64)
        } else {
            format!(
                "{}, {}",
                ReviewState::Decided as i64,
                ReviewState::Approved as i64
            )
        };
        let sql = format!(
            "SELECT d.decision, d.letter, \
             EXISTS (SELECT 1 FROM letters l WHERE l.record_id = r.id AND l.decision_id = d.id), \
             (SELECT f.outcome FROM follow_ups f WHERE f.record_id = r.id AND f.decision_id = d.id), \
             count(*) FROM records r JOIN decisions d ON d.id = r.decision_id \
             WHERE r.state IN ({states}) AND r.lost = 0 GROUP BY 1, 2, 3, 4"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, i64>(4)? as u64,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (d, letter, sent, f, n) = row?;
            let Some(decision) = Decision::from_code(d) else {
                continue;
            };
            out.push((
                Counted {
                    decision,
                    letter: letter.as_deref().and_then(LetterType::from_key),
                    letter_sent: sent,
                    follow_up: f.and_then(FollowUp::from_code),
                },
                n,
            ));
        }
        Ok(out)
    }

    /// The number of mismatches of those qualified at the match date (item 1 of the count
    /// report: 「突合時点で加入資格」).
    pub fn mismatch_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT count(*) FROM records WHERE mismatch = 1 AND lost = 0 AND {}",
                super::not_pending("")
            ),
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// The number of mismatches whose qualification was lost on or before the match date: out
    /// of the check and of every item of the count report (shown apart as 対象外).
    pub fn out_of_scope_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT count(*) FROM records WHERE mismatch = 1 AND lost = 1 AND {}",
                super::not_pending("")
            ),
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Approved records whose viewing is stopped, whose number is confirmed and that are in
    /// no release request yet, ① first.
    pub fn release_candidates(&self) -> Result<Vec<ReleaseRow>, StoreError> {
        self.release_rows_where(&releasable_condition())
    }

    /// Records ready for the next release request, per case (①, ②, ③): approved, viewing
    /// stopped, number confirmed, in no request yet.
    pub fn ready_for_release(&self) -> Result<[u64; 3], StoreError> {
        let sql = format!(
            "SELECT {}, count(*) FROM records r JOIN decisions d ON d.id = r.decision_id \
             WHERE {} GROUP BY 1",
            release_case(),
            releasable_condition()
        );
        let mut out = [0u64; 3];
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (case, n) = row?;
            if let Some(slot) = out.get_mut((case - 1) as usize) {
                *slot = n as u64;
            }
        }
        Ok(out)
    }

    /// Letters: (records with a letter sent for their current decision, of which still
    /// without a reply, records in a release request).
    pub fn letter_progress(&self) -> Result<(u64, u64, u64), StoreError> {
        let (sent, pending) = self.conn.query_row(
            "SELECT count(DISTINCT l.record_id), \
             count(DISTINCT CASE WHEN f.record_id IS NULL THEN l.record_id END) \
             FROM letters l JOIN records r ON r.id = l.record_id AND r.decision_id = l.decision_id \
             LEFT JOIN follow_ups f ON f.record_id = r.id AND f.decision_id = r.decision_id",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
        )?;
        let released: i64 = self.conn.query_row(
            "SELECT count(*) FROM records WHERE release_request_id IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        Ok((sent, pending, released as u64))
    }

    /// The records of a release request, ① first.
    pub fn release_request_rows(&self, request_id: i64) -> Result<Vec<ReleaseRow>, StoreError> {
        self.release_rows_where(&format!("r.release_request_id = {}", request_id))
    }

    fn release_rows_where(&self, condition: &str) -> Result<Vec<ReleaseRow>, StoreError> {
        let sql = format!(
            "SELECT r.id, r.insurer_number, r.card_symbol, r.card_number, r.branch, r.ins_kana, \
             r.ins_birth, r.my_number, {case}, d.decision, {APPLIED_STOP} \
             FROM records r JOIN decisions d ON d.id = r.decision_id \
             WHERE {condition} ORDER BY 9, r.priority, r.id",
            case = release_case()
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(ReleaseRow {
                record_id: r.get(0)?,
                insurer_number: r.get(1)?,
                card_symbol: r.get(2)?,
                card_number: r.get(3)?,
                branch: r.get(4)?,
                kana_name: r.get(5)?,
                birth: r.get(6)?,
                my_number: r.get(7)?,
                case: StopCase::from_code(r.get(8)?),
                decision: Decision::from_code(r.get(9)?).unwrap_or(Decision::SameByVisualCheck),
                stop: StopFlag::from_code(r.get(10)?).unwrap_or(StopFlag::MedicalOnly),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Makes a release request of these records (each must still be a candidate: a record
    /// goes in one request only); returns its id, or `None` if some record was not a
    /// candidate. Call it inside [`Store::in_transaction`] and roll back on `None`.
    pub(crate) fn insert_release_request(
        &self,
        record_ids: &[i64],
        by: i64,
        at: &str,
        cutoff: Option<&str>,
    ) -> Result<Option<i64>, StoreError> {
        self.conn.execute(
            "INSERT INTO release_requests (created_at, created_by, cutoff, records) \
             VALUES (?1, ?2, ?3, ?4)",
            params![at, by, cutoff, record_ids.len() as i64],
        )?;
        let id = self.conn.last_insert_rowid();
        let candidates: std::collections::HashSet<i64> = self
            .release_candidates()?
            .iter()
            .map(|r| r.record_id)
            .collect();
        let mut upd = self.conn.prepare_cached(
            "UPDATE records SET release_request_id = ?1 WHERE id = ?2 AND release_request_id IS NULL",
        )?;
        for rid in record_ids {
            if !candidates.contains(rid) || upd.execute(params![id, rid])? != 1 {
                return Ok(None);
            }
        }
        Ok(Some(id))
    }

    /// The approval of a record's current decision: (batch id, approver's name).
    pub fn approval_of(&self, record_id: i64) -> Result<Option<(i64, Option<String>)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT b.id, u.display_name FROM records r \
                 JOIN decisions d ON d.id = r.decision_id JOIN batches b ON b.id = d.batch_id \
                 LEFT JOIN users u ON u.id = b.approved_by WHERE r.id = ?1",
                [record_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The similar-case check of a record (類似事案の点検): records linked by the
    /// cross-record alarms (either way), records with the same registered number, and
    /// mismatches at the same insurer-side address (a family member's number taken by
    /// mistake). Each with why, in Japanese, without personal data.
    pub fn similar_cases(
        &self,
        record_id: i64,
    ) -> Result<Vec<crate::wrong_number::SimilarCase>, StoreError> {
        use crate::wrong_number::SimilarCase;
        let mut out: Vec<SimilarCase> = Vec::new();
        let mut push = |id: i64, why: &str| {
            if id != record_id && !out.iter().any(|c| c.record_id == id) {
                out.push(SimilarCase {
                    record_id: id,
                    why: why.to_string(),
                });
            }
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT related_id FROM alarms WHERE record_id = ?1 \
             UNION SELECT record_id FROM alarms WHERE related_id = ?1",
        )?;
        for id in stmt.query_map([record_id], |r| r.get::<_, i64>(0))? {
            push(
                id?,
                "突合結果ファイル全体の点検で関連（同じ個人番号、または別の加入者の住基情報）",
            );
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT o.id FROM records r JOIN records o ON o.my_number = r.my_number \
                 WHERE r.id = ?1 AND o.id <> r.id AND {}",
            super::not_pending("o.")
        ))?;
        for id in stmt.query_map([record_id], |r| r.get::<_, i64>(0))? {
            push(id?, "同じ個人番号が登録されている");
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT o.id FROM records r JOIN records o ON o.ins_address = r.ins_address \
                 WHERE r.id = ?1 AND o.id <> r.id AND o.mismatch = 1 AND {}",
            super::not_pending("o.")
        ))?;
        for id in stmt.query_map([record_id], |r| r.get::<_, i64>(0))? {
            push(id?, "同じ住所の不一致（家族の番号の取り違えの可能性）");
        }
        Ok(out)
    }

    /// Sets the postal code the clerk confirmed for a record's letter.
    pub(crate) fn set_postal_override(
        &self,
        record_id: i64,
        code: &str,
        by: i64,
        at: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO postal_overrides (record_id, postal_code, set_by, set_at) \
             VALUES (?1, ?2, ?3, ?4)",
            params![record_id, code, by, at],
        )?;
        Ok(())
    }

    /// The postal code the clerk confirmed for a record's letter, if any.
    pub fn postal_override(&self, record_id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT postal_code FROM postal_overrides WHERE record_id = ?1",
                [record_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every release request, newest first.
    pub fn release_requests(&self) -> Result<Vec<ReleaseRequestRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, created_at, created_by, cutoff, records FROM release_requests ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ReleaseRequestRow {
                id: r.get(0)?,
                created_at: r.get(1)?,
                created_by: r.get(2)?,
                cutoff: r.get(3)?,
                records: r.get::<_, i64>(4)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
