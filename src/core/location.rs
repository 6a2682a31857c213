//! Where the store lives when no `--store` is given, the same for the app and the CLI:
//!
//! 1. the folder given (`--store DIR` or the environment variable `TOTSUGO_STORE`);
//! 2. the terminal's shared store, when the machine-wide setting file names one: on Windows
//!    `%ProgramData%\totsugo\store-location.txt` (written by the installer when 「この端末の全員で
//!    共有」 is chosen, for terminals where clerks and supervisors log on to Windows with accounts of
//!    their own), elsewhere `/etc/totsugo/store-location`;
//! 3. the Windows user's (or Linux user's) local data folder: `%LOCALAPPDATA%\totsugo\totsugo\data`,
//!    `~/.local/share/totsugo` (never the roaming profile).

use std::path::{Path, PathBuf};

/// The machine-wide setting file that names a shared store folder (it may not exist).
fn machine_setting_file() -> Option<PathBuf> {
    if cfg!(windows) {
        std::env::var_os("ProgramData")
            .map(|p| PathBuf::from(p).join("totsugo").join("store-location.txt"))
    } else {
        Some(PathBuf::from("/etc/totsugo/store-location"))
    }
}

/// The store folder: the one given, else the shared one the machine-wide setting names, else
/// the user's local data folder. The error is a sentence for the person.
pub fn store_dir(given: Option<PathBuf>) -> Result<PathBuf, String> {
    resolve(given, machine_setting_file().as_deref())
}

/// [`store_dir`] with the setting file passed in (tests use their own).
fn resolve(given: Option<PathBuf>, setting_file: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(d) = given {
        return Ok(d);
    }
    if let Some(f) = setting_file {
        match std::fs::read(f) {
            Ok(bytes) => {
                return shared_folder(&bytes).ok_or_else(|| {
                    format!(
                        "{} に保管場所のフォルダが書かれていません（1行目にフォルダを書いてください）",
                        f.display()
                    )
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{} を読めません: {e}", f.display())),
        }
    }
    directories::ProjectDirs::from("jp", "totsugo", "totsugo")
        .map(|p| p.data_local_dir().to_path_buf())
        .ok_or_else(|| {
            "利用者のデータフォルダが分かりません。--store で保管場所を指定してください".into()
        })
}

/// The folder named in a setting file: its first line that is neither empty nor a `#` comment.
/// UTF-8 (with or without a BOM) or UTF-16LE with a BOM (as Windows tools write).
fn shared_folder(bytes: &[u8]) -> Option<PathBuf> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        String::from_utf8_lossy(b).into_owned()
    };
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_given_folder_wins_then_the_shared_one_then_the_users_own() {
        let dir = tempfile::tempdir().unwrap();
        let setting = dir.path().join("store-location.txt");
        let given = PathBuf::from("/given");
        assert_eq!(resolve(Some(given.clone()), Some(&setting)).unwrap(), given);
        // No setting file: the user's own data folder.
        let own = resolve(None, Some(&setting)).unwrap();
        assert!(own.ends_with("totsugo") || own.ends_with("data"), "{own:?}");
        // The installer's file (ANSI/UTF-8, CRLF) names the shared folder.
        std::fs::write(
            &setting,
            b"# shared store\r\nC:\\ProgramData\\totsugo\\data\r\n",
        )
        .unwrap();
        assert_eq!(
            resolve(None, Some(&setting)).unwrap(),
            PathBuf::from("C:\\ProgramData\\totsugo\\data")
        );
        // UTF-16LE with a BOM, as Notepad may save it.
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "D:\\共有\\totsugo\r\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        std::fs::write(&setting, utf16).unwrap();
        assert_eq!(
            resolve(None, Some(&setting)).unwrap(),
            PathBuf::from("D:\\共有\\totsugo")
        );
        // An empty file is an error that names it, not a silent fallback to another store.
        std::fs::write(&setting, b"\r\n").unwrap();
        let e = resolve(None, Some(&setting)).unwrap_err();
        assert!(e.contains("store-location.txt"), "{e}");
    }
}
