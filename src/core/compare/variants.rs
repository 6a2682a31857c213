//! Variant kanji (異体字) from a real, sourced table: the MJ縮退マップ of the MJ character
//! information list (文字情報技術促進協議会 / IPA, CC BY-SA 2.1 JP), as embedded by the
//! `jntajis` crate, filtered by `tools/variants` into `assets/variants/mj-shrink.tsv`
//! (see `tools/variants/README.md`).
//!
//! Only mappings with an official basis are kept: JIS包摂規準・UCS統合規則, 法務省告示582号
//! 別表第四, 法務省戸籍法関連通達・通知. Mappings made only by 読み・字形による類推 are left out.
//! A plain code point takes the mappings of its default glyph only (実装したUCS), never those
//! of glyphs reachable only with an IVS; and a reviewed list (`assets/variants/exclude.tsv`)
//! leaves out mappings between characters that differ in ordinary use (功/切, 宍/肉 …).
//! Two characters are variants of each other when one maps to the other, or both map to the
//! same character (邊→辺, 邉→辺: 邊 and 邉 are variants).

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../../assets/variants/mj-shrink.tsv");

/// The basis of a mapping.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Basis {
    /// JIS包摂規準・UCS統合規則.
    JisUcs,
    /// 法務省告示582号別表第四.
    Moj582,
    /// 法務省戸籍法関連通達・通知.
    MojKoseki,
}

impl Basis {
    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    fn from_key(k: &str) -> Option<Basis> {
        match k {
            "jis_ucs" => Some(Basis::JisUcs),
            "moj582" => Some(Basis::Moj582),
            "moj_koseki" => Some(Basis::MojKoseki),
            _ => None,
        }
    }

    /// The basis as the clerk reads it.
    pub fn label_ja(self) -> &'static str {
        match self {
            Basis::JisUcs => "JIS包摂規準・UCS統合規則",
            Basis::Moj582 => "法務省告示582号別表第四",
            Basis::MojKoseki => "法務省戸籍法関連通達",
        }
    }

    fn all_in(bits: u8) -> Vec<Basis> {
        [Basis::Moj582, Basis::MojKoseki, Basis::JisUcs]
            .into_iter()
            .filter(|b| bits & b.bit() != 0)
            .collect()
    }
}

/// The loaded table: for each variant, its standard forms with the bases.
pub struct Variants {
    to: HashMap<char, Vec<(char, u8)>, super::FxBuild>,
}

/// How two characters are related, when they are variants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    /// The common standard form (one of the two, or a third character).
    pub via: char,
    /// The bases of the mappings used.
    pub bases: Vec<Basis>,
}

impl Relation {
    /// 「MJ縮退マップ: 法務省告示582号別表第四」, or with the common form when it is neither
    /// character.
    pub fn describe(&self, a: char, b: char) -> String {
        let bases: Vec<&str> = self.bases.iter().map(|b| b.label_ja()).collect();
        if self.via == a || self.via == b {
            format!("MJ縮退マップ: {}", bases.join("・"))
        } else {
            format!(
                "ともに{}の異体字、MJ縮退マップ: {}",
                self.via,
                bases.join("・")
            )
        }
    }
}

impl Variants {
    /// The table bundled with totsugo.
    pub fn get() -> &'static Variants {
        static V: OnceLock<Variants> = OnceLock::new();
        V.get_or_init(|| Variants::parse(TABLE))
    }

    fn parse(text: &str) -> Variants {
        let mut to: HashMap<char, Vec<(char, u8)>, super::FxBuild> = HashMap::default();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut it = line.split('\t');
            let (Some(v), Some(t), Some(bases)) = (it.next(), it.next(), it.next()) else {
                continue;
            };
            let (mut vc, mut tc) = (v.chars(), t.chars());
            let (Some(v), None, Some(t), None) = (vc.next(), vc.next(), tc.next(), tc.next())
            else {
                continue;
            };
            let bits = bases
                .split(',')
                .filter_map(|b| Basis::from_key(b.trim()))
                .fold(0u8, |acc, b| acc | b.bit());
            if bits != 0 && v != t {
                to.entry(v).or_default().push((t, bits));
            }
        }
        Variants { to }
    }

    /// Number of variant characters in the table.
    pub fn len(&self) -> usize {
        self.to.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.to.is_empty()
    }

    fn targets(&self, c: char) -> &[(char, u8)] {
        self.to.get(&c).map(Vec::as_slice).unwrap_or(&[])
    }

    /// How `a` and `b` are variants of each other, or `None` when they are not (or are the
    /// same character).
    pub fn relation(&self, a: char, b: char) -> Option<Relation> {
        if a == b {
            return None;
        }
        if let Some((_, bits)) = self.targets(a).iter().find(|(t, _)| *t == b) {
            return Some(Relation {
                via: b,
                bases: Basis::all_in(*bits),
            });
        }
        if let Some((_, bits)) = self.targets(b).iter().find(|(t, _)| *t == a) {
            return Some(Relation {
                via: a,
                bases: Basis::all_in(*bits),
            });
        }
        for (ta, ba) in self.targets(a) {
            if let Some((_, bb)) = self.targets(b).iter().find(|(tb, _)| tb == ta) {
                return Some(Relation {
                    via: *ta,
                    bases: Basis::all_in(ba | bb),
                });
            }
        }
        None
    }

    /// A representative of the character's variant group, for keys that must be equal for
    /// variants (cross-record checks): the smallest standard form, or the character itself.
    pub fn canonical(&self, c: char) -> char {
        self.targets(c).iter().map(|(t, _)| *t).min().unwrap_or(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variants_clerks_meet() {
        let v = Variants::get();
        assert!(v.len() > 1000, "table has {} entries", v.len());
        for (a, b) in [
            ('高', '髙'),
            ('崎', '﨑'),
            ('辺', '邊'),
            ('辺', '邉'),
            ('邊', '邉'),
            ('斎', '齋'),
            ('沢', '澤'),
            ('浜', '濱'),
            ('広', '廣'),
            ('桜', '櫻'),
            ('国', '國'),
            ('島', '嶋'),
            ('徳', '德'),
            ('恵', '惠'),
            ('真', '眞'),
            ('富', '冨'),
            ('蔵', '藏'),
        ] {
            assert!(v.relation(a, b).is_some(), "{a}/{b} should be variants");
            assert!(v.relation(b, a).is_some(), "{b}/{a} should be variants");
        }
    }

    #[test]
    fn look_alikes_are_not_variants() {
        let v = Variants::get();
        for (a, b) in [
            ('斎', '斉'),
            ('齋', '斉'),
            ('崎', '埼'),
            ('祐', '裕'),
            ('治', '冶'),
            ('大', '太'),
            ('己', '巳'),
            ('己', '已'),
            ('未', '末'),
            ('士', '土'),
            ('網', '綱'),
            ('玉', '王'),
            ('着', '著'),
            ('師', '帥'),
            ('書', '昼'),
            ('切', '功'),
            ('孩', '咳'),
            ('徳', '得'),
            ('隹', '佳'),
            ('槁', '橋'),
        ] {
            assert!(v.relation(a, b).is_none(), "{a}/{b} must not be variants");
        }
    }
}
