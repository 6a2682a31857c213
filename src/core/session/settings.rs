//! The insurer's settings kept in the store, from the session: the kind of insurer, the
//! letterhead, the release schedule and the release-request format.

use crate::audit::AuditAction;
use crate::auth::Permission;

use super::*;

impl Session {
    /// The release cut-off schedule (the setting, or the operator's published one).
    pub fn release_schedule(&self) -> crate::release::Schedule {
        self.store
            .setting(crate::release::SETTING)
            .ok()
            .flatten()
            .and_then(|t| crate::release::Schedule::parse(&t).ok())
            .unwrap_or_default()
    }

    /// The release cut-off schedule as written in the setting (the operator's published
    /// schedule until an administrator changes it).
    pub fn release_schedule_text(&self) -> String {
        self.store
            .setting(crate::release::SETTING)
            .ok()
            .flatten()
            .unwrap_or_else(|| crate::release::DEFAULT_SCHEDULE.to_string())
    }

    /// Sets the release cut-off schedule (administrators; audited). The text is checked first.
    pub fn set_release_schedule(&self, text: &str) -> Result<(), SessionError> {
        self.require(Permission::Settings)?;
        crate::release::Schedule::parse(text).map_err(SessionError::InvalidUser)?;
        self.set_setting_audited(
            crate::release::SETTING,
            text.trim(),
            &text.trim().replace('\n', " / "),
        )
    }

    /// The kind of insurer (setting `insurer_kind`), once an administrator has chosen it: the
    /// first run asks for it, and a store made before asks its administrator once at login.
    pub fn insurer_kind(&self) -> Option<crate::insurer::InsurerKind> {
        self.store
            .setting(crate::insurer::SETTING)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
    }

    /// Sets the kind of insurer (administrators; audited).
    pub fn set_insurer_kind(&self, kind: crate::insurer::InsurerKind) -> Result<(), SessionError> {
        self.require(Permission::Settings)?;
        let text = serde_json::to_string(&kind).expect("insurer kind");
        self.set_setting_audited(crate::insurer::SETTING, &text, kind.label_ja())
    }

    /// The decisions this insurer has, in the order of their keys: 事業主へ確認 only where the
    /// members have an employer (employee insurance; all while the kind is not set).
    pub fn decisions(&self) -> Vec<crate::review::Decision> {
        let employer = self.insurer_kind().is_none_or(|k| k.has_employer());
        crate::review::Decision::ALL
            .into_iter()
            .filter(|d| employer || *d != crate::review::Decision::AskEmployer)
            .collect()
    }

    /// Whether this user should be asked for the kind of insurer now: an administrator of a
    /// store that has none yet.
    pub fn must_choose_insurer_kind(&self) -> bool {
        self.may(Permission::Settings) && self.insurer_kind().is_none()
    }

    /// The letterhead, contact and reply deadline of the notice letters (setting `letters`).
    pub fn letter_settings(&self) -> crate::letters::LetterSettings {
        let mut s: crate::letters::LetterSettings = self
            .store
            .setting("letters")
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        s.kind = self.insurer_kind();
        s
    }

    /// The insurer's name for documents, once an administrator has saved the letter settings.
    pub fn insurer_name(&self) -> Option<String> {
        self.store
            .setting("letters")
            .ok()
            .flatten()
            .map(|_| self.letter_settings().insurer_name)
    }

    /// Sets the letter settings (administrators; audited) after
    /// [`crate::letters::LetterSettings::checked`]; returns them as stored (tidied).
    pub fn set_letter_settings(
        &self,
        s: &crate::letters::LetterSettings,
    ) -> Result<crate::letters::LetterSettings, SessionError> {
        self.require(Permission::Settings)?;
        let mut s = s.clone().checked().map_err(SessionError::InvalidSetting)?;
        let text = serde_json::to_string(&s).expect("letter settings");
        self.set_setting_audited("letters", &text, "通知文の設定")?;
        s.kind = self.insurer_kind();
        Ok(s)
    }

    /// The release request format (setting; the My Number is left out unless asked for).
    pub fn release_format(&self) -> crate::release::RequestFormat {
        self.store
            .setting(crate::release::FORMAT_SETTING)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Sets the release request format (administrators; audited).
    pub fn set_release_format(
        &self,
        f: &crate::release::RequestFormat,
    ) -> Result<(), SessionError> {
        self.require(Permission::Settings)?;
        let text = serde_json::to_string(f).expect("format");
        self.set_setting_audited(crate::release::FORMAT_SETTING, &text, &text)
    }

    /// The user's own choice: after a decision, open the next record of the list at once (so
    /// that a notation-only record costs one key). Off until the user turns it on.
    pub fn auto_advance(&self) -> bool {
        self.store
            .setting(&format!("user:{}:auto_advance", self.user.id))
            .ok()
            .flatten()
            .is_some_and(|v| v == "1")
    }

    /// Sets [`Session::auto_advance`] for the logged-in user (a preference of their own: no
    /// right needed, not audited).
    pub fn set_auto_advance(&self, on: bool) -> Result<(), SessionError> {
        self.store.set_setting(
            &format!("user:{}:auto_advance", self.user.id),
            if on { "1" } else { "0" },
        )?;
        Ok(())
    }

    /// Stores a setting and its audit entry in one transaction (both or neither).
    pub(super) fn set_setting_audited(
        &self,
        key: &str,
        value: &str,
        detail: &str,
    ) -> Result<(), SessionError> {
        self.store.atomically(|| -> Result<(), SessionError> {
            self.store.set_setting(key, value)?;
            self.audit(AuditAction::SettingsChange, key, detail)
        })
    }
}
