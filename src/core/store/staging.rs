//! An import in two steps, so that it never holds the store's write lock for its length
//! (issue 17): the rows go first into a staging file of their own beside the store (encrypted
//! with the store's key, attached to the store's connection; the store itself is not locked
//! while they are written, so others log in, view and decide), then one short transaction
//! copies them into `records` with the import's row and its audit entry. Until then no reader
//! sees anything of the import; a failed or cancelled import deletes its staging file, and one
//! left by a crash is deleted at the next open of the store (its importer no longer holds the
//! staging file's lock file).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::types::ToSqlOutput;
use rusqlite::{OptionalExtension, params};

use super::columns;
use super::{
    CommitOutcome, IMPORT_COLUMNS, ImportAudit, ImportMeta, STORE_FILE, Store, StoreError,
    append_audit_on, import_from_row,
};
use crate::record::{COLUMNS, Record};
use crate::summary::Counts;

/// The schema name of the staging file on the store's connection.
const SCHEMA: &str = "staging";

/// The start of a staging file's name: `totsugo.db.import-<token>` (the purge removes every
/// file whose name starts with the store's).
fn staging_prefix() -> String {
    format!("{STORE_FILE}.import-")
}

/// The lock file beside a staging file: held by the importer for as long as it runs.
fn lock_path_of(staging: &Path) -> PathBuf {
    let mut s = staging.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// Deletes the staging files in `dir` whose importer is gone (a crash, a kill): their lock
/// file is not held. Staging files of imports still running are left alone.
pub(super) fn remove_abandoned(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = staging_prefix();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&prefix) || name.ends_with(".lock") {
            continue;
        }
        let staging = e.path();
        let lock_path = lock_path_of(&staging);
        let lock = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path);
        if let Ok(lock) = lock
            && lock.try_lock().is_ok()
        {
            let _ = std::fs::remove_file(&staging);
            let _ = std::fs::remove_file(&lock_path);
        }
    }
}

/// Removes the rows and the row of a pending import, one transaction.
fn remove_pending_import(conn: &rusqlite::Connection, import_id: i64) -> Result<(), StoreError> {
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    tx.execute("DELETE FROM main.records WHERE import_id = ?1", [import_id])?;
    tx.execute(
        "DELETE FROM main.imports WHERE id = ?1 AND file_hash LIKE 'pending:%'",
        [import_id],
    )?;
    tx.commit()?;
    Ok(())
}

/// Removes from the store the rows of imports that were being made visible when their
/// importer died (a crash, a kill): their hash is still `pending:<token>` and no one holds the
/// lock file of that token.
pub(super) fn remove_abandoned_rows(
    conn: &rusqlite::Connection,
    dir: &Path,
) -> Result<(), StoreError> {
    let pending: Vec<(i64, String)> = {
        let mut stmt = conn.prepare(
            "SELECT id, substr(file_hash, 9) FROM main.imports WHERE file_hash LIKE 'pending:%'",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    for (id, token) in pending {
        let lock_path = lock_path_of(&dir.join(format!("{}{token}", staging_prefix())));
        let alive = OpenOptions::new()
            .write(true)
            .open(&lock_path)
            .is_ok_and(|f| f.try_lock().is_err());
        if !alive {
            remove_pending_import(conn, id)?;
        }
    }
    Ok(())
}

/// An import's rows on their way into the store: insert batches, then [`ImportTx::commit`].
/// Dropping it without committing deletes the staging file: the store never saw a row.
pub struct ImportTx<'a> {
    store: &'a Store,
    meta: ImportMeta,
    path: PathBuf,
    lock_path: PathBuf,
    /// Held until the staging file is deleted: tells [`remove_abandoned`] that it is in use.
    _lock: File,
    insert_sql: String,
    rows: u64,
    alarms: Vec<(u32, i64, u32)>,
    /// The import id and the id before the first record's, as they will be if no other import
    /// commits first: the staging rows carry them, and the last step then moves the rows as
    /// they are (SQLite's transfer of whole records, no re-encoding of a value).
    import_id: i64,
    base: i64,
    /// The staging file's random token: the import's hash is `pending:<token>` while its rows
    /// are copied into the store.
    token: String,
    /// The import's id in the store once its rows began to be copied there (to remove them
    /// if it fails before the end).
    published_as: Option<i64>,
}

/// Rows copied into the store per transaction while an import is made visible: each one
/// holds the write lock for a few tens of milliseconds.
const CHUNK_ROWS: i64 = 16_384;
/// The pause after each chunk, in which a waiting writer (a login, a decision) gets the lock.
const CHUNK_PAUSE: std::time::Duration = std::time::Duration::from_millis(4);

impl Store {
    /// Starts an import: creates its staging file (same key) and attaches it. Nothing is
    /// visible to other readers until [`ImportTx::commit`], and the store is not locked until
    /// then.
    pub(crate) fn begin_import(&mut self, meta: &ImportMeta) -> Result<ImportTx<'_>, StoreError> {
        let dir = self.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let io = |path: &Path, source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut token = [0u8; 8];
        getrandom::fill(&mut token).map_err(|e| io(&dir, std::io::Error::other(e)))?;
        let token: String = token.iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.join(format!("{}{token}", staging_prefix()));
        let lock_path = lock_path_of(&path);
        // The lock first, then the file it guards.
        let lock = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock_path)
            .map_err(|e| io(&lock_path, e))?;
        if let Err(e) = lock.try_lock() {
            let _ = std::fs::remove_file(&lock_path);
            return Err(io(&lock_path, std::io::Error::other(e.to_string())));
        }
        let (import_id, base) = next_ids(&self.conn)?;
        let tx = ImportTx {
            store: self,
            meta: meta.clone(),
            path,
            lock_path,
            _lock: lock,
            insert_sql: columns::insert_sql_into(&format!("{SCHEMA}.records"), true),
            rows: 0,
            alarms: Vec::new(),
            import_id,
            base,
            token,
            published_as: None,
        };
        tx.attach()?;
        Ok(tx)
    }
}

impl ImportTx<'_> {
    /// Attaches the staging file with the store's key (no KEY clause: SQLCipher uses the main
    /// database's key and cipher settings) and creates in it the `records` table and its
    /// indexes exactly as the store has them (the condition of SQLite's whole-record transfer
    /// at the end). The staging file needs no journal and no sync: a crash deletes it anyway.
    /// Foreign keys are off on this connection while the import runs (the staging file has no
    /// `imports` table to point to; the last step writes the import's row first).
    fn attach(&self) -> Result<(), StoreError> {
        let conn = &self.store.conn;
        conn.execute(
            &format!("ATTACH DATABASE ?1 AS {SCHEMA}"),
            [self.path.to_string_lossy()],
        )?;
        conn.execute_batch(&format!(
            "PRAGMA foreign_keys = OFF;
             PRAGMA {SCHEMA}.journal_mode = OFF;
             PRAGMA {SCHEMA}.synchronous = OFF;
             PRAGMA {SCHEMA}.locking_mode = EXCLUSIVE;"
        ))?;
        let schema: Vec<String> = {
            let mut stmt = conn.prepare(
                "SELECT sql FROM main.sqlite_master WHERE tbl_name = 'records' AND sql IS NOT NULL \
                 ORDER BY type = 'index', name",
            )?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for sql in schema {
            let qualified = ["CREATE TABLE ", "CREATE INDEX "]
                .iter()
                .find_map(|p| {
                    sql.strip_prefix(p)
                        .map(|rest| format!("{p}{SCHEMA}.{rest}"))
                })
                .ok_or_else(|| {
                    StoreError::Sqlite(rusqlite::Error::InvalidParameterName(
                        "unexpected schema of records".into(),
                    ))
                })?;
            conn.execute_batch(&qualified)?;
        }
        Ok(())
    }

    /// Inserts a batch of validated records into the staging file (the store is not touched).
    pub fn insert(&mut self, records: &[Record]) -> Result<(), StoreError> {
        let conn = &self.store.conn;
        let extra_cols = self.meta.extra_headers.len();
        conn.execute_batch("BEGIN")?;
        let inserted = (|| {
            let mut stmt = conn.prepare_cached(&self.insert_sql)?;
            // One vector of values for the whole batch: no allocation per row.
            let mut values: Vec<ToSqlOutput<'_>> = Vec::with_capacity(COLUMNS.len() + 10);
            for (r, row) in records.iter().zip(self.rows as i64..) {
                let extra = if extra_cols == 0 {
                    None
                } else {
                    Some(serde_json::to_string(&r.extra).expect("strings serialize"))
                };
                values.clear();
                values.push(ToSqlOutput::from(self.base + 1 + row));
                values.push(ToSqlOutput::from(self.import_id));
                values.push(ToSqlOutput::from(r.line as i64));
                values.extend(
                    columns::file_columns()
                        .iter()
                        .map(|(_, f)| columns::file_value(r, *f)),
                );
                values.extend(columns::derived_values(r, extra));
                stmt.execute(rusqlite::params_from_iter(values.iter()))?;
            }
            Ok::<_, StoreError>(())
        })();
        match inserted {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        self.rows += records.len() as u64;
        Ok(())
    }

    /// Marks the rows' cross-record warnings in the staging file (rows are positions in the
    /// file's data rows), raises the suggestion of a mismatch whose registry person is another
    /// subscriber to `likely_wrong_number`, and keeps the alarms for [`ImportTx::commit`].
    pub fn apply_alarms(
        &mut self,
        findings: &crate::crosscheck::Findings,
    ) -> Result<(), StoreError> {
        if findings.alarms.is_empty() {
            return Ok(());
        }
        let conn = &self.store.conn;
        // The staging table's ids follow the data rows' positions, one after the other.
        let (first, last): (i64, i64) = conn.query_row(
            &format!("SELECT min(id), max(id) FROM {SCHEMA}.records"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if first != self.base + 1 || last - first + 1 != self.rows as i64 {
            return Err(StoreError::Sqlite(rusqlite::Error::InvalidParameterName(
                "record ids of the import are not consecutive".into(),
            )));
        }
        self.alarms = findings
            .alarms
            .iter()
            .map(|a| (a.row, a.kind as i64, a.related))
            .collect();
        conn.execute_batch("BEGIN")?;
        let updated = (|| {
            let mut upd = conn.prepare_cached(&format!(
                "UPDATE {SCHEMA}.records SET warnings = warnings | ?1, \
                 analysis = CASE WHEN analysis IS NOT NULL AND ?2 THEN (analysis & ~3) | ?3 \
                 ELSE analysis END WHERE id = ?4"
            ))?;
            for (row, kinds) in findings.by_row() {
                let bits = kinds.iter().fold(0u64, |acc, k| acc | k.warning().bit());
                let other =
                    kinds.contains(&crate::crosscheck::AlarmKind::RegistryIsOtherSubscriber);
                upd.execute(params![
                    bits as i64,
                    other,
                    crate::compare::Suggestion::LikelyWrongNumber as u32,
                    self.base + 1 + row as i64
                ])?;
            }
            Ok::<_, StoreError>(())
        })();
        match updated {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        Ok(())
    }

    /// Makes the import visible, all or nothing, without holding the store's write lock for
    /// long (and one import at a time: `totsugo.db.publish.lock`): (1) one transaction adds the
    /// import under the hash `pending:<token>`; (2) the rows are copied in chunks of
    /// [`CHUNK_ROWS`], each its own short transaction, with a pause after each for waiting
    /// writers (every reader leaves out the rows of a pending import: `not_pending` in the
    /// store); (3) one short transaction adds the alarms, gives the import its hash, counts
    /// and first record, and writes its audit entry. Nothing is
    /// committed when a file with the same content was imported before. A failure after (1)
    /// removes the rows copied so far; a crash leaves them to the next open
    /// ([`remove_abandoned_rows`]). Returns the longest hold of the write lock.
    pub fn commit(
        mut self,
        file_hash: &str,
        counts: &Counts,
        audit: Option<ImportAudit<'_>>,
    ) -> Result<CommitOutcome, StoreError> {
        let mut longest = std::time::Duration::ZERO;
        if let Some(prev) = self.store.import_by_hash(file_hash)? {
            return Ok(CommitOutcome::Duplicate(Box::new(prev)));
        }
        let rows = self.rows as i64;
        let cols = columns::written_columns();
        let copy = format!(
            "INSERT INTO main.records (id, import_id, {cols}) \
             SELECT id + ?1, ?2, {cols} FROM {SCHEMA}.records WHERE id >= ?3 AND id < ?4",
            cols = cols.join(", "),
        );
        let first_staged = self.base + 1;
        let end_staged = first_staged + rows;
        // One import at a time copies its rows in (two administrators importing at once:
        // the second waits here), so that each one's rows are appended after the last record.
        let dir = self.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let publish_path = dir.join(format!("{STORE_FILE}.publish.lock"));
        let publish = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&publish_path)
            .map_err(|source| StoreError::Io {
                path: publish_path.clone(),
                source,
            })?;
        publish.lock().map_err(|source| StoreError::Io {
            path: publish_path,
            source,
        })?;
        // (1) The import, pending.
        let (import_id, delta) = self.write(&mut longest, |tx| {
            let (import_id, base) = next_ids(tx)?;
            let m = &self.meta;
            tx.execute(
                "INSERT INTO main.imports (id, file_name, file_hash, file_size, imported_at, \
                 encoding, profile, extra_headers, counts) \
                 VALUES (?1, ?2, ?3, ?4, datetime('now', 'localtime'), ?5, ?6, ?7, '{}')",
                params![
                    import_id,
                    m.file_name,
                    format!("pending:{}", self.token),
                    m.file_size as i64,
                    m.encoding,
                    m.profile,
                    serde_json::to_string(&m.extra_headers).expect("strings serialize"),
                ],
            )?;
            Ok((import_id, base - self.base))
        })?;
        self.published_as = Some(import_id);
        // (2) The rows, chunk by chunk.
        let mut lo = first_staged;
        while lo < end_staged {
            let hi = (lo + CHUNK_ROWS).min(end_staged);
            self.write(&mut longest, |tx| {
                tx.execute(&copy, params![delta, import_id, lo, hi])?;
                Ok(())
            })?;
            lo = hi;
            std::thread::sleep(CHUNK_PAUSE);
        }
        // (3) Visible.
        let outcome = self.write(&mut longest, |tx| {
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
            tx.execute(
                "UPDATE main.imports SET file_hash = ?1, counts = ?2, first_record_id = ?3 \
                 WHERE id = ?4",
                params![
                    file_hash,
                    serde_json::to_string(counts).expect("counts serialize"),
                    (rows > 0).then_some(first_staged + delta),
                    import_id
                ],
            )?;
            let mut ins = tx.prepare_cached(
                "INSERT INTO main.alarms (record_id, kind, related_id) VALUES (?1, ?2, ?3)",
            )?;
            let id = |row: u32| first_staged + delta + row as i64;
            for (row, kind, related) in &self.alarms {
                ins.execute(params![id(*row), kind, id(*related)])?;
            }
            if let Some(entry) = audit {
                append_audit_on(tx, &entry(import_id, counts))?;
            }
            Ok(CommitOutcome::Committed(
                import_id,
                std::time::Duration::ZERO,
            ))
        })?;
        match outcome {
            CommitOutcome::Committed(id, _) => {
                self.published_as = None;
                Ok(CommitOutcome::Committed(id, longest))
            }
            duplicate => Ok(duplicate),
        }
    }

    /// Runs `f` in one write transaction on the store (`BEGIN IMMEDIATE`), noting how long it
    /// held the lock in `longest`.
    fn write<T>(
        &self,
        longest: &mut std::time::Duration,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = &self.store.conn;
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        let locked = Instant::now();
        let out = f(&tx)?;
        tx.commit()?;
        *longest = (*longest).max(locked.elapsed());
        Ok(out)
    }

    /// Removes the rows copied into the store by an import that did not finish (if any), then
    /// detaches and deletes the staging file (and its lock file).
    fn discard(&mut self) {
        let conn = &self.store.conn;
        conn.flush_prepared_statement_cache();
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        if let Some(id) = self.published_as.take() {
            // If this fails too, the next open removes them (the lock file is gone by then).
            let _ = remove_pending_import(conn, id);
        }
        let _ = conn.execute_batch(&format!("DETACH DATABASE {SCHEMA}"));
        let _ = conn.execute_batch("PRAGMA foreign_keys = ON");
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_file(&self.lock_path);
    }
}

/// The id the next import gets and the id before its first record's, as the store stands.
fn next_ids(conn: &rusqlite::Connection) -> Result<(i64, i64), StoreError> {
    Ok(conn.query_row(
        "SELECT (SELECT coalesce(max(id), 0) + 1 FROM main.imports), \
         (SELECT coalesce(max(id), 0) FROM main.records)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

impl Drop for ImportTx<'_> {
    fn drop(&mut self) {
        self.discard();
    }
}
