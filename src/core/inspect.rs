//! For the integration tests only (feature `inspect`): what an attacker with the key, or an
//! old version of totsugo, would do to a store file, without the session. The app and the CLI
//! never enable this feature, so outside the core the store is reached through
//! [`crate::session::Session`] alone.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use crate::import::{ImportError, ImportOptions, ImportReport};
use crate::store::{Store, StoreError, StoreKey};

/// Opens (creating if needed) the store in `dir` with a raw key, as the data spine did before
/// key slots.
pub fn open_store(dir: &Path, key: &StoreKey) -> Result<Store, StoreError> {
    Store::open(dir, key)
}

/// A raw read-write SQLCipher connection to a store file, as an insider holding the key would
/// open it.
pub fn raw_connection(path: &Path, key: &StoreKey) -> Result<rusqlite::Connection, StoreError> {
    Store::open_connection(path, key)
}

/// Imports a file into a store opened with [`open_store`], without a session.
pub fn import_without_session(store: &mut Store, path: &Path) -> Result<ImportReport, ImportError> {
    crate::import::import_file(
        store,
        path,
        &ImportOptions::default(),
        &mut |_| {},
        &AtomicBool::new(false),
        None,
    )
}
