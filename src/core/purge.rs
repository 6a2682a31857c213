//! Purge: when the work is done, the store and every file totsugo wrote are deleted
//! (overwritten first where the platform keeps the blocks in place), and a deletion record
//! (消去記録: what, when, by whom, counts) is written as a PDF outside the store.

use std::path::{Path, PathBuf};

use crate::audit::{self, AuditAction};
use crate::auth::Permission;
use crate::pdf::{Block, SimpleDoc};
use crate::session::{Session, SessionError, overwrite_and_remove};
use crate::store::{Store, StoreError};
use crate::summary::{Counts, format_thousands};
use crate::vault::{VAULT_FILE, VAULT_LOCK_FILE, Vault};

/// The word to type, twice, to confirm a purge.
pub const CONFIRMATION: &str = "消去";

/// What a purge removed: the contents of the deletion record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletionRecord {
    /// When (local time).
    pub purged_at: String,
    /// Who: login name.
    pub purged_by: String,
    /// Who: display name.
    pub purged_by_name: String,
    /// The store directory.
    pub store_dir: String,
    /// The imported files: name, when imported, rows.
    pub imports: Vec<(String, String, u64)>,
    /// Records (rows) deleted.
    pub records: u64,
    /// Counts of what was stored.
    pub counts: Counts,
    /// Users registered (disabled ones included).
    pub users: u64,
    /// Audit entries, and whether the chain verified at purge time.
    pub audit_entries: u64,
    /// The audit chain verified intact before the purge.
    pub audit_chain_intact: bool,
    /// Files deleted.
    pub files_removed: Vec<String>,
}

impl DeletionRecord {
    /// The record as a printable document.
    pub fn to_doc(&self) -> SimpleDoc {
        let mut blocks = vec![
            Block::Title("特定個人情報の消去記録".into()),
            Block::Paragraph(
                "突合結果レビュー（totsugo）の保管データを、利用目的を達成したため消去しました。"
                    .into(),
            ),
            Block::Heading("消去の概要".into()),
            Block::Table(vec![
                ("消去日時".into(), self.purged_at.clone()),
                (
                    "消去した者".into(),
                    format!("{}（利用者名 {}）", self.purged_by_name, self.purged_by),
                ),
                ("保管場所".into(), self.store_dir.clone()),
                (
                    "消去方法".into(),
                    "ファイルを 0 で上書きした後に削除".into(),
                ),
            ]),
            Block::Heading("消去したデータ".into()),
            Block::Table(vec![
                (
                    "記録（行）".into(),
                    format!("{} 件", format_thousands(self.records)),
                ),
                (
                    "不一致（総合判定×）".into(),
                    format!("{} 件", format_thousands(self.counts.mismatches)),
                ),
                ("利用者".into(), format!("{} 人", self.users)),
                (
                    "操作記録".into(),
                    format!(
                        "{} 件（改ざんの検査: {}）",
                        format_thousands(self.audit_entries),
                        if self.audit_chain_intact {
                            "異常なし"
                        } else {
                            "異常あり"
                        }
                    ),
                ),
            ]),
            Block::Heading("取り込んでいた突合結果ファイル".into()),
        ];
        if self.imports.is_empty() {
            blocks.push(Block::Paragraph("なし".into()));
        } else {
            blocks.push(Block::Table(
                self.imports
                    .iter()
                    .map(|(name, at, rows)| {
                        (
                            name.clone(),
                            format!("{at} 取込、{} 行", format_thousands(*rows)),
                        )
                    })
                    .collect(),
            ));
        }
        blocks.push(Block::Heading("削除したファイル".into()));
        blocks.push(Block::Paragraph(self.files_removed.join("\n")));
        blocks.push(Block::Spacer(10.0));
        blocks.push(Block::Table(vec![
            ("確認者（署名）".into(), String::new()),
            ("確認日".into(), String::new()),
        ]));
        SimpleDoc {
            title: "消去記録".into(),
            blocks,
            footer: Some(format!("totsugo 消去記録　{}", self.purged_at)),
        }
    }
}

fn io_err(path: &Path, e: std::io::Error) -> SessionError {
    SessionError::Store(StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

/// Whether both confirmations are [`CONFIRMATION`] (the app checks before it hands the session
/// to [`purge`], which checks again).
pub fn check_confirmations(confirmations: [&str; 2]) -> Result<(), SessionError> {
    if confirmations.iter().any(|c| c.trim() != CONFIRMATION) {
        return Err(SessionError::InvalidUser(format!(
            "消去するには確認の言葉「{CONFIRMATION}」を2回入力してください"
        )));
    }
    Ok(())
}

/// Purges the store of `session` (administrators only): both confirmations must be
/// [`CONFIRMATION`]; the deletion record is written to `record_path`, which must lie outside the
/// store directory. The purge is audited before the store goes; the session ends.
pub fn purge(
    session: Session,
    confirmations: [&str; 2],
    record_path: &Path,
) -> Result<DeletionRecord, SessionError> {
    session.require(Permission::Purge)?;
    check_confirmations(confirmations)?;
    let dir = session.dir().to_path_buf();
    let canon_dir = dir.canonicalize().unwrap_or(dir.clone());
    let record_parent = record_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.canonicalize().unwrap_or(p.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("."));
    if record_parent.starts_with(&canon_dir) {
        return Err(SessionError::InvalidUser(
            "消去記録は保管場所の外に保存してください".into(),
        ));
    }
    let store = session.store();
    let imports = store.imports()?;
    let chain = audit::verify_chain(store.audit_entries(None, None)?);
    let mut files: Vec<PathBuf> = vec![
        Store::file_in(&dir),
        dir.join(format!("{}-journal", crate::store::STORE_FILE)),
        Vault::path_in(&dir),
        dir.join(format!("{VAULT_FILE}.tmp")),
        dir.join(VAULT_LOCK_FILE),
    ];
    // Temporary slot files a crash left behind (keyslots.json.<pid>.<tag>.tmp).
    if let Ok(entries) = std::fs::read_dir(&dir) {
        files.extend(entries.flatten().map(|e| e.path()).filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(VAULT_FILE) && n.ends_with(".tmp"))
        }));
    }
    files.extend(store.written_files()?);
    let files: Vec<PathBuf> = files.into_iter().filter(|f| f.exists()).collect();
    let record = DeletionRecord {
        purged_at: audit::now_local(),
        purged_by: session.user().login.clone(),
        purged_by_name: session.user().display_name.clone(),
        store_dir: dir.display().to_string(),
        imports: imports
            .iter()
            .map(|i| (i.file_name.clone(), i.imported_at.clone(), i.counts.rows))
            .collect(),
        records: store.record_count()?,
        counts: store.summary()?,
        users: store.users()?.len() as u64,
        audit_entries: chain.clone().unwrap_or(0),
        audit_chain_intact: chain.is_ok(),
        files_removed: files.iter().map(|f| f.display().to_string()).collect(),
    };
    // The record is written first: without it, nothing is deleted.
    let pdf = crate::pdf::render(&record.to_doc())
        .map_err(|e| SessionError::InvalidUser(format!("消去記録を作れません: {e}")))?;
    std::fs::write(record_path, pdf).map_err(|e| io_err(record_path, e))?;
    session.audit(
        AuditAction::Purge,
        "store",
        &format!(
            "記録 {} 件、ファイル {} 個を消去。消去記録 {}",
            record.records,
            files.len(),
            record_path.display()
        ),
    )?;
    drop(session);
    for f in &files {
        overwrite_and_remove(f).map_err(|e| io_err(f, e))?;
    }
    // The directory itself, if nothing else is in it.
    let _ = std::fs::remove_dir(&dir);
    Ok(record)
}
