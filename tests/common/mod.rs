//! Shared helpers for the integration tests: real stores in temporary directories, and
//! match-result files written byte for byte in real encodings.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use totsugo_core::auth::{Role, Roles};
use totsugo_core::checkdigit;
use totsugo_core::encoding::encode_cp932;
use totsugo_core::import::{ImportError, ImportOptions, ImportReport};
use totsugo_core::record::Field;
use totsugo_core::session::{Session, SessionError};
use totsugo_core::store::Store;

/// The bundled demo file.
pub fn demo_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/match-result-demo.csv")
}

/// A fresh store directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// The store key of the store in `dir` as the slot file gives it to `login` (tests only: what
/// an attacker holding the password would have).
pub fn store_key_of(dir: &Path, login: &str, password: &str) -> totsugo_core::store::StoreKey {
    let vault: totsugo_core::vault::Vault = serde_json::from_str(
        &std::fs::read_to_string(totsugo_core::vault::Vault::path_in(dir)).unwrap(),
    )
    .unwrap();
    vault.slot(login).unwrap().unlock(password).unwrap().current
}

/// The store key of the store in `dir`, from the administrator's key slot.
pub fn store_key(dir: &Path) -> totsugo_core::store::StoreKey {
    store_key_of(dir, ADMIN, PASSWORD)
}

/// A bare SQLCipher connection to the store in `dir`, opened with `key` (what an insider
/// with the key and a SQLCipher client has).
pub fn raw_store_with(dir: &Path, key: &totsugo_core::store::StoreKey) -> rusqlite::Connection {
    totsugo_core::inspect::raw_connection(&Store::file_in(dir), key).expect("the store opens")
}

/// [`raw_store_with`] the administrator's key.
pub fn raw_store(dir: &Path) -> rusqlite::Connection {
    raw_store_with(dir, &store_key(dir))
}

/// Every row of every table of the store in `dir` (opened with `key` through a bare SQLCipher
/// connection), as text, table by table in rowid order.
pub fn store_rows(dir: &Path, key: &totsugo_core::store::StoreKey) -> Vec<(String, Vec<String>)> {
    let conn = raw_store_with(dir, key);
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY rowid"))
                .unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            (t, rows)
        })
        .collect()
}

/// [`store_rows`] with the administrator's key: what "the store holds the same" means where the
/// file's bytes may differ (an import refused or cancelled after its first rows went in leaves
/// the pages they took free in the file).
pub fn store_content(dir: &Path) -> Vec<(String, Vec<String>)> {
    store_rows(dir, &store_key(dir))
}

/// The first administrator of every test store.
pub const ADMIN: &str = "admin";
/// The administrator's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// Logs in as the administrator of the store in `dir`, setting the store up on first use.
pub fn open(dir: &Path) -> Session {
    if Session::is_initialised(dir) {
        Session::login(dir, ADMIN, PASSWORD).expect("admin logs in")
    } else {
        let s = Session::init(dir, ADMIN, "管理 太郎", PASSWORD)
            .expect("store set up")
            .0;
        // A health insurance society, as most tests assume (letters say 当組合, item 3 exists).
        s.set_insurer_kind(totsugo_core::insurer::InsurerKind::KenpoKumiai)
            .expect("kind of insurer set");
        s
    }
}

/// Saves a fictitious insurer's letterhead (letters are refused until the sample values are
/// replaced).
pub fn set_letterhead(admin: &Session) {
    admin
        .set_letter_settings(&totsugo_core::letters::LetterSettings {
            insurer_name: "架空健康保険組合".into(),
            sender_line: "理事長　架空　一郎".into(),
            insurer_number: "06999999".into(),
            insurer_code: "K99999".into(),
            postal_code: "100-0001".into(),
            address: "東京都千代田区千代田一丁目１番１号".into(),
            department: "適用課".into(),
            phone: "03-0000-1234".into(),
            ..Default::default()
        })
        .expect("letterhead saved");
}

/// The password of every person made by [`add_person`], after their first login.
pub const PERSON_PW: &str = "second password 5678";
const PERSON_FIRST_PW: &str = "first password 1234";

/// Adds a person to the store in `dir` (by its administrator) and makes the password change
/// their first login demands, so that they log in with [`PERSON_PW`].
pub fn add_person(dir: &Path, login: &str, name: &str, role: Role, may_reveal: bool) {
    open(dir)
        .add_user(login, name, Roles::of(&[role]), may_reveal, PERSON_FIRST_PW)
        .unwrap();
    Session::login(dir, login, PERSON_FIRST_PW)
        .unwrap()
        .change_password(PERSON_FIRST_PW, PERSON_PW)
        .unwrap();
}

/// Imports with the default profile and encoding detection.
pub fn import(session: &mut Session, path: &Path) -> Result<ImportReport, ImportError> {
    import_with(session, path, &ImportOptions::default())
}

/// Imports with the given options. The file's own errors come back; a refusal of the
/// session (rights, the audit) fails the test here.
pub fn import_with(
    session: &mut Session,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    match session.import_file(path, opts, &mut |_| {}, &AtomicBool::new(false)) {
        Ok(r) => Ok(r),
        Err(SessionError::Import(e)) => Err(e),
        Err(e) => panic!("the session refused the import: {e}"),
    }
}

/// The bytes of the store file (to prove that a failed import changed nothing).
pub fn store_bytes(dir: &Path) -> Vec<u8> {
    std::fs::read(Store::file_in(dir)).expect("store file")
}

/// A valid My Number made from a small integer.
pub fn my_number(n: u64) -> String {
    let body = format!("{:011}", 12_345_000_000 + n);
    format!(
        "{body}{}",
        checkdigit::my_number_check_digit(&body).unwrap()
    )
}

/// A valid 8-digit insurer number.
pub fn insurer_number() -> String {
    let body = "0613001";
    format!("{body}{}", checkdigit::insurer_check_digit(body).unwrap())
}

/// One row of a match-result file, by header name, starting from a row where everything
/// matches.
#[derive(Clone, Debug)]
pub struct Row(pub Vec<(String, String)>);

impl Row {
    /// A matching row for person `n`.
    pub fn matching(n: u64) -> Row {
        let v = |f: Field| -> String {
            match f {
                Field::InsurerNumber => insurer_number(),
                Field::CardSymbol => "123".into(),
                Field::CardNumber => format!("{:08}", 1000 + n),
                Field::Branch => "00".into(),
                Field::Relation => "1".into(),
                Field::MyNumber => my_number(n),
                Field::QualStart => "20201001".into(),
                Field::QualEnd => String::new(),
                Field::InsKanji | Field::RegKanji => "山田　太郎".into(),
                Field::InsKana | Field::RegKana => "ヤマダ　タロウ".into(),
                Field::InsBirth | Field::RegBirth => "19451203".into(),
                Field::InsSex | Field::RegSex => "1".into(),
                Field::InsAddress | Field::RegAddress => "東京都港区赤坂一丁目１１番２号".into(),
                Field::JlisResult => "1".into(),
                Field::VerdictKanji
                | Field::VerdictKana
                | Field::VerdictBirth
                | Field::VerdictSex
                | Field::VerdictAddress
                | Field::Overall => "○".into(),
                Field::StopFlag => "0".into(),
                Field::MultiQual => "0".into(),
                Field::BaseDate => "20230915".into(),
            }
        };
        Row(Field::ALL
            .iter()
            .map(|f| (f.default_header().to_string(), v(*f)))
            .collect())
    }

    /// Sets a cell by header.
    pub fn set(mut self, header: &str, value: &str) -> Row {
        let cell = self
            .0
            .iter_mut()
            .find(|(h, _)| h == header)
            .unwrap_or_else(|| panic!("no column {header}"));
        cell.1 = value.to_string();
        self
    }

    /// A birth-date mismatch (case ①) for person `n`.
    pub fn birth_mismatch(n: u64) -> Row {
        Row::matching(n)
            .set("J-LIS情報_生年月日", "19451201")
            .set("判定結果_生年月日", "×")
            .set("総合判定", "×")
            .set("閲覧停止区分", "1")
    }

    /// A row for person `n` whose number has no registry record (J-LIS照会結果 2): the
    /// registry side and the verdicts empty, 総合判定 × and a ① stop.
    pub fn no_registry_record(n: u64) -> Row {
        let mut row = Row::matching(n).set("J-LIS照会結果", "2");
        for h in [
            "J-LIS情報_漢字氏名",
            "J-LIS情報_カナ氏名",
            "J-LIS情報_生年月日",
            "J-LIS情報_性別",
            "J-LIS情報_住所",
            "判定結果_漢字氏名",
            "判定結果_カナ氏名",
            "判定結果_生年月日",
            "判定結果_性別",
            "判定結果_住所",
        ] {
            row = row.set(h, "");
        }
        row.set("総合判定", "×").set("閲覧停止区分", "1")
    }

    /// Value of a cell.
    pub fn get(&self, header: &str) -> &str {
        &self.0.iter().find(|(h, _)| h == header).unwrap().1
    }
}

/// Quotes a CSV field where RFC 4180 needs it.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV text (CRLF) with the given header order; each row supplies values by header.
pub fn csv_text(headers: &[String], rows: &[Row]) -> String {
    let mut s = headers
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",");
    s.push_str("\r\n");
    for r in rows {
        let line: Vec<String> = headers.iter().map(|h| csv_field(r.get(h))).collect();
        s.push_str(&line.join(","));
        s.push_str("\r\n");
    }
    s
}

/// The default headers in default order.
pub fn default_headers() -> Vec<String> {
    Field::ALL
        .iter()
        .map(|f| f.default_header().to_string())
        .collect()
}

/// Writes CSV text as CP932 into `dir/name`.
pub fn write_cp932(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, encode_cp932(text).expect("test text fits CP932")).unwrap();
    p
}

/// Writes raw bytes into `dir/name`.
pub fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Writes a synthetic CP932 match-result file of `rows` rows into `dir/name`.
pub fn sample_file(dir: &Path, name: &str, rows: u64, seed: u64) -> PathBuf {
    let p = dir.join(name);
    totsugo_lab::sample::write_sample(
        std::io::BufWriter::new(std::fs::File::create(&p).unwrap()),
        &totsugo_lab::sample::SampleOptions {
            rows,
            seed,
            ..Default::default()
        },
    )
    .unwrap();
    p
}

/// Runs a poppler-utils tool (`pdftotext`, `pdffonts`, `pdfinfo`) on `file` and returns what
/// it prints; `pdftotext` writes to standard output.
pub fn poppler(tool: &str, args: &[&str], file: &Path) -> String {
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(file);
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {tool} ({e}): install poppler-utils (apt-get install poppler-utils)")
    });
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("poppler writes UTF-8")
}

/// The number of pages of a PDF (pdfinfo).
pub fn page_count(file: &Path) -> usize {
    poppler("pdfinfo", &[], file)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints Pages:")
}

/// The file among `files` whose name contains `part` (a form, a list: one of the files an
/// output wrote).
pub fn file_named(files: &[PathBuf], part: &str) -> PathBuf {
    files
        .iter()
        .find(|p| p.to_string_lossy().contains(part))
        .unwrap_or_else(|| panic!("no {part} in {files:?}"))
        .clone()
}

/// The text of a PDF as a reader gets it (`pdftotext -layout`).
pub fn pdftotext(file: &Path) -> String {
    poppler("pdftotext", &["-layout"], file)
}

/// The boxes pdftotext finds for each word (a Japanese line without spaces is one word):
/// (xMin, yMin, xMax, yMax, text) in points, y measured from the top of the page.
pub fn word_boxes(file: &Path) -> Vec<(f64, f64, f64, f64, String)> {
    let html = poppler("pdftotext", &["-bbox"], file);
    let attr = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        let len = tag[start..].find('"').expect("closing quote");
        tag[start..start + len].parse().expect("number")
    };
    html.split("<word ")
        .skip(1)
        .map(|rest| {
            let tag_end = rest.find('>').expect("tag end");
            let tag = &rest[..tag_end];
            let text_end = rest.find("</word>").expect("word end");
            (
                attr(tag, "xMin"),
                attr(tag, "yMin"),
                attr(tag, "xMax"),
                attr(tag, "yMax"),
                rest[tag_end + 1..text_end].to_string(),
            )
        })
        .collect()
}
