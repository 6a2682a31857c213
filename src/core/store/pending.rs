//! An import on its way into the store (issue 17; written straight into the store since
//! issue 15's speed bound): the import first adds its row under the hash `pending:<token>`,
//! then writes its records into `records` in chunks of about [`CHUNK_TIME`] of writing, each
//! chunk its own short write transaction with a pause after it (others log in, view, decide
//! and approve between chunks), and ends with one short transaction that gives the import its hash, counts
//! and alarms and writes its audit entry. Until then every reader leaves the rows out
//! (`not_pending` in the store). A failed or cancelled import removes its rows again, chunk by
//! chunk; one left by a crash is removed at the next open of the store: its importer no longer
//! holds the lock file `totsugo.db.import-<token>.lock`.
//!
//! (Until session 10 the rows went to a staging file first and were copied into the store at
//! the end: every row was encrypted and written twice, and the import took twice as long.)

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::types::ToSqlOutput;
use rusqlite::{OptionalExtension, params};

use super::bulk::BulkInsert;
use super::columns;
use super::{
    CommitOutcome, IMPORT_COLUMNS, ImportAudit, ImportMeta, PENDING, PENDING_PREFIX, STORE_FILE,
    Store, StoreError, append_audit_on, import_from_row,
};
use crate::record::{COLUMNS, Record};
use crate::summary::Counts;

/// The start of an import's lock file's name: `totsugo.db.import-<token>.lock` (the purge
/// removes every file whose name starts with the store's).
fn lock_prefix() -> String {
    format!("{STORE_FILE}.import-")
}

/// The lock file of the import with `token`: held by the importer for as long as it runs.
fn lock_path_of(dir: &Path, token: &str) -> PathBuf {
    dir.join(format!("{}{token}.lock", lock_prefix()))
}

/// Deletes the import lock files in `dir` that no importer holds (left by a crash, a kill),
/// and the staging files earlier versions wrote beside them. Those of imports still running
/// are left alone.
pub(super) fn remove_abandoned(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = lock_prefix();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(token) = name
            .strip_prefix(&prefix)
            .map(|t| t.strip_suffix(".lock").unwrap_or(t))
        else {
            continue;
        };
        let lock_path = lock_path_of(dir, token);
        let lock = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path);
        if let Ok(lock) = lock
            && lock.try_lock().is_ok()
        {
            // An earlier version's staging file of the same token, if any.
            let _ = std::fs::remove_file(dir.join(format!("{prefix}{token}")));
            let _ = std::fs::remove_file(&lock_path);
        }
    }
}

/// Removes the rows and the row of a pending import: the rows chunk by chunk (each chunk its
/// own short transaction, as they were written), the import's row last, so that a crash in
/// the middle leaves a pending import that the next open goes on removing. Foreign keys are
/// off meanwhile (no other row refers to the rows of a pending import, and SQLite would
/// otherwise look for references to each deleted row in every table that could have one).
fn remove_pending_import(conn: &rusqlite::Connection, import_id: i64) -> Result<(), StoreError> {
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let removed = (|| {
        // The ids reserved for the import when it began (as many as its file has bytes); an
        // import that began later has its rows after them, and is not walked through.
        let (first, reserved): (Option<i64>, i64) = conn
            .query_row(
                "SELECT first_record_id, file_size FROM main.imports WHERE id = ?1",
                [import_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((None, 0));
        let last: Option<i64> = match first {
            Some(first) => conn
                .query_row(
                    "SELECT id FROM main.records WHERE id >= ?1 AND id < ?2 \
                     ORDER BY id DESC LIMIT 1",
                    [first, first + reserved],
                    |r| r.get(0),
                )
                .optional()?,
            None => None,
        };
        if let (Some(first), Some(last)) = (first, last) {
            let mut lo = first;
            while lo <= last {
                let hi = lo + CHUNK_ROWS;
                let tx = rusqlite::Transaction::new_unchecked(
                    conn,
                    rusqlite::TransactionBehavior::Immediate,
                )?;
                tx.execute(
                    "DELETE FROM main.records WHERE id >= ?1 AND id < ?2 AND import_id = ?3",
                    params![lo, hi, import_id],
                )?;
                tx.commit()?;
                lo = hi;
                std::thread::sleep(CHUNK_PAUSE);
            }
        }
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        // Rows left by an earlier version's import (no first record id while pending).
        if first.is_none() {
            tx.execute("DELETE FROM main.records WHERE import_id = ?1", [import_id])?;
        }
        tx.execute(
            &format!("DELETE FROM main.imports WHERE id = ?1 AND {PENDING}"),
            [import_id],
        )?;
        tx.commit()?;
        Ok::<_, StoreError>(())
    })();
    let on = conn.execute_batch("PRAGMA foreign_keys = ON");
    removed?;
    on?;
    Ok(())
}

/// Removes from the store the rows of imports whose importer died (a crash, a kill): their
/// hash is still `pending:<token>` and no one holds the lock file of that token.
pub(super) fn remove_abandoned_rows(
    conn: &rusqlite::Connection,
    dir: &Path,
) -> Result<(), StoreError> {
    let pending: Vec<(i64, String)> = {
        let mut stmt = conn.prepare(&format!(
            "SELECT id, substr(file_hash, {}) FROM main.imports WHERE {PENDING}",
            PENDING_PREFIX.len() + 1
        ))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    for (id, token) in pending {
        let alive = OpenOptions::new()
            .write(true)
            .open(lock_path_of(dir, &token))
            .is_ok_and(|f| f.try_lock().is_err());
        if !alive {
            remove_pending_import(conn, id)?;
        }
    }
    Ok(())
}

/// An import's rows on their way into the store: insert batches, then [`ImportTx::commit`].
/// Dropping it without committing removes the rows written so far: no reader ever saw them.
pub struct ImportTx<'a> {
    store: &'a Store,
    meta: ImportMeta,
    /// The import's random token: its hash is `pending:<token>` until it is visible.
    token: String,
    lock_path: PathBuf,
    /// Held until the import ends: tells [`remove_abandoned_rows`] that it is alive.
    _lock: File,
    /// The records' insert, binding values without copies.
    insert: BulkInsert<'a>,
    rows: u64,
    /// When the chunk's write transaction began, while one is open.
    open_since: Option<Instant>,
    /// The longest hold of the write lock so far.
    longest: Duration,
    alarms: Vec<(u32, i64, u32)>,
    /// The import's id and the id before its first record's: data row n of the file is
    /// record `base + n`. The ids `base + 1 ..= base + file size` are reserved for the import
    /// (a file has fewer rows than bytes): a second import that begins meanwhile takes the
    /// ids after them, so that each import's records follow each other.
    import_id: i64,
    base: i64,
    /// Whether the import's row was added ([`ImportTx::begin`]).
    begun: bool,
    /// True from then until the import is visible; its rows are removed if it ends otherwise.
    pending: bool,
}

/// How long the import writes rows in one transaction (it then commits, which takes a few
/// tens of milliseconds more): the longest a login or a decision waits for an import.
const CHUNK_TIME: Duration = Duration::from_millis(150);
/// Rows removed per transaction when an import that did not finish is removed.
const CHUNK_ROWS: i64 = 16_384;
/// The pause after each chunk, in which a waiting writer (a login, a decision) gets the lock:
/// they try again every millisecond ([`super::BUSY_TIMEOUT`]).
const CHUNK_PAUSE: Duration = Duration::from_millis(2);

/// Adds the values of record `r` (to be record `id`) to `values`, in the order of
/// [`columns::insert_sql_into`].
fn push_row<'r>(
    values: &mut Vec<ToSqlOutput<'r>>,
    r: &'r Record,
    id: i64,
    import_id: i64,
    extra_cols: usize,
) {
    let extra = if extra_cols == 0 {
        None
    } else {
        Some(serde_json::to_string(&r.extra).expect("strings serialize"))
    };
    values.push(ToSqlOutput::from(id));
    values.push(ToSqlOutput::from(import_id));
    values.push(ToSqlOutput::from(r.line as i64));
    values.extend(
        columns::file_columns()
            .iter()
            .map(|(_, f)| columns::file_value(r, *f)),
    );
    values.extend(columns::derived_values(r, extra));
}

impl Store {
    /// Starts an import: takes its lock file and prepares the insert; the import is added,
    /// pending, with its first batch ([`ImportTx::begin`]). Nothing is visible to other readers
    /// until [`ImportTx::commit`].
    pub(crate) fn begin_import(&mut self, meta: &ImportMeta) -> Result<ImportTx<'_>, StoreError> {
        let store: &Store = self;
        let dir = store.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let io = |path: &Path, source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let insert =
            BulkInsert::prepare(&store.conn, &columns::insert_sql_into("main.records", true))?;
        let mut token = [0u8; 8];
        getrandom::fill(&mut token).map_err(|e| io(&dir, std::io::Error::other(e)))?;
        let token: String = token.iter().map(|b| format!("{b:02x}")).collect();
        let lock_path = lock_path_of(&dir, &token);
        // The lock first, then the import it guards.
        let lock = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock_path)
            .map_err(|e| io(&lock_path, e))?;
        if let Err(e) = lock.try_lock() {
            let _ = std::fs::remove_file(&lock_path);
            return Err(io(&lock_path, std::io::Error::other(e.to_string())));
        }
        Ok(ImportTx {
            store,
            meta: meta.clone(),
            token,
            lock_path,
            _lock: lock,
            insert,
            rows: 0,
            open_since: None,
            longest: Duration::ZERO,
            alarms: Vec::new(),
            import_id: 0,
            base: 0,
            begun: false,
            pending: false,
        })
    }
}

impl ImportTx<'_> {
    /// Adds the import, pending, with the ids its records will have, once there is a first
    /// batch to write (a file refused before it leaves the store file as it was, byte for
    /// byte); then turns foreign keys off: the records point to an import that exists, and
    /// SQLite need not check that a million times (on again at the end).
    fn begin(&mut self) -> Result<(), StoreError> {
        if self.begun {
            return Ok(());
        }
        let (meta, hash) = (&self.meta, self.pending_hash());
        let (import_id, base) = Self::write(&self.store.conn, &mut self.longest, |tx| {
            // After the last record and after the ids reserved by imports still on their way.
            let (import_id, base): (i64, i64) = tx.query_row(
                &format!(
                    "SELECT (SELECT coalesce(max(id), 0) + 1 FROM main.imports), \
                     max((SELECT coalesce(max(id), 0) FROM main.records), \
                         (SELECT coalesce(max(first_record_id - 1 + file_size), 0) \
                          FROM main.imports WHERE {PENDING}))"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            tx.execute(
                "INSERT INTO main.imports (id, file_name, file_hash, file_size, imported_at, \
                 encoding, profile, extra_headers, counts, first_record_id) \
                 VALUES (?1, ?2, ?3, ?4, datetime('now', 'localtime'), ?5, ?6, ?7, '{}', ?8)",
                params![
                    import_id,
                    meta.file_name,
                    hash,
                    meta.file_size as i64,
                    meta.encoding,
                    meta.profile,
                    serde_json::to_string(&meta.extra_headers).expect("strings serialize"),
                    base + 1,
                ],
            )?;
            Ok((import_id, base))
        })?;
        (self.import_id, self.base) = (import_id, base);
        (self.begun, self.pending) = (true, true);
        self.store.conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        Ok(())
    }

    /// The import's hash while it is on its way in.
    fn pending_hash(&self) -> String {
        format!("{PENDING_PREFIX}{}", self.token)
    }

    /// Writes a batch of validated records into the store, pending (no reader sees them). The
    /// chunk's write transaction is committed once it has been open [`CHUNK_TIME`]: returns
    /// whether it was, i.e. whether the import holds no lock now (the caller reports progress
    /// only then: a progress callback that waits must not keep others out). An empty batch
    /// commits the open chunk.
    pub fn insert(&mut self, records: &[Record]) -> Result<bool, StoreError> {
        if records.is_empty() {
            self.settle()?;
            return Ok(true);
        }
        if self.rows + records.len() as u64 > self.meta.file_size {
            return Err(StoreError::Io {
                path: PathBuf::from(&self.meta.file_name),
                source: std::io::Error::other(
                    "取り込みの途中でファイルが大きくなりました。ファイルの書き込みが終わってから、取り込み直してください",
                ),
            });
        }
        self.begin()?;
        let conn = &self.store.conn;
        if self.open_since.is_none() {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            self.open_since = Some(Instant::now());
        }
        let extra_cols = self.meta.extra_headers.len();
        let (base, import_id) = (self.base, self.import_id);
        let first_row = self.rows as i64;
        let insert = &mut self.insert;
        let inserted = (|| {
            // One vector of values for the whole batch: no allocation per row.
            let mut values: Vec<ToSqlOutput<'_>> = Vec::with_capacity(COLUMNS.len() + 10);
            for (r, row) in records.iter().zip(first_row..) {
                values.clear();
                push_row(&mut values, r, base + 1 + row, import_id, extra_cols);
                insert.run(&values)?;
            }
            Ok::<_, StoreError>(())
        })();
        if let Err(e) = inserted {
            let _ = conn.execute_batch("ROLLBACK");
            self.open_since = None;
            return Err(e);
        }
        self.rows += records.len() as u64;
        if self.open_since.is_some_and(|t| t.elapsed() >= CHUNK_TIME) {
            self.settle()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Commits the open chunk, if any, and pauses for waiting writers.
    fn settle(&mut self) -> Result<(), StoreError> {
        if let Some(since) = self.open_since.take() {
            if let Err(e) = self.store.conn.execute_batch("COMMIT") {
                let _ = self.store.conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
            self.longest = self.longest.max(since.elapsed());
            std::thread::sleep(CHUNK_PAUSE);
        }
        Ok(())
    }

    /// Marks the rows' cross-record warnings (rows are positions in the file's data rows),
    /// raises the suggestion of a mismatch whose registry person is another subscriber to
    /// `likely_wrong_number`, and keeps the alarms for [`ImportTx::commit`]. One short write
    /// transaction (the rows are still pending).
    pub fn apply_alarms(
        &mut self,
        findings: &crate::crosscheck::Findings,
    ) -> Result<(), StoreError> {
        self.settle()?;
        if findings.alarms.is_empty() {
            return Ok(());
        }
        self.alarms = findings
            .alarms
            .iter()
            .map(|a| (a.row, a.kind as i64, a.related))
            .collect();
        let base = self.base;
        Self::write(&self.store.conn, &mut self.longest, |tx| {
            let mut upd = tx.prepare_cached(
                "UPDATE main.records SET warnings = warnings | ?1, \
                 analysis = CASE WHEN analysis IS NOT NULL AND ?2 THEN (analysis & ~3) | ?3 \
                 ELSE analysis END WHERE id = ?4",
            )?;
            for (row, kinds) in findings.by_row() {
                let bits = kinds.iter().fold(0u64, |acc, k| acc | k.warning().bit());
                let other =
                    kinds.contains(&crate::crosscheck::AlarmKind::RegistryIsOtherSubscriber);
                upd.execute(params![
                    bits as i64,
                    other,
                    crate::compare::Suggestion::LikelyWrongNumber as u32,
                    base + 1 + row as i64
                ])?;
            }
            Ok(())
        })
    }

    /// Makes the import visible, all or nothing, in one short transaction: adds the alarms,
    /// gives the import its hash and counts, and writes its audit entry. Nothing is
    /// committed when a file with the same content was imported meanwhile (its rows are then
    /// removed when this is dropped). Returns the longest hold of the write lock over the
    /// whole import.
    pub fn commit(
        mut self,
        file_hash: &str,
        counts: &Counts,
        audit: Option<ImportAudit<'_>>,
    ) -> Result<CommitOutcome, StoreError> {
        self.settle()?;
        // A file without data rows is an import too.
        self.begin()?;
        self.store.conn.execute_batch("PRAGMA foreign_keys = ON")?;
        let rows = self.rows as i64;
        let (import_id, first) = (self.import_id, self.base + 1);
        let pending_hash = self.pending_hash();
        let outcome = Self::write(&self.store.conn, &mut self.longest, |tx| {
            if let Some(prev) = tx
                .query_row(
                    &format!("{IMPORT_COLUMNS} WHERE file_hash = ?1"),
                    [file_hash],
                    import_from_row,
                )
                .optional()?
            {
                return Ok(CommitOutcome::Duplicate(Box::new(prev)));
            }
            let changed = tx.execute(
                "UPDATE main.imports SET file_hash = ?1, counts = ?2, first_record_id = ?3 \
                 WHERE id = ?4 AND file_hash = ?5",
                params![
                    file_hash,
                    serde_json::to_string(counts).expect("counts serialize"),
                    (rows > 0).then_some(first),
                    import_id,
                    pending_hash,
                ],
            )?;
            if changed != 1 {
                // Removed as abandoned by another program: nothing of it is left to show.
                return Err(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows));
            }
            let mut ins = tx.prepare_cached(
                "INSERT INTO main.alarms (record_id, kind, related_id) VALUES (?1, ?2, ?3)",
            )?;
            let id = |row: u32| first + row as i64;
            for (row, kind, related) in &self.alarms {
                ins.execute(params![id(*row), kind, id(*related)])?;
            }
            if let Some(entry) = audit {
                append_audit_on(tx, &entry(import_id, counts))?;
            }
            Ok(CommitOutcome::Committed(import_id, Duration::ZERO))
        })?;
        match outcome {
            CommitOutcome::Committed(id, _) => {
                self.pending = false;
                Ok(CommitOutcome::Committed(id, self.longest))
            }
            duplicate => Ok(duplicate),
        }
    }

    /// Runs `f` in one write transaction on the store (`BEGIN IMMEDIATE`), noting how long it
    /// held the lock.
    fn write<T>(
        conn: &rusqlite::Connection,
        longest: &mut Duration,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        let locked = Instant::now();
        let out = f(&tx)?;
        tx.commit()?;
        *longest = (*longest).max(locked.elapsed());
        Ok(out)
    }

    /// Rolls back the open chunk, removes the rows written so far and the import's row (if
    /// it did not finish), and deletes the lock file.
    fn discard(&mut self) {
        let conn = &self.store.conn;
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        self.open_since = None;
        if std::mem::take(&mut self.pending) {
            // If this fails too, the next open removes them (the lock file is gone by then).
            let _ = remove_pending_import(conn, self.import_id);
        }
        let _ = conn.execute_batch("PRAGMA foreign_keys = ON");
        let _ = std::fs::remove_file(&self.lock_path);
    }
}

impl Drop for ImportTx<'_> {
    fn drop(&mut self) {
        self.discard();
    }
}
