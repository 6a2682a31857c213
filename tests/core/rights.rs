//! Issue 16 §4 and §5, each test doing what the insider did: the My Number right on every path
//! (the release list, the release candidates, the audited views) and four-eyes without gaps
//! (rights re-read for every action, approval of exactly what was seen, no self-granted
//! rights, the follow-up outcome approved before release).

use crate::common;
use crate::follow_up::{login, setup};

use std::path::Path;

use common::*;
use totsugo_core::auth::{Permission, Role, Roles};
use totsugo_core::release::RequestFormat;
use totsugo_core::review::{Choice, Decision, FollowUp, LetterType, ReviewState};
use totsugo_core::session::{Session, SessionError};

fn store(dir: &Path) -> std::path::PathBuf {
    dir.join("store")
}

/// Every audit entry as (action, target, detail).
fn trail(s: &Session) -> Vec<(String, String, String)> {
    s.store()
        .audit_entries(None, None)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.target, e.detail))
        .collect()
}

/// No audit entry holds a full My Number of the file.
fn no_number_in_trail(s: &Session, numbers: &[String]) {
    for (a, t, d) in trail(s) {
        for n in numbers {
            assert!(
                !t.contains(n.as_str()) && !d.contains(n.as_str()),
                "a full number in the trail: {a} {t} {d}"
            );
        }
    }
}

fn state(s: &Session, id: i64) -> ReviewState {
    s.record_review(id).unwrap().unwrap().0.state
}

fn user_id(admin: &Session, login: &str) -> i64 {
    admin
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.user.login == login)
        .unwrap()
        .user
        .id
}

/// r0 decided and approved, the release format with the My Number, a request made of it.
fn request_with_numbers(dir: &Path) -> (Vec<i64>, i64) {
    let r = setup(dir);
    let clerk = login(dir, "clerk1");
    let boss = login(dir, "boss");
    clerk
        .decide(
            r[0],
            Choice::new(Decision::SameByVisualCheck),
            "テスト",
            true,
        )
        .unwrap();
    boss.approve(&[r[0]]).unwrap();
    open(&store(dir))
        .set_release_format(&RequestFormat {
            with_my_number: true,
        })
        .unwrap();
    let req = boss.make_release_request(&[r[0]]).unwrap();
    (r, req)
}

#[test]
fn a_supervisor_without_the_right_cannot_write_full_numbers_into_the_release_list() {
    let dir = tempdir();
    let (_, req) = request_with_numbers(dir.path());
    let boss = login(dir.path(), "boss");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // The attack: the format includes the number, the supervisor has no 個人番号閲覧権限.
    let e = boss
        .write_release_request(req, "テスト", &out)
        .expect_err("refused");
    assert!(matches!(e, SessionError::MyNumberRightNeeded(_)), "{e}");
    assert!(e.to_string().contains("個人番号閲覧権限"), "{e}");
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "nothing written"
    );
    let refused = trail(&boss);
    assert!(
        refused.iter().any(|(a, t, d)| a == "export"
            && t == &format!("release_request:{req}")
            && d.contains("拒否")),
        "the refusal is audited"
    );
    // A supervisor with the right writes it; the numbers written are audited, masked.
    add_person(
        &store(dir.path()),
        "boss_mn",
        "責任 番号",
        Role::Supervisor,
        true,
    );
    let boss_mn = login(dir.path(), "boss_mn");
    let (files, _) = boss_mn.write_release_request(req, "テスト", &out).unwrap();
    let csv = std::fs::read_to_string(file_named(&files, "_utf8.csv")).unwrap();
    assert!(csv.contains(&my_number(0)));
    let reveal = trail(&boss_mn)
        .into_iter()
        .find(|(a, t, _)| a == "reveal_my_number" && t == &format!("release_request:{req}"))
        .expect("the numbers written are audited");
    assert!(reveal.2.contains("個人番号 1 件"), "{}", reveal.2);
    assert!(
        reveal
            .2
            .contains(&format!("********{}", &my_number(0)[8..])),
        "{}",
        reveal.2
    );
    no_number_in_trail(&boss_mn, &(0..15).map(my_number).collect::<Vec<_>>());
}

#[test]
fn release_candidates_reach_the_screen_masked_and_each_view_is_audited_once() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    for i in [0, 1] {
        clerk
            .decide(
                r[i],
                Choice::new(Decision::SameByVisualCheck),
                "テスト",
                true,
            )
            .unwrap();
    }
    boss.approve(&[r[0], r[1]]).unwrap();
    let before = trail(&boss).len();
    let c = boss.release_candidates().unwrap();
    assert_eq!(c.len(), 2);
    for row in &c {
        assert!(row.my_number.starts_with("********"), "{}", row.my_number);
        assert_eq!(row.my_number.len(), 12);
    }
    let t = trail(&boss);
    assert_eq!(t.len(), before + 1, "one entry per screen opened");
    assert!(t.last().unwrap().2.contains("解除依頼の候補"));
    assert!(t.last().unwrap().2.contains("2 件"));
    // The similar-case list and the letters waiting are audited views too.
    boss.similar_cases(r[0]).unwrap();
    assert!(trail(&boss).last().unwrap().2.contains("類似事案の一覧"));
    clerk.letters_to_print().unwrap();
    assert!(trail(&clerk).last().unwrap().2.contains("印刷を待つ通知文"));
    // A search on the list: audited with the filter, never with what was typed.
    let f = totsugo_core::store::MismatchFilter {
        search: Some("ﾔﾏﾀﾞ".into()),
        ..Default::default()
    };
    let rows = clerk.page_mismatches(&f, None, 50).unwrap();
    let (_, _, d) = trail(&clerk).pop().unwrap();
    assert!(d.contains("不一致の一覧") && d.contains("検索あり"), "{d}");
    assert!(d.contains(&format!("{} 件", rows.len())), "{d}");
    assert!(!d.contains("ﾔﾏﾀﾞ"), "{d}");
    // The next page (scrolling) is not another entry.
    let n = trail(&clerk).len();
    let after = totsugo_core::store::PageCursor::after(rows.last().unwrap(), f.order);
    clerk.page_mismatches(&f, Some(&after), 50).unwrap();
    assert_eq!(trail(&clerk).len(), n);
}

#[test]
fn a_demoted_supervisor_in_an_open_session_cannot_approve() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    clerk
        .decide(
            r[0],
            Choice::new(Decision::SameByVisualCheck),
            "テスト",
            true,
        )
        .unwrap();
    let lines = boss.approval_lines(&[r[0]]).unwrap();
    // The administrator demotes the supervisor while their session stays open.
    let mut admin = open(&store(dir.path()));
    let id = user_id(&admin, "boss");
    admin
        .set_user_rights(id, Roles::of(&[Role::Clerk]), false)
        .unwrap();
    assert!(!boss.may(Permission::Approve));
    let seen: Vec<(i64, i64)> = lines.iter().map(|l| (l.record_id, l.decision_id)).collect();
    assert!(matches!(
        boss.approve_seen(&seen),
        Err(SessionError::Forbidden(Permission::Approve))
    ));
    assert!(matches!(
        boss.approve(&[r[0]]),
        Err(SessionError::Forbidden(Permission::Approve))
    ));
    assert!(matches!(
        boss.authorize_approval(&[clerk.user().id]),
        Err(SessionError::Forbidden(Permission::Approve))
    ));
    assert_eq!(state(&clerk, r[0]), ReviewState::Decided);
}

#[test]
fn a_disabled_user_in_an_open_session_cannot_decide() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let mut admin = open(&store(dir.path()));
    let id = user_id(&admin, "clerk1");
    admin.disable_user(id).unwrap();
    let e = clerk
        .decide(
            r[0],
            Choice::new(Decision::SameByVisualCheck),
            "テスト",
            true,
        )
        .expect_err("refused");
    // The rights read again refuse a disabled user (「この利用者は無効にされています」); since
    // a disable also re-keys the store (§1), the open connection may fail even earlier, on
    // the old key. Either way nothing is decided.
    assert!(
        matches!(e, SessionError::Disabled | SessionError::Store(_)),
        "{e}"
    );
    assert!(clerk.open_record(r[0]).is_err());
    assert_eq!(
        admin.store().record_review(r[0]).unwrap().unwrap().state,
        ReviewState::Undecided
    );
}

#[test]
fn an_approval_fails_whole_when_a_decision_changed_after_the_lines_were_loaded() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    clerk
        .decide(
            r[0],
            Choice::new(Decision::SameByVisualCheck),
            "テスト",
            true,
        )
        .unwrap();
    clerk
        .decide(
            r[1],
            Choice::new(Decision::SameByVisualCheck),
            "テスト",
            true,
        )
        .unwrap();
    let lines = boss.approval_lines(&[r[0], r[1]]).unwrap();
    let seen: Vec<(i64, i64)> = lines.iter().map(|l| (l.record_id, l.decision_id)).collect();
    // The clerk changes r1 after the supervisor read the table: 番号誤り instead.
    clerk.undo_last_decision().unwrap();
    clerk
        .decide(r[1], Choice::new(Decision::WrongNumber), "別人の番号", true)
        .unwrap();
    let approvals = trail(&boss)
        .iter()
        .filter(|(a, _, _)| a == "approval")
        .count();
    let e = boss.approve_seen(&seen).expect_err("refused");
    assert!(
        matches!(e, SessionError::DecisionChanged(id) if id == r[1]),
        "{e}"
    );
    assert!(e.to_string().contains("一件も承認していません"), "{e}");
    // Nothing changed: r0 still waits, no batch, no approval entry.
    assert_eq!(state(&boss, r[0]), ReviewState::Decided);
    assert_eq!(state(&boss, r[1]), ReviewState::Decided);
    assert!(
        boss.record_review(r[0]).unwrap().unwrap().1[0]
            .batch_id
            .is_none()
    );
    assert_eq!(
        trail(&boss)
            .iter()
            .filter(|(a, _, _)| a == "approval")
            .count(),
        approvals
    );
    // Read again, the table approves what it now shows.
    let lines = boss.approval_lines(&[r[0], r[1]]).unwrap();
    assert!(lines[1].decision.contains("誤") || lines[1].decision_id != seen[1].1);
    let seen: Vec<(i64, i64)> = lines.iter().map(|l| (l.record_id, l.decision_id)).collect();
    boss.approve_seen(&seen).unwrap();
    assert_eq!(state(&boss, r[1]), ReviewState::Approved);
    // The same table approved twice: the second fails (already approved), nothing doubled.
    assert!(matches!(
        boss.approve_seen(&seen),
        Err(SessionError::DecisionChanged(_))
    ));
}

#[test]
fn a_decision_on_an_approved_record_is_refused_and_the_approval_stands() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    let first = clerk
        .decide(
            r[0],
            Choice::new(Decision::SameByVisualCheck),
            "テスト",
            true,
        )
        .unwrap();
    // The clerk opened the record; the supervisor approves meanwhile.
    let opened = clerk.open_record(r[0]).unwrap().unwrap();
    assert_eq!(opened.review.state, ReviewState::Decided);
    boss.approve(&[r[0]]).unwrap();
    let e = clerk
        .decide(r[0], Choice::new(Decision::WrongNumber), "やはり別人", true)
        .expect_err("refused");
    assert!(matches!(e, SessionError::AlreadyApproved(_)), "{e}");
    assert!(matches!(
        clerk.undo_last_decision(),
        Err(SessionError::NothingToUndo)
    ));
    let (review, history) = clerk.record_review(r[0]).unwrap().unwrap();
    assert_eq!(review.state, ReviewState::Approved);
    assert_eq!(review.decision.unwrap().id, first);
    assert_eq!(history.len(), 1);
}

#[test]
fn decisions_racing_an_approval_never_overwrite_it() {
    // The clerk re-decides records while the supervisor approves them, on two connections:
    // every approved record keeps the decision that was approved.
    let dir = tempdir();
    let r = setup(dir.path());
    let ids: Vec<i64> = [0usize, 1, 2, 3, 9, 10, 11, 13, 14]
        .iter()
        .map(|i| r[*i])
        .collect();
    let clerk = login(dir.path(), "clerk1");
    for id in &ids {
        clerk
            .decide(
                *id,
                Choice::new(Decision::SameByVisualCheck),
                "テスト",
                true,
            )
            .unwrap();
    }
    // Both logged in first (logging in is not what is raced), then started together.
    let boss = login(dir.path(), "boss");
    let start = std::sync::Arc::new(std::sync::Barrier::new(2));
    let go = start.clone();
    let ids2 = ids.clone();
    let redecide = std::thread::spawn(move || {
        go.wait();
        for _ in 0..10 {
            for id in &ids2 {
                let _ = clerk.decide(*id, Choice::new(Decision::SameByDocuments), "再確認", true);
            }
        }
    });
    start.wait();
    let mut approved_any = false;
    for id in &ids {
        approved_any |= boss.approve(&[*id]).is_ok();
    }
    redecide.join().unwrap();
    assert!(approved_any, "the race approved something");
    for id in &ids {
        let (review, history) = boss.record_review(*id).unwrap().unwrap();
        let approved: Vec<_> = history.iter().filter(|d| d.batch_id.is_some()).collect();
        assert!(approved.len() <= 1);
        if let Some(a) = approved.first() {
            assert_eq!(review.state, ReviewState::Approved, "record {id}");
            assert_eq!(review.decision.as_ref().unwrap().id, a.id, "record {id}");
            assert!(history.iter().all(|d| d.id <= a.id), "nothing after it");
        }
    }
}

#[test]
fn an_administrator_cannot_grant_themselves_supervisor_or_the_my_number_right() {
    let dir = tempdir();
    setup(dir.path());
    let mut admin = open(&store(dir.path()));
    let me = admin.user().id;
    for (roles, reveal) in [
        (Roles::of(&[Role::Administrator, Role::Supervisor]), false),
        (Roles::of(&[Role::Administrator]), true),
    ] {
        let e = admin
            .set_user_rights(me, roles, reveal)
            .expect_err("refused");
        assert!(e.to_string().contains("管理者があなた1人だけ"), "{e}");
    }
    assert!(!admin.may(Permission::Approve));
    assert!(!admin.may(Permission::RevealMyNumber));
    // With a second administrator: still not by oneself, but by the other.
    add_person(
        &store(dir.path()),
        "admin2",
        "管理 次郎",
        Role::Administrator,
        false,
    );
    let e = admin
        .set_user_rights(
            me,
            Roles::of(&[Role::Administrator, Role::Supervisor]),
            true,
        )
        .expect_err("refused");
    assert!(e.to_string().contains("別の管理者"), "{e}");
    let mut admin2 = login(dir.path(), "admin2");
    admin2
        .set_user_rights(
            me,
            Roles::of(&[Role::Administrator, Role::Supervisor]),
            true,
        )
        .unwrap();
    assert!(admin.may(Permission::Approve), "read again from the store");
    assert!(admin.may(Permission::RevealMyNumber));
    // Giving up a right oneself stays possible.
    admin
        .set_user_rights(me, Roles::of(&[Role::Administrator]), false)
        .unwrap();
    assert!(!admin.may(Permission::RevealMyNumber));
}

#[test]
fn an_unapproved_number_correct_reply_is_no_release_candidate_until_approved() {
    let dir = tempdir();
    let r = setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let boss = login(dir.path(), "boss");
    clerk
        .decide(r[4], Choice::letter(LetterType::A), "テスト", true)
        .unwrap();
    clerk
        .decide(r[3], Choice::new(Decision::AskEmployer), "テスト", true)
        .unwrap();
    boss.approve(&[r[4], r[3]]).unwrap();
    clerk
        .record_letters_printed(&[(r[4], LetterType::A)], "2099-12-31", false)
        .unwrap();
    // The clerk records "number correct" (the reply) and the employer's answer alone.
    clerk
        .record_follow_up(r[4], FollowUp::NumberCorrect, None, "本人回答", false)
        .unwrap();
    clerk
        .record_follow_up(r[3], FollowUp::NumberCorrect, None, "事業主回答", false)
        .unwrap();
    let ids = |s: &Session| -> Vec<i64> {
        s.release_candidates()
            .unwrap()
            .iter()
            .map(|c| c.record_id)
            .collect()
    };
    assert!(ids(&boss).is_empty(), "not before a supervisor approves");
    assert_eq!(boss.review_progress().unwrap().ready, [0, 0, 0]);
    assert!(matches!(
        boss.make_release_request(&[r[4]]),
        Err(SessionError::NotReleasable)
    ));
    // A clerk cannot approve it; the supervisor sees both, as recorded.
    assert!(matches!(
        clerk.outcomes_to_approve(),
        Err(SessionError::Forbidden(Permission::Approve))
    ));
    let lines = boss.outcomes_to_approve().unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.outcome == FollowUp::NumberCorrect));
    // The reply is recorded again (changed) after the supervisor read it: nothing approved.
    clerk
        .record_follow_up(
            r[4],
            FollowUp::NumberCorrect,
            None,
            "本人回答（電話で再確認）",
            false,
        )
        .unwrap();
    let e = boss.approve_outcomes(&lines).expect_err("refused");
    assert!(matches!(e, SessionError::OutcomeChanged(_)), "{e}");
    assert!(ids(&boss).is_empty());
    // Read again and approved: both become candidates.
    let lines = boss.outcomes_to_approve().unwrap();
    assert_eq!(boss.approve_outcomes(&lines).unwrap(), 2);
    let mut got = ids(&boss);
    got.sort();
    let mut want = vec![r[3], r[4]];
    want.sort();
    assert_eq!(got, want);
    assert!(boss.outcomes_to_approve().unwrap().is_empty());
    // A supervisor who recorded an outcome cannot approve it.
    clerk
        .record_follow_up(r[3], FollowUp::NumberWrong, None, "事業主から訂正", false)
        .unwrap();
    boss.record_follow_up(r[3], FollowUp::NumberCorrect, None, "再回答", false)
        .unwrap();
    assert!(!ids(&boss).contains(&r[3]), "recorded again: approval gone");
    assert!(boss.outcomes_to_approve().unwrap().is_empty());
    let other = open(&store(dir.path()))
        .store()
        .outcomes_to_approve()
        .unwrap();
    assert!(matches!(
        boss.approve_outcomes(&other),
        Err(SessionError::OwnOutcome(_))
    ));
}

#[test]
fn rights_are_read_again_for_every_action_and_that_stays_cheap() {
    let dir = tempdir();
    setup(dir.path());
    let clerk = login(dir.path(), "clerk1");
    let n = 5_000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        clerk.require(Permission::Review).unwrap();
    }
    let each = t.elapsed() / n;
    eprintln!("require: {each:?} per call (one indexed read of the user row)");
    assert!(
        each < std::time::Duration::from_millis(1),
        "{each:?} per call"
    );
}
