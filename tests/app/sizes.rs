//! Every screen at the smallest window (900×600) and a large one (1920×1080): opened from
//! the header, scrolled to the bottom with the mouse wheel, its last control in the window
//! and clicked, and what it does seen on the screen (issue 13: controls that fell off the
//! window or were cut at the minimum size).
#![cfg(feature = "gui")]

use crate::common::{ADMIN, PASSWORD, PERSON_PW, set_letterhead};
use crate::ui::*;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use totsugo_app::App;
use totsugo_core::review::{Choice, Decision, LetterType};
use totsugo_core::session::Session;

/// The header's navigation: never a screen's own control.
const HEADER: [&str; 12] = [
    "ホーム",
    "不一致の一覧",
    "承認",
    "取り込み",
    "通知文",
    "解除依頼",
    "件数の報告",
    "定期点検",
    "利用者の管理",
    "ヘルプ",
    "パスワードの変更",
    "ログアウト",
];

/// What the screen shows: every node's role, name, state and place (to tell that a click
/// changed something the user sees).
fn snapshot(h: &Harness<'_, App>) -> Vec<String> {
    h.root()
        .children_recursive()
        .map(|n| {
            let a = n.accesskit_node();
            format!(
                "{:?}|{}|{:?}|{}|{:?}|{}",
                a.role(),
                a.label().unwrap_or_default(),
                a.toggled(),
                a.is_disabled(),
                a.value(),
                a.is_focused()
            )
        })
        .collect()
}

/// The screen's controls (buttons, check boxes, fields), without the header's: (name, rect,
/// enabled).
fn controls(h: &Harness<'_, App>) -> Vec<(String, egui::Rect, bool)> {
    h.root()
        .children_recursive()
        .filter(|n| n.accesskit_node().bounding_box().is_some())
        .filter(|n| {
            matches!(
                n.accesskit_node().role(),
                Role::Button
                    | Role::CheckBox
                    | Role::TextInput
                    | Role::ComboBox
                    | Role::DisclosureTriangle
            )
        })
        .map(|n| {
            let a = n.accesskit_node();
            (a.label().unwrap_or_default(), n.rect(), !a.is_disabled())
        })
        .filter(|(label, _, _)| !HEADER.contains(&label.as_str()))
        .collect()
}

/// Scrolls the screen to its bottom with the mouse wheel: over its middle, then over its
/// lower part (a list or a panel of its own there scrolls too).
fn scroll_to_bottom(h: &mut Harness<'_, App>, size: [f32; 2]) {
    wheel(h, size, 60, -400.0);
    // Over the right edge (the screen's scroll bar), where no field of its own scrolls.
    h.hover_at(egui::pos2(size[0] - 6.0, size[1] * 0.6));
    wheel_here(h, 60, -400.0);
    h.hover_at(egui::pos2(size[0] / 2.0, size[1] * 0.9));
    wheel_here(h, 60, -400.0);
}

/// `times` turns of the mouse wheel by `dy` points over the middle of the screen.
fn wheel(h: &mut Harness<'_, App>, size: [f32; 2], times: usize, dy: f32) {
    h.hover_at(egui::pos2(size[0] / 2.0, size[1] * 0.45));
    wheel_here(h, times, dy);
}

/// `times` turns of the mouse wheel by `dy` points where the pointer is.
fn wheel_here(h: &mut Harness<'_, App>, times: usize, dy: f32) {
    for _ in 0..times {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, dy),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
    }
    settle(h);
}

/// Checks the header is whole (each button inside the window), scrolls to the bottom, and
/// clicks the last enabled control of the screen, which must be inside the window; returns
/// its name. The click must change what the screen shows.
fn click_last(h: &mut Harness<'_, App>, size: [f32; 2], screen: &str) -> String {
    let full = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(size[0], size[1]));
    let mut header_bottom: f32 = 0.0;
    for label in HEADER {
        if let Some(b) = h.query_by_role_and_label(Role::Button, label) {
            let r = b.rect();
            assert!(
                full.contains_rect(r),
                "{screen} at {size:?}: the header's 「{label}」 is cut: {r:?}"
            );
            header_bottom = header_bottom.max(r.bottom());
        }
    }
    // The screen's own part of the window, below the header.
    let window = egui::Rect::from_min_max(egui::pos2(0.0, header_bottom), full.max);
    scroll_to_bottom(h, size);
    let all = controls(h);
    let Some((label, rect, _)) = all
        .iter()
        .filter(|(_, _, enabled)| *enabled)
        .max_by(|a, b| {
            (a.1.bottom(), a.1.left())
                .partial_cmp(&(b.1.bottom(), b.1.left()))
                .unwrap()
        })
        .cloned()
    else {
        // A screen of text only (the help): nothing to click.
        return "（操作なし）".into();
    };
    assert!(
        rect.bottom() <= size[1] && rect.right() <= size[0],
        "{screen} at {size:?}: the last control 「{label}」 is below or beside the window after scrolling to the bottom: {rect:?}"
    );
    // Above the window (the screen ends with a chart or text): back up to it with the wheel.
    let find = |h: &Harness<'_, App>| {
        controls(h)
            .into_iter()
            .find(|(l, r, _)| *l == label && (r.left() - rect.left()).abs() < 0.5)
            .map(|(_, r, _)| r)
            .unwrap()
    };
    let mut rect = rect;
    for _ in 0..100 {
        if rect.top() >= window.top() {
            break;
        }
        wheel(h, size, 1, 60.0);
        rect = find(h);
    }
    assert!(
        window.contains_rect(rect.shrink(1.0)),
        "{screen} at {size:?}: the last control 「{label}」 cannot be brought into the window: {rect:?}"
    );
    let before = (
        snapshot(h),
        h.state().screen.clone(),
        h.state().message.clone(),
    );
    // Click it where the user would, with the mouse.
    let node = h
        .root()
        .children_recursive()
        .filter(|n| n.accesskit_node().bounding_box().is_some())
        .find(|n| n.rect() == rect && n.accesskit_node().label().unwrap_or_default() == label)
        .unwrap();
    node.click();
    settle(h);
    let after = (
        snapshot(h),
        h.state().screen.clone(),
        h.state().message.clone(),
    );
    assert_ne!(
        before, after,
        "{screen} at {size:?}: clicking the last control 「{label}」 changed nothing on the screen"
    );
    // Whatever it opened (a dialog, a menu) goes away with Escape.
    h.key_press(egui::Key::Escape);
    settle(h);
    label
}

/// A demo store with a letterhead, a clerk's decisions (one letter and two "same person"
/// waiting for approval, two approved) and a supervisor; returns one decided record.
fn day_store(dir: &std::path::Path) -> i64 {
    demo_store(dir);
    set_letterhead(&crate::common::open(dir));
    let pw = clerk(dir, "clerk1");
    supervisor(dir, "boss");
    let s = Session::login(dir, "clerk1", pw).unwrap();
    let rows = in_scope(&s, 5);
    s.decide(
        rows[0].id,
        Choice::letter(LetterType::A),
        "本人に確認",
        true,
    )
    .unwrap();
    for r in &rows[1..] {
        s.decide(r.id, Choice::new(Decision::SameByVisualCheck), "確認", true)
            .unwrap();
    }
    // Two approved: ready for a release request.
    Session::login(dir, "boss", PERSON_PW)
        .unwrap()
        .approve(&[rows[3].id, rows[4].id])
        .unwrap();
    rows[1].id
}

fn every_screen_at(size: [f32; 2]) {
    let dir = crate::common::tempdir();
    let record = day_store(dir.path());
    let mut seen = Vec::new();
    // The supervisor's day: list, a record, approval, letters, release, report, reviews, help.
    let mut h = app_sized(dir.path(), size);
    settle(&mut h);
    log_in(&mut h, "boss", PERSON_PW);
    for screen in [
        "ホーム",
        "不一致の一覧",
        "承認",
        "通知文",
        "解除依頼",
        "件数の報告",
        "定期点検",
        "ヘルプ",
    ] {
        click(&mut h, screen);
        seen.push((screen.to_string(), click_last(&mut h, size, screen)));
    }
    // The review screen of a record, and the approval screen with a record selected.
    h.state_mut().apply(totsugo_app::Action::Desk(
        totsugo_app::DeskAction::OpenRecord(record),
    ));
    settle(&mut h);
    seen.push(("レビュー".into(), click_last(&mut h, size, "レビュー")));
    click(&mut h, "承認");
    h.key_press(egui::Key::ArrowDown);
    settle(&mut h);
    assert!(h.state().desk.approval_selected.is_some());
    // The selected record side by side in its panel below the table: scrolled to its end,
    // the panel's controls are in the window and open the record.
    h.hover_at(egui::pos2(size[0] / 2.0, size[1] - 40.0));
    wheel_here(&mut h, 40, -400.0);
    for label in ["レビュー画面で開く", "この記録を差し戻す"] {
        let r = h.get_by_role_and_label(Role::Button, label).rect();
        assert!(
            r.right() <= size[0] && r.bottom() <= size[1] && r.top() >= 0.0,
            "承認 at {size:?}: 「{label}」 outside the window: {r:?}"
        );
    }
    assert!(h.query_by_label("住民基本台帳（J-LIS）").is_some());
    click(&mut h, "レビュー画面で開く");
    assert_eq!(
        h.state().screen,
        totsugo_app::Screen::Review,
        "{:?}",
        h.state().message
    );
    seen.push(("承認（選択）".into(), "レビュー画面で開く".into()));
    click(&mut h, "ログアウト");
    // The administrator's: import, users (and settings), report, help.
    log_in(&mut h, ADMIN, PASSWORD);
    for screen in [
        "ホーム",
        "取り込み",
        "利用者の管理",
        "件数の報告",
        "定期点検",
    ] {
        click(&mut h, screen);
        seen.push((screen.to_string(), click_last(&mut h, size, screen)));
    }
    eprintln!("{size:?}: {seen:?}");
}

#[test]
fn every_screen_scrolls_to_its_last_control_at_900_by_600() {
    every_screen_at([900.0, 600.0]);
}

#[test]
fn every_screen_scrolls_to_its_last_control_at_1920_by_1080() {
    every_screen_at([1920.0, 1080.0]);
}
