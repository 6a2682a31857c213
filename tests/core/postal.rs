//! Postal-code lookup on the bundled Japan Post town list, and the insurer's mailing list in
//! the encodings insurers export.

use totsugo_core::encoding::{FileEncoding, encode_cp932};
use totsugo_core::postal::{Lookup, MailingError, MailingList, PostalIndex, format_code};

fn idx() -> &'static PostalIndex {
    PostalIndex::get()
}

fn exact(address: &str) -> String {
    match idx().lookup(address) {
        Lookup::Exact { code, .. } => code,
        other => panic!("{address}: expected one code, got {other:?}"),
    }
}

fn codes(address: &str) -> Vec<String> {
    idx()
        .lookup(address)
        .codes()
        .into_iter()
        .map(String::from)
        .collect()
}

#[test]
fn the_whole_list_is_indexed() {
    assert!(idx().len() > 110_000, "{}", idx().len());
    assert!(idx().city_count() > 1_800, "{}", idx().city_count());
}

#[test]
fn chiyoda_with_house_number_and_building() {
    assert_eq!(exact("東京都千代田区千代田1-1"), "1000001");
    assert_eq!(
        idx().lookup("東京都千代田区千代田１番１号　皇居内ビル３階"),
        Lookup::Exact {
            code: "1000001".into(),
            matched: "東京都千代田区千代田".into()
        }
    );
    assert_eq!(format_code(&exact("東京都千代田区千代田1-1")), "〒100-0001");
}

#[test]
fn town_named_without_its_chome() {
    // 町域 「大通東」: the address goes on with 丁目 in kanji or digits.
    assert_eq!(exact("北海道札幌市中央区大通東三丁目"), "0600041");
    assert_eq!(exact("北海道札幌市中央区大通東３丁目１－２"), "0600041");
    // 港区赤坂 with full-width digits and spaces.
    assert_eq!(exact("東京都　港区　赤坂　１丁目１２番３２号"), "1070052");
}

#[test]
fn prefecture_left_out() {
    // 札幌市中央区 is unique: Hokkaido is inferred.
    assert_eq!(exact("札幌市中央区大通東5丁目"), "0600041");
    assert_eq!(exact("港区赤坂1-2-3"), "1070052");
    // 府中市 is in Tokyo and Hiroshima: both are offered.
    let c = codes("府中市");
    assert!(c.len() >= 2, "{c:?}");
    assert!(c.contains(&"1830000".to_string()), "{c:?}");
}

#[test]
fn a_town_under_two_codes_gives_both() {
    // 大通西 1～19丁目 and 20～28丁目 (the asset has lost the ranges).
    assert_eq!(
        codes("北海道札幌市中央区大通西3丁目"),
        ["0600042", "0640820"]
    );
    assert_eq!(codes("札幌市中央区大通西二十丁目"), ["0600042", "0640820"]);
}

#[test]
fn ke_variants_and_numbered_jo() {
    // 旭ケ丘 in the list, written with ヶ.
    assert_eq!(exact("北海道札幌市中央区旭ヶ丘5丁目6-51"), "0640941");
    // 霞が関 in the list, written with ケ.
    assert_eq!(exact("東京都千代田区霞ケ関1-2-2"), "1000013");
    // 北一条西 in the list, 北1条西 in the address; with 丁目 ranges lost, two codes.
    let c = codes("札幌市中央区北1条西2丁目");
    assert_eq!(c, ["0600001", "0640821"]);
}

#[test]
fn oaza_and_gun() {
    // 大字 before the town, 郡 left out: 滋賀県犬上郡多賀町 一ノ瀬 (in the list as 一ノ瀬).
    assert_eq!(exact("滋賀県犬上郡多賀町大字一ノ瀬123"), "5220323");
    assert_eq!(exact("多賀町大字一の瀬123番地"), "5220323");
    // A town listed after 字 with its own 字 name following.
    assert_eq!(exact("岩手県岩手郡葛巻町江刈第1地割10"), "0285403");
}

#[test]
fn numbers_straight_after_the_city_take_the_city_code() {
    // 葛巻町: KEN_ALL's 「以下に掲載がない場合」 row.
    assert_eq!(exact("岩手県岩手郡葛巻町15番地"), "0285400");
}

#[test]
fn only_the_city_matched() {
    match idx().lookup("北海道札幌市中央区大通北西") {
        Lookup::Candidates(c) => {
            assert_eq!(c[0].code, "0600000", "{c:?}");
            assert!(c.len() <= 10);
            assert!(c.iter().any(|c| c.code == "0600041"), "{c:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn high_rise_buildings() {
    assert_eq!(exact("東京都新宿区西新宿2丁目4-1"), "1600023");
    assert_eq!(exact("東京都新宿区西新宿2-4-1 新宿センタービル"), "1630690");
    assert_eq!(
        codes("東京都新宿区西新宿２－４－１　新宿センタービル　１２階"),
        ["1630612", "1630690"]
    );
}

#[test]
fn nonsense_is_not_found() {
    assert_eq!(idx().lookup("ここはどこでもない場所"), Lookup::NotFound);
    assert_eq!(idx().lookup(""), Lookup::NotFound);
    assert_eq!(idx().lookup("1-2-3"), Lookup::NotFound);
}

const CSV: &str = "記号,番号,枝番,郵便番号,住所,氏名\r\n\
                   1234,56789,00,060-0042,北海道札幌市中央区大通西3丁目,\r\n\
                   ＡＢ,１２３,,〒１００－０００１,東京都千代田区千代田1-1,法定代理人　髙橋一郎\r\n";

fn check(list: &MailingList) {
    assert_eq!(list.len(), 2);
    let a = list.get("1234", "56789", "00").unwrap();
    assert_eq!(a.postal_code, "0600042");
    assert_eq!(a.addressee, None);
    let b = list.get("AB", "123", "").unwrap();
    assert_eq!(b.postal_code, "1000001");
    assert_eq!(b.address, "東京都千代田区千代田1-1");
    assert_eq!(b.addressee.as_deref(), Some("法定代理人　髙橋一郎"));
    assert_eq!(b.line, 3);
}

#[test]
fn mailing_list_in_utf8_with_bom() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(CSV.as_bytes());
    let list = MailingList::parse(&bytes).unwrap();
    assert_eq!(list.encoding(), FileEncoding::Utf8Bom);
    check(&list);
}

#[test]
fn mailing_list_in_cp932() {
    let bytes = encode_cp932(CSV).unwrap();
    let list = MailingList::parse(&bytes).unwrap();
    assert_eq!(list.encoding(), FileEncoding::Cp932);
    check(&list);
}

#[test]
fn mailing_list_errors_in_cp932_name_line_and_column() {
    let text =
        "記号,番号,枝番,郵便番号,送付先住所\r\n1,1,,1234567,東京都\r\n1,2,,12-34567,東京都\r\n";
    let err = MailingList::parse(&encode_cp932(text).unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "3行目 郵便番号: 7桁の数字（例 123-4567）を入れてください"
    );
    let text = "記号,番号,枝番,郵便番号,送付先住所\r\n1,1,,1234567,東京都\r\n1,2,,1234567,\r\n";
    let err = MailingList::parse(&encode_cp932(text).unwrap()).unwrap_err();
    assert_eq!(err.to_string(), "3行目 住所: 送付先の住所を入れてください");
    let text = "記号,番号,枝番,郵便番号,住所\n1,1,,1234567,a\n2,1,,1234567,b\n１,１,,1234567,c\n";
    let err = MailingList::parse(text.as_bytes()).unwrap_err();
    assert_eq!(
        err,
        MailingError::Duplicate {
            first: 2,
            second: 4
        }
    );
    assert_eq!(
        err.to_string(),
        "4行目: 記号・番号・枝番が2行目と同じです（1人につき1行にしてください）"
    );
    // Bytes that are not CP932 (nor UTF-8).
    let mut bytes = encode_cp932("記号,番号,郵便番号,住所\n1,1,1234567,").unwrap();
    bytes.extend_from_slice(b"\x81\x20\n");
    let err = MailingList::parse(&bytes).unwrap_err();
    assert!(
        err.to_string().starts_with("2行目 住所: 文字コード"),
        "{err}"
    );
}

#[test]
fn kyoto_street_before_the_town() {
    // 京都市中京区 上本能寺前町: the street and its direction come first.
    let c = codes("京都府京都市中京区寺町通御池上る上本能寺前町488");
    assert!(c.contains(&"6040000".to_string()), "{c:?}");
    assert!(c.contains(&"6040925".to_string()), "{c:?}");
}

#[test]
fn ward_without_its_city() {
    // 中央区 alone: the town 大通東 is only in Sapporo's.
    assert_eq!(exact("中央区大通東3丁目"), "0600041");
    // 中央区銀座: Tokyo's.
    assert_eq!(exact("中央区銀座4-5-6"), "1040061");
}
