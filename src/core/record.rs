//! One row of the match-result file (突合結果ファイル), as the rest of totsugo sees it.
//!
//! [`Field`] names every column the importer knows; [`Record`] is a validated row with both
//! sides of the five items, the operator's verdicts, and the classification totsugo adds.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Every column of the match-result file that totsugo understands.
///
/// The header text of each column comes from the mapping profile (see [`crate::profile`]);
/// [`Field::default_header`] is what the built-in profile expects.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    InsurerNumber,
    CardSymbol,
    CardNumber,
    Branch,
    Relation,
    MyNumber,
    QualStart,
    QualEnd,
    InsKanji,
    InsKana,
    InsBirth,
    InsSex,
    InsAddress,
    JlisResult,
    RegKanji,
    RegKana,
    RegBirth,
    RegSex,
    RegAddress,
    VerdictKanji,
    VerdictKana,
    VerdictBirth,
    VerdictSex,
    VerdictAddress,
    Overall,
    StopFlag,
    MultiQual,
    BaseDate,
}

/// One column of the match-result file: its profile key, its header in the default layout
/// (`../shared/spec/match-file.md`), whether a file must have it, whether its values are
/// personal data, and the column of the store's `records` table that keeps it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The field.
    pub field: Field,
    /// The key in a mapping profile file.
    pub key: &'static str,
    /// The header in the default layout.
    pub header: &'static str,
    /// A file without this column is refused. Optional columns get a neutral default (empty
    /// symbol, no relation, stop flag recomputed, single qualification, no base date).
    pub required: bool,
    /// Its values are personal data that must not appear in logs or error messages (names,
    /// addresses, birth dates, the card number, the My Number).
    pub personal: bool,
    /// The column of `records` that keeps it (the five verdicts and 総合判定 share `verdicts`,
    /// packed).
    pub sql: &'static str,
}

/// The one table of the match-result file's columns, in the order of the default layout: the
/// profile, the importer's messages, the store and the sample generator all read it.
pub const COLUMNS: [Column; 28] = [
    Column {
        field: Field::InsurerNumber,
        key: "insurer_number",
        header: "保険者番号",
        required: true,
        personal: false,
        sql: "insurer_number",
    },
    Column {
        field: Field::CardSymbol,
        key: "card_symbol",
        header: "被保険者証等記号",
        required: false,
        personal: false,
        sql: "card_symbol",
    },
    Column {
        field: Field::CardNumber,
        key: "card_number",
        header: "被保険者証等番号",
        required: true,
        personal: true,
        sql: "card_number",
    },
    Column {
        field: Field::Branch,
        key: "branch",
        header: "枝番",
        required: true,
        personal: false,
        sql: "branch",
    },
    Column {
        field: Field::Relation,
        key: "relation",
        header: "本人家族区分",
        required: false,
        personal: false,
        sql: "relation",
    },
    Column {
        field: Field::MyNumber,
        key: "my_number",
        header: "個人番号",
        required: true,
        personal: true,
        sql: "my_number",
    },
    Column {
        field: Field::QualStart,
        key: "qualification_start",
        header: "資格取得年月日",
        required: true,
        personal: false,
        sql: "qual_start",
    },
    Column {
        field: Field::QualEnd,
        key: "qualification_end",
        header: "資格喪失年月日",
        required: true,
        personal: false,
        sql: "qual_end",
    },
    Column {
        field: Field::InsKanji,
        key: "insurer_kanji_name",
        header: "加入者情報_漢字氏名",
        required: true,
        personal: true,
        sql: "ins_kanji",
    },
    Column {
        field: Field::InsKana,
        key: "insurer_kana_name",
        header: "加入者情報_カナ氏名",
        required: true,
        personal: true,
        sql: "ins_kana",
    },
    Column {
        field: Field::InsBirth,
        key: "insurer_birth_date",
        header: "加入者情報_生年月日",
        required: true,
        personal: true,
        sql: "ins_birth",
    },
    Column {
        field: Field::InsSex,
        key: "insurer_sex",
        header: "加入者情報_性別",
        required: true,
        personal: false,
        sql: "ins_sex",
    },
    Column {
        field: Field::InsAddress,
        key: "insurer_address",
        header: "加入者情報_住所",
        required: true,
        personal: true,
        sql: "ins_address",
    },
    Column {
        field: Field::JlisResult,
        key: "registry_lookup_result",
        header: "J-LIS照会結果",
        required: true,
        personal: false,
        sql: "registry_result",
    },
    Column {
        field: Field::RegKanji,
        key: "registry_kanji_name",
        header: "J-LIS情報_漢字氏名",
        required: true,
        personal: true,
        sql: "reg_kanji",
    },
    Column {
        field: Field::RegKana,
        key: "registry_kana_name",
        header: "J-LIS情報_カナ氏名",
        required: true,
        personal: true,
        sql: "reg_kana",
    },
    Column {
        field: Field::RegBirth,
        key: "registry_birth_date",
        header: "J-LIS情報_生年月日",
        required: true,
        personal: true,
        sql: "reg_birth",
    },
    Column {
        field: Field::RegSex,
        key: "registry_sex",
        header: "J-LIS情報_性別",
        required: true,
        personal: false,
        sql: "reg_sex",
    },
    Column {
        field: Field::RegAddress,
        key: "registry_address",
        header: "J-LIS情報_住所",
        required: true,
        personal: true,
        sql: "reg_address",
    },
    Column {
        field: Field::VerdictKanji,
        key: "verdict_kanji_name",
        header: "判定結果_漢字氏名",
        required: true,
        personal: false,
        sql: "verdicts",
    },
    Column {
        field: Field::VerdictKana,
        key: "verdict_kana_name",
        header: "判定結果_カナ氏名",
        required: true,
        personal: false,
        sql: "verdicts",
    },
    Column {
        field: Field::VerdictBirth,
        key: "verdict_birth_date",
        header: "判定結果_生年月日",
        required: true,
        personal: false,
        sql: "verdicts",
    },
    Column {
        field: Field::VerdictSex,
        key: "verdict_sex",
        header: "判定結果_性別",
        required: true,
        personal: false,
        sql: "verdicts",
    },
    Column {
        field: Field::VerdictAddress,
        key: "verdict_address",
        header: "判定結果_住所",
        required: true,
        personal: false,
        sql: "verdicts",
    },
    Column {
        field: Field::Overall,
        key: "verdict_overall",
        header: "総合判定",
        required: true,
        personal: false,
        sql: "verdicts",
    },
    Column {
        field: Field::StopFlag,
        key: "viewing_stop",
        header: "閲覧停止区分",
        required: false,
        personal: false,
        sql: "stop_flag",
    },
    Column {
        field: Field::MultiQual,
        key: "multiple_qualifications",
        header: "複数資格有無",
        required: false,
        personal: false,
        sql: "multi_qual",
    },
    Column {
        field: Field::BaseDate,
        key: "match_base_date",
        header: "突合基準日",
        required: false,
        personal: false,
        sql: "base_date",
    },
];

impl Field {
    /// All fields in the order of the default layout (the order of [`COLUMNS`]).
    pub const ALL: [Field; 28] = {
        let mut all = [Field::InsurerNumber; 28];
        let mut i = 0;
        while i < COLUMNS.len() {
            all[i] = COLUMNS[i].field;
            i += 1;
        }
        all
    };

    /// The field's row of [`COLUMNS`].
    pub fn column(self) -> &'static Column {
        &COLUMNS[self as usize]
    }

    /// The key used for this field in a mapping profile file.
    pub fn key(self) -> &'static str {
        self.column().key
    }

    /// The header this field has in the default layout (`../shared/spec/match-file.md`).
    pub fn default_header(self) -> &'static str {
        self.column().header
    }

    /// Whether a file without this column is refused (see [`Column::required`]).
    pub fn required(self) -> bool {
        self.column().required
    }

    /// Whether the values of this column are personal data that must not appear in logs or
    /// error messages.
    pub fn is_personal(self) -> bool {
        self.column().personal
    }

    /// Looks a field up by its profile key.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.key() == key)
    }
}

/// One of the five items the operator compared.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    KanjiName,
    KanaName,
    BirthDate,
    Sex,
    Address,
}

impl Item {
    /// The five items in the order of the file.
    pub const ALL: [Item; 5] = [
        Item::KanjiName,
        Item::KanaName,
        Item::BirthDate,
        Item::Sex,
        Item::Address,
    ];

    /// The item's name as clerks know it.
    pub fn label_ja(self) -> &'static str {
        match self {
            Item::KanjiName => "漢字氏名",
            Item::KanaName => "カナ氏名",
            Item::BirthDate => "生年月日",
            Item::Sex => "性別",
            Item::Address => "住所",
        }
    }

    /// Position of the item (0..5), used for bit sets over items.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The operator's verdict on one item: ○, × or empty (not compared).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum Verdict {
    /// Empty cell: not compared (e.g. no registry record for the number).
    #[default]
    NotCompared = 0,
    /// ○
    Equal = 1,
    /// ×
    Differs = 2,
}

impl Verdict {
    /// Parses a verdict cell; `None` for anything but ○, × or empty.
    pub fn parse(s: &str) -> Option<Verdict> {
        match s.trim() {
            "" => Some(Verdict::NotCompared),
            "○" => Some(Verdict::Equal),
            "×" => Some(Verdict::Differs),
            _ => None,
        }
    }

    /// The symbol as written in the file.
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::NotCompared => "",
            Verdict::Equal => "○",
            Verdict::Differs => "×",
        }
    }

    fn from_bits(b: u32) -> Verdict {
        match b & 3 {
            1 => Verdict::Equal,
            2 => Verdict::Differs,
            _ => Verdict::NotCompared,
        }
    }
}

/// The five item verdicts and the overall verdict (総合判定) of one row.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct Verdicts {
    /// Per item, in [`Item::ALL`] order.
    pub items: [Verdict; 5],
    /// 総合判定.
    pub overall: Verdict,
}

impl Verdicts {
    /// The verdict on one item.
    pub fn get(&self, item: Item) -> Verdict {
        self.items[item.index()]
    }

    /// Packs the six verdicts into one integer (2 bits each) for the store.
    pub fn pack(&self) -> u32 {
        let mut v = self.overall as u32;
        for (i, x) in self.items.iter().enumerate() {
            v |= (*x as u32) << (2 * (i + 1));
        }
        v
    }

    /// Inverse of [`Verdicts::pack`].
    pub fn unpack(v: u32) -> Verdicts {
        let mut items = [Verdict::NotCompared; 5];
        for (i, x) in items.iter_mut().enumerate() {
            *x = Verdict::from_bits(v >> (2 * (i + 1)));
        }
        Verdicts {
            items,
            overall: Verdict::from_bits(v),
        }
    }

    /// Bit set (bit i = item i) of the items marked ×.
    pub fn differing_items(&self) -> u8 {
        let mut b = 0;
        for (i, x) in self.items.iter().enumerate() {
            if *x == Verdict::Differs {
                b |= 1 << i;
            }
        }
        b
    }
}

/// J-LIS照会結果: what the registry answered for the registered number.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum RegistryResult {
    /// 1: a record was found.
    Found = 1,
    /// 2: no record for this number.
    NoRecord = 2,
    /// 3: the record was deleted (消除: death, emigration).
    Deleted = 3,
}

impl RegistryResult {
    /// Parses the code 1/2/3.
    pub fn parse(s: &str) -> Option<RegistryResult> {
        match s.trim() {
            "1" => Some(RegistryResult::Found),
            "2" => Some(RegistryResult::NoRecord),
            "3" => Some(RegistryResult::Deleted),
            _ => None,
        }
    }

    /// From the stored code.
    pub fn from_code(c: i64) -> RegistryResult {
        match c {
            2 => RegistryResult::NoRecord,
            3 => RegistryResult::Deleted,
            _ => RegistryResult::Found,
        }
    }

    /// Label for clerks.
    pub fn label_ja(self) -> &'static str {
        match self {
            RegistryResult::Found => "該当あり",
            RegistryResult::NoRecord => "該当なし（個人番号に対応する住民票なし）",
            RegistryResult::Deleted => "消除（死亡・国外転出等）",
        }
    }
}

/// Sex code as in the file: 1 男, 2 女, 3 (registry only) 不明.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    Male = 1,
    Female = 2,
    Unknown = 3,
}

impl Sex {
    /// Parses the code; `Ok(None)` for an empty cell.
    pub fn parse(s: &str) -> Result<Option<Sex>, InvalidCode> {
        match s.trim() {
            "" => Ok(None),
            "1" => Ok(Some(Sex::Male)),
            "2" => Ok(Some(Sex::Female)),
            "3" => Ok(Some(Sex::Unknown)),
            _ => Err(InvalidCode),
        }
    }

    /// From the stored code.
    pub fn from_code(c: i64) -> Option<Sex> {
        match c {
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            3 => Some(Sex::Unknown),
            _ => None,
        }
    }

    /// The code as written in the file.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
            Sex::Unknown => "3",
        }
    }

    /// 男 / 女 / 不明.
    pub fn label_ja(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
            Sex::Unknown => "不明",
        }
    }
}

/// A code cell holding a value outside its list.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct InvalidCode;

/// 閲覧停止区分 as the operator wrote it in the file.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum StopFlag {
    /// 0: not stopped.
    NotStopped = 0,
    /// 1: 資格情報及び医療情報 stopped.
    QualificationAndMedical = 1,
    /// 2: 医療情報 only stopped.
    MedicalOnly = 2,
}

impl StopFlag {
    /// Parses the code; `Ok(None)` for an empty cell.
    pub fn parse(s: &str) -> Result<Option<StopFlag>, InvalidCode> {
        match s.trim() {
            "" => Ok(None),
            "0" => Ok(Some(StopFlag::NotStopped)),
            "1" => Ok(Some(StopFlag::QualificationAndMedical)),
            "2" => Ok(Some(StopFlag::MedicalOnly)),
            _ => Err(InvalidCode),
        }
    }

    /// From the stored code.
    pub fn from_code(c: i64) -> Option<StopFlag> {
        match c {
            0 => Some(StopFlag::NotStopped),
            1 => Some(StopFlag::QualificationAndMedical),
            2 => Some(StopFlag::MedicalOnly),
            _ => None,
        }
    }
}

/// A date known only in part, as the registry and old insurer records write a birth date whose
/// day or month is unknown: 「19450300」 (day unknown), 「19450000」 (month and day unknown),
/// 「00000000」 or 「不詳」 (unknown). A zero part is unknown.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartialDate {
    /// Year, 0 if unknown.
    pub year: u16,
    /// Month, 0 if unknown.
    pub month: u8,
    /// Day, 0 if unknown.
    pub day: u8,
}

impl PartialDate {
    /// Parses a partial date: 8 digits with a zero month or day (or all zero), or 不詳 / 生年月日
    /// 不詳 / 不明. `None` for anything else (a full date is a [`Date`]).
    pub fn parse(s: &str) -> Option<PartialDate> {
        let s = s.trim();
        if matches!(s, "不詳" | "不明" | "生年月日不詳" | "生年月日不明") {
            return Some(PartialDate {
                year: 0,
                month: 0,
                day: 0,
            });
        }
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        PartialDate::from_u32(s.parse().ok()?)
    }

    /// From `YYYYMMDD` as an integer with a zero part; `None` for a full date or nonsense.
    pub fn from_u32(v: u32) -> Option<PartialDate> {
        let (y, m, d) = (v / 10000, v / 100 % 100, v % 100);
        let partial = m == 0 || d == 0;
        let sane = (y == 0 || (1800..=2200).contains(&y))
            && m <= 12
            && d <= 31
            // A day without its month means nothing.
            && !(m == 0 && d != 0);
        (partial && sane).then_some(PartialDate {
            year: y as u16,
            month: m as u8,
            day: d as u8,
        })
    }

    /// As `YYYYMMDD` with zeros for the unknown parts.
    pub fn as_u32(self) -> u32 {
        self.year as u32 * 10000 + self.month as u32 * 100 + self.day as u32
    }

    /// Whether a full date agrees with every known part.
    pub fn fits(self, d: Date) -> bool {
        (self.year == 0 || u32::from(self.year) == d.year())
            && (self.month == 0 || u32::from(self.month) == d.month())
            && (self.day == 0 || u32::from(self.day) == d.day())
    }

    /// What the clerk reads: 「1945年3月（日不明）」, 「1945年（月日不明）」, 「不詳」.
    pub fn label_ja(self) -> String {
        match (self.year, self.month) {
            (0, _) => "不詳".into(),
            (y, 0) => format!("{y}年（月日不明）"),
            (y, m) => format!("{y}年{m}月（日不明）"),
        }
    }
}

impl fmt::Display for PartialDate {
    /// `YYYY-MM-DD` with `00` for the unknown parts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A calendar date kept as the integer `YYYYMMDD`, always a real date.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(u32);

impl Date {
    /// Parses `YYYYMMDD`; `Ok(None)` for an empty cell, `Err` with the reason otherwise.
    pub fn parse(s: &str) -> Result<Option<Date>, DateError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DateError::Format);
        }
        let v: u32 = s.parse().map_err(|_| DateError::Format)?;
        Date::from_u32(v).map(Some).ok_or(DateError::NotReal)
    }

    /// From `YYYYMMDD` as an integer, if it is a real date (years 1800..=2200).
    pub fn from_u32(v: u32) -> Option<Date> {
        let (y, m, d) = (v / 10000, v / 100 % 100, v % 100);
        if !(1800..=2200).contains(&y) || !(1..=12).contains(&m) || d == 0 {
            return None;
        }
        if d > days_in_month(y, m) {
            return None;
        }
        Some(Date(v))
    }

    /// From year, month and day, if real.
    pub fn from_ymd(y: u32, m: u32, d: u32) -> Option<Date> {
        Date::from_u32(y * 10000 + m * 100 + d)
    }

    /// The integer `YYYYMMDD`.
    pub fn as_u32(self) -> u32 {
        self.0
    }

    /// Year.
    pub fn year(self) -> u32 {
        self.0 / 10000
    }

    /// Month (1..=12).
    pub fn month(self) -> u32 {
        self.0 / 100 % 100
    }

    /// Day of month.
    pub fn day(self) -> u32 {
        self.0 % 100
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
    }

    /// From `YYYY-MM-DD` (month and day may have one digit); `None` unless a real day.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let mut parts = s.trim().split('-').map(|p| p.parse::<u32>().ok());
        let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
        if parts.next().is_some() {
            return None;
        }
        Date::from_ymd(y, m, d)
    }

    /// Today on this machine's clock (local time).
    pub fn today() -> Option<Date> {
        use chrono::Datelike;
        let t = chrono::Local::now().date_naive();
        Date::from_ymd(t.year() as u32, t.month(), t.day())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08}", self.0)
    }
}

/// Why a date cell was refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not 8 digits.
    Format,
    /// 8 digits, but no such day (e.g. 20230230).
    NotReal,
}

/// Days in a month of the Gregorian calendar.
pub fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The five items as one side (insurer or registry) holds them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Person {
    /// 漢字氏名.
    pub kanji_name: String,
    /// カナ氏名.
    pub kana_name: String,
    /// 生年月日.
    pub birth_date: Option<Date>,
    /// A 生年月日 known only in part (day or month 「00」, 不詳), as the registry and old insurer
    /// records write it; then `birth_date` is `None`. A value with a meaning, not an error.
    pub birth_partial: Option<PartialDate>,
    /// 性別.
    pub sex: Option<Sex>,
    /// 住所.
    pub address: String,
}

/// The viewing-stop case of a mismatch, from the official table (see [`crate::classify`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StopCase {
    /// ①: 資格情報 and 医療情報 stopped (birth date or sex differs, or no registry record).
    Case1 = 1,
    /// ②: 医療情報 stopped (names differ, or one name and the address).
    Case2 = 2,
    /// ③: 医療情報 stopped (only the address differs, more than one valid qualification).
    Case3 = 3,
    /// No stop, but still a mismatch (or no mismatch at all).
    NoStop = 0,
}

impl StopCase {
    /// From the stored code.
    pub fn from_code(c: i64) -> StopCase {
        match c {
            1 => StopCase::Case1,
            2 => StopCase::Case2,
            3 => StopCase::Case3,
            _ => StopCase::NoStop,
        }
    }

    /// ①, ②, ③ or －.
    pub fn symbol(self) -> &'static str {
        match self {
            StopCase::Case1 => "①",
            StopCase::Case2 => "②",
            StopCase::Case3 => "③",
            StopCase::NoStop => "－",
        }
    }

    /// What is stopped, for clerks.
    pub fn label_ja(self) -> &'static str {
        match self {
            StopCase::Case1 => "資格情報及び医療情報の閲覧停止",
            StopCase::Case2 | StopCase::Case3 => "医療情報の閲覧停止",
            StopCase::NoStop => "閲覧停止なし",
        }
    }

    /// The 閲覧停止区分 code the operator should have written for this case.
    pub fn expected_flag(self) -> StopFlag {
        match self {
            StopCase::Case1 => StopFlag::QualificationAndMedical,
            StopCase::Case2 | StopCase::Case3 => StopFlag::MedicalOnly,
            StopCase::NoStop => StopFlag::NotStopped,
        }
    }
}

/// A validated row of the match-result file with its classification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Line in the file where the row starts (the header is line 1).
    pub line: u64,
    /// 保険者番号.
    pub insurer_number: String,
    /// 被保険者証等記号.
    pub card_symbol: String,
    /// 被保険者証等番号.
    pub card_number: String,
    /// 枝番.
    pub branch: String,
    /// 本人家族区分: 1 本人, 2 被扶養者.
    pub relation: Option<u8>,
    /// The registered My Number (12 digits). Never log it: see [`crate::mask`].
    pub my_number: String,
    /// 資格取得年月日.
    pub qual_start: Option<Date>,
    /// 資格喪失年月日.
    pub qual_end: Option<Date>,
    /// The insurer's side of the five items.
    pub insurer: Person,
    /// J-LIS照会結果.
    pub registry_result: RegistryResult,
    /// The registry's side of the five items (for the registered number).
    pub registry: Person,
    /// The operator's verdicts.
    pub verdicts: Verdicts,
    /// 閲覧停止区分 as written in the file (None if the column is absent or empty).
    pub stop_flag: Option<StopFlag>,
    /// 複数資格有無.
    pub multi_qual: bool,
    /// 突合基準日.
    pub base_date: Option<Date>,
    /// Values of columns the profile does not know, in the order of the import's extra headers.
    pub extra: Vec<String>,
    /// What totsugo derived from the row.
    pub class: Classification,
    /// Consistency and validation warnings (see [`Warnings`]).
    pub warnings: Warnings,
    /// For mismatches: per-item verdicts and the suggestion of the explanation engine
    /// ([`crate::compare`]), cross-record checks included once the import has run them.
    pub analysis: Option<RowSummary>,
    /// The file's values that a [`WarningKind::BadValue`] set aside (a date that does not
    /// exist, a code or verdict outside its list: the column holds nothing in their place), as
    /// they were in the file, control characters made visible and cut to
    /// [`MAX_BAD_VALUE_CHARS`]. Shown on the review screen ([`Record::bad_value_ja`]).
    pub bad_values: Vec<(Field, String)>,
}

/// The longest part of a set-aside value kept ([`Record::bad_values`]).
pub const MAX_BAD_VALUE_CHARS: usize = 40;

impl Record {
    /// What the review screen shows for a value the file had in `f` and the import set aside:
    /// 「ファイルの値: 「19460229」」, the control characters already made visible marks (␀ ␛)
    /// at the import; `None` when nothing was set aside for `f`.
    pub fn bad_value_ja(&self, f: Field) -> Option<String> {
        let (_, v) = self.bad_values.iter().find(|(g, _)| *g == f)?;
        Some(format!("ファイルの値: 「{v}」"))
    }
}

// What totsugo derives from a row and stores with it: the classification (the rules are
// in `classify`), the warnings, and the explanation's summary (the engine is `compare`).

/// What totsugo derives from one row.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Classification {
    /// 総合判定 × (or, where the file leaves it empty, any item × or no registry record).
    pub mismatch: bool,
    /// Qualification lost on or before the match date: out of scope of the check and of the
    /// count report (seed 002: 「資格喪失者については…今般の点検対象には含まれません」).
    pub lost: bool,
    /// Viewing-stop case recomputed from the official table.
    pub case: StopCase,
    /// Work order: lower first (see [`priority`]).
    pub priority: u8,
}

/// Warnings stored on a row: a bit set, so that the store can filter and count them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, Hash)]
pub struct Warnings(pub u64);

/// One kind of warning.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum WarningKind {
    /// The registered My Number fails its check digit.
    MyNumberCheckDigit,
    /// 総合判定 disagrees with the five verdicts.
    OverallDisagrees,
    /// 閲覧停止区分 disagrees with the case table.
    StopFlagDisagrees,
    /// An item marked ○ whose two values differ even after width and space folding.
    EqualButDifferent(Item),
    /// An item marked × whose two values are identical.
    DiffersButIdentical(Item),
    /// Cross-record: the My Number is registered on another row for a different person.
    SharedNumber,
    /// Cross-record: the registry person is another subscriber of the same file.
    RegistryIsOtherSubscriber,
    /// A value of this column that is not what the column holds (a date that does not exist,
    /// a code out of its list, letters where digits are due, control characters, a value
    /// longer than any real one): the row is imported with the value set aside (unreadable
    /// dates and codes count as empty, control characters become visible marks, an overlong
    /// value is cut), never refused for it.
    BadValue(Field),
}

/// Whether a registered My Number is a full 12-digit number (not masked or partial): only
/// then can its check digit and the same-number check run.
pub fn my_number_is_full(n: &str) -> bool {
    n.len() == 12 && n.bytes().all(|b| b.is_ascii_digit())
}

/// A masked or partial My Number as a masked file holds it: mask marks (`*`, `＊`, `●`, `x`)
/// then at most 12 digits, or digits alone (the last ones). The digits at its end, if any.
pub fn masked_number_digits(n: &str) -> Option<&str> {
    let digits_from = n
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit())
        .map_or(n.len(), |(i, _)| i);
    let (marks, digits) = n.split_at(digits_from);
    let marks_ok = marks
        .chars()
        .all(|c| matches!(c, '*' | '＊' | '●' | 'x' | 'X'));
    let digits_ok = digits.len() <= 12 && digits.bytes().all(|b| b.is_ascii_digit());
    (marks_ok && digits_ok && !n.is_empty()).then_some(digits)
}

/// The longest value (in characters) a cell may hold; longer ones are cut, with a
/// [`WarningKind::BadValue`] on the row. Far above any real name or address.
pub const MAX_FIELD_CHARS: usize = 2000;

impl WarningKind {
    /// Every kind, in display order.
    pub fn all() -> Vec<WarningKind> {
        let mut v = vec![
            WarningKind::MyNumberCheckDigit,
            WarningKind::OverallDisagrees,
            WarningKind::StopFlagDisagrees,
        ];
        v.extend(Item::ALL.iter().map(|&i| WarningKind::EqualButDifferent(i)));
        v.extend(
            Item::ALL
                .iter()
                .map(|&i| WarningKind::DiffersButIdentical(i)),
        );
        v.push(WarningKind::SharedNumber);
        v.push(WarningKind::RegistryIsOtherSubscriber);
        v.extend(Field::ALL.iter().map(|&f| WarningKind::BadValue(f)));
        v
    }

    /// The bit of this kind in [`Warnings`].
    pub fn bit(self) -> u64 {
        match self {
            WarningKind::MyNumberCheckDigit => 1,
            WarningKind::OverallDisagrees => 1 << 1,
            WarningKind::StopFlagDisagrees => 1 << 2,
            WarningKind::EqualButDifferent(i) => 1 << (3 + i.index()),
            WarningKind::DiffersButIdentical(i) => 1 << (8 + i.index()),
            WarningKind::SharedNumber => 1 << 13,
            WarningKind::RegistryIsOtherSubscriber => 1 << 14,
            WarningKind::BadValue(f) => 1 << (16 + f as u64),
        }
    }

    /// A stable key for machine-readable output.
    pub fn key(self) -> String {
        let item = |i: Item| match i {
            Item::KanjiName => "kanji_name",
            Item::KanaName => "kana_name",
            Item::BirthDate => "birth_date",
            Item::Sex => "sex",
            Item::Address => "address",
        };
        match self {
            WarningKind::MyNumberCheckDigit => "my_number_check_digit".into(),
            WarningKind::OverallDisagrees => "overall_disagrees".into(),
            WarningKind::StopFlagDisagrees => "stop_flag_disagrees".into(),
            WarningKind::EqualButDifferent(i) => format!("equal_but_different_{}", item(i)),
            WarningKind::DiffersButIdentical(i) => format!("differs_but_identical_{}", item(i)),
            WarningKind::SharedNumber => "shared_number".into(),
            WarningKind::RegistryIsOtherSubscriber => "registry_is_other_subscriber".into(),
            WarningKind::BadValue(f) => format!("bad_value_{}", f.key()),
        }
    }

    /// What the clerk reads.
    pub fn message_ja(self) -> String {
        match self {
            WarningKind::MyNumberCheckDigit => {
                "登録されている個人番号の検査用数字（末尾1桁）が正しくありません".into()
            }
            WarningKind::OverallDisagrees => "総合判定が5項目の判定結果と合っていません".into(),
            WarningKind::StopFlagDisagrees => {
                "閲覧停止区分が判定結果から求めた区分と合っていません".into()
            }
            WarningKind::EqualButDifferent(i) => format!(
                "{}は判定結果が○ですが、全角半角・空白を除いても値が異なります",
                i.label_ja()
            ),
            WarningKind::DiffersButIdentical(i) => {
                format!("{}は判定結果が×ですが、値が完全に同じです", i.label_ja())
            }
            WarningKind::SharedNumber => {
                "同じ個人番号が、別人と思われる別の行にも登録されています".into()
            }
            WarningKind::RegistryIsOtherSubscriber => {
                "住基の人物が、同じファイルの別の加入者と一致します（家族などの番号の可能性）"
                    .into()
            }
            WarningKind::BadValue(f) => format!("「{}」{}", f.default_header(), bad_value_ja(f)),
        }
    }
}

/// What is wrong with a value of `f` that [`WarningKind::BadValue`] flags, and how totsugo
/// took it: never the value itself (it may be personal data).
fn bad_value_ja(f: Field) -> &'static str {
    use Field::*;
    match f {
        QualStart | QualEnd | InsBirth | RegBirth | BaseDate => {
            "が実在しない日付か、YYYYMMDD の形ではありません（日付なしとして扱います）"
        }
        InsSex | RegSex => "が 1、2、3、空欄のいずれでもありません（性別なしとして扱います）",
        Relation => "が 1、2、空欄のいずれでもありません（区分なしとして扱います）",
        JlisResult => "が 1、2、3 のいずれでもありません（住基に記録ありとして扱います）",
        VerdictKanji | VerdictKana | VerdictBirth | VerdictSex | VerdictAddress | Overall => {
            "が ○、×、空欄のいずれでもありません（判定なしとして扱います）"
        }
        StopFlag => "が 0、1、2、空欄のいずれでもありません（区分を判定結果から求めます）",
        MultiQual => "が 0、1、空欄のいずれでもありません（複数資格なしとして扱います）",
        InsurerNumber => {
            "が 6 桁か 8 桁の数字でないか、検証番号（末尾1桁）が合いません（そのまま取り込みました）"
        }
        Branch => "が 2 桁の数字でも空欄でもありません（そのまま取り込みました）",
        MyNumber => "が 12 桁の数字ではありません（そのまま取り込みました）",
        CardNumber => "が空か、制御文字を含むか、長すぎます",
        CardSymbol | InsKanji | InsKana | InsAddress | RegKanji | RegKana | RegAddress => {
            "に制御文字があったため記号（␀ など）に置き換えたか、長すぎるため切り詰めました"
        }
    }
}

impl Warnings {
    /// Adds a warning.
    pub fn add(&mut self, k: WarningKind) {
        self.0 |= k.bit();
    }

    /// Whether the row carries this warning.
    pub fn has(self, k: WarningKind) -> bool {
        self.0 & k.bit() != 0
    }

    /// Whether the row carries no warning.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The warnings on the row, in display order.
    pub fn kinds(self) -> Vec<WarningKind> {
        WarningKind::all()
            .into_iter()
            .filter(|k| self.has(*k))
            .collect()
    }
}

/// How one item compares between the insurer's side and the registry's.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FieldVerdict {
    /// The two values are the same, character for character.
    Equal = 0,
    /// The values differ only in how they are written (表記ゆれ).
    Notation = 1,
    /// A real difference (or nothing to compare with).
    Differs = 2,
}

impl FieldVerdict {
    /// The stable key (`equal`, `notation`, `differs`).
    pub fn key(self) -> &'static str {
        match self {
            FieldVerdict::Equal => "equal",
            FieldVerdict::Notation => "notation",
            FieldVerdict::Differs => "differs",
        }
    }

    /// What the clerk reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            FieldVerdict::Equal => "一致",
            FieldVerdict::Notation => "表記ゆれのみ",
            FieldVerdict::Differs => "相違あり",
        }
    }

    fn from_bits(b: u32) -> FieldVerdict {
        match b & 3 {
            1 => FieldVerdict::Notation,
            2 => FieldVerdict::Differs,
            _ => FieldVerdict::Equal,
        }
    }
}

/// What totsugo suggests for a row. It never changes the data and never decides.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Suggestion {
    /// Every differing item differs only in notation.
    NotationOnly = 0,
    /// A real difference the clerk must look at.
    NeedsReview = 1,
    /// The registered number is probably another person's (or nobody's).
    LikelyWrongNumber = 2,
}

impl Suggestion {
    /// The stable key.
    pub fn key(self) -> &'static str {
        match self {
            Suggestion::NotationOnly => "notation_only",
            Suggestion::NeedsReview => "needs_review",
            Suggestion::LikelyWrongNumber => "likely_wrong_number",
        }
    }

    /// What the clerk reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            Suggestion::NotationOnly => "表記ゆれのみ",
            Suggestion::NeedsReview => "要確認",
            Suggestion::LikelyWrongNumber => "番号誤りの疑い",
        }
    }

    fn from_bits(b: u32) -> Suggestion {
        match b & 3 {
            0 => Suggestion::NotationOnly,
            2 => Suggestion::LikelyWrongNumber,
            _ => Suggestion::NeedsReview,
        }
    }
}

/// Field verdicts and suggestion of a row, packed into one integer for the store.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct RowSummary {
    /// Per item, in [`Item::ALL`] order.
    pub fields: [FieldVerdict; 5],
    /// The suggestion.
    pub suggestion: Suggestion,
}

impl RowSummary {
    /// Packs into 12 bits: suggestion in bits 0–1, item i in bits 2(i+1)..
    pub fn pack(&self) -> u32 {
        let mut v = self.suggestion as u32;
        for (i, f) in self.fields.iter().enumerate() {
            v |= (*f as u32) << (2 * (i + 1));
        }
        v
    }

    /// Inverse of [`RowSummary::pack`].
    pub fn unpack(v: u32) -> RowSummary {
        RowSummary {
            fields: std::array::from_fn(|i| FieldVerdict::from_bits(v >> (2 * (i + 1)))),
            suggestion: Suggestion::from_bits(v),
        }
    }

    /// The verdict on one item.
    pub fn field(&self, item: Item) -> FieldVerdict {
        self.fields[item.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn the_column_table_is_in_the_fields_order() {
        use super::{COLUMNS, Field};
        for (i, c) in COLUMNS.iter().enumerate() {
            assert_eq!(c.field as usize, i, "{:?}", c.field);
            assert_eq!(Field::ALL[i], c.field);
            assert_eq!(Field::from_key(c.key), Some(c.field));
        }
        let mut keys: Vec<&str> = COLUMNS.iter().map(|c| c.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), COLUMNS.len(), "keys are unique");
        // 特定個人情報: the number, names, birth dates and addresses of both sides are personal.
        assert!(Field::MyNumber.is_personal() && Field::RegAddress.is_personal());
        assert!(!Field::Overall.is_personal());
    }

    #[test]
    fn iso_dates_round_trip_and_only_real_days_parse() {
        let d = Date::from_ymd(2023, 12, 25).unwrap();
        assert_eq!(d.iso(), "2023-12-25");
        assert_eq!(Date::parse_iso("2023-12-25"), Some(d));
        assert_eq!(Date::parse_iso("2024-2-9"), Date::from_ymd(2024, 2, 9));
        for bad in [
            "2099/1/31",
            "2023-02-30",
            "2023-12",
            "2023-12-25-1",
            "",
            "令和5年",
        ] {
            assert_eq!(Date::parse_iso(bad), None, "{bad}");
        }
    }
}
