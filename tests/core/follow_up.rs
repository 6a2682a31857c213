//! What follows the decisions, against a real store: letters printed, replies (with the
//! last-4-digit check) and employer answers, the count report checked item by item against a
//! hand count, and the release request written as CSV (UTF-8 and CP932), XLSX and a cover
//! sheet, each read back with a real reader.

use crate::common;

use std::path::Path;

use common::*;
use totsugo_core::auth::Role;
use totsugo_core::record::Date;
use totsugo_core::review::{Choice, Decision, FollowUp, LetterType};
use totsugo_core::session::Session;
use totsugo_core::session::SessionError;

fn kana_row(n: u64) -> Row {
    Row::matching(n)
        .set("加入者情報_カナ氏名", "ﾔﾏﾀﾞ ﾀﾛｳ")
        .set("判定結果_カナ氏名", "×")
        .set("加入者情報_住所", "東京都港区赤坂1-11-2")
        .set("判定結果_住所", "×")
        .set("総合判定", "×")
        .set("閲覧停止区分", "2")
}

/// Fifteen mismatches (突合基準日 2023-09-15): r0–r3, r9–r11, r13, r14 kana and address (②),
/// r4–r7 birth date (①), r8 lost after the match date (2023-10-31), r12 lost before it
/// (2023-03-31: out of scope).
pub(crate) fn setup(dir: &Path) -> Vec<i64> {
    let mut rows = Vec::new();
    for n in 0..15u64 {
        rows.push(match n {
            4..=7 => Row::birth_mismatch(n),
            8 => kana_row(n).set("資格喪失年月日", "20231031"),
            12 => kana_row(n).set("資格喪失年月日", "20230331"),
            _ => kana_row(n),
        });
    }
    let path = write_cp932(dir, "m.csv", &csv_text(&default_headers(), &rows));
    let store = dir.join("store");
    let mut admin = open(&store);
    let report = import(&mut admin, &path).unwrap();
    set_letterhead(&admin);
    add_person(&store, "clerk1", "担当 花子", Role::Clerk, false);
    add_person(&store, "boss", "責任 一郎", Role::Supervisor, false);
    admin.store().record_ids(report.import_id).unwrap()
}

pub(crate) fn login(dir: &Path, who: &str) -> Session {
    Session::login(&dir.join("store"), who, PERSON_PW).unwrap()
}

fn letter(t: LetterType) -> Choice {
    Choice::letter(t)
}

#[test]
fn the_count_report_adds_up_as_counted_by_hand_and_the_release_request_is_written() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    let d = |i: usize, c: Choice| clerk.decide(r[i], c, "テストの判断", true).unwrap();
    d(0, Choice::new(Decision::SameByVisualCheck));
    d(1, Choice::new(Decision::SameByDocuments));
    d(2, Choice::new(Decision::ConfirmedEarlier));
    // 2-1 「現時点では資格を喪失していることから、確認の対象外」: qualified at the match date,
    // lost since; the decision carries the loss date (the file's, offered to the clerk).
    let lost_since = Date::parse("20231031").unwrap().unwrap();
    assert_eq!(
        totsugo_core::review::suggested_loss_date(
            &clerk.open_record(r[8]).unwrap().unwrap().reviewed.record
        ),
        Some(lost_since)
    );
    assert!(matches!(
        clerk.decide(r[8], Choice::new(Decision::OutOfScopeLost), "", false),
        Err(SessionError::LossDate(_))
    ));
    let before = Date::parse("20230901").unwrap().unwrap();
    assert!(matches!(
        clerk.decide(r[8], Choice::lost(before), "", false),
        Err(SessionError::LossDate(_))
    ));
    d(8, Choice::lost(lost_since));
    // 「資格喪失者については…今般の点検対象には含まれません」: lost on or before the match date,
    // the row is not checked and counts in no item (not even item 1).
    assert!(matches!(
        clerk.decide(r[12], Choice::new(Decision::SameByVisualCheck), "", false),
        Err(SessionError::OutOfScope(_))
    ));
    // 「別途J-LIS照会を行い変更履歴等が確認できた場合」: same person, item 2-3.
    d(14, Choice::new(Decision::SameByJlisInquiry));
    d(3, Choice::new(Decision::AskEmployer));
    d(9, Choice::new(Decision::AskEmployer));
    // Asked, never answered: 照会中, in no item.
    d(13, Choice::new(Decision::AskEmployer));
    d(4, letter(LetterType::A));
    d(5, letter(LetterType::A));
    d(6, Choice::new(Decision::WrongNumber));
    d(7, letter(LetterType::A));
    d(10, letter(LetterType::B));
    d(11, letter(LetterType::B));

    // A reply before the letter is printed is refused; so is the wrong letter type.
    assert!(matches!(
        clerk.record_follow_up(r[4], FollowUp::NumberCorrect, None, "", false),
        Err(SessionError::NoLetterSent(_))
    ));
    assert!(matches!(
        clerk.record_letters_printed(&[(r[4], LetterType::B)], "2023-12-20", false),
        Err(SessionError::NoLetterDecided(_))
    ));
    // Letters printed for r4, r5 (A) and r10, r11 (B); r7 is decided but not printed.
    clerk
        .record_letters_printed(
            &[
                (r[4], LetterType::A),
                (r[5], LetterType::A),
                (r[10], LetterType::B),
                (r[11], LetterType::B),
            ],
            "2023-12-20",
            false,
        )
        .unwrap();
    // Employer answers.
    clerk
        .record_follow_up(r[3], FollowUp::NumberCorrect, None, "事業主回答", false)
        .unwrap();
    clerk
        .record_follow_up(r[9], FollowUp::NumberWrong, None, "事業主回答", false)
        .unwrap();
    assert!(matches!(
        clerk.record_follow_up(r[3], FollowUp::NoReply, None, "", false),
        Err(SessionError::FollowUpDoesNotFit(_))
    ));
    // Replies: A correct; B with the last 4 digits, right and wrong.
    clerk
        .record_follow_up(
            r[4],
            FollowUp::NumberCorrect,
            None,
            "個人番号カードの写し",
            false,
        )
        .unwrap();
    let last4 = |n: u64| my_number(n)[8..].to_string();
    assert!(clerk.check_last_four(r[10], &last4(10)).unwrap());
    assert!(!clerk.check_last_four(r[10], &last4(11)).unwrap());
    assert!(matches!(
        clerk.check_last_four(r[10], "12a4"),
        Err(SessionError::Digits)
    ));
    // Full-width digits as typed through the input method are fine.
    let wide: String = last4(10)
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
        .collect();
    clerk
        .record_follow_up(r[10], FollowUp::NumberCorrect, Some(&wide), "", false)
        .unwrap();
    // Calling the number right while the digits do not match needs confirmation and a memo.
    assert!(matches!(
        clerk.record_follow_up(r[11], FollowUp::NumberCorrect, Some(&last4(3)), "", false),
        Err(SessionError::NeedsConfirmation(_))
    ));
    clerk
        .record_follow_up(r[11], FollowUp::NumberWrong, Some(&last4(3)), "", false)
        .unwrap();
    // The digits are never in the trail, only match / no match.
    let trail: Vec<String> = boss
        .store()
        .audit_entries(None, None)
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert!(trail.iter().any(|t| t.contains("下4桁の照合: 一致")));
    assert!(trail.iter().any(|t| t.contains("下4桁の照合: 不一致")));
    assert!(
        !trail
            .iter()
            .any(|t| t.contains(&last4(10)) || t.contains(&last4(3)))
    );
    // After the deadline, the unanswered letter (r5) becomes "no reply" in one go.
    assert_eq!(clerk.mark_no_replies("2023-12-19").unwrap(), 0, "not yet");
    assert_eq!(clerk.mark_no_replies("2023-12-21").unwrap(), 1);

    // Hand count, every current decision. Item 1: the 14 mismatches qualified at the match
    // date (「突合時点で加入資格」), not r12. Item 2: r0, r1, r14 (2-3), r2 (2-2), r8 (2-1), r6
    // (2-4). Item 3: the two answered employer requests (r3 right, r9 wrong); r13 waits.
    let want = [
        ("1", 14),
        ("2", 6),
        ("2-1", 1),
        ("2-2", 1),
        ("2-3", 3),
        ("2-4", 1),
        ("3", 2),
        ("3-1", 1),
        ("3-2", 1),
        ("4", 4),
        ("4-1", 2),
        ("4-2", 2),
        ("4-3", 1),
        ("4-4", 0),
        ("4-5", 1),
        ("4-6", 1),
        ("4-7", 1),
        ("4-8", 0),
        ("5", 3),
    ];
    let all = boss.count_report(false).unwrap();
    for (k, n) in want {
        assert_eq!(all.get(k), n, "item {k} (all decisions)");
    }
    assert_eq!(all.pending_employer, 1, "r13: 照会中");
    assert_eq!(all.out_of_scope, 1, "r12: lost before the match date");
    // Approved only: nothing approved yet but item 1.
    let approved = boss.count_report(true).unwrap();
    assert_eq!(approved.get("1"), 14);
    assert_eq!(approved.get("2") + approved.get("3") + approved.get("4"), 0);
    let batches = boss
        .pending_batches(totsugo_core::review::BatchGrouping::Clerk)
        .unwrap();
    boss.approve(&batches[0].record_ids).unwrap();
    let approved = boss.count_report(true).unwrap();
    for (k, n) in want {
        assert_eq!(approved.get(k), n, "item {k} (approved)");
    }

    // The count report, exported as CSV and PDF.
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    boss.write_count_report(true, "テスト健康保険組合", &out.join("件数.csv"))
        .unwrap();
    let report_csv = std::fs::read(out.join("件数.csv")).unwrap();
    let mut rd = csv::Reader::from_reader(&report_csv[3..]); // after the BOM
    let lines: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(lines.len(), 19);
    for (row, (k, n)) in lines.iter().zip(want) {
        assert_eq!(&row[0], k);
        assert_eq!(row[2].parse::<u64>().unwrap(), n, "item {k} in the CSV");
    }
    boss.write_count_report(true, "テスト健康保険組合", &out.join("件数.pdf"))
        .unwrap();
    let text = pdftotext(&out.join("件数.pdf"));
    assert!(text.contains("確認結果（件数）の報告"), "{text}");
    assert!(text.contains("2-3."), "{text}");

    // Release: approved, stopped, confirmed: r0, r1, r2, r14 (decisions), r3 (employer), r4 (A
    // reply), r10 (B reply); ① first.
    assert!(matches!(
        clerk.make_release_request(&[r[0]]),
        Err(SessionError::Forbidden(_))
    ));
    // The replies and the employer's answer wait for a supervisor's approval first (issue 16
    // §5): until then r3, r4 and r10 are no candidates.
    let before: Vec<i64> = boss
        .release_candidates()
        .unwrap()
        .iter()
        .map(|x| x.record_id)
        .collect();
    assert!(!before.iter().any(|id| [r[3], r[4], r[10]].contains(id)));
    let outcomes = boss.outcomes_to_approve().unwrap();
    assert_eq!(outcomes.len(), 3);
    boss.approve_outcomes(&outcomes).unwrap();
    let ready = boss.release_candidates().unwrap();
    let ids: Vec<i64> = ready.iter().map(|x| x.record_id).collect();
    assert_eq!(ids[0], r[4], "① first");
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, vec![r[0], r[1], r[2], r[3], r[4], r[10], r[14]]);
    // Not a candidate (wrong number): refused, nothing changes.
    assert!(matches!(
        boss.make_release_request(&[r[0], r[6]]),
        Err(SessionError::NotReleasable)
    ));
    let req = boss.make_release_request(&ids).unwrap();
    assert!(boss.release_candidates().unwrap().is_empty());
    assert!(
        matches!(
            boss.make_release_request(&ids[..1]),
            Err(SessionError::NotReleasable)
        ),
        "a record goes in one request only"
    );
    assert_eq!(boss.release_requests().unwrap()[0].records, 7);

    let (files, note) = boss
        .write_release_request(req, "テスト健康保険組合", &out)
        .unwrap();
    assert!(note.is_none(), "{note:?}");
    assert_eq!(files.len(), 4);
    // UTF-8 CSV: the operator finds each person; no My Number unless the format asks.
    let utf8 = files
        .iter()
        .find(|p| p.to_string_lossy().ends_with("_utf8.csv"))
        .unwrap();
    let bytes = std::fs::read(utf8).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut rd = csv::Reader::from_reader(&bytes[3..]);
    let header = rd.headers().unwrap().clone();
    assert_eq!(&header[4], "被保険者証等番号");
    assert!(!header.iter().any(|h| h == "個人番号"));
    let lines: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(lines.len(), 7);
    // 閲覧停止区分 as the operator applied it (the file's code), the case beside it.
    assert_eq!(&lines[0][1], "1");
    assert_eq!(&lines[0][8], "①");
    assert_eq!(&lines[0][4], &format!("{:08}", 1004));
    let text = String::from_utf8_lossy(&bytes).into_owned();
    for n in 0..12 {
        assert!(!text.contains(&my_number(n)), "no My Number in the list");
    }
    // CP932 CSV decodes to the same rows.
    let sjis = files
        .iter()
        .find(|p| p.to_string_lossy().ends_with("_sjis.csv"))
        .unwrap();
    let sjis_bytes = std::fs::read(sjis).unwrap();
    let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis_bytes);
    assert!(!bad);
    assert_eq!(
        decoded.replace('\u{feff}', ""),
        text.replace('\u{feff}', "")
    );
    // XLSX, read back with calamine: 保険者番号, card numbers and 枝番 stay text with their
    // zeros (a spreadsheet would read the CSV's 00 as 0).
    use calamine::{Reader, open_workbook_auto};
    let xlsx = files
        .iter()
        .find(|p| p.extension().unwrap() == "xlsx")
        .unwrap();
    let mut book = open_workbook_auto(xlsx).unwrap();
    let range = book.worksheet_range("解除依頼").unwrap();
    assert_eq!(range.height(), 8);
    assert_eq!(
        range.get((1, 4)).unwrap().to_string(),
        format!("{:08}", 1004)
    );
    assert!(matches!(range.get((1, 4)), Some(calamine::Data::String(_))));
    assert_eq!(range.get((1, 5)).unwrap().to_string(), "00");
    assert_eq!(range.get((1, 2)).unwrap().to_string(), insurer_number());
    // And through a real spreadsheet application, as a clerk opens it to check the file
    // (LibreOffice Calc, headless): the zeros are still there.
    let calc = spreadsheet_as_csv(xlsx);
    let first: Vec<&str> = calc.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(first[2], insurer_number(), "{calc}");
    assert_eq!(first[4], format!("{:08}", 1004), "{calc}");
    assert_eq!(first[5], "00", "{calc}");
    // Cover sheet: counts per case, who prepared and approved.
    let pdf = files
        .iter()
        .find(|p| p.extension().unwrap() == "pdf")
        .unwrap();
    let text = pdftotext(pdf);
    assert!(text.contains("情報閲覧停止の解除依頼"), "{text}");
    assert!(text.contains("7 件"), "{text}");
    // issue 13 §8: a time as people read it (not 「+00:00」), the one who made the request and
    // the ones who approved the decisions named apart, and the sign-off left to a person.
    assert!(
        !text.contains("+00:00") && !text.contains("+09:00"),
        "{text}"
    );
    assert!(text.contains("判断を承認した責任者"), "{text}");
    assert!(text.contains("送付の決裁"), "{text}");
    // Which file is for sending and which for a person to look at.
    assert!(text.contains("保存し直さないでください"), "{text}");
    assert!(
        files
            .iter()
            .any(|p| p.to_string_lossy().ends_with("_送付用_sjis.csv"))
    );
    assert!(
        files
            .iter()
            .any(|p| p.to_string_lossy().ends_with("_確認用.xlsx"))
    );
    assert!(text.contains("責任 一郎"), "{text}");
    // Each file is in the trail and remembered for a purge.
    let exports = boss
        .store()
        .audit_entries(None, None)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "export")
        .count();
    assert!(exports >= 7, "{exports}");
    assert!(boss.store().written_files().unwrap().len() >= 6);
}

#[test]
fn the_release_list_carries_the_my_number_only_when_the_format_asks() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    clerk
        .decide(r[0], Choice::new(Decision::SameByVisualCheck), "", false)
        .unwrap();
    boss.approve(&[r[0]]).unwrap();
    let admin = open(&dir.path().join("store"));
    admin
        .set_release_format(&totsugo_core::release::RequestFormat {
            with_my_number: true,
        })
        .unwrap();
    let req = boss.make_release_request(&[r[0]]).unwrap();
    // Full numbers in the list: only a supervisor with 個人番号閲覧権限 writes it (issue 16
    // §4; the refusal is tested in rights.rs).
    add_person(
        &dir.path().join("store"),
        "boss_mn",
        "責任 番号",
        Role::Supervisor,
        true,
    );
    let boss = login(dir.path(), "boss_mn");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let (files, _) = boss.write_release_request(req, "テスト", &out).unwrap();
    let utf8 = files
        .iter()
        .find(|p| p.to_string_lossy().ends_with("_utf8.csv"))
        .unwrap();
    let text = String::from_utf8(std::fs::read(utf8).unwrap()).unwrap();
    assert!(text.contains("個人番号"));
    assert!(text.contains(&my_number(0)));
}

/// A store with a letter A decided for r4 and a letter B for r10, and the clerk who decided.
fn letters_decided(dir: &Path) -> (Vec<i64>, Session) {
    let r = setup(dir);
    let clerk = login(dir, "clerk1");
    clerk
        .decide(r[4], letter(LetterType::A), "", false)
        .unwrap();
    clerk
        .decide(r[10], letter(LetterType::B), "", false)
        .unwrap();
    (r, clerk)
}

#[test]
fn letters_are_printed_in_one_pdf_with_postal_codes_and_noted_as_sent() {
    let dir = tempdir();
    let (r, clerk) = letters_decided(dir.path());
    // r0 has no letter decided: refused, nothing printed.
    let out = dir.path().join("通知文.pdf");
    let issued = totsugo_core::record::Date::from_ymd(2023, 12, 1).unwrap();
    assert!(matches!(
        clerk.print_letters(&[r[4], r[0]], None, issued, &out, false),
        Err(SessionError::NoLetterDecided(_))
    ));
    assert!(!out.exists());
    // The insurer's mailing list gives r10 another address; r4's code comes from the town list.
    let list = totsugo_core::postal::MailingList::parse(
        "記号,番号,枝番,郵便番号,住所\r\n123,00001010,00,060-0001,北海道札幌市中央区北一条西二丁目1番地\r\n"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        clerk
            .print_letters(&[r[4], r[10]], Some(&list), issued, &out, false)
            .unwrap(),
        2
    );
    let text = pdftotext(&out);
    assert!(
        text.contains("107-0052"),
        "town-list code for 港区赤坂: {text}"
    );
    assert!(text.contains("060-0001"), "the mailing list's code");
    assert!(
        text.contains("札幌市中央区北一条西"),
        "the mailing list's address"
    );
    assert!(text.contains("00001004") && text.contains("00001010"));
    // Noted as sent with the deadline (14 days after issue by default); replies can follow.
    let letters = clerk.store().letters_of(r[4]).unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].deadline, "2023-12-15");
    clerk
        .record_follow_up(r[4], FollowUp::NumberCorrect, None, "", false)
        .unwrap();
    assert_eq!(clerk.count_report(false).unwrap().get("4"), 2);
}

#[test]
fn printing_letters_reports_progress_and_a_stopped_batch_writes_nothing() {
    let dir = tempdir();
    let (r, clerk) = letters_decided(dir.path());
    let out = dir.path().join("通知文.pdf");
    let issued = totsugo_core::record::Date::from_ymd(2023, 12, 1).unwrap();
    // Stopped: no PDF, nothing noted as sent, both letters still waiting.
    let stop = std::sync::atomic::AtomicBool::new(true);
    assert!(matches!(
        clerk.print_letters_tracked(
            &[r[4], r[10]],
            None,
            issued,
            &out,
            false,
            &mut |_, _| {},
            &stop
        ),
        Err(SessionError::Cancelled)
    ));
    assert!(!out.exists());
    assert!(clerk.store().letters_of(r[4]).unwrap().is_empty());
    assert_eq!(clerk.letters_to_print().unwrap().len(), 2);
    // Not stopped: the steps climb to the total (a letter each, the PDF, the file).
    let mut seen = Vec::new();
    let go = std::sync::atomic::AtomicBool::new(false);
    let n = clerk
        .print_letters_tracked(
            &[r[4], r[10]],
            None,
            issued,
            &out,
            false,
            &mut |done, total| seen.push((done, total)),
            &go,
        )
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(seen, vec![(1, 4), (2, 4), (3, 4), (4, 4)]);
    assert!(out.exists());
    assert!(clerk.letters_to_print().unwrap().is_empty());
}

#[test]
fn a_wrong_number_gets_its_three_form_drafts_and_the_similar_case_list() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    clerk
        .decide(r[6], Choice::new(Decision::WrongNumber), "", false)
        .unwrap();
    clerk
        .decide(r[0], Choice::new(Decision::SameByVisualCheck), "", false)
        .unwrap();
    let out = dir.path().join("forms");
    std::fs::create_dir_all(&out).unwrap();
    assert!(matches!(
        clerk.write_wrong_number_forms(r[0], &out),
        Err(SessionError::NotWrongNumber(_))
    ));
    let files = clerk.write_wrong_number_forms(r[6], &out).unwrap();
    assert_eq!(files.len(), 4);
    let find = |s: &str| file_named(&files, s);
    // 別添3: the insurer's side of the person (birth date 1945-12-03), never the registry's.
    let contact = pdftotext(&find("連絡票_別添3"));
    assert!(contact.contains("誤登録を検知した事案の"), "{contact}");
    assert!(contact.contains("00001006"), "the card");
    assert!(contact.contains("昭和20年12月3日"), "{contact}");
    assert!(
        !contact.contains("昭和20年12月1日"),
        "never the registry side"
    );
    assert!(!contact.contains(&my_number(6)), "never the number");
    assert!(contact.contains("実施機関 御中"), "{contact}");
    let report = pdftotext(&find("報告様式_別添5"));
    assert!(report.contains("⑧"), "{report}");
    assert!(report.contains("候補 3 件"), "{report}");
    // Nothing is ticked from totsugo's heuristics: the clerk ticks.
    assert!(!report.contains('■'), "{report}");
    assert!(!pdftotext(&find("事実関係確認票_別添4")).contains('■'));
    // Seed 000, 「健保組合：地方厚生（支）局→国（厚生労働省保険局保険課）」.
    assert!(
        report.contains("報告先: 地方厚生（支）局 → 厚生労働省保険局保険課"),
        "{report}"
    );
    // 「第三者による当該情報の閲覧が確認されなかった場合…報告様式を用いた報告は不要」.
    assert!(report.contains("報告は不要"), "{report}");
    assert!(pdftotext(&find("事実関係確認票_別添4")).contains("確認事項"));
    // The similar cases: the other rows at the same address (r4, r5, r7), by card only.
    let list = std::fs::read(find("類似事案の点検")).unwrap();
    let mut rd = csv::Reader::from_reader(&list[3..]);
    let cards: Vec<String> = rd.records().map(|x| x.unwrap()[1].to_string()).collect();
    assert_eq!(cards, vec!["00001004", "00001005", "00001007"]);
    assert!(
        !String::from_utf8_lossy(&list).contains("山田"),
        "no names in the list"
    );
}

#[test]
fn characters_a_letter_cannot_print_are_reported_before_printing() {
    let dir = tempdir();
    let rows = vec![
        Row::birth_mismatch(1).set("加入者情報_漢字氏名", "𠮷田　太郎"),
        Row::birth_mismatch(2),
    ];
    let path = write_bytes(
        dir.path(),
        "u.csv",
        csv_text(&default_headers(), &rows).as_bytes(),
    );
    let store = dir.path().join("store");
    let mut admin = open(&store);
    let report = import(&mut admin, &path).unwrap();
    let ids = admin.store().record_ids(report.import_id).unwrap();
    add_person(&store, "clerk1", "担当 花子", Role::Clerk, false);
    let clerk = login(dir.path(), "clerk1");
    for id in &ids {
        clerk.decide(*id, letter(LetterType::A), "", false).unwrap();
    }
    let bad = clerk.letters_unprintable(&ids).unwrap();
    assert_eq!(bad, vec![(ids[0], vec!['𠮷'])]);
    let out = dir.path().join("l.pdf");
    let issued = totsugo_core::record::Date::from_ymd(2023, 12, 1).unwrap();
    // No letter goes out under the sample letterhead (〇〇健康保険組合).
    let err = clerk
        .print_letters(&ids[1..], None, issued, &out, false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("保険者名") && err.contains("所在地"), "{err}");
    assert!(!out.exists());
    set_letterhead(&admin);
    // Printing both is refused (nothing written, nothing noted); the other alone prints.
    let err = clerk
        .print_letters(&ids, None, issued, &out, false)
        .unwrap_err();
    assert!(
        err.to_string().contains("00001001"),
        "names the card: {err}"
    );
    assert!(!out.exists());
    assert!(clerk.store().letters_of(ids[0]).unwrap().is_empty());
    assert_eq!(
        clerk
            .print_letters(&ids[1..], None, issued, &out, false)
            .unwrap(),
        1
    );
}

#[test]
fn the_release_follows_the_stop_the_operator_applied_not_our_recomputation() {
    // match-file spec / seed 002: the file's 閲覧停止区分 is what the operator applied
    // (「不一致事例については…閲覧が停止されています」); our recomputation stays a warning.
    let dir = tempdir();
    let rows = vec![
        // Only the kana differs: the case table stops nothing, but the file says 2 (医療情報).
        Row::matching(0)
            .set("加入者情報_カナ氏名", "ﾔﾏﾀﾞ ﾀﾛｳ")
            .set("判定結果_カナ氏名", "×")
            .set("総合判定", "×")
            .set("閲覧停止区分", "2"),
        // Birth date differs (① by the table), but the file says 0: no stop was applied.
        Row::birth_mismatch(1).set("閲覧停止区分", "0"),
        // Agreeing: ① in both.
        Row::birth_mismatch(2),
    ];
    let path = write_cp932(dir.path(), "m.csv", &csv_text(&default_headers(), &rows));
    let store = dir.path().join("store");
    let mut admin = open(&store);
    let report = import(&mut admin, &path).unwrap();
    add_person(&store, "clerk1", "担当 花子", Role::Clerk, false);
    add_person(&store, "boss", "責任 一郎", Role::Supervisor, false);
    let r = admin.store().record_ids(report.import_id).unwrap();
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    for id in &r {
        clerk
            .decide(
                *id,
                Choice::new(Decision::SameByDocuments),
                "届出書で確認",
                true,
            )
            .unwrap();
    }
    boss.approve(&r).unwrap();
    let ready = boss.release_candidates().unwrap();
    let ids: Vec<i64> = ready.iter().map(|x| x.record_id).collect();
    assert_eq!(
        ids,
        vec![r[2], r[0]],
        "① first; the row the file did not stop is left out"
    );
    assert_eq!(ready[1].stop, totsugo_core::record::StopFlag::MedicalOnly);
    assert_eq!(boss.review_progress().unwrap().ready, [1, 1, 0]);
    // A row with no stop in the file never goes into a request.
    assert!(matches!(
        boss.make_release_request(&[r[1]]),
        Err(SessionError::NotReleasable)
    ));
    boss.make_release_request(&[r[0], r[2]]).unwrap();
}

#[test]
fn a_municipal_kokuho_notifies_through_the_digital_pmo_and_has_no_employer_route() {
    use totsugo_core::insurer::InsurerKind;
    let dir = tempdir();
    let r = setup(dir.path());
    let admin = open(&dir.path().join("store"));
    admin
        .set_insurer_kind(InsurerKind::ShichosonKokuho)
        .unwrap();
    let clerk = login(dir.path(), "clerk1");
    // Item 3 exists for employee insurance only.
    assert!(matches!(
        clerk.decide(r[0], Choice::new(Decision::AskEmployer), "", false),
        Err(SessionError::NoEmployer)
    ));
    assert!(!clerk.decisions().contains(&Decision::AskEmployer));
    clerk
        .decide(r[6], Choice::new(Decision::WrongNumber), "", false)
        .unwrap();
    let out = dir.path().join("forms");
    std::fs::create_dir_all(&out).unwrap();
    let files = clerk.write_wrong_number_forms(r[6], &out).unwrap();
    let find = |s: &str| file_named(&files, s);
    // Seed 000: 「市町村国保は…デジタル PMO を通して…連絡ください。この際…個人情報を記載しない
    // ようご注意ください」「市町村国保は連絡票を提出する必要はありません」.
    assert!(
        !files
            .iter()
            .any(|p| p.to_string_lossy().contains("連絡票_別添3"))
    );
    let notice = pdftotext(&find("デジタルPMO連絡文"));
    assert!(notice.contains("デジタルPMO"), "{notice}");
    assert!(notice.contains("自ら検知"), "{notice}");
    for personal in ["00001006", "山田", "昭和20年", &my_number(6)] {
        assert!(
            !notice.contains(personal),
            "personal data {personal:?} in {notice}"
        );
    }
    // 「市町村国保：都道府県→地方厚生（支）局→国（厚生労働省保険局国民健康保険課）」 and
    // 「※市町村国保、広域連合は、各条例に基づき公表する。」
    let report = pdftotext(&find("報告様式_別添5"));
    assert!(
        report.contains("都道府県 → 地方厚生（支）局 → 厚生労働省保険局国民健康保険課"),
        "{report}"
    );
    assert!(report.contains("各条例に基づき公表"), "{report}");
    // 広域連合 report to the ministry and, at the same time, the prefecture and the bureau.
    admin.set_insurer_kind(InsurerKind::KoikiRengo).unwrap();
    let files = clerk.write_wrong_number_forms(r[6], &out).unwrap();
    let report = pdftotext(
        files
            .iter()
            .find(|p| p.to_string_lossy().contains("報告様式_別添5"))
            .unwrap(),
    );
    assert!(
        report.contains("厚生労働省保険局高齢者医療課（同時に都道府県、地方厚生（支）局にも報告）"),
        "{report}"
    );
    assert!(
        files
            .iter()
            .any(|p| p.to_string_lossy().contains("連絡票_別添3"))
    );
}

#[test]
fn a_row_with_no_registry_record_gets_letter_a_and_counts_in_4_1() {
    // Seed 002: 4-1 「マイナンバーの提出を求めたもの（生年月日・性別に不一致があったもの）」,
    // 4-2 「個人番号の下4桁等の確認を求めたもの（氏名等に不一致があったもの）」: a row the
    // registry has no record for fits neither; totsugo asks for the number itself (A, 4-1).
    let dir = tempdir();
    let row = Row::no_registry_record(0);
    let path = write_cp932(dir.path(), "m.csv", &csv_text(&default_headers(), &[row]));
    let store = dir.path().join("store");
    let mut admin = open(&store);
    let report = import(&mut admin, &path).unwrap();
    set_letterhead(&admin);
    add_person(&store, "clerk1", "担当 花子", Role::Clerk, false);
    let id = admin.store().record_ids(report.import_id).unwrap()[0];
    let clerk = login(dir.path(), "clerk1");
    let d = clerk.open_record(id).unwrap().unwrap();
    let e = &d.reviewed.explained.explanation;
    assert_eq!(totsugo_core::review::suggested_letter(e), LetterType::A);
    let why = totsugo_core::review::letter_reason_ja(&d.reviewed.record, e);
    assert!(
        why.contains("住基に記録がない") && why.contains("設問4-1"),
        "{why}"
    );
    // Letter A needs no confirmation; letter B goes against the suggestion.
    assert!(matches!(
        clerk.decide(id, Choice::letter(LetterType::B), "", false),
        Err(SessionError::NeedsConfirmation(_))
    ));
    clerk
        .decide(id, Choice::letter(LetterType::A), "", false)
        .unwrap();
    clerk
        .record_letters_printed(&[(id, LetterType::A)], "2099-01-31", false)
        .unwrap();
    let r = clerk.count_report(false).unwrap();
    assert_eq!((r.get("4"), r.get("4-1"), r.get("4-2")), (1, 1, 0));
}

/// The first sheet of a spreadsheet file as LibreOffice Calc reads it, saved as UTF-8 CSV
/// (`soffice --headless --convert-to csv`): what a clerk sees on opening the file.
fn spreadsheet_as_csv(file: &Path) -> String {
    let out = tempdir();
    let profile = tempdir();
    let status = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
        ])
        .arg("--outdir")
        .arg(out.path())
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run soffice ({e}): install libreoffice-calc-nogui (tests/run.sh does)")
        });
    assert!(
        status.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let csv = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "csv"))
        .expect("soffice wrote a CSV");
    std::fs::read_to_string(csv).unwrap()
}
