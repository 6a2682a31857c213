//! The letter-text editor (通知文の文面, administrators; from the settings on the
//! user-administration screen): per letter type a multiline editor, the placeholders with what
//! each means, 「保存」 and 「既定の文面に戻す」, the saved versions, and a live preview of the
//! real page (the core lays the letter out for a sample person; this screen only paints the
//! page's shapes). What is valid, and what the letter looks like, is the core's.

use egui::{Color32, FontId, Pos2, Rect, RichText, Stroke, Ui, Vec2};

use crate::{Action, App, Screen};
use totsugo_core::letter_text::{PLACEHOLDERS, StopKind};
use totsugo_core::pdf::Shape;
use totsugo_core::review::LetterType;
use totsugo_core::session::CurrentLetterText;
use totsugo_core::store::TextVersion;

/// The page's width and height in millimetres (A4).
const PAGE_MM: Vec2 = Vec2::new(210.0, 297.0);

/// The preview as last laid out.
#[derive(Default)]
pub struct Preview {
    /// What it was laid out for: the letter type, the stop and the text.
    key: Option<(LetterType, StopKind, String)>,
    /// The page's shapes (kept from the last text that could be laid out while the text in the
    /// editor has an error).
    pub shapes: Vec<Shape>,
    /// Why the text in the editor cannot be saved (unknown placeholder, too long …).
    pub problem: Option<String>,
}

impl Preview {
    /// Every text on the previewed page, run together (what the page says).
    pub fn text(&self) -> String {
        self.shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// The editor's state.
pub struct LetterTextScreen {
    /// The letter type being edited.
    pub letter_type: LetterType,
    /// The texts as being edited, A then B (`None`: not read from the store yet).
    pub drafts: [Option<String>; 2],
    /// The texts letters print with now, A then B, as the store has them.
    pub current: Vec<CurrentLetterText>,
    /// The saved versions of the type being edited, newest first.
    pub versions: Vec<TextVersion>,
    /// Which viewing stop the preview shows.
    pub stop: StopKind,
    /// The live preview.
    pub preview: Preview,
    /// Where the cursor was in the editor (characters), for inserting a placeholder.
    cursor: Option<usize>,
}

impl Default for LetterTextScreen {
    fn default() -> Self {
        LetterTextScreen {
            letter_type: LetterType::A,
            drafts: [None, None],
            current: Vec::new(),
            versions: Vec::new(),
            stop: StopKind::QualificationAndMedical,
            preview: Preview::default(),
            cursor: None,
        }
    }
}

fn slot(t: LetterType) -> usize {
    usize::from(t == LetterType::B)
}

impl LetterTextScreen {
    /// The text being edited for the chosen letter type.
    pub fn draft(&self) -> &str {
        self.drafts[slot(self.letter_type)].as_deref().unwrap_or("")
    }

    /// Whether the text in the editor differs from what letters print with now.
    pub fn changed(&self) -> bool {
        self.current
            .get(slot(self.letter_type))
            .is_some_and(|c| c.text != self.draft())
    }
}

/// What the administrator can do in the editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LetterTextAction {
    /// Open the editor (from the settings).
    Open,
    /// Edit the other letter type.
    Choose(LetterType),
    /// Show the preview for another viewing stop.
    ChooseStop(StopKind),
    /// The text was edited: lay the preview out again.
    Edited,
    /// Insert the placeholder with this index in [`PLACEHOLDERS`] where the cursor was.
    Insert(usize),
    /// Save the text as a new version.
    Save,
    /// Go back to totsugo's default text.
    Reset,
    /// Back to the settings.
    Back,
}

impl App {
    /// Applies an action of the letter-text editor.
    pub(crate) fn apply_letter_text(&mut self, action: LetterTextAction) {
        match action {
            LetterTextAction::Open => {
                self.open_screen(Screen::LetterText);
                self.letter_text.drafts = [None, None];
                self.load_letter_texts();
            }
            LetterTextAction::Choose(t) => {
                self.letter_text.letter_type = t;
                self.letter_text.stop = StopKind::usual_for(t);
                self.letter_text.cursor = None;
                self.load_letter_texts();
            }
            LetterTextAction::ChooseStop(stop) => {
                self.letter_text.stop = stop;
                self.refresh_preview();
            }
            LetterTextAction::Edited => self.refresh_preview(),
            LetterTextAction::Insert(i) => {
                let Some(p) = PLACEHOLDERS.get(i) else { return };
                let screen = &mut self.letter_text;
                let draft = screen.drafts[slot(screen.letter_type)].get_or_insert_default();
                let chars = draft.chars().count();
                let at = screen.cursor.unwrap_or(chars).min(chars);
                let byte = draft.char_indices().nth(at).map_or(draft.len(), |(b, _)| b);
                let token = p.token();
                draft.insert_str(byte, &token);
                screen.cursor = Some(at + token.chars().count());
                self.refresh_preview();
            }
            LetterTextAction::Save => {
                let t = self.letter_text.letter_type;
                let text = self.letter_text.draft().to_string();
                let Some(s) = &self.session else { return };
                match s.save_letter_text(t, &text) {
                    Ok(id) => {
                        self.notice(format!(
                            "通知文{}の文面を保存しました（版 {id}）。これから印刷する通知文はこの文面になります",
                            t.key()
                        ));
                        self.letter_text.drafts[slot(t)] = None;
                        self.load_letter_texts();
                    }
                    Err(e) => self.error(e),
                }
            }
            LetterTextAction::Reset => {
                let t = self.letter_text.letter_type;
                let Some(s) = &self.session else { return };
                match s.reset_letter_text(t) {
                    Ok(()) => {
                        self.notice(format!("通知文{}を既定の文面に戻しました", t.key()));
                        self.letter_text.drafts[slot(t)] = None;
                        self.load_letter_texts();
                    }
                    Err(e) => self.error(e),
                }
            }
            LetterTextAction::Back => {
                self.open_screen(Screen::Users);
                self.refresh();
            }
        }
    }

    /// Reads the current texts and the versions of the chosen type; a text not being edited
    /// starts as the current one.
    fn load_letter_texts(&mut self) {
        let Some(s) = &self.session else { return };
        let t = self.letter_text.letter_type;
        match (s.letter_texts(), s.letter_text_versions(t)) {
            (Ok(current), Ok(versions)) => {
                for c in &current {
                    let draft = &mut self.letter_text.drafts[slot(c.letter_type)];
                    if draft.is_none() {
                        *draft = Some(c.text.clone());
                    }
                }
                self.letter_text.current = current;
                self.letter_text.versions = versions;
            }
            (Err(e), _) | (_, Err(e)) => return self.error(e),
        }
        self.refresh_preview();
    }

    /// Lays the preview out again if the text, the type or the stop changed since.
    fn refresh_preview(&mut self) {
        let screen = &mut self.letter_text;
        let key = (screen.letter_type, screen.stop, screen.draft().to_string());
        if screen.preview.key.as_ref() == Some(&key) {
            return;
        }
        let Some(s) = &self.session else { return };
        match s.preview_letter_text(key.0, &key.2, key.1) {
            Ok(p) => {
                screen.preview.shapes = p.page.shapes();
                screen.preview.problem = p.problem;
            }
            Err(e) => screen.preview.problem = Some(e.to_string()),
        }
        screen.preview.key = Some(key);
    }
}

/// The editor screen.
pub fn ui(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    let act = |a| Action::LetterText(a);
    ui.horizontal_wrapped(|ui| {
        ui.heading("通知文の文面");
        if ui.button("設定に戻る").clicked() {
            actions.push(act(LetterTextAction::Back));
        }
    });
    crate::widgets::message(ui, app);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for (t, label) in [
                    (LetterType::A, "通知文A（個人番号のご提出のお願い）"),
                    (LetterType::B, "通知文B（個人番号の確認のお願い）"),
                ] {
                    if ui
                        .selectable_label(app.letter_text.letter_type == t, label)
                        .clicked()
                        && app.letter_text.letter_type != t
                    {
                        actions.push(act(LetterTextAction::Choose(t)));
                    }
                }
            });
            ui.label(
                "通知文の件名と本文は保険者の文面です。1行目が件名、2行目からが本文で、1行が1段落になります。\
                 ｛｝で囲んだ差し込み項目は、印刷のときに設定の値やその人の閲覧停止の説明に置き換わります。\
                 保存した文面は版として残り、再印刷は元の通知文と同じ版で印刷します。",
            );
            status(ui, app);
            ui.add_space(6.0);
            // Side by side where the window is wide enough, else one under the other.
            let wide = ui.available_width() >= 860.0;
            if wide {
                ui.horizontal_top(|ui| {
                    let editor_w = (ui.available_width() - 380.0).max(420.0);
                    ui.vertical(|ui| {
                        ui.set_width(editor_w);
                        editor(ui, app, actions);
                    });
                    ui.vertical(|ui| preview(ui, app, actions));
                });
            } else {
                editor(ui, app, actions);
                ui.add_space(8.0);
                preview(ui, app, actions);
            }
            ui.add_space(8.0);
            versions(ui, app);
        });
}

/// Which text letters print with now.
fn status(ui: &mut Ui, app: &App) {
    let screen = &app.letter_text;
    let Some(c) = screen.current.get(slot(screen.letter_type)) else {
        return;
    };
    let now = match &c.version {
        Some(v) => format!("いま印刷に使う文面: 版 {}（{} 保存）", v.id, v.saved_at),
        None => "いま印刷に使う文面: totsugo の既定の文面（保険者の種別に合わせたもの）".into(),
    };
    ui.label(RichText::new(now).strong());
    if screen.changed() {
        ui.label(RichText::new("編集中: まだ保存していません").color(crate::desk::RED));
    }
}

/// The multiline editor, the placeholders and the buttons.
fn editor(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    let act = |a| Action::LetterText(a);
    let screen = &mut app.letter_text;
    let t = screen.letter_type;
    let draft = screen.drafts[slot(t)].get_or_insert_default();
    let label = ui.label("通知文の文面（1行目は件名）");
    let id = ui.make_persistent_id(("letter-text-editor", t.key()));
    let out = egui::TextEdit::multiline(draft)
        .id(id)
        .desired_rows(16)
        .desired_width(f32::INFINITY)
        .show(ui);
    let response = out.response.response.clone().labelled_by(label.id);
    if let Some(r) = out.state.cursor.char_range() {
        screen.cursor = Some(r.primary.index.0);
    }
    if response.changed() {
        actions.push(act(LetterTextAction::Edited));
    }
    if let Some(p) = &screen.preview.problem {
        ui.label(RichText::new(p).color(crate::desk::RED));
    }
    ui.horizontal_wrapped(|ui| {
        if ui.button("保存").clicked() {
            actions.push(act(LetterTextAction::Save));
        }
        if ui.button("既定の文面に戻す").clicked() {
            actions.push(act(LetterTextAction::Reset));
        }
    });
    ui.add_space(6.0);
    ui.label(RichText::new("差し込み項目（押すとカーソルの位置に入ります）").strong());
    egui::Grid::new("letter-text-placeholders")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (i, p) in PLACEHOLDERS.iter().enumerate() {
                if ui.button(p.token()).clicked() {
                    actions.push(act(LetterTextAction::Insert(i)));
                }
                ui.add(egui::Label::new(p.meaning).wrap());
                ui.end_row();
            }
        });
}

/// The live preview: the real page laid out by the core, painted to scale.
fn preview(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.label(RichText::new("見本（架空の人 見本 花子 で組んだ実際の1枚）").strong());
    ui.horizontal_wrapped(|ui| {
        for stop in StopKind::ALL {
            if ui
                .selectable_label(app.letter_text.stop == stop, stop.label_ja())
                .clicked()
                && app.letter_text.stop != stop
            {
                actions.push(Action::LetterText(LetterTextAction::ChooseStop(stop)));
            }
        }
    });
    let width = ui.available_width().clamp(280.0, 520.0);
    let size = Vec2::new(width, width * PAGE_MM.y / PAGE_MM.x);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "通知文の見本"));
    paint_page(ui.painter_at(rect), rect, &app.letter_text.preview.shapes);
}

/// Paints a page's shapes (millimetres) into `rect`.
fn paint_page(painter: egui::Painter, rect: Rect, shapes: &[Shape]) {
    let scale = rect.width() / PAGE_MM.x;
    let at = |x: f32, y: f32| Pos2::new(rect.left() + x * scale, rect.top() + y * scale);
    let grey = |v: f32| Color32::from_gray((v.clamp(0.0, 1.0) * 255.0) as u8);
    painter.rect_filled(rect, 0.0, Color32::WHITE);
    painter.rect_stroke(
        rect,
        0.0,
        Stroke::new(1.0, Color32::from_gray(150)),
        egui::StrokeKind::Inside,
    );
    let line = Stroke::new(0.6, Color32::from_gray(110));
    for s in shapes {
        match s {
            Shape::Fill { rect: b, grey: g } => {
                painter.rect_filled(
                    Rect::from_min_size(at(b.x, b.y), Vec2::new(b.w, b.h) * scale),
                    0.0,
                    grey(*g),
                );
            }
            Shape::Frame(b) => {
                painter.rect_stroke(
                    Rect::from_min_size(at(b.x, b.y), Vec2::new(b.w, b.h) * scale),
                    0.0,
                    line,
                    egui::StrokeKind::Middle,
                );
            }
            Shape::Rule { x1, x2, y } => {
                painter.line_segment([at(*x1, *y), at(*x2, *y)], line);
            }
            Shape::Text {
                x,
                top,
                size_pt,
                text,
            } => {
                // One point is 0.3528 mm: the em box's height on the page.
                let px = (size_pt * 0.3528 * scale).max(1.0);
                painter.text(
                    at(*x, *top),
                    egui::Align2::LEFT_TOP,
                    text,
                    FontId::proportional(px),
                    Color32::BLACK,
                );
            }
        }
    }
}

/// The saved versions of the type being edited.
fn versions(ui: &mut Ui, app: &App) {
    let screen = &app.letter_text;
    egui::CollapsingHeader::new(format!("保存した版（{} 件）", screen.versions.len()))
        .id_salt(("letter-text-versions", screen.letter_type.key()))
        .show(ui, |ui| {
            if screen.versions.is_empty() {
                ui.label("まだありません。既定の文面で印刷すると、その文面も版として残ります。");
            }
            for v in &screen.versions {
                let title = v.body.lines().next().unwrap_or("");
                let origin = if v.is_default {
                    "（既定の文面。印刷に使われたため記録）"
                } else {
                    ""
                };
                ui.label(format!("版 {}  {}  {title}{origin}", v.id, v.saved_at));
            }
        });
}
