//! Purge: only an administrator, two confirmations, the deletion record outside the store, and
//! afterwards nothing left: store, key slots, exports.

use crate::common;

use common::*;
use totsugo_core::auth::{Permission, Role, Roles};
use totsugo_core::purge::{CONFIRMATION, purge};
use totsugo_core::session::Session;
use totsugo_core::session::SessionError;

#[test]
fn only_an_administrator_purges_and_only_with_two_confirmations() {
    let root = tempdir();
    let dir = root.path().join("store");
    let mut admin = open(&dir);
    import(&mut admin, &demo_file()).unwrap();
    admin
        .add_user(
            "clerk1",
            "担当 一郎",
            Roles::of(&[Role::Clerk]),
            false,
            "clerk temporary pass",
        )
        .unwrap();
    let mut clerk = Session::login(&dir, "clerk1", "clerk temporary pass").unwrap();
    clerk
        .change_password("clerk temporary pass", "clerk own passphrase")
        .unwrap();
    let record = root.path().join("record.pdf");
    assert!(matches!(
        purge(clerk, [CONFIRMATION, CONFIRMATION], &record),
        Err(SessionError::Forbidden(Permission::Purge))
    ));
    assert!(matches!(
        purge(open(&dir), [CONFIRMATION, "はい"], &record),
        Err(SessionError::InvalidUser(_))
    ));
    // The record must not go into the store directory.
    assert!(purge(open(&dir), [CONFIRMATION, CONFIRMATION], &dir.join("r.pdf")).is_err());
    assert!(!record.exists());
    assert_eq!(open(&dir).summary().unwrap().rows, 2000);
}

#[test]
fn a_purge_leaves_nothing_but_the_deletion_record() {
    let root = tempdir();
    let dir = root.path().join("store");
    let mut admin = open(&dir);
    import(&mut admin, &demo_file()).unwrap();
    let export = root.path().join("audit-2026-11.csv");
    admin.export_audit(None, None, &export).unwrap();
    assert!(export.exists());
    drop(admin);

    let record = root.path().join("消去記録.pdf");
    let r = purge(open(&dir), [CONFIRMATION, CONFIRMATION], &record).unwrap();
    assert_eq!(r.records, 2000);
    assert!(r.audit_chain_intact);
    assert!(!Session::is_initialised(&dir));
    assert!(!totsugo_core::store::Store::file_in(&dir).exists());
    assert!(!export.exists(), "the audit export must go too");
    assert!(!dir.exists() || std::fs::read_dir(&dir).unwrap().next().is_none());

    let text = pdftotext(&record);
    let flat: String = text.split_whitespace().collect();
    assert!(flat.contains("特定個人情報の消去記録"), "{text}");
    assert!(flat.contains("2,000件"), "{text}");
    assert!(flat.contains("管理太郎"), "{text}");
    assert!(flat.contains("match-result-demo.csv"), "{text}");
    assert!(flat.contains("異常なし"), "{text}");
}
