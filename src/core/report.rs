//! The count report to the operator (確認結果（件数）の報告), computed from the decisions,
//! the letters sent and the follow-ups, never typed. Items as in the operator's form:
//!
//! - 1 mismatches (総合判定 ×) of those qualified at the match date (「突合時点で加入資格」):
//!   rows whose qualification was lost on or before 突合基準日 are out of scope and in no item;
//! - 2 confirmed by the insurer: 2-1 qualified at the match date but lost since (a decision
//!   with the loss date), 2-2 confirmed earlier, 2-3 same person by visual check, documents or a
//!   separate J-LIS inquiry, 2-4 number wrong;
//! - 3 confirmed via the employer (once answered): 3-1 number right, 3-2 number wrong; requests
//!   still waiting for the answer are shown as 照会中, counted in no item;
//! - 4 letters sent: 4-1 type A, 4-2 type B; 4-3/4-4/4-5 of the A letters: number right,
//!   number wrong, no reply; 4-6/4-7/4-8 the same for B;
//! - 5 wrong numbers found by 2–4 (2-4 + 3-2 + 4-4 + 4-7).
//!
//! Which decision feeds which item is the one table [`ROUTES`] beside the items; item 5 is
//! [`WRONG_NUMBER_ITEMS`]. [`CountReport::compute`] only follows the table and adds up.

use crate::review::{Decision, FollowUp, LetterType};

/// Every item of the report, in the form's order, with its wording (shortened from the
/// operator's form).
pub const ITEMS: [(&str, &str); 19] = [
    (
        "1",
        "突合結果ファイルの不一致（突合時点で加入資格・総合判定×）の件数",
    ),
    ("2", "設問1のうち、保険者で確認済とした件数"),
    (
        "2-1",
        "設問2のうち、現時点では資格を喪失していることから確認の対象外とした件数",
    ),
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

/// Where one kind of current decision is counted (a row of [`ROUTES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// The decision.
    pub decision: Decision,
    /// Its letter type (本人へ文書送付 only).
    pub letter: Option<LetterType>,
    /// The items the decision itself feeds, the parent first ("2", "2-3").
    pub items: &'static [&'static str],
    /// Counted only once its letter was printed and sent (item 4 counts letters sent, not
    /// decisions to send one).
    pub once_sent: bool,
    /// The items each recorded outcome of its follow-up feeds (the person's reply, the
    /// employer's answer).
    pub follow_ups: &'static [(FollowUp, &'static [&'static str])],
    /// While no outcome is recorded, the record is shown under this word and counted in no
    /// item (事業主へ確認: 照会中).
    pub pending: Option<&'static str>,
}

/// The mapping of decisions to items, in one place: the report screen shows it, and the
/// count follows it.
pub const ROUTES: [Route; 9] = [
    Route {
        decision: Decision::SameByVisualCheck,
        letter: None,
        items: &["2", "2-3"],
        once_sent: false,
        follow_ups: &[],
        pending: None,
    },
    Route {
        decision: Decision::SameByDocuments,
        letter: None,
        items: &["2", "2-3"],
        once_sent: false,
        follow_ups: &[],
        pending: None,
    },
    Route {
        decision: Decision::SameByJlisInquiry,
        letter: None,
        items: &["2", "2-3"],
        once_sent: false,
        follow_ups: &[],
        pending: None,
    },
    Route {
        decision: Decision::ConfirmedEarlier,
        letter: None,
        items: &["2", "2-2"],
        once_sent: false,
        follow_ups: &[],
        pending: None,
    },
    Route {
        decision: Decision::OutOfScopeLost,
        letter: None,
        items: &["2", "2-1"],
        once_sent: false,
        follow_ups: &[],
        pending: None,
    },
    Route {
        decision: Decision::WrongNumber,
        letter: None,
        items: &["2", "2-4"],
        once_sent: false,
        follow_ups: &[],
        pending: None,
    },
    Route {
        decision: Decision::AskEmployer,
        letter: None,
        items: &[],
        once_sent: false,
        follow_ups: &[
            (FollowUp::NumberCorrect, &["3", "3-1"]),
            (FollowUp::NumberWrong, &["3", "3-2"]),
        ],
        pending: Some("照会中"),
    },
    Route {
        decision: Decision::WriteToPerson,
        letter: Some(LetterType::A),
        items: &["4", "4-1"],
        once_sent: true,
        follow_ups: &[
            (FollowUp::NumberCorrect, &["4-3"]),
            (FollowUp::NumberWrong, &["4-4"]),
            (FollowUp::NoReply, &["4-5"]),
        ],
        pending: None,
    },
    Route {
        decision: Decision::WriteToPerson,
        letter: Some(LetterType::B),
        items: &["4", "4-2"],
        once_sent: true,
        follow_ups: &[
            (FollowUp::NumberCorrect, &["4-6"]),
            (FollowUp::NumberWrong, &["4-7"]),
            (FollowUp::NoReply, &["4-8"]),
        ],
        pending: None,
    },
];

/// The mapping as the report screen shows it, a line per decision and per outcome of its
/// follow-up: (what was decided or answered, where it counts).
pub fn mapping_ja() -> Vec<(String, String)> {
    let items = |list: &[&str]| {
        if list.is_empty() {
            "（回答まで数えない）".to_string()
        } else {
            list.iter()
                .map(|k| format!("設問{k}"))
                .collect::<Vec<_>>()
                .join("・")
        }
    };
    let mut out = Vec::new();
    for r in &ROUTES {
        let choice = crate::review::Choice {
            decision: r.decision,
            letter: r.letter,
            lost_on: None,
        };
        let mut what = items(r.items);
        if r.once_sent {
            what.push_str("（通知文を送付したとき）");
        }
        if let Some(p) = r.pending {
            what = format!("回答があるまで「{p}」（どの設問にも数えない）");
        }
        out.push((choice.label_ja(), what));
        for (f, list) in r.follow_ups {
            out.push((format!("　└ {}", f.label_ja()), items(list)));
        }
    }
    out.push((
        "突合基準日以前に資格喪失（点検の対象外）".to_string(),
        "どの設問にも数えない（設問1にも含めない）".to_string(),
    ));
    out
}

/// Item 5 (個人番号の誤りがあった件数) is the sum of these: the wrong numbers found by the
/// insurer, the employer and the person.
pub const WRONG_NUMBER_ITEMS: [&str; 4] = ["2-4", "3-2", "4-4", "4-7"];

/// The row of [`ROUTES`] for a decision (with its letter type), if it is counted at all.
pub fn route(decision: Decision, letter: Option<LetterType>) -> Option<&'static Route> {
    ROUTES
        .iter()
        .find(|r| r.decision == decision && (r.letter.is_none() || r.letter == letter))
}

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
    /// Employer requests still waiting for the answer (照会中): counted in no item.
    pub pending_employer: u64,
    /// Mismatches whose qualification was lost on or before the match date: out of scope,
    /// counted in no item (set by the caller that knows them).
    pub out_of_scope: u64,
    /// The kind of insurer, where set (item 3 exists for employee insurance only).
    pub kind: Option<crate::insurer::InsurerKind>,
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
        let mut pending_employer = 0;
        n.insert("1", mismatches);
        for (c, k) in counted {
            let Some(route) = route(c.decision, c.letter) else {
                continue;
            };
            if route.once_sent && !c.letter_sent {
                continue;
            }
            for item in route.items {
                *n.entry(item).or_default() += k;
            }
            match c
                .follow_up
                .and_then(|f| route.follow_ups.iter().find(|(o, _)| *o == f))
            {
                Some((_, list)) => {
                    for item in *list {
                        *n.entry(item).or_default() += k;
                    }
                }
                None if route.pending.is_some() => pending_employer += k,
                None => {}
            }
        }
        let wrong = WRONG_NUMBER_ITEMS
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
            pending_employer,
            out_of_scope: 0,
            kind: None,
        }
    }

    /// The number of an item ("2-3").
    pub fn get(&self, item: &str) -> u64 {
        self.lines
            .iter()
            .find(|(k, _, _)| *k == item)
            .map_or(0, |(_, _, n)| *n)
    }

    /// What the report leaves out, in words for the reader: employer requests still waiting
    /// (照会中) and the rows out of scope (lost on or before the match date).
    pub fn notes_ja(&self) -> Vec<String> {
        let employer = match self.kind {
            Some(k) if !k.has_employer() => format!(
                "設問3（事業主で確認）は被用者保険だけの確認方法です。{}には事業主への確認がないため 0 件です",
                k.label_ja()
            ),
            _ => format!(
                "事業主へ照会中（回答待ち）: {} 件（回答があるまで設問3に含めません）",
                self.pending_employer
            ),
        };
        vec![
            employer,
            format!(
                "突合基準日以前に資格を喪失している不一致（点検の対象外）: {} 件（どの設問にも含めません）",
                self.out_of_scope
            ),
        ]
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

    /// The mapping as a table, row by row (seed 002, the operator's form: 設問2 「保険者で確認済
    /// とした件数」 — 2-1 「現時点では資格を喪失していることから、確認の対象外」, 2-2 「過去の加入者
    /// 情報再点検等において確認済」, 2-3 「保険者の目検や届出書等で確認し」 (and 「別途J-LIS照会を
    /// 行い変更履歴等が確認できた場合」, an insurer's own check), 2-4 「個人番号の誤りと判断した」;
    /// 設問3 「事業主で（事業主からの情報で）確認した件数」 — 3-1 + 3-2, once answered; 設問4
    /// 「本人に文書を送付した件数」 — 4-1 「マイナンバーの提出を求めたもの」 (A), 4-2 「個人番号の
    /// 下4桁等の確認を求めたもの」 (B)).
    #[test]
    fn the_mapping_table_row_by_row() {
        use Decision::*;
        use FollowUp::*;
        let a = Some(LetterType::A);
        let b = Some(LetterType::B);
        type Row = (
            Decision,
            Option<LetterType>,
            &'static [&'static str],
            &'static [(FollowUp, &'static [&'static str])],
        );
        let want: [Row; 9] = [
            (SameByVisualCheck, None, &["2", "2-3"], &[]),
            (SameByDocuments, None, &["2", "2-3"], &[]),
            (SameByJlisInquiry, None, &["2", "2-3"], &[]),
            (ConfirmedEarlier, None, &["2", "2-2"], &[]),
            (OutOfScopeLost, None, &["2", "2-1"], &[]),
            (WrongNumber, None, &["2", "2-4"], &[]),
            (
                AskEmployer,
                None,
                &[],
                &[(NumberCorrect, &["3", "3-1"]), (NumberWrong, &["3", "3-2"])],
            ),
            (
                WriteToPerson,
                a,
                &["4", "4-1"],
                &[
                    (NumberCorrect, &["4-3"]),
                    (NumberWrong, &["4-4"]),
                    (NoReply, &["4-5"]),
                ],
            ),
            (
                WriteToPerson,
                b,
                &["4", "4-2"],
                &[
                    (NumberCorrect, &["4-6"]),
                    (NumberWrong, &["4-7"]),
                    (NoReply, &["4-8"]),
                ],
            ),
        ];
        for (d, l, items, follow) in want {
            let r = route(d, l).unwrap_or_else(|| panic!("{d:?} {l:?} has a row"));
            assert_eq!(r.items, items, "{d:?} {l:?}");
            assert_eq!(r.follow_ups, follow, "{d:?} {l:?}");
            assert_eq!(r.once_sent, d == WriteToPerson, "{d:?}");
            assert_eq!(r.pending.is_some(), d == AskEmployer, "{d:?}");
        }
        // Every decision has a row; every item named exists on the form; the outcomes a row
        // counts are exactly those that can follow its decision.
        for d in Decision::ALL {
            assert!(ROUTES.iter().any(|r| r.decision == d), "{d:?}");
        }
        for r in &ROUTES {
            for item in r
                .items
                .iter()
                .chain(r.follow_ups.iter().flat_map(|(_, list)| list.iter()))
            {
                assert!(ITEMS.iter().any(|(k, _)| k == item), "{item}");
            }
            for f in FollowUp::ALL {
                assert_eq!(
                    r.follow_ups.iter().any(|(o, _)| *o == f),
                    f.fits(r.decision),
                    "{:?} after {:?}",
                    f,
                    r.decision
                );
            }
        }
        assert_eq!(WRONG_NUMBER_ITEMS, ["2-4", "3-2", "4-4", "4-7"]);
    }

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
                // Still waiting for the employer's answer: 照会中, in no item.
                (c(AskEmployer, None, false, None), 1),
                (c(SameByJlisInquiry, None, false, None), 4),
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
            ("2", 25),
            ("2-1", 2),
            ("2-2", 3),
            ("2-3", 19),
            ("2-4", 1),
            ("3", 6),
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
        assert_eq!(r.pending_employer, 1);
    }

    #[test]
    fn the_mapping_shown_on_the_report_screen_names_every_decision() {
        let m = mapping_ja();
        for d in Decision::ALL {
            assert!(
                m.iter().any(|(what, _)| what.starts_with(d.label_ja())),
                "{d:?}"
            );
        }
        let employer = m
            .iter()
            .find(|(w, _)| w.starts_with(Decision::AskEmployer.label_ja()))
            .unwrap();
        assert!(employer.1.contains("照会中"), "{employer:?}");
        assert!(
            m.iter()
                .any(|(w, i)| w.contains("突合基準日以前") && i.contains("設問1にも含めない"))
        );
    }
}
