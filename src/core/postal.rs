//! 郵便番号: looking up the postal code of an address, and the insurer's optional mailing list.
//!
//! The match-result file has addresses but no postal codes. [`PostalIndex`] finds the code
//! from the address with the Japan Post town list (KEN_ALL, bundled as
//! `assets/towns/towns.tsv.gz`, see `assets/LICENSES.md`); the clerk confirms or corrects what
//! it finds. A [`MailingList`] (a CSV the insurer exports: card symbol/number/branch → postal
//! code and mailing address) takes precedence over the lookup.
//!
//! Matching. Address and town list are read through the same key ([`address_key`]): width and
//! spaces folded, variant kanji to one form, ケ/ヶ/ヵ/が as ケ, ノ as の, 漢数字 before
//! 丁目/条/線/番/号/地割 as digits. The prefecture is optional (inferred from the city when the
//! city name is unique, or from the town when it is not); the 郡 may be left out (葛巻町 for
//! 岩手郡葛巻町), and so may the city of a ward (中央区大通西); a 大字 or 字 before the town
//! is skipped. Kyoto's street-first addresses (寺町通御池上る上本能寺前町) find the town inside
//! the text, as candidates. The longest prefecture + city + town wins; what follows (丁目, house
//! number, building) is left alone, so 町域 大通西 matches 大通西3丁目.
//!
//! KEN_ALL's special town values are already resolved in the bundled asset: 「以下に掲載がない
//! 場合」 and 「○○の次に番地がくる場合」 are the empty town (the city-level code, used when the
//! address has no town name, only numbers), and parenthesised notes (「（次のビルを除く）」,
//! 「（１～１９丁目）」, 地割 ranges) are removed. [`clean_town`] does the same should a raw
//! KEN_ALL town ever be read. High-rise buildings keep one row each, with the 地階・階層不明
//! code (ending in 90); the per-floor rows are not in the asset. A building named in the
//! address gives that code; with a floor (12階) the floor's code is derived by Japan Post's
//! numbering (the first five digits and the floor, 01–89) and offered with the 90 code as
//! candidates, since the asset cannot confirm it. Because the 丁目 ranges were removed, a town
//! listed under two codes (大通西: 1～19丁目 and 20～28丁目) gives both as candidates.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::sync::OnceLock;

use crate::compare::address::{KANJI_NUMERALS, is_hyphen, kanji_value};
use crate::compare::variants::Variants;
use crate::encoding::{self, EncodingChoice, FileEncoding};
use crate::text::fold_width_and_spaces;

/// At most this many candidates are returned.
pub const MAX_CANDIDATES: usize = 10;

/// One postal code and the place it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Seven digits, e.g. `"0600042"`.
    pub code: String,
    /// Prefecture, city and town as Japan Post writes them (e.g. 「北海道札幌市中央区大通西」).
    pub place: String,
}

/// What [`PostalIndex::lookup`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// One code: prefecture, city and town matched (the rest of the address is house
    /// numbers or a building).
    Exact {
        /// Seven digits.
        code: String,
        /// The place that matched, as Japan Post writes it.
        matched: String,
    },
    /// Several codes for the clerk to choose from (at most [`MAX_CANDIDATES`]): the town is
    /// listed under several codes, or only the city matched (then the city-level code comes
    /// first, followed by the towns that begin like the address).
    Candidates(Vec<Candidate>),
    /// No city of the town list is in the address.
    NotFound,
}

impl Lookup {
    /// The code when there is exactly one.
    pub fn exact_code(&self) -> Option<&str> {
        match self {
            Lookup::Exact { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Every code offered, the exact one or the candidates, in order.
    pub fn codes(&self) -> Vec<&str> {
        match self {
            Lookup::Exact { code, .. } => vec![code.as_str()],
            Lookup::Candidates(c) => c.iter().map(|c| c.code.as_str()).collect(),
            Lookup::NotFound => Vec::new(),
        }
    }
}

/// `"0600042"` → `"〒060-0042"`. Anything but seven digits (after width folding, an optional
/// hyphen and 〒) is returned unchanged.
pub fn format_code(code: &str) -> String {
    match normalize_code(code) {
        Some(c) => format!("〒{}-{}", &c[..3], &c[3..]),
        None => code.to_string(),
    }
}

/// A postal code as seven ASCII digits: accepts `1234567`, `123-4567`, full-width digits and
/// hyphens, a leading 〒 and spaces. `None` for anything else.
pub fn normalize_code(s: &str) -> Option<String> {
    let f = fold_width_and_spaces(s);
    let f = f.strip_prefix('〒').unwrap_or(&f);
    let chars: Vec<char> = f.chars().collect();
    let digits: String = match chars.len() {
        7 => chars.iter().collect(),
        8 if is_hyphen(chars[3]) => chars[..3].iter().chain(&chars[4..]).collect(),
        _ => return None,
    };
    digits.chars().all(|c| c.is_ascii_digit()).then_some(digits)
}

/// A KEN_ALL town (町域) as the index reads it: 「以下に掲載がない場合」 and 「○○の次に番地が
/// くる場合」 become empty (the city-level code), a parenthesised note is removed
/// (「大通西（２０～２８丁目）」 → 「大通西」, 「西新宿（次のビルを除く）」 → 「西新宿」),
/// and a building's floor note is removed (「新宿センタービル（地階・階層不明）」 →
/// 「新宿センタービル」).
pub fn clean_town(town: &str) -> &str {
    let t = town.trim();
    if t == "以下に掲載がない場合" || t.ends_with("の次に番地がくる場合") {
        return "";
    }
    match t.find(['（', '(']) {
        Some(i) => &t[..i],
        None => t,
    }
}

fn is_unit_after(chars: &[char], e: usize) -> bool {
    match (chars.get(e), chars.get(e + 1)) {
        (Some('丁'), Some('目')) | (Some('地'), Some('割')) => true,
        (Some('番'), next) => !matches!(next, Some('町' | '丁' | '通' | '街' | '館')),
        (Some('条' | '線' | '号'), _) => true,
        _ => false,
    }
}

/// The matching key of an address or a town name: spaces removed, width folded, variant
/// kanji to one representative, ケ/ヶ/ヵ/が → ケ, ノ → の, a hyphen after a digit → `-`, and
/// 漢数字 before 丁目/条/線/番/号/地割 as ASCII digits (二丁目 → 2丁目, 北一条 → 北1条).
pub fn address_key(s: &str) -> String {
    let variants = Variants::get();
    let chars: Vec<char> = fold_width_and_spaces(s).chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if KANJI_NUMERALS.contains(c) {
            let mut e = i;
            while e < chars.len() && KANJI_NUMERALS.contains(chars[e]) && e - i < 6 {
                e += 1;
            }
            if is_unit_after(&chars, e)
                && let Some(v) = kanji_value(&chars[i..e])
            {
                out.push_str(&v.to_string());
                i = e;
                continue;
            }
        }
        let c = match c {
            'ヶ' | 'ヵ' | 'が' => 'ケ',
            'ノ' => 'の',
            h if is_hyphen(h) && out.ends_with(|p: char| p.is_ascii_digit()) => '-',
            c => variants.canonical(c),
        };
        out.push(c);
        i += 1;
    }
    out
}

/// Byte offsets of the ends of the first 1..=max characters of `s`.
fn prefix_ends(s: &str, max: usize) -> impl Iterator<Item = usize> + '_ {
    s.char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .take(max)
}

struct Entry {
    code: u32,
    town: Box<str>,
}

struct City {
    pref: u8,
    name: Box<str>,
    /// The code of the empty town (以下に掲載がない場合), if any.
    code: Option<u32>,
    /// Town key → entries.
    towns: HashMap<Box<str>, Vec<u32>>,
    max_town: usize,
}

/// The Japan Post town list, indexed for [`PostalIndex::lookup`].
pub struct PostalIndex {
    prefs: Vec<Box<str>>,
    pref_keys: Vec<String>,
    entries: Vec<Entry>,
    cities: Vec<City>,
    /// City key (and the key without its 郡) → cities.
    city_keys: HashMap<Box<str>, Vec<u32>>,
    max_city: usize,
}

fn code_str(code: u32) -> String {
    format!("{code:07}")
}

/// One way of reading the address: a city, and perhaps a town in it.
struct Reading {
    city: u32,
    /// Characters matched (prefecture + city + town).
    score: usize,
    town: Option<(Box<str>, Vec<u32>)>,
    /// The normalized text after the town (or after the city when no town matched).
    rest: String,
}

impl PostalIndex {
    /// The index of the bundled town list, built on first use (about 0.17 s and 15 MiB of
    /// heap with optimised code; see `examples/postal_timing.rs`).
    pub fn get() -> &'static PostalIndex {
        static INDEX: OnceLock<PostalIndex> = OnceLock::new();
        INDEX.get_or_init(|| {
            let gz: &[u8] = include_bytes!("../../assets/towns/towns.tsv.gz");
            let mut text = String::new();
            flate2::read::GzDecoder::new(gz)
                .read_to_string(&mut text)
                .expect("the bundled town list is valid gzip UTF-8");
            PostalIndex::from_tsv(&text)
        })
    }

    /// Builds an index from TSV lines: postal code, prefecture, city, town (KEN_ALL's special
    /// town values are read as [`clean_town`] says). Lines that do not fit are skipped.
    pub fn from_tsv(text: &str) -> PostalIndex {
        let mut idx = PostalIndex {
            prefs: Vec::new(),
            pref_keys: Vec::new(),
            entries: Vec::new(),
            cities: Vec::new(),
            city_keys: HashMap::new(),
            max_city: 0,
        };
        let mut city_of: HashMap<(u8, &str), u32> = HashMap::new();
        for line in text.lines() {
            let mut it = line.split('\t');
            let (Some(code), Some(pref), Some(city), town) =
                (it.next(), it.next(), it.next(), it.next().unwrap_or(""))
            else {
                continue;
            };
            let Some(code) = normalize_code(code).and_then(|c| c.parse::<u32>().ok()) else {
                continue;
            };
            let p = match idx.prefs.iter().position(|p| &**p == pref) {
                Some(p) => p as u8,
                None => {
                    idx.prefs.push(pref.into());
                    idx.pref_keys.push(address_key(pref));
                    (idx.prefs.len() - 1) as u8
                }
            };
            let ci = *city_of.entry((p, city)).or_insert_with(|| {
                idx.cities.push(City {
                    pref: p,
                    name: city.into(),
                    code: None,
                    towns: HashMap::new(),
                    max_town: 0,
                });
                (idx.cities.len() - 1) as u32
            });
            let c = &mut idx.cities[ci as usize];
            let town = clean_town(town);
            if town.is_empty() {
                c.code.get_or_insert(code);
                continue;
            }
            let key = address_key(town);
            c.max_town = c.max_town.max(key.chars().count());
            let list = c.towns.entry(key.into()).or_default();
            if !list.iter().any(|&e| idx.entries[e as usize].code == code) {
                list.push(idx.entries.len() as u32);
                idx.entries.push(Entry {
                    code,
                    town: town.into(),
                });
            }
        }
        for (i, c) in idx.cities.iter().enumerate() {
            let key = address_key(&c.name);
            let mut keys = vec![key.clone()];
            // 岩手郡葛巻町 is also written 葛巻町.
            if let Some(k) = key.find('郡') {
                let short = &key[k + '郡'.len_utf8()..];
                if !short.is_empty() {
                    keys.push(short.to_string());
                }
            }
            // A ward of a designated city is also written alone (札幌市中央区 → 中央区); the
            // town then tells 中央区 of Sapporo from that of Tokyo.
            if key.ends_with('区')
                && let Some(k) = key.rfind('市')
            {
                let ward = &key[k + '市'.len_utf8()..];
                if ward.chars().count() > 1 {
                    keys.push(ward.to_string());
                }
            }
            for k in keys {
                idx.max_city = idx.max_city.max(k.chars().count());
                let list = idx.city_keys.entry(k.into()).or_default();
                if !list.contains(&(i as u32)) {
                    list.push(i as u32);
                }
            }
        }
        idx
    }

    /// Number of (code, town) entries, not counting the city-level codes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.cities.is_empty()
    }

    /// Number of municipalities (wards of a designated city count separately).
    pub fn city_count(&self) -> usize {
        self.cities.len()
    }

    /// Looks up the postal code of `address` (see the module documentation for the rules).
    pub fn lookup(&self, address: &str) -> Lookup {
        let key = address_key(address);
        let key = key.strip_prefix('〒').map_or(key.as_str(), |k| {
            // A postal code written before the address: skip it.
            k.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
        });
        let (pref, pref_len, rest) = match self
            .pref_keys
            .iter()
            .enumerate()
            .find(|(_, p)| key.starts_with(p.as_str()))
        {
            Some((i, p)) => (Some(i as u8), p.chars().count(), &key[p.len()..]),
            None => (None, 0, key),
        };
        let mut readings: Vec<Reading> = Vec::new();
        for end in prefix_ends(rest, self.max_city) {
            let Some(cities) = self.city_keys.get(&rest[..end]) else {
                continue;
            };
            let city_len = rest[..end].chars().count();
            for &ci in cities {
                let city = &self.cities[ci as usize];
                if pref.is_some_and(|p| p != city.pref) {
                    continue;
                }
                let after = &rest[end..];
                let mut best: Option<Reading> = None;
                // The town as written, or after a 大字/字 the town list leaves out.
                for skip in ["", "大字", "字"] {
                    let Some(t) = after.strip_prefix(skip) else {
                        continue;
                    };
                    if let Some((tend, list)) = prefix_ends(t, city.max_town)
                        .filter_map(|e| city.towns.get_key_value(&t[..e]).map(|kv| (e, kv)))
                        .last()
                    {
                        let score = pref_len + city_len + skip.chars().count() + tend;
                        if best.as_ref().is_none_or(|b| score > b.score) {
                            best = Some(Reading {
                                city: ci,
                                score,
                                town: Some((list.0.clone(), list.1.clone())),
                                rest: t[tend..].to_string(),
                            });
                        }
                    }
                }
                readings.push(best.unwrap_or(Reading {
                    city: ci,
                    score: pref_len + city_len,
                    town: None,
                    rest: after.to_string(),
                }));
            }
        }
        // The longest reading wins; a town match beats a city alone.
        let Some(top) = readings.iter().map(|r| (r.town.is_some(), r.score)).max() else {
            return Lookup::NotFound;
        };
        readings.retain(|r| (r.town.is_some(), r.score) == top);
        let mut out: Vec<Candidate> = Vec::new();
        let push = |out: &mut Vec<Candidate>, c: Candidate| {
            if !out.iter().any(|o| o.code == c.code) {
                out.push(c);
            }
        };
        for r in &readings {
            let city = &self.cities[r.city as usize];
            match &r.town {
                Some((tkey, list)) => {
                    if let Some(b) = self.building(city, tkey, &r.rest) {
                        for c in b {
                            push(&mut out, c);
                        }
                        continue;
                    }
                    for &e in list {
                        push(&mut out, self.candidate(city, Some(e)));
                    }
                }
                None => {
                    if city.code.is_some() {
                        push(&mut out, self.candidate(city, None));
                    }
                    // Only numbers after the city (○○の次に番地がくる場合): the city-level code.
                    if r.rest.starts_with(|c: char| c.is_ascii_digit()) && city.code.is_some() {
                        continue;
                    }
                    // 京都市: 寺町通御池上る上本能寺前町 (the street before the town), else the
                    // towns that begin like the address.
                    let inside = self.towns_inside(city, &r.rest);
                    let found = if inside.is_empty() {
                        self.similar_towns(city, &r.rest)
                    } else {
                        inside
                    };
                    for c in found {
                        push(&mut out, c);
                    }
                }
            }
        }
        out.truncate(MAX_CANDIDATES);
        let numbers_only = readings.len() == 1
            && readings[0].town.is_none()
            && readings[0].rest.starts_with(|c: char| c.is_ascii_digit());
        let town_matched = readings.iter().all(|r| r.town.is_some());
        if out.len() == 1 && (town_matched || numbers_only) {
            let c = out.pop().unwrap();
            return Lookup::Exact {
                code: c.code,
                matched: c.place,
            };
        }
        if out.is_empty() {
            return Lookup::NotFound;
        }
        Lookup::Candidates(out)
    }

    fn candidate(&self, city: &City, entry: Option<u32>) -> Candidate {
        let pref = &self.prefs[city.pref as usize];
        match entry {
            Some(e) => {
                let e = &self.entries[e as usize];
                Candidate {
                    code: code_str(e.code),
                    place: format!("{pref}{}{}", city.name, e.town),
                }
            }
            None => Candidate {
                code: code_str(city.code.unwrap_or(0)),
                place: format!("{pref}{}", city.name),
            },
        }
    }

    /// Towns of `city` named somewhere in `rest` (the longest names, at least two
    /// characters), in code order: Kyoto addresses put the street and its direction (寺町通
    /// 御池上る) before the town.
    fn towns_inside(&self, city: &City, rest: &str) -> Vec<Candidate> {
        let Some(best) = city
            .towns
            .keys()
            .filter(|k| k.chars().nth(1).is_some() && rest.contains(&***k))
            .map(|k| k.chars().count())
            .max()
        else {
            return Vec::new();
        };
        self.towns_where(city, |k| k.chars().count() == best && rest.contains(k))
    }

    /// The entries of the towns of `city` whose key passes `keep`, as candidates in code
    /// order (at most [`MAX_CANDIDATES`]).
    fn towns_where(&self, city: &City, keep: impl Fn(&str) -> bool) -> Vec<Candidate> {
        let mut es: Vec<u32> = city
            .towns
            .iter()
            .filter(|(k, _)| keep(k))
            .flat_map(|(_, l)| l.iter().copied())
            .collect();
        es.sort_by_key(|&e| (self.entries[e as usize].code, e));
        es.into_iter()
            .take(MAX_CANDIDATES)
            .map(|e| self.candidate(city, Some(e)))
            .collect()
    }

    /// Towns of `city` whose key shares the longest beginning (at least one character) with
    /// `rest`, in code order.
    fn similar_towns(&self, city: &City, rest: &str) -> Vec<Candidate> {
        let common = |k: &str| {
            k.chars()
                .zip(rest.chars())
                .take_while(|(a, b)| a == b)
                .count()
        };
        let best = city.towns.keys().map(|k| common(k)).max().unwrap_or(0);
        if best == 0 {
            return Vec::new();
        }
        self.towns_where(city, |k| common(k) == best)
    }

    /// A high-rise building of the town named in the rest of the address: its 地階・階層不明
    /// code, or with a floor the derived floor code and that code.
    fn building(&self, city: &City, town_key: &str, rest: &str) -> Option<Vec<Candidate>> {
        let (bkey, list) = city.towns.iter().find(|(k, l)| {
            k.len() > town_key.len()
                && k.starts_with(town_key)
                && k[town_key.len()..].chars().count() >= 2
                && rest.contains(&k[town_key.len()..])
                && l.iter().any(|&e| self.entries[e as usize].code % 100 == 90)
        })?;
        let e = *list
            .iter()
            .find(|&&e| self.entries[e as usize].code % 100 == 90)?;
        let base = self.candidate(city, Some(e));
        let name = &bkey[town_key.len()..];
        let after = &rest[rest.find(name).unwrap() + name.len()..];
        let floor = floor_of(after).filter(|f| (1..=89).contains(f));
        Some(match floor {
            None => vec![base],
            Some(f) => {
                let code = self.entries[e as usize].code / 100 * 100 + f;
                vec![
                    Candidate {
                        code: code_str(code),
                        place: format!("{} {f}階", base.place),
                    },
                    base,
                ]
            }
        })
    }
}

/// The floor in the text after a building name: the first `N階` (ASCII digits, after
/// [`address_key`]), skipping a leading room or hyphen.
fn floor_of(s: &str) -> Option<u32> {
    let i = s.find('階')?;
    let digits: String = s[..i]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    // 地下1階 is the basement: the 90 code.
    if digits.is_empty() || s[..i - digits.len()].ends_with("地下") {
        return None;
    }
    digits.parse().ok()
}

// ------------------------------------------------------------------------------------------
// The supplementary mailing list.

/// Where a letter's postal code comes from: the insurer's mailing list when it has the card,
/// else the lookup of the address in the match-result file.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved<'a> {
    /// The mailing list's row (its postal code, address and addressee take precedence).
    Mailing(&'a MailingAddress),
    /// The town-list lookup of the address, for the clerk to confirm or correct.
    Lookup(Lookup),
}

/// The postal code for a card: the mailing list's row if `list` has the card, else
/// `index.lookup(address)`.
pub fn resolve<'a>(
    list: Option<&'a MailingList>,
    index: &PostalIndex,
    card: (&str, &str, &str),
    address: &str,
) -> Resolved<'a> {
    match list.and_then(|l| l.get(card.0, card.1, card.2)) {
        Some(m) => Resolved::Mailing(m),
        None => Resolved::Lookup(index.lookup(address)),
    }
}

/// One row of the mailing list. Its `Debug` shows only the line and the postal code, never
/// the card, the address or the addressee.
#[derive(Clone, PartialEq, Eq)]
pub struct MailingAddress {
    /// 記号, as written (trimmed).
    pub symbol: String,
    /// 番号, as written (trimmed).
    pub number: String,
    /// 枝番, as written (trimmed; may be empty).
    pub branch: String,
    /// Seven ASCII digits.
    pub postal_code: String,
    /// The mailing address (住所 or 送付先住所).
    pub address: String,
    /// A different addressee (氏名/宛名 column, e.g. a guardian), when given.
    pub addressee: Option<String>,
    /// The line of the file (1 = the header).
    pub line: u64,
}

/// The insurer's mailing list: card symbol/number/branch → postal code and mailing address.
#[derive(Clone, Debug)]
pub struct MailingList {
    rows: Vec<MailingAddress>,
    by_key: HashMap<(String, String, String), usize>,
    encoding: FileEncoding,
}

/// Why a mailing list could not be read. The messages are for the clerk (Japanese), name the
/// line and the column, and never quote a person's name or address.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailingError {
    /// The file has no header row.
    #[error("ファイルが空です（1行目に 記号, 番号, 枝番, 郵便番号, 住所 の見出しが必要です）")]
    Empty,
    /// A required column is missing from the header.
    #[error(
        "1行目（見出し）: 「{column}」の列がありません（必要な列: 記号, 番号, 郵便番号, 住所）"
    )]
    MissingColumn {
        /// The column's name.
        column: &'static str,
    },
    /// A column appears twice in the header.
    #[error("1行目（見出し）: 「{column}」の列が2つあります")]
    DuplicateColumn {
        /// The column's name.
        column: String,
    },
    /// Bytes that are not valid in the file's encoding.
    #[error("{line}行目 {column}: 文字コード（{encoding}）として読めない文字があります")]
    Encoding {
        /// Line of the file.
        line: u64,
        /// Column name (or number when the header itself cannot be read).
        column: String,
        /// The detected encoding.
        encoding: &'static str,
    },
    /// A value that is missing or malformed.
    #[error("{line}行目 {column}: {expected}")]
    Field {
        /// Line of the file.
        line: u64,
        /// Column name.
        column: &'static str,
        /// What was expected, in Japanese.
        expected: &'static str,
    },
    /// The same card (記号・番号・枝番) on two rows.
    #[error("{second}行目: 記号・番号・枝番が{first}行目と同じです（1人につき1行にしてください）")]
    Duplicate {
        /// The first line with the card.
        first: u64,
        /// The line that repeats it.
        second: u64,
    },
    /// The CSV structure itself is broken (e.g. an unclosed quote).
    #[error("{line}行目: CSVとして読めません（引用符 \" の閉じ忘れなど）")]
    Csv {
        /// Line of the file.
        line: u64,
    },
}

const COL_SYMBOL: &str = "記号";
const COL_NUMBER: &str = "番号";
const COL_BRANCH: &str = "枝番";
const COL_CODE: &str = "郵便番号";
const COL_ADDRESS: &str = "住所";
const COL_NAME: &str = "宛名";

/// The key of a card: width and spaces folded.
fn card_key(symbol: &str, number: &str, branch: &str) -> (String, String, String) {
    (
        fold_width_and_spaces(symbol),
        fold_width_and_spaces(number),
        fold_width_and_spaces(branch),
    )
}

impl MailingList {
    /// Reads the CSV: UTF-8 (with or without BOM) or CP932, detected. The header names the
    /// columns 記号, 番号, 枝番 (optional), 郵便番号, 住所 (or 送付先住所), and optionally
    /// 氏名 or 宛名 for a different addressee; columns may come in any order, others are
    /// ignored. Empty rows are skipped.
    pub fn parse(bytes: &[u8]) -> Result<MailingList, MailingError> {
        let enc = encoding::detect(bytes, EncodingChoice::Auto);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&bytes[enc.bom_len()..]);
        let mut rec = csv::ByteRecord::new();
        let csv_err = |e: csv::Error| MailingError::Csv {
            line: e.position().map_or(1, |p| p.line()),
        };
        if !rdr.read_byte_record(&mut rec).map_err(csv_err)? {
            return Err(MailingError::Empty);
        }
        let mut cols: [Option<usize>; 6] = [None; 6];
        let names = [
            COL_SYMBOL,
            COL_NUMBER,
            COL_BRANCH,
            COL_CODE,
            COL_ADDRESS,
            COL_NAME,
        ];
        for (i, field) in rec.iter().enumerate() {
            let h = encoding::decode_field(enc, field).ok_or_else(|| MailingError::Encoding {
                line: 1,
                column: format!("{}列目", i + 1),
                encoding: enc.name(),
            })?;
            let h = fold_width_and_spaces(&h);
            let slot = match h.as_str() {
                "記号" | "被保険者証記号" => 0,
                "番号" | "被保険者証番号" => 1,
                "枝番" => 2,
                "郵便番号" => 3,
                "住所" | "送付先住所" => 4,
                "氏名" | "宛名" | "送付先氏名" => 5,
                _ => continue,
            };
            if cols[slot].is_some() {
                return Err(MailingError::DuplicateColumn { column: h });
            }
            cols[slot] = Some(i);
        }
        for slot in [0, 1, 3, 4] {
            if cols[slot].is_none() {
                return Err(MailingError::MissingColumn {
                    column: names[slot],
                });
            }
        }
        let mut list = MailingList {
            rows: Vec::new(),
            by_key: HashMap::new(),
            encoding: enc,
        };
        // Lines are counted from the bytes: the csv crate's own count is off by one after a
        // CRLF.
        let body = &bytes[enc.bom_len()..];
        let (mut seen, mut line) = (0usize, 1u64);
        while rdr.read_byte_record(&mut rec).map_err(csv_err)? {
            let mut start = rec.position().map_or(seen, |p| p.byte() as usize);
            while matches!(body.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            line += memchr::memchr_iter(b'\n', &body[seen..start]).count() as u64;
            seen = start;
            if rec
                .iter()
                .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
            {
                continue;
            }
            let mut vals: [String; 6] = Default::default();
            for slot in 0..6 {
                let Some(i) = cols[slot] else { continue };
                let raw = rec.get(i).unwrap_or(b"");
                let v = encoding::decode_field(enc, raw).ok_or_else(|| MailingError::Encoding {
                    line,
                    column: names[slot].to_string(),
                    encoding: enc.name(),
                })?;
                vals[slot] = v.trim_matches(|c: char| c.is_whitespace()).to_string();
            }
            let field = |column, expected| MailingError::Field {
                line,
                column,
                expected,
            };
            if vals[0].is_empty() {
                return Err(field(COL_SYMBOL, "被保険者証の記号を入れてください"));
            }
            if vals[1].is_empty() {
                return Err(field(COL_NUMBER, "被保険者証の番号を入れてください"));
            }
            let Some(code) = normalize_code(&vals[3]) else {
                return Err(field(COL_CODE, "7桁の数字（例 123-4567）を入れてください"));
            };
            if vals[4].is_empty() {
                return Err(field(COL_ADDRESS, "送付先の住所を入れてください"));
            }
            let key = card_key(&vals[0], &vals[1], &vals[2]);
            if let Some(&first) = list.by_key.get(&key) {
                return Err(MailingError::Duplicate {
                    first: list.rows[first].line,
                    second: line,
                });
            }
            let [symbol, number, branch, _, address, name] = vals;
            list.by_key.insert(key, list.rows.len());
            list.rows.push(MailingAddress {
                symbol,
                number,
                branch,
                postal_code: code,
                address,
                addressee: (!name.is_empty()).then_some(name),
                line,
            });
        }
        Ok(list)
    }

    /// The row for a card (記号, 番号, 枝番; compared after width and space folding; the
    /// branch may be empty).
    pub fn get(&self, symbol: &str, number: &str, branch: &str) -> Option<&MailingAddress> {
        self.by_key
            .get(&card_key(symbol, number, branch))
            .map(|&i| &self.rows[i])
    }

    /// Every row, in file order.
    pub fn rows(&self) -> &[MailingAddress] {
        &self.rows
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the list has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The encoding the file was read in.
    pub fn encoding(&self) -> FileEncoding {
        self.encoding
    }
}

impl fmt::Debug for MailingAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailingAddress")
            .field("line", &self.line)
            .field("postal_code", &self.postal_code)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", format_code(&self.code), self.place)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_formatted_and_normalized() {
        assert_eq!(format_code("0600042"), "〒060-0042");
        assert_eq!(format_code("060-0042"), "〒060-0042");
        assert_eq!(format_code("06000"), "06000");
        assert_eq!(
            normalize_code("１２３－４５６７").as_deref(),
            Some("1234567")
        );
        assert_eq!(normalize_code("〒123-4567").as_deref(), Some("1234567"));
        assert_eq!(normalize_code("123-456"), None);
        assert_eq!(normalize_code("12a4567"), None);
    }

    #[test]
    fn keys_fold_numerals_and_ke() {
        assert_eq!(address_key("大通西三丁目"), "大通西3丁目");
        assert_eq!(address_key("北一条西"), "北1条西");
        assert_eq!(address_key("旭ヶ丘"), address_key("旭ケ丘"));
        assert_eq!(address_key("霞ヶ関"), address_key("霞が関"));
        assert_eq!(address_key("１－２－３　センタービル"), "1-2-3センタービル");
        // A numeral that is part of a name stays.
        assert_eq!(address_key("一番町"), "一番町");
        assert_eq!(address_key("十日町"), "十日町");
    }

    #[test]
    fn special_town_values_are_cleaned() {
        assert_eq!(clean_town("以下に掲載がない場合"), "");
        assert_eq!(clean_town("葛巻町の次に番地がくる場合"), "");
        assert_eq!(clean_town("大通西（２０～２８丁目）"), "大通西");
        assert_eq!(clean_town("西新宿（次のビルを除く）"), "西新宿");
        assert_eq!(
            clean_town("西新宿新宿センタービル（地階・階層不明）"),
            "西新宿新宿センタービル"
        );
    }

    fn small() -> PostalIndex {
        PostalIndex::from_tsv(
            "0600000\t北海道\t札幌市中央区\t以下に掲載がない場合\n\
             0600042\t北海道\t札幌市中央区\t大通西（１～１９丁目）\n\
             0640820\t北海道\t札幌市中央区\t大通西（２０～２８丁目）\n\
             1600023\t東京都\t新宿区\t西新宿（次のビルを除く）\n\
             1630690\t東京都\t新宿区\t西新宿新宿センタービル（地階・階層不明）\n\
             1630601\t東京都\t新宿区\t西新宿新宿センタービル（１階）\n\
             0285400\t岩手県\t岩手郡葛巻町\t葛巻町の次に番地がくる場合\n",
        )
    }

    #[test]
    fn raw_ken_all_rows_are_read() {
        let idx = small();
        assert_eq!(
            idx.lookup("北海道札幌市中央区大通西3丁目").codes(),
            ["0600042", "0640820"]
        );
        assert_eq!(
            idx.lookup("東京都新宿区西新宿２丁目４番１号").exact_code(),
            Some("1600023")
        );
        assert_eq!(
            idx.lookup("新宿区西新宿2-4-1 新宿センタービル")
                .exact_code(),
            Some("1630690")
        );
        assert_eq!(
            idx.lookup("新宿区西新宿2-4-1 新宿センタービル 12階")
                .codes(),
            ["1630612", "1630690"]
        );
        assert_eq!(idx.lookup("葛巻町１５番地").exact_code(), Some("0285400"));
        assert_eq!(idx.lookup("大阪府大阪市北区梅田1-1"), Lookup::NotFound);
    }

    #[test]
    fn mailing_list_takes_precedence() {
        let idx = small();
        let list = MailingList::parse(
            "記号,番号,郵便番号,住所\n1,2,1000001,東京都千代田区千代田1-1\n".as_bytes(),
        )
        .unwrap();
        match resolve(Some(&list), &idx, ("1", "2", ""), "新宿区西新宿2-4-1") {
            Resolved::Mailing(m) => assert_eq!(m.postal_code, "1000001"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            resolve(Some(&list), &idx, ("1", "3", ""), "新宿区西新宿2-4-1"),
            Resolved::Lookup(Lookup::Exact {
                code: "1600023".into(),
                matched: "東京都新宿区西新宿".into()
            })
        );
        assert!(matches!(
            resolve(None, &idx, ("1", "2", ""), "新宿区西新宿2-4-1"),
            Resolved::Lookup(_)
        ));
    }

    #[test]
    fn floors() {
        assert_eq!(floor_of("12階"), Some(12));
        assert_eq!(floor_of("1203号室"), None);
        assert_eq!(floor_of("地下1階"), None);
    }

    #[test]
    fn mailing_list_parses_and_finds_cards() {
        let csv = "記号,番号,枝番,郵便番号,送付先住所,宛名\n\
                   １２,３４５,01,060-0042,北海道札幌市中央区大通西3丁目,保護者 花子\n\
                   12,346,,1000001,東京都千代田区千代田1-1,\n";
        let list = MailingList::parse(csv.as_bytes()).unwrap();
        assert_eq!(list.len(), 2);
        let a = list.get("12", "345", "01").unwrap();
        assert_eq!(a.postal_code, "0600042");
        assert_eq!(a.addressee.as_deref(), Some("保護者 花子"));
        assert_eq!(a.line, 2);
        let dbg = format!("{list:?}");
        assert!(!dbg.contains("花子") && !dbg.contains("大通西"), "{dbg}");
        let b = list.get("１２", "３４６", "").unwrap();
        assert_eq!(b.addressee, None);
        assert!(list.get("12", "345", "").is_none());
    }

    #[test]
    fn mailing_list_errors_name_line_and_column() {
        let bad = "記号,番号,郵便番号,住所\n1,2,1234567,東京都\n1,3,12345,東京都\n";
        let e = MailingList::parse(bad.as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "3行目 郵便番号: 7桁の数字（例 123-4567）を入れてください"
        );
        let dup = "記号,番号,郵便番号,住所\n1,2,1234567,a\n1,3,1234567,b\n１,２,1234567,c\n";
        assert_eq!(
            MailingList::parse(dup.as_bytes()).unwrap_err(),
            MailingError::Duplicate {
                first: 2,
                second: 4
            }
        );
        let missing = "記号,番号,住所\n";
        assert_eq!(
            MailingList::parse(missing.as_bytes())
                .unwrap_err()
                .to_string(),
            "1行目（見出し）: 「郵便番号」の列がありません（必要な列: 記号, 番号, 郵便番号, 住所）"
        );
        assert_eq!(MailingList::parse(b"").unwrap_err(), MailingError::Empty);
    }
}
