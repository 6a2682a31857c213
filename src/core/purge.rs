//! Purge: when the work is done, the store and every file totsugo wrote are deleted
//! (overwritten first where the platform keeps the blocks in place), and a deletion record
//! (消去記録: what, when, by whom, counts, what was removed and what was not) is written as a
//! PDF outside the store.
//!
//! The order holds against a crash or a file that will not go (issue 16 §6): the plan (what
//! is to be deleted, what the record will say) is written into the store's folder first, the
//! deletion record is written once before anything is deleted (without it, nothing is), then
//! the **key slots are destroyed first**, so that the data is unreadable whatever happens next;
//! then every other file, going on past one that cannot be deleted; then the deletion record
//! again, listing what was really removed and what was not. A purge that stopped half-way
//! leaves its plan: running the purge again ([`resume`], no login needed since the key slots
//! are gone) finishes the job and says so in a new record.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::audit::{self, AuditAction};
use crate::auth::Permission;
use crate::pdf::{Block, SimpleDoc};
use crate::session::{Session, SessionError, overwrite_and_remove};
use crate::store::StoreError;
use crate::summary::{Counts, format_thousands};
use crate::vault::{VAULT_FILE, VAULT_LOCK_FILE};

/// The word to type, twice, to confirm a purge.
pub const CONFIRMATION: &str = "消去";

/// The second confirmation when the audit trail is broken (an entry altered, the trail cut
/// below its anchor): the purge then says so in the deletion record.
pub const BROKEN_CHAIN_CONFIRMATION: &str = "破損を承知で消去";

/// What a purge removed: the contents of the deletion record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The audit chain's head when the purge began: entries and the last entry's hash.
    pub audit_head: (u64, String),
    /// What was wrong with the trail (a break, or a cut found by the anchor), when the purge
    /// went ahead on an explicit confirmation ([`BROKEN_CHAIN_CONFIRMATION`]).
    #[serde(default)]
    pub audit_problem: Option<String>,
    /// Files deleted (by this run and, for a purge run again, by the runs before).
    pub files_removed: Vec<String>,
    /// Files that could not be deleted, each with the reason.
    pub files_not_removed: Vec<(String, String)>,
    /// The key slots are gone (the store can no longer be opened).
    pub key_slots_destroyed: bool,
    /// This run finished a purge that had stopped half-way.
    pub resumed: bool,
}

impl DeletionRecord {
    /// Whether everything was deleted.
    pub fn complete(&self) -> bool {
        self.key_slots_destroyed && self.files_not_removed.is_empty()
    }
}

impl DeletionRecord {
    /// The record as a printable document.
    pub fn to_doc(&self) -> SimpleDoc {
        let mut blocks = vec![
            Block::Title("特定個人情報の消去記録".into()),
            Block::Paragraph(if self.complete() {
                "突合結果レビュー（totsugo）の保管データを、利用目的を達成したため消去しました。"
                    .into()
            } else if self.key_slots_destroyed {
                "突合結果レビュー（totsugo）の保管データの消去を始め、鍵スロットを破棄しました（保管データはもう開けません）。削除できなかったファイルが残っています（下記）。原因を取り除いて、もう一度消去を実行してください。"
                    .into()
            } else {
                "突合結果レビュー（totsugo）の保管データの消去を始めました（この記録は消去の前に作ったものです）。消去が終わると、削除したファイルを記した記録で置き換えます。"
                    .into()
            }),
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
                (
                    "操作記録の異常".into(),
                    match &self.audit_problem {
                        Some(p) => format!(
                            "{p}。異常を確認したうえで消去しました（確認の言葉「{BROKEN_CHAIN_CONFIRMATION}」）"
                        ),
                        None => "なし".into(),
                    },
                ),
                (
                    "操作記録の末尾".into(),
                    format!(
                        "{} 件目　ハッシュ {}",
                        format_thousands(self.audit_head.0),
                        self.audit_head.1
                    ),
                ),
                (
                    "鍵スロット".into(),
                    if self.key_slots_destroyed {
                        "破棄済み（保管データは開けません）".into()
                    } else {
                        "未破棄".into()
                    },
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
        if self.resumed {
            blocks.push(Block::Paragraph(
                "この消去は、途中で止まった消去をもう一度実行して終えたものです。".into(),
            ));
        }
        blocks.push(Block::Heading("削除したファイル".into()));
        blocks.push(Block::Paragraph(if self.files_removed.is_empty() {
            "なし".into()
        } else {
            self.files_removed.join("\n")
        }));
        blocks.push(Block::Heading("削除できなかったファイル".into()));
        blocks.push(Block::Paragraph(if self.files_not_removed.is_empty() {
            "なし".into()
        } else {
            self.files_not_removed
                .iter()
                .map(|(f, why)| format!("{f}（{why}）"))
                .collect::<Vec<_>>()
                .join("\n")
        }));
        blocks.push(Block::Spacer(10.0));
        blocks.push(Block::Table(vec![
            ("確認者（署名）".into(), String::new()),
            ("確認日".into(), String::new()),
        ]));
        SimpleDoc {
            title: "消去記録".into(),
            blocks,
            footer: Some(format!(
                "totsugo 消去記録　{}{}",
                self.purged_at,
                if self.complete() {
                    ""
                } else {
                    "　（消去は終わっていません）"
                }
            )),
        }
    }
}

/// The plan of a purge, kept in the store's folder until the purge is done (plain JSON: file
/// paths and counts, no personal data of the records).
pub const PLAN_FILE: &str = "purge-plan.json";

/// A purge under way: the record it will write and the files still to delete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgePlan {
    /// What the deletion record says so far.
    pub record: DeletionRecord,
    /// The files to delete (the key slots among them are deleted first).
    pub files: Vec<PathBuf>,
}

/// The steps of a purge, reported as they finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PurgeStep {
    /// The plan and the first deletion record are written.
    Planned,
    /// The key slots are destroyed: the data can no longer be opened.
    KeySlotsDestroyed,
    /// Every other file was tried.
    FilesRemoved,
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
    let second_ok = |c: &str| c == CONFIRMATION || c == BROKEN_CHAIN_CONFIRMATION;
    if confirmations[0].trim() != CONFIRMATION || !second_ok(confirmations[1].trim()) {
        return Err(SessionError::InvalidUser(format!(
            "消去するには確認の言葉「{CONFIRMATION}」を2回入力してください"
        )));
    }
    Ok(())
}

/// Whether a file of the store's folder is one of the key slots (the slot file, its temporary
/// and lock files).
fn is_key_slot_file(name: &str) -> bool {
    name.contains(VAULT_FILE) || name == VAULT_LOCK_FILE
}

/// totsugo's own files in the store's folder: the key slots, the store and its journal,
/// the key file of old versions. Nothing else in the folder is touched.
fn own_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let trimmed = name.trim_start_matches('.');
            if is_key_slot_file(&name)
                || trimmed.starts_with(crate::store::STORE_FILE)
                || name == "store.key"
            {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

fn plan_path(dir: &Path) -> PathBuf {
    dir.join(PLAN_FILE)
}

fn save_plan(dir: &Path, plan: &PurgePlan) -> Result<(), SessionError> {
    let path = plan_path(dir);
    let json = serde_json::to_vec_pretty(plan).expect("plan serializes");
    crate::output_file::write_private(&path, &json).map_err(|e| io_err(&path, e))
}

/// The purge that stopped half-way in `dir`, if any (its plan is still there).
pub fn unfinished(dir: &Path) -> Option<PurgePlan> {
    let text = std::fs::read(plan_path(dir)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Deletes one file: a symbolic link is removed, never followed; a regular file is overwritten
/// with zeros first; a file already gone counts as removed.
fn remove_one(path: &Path) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.to_string()),
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::remove_file(path).map_err(|e| e.to_string())
        }
        Ok(m) if !m.is_file() => Err("ファイルではありません（フォルダ等）".into()),
        Ok(_) => overwrite_and_remove(path).map_err(|e| e.to_string()),
    }
}

/// Deletes one file the store knows of ([`remove_one`]); a backup's file is reported as not
/// reached when its whole folder is missing (a drive taken away: the backup may still exist),
/// and a backup's folder goes once empty.
fn remove_known(path: &Path) -> Result<(), String> {
    if !crate::backup::is_backup_file(path) {
        return remove_one(path);
    }
    let folder = path.parent().unwrap_or(path);
    if !folder.exists() {
        return Err(
            "バックアップのフォルダが見つかりません（媒体が外されているかもしれません。見つけたら消去してください）"
                .into(),
        );
    }
    remove_one(path)?;
    // Only when empty: never anything that is not ours.
    let _ = std::fs::remove_dir(folder);
    Ok(())
}

fn write_record(record: &DeletionRecord, path: &Path) -> Result<(), SessionError> {
    let pdf = crate::pdf::render(&record.to_doc())
        .map_err(|e| SessionError::Output(format!("消去記録を作れません: {e}")))?;
    crate::output_file::write_private(path, &pdf).map_err(|e| io_err(path, e))
}

/// Purges the store of `session` (administrators only): both confirmations must be
/// [`CONFIRMATION`]; the deletion record is written to `record_path`, which must lie outside the
/// store directory. The purge is audited before the store goes; the session ends. The record
/// lists what was removed and what was not; when something was not, the purge can be run
/// again ([`resume`]).
pub fn purge(
    session: Session,
    confirmations: [&str; 2],
    record_path: &Path,
) -> Result<DeletionRecord, SessionError> {
    purge_with(session, confirmations, record_path, &mut |_| {
        ControlFlow::Continue(())
    })
}

/// [`purge`], telling `on_step` each step as it finishes; when it answers
/// [`ControlFlow::Break`], the purge stops there as a crash would (the tests use this to show
/// what a purge interrupted after a step leaves: the app and the CLI always go on).
pub fn purge_with(
    session: Session,
    confirmations: [&str; 2],
    record_path: &Path,
    on_step: &mut dyn FnMut(PurgeStep) -> ControlFlow<()>,
) -> Result<DeletionRecord, SessionError> {
    session.require(Permission::Purge)?;
    check_confirmations(confirmations)?;
    let dir = session.dir().to_path_buf();
    let record_path = crate::output_file::check_outside_store(&dir, record_path).map_err(|_| {
        SessionError::InvalidUser("消去記録は保管場所の外に保存してください".into())
    })?;
    let store = session.store();
    let imports = store.imports()?;
    let chain = audit::verify_chain(store.audit_entries(None, None)?);
    // The whole chain, and the trail against its anchor (a cut at the end keeps a valid chain).
    let anchored = session.check_audit_chain()?;
    let audit_problem = match (&chain, anchored) {
        (Err(b), _) => Some(b.message_ja()),
        (Ok(_), p) => p,
    };
    if let Some(p) = &audit_problem
        && confirmations[1].trim() != BROKEN_CHAIN_CONFIRMATION
    {
        return Err(SessionError::InvalidUser(format!(
            "操作記録に異常があります（{p}）。操作記録を確認し、それでも消去するときは2回目の確認に「{BROKEN_CHAIN_CONFIRMATION}」と入力してください。消去記録にこのことが記されます"
        )));
    }
    let head = crate::audit_review::chain_head(store)?;
    let mut files = own_files(&dir);
    for f in store.written_files()? {
        if !files.contains(&f) {
            files.push(f);
        }
    }
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
        audit_chain_intact: audit_problem.is_none(),
        audit_head: (head.count, head.hash),
        audit_problem,
        files_removed: Vec::new(),
        files_not_removed: Vec::new(),
        key_slots_destroyed: false,
        resumed: false,
    };
    let plan = PurgePlan { record, files };
    // The record is written first: without it, nothing is deleted.
    write_record(&plan.record, &record_path)?;
    save_plan(&dir, &plan)?;
    session.audit(
        AuditAction::Purge,
        "store",
        &format!(
            "記録 {} 件、ファイル {} 個を消去。消去記録 {}",
            plan.record.records,
            plan.files.len(),
            record_path.display()
        ),
    )?;
    drop(session);
    if on_step(PurgeStep::Planned).is_break() {
        return Err(interrupted());
    }
    carry_out(&dir, plan, &record_path, on_step)
}

fn interrupted() -> SessionError {
    SessionError::Output("消去を途中で止めました。もう一度消去を実行すると続きから終えます".into())
}

/// Deletes what the plan lists, the key slots first, going on past a file that will not go;
/// writes the deletion record; keeps the plan while anything is left.
fn carry_out(
    dir: &Path,
    mut plan: PurgePlan,
    record_path: &Path,
    on_step: &mut dyn FnMut(PurgeStep) -> ControlFlow<()>,
) -> Result<DeletionRecord, SessionError> {
    let is_slot = |f: &Path| {
        f.parent() == Some(dir)
            && f.file_name()
                .is_some_and(|n| is_key_slot_file(&n.to_string_lossy()))
    };
    let (slots, others): (Vec<PathBuf>, Vec<PathBuf>) =
        plan.files.iter().cloned().partition(|f| is_slot(f));
    let mut failed: Vec<(String, String)> = Vec::new();
    let mut removed = std::mem::take(&mut plan.record.files_removed);
    let mut try_remove = |f: &Path, failed: &mut Vec<(String, String)>| match remove_known(f) {
        Ok(()) => {
            let shown = f.display().to_string();
            if !removed.contains(&shown) {
                removed.push(shown);
            }
        }
        Err(why) => failed.push((f.display().to_string(), why)),
    };
    // 1. The key slots: once they are gone, nobody can open the store.
    for f in &slots {
        try_remove(f, &mut failed);
    }
    let _ = crate::output_file::sync_folder(dir);
    plan.record.key_slots_destroyed = slots.iter().all(|f| !f.exists()) && !is_any_slot(dir);
    plan.record.files_not_removed = failed.clone();
    save_plan(dir, &plan)?;
    if on_step(PurgeStep::KeySlotsDestroyed).is_break() {
        return Err(interrupted());
    }
    // 2. Everything else, going on past a file that will not go.
    for f in &others {
        try_remove(f, &mut failed);
    }
    let _ = crate::output_file::sync_folder(dir);
    if on_step(PurgeStep::FilesRemoved).is_break() {
        return Err(interrupted());
    }
    plan.record.files_removed = removed;
    plan.record.files_not_removed = failed;
    plan.files = plan
        .files
        .iter()
        .filter(|f| {
            plan.record
                .files_not_removed
                .iter()
                .any(|(g, _)| *g == f.display().to_string())
        })
        .cloned()
        .collect();
    // 3. The record of what was really removed and what was not.
    write_record(&plan.record, record_path)?;
    if plan.record.complete() {
        let _ = remove_one(&plan_path(dir));
        // The directory itself, if nothing else is in it.
        let _ = std::fs::remove_dir(dir);
    } else {
        save_plan(dir, &plan)?;
    }
    Ok(plan.record)
}

fn is_any_slot(dir: &Path) -> bool {
    own_files(dir).iter().any(|f| {
        f.file_name()
            .is_some_and(|n| is_key_slot_file(&n.to_string_lossy()))
    })
}

/// Runs again a purge that stopped half-way in `dir` (see [`unfinished`]): no login is needed
/// (the key slots may be gone already), but the confirmation word is, twice. Deletes what is
/// left of the plan (the key slots first), writes a new deletion record to `record_path`
/// (outside the store) that says this run finished an earlier one, and removes the plan when
/// everything is gone. A plan beside a slot file made after the key slots were destroyed (a
/// new store in the same folder) is refused.
pub fn resume(
    dir: &Path,
    confirmations: [&str; 2],
    record_path: &Path,
) -> Result<DeletionRecord, SessionError> {
    check_confirmations(confirmations)?;
    let Some(mut plan) = unfinished(dir) else {
        return Err(SessionError::Output(
            "途中で止まった消去はありません".into(),
        ));
    };
    if plan.record.key_slots_destroyed && is_any_slot(dir) {
        return Err(SessionError::Output(
            "消去の途中の記録のほかに新しい鍵スロットファイルがあります。新しい保管データを消さないよう、続きの消去はしません".into(),
        ));
    }
    let record_path = crate::output_file::check_outside_store(dir, record_path).map_err(|_| {
        SessionError::InvalidUser("消去記録は保管場所の外に保存してください".into())
    })?;
    // The store's own files as they are now (a journal left by a crash included), then what
    // the plan still lists.
    let mut files = own_files(dir);
    for f in plan.files.drain(..) {
        if !files.contains(&f) {
            files.push(f);
        }
    }
    plan.files = files;
    plan.record.resumed = true;
    plan.record.files_not_removed.clear();
    carry_out(dir, plan, &record_path, &mut |_| ControlFlow::Continue(()))
}
