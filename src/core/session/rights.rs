//! Issue 16 §4–§5, from the session: the rights read fresh for every action, the audit of the
//! screens that show personal data (one entry per screen opened, with its filter and count),
//! approving exactly the decisions a supervisor saw, and the supervisor's approval of the
//! follow-up outcome that makes a record releasable.

use crate::audit::{self, AuditAction};
use crate::auth::Permission;
use crate::review::ReviewState;
use crate::store::pager::{ListPager, PageAnswer};
use crate::store::{MismatchFilter, UserRights};

use super::*;

/// A follow-up outcome waiting for a supervisor's approval, as the approval screen shows it
/// (see [`Session::outcomes_to_approve`]); approving takes exactly these values back.
pub type OutcomeLine = crate::store::OutcomeToApprove;

/// A list's filter in words for the audit trail, without personal data: a search is noted,
/// never what was typed (it may be a name or a card number).
pub fn describe_filter(f: &MismatchFilter) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(c) = f.case {
        parts.push(format!("区分 {}", c.symbol()));
    }
    match f.lost {
        Some(true) => parts.push("資格喪失のみ".into()),
        Some(false) => parts.push("対象のみ".into()),
        None => {}
    }
    if f.with_warnings {
        parts.push("警告あり".into());
    }
    if let Some(s) = f.state {
        parts.push(format!("状態 {s:?}"));
    }
    if let Some(s) = f.suggestion {
        parts.push(format!("提案 {s:?}"));
    }
    if let Some(i) = f.differing {
        parts.push(format!("相違 {i:?}"));
    }
    if f.search.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        parts.push("検索あり（語は記録しない）".into());
    }
    match f.assignee {
        Some(crate::store::AssigneeFilter::Unassigned) => parts.push("担当なし".into()),
        Some(crate::store::AssigneeFilter::User(u)) => parts.push(format!("担当 user:{u}")),
        None => {}
    }
    parts.push(format!("並び {}", f.order.label_ja()));
    parts.join("、")
}

impl Session {
    /// The user's rights as stored now; a disabled (or vanished) user is refused.
    pub(super) fn current_rights(&self) -> Result<UserRights, SessionError> {
        match self.store.user_rights(self.user.id)? {
            Some(r) if !r.disabled => Ok(r),
            _ => Err(SessionError::Disabled),
        }
    }

    /// Audits one screen (or output) that showed personal data: what it was, the filter in
    /// words (no personal data) and how many records it showed. One entry per call: the
    /// screens call the session when a screen is opened or its filter changes, never per
    /// repaint.
    pub(super) fn audit_view(
        &self,
        screen: &str,
        filter: &str,
        count: usize,
    ) -> Result<(), SessionError> {
        let detail = if filter.is_empty() {
            format!("{screen}を表示: {count} 件")
        } else {
            format!("{screen}を表示（{filter}）: {count} 件")
        };
        self.audit(AuditAction::ViewRecord, "view", &detail)
    }

    /// The pages of the mismatch list that have arrived from the list reader (see
    /// [`Session::list_reader`]); the first page of each filter (a list or a search opened)
    /// is audited with the filter and the rows shown. Later pages of the same filter
    /// (scrolling) are not audited one by one.
    pub fn list_answers(&self, pager: &ListPager) -> Result<Vec<PageAnswer>, SessionError> {
        self.require(Permission::Review)?;
        let answers = pager.answers();
        for a in &answers {
            if a.first
                && let Ok(rows) = &a.rows
            {
                self.audit_view("不一致の一覧", &describe_filter(&a.filter), rows.len())?;
            }
        }
        Ok(answers)
    }

    /// Follow-up outcomes waiting for this supervisor's approval (those they recorded
    /// themselves are left out: another supervisor approves them). Audited as one view.
    pub fn outcomes_to_approve(&self) -> Result<Vec<OutcomeLine>, SessionError> {
        self.require(Permission::Approve)?;
        let out: Vec<OutcomeLine> = self
            .store
            .outcomes_to_approve()?
            .into_iter()
            .filter(|o| o.recorded_by != self.user.id)
            .collect();
        self.audit_view("その後の結果の承認", "", out.len())?;
        Ok(out)
    }

    /// How many follow-up outcomes wait for a supervisor's approval before their records can
    /// be released (a count only: not audited as a view).
    pub fn outcomes_waiting(&self) -> Result<u64, SessionError> {
        self.require(Permission::Approve)?;
        Ok(self.store.outcomes_to_approve()?.len() as u64)
    }

    /// Approves the follow-up outcomes exactly as the supervisor saw them (four-eyes: not one
    /// they recorded), in one write transaction: if any changed in the meantime, nothing is
    /// approved. Only then can their records go into a release request. Returns how many.
    pub fn approve_outcomes(&self, seen: &[OutcomeLine]) -> Result<u64, SessionError> {
        self.require(Permission::Approve)?;
        if let Some(o) = seen.iter().find(|o| o.recorded_by == self.user.id) {
            return Err(SessionError::OwnOutcome(o.record_id));
        }
        self.store.in_write_transaction(|store| {
            self.require(Permission::Approve)?;
            let now = audit::now_local();
            for o in seen {
                if !store.approve_outcome(o, self.user.id, &now)? {
                    return Err(SessionError::OutcomeChanged(o.record_id));
                }
            }
            let ids: Vec<String> = seen.iter().map(|o| o.record_id.to_string()).collect();
            self.audit(
                AuditAction::Approval,
                "follow_up",
                &format!(
                    "その後の結果（個人番号の誤りなし）{} 件を承認: record {}",
                    seen.len(),
                    ids.join(",")
                ),
            )?;
            Ok::<_, SessionError>(seen.len() as u64)
        })
    }

    /// Approves exactly the decisions the supervisor saw, as one batch: (record, decision id)
    /// pairs as the approval screen listed them ([`ApprovalLine::decision_id`]). In one write
    /// transaction (`BEGIN IMMEDIATE`) the rights, the states and the four-eyes rule are
    /// checked again and every row changed is counted: a decision decided again, undone, sent
    /// back or approved by someone else in the meantime fails the whole approval with
    /// [`SessionError::DecisionChanged`], and nothing is approved. Returns the batch id.
    pub fn approve_seen(&self, seen: &[(i64, i64)]) -> Result<i64, SessionError> {
        self.require(Permission::Approve)?;
        if seen.is_empty() {
            return Err(SessionError::NotDecided(0));
        }
        self.store.in_write_transaction(|store| {
            let mut decided_by = Vec::with_capacity(seen.len());
            for &(record_id, decision_id) in seen {
                let review = store
                    .record_review(record_id)?
                    .ok_or(SessionError::NotDecided(record_id))?;
                match (review.state, review.decision) {
                    (ReviewState::Decided, Some(d)) if d.id == decision_id => {
                        decided_by.push(d.decided_by)
                    }
                    _ => return Err(SessionError::DecisionChanged(record_id)),
                }
            }
            self.authorize_approval(&decided_by)?;
            let batch = store
                .approve_decisions(seen, self.user.id, &audit::now_local())?
                .map_err(SessionError::DecisionChanged)?;
            self.audit(
                AuditAction::Approval,
                &format!("batch:{batch}"),
                &format!("{} records", seen.len()),
            )?;
            Ok::<_, SessionError>(batch)
        })
    }
}
