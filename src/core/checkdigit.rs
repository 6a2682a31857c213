//! Check digits of the My Number (個人番号) and of the insurer number (保険者番号).

/// Computes the check digit (検査用数字) of a My Number from its first 11 digits
/// (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 第8条,
/// 総務省令第85号 第5条): P(n) counts from the right, Q(n) = n+1 for n ≤ 6, n−5 for n ≥ 7,
/// check = 11 − (Σ P(n)·Q(n) mod 11), and 0 where the remainder is 0 or 1.
///
/// `digits` must be exactly 11 ASCII digits; returns `None` otherwise.
pub fn my_number_check_digit(digits: &str) -> Option<u8> {
    let b = digits.as_bytes();
    if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut sum = 0u32;
    for n in 1..=11u32 {
        let p = (b[11 - n as usize] - b'0') as u32;
        let q = if n <= 6 { n + 1 } else { n - 5 };
        sum += p * q;
    }
    let r = sum % 11;
    Some(if r <= 1 { 0 } else { (11 - r) as u8 })
}

/// Whether a 12-digit My Number carries a correct check digit.
pub fn my_number_is_valid(number: &str) -> bool {
    let b = number.as_bytes();
    b.len() == 12
        && my_number_check_digit(&number[..11]).is_some_and(|c| c == b[11].wrapping_sub(b'0'))
}

/// Computes the check digit (検証番号) of an insurer number from the digits before it
/// (保険者番号設定要領): from the last digit leftwards multiply by 2, 1, 2, 1 …, add the
/// products (a two-digit product counts as the sum of its digits), and take 10 minus the
/// last digit of the sum (0 when that digit is 0).
///
/// `digits` must be ASCII digits (5 for 市町村国保, 7 for the 8-digit numbers).
pub fn insurer_check_digit(digits: &str) -> Option<u8> {
    let b = digits.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut sum = 0u32;
    for (i, d) in b.iter().rev().enumerate() {
        let p = (d - b'0') as u32 * if i % 2 == 0 { 2 } else { 1 };
        sum += p / 10 + p % 10;
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// Whether an insurer number (6 or 8 digits) carries a correct check digit.
pub fn insurer_number_is_valid(number: &str) -> bool {
    let b = number.as_bytes();
    (b.len() == 6 || b.len() == 8)
        && insurer_check_digit(&number[..b.len() - 1])
            .is_some_and(|c| c == b[b.len() - 1].wrapping_sub(b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insurer_number_example_from_the_setting_rules() {
        // 33120015: 法別33, 都道府県12, 保険者別001, 検証番号5 (the worked example).
        assert_eq!(insurer_check_digit("3312001"), Some(5));
        assert!(insurer_number_is_valid("33120015"));
        assert!(!insurer_number_is_valid("33120016"));
        assert!(!insurer_number_is_valid("3312001"));
        // A sum ending in 0 gives 0.
        assert_eq!(insurer_check_digit("0000000"), Some(0));
    }

    #[test]
    fn my_number_check_digit_follows_the_ordinance() {
        // 12345678901: Σ = 1·6+2·5+3·4+4·3+5·2+6·7+7·6+8·5+9·4+0·3+1·2 = 212, 212 mod 11 = 3 → 8.
        assert_eq!(my_number_check_digit("12345678901"), Some(8));
        assert!(my_number_is_valid("123456789018"));
        assert!(!my_number_is_valid("123456789012"));
        assert!(!my_number_is_valid("12345678901"));
        assert!(!my_number_is_valid("12345678901a"));
        // Remainder 0 or 1 gives 0.
        assert_eq!(my_number_check_digit("00000000000"), Some(0));
    }
}
