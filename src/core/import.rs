//! The importer: reads a match-result file (streaming, whatever its size), validates every
//! row, classifies it, and stores it: the rows go into the store in short chunks under a
//! pending import no reader sees, then one short transaction makes the import visible, whole
//! or not at all ([`crate::store::ImportTx`]).
//!
//! Reading, decoding, validation and classification run on a worker thread; the calling
//! thread writes to the store. Progress (rows and bytes done) goes to a callback, and a
//! cancel flag stops the import with the store unchanged.

use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::checkdigit;
use crate::classify::{self, WarningKind, Warnings};
use crate::crosscheck::{CrossCheck, Findings};
use crate::encoding::{self, EncodingChoice, FileEncoding};
use crate::profile::{ColumnMap, Profile};
use crate::record::{
    Date, Field, MAX_FIELD_CHARS, PartialDate, Person, Record, RegistryResult, Sex, StopFlag,
    Verdict, Verdicts,
};
use crate::store::{CommitOutcome, ImportInfo, ImportMeta, ImportTx, Store, StoreError};
use crate::summary::Counts;

/// How many row errors an import keeps to show; the rest are only counted.
pub const KEPT_ERRORS: usize = 100;
/// How many warning examples (line and kind) the import report keeps.
pub const KEPT_WARNING_EXAMPLES: usize = 20;
const BATCH_ROWS: usize = 2048;
/// The longest record (bytes from one line break outside quotes to the next) a file may hold:
/// a few times the longest row [`MAX_FIELD_CHARS`] allows in practice. A longer one (a line of
/// hundreds of megabytes, a field of millions of quote pairs) refuses the file before it is
/// read into memory.
pub const MAX_RECORD_BYTES: u64 = 64 * 1024;
/// Below this many rows a file is never judged "the wrong file" by its share of bad values.
const MIN_ROWS_FOR_SHARE: u64 = 20;

/// The reader's error when a record grows past [`MAX_RECORD_BYTES`]: the line it starts on.
#[derive(Debug)]
struct RecordTooLong(u64);

impl fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record too long at line {}", self.0)
    }
}

impl std::error::Error for RecordTooLong {}
const DETECT_BYTES: usize = 64 * 1024;

/// What the user chose for an import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Encoding, or detection.
    pub encoding: EncodingChoice,
    /// Column mapping.
    pub profile: Profile,
}

/// Progress of an import, for a progress bar.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Rows read so far.
    pub rows: u64,
    /// Bytes read so far.
    pub bytes: u64,
    /// Size of the file.
    pub total_bytes: u64,
}

/// A problem on one row (or cell) of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    /// Header of the column concerned, if the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong and what was expected, in Japanese. Never holds a personal value.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{}行目「{}」列: {}", self.line, c, self.message),
            None => write!(f, "{}行目: {}", self.line, self.message),
        }
    }
}

/// Why an import did not happen. In every case the store is as it was before.
#[derive(Debug)]
pub enum ImportError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The file's header does not fit the profile, or the file is empty.
    Header(String),
    /// Rows failed validation: the first [`KEPT_ERRORS`] and the total count.
    Rejected {
        /// The first errors, in file order.
        errors: Vec<RowError>,
        /// How many errors there were in all.
        total: u64,
    },
    /// So many rows have a bad value in one column that the file, or the profile mapping its
    /// columns, is clearly the wrong one.
    WrongFile {
        /// The header of the column that fails most.
        column: String,
        /// Rows with a bad value there.
        bad: u64,
        /// Rows in the file.
        rows: u64,
    },
    /// The same file (same content) was imported before.
    AlreadyImported(Box<ImportInfo>),
    /// The user cancelled.
    Cancelled,
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

impl ImportError {
    /// The message for people, listing at most `max_errors` row errors.
    pub fn message_ja(&self, max_errors: usize) -> String {
        match self {
            ImportError::Io { path, source } => {
                format!("ファイル {} を読めません: {source}", path.display())
            }
            ImportError::Header(m) => format!("取り込めません。{m}"),
            ImportError::Rejected { errors, total } => {
                let mut s = format!(
                    "取り込めません。ファイルに誤りが {total} 件あります（保管データは変更していません）。\n"
                );
                for e in errors.iter().take(max_errors) {
                    s.push_str(&format!("  {e}\n"));
                }
                let shown = errors.len().min(max_errors) as u64;
                if *total > shown {
                    s.push_str(&format!("  ほか {} 件\n", total - shown));
                }
                s
            }
            ImportError::WrongFile { column, bad, rows } => format!(
                "取り込めません。{rows} 行のうち {bad} 行（{}%）で列「{column}」の値が読めません。ファイルか、列の対応（プロファイル）が違う可能性があります（保管データは変更していません）。",
                bad * 100 / rows.max(&1)
            ),
            ImportError::AlreadyImported(i) => format!(
                "このファイルは {} に取り込み済みです（取込番号 {}、ファイル名 {}）。同じ内容のファイルは二度取り込みません。",
                i.imported_at, i.id, i.file_name
            ),
            ImportError::Cancelled => {
                "取り込みを中止しました（保管データは変更していません）。".into()
            }
            ImportError::Store(e) => format!("取り込めません。{e}"),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_ja(20))
    }
}

impl std::error::Error for ImportError {}

/// What the import says when the file's 個人番号 column is masked or partial.
pub const MASKED_NUMBER_NOTE: &str = "個人番号の列は伏せられた番号（下4桁など）として取り込みました。個人番号の検査用数字の点検と、同じ番号が別の人に登録されていないかの点検は行えませんでした。通知文Bの回答の照合は、下4桁があるときだけ行えます。";

/// What a successful import reports.
#[derive(Clone, Debug)]
pub struct ImportReport {
    /// The import as stored.
    pub import_id: i64,
    /// Encoding used.
    pub encoding: FileEncoding,
    /// Profile name used.
    pub profile: String,
    /// Counts of the file.
    pub counts: Counts,
    /// Headers of columns kept as extra data.
    pub extra_headers: Vec<String>,
    /// The first warnings: (line, kind).
    pub warning_examples: Vec<(u64, WarningKind)>,
    /// The file's 個人番号 column is masked or partial (the profile says so): check digits
    /// and the same-number check did not run.
    pub masked_number: bool,
    /// Time taken.
    pub elapsed: Duration,
    /// The longest time the import held the store's write lock at once (its rows are written
    /// in short chunks, while others go on working).
    pub lock_held: Duration,
}

/// SHA-256 of a file, hex.
pub fn hash_file(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Reads the file through, hashing it, counting bytes and quote characters, and keeping
/// the offsets of the line breaks not yet passed so that a record's byte offset can be turned
/// into the line number a text editor shows (a quoted field may span lines).
struct TapReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: Arc<AtomicU64>,
    offset: u64,
    quotes: VecDeque<u64>,
    newlines: VecDeque<u64>,
    lines_passed: u64,
    /// Inside a quoted field at the end of what was read.
    in_quotes: bool,
    /// Where the record being read began (after the last line break outside quotes).
    record_start: u64,
    /// The line of a record that grew past [`MAX_RECORD_BYTES`] (reading stopped there).
    too_long: Option<u64>,
}

impl<R> TapReader<R> {
    fn new(inner: R, bytes: Arc<AtomicU64>) -> Self {
        TapReader {
            inner,
            hasher: Sha256::new(),
            bytes,
            offset: 0,
            quotes: VecDeque::new(),
            newlines: VecDeque::new(),
            lines_passed: 0,
            in_quotes: false,
            record_start: 0,
            too_long: None,
        }
    }

    /// The line (1-based) of a record that the csv reader says starts at `offset`. With CRLF
    /// endings the reader's offset points at the LF that ends the previous line, so a line
    /// break at the offset itself counts as passed. Offsets must not decrease between calls.
    fn line_at(&mut self, offset: u64) -> u64 {
        while self.newlines.front().is_some_and(|&n| n <= offset) {
            self.newlines.pop_front();
            self.lines_passed += 1;
        }
        self.lines_passed + 1
    }

    /// The line (1-based) of `offset`, counting the line breaks not yet passed.
    fn line_of(&self, offset: u64) -> u64 {
        self.lines_passed + self.newlines.iter().filter(|&&nl| nl < offset).count() as u64 + 1
    }

    /// How many quote characters stand before `offset` and were not counted yet: called with
    /// the start of each record, it gives the quotes of the record before.
    fn quotes_before(&mut self, offset: u64) -> usize {
        let n = self.quotes.partition_point(|&q| q < offset);
        self.quotes.drain(..n);
        n
    }
}

impl<R: Read> Read for TapReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // A record past the limit stops the reading at the next call, once the csv reader has
        // used up what it holds (the rows before it are read as usual); memory stays bounded
        // by the reader's buffer.
        if let Some(line) = self.too_long {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                RecordTooLong(line),
            ));
        }
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        self.hasher.update(chunk);
        let base = self.offset;
        for i in memchr::memchr2_iter(b'"', b'\n', chunk) {
            let at = base + i as u64;
            if chunk[i] == b'"' {
                self.quotes.push_back(at);
                self.in_quotes = !self.in_quotes;
            } else {
                self.newlines.push_back(at);
                if !self.in_quotes {
                    if at - self.record_start > MAX_RECORD_BYTES && self.too_long.is_none() {
                        self.too_long = Some(self.line_of(self.record_start));
                    }
                    self.record_start = at + 1;
                }
            }
        }
        self.offset += n as u64;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        if self.offset - self.record_start > MAX_RECORD_BYTES && self.too_long.is_none() {
            self.too_long = Some(self.line_of(self.record_start));
        }
        Ok(n)
    }
}

/// Detects the encoding of a file from its first bytes (what the GUI shows before import).
pub fn detect_file_encoding(path: &Path, choice: EncodingChoice) -> io::Result<FileEncoding> {
    let mut prefix = Vec::with_capacity(DETECT_BYTES);
    File::open(path)?
        .take(DETECT_BYTES as u64)
        .read_to_end(&mut prefix)?;
    Ok(encoding::detect(&prefix, choice))
}

/// Imports a match-result file into the store.
///
/// `on_progress` is called after each batch of rows; setting `cancel` stops the import and
/// leaves the store unchanged.
pub(crate) fn import_file(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    on_progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
    audit: Option<crate::store::ImportAudit<'_>>,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let io_err = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let total_bytes = std::fs::metadata(path).map_err(io_err)?.len();
    // Refuse a file imported before without reading it twice, where the size says it may be.
    if store.has_import_of_size(total_bytes)?
        && let Some(prev) = store.import_by_hash(&hash_file(path).map_err(io_err)?)?
    {
        return Err(ImportError::AlreadyImported(Box::new(prev)));
    }
    let Opened {
        csv,
        map,
        enc,
        bytes_done,
    } = open_file(path, opts)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = ImportMeta {
        file_name,
        file_size: total_bytes,
        encoding: enc.name().to_string(),
        profile: opts.profile.name.clone(),
        extra_headers: map.extra.iter().map(|(_, h)| h.clone()).collect(),
    };

    let stop = AtomicBool::new(false);
    let parser = RowParser { enc, map: &map };
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Record>>(4);
    // Written batches go back to the reader, which frees (and reuses) them: the store
    // writer is the slower side and should do nothing but write.
    let (spent_tx, spent_rx) = crossbeam_channel::unbounded::<Vec<Record>>();

    std::thread::scope(|s| {
        let reader = s.spawn(|| read_rows(csv, path, &parser, tx, spent_rx, &stop, true));
        let written = write_rows(
            store,
            &meta,
            (rx, spent_tx),
            &bytes_done,
            total_bytes,
            on_progress,
            cancel,
        );
        if written.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let outcome = reader.join().expect("the reader thread panicked");
        let end = Ending {
            started,
            cancel,
            audit,
        };
        finish(written, outcome, enc, &opts.profile, &meta, &end).map(|mut r| {
            r.masked_number = opts.profile.masked_number;
            r
        })
    })
}

/// The file opened for reading: the CSV reader past the header, the column map, the encoding
/// and the byte counter for progress.
struct Opened {
    csv: csv::Reader<TapReader<File>>,
    map: ColumnMap,
    enc: FileEncoding,
    bytes_done: Arc<AtomicU64>,
}

fn open_file(path: &Path, opts: &ImportOptions) -> Result<Opened, ImportError> {
    let io_err = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let enc = detect_file_encoding(path, opts.encoding).map_err(io_err)?;
    let bytes_done = Arc::new(AtomicU64::new(0));
    let tap = TapReader::new(File::open(path).map_err(io_err)?, bytes_done.clone());
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(tap);
    let map = read_header(&mut csv, path, enc, &opts.profile)?;
    Ok(Opened {
        csv,
        map,
        enc,
        bytes_done,
    })
}

/// Counts the cross-record alarms as warnings (a row with warnings of its own is counted
/// once).
fn add_alarm_counts(counts: &mut Counts, cross: &CrossCheck, findings: &Findings) {
    for (row, kinds) in findings.by_row() {
        if !cross.had_warnings(row) {
            counts.warnings += 1;
        }
        for k in kinds {
            *counts
                .warnings_by_kind
                .entry(k.warning().key())
                .or_default() += 1;
        }
    }
}

/// What [`scan_file`] found.
pub struct ScanReport {
    /// Encoding used.
    pub encoding: FileEncoding,
    /// Counts of the file (cross-record alarms included when they were collected).
    pub counts: Counts,
    /// The cross-record keys of every row, when asked for.
    pub cross: Option<CrossCheck>,
    /// Time taken.
    pub elapsed: Duration,
}

/// Reads and validates a match-result file without storing it, handing the validated rows
/// to `on_rows` in file order (batches). The same reading, validation and classification as
/// [`import_file`]; a file with errors ends in [`ImportError::Rejected`] (after `on_rows` may
/// have seen the rows before the first error). `collect_cross` keeps what the cross-record
/// checks need ([`crate::crosscheck`]).
pub fn scan_file(
    path: &Path,
    opts: &ImportOptions,
    collect_cross: bool,
    on_progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
    on_rows: &mut dyn FnMut(&[Record]),
) -> Result<ScanReport, ImportError> {
    let started = Instant::now();
    let total_bytes = std::fs::metadata(path)
        .map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    let Opened {
        csv,
        map,
        enc,
        bytes_done,
    } = open_file(path, opts)?;
    let stop = AtomicBool::new(false);
    let parser = RowParser { enc, map: &map };
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Record>>(4);
    let (spent_tx, spent_rx) = crossbeam_channel::unbounded::<Vec<Record>>();
    std::thread::scope(|s| {
        let reader = s.spawn(|| read_rows(csv, path, &parser, tx, spent_rx, &stop, collect_cross));
        let drained = drain_batches(
            (rx, spent_tx),
            &bytes_done,
            total_bytes,
            on_progress,
            cancel,
            &mut |batch| {
                if !batch.is_empty() {
                    on_rows(batch);
                }
                Ok(true)
            },
        );
        if drained.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let outcome = reader.join().expect("the reader thread panicked");
        drained?;
        let mut outcome = outcome?;
        if outcome.error_total > 0 {
            return Err(ImportError::Rejected {
                errors: outcome.errors,
                total: outcome.error_total,
            });
        }
        if let (Some(cross), Some(findings)) = (&outcome.cross, &outcome.findings) {
            add_alarm_counts(&mut outcome.counts, cross, findings);
        }
        Ok(ScanReport {
            encoding: enc,
            counts: outcome.counts,
            cross: outcome.cross,
            elapsed: started.elapsed(),
        })
    })
}

/// What the end of an import needs besides the rows: when it began, the stop flag, and the
/// audit entry to commit with it.
#[derive(Clone, Copy)]
struct Ending<'a> {
    started: Instant,
    cancel: &'a AtomicBool,
    audit: Option<crate::store::ImportAudit<'a>>,
}

fn finish(
    written: Result<ImportTx<'_>, ImportError>,
    outcome: Result<ReadOutcome, ImportError>,
    enc: FileEncoding,
    profile: &Profile,
    meta: &ImportMeta,
    end: &Ending<'_>,
) -> Result<ImportReport, ImportError> {
    let Ending {
        started,
        cancel,
        audit,
    } = *end;
    let mut tx = written?;
    let mut outcome = outcome?;
    if outcome.error_total > 0 {
        return Err(ImportError::Rejected {
            errors: outcome.errors,
            total: outcome.error_total,
        });
    }
    // A cancel up to the last moment is honoured: nothing is committed.
    if cancel.load(Ordering::Relaxed) {
        return Err(ImportError::Cancelled);
    }
    if let (Some(cross), Some(findings)) = (outcome.cross.take(), outcome.findings.take()) {
        tx.apply_alarms(&findings)?;
        add_alarm_counts(&mut outcome.counts, &cross, &findings);
    }
    let (import_id, lock_held) = match tx.commit(&outcome.hash, &outcome.counts, audit)? {
        CommitOutcome::Committed(id, held) => (id, held),
        CommitOutcome::Duplicate(prev) => return Err(ImportError::AlreadyImported(prev)),
    };
    Ok(ImportReport {
        import_id,
        encoding: enc,
        profile: profile.name.clone(),
        counts: outcome.counts,
        extra_headers: meta.extra_headers.clone(),
        warning_examples: outcome.warning_examples,
        masked_number: false,
        elapsed: started.elapsed(),
        lock_held,
    })
}

/// The consumer's end of the reader thread's channels: full batches in, spent batches back.
type BatchChannels = (
    crossbeam_channel::Receiver<Vec<Record>>,
    crossbeam_channel::Sender<Vec<Record>>,
);

fn write_rows<'a>(
    store: &'a mut Store,
    meta: &ImportMeta,
    channels: BatchChannels,
    bytes_done: &AtomicU64,
    total_bytes: u64,
    on_progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<ImportTx<'a>, ImportError> {
    let mut tx = store.begin_import(meta)?;
    drain_batches(
        channels,
        bytes_done,
        total_bytes,
        on_progress,
        cancel,
        &mut |batch| Ok(tx.insert(batch)?),
    )?;
    Ok(tx)
}

/// Hands each batch from the reader thread to `consume` (the store writer, or the caller of
/// [`scan_file`]), sends the spent batch back for reuse, and reports progress every 50 ms
/// and at the end, only when `consume` says it holds no lock (it returns `true`). An empty
/// batch at the end tells `consume` the rows are over. A cancel ends it with
/// [`ImportError::Cancelled`].
fn drain_batches(
    (rx, spent): BatchChannels,
    bytes_done: &AtomicU64,
    total_bytes: u64,
    on_progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
    consume: &mut dyn FnMut(&[Record]) -> Result<bool, ImportError>,
) -> Result<(), ImportError> {
    let mut rows = 0u64;
    let mut last_report = Instant::now();
    for batch in rx.iter() {
        if cancel.load(Ordering::Relaxed) {
            return Err(ImportError::Cancelled);
        }
        let settled = consume(&batch)?;
        rows += batch.len() as u64;
        // The reader may have finished already; then the batch is simply dropped here.
        let _ = spent.send(batch);
        if settled && last_report.elapsed() >= Duration::from_millis(50) {
            last_report = Instant::now();
            on_progress(Progress {
                rows,
                bytes: bytes_done.load(Ordering::Relaxed),
                total_bytes,
            });
        }
    }
    // The end of the rows: the store writer commits what it holds before the last report.
    consume(&[])?;
    on_progress(Progress {
        rows,
        bytes: bytes_done.load(Ordering::Relaxed),
        total_bytes,
    });
    Ok(())
}

/// What the reader thread found.
struct ReadOutcome {
    hash: String,
    counts: Counts,
    errors: Vec<RowError>,
    error_total: u64,
    warning_examples: Vec<(u64, WarningKind)>,
    cross: Option<CrossCheck>,
    /// The cross-record checks' findings, run on the reader thread once the rows are read
    /// (while the store writer still writes the last batches).
    findings: Option<Findings>,
}

fn read_header(
    csv: &mut csv::Reader<TapReader<File>>,
    path: &Path,
    enc: FileEncoding,
    profile: &Profile,
) -> Result<ColumnMap, ImportError> {
    let mut header = csv::ByteRecord::new();
    let has = csv.read_byte_record(&mut header).map_err(|e| {
        if csv.get_ref().too_long.is_some() {
            ImportError::Header(format!(
                "1行目（見出し）が長すぎます（{} KB を超えています）。突合結果ファイルではありません",
                MAX_RECORD_BYTES / 1024
            ))
        } else {
            ImportError::Io {
                path: path.to_path_buf(),
                source: io::Error::other(e.to_string()),
            }
        }
    })?;
    if !has {
        return Err(ImportError::Header(
            "ファイルが空です（見出しの行がありません）".into(),
        ));
    }
    let mut headers = Vec::with_capacity(header.len());
    for (i, raw) in header.iter().enumerate() {
        // The csv reader drops a UTF-8 BOM itself; strip it only if it is still there.
        let raw = raw.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(raw);
        match encoding::decode_field(enc, raw) {
            Some(t) => headers.push(t.trim().to_string()),
            None => {
                return Err(ImportError::Header(format!(
                    "1行目（見出し）{}列目: {} として読めない文字があります。--encoding で文字コードを指定してください",
                    i + 1,
                    enc.name()
                )));
            }
        }
    }
    profile
        .resolve(&headers)
        .map_err(|e| ImportError::Header(e.to_string()))
}

fn read_rows(
    mut csv: csv::Reader<TapReader<File>>,
    path: &Path,
    parser: &RowParser<'_>,
    tx: crossbeam_channel::Sender<Vec<Record>>,
    spent: crossbeam_channel::Receiver<Vec<Record>>,
    stop: &AtomicBool,
    collect_cross: bool,
) -> Result<ReadOutcome, ImportError> {
    let mut out = ReadOutcome {
        hash: String::new(),
        counts: Counts::default(),
        errors: Vec::new(),
        error_total: 0,
        warning_examples: Vec::new(),
        cross: collect_cross.then(CrossCheck::new),
        findings: None,
    };
    let mut rec = csv::ByteRecord::new();
    let mut scratch = Scratch::default();
    // The batch being filled: its first `filled` records hold rows of this batch; the rest are
    // records of an earlier batch (sent back by the writer), filled again in place.
    let mut batch: Vec<Record> = Vec::with_capacity(BATCH_ROWS);
    let mut filled = 0usize;
    let mut last_line = 1;
    let mut rows_seen = 0u64;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(ImportError::Cancelled);
        }
        match csv.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(last_line);
                let too_long = csv.get_ref().too_long;
                return Err(match e.into_kind() {
                    csv::ErrorKind::Io(_) if too_long.is_some() => {
                        let line = too_long.unwrap_or(line);
                        ImportError::Rejected {
                            errors: vec![RowError {
                                line,
                                column: None,
                                message: format!(
                                    "1 行が長すぎます（{} KB を超えています）。突合結果ファイルではないか、引用符（\"）が閉じられていません",
                                    MAX_RECORD_BYTES / 1024
                                ),
                            }],
                            total: 1,
                        }
                    }
                    csv::ErrorKind::Io(source) => ImportError::Io {
                        path: path.to_path_buf(),
                        source,
                    },
                    other => ImportError::Rejected {
                        errors: vec![RowError {
                            line,
                            column: None,
                            message: format!("CSV の形式が正しくありません（{other:?}）"),
                        }],
                        total: 1,
                    },
                });
            }
        }
        let line = match rec.position() {
            Some(p) => {
                // In well-formed CSV every record holds an even number of quote characters.
                if csv.get_mut().quotes_before(p.byte()) % 2 == 1 {
                    out.error_total += 1;
                    if out.errors.len() < KEPT_ERRORS {
                        out.errors.push(RowError {
                            line: last_line,
                            column: None,
                            message: "引用符（\"）の数が合いません。項目の中の引用符は \"\" と二重にしてください".into(),
                        });
                    }
                }
                csv.get_mut().line_at(p.byte())
            }
            None => last_line + 1,
        };
        last_line = line;
        rows_seen += 1;
        if filled == batch.len() {
            batch.push(blank_record());
        }
        match parser.parse_into(line, &rec, &mut scratch, &mut batch[filled]) {
            Ok(()) => {
                let r = &batch[filled];
                out.counts.add_record(r);
                if out.error_total == 0
                    && let Some(c) = out.cross.as_mut()
                {
                    c.add(r);
                }
                if !r.warnings.is_empty() && out.warning_examples.len() < KEPT_WARNING_EXAMPLES {
                    for k in r.warnings.kinds() {
                        if out.warning_examples.len() < KEPT_WARNING_EXAMPLES {
                            out.warning_examples.push((line, k));
                        }
                    }
                }
                if out.error_total == 0 {
                    filled += 1;
                }
            }
            Err(errs) => {
                out.error_total += errs.len() as u64;
                let room = KEPT_ERRORS.saturating_sub(out.errors.len());
                out.errors.extend(errs.into_iter().take(room));
                filled = 0;
            }
        }
        if filled >= BATCH_ROWS {
            // A batch the writer is done with, its records to be filled again; or a new one.
            let next = spent
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(BATCH_ROWS));
            let mut full = std::mem::replace(&mut batch, next);
            full.truncate(filled);
            filled = 0;
            if tx.send(full).is_err() {
                return Err(ImportError::Cancelled);
            }
        } else if out.error_total > 0 && rows_seen.is_multiple_of(BATCH_ROWS as u64) {
            // Keep the progress bar moving while only checking the rest of the file.
            if tx.send(Vec::new()).is_err() {
                return Err(ImportError::Cancelled);
            }
        }
    }
    let mut tap = csv.into_inner();
    if tap.quotes_before(u64::MAX) % 2 == 1 {
        out.error_total += 1;
        out.errors.push(RowError {
            line: last_line,
            column: None,
            message:
                "引用符（\"）が閉じられていません。この行から後がひとつの項目として読まれました"
                    .into(),
        });
    }
    out.hash = hex(&tap.hasher.finalize());
    // So many bad values in one column that this is not the file (or not the profile) it
    // should be: refuse it, with the share and the column that fails most.
    if out.error_total == 0 && rows_seen >= MIN_ROWS_FOR_SHARE {
        let worst = Field::ALL
            .iter()
            .map(|&f| {
                let n = out
                    .counts
                    .warnings_by_kind
                    .get(&WarningKind::BadValue(f).key())
                    .copied()
                    .unwrap_or(0);
                (n, f)
            })
            .max_by_key(|(n, _)| *n);
        if let Some((bad, f)) = worst
            && bad * 2 > rows_seen
        {
            let column = parser
                .map
                .get(f)
                .map(|i| parser.map.headers[i].clone())
                .unwrap_or_else(|| f.default_header().to_string());
            return Err(ImportError::WrongFile {
                column,
                bad,
                rows: rows_seen,
            });
        }
    }
    // The last batch only now: a file refused at its end (a quote left open, the wrong file)
    // has then sent the writer nothing if it is shorter than one batch, and the store file is
    // left as it was.
    batch.truncate(filled);
    if out.error_total == 0 && !batch.is_empty() && tx.send(batch).is_err() {
        return Err(ImportError::Cancelled);
    }
    drop(tx);
    if out.error_total == 0 {
        out.findings = out.cross.as_ref().map(CrossCheck::run);
    }
    Ok(out)
}

/// Validates and classifies one row.
struct RowParser<'a> {
    enc: FileEncoding,
    map: &'a ColumnMap,
}

/// The decoded cells of the row being read, one buffer per column, kept from row to row: in
/// the steady state reading a row allocates nothing (the rows' records are reused too, see
/// [`read_rows`]).
#[derive(Default)]
struct Scratch {
    cells: Vec<String>,
}

/// A record with nothing in it, to be filled by [`RowParser::parse_into`].
fn blank_record() -> Record {
    Record {
        line: 0,
        insurer_number: String::new(),
        card_symbol: String::new(),
        card_number: String::new(),
        branch: String::new(),
        relation: None,
        my_number: String::new(),
        qual_start: None,
        qual_end: None,
        insurer: Person::default(),
        registry_result: RegistryResult::Found,
        registry: Person::default(),
        verdicts: Verdicts::default(),
        stop_flag: None,
        multi_qual: false,
        base_date: None,
        extra: Vec::new(),
        class: classify::classify(
            RegistryResult::Found,
            &Verdicts::default(),
            false,
            None,
            None,
        ),
        warnings: Warnings::default(),
        analysis: None,
        bad_values: Vec::new(),
    }
}

/// Sets `dst` to `v` as [`visible_and_bounded`] leaves it, in the buffer `dst` has (no
/// allocation once it is large enough, unless `v` had to be changed): returns whether it was.
fn set_visible(dst: &mut String, v: &str) -> bool {
    match visible_and_bounded(v) {
        Some(changed) => {
            *dst = changed;
            true
        }
        None => {
            dst.clear();
            dst.push_str(v);
            false
        }
    }
}

impl RowParser<'_> {
    /// Validates and classifies one row into `r`, every field of which it sets (the record
    /// of an earlier row is reused: its buffers keep their room).
    fn parse_into(
        &self,
        line: u64,
        rec: &csv::ByteRecord,
        scratch: &mut Scratch,
        r: &mut Record,
    ) -> Result<(), Vec<RowError>> {
        let ncols = self.map.headers.len();
        if rec.len() != ncols {
            return Err(vec![RowError {
                line,
                column: None,
                message: format!(
                    "列の数が違います（見出しは {ncols} 列、この行は {} 列）",
                    rec.len()
                ),
            }]);
        }
        let mut errs = Vec::new();
        scratch.cells.resize_with(ncols, String::new);
        for (i, (raw, cell)) in rec.iter().zip(scratch.cells.iter_mut()).enumerate() {
            if !encoding::decode_field_into(self.enc, raw, cell) {
                errs.push(RowError {
                    line,
                    column: Some(self.map.headers[i].clone()),
                    message: format!(
                        "{} として読めない文字があります（文字コードが違うか、ファイルが壊れています）",
                        self.enc.name()
                    ),
                });
                cell.clear();
            }
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        r.bad_values.clear();
        let mut c = Cells {
            map: self.map,
            cells: &scratch.cells,
            warnings: Warnings::default(),
            bad_values: std::mem::take(&mut r.bad_values),
        };

        // Content problems never refuse the file: the row is imported, its value set aside,
        // and the column flagged (WarningKind::BadValue). No message repeats a value.
        r.line = line;
        c.take_trimmed(Field::InsurerNumber, &mut r.insurer_number);
        let insurer_number = &r.insurer_number;
        if !(insurer_number.len() == 6 || insurer_number.len() == 8)
            || !insurer_number.bytes().all(|b| b.is_ascii_digit())
            || !checkdigit::insurer_number_is_valid(insurer_number)
        {
            c.bad(Field::InsurerNumber);
        }
        c.take(Field::CardSymbol, &mut r.card_symbol);
        c.take(Field::CardNumber, &mut r.card_number);
        if r.card_number.trim().is_empty() {
            c.bad(Field::CardNumber);
        }
        c.take_trimmed(Field::Branch, &mut r.branch);
        let branch = &r.branch;
        if !(branch.is_empty() || (branch.len() == 2 && branch.bytes().all(|b| b.is_ascii_digit())))
        {
            c.bad(Field::Branch);
        }
        r.relation = match c.text(Field::Relation).trim() {
            "" => None,
            "1" => Some(1),
            "2" => Some(2),
            _ => {
                c.set_aside(Field::Relation);
                None
            }
        };
        c.take_trimmed(Field::MyNumber, &mut r.my_number);
        let my_number = &r.my_number;
        if self.map.masked_number {
            // A masked file: the number is kept as it is; no check digit can run.
            if crate::record::masked_number_digits(my_number).is_none() {
                c.bad(Field::MyNumber);
            }
        } else if !crate::record::my_number_is_full(my_number) {
            c.bad(Field::MyNumber);
        } else if !checkdigit::my_number_is_valid(my_number) {
            c.warnings.add(WarningKind::MyNumberCheckDigit);
        }
        r.qual_start = c.date(Field::QualStart);
        r.qual_end = c.date(Field::QualEnd);
        c.person(
            [
                Field::InsKanji,
                Field::InsKana,
                Field::InsBirth,
                Field::InsSex,
                Field::InsAddress,
            ],
            &mut r.insurer,
        );
        r.registry_result = match RegistryResult::parse(c.text(Field::JlisResult)) {
            Some(v) => v,
            None => {
                c.set_aside(Field::JlisResult);
                RegistryResult::Found
            }
        };
        c.person(
            [
                Field::RegKanji,
                Field::RegKana,
                Field::RegBirth,
                Field::RegSex,
                Field::RegAddress,
            ],
            &mut r.registry,
        );
        let mut items = [Verdict::NotCompared; 5];
        for (slot, f) in items.iter_mut().zip([
            Field::VerdictKanji,
            Field::VerdictKana,
            Field::VerdictBirth,
            Field::VerdictSex,
            Field::VerdictAddress,
        ]) {
            *slot = c.verdict(f);
        }
        r.verdicts = Verdicts {
            items,
            overall: c.verdict(Field::Overall),
        };
        r.stop_flag = match StopFlag::parse(c.text(Field::StopFlag)) {
            Ok(f) => f,
            Err(_) => {
                c.set_aside(Field::StopFlag);
                None
            }
        };
        r.multi_qual = match c.text(Field::MultiQual).trim() {
            "" | "0" => false,
            "1" => true,
            _ => {
                c.set_aside(Field::MultiQual);
                false
            }
        };
        r.base_date = c.date(Field::BaseDate);
        r.extra.resize_with(self.map.extra.len(), String::new);
        for ((i, _), dst) in self.map.extra.iter().zip(r.extra.iter_mut()) {
            set_visible(dst, &c.cells[*i]);
        }
        r.warnings = c.warnings;
        r.bad_values = c.bad_values;
        r.class = classify::classify(
            r.registry_result,
            &r.verdicts,
            r.multi_qual,
            r.qual_end,
            r.base_date,
        );
        r.analysis = None;
        r.warnings.0 |= classify::consistency_warnings(r).0;
        if r.class.mismatch {
            r.analysis = Some(crate::compare::explain_record(r).summary());
        }
        Ok(())
    }
}

/// Control characters become the visible marks of Unicode's Control Pictures block (␀ for
/// NUL, ␛ for ESC, ␡ for DEL; C1 controls become �), and a value longer than
/// [`MAX_FIELD_CHARS`] is cut: returns the value so changed, or `None` when it is fine as it
/// is (nearly every cell: no copy is made then). Stored that way, such a value can never
/// reach a printer, a terminal or a CSV cell as it was.
pub fn visible_and_bounded(v: &str) -> Option<String> {
    // The fast path: short, and no byte of a C0 control, DEL or the lead byte of a C1 control
    // (C1 controls are 0xC2 0x80..=0x9F in UTF-8). One pass without early exit, which the
    // compiler turns into vector code; a 0xC2 (¥, ° …) is looked at more closely.
    let bytes = v.as_bytes();
    let suspect = bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == 0x7f) | (b == 0xc2)
    });
    let control = suspect
        && (bytes.iter().any(|&b| b < 0x20 || b == 0x7f)
            || bytes
                .windows(2)
                .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1])));
    let too_long = bytes.len() > MAX_FIELD_CHARS && v.chars().count() > MAX_FIELD_CHARS;
    if !control && !too_long {
        return None;
    }
    Some(
        v.chars()
            .take(MAX_FIELD_CHARS)
            .map(|ch| match ch as u32 {
                c @ 0..=0x1f => char::from_u32(0x2400 + c).unwrap_or('\u{fffd}'),
                0x7f => '\u{2421}',
                _ if ch.is_control() => '\u{fffd}',
                _ => ch,
            })
            .collect(),
    )
}

/// The decoded cells of one row, with the content warnings found so far.
struct Cells<'a> {
    map: &'a ColumnMap,
    cells: &'a [String],
    warnings: Warnings,
    bad_values: Vec<(Field, String)>,
}

impl Cells<'_> {
    fn text(&self, f: Field) -> &str {
        self.map
            .get(f)
            .map(|i| self.cells[i].as_str())
            .unwrap_or("")
    }

    /// Copies a text cell into `dst`, its control characters made visible and its length
    /// bounded (flagged where that changed it).
    fn take(&mut self, f: Field, dst: &mut String) {
        let Some(i) = self.map.get(f) else {
            dst.clear();
            return;
        };
        if set_visible(dst, &self.cells[i]) {
            self.bad(f);
        }
    }

    /// [`Cells::take`], without the spaces around the value (codes and numbers).
    fn take_trimmed(&mut self, f: Field, dst: &mut String) {
        self.take(f, dst);
        dst.truncate(dst.trim_end().len());
        let start = dst.len() - dst.trim_start().len();
        dst.drain(..start);
    }

    /// Flags a value of `f` that is not what the column holds (and that the column keeps).
    fn bad(&mut self, f: Field) {
        self.warnings.add(WarningKind::BadValue(f));
    }

    /// Flags a value of `f` that the column cannot hold and keeps it aside, as it was (control
    /// characters made visible, cut), for the review screen.
    fn set_aside(&mut self, f: Field) {
        self.bad(f);
        let text = self.text(f);
        let v: String = visible_and_bounded(text)
            .as_deref()
            .unwrap_or(text)
            .chars()
            .take(crate::record::MAX_BAD_VALUE_CHARS)
            .collect();
        self.bad_values.push((f, v));
    }

    fn date(&mut self, f: Field) -> Option<Date> {
        match Date::parse(self.text(f)) {
            Ok(d) => d,
            Err(_) => {
                self.set_aside(f);
                None
            }
        }
    }

    fn sex(&mut self, f: Field) -> Option<Sex> {
        match Sex::parse(self.text(f)) {
            Ok(s) => s,
            Err(_) => {
                self.set_aside(f);
                None
            }
        }
    }

    fn verdict(&mut self, f: Field) -> Verdict {
        match Verdict::parse(self.text(f)) {
            Some(v) => v,
            None => {
                self.set_aside(f);
                Verdict::NotCompared
            }
        }
    }

    /// A birth date: a real date, or one known only in part (day or month 00, 不詳), which is
    /// a value with a meaning and no warning.
    fn birth(&mut self, f: Field) -> (Option<Date>, Option<PartialDate>) {
        match PartialDate::parse(self.text(f)) {
            Some(p) => (None, Some(p)),
            None => (self.date(f), None),
        }
    }

    /// One side's five items into `p`.
    fn person(&mut self, [kanji, kana, birth, sex, addr]: [Field; 5], p: &mut Person) {
        (p.birth_date, p.birth_partial) = self.birth(birth);
        self.take(kanji, &mut p.kanji_name);
        self.take(kana, &mut p.kana_name);
        p.sex = self.sex(sex);
        self.take(addr, &mut p.address);
    }
}
