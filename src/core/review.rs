//! The clerk's decisions on a mismatch, and the supervisor's approval: the domain rules in
//! one place (which decisions exist, which letter type fits, which follow-up can follow
//! which decision, which decision contradicts the evidence, how a record moves from undecided
//! to approved). Which count-report item each feeds is the table [`crate::report::ROUTES`]. The store keeps them ([`crate::store`]); the session checks rights and audits
//! ([`crate::session::Session::decide`] and the rest).

use crate::compare::{FieldVerdict, RowExplanation, Suggestion};
use crate::record::{Date, Item, Record, StopCase};

/// The letter sent to the person (本人確認用の通知文).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum LetterType {
    /// Birth date or sex differs: asks for the My Number with a copy of the card or a
    /// resident record (count report 4-1).
    A,
    /// Name or address differs: asks for the last 4 digits on the reply form (4-2).
    B,
}

impl LetterType {
    /// "A" or "B", as stored.
    pub fn key(self) -> &'static str {
        match self {
            LetterType::A => "A",
            LetterType::B => "B",
        }
    }

    /// From the stored key.
    pub fn from_key(k: &str) -> Option<LetterType> {
        match k {
            "A" => Some(LetterType::A),
            "B" => Some(LetterType::B),
            _ => None,
        }
    }

    /// What the clerk reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            LetterType::A => "A（生年月日・性別の相違: 個人番号の提出を依頼）",
            LetterType::B => "B（氏名・住所の相違: 個人番号の下4桁の記入を依頼）",
        }
    }
}

/// How the follow-up of a decision ended: the person's reply to a letter (本人へ文書送付) or
/// the employer's answer (事業主へ確認).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FollowUp {
    /// The registered number is right.
    NumberCorrect = 1,
    /// The registered number is wrong.
    NumberWrong = 2,
    /// No reply by the deadline (letters only).
    NoReply = 3,
}

impl FollowUp {
    /// Every outcome.
    pub const ALL: [FollowUp; 3] = [
        FollowUp::NumberCorrect,
        FollowUp::NumberWrong,
        FollowUp::NoReply,
    ];

    /// The stored code.
    pub fn code(self) -> i64 {
        self as i64
    }

    /// From the stored code.
    pub fn from_code(c: i64) -> Option<FollowUp> {
        FollowUp::ALL.iter().copied().find(|f| f.code() == c)
    }

    /// What the clerk reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            FollowUp::NumberCorrect => "個人番号の誤りなし",
            FollowUp::NumberWrong => "個人番号の誤り",
            FollowUp::NoReply => "期限までに返事なし",
        }
    }

    /// Whether this outcome can follow the decision (only letters go unanswered).
    pub fn fits(self, decision: Decision) -> bool {
        match decision {
            Decision::WriteToPerson => true,
            Decision::AskEmployer => self != FollowUp::NoReply,
            _ => false,
        }
    }
}

/// Whether the registered number is confirmed right, so that the viewing stop may be
/// released: by the clerk's decision alone, or by the follow-up it needs.
pub fn number_confirmed(decision: Decision, follow_up: Option<FollowUp>) -> bool {
    match decision {
        Decision::SameByVisualCheck
        | Decision::SameByDocuments
        | Decision::SameByJlisInquiry
        | Decision::ConfirmedEarlier => true,
        Decision::AskEmployer | Decision::WriteToPerson => {
            follow_up == Some(FollowUp::NumberCorrect)
        }
        Decision::OutOfScopeLost | Decision::WrongNumber => false,
    }
}

/// The loss date to offer for 2-1 (「現時点では資格を喪失していることから、確認の対象外」): the
/// file's 資格喪失年月日 when it is after 突合基準日 (the person was qualified at the match date
/// and has lost it since). `None` when the file gives no such date (the clerk types it).
pub fn suggested_loss_date(r: &Record) -> Option<Date> {
    let end = r.qual_end?;
    match r.base_date {
        Some(base) if end > base => Some(end),
        Some(_) => None,
        None => None,
    }
}

/// Why a 2-1 loss date cannot be taken (in Japanese), or `None` if it can: it must be after the
/// match date (on or before it, the row was never in scope) and not in the future.
pub fn loss_date_problem(r: &Record, lost_on: Option<Date>, today: Date) -> Option<String> {
    let Some(d) = lost_on else {
        return Some("資格喪失日を入力してください（突合基準日より後の日付）".into());
    };
    if let Some(base) = r.base_date
        && d <= base
    {
        return Some(format!(
            "資格喪失日 {} は突合基準日 {} 以前です。突合時点で資格のない記録は点検の対象外で、件数の報告にも含めません",
            d.iso(),
            base.iso()
        ));
    }
    if d > today {
        return Some(format!("資格喪失日 {} は今日より後です", d.iso()));
    }
    None
}

/// Why the suggested letter fits, for the review screen. A row with no registry record
/// (J-LIS照会結果 2 or 3) fits neither 4-1 (「生年月日・性別に不一致があったもの」) nor 4-2
/// (「氏名等に不一致があったもの」) as the form defines them: nothing could be compared. It gets
/// letter A, which asks for the number itself (「マイナンバーの提出を求めたもの」), and counts in
/// 4-1: asking for the number is the only way to learn it; the last 4 digits of a number that
/// may not exist prove nothing.
pub fn letter_reason_ja(r: &Record, e: &RowExplanation) -> &'static str {
    if r.registry_result != crate::record::RegistryResult::Found {
        return "住基に記録がない（照会結果 該当なし・消除）ため、個人番号の提出を求める通知文A（設問4-1）";
    }
    match suggested_letter(e) {
        LetterType::A => "生年月日または性別が異なるため、通知文A（個人番号の提出、設問4-1）",
        LetterType::B => "氏名または住所だけが異なるため、通知文B（下4桁の記入、設問4-2）",
    }
}

/// The letter type that fits what differs: A when the birth date or sex differs (or when the
/// registry has no record to compare with), else B.
pub fn suggested_letter(e: &RowExplanation) -> LetterType {
    let differs = |i: Item| e.field(i).verdict == FieldVerdict::Differs;
    if differs(Item::BirthDate) || differs(Item::Sex) {
        LetterType::A
    } else {
        LetterType::B
    }
}

/// What a clerk decides about a mismatch (workflow, step 2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// 目検で同一人物と判断 (report 2-3).
    SameByVisualCheck = 1,
    /// 届出書等で確認 (report 2-3).
    SameByDocuments = 2,
    /// 過去の再点検等で確認済 (report 2-2).
    ConfirmedEarlier = 3,
    /// 資格喪失のため対象外 (report 2-1).
    OutOfScopeLost = 4,
    /// 個人番号の誤り (report 2-4): opens the wrong-number procedure.
    WrongNumber = 5,
    /// 事業主へ確認 (report 3).
    AskEmployer = 6,
    /// 本人へ文書送付 (report 4), with a letter type.
    WriteToPerson = 7,
    /// 別途J-LIS照会で変更履歴等を確認 (report 2-3): seed 002, 「別途J-LIS照会を行い変更履歴等が
    /// 確認できた場合…同一人物と判断して構いません」.
    SameByJlisInquiry = 8,
}

impl Decision {
    /// Every decision, in the order of the review screen's keys 1–8 (the stored codes).
    pub const ALL: [Decision; 8] = [
        Decision::SameByVisualCheck,
        Decision::SameByDocuments,
        Decision::ConfirmedEarlier,
        Decision::OutOfScopeLost,
        Decision::WrongNumber,
        Decision::AskEmployer,
        Decision::WriteToPerson,
        Decision::SameByJlisInquiry,
    ];

    /// The stored code.
    pub fn code(self) -> i64 {
        self as i64
    }

    /// From the stored code.
    pub fn from_code(c: i64) -> Option<Decision> {
        Decision::ALL.iter().copied().find(|d| d.code() == c)
    }

    /// A stable key for files and the audit trail.
    pub fn key(self) -> &'static str {
        match self {
            Decision::SameByVisualCheck => "same_by_visual_check",
            Decision::SameByDocuments => "same_by_documents",
            Decision::ConfirmedEarlier => "confirmed_earlier",
            Decision::OutOfScopeLost => "out_of_scope_lost",
            Decision::WrongNumber => "wrong_number",
            Decision::AskEmployer => "ask_employer",
            Decision::WriteToPerson => "write_to_person",
            Decision::SameByJlisInquiry => "same_by_jlis_inquiry",
        }
    }

    /// What the clerk reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            Decision::SameByVisualCheck => "目検で同一人物と判断",
            Decision::SameByDocuments => "届出書等で同一人物と確認",
            Decision::ConfirmedEarlier => "過去の点検等で確認済",
            Decision::OutOfScopeLost => "突合後に資格喪失のため対象外",
            Decision::WrongNumber => "個人番号の誤り",
            Decision::AskEmployer => "事業主へ確認",
            Decision::WriteToPerson => "本人へ文書送付",
            Decision::SameByJlisInquiry => "J-LIS照会で変更履歴等を確認",
        }
    }

    /// The keyboard key of the decision on the review screen.
    pub fn shortcut(self) -> char {
        char::from_digit(self as u32, 10).expect("eight decisions")
    }

    /// Whether the decision says the registered number belongs to the person.
    pub fn confirms_number(self) -> bool {
        matches!(
            self,
            Decision::SameByVisualCheck
                | Decision::SameByDocuments
                | Decision::SameByJlisInquiry
                | Decision::ConfirmedEarlier
        )
    }
}

/// A decision with its letter type (for 本人へ文書送付) or its loss date (for 2-1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The decision.
    pub decision: Decision,
    /// The letter type; required for [`Decision::WriteToPerson`], none otherwise.
    pub letter: Option<LetterType>,
    /// The date the qualification was lost, after the match date; required for
    /// [`Decision::OutOfScopeLost`] (the file's 資格喪失年月日 when it is after 突合基準日, else
    /// as the clerk types it from the insurer's own records), none otherwise.
    pub lost_on: Option<Date>,
}

impl Choice {
    /// A decision without a letter or a date.
    pub fn new(decision: Decision) -> Choice {
        Choice {
            decision,
            letter: None,
            lost_on: None,
        }
    }

    /// 本人へ文書送付 with this letter type.
    pub fn letter(letter: LetterType) -> Choice {
        Choice {
            letter: Some(letter),
            ..Choice::new(Decision::WriteToPerson)
        }
    }

    /// 突合後に資格喪失のため対象外 (2-1), lost on `date`.
    pub fn lost(date: Date) -> Choice {
        Choice {
            lost_on: Some(date),
            ..Choice::new(Decision::OutOfScopeLost)
        }
    }

    /// Label with the letter type or the loss date.
    pub fn label_ja(&self) -> String {
        match (self.letter, self.lost_on) {
            (Some(l), _) => format!("{}（通知文{}）", self.decision.label_ja(), l.key()),
            (None, Some(d)) => format!("{}（{} 喪失）", self.decision.label_ja(), d.iso()),
            (None, None) => self.decision.label_ja().to_string(),
        }
    }
}

/// Where a record stands in the review.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewState {
    /// No decision yet.
    Undecided = 0,
    /// Decided, waiting for a supervisor.
    Decided = 1,
    /// Approved by a supervisor.
    Approved = 2,
    /// Sent back by a supervisor, with a reason: the clerk decides again.
    SentBack = 3,
}

impl ReviewState {
    /// From the stored code.
    pub fn from_code(c: i64) -> ReviewState {
        match c {
            1 => ReviewState::Decided,
            2 => ReviewState::Approved,
            3 => ReviewState::SentBack,
            _ => ReviewState::Undecided,
        }
    }

    /// What the clerk reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            ReviewState::Undecided => "未判断",
            ReviewState::Decided => "承認待ち",
            ReviewState::Approved => "承認済",
            ReviewState::SentBack => "差し戻し",
        }
    }

    /// Whether a clerk may (re)decide the record.
    pub fn open_for_decision(self) -> bool {
        self != ReviewState::Approved
    }
}

/// Why a decision contradicts the evidence: the clerk must confirm it and write a memo.
pub fn contradictions(r: &Record, e: &RowExplanation, c: &Choice) -> Vec<String> {
    let mut out = Vec::new();
    let differs = |i: Item| e.field(i).verdict == FieldVerdict::Differs;
    if c.decision.confirms_number() {
        for item in [Item::BirthDate, Item::Sex] {
            if differs(item) {
                out.push(format!(
                    "{}が異なるのに同一人物と判断しようとしています",
                    item.label_ja()
                ));
            }
        }
        if e.suggestion == Suggestion::LikelyWrongNumber {
            out.push("番号誤りの疑いがある記録を同一人物と判断しようとしています".into());
        }
        // Names and address: a real difference (not notation) is never confirmed by a single
        // key (issue 13: 「1n1n1n」 decided records whose surname, kana and town all differ);
        // a married name or a move is confirmed with a memo that says so.
        let real: Vec<&str> = [Item::KanjiName, Item::KanaName, Item::Address]
            .into_iter()
            .filter(|i| differs(*i))
            .map(|i| i.label_ja())
            .collect();
        if !real.is_empty() {
            out.push(format!(
                "{}が本当に異なる（表記ゆれでは説明できない）のに同一人物と判断しようとしています",
                real.join("・")
            ));
        }
    }
    if c.decision == Decision::OutOfScopeLost
        && let Some(d) = c.lost_on
        && r.qual_end.is_some_and(|f| f != d)
    {
        out.push(format!(
            "ファイルの資格喪失年月日（{}）と異なる喪失日（{}）を入力しています",
            r.qual_end.map(|f| f.iso()).unwrap_or_default(),
            d.iso()
        ));
    }
    if c.decision == Decision::WrongNumber && e.suggestion == Suggestion::NotationOnly {
        out.push("違いは表記ゆれのみと説明されている記録を番号誤りと判断しようとしています".into());
    }
    if c.decision == Decision::WriteToPerson
        && let Some(l) = c.letter
        && l != suggested_letter(e)
    {
        out.push(format!(
            "違いの内容からは通知文{}が合いますが、通知文{}を選んでいます",
            suggested_letter(e).key(),
            l.key()
        ));
    }
    out
}

/// A decision as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRow {
    /// Decision id.
    pub id: i64,
    /// The record.
    pub record_id: i64,
    /// What was decided.
    pub choice: Choice,
    /// The clerk's memo.
    pub memo: String,
    /// Who decided.
    pub decided_by: i64,
    /// Local time.
    pub decided_at: String,
    /// The contradictions the clerk confirmed, if any.
    pub overrode: Vec<String>,
    /// Undone by the clerk.
    pub undone: bool,
    /// The approval batch, once approved.
    pub batch_id: Option<i64>,
}

/// How the supervisor groups decided records into batches to approve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BatchGrouping {
    /// One batch per clerk and day (the usual daily check).
    #[default]
    ClerkAndDay,
    /// One batch per clerk, all days together.
    Clerk,
    /// One batch per clerk and decision (e.g. all of a clerk's 表記ゆれ at once).
    ClerkAndDecision,
}

impl BatchGrouping {
    /// Every grouping, in the order the screen offers them.
    pub const ALL: [BatchGrouping; 3] = [
        BatchGrouping::ClerkAndDay,
        BatchGrouping::Clerk,
        BatchGrouping::ClerkAndDecision,
    ];

    /// What the supervisor reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            BatchGrouping::ClerkAndDay => "担当者と日付ごと",
            BatchGrouping::Clerk => "担当者ごと",
            BatchGrouping::ClerkAndDecision => "担当者と判断の種類ごと",
        }
    }
}

/// Decided records waiting for a supervisor, grouped as the supervisor chose
/// ([`BatchGrouping`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingBatch {
    /// The clerk.
    pub clerk_id: i64,
    /// The clerk's login.
    pub clerk_login: String,
    /// The clerk's name.
    pub clerk_name: String,
    /// The day of the decisions (YYYY-MM-DD), when grouped by day; else the span of days
    /// ("2023-12-01〜2023-12-04", or one day).
    pub day: String,
    /// The decision, when grouped by decision.
    pub decision: Option<Decision>,
    /// The records, in work order.
    pub record_ids: Vec<i64>,
    /// Records per viewing-stop case (①, ②, ③, none).
    pub by_case: [u64; 4],
}

impl PendingBatch {
    /// The batch's heading: clerk, days and (when grouped so) the decision.
    pub fn title(&self) -> String {
        let mut t = format!("{}（{}）　{}", self.clerk_name, self.clerk_login, self.day);
        if let Some(d) = self.decision {
            t.push('　');
            t.push_str(d.label_ja());
        }
        t
    }

    /// The case index used by [`PendingBatch::by_case`].
    pub fn case_index(c: StopCase) -> usize {
        match c {
            StopCase::Case1 => 0,
            StopCase::Case2 => 1,
            StopCase::Case3 => 2,
            StopCase::NoStop => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_round_trip_and_keep_their_keys() {
        for d in Decision::ALL {
            assert_eq!(Decision::from_code(d.code()), Some(d));
        }
        let keys: Vec<char> = Decision::ALL.iter().map(|d| d.shortcut()).collect();
        assert_eq!(keys, vec!['1', '2', '3', '4', '5', '6', '7', '8']);
    }
}
