//! The wording of the notice letters, from the session: the current text of each letter type,
//! its versions, saving and resetting them (administrators; audited), the preview of a real
//! page, and the text each letter prints with (the current one, or for a reprint the original
//! letter's).

use std::collections::HashMap;
use std::sync::Arc;

use crate::audit::{self, AuditAction};
use crate::auth::Permission;
use crate::letter_text::{LetterText, StopKind, default_source};
use crate::letters::LetterSettings;
use crate::pdf::Page;
use crate::review::LetterType;
use crate::store::TextVersion;

use super::*;

/// A letter type's wording as the editor shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentLetterText {
    /// The letter type.
    pub letter_type: LetterType,
    /// The text letters print with now (placeholders unfilled).
    pub text: String,
    /// The saved version it is; `None`: totsugo's default for the kind of insurer.
    pub version: Option<TextVersion>,
    /// totsugo's default for the kind of insurer (what 「既定の文面に戻す」 brings back).
    pub default_text: String,
}

/// A preview of a letter text: a real page laid out for a synthetic person, and what is wrong
/// with the text, if anything (the page is drawn all the same, so that the overflow shows).
pub struct LetterPreview {
    /// The page as it would print (the sample person 見本 花子).
    pub page: Page,
    /// Why the text could not be saved as it is (e.g. too long), in words for the
    /// administrator.
    pub problem: Option<String>,
}

/// Where a letter's text comes from, before the letters are noted.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum TextSource {
    /// A stored version.
    Stored(i64),
    /// totsugo's default of the letter type (kept as a version when the letters are noted).
    Default(LetterType),
}

/// The texts of one print job, each parsed once.
#[derive(Default)]
pub(super) struct TextCache {
    texts: HashMap<TextSource, Arc<LetterText>>,
}

impl Session {
    fn may_see_letter_texts(&self) -> Result<(), SessionError> {
        if self.may(Permission::Settings) {
            Ok(())
        } else {
            self.require(Permission::PrintLetters)
        }
    }

    /// The wording of both letter types as letters print them now (administrators and those
    /// who print letters).
    pub fn letter_texts(&self) -> Result<Vec<CurrentLetterText>, SessionError> {
        self.may_see_letter_texts()?;
        let kind = self.insurer_kind();
        let mut out = Vec::new();
        for t in [LetterType::A, LetterType::B] {
            let default_text = default_source(t, kind);
            let version = match self.store.current_letter_text(t)? {
                Some(id) => self.store.letter_text(id)?,
                None => None,
            };
            out.push(CurrentLetterText {
                letter_type: t,
                text: version
                    .as_ref()
                    .map_or_else(|| default_text.clone(), |v| v.body.clone()),
                version,
                default_text,
            });
        }
        Ok(out)
    }

    /// Every stored version of a letter type's text, newest first (saved ones and the defaults
    /// kept because letters used them).
    pub fn letter_text_versions(&self, t: LetterType) -> Result<Vec<TextVersion>, SessionError> {
        self.may_see_letter_texts()?;
        Ok(self.store.letter_text_versions(t)?)
    }

    /// Checks a letter text as the editor holds it: its placeholders and characters, and that
    /// the letter still fits on its sheet with this insurer's settings. The error says what is
    /// wrong, in Japanese.
    pub fn check_letter_text(&self, t: LetterType, text: &str) -> Result<LetterText, SessionError> {
        self.require(Permission::Settings)?;
        let parsed = LetterText::parse(t, text)?;
        crate::letters::check_text(&self.preview_settings(), &parsed, preview_date())?;
        Ok(parsed)
    }

    /// Saves a letter text as a new version and makes it current (administrators; audited).
    /// Refused, with the reason, if [`Session::check_letter_text`] refuses it; a text the same
    /// as the current version saves nothing. Returns the version's id.
    pub fn save_letter_text(&self, t: LetterType, text: &str) -> Result<i64, SessionError> {
        let parsed = self.check_letter_text(t, text)?;
        if let Some(id) = self.store.current_letter_text(t)?
            && self
                .store
                .letter_text(id)?
                .is_some_and(|v| v.body == parsed.source())
        {
            return Ok(id);
        }
        self.store.in_transaction(|store| {
            let id = store.insert_letter_text(
                t,
                parsed.source(),
                self.user.id,
                &audit::now_local(),
                false,
            )?;
            store.set_current_letter_text(t, Some(id))?;
            self.audit(
                AuditAction::SettingsChange,
                &format!("letter_text:{}", t.key()),
                &format!("通知文{}の文面を保存（版 {id}）", t.key()),
            )?;
            Ok::<_, SessionError>(id)
        })
    }

    /// Goes back to totsugo's default text of a letter type (administrators; audited). The
    /// saved versions stay; letters printed with them still reprint with them.
    pub fn reset_letter_text(&self, t: LetterType) -> Result<(), SessionError> {
        self.require(Permission::Settings)?;
        self.store.in_transaction(|store| {
            store.set_current_letter_text(t, None)?;
            self.audit(
                AuditAction::SettingsChange,
                &format!("letter_text:{}", t.key()),
                &format!("通知文{}の文面を既定に戻す", t.key()),
            )?;
            Ok::<_, SessionError>(())
        })
    }

    /// Lays out the letter of `text` for the sample person with the viewing stop `stop`, as
    /// the editor's live preview (administrators). A text that cannot be parsed is an error;
    /// one that parses but cannot be saved (e.g. too long) comes back with its page and the
    /// reason.
    pub fn preview_letter_text(
        &self,
        t: LetterType,
        text: &str,
        stop: StopKind,
    ) -> Result<LetterPreview, SessionError> {
        self.require(Permission::Settings)?;
        let parsed = LetterText::parse(t, text)?;
        let (page, verdict) =
            crate::letters::preview(&self.preview_settings(), &parsed, stop, preview_date())
                .map_err(|e| SessionError::Letters(e.to_string()))?;
        Ok(LetterPreview {
            page,
            problem: verdict.err().map(|e| e.to_string()),
        })
    }

    /// The letter settings for previews and checks: the insurer's, with the sample values
    /// where an item a letter needs is still empty, and no fixed deadline already past.
    fn preview_settings(&self) -> LetterSettings {
        let mut s = self.letter_settings();
        let sample = LetterSettings::default();
        for (v, d) in [
            (&mut s.insurer_name, sample.insurer_name),
            (&mut s.address, sample.address),
            (&mut s.phone, sample.phone),
        ] {
            if v.trim().is_empty() {
                *v = d;
            }
        }
        if s.reply_deadline.is_some_and(|d| d <= preview_date()) {
            s.reply_deadline = None;
        }
        s
    }

    /// Where the text of letters of type `t` comes from now: the current version, or the
    /// default.
    pub(super) fn current_text_source(&self, t: LetterType) -> Result<TextSource, SessionError> {
        Ok(match self.store.current_letter_text(t)? {
            Some(id) => TextSource::Stored(id),
            None => TextSource::Default(t),
        })
    }

    /// The text of `source`, parsed once per print job.
    pub(super) fn text_of(
        &self,
        cache: &mut TextCache,
        source: TextSource,
    ) -> Result<Arc<LetterText>, SessionError> {
        if let Some(t) = cache.texts.get(&source) {
            return Ok(t.clone());
        }
        let text = match source {
            TextSource::Stored(id) => {
                let v = self.store.letter_text(id)?.ok_or_else(|| {
                    SessionError::Letters(format!("通知文の文面（版 {id}）が見つかりません"))
                })?;
                LetterText::parse(v.letter_type, &v.body)?.with_version(id)
            }
            TextSource::Default(t) => LetterText::default_for(t, self.insurer_kind()),
        };
        let text = Arc::new(text);
        cache.texts.insert(source, text.clone());
        Ok(text)
    }

    /// The version id of `source`: a default is kept as a version the first time letters use
    /// it (by the user printing them). Inside the transaction that notes the letters.
    pub(super) fn version_of(
        &self,
        cache: &mut TextCache,
        source: TextSource,
    ) -> Result<i64, SessionError> {
        match source {
            TextSource::Stored(id) => Ok(id),
            TextSource::Default(t) => {
                let body = self.text_of(cache, source)?.source().to_string();
                match self.store.kept_default_text(t, &body)? {
                    Some(id) => Ok(id),
                    None => Ok(self.store.insert_letter_text(
                        t,
                        &body,
                        self.user.id,
                        &audit::now_local(),
                        true,
                    )?),
                }
            }
        }
    }
}

/// The date of issue of previews: today.
fn preview_date() -> crate::record::Date {
    crate::record::Date::today()
        .or_else(|| crate::record::Date::from_ymd(2024, 1, 1))
        .expect("a date")
}
