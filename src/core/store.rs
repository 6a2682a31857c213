//! The local store: one SQLite file, encrypted at rest with SQLCipher.
//!
//! The rest of totsugo never writes SQL: this module exposes what the work needs (begin an
//! import and insert batches, look imports up by content hash, count, page through
//! mismatches in work order, read one record).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};

use crate::classify::{Classification, Warnings};
use crate::record::{Record, StopCase, Verdicts};
use crate::summary::Counts;

mod backup;
mod bulk;
mod columns;
mod follow_up;
mod letter_text;
pub mod pager;
mod pending;
mod review;
mod reviews;
mod rights;
mod wrong_number;
pub use backup::SnapshotFacts;
pub use follow_up::{FollowUpRow, LetterRow, ReleaseRequestRow, ReleaseRow};
pub use letter_text::TextVersion;
pub use pending::ImportTx;
pub use review::RecordReview;
pub use reviews::SignOffRow;
pub use rights::{OutcomeToApprove, UserRights};
pub use wrong_number::WrongNumberCase;

/// Builds an import's audit entry from its id and counts, written in the import's own
/// transaction (both or neither).
pub type ImportAudit<'a> = &'a dyn Fn(i64, &Counts) -> crate::audit::NewEntry;

/// File name of the store inside its directory.
pub const STORE_FILE: &str = "totsugo.db";

pub use crate::vault::StoreKey;

/// Makes sure SQLCipher has finished its one-time set-up before any connection is keyed.
///
/// SQLite marks itself initialised before it runs SQLCipher's extra initialisation, outside its
/// lock: a second thread opening its first connection at that moment goes on at once, and its
/// `PRAGMA key` fails ("An error occurred with PRAGMA key or rekey"). The first open in the
/// process therefore happens here, once, while every other thread waits.
fn sqlcipher_ready() {
    static READY: std::sync::Once = std::sync::Once::new();
    READY.call_once(|| {
        // Opening any connection runs sqlite3_initialize to its end, extra init included.
        let _ = Connection::open_in_memory();
    });
}

/// What can go wrong with the store, in words for the user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The key does not open the file (or the file is not a totsugo store).
    #[error("保管ファイル {0} を開けません: 鍵が違うか、ファイルが壊れています")]
    WrongKey(PathBuf),
    /// Directory or file problems.
    #[error("保管場所 {path} を使えません: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Schema migration failed.
    #[error("保管ファイルの形式を更新できません: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// Someone else kept the store locked past the wait ([`BUSY_TIMEOUT`]): nothing of this
    /// change was written.
    #[error(
        "ほかの人が保管データに書き込み中です。しばらくしてからやり直してください（この操作は保存していません）"
    )]
    Busy,
    /// Any other SQLite error.
    #[error("{}", sqlite_message(.0))]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

/// An SQLite error in words for the user. A page that no longer decrypts in an open session
/// means the store was re-keyed meanwhile (another administrator disabled a user or reset a
/// password): the session must log in again.
fn sqlite_message(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => "保管データの鍵が更新されたため（利用者の無効化・パスワードの再設定）、この画面のままでは読めません。ログインし直してください（ファイルが壊れている場合も、この表示になります）".to_string(),
        _ => format!("保管ファイルの読み書きに失敗しました: {e}"),
    }
}

/// How long a connection waits for another's lock before it gives up with
/// [`StoreError::Busy`] (it tries again every millisecond meanwhile).
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// SQLite's busy handler on every connection: tries again after 1 ms, up to [`BUSY_TIMEOUT`].
/// SQLite's own waits grow to 100 ms between tries, and would let an import that gives the
/// lock up for a few milliseconds between its chunks take it back every time.
fn wait_briefly(tries: i32) -> bool {
    std::thread::sleep(std::time::Duration::from_millis(1));
    (tries as u128) < BUSY_TIMEOUT.as_millis()
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("store/001_spine.sql")),
        M::up(include_str!("store/002_people.sql")),
        M::up(include_str!("store/003_written_files.sql")),
        M::up(include_str!("store/004_analysis.sql")),
        M::up(include_str!("store/005_review.sql")),
        M::up(include_str!("store/006_search.sql")),
        M::up(include_str!("store/007_assign.sql")),
        M::up(include_str!("store/008_follow_up.sql")),
        M::up(include_str!("store/009_postal.sql")),
        M::up(include_str!("store/010_loss_date.sql")),
        M::up(include_str!("store/011_wrong_number_steps.sql")),
        M::up(include_str!("store/012_letter_texts.sql")),
        M::up(include_str!("store/013_symbol_search.sql")),
        // Numbered from 030 so that migrations added meanwhile elsewhere keep their numbers.
        M::up(include_str!("store/030_review_sign_offs.sql")),
        // Issue 16 §5, numbered 020 so as not to clash by name; it comes after 030 in this
        // list because the order here (not the number) is the schema version, and 030 was in
        // use first.
        M::up(include_str!("store/020_follow_up_approval.sql")),
        // Issue 15: the values a content warning set aside, for the review screen.
        M::up(include_str!("store/031_bad_values.sql")),
        M::up(include_str!("store/032_work_queue.sql")),
    ])
}

/// A user as stored (roles as the bit set of [`crate::auth::Roles`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    /// User id.
    pub id: i64,
    /// Login name.
    pub login: String,
    /// Name shown on screens and in the audit export.
    pub display_name: String,
    /// Role bits.
    pub roles: u8,
    /// 個人番号閲覧権限.
    pub may_reveal_my_number: bool,
    /// When created (local time).
    pub created_at: String,
    /// When disabled, if disabled.
    pub disabled_at: Option<String>,
}

const USER_COLUMNS: &str = "SELECT id, login, display_name, roles, may_reveal_my_number, created_at, disabled_at FROM users";

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: r.get(0)?,
        login: r.get(1)?,
        display_name: r.get(2)?,
        roles: r.get(3)?,
        may_reveal_my_number: r.get(4)?,
        created_at: r.get(5)?,
        disabled_at: r.get(6)?,
    })
}

fn audit_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<crate::audit::Entry> {
    Ok(crate::audit::Entry {
        id: r.get(0)?,
        at: r.get(1)?,
        user_id: r.get(2)?,
        user_login: r.get(3)?,
        action: r.get(4)?,
        target: r.get(5)?,
        detail: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

const AUDIT_COLUMNS: &str =
    "SELECT id, at, user_id, user_login, action, target, detail, prev_hash, hash FROM audit";

/// SQLCipher settings, applied right after the key on every open (they are not stored in the
/// file). AES-256 in CBC mode with a random IV per page is SQLCipher's default; the page HMAC
/// uses SHA-256 instead of the default SHA-512: still a 256-bit authentication tag, and
/// computed by the CPU's SHA instructions where it has them. The key is raw (random), so no
/// passphrase derivation is involved.
const CIPHER_SETTINGS: &str =
    "PRAGMA cipher_hmac_algorithm = HMAC_SHA256; PRAGMA cipher_page_size = 16384;";

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// One import as recorded in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportInfo {
    /// Import id.
    pub id: i64,
    /// File name (without directories).
    pub file_name: String,
    /// SHA-256 of the file's bytes, hex.
    pub file_hash: String,
    /// File size in bytes.
    pub file_size: u64,
    /// When it was imported (local time, `YYYY-MM-DD HH:MM:SS`).
    pub imported_at: String,
    /// Encoding used.
    pub encoding: String,
    /// Profile name used.
    pub profile: String,
    /// Headers of columns kept as extra data.
    pub extra_headers: Vec<String>,
    /// Counts of the import.
    pub counts: Counts,
}

/// What an import needs to record about itself when it commits.
#[derive(Clone, Debug)]
pub struct ImportMeta {
    /// File name (without directories).
    pub file_name: String,
    /// Size in bytes.
    pub file_size: u64,
    /// Encoding name.
    pub encoding: String,
    /// Profile name.
    pub profile: String,
    /// Extra headers kept with the rows.
    pub extra_headers: Vec<String>,
}

/// A cross-record alarm as stored.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct StoredAlarm {
    /// What was found.
    pub kind: crate::crosscheck::AlarmKind,
    /// The other record.
    pub related_id: i64,
    /// The other record's data row number in its file.
    pub related_row: u64,
}

/// How [`ImportTx::commit`] ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Committed under this import id; the second value is how long the commit held the
    /// store's write lock (the import's only hold of it).
    Committed(i64, std::time::Duration),
    /// Not committed: this earlier import has the same content.
    Duplicate(Box<ImportInfo>),
}

/// Filter for paging through mismatches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MismatchFilter {
    /// Only this viewing-stop case.
    pub case: Option<StopCase>,
    /// Only lost (`Some(true)`) or only in scope (`Some(false)`).
    pub lost: Option<bool>,
    /// Only rows with at least one warning.
    pub with_warnings: bool,
    /// Only rows in this review state.
    pub state: Option<crate::review::ReviewState>,
    /// Only rows with this suggestion of the explanation engine.
    pub suggestion: Option<crate::compare::Suggestion>,
    /// Only rows where this item really differs (verdict `differs`).
    pub differing: Option<crate::record::Item>,
    /// Only rows whose card number (digits) or insurer-side kana name (anything else, folded
    /// like the explanation engine folds kana) starts with this.
    pub search: Option<String>,
    /// Only rows assigned to this person, or only unassigned rows.
    pub assignee: Option<AssigneeFilter>,
    /// The order.
    pub order: ListOrder,
}

/// The assignee part of a [`MismatchFilter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Assigned to nobody.
    Unassigned,
    /// Assigned to this user.
    User(i64),
}

/// A page position: the (priority, id) of the last row seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCursor {
    /// Priority of the last row.
    pub priority: u8,
    /// Record id of the last row.
    pub id: i64,
    /// The last row's sort key for the other orders (card number, or folded kana name).
    pub key: String,
}

impl PageCursor {
    /// The cursor after `row` in the order of `sort`.
    pub fn after(row: &MismatchRow, sort: ListOrder) -> PageCursor {
        PageCursor {
            priority: row.class.priority,
            id: row.id,
            key: match sort {
                ListOrder::WorkOrder => String::new(),
                ListOrder::CardNumber => row.card_number.clone(),
                ListOrder::Kana => crate::compare::kana::key(&row.kana_name),
            },
        }
    }
}

/// The order of the mismatch list.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum ListOrder {
    /// Work order: ① first, then ②, ③, no stop, lost; file order within each.
    #[default]
    WorkOrder,
    /// By card number.
    CardNumber,
    /// By the insurer-side kana name (folded).
    Kana,
}

impl ListOrder {
    /// What the clerk reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            ListOrder::WorkOrder => "作業順（① から）",
            ListOrder::CardNumber => "記号・番号順",
            ListOrder::Kana => "カナ氏名順",
        }
    }
}

/// A line of the mismatch list (what the list shows, not the whole record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MismatchRow {
    /// Record id.
    pub id: i64,
    /// Import id.
    pub import_id: i64,
    /// Line in the file.
    pub line: u64,
    /// 被保険者証等記号.
    pub card_symbol: String,
    /// 被保険者証等番号.
    pub card_number: String,
    /// 枝番.
    pub branch: String,
    /// Insurer-side kana name.
    pub kana_name: String,
    /// The operator's verdicts.
    pub verdicts: Verdicts,
    /// Classification.
    pub class: Classification,
    /// Warnings.
    pub warnings: Warnings,
    /// The explanation engine's verdicts and suggestion.
    pub analysis: Option<crate::compare::RowSummary>,
    /// Where the review stands.
    pub state: crate::review::ReviewState,
    /// Who it is assigned to: (user id, display name).
    pub assignee: Option<(i64, String)>,
}

impl Store {
    /// The path of the store file in a store directory.
    pub fn file_in(dir: &Path) -> PathBuf {
        dir.join(STORE_FILE)
    }

    /// Opens (creating if needed) the store in `dir` with `key`, and brings its schema up to
    /// date. A wrong key gives [`StoreError::WrongKey`].
    pub(crate) fn open(dir: &Path, key: &StoreKey) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = Store::file_in(dir);
        pending::remove_abandoned(dir);
        let mut conn = Store::open_connection(&path, key)?;
        conn.busy_handler(Some(wait_briefly))?;
        // Durable on power loss (issue 17): the rollback journal with `synchronous = FULL`,
        // which SQLite documents as safe from corruption on power loss (NORMAL in this mode is
        // not) and which keeps every committed change. Not the write-ahead log: SQLCipher
        // re-keys only with the rollback journal, and a re-key must work while others are
        // logged in (disabling a clerk who is at the terminal).
        conn.execute_batch(
            "PRAGMA journal_mode = TRUNCATE;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -65536;",
        )?;
        // The durability benchmark (benches/durability.sh) measures what FULL costs against
        // NORMAL: only in builds with the tests' `inspect` feature, never in the app or the CLI.
        #[cfg(feature = "inspect")]
        if std::env::var("TOTSUGO_BENCH_SYNCHRONOUS").as_deref() == Ok("NORMAL") {
            conn.execute_batch("PRAGMA synchronous = NORMAL;")?;
        }
        migrations().to_latest(&mut conn)?;
        pending::remove_abandoned_rows(&conn, dir)?;
        let store = Store { conn, path };
        store.backfill_kana_keys()?;
        Ok(store)
    }

    /// A second, read-only connection to the store in `dir`, for readers on other threads
    /// (the list pager). It sees what the main connection has committed; it never writes.
    pub(crate) fn open_reader(dir: &Path, key: &StoreKey) -> Result<Store, StoreError> {
        let path = Store::file_in(dir);
        let conn = Store::open_connection_with(&path, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_handler(Some(wait_briefly))?;
        conn.execute_batch("PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768;")?;
        Ok(Store { conn, path })
    }

    /// Fills the search key of mismatches imported before the key existed (once).
    fn backfill_kana_keys(&self) -> Result<(), StoreError> {
        let missing: Vec<(i64, String)> = {
            let mut stmt = self.conn.prepare(
                "SELECT id, ins_kana FROM records INDEXED BY records_mismatch_order \
                 WHERE mismatch = 1 AND kana_key IS NULL",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        if missing.is_empty() {
            return Ok(());
        }
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )?;
        {
            let mut upd = tx.prepare("UPDATE records SET kana_key = ?1 WHERE id = ?2")?;
            for (id, kana) in &missing {
                upd.execute(params![crate::compare::kana::key(kana), id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A bare SQLite connection to a store file with its key and cipher settings, checked to
    /// decrypt. For forensic tools and tamper tests only: everything else goes through
    /// [`Store::open`] and the methods of [`Store`].
    pub(crate) fn open_connection(path: &Path, key: &StoreKey) -> Result<Connection, StoreError> {
        Store::open_connection_with(
            path,
            key,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )
    }

    fn open_connection_with(
        path: &Path,
        key: &StoreKey,
        flags: OpenFlags,
    ) -> Result<Connection, StoreError> {
        sqlcipher_ready();
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        // A raw 256-bit key: no passphrase derivation, the key itself is random.
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.hex()))?;
        conn.execute_batch(CIPHER_SETTINGS)?;
        // The first read decrypts page 1: a wrong key fails here.
        let probe: Result<i64, _> =
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
        if let Err(e) = probe {
            return match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase) => {
                    Err(StoreError::WrongKey(path.to_path_buf()))
                }
                _ => Err(e.into()),
            };
        }
        Ok(conn)
    }

    /// The store file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The import with this content hash, if any.
    pub fn import_by_hash(&self, hash: &str) -> Result<Option<ImportInfo>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{IMPORT_COLUMNS} WHERE file_hash = ?1"),
                [hash],
                import_from_row,
            )
            .optional()?)
    }

    /// Whether any import has exactly this size (a cheap pre-check before hashing).
    pub fn has_import_of_size(&self, size: u64) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM imports WHERE file_size = ?1)",
            [size as i64],
            |r| r.get(0),
        )?)
    }

    /// All imports, oldest first.
    pub fn imports(&self) -> Result<Vec<ImportInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{IMPORT_COLUMNS} WHERE NOT {PENDING} ORDER BY id"))?;
        let rows = stmt.query_map([], import_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Counts over everything stored (the sum of all imports).
    pub fn summary(&self) -> Result<Counts, StoreError> {
        let mut total = Counts::default();
        for i in self.imports()? {
            total.add(&i.counts);
        }
        Ok(total)
    }

    /// Number of record rows in the store (all imports; not those of an import still on its
    /// way in).
    pub fn record_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            &format!("SELECT count(*) FROM records WHERE {}", not_pending("")),
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// A page of mismatches in work order (priority, then file order), after `after`.
    /// Backed by the partial index on mismatches, whatever the size of the store.
    pub fn page_mismatches(
        &self,
        filter: &MismatchFilter,
        after: Option<&PageCursor>,
        limit: usize,
    ) -> Result<Vec<MismatchRow>, StoreError> {
        let (sql, args) = mismatch_query(filter, after, limit);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok(MismatchRow {
                id: r.get(0)?,
                import_id: r.get(1)?,
                line: r.get::<_, i64>(2)? as u64,
                card_symbol: r.get(3)?,
                card_number: r.get(4)?,
                branch: r.get(5)?,
                kana_name: r.get(6)?,
                verdicts: Verdicts::unpack(r.get(7)?),
                class: Classification {
                    mismatch: true,
                    lost: r.get(8)?,
                    case: StopCase::from_code(r.get(9)?),
                    priority: r.get(10)?,
                },
                warnings: Warnings(r.get::<_, i64>(11)? as u64),
                analysis: r
                    .get::<_, Option<u32>>(12)?
                    .map(crate::compare::RowSummary::unpack),
                state: crate::review::ReviewState::from_code(r.get(13)?),
                assignee: match (
                    r.get::<_, Option<i64>>(14)?,
                    r.get::<_, Option<String>>(15)?,
                ) {
                    (Some(id), Some(name)) => Some((id, name)),
                    _ => None,
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The query plan SQLite chooses for [`Store::page_mismatches`] (for tests and benchmarks).
    pub fn explain_page_mismatches(
        &self,
        filter: &MismatchFilter,
        after: Option<&PageCursor>,
    ) -> Result<String, StoreError> {
        let (sql, args) = mismatch_query(filter, after, 100);
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(3)
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?.join("\n"))
    }

    /// One whole record by id.
    pub fn record(&self, id: i64) -> Result<Option<Record>, StoreError> {
        Ok(self
            .conn
            .query_row(columns::select_sql(), [id], columns::read_record)
            .optional()?)
    }

    /// The cross-record alarms on a record, with the data row numbers they name.
    pub fn alarms(&self, record_id: i64) -> Result<Vec<StoredAlarm>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.kind, a.related_id, a.related_id - i.first_record_id + 1 \
             FROM alarms a JOIN records r ON r.id = a.related_id \
             JOIN imports i ON i.id = r.import_id \
             WHERE a.record_id = ?1 ORDER BY a.kind, a.related_id",
        )?;
        let rows = stmt.query_map([record_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, related_id, related_row) = row?;
            if let Some(kind) = crate::crosscheck::AlarmKind::from_code(kind) {
                out.push(StoredAlarm {
                    kind,
                    related_id,
                    related_row: related_row as u64,
                });
            }
        }
        Ok(out)
    }

    /// The data row number of a record in its file (1 = the first row after the header).
    pub fn row_number(&self, record_id: i64) -> Result<Option<u64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT r.id - i.first_record_id + 1 FROM records r \
                 JOIN imports i ON i.id = r.import_id WHERE r.id = ?1",
                [record_id],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .map(|n| n as u64))
    }

    /// The audit entries about one target (e.g. `record:42`), oldest first: who viewed or
    /// decided what, for the record's history.
    pub fn audit_entries_for(&self, target: &str) -> Result<Vec<crate::audit::Entry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{AUDIT_COLUMNS} WHERE target = ?1 ORDER BY id"))?;
        let rows = stmt.query_map([target], audit_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Record ids of one import in file order (for tests and tools that walk an import).
    pub fn record_ids(&self, import_id: i64) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM records WHERE import_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([import_id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Reads one side's five items from the columns starting at `first` (kanji, kana, birth,
/// sex, address), as [`Store::record`] selects them.
impl Store {
    /// Adds a user; returns the id.
    pub(crate) fn insert_user(
        &self,
        login: &str,
        display_name: &str,
        roles: u8,
        may_reveal_my_number: bool,
        created_at: &str,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO users (login, display_name, roles, may_reveal_my_number, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![login, display_name, roles, may_reveal_my_number, created_at],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A user by id.
    pub fn user(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{USER_COLUMNS} WHERE id = ?1"),
                [id],
                user_from_row,
            )
            .optional()?)
    }

    /// A user by login name.
    pub fn user_by_login(&self, login: &str) -> Result<Option<UserRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{USER_COLUMNS} WHERE login = ?1"),
                [login],
                user_from_row,
            )
            .optional()?)
    }

    /// All users, disabled ones included, by id.
    pub fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{USER_COLUMNS} ORDER BY id"))?;
        let rows = stmt.query_map([], user_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Changes a user's roles and My Number right.
    pub(crate) fn update_user_rights(
        &self,
        id: i64,
        roles: u8,
        may_reveal_my_number: bool,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE users SET roles = ?1, may_reveal_my_number = ?2 WHERE id = ?3",
            params![roles, may_reveal_my_number, id],
        )?;
        Ok(())
    }

    /// Marks a user disabled (users are never deleted).
    pub(crate) fn disable_user(&self, id: i64, at: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE users SET disabled_at = ?1 WHERE id = ?2 AND disabled_at IS NULL",
            params![at, id],
        )?;
        Ok(())
    }

    /// A setting's value.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Removes a setting (nothing when it is not set).
    pub(crate) fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Sets a setting (inserted or replaced).
    pub(crate) fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The highest generation of the key-slot file this store has seen (0 before any).
    pub fn vault_generation(&self) -> Result<u64, StoreError> {
        Ok(self
            .setting("vault_generation")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Records that the key-slot file reached generation `g` (never lowers the value: two
    /// sessions writing the file one after the other may record theirs in either order).
    pub(crate) fn note_vault_generation(&self, g: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES ('vault_generation', ?1) \
             ON CONFLICT (key) DO UPDATE SET value = \
             CAST(max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)",
            params![g.to_string()],
        )?;
        Ok(())
    }

    /// The audit trail's head: the number of entries (the last id) and the last hash.
    pub fn audit_head(&self) -> Result<(u64, String), StoreError> {
        Ok(last_audit(&self.conn)?
            .map(|(id, hash)| (id as u64, hash))
            .unwrap_or((0, crate::audit::GENESIS.to_string())))
    }

    /// The audit entries after `id`, in order (for checking the chain from an anchor on).
    pub fn audit_entries_after(&self, id: u64) -> Result<Vec<crate::audit::Entry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{AUDIT_COLUMNS} WHERE id >= ?1 ORDER BY id"))?;
        let rows = stmt.query_map([id as i64], audit_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Re-encrypts every page of the store with `key` (SQLCipher's `PRAGMA rekey`, one
    /// transaction: the rollback journal keeps the old pages under the old key, so a crash
    /// leaves the store whole under the old key). Other connections to the store must be
    /// closed first; they can no longer read it afterwards.
    pub(crate) fn rekey(&self, key: &StoreKey) -> Result<(), StoreError> {
        self.conn
            .execute_batch(&format!("PRAGMA rekey = \"x'{}'\";", key.hex()))?;
        // The first read after the re-key proves the new key opens the file.
        self.conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })?;
        Ok(())
    }

    /// Runs `f` inside one write transaction (a change and its audit entry together: both or
    /// neither). Nested calls join the outer transaction.
    pub(crate) fn atomically<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        if !self.conn.is_autocommit() {
            return f();
        }
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(StoreError::from)?;
        let out = f()?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Notes a file written outside the store (an export), for the purge.
    pub(crate) fn note_written_file(
        &self,
        path: &Path,
        kind: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO written_files (path, kind, written_at) VALUES (?1, ?2, ?3)",
            params![path.to_string_lossy(), kind, at],
        )?;
        Ok(())
    }

    /// Every file noted by [`Store::note_written_file`], oldest first.
    pub fn written_files(&self) -> Result<Vec<PathBuf>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT path FROM written_files ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(PathBuf::from)
            .collect())
    }

    /// Appends an entry to the audit trail, chained to the last one.
    pub(crate) fn append_audit(
        &self,
        e: &crate::audit::NewEntry,
    ) -> Result<crate::audit::Entry, StoreError> {
        // Inside a caller's transaction (a decision and its entry together) the entry joins
        // it; otherwise it gets its own.
        self.atomically(|| append_audit_on(&self.conn, e))
    }

    /// Audit entries in order; with `from`/`to` (prefixes of the local time such as
    /// `2026-11-01`), only those whose date lies in that range, both ends included.
    pub fn audit_entries(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<crate::audit::Entry>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "{AUDIT_COLUMNS} WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR substr(at, 1, length(?2)) <= ?2) ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![from, to], audit_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The last audit entry's id and hash, if there is one.
fn last_audit(conn: &Connection) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Appends an audit entry on a connection already inside a write transaction (the import's
/// own, so that an import and its entry commit together).
fn append_audit_on(
    conn: &Connection,
    e: &crate::audit::NewEntry,
) -> Result<crate::audit::Entry, StoreError> {
    let (id, prev_hash) = match last_audit(conn)? {
        Some((id, h)) => (id + 1, h),
        None => (1, crate::audit::GENESIS.to_string()),
    };
    let mut entry = crate::audit::Entry {
        id,
        at: e.at.clone(),
        user_id: e.user_id,
        user_login: e.user_login.clone(),
        action: e.action.key().to_string(),
        target: e.target.clone(),
        detail: e.detail.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.computed_hash();
    conn.execute(
        "INSERT INTO audit (id, at, user_id, user_login, action, target, detail, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            entry.id,
            entry.at,
            entry.user_id,
            entry.user_login,
            entry.action,
            entry.target,
            entry.detail,
            entry.prev_hash,
            entry.hash
        ],
    )?;
    Ok(entry)
}

/// The start of the hash of an import still on its way in: `pending:<token>` until its last
/// step ([`ImportTx::commit`]).
const PENDING_PREFIX: &str = "pending:";
/// The condition on `imports` of an import still on its way in, whose rows are going into
/// `records` and that no reader sees.
const PENDING: &str = "file_hash LIKE 'pending:%'";

/// The condition on `records` (or an alias: `{t}`) that leaves out the rows of an import still
/// on its way in: every query of mismatches says it (the list, the counts, the similar cases).
fn not_pending(t: &str) -> String {
    format!("{t}import_id NOT IN (SELECT id FROM imports WHERE {PENDING})")
}

const IMPORT_COLUMNS: &str = "SELECT id, file_name, file_hash, file_size, imported_at, encoding, \
    profile, extra_headers, counts FROM imports";

fn import_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ImportInfo> {
    let extra: String = r.get(7)?;
    let counts: String = r.get(8)?;
    Ok(ImportInfo {
        id: r.get(0)?,
        file_name: r.get(1)?,
        file_hash: r.get(2)?,
        file_size: r.get::<_, i64>(3)? as u64,
        imported_at: r.get(4)?,
        encoding: r.get(5)?,
        profile: r.get(6)?,
        extra_headers: serde_json::from_str(&extra).unwrap_or_default(),
        counts: serde_json::from_str(&counts).unwrap_or_default(),
    })
}

fn mismatch_query(
    filter: &MismatchFilter,
    after: Option<&PageCursor>,
    limit: usize,
) -> (String, Vec<rusqlite::types::Value>) {
    let search = filter
        .search
        .as_deref()
        .map(crate::text::fold_width_and_spaces)
        .filter(|s| !s.is_empty());
    // A search walks its own index and sorts the (few) rows found; the plain list walks the
    // work order.
    let (index, sort_col) = match filter.order {
        ListOrder::WorkOrder => ("records_mismatch_order", "priority"),
        ListOrder::CardNumber => ("records_card", "card_number"),
        ListOrder::Kana => ("records_kana", "kana_key"),
    };
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let from = if search.is_some() {
        "FROM records WHERE mismatch = 1".to_string()
    } else if filter.assignee.is_some() {
        // One person's share (or the unassigned rows) in work order is a range of its own
        // index; in the other orders SQLite sorts the share.
        match filter.order {
            // One state and one scope too (the next record to work on): a range of
            // records_queue, whose first row is the answer.
            ListOrder::WorkOrder if filter.state.is_some() && filter.lost.is_some() => {
                "FROM records INDEXED BY records_queue WHERE mismatch = 1".to_string()
            }
            ListOrder::WorkOrder => {
                "FROM records INDEXED BY records_assignee WHERE mismatch = 1".to_string()
            }
            _ => "FROM records WHERE mismatch = 1".to_string(),
        }
    } else {
        format!("FROM records INDEXED BY {index} WHERE mismatch = 1")
    };
    let mut sql = format!(
        "SELECT id, import_id, line, card_symbol, card_number, branch, ins_kana, verdicts, lost, \
         stop_case, priority, warnings, analysis, state, assignee, \
         (SELECT display_name FROM users WHERE users.id = records.assignee) {from} AND {}",
        not_pending("")
    );
    match filter.assignee {
        Some(AssigneeFilter::Unassigned) => sql.push_str(" AND assignee IS NULL"),
        Some(AssigneeFilter::User(u)) => {
            sql.push_str(" AND assignee = ?");
            args.push(u.into());
        }
        None => {}
    }
    if let Some(s) = search {
        let range = |args: &mut Vec<rusqlite::types::Value>, prefix: String| {
            let mut end = prefix.clone();
            end.push(char::MAX);
            args.push(prefix.into());
            args.push(end.into());
        };
        let card = s
            .split_once(['-', '・', '･', ' ', '/'])
            .filter(|(a, b)| !a.is_empty() && b.bytes().all(|c| c.is_ascii_digit()));
        if let Some((symbol, number)) = card {
            // 「記号-番号」 (or 記号・番号): that symbol, and the number's beginning.
            sql.push_str(" AND card_symbol = ? AND card_number >= ? AND card_number < ?");
            args.push(symbol.to_string().into());
            range(&mut args, number.to_string());
        } else if s.bytes().all(|b| b.is_ascii_digit()) {
            // Digits: the beginning of the 番号 or of the 記号 (the label promises both).
            sql.push_str(
                " AND ((card_number >= ? AND card_number < ?) \
                 OR (card_symbol >= ? AND card_symbol < ?))",
            );
            range(&mut args, s.clone());
            range(&mut args, s);
        } else {
            sql.push_str(" AND kana_key >= ? AND kana_key < ?");
            range(&mut args, crate::compare::kana::key(&s));
        }
    }
    if let Some(c) = filter.case {
        sql.push_str(" AND stop_case = ?");
        args.push((c as i64).into());
    }
    if let Some(l) = filter.lost {
        sql.push_str(" AND lost = ?");
        args.push((l as i64).into());
    }
    if filter.with_warnings {
        sql.push_str(" AND warnings <> 0");
    }
    if let Some(st) = filter.state {
        sql.push_str(" AND state = ?");
        args.push((st as i64).into());
    }
    if let Some(sg) = filter.suggestion {
        sql.push_str(" AND (analysis & 3) = ?");
        args.push((sg as i64).into());
    }
    if let Some(item) = filter.differing {
        sql.push_str(&format!(
            " AND ((analysis >> {}) & 3) = {}",
            2 * (item.index() + 1),
            crate::compare::FieldVerdict::Differs as i64
        ));
    }
    if let Some(c) = after {
        sql.push_str(&format!(" AND ({sort_col}, id) > (?, ?)"));
        match filter.order {
            ListOrder::WorkOrder => args.push((c.priority as i64).into()),
            _ => args.push(c.key.clone().into()),
        }
        args.push(c.id.into());
    }
    sql.push_str(&format!(" ORDER BY {sort_col}, id LIMIT ?"));
    args.push((limit as i64).into());
    (sql, args)
}
