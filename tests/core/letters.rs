//! The notice letters (本人確認用の通知文), checked with real PDF tools: poppler-utils
//! (pdftotext, pdffonts, pdfinfo) must be installed.
//!
//! The records come from a real import into a real store, so that the letters see exactly what
//! the app will hand them: both sides of every item and the full registered My Number.
//!
//! Set `TOTSUGO_LETTER_SAMPLE=/some/file.pdf` to keep a sample batch for a look.

use crate::common;

use std::path::{Path, PathBuf};

use common::{Row, page_count, poppler};
use totsugo_core::letters::{
    self, LetterError, LetterInput, LetterSettings, LetterType, MailingAddress, WINDOW,
};
use totsugo_core::pdf::BoxMm;
use totsugo_core::record::{Date, Record};

const PT_PER_MM: f64 = 72.0 / 25.4;

fn issued() -> Date {
    Date::from_ymd(2023, 12, 1).unwrap()
}

fn settings() -> LetterSettings {
    LetterSettings {
        reply_deadline: Date::from_ymd(2023, 12, 25),
        ..LetterSettings::default()
    }
}

/// Imports `rows` into a fresh store and returns the stored records, in file order, as the
/// store holds them (full My Number included).
fn imported(rows: &[Row]) -> Vec<Record> {
    let dir = common::tempdir();
    let text = common::csv_text(&common::default_headers(), rows);
    let file = common::write_cp932(dir.path(), "rows.csv", &text);
    let mut session = common::open(&dir.path().join("store"));
    common::import(&mut session, &file).expect("imports");
    (1..=rows.len() as i64)
        .map(|id| session.store().record(id).unwrap().expect("stored"))
        .collect()
}

/// A case-① row (birth date and sex differ) whose registry side is a different person
/// altogether: another name, kana, address and birth date.
fn stranger_a(n: u64, postal: &str) -> Row {
    Row::matching(n)
        .set(
            "加入者情報_住所",
            &format!("〒{postal} 東京都港区赤坂一丁目１１番２号"),
        )
        .set("J-LIS情報_漢字氏名", "川口　花子")
        .set("J-LIS情報_カナ氏名", "カワグチ　ハナコ")
        .set("J-LIS情報_生年月日", "19620704")
        .set("J-LIS情報_性別", "2")
        .set(
            "J-LIS情報_住所",
            "大阪府大阪市北区梅田三丁目９番８号　梅田ハイツ７０７",
        )
        .set("判定結果_漢字氏名", "×")
        .set("判定結果_カナ氏名", "×")
        .set("判定結果_生年月日", "×")
        .set("判定結果_性別", "×")
        .set("判定結果_住所", "×")
        .set("総合判定", "×")
        .set("閲覧停止区分", "1")
}

/// A row where only the name and address differ (type B), registry side a stranger's.
fn stranger_b(n: u64, postal: &str) -> Row {
    Row::matching(n)
        .set("加入者情報_漢字氏名", "髙橋　一郎")
        .set("加入者情報_カナ氏名", "タカハシ　イチロウ")
        .set(
            "加入者情報_住所",
            &format!("〒{postal} 北海道札幌市中央区北一条西二丁目１番地"),
        )
        .set("J-LIS情報_漢字氏名", "森田　次郎")
        .set("J-LIS情報_カナ氏名", "モリタ　ジロウ")
        .set(
            "J-LIS情報_住所",
            "福岡県福岡市博多区博多駅前四丁目２番１５号",
        )
        .set("判定結果_漢字氏名", "×")
        .set("判定結果_カナ氏名", "×")
        .set("判定結果_住所", "×")
        .set("総合判定", "×")
        .set("閲覧停止区分", "2")
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Writes a PDF into a fresh temporary directory.
fn to_file(pdf: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = common::tempdir();
    let path = dir.path().join("letters.pdf");
    std::fs::write(&path, pdf).unwrap();
    if let Some(keep) = std::env::var_os("TOTSUGO_LETTER_SAMPLE") {
        std::fs::copy(&path, keep).unwrap();
    }
    (dir, path)
}

/// The text of page `n` (1-based), whitespace removed.
fn page_text(file: &Path, n: usize) -> String {
    let n = n.to_string();
    squeeze(&poppler("pdftotext", &["-raw", "-f", &n, "-l", &n], file))
}

/// One letter of each type, rendered alone.
fn single(letter_type: LetterType) -> (tempfile::TempDir, PathBuf, LetterInput) {
    let row = match letter_type {
        LetterType::A => stranger_a(1, "107-0052"),
        LetterType::B => stranger_b(2, "060-0001"),
    };
    let record = &imported(&[row])[0];
    let input = LetterInput::from_record(record, letter_type, None);
    let batch = letters::render_batch(&settings(), std::slice::from_ref(&input), issued())
        .expect("renders");
    let (dir, file) = to_file(&batch.pdf);
    (dir, file, input)
}

#[test]
fn type_a_asks_for_the_my_number_with_a_copy_of_the_card() {
    let (_dir, file, _) = single(LetterType::A);
    assert_eq!(page_count(&file), 1, "one sheet per letter");
    let text = page_text(&file, 1);
    for expected in [
        "〒107-0052",
        "東京都港区赤坂一丁目１１番２号",
        "山田太郎様",
        "令和5年12月1日",
        "〇〇健康保険組合",
        "個人番号（マイナンバー）のご提出のお願い",
        "書類で確かめる必要",
        "マイナンバーカードの写し（表面と裏面）",
        "個人番号（マイナンバー）が記載された住民票の写し",
        "令和5年12月25日までに",
        "昭和20年12月3日",
        "回答書",
        "回答期限令和5年12月25日",
        "記号123番号00001001枝番00",
        "受付時間:平日9:00〜17:00",
        "きりとり線",
    ] {
        assert!(text.contains(expected), "page lacks {expected:?}:\n{text}");
    }
    assert!(
        !text.contains("下4桁"),
        "a type-A letter does not ask for 4 digits"
    );
}

#[test]
fn type_b_asks_for_the_last_four_digits_on_the_reply_form() {
    let (_dir, file, input) = single(LetterType::B);
    assert_eq!(page_count(&file), 1);
    let text = page_text(&file, 1);
    for expected in [
        "〒060-0001",
        "北海道札幌市中央区北一条西二丁目１番地",
        "髙橋一郎様",
        "令和5年12月1日",
        "個人番号（マイナンバー）の確認のお願い",
        "あなたに確かめていただく必要",
        "個人番号（12桁）の下4桁",
        "令和5年12月25日までに",
        "回答書",
        "個人番号の下4桁",
        "記号123番号00001002枝番00",
        "タカハシイチロウ",
    ] {
        assert!(text.contains(expected), "page lacks {expected:?}:\n{text}");
    }
    assert!(
        !text.contains("写しを添えて"),
        "a type-B letter asks for no copy"
    );
    assert!(
        !text.contains("生年月日"),
        "a type-B letter does not print the birth date"
    );
    assert_eq!(input.card_label(), "記号 123 番号 00001002 枝番 00");
}

/// The letters speak as the insurer does: the sender and the person as the kind of insurer
/// names them (seed 000, 「報告様式の報告先」's kinds; seed 002 is written for 広域連合 and
/// 市町村国保 too), at the ministry's request, and never that the person's data disagrees with
/// the resident registry (the registry record compared belongs to the registered number, which
/// may be a stranger's).
#[test]
fn letters_name_the_sender_and_the_person_as_the_kind_of_insurer_does() {
    use totsugo_core::insurer::InsurerKind;
    let record = &imported(&[stranger_a(1, "107-0052")])[0];
    let input = LetterInput::from_record(record, LetterType::A, None);
    for (kind, name, sender, person) in [
        (
            InsurerKind::KenpoKumiai,
            "架空健康保険組合",
            "当組合",
            "加入者",
        ),
        (InsurerKind::ShichosonKokuho, "架空市", "当市", "被保険者"),
        (
            InsurerKind::KoikiRengo,
            "架空県後期高齢者医療広域連合",
            "当広域連合",
            "被保険者",
        ),
        (
            InsurerKind::KokkaKyosai,
            "架空省共済組合",
            "当組合",
            "組合員",
        ),
    ] {
        let s = LetterSettings {
            insurer_name: name.into(),
            kind: Some(kind),
            ..settings()
        };
        let batch =
            letters::render_batch(&s, std::slice::from_ref(&input), issued()).expect("renders");
        let (_dir, file) = to_file(&batch.pdf);
        let text = page_text(&file, 1);
        assert!(
            text.contains(&format!(
                "{sender}では、厚生労働省の要請を受け、{person}の皆さま"
            )),
            "{kind:?}:\n{text}"
        );
        assert!(
            text.contains(&format!("{sender}に登録されている内容")),
            "{text}"
        );
        assert!(
            text.contains(&format!("までに{sender}へお送りください")),
            "{text}"
        );
        for never in ["住民票の内容と一致しない", "国の指示", "当組合では"] {
            if never == "当組合では" && sender == "当組合" {
                continue;
            }
            assert!(!text.contains(never), "{kind:?} says {never:?}:\n{text}");
        }
    }
}

/// The registry side of these rows is a stranger's data and the registered number may be
/// wrong: no letter may print any of it, nor the number's last 4 digits.
#[test]
fn letters_print_only_the_insurers_data_never_the_registry_side_or_the_number() {
    let postals = [
        "530-0001", "107-0052", "980-0811", "060-0001", "812-0011", "900-0015",
    ];
    let rows: Vec<Row> = (0..6)
        .map(|i| {
            if i % 2 == 0 {
                stranger_a(50 + i, postals[i as usize])
            } else {
                stranger_b(50 + i, postals[i as usize])
            }
        })
        .collect();
    let records = imported(&rows);
    let inputs: Vec<LetterInput> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = if i % 2 == 0 {
                LetterType::A
            } else {
                LetterType::B
            };
            LetterInput::from_record(r, t, None)
        })
        .collect();
    let batch = letters::render_batch(&settings(), &inputs, issued()).expect("renders");
    let (_dir, file) = to_file(&batch.pdf);
    assert_eq!(page_count(&file), 6);
    let all = squeeze(&poppler("pdftotext", &["-raw"], &file));
    // The raw PDF must not hold them either (e.g. in metadata).
    let raw = String::from_utf8_lossy(&batch.pdf);
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.my_number.len(), 12, "the store hands the full number");
        assert_ne!(r.registry.kanji_name, r.insurer.kanji_name);
        let last4 = &r.my_number[8..];
        // Preconditions: the digits must not occur in the data a letter may print.
        for allowed in [&r.card_number, &r.card_symbol, postals[i]] {
            assert!(!allowed.contains(last4), "test data collides: {last4}");
        }
        let page = page_text(&file, batch.pages[i].1 as usize);
        assert!(
            page.contains(&squeeze(&r.insurer.kanji_name)),
            "insurer name printed"
        );
        let forbidden = [
            squeeze(&r.registry.kanji_name),
            squeeze(&r.registry.kana_name),
            squeeze(&r.registry.address),
            "梅田".to_string(),
            "森田".to_string(),
            "昭和37年7月4日".to_string(),
            r.my_number.clone(),
        ];
        for f in &forbidden {
            assert!(
                !all.contains(f.as_str()),
                "a letter prints registry data or the number"
            );
            assert!(
                !raw.contains(f.as_str()),
                "the PDF file holds registry data"
            );
        }
        assert!(
            !page.contains(last4),
            "a letter prints the number's last 4 digits"
        );
        // Type A prints the insurer's sex (男), never the registry's (女).
        if i % 2 == 0 {
            assert!(page.contains("性別男"));
            assert!(!page.contains("女"));
        }
    }
}

#[test]
fn the_font_is_embedded_as_a_subset() {
    let (_dir, file, _) = single(LetterType::B);
    let fonts = poppler("pdffonts", &[], &file);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no font listed:\n{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        // name type encoding emb sub uni object ID
        assert_eq!(cols[n - 5], "yes", "embedded: {row}");
        assert_eq!(cols[n - 4], "yes", "subset: {row}");
        assert!(cols[0].contains('+'), "subset prefix in the name: {row}");
    }
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(
        size < 400_000,
        "a one-letter PDF is small, not the whole 4.7 MB font: {size}"
    );
}

#[test]
fn a_batch_is_printed_in_postal_code_order_with_the_pages_of_each_letter() {
    let postals = ["530-0001", "", "060-0001", "107-0052", "", "060-0001"];
    let rows: Vec<Row> = postals
        .iter()
        .enumerate()
        .map(|(i, _)| stranger_b(10 + i as u64, "000-0000"))
        .collect();
    let records = imported(&rows);
    let inputs: Vec<LetterInput> = records
        .iter()
        .zip(postals)
        .map(|(r, p)| {
            LetterInput::from_record(
                r,
                LetterType::B,
                Some(MailingAddress {
                    postal_code: p.into(),
                    address: "東京都千代田区千代田１番１号".into(),
                }),
            )
        })
        .collect();
    let batch = letters::render_batch(&settings(), &inputs, issued()).expect("renders");
    // 060 (two, in input order), 107, 530, then those without a postal code in input order.
    assert_eq!(batch.order, vec![2, 5, 3, 0, 1, 4]);
    assert_eq!(
        batch.pages,
        vec![(0, 4), (1, 5), (2, 1), (3, 3), (4, 6), (5, 2)]
    );
    let (_dir, file) = to_file(&batch.pdf);
    assert_eq!(page_count(&file), 6);
    for (i, page) in &batch.pages {
        let text = page_text(&file, *page as usize);
        assert!(
            text.contains(&squeeze(&inputs[*i].card_label())),
            "page {page} is the letter of input {i}"
        );
        // The letterhead and the reply address carry the insurer's 〒; the address block
        // has one only if the letter has a postal code.
        match postals[*i] {
            "" => assert_eq!(text.matches('〒').count(), 2, "{text}"),
            p => {
                assert_eq!(text.matches('〒').count(), 3, "{text}");
                assert!(text.contains(&format!("〒{p}")));
            }
        }
    }
}

/// Word boxes from `pdftotext -bbox` in millimetres from the top-left corner.
fn word_boxes(file: &Path) -> Vec<(BoxMm, String)> {
    common::word_boxes(file)
        .into_iter()
        .map(|(x0, y0, x1, y1, text)| {
            let (x0, y0, x1, y1) = (
                x0 / PT_PER_MM,
                y0 / PT_PER_MM,
                x1 / PT_PER_MM,
                y1 / PT_PER_MM,
            );
            (
                BoxMm {
                    x: x0 as f32,
                    y: y0 as f32,
                    w: (x1 - x0) as f32,
                    h: (y1 - y0) as f32,
                },
                text,
            )
        })
        .collect()
}

#[test]
fn the_address_block_lies_inside_the_envelope_window() {
    let record = &imported(&[stranger_b(3, "060-0001")])[0];
    let long = MailingAddress {
        postal_code: "〒５３０－０００１".into(),
        address:
            "大阪府大阪市北区梅田三丁目９番８号　梅田グランドハイツ南館１２０３号室（山田様方）"
                .into(),
    };
    for (offset, mailing) in [((0.0, 0.0), None), ((3.0, -2.0), Some(long))] {
        let s = LetterSettings {
            window_offset_x_mm: offset.0,
            window_offset_y_mm: offset.1,
            ..settings()
        };
        let window = letters::window(&s);
        assert_eq!(window.x, WINDOW.x + offset.0);
        assert_eq!(window.y, WINDOW.y + offset.1);
        let input = LetterInput::from_record(record, LetterType::B, mailing.clone());
        // Our own layout's boxes.
        let layout = letters::layout_letter(&s, &input, issued()).expect("lays out");
        assert!(layout.address_lines.len() >= 3, "〒, address, name");
        for b in &layout.address_lines {
            assert!(window.contains(b), "{b:?} outside the window {window:?}");
        }
        // What a PDF reader finds: the words of the address block inside the window, and
        // nothing else in it.
        let batch = letters::render_batch(&s, std::slice::from_ref(&input), issued()).unwrap();
        let (_dir, file) = to_file(&batch.pdf);
        let words = word_boxes(&file);
        let mut found = String::new();
        // pdftotext's boxes use the font's full ascent/descent: allow 1 mm.
        let tolerant = BoxMm {
            x: window.x - 1.0,
            y: window.y - 1.0,
            w: window.w + 2.0,
            h: window.h + 2.0,
        };
        for (b, text) in &words {
            let centre_in = b.x + b.w / 2.0 > window.x
                && b.x + b.w / 2.0 < window.right()
                && b.y + b.h / 2.0 > window.y
                && b.y + b.h / 2.0 < window.bottom();
            if centre_in {
                assert!(
                    tolerant.contains(b),
                    "{text} crosses the window edge: {b:?}"
                );
                found.push_str(text);
            }
        }
        let expected_address = squeeze(&input.mailing.address);
        assert!(
            found.starts_with(&format!("〒{}", input.postal_code().unwrap())),
            "{found}"
        );
        assert!(found.contains(&expected_address), "{found}");
        assert!(found.ends_with("髙橋一郎様"), "{found}");
    }
}

#[test]
fn unprintable_characters_are_reported_before_printing_and_the_letter_is_refused() {
    let records = imported(&[stranger_b(4, "060-0001"), stranger_b(5, "060-0002")]);
    let good = LetterInput::from_record(&records[0], LetterType::B, None);
    let mut bad = LetterInput::from_record(&records[1], LetterType::B, None);
    // 𠮷 (U+20BB7) is outside BIZ UDGothic; U+E000 is a gaiji in the private-use area.
    bad.name = "\u{20BB7}田　一郎".into();
    bad.mailing.address = "北海道札幌市中央区北一条西二丁目\u{E000}番地".into();
    assert!(letters::unprintable(&good).is_empty());
    assert_eq!(letters::unprintable(&bad), vec!['\u{20BB7}', '\u{E000}']);

    let err = letters::render_batch(&settings(), &[good.clone(), bad.clone()], issued())
        .expect_err("refused");
    match &err {
        LetterError::Unprintable(list) => {
            assert_eq!(list.len(), 1);
            assert_eq!(list[0].0, "記号 123 番号 00001005 枝番 00");
            assert_eq!(list[0].1, vec!['\u{20BB7}', '\u{E000}']);
        }
        other => panic!("wrong error: {other}"),
    }
    let message = err.to_string();
    assert!(message.contains("印字できない文字"), "{message}");
    assert!(message.contains("記号 123 番号 00001005"), "{message}");
    assert!(message.contains("U+20BB7"), "{message}");
    assert!(
        !message.contains("一郎"),
        "the error does not print the name: {message}"
    );

    // Corrected by the clerk (吉 by agreement with the person), the batch prints.
    bad.name = "吉田　一郎".into();
    bad.mailing.address = "北海道札幌市中央区北一条西二丁目１番地".into();
    let batch = letters::render_batch(&settings(), &[good, bad], issued()).expect("prints");
    let (_dir, file) = to_file(&batch.pdf);
    assert!(squeeze(&poppler("pdftotext", &["-raw"], &file)).contains("吉田一郎様"));
}

#[test]
fn letters_without_an_address_or_with_a_bad_postal_code_are_refused_by_card_number() {
    let record = &imported(&[stranger_b(6, "060-0001")])[0];
    let mut input = LetterInput::from_record(record, LetterType::B, None);
    input.mailing.postal_code = "06-0001".into();
    let err = letters::render_batch(&settings(), &[input.clone()], issued()).unwrap_err();
    assert!(matches!(err, LetterError::PostalCode(_)), "{err}");
    assert!(err.to_string().contains("記号 123 番号 00001006"));
    input.mailing = MailingAddress::default();
    let err = letters::render_batch(&settings(), &[input.clone()], issued()).unwrap_err();
    assert!(matches!(err, LetterError::NoAddress(_)), "{err}");
    assert!(matches!(
        letters::render_batch(&settings(), &[], issued()),
        Err(LetterError::Empty)
    ));
    // A deadline on or before the date of issue.
    let late = LetterSettings {
        reply_deadline: Date::from_ymd(2023, 11, 30),
        ..settings()
    };
    let input = LetterInput::from_record(record, LetterType::B, None);
    let err = letters::render_batch(&late, &[input], issued()).unwrap_err();
    assert!(err.to_string().contains("令和5年11月30日"), "{err}");
}

#[test]
fn debug_output_never_shows_the_name_or_address() {
    let record = &imported(&[stranger_a(7, "107-0052")])[0];
    let input = LetterInput::from_record(record, LetterType::A, None);
    let shown = format!("{input:?}");
    assert!(!shown.contains("山田"), "{shown}");
    assert!(!shown.contains("赤坂"), "{shown}");
    assert!(shown.contains("00001007"), "{shown}");
}

#[test]
fn a_long_address_and_name_still_fit_on_one_sheet() {
    let record = &imported(&[stranger_a(8, "107-0052")])[0];
    let mut input = LetterInput::from_record(record, LetterType::A, None);
    let long = "大阪府大阪市北区梅田三丁目９番８号　梅田グランドハイツ南館１２０３号室（山田様方）\
                北区梅田三丁目９番８号　梅田グランドハイツ北館";
    input.registered_address = long.into();
    input.mailing.address = long.into();
    input.name = "山田　太郎左衛門之助藤原朝臣".into();
    let layout = letters::layout_letter(&settings(), &input, issued()).expect("fits");
    let window = letters::window(&settings());
    assert!(layout.address_lines.iter().all(|b| window.contains(b)));
    let batch = letters::render_batch(&settings(), &[input], issued()).expect("renders");
    let (_dir, file) = to_file(&batch.pdf);
    assert_eq!(page_count(&file), 1);
    let text = squeeze(&poppler("pdftotext", &["-raw"], &file));
    assert!(text.contains(&squeeze(long)), "{text}");
    assert!(text.contains("山田太郎左衛門之助藤原朝臣様"), "{text}");
}

/// The fixed text of each letter type is stored once: a batch grows by well under 1.5 KB a
/// letter (10,000 letters stay under 10 MB with the font).
#[test]
fn a_batch_stores_the_fixed_text_once() {
    let records = imported(&[stranger_a(20, "107-0052"), stranger_b(21, "060-0001")]);
    let one: Vec<LetterInput> = vec![
        LetterInput::from_record(&records[0], LetterType::A, None),
        LetterInput::from_record(&records[1], LetterType::B, None),
    ];
    let many: Vec<LetterInput> = (0..200).map(|i| one[i % 2].clone()).collect();
    let small = letters::render_batch(&settings(), &one, issued()).unwrap();
    let big = letters::render_batch(&settings(), &many, issued()).unwrap();
    let per_letter = (big.pdf.len() - small.pdf.len()) / 198;
    assert!(per_letter < 1500, "{per_letter} bytes a letter");
    let (_dir, file) = to_file(&big.pdf);
    assert_eq!(page_count(&file), 200);
    // Every page still reads in full: the shared text and the letter's own.
    for (i, card) in [
        (0, "記号123番号00001020枝番00"),
        (1, "記号123番号00001021枝番00"),
    ] {
        let text = page_text(&file, big.pages[i].1 as usize);
        assert!(text.contains("回答書") && text.contains(card), "{text}");
    }
}
