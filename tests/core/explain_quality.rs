//! Quality of the explanation engine: `totsugo analyze` on a 20,000-row evaluation set with
//! planted notation differences, real differences (hard negatives included) and wrong
//! numbers, scored against the known truth. Run with `--nocapture` to see the table.

use std::process::Command;

use totsugo_lab::eval::score;
use totsugo_lab::sample::{EvalOptions, write_eval_set};

#[test]
fn analyze_meets_the_quality_goals_on_the_evaluation_set() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("eval.csv");
    let opts = EvalOptions {
        rows: 20_000,
        seed: 20_230_915,
        ..Default::default()
    };
    let mut truth = Vec::new();
    let stats = write_eval_set(
        std::io::BufWriter::new(std::fs::File::create(&csv_path).unwrap()),
        &mut truth,
        &opts,
    )
    .unwrap();
    assert_eq!(stats.rows, 20_000);
    let truth = String::from_utf8(truth).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_totsugo"))
        .args(["analyze".as_ref(), csv_path.as_os_str()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "totsugo analyze failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let analysis = String::from_utf8(out.stdout).expect("analyze writes UTF-8");

    let report = score(&truth, &analysis).unwrap();
    println!(
        "planted: {}",
        serde_json::to_string(&stats.by_kind).unwrap()
    );
    println!("{}", report.to_text());
    let missed = report.meets_goals();
    assert!(missed.is_empty(), "goals not met:\n{}", missed.join("\n"));
}
