//! Masking of personal data for every place that is not a screen or document meant to show it
//! (terminal summaries, logs, error messages).

/// A My Number as `********1234`: eight stars and at most the last four characters.
pub fn my_number(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("********{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(super::my_number("123456789018"), "********9018");
        assert_eq!(super::my_number("12"), "********12");
    }
}
