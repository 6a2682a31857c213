//! Issue 16 §4–§5 in the app: a screen of personal data is audited once when opened, not per
//! repaint; its text cannot be selected and copied; the supervisor approves the follow-up
//! outcome on the approval screen before the record can be released.
#![cfg(feature = "gui")]

use crate::common;
use crate::ui::{clerk, click, demo_store, has_text, logged_in, settle, supervisor};

use std::path::Path;

use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use totsugo_app::{App, Screen};
use totsugo_core::session::Session;

/// Audit entries whose detail contains `what` (read as the administrator).
fn audited(dir: &Path, what: &str) -> usize {
    open(dir)
        .store()
        .audit_entries(None, None)
        .unwrap()
        .iter()
        .filter(|e| e.detail.contains(what))
        .count()
}

/// Drags across the first label containing `text` and asks for a copy: the text copied, if any.
fn copy_label(h: &mut Harness<'_, App>, text: &str) -> Option<String> {
    let rect = h
        .query_all_by_label_contains(text)
        .next()
        .expect("the label is on the screen")
        .rect();
    let (from, to) = (
        rect.left_center() + egui::vec2(1.0, 0.0),
        rect.right_center() - egui::vec2(1.0, 0.0),
    );
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for i in 1..=8 {
        h.hover_at(from + (to - from) * (i as f32 / 8.0));
        h.step();
    }
    h.drop_at(to);
    h.step();
    h.event(egui::Event::Copy);
    h.step();
    h.output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(t) if !t.is_empty() => Some(t.clone()),
            _ => None,
        })
}

#[test]
fn the_list_is_audited_once_when_opened_never_per_repaint_and_its_text_cannot_be_copied() {
    let dir = tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    let mut h = logged_in(dir.path(), "clerk1", pw);
    // The help screen's text can be copied: the drag and copy below do select text.
    click(&mut h, "ヘルプ");
    assert!(
        copy_label(&mut h, "通知が定めていることは").is_some(),
        "the check itself copies selectable text"
    );
    let before = audited(dir.path(), "不一致の一覧を表示");
    click(&mut h, "不一致の一覧");
    assert_eq!(h.state().screen, Screen::Mismatches);
    assert!(!h.state().desk.rows.is_empty());
    assert_eq!(audited(dir.path(), "不一致の一覧を表示"), before + 1);
    // Many repaints later, still one entry.
    for _ in 0..60 {
        h.step();
    }
    settle(&mut h);
    assert_eq!(audited(dir.path(), "不一致の一覧を表示"), before + 1);
    // The review screen's personal data cannot be selected and copied.
    click(&mut h, "ホーム");
    click(&mut h, "次の未判断を開く（① から）");
    assert_eq!(h.state().screen, Screen::Review);
    assert!(has_text(&h, "記号・番号"));
    assert_eq!(copy_label(&mut h, "記号・番号"), None);
}

#[test]
fn a_supervisor_approves_the_reply_on_the_approval_screen_before_it_can_be_released() {
    use totsugo_core::review::{Choice, FollowUp, LetterType};
    let dir = tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    supervisor(dir.path(), "boss");
    let c = Session::login(dir.path(), "clerk1", pw).unwrap();
    let id = crate::ui::in_scope(&c, 1)[0].id;
    c.decide(id, Choice::letter(LetterType::A), "本人へ", true)
        .unwrap();
    Session::login(dir.path(), "boss", pw)
        .unwrap()
        .approve(&[id])
        .unwrap();
    c.record_letters_printed(&[(id, LetterType::A)], "2099-12-31", false)
        .unwrap();
    c.record_follow_up(id, FollowUp::NumberCorrect, None, "本人回答", false)
        .unwrap();
    let ready = |dir: &Path| {
        Session::login(dir, "boss", pw)
            .unwrap()
            .release_candidates()
            .unwrap()
            .iter()
            .any(|r| r.record_id == id)
    };
    assert!(!ready(dir.path()), "not before the supervisor approves it");

    let mut h = logged_in(dir.path(), "boss", pw);
    click(&mut h, "解除依頼");
    assert_eq!(h.state().release.outcomes_waiting, 1);
    assert!(has_text(&h, "承認待ち 1 件"));
    click(&mut h, "承認");
    assert_eq!(h.state().desk.outcome_lines.len(), 1);
    assert!(has_text(&h, "その後の結果の承認"));
    assert!(has_text(&h, "個人番号の誤りなし"));
    click(&mut h, "この 1 件の結果を承認");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(h.state().desk.outcome_lines.is_empty());
    assert!(ready(dir.path()));
}
