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

pub mod steps;

use crate::insurer::InsurerKind;
use crate::pdf::{Block, SimpleDoc};
use crate::record::{Date, Record, Sex};
use steps::{Found, Procedure, RightNumber, Step, Viewing};

/// Who sends the forms: from the letter settings and the logged-in user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sender {
    /// 保険者等名.
    pub insurer: String,
    /// 保険者コード (a setting; not the 保険者番号).
    pub insurer_code: String,
    /// 保険者番号 (a setting).
    pub insurer_number: String,
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

/// An empty box, for the clerk to tick.
const BOX: &str = "□";
/// A box totsugo ticks: only for facts it records itself (how the case was found), never
/// for a judgement of its own.
const TICKED: &str = "■";

/// Boxes on one line: `□ a　□ b`.
fn boxes(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("{BOX} {i}"))
        .collect::<Vec<_>>()
        .join("　")
}

/// Boxes one per line.
fn box_lines(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("{BOX} {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// 連絡票 (別添3), pre-filled: the detection (the day and how: a fact totsugo recorded, so
/// its box is ticked), the insurer's name and code, the card, name, birth date and sex of the
/// insurer's record (never the registry side: it is a stranger's data).
pub fn contact_sheet(sender: &Sender, record: &Record, found: Found, detected: Date) -> SimpleDoc {
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
            Block::Table(vec![
                (
                    "事案を検知した契機".into(),
                    format!(
                        "検知日： {}\n{BOX} 個人番号誤入力チェック\n{TICKED} その他（具体的な内容を以下に記載）\n{}",
                        crate::letters::wareki(detected),
                        found.trigger_ja()
                    ),
                ),
                (
                    "本件事案に係る被保険者情報".into(),
                    format!(
                        "<保険者情報>\n保険者名： {}\n保険者コード： {}\n<被保険者情報>\n記号・番号・枝番： {}・{}・{}\n氏名： {}\n生年月日： {}\n性別： {}",
                        sender.insurer,
                        sender.insurer_code,
                        record.card_symbol,
                        record.card_number,
                        record.branch,
                        p.kanji_name,
                        crate::letters::birth_ja(p.birth_date, p.birth_partial),
                        sex_ja(p.sex)
                    ),
                ),
            ]),
            Block::Paragraph(
                "注1 本連絡票は実施機関への速やかな第一報を目的としています。保険者等は、個人番号誤入力チェック等を契機とした事案検知後、速やかに実施機関へ連絡してください。".into(),
            ),
            Block::Paragraph(
                "注2 確認の結果、第三者による当該情報の閲覧が確認された場合、保険者等は、【別添4】により実施機関と事実関係の確認を行ったうえで、【別添5】の報告様式による報告を行います（確認されなかった場合も、【別添4】による事実関係の確認は必要となります）。".into(),
            ),
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

/// The three viewing questions of 別添4's 影響範囲 for one kind of information.
fn viewing_rows(rows: &mut Vec<(String, String)>, what: &str) {
    for (q, tail) in [
        ("医療機関・薬局担当者の閲覧の有無", "閲覧日　　　閲覧回数"),
        (
            "他保険者等の閲覧の有無（レセプト振替等事務手続きの際に検知した場合等）",
            "閲覧日　　　閲覧回数",
        ),
        (
            "上記以外の第三者による閲覧の有無",
            "閲覧者　　　所属保険者等",
        ),
    ] {
        rows.push((format!("{what} {q}"), format!("あり・なし　{tail}")));
    }
}

/// 事実関係確認票 (別添4), every question of the seed's form with its own boxes, its No. and
/// 記入日: the operator's part (基礎情報) left to the operator, the insurer's part with only
/// what totsugo knows for sure (the department, the person, the phone) and **no box ticked**
/// (the similar-case candidates go as an attached list, for reference).
pub fn fact_check(sender: &Sender, similar: &[SimilarCase]) -> SimpleDoc {
    let mut basic: Vec<(String, String)> = vec![
        (
            "保険者名・保険者コード、保険者番号".into(),
            format!(
                "{}・{}、{}",
                sender.insurer, sender.insurer_code, sender.insurer_number
            ),
        ),
        ("事案の概要 検知日".into(), String::new()),
        ("事案の概要 検知した契機".into(), String::new()),
    ];
    viewing_rows(&mut basic, "「資格情報」について");
    viewing_rows(&mut basic, "「特定疾病療養受療証情報」について");
    viewing_rows(
        &mut basic,
        "「医療情報」（薬剤情報・特定健診等情報・診療情報）について",
    );
    basic.push((
        "「医療費通知情報」について マイナポータルでの第三者による閲覧の有無".into(),
        "あり・なし　閲覧者　　　所属保険者等".into(),
    ));
    basic.push((
        "ダウンロード等による情報の拡散等（おそれを含む）の有無".into(),
        String::new(),
    ));
    let contact = [
        "連絡済み（連絡中）",
        "連絡予定（予定日:　　　　）",
        "連絡予定なし",
    ];
    SimpleDoc {
        title: "事実関係確認票（別添4）".into(),
        blocks: vec![
            Block::Title(
                "医療保険者等向け中間サーバーへの異なる個人番号の登録事案に係る事実関係確認票".into(),
            ),
            Block::Paragraph("No.　　　　　　　　【記入日】令和　　年　　月　　日".into()),
            Block::Heading("基礎情報（実施機関が入力）".into()),
            Block::Table(basic),
            Block::Heading("確認事項（保険者等が記載）".into()),
            Block::Table(vec![
                ("保険者等担当者 担当部署".into(), sender.department.clone()),
                ("担当者名".into(), sender.person.clone()),
                ("連絡先".into(), sender.phone.clone()),
                ("異なる個人番号の中間サーバー登録日".into(), String::new()),
                (
                    "異なる個人番号を登録した契機".into(),
                    box_lines(&[
                        "資格取得届等における記載誤り",
                        "J-LIS照会(住基ネット照会)時の誤り",
                        "上記以外(具体的に記載して下さい)",
                    ]),
                ),
                (
                    "異なる個人番号の登録の原因（届出書に記載されて提出された場合）Q1 提出された番号が正しいことを確認しましたか".into(),
                    box_lines(&[
                        "J-LIS照会で氏名・性別・生年月日が一致していることを確認した",
                        "マイナンバーカードの写し等により確認した",
                        "その他の方法により確認した (具体的な方法を記載して下さい)",
                        "確認していない",
                    ]),
                ),
                (
                    "Q2 確認している場合、結果的に異なる個人番号を登録した理由として考えられることがあれば記載して下さい。(任意)".into(),
                    String::new(),
                ),
                (
                    "異なる個人番号の登録の原因（J-LIS照会(住基ネット照会)により取得した場合）Q1 どのような条件で照会を行いましたか".into(),
                    String::new(),
                ),
                (
                    "Q2 J-LIS照会(住基ネット照会)の結果、該当者は複数件でしたか、1件のみ該当でしたか".into(),
                    String::new(),
                ),
                (
                    "Q3 J-LIS照会等の結果、複数の該当者がいた場合、マイナンバーを特定するに当たり、何を基に確認しましたか。また、本人または事業所へ問い合わせは行いましたか".into(),
                    String::new(),
                ),
                (
                    "Q4 結果的に異なる個人番号を登録した理由として考えられることがあれば記載して下さい(任意)".into(),
                    String::new(),
                ),
                (
                    "本人(閲覧された者)への対応状況 連絡状況".into(),
                    box_lines(&contact),
                ),
                ("閲覧者への対応状況 連絡状況".into(), box_lines(&contact)),
                ("公表予定の有無".into(), String::new()),
                (
                    "類似事案の確認 Q1 本事案の類似事案について、点検を行いましたか".into(),
                    boxes(&["行った", "行っていない"]),
                ),
                (
                    "Q2 行った結果、異なる個人番号が登録されていた件数".into(),
                    format!(
                        "{}\n{BOX} 　　件　別途、実施機関への連絡をお願いします\n（参考: totsugo の点検の候補 {} 件、別紙の一覧。件数は点検の結果を記入）",
                        boxes(&["0件"]),
                        similar.len()
                    ),
                ),
                ("再発防止に向けた措置等 登録時の措置".into(), String::new()),
                ("再発防止に向けた措置等 登録後の措置".into(), String::new()),
            ]),
        ],
        footer: Some("事実関係確認票（別添4）下書き".into()),
    }
}

/// The 「本件事案の経緯」 table of 別添5: the day the wrong number was found and every step
/// recorded, in order of date.
pub fn history(procedure: &Procedure) -> Vec<(String, String)> {
    let mut rows = vec![(
        procedure.found_on,
        format!("個人番号の誤りを検知（{}）", procedure.found.label_ja()),
    )];
    for s in &procedure.steps {
        let what = s.step.label_ja(procedure.route);
        let what = what.split_once(". ").map_or(what, |(_, w)| w);
        // Step 3 says what happened in its value's own words.
        if let Some(v) = (s.step == Step::RightNumber)
            .then(|| s.value.and_then(RightNumber::from_code))
            .flatten()
        {
            rows.push((s.done_on, v.label_ja().to_string()));
            continue;
        }
        let value = match s.step {
            Step::ViewingChecked => s
                .value
                .and_then(Viewing::from_code)
                .map(|v| format!("（{}）", v.label_ja())),
            _ => None,
        }
        .unwrap_or_default();
        rows.push((s.done_on, format!("{what}{value}")));
    }
    rows.sort_by_key(|(d, _)| *d);
    rows.into_iter()
        .map(|(d, w)| (crate::letters::wareki(d), w))
        .collect()
}

/// 報告様式 (別添5): ①–⑨ with every box of the seed's form (none ticked), ① pre-filled with
/// the detection, the 「本件事案の経緯」 table from the recorded steps, addressed as the kind of
/// insurer reports, with the publication note and the note that no report is needed where no
/// third party viewed the data.
pub fn report_form(sender: &Sender, procedure: &Procedure, similar: &[SimilarCase]) -> SimpleDoc {
    let to = sender.kind.map_or_else(
        || "（保険者の種別を設定すると、報告先をここに示します）".to_string(),
        |k| k.report_addressees_ja(),
    );
    // The seed's 「●● 御中」: the first addressee (the chain's first step; 広域連合 report to
    // the ministry and, at the same time, to the others).
    let first = sender
        .kind
        .and_then(|k| k.report_addressees().first().copied())
        .unwrap_or("●●");
    let publication = if sender.kind.is_some_and(|k| k.publishes_by_ordinance()) {
        "\n（市町村国保・広域連合は、各条例に基づき公表）"
    } else {
        ""
    };
    let viewed = |what: &str, third: &str| {
        format!(
            "<{what}>\n{}\n・ {third}",
            box_lines(&[
                "医療機関・薬局担当者の閲覧あり",
                "他保険者等の閲覧あり",
                "上記以外の第三者による閲覧あり",
            ]),
        )
    };
    let response = format!(
        "有無： {}\n方法：",
        boxes(&["対応済（対応中）", "対応予定", "予定なし"])
    );
    let mut blocks = vec![
        Block::Paragraph(format!("{first} 御中")),
        Block::Paragraph(format!("報告先: {to}")),
        header(sender),
        Block::Title("医療保険者等向け中間サーバーへの異なる個人番号の登録事案の報告について".into()),
        Block::Paragraph(
            "※ 第三者による閲覧が確認されなかった場合、この報告様式による報告は不要です（確認票による事実関係の確認は続けます）。".into(),
        ),
        Block::Paragraph("令和4年1月27日付通知に基づき、下記のとおり報告します。".into()),
        Block::Table(vec![
            (
                "①事案の概要 ※検知日、検知に至る経緯を含む".into(),
                format!(
                    "検知日： {}\n{}",
                    crate::letters::wareki(procedure.found_on),
                    procedure.found.trigger_ja()
                ),
            ),
            (
                "②影響範囲 ※該当する項目のみチェック".into(),
                [
                    viewed(
                        "「資格情報」について",
                        "上記以外の第三者による閲覧がある場合、具体的な閲覧者",
                    ),
                    viewed(
                        "「特定疾病療養受療証情報」について",
                        "上記以外の第三者による閲覧がある場合、具体的な閲覧者",
                    ),
                    viewed(
                        "「医療情報（薬剤情報・特定健診等情報・診療情報）」の閲覧について",
                        "上記以外の第三者による閲覧がある場合、具体的な閲覧者",
                    ),
                    format!(
                        "<「医療費通知情報」について>\n{BOX} マイナポータルでの第三者による閲覧あり\n・ マイナポータルでの第三者による閲覧がある場合、具体的な閲覧者"
                    ),
                ]
                .join("\n"),
            ),
            (
                "③本人（閲覧された者）への対応等 ※連絡の有無及び対応内容を含む".into(),
                response.clone(),
            ),
            (
                "④情報の閲覧者への対応等 ※連絡の有無及び対応内容を含む".into(),
                response,
            ),
            (
                "⑤原因".into(),
                format!(
                    "主体： {}\n原因：\n詳細：",
                    boxes(&["被保険者又は事業者", "保険者等", "その他（具体名：　　　）"])
                ),
            ),
            (
                "⑥ダウンロード等による情報の拡散等（そのおそれを含む）の有無（被害がある場合はその内容）".into(),
                format!("有無： {}\n詳細：", boxes(&["有", "無", "不明"])),
            ),
            (
                "⑦公表（予定）".into(),
                format!(
                    "【事案の公表】\n{BOX} あり（予定も含む） 公表（予定）　　年　　月　　日\n{}\n【公表方法 ※「あり（予定も含む）」を選択した場合のみ記載】\n{}\n【公表案について】 公表案があれば、本報告書に添付願います{publication}",
                    boxes(&["なし", "未定"]),
                    boxes(&["HPに掲載", "記者会見", "記者クラブ等への資料配布", "その他（　　　）"])
                ),
            ),
            (
                "⑧類似事案の有無の確認".into(),
                format!(
                    "<類似事案の有無の確認>\n本事案の類似事案について、点検を行ったか {}\n行った結果、異なる個人番号が登録されていた件数\n{}\n（参考: totsugo の点検の候補 {} 件、別紙の一覧）",
                    boxes(&["行った", "行っていない"]),
                    box_lines(&["0件", "（　　）件", "件数等を実施機関に連絡済"]),
                    similar.len()
                ),
            ),
            ("⑨再発防止に向けた措置等（⑤原因を受けた措置）".into(), String::new()),
        ]),
        Block::Heading("本件事案の経緯".into()),
    ];
    let mut rows = history(procedure);
    rows.push(("　".into(), String::new()));
    blocks.push(Block::Table(rows));
    SimpleDoc {
        title: "報告様式（別添5）".into(),
        blocks,
        footer: Some("報告様式（別添5）下書き".into()),
    }
}
