//! Timing of the notice letters: 10,000 synthetic letters (half type A, half type B) into one
//! PDF. Prints the time and the size. Run with `benches/letters.sh`, or:
//!
//!     cargo run --release --no-default-features --example letters_timing -- [COUNT] [OUT.pdf]
use std::time::Instant;

use totsugo_core::letter_text::StopKind;
use totsugo_core::letters::{self, LetterInput, LetterSettings, LetterType, MailingAddress};
use totsugo_core::record::{Date, Sex};

const FAMILY: [&str; 8] = [
    "山田", "髙橋", "佐藤", "鈴木", "渡邉", "山﨑", "伊藤", "中村",
];
const GIVEN: [&str; 8] = [
    "太郎", "花子", "一郎", "美咲", "健太", "由美", "翔太", "陽子",
];
const KANA_F: [&str; 8] = [
    "ヤマダ",
    "タカハシ",
    "サトウ",
    "スズキ",
    "ワタナベ",
    "ヤマザキ",
    "イトウ",
    "ナカムラ",
];
const KANA_G: [&str; 8] = [
    "タロウ",
    "ハナコ",
    "イチロウ",
    "ミサキ",
    "ケンタ",
    "ユミ",
    "ショウタ",
    "ヨウコ",
];
const TOWN: [&str; 6] = [
    "東京都港区赤坂一丁目１１番２号",
    "大阪府大阪市北区梅田三丁目９番８号　梅田グランドハイツ１２０３号室",
    "北海道札幌市中央区北一条西二丁目１番地",
    "福岡県福岡市博多区博多駅前四丁目２番１５号",
    "愛知県名古屋市中村区名駅南一丁目２４番３０号　名古屋サンライズマンション５０２",
    "沖縄県那覇市泉崎一丁目２番２号",
];

/// Synthetic letters, deterministic.
fn inputs(count: usize) -> Vec<LetterInput> {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..count)
        .map(|i| {
            let r = next();
            let (f, g) = ((r % 8) as usize, ((r >> 8) % 8) as usize);
            LetterInput {
                letter_type: if i % 2 == 0 {
                    LetterType::A
                } else {
                    LetterType::B
                },
                card_symbol: format!("{}", 100 + r % 50),
                card_number: format!("{:08}", i + 1),
                branch: "00".into(),
                name: format!("{}　{}", FAMILY[f], GIVEN[g]),
                kana: format!("{}　{}", KANA_F[f], KANA_G[g]),
                birth_date: Date::from_ymd(
                    1940 + (r >> 16) as u32 % 80,
                    1 + (r >> 24) as u32 % 12,
                    1 + (r >> 32) as u32 % 28,
                ),
                birth_partial: None,
                sex: Some(if r >> 40 & 1 == 0 {
                    Sex::Male
                } else {
                    Sex::Female
                }),
                registered_address: TOWN[(r >> 44) as usize % TOWN.len()].into(),
                mailing: MailingAddress {
                    postal_code: if i % 97 == 0 {
                        String::new()
                    } else {
                        format!("{:07}", (r >> 20) % 10_000_000)
                    },
                    address: TOWN[(r >> 44) as usize % TOWN.len()].into(),
                },
                // Type A letters are case ① (both stopped), type B ② or ③ (医療情報 only).
                stop: if i % 2 == 0 {
                    StopKind::QualificationAndMedical
                } else {
                    StopKind::MedicalOnly
                },
                text: None,
            }
        })
        .collect()
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("COUNT is a number"))
        .unwrap_or(10_000);
    let out = std::env::args().nth(2);
    let letters = inputs(count);
    // A fictitious insurer (the README's picture of a letter comes from here).
    let settings = LetterSettings {
        insurer_name: "架空健康保険組合".into(),
        sender_line: "理事長　架空　一郎".into(),
        postal_code: "100-0001".into(),
        address: "東京都千代田区千代田一丁目１番１号".into(),
        phone: "03-0000-1234".into(),
        reply_deadline: Date::from_ymd(2023, 12, 25),
        ..LetterSettings::default()
    };
    let issued = Date::from_ymd(2023, 12, 1).expect("a date");
    let t = Instant::now();
    let batch =
        letters::render_batch(&settings, &letters, issued).unwrap_or_else(|e| panic!("{e}"));
    let elapsed = t.elapsed();
    println!("letters {count}");
    println!("pages {}", batch.pages.len());
    println!("time {:.2} s", elapsed.as_secs_f64());
    println!(
        "size {:.2} MB ({} bytes, {:.0} bytes/letter)",
        batch.pdf.len() as f64 / 1_000_000.0,
        batch.pdf.len(),
        batch.pdf.len() as f64 / count.max(1) as f64
    );
    if let Some(path) = out {
        std::fs::write(&path, &batch.pdf).expect("PDF written");
        println!("written {path}");
    }
}
