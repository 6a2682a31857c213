//! The supervisor's approval screen: decided records grouped by clerk and day (or as the
//! supervisor chooses), each line with what there is to judge by (the decision, the name, the
//! suggestion, the memo and any contradiction the clerk confirmed), approved in batches after
//! a confirmation, with records left out, never their own.

use super::{DeskAction, RED, combo, suggestion_color};
use crate::{Action, App};
use egui::{RichText, Ui};

/// The supervisor's approval screen: decided records by clerk and day.
pub fn batches(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("承認");
    ui.label(
        "担当者の判断をまとめて承認します。ご自身の判断はここに出ません。赤い注意は、担当者が根拠と矛盾する判断を確認して登録したものです。",
    );
    let mut grouping = Some(app.desk.grouping);
    let options: Vec<_> = totsugo_core::review::BatchGrouping::ALL
        .iter()
        .map(|g| (Some(*g), g.label_ja().to_string()))
        .collect();
    if combo(ui, "まとめ方", &mut grouping, &options)
        && let Some(g) = grouping
    {
        actions.push(Action::Desk(DeskAction::GroupBatches(g)));
    }
    crate::widgets::message(ui, app);
    outcomes(ui, app, actions);
    if app.desk.batches.is_empty() {
        ui.label("承認待ちの判断はありません");
        return;
    }
    let batches = app.desk.batches.clone();
    for (i, b) in batches.iter().enumerate() {
        ui.separator();
        ui.label(RichText::new(format!("{}　{} 件", b.title(), b.record_ids.len())).strong());
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "①{}　②{}　③{}　停止なし{}",
                b.by_case[0], b.by_case[1], b.by_case[2], b.by_case[3]
            ));
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
            .num_columns(8)
            .striped(true)
            .show(ui, |ui| {
                for h in [
                    "含める",
                    "記号・番号",
                    "カナ氏名",
                    "区分",
                    "判断",
                    "提案",
                    "メモ",
                    "注意",
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for id in &b.record_ids {
                    let line = app.desk.approval_lines.get(id).cloned();
                    let mut included = !app.desk.left_out.contains(id);
                    if ui
                        .checkbox(&mut included, "")
                        .on_hover_text("承認に含める")
                        .changed()
                    {
                        if included {
                            app.desk.left_out.remove(id);
                        } else {
                            app.desk.left_out.insert(*id);
                        }
                    }
                    let Some(l) = line else {
                        if ui.button(format!("記録 {id}")).clicked() {
                            actions.push(Action::Desk(DeskAction::OpenRecord(*id)));
                        }
                        ui.end_row();
                        continue;
                    };
                    if ui.button(&l.card).clicked() {
                        actions.push(Action::Desk(DeskAction::OpenRecord(*id)));
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
                    ui.label(&l.memo);
                    if l.overrode.is_empty() {
                        ui.label("");
                    } else {
                        ui.label(
                            RichText::new(format!("確認して登録: {}", l.overrode.join("。")))
                                .color(RED)
                                .strong(),
                        );
                    }
                    ui.end_row();
                }
            });
    }
    if let Some(i) = app.desk.confirm_approval {
        confirm(ui.ctx(), app, i, actions);
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
                .is_some_and(|l| !l.overrode.is_empty())
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
                    "うち {forced} 件は、担当者が根拠と矛盾する判断を確認して登録したものです。"
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
