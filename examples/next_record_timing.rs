//! How long the next record takes to appear, and how many keys a notation-only decision
//! costs (issue 13), on a large store made by `benches/next_record.sh`: the app is driven
//! with egui_kittest (layout and tessellation on the CPU, no GPU) through the same actions
//! and core calls as a clerk's keys.
//!
//!     TOTSUGO_USER=… TOTSUGO_PASSWORD=… cargo run --release --example next_record_timing -- STORE
// A benchmark picks its records through the store.
#![allow(clippy::disallowed_methods)]
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use totsugo_app::{Action, App, DeskAction};
use totsugo_core::compare::{FieldVerdict, Suggestion};
use totsugo_core::record::Item;
use totsugo_core::session::Session;
use totsugo_core::store::MismatchFilter;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn summary(mut v: Vec<Duration>) -> String {
    v.sort();
    format!(
        "median {}, p95 {}, max {} ({} times)",
        ms(v[v.len() / 2]),
        ms(v[v.len() * 95 / 100]),
        ms(*v.last().unwrap()),
        v.len()
    )
}

/// Steps the app until its background work is done; then one more frame.
fn settle(h: &mut Harness<'_, App>) {
    while h.state().busy() {
        h.step();
    }
    h.step();
}

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("store directory"));
    let user = std::env::var("TOTSUGO_USER").expect("TOTSUGO_USER");
    let pw = std::env::var("TOTSUGO_PASSWORD").expect("TOTSUGO_PASSWORD");
    let session = Session::login(&dir, &user, &pw).unwrap_or_else(|e| panic!("login: {e}"));
    println!("records {}", session.store().record_count().unwrap());

    // The core call alone: every record a clerk opens is read with Session::open_record.
    let ids: Vec<i64> = session
        .page_mismatches(
            &MismatchFilter {
                lost: Some(false),
                ..Default::default()
            },
            None,
            200,
        )
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    let core: Vec<Duration> = ids
        .iter()
        .take(100)
        .map(|id| {
            let t = Instant::now();
            session.open_record(*id).unwrap().unwrap();
            t.elapsed()
        })
        .collect();
    println!("Session::open_record: {}", summary(core));
    // The core call behind 次の未判断を開く (sent back first, then undecided; own share, then
    // the unassigned rows).
    let next_undecided: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            session
                .next_undecided()
                .unwrap()
                .expect("an undecided record");
            t.elapsed()
        })
        .collect();
    println!("Session::next_undecided: {}", summary(next_undecided));

    let mut h = Harness::builder()
        .with_size([1366.0, 768.0])
        .build_eframe(move |cc| App::new(cc, dir.clone()));
    h.state_mut().session = Some(session);
    h.state_mut().apply(Action::Desk(DeskAction::OpenList));
    settle(&mut h);

    // 次の未判断を開く from the list.
    let t = Instant::now();
    h.state_mut()
        .apply(Action::Desk(DeskAction::OpenNextUndecided));
    h.step();
    println!("次の未判断を開く, record on screen: {}", ms(t.elapsed()));

    // N: from the key to the frame that shows the next record (the key's frame applies the
    // action; the next frame draws the record).
    let mut next = Vec::new();
    for _ in 0..100 {
        let before = h.state().desk.open.as_ref().map(|o| o.id);
        let t = Instant::now();
        h.key_press(egui::Key::N);
        h.step();
        let after = h.state().desk.open.as_ref().map(|o| o.id);
        next.push(t.elapsed());
        assert_ne!(before, after, "N opened the next record");
    }
    println!("N, next record on screen: {}", summary(next));

    // With 「判断したら次の記録を開く」: a notation-only record costs one key.
    h.state_mut()
        .apply(Action::Desk(DeskAction::SetAutoAdvance(true)));
    let notation_only: Vec<i64> = {
        let s = h.state().session.as_ref().unwrap();
        s.page_mismatches(
            &MismatchFilter {
                lost: Some(false),
                suggestion: Some(Suggestion::NotationOnly),
                ..Default::default()
            },
            None,
            200,
        )
        .unwrap()
        .iter()
        .filter(|r| {
            r.analysis.is_some_and(|a| {
                Item::ALL
                    .iter()
                    .all(|i| a.field(*i) != FieldVerdict::Differs)
            })
        })
        .map(|r| r.id)
        .take(50)
        .collect()
    };
    let (mut keys, mut decided, mut took) = (0, 0, Vec::new());
    for id in &notation_only {
        h.state_mut()
            .apply(Action::Desk(DeskAction::OpenRecord(*id)));
        h.step();
        let t = Instant::now();
        h.key_press(egui::Key::Num1);
        keys += 1;
        h.step();
        took.push(t.elapsed());
        let s = h.state().session.as_ref().unwrap();
        let state = s.record_review(*id).unwrap().unwrap().0.state;
        let moved = h.state().desk.open.as_ref().map(|o| o.id) != Some(*id);
        if state == totsugo_core::review::ReviewState::Decided && moved {
            decided += 1;
        }
    }
    println!(
        "notation-only with auto-advance: {decided} of {} records decided and the next opened with {keys} keys ({:.2} keys a record); key to next record on screen: {}",
        notation_only.len(),
        keys as f64 / decided.max(1) as f64,
        summary(took)
    );
    // Leave the store as it was for another run.
    h.state_mut()
        .apply(Action::Desk(DeskAction::SetAutoAdvance(false)));
    let s = h.state().session.as_ref().unwrap();
    for _ in 0..decided {
        s.undo_last_decision().unwrap();
    }
}
