//! `totsugo`: the command-line tool. Every command calls the core library; nothing here holds
//! a domain rule.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use totsugo::encoding::EncodingChoice;
use totsugo::import::{ImportError, ImportOptions, Progress, import_file};
use totsugo::profile::Profile;
use totsugo::sample::{SampleEncoding, SampleOptions, write_sample};
use totsugo::store::{ImportInfo, Store};
use totsugo::summary::{Counts, format_thousands};

/// 突合結果レビュー (totsugo): 突合結果ファイルの取り込みと集計
#[derive(Parser)]
#[command(name = "totsugo", version, about)]
struct Cli {
    /// 保管場所のフォルダ（既定: 利用者のデータフォルダ）。環境変数 TOTSUGO_STORE でも指定できます
    #[arg(long, global = true, env = "TOTSUGO_STORE", value_name = "DIR")]
    store: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 突合結果ファイル（CSV）を取り込み、件数を表示します
    Import {
        /// 取り込むファイル
        file: PathBuf,
        /// 文字コード: auto（自動判別）, cp932, utf-8
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// 列の対応表ファイル（既定の対応表は `totsugo profile --write` で書き出せます）
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
        /// 結果を JSON で出力します
        #[arg(long)]
        json: bool,
    },
    /// 保管されている突合結果の件数を表示します
    Summary {
        /// JSON で出力します
        #[arg(long)]
        json: bool,
    },
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
    },
    /// 列の対応表（マッピングプロファイル）を扱います
    Profile {
        /// 既定の対応表をこのファイルに書き出します（編集して --profile で使います）
        #[arg(long, value_name = "FILE")]
        write: PathBuf,
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

/// Exit code when the file was imported before (so that scripts can tell).
const EXIT_ALREADY_IMPORTED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("エラー: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn store_dir(cli_store: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(d) = cli_store {
        return Ok(d);
    }
    directories::ProjectDirs::from("jp", "totsugo", "totsugo")
        .map(|p| p.data_local_dir().to_path_buf())
        .ok_or_else(|| "利用者のデータフォルダが分かりません。--store で指定してください".into())
}

fn open_store(dir: &Path) -> Result<Store, String> {
    let key = totsugo::keyfile::load_or_create(dir).map_err(|e| e.to_string())?;
    Store::open(dir, &key).map_err(|e| e.to_string())
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Import {
            file,
            encoding,
            profile,
            json,
        } => {
            let encoding: EncodingChoice = encoding.parse()?;
            let profile = match profile {
                Some(p) => Profile::load(&p).map_err(|e| e.to_string())?,
                None => Profile::default(),
            };
            let mut store = open_store(&store_dir(cli.store)?)?;
            import(&mut store, &file, ImportOptions { encoding, profile }, json)
        }
        Command::Summary { json } => {
            let store = open_store(&store_dir(cli.store)?)?;
            let imports = store.imports().map_err(|e| e.to_string())?;
            let counts = store.summary().map_err(|e| e.to_string())?;
            if json {
                print_json(&SummaryJson {
                    counts: &counts,
                    imports: imports.iter().map(ImportJson::from).collect(),
                });
            } else {
                if imports.is_empty() {
                    println!("取り込まれた突合結果ファイルはまだありません。");
                }
                for i in &imports {
                    println!(
                        "取込番号 {}: {}（{}、{}、{} 行）",
                        i.id,
                        i.file_name,
                        i.imported_at,
                        i.encoding,
                        format_thousands(i.counts.rows)
                    );
                }
                print!("{}", counts.to_text_ja());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Sample {
            rows,
            out,
            encoding,
            seed,
        } => {
            let encoding = match encoding {
                SampleEnc::Cp932 => SampleEncoding::Cp932,
                SampleEnc::Utf8 => SampleEncoding::Utf8,
                SampleEnc::Utf8Bom => SampleEncoding::Utf8Bom,
            };
            let f = std::fs::File::create(&out)
                .map_err(|e| format!("{} を作れません: {e}", out.display()))?;
            let opts = SampleOptions {
                rows,
                seed,
                encoding,
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
            Ok(ExitCode::SUCCESS)
        }
        Command::Profile { write } => {
            std::fs::write(&write, Profile::default().to_text())
                .map_err(|e| format!("{} に書けません: {e}", write.display()))?;
            eprintln!("既定の対応表を書き出しました: {}", write.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn import(
    store: &mut Store,
    file: &Path,
    opts: ImportOptions,
    json: bool,
) -> Result<ExitCode, String> {
    let started = Instant::now();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut on_progress = |p: Progress| {
        if bar.is_none() && started.elapsed().as_secs_f64() > 1.0 {
            let b = indicatif::ProgressBar::new(p.total_bytes);
            b.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} 残り {eta}")
                    .expect("valid template"),
            );
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(p.bytes);
            b.set_message(format!("{} 行", format_thousands(p.rows)));
        }
    };
    let cancel = AtomicBool::new(false);
    let result = import_file(store, file, &opts, &mut on_progress, &cancel);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    match result {
        Ok(r) => {
            let secs = r.elapsed.as_secs_f64();
            if json {
                print_json(&ImportReportJson {
                    import_id: r.import_id,
                    file: file.display().to_string(),
                    encoding: r.encoding.name(),
                    profile: &r.profile,
                    counts: &r.counts,
                    extra_headers: &r.extra_headers,
                    seconds: secs,
                });
            } else {
                println!(
                    "取り込みました: {}（取込番号 {}、文字コード {}、対応表 {}）",
                    file.display(),
                    r.import_id,
                    r.encoding,
                    r.profile
                );
                print!("{}", r.counts.to_text_ja());
                if !r.extra_headers.is_empty() {
                    println!(
                        "対応表にない列（そのまま保存）: {}",
                        r.extra_headers.join("、")
                    );
                }
                if !r.warning_examples.is_empty() {
                    println!("警告の例:");
                    for (line, kind) in &r.warning_examples {
                        println!("  {line}行目: {}", kind.message_ja());
                    }
                }
                println!(
                    "処理時間 {:.2} 秒（{} 行/秒）",
                    secs,
                    format_thousands((r.counts.rows as f64 / secs.max(1e-9)) as u64)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ ImportError::AlreadyImported(_)) => {
            eprintln!("{}", e.message_ja(20));
            Ok(ExitCode::from(EXIT_ALREADY_IMPORTED))
        }
        Err(e) => Err(e.message_ja(20)),
    }
}

fn print_json<T: Serialize>(v: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("report serializes")
    );
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    #[serde(flatten)]
    counts: &'a Counts,
    imports: Vec<ImportJson<'a>>,
}

#[derive(Serialize)]
struct ImportJson<'a> {
    id: i64,
    file_name: &'a str,
    imported_at: &'a str,
    encoding: &'a str,
    profile: &'a str,
    sha256: &'a str,
    rows: u64,
}

impl<'a> From<&'a ImportInfo> for ImportJson<'a> {
    fn from(i: &'a ImportInfo) -> Self {
        ImportJson {
            id: i.id,
            file_name: &i.file_name,
            imported_at: &i.imported_at,
            encoding: &i.encoding,
            profile: &i.profile,
            sha256: &i.file_hash,
            rows: i.counts.rows,
        }
    }
}

#[derive(Serialize)]
struct ImportReportJson<'a> {
    import_id: i64,
    file: String,
    encoding: &'a str,
    profile: &'a str,
    #[serde(flatten)]
    counts: &'a Counts,
    extra_headers: &'a [String],
    seconds: f64,
}
