//! The release request (閲覧停止解除依頼) and the count report (件数の報告), from the session.

use std::path::{Path, PathBuf};

use crate::audit::{self, AuditAction};
use crate::auth::Permission;
use crate::report::CountReport;
use crate::store::{ReleaseRequestRow, ReleaseRow};

use super::*;

/// An output the release and report screens write (see [`Session::output_missing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// The files of a release request (list and cover sheet).
    ReleaseRequest,
    /// The count report (CSV or PDF).
    CountReport,
}

impl Session {
    /// What `output` still needs before it can be written, in words for the screen (empty:
    /// ready). Checked before the user is asked where to save it (issue 13 §8): the insurer's
    /// name heads the cover sheet and the report (never 「（保険者名未設定）」), and a
    /// release list that holds every full My Number needs 個人番号閲覧権限.
    pub fn output_missing(&self, output: Output) -> Vec<String> {
        let mut out = Vec::new();
        let name = self.insurer_name().unwrap_or_default();
        if crate::letters::is_unset(&name) {
            out.push(
                "保険者名が設定されていません（管理者が「利用者の管理」の設定で入力します）"
                    .to_string(),
            );
        }
        if output == Output::ReleaseRequest
            && self.release_format().with_my_number
            && !self.may(Permission::RevealMyNumber)
        {
            out.push(
                "解除依頼の一覧に個人番号を載せる書式です。書き出すには個人番号閲覧権限が必要です"
                    .to_string(),
            );
        }
        out
    }

    /// The count report (確認結果（件数）の報告), live: of approved decisions only, or of
    /// every current decision.
    pub fn count_report(&self, approved_only: bool) -> Result<CountReport, SessionError> {
        self.require(Permission::ViewSummary)?;
        let mut report = CountReport::compute(
            self.store.mismatch_count()?,
            self.store.counted_decisions(approved_only)?,
            approved_only,
        );
        report.out_of_scope = self.store.out_of_scope_count()?;
        report.kind = self.insurer_kind();
        Ok(report)
    }

    /// Records ready for the next release request (supervisors), ① first, with the My
    /// Number masked (`********1234`: the screen never needs it); the view is audited with
    /// the count.
    pub fn release_candidates(&self) -> Result<Vec<ReleaseRow>, SessionError> {
        self.require(Permission::Approve)?;
        let mut rows = self.store.release_candidates()?;
        for r in &mut rows {
            r.my_number = crate::mask::my_number(&r.my_number);
        }
        self.audit_view("解除依頼の候補", "", rows.len())?;
        Ok(rows)
    }

    /// Makes a release request of these records, for the next cut-off (supervisors; audited).
    /// A record goes in one request only. Returns the request id.
    pub fn make_release_request(&self, record_ids: &[i64]) -> Result<i64, SessionError> {
        self.require(Permission::Approve)?;
        if record_ids.is_empty() {
            return Err(SessionError::NotReleasable);
        }
        let cutoff = self
            .release_schedule()
            .next_after(chrono::Local::now().naive_local())
            .map(|c| c.to_string());
        // Under the write lock: the candidates (approved, outcome approved) cannot change
        // between the check and the request.
        self.store.in_write_transaction(|store| {
            let id = store
                .insert_release_request(
                    record_ids,
                    self.user.id,
                    &audit::now_local(),
                    cutoff.as_deref(),
                )?
                .ok_or(SessionError::NotReleasable)?;
            self.audit(
                AuditAction::Export,
                &format!("release_request:{id}"),
                &format!("閲覧停止解除依頼 {} 件", record_ids.len()),
            )?;
            Ok::<_, SessionError>(id)
        })
    }

    /// Writes the files of a release request into `dir` (chosen by the user): the list as
    /// CSV in UTF-8 with BOM and in CP932, as XLSX, and the cover sheet as PDF. Every file
    /// goes through [`Session::write_output`]. Returns the files written and, if the CP932
    /// list could not be written, why.
    pub fn write_release_request(
        &self,
        request_id: i64,
        insurer: &str,
        dir: &Path,
    ) -> Result<(Vec<PathBuf>, Option<String>), SessionError> {
        self.require(Permission::Approve)?;
        let request = self
            .store
            .release_requests()?
            .into_iter()
            .find(|r| r.id == request_id)
            .ok_or(SessionError::NotReleasable)?;
        let rows = self.store.release_request_rows(request_id)?;
        let format = self.release_format();
        let target = format!("release_request:{request_id}");
        if format.with_my_number {
            // The list holds every full My Number: only with 個人番号閲覧権限, and the
            // numbers written are audited (count and masked, never the numbers).
            if let Err(e) = self.require(Permission::RevealMyNumber) {
                if matches!(e, SessionError::Forbidden(_)) {
                    self.audit(
                        AuditAction::Export,
                        &target,
                        "書き出しを拒否: 個人番号を含む書式で、個人番号閲覧権限なし",
                    )?;
                    return Err(SessionError::MyNumberRightNeeded(format!(
                        "解除依頼 第{request_id}号の一覧"
                    )));
                }
                return Err(e);
            }
            self.audit(
                AuditAction::RevealMyNumber,
                &target,
                &numbers_written("解除依頼の一覧（CSV・XLSX）", &rows),
            )?;
        }
        let table = crate::release::request_table(&rows, &format);
        let mut approvers: Vec<String> = Vec::new();
        for r in &rows {
            if let Some((_, Some(by))) = self.store.approval_of(r.record_id)?
                && !approvers.contains(&by)
            {
                approvers.push(by);
            }
        }
        let prepared_by = self
            .store
            .user(request.created_by)?
            .map(|u| u.display_name)
            .unwrap_or_default();
        let cover = crate::release::Cover {
            insurer: insurer.to_string(),
            request_id,
            cutoff: request
                .cutoff
                .as_deref()
                .map(crate::release::describe_stored),
            created_at: request.created_at.clone(),
            prepared_by,
            approved_by: approvers,
        };
        let base = format!("閲覧停止解除依頼_第{request_id}号");
        let mut written = Vec::new();
        let mut note = None;
        for enc in [
            crate::outputs::CsvEncoding::Utf8Bom,
            crate::outputs::CsvEncoding::Cp932,
        ] {
            match table.to_csv(enc) {
                Ok(bytes) => {
                    let path = dir.join(format!("{base}_送付用_{}.csv", enc.suffix()));
                    self.write_output(
                        &path,
                        &bytes,
                        "release_list",
                        &target,
                        "解除依頼の一覧（送付用 CSV）",
                    )?;
                    written.push(path);
                }
                Err(e) => note = Some(e),
            }
        }
        let xlsx = table
            .to_xlsx("解除依頼")
            .map_err(|e| output_error(dir, e))?;
        let path = dir.join(format!("{base}_確認用.xlsx"));
        self.write_output(
            &path,
            &xlsx,
            "release_list",
            &target,
            "解除依頼の一覧（確認用 XLSX）",
        )?;
        written.push(path);
        let pdf = crate::pdf::render(&crate::release::cover_sheet(&cover, &rows))
            .map_err(|e| output_error(dir, e))?;
        let path = dir.join(format!("{base}_送付書.pdf"));
        self.write_output(
            &path,
            &pdf,
            "release_cover",
            &target,
            "解除依頼の送付書（PDF）",
        )?;
        written.push(path);
        Ok((written, note))
    }

    /// Writes the count report to `out` as CSV (UTF-8 with BOM) or, for a path ending in
    /// `.pdf`, as a printable PDF; audited.
    pub fn write_count_report(
        &self,
        approved_only: bool,
        insurer: &str,
        out: &Path,
    ) -> Result<(), SessionError> {
        let report = self.count_report(approved_only)?;
        let basis = if approved_only {
            "承認済の判断"
        } else {
            "承認待ちを含むすべての判断"
        };
        let is_pdf = out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
        let bytes = if is_pdf {
            use crate::pdf::Block;
            let doc = crate::pdf::SimpleDoc {
                title: "確認結果（件数）の報告".into(),
                blocks: [
                    Block::Title("確認結果（件数）の報告".into()),
                    Block::Paragraph(format!(
                        "{insurer}　{} 現在（集計の対象: {basis}）",
                        audit::time_ja(&audit::now_local())
                    )),
                    Block::Table(
                        report
                            .lines
                            .iter()
                            .map(|(k, l, n)| (format!("{k}. {l}"), format!("{n} 件")))
                            .collect(),
                    ),
                    Block::Spacer(4.0),
                ]
                .into_iter()
                .chain(report.notes_ja().into_iter().map(Block::Paragraph))
                .collect(),
                footer: Some("確認結果（件数）の報告".into()),
            };
            crate::pdf::render(&doc).map_err(|e| output_error(out, e))?
        } else {
            let table = crate::outputs::Table {
                headers: vec!["設問".into(), "内容".into(), "件数".into()],
                rows: report.rows().into_iter().map(|r| r.to_vec()).collect(),
            };
            table
                .to_csv(crate::outputs::CsvEncoding::Utf8Bom)
                .map_err(|e| output_error(out, e))?
        };
        self.write_output(
            out,
            &bytes,
            "count_report",
            "count_report",
            &format!("確認結果（件数）の報告（{basis}）"),
        )
    }

    /// The release requests made so far, newest first.
    pub fn release_requests(&self) -> Result<Vec<ReleaseRequestRow>, SessionError> {
        self.require(Permission::ViewSummary)?;
        Ok(self.store.release_requests()?)
    }
}

/// The audit detail of full My Numbers written into an output: how many, and each masked
/// (`********1234`), never a number itself.
fn numbers_written(what: &str, rows: &[ReleaseRow]) -> String {
    const SHOWN: usize = 50;
    let masked: Vec<String> = rows
        .iter()
        .take(SHOWN)
        .map(|r| crate::mask::my_number(&r.my_number))
        .collect();
    let more = rows.len().saturating_sub(SHOWN);
    format!(
        "{what}に個人番号 {} 件を書き出し（伏せ字: {}{}）",
        rows.len(),
        masked.join(" "),
        if more > 0 {
            format!(" ほか {more} 件")
        } else {
            String::new()
        }
    )
}
