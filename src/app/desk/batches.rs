//! The supervisor's approval screen: decided records grouped by clerk and day (or as the
//! supervisor chooses), approved in batches with records left out, never their own.

use super::{DeskAction, combo};
use crate::{Action, App};
use egui::{RichText, Ui};

/// The supervisor's approval screen: decided records by clerk and day.
pub fn batches(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("承認");
    ui.label("担当者の判断をまとめて承認します。ご自身の判断はここに出ません。");
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
    if app.desk.batches.is_empty() {
        ui.label("承認待ちの判断はありません");
        return;
    }
    let batches = app.desk.batches.clone();
    for (i, b) in batches.iter().enumerate() {
        ui.separator();
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("{}　{} 件", b.title(), b.record_ids.len())).strong());
            ui.label(format!(
                "①{}　②{}　③{}　停止なし{}",
                b.by_case[0], b.by_case[1], b.by_case[2], b.by_case[3]
            ));
            let chosen = b
                .record_ids
                .iter()
                .filter(|id| !app.desk.left_out.contains(id))
                .count();
            if ui
                .add_enabled(
                    chosen > 0,
                    egui::Button::new(format!("{} の判断を承認", b.title())),
                )
                .clicked()
            {
                actions.push(Action::Desk(DeskAction::ApproveBatch(i)));
            }
            if chosen < b.record_ids.len() {
                ui.label(format!("（{chosen} 件を承認）"));
            }
        });
        ui.horizontal_wrapped(|ui| {
            for id in &b.record_ids {
                let mut included = !app.desk.left_out.contains(id);
                if ui
                    .checkbox(&mut included, format!("承認に含める（記録 {id}）"))
                    .changed()
                {
                    if included {
                        app.desk.left_out.remove(id);
                    } else {
                        app.desk.left_out.insert(*id);
                    }
                }
                if ui.button(format!("記録 {id}")).clicked() {
                    actions.push(Action::Desk(DeskAction::OpenRecord(*id)));
                }
                ui.add_space(12.0);
            }
        });
    }
}
