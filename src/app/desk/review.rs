//! The review screen of one record: the five items side by side with the explanation of
//! each difference, the alarms, the decision buttons and keys, the confirmation of a
//! decision that contradicts the evidence, the follow-up (letters, replies, the last-4-digit
//! check) and the record's history.

use super::{AMBER, DeskAction, GREEN, RED, suggestion_color, verdict_color};
use crate::{Action, App};
use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontId, RichText, TextEdit, Ui};

use totsugo_core::auth::Permission;
use totsugo_core::compare::FieldExplanation;
use totsugo_core::record::{Item, Person};
use totsugo_core::review::{Choice, Decision, LetterType, ReviewState, suggested_letter};

/// A value with the ranges that still differ in red on a light background, and those that
/// differ only in notation on a pale amber background.
fn highlighted(
    text: &str,
    ranges: &[std::ops::Range<usize>],
    notation: &[std::ops::Range<usize>],
    size: f32,
    ui: &Ui,
) -> LayoutJob {
    let mut job = LayoutJob::default();
    let normal = TextFormat {
        font_id: FontId::proportional(size),
        color: ui.visuals().text_color(),
        ..Default::default()
    };
    let marked = TextFormat {
        font_id: FontId::proportional(size),
        color: RED,
        background: Color32::from_rgb(0xff, 0xe4, 0xe1),
        underline: egui::Stroke::new(2.0, RED),
        ..Default::default()
    };
    let light = TextFormat {
        background: Color32::from_rgb(0xff, 0xf1, 0xc6),
        ..normal.clone()
    };
    if text.is_empty() {
        job.append("（なし）", 0.0, normal);
        return job;
    }
    for (i, c) in text.chars().enumerate() {
        let f = if ranges.iter().any(|r| r.contains(&i)) {
            marked.clone()
        } else if notation.iter().any(|r| r.contains(&i)) {
            light.clone()
        } else {
            normal.clone()
        };
        job.append(&c.to_string(), 0.0, f);
    }
    job
}

fn item_values(p: &Person, item: Item) -> String {
    match item {
        Item::KanjiName => p.kanji_name.clone(),
        Item::KanaName => p.kana_name.clone(),
        Item::BirthDate => match (p.birth_date, p.birth_partial) {
            (Some(d), _) => d.to_string(),
            (None, Some(pd)) => format!("{pd}（{}）", pd.label_ja()),
            (None, None) => String::new(),
        },
        Item::Sex => p
            .sex
            .map(|s| format!("{}（{}）", s.code(), s.label_ja()))
            .unwrap_or_default(),
        Item::Address => p.address.clone(),
    }
}

/// Column widths of the side-by-side grid: values share what the reasons leave.
fn widths(ui: &Ui) -> (f32, f32) {
    let reasons = 300.0;
    let value = ((ui.available_width() - 90.0 - reasons - 3.0 * 24.0) / 2.0).max(240.0);
    (value, reasons)
}

/// A birth date as the clerk reads it (1979年7月18日（昭和54年）), under the stored digits that
/// the highlight marks; nothing for the other items.
fn item_note(p: &Person, item: Item) -> Option<String> {
    match item {
        Item::BirthDate => p.birth_date.map(totsugo_core::letters::date_with_era),
        _ => None,
    }
}

fn field_row(
    ui: &mut Ui,
    item: Item,
    ins: (&str, Option<String>),
    reg: (&str, Option<String>),
    e: &FieldExplanation,
    w: (f32, f32),
) {
    ui.label(RichText::new(item.label_ja()).strong().size(18.0));
    for ((text, note), ranges, notation) in [
        (ins, &e.differ.insurer, &e.notation.insurer),
        (reg, &e.differ.registry, &e.notation.registry),
    ] {
        ui.vertical(|ui| {
            ui.set_width(w.0);
            let job = highlighted(text, ranges, notation, 22.0, ui);
            ui.add(egui::Label::new(job).wrap());
            if let Some(n) = note {
                ui.label(RichText::new(n).size(15.0).weak());
            }
        });
    }
    ui.vertical(|ui| {
        ui.set_width(w.1);
        ui.label(
            RichText::new(e.verdict.label_ja())
                .color(verdict_color(e.verdict))
                .strong(),
        );
        for r in &e.reasons {
            ui.add(egui::Label::new(&r.text).wrap());
        }
    });
    ui.end_row();
}

/// The five items side by side (insurer, registry, verdict and reasons) of a record, as the
/// review screen and the approval screen's preview show them.
pub(crate) fn side_by_side(
    ui: &mut Ui,
    salt: &str,
    id: i64,
    reviewed: &totsugo_core::session::ReviewedRecord,
) {
    let r = &reviewed.record;
    let e = &reviewed.explained.explanation;
    let w = widths(ui);
    // One grid per record: egui keeps a grid's row heights from frame to frame, and a tall
    // explanation must not stretch the rows of every record opened after it (issue 13 §2).
    egui::Grid::new((salt, id))
        .num_columns(4)
        .spacing([24.0, 10.0])
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new("加入者情報（保険者）").strong());
            ui.label(RichText::new("住民基本台帳（J-LIS）").strong());
            ui.label(RichText::new("判定と理由").strong());
            ui.end_row();
            for item in Item::ALL {
                field_row(
                    ui,
                    item,
                    (&item_values(&r.insurer, item), item_note(&r.insurer, item)),
                    (
                        &item_values(&r.registry, item),
                        item_note(&r.registry, item),
                    ),
                    e.field(item),
                    w,
                );
            }
        });
}

/// The review screen of the open record.
pub fn review(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    let ctx = ui.ctx().clone();
    let typing = ctx.text_edit_focused() || app.desk.confirm.is_some();
    let Some(open) = &app.desk.open else {
        ui.label("記録が開かれていません");
        return;
    };
    let r = &open.reviewed.record;
    let e = &open.reviewed.explained.explanation;
    ui.horizontal(|ui| {
        if ui.button("← 一覧へ戻る").clicked() {
            actions.push(Action::Desk(DeskAction::OpenList));
        }
        if ui.button("[P] 前へ").clicked() {
            actions.push(Action::Desk(DeskAction::PrevRecord));
        }
        if ui.button("[N] 次へ").clicked() {
            actions.push(Action::Desk(DeskAction::NextRecord));
        }
    });
    ui.horizontal(|ui| {
        ui.heading(format!(
            "{} {}",
            r.class.case.symbol(),
            r.class.case.label_ja()
        ));
        ui.separator();
        ui.label(format!(
            "データ {} 行目　記号・番号 {}・{}-{}　個人番号 {}{}",
            open.reviewed.row.unwrap_or(0),
            r.card_symbol,
            r.card_number,
            r.branch,
            r.my_number,
            if open.reviewed.number_full {
                ""
            } else {
                "（ファイルで伏せられた番号: 検査用数字と同じ番号の点検はできません）"
            }
        ));
    });
    let may_reveal = app
        .session
        .as_ref()
        .is_some_and(|s| s.may(Permission::RevealMyNumber));
    if may_reveal {
        ui.horizontal(|ui| match &open.revealed {
            Some(n) => {
                // Shown by an audited action (個人番号を表示): this one may be copied.
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("個人番号 {n}"))
                            .monospace()
                            .size(18.0),
                    )
                    .selectable(true),
                );
            }
            None => {
                if ui.button("個人番号を表示（記録されます）").clicked() {
                    actions.push(Action::Desk(DeskAction::RevealMyNumber));
                }
            }
        });
    }
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!("提案: {}", e.suggestion.label_ja()))
                .color(suggestion_color(e.suggestion))
                .strong()
                .size(18.0),
        );
        ui.separator();
        ui.label(format!("状態: {}", open.review.state.label_ja()));
        if r.class.lost {
            ui.label(
                RichText::new(
                    "突合基準日以前に資格喪失: 点検の対象外（判断せず、件数の報告にも含めません）",
                )
                .color(AMBER),
            );
        }
    });
    if let Some(reason) = &open.review.sent_back {
        ui.label(
            RichText::new(format!("差し戻しの理由: {reason}"))
                .color(RED)
                .strong(),
        );
    }
    crate::widgets::message(ui, app);
    ui.separator();
    side_by_side(ui, "side-by-side", open.id, &open.reviewed);
    ui.add_space(6.0);
    let alarms: Vec<String> = open
        .reviewed
        .explained
        .alarms
        .iter()
        .map(|(kind, rows)| kind.message_ja(rows))
        .collect();
    // A reason the suggestion took from an alarm is said once, as the alarm (in red).
    for reason in e.reasons.iter().filter(|r| !alarms.contains(r)) {
        ui.label(reason);
    }
    for alarm in &alarms {
        ui.label(RichText::new(alarm).color(RED));
    }
    if !open.related.is_empty() {
        ui.horizontal_wrapped(|ui| {
            let mut seen = Vec::new();
            for (row, id) in &open.related {
                if seen.contains(id) {
                    continue;
                }
                seen.push(*id);
                if ui.button(format!("データ {row} 行目を開く")).clicked() {
                    actions.push(Action::Desk(DeskAction::OpenRecord(*id)));
                }
            }
        });
    }
    for w in r.warnings.kinds() {
        if !matches!(
            w,
            totsugo_core::classify::WarningKind::SharedNumber
                | totsugo_core::classify::WarningKind::RegistryIsOtherSubscriber
        ) {
            // A value the import set aside is shown as the file had it (visible marks for
            // control characters): the rule is the core's (Record::bad_value_ja).
            let text = match w {
                totsugo_core::classify::WarningKind::BadValue(f) => match r.bad_value_ja(f) {
                    Some(v) => format!("{}　{v}", w.message_ja()),
                    None => w.message_ja(),
                },
                _ => w.message_ja(),
            };
            ui.label(RichText::new(text).color(RED));
        }
    }
    ui.label(format!(
        "資格取得 {}　資格喪失 {}　突合基準日 {}",
        r.qual_start.map(|d| d.to_string()).unwrap_or_default(),
        r.qual_end.map(|d| d.to_string()).unwrap_or("なし".into()),
        r.base_date.map(|d| d.to_string()).unwrap_or_default()
    ));
    ui.separator();

    // Decisions: one click or one key each (none for a row out of scope).
    let open_for_decision = open.review.state.open_for_decision() && !r.class.lost;
    let suggested = suggested_letter(e);
    let letter = app.desk.letter.unwrap_or(suggested);
    ui.horizontal_wrapped(|ui| {
        for d in app.desk.decisions.clone() {
            let label = if d == Decision::WriteToPerson {
                format!(
                    "[{}] {}（通知文{}）",
                    d.shortcut(),
                    d.label_ja(),
                    letter.key()
                )
            } else {
                format!("[{}] {}", d.shortcut(), d.label_ja())
            };
            let clicked = ui
                .add_enabled(open_for_decision, egui::Button::new(label))
                .clicked();
            let key = egui::Key::from_name(&d.shortcut().to_string());
            let pressed = !typing
                && open_for_decision
                && key.is_some_and(|k| ui.input(|i| i.key_pressed(k) && i.modifiers.is_none()));
            if clicked || pressed {
                let choice = match d {
                    Decision::WriteToPerson => Choice::letter(letter),
                    Decision::OutOfScopeLost => Choice {
                        lost_on: typed_date(&app.desk.lost_on),
                        ..Choice::new(d)
                    },
                    _ => Choice::new(d),
                };
                actions.push(Action::Desk(DeskAction::Decide(choice)));
            }
        }
    });
    ui.horizontal(|ui| {
        let l = ui.label("通知文の種類");
        egui::ComboBox::from_id_salt("letter")
            .selected_text(format!("通知文{}", letter.key()))
            .show_ui(ui, |ui| {
                for t in [LetterType::A, LetterType::B] {
                    if ui.selectable_label(letter == t, t.label_ja()).clicked() {
                        app.desk.letter = Some(t);
                    }
                }
            })
            .response
            .labelled_by(l.id);
        ui.label(format!(
            "（{}）",
            totsugo_core::review::letter_reason_ja(r, e)
        ));
        ui.separator();
        let l = ui.label("[4] の資格喪失日");
        ui.add(TextEdit::singleline(&mut app.desk.lost_on).desired_width(110.0))
            .labelled_by(l.id);
        ui.label("（突合基準日より後。例 2023-10-31）");
    });
    ui.horizontal(|ui| {
        let l = ui.label("[M] メモ");
        let memo = ui
            .add(TextEdit::singleline(&mut app.desk.memo).desired_width(600.0))
            .labelled_by(l.id);
        if !typing && ui.input(|i| i.key_pressed(egui::Key::M) && i.modifiers.is_none()) {
            memo.request_focus();
        }
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            memo.surrender_focus();
        }
    });
    ui.horizontal(|ui| {
        if ui.button("[Ctrl+Z] 直前の判断を取り消す").clicked() {
            actions.push(Action::Desk(DeskAction::UndoDecision));
        }
        ui.separator();
        let mut on = app.desk.auto_advance;
        if ui
            .checkbox(&mut on, "判断したら次の記録を開く")
            .on_hover_text(
                "表記ゆれだけの記録は、キー1つで判断して次へ進めます（利用者ごとの設定）",
            )
            .changed()
        {
            actions.push(Action::Desk(DeskAction::SetAutoAdvance(on)));
        }
    });
    if !typing {
        ui.input(|i| {
            if i.key_pressed(egui::Key::N) && i.modifiers.is_none() {
                actions.push(Action::Desk(DeskAction::NextRecord));
            }
            if i.key_pressed(egui::Key::P) && i.modifiers.is_none() {
                actions.push(Action::Desk(DeskAction::PrevRecord));
            }
            if i.key_pressed(egui::Key::Z) && i.modifiers.command {
                actions.push(Action::Desk(DeskAction::UndoDecision));
            }
        });
    }
    ui.label("キー: 1〜8 判断　N 次へ　P 前へ　M メモへ（Esc で戻る）　Ctrl+Z 取り消し");
    let me = app
        .session
        .as_ref()
        .map(|s| (s.user().id, s.may(Permission::Approve)));
    let others_decision = open
        .review
        .decision
        .as_ref()
        .is_some_and(|d| me.is_some_and(|(id, _)| id != d.decided_by));
    if me.is_some_and(|(_, may)| may)
        && open.review.state == ReviewState::Decided
        && others_decision
    {
        ui.separator();
        ui.horizontal(|ui| {
            let l = ui.label("差し戻しの理由");
            ui.add(TextEdit::singleline(&mut app.desk.send_back_reason).desired_width(480.0))
                .labelled_by(l.id);
            let ok = !app.desk.send_back_reason.trim().is_empty();
            if ui.add_enabled(ok, egui::Button::new("差し戻す")).clicked() {
                actions.push(Action::Desk(DeskAction::SendBack));
            }
        });
    }
    follow_up(ui, app, actions);
    wrong_number(ui, app, actions);
    let Some(open) = &app.desk.open else { return };
    ui.separator();
    ui.label(RichText::new("この記録の判断の履歴").strong());
    for d in &open.history {
        let who = open
            .names
            .iter()
            .find(|(id, _)| *id == d.decided_by)
            .map(|(_, n)| n.as_str())
            .unwrap_or("");
        ui.label(format!(
            "{}　{}　{}{}{}",
            d.decided_at,
            who,
            d.choice.label_ja(),
            if d.memo.is_empty() {
                String::new()
            } else {
                format!("　メモ: {}", d.memo)
            },
            if d.undone { "（取り消し）" } else { "" }
        ));
    }
    if !open.trail.is_empty() {
        ui.label(RichText::new("この記録の操作の記録（監査証跡）").strong());
        for (at, login, what) in &open.trail {
            ui.label(format!("{at}　{login}　{what}"));
        }
    }
    if app.desk.confirm.is_some() {
        confirm_dialog(&ctx, app, actions);
    }
}

fn confirm_dialog(ctx: &egui::Context, app: &mut App, actions: &mut Vec<Action>) {
    let Some((choice, why)) = app.desk.confirm.clone() else {
        return;
    };
    let modal = egui::Modal::new(egui::Id::unique("confirm-decision")).show(ctx, |ui| {
        ui.heading("この判断は確認が必要です");
        ui.label(RichText::new(choice.label_ja()).strong());
        for w in &why {
            ui.label(RichText::new(w).color(RED));
        }
        ui.label("それでもこの判断にする理由をメモに書いてください。");
        let l = ui.label("確認のメモ");
        let memo = ui
            .add(TextEdit::multiline(&mut app.desk.memo).desired_width(480.0))
            .labelled_by(l.id);
        // Ready to type the reason (issue 13: typing went nowhere).
        if ui.memory(|m| m.focused().is_none()) {
            memo.request_focus();
        }
        ui.horizontal(|ui| {
            let ok = !app.desk.memo.trim().is_empty();
            if ui
                .add_enabled(ok, egui::Button::new("確認して登録"))
                .clicked()
            {
                actions.push(Action::Desk(DeskAction::ConfirmDecision));
            }
            if ui.button("やめる").clicked() {
                actions.push(Action::Desk(DeskAction::CancelDecision));
            }
        });
    });
    // Escape (or a click beside it) drops the decision, as やめる does.
    if modal.should_close() {
        actions.push(Action::Desk(DeskAction::CancelDecision));
    }
}

/// After 本人へ文書送付 or 事業主へ確認: the letters printed, and the reply or the employer's
/// answer, with the last-4-digit check for letter B (only 一致 / 不一致 is shown).
fn follow_up(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    use totsugo_core::review::FollowUp;
    let Some(open) = app.desk.open.as_ref() else {
        return;
    };
    let Some(d) = open.review.decision.as_ref() else {
        return;
    };
    let decision = d.choice.decision;
    if !matches!(decision, Decision::WriteToPerson | Decision::AskEmployer) {
        return;
    }
    let may = app
        .session
        .as_ref()
        .is_some_and(|s| s.may(Permission::RecordReplies));
    ui.separator();
    ui.label(RichText::new("その後の結果").strong());
    let mine: Vec<&totsugo_core::store::LetterRow> = open
        .letters
        .iter()
        .filter(|l| l.decision_id == d.id)
        .collect();
    if decision == Decision::WriteToPerson {
        if mine.is_empty() {
            ui.label("通知文はまだ印刷していません。");
            return;
        }
        for l in &mine {
            ui.label(format!(
                "通知文{}を {} に印刷{}（回答期限 {}）",
                l.letter_type.key(),
                l.printed_at,
                if l.reprint { "（再印刷）" } else { "" },
                l.deadline
            ));
        }
        if may && ui.button("通知文を再印刷").clicked() {
            actions.push(Action::Letters(crate::LettersAction::Reprint(open.id)));
        }
    }
    if let Some(f) = &open.follow_up {
        ui.label(
            RichText::new(format!(
                "登録済み: {}（{}）{}",
                f.outcome.label_ja(),
                f.recorded_at,
                match f.digits_match {
                    Some(true) => "　下4桁: 一致",
                    Some(false) => "　下4桁: 不一致",
                    None => "",
                }
            ))
            .strong(),
        );
    }
    if !may {
        return;
    }
    let letter_b = d.choice.letter == Some(LetterType::B);
    if letter_b {
        ui.horizontal(|ui| {
            let l = ui.label("回答書の下4桁");
            ui.add(TextEdit::singleline(&mut app.desk.digits).desired_width(80.0))
                .labelled_by(l.id);
            if ui.button("照合").clicked() {
                actions.push(Action::Desk(DeskAction::CheckLastFour));
            }
            match app.desk.digits_match {
                Some(true) => {
                    ui.label(RichText::new("一致").color(GREEN).strong());
                }
                Some(false) => {
                    ui.label(RichText::new("不一致").color(RED).strong());
                }
                None => {}
            }
        });
    }
    ui.horizontal(|ui| {
        for f in FollowUp::ALL {
            if f.fits(decision) && ui.button(format!("結果: {}", f.label_ja())).clicked() {
                actions.push(Action::Desk(DeskAction::RecordFollowUp(f)));
            }
        }
        if letter_b {
            ui.checkbox(
                &mut app.desk.confirm_follow_up,
                "下4桁と合わない結果を確認のうえ登録する（メモ必須）",
            );
        }
    });
}

/// Where the number turned out wrong (2-4, 3-2, 4-4, 4-7): the steps of seed 000 in their
/// order, each with its day and who recorded it, the form drafts, and the next step to record
/// (the core refuses a step out of order, e.g. the deletion before the contact sheet).
fn wrong_number(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    use totsugo_core::wrong_number::steps::{RightNumber, Step, Viewing};
    let Some(p) = app.desk.open.as_ref().and_then(|o| o.wrong_number.clone()) else {
        return;
    };
    ui.separator();
    ui.label(
        RichText::new(format!(
            "個人番号の誤りの手続き（{}、{} に判明）",
            p.found.label_ja(),
            p.found_on.iso()
        ))
        .strong(),
    );
    ui.label(
        "連絡票等を実施機関に提出してから、異なっていた個人番号を削除します。正しい番号は分かりしだい登録します。",
    );
    egui::Grid::new("wrong-number-steps")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for step in p.due() {
                match p.done(step) {
                    Some(row) => {
                        ui.label(RichText::new("済").color(GREEN).strong());
                        ui.label(step.label_ja(p.route));
                        let value = match step {
                            Step::RightNumber => row
                                .value
                                .and_then(RightNumber::from_code)
                                .map(|v| v.label_ja()),
                            Step::ViewingChecked => {
                                row.value.and_then(Viewing::from_code).map(|v| v.label_ja())
                            }
                            _ => None,
                        };
                        ui.label(format!(
                            "{}　{}{}{}",
                            row.done_on.iso(),
                            row.recorded_by,
                            value.map(|v| format!("　{v}")).unwrap_or_default(),
                            if row.memo.is_empty() {
                                String::new()
                            } else {
                                format!("　メモ: {}", row.memo)
                            }
                        ));
                    }
                    None => {
                        ui.label(RichText::new("未了").color(RED).strong());
                        ui.label(step.label_ja(p.route));
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
    if p.complete() {
        ui.label(RichText::new("手続きはすべて済んでいます。").color(GREEN));
    }
    if ui
        .button("連絡票・確認票・報告様式の下書きと類似事案の一覧を保存")
        .clicked()
    {
        actions.push(Action::Desk(DeskAction::WriteWrongNumberForms));
    }
    let may = app
        .session
        .as_ref()
        .is_some_and(|s| s.may(Permission::Decide));
    let ready = p.ready();
    if !may || ready.is_empty() {
        return;
    }
    let form = &mut app.desk.step;
    // Nothing is chosen for the clerk: each step is recorded only after choosing it, so that
    // a second click on the same place never records the next step by mistake.
    if form.step.is_some_and(|s| !ready.contains(&s)) {
        form.step = None;
        form.value = None;
    }
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("済んだ手順");
        egui::ComboBox::from_id_salt("wrong-number-step")
            .selected_text(form.step.map_or("（済んだ手順を選んでください）", |s| {
                s.label_ja(p.route)
            }))
            .show_ui(ui, |ui| {
                for s in &ready {
                    if ui
                        .selectable_value(&mut form.step, Some(*s), s.label_ja(p.route))
                        .changed()
                    {
                        form.value = None;
                    }
                }
            })
            .response
            .labelled_by(l.id);
        let l = ui.label("済んだ日（空欄は今日）");
        ui.add(TextEdit::singleline(&mut form.done_on).desired_width(100.0))
            .labelled_by(l.id);
    });
    let values = form.step.map(|s| s.values()).unwrap_or_default();
    if !values.is_empty() {
        ui.horizontal_wrapped(|ui| {
            for (code, label) in values {
                ui.radio_value(&mut form.value, Some(code), label);
            }
        });
    }
    ui.horizontal(|ui| {
        let l = ui.label("メモ");
        ui.add(TextEdit::singleline(&mut form.memo).desired_width(360.0))
            .labelled_by(l.id);
        let ok = form.step.is_some_and(|s| values_chosen(s, form.value));
        if ui
            .add_enabled(ok, egui::Button::new("この手順を登録"))
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::RecordStep));
        }
    });
}

/// A step with values needs one chosen.
fn values_chosen(step: totsugo_core::wrong_number::steps::Step, value: Option<i64>) -> bool {
    step.values().is_empty() || value.is_some()
}

/// A date as the clerk types it: 2023-10-31, 2023/10/31 or 20231031, full-width digits too.
pub(crate) fn typed_date(text: &str) -> Option<totsugo_core::record::Date> {
    let t = totsugo_core::text::fold_width_and_spaces(text).replace('/', "-");
    totsugo_core::record::Date::parse_iso(&t)
        .or_else(|| totsugo_core::record::Date::parse(&t).ok().flatten())
}
