//! Key slots: the store's random 256-bit key, wrapped once per user with a key derived from
//! that user's password, and once with the recovery key.
//!
//! The slots live in `keyslots.json` next to the store, outside the encrypted file, because
//! they are needed to open it. The file holds no personal data: login names, salts, wrapped
//! keys, failed-attempt counters and the password policy. Each wrapped key is bound (as AEAD
//! associated data) to its user id and login, so a slot copied under another name does not
//! open. Losing every password and the recovery key loses the data: there is no back door.

use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The store's 256-bit key. Its `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreKey(pub [u8; 32]);

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(********)")
    }
}

impl Drop for StoreKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl StoreKey {
    /// A new random key from the operating system's generator.
    pub fn random() -> StoreKey {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).expect("the operating system's random generator failed");
        StoreKey(k)
    }

    /// The key in hex, for SQLCipher's `PRAGMA key` (never shown or logged).
    pub(crate) fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Name of the key-slot file inside the store directory.
pub const VAULT_FILE: &str = "keyslots.json";

/// Account rules set by the administrator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Minimum password length in characters.
    pub min_password_len: usize,
    /// Failed logins in a row before the account locks.
    pub max_failures: u32,
    /// How long a locked account stays locked.
    pub lockout_minutes: u32,
    /// Days after which a password must be changed (0: never).
    pub password_expiry_days: u32,
    /// Minutes without input before the app hides personal data and asks for the password.
    pub idle_lock_minutes: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_password_len: 12,
            max_failures: 5,
            lockout_minutes: 30,
            password_expiry_days: 90,
            idle_lock_minutes: 5,
        }
    }
}

/// Argon2id cost parameters of one wrapped key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Passes.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// 64 MiB, 3 passes, 1 lane: about a quarter of a second on the target terminals.
    fn default() -> Self {
        KdfParams {
            m_cost: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        }
    }
}

/// The store key wrapped with a secret (a password or the recovery key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    /// Argon2id parameters.
    pub kdf: KdfParams,
    /// Salt, hex.
    pub salt: String,
    /// XChaCha20-Poly1305 nonce, hex.
    pub nonce: String,
    /// The wrapped key with its tag, hex.
    pub ciphertext: String,
}

/// One user's slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// The user's id in the store.
    pub user_id: i64,
    /// Login name.
    pub login: String,
    /// The store key, wrapped with the user's password.
    pub key: WrappedKey,
    /// Failed logins in a row.
    pub failed_attempts: u32,
    /// Locked until this time (Unix seconds), if locked.
    pub locked_until: Option<i64>,
    /// When the password was last set (Unix seconds).
    pub password_changed_at: i64,
    /// The password was set by an administrator (or is the first one): change it at login.
    pub must_change: bool,
}

/// Something that happened before anyone could open the store (a failed login, a lockout):
/// kept here until the next successful login moves it into the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEvent {
    /// When (Unix seconds).
    pub at: i64,
    /// The login name that was tried.
    pub login: String,
    /// `login_failed` or `lockout`.
    pub kind: String,
}

/// The contents of `keyslots.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vault {
    /// File format version.
    pub version: u32,
    /// Account rules.
    pub policy: Policy,
    /// One slot per enabled user.
    pub slots: Vec<Slot>,
    /// The store key wrapped with the recovery key.
    pub recovery: WrappedKey,
    /// Events waiting for the audit trail.
    #[serde(default)]
    pub pending: Vec<PendingEvent>,
}

/// What can go wrong with key slots, in words for the user.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// No slot file: the store has not been set up.
    #[error("まだ初期設定がされていません（最初の管理者を作成してください: totsugo user init）")]
    NotInitialised,
    /// `init` on a store that has slots already.
    #[error("初期設定は済んでいます")]
    AlreadyInitialised,
    /// The file could not be read or written.
    #[error("鍵スロットファイル {path} を扱えません: {message}")]
    File {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The secret does not unwrap the key.
    #[error("利用者名またはパスワードが違います")]
    WrongSecret,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random generator failed");
    b
}

fn derive(secret: &[u8], salt: &[u8], kdf: KdfParams) -> Zeroizing<[u8; 32]> {
    let params =
        Params::new(kdf.m_cost, kdf.t_cost, kdf.p_cost, Some(32)).expect("valid argon2 parameters");
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(secret, salt, out.as_mut())
        .expect("argon2 with valid parameters");
    out
}

impl WrappedKey {
    /// Wraps `key` with `secret`, binding it to `context` (associated data).
    pub fn wrap(key: &StoreKey, secret: &[u8], context: &str, kdf: KdfParams) -> WrappedKey {
        let salt: [u8; 16] = random();
        let nonce: [u8; 24] = random();
        let kek = derive(secret, &salt, kdf);
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let ct = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &key.0,
                    aad: context.as_bytes(),
                },
            )
            .expect("encryption of 32 bytes cannot fail");
        WrappedKey {
            kdf,
            salt: hex(&salt),
            nonce: hex(&nonce),
            ciphertext: hex(&ct),
        }
    }

    /// Unwraps the key with `secret`; [`VaultError::WrongSecret`] if it does not fit (or the
    /// slot was altered or moved to another context).
    pub fn unwrap_key(&self, secret: &[u8], context: &str) -> Result<StoreKey, VaultError> {
        let (Some(salt), Some(nonce), Some(ct)) = (
            unhex(&self.salt),
            unhex(&self.nonce),
            unhex(&self.ciphertext),
        ) else {
            return Err(VaultError::WrongSecret);
        };
        if nonce.len() != 24 {
            return Err(VaultError::WrongSecret);
        }
        let kek = derive(secret, &salt, self.kdf);
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &ct,
                        aad: context.as_bytes(),
                    },
                )
                .map_err(|_| VaultError::WrongSecret)?,
        );
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::WrongSecret)?;
        Ok(StoreKey(key))
    }
}

/// The associated data binding a slot to its user.
pub fn slot_context(user_id: i64, login: &str) -> String {
    format!("totsugo-slot:{user_id}:{login}")
}

/// The associated data of the recovery slot.
pub const RECOVERY_CONTEXT: &str = "totsugo-recovery";

/// A recovery key: 32 random characters from a 32-letter alphabet without look-alikes
/// (160 bits), shown in groups of four for a printed sheet.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryKey(String);

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(********)")
    }
}

const RECOVERY_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

impl RecoveryKey {
    /// A new random recovery key.
    pub fn generate() -> RecoveryKey {
        let bytes: [u8; 32] = random();
        RecoveryKey(
            bytes
                .iter()
                .map(|b| RECOVERY_ALPHABET[(b & 31) as usize] as char)
                .collect(),
        )
    }

    /// Reads a recovery key as typed: case, spaces and hyphens do not matter.
    pub fn parse(s: &str) -> RecoveryKey {
        RecoveryKey(
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        )
    }

    /// The key in groups of four, for the sheet.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// The printable recovery sheet: the key, what it is for, and where it belongs.
    pub fn sheet(
        &self,
        store_dir: &Path,
        created_by: &str,
        created_at: &str,
    ) -> crate::pdf::SimpleDoc {
        use crate::pdf::Block;
        crate::pdf::SimpleDoc {
            title: "復旧キー".into(),
            blocks: vec![
                Block::Title("突合結果レビュー　復旧キー".into()),
                Block::Paragraph(
                    "管理者全員がパスワードを失ったときに、保管データを開く唯一の手段です。この用紙を鍵のかかる場所に保管し、複写しないでください。復旧キーを使うと新しい復旧キーが発行され、この用紙は使えなくなります。".into(),
                ),
                Block::Spacer(6.0),
                Block::Big(self.grouped()),
                Block::Spacer(6.0),
                Block::Table(vec![
                    ("保管場所".into(), store_dir.display().to_string()),
                    ("作成した管理者".into(), created_by.to_string()),
                    ("作成日時".into(), created_at.to_string()),
                    ("使い方".into(), "totsugo recover --login 管理者の利用者名".into()),
                ]),
                Block::Spacer(10.0),
                Block::Table(vec![
                    ("保管責任者（署名）".into(), String::new()),
                    ("保管場所（金庫等）".into(), String::new()),
                ]),
            ],
            footer: Some("この用紙は特定個人情報を開く鍵です。取扱いに注意してください。".into()),
        }
    }

    /// The secret bytes the recovery slot is wrapped with.
    pub fn secret(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Vault {
    /// The path of the slot file in a store directory.
    pub fn path_in(dir: &Path) -> PathBuf {
        dir.join(VAULT_FILE)
    }

    /// Whether the store in `dir` has been set up.
    pub fn exists(dir: &Path) -> bool {
        Vault::path_in(dir).exists()
    }

    /// A new vault for `key` with a recovery slot and no user slots yet.
    pub fn new(key: &StoreKey, recovery: &RecoveryKey, policy: Policy) -> Vault {
        Vault {
            version: 1,
            policy,
            slots: Vec::new(),
            recovery: WrappedKey::wrap(
                key,
                recovery.secret(),
                RECOVERY_CONTEXT,
                KdfParams::default(),
            ),
            pending: Vec::new(),
        }
    }

    /// Reads the slot file of a store directory.
    pub fn load(dir: &Path) -> Result<Vault, VaultError> {
        let path = Vault::path_in(dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(VaultError::NotInitialised);
            }
            Err(e) => {
                return Err(VaultError::File {
                    path,
                    message: e.to_string(),
                });
            }
        };
        serde_json::from_str(&text).map_err(|e| VaultError::File {
            path,
            message: format!("形式が正しくありません: {e}"),
        })
    }

    /// Writes the slot file atomically (a temporary file renamed over the old one).
    pub fn save(&self, dir: &Path) -> Result<(), VaultError> {
        let path = Vault::path_in(dir);
        let err = |e: std::io::Error| VaultError::File {
            path: path.clone(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(err)?;
        let tmp = dir.join(format!("{VAULT_FILE}.tmp"));
        {
            use std::io::Write;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp).map_err(err)?;
            f.write_all(
                serde_json::to_string_pretty(self)
                    .expect("vault serializes")
                    .as_bytes(),
            )
            .map_err(err)?;
            f.sync_all().map_err(err)?;
        }
        std::fs::rename(&tmp, &path).map_err(err)
    }

    /// The slot of a login name.
    pub fn slot(&self, login: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.login == login)
    }

    /// The slot of a login name, mutable.
    pub fn slot_mut(&mut self, login: &str) -> Option<&mut Slot> {
        self.slots.iter_mut().find(|s| s.login == login)
    }

    /// Adds or replaces the slot of a user, wrapping `key` with `password` (argon2id with the
    /// default costs).
    pub fn set_slot(
        &mut self,
        key: &StoreKey,
        user_id: i64,
        login: &str,
        password: &str,
        must_change: bool,
        now: i64,
    ) {
        let slot = Slot {
            user_id,
            login: login.to_string(),
            key: WrappedKey::wrap(
                key,
                password.as_bytes(),
                &slot_context(user_id, login),
                KdfParams::default(),
            ),
            failed_attempts: 0,
            locked_until: None,
            password_changed_at: now,
            must_change,
        };
        self.slots.retain(|s| s.user_id != user_id);
        self.slots.push(slot);
    }

    /// Counts a failed attempt on a login's slot; when it reaches the policy's limit, locks the
    /// slot for the policy's lockout time and returns the time it is locked until.
    pub fn register_failure(&mut self, login: &str, now: i64) -> Option<i64> {
        let max = self.policy.max_failures.max(1);
        let lock_secs = self.policy.lockout_minutes as i64 * 60;
        let s = self.slot_mut(login)?;
        s.failed_attempts += 1;
        if s.failed_attempts >= max {
            s.failed_attempts = 0;
            s.locked_until = Some(now + lock_secs);
            return s.locked_until;
        }
        None
    }

    /// Removes a user's slot (a disabled user can no longer open the store).
    pub fn remove_slot(&mut self, user_id: i64) {
        self.slots.retain(|s| s.user_id != user_id);
    }

    /// Unwraps the store key with the recovery key.
    pub fn unwrap_recovery(&self, recovery: &RecoveryKey) -> Result<StoreKey, VaultError> {
        self.recovery
            .unwrap_key(recovery.secret(), RECOVERY_CONTEXT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> KdfParams {
        KdfParams {
            m_cost: 1024,
            t_cost: 1,
            p_cost: 1,
        }
    }

    #[test]
    fn a_wrapped_key_opens_only_with_its_secret_and_context() {
        let key = StoreKey::random();
        let w = WrappedKey::wrap(&key, b"correct horse", "ctx-1", cheap());
        assert_eq!(w.unwrap_key(b"correct horse", "ctx-1").unwrap(), key);
        assert!(w.unwrap_key(b"correct horsf", "ctx-1").is_err());
        // The same slot moved to another user does not open.
        assert!(w.unwrap_key(b"correct horse", "ctx-2").is_err());
        // The key is not stored in clear.
        let hexkey: String = key.0.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!serde_json::to_string(&w).unwrap().contains(&hexkey));
    }

    #[test]
    fn recovery_keys_are_long_and_typed_forgivingly() {
        let r = RecoveryKey::generate();
        assert_eq!(r.0.len(), 32);
        let typed = r.grouped().to_lowercase().replace('-', " ");
        assert_eq!(RecoveryKey::parse(&typed), r);
        assert_ne!(RecoveryKey::generate(), r);
    }
}
