//! Backups and restore (issue 17): one self-contained folder per backup, written to a place an
//! administrator chooses (an encrypted USB drive, a file server), holding
//!
//! - `totsugo.db`: the store, copied through SQLite's online backup API in one read
//!   transaction (the store as it was at one moment, still encrypted under the same key);
//! - `keyslots.json`: the key slots as they were at that moment (the same passwords open it);
//! - `manifest.json`: when, by whom, the rows of every table, the audit trail's count and head,
//!   the size and SHA-256 of both files, authenticated with a MAC under the store key.
//!
//! A backup is written into a hidden `.totsugo-backup-….part` folder and renamed into place
//! only when complete and checked: a crash or a cancel never touches an earlier backup and never
//! leaves a half backup under a backup's name.
//!
//! A restore goes into an empty place only (a new terminal after a disk failure; never over a
//! live store): the checksums first, then a login with a password of the backup, then
//! SQLCipher's page check, SQLite's integrity check, the whole audit chain, the rows against
//! the manifest and the manifest's MAC; only then is the store left in place, and the restore
//! is audited in the restored trail. A restore that fails removes what it copied.

use std::io::Read;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};

use crate::vault::{hex, unhex};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{STORE_FILE, SnapshotFacts, StoreKey};
use crate::vault::VAULT_FILE;

/// The manifest's file name inside a backup folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Backup folders are named `totsugo-backup-YYYYMMDD-HHMMSS`.
pub const BACKUP_PREFIX: &str = "totsugo-backup-";
/// Marks a store folder whose restore has not finished: login refuses it until a restore ends.
pub const RESTORE_MARKER: &str = "restore-unfinished.txt";
/// The manifest format this version writes and reads.
pub const MANIFEST_FORMAT: u32 = 1;
/// The setting that keeps the last backup (time and folder), for the home screen's reminder.
pub const LAST_BACKUP_SETTING: &str = "last_backup";
/// The setting: remind administrators when the last backup is older than this many days.
pub const REMINDER_SETTING: &str = "backup_reminder_days";
/// Default of [`REMINDER_SETTING`]: one day.
pub const DEFAULT_REMINDER_DAYS: u32 = 1;

/// The files of a backup besides the manifest, in the order a restore puts them in place (the
/// key slots last: a folder with slots is a store).
pub const BACKUP_FILES: [&str; 2] = [STORE_FILE, VAULT_FILE];

/// One file of a backup: its name, size and SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSum {
    /// File name inside the backup folder.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// What a backup holds, written beside it (`manifest.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: u32,
    /// totsugo's version that wrote it.
    pub app_version: String,
    /// When (local time, as the audit trail writes it).
    pub made_at: String,
    /// Who (login).
    pub made_by: String,
    /// The store's content at the moment of the copy.
    pub facts: SnapshotFacts,
    /// The files, with their checksums.
    pub files: Vec<FileSum>,
    /// HMAC-SHA256 of everything above under a key derived from the store key (hex).
    pub mac: String,
}

impl Manifest {
    fn mac_of(&self, key: &StoreKey) -> Hmac<Sha256> {
        let mut m = crate::vault::keyed_mac(b"totsugo-backup-manifest", key);
        let unsigned = Manifest {
            mac: String::new(),
            ..self.clone()
        };
        m.update(&serde_json::to_vec(&unsigned).expect("manifest serializes"));
        m
    }

    /// Authenticates the manifest under the store key.
    pub(crate) fn sign(&mut self, key: &StoreKey) {
        self.mac = hex(&self.mac_of(key).finalize().into_bytes());
    }

    /// Whether the manifest is as totsugo wrote it under this store key.
    pub(crate) fn mac_matches(&self, key: &StoreKey) -> bool {
        let Some(stored) = unhex(&self.mac) else {
            return false;
        };
        self.mac_of(key).verify_slice(&stored).is_ok()
    }

    /// 「2026-12-01 11:15 作成（admin）、記録 2,000 件、操作記録 120 件」: one line for lists.
    pub fn summary_ja(&self) -> String {
        let records = self.facts.rows.get("records").copied().unwrap_or(0);
        format!(
            "{} 作成（{}）、記録 {} 件、操作記録 {} 件",
            crate::audit::time_ja(&self.made_at),
            self.made_by,
            crate::summary::format_thousands(records),
            crate::summary::format_thousands(self.facts.audit_count)
        )
    }
}

/// The size and SHA-256 of a file.
pub fn file_sum(path: &Path) -> std::io::Result<FileSum> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok(FileSum {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size,
        sha256: hex(&h.finalize()),
    })
}

/// A backup found in a folder: where, and its manifest as read (not yet authenticated: that
/// needs the store key).
#[derive(Clone, Debug)]
pub struct FoundBackup {
    /// The backup folder.
    pub folder: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
}

/// The manifest of the backup in `folder`, with the files checked against it (sizes and
/// SHA-256): an error names the file that does not match.
pub fn read_checked(folder: &Path) -> Result<Manifest, String> {
    let bad = |m: String| m;
    let path = folder.join(MANIFEST_FILE);
    let bytes = std::fs::read(&path).map_err(|_| {
        bad(format!(
            "{} にバックアップの目録（{MANIFEST_FILE}）がありません。totsugo のバックアップのフォルダを選んでください",
            folder.display()
        ))
    })?;
    if bytes.len() > 1 << 20 {
        return Err(bad(format!("{MANIFEST_FILE} が大きすぎます")));
    }
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| bad(format!("{MANIFEST_FILE} を読めません（{e}）")))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(bad(format!(
            "このバックアップの形式（{}）はこの版の totsugo では読めません",
            manifest.format
        )));
    }
    for name in BACKUP_FILES {
        let Some(want) = manifest.files.iter().find(|f| f.name == name) else {
            return Err(bad(format!("目録に {name} がありません")));
        };
        let got = file_sum(&folder.join(name))
            .map_err(|e| bad(format!("バックアップの {name} を読めません（{e}）")))?;
        if got.size != want.size || got.sha256 != want.sha256 {
            return Err(bad(format!(
                "バックアップの {name} が目録と一致しません（作成後に変わったか、壊れています）。このバックアップは使えません"
            )));
        }
    }
    Ok(manifest)
}

/// The backups directly inside `parent`, newest first (folders named `totsugo-backup-…` with
/// a readable manifest; the files are not checked here).
pub fn list(parent: &Path) -> Vec<FoundBackup> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(parent) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(BACKUP_PREFIX) {
                continue;
            }
            let folder = e.path();
            let Ok(bytes) = std::fs::read(folder.join(MANIFEST_FILE)) else {
                continue;
            };
            if let Ok(manifest) = serde_json::from_slice::<Manifest>(&bytes) {
                out.push(FoundBackup { folder, manifest });
            }
        }
    }
    out.sort_by(|a, b| b.folder.cmp(&a.folder));
    out
}

/// Whether a file path is part of a backup (its folder is named like one): the purge reports
/// such a file it cannot find as not reached (a drive taken away), never as removed.
pub fn is_backup_file(path: &Path) -> bool {
    path.parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n.to_string_lossy().starts_with(BACKUP_PREFIX))
}

/// totsugo's files in a folder (a store, its journal, key slots and their temporary files):
/// a restore refuses a folder that has any (it never writes over a live store).
pub(crate) fn store_files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let trimmed = name.trim_start_matches('.');
            if trimmed.starts_with(STORE_FILE) || name.contains(VAULT_FILE) {
                out.push(e.path());
            }
        }
    }
    out
}

/// Copies `from` to a new private file `to`, fsynced.
pub(crate) fn copy_private(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut src = std::fs::File::open(from)?;
    let mut dst = crate::output_file::create_private(to)?;
    std::io::copy(&mut src, &mut dst)?;
    dst.sync_all()
}

/// Days since the last backup (`None`: there has been none), for the reminder.
pub fn days_since(last_at: Option<&str>, now: chrono::DateTime<chrono::Local>) -> Option<i64> {
    let at = chrono::DateTime::parse_from_str(last_at?, "%Y-%m-%d %H:%M:%S%:z").ok()?;
    Some((now.fixed_offset() - at).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mac_covers_every_field() {
        let key = StoreKey([3u8; 32]);
        let mut m = Manifest {
            format: MANIFEST_FORMAT,
            app_version: "0".into(),
            made_at: "2026-12-01 11:15:55+09:00".into(),
            made_by: "admin".into(),
            facts: SnapshotFacts {
                rows: [("records".to_string(), 10)].into_iter().collect(),
                audit_count: 5,
                audit_head: "ab".into(),
                vault_generation: 2,
            },
            files: vec![],
            mac: String::new(),
        };
        m.sign(&key);
        assert!(m.mac_matches(&key));
        assert!(!m.mac_matches(&StoreKey([4u8; 32])));
        let mut changed = m.clone();
        changed.facts.rows.insert("records".into(), 9);
        assert!(!changed.mac_matches(&key));
        let mut changed = m.clone();
        changed.made_by = "other".into();
        assert!(!changed.mac_matches(&key));
    }

    #[test]
    fn days_since_the_last_backup() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-03T12:00:00+09:00")
            .unwrap()
            .with_timezone(&chrono::Local);
        assert_eq!(days_since(None, now), None);
        assert_eq!(days_since(Some("2026-12-01 11:00:00+09:00"), now), Some(2));
        assert_eq!(days_since(Some("2026-12-03 11:00:00+09:00"), now), Some(0));
    }
}
