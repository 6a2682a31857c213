//! Timing of the security checks on a large store (issue 16): the login with the automatic
//! audit-chain check after a million new audit entries (checked from the anchor on), the
//! login once the anchor has caught up, the full chain verification, and the re-key of the
//! store when a user is disabled. Run on a store made by `benches/security.sh`:
//!
//!     TOTSUGO_USER=… TOTSUGO_PASSWORD=… cargo run --release --example security_timing -- STORE
// The benchmark appends a million audit entries through a raw connection (as fast as possible),
// then reads everything through the session.
#![allow(clippy::disallowed_methods)]
use std::time::Instant;

use totsugo_core::audit::{Entry, GENESIS};
use totsugo_core::session::Session;
use totsugo_core::store::Store;
use totsugo_core::vault::Vault;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("store directory"));
    let entries: i64 = std::env::var("ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let user = std::env::var("TOTSUGO_USER").expect("TOTSUGO_USER");
    let pw = std::env::var("TOTSUGO_PASSWORD").expect("TOTSUGO_PASSWORD");

    let t = Instant::now();
    let s = Session::login(&dir, &user, &pw).unwrap_or_else(|e| panic!("login: {e}"));
    println!(
        "login (small trail)                {:>8.2} s",
        t.elapsed().as_secs_f64()
    );
    let records = s.store().record_count().unwrap();
    drop(s);

    // A million entries more, chained, in one transaction.
    let key = Vault::load(&dir)
        .unwrap()
        .slot(&user)
        .unwrap()
        .unlock(&pw)
        .unwrap()
        .current;
    let mut conn = totsugo_core::inspect::raw_connection(&Store::file_in(&dir), &key).unwrap();
    let (mut id, mut prev): (i64, String) = conn
        .query_row(
            "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or((0, GENESIS.to_string()));
    let tx = conn.transaction().unwrap();
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO audit (id, at, user_id, user_login, action, target, detail, prev_hash, hash) \
                 VALUES (?1, ?2, 1, ?3, 'view_record', ?4, '', ?5, ?6)",
            )
            .unwrap();
        for i in 0..entries {
            id += 1;
            let mut e = Entry {
                id,
                at: "2026-12-01 10:00:00+09:00".into(),
                user_id: Some(1),
                user_login: user.clone(),
                action: "view_record".into(),
                target: format!("record:{}", i % 1000 + 1),
                detail: String::new(),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = e.computed_hash();
            ins.execute(rusqlite::params![
                e.id,
                e.at,
                e.user_login,
                e.target,
                e.prev_hash,
                e.hash
            ])
            .unwrap();
            prev = e.hash;
        }
    }
    tx.commit().unwrap();
    drop(conn);
    println!("audit entries added                {entries:>8}");

    let t = Instant::now();
    let s = Session::login(&dir, &user, &pw).unwrap_or_else(|e| panic!("login: {e}"));
    println!(
        "login, chain checked from anchor   {:>8.2} s  ({} problems)",
        t.elapsed().as_secs_f64(),
        s.integrity_problems().len()
    );
    drop(s);
    let t = Instant::now();
    let mut s = Session::login(&dir, &user, &pw).unwrap_or_else(|e| panic!("login: {e}"));
    println!(
        "login, anchor caught up            {:>8.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let n = s.verify_audit().unwrap().unwrap();
    println!(
        "full chain verification            {:>8.2} s  ({n} entries)",
        t.elapsed().as_secs_f64()
    );

    // Re-key: disable the last user who is not us.
    let victim = s
        .users()
        .unwrap()
        .into_iter()
        .rfind(|u| u.user.login != user && u.user.disabled_at.is_none())
        .expect("a second user to disable (benches/security.sh adds one)");
    let t = Instant::now();
    let r = s.disable_user(victim.user.id).unwrap();
    println!(
        "disable + re-key ({records} records)  {:>8.2} s  (store re-encryption {:.2} s)",
        t.elapsed().as_secs_f64(),
        r.elapsed.as_secs_f64()
    );
    let size = std::fs::metadata(Store::file_in(&dir)).unwrap().len();
    println!(
        "store size                         {:>8.1} MB",
        size as f64 / 1e6
    );
}
