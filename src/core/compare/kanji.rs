//! 漢字氏名: which differences are only notation.
//!
//! Spaces aside, the two names must pair up character for character, each pair being the same
//! character, the same after width folding, variants by the sourced table
//! ([`super::variants`]), or a ● (a character the registry could not send) against one other
//! character. A ● is accepted only when everything else in the name matches, the ●s are at
//! most half the name, and the カナ氏名 does not differ: the kana is the only other witness of
//! what the ● stood for. Look-alike characters that are not variants (斎/斉, 崎/埼, 祐/裕,
//! 治/冶) are different characters.

use std::ops::Range;

use super::variants::Variants;
use super::{
    FieldExplanation, Highlight, Reasons, Rule, chars_differ_reason, kana::compare_spaces,
    merge_ranges, unmatched,
};
use crate::text::fold_half_kana;

/// The character the registry sends in place of one it cannot send.
pub const UNSENDABLE: char = '●';

const WIDTH: u8 = 1;
const HALF: u8 = 2;

#[derive(Clone, Debug)]
struct Unit {
    key: char,
    src: Range<usize>,
    flags: u8,
}

fn units(s: &str) -> (Vec<Unit>, Vec<(usize, String)>) {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut spaces = Vec::new();
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
        let u = c as u32;
        if let Some((k, used)) = fold_half_kana(c, chars.get(i + 1).copied()) {
            let len = 1 + used as usize;
            out.push(Unit {
                key: k,
                src: i..i + len,
                flags: HALF,
            });
            i += len;
            continue;
        }
        let (key, flags) = if (0xFF01..=0xFF5E).contains(&u) {
            (char::from_u32(u - 0xFEE0).unwrap(), WIDTH)
        } else {
            (c, 0)
        };
        out.push(Unit {
            key,
            src: i..i + 1,
            flags,
        });
        i += 1;
    }
    (out, spaces)
}

/// The given name: the part after the last space inside the name, if there is one.
pub fn given_name(s: &str) -> Option<&str> {
    let t = s.trim();
    let at = t.rfind(char::is_whitespace)?;
    let given = t[at..].trim_start();
    (!given.is_empty()).then_some(given)
}

/// A key equal for names that differ only by spaces, width and variants (not ●).
pub fn key(s: &str) -> String {
    let v = Variants::get();
    units(s).0.iter().map(|u| v.canonical(u.key)).collect()
}

/// A hash of [`key`], without allocating where no width folding is needed.
pub fn key_hash(s: &str) -> u64 {
    use std::hash::Hasher;
    let v = Variants::get();
    let mut h = super::FxHasher::default();
    let folds = |c: char| ('\u{FF01}'..='\u{FF9F}').contains(&c);
    if s.chars().any(folds) {
        for u in units(s).0 {
            h.write_u32(v.canonical(u.key) as u32);
        }
    } else {
        for c in s.chars().filter(|c| !c.is_whitespace()) {
            h.write_u32(v.canonical(c) as u32);
        }
    }
    h.finish()
}

/// Explains the 漢字氏名 of the insurer (`a`) against the registry's (`b`). `kana_ok` says
/// whether the カナ氏名 is equal or notation: a ● is accepted only then.
pub fn explain(a: &str, b: &str, kana_ok: bool) -> FieldExplanation {
    if a == b {
        return FieldExplanation::equal();
    }
    let mut rs = Reasons::default();
    if a.trim().is_empty() || b.trim().is_empty() {
        rs.add(Rule::Missing, "漢字氏名が片方にありません");
        return rs.finish(Highlight::default());
    }
    let v = Variants::get();
    let (ua, sa) = units(a);
    let (ub, sb) = units(b);
    let pairs = |x: &Unit, y: &Unit| {
        x.key == y.key
            || ((x.key == UNSENDABLE) != (y.key == UNSENDABLE))
            || v.relation(x.key, y.key).is_some()
    };
    let (ma, mb) = unmatched(&ua, &ub, pairs);
    if ma.is_empty() && mb.is_empty() {
        compare_spaces(&sa, &sb, ua.len(), ub.len(), &mut rs);
    }
    let mut bullets: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let mut notation = Highlight::default();
    let (mut i, mut j) = (0, 0);
    while i < ua.len() && j < ub.len() {
        if ma.contains(&i) {
            i += 1;
            continue;
        }
        if mb.contains(&j) {
            j += 1;
            continue;
        }
        let (x, y) = (&ua[i], &ub[j]);
        if x.key != y.key || x.flags != y.flags {
            notation.insurer.push(x.src.clone());
            notation.registry.push(y.src.clone());
        }
        if x.key == y.key {
            let d = x.flags ^ y.flags;
            if d & WIDTH != 0 {
                rs.add(Rule::Width, "全角と半角の違い");
            }
            if d & HALF != 0 {
                rs.add(Rule::HalfWidthKana, "半角カナと全角カナの違い");
            }
        } else if x.key == UNSENDABLE || y.key == UNSENDABLE {
            bullets.push((x.src.clone(), y.src.clone()));
        } else if let Some(rel) = v.relation(x.key, y.key) {
            rs.add(
                Rule::VariantKanji,
                format!(
                    "異体字: {} ↔ {}（{}）",
                    x.key,
                    y.key,
                    rel.describe(x.key, y.key)
                ),
            );
        }
        i += 1;
        j += 1;
    }
    let mut differ = Highlight {
        insurer: merge_ranges(ma.iter().map(|&k| ua[k].src.clone()).collect()),
        registry: merge_ranges(mb.iter().map(|&k| ub[k].src.clone()).collect()),
    };
    let others_match = differ.insurer.is_empty() && differ.registry.is_empty();
    if !bullets.is_empty() {
        let n = bullets.len();
        let name_len = ua.len().max(ub.len());
        let accepted = others_match && kana_ok && n * 2 <= name_len;
        let shown: Vec<String> = bullets
            .iter()
            .map(|(ra, rb)| {
                let pick = |s: &str, r: &Range<usize>| -> String {
                    s.chars().skip(r.start).take(r.len()).collect()
                };
                format!("{} ↔ {}", pick(a, ra), pick(b, rb))
            })
            .collect();
        if accepted {
            rs.add(
                Rule::Unsendable,
                format!(
                    "「●」（住基から送信できない文字）を{n}文字として照合: {}",
                    shown.join("、")
                ),
            );
        } else {
            let why = if !kana_ok {
                "カナ氏名も異なるため、●の文字を確かめられません"
            } else if !others_match {
                "●以外の文字も異なります"
            } else {
                "●が多く、氏名を確かめられません"
            };
            rs.add(
                Rule::UnsendableNotAccepted,
                format!("「●」があります（{}）: {}", why, shown.join("、")),
            );
            for (ra, rb) in bullets {
                differ.insurer.push(ra);
                differ.registry.push(rb);
            }
            differ.insurer = merge_ranges(std::mem::take(&mut differ.insurer));
            differ.registry = merge_ranges(std::mem::take(&mut differ.registry));
        }
    }
    if !others_match {
        rs.add(Rule::CharsDiffer, chars_differ_reason(a, b, &differ));
    }
    rs.finish_with(differ, notation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::FieldVerdict::*;

    fn rules(a: &str, b: &str) -> (crate::compare::FieldVerdict, Vec<Rule>) {
        let e = explain(a, b, true);
        (e.verdict, e.reasons.iter().map(|r| r.rule).collect())
    }

    #[test]
    fn notation_of_kanji_names() {
        assert_eq!(
            rules("山田太郎", "山田　太郎"),
            (Notation, vec![Rule::Space])
        );
        assert_eq!(
            rules("山田 太郎", "山田　太郎"),
            (Notation, vec![Rule::Space])
        );
        assert_eq!(
            rules("高橋　一郎", "髙橋　一郎"),
            (Notation, vec![Rule::VariantKanji])
        );
        let e = explain("高橋　一郎", "髙橋　一郎", true);
        assert!(
            e.reasons[0]
                .text
                .starts_with("異体字: 高 ↔ 髙（MJ縮退マップ")
        );
        assert_eq!(rules("渡辺　花子", "渡邊　花子").0, Notation);
        assert_eq!(rules("渡邉　花子", "渡邊　花子").0, Notation);
        assert_eq!(rules("山崎　健", "山﨑　健").0, Notation);
        assert_eq!(rules("斎藤　健", "齋藤　健").0, Notation);
        assert_eq!(
            rules("吉田　太郎", "●田　太郎"),
            (Notation, vec![Rule::Unsendable])
        );
        assert_eq!(rules("ＪＯＨＮ", "JOHN"), (Notation, vec![Rule::Width]));
    }

    #[test]
    fn real_differences_stay() {
        for (a, b) in [
            ("斎藤　健", "斉藤　健"),
            ("山崎　健", "山埼　健"),
            ("佐藤　祐子", "佐藤　裕子"),
            ("田中　治", "田中　冶"),
            ("大田　一郎", "太田　一郎"),
            ("山田　太郎", "山田　次郎"),
            ("山田　太郎", "山田　太"),
        ] {
            assert_eq!(explain(a, b, true).verdict, Differs, "{a} {b}");
        }
        // ● needs everything else to match, the kana to agree, and to be at most half.
        assert_eq!(rules("吉田　次郎", "●田　太郎").0, Differs);
        assert_eq!(explain("吉田　太郎", "●田　太郎", false).verdict, Differs);
        assert_eq!(rules("吉田　太郎", "●●　●郎").0, Differs);
        assert_eq!(rules("吉田太郎", "●田太郎三").0, Differs);
        let e = explain("佐藤　祐子", "佐藤　裕子", true);
        assert_eq!(e.differ.insurer, vec![3..4]);
        assert_eq!(e.differ.registry, vec![3..4]);
    }

    #[test]
    fn keys_and_given_names() {
        assert_eq!(key("髙橋　一郎"), key("高橋一郎"));
        assert_ne!(key("斎藤"), key("斉藤"));
        assert_eq!(key_hash("髙橋　一郎"), key_hash("高橋一郎"));
        assert_eq!(key_hash("ＪＯＨＮ　ＳＭＩＴＨ"), key_hash("JOHN SMITH"));
        assert_ne!(key_hash("斎藤"), key_hash("斉藤"));
        assert_eq!(given_name("山田　太郎"), Some("太郎"));
        assert_eq!(given_name("山田太郎"), None);
    }
}
