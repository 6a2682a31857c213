//! When a registered number is wrong (個人番号の誤り): pre-filled drafts of the operator's
//! three forms, and the similar-case check (類似事案の点検).
//!
//! - 連絡票 (別添3): detection date and trigger, the insurer, the person's card, name, birth
//!   date and sex (the insurer's side: the registry side is a stranger's data);
//! - 事実関係確認票 (別添4): the insurer's fields (department, person in charge, contact,
//!   cause, similar cases); the operator's fields stay theirs;
//! - 報告様式 (別添5): the header and ① (detection), with ⑧ (similar cases) from the check, the
//!   addressees from the kind of insurer ([`crate::insurer`]) and the note that no report is
//!   needed where no third party viewed the data;
//! - 市町村国保 send no contact sheet: a notice through the municipal デジタルPMO, with no
//!   personal data ([`pmo_notice`]).
//!
//! What only the insurer knows is left as visibly blank cells to fill in by hand, and no box is
//! ticked for the clerk: totsugo's similar-case candidates go as an attached list, for
//! reference.

use crate::insurer::InsurerKind;
use crate::pdf::{Block, SimpleDoc};
use crate::record::{Date, Record, Sex};

/// Who sends the forms: from the letter settings and the logged-in user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sender {
    /// 保険者等名.
    pub insurer: String,
    /// 担当部署.
    pub department: String,
    /// 担当者.
    pub person: String,
    /// 連絡先 (TEL).
    pub phone: String,
    /// The kind of insurer (the contact route, the report's addressees, publication).
    pub kind: Option<InsurerKind>,
}

/// A record found by the similar-case check, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimilarCase {
    /// Record id.
    pub record_id: i64,
    /// Why it is similar, for the clerk.
    pub why: String,
}

fn date_ja(d: Option<Date>) -> String {
    d.map(crate::letters::wareki).unwrap_or_default()
}

fn sex_ja(s: Option<Sex>) -> &'static str {
    match s {
        Some(Sex::Male) => "男",
        Some(Sex::Female) => "女",
        Some(Sex::Unknown) => "不明",
        None => "",
    }
}

fn header(sender: &Sender) -> Block {
    Block::Table(vec![
        ("保険者等名".into(), sender.insurer.clone()),
        ("担当部署".into(), sender.department.clone()),
        ("担当者".into(), sender.person.clone()),
        ("連絡先 (TEL)".into(), sender.phone.clone()),
        ("連絡先 (e-mail)".into(), String::new()),
    ])
}

const TRIGGER: &str =
    "その他: 全件 J-LIS 確認の突合結果ファイル（総合判定 ×）を点検し、個人番号の誤りと判断";

/// 連絡票 (別添3), pre-filled.
pub fn contact_sheet(sender: &Sender, record: &Record, detected: Date) -> SimpleDoc {
    let p = &record.insurer;
    SimpleDoc {
        title: "連絡票（別添3）".into(),
        blocks: vec![
            Block::Paragraph("実施機関 御中".into()),
            header(sender),
            Block::Title("保険者等が自ら異なる個人番号の誤登録を検知した事案の連絡票".into()),
            Block::Paragraph(
                "※ 本連絡票は、医療保険者等向け中間サーバーの「お知らせ機能」を通して実施機関に連絡すること（下書き: totsugo が記入した欄を確認のうえ使用）".into(),
            ),
            Block::Heading("事案を検知した契機".into()),
            Block::Table(vec![
                ("検知日".into(), crate::letters::wareki(detected)),
                ("契機".into(), TRIGGER.into()),
            ]),
            Block::Heading("本件事案に係る被保険者情報".into()),
            Block::Table(vec![
                ("保険者名".into(), sender.insurer.clone()),
                ("保険者コード".into(), record.insurer_number.clone()),
                (
                    "記号・番号・枝番".into(),
                    format!(
                        "{}・{}・{}",
                        record.card_symbol, record.card_number, record.branch
                    ),
                ),
                ("氏名".into(), p.kanji_name.clone()),
                ("生年月日".into(), date_ja(p.birth_date)),
                ("性別".into(), sex_ja(p.sex).into()),
            ]),
        ],
        footer: Some("連絡票（別添3）下書き".into()),
    }
}

/// The notice a 市町村国保 sends through the municipal デジタルPMO instead of the contact sheet:
/// that a wrong number is registered and that the insurer found it itself, and **no personal
/// data** (seed 000: 「個人情報の取り扱いの観点から、個人情報を記載しないようご注意ください」);
/// the operator then asks for the contact sheet's contents by phone.
pub fn pmo_notice(sender: &Sender, detected: Date) -> SimpleDoc {
    SimpleDoc {
        title: "デジタルPMOでの連絡（市町村国保）".into(),
        blocks: vec![
            Block::Title("市区町村等向けデジタルPMOでの連絡文（下書き）".into()),
            Block::Paragraph(
                "市町村国保は中間サーバーの「お知らせ機能」を利用できないため、連絡票（別添3）に代えて、市区町村等向けデジタルPMOを通して次の内容を連絡します。連絡票に記載すべき内容は、実施機関からの電話での聞き取りに答えます。".into(),
            ),
            Block::Heading("連絡する内容".into()),
            Block::Paragraph(format!(
                "{} において、医療保険者等向け中間サーバーに異なる個人番号が設定されていることを、{} に自ら検知しました。",
                sender.insurer,
                crate::letters::wareki(detected)
            )),
            Block::Paragraph(format!(
                "担当: {} {}　電話 {}",
                sender.department, sender.person, sender.phone
            )),
            Block::Heading("注意".into()),
            Block::Paragraph(
                "氏名、記号・番号、個人番号、生年月日、住所など、個人を特定できる情報は記載しないでください。".into(),
            ),
        ],
        footer: Some("デジタルPMOでの連絡文 下書き（個人情報なし）".into()),
    }
}

/// 事実関係確認票 (別添4): the insurer's part, pre-filled where totsugo knows the answer.
pub fn fact_check(sender: &Sender, similar: &[SimilarCase]) -> SimpleDoc {
    SimpleDoc {
        title: "事実関係確認票（別添4）".into(),
        blocks: vec![
            Block::Title(
                "医療保険者等向け中間サーバーへの異なる個人番号の登録事案に係る事実関係確認票（保険者等記載欄）".into(),
            ),
            Block::Paragraph("基礎情報・影響範囲は実施機関が記入します。".into()),
            Block::Heading("確認事項（保険者等が記載）".into()),
            Block::Table(vec![
                ("担当部署".into(), sender.department.clone()),
                ("担当者名".into(), sender.person.clone()),
                ("連絡先".into(), sender.phone.clone()),
                ("異なる個人番号の中間サーバー登録日".into(), String::new()),
                (
                    "異なる個人番号を登録した契機".into(),
                    "□ 資格取得届等における記載誤り　□ J-LIS照会（住基ネット照会）時の誤り　□ 上記以外".into(),
                ),
                ("登録の原因（届出書の場合 Q1・Q2）".into(), String::new()),
                ("登録の原因（J-LIS照会の場合 Q1〜Q4）".into(), String::new()),
                ("本人への対応状況".into(), "□ 連絡済み（連絡中）　□ 連絡予定（予定日:　　）　□ 連絡予定なし".into()),
                ("閲覧者への対応状況".into(), "□ 連絡済み（連絡中）　□ 連絡予定（予定日:　　）　□ 連絡予定なし".into()),
                ("公表予定の有無".into(), String::new()),
                (
                    "類似事案の確認 Q1".into(),
                    "□ 行った　□ 行っていない".into(),
                ),
                (
                    "類似事案の確認 Q2（件数）".into(),
                    format!(
                        "異なる個人番号と確認できた件数:　　件（参考: totsugo の点検の候補 {} 件、別紙の一覧）",
                        similar.len()
                    ),
                ),
                ("再発防止に向けた措置（登録時）".into(), String::new()),
                ("再発防止に向けた措置（登録後）".into(), String::new()),
            ]),
        ],
        footer: Some("事実関係確認票（別添4）下書き".into()),
    }
}

/// 報告様式 (別添5), pre-filled with ① and ⑧, addressed as the kind of insurer reports.
pub fn report_form(sender: &Sender, detected: Date, similar: &[SimilarCase]) -> SimpleDoc {
    let to = sender.kind.map_or_else(
        || "（保険者の種別を設定すると、報告先をここに示します）".to_string(),
        |k| k.report_addressees_ja(),
    );
    let publication = if sender.kind.is_some_and(|k| k.publishes_by_ordinance()) {
        "（市町村国保・広域連合は、各条例に基づき公表）".to_string()
    } else {
        String::new()
    };
    SimpleDoc {
        title: "報告様式（別添5）".into(),
        blocks: vec![
            Block::Paragraph(format!("報告先: {to}")),
            header(sender),
            Block::Title(
                "医療保険者等向け中間サーバーへの異なる個人番号の登録事案の報告について".into(),
            ),
            Block::Paragraph(
                "※ 第三者による閲覧が確認されなかった場合、この報告様式による報告は不要です（確認票による事実関係の確認は続けます）。".into(),
            ),
            Block::Paragraph("令和4年1月27日付通知に基づき、下記のとおり報告します。".into()),
            Block::Table(vec![
                (
                    "① 事案の概要".into(),
                    format!("検知日: {}\n{TRIGGER}", crate::letters::wareki(detected)),
                ),
                ("② 影響範囲".into(), String::new()),
                ("③ 本人（閲覧された者）への対応等".into(), String::new()),
                ("④ 情報の閲覧者への対応等".into(), String::new()),
                ("⑤ 原因".into(), String::new()),
                (
                    "⑥ ダウンロード等による情報の拡散等の有無".into(),
                    String::new(),
                ),
                ("⑦ 公表（予定）".into(), publication),
                (
                    "⑧ 類似事案の有無の確認".into(),
                    format!(
                        "□ 点検を行った　□ 行っていない　異なる個人番号の件数:　　件（参考: totsugo の点検の候補 {} 件、別紙の一覧）",
                        similar.len()
                    ),
                ),
                ("⑨ 再発防止に向けた措置等".into(), String::new()),
            ]),
        ],
        footer: Some("報告様式（別添5）下書き".into()),
    }
}
