//! Small pieces the screens share: labelled fields, the message line, number fields, the
//! letterhead fields, the spinner of a password check and the count report's grid.

use egui::{Color32, RichText, TextEdit, Ui};

use crate::App;
use totsugo_core::summary::format_thousands;

/// A labelled single-line text field; the label is its accessible name.
pub(crate) fn field(ui: &mut Ui, label: &str, text: &mut String, password: bool) -> egui::Response {
    let l = ui.label(label);
    let r = ui.add(
        TextEdit::singleline(text)
            .password(password)
            .desired_width(320.0),
    );
    ui.end_row();
    r.labelled_by(l.id)
}

/// Whether Enter was pressed in the field `r` (to submit a form).
pub(crate) fn enter_pressed(ui: &Ui, r: &egui::Response) -> bool {
    r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// The message line: an error in red, a notice in the normal colour.
///
/// The line is always there, empty when there is nothing to say, so that a message appearing
/// never moves the controls below it under the mouse (issue 13: a click meant for one checkbox
/// landed on the next after 「保存しました」 pushed the screen down).
pub(crate) fn message(ui: &mut Ui, app: &App) {
    match &app.message {
        Some((is_error, m)) => {
            let color = if *is_error {
                Color32::from_rgb(0xc0, 0x20, 0x20)
            } else {
                ui.visuals().text_color()
            };
            ui.label(RichText::new(m).color(color).strong());
        }
        None => {
            ui.label(RichText::new(" ").strong());
        }
    }
    ui.add_space(8.0);
}

/// What an output still needs before it can be saved, in red, one line each (nothing when
/// it is ready); read when the screen opens, so it never appears under the mouse.
pub(crate) fn missing(ui: &mut Ui, missing: &[String]) {
    for m in missing {
        ui.label(
            RichText::new(format!("注意: {m}"))
                .color(Color32::from_rgb(0xc0, 0x20, 0x20))
                .strong(),
        );
    }
}

/// A labelled number field with its range (inside a grid).
pub(crate) fn number<N: egui::emath::Numeric>(
    ui: &mut Ui,
    label: &str,
    v: &mut N,
    range: std::ops::RangeInclusive<N>,
) {
    let l = ui.label(label);
    ui.add(egui::DragValue::new(v).range(range))
        .labelled_by(l.id);
    ui.end_row();
}

/// The letterhead items shared by the first run and the settings screen (inside a grid).
pub(crate) fn letterhead_fields(ui: &mut Ui, l: &mut totsugo_core::letters::LetterSettings) {
    for (label, v) in [
        ("保険者名", &mut l.insurer_name),
        ("差出人の肩書・氏名", &mut l.sender_line),
        ("保険者番号", &mut l.insurer_number),
        ("保険者コード（様式用）", &mut l.insurer_code),
        ("郵便番号", &mut l.postal_code),
        ("所在地", &mut l.address),
        ("担当部署", &mut l.department),
        ("電話番号", &mut l.phone),
        ("受付時間", &mut l.office_hours),
    ] {
        field(ui, label, v, false);
    }
}

/// A spinner while the password is being checked (it takes a moment by design).
pub(crate) fn checking(ui: &mut Ui, app: &App, what: &str) {
    if app.checking_password() {
        ui.spinner();
        ui.label(what);
    }
}

/// The count report's items: number, wording, count.
pub(crate) fn count_report_grid(ui: &mut Ui, id: &str, r: &totsugo_core::report::CountReport) {
    egui::Grid::new(id)
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for (k, label, n) in &r.lines {
                ui.label(RichText::new(*k).monospace());
                ui.label(*label);
                ui.label(RichText::new(format_thousands(*n)).monospace());
                ui.end_row();
            }
        });
}

/// The kind of insurer, chosen from the list (inside a grid); returns whether it changed.
pub(crate) fn insurer_kind(
    ui: &mut Ui,
    kind: &mut Option<totsugo_core::insurer::InsurerKind>,
) -> bool {
    let l = ui.label("保険者の種別");
    let mut changed = false;
    egui::ComboBox::from_id_salt("insurer-kind")
        .selected_text(kind.map_or("（選んでください）", |k| k.label_ja()))
        .width(320.0)
        // All ten kinds at once, without scrolling the list.
        .height(400.0)
        .show_ui(ui, |ui| {
            for k in totsugo_core::insurer::InsurerKind::ALL {
                changed |= ui.selectable_value(kind, Some(k), k.label_ja()).changed();
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    changed
}

/// The decision → count-report item table (the core's one table, as it is).
pub(crate) fn report_mapping(ui: &mut Ui, id: &str) {
    egui::Grid::new(id)
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (what, items) in totsugo_core::report::mapping_ja() {
                ui.label(what);
                ui.label(items);
                ui.end_row();
            }
        });
}

/// The path field offered when no save dialog can open: why, the path (ready to type, the
/// home folder and the output's name offered), 「保存」 and 「やめる」 (Escape too).
pub(crate) fn path_prompt(ctx: &egui::Context, app: &mut App, actions: &mut Vec<crate::Action>) {
    let Some(p) = app.path_prompt.as_mut() else {
        return;
    };
    let modal = egui::Modal::new(egui::Id::unique("path-prompt")).show(ctx, |ui| {
        ui.heading(if p.opening {
            "開くファイルの入力"
        } else {
            "保存先の入力"
        });
        ui.add(egui::Label::new(&p.why).wrap());
        ui.horizontal(|ui| {
            let l = ui.label(if p.opening {
                "ファイルの場所"
            } else {
                "保存先"
            });
            let r = ui
                .add(TextEdit::singleline(&mut p.path).desired_width(520.0))
                .labelled_by(l.id);
            if !r.has_focus() && !ctx.memory(|m| m.focused().is_some()) {
                r.request_focus();
            }
            if enter_pressed(ui, &r) {
                actions.push(crate::Action::SaveToTypedPath);
            }
        });
        ui.label("フォルダーの名前まで含めて入力します（例 /home/tanaka/報告/確認結果.pdf）。");
        ui.horizontal(|ui| {
            if ui.button(if p.opening { "開く" } else { "保存" }).clicked() {
                actions.push(crate::Action::SaveToTypedPath);
            }
            if ui.button("やめる").clicked() {
                actions.push(crate::Action::CancelTypedPath);
            }
        });
    });
    if modal.should_close() {
        actions.push(crate::Action::CancelTypedPath);
    }
}
