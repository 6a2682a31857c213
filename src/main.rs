//! `totsugo`: the command-line tool. Every command calls the core library; nothing here holds
//! a domain rule.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::{Parser, Subcommand};
use serde::Serialize;

use totsugo_core::auth::{Role, Roles};
use totsugo_core::encoding::EncodingChoice;
use totsugo_core::import::{ImportError, ImportOptions, Progress};
use totsugo_core::profile::Profile;
use totsugo_core::session::Session;
use totsugo_core::session::SessionError;
use totsugo_core::store::ImportInfo;
use totsugo_core::summary::{Counts, format_thousands, pad_to_width};
use totsugo_core::vault::RecoveryKey;
use zeroize::Zeroizing;

/// 突合結果レビュー (totsugo): 突合結果ファイルの取り込みと集計
#[derive(Parser)]
#[command(name = "totsugo", version, about)]
struct Cli {
    /// 保管場所のフォルダ（既定: 端末の共有の保管場所が設定されていればそこ、なければ利用者の
    /// データフォルダ）。環境変数 TOTSUGO_STORE でも指定できます
    #[arg(long, global = true, env = "TOTSUGO_STORE", value_name = "DIR")]
    store: Option<PathBuf>,

    /// 利用者名（ログイン名）。環境変数 TOTSUGO_USER でも指定できます。パスワードは画面で尋ねます
    /// （スクリプトでは環境変数 TOTSUGO_PASSWORD）
    #[arg(long, global = true, env = "TOTSUGO_USER", value_name = "NAME")]
    user: Option<String>,

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
    /// 突合結果ファイルの不一致の行ごとに、各項目が一致・表記ゆれ・相違のどれかと、その理由、
    /// 提案（表記ゆれのみ／要確認／番号誤りの疑い）、ファイル全体の点検で見つかった関連行を
    /// JSON Lines で標準出力に書きます。ファイルは保管しません
    Analyze {
        /// 分析するファイル
        file: PathBuf,
        /// 文字コード: auto（自動判別）, cp932, utf-8
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// 列の対応表ファイル
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
    },
    /// デモ: 同梱の架空の突合結果ファイル（2,000 行）を取り込みます。保管場所が未設定なら、
    /// 最初の管理者を作ってから取り込みます
    Demo {
        /// 初期設定するときの管理者の利用者名
        #[arg(long, default_value = "admin")]
        login: String,
        /// 初期設定するときの管理者の氏名
        #[arg(long, default_value = "管理者")]
        name: String,
    },
    /// 保管されている突合結果の件数を表示します
    Summary {
        /// JSON で出力します
        #[arg(long)]
        json: bool,
    },
    /// 確認結果（件数）の報告を表示します（設問 1〜5、照会中と対象外の件数、判断と設問の対応表）
    Report {
        /// 承認済の判断だけを数えます（既定: 承認待ちを含むすべての判断）
        #[arg(long)]
        approved_only: bool,
        /// JSON で出力します（キーは設問番号 "1", "2", "2-1" … "5"）
        #[arg(long)]
        json: bool,
    },
    /// 点検のきまりと、通知にないところで totsugo が選んだ扱いを出典とともに表示します
    Rules,
    /// 列の対応表（マッピングプロファイル）を扱います
    Profile {
        /// 既定の対応表をこのファイルに書き出します（編集して --profile で使います）
        #[arg(long, value_name = "FILE")]
        write: PathBuf,
    },
    /// 利用者の管理（最初の管理者の作成、追加、無効化、パスワード）
    #[command(subcommand)]
    User(UserCommand),
    /// 閲覧停止解除依頼の締切（1行に1つ、2023-12-14 または 2023-12-25 15:00、最後に「毎週」）を
    /// 表示し、--set で変更します（管理者）
    Schedule {
        /// 新しい締切の一覧（改行は \n でも書けます）
        #[arg(long)]
        set: Option<String>,
    },
    /// 通知文（A・B）の文面を表示し、--set で変更、--reset で既定の文面に戻します（管理者）。
    /// 1行目が件名、2行目からが本文で、{送付元}{対象者}{保険者名}{回答期限}{担当部署}{電話番号}
    /// {受付時間}{閲覧停止の説明} を差し込めます
    LetterText {
        /// 通知文の種類: A（個人番号のご提出のお願い）または B（個人番号の確認のお願い）
        letter: String,
        /// 新しい文面を書いたファイル（UTF-8）
        #[arg(long, value_name = "FILE", conflicts_with = "reset")]
        set: Option<PathBuf>,
        /// 既定の文面に戻します
        #[arg(long)]
        reset: bool,
        /// 保存した版の一覧を表示します
        #[arg(long)]
        versions: bool,
        /// いまの文面（--set のときは新しい文面）で組んだ見本の1枚を PDF に書き出します（Aは
        /// ①資格情報及び医療情報の停止、Bは②③医療情報のみの停止の人の通知文）
        #[arg(long, value_name = "FILE")]
        preview: Option<PathBuf>,
    },
    /// パスワードの規則と画面ロックの設定
    Policy {
        /// パスワードの最小文字数
        #[arg(long)]
        min_length: Option<usize>,
        /// ロックまでの失敗回数
        #[arg(long)]
        max_failures: Option<u32>,
        /// ロックの時間（分）
        #[arg(long)]
        lockout_minutes: Option<u32>,
        /// パスワードの有効期限（日、0 は無期限）
        #[arg(long)]
        expiry_days: Option<u32>,
        /// 操作がないときに画面をロックするまでの時間（分）
        #[arg(long)]
        idle_lock_minutes: Option<u32>,
    },
    /// 操作記録（監査ログ）
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 業務の終了時に、保管データと totsugo が書き出したファイルをすべて消去し、消去記録（PDF）を
    /// 保管場所の外に作ります。確認の言葉「消去」を2回入力します
    Purge {
        /// 消去記録（PDF）の保存先（保管場所の外）
        #[arg(long, value_name = "FILE")]
        record: PathBuf,
        /// スクリプト用: 確認の言葉を2回 --confirm 消去 --confirm 消去 で渡します
        #[arg(long = "confirm")]
        confirm: Vec<String>,
    },
    /// 定期点検: 操作記録（毎月）と利用者の一覧（半年ごと）を表示し、点検の確認を記録します
    /// （管理者・責任者）
    #[command(subcommand)]
    Review(ReviewCommand),
    /// バックアップ: 保管データ（暗号化されたまま）・鍵スロット・目録を、指定したフォルダの中の
    /// 新しいフォルダ totsugo-backup-日付-時刻 に書き出します（管理者）。ほかの人は作業を続け
    /// られます。保管場所とは別の媒体（暗号化した USB メモリ等）を選んでください
    Backup {
        /// バックアップを作るフォルダ（その中に新しいフォルダを作ります）
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// 最後のバックアップから何日たったらホーム画面で催促するか（1〜90、既定 1）を変えます
        #[arg(long, value_name = "DAYS")]
        reminder_days: Option<u32>,
    },
    /// バックアップから復元します（故障のあと別の端末で、など）。復元先（--store）は保管データの
    /// ない場所に限ります。バックアップの時点の管理者の利用者名（--user）とパスワードで確かめます
    Restore {
        /// バックアップのフォルダ（totsugo-backup-…、manifest.json のあるところ）
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
    /// 管理者のパスワードをすべて失ったとき、復旧キーで管理者のパスワードを設定し直します
    /// （復旧キーは環境変数 TOTSUGO_RECOVERY_KEY でも渡せます）
    Recover {
        /// パスワードを設定し直す管理者の利用者名
        #[arg(long)]
        login: String,
        /// 新しい復旧キーの用紙（PDF）をこのファイルに書き出します
        #[arg(long, value_name = "FILE")]
        recovery_sheet: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// 最初の管理者を作り、保管場所を準備します（初回だけ）。復旧キーを表示します
    Init {
        /// 管理者の利用者名
        #[arg(long)]
        login: String,
        /// 管理者の氏名
        #[arg(long)]
        name: String,
        /// 復旧キーの用紙（PDF）をこのファイルに書き出します（印刷したら削除してください）
        #[arg(long, value_name = "FILE")]
        recovery_sheet: Option<PathBuf>,
    },
    /// 利用者を追加します（仮パスワードは初回ログインで変更してもらいます）
    Add {
        /// 利用者名
        #[arg(long)]
        login: String,
        /// 氏名
        #[arg(long)]
        name: String,
        /// 役割: clerk（担当者）, supervisor（責任者）, admin（管理者）。複数指定できます
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// 個人番号閲覧権限を与えます
        #[arg(long)]
        may_reveal: bool,
    },
    /// 利用者の一覧
    List,
    /// 役割と個人番号閲覧権限を変えます
    SetRights {
        /// 利用者名
        #[arg(long)]
        login: String,
        /// 役割（複数指定できます）
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// 個人番号閲覧権限を与えます（付けなければ外します）
        #[arg(long)]
        may_reveal: bool,
    },
    /// 利用者を無効にします（削除はしません。操作記録に名前が残ります）
    Disable {
        /// 利用者名
        #[arg(long)]
        login: String,
        /// 保管データの鍵と復旧キーが新しくなります: 新しい復旧キーの用紙（PDF）の保存先
        #[arg(long, value_name = "FILE")]
        recovery_sheet: Option<PathBuf>,
    },
    /// 仮パスワードを設定します（ロックも解除されます。保管データの鍵と復旧キーが新しくなります）
    ResetPassword {
        /// 利用者名
        #[arg(long)]
        login: String,
        /// 新しい復旧キーの用紙（PDF）の保存先
        #[arg(long, value_name = "FILE")]
        recovery_sheet: Option<PathBuf>,
    },
    /// 復旧キーを新しくします（前の用紙は使えなくなります）
    RenewRecoveryKey {
        /// 新しい復旧キーの用紙（PDF）の保存先
        #[arg(long, value_name = "FILE")]
        recovery_sheet: Option<PathBuf>,
    },
    /// ロックを解除します
    Unlock {
        /// 利用者名
        #[arg(long)]
        login: String,
    },
    /// 自分のパスワードを変更します（新しいパスワードは環境変数 TOTSUGO_NEW_PASSWORD でも渡せます）
    Passwd,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// 操作記録の鎖（ハッシュ）を検証し、最初に壊れている記録を示します
    Verify,
    /// 期間の操作記録を CSV に書き出します（月次の確認用）
    Export {
        /// 開始日 YYYY-MM-DD
        #[arg(long)]
        from: Option<String>,
        /// 終了日 YYYY-MM-DD（この日を含みます）
        #[arg(long)]
        to: Option<String>,
        /// 出力先
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum ReviewCommand {
    /// 月の操作記録を表示します（毎月の点検）。--sign-off で点検の確認を記録します
    AccessLog {
        /// 点検する月 YYYY-MM（既定: 先月）
        #[arg(long)]
        month: Option<String>,
        /// 絞り込み: all, reveals（個人番号の表示）, exports（書き出し・印刷）,
        /// failed-logins（ログイン失敗・ロック）, rights（利用者・権限の変更）, purges（消去）
        #[arg(long, default_value = "all")]
        filter: String,
        /// 表示した操作記録を点検したことを記録します（終わった月だけ）
        #[arg(long)]
        sign_off: bool,
        /// 点検の所見（--sign-off のとき）
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 利用者の一覧（役割、個人番号閲覧権限、最後のログイン、無効）を表示します（半年ごとの点検）
    Users {
        /// 表示した一覧を点検したことを記録します
        #[arg(long)]
        sign_off: bool,
        /// 点検の所見（--sign-off のとき）
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 期限の来ている点検を表示します
    Due,
}

/// `totsugo review`: the periodic reviews (the rules are the core's `audit_review`).
fn review_command(session: &Session, cmd: ReviewCommand) -> Result<(), String> {
    use totsugo_core::audit_review::{EntryFilter, Month, ReviewKind};
    let today = chrono::Local::now().date_naive();
    match cmd {
        ReviewCommand::AccessLog {
            month,
            filter,
            sign_off,
            note,
        } => {
            let month = match month {
                Some(m) => Month::parse(&m)
                    .ok_or_else(|| format!("月は 2026-11 のように指定してください（「{m}」）"))?,
                None => Month::of(today).previous(),
            };
            let filter = EntryFilter::from_key(&filter).ok_or_else(|| {
                format!(
                    "絞り込みは {} のどれかです",
                    EntryFilter::ALL.map(|f| f.key()).join(", ")
                )
            })?;
            let r = session.access_log_review(month).map_err(auth_err)?;
            println!(
                "{}の操作記録（{}）: {} 件（全 {} 件）",
                month.label_ja(),
                filter.label_ja(),
                r.count(filter),
                r.entries.len()
            );
            for f in EntryFilter::ALL.iter().skip(1) {
                println!("  {}: {} 件", f.label_ja(), r.count(*f));
            }
            for e in r.shown(filter) {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    e.id, e.at, e.login, e.name, e.action_ja, e.target, e.detail
                );
            }
            match &r.chain {
                Ok(n) => println!("操作記録の鎖: 異常なし（{n} 件）"),
                Err(b) => println!("操作記録の鎖: 異常あり（{}）", b.message_ja()),
            }
            println!("操作記録の末尾: {}", r.head.short_ja());
            for s in &r.sign_offs {
                println!(
                    "点検済み: {}（{}）{} {}",
                    s.signed_by_name, s.signed_by, s.signed_at, s.note
                );
            }
            if sign_off {
                let s = session
                    .sign_off_review(ReviewKind::AccessLog, &month.key(), &r.head, &note, today)
                    .map_err(auth_err)?;
                println!(
                    "{}の操作記録の点検を確認しました（{} 件、末尾 {}）",
                    month.label_ja(),
                    s.reviewed,
                    s.head.short_ja()
                );
            }
        }
        ReviewCommand::Users { sign_off, note } => {
            let r = session.user_list_review().map_err(auth_err)?;
            println!("利用者名\t氏名\t役割\t個人番号閲覧権限\t最後のログイン\t状態\t特権");
            for u in &r.users {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    u.user.login,
                    u.user.display_name,
                    u.user.roles.label_ja(),
                    if u.user.may_reveal_my_number {
                        "あり"
                    } else {
                        "なし"
                    },
                    u.last_login.as_deref().unwrap_or("なし"),
                    u.user
                        .disabled_at
                        .as_ref()
                        .map(|d| format!("無効（{d}）"))
                        .unwrap_or_else(|| "有効".into()),
                    if u.privileged { "特権" } else { "" }
                );
            }
            for s in &r.sign_offs {
                println!(
                    "点検済み: {} {}（{}）{}",
                    s.period, s.signed_by_name, s.signed_by, s.note
                );
            }
            if sign_off {
                let s = session
                    .sign_off_review(ReviewKind::UserList, "", &r.head, &note, today)
                    .map_err(auth_err)?;
                println!(
                    "利用者の点検を確認しました（{} 人、末尾 {}）",
                    s.reviewed,
                    s.head.short_ja()
                );
            }
        }
        ReviewCommand::Due => {
            let due = session.reviews_due(today).map_err(auth_err)?;
            if due.is_empty() {
                println!("期限の来ている点検はありません。");
            }
            for d in due {
                println!("{}", d.message_ja);
            }
        }
    }
    Ok(())
}

/// Exit code when the file was imported before (so that scripts can tell).
const EXIT_ALREADY_IMPORTED: u8 = 3;
/// Exit code when the audit chain is broken.
const EXIT_TAMPERED: u8 = 4;
/// Exit code when a purge could not delete everything (run it again).
const EXIT_PURGE_UNFINISHED: u8 = 5;

/// `totsugo analyze`: JSON Lines to stdout, a summary to stderr.
fn analyze(file: &Path, opts: ImportOptions) -> Result<ExitCode, String> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let cancel = AtomicBool::new(false);
    let report =
        totsugo_core::analyze::analyze_file(file, &opts, &mut |_| {}, &cancel, &mut |row| {
            serde_json::to_writer(&mut out, row)?;
            out.write_all(b"\n")
        })
        .map_err(|e| e.message_ja(20))?;
    out.flush().map_err(|e| e.to_string())?;
    let [notation, review, wrong] = report.by_suggestion;
    eprintln!(
        "分析しました: {} 行、不一致 {} 行（表記ゆれのみ {}、要確認 {}、番号誤りの疑い {}）、ファイル全体の点検で注意のある行 {}、{:.1} 秒",
        format_thousands(report.rows),
        format_thousands(report.mismatches),
        format_thousands(notation),
        format_thousands(review),
        format_thousands(wrong),
        format_thousands(report.rows_with_alarms),
        report.elapsed.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    // First of all: a crash prints a plain sentence (never its payload, which may hold a name)
    // and leaves no core dump.
    totsugo_core::crash::install();
    // Lets the tests crash the program on purpose with a payload (a name) that must not show.
    if let Some(payload) = std::env::var_os("TOTSUGO_TEST_PANIC") {
        panic!("{}", payload.to_string_lossy());
    }
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
    totsugo_core::location::store_dir(cli_store)
}

/// A secret from an environment variable (for scripts) or asked for without echo; wiped from
/// memory when dropped.
fn secret(env: &str, prompt: &str) -> Result<Zeroizing<String>, String> {
    if let Ok(v) = std::env::var(env) {
        return Ok(Zeroizing::new(v));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| {
            format!("{prompt}を入力できません（端末がありません。環境変数 {env} で渡せます）: {e}")
        })
}

/// A new password: from TOTSUGO_NEW_PASSWORD, or asked for twice; wiped when dropped.
fn new_password(what: &str) -> Result<Zeroizing<String>, String> {
    if let Ok(v) = std::env::var("TOTSUGO_NEW_PASSWORD") {
        return Ok(Zeroizing::new(v));
    }
    let a = secret("TOTSUGO_NEW_PASSWORD", &format!("{what}: "))?;
    let b = secret("TOTSUGO_NEW_PASSWORD", &format!("{what}（確認）: "))?;
    if a != b {
        return Err("2回の入力が一致しません".into());
    }
    Ok(a)
}

fn login(store: Option<PathBuf>, user: Option<String>) -> Result<Session, String> {
    let dir = store_dir(store)?;
    if !Session::is_initialised(&dir) {
        return Err(format!(
            "保管場所 {} はまだ初期設定されていません。最初の管理者を作成してください: totsugo user init --login NAME --name 氏名",
            dir.display()
        ));
    }
    let user = user
        .ok_or("--user で利用者名を指定してください（環境変数 TOTSUGO_USER でも指定できます）")?;
    let password = secret("TOTSUGO_PASSWORD", "パスワード: ")?;
    let mut session = Session::login(&dir, &user, &password).map_err(|e| e.to_string())?;
    // A disable or a reset interrupted before its re-key: done at this login; its new
    // recovery key is shown once.
    if let Some(r) = session.take_resumed_rekey() {
        println!("前回中断された鍵の更新（利用者の無効化・パスワード再設定）をやり直しました。");
        after_rekey(&session, &r, None)?;
    }
    Ok(session)
}

/// `totsugo letter-text`: shows, sets or resets a letter type's text, lists its versions and
/// writes a preview.
fn letter_text(
    session: &Session,
    letter: &str,
    set: Option<PathBuf>,
    reset: bool,
    versions: bool,
    preview: Option<PathBuf>,
) -> Result<(), String> {
    use totsugo_core::letter_text::StopKind;
    use totsugo_core::review::LetterType;
    let t = LetterType::from_key(letter.trim().to_uppercase().as_str())
        .ok_or_else(|| format!("通知文の種類は A か B で指定してください（{letter}）"))?;
    if let Some(file) = &set {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("{} を読めません: {e}", file.display()))?;
        let id = session.save_letter_text(t, &text).map_err(auth_err)?;
        eprintln!("通知文{}の文面を保存しました（版 {id}）。", t.key());
    }
    if reset {
        session.reset_letter_text(t).map_err(auth_err)?;
        eprintln!("通知文{}を既定の文面に戻しました。", t.key());
    }
    let current = session
        .letter_texts()
        .map_err(auth_err)?
        .into_iter()
        .find(|c| c.letter_type == t)
        .expect("both letter types");
    match &current.version {
        Some(v) => println!("# 通知文{}: 版 {}（{} 保存）", t.key(), v.id, v.saved_at),
        None => println!("# 通知文{}: totsugo の既定の文面", t.key()),
    }
    println!("{}", current.text);
    if versions {
        println!();
        for v in session.letter_text_versions(t).map_err(auth_err)? {
            println!(
                "版 {}  {}  {}{}",
                v.id,
                v.saved_at,
                v.body.lines().next().unwrap_or(""),
                if v.is_default {
                    "（既定の文面）"
                } else {
                    ""
                }
            );
        }
    }
    if let Some(out) = preview {
        let p = session
            .preview_letter_text(t, &current.text, StopKind::usual_for(t))
            .map_err(auth_err)?;
        if let Some(problem) = &p.problem {
            eprintln!("注意: {problem}");
        }
        let pdf = totsugo_core::pdf::render_pages("通知文の見本", vec![p.page])
            .map_err(|e| e.to_string())?;
        session
            .write_output(
                &out,
                &pdf,
                "letter_text_preview",
                &format!("letter_text:{}", t.key()),
                "通知文の文面の見本（架空の人）",
            )
            .map_err(auth_err)?;
        eprintln!("見本を {} に書き出しました。", out.display());
    }
    Ok(())
}

fn auth_err(e: SessionError) -> String {
    match e {
        SessionError::PasswordChangeRequired => {
            format!("{e}。先に totsugo user passwd でパスワードを変更してください")
        }
        e => e.to_string(),
    }
}

fn parse_roles(v: &[String]) -> Result<Roles, String> {
    let mut roles = Vec::new();
    for r in v {
        roles.push(Role::parse(r).ok_or_else(|| {
            format!("役割「{r}」は知りません（clerk, supervisor, admin のいずれか）")
        })?);
    }
    Ok(Roles::of(&roles))
}

fn find_user(session: &Session, login: &str) -> Result<i64, String> {
    session
        .users()
        .map_err(auth_err)?
        .into_iter()
        .find(|u| u.user.login == login)
        .map(|u| u.user.id)
        .ok_or_else(|| format!("利用者「{login}」はいません"))
}

fn write_recovery_sheet(
    key: &RecoveryKey,
    dir: &Path,
    session: &Session,
    path: &Path,
) -> Result<(), String> {
    let doc = key.sheet(
        dir,
        &session.user().display_name,
        &totsugo_core::audit::now_local(),
    );
    let pdf = totsugo_core::pdf::render(&doc).map_err(|e| e.to_string())?;
    // The one output writer: never into the store's folder, owner-only, durable, remembered
    // for the purge and audited (without the key).
    session
        .write_output(path, &pdf, "recovery_sheet", "recovery", "復旧キーの用紙")
        .map_err(auth_err)?;
    println!(
        "復旧キーの用紙を {} に書き出しました。印刷したらこのファイルは削除してください。",
        path.display()
    );
    Ok(())
}

/// A progress bar for a re-key, drawn only once it has taken more than a second.
fn rekey_bar() -> indicatif::ProgressBar {
    progress_bar("保管データの鍵を更新中")
}

/// A progress bar for long work (a re-key, a backup), drawn only once it has taken more than
/// a second.
fn progress_bar(what: &str) -> indicatif::ProgressBar {
    let b = indicatif::ProgressBar::hidden();
    b.set_style(
        indicatif::ProgressStyle::with_template(&format!("{what} {{bar:40}} {{percent:>3}}%"))
            .expect("valid template"),
    );
    b
}

fn progress_tick(bar: &indicatif::ProgressBar, done: u64, total: u64) {
    if bar.is_hidden() && bar.elapsed().as_secs_f64() > 1.0 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    bar.set_length(total);
    bar.set_position(done);
}

/// After a re-key (a user disabled, a password reset): the time it took, the new recovery key
/// (the old sheet no longer opens anything) and the users who need a new temporary password.
fn after_rekey(
    session: &Session,
    r: &totsugo_core::session::Rekeyed,
    sheet: Option<&Path>,
) -> Result<(), String> {
    println!(
        "保管データの鍵を新しくしました（{:.1} 秒）。前の復旧キーの用紙は使えません。",
        r.elapsed.as_secs_f64()
    );
    if !r.dropped.is_empty() {
        println!(
            "旧形式の鍵のため、次の利用者には仮パスワードの再設定が必要です: {}",
            r.dropped.join("、")
        );
    }
    print_recovery_key(&r.recovery);
    if let Some(path) = sheet {
        write_recovery_sheet(&r.recovery, session.dir(), session, path)?;
    }
    Ok(())
}

fn print_recovery_key(key: &RecoveryKey) {
    println!("────────────────────────────────────────────────────────");
    println!(" 復旧キー（この画面でしか表示しません）");
    println!();
    println!("   {}", key.grouped());
    println!();
    println!(" 紙に書き写すか印刷して、鍵のかかる場所に保管してください。");
    println!(" 管理者全員がパスワードを失ったとき、この復旧キーがなければ");
    println!(" 保管データは二度と開けません（totsugo recover で使います）。");
    println!("────────────────────────────────────────────────────────");
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
            let mut session = login(cli.store, cli.user)?;
            import(
                &mut session,
                &file,
                ImportOptions { encoding, profile },
                json,
            )
        }
        Command::Analyze {
            file,
            encoding,
            profile,
        } => {
            let encoding: EncodingChoice = encoding.parse()?;
            let profile = match profile {
                Some(p) => Profile::load(&p).map_err(|e| e.to_string())?,
                None => Profile::default(),
            };
            analyze(&file, ImportOptions { encoding, profile })
        }
        Command::Demo { login: admin, name } => {
            let dir = store_dir(cli.store)?;
            let mut session = if Session::is_initialised(&dir) {
                login(Some(dir.clone()), cli.user.or(Some(admin)))?
            } else {
                let password = new_password("管理者のパスワード")?;
                let (session, recovery) =
                    Session::init(&dir, &admin, &name, &password).map_err(auth_err)?;
                println!(
                    "保管場所 {} を準備し、管理者「{admin}」を作成しました。",
                    dir.display()
                );
                print_recovery_key(&recovery);
                session
            };
            let tmp = std::env::temp_dir().join(format!("totsugo-demo-{}", std::process::id()));
            let file = totsugo_core::demo::write_demo_file(&tmp).map_err(|e| e.to_string())?;
            let r = import(&mut session, &file, ImportOptions::default(), false);
            let _ = std::fs::remove_dir_all(&tmp);
            r
        }
        Command::Summary { json } => {
            let session = login(cli.store, cli.user)?;
            let counts = session.summary().map_err(auth_err)?;
            let imports = session.imports().map_err(|e| e.to_string())?;
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
        Command::Report {
            approved_only,
            json,
        } => {
            let session = login(cli.store, cli.user)?;
            let report = session.count_report(approved_only).map_err(auth_err)?;
            if json {
                // The items by their number on the form, then what the form leaves out.
                let mut out: serde_json::Map<String, serde_json::Value> = report
                    .lines
                    .iter()
                    .map(|(k, _, n)| (k.to_string(), serde_json::Value::from(*n)))
                    .collect();
                out.insert("approved_only".into(), report.approved_only.into());
                out.insert("pending_employer".into(), report.pending_employer.into());
                out.insert("out_of_scope".into(), report.out_of_scope.into());
                print_json(&out);
            } else {
                println!(
                    "確認結果（件数）の報告（{}）",
                    if approved_only {
                        "承認済の判断"
                    } else {
                        "承認待ちを含むすべての判断"
                    }
                );
                for (k, label, n) in &report.lines {
                    println!("{k:>4}  {:>9}  {label}", format_thousands(*n));
                }
                for note in report.notes_ja() {
                    println!("{note}");
                }
                println!();
                println!("判断と設問の対応");
                for (what, items) in totsugo_core::report::mapping_ja() {
                    println!("  {what}: {items}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules => {
            for r in totsugo_core::help::RULES {
                println!("■ {}\n{}\n（出典: {}）\n", r.topic, r.what, r.source);
            }
            println!("■ 判断と件数の報告の設問");
            for (what, items) in totsugo_core::report::mapping_ja() {
                println!("  {what}: {items}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Profile { write } => {
            // No session here, but the store's folder is still no place for a file.
            let dir = store_dir(cli.store)?;
            let path = totsugo_core::output_file::check_outside_store(&dir, &write)
                .map_err(|e| e.to_string())?;
            totsugo_core::output_file::write_private(
                &path,
                Profile::default().to_text().as_bytes(),
            )
            .map_err(|e| format!("{} に書けません: {e}", write.display()))?;
            eprintln!("既定の対応表を書き出しました: {}", write.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Init {
            login,
            name,
            recovery_sheet,
        }) => {
            let dir = store_dir(cli.store)?;
            if Session::is_initialised(&dir) {
                return Err(format!("保管場所 {} は初期設定済みです", dir.display()));
            }
            if totsugo_core::purge::unfinished(&dir).is_some() {
                return Err(format!(
                    "保管場所 {} の消去が途中で止まっています。先に totsugo purge --record FILE で消去を終えてください",
                    dir.display()
                ));
            }
            let password = new_password("管理者のパスワード")?;
            let (session, recovery) =
                Session::init(&dir, &login, &name, &password).map_err(auth_err)?;
            println!(
                "保管場所 {} を準備し、管理者「{}」を作成しました。",
                dir.display(),
                session.user().login
            );
            print_recovery_key(&recovery);
            if let Some(path) = recovery_sheet {
                write_recovery_sheet(&recovery, &dir, &session, &path)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User(cmd) => {
            let mut session = login(cli.store, cli.user)?;
            user_command(&mut session, cmd)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schedule { set } => {
            let session = login(cli.store, cli.user)?;
            if let Some(text) = set {
                session
                    .set_release_schedule(&text.replace("\\n", "\n"))
                    .map_err(auth_err)?;
                println!("締切を変更しました。");
            }
            let schedule = session.release_schedule();
            for t in &schedule.cutoffs {
                println!("{}", t.describe());
            }
            if schedule.weekly {
                println!("以後毎週");
            }
            match schedule.next_after(chrono::Local::now().naive_local()) {
                Some(t) => println!("次の締切: {}", t.describe()),
                None => println!("次の締切はありません"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::LetterText {
            letter,
            set,
            reset,
            versions,
            preview,
        } => {
            let session = login(cli.store, cli.user)?;
            letter_text(&session, &letter, set, reset, versions, preview)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy {
            min_length,
            max_failures,
            lockout_minutes,
            expiry_days,
            idle_lock_minutes,
        } => {
            let mut session = login(cli.store, cli.user)?;
            let mut p = session.policy().clone();
            let changed = min_length.is_some()
                || max_failures.is_some()
                || lockout_minutes.is_some()
                || expiry_days.is_some()
                || idle_lock_minutes.is_some();
            if let Some(v) = min_length {
                p.min_password_len = v;
            }
            if let Some(v) = max_failures {
                p.max_failures = v;
            }
            if let Some(v) = lockout_minutes {
                p.lockout_minutes = v;
            }
            if let Some(v) = expiry_days {
                p.password_expiry_days = v;
            }
            if let Some(v) = idle_lock_minutes {
                p.idle_lock_minutes = v;
            }
            if changed {
                session.set_policy(p.clone()).map_err(auth_err)?;
            }
            println!("パスワードの最小文字数    {}", p.min_password_len);
            println!("ロックまでの失敗回数      {}", p.max_failures);
            println!("ロックの時間（分）        {}", p.lockout_minutes);
            println!("パスワードの有効期限（日）{}", p.password_expiry_days);
            println!("画面ロックまで（分）      {}", p.idle_lock_minutes);
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify) => {
            let session = login(cli.store, cli.user)?;
            match session.verify_audit().map_err(auth_err)? {
                Ok(n) => {
                    println!(
                        "操作記録 {} 件の鎖は正しくつながっています。",
                        format_thousands(n)
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(b) => {
                    eprintln!("操作記録の改ざんを検出しました: {}", b.message_ja());
                    Ok(ExitCode::from(EXIT_TAMPERED))
                }
            }
        }
        Command::Audit(AuditCommand::Export { from, to, out }) => {
            let session = login(cli.store, cli.user)?;
            let n = session
                .export_audit(from.as_deref(), to.as_deref(), &out)
                .map_err(auth_err)?;
            eprintln!(
                "操作記録 {} 件を {} に書き出しました",
                format_thousands(n),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Purge { record, confirm } => {
            let dir = store_dir(cli.store.clone())?;
            let unfinished = totsugo_core::purge::unfinished(&dir);
            if let Some(plan) = &unfinished {
                eprintln!(
                    "前回の消去が途中で止まっています（{} に開始、鍵スロット: {}）。続きを実行し、次のファイルを削除します:",
                    plan.record.purged_at,
                    if plan.record.key_slots_destroyed {
                        "破棄済み"
                    } else {
                        "未破棄"
                    }
                );
                for f in &plan.files {
                    eprintln!("  {}", f.display());
                }
            }
            // Without an unfinished purge, only an administrator who logs in may purge.
            let session = match unfinished {
                None => Some(login(cli.store, cli.user)?),
                Some(_) => None,
            };
            let answers: Vec<String> = if confirm.len() == 2 {
                confirm
            } else {
                let mut v = Vec::new();
                for i in 1..=2 {
                    eprint!(
                        "保管データをすべて消去します。元に戻せません。確認のため「{}」と入力してください（{i}/2）: ",
                        totsugo_core::purge::CONFIRMATION
                    );
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .map_err(|e| e.to_string())?;
                    v.push(line.trim().to_string());
                }
                v
            };
            let confirmations = [answers[0].as_str(), answers[1].as_str()];
            let r = match session {
                Some(session) => totsugo_core::purge::purge(session, confirmations, &record),
                None => totsugo_core::purge::resume(&dir, confirmations, &record),
            }
            .map_err(auth_err)?;
            for (f, why) in &r.files_not_removed {
                eprintln!("削除できませんでした: {f}（{why}）");
            }
            if r.complete() {
                println!(
                    "消去しました{}: 記録 {} 件、ファイル {} 個。消去記録: {}",
                    if r.resumed {
                        "（途中で止まっていた消去を終えました）"
                    } else {
                        ""
                    },
                    format_thousands(r.records),
                    r.files_removed.len(),
                    record.display()
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "消去は終わっていません（鍵スロット: {}）。削除できなかったファイルの原因を取り除いて、もう一度 totsugo purge --record FILE を実行してください。消去記録: {}",
                    if r.key_slots_destroyed {
                        "破棄済み。保管データはもう開けません"
                    } else {
                        "未破棄"
                    },
                    record.display()
                );
                Ok(ExitCode::from(EXIT_PURGE_UNFINISHED))
            }
        }
        Command::Review(cmd) => {
            let session = login(cli.store, cli.user)?;
            review_command(&session, cmd)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { to, reminder_days } => {
            let session = login(cli.store, cli.user)?;
            if let Some(days) = reminder_days {
                session.set_backup_reminder_days(days).map_err(auth_err)?;
                println!("最後のバックアップから {days} 日たったら催促します。");
            }
            let bar = progress_bar("バックアップ中");
            let cancel = AtomicBool::new(false);
            let done = session
                .backup(&to, &mut |d, t| progress_tick(&bar, d, t), &cancel)
                .map_err(auth_err)?
                .ok_or("バックアップを取り消しました")?;
            bar.finish_and_clear();
            println!(
                "バックアップを作りました: {}（{}、{:.1} 秒）",
                done.folder.display(),
                done.manifest.summary_ja(),
                done.elapsed.as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from } => {
            let dir = store_dir(cli.store)?;
            let user = cli.user.ok_or(
                "--user でバックアップの時点の管理者の利用者名を指定してください（環境変数 TOTSUGO_USER でも指定できます）",
            )?;
            let password = secret("TOTSUGO_PASSWORD", "パスワード: ")?;
            let started = Instant::now();
            let (session, manifest) =
                Session::restore_backup(&from, &dir, &user, &password).map_err(auth_err)?;
            session.logout().map_err(auth_err)?;
            println!(
                "復元しました: {} → {}（{}、{:.1} 秒）。ページの認証・整合性・操作記録のつながりを確かめました。",
                from.display(),
                dir.display(),
                manifest.summary_ja(),
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Recover {
            login,
            recovery_sheet,
        } => {
            let dir = store_dir(cli.store)?;
            let key = RecoveryKey::parse(&secret("TOTSUGO_RECOVERY_KEY", "復旧キー: ")?);
            let password = new_password("新しいパスワード")?;
            let (session, new_key) =
                Session::recover(&dir, &key, &login, &password).map_err(auth_err)?;
            println!(
                "管理者「{login}」のパスワードを設定し直しました。復旧キーは新しくなりました。"
            );
            print_recovery_key(&new_key);
            if let Some(path) = recovery_sheet {
                write_recovery_sheet(&new_key, &dir, &session, &path)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn user_command(session: &mut Session, cmd: UserCommand) -> Result<(), String> {
    match cmd {
        UserCommand::Init { .. } => unreachable!("handled before login"),
        UserCommand::Add {
            login,
            name,
            roles,
            may_reveal,
        } => {
            let roles = parse_roles(&roles)?;
            let password = new_password("仮パスワード")?;
            session
                .add_user(&login, &name, roles, may_reveal, &password)
                .map_err(auth_err)?;
            println!(
                "利用者「{login}」（{}）を作成しました。初回ログインでパスワードを変更してもらいます。",
                roles.label_ja()
            );
        }
        UserCommand::List => {
            for u in session.users().map_err(auth_err)? {
                let state = u.state_ja();
                println!(
                    "{:>4}  {:<16} {}  {}{}  {}",
                    u.user.id,
                    u.user.login,
                    pad_to_width(&u.user.display_name, 16),
                    u.user.roles.label_ja(),
                    if u.user.may_reveal_my_number {
                        "・個人番号閲覧"
                    } else {
                        ""
                    },
                    state.join("、")
                );
            }
        }
        UserCommand::SetRights {
            login,
            roles,
            may_reveal,
        } => {
            let id = find_user(session, &login)?;
            let roles = parse_roles(&roles)?;
            session
                .set_user_rights(id, roles, may_reveal)
                .map_err(auth_err)?;
            println!("利用者「{login}」の権限を変更しました。");
        }
        UserCommand::Disable {
            login,
            recovery_sheet,
        } => {
            let id = find_user(session, &login)?;
            let bar = rekey_bar();
            let r = session
                .disable_user_reporting(id, &|d, t| progress_tick(&bar, d, t))
                .map_err(auth_err);
            bar.finish_and_clear();
            let r = r?;
            println!("利用者「{login}」を無効にしました。");
            after_rekey(session, &r, recovery_sheet.as_deref())?;
        }
        UserCommand::ResetPassword {
            login,
            recovery_sheet,
        } => {
            let id = find_user(session, &login)?;
            let password = new_password("仮パスワード")?;
            let bar = rekey_bar();
            let r = session
                .reset_password_reporting(id, &password, &|d, t| progress_tick(&bar, d, t))
                .map_err(auth_err);
            bar.finish_and_clear();
            let r = r?;
            println!("利用者「{login}」に仮パスワードを設定しました。");
            after_rekey(session, &r, recovery_sheet.as_deref())?;
        }
        UserCommand::RenewRecoveryKey { recovery_sheet } => {
            let key = session.renew_recovery_key().map_err(auth_err)?;
            println!("復旧キーを新しくしました。前の復旧キーの用紙は使えません。");
            print_recovery_key(&key);
            if let Some(path) = recovery_sheet {
                let dir = session.dir().to_path_buf();
                write_recovery_sheet(&key, &dir, session, &path)?;
            }
        }
        UserCommand::Unlock { login } => {
            let id = find_user(session, &login)?;
            session.unlock_user(id).map_err(auth_err)?;
            println!("利用者「{login}」のロックを解除しました。");
        }
        UserCommand::Passwd => {
            let old = secret("TOTSUGO_PASSWORD", "今のパスワード: ")?;
            let new = new_password("新しいパスワード")?;
            session.change_password(&old, &new).map_err(auth_err)?;
            println!("パスワードを変更しました。");
        }
    }
    Ok(())
}

fn import(
    session: &mut Session,
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
    let result = session.import_file(file, &opts, &mut on_progress, &cancel);
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
                    lock_held_seconds: r.lock_held.as_secs_f64(),
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
                if r.masked_number {
                    println!("{}", totsugo_core::import::MASKED_NUMBER_NOTE);
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
        Err(e @ SessionError::Import(ImportError::AlreadyImported(_))) => {
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
    /// How long the import held the store's write lock (its last step).
    lock_held_seconds: f64,
}
