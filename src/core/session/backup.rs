//! Backups from the session (administrators): writing one, the reminder on the home screen,
//! and the checks that finish a restore. See [`crate::backup`] for what a backup holds.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::audit::AuditAction;
use crate::auth::Permission;
use crate::backup::{
    BACKUP_FILES, BACKUP_PREFIX, DEFAULT_REMINDER_DAYS, LAST_BACKUP_SETTING, MANIFEST_FILE,
    MANIFEST_FORMAT, Manifest, REMINDER_SETTING, RESTORE_MARKER,
};
use crate::store::{STORE_FILE, Store, StoreError};
use crate::vault::{VAULT_FILE, Vault};

use super::*;

/// A backup written: where, what it holds, how long it took.
#[derive(Clone, Debug)]
pub struct BackupDone {
    /// The backup's folder.
    pub folder: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Time taken.
    pub elapsed: std::time::Duration,
}

/// The last backup as the store remembers it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LastBackup {
    /// When (local time, as the trail writes it).
    pub at: String,
    /// The folder written.
    pub folder: String,
}

fn io_err(path: &Path, source: std::io::Error) -> SessionError {
    SessionError::Store(StoreError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Removes what backups killed half-way left in `parent` (hidden `.totsugo-backup-….part`
/// folders untouched for an hour: one being written now is never that old).
fn remove_stale_parts(parent: &Path) {
    let Ok(rd) = std::fs::read_dir(parent) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3600));
        if name.starts_with(&format!(".{BACKUP_PREFIX}")) && name.ends_with(".part") && stale {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

impl Session {
    /// Restores the backup in `from` into the store folder `to` (created if needed), which must
    /// hold no store: checks the backup (see the module's notes), logs `login` in with `password`
    /// (a password valid when the backup was made; the user needs the right
    /// [`crate::auth::Permission::Backup`]) and returns the session on the restored store, with
    /// the manifest. Audited in the restored trail. On any failure the folder is left without a
    /// store again.
    pub fn restore_backup(
        from: &Path,
        to: &Path,
        login: &str,
        password: &str,
    ) -> Result<(Session, Manifest), SessionError> {
        let marker = to.join(RESTORE_MARKER);
        let unfinished = marker.exists();
        let present = crate::backup::store_files_in(to);
        if !present.is_empty() && !unfinished {
            return Err(SessionError::Output(format!(
                "{} にはすでに保管データがあります。使用中の保管データの上には復元しません。空のフォルダを選んでください",
                to.display()
            )));
        }
        let manifest = crate::backup::read_checked(from).map_err(SessionError::Output)?;
        let io = |path: &Path, source: std::io::Error| {
            SessionError::Store(crate::store::StoreError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        std::fs::create_dir_all(to).map_err(|e| io(to, e))?;
        // A restore left half-way by a crash is ours to replace.
        for f in &present {
            std::fs::remove_file(f).map_err(|e| io(f, e))?;
        }
        crate::output_file::write_private(
            &marker,
            "バックアップからの復元が終わっていません。もう一度復元してください。\n".as_bytes(),
        )
        .map_err(|e| io(&marker, e))?;
        let copied = (|| {
            for name in BACKUP_FILES {
                let tmp = to.join(format!(".{name}.restore.part"));
                let _ = std::fs::remove_file(&tmp);
                crate::backup::copy_private(&from.join(name), &tmp).map_err(|e| io(&tmp, e))?;
                std::fs::rename(&tmp, to.join(name)).map_err(|e| io(&tmp, e))?;
            }
            crate::output_file::sync_folder(to).map_err(|e| io(to, e))
        })();
        let result = copied.and_then(|()| {
            let mut session = Session::login_unchecked(to, login, password)?;
            session.finish_restore(from, &manifest)?;
            Ok(session)
        });
        match result {
            Ok(session) => {
                std::fs::remove_file(&marker).map_err(|e| io(&marker, e))?;
                Ok((session, manifest))
            }
            Err(e) => {
                for f in crate::backup::store_files_in(to) {
                    let _ = std::fs::remove_file(f);
                }
                let _ = std::fs::remove_file(to.join(crate::vault::VAULT_LOCK_FILE));
                let _ = std::fs::remove_file(&marker);
                Err(e)
            }
        }
    }

    /// Writes a backup into a new folder `totsugo-backup-YYYYMMDD-HHMMSS` inside `parent`
    /// (which must exist and lie outside the store's folder): the store copied at one moment
    /// through SQLite's online backup API (others go on working; their commits wait for the
    /// copy), the key slots of that moment, and a manifest; the copy is checked (page
    /// authentication, integrity) before the folder gets its name. `progress` gets (done,
    /// total) pages. `Ok(None)`: cancelled, nothing left behind. Audited; the time is kept for
    /// the home screen's reminder and the folder for the purge.
    pub fn backup(
        &self,
        parent: &Path,
        progress: &mut dyn FnMut(u64, u64),
        cancel: &AtomicBool,
    ) -> Result<Option<BackupDone>, SessionError> {
        self.require(Permission::Backup)?;
        let started = std::time::Instant::now();
        if !parent.is_dir() {
            return Err(SessionError::Output(format!(
                "バックアップ先のフォルダ {} がありません（ドライブが外れていないか確かめてください）",
                parent.display()
            )));
        }
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
        let mut name = format!("{BACKUP_PREFIX}{stamp}");
        let mut n = 2;
        while parent.join(&name).exists() || parent.join(format!(".{name}.part")).exists() {
            name = format!("{BACKUP_PREFIX}{stamp}-{n}");
            n += 1;
        }
        let folder = crate::output_file::check_outside_store(&self.dir, &parent.join(&name))
            .map_err(|_| {
                SessionError::Output(
                    "バックアップは保管場所の外（別のドライブ等）に作ってください".into(),
                )
            })?;
        // Before anything leaves the store, the trail is checked from its anchor (a break is
        // audited and shown; the backup goes on: it may be what an investigation needs).
        self.check_audit_chain()?;
        let parent = folder.parent().unwrap_or(parent).to_path_buf();
        remove_stale_parts(&parent);
        let tmp = parent.join(format!(".{name}.part"));
        std::fs::create_dir(&tmp).map_err(|e| io_err(&tmp, e))?;
        let result = self.write_backup_into(&tmp, progress, cancel);
        let manifest = match result {
            Ok(Some(m)) => m,
            other => {
                let _ = std::fs::remove_dir_all(&tmp);
                return other.map(|_| None);
            }
        };
        std::fs::rename(&tmp, &folder).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            io_err(&folder, e)
        })?;
        crate::output_file::sync_folder(&parent).map_err(|e| io_err(&parent, e))?;
        let elapsed = started.elapsed();
        let now = audit::now_local();
        let last = LastBackup {
            at: now.clone(),
            folder: folder.display().to_string(),
        };
        self.store.atomically(|| -> Result<(), SessionError> {
            for f in BACKUP_FILES.iter().chain([&MANIFEST_FILE]) {
                self.store
                    .note_written_file(&folder.join(f), "backup", &now)?;
            }
            self.store.set_setting(
                LAST_BACKUP_SETTING,
                &serde_json::to_string(&last).expect("serializes"),
            )?;
            self.audit(
                AuditAction::Backup,
                "store",
                &format!(
                    "バックアップ {name}（記録 {} 件、操作記録 {} 件、{:.1} 秒）",
                    manifest.facts.rows.get("records").copied().unwrap_or(0),
                    manifest.facts.audit_count,
                    elapsed.as_secs_f64()
                ),
            )
        })?;
        self.anchor_audit()?;
        Ok(Some(BackupDone {
            folder,
            manifest,
            elapsed,
        }))
    }

    /// The backup's files into `tmp`: the store and the key slots (one moment), the copy
    /// checked, then the manifest. `None` when cancelled.
    fn write_backup_into(
        &self,
        tmp: &Path,
        progress: &mut dyn FnMut(u64, u64),
        cancel: &AtomicBool,
    ) -> Result<Option<Manifest>, SessionError> {
        let db = tmp.join(STORE_FILE);
        let slots = tmp.join(VAULT_FILE);
        let dir = self.dir.clone();
        let mut copy_slots = || -> std::io::Result<()> {
            // Under the slot file's lock: never half of a change.
            let _lock = Vault::lock(&dir).map_err(|e| std::io::Error::other(e.to_string()))?;
            let bytes = std::fs::read(Vault::path_in(&dir))?;
            crate::output_file::write_private(&slots, &bytes)
        };
        let Some(facts) =
            Store::copy_snapshot(&self.dir, &self.key, &db, &mut copy_slots, progress, cancel)?
        else {
            return Ok(None);
        };
        std::fs::File::open(&db)
            .and_then(|f| f.sync_all())
            .map_err(|e| io_err(&db, e))?;
        Store::check_copy(&db, &self.key).map_err(|p| {
            SessionError::Output(format!(
                "バックアップの写しを確かめたところ異常がありました（{p}）。バックアップ先の媒体を確かめてください"
            ))
        })?;
        let mut files = Vec::new();
        for name in BACKUP_FILES {
            let path = tmp.join(name);
            files.push(crate::backup::file_sum(&path).map_err(|e| io_err(&path, e))?);
        }
        let mut manifest = Manifest {
            format: MANIFEST_FORMAT,
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            made_at: audit::now_local(),
            made_by: self.user.login.clone(),
            facts,
            files,
            mac: String::new(),
        };
        manifest.sign(&self.key);
        let path = tmp.join(MANIFEST_FILE);
        crate::output_file::write_private(
            &path,
            &serde_json::to_vec_pretty(&manifest).expect("manifest serializes"),
        )
        .map_err(|e| io_err(&path, e))?;
        crate::output_file::sync_folder(tmp).map_err(|e| io_err(tmp, e))?;
        Ok(Some(manifest))
    }

    /// The last backup written from this store, if any.
    pub fn last_backup(&self) -> Option<LastBackup> {
        self.store
            .setting(LAST_BACKUP_SETTING)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
    }

    /// Remind after this many days without a backup (setting; 1 by default).
    pub fn backup_reminder_days(&self) -> u32 {
        self.store
            .setting(REMINDER_SETTING)
            .ok()
            .flatten()
            .and_then(|t| t.parse().ok())
            .unwrap_or(DEFAULT_REMINDER_DAYS)
    }

    /// Sets the reminder's number of days (1–90; administrators; audited).
    pub fn set_backup_reminder_days(&self, days: u32) -> Result<(), SessionError> {
        self.require(Permission::Settings)?;
        if !(1..=90).contains(&days) {
            return Err(SessionError::InvalidSetting(
                "バックアップの催促は 1〜90 日の間で決めてください".into(),
            ));
        }
        self.set_setting_audited(
            REMINDER_SETTING,
            &days.to_string(),
            &format!("バックアップの催促 {days} 日"),
        )
    }

    /// The home screen's reminder, for those who may write backups: when the last backup is
    /// older than the setting, or there has been none.
    pub fn backup_reminder(&self) -> Option<String> {
        if !self.may(Permission::Backup) {
            return None;
        }
        let last = self.last_backup();
        let days =
            crate::backup::days_since(last.as_ref().map(|l| l.at.as_str()), chrono::Local::now());
        let limit = self.backup_reminder_days() as i64;
        match (last, days) {
            (None, _) => Some(
                "まだバックアップがありません。「バックアップ」から、保管場所とは別の媒体に作ってください"
                    .into(),
            ),
            (Some(l), Some(d)) if d >= limit => Some(format!(
                "最後のバックアップ（{}）から {d} 日たっています。「バックアップ」から新しく作ってください",
                audit::time_ja(&l.at)
            )),
            _ => None,
        }
    }

    /// The checks that finish a restore (see [`crate::backup::restore`]): the right to
    /// restore, the manifest's MAC under this store's key, SQLCipher's page check and SQLite's
    /// integrity check, the whole audit chain and its head where the manifest says, the rows
    /// of every table as in the manifest; then the restore is audited in the restored trail.
    pub(crate) fn finish_restore(
        &mut self,
        from: &Path,
        manifest: &Manifest,
    ) -> Result<(), SessionError> {
        let refuse = |m: String| Err(SessionError::Output(m));
        self.require(Permission::Backup)?;
        if !manifest.mac_matches(&self.key) {
            return refuse(
                "バックアップの目録が totsugo の書いたものではありません（書き換えられています）。このバックアップは使えません".into(),
            );
        }
        Store::check_copy(self.store.path(), &self.key).map_err(|p| {
            SessionError::Output(format!("復元した保管データに異常があります（{p}）"))
        })?;
        let entries = self.store.audit_entries(None, None)?;
        let head_at = entries
            .get((manifest.facts.audit_count as usize).wrapping_sub(1))
            .map(|e| e.hash.clone())
            .unwrap_or_else(|| audit::GENESIS.to_string());
        if let Err(b) = audit::verify_chain(entries) {
            return refuse(format!(
                "復元した操作記録のつながりが壊れています（{}）",
                b.message_ja()
            ));
        }
        if head_at != manifest.facts.audit_head {
            return refuse("復元した操作記録が目録と一致しません".into());
        }
        let rows = self.store.table_rows()?;
        for (table, want) in &manifest.facts.rows {
            // The login just made adds to the trail and may note settings.
            if table == "audit" || table == "settings" {
                continue;
            }
            if rows.get(table) != Some(want) {
                return refuse(format!(
                    "復元した保管データの {table} の件数が目録と一致しません"
                ));
            }
        }
        let folder = from
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.audit(
            AuditAction::Restore,
            "store",
            &format!(
                "バックアップ {folder}（{}）から復元しました。ページ認証・整合性・操作記録のつながりを確認済み",
                manifest.summary_ja()
            ),
        )?;
        self.anchor_audit()
    }
}
