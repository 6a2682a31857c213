//! Decisions and approval against a real store: contradictions need confirmation and a memo,
//! undo, the four-eyes rule, send-back with a reason, and everything in the audit trail.

use crate::common;

use std::path::Path;

use common::*;
use totsugo_core::auth::Role;
use totsugo_core::record::Date;
use totsugo_core::review::{BatchGrouping, Choice, Decision, LetterType, ReviewState};
use totsugo_core::session::Session;
use totsugo_core::session::SessionError;

/// Four mismatches (kana notation only; a birth date that differs; a qualification lost after
/// the match date; another kana-only row), one matching row, and a mismatch whose
/// qualification was lost before the match date (out of scope). Returns the record ids in file
/// order.
fn date(s: &str) -> Date {
    Date::parse(s).unwrap().unwrap()
}

/// 2-1 with the loss date of the third row's file (after the match date).
fn lost() -> Choice {
    Choice::lost(date("20231031"))
}

fn setup(dir: &Path) -> Vec<i64> {
    let rows = vec![
        Row::matching(1)
            .set("加入者情報_カナ氏名", "ﾔﾏﾀﾞ ﾀﾛｳ")
            .set("判定結果_カナ氏名", "×")
            .set("総合判定", "×"),
        Row::birth_mismatch(2)
            .set("加入者情報_漢字氏名", "佐藤　花子")
            .set("J-LIS情報_漢字氏名", "佐藤　花子")
            .set("加入者情報_カナ氏名", "サトウ　ハナコ")
            .set("J-LIS情報_カナ氏名", "サトウ　ハナコ"),
        Row::matching(3)
            .set("加入者情報_漢字氏名", "鈴木　一")
            .set("J-LIS情報_漢字氏名", "鈴木　一")
            .set("加入者情報_カナ氏名", "ｽｽﾞｷ ﾊｼﾞﾒ")
            .set("J-LIS情報_カナ氏名", "スズキ　ハジメ")
            .set("判定結果_カナ氏名", "×")
            .set("総合判定", "×")
            .set("資格喪失年月日", "20231031"),
        Row::matching(4)
            .set("加入者情報_漢字氏名", "田中　次郎")
            .set("J-LIS情報_漢字氏名", "田中　次郎")
            .set("加入者情報_カナ氏名", "ﾀﾅｶ ｼﾞﾛｳ")
            .set("J-LIS情報_カナ氏名", "タナカ　ジロウ")
            .set("判定結果_カナ氏名", "×")
            .set("総合判定", "×"),
        Row::matching(5)
            .set("加入者情報_漢字氏名", "高田　三郎")
            .set("J-LIS情報_漢字氏名", "高田　三郎")
            .set("加入者情報_カナ氏名", "タカダ　サブロウ")
            .set("J-LIS情報_カナ氏名", "タカダ　サブロウ"),
        Row::matching(6)
            .set("加入者情報_漢字氏名", "森　四郎")
            .set("J-LIS情報_漢字氏名", "森　四郎")
            .set("加入者情報_カナ氏名", "ﾓﾘ ｼﾛｳ")
            .set("J-LIS情報_カナ氏名", "モリ　シロウ")
            .set("判定結果_カナ氏名", "×")
            .set("総合判定", "×")
            .set("資格喪失年月日", "20220331"),
    ];
    let path = write_cp932(dir, "m.csv", &csv_text(&default_headers(), &rows));
    let mut admin = open(&dir.join("store"));
    let report = import(&mut admin, &path).unwrap();
    for (login, role) in [
        ("clerk1", Role::Clerk),
        ("clerk2", Role::Clerk),
        ("boss", Role::Supervisor),
    ] {
        add_person(
            &dir.join("store"),
            login,
            &format!("{login} さん"),
            role,
            false,
        );
    }
    admin.store().record_ids(report.import_id).unwrap()
}

fn login(dir: &Path, who: &str) -> Session {
    Session::login(&dir.join("store"), who, PERSON_PW).unwrap()
}

fn state(s: &Session, id: i64) -> ReviewState {
    s.record_review(id).unwrap().unwrap().0.state
}

fn last_audit(s: &Session) -> (String, String, String) {
    let e = s.store().audit_entries(None, None).unwrap().pop().unwrap();
    (e.user_login, e.action, e.detail)
}

#[test]
fn a_decision_is_kept_audited_and_can_be_undone() {
    let dir = tempdir();
    let ids = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    assert_eq!(state(&clerk, ids[0]), ReviewState::Undecided);
    clerk
        .decide(ids[0], Choice::new(Decision::SameByVisualCheck), "", false)
        .unwrap();
    assert_eq!(state(&clerk, ids[0]), ReviewState::Decided);
    assert_eq!(
        last_audit(&clerk),
        (
            "clerk1".into(),
            "decision".into(),
            "same_by_visual_check".into()
        )
    );
    // A new session (after a crash, say) finds the decision.
    drop(clerk);
    let clerk = login(dir.path(), "clerk1");
    let (review, history) = clerk.record_review(ids[0]).unwrap().unwrap();
    assert_eq!(review.state, ReviewState::Decided);
    assert_eq!(history.len(), 1);

    // Undo goes back one decision at a time, newest first.
    clerk
        .decide(ids[3], Choice::letter(LetterType::B), "", false)
        .unwrap();
    assert_eq!(clerk.undo_last_decision().unwrap(), ids[3]);
    assert_eq!(state(&clerk, ids[3]), ReviewState::Undecided);
    assert_eq!(clerk.undo_last_decision().unwrap(), ids[0]);
    assert_eq!(state(&clerk, ids[0]), ReviewState::Undecided);
    assert!(matches!(
        clerk.undo_last_decision(),
        Err(SessionError::NothingToUndo)
    ));
    let (_, history) = clerk.record_review(ids[0]).unwrap().unwrap();
    assert!(
        history[0].undone,
        "the undone decision stays in the history"
    );
    assert_eq!(last_audit(&clerk).2, "undo same_by_visual_check");
}

#[test]
fn a_decision_against_the_evidence_needs_confirmation_and_a_memo() {
    let dir = tempdir();
    let ids = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let same = Choice::new(Decision::SameByVisualCheck);
    let why = match clerk.decide(ids[1], same, "", false) {
        Err(SessionError::NeedsConfirmation(why)) => why,
        other => panic!("{other:?}"),
    };
    assert!(why[0].contains("生年月日が異なる"), "{why:?}");
    // Confirmed but without a memo: still refused.
    assert!(matches!(
        clerk.decide(ids[1], same, "  ", true),
        Err(SessionError::NeedsConfirmation(_))
    ));
    assert_eq!(state(&clerk, ids[1]), ReviewState::Undecided);
    clerk
        .decide(ids[1], same, "窓口で保険証と運転免許証を確認済み", true)
        .unwrap();
    let (review, _) = clerk.record_review(ids[1]).unwrap().unwrap();
    let d = review.decision.unwrap();
    assert_eq!(d.memo, "窓口で保険証と運転免許証を確認済み");
    assert_eq!(d.overrode, why);

    // 本人へ文書送付 needs a letter type; type A fits a birth date that differs, B does not.
    assert!(matches!(
        clerk.decide(ids[1], Choice::new(Decision::WriteToPerson), "", false),
        Err(SessionError::LetterType)
    ));
    clerk
        .decide(ids[1], Choice::letter(LetterType::A), "", false)
        .unwrap();
    assert!(matches!(
        clerk.decide(ids[1], Choice::letter(LetterType::B), "", false),
        Err(SessionError::NeedsConfirmation(_))
    ));
    // 2-1 「現時点では資格を喪失していることから、確認の対象外」: the loss date is part of the
    // decision, and it must be after the match date (突合基準日 2023-09-15).
    assert!(matches!(
        clerk.decide(ids[2], Choice::new(Decision::OutOfScopeLost), "", false),
        Err(SessionError::LossDate(_))
    ));
    assert!(matches!(
        clerk.decide(ids[2], Choice::lost(date("20230915")), "", false),
        Err(SessionError::LossDate(_))
    ));
    // A date other than the file's 資格喪失年月日 needs confirmation and a memo.
    assert!(matches!(
        clerk.decide(ids[2], Choice::lost(date("20231101")), "", false),
        Err(SessionError::NeedsConfirmation(_))
    ));
    clerk.decide(ids[2], lost(), "", false).unwrap();
    let (review, _) = clerk.record_review(ids[2]).unwrap().unwrap();
    assert_eq!(
        review.decision.unwrap().choice.lost_on,
        Some(date("20231031"))
    );
    // 「資格喪失者については…今般の点検対象には含まれません」: lost on or before the match date,
    // the row is not decided at all.
    assert!(matches!(
        clerk.decide(ids[5], same, "", false),
        Err(SessionError::OutOfScope(_))
    ));
    // A matching row is not for review.
    assert!(matches!(
        clerk.decide(ids[4], same, "", false),
        Err(SessionError::NotAMismatch(_))
    ));
    // Administrators do not decide.
    let admin = open(&dir.path().join("store"));
    assert!(matches!(
        admin.decide(ids[3], same, "", false),
        Err(SessionError::Forbidden(_))
    ));
}

#[test]
fn supervisors_approve_others_decisions_and_send_back_with_a_reason() {
    let dir = tempdir();
    let ids = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    let same = Choice::new(Decision::SameByVisualCheck);
    clerk.decide(ids[0], same, "", false).unwrap();
    clerk.decide(ids[3], same, "", false).unwrap();
    // The supervisor decides one record too: it never shows as approvable to them.
    boss.decide(ids[2], lost(), "", false).unwrap();
    let batches = boss.pending_batches(BatchGrouping::ClerkAndDay).unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].clerk_login, "clerk1");
    assert_eq!(batches[0].record_ids, vec![ids[0], ids[3]]);
    assert!(matches!(
        boss.approve(&[ids[0], ids[2]]),
        Err(SessionError::OwnDecisions)
    ));
    assert_eq!(state(&boss, ids[0]), ReviewState::Decided);
    // Clerks do not approve.
    assert!(matches!(
        clerk.approve(&[ids[2]]),
        Err(SessionError::Forbidden(_))
    ));

    // Send one back with a reason; approve the other.
    assert!(matches!(
        boss.send_back(ids[3], " "),
        Err(SessionError::EmptyReason)
    ));
    boss.send_back(ids[3], "住所の方書を確認してください")
        .unwrap();
    assert_eq!(last_audit(&boss).1, "send_back");
    let batch = boss.approve(&[ids[0]]).unwrap();
    assert_eq!(state(&boss, ids[0]), ReviewState::Approved);
    assert_eq!(last_audit(&boss).1, "approval");
    let (review, _) = clerk.record_review(ids[0]).unwrap().unwrap();
    assert_eq!(review.decision.unwrap().batch_id, Some(batch));

    // Approved is final for the clerk; sent back shows the reason and can be decided again.
    assert!(matches!(
        clerk.decide(ids[0], same, "", false),
        Err(SessionError::AlreadyApproved(_))
    ));
    let (review, _) = clerk.record_review(ids[3]).unwrap().unwrap();
    assert_eq!(review.state, ReviewState::SentBack);
    assert_eq!(
        review.sent_back.as_deref(),
        Some("住所の方書を確認してください")
    );
    // issue 13: 「Sent-back records are skipped by 次の未判断を開く」: they come first.
    assert_eq!(clerk.next_undecided().unwrap(), Some(ids[3]));
    clerk
        .decide(
            ids[3],
            Choice::new(Decision::SameByDocuments),
            "届出書で確認",
            false,
        )
        .unwrap();
    assert_eq!(state(&clerk, ids[3]), ReviewState::Decided);
    // Undoing it brings the send-back (and its reason) back.
    assert_eq!(clerk.undo_last_decision().unwrap(), ids[3]);
    let (review, _) = clerk.record_review(ids[3]).unwrap().unwrap();
    assert_eq!(review.state, ReviewState::SentBack);
    assert_eq!(
        review.sent_back.as_deref(),
        Some("住所の方書を確認してください")
    );
    // Another clerk cannot undo clerk1's decisions.
    assert!(matches!(
        login(dir.path(), "clerk2").undo_last_decision(),
        Err(SessionError::NothingToUndo)
    ));
    assert!(
        boss.verify_audit().unwrap().is_ok(),
        "the audit chain holds"
    );
}

#[test]
fn progress_counts_what_is_ready_for_the_next_release_cutoff() {
    let dir = tempdir();
    let ids = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    // ① (birth date differs) confirmed after documents, and a no-stop row: only ① is released.
    clerk
        .decide(
            ids[1],
            Choice::new(Decision::SameByDocuments),
            "住民票の写しで生年月日を確認（保険者側の入力誤り）",
            true,
        )
        .unwrap();
    clerk
        .decide(ids[0], Choice::new(Decision::SameByVisualCheck), "", false)
        .unwrap();
    let p = clerk.review_progress().unwrap();
    assert_eq!(p.states, [2, 2, 0, 0]);
    assert_eq!(p.ready, [0, 0, 0]);
    boss.approve(&[ids[0], ids[1]]).unwrap();
    let p = clerk.review_progress().unwrap();
    assert_eq!(p.states, [2, 0, 2, 0]);
    assert_eq!(p.ready, [1, 0, 0], "the ① record, approved and confirmed");
    assert_eq!(p.per_day.len(), 1);
    assert_eq!(p.per_day[0].1, 2);
    // The published schedule ends weekly: there is always a next cut-off.
    assert!(p.next_cutoff.is_some());

    // The schedule is the administrator's setting, checked and audited.
    let admin = open(&dir.path().join("store"));
    let err = admin
        .set_release_schedule("2026-12-03\n2026-13-10")
        .unwrap_err()
        .to_string();
    assert!(err.contains("2行目"), "{err}");
    admin.set_release_schedule("2099-01-05 15:00").unwrap();
    assert_eq!(
        clerk
            .review_progress()
            .unwrap()
            .next_cutoff
            .unwrap()
            .to_string(),
        "2099-01-05 15:00"
    );
    assert!(clerk.set_release_schedule("2099-01-05").is_err());
    assert_eq!(last_audit(&admin).1, "settings_change");
}

#[test]
fn a_supervisor_shares_out_the_work_and_each_clerk_sees_their_share() {
    use totsugo_core::store::{AssigneeFilter, MismatchFilter};
    let dir = tempdir();
    let ids = setup(dir.path());
    let boss = login(dir.path(), "boss");
    let clerk1 = login(dir.path(), "clerk1");
    let clerk2 = login(dir.path(), "clerk2");
    let (c1, c2) = (clerk1.user().id, clerk2.user().id);
    let mine = |s: &Session, who: i64| -> Vec<i64> {
        let f = MismatchFilter {
            assignee: Some(AssigneeFilter::User(who)),
            ..Default::default()
        };
        s.store()
            .page_mismatches(&f, None, 100)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    };
    // Clerks do not share out work.
    assert!(matches!(
        clerk1.assign(&MismatchFilter::default(), Some(c1), None),
        Err(SessionError::Forbidden(_))
    ));
    // A record already decided keeps its place: only work still to do moves.
    clerk2
        .decide(ids[3], Choice::new(Decision::SameByVisualCheck), "", false)
        .unwrap();
    // Two to clerk1 in work order, the rest to clerk2.
    assert_eq!(
        boss.assign(&MismatchFilter::default(), Some(c1), Some(2))
            .unwrap(),
        2
    );
    let unassigned = MismatchFilter {
        assignee: Some(AssigneeFilter::Unassigned),
        ..Default::default()
    };
    assert_eq!(boss.assign(&unassigned, Some(c2), None).unwrap(), 1);
    let (a, b) = (mine(&clerk1, c1), mine(&clerk2, c2));
    assert_eq!(a.len(), 2);
    assert_eq!(b.len(), 1);
    assert!(
        !a.contains(&ids[3]) && !b.contains(&ids[3]),
        "decided: not moved"
    );
    let mut all: Vec<i64> = a.iter().chain(&b).copied().collect();
    all.sort();
    assert_eq!(all, vec![ids[0], ids[1], ids[2]]);
    // The list shows the name of the person each record is with.
    let rows = boss
        .store()
        .page_mismatches(&MismatchFilter::default(), None, 100)
        .unwrap();
    let row = rows.iter().find(|r| r.id == a[0]).unwrap();
    assert_eq!(row.assignee, Some((c1, "clerk1 さん".to_string())));
    assert_eq!(
        boss.work_per_assignee().unwrap(),
        vec![
            (Some(c1), "clerk1 さん".to_string(), 2),
            (Some(c2), "clerk2 さん".to_string(), 1)
        ]
    );
    // The trail records each share; someone who may not review cannot be given work.
    assert_eq!(last_audit(&boss).1, "assign");
    assert!(
        last_audit(&boss).2.contains("clerk2 さん"),
        "{:?}",
        last_audit(&boss)
    );
    let admin = open(&dir.path().join("store"));
    assert!(
        boss.assign(&MismatchFilter::default(), Some(admin.user().id), None)
            .is_err()
    );
    // Taking it back: to nobody.
    assert_eq!(
        boss.assign(
            &MismatchFilter {
                assignee: Some(AssigneeFilter::User(c2)),
                ..Default::default()
            },
            None,
            None
        )
        .unwrap(),
        1
    );
    assert!(mine(&clerk2, c2).is_empty());
}

#[test]
fn a_supervisor_groups_the_decisions_to_approve_as_they_choose() {
    let dir = tempdir();
    let ids = setup(dir.path());
    let clerk1 = login(dir.path(), "clerk1");
    let clerk2 = login(dir.path(), "clerk2");
    let boss = login(dir.path(), "boss");
    let same = Choice::new(Decision::SameByVisualCheck);
    clerk1.decide(ids[0], same, "", false).unwrap();
    clerk1.decide(ids[3], same, "", false).unwrap();
    clerk1.decide(ids[2], lost(), "", false).unwrap();
    clerk2
        .decide(ids[1], Choice::letter(LetterType::A), "", false)
        .unwrap();
    let by_day = boss.pending_batches(BatchGrouping::ClerkAndDay).unwrap();
    assert_eq!(by_day.len(), 2, "one per clerk today");
    let by_clerk = boss.pending_batches(BatchGrouping::Clerk).unwrap();
    assert_eq!(by_clerk.len(), 2);
    let by_decision = boss
        .pending_batches(BatchGrouping::ClerkAndDecision)
        .unwrap();
    assert_eq!(by_decision.len(), 3, "clerk1's two kinds, clerk2's one");
    let visual = by_decision
        .iter()
        .find(|b| b.decision == Some(Decision::SameByVisualCheck))
        .unwrap();
    assert_eq!(visual.clerk_login, "clerk1");
    assert_eq!(visual.record_ids, vec![ids[0], ids[3]]);
    assert!(
        visual
            .title()
            .contains(Decision::SameByVisualCheck.label_ja())
    );
    // Approving one group leaves the others waiting.
    boss.approve(&visual.record_ids).unwrap();
    assert_eq!(
        boss.pending_batches(BatchGrouping::ClerkAndDecision)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_single_key_never_calls_two_real_differences_the_same_person() {
    // issue 13: 「"Same person" (1, 2, 3) on a record with a real difference in any item asks for
    // confirmation and a memo」 (typing 1n1n1n decided records whose surname, kana and town all
    // differ); a difference that is notation only does not.
    let dir = tempdir();
    let rows = vec![
        Row::matching(1)
            .set("加入者情報_漢字氏名", "山田　太郎")
            .set("J-LIS情報_漢字氏名", "佐藤　太郎")
            .set("加入者情報_カナ氏名", "ヤマダ　タロウ")
            .set("J-LIS情報_カナ氏名", "サトウ　タロウ")
            .set("加入者情報_住所", "東京都港区赤坂一丁目１番１号")
            .set("J-LIS情報_住所", "大阪府大阪市北区梅田三丁目１番１号")
            .set("判定結果_漢字氏名", "×")
            .set("判定結果_カナ氏名", "×")
            .set("判定結果_住所", "×")
            .set("総合判定", "×"),
        Row::matching(2)
            .set("加入者情報_住所", "東京都港区赤坂一丁目１番１号")
            .set("J-LIS情報_住所", "大阪府大阪市北区梅田三丁目１番１号")
            .set("判定結果_住所", "×")
            .set("総合判定", "×"),
    ];
    let path = write_cp932(dir.path(), "m.csv", &csv_text(&default_headers(), &rows));
    let mut admin = open(&dir.path().join("store"));
    let report = import(&mut admin, &path).unwrap();
    add_person(
        &dir.path().join("store"),
        "clerk1",
        "clerk1 さん",
        Role::Clerk,
        false,
    );
    let ids = admin.store().record_ids(report.import_id).unwrap();
    let clerk = login(dir.path(), "clerk1");
    let same = Choice::new(Decision::SameByVisualCheck);
    match clerk.decide(ids[0], same, "", false) {
        Err(SessionError::NeedsConfirmation(why)) => {
            assert!(
                why.iter().any(|w| w.contains("漢字氏名・カナ氏名・住所")),
                "{why:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    // Only the address (a move): still a memo that says so.
    assert!(matches!(
        clerk.decide(ids[1], same, "", false),
        Err(SessionError::NeedsConfirmation(_))
    ));
    clerk
        .decide(ids[1], same, "転居を住民票の写しで確認", true)
        .unwrap();
}

#[test]
fn the_approval_table_lists_what_to_judge_by_with_the_forced_decisions_first() {
    // issue 13 §6: 「a birth-date mismatch that the clerk forced to 目検で同一人物 sits unmarked
    // among notation-only ones」.
    let dir = tempdir();
    let ids = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    let same = Choice::new(Decision::SameByVisualCheck);
    clerk.decide(ids[0], same, "", false).unwrap();
    clerk
        .decide(ids[1], same, "本人に電話で確認", true)
        .unwrap();
    clerk.decide(ids[3], same, "", false).unwrap();
    let batch = &boss.pending_batches(BatchGrouping::ClerkAndDay).unwrap()[0];
    assert_eq!(batch.record_ids.len(), 3);
    // Asked in file order, the forced one still comes first.
    let lines = boss.approval_lines(&[ids[0], ids[1], ids[3]]).unwrap();
    let order: Vec<i64> = lines.iter().map(|l| l.record_id).collect();
    assert_eq!(
        order,
        vec![ids[1], ids[0], ids[3]],
        "the forced one first, the rest as asked"
    );
    let forced = &lines[0];
    assert!(forced.needs_attention());
    assert!(
        forced.attention.iter().any(|w| w.contains("生年月日")),
        "{:?}",
        forced.attention
    );
    assert_eq!(forced.differs, vec![totsugo_core::record::Item::BirthDate]);
    assert_eq!(forced.memo, "本人に電話で確認");
    assert_eq!(forced.decision, "目検で同一人物と判断");
    let plain = &lines[1];
    assert!(!plain.needs_attention());
    assert!(plain.differs.is_empty());
    assert_eq!(
        plain.notation,
        vec![totsugo_core::record::Item::KanaName],
        "kana in half width is notation only"
    );
}

#[test]
fn the_next_record_is_the_own_share_first_then_the_unassigned_never_anothers() {
    // 「次の未判断を開く」 (issue 13): what was sent back first, then what is undecided; each
    // time the clerk's own share in work order, then the unassigned rows; never another
    // clerk's share, a decided row or a lost one (one range of records_queue, migration 032).
    use totsugo_core::store::MismatchFilter;
    let dir = tempdir();
    setup(dir.path());
    let boss = login(dir.path(), "boss");
    let clerk1 = login(dir.path(), "clerk1");
    let clerk2 = login(dir.path(), "clerk2");
    let to_do: Vec<i64> = boss
        .store()
        .page_mismatches(
            &MismatchFilter {
                lost: Some(false),
                state: Some(ReviewState::Undecided),
                ..Default::default()
            },
            None,
            100,
        )
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert!(to_do.len() >= 3, "{to_do:?}");
    assert_eq!(clerk1.next_undecided().unwrap(), Some(to_do[0]));
    // The first two in work order go to clerk2: clerk1 goes on with the unassigned rows.
    boss.assign(&MismatchFilter::default(), Some(clerk2.user().id), Some(2))
        .unwrap();
    assert_eq!(clerk1.next_undecided().unwrap(), Some(to_do[2]));
    assert_eq!(clerk2.next_undecided().unwrap(), Some(to_do[0]));
    for (done, next) in [(to_do[0], to_do[1]), (to_do[1], to_do[2])] {
        clerk2
            .decide(
                done,
                Choice::new(Decision::SameByVisualCheck),
                "確認済み",
                true,
            )
            .unwrap();
        assert_eq!(clerk2.next_undecided().unwrap(), Some(next));
    }
    // Every record handed out is in scope: lost ones are never the next.
    let mut seen = Vec::new();
    while let Some(id) = clerk1.next_undecided().unwrap() {
        assert!(!seen.contains(&id), "{id} came back");
        assert!(to_do.contains(&id), "{id} is not undecided and in scope");
        seen.push(id);
        let (review, _) = clerk1.record_review(id).unwrap().unwrap();
        assert_eq!(review.state, ReviewState::Undecided);
        // (Confirmed with a memo where the explanation contradicts it: only the order matters.)
        clerk1
            .decide(
                id,
                Choice::new(Decision::SameByVisualCheck),
                "確認済み",
                true,
            )
            .unwrap();
    }
    assert_eq!(seen.len(), to_do.len() - 2);
}
