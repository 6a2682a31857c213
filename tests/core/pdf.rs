//! The PDF writer, checked with real PDF tools: poppler-utils (pdftotext, pdffonts, pdfinfo)
//! must be installed (Debian/Ubuntu: `apt-get install poppler-utils`).
//!
//! Set `TOTSUGO_PDF_SAMPLE=/some/file.pdf` to keep the sample document for a look.

use crate::common;

use std::path::PathBuf;

use common::{page_count, poppler, word_boxes};
use totsugo_core::pdf::{self, Block, PdfError, SimpleDoc};

/// A4 in points, and the 20 mm margin.
const PAGE_WIDTH: f64 = 595.276;
const PAGE_HEIGHT: f64 = 841.89;
const MARGIN: f64 = 56.693;

const INTRO: &str = "下記のとおり、突合結果ファイルから取り込んだ特定個人情報を保管ファイルから\
    消去しました。消去した内容は復元できません。この記録は、個人情報保護委員会の定める安全管理措置に\
    基づき、消去の事実を確認できるよう保存してください。";
const STORE_PATH: &str = "C:/Users/takahashi/AppData/Roaming/totsugo/data/\
    保険者番号06130012の突合結果/2025年度第1回";

/// A document like the ones the app prints: names with 髙 and circled numbers, a table with a
/// long value and an empty cell, a key, a footer.
fn sample() -> SimpleDoc {
    SimpleDoc {
        title: "データ消去記録".into(),
        blocks: vec![
            Block::Title("突合結果レビュー　データ消去記録".into()),
            Block::Paragraph(INTRO.into()),
            Block::Heading("① 消去の内容".into()),
            Block::Table(vec![
                ("消去した者".into(), "髙橋 一郎（管理者）".into()),
                ("承認した者".into(), "山﨑 花子（承認者）".into()),
                ("消去日時".into(), "2025-06-30 17:45:12".into()),
                ("保管場所".into(), STORE_PATH.into()),
                ("件数".into(), "12,345 件（うち不一致 ② 678 件）".into()),
                ("確認者（署名）".into(), String::new()),
            ]),
            Block::Heading("② 復旧キー（見本）".into()),
            Block::Big("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789".into()),
            Block::Spacer(4.0),
            Block::Paragraph(
                "「注意」この用紙は鍵のかかる場所に保管してください。\n複写は禁止です。".into(),
            ),
        ],
        footer: Some("突合結果レビュー　この記録は特定個人情報の消去を証するものです。".into()),
    }
}

/// Every piece of text `doc` prints, one string per line-able piece.
fn pieces(doc: &SimpleDoc) -> Vec<String> {
    let mut out = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Title(t) | Block::Heading(t) | Block::Paragraph(t) | Block::Big(t) => {
                out.push(t.clone())
            }
            Block::Table(rows) => {
                for (label, value) in rows {
                    out.push(label.clone());
                    out.push(value.clone());
                }
            }
            Block::Spacer(_) => {}
        }
    }
    out.extend(doc.footer.clone());
    out
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Renders `doc` into a file in a fresh temporary directory.
fn render_to_file(doc: &SimpleDoc) -> (tempfile::TempDir, PathBuf, usize) {
    let bytes = pdf::render(doc).expect("renders");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, &bytes).expect("written");
    (dir, path, bytes.len())
}

#[test]
fn japanese_text_comes_back_out_of_the_pdf() {
    let doc = sample();
    let (_dir, file, _) = render_to_file(&doc);
    if let Some(keep) = std::env::var_os("TOTSUGO_PDF_SAMPLE") {
        std::fs::copy(&file, keep).expect("sample kept");
    }
    let text = squeeze(&poppler("pdftotext", &[], &file));
    for piece in pieces(&doc) {
        assert!(
            text.contains(&squeeze(&piece)),
            "{piece:?} is not in the extracted text:\n{text}"
        );
    }
    assert!(text.contains("髙橋一郎") && text.contains("①消去の内容"));
    assert!(text.contains("1/1"), "page number: {text}");
    assert_eq!(page_count(&file), 1);
}

#[test]
fn the_font_is_embedded_as_a_subset_and_a_page_is_small() {
    let (_dir, file, size) = render_to_file(&sample());
    let fonts = poppler("pdffonts", &[], &file);
    // name  type  encoding  emb sub uni  object ID
    let rows: Vec<Vec<&str>> = fonts
        .lines()
        .skip_while(|l| !l.starts_with("---"))
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 1, "one font:\n{fonts}");
    let row = &rows[0];
    let name = row[0];
    let (emb, sub, uni) = (row[row.len() - 5], row[row.len() - 4], row[row.len() - 3]);
    let (tag, base) = name.split_once('+').expect("subset tag");
    assert!(
        tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
        "subset prefix XXXXXX+: {name}"
    );
    assert!(base.contains("BIZUDGothic"), "{name}");
    assert_eq!((emb, sub, uni), ("yes", "yes", "yes"), "{fonts}");
    // The whole font is 4.7 MB; a page of text needs a few hundred glyphs.
    assert!(
        size < 300_000,
        "one page is {size} bytes: the font is not subset"
    );
}

#[test]
fn everything_stays_inside_the_margins() {
    let mut doc = sample();
    // A long run with no break point must be cut, not overflow.
    doc.blocks.push(Block::Paragraph("X".repeat(200)));
    doc.blocks.push(Block::Big("Y".repeat(60)));
    let (_dir, file, _) = render_to_file(&doc);
    let words = word_boxes(&file);
    assert!(words.len() > 20, "{words:?}");
    for (x_min, y_min, x_max, y_max, text) in words {
        assert!(
            x_min >= MARGIN - 0.5 && x_max <= PAGE_WIDTH - MARGIN + 0.5,
            "{text:?} spans x {x_min}..{x_max}"
        );
        assert!(
            y_min >= MARGIN - 0.5 && y_max <= PAGE_HEIGHT - MARGIN + 0.5,
            "{text:?} spans y {y_min}..{y_max}"
        );
    }
}

#[test]
fn a_long_paragraph_wraps_to_the_page_width() {
    let paragraph = "突合結果ファイルの内容を確認し、住民基本台帳の情報と一致しない被保険者について、資格の確認と個人番号の訂正を行いました。".repeat(3);
    let lines = pdf::break_lines(&paragraph, pdf::CONTENT_WIDTH_MM, 10.5);
    assert!(lines.len() > 1, "{lines:?}");
    assert_eq!(lines.concat(), paragraph);
    for line in &lines {
        assert!(
            pdf::text_width_mm(line, 10.5) <= pdf::CONTENT_WIDTH_MM + 0.01,
            "{line}"
        );
    }
    // Full lines are nearly full: 170 mm at 10.5 pt holds 45 full-width characters.
    assert_eq!(lines[0].chars().count(), 45, "{lines:?}");

    let doc = SimpleDoc {
        title: "wrap".into(),
        blocks: vec![Block::Paragraph(paragraph.clone())],
        footer: None,
    };
    let (_dir, file, _) = render_to_file(&doc);
    let words = word_boxes(&file);
    let body: Vec<_> = words.iter().filter(|w| w.4 != "1" && w.4 != "/").collect();
    assert_eq!(
        body.len(),
        lines.len(),
        "one word per printed line: {words:?}"
    );
    for (word, line) in body.iter().zip(&lines) {
        assert_eq!(&word.4, line);
    }
    assert!(
        body.windows(2).all(|w| w[1].1 > w[0].1),
        "lines go down the page"
    );
}

#[test]
fn a_long_document_runs_onto_numbered_pages() {
    let mut blocks = vec![Block::Title("長い文書".into())];
    for i in 1..=60 {
        blocks.push(Block::Heading(format!("第{i}項")));
        blocks.push(Block::Paragraph(format!("第{i}項の本文です。").repeat(12)));
    }
    let doc = SimpleDoc {
        title: "長い文書".into(),
        blocks,
        footer: Some("フッター".into()),
    };
    let (_dir, file, size) = render_to_file(&doc);
    let pages = page_count(&file);
    assert!(pages >= 3, "{pages} pages");
    for page in 1..=pages {
        let n = page.to_string();
        let text = squeeze(&poppler("pdftotext", &["-f", &n, "-l", &n], &file));
        assert!(
            text.contains(&format!("{page}/{pages}")) && text.contains("フッター"),
            "page {page}: {text}"
        );
    }
    let all = squeeze(&poppler("pdftotext", &[], &file));
    assert!(all.contains("第60項の本文です。"));
    assert!(size < 300_000 * pages, "{size} bytes for {pages} pages");
}

/// 10.5 ems at 10.5 pt: ten full-width characters fit, the eleventh does not.
const TEN_CHARS_MM: f32 = 10.5 * 10.5 * 25.4 / 72.0;

#[test]
fn kinsoku_no_line_starts_with_a_full_stop() {
    let text = "あいうえおかきくけこ。さしすせそ";
    assert!(pdf::text_width_mm("あいうえおかきくけこ", 10.5) <= TEN_CHARS_MM);
    assert!(pdf::text_width_mm("あいうえおかきくけこ。", 10.5) > TEN_CHARS_MM);
    // Without kinsoku the second line would start with 。; the こ before it goes along.
    let lines = pdf::break_lines(text, TEN_CHARS_MM, 10.5);
    assert_eq!(lines, ["あいうえおかきくけ", "こ。さしすせそ"]);
    // Spaces at a break are dropped: they do not let a 」 slip to the start of a line.
    let lines = pdf::break_lines("あいうえおかきくけこ 」です", TEN_CHARS_MM, 10.5);
    assert_eq!(lines, ["あいうえおかきくけ", "こ 」です"]);

    // Closing brackets, small kana and the prolonged sound mark stay off the start of lines,
    // and opening brackets off the end, wherever they fall.
    let forbidden_start = "、。」）』，．・ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ";
    let forbidden_end = "「（『";
    let text = "「確認」した、データ（ファイル）は『削除』済み。ちょっとキャッシュ・コピーー々。"
        .repeat(8);
    for width in 9..=20 {
        let width_mm = width as f32 * 10.5 * 25.4 / 72.0 + 0.5;
        let lines = pdf::break_lines(&text, width_mm, 10.5);
        assert_eq!(lines.concat(), text);
        for line in &lines[1..] {
            let first = line.chars().next().expect("no empty lines");
            assert!(
                !forbidden_start.contains(first),
                "{width}: line starts with {first}: {lines:?}"
            );
        }
        for line in &lines[..lines.len() - 1] {
            let last = line.chars().last().expect("no empty lines");
            assert!(
                !forbidden_end.contains(last),
                "{width}: line ends with {last}: {lines:?}"
            );
        }
    }
}

#[test]
fn ascii_runs_break_at_hyphens_slashes_and_spaces() {
    let key = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789";
    let lines = pdf::break_lines(key, 40.0, 20.0);
    assert!(lines.len() > 1, "{lines:?}");
    assert_eq!(lines.concat(), key);
    for line in &lines[..lines.len() - 1] {
        assert!(line.ends_with('-'), "{lines:?}");
    }

    let path = "C:/Users/takahashi/AppData/Roaming/totsugo/data";
    let lines = pdf::break_lines(path, 30.0, 10.5);
    assert!(lines.len() > 1, "{lines:?}");
    assert_eq!(lines.concat(), path);
    for line in &lines[..lines.len() - 1] {
        assert!(line.ends_with('/'), "{lines:?}");
    }

    let sentence = "totsugo recover --login admin で復旧します";
    let lines = pdf::break_lines(sentence, 30.0, 10.5);
    assert_eq!(lines[0], "totsugo recover", "{lines:?}");
    for word in ["totsugo", "recover", "--login", "admin"] {
        assert!(
            lines.iter().any(|l| l.contains(word)),
            "{word} split: {lines:?}"
        );
    }
    assert!(
        lines
            .iter()
            .all(|l| !l.starts_with(' ') && !l.ends_with(' '))
    );

    // Forced line breaks, and a blank line kept.
    assert_eq!(
        pdf::break_lines("一行目\n\n三行目\r\n四", 100.0, 10.5),
        ["一行目", "", "三行目", "四"]
    );
}

#[test]
fn characters_without_a_glyph_are_reported_and_refused() {
    assert_eq!(
        pdf::missing_glyphs("髙橋 一郎、山﨑 花子 ①②③ ABC-123\n"),
        Vec::<char>::new()
    );
    let odd = "顔文字😀と私用面\u{10FFFD}と😀";
    assert_eq!(pdf::missing_glyphs(odd), ['😀', '\u{10FFFD}']);

    let doc = SimpleDoc {
        title: "t".into(),
        blocks: vec![Block::Table(vec![("氏名".into(), "鈴木😀".into())])],
        footer: None,
    };
    match pdf::render(&doc) {
        Err(e @ PdfError::MissingGlyphs(_)) => {
            let message = e.to_string();
            assert!(
                message.contains("😀") && message.contains("U+1F600"),
                "{message}"
            );
        }
        other => panic!("expected MissingGlyphs, got {other:?}"),
    }
}

#[test]
fn an_empty_document_is_one_numbered_page() {
    let doc = SimpleDoc {
        title: String::new(),
        blocks: Vec::new(),
        footer: None,
    };
    let (_dir, file, _) = render_to_file(&doc);
    assert_eq!(page_count(&file), 1);
    assert!(squeeze(&poppler("pdftotext", &[], &file)).contains("1/1"));
}
