//! What the durable settings cost, and how long a backup and a restore of a large store take
//! (issue 17). On a new store in WORK: the import of FILE, 200 decisions one by one (median),
//! the approval of those 200 in one batch, a backup, and a restore into an empty folder (with
//! all its checks). Run by `benches/durability.sh`, once as shipped (`synchronous = FULL`) and
//! once with `TOTSUGO_BENCH_SYNCHRONOUS=NORMAL` for the comparison:
//!
//!     cargo run --release --example durability_timing -- WORK FILE
// The benchmark reads record ids through the store (the core's `inspect` feature).
#![allow(clippy::disallowed_methods)]
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use totsugo_core::auth::{Role, Roles};
use totsugo_core::review::{Choice, Decision};
use totsugo_core::session::Session;

const PW: &str = "benchmark passphrase 2026";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let work = PathBuf::from(&args[0]);
    let file = PathBuf::from(&args[1]);
    let store = work.join("store");
    let (mut admin, _) = Session::init(&store, "admin", "管理", PW).unwrap();
    admin
        .set_insurer_kind(totsugo_core::insurer::InsurerKind::KenpoKumiai)
        .unwrap();
    let no = AtomicBool::new(false);
    let t = Instant::now();
    let report = admin
        .import_file(&file, &Default::default(), &mut |_| {}, &no)
        .unwrap();
    println!(
        "import of {} rows               {:>8.2} s",
        report.counts.rows,
        t.elapsed().as_secs_f64()
    );
    for (login, role) in [("clerk1", Role::Clerk), ("boss", Role::Supervisor)] {
        admin
            .add_user(login, login, Roles::of(&[role]), false, "temporary pass 1")
            .unwrap();
        Session::login(&store, login, "temporary pass 1")
            .unwrap()
            .change_password("temporary pass 1", PW)
            .unwrap();
    }
    let clerk = Session::login(&store, "clerk1", PW).unwrap();
    let ids: Vec<i64> = clerk
        .store()
        .page_mismatches(&Default::default(), None, 200)
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mut times = Vec::new();
    for &id in &ids {
        let t = Instant::now();
        clerk
            .decide(
                id,
                Choice::new(Decision::SameByDocuments),
                "書類で確認",
                true,
            )
            .unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "one decision (median of {})     {:>8.2} ms",
        times.len(),
        times[times.len() / 2]
    );
    let boss = Session::login(&store, "boss", PW).unwrap();
    let t = Instant::now();
    boss.approve(&ids).unwrap();
    println!(
        "approval of a batch of {}       {:>8.2} ms",
        ids.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    drop((clerk, boss));
    let size = std::fs::metadata(store.join(totsugo_core::store::STORE_FILE))
        .unwrap()
        .len();
    let usb = work.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let t = Instant::now();
    let done = admin.backup(&usb, &mut |_, _| {}, &no).unwrap().unwrap();
    println!(
        "backup of a {:.0} MB store         {:>8.2} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    drop(admin);
    let t = Instant::now();
    let (_s, _) =
        Session::restore_backup(&done.folder, &work.join("restored"), "admin", PW).unwrap();
    println!(
        "restore with its checks            {:>8.2} s",
        t.elapsed().as_secs_f64()
    );
}
