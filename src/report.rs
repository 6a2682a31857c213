//! The count report to the operator (確認結果（件数）の報告), computed from the decisions,
//! the letters sent and the follow-ups, never typed. Items as in the operator's form:
//!
//! - 1 mismatches (総合判定 ×) of the match-result file;
//! - 2 confirmed by the insurer: 2-1 out of scope (lost), 2-2 confirmed earlier, 2-3 same
//!   person by visual check or documents, 2-4 number wrong;
//! - 3 confirmed via the employer: 3-1 number right, 3-2 number wrong;
//! - 4 letters sent: 4-1 type A, 4-2 type B; 4-3/4-4/4-5 of the A letters: number right,
//!   number wrong, no reply; 4-6/4-7/4-8 the same for B;
//! - 5 wrong numbers found by 2–4 (2-4 + 3-2 + 4-4 + 4-7).
//!
//! Which decision feeds which item is [`crate::review::Decision::report_item`] and
//! [`crate::review::FollowUp::report_item`]; this module only adds up.

use crate::review::{Decision, FollowUp, LetterType};

/// Every item of the report, in the form's order, with its wording (shortened from the
/// operator's form).
pub const ITEMS: [(&str, &str); 19] = [
    ("1", "突合結果ファイルの不一致（総合判定×）の件数"),
    ("2", "設問1のうち、保険者で確認済とした件数"),
    ("2-1", "設問2のうち、資格喪失のため確認の対象外とした件数"),
    (
        "2-2",
        "設問2のうち、過去の再点検等で確認済・訂正届で同一人物確認ができた件数",
    ),
    (
        "2-3",
        "設問2のうち、目検や届出書等で同一人物確認ができた件数",
    ),
    ("2-4", "設問2のうち、個人番号の誤りと判断した件数"),
    ("3", "設問1について、事業主で確認した件数"),
    ("3-1", "設問3のうち、個人番号の誤りがなかった件数"),
    (
        "3-2",
        "設問3のうち、事業主において個人番号の誤りと判断した件数",
    ),
    ("4", "設問1について、本人に文書を送付した件数"),
    (
        "4-1",
        "設問4のうち、マイナンバーの提出を求めた件数（生年月日・性別の不一致）",
    ),
    (
        "4-2",
        "設問4のうち、個人番号の下4桁等の確認を求めた件数（氏名等の不一致）",
    ),
    ("4-3", "設問4-1のうち、個人番号の誤りがなかった件数"),
    ("4-4", "設問4-1のうち、個人番号の誤りとの回答があった件数"),
    ("4-5", "設問4-1のうち、本人より返事がなかった件数"),
    ("4-6", "設問4-2のうち、個人番号の誤りがなかった件数"),
    ("4-7", "設問4-2のうち、個人番号の誤りとの回答があった件数"),
    ("4-8", "設問4-2のうち、本人より返事がなかった件数"),
    ("5", "2〜4の点検の結果、個人番号の誤りがあった件数"),
];

/// One record's current decision and what followed it, as the report counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    /// The decision.
    pub decision: Decision,
    /// Its letter type (本人へ文書送付).
    pub letter: Option<LetterType>,
    /// A letter for this decision has been printed and sent.
    pub letter_sent: bool,
    /// The reply or the employer's answer, if recorded.
    pub follow_up: Option<FollowUp>,
}

/// The count report: every item with its number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountReport {
    /// (item, wording, count) in the form's order.
    pub lines: Vec<(&'static str, &'static str, u64)>,
    /// Only approved decisions were counted.
    pub approved_only: bool,
}

impl CountReport {
    /// Adds up `mismatches` and the records' decisions (each `Counted` with how many records
    /// share it).
    pub fn compute(
        mismatches: u64,
        counted: impl IntoIterator<Item = (Counted, u64)>,
        approved_only: bool,
    ) -> CountReport {
        let mut n: std::collections::HashMap<&'static str, u64> = Default::default();
        n.insert("1", mismatches);
        for (c, k) in counted {
            let item = c.decision.report_item(c.letter);
            match c.decision {
                Decision::WriteToPerson => {
                    // Item 4 counts letters sent, not decisions to send one.
                    if !c.letter_sent {
                        continue;
                    }
                    *n.entry("4").or_default() += k;
                    *n.entry(item).or_default() += k;
                }
                Decision::AskEmployer => *n.entry("3").or_default() += k,
                _ => {
                    *n.entry("2").or_default() += k;
                    *n.entry(item).or_default() += k;
                }
            }
            if let Some(f) = c.follow_up
                && f.fits(c.decision)
                && let Some(sub) = f.report_item(c.decision, c.letter)
            {
                *n.entry(sub).or_default() += k;
            }
        }
        let wrong = ["2-4", "3-2", "4-4", "4-7"]
            .iter()
            .map(|k| n.get(k).copied().unwrap_or(0))
            .sum();
        n.insert("5", wrong);
        CountReport {
            lines: ITEMS
                .iter()
                .map(|&(k, label)| (k, label, n.get(k).copied().unwrap_or(0)))
                .collect(),
            approved_only,
        }
    }

    /// The number of an item ("2-3").
    pub fn get(&self, item: &str) -> u64 {
        self.lines
            .iter()
            .find(|(k, _, _)| *k == item)
            .map_or(0, |(_, _, n)| *n)
    }

    /// The report as rows for a CSV or a table: 設問, 内容, 件数.
    pub fn rows(&self) -> Vec<[String; 3]> {
        self.lines
            .iter()
            .map(|(k, l, n)| [k.to_string(), l.to_string(), n.to_string()])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(
        decision: Decision,
        letter: Option<LetterType>,
        sent: bool,
        f: Option<FollowUp>,
    ) -> Counted {
        Counted {
            decision,
            letter,
            letter_sent: sent,
            follow_up: f,
        }
    }

    #[test]
    fn items_add_up_as_the_form_defines_them() {
        use Decision::*;
        use FollowUp::*;
        let r = CountReport::compute(
            100,
            [
                (c(SameByVisualCheck, None, false, None), 10),
                (c(SameByDocuments, None, false, None), 5),
                (c(ConfirmedEarlier, None, false, None), 3),
                (c(OutOfScopeLost, None, false, None), 2),
                (c(WrongNumber, None, false, None), 1),
                (c(AskEmployer, None, false, Some(NumberCorrect)), 4),
                (c(AskEmployer, None, false, Some(NumberWrong)), 2),
                (c(AskEmployer, None, false, None), 1),
                (
                    c(
                        WriteToPerson,
                        Some(LetterType::A),
                        true,
                        Some(NumberCorrect),
                    ),
                    6,
                ),
                (
                    c(WriteToPerson, Some(LetterType::A), true, Some(NumberWrong)),
                    1,
                ),
                (
                    c(WriteToPerson, Some(LetterType::A), true, Some(NoReply)),
                    2,
                ),
                (c(WriteToPerson, Some(LetterType::A), true, None), 3),
                (
                    c(
                        WriteToPerson,
                        Some(LetterType::B),
                        true,
                        Some(NumberCorrect),
                    ),
                    7,
                ),
                (
                    c(WriteToPerson, Some(LetterType::B), true, Some(NumberWrong)),
                    2,
                ),
                (
                    c(WriteToPerson, Some(LetterType::B), true, Some(NoReply)),
                    1,
                ),
                // Decided but not printed yet: not in 4.
                (c(WriteToPerson, Some(LetterType::B), false, None), 9),
            ],
            true,
        );
        let want = [
            ("1", 100),
            ("2", 21),
            ("2-1", 2),
            ("2-2", 3),
            ("2-3", 15),
            ("2-4", 1),
            ("3", 7),
            ("3-1", 4),
            ("3-2", 2),
            ("4", 22),
            ("4-1", 12),
            ("4-2", 10),
            ("4-3", 6),
            ("4-4", 1),
            ("4-5", 2),
            ("4-6", 7),
            ("4-7", 2),
            ("4-8", 1),
            ("5", 1 + 2 + 1 + 2),
        ];
        for (k, n) in want {
            assert_eq!(r.get(k), n, "item {k}");
        }
        assert_eq!(r.lines.len(), 19);
    }
}
