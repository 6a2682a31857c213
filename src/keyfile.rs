//! The store key kept in a key file next to the store, readable by its owner only.
//!
//! This is the interim arrangement of the data spine; per-user key slots (the key wrapped with
//! each user's password) replace it.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::store::{StoreError, StoreKey};

/// Name of the key file inside the store directory.
pub const KEY_FILE: &str = "store.key";

fn io_err(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Path of the key file in a store directory.
pub fn key_path(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

/// Reads the key of the store in `dir`, creating a new random one (owner-only permissions)
/// if neither key nor store exists yet. A store without its key file is an error, never a
/// reason to make a new key.
pub fn load_or_create(dir: &Path) -> Result<StoreKey, StoreError> {
    let path = key_path(dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(text.trim()).ok_or_else(|| {
            io_err(
                &path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "鍵ファイルの形式が正しくありません（64桁の16進数）",
                ),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if crate::store::Store::file_in(dir).exists() {
                return Err(io_err(
                    &path,
                    std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "保管ファイルはありますが鍵ファイルがありません",
                    ),
                ));
            }
            std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
            let key = StoreKey::random();
            write_owner_only(&path, &hex(&key)).map_err(|e| io_err(&path, e))?;
            Ok(key)
        }
        Err(e) => Err(io_err(&path, e)),
    }
}

fn hex(k: &StoreKey) -> String {
    k.0.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse(s: &str) -> Option<StoreKey> {
    if s.len() != 64 {
        return None;
    }
    let mut k = [0u8; 32];
    for (i, b) in k.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(StoreKey(k))
}

fn write_owner_only(path: &Path, text: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_and_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path()).unwrap();
        let b = load_or_create(dir.path()).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(key_path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
