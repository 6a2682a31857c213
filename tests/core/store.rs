//! The store: encrypted at rest, a wrong key fails clearly, paging is index-backed.

use crate::common;

use common::*;
use totsugo_core::record::StopCase;
use totsugo_core::store::{ListOrder, MismatchFilter, PageCursor, Store, StoreError, StoreKey};

#[test]
fn the_store_file_holds_no_plaintext_from_the_imported_data() {
    let dir = tempdir();
    let mut store = open(dir.path());
    let r = import(&mut store, &demo_file()).unwrap();
    let rec = store
        .store()
        .record(store.store().record_ids(r.import_id).unwrap()[0])
        .unwrap()
        .unwrap();
    drop(store);
    let bytes = store_bytes(dir.path());
    assert!(bytes.len() > 100_000);
    // Names, kana, the My Number, the card number, the address: in UTF-8 and in CP932.
    let needles = [
        rec.insurer
            .kanji_name
            .split('　')
            .next()
            .unwrap()
            .to_string(),
        rec.insurer.kana_name.clone(),
        rec.my_number.clone(),
        rec.card_number.clone(),
        rec.insurer.address.chars().take(6).collect(),
        "SQLite format 3".to_string(),
        "CREATE TABLE".to_string(),
    ];
    for n in &needles {
        assert!(
            !contains(&bytes, n.as_bytes()),
            "plaintext in the store file"
        );
        if let Ok(sjis) = totsugo_core::encoding::encode_cp932(n) {
            assert!(
                !contains(&bytes, &sjis),
                "CP932 plaintext in the store file"
            );
        }
    }
    // While the same file read as plain SQLite by another program is unreadable.
    let plain = rusqlite::Connection::open(Store::file_in(dir.path())).unwrap();
    assert!(
        plain
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
                .get::<_, i64>(0))
            .is_err()
    );
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_wrong_key_fails_with_a_clear_error_and_changes_nothing() {
    let dir = tempdir();
    let mut store = open(dir.path());
    import(&mut store, &demo_file()).unwrap();
    drop(store);
    let before = store_bytes(dir.path());
    let err = totsugo_core::inspect::open_store(dir.path(), &StoreKey([7u8; 32]))
        .err()
        .expect("a wrong key must not open the store");
    assert!(matches!(err, StoreError::WrongKey(_)));
    let msg = err.to_string();
    assert!(msg.contains("鍵が違う"), "{msg}");
    assert_eq!(store_bytes(dir.path()), before);
    // The right key still works.
    assert_eq!(open(dir.path()).store().record_count().unwrap(), 2000);
}

#[test]
fn a_store_without_its_key_slots_is_refused_not_rekeyed() {
    let dir = tempdir();
    drop(open(dir.path()));
    let before = store_bytes(dir.path());
    std::fs::remove_file(totsugo_core::vault::Vault::path_in(dir.path())).unwrap();
    let err = totsugo_core::session::Session::init(dir.path(), "admin2", "管理 次郎", PASSWORD)
        .err()
        .expect("a new key must not be made for an existing store");
    assert!(err.to_string().contains("新しい鍵は作りません"), "{err}");
    assert_eq!(store_bytes(dir.path()), before);
    assert!(matches!(
        totsugo_core::session::Session::login(dir.path(), ADMIN, PASSWORD),
        Err(totsugo_core::session::SessionError::Vault(
            totsugo_core::vault::VaultError::NotInitialised
        ))
    ));
}

#[test]
fn paging_through_mismatches_is_index_backed_and_complete() {
    let dir = tempdir();
    let mut store = open(dir.path());
    let big = sample_file(dir.path(), "big.csv", 30_000, 11);
    let r = import(&mut store, &big).unwrap();
    let filters = [
        MismatchFilter::default(),
        MismatchFilter {
            case: Some(StopCase::Case1),
            lost: Some(false),
            ..Default::default()
        },
        MismatchFilter {
            suggestion: Some(totsugo_core::compare::Suggestion::NeedsReview),
            differing: Some(totsugo_core::record::Item::Address),
            state: Some(totsugo_core::review::ReviewState::Undecided),
            ..Default::default()
        },
    ];
    for f in &filters {
        let plan = store
            .store()
            .explain_page_mismatches(
                f,
                Some(&PageCursor {
                    priority: 1,
                    id: 10,
                    key: String::new(),
                }),
            )
            .unwrap();
        assert!(plan.contains("records_mismatch_order"), "{plan}");
        assert!(
            !plan.contains("SCAN records\n") && !plan.ends_with("SCAN records"),
            "{plan}"
        );
        assert!(
            !plan.contains("TEMP B-TREE"),
            "sorts instead of walking the index: {plan}"
        );
    }
    // Walk all mismatches page by page: each exactly once, in work order.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .store()
            .page_mismatches(&MismatchFilter::default(), cursor.as_ref(), 97)
            .unwrap();
        let Some(last) = page.last() else { break };
        cursor = Some(PageCursor::after(last, ListOrder::WorkOrder));
        seen.extend(page.iter().map(|r| (r.class.priority, r.id)));
    }
    assert_eq!(seen.len() as u64, r.counts.mismatches);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    // The explanation filters: rows needing review whose address really differs.
    let moved = store
        .store()
        .page_mismatches(&filters[2], None, 100_000)
        .unwrap();
    assert!(!moved.is_empty());
    assert!(moved.iter().all(|r| {
        let a = r.analysis.unwrap();
        a.suggestion == totsugo_core::compare::Suggestion::NeedsReview
            && a.field(totsugo_core::record::Item::Address)
                == totsugo_core::compare::FieldVerdict::Differs
    }));
    let case1 = store
        .store()
        .page_mismatches(&filters[1], None, 100_000)
        .unwrap();
    assert_eq!(
        case1.len() as u64,
        r.counts.case1 - count_lost_case1(&store)
    );
}

fn count_lost_case1(store: &totsugo_core::session::Session) -> u64 {
    store
        .store()
        .page_mismatches(
            &MismatchFilter {
                case: Some(StopCase::Case1),
                lost: Some(true),
                ..Default::default()
            },
            None,
            100_000,
        )
        .unwrap()
        .len() as u64
}

#[test]
fn search_finds_by_card_number_or_kana_however_written() {
    let dir = tempdir();
    let mut store = open(dir.path());
    import(&mut store, &demo_file()).unwrap();
    let all = store
        .store()
        .page_mismatches(&MismatchFilter::default(), None, 1000)
        .unwrap();
    let target = &all[10];
    let by = |q: &str| {
        store
            .store()
            .page_mismatches(
                &MismatchFilter {
                    search: Some(q.to_string()),
                    ..Default::default()
                },
                None,
                1000,
            )
            .unwrap()
    };
    // The whole card number, or its first digits (full-width digits too).
    let found = by(&target.card_number);
    assert!(found.iter().any(|r| r.id == target.id));
    assert!(found.iter().all(|r| r.card_number == target.card_number));
    let prefix = &target.card_number[..6];
    let wide = totsugo_core::text::to_full_width_digits(prefix);
    assert_eq!(
        by(prefix).iter().map(|r| r.id).collect::<Vec<_>>(),
        by(&wide).iter().map(|r| r.id).collect::<Vec<_>>()
    );
    // The 記号 the field's label promises (issue 13: 「Search by 記号 finds nothing」), and
    // 「記号-番号」 or 「記号・番号」 for one card.
    let by_symbol = by(&target.card_symbol);
    assert!(
        by_symbol.iter().any(|r| r.id == target.id),
        "{}",
        target.card_symbol
    );
    for q in [
        format!("{}-{}", target.card_symbol, target.card_number),
        format!("{}・{}", target.card_symbol, &target.card_number[..5]),
    ] {
        let found = by(&q);
        assert!(found.iter().any(|r| r.id == target.id), "{q}");
        assert!(
            found.iter().all(|r| r.card_symbol == target.card_symbol),
            "{q}"
        );
    }
    // The surname in hiragana or half-width kana finds the full-width katakana.
    let surname: String = target
        .kana_name
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_string();
    let hiragana: String = surname
        .chars()
        .map(|c| {
            let u = c as u32;
            if (0x30A1..=0x30F6).contains(&u) {
                char::from_u32(u - 0x60).unwrap()
            } else {
                c
            }
        })
        .collect();
    for q in [
        surname.clone(),
        hiragana,
        totsugo_core::text::to_half_width_kana(&surname),
    ] {
        let found = by(&q);
        assert!(found.iter().any(|r| r.id == target.id), "{q}");
        assert!(
            found
                .iter()
                .all(|r| totsugo_core::compare::kana::key(&r.kana_name)
                    .starts_with(&totsugo_core::compare::kana::key(&surname))),
            "{q}"
        );
    }
    assert!(by("ヲヲヲヲ").is_empty());
    // Index-backed, not a scan of the records.
    let plan = store
        .store()
        .explain_page_mismatches(
            &MismatchFilter {
                search: Some("ヤマ".into()),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    assert!(plan.contains("records_kana"), "{plan}");
}

#[test]
fn the_list_pages_in_card_number_or_kana_order_from_their_indexes() {
    let dir = tempdir();
    let mut store = open(dir.path());
    let big = sample_file(dir.path(), "big.csv", 30_000, 11);
    let r = import(&mut store, &big).unwrap();
    for order in [ListOrder::CardNumber, ListOrder::Kana] {
        let f = MismatchFilter {
            order,
            ..Default::default()
        };
        let plan = store.store().explain_page_mismatches(&f, None).unwrap();
        assert!(!plan.contains("TEMP B-TREE"), "{order:?} sorts: {plan}");
        let mut keys = Vec::new();
        let mut cursor: Option<PageCursor> = None;
        loop {
            let page = store
                .store()
                .page_mismatches(&f, cursor.as_ref(), 53)
                .unwrap();
            let Some(last) = page.last() else { break };
            cursor = Some(PageCursor::after(last, order));
            keys.extend(page.iter().map(|row| {
                let k = match order {
                    ListOrder::CardNumber => row.card_number.clone(),
                    _ => totsugo_core::compare::kana::key(&row.kana_name),
                };
                (k, row.id)
            }));
        }
        assert_eq!(keys.len() as u64, r.counts.mismatches, "{order:?}");
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "{order:?} in order, once each"
        );
    }
}

#[test]
fn the_list_reader_pages_on_its_own_thread_and_drops_superseded_pages() {
    use std::time::Duration;
    let dir = tempdir();
    let mut session = open(dir.path());
    let file = sample_file(dir.path(), "s.csv", 3_000, 5);
    import(&mut session, &file).unwrap();
    let clerk_dir = dir.path();
    add_person(
        clerk_dir,
        "clerk1",
        "担当 一郎",
        totsugo_core::auth::Role::Clerk,
        false,
    );
    let clerk = totsugo_core::session::Session::login(clerk_dir, "clerk1", PERSON_PW).unwrap();
    let expected = clerk
        .store()
        .page_mismatches(&MismatchFilter::default(), None, 1_000_000)
        .unwrap();
    assert!(expected.len() > 40, "{} mismatches", expected.len());

    let (tx, rx) = std::sync::mpsc::channel();
    let pager = clerk
        .list_reader(move || {
            let _ = tx.send(());
        })
        .unwrap();
    let wait = |pager: &totsugo_core::store::pager::ListPager| loop {
        rx.recv_timeout(Duration::from_secs(30))
            .expect("the reader answers and wakes the screen");
        let answers = clerk.list_answers(pager).unwrap();
        if !answers.is_empty() {
            return answers;
        }
    };
    // A filter that is replaced before its page is read gives nothing; the new one does.
    pager.request(
        &MismatchFilter {
            case: Some(StopCase::Case1),
            ..Default::default()
        },
        None,
        200,
    );
    pager.new_generation();
    let filter = MismatchFilter::default();
    let mut rows = Vec::new();
    loop {
        let after = rows.last().map(|r| PageCursor::after(r, filter.order));
        pager.request(&filter, after, 10);
        let mut answers = wait(&pager);
        assert_eq!(answers.len(), 1);
        let a = answers.pop().unwrap();
        let page = a.rows.unwrap();
        rows.extend(page);
        if a.last {
            break;
        }
    }
    let ids = |v: &[totsugo_core::store::MismatchRow]| v.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(&rows), ids(&expected), "every row once, in work order");

    // The reader sees what the main connection commits (a decision) and never writes.
    clerk
        .decide(
            rows[0].id,
            totsugo_core::review::Choice::new(totsugo_core::review::Decision::SameByVisualCheck),
            "本人に電話で確認",
            true,
        )
        .unwrap();
    pager.new_generation();
    pager.request(&filter, None, 1);
    let a = wait(&pager).pop().unwrap();
    assert_eq!(
        a.rows.unwrap()[0].state,
        totsugo_core::review::ReviewState::Decided
    );
}
