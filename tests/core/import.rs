//! The importer end to end: real files in real encodings into a real encrypted store.

use crate::common;

use common::*;
use totsugo_core::classify::WarningKind;
use totsugo_core::encoding::{EncodingChoice, FileEncoding};
use totsugo_core::import::{ImportError, ImportOptions};
use totsugo_core::profile::Profile;
use totsugo_core::record::{Item, RegistryResult, StopCase};
use totsugo_core::session::SessionError;
use totsugo_core::store::MismatchFilter;
use totsugo_core::summary::Counts;

/// The demo file's counts, computed independently (a Python reading of the CSV with the
/// official case table) when the demo file was made.
fn demo_counts() -> Counts {
    Counts {
        rows: 2000,
        mismatches: 47,
        in_scope: 41,
        lost: 6,
        case1: 6,
        case2: 7,
        case3: 1,
        no_stop: 33,
        // Data rows 940 and 941: a family member's number, found by the cross-record checks.
        warnings: 2,
        warnings_by_kind: [
            ("registry_is_other_subscriber".to_string(), 1),
            ("shared_number".to_string(), 2),
        ]
        .into_iter()
        .collect(),
    }
}

#[test]
fn golden_import_of_the_demo_file() {
    let dir = tempdir();
    let mut store = open(dir.path());
    let r = import(&mut store, &demo_file()).expect("demo imports");
    assert_eq!(r.encoding, FileEncoding::Cp932);
    assert_eq!(r.counts, demo_counts());
    assert_eq!(store.summary().unwrap(), demo_counts());
    assert_eq!(store.store().record_count().unwrap(), 2000);
    // The same numbers after closing and reopening the store.
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.summary().unwrap(), demo_counts());
    let page = store
        .store()
        .page_mismatches(&MismatchFilter::default(), None, 1000)
        .unwrap();
    assert_eq!(page.len(), 47);
    // Work order: every ① before any ②, lost after in scope.
    let first_non_case1 = page
        .iter()
        .position(|r| r.class.case != StopCase::Case1 || r.class.lost)
        .unwrap();
    assert!(
        page[..first_non_case1]
            .iter()
            .all(|r| r.class.case == StopCase::Case1)
    );
    assert!(
        page.windows(2)
            .all(|w| w[0].class.priority <= w[1].class.priority)
    );
}

#[test]
fn the_same_file_is_not_imported_twice() {
    let dir = tempdir();
    let mut store = open(dir.path());
    let first = import(&mut store, &demo_file()).unwrap();
    let before = store_bytes(dir.path());
    // Same content under another name is still the same file.
    let copy = dir.path().join("copy.csv");
    std::fs::copy(demo_file(), &copy).unwrap();
    match import(&mut store, &copy) {
        Err(ImportError::AlreadyImported(prev)) => {
            assert_eq!(prev.id, first.import_id);
            assert_eq!(prev.file_name, "match-result-demo.csv");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(store_bytes(dir.path()), before);
    assert_eq!(store.summary().unwrap(), demo_counts());
}

#[test]
fn utf8_with_bom_gives_the_same_counts_as_cp932() {
    let dir = tempdir();
    let bytes = std::fs::read(demo_file()).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(text.as_bytes());
    let path = write_bytes(dir.path(), "bom.csv", &utf8);
    let mut store = open(&dir.path().join("store"));
    let r = import(&mut store, &path).unwrap();
    assert_eq!(r.encoding, FileEncoding::Utf8Bom);
    assert_eq!(r.counts, demo_counts());
    // The BOM did not end up in the first header: the insurer number column was found.
    let id = store.store().record_ids(r.import_id).unwrap()[0];
    assert_eq!(
        store
            .store()
            .record(id)
            .unwrap()
            .unwrap()
            .insurer_number
            .len(),
        8
    );
}

#[test]
fn cp932_extension_characters_round_trip() {
    let dir = tempdir();
    let kanji = "髙﨑　①㈱Ⅱ";
    let row = Row::matching(1)
        .set("加入者情報_漢字氏名", kanji)
        .set("J-LIS情報_漢字氏名", "髙●　①㈱Ⅱ")
        .set("判定結果_漢字氏名", "×")
        .set("総合判定", "×")
        .set("加入者情報_住所", "東京都港区赤坂一丁目１１番２号　№３ビル")
        .set("J-LIS情報_住所", "東京都港区赤坂一丁目１１番２号　№３ビル");
    let path = write_cp932(dir.path(), "ext.csv", &csv_text(&default_headers(), &[row]));
    let mut store = open(&dir.path().join("s"));
    let r = import(&mut store, &path).unwrap();
    assert_eq!(r.encoding, FileEncoding::Cp932);
    let rec = store
        .store()
        .record(store.store().record_ids(r.import_id).unwrap()[0])
        .unwrap()
        .unwrap();
    assert_eq!(rec.insurer.kanji_name, kanji);
    assert_eq!(rec.registry.kanji_name, "髙●　①㈱Ⅱ");
    assert_eq!(
        rec.insurer.address,
        "東京都港区赤坂一丁目１１番２号　№３ビル"
    );
}

#[test]
fn quoted_address_with_comma_quote_and_line_break() {
    let dir = tempdir();
    let addr = "東京都港区赤坂1-11, 山田ビル\r\n2階 \"東\"棟";
    let rows = [
        Row::matching(1),
        Row::matching(2)
            .set("加入者情報_住所", addr)
            .set("判定結果_住所", "×")
            .set("総合判定", "×"),
        Row::matching(3).set("枝番", "X1"),
    ];
    let path = write_cp932(dir.path(), "q.csv", &csv_text(&default_headers(), &rows));
    let mut store = open(&dir.path().join("s"));
    let r = import(&mut store, &path).unwrap();
    let ids = store.store().record_ids(r.import_id).unwrap();
    let rec = store.store().record(ids[1]).unwrap().unwrap();
    // The comma and the quote are the address's own; the line break inside it is a control
    // character, stored as visible marks and flagged on the row.
    assert_eq!(
        rec.insurer.address,
        "東京都港区赤坂1-11, 山田ビル␍␊2階 \"東\"棟"
    );
    assert!(
        rec.warnings
            .has(totsugo_core::record::WarningKind::BadValue(
                totsugo_core::record::Field::InsAddress
            ))
    );
    assert_eq!(rec.line, 3);
    // Row 4 (the third record) starts on line 5 because the address spans two lines.
    let third = store.store().record(ids[2]).unwrap().unwrap();
    assert_eq!(third.line, 5);
    assert!(
        third
            .warnings
            .has(totsugo_core::record::WarningKind::BadValue(
                totsugo_core::record::Field::Branch
            ))
    );
    assert_eq!(r.counts.mismatches, 1);
}

#[test]
fn reordered_header_is_found_through_the_default_profile() {
    let dir = tempdir();
    let mut headers = default_headers();
    headers.reverse();
    let path = write_cp932(
        dir.path(),
        "rev.csv",
        &csv_text(&headers, &[Row::matching(1), Row::birth_mismatch(2)]),
    );
    let mut store = open(&dir.path().join("s"));
    let r = import(&mut store, &path).unwrap();
    assert_eq!(r.counts.rows, 2);
    assert_eq!(r.counts.case1, 1);
    let rec = store
        .store()
        .record(store.store().record_ids(r.import_id).unwrap()[1])
        .unwrap()
        .unwrap();
    assert_eq!(rec.my_number, my_number(2));
    assert_eq!(rec.insurer.kana_name, "ヤマダ　タロウ");
}

#[test]
fn an_edited_profile_renames_a_column_and_extra_columns_are_kept() {
    let dir = tempdir();
    // The insurer's file calls the My Number column 「マイナンバー」 and adds a memo column.
    let mut headers = default_headers();
    headers[5] = "マイナンバー".into();
    headers.push("備考".into());
    let rows: Vec<Row> = [Row::matching(1), Row::birth_mismatch(2)]
        .into_iter()
        .map(|r| {
            let mut r = r;
            let n = r.get("個人番号").to_string();
            r.0.push(("マイナンバー".into(), n));
            r.0.push(("備考".into(), "電話済".into()));
            r
        })
        .collect();
    let path = write_cp932(dir.path(), "renamed.csv", &csv_text(&headers, &rows));
    let mut store = open(&dir.path().join("s"));

    // The default profile names the missing column.
    match import(&mut store, &path) {
        Err(ImportError::Header(m)) => assert!(m.contains("「個人番号」"), "{m}"),
        other => panic!("{other:?}"),
    }

    // The user's copy of the profile, edited.
    let text = Profile::default()
        .to_text()
        .replace("my_number = 個人番号", "my_number = マイナンバー")
        .replace(
            "name = 既定（totsugo 標準レイアウト）",
            "name = 当組合レイアウト",
        );
    let pfile = dir.path().join("profile.txt");
    std::fs::write(&pfile, text).unwrap();
    let profile = Profile::load(&pfile).unwrap();
    let r = import_with(
        &mut store,
        &path,
        &ImportOptions {
            profile,
            encoding: EncodingChoice::Auto,
        },
    )
    .unwrap();
    assert_eq!(r.profile, "当組合レイアウト");
    assert_eq!(r.extra_headers, vec!["備考".to_string()]);
    let rec = store
        .store()
        .record(store.store().record_ids(r.import_id).unwrap()[0])
        .unwrap()
        .unwrap();
    assert_eq!(rec.my_number, my_number(1));
    assert_eq!(rec.extra, vec!["電話済".to_string()]);
    assert_eq!(
        store.store().imports().unwrap()[0].extra_headers,
        vec!["備考".to_string()]
    );
}

#[test]
fn no_registry_record_is_case_1_and_lost_rows_are_out_of_scope() {
    let dir = tempdir();
    let rows = [
        Row::matching(1)
            .set("J-LIS照会結果", "2")
            .set("J-LIS情報_漢字氏名", "")
            .set("J-LIS情報_カナ氏名", "")
            .set("J-LIS情報_生年月日", "")
            .set("J-LIS情報_性別", "")
            .set("J-LIS情報_住所", "")
            .set("判定結果_漢字氏名", "")
            .set("判定結果_カナ氏名", "")
            .set("判定結果_生年月日", "")
            .set("判定結果_性別", "")
            .set("判定結果_住所", "")
            .set("総合判定", "×")
            .set("閲覧停止区分", "1"),
        Row::birth_mismatch(2).set("資格喪失年月日", "20221231"),
        // Lost after the match date: still in scope.
        Row::birth_mismatch(3).set("資格喪失年月日", "20231031"),
        Row::matching(4)
            .set("J-LIS情報_住所", "東京都港区赤坂二丁目１番１号")
            .set("判定結果_住所", "×")
            .set("総合判定", "×")
            .set("閲覧停止区分", "2")
            .set("複数資格有無", "1"),
    ];
    let path = write_cp932(dir.path(), "c.csv", &csv_text(&default_headers(), &rows));
    let mut store = open(&dir.path().join("s"));
    let r = import(&mut store, &path).unwrap();
    assert_eq!(r.counts.mismatches, 4);
    assert_eq!(r.counts.lost, 1);
    assert_eq!(r.counts.in_scope, 3);
    assert_eq!(r.counts.case1, 3);
    assert_eq!(r.counts.case3, 1);
    assert_eq!(r.counts.warnings, 0, "{:?}", r.warning_examples);
    let rec = store
        .store()
        .record(store.store().record_ids(r.import_id).unwrap()[0])
        .unwrap()
        .unwrap();
    assert_eq!(rec.registry_result, RegistryResult::NoRecord);
    assert_eq!(rec.registry.birth_date, None);
}

#[test]
fn consistency_checks_are_stored_as_warnings() {
    let dir = tempdir();
    let rows = [
        // Check digit wrong: a warning, the file is still taken.
        Row::matching(1).set("個人番号", &{
            let mut n = my_number(1);
            let last = n.pop().unwrap().to_digit(10).unwrap();
            format!("{n}{}", (last + 1) % 10)
        }),
        // 総合判定 ○ with an item ×.
        Row::birth_mismatch(2)
            .set("総合判定", "○")
            .set("閲覧停止区分", "0"),
        // 閲覧停止区分 2 where the table gives ①.
        Row::birth_mismatch(3).set("閲覧停止区分", "2"),
        // ○ on kana that differ beyond width and spaces.
        Row::matching(4).set("加入者情報_カナ氏名", "ﾔﾏﾀﾞ ｼﾞﾛｳ"),
        // ○ on kana that differ only in width and spaces: no warning.
        Row::matching(5).set("加入者情報_カナ氏名", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        // × on identical addresses.
        Row::matching(6)
            .set("判定結果_住所", "×")
            .set("総合判定", "×"),
    ];
    let path = write_cp932(dir.path(), "w.csv", &csv_text(&default_headers(), &rows));
    let mut store = open(&dir.path().join("s"));
    let r = import(&mut store, &path).unwrap();
    assert_eq!(r.counts.rows, 6);
    assert_eq!(r.counts.warnings, 5);
    let ids = store.store().record_ids(r.import_id).unwrap();
    let w = |i: usize| store.store().record(ids[i]).unwrap().unwrap().warnings;
    assert_eq!(w(0).kinds(), vec![WarningKind::MyNumberCheckDigit]);
    assert_eq!(w(1).kinds(), vec![WarningKind::OverallDisagrees]);
    assert_eq!(w(2).kinds(), vec![WarningKind::StopFlagDisagrees]);
    assert_eq!(
        w(3).kinds(),
        vec![WarningKind::EqualButDifferent(Item::KanaName)]
    );
    assert!(w(4).is_empty());
    assert_eq!(
        w(5).kinds(),
        vec![WarningKind::DiffersButIdentical(Item::Address)]
    );
    assert_eq!(r.counts.warnings_by_kind["my_number_check_digit"], 1);
    // The warnings filter of the mismatch list finds the flagged mismatches.
    let flagged = store
        .store()
        .page_mismatches(
            &MismatchFilter {
                with_warnings: true,
                ..Default::default()
            },
            None,
            10,
        )
        .unwrap();
    assert_eq!(flagged.len(), 2);
}

#[test]
fn cancelling_leaves_the_store_unchanged() {
    let dir = tempdir();
    let mut store = open(dir.path());
    import(&mut store, &demo_file()).unwrap();
    let before = store_content(dir.path());
    let big = sample_file(dir.path(), "big.csv", 20_000, 5);
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut calls = 0;
    let r = store.import_file(
        &big,
        &ImportOptions::default(),
        &mut |p| {
            calls += 1;
            assert!(p.bytes <= p.total_bytes);
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        },
        &cancel,
    );
    // Progress reports come at most every 50 ms: the first one may be the last.
    match r {
        Err(SessionError::Import(ImportError::Cancelled)) => {}
        other => panic!("{other:?} after {calls} progress calls"),
    }
    drop(store);
    // The rows written before the cancel were removed again: the store holds what it held
    // (the pages they took are free in the file).
    assert!(store_content(dir.path()) == before, "the store changed");
    let mut store = open(dir.path());
    assert_eq!(store.summary().unwrap(), demo_counts());
    // And the cancelled file can be imported afterwards.
    let r = import(&mut store, &big).unwrap();
    assert_eq!(r.counts.rows, 20_000);
}

#[test]
fn a_birth_date_known_in_part_is_a_value_not_an_error() {
    // issue 15: 「Partial and unknown dates as the registry and old insurer records write them
    // (day or month 00, 生年月日不詳 and the like) are values with a meaning, not errors」.
    use totsugo_core::record::{Field, WarningKind};
    let dir = tempdir();
    let rows = [
        Row::birth_mismatch(1)
            .set("加入者情報_生年月日", "19450312")
            .set("J-LIS情報_生年月日", "19450000"),
        Row::birth_mismatch(2).set("加入者情報_生年月日", "不詳"),
    ];
    let path = write_cp932(dir.path(), "p.csv", &csv_text(&default_headers(), &rows));
    let mut store = open(&dir.path().join("s"));
    let r = import(&mut store, &path).unwrap();
    let ids = store.store().record_ids(r.import_id).unwrap();
    let rec = store.store().record(ids[0]).unwrap().unwrap();
    assert_eq!(rec.registry.birth_date, None);
    assert_eq!(
        rec.registry.birth_partial.map(|p| p.as_u32()),
        Some(19450000),
        "kept as it was"
    );
    assert!(
        !rec.warnings.has(WarningKind::BadValue(Field::RegBirth)),
        "not a bad value"
    );
    // Explained as read back: "day unknown on one side", to be looked at.
    let explained = totsugo_core::compare::explain_record(&rec);
    let birth = &explained.fields[2];
    assert_eq!(birth.verdict, totsugo_core::compare::FieldVerdict::Differs);
    assert!(
        birth.reasons[0].text.contains("一部が不明"),
        "{:?}",
        birth.reasons
    );
    let rec = store.store().record(ids[1]).unwrap().unwrap();
    assert_eq!(
        rec.insurer.birth_partial.map(|p| p.label_ja()),
        Some("不詳".into())
    );
}

#[test]
fn a_file_with_masked_numbers_imports_and_says_what_could_not_run() {
    // issue 15: 「The seed's picture of the file shows the My Number as 「*1111」」: through the
    // profile (my_number_kind = masked) the import works, check digits and the same-number
    // check say plainly that they could not run, and the type B reply check compares the
    // last 4 digits where they exist.
    use totsugo_core::auth::Role;
    use totsugo_core::review::{Choice, LetterType};
    use totsugo_core::session::Session;
    let dir = tempdir();
    let kana = |n: u64| {
        Row::matching(n)
            .set("加入者情報_カナ氏名", "ﾔﾏﾀﾞ ﾀﾛｳ")
            .set("判定結果_カナ氏名", "×")
            .set("総合判定", "×")
    };
    let rows = [
        kana(1).set("個人番号", "*1111"),
        kana(2).set("個人番号", "********1111"),
        kana(3).set("個人番号", "*"),
    ];
    let path = write_cp932(dir.path(), "m.csv", &csv_text(&default_headers(), &rows));
    let store_dir = dir.path().join("s");
    let mut store = open(&store_dir);
    // Without the profile saying so, a masked number is a bad value on the row.
    let plain = import(&mut store, &path).unwrap();
    assert_eq!(
        plain
            .counts
            .warnings_by_kind
            .get(&WarningKind::BadValue(totsugo_core::record::Field::MyNumber).key()),
        Some(&3)
    );
    assert!(!plain.masked_number);
    let store_dir = dir.path().join("s2");
    let mut store = open(&store_dir);
    let text = Profile::default()
        .to_text()
        .replace("my_number_kind = full", "my_number_kind = masked");
    let profile = Profile::parse(&text).unwrap();
    assert!(profile.masked_number);
    let r = import_with(
        &mut store,
        &path,
        &ImportOptions {
            profile,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(r.masked_number);
    assert!(
        r.counts.warnings_by_kind.is_empty(),
        "no bad value, no check-digit warning, and two rows ending 1111 are no shared number: {:?}",
        r.counts.warnings_by_kind
    );
    assert!(totsugo_core::import::MASKED_NUMBER_NOTE.contains("点検は行えませんでした"));
    set_letterhead(&store);
    add_person(&store_dir, "clerk1", "担当 花子", Role::Clerk, false);
    let clerk = Session::login(&store_dir, "clerk1", PERSON_PW).unwrap();
    let ids = store.store().record_ids(r.import_id).unwrap();
    let detail = clerk.open_record(ids[0]).unwrap().unwrap();
    assert!(!detail.reviewed.number_full);
    clerk
        .decide(ids[0], Choice::letter(LetterType::B), "", false)
        .unwrap();
    assert!(clerk.check_last_four(ids[0], "1111").unwrap());
    assert!(!clerk.check_last_four(ids[0], "2222").unwrap());
    // A number with no digits left has nothing to compare.
    assert!(matches!(
        clerk.check_last_four(ids[2], "1111"),
        Err(SessionError::NoLastFour(_))
    ));
}
