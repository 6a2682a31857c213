//! Key slots: the store's random 256-bit key, sealed once per user and wrapped once with the
//! recovery key.
//!
//! Each user has an X25519 key pair: the secret half is wrapped with a key derived from the
//! user's password (argon2id, XChaCha20-Poly1305); the store key is sealed to the public half.
//! So a re-key (after a user is disabled, a password reset or a recovery) can seal a new store
//! key to every remaining user without knowing their passwords, and a disabled user's old slot,
//! kept in a copy of the file, opens only the old key, which no longer opens the store.
//!
//! The slots live in `keyslots.json` next to the store, outside the encrypted file, because
//! they are needed to open it. The file holds no personal data: login names, salts, wrapped
//! keys, failed-attempt counters and the password policy. Each wrapped key is bound (as AEAD
//! associated data) to its user id and login, so a slot copied under another name does not
//! open. The file is authenticated (HMAC-SHA256 under a key derived from the store key) except
//! for what is written before anyone has logged in (failure counters, pending events); it
//! carries a generation counter that the store also keeps, so an older copy put back is
//! refused, and the audit trail's anchor (entry count and head hash). Every change happens
//! under an exclusive lock (`keyslots.lock`), re-reading the file under the lock.
//! Losing every password and the recovery key loses the data: there is no back door.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};
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
/// Name of the lock file beside it (the slot file itself is replaced by a rename, so the lock
/// is taken on a file that stays).
pub const VAULT_LOCK_FILE: &str = "keyslots.lock";
/// The slot file's format: 2 has key pairs, the generation counter and the MAC.
pub const VAULT_VERSION: u32 = 2;
/// The largest slot file read (a real one is a few kilobytes per user).
const MAX_VAULT_BYTES: u64 = 16 << 20;

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

impl KdfParams {
    /// The bounds accepted from the slot file: 8 MiB to 1 GiB of memory, 1 to 16 passes, 1 to 8
    /// lanes. A hostile file with, say, 4 TB of memory is refused instead of aborting the app.
    pub fn check(&self) -> Result<(), VaultError> {
        let ok = (8 * 1024..=1024 * 1024).contains(&self.m_cost)
            && (1..=16).contains(&self.t_cost)
            && (1..=8).contains(&self.p_cost)
            && self.m_cost >= 8 * self.p_cost;
        if ok {
            Ok(())
        } else {
            Err(VaultError::Invalid(format!(
                "鍵導出の設定が範囲外です（メモリ {} KiB、回数 {}、並列 {}）",
                self.m_cost, self.t_cost, self.p_cost
            )))
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

/// A 32-byte key sealed to an X25519 public key (an ephemeral key pair, SHA-256 of the shared
/// secret and both public keys as the wrapping key, XChaCha20-Poly1305 with the slot's context
/// as associated data).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// The ephemeral public key, hex.
    pub ephemeral: String,
    /// Nonce, hex.
    pub nonce: String,
    /// The sealed key with its tag, hex.
    pub ciphertext: String,
}

/// One user's slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// The user's id in the store.
    pub user_id: i64,
    /// Login name.
    pub login: String,
    /// The user's X25519 secret key, wrapped with the user's password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<WrappedKey>,
    /// The user's X25519 public key, hex.
    #[serde(default)]
    pub public: String,
    /// The store key, sealed to the public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_key: Option<Sealed>,
    /// The next store key during a re-key (present only while a re-key is under way, or after
    /// one was interrupted: the next login finishes or undoes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_store_key: Option<Sealed>,
    /// Format 1: the store key wrapped with the password directly (converted at the user's
    /// next login).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<WrappedKey>,
    /// Failed logins in a row (written before login: not authenticated).
    pub failed_attempts: u32,
    /// Locked until this time (Unix seconds), if locked (not authenticated).
    pub locked_until: Option<i64>,
    /// Failed logins ever (never decreases; not authenticated, but checked against the
    /// authenticated count of the last login).
    #[serde(default)]
    pub failures_total: u64,
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

/// The audit trail's head as last seen by a logged-in session: a trail shorter than this, or
/// whose entry at `count` has another hash, was cut or rewritten.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnchor {
    /// Entries in the trail (the id of the last one).
    pub count: u64,
    /// The last entry's hash.
    pub head: String,
}

/// The contents of `keyslots.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vault {
    /// File format version.
    pub version: u32,
    /// Raised at every authenticated write; the store keeps the last value it saw.
    #[serde(default)]
    pub generation: u64,
    /// Account rules.
    pub policy: Policy,
    /// One slot per enabled user.
    pub slots: Vec<Slot>,
    /// The store key wrapped with the recovery key.
    pub recovery: WrappedKey,
    /// The next store key wrapped with the next recovery key, during a re-key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_recovery: Option<WrappedKey>,
    /// The audit trail's head when the file was last written by a logged-in session.
    #[serde(default)]
    pub anchor: Option<AuditAnchor>,
    /// Each user's `failures_total` as seen at the last authenticated write.
    #[serde(default)]
    pub failures_seen: BTreeMap<i64, u64>,
    /// HMAC-SHA256 of the authenticated part, hex (empty in a format-1 file).
    #[serde(default)]
    pub mac: String,
    /// Events waiting for the audit trail (written before login: not authenticated, checked
    /// when moved into the trail).
    #[serde(default)]
    pub pending: Vec<PendingEvent>,
}

/// What a password opens in a slot.
pub struct UnlockedSlot {
    /// The store key.
    pub current: StoreKey,
    /// The next store key, while a re-key is pending.
    pub next: Option<StoreKey>,
    /// The slot is in format 1 (no key pair yet).
    pub legacy: bool,
}

/// The exclusive lock on a store's slot file: held while the file is read, changed and
/// written, released when dropped.
pub struct VaultLock {
    _file: std::fs::File,
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
    /// A value in the file is out of its bounds or malformed (a damaged or hostile file).
    #[error("鍵スロットファイルの内容が正しくありません: {0}")]
    Invalid(String),
}

/// Lower-case hex of bytes (keys, MACs and hashes in the files totsugo writes).
pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Bytes from hex; `None` for an odd length or a character that is not hex.
pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// An HMAC-SHA256 under a key derived from the store key for one use (`label`): what
/// authenticates the slot file and a backup's manifest.
pub(crate) fn keyed_mac(label: &[u8], key: &StoreKey) -> Hmac<Sha256> {
    let mac_key: [u8; 32] = Sha256::new()
        .chain_update(label)
        .chain_update(key.0)
        .finalize()
        .into();
    <Hmac<Sha256> as Mac>::new_from_slice(&mac_key).expect("any key length")
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random generator failed");
    b
}

fn derive(secret: &[u8], salt: &[u8], kdf: KdfParams) -> Result<Zeroizing<[u8; 32]>, VaultError> {
    kdf.check()?;
    if !(16..=64).contains(&salt.len()) {
        return Err(VaultError::Invalid(format!(
            "ソルトの長さが正しくありません（{} バイト）",
            salt.len()
        )));
    }
    let params = Params::new(kdf.m_cost, kdf.t_cost, kdf.p_cost, Some(32))
        .map_err(|e| VaultError::Invalid(format!("鍵導出の設定: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(secret, salt, out.as_mut())
        .map_err(|e| VaultError::Invalid(format!("鍵導出: {e}")))?;
    Ok(out)
}

fn unhex_exact<const N: usize>(s: &str, what: &str) -> Result<[u8; N], VaultError> {
    unhex(s)
        .and_then(|v| <[u8; N]>::try_from(v.as_slice()).ok())
        .ok_or_else(|| VaultError::Invalid(format!("{what}の長さか形式が正しくありません")))
}

/// The wrapping key of a sealed box: SHA-256 over a label, the shared secret and both public
/// keys.
fn seal_key(shared: &[u8; 32], ephemeral: &PublicKey, to: &PublicKey) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(b"totsugo-seal-v1");
    h.update(shared);
    h.update(ephemeral.as_bytes());
    h.update(to.as_bytes());
    Zeroizing::new(h.finalize().into())
}

/// Encrypts a 32-byte key under `kek` with a random nonce, bound to `context`: the nonce and
/// the ciphertext with its tag, hex (the one AEAD of both a wrapped and a sealed key).
fn encrypt_key(kek: &[u8; 32], key: &StoreKey, context: &str) -> (String, String) {
    let nonce: [u8; 24] = random();
    let ct = XChaCha20Poly1305::new(kek.into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &key.0,
                aad: context.as_bytes(),
            },
        )
        .expect("encryption of 32 bytes cannot fail");
    (hex(&nonce), hex(&ct))
}

/// Decrypts what [`encrypt_key`] made (nonce and ciphertext in hex, of exact lengths);
/// [`VaultError::WrongSecret`] when `kek` or `context` does not fit.
fn decrypt_key(
    kek: &[u8; 32],
    nonce: &str,
    ciphertext: &str,
    context: &str,
) -> Result<StoreKey, VaultError> {
    let nonce = unhex_exact::<24>(nonce, "ノンス")?;
    let ct = unhex_exact::<48>(ciphertext, "暗号文")?;
    let plain = Zeroizing::new(
        XChaCha20Poly1305::new(kek.into())
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

impl Sealed {
    /// Seals `key` to the public key `to`, bound to `context`.
    pub fn seal(key: &StoreKey, to: &PublicKey, context: &str) -> Sealed {
        let eph = StaticSecret::from(random::<32>());
        let eph_pub = PublicKey::from(&eph);
        let shared = eph.diffie_hellman(to);
        let k = seal_key(shared.as_bytes(), &eph_pub, to);
        let (nonce, ciphertext) = encrypt_key(&k, key, context);
        Sealed {
            ephemeral: hex(eph_pub.as_bytes()),
            nonce,
            ciphertext,
        }
    }

    /// Opens the box with the secret key it was sealed to.
    pub fn open(&self, secret: &StaticSecret, context: &str) -> Result<StoreKey, VaultError> {
        let eph = PublicKey::from(unhex_exact::<32>(&self.ephemeral, "一時公開鍵")?);
        let shared = secret.diffie_hellman(&eph);
        let k = seal_key(shared.as_bytes(), &eph, &PublicKey::from(secret));
        decrypt_key(&k, &self.nonce, &self.ciphertext, context)
    }
}

impl WrappedKey {
    /// Wraps `key` with `secret`, binding it to `context` (associated data).
    pub fn wrap(key: &StoreKey, secret: &[u8], context: &str, kdf: KdfParams) -> WrappedKey {
        let salt: [u8; 16] = random();
        let kek = derive(secret, &salt, kdf).expect("our own argon2 parameters are in bounds");
        let (nonce, ciphertext) = encrypt_key(&kek, key, context);
        WrappedKey {
            kdf,
            salt: hex(&salt),
            nonce,
            ciphertext,
        }
    }

    /// Unwraps the key with `secret`; [`VaultError::WrongSecret`] if it does not fit (or the
    /// slot was altered or moved to another context).
    pub fn unwrap_key(&self, secret: &[u8], context: &str) -> Result<StoreKey, VaultError> {
        let salt = unhex(&self.salt)
            .ok_or_else(|| VaultError::Invalid("ソルトの形式が正しくありません".into()))?;
        let kek = derive(secret, &salt, self.kdf)?;
        decrypt_key(&kek, &self.nonce, &self.ciphertext, context)
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

impl Drop for RecoveryKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
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

/// The part of a slot that the MAC covers (everything but the pre-login counters).
#[derive(Serialize)]
struct SlotAuth<'a> {
    user_id: i64,
    login: &'a str,
    secret: &'a Option<WrappedKey>,
    public: &'a str,
    store_key: &'a Option<Sealed>,
    next_store_key: &'a Option<Sealed>,
    key: &'a Option<WrappedKey>,
    password_changed_at: i64,
    must_change: bool,
}

/// The part of the file that the MAC covers.
#[derive(Serialize)]
struct VaultAuth<'a> {
    label: &'static str,
    version: u32,
    generation: u64,
    policy: &'a Policy,
    slots: Vec<SlotAuth<'a>>,
    recovery: &'a WrappedKey,
    next_recovery: &'a Option<WrappedKey>,
    anchor: &'a Option<AuditAnchor>,
    failures_seen: &'a BTreeMap<i64, u64>,
}

impl Slot {
    /// Opens the slot with the user's password: the store key, and the next one while a re-key
    /// is pending.
    pub fn unlock(&self, password: &str) -> Result<UnlockedSlot, VaultError> {
        let context = slot_context(self.user_id, &self.login);
        if let Some(secret) = &self.secret {
            let raw = secret.unwrap_key(password.as_bytes(), &context)?;
            let sk = StaticSecret::from(raw.0);
            if hex(PublicKey::from(&sk).as_bytes()) != self.public {
                return Err(VaultError::Invalid("公開鍵が秘密鍵と合いません".into()));
            }
            let current = self
                .store_key
                .as_ref()
                .ok_or_else(|| VaultError::Invalid("保管鍵がありません".into()))?
                .open(&sk, &context)?;
            let next = self
                .next_store_key
                .as_ref()
                .map(|n| n.open(&sk, &context))
                .transpose()?;
            return Ok(UnlockedSlot {
                current,
                next,
                legacy: false,
            });
        }
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| VaultError::Invalid("鍵がありません".into()))?;
        Ok(UnlockedSlot {
            current: key.unwrap_key(password.as_bytes(), &context)?,
            next: None,
            legacy: true,
        })
    }

    /// Whether the slot has a key pair (format 2): a re-key can seal a new store key to it.
    pub fn has_key_pair(&self) -> bool {
        self.secret.is_some() && !self.public.is_empty()
    }

    fn public_key(&self) -> Option<PublicKey> {
        unhex_exact::<32>(&self.public, "公開鍵")
            .ok()
            .map(PublicKey::from)
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
            version: VAULT_VERSION,
            generation: 0,
            policy,
            slots: Vec::new(),
            recovery: WrappedKey::wrap(
                key,
                recovery.secret(),
                RECOVERY_CONTEXT,
                KdfParams::default(),
            ),
            next_recovery: None,
            anchor: None,
            failures_seen: BTreeMap::new(),
            mac: String::new(),
            pending: Vec::new(),
        }
    }

    /// Takes the exclusive lock on the slot file of a store directory, waiting for another
    /// process that holds it. Read the file after taking it.
    pub fn lock(dir: &Path) -> Result<VaultLock, VaultError> {
        let path = dir.join(VAULT_LOCK_FILE);
        let err = |e: std::io::Error| VaultError::File {
            path: path.clone(),
            message: e.to_string(),
        };
        // Never makes the folder: a mistyped store path must not leave folders behind (the
        // first run makes it before it locks).
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts.open(&path).map_err(err)?;
        file.lock().map_err(err)?;
        Ok(VaultLock { _file: file })
    }

    /// Reads the slot file of a store directory.
    pub fn load(dir: &Path) -> Result<Vault, VaultError> {
        let path = Vault::path_in(dir);
        let file_err = |e: std::io::Error, path: &Path| VaultError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(VaultError::NotInitialised);
            }
            Err(e) => return Err(file_err(e, &path)),
            Ok(m) if m.len() > MAX_VAULT_BYTES => {
                return Err(VaultError::Invalid(format!(
                    "ファイルが大きすぎます（{} バイト）",
                    m.len()
                )));
            }
            Ok(_) => {}
        }
        let text = std::fs::read_to_string(&path).map_err(|e| file_err(e, &path))?;
        let vault: Vault = serde_json::from_str(&text).map_err(|e| VaultError::File {
            path: path.clone(),
            message: format!("形式が正しくありません: {e}"),
        })?;
        if vault.version > VAULT_VERSION {
            return Err(VaultError::Invalid(format!(
                "この版の totsugo より新しい形式です（形式 {}）",
                vault.version
            )));
        }
        Ok(vault)
    }

    /// Writes the slot file atomically and owner-only, as every output is written
    /// ([`crate::output_file::write_private`]): a temporary file with a unique name, flushed
    /// to the disk, renamed over the old one, and the folder flushed.
    pub fn save(&self, dir: &Path) -> Result<(), VaultError> {
        let path = Vault::path_in(dir);
        let err = |e: std::io::Error| VaultError::File {
            path: path.clone(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(err)?;
        let text = serde_json::to_string_pretty(self).expect("vault serializes");
        crate::output_file::write_private(&path, text.as_bytes()).map_err(err)
    }

    fn mac_of(&self, key: &StoreKey) -> Hmac<Sha256> {
        let auth = VaultAuth {
            label: "totsugo-keyslots-v2",
            version: self.version,
            generation: self.generation,
            policy: &self.policy,
            slots: self
                .slots
                .iter()
                .map(|s| SlotAuth {
                    user_id: s.user_id,
                    login: &s.login,
                    secret: &s.secret,
                    public: &s.public,
                    store_key: &s.store_key,
                    next_store_key: &s.next_store_key,
                    key: &s.key,
                    password_changed_at: s.password_changed_at,
                    must_change: s.must_change,
                })
                .collect(),
            recovery: &self.recovery,
            next_recovery: &self.next_recovery,
            anchor: &self.anchor,
            failures_seen: &self.failures_seen,
        };
        let mut m = keyed_mac(b"totsugo-keyslots-mac", key);
        m.update(&serde_json::to_vec(&auth).expect("serializes"));
        m
    }

    /// Whether the authenticated part is as a logged-in session wrote it under `key`. A file
    /// in format 1 has no MAC yet (`None`).
    pub fn mac_matches(&self, key: &StoreKey) -> Option<bool> {
        if self.mac.is_empty() && self.version < VAULT_VERSION {
            return None;
        }
        let Some(stored) = unhex(&self.mac) else {
            return Some(false);
        };
        // Constant-time comparison, by the MAC's own verifier.
        Some(self.mac_of(key).verify_slice(&stored).is_ok())
    }

    /// Raises the generation, records every slot's failure count as seen and authenticates the
    /// file under `key` (the store key it opens). Call before [`Vault::save`] whenever a
    /// logged-in session writes the file.
    pub fn seal(&mut self, key: &StoreKey) {
        self.version = VAULT_VERSION;
        self.generation += 1;
        self.failures_seen = self
            .slots
            .iter()
            .map(|s| (s.user_id, s.failures_total))
            .collect();
        self.mac = hex(&self.mac_of(key).finalize().into_bytes());
    }

    /// The slot of a login name.
    pub fn slot(&self, login: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.login == login)
    }

    /// The slot of a login name, mutable.
    pub fn slot_mut(&mut self, login: &str) -> Option<&mut Slot> {
        self.slots.iter_mut().find(|s| s.login == login)
    }

    /// Adds or replaces the slot of a user: a new key pair, its secret half wrapped with
    /// `password` (argon2id with the default costs), `key` sealed to its public half.
    pub fn set_slot(
        &mut self,
        key: &StoreKey,
        user_id: i64,
        login: &str,
        password: &str,
        must_change: bool,
        now: i64,
    ) {
        let context = slot_context(user_id, login);
        let sk = StaticSecret::from(random::<32>());
        let pk = PublicKey::from(&sk);
        let raw = StoreKey(sk.to_bytes());
        let failures_total = self.slot(login).map(|s| s.failures_total).unwrap_or(0);
        let slot = Slot {
            user_id,
            login: login.to_string(),
            secret: Some(WrappedKey::wrap(
                &raw,
                password.as_bytes(),
                &context,
                KdfParams::default(),
            )),
            public: hex(pk.as_bytes()),
            store_key: Some(Sealed::seal(key, &pk, &context)),
            next_store_key: None,
            key: None,
            failed_attempts: 0,
            locked_until: None,
            failures_total,
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
        s.failures_total += 1;
        if s.failed_attempts >= max {
            s.failed_attempts = 0;
            s.locked_until = Some(now + lock_secs);
            return s.locked_until;
        }
        None
    }

    /// Slots whose failure count went down since the last authenticated write: someone reset
    /// the lockout counters by editing the file.
    pub fn rolled_back_counters(&self) -> Vec<String> {
        self.slots
            .iter()
            .filter(|s| {
                self.failures_seen
                    .get(&s.user_id)
                    .is_some_and(|seen| s.failures_total < *seen)
            })
            .map(|s| s.login.clone())
            .collect()
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

    /// First half of a re-key: seals `next` to every slot with a key pair and wraps it with
    /// the new recovery key. Slots in format 1 cannot be re-sealed without their password and
    /// are removed: their logins are returned (they need a new temporary password).
    pub fn prepare_rekey(&mut self, next: &StoreKey, recovery: &RecoveryKey) -> Vec<String> {
        let mut dropped = Vec::new();
        self.slots.retain(|s| {
            let keep = s.has_key_pair() && s.public_key().is_some();
            if !keep {
                dropped.push(s.login.clone());
            }
            keep
        });
        for s in &mut self.slots {
            let pk = s.public_key().expect("checked above");
            s.next_store_key = Some(Sealed::seal(next, &pk, &slot_context(s.user_id, &s.login)));
        }
        self.next_recovery = Some(WrappedKey::wrap(
            next,
            recovery.secret(),
            RECOVERY_CONTEXT,
            KdfParams::default(),
        ));
        dropped
    }

    /// Whether a re-key was prepared and not finished or undone.
    pub fn rekey_pending(&self) -> bool {
        self.next_recovery.is_some() || self.slots.iter().any(|s| s.next_store_key.is_some())
    }

    /// Second half of a re-key, once the store is re-keyed: the next keys become the keys.
    pub fn finish_rekey(&mut self) {
        for s in &mut self.slots {
            if let Some(n) = s.next_store_key.take() {
                s.store_key = Some(n);
            }
        }
        if let Some(r) = self.next_recovery.take() {
            self.recovery = r;
        }
    }

    /// Undoes a prepared re-key whose store change never happened.
    pub fn undo_rekey(&mut self) {
        for s in &mut self.slots {
            s.next_store_key = None;
        }
        self.next_recovery = None;
    }

    /// The events waiting for the audit trail that a failed login can have written: only
    /// `login_failed` and `lockout`, with a valid login (or the placeholder for an invalid
    /// one) and a time not in the future; the rest are returned apart, to be reported as
    /// tampering.
    pub fn take_pending(
        &mut self,
        now: i64,
        valid_login: impl Fn(&str) -> bool,
    ) -> (Vec<PendingEvent>, usize) {
        let all = std::mem::take(&mut self.pending);
        let total = all.len();
        let ok: Vec<PendingEvent> = all
            .into_iter()
            .filter(|e| {
                matches!(e.kind.as_str(), "login_failed" | "lockout")
                    && (valid_login(&e.login) || e.login == INVALID_LOGIN_PLACEHOLDER)
                    && e.at > 1_600_000_000
                    && e.at <= now + 300
            })
            .take(1000)
            .collect();
        let rejected = total - ok.len();
        (ok, rejected)
    }
}

/// What a pending event names when the login typed was not a valid login (it may have been a
/// password typed into the wrong field).
pub const INVALID_LOGIN_PLACEHOLDER: &str = "（利用者名として不正な入力）";

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> KdfParams {
        KdfParams {
            m_cost: 8 * 1024,
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
