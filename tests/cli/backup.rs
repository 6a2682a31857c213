//! `totsugo backup --to DIR` and `totsugo restore --from DIR`, as a script runs them: a real
//! process, a real store, a restore on a fresh folder that opens with the same password and
//! whose trail verifies; a restore over a live store refused.

use crate::cli::{run, stderr, stdout, totsugo};
use crate::common;

use common::*;

#[test]
fn a_script_backs_up_and_restores_on_a_fresh_folder() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let demo = demo_file();
    assert!(
        totsugo(&store, &["import", demo.to_str().unwrap()])
            .status
            .success()
    );
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let o = totsugo(&store, &["backup", "--to", usb.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("バックアップを作りました") && out.contains("記録 2,000 件"),
        "{out}"
    );
    let folders: Vec<_> = std::fs::read_dir(&usb)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 1);
    let backup = folders[0].to_str().unwrap().to_string();

    // Over the live store: refused, and it still opens as before.
    let o = totsugo(&store, &["restore", "--from", &backup]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("すでに保管データがあります"),
        "{}",
        stderr(&o)
    );

    // On a fresh folder: restored, then the usual commands work with the same password.
    let fresh = dir.path().join("fresh");
    let as_admin = [("TOTSUGO_USER", ADMIN), ("TOTSUGO_PASSWORD", PASSWORD)];
    let o = run(&fresh, &["restore", "--from", &backup], &as_admin);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("復元しました"), "{}", stdout(&o));
    let o = run(&fresh, &["summary", "--json"], &as_admin);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["rows"], 2000);
    let o = run(&fresh, &["audit", "verify"], &as_admin);
    assert!(o.status.success(), "{}", stderr(&o));
    // The restore is in the restored trail.
    let csv = dir.path().join("trail.csv");
    let o = run(
        &fresh,
        &["audit", "export", "--out", csv.to_str().unwrap()],
        &as_admin,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&csv).unwrap();
    let text = String::from_utf8(bytes.clone())
        .unwrap_or_else(|_| encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned());
    assert!(text.contains("バックアップからの復元"), "{text}");
    assert!(text.contains("バックアップ"), "{text}");
}
