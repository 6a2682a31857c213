//! A clerk's day in the app (issue 13): what a slip of a key, a save dialog or a small window
//! must never do.
#![cfg(feature = "gui")]

use crate::common::set_letterhead;
use crate::ui::*;
use egui_kittest::kittest::Queryable;

use totsugo_core::review::{Choice, ReviewState};
use totsugo_core::session::Session;

#[test]
fn typing_1n1n1n_decides_nothing_with_a_real_difference() {
    // issue 13: 「typing `1n1n1n` decided two records whose surname, kana and town all differ
    // as "same person" in under a second」.
    let dir = crate::common::tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    // A record whose names or address really differ while birth date and sex agree (before
    // this issue, one key decided it).
    let target = {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        let rows = in_scope(&s, 100);
        use totsugo_core::compare::FieldVerdict::Differs;
        use totsugo_core::record::Item;
        rows.iter()
            .find(|r| {
                r.analysis.is_some_and(|a| {
                    a.field(Item::BirthDate) != Differs
                        && a.field(Item::Sex) != Differs
                        && [Item::KanjiName, Item::KanaName, Item::Address]
                            .iter()
                            .any(|i| a.field(*i) == Differs)
                        && a.suggestion != totsugo_core::compare::Suggestion::LikelyWrongNumber
                })
            })
            .expect("the demo has a real name or address difference")
            .id
    };
    let mut h = logged_in(dir.path(), "clerk1", pw);
    h.state_mut().apply(totsugo_app::Action::Desk(
        totsugo_app::DeskAction::OpenRecord(target),
    ));
    settle(&mut h);
    assert_eq!(h.state().screen, totsugo_app::Screen::Review);
    for _ in 0..3 {
        h.key_press(egui::Key::Num1);
        settle(&mut h);
        // A confirmation may be open: N goes nowhere while it is.
        h.key_press(egui::Key::N);
        settle(&mut h);
        h.key_press(egui::Key::Escape);
        settle(&mut h);
    }
    let s = Session::login(dir.path(), "clerk1", pw).unwrap();
    assert_eq!(
        s.record_review(target).unwrap().unwrap().0.state,
        ReviewState::Undecided,
        "the first record was not decided by a slip"
    );
    let decided: Vec<_> = s
        .store()
        .page_mismatches(
            &totsugo_core::store::MismatchFilter {
                state: Some(ReviewState::Decided),
                ..Default::default()
            },
            None,
            100,
        )
        .unwrap();
    for r in &decided {
        let d = s.open_record(r.id).unwrap().unwrap();
        let e = &d.reviewed.explained.explanation;
        assert!(
            e.fields
                .iter()
                .all(|f| f.verdict != totsugo_core::compare::FieldVerdict::Differs),
            "record {} with a real difference decided by one key",
            r.id
        );
    }
}

#[test]
fn letters_are_refused_before_the_save_dialog_while_the_sender_is_unset() {
    // issue 13 §8: 「letters can be "saved" with an empty letterhead (the refusal comes after
    // the save dialog)」.
    use totsugo_core::review::LetterType;
    let dir = crate::common::tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        let row = in_scope(&s, 1).remove(0);
        s.decide(
            row.id,
            Choice::letter(LetterType::A),
            "本人に確認する",
            true,
        )
        .unwrap();
    }
    let mut h = logged_in(dir.path(), "clerk1", pw);
    // Outside the store's folder (issue 16 §6).
    let elsewhere = crate::common::tempdir();
    let out = elsewhere.path().join("通知文.pdf");
    h.state_mut()
        .set_picker(Box::new(totsugo_app::FixedPicker(vec![out.clone()])));
    click(&mut h, "通知文");
    click(&mut h, "1 通を印刷用 PDF に保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(is_error, "{msg}");
    assert!(msg.contains("差出人の設定が済んでいません"), "{msg}");
    assert!(msg.contains("保険者名"), "{msg}");
    assert!(!out.exists(), "nothing written");
    // The save dialog was never shown: once the sender is set, the same (only) path the
    // dialog would give is still there for the next try.
    set_letterhead(&crate::common::open(dir.path()));
    click(&mut h, "1 通を印刷用 PDF に保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(out.exists(), "printed on the second try: {msg}");
}

#[test]
fn with_auto_advance_a_notation_only_record_costs_one_key() {
    // issue 13: 「an option (per user) to move to the next record after a decision, so a
    // notation-only record costs one key」.
    let dir = crate::common::tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    let notation_only = {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        in_scope(&s, 100)
            .into_iter()
            .find(|r| {
                r.analysis.is_some_and(|a| {
                    totsugo_core::record::Item::ALL
                        .iter()
                        .all(|i| a.field(*i) != totsugo_core::compare::FieldVerdict::Differs)
                })
            })
            .expect("the demo has a notation-only record")
            .id
    };
    let mut h = logged_in(dir.path(), "clerk1", pw);
    click(&mut h, "不一致の一覧");
    h.state_mut().apply(totsugo_app::Action::Desk(
        totsugo_app::DeskAction::OpenRecord(notation_only),
    ));
    settle(&mut h);
    h.get_by_label("判断したら次の記録を開く").click();
    settle(&mut h);
    assert!(h.state().desk.auto_advance);
    // One key: decided, and the next record is open.
    h.key_press(egui::Key::Num1);
    settle(&mut h);
    let open = h.state().desk.open.as_ref().map(|o| o.id);
    assert_ne!(open, Some(notation_only), "{:?}", h.state().message);
    assert!(has_text(&h, "次の記録を開きました"));
    let s = Session::login(dir.path(), "clerk1", pw).unwrap();
    assert_eq!(
        s.record_review(notation_only).unwrap().unwrap().0.state,
        ReviewState::Decided
    );
    // The choice is the user's own and stays after logging in again.
    assert!(s.auto_advance());
    let other = clerk(dir.path(), "clerk2");
    assert!(
        !Session::login(dir.path(), "clerk2", other)
            .unwrap()
            .auto_advance()
    );
}

#[test]
fn the_approval_table_marks_a_forced_same_person_and_lists_it_first() {
    // issue 13 §6: the supervisor's table of a scripted batch: two notation-only decisions
    // and one "same person" the clerk forced over a real difference.
    use totsugo_core::compare::FieldVerdict::Differs;
    use totsugo_core::record::Item;
    use totsugo_core::review::Decision;
    let dir = crate::common::tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    supervisor(dir.path(), "boss");
    let (plain, forced) = {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        let rows = in_scope(&s, 300);
        let plain: Vec<i64> = rows
            .iter()
            .filter(|r| {
                r.analysis
                    .is_some_and(|a| Item::ALL.iter().all(|i| a.field(*i) != Differs))
            })
            .take(2)
            .map(|r| r.id)
            .collect();
        // The last record in work order with a real address difference: in file order it
        // would come last.
        let forced = rows
            .iter()
            .rev()
            .find(|r| {
                r.analysis
                    .is_some_and(|a| a.field(Item::Address) == Differs)
            })
            .expect("the demo has a real address difference")
            .id;
        let same = Choice::new(Decision::SameByVisualCheck);
        for id in &plain {
            s.decide(*id, same, "", false).unwrap();
        }
        s.decide(forced, same, "転居を届出書で確認", true).unwrap();
        (plain, forced)
    };
    let mut h = logged_in(dir.path(), "boss", crate::common::PERSON_PW);
    click(&mut h, "承認");
    let order = h.state().approval_display_order();
    assert_eq!(order.len(), 3);
    assert_eq!(order[0], forced, "the forced decision comes first");
    assert!(plain.iter().all(|p| order[1..].contains(p)));
    let line = h.state().desk.approval_lines.get(&forced).cloned().unwrap();
    assert!(line.differs.contains(&Item::Address));
    // What the supervisor sees on its line: marked, with the memo and the items.
    assert!(has_text(&h, "要確認 1 件"));
    assert!(has_text(&h, "要確認: 住所"), "the reason is on the line");
    assert!(has_text(&h, "転居を届出書で確認"));
    assert!(has_text(&h, &line.card));
    // Approving asks once, with the count and the marked one named.
    click(&mut h, "3 件を承認…");
    assert!(has_text(&h, "の判断 3 件を承認します。"));
    assert!(has_text(&h, "うち 1 件は要確認の判断"));
    click(&mut h, "やめる");
    assert_eq!(h.state().desk.batches.len(), 1, "nothing approved");
}

#[test]
fn without_a_save_dialog_the_app_says_so_and_saves_where_the_path_field_says() {
    // issue 13 §12: 「on Linux without a desktop portal or zenity the save dialog silently
    // never opens (say so, and offer a path field)」; the typed name is honoured.
    let dir = crate::common::tempdir();
    demo_store(dir.path());
    set_letterhead(&crate::common::open(dir.path()));
    let mut h = logged_in(dir.path(), crate::common::ADMIN, crate::common::PASSWORD);
    h.state_mut()
        .set_picker(Box::new(totsugo_app::NoDialogPicker));
    click(&mut h, "件数の報告");
    click(&mut h, "PDF で保存");
    assert!(has_text(&h, "ファイルを選ぶ画面を開けません"), "it says so");
    assert!(h.state().path_prompt.is_some());
    // Cancelled: nothing saved, the field gone.
    click(&mut h, "やめる");
    assert!(h.state().path_prompt.is_none());
    click(&mut h, "PDF で保存");
    let elsewhere = crate::common::tempdir();
    // Typed without the ending: saved as PDF under the typed name.
    let typed = elsewhere.path().join("十二月の報告");
    h.get_by_label("保存先").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label("保存先")
        .type_text(&typed.display().to_string());
    h.run();
    click(&mut h, "保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    let saved = elsewhere.path().join("十二月の報告.pdf");
    assert!(saved.exists(), "{msg}");
    assert!(crate::common::pdftotext(&saved).contains("確認結果（件数）の報告"));
    assert!(h.state().path_prompt.is_none());
}

#[test]
fn the_count_report_without_the_insurers_name_warns_and_asks_for_no_path() {
    // issue 13 §8: 「the count report print 「（保険者名未設定）」 without a warning」.
    let dir = crate::common::tempdir();
    demo_store(dir.path());
    let mut h = logged_in(dir.path(), crate::common::ADMIN, crate::common::PASSWORD);
    let elsewhere = crate::common::tempdir();
    let out = elsewhere.path().join("報告.csv");
    h.state_mut()
        .set_picker(Box::new(totsugo_app::FixedPicker(vec![out.clone()])));
    click(&mut h, "件数の報告");
    assert!(has_text(&h, "注意: 保険者名が設定されていません"));
    click(&mut h, "CSV で保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(
        is_error && msg.contains("件数の報告を保存できません"),
        "{msg}"
    );
    assert!(!out.exists());
}

#[test]
fn the_review_grid_row_heights_follow_the_record_shown() {
    // issue 13 §2: 「Open a record with a five-line address explanation, press N: every
    // following record keeps the tall row」.
    use totsugo_core::record::Item;
    let dir = crate::common::tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    // The record whose address explanation is longest, and one whose address is equal.
    let (tall, short) = {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        let mut by_lines: Vec<(usize, i64)> = in_scope(&s, 200)
            .iter()
            .map(|r| {
                let d = s.review_record(r.id).unwrap().unwrap();
                let f = d.explained.explanation.field(Item::Address);
                let chars: usize = f.reasons.iter().map(|r| r.text.chars().count()).sum();
                (chars, r.id)
            })
            .collect();
        by_lines.sort();
        (by_lines.last().unwrap().1, by_lines[0].1)
    };
    let mut h = logged_in(dir.path(), "clerk1", pw);
    // The address row's height: from its label to the line under the grid.
    let address_row = |h: &mut egui_kittest::Harness<'_, totsugo_app::App>, id: i64| {
        h.state_mut().apply(totsugo_app::Action::Desk(
            totsugo_app::DeskAction::OpenRecord(id),
        ));
        // One frame, as the app draws after a key: the rows are right at once.
        h.step();
        let top = h.get_by_label("住所").rect().top();
        let below = h.get_by_label_contains("資格取得 ").rect().top();
        below - top
    };
    let short_first = address_row(&mut h, short);
    let tall_row = address_row(&mut h, tall);
    let short_again = address_row(&mut h, short);
    assert!(
        tall_row > short_first + 20.0,
        "the long explanation makes a taller row: {tall_row} vs {short_first}"
    );
    assert!(
        (short_again - short_first).abs() < 1.0,
        "the short record's row is as short after the tall one: {short_again} vs {short_first}"
    );
}

#[test]
fn home_charts_the_days_work_hour_by_hour() {
    // issue 13 §12: 「the one-day chart is a single block」.
    let dir = crate::common::tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        for r in in_scope(&s, 3) {
            s.decide(
                r.id,
                Choice::new(totsugo_core::review::Decision::AskEmployer),
                "",
                true,
            )
            .unwrap();
        }
    }
    let h = logged_in(dir.path(), "clerk1", pw);
    let p = h.state().progress().cloned().unwrap();
    assert_eq!(p.per_day.len(), 1);
    let hour: u32 = chrono::Local::now()
        .format("%H")
        .to_string()
        .parse()
        .unwrap();
    assert!(
        p.per_hour.iter().any(|(h, n)| *h == hour && *n >= 1),
        "{:?}",
        p.per_hour
    );
    assert_eq!(p.per_hour.iter().map(|(_, n)| n).sum::<u64>(), 3);
    assert!(has_text(&h, "の時間ごとの判断件数"));
    assert!(
        !has_text(&h, "日ごとの判断件数"),
        "one day: no chart of one bar"
    );
}
