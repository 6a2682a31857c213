//! The `totsugo` command as an administrator runs it: a real process, a real store directory.

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// `totsugo --store STORE ARGS` with only the given TOTSUGO_* variables set.
pub(crate) fn command(store: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_totsugo"));
    c.arg("--store").arg(store).args(args);
    for v in [
        "TOTSUGO_STORE",
        "TOTSUGO_USER",
        "TOTSUGO_PASSWORD",
        "TOTSUGO_NEW_PASSWORD",
        "TOTSUGO_RECOVERY_KEY",
    ] {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

pub(crate) fn run(store: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(store, args, env).output().expect("totsugo runs")
}

/// Runs a command as the store's administrator, setting the store up first if needed.
pub(crate) fn totsugo(store: &Path, args: &[&str]) -> Output {
    let needs_store = !matches!(args.first(), Some(&"profile") | Some(&"user"));
    if needs_store && !totsugo_core::session::Session::is_initialised(store) {
        let o = run(
            store,
            &["user", "init", "--login", ADMIN, "--name", "管理 太郎"],
            &[("TOTSUGO_NEW_PASSWORD", PASSWORD)],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    run(
        store,
        args,
        &[("TOTSUGO_USER", ADMIN), ("TOTSUGO_PASSWORD", PASSWORD)],
    )
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn import_then_summary_as_text_and_json() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let demo = demo_file();
    let o = totsugo(&store, &["import", demo.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("取り込みました"), "{out}");
    assert!(out.contains("2,000"), "{out}");
    assert!(out.contains("CP932"), "{out}");

    let o = totsugo(&store, &["summary", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for (k, want) in [
        ("rows", 2000),
        ("mismatches", 47),
        ("in_scope", 41),
        ("lost", 6),
        ("case1", 6),
        ("case2", 7),
        ("case3", 1),
        ("no_stop", 33),
        // The family member's number (data rows 940 and 941) found by the cross-record checks.
        ("warnings", 2),
    ] {
        assert_eq!(v[k], want, "key {k}");
    }
    assert_eq!(v["warnings_by_kind"]["shared_number"], 2);
    assert_eq!(v["warnings_by_kind"]["registry_is_other_subscriber"], 1);
    assert_eq!(v["imports"][0]["file_name"], "match-result-demo.csv");

    let o = totsugo(&store, &["summary"]);
    assert!(stdout(&o).contains("点検対象"), "{}", stdout(&o));

    // A second import of the same file is refused with its own exit code.
    let o = totsugo(&store, &["import", demo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("取り込み済み"), "{}", stderr(&o));
}

#[test]
fn stores_live_side_by_side() {
    let dir = tempdir();
    let demo = demo_file();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    assert!(
        totsugo(&a, &["import", demo.to_str().unwrap()])
            .status
            .success()
    );
    let o = totsugo(&b, &["summary", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["rows"], 0);
    let o = totsugo(&a, &["summary", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["rows"], 2000);
}

#[test]
fn a_rejected_file_shows_row_and_column_and_no_personal_data() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let bad = write_cp932(
        dir.path(),
        "bad.csv",
        &format!(
            "{}{},{}\r\n",
            csv_text(&default_headers(), &[Row::matching(1)]),
            my_number(2),
            "山田"
        ),
    );
    let o = totsugo(&store, &["import", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("3行目") && err.contains("列の数"), "{err}");
    assert!(!err.contains(&my_number(2)), "{err}");
    assert!(!err.contains("山田"), "{err}");
}

#[test]
fn profile_written_edited_and_used() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let pfile = dir.path().join("profile.txt");
    let o = totsugo(&store, &["profile", "--write", pfile.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&pfile).unwrap();
    assert!(text.contains("my_number = 個人番号"));
    std::fs::write(&pfile, text.replace("= 枝番", "= 枝番号")).unwrap();
    let mut headers = default_headers();
    headers[3] = "枝番号".into();
    let rows: Vec<Row> = (1..=3)
        .map(|i| {
            let mut r = Row::matching(i);
            r.0.push(("枝番号".into(), "00".into()));
            r
        })
        .collect();
    let f = write_cp932(dir.path(), "p.csv", &csv_text(&headers, &rows));
    let o = totsugo(&store, &["import", f.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("「枝番」"), "{}", stderr(&o));
    let o = totsugo(
        &store,
        &[
            "import",
            f.to_str().unwrap(),
            "--profile",
            pfile.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn killing_the_process_mid_import_leaves_the_store_as_before() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let demo = demo_file();
    assert!(
        totsugo(&store, &["import", demo.to_str().unwrap()])
            .status
            .success()
    );
    let before_summary = stdout(&totsugo(&store, &["summary", "--json"]));
    let db = totsugo_core::store::Store::file_in(&store);
    let size_before = std::fs::metadata(&db).unwrap().len();

    let big = sample_file(dir.path(), "big.csv", 400_000, 3);
    let mut child = command(
        &store,
        &["import", big.to_str().unwrap()],
        &[("TOTSUGO_USER", ADMIN), ("TOTSUGO_PASSWORD", PASSWORD)],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    // Wait until the import has written well into the store file, then kill -9.
    let started = Instant::now();
    loop {
        let grown = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0) > size_before + 8_000_000;
        if grown {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import ended ({status}) before it could be killed: make the file larger");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the import did not progress"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // The import was writing its rows in (the store grew): the next open removes the rows of
    // the pending import and its lock file. The pages they took stay in the file, free for the
    // next import.
    assert_eq!(
        stdout(&totsugo(&store, &["summary", "--json"])),
        before_summary
    );
    let leftovers: Vec<_> = std::fs::read_dir(&store)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".import-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let audit = totsugo(&store, &["audit", "verify"]);
    assert!(audit.status.success(), "{}", stderr(&audit));
    let o = totsugo(&store, &["import", big.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["rows"], 400_000);
}

#[test]
fn first_run_users_and_the_audit_trail_from_the_command_line() {
    let dir = tempdir();
    let store = dir.path().join("store");
    // Nothing works before the first administrator exists.
    let o = run(
        &store,
        &["summary"],
        &[("TOTSUGO_USER", ADMIN), ("TOTSUGO_PASSWORD", PASSWORD)],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("user init"), "{}", stderr(&o));

    let o = run(
        &store,
        &["user", "init", "--login", ADMIN, "--name", "管理 太郎"],
        &[("TOTSUGO_NEW_PASSWORD", PASSWORD)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("復旧キー"), "{out}");
    let key_line = out
        .lines()
        .find(|l| l.trim().len() == 39 && l.contains('-'))
        .unwrap();
    assert_eq!(key_line.trim().split('-').count(), 8);
    // Once only.
    let o = run(
        &store,
        &["user", "init", "--login", "other", "--name", "x"],
        &[("TOTSUGO_NEW_PASSWORD", PASSWORD)],
    );
    assert!(!o.status.success());

    // Who is asking must be said, and the password must fit.
    let o = run(&store, &["summary"], &[("TOTSUGO_PASSWORD", PASSWORD)]);
    assert!(stderr(&o).contains("--user"), "{}", stderr(&o));
    let o = run(
        &store,
        &["summary"],
        &[("TOTSUGO_USER", ADMIN), ("TOTSUGO_PASSWORD", "wrong one")],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("パスワードが違います"),
        "{}",
        stderr(&o)
    );

    // A clerk: temporary password, changed at first use; no imports.
    let o = run(
        &store,
        &[
            "user",
            "add",
            "--login",
            "sato",
            "--name",
            "佐藤 一郎",
            "--role",
            "clerk",
        ],
        &[
            ("TOTSUGO_USER", ADMIN),
            ("TOTSUGO_PASSWORD", PASSWORD),
            ("TOTSUGO_NEW_PASSWORD", "temporary password 1"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let clerk = |args: &[&str], pw: &str, new: Option<&str>| {
        let mut env = vec![("TOTSUGO_USER", "sato"), ("TOTSUGO_PASSWORD", pw)];
        if let Some(n) = new {
            env.push(("TOTSUGO_NEW_PASSWORD", n));
        }
        run(&store, args, &env)
    };
    let o = clerk(&["summary"], "temporary password 1", None);
    assert!(stderr(&o).contains("user passwd"), "{}", stderr(&o));
    let o = clerk(
        &["user", "passwd"],
        "temporary password 1",
        Some("my own passphrase 2"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = clerk(&["summary", "--json"], "my own passphrase 2", None);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = clerk(
        &["import", demo_file().to_str().unwrap()],
        "my own passphrase 2",
        None,
    );
    assert!(stderr(&o).contains("権限がありません"), "{}", stderr(&o));

    let o = totsugo(&store, &["user", "list"]);
    let list = stdout(&o);
    assert!(list.contains("sato") && list.contains("担当者"), "{list}");

    let o = totsugo(&store, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("正しくつながっています"));
    let csv = dir.path().join("audit.csv");
    let o = totsugo(&store, &["audit", "export", "--out", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(std::fs::read(&csv).unwrap()).unwrap();
    assert!(text.contains("ログイン失敗"), "{text}");
    assert!(text.contains("パスワードの変更"), "{text}");
}

#[test]
fn the_release_schedule_is_shown_and_set_by_the_administrator() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let o = totsugo(&store, &["schedule"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("2023年12月25日（月）15:00まで"), "{out}");
    // Seed 002: 「令和5年12月14日までに…報告があったもの」: the whole 14th, never "0:00".
    assert!(out.contains("2023年12月14日（木）まで"), "{out}");
    assert!(!out.contains("0:00"), "{out}");
    assert!(
        out.contains("以後毎週") && out.contains("次の締切"),
        "{out}"
    );
    let o = totsugo(&store, &["schedule", "--set", "2099-01-05 15:00\\n毎週"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("次の締切: 2099年1月5日（月）15:00"),
        "{}",
        stdout(&o)
    );
    let o = totsugo(&store, &["schedule", "--set", "2099-02-30"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("1行目"), "{}", stderr(&o));
}

#[test]
fn the_count_report_is_printed_for_a_script_with_the_forms_item_numbers() {
    use totsugo_core::auth::Role;
    use totsugo_core::review::{Choice, Decision};
    let dir = tempdir();
    let store = dir.path().join("store");
    let o = totsugo(&store, &["import", demo_file().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    add_person(&store, "clerk1", "担当 花子", Role::Clerk, false);
    let clerk = totsugo_core::session::Session::login(&store, "clerk1", PERSON_PW).unwrap();
    let todo = clerk.next_undecided().unwrap().unwrap();
    // 「別途J-LIS照会を行い変更履歴等が確認できた場合」: same person, 2-3.
    clerk
        .decide(
            todo,
            Choice::new(Decision::SameByJlisInquiry),
            "J-LIS照会で転居履歴を確認",
            true,
        )
        .unwrap();
    let next = clerk.next_undecided().unwrap().unwrap();
    clerk
        .decide(next, Choice::new(Decision::AskEmployer), "", true)
        .unwrap();
    drop(clerk);

    let o = totsugo(&store, &["report", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Item 1 「突合時点で加入資格」: the demo's 47 mismatches less the 6 lost before the match date.
    assert_eq!(v["1"], 41);
    assert_eq!(v["2"], 1);
    assert_eq!(v["2-3"], 1);
    // The employer has not answered: 照会中, not in item 3.
    assert_eq!(v["3"], 0);
    assert_eq!(v["pending_employer"], 1);
    assert_eq!(v["out_of_scope"], 6);
    for k in [
        "1", "2", "2-1", "2-2", "2-3", "2-4", "3", "3-1", "3-2", "4", "4-1", "4-2", "4-3", "4-4",
        "4-5", "4-6", "4-7", "4-8", "5",
    ] {
        assert!(v[k].is_u64(), "item {k} in {v}");
    }
    let o = totsugo(&store, &["report", "--approved-only"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("判断と設問の対応"), "{text}");
    assert!(text.contains("照会中"), "{text}");
    assert!(
        text.contains("J-LIS照会で変更履歴等を確認: 設問2・設問2-3"),
        "{text}"
    );
}

#[test]
fn the_letter_texts_are_shown_set_previewed_and_reset_from_the_command_line() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let o = totsugo(&store, &["letter-text", "A"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("既定の文面"), "{out}");
    assert!(out.contains("{閲覧停止の説明}"), "{out}");
    // An unknown placeholder is refused by name; nothing is saved.
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "件名\n{送付先}へ").unwrap();
    let o = totsugo(
        &store,
        &["letter-text", "A", "--set", bad.to_str().unwrap()],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("「{送付先}」"), "{}", stderr(&o));
    // A good one is saved and previewed as a real page.
    let good = dir.path().join("good.txt");
    std::fs::write(
        &good,
        "確認のお願い（CLI版）\n{回答期限}までにお送りください。\n{閲覧停止の説明}\n",
    )
    .unwrap();
    let pdf = dir.path().join("見本.pdf");
    let o = totsugo(
        &store,
        &[
            "letter-text",
            "A",
            "--set",
            good.to_str().unwrap(),
            "--versions",
            "--preview",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("版 1"), "{}", stdout(&o));
    let text: String = pdftotext(&pdf).split_whitespace().collect();
    assert!(text.contains("確認のお願い（CLI版）"), "{text}");
    assert!(text.contains("見本花子"), "{text}");
    let o = totsugo(&store, &["letter-text", "a", "--reset"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("既定の文面"));
    assert!(stdout(&o).contains("個人番号（マイナンバー）のご提出のお願い"));
}

#[test]
fn the_app_prints_its_options_for_help_instead_of_opening() {
    // issue 13 §12: 「`totsugo-app --help` opens the app instead of printing its options」.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_totsugo-app"))
        .arg("--help")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("--store DIR"), "{out}");
}

#[test]
fn an_administrator_cannot_give_themselves_supervisor_or_the_my_number_right_from_the_cli() {
    // Issue 16 §5: the attack is one command at the terminal.
    let dir = tempdir();
    let store = dir.path().join("store");
    let o = totsugo(&store, &["summary"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for args in [
        &[
            "user",
            "set-rights",
            "--login",
            ADMIN,
            "--role",
            "admin",
            "--role",
            "supervisor",
        ][..],
        &[
            "user",
            "set-rights",
            "--login",
            ADMIN,
            "--role",
            "admin",
            "--may-reveal",
        ][..],
    ] {
        let o = totsugo(&store, args);
        assert!(!o.status.success(), "{args:?} was allowed");
        let e = stderr(&o);
        assert!(e.contains("自分自身に"), "{e}");
        assert!(e.contains("管理者があなた1人だけ"), "{e}");
    }
    let list = stdout(&totsugo(&store, &["user", "list"]));
    assert!(!list.contains("責任者"), "{list}");
}

#[test]
fn the_audit_anchor_and_failed_logins_reach_the_system_log_and_a_disable_prints_a_new_recovery_key()
{
    let dir = tempdir();
    let store = dir.path().join("store");
    let log = dir.path().join("oslog.txt");
    let log_s = log.to_str().unwrap();
    let env_admin = [
        ("TOTSUGO_USER", ADMIN),
        ("TOTSUGO_PASSWORD", PASSWORD),
        ("TOTSUGO_OS_LOG_COPY", log_s),
    ];
    let o = run(
        &store,
        &["user", "init", "--login", ADMIN, "--name", "管理 太郎"],
        &[
            ("TOTSUGO_NEW_PASSWORD", PASSWORD),
            ("TOTSUGO_OS_LOG_COPY", log_s),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        &store,
        &[
            "user",
            "add",
            "--login",
            "sato",
            "--name",
            "佐藤 一郎",
            "--role",
            "clerk",
        ],
        &[
            ("TOTSUGO_USER", ADMIN),
            ("TOTSUGO_PASSWORD", PASSWORD),
            ("TOTSUGO_NEW_PASSWORD", "temporary password 1"),
            ("TOTSUGO_OS_LOG_COPY", log_s),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // A failed login is witnessed by the system's log at once (not only in the slot file).
    let o = run(
        &store,
        &["summary"],
        &[
            ("TOTSUGO_USER", "sato"),
            ("TOTSUGO_PASSWORD", "a wrong guess"),
            ("TOTSUGO_OS_LOG_COPY", log_s),
        ],
    );
    assert!(!o.status.success());
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("login_failed login=sato"), "{text}");
    // Every session leaves the trail's head (count and hash) in the system's log.
    let o = run(&store, &["audit", "verify"], &env_admin);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&log).unwrap();
    let anchors: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("audit-anchor"))
        .collect();
    assert!(anchors.len() >= 3, "{text}");
    assert!(
        anchors
            .iter()
            .all(|l| l.contains(" head=") && l.contains(" count="))
    );
    // No name of a person, no folder path: only a fingerprint of the store.
    assert!(
        !text.contains("佐藤") && !text.contains(store.to_str().unwrap()),
        "{text}"
    );

    // Disabling the clerk re-keys the store and prints the new recovery key.
    let o = run(&store, &["user", "disable", "--login", "sato"], &env_admin);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("保管データの鍵を新しくしました"), "{out}");
    assert!(out.contains("前の復旧キーの用紙は使えません"), "{out}");
    let key_line = out
        .lines()
        .find(|l| l.trim().len() == 39 && l.contains('-'))
        .unwrap();
    let vault = totsugo_core::vault::Vault::load(&store).unwrap();
    assert!(
        vault
            .unwrap_recovery(&totsugo_core::vault::RecoveryKey::parse(key_line))
            .is_ok()
    );
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("rekey user=admin")
    );
}
