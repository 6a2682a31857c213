//! The settings (administrators, on the user-administration screen): the release cut-off
//! schedule, the release-request format, and the letters' sender, contact, reply deadline
//! and address-block offset. The section owns its state, its actions and their apply; what
//! is valid is the core's.

use egui::{RichText, Ui};

use crate::widgets::{field, letterhead_fields, number};
use crate::{Action, App};
use totsugo_core::letters::LetterSettings;
use totsugo_core::release::RequestFormat;
use totsugo_core::session::Session;

/// The settings as being edited (`None`: not read from the store yet).
#[derive(Default)]
pub struct SettingsScreen {
    /// The kind of insurer (`None` until chosen).
    pub kind: Option<totsugo_core::insurer::InsurerKind>,
    /// The release cut-off schedule, as text.
    pub release_schedule: Option<String>,
    /// The release-request format.
    pub release_format: Option<RequestFormat>,
    /// The letter settings.
    pub letters: Option<LetterSettings>,
    /// The letters' reply deadline as typed (YYYY-MM-DD; empty: 14 days after issue).
    pub letters_deadline: String,
}

impl SettingsScreen {
    /// Reads from the store the settings not being edited.
    pub fn load(&mut self, s: &Session) {
        if self.kind.is_none() {
            self.kind = s.insurer_kind();
        }
        if self.release_schedule.is_none() {
            self.release_schedule = Some(s.release_schedule_text());
        }
        if self.release_format.is_none() {
            self.release_format = Some(s.release_format());
        }
        if self.letters.is_none() {
            let l = s.letter_settings();
            self.letters_deadline = l.reply_deadline.map(|d| d.iso()).unwrap_or_default();
            self.letters = Some(l);
        }
    }
}

/// What an administrator can do with the settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingsAction {
    /// Save the kind of insurer.
    SaveKind,
    /// Save the release cut-off schedule.
    SaveReleaseSchedule,
    /// Save the release-request format.
    SaveReleaseFormat,
    /// Save the letter settings.
    SaveLetterSettings,
}

impl App {
    /// Applies an action of the settings.
    pub(crate) fn apply_settings(&mut self, action: SettingsAction) {
        match action {
            SettingsAction::SaveKind => {
                let Some(k) = self.settings.kind else {
                    return self.error("保険者の種別を選んでください");
                };
                let Some(s) = &self.session else { return };
                match s.set_insurer_kind(k) {
                    Ok(()) => {
                        if self.screen == crate::Screen::ChooseKind {
                            self.screen = crate::Screen::Home;
                        }
                        self.notice(format!("保険者の種別を「{}」にしました", k.label_ja()));
                        // The letters' wording follows the kind: read the settings again.
                        self.settings.letters = None;
                        self.refresh();
                    }
                    Err(e) => self.error(e),
                }
            }
            SettingsAction::SaveReleaseSchedule => {
                let text = self.settings.release_schedule.clone().unwrap_or_default();
                self.with_session(
                    |s| s.set_release_schedule(&text),
                    "解除依頼の締切を保存しました",
                );
            }
            SettingsAction::SaveReleaseFormat => {
                let Some(f) = self.settings.release_format.clone() else {
                    return;
                };
                self.with_session(|s| s.set_release_format(&f), "解除依頼の様式を保存しました");
            }
            SettingsAction::SaveLetterSettings => self.save_letter_settings(),
        }
    }

    fn save_letter_settings(&mut self) {
        let Some(mut l) = self.settings.letters.clone() else {
            return;
        };
        let typed = totsugo_core::text::fold_width_and_spaces(&self.settings.letters_deadline);
        l.reply_deadline = if typed.is_empty() {
            None
        } else {
            match totsugo_core::record::Date::parse_iso(&typed) {
                Some(d) => Some(d),
                None => {
                    return self.error(
                        "回答期限は 2023-12-25 の形で入力してください（空欄は発行日の14日後）",
                    );
                }
            }
        };
        let Some(s) = &self.session else { return };
        match s.set_letter_settings(&l) {
            Ok(l) => {
                let missing = l.missing_ja();
                self.settings.letters = Some(l);
                if missing.is_empty() {
                    self.notice("通知文の設定を保存しました");
                } else {
                    self.notice(format!(
                        "通知文の設定を保存しました。印刷の前に {} を入力してください",
                        missing.join("、")
                    ));
                }
            }
            Err(e) => self.error(e),
        }
    }
}

/// Asked once of an administrator whose store has no kind of insurer yet (a store made before
/// the setting existed).
pub(crate) fn choose_kind(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("保険者の種別を選んでください");
    ui.label("保険者の種別で、通知文の書き方（当組合・当協会・当市 など）、「事業主へ確認」の有無、個人番号の誤りの連絡先（市町村国保はデジタルPMO）と報告様式の報告先が決まります。");
    ui.add_space(8.0);
    crate::widgets::message(ui, app);
    egui::Grid::new("choose-kind")
        .num_columns(2)
        .show(ui, |ui| {
            crate::widgets::insurer_kind(ui, &mut app.settings.kind);
        });
    if ui.button("種別を保存").clicked() {
        actions.push(Action::Settings(SettingsAction::SaveKind));
    }
}

/// The settings' part of the administration screen.
pub(crate) fn section(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.add_space(16.0);
    ui.label(RichText::new("保険者の種別").strong());
    egui::Grid::new("settings-kind")
        .num_columns(2)
        .show(ui, |ui| {
            crate::widgets::insurer_kind(ui, &mut app.settings.kind);
        });
    if ui.button("種別を保存").clicked() {
        actions.push(Action::Settings(SettingsAction::SaveKind));
    }
    ui.add_space(16.0);
    ui.label(RichText::new("閲覧停止の解除依頼の締切").strong());
    ui.label(
        "1行に1つ、古い順に（2023-12-14 または 2023-12-25 15:00）。最後の締切から毎週続くときは、最後の行に「毎週」。",
    );
    if let Some(text) = app.settings.release_schedule.as_mut() {
        let l = ui.label("締切の一覧");
        ui.add(
            egui::TextEdit::multiline(text)
                .desired_rows(5)
                .desired_width(320.0),
        )
        .labelled_by(l.id);
        if ui.button("締切を保存").clicked() {
            actions.push(Action::Settings(SettingsAction::SaveReleaseSchedule));
        }
    }
    if let Some(f) = app.settings.release_format.as_mut() {
        ui.horizontal(|ui| {
            ui.checkbox(
                &mut f.with_my_number,
                "解除依頼の一覧に個人番号を載せる（実施機関の様式が求める場合だけ）",
            );
            if ui.button("様式を保存").clicked() {
                actions.push(Action::Settings(SettingsAction::SaveReleaseFormat));
            }
        });
    }
    ui.add_space(16.0);
    ui.label(RichText::new("通知文の差出人と連絡先").strong());
    if let Some(l) = app.settings.letters.as_ref() {
        let missing = l.missing_ja();
        if !missing.is_empty() {
            ui.label(
                RichText::new(format!(
                    "未入力か見本のままの項目があります（{}）。このままでは通知文を印刷できません。",
                    missing.join("、")
                ))
                .color(crate::desk::RED),
            );
        }
    }
    if let Some(l) = app.settings.letters.as_mut() {
        egui::Grid::new("letters").num_columns(2).show(ui, |ui| {
            letterhead_fields(ui, l);
            field(
                ui,
                "回答書の送付先（空欄は上の所在地）",
                &mut l.reply_address,
                false,
            );
            field(
                ui,
                "回答期限（空欄は発行日の14日後）",
                &mut app.settings.letters_deadline,
                false,
            );
            number(
                ui,
                "宛名の位置の調整 横（mm）",
                &mut l.window_offset_x_mm,
                -10.0..=10.0,
            );
            number(
                ui,
                "宛名の位置の調整 縦（mm）",
                &mut l.window_offset_y_mm,
                -10.0..=10.0,
            );
        });
        if ui.button("通知文の設定を保存").clicked() {
            actions.push(Action::Settings(SettingsAction::SaveLetterSettings));
        }
    }
    ui.add_space(8.0);
    ui.label("通知文A・Bの件名と本文（保険者の文面）は、見本を見ながら編集できます。");
    if ui.button("通知文の文面を編集").clicked() {
        actions.push(Action::LetterText(
            crate::letter_text::LetterTextAction::Open,
        ));
    }
}
