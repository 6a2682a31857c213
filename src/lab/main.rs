//! `totsugo-lab`: synthetic match-result files (`sample`) and the scoring of the explanations
//! against labelled data (`evaluate`), for demos, tests and benchmarks. Not shipped with the
//! product: the installers carry `totsugo` and `totsugo-app` only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use totsugo_core::summary::format_thousands;
use totsugo_lab::sample::{SampleEncoding, SampleOptions, write_sample};

/// totsugo の実験用ツール: 架空の突合結果ファイルと説明の品質評価
#[derive(Parser)]
#[command(name = "totsugo-lab", version)]
struct Cli {
    #[command(subcommand)]
    command: LabCommand,
}

#[derive(Subcommand)]
enum LabCommand {
    /// 架空の突合結果ファイルを作ります（デモ・試験・性能測定用）
    Sample {
        /// 行数
        #[arg(long)]
        rows: u64,
        /// 出力先
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// 文字コード
        #[arg(long, value_enum, default_value = "cp932")]
        encoding: SampleEnc,
        /// 乱数の種（同じ種からは同じファイルができます）
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 評価用データにします: 不一致を多く（--mismatch-share の割合で）仕込み、各不一致行の
        /// 正解（項目ごとの一致・表記ゆれ・相違と番号誤りかどうか）をこのファイルに JSON Lines で書きます
        #[arg(long, value_name = "FILE")]
        truth: Option<PathBuf>,
        /// 評価用データで不一致を仕込む行の割合
        #[arg(long, default_value_t = 0.4, requires = "truth")]
        mismatch_share: f64,
        /// 存在しない生年月日（2月30日・31日: 保険者側の入力誤り）を入れる行の割合（取り込みの
        /// 性能測定で内容の注意を含めるため。例: 0.01）
        #[arg(long, default_value_t = 0.0)]
        bad_values: f64,
    },
    /// `analyze` の出力を評価用データの正解と照らし合わせ、説明の品質を表示します
    Evaluate {
        /// `sample --truth` が書いた正解
        #[arg(long, value_name = "FILE")]
        truth: PathBuf,
        /// `analyze` の出力
        #[arg(long, value_name = "FILE")]
        analysis: PathBuf,
    },
}

#[derive(Copy, Clone, ValueEnum)]
enum SampleEnc {
    Cp932,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(name = "utf-8-bom")]
    Utf8Bom,
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("エラー: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: LabCommand) -> Result<ExitCode, String> {
    match command {
        LabCommand::Evaluate { truth, analysis } => {
            let read = |p: &Path| {
                std::fs::read_to_string(p).map_err(|e| format!("{} を読めません: {e}", p.display()))
            };
            let report = totsugo_lab::eval::score(&read(&truth)?, &read(&analysis)?)?;
            println!("{}", report.to_text());
            let missed = report.meets_goals();
            if missed.is_empty() {
                println!("目標をすべて満たしています");
                Ok(ExitCode::SUCCESS)
            } else {
                println!("満たしていない目標:\n{}", missed.join("\n"));
                Ok(ExitCode::from(5))
            }
        }
        LabCommand::Sample {
            rows,
            out,
            encoding,
            seed,
            truth,
            mismatch_share,
            bad_values,
        } => {
            let encoding = match encoding {
                SampleEnc::Cp932 => SampleEncoding::Cp932,
                SampleEnc::Utf8 => SampleEncoding::Utf8,
                SampleEnc::Utf8Bom => SampleEncoding::Utf8Bom,
            };
            let f = std::fs::File::create(&out)
                .map_err(|e| format!("{} を作れません: {e}", out.display()))?;
            if let Some(truth) = truth {
                let t = std::fs::File::create(&truth)
                    .map_err(|e| format!("{} を作れません: {e}", truth.display()))?;
                let opts = totsugo_lab::sample::EvalOptions {
                    rows,
                    seed,
                    encoding,
                    mismatch_share,
                    ..Default::default()
                };
                let stats = totsugo_lab::sample::write_eval_set(
                    std::io::BufWriter::with_capacity(1 << 20, f),
                    std::io::BufWriter::new(t),
                    &opts,
                )
                .map_err(|e| format!("{} に書けません: {e}", out.display()))?;
                eprintln!(
                    "評価用の架空の突合結果ファイルを書きました: {}（{} 行、不一致 {} 行、種 {seed}）、正解: {}",
                    out.display(),
                    format_thousands(rows),
                    format_thousands(stats.mismatches),
                    truth.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let opts = SampleOptions {
                rows,
                seed,
                encoding,
                bad_values,
                ..Default::default()
            };
            let stats = write_sample(std::io::BufWriter::with_capacity(1 << 20, f), &opts)
                .map_err(|e| format!("{} に書けません: {e}", out.display()))?;
            eprintln!(
                "架空の突合結果ファイルを書きました: {}（{} 行、種 {seed}）",
                out.display(),
                format_thousands(rows)
            );
            eprintln!(
                "仕込んだ不一致: {}",
                serde_json::to_string(&stats.mismatches).expect("stats serialize")
            );
            if stats.bad_values > 0 {
                eprintln!(
                    "存在しない生年月日を入れた行: {}",
                    format_thousands(stats.bad_values)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
