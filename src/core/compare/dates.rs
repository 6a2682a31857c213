//! 生年月日 and 性別: a different value is always `differs`; the reasons say how it differs.

use super::{FieldExplanation, Highlight, Reasons, Rule};
use crate::record::{Date, Sex};

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
