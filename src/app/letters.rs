//! The letters screen (本人確認用の通知文): the records waiting for their letter, the insurer's
//! mailing list (optional), each letter's postal code with where it came from, and one PDF of
//! the chosen letters in postal-code order, made off the UI thread with its progress and a
//! stop button; "no reply" after the deadline in one go. The screen owns its state, its
//! actions and their apply; the rules are the core's.

use std::collections::{HashMap, HashSet};

use egui::{RichText, TextEdit, Ui};
use totsugo_core::postal::MailingList;
use totsugo_core::review::LetterType;
use totsugo_core::session::{PostalPreview, Session, SessionError};

use crate::{Action, App, DeskAction, Screen};

/// What the letters screen shows and what the clerk has chosen on it.
#[derive(Default)]
pub struct LettersScreen {
    /// Records waiting for their letter: (record id, type, card).
    pub waiting: Vec<(i64, LetterType, String)>,
    /// The insurer's mailing list, if chosen: (file name, list).
    pub mailing_list: Option<(String, MailingList)>,
    /// Where each waiting letter's postal code comes from.
    pub postal: Vec<PostalPreview>,
    /// Postal codes typed on the screen, per record.
    pub postal_inputs: HashMap<i64, String>,
    /// Letters the clerk left out of the next print.
    pub left_out: HashSet<i64>,
    /// Waiting letters with characters the font cannot print.
    pub unprintable: Vec<(i64, Vec<char>)>,
}

/// What the user can do about letters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LettersAction {
    /// Open the letters screen.
    Open,
    /// Choose the insurer's mailing list (CSV).
    PickMailingList,
    /// Print the chosen waiting letters into one PDF where the user chooses.
    Print,
    /// Record "no reply" for letters past their deadline.
    MarkNoReplies,
    /// Set the postal code typed for this record's letter.
    SetPostalCode(i64),
    /// Print the open record's letter again (audited as a reprint).
    Reprint(i64),
}

impl LettersScreen {
    /// Reads the waiting letters, their postal codes and the characters they cannot print.
    pub fn load(&mut self, s: &Session) -> Result<(), SessionError> {
        self.waiting = s.letters_to_print()?;
        let ids: Vec<i64> = self.waiting.iter().map(|l| l.0).collect();
        let list = self.mailing_list.as_ref().map(|(_, l)| l);
        self.postal = s.letter_postal_codes(&ids, list)?;
        self.unprintable = s.letters_unprintable(&ids)?;
        Ok(())
    }

    /// The waiting letters the clerk has not left out.
    fn chosen(&self) -> Vec<i64> {
        self.waiting
            .iter()
            .map(|l| l.0)
            .filter(|id| !self.left_out.contains(id))
            .collect()
    }
}

impl App {
    fn load_letters(&mut self) {
        let Some(s) = &self.session else { return };
        if let Err(e) = self.letters.load(s) {
            self.error(e);
        }
    }

    /// Applies an action of the letters screen.
    pub(crate) fn apply_letters(&mut self, action: LettersAction) {
        match action {
            LettersAction::Open => {
                self.open_screen(Screen::Letters);
                self.load_letters();
            }
            LettersAction::PickMailingList => {
                let Some(path) = self.picker.pick_csv() else {
                    return;
                };
                match std::fs::read(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|b| MailingList::parse(&b).map_err(|e| e.to_string()))
                {
                    Ok(list) => {
                        let name = path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        self.notice(format!("送付先一覧 {name}（{} 件）を使います", list.len()));
                        self.letters.mailing_list = Some((name, list));
                        self.load_letters();
                    }
                    Err(e) => self.error(e),
                }
            }
            LettersAction::Print => {
                let ids = self.letters.chosen();
                if ids.is_empty() {
                    return self.error("印刷する通知文を選んでください");
                }
                self.print(ids, "通知文.pdf", false);
            }
            LettersAction::Reprint(id) => self.print(vec![id], "通知文_再印刷.pdf", true),
            LettersAction::MarkNoReplies => {
                let today = chrono::Local::now().format("%Y-%m-%d").to_string();
                let Some(s) = &self.session else { return };
                match s.mark_no_replies(&today) {
                    Ok(n) => {
                        self.refresh();
                        self.notice(format!("回答期限を過ぎた {n} 件を「返事なし」にしました"));
                    }
                    Err(e) => self.error(e),
                }
            }
            LettersAction::SetPostalCode(id) => {
                let typed = self
                    .letters
                    .postal_inputs
                    .get(&id)
                    .cloned()
                    .unwrap_or_default();
                let Some(s) = &self.session else { return };
                match s.set_postal_code(id, &typed) {
                    Ok(code) => {
                        self.letters.postal_inputs.remove(&id);
                        self.load_letters();
                        self.notice(format!(
                            "郵便番号を {} にしました",
                            totsugo_core::postal::format_code(&code)
                        ));
                    }
                    Err(e) => self.error(e),
                }
            }
        }
    }

    /// Prints `ids` into one PDF where the user chooses, off the UI thread: the letters
    /// screen (or, for a reprint, the review screen) comes back with the outcome.
    fn print(&mut self, ids: Vec<i64>, default_name: &str, reprint: bool) {
        let Some(issued) = totsugo_core::record::Date::today() else {
            return;
        };
        // Refuse before the save dialog, not after it (issue 13 §8): a letter cannot go out
        // with the sender's items empty or still the sample values.
        if let Some(s) = &self.session {
            let missing = s.letter_settings().missing_ja();
            if !missing.is_empty() {
                self.error(format!(
                    "通知文の差出人の設定が済んでいません（{}）。管理者が「利用者の管理」の設定で入力してください",
                    missing.join("、")
                ));
                return;
            }
        }
        let retry = match (reprint, ids.first()) {
            (true, Some(id)) => crate::Action::Letters(LettersAction::Reprint(*id)),
            _ => crate::Action::Letters(LettersAction::Print),
        };
        let Some(path) = self.save_path(default_name, retry) else {
            return;
        };
        let mailing = self.letters.mailing_list.as_ref().map(|(_, l)| l.clone());
        let label = if reprint {
            "通知文を再印刷用 PDF に保存しています".to_string()
        } else {
            format!("通知文 {} 通を印刷用 PDF に保存しています", ids.len())
        };
        self.start_work(label, true, move |s, c| {
            let r = s.print_letters_tracked(
                &ids,
                mailing.as_ref(),
                issued,
                &path,
                reprint,
                &mut |done, total| c.progress(done, total),
                c.cancel_flag(),
            );
            Box::new(move |app: &mut App| match r {
                Ok(_) if reprint => {
                    if let Some(id) = ids.first() {
                        app.open_record(*id);
                    }
                    app.notice(format!(
                        "再印刷の通知文を {} に保存しました",
                        path.display()
                    ));
                }
                Ok(n) => {
                    app.load_letters();
                    app.refresh();
                    app.notice(format!(
                        "通知文 {n} 通を {} に保存し、送付済みにしました。印刷して郵送してください",
                        path.display()
                    ));
                }
                Err(e) => app.error(e),
            })
        });
    }
}

/// Notice letters: the records waiting for theirs, the insurer's mailing list (optional), one
/// PDF for all of them in postal-code order, and "no reply" after the deadline.
pub fn ui(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("本人確認用の通知文");
    crate::widgets::message(ui, app);
    let st = &mut app.letters;
    let a = st
        .waiting
        .iter()
        .filter(|l| l.1 == totsugo_core::review::LetterType::A)
        .count();
    ui.label(format!(
        "印刷を待つ通知文: {} 通（A {}　B {}）",
        st.waiting.len(),
        a,
        st.waiting.len() - a
    ));
    ui.horizontal(|ui| {
        if ui.button("送付先一覧（CSV）を選ぶ").clicked() {
            actions.push(Action::Letters(LettersAction::PickMailingList));
        }
        match &st.mailing_list {
            Some((name, l)) => ui.label(format!(
                "{name}（{} 件）: 郵便番号と住所はこちらを優先",
                l.len()
            )),
            None => ui.label("送付先一覧なし: 郵便番号は住所から町域一覧で引きます"),
        };
    });
    let chosen = st
        .waiting
        .iter()
        .filter(|l| !st.left_out.contains(&l.0))
        .count();
    if ui
        .add_enabled(
            chosen > 0,
            egui::Button::new(format!("{chosen} 通を印刷用 PDF に保存")),
        )
        .clicked()
    {
        actions.push(Action::Letters(LettersAction::Print));
    }
    ui.label("保存すると送付済みとして記録し、回答期限を設定します。印刷できない文字がある場合は、記号・番号を示して保存しません。");
    ui.separator();
    if ui
        .button("回答期限を過ぎた通知文を「返事なし」にする")
        .clicked()
    {
        actions.push(Action::Letters(LettersAction::MarkNoReplies));
    }
    ui.separator();
    let unknown = st.postal.iter().filter(|p| p.code.is_none()).count();
    if unknown > 0 {
        ui.label(
            RichText::new(format!(
                "郵便番号が決まっていない通知文が {unknown} 通あります（郵便番号なしで宛名に印刷されます）。下で入力してください。"
            ))
            .color(egui::Color32::from_rgb(0x9a, 0x5b, 0x00)),
        );
    }
    // One block per letter, wrapped to the window (a grid of four columns ran off the
    // smallest window, and a line about unprintable characters shifted its columns).
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .id_salt("letters-waiting")
        .show(ui, |ui| {
            for (id, t, card) in &st.waiting {
                ui.horizontal_wrapped(|ui| {
                    let mut included = !st.left_out.contains(id);
                    if ui
                        .checkbox(&mut included, format!("通知文{}　{card}", t.key()))
                        .changed()
                    {
                        if included {
                            st.left_out.remove(id);
                        } else {
                            st.left_out.insert(*id);
                        }
                    }
                    let p = st.postal.iter().find(|p| p.record_id == *id);
                    ui.label(match p {
                        Some(p) => format!(
                            "{}　{}{}",
                            p.code
                                .as_deref()
                                .map(totsugo_core::postal::format_code)
                                .unwrap_or_else(|| "〒未定".into()),
                            p.source,
                            if p.candidates.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    "（候補 {}）",
                                    p.candidates
                                        .iter()
                                        .take(5)
                                        .map(|c| totsugo_core::postal::format_code(c))
                                        .collect::<Vec<_>>()
                                        .join("、")
                                )
                            }
                        ),
                        None => String::new(),
                    });
                });
                if let Some((_, bad)) = st.unprintable.iter().find(|u| u.0 == *id) {
                    ui.label(
                        RichText::new(format!(
                            "印刷できない文字: {}（外しておくか、記録を直してください）",
                            bad.iter().collect::<String>()
                        ))
                        .color(egui::Color32::from_rgb(0xc0, 0x20, 0x20)),
                    );
                }
                ui.horizontal_wrapped(|ui| {
                    let text = st.postal_inputs.entry(*id).or_default();
                    let l = ui.label(format!("記録 {id} の郵便番号"));
                    ui.add(TextEdit::singleline(text).desired_width(90.0))
                        .labelled_by(l.id);
                    if ui.button(format!("記録 {id} の郵便番号を設定")).clicked() {
                        actions.push(Action::Letters(LettersAction::SetPostalCode(*id)));
                    }
                    if ui.button(format!("記録 {id} を開く")).clicked() {
                        actions.push(Action::Desk(DeskAction::OpenRecord(*id)));
                    }
                });
                ui.separator();
            }
        });
}
