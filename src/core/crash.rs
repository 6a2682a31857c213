//! What a crash leaves behind (issue 16 §6): a plain message without personal data, and no
//! core dump. Both programs call [`install`] first thing.
//!
//! A panic's payload may hold anything the failing code had at hand — a name, an address, a
//! number from the file — so the hook never prints it: only a fixed sentence and where in
//! totsugo's code it happened. Core dumps (which would hold the store key, passwords and
//! decrypted pages in clear) are switched off: on unix `RLIMIT_CORE` is set to 0 and, on Linux,
//! the process is marked not dumpable (which also stops a core-dump helper such as
//! systemd-coredump and another process of the same user from reading its memory). On
//! Windows, a Rust panic unwinds or exits without Windows Error Reporting writing a dump unless
//! the machine's administrator configured `LocalDumps`; nothing here changes that setting.

/// The sentence a crash shows.
pub const MESSAGE: &str = "突合結果レビュー（totsugo）で予期しない内部エラーが起きたため、処理を中止しました。保管データは暗号化されたままです。もう一度起動し、続くときは管理者に連絡してください。";

/// What the hook writes for a panic at `location` (file and line of totsugo's code, never the
/// payload).
pub fn message(location: Option<(&str, u32)>) -> String {
    match location {
        Some((file, line)) => format!("{MESSAGE}（発生箇所: {file}:{line}）"),
        None => MESSAGE.to_string(),
    }
}

/// Installs the panic hook (the plain message on standard error, no payload, no backtrace)
/// and switches core dumps off. Returns whether core dumps are off.
pub fn install() -> bool {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| (l.file(), l.line()));
        eprintln!("{}", message(at));
    }));
    disable_core_dumps()
}

/// Switches core dumps off for this process (see the module's notes); whether they are off.
pub fn disable_core_dumps() -> bool {
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit and prctl take plain values; no memory is shared.
        let ok = unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) } == 0;
        #[cfg(target_os = "linux")]
        // SAFETY: as above.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
        ok && core_dumps_disabled()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Whether this process may not write a core dump (unix: `RLIMIT_CORE` is 0).
pub fn core_dumps_disabled() -> bool {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit writes into the struct we own.
        unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut lim) == 0 && lim.rlim_cur == 0 }
    }
    #[cfg(not(unix))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_place_not_the_payload() {
        let m = message(Some(("src/core/letters.rs", 42)));
        assert!(m.starts_with(MESSAGE) && m.contains("src/core/letters.rs:42"));
    }

    #[cfg(unix)]
    #[test]
    fn core_dumps_can_be_switched_off() {
        assert!(disable_core_dumps());
        assert!(core_dumps_disabled());
    }
}
