//! Every kind of bad input gets its own clear error (row, column, what was expected), and the
//! store is left exactly as it was: byte for byte.

use crate::common;

use common::*;
use totsugo_core::import::{ImportError, RowError};

/// Imports `bytes` into a store that already holds the demo file, asserts the import fails,
/// that the store file did not change, and returns the error.
fn rejected(bytes: &[u8]) -> ImportError {
    let dir = tempdir();
    let mut store = open(dir.path());
    import(&mut store, &demo_file()).unwrap();
    let before = store_bytes(dir.path());
    let path = write_bytes(dir.path(), "bad.csv", bytes);
    let err = import(&mut store, &path).expect_err("the file must be refused");
    drop(store);
    assert_eq!(store_bytes(dir.path()), before, "the store changed");
    let store = open(dir.path());
    assert_eq!(store.store().imports().unwrap().len(), 1);
    assert_eq!(store.store().record_count().unwrap(), 2000);
    err
}

fn cp932(rows: &[Row]) -> Vec<u8> {
    totsugo_core::encoding::encode_cp932(&csv_text(&default_headers(), rows)).unwrap()
}

/// The row errors of a rejected file.
fn row_errors(bytes: &[u8]) -> (Vec<RowError>, u64) {
    match rejected(bytes) {
        ImportError::Rejected { errors, total } => (errors, total),
        other => panic!("expected row errors, got {other:?}"),
    }
}

fn one_error(rows: &[Row]) -> RowError {
    let (errors, total) = row_errors(&cp932(rows));
    assert_eq!(total, 1, "{errors:?}");
    errors.into_iter().next().unwrap()
}

#[test]
fn wrong_column_count_names_the_line() {
    let mut text = csv_text(&default_headers(), &[Row::matching(1), Row::matching(2)]);
    text.push_str("1,2,3\r\n");
    let (errors, total) = row_errors(&totsugo_core::encoding::encode_cp932(&text).unwrap());
    assert_eq!(total, 1);
    assert_eq!(errors[0].line, 4);
    assert_eq!(errors[0].column, None);
    assert!(
        errors[0].message.contains("列の数"),
        "{}",
        errors[0].message
    );
    assert!(errors[0].to_string().starts_with("4行目"));
}

#[test]
fn line_numbers_hold_with_lf_endings_too() {
    let mut text = csv_text(&default_headers(), &[Row::matching(1), Row::matching(2)]);
    text.push_str("1,2,3\r\n");
    let text = text.replace("\r\n", "\n");
    let (errors, _) = row_errors(&totsugo_core::encoding::encode_cp932(&text).unwrap());
    assert_eq!(errors[0].line, 4);
}

#[test]
fn an_unclosed_quote_is_malformed_csv() {
    let mut text = csv_text(&default_headers(), &[Row::matching(1)]);
    let mut broken = csv_text(
        &default_headers(),
        &[Row::matching(2).set("加入者情報_住所", "X")],
    );
    broken = broken
        .split_once("\r\n")
        .unwrap()
        .1
        .replacen(",X,", ",\"X,", 1);
    text.push_str(&broken);
    text.push_str(
        csv_text(&default_headers(), &[Row::matching(3)])
            .split_once("\r\n")
            .unwrap()
            .1,
    );
    let (errors, _) = row_errors(&totsugo_core::encoding::encode_cp932(&text).unwrap());
    assert!(
        errors.iter().any(|e| e.message.contains("引用符")),
        "{errors:?}"
    );
    assert!(errors.iter().all(|e| e.line == 3), "{errors:?}");
}

#[test]
fn a_stray_quote_in_the_middle_of_the_file_names_its_row() {
    let rows = [
        Row::matching(1),
        Row::matching(2).set("加入者情報_住所", "X"),
        Row::matching(3),
        Row::matching(4),
    ];
    let text = csv_text(&default_headers(), &rows).replacen(",X,", ",X\"Y,", 1);
    let (errors, total) = row_errors(&totsugo_core::encoding::encode_cp932(&text).unwrap());
    assert_eq!(total, 1, "{errors:?}");
    assert_eq!(errors[0].line, 3);
    assert!(
        errors[0].message.contains("引用符"),
        "{}",
        errors[0].message
    );
}

#[test]
fn undecodable_bytes_name_row_and_column() {
    let mut bytes = cp932(&[Row::matching(1), Row::matching(2)]);
    // 0x81 0x20 is not a CP932 character: put it into the second row's kana name.
    let kana = totsugo_core::encoding::encode_cp932("ヤマダ　タロウ").unwrap();
    // The last occurrence: the second row's registry-side kana.
    let pos = bytes
        .windows(kana.len())
        .rposition(|w| w == kana.as_slice())
        .unwrap();
    bytes.splice(pos..pos + 2, [0x81, 0x20]);
    let (errors, total) = row_errors(&bytes);
    assert_eq!(total, 1, "{errors:?}");
    assert_eq!(errors[0].line, 3);
    assert!(errors[0].column.as_deref().unwrap().contains("カナ氏名"));
    assert!(
        errors[0].message.contains("読めない"),
        "{}",
        errors[0].message
    );
}

#[test]
fn a_date_that_is_not_a_real_date() {
    let e = one_error(&[
        Row::matching(1),
        Row::matching(2).set("資格取得年月日", "20230230"),
    ]);
    assert_eq!(e.line, 3);
    assert_eq!(e.column.as_deref(), Some("資格取得年月日"));
    assert!(e.message.contains("実在しない日付"), "{}", e.message);
    assert!(e.message.contains("20230230"));
    // A birth date is personal: the message explains without repeating it.
    let e = one_error(&[Row::matching(1).set("加入者情報_生年月日", "19451301")]);
    assert_eq!(e.column.as_deref(), Some("加入者情報_生年月日"));
    assert!(!e.message.contains("19451301"), "{}", e.message);
}

#[test]
fn digits_where_digits_are_due() {
    let e = one_error(&[Row::matching(1).set("個人番号", "12345678901A")]);
    assert_eq!(e.column.as_deref(), Some("個人番号"));
    assert!(e.message.contains("12桁"), "{}", e.message);
    // Never print the number itself.
    assert!(!e.to_string().contains("12345678901"), "{e}");
    let e = one_error(&[Row::matching(1).set("枝番", "1")]);
    assert_eq!(e.column.as_deref(), Some("枝番"));
    let e = one_error(&[Row::matching(1).set("加入者情報_生年月日", "1945/12/03")]);
    assert!(e.message.contains("YYYYMMDD"), "{}", e.message);
}

#[test]
fn verdicts_other_than_maru_batsu_or_empty() {
    let e = one_error(&[Row::matching(1).set("判定結果_住所", "〇")]);
    assert_eq!(e.column.as_deref(), Some("判定結果_住所"));
    assert!(e.message.contains("○、×"), "{}", e.message);
    let e = one_error(&[Row::matching(1).set("総合判定", "NG")]);
    assert_eq!(e.column.as_deref(), Some("総合判定"));
}

#[test]
fn codes_outside_their_lists() {
    let e = one_error(&[Row::matching(1).set("J-LIS照会結果", "4")]);
    assert_eq!(e.column.as_deref(), Some("J-LIS照会結果"));
    let e = one_error(&[Row::matching(1).set("加入者情報_性別", "M")]);
    assert_eq!(e.column.as_deref(), Some("加入者情報_性別"));
    let e = one_error(&[Row::matching(1).set("閲覧停止区分", "3")]);
    assert_eq!(e.column.as_deref(), Some("閲覧停止区分"));
}

#[test]
fn insurer_number_check_digit_rejects_the_file() {
    let good = insurer_number();
    let bad = format!("{}{}", &good[..7], (good.as_bytes()[7] - b'0' + 1) % 10);
    let e = one_error(&[Row::matching(1), Row::matching(2).set("保険者番号", &bad)]);
    assert_eq!(e.line, 3);
    assert_eq!(e.column.as_deref(), Some("保険者番号"));
    assert!(e.message.contains("検証番号"), "{}", e.message);
}

#[test]
fn a_missing_required_column_is_named() {
    let headers: Vec<String> = default_headers()
        .into_iter()
        .filter(|h| h != "J-LIS情報_生年月日")
        .collect();
    let text = csv_text(&headers, &[Row::matching(1)]);
    match rejected(&totsugo_core::encoding::encode_cp932(&text).unwrap()) {
        ImportError::Header(m) => assert!(m.contains("「J-LIS情報_生年月日」"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_empty_file() {
    match rejected(b"") {
        ImportError::Header(m) => assert!(m.contains("空"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn many_errors_show_the_first_and_count_the_rest() {
    let rows: Vec<Row> = (0..500)
        .map(|i| Row::matching(i).set("枝番", "ABC"))
        .collect();
    let (errors, total) = row_errors(&cp932(&rows));
    assert_eq!(total, 500);
    assert_eq!(errors.len(), totsugo_core::import::KEPT_ERRORS);
    assert_eq!(errors[0].line, 2);
    let msg = ImportError::Rejected { errors, total }.message_ja(20);
    assert!(msg.contains("ほか 480 件"), "{msg}");
    assert!(msg.contains("保管データは変更していません"));
}

#[test]
fn a_failed_my_number_check_digit_does_not_refuse_the_file() {
    let dir = tempdir();
    let mut n = my_number(1);
    n.pop();
    n.push(if my_number(1).ends_with('0') {
        '1'
    } else {
        '0'
    });
    let path = write_bytes(
        dir.path(),
        "cd.csv",
        &cp932(&[Row::matching(1).set("個人番号", &n)]),
    );
    let mut store = open(&dir.path().join("s"));
    let r = import(&mut store, &path).unwrap();
    assert_eq!(r.counts.warnings, 1);
    assert_eq!(r.warning_examples[0].0, 2);
}
