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
}

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

    /// Makes the import visible in one short write transaction: the import's row, its records
    /// from the staging file (consecutive ids after the last record), its alarms and its audit
    /// entry, all or nothing; unless a file with the same content was imported before (then
    /// nothing is committed). The staging file is deleted either way.
    ///
    /// Where no other import committed since this one began (the usual case), the ids the
    /// staging rows carry are the right ones and the records move as whole records
    /// (`INSERT INTO main.records SELECT * FROM staging.records`, SQLite's transfer
    /// optimisation: no value decoded or encoded again); otherwise each row is copied with its
    /// id moved past the other import's.
    pub fn commit(
        self,
        file_hash: &str,
        counts: &Counts,
        audit: Option<ImportAudit<'_>>,
    ) -> Result<CommitOutcome, StoreError> {
        let conn = &self.store.conn;
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        let locked = Instant::now();
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
        let (import_id, base) = next_ids(&tx)?;
        let first_id = (self.rows > 0).then_some(base + 1);
        let m = &self.meta;
        tx.execute(
            "INSERT INTO main.imports (id, file_name, file_hash, file_size, imported_at, \
             encoding, profile, extra_headers, counts, first_record_id) \
             VALUES (?1, ?2, ?3, ?4, datetime('now', 'localtime'), ?5, ?6, ?7, ?8, ?9)",
            params![
                import_id,
                m.file_name,
                file_hash,
                m.file_size as i64,
                m.encoding,
                m.profile,
                serde_json::to_string(&m.extra_headers).expect("strings serialize"),
                serde_json::to_string(counts).expect("counts serialize"),
                first_id,
            ],
        )?;
        if (import_id, base) == (self.import_id, self.base) {
            tx.execute_batch(&format!(
                "INSERT INTO main.records SELECT * FROM {SCHEMA}.records"
            ))?;
        } else {
            let cols = columns::written_columns().join(", ");
            tx.execute(
                &format!(
                    "INSERT INTO main.records (id, import_id, {cols}) \
                     SELECT id + ?1, ?2, {cols} FROM {SCHEMA}.records ORDER BY id"
                ),
                params![base - self.base, import_id],
            )?;
        }
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO main.alarms (record_id, kind, related_id) VALUES (?1, ?2, ?3)",
            )?;
            let id = |row: u32| base + 1 + row as i64;
            for (row, kind, related) in &self.alarms {
                ins.execute(params![id(*row), kind, id(*related)])?;
            }
        }
        if let Some(entry) = audit {
            append_audit_on(&tx, &entry(import_id, counts))?;
        }
        tx.commit()?;
        Ok(CommitOutcome::Committed(import_id, locked.elapsed()))
    }

    /// Detaches and deletes the staging file (and its lock file).
    fn discard(&mut self) {
        let conn = &self.store.conn;
        conn.flush_prepared_statement_cache();
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
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
