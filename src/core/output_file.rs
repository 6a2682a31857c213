//! Where and how totsugo writes a file that leaves the store (issue 16 §6): never inside the
//! store's folder, under a name that the data cannot turn into a path, readable by the owner
//! only, and durably (a unique temporary file, fsynced, renamed into place, the folder fsynced).
//!
//! Every output goes through [`crate::session::Session::write_output`], which calls
//! [`check_outside_store`] and [`write_private`]; the deletion record of a purge and the
//! outputs written without a session (the CLI's `profile --write`) call them directly.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Why an output path was refused, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutputPathError {
    /// The path lies inside the store's folder (after `..`, symbolic links and, on Windows,
    /// letter case are resolved).
    #[error(
        "保管場所のフォルダ（{0}）の中には書き出せません（保管ファイルや鍵スロットを壊すおそれがあります）。保管場所の外のフォルダを選んでください"
    )]
    InsideStore(String),
    /// The path names no file (it ends in `..`, `/` or is empty).
    #[error("保存先のファイル名がありません: {0}")]
    NoFileName(String),
    /// The folder to write into does not exist (or cannot be read).
    #[error("保存先のフォルダ {0} がありません")]
    NoFolder(String),
}

/// Whether `path` lies inside `dir` or is `dir` itself, both already canonical; on Windows
/// the comparison ignores letter case (NTFS folders do).
fn is_within(path: &Path, dir: &Path) -> bool {
    if cfg!(windows) {
        let fold = |p: &Path| -> Vec<String> {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().to_lowercase())
                .collect()
        };
        let (p, d) = (fold(path), fold(dir));
        p.len() >= d.len() && p[..d.len()] == d[..]
    } else {
        path.starts_with(dir)
    }
}

/// Makes `path` absolute without touching the file system's links (for a path that does not
/// exist yet): relative paths are taken from the current folder; `.` and `..` are resolved by
/// the caller through canonicalising the parent.
fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// Refuses an output path inside the store folder `store_dir`: the parent folder is
/// canonicalised (so `..` and symbolic links to folders are resolved), the file itself is
/// followed when it is a symbolic link (also a dangling one), and on Windows the comparison
/// ignores letter case. Returns the resolved path (what a purge must remember).
pub fn check_outside_store(store_dir: &Path, out: &Path) -> Result<PathBuf, OutputPathError> {
    let shown = || out.display().to_string();
    let name = match out.components().next_back() {
        Some(Component::Normal(n)) => n.to_os_string(),
        _ => return Err(OutputPathError::NoFileName(shown())),
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let canon_parent = parent
        .canonicalize()
        .map_err(|_| OutputPathError::NoFolder(parent.display().to_string()))?;
    let resolved = canon_parent.join(&name);
    let store = store_dir
        .canonicalize()
        .unwrap_or_else(|_| absolute(store_dir));
    let inside = |p: &Path| is_within(p, &store);
    if inside(&resolved) {
        return Err(OutputPathError::InsideStore(store.display().to_string()));
    }
    // A symbolic link named like the output: where it leads must not be the store either
    // (the rename would replace the link, but a tool that writes through it would not).
    let mut link = resolved.clone();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&link) {
            Ok(m) if m.file_type().is_symlink() => {
                let Ok(target) = std::fs::read_link(&link) else {
                    break;
                };
                let base = link.parent().map(Path::to_path_buf).unwrap_or_default();
                let next = base.join(target);
                let next = match (next.parent(), next.file_name()) {
                    (Some(p), Some(n)) => p
                        .canonicalize()
                        .map(|p| p.join(n))
                        .unwrap_or_else(|_| absolute(&next)),
                    _ => absolute(&next),
                };
                if inside(&next) {
                    return Err(OutputPathError::InsideStore(store.display().to_string()));
                }
                link = next;
            }
            _ => break,
        }
    }
    Ok(resolved)
}

/// Names Windows keeps for devices, in any case and with any extension (`CON`, `nul.txt`).
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A part of a file name made from the file's data (a card symbol or number): every character
/// that could leave the folder or that Windows refuses (`/ \ : * ? " < > |`, control
/// characters, `..`) becomes `_`, trailing dots and spaces go, a reserved device name (`CON`,
/// `NUL`, `COM1` …) gets a `_` in front, and an empty result is `_`. The result never
/// contains a path separator.
pub fn safe_file_name(part: &str) -> String {
    let mut s: String = part
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    while s.contains("..") {
        s = s.replace("..", "_");
    }
    let trimmed = s.trim_end_matches(['.', ' ', '　']).to_string();
    let mut s = trimmed.trim_start_matches(' ').to_string();
    if s.is_empty() {
        s = "_".into();
    }
    let stem = s
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    if RESERVED.contains(&stem.as_str()) {
        s.insert(0, '_');
    }
    s
}

/// A temporary name beside `path` that no other writer uses at the same time.
fn temporary_beside(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut random = [0u8; 8];
    let _ = getrandom::fill(&mut random);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.{}-{}-{:016x}.part",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        u64::from_le_bytes(random)
    ))
}

/// Creates a new file readable and writable by its owner only (unix mode 0600; on Windows the
/// file takes the folder's access list: the user's own folders are theirs).
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Flushes a folder's entries to disk (unix; on Windows the rename is flushed by the file
/// system's own journal and a folder cannot be opened for fsync with the standard library).
pub fn sync_folder(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writes `bytes` to `path` durably and privately: a new temporary file with a unique name
/// beside it (owner-only), fsynced, renamed over `path`, then the folder fsynced. A crash
/// leaves either the old file or the new one, never half of one; on an error the temporary
/// file is removed.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temporary_beside(path);
    let result = (|| {
        let mut f = create_private(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        sync_folder(path.parent().unwrap_or(Path::new(".")))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_data_cannot_leave_the_folder() {
        for (raw, want) in [
            ("..\\..\\x", "____x"),
            ("../../etc/passwd", "____etc_passwd"),
            ("CON", "_CON"),
            ("nul.txt", "_nul.txt"),
            ("com1", "_com1"),
            ("ＡＢ12. ", "ＡＢ12"),
            ("a\u{0}b\nc", "a_b_c"),
            ("", "_"),
            ("...", "_"),
            ("12-34-01", "12-34-01"),
        ] {
            let got = safe_file_name(raw);
            assert_eq!(got, want, "{raw:?}");
            assert!(!got.contains(['/', '\\']) && !got.contains(".."));
        }
    }
}
