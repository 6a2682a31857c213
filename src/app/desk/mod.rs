//! The review desk: the mismatch list (`list`), the side-by-side review screen of one
//! record (`review`) and the supervisor's approval of batches (`batches`). The desk owns its
//! state ([`Desk`]), its actions ([`DeskAction`]) and their apply; the decisions themselves
//! are the core's ([`totsugo_core::review`], through the session).

mod batches;
mod list;
mod review;

use egui::{Color32, Ui};

use crate::{App, Screen};
use totsugo_core::compare::{FieldVerdict, Suggestion};
use totsugo_core::record::Item;
use totsugo_core::review::{
    BatchGrouping, Choice, DecisionRow, FollowUp, LetterType, PendingBatch,
};
use totsugo_core::session::ReviewedRecord;
use totsugo_core::store::{MismatchFilter, MismatchRow, RecordReview};

pub use batches::batches;
pub use list::list;
pub use review::review;

/// Rows fetched per page of the list.
pub const PAGE: usize = 200;

/// The list and the open record.
#[derive(Default)]
pub struct Desk {
    /// The list's filter.
    pub filter: MismatchFilter,
    /// Rows loaded so far, in work order.
    pub rows: Vec<MismatchRow>,
    /// No more rows to load.
    pub exhausted: bool,
    /// The list reader (its own thread and connection); made at the first list.
    pub pager: Option<totsugo_core::store::pager::ListPager>,
    /// A page has been asked for and has not arrived yet.
    pub loading: bool,
    /// Time the last page took to read.
    pub last_page_time: Option<std::time::Duration>,
    /// The record on the review screen.
    pub open: Option<OpenRecord>,
    /// The memo for the next decision.
    pub memo: String,
    /// The letter type for 本人へ文書送付.
    pub letter: Option<LetterType>,
    /// A decision that contradicts the evidence, waiting for the clerk's confirmation.
    pub confirm: Option<(Choice, Vec<String>)>,
    /// Decided records waiting for this supervisor, by clerk and day.
    pub batches: Vec<PendingBatch>,
    /// The supervisor's reason for sending the open record back.
    pub send_back_reason: String,
    /// Records the supervisor left out of the batch they approve.
    pub left_out: std::collections::HashSet<i64>,
    /// The people records can be assigned to (id, name).
    pub reviewers: Vec<(i64, String)>,
    /// Who the supervisor assigns to (`None`: to nobody).
    pub assign_to: Option<i64>,
    /// How many to assign (empty: all the filter shows).
    pub assign_count: String,
    /// The supervisor's grouping of decided records on the approval screen.
    pub grouping: totsugo_core::review::BatchGrouping,
    /// The last 4 digits the person wrote (type B), as typed.
    pub digits: String,
    /// Whether they matched the registered number (only match / no match is shown).
    pub digits_match: Option<bool>,
    /// The clerk confirms a result that contradicts the digits.
    pub confirm_follow_up: bool,
    /// After a decision, open the next record of the list (the user's own setting).
    pub auto_advance: bool,
    /// The decisions this insurer has (事業主へ確認 only for employee insurance), in key
    /// order; read from the core when a record opens.
    pub decisions: Vec<totsugo_core::review::Decision>,
    /// The loss date for 突合後に資格喪失のため対象外 (2-1), as typed; offered from the file's
    /// 資格喪失年月日 when it is after 突合基準日.
    pub lost_on: String,
    /// The wrong-number step being recorded on the review screen.
    pub step: WrongNumberStep,
    /// What the approval screen shows of each pending record, by record id.
    pub approval_lines: std::collections::HashMap<i64, totsugo_core::session::ApprovalLine>,
    /// The approval lines in the order the core gives them (those that need attention
    /// first); each batch's table follows it.
    pub approval_order: Vec<i64>,
    /// The record selected in the approval table (↑/↓ move it), shown side by side below.
    pub approval_selected: Option<i64>,
    /// The selected record as read for the approval screen's side-by-side view.
    pub approval_preview: Option<(i64, ReviewedRecord)>,
    /// The batch whose approval waits for the supervisor's confirmation.
    pub confirm_approval: Option<usize>,
    /// Follow-up outcomes ("number correct") waiting for the supervisor's approval before
    /// their records can go into a release request.
    pub outcome_lines: Vec<totsugo_core::session::OutcomeLine>,
}

/// The wrong-number step the clerk is recording: which, its value, the day and a memo.
#[derive(Clone, Debug, Default)]
pub struct WrongNumberStep {
    /// The step the clerk chose (`None`: none chosen yet; nothing is chosen for them).
    pub step: Option<totsugo_core::wrong_number::steps::Step>,
    /// Its value (step 3 and 4).
    pub value: Option<i64>,
    /// The day it was done, as typed (empty: today).
    pub done_on: String,
    /// The memo.
    pub memo: String,
}

impl Desk {
    /// Forgets the rows (the store changed): the next list starts again, and pages still on
    /// their way are dropped.
    pub fn invalidate(&mut self) {
        self.rows.clear();
        self.exhausted = false;
        self.loading = false;
        if let Some(p) = &self.pager {
            p.new_generation();
        }
    }
}

/// A record open for review.
pub struct OpenRecord {
    /// Record id.
    pub id: i64,
    /// The record, its explanation and alarms.
    pub reviewed: ReviewedRecord,
    /// Its review state and current decision.
    pub review: RecordReview,
    /// Every decision on it.
    pub history: Vec<DecisionRow>,
    /// Names of the people in the history.
    pub names: Vec<(i64, String)>,
    /// Views and other actions on the record from the audit trail: (time, login, what).
    pub trail: Vec<(String, String, String)>,
    /// The full My Number, once revealed (with the right; audited).
    pub revealed: Option<String>,
    /// Records named by the cross-record alarms: (data row, record id).
    pub related: Vec<(u64, i64)>,
    /// Letters printed for it.
    pub letters: Vec<totsugo_core::store::LetterRow>,
    /// The reply or the employer's answer for its current decision.
    pub follow_up: Option<totsugo_core::store::FollowUpRow>,
    /// Where its number turned out wrong: the wrong-number procedure so far.
    pub wrong_number: Option<totsugo_core::wrong_number::steps::Procedure>,
}

pub(crate) const RED: Color32 = Color32::from_rgb(0xc0, 0x20, 0x20);
pub(crate) const AMBER: Color32 = Color32::from_rgb(0x9a, 0x5b, 0x00);
pub(crate) const GREEN: Color32 = Color32::from_rgb(0x1e, 0x7a, 0x34);

pub(crate) fn verdict_color(v: FieldVerdict) -> Color32 {
    match v {
        FieldVerdict::Equal => GREEN,
        FieldVerdict::Notation => AMBER,
        FieldVerdict::Differs => RED,
    }
}

pub(crate) fn suggestion_color(s: Suggestion) -> Color32 {
    match s {
        Suggestion::NotationOnly => GREEN,
        Suggestion::NeedsReview => AMBER,
        Suggestion::LikelyWrongNumber => RED,
    }
}

/// The items that really differ, as 漢/カ/生/性/住 marks.
pub(crate) fn differing_marks(r: &MismatchRow) -> String {
    let Some(a) = r.analysis else {
        return String::new();
    };
    let marks = ["漢", "カ", "生", "性", "住"];
    Item::ALL
        .iter()
        .map(|i| match a.field(*i) {
            FieldVerdict::Differs => marks[i.index()].to_string(),
            FieldVerdict::Notation => "・".into(),
            FieldVerdict::Equal => "　".into(),
        })
        .collect()
}

pub(crate) fn combo<T: Copy + PartialEq>(
    ui: &mut Ui,
    label: &str,
    value: &mut Option<T>,
    options: &[(Option<T>, String)],
) -> bool {
    let l = ui.label(label);
    let shown = options
        .iter()
        .find(|(v, _)| v == value)
        .map(|(_, s)| s.clone())
        .unwrap_or_default();
    let mut changed = false;
    egui::ComboBox::from_id_salt(label)
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for (v, s) in options {
                changed |= ui.selectable_value(value, *v, s).changed();
            }
        })
        .response
        .labelled_by(l.id);
    changed
}

/// A batch's records in the order of the approval table: as `order` lists them (the core's
/// order, those that need attention first), then any it does not list.
pub(crate) fn batch_order(order: &[i64], record_ids: &[i64]) -> Vec<i64> {
    let at: std::collections::HashMap<i64, usize> =
        order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut ids: Vec<i64> = record_ids.to_vec();
    ids.sort_by_key(|id| at.get(id).copied().unwrap_or(usize::MAX));
    ids
}

/// What the user can do at the review desk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeskAction {
    /// Open the mismatch list.
    OpenList,
    /// Reload the list after a filter change.
    ReloadList,
    /// Load the next page of the list.
    LoadMore,
    /// Open a record on the review screen.
    OpenRecord(i64),
    /// Open the first undecided record in work order (① first).
    OpenNextUndecided,
    /// The next record of the list.
    NextRecord,
    /// The previous record of the list.
    PrevRecord,
    /// Record a decision on the open record.
    Decide(Choice),
    /// Turn on or off moving to the next record after each decision (the user's own setting).
    SetAutoAdvance(bool),
    /// Record the decision waiting for confirmation, with the memo.
    ConfirmDecision,
    /// Drop the decision waiting for confirmation.
    CancelDecision,
    /// Undo this user's last decision.
    UndoDecision,
    /// Show the open record's full My Number (with the right; audited).
    RevealMyNumber,
    /// Record the reply (or the employer's answer) for the open record.
    RecordFollowUp(FollowUp),
    /// Compare the 4 digits typed on the review screen with the registered number.
    CheckLastFour,
    /// Write the wrong-number form drafts and the similar-case list of the open record.
    WriteWrongNumberForms,
    /// Record the wrong-number step typed on the review screen.
    RecordStep,
    /// Assign the list's records still to do to the chosen person (supervisors).
    Assign,
    /// Open the supervisor's approval screen.
    OpenBatches,
    /// Group the approval screen's batches this way.
    GroupBatches(BatchGrouping),
    /// Ask to approve the pending batch at this position (the confirmation opens).
    AskApproveBatch(usize),
    /// Approve the pending batch at this position (from the confirmation).
    ApproveBatch(usize),
    /// Close the approval's confirmation without approving.
    CancelApproval,
    /// Approve the follow-up outcomes the approval screen shows (as shown).
    ApproveOutcomes,
    /// Send the open record back with the reason typed on the review screen.
    SendBack,
    /// Select a record in the approval table and show it side by side.
    SelectApprovalLine(i64),
    /// Send this record back from the approval screen with the reason typed there.
    SendBackLine(i64),
}

impl App {
    /// Applies an action of the review desk.
    pub(crate) fn apply_desk(&mut self, action: DeskAction) {
        match action {
            DeskAction::OpenList => {
                // A list filtered by state no longer shows the records decided since.
                if let Some(st) = self.desk.filter.state {
                    self.desk.rows.retain(|r| r.state == st);
                }
                self.open_screen(Screen::Mismatches);
                if let Some(s) = &self.session {
                    self.desk.reviewers = s.reviewers().unwrap_or_default();
                }
                if self.desk.rows.is_empty() && !self.desk.loading {
                    self.reload_list();
                }
            }
            DeskAction::ReloadList => self.reload_list(),
            DeskAction::LoadMore => self.load_more(),
            DeskAction::OpenRecord(id) => self.open_record(id),
            DeskAction::OpenNextUndecided => self.open_next_undecided(),
            DeskAction::NextRecord => self.step_record(1),
            DeskAction::PrevRecord => self.step_record(-1),
            DeskAction::Decide(choice) => self.decide(choice, false),
            DeskAction::SetAutoAdvance(on) => {
                if let Some(s) = &self.session {
                    match s.set_auto_advance(on) {
                        Ok(()) => self.desk.auto_advance = on,
                        Err(e) => self.error(e),
                    }
                }
            }
            DeskAction::ConfirmDecision => {
                if let Some((choice, _)) = self.desk.confirm.clone() {
                    self.decide(choice, true);
                }
            }
            DeskAction::CancelDecision => self.desk.confirm = None,
            DeskAction::UndoDecision => self.undo_decision(),
            DeskAction::RevealMyNumber => self.reveal_my_number(),
            DeskAction::RecordFollowUp(outcome) => self.record_follow_up(outcome),
            DeskAction::CheckLastFour => {
                let Some(s) = &self.session else { return };
                let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
                    return;
                };
                match s.check_last_four(id, &self.desk.digits) {
                    Ok(m) => self.desk.digits_match = Some(m),
                    Err(e) => self.error(e),
                }
            }
            DeskAction::WriteWrongNumberForms => self.write_wrong_number_forms(),
            DeskAction::RecordStep => self.record_step(),
            DeskAction::Assign => self.assign(),
            DeskAction::OpenBatches => {
                self.open_screen(Screen::Batches);
                self.load_batches();
            }
            DeskAction::GroupBatches(g) => {
                self.desk.grouping = g;
                self.desk.left_out.clear();
                self.load_batches();
            }
            DeskAction::AskApproveBatch(i) => self.desk.confirm_approval = Some(i),
            DeskAction::ApproveBatch(i) => {
                self.desk.confirm_approval = None;
                self.approve_batch(i);
            }
            DeskAction::ApproveOutcomes => self.approve_outcomes(),
            DeskAction::CancelApproval => self.desk.confirm_approval = None,
            DeskAction::SendBack => {
                if let Some(id) = self.desk.open.as_ref().map(|o| o.id) {
                    self.send_back(id, true);
                }
            }
            DeskAction::SelectApprovalLine(id) => self.select_approval_line(id),
            DeskAction::SendBackLine(id) => self.send_back(id, false),
        }
    }

    fn reveal_my_number(&mut self) {
        let Some(s) = &self.session else { return };
        let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
            return;
        };
        match s.reveal_my_number(id) {
            Ok(n) => {
                if let Some(o) = self.desk.open.as_mut() {
                    o.revealed = n;
                }
            }
            Err(e) => self.error(e),
        }
    }

    /// Writes the open record's wrong-number form drafts and similar-case list, off the UI
    /// thread, into the folder the clerk chooses.
    fn write_wrong_number_forms(&mut self) {
        let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
            return;
        };
        let Some(dir) = self.pick_folder(
            "個人番号の誤り_様式",
            crate::Action::Desk(DeskAction::WriteWrongNumberForms),
        ) else {
            return;
        };
        self.start_work(
            "個人番号の誤りの様式を書き出しています".to_string(),
            false,
            move |s, _| {
                let r = s.write_wrong_number_forms(id, &dir);
                Box::new(move |app: &mut App| match r {
                    Ok(files) => app.notice(format!(
                        "{} に連絡票・確認票・報告様式の下書きと類似事案の一覧（{} 個のファイル）を保存しました",
                        dir.display(),
                        files.len()
                    )),
                    Err(e) => app.error(e),
                })
            },
        );
    }

    /// Records the wrong-number step typed on the review screen, then reads the record again.
    fn record_step(&mut self) {
        let Some(s) = &self.session else { return };
        let Some(open) = self.desk.open.as_ref() else {
            return;
        };
        let id = open.id;
        let Some(step) = self.desk.step.step else {
            return;
        };
        let typed = self.desk.step.done_on.trim();
        let done_on = if typed.is_empty() {
            totsugo_core::record::Date::today()
        } else {
            review::typed_date(typed)
        };
        let Some(done_on) = done_on else {
            self.error("日付は 2023-12-01 の形で入力してください");
            return;
        };
        let label = open
            .wrong_number
            .as_ref()
            .map(|p| step.label_ja(p.route))
            .unwrap_or_default();
        match s.record_wrong_number_step(
            id,
            step,
            self.desk.step.value,
            done_on,
            &self.desk.step.memo,
        ) {
            Ok(()) => {
                self.open_record(id);
                self.load_open_procedures();
                self.notice(format!(
                    "「{label}」を {} の日付で登録しました",
                    done_on.iso()
                ));
            }
            Err(e) => self.error(e),
        }
    }

    fn approve_outcomes(&mut self) {
        let Some(s) = &self.session else { return };
        let seen = self.desk.outcome_lines.clone();
        match s.approve_outcomes(&seen) {
            Ok(n) => {
                self.load_batches();
                self.notice(format!(
                    "その後の結果 {n} 件を承認しました。解除依頼に入れられます"
                ));
            }
            Err(e) => {
                self.error(e);
                self.load_batches();
            }
        }
    }

    fn load_batches(&mut self) {
        let Some(s) = &self.session else { return };
        let outcomes = s.outcomes_to_approve();
        match outcomes {
            Ok(o) => self.desk.outcome_lines = o,
            Err(e) => {
                self.desk.outcome_lines.clear();
                self.error(e);
                return;
            }
        }
        let Some(s) = &self.session else { return };
        match s.pending_batches(self.desk.grouping) {
            Ok(b) => {
                let ids: Vec<i64> = b.iter().flat_map(|b| b.record_ids.clone()).collect();
                let lines = s.approval_lines(&ids).unwrap_or_default();
                self.desk.approval_order = lines.iter().map(|l| l.record_id).collect();
                self.desk.approval_lines = lines.into_iter().map(|l| (l.record_id, l)).collect();
                self.desk.batches = b;
                // A selection that left the table (approved, sent back) goes with it.
                if let Some(sel) = self.desk.approval_selected
                    && !self.desk.approval_lines.contains_key(&sel)
                {
                    self.desk.approval_selected = None;
                    self.desk.approval_preview = None;
                }
            }
            Err(e) => self.error(e),
        }
    }

    fn approve_batch(&mut self, i: usize) {
        let Some(s) = &self.session else { return };
        let Some(b) = self.desk.batches.get(i) else {
            return;
        };
        let chosen: Vec<i64> = b
            .record_ids
            .iter()
            .copied()
            .filter(|id| !self.desk.left_out.contains(id))
            .collect();
        // Exactly the decisions the approval table showed (by decision id): one changed since
        // fails the whole approval in the core.
        let seen: Vec<(i64, i64)> = chosen
            .iter()
            .filter_map(|id| {
                self.desk
                    .approval_lines
                    .get(id)
                    .map(|l| (l.record_id, l.decision_id))
            })
            .collect();
        if seen.len() != chosen.len() {
            self.error(totsugo_core::session::SessionError::NotDecided(
                chosen
                    .iter()
                    .copied()
                    .find(|id| !self.desk.approval_lines.contains_key(id))
                    .unwrap_or(0),
            ));
            return;
        }
        match s.approve_seen(&seen) {
            Ok(batch) => {
                let msg = format!(
                    "{} の判断 {} 件を承認しました（承認番号 {batch}）",
                    b.title(),
                    chosen.len()
                );
                self.load_batches();
                self.desk.invalidate();
                self.notice(msg);
            }
            Err(e) => {
                // A decision changed since the table was read: show the table as it is now.
                let changed = matches!(e, totsugo_core::session::SessionError::DecisionChanged(_));
                self.error(e);
                if changed {
                    self.load_batches();
                }
            }
        }
    }

    /// Sends `id` back with the reason typed; from the review screen (`reopen`: the record is
    /// read again there) or from the approval table (the selection moves to the next line).
    fn send_back(&mut self, id: i64, reopen: bool) {
        let Some(s) = &self.session else { return };
        match s.send_back(id, &self.desk.send_back_reason) {
            Ok(()) => {
                self.desk.send_back_reason.clear();
                let order = self.approval_display_order();
                let next = order
                    .iter()
                    .skip_while(|i| **i != id)
                    .nth(1)
                    .or_else(|| order.iter().take_while(|i| **i != id).last())
                    .copied();
                if reopen {
                    self.open_record(id);
                }
                self.load_batches();
                self.desk.invalidate();
                if !reopen {
                    match next {
                        Some(n) => self.select_approval_line(n),
                        None => {
                            self.desk.approval_selected = None;
                            self.desk.approval_preview = None;
                        }
                    }
                }
                self.notice("差し戻しました");
            }
            Err(e) => self.error(e),
        }
    }

    /// The approval table's records from top to bottom: batch by batch, each in the core's
    /// order (those that need attention first).
    pub fn approval_display_order(&self) -> Vec<i64> {
        self.desk
            .batches
            .iter()
            .flat_map(|b| batch_order(&self.desk.approval_order, &b.record_ids))
            .collect()
    }

    /// Selects a line of the approval table and reads its record for the side-by-side view
    /// (a view, audited as any other).
    fn select_approval_line(&mut self, id: i64) {
        self.desk.approval_selected = Some(id);
        if self.desk.approval_preview.as_ref().map(|(i, _)| *i) == Some(id) {
            return;
        }
        let Some(s) = &self.session else { return };
        match s.review_record(id) {
            Ok(Some(r)) => self.desk.approval_preview = Some((id, r)),
            Ok(None) => self.desk.approval_preview = None,
            Err(e) => self.error(e),
        }
    }

    /// Makes the list reader at the first list (it needs the session and the repaint waker).
    fn ensure_pager(&mut self) {
        if self.desk.pager.is_some() {
            return;
        }
        let waker = self.waker();
        let Some(s) = &self.session else { return };
        match s.list_reader(waker) {
            Ok(p) => self.desk.pager = Some(p),
            Err(e) => self.error(e),
        }
    }

    fn reload_list(&mut self) {
        self.desk.invalidate();
        self.load_more();
    }

    /// Asks the list reader for the next page; the rows arrive in [`App::poll_list`].
    fn load_more(&mut self) {
        if self.desk.exhausted || self.desk.loading {
            return;
        }
        self.ensure_pager();
        let Some(p) = &self.desk.pager else { return };
        let after = self
            .desk
            .rows
            .last()
            .map(|r| totsugo_core::store::PageCursor::after(r, self.desk.filter.order));
        p.request(&self.desk.filter, after, PAGE);
        self.desk.loading = true;
    }

    /// Takes the pages that have arrived from the list reader.
    pub(crate) fn poll_list(&mut self) {
        let Some(p) = &self.desk.pager else { return };
        let Some(s) = &self.session else { return };
        // Through the session: the first page of each filter (a list or search opened) is
        // audited there, once, not per repaint.
        let answers = match s.list_answers(p) {
            Ok(a) => a,
            Err(e) => {
                self.desk.loading = false;
                self.desk.exhausted = true;
                self.error(e);
                return;
            }
        };
        for answer in answers {
            self.desk.loading = false;
            self.desk.last_page_time = Some(answer.took);
            match answer.rows {
                Ok(rows) => {
                    self.desk.exhausted = answer.last;
                    self.desk.rows.extend(rows);
                }
                Err(e) => {
                    self.desk.exhausted = true;
                    self.error(e);
                }
            }
        }
    }

    /// Whether the list is waiting for a page.
    pub fn list_loading(&self) -> bool {
        self.desk.loading
    }

    /// Reads the next page at once on the main connection (moving through records with the
    /// keyboard past the rows loaded so far); pages on their way are dropped.
    fn load_more_now(&mut self) {
        if let Some(p) = &self.desk.pager {
            p.new_generation();
        }
        self.desk.loading = false;
        let Some(s) = &self.session else { return };
        if self.desk.exhausted {
            return;
        }
        let after = self
            .desk
            .rows
            .last()
            .map(|r| totsugo_core::store::PageCursor::after(r, self.desk.filter.order));
        match s.page_mismatches(&self.desk.filter, after.as_ref(), PAGE) {
            Ok(rows) => {
                self.desk.exhausted = rows.len() < PAGE;
                self.desk.rows.extend(rows);
            }
            Err(e) => {
                self.desk.exhausted = true;
                self.error(e);
            }
        }
    }

    pub(crate) fn open_record(&mut self, id: i64) {
        let Some(s) = &self.session else { return };
        self.desk.decisions = s.decisions();
        match s.open_record(id) {
            Ok(Some(d)) => {
                let lost_on = totsugo_core::review::suggested_loss_date(&d.reviewed.record)
                    .map(|d| d.iso())
                    .unwrap_or_default();
                self.desk.open = Some(OpenRecord {
                    id,
                    reviewed: d.reviewed,
                    review: d.review,
                    history: d.history,
                    names: d.names,
                    trail: d.trail,
                    revealed: None,
                    related: d.related,
                    letters: d.letters,
                    follow_up: d.follow_up,
                    wrong_number: d.wrong_number,
                });
                self.desk.step = WrongNumberStep::default();
                self.desk.digits.clear();
                self.desk.digits_match = None;
                self.desk.lost_on = lost_on;
                if let Some(row) = self.desk.rows.iter_mut().find(|r| r.id == id)
                    && let Some(o) = &self.desk.open
                {
                    row.state = o.review.state;
                }
                self.desk.letter = None;
                self.desk.confirm = None;
                self.screen = Screen::Review;
            }
            Ok(None) => self.error(format!("記録 {id} が見つかりません")),
            Err(e) => self.error(e),
        }
    }

    fn record_follow_up(&mut self, outcome: totsugo_core::review::FollowUp) {
        let Some(s) = &self.session else { return };
        let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
            return;
        };
        let digits = self.desk.digits.clone();
        let confirmed = self.desk.confirm_follow_up;
        match s.record_follow_up(id, outcome, Some(&digits), &self.desk.memo, confirmed) {
            Ok(()) => {
                self.desk.digits.clear();
                self.desk.digits_match = None;
                self.desk.memo.clear();
                self.desk.confirm_follow_up = false;
                self.open_record(id);
                self.notice(format!("結果を登録しました: {}", outcome.label_ja()));
            }
            Err(e) => self.error(e),
        }
    }

    /// Assigns the list's records still to do (supervisors).
    fn assign(&mut self) {
        let Some(s) = &self.session else { return };
        let count = self.desk.assign_count.trim();
        let limit = if count.is_empty() {
            None
        } else {
            match totsugo_core::text::fold_width_and_spaces(count).parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => return self.error("件数は 1 以上の数字で入力してください（空欄はすべて）"),
            }
        };
        let to = self.desk.assign_to;
        let name = to
            .and_then(|id| self.desk.reviewers.iter().find(|(u, _)| *u == id))
            .map_or_else(|| "担当なし".to_string(), |(_, n)| format!("{n} さん"));
        match s.assign(&self.desk.filter, to, limit) {
            Ok(n) => {
                self.notice(format!("{n} 件を{name}に割り当てました"));
                self.reload_list();
            }
            Err(e) => self.error(e),
        }
    }

    fn open_next_undecided(&mut self) {
        let Some(s) = &self.session else { return };
        match s.next_undecided() {
            Ok(Some(id)) => {
                self.message = None;
                self.open_record(id);
            }
            Ok(None) => self.notice("未判断の記録はありません"),
            Err(e) => self.error(e),
        }
    }

    fn step_record(&mut self, step: i64) {
        let Some(open_id) = self.desk.open.as_ref().map(|o| o.id) else {
            return;
        };
        let mut at = self.desk.rows.iter().position(|r| r.id == open_id);
        if at.is_none() {
            // Opened from elsewhere (次の未判断): find it in the list, page by page.
            if self.desk.rows.is_empty() {
                self.desk.invalidate();
            }
            while at.is_none() && !self.desk.exhausted {
                self.load_more_now();
                at = self.desk.rows.iter().position(|r| r.id == open_id);
            }
        }
        let next = match at {
            Some(i) => i as i64 + step,
            None => 0,
        };
        if next < 0 {
            return self.notice("一覧の最初の記録です");
        }
        let next = next as usize;
        if next >= self.desk.rows.len() {
            self.load_more_now();
        }
        match self.desk.rows.get(next) {
            Some(r) => {
                let id = r.id;
                self.message = None;
                self.open_record(id);
            }
            None => self.notice("一覧の最後の記録です"),
        }
    }

    fn decide(&mut self, choice: totsugo_core::review::Choice, confirmed: bool) {
        let Some(s) = &self.session else { return };
        let Some(id) = self.desk.open.as_ref().map(|o| o.id) else {
            return;
        };
        match s.decide(id, choice, &self.desk.memo, confirmed) {
            Ok(_) => {
                self.desk.memo.clear();
                self.desk.confirm = None;
                self.open_record(id);
                if self.desk.auto_advance {
                    self.step_record(1);
                    if self.desk.open.as_ref().map(|o| o.id) != Some(id) {
                        self.notice(format!(
                            "登録しました: {}（次の記録を開きました）",
                            choice.label_ja()
                        ));
                    }
                } else {
                    self.notice(format!("登録しました: {}", choice.label_ja()));
                }
            }
            Err(totsugo_core::session::SessionError::NeedsConfirmation(why)) => {
                self.desk.confirm = Some((choice, why));
            }
            Err(e) => self.error(e),
        }
    }

    fn undo_decision(&mut self) {
        let Some(s) = &self.session else { return };
        match s.undo_last_decision() {
            Ok(id) => {
                let open = self.desk.open.as_ref().map(|o| o.id);
                if open == Some(id) {
                    self.open_record(id);
                } else if let Some(s) = &self.session
                    && let Ok(Some((review, _))) = s.record_review(id)
                    && let Some(row) = self.desk.rows.iter_mut().find(|r| r.id == id)
                {
                    row.state = review.state;
                }
                self.notice("直前の判断を取り消しました");
            }
            Err(e) => self.error(e),
        }
    }
}
