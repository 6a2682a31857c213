//! The explanation engine end to end: `totsugo analyze` on a real CP932 file, and the same
//! explanations and cross-record alarms kept in the store by an import.

use crate::common;

use std::process::Command;

use common::*;
use totsugo_core::analyze::{AnalyzedRow, explain_stored};
use totsugo_core::auth::Role;
use totsugo_core::compare::{FieldVerdict, Suggestion};
use totsugo_core::crosscheck::AlarmKind;
use totsugo_core::session::Session;

/// Seven rows: a household where the spouse's row carries the head's number, a row that
/// differs only in notation and the same person's older lost row, look-alike kanji, no
/// registry record, and a registered number that fails its check digit.
fn rows() -> Vec<Row> {
    let head = Row::matching(1);
    let spouse = Row::matching(2)
        .set("個人番号", &my_number(1))
        .set("枝番", "01")
        .set("本人家族区分", "2")
        .set("加入者情報_漢字氏名", "山田　花子")
        .set("加入者情報_カナ氏名", "ﾔﾏﾀﾞ ﾊﾅｺ")
        .set("加入者情報_生年月日", "19480505")
        .set("加入者情報_性別", "2")
        .set("判定結果_漢字氏名", "×")
        .set("判定結果_カナ氏名", "×")
        .set("判定結果_生年月日", "×")
        .set("判定結果_性別", "×")
        .set("総合判定", "×")
        .set("閲覧停止区分", "1");
    let takahashi = |n: u64| {
        Row::matching(n)
            .set("個人番号", &my_number(3))
            .set("加入者情報_漢字氏名", "高橋　一郎")
            .set("J-LIS情報_漢字氏名", "髙橋　一郎")
            .set("加入者情報_カナ氏名", "ﾀｶﾊｼ ｲﾁﾛｳ")
            .set("J-LIS情報_カナ氏名", "タカハシ　イチロウ")
            .set("加入者情報_生年月日", "19600101")
            .set("J-LIS情報_生年月日", "19600101")
            .set("加入者情報_住所", "東京都港区赤坂1-11-2 サンハイツ201")
    };
    let notation = takahashi(3)
        .set("判定結果_漢字氏名", "×")
        .set("判定結果_カナ氏名", "×")
        .set("判定結果_住所", "×")
        .set("総合判定", "×")
        .set("閲覧停止区分", "2");
    // The same person, an older qualification, written the same way: no alarm.
    let older = takahashi(4)
        .set("J-LIS情報_漢字氏名", "高橋　一郎")
        .set("J-LIS情報_カナ氏名", "ﾀｶﾊｼ ｲﾁﾛｳ")
        .set("J-LIS情報_住所", "東京都港区赤坂1-11-2 サンハイツ201")
        .set("資格喪失年月日", "20220331");
    let look_alike = Row::matching(5)
        .set("加入者情報_漢字氏名", "斉藤　健")
        .set("J-LIS情報_漢字氏名", "斎藤　健")
        .set("加入者情報_カナ氏名", "サイトウ　ケン")
        .set("J-LIS情報_カナ氏名", "サイトウ　ケン")
        .set("判定結果_漢字氏名", "×")
        .set("総合判定", "×");
    let no_record = Row::no_registry_record(6)
        .set("加入者情報_漢字氏名", "佐藤　一")
        .set("加入者情報_カナ氏名", "サトウ　ハジメ")
        .set("加入者情報_生年月日", "19700707");
    let mut bad_digit = my_number(7);
    let last = bad_digit.pop().unwrap().to_digit(10).unwrap();
    bad_digit.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let check_digit = Row::birth_mismatch(7)
        .set("個人番号", &bad_digit)
        .set("加入者情報_漢字氏名", "鈴木　次郎")
        .set("J-LIS情報_漢字氏名", "鈴木　次郎")
        .set("加入者情報_カナ氏名", "スズキ　ジロウ")
        .set("J-LIS情報_カナ氏名", "スズキ　ジロウ");
    vec![
        head,
        spouse,
        notation,
        older,
        look_alike,
        no_record,
        check_digit,
    ]
}

fn analyze_cli(path: &std::path::Path) -> Vec<AnalyzedRow> {
    let out = Command::new(env!("CARGO_BIN_EXE_totsugo"))
        .arg("analyze")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("不一致 5 行"), "{stderr}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<AnalyzedRow>(l).unwrap())
        .collect()
}

#[test]
fn analyze_explains_every_mismatch_in_file_order() {
    let dir = tempdir();
    let path = write_cp932(dir.path(), "m.csv", &csv_text(&default_headers(), &rows()));
    let out = analyze_cli(&path);
    let rows: Vec<u64> = out.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![2, 3, 5, 6, 7]);
    let by_row = |n: u64| out.iter().find(|r| r.row == n).unwrap();

    // The spouse carries the head's number: the registry person is row 1.
    let spouse = by_row(2);
    assert_eq!(spouse.suggestion, Suggestion::LikelyWrongNumber);
    assert_eq!(spouse.related_rows, vec![1]);
    assert!(
        spouse
            .reasons
            .iter()
            .any(|r| r.contains("別の加入者（データ1行目）")),
        "{:?}",
        spouse.reasons
    );

    // Variant kanji, half-width kana, 1-11-2 against 一丁目１１番２号, a building on one side.
    let notation = by_row(3);
    assert_eq!(notation.suggestion, Suggestion::NotationOnly);
    assert_eq!(notation.fields.kanji_name, FieldVerdict::Notation);
    assert_eq!(notation.fields.kana_name, FieldVerdict::Notation);
    assert_eq!(notation.fields.address, FieldVerdict::Notation);
    assert_eq!(notation.fields.birth_date, FieldVerdict::Equal);
    for expected in [
        "漢字氏名: 異体字: 高 ↔ 髙",
        "カナ氏名: 半角カナと全角カナの違い",
        "住所: 住所の番地表記の違い: 1-11-2 ↔ 一丁目１１番２号",
        "住所: 方書（建物名・部屋番号）が加入者側のみ: サンハイツ201",
    ] {
        assert!(
            notation.reasons.iter().any(|r| r.starts_with(expected)),
            "{expected} not in {:?}",
            notation.reasons
        );
    }
    // The same person on an older row is not an alarm.
    assert!(notation.related_rows.is_empty());

    // 斉 and 斎 look alike but are different characters.
    let look_alike = by_row(5);
    assert_eq!(look_alike.fields.kanji_name, FieldVerdict::Differs);
    assert_eq!(look_alike.suggestion, Suggestion::NeedsReview);

    assert_eq!(by_row(6).suggestion, Suggestion::LikelyWrongNumber);
    assert!(
        by_row(7).reasons.iter().any(|r| r.contains("検査用数字")),
        "{:?}",
        by_row(7).reasons
    );
}

#[test]
fn import_keeps_the_same_explanations_and_the_alarms() {
    let dir = tempdir();
    let path = write_cp932(dir.path(), "m.csv", &csv_text(&default_headers(), &rows()));
    let cli = analyze_cli(&path);
    let store_dir = dir.path().join("store");
    let mut session = open(&store_dir);
    let report = import(&mut session, &path).unwrap();
    assert_eq!(report.counts.warnings_by_kind["shared_number"], 2);
    assert_eq!(
        report.counts.warnings_by_kind["registry_is_other_subscriber"],
        1
    );
    let store = session.store();
    let ids = store.record_ids(report.import_id).unwrap();
    assert_eq!(ids.len(), 7);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(store.row_number(*id).unwrap(), Some(i as u64 + 1));
    }
    // One source of truth: what the store explains is what `analyze` wrote.
    for line in &cli {
        let id = ids[line.row as usize - 1];
        let (r, e) = explain_stored(store, id).unwrap().unwrap();
        assert_eq!(&e.to_row(&r, line.row), line, "row {}", line.row);
        assert_eq!(r.analysis.unwrap().suggestion, line.suggestion);
    }
    let kinds = |id: i64| -> Vec<(AlarmKind, u64)> {
        store
            .alarms(id)
            .unwrap()
            .iter()
            .map(|a| (a.kind, a.related_row))
            .collect()
    };
    assert_eq!(kinds(ids[0]), vec![(AlarmKind::SharedNumber, 2)]);
    assert_eq!(
        kinds(ids[1]),
        vec![
            (AlarmKind::SharedNumber, 1),
            (AlarmKind::RegistryIsOtherSubscriber, 1)
        ]
    );
    assert!(kinds(ids[2]).is_empty());
    assert!(kinds(ids[3]).is_empty());
}

#[test]
fn review_record_explains_masks_and_is_audited() {
    let dir = tempdir();
    let path = write_cp932(dir.path(), "m.csv", &csv_text(&default_headers(), &rows()));
    let store_dir = dir.path().join("store");
    let mut session = open(&store_dir);
    let report = import(&mut session, &path).unwrap();
    let ids = session.store().record_ids(report.import_id).unwrap();
    // Reviewing is a clerk's work, not an administrator's.
    assert!(session.review_record(ids[1]).is_err());
    add_person(&store_dir, "clerk1", "担当 一郎", Role::Clerk, false);
    let session = Session::login(&store_dir, "clerk1", PERSON_PW).unwrap();
    let reviewed = session.review_record(ids[1]).unwrap().unwrap();
    assert_eq!(reviewed.row, Some(2));
    assert_eq!(
        reviewed.record.my_number,
        format!("********{}", &my_number(1)[8..])
    );
    assert_eq!(
        reviewed.explained.explanation.suggestion,
        Suggestion::LikelyWrongNumber
    );
    assert_eq!(
        reviewed.explained.alarms,
        vec![
            (AlarmKind::SharedNumber, vec![1]),
            (AlarmKind::RegistryIsOtherSubscriber, vec![1])
        ]
    );
    let last = session
        .store()
        .audit_entries(None, None)
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (last.action.as_str(), last.target.as_str()),
        ("view_record", format!("record:{}", ids[1]).as_str())
    );
}
