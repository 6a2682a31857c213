//! The store's side of the periodic reviews (issue 16 §7): the chain head, the last logins,
//! and the sign-offs (migration 030).

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// A review's sign-off as stored (`crate::audit_review::SignOff` reads it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignOffRow {
    /// Id.
    pub id: i64,
    /// Which review (`access_log`, `user_list`).
    pub kind: String,
    /// The month or the day reviewed.
    pub period: String,
    /// Who signed off: login.
    pub signed_by: String,
    /// Who signed off: name.
    pub signed_by_name: String,
    /// When (local time).
    pub signed_at: String,
    /// The chain head seen: entries.
    pub head_count: u64,
    /// The chain head seen: the last entry's hash.
    pub head_hash: String,
    /// Entries or users reviewed.
    pub reviewed: u64,
    /// The reviewer's note.
    pub note: String,
}

impl Store {
    /// The hash of the audit entry at this position (1 = the first), if there is one.
    pub fn audit_hash_at(&self, position: u64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT hash FROM audit ORDER BY id LIMIT 1 OFFSET ?1",
                [position.saturating_sub(1) as i64],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The time of the first audit entry (the store's setup).
    pub fn first_audit_at(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT at FROM audit ORDER BY id LIMIT 1", [], |r| r.get(0))
            .optional()?)
    }

    /// Each user's last successful login (user id, local time).
    pub fn last_logins(&self) -> Result<std::collections::HashMap<i64, String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT user_id, max(at) FROM audit WHERE action = 'login' AND user_id IS NOT NULL \
             GROUP BY user_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a sign-off; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert_review_sign_off(
        &self,
        kind: &str,
        period: &str,
        signed_by: i64,
        signed_at: &str,
        head: (u64, &str),
        reviewed: u64,
        note: &str,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO review_sign_offs \
             (kind, period, signed_by, signed_at, head_count, head_hash, reviewed, note) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                kind,
                period,
                signed_by,
                signed_at,
                head.0 as i64,
                head.1,
                reviewed as i64,
                note
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Every sign-off, oldest first.
    pub fn review_sign_offs(&self) -> Result<Vec<SignOffRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id, s.kind, s.period, u.login, u.display_name, s.signed_at, s.head_count, \
             s.head_hash, s.reviewed, s.note \
             FROM review_sign_offs s JOIN users u ON u.id = s.signed_by ORDER BY s.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SignOffRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                period: r.get(2)?,
                signed_by: r.get(3)?,
                signed_by_name: r.get(4)?,
                signed_at: r.get(5)?,
                head_count: r.get::<_, i64>(6)? as u64,
                head_hash: r.get(7)?,
                reviewed: r.get::<_, i64>(8)? as u64,
                note: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
