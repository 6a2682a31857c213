//! The insider's side of the app (issue 16): disabling a user re-keys the store and shows the
//! new recovery key once; tampering found at login is shown to the administrator at home.

#![cfg(feature = "gui")]

use crate::common::*;
use crate::ui::{clerk, click, has_text, logged_in, settle};
use egui_kittest::kittest::Queryable;

use totsugo_core::session::Session;
use totsugo_core::vault::{RecoveryKey, Vault};

#[test]
fn disabling_a_clerk_in_the_app_rekeys_and_shows_the_new_recovery_key_once() {
    let dir = tempdir();
    drop(open(dir.path()));
    let pw = clerk(dir.path(), "clerk1");
    let copy = std::fs::read_to_string(Vault::path_in(dir.path())).unwrap();
    let mut h = logged_in(dir.path(), ADMIN, PASSWORD);
    click(&mut h, "利用者の管理");
    click(&mut h, "無効にする");
    // The re-key runs off the UI thread; then the new recovery key is shown.
    for _ in 0..200 {
        settle(&mut h);
        if matches!(h.state().screen, totsugo_app::Screen::RecoveryKey(_)) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let totsugo_app::Screen::RecoveryKey(key) = h.state().screen.clone() else {
        panic!("no recovery key shown: {:?}", h.state().message);
    };
    assert!(has_text(&h, "新しい復旧キー"));
    assert!(has_text(&h, "前の復旧キーの用紙は使えません"));
    // The key shown opens the new slot file.
    let vault = Vault::load(dir.path()).unwrap();
    assert!(vault.unwrap_recovery(&RecoveryKey::parse(&key)).is_ok());
    h.get_by_label("復旧キーを書き留めて保管しました").click();
    settle(&mut h);
    click(&mut h, "次へ");
    assert_eq!(h.state().screen, totsugo_app::Screen::Users);
    assert!(has_text(&h, "無効"));
    // The clerk is out, with the current file and with the copy they kept.
    assert!(Session::login(dir.path(), "clerk1", pw).is_err());
    let old: Vault = serde_json::from_str(&copy).unwrap();
    let old_key = old.slot("clerk1").unwrap().unlock(pw).unwrap().current;
    assert!(
        totsugo_core::inspect::raw_connection(
            &totsugo_core::store::Store::file_in(dir.path()),
            &old_key
        )
        .is_err()
    );
}

#[test]
fn tampering_found_at_login_is_shown_to_the_administrator_at_home() {
    let dir = tempdir();
    drop(open(dir.path()));
    let pw = clerk(dir.path(), "clerk1");
    for _ in 0..2 {
        assert!(Session::login(dir.path(), "clerk1", "a wrong guess 9876").is_err());
    }
    drop(Session::login(dir.path(), "clerk1", pw).unwrap());
    for _ in 0..2 {
        assert!(Session::login(dir.path(), "clerk1", "a wrong guess 9876").is_err());
    }
    drop(open(dir.path()));
    // The failure counters are set back by hand.
    let mut v = Vault::load(dir.path()).unwrap();
    v.slot_mut("clerk1").unwrap().failures_total = 0;
    v.save(dir.path()).unwrap();
    let mut h = logged_in(dir.path(), ADMIN, PASSWORD);
    settle(&mut h);
    assert!(has_text(
        &h,
        "改ざんの疑いがあります（操作記録に残しました）"
    ));
    assert!(has_text(
        &h,
        "ログイン失敗の回数が巻き戻されています（clerk1）"
    ));
}

/// Issue 17: the administrator writes a backup from the app; on a terminal without a store the
/// first run restores it, and the administrator is logged in on the restored store.
#[test]
fn a_backup_made_in_the_app_is_restored_from_the_first_run_of_an_empty_terminal() {
    use egui::accesskit::Role;
    let root = tempdir();
    let store = root.path().join("store");
    let mut s = open(&store);
    import(&mut s, &demo_file()).unwrap();
    drop(s);
    let usb = root.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let mut h = logged_in(&store, ADMIN, PASSWORD);
    // No backup yet: home reminds the administrator and leads to the screen.
    assert!(has_text(&h, "まだバックアップがありません"));
    click(&mut h, "バックアップへ");
    assert_eq!(h.state().screen, totsugo_app::Screen::Backup);
    crate::ui::type_into(
        &mut h,
        Role::TextInput,
        "作成先のフォルダ",
        usb.to_str().unwrap(),
    );
    click(&mut h, "バックアップを作る");
    assert!(
        h.state()
            .message
            .as_ref()
            .is_some_and(|(err, m)| !err && m.contains("バックアップを作りました")),
        "{:?}",
        h.state().message
    );
    assert!(has_text(&h, "このフォルダにあるバックアップ"));
    assert!(has_text(&h, "記録 2,000 件"));
    drop(h);

    // Another terminal: the first run offers the restore; the drive's folder lists the backup.
    let fresh = root.path().join("fresh");
    let mut h = crate::ui::app(&fresh);
    settle(&mut h);
    click(&mut h, "バックアップから復元…");
    assert_eq!(h.state().screen, totsugo_app::Screen::Restore);
    crate::ui::type_into(
        &mut h,
        Role::TextInput,
        "バックアップのフォルダ",
        usb.to_str().unwrap(),
    );
    let name = std::fs::read_dir(&usb)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned();
    h.query_all_by_label_contains(&name)
        .next()
        .expect("the backup is listed")
        .click();
    settle(&mut h);
    assert!(h.state().backup.restore_from.contains("totsugo-backup-"));
    crate::ui::type_into(&mut h, Role::TextInput, "利用者名（管理者）", ADMIN);
    crate::ui::type_into(&mut h, Role::PasswordInput, "パスワード", PASSWORD);
    click(&mut h, "復元する");
    assert_eq!(
        h.state().screen,
        totsugo_app::Screen::Home,
        "{:?}",
        h.state().message
    );
    assert!(has_text(&h, "バックアップから復元しました"));
    assert!(
        h.state().backup.restore_password.is_empty(),
        "the password is not kept"
    );
    assert_eq!(
        h.state()
            .session
            .as_ref()
            .unwrap()
            .store()
            .record_count()
            .unwrap(),
        2000
    );
}
