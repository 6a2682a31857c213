//! When a registered number turns out wrong: the steps of seed 000 in their order for every way
//! it was found, and the operator's forms field by field against the seed's text.

use std::path::Path;

use crate::common::*;
use crate::follow_up::{login, setup};
use totsugo_core::record::Date;
use totsugo_core::review::{Choice, Decision, FollowUp, LetterType};
use totsugo_core::session::SessionError;
use totsugo_core::wrong_number::steps::{Found, RightNumber, Step, Viewing};

/// The text of a PDF in the order it was drawn (`pdftotext -raw`), without spaces: each table
/// cell's lines follow each other, so a label or a value wrapped over several lines of its
/// cell reads as one string.
fn columns_text(file: &Path) -> String {
    squeeze(&poppler("pdftotext", &["-raw"], file))
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn today() -> Date {
    Date::today().unwrap()
}

#[test]
fn every_wrong_number_gets_seed_000s_steps_in_their_order() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    // Found by the insurer (2-4), by the employer (3-2), by the person's reply (4-4).
    clerk
        .decide(r[6], Choice::new(Decision::WrongNumber), "", false)
        .unwrap();
    clerk
        .decide(r[3], Choice::new(Decision::AskEmployer), "", false)
        .unwrap();
    clerk
        .record_follow_up(r[3], FollowUp::NumberWrong, None, "事業主回答", false)
        .unwrap();
    clerk
        .decide(r[4], Choice::letter(LetterType::A), "", false)
        .unwrap();
    let out = dir.path().join("letters.pdf");
    clerk
        .print_letters(&[r[4]], None, today(), &out, false)
        .unwrap();
    clerk
        .record_follow_up(r[4], FollowUp::NumberWrong, None, "本人回答", false)
        .unwrap();
    clerk
        .decide(r[0], Choice::new(Decision::SameByVisualCheck), "", false)
        .unwrap();

    // seed 000 / workflow: a number is wrong whichever way it was found (2-4, 3-2, 4-4, 4-7).
    let opened = clerk.open_wrong_number_procedures().unwrap();
    let found: Vec<(i64, Found)> = opened
        .iter()
        .map(|o| (o.record_id, o.procedure.found))
        .collect();
    assert_eq!(
        found,
        vec![
            (r[3], Found::ByEmployer),
            (r[4], Found::ByPerson),
            (r[6], Found::ByInsurer)
        ]
    );
    assert!(clerk.wrong_number_procedure(r[0]).unwrap().is_none());
    assert!(
        opened
            .iter()
            .all(|o| o.procedure.ready() == vec![Step::Notified])
    );

    // seed 000: 「必ず別添3及び別添4の連絡票等を実施機関に提出してから異なっていた個人番号を
    // 削除すること」: the deletion is refused before the contact sheet.
    let e = clerk
        .record_wrong_number_step(r[6], Step::Deleted, None, today(), "")
        .unwrap_err();
    assert!(matches!(e, SessionError::Step(_)));
    assert!(e.to_string().contains("提出してから削除"), "{e}");
    let e = clerk
        .record_wrong_number_step(r[6], Step::RightNumber, Some(1), today(), "")
        .unwrap_err();
    assert!(e.to_string().contains("先に"), "{e}");
    for (step, value) in [
        (Step::Notified, None),
        (Step::Deleted, None),
        (Step::RightNumber, Some(RightNumber::Registered as i64)),
    ] {
        clerk
            .record_wrong_number_step(r[6], step, value, today(), "")
            .unwrap();
    }
    // Once the operator is told, what made the number wrong cannot change.
    assert!(matches!(
        clerk.decide(r[6], Choice::new(Decision::SameByVisualCheck), "", false),
        Err(SessionError::StepsRecorded(_))
    ));
    assert!(
        clerk.wrong_number_procedure(r[6]).unwrap().is_some(),
        "still wrong"
    );
    // Recorded once only.
    assert!(
        clerk
            .record_wrong_number_step(r[6], Step::Notified, None, today(), "")
            .is_err()
    );
    // 「第三者による当該情報の閲覧が確認されなかった場合…報告様式を用いた報告は不要」: with no
    // third-party viewing the procedure is complete after step 4.
    let p = clerk.wrong_number_procedure(r[6]).unwrap().unwrap();
    assert_eq!(p.open(), vec![Step::ViewingChecked]);
    clerk
        .record_wrong_number_step(
            r[6],
            Step::ViewingChecked,
            Some(Viewing::None as i64),
            today(),
            "",
        )
        .unwrap();
    assert!(
        clerk
            .wrong_number_procedure(r[6])
            .unwrap()
            .unwrap()
            .complete()
    );
    assert!(
        clerk
            .record_wrong_number_step(r[6], Step::Reported, None, today(), "")
            .is_err()
    );
    let still_open = clerk.open_wrong_number_procedures().unwrap();
    assert_eq!(still_open.len(), 2, "r6 is done");
    // Every step is in the audit trail with its record.
    let admin = open(&dir.path().join("store"));
    let trail: Vec<String> = admin
        .store()
        .audit_entries_for(&format!("record:{}", r[6]))
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect();
    for n in 1..=4 {
        assert!(
            trail
                .iter()
                .any(|d| d.starts_with(&format!("wrong_number_step={n}"))),
            "{trail:?}"
        );
    }

    // The employer's answer: the right number cannot be known (「手段を尽くしても本人と連絡を
    // 取れない等」) needs a memo; 要配慮個人情報 viewed: 「本人への通知及び個人情報保護委員会への
    // 報告が義務付けられている」.
    clerk
        .record_wrong_number_step(r[3], Step::Notified, None, today(), "")
        .unwrap();
    clerk
        .record_wrong_number_step(r[3], Step::Deleted, None, today(), "")
        .unwrap();
    assert!(
        clerk
            .record_wrong_number_step(
                r[3],
                Step::RightNumber,
                Some(RightNumber::NotKnowable as i64),
                today(),
                ""
            )
            .is_err()
    );
    clerk
        .record_wrong_number_step(
            r[3],
            Step::RightNumber,
            Some(RightNumber::NotKnowable as i64),
            today(),
            "資格喪失済み、住所に宛てた文書が返送",
        )
        .unwrap();
    clerk
        .record_wrong_number_step(
            r[3],
            Step::ViewingChecked,
            Some(Viewing::Sensitive as i64),
            today(),
            "",
        )
        .unwrap();
    // Nor can the employer's answer be turned into "number right".
    assert!(matches!(
        clerk.record_follow_up(r[3], FollowUp::NumberCorrect, None, "", false),
        Err(SessionError::StepsRecorded(_))
    ));
    let p = clerk.wrong_number_procedure(r[3]).unwrap().unwrap();
    assert_eq!(
        p.open(),
        vec![Step::Reported, Step::PersonNotified, Step::PpcReported]
    );
    // The forms of a number the employer found wrong: the trigger says so, and 別添5's
    // 「本件事案の経緯」 lists the steps recorded.
    let forms = dir.path().join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let files = clerk.write_wrong_number_forms(r[3], &forms).unwrap();
    let contact = squeeze(&pdftotext(&file_named(&files, "連絡票_別添3")));
    assert!(
        contact.contains("事業主に確認し、個人番号の誤りと判明"),
        "{contact}"
    );
    let report = columns_text(&file_named(&files, "報告様式_別添5"));
    for step in [
        "本件事案の経緯",
        "個人番号の誤りを検知（事業主の回答（3-2））",
        "連絡票（別添3）・確認票（別添4）を実施機関へ提出",
        "異なっていた個人番号を中間サーバーから削除",
        "正しい個人番号を把握できない（登録しない）",
        "要配慮個人情報の閲覧あり",
    ] {
        assert!(report.contains(step), "{step} in {report}");
    }
    // A number that is not wrong has no procedure and no forms.
    assert!(matches!(
        clerk.write_wrong_number_forms(r[0], &forms),
        Err(SessionError::NotWrongNumber(_))
    ));
}

#[test]
fn the_forms_carry_every_field_of_the_seeds_forms() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    clerk
        .decide(r[6], Choice::new(Decision::WrongNumber), "", false)
        .unwrap();
    let forms = dir.path().join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let files = clerk.write_wrong_number_forms(r[6], &forms).unwrap();

    // 別添3, as seed 000 prints it: 「実施機関 御中」, the header, the two blocks; 保険者コード is
    // the setting, not the 保険者番号 of the card.
    let contact = columns_text(&file_named(&files, "連絡票_別添3"));
    for field in [
        "実施機関御中",
        "保険者等名",
        "担当部署",
        "担当者",
        "連絡先(TEL",
        "(e-mail",
        "保険者等が自ら異なる個人番号の誤登録を検知した事案の連絡票",
        "「お知らせ機能」を通して実施機関に連絡すること",
        "事案を検知した契機",
        "検知日：",
        "□個人番号誤入力チェック",
        "その他（具体的な内容を以下に記載）",
        "本件事案に係る被保険者情報",
        "<保険者情報>",
        "保険者名：架空健康保険組合",
        "保険者コード：K99999",
        "<被保険者情報>",
        "記号・番号・枝番：",
        "氏名：",
        "生年月日：",
        "性別：",
        "注1",
        "注2",
    ] {
        assert!(contact.contains(field), "別添3 lacks {field}: {contact}");
    }

    // 別添4: every question of the seed's form with its own boxes, No. and 記入日; nothing
    // ticked (「確認票に沿って事実関係の確認を行っていただきますよう」: the clerk answers).
    let fact = columns_text(&file_named(&files, "事実関係確認票_別添4"));
    for field in [
        "医療保険者等向け中間サーバーへの異なる個人番号の登録事案に係る事実関係確認票",
        "No.",
        "【記入日】令和",
        "基礎情報（実施機関が入力）",
        "保険者名・保険者コード、保険者番号",
        "架空健康保険組合・K99999、06999999",
        "検知日",
        "検知した契機",
        "「資格情報」について",
        "「特定疾病療養受療証情報」について",
        "「医療情報」（薬剤情報・特定健診等情報・診療情報）について",
        "医療機関・薬局担当者の閲覧の有無",
        "他保険者等の閲覧の有無（レセプト振替等事務手続きの際に検知した場合等）",
        "上記以外の第三者による閲覧の有無",
        "「医療費通知情報」についてマイナポータルでの第三者による閲覧の有無",
        "ダウンロード等による情報の拡散等（おそれを含む）の有無",
        "確認事項（保険者等が記載）",
        "異なる個人番号の中間サーバー登録日",
        "異なる個人番号を登録した契機",
        "□資格取得届等における記載誤り",
        "□J-LIS照会(住基ネット照会)時の誤り",
        "□上記以外(具体的に記載して下さい)",
        "Q1提出された番号が正しいことを確認しましたか",
        "□J-LIS照会で氏名・性別・生年月日が一致していることを確認した",
        "□マイナンバーカードの写し等により確認した",
        "□その他の方法により確認した(具体的な方法を記載して下さい)",
        "□確認していない",
        "Q2確認している場合、結果的に異なる個人番号を登録した理由として考えられることがあれば記載して下さい。(任意)",
        "Q1どのような条件で照会を行いましたか",
        "Q2J-LIS照会(住基ネット照会)の結果、該当者は複数件でしたか、1件のみ該当でしたか",
        "Q3J-LIS照会等の結果、複数の該当者がいた場合",
        "Q4結果的に異なる個人番号を登録した理由として考えられることがあれば記載して下さい(任意)",
        "本人(閲覧された者)への対応状況",
        "閲覧者への対応状況",
        "□連絡済み（連絡中）",
        "□連絡予定（予定日:",
        "□連絡予定なし",
        "公表予定の有無",
        "Q1本事案の類似事案について、点検を行いましたか",
        "□行った□行っていない",
        "Q2行った結果、異なる個人番号が登録されていた件数",
        "□0件",
        "別途、実施機関への連絡をお願いします",
        "登録時の措置",
        "登録後の措置",
    ] {
        assert!(fact.contains(field), "別添4 lacks {field}: {fact}");
    }
    assert!(!fact.contains('■'), "nothing ticked on 別添4");

    // 別添5: ①–⑨ with the seed's boxes, none ticked, and the 「本件事案の経緯」 table.
    let report = columns_text(&file_named(&files, "報告様式_別添5"));
    for field in [
        "地方厚生（支）局御中",
        "医療保険者等向け中間サーバーへの異なる個人番号の登録事案の報告について",
        "令和4年1月27日付通知に基づき、下記のとおり報告します。",
        "①事案の概要※検知日、検知に至る経緯を含む",
        "②影響範囲※該当する項目のみチェック",
        "<「資格情報」について>",
        "□医療機関・薬局担当者の閲覧あり",
        "□他保険者等の閲覧あり",
        "□上記以外の第三者による閲覧あり",
        "<「特定疾病療養受療証情報」について>",
        "<「医療情報（薬剤情報・特定健診等情報・診療情報）」の閲覧について>",
        "<「医療費通知情報」について>",
        "□マイナポータルでの第三者による閲覧あり",
        "③本人（閲覧された者）への対応等※連絡の有無及び対応内容を含む",
        "④情報の閲覧者への対応等※連絡の有無及び対応内容を含む",
        "有無：□対応済（対応中）□対応予定□予定なし",
        "⑤原因",
        "主体：□被保険者又は事業者□保険者等□その他（具体名：",
        "⑥ダウンロード等による情報の拡散等（そのおそれを含む）の有無（被害がある場合はその内容）",
        "有無：□有□無□不明",
        "⑦公表（予定）",
        "【事案の公表】",
        "□あり（予定も含む）",
        "□なし□未定",
        "【公表方法※「あり（予定も含む）」を選択した場合のみ記載】",
        "□HPに掲載□記者会見□記者クラブ等への資料配布□その他",
        "【公表案について】公表案があれば、本報告書に添付願います",
        "⑧類似事案の有無の確認",
        "本事案の類似事案について、点検を行ったか□行った□行っていない",
        "□0件",
        "□件数等を実施機関に連絡済",
        "⑨再発防止に向けた措置等（⑤原因を受けた措置）",
        "本件事案の経緯",
    ] {
        assert!(report.contains(field), "別添5 lacks {field}: {report}");
    }
    assert!(!report.contains('■'), "nothing ticked on 別添5");
}

#[test]
fn the_insurer_number_setting_is_checked() {
    let dir = tempdir();
    let admin = open(&dir.path().join("store"));
    let mut l = totsugo_core::letters::LetterSettings {
        insurer_name: "架空健康保険組合".into(),
        insurer_number: "１２３４５".into(),
        ..Default::default()
    };
    let e = admin.set_letter_settings(&l).unwrap_err();
    assert!(e.to_string().contains("保険者番号"), "{e}");
    // Full-width digits are folded; 6 digits (国保) and 8 digits are both right.
    l.insurer_number = "１２３４５６".into();
    admin.set_letter_settings(&l).unwrap();
    assert_eq!(admin.letter_settings().insurer_number, "123456");
}

/// The demo data worked through the same way by an employee insurer (健保組合) and by a
/// 市町村国保: the count report, the release request and the forms as each kind must have them.
#[test]
fn the_demo_data_gives_the_right_report_release_and_forms_for_two_kinds_of_insurer() {
    use totsugo_core::auth::Role;
    use totsugo_core::insurer::InsurerKind;
    use totsugo_core::record::StopCase;
    use totsugo_core::session::Session;
    use totsugo_core::store::MismatchFilter;
    for kind in [InsurerKind::KenpoKumiai, InsurerKind::ShichosonKokuho] {
        let dir = tempdir();
        let store = dir.path().join("store");
        let mut admin = open(&store);
        admin.set_insurer_kind(kind).unwrap();
        import(&mut admin, &demo_file()).unwrap();
        set_letterhead(&admin);
        add_person(&store, "clerk1", "担当 花子", Role::Clerk, false);
        add_person(&store, "boss", "責任 一郎", Role::Supervisor, false);
        let clerk = Session::login(&store, "clerk1", PERSON_PW).unwrap();
        let rows = clerk
            .store()
            .page_mismatches(
                &MismatchFilter {
                    lost: Some(false),
                    case: Some(StopCase::Case2),
                    ..Default::default()
                },
                None,
                5,
            )
            .unwrap();
        let r: Vec<i64> = rows.iter().map(|x| x.id).collect();
        assert_eq!(r.len(), 5, "the demo has case-② rows");
        let decide = |id: i64, c: Choice| {
            clerk
                .decide(id, c, "", false)
                .or_else(|_| clerk.decide(id, c, "書類で確認済み", true))
        };
        decide(r[0], Choice::new(Decision::SameByVisualCheck)).unwrap();
        decide(r[1], Choice::new(Decision::SameByDocuments)).unwrap();
        decide(r[2], Choice::new(Decision::ConfirmedEarlier)).unwrap();
        decide(r[3], Choice::new(Decision::WrongNumber)).unwrap();
        // seed 002 設問3 「事業主で（事業主からの情報で）確認した件数」: employee insurance only.
        let employer = decide(r[4], Choice::new(Decision::AskEmployer));
        match kind {
            InsurerKind::KenpoKumiai => {
                employer.unwrap();
                clerk
                    .record_follow_up(r[4], FollowUp::NumberCorrect, None, "事業主回答", false)
                    .unwrap();
            }
            _ => assert!(matches!(employer, Err(SessionError::NoEmployer))),
        }
        let boss = Session::login(&store, "boss", PERSON_PW).unwrap();
        let decided: Vec<i64> = match kind {
            InsurerKind::KenpoKumiai => r.clone(),
            _ => r[..4].to_vec(),
        };
        boss.approve(&decided).unwrap();

        // The count report, item by item, counted by hand.
        let report = boss.count_report(true).unwrap();
        let employer_n = u64::from(kind == InsurerKind::KenpoKumiai);
        for (item, n) in [
            ("2", 4),
            ("2-2", 1),
            ("2-3", 2),
            ("2-4", 1),
            ("3", employer_n),
            ("3-1", employer_n),
            ("3-2", 0),
            ("4", 0),
            ("5", 1),
        ] {
            assert_eq!(report.get(item), n, "{kind:?} item {item}");
        }
        let notes = report.notes_ja().join("\n");
        if kind == InsurerKind::ShichosonKokuho {
            assert!(notes.contains("事業主への確認がないため 0 件"), "{notes}");
        }

        // The employer's answer is approved before its record can be released (issue 16 §5).
        let outcomes = boss.outcomes_to_approve().unwrap();
        boss.approve_outcomes(&outcomes).unwrap();
        // The release request: the confirmed rows the operator stopped, never the wrong one.
        let candidates: Vec<i64> = boss
            .release_candidates()
            .unwrap()
            .iter()
            .map(|c| c.record_id)
            .collect();
        let mut confirmed = vec![r[0], r[1], r[2]];
        if kind == InsurerKind::KenpoKumiai {
            confirmed.push(r[4]);
        }
        confirmed.sort();
        let mut got = candidates.clone();
        got.sort();
        assert_eq!(got, confirmed, "{kind:?}");
        let request = boss.make_release_request(&candidates).unwrap();
        let out = dir.path().join("release");
        std::fs::create_dir_all(&out).unwrap();
        let (files, _) = boss
            .write_release_request(request, "架空健康保険組合", &out)
            .unwrap();
        let utf8 = files
            .iter()
            .find(|p| p.to_string_lossy().ends_with("_utf8.csv"))
            .unwrap();
        let bytes = std::fs::read(utf8).unwrap();
        let lines = csv::Reader::from_reader(&bytes[3..]).records().count();
        assert_eq!(lines, confirmed.len(), "{kind:?}");

        // The forms: 健保組合 send 別添3 and report to the regional bureau, then the ministry;
        // 市町村国保 notify through the デジタルPMO and report to the prefecture first.
        let forms = dir.path().join("forms");
        std::fs::create_dir_all(&forms).unwrap();
        let files = clerk.write_wrong_number_forms(r[3], &forms).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let report5 = columns_text(&file_named(&files, "報告様式_別添5"));
        match kind {
            InsurerKind::KenpoKumiai => {
                assert!(
                    names.iter().any(|n| n.starts_with("連絡票_別添3")),
                    "{names:?}"
                );
                assert!(report5.contains("地方厚生（支）局御中"), "{report5}");
                assert!(
                    clerk
                        .wrong_number_procedure(r[3])
                        .unwrap()
                        .unwrap()
                        .next_ja()
                        .unwrap()
                        .contains("連絡票（別添3）")
                );
            }
            _ => {
                assert!(
                    !names.iter().any(|n| n.starts_with("連絡票_別添3")),
                    "{names:?}"
                );
                assert!(
                    names.iter().any(|n| n.starts_with("デジタルPMO連絡文")),
                    "{names:?}"
                );
                assert!(report5.contains("都道府県御中"), "{report5}");
                assert!(report5.contains("各条例に基づき公表"), "{report5}");
                assert!(
                    clerk
                        .wrong_number_procedure(r[3])
                        .unwrap()
                        .unwrap()
                        .next_ja()
                        .unwrap()
                        .contains("デジタルPMO")
                );
            }
        }
    }
}
