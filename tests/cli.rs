//! The `totsugo` command as an administrator runs it: a real process, a real store directory.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn totsugo(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_totsugo"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("TOTSUGO_STORE")
        .output()
        .expect("totsugo runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
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
        ("warnings", 0),
    ] {
        assert_eq!(v[k], want, "key {k}");
    }
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
        &csv_text(
            &default_headers(),
            &[Row::matching(1), Row::matching(2).set("判定結果_住所", "?")],
        ),
    );
    let o = totsugo(&store, &["import", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("3行目「判定結果_住所」列"), "{err}");
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
fn sample_is_deterministic_and_honours_the_encoding() {
    let dir = tempdir();
    let s = dir.path().join("s");
    let make = |name: &str, enc: &str, seed: &str| {
        let p = dir.path().join(name);
        let o = totsugo(
            &s,
            &[
                "sample",
                "--rows",
                "500",
                "--out",
                p.to_str().unwrap(),
                "--encoding",
                enc,
                "--seed",
                seed,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(p).unwrap()
    };
    let a = make("a.csv", "cp932", "9");
    let b = make("b.csv", "cp932", "9");
    let u = make("u.csv", "utf-8", "9");
    assert_eq!(a, b);
    assert!(
        std::str::from_utf8(&a).is_err(),
        "CP932 output must not be UTF-8"
    );
    let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&a);
    assert!(!bad);
    assert_eq!(decoded.as_bytes(), u.as_slice());
    assert!(decoded.starts_with("保険者番号,"));
    assert_eq!(decoded.lines().count(), 501);
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
    let db = totsugo::store::Store::file_in(&store);
    let size_before = std::fs::metadata(&db).unwrap().len();

    let big = sample_file(dir.path(), "big.csv", 400_000, 3);
    let mut child = Command::new(env!("CARGO_BIN_EXE_totsugo"))
        .arg("--store")
        .arg(&store)
        .arg("import")
        .arg(&big)
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

    // The next open rolls the interrupted transaction back.
    assert_eq!(
        stdout(&totsugo(&store, &["summary", "--json"])),
        before_summary
    );
    assert_eq!(std::fs::metadata(&db).unwrap().len(), size_before);
    let o = totsugo(&store, &["import", big.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["rows"], 400_000);
}
