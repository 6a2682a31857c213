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
