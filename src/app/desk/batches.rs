//! The supervisor's approval screen: decided records grouped by clerk and day (or as the
//! supervisor chooses), each batch a table with what there is to judge by (the record, the
//! case, the decision, the suggestion, the items that differ, the memo, the warnings), the
//! lines that need attention marked and first (the core's order); ↑/↓ move through the lines
//! with the selected record side by side below, where it can be sent back with a reason.
//! Approved in batches after a confirmation that counts them, with records left out, never
//! the supervisor's own.

use super::{AMBER, DeskAction, RED, batch_order, combo, suggestion_color};
use crate::{Action, App};
use egui::{RichText, TextEdit, Ui};
use totsugo_core::session::ApprovalLine;

/// The supervisor's approval screen: decided records by clerk and day.
pub fn batches(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    let typing = ui.ctx().text_edit_focused() || app.desk.confirm_approval.is_some();
    let moved = if typing { None } else { arrow_keys(ui, app) };
    if let Some(id) = moved {
        actions.push(Action::Desk(DeskAction::SelectApprovalLine(id)));
    }
    if let Some(id) = app.desk.approval_selected {
        let height = (ui.available_height() * 0.45).max(220.0);
        egui::Panel::bottom("approval-preview")
            .resizable(true)
            .default_size(height)
            .show(ui, |ui| {
                // The record's line and the send-back stay in place; its items scroll.
                preview_header(ui, app, id, actions);
                egui::ScrollArea::vertical()
                    .auto_shrink([false, true])
                    .id_salt("approval-preview-scroll")
                    .show(ui, |ui| preview(ui, app, id));
            });
    }
    // Both ways: a wide table in a narrow window is scrolled to, never cut.
    egui::ScrollArea::both()
        .auto_shrink([false, true])
        .id_salt("batches-scroll")
        .show(ui, |ui| table(ui, app, moved, actions));
    if let Some(i) = app.desk.confirm_approval {
        confirm(ui.ctx(), app, i, actions);
    }
}

/// The line ↑ or ↓ moves the selection to (the first line when nothing is selected yet).
fn arrow_keys(ui: &Ui, app: &App) -> Option<i64> {
    let (up, down) = ui.input(|i| {
        (
            i.key_pressed(egui::Key::ArrowUp) && i.modifiers.is_none(),
            i.key_pressed(egui::Key::ArrowDown) && i.modifiers.is_none(),
        )
    });
    if !up && !down {
        return None;
    }
    let order = app.approval_display_order();
    let at = app
        .desk
        .approval_selected
        .and_then(|s| order.iter().position(|id| *id == s));
    let next = match (at, down) {
        (None, _) => 0,
        (Some(i), true) => (i + 1).min(order.len().saturating_sub(1)),
        (Some(i), false) => i.saturating_sub(1),
    };
    order
        .get(next)
        .copied()
        .filter(|id| Some(*id) != app.desk.approval_selected)
}

/// The header, the follow-up outcomes and one table per batch.
fn table(ui: &mut Ui, app: &mut App, moved: Option<i64>, actions: &mut Vec<Action>) {
    ui.heading("承認");
    ui.label(
        "担当者の判断をまとめて承認します。ご自身の判断はここに出ません。赤い「要確認」の行（根拠と矛盾する判断、本当の違いがあるのに同一人物とした判断）を先に並べます。↑↓ キーで行を選ぶと、下に記録を並べて表示します。",
    );
    let mut grouping = Some(app.desk.grouping);
    let options: Vec<_> = totsugo_core::review::BatchGrouping::ALL
        .iter()
        .map(|g| (Some(*g), g.label_ja().to_string()))
        .collect();
    ui.horizontal(|ui| {
        if combo(ui, "まとめ方", &mut grouping, &options)
            && let Some(g) = grouping
        {
            actions.push(Action::Desk(DeskAction::GroupBatches(g)));
        }
    });
    crate::widgets::message(ui, app);
    outcomes(ui, app, actions);
    if app.desk.batches.is_empty() {
        ui.label("承認待ちの判断はありません");
        return;
    }
    let batches = app.desk.batches.clone();
    for (i, b) in batches.iter().enumerate() {
        ui.separator();
        let ids = batch_order(&app.desk.approval_order, &b.record_ids);
        let marked = ids
            .iter()
            .filter(|id| {
                app.desk
                    .approval_lines
                    .get(id)
                    .is_some_and(ApprovalLine::needs_attention)
            })
            .count();
        ui.label(RichText::new(format!("{}　{} 件", b.title(), b.record_ids.len())).strong());
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "①{}　②{}　③{}　停止なし{}",
                b.by_case[0], b.by_case[1], b.by_case[2], b.by_case[3]
            ));
            if marked > 0 {
                ui.label(
                    RichText::new(format!("要確認 {marked} 件"))
                        .color(RED)
                        .strong(),
                );
            }
            if ui.button("すべて含める").clicked() {
                for id in &b.record_ids {
                    app.desk.left_out.remove(id);
                }
            }
            if ui.button("すべて外す").clicked() {
                app.desk.left_out.extend(b.record_ids.iter().copied());
            }
            let chosen = b
                .record_ids
                .iter()
                .filter(|id| !app.desk.left_out.contains(id))
                .count();
            if ui
                .add_enabled(chosen > 0, egui::Button::new(format!("{chosen} 件を承認…")))
                .clicked()
            {
                actions.push(Action::Desk(DeskAction::AskApproveBatch(i)));
            }
        });
        egui::Grid::new(("approval-lines", i))
            .num_columns(10)
            .striped(true)
            .show(ui, |ui| {
                for h in [
                    "含める",
                    "記号・番号",
                    "カナ氏名",
                    "区分",
                    "判断",
                    "提案",
                    "違う項目",
                    "メモ",
                    "要確認",
                    "注意",
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for id in &ids {
                    line(ui, app, *id, moved, actions);
                }
            });
    }
}

/// One line of a batch's table.
fn line(ui: &mut Ui, app: &mut App, id: i64, moved: Option<i64>, actions: &mut Vec<Action>) {
    let mut included = !app.desk.left_out.contains(&id);
    if ui
        .checkbox(&mut included, "")
        .on_hover_text("承認に含める")
        .changed()
    {
        if included {
            app.desk.left_out.remove(&id);
        } else {
            app.desk.left_out.insert(id);
        }
    }
    let selected = app.desk.approval_selected == Some(id);
    let Some(l) = app.desk.approval_lines.get(&id) else {
        if ui
            .selectable_label(selected, format!("記録 {id}"))
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::SelectApprovalLine(id)));
        }
        ui.end_row();
        return;
    };
    let card = ui
        .selectable_label(selected, &l.card)
        .on_hover_text("選ぶと下に並べて表示します");
    if card.clicked() {
        actions.push(Action::Desk(DeskAction::SelectApprovalLine(id)));
    }
    if moved == Some(id) {
        card.scroll_to_me(None);
    }
    ui.label(&l.kana_name);
    ui.label(l.case.symbol());
    let mut decision = l.decision.clone();
    if let Some(f) = l.follow_up {
        decision.push_str(&format!("（{}）", f.label_ja()));
    }
    ui.label(decision);
    match l.suggestion {
        Some(s) => {
            ui.label(RichText::new(s.label_ja()).color(suggestion_color(s)));
        }
        None => {
            ui.label("");
        }
    }
    ui.vertical(|ui| {
        ui.set_min_width(110.0);
        if !l.differs.is_empty() {
            ui.label(RichText::new(items_ja(&l.differs)).color(RED));
        }
        if !l.notation.is_empty() {
            ui.label(RichText::new(format!("表記ゆれ: {}", items_ja(&l.notation))).color(AMBER));
        }
    });
    // Columns that wrap keep a readable width (a memo was one character a line).
    ui.vertical(|ui| {
        ui.set_min_width(120.0);
        ui.set_max_width(200.0);
        ui.add(egui::Label::new(&l.memo).wrap());
    });
    ui.vertical(|ui| {
        ui.set_min_width(180.0);
        ui.set_max_width(260.0);
        for why in &l.attention {
            ui.add(
                egui::Label::new(RichText::new(format!("要確認: {why}")).color(RED).strong())
                    .wrap(),
            );
        }
    });
    ui.vertical(|ui| {
        ui.set_max_width(220.0);
        for w in &l.warnings {
            ui.add(egui::Label::new(RichText::new(w).color(AMBER)).wrap());
        }
    });
    ui.end_row();
}

/// Items as the supervisor reads them (漢字氏名・住所).
fn items_ja(items: &[totsugo_core::record::Item]) -> String {
    items
        .iter()
        .map(|i| i.label_ja())
        .collect::<Vec<_>>()
        .join("・")
}

/// The selected record's line: its card, case and decision, 「レビュー画面で開く」 and the
/// send-back with its reason.
fn preview_header(ui: &mut Ui, app: &mut App, id: i64, actions: &mut Vec<Action>) {
    let Some(l) = app.desk.approval_lines.get(&id).cloned() else {
        return;
    };
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!("{}　{}　{}", l.card, l.case.symbol(), l.decision)).strong(),
        );
        if ui.button("レビュー画面で開く").clicked() {
            actions.push(Action::Desk(DeskAction::OpenRecord(id)));
        }
    });
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("差し戻しの理由");
        ui.add(TextEdit::singleline(&mut app.desk.send_back_reason).desired_width(360.0))
            .labelled_by(l.id);
        let ok = !app.desk.send_back_reason.trim().is_empty();
        if ui
            .add_enabled(ok, egui::Button::new("この記録を差し戻す"))
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::SendBackLine(id)));
        }
    });
}

/// The selected record side by side, under its memo.
fn preview(ui: &mut Ui, app: &App, id: i64) {
    if let Some(l) = app.desk.approval_lines.get(&id)
        && !l.memo.is_empty()
    {
        ui.label(format!("メモ: {}", l.memo));
    }
    match &app.desk.approval_preview {
        Some((pid, reviewed)) if *pid == id => {
            super::review::side_by_side(ui, "approval-side-by-side", id, reviewed);
        }
        _ => {
            ui.label("記録を読み込めませんでした");
        }
    }
}

/// The confirmation before a batch is approved: how many, and how many rest on a
/// contradiction the clerk confirmed.
fn confirm(ctx: &egui::Context, app: &App, i: usize, actions: &mut Vec<Action>) {
    let Some(b) = app.desk.batches.get(i) else {
        return;
    };
    let chosen: Vec<i64> = b
        .record_ids
        .iter()
        .copied()
        .filter(|id| !app.desk.left_out.contains(id))
        .collect();
    let forced = chosen
        .iter()
        .filter(|id| {
            app.desk
                .approval_lines
                .get(id)
                .is_some_and(ApprovalLine::needs_attention)
        })
        .count();
    let modal = egui::Modal::new(egui::Id::unique("confirm-approval")).show(ctx, |ui| {
        ui.heading("承認の確認");
        ui.label(format!(
            "{} の判断 {} 件を承認します。",
            b.title(),
            chosen.len()
        ));
        if forced > 0 {
            ui.label(
                RichText::new(format!(
                    "うち {forced} 件は要確認の判断（根拠と矛盾する判断、本当の違いがあるのに同一人物とした判断）です。"
                ))
                .color(RED)
                .strong(),
            );
        }
        ui.label("承認した判断は変えられません。");
        ui.horizontal(|ui| {
            if ui.button("承認する").clicked() {
                actions.push(Action::Desk(DeskAction::ApproveBatch(i)));
            }
            if ui.button("やめる").clicked() {
                actions.push(Action::Desk(DeskAction::CancelApproval));
            }
        });
    });
    if modal.should_close() {
        actions.push(Action::Desk(DeskAction::CancelApproval));
    }
}
/// The follow-up outcomes ("number correct": the person's reply or the employer's answer)
/// waiting for approval: only approved, their records go into a release request. Approved all
/// at once, exactly as listed (one recorded again since fails the whole approval).
fn outcomes(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    if app.desk.outcome_lines.is_empty() {
        return;
    }
    ui.separator();
    ui.label(
        RichText::new(format!(
            "その後の結果の承認　{} 件（承認すると解除依頼に入れられます）",
            app.desk.outcome_lines.len()
        ))
        .strong(),
    );
    egui::Grid::new("outcome-lines")
        .num_columns(6)
        .striped(true)
        .show(ui, |ui| {
            for h in ["記号・番号", "カナ氏名", "判断", "結果", "登録", "メモ"] {
                ui.strong(h);
            }
            ui.end_row();
            for l in &app.desk.outcome_lines {
                if ui.button(&l.card).clicked() {
                    actions.push(Action::Desk(DeskAction::OpenRecord(l.record_id)));
                }
                ui.label(&l.kana_name);
                ui.label(l.decision.label_ja());
                let digits = match l.digits_match {
                    Some(true) => "（下4桁一致）",
                    Some(false) => "（下4桁不一致）",
                    None => "",
                };
                ui.label(format!("{}{digits}", l.outcome.label_ja()));
                ui.label(format!("{}　{}", l.recorded_by_name, l.recorded_at));
                ui.label(&l.memo);
                ui.end_row();
            }
        });
    if ui
        .button(format!(
            "この {} 件の結果を承認",
            app.desk.outcome_lines.len()
        ))
        .clicked()
    {
        actions.push(Action::Desk(DeskAction::ApproveOutcomes));
    }
}
