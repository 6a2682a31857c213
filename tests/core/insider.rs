//! The insider of issue 16 (§1–§3): someone who works at the terminal, with the store folder,
//! a copy of the key-slot file and a SQLCipher client. Each test does what that person would
//! do and shows that it no longer works: an old slot after being disabled or reset, an older
//! copy of the file put back, a hostile file, forged or rolled-back login records, a trail
//! cut at its end, two processes writing the file at once.

use crate::common;

use std::path::Path;

use common::*;
use totsugo_core::auth::{Role, Roles};
use totsugo_core::session::{Session, SessionError};
use totsugo_core::store::{Store, StoreKey};
use totsugo_core::vault::{PendingEvent, RecoveryKey, Vault};

const CLERK_PW: &str = "clerk's own passphrase";
const TEMP_PW: &str = "temporary passphrase 1";

/// A store with the demo file, the administrator (whose recovery key is returned) and a clerk
/// who has set their own password.
fn store() -> (tempfile::TempDir, RecoveryKey, i64) {
    let dir = tempdir();
    let (mut admin, recovery) = Session::init(dir.path(), ADMIN, "管理 太郎", PASSWORD).unwrap();
    import(&mut admin, &demo_file()).unwrap();
    let id = admin
        .add_user(
            "clerk1",
            "担当 一郎",
            Roles::of(&[Role::Clerk]),
            false,
            TEMP_PW,
        )
        .unwrap();
    Session::login(dir.path(), "clerk1", TEMP_PW)
        .unwrap()
        .change_password(TEMP_PW, CLERK_PW)
        .unwrap();
    (dir, recovery, id)
}

/// What the insider gets from a copy of the slot file and a password: the store key it held.
fn key_from(slot_file: &str, login: &str, password: &str) -> StoreKey {
    let vault: Vault = serde_json::from_str(slot_file).unwrap();
    vault.slot(login).unwrap().unlock(password).unwrap().current
}

/// Whether a key opens the store file with a bare SQLCipher connection, as the insider's
/// client would.
fn opens(dir: &Path, key: &StoreKey) -> bool {
    totsugo_core::inspect::raw_connection(&Store::file_in(dir), key).is_ok()
}

fn slot_file(dir: &Path) -> String {
    std::fs::read_to_string(Vault::path_in(dir)).unwrap()
}

fn trail(s: &Session) -> Vec<(String, String)> {
    s.store()
        .audit_entries(None, None)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.detail))
        .collect()
}

#[test]
fn a_disabled_clerks_copy_of_the_slot_file_opens_nothing() {
    let (dir, old_recovery, clerk) = store();
    // While still enabled, the clerk copies the slot file; their slot opens the store.
    let copy = slot_file(dir.path());
    let old_key = key_from(&copy, "clerk1", CLERK_PW);
    assert!(opens(dir.path(), &old_key));
    // The administrator disables the clerk: the store is re-keyed.
    let mut admin = open(dir.path());
    let r = admin.disable_user(clerk).unwrap();
    assert!(r.dropped.is_empty());
    // The old slot, with the old password, gives the old key: it no longer opens the store.
    assert!(!opens(dir.path(), &old_key));
    // Putting the old file back does not let the clerk in either …
    let now = slot_file(dir.path());
    std::fs::write(Vault::path_in(dir.path()), &copy).unwrap();
    assert!(Session::login(dir.path(), "clerk1", CLERK_PW).is_err());
    std::fs::write(Vault::path_in(dir.path()), &now).unwrap();
    // … and the old recovery sheet opens nothing: not the new file, and with the old file
    // only the old key.
    let vault = Vault::load(dir.path()).unwrap();
    assert!(vault.unwrap_recovery(&old_recovery).is_err());
    // The new recovery key and every remaining user open the store.
    let new_key = vault.unwrap_recovery(&r.recovery).unwrap();
    assert!(opens(dir.path(), &new_key));
    drop(admin);
    let admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    assert!(
        trail(&admin)
            .iter()
            .any(|(a, d)| a == "rekey" && d.contains("無効化"))
    );
    // Every decision made before is still there.
    assert!(admin.store().record_count().unwrap() > 0);
}

#[test]
fn an_old_slot_put_back_after_a_reset_does_not_log_in() {
    let (dir, _, clerk) = store();
    let copy = slot_file(dir.path());
    let old: Vault = serde_json::from_str(&copy).unwrap();
    let old_slot = old.slot("clerk1").unwrap().clone();
    // The password is reset (say the clerk's password was seen by someone).
    open(dir.path()).reset_password(clerk, TEMP_PW).unwrap();
    // Someone who knew the old password puts the old slot back into the current file.
    let mut vault = Vault::load(dir.path()).unwrap();
    vault.slots.retain(|s| s.login != "clerk1");
    vault.slots.push(old_slot);
    vault.save(dir.path()).unwrap();
    // The old slot opens the old key only, which no longer opens the store.
    let e = Session::login(dir.path(), "clerk1", CLERK_PW)
        .err()
        .unwrap();
    assert!(
        matches!(e, SessionError::Store(_) | SessionError::VaultProblem(_)),
        "{e}"
    );
    // Even "authenticated" with the old key (all the insider has), the old key does not open
    // the re-keyed store.
    let mut vault = Vault::load(dir.path()).unwrap();
    vault.seal(&key_from(&copy, "clerk1", CLERK_PW));
    vault.save(dir.path()).unwrap();
    assert!(Session::login(dir.path(), "clerk1", CLERK_PW).is_err());
}

#[test]
fn an_older_copy_of_the_slot_file_is_refused_with_a_clear_message() {
    let (dir, _, _) = store();
    let copy = slot_file(dir.path());
    // Work goes on: the administrator logs in and out (each raises the file's generation).
    open(dir.path()).logout().unwrap();
    // The copy is put back (to undo a lockout, a policy change …).
    std::fs::write(Vault::path_in(dir.path()), &copy).unwrap();
    let e = Session::login(dir.path(), "clerk1", CLERK_PW)
        .err()
        .unwrap();
    assert!(e.to_string().contains("古い写し"), "{e}");
}

#[test]
fn a_hostile_slot_file_gives_a_clear_error_and_never_aborts() {
    let (dir, _, _) = store();
    let good = Vault::load(dir.path()).unwrap();
    // argon2 memory of 4 TB (aborted the app on the allocation before).
    let mut v = good.clone();
    v.slot_mut("clerk1")
        .unwrap()
        .secret
        .as_mut()
        .unwrap()
        .kdf
        .m_cost = u32::MAX;
    v.save(dir.path()).unwrap();
    let e = Session::login(dir.path(), "clerk1", CLERK_PW)
        .err()
        .unwrap();
    assert!(e.to_string().contains("範囲外"), "{e}");
    // An empty salt (panicked before).
    let mut v = good.clone();
    v.slot_mut("clerk1").unwrap().secret.as_mut().unwrap().salt = String::new();
    v.save(dir.path()).unwrap();
    let e = Session::login(dir.path(), "clerk1", CLERK_PW)
        .err()
        .unwrap();
    assert!(e.to_string().contains("ソルト"), "{e}");
    // A nonce of the wrong length, an odd hex string.
    let mut v = good.clone();
    v.slot_mut("clerk1").unwrap().secret.as_mut().unwrap().nonce = "abc".into();
    v.save(dir.path()).unwrap();
    assert!(Session::login(dir.path(), "clerk1", CLERK_PW).is_err());
    // A file of 20 MB.
    std::fs::write(Vault::path_in(dir.path()), vec![b' '; 20 << 20]).unwrap();
    let e = Session::login(dir.path(), "clerk1", CLERK_PW)
        .err()
        .unwrap();
    assert!(e.to_string().contains("大きすぎます"), "{e}");
    // Back to the good file: all is well.
    good.save(dir.path()).unwrap();
    Session::login(dir.path(), "clerk1", CLERK_PW).unwrap();
}

#[test]
fn forged_events_in_the_slot_file_do_not_reach_the_trail() {
    let (dir, _, _) = store();
    let mut v = Vault::load(dir.path()).unwrap();
    let now = chrono::Utc::now().timestamp();
    let ev = |kind: &str, login: &str, at: i64| PendingEvent {
        at,
        login: login.into(),
        kind: kind.into(),
    };
    v.pending = vec![
        // Blame someone else for a purge, or an export, at a time of one's choosing.
        ev("purge", "boss", now - 60),
        ev("export", "boss", now - 60),
        // A failed login dated next year.
        ev("login_failed", "boss", now + 365 * 86_400),
        // A login name that no login can be (an injected text).
        ev("login_failed", "x\nFORGED", now - 60),
        // One real-looking failure: it goes in.
        ev("login_failed", "boss", now - 60),
    ];
    v.save(dir.path()).unwrap();
    let admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    let t = trail(&admin);
    assert!(!t.iter().any(|(a, _)| a == "purge" || a == "export"));
    assert_eq!(
        t.iter()
            .filter(|(a, d)| a == "login_failed" && d == "ログイン前の記録")
            .count(),
        1
    );
    assert!(
        t.iter().any(|(a, d)| a == "tamper" && d.contains("4 件")),
        "{t:?}"
    );
    assert!(!admin.integrity_problems().is_empty());
}

#[test]
fn a_rolled_back_failure_counter_is_found_and_reported() {
    let (dir, _, _) = store();
    for _ in 0..3 {
        assert!(Session::login(dir.path(), "clerk1", "a wrong guess 1234").is_err());
    }
    // A login by anyone authenticates the counts seen so far.
    drop(Session::login(dir.path(), ADMIN, PASSWORD).unwrap());
    // The clerk resets their own counters by editing the file, to guess on.
    let mut v = Vault::load(dir.path()).unwrap();
    let s = v.slot_mut("clerk1").unwrap();
    s.failed_attempts = 0;
    s.failures_total = 0;
    v.save(dir.path()).unwrap();
    let admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    assert!(
        trail(&admin)
            .iter()
            .any(|(a, d)| a == "tamper" && d.contains("巻き戻") && d.contains("clerk1"))
    );
    assert!(
        admin
            .integrity_problems()
            .iter()
            .any(|p| p.contains("clerk1"))
    );
}

#[test]
fn cutting_the_end_of_the_trail_is_found_at_the_next_login() {
    let (dir, _, _) = store();
    // The clerk logs in, exports and logs out; the anchor follows the trail.
    let s = Session::login(dir.path(), "clerk1", CLERK_PW).unwrap();
    let head = s.store().audit_head().unwrap().0;
    s.logout().unwrap();
    // With the key from the slot and a SQLCipher client, the clerk deletes their last entries
    // (triggers dropped first), which keeps a valid chain.
    let key = key_from(&slot_file(dir.path()), "clerk1", CLERK_PW);
    let conn = totsugo_core::inspect::raw_connection(&Store::file_in(dir.path()), &key).unwrap();
    conn.execute_batch("DROP TRIGGER audit_no_delete;").unwrap();
    conn.execute("DELETE FROM audit WHERE id > ?1", [head as i64 - 2])
        .unwrap();
    drop(conn);
    // The whole chain still verifies: only the anchor shows the cut.
    let admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    assert!(admin.verify_audit().unwrap().is_ok());
    let problems = admin.integrity_problems().to_vec();
    assert!(
        problems.iter().any(|p| p.contains("短くなっています")),
        "{problems:?}"
    );
    assert!(
        trail(&admin)
            .iter()
            .any(|(a, d)| a == "tamper" && d.contains("短くなっています"))
    );
}

#[test]
fn an_entry_rewritten_with_a_recomputed_chain_is_found_at_the_next_login() {
    let (dir, _, _) = store();
    let s = Session::login(dir.path(), "clerk1", CLERK_PW).unwrap();
    s.logout().unwrap();
    let key = key_from(&slot_file(dir.path()), "clerk1", CLERK_PW);
    let conn = totsugo_core::inspect::raw_connection(&Store::file_in(dir.path()), &key).unwrap();
    conn.execute_batch("DROP TRIGGER audit_no_update;").unwrap();
    // The clerk rewrites an early entry and recomputes every hash after it (a valid chain).
    let admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    let entries = admin.store().audit_entries(None, None).unwrap();
    drop(admin);
    let mut prev = totsugo_core::audit::GENESIS.to_string();
    for mut e in entries {
        if e.id == 3 {
            e.detail = "（書き換え）".into();
        }
        e.prev_hash = prev.clone();
        e.hash = e.computed_hash();
        conn.execute(
            "UPDATE audit SET detail = ?1, prev_hash = ?2, hash = ?3 WHERE id = ?4",
            rusqlite::params![e.detail, e.prev_hash, e.hash, e.id],
        )
        .unwrap();
        prev = e.hash;
    }
    drop(conn);
    let admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    assert!(admin.verify_audit().unwrap().is_ok());
    assert!(
        admin
            .integrity_problems()
            .iter()
            .any(|p| p.contains("前回の記録と違います")),
        "{:?}",
        admin.integrity_problems()
    );
}

#[test]
fn a_reset_beside_concurrent_logins_is_never_undone() {
    let (dir, _, clerk) = store();
    add_person(dir.path(), "clerk2", "担当 二郎", Role::Clerk, false);
    for round in 0..4 {
        let temp = format!("temporary passphrase {round}x");
        let d = dir.path().to_path_buf();
        // clerk2 logs in again and again while the administrator resets clerk1.
        let logins = std::thread::spawn(move || {
            for _ in 0..4 {
                drop(Session::login(&d, "clerk2", PERSON_PW).unwrap());
            }
        });
        let mut admin = open(dir.path());
        admin.reset_password(clerk, &temp).unwrap();
        drop(admin);
        logins.join().unwrap();
        // The reset holds: the temporary password opens, and must be changed.
        let s = Session::login(dir.path(), "clerk1", &temp).unwrap();
        assert!(s.must_change_password(), "round {round}");
    }
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with(".tmp") || n.ends_with(".part")),
        "{names:?}"
    );
}

#[test]
fn a_rekey_interrupted_after_the_store_changed_is_finished_at_the_next_login() {
    let (dir, _, clerk) = store();
    // The state a crash between the store's re-key and the slot file's last write leaves:
    // the file holds both keys, the store is under the next one.
    let key = key_from(&slot_file(dir.path()), ADMIN, PASSWORD);
    let mut vault = Vault::load(dir.path()).unwrap();
    let next = StoreKey::random();
    let recovery = RecoveryKey::generate();
    vault.remove_slot(clerk);
    vault.prepare_rekey(&next, &recovery);
    vault.seal(&key);
    vault.save(dir.path()).unwrap();
    let conn = totsugo_core::inspect::raw_connection(&Store::file_in(dir.path()), &key).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA rekey = \"x'{}'\";",
        next.0
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ))
    .unwrap();
    drop(conn);
    let admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    assert!(
        trail(&admin)
            .iter()
            .any(|(a, d)| a == "rekey" && d.contains("完了"))
    );
    assert!(!Vault::load(dir.path()).unwrap().rekey_pending());
    assert!(opens(dir.path(), &next));
    // The same state where the store never changed is undone instead.
    drop(admin);
    let mut vault = Vault::load(dir.path()).unwrap();
    vault.prepare_rekey(&StoreKey::random(), &RecoveryKey::generate());
    vault.seal(&next);
    vault.save(dir.path()).unwrap();
    let admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    assert!(
        trail(&admin)
            .iter()
            .any(|(a, d)| a == "rekey" && d.contains("取り消し"))
    );
    assert!(!Vault::load(dir.path()).unwrap().rekey_pending());
}

#[test]
fn a_purge_on_a_cut_trail_needs_its_own_confirmation_and_the_record_says_so() {
    let (dir, _, _) = store();
    // Someone deletes the last entry of the trail by hand after the administrator's login
    // anchored it (the chain stays valid; only the anchor shows the cut).
    let cut = |dir: &Path| {
        let key = key_from(&slot_file(dir), ADMIN, PASSWORD);
        let conn = totsugo_core::inspect::raw_connection(&Store::file_in(dir), &key).unwrap();
        conn.execute_batch("DROP TRIGGER IF EXISTS audit_no_delete;")
            .unwrap();
        conn.execute(
            "DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)",
            [],
        )
        .unwrap();
    };
    let out = tempdir();
    let record = out.path().join("消去記録.pdf");
    let admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    cut(dir.path());
    // The usual confirmation is not enough: the purge says what is wrong and what to type.
    let e = totsugo_core::purge::purge(admin, ["消去", "消去"], &record)
        .err()
        .unwrap();
    assert!(e.to_string().contains("破損を承知で消去"), "{e}");
    assert!(!record.exists());
    let admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    cut(dir.path());
    let r = totsugo_core::purge::purge(admin, ["消去", "破損を承知で消去"], &record).unwrap();
    assert!(r.audit_problem.is_some() && !r.audit_chain_intact, "{r:?}");
    let text = std::process::Command::new("pdftotext")
        .args([record.to_str().unwrap(), "-"])
        .output()
        .unwrap()
        .stdout;
    let text = String::from_utf8(text).unwrap().replace('\n', "");
    assert!(text.contains("短くなっています"), "{text}");
    assert!(text.contains("異常を確認したうえで消去"), "{text}");
}

/// Issue 17's kill tests found it: a disable killed after it was recorded and before the
/// re-key left the clerk disabled while the key they could have copied still opened the store.
/// The disable now records that a re-key is due, and the next administrator's login does it
/// (and shows its new recovery key once).
#[test]
fn a_disable_interrupted_before_its_rekey_is_rekeyed_at_the_next_administrator_login() {
    let (dir, _, id) = store();
    let clerk_key = key_from(&slot_file(dir.path()), "clerk1", CLERK_PW);
    // What a kill right after the disable's transaction leaves: the user disabled in the
    // store, the re-key due, the slot file and the store key unchanged.
    let conn =
        totsugo_core::inspect::raw_connection(&Store::file_in(dir.path()), &clerk_key).unwrap();
    conn.execute(
        "UPDATE users SET disabled_at = '2026-12-01 10:00:00+09:00' WHERE id = ?1",
        [id],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('rekey_due', '利用者 clerk1 の無効化')",
        [],
    )
    .unwrap();
    drop(conn);
    assert!(opens(dir.path(), &clerk_key), "the crash state");
    // The administrator's login re-keys (only an administrator can keep the recovery key).
    let mut admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    let r = admin
        .take_resumed_rekey()
        .expect("the re-key is done at this login");
    assert!(!r.recovery.grouped().is_empty());
    assert!(admin.take_resumed_rekey().is_none(), "shown once");
    assert!(
        !opens(dir.path(), &clerk_key),
        "the copied key opens nothing now"
    );
    assert!(Session::login(dir.path(), "clerk1", CLERK_PW).is_err());
    drop(admin);
    // Done once: the next login has nothing due.
    let mut again = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    assert!(again.take_resumed_rekey().is_none());
}

/// A session left open on another desk while an administrator re-keys the store (a disable):
/// its next action says plainly that the key changed and to log in again.
#[test]
fn a_session_open_during_a_rekey_is_told_to_log_in_again() {
    let (dir, _, id) = store();
    let mut admin = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    admin
        .add_user(
            "clerk2",
            "担当 次郎",
            Roles::of(&[Role::Clerk]),
            false,
            TEMP_PW,
        )
        .unwrap();
    Session::login(dir.path(), "clerk2", TEMP_PW)
        .unwrap()
        .change_password(TEMP_PW, CLERK_PW)
        .unwrap();
    let other = Session::login(dir.path(), "clerk2", CLERK_PW).unwrap();
    admin.disable_user(id).unwrap();
    let err = other
        .summary()
        .expect_err("the old key reads nothing")
        .to_string();
    assert!(err.contains("ログインし直してください"), "{err}");
    // Logging in again works.
    let again = Session::login(dir.path(), "clerk2", CLERK_PW).unwrap();
    assert!(again.summary().is_ok());
}
