//! The import's insert of records, through SQLite's C interface: the values are bound where
//! they lie (`SQLITE_STATIC`) instead of being copied by SQLite first, which is what rusqlite
//! always asks for (`SQLITE_TRANSIENT`). On a million rows those copies (an allocation, a copy
//! and a free for each of a dozen texts per row) were a quarter of the store writer's time,
//! and the store writer is what an import waits for (issue 15's speed bound).
//!
//! Safe to use: [`BulkInsert::run`] binds every parameter, steps, then resets the statement
//! and clears every binding before it returns, so that SQLite never keeps a pointer to a value
//! past the call; the statement is finalized when dropped, and it borrows the connection so
//! that it cannot outlive it.

use std::ffi::{CStr, CString, c_int};
use std::marker::PhantomData;

use rusqlite::ffi;
use rusqlite::types::{ToSqlOutput, ValueRef};

/// One prepared insert statement on a connection.
pub(super) struct BulkInsert<'conn> {
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
    _conn: PhantomData<&'conn rusqlite::Connection>,
}

/// The error SQLite reports for `rc` on `db`, as rusqlite gives it.
fn error(db: *mut ffi::sqlite3, rc: c_int) -> rusqlite::Error {
    // SAFETY: `db` is an open connection (borrowed for the life of the statement);
    // sqlite3_errmsg returns a NUL-terminated string owned by SQLite, copied at once.
    let msg = unsafe {
        let p = ffi::sqlite3_errmsg(db);
        (!p.is_null()).then(|| CStr::from_ptr(p).to_string_lossy().into_owned())
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), msg)
}

impl<'conn> BulkInsert<'conn> {
    /// Prepares `sql` (one statement) on `conn`.
    pub(super) fn prepare(
        conn: &'conn rusqlite::Connection,
        sql: &str,
    ) -> rusqlite::Result<BulkInsert<'conn>> {
        let c_sql = CString::new(sql).map_err(|_| rusqlite::Error::InvalidQuery)?;
        // SAFETY: the handle is the connection's own and stays open while `conn` is borrowed;
        // `stmt` receives a statement that Drop finalizes.
        let db = unsafe { conn.handle() };
        let mut stmt = std::ptr::null_mut();
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(db, c_sql.as_ptr(), -1, &mut stmt, std::ptr::null_mut())
        };
        if rc != ffi::SQLITE_OK {
            return Err(error(db, rc));
        }
        if stmt.is_null() {
            return Err(rusqlite::Error::InvalidQuery);
        }
        Ok(BulkInsert {
            db,
            stmt,
            _conn: PhantomData,
        })
    }

    /// Binds `values` to the parameters ?1, ?2, … and runs the statement once.
    pub(super) fn run(&mut self, values: &[ToSqlOutput<'_>]) -> rusqlite::Result<()> {
        let bound = self.bind(values);
        // SAFETY: `self.stmt` is a live statement; the values bound above live until the end
        // of this call, and the bindings are cleared before it returns.
        let rc = match bound {
            Ok(()) => unsafe { ffi::sqlite3_step(self.stmt) },
            Err(rc) => rc,
        };
        unsafe {
            ffi::sqlite3_reset(self.stmt);
            ffi::sqlite3_clear_bindings(self.stmt);
        }
        match rc {
            ffi::SQLITE_DONE => Ok(()),
            rc => Err(error(self.db, rc)),
        }
    }

    fn bind(&mut self, values: &[ToSqlOutput<'_>]) -> Result<(), c_int> {
        for (i, v) in values.iter().enumerate() {
            let col = (i + 1) as c_int;
            let value = match v {
                ToSqlOutput::Borrowed(r) => *r,
                ToSqlOutput::Owned(o) => ValueRef::from(o),
                // Not used by the import's columns.
                _ => return Err(ffi::SQLITE_MISUSE),
            };
            // SAFETY: `self.stmt` is live; text and blobs are bound without a copy
            // (SQLITE_STATIC) and `run` clears the bindings before `values` can go away.
            let rc = unsafe {
                match value {
                    ValueRef::Null => ffi::sqlite3_bind_null(self.stmt, col),
                    ValueRef::Integer(n) => ffi::sqlite3_bind_int64(self.stmt, col, n),
                    ValueRef::Real(f) => ffi::sqlite3_bind_double(self.stmt, col, f),
                    ValueRef::Text(t) => ffi::sqlite3_bind_text64(
                        self.stmt,
                        col,
                        t.as_ptr().cast(),
                        t.len() as u64,
                        ffi::SQLITE_STATIC(),
                        ffi::SQLITE_UTF8 as u8,
                    ),
                    ValueRef::Blob(b) => ffi::sqlite3_bind_blob64(
                        self.stmt,
                        col,
                        b.as_ptr().cast(),
                        b.len() as u64,
                        ffi::SQLITE_STATIC(),
                    ),
                }
            };
            if rc != ffi::SQLITE_OK {
                return Err(rc);
            }
        }
        Ok(())
    }
}

impl Drop for BulkInsert<'_> {
    fn drop(&mut self) {
        // SAFETY: finalized once, here; the connection is still open (borrowed).
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text bound without a copy is stored as it was, also after the value it was bound from
    /// is gone (the binding is cleared, not kept); a constraint error is SQLite's own.
    #[test]
    fn rows_bound_in_place_are_stored_whole_and_errors_are_reported() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INTEGER)")
            .unwrap();
        {
            let mut ins = BulkInsert::prepare(&conn, "INSERT INTO t VALUES (?1, ?2, ?3)").unwrap();
            for i in 0..3i64 {
                let text = format!("山田 {i}");
                let values = [
                    ToSqlOutput::from(i + 1),
                    ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
                    ToSqlOutput::Owned(rusqlite::types::Value::Null),
                ];
                ins.run(&values).unwrap();
            }
            let dup = [
                ToSqlOutput::from(1i64),
                ToSqlOutput::Borrowed(ValueRef::Text(b"x")),
                ToSqlOutput::from(5i64),
            ];
            let err = ins.run(&dup).unwrap_err();
            assert_eq!(
                err.sqlite_error_code(),
                Some(rusqlite::ErrorCode::ConstraintViolation),
                "{err}"
            );
            // The statement is usable after an error.
            let ok = [
                ToSqlOutput::from(9i64),
                ToSqlOutput::Borrowed(ValueRef::Text(b"")),
                ToSqlOutput::from(7i64),
            ];
            ins.run(&ok).unwrap();
        }
        let rows: Vec<(i64, String, Option<i64>)> = conn
            .prepare("SELECT id, a, b FROM t ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                (1, "山田 0".to_string(), None),
                (2, "山田 1".to_string(), None),
                (3, "山田 2".to_string(), None),
                (9, String::new(), Some(7)),
            ]
        );
    }
}
