//! Letters and replies, from the session: printing the notice letters, their postal codes,
//! the wrong-number forms, and the replies (その後の結果).

use std::path::{Path, PathBuf};

use crate::audit::{self, AuditAction};
use crate::auth::Permission;
use crate::record::Record;
use crate::review::{Decision, FollowUp, LetterType, ReviewState};
use crate::store::StoreError;

use super::letter_text::{TextCache, TextSource};
use super::*;

/// Where a waiting letter's postal code comes from (see [`Session::letter_postal_codes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostalPreview {
    /// Record id.
    pub record_id: i64,
    /// The code the letter will carry, if known (7 digits).
    pub code: Option<String>,
    /// How it was found, for the clerk.
    pub source: String,
    /// Candidates from the town list when it gave several.
    pub candidates: Vec<String>,
}

impl Session {
    /// Notes that letters were printed and sent: (record, letter type) for records whose
    /// current decision is 本人へ文書送付 with that type; `deadline` is the reply deadline
    /// (YYYY-MM-DD). Each letter is noted with the current text version of its type. Audited;
    /// returns the letter batch id.
    pub fn record_letters_printed(
        &self,
        letters: &[(i64, LetterType)],
        deadline: &str,
        reprint: bool,
    ) -> Result<i64, SessionError> {
        self.require(Permission::PrintLetters)?;
        let mut with_text = Vec::with_capacity(letters.len());
        for (id, t) in letters {
            with_text.push((*id, *t, self.current_text_source(*t)?, None));
        }
        self.note_letters(&with_text, &mut TextCache::default(), deadline, reprint)
    }

    /// The letters' records as they must be to note them as sent: each record's current
    /// decision is 本人へ文書送付 with that letter type (and, where given, the very decision the
    /// letter was made from), decided or approved. Returns (record, decision, type).
    fn check_letters(
        store: &crate::store::Store,
        letters: &[(i64, LetterType, TextSource, Option<i64>)],
    ) -> Result<Vec<(i64, i64, LetterType)>, SessionError> {
        let mut rows = Vec::with_capacity(letters.len());
        for (id, t, _, made_from) in letters {
            let review = store
                .record_review(*id)?
                .ok_or(SessionError::NotAMismatch(*id))?;
            match review.decision {
                Some(d)
                    if d.choice.decision == Decision::WriteToPerson
                        && d.choice.letter == Some(*t)
                        && made_from.is_none_or(|m| m == d.id)
                        && matches!(review.state, ReviewState::Decided | ReviewState::Approved) =>
                {
                    rows.push((*id, d.id, *t))
                }
                _ => return Err(SessionError::NoLetterDecided(*id)),
            }
        }
        Ok(rows)
    }

    /// Notes printed letters with the text each used: in one transaction, the decisions
    /// checked again (a letter whose decision changed meanwhile is not noted as sent), the
    /// batch, the text versions (a default kept as a version on first use) and the audit
    /// entry.
    fn note_letters(
        &self,
        letters: &[(i64, LetterType, TextSource, Option<i64>)],
        texts: &mut TextCache,
        deadline: &str,
        reprint: bool,
    ) -> Result<i64, SessionError> {
        self.store.in_transaction(|store| {
            let rows = Self::check_letters(store, letters)?;
            let batch = store.insert_letter_batch(
                &rows,
                self.user.id,
                &audit::now_local(),
                deadline,
                reprint,
            )?;
            let mut versions = Vec::with_capacity(letters.len());
            for (id, _, source, _) in letters {
                versions.push((*id, self.version_of(texts, *source)?));
            }
            store.set_letter_text_ids(batch, &versions)?;
            self.audit(
                AuditAction::LetterPrint,
                &format!("letter_batch:{batch}"),
                &format!(
                    "通知文 {} 通{}（回答期限 {deadline}）",
                    rows.len(),
                    if reprint { "（再印刷）" } else { "" }
                ),
            )?;
            Ok::<_, SessionError>(batch)
        })
    }

    /// Prints the notice letters of these records (current decision 本人へ文書送付) into one
    /// PDF at `out` (postal-code order), and notes them as sent with their reply deadline and
    /// the text version each used: the current text of its type, or for a reprint the text of
    /// the record's first letter for the same decision (the current one if that letter noted
    /// none).
    /// The postal code comes from the insurer's mailing list when given (it takes
    /// precedence), else from the town list when the address gives exactly one. Nothing is
    /// printed or noted if any letter cannot be printed (the error names them by card).
    /// Returns the number of letters.
    pub fn print_letters(
        &self,
        record_ids: &[i64],
        mailing: Option<&crate::postal::MailingList>,
        issued: crate::record::Date,
        out: &Path,
        reprint: bool,
    ) -> Result<usize, SessionError> {
        self.print_letters_tracked(
            record_ids,
            mailing,
            issued,
            out,
            reprint,
            &mut |_, _| {},
            &std::sync::atomic::AtomicBool::new(false),
        )
    }

    /// [`Session::print_letters`] reporting its progress (steps done of the total: one per
    /// letter read, then the PDF made, then written) and stopping when `cancel` is set: a
    /// stopped batch writes nothing and notes nothing as sent.
    #[allow(clippy::too_many_arguments)]
    pub fn print_letters_tracked(
        &self,
        record_ids: &[i64],
        mailing: Option<&crate::postal::MailingList>,
        issued: crate::record::Date,
        out: &Path,
        reprint: bool,
        on_progress: &mut dyn FnMut(u64, u64),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<usize, SessionError> {
        use crate::letters::LetterInput;
        let total = record_ids.len() as u64 + 2;
        let stopped = || cancel.load(std::sync::atomic::Ordering::Relaxed);
        self.require(Permission::PrintLetters)?;
        let settings = self.letter_settings();
        let missing = settings.missing_ja();
        if !missing.is_empty() {
            return Err(SessionError::Letters(format!(
                "通知文の差出人の設定が済んでいません（{}）。管理者が設定画面で入力してください",
                missing.join("、")
            )));
        }
        let mut inputs = Vec::with_capacity(record_ids.len());
        let mut printed = Vec::with_capacity(record_ids.len());
        let mut texts = TextCache::default();
        let current = [
            self.current_text_source(LetterType::A)?,
            self.current_text_source(LetterType::B)?,
        ];
        for id in record_ids {
            let review = self
                .store
                .record_review(*id)?
                .ok_or(SessionError::NotAMismatch(*id))?;
            let (letter, decision_id) = match &review.decision {
                Some(d) if d.choice.decision == Decision::WriteToPerson => (
                    d.choice.letter.ok_or(SessionError::NoLetterDecided(*id))?,
                    d.id,
                ),
                _ => return Err(SessionError::NoLetterDecided(*id)),
            };
            let original = if reprint {
                self.store
                    .original_letter_text(*id, decision_id)?
                    .map(TextSource::Stored)
            } else {
                None
            };
            let source = original.unwrap_or(current[usize::from(letter == LetterType::B)]);
            let record = self
                .store
                .record(*id)?
                .ok_or(SessionError::NotAMismatch(*id))?;
            let (address, _) = self.letter_address(*id, &record, mailing)?;
            let mut input = LetterInput::from_record(&record, letter, address);
            input.text = Some(self.text_of(&mut texts, source)?);
            inputs.push(input);
            printed.push((*id, letter, source, Some(decision_id)));
            if stopped() {
                return Err(SessionError::Cancelled);
            }
            on_progress(printed.len() as u64, total);
        }
        let batch = crate::letters::render_batch(&settings, &inputs, issued)
            .map_err(|e| SessionError::Letters(e.to_string()))?;
        if stopped() {
            return Err(SessionError::Cancelled);
        }
        on_progress(total - 1, total);
        let deadline = crate::letters::reply_deadline(&settings, issued);
        // Marked as sent only when the decisions still hold (checked before the file is
        // written, and again in the transaction that notes them) and the PDF is durably on
        // disk (write_output fsyncs it and its folder before it returns).
        Self::check_letters(&self.store, &printed)?;
        self.write_output(
            out,
            &batch.pdf,
            "letters",
            "letters",
            &format!("通知文 {} 通", inputs.len()),
        )?;
        if let Err(e) = self.note_letters(&printed, &mut texts, &deadline.iso(), reprint) {
            // A decision changed while the PDF was being written: that PDF must not go out.
            if matches!(e, SessionError::NoLetterDecided(_)) {
                let _ = overwrite_and_remove(out);
            }
            return Err(e);
        }
        on_progress(total, total);
        Ok(inputs.len())
    }

    /// The similar-case check of a record (類似事案の点検).
    pub fn similar_cases(
        &self,
        record_id: i64,
    ) -> Result<Vec<crate::wrong_number::SimilarCase>, SessionError> {
        self.require(Permission::Review)?;
        let cases = self.store.similar_cases(record_id)?;
        self.audit_view(
            "類似事案の一覧",
            &format!("record:{record_id}"),
            cases.len(),
        )?;
        Ok(cases)
    }

    /// For a record whose number turned out wrong (2-4, 3-2, 4-4, 4-7): writes into `dir`
    /// the drafts of the contact sheet (別添3; 市町村国保: the デジタルPMO notice), the
    /// fact-check sheet (別添4) and the report (別添5, with the 「本件事案の経緯」 of the steps
    /// recorded so far) as PDF, and the similar-case list as CSV (card and reason only), each
    /// through [`Session::write_output`]. Returns the files.
    pub fn write_wrong_number_forms(
        &self,
        record_id: i64,
        dir: &Path,
    ) -> Result<Vec<PathBuf>, SessionError> {
        self.require(Permission::Decide)?;
        let procedure = self
            .wrong_number_procedure(record_id)?
            .ok_or(SessionError::NotWrongNumber(record_id))?;
        let detected = procedure.found_on;
        let record = self
            .store
            .record(record_id)?
            .ok_or(SessionError::NotAMismatch(record_id))?;
        let settings = self.letter_settings();
        let sender = crate::wrong_number::Sender {
            insurer: settings.insurer_name.clone(),
            insurer_code: settings.insurer_code.clone(),
            insurer_number: settings.insurer_number.clone(),
            department: settings.department.clone(),
            person: self.user.display_name.clone(),
            phone: settings.phone.clone(),
            kind: settings.kind,
        };
        let similar = self.store.similar_cases(record_id)?;
        // The card comes from the file: it names files only once it cannot name a path.
        let card = crate::output_file::safe_file_name(&format!(
            "{}-{}-{}",
            record.card_symbol, record.card_number, record.branch
        ));
        let target = format!("record:{record_id}");
        let mut written = Vec::new();
        // 市町村国保 notify through the デジタルPMO, without personal data, instead of the
        // contact sheet.
        let first = match settings.kind.map(|k| k.contact_route()) {
            Some(crate::insurer::ContactRoute::DigitalPmo) => (
                crate::wrong_number::pmo_notice(&sender, detected),
                "デジタルPMO連絡文",
                "デジタルPMOでの連絡文（個人情報なし）下書き",
            ),
            _ => (
                crate::wrong_number::contact_sheet(&sender, &record, procedure.found, detected),
                "連絡票_別添3",
                "連絡票（別添3）下書き",
            ),
        };
        for (doc, name, what) in [
            first,
            (
                crate::wrong_number::fact_check(&sender, &similar),
                "事実関係確認票_別添4",
                "確認票（別添4）下書き",
            ),
            (
                crate::wrong_number::report_form(&sender, &procedure, &similar),
                "報告様式_別添5",
                "報告様式（別添5）下書き",
            ),
        ] {
            let pdf = crate::pdf::render(&doc).map_err(|e| output_error(dir, e))?;
            let path = dir.join(format!("{name}_{card}.pdf"));
            self.write_output(&path, &pdf, "wrong_number_form", &target, what)?;
            written.push(path);
        }
        let mut rows = Vec::new();
        for c in &similar {
            if let Some(r) = self.store.record(c.record_id)? {
                rows.push(vec![r.card_symbol, r.card_number, r.branch, c.why.clone()]);
            }
        }
        let table = crate::outputs::Table {
            headers: vec![
                "記号".into(),
                "番号".into(),
                "枝番".into(),
                "類似の理由".into(),
            ],
            rows,
        };
        let csv = table
            .to_csv(crate::outputs::CsvEncoding::Utf8Bom)
            .map_err(|e| output_error(dir, e))?;
        let path = dir.join(format!("類似事案の点検_{card}.csv"));
        self.write_output(
            &path,
            &csv,
            "similar_cases",
            &target,
            "類似事案の点検の一覧",
        )?;
        written.push(path);
        Ok(written)
    }

    /// Where each waiting letter's postal code comes from, for the clerk to confirm or
    /// correct before printing.
    pub fn letter_postal_codes(
        &self,
        record_ids: &[i64],
        mailing: Option<&crate::postal::MailingList>,
    ) -> Result<Vec<PostalPreview>, SessionError> {
        self.require(Permission::PrintLetters)?;
        let mut out = Vec::new();
        for id in record_ids {
            let Some(record) = self.store.record(*id)? else {
                continue;
            };
            out.push(self.letter_address(*id, &record, mailing)?.1);
        }
        Ok(out)
    }

    /// The characters each waiting letter cannot print (the font lacks them, e.g. 𠮷 or a
    /// gaiji), for the clerk to fix before printing: (record id, characters), only letters
    /// with some.
    pub fn letters_unprintable(
        &self,
        record_ids: &[i64],
    ) -> Result<Vec<(i64, Vec<char>)>, SessionError> {
        self.require(Permission::PrintLetters)?;
        let mut out = Vec::new();
        for id in record_ids {
            let Some(record) = self.store.record(*id)? else {
                continue;
            };
            let letter = self
                .store
                .record_review(*id)?
                .and_then(|r| r.decision)
                .and_then(|d| d.choice.letter)
                .unwrap_or(LetterType::B);
            let input = crate::letters::LetterInput::from_record(&record, letter, None);
            let bad = crate::letters::unprintable(&input);
            if !bad.is_empty() {
                out.push((*id, bad));
            }
        }
        Ok(out)
    }

    /// Where a record's letter goes, and how its postal code was found: the insurer's mailing
    /// list first, then the code the clerk confirmed, then the town list when it gives one
    /// code (its candidates otherwise, for the clerk to choose).
    fn letter_address(
        &self,
        record_id: i64,
        record: &Record,
        mailing: Option<&crate::postal::MailingList>,
    ) -> Result<(Option<crate::letters::MailingAddress>, PostalPreview), StoreError> {
        use crate::postal::{Lookup, PostalIndex, Resolved, resolve};
        let card = (
            record.card_symbol.as_str(),
            record.card_number.as_str(),
            record.branch.as_str(),
        );
        let (address, code, source, candidates) =
            match resolve(mailing, PostalIndex::get(), card, &record.insurer.address) {
                Resolved::Mailing(m) => (
                    m.address.clone(),
                    Some(m.postal_code.clone()),
                    "送付先一覧",
                    Vec::new(),
                ),
                Resolved::Lookup(l) => {
                    let candidates: Vec<String> = l.codes().iter().map(|c| c.to_string()).collect();
                    let (code, source, candidates) =
                        match (self.store.postal_override(record_id)?, l) {
                            (Some(c), _) => (Some(c), "担当者が確認", candidates),
                            (None, Lookup::Exact { code, .. }) => {
                                (Some(code), "町域一覧（要確認）", Vec::new())
                            }
                            (None, Lookup::Candidates(_)) => {
                                (None, "候補が複数: 選んでください", candidates)
                            }
                            (None, Lookup::NotFound) => (
                                None,
                                "町域一覧に見つかりません: 入力してください",
                                candidates,
                            ),
                        };
                    (record.insurer.address.clone(), code, source, candidates)
                }
            };
        let mailing_address = code
            .clone()
            .map(|postal_code| crate::letters::MailingAddress {
                postal_code,
                address,
            });
        Ok((
            mailing_address,
            PostalPreview {
                record_id,
                code,
                source: source.to_string(),
                candidates,
            },
        ))
    }

    /// Sets the postal code of a record's letter as the clerk confirmed or corrected it
    /// (7 digits, `123-4567` or full-width accepted); audited. Returns the 7 digits.
    pub fn set_postal_code(&self, record_id: i64, code: &str) -> Result<String, SessionError> {
        self.require(Permission::PrintLetters)?;
        let code = crate::postal::normalize_code(code).ok_or_else(|| {
            SessionError::InvalidUser("郵便番号は7桁の数字で入力してください（例 123-4567）".into())
        })?;
        self.store
            .set_postal_override(record_id, &code, self.user.id, &audit::now_local())?;
        self.audit(
            AuditAction::Decision,
            &format!("record:{record_id}"),
            "通知文の郵便番号を確認・修正",
        )?;
        Ok(code)
    }

    /// Records waiting for their letter: (record id, type, card), ① first.
    pub fn letters_to_print(&self) -> Result<Vec<(i64, LetterType, String)>, SessionError> {
        self.require(Permission::PrintLetters)?;
        let waiting = self.store.letters_to_print()?;
        self.audit_view("印刷を待つ通知文の一覧", "", waiting.len())?;
        Ok(waiting)
    }

    /// Compares the last 4 digits the person wrote on the reply form (type B) with the
    /// registered number; only "match" or "no match" comes back, and the digits are never
    /// stored or logged. Audited.
    pub fn check_last_four(&self, record_id: i64, digits: &str) -> Result<bool, SessionError> {
        self.require(Permission::RecordReplies)?;
        let digits = crate::text::fold_width_and_spaces(digits);
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SessionError::Digits);
        }
        let record = self
            .store
            .record(record_id)?
            .ok_or(SessionError::NotAMismatch(record_id))?;
        // A masked file's number is compared on its last 4 digits where it has them.
        let last = crate::record::masked_number_digits(&record.my_number)
            .filter(|d| d.len() >= 4)
            .map(|d| &d[d.len() - 4..]);
        let Some(last) = last else {
            return Err(SessionError::NoLastFour(record_id));
        };
        let matched = last == digits;
        self.audit(
            AuditAction::Decision,
            &format!("record:{record_id}"),
            if matched {
                "下4桁の照合: 一致"
            } else {
                "下4桁の照合: 不一致"
            },
        )?;
        Ok(matched)
    }

    /// Records the person's reply to the letter, or the employer's answer, for the record's
    /// current decision. For type B, `digits` are the last 4 digits the person wrote: calling
    /// the number right while they do not match needs `confirmed` and a memo. Audited.
    pub fn record_follow_up(
        &self,
        record_id: i64,
        outcome: FollowUp,
        digits: Option<&str>,
        memo: &str,
        confirmed: bool,
    ) -> Result<(), SessionError> {
        self.require(Permission::RecordReplies)?;
        let review = self
            .store
            .record_review(record_id)?
            .ok_or(SessionError::NotAMismatch(record_id))?;
        let Some(d) = review.decision else {
            return Err(SessionError::FollowUpDoesNotFit(record_id));
        };
        self.refuse_after_wrong_number_steps(record_id)?;
        if !outcome.fits(d.choice.decision)
            || !matches!(review.state, ReviewState::Decided | ReviewState::Approved)
        {
            return Err(SessionError::FollowUpDoesNotFit(record_id));
        }
        if d.choice.decision == Decision::WriteToPerson
            && !self
                .store
                .letters_of(record_id)?
                .iter()
                .any(|l| l.decision_id == d.id)
        {
            return Err(SessionError::NoLetterSent(record_id));
        }
        let digits_match = match digits.filter(|s| !s.trim().is_empty()) {
            Some(x) => Some(self.check_last_four(record_id, x)?),
            None => None,
        };
        let memo = memo.trim();
        if digits_match == Some(false)
            && outcome == FollowUp::NumberCorrect
            && (!confirmed || memo.is_empty())
        {
            return Err(SessionError::NeedsConfirmation(vec![
                "下4桁が一致しないのに「誤りなし」としようとしています".into(),
            ]));
        }
        self.store.in_transaction(|store| {
            store.set_follow_up(
                record_id,
                d.id,
                outcome,
                digits_match,
                memo,
                self.user.id,
                &audit::now_local(),
            )?;
            self.audit(
                AuditAction::Decision,
                &format!("record:{record_id}"),
                &format!("follow_up={}", outcome.label_ja()),
            )?;
            Ok::<_, SessionError>(())
        })
    }

    /// After the reply deadline: records "no reply" for every letter still unanswered whose
    /// deadline is before `today` (YYYY-MM-DD). Audited; returns how many.
    pub fn mark_no_replies(&self, today: &str) -> Result<u64, SessionError> {
        self.require(Permission::RecordReplies)?;
        let overdue = self.store.overdue_letters(today)?;
        self.store.in_transaction(|store| {
            let at = audit::now_local();
            for (record, decision) in &overdue {
                store.set_follow_up(
                    *record,
                    *decision,
                    FollowUp::NoReply,
                    None,
                    "回答期限を過ぎたため一括登録",
                    self.user.id,
                    &at,
                )?;
            }
            self.audit(
                AuditAction::Decision,
                "follow_up",
                &format!(
                    "期限切れの返事なし {} 件を一括登録（{today} 時点）",
                    overdue.len()
                ),
            )?;
            Ok::<_, SessionError>(overdue.len() as u64)
        })
    }
}
