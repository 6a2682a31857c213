//! Notice letters to the person (本人確認用の通知文), printed in batches as one PDF.
//!
//! Two types ([`LetterType`]): **A** (birth date or sex differs) asks the person to send their
//! My Number with a copy of the card or of a resident record showing it; **B** (name or address
//! differs) asks for the last 4 digits of the My Number on the reply form.
//!
//! Each letter is one A4 sheet, folded in three for a window envelope 長形3号:
//!
//! - top third: the address block (〒, address, name + 様) placed in the envelope's window, and on
//!   the right the date in 和暦 and the insurer's letterhead;
//! - middle: the title and the request in the insurer's own words (a template per letter type,
//!   [`crate::letter_text`], filled in per letter: the sender, the deadline, and what the
//!   person's viewing stop means for them now), what the insurer has on file, and the contact
//!   with office hours;
//! - bottom third, below a cut line: the reply form (回答書) with the card symbol/number/branch
//!   printed for matching and the reply deadline.
//!
//! **Batches** ([`render_batch`]) print one sheet per letter in postal-code order. The fixed
//! part (letterhead, request, contact, reply form) is laid out once per text and viewing stop
//! used in the batch (two types × three stops at most, plus the older versions a reprint
//! needs), stored once in the file and drawn under every page that uses it
//! ([`pdf::render_templated`]); a letter's own content is its address block, the table of
//! registered data and the card and name on the reply form. 10,000 letters make a PDF of
//! about 8.6 MB.
//!
//! **The text fits** ([`check_text`]): a template is refused at save time if its title takes
//! more than one line or its request pushes the table of registered data of
//! [`sample_input`] (whose address takes two lines) into the contact above the cut line, for
//! any viewing stop; [`preview`] lays out that sample letter for the editor.
//!
//! **Privacy**: a [`LetterInput`] copies only the insurer's side of a [`Record`] (name, kana,
//! birth date, sex, address, card symbol/number/branch). It has no field for the registry side
//! or the registered My Number, so no letter can print them: if the number is wrong, the
//! registry side is a stranger's data. Its `Debug` shows the card number only.
//!
//! **Characters the font cannot print** (e.g. 𠮷, or gaiji in the private-use area): a letter
//! holding any is **refused**, never printed with a box or a substitute, because a wrong name on
//! an official letter is worse than a late one. [`unprintable`] lists them per letter before
//! printing, and [`render_batch`] fails with [`LetterError::Unprintable`], which names every
//! such letter by its card symbol/number, so the clerk can correct the mailing name/address
//! (e.g. 𠮷 → 吉 by agreement with the person) or leave the record out of the batch.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::letter_text::{LetterText, StopKind, TextError, Values};
use crate::pdf::{self, Align, BoxMm, Page, PdfError};
use crate::record::{Date, Record, Sex, days_in_month};
pub use crate::review::LetterType;

// ---------------------------------------------------------------------------------------------
// Settings.

/// The insurer's letterhead and the letter options, set by the administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LetterSettings {
    /// The insurer's name as printed (差出人), e.g. 「〇〇健康保険組合」.
    pub insurer_name: String,
    /// The line under the name in the letterhead, e.g. the head of the insurer.
    pub sender_line: String,
    /// 保険者番号 (6 digits for 国保, 8 for the others), for the operator's forms.
    pub insurer_number: String,
    /// 保険者コード, for the operator's forms (別添3, 別添4): a different thing from the
    /// 保険者番号, so a setting of its own.
    pub insurer_code: String,
    /// The insurer's postal code, `123-4567`.
    pub postal_code: String,
    /// The insurer's address.
    pub address: String,
    /// The department that handles the replies, e.g. 「適用課」.
    pub department: String,
    /// The phone number for questions.
    pub phone: String,
    /// Office hours for phone calls.
    pub office_hours: String,
    /// Where the person sends the reply (printed on the reply form); empty: the insurer's
    /// postal code, address, name and department.
    pub reply_address: String,
    /// The reply deadline (`YYYYMMDD`); `None`: [`DEFAULT_REPLY_DAYS`] days after the date of
    /// issue.
    #[serde(with = "date_serde")]
    pub reply_deadline: Option<Date>,
    /// Moves the address block to the right (mm, negative: to the left) to fit the envelopes
    /// and printer in use.
    pub window_offset_x_mm: f32,
    /// Moves the address block down (mm, negative: up).
    pub window_offset_y_mm: f32,
    /// The kind of insurer, which decides how a letter names the sender and the person. It is
    /// kept in its own setting ([`crate::insurer::SETTING`]); the session fills it in here for
    /// printing and never saves it with the letter settings.
    #[serde(skip)]
    pub kind: Option<crate::insurer::InsurerKind>,
}

/// Days from the date of issue to the reply deadline when the settings fix none.
pub const DEFAULT_REPLY_DAYS: u32 = 14;

impl Default for LetterSettings {
    /// Clearly fake sample values: an administrator must replace them.
    fn default() -> Self {
        LetterSettings {
            insurer_name: "〇〇健康保険組合".into(),
            sender_line: "理事長　〇〇　〇〇".into(),
            insurer_number: String::new(),
            insurer_code: String::new(),
            postal_code: "000-0000".into(),
            address: "〇〇県〇〇市〇〇町一丁目２番３号".into(),
            department: "適用課".into(),
            phone: "00-0000-0000".into(),
            office_hours: "平日 9:00〜17:00（土日祝日・年末年始を除く）".into(),
            reply_address: String::new(),
            reply_deadline: None,
            window_offset_x_mm: 0.0,
            window_offset_y_mm: 0.0,
            kind: None,
        }
    }
}

impl LetterSettings {
    /// Empty settings for the first-run form: nothing pretends to be filled in.
    pub fn blank() -> LetterSettings {
        LetterSettings {
            insurer_name: String::new(),
            sender_line: String::new(),
            postal_code: String::new(),
            address: String::new(),
            department: String::new(),
            phone: String::new(),
            ..LetterSettings::default()
        }
    }

    /// Checks the settings as typed and tidies them (the postal code becomes `123-4567`).
    /// The insurer's name is required (every document carries it); the other items may wait,
    /// but what is filled in must be well formed. The error is a sentence for the form.
    pub fn checked(mut self) -> Result<LetterSettings, String> {
        for v in [
            &mut self.insurer_name,
            &mut self.sender_line,
            &mut self.insurer_number,
            &mut self.insurer_code,
            &mut self.postal_code,
            &mut self.address,
            &mut self.department,
            &mut self.phone,
            &mut self.office_hours,
            &mut self.reply_address,
        ] {
            *v = v.trim().to_string();
        }
        if is_unset(&self.insurer_name) {
            return Err(
                "保険者名を入力してください（通知文・解除依頼・件数の報告に載ります）".into(),
            );
        }
        if !self.postal_code.is_empty() {
            match crate::postal::normalize_code(&self.postal_code) {
                Some(c) => self.postal_code = format!("{}-{}", &c[..3], &c[3..]),
                None => return Err("郵便番号は 123-4567 の形で入力してください".into()),
            }
        }
        if !self.insurer_number.is_empty() {
            let digits = crate::text::fold_width_and_spaces(&self.insurer_number);
            if !(digits.len() == 6 || digits.len() == 8)
                || !digits.chars().all(|c| c.is_ascii_digit())
            {
                return Err(
                    "保険者番号は 6 桁（国民健康保険）または 8 桁の数字で入力してください".into(),
                );
            }
            self.insurer_number = digits;
        }
        if !self.phone.is_empty()
            && !self
                .phone
                .chars()
                .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        {
            return Err("電話番号には数字を入力してください".into());
        }
        Ok(self)
    }

    /// The sender's items a letter cannot go out without that are still empty or the sample
    /// values (〇〇, 000-0000), by their names on the settings screen. Empty: ready to print.
    pub fn missing_ja(&self) -> Vec<&'static str> {
        let kind = self.kind.is_none().then_some("保険者の種別");
        [
            ("保険者名", &self.insurer_name),
            ("差出人の肩書・氏名", &self.sender_line),
            ("郵便番号", &self.postal_code),
            ("所在地", &self.address),
            ("担当部署", &self.department),
            ("電話番号", &self.phone),
        ]
        .into_iter()
        .filter(|(label, v)| {
            // The sender line may be left empty; a sample value never goes out.
            if *label == "差出人の肩書・氏名" {
                v.contains('〇')
            } else {
                is_unset(v)
            }
        })
        .map(|(label, _)| label)
        .chain(kind)
        .collect()
    }

    /// How this insurer's letters name the sender (当組合, 当協会, 当市 …) and the insured
    /// people (加入者, 被保険者, 組合員): from the kind of insurer.
    pub fn wording(&self) -> (String, &'static str) {
        match self.kind {
            Some(k) => (k.sender_word(&self.insurer_name), k.person_word()),
            None => ("当保険者".into(), "加入者"),
        }
    }
}

/// Empty, a sample value (〇〇) or only zeros (000-0000, 00-0000-0000).
pub fn is_unset(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || t.contains('〇')
        || (t.chars().any(|c| c.is_ascii_digit())
            && t.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .all(|c| c == '0'))
}

/// `Option<Date>` as `"YYYYMMDD"` (or an empty string) in settings files.
mod date_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::record::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.map(|d| d.to_string()).unwrap_or_default())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(|_| serde::de::Error::custom(format!("日付が不正です: {s}")))
    }
}

// ---------------------------------------------------------------------------------------------
// Window envelope geometry.

/// The envelope window of 長形3号 (120 × 235 mm) for A4 folded in three, as a box on the sheet.
///
/// Source/assumption: the window size and position most Japanese envelope makers sell as the
/// standard ("JIS規格") window for 長形3号, 90 × 45 mm, 23 mm from the left edge and 13 mm from
/// the top edge of the envelope held landscape (flap on the right). The folded sheet (210 × 99
/// mm) is assumed to sit against the envelope's top-left corner, so these are also distances
/// from the sheet's top-left corner. We have not read the JIS S 5502 text itself; the offset
/// settings shift the block for other envelopes or printers.
pub const WINDOW: BoxMm = BoxMm {
    x: 23.0,
    y: 13.0,
    w: 90.0,
    h: 45.0,
};

/// Space kept free inside the window on each side, for the play of the sheet in the envelope.
const WINDOW_INSET_X: f32 = 4.0;
const WINDOW_INSET_Y: f32 = 3.5;

/// The window rectangle on the sheet with the settings' offset applied.
pub fn window(settings: &LetterSettings) -> BoxMm {
    BoxMm {
        x: WINDOW.x + finite(settings.window_offset_x_mm),
        y: WINDOW.y + finite(settings.window_offset_y_mm),
        ..WINDOW
    }
}

fn finite(v: f32) -> f32 {
    if v.is_finite() {
        v.clamp(-20.0, 20.0)
    } else {
        0.0
    }
}

// ---------------------------------------------------------------------------------------------
// The person's data for one letter.

/// Where the letter goes when it is not the insurer's registered address (e.g. a 送付先 the
/// person gave), or the registered address with its postal code.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct MailingAddress {
    /// The postal code, 7 digits with or without `〒` and `-`; empty if unknown.
    pub postal_code: String,
    /// The address, without the postal code.
    pub address: String,
}

impl fmt::Debug for MailingAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MailingAddress { .. }")
    }
}

/// Everything one letter prints about the person: the insurer's side only (see the
/// [module documentation](self) on privacy).
#[derive(Clone, PartialEq, Eq)]
pub struct LetterInput {
    /// A or B.
    pub letter_type: LetterType,
    /// 被保険者証等記号 (insurer side).
    pub card_symbol: String,
    /// 被保険者証等番号.
    pub card_number: String,
    /// 枝番.
    pub branch: String,
    /// 漢字氏名 as the insurer holds it.
    pub name: String,
    /// カナ氏名 as the insurer holds it.
    pub kana: String,
    /// 生年月日 as the insurer holds it (printed on type A letters).
    pub birth_date: Option<Date>,
    /// 生年月日 known only in part, where the insurer holds it so (printed as it is known).
    pub birth_partial: Option<crate::record::PartialDate>,
    /// 性別 as the insurer holds it (printed on type A letters).
    pub sex: Option<Sex>,
    /// The address the insurer has on file (printed in the list of registered data).
    pub registered_address: String,
    /// Where the letter goes (address block in the window).
    pub mailing: MailingAddress,
    /// What the viewing stop of the record stops now, for `{閲覧停止の説明}`.
    pub stop: StopKind,
    /// The wording to print with (a stored version); `None`: totsugo's default text of the
    /// letter type for the settings' kind of insurer.
    pub text: Option<Arc<LetterText>>,
}

impl fmt::Debug for LetterInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "LetterInput {{ type: {}, card: {}, stop: {:?}, text: {:?} }}",
            self.letter_type.key(),
            self.card_label(),
            self.stop,
            self.text.as_ref().map(|t| t.version)
        )
    }
}

impl LetterInput {
    /// The letter for `record`: copies only the insurer's side, and the viewing stop the
    /// operator applied (the file's 閲覧停止区分, else the recomputed case: [`StopKind::of`]).
    /// Without `mailing`, the letter goes to the insurer's address, whose postal code is taken
    /// from its start if it has one (`〒123-4567 東京都…`). It prints with the default text until
    /// [`LetterInput::text`] is set.
    pub fn from_record(
        record: &Record,
        letter_type: LetterType,
        mailing: Option<MailingAddress>,
    ) -> LetterInput {
        let ins = &record.insurer;
        let mailing = mailing.unwrap_or_else(|| {
            let (postal_code, address) = split_postal_code(&ins.address);
            MailingAddress {
                postal_code: postal_code.unwrap_or_default(),
                address,
            }
        });
        LetterInput {
            letter_type,
            card_symbol: record.card_symbol.trim().to_string(),
            card_number: record.card_number.trim().to_string(),
            branch: record.branch.trim().to_string(),
            name: ins.kanji_name.trim().to_string(),
            kana: ins.kana_name.trim().to_string(),
            birth_date: ins.birth_date,
            birth_partial: ins.birth_partial,
            sex: ins.sex,
            registered_address: split_postal_code(&ins.address).1,
            mailing,
            stop: StopKind::of(record.stop_flag, record.class.case),
            text: None,
        }
    }

    /// 「記号 123 番号 00001001 枝番 00」: how the clerk and the reply form name the letter.
    pub fn card_label(&self) -> String {
        let mut s = format!("記号 {} 番号 {}", self.card_symbol, self.card_number);
        if !self.branch.is_empty() {
            s.push_str(&format!(" 枝番 {}", self.branch));
        }
        s
    }

    /// The postal code as `123-4567`, if the mailing address has a valid one.
    pub fn postal_code(&self) -> Option<String> {
        normalize_postal_code(&self.mailing.postal_code)
    }

    /// Every piece of the person's data the letter prints.
    fn personal_text(&self) -> String {
        [
            self.card_symbol.as_str(),
            &self.card_number,
            &self.branch,
            &self.name,
            &self.kana,
            &self.registered_address,
            &self.mailing.postal_code,
            &self.mailing.address,
        ]
        .concat()
    }
}

/// Splits a leading postal code (`〒123-4567`, `123-4567`, full-width digits too) off an
/// address: `(Some("123-4567"), "東京都…")`, or `(None, address)`.
pub fn split_postal_code(address: &str) -> (Option<String>, String) {
    let trimmed = address.trim_start_matches([' ', '　']);
    let rest = trimmed.strip_prefix('〒').unwrap_or(trimmed);
    let mut digits = String::new();
    let mut end = 0;
    for (i, c) in rest.char_indices() {
        let d = to_ascii_digit(c);
        if let Some(d) = d {
            digits.push(d);
        } else if !(matches!(c, '-' | '－' | 'ー' | '‐' | '−') && digits.len() == 3) {
            break;
        }
        end = i + c.len_utf8();
        if digits.len() == 7 {
            break;
        }
    }
    match normalize_postal_code(&digits) {
        Some(code) if digits.len() == 7 => (
            Some(code),
            rest[end..].trim_start_matches([' ', '　']).to_string(),
        ),
        _ => (None, address.trim().to_string()),
    }
}

fn to_ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
        _ => None,
    }
}

/// `123-4567` from a postal code written with or without `〒`, `-`, spaces and full-width
/// digits; `None` unless it has exactly 7 digits.
pub fn normalize_postal_code(s: &str) -> Option<String> {
    let mut digits = String::new();
    for c in s.chars() {
        match to_ascii_digit(c) {
            Some(d) => digits.push(d),
            None if matches!(c, '〒' | '-' | '－' | 'ー' | '‐' | '−' | ' ' | '　') => {}
            None => return None,
        }
    }
    (digits.len() == 7).then(|| format!("{}-{}", &digits[..3], &digits[3..]))
}

/// The characters of the person's data in `input` that the letter's font cannot print, each
/// once. A letter with any is refused by [`render_batch`]: report them to the clerk first.
pub fn unprintable(input: &LetterInput) -> Vec<char> {
    pdf::missing_glyphs(&input.personal_text())
}

// ---------------------------------------------------------------------------------------------
// Dates.

/// A birth date as the insurer's documents print it: in 和暦 when it is a full date, as far as
/// it is known when it is known only in part (「1945年（月日不明）」), empty when there is none.
/// Letters and the operator's forms both use it.
pub fn birth_ja(date: Option<Date>, partial: Option<crate::record::PartialDate>) -> String {
    match (date, partial) {
        (Some(d), _) => wareki(d),
        (None, Some(pd)) => pd.label_ja(),
        (None, None) => String::new(),
    }
}

/// A date as a clerk reads it on the screen, the Western date with its era year:
/// `1979年7月18日（昭和54年）`, `2019年5月1日（令和元年）`. The one formatting of a birth date on
/// the review screen (letters print [`wareki`]).
pub fn date_with_era(date: Date) -> String {
    let w = wareki(date);
    let western = format!("{}年{}月{}日", date.year(), date.month(), date.day());
    match w.split_once('年') {
        Some((era_year, _)) if w != western => format!("{western}（{era_year}年）"),
        _ => western,
    }
}

/// A date in 和暦 as letters print it: `令和5年12月1日`, `令和元年5月1日`, `平成31年4月30日`,
/// `昭和20年12月3日`. Dates before 明治 (1868-10-23) are given in the Western calendar
/// (`1867年1月1日`).
pub fn wareki(date: Date) -> String {
    /// First day (year, month, day) and name of each era, newest first.
    const ERAS: [(u32, u32, u32, &str); 5] = [
        (2019, 5, 1, "令和"),
        (1989, 1, 8, "平成"),
        (1926, 12, 25, "昭和"),
        (1912, 7, 30, "大正"),
        (1868, 10, 23, "明治"),
    ];
    let v = date.as_u32();
    match ERAS
        .iter()
        .find(|(y, m, d, _)| v >= y * 10_000 + m * 100 + d)
    {
        Some((start, _, _, era)) => {
            let year = date.year() - start + 1;
            let year = if year == 1 {
                "元".to_string()
            } else {
                year.to_string()
            };
            format!("{era}{year}年{}月{}日", date.month(), date.day())
        }
        None => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
    }
}

/// The reply deadline of letters issued on `issued`: the settings' date, or
/// [`DEFAULT_REPLY_DAYS`] later.
pub fn reply_deadline(settings: &LetterSettings, issued: Date) -> Date {
    settings
        .reply_deadline
        .or_else(|| add_days(issued, DEFAULT_REPLY_DAYS))
        .unwrap_or(issued)
}

/// `date` plus `days` days (`None` past the years [`Date`] allows).
fn add_days(date: Date, days: u32) -> Option<Date> {
    let (mut y, mut m, mut d) = (date.year(), date.month(), date.day() + days);
    while d > days_in_month(y, m) {
        d -= days_in_month(y, m);
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    Date::from_ymd(y, m, d)
}

// ---------------------------------------------------------------------------------------------
// Errors.

/// Why letters could not be printed; the text is for the clerk.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// No letter was selected.
    #[error("印刷する通知文がありません。")]
    Empty,
    /// Letters whose person data holds characters the font cannot print: (card label, chars).
    #[error(
        "次の通知文には印字できない文字（外字など）があるため、印刷しませんでした。\
         送付先の氏名・住所を印字できる文字で指定するか、対象から外してください: {}",
        describe_unprintable(.0)
    )]
    Unprintable(Vec<(String, Vec<char>)>),
    /// Letters without a mailing address (card labels).
    #[error("次の通知文は送付先の住所がないため印刷できません: {}", .0.join("、"))]
    NoAddress(Vec<String>),
    /// Letters whose postal code is not 7 digits (card labels).
    #[error("次の通知文は郵便番号が正しくありません（7桁の数字で指定してください）: {}", .0.join("、"))]
    PostalCode(Vec<String>),
    /// Letters whose content does not fit on one sheet (card labels), e.g. a very long address.
    #[error("次の通知文は住所または氏名が長すぎて、1枚に収まりません: {}", .0.join("、"))]
    TooLong(Vec<String>),
    /// The letterhead settings are incomplete or hold unprintable characters.
    #[error("通知文の設定が不完全です: {0}")]
    Settings(String),
    /// The reply deadline is not after the date of issue.
    #[error(
        "回答期限（{deadline}）が発行日（{issued}）より後になっていません。設定を見直してください。"
    )]
    Deadline {
        /// The deadline in 和暦.
        deadline: String,
        /// The date of issue in 和暦.
        issued: String,
    },
    /// The PDF writer failed.
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

fn describe_unprintable(letters: &[(String, Vec<char>)]) -> String {
    letters
        .iter()
        .map(|(card, chars)| {
            let chars: Vec<String> = chars
                .iter()
                .map(|c| format!("{c}（U+{:04X}）", u32::from(*c)))
                .collect();
            format!("{card}: {}", chars.join("・"))
        })
        .collect::<Vec<_>>()
        .join("、")
}

// ---------------------------------------------------------------------------------------------
// Layout of one letter. Millimetres from the top-left corner of the A4 sheet.

const PAGE_W: f32 = 210.0;
const LEFT: f32 = 20.0;
const RIGHT: f32 = 190.0;
const TEXT_W: f32 = RIGHT - LEFT;
/// The letterhead column at the top right, clear of the window.
const HEAD_LEFT: f32 = 124.0;
/// Where the cut line above the reply form runs: the lower fold of A4 in three.
const CUT_Y: f32 = 198.0;
/// The lowest point printed on the sheet.
const BOTTOM: f32 = 285.0;

const BODY_PT: f32 = 10.0;
const BODY_LH: f32 = 5.6;
const SMALL_PT: f32 = 9.0;
const SMALL_LH: f32 = 4.8;
const TITLE_PT: f32 = 13.0;
/// The top of the title's em box.
const TITLE_Y: f32 = 62.5;
/// The request (the insurer's text): a little smaller than the reply form, so that the
/// courtesy line, the viewing stop and the enclosures fit above the table.
const REQUEST_PT: f32 = 9.5;
const REQUEST_LH: f32 = 5.0;
const PARAGRAPH_GAP: f32 = 0.9;
const CELL_PAD: f32 = 1.6;
/// The padding of the table of registered data (tighter than the reply form's).
const DATA_PAD: f32 = 1.2;
const LABEL_W: f32 = 34.0;
const LABEL_GREY: f32 = 0.92;

/// One letter laid out on its sheet.
pub struct LetterLayout {
    /// The sheet, ready for [`pdf::render_pages`].
    pub page: Page,
    /// The boxes of the address block's lines (〒, address lines, name), to check them against
    /// [`window`].
    pub address_lines: Vec<BoxMm>,
}

/// Dates and texts shared by every letter of a batch.
struct Common {
    issued: String,
    deadline: String,
    reply_to: String,
}

impl Common {
    fn new(settings: &LetterSettings, issued: Date) -> Result<Common, LetterError> {
        let missing: Vec<&str> = [
            (settings.insurer_name.as_str(), "保険者名"),
            (&settings.address, "保険者の住所"),
            (&settings.phone, "電話番号"),
        ]
        .iter()
        .filter(|(v, _)| v.trim().is_empty())
        .map(|(_, label)| *label)
        .collect();
        if !missing.is_empty() {
            return Err(LetterError::Settings(format!(
                "{}を入力してください。",
                missing.join("・")
            )));
        }
        let deadline = reply_deadline(settings, issued);
        if deadline <= issued {
            return Err(LetterError::Deadline {
                deadline: wareki(deadline),
                issued: wareki(issued),
            });
        }
        let reply_to = if settings.reply_address.trim().is_empty() {
            let postal = normalize_postal_code(&settings.postal_code)
                .map(|p| format!("〒{p} "))
                .unwrap_or_default();
            format!(
                "{postal}{} {} {}",
                settings.address.trim(),
                settings.insurer_name.trim(),
                settings.department.trim()
            )
            .trim_end()
            .to_string()
        } else {
            settings.reply_address.trim().to_string()
        };
        let common = Common {
            issued: wareki(issued),
            deadline: wareki(deadline),
            reply_to,
        };
        let missing = pdf::missing_glyphs(&settings_text(settings));
        if !missing.is_empty() {
            return Err(LetterError::Settings(format!(
                "印字できない文字があります: {}",
                missing.iter().collect::<String>()
            )));
        }
        Ok(common)
    }
}

fn settings_text(s: &LetterSettings) -> String {
    let (sender, person) = s.wording();
    [
        sender.as_str(),
        person,
        s.insurer_name.as_str(),
        &s.sender_line,
        &s.postal_code,
        &s.address,
        &s.department,
        &s.phone,
        &s.office_hours,
        &s.reply_address,
    ]
    .concat()
}

/// Lays out the letter for `input`, issued on `issued`, without rendering it.
///
/// Fails if the settings are incomplete, the mailing address is missing or its postal code
/// invalid, the person's data holds unprintable characters, or the content does not fit.
pub fn layout_letter(
    settings: &LetterSettings,
    input: &LetterInput,
    issued: Date,
) -> Result<LetterLayout, LetterError> {
    let common = Common::new(settings, issued)?;
    check(input)?;
    layout(settings, &common, input).ok_or_else(|| LetterError::TooLong(vec![input.card_label()]))
}

/// The synthetic person of the editor's preview and of the length check ([`check_text`]):
/// clearly a sample (見本), with an address long enough to take two lines in the table of
/// registered data, so that a text that passes the check leaves room for long addresses.
pub fn sample_input(letter_type: LetterType, stop: StopKind) -> LetterInput {
    LetterInput {
        letter_type,
        card_symbol: "123".into(),
        card_number: "00001001".into(),
        branch: "00".into(),
        name: "見本　花子".into(),
        kana: "ミホン　ハナコ".into(),
        birth_date: Date::from_ymd(1958, 4, 12),
        birth_partial: None,
        sex: Some(Sex::Female),
        registered_address:
            "北海道札幌市中央区北一条西二丁目１番地１　見本マンション北一条西二丁目館東棟１２０３号室"
                .into(),
        mailing: MailingAddress {
            postal_code: "060-0001".into(),
            address:
                "北海道札幌市中央区北一条西二丁目１番地　見本マンション北一条西二丁目館１２０３号室"
                    .into(),
        },
        stop,
        text: None,
    }
}

/// Checks that a letter of `text` fits on its sheet with these settings: the title on one
/// line, and the request above the table of registered data (of [`sample_input`]) and the
/// contact, whatever the viewing stop. The error says by about how many lines it overflows.
pub fn check_text(
    settings: &LetterSettings,
    text: &LetterText,
    issued: Date,
) -> Result<(), TextError> {
    // A letterhead too incomplete to print still lets the text be checked.
    let common = Common::new(settings, issued)
        .or_else(|_| Common::new(&LetterSettings::default(), issued))
        .expect("the default settings print");
    for stop in StopKind::ALL {
        let (title, _) = text.fill(&values(settings, &common, stop));
        if pdf::text_width_mm(&title, TITLE_PT) > TEXT_W {
            return Err(TextError::TitleTooLong);
        }
        let input = sample_input(text.letter_type, stop);
        let mut page = Page::new();
        let top = body(&mut page, settings, &common, text, stop);
        let bottom = top + table_height(&registered_rows(&input), SMALL_PT, SMALL_LH, DATA_PAD);
        let over = bottom - (CONTACT_Y - 2.0);
        if over > 0.0 {
            return Err(TextError::TooLong {
                case: stop.label_ja(),
                lines: (over / REQUEST_LH).ceil().max(1.0) as u32,
            });
        }
    }
    Ok(())
}

/// The editor's preview: the letter of [`sample_input`] with `text` and `stop`, laid out on
/// its sheet even where it overflows (the overlap shows where), with what [`check_text`] says
/// of the text. Fails only if the settings cannot print at all.
pub fn preview(
    settings: &LetterSettings,
    text: &LetterText,
    stop: StopKind,
    issued: Date,
) -> Result<(Page, Result<(), TextError>), LetterError> {
    let common = Common::new(settings, issued)?;
    let verdict = check_text(settings, text, issued);
    let template = template(settings, &common, text, stop);
    let input = sample_input(text.letter_type, stop);
    let mut own = Page::new();
    address_block(&mut own, settings, &input);
    table(
        &mut own,
        template.table_top,
        &registered_rows(&input),
        (SMALL_PT, SMALL_LH, DATA_PAD),
        f32::INFINITY,
    );
    reply_values(&mut own, &template, &input);
    let mut page = template.page;
    page.extend(own);
    Ok((page, verdict))
}

/// Checks one letter's data before layout.
fn check(input: &LetterInput) -> Result<(), LetterError> {
    let chars = unprintable(input);
    if !chars.is_empty() {
        return Err(LetterError::Unprintable(vec![(input.card_label(), chars)]));
    }
    if input.mailing.address.trim().is_empty() {
        return Err(LetterError::NoAddress(vec![input.card_label()]));
    }
    if !input.mailing.postal_code.trim().is_empty() && input.postal_code().is_none() {
        return Err(LetterError::PostalCode(vec![input.card_label()]));
    }
    Ok(())
}

/// The honorific after the name: 様 in the address block and salutation.
const SAMA: &str = "様";

/// The fixed part of the letters of one type, text and viewing stop in a batch (letterhead,
/// request, contact, reply form), drawn once in the file, and where the per-letter part goes.
struct Template {
    page: Page,
    /// Top of the table of registered data.
    table_top: f32,
    /// Where the reply form's value cells start: (x, top of the card row, top of the name
    /// row) and their width.
    card_value: (f32, f32),
    name_value: (f32, f32),
    value_w: f32,
}

/// Where the contact lines start: the bottom of the letter part, above the cut line.
const CONTACT_Y: f32 = CUT_Y - 14.0;

/// The text a letter prints with: its own, or the default of its type.
fn text_of(settings: &LetterSettings, input: &LetterInput) -> Arc<LetterText> {
    match &input.text {
        Some(t) if t.letter_type == input.letter_type => t.clone(),
        _ => Arc::new(LetterText::default_for(input.letter_type, settings.kind)),
    }
}

/// Lays out one letter (its template and its own part) on one page; `None` if it does not
/// fit.
fn layout(settings: &LetterSettings, common: &Common, input: &LetterInput) -> Option<LetterLayout> {
    let text = text_of(settings, input);
    let template = template(settings, common, &text, input.stop);
    let (own, address_lines) = personal(settings, &template, input)?;
    let mut page = template.page;
    page.extend(own);
    Some(LetterLayout {
        page,
        address_lines,
    })
}

/// The rows of the table of registered data: what the insurer has on file (the birth date and
/// sex on type A only).
fn registered_rows(input: &LetterInput) -> Vec<(&'static str, String)> {
    let mut rows: Vec<(&str, String)> = vec![
        ("氏名", input.name.clone()),
        ("フリガナ", input.kana.clone()),
    ];
    if input.letter_type == LetterType::A {
        rows.push(("生年月日", birth_ja(input.birth_date, input.birth_partial)));
        rows.push((
            "性別",
            input
                .sex
                .map(|s| s.label_ja().to_string())
                .unwrap_or_default(),
        ));
    }
    rows.push(("住所", input.registered_address.clone()));
    rows.push(("記号・番号", input.card_label()));
    rows
}

/// The part of a letter that is the person's: the address block, the registered data and
/// the reply form's card and name.
fn personal(
    settings: &LetterSettings,
    template: &Template,
    input: &LetterInput,
) -> Option<(Page, Vec<BoxMm>)> {
    let mut page = Page::new();
    let address_lines = address_block(&mut page, settings, input)?;
    table(
        &mut page,
        template.table_top,
        &registered_rows(input),
        (SMALL_PT, SMALL_LH, DATA_PAD),
        CONTACT_Y - 2.0,
    )?;
    reply_values(&mut page, template, input)?;
    Some((page, address_lines))
}

/// The card and the name in the reply form's value cells; `None` if they cannot fit.
fn reply_values(page: &mut Page, template: &Template, input: &LetterInput) -> Option<()> {
    let name = format!("{}（{}）", input.name, input.kana);
    for ((x, y), text) in [
        (template.card_value, input.card_label()),
        (template.name_value, name),
    ] {
        let pt = fit(&text, template.value_w, BODY_PT, 7.0)?;
        page.text(x, y + (BODY_PT - pt) * 0.3528 / 2.0, pt, Align::Left, &text);
    }
    Some(())
}

/// The largest size from `max_pt` down to `min_pt` at which `text` fits on one line of `width`.
fn fit(text: &str, width: f32, max_pt: f32, min_pt: f32) -> Option<f32> {
    let mut pt = max_pt;
    while pt >= min_pt {
        if pdf::text_width_mm(text, pt) <= width {
            return Some(pt);
        }
        pt -= 0.5;
    }
    None
}

/// The fixed part of a letter with `text` for a person with the viewing stop `stop`.
fn template(
    settings: &LetterSettings,
    common: &Common,
    text: &LetterText,
    stop: StopKind,
) -> Template {
    let mut page = Page::new();
    letterhead(&mut page, settings, common);
    let table_top = body(&mut page, settings, common, text, stop);
    let (card_value, name_value, value_w) =
        reply_form(&mut page, settings, common, text.letter_type);
    Template {
        page,
        table_top,
        card_value,
        name_value,
        value_w,
    }
}

/// The address block inside the window: 〒, the address (wrapped), the name with 様.
fn address_block(
    page: &mut Page,
    settings: &LetterSettings,
    input: &LetterInput,
) -> Option<Vec<BoxMm>> {
    let win = window(settings);
    let x = win.x + WINDOW_INSET_X;
    let w = win.w - 2.0 * WINDOW_INSET_X;
    let top = win.y + WINDOW_INSET_Y;
    let bottom = win.bottom() - WINDOW_INSET_Y;
    let name = format!("{}　{SAMA}", input.name);
    // The largest sizes that fit, the address before the name.
    for (addr_pt, name_pt) in [(10.5, 14.0), (9.5, 13.0), (8.5, 12.0), (8.0, 10.5)] {
        let addr_lh = addr_pt * 0.3528 * 1.35;
        let name_lh = name_pt * 0.3528 * 1.3;
        let postal = input.postal_code();
        let indent = 2.0;
        let addr_lines = pdf::break_lines(input.mailing.address.trim(), w - indent, addr_pt);
        let name_lines = pdf::break_lines(&name, w, name_pt);
        let height = postal.as_ref().map_or(0.0, |_| addr_lh + 1.0)
            + addr_lines.len() as f32 * addr_lh
            + 2.5
            + name_lines.len() as f32 * name_lh;
        if top + height > bottom {
            continue;
        }
        let mut boxes = Vec::new();
        let mut y = top;
        if let Some(p) = postal {
            boxes.push(page.text(x, y, addr_pt, Align::Left, &format!("〒{p}")));
            y += addr_lh + 1.0;
        }
        for line in &addr_lines {
            boxes.push(page.text(x + indent, y, addr_pt, Align::Left, line));
            y += addr_lh;
        }
        y += 2.5;
        for line in &name_lines {
            // The name indented a little, as on a hand-written envelope.
            let lw = pdf::text_width_mm(line, name_pt);
            let indent = ((w - lw) / 4.0).clamp(0.0, 12.0);
            boxes.push(page.text(x + indent, y, name_pt, Align::Left, line));
            y += name_lh;
        }
        return Some(boxes);
    }
    None
}

/// The date and the letterhead at the top right.
fn letterhead(page: &mut Page, settings: &LetterSettings, common: &Common) {
    let w = RIGHT - HEAD_LEFT;
    page.text(RIGHT, 14.0, BODY_PT, Align::Right, &common.issued);
    let mut y = 24.0;
    for (text, pt) in [
        (settings.insurer_name.trim(), 11.0),
        (settings.sender_line.trim(), SMALL_PT),
    ] {
        for line in pdf::break_lines(text, w, pt) {
            page.text(RIGHT, y, pt, Align::Right, &line);
            y += pt * 0.3528 * 1.45;
        }
    }
    y += 2.0;
    let postal = normalize_postal_code(&settings.postal_code)
        .map(|p| format!("〒{p}"))
        .unwrap_or_default();
    let contact = [
        postal,
        settings.address.trim().to_string(),
        format!(
            "{} {}",
            settings.insurer_name.trim(),
            settings.department.trim()
        ),
        format!("電話 {}", settings.phone.trim()),
    ];
    for text in contact.iter().filter(|t| !t.trim().is_empty()) {
        for line in pdf::break_lines(text.trim(), w, 8.5) {
            page.text(HEAD_LEFT, y, 8.5, Align::Left, &line);
            y += 4.2;
        }
    }
}

/// The height of a table row of `lines` lines with `pad` above and below.
fn row_height(lines: usize, pt: f32, lh: f32, pad: f32) -> f32 {
    lines.max(1) as f32 * lh + 2.0 * pad - (lh - pt * 0.3528)
}

/// The height of a two-column table of `rows` (see [`table`]).
fn table_height(rows: &[(&str, String)], pt: f32, lh: f32, pad: f32) -> f32 {
    rows.iter()
        .map(|(_, value)| {
            let lines = pdf::break_lines(value, TEXT_W - LABEL_W - 2.0 * CELL_PAD, pt);
            row_height(lines.len(), pt, lh, pad)
        })
        .sum()
}

/// A ruled two-column table from `top`, `pad` above and below the text of each row; returns
/// the y below it, `None` if a row overflows `limit`.
fn table(
    page: &mut Page,
    top: f32,
    rows: &[(&str, String)],
    (pt, lh, pad): (f32, f32, f32),
    limit: f32,
) -> Option<f32> {
    let mut y = top;
    for (label, value) in rows {
        let lines = pdf::break_lines(value, TEXT_W - LABEL_W - 2.0 * CELL_PAD, pt);
        let h = row_height(lines.len(), pt, lh, pad);
        if y + h > limit {
            return None;
        }
        row_frame(page, y, h, label, pt, pad);
        for (i, line) in lines.iter().enumerate() {
            page.text(
                LEFT + LABEL_W + CELL_PAD,
                y + pad + i as f32 * lh,
                pt,
                Align::Left,
                line,
            );
        }
        y += h;
    }
    Some(y)
}

/// The label cell (grey, with its label) and the frame of the value cell of a table row.
fn row_frame(page: &mut Page, y: f32, h: f32, label: &str, pt: f32, pad: f32) {
    let label_box = BoxMm {
        x: LEFT,
        y,
        w: LABEL_W,
        h,
    };
    page.fill(label_box, LABEL_GREY);
    page.frame(label_box);
    page.frame(BoxMm {
        x: LEFT + LABEL_W,
        y,
        w: TEXT_W - LABEL_W,
        h,
    });
    page.text(LEFT + CELL_PAD, y + pad, pt, Align::Left, label);
}

/// What the placeholders of the letter texts become in the letters of a batch, for a person
/// with the viewing stop `stop`.
fn values(settings: &LetterSettings, common: &Common, stop: StopKind) -> Values {
    let (sender, person) = settings.wording();
    Values {
        stop_explanation: stop.explanation(&sender),
        sender,
        person: person.to_string(),
        insurer: settings.insurer_name.trim().to_string(),
        deadline: common.deadline.clone(),
        department: settings.department.trim().to_string(),
        phone: settings.phone.trim().to_string(),
        office_hours: settings.office_hours.trim().to_string(),
    }
}

/// The title and the request (the insurer's text, filled in), the heading of the table of
/// registered data and the contact; returns the top of the table.
fn body(
    page: &mut Page,
    settings: &LetterSettings,
    common: &Common,
    text: &LetterText,
    stop: StopKind,
) -> f32 {
    let (title, paragraphs) = text.fill(&values(settings, common, stop));
    page.text(PAGE_W / 2.0, TITLE_Y, TITLE_PT, Align::Centre, &title);
    let mut y = TITLE_Y + 7.5;
    let mut previous_bullet = false;
    for p in paragraphs {
        // The lines of a list (・…) follow each other without the paragraph gap.
        let bullet = p.starts_with('・');
        if bullet && previous_bullet {
            y -= PARAGRAPH_GAP;
        }
        previous_bullet = bullet;
        let lines = page.paragraph(LEFT, y, TEXT_W, REQUEST_PT, REQUEST_LH, &p);
        y += lines.len() as f32 * REQUEST_LH + PARAGRAPH_GAP;
    }
    y += 0.8;
    let (sender, _) = settings.wording();
    page.text(
        LEFT,
        y,
        REQUEST_PT,
        Align::Left,
        &format!("{sender}に登録されている内容"),
    );
    let mut contact = format!(
        "ご不明な点は、次のお問い合わせ先までご連絡ください。\n{} {}　電話 {}",
        settings.insurer_name.trim(),
        settings.department.trim(),
        settings.phone.trim(),
    );
    if !settings.office_hours.trim().is_empty() {
        contact.push_str(&format!("　受付時間: {}", settings.office_hours.trim()));
    }
    page.paragraph(LEFT, CONTACT_Y, TEXT_W, SMALL_PT, SMALL_LH, &contact);
    y + REQUEST_LH
}

/// The reply form below the cut line, without the person's card and name; returns where they
/// go: the card's and the name's value cell (x, top) and their width.
fn reply_form(
    page: &mut Page,
    settings: &LetterSettings,
    common: &Common,
    letter_type: LetterType,
) -> ((f32, f32), (f32, f32), f32) {
    let label = "きりとり線";
    let lw = pdf::text_width_mm(label, 7.5);
    page.rule(LEFT - 8.0, PAGE_W / 2.0 - lw / 2.0 - 2.0, CUT_Y, Some(1.5));
    page.rule(PAGE_W / 2.0 + lw / 2.0 + 2.0, RIGHT + 8.0, CUT_Y, Some(1.5));
    page.text(PAGE_W / 2.0, CUT_Y - 1.3, 7.5, Align::Centre, label);

    page.text(PAGE_W / 2.0, 203.0, TITLE_PT, Align::Centre, "回　答　書");
    page.text(
        LEFT,
        205.0,
        SMALL_PT,
        Align::Left,
        &format!("{} 宛", settings.insurer_name.trim()),
    );
    page.text(
        RIGHT,
        205.0,
        SMALL_PT,
        Align::Right,
        &format!("回答期限 {}", common.deadline),
    );
    let value_x = LEFT + LABEL_W + CELL_PAD;
    let value_w = TEXT_W - LABEL_W - 2.0 * CELL_PAD;
    let row = |lines| row_height(lines, BODY_PT, BODY_LH, CELL_PAD);
    let mut y = 212.0;
    let card = (value_x, y + CELL_PAD);
    row_frame(page, y, row(1), "記号・番号", BODY_PT, CELL_PAD);
    y += row(1);
    let name = (value_x, y + CELL_PAD);
    row_frame(page, y, row(1), "氏名", BODY_PT, CELL_PAD);
    y += row(1);
    match letter_type {
        LetterType::A => {
            let rows = [(
                "同封した書類",
                "□ マイナンバーカードの写し（表面と裏面）\n□ 個人番号が記載された住民票の写し"
                    .to_string(),
            )];
            y = table(page, y, &rows, (BODY_PT, BODY_LH, CELL_PAD), BOTTOM).unwrap_or(y);
        }
        LetterType::B => {
            let h = row(3);
            row_frame(page, y, h, "個人番号の下4桁", BODY_PT, CELL_PAD);
            // Four boxes for the four digits, and a note.
            let size = h - 3.0;
            for k in 0..4 {
                page.frame(BoxMm {
                    x: LEFT + LABEL_W + 4.0 + k as f32 * (size + 2.0),
                    y: y + 1.5,
                    w: size,
                    h: size,
                });
            }
            let note_x = LEFT + LABEL_W + 4.0 + 4.0 * (size + 2.0) + 3.0;
            page.paragraph(
                note_x,
                y + 2.0,
                RIGHT - note_x - 2.0,
                8.0,
                3.8,
                "個人番号（12桁）の右から4桁を記入してください。12桁すべてを書かないでください。",
            );
            y += h;
        }
    }
    let rows = [
        ("記入日", "令和　　　年　　　月　　　日".to_string()),
        ("ご本人の署名", "\n".to_string()),
        ("日中の電話番号", String::new()),
    ];
    y = table(page, y, &rows, (BODY_PT, BODY_LH, CELL_PAD), BOTTOM).unwrap_or(y);
    let reply = format!("返送先: {}", common.reply_to);
    page.paragraph(LEFT, y + 2.0, TEXT_W, SMALL_PT, SMALL_LH, &reply);
    (card, name, value_w)
}

// ---------------------------------------------------------------------------------------------
// Batches.

/// One PDF with the letters of a batch, and where each letter is.
#[derive(Clone)]
pub struct LetterBatch {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// The indices into the input slice in the order printed (postal code, then no postal
    /// code, ties in input order).
    pub order: Vec<usize>,
    /// For each input index, in input order: the 1-based page of its letter (one sheet each).
    pub pages: Vec<(usize, u32)>,
}

impl fmt::Debug for LetterBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "LetterBatch {{ {} letters, {} bytes }}",
            self.order.len(),
            self.pdf.len()
        )
    }
}

/// The print order of `letters`: by postal code (for the bulk-mail discount), letters without a
/// postal code last, ties in input order.
pub fn print_order(letters: &[LetterInput]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..letters.len()).collect();
    let keys: Vec<Option<String>> = letters.iter().map(LetterInput::postal_code).collect();
    order.sort_by(|&a, &b| match (&keys[a], &keys[b]) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    order
}

/// Prints `letters` into one PDF, one sheet per letter, in [`print_order`], dated `issued`.
///
/// Every letter is checked first; if any cannot be printed (unprintable characters, no
/// address, bad postal code, too long), nothing is printed and the error names every such
/// letter by its card symbol/number.
pub fn render_batch(
    settings: &LetterSettings,
    letters: &[LetterInput],
    issued: Date,
) -> Result<LetterBatch, LetterError> {
    if letters.is_empty() {
        return Err(LetterError::Empty);
    }
    let common = Common::new(settings, issued)?;
    let (mut unprintable_letters, mut no_address, mut bad_postal) =
        (Vec::new(), Vec::new(), Vec::new());
    for input in letters {
        match check(input) {
            Ok(()) => {}
            Err(LetterError::Unprintable(mut v)) => unprintable_letters.append(&mut v),
            Err(LetterError::NoAddress(mut v)) => no_address.append(&mut v),
            Err(LetterError::PostalCode(mut v)) => bad_postal.append(&mut v),
            Err(e) => return Err(e),
        }
    }
    if !unprintable_letters.is_empty() {
        return Err(LetterError::Unprintable(unprintable_letters));
    }
    if !no_address.is_empty() {
        return Err(LetterError::NoAddress(no_address));
    }
    if !bad_postal.is_empty() {
        return Err(LetterError::PostalCode(bad_postal));
    }
    let order = print_order(letters);
    // One template per (text, viewing stop) used, stored once in the file: a batch holds
    // at most a few (two letter types, three stops, and the versions of a reprint).
    let defaults =
        [LetterType::A, LetterType::B].map(|t| Arc::new(LetterText::default_for(t, settings.kind)));
    let mut keys: Vec<(Arc<LetterText>, StopKind)> = Vec::new();
    let mut templates: Vec<Template> = Vec::new();
    let mut pages = Vec::with_capacity(letters.len());
    let mut too_long = Vec::new();
    for &i in &order {
        let input = &letters[i];
        let text = match &input.text {
            Some(t) if t.letter_type == input.letter_type => t,
            _ => &defaults[usize::from(input.letter_type == LetterType::B)],
        };
        let t = match keys
            .iter()
            .position(|(k, s)| *s == input.stop && (Arc::ptr_eq(k, text) || **k == **text))
        {
            Some(t) => t,
            None => {
                keys.push((text.clone(), input.stop));
                templates.push(template(settings, &common, text, input.stop));
                templates.len() - 1
            }
        };
        match personal(settings, &templates[t], input) {
            Some((page, _)) => pages.push((t, page)),
            None => too_long.push(input.card_label()),
        }
    }
    if !too_long.is_empty() {
        return Err(LetterError::TooLong(too_long));
    }
    let templates = templates.into_iter().map(|t| t.page).collect();
    let pdf = pdf::render_templated("本人確認用の通知文", templates, pages)?;
    let mut page_of = vec![(0, 0); letters.len()];
    for (n, &i) in order.iter().enumerate() {
        page_of[i] = (i, n as u32 + 1);
    }
    Ok(LetterBatch {
        pdf,
        order,
        pages: page_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u32, m: u32, day: u32) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    #[test]
    fn sample_settings_are_not_ready_and_typed_ones_are_tidied() {
        let missing = LetterSettings::default().missing_ja();
        assert_eq!(
            missing,
            [
                "保険者名",
                "差出人の肩書・氏名",
                "郵便番号",
                "所在地",
                "電話番号",
                "保険者の種別"
            ]
        );
        assert!(LetterSettings::blank().checked().is_err());
        let typed = LetterSettings {
            insurer_name: "  架空健康保険組合 ".into(),
            postal_code: "１００ー０００１".into(),
            ..LetterSettings::blank()
        }
        .checked()
        .unwrap();
        assert_eq!(typed.insurer_name, "架空健康保険組合");
        assert_eq!(typed.postal_code, "100-0001");
        assert_eq!(
            typed.missing_ja(),
            ["所在地", "担当部署", "電話番号", "保険者の種別"]
        );
        let bad = LetterSettings {
            insurer_name: "架空健康保険組合".into(),
            postal_code: "100-01".into(),
            ..LetterSettings::blank()
        };
        assert!(bad.checked().unwrap_err().contains("123-4567"));
    }

    #[test]
    fn the_sample_persons_address_takes_two_lines_in_the_table() {
        // So that a text passing `check_text` leaves room for a long address.
        let input = sample_input(LetterType::A, StopKind::QualificationAndMedical);
        let lines = pdf::break_lines(
            &input.registered_address,
            TEXT_W - LABEL_W - 2.0 * CELL_PAD,
            SMALL_PT,
        );
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn the_screen_shows_a_date_with_its_era_year() {
        assert_eq!(date_with_era(d(1979, 7, 18)), "1979年7月18日（昭和54年）");
        assert_eq!(date_with_era(d(2019, 5, 1)), "2019年5月1日（令和元年）");
        assert_eq!(date_with_era(d(1867, 1, 1)), "1867年1月1日");
    }

    #[test]
    fn wareki_eras_and_first_years() {
        assert_eq!(wareki(d(2023, 12, 1)), "令和5年12月1日");
        assert_eq!(wareki(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(wareki(d(2019, 4, 30)), "平成31年4月30日");
        assert_eq!(wareki(d(2020, 1, 1)), "令和2年1月1日");
        assert_eq!(wareki(d(1989, 1, 8)), "平成元年1月8日");
        assert_eq!(wareki(d(1989, 1, 7)), "昭和64年1月7日");
        assert_eq!(wareki(d(1945, 12, 3)), "昭和20年12月3日");
        assert_eq!(wareki(d(1926, 12, 24)), "大正15年12月24日");
        assert_eq!(wareki(d(1912, 7, 29)), "明治45年7月29日");
        assert_eq!(wareki(d(1867, 1, 1)), "1867年1月1日");
    }

    #[test]
    fn deadline_arithmetic_crosses_months_and_years() {
        assert_eq!(add_days(d(2023, 12, 25), 14), Some(d(2024, 1, 8)));
        assert_eq!(add_days(d(2024, 2, 20), 14), Some(d(2024, 3, 5)));
        assert_eq!(add_days(d(2023, 2, 20), 9), Some(d(2023, 3, 1)));
    }

    #[test]
    fn postal_codes() {
        assert_eq!(
            normalize_postal_code("〒123-4567").as_deref(),
            Some("123-4567")
        );
        assert_eq!(
            normalize_postal_code("１２３４５６７").as_deref(),
            Some("123-4567")
        );
        assert_eq!(normalize_postal_code("123-456"), None);
        assert_eq!(normalize_postal_code("12a-4567"), None);
        assert_eq!(
            split_postal_code("〒107-0052 東京都港区赤坂"),
            (Some("107-0052".into()), "東京都港区赤坂".into())
        );
        assert_eq!(
            split_postal_code("東京都港区赤坂一丁目１１番２号"),
            (None, "東京都港区赤坂一丁目１１番２号".into())
        );
    }

    #[test]
    fn settings_round_trip_through_json() {
        let s = LetterSettings {
            reply_deadline: Date::from_ymd(2023, 12, 25),
            ..LetterSettings::default()
        };
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"20231225\""));
        let back: LetterSettings = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        let partial: LetterSettings = serde_json::from_str(r#"{"insurer_name":"X健保"}"#).unwrap();
        assert_eq!(partial.insurer_name, "X健保");
        assert_eq!(partial.reply_deadline, None);
    }
}
