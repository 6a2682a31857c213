//! Several stores opened at the same moment as the first SQLite use of the process (the clerk's
//! app opens its list reader while an import starts; the test runner opens stores in parallel).
//! This file holds one test so that its threads are the first to touch SQLCipher.

use std::sync::{Arc, Barrier};

use totsugo_core::store::StoreKey;

#[test]
fn stores_opened_at_the_same_moment_on_first_use_all_open() {
    let dirs: Vec<tempfile::TempDir> = (0..16).map(|_| tempfile::tempdir().unwrap()).collect();
    let barrier = Arc::new(Barrier::new(dirs.len()));
    let handles: Vec<_> = dirs
        .iter()
        .map(|d| {
            let dir = d.path().to_path_buf();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                totsugo_core::inspect::open_store(&dir, &StoreKey::random())
                    .map(|s| s.record_count().unwrap())
            })
        })
        .collect();
    for h in handles {
        let opened = h.join().expect("thread");
        assert_eq!(
            opened.expect("every store opens, even on the first use of SQLCipher"),
            0
        );
    }
}
