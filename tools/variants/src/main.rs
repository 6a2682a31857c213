//! Writes a TSV of kanji variant pairs (異体字) taken from the MJ縮退マップ (MJ shrink
//! conversion map, CITPC/IPA, CC BY-SA 2.1 JP) as embedded in the `jntajis` crate.
//!
//! A plain code point U (no variation selector, which is all a CP932 file can hold) stands
//! for one MJ glyph: the MJ code whose 実装したUCS (implemented UCS) in the MJ文字情報一覧表 is
//! U. jntajis keeps no trace of that column (it records 対応するUCS and 実装したUCS alike as
//! (U, no IVS) pairs, so every MJ glyph of U looks reachable without an IVS), so the column is
//! read from the `mji` table of the npm package @mandel59/mojidata (`dist/moji.db`), checked
//! against jntajis's own record of the same MJ codes. Only that MJ code's shrink targets are
//! taken; glyphs reachable only with an IVS (e.g. MJ058319 = 綱+U+E0102, which shrinks to 網)
//! contribute nothing.
//!
//! For each of the four schemes separately it reads the single characters that MJ code shrinks
//! to, keeps the pairs backed by at least one of JIS包摂規準・UCS統合規則, 法務省告示582号別表第四
//! or 法務省戸籍法関連通達・通知, leaves out pairs backed only by 読み・字形による類推, and then
//! drops the reviewed pairs listed in `assets/variants/exclude.tsv`.
//!
//! It also writes `assets/variants/review-jis0208-pairs.tsv`: every pair (before the
//! exclusion) whose two characters are both CP932 kanji (JIS X 0208 first, then those with an
//! IBM/NEC extension kanji), with the review decision, and the CP932 pairs still joined
//! through a common target after the exclusion. Finally it checks pairs that must be joined
//! and pairs that must stay apart, and fails if one does not hold.
//!
//! The shrink data is read directly rather than through `mj_shrink_candidates`, because that
//! function (0.2.2) also returns, under every scheme, the other Unicode scalars the MJ
//! character table gives for the same MJ code (not a shrink mapping), and stops reading a
//! scheme's sorted target list at the input itself (dropping e.g. 与→與). A cross-check
//! against it is printed on stderr.
//!
//! Usage (see README.md):
//!   cargo run --release --manifest-path tools/variants/Cargo.toml -- PATH/TO/moji.db \
//!     > assets/variants/mj-shrink.tsv

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use jntajis::codec::common_models::MJCode;
use jntajis::codec::inmemory_models::ConversionData;
use jntajis::codec::inwire_models::ConversionData as WireData;
use jntajis::codec::mj_shrink::{MJShrinkScheme, MJShrinkSchemes, mj_shrink_candidates};
use sha2::{Digest, Sha256};

/// The file jntajis embeds (path found by build.rs).
static DATA: &[u8] = include_bytes!(env!("JNTAJIS_GENERATED_BIN"));
const JNTAJIS_VERSION: &str = env!("JNTAJIS_VERSION");
/// The mojidata release the README tells to use (only recorded in the header; the tool reads
/// whatever moji.db it is given, and checks it against jntajis).
const MOJIDATA_VERSION: &str = "1.8.1";

/// Walked ranges: CJK Ext A, URO, compatibility ideographs, Ext B–G.
const RANGES: [(u32, u32); 4] = [
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
];

/// Scheme index → (scheme, output key; None = not kept).
const SCHEMES: [(MJShrinkScheme, Option<&str>); 4] = [
    (
        MJShrinkScheme::JISIncorporationUCSUnificationRule,
        Some("jis_ucs"),
    ),
    (MJShrinkScheme::InferenceByReadingAndGlyph, None),
    (MJShrinkScheme::MOJNotice582, Some("moj582")),
    (
        MJShrinkScheme::MOJFamilyRegisterActRelatedNotice,
        Some("moj_koseki"),
    ),
];
const INFERENCE: usize = 1;

fn load() -> Box<ConversionData> {
    // Same steps as jntajis's own `unpack_data`.
    let len = u32::from_le_bytes(DATA[0..4].try_into().expect("length prefix")) as usize;
    let raw = lz4_flex::decompress(&DATA[4..], len).expect("lz4");
    let mut aligned = rkyv::util::AlignedVec::<16>::with_capacity(raw.len());
    aligned.extend_from_slice(&raw);
    let wire =
        rkyv::from_bytes::<WireData, rkyv::rancor::Error>(&aligned).expect("rkyv conversion data");
    wire.into()
}

fn is_variation_selector(u: u32) -> bool {
    (0xFE00..=0xFE0F).contains(&u) || (0xE0100..=0xE01EF).contains(&u)
}

fn ch(u: u32) -> char {
    char::from_u32(u).expect("scalar")
}

/// Where a character stands in CP932 (what our CSV files are written in).
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Cp932 {
    /// JIS X 0208 kanji (rows 16–84): Shift_JIS lead byte 0x88–0x9F or 0xE0–0xEA.
    Jis0208,
    /// The IBM extension kanji of CP932 (髙, 﨑, 德 …): lead byte 0xFA–0xFC as encoding_rs
    /// writes them (it never writes the NEC-selected duplicates at 0xED/0xEE).
    Extension,
}

fn cp932_class(c: char) -> Option<Cp932> {
    let s = c.to_string();
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&s);
    if unmappable || bytes.len() != 2 {
        return None;
    }
    match bytes[0] {
        0x88..=0x9F | 0xE0..=0xEA => Some(Cp932::Jis0208),
        0xFA..=0xFC => Some(Cp932::Extension),
        _ => None,
    }
}

/// Would the totsugo engine call a and b the same character? One maps to the other, or
/// both map to a common target (one hop).
fn joined(
    table: &Pairs,
    by_variant: &BTreeMap<u32, BTreeSet<u32>>,
    a: char,
    b: char,
) -> Option<String> {
    let (a, b) = (a as u32, b as u32);
    if table.contains_key(&(a, b)) {
        return Some(format!("{}→{}", ch(a), ch(b)));
    }
    if table.contains_key(&(b, a)) {
        return Some(format!("{}→{}", ch(b), ch(a)));
    }
    let empty = BTreeSet::new();
    let ta = by_variant.get(&a).unwrap_or(&empty);
    let tb = by_variant.get(&b).unwrap_or(&empty);
    ta.intersection(tb)
        .next()
        .map(|t| format!("via {}", ch(*t)))
}

/// Acceptance checks: pairs that must be joined, and pairs that must never be.
const MUST_JOIN: &[(char, char)] = &[
    ('髙', '高'),
    ('﨑', '崎'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('邊', '邉'),
    ('齋', '斎'),
    ('澤', '沢'),
    ('濱', '浜'),
    ('廣', '広'),
    ('櫻', '桜'),
    ('國', '国'),
    ('嶋', '島'),
    ('德', '徳'),
    ('惠', '恵'),
    ('眞', '真'),
    ('冨', '富'),
    ('藏', '蔵'),
];
const MUST_NOT_JOIN: &[(char, char)] = &[
    ('斎', '斉'),
    ('齋', '斉'),
    ('齊', '斎'),
    ('崎', '埼'),
    ('祐', '裕'),
    ('治', '冶'),
    ('大', '太'),
    ('己', '巳'),
    ('己', '已'),
    ('未', '末'),
    ('士', '土'),
    ('網', '綱'),
    ('徳', '得'),
    ('玉', '王'),
    ('着', '著'),
    ('師', '帥'),
    ('書', '昼'),
    ('書', '晝'),
    ('切', '功'),
    ('隹', '佳'),
    ('孩', '咳'),
    ('槁', '橋'),
];

/// (variant, target) → set of scheme indices.
type Pairs = BTreeMap<(u32, u32), BTreeSet<usize>>;

/// One row of the MJ文字情報一覧表 as mojidata stores it.
struct MjRow {
    /// 実装したUCS: the code point whose default glyph this MJ glyph is.
    implemented: Option<u32>,
    /// 対応するUCS, 実装したUCS (no selector) and the IVS/SVS sequences: what jntajis records.
    seqs: BTreeSet<(u32, Option<u32>)>,
}

/// A sequence string (one scalar, or base + selector) from moji.db.
fn parse_seq(s: &str) -> (u32, Option<u32>) {
    let v: Vec<u32> = s.chars().map(|c| c as u32).collect();
    match v.as_slice() {
        [u] => (*u, None),
        [u, vs] if is_variation_selector(*vs) => (*u, Some(*vs)),
        _ => panic!("unexpected sequence in moji.db: {s:?}"),
    }
}

fn read_mji(db: &Path) -> rusqlite::Result<BTreeMap<u32, MjRow>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut rows = BTreeMap::new();
    let mut st = conn.prepare(
        "SELECT MJ文字図形名, 対応するUCS, 実装したUCS, 実装したMoji_JohoコレクションIVS, 実装したSVS \
         FROM mji",
    )?;
    let mut q = st.query([])?;
    while let Some(r) = q.next()? {
        let name: String = r.get(0)?;
        let mj: u32 = name
            .strip_prefix("MJ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("bad MJ文字図形名 {name:?}"));
        let mut seqs = BTreeSet::new();
        let mut implemented = None;
        for (i, col) in (1..=4).enumerate() {
            let v: Option<String> = r.get(col)?;
            let Some(v) = v else { continue };
            let p = parse_seq(&v);
            if i < 2 {
                assert!(p.1.is_none(), "{name}: selector in a UCS column");
            }
            if i == 1 {
                implemented = Some(p.0);
            }
            seqs.insert(p);
        }
        rows.insert(mj, MjRow { implemented, seqs });
    }
    // A few MJ glyphs have a second IVS, kept in a side table.
    let mut st = conn.prepare(
        "SELECT MJ文字図形名, 重複実装したMoji_JohoコレクションIVS FROM mji_duplicated_ivs",
    )?;
    let mut q = st.query([])?;
    while let Some(r) = q.next()? {
        let name: String = r.get(0)?;
        let v: String = r.get(1)?;
        let mj: u32 = name[2..].parse().expect("MJ code");
        if let Some(row) = rows.get_mut(&mj) {
            row.seqs.insert(parse_seq(&v));
        }
    }
    Ok(rows)
}

fn shrink_lists(data: &ConversionData, mj: MJCode) -> [Vec<u32>; 4] {
    let mut out: [Vec<u32>; 4] = Default::default();
    if let Some(sm) = data.lookup_mj_shrink_mapping(mj) {
        let us = sm.us();
        let lists = [
            us.jis_incorporation_ucs_unification_rule(),
            us.inference_by_reading_and_glyph(),
            us.moj_notice_582(),
            us.moj_family_register_act_related_notice(),
        ];
        for (i, l) in lists.iter().enumerate() {
            out[i].extend_from_slice(l);
        }
    }
    out
}

/// The MJ codes jntajis lists for u, each with its smallest selector on u (None if none).
fn jntajis_mjs(data: &ConversionData, u: u32) -> Vec<(MJCode, Option<u32>)> {
    let Some(mms) = data.lookup_mj_mapping(u) else {
        return Vec::new();
    };
    mms.iter()
        .filter(|mm| mm.v().iter().any(|p| p.u == u && p.s.is_none()))
        .map(|mm| {
            let min_vs = mm
                .v()
                .iter()
                .filter(|p| p.u == u)
                .filter_map(|p| p.s.map(u32::from))
                .min();
            (mm.mj(), min_vs)
        })
        .collect()
}

/// Adds the shrink pairs of the given MJ codes for variant u.
fn add_pairs(
    data: &ConversionData,
    u: u32,
    mjs: &[MJCode],
    pairs: &mut Pairs,
    skipped: &mut usize,
) {
    for &mj in mjs {
        for (i, list) in shrink_lists(data, mj).iter().enumerate() {
            for &t in list {
                if t == u {
                    continue; // identity
                }
                if char::from_u32(t).is_none() || is_variation_selector(t) {
                    *skipped += 1;
                    continue;
                }
                pairs.entry((u, t)).or_default().insert(i);
            }
        }
    }
}

fn keep_official(pairs: Pairs) -> (Pairs, Pairs) {
    let (kept, dropped): (Pairs, Pairs) = pairs
        .into_iter()
        .partition(|(_, s)| s.iter().any(|&i| SCHEMES[i].1.is_some()));
    debug_assert!(
        dropped
            .values()
            .all(|s| s.len() == 1 && s.contains(&INFERENCE))
    );
    (kept, dropped)
}

fn bases(s: &BTreeSet<usize>) -> String {
    let v: Vec<&str> = s.iter().filter_map(|&i| SCHEMES[i].1).collect();
    v.join(",")
}

/// exclude.tsv: `variant<TAB>target<TAB>reason`, `#` comments.
fn read_exclude(path: &Path) -> BTreeMap<(u32, u32), String> {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let one = |s: &str| {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => c as u32,
                _ => panic!("{}:{}: not one character: {s:?}", path.display(), n + 1),
            }
        };
        assert!(
            f.len() == 3 && !f[2].trim().is_empty(),
            "{}:{}: want variant<TAB>target<TAB>reason",
            path.display(),
            n + 1
        );
        let prev = out.insert((one(f[0]), one(f[1])), f[2].trim().to_string());
        assert!(prev.is_none(), "{}:{}: duplicate", path.display(), n + 1);
    }
    out
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let db = match args.as_slice() {
        [p] => PathBuf::from(p),
        _ => {
            eprintln!("usage: totsugo-variants PATH/TO/moji.db > assets/variants/mj-shrink.tsv");
            eprintln!(
                "  (moji.db from the npm package @mandel59/mojidata {MOJIDATA_VERSION}; see README.md)"
            );
            std::process::exit(2);
        }
    };
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/variants");
    let exclude_path = assets.join("exclude.tsv");
    let review_path = assets.join("review-jis0208-pairs.tsv");

    let data = load();
    let db_bytes = fs::read(&db)?;
    let db_sha = format!("{:x}", Sha256::digest(&db_bytes));
    drop(db_bytes);
    let mji = read_mji(&db).expect("read mji from moji.db");

    // Check that moji.db's MJ list is the one jntajis was built from: for every MJ code,
    // the same (code point, selector) sequences.
    let mut mismatched = 0usize;
    let jntajis_mj_count;
    {
        let mut seen: BTreeMap<u32, BTreeSet<(u32, Option<u32>)>> = BTreeMap::new();
        for &(lo, hi) in &RANGES {
            for u in lo..=hi {
                if let Some(mms) = data.lookup_mj_mapping(u) {
                    for mm in mms {
                        seen.entry(u32::from(mm.mj())).or_insert_with(|| {
                            mm.v().iter().map(|p| (p.u, p.s.map(u32::from))).collect()
                        });
                    }
                }
            }
        }
        jntajis_mj_count = seen.len();
        for (mj, seqs) in &seen {
            match mji.get(mj) {
                Some(row) if &row.seqs == seqs => {}
                _ => {
                    mismatched += 1;
                    if mismatched <= 5 {
                        eprintln!(
                            "  MJ{mj:06}: jntajis {seqs:?} vs moji.db {:?}",
                            mji.get(mj).map(|r| &r.seqs)
                        );
                    }
                }
            }
        }
    }
    eprintln!(
        "MJ list check: {jntajis_mj_count} MJ codes in jntajis's CJK ranges, {mismatched} differ from moji.db"
    );
    assert_eq!(
        mismatched, 0,
        "moji.db's MJ list differs from jntajis's; wrong version?"
    );

    // 実装したUCS → MJ code (unique per code point).
    let mut default_mj: HashMap<u32, u32> = HashMap::new();
    for (&mj, row) in &mji {
        if let Some(u) = row.implemented {
            let prev = default_mj.insert(u, mj);
            assert!(prev.is_none(), "two MJ codes implemented at U+{u:04X}");
        }
    }

    // Guard against misreading the data: 髙 → 高 under JIS包摂規準・UCS統合規則.
    assert!(
        shrink_lists(&data, MJCode::new(default_mj[&('髙' as u32)]))[0].contains(&('高' as u32)),
        "sanity check 髙→高 failed; data layout not as expected"
    );

    let mut pairs: Pairs = BTreeMap::new();
    let mut pairs_all: Pairs = BTreeMap::new(); // old rule: every MJ glyph of u
    let mut pairs_lowvs: Pairs = BTreeMap::new(); // fallback rule: lowest selector
    let (mut skipped_vs, mut scratch) = (0usize, 0usize);
    let (mut multi, mut lowvs_differs, mut no_default) = (0usize, 0usize, 0usize);
    let mut lowvs_examples = Vec::new();
    for &(lo, hi) in &RANGES {
        for u in lo..=hi {
            if char::from_u32(u).is_none() {
                continue;
            }
            let mjs = jntajis_mjs(&data, u);
            if mjs.is_empty() {
                continue;
            }
            let def = default_mj.get(&u).map(|&m| MJCode::new(m));
            if let Some(d) = def {
                assert!(
                    mjs.iter().any(|(m, _)| *m == d),
                    "U+{u:04X}: default MJ{:06} not among jntajis's MJ codes",
                    u32::from(d)
                );
                add_pairs(&data, u, &[d], &mut pairs, &mut skipped_vs);
            } else {
                no_default += 1;
            }
            // Statistics for the README/report: the previous rule and the fallback rule.
            let all: Vec<MJCode> = mjs.iter().map(|(m, _)| *m).collect();
            add_pairs(&data, u, &all, &mut pairs_all, &mut scratch);
            if mjs.len() > 1 {
                multi += 1;
                let low = mjs
                    .iter()
                    .min_by_key(|(m, vs)| (vs.unwrap_or(u32::MAX), u32::from(*m)))
                    .map(|(m, _)| *m)
                    .expect("non-empty");
                if Some(low) != def {
                    lowvs_differs += 1;
                    if lowvs_examples.len() < 8 {
                        lowvs_examples.push(format!(
                            "{} lowest-VS MJ{:06} vs 実装したUCS MJ{}",
                            ch(u),
                            u32::from(low),
                            def.map_or("—".into(), |d| format!("{:06}", u32::from(d)))
                        ));
                    }
                }
                add_pairs(&data, u, &[low], &mut pairs_lowvs, &mut scratch);
            } else {
                add_pairs(&data, u, &all, &mut pairs_lowvs, &mut scratch);
            }
        }
    }

    let (kept, dropped) = keep_official(pairs);
    let (kept_all, dropped_all) = keep_official(pairs_all);
    let (kept_lowvs, _) = keep_official(pairs_lowvs);

    // Reviewed exclusions.
    let exclude = read_exclude(&exclude_path);
    let stale: Vec<_> = exclude.keys().filter(|k| !kept.contains_key(k)).collect();
    for (u, t) in &stale {
        eprintln!(
            "warning: exclude.tsv line {}→{} matches no pair",
            ch(*u),
            ch(*t)
        );
    }
    let (excluded, table): (Pairs, Pairs) = kept
        .clone()
        .into_iter()
        .partition(|(k, _)| exclude.contains_key(k));

    // The review list: pairs of two CP932 kanji, before the exclusion; first those of two
    // JIS X 0208 kanji, then those with a CP932 extension kanji.
    let class = |u: u32| cp932_class(ch(u));
    let review_of = |want: &dyn Fn(Cp932, Cp932) -> bool| -> Vec<(&(u32, u32), &BTreeSet<usize>)> {
        kept.iter()
            .filter(|((u, t), _)| match (class(*u), class(*t)) {
                (Some(a), Some(b)) => want(a, b),
                _ => false,
            })
            .collect()
    };
    let review_jis = review_of(&|a, b| a == Cp932::Jis0208 && b == Cp932::Jis0208);
    let review_ext = review_of(&|a, b| a == Cp932::Extension || b == Cp932::Extension);
    // CP932 pairs still joined only through a common target (after the exclusion).
    let mut by_target: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let mut by_variant: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for (u, t) in table.keys() {
        by_target.entry(*t).or_default().push(*u);
        by_variant.entry(*u).or_default().insert(*t);
    }
    let mut via: BTreeMap<(u32, u32), BTreeSet<u32>> = BTreeMap::new();
    for (t, vs) in &by_target {
        for (i, &a) in vs.iter().enumerate() {
            for &b in &vs[i + 1..] {
                if class(a).is_some()
                    && class(b).is_some()
                    && !table.contains_key(&(a, b))
                    && !table.contains_key(&(b, a))
                {
                    via.entry((a.min(b), a.max(b))).or_default().insert(*t);
                }
            }
        }
    }
    let n_excl = |v: &[(&(u32, u32), &BTreeSet<usize>)]| {
        v.iter().filter(|(k, _)| exclude.contains_key(*k)).count()
    };
    {
        let mut w = BufWriter::new(fs::File::create(&review_path)?);
        writeln!(
            w,
            "# review-jis0208-pairs.tsv: the pairs of mj-shrink.tsv, before the exclusion, whose two\n\
             # characters are both kanji of CP932 (what our CSV files hold), for a human check.\n\
             # Generated by tools/variants; the decisions come from assets/variants/exclude.tsv.\n\
             # Data: MJ縮退マップ / MJ文字情報一覧表, © 文字情報技術促進協議会 / IPA, CC BY-SA 2.1 JP\n\
             #   (a derivative, under the same licence; see assets/LICENSES.md).\n\
             # Columns: variant, target, bases, decision (keep, or exclude: reason)\n\
             #\n\
             # Part 1: both characters JIS X 0208 kanji. Pairs: {} ({} excluded)",
            review_jis.len(),
            n_excl(&review_jis)
        )?;
        let write_part = |w: &mut BufWriter<fs::File>,
                          v: &[(&(u32, u32), &BTreeSet<usize>)]|
         -> io::Result<()> {
            for ((u, t), s) in v {
                let d = match exclude.get(&(*u, *t)) {
                    Some(r) => format!("exclude: {r}"),
                    None => "keep".into(),
                };
                writeln!(w, "{}\t{}\t{}\t{d}", ch(*u), ch(*t), bases(s))?;
            }
            Ok(())
        };
        write_part(&mut w, &review_jis)?;
        writeln!(
            w,
            "#\n# Part 2: one or both characters a CP932 extension kanji (IBM/NEC: 髙 﨑 德 …), the\n\
             # other JIS X 0208 or extension. Pairs: {} ({} excluded)",
            review_ext.len(),
            n_excl(&review_ext)
        )?;
        write_part(&mut w, &review_ext)?;
        writeln!(
            w,
            "#\n# Part 3: CP932 kanji pairs joined only through a common target, after the exclusion\n\
             # (the engine joins them in one hop): a, b, common targets. Count: {}",
            via.len()
        )?;
        for ((a, b), ts) in &via {
            let ts: String = ts.iter().map(|&t| ch(t)).collect();
            writeln!(w, "#\t{}\t{}\t{ts}", ch(*a), ch(*b))?;
        }
        w.flush()?;
    }

    // Acceptance checks on the written table.
    let mut failed = 0usize;
    for &(a, b) in MUST_JOIN {
        match joined(&table, &by_variant, a, b) {
            Some(how) => eprintln!("check join {a}/{b}: ok ({how})"),
            None => {
                eprintln!("check join {a}/{b}: NOT JOINED");
                failed += 1;
            }
        }
    }
    for &(a, b) in MUST_NOT_JOIN {
        match joined(&table, &by_variant, a, b) {
            None => eprintln!("check apart {a}/{b}: ok"),
            Some(how) => {
                eprintln!("check apart {a}/{b}: JOINED ({how})");
                failed += 1;
            }
        }
    }
    assert_eq!(failed, 0, "acceptance checks failed");

    let mut w = BufWriter::new(io::stdout().lock());
    writeln!(
        w,
        "# mj-shrink.tsv: kanji variant pairs (異体字) from the MJ縮退マップ.\n\
         # Source: MJ縮退マップ (MJ shrink conversion map) Ver.1.2.0 and MJ文字情報一覧表 Ver.006.02,\n\
         #   both by 文字情報技術促進協議会 (CITPC), originally by IPA (https://moji.or.jp/mojikiban/map/ ,\n\
         #   https://moji.or.jp/mojikiban/mjlist/). The shrink map as embedded in the crates.io crate\n\
         #   jntajis {JNTAJIS_VERSION} (https://github.com/opencollector/jntajis-rs); the MJ list column\n\
         #   実装したUCS from the npm package @mandel59/mojidata {MOJIDATA_VERSION} (dist/moji.db, SHA-256\n\
         #   {db_sha}).\n\
         # Licence: CC BY-SA 2.1 JP (クリエイティブ・コモンズ 表示-継承 2.1 日本),\n\
         #   © 文字情報技術促進協議会 / 独立行政法人情報処理推進機構 (IPA). This file is a filtered\n\
         #   derivative and is itself distributed under CC BY-SA 2.1 JP.\n\
         # Generated by tools/variants (see tools/variants/README.md for the rerun steps).\n\
         # Columns (tab-separated): variant, target, bases\n\
         #   variant: a character (Unicode scalar, no IVS) from U+3400-4DBF, U+4E00-9FFF,\n\
         #            U+F900-FAFF or U+20000-3134F\n\
         #   target:  a single character the MJ shrink map reduces the variant to\n\
         #   bases:   comma-separated bases of that mapping, among\n\
         #            jis_ucs    = JIS包摂規準・UCS統合規則\n\
         #            moj582     = 法務省告示582号別表第四\n\
         #            moj_koseki = 法務省戸籍法関連通達・通知\n\
         # Rule: a plain code point stands for one MJ glyph only, the one whose 実装したUCS is that\n\
         #   code point (its default glyph); glyphs reachable only with an IVS are not used.\n\
         # Left out: mappings given only by 読み・字形による類推 (inference by reading and glyph),\n\
         #   identity mappings, anything with a variation selector, and {} pairs listed in\n\
         #   assets/variants/exclude.tsv (reviewed: the two characters differ in ordinary use).\n\
         # One line per (variant, target) pair, sorted by variant then target code point.\n\
         # Not an equivalence relation (do not take its transitive closure).\n\
         # Pairs: {}",
        excluded.len(),
        table.len()
    )?;
    for ((u, t), s) in &table {
        writeln!(w, "{}\t{}\t{}", ch(*u), ch(*t), bases(s))?;
    }
    w.flush()?;

    // Report on stderr.
    eprintln!("moji.db SHA-256: {db_sha}");
    eprintln!(
        "code points with more than one MJ glyph: {multi}; without a default glyph (only IVS): {no_default}"
    );
    eprintln!(
        "  lowest-selector rule picks another glyph than 実装したUCS for {lowvs_differs}, e.g.:"
    );
    for e in &lowvs_examples {
        eprintln!("    {e}");
    }
    eprintln!(
        "pairs kept (official bases): every-glyph rule {} (+{} inference only), lowest-selector rule {}, \
         実装したUCS rule {} (+{} inference only)",
        kept_all.len(),
        dropped_all.len(),
        kept_lowvs.len(),
        kept.len(),
        dropped.len()
    );
    eprintln!(
        "reviewed pairs: {} JIS X 0208 ({} excluded), {} with a CP932 extension kanji ({} excluded)",
        review_jis.len(),
        n_excl(&review_jis),
        review_ext.len(),
        n_excl(&review_ext)
    );
    eprintln!(
        "excluded by exclude.tsv: {} ({} lines, {} stale); written: {}",
        excluded.len(),
        exclude.len(),
        stale.len(),
        table.len()
    );
    eprintln!("CP932 pairs joined only via a common target: {}", via.len());
    eprintln!("skipped targets with a variation selector / non-scalar: {skipped_vs}");

    // Cross-check with the public API (which uses every MJ glyph of the input), per single
    // scheme: every pair it yields should be in the every-glyph table with that basis, apart
    // from same-MJ-code Unicode alternatives, which it returns under every scheme.
    let all: BTreeSet<u32> = kept_all
        .keys()
        .chain(dropped_all.keys())
        .map(|k| k.0)
        .collect();
    let (mut api_only, mut raw_only) = (0usize, 0usize);
    for &u in &all {
        let s = ch(u).to_string();
        let single = |schemes: MJShrinkSchemes| -> BTreeSet<u32> {
            mj_shrink_candidates(&s, schemes)
                .filter_map(|c| {
                    let mut it = c.chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) if c as u32 != u => Some(c as u32),
                        _ => None,
                    }
                })
                .collect()
        };
        let same_mj = single(MJShrinkSchemes::NONE);
        let mjs: Vec<MJCode> = jntajis_mjs(&data, u).into_iter().map(|(m, _)| m).collect();
        let mut lists: [Vec<u32>; 4] = Default::default();
        for &m in &mjs {
            for (i, l) in shrink_lists(&data, m).into_iter().enumerate() {
                lists[i].extend(l);
            }
        }
        for (i, (scheme, _)) in SCHEMES.iter().enumerate() {
            let api = single(MJShrinkSchemes::NONE.with(*scheme));
            let has = |t: u32| {
                kept_all
                    .get(&(u, t))
                    .or_else(|| dropped_all.get(&(u, t)))
                    .is_some_and(|s| s.contains(&i))
            };
            api_only += api
                .iter()
                .filter(|&&t| !has(t) && !same_mj.contains(&t))
                .count();
            raw_only += lists[i]
                .iter()
                .filter(|&&t| t != u && !api.contains(&t))
                .count();
        }
    }
    eprintln!(
        "cross-check with mj_shrink_candidates (per scheme, every glyph): {api_only} pairs only \
         there (expected 0), {raw_only} (pair, scheme) only here (its list cut-off at the input)"
    );
    Ok(())
}
