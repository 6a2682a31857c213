//! 住所: which differences are only notation.
//!
//! An address is read into tokens (characters of names, numbers with their unit, spaces) and
//! cut in three parts: the place (prefecture, city, town, 大字/字, and numbered places such as
//! 北1条), the house number (the first chain of numbers: 一丁目11番2号, 1-11-2, 12番地の3) and
//! the rest, the 方書 (building name and room).
//!
//! Notation: half-/full-width digits and letters; 漢数字 before 丁目/番/番地/号/条 (a kanji
//! numeral anywhere else is part of a name: 八丁堀, 十日町; 一番町 is read the same on both
//! sides); the unit words and connectors of the house number (丁目/番/番地/号/の/hyphen) when
//! the numbers are the same and no two explicit units contradict (2丁目 is not 2番); a
//! leading 大字/字 after the municipality on one side; ケ/ヶ/が; variant kanji; a ● for one
//! character; a 方書 on one side only. Anything else differs: another town, another number
//! in the house number, a missing one, another room.

use std::ops::Range;

use super::variants::Variants;
use super::{
    FieldExplanation, Highlight, Reasons, Rule, kanji::UNSENDABLE, merge_ranges, unmatched,
};
use crate::text::fold_half_kana;

const WIDTH: u8 = 1;
const HALF: u8 = 1 << 1;
const KE_SMALL: u8 = 1 << 2;
const KE_GA: u8 = 1 << 3;
const KANJI_NUM: u8 = 1 << 4;

/// What follows a number.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Unit {
    Chome,
    Ban,
    Banchi,
    Go,
    Room,
    Jo,
    Chiwari,
    Hyphen,
    No,
    Bare,
}

impl Unit {
    /// Units that name what the number is; hyphens, の and bare numbers name nothing.
    fn class(self) -> u8 {
        match self {
            Unit::Chome => 1,
            Unit::Ban | Unit::Banchi => 2,
            Unit::Go => 3,
            Unit::Room => 4,
            Unit::Jo => 5,
            Unit::Chiwari => 6,
            Unit::Hyphen | Unit::No | Unit::Bare => 0,
        }
    }

    fn compatible(self, o: Unit) -> bool {
        let (a, b) = (self.class(), o.class());
        a == 0 || b == 0 || a == b
    }

    fn in_house_number(self) -> bool {
        !matches!(self, Unit::Jo | Unit::Chiwari | Unit::Room)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Text(char),
    Num(u64, Unit),
    /// A number that is part of a town's name: 六番町, ６番町, 二番丁.
    NameNum(u64),
    Space,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    src: Range<usize>,
    flags: u8,
}

/// The kanji numerals read as numbers before a unit word (also used by [`crate::postal`]).
pub(crate) const KANJI_NUMERALS: &str = "〇一二三四五六七八九十百千";

/// Hyphen-like characters written between the numbers of a house number.
pub(crate) fn is_hyphen(c: char) -> bool {
    matches!(
        c,
        '-' | '‐' | '−' | '―' | '—' | '─' | 'ー' | '━' | '‑' | '–'
    )
}

/// The value of a kanji numeral: 二十三 = 23, 二〇一 = 201.
pub(crate) fn kanji_value(s: &[char]) -> Option<u64> {
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c);
    if s.iter().any(|c| "十百千".contains(*c)) {
        let (mut total, mut cur) = (0u64, 0u64);
        for &c in s {
            match c {
                '十' | '百' | '千' => {
                    let m = match c {
                        '十' => 10,
                        '百' => 100,
                        _ => 1000,
                    };
                    total += cur.max(1) * m;
                    cur = 0;
                }
                _ => cur = cur * 10 + digit(c)? as u64,
            }
        }
        Some(total + cur)
    } else {
        s.iter()
            .try_fold(0u64, |acc, &c| Some(acc * 10 + digit(c)? as u64))
    }
}

/// One character after width folding: (char, source range, flags).
fn fold(s: &str) -> Vec<(char, Range<usize>, u8)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some((k, used)) = fold_half_kana(c, chars.get(i + 1).copied()) {
            let len = 1 + used as usize;
            out.push((k, i..i + len, HALF));
            i += len;
            continue;
        }
        let u = c as u32;
        if (0xFF01..=0xFF5E).contains(&u) {
            out.push((char::from_u32(u - 0xFEE0).unwrap(), i..i + 1, WIDTH));
        } else {
            out.push((c, i..i + 1, 0));
        }
        i += 1;
    }
    out
}

fn tokens(s: &str) -> Vec<Token> {
    let f = fold(s);
    let ch = |k: usize| f.get(k).map(|x| x.0);
    let mut out: Vec<Token> = Vec::with_capacity(f.len());
    let mut i = 0;
    // A number (digits, or a kanji numeral followed by a unit) starting at `k`:
    // (value, end, is kanji).
    let number_at = |k: usize| -> Option<(u64, usize, bool)> {
        let mut e = k;
        while e < f.len() && f[e].0.is_ascii_digit() && e - k < 9 {
            e += 1;
        }
        if e > k {
            let v = f[k..e]
                .iter()
                .fold(0u64, |acc, x| acc * 10 + x.0.to_digit(10).unwrap() as u64);
            return Some((v, e, false));
        }
        while e < f.len() && KANJI_NUMERALS.contains(f[e].0) && e - k < 6 {
            e += 1;
        }
        if e == k {
            return None;
        }
        let next = ch(e);
        let after = ch(e + 1);
        let unit_follows = match next {
            Some('丁') => after == Some('目'),
            Some('番') => !matches!(after, Some('町' | '丁' | '通' | '街' | '館')),
            Some('号' | '条') => true,
            Some('地') => after == Some('割'),
            _ => false,
        };
        if !unit_follows {
            return None;
        }
        let digits: Vec<char> = f[k..e].iter().map(|x| x.0).collect();
        Some((kanji_value(&digits)?, e, true))
    };
    // A number that belongs to a town's name (六番町, ６番町, 一番丁, 二番通): digits or kanji
    // numerals followed by 番 and then 町/丁/通/街/館. (value, end, is kanji).
    let name_number_at = |k: usize| -> Option<(u64, usize, bool)> {
        let mut e = k;
        while e < f.len() && f[e].0.is_ascii_digit() && e - k < 4 {
            e += 1;
        }
        let kanji = e == k;
        if kanji {
            while e < f.len() && KANJI_NUMERALS.contains(f[e].0) && e - k < 4 {
                e += 1;
            }
        }
        if e == k
            || ch(e) != Some('番')
            || !matches!(ch(e + 1), Some('町' | '丁' | '通' | '街' | '館'))
        {
            return None;
        }
        let value = if kanji {
            let digits: Vec<char> = f[k..e].iter().map(|x| x.0).collect();
            kanji_value(&digits)?
        } else {
            f[k..e]
                .iter()
                .fold(0u64, |acc, x| acc * 10 + x.0.to_digit(10).unwrap() as u64)
        };
        Some((value, e, kanji))
    };
    while i < f.len() {
        let (c, ref src, flags) = f[i];
        let starts_word =
            i == 0 || !f[i - 1].0.is_ascii_digit() && !KANJI_NUMERALS.contains(f[i - 1].0);
        if starts_word && let Some((value, e, kanji)) = name_number_at(i) {
            let mut fl = f[i..e].iter().fold(0, |acc, x| acc | x.2);
            if kanji {
                fl |= KANJI_NUM;
            }
            out.push(Token {
                tok: Tok::NameNum(value),
                src: f[i].1.start..f[e - 1].1.end,
                flags: fl,
            });
            i = e;
            continue;
        }
        if c.is_whitespace() {
            let start = src.start;
            while i < f.len() && f[i].0.is_whitespace() {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Space,
                src: start..f[i - 1].1.end,
                flags: 0,
            });
            continue;
        }
        if let Some((value, e, kanji)) = number_at(i) {
            let mut fl = f[i..e].iter().fold(0, |acc, x| acc | x.2);
            if kanji {
                fl |= KANJI_NUM;
            }
            let (unit, mut end) = match (ch(e), ch(e + 1)) {
                (Some('丁'), Some('目')) => (Unit::Chome, e + 2),
                (Some('番'), Some('地')) => (Unit::Banchi, e + 2),
                (Some('番'), _) => (Unit::Ban, e + 1),
                (Some('号'), Some('室')) => (Unit::Room, e + 2),
                (Some('号'), _) => (Unit::Go, e + 1),
                (Some('条'), _) => (Unit::Jo, e + 1),
                (Some('地'), Some('割')) => (Unit::Chiwari, e + 2),
                (Some(h), _) if is_hyphen(h) && number_at(e + 1).is_some() => (Unit::Hyphen, e + 1),
                (Some('の' | 'ノ'), _) if number_at(e + 1).is_some() => (Unit::No, e + 1),
                _ => (Unit::Bare, e),
            };
            // 12番地の3, 3番-5: a connector after a unit word belongs to it.
            if matches!(unit, Unit::Ban | Unit::Banchi | Unit::Chome | Unit::Go)
                && let Some(h) = ch(end)
                && (is_hyphen(h) || h == 'の' || h == 'ノ')
                && number_at(end + 1).is_some()
            {
                end += 1;
            }
            out.push(Token {
                tok: Tok::Num(value, unit),
                src: f[i].1.start..f[end - 1].1.end,
                flags: fl,
            });
            i = end;
            continue;
        }
        let (key, extra) = match c {
            'ヶ' => ('ケ', KE_SMALL),
            'が' => ('ケ', KE_GA),
            _ => (c, 0),
        };
        out.push(Token {
            tok: Tok::Text(key),
            src: src.clone(),
            flags: flags | extra,
        });
        i += 1;
    }
    out
}

/// An address cut into its three parts.
struct Parts {
    place: Vec<Token>,
    number: Vec<Token>,
    rest: Vec<Token>,
    /// The 大字/字 dropped from the place.
    oaza: String,
}

fn parts(s: &str) -> Parts {
    let toks = tokens(s);
    let start = toks
        .iter()
        .position(|t| matches!(t.tok, Tok::Num(_, u) if u.in_house_number()));
    let (place, number, rest) = match start {
        None => (toks, Vec::new(), Vec::new()),
        Some(k) => {
            let mut e = k;
            while e < toks.len() && matches!(toks[e].tok, Tok::Num(_, u) if u.in_house_number()) {
                e += 1;
            }
            let rest: Vec<Token> = toks[e..]
                .iter()
                .skip_while(|t| t.tok == Tok::Space)
                .cloned()
                .collect();
            (toks[..k].to_vec(), toks[k..e].to_vec(), rest)
        }
    };
    let mut place: Vec<Token> = place.into_iter().filter(|t| t.tok != Tok::Space).collect();
    // 大字/字 after the municipality (市区町村郡), and 字 after a dropped 大字's name.
    let mut oaza = String::new();
    let mut k = 1;
    let mut after_oaza = false;
    while k < place.len() {
        let prev = &place[k - 1].tok;
        let muni = matches!(prev, Tok::Text('市' | '区' | '町' | '村' | '郡'));
        let next_is_name = |at: usize| matches!(place.get(at).map(|t| &t.tok), Some(Tok::Text(_)));
        if muni
            && place[k].tok == Tok::Text('大')
            && place.get(k + 1).map(|t| &t.tok) == Some(&Tok::Text('字'))
            && next_is_name(k + 2)
        {
            place.drain(k..k + 2);
            oaza.push_str("大字");
            after_oaza = true;
            continue;
        }
        if (muni || after_oaza) && place[k].tok == Tok::Text('字') && next_is_name(k + 1) && k > 1
        {
            place.remove(k);
            oaza.push('字');
            continue;
        }
        k += 1;
    }
    Parts {
        place,
        number,
        rest,
        oaza,
    }
}

fn text_of(s: &str, toks: &[Token]) -> String {
    match (toks.first(), toks.last()) {
        (Some(f), Some(l)) => s
            .chars()
            .skip(f.src.start)
            .take(l.src.end - f.src.start)
            .collect(),
        _ => String::new(),
    }
}

fn tok_eq(v: &Variants, x: &Token, y: &Token) -> bool {
    match (&x.tok, &y.tok) {
        (Tok::Text(a), Tok::Text(b)) => {
            a == b || ((*a == UNSENDABLE) != (*b == UNSENDABLE)) || v.relation(*a, *b).is_some()
        }
        (Tok::Num(a, ua), Tok::Num(b, ub)) => a == b && ua.compatible(*ub),
        (Tok::NameNum(a), Tok::NameNum(b)) => a == b,
        (Tok::Space, Tok::Space) => true,
        _ => false,
    }
}

/// Notation reasons of two tokens that pair up; the count of ● pairs goes to `bullets`.
fn pair_reasons(x: &Token, y: &Token, v: &Variants, rs: &mut Reasons, bullets: &mut usize) {
    let d = x.flags ^ y.flags;
    if d & WIDTH != 0 {
        rs.add(Rule::Width, "数字・英字の全角と半角の違い");
    }
    if d & HALF != 0 {
        rs.add(Rule::HalfWidthKana, "半角カナと全角カナの違い");
    }
    if d & (KE_SMALL | KE_GA) != 0 {
        rs.add(Rule::SmallKe, "地名の「ケ」「ヶ」「が」の違い");
    }
    if d & KANJI_NUM != 0 {
        rs.add(Rule::KanjiNumeral, "漢数字と算用数字の違い");
    }
    match (&x.tok, &y.tok) {
        (Tok::Text(a), Tok::Text(b)) if a != b => {
            if *a == UNSENDABLE || *b == UNSENDABLE {
                *bullets += 1;
            } else if let Some(rel) = v.relation(*a, *b) {
                rs.add(
                    Rule::VariantKanji,
                    format!("異体字: {a} ↔ {b}（{}）", rel.describe(*a, *b)),
                );
            }
        }
        (Tok::Num(_, ua), Tok::Num(_, ub)) if ua != ub => {
            rs.add(Rule::HouseNumberForm, "");
        }
        _ => {}
    }
}

fn src_ranges(toks: &[Token], idx: &[usize]) -> Vec<Range<usize>> {
    idx.iter().map(|&k| toks[k].src.clone()).collect()
}

/// Explains the 住所 of the insurer (`a`) against the registry's (`b`).
pub fn explain(a: &str, b: &str) -> FieldExplanation {
    if a == b {
        return FieldExplanation::equal();
    }
    let mut rs = Reasons::default();
    if a.trim().is_empty() || b.trim().is_empty() {
        rs.add(Rule::Missing, "住所が片方にありません");
        return rs.finish(Highlight::default());
    }
    let v = Variants::get();
    let (pa, pb) = (parts(a), parts(b));
    let mut differ = Highlight::default();
    let mut notation = Highlight::default();
    let mut form = Reasons::default();

    // The place.
    if pa.oaza != pb.oaza {
        rs.add(Rule::Oaza, "「大字」「字」の有無の違い");
    }
    let (ma, mb) = unmatched(&pa.place, &pb.place, |x, y| tok_eq(v, x, y));
    let mut bullets = 0;
    for (x, y) in paired(&pa.place, &pb.place, &ma, &mb) {
        pair_reasons(x, y, v, &mut form, &mut bullets);
        if x.tok != y.tok || x.flags != y.flags {
            notation.insurer.push(x.src.clone());
            notation.registry.push(y.src.clone());
        }
    }
    let place_len = pa.place.len().max(pb.place.len());
    if !ma.is_empty() || !mb.is_empty() {
        differ.insurer.extend(src_ranges(&pa.place, &ma));
        differ.registry.extend(src_ranges(&pb.place, &mb));
        let h = Highlight {
            insurer: merge_ranges(src_ranges(&pa.place, &ma)),
            registry: merge_ranges(src_ranges(&pb.place, &mb)),
        };
        rs.add(
            Rule::TownDiffers,
            format!(
                "町名などが異なる: {} ↔ {}",
                super::excerpt(a, &h.insurer),
                super::excerpt(b, &h.registry)
            ),
        );
    } else if bullets > 0 {
        // An address has no second witness like the kana of a name: accept at most two ●,
        // never side by side (a whole unknown word is not a character the registry could
        // not send).
        let adjacent = [&pa.place, &pb.place].iter().any(|p| {
            p.windows(2).any(|w| {
                w.iter()
                    .all(|t| matches!(t.tok, Tok::Text(c) if c == UNSENDABLE))
            })
        });
        if bullets <= 2 && !adjacent && bullets * 2 <= place_len {
            rs.add(
                Rule::Unsendable,
                format!("「●」（住基から送信できない文字）を{bullets}文字として照合"),
            );
        } else {
            rs.add(
                Rule::UnsendableNotAccepted,
                "「●」が多く、町名などを確かめられません",
            );
        }
    }

    // The house number.
    let (na, nb) = (text_of(a, &pa.number), text_of(b, &pb.number));
    match (pa.number.is_empty(), pb.number.is_empty()) {
        (true, true) => {}
        (false, true) | (true, false) => {
            differ
                .insurer
                .extend(pa.number.iter().map(|t| t.src.clone()));
            differ
                .registry
                .extend(pb.number.iter().map(|t| t.src.clone()));
            rs.add(
                Rule::HouseNumberDiffers,
                format!(
                    "番地が片方にありません: {} ↔ {}",
                    or_none(&na),
                    or_none(&nb)
                ),
            );
        }
        (false, false) => {
            let same_len = pa.number.len() == pb.number.len();
            let all_pair = same_len
                && pa
                    .number
                    .iter()
                    .zip(&pb.number)
                    .all(|(x, y)| tok_eq(v, x, y));
            if all_pair {
                let mut num_form = Reasons::default();
                let mut none = 0;
                for (x, y) in pa.number.iter().zip(&pb.number) {
                    pair_reasons(x, y, v, &mut num_form, &mut none);
                }
                if na != nb {
                    notation
                        .insurer
                        .extend(pa.number.iter().map(|t| t.src.clone()));
                    notation
                        .registry
                        .extend(pb.number.iter().map(|t| t.src.clone()));
                }
                if num_form.has(Rule::HouseNumberForm) {
                    rs.add(
                        Rule::HouseNumberForm,
                        format!("住所の番地表記の違い: {na} ↔ {nb}"),
                    );
                }
                for r in num_form.0 {
                    if r.rule != Rule::HouseNumberForm {
                        form.add(r.rule, r.text);
                    }
                }
            } else {
                let (ua, ub) = if same_len {
                    let bad: Vec<usize> = (0..pa.number.len())
                        .filter(|&k| !tok_eq(v, &pa.number[k], &pb.number[k]))
                        .collect();
                    (bad.clone(), bad)
                } else {
                    unmatched(&pa.number, &pb.number, |x, y| tok_eq(v, x, y))
                };
                let (ua, ub) = if ua.is_empty() && ub.is_empty() {
                    // Same numbers, but not as many of them: the whole number differs.
                    (
                        (0..pa.number.len()).collect(),
                        (0..pb.number.len()).collect(),
                    )
                } else {
                    (ua, ub)
                };
                differ.insurer.extend(src_ranges(&pa.number, &ua));
                differ.registry.extend(src_ranges(&pb.number, &ub));
                rs.add(
                    Rule::HouseNumberDiffers,
                    format!("番地・号が異なる: {na} ↔ {nb}"),
                );
            }
        }
    }

    // The 方書.
    let (ra, rb) = (text_of(a, &pa.rest), text_of(b, &pb.rest));
    match (pa.rest.is_empty(), pb.rest.is_empty()) {
        (true, true) => {}
        (false, true) => {
            notation
                .insurer
                .extend(pa.rest.iter().map(|t| t.src.clone()));
            rs.add(
                Rule::BuildingOneSide,
                format!("方書（建物名・部屋番号）が加入者側のみ: {ra}"),
            )
        }
        (true, false) => {
            notation
                .registry
                .extend(pb.rest.iter().map(|t| t.src.clone()));
            rs.add(
                Rule::BuildingOneSide,
                format!("方書（建物名・部屋番号）が住基側のみ: {rb}"),
            )
        }
        (false, false) => {
            let xa: Vec<Token> = pa
                .rest
                .iter()
                .filter(|t| t.tok != Tok::Space)
                .cloned()
                .collect();
            let xb: Vec<Token> = pb
                .rest
                .iter()
                .filter(|t| t.tok != Tok::Space)
                .cloned()
                .collect();
            let (ma, mb) = unmatched(&xa, &xb, |x, y| {
                tok_eq(v, x, y)
                    && !matches!((&x.tok, &y.tok), (Tok::Text(p), Tok::Text(q)) if (*p == UNSENDABLE) != (*q == UNSENDABLE))
            });
            if !(ma.is_empty() && mb.is_empty())
                && let Some((name_a, name_b)) = building_one_side(&xa, &xb, v)
            {
                // Seed 002's own example: 「東京都港区赤坂1-11 山田ビル2 201」 against
                // 「東京都港区赤坂1-11 201」 is 一致と判定可能.
                notation.insurer.extend(xa.iter().map(|t| t.src.clone()));
                notation.registry.extend(xb.iter().map(|t| t.src.clone()));
                let (side, name) = if name_a == 0 {
                    ("住基側", text_of(b, &xb[..name_b]))
                } else {
                    ("加入者側", text_of(a, &xa[..name_a]))
                };
                rs.add(
                    Rule::BuildingOneSide,
                    format!("建物名が{side}のみ（部屋番号は同じ）: {}", name.trim()),
                );
                form.0.retain(|r| r.rule != Rule::HouseNumberForm);
            } else if ma.is_empty() && mb.is_empty() {
                let mut none = 0;
                for (x, y) in xa.iter().zip(&xb) {
                    pair_reasons(x, y, v, &mut form, &mut none);
                }
                form.0.retain(|r| r.rule != Rule::HouseNumberForm);
                if ra != rb {
                    notation.insurer.extend(xa.iter().map(|t| t.src.clone()));
                    notation.registry.extend(xb.iter().map(|t| t.src.clone()));
                    rs.add(
                        Rule::BuildingForm,
                        format!("方書の書き方の違い: {ra} ↔ {rb}"),
                    );
                }
            } else {
                differ.insurer.extend(src_ranges(&xa, &ma));
                differ.registry.extend(src_ranges(&xb, &mb));
                rs.add(
                    Rule::BuildingDiffers,
                    format!("方書（建物名・部屋番号）が異なる: {ra} ↔ {rb}"),
                );
            }
        }
    }
    for r in form.0 {
        if r.rule != Rule::HouseNumberForm {
            rs.add(r.rule, r.text);
        }
    }
    if rs.has(Rule::TownDiffers) {
        // Another place: how the rest is written says nothing more.
        rs.0.retain(|r| !r.rule.is_notation());
        notation = Highlight::default();
    }
    differ.insurer = merge_ranges(differ.insurer);
    differ.registry = merge_ranges(differ.registry);
    rs.finish_with(differ, notation)
}

/// Where two 方書 end in the same room number and only one of them names a building before
/// it: the lengths of the building-name parts (one of them 0), else `None`.
fn building_one_side(xa: &[Token], xb: &[Token], v: &Variants) -> Option<(usize, usize)> {
    let (ra, rb) = (xa.last()?, xb.last()?);
    if !matches!(ra.tok, Tok::Num(..)) || !tok_eq(v, ra, rb) {
        return None;
    }
    let (na, nb) = (xa.len() - 1, xb.len() - 1);
    if (na == 0) == (nb == 0) {
        return None;
    }
    // The named side's part before the room must be a name (not another number alone).
    let named = if na > 0 { &xa[..na] } else { &xb[..nb] };
    if !named
        .iter()
        .any(|t| matches!(t.tok, Tok::Text(c) if c != UNSENDABLE))
    {
        return None;
    }
    Some((na, nb))
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "（なし）" } else { s }
}

/// The pairs of an alignment given the unmatched positions on each side.
fn paired<'a, T>(a: &'a [T], b: &'a [T], ma: &[usize], mb: &[usize]) -> Vec<(&'a T, &'a T)> {
    let xa = (0..a.len()).filter(|k| !ma.contains(k));
    let xb: Vec<usize> = (0..b.len()).filter(|k| !mb.contains(k)).collect();
    xa.zip(xb).map(|(i, j)| (&a[i], &b[j])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::FieldVerdict::{self, *};

    fn verdict(a: &str, b: &str) -> FieldVerdict {
        explain(a, b).verdict
    }

    fn rules(a: &str, b: &str) -> Vec<Rule> {
        explain(a, b).reasons.iter().map(|r| r.rule).collect()
    }

    #[test]
    fn kanji_numbers() {
        assert_eq!(kanji_value(&"二十三".chars().collect::<Vec<_>>()), Some(23));
        assert_eq!(kanji_value(&"十".chars().collect::<Vec<_>>()), Some(10));
        assert_eq!(
            kanji_value(&"二〇一".chars().collect::<Vec<_>>()),
            Some(201)
        );
        assert_eq!(kanji_value(&"百二".chars().collect::<Vec<_>>()), Some(102));
    }

    #[test]
    fn house_number_forms_are_notation() {
        let e = explain("東京都港区赤坂1-11", "東京都港区赤坂一丁目11番");
        assert_eq!(e.verdict, Notation);
        assert!(
            e.reasons
                .iter()
                .any(|r| r.text == "住所の番地表記の違い: 1-11 ↔ 一丁目11番"),
            "{:?}",
            e.reasons
        );
        assert_eq!(verdict("港区赤坂1-2-2", "港区赤坂1丁目2番地2号"), Notation);
        assert_eq!(
            verdict("港区赤坂１－２－２", "港区赤坂一丁目２番２号"),
            Notation
        );
        assert_eq!(verdict("南町12-3", "南町１２番地の３"), Notation);
        assert_eq!(verdict("南町12番地3", "南町１２番地の３"), Notation);
        assert_eq!(verdict("南町12ー3", "南町１２番地３"), Notation);
        assert!(rules("港区赤坂１丁目", "港区赤坂一丁目").contains(&Rule::KanjiNumeral));
        assert_eq!(
            verdict("札幌市中央区北1条西2-1", "札幌市中央区北一条西二丁目1番地"),
            Notation
        );
    }

    #[test]
    fn names_with_numerals_stay_names() {
        assert_eq!(
            verdict("中央区八丁堀2-3", "中央区八丁堀二丁目３番"),
            Notation
        );
        assert_eq!(
            verdict("千代田区一番町5-3", "千代田区一番町５番地３"),
            Notation
        );
        assert_eq!(
            verdict("十日町市本町1-1", "十日町市本町一丁目１番"),
            Notation
        );
        // Another town is another town.
        assert_eq!(
            verdict("中央区八丁堀2-3", "中央区七丁堀二丁目３番"),
            Differs
        );
        assert_eq!(
            verdict("千代田区一番町5-3", "千代田区二番町５番地３"),
            Differs
        );
    }

    #[test]
    fn oaza_ke_and_buildings() {
        assert_eq!(
            rules("糟屋郡新宮町上府120", "糟屋郡新宮町大字上府１２０番地"),
            vec![Rule::Oaza, Rule::HouseNumberForm, Rule::Width]
        );
        assert_eq!(
            verdict("千代田区霞ヶ関1-2", "千代田区霞が関一丁目２番"),
            Notation
        );
        assert_eq!(
            verdict("千代田区霞ケ関1-2", "千代田区霞が関一丁目２番"),
            Notation
        );
        let e = explain("港区赤坂1-2-3 サンハイツ201", "港区赤坂一丁目２番３号");
        assert_eq!(e.verdict, Notation);
        assert!(e.reasons.iter().any(|r| r.rule == Rule::BuildingOneSide));
        assert_eq!(
            verdict(
                "港区赤坂1-2-3 サンハイツ 201",
                "港区赤坂一丁目２番３号　サンハイツ２０１号室"
            ),
            Notation
        );
    }

    #[test]
    fn real_differences_stay() {
        // Another room, 番地, 号, town; a number missing; units that contradict.
        for (a, b) in [
            (
                "港区赤坂1-2-3 サンハイツ202",
                "港区赤坂一丁目２番３号　サンハイツ２０１号室",
            ),
            ("港区赤坂1-2-4", "港区赤坂一丁目２番３号"),
            ("港区赤坂1-3-3", "港区赤坂一丁目２番３号"),
            ("港区赤坂2-2-3", "港区赤坂一丁目２番３号"),
            ("港区赤坂1-2", "港区赤坂一丁目２番３号"),
            ("港区青山1-2-3", "港区赤坂一丁目２番３号"),
            ("港区赤坂2丁目3", "港区赤坂２番３号"),
            ("港区赤坂1-2-3", "港区赤坂"),
            ("南町12-3", "北町１２番地の３"),
        ] {
            assert_eq!(verdict(a, b), Differs, "{a} / {b}");
        }
        let e = explain("港区赤坂1-2-4", "港区赤坂一丁目２番３号");
        assert_eq!(e.differ.insurer, vec![8..9]);
        assert_eq!(e.differ.registry, vec![9..11]);
    }

    #[test]
    fn unsendable_in_an_address() {
        assert_eq!(
            verdict("大阪市北区梅田1-2", "大阪市北区●田一丁目２番"),
            Notation
        );
        assert_eq!(
            verdict("大阪市北区梅田1-3", "大阪市北区●田一丁目２番"),
            Differs
        );
    }
}

#[cfg(test)]
mod seed_examples {
    use super::*;
    use crate::compare::FieldVerdict::*;

    #[test]
    fn the_seeds_own_example_of_a_judgeable_address_is_notation() {
        // Seed 002, 突合結果ファイルの通知イメージ: 「東京都港区赤坂1-11 山田ビル2 201」 against
        // 「東京都港区赤坂1-11 201」, labelled 「一致と判定可能」.
        let e = explain("東京都港区赤坂1-11 山田ビル2 201", "東京都港区赤坂1-11 201");
        assert_eq!(e.verdict, Notation, "{:?}", e.reasons);
        assert!(
            e.reasons
                .iter()
                .any(|r| r.rule == Rule::BuildingOneSide && r.text.contains("山田ビル2")),
            "{:?}",
            e.reasons
        );
        // The other way round, and with 号室.
        assert_eq!(
            explain("東京都港区赤坂1-11 201", "東京都港区赤坂1-11 山田ビル2 201").verdict,
            Notation
        );
        assert_eq!(
            explain(
                "東京都港区赤坂1-11 山田ビル2 201号室",
                "東京都港区赤坂一丁目11番 201"
            )
            .verdict,
            Notation
        );
        // Never notation: another room, or two different buildings.
        assert_eq!(
            explain("東京都港区赤坂1-11 山田ビル2 201", "東京都港区赤坂1-11 202").verdict,
            Differs
        );
        assert_eq!(
            explain(
                "東京都港区赤坂1-11 山田ビル 201",
                "東京都港区赤坂1-11 川田ハイツ 201"
            )
            .verdict,
            Differs
        );
        assert_eq!(
            explain("東京都港区赤坂1-11 2 201", "東京都港区赤坂1-11 201").verdict,
            Differs,
            "a number alone before the room is not a building name"
        );
    }

    #[test]
    fn a_town_name_with_a_number_keeps_the_house_number_and_the_building_apart() {
        // 六番町, ６番町, 二番町: the number is the town's name, not the house number.
        let e = explain("東京都千代田区六番町1-2", "東京都千代田区６番町１－２");
        assert_eq!(e.verdict, Notation, "{:?}", e.reasons);
        assert!(
            e.reasons.iter().any(|r| r.rule == Rule::KanjiNumeral),
            "{:?}",
            e.reasons
        );
        assert_eq!(
            explain(
                "東京都千代田区二番町3番地 二番町ハイツ 305",
                "東京都千代田区二番町３ 305"
            )
            .verdict,
            Notation
        );
        assert_eq!(
            explain("東京都千代田区六番町1-2", "東京都千代田区五番町1-2").verdict,
            Differs
        );
        assert_eq!(
            explain("東京都千代田区６番町1-2", "東京都千代田区６番町1-3").verdict,
            Differs
        );
        // The seed's example in such a town: building one side, same room.
        assert_eq!(
            explain(
                "東京都千代田区六番町1-11 山田ビル2 201",
                "東京都千代田区６番町1-11 201"
            )
            .verdict,
            Notation
        );
    }
}
