//! A clerk's day in the app (issue 13): what a slip of a key, a save dialog or a small window
//! must never do.
#![cfg(feature = "gui")]

use crate::common::set_letterhead;
use crate::ui::*;

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
