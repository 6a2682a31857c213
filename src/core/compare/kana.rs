//! カナ氏名: which differences are only notation.
//!
//! Each side is read into units: one kana (or sign) with a canonical key and flags saying how
//! it was written (half-width, hiragana, small, ヂ, ヅ, ヴ, a dash for ー, a separate voiced
//! mark). Spaces are kept aside. The two sides are notation of each other when their keys are
//! the same sequence; the flags that differ name the rules. Nothing else is folded: ヨウコ and
//! ヨーコ, or オオノ and オーノ, stay different (a long vowel written as a vowel is another
//! spelling, not another way of writing the same letters).

use std::ops::Range;

use super::{
    FieldExplanation, Highlight, Reasons, Rule, chars_differ_reason, merge_ranges, unmatched,
};
use crate::text::{fold_half_kana, voiced_kana};

const HALF: u16 = 1;
const HIRA: u16 = 1 << 1;
const SMALL: u16 = 1 << 2;
const DI: u16 = 1 << 3;
const DU: u16 = 1 << 4;
const VU: u16 = 1 << 5;
const LONG: u16 = 1 << 6;
const WIDTH: u16 = 1 << 7;
const MARK: u16 = 1 << 8;

/// One letter of a kana name.
#[derive(Clone, Debug)]
pub(crate) struct Unit {
    /// Canonical key: full-width katakana, large, ジ for ヂ, ズ for ヅ, バ行 for ヴ, ー.
    pub key: char,
    /// Characters of the original value this unit covers.
    pub src: Range<usize>,
    flags: u16,
}

/// Where the spaces are: (index of the unit they precede, the run of spaces as written).
type Spaces = Vec<(usize, String)>;

/// First pass: width, hiragana, voiced marks. Returns (char, source range, flags).
fn letters(s: &str) -> (Vec<(char, Range<usize>, u16)>, Spaces) {
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<(char, Range<usize>, u16)> = Vec::with_capacity(chars.len());
    let mut spaces: Spaces = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let start = i;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            spaces.push((out.len(), chars[start..i].iter().collect()));
            continue;
        }
        let next = chars.get(i + 1).copied();
        let u = c as u32;
        let (k, len, flags) = if let Some((k, used)) = fold_half_kana(c, next) {
            (k, 1 + used as usize, HALF)
        } else if (0x3041..=0x3096).contains(&u) {
            (char::from_u32(u + 0x60).unwrap(), 1, HIRA)
        } else if (0xFF01..=0xFF5E).contains(&u) {
            (char::from_u32(u - 0xFEE0).unwrap(), 1, WIDTH)
        } else {
            (c, 1, 0)
        };
        let mut flags = flags;
        // A voiced mark written as its own character (combining or spacing).
        if let Some(m) = chars.get(i + len).copied() {
            let semi = match m {
                '\u{3099}' | '\u{309B}' => Some(false),
                '\u{309A}' | '\u{309C}' => Some(true),
                _ => None,
            };
            if let Some(semi) = semi
                && let Some(v) = voiced_kana(k, semi)
            {
                out.push((v, i..i + len + 1, flags | MARK));
                i += len + 1;
                continue;
            }
        }
        if matches!(k, '‐' | '-' | '−' | '―' | '—' | '─' | '━') {
            flags = (flags & !WIDTH) | LONG;
            out.push(('ー', i..i + len, flags));
        } else {
            out.push((k, i..i + len, flags));
        }
        i += len;
    }
    (out, spaces)
}

/// Reads a kana name into units and spaces.
pub(crate) fn units(s: &str) -> (Vec<Unit>, Spaces) {
    let (ls, spaces) = letters(s);
    let mut units: Vec<Unit> = Vec::with_capacity(ls.len());
    // Spaces refer to letter indices; ヴァ joins two letters into one unit, so remap.
    let mut letter_to_unit = Vec::with_capacity(ls.len() + 1);
    let mut i = 0;
    while i < ls.len() {
        let (c, ref src, flags) = ls[i];
        letter_to_unit.push(units.len());
        if c == 'ヴ' {
            let joined = ls.get(i + 1).and_then(|(n, _, _)| match n {
                'ァ' => Some('バ'),
                'ィ' => Some('ビ'),
                'ェ' => Some('ベ'),
                'ォ' => Some('ボ'),
                _ => None,
            });
            if let Some(k) = joined
                && !spaces.iter().any(|(at, _)| *at == i + 1)
            {
                let (_, ref src2, flags2) = ls[i + 1];
                letter_to_unit.push(units.len());
                units.push(Unit {
                    key: k,
                    src: src.start..src2.end,
                    flags: flags | flags2 | VU,
                });
                i += 2;
                continue;
            }
            units.push(Unit {
                key: 'ブ',
                src: src.clone(),
                flags: flags | VU,
            });
            i += 1;
            continue;
        }
        let (key, extra) = match c {
            'ァ' => ('ア', SMALL),
            'ィ' => ('イ', SMALL),
            'ゥ' => ('ウ', SMALL),
            'ェ' => ('エ', SMALL),
            'ォ' => ('オ', SMALL),
            'ッ' => ('ツ', SMALL),
            'ャ' => ('ヤ', SMALL),
            'ュ' => ('ユ', SMALL),
            'ョ' => ('ヨ', SMALL),
            'ヮ' => ('ワ', SMALL),
            'ヵ' => ('カ', SMALL),
            'ヶ' => ('ケ', SMALL),
            'ヂ' => ('ジ', DI),
            'ヅ' => ('ズ', DU),
            _ => (c, 0),
        };
        units.push(Unit {
            key,
            src: src.clone(),
            flags: flags | extra,
        });
        i += 1;
    }
    letter_to_unit.push(units.len());
    let spaces = spaces
        .into_iter()
        .map(|(at, run)| (letter_to_unit[at], run))
        .collect();
    (units, spaces)
}

/// The canonical key of a kana name without spaces: two names with the same key are
/// notation of each other.
pub fn key(s: &str) -> String {
    units(s).0.iter().map(|u| u.key).collect()
}

/// A hash of [`key`], computed without allocating for the common case (full-width katakana
/// that [`key`] keeps as they are). Used by the cross-record checks on every row of a file.
pub fn key_hash(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = super::FxHasher::default();
    let plain = |c: char| {
        ('\u{30A1}'..='\u{30FC}').contains(&c)
            && !matches!(
                c,
                'ァ' | 'ィ'
                    | 'ゥ'
                    | 'ェ'
                    | 'ォ'
                    | 'ッ'
                    | 'ャ'
                    | 'ュ'
                    | 'ョ'
                    | 'ヮ'
                    | 'ヵ'
                    | 'ヶ'
                    | 'ヂ'
                    | 'ヅ'
                    | 'ヴ'
                    | '\u{30FB}'
            )
    };
    if s.chars().all(|c| c.is_whitespace() || plain(c)) {
        for c in s.chars().filter(|c| !c.is_whitespace()) {
            h.write_u32(c as u32);
        }
    } else {
        for u in units(s).0 {
            h.write_u32(u.key as u32);
        }
    }
    h.finish()
}

/// The key of the given name (after the last space), if the name has a space.
pub fn given_name_key(s: &str) -> Option<String> {
    let (us, spaces) = units(s);
    let (at, _) = spaces
        .iter()
        .rev()
        .find(|(at, _)| *at > 0 && *at < us.len())?;
    Some(us[*at..].iter().map(|u| u.key).collect())
}

fn src_text(s: &str, r: &Range<usize>) -> String {
    s.chars().skip(r.start).take(r.len()).collect()
}

/// Explains the カナ氏名 of the insurer (`a`) against the registry's (`b`).
pub fn explain(a: &str, b: &str) -> FieldExplanation {
    if a == b {
        return FieldExplanation::equal();
    }
    let mut rs = Reasons::default();
    if a.trim().is_empty() || b.trim().is_empty() {
        rs.add(Rule::Missing, "カナ氏名が片方にありません");
        return rs.finish(Highlight::default());
    }
    let (ua, sa) = units(a);
    let (ub, sb) = units(b);
    let (ma, mb) = unmatched(&ua, &ub, |x, y| x.key == y.key);
    // Where the letters differ, where the space falls says nothing more.
    if ma.is_empty() && mb.is_empty() {
        compare_spaces(&sa, &sb, ua.len(), ub.len(), &mut rs);
    }
    // Flags of the units that pair up say which notation rules explain them.
    let mut notation = Highlight::default();
    let (mut i, mut j) = (0, 0);
    let (mut ia, mut ib) = (ma.iter().peekable(), mb.iter().peekable());
    while i < ua.len() && j < ub.len() {
        if ia.peek() == Some(&&i) {
            ia.next();
            i += 1;
            continue;
        }
        if ib.peek() == Some(&&j) {
            ib.next();
            j += 1;
            continue;
        }
        let (x, y) = (&ua[i], &ub[j]);
        if src_text(a, &x.src) != src_text(b, &y.src) {
            notation.insurer.push(x.src.clone());
            notation.registry.push(y.src.clone());
        }
        let d = x.flags ^ y.flags;
        let pair = || format!("{} ↔ {}", src_text(a, &x.src), src_text(b, &y.src));
        if d & HALF != 0 {
            rs.add(Rule::HalfWidthKana, "半角カナと全角カナの違い");
        }
        if d & HIRA != 0 {
            rs.add(Rule::Hiragana, "ひらがなとカタカナの違い");
        }
        if d & WIDTH != 0 {
            rs.add(Rule::Width, "全角と半角の違い");
        }
        if d & SMALL != 0 {
            rs.add(
                Rule::SmallKana,
                format!("小さい文字と大きい文字の違い: {}", pair()),
            );
        }
        if d & DI != 0 {
            rs.add(Rule::DiJi, format!("ヂとジの違い: {}", pair()));
        }
        if d & DU != 0 {
            rs.add(Rule::DuZu, format!("ヅとズの違い: {}", pair()));
        }
        if d & VU != 0 {
            rs.add(Rule::VuBu, format!("ヴとブなどの違い: {}", pair()));
        }
        if d & LONG != 0 {
            rs.add(
                Rule::LongVowelMark,
                format!("長音記号の書き方の違い: {}", pair()),
            );
        }
        if d & MARK != 0 {
            rs.add(Rule::VoicedMark, "濁点・半濁点の書き方の違い");
        }
        i += 1;
        j += 1;
    }
    let differ = Highlight {
        insurer: merge_ranges(ma.iter().map(|&k| ua[k].src.clone()).collect()),
        registry: merge_ranges(mb.iter().map(|&k| ub[k].src.clone()).collect()),
    };
    if !differ.insurer.is_empty() || !differ.registry.is_empty() {
        rs.add(Rule::CharsDiffer, chars_differ_reason(a, b, &differ));
    }
    rs.finish_with(differ, notation)
}

/// Adds the space rule when the spaces differ in place or in how they are written.
pub(crate) fn compare_spaces(sa: &Spaces, sb: &Spaces, la: usize, lb: usize, rs: &mut Reasons) {
    // Leading and trailing spaces count like any other.
    let inner = |s: &Spaces, len: usize| -> Vec<usize> {
        s.iter()
            .filter(|(at, _)| *at > 0 && *at < len)
            .map(|(at, _)| *at)
            .collect()
    };
    let (pa, pb) = (inner(sa, la), inner(sb, lb));
    let runs = |s: &Spaces| s.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>();
    if pa.is_empty() != pb.is_empty() {
        rs.add(Rule::Space, "姓と名の間の空白が片方にない");
    } else if pa != pb {
        rs.add(Rule::Space, "空白の位置が異なる");
    } else if runs(sa) != runs(sb) {
        rs.add(Rule::Space, "空白の書き方の違い（全角・半角、数）");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::FieldVerdict::*;

    fn rules(a: &str, b: &str) -> (crate::compare::FieldVerdict, Vec<Rule>) {
        let e = explain(a, b);
        (e.verdict, e.reasons.iter().map(|r| r.rule).collect())
    }

    #[test]
    fn notation_of_kana() {
        assert_eq!(rules("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ").0, Notation);
        assert!(
            rules("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ")
                .1
                .contains(&Rule::HalfWidthKana)
        );
        assert_eq!(
            rules("ヤマダタロウ", "ヤマダ　タロウ"),
            (Notation, vec![Rule::Space])
        );
        assert_eq!(
            rules("やまだ　たろう", "ヤマダ　タロウ"),
            (Notation, vec![Rule::Hiragana])
        );
        assert_eq!(
            rules("キヨウコ", "キョウコ"),
            (Notation, vec![Rule::SmallKana])
        );
        assert_eq!(
            rules("ハツトリ", "ハットリ"),
            (Notation, vec![Rule::SmallKana])
        );
        assert_eq!(
            rules("ﾊｯﾄﾘ", "ハットリ"),
            (Notation, vec![Rule::HalfWidthKana])
        );
        assert_eq!(rules("ミカヅキ", "ミカズキ"), (Notation, vec![Rule::DuZu]));
        assert_eq!(rules("チヂワ", "チジワ"), (Notation, vec![Rule::DiJi]));
        assert_eq!(
            rules("ヴァイオレット", "バイオレット"),
            (Notation, vec![Rule::VuBu])
        );
        assert_eq!(
            rules("ヴィクター", "ビクター"),
            (Notation, vec![Rule::VuBu])
        );
        assert_eq!(rules("ﾘｰ", "リー").0, Notation);
        assert_eq!(rules("リ－", "リー"), (Notation, vec![Rule::LongVowelMark]));
        assert_eq!(
            rules("カ\u{3099}ク", "ガク"),
            (Notation, vec![Rule::VoicedMark])
        );
        assert_eq!(rules("ﾔﾏﾀﾞ  ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"), (Notation, vec![Rule::Space]));
    }

    #[test]
    fn real_differences_stay() {
        for (a, b) in [
            ("ヨウコ", "ヨーコ"),
            ("オオノ", "オーノ"),
            ("ヤマダ　タロウ", "ヤマダ　タロオ"),
            ("ヨウコ", "ヨシコ"),
            ("サトウ　ハナコ", "サトウ　ハルコ"),
            ("カトウ", "ガトウ"),
            ("ハマダ", "ハマタ"),
            ("ジュン", "シュン"),
        ] {
            assert_eq!(explain(a, b).verdict, Differs, "{a} {b}");
        }
        let e = explain("ﾔﾏﾀﾞ ﾀﾛｵ", "ヤマダ　タロウ");
        assert_eq!(e.verdict, Differs);
        assert_eq!(e.differ.insurer, vec![7..8]);
        assert_eq!(e.differ.registry, vec![6..7]);
        assert!(e.reasons.iter().any(|r| r.rule == Rule::HalfWidthKana));
        assert!(e.reasons.iter().any(|r| r.text == "異なる文字: ｵ ↔ ウ"));
    }

    #[test]
    fn key_hash_is_the_hash_of_the_key() {
        use std::hash::Hasher;
        for s in [
            "ヤマダ　タロウ",
            "ﾔﾏﾀﾞ ﾀﾛｳ",
            "キョウコ",
            "ヴィクター",
            "チヂワ",
            "リー",
            "やまだ",
            "サトウ　ハナコ",
        ] {
            let mut h = crate::compare::FxHasher::default();
            for c in key(s).chars() {
                h.write_u32(c as u32);
            }
            assert_eq!(key_hash(s), h.finish(), "{s}");
        }
        assert_eq!(key_hash("ﾔﾏﾀﾞ ﾀﾛｳ"), key_hash("ヤマダ　タロウ"));
        assert_ne!(key_hash("ヤマダ　タロウ"), key_hash("ヤマダ　タロオ"));
    }

    #[test]
    fn notation_ranges_for_the_lighter_highlight() {
        let e = explain("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ");
        assert_eq!(e.notation.insurer, vec![0..4, 5..8]);
        assert_eq!(e.notation.registry, vec![0..3, 4..7]);
        let e = explain("キヨウコ", "キョウコ");
        assert_eq!(e.notation.insurer, vec![1..2]);
        assert!(e.differ.insurer.is_empty());
    }

    #[test]
    fn given_name() {
        assert_eq!(given_name_key("ﾔﾏﾀﾞ ﾀﾛｳ").as_deref(), Some("タロウ"));
        assert_eq!(given_name_key("ヤマダタロウ"), None);
    }
}
