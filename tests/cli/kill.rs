//! Kill tests at every write (issue 17): a real process does one operation through the core,
//! exactly as the app does it, and is killed with SIGKILL at many moments of it; after each
//! kill the store opens, the audit chain verifies from its first entry and from its anchor, no
//! tampering is reported, and the operation is either fully there or fully absent (letters
//! noted as sent only with their whole PDF on disk; a re-key either done with the old key
//! useless, or not begun; a purge either not begun or finished by running it again).
//!
//! The process is this test binary itself, started again on the ignored test [`worker`]. The
//! number of kill points per operation is `KILL_POINTS` (24 by default: 240 kills; `benches/kill.sh` runs
//! more). The figures are printed (run with `--nocapture` to see them).

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use common::*;
use totsugo_core::auth::Role;
use totsugo_core::review::{Choice, Decision, LetterType, ReviewState};
use totsugo_core::session::Session;
use totsugo_core::store::{Store, StoreKey};

const WORKER_ENV: &str = "TOTSUGO_KILL_WORKER";
const NEW_PW: &str = "a new password 4321";
/// Rows of the file the import operation reads.
const IMPORT_ROWS: u64 = 60_000;

/// The process the kill tests start and kill: logs in, says `ready`, does one operation, says
/// `done`. Does nothing unless started by the kill tests (the arguments come in
/// `TOTSUGO_KILL_WORKER` as JSON).
#[test]
#[ignore = "the process the kill tests start and kill, not a test of its own"]
fn worker() {
    use std::io::Write;
    let Ok(spec) = std::env::var(WORKER_ENV) else {
        return;
    };
    let args: Vec<String> = serde_json::from_str(&spec).unwrap();
    let ids = |s: &str| -> Vec<i64> { s.split(',').map(|x| x.parse().unwrap()).collect() };
    let dir = PathBuf::from(&args[0]);
    let (user, pw) = (&args[1], &args[2]);
    let op = args[3].as_str();
    let arg = |i: usize| args[4 + i].clone();
    let mut s = Session::login(&dir, user, pw).unwrap_or_else(|e| panic!("login: {e}"));
    println!("ready");
    std::io::stdout().flush().unwrap();
    let no = AtomicBool::new(false);
    match op {
        "import" => {
            s.import_file(Path::new(&arg(0)), &Default::default(), &mut |_| {}, &no)
                .unwrap();
        }
        "decide" => {
            for id in ids(&arg(0)) {
                s.decide(
                    id,
                    Choice::new(Decision::SameByDocuments),
                    "書類で確認",
                    true,
                )
                .unwrap();
            }
        }
        "approve" => {
            s.approve(&ids(&arg(0))).unwrap();
        }
        "send-back" => s.send_back(ids(&arg(0))[0], "写しが読めません").unwrap(),
        "letters" => {
            let issued = totsugo_core::record::Date::from_ymd(2023, 12, 1).unwrap();
            s.print_letters(&ids(&arg(1)), None, issued, Path::new(&arg(0)), false)
                .unwrap();
        }
        "release" => {
            let id = s.make_release_request(&ids(&arg(1))).unwrap();
            s.write_release_request(id, "架空健康保険組合", Path::new(&arg(0)))
                .unwrap();
        }
        "passwd" => s.change_password(pw, NEW_PW).unwrap(),
        "disable" => {
            let id = s
                .users()
                .unwrap()
                .into_iter()
                .find(|u| u.user.login == arg(0))
                .unwrap()
                .user
                .id;
            s.disable_user(id).unwrap();
        }
        "backup" => {
            s.backup(Path::new(&arg(0)), &mut |_, _| {}, &no)
                .unwrap()
                .unwrap();
        }
        "purge" => {
            let c = totsugo_core::purge::CONFIRMATION;
            assert!(
                totsugo_core::purge::purge(s, [c, c], Path::new(&arg(0)))
                    .unwrap()
                    .complete()
            );
        }
        other => panic!("unknown operation {other}"),
    }
    println!("done");
    std::io::stdout().flush().unwrap();
    std::process::exit(0);
}

/// The operations killed, each with the user who does it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Import,
    Decide,
    Approve,
    SendBack,
    Letters,
    Release,
    Passwd,
    Disable,
    Backup,
    Purge,
}

const ALL: [Op; 10] = [
    Op::Import,
    Op::Decide,
    Op::Approve,
    Op::SendBack,
    Op::Letters,
    Op::Release,
    Op::Passwd,
    Op::Disable,
    Op::Backup,
    Op::Purge,
];

/// Fifteen mismatches as in tests/core/follow_up.rs (r4–r7 birth date ①, the others kana and
/// address ②, r12 out of scope), a letterhead, a clerk and a supervisor.
fn base(case: &Path) -> Vec<i64> {
    let mut rows = Vec::new();
    for n in 0..15u64 {
        rows.push(match n {
            4..=7 => Row::birth_mismatch(n),
            _ => Row::matching(n)
                .set("加入者情報_カナ氏名", "ﾔﾏﾀﾞ ﾀﾛｳ")
                .set("判定結果_カナ氏名", "×")
                .set("加入者情報_住所", "東京都港区赤坂1-11-2")
                .set("判定結果_住所", "×")
                .set("総合判定", "×")
                .set("閲覧停止区分", "2"),
        });
    }
    let path = write_cp932(case, "m.csv", &csv_text(&default_headers(), &rows));
    let store = case.join("store");
    let mut admin = open(&store);
    let report = import(&mut admin, &path).unwrap();
    set_letterhead(&admin);
    add_person(&store, "clerk1", "担当 花子", Role::Clerk, false);
    add_person(&store, "boss", "責任 一郎", Role::Supervisor, false);
    admin.store().record_ids(report.import_id).unwrap()
}

fn as_user(case: &Path, who: &str) -> Session {
    Session::login(&case.join("store"), who, PERSON_PW).unwrap()
}

fn join(ids: &[i64]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Prepares the state before `op` in `case` and returns (login, password, op's arguments).
fn prepare(op: Op, case: &Path) -> (String, String, Vec<String>) {
    let r = base(case);
    let clerk = || as_user(case, "clerk1");
    let same = |s: &Session, ids: &[i64]| {
        for &i in ids {
            s.decide(
                r[i as usize],
                Choice::new(Decision::SameByDocuments),
                "書類",
                true,
            )
            .unwrap();
        }
    };
    let at = |name: &str| case.join(name).display().to_string();
    let (who, args): (&str, Vec<String>) = match op {
        Op::Import => {
            // Big enough for several chunks of the import's writing (about 150 ms each), so
            // that kills fall inside a chunk, between chunks and in the last step; outside the
            // case folder, read by every case.
            let file = case
                .parent()
                .unwrap()
                .join(format!("import-{IMPORT_ROWS}.csv"));
            if !file.exists() {
                totsugo_lab::sample::write_sample(
                    std::io::BufWriter::new(std::fs::File::create(&file).unwrap()),
                    &totsugo_lab::sample::SampleOptions {
                        rows: IMPORT_ROWS,
                        seed: 5,
                        ..Default::default()
                    },
                )
                .unwrap();
            }
            ("admin", vec![file.display().to_string()])
        }
        Op::Decide => (
            "clerk1",
            vec![join(&[r[0], r[1], r[2], r[3], r[9], r[10], r[11], r[13]])],
        ),
        Op::Approve => {
            same(&clerk(), &[0, 1, 2, 3]);
            ("boss", vec![join(&r[0..4])])
        }
        Op::SendBack => {
            same(&clerk(), &[0]);
            ("boss", vec![join(&[r[0]])])
        }
        Op::Letters => {
            let c = clerk();
            c.decide(r[4], Choice::letter(LetterType::A), "", false)
                .unwrap();
            c.decide(r[10], Choice::letter(LetterType::B), "", false)
                .unwrap();
            ("clerk1", vec![at("letters.pdf"), join(&[r[4], r[10]])])
        }
        Op::Release => {
            same(&clerk(), &[0, 1]);
            as_user(case, "boss").approve(&[r[0], r[1]]).unwrap();
            std::fs::create_dir(case.join("release")).unwrap();
            ("boss", vec![at("release"), join(&[r[0], r[1]])])
        }
        Op::Passwd => ("clerk1", vec![]),
        Op::Disable => ("admin", vec!["clerk1".into()]),
        Op::Backup => {
            std::fs::create_dir(case.join("usb")).unwrap();
            ("admin", vec![at("usb")])
        }
        Op::Purge => ("admin", vec![at("deletion-record.pdf")]),
    };
    let pw = if who == "admin" { PASSWORD } else { PERSON_PW };
    (who.to_string(), pw.to_string(), args)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Starts the worker on `case`; returns it once it said `ready`, with its output's reader.
fn start(
    case: &Path,
    who: &(String, String, Vec<String>),
    op: Op,
) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    let name = format!("{op:?}")
        .to_lowercase()
        .replace("sendback", "send-back");
    let mut spec = vec![
        case.join("store").display().to_string(),
        who.0.clone(),
        who.1.clone(),
        name,
    ];
    spec.extend(who.2.iter().cloned());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "kill::worker",
            "--ignored",
            "--nocapture",
            "--quiet",
        ])
        .env(WORKER_ENV, serde_json::to_string(&spec).unwrap())
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the worker ended before it was ready ({op:?})"
        );
        if line.trim() == "ready" {
            break;
        }
    }
    (child, out)
}

/// Whether the worker said `done` before it ended.
fn finished(out: &mut BufReader<std::process::ChildStdout>) -> bool {
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(out, &mut rest);
    rest.lines().any(|l| l.trim() == "done")
}

/// What a kill left: the operation fully there, or fully absent.
#[derive(Debug, PartialEq, Eq)]
enum Left {
    There,
    Absent,
}

fn audit_count(s: &Session, action: &str, target_prefix: &str) -> usize {
    s.store()
        .audit_entries(None, None)
        .unwrap()
        .iter()
        .filter(|e| e.action == action && e.target.starts_with(target_prefix))
        .count()
}

/// A complete PDF (poppler reads its pages).
fn whole_pdf(path: &Path) -> bool {
    Command::new("pdfinfo")
        .arg(path)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Checks the store after a kill during `op`; `key` is the store key before the operation
/// (for the re-key: it must open nothing once the user is disabled).
fn check(op: Op, case: &Path, r: &[i64], key: &StoreKey) -> Result<Left, String> {
    let store = case.join("store");
    if op == Op::Purge && totsugo_core::purge::unfinished(&store).is_some() {
        // A purge killed after its plan: running it again finishes it, nothing is left.
        let c = totsugo_core::purge::CONFIRMATION;
        let rec = totsugo_core::purge::resume(&store, [c, c], &case.join("record2.pdf"))
            .map_err(|e| format!("the purge could not be finished: {e}"))?;
        if !rec.complete() || store.join(totsugo_core::store::STORE_FILE).exists() {
            return Err(format!("purge not finished: {:?}", rec.files_not_removed));
        }
        return Ok(Left::There);
    }
    if op == Op::Purge && !Session::is_initialised(&store) {
        return if store.join(totsugo_core::store::STORE_FILE).exists() {
            Err("key slots gone but the store left without a plan to finish".into())
        } else {
            Ok(Left::There)
        };
    }
    let admin = Session::login(&store, ADMIN, PASSWORD).map_err(|e| format!("login: {e}"))?;
    if !admin.integrity_problems().is_empty() {
        return Err(format!(
            "tampering reported: {:?}",
            admin.integrity_problems()
        ));
    }
    match admin.verify_audit().unwrap() {
        Ok(_) => {}
        Err(b) => return Err(format!("chain: {}", b.message_ja())),
    }
    if let Some(p) = admin.check_audit_chain().unwrap() {
        return Err(format!("anchor: {p}"));
    }
    let review = |id: i64| admin.store().record_review(id).unwrap();
    let both = |there: bool, absent: bool, what: &str| -> Result<Left, String> {
        match (there, absent) {
            (true, false) => Ok(Left::There),
            (false, true) => Ok(Left::Absent),
            _ => Err(format!("half done: {what}")),
        }
    };
    match op {
        Op::Import => {
            let n = admin.store().imports().unwrap().len();
            let records = admin.store().record_count().unwrap();
            let audited = audit_count(&admin, "import", "");
            // The login removed the rows of an import killed on its way in: none is left in
            // the file, seen or not.
            let raw = totsugo_core::inspect::raw_connection(&Store::file_in(&store), key)
                .map_err(|e| e.to_string())?;
            let in_file: i64 = raw
                .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
                .unwrap();
            if in_file as u64 != records {
                return Err(format!("{in_file} records in the file, {records} seen"));
            }
            both(
                n == 2 && records == 15 + IMPORT_ROWS && audited == 2,
                n == 1 && records == 15 && audited == 1,
                &format!("imports {n}, records {records}, audited {audited}"),
            )
        }
        Op::Decide => {
            let ids = [r[0], r[1], r[2], r[3], r[9], r[10], r[11], r[13]];
            let mut seen_absent = false;
            for id in ids {
                let decided = review(id).and_then(|v| v.decision).is_some();
                let audited = audit_count(&admin, "decision", &format!("record:{id}")) > 0;
                if decided != audited {
                    return Err(format!("record {id}: decided {decided}, audited {audited}"));
                }
                if decided && seen_absent {
                    return Err("decisions out of order".into());
                }
                seen_absent |= !decided;
            }
            // Each decision is its own operation: all there or none is not asked.
            Ok(if seen_absent {
                Left::Absent
            } else {
                Left::There
            })
        }
        Op::Approve => {
            let states: Vec<ReviewState> =
                r[0..4].iter().map(|&i| review(i).unwrap().state).collect();
            let audited = audit_count(&admin, "approval", "");
            both(
                states.iter().all(|s| *s == ReviewState::Approved) && audited == 1,
                states.iter().all(|s| *s == ReviewState::Decided) && audited == 0,
                &format!("{states:?}, audited {audited}"),
            )
        }
        Op::SendBack => {
            let state = review(r[0]).unwrap().state;
            let audited = audit_count(&admin, "send_back", &format!("record:{}", r[0]));
            both(
                state == ReviewState::SentBack && audited == 1,
                state == ReviewState::Decided && audited == 0,
                &format!("{state:?}, audited {audited}"),
            )
        }
        Op::Letters => {
            let sent: Vec<bool> = [r[4], r[10]]
                .iter()
                .map(|&i| !admin.store().letters_of(i).unwrap().is_empty())
                .collect();
            let pdf = case.join("letters.pdf");
            if sent.iter().any(|s| *s) && !whole_pdf(&pdf) {
                return Err("letters noted as sent without their whole PDF".into());
            }
            both(
                sent == [true, true],
                sent == [false, false],
                &format!("sent {sent:?}"),
            )
        }
        Op::Release => {
            let requests = admin.store().release_requests().unwrap().len();
            let audited = audit_count(&admin, "export", "release_request:");
            // Every file under its final name is whole (written beside, then renamed).
            for e in std::fs::read_dir(case.join("release")).unwrap() {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                if name.ends_with(".pdf") && !whole_pdf(&p) {
                    return Err(format!("{name} is not a whole PDF"));
                }
                if std::fs::metadata(&p).unwrap().len() == 0 {
                    return Err(format!("{name} is empty"));
                }
            }
            both(
                requests == 1 && audited >= 1,
                requests == 0 && audited == 0,
                &format!("requests {requests}, audited {audited}"),
            )
        }
        Op::Passwd => {
            let old = Session::login(&store, "clerk1", PERSON_PW).is_ok();
            let new = Session::login(&store, "clerk1", NEW_PW).is_ok();
            both(new, old, &format!("old {old}, new {new}"))
        }
        Op::Disable => {
            let disabled = admin
                .users()
                .unwrap()
                .iter()
                .any(|u| u.user.login == "clerk1" && u.user.disabled_at.is_some());
            let logs_in = Session::login(&store, "clerk1", PERSON_PW).is_ok();
            // The key the clerk could have copied before: useless once disabled.
            let old_key_opens =
                totsugo_core::inspect::raw_connection(&Store::file_in(&store), key).is_ok();
            both(
                disabled && !logs_in && !old_key_opens,
                !disabled && logs_in && old_key_opens,
                &format!("disabled {disabled}, logs in {logs_in}, old key opens {old_key_opens}"),
            )
        }
        Op::Backup => {
            let made: Vec<PathBuf> = std::fs::read_dir(case.join("usb"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(totsugo_core::backup::BACKUP_PREFIX)
                })
                .collect();
            match made.as_slice() {
                [] => Ok(Left::Absent),
                [one] => totsugo_core::backup::read_checked(one)
                    .map(|_| Left::There)
                    .map_err(|e| format!("a backup under its name that does not check: {e}")),
                _ => Err(format!("{} backups", made.len())),
            }
        }
        Op::Purge => Ok(Left::Absent),
    }
}

#[test]
fn a_kill_at_any_moment_of_any_write_leaves_it_whole_or_absent() {
    let points: usize = std::env::var("KILL_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let root = tempdir();
    let next = AtomicUsize::new(0);
    let report = Mutex::new(Vec::new());
    let failures = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&op) = ALL.get(i) else { break };
                    let template = root.path().join(format!("{op:?}-template"));
                    std::fs::create_dir_all(&template).unwrap();
                    let who = prepare(op, &template);
                    let r = {
                        let s = Session::login(&template.join("store"), ADMIN, PASSWORD).unwrap();
                        s.store().record_ids(1).unwrap()
                    };
                    let key = store_key(&template.join("store"));
                    // Paths in the arguments point into the template: each case rewrites them.
                    let for_case = |case: &Path| {
                        let t = template.display().to_string();
                        let c = case.display().to_string();
                        (
                            who.0.clone(),
                            who.1.clone(),
                            who.2.iter().map(|a| a.replace(&t, &c)).collect::<Vec<_>>(),
                        )
                    };
                    // Uninterrupted first: the operation's length, and its end state.
                    let case = root.path().join(format!("{op:?}-whole"));
                    copy_dir(&template, &case);
                    let (mut child, mut out) = start(&case, &for_case(&case), op);
                    let t0 = Instant::now();
                    let ok = finished(&mut out);
                    let length = t0.elapsed();
                    assert!(child.wait().unwrap().success() && ok, "{op:?} failed whole");
                    match check(op, &case, &r, &key) {
                        Ok(Left::There) => {}
                        other => failures
                            .lock()
                            .unwrap()
                            .push(format!("{op:?} whole: {other:?}")),
                    }
                    let (mut there, mut absent) = (0, 0);
                    for k in 0..points {
                        let case = root.path().join(format!("{op:?}-{k}"));
                        copy_dir(&template, &case);
                        let (mut child, _out) = start(&case, &for_case(&case), op);
                        // Spread over the operation's length, a little past its end.
                        let at = length.mul_f64((k as f64 + 0.5) / points as f64 * 1.1);
                        std::thread::sleep(at);
                        let _ = child.kill();
                        let _ = child.wait();
                        match check(op, &case, &r, &key) {
                            Ok(Left::There) => there += 1,
                            Ok(Left::Absent) => absent += 1,
                            Err(e) => failures.lock().unwrap().push(format!(
                                "{op:?} killed at {:.1} ms: {e}",
                                at.as_secs_f64() * 1000.0
                            )),
                        }
                        let _ = std::fs::remove_dir_all(&case);
                    }
                    report.lock().unwrap().push(format!(
                        "{op:?}: {points} kills over {:.0} ms: {there} whole, {absent} absent",
                        length.as_secs_f64() * 1000.0
                    ));
                }
            });
        }
    });
    let report = report.into_inner().unwrap();
    eprintln!(
        "kill points tried: {} in {:.0} s\n{}",
        points * ALL.len(),
        started.elapsed().as_secs_f64(),
        report.join("\n")
    );
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(report.len(), ALL.len());
}
