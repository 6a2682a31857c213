//! The wrong-number procedure as tracked steps (seed 000, 「保険者等における対応手順の詳細」).
//!
//! A registered number is wrong whichever way it was found — by the insurer (2-4), by the
//! employer (3-2) or by the person's reply (4-4, 4-7) — and every such record goes through the
//! same steps, in this order, each with its date and the person who recorded it:
//!
//! 1. the contact sheet (別添3) and the fact-check sheet (別添4) sent to the operator (市町村国保:
//!    the notice through the デジタルPMO) — **before** 2 (「必ず別添3及び別添4の連絡票等を実施機関に
//!    提出してから異なっていた個人番号を削除すること」);
//! 2. the wrong number deleted from the intermediate server;
//! 3. the right number registered once known (「正しい個人番号が把握できた際には、再度、中間サーバー
//!    に登録する」), or recorded as not knowable (a lost member who cannot be reached: 「手段を
//!    尽くしても本人と連絡を取れない等」);
//! 4. the operator's answer on third-party viewing; where a third party viewed the data, the
//!    report (別添5); where 要配慮個人情報 was viewed, also the notice to the person and the
//!    report to the 個人情報保護委員会 (「本人への通知及び個人情報保護委員会への報告が義務付け
//!    られている」).
//!
//! [`Procedure::check`] is the one place the order is enforced; the session records a step only
//! after it.

use crate::insurer::ContactRoute;
use crate::record::Date;
use crate::review::{Decision, FollowUp};

/// One step of the wrong-number procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// 連絡票（別添3）・確認票（別添4）を実施機関へ提出 (市町村国保: デジタルPMOで連絡).
    Notified = 1,
    /// 異なっていた個人番号を中間サーバーから削除.
    Deleted = 2,
    /// 正しい個人番号を登録 (or recorded as not knowable).
    RightNumber = 3,
    /// 実施機関から第三者の閲覧の有無の回答.
    ViewingChecked = 4,
    /// 報告様式（別添5）で報告.
    Reported = 5,
    /// 要配慮個人情報の閲覧: 本人への通知.
    PersonNotified = 6,
    /// 要配慮個人情報の閲覧: 個人情報保護委員会への報告.
    PpcReported = 7,
}

/// What the operator answered about third-party viewing (step 4's value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewing {
    /// No third party viewed the data: no report (「報告様式を用いた報告は不要」).
    None = 1,
    /// A third party viewed data, none of it 要配慮個人情報 (e.g. only 資格情報).
    Viewed = 2,
    /// A third party viewed 要配慮個人情報 (特定疾病療養受療証情報, 医療情報 or 医療費通知情報).
    Sensitive = 3,
}

impl Viewing {
    /// Every answer.
    pub const ALL: [Viewing; 3] = [Viewing::None, Viewing::Viewed, Viewing::Sensitive];

    /// From the stored value.
    pub fn from_code(c: i64) -> Option<Viewing> {
        Viewing::ALL.into_iter().find(|v| *v as i64 == c)
    }

    /// What the clerk reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            Viewing::None => "第三者による閲覧なし",
            Viewing::Viewed => "第三者による閲覧あり（要配慮個人情報を除く）",
            Viewing::Sensitive => "要配慮個人情報の閲覧あり",
        }
    }
}

/// Step 3's value: the right number registered, or not knowable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RightNumber {
    /// The right number is registered on the intermediate server.
    Registered = 1,
    /// The right number cannot be established (a lost member who cannot be reached): the
    /// record stays deleted. Needs a memo.
    NotKnowable = 2,
}

impl RightNumber {
    /// Both values.
    pub const ALL: [RightNumber; 2] = [RightNumber::Registered, RightNumber::NotKnowable];

    /// From the stored value.
    pub fn from_code(c: i64) -> Option<RightNumber> {
        RightNumber::ALL.into_iter().find(|v| *v as i64 == c)
    }

    /// What the clerk reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            RightNumber::Registered => "正しい個人番号を登録した",
            RightNumber::NotKnowable => "正しい個人番号を把握できない（登録しない）",
        }
    }
}

impl Step {
    /// Every step, in the procedure's order.
    pub const ALL: [Step; 7] = [
        Step::Notified,
        Step::Deleted,
        Step::RightNumber,
        Step::ViewingChecked,
        Step::Reported,
        Step::PersonNotified,
        Step::PpcReported,
    ];

    /// The stored code.
    pub fn code(self) -> i64 {
        self as i64
    }

    /// From the stored code.
    pub fn from_code(c: i64) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.code() == c)
    }

    /// What the clerk reads, for the insurer's contact route.
    pub fn label_ja(self, route: ContactRoute) -> &'static str {
        match (self, route) {
            (Step::Notified, ContactRoute::DigitalPmo) => {
                "1. デジタルPMOで実施機関へ連絡（個人情報なし）"
            }
            (Step::Notified, ContactRoute::ContactSheet) => {
                "1. 連絡票（別添3）・確認票（別添4）を実施機関へ提出"
            }
            (Step::Deleted, _) => "2. 異なっていた個人番号を中間サーバーから削除",
            (Step::RightNumber, _) => "3. 正しい個人番号を中間サーバーに登録",
            (Step::ViewingChecked, _) => "4. 実施機関の確認: 第三者による閲覧の有無",
            (Step::Reported, _) => "5. 報告様式（別添5）で報告",
            (Step::PersonNotified, _) => "6. 要配慮個人情報の閲覧: 本人へ通知",
            (Step::PpcReported, _) => "7. 要配慮個人情報の閲覧: 個人情報保護委員会へ報告",
        }
    }

    /// The step that must be recorded before this one.
    pub fn after(self) -> Option<Step> {
        match self {
            Step::Notified => None,
            Step::Deleted => Some(Step::Notified),
            Step::RightNumber => Some(Step::Deleted),
            Step::ViewingChecked => Some(Step::Notified),
            Step::Reported | Step::PersonNotified | Step::PpcReported => Some(Step::ViewingChecked),
        }
    }

    /// The values this step is recorded with (empty: none), as (code, label).
    pub fn values(self) -> Vec<(i64, &'static str)> {
        match self {
            Step::RightNumber => RightNumber::ALL
                .iter()
                .map(|v| (*v as i64, v.label_ja()))
                .collect(),
            Step::ViewingChecked => Viewing::ALL
                .iter()
                .map(|v| (*v as i64, v.label_ja()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// How the wrong number was found: the count report's item it counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// The insurer judged it wrong (2-4).
    ByInsurer,
    /// The employer answered that it is wrong (3-2).
    ByEmployer,
    /// The person's reply showed it wrong (4-4 letter A, 4-7 letter B).
    ByPerson,
}

impl Found {
    /// Whether the decision and its follow-up say the registered number is wrong, and how it
    /// was found. The one rule of "number wrong"; item 5 of the count report sums the same
    /// routes ([`crate::report::WRONG_NUMBER_ITEMS`]).
    pub fn of(decision: Decision, follow_up: Option<FollowUp>) -> Option<Found> {
        match (decision, follow_up) {
            (Decision::WrongNumber, _) => Some(Found::ByInsurer),
            (Decision::AskEmployer, Some(FollowUp::NumberWrong)) => Some(Found::ByEmployer),
            (Decision::WriteToPerson, Some(FollowUp::NumberWrong)) => Some(Found::ByPerson),
            _ => None,
        }
    }

    /// The trigger as the forms write it (事案を検知した契機).
    pub fn trigger_ja(self) -> &'static str {
        match self {
            Found::ByInsurer => {
                "全件J-LIS確認の突合結果ファイル（総合判定 ×）を保険者で点検し、個人番号の誤りと判断"
            }
            Found::ByEmployer => {
                "全件J-LIS確認の突合結果ファイル（総合判定 ×）の点検で事業主に確認し、個人番号の誤りと判明"
            }
            Found::ByPerson => {
                "全件J-LIS確認の突合結果ファイル（総合判定 ×）の点検で本人に文書で確認し、回答により個人番号の誤りと判明"
            }
        }
    }

    /// What the clerk reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            Found::ByInsurer => "保険者の判断（2-4）",
            Found::ByEmployer => "事業主の回答（3-2）",
            Found::ByPerson => "本人の回答（4-4・4-7）",
        }
    }
}

/// A recorded step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRow {
    /// The step.
    pub step: Step,
    /// Its value (step 3: [`RightNumber`], step 4: [`Viewing`]).
    pub value: Option<i64>,
    /// The day it was done.
    pub done_on: Date,
    /// The clerk's memo.
    pub memo: String,
    /// Who recorded it (display name).
    pub recorded_by: String,
    /// When it was recorded (local time).
    pub recorded_at: String,
}

/// One record's wrong-number procedure: how and when the wrong number was found, and the steps
/// recorded so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Procedure {
    /// The record.
    pub record_id: i64,
    /// The decision the procedure follows (a new decision starts afresh).
    pub decision_id: i64,
    /// How it was found.
    pub found: Found,
    /// The day it was found (the decision's day for 2-4, the answer's day otherwise).
    pub found_on: Date,
    /// The insurer's contact route (the wording of step 1).
    pub route: ContactRoute,
    /// The steps recorded, in the procedure's order.
    pub steps: Vec<StepRow>,
}

/// Why a step cannot be recorded now, for the clerk.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StepRefused(pub String);

impl Procedure {
    /// The recorded step, if it is.
    pub fn done(&self, step: Step) -> Option<&StepRow> {
        self.steps.iter().find(|s| s.step == step)
    }

    /// The operator's answer on third-party viewing, once recorded.
    pub fn viewing(&self) -> Option<Viewing> {
        self.done(Step::ViewingChecked)
            .and_then(|s| s.value)
            .and_then(Viewing::from_code)
    }

    /// The steps this record needs: 1–4 always; 5 where a third party viewed the data; 6 and 7
    /// where 要配慮個人情報 was viewed.
    pub fn due(&self) -> Vec<Step> {
        let viewing = self.viewing();
        Step::ALL
            .into_iter()
            .filter(|s| match s {
                Step::Reported => matches!(viewing, Some(Viewing::Viewed | Viewing::Sensitive)),
                Step::PersonNotified | Step::PpcReported => viewing == Some(Viewing::Sensitive),
                _ => true,
            })
            .collect()
    }

    /// The steps still to do, in order.
    pub fn open(&self) -> Vec<Step> {
        self.due()
            .into_iter()
            .filter(|s| self.done(*s).is_none())
            .collect()
    }

    /// The steps that can be recorded now (open, and the step before each is recorded).
    pub fn ready(&self) -> Vec<Step> {
        self.open()
            .into_iter()
            .filter(|s| s.after().is_none_or(|a| self.done(a).is_some()))
            .collect()
    }

    /// Every due step is recorded.
    pub fn complete(&self) -> bool {
        self.open().is_empty()
    }

    /// Whether `step` may be recorded now with `value`, done on `done_on`, with `memo`, on
    /// `today`. The one place the procedure's order is enforced.
    pub fn check(
        &self,
        step: Step,
        value: Option<i64>,
        done_on: Date,
        memo: &str,
        today: Date,
    ) -> Result<(), StepRefused> {
        let label = step.label_ja(self.route);
        if self.done(step).is_some() {
            return Err(StepRefused(format!("「{label}」は登録済みです")));
        }
        if !self.due().contains(&step) {
            return Err(StepRefused(format!(
                "「{label}」は、実施機関の確認で第三者による閲覧があった場合（要配慮個人情報の通知・報告は、その閲覧があった場合）だけの手順です"
            )));
        }
        if let Some(before) = step.after() {
            match self.done(before) {
                None if step == Step::Deleted => {
                    // seed 000: 「必ず別添3及び別添4の連絡票等を実施機関に提出してから異なって
                    // いた個人番号を削除すること」
                    return Err(StepRefused(format!(
                        "異なっていた個人番号は、先に「{}」を済ませてから削除します（必ず連絡票等を実施機関に提出してから削除すること）",
                        Step::Notified.label_ja(self.route)
                    )));
                }
                None => {
                    return Err(StepRefused(format!(
                        "先に「{}」を登録してください",
                        before.label_ja(self.route)
                    )));
                }
                Some(b) if done_on < b.done_on => {
                    return Err(StepRefused(format!(
                        "「{label}」の日付が、その前の手順「{}」の日付（{}）より前です",
                        before.label_ja(self.route),
                        b.done_on.iso()
                    )));
                }
                Some(_) => {}
            }
        }
        if done_on > today {
            return Err(StepRefused(format!(
                "「{label}」の日付が未来の日付です。済んだ日を入力してください"
            )));
        }
        if done_on < self.found_on {
            return Err(StepRefused(format!(
                "「{label}」の日付が、誤りが分かった日（{}）より前です",
                self.found_on.iso()
            )));
        }
        let values = step.values();
        match value {
            None if !values.is_empty() => {
                return Err(StepRefused(format!("「{label}」の結果を選んでください")));
            }
            Some(v) if !values.iter().any(|(c, _)| *c == v) => {
                return Err(StepRefused(format!(
                    "「{label}」の結果が選べる値ではありません"
                )));
            }
            _ => {}
        }
        if step == Step::RightNumber
            && value == Some(RightNumber::NotKnowable as i64)
            && memo.trim().is_empty()
        {
            return Err(StepRefused(
                "正しい個人番号を把握できない場合は、手を尽くした内容をメモに書いてください".into(),
            ));
        }
        Ok(())
    }

    /// The first step still to do, with its words (for lists of open steps).
    pub fn next_ja(&self) -> Option<&'static str> {
        self.open().first().map(|s| s.label_ja(self.route))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> Date {
        Date::from_ymd(2023, 12, d).unwrap()
    }

    fn proc_with(steps: &[(Step, Option<i64>, u32)]) -> Procedure {
        Procedure {
            record_id: 1,
            decision_id: 1,
            found: Found::ByInsurer,
            found_on: day(1),
            route: ContactRoute::ContactSheet,
            steps: steps
                .iter()
                .map(|(s, v, d)| StepRow {
                    step: *s,
                    value: *v,
                    done_on: day(*d),
                    memo: String::new(),
                    recorded_by: "係員".into(),
                    recorded_at: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn deletion_waits_for_the_contact_sheet() {
        // seed 000: 「必ず別添3及び別添4の連絡票等を実施機関に提出してから異なっていた個人番号を
        // 削除すること」
        let p = proc_with(&[]);
        let e = p
            .check(Step::Deleted, None, day(2), "", day(5))
            .unwrap_err();
        assert!(e.0.contains("先に"), "{e}");
        assert_eq!(p.ready(), vec![Step::Notified]);
        let p = proc_with(&[(Step::Notified, None, 3)]);
        assert!(p.check(Step::Deleted, None, day(3), "", day(5)).is_ok());
        let e = p
            .check(Step::Deleted, None, day(2), "", day(5))
            .unwrap_err();
        assert!(e.0.contains("より前"), "{e}");
    }

    #[test]
    fn the_right_number_comes_after_the_deletion() {
        // seed 000: 「まずは異なっていた個人番号を直ちに削除し…正しい個人番号が把握できた際には、
        // 再度、中間サーバーに登録する」
        let p = proc_with(&[(Step::Notified, None, 2)]);
        assert!(
            p.check(Step::RightNumber, Some(1), day(3), "", day(5))
                .is_err()
        );
        let p = proc_with(&[(Step::Notified, None, 2), (Step::Deleted, None, 2)]);
        assert!(
            p.check(Step::RightNumber, Some(1), day(3), "", day(5))
                .is_ok()
        );
        // Not knowable needs the memo of what was tried (「手段を尽くしても本人と連絡を取れない」).
        assert!(
            p.check(Step::RightNumber, Some(2), day(3), "", day(5))
                .is_err()
        );
        assert!(
            p.check(
                Step::RightNumber,
                Some(2),
                day(3),
                "資格喪失済、住所不明",
                day(5)
            )
            .is_ok()
        );
    }

    #[test]
    fn the_report_is_due_only_where_a_third_party_viewed() {
        // seed 000: 「第三者による当該情報の閲覧が確認されなかった場合…報告様式を用いた報告は
        // 不要」; 要配慮個人情報: 「本人への通知及び個人情報保護委員会への報告が義務付けられて
        // いる」
        let base = [
            (Step::Notified, None, 2),
            (Step::Deleted, None, 2),
            (Step::RightNumber, Some(1), 3),
        ];
        let p = proc_with(&base);
        assert_eq!(p.open(), vec![Step::ViewingChecked]);
        let mut none = base.to_vec();
        none.push((Step::ViewingChecked, Some(Viewing::None as i64), 4));
        let p = proc_with(&none);
        assert!(p.complete());
        assert!(p.check(Step::Reported, None, day(5), "", day(5)).is_err());
        let mut viewed = base.to_vec();
        viewed.push((Step::ViewingChecked, Some(Viewing::Viewed as i64), 4));
        assert_eq!(proc_with(&viewed).open(), vec![Step::Reported]);
        let mut sensitive = base.to_vec();
        sensitive.push((Step::ViewingChecked, Some(Viewing::Sensitive as i64), 4));
        assert_eq!(
            proc_with(&sensitive).open(),
            vec![Step::Reported, Step::PersonNotified, Step::PpcReported]
        );
    }

    #[test]
    fn no_step_in_the_future_or_twice() {
        let p = proc_with(&[(Step::Notified, None, 2)]);
        assert!(p.check(Step::Notified, None, day(2), "", day(5)).is_err());
        assert!(p.check(Step::Deleted, None, day(9), "", day(5)).is_err());
        assert!(
            p.check(Step::ViewingChecked, None, day(3), "", day(5))
                .is_err()
        );
    }

    #[test]
    fn every_way_of_finding_a_wrong_number_opens_the_procedure() {
        // Item 5: 2-4 + 3-2 + 4-4 + 4-7.
        assert_eq!(
            Found::of(Decision::WrongNumber, None),
            Some(Found::ByInsurer)
        );
        assert_eq!(
            Found::of(Decision::AskEmployer, Some(FollowUp::NumberWrong)),
            Some(Found::ByEmployer)
        );
        assert_eq!(
            Found::of(Decision::WriteToPerson, Some(FollowUp::NumberWrong)),
            Some(Found::ByPerson)
        );
        assert_eq!(
            Found::of(Decision::WriteToPerson, Some(FollowUp::NoReply)),
            None
        );
        assert_eq!(Found::of(Decision::SameByVisualCheck, None), None);
    }
}
