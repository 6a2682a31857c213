//! The review, from the session: importing the file, the list and the share-out, opening a
//! record, decisions, undo, the supervisor's batches, approval and send-back.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use crate::audit::{self, AuditAction, NewEntry};
use crate::auth::{self, Permission};
use crate::import::{ImportOptions, ImportReport, Progress};
use crate::record::Record;
use crate::review::{Choice, Decision, DecisionRow, PendingBatch, ReviewState};
use crate::store::{RecordReview, Store, StoreError};
use crate::summary::Counts;

use super::*;
use crate::store::{AssigneeFilter, MismatchFilter, MismatchRow, PageCursor};

/// The review's progress for the home screen (see [`Session::review_progress`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewProgress {
    /// Mismatches per review state (undecided, waiting, approved, sent back).
    pub states: [u64; 4],
    /// Approved, number confirmed, viewing stopped: per case ①②③.
    pub ready: [u64; 3],
    /// The next release cut-off.
    pub next_cutoff: Option<crate::release::Cutoff>,
    /// Decisions per day (YYYY-MM-DD, count).
    pub per_day: Vec<(String, u64)>,
    /// Decisions per hour (0–23, count) of the last day with decisions (the last of
    /// [`ReviewProgress::per_day`]).
    pub per_hour: Vec<(u32, u64)>,
    /// Records with a letter sent for their current decision.
    pub letters_sent: u64,
    /// Of those, still without a reply.
    pub replies_pending: u64,
    /// Records in a release request.
    pub in_release_requests: u64,
}

/// One record as the approval screen shows it (see [`Session::approval_lines`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalLine {
    /// The record.
    pub record_id: i64,
    /// The decision shown: approving takes it back ([`Session::approve_seen`]), so that what
    /// is approved is exactly what was seen.
    pub decision_id: i64,
    /// 記号・番号-枝番.
    pub card: String,
    /// The insurer-side kana name.
    pub kana_name: String,
    /// The viewing-stop case.
    pub case: crate::record::StopCase,
    /// The decision with its letter type, in words.
    pub decision: String,
    /// The explanation's suggestion.
    pub suggestion: Option<crate::compare::Suggestion>,
    /// The clerk's memo.
    pub memo: String,
    /// The contradictions the clerk confirmed (empty for most decisions).
    pub overrode: Vec<String>,
    /// The reply or the employer's answer the decision rests on, if any.
    pub follow_up: Option<crate::review::FollowUp>,
    /// The items that really differ (not only in notation), in item order.
    pub differs: Vec<crate::record::Item>,
    /// The items that differ only in notation (表記ゆれ), in item order.
    pub notation: Vec<crate::record::Item>,
    /// The record's warnings and cross-record alarms, as the review screen says them.
    pub warnings: Vec<String>,
    /// Why the supervisor should look twice: the contradictions the clerk confirmed and
    /// those the decision has with the evidence as it is read now
    /// ([`crate::review::contradictions`]: "same person" over a real difference, a decision
    /// against the suggestion). Empty for most lines.
    pub attention: Vec<String>,
}

impl ApprovalLine {
    /// Whether the line is marked and listed first ([`ApprovalLine::attention`]).
    pub fn needs_attention(&self) -> bool {
        !self.attention.is_empty()
    }
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
    /// The stored My Number is a full 12-digit number (not masked or partial in the file):
    /// only then could its check digit and the same-number check run.
    pub number_full: bool,
}

/// Everything the review screen shows of one record, read in one go (see
/// [`Session::open_record`]).
#[derive(Clone, Debug)]
pub struct RecordDetail {
    /// The record (My Number masked), its explanation and alarms.
    pub reviewed: ReviewedRecord,
    /// Its review state and current decision.
    pub review: RecordReview,
    /// Every decision on it.
    pub history: Vec<DecisionRow>,
    /// Names of the people in the history: (user id, display name).
    pub names: Vec<(i64, String)>,
    /// Views and other actions on the record from the audit trail: (time, login, what).
    pub trail: Vec<(String, String, String)>,
    /// Records named by the cross-record alarms: (data row, record id).
    pub related: Vec<(u64, i64)>,
    /// Letters printed for it.
    pub letters: Vec<crate::store::LetterRow>,
    /// The reply or the employer's answer for its current decision.
    pub follow_up: Option<crate::store::FollowUpRow>,
    /// Where its number turned out wrong: the wrong-number procedure so far.
    pub wrong_number: Option<crate::wrong_number::steps::Procedure>,
}

impl Session {
    /// The mismatch list read on its own thread with a second, read-only connection (for
    /// clerks and supervisors).
    pub fn list_reader(
        &self,
        waker: impl Fn() + Send + 'static,
    ) -> Result<crate::store::pager::ListPager, SessionError> {
        self.require(Permission::Review)?;
        let store = Store::open_reader(&self.dir, &self.key)?;
        Ok(crate::store::pager::ListPager::start(store, waker))
    }

    /// The people records can be assigned to: enabled users who may review (clerks and
    /// supervisors), as (id, display name), by name.
    pub fn reviewers(&self) -> Result<Vec<(i64, String)>, SessionError> {
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
    ) -> Result<u64, SessionError> {
        self.require(Permission::Approve)?;
        let name = match to {
            Some(id) => Some(
                self.reviewers()?
                    .into_iter()
                    .find(|(u, _)| *u == id)
                    .map(|(_, n)| n)
                    .ok_or_else(|| {
                        SessionError::InvalidUser(
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
    pub fn work_per_assignee(&self) -> Result<Vec<(Option<i64>, String, u64)>, SessionError> {
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
    pub fn summary(&self) -> Result<Counts, SessionError> {
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
    ) -> Result<ImportReport, SessionError> {
        self.require(Permission::Import)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (user_id, login) = (self.user.id, self.user.login.clone());
        // The entry commits with the import, in its transaction: both or neither.
        let entry = |import_id: i64, counts: &crate::summary::Counts| crate::audit::NewEntry {
            at: crate::audit::now_local(),
            user_id: Some(user_id),
            user_login: login.clone(),
            action: AuditAction::Import,
            target: format!("import:{import_id}"),
            detail: format!("{name}（{} 行）", counts.rows),
        };
        let r = crate::import::import_file(
            &mut self.store,
            path,
            opts,
            on_progress,
            cancel,
            Some(&entry),
        )?;
        Ok(r)
    }

    /// Opens a record for review: audited, with the My Number masked (`********1234`).
    pub fn view_record(&self, id: i64) -> Result<Option<Record>, SessionError> {
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
    pub fn review_record(&self, id: i64) -> Result<Option<ReviewedRecord>, SessionError> {
        self.require(Permission::Review)?;
        let Some((mut record, explained)) = crate::analyze::explain_stored(&self.store, id)? else {
            return Ok(None);
        };
        let row = self.store.row_number(id)?;
        let number_full = crate::record::my_number_is_full(&record.my_number);
        record.my_number = crate::mask::my_number(&record.my_number);
        self.audit(AuditAction::ViewRecord, &format!("record:{id}"), "")?;
        Ok(Some(ReviewedRecord {
            record,
            explained,
            row,
            number_full,
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
    ) -> Result<i64, SessionError> {
        self.require(Permission::Decide)?;
        if (choice.decision == Decision::WriteToPerson) != choice.letter.is_some() {
            return Err(SessionError::LetterType);
        }
        if choice.decision == Decision::AskEmployer
            && self.insurer_kind().is_some_and(|k| !k.has_employer())
        {
            return Err(SessionError::NoEmployer);
        }
        let Some((record, explained)) = crate::analyze::explain_stored(&self.store, record_id)?
        else {
            return Err(SessionError::NotAMismatch(record_id));
        };
        if !record.class.mismatch {
            return Err(SessionError::NotAMismatch(record_id));
        }
        if record.class.lost {
            return Err(SessionError::OutOfScope(record_id));
        }
        self.refuse_after_wrong_number_steps(record_id)?;
        if choice.decision == Decision::OutOfScopeLost {
            let today = crate::record::Date::today()
                .or(crate::record::Date::from_ymd(2200, 12, 31))
                .expect("a real day");
            if let Some(why) = crate::review::loss_date_problem(&record, choice.lost_on, today) {
                return Err(SessionError::LossDate(why));
            }
        } else if choice.lost_on.is_some() {
            return Err(SessionError::LossDate(
                "資格喪失日は「突合後に資格喪失のため対象外」のときだけ入力します".into(),
            ));
        }
        let review = self
            .store
            .record_review(record_id)?
            .ok_or(SessionError::NotAMismatch(record_id))?;
        if !review.state.open_for_decision() {
            return Err(SessionError::AlreadyApproved(record_id));
        }
        let memo = memo.trim();
        let why = crate::review::contradictions(&record, &explained.explanation, &choice);
        if !why.is_empty() && (!confirmed || memo.is_empty()) {
            return Err(SessionError::NeedsConfirmation(why));
        }
        self.store.in_write_transaction(|store| {
            // Checked again under the write lock: an approval that came in between wins, and
            // the decision is refused instead of silently replacing the approved one.
            self.require(Permission::Decide)?;
            let now = store
                .record_review(record_id)?
                .ok_or(SessionError::NotAMismatch(record_id))?;
            if !now.state.open_for_decision() {
                return Err(SessionError::AlreadyApproved(record_id));
            }
            let id = store.insert_decision(
                record_id,
                &choice,
                memo,
                self.user.id,
                &audit::now_local(),
                &why,
            )?;
            let detail = format!(
                "{}{}{}{}",
                choice.decision.key(),
                choice
                    .letter
                    .map(|l| format!(" letter={}", l.key()))
                    .unwrap_or_default(),
                choice
                    .lost_on
                    .map(|d| format!(" lost_on={}", d.iso()))
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
            Ok::<_, SessionError>(id)
        })
    }

    /// Mismatches per review state ([`ReviewState`] order: undecided, waiting for approval,
    /// approved, sent back), for the home screen.
    pub fn review_counts(&self) -> Result<[u64; 4], SessionError> {
        self.require(Permission::ViewSummary)?;
        Ok(self.store.review_counts()?)
    }

    /// What the home screen shows of the review: records per review state, what is ready for
    /// the next release request (per case), the next cut-off, and decisions per day.
    pub fn review_progress(&self) -> Result<ReviewProgress, SessionError> {
        self.require(Permission::ViewSummary)?;
        let now = chrono::Local::now().naive_local();
        let (letters_sent, replies_pending, in_release_requests) = self.store.letter_progress()?;
        let per_day = self.store.decisions_per_day()?;
        let per_hour = match per_day.last() {
            Some((day, _)) => self.store.decisions_per_hour(day)?,
            None => Vec::new(),
        };
        Ok(ReviewProgress {
            states: self.store.review_counts()?,
            ready: self.store.ready_for_release()?,
            next_cutoff: self.release_schedule().next_after(now),
            per_day,
            per_hour,
            letters_sent,
            replies_pending,
            in_release_requests,
        })
    }

    /// Undoes this user's last decision that is not yet approved; returns its record.
    pub fn undo_last_decision(&self) -> Result<i64, SessionError> {
        self.require(Permission::Decide)?;
        let d = self
            .store
            .last_undoable_decision(self.user.id)?
            .ok_or(SessionError::NothingToUndo)?;
        self.refuse_after_wrong_number_steps(d.record_id)?;
        self.store.in_write_transaction(|store| {
            // Still this user's current decision, still waiting: an approval that came in
            // between is never undone.
            match store.record_review(d.record_id)? {
                Some(r)
                    if r.state == ReviewState::Decided
                        && r.decision.as_ref().is_some_and(|c| c.id == d.id) => {}
                _ => return Err(SessionError::AlreadyApproved(d.record_id)),
            }
            store.undo_decision(d.id)?;
            self.audit(
                AuditAction::Decision,
                &format!("record:{}", d.record_id),
                &format!("undo {}", d.choice.decision.key()),
            )?;
            Ok::<_, SessionError>(d.record_id)
        })
    }

    /// Where a record stands and every decision on it (for the record's history).
    pub fn record_review(
        &self,
        record_id: i64,
    ) -> Result<Option<(RecordReview, Vec<DecisionRow>)>, SessionError> {
        self.require(Permission::Review)?;
        let Some(review) = self.store.record_review(record_id)? else {
            return Ok(None);
        };
        Ok(Some((review, self.store.decisions_of(record_id)?)))
    }

    /// Opens a record for the review screen: the record and its explanation (the view is
    /// audited, as [`Session::review_record`]), its decisions with their authors' names, its
    /// trail, the records its alarms name, its letters and its reply. `None` when there is no
    /// such record.
    pub fn open_record(&self, id: i64) -> Result<Option<RecordDetail>, SessionError> {
        let Some((review, history)) = self.record_review(id)? else {
            return Ok(None);
        };
        let Some(reviewed) = self.review_record(id)? else {
            return Ok(None);
        };
        let mut names: Vec<(i64, String)> = Vec::new();
        for d in &history {
            if !names.iter().any(|(uid, _)| *uid == d.decided_by)
                && let Some(u) = self.store.user(d.decided_by)?
            {
                names.push((u.id, u.display_name));
            }
        }
        let related = self
            .store
            .alarms(id)?
            .iter()
            .map(|a| (a.related_row, a.related_id))
            .collect();
        Ok(Some(RecordDetail {
            trail: self.record_trail(id)?,
            letters: self.store.letters_of(id)?,
            follow_up: self.store.follow_up(id)?,
            wrong_number: self.wrong_number_procedure(id)?,
            reviewed,
            review,
            history,
            names,
            related,
        }))
    }

    /// A page of the mismatch list read on the session's own connection (the list screen
    /// reads through [`Session::list_reader`]; this serves a few rows at once, e.g. the next
    /// page after a decision).
    pub fn page_mismatches(
        &self,
        filter: &MismatchFilter,
        after: Option<&PageCursor>,
        limit: usize,
    ) -> Result<Vec<MismatchRow>, SessionError> {
        self.require(Permission::Review)?;
        let rows = self.store.page_mismatches(filter, after, limit)?;
        if after.is_none() {
            self.audit_view(
                "不一致の一覧",
                &super::rights::describe_filter(filter),
                rows.len(),
            )?;
        }
        Ok(rows)
    }

    /// The next record for this user to decide, in work order: what a supervisor sent back
    /// first, then what is undecided; each time their own share first, then what nobody has
    /// been given yet (the work a supervisor shared out comes before the rest).
    /// `None` when nothing is left to decide.
    pub fn next_undecided(&self) -> Result<Option<i64>, SessionError> {
        self.require(Permission::Review)?;
        // What a supervisor sent back comes first (it is waiting for the clerk), then what is
        // still undecided; each time the user's own share, then the unassigned rows.
        for state in [ReviewState::SentBack, ReviewState::Undecided] {
            for assignee in [
                AssigneeFilter::User(self.user.id),
                AssigneeFilter::Unassigned,
            ] {
                let filter = MismatchFilter {
                    state: Some(state),
                    lost: Some(false),
                    assignee: Some(assignee),
                    ..Default::default()
                };
                if let Some(r) = self.store.page_mismatches(&filter, None, 1)?.first() {
                    return Ok(Some(r.id));
                }
            }
        }
        Ok(None)
    }

    /// The imported files, oldest first (with the summary's right).
    pub fn imports(&self) -> Result<Vec<crate::store::ImportInfo>, SessionError> {
        self.require(Permission::ViewSummary)?;
        Ok(self.store.imports()?)
    }

    /// Decided records waiting for approval, grouped as the supervisor chose, without the
    /// supervisor's own decisions (those can never be approved by them).
    pub fn pending_batches(
        &self,
        grouping: crate::review::BatchGrouping,
    ) -> Result<Vec<PendingBatch>, SessionError> {
        self.require(Permission::Approve)?;
        Ok(self
            .store
            .pending_batches(grouping)?
            .into_iter()
            .filter(|b| b.clerk_id != self.user.id)
            .collect())
    }

    /// What a supervisor judges a batch by, one line per record: the card, the insurer-side
    /// kana name, the case, the decision with its letter, the explanation's suggestion, the
    /// clerk's memo and the contradictions the clerk confirmed (a birth date that differs
    /// forced to 「同一人物」 stands out), and the reply or employer answer it rests on; the items
    /// that differ and the warnings. Lines that need attention
    /// ([`ApprovalLine::needs_attention`]) come first, the rest in the order of `record_ids`.
    pub fn approval_lines(&self, record_ids: &[i64]) -> Result<Vec<ApprovalLine>, SessionError> {
        self.require(Permission::Approve)?;
        let mut out = Vec::with_capacity(record_ids.len());
        for &id in record_ids {
            let (Some((r, explained)), Some(review)) = (
                crate::analyze::explain_stored(&self.store, id)?,
                self.store.record_review(id)?,
            ) else {
                continue;
            };
            let Some(d) = review.decision else { continue };
            let e = &explained.explanation;
            let items = |v: crate::compare::FieldVerdict| {
                crate::record::Item::ALL
                    .into_iter()
                    .filter(|i| e.field(*i).verdict == v)
                    .collect::<Vec<_>>()
            };
            let mut attention = d.overrode.clone();
            for why in crate::review::contradictions(&r, e, &d.choice) {
                if !attention.contains(&why) {
                    attention.push(why);
                }
            }
            let mut warnings: Vec<String> = explained
                .alarms
                .iter()
                .map(|(kind, rows)| kind.message_ja(rows))
                .collect();
            // The two warnings the alarms already say (with the rows they name) are said once.
            warnings.extend(
                r.warnings
                    .kinds()
                    .into_iter()
                    .filter(|w| {
                        !matches!(
                            w,
                            crate::classify::WarningKind::SharedNumber
                                | crate::classify::WarningKind::RegistryIsOtherSubscriber
                        )
                    })
                    .map(|w| w.message_ja()),
            );
            out.push(ApprovalLine {
                record_id: id,
                decision_id: d.id,
                card: format!("{}・{}-{}", r.card_symbol, r.card_number, r.branch),
                kana_name: r.insurer.kana_name.clone(),
                case: r.class.case,
                decision: d.choice.label_ja(),
                suggestion: r.analysis.map(|a| a.suggestion),
                memo: d.memo,
                overrode: d.overrode,
                follow_up: self.store.follow_up(id)?.map(|f| f.outcome),
                differs: items(crate::compare::FieldVerdict::Differs),
                notation: items(crate::compare::FieldVerdict::Notation),
                warnings,
                attention,
            });
        }
        // The lines a supervisor must look at twice come first, each part in the order asked.
        out.sort_by_key(|l| !l.needs_attention());
        self.audit(
            AuditAction::ViewRecord,
            "approval",
            &format!("承認画面で {} 件を表示", out.len()),
        )?;
        Ok(out)
    }

    /// Approves records waiting for approval as one batch (four-eyes: none may be the
    /// supervisor's own decision), each with its current decision as read now; returns the
    /// batch id. A screen that showed the decisions approves what it showed with
    /// [`Session::approve_seen`].
    pub fn approve(&self, record_ids: &[i64]) -> Result<i64, SessionError> {
        self.require(Permission::Approve)?;
        let mut seen = Vec::with_capacity(record_ids.len());
        for id in record_ids {
            let review = self
                .store
                .record_review(*id)?
                .ok_or(SessionError::NotDecided(*id))?;
            match (review.state, review.decision) {
                (ReviewState::Decided, Some(d)) => seen.push((*id, d.id)),
                _ => return Err(SessionError::NotDecided(*id)),
            }
        }
        self.approve_seen(&seen)
    }

    /// Sends one record back to its clerk with a reason (shown in the clerk's list).
    pub fn send_back(&self, record_id: i64, reason: &str) -> Result<(), SessionError> {
        self.require(Permission::Approve)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(SessionError::EmptyReason);
        }
        let review = self
            .store
            .record_review(record_id)?
            .ok_or(SessionError::NotDecided(record_id))?;
        let Some(d) = review
            .decision
            .filter(|_| review.state == ReviewState::Decided)
        else {
            return Err(SessionError::NotDecided(record_id));
        };
        self.authorize_approval(&[d.decided_by])?;
        self.store.in_write_transaction(|store| {
            match store.record_review(record_id)? {
                Some(r)
                    if r.state == ReviewState::Decided
                        && r.decision.as_ref().is_some_and(|c| c.id == d.id) => {}
                _ => return Err(SessionError::DecisionChanged(record_id)),
            }
            store.send_back(record_id, reason)?;
            self.audit(
                AuditAction::SendBack,
                &format!("record:{record_id}"),
                reason,
            )?;
            Ok::<_, SessionError>(())
        })
    }

    /// The full registered My Number of a record, for users with 個人番号閲覧権限; audited.
    pub fn reveal_my_number(&self, id: i64) -> Result<Option<String>, SessionError> {
        self.require(Permission::RevealMyNumber)?;
        let Some(r) = self.store.record(id)? else {
            return Ok(None);
        };
        self.audit(AuditAction::RevealMyNumber, &format!("record:{id}"), "")?;
        Ok(Some(r.my_number))
    }

    /// The four-eyes check for approving a batch whose decisions were made by `decided_by`.
    pub fn authorize_approval(&self, decided_by: &[i64]) -> Result<(), SessionError> {
        if self.must_change_password {
            return Err(SessionError::PasswordChangeRequired);
        }
        // The roles as stored now (a supervisor demoted in the meantime is refused).
        let roles = auth::Roles(self.current_rights()?.roles);
        Ok(auth::check_approval(self.user.id, roles, decided_by)?)
    }
}
