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
