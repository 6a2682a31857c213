//! The explanation engine: for each of the five items of a mismatched row, whether the two
//! sides are `equal`, differ only in how they are written (`notation`, 表記ゆれ) or really
//! differ (`differs`), with the rules that fired as short Japanese sentences and the character
//! positions that still differ; and for the row a suggestion (see [`Suggestion`]).
//!
//! The clerk decides; this module only explains. Calling a real difference "notation" is the
//! one dangerous error (it would re-open a stranger's medical data), so every rule here is
//! narrow: whatever no rule explains is `differs`.
//!
//! Conventions: in every reason the insurer's side is written first, the registry's second
//! (`1-11 ↔ 一丁目11番`), as on the review screen. Positions are counted in characters of the
//! original values.

use std::ops::Range;

use serde::Serialize;

use crate::record::{Item, Record, RegistryResult};

pub use crate::record::{FieldVerdict, RowSummary, Suggestion};

pub mod address;
pub mod dates;
pub mod kana;
pub mod kanji;
pub mod variants;

/// A rule of the engine, named so that tools can count them; the sentence for the clerk is in
/// [`Reason::text`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    // Notation rules.
    /// Half-width against full-width katakana.
    HalfWidthKana,
    /// Full-width against half-width letters, digits or signs.
    Width,
    /// A space present, absent or written otherwise.
    Space,
    /// Hiragana against katakana.
    Hiragana,
    /// A small kana written large (ャ/ヤ, ッ/ツ).
    SmallKana,
    /// ヂ/ジ.
    DiJi,
    /// ヅ/ズ.
    DuZu,
    /// ヴ against ブ (and ヴァ/バ …).
    VuBu,
    /// The long-vowel mark written with another dash.
    LongVowelMark,
    /// A voiced mark written as a separate character.
    VoicedMark,
    /// A variant kanji by a sourced table (MJ縮退マップ).
    VariantKanji,
    /// ● where the registry could not send a character.
    Unsendable,
    /// 漢数字 against digits.
    KanjiNumeral,
    /// 丁目/番/番地/号/の/hyphen forms of the house number.
    HouseNumberForm,
    /// A leading 大字/字 on one side.
    Oaza,
    /// ケ/ヶ/が in a town name.
    SmallKe,
    /// A building name and room (方書) on one side only.
    BuildingOneSide,
    /// The building name and room written otherwise.
    BuildingForm,
    /// Values differ only in character codes that look the same.
    Codepoint,
    // Real differences.
    /// Characters differ.
    CharsDiffer,
    /// ● could not be accepted (other items differ, or too many).
    UnsendableNotAccepted,
    /// The town or street part of the address differs.
    TownDiffers,
    /// The house number differs.
    HouseNumberDiffers,
    /// The building name or room differs.
    BuildingDiffers,
    /// Year of birth differs.
    YearDiffers,
    /// Month of birth differs.
    MonthDiffers,
    /// Day of birth differs.
    DayDiffers,
    /// Month and day swapped.
    MonthDaySwapped,
    /// Sex code differs.
    SexDiffers,
    /// A value is missing on one side.
    Missing,
    /// No registry record to compare with.
    NoRegistryRecord,
    /// A birth date known only in part (day or month 00, 不詳) on one side: to be looked at,
    /// never notation.
    PartialDate,
}

impl Rule {
    /// Whether the rule explains a difference as notation only.
    pub fn is_notation(self) -> bool {
        (self as u8) <= (Rule::Codepoint as u8)
    }
}

/// One rule that fired, with the sentence the clerk reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The rule.
    pub rule: Rule,
    /// A short Japanese sentence, e.g. 「半角カナと全角カナの違い」.
    pub text: String,
}

/// Character ranges that still differ, on each side, for highlighting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Highlight {
    /// Ranges in the insurer's value.
    pub insurer: Vec<Range<usize>>,
    /// Ranges in the registry's value.
    pub registry: Vec<Range<usize>>,
}

/// The explanation of one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldExplanation {
    /// Equal, notation or differs.
    pub verdict: FieldVerdict,
    /// The rules that fired, notation rules first.
    pub reasons: Vec<Reason>,
    /// What still differs.
    pub differ: Highlight,
    /// What differs only in how it is written (for a lighter highlight).
    pub notation: Highlight,
}

impl FieldExplanation {
    fn equal() -> FieldExplanation {
        FieldExplanation {
            verdict: FieldVerdict::Equal,
            reasons: Vec::new(),
            differ: Highlight::default(),
            notation: Highlight::default(),
        }
    }
}

/// Collects reasons for one field, each rule once.
#[derive(Default)]
pub(crate) struct Reasons(Vec<Reason>);

impl Reasons {
    pub(crate) fn add(&mut self, rule: Rule, text: impl Into<String>) {
        if !self.0.iter().any(|r| r.rule == rule) {
            self.0.push(Reason {
                rule,
                text: text.into(),
            });
        }
    }

    pub(crate) fn has(&self, rule: Rule) -> bool {
        self.0.iter().any(|r| r.rule == rule)
    }

    /// The explanation: `differs` if any real-difference rule fired, else `notation`.
    pub(crate) fn finish(self, differ: Highlight) -> FieldExplanation {
        self.finish_with(differ, Highlight::default())
    }

    /// Like [`Reasons::finish`], with the ranges that differ only in notation.
    pub(crate) fn finish_with(
        mut self,
        differ: Highlight,
        notation: Highlight,
    ) -> FieldExplanation {
        let differs = self.0.iter().any(|r| !r.rule.is_notation());
        if !differs && self.0.is_empty() {
            self.add(
                Rule::Codepoint,
                "文字コードの違い（見た目が同じ別の文字コード）",
            );
        }
        self.0.sort_by_key(|r| !r.rule.is_notation());
        FieldExplanation {
            verdict: if differs {
                FieldVerdict::Differs
            } else {
                FieldVerdict::Notation
            },
            reasons: self.0,
            differ,
            notation: Highlight {
                insurer: merge_ranges(notation.insurer),
                registry: merge_ranges(notation.registry),
            },
        }
    }
}

/// The explanation of a whole row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowExplanation {
    /// Per item, in [`Item::ALL`] order.
    pub fields: [FieldExplanation; 5],
    /// The suggestion (before cross-record checks; see [`RowExplanation::with_other_subscriber`]).
    pub suggestion: Suggestion,
    /// Why the row got its suggestion, and row-level notes.
    pub reasons: Vec<String>,
}

impl RowExplanation {
    /// The explanation of one item.
    pub fn field(&self, item: Item) -> &FieldExplanation {
        &self.fields[item.index()]
    }

    /// The compact form kept in the store and used by the list's filters.
    pub fn summary(&self) -> RowSummary {
        RowSummary {
            fields: std::array::from_fn(|i| self.fields[i].verdict),
            suggestion: self.suggestion,
        }
    }

    /// Applies the cross-record finding that the registry person is another subscriber of the
    /// same file (a family member's number taken by mistake).
    pub fn with_other_subscriber(mut self, rows: &[u64]) -> RowExplanation {
        if rows.is_empty() {
            return self;
        }
        self.suggestion = Suggestion::LikelyWrongNumber;
        self.reasons.push(other_subscriber_reason(rows));
        self
    }
}

/// The sentence for a row whose registry person is another subscriber of the file.
pub fn other_subscriber_reason(rows: &[u64]) -> String {
    let list: Vec<String> = rows.iter().map(|r| format!("{r}行目")).collect();
    format!(
        "住基の人物は同じファイルの別の加入者（データ{}）と一致します（家族などの番号を登録した可能性）",
        list.join("・")
    )
}

/// Explains one row: each item, and the suggestion from the row alone (the cross-record
/// checks of [`crate::crosscheck`] may raise it to `likely_wrong_number`).
pub fn explain_record(r: &Record) -> RowExplanation {
    if r.registry_result != RegistryResult::Found {
        let why = match r.registry_result {
            RegistryResult::Deleted => "住民票が消除されています（死亡・国外転出等）",
            _ => "登録された個人番号に対応する住民票がありません",
        };
        let field = || {
            let mut rs = Reasons::default();
            rs.add(
                Rule::NoRegistryRecord,
                "住基側に比較する情報がありません（照会結果が該当なし・消除）",
            );
            rs.finish(Highlight::default())
        };
        return RowExplanation {
            fields: std::array::from_fn(|_| field()),
            suggestion: Suggestion::LikelyWrongNumber,
            reasons: vec![why.to_string()],
        };
    }
    let (a, b) = (&r.insurer, &r.registry);
    let kana = kana::explain(&a.kana_name, &b.kana_name);
    let kana_ok = kana.verdict != FieldVerdict::Differs;
    let fields = [
        kanji::explain(&a.kanji_name, &b.kanji_name, kana_ok),
        kana,
        dates::explain_birth_in_part(
            (a.birth_date, a.birth_partial),
            (b.birth_date, b.birth_partial),
        ),
        dates::explain_sex(a.sex, b.sex),
        address::explain(&a.address, &b.address),
    ];
    let mut reasons = Vec::new();
    let birth_differs = fields[Item::BirthDate.index()].verdict == FieldVerdict::Differs;
    let suggestion = if birth_differs && given_name_differs(r) {
        reasons.push("生年月日と名（下の名前）がどちらも異なります：別人の番号の可能性".into());
        Suggestion::LikelyWrongNumber
    } else if fields.iter().all(|f| f.verdict != FieldVerdict::Differs) {
        reasons.push("異なる項目はすべて表記ゆれで説明できます".into());
        Suggestion::NotationOnly
    } else {
        let differing: Vec<&str> = Item::ALL
            .iter()
            .filter(|i| fields[i.index()].verdict == FieldVerdict::Differs)
            .map(|i| i.label_ja())
            .collect();
        reasons.push(format!(
            "表記ゆれでは説明できない相違があります（{}）",
            differing.join("・")
        ));
        Suggestion::NeedsReview
    };
    RowExplanation {
        fields,
        suggestion,
        reasons,
    }
}

/// Whether the given names (after the space between surname and given name) differ beyond
/// notation: by the kana name where both sides have a space in it, else by the kanji name,
/// else by the whole kana name.
pub fn given_name_differs(r: &Record) -> bool {
    let (a, b) = (&r.insurer, &r.registry);
    if let (Some(x), Some(y)) = (
        kana::given_name_key(&a.kana_name),
        kana::given_name_key(&b.kana_name),
    ) {
        return x != y;
    }
    if let (Some(x), Some(y)) = (
        kanji::given_name(&a.kanji_name),
        kanji::given_name(&b.kanji_name),
    ) {
        return kanji::explain(x, y, true).verdict == FieldVerdict::Differs;
    }
    kana::key(&a.kana_name) != kana::key(&b.kana_name)
}

/// A small, fast, deterministic hasher (the multiply-rotate hash of rustc's FxHash) for the
/// variant table and the cross-record keys, which hash a few characters per row of files of
/// millions of rows. Not for anything an attacker chooses to collide.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const FX_K: u64 = 0xf135_7aea_2e62_a9c5;

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(FX_K);
    }

    fn finish(&self) -> u64 {
        // A final mix so that short keys spread over all bits.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

/// Builds [`FxHasher`]s for hash maps.
pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// Unmatched positions of a longest common subsequence of `a` and `b` under `eq`: what
/// still differs once everything that can be paired is paired.
pub(crate) fn unmatched<T, U>(
    a: &[T],
    b: &[U],
    eq: impl Fn(&T, &U) -> bool,
) -> (Vec<usize>, Vec<usize>) {
    let (n, m) = (a.len(), b.len());
    // Trim the common prefix and suffix first: names and addresses are short, but most of a
    // pair is usually the same.
    let mut pre = 0;
    while pre < n && pre < m && eq(&a[pre], &b[pre]) {
        pre += 1;
    }
    let mut suf = 0;
    while suf < n - pre && suf < m - pre && eq(&a[n - 1 - suf], &b[m - 1 - suf]) {
        suf += 1;
    }
    let (a2, b2) = (&a[pre..n - suf], &b[pre..m - suf]);
    let (n2, m2) = (a2.len(), b2.len());
    let mut dp = vec![0u16; (n2 + 1) * (m2 + 1)];
    let w = m2 + 1;
    for i in (0..n2).rev() {
        for j in (0..m2).rev() {
            dp[i * w + j] = if eq(&a2[i], &b2[j]) {
                dp[(i + 1) * w + j + 1] + 1
            } else {
                dp[(i + 1) * w + j].max(dp[i * w + j + 1])
            };
        }
    }
    let (mut ua, mut ub) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < n2 && j < m2 {
        if eq(&a2[i], &b2[j]) && dp[i * w + j] == dp[(i + 1) * w + j + 1] + 1 {
            i += 1;
            j += 1;
        } else if dp[(i + 1) * w + j] >= dp[i * w + j + 1] {
            ua.push(pre + i);
            i += 1;
        } else {
            ub.push(pre + j);
            j += 1;
        }
    }
    ua.extend((i..n2).map(|k| pre + k));
    ub.extend((j..m2).map(|k| pre + k));
    (ua, ub)
}

/// Merges character ranges that touch.
pub(crate) fn merge_ranges(mut v: Vec<Range<usize>>) -> Vec<Range<usize>> {
    v.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The text of `s` covered by the character ranges, joined (for reasons: 「ウ ↔ オ」).
pub(crate) fn excerpt(s: &str, ranges: &[Range<usize>]) -> String {
    if ranges.is_empty() {
        return "（なし）".into();
    }
    let chars: Vec<char> = s.chars().collect();
    ranges
        .iter()
        .map(|r| {
            chars[r.start.min(chars.len())..r.end.min(chars.len())]
                .iter()
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("…")
}

/// A reason naming the characters that still differ.
pub(crate) fn chars_differ_reason(a: &str, b: &str, h: &Highlight) -> String {
    format!(
        "異なる文字: {} ↔ {}",
        excerpt(a, &h.insurer),
        excerpt(b, &h.registry)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmatched_finds_what_differs() {
        let a: Vec<char> = "ヤマダタロウ".chars().collect();
        let b: Vec<char> = "ヤマダタロオ".chars().collect();
        assert_eq!(unmatched(&a, &b, |x, y| x == y), (vec![5], vec![5]));
        let b: Vec<char> = "ヤマタロウ".chars().collect();
        assert_eq!(unmatched(&a, &b, |x, y| x == y), (vec![2], vec![]));
        let e: Vec<char> = Vec::new();
        assert_eq!(unmatched(&a, &e, |x, y| x == y).0.len(), 6);
    }

    #[test]
    fn summary_packs() {
        let s = RowSummary {
            fields: [
                FieldVerdict::Equal,
                FieldVerdict::Notation,
                FieldVerdict::Differs,
                FieldVerdict::Equal,
                FieldVerdict::Notation,
            ],
            suggestion: Suggestion::LikelyWrongNumber,
        };
        assert_eq!(RowSummary::unpack(s.pack()), s);
    }

    #[test]
    fn rule_kinds() {
        assert!(Rule::Codepoint.is_notation());
        assert!(Rule::BuildingOneSide.is_notation());
        assert!(!Rule::CharsDiffer.is_notation());
        assert!(!Rule::NoRegistryRecord.is_notation());
    }
}
