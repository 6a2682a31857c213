//! The wrong-number procedure, from the session: each record's steps (seed 000's order, checked
//! by [`Procedure::check`]), recording a step (audited), and the open steps for the home screen.

use crate::audit::{self, AuditAction};
use crate::auth::Permission;
use crate::insurer::ContactRoute;
use crate::record::Date;
use crate::store::WrongNumberCase;
use crate::wrong_number::steps::{Procedure, Step};

use super::*;

/// A record whose wrong-number procedure still has steps to do (for the home screen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenProcedure {
    /// The record.
    pub record_id: i64,
    /// 記号・番号-枝番.
    pub card: String,
    /// The procedure so far.
    pub procedure: Procedure,
}

impl Session {
    /// The insurer's contact route (the contact sheet unless the kind is 市町村国保).
    fn contact_route(&self) -> ContactRoute {
        self.insurer_kind()
            .map_or(ContactRoute::ContactSheet, |k| k.contact_route())
    }

    fn procedure_of(&self, case: WrongNumberCase) -> Result<Procedure, SessionError> {
        let steps = self
            .store
            .wrong_number_steps(case.record_id, case.decision_id)?;
        let found_on = Date::parse_iso(case.found_at.get(..10).unwrap_or(&case.found_at))
            .or_else(Date::today)
            .ok_or_else(|| SessionError::NotWrongNumber(case.record_id))?;
        Ok(Procedure {
            record_id: case.record_id,
            decision_id: case.decision_id,
            found: case.found,
            found_on,
            route: self.contact_route(),
            steps,
        })
    }

    /// Refuses to change what made a number wrong (the decision, its undo, the reply or the
    /// employer's answer) once a step of its procedure is recorded: the operator has been told
    /// and the number may be deleted already.
    pub(crate) fn refuse_after_wrong_number_steps(
        &self,
        record_id: i64,
    ) -> Result<(), SessionError> {
        if let Some(case) = self.store.wrong_number_case(record_id)?
            && !self
                .store
                .wrong_number_steps(case.record_id, case.decision_id)?
                .is_empty()
        {
            return Err(SessionError::StepsRecorded(record_id));
        }
        Ok(())
    }

    /// The wrong-number procedure of a record, if its number turned out wrong (2-4, 3-2,
    /// 4-4, 4-7).
    pub fn wrong_number_procedure(
        &self,
        record_id: i64,
    ) -> Result<Option<Procedure>, SessionError> {
        self.require(Permission::Review)?;
        match self.store.wrong_number_case(record_id)? {
            Some(case) => Ok(Some(self.procedure_of(case)?)),
            None => Ok(None),
        }
    }

    /// Records a step of a record's wrong-number procedure, done on `done_on`, with its value
    /// (step 3: [`crate::wrong_number::steps::RightNumber`], step 4:
    /// [`crate::wrong_number::steps::Viewing`]) and memo. Refused out of seed 000's order
    /// (the deletion before the contact sheet, above all). Audited.
    pub fn record_wrong_number_step(
        &self,
        record_id: i64,
        step: Step,
        value: Option<i64>,
        done_on: Date,
        memo: &str,
    ) -> Result<(), SessionError> {
        self.require(Permission::Decide)?;
        let today = Date::today().ok_or(SessionError::NotWrongNumber(record_id))?;
        self.store.in_transaction(|store| {
            // Read again inside the transaction: two clerks on the same record see each other.
            let case = store
                .wrong_number_case(record_id)?
                .ok_or(SessionError::NotWrongNumber(record_id))?;
            let procedure = self.procedure_of(case)?;
            procedure
                .check(step, value, done_on, memo, today)
                .map_err(SessionError::Step)?;
            store.insert_wrong_number_step(
                record_id,
                procedure.decision_id,
                step,
                value,
                done_on,
                memo.trim(),
                self.user.id,
                &audit::now_local(),
            )?;
            self.audit(
                AuditAction::Decision,
                &format!("record:{record_id}"),
                &format!(
                    "wrong_number_step={} {}{}",
                    step.code(),
                    done_on.iso(),
                    value.map(|v| format!(" value={v}")).unwrap_or_default()
                ),
            )?;
            Ok::<_, SessionError>(())
        })
    }

    /// Every record whose wrong-number procedure still has steps to do, oldest first.
    pub fn open_wrong_number_procedures(&self) -> Result<Vec<OpenProcedure>, SessionError> {
        self.require(Permission::Review)?;
        let mut out = Vec::new();
        for case in self.store.wrong_number_cases()? {
            let record_id = case.record_id;
            let card = case.card.clone();
            let procedure = self.procedure_of(case)?;
            if !procedure.complete() {
                out.push(OpenProcedure {
                    record_id,
                    card,
                    procedure,
                });
            }
        }
        Ok(out)
    }
}
