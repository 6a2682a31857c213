//! The mismatch list: filters, search, sharing out the work (supervisors) and the rows,
//! paged from the list reader as the clerk scrolls.

use super::{DeskAction, combo, differing_marks, suggestion_color};
use crate::{Action, App};
use egui::{RichText, TextEdit, Ui};

use totsugo_core::auth::Permission;
use totsugo_core::compare::Suggestion;
use totsugo_core::record::{Item, StopCase};
use totsugo_core::review::ReviewState;
use totsugo_core::store::{AssigneeFilter, ListOrder};

/// The mismatch list.
pub fn list(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("不一致の一覧");
    crate::widgets::message(ui, app);
    let me = app.session.as_ref().map(|s| s.user().id);
    let may_assign = app
        .session
        .as_ref()
        .is_some_and(|s| s.may(Permission::Approve));
    let desk = &mut app.desk;
    let mut changed = false;
    // Wrapped: the filters fit a narrow window on two lines rather than running off it.
    ui.horizontal_wrapped(|ui| {
        let cases = [
            (None, "すべて".to_string()),
            (Some(StopCase::Case1), "①".into()),
            (Some(StopCase::Case2), "②".into()),
            (Some(StopCase::Case3), "③".into()),
            (Some(StopCase::NoStop), "停止なし".into()),
        ];
        changed |= combo(ui, "閲覧停止区分", &mut desk.filter.case, &cases);
        let states = [
            (None, "すべて".to_string()),
            (
                Some(ReviewState::Undecided),
                ReviewState::Undecided.label_ja().into(),
            ),
            (
                Some(ReviewState::Decided),
                ReviewState::Decided.label_ja().into(),
            ),
            (
                Some(ReviewState::SentBack),
                ReviewState::SentBack.label_ja().into(),
            ),
            (
                Some(ReviewState::Approved),
                ReviewState::Approved.label_ja().into(),
            ),
        ];
        changed |= combo(ui, "状態", &mut desk.filter.state, &states);
        let suggestions = [
            (None, "すべて".to_string()),
            (
                Some(Suggestion::NotationOnly),
                Suggestion::NotationOnly.label_ja().into(),
            ),
            (
                Some(Suggestion::NeedsReview),
                Suggestion::NeedsReview.label_ja().into(),
            ),
            (
                Some(Suggestion::LikelyWrongNumber),
                Suggestion::LikelyWrongNumber.label_ja().into(),
            ),
        ];
        changed |= combo(ui, "提案", &mut desk.filter.suggestion, &suggestions);
        let lost = [
            (None, "すべて".to_string()),
            (Some(false), "点検対象".into()),
            (Some(true), "資格喪失（対象外）".into()),
        ];
        changed |= combo(ui, "資格", &mut desk.filter.lost, &lost);
        let mut items = vec![(None, "すべて".to_string())];
        items.extend(
            Item::ALL
                .iter()
                .map(|i| (Some(*i), i.label_ja().to_string())),
        );
        changed |= combo(ui, "相違のある項目", &mut desk.filter.differing, &items);
        let mut people = vec![
            (None, "すべて".to_string()),
            (Some(AssigneeFilter::Unassigned), "未割り当て".into()),
        ];
        if let Some(me) = me {
            people.push((Some(AssigneeFilter::User(me)), "自分".into()));
        }
        people.extend(
            desk.reviewers
                .iter()
                .filter(|(id, _)| Some(*id) != me)
                .map(|(id, n)| (Some(AssigneeFilter::User(*id)), n.clone())),
        );
        changed |= combo(ui, "担当", &mut desk.filter.assignee, &people);
        changed |= ui
            .checkbox(&mut desk.filter.with_warnings, "注意のある行のみ")
            .changed();
        let mut order = Some(desk.filter.order);
        let orders: Vec<(Option<ListOrder>, String)> =
            [ListOrder::WorkOrder, ListOrder::CardNumber, ListOrder::Kana]
                .iter()
                .map(|o| (Some(*o), o.label_ja().to_string()))
                .collect();
        if combo(ui, "並べ順", &mut order, &orders) {
            desk.filter.order = order.unwrap_or_default();
            changed = true;
        }
    });
    if changed {
        actions.push(Action::Desk(DeskAction::ReloadList));
    }
    ui.horizontal(|ui| {
        let l = ui.label("検索（記号・番号の先頭、またはカナ氏名の先頭）");
        let search = desk.filter.search.get_or_insert_with(String::new);
        if ui
            .add(TextEdit::singleline(search).desired_width(240.0))
            .labelled_by(l.id)
            .changed()
        {
            actions.push(Action::Desk(DeskAction::ReloadList));
        }
    });
    if may_assign {
        ui.horizontal_wrapped(|ui| {
            ui.label("担当の振り分け:");
            let mut to = vec![(None, "担当なし".to_string())];
            to.extend(desk.reviewers.iter().map(|(id, n)| (Some(*id), n.clone())));
            let mut chosen = Some(desk.assign_to);
            if combo(
                ui,
                "割り当て先",
                &mut chosen,
                &to.into_iter()
                    .map(|(k, v)| (Some(k), v))
                    .collect::<Vec<_>>(),
            ) {
                desk.assign_to = chosen.flatten();
            }
            let l = ui.label("件数（空欄はこの条件のすべて）");
            ui.add(TextEdit::singleline(&mut desk.assign_count).desired_width(80.0))
                .labelled_by(l.id);
            if ui.button("この条件の未完了を割り当てる").clicked() {
                actions.push(Action::Desk(DeskAction::Assign));
            }
        });
    }
    ui.horizontal(|ui| {
        if ui.button("次の未判断を開く（① から）").clicked() {
            actions.push(Action::Desk(DeskAction::OpenNextUndecided));
        }
        ui.label(format!(
            "{} 件{}",
            desk.rows.len(),
            if desk.exhausted { "" } else { " 以上" }
        ));
        if desk.loading {
            ui.spinner();
            ui.label("読み込み中…");
        }
    });
    ui.separator();
    let total = desk.rows.len() + usize::from(!desk.exhausted);
    egui_extras::TableBuilder::new(ui)
        .striped(true)
        .column(egui_extras::Column::exact(48.0))
        .column(egui_extras::Column::exact(200.0))
        .column(egui_extras::Column::exact(240.0))
        .column(egui_extras::Column::exact(120.0))
        .column(egui_extras::Column::exact(130.0))
        .column(egui_extras::Column::exact(170.0))
        .column(egui_extras::Column::remainder())
        .header(24.0, |mut h| {
            for t in [
                "区分",
                "記号・番号",
                "カナ氏名",
                "相違項目",
                "提案",
                "状態",
                "担当",
            ] {
                h.col(|ui| {
                    ui.strong(t);
                });
            }
        })
        .body(|body| {
            body.rows(26.0, total, |mut row| {
                let i = row.index();
                let Some(r) = desk.rows.get(i) else {
                    row.col(|ui| {
                        ui.label("…");
                    });
                    actions.push(Action::Desk(DeskAction::LoadMore));
                    return;
                };
                row.col(|ui| {
                    ui.label(RichText::new(r.class.case.symbol()).size(18.0));
                });
                row.col(|ui| {
                    let label = format!("{}・{}-{}", r.card_symbol, r.card_number, r.branch);
                    if ui.button(label).clicked() {
                        actions.push(Action::Desk(DeskAction::OpenRecord(r.id)));
                    }
                });
                row.col(|ui| {
                    // The name opens the record as the card number does.
                    if ui
                        .add(egui::Label::new(&r.kana_name).sense(egui::Sense::click()))
                        .on_hover_cursor(egui::CursorIcon::PointingHand)
                        .clicked()
                    {
                        actions.push(Action::Desk(DeskAction::OpenRecord(r.id)));
                    }
                });
                row.col(|ui| {
                    ui.monospace(differing_marks(r));
                });
                row.col(|ui| {
                    if let Some(a) = r.analysis {
                        ui.label(
                            RichText::new(a.suggestion.label_ja())
                                .color(suggestion_color(a.suggestion)),
                        );
                    }
                });
                row.col(|ui| {
                    let mut t = r.state.label_ja().to_string();
                    if r.class.lost {
                        t.push_str("（資格喪失）");
                    }
                    ui.label(t);
                });
                row.col(|ui| {
                    if let Some((_, name)) = &r.assignee {
                        ui.label(name);
                    }
                });
            });
        });
}
