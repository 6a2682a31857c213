//! 生年月日 and 性別: a different value is always `differs`; the reasons say how it differs.

use super::{FieldExplanation, Highlight, Reasons, Rule};
use crate::record::{Date, PartialDate, Sex};

/// Explains birth dates that may be known only in part (day or month 00, 不詳), as the
/// registry and old insurer records write them: a partial date is "to be looked at", never
/// notation, even where its known parts agree (「19450000」 against 「19450312」: the day and
/// month are unknown on one side).
pub fn explain_birth_in_part(
    a: (Option<Date>, Option<PartialDate>),
    b: (Option<Date>, Option<PartialDate>),
) -> FieldExplanation {
    let (pa, pb) = (a.1, b.1);
    if pa.is_none() && pb.is_none() {
        return explain_birth(a.0, b.0);
    }
    if a == b {
        return FieldExplanation::equal();
    }
    let show = |d: Option<Date>, p: Option<PartialDate>| match (d, p) {
        (Some(d), _) => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        (None, Some(p)) => p.label_ja(),
        (None, None) => "（なし）".into(),
    };
    let mut rs = Reasons::default();
    let known = match (a, b) {
        ((Some(d), _), (None, Some(p))) | ((None, Some(p)), (Some(d), _)) => Some(p.fits(d)),
        _ => None,
    };
    let text = match known {
        Some(true) => format!(
            "生年月日の一部が不明です（分かっている部分は一致） {}↔{}",
            show(a.0, pa),
            show(b.0, pb)
        ),
        Some(false) => format!(
            "生年月日の一部が不明で、分かっている部分も異なります {}↔{}",
            show(a.0, pa),
            show(b.0, pb)
        ),
        None => format!(
            "生年月日の一部が不明です {}↔{}",
            show(a.0, pa),
            show(b.0, pb)
        ),
    };
    rs.add(Rule::PartialDate, text);
    let whole: Vec<std::ops::Range<usize>> = std::iter::once(0..8).collect();
    rs.finish(Highlight {
        insurer: whole.clone(),
        registry: whole,
    })
}

/// Explains the birth dates of the insurer (`a`) and the registry (`b`). Highlight ranges
/// are positions in `YYYYMMDD`.
pub fn explain_birth(a: Option<Date>, b: Option<Date>) -> FieldExplanation {
    if a == b {
        return FieldExplanation::equal();
    }
    let mut rs = Reasons::default();
    let (Some(a), Some(b)) = (a, b) else {
        rs.add(Rule::Missing, "生年月日が片方にありません");
        return rs.finish(Highlight::default());
    };
    let mut ranges = Vec::new();
    if a.year() == b.year() && a.month() == b.day() && a.day() == b.month() {
        rs.add(
            Rule::MonthDaySwapped,
            format!(
                "月と日の入れ替わり {:02}月{:02}日 ↔ {:02}月{:02}日",
                a.month(),
                a.day(),
                b.month(),
                b.day()
            ),
        );
        ranges.push(4..8);
    } else {
        if a.year() != b.year() {
            rs.add(
                Rule::YearDiffers,
                format!("年が異なる {}↔{}", a.year(), b.year()),
            );
            ranges.push(0..4);
        }
        if a.month() != b.month() {
            rs.add(
                Rule::MonthDiffers,
                format!("月が異なる {:02}↔{:02}", a.month(), b.month()),
            );
            ranges.push(4..6);
        }
        if a.day() != b.day() {
            rs.add(
                Rule::DayDiffers,
                format!("日が異なる {:02}↔{:02}", a.day(), b.day()),
            );
            ranges.push(6..8);
        }
    }
    rs.finish(Highlight {
        insurer: ranges.clone(),
        registry: ranges,
    })
}

/// Explains the sex codes of the insurer (`a`) and the registry (`b`).
pub fn explain_sex(a: Option<Sex>, b: Option<Sex>) -> FieldExplanation {
    if a == b {
        return FieldExplanation::equal();
    }
    let mut rs = Reasons::default();
    let show = |s: Option<Sex>| match s {
        Some(s) => format!("{}（{}）", s.code(), s.label_ja()),
        None => "（なし）".into(),
    };
    let text = if a.is_none() || b.is_none() {
        format!("性別が片方にありません {}↔{}", show(a), show(b))
    } else {
        format!("性別コードが異なる {}↔{}", show(a), show(b))
    };
    rs.add(
        if a.is_none() || b.is_none() {
            Rule::Missing
        } else {
            Rule::SexDiffers
        },
        text,
    );
    let whole = std::iter::once(0..1).collect::<Vec<_>>();
    rs.finish(Highlight {
        insurer: whole.clone(),
        registry: whole,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::FieldVerdict;

    fn d(v: u32) -> Option<Date> {
        Date::from_u32(v)
    }

    #[test]
    fn a_birth_date_known_in_part_is_to_be_looked_at_never_notation() {
        // issue 15: 「a registry 19450000 against an insurer 19450312 is "day unknown on one
        // side", to be looked at, never "notation"」.
        let p = PartialDate::parse("19450000");
        assert!(p.is_some());
        let e = explain_birth_in_part((d(19450312), None), (None, p));
        assert_eq!(e.verdict, FieldVerdict::Differs);
        assert_eq!(e.reasons[0].rule, Rule::PartialDate);
        assert!(!e.reasons[0].rule.is_notation());
        assert!(
            e.reasons[0].text.contains("分かっている部分は一致"),
            "{:?}",
            e.reasons
        );
        let e = explain_birth_in_part((d(19460312), None), (None, PartialDate::parse("19450300")));
        assert!(e.reasons[0].text.contains("分かっている部分も異なります"));
        // 不詳 is a value; the same partial value on both sides is equal.
        let unknown = PartialDate::parse("生年月日不詳");
        assert_eq!(unknown.map(|p| p.label_ja()), Some("不詳".into()));
        let e = explain_birth_in_part((None, unknown), (None, unknown));
        assert_eq!(e.verdict, FieldVerdict::Equal);
        // A day without its month, or month 13, is no partial date.
        assert_eq!(PartialDate::parse("19450012"), None);
        assert_eq!(PartialDate::parse("19451300"), None);
        assert_eq!(
            PartialDate::parse("19450312"),
            None,
            "a full date is a Date"
        );
    }

    #[test]
    fn birth_dates() {
        assert_eq!(
            explain_birth(d(19451203), d(19451203)).verdict,
            FieldVerdict::Equal
        );
        let e = explain_birth(d(19451203), d(19451201));
        assert_eq!(e.verdict, FieldVerdict::Differs);
        assert_eq!(e.reasons[0].text, "日が異なる 03↔01");
        assert_eq!(e.differ.insurer, vec![6..8]);
        let e = explain_birth(d(19450312), d(19451203));
        assert_eq!(e.reasons[0].rule, Rule::MonthDaySwapped);
        let e = explain_birth(d(19850312), d(19950312));
        assert_eq!(e.reasons[0].text, "年が異なる 1985↔1995");
    }

    #[test]
    fn sex() {
        let e = explain_sex(Some(Sex::Male), Some(Sex::Female));
        assert_eq!(e.verdict, FieldVerdict::Differs);
        assert_eq!(e.reasons[0].text, "性別コードが異なる 1（男）↔2（女）");
    }
}
