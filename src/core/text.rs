//! Small, exact text helpers shared by the importer and the comparison rules.

/// Half-width katakana U+FF66..=U+FF9D mapped to full-width, in code-point order.
const HALF_KANA: [char; 56] = [
    'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー', 'ア', 'イ', 'ウ', 'エ', 'オ',
    'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ',
    'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ',
    'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ン',
];

/// Full-width katakana to half-width (with ﾞ/ﾟ as separate marks); `None` for anything else.
/// Used by the synthetic-data generator to write kana as insurer systems often do.
pub fn to_half_width_kana(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\u{3000}' {
            out.push(' ');
            continue;
        }
        if let Some(i) = HALF_KANA.iter().position(|&k| k == c) {
            out.push(char::from_u32(0xFF66 + i as u32).unwrap());
            continue;
        }
        // Voiced and semi-voiced: find the unvoiced base.
        let base = voiced_base(c);
        if let Some((b, mark)) = base
            && let Some(i) = HALF_KANA.iter().position(|&k| k == b)
        {
            out.push(char::from_u32(0xFF66 + i as u32).unwrap());
            out.push(mark);
            continue;
        }
        match c {
            '・' => out.push('･'),
            '「' => out.push('｢'),
            '」' => out.push('｣'),
            '。' => out.push('｡'),
            '、' => out.push('､'),
            _ => out.push(c),
        }
    }
    out
}

fn voiced_base(c: char) -> Option<(char, char)> {
    let u = c as u32;
    // ガ..ド (excluding ッ), バ..ポ in their unvoiced/voiced/semi-voiced triples.
    let dakuten = '\u{FF9E}';
    let handakuten = '\u{FF9F}';
    match c {
        'ヴ' => Some(('ウ', dakuten)),
        'ガ' | 'ギ' | 'グ' | 'ゲ' | 'ゴ' | 'ザ' | 'ジ' | 'ズ' | 'ゼ' | 'ゾ' | 'ダ' | 'ヂ'
        | 'ヅ' | 'デ' | 'ド' => Some((char::from_u32(u - 1)?, dakuten)),
        'バ' | 'ビ' | 'ブ' | 'ベ' | 'ボ' => Some((char::from_u32(u - 1)?, dakuten)),
        'パ' | 'ピ' | 'プ' | 'ペ' | 'ポ' => Some((char::from_u32(u - 2)?, handakuten)),
        _ => None,
    }
}

/// Folds width (full-width ASCII → ASCII, half-width katakana → full-width, combining the
/// voiced marks) and removes all spaces. This is the "trivial normalization" of the importer's
/// consistency checks: two values equal after it differ only in width and spacing.
pub fn fold_width_and_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let u = c as u32;
        if c.is_whitespace() {
            continue;
        }
        if (0xFF01..=0xFF5E).contains(&u) {
            out.push(char::from_u32(u - 0xFEE0).unwrap());
        } else if (0xFF66..=0xFF9D).contains(&u) {
            let base = HALF_KANA[(u - 0xFF66) as usize];
            match chars.peek() {
                Some('\u{FF9E}') if base == 'ウ' => {
                    chars.next();
                    out.push('ヴ');
                }
                Some('\u{FF9E}') if can_voice(base) => {
                    chars.next();
                    out.push(char::from_u32(base as u32 + 1).unwrap());
                }
                Some('\u{FF9F}') if can_semi_voice(base) => {
                    chars.next();
                    out.push(char::from_u32(base as u32 + 2).unwrap());
                }
                _ => out.push(base),
            }
        } else {
            match c {
                '\u{FF61}' => out.push('。'),
                '\u{FF62}' => out.push('「'),
                '\u{FF63}' => out.push('」'),
                '\u{FF64}' => out.push('、'),
                '\u{FF65}' => out.push('・'),
                '\u{FF9E}' => out.push('゛'),
                '\u{FF9F}' => out.push('゜'),
                _ => out.push(c),
            }
        }
    }
    out
}

/// A half-width katakana (U+FF66..=U+FF9D), with the voiced or semi-voiced mark that may
/// follow it, as one full-width katakana: `(char, whether the mark was used)`. `None` when
/// `c` is not half-width katakana.
pub(crate) fn fold_half_kana(c: char, next: Option<char>) -> Option<(char, bool)> {
    let u = c as u32;
    if !(0xFF66..=0xFF9D).contains(&u) {
        return None;
    }
    let base = HALF_KANA[(u - 0xFF66) as usize];
    Some(match next {
        Some('\u{FF9E}') if base == 'ウ' => ('ヴ', true),
        Some('\u{FF9E}') if can_voice(base) => (char::from_u32(base as u32 + 1).unwrap(), true),
        Some('\u{FF9F}') if can_semi_voice(base) => {
            (char::from_u32(base as u32 + 2).unwrap(), true)
        }
        _ => (base, false),
    })
}

/// The voiced (`semi == false`) or semi-voiced form of a full-width katakana, if it has one.
pub(crate) fn voiced_kana(c: char, semi: bool) -> Option<char> {
    match (c, semi) {
        ('ウ', false) => Some('ヴ'),
        (c, false) if can_voice(c) => char::from_u32(c as u32 + 1),
        (c, true) if can_semi_voice(c) => char::from_u32(c as u32 + 2),
        _ => None,
    }
}

fn can_voice(c: char) -> bool {
    matches!(
        c,
        'カ' | 'キ'
            | 'ク'
            | 'ケ'
            | 'コ'
            | 'サ'
            | 'シ'
            | 'ス'
            | 'セ'
            | 'ソ'
            | 'タ'
            | 'チ'
            | 'ツ'
            | 'テ'
            | 'ト'
            | 'ハ'
            | 'ヒ'
            | 'フ'
            | 'ヘ'
            | 'ホ'
    )
}

fn can_semi_voice(c: char) -> bool {
    matches!(c, 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ')
}

/// Full-width digits for ASCII digits (others unchanged).
pub fn to_full_width_digits(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_kana_folds_to_full_width_with_voiced_marks() {
        assert_eq!(fold_width_and_spaces("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダタロウ");
        assert_eq!(fold_width_and_spaces("ヤマダ　タロウ"), "ヤマダタロウ");
        assert_eq!(fold_width_and_spaces("ﾊﾟﾋﾟｳﾞ"), "パピヴ");
        assert_eq!(fold_width_and_spaces("赤坂１－１１"), "赤坂1-11");
        // Real differences survive.
        assert_ne!(
            fold_width_and_spaces("ﾀﾛｳ"),
            fold_width_and_spaces("タロオ")
        );
    }

    #[test]
    fn full_width_kana_round_trips_through_half_width() {
        for s in [
            "ヤマダ　タロウ",
            "ガギグゲゴ",
            "パピプペポ",
            "ヴィッキー",
            "ヲンー",
        ] {
            let half = to_half_width_kana(s);
            assert!(half.chars().all(|c| c == ' ' || (c as u32) >= 0xFF61));
            assert_eq!(fold_width_and_spaces(&half), fold_width_and_spaces(s));
        }
    }
}
