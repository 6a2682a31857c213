//! The wording of the notice letters as the insurer's own templates (通知文の文面).
//!
//! A letter's title and request are the insurer's words: the administrator edits them per
//! letter type (A: 個人番号のご提出のお願い, B: 個人番号の確認のお願い) on the settings screen
//! or from the CLI, and totsugo fills in the placeholders ([`PLACEHOLDERS`]: `{送付元}`,
//! `{対象者}`, `{保険者名}`, `{回答期限}`, `{担当部署}`, `{電話番号}`, `{受付時間}`,
//! `{閲覧停止の説明}`) for each letter.
//!
//! **The text** ([`LetterText`]): the first non-empty line is the title (件名), every further
//! non-empty line is a paragraph of the request; empty lines are ignored. A placeholder is its
//! name in braces, half- or full-width (`{回答期限}` or `｛回答期限｝`). [`LetterText::parse`]
//! refuses an unknown placeholder, an unclosed or stray brace, a text without a title or
//! without a request, and characters the bundled font cannot print, each with a Japanese
//! sentence naming what is wrong ([`TextError`]). Whether the letter still fits on its sheet is
//! the layout's to say (`letters::check_text`).
//!
//! **The defaults** ([`default_source`]) are totsugo's wording for each kind of insurer: they
//! say that the insurer checks the registered numbers at the request of the ministry
//! (「厚生労働省の要請を受け」) and must confirm the registered number, never that the person's
//! data 「住民票の内容と一致しない」 (the registry record compared belongs to the registered
//! number, which may be a stranger's); what the viewing stop means for the person now
//! ([`StopKind::explanation`], seed 002 Q&A 4); that a reply envelope is enclosed; and, for
//! type B, that a change of name or address is to be notified (変更届).
//!
//! **Versions**: the store keeps every saved text as an immutable version and each printed
//! letter notes the version it used; a reprint uses the original letter's version (see the
//! session's `letter_text` methods).

use crate::insurer::InsurerKind;
use crate::record::{StopCase, StopFlag};
use crate::review::LetterType;

/// What a placeholder stands for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// How the insurer names itself (当組合, 当協会, 当市 …).
    Sender,
    /// How the insurer names the insured people (加入者, 被保険者, 組合員).
    Person,
    /// The insurer's name from the letterhead.
    Insurer,
    /// The reply deadline in 和暦.
    Deadline,
    /// The department that handles the replies.
    Department,
    /// The phone number for questions.
    Phone,
    /// The office hours for phone calls.
    OfficeHours,
    /// What the viewing stop of this person's record means for them now (per letter).
    StopExplanation,
}

/// A placeholder: its name as typed between braces, and what it means (for the editor).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    /// What it stands for.
    pub key: Key,
    /// The name between the braces, e.g. `送付元`.
    pub name: &'static str,
    /// What it becomes, in Japanese, for the editor's list.
    pub meaning: &'static str,
}

impl Placeholder {
    /// The placeholder as typed: `{送付元}`.
    pub fn token(&self) -> String {
        format!("{{{}}}", self.name)
    }
}

/// Every placeholder a letter text may use, in the order the editor lists them.
pub const PLACEHOLDERS: &[Placeholder] = &[
    Placeholder {
        key: Key::Sender,
        name: "送付元",
        meaning: "保険者の自称（当組合・当協会・当市など。保険者の種別で決まります）",
    },
    Placeholder {
        key: Key::Person,
        name: "対象者",
        meaning: "加入者の呼び方（加入者・被保険者・組合員。保険者の種別で決まります）",
    },
    Placeholder {
        key: Key::Insurer,
        name: "保険者名",
        meaning: "設定の保険者名（例 〇〇健康保険組合）",
    },
    Placeholder {
        key: Key::Deadline,
        name: "回答期限",
        meaning: "回答期限の日付（和暦、例 令和5年12月25日）",
    },
    Placeholder {
        key: Key::Department,
        name: "担当部署",
        meaning: "設定の担当部署（例 適用課）",
    },
    Placeholder {
        key: Key::Phone,
        name: "電話番号",
        meaning: "設定の電話番号",
    },
    Placeholder {
        key: Key::OfficeHours,
        name: "受付時間",
        meaning: "設定の電話の受付時間",
    },
    Placeholder {
        key: Key::StopExplanation,
        name: "閲覧停止の説明",
        meaning: "その人の閲覧停止がいま何を意味するか（①資格情報及び医療情報の停止／②③医療情報のみの停止で文が変わります。停止のない人には何も入りません。この項目だけの行は、そのとき行ごと省きます）",
    },
];

/// The placeholder named `name` (without braces).
pub fn placeholder(name: &str) -> Option<&'static Placeholder> {
    PLACEHOLDERS.iter().find(|p| p.name == name)
}

fn token_of(key: Key) -> String {
    PLACEHOLDERS
        .iter()
        .find(|p| p.key == key)
        .map(Placeholder::token)
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The viewing stop, as the letter explains it.

/// What the operator's viewing stop of a person's record stops now, as the letter explains it:
/// the file's 閲覧停止区分 (the stop the operator applied) where it has one, else the case
/// recomputed from the verdicts.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StopKind {
    /// 資格情報及び医療情報 stopped (閲覧停止区分 1, case ①): the card cannot be used to see a
    /// doctor.
    QualificationAndMedical,
    /// 医療情報 only stopped (閲覧停止区分 2, cases ② and ③): the card can still be used.
    MedicalOnly,
    /// Nothing stopped (閲覧停止区分 0, or no case): the letter says nothing about a stop.
    NotStopped,
}

impl StopKind {
    /// Every kind, in the order the editor offers them for the preview.
    pub const ALL: [StopKind; 3] = [
        StopKind::QualificationAndMedical,
        StopKind::MedicalOnly,
        StopKind::NotStopped,
    ];

    /// The stop of a record: the operator's 閲覧停止区分 where the file has one (1 = 資格情報及び
    /// 医療情報, 2 = 医療情報, 0 = none), else the recomputed case (① → both, ②③ → 医療情報).
    pub fn of(flag: Option<StopFlag>, case: StopCase) -> StopKind {
        match flag.unwrap_or_else(|| case.expected_flag()) {
            StopFlag::QualificationAndMedical => StopKind::QualificationAndMedical,
            StopFlag::MedicalOnly => StopKind::MedicalOnly,
            StopFlag::NotStopped => StopKind::NotStopped,
        }
    }

    /// The stop most letters of `letter_type` go with: ① for type A (birth date or sex
    /// differs), ②③ for type B (name or address differs); what previews show first.
    pub fn usual_for(letter_type: LetterType) -> StopKind {
        match letter_type {
            LetterType::A => StopKind::QualificationAndMedical,
            LetterType::B => StopKind::MedicalOnly,
        }
    }

    /// For the editor's preview choice.
    pub fn label_ja(self) -> &'static str {
        match self {
            StopKind::QualificationAndMedical => "① 資格情報及び医療情報の閲覧停止",
            StopKind::MedicalOnly => "②③ 医療情報のみの閲覧停止",
            StopKind::NotStopped => "閲覧停止なし",
        }
    }

    /// What `{閲覧停止の説明}` becomes for a person with this stop; `sender` is how the
    /// insurer names itself. Empty where nothing is stopped.
    ///
    /// The words are seed 002's Q&A 4 (「突合結果の不一致の内容に応じて、医療情報の閲覧を
    /// 一時的に停止することですが、どういうことでしょうか。」), and its Q&A 3 for the release
    /// once the number is confirmed (「個人番号の正確性の確認ができたものについて実施機関に
    /// 報告いただくことで、順次情報閲覧の停止を解除」).
    pub fn explanation(self, sender: &str) -> String {
        match self {
            // seed 002 Q&A 4 <生年月日、性別が不一致の場合>: 「資格情報、及び医療情報の閲覧を
            // 停止しているため、マイナンバーカードによる受診はできません。保険証による受診は
            // 可能です。マイナポータルで医療情報の閲覧はできません。」
            StopKind::QualificationAndMedical => format!(
                "現在、確認が済むまでの間、あなたの資格情報及び医療情報の閲覧を停止しているため、\
                 マイナンバーカードによる受診はできません。保険証による受診は可能です。\
                 また、マイナポータルで医療情報の閲覧はできません。\
                 個人番号が正しいことを確認でき次第、{sender}から停止の解除を依頼します。"
            ),
            // seed 002 Q&A 4 <氏名、住所が不一致>: 「医療情報の閲覧のみを停止しているため、
            // マイナンバーカードによる受診は可能です。マイナポータルで医療情報の閲覧は
            // できません。」
            StopKind::MedicalOnly => format!(
                "現在、確認が済むまでの間、医療情報の閲覧のみを停止しているため、\
                 マイナンバーカードによる受診は可能です。ただし、マイナポータルで医療情報の\
                 閲覧はできません。個人番号が正しいことを確認でき次第、{sender}から停止の解除を\
                 依頼します。"
            ),
            StopKind::NotStopped => String::new(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The default texts.

/// totsugo's default text of `letter_type` for this kind of insurer (`None`: not chosen yet),
/// as the administrator sees it in the editor: placeholders unfilled.
///
/// What it keeps from the earlier fixed letters: 「厚生労働省の要請を受け」, that the insurer
/// must confirm the registered number, never 「住民票の内容と一致しない」. What it adds: an
/// opening courtesy line, the viewing stop explained per person (`{閲覧停止の説明}`), the
/// enclosed reply envelope (返信用封筒), and for type B the change notification (変更届),
/// through the employer where the members have one.
pub fn default_source(letter_type: LetterType, kind: Option<InsurerKind>) -> String {
    let courtesy = "平素より{送付元}の事業運営に格別のご理解とご協力を賜り、厚く御礼申し上げます。";
    let intro = "{送付元}では、厚生労働省の要請を受け、{対象者}の皆さまの個人番号（マイナンバー）が\
                 正しく登録されているかを確認しています。";
    match letter_type {
        LetterType::A => [
            "個人番号（マイナンバー）のご提出のお願い".to_string(),
            courtesy.to_string(),
            format!(
                "{intro}このたびの確認で、{{送付元}}に登録されているあなたの個人番号が正しいか\
                 どうかを、書類で確かめる必要があることが分かりました。"
            ),
            "{閲覧停止の説明}".to_string(),
            "お手数ですが、下の回答書にご記入のうえ、次のどちらかの写しを添えて、同封の\
             返信用封筒で{回答期限}までに{送付元}へお送りください。"
                .to_string(),
            "・マイナンバーカードの写し（表面と裏面）".to_string(),
            "・個人番号（マイナンバー）が記載された住民票の写し".to_string(),
            "お送りいただいた書類は確認のためにだけ使い、確認後は{送付元}で責任をもって\
             廃棄します。"
                .to_string(),
        ]
        .join("\n"),
        LetterType::B => {
            let through = if kind.is_none_or(|k| k.has_employer()) {
                "お勤め先を通じて"
            } else {
                ""
            };
            [
                "個人番号（マイナンバー）の確認のお願い".to_string(),
                courtesy.to_string(),
                format!(
                    "{intro}このたびの確認で、{{送付元}}に登録されているあなたの個人番号が正しいか\
                     どうかを、あなたに確かめていただく必要があることが分かりました。"
                ),
                "{閲覧停止の説明}".to_string(),
                "お手数ですが、下の回答書に、あなたの個人番号（12桁）の下4桁をご記入のうえ、\
                 同封の返信用封筒で{回答期限}までに{送付元}へお送りください。\
                 書類の添付は必要ありません。"
                    .to_string(),
                format!(
                    "なお、氏名や住所が変わっているときは、{through}{{送付元}}へ変更届を\
                     ご提出ください。"
                ),
            ]
            .join("\n")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing and filling.

/// Why a letter text was refused, in words for the administrator.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A placeholder name totsugo does not know.
    #[error(
        "差し込み項目「{{{0}}}」はありません。使える差し込み項目は {known} です",
        known = known_list()
    )]
    UnknownPlaceholder(String),
    /// A `{` without its `}` (what follows it, shortened).
    #[error(
        "「{{」が閉じられていません（「{{{0}」のところ）。差し込み項目は {{回答期限}} のように「}}」で閉じてください"
    )]
    Unclosed(String),
    /// A `}` without its `{` (what precedes it, shortened).
    #[error(
        "「}}」に対応する「{{」がありません（「{0}}}」のところ）。差し込み項目は {{回答期限}} のように書いてください"
    )]
    StrayClose(String),
    /// No title line.
    #[error("文面が空です。1行目に件名、2行目から本文を書いてください")]
    NoTitle,
    /// A title but no request.
    #[error("本文がありません。2行目から本文を書いてください（1行目は件名です）")]
    NoBody,
    /// Characters the bundled font cannot print.
    #[error("印字できない文字があります: {}。別の文字に置き換えてください", describe_chars(.0))]
    Unprintable(Vec<char>),
    /// The title is wider than the text column.
    #[error("件名（1行目）が長すぎて1行に収まりません。短くしてください")]
    TitleTooLong,
    /// The letter would not fit on its sheet above the reply form.
    #[error(
        "文面が長すぎて、登録内容の表と回答書を含めて1枚に収まりません（{case}の人の通知文で、約{lines}行分はみ出します）。文を短くしてください"
    )]
    TooLong {
        /// For which viewing stop (the longest explanation decides).
        case: &'static str,
        /// About how many lines of body text are too many.
        lines: u32,
    },
}

fn known_list() -> String {
    PLACEHOLDERS
        .iter()
        .map(Placeholder::token)
        .collect::<Vec<_>>()
        .join("・")
}

fn describe_chars(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("「{c}」（U+{:04X}）", u32::from(*c)))
        .collect::<Vec<_>>()
        .join("・")
}

/// A piece of a line: literal text, or a placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Printed as is.
    Text(String),
    /// Filled in per letter.
    Slot(Key),
}

/// What the placeholders become for one letter.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Values {
    /// `{送付元}`.
    pub sender: String,
    /// `{対象者}`.
    pub person: String,
    /// `{保険者名}`.
    pub insurer: String,
    /// `{回答期限}`, in 和暦.
    pub deadline: String,
    /// `{担当部署}`.
    pub department: String,
    /// `{電話番号}`.
    pub phone: String,
    /// `{受付時間}`.
    pub office_hours: String,
    /// `{閲覧停止の説明}`: [`StopKind::explanation`].
    pub stop_explanation: String,
}

impl Values {
    fn get(&self, key: Key) -> &str {
        match key {
            Key::Sender => &self.sender,
            Key::Person => &self.person,
            Key::Insurer => &self.insurer,
            Key::Deadline => &self.deadline,
            Key::Department => &self.department,
            Key::Phone => &self.phone,
            Key::OfficeHours => &self.office_hours,
            Key::StopExplanation => &self.stop_explanation,
        }
    }
}

/// A letter text checked and split into its title and paragraphs, ready to fill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterText {
    /// The letter type it is for.
    pub letter_type: LetterType,
    /// The stored version it comes from; `None` for a text not stored (a default, or one being
    /// edited).
    pub version: Option<i64>,
    source: String,
    title: Vec<Segment>,
    paragraphs: Vec<Vec<Segment>>,
}

impl LetterText {
    /// Checks `source` (see the [module documentation](self)) and splits it. The text is kept
    /// as typed, line ends made `\n` and each line's surrounding spaces trimmed.
    pub fn parse(letter_type: LetterType, source: &str) -> Result<LetterText, TextError> {
        let source = tidy(source);
        let mut lines = Vec::new();
        let mut literal = String::new();
        for line in source.lines().filter(|l| !l.is_empty()) {
            let segments = parse_line(line)?;
            for s in &segments {
                if let Segment::Text(t) = s {
                    literal.push_str(t);
                }
            }
            lines.push(segments);
        }
        let missing = crate::pdf::missing_glyphs(&literal);
        if !missing.is_empty() {
            return Err(TextError::Unprintable(missing));
        }
        let mut lines = lines.into_iter();
        let title = lines.next().ok_or(TextError::NoTitle)?;
        let paragraphs: Vec<Vec<Segment>> = lines.collect();
        if paragraphs.is_empty() {
            return Err(TextError::NoBody);
        }
        Ok(LetterText {
            letter_type,
            version: None,
            source,
            title,
            paragraphs,
        })
    }

    /// totsugo's default text (see [`default_source`]), not stored.
    pub fn default_for(letter_type: LetterType, kind: Option<InsurerKind>) -> LetterText {
        LetterText::parse(letter_type, &default_source(letter_type, kind))
            .expect("the default letter texts parse")
    }

    /// The same text marked as the stored version `id`.
    pub fn with_version(mut self, id: i64) -> LetterText {
        self.version = Some(id);
        self
    }

    /// The text as typed (tidied: `\n` line ends, lines trimmed).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the text uses the placeholder `key`.
    pub fn uses(&self, key: Key) -> bool {
        std::iter::once(&self.title)
            .chain(&self.paragraphs)
            .flatten()
            .any(|s| *s == Segment::Slot(key))
    }

    /// The title and the paragraphs with the placeholders filled in. A paragraph that is empty
    /// once filled (a line of only `{閲覧停止の説明}` for a person with no stop) is left out.
    pub fn fill(&self, values: &Values) -> (String, Vec<String>) {
        let fill = |segments: &[Segment]| -> String {
            segments
                .iter()
                .map(|s| match s {
                    Segment::Text(t) => t.as_str(),
                    Segment::Slot(k) => values.get(*k),
                })
                .collect::<String>()
                .trim()
                .to_string()
        };
        let paragraphs = self
            .paragraphs
            .iter()
            .map(|p| fill(p))
            .filter(|p| !p.is_empty())
            .collect();
        (fill(&self.title), paragraphs)
    }
}

/// `\r\n` and `\r` become `\n`; every line is trimmed of spaces (half- and full-width) and tabs.
fn tidy(source: &str) -> String {
    source
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(|l| l.trim_matches([' ', '\u{3000}', '\t']))
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_string()
}

fn is_open(c: char) -> bool {
    c == '{' || c == '｛'
}

fn is_close(c: char) -> bool {
    c == '}' || c == '｝'
}

/// At most 12 characters of `s`, for a message.
fn excerpt(s: &str, from_end: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 12 {
        s.to_string()
    } else if from_end {
        format!("…{}", chars[chars.len() - 12..].iter().collect::<String>())
    } else {
        format!("{}…", chars[..12].iter().collect::<String>())
    }
}

fn parse_line(line: &str) -> Result<Vec<Segment>, TextError> {
    let mut segments = Vec::new();
    let mut text = String::new();
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        if is_close(c) {
            return Err(TextError::StrayClose(excerpt(&line[..i], true)));
        }
        if !is_open(c) {
            text.push(c);
            continue;
        }
        let start = i + c.len_utf8();
        let mut name = String::new();
        let mut closed = false;
        for (_, d) in chars.by_ref() {
            if is_close(d) {
                closed = true;
                break;
            }
            if is_open(d) {
                break;
            }
            name.push(d);
        }
        if !closed {
            return Err(TextError::Unclosed(excerpt(&line[start..], false)));
        }
        let name = name.trim_matches([' ', '\u{3000}']);
        let p = placeholder(name).ok_or_else(|| TextError::UnknownPlaceholder(name.to_string()))?;
        if !text.is_empty() {
            segments.push(Segment::Text(std::mem::take(&mut text)));
        }
        segments.push(Segment::Slot(p.key));
    }
    if !text.is_empty() {
        segments.push(Segment::Text(text));
    }
    Ok(segments)
}

/// The placeholder for the stop explanation as typed, for messages and the editor.
pub fn stop_token() -> String {
    token_of(Key::StopExplanation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            sender: "当組合".into(),
            person: "加入者".into(),
            insurer: "架空健康保険組合".into(),
            deadline: "令和5年12月25日".into(),
            department: "適用課".into(),
            phone: "03-0000-1234".into(),
            office_hours: "平日".into(),
            stop_explanation: StopKind::MedicalOnly.explanation("当組合"),
        }
    }

    #[test]
    fn placeholders_are_filled_half_and_full_width() {
        let t = LetterText::parse(
            LetterType::B,
            "  件名 {保険者名}\r\n\r\n{送付元}の{対象者}は ｛回答期限｝ までに\n{閲覧停止の説明}\n",
        )
        .unwrap();
        assert_eq!(
            t.source(),
            "件名 {保険者名}\n\n{送付元}の{対象者}は ｛回答期限｝ までに\n{閲覧停止の説明}"
        );
        let (title, paragraphs) = t.fill(&values());
        assert_eq!(title, "件名 架空健康保険組合");
        assert_eq!(paragraphs[0], "当組合の加入者は 令和5年12月25日 までに");
        assert!(paragraphs[1].contains("マイナンバーカードによる受診は可能です"));
        // No stop: the line of only the explanation goes.
        let none = Values {
            stop_explanation: StopKind::NotStopped.explanation("当組合"),
            ..values()
        };
        assert_eq!(t.fill(&none).1.len(), 1);
        assert!(t.uses(Key::StopExplanation) && !t.uses(Key::Phone));
    }

    #[test]
    fn unknown_unclosed_and_stray_braces_are_refused_by_name() {
        let e = LetterText::parse(LetterType::A, "件名\n{送付先}へ").unwrap_err();
        assert_eq!(e, TextError::UnknownPlaceholder("送付先".into()));
        assert!(e.to_string().contains("「{送付先}」"), "{e}");
        assert!(
            e.to_string().contains("{回答期限}"),
            "lists the known ones: {e}"
        );
        let e = LetterText::parse(LetterType::A, "件名\n{回答期限までに").unwrap_err();
        assert!(matches!(e, TextError::Unclosed(_)), "{e:?}");
        assert!(e.to_string().contains("閉じられていません"), "{e}");
        assert!(e.to_string().contains("回答期限までに"), "{e}");
        let e = LetterText::parse(LetterType::A, "件名\n回答期限}まで").unwrap_err();
        assert!(matches!(e, TextError::StrayClose(_)), "{e:?}");
        assert_eq!(
            LetterText::parse(LetterType::A, " \n"),
            Err(TextError::NoTitle)
        );
        assert_eq!(
            LetterText::parse(LetterType::A, "件名だけ"),
            Err(TextError::NoBody)
        );
    }

    #[test]
    fn unprintable_characters_are_refused() {
        let e = LetterText::parse(LetterType::A, "件名\n𠮷野家").unwrap_err();
        assert_eq!(e, TextError::Unprintable(vec!['𠮷']));
        assert!(e.to_string().contains("U+20BB7"), "{e}");
    }

    #[test]
    fn the_stop_follows_the_operators_flag_then_the_case() {
        use StopKind::*;
        assert_eq!(
            StopKind::of(Some(StopFlag::MedicalOnly), StopCase::Case1),
            MedicalOnly
        );
        assert_eq!(StopKind::of(None, StopCase::Case1), QualificationAndMedical);
        assert_eq!(StopKind::of(None, StopCase::Case3), MedicalOnly);
        assert_eq!(
            StopKind::of(Some(StopFlag::NotStopped), StopCase::Case2),
            NotStopped
        );
        // seed 002 Q&A 4: 「マイナンバーカードによる受診はできません。保険証による受診は可能です。」
        let one = QualificationAndMedical.explanation("当組合");
        assert!(one.contains("マイナンバーカードによる受診はできません"));
        assert!(one.contains("保険証による受診は可能です"));
        // seed 002 Q&A 4: 「マイナポータルで医療情報の閲覧はできません。」
        assert!(one.contains("マイナポータルで医療情報の閲覧はできません"));
        // seed 002 Q&A 4: 「医療情報の閲覧のみを停止しているため、マイナンバーカードによる受診は可能です。」
        let two = MedicalOnly.explanation("当組合");
        assert!(two.contains("マイナンバーカードによる受診は可能です"));
        assert!(two.contains("マイナポータルで医療情報の閲覧はできません"));
        assert!(NotStopped.explanation("当組合").is_empty());
    }

    #[test]
    fn the_defaults_parse_and_say_what_they_must() {
        for t in [LetterType::A, LetterType::B] {
            for kind in std::iter::once(None).chain(InsurerKind::ALL.map(Some)) {
                let text = LetterText::default_for(t, kind);
                let src = text.source();
                assert!(src.contains("厚生労働省の要請を受け"));
                assert!(src.contains("返信用封筒"));
                assert!(src.contains("厚く御礼申し上げます"));
                assert!(!src.contains("住民票の内容と一致しない"));
                assert!(text.uses(Key::StopExplanation));
                assert_eq!(src.contains("変更届"), t == LetterType::B);
            }
        }
        assert!(
            default_source(LetterType::B, Some(InsurerKind::KenpoKumiai))
                .contains("お勤め先を通じて")
        );
        assert!(
            !default_source(LetterType::B, Some(InsurerKind::ShichosonKokuho)).contains("お勤め先")
        );
    }
}
