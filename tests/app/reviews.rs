//! The periodic reviews in the app (issue 16 §7): home reminds a supervisor that last month's
//! access log waits for its review; the review opens, filters to the failed logins, is signed
//! off, and the reminder goes.

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use totsugo_app::{ReviewsAction, Screen};
use totsugo_core::audit_review::{EntryFilter, Month};
use totsugo_core::session::Session;

use crate::common::*;
use crate::ui::{click, has_text, logged_in, settle, type_into};

#[test]
fn a_supervisor_reviews_last_months_access_log_filters_signs_off_and_the_reminder_goes() {
    let dir = tempdir();
    let store = dir.path().join("store");
    drop(open(&store));
    add_person(
        &store,
        "sup1",
        "責任 次郎",
        totsugo_core::auth::Role::Supervisor,
        false,
    );
    assert!(Session::login(&store, "sup1", "not the password").is_err());
    let mut h = logged_in(&store, "sup1", PERSON_PW);
    assert_eq!(h.state().screen, Screen::Home);
    // Nothing is due in the month the store was made.
    assert!(!has_text(&h, "点検の期限"));
    // On the first day of next month, this month's access log is due.
    let this_month = Month::of(chrono::Local::now().date_naive());
    let next = this_month.next();
    h.state_mut()
        .set_today(NaiveDate::from_ymd_opt(next.year, next.month, 1).unwrap());
    h.run();
    assert!(has_text(&h, "点検の期限"));
    assert!(has_text(&h, &this_month.label_ja()));
    click(&mut h, "点検を開く");
    assert_eq!(h.state().screen, Screen::AccessLogReview);
    assert!(has_text(
        &h,
        &format!("操作記録の点検（{}）", this_month.label_ja())
    ));
    assert!(has_text(&h, "操作記録の鎖: 異常なし"));

    // Filter to the failed logins: the wrong password is there, the logins are not.
    h.query_all_by_label_contains("ログイン失敗・ロック（1）")
        .next()
        .expect("the filter with its count")
        .click();
    settle(&mut h);
    assert_eq!(h.state().reviews.filter, EntryFilter::FailedLogins);
    assert!(has_text(&h, "ログイン前の記録"));
    let shown: Vec<String> = h
        .state()
        .reviews
        .access
        .as_ref()
        .unwrap()
        .shown(EntryFilter::FailedLogins)
        .map(|e| e.action.clone())
        .collect();
    assert_eq!(shown, vec!["login_failed".to_string()]);

    // Signed off with a note; the sign-off shows, and home no longer reminds.
    type_into(&mut h, Role::TextInput, "所見（任意）", "不審な操作なし");
    click(&mut h, "この月の点検を確認して記録する");
    let (is_error, msg) = h.state().message.clone().expect("a message");
    assert!(!is_error, "{msg}");
    assert!(has_text(&h, "点検済み: 責任 次郎（sup1）"));
    assert!(has_text(&h, "不審な操作なし"));
    click(&mut h, "ホーム");
    assert!(!has_text(&h, "点検の期限"), "the reminder is gone");
    assert!(h.state().reviews_due.is_empty());

    // The user review opens from the header's 定期点検 too.
    click(&mut h, "定期点検");
    h.state_mut()
        .apply(totsugo_app::Action::Reviews(ReviewsAction::OpenUsers));
    h.run();
    assert_eq!(h.state().screen, Screen::UserReview);
    assert!(has_text(&h, "責任 次郎") && has_text(&h, "特権"));
}

#[test]
fn a_purge_that_stopped_half_way_opens_the_app_on_the_purge_and_finishes_there() {
    use totsugo_core::purge::{CONFIRMATION, PurgeStep, purge_with};
    let dir = tempdir();
    let store = dir.path().join("store");
    let admin = open(&store);
    let export = dir.path().join("audit.csv");
    admin.export_audit(None, None, &export).unwrap();
    // Cut off right after the key slots went, as by a power cut.
    let record = dir.path().join("消去記録.pdf");
    let _ = purge_with(admin, [CONFIRMATION, CONFIRMATION], &record, &mut |step| {
        if step == PurgeStep::KeySlotsDestroyed {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    });
    let mut h = crate::ui::app(&store);
    settle(&mut h);
    assert_eq!(h.state().screen, Screen::Purge);
    assert!(has_text(&h, "途中で止まっています"));
    assert!(has_text(&h, "audit.csv"));
    type_into(&mut h, Role::TextInput, "確認の言葉「消去」", "消去");
    type_into(&mut h, Role::TextInput, "もう一度「消去」", "消去");
    let again = dir.path().join("消去記録-2.pdf");
    h.state_mut()
        .set_picker(Box::new(totsugo_app::FixedPicker(vec![again.clone()])));
    click(&mut h, "消去記録の保存先を選んで消去する");
    let (is_error, msg) = h.state().message.clone().expect("a message");
    assert!(!is_error, "{msg}");
    assert!(msg.contains("途中で止まっていた消去を終えました"), "{msg}");
    assert_eq!(h.state().screen, Screen::SetupInsurer);
    assert!(!export.exists() && !store.exists());
    assert!(again.exists());
}
