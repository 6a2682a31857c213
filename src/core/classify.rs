//! The domain rules of the match-result file, in one place: which rows are mismatches, which
//! are out of scope (lost qualification), which viewing-stop case (①/②/③) applies, the order
//! in which clerks should take them, and the consistency warnings on a row.

use crate::record::{
    Date, Item, Person, Record, RegistryResult, StopCase, StopFlag, Verdict, Verdicts,
};
use crate::text::fold_width_and_spaces;

pub use crate::record::{Classification, WarningKind, Warnings};

impl Classification {
    /// A mismatch the insurer must check (not lost).
    pub fn in_scope(&self) -> bool {
        self.mismatch && !self.lost
    }
}

/// The viewing-stop case from the official table (`match-file.md`, 閲覧停止).
///
/// No registry record (J-LIS照会結果 2 or 3) counts as ①. Empty verdicts count as "not ×".
pub fn stop_case(result: RegistryResult, v: &Verdicts, multi_qual: bool) -> StopCase {
    if result != RegistryResult::Found {
        return StopCase::Case1;
    }
    let x = |i: Item| v.get(i) == Verdict::Differs;
    if x(Item::BirthDate) || x(Item::Sex) {
        return StopCase::Case1;
    }
    let names_differing = x(Item::KanaName) as u8 + x(Item::KanjiName) as u8;
    match (names_differing, x(Item::Address)) {
        (2, _) => StopCase::Case2,
        (1, true) => StopCase::Case2,
        (0, true) if multi_qual => StopCase::Case3,
        _ => StopCase::NoStop,
    }
}

/// Whether the qualification was lost at the time of matching: a loss date on or before
/// 突合基準日 (or any loss date when the file has no base date).
pub fn is_lost(qual_end: Option<Date>, base_date: Option<Date>) -> bool {
    match (qual_end, base_date) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(end), Some(base)) => end <= base,
    }
}

/// Whether a row is a mismatch: 総合判定 ×; where 総合判定 is empty, any item × or no
/// registry record.
pub fn is_mismatch(result: RegistryResult, v: &Verdicts) -> bool {
    match v.overall {
        Verdict::Differs => true,
        Verdict::Equal => false,
        Verdict::NotCompared => {
            result != RegistryResult::Found || v.items.contains(&Verdict::Differs)
        }
    }
}

/// Work order of a row: ① first (those people cannot use their card at the doctor), then ②,
/// ③, mismatches without a stop, lost qualifications, and rows that match last.
pub fn priority(mismatch: bool, lost: bool, case: StopCase) -> u8 {
    if !mismatch {
        return 9;
    }
    let base = match case {
        StopCase::Case1 => 0,
        StopCase::Case2 => 1,
        StopCase::Case3 => 2,
        StopCase::NoStop => 3,
    };
    if lost { base + 4 } else { base }
}

/// Classifies a row from its registry result, verdicts, qualification and match dates.
pub fn classify(
    result: RegistryResult,
    v: &Verdicts,
    multi_qual: bool,
    qual_end: Option<Date>,
    base_date: Option<Date>,
) -> Classification {
    let mismatch = is_mismatch(result, v);
    let lost = is_lost(qual_end, base_date);
    let case = if mismatch {
        stop_case(result, v, multi_qual)
    } else {
        StopCase::NoStop
    };
    Classification {
        mismatch,
        lost,
        case,
        priority: priority(mismatch, lost, case),
    }
}

/// How an item compares between the two sides: byte-identical, equal after width and space
/// folding (names and address only), or different.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Likeness {
    Identical,
    Folded,
    Different,
}

fn likeness(a: &Person, b: &Person, i: Item) -> Likeness {
    let text = |x: &str, y: &str| {
        if x == y {
            Likeness::Identical
        } else if fold_width_and_spaces(x) == fold_width_and_spaces(y) {
            Likeness::Folded
        } else {
            Likeness::Different
        }
    };
    let exact = |same: bool| {
        if same {
            Likeness::Identical
        } else {
            Likeness::Different
        }
    };
    match i {
        Item::KanjiName => text(&a.kanji_name, &b.kanji_name),
        Item::KanaName => text(&a.kana_name, &b.kana_name),
        Item::Address => text(&a.address, &b.address),
        Item::BirthDate => {
            exact(a.birth_date == b.birth_date && a.birth_partial == b.birth_partial)
        }
        Item::Sex => exact(a.sex == b.sex),
    }
}

/// The consistency warnings of a row (everything but the check-digit warning, which the
/// importer adds while validating): 総合判定 against the five verdicts, 閲覧停止区分 against
/// the case table, ○ on values that differ beyond width and spaces, × on identical values.
pub fn consistency_warnings(r: &Record) -> Warnings {
    let mut w = Warnings::default();
    let v = &r.verdicts;
    if r.registry_result == RegistryResult::Found {
        let all_equal = v.items.iter().all(|x| *x == Verdict::Equal);
        let any_differs = v.items.contains(&Verdict::Differs);
        let overall_ok = match v.overall {
            Verdict::Equal => all_equal,
            Verdict::Differs => any_differs,
            Verdict::NotCompared => !all_equal && !any_differs,
        };
        if !overall_ok {
            w.add(WarningKind::OverallDisagrees);
        }
        for item in Item::ALL {
            match (v.get(item), likeness(&r.insurer, &r.registry, item)) {
                (Verdict::Equal, Likeness::Different) => {
                    w.add(WarningKind::EqualButDifferent(item))
                }
                (Verdict::Differs, Likeness::Identical) => {
                    w.add(WarningKind::DiffersButIdentical(item))
                }
                _ => {}
            }
        }
    } else if v.overall == Verdict::Equal {
        w.add(WarningKind::OverallDisagrees);
    }
    if let Some(flag) = r.stop_flag {
        let expected = if r.class.mismatch {
            r.class.case.expected_flag()
        } else {
            StopFlag::NotStopped
        };
        if flag != expected {
            w.add(WarningKind::StopFlagDisagrees);
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::{Differs as X, Equal as O, NotCompared as E};

    fn v(items: [Verdict; 5]) -> Verdicts {
        let overall = if items.iter().all(|x| *x == O) { O } else { X };
        Verdicts { items, overall }
    }

    #[test]
    fn case_table_of_the_official_notice() {
        let f = RegistryResult::Found;
        // items: kanji, kana, birth, sex, address
        assert_eq!(stop_case(f, &v([O, O, X, O, O]), false), StopCase::Case1);
        assert_eq!(stop_case(f, &v([X, X, O, X, X]), false), StopCase::Case1);
        assert_eq!(stop_case(f, &v([X, X, O, O, O]), false), StopCase::Case2);
        assert_eq!(stop_case(f, &v([X, X, O, O, X]), false), StopCase::Case2);
        assert_eq!(stop_case(f, &v([X, O, O, O, X]), false), StopCase::Case2);
        assert_eq!(stop_case(f, &v([O, X, O, O, X]), false), StopCase::Case2);
        assert_eq!(stop_case(f, &v([O, X, O, O, O]), false), StopCase::NoStop);
        assert_eq!(stop_case(f, &v([O, O, O, O, X]), true), StopCase::Case3);
        assert_eq!(stop_case(f, &v([O, O, O, O, X]), false), StopCase::NoStop);
        assert_eq!(
            stop_case(RegistryResult::NoRecord, &v([E; 5]), false),
            StopCase::Case1
        );
        assert_eq!(
            stop_case(RegistryResult::Deleted, &v([E; 5]), false),
            StopCase::Case1
        );
    }

    #[test]
    fn lost_means_on_or_before_the_match_date() {
        let d = |x| Date::from_u32(x);
        assert!(!is_lost(None, d(20230915)));
        assert!(is_lost(d(20230915), d(20230915)));
        assert!(is_lost(d(20220101), d(20230915)));
        assert!(!is_lost(d(20231001), d(20230915)));
        assert!(is_lost(d(20231001), None));
    }

    #[test]
    fn priority_puts_case_1_first_and_lost_after_in_scope() {
        assert!(priority(true, false, StopCase::Case1) < priority(true, false, StopCase::Case2));
        assert!(priority(true, false, StopCase::NoStop) < priority(true, true, StopCase::Case1));
        assert!(priority(true, true, StopCase::NoStop) < priority(false, false, StopCase::NoStop));
    }

    #[test]
    fn verdicts_pack_round_trip() {
        let x = v([O, X, E, O, X]);
        assert_eq!(Verdicts::unpack(x.pack()), x);
        assert_eq!(x.differing_items(), 0b10010);
    }
}
