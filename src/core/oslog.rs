//! The operating system's own log, where totsugo writes what an insider with the store folder
//! must not be able to roll back quietly: the audit trail's anchor (entry count and head hash),
//! failed logins and lockouts, re-keys, and tampering found at login.
//!
//! Linux: syslog (journald), facility `auth`, tag `totsugo`. Windows: the Application event log
//! through `eventcreate` (source `totsugo`). A line never holds a name or a My Number: only
//! counts, hashes, login names, and a short fingerprint of the store's folder.
//! `TOTSUGO_OS_LOG_COPY`, when set to a file path, receives a copy of every line (for a log
//! forwarder, and for the tests, which cannot read the system's log).

use std::path::Path;

use sha2::{Digest, Sha256};

/// A short fingerprint of a store folder (its canonical path hashed), so that the log can tell
/// two stores apart without printing where personal data lies.
pub fn store_tag(dir: &Path) -> String {
    let p = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let h = Sha256::digest(p.to_string_lossy().as_bytes());
    h.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// Writes one line to the system's log (and to the copy file when set). Failures are ignored:
/// the log is a second witness, never a reason to stop the work.
pub fn write(dir: &Path, line: &str) {
    let line = format!(
        "store={} {}",
        store_tag(dir),
        line.replace(['\n', '\r'], " ")
    );
    if let Some(copy) = std::env::var_os("TOTSUGO_OS_LOG_COPY") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(copy)
        {
            let _ = writeln!(f, "{} {}", crate::audit::now_local(), line);
        }
    }
    system(&line);
}

#[cfg(unix)]
fn system(line: &str) {
    use std::ffi::CString;
    use std::sync::Once;
    static OPEN: Once = Once::new();
    static IDENT: &[u8] = b"totsugo\0";
    OPEN.call_once(|| unsafe {
        // SAFETY: IDENT is a static NUL-terminated string that lives for the whole program.
        libc::openlog(IDENT.as_ptr().cast(), libc::LOG_PID, libc::LOG_AUTH);
    });
    if let Ok(msg) = CString::new(line) {
        // SAFETY: a constant format string with one %s and a valid C string for it.
        unsafe {
            libc::syslog(libc::LOG_NOTICE, c"%s".as_ptr(), msg.as_ptr());
        }
    }
}

#[cfg(windows)]
fn system(line: &str) {
    use std::os::windows::process::CommandExt;
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    let text: String = line.chars().take(900).collect();
    let _ = std::process::Command::new("eventcreate")
        .args([
            "/L",
            "APPLICATION",
            "/T",
            "INFORMATION",
            "/SO",
            "totsugo",
            "/ID",
            "100",
            "/D",
        ])
        .arg(text)
        .creation_flags(CREATE_NO_WINDOW)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

#[cfg(not(any(unix, windows)))]
fn system(_line: &str) {}
