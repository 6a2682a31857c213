//! People and trust at the core API, with no screen in the loop: logins, lockout, roles, the
//! four-eyes rule, key slots, My Number reveal, the audit chain and recovery.

use crate::common;

use std::path::Path;

use common::*;
use totsugo_core::audit::{AuditAction, ChainBreak};
use totsugo_core::auth::{Permission, Role, Roles};
use totsugo_core::session::Session;
use totsugo_core::session::SessionError;
use totsugo_core::store::Store;
use totsugo_core::vault::{RecoveryKey, Vault};

const CLERK_PW: &str = "clerk temporary pass";
const NEW_PW: &str = "a much better passphrase";

/// A store with the demo file, an administrator, and users by role (each with a password
/// already changed from the temporary one).
struct World {
    dir: tempfile::TempDir,
    clerk: i64,
    supervisor: i64,
    revealer: i64,
    /// The recovery key printed at set-up.
    recovery: String,
}

fn world() -> World {
    let dir = tempdir();
    let (mut admin, recovery) = Session::init(dir.path(), ADMIN, "管理 太郎", PASSWORD).unwrap();
    admin
        .set_insurer_kind(totsugo_core::insurer::InsurerKind::KenpoKumiai)
        .unwrap();
    import(&mut admin, &demo_file()).unwrap();
    let mut add = |login: &str, roles: &[Role], reveal: bool| {
        let id = admin
            .add_user(
                login,
                &format!("{login} さん"),
                Roles::of(roles),
                reveal,
                CLERK_PW,
            )
            .unwrap();
        let mut s = Session::login(dir.path(), login, CLERK_PW).unwrap();
        assert!(s.must_change_password());
        s.change_password(CLERK_PW, NEW_PW).unwrap();
        id
    };
    let clerk = add("clerk1", &[Role::Clerk], false);
    let supervisor = add("boss", &[Role::Supervisor], false);
    let revealer = add("clerk2", &[Role::Clerk], true);
    World {
        dir,
        clerk,
        supervisor,
        revealer,
        recovery: recovery.grouped(),
    }
}

impl World {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn login(&self, login: &str) -> Session {
        Session::login(self.path(), login, NEW_PW).unwrap()
    }

    fn admin(&self) -> Session {
        open(self.path())
    }
}

fn actions(s: &Session) -> Vec<(String, String, String)> {
    s.store()
        .audit_entries(None, None)
        .unwrap()
        .into_iter()
        .map(|e| (e.user_login, e.action, e.target))
        .collect()
}

#[test]
fn a_wrong_password_fails_clearly_and_is_audited_at_the_next_login() {
    let w = world();
    let err = Session::login(w.path(), "clerk1", "not the password at all")
        .err()
        .unwrap();
    assert!(matches!(err, SessionError::WrongCredentials));
    assert_eq!(err.to_string(), "利用者名またはパスワードが違います");
    // An unknown name gives the same answer.
    let err = Session::login(w.path(), "nobody", NEW_PW).err().unwrap();
    assert!(matches!(err, SessionError::WrongCredentials));
    // Something typed into the name field that is no login name is not kept.
    let _ = Session::login(w.path(), "my secret pass", NEW_PW);
    let admin = w.admin();
    let a = actions(&admin);
    assert!(a.contains(&("clerk1".into(), "login_failed".into(), String::new())));
    assert!(a.contains(&("nobody".into(), "login_failed".into(), String::new())));
    assert!(!a.iter().any(|(l, _, _)| l.contains("secret")));
}

#[test]
fn five_failures_lock_the_account_until_an_administrator_unlocks_it() {
    let w = world();
    for i in 1..=4 {
        let e = Session::login(w.path(), "clerk1", "wrong password here")
            .err()
            .unwrap();
        assert!(
            matches!(e, SessionError::WrongCredentials),
            "attempt {i}: {e}"
        );
    }
    let e = Session::login(w.path(), "clerk1", "wrong password here")
        .err()
        .unwrap();
    assert!(matches!(e, SessionError::Locked { .. }), "{e}");
    // Now even the right password is refused.
    let e = Session::login(w.path(), "clerk1", NEW_PW).err().unwrap();
    assert!(matches!(e, SessionError::Locked { .. }), "{e}");
    assert!(e.to_string().contains("ロック"));
    // Others are not affected.
    drop(w.login("boss"));
    let mut admin = w.admin();
    let status = admin.users().unwrap();
    assert!(
        status
            .iter()
            .any(|u| u.user.login == "clerk1" && u.locked_until.is_some())
    );
    assert!(actions(&admin).contains(&("clerk1".into(), "lockout".into(), String::new())));
    admin.unlock_user(w.clerk).unwrap();
    drop(w.login("clerk1"));
}

#[test]
fn rights_are_enforced_in_the_core() {
    let w = world();
    let mut clerk = w.login("clerk1");
    assert!(clerk.may(Permission::Review));
    assert!(matches!(
        clerk.import_file(
            &demo_file(),
            &Default::default(),
            &mut |_| {},
            &Default::default()
        ),
        Err(SessionError::Forbidden(Permission::Import))
    ));
    assert!(matches!(
        clerk.add_user("x", "x", Roles::of(&[Role::Clerk]), false, CLERK_PW),
        Err(SessionError::Forbidden(Permission::ManageUsers))
    ));
    assert!(matches!(
        clerk.verify_audit(),
        Err(SessionError::Forbidden(Permission::ReadAudit))
    ));
    let admin = w.admin();
    // An administrator does not review records.
    assert!(matches!(
        admin.view_record(1),
        Err(SessionError::Forbidden(Permission::Review))
    ));
}

#[test]
fn four_eyes_clerk_cannot_approve_and_supervisor_cannot_approve_own_decisions() {
    let w = world();
    let clerk = w.login("clerk1");
    assert!(matches!(
        clerk.authorize_approval(&[w.revealer]),
        Err(SessionError::Forbidden(Permission::Approve))
    ));
    let boss = w.login("boss");
    assert!(boss.authorize_approval(&[w.clerk, w.revealer]).is_ok());
    let e = boss
        .authorize_approval(&[w.clerk, w.supervisor])
        .err()
        .unwrap();
    assert!(matches!(e, SessionError::OwnDecisions));
    assert!(e.to_string().contains("自分が登録した判断"));
    // An administrator cannot approve unless also a supervisor.
    let admin = w.admin();
    assert!(matches!(
        admin.authorize_approval(&[w.clerk]),
        Err(SessionError::Forbidden(Permission::Approve))
    ));
    let admin_id = admin.user().id;
    // Another administrator gives the role (an administrator never gives it to themselves).
    add_person(w.path(), "admin2", "管理 次郎", Role::Administrator, false);
    Session::login(w.path(), "admin2", PERSON_PW)
        .unwrap()
        .set_user_rights(
            admin_id,
            Roles::of(&[Role::Administrator, Role::Supervisor]),
            false,
        )
        .unwrap();
    assert!(admin.authorize_approval(&[w.clerk]).is_ok());
    assert!(matches!(
        admin.authorize_approval(&[admin_id]),
        Err(SessionError::OwnDecisions)
    ));
}

#[test]
fn my_number_is_masked_and_every_reveal_is_audited() {
    let w = world();
    let id = w.admin().store().record_ids(1).unwrap()[0];
    let full = w.admin().store().record(id).unwrap().unwrap().my_number;

    let clerk = w.login("clerk1");
    let seen = clerk.view_record(id).unwrap().unwrap();
    assert_eq!(seen.my_number, format!("********{}", &full[8..]));
    assert!(matches!(
        clerk.reveal_my_number(id),
        Err(SessionError::Forbidden(Permission::RevealMyNumber))
    ));

    let revealer = w.login("clerk2");
    assert_eq!(revealer.reveal_my_number(id).unwrap().unwrap(), full);
    let a = actions(&w.admin());
    let target = format!("record:{id}");
    assert!(a.contains(&("clerk1".into(), "view_record".into(), target.clone())));
    assert!(a.contains(&("clerk2".into(), "reveal_my_number".into(), target.clone())));
    assert!(!a.contains(&("clerk1".into(), "reveal_my_number".into(), target)));
    // The trail itself never holds the number.
    for e in w.admin().store().audit_entries(None, None).unwrap() {
        assert!(!e.detail.contains(&full) && !e.target.contains(&full));
    }
}

#[test]
fn a_temporary_password_must_be_changed_first_and_the_old_one_stops_working() {
    let w = world();
    let mut admin = w.admin();
    let id = admin
        .add_user(
            "newbie",
            "新人 花子",
            Roles::of(&[Role::Clerk]),
            false,
            CLERK_PW,
        )
        .unwrap();
    let mut s = Session::login(w.path(), "newbie", CLERK_PW).unwrap();
    assert!(s.must_change_password());
    assert!(matches!(
        s.view_record(1),
        Err(SessionError::PasswordChangeRequired)
    ));
    assert!(matches!(
        s.change_password(CLERK_PW, "short"),
        Err(SessionError::WeakPassword(_))
    ));
    assert!(matches!(
        s.change_password(CLERK_PW, CLERK_PW),
        Err(SessionError::WeakPassword(_))
    ));
    s.change_password(CLERK_PW, NEW_PW).unwrap();
    assert!(s.view_record(1).unwrap().is_some());
    assert!(matches!(
        Session::login(w.path(), "newbie", CLERK_PW),
        Err(SessionError::WrongCredentials)
    ));
    let again = w.login("newbie");
    assert!(!again.must_change_password());
    assert_eq!(again.user().id, id);
}

#[test]
fn an_expired_password_must_be_changed() {
    let w = world();
    let mut vault = Vault::load(w.path()).unwrap();
    vault.slot_mut("clerk1").unwrap().password_changed_at -= 91 * 86_400;
    // Written as totsugo would (authenticated with the store key).
    vault.seal(&admin_key(w.path()));
    vault.save(w.path()).unwrap();
    let s = w.login("clerk1");
    assert!(s.must_change_password());
}

#[test]
fn a_disabled_user_cannot_log_in_but_stays_in_the_trail() {
    let w = world();
    let mut admin = w.admin();
    admin.disable_user(w.clerk).unwrap();
    assert!(Vault::load(w.path()).unwrap().slot("clerk1").is_none());
    assert!(matches!(
        Session::login(w.path(), "clerk1", NEW_PW),
        Err(SessionError::WrongCredentials)
    ));
    let users = admin.users().unwrap();
    let u = users.iter().find(|u| u.user.id == w.clerk).unwrap();
    assert!(u.user.disabled_at.is_some());
    assert!(
        actions(&admin)
            .iter()
            .any(|(l, a, _)| l == "clerk1" && a == "login")
    );
    // The last administrator cannot be disabled or demoted; nobody disables themselves.
    let me = admin.user().id;
    assert!(admin.disable_user(me).is_err());
    assert!(
        admin
            .set_user_rights(me, Roles::of(&[Role::Clerk]), false)
            .is_err()
    );
}

#[test]
fn a_slot_moved_to_another_login_does_not_open() {
    let w = world();
    // A clerk edits the slot file: their own slot under the administrator's name and id.
    let key = admin_key(w.path());
    let mut vault = Vault::load(w.path()).unwrap();
    let admin_slot = vault.slot(ADMIN).unwrap().clone();
    let mut forged = vault.slot("clerk1").unwrap().clone();
    forged.login = ADMIN.into();
    forged.user_id = admin_slot.user_id;
    vault.slots.retain(|s| s.login != ADMIN);
    vault.slots.push(forged);
    vault.save(w.path()).unwrap();
    assert!(matches!(
        Session::login(w.path(), ADMIN, NEW_PW),
        Err(SessionError::WrongCredentials)
    ));
    // Even re-authenticated with the key the clerk holds, the slot opens only under its own
    // user and login (the associated data).
    let mut vault = Vault::load(w.path()).unwrap();
    vault.seal(&key);
    vault.save(w.path()).unwrap();
    assert!(matches!(
        Session::login(w.path(), ADMIN, NEW_PW),
        Err(SessionError::WrongCredentials)
    ));
}

#[test]
fn a_weakened_policy_in_the_slot_file_is_refused_at_login_and_witnessed() {
    let w = world();
    let mut vault = Vault::load(w.path()).unwrap();
    vault.policy.max_failures = 1000;
    vault.save(w.path()).unwrap();
    let e = Session::login(w.path(), "clerk1", NEW_PW).err().unwrap();
    assert!(matches!(e, SessionError::VaultProblem(_)), "{e}");
    assert!(e.to_string().contains("書き換えられています"), "{e}");
    // The recovery key trusts the file again (and re-keys); the trail says what was found.
    let (admin, _) = Session::recover(
        w.path(),
        &RecoveryKey::parse(&w.recovery),
        ADMIN,
        "a fresh passphrase for recovery",
    )
    .unwrap();
    assert_eq!(admin.policy().max_failures, 5);
    let trail = actions(&admin);
    assert!(
        trail.iter().filter(|(_, a, _)| a == "tamper").count() >= 2,
        "{trail:?}"
    );
}

/// The store key, as an insider who knows the administrator's password gets it from the file.
fn admin_key(dir: &Path) -> totsugo_core::store::StoreKey {
    Vault::load(dir)
        .unwrap()
        .slot(ADMIN)
        .unwrap()
        .unlock(PASSWORD)
        .unwrap()
        .current
}

#[test]
fn the_key_is_never_in_clear_and_each_slot_unwraps_the_same_key() {
    let w = world();
    let vault = Vault::load(w.path()).unwrap();
    let text = std::fs::read_to_string(Vault::path_in(w.path())).unwrap();
    let admin = vault.slot(ADMIN).unwrap();
    let key = admin.unlock(PASSWORD).unwrap().current;
    let hex: String = key.0.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!text.contains(&hex));
    let clerk = vault.slot("clerk1").unwrap();
    let key2 = clerk.unlock(NEW_PW).unwrap().current;
    assert_eq!(key, key2);
    // No plaintext key file is left anywhere in the store directory.
    for f in std::fs::read_dir(w.path()).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap_or_default();
        assert!(!bytes.windows(32).any(|x| x == key.0));
        assert!(!String::from_utf8_lossy(&bytes).contains(&hex));
    }
}

fn raw_connection(dir: &Path) -> rusqlite::Connection {
    let vault = Vault::load(dir).unwrap();
    let s = vault.slot(ADMIN).unwrap();
    let key = s.unlock(PASSWORD).unwrap().current;
    totsugo_core::inspect::raw_connection(&Store::file_in(dir), &key).unwrap()
}

#[test]
fn editing_an_audit_row_by_hand_is_detected() {
    let w = world();
    let n = w.admin().verify_audit().unwrap().unwrap();
    assert!(n > 10);
    let conn = raw_connection(w.path());
    // The triggers refuse a plain edit …
    assert!(
        conn.execute("UPDATE audit SET detail = 'x' WHERE id = 3", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM audit WHERE id = 3", []).is_err());
    // … and dropping them does not help.
    conn.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();
    conn.execute("UPDATE audit SET user_login = 'someone' WHERE id = 3", [])
        .unwrap();
    drop(conn);
    let admin = w.admin();
    let broken = admin.verify_audit().unwrap().unwrap_err();
    assert_eq!(broken, ChainBreak::Altered { id: 3 });
    assert!(broken.message_ja().contains("3 番"));
}

#[test]
fn deleting_an_audit_row_by_hand_is_detected() {
    let w = world();
    let conn = raw_connection(w.path());
    conn.execute_batch("DROP TRIGGER audit_no_delete;").unwrap();
    conn.execute("DELETE FROM audit WHERE id = 5", []).unwrap();
    drop(conn);
    assert_eq!(
        w.admin().verify_audit().unwrap(),
        Err(ChainBreak::Missing { id: 6 })
    );
}

#[test]
fn the_audit_export_is_a_csv_for_the_monthly_review() {
    let w = world();
    let admin = w.admin();
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    // Outside the store's folder: nothing may be written into it (issue 16 §6).
    let elsewhere = tempdir();
    let out = elsewhere.path().join("audit.csv");
    let n = admin
        .export_audit(Some(&today), Some(&today), &out)
        .unwrap();
    assert!(n > 10);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("番号,日時,利用者名,氏名,操作,対象,内容,ハッシュ"));
    assert!(text.contains("ログイン"));
    assert!(text.contains("取り込み"));
    assert_eq!(text.lines().count() as u64, n + 1);
    // Nothing from another day.
    let none = admin
        .export_audit(Some("2000-01-01"), Some("2000-01-31"), &out)
        .unwrap();
    assert_eq!(none, 0);
    // The export itself is in the trail.
    assert!(
        actions(&admin)
            .iter()
            .any(|(_, a, t)| a == "export" && t == "audit")
    );
    let _ = AuditAction::Export;
}

#[test]
fn the_recovery_key_opens_the_store_once_and_is_then_replaced() {
    let dir = tempdir();
    let (admin, recovery) = Session::init(dir.path(), ADMIN, "管理 太郎", PASSWORD).unwrap();
    drop(admin);
    // Every administrator password is lost.
    assert!(matches!(
        Session::recover(dir.path(), &RecoveryKey::generate(), ADMIN, NEW_PW),
        Err(SessionError::WrongRecoveryKey)
    ));
    let typed = RecoveryKey::parse(&recovery.grouped().to_lowercase());
    let (s, new_recovery) = Session::recover(dir.path(), &typed, ADMIN, NEW_PW).unwrap();
    assert_ne!(new_recovery, recovery);
    drop(s);
    assert!(Session::login(dir.path(), ADMIN, PASSWORD).is_err());
    let s = Session::login(dir.path(), ADMIN, NEW_PW).unwrap();
    assert!(actions(&s).iter().any(|(_, a, _)| a == "recovery"));
    drop(s);
    // The old recovery key no longer works.
    assert!(Session::recover(dir.path(), &recovery, ADMIN, "yet another passphrase").is_err());
}

#[test]
fn a_store_made_with_the_old_key_file_is_adopted_and_the_file_removed() {
    let dir = tempdir();
    let key = totsugo_core::store::StoreKey::random();
    {
        let mut store = totsugo_core::inspect::open_store(dir.path(), &key).unwrap();
        totsugo_core::inspect::import_without_session(&mut store, &demo_file()).unwrap();
    }
    let hex: String = key.0.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(dir.path().join("store.key"), hex).unwrap();
    let (s, _) = Session::init(dir.path(), ADMIN, "管理 太郎", PASSWORD).unwrap();
    assert_eq!(s.summary().unwrap().rows, 2000);
    assert!(!dir.path().join("store.key").exists());
}
