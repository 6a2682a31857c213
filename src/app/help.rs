//! The help screen: the rules as the official notices give them and what totsugo chose where
//! they are silent (the core's one list, [`totsugo_core::help::RULES`]), and the table of
//! decisions and count-report items.

use egui::{RichText, Ui};

use crate::{Action, App};

/// The help screen.
pub fn ui(ui: &mut Ui, app: &mut App, _actions: &mut Vec<Action>) {
    ui.heading("ヘルプ: 点検のきまりと totsugo の扱い");
    crate::widgets::message(ui, app);
    ui.label("通知が定めていることはそのとおりに、通知にないことは totsugo が選んだ扱いを、出典とともに示します。");
    ui.add_space(8.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for r in totsugo_core::help::RULES {
                ui.label(RichText::new(r.topic).strong());
                ui.label(r.what);
                ui.label(RichText::new(format!("出典: {}", r.source)).weak());
                ui.add_space(8.0);
            }
            ui.separator();
            ui.label(RichText::new("判断と件数の報告の設問").strong());
            crate::widgets::report_mapping(ui, "help-mapping");
        });
}
