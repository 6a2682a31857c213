//! The letter texts as stored: the versions of each letter type's wording (never changed once
//! written), the current version per type, and the version each printed letter used.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::review::LetterType;

/// One stored version of a letter text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextVersion {
    /// The version's id (what printed letters note).
    pub id: i64,
    /// The letter type it is for.
    pub letter_type: LetterType,
    /// The template as saved (first line the title).
    pub body: String,
    /// When saved (local time).
    pub saved_at: String,
    /// Who saved it (user id); for a default kept because letters used it, who printed them.
    pub saved_by: i64,
    /// totsugo's default text, kept because letters were printed with it (not saved by an
    /// administrator).
    pub is_default: bool,
}

const VERSION_COLUMNS: &str =
    "SELECT id, letter_type, body, saved_at, saved_by, is_default FROM letter_texts";

fn version_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TextVersion> {
    Ok(TextVersion {
        id: r.get(0)?,
        letter_type: LetterType::from_key(&r.get::<_, String>(1)?).unwrap_or(LetterType::B),
        body: r.get(2)?,
        saved_at: r.get(3)?,
        saved_by: r.get(4)?,
        is_default: r.get(5)?,
    })
}

impl Store {
    /// Stores a new version of a letter text; returns its id.
    pub(crate) fn insert_letter_text(
        &self,
        letter_type: LetterType,
        body: &str,
        by: i64,
        at: &str,
        is_default: bool,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO letter_texts (letter_type, body, saved_at, saved_by, is_default) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![letter_type.key(), body, at, by, is_default],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// One version by id.
    pub fn letter_text(&self, id: i64) -> Result<Option<TextVersion>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{VERSION_COLUMNS} WHERE id = ?1"),
                [id],
                version_from_row,
            )
            .optional()?)
    }

    /// Every version of a letter type's text, newest first.
    pub fn letter_text_versions(
        &self,
        letter_type: LetterType,
    ) -> Result<Vec<TextVersion>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{VERSION_COLUMNS} WHERE letter_type = ?1 ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map([letter_type.key()], version_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The current version of a letter type's text; `None`: totsugo's default.
    pub fn current_letter_text(&self, letter_type: LetterType) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT text_id FROM letter_text_current WHERE letter_type = ?1",
                [letter_type.key()],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Makes `id` the current version of a letter type's text (`None`: back to the default).
    pub(crate) fn set_current_letter_text(
        &self,
        letter_type: LetterType,
        id: Option<i64>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO letter_text_current (letter_type, text_id) VALUES (?1, ?2)",
            params![letter_type.key(), id],
        )?;
        Ok(())
    }

    /// The newest kept default of a letter type whose text is `body`, if any (so that letters
    /// printed with the same default share one version).
    pub(crate) fn kept_default_text(
        &self,
        letter_type: LetterType,
        body: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM letter_texts WHERE letter_type = ?1 AND body = ?2 \
                 AND is_default = 1 ORDER BY id DESC LIMIT 1",
                params![letter_type.key(), body],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Notes which text version each letter of a batch was printed with: (record id, version).
    pub(crate) fn set_letter_text_ids(
        &self,
        batch_id: i64,
        letters: &[(i64, i64)],
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE letters SET text_id = ?1 WHERE batch_id = ?2 AND record_id = ?3",
        )?;
        for (record, text) in letters {
            stmt.execute(params![text, batch_id, record])?;
        }
        Ok(())
    }

    /// The text version of the first letter printed for a record's decision that noted one
    /// (what a reprint prints with); `None` if none did (e.g. letters printed before versions
    /// were kept).
    pub fn original_letter_text(
        &self,
        record_id: i64,
        decision_id: i64,
    ) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT text_id FROM letters WHERE record_id = ?1 AND decision_id = ?2 \
                 AND text_id IS NOT NULL ORDER BY id LIMIT 1",
                params![record_id, decision_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The text version of every letter printed for a record, oldest first: (batch, version).
    pub fn letter_text_ids_of(
        &self,
        record_id: i64,
    ) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT batch_id, text_id FROM letters WHERE record_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([record_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
