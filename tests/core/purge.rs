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

/// A store with the demo data and one audit export in `out`, as an administrator leaves it.
fn store_with_export(root: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = root.join("store");
    let mut admin = open(&dir);
    import(&mut admin, &demo_file()).unwrap();
    let out = root.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let export = out.join("audit.csv");
    admin.export_audit(None, None, &export).unwrap();
    (dir, export)
}

#[test]
fn a_purge_goes_on_past_a_file_it_cannot_delete_and_a_second_run_finishes() {
    let root = tempdir();
    let (dir, export) = store_with_export(root.path());
    // The remembered export cannot be deleted (a folder now stands in its place: even root
    // cannot remove it as a file).
    std::fs::remove_file(&export).unwrap();
    std::fs::create_dir_all(&export).unwrap();
    std::fs::write(export.join("keep"), b"x").unwrap();

    let record = root.path().join("消去記録.pdf");
    let r = purge(open(&dir), [CONFIRMATION, CONFIRMATION], &record).unwrap();
    assert!(!r.complete());
    assert!(r.key_slots_destroyed);
    assert_eq!(r.files_not_removed.len(), 1, "{:?}", r.files_not_removed);
    assert!(r.files_not_removed[0].0.ends_with("audit.csv"));
    // It went on: the slots and the store are gone anyway.
    assert!(!Session::is_initialised(&dir));
    assert!(!totsugo_core::store::Store::file_in(&dir).exists());
    assert!(r.files_removed.iter().any(|f| f.ends_with("totsugo.db")));
    let text: String = pdftotext(&record).split_whitespace().collect();
    assert!(text.contains("削除できなかったファイル"), "{text}");
    assert!(text.contains("audit.csv"), "{text}");
    assert!(text.contains("破棄済み"), "{text}");
    assert!(totsugo_core::purge::unfinished(&dir).is_some());

    // The cause removed, the purge is run again without a login and finishes.
    std::fs::remove_dir_all(&export).unwrap();
    std::fs::write(&export, b"the export again").unwrap();
    let again = root.path().join("消去記録-2.pdf");
    let r2 = totsugo_core::purge::resume(&dir, [CONFIRMATION, CONFIRMATION], &again).unwrap();
    assert!(r2.complete() && r2.resumed, "{r2:?}");
    assert!(!export.exists());
    assert!(!dir.exists(), "the folder goes once empty");
    let text: String = pdftotext(&again).split_whitespace().collect();
    assert!(text.contains("途中で止まった消去"), "{text}");
    // Nothing left to resume.
    assert!(totsugo_core::purge::resume(&dir, [CONFIRMATION, CONFIRMATION], &again).is_err());
}

#[test]
fn a_purge_destroys_the_key_slots_first() {
    let root = tempdir();
    let (dir, export) = store_with_export(root.path());
    let record = root.path().join("消去記録.pdf");
    // The purge is cut off right after its first deletion step, as by a crash.
    let mut steps = Vec::new();
    let r = totsugo_core::purge::purge_with(
        open(&dir),
        [CONFIRMATION, CONFIRMATION],
        &record,
        &mut |step| {
            steps.push(step);
            if step == totsugo_core::purge::PurgeStep::KeySlotsDestroyed {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        },
    );
    assert!(r.is_err());
    // The store file is still there, but nobody can open it any more.
    assert!(totsugo_core::store::Store::file_in(&dir).exists());
    assert!(export.exists());
    assert!(!Session::is_initialised(&dir));
    assert!(Session::login(&dir, ADMIN, PASSWORD).is_err());
    // The deletion record was written before anything was deleted.
    assert!(record.exists());
    // Run again: it finishes.
    let r = totsugo_core::purge::resume(&dir, [CONFIRMATION, CONFIRMATION], &record).unwrap();
    assert!(r.complete());
    assert!(!export.exists() && !dir.exists());
}
