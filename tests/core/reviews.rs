//! The periodic reviews (issue 16 §7): the month's access log with its filters, the user list
//! with the privileged first, the sign-off audited with the chain head the reviewer saw, and
//! what falls due.

use chrono::NaiveDate;

use crate::common::*;
use totsugo_core::audit_review::{EntryFilter, Month, ReviewKind};
use totsugo_core::auth::{Permission, Role};
use totsugo_core::session::{Session, SessionError};

fn this_month() -> Month {
    Month::of(chrono::Local::now().date_naive())
}

/// The first day of next month: the day on which this month is over.
fn next_month_day() -> NaiveDate {
    let m = this_month().next();
    NaiveDate::from_ymd_opt(m.year, m.month, 1).unwrap()
}

#[test]
fn the_access_log_of_a_month_filters_signs_off_with_the_head_and_stops_being_due() {
    let root = tempdir();
    let dir = root.path().join("store");
    let admin = open(&dir);
    add_person(&dir, "clerk1", "担当 花子", Role::Clerk, false);
    add_person(&dir, "sup1", "責任 次郎", Role::Supervisor, true);
    assert!(Session::login(&dir, "clerk1", "wrong password").is_err());
    let out = root.path().join("audit.csv");
    admin.export_audit(None, None, &out).unwrap();

    // A clerk does not review.
    let clerk = Session::login(&dir, "clerk1", PERSON_PW).unwrap();
    assert!(matches!(
        clerk.access_log_review(this_month()),
        Err(SessionError::Forbidden(Permission::ReadAudit))
    ));
    assert!(clerk.reviews_due(next_month_day()).unwrap().is_empty());

    let sup = Session::login(&dir, "sup1", PERSON_PW).unwrap();
    let r = sup.access_log_review(this_month()).unwrap();
    assert!(r.chain.is_ok());
    assert!(r.count(EntryFilter::All) > 5);
    // The failed login is under its filter (logged with the next login), the export under its.
    let failed: Vec<_> = r.shown(EntryFilter::FailedLogins).collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].action, "login_failed");
    assert_eq!(r.count(EntryFilter::Exports), 1);
    assert!(
        r.count(EntryFilter::RightsChanges) >= 2,
        "users added, passwords set"
    );
    assert_eq!(r.count(EntryFilter::Purges), 0);
    assert_eq!(r.count(EntryFilter::Reveals), 0);

    // Due next month; the month cannot be signed off before it is over.
    let due = sup.reviews_due(next_month_day()).unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].kind, ReviewKind::AccessLog);
    assert_eq!(due[0].month, Some(this_month()));
    let today = chrono::Local::now().date_naive();
    assert!(matches!(
        sup.sign_off_review(
            ReviewKind::AccessLog,
            &this_month().key(),
            &r.head,
            "",
            today
        ),
        Err(SessionError::Review(_))
    ));
    // A head that is not the trail's (as after the trail was cut short and rewritten) is refused.
    let mut forged = r.head.clone();
    forged.hash = "0".repeat(64);
    assert!(matches!(
        sup.sign_off_review(
            ReviewKind::AccessLog,
            &this_month().key(),
            &forged,
            "",
            next_month_day()
        ),
        Err(SessionError::Review(_))
    ));
    let s = sup
        .sign_off_review(
            ReviewKind::AccessLog,
            &this_month().key(),
            &r.head,
            "異常なし",
            next_month_day(),
        )
        .unwrap();
    assert_eq!(s.head, r.head);
    assert_eq!(s.signed_by, "sup1");
    assert!(sup.reviews_due(next_month_day()).unwrap().is_empty());
    // The sign-off is itself audited, with the head it saw.
    let again = sup.access_log_review(this_month()).unwrap();
    let entry = again
        .entries
        .iter()
        .rev()
        .find(|e| e.action == "review_sign_off")
        .expect("audited");
    assert!(entry.detail.contains(&r.head.hash), "{}", entry.detail);
    assert!(
        entry
            .detail
            .contains(&format!("末尾 {} 件目", r.head.count)),
        "{}",
        entry.detail
    );
    assert_eq!(again.sign_offs.len(), 1);
}

#[test]
fn the_user_list_shows_roles_rights_last_login_and_the_privileged_first() {
    let root = tempdir();
    let dir = root.path().join("store");
    let mut admin = open(&dir);
    add_person(&dir, "clerk1", "担当 花子", Role::Clerk, false);
    add_person(&dir, "clerk2", "担当 三郎", Role::Clerk, true);
    let id = admin
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.user.login == "clerk1")
        .unwrap()
        .user
        .id;
    admin.disable_user(id).unwrap();
    let r = admin.user_list_review().unwrap();
    let logins: Vec<&str> = r.users.iter().map(|u| u.user.login.as_str()).collect();
    assert_eq!(
        logins,
        vec!["admin", "clerk2", "clerk1"],
        "the privileged first"
    );
    assert!(r.users[0].privileged && r.users[1].privileged && !r.users[2].privileged);
    assert!(r.users[1].user.may_reveal_my_number);
    assert!(r.users[2].user.disabled_at.is_some());
    assert!(r.users.iter().all(|u| u.last_login.is_some()));

    // Six months after the setup the user review is due; signed off, it is not.
    let half_year = chrono::Local::now()
        .date_naive()
        .checked_add_months(chrono::Months::new(6))
        .unwrap();
    let due = admin.reviews_due(half_year).unwrap();
    assert!(
        due.iter().any(|d| d.kind == ReviewKind::UserList),
        "{due:?}"
    );
    admin
        .sign_off_review(ReviewKind::UserList, "", &r.head, "", half_year)
        .unwrap();
    let due = admin.reviews_due(half_year).unwrap();
    assert!(
        !due.iter().any(|d| d.kind == ReviewKind::UserList),
        "{due:?}"
    );
}
