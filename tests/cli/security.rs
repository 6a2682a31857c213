//! The command line against an insider (issue 16 §6, §7): an export aimed at the key slots,
//! the recovery sheet remembered for the purge, a purge run again after it stopped half-way,
//! a crash that must not print its payload, and the periodic reviews.

use crate::cli::{run, stderr, stdout, totsugo};
use crate::common::*;

#[test]
fn an_audit_export_over_the_key_slots_is_refused_and_the_store_still_opens() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let o = totsugo(&store, &["summary"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let target = store.join("keyslots.json");
    let o = totsugo(
        &store,
        &["audit", "export", "--out", target.to_str().unwrap()],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("保管場所"), "{}", stderr(&o));
    // Through `..` from a folder beside the store: the same.
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let sneaky = dir.path().join("out/../store/keyslots.json");
    let o = totsugo(
        &store,
        &["audit", "export", "--out", sneaky.to_str().unwrap()],
    );
    assert!(!o.status.success());
    // Nor the default mapping profile, written without a login.
    let o = totsugo(&store, &["profile", "--write", target.to_str().unwrap()]);
    assert!(!o.status.success(), "{}", stdout(&o));
    // Still the key slots (each login rewrites them: a new generation and anchor), not the
    // profile or the export.
    let vault = totsugo_core::vault::Vault::load(&store).unwrap();
    assert!(vault.slot(ADMIN).is_some());
    let o = totsugo(&store, &["summary"]);
    assert!(o.status.success(), "the store still opens: {}", stderr(&o));
}

#[test]
fn a_crash_prints_a_plain_message_without_its_payload() {
    let dir = tempdir();
    let o = run(
        &dir.path().join("store"),
        &["summary"],
        &[("TOTSUGO_TEST_PANIC", "山田　太郎 東京都港区赤坂1-11-2")],
    );
    assert_eq!(o.status.code(), Some(101));
    let err = stderr(&o);
    assert!(err.contains("予期しない内部エラー"), "{err}");
    assert!(!err.contains("山田") && !err.contains("赤坂"), "{err}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn the_recovery_sheet_is_owner_only_and_goes_with_the_purge() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let sheet = dir.path().join("recovery.pdf");
    let o = run(
        &store,
        &[
            "user",
            "init",
            "--login",
            ADMIN,
            "--name",
            "管理 太郎",
            "--recovery-sheet",
            sheet.to_str().unwrap(),
        ],
        &[("TOTSUGO_NEW_PASSWORD", PASSWORD)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&sheet).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // Not into the store's folder.
    let o = run(
        &dir.path().join("store2"),
        &[
            "user",
            "init",
            "--login",
            ADMIN,
            "--name",
            "管理 太郎",
            "--recovery-sheet",
            dir.path().join("store2/sheet.pdf").to_str().unwrap(),
        ],
        &[("TOTSUGO_NEW_PASSWORD", PASSWORD)],
    );
    assert!(!o.status.success(), "{}", stdout(&o));
    let record = dir.path().join("record.pdf");
    let o = totsugo(
        &store,
        &[
            "purge",
            "--record",
            record.to_str().unwrap(),
            "--confirm",
            "消去",
            "--confirm",
            "消去",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!sheet.exists(), "the recovery sheet is purged too");
}

#[test]
fn a_purge_that_could_not_finish_says_so_and_a_second_run_finishes() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let export = out.join("audit.csv");
    let o = totsugo(
        &store,
        &["audit", "export", "--out", export.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The export cannot be deleted: a folder stands in its place.
    std::fs::remove_file(&export).unwrap();
    std::fs::create_dir_all(export.join("x")).unwrap();
    let record = dir.path().join("record.pdf");
    let purge = |store: &std::path::Path| {
        run(
            store,
            &[
                "purge",
                "--record",
                record.to_str().unwrap(),
                "--confirm",
                "消去",
                "--confirm",
                "消去",
            ],
            &[("TOTSUGO_USER", ADMIN), ("TOTSUGO_PASSWORD", PASSWORD)],
        )
    };
    let o = purge(&store);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("audit.csv"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("消去は終わっていません"),
        "{}",
        stderr(&o)
    );
    // The store can no longer be opened.
    assert!(!totsugo_core::session::Session::is_initialised(&store));
    std::fs::remove_dir_all(&export).unwrap();
    let o = purge(&store);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("途中で止まっていた消去を終えました"),
        "{}",
        stdout(&o)
    );
    assert!(!store.exists());
}

#[test]
fn the_monthly_and_half_yearly_reviews_on_the_command_line() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let o = totsugo(&store, &["summary"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        &store,
        &["summary"],
        &[
            ("TOTSUGO_USER", ADMIN),
            ("TOTSUGO_PASSWORD", "wrong password"),
        ],
    );
    assert!(!o.status.success());
    let month = chrono::Local::now().format("%Y-%m").to_string();
    let o = totsugo(
        &store,
        &[
            "review",
            "access-log",
            "--month",
            &month,
            "--filter",
            "failed-logins",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ログイン失敗"), "{out}");
    assert!(out.contains("操作記録の鎖: 異常なし"), "{out}");
    // This month is not over: no sign-off.
    let o = totsugo(
        &store,
        &["review", "access-log", "--month", &month, "--sign-off"],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("まだ終わっていない"), "{}", stderr(&o));
    // The user list, signed off.
    let o = totsugo(
        &store,
        &["review", "users", "--sign-off", "--note", "異常なし"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("admin") && out.contains("管理者") && out.contains("特権"),
        "{out}"
    );
    assert!(out.contains("利用者の点検を確認しました"), "{out}");
    let o = totsugo(
        &store,
        &["review", "access-log", "--month", &month, "--filter", "all"],
    );
    assert!(stdout(&o).contains("定期点検の確認"), "{}", stdout(&o));
}
