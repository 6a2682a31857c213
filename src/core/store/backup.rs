//! The store's side of a backup: a consistent copy of the encrypted file through SQLite's
//! online backup API, the facts of that same snapshot (rows per table, the audit head), and the
//! checks a copy must pass before it is trusted (SQLCipher's page authentication and SQLite's
//! own integrity check).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::OpenFlags;
use rusqlite::backup::{Backup, StepResult};

use super::{Store, StoreError, StoreKey};

/// Pages copied per step of the online backup (16 KiB pages: 4 MiB a step), between which
/// progress is reported and a cancel is noticed.
const PAGES_PER_STEP: std::ffi::c_int = 256;

/// What a snapshot held, read in the same read transaction as the copy.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SnapshotFacts {
    /// Rows in each table (the schema's own tables excluded).
    pub rows: BTreeMap<String, u64>,
    /// Entries in the audit trail.
    pub audit_count: u64,
    /// The hash of the last audit entry.
    pub audit_head: String,
    /// The key slots' generation the store had seen.
    pub vault_generation: u64,
}

impl Store {
    /// Rows in each of the store's tables.
    pub fn table_rows(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        let names: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let mut out = BTreeMap::new();
        for n in names {
            let count: i64 =
                self.conn
                    .query_row(&format!("SELECT count(*) FROM \"{n}\""), [], |r| r.get(0))?;
            out.insert(n, count as u64);
        }
        Ok(out)
    }

    /// The facts of the store as this connection sees it now.
    pub(crate) fn snapshot_facts(&self) -> Result<SnapshotFacts, StoreError> {
        let (audit_count, audit_head) = self.audit_head()?;
        Ok(SnapshotFacts {
            rows: self.table_rows()?,
            audit_count,
            audit_head,
            vault_generation: self.vault_generation()?,
        })
    }

    /// Copies the store in `dir` to the new file `dest` (same key, still encrypted) through
    /// the online backup API, inside one read transaction: the copy is the store as it was at
    /// one moment, whatever others write meanwhile (they wait for the copy's shared lock only
    /// to commit; they can read and work). `while_held` runs inside that transaction, before
    /// the copy (the key slots are copied there, so that they match the snapshot). `progress`
    /// gets (pages done, pages in all). `None` when `cancel` was set (the caller removes the
    /// partial file).
    pub(crate) fn copy_snapshot(
        dir: &Path,
        key: &StoreKey,
        dest: &Path,
        while_held: &mut dyn FnMut() -> std::io::Result<()>,
        progress: &mut dyn FnMut(u64, u64),
        cancel: &AtomicBool,
    ) -> Result<Option<SnapshotFacts>, StoreError> {
        let src = Store::open_reader(dir, key)?;
        src.conn.execute_batch("BEGIN")?;
        // The first read takes the shared lock: from here on this connection sees one moment.
        let facts = src.snapshot_facts()?;
        while_held().map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut dst = Store::open_connection_with(
            dest,
            key,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        // The copy is written once and fsynced by the caller before it is named a backup.
        dst.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
        {
            let backup = Backup::new(&src.conn, &mut dst)?;
            loop {
                if cancel.load(Ordering::Relaxed) {
                    return Ok(None);
                }
                let step = backup.step(PAGES_PER_STEP)?;
                let p = backup.progress();
                let total = p.pagecount.max(1) as u64;
                progress(total - p.remaining.max(0) as u64, total);
                match step {
                    StepResult::Done => break,
                    StepResult::More => {}
                    // The destination is ours alone and the source is held: only a passing lock.
                    _ => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        }
        src.conn.execute_batch("COMMIT")?;
        dst.close().map_err(|(_, e)| StoreError::Sqlite(e))?;
        Ok(Some(facts))
    }

    /// Checks a copy of the store: every page's authentication code (SQLCipher's
    /// `cipher_integrity_check`) and SQLite's `integrity_check`. `Err` with the first problems
    /// found, in words.
    pub(crate) fn check_copy(path: &Path, key: &StoreKey) -> Result<(), String> {
        let conn = Store::open_connection_with(path, key, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| e.to_string())?;
        let mut problems: Vec<String> = Vec::new();
        for pragma in ["PRAGMA cipher_integrity_check", "PRAGMA integrity_check"] {
            let rows: Vec<String> = (|| -> rusqlite::Result<Vec<String>> {
                let mut stmt = conn.prepare(pragma)?;
                let v = stmt
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(v)
            })()
            .map_err(|e| e.to_string())?;
            problems.extend(rows.into_iter().filter(|r| r != "ok").take(5));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}
