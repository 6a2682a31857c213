//! Backups and restore (issue 17), on real encrypted stores: a backup made mid-work restores on
//! a fresh folder with every row as it was; a write during the backup waits and is not lost;
//! a live store is never restored over; a changed byte or an edited manifest is refused and
//! leaves nothing; a cancel leaves no folder and the earlier backup intact; the purge deletes
//! the backups it knows of and lists those it cannot reach.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use common::*;
use totsugo_core::backup::{self, MANIFEST_FILE, RESTORE_MARKER};
use totsugo_core::review::{Choice, Decision, LetterType};
use totsugo_core::session::{Session, SessionError};
use totsugo_core::store::STORE_FILE;
use totsugo_core::vault::VAULT_FILE;

use crate::follow_up::{login, setup};

fn no_cancel() -> AtomicBool {
    AtomicBool::new(false)
}

/// A store mid-work: decisions (some approved, one sent back), letters printed, a reply.
fn mid_work(root: &Path) -> (PathBuf, Vec<i64>) {
    let r = setup(root);
    let clerk = login(root, "clerk1");
    let boss = login(root, "boss");
    for i in [0, 1, 2] {
        clerk
            .decide(
                r[i],
                Choice::new(Decision::SameByDocuments),
                "書類で確認",
                true,
            )
            .unwrap();
    }
    clerk
        .decide(r[4], Choice::letter(LetterType::A), "", false)
        .unwrap();
    clerk
        .decide(r[10], Choice::letter(LetterType::B), "", false)
        .unwrap();
    boss.approve(&[r[0], r[1], r[4], r[10]]).unwrap();
    boss.send_back(r[2], "書類の写しがありません").unwrap();
    let issued = totsugo_core::record::Date::from_ymd(2023, 12, 1).unwrap();
    clerk
        .print_letters(
            &[r[4], r[10]],
            None,
            issued,
            &root.join("通知文.pdf"),
            false,
        )
        .unwrap();
    (root.join("store"), r)
}

#[test]
fn a_backup_made_mid_work_restores_on_a_fresh_folder_with_every_row_as_it_was() {
    let root = tempdir();
    let (store, r) = mid_work(root.path());
    let admin = open(&store);
    let usb = root.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let key = store_key_of(&store, ADMIN, PASSWORD);
    let before = store_rows(&store, &key);
    let decisions = admin.store().table_rows().unwrap()["decisions"];
    assert!(decisions >= 5);
    let mut seen = Vec::new();
    let done = admin
        .backup(&usb, &mut |d, t| seen.push((d, t)), &no_cancel())
        .unwrap()
        .expect("not cancelled");
    assert!(
        seen.last().is_some_and(|(d, t)| d == t && *t > 0),
        "progress ends at 100 %: {seen:?}"
    );
    // One folder named like a backup, three files, nothing half-made beside it.
    let name = done
        .folder
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with("totsugo-backup-"), "{name}");
    let mut files: Vec<String> = std::fs::read_dir(&done.folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, [VAULT_FILE, MANIFEST_FILE, STORE_FILE]);
    assert_eq!(std::fs::read_dir(&usb).unwrap().count(), 1);
    // The copy is still encrypted: no name of the file in clear.
    let bytes = std::fs::read(done.folder.join(STORE_FILE)).unwrap();
    assert!(!bytes.windows(15).any(|w| w == "SQLite format 3".as_bytes()));
    // The manifest counts what the store held.
    assert_eq!(done.manifest.facts.rows["decisions"], decisions);
    assert_eq!(done.manifest.facts.rows["records"], 15);
    // Work goes on after the backup: the restore must not have it.
    let clerk = login(root.path(), "clerk1");
    clerk
        .decide(
            r[3],
            Choice::new(Decision::SameByDocuments),
            "後の判断",
            true,
        )
        .unwrap();
    drop(clerk);
    assert_eq!(
        admin.last_backup().unwrap().folder,
        done.folder.display().to_string()
    );
    assert_eq!(admin.backup_reminder(), None, "a backup today: no reminder");

    // Another terminal after a disk failure: an empty folder, the backup, a password.
    let fresh = root.path().join("new-terminal").join("store");
    let (restored, manifest) =
        Session::restore_backup(&done.folder, &fresh, ADMIN, PASSWORD).unwrap();
    assert_eq!(manifest, done.manifest);
    assert!(!fresh.join(RESTORE_MARKER).exists());
    drop(restored);
    let after = store_rows(&fresh, &key);
    // Every table exactly as at the backup (decisions, letters, approvals, replies, users…),
    // the trail too up to the backup's last entry; after it only the restore's own entries.
    let mut compared = 0;
    for ((t, want), (t2, got)) in before.iter().zip(&after) {
        assert_eq!(t, t2);
        match t.as_str() {
            "audit" => {
                assert!(got.len() > want.len());
                assert_eq!(&got[..want.len()], &want[..], "the restored trail");
                assert!(
                    got.iter().any(|e| e.contains("\"restore\"")),
                    "restore audited"
                );
            }
            // The settings gain the slot file's generation noted at each login.
            "settings" => {}
            _ => {
                assert_eq!(got, want, "table {t}");
                compared += got.len();
            }
        }
    }
    assert!(compared > 15, "rows compared: {compared}");
    // The same passwords open it: the clerk logs in and sees the decisions of the backup.
    let clerk = Session::login(&fresh, "clerk1", PERSON_PW).unwrap();
    assert!(clerk.open_record(r[0]).unwrap().is_some());
    assert_eq!(
        clerk
            .store()
            .record_review(r[3])
            .unwrap()
            .and_then(|rv| rv.decision),
        None,
        "the decision made after the backup is not in it"
    );
    assert!(clerk.store().letters_of(r[4]).unwrap().len() == 1);
}

#[test]
fn a_write_during_the_backup_waits_for_the_copy_and_is_not_lost() {
    let root = tempdir();
    let (store, r) = mid_work(root.path());
    let admin = open(&store);
    let usb = root.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let mut writer: Option<std::thread::JoinHandle<()>> = None;
    let root_path = root.path().to_path_buf();
    let id = r[5];
    let decisions = admin.store().table_rows().unwrap()["decisions"];
    let done = admin
        .backup(
            &usb,
            &mut |_, _| {
                // A clerk decides while the copy holds its snapshot.
                if writer.is_none() {
                    let root_path = root_path.clone();
                    writer = Some(std::thread::spawn(move || {
                        let clerk = login(&root_path, "clerk1");
                        clerk
                            .decide(id, Choice::new(Decision::SameByDocuments), "同時", true)
                            .unwrap();
                    }));
                    std::thread::sleep(std::time::Duration::from_millis(300));
                }
            },
            &no_cancel(),
        )
        .unwrap()
        .unwrap();
    writer
        .unwrap()
        .join()
        .expect("the clerk's decision was saved");
    // In the live store; not in the backup, which is the store of one moment.
    assert!(
        admin
            .store()
            .record_review(id)
            .unwrap()
            .unwrap()
            .decision
            .is_some()
    );
    assert_eq!(done.manifest.facts.rows["decisions"], decisions);
    let fresh = root.path().join("restored");
    let (restored, _) = Session::restore_backup(&done.folder, &fresh, ADMIN, PASSWORD).unwrap();
    assert!(
        restored
            .store()
            .record_review(id)
            .unwrap()
            .unwrap()
            .decision
            .is_none()
    );
}

#[test]
fn a_live_store_is_never_restored_over() {
    let root = tempdir();
    let store = root.path().join("store");
    let mut admin = open(&store);
    import(&mut admin, &demo_file()).unwrap();
    let usb = root.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let done = admin
        .backup(&usb, &mut |_, _| {}, &no_cancel())
        .unwrap()
        .unwrap();
    drop(admin);
    let before = store_bytes(&store);
    let err = Session::restore_backup(&done.folder, &store, ADMIN, PASSWORD)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("すでに保管データがあります"), "{err}");
    assert_eq!(store_bytes(&store), before);
    // A backup inside the store's folder is refused too.
    let admin = open(&store);
    let err = admin
        .backup(&store, &mut |_, _| {}, &no_cancel())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("保管場所の外"), "{err}");
}

#[test]
fn a_changed_byte_or_an_edited_manifest_is_refused_and_leaves_nothing() {
    let root = tempdir();
    let store = root.path().join("store");
    let mut admin = open(&store);
    import(&mut admin, &demo_file()).unwrap();
    let usb = root.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let done = admin
        .backup(&usb, &mut |_, _| {}, &no_cancel())
        .unwrap()
        .unwrap();
    let fresh = root.path().join("fresh");
    let left_in = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    // One byte of the store changed on the drive: the checksum refuses it before anything.
    let db = done.folder.join(STORE_FILE);
    let original = std::fs::read(&db).unwrap();
    let mut bad = original.clone();
    bad[original.len() / 2] ^= 1;
    std::fs::write(&db, &bad).unwrap();
    let err = Session::restore_backup(&done.folder, &fresh, ADMIN, PASSWORD)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("目録と一致しません"), "{err}");
    assert!(left_in(&fresh).is_empty(), "{:?}", left_in(&fresh));
    std::fs::write(&db, &original).unwrap();
    // The manifest edited by hand (counts made to match another store): the MAC refuses it
    // after the login, and what was copied goes again.
    let mpath = done.folder.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&mpath).unwrap();
    std::fs::write(
        &mpath,
        text.replace("\"made_by\": \"admin\"", "\"made_by\": \"other\""),
    )
    .unwrap();
    let err = Session::restore_backup(&done.folder, &fresh, ADMIN, PASSWORD)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("書き換えられています"), "{err}");
    assert!(left_in(&fresh).is_empty(), "{:?}", left_in(&fresh));
    std::fs::write(&mpath, &text).unwrap();
    // A wrong password restores nothing either; the right one does.
    assert!(matches!(
        Session::restore_backup(&done.folder, &fresh, ADMIN, "wrong password here"),
        Err(SessionError::WrongCredentials)
    ));
    assert!(left_in(&fresh).is_empty());
    Session::restore_backup(&done.folder, &fresh, ADMIN, PASSWORD).unwrap();
}

#[test]
fn an_unfinished_restore_is_not_opened_and_can_be_run_again() {
    let root = tempdir();
    let store = root.path().join("store");
    let mut admin = open(&store);
    import(&mut admin, &demo_file()).unwrap();
    let usb = root.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let done = admin
        .backup(&usb, &mut |_, _| {}, &no_cancel())
        .unwrap()
        .unwrap();
    // What a crash after the copy and before the checks leaves: the files and the marker.
    let fresh = root.path().join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    for f in [STORE_FILE, VAULT_FILE] {
        std::fs::copy(done.folder.join(f), fresh.join(f)).unwrap();
    }
    std::fs::write(fresh.join(RESTORE_MARKER), "x").unwrap();
    let err = Session::login(&fresh, ADMIN, PASSWORD)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("復元が終わっていません"), "{err}");
    let (s, _) = Session::restore_backup(&done.folder, &fresh, ADMIN, PASSWORD).unwrap();
    assert_eq!(s.store().record_count().unwrap(), 2000);
    drop(s);
    Session::login(&fresh, ADMIN, PASSWORD).unwrap();
}

#[test]
fn a_cancelled_backup_leaves_no_folder_and_the_earlier_backup_intact() {
    let root = tempdir();
    let store = root.path().join("store");
    let mut admin = open(&store);
    import(&mut admin, &demo_file()).unwrap();
    let usb = root.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let first = admin
        .backup(&usb, &mut |_, _| {}, &no_cancel())
        .unwrap()
        .unwrap();
    let first_sum = backup::file_sum(&first.folder.join(STORE_FILE)).unwrap();
    let cancel = AtomicBool::new(true);
    assert!(
        admin
            .backup(&usb, &mut |_, _| {}, &cancel)
            .unwrap()
            .is_none()
    );
    let names: Vec<String> = std::fs::read_dir(&usb)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(
        backup::file_sum(&first.folder.join(STORE_FILE)).unwrap(),
        first_sum
    );
    assert_eq!(backup::list(&usb).len(), 1);
    backup::read_checked(&first.folder).unwrap();
}

#[test]
fn only_an_administrator_backs_up_and_the_home_screen_reminds_when_none_is_recent() {
    let root = tempdir();
    let _ = setup(root.path());
    let store = root.path().join("store");
    let usb = root.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let clerk = login(root.path(), "clerk1");
    assert!(matches!(
        clerk.backup(&usb, &mut |_, _| {}, &no_cancel()),
        Err(SessionError::Forbidden(_))
    ));
    assert_eq!(clerk.backup_reminder(), None, "not the clerk's job");
    let admin = open(&store);
    assert!(
        admin
            .backup_reminder()
            .is_some_and(|m| m.contains("まだバックアップがありません"))
    );
    admin.backup(&usb, &mut |_, _| {}, &no_cancel()).unwrap();
    assert_eq!(admin.backup_reminder(), None);
    assert!(admin.set_backup_reminder_days(0).is_err());
    admin.set_backup_reminder_days(7).unwrap();
    assert_eq!(admin.backup_reminder_days(), 7);
}

#[test]
fn the_purge_deletes_the_backups_it_knows_and_lists_those_it_cannot_reach() {
    use totsugo_core::purge::{CONFIRMATION, purge};
    let root = tempdir();
    let store = root.path().join("store");
    let mut admin = open(&store);
    import(&mut admin, &demo_file()).unwrap();
    let usb = root.path().join("usb");
    let gone = root.path().join("unplugged");
    std::fs::create_dir(&usb).unwrap();
    std::fs::create_dir(&gone).unwrap();
    let kept = admin
        .backup(&usb, &mut |_, _| {}, &no_cancel())
        .unwrap()
        .unwrap();
    let away = admin
        .backup(&gone, &mut |_, _| {}, &no_cancel())
        .unwrap()
        .unwrap();
    // The second drive is taken away before the purge.
    let moved = root.path().join("drawer");
    std::fs::rename(&gone, &moved).unwrap();
    let record = root.path().join("消去記録.pdf");
    let rec = purge(admin, [CONFIRMATION, CONFIRMATION], &record).unwrap();
    assert!(
        !kept.folder.exists(),
        "the reachable backup is deleted, folder and all"
    );
    assert!(usb.exists(), "the drive's own folder stays");
    let away_db = away.folder.join(STORE_FILE).display().to_string();
    assert!(
        rec.files_not_removed
            .iter()
            .any(|(f, why)| *f == away_db && why.contains("見つかりません")),
        "{:?}",
        rec.files_not_removed
    );
    let text = pdftotext(&record);
    assert!(text.contains("見つかりません"), "{text}");
}
