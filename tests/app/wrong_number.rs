//! The wrong-number procedure in the app: home lists the records with steps to do, the review
//! screen shows seed 000's steps in order and records the next one.
#![cfg(feature = "gui")]

use crate::ui::*;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use totsugo_core::review::{Choice, Decision};
use totsugo_core::session::Session;
use totsugo_core::wrong_number::steps::Step;

#[test]
fn a_clerk_records_the_wrong_number_steps_in_order_from_home() {
    let dir = crate::common::tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        let row = in_scope(&s, 1).remove(0);
        s.decide(row.id, Choice::new(Decision::WrongNumber), "確認済み", true)
            .unwrap();
    }
    // A tall window: the review screen does not scroll yet (issue 13).
    let mut h = app_sized(dir.path(), [1200.0, 1600.0]);
    settle(&mut h);
    log_in(&mut h, "clerk1", pw);
    assert!(
        has_text(&h, "個人番号の誤りの手続きが残っている記録: 1 件"),
        "home lists the open procedure"
    );
    assert!(has_text(
        &h,
        "次: 1. 連絡票（別添3）・確認票（別添4）を実施機関へ提出"
    ));
    click(&mut h, "開く");
    assert!(has_text(&h, "個人番号の誤りの手続き（保険者の判断（2-4）"));
    // seed 000: 「必ず別添3及び別添4の連絡票等を実施機関に提出してから異なっていた個人番号を
    // 削除すること」: only step 1 can be chosen first, and nothing is chosen for the clerk.
    assert_eq!(h.state().desk.step.step, None);
    assert!(
        h.get_by_role_and_label(Role::Button, "この手順を登録")
            .accesskit_node()
            .is_disabled()
    );
    choose(
        &mut h,
        "2. 異なっていた個人番号を中間サーバーから削除",
        false,
    );
    choose(
        &mut h,
        "1. 連絡票（別添3）・確認票（別添4）を実施機関へ提出",
        true,
    );
    click(&mut h, "この手順を登録");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(msg.contains("の日付で登録しました"), "{msg}");
    // A second click on the same place records nothing: the next step must be chosen.
    assert_eq!(h.state().desk.step.step, None);
    click(&mut h, "この手順を登録");
    let p = h
        .state()
        .desk
        .open
        .as_ref()
        .unwrap()
        .wrong_number
        .clone()
        .unwrap();
    assert!(
        p.done(Step::Deleted).is_none(),
        "no step recorded by a slip"
    );
    choose(
        &mut h,
        "2. 異なっていた個人番号を中間サーバーから削除",
        true,
    );
    click(&mut h, "この手順を登録");
    let p = h
        .state()
        .desk
        .open
        .as_ref()
        .unwrap()
        .wrong_number
        .clone()
        .unwrap();
    assert!(
        p.done(Step::Notified).is_some() && p.done(Step::Deleted).is_some(),
        "{p:?}"
    );
    // Step 3 needs its value chosen before the button works.
    choose(&mut h, "3. 正しい個人番号を中間サーバーに登録", true);
    assert!(
        h.get_by_role_and_label(Role::Button, "この手順を登録")
            .accesskit_node()
            .is_disabled()
    );
    h.get_by_label("正しい個人番号を登録した").click();
    settle(&mut h);
    click(&mut h, "この手順を登録");
    let p = h
        .state()
        .desk
        .open
        .as_ref()
        .unwrap()
        .wrong_number
        .clone()
        .unwrap();
    assert!(p.done(Step::RightNumber).is_some());
    assert_eq!(p.open(), vec![Step::ViewingChecked]);
    // Home still lists it until the operator's answer is in.
    assert_eq!(h.state().open_procedures.len(), 1);
}

/// Opens the step list and picks `label`, which must be offered (`offered`) or not.
fn choose(h: &mut egui_kittest::Harness<'_, totsugo_app::App>, label: &str, offered: bool) {
    h.get_by_role_and_label(Role::ComboBox, "済んだ手順")
        .click();
    settle(h);
    // The steps' list above the form names every step once; the open list adds the offered.
    let found = h.query_all_by_label(label).count() > 1;
    assert_eq!(found, offered, "{label}");
    if offered {
        h.query_all_by_label(label).last().unwrap().click();
    } else {
        h.key_press(egui::Key::Escape);
    }
    settle(h);
}

#[test]
fn the_review_screen_scrolls_to_the_wrong_number_steps_in_the_smallest_window() {
    // issue 13: 「The review screen does not scroll」: below the decision buttons lie the
    // replies and the wrong-number steps.
    let dir = crate::common::tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    let id = {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        let row = in_scope(&s, 1).remove(0);
        s.decide(row.id, Choice::new(Decision::WrongNumber), "確認済み", true)
            .unwrap();
        row.id
    };
    let mut h = app_sized(dir.path(), [900.0, 600.0]);
    settle(&mut h);
    log_in(&mut h, "clerk1", pw);
    h.state_mut().apply(totsugo_app::Action::Desk(
        totsugo_app::DeskAction::OpenRecord(id),
    ));
    settle(&mut h);
    let bottom = |h: &egui_kittest::Harness<'_, totsugo_app::App>| {
        h.get_by_role_and_label(Role::Button, "この手順を登録")
            .rect()
            .bottom()
    };
    assert!(bottom(&h) > 600.0, "below the window before scrolling");
    // The clerk scrolls down with the wheel over the screen.
    h.hover_at(egui::pos2(450.0, 300.0));
    for _ in 0..30 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -120.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
    }
    settle(&mut h);
    assert!(
        bottom(&h) <= 600.0,
        "reachable after scrolling: {}",
        bottom(&h)
    );
}
