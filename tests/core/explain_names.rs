//! The variant table against real names (the gimei lists: 499 surnames, 13,208 given names).
//! Every pair of names that the engine calls notation of each other is joined by one or more
//! character pairs; those character pairs must be exactly the reviewed list below, each a
//! genuine old/new or customary form of one character. A change of the table that joins two
//! real names by another pair fails here until someone has looked at it: a wrong join would
//! call two different people's names the same (the dangerous error).

use totsugo_core::compare::variants::Variants;
use totsugo_core::compare::{FieldVerdict, kanji};

/// Reviewed by hand: 旧字体・異体字 and their common forms, as found joining real names.
const REVIEWED: &[(&str, &str)] = &[
    ("surnames", ""),
    ("male", "眞真 竜龍 駆駈"),
    (
        "female",
        "亜亞 來来 広廣 恵惠 暁曉 桜櫻 眞真 礼禮 穂穗 静靜",
    ),
];

fn names(tsv: &str) -> Vec<String> {
    tsv.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, _)| k.to_string())
        .collect()
}

/// The character pairs (smaller first) that join names of the list, sorted.
fn joining_pairs(list: &[String]) -> Vec<(char, char)> {
    let v = Variants::get();
    let chars: Vec<Vec<char>> = list.iter().map(|n| n.chars().collect()).collect();
    let mut pairs: Vec<(char, char)> = Vec::new();
    for (i, a) in list.iter().enumerate() {
        for (j, b) in list.iter().enumerate().skip(i + 1) {
            let (ca, cb) = (&chars[i], &chars[j]);
            // A quick filter (same length, each character the same or related), then the
            // engine itself decides.
            if a == b
                || ca.len() != cb.len()
                || !ca
                    .iter()
                    .zip(cb)
                    .all(|(x, y)| x == y || v.relation(*x, *y).is_some())
            {
                continue;
            }
            if kanji::explain(a, b, true).verdict != FieldVerdict::Notation {
                continue;
            }
            for (x, y) in a.chars().zip(b.chars()).filter(|(x, y)| x != y) {
                let p = if x < y { (x, y) } else { (y, x) };
                if !pairs.contains(&p) {
                    pairs.push(p);
                }
            }
        }
    }
    pairs.sort();
    pairs
}

#[test]
fn only_reviewed_variant_pairs_join_real_names() {
    for (file, tsv) in [
        ("surnames", include_str!("../../assets/names/surnames.tsv")),
        ("male", include_str!("../../assets/names/male.tsv")),
        ("female", include_str!("../../assets/names/female.tsv")),
    ] {
        let found: Vec<String> = joining_pairs(&names(tsv))
            .iter()
            .map(|(x, y)| format!("{x}{y}"))
            .collect();
        let reviewed = REVIEWED.iter().find(|(f, _)| *f == file).unwrap().1;
        assert_eq!(
            found.join(" "),
            reviewed,
            "{file}: the variant table joins these real names' characters; review them"
        );
    }
}
