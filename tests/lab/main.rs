//! The lab's integration tests (one binary): the `totsugo-lab` command as benchmarks and the
//! demo file use it.

use std::process::Command;

#[test]
fn sample_is_deterministic_and_honours_the_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let make = |name: &str, enc: &str, seed: &str| {
        let p = dir.path().join(name);
        let o = Command::new(env!("CARGO_BIN_EXE_totsugo-lab"))
            .args([
                "sample",
                "--rows",
                "500",
                "--out",
                p.to_str().unwrap(),
                "--encoding",
                enc,
                "--seed",
                seed,
            ])
            .output()
            .expect("totsugo-lab runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
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
