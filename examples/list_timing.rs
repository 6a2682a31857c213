//! Timing of the review desk on a large store (issue 5): list pages, filters and searches
//! through the core, and the CPU time of drawing the mismatch list with egui (layout and
//! tessellation, no GPU) while scrolling. Run on a store made by `benches/list.sh`:
//!
//!     TOTSUGO_USER=… TOTSUGO_PASSWORD=… cargo run --release --example list_timing -- STORE
// A benchmark reads the list through the store, as the list reader does.
#![allow(clippy::disallowed_methods)]
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use totsugo_app::{Action, App, DeskAction};
use totsugo_core::record::StopCase;
use totsugo_core::session::Session;
use totsugo_core::store::{MismatchFilter, PageCursor};

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("store directory"));
    let user = std::env::var("TOTSUGO_USER").expect("TOTSUGO_USER");
    let pw = std::env::var("TOTSUGO_PASSWORD").expect("TOTSUGO_PASSWORD");
    let session = Session::login(&dir, &user, &pw).unwrap_or_else(|e| panic!("login: {e}"));
    let store = session.store();
    println!("records {}", store.record_count().unwrap());

    // Walk every page of the list.
    let (mut pages, mut worst, mut total, mut rows) = (0, Duration::ZERO, Duration::ZERO, 0);
    let mut cursor = None;
    loop {
        let t = Instant::now();
        let page = store
            .page_mismatches(&MismatchFilter::default(), cursor.as_ref(), 200)
            .unwrap();
        let d = t.elapsed();
        let Some(last) = page.last() else { break };
        cursor = Some(PageCursor::after(last, Default::default()));
        pages += 1;
        rows += page.len();
        total += d;
        worst = worst.max(d);
    }
    println!(
        "list pages of 200: {pages} pages, {rows} rows, mean {}, worst {}",
        ms(total / pages.max(1)),
        ms(worst)
    );
    let time = |label: &str, f: MismatchFilter| {
        let t = Instant::now();
        let n = store.page_mismatches(&f, None, 200).unwrap().len();
        println!("{label}: {} ({n} rows)", ms(t.elapsed()));
    };
    time(
        "filter ① in scope",
        MismatchFilter {
            case: Some(StopCase::Case1),
            lost: Some(false),
            ..Default::default()
        },
    );
    let some = store
        .page_mismatches(&MismatchFilter::default(), None, 500)
        .unwrap();
    let target = &some[some.len() / 2];
    time(
        "search card number (whole)",
        MismatchFilter {
            search: Some(target.card_number.clone()),
            ..Default::default()
        },
    );
    time(
        "search card number (first 5 digits)",
        MismatchFilter {
            search: Some(target.card_number[..5].to_string()),
            ..Default::default()
        },
    );
    let surname = target.kana_name.split_whitespace().next().unwrap_or("ヤマ");
    time(
        "search kana surname",
        MismatchFilter {
            search: Some(surname.to_string()),
            ..Default::default()
        },
    );
    time(
        "search kana, 1 letter",
        MismatchFilter {
            search: Some("サ".into()),
            ..Default::default()
        },
    );

    // The list drawn by the app, scrolled page after page.
    let mut h = Harness::builder()
        .with_size([1280.0, 900.0])
        .build_eframe(move |cc| App::new(cc, dir.clone()));
    h.state_mut().session = Some(session);
    // The first page comes from the list reader's thread: frames go on meanwhile.
    let t = Instant::now();
    h.state_mut().apply(Action::Desk(DeskAction::OpenList));
    let mut waiting = 0;
    while h.state().busy() {
        h.step();
        waiting += 1;
    }
    println!(
        "first page on screen: {} ({waiting} frames drawn while waiting)",
        ms(t.elapsed())
    );
    let mut frames = Vec::new();
    h.event(egui::Event::PointerMoved(egui::pos2(640.0, 600.0)));
    h.step();
    for _ in 0..200 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -600.0),
            modifiers: egui::Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
        });
        let t = Instant::now();
        h.step();
        frames.push(t.elapsed());
    }
    while h.state().busy() {
        h.step();
    }
    frames.sort();
    println!(
        "list frame (CPU, scrolling, {} rows loaded): median {}, p95 {}, max {}",
        h.state().desk.rows.len(),
        ms(frames[frames.len() / 2]),
        ms(frames[frames.len() * 95 / 100]),
        ms(*frames.last().unwrap())
    );

    // Typing a search: each key starts a new generation; time until the rows are on screen.
    let mut typed = Vec::new();
    for q in ["サ", "サト", "サトウ", "12", "1234"] {
        let t = Instant::now();
        h.state_mut().desk.filter.search = Some(q.to_string());
        h.state_mut().apply(Action::Desk(DeskAction::ReloadList));
        let mut worst = Duration::ZERO;
        while h.state().busy() {
            let f = Instant::now();
            h.step();
            worst = worst.max(f.elapsed());
        }
        h.step();
        typed.push(format!(
            "{q}: {} rows in {} (longest frame {})",
            h.state().desk.rows.len(),
            ms(t.elapsed()),
            ms(worst)
        ));
    }
    println!("search as typed: {}", typed.join("; "));
}
