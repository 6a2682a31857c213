//! The wording of the letters as the insurer's templates, against a real store and real PDFs
//! read back with pdftotext: edited texts print, a reprint keeps the original words, bad
//! texts are refused by name, reset brings the default back, only administrators edit, and the
//! default letters explain the viewing stop per person as seed 002 does.

use crate::common;

use std::path::Path;

use common::*;
use totsugo_core::auth::{Permission, Role};
use totsugo_core::letter_text::{StopKind, default_source};
use totsugo_core::record::Date;
use totsugo_core::review::{Choice, LetterType};
use totsugo_core::session::{Session, SessionError};

fn issued() -> Date {
    Date::from_ymd(2023, 12, 1).unwrap()
}

/// r0 case ① (閲覧停止区分 1), letter A; r1 names and address differ (②, 区分 2), letter B;
/// r2 case ① by the verdicts but the operator stopped 医療情報 only (区分 2), letter A; r3
/// case ① with no 閲覧停止区分 in the file, letter A. All at one address (same postal code):
/// the letters print in this order.
fn setup(dir: &Path) -> (Vec<i64>, Session, Session) {
    let rows = vec![
        Row::birth_mismatch(0),
        Row::matching(1)
            .set("加入者情報_カナ氏名", "ﾔﾏﾀﾞ ﾀﾛｳ")
            .set("判定結果_カナ氏名", "×")
            .set("加入者情報_漢字氏名", "山田　太朗")
            .set("判定結果_漢字氏名", "×")
            .set("総合判定", "×")
            .set("閲覧停止区分", "2"),
        Row::birth_mismatch(2).set("閲覧停止区分", "2"),
        Row::birth_mismatch(3).set("閲覧停止区分", ""),
    ];
    let path = write_cp932(dir, "m.csv", &csv_text(&default_headers(), &rows));
    let store = dir.join("store");
    let mut admin = open(&store);
    let report = import(&mut admin, &path).unwrap();
    set_letterhead(&admin);
    add_person(&store, "clerk1", "担当 花子", Role::Clerk, false);
    let ids = admin.store().record_ids(report.import_id).unwrap();
    let clerk = Session::login(&store, "clerk1", PERSON_PW).unwrap();
    for (id, t) in ids
        .iter()
        .zip([LetterType::A, LetterType::B, LetterType::A, LetterType::A])
    {
        clerk.decide(*id, Choice::letter(t), "", false).unwrap();
    }
    (ids, admin, clerk)
}

/// Prints the letters of `ids` and returns the text of each page, whitespace removed.
fn print(clerk: &Session, dir: &Path, name: &str, ids: &[i64], reprint: bool) -> Vec<String> {
    let out = dir.join(name);
    assert_eq!(
        clerk
            .print_letters(ids, None, issued(), &out, reprint)
            .unwrap(),
        ids.len()
    );
    (1..=page_count(&out))
        .map(|n| {
            let n = n.to_string();
            poppler("pdftotext", &["-raw", "-f", &n, "-l", &n], &out)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        })
        .collect()
}

#[test]
fn the_default_letters_explain_the_viewing_stop_of_each_person() {
    let dir = tempdir();
    let (r, _admin, clerk) = setup(dir.path());
    let pages = print(&clerk, dir.path(), "l.pdf", &r, false);
    assert_eq!(pages.len(), 4, "one sheet per letter");
    for page in &pages {
        assert!(
            page.contains("厚く御礼申し上げます"),
            "courtesy line: {page}"
        );
        assert!(page.contains("厚生労働省の要請を受け"), "{page}");
        assert!(page.contains("返信用封筒"), "reply envelope: {page}");
        assert!(!page.contains("住民票の内容と一致しない"), "{page}");
        assert!(page.contains("きりとり線") && page.contains("回答書"));
    }
    // Case ① with the operator's 閲覧停止区分 1.
    // seed 002 Q&A 4: 「資格情報、及び医療情報の閲覧を停止しているため、マイナンバーカードによる
    // 受診はできません。」
    assert!(pages[0].contains("マイナンバーカードによる受診はできません"));
    // seed 002 Q&A 4: 「保険証による受診は可能です。」
    assert!(pages[0].contains("保険証による受診は可能です"));
    // seed 002 Q&A 4: 「マイナポータルで医療情報の閲覧はできません。」
    assert!(pages[0].contains("マイナポータルで医療情報の閲覧はできません"));
    assert!(!pages[0].contains("マイナンバーカードによる受診は可能"));
    // Names differ (②). seed 002 Q&A 4: 「医療情報の閲覧のみを停止しているため、マイナンバー
    // カードによる受診は可能です。」
    assert!(pages[1].contains("マイナンバーカードによる受診は可能"));
    assert!(pages[1].contains("マイナポータルで医療情報の閲覧はできません"));
    assert!(!pages[1].contains("受診はできません"));
    // Type B: a change of name or address is notified to the insurer (健保組合: through the
    // employer).
    assert!(pages[1].contains("変更届"), "{}", pages[1]);
    assert!(pages[1].contains("お勤め先を通じて当組合へ変更届"));
    assert!(!pages[0].contains("変更届"));
    // The stop the operator applied comes first: 区分 2 on a case-① row says the card works.
    assert!(pages[2].contains("マイナンバーカードによる受診は可能"));
    // No 閲覧停止区分 in the file: the recomputed case ①.
    assert!(pages[3].contains("マイナンバーカードによる受診はできません"));
    // The default used is kept as a version, and each letter notes it.
    let versions = clerk.letter_text_versions(LetterType::A).unwrap();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].is_default);
    assert_eq!(
        clerk.store().letter_text_ids_of(r[0]).unwrap()[0].1,
        Some(versions[0].id)
    );
}

#[test]
fn an_edited_text_prints_and_a_reprint_keeps_the_original_words() {
    let dir = tempdir();
    let (r, admin, clerk) = setup(dir.path());
    let first = "個人番号の確認について（第一版）\n\
                 {送付元}から{対象者}の皆さまへ。下の回答書を{回答期限}までにお送りください。\n\
                 {閲覧停止の説明}\n\
                 お問い合わせは{担当部署}（{電話番号}）へ。";
    let v1 = admin.save_letter_text(LetterType::A, first).unwrap();
    assert_eq!(
        admin.letter_texts().unwrap()[0].text,
        first.replace("  ", "")
    );
    // Saving the same text again makes no new version.
    assert_eq!(admin.save_letter_text(LetterType::A, first).unwrap(), v1);
    let pages = print(&clerk, dir.path(), "1.pdf", &r[..1], false);
    let page = &pages[0];
    assert!(page.contains("個人番号の確認について（第一版）"), "{page}");
    assert!(page.contains("当組合から加入者の皆さまへ"), "{page}");
    assert!(
        page.contains("令和5年12月15日までにお送りください"),
        "{page}"
    );
    assert!(
        page.contains("お問い合わせは適用課（03-0000-1234）へ"),
        "{page}"
    );
    assert!(page.contains("マイナンバーカードによる受診はできません"));
    assert!(
        !page.contains("ご提出のお願い"),
        "the default title is gone"
    );
    // A later edit: new letters print it, the reprint keeps the first version's words.
    let second = first.replace("第一版", "第二版");
    let v2 = admin.save_letter_text(LetterType::A, &second).unwrap();
    assert_ne!(v1, v2);
    let reprinted = print(&clerk, dir.path(), "2.pdf", &r[..1], true);
    assert!(reprinted[0].contains("（第一版）"), "{}", reprinted[0]);
    assert!(!reprinted[0].contains("第二版"));
    let fresh = print(&clerk, dir.path(), "3.pdf", &r[3..4], false);
    assert!(fresh[0].contains("（第二版）"), "{}", fresh[0]);
    let noted = clerk.store().letter_text_ids_of(r[0]).unwrap();
    assert_eq!(
        noted.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
        [Some(v1), Some(v1)]
    );
    assert_eq!(
        clerk.store().letter_text_ids_of(r[3]).unwrap()[0].1,
        Some(v2)
    );
    // Versions are kept, newest first, and each save is in the audit trail.
    let versions = admin.letter_text_versions(LetterType::A).unwrap();
    assert_eq!(versions.iter().map(|v| v.id).collect::<Vec<_>>(), [v2, v1]);
    let audit = admin.store().audit_entries_for("letter_text:A").unwrap();
    assert_eq!(audit.len(), 2, "{audit:?}");
    // A stored text cannot be changed in place, even by hand.
    let e = raw_connection(&dir.path().join("store"))
        .execute("UPDATE letter_texts SET body = 'x' WHERE id = ?1", [v1])
        .unwrap_err();
    assert!(e.to_string().contains("never changed"), "{e}");
}

/// The store opened by hand with the administrator's key, as an insider could.
fn raw_connection(dir: &Path) -> rusqlite::Connection {
    use totsugo_core::store::Store;
    use totsugo_core::vault::Vault;
    let vault = Vault::load(dir).unwrap();
    let s = vault.slot(ADMIN).unwrap();
    let key = s.unlock(PASSWORD).unwrap().current;
    totsugo_core::inspect::raw_connection(&Store::file_in(dir), &key).unwrap()
}

#[test]
fn a_reprint_of_a_default_letter_keeps_the_default_after_an_edit() {
    let dir = tempdir();
    let (r, admin, clerk) = setup(dir.path());
    print(&clerk, dir.path(), "1.pdf", &r[1..2], false);
    admin
        .save_letter_text(
            LetterType::B,
            "確認のお願い（新）\n{回答期限}までに下4桁をお書きください。\n{閲覧停止の説明}",
        )
        .unwrap();
    let again = print(&clerk, dir.path(), "2.pdf", &r[1..2], true);
    assert!(again[0].contains("個人番号（マイナンバー）の確認のお願い"));
    assert!(!again[0].contains("確認のお願い（新）"));
}

#[test]
fn bad_texts_are_refused_with_what_is_wrong() {
    let dir = tempdir();
    let (_r, admin, _clerk) = setup(dir.path());
    let refused = |text: &str| -> String {
        let e = admin.save_letter_text(LetterType::A, text).unwrap_err();
        assert!(matches!(e, SessionError::LetterText(_)), "{e:?}");
        e.to_string()
    };
    let e = refused("件名\n{送付先}へお送りください。");
    assert!(e.contains("「{送付先}」"), "names the placeholder: {e}");
    assert!(e.contains("{送付元}"), "lists the known ones: {e}");
    let e = refused("件名\n{回答期限までにお送りください。");
    assert!(e.contains("「{」が閉じられていません"), "{e}");
    let e = refused("件名\n回答期限}までに");
    assert!(e.contains("「}」に対応する「{」がありません"), "{e}");
    let e = refused("件名\n𠮷のお願い");
    assert!(e.contains("印字できない文字") && e.contains('𠮷'), "{e}");
    // Too long for the sheet: the default and twenty more lines.
    let long = format!(
        "{}\n{}",
        default_source(LetterType::A, None),
        "これは長すぎる文面の見本です。".repeat(4).repeat(5)
    );
    let e = refused(&long);
    assert!(e.contains("1枚に収まりません"), "{e}");
    assert!(e.contains("行分はみ出します"), "{e}");
    let e = refused(&format!("{}\n本文", "とても長い件名".repeat(8)));
    assert!(e.contains("件名"), "{e}");
    assert!(
        admin
            .letter_text_versions(LetterType::A)
            .unwrap()
            .is_empty(),
        "nothing saved"
    );
    assert!(admin.letter_texts().unwrap()[0].version.is_none());
}

#[test]
fn reset_brings_back_the_default_and_is_audited() {
    let dir = tempdir();
    let (r, admin, clerk) = setup(dir.path());
    admin
        .save_letter_text(LetterType::A, "別の件名\n{閲覧停止の説明}")
        .unwrap();
    admin.reset_letter_text(LetterType::A).unwrap();
    let now = &admin.letter_texts().unwrap()[0];
    assert!(now.version.is_none());
    assert_eq!(now.text, now.default_text);
    assert_eq!(
        now.text,
        default_source(LetterType::A, admin.insurer_kind())
    );
    let pages = print(&clerk, dir.path(), "l.pdf", &r[..1], false);
    assert!(pages[0].contains("個人番号（マイナンバー）のご提出のお願い"));
    assert!(!pages[0].contains("別の件名"));
    let audit = admin.store().audit_entries_for("letter_text:A").unwrap();
    assert_eq!(audit.len(), 2);
    assert!(
        audit.iter().any(|e| e.detail.contains("既定に戻す")),
        "{audit:?}"
    );
}

#[test]
fn only_administrators_edit_the_letter_texts() {
    let dir = tempdir();
    let (_r, _admin, clerk) = setup(dir.path());
    assert!(!clerk.may(Permission::Settings));
    assert!(matches!(
        clerk.save_letter_text(LetterType::A, "件名\n本文"),
        Err(SessionError::Forbidden(Permission::Settings))
    ));
    assert!(matches!(
        clerk.reset_letter_text(LetterType::A),
        Err(SessionError::Forbidden(Permission::Settings))
    ));
    assert!(matches!(
        clerk.preview_letter_text(LetterType::A, "件名\n本文", StopKind::MedicalOnly),
        Err(SessionError::Forbidden(Permission::Settings))
    ));
    // Those who print may read what will print.
    assert_eq!(clerk.letter_texts().unwrap().len(), 2);
    assert!(
        clerk
            .letter_text_versions(LetterType::A)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_preview_is_a_real_page_for_the_sample_person() {
    let dir = tempdir();
    let (_r, admin, _clerk) = setup(dir.path());
    let default = default_source(LetterType::A, admin.insurer_kind());
    let p = admin
        .preview_letter_text(LetterType::A, &default, StopKind::QualificationAndMedical)
        .unwrap();
    assert!(p.problem.is_none(), "{:?}", p.problem);
    let text = p.page.printed_text();
    assert!(text.contains("見本　花子"), "the synthetic person");
    assert!(
        text.contains("架空健康保険組合"),
        "the insurer's letterhead"
    );
    assert!(text.contains("マイナンバーカードによる受診はできません"));
    assert!(!p.page.shapes().is_empty());
    let p = admin
        .preview_letter_text(LetterType::A, &default, StopKind::MedicalOnly)
        .unwrap();
    assert!(
        p.page
            .printed_text()
            .contains("マイナンバーカードによる受診は可能")
    );
    // Too long: the page all the same, and the reason.
    let long = format!("{default}\n{}", "長い文。".repeat(200));
    let p = admin
        .preview_letter_text(LetterType::A, &long, StopKind::MedicalOnly)
        .unwrap();
    assert!(p.problem.unwrap().contains("1枚に収まりません"));
    // Not parseable: the error.
    assert!(matches!(
        admin.preview_letter_text(LetterType::A, "件名\n{なに}", StopKind::MedicalOnly),
        Err(SessionError::LetterText(_))
    ));
}
