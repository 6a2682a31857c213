//! Home: the counts of the stored match results, the review's progress (states, the next
//! release cut-off and what is ready for it, letters and replies, decisions per day), the count
//! report in one line, and the user's rights.

use egui::{RichText, Ui};

use crate::widgets::{count_report_grid, message};
use crate::{Action, App, DeskAction};
use totsugo_core::auth::Permission;
use totsugo_core::summary::{Counts, format_thousands};

/// Home: counts and the user's rights.
pub fn home(ui: &mut Ui, app: &App, counts: Option<&Counts>, actions: &mut Vec<Action>) {
    let Some(s) = &app.session else { return };
    ui.heading(format!("ようこそ、{} さん", s.user().display_name));
    ui.add_space(8.0);
    message(ui, app);
    integrity(ui, s);
    crate::backup::reminder(ui, s, actions);
    reviews_due(ui, app, actions);
    if s.may(Permission::Review) {
        ui.horizontal(|ui| {
            if ui.button("次の未判断を開く（① から）").clicked() {
                actions.push(Action::Desk(DeskAction::OpenNextUndecided));
            }
            if ui.button("不一致の一覧を開く").clicked() {
                actions.push(Action::Desk(DeskAction::OpenList));
            }
        });
        ui.add_space(8.0);
    }
    if let Some(c) = counts {
        ui.label(RichText::new("保管している突合結果").strong());
        egui::Grid::new("counts")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                for (label, indent, n) in c.items_ja() {
                    ui.label(format!("{}{label}", "　".repeat(indent)));
                    // Right-aligned in a column of its own width, next to its label (issue
                    // 13: the counts sat at the far edge of the window).
                    ui.allocate_ui_with_layout(
                        egui::vec2(90.0, ui.spacing().interact_size.y),
                        egui::Layout::right_to_left(egui::Align::Center),
                        |ui| {
                            ui.label(RichText::new(format_thousands(n)).monospace());
                        },
                    );
                    ui.end_row();
                }
            });
        ui.add_space(12.0);
    }
    if let Some(p) = app.progress() {
        progress(ui, p);
    }
    open_procedures(ui, app, actions);
    if let Some(r) = &app.report.shown {
        egui::CollapsingHeader::new(format!(
            "確認結果（件数）の報告（{}）: 2 保険者で確認 {}　3 事業主 {}　4 文書送付 {}　5 番号の誤り {}",
            if r.approved_only { "承認済" } else { "すべての判断" },
            format_thousands(r.get("2")),
            format_thousands(r.get("3")),
            format_thousands(r.get("4")),
            format_thousands(r.get("5"))
        ))
        .id_salt("home-report")
        .show(ui, |ui| count_report_grid(ui, "home-count-report", r));
        ui.add_space(8.0);
    }
    ui.label(RichText::new("あなたの権限").strong());
    for p in Permission::ALL {
        if s.may(p) {
            ui.label(format!("・{}", p.label_ja()));
        }
    }
}

/// Tampering found at login (the audit trail cut or rewritten, lockout counters rolled back,
/// forged records in the slot file): shown to administrators and supervisors, who review the
/// trail; it is in the trail too.
fn integrity(ui: &mut Ui, s: &totsugo_core::session::Session) {
    let problems = s.integrity_problems();
    if problems.is_empty() || !(s.may(Permission::ManageUsers) || s.may(Permission::ReadAudit)) {
        return;
    }
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(2.0, ui.visuals().error_fg_color))
        .show(ui, |ui| {
            ui.label(
                RichText::new("改ざんの疑いがあります（操作記録に残しました）")
                    .strong()
                    .color(ui.visuals().error_fg_color),
            );
            for p in problems {
                ui.label(format!("・{p}"));
            }
            ui.label("操作記録を確認し、必要なら個人情報保護の責任者に報告してください。");
        });
    ui.add_space(8.0);
}

/// The reminder of the periodic reviews that are due (the rule is the core's), each with a
/// button that opens it.
fn reviews_due(ui: &mut Ui, app: &App, actions: &mut Vec<Action>) {
    use totsugo_core::audit_review::ReviewKind;
    for d in &app.reviews_due {
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("点検の期限: {}", d.message_ja))
                    .color(crate::desk::RED)
                    .strong(),
            );
            if ui.button("点検を開く").clicked() {
                actions.push(Action::Reviews(match d.kind {
                    ReviewKind::AccessLog => crate::ReviewsAction::OpenAccessLog(d.month),
                    ReviewKind::UserList => crate::ReviewsAction::OpenUsers,
                }));
            }
        });
    }
    if !app.reviews_due.is_empty() {
        ui.add_space(8.0);
    }
}

/// The records whose wrong-number procedure has steps to do, each with its next step and a
/// button that opens it.
fn open_procedures(ui: &mut Ui, app: &App, actions: &mut Vec<Action>) {
    if app.open_procedures.is_empty() {
        return;
    }
    ui.label(
        RichText::new(format!(
            "個人番号の誤りの手続きが残っている記録: {} 件",
            app.open_procedures.len()
        ))
        .strong(),
    );
    egui::Grid::new("open-procedures")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            for o in app.open_procedures.iter().take(20) {
                ui.label(&o.card);
                ui.label(format!(
                    "{}（{}）",
                    o.procedure.found.label_ja(),
                    o.procedure.found_on.iso()
                ));
                ui.label(format!("次: {}", o.procedure.next_ja().unwrap_or_default()));
                if ui.button("開く").clicked() {
                    actions.push(Action::Desk(DeskAction::OpenRecord(o.record_id)));
                }
                ui.end_row();
            }
        });
    if app.open_procedures.len() > 20 {
        ui.label(format!(
            "ほか {} 件（不一致の一覧から開けます）",
            app.open_procedures.len() - 20
        ));
    }
    ui.add_space(12.0);
}

/// The review's progress: states, the next release cut-off and what is ready for it, and
/// decisions per day.
fn progress(ui: &mut Ui, p: &totsugo_core::session::ReviewProgress) {
    use totsugo_core::review::ReviewState;
    ui.label(RichText::new("点検の進み具合").strong());
    egui::Grid::new("review-counts")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for st in [
                ReviewState::Undecided,
                ReviewState::Decided,
                ReviewState::SentBack,
                ReviewState::Approved,
            ] {
                ui.label(st.label_ja());
                ui.label(RichText::new(format_thousands(p.states[st as usize])).monospace());
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    match p.next_cutoff {
        Some(t) => {
            ui.label(RichText::new(format!("次の閲覧停止解除の締切: {}", t.describe())).strong());
        }
        None => {
            ui.label("次の閲覧停止解除の締切は設定されていません");
        }
    }
    ui.label(format!(
        "解除依頼の準備ができた記録（承認済・番号確認済）: ① {}　② {}　③ {}",
        p.ready[0], p.ready[1], p.ready[2]
    ));
    ui.label(format!(
        "通知文を送付: {} 件（返事待ち {} 件）　解除依頼済: {} 件",
        format_thousands(p.letters_sent),
        format_thousands(p.replies_pending),
        format_thousands(p.in_release_requests)
    ));
    // Several days: one bar a day. Always, for the last day with decisions: one bar an hour
    // (a single day's work was one block).
    if p.per_day.len() > 1 {
        ui.add_space(8.0);
        ui.label(RichText::new("日ごとの判断件数").strong());
        let bars: Vec<(String, u64)> = p
            .per_day
            .iter()
            .map(|(d, n)| (d.get(5..).unwrap_or(d).to_string(), *n))
            .collect();
        bar_chart(ui, "per-day", &bars);
    }
    if let Some((day, _)) = p.per_day.last()
        && !p.per_hour.is_empty()
    {
        ui.add_space(8.0);
        let title = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map(|d| d.format("%Y年%-m月%-d日").to_string())
            .unwrap_or_else(|_| day.clone());
        ui.label(RichText::new(format!("{title} の時間ごとの判断件数")).strong());
        // From the first hour with decisions to the last, the hours between with none too.
        let first = p.per_hour.first().map_or(0, |(h, _)| *h);
        let last = p.per_hour.last().map_or(0, |(h, _)| *h);
        let bars: Vec<(String, u64)> = (first..=last)
            .map(|h| {
                let n = p
                    .per_hour
                    .iter()
                    .find(|(x, _)| *x == h)
                    .map_or(0, |(_, n)| *n);
                (format!("{h}時"), n)
            })
            .collect();
        bar_chart(ui, "per-hour", &bars);
    }
    ui.add_space(12.0);
}

/// A bar chart of counts with their labels under the bars (fixed: no zoom or drag).
fn bar_chart(ui: &mut Ui, id: &str, bars: &[(String, u64)]) {
    let labels: Vec<String> = bars.iter().map(|(l, _)| l.clone()).collect();
    let chart: Vec<egui_plot::Bar> = bars
        .iter()
        .enumerate()
        .map(|(i, (l, n))| egui_plot::Bar::new(i as f64, *n as f64).name(l).width(0.7))
        .collect();
    egui_plot::Plot::new(id)
        .height(160.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_formatter(move |m, _| {
            let i = m.value.round();
            if (m.value - i).abs() < 0.01 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            plot.bar_chart(egui_plot::BarChart::new("判断件数", chart))
        });
}
