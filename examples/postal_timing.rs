//! Timing of the postal-code lookup: building the index from the bundled town list (and the
//! heap it takes), then 10,000 lookups of addresses made from real towns with house numbers,
//! buildings, full-width digits and left-out prefectures.
//!
//!     cargo run --release --example postal_timing
//!     cargo run --release --example postal_timing -- 住所 …   (look addresses up)
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use totsugo_core::compare::variants::Variants;
use totsugo_core::postal::{Lookup, PostalIndex};
use totsugo_core::text::to_full_width_digits;

/// Counts the bytes live on the heap.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    // With arguments: look each one up and print the result (for trying addresses out).
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        for a in &args {
            println!("{a} → {:?}", PostalIndex::get().lookup(a));
        }
        return;
    }
    // The variant-kanji table is shared with the comparison rules: load it first.
    let t = Instant::now();
    Variants::get();
    println!("variant table: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);

    let before = LIVE.load(Ordering::Relaxed);
    let t = Instant::now();
    let idx = PostalIndex::get();
    let build = t.elapsed();
    let heap = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "index: {} entries, {} cities, built in {:.1} ms, {:.1} MiB heap",
        idx.len(),
        idx.city_count(),
        build.as_secs_f64() * 1e3,
        heap as f64 / (1 << 20) as f64
    );

    // 10,000 addresses from every 11th town of the list.
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&include_bytes!("../assets/towns/towns.tsv.gz")[..]),
        &mut text,
    )
    .unwrap();
    let addrs: Vec<String> = text
        .lines()
        .step_by(11)
        .take(10_000)
        .enumerate()
        .map(|(i, l)| {
            let f: Vec<&str> = l.split('\t').collect();
            let n = format!("{}丁目{}-{}", i % 5 + 1, i % 30 + 1, i % 9 + 1);
            match i % 4 {
                0 => format!("{}{}{}{n}", f[1], f[2], f[3]),
                1 => format!("{}{}{}", f[2], f[3], to_full_width_digits(&n)),
                2 => format!("{}　{}　{}{n}　コーポ山田２０１号室", f[1], f[2], f[3]),
                _ => format!("{}{}{}{}番地", f[1], f[2], f[3], i % 900 + 1),
            }
        })
        .collect();
    let t = Instant::now();
    let (mut exact, mut cands, mut none) = (0, 0, 0);
    for a in &addrs {
        match idx.lookup(a) {
            Lookup::Exact { .. } => exact += 1,
            Lookup::Candidates(_) => cands += 1,
            Lookup::NotFound => none += 1,
        }
    }
    let d = t.elapsed();
    println!(
        "{} lookups in {:.1} ms ({:.1} µs each): {exact} exact, {cands} candidates, {none} not found",
        addrs.len(),
        d.as_secs_f64() * 1e3,
        d.as_secs_f64() * 1e6 / addrs.len() as f64
    );
}
