//! Analysis of a whole file: every mismatched row explained ([`crate::compare`]) with the
//! cross-record checks ([`crate::crosscheck`]), as `totsugo analyze` writes it (JSON Lines, a
//! stable interface that other tools read), and the same for a record in the store.

use std::io;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::classify::WarningKind;
use crate::compare::{self, FieldVerdict, RowExplanation, Suggestion};
use crate::crosscheck::{AlarmKind, Findings};
use crate::import::{self, ImportError, ImportOptions, Progress};
use crate::record::{Item, Record};
use crate::store::{Store, StoreError};

/// The five field verdicts under their stable keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldVerdicts {
    /// 漢字氏名.
    pub kanji_name: FieldVerdict,
    /// カナ氏名.
    pub kana_name: FieldVerdict,
    /// 生年月日.
    pub birth_date: FieldVerdict,
    /// 性別.
    pub sex: FieldVerdict,
    /// 住所.
    pub address: FieldVerdict,
}

/// One line of `totsugo analyze`: a mismatched row, explained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzedRow {
    /// Data row number: 1 = the first row after the header.
    pub row: u64,
    /// Per field: equal, notation or differs.
    pub fields: FieldVerdicts,
    /// notation_only, needs_review or likely_wrong_number.
    pub suggestion: Suggestion,
    /// Every rule that fired and every alarm, as sentences for the clerk.
    pub reasons: Vec<String>,
    /// Rows named by the cross-record checks.
    pub related_rows: Vec<u64>,
}

/// The explanation of a row with what the cross-record checks found about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explained {
    /// Per field and for the row.
    pub explanation: RowExplanation,
    /// The alarms on the row with the data rows they name (1-based).
    pub alarms: Vec<(AlarmKind, Vec<u64>)>,
}

impl Explained {
    /// Explains a record given its alarms (related rows 1-based).
    pub fn new(r: &Record, alarms: Vec<(AlarmKind, Vec<u64>)>) -> Explained {
        let mut explanation = compare::explain_record(r);
        if let Some((_, rows)) = alarms
            .iter()
            .find(|(k, _)| *k == AlarmKind::RegistryIsOtherSubscriber)
        {
            explanation = explanation.with_other_subscriber(rows);
        }
        Explained {
            explanation,
            alarms,
        }
    }

    /// The JSON Lines object for data row `row`.
    pub fn to_row(&self, r: &Record, row: u64) -> AnalyzedRow {
        let e = &self.explanation;
        let f = |i: Item| e.field(i).verdict;
        let mut reasons: Vec<String> = Vec::new();
        for item in Item::ALL {
            for reason in &e.field(item).reasons {
                reasons.push(format!("{}: {}", item.label_ja(), reason.text));
            }
        }
        reasons.extend(e.reasons.iter().cloned());
        for (kind, rows) in &self.alarms {
            if *kind == AlarmKind::SharedNumber {
                reasons.push(kind.message_ja(rows));
            }
        }
        for k in r.warnings.kinds() {
            if !matches!(
                k,
                WarningKind::SharedNumber | WarningKind::RegistryIsOtherSubscriber
            ) {
                reasons.push(k.message_ja());
            }
        }
        let mut related: Vec<u64> = self.alarms.iter().flat_map(|(_, r)| r.clone()).collect();
        related.sort_unstable();
        related.dedup();
        AnalyzedRow {
            row,
            fields: FieldVerdicts {
                kanji_name: f(Item::KanjiName),
                kana_name: f(Item::KanaName),
                birth_date: f(Item::BirthDate),
                sex: f(Item::Sex),
                address: f(Item::Address),
            },
            suggestion: e.suggestion,
            reasons,
            related_rows: related,
        }
    }
}

fn alarms_of(findings: &Findings, row0: u32) -> Vec<(AlarmKind, Vec<u64>)> {
    [
        AlarmKind::SharedNumber,
        AlarmKind::RegistryIsOtherSubscriber,
    ]
    .into_iter()
    .filter_map(|k| {
        let rows = findings.related(row0, k);
        (!rows.is_empty()).then(|| (k, rows.iter().map(|r| *r as u64 + 1).collect()))
    })
    .collect()
}

/// What [`analyze_file`] did.
#[derive(Clone, Debug)]
pub struct AnalyzeReport {
    /// Data rows read.
    pub rows: u64,
    /// Rows written (the mismatches).
    pub mismatches: u64,
    /// Rows per suggestion.
    pub by_suggestion: [u64; 3],
    /// Rows with at least one cross-record alarm (mismatches or not).
    pub rows_with_alarms: u64,
    /// Time taken.
    pub elapsed: Duration,
}

/// Analyses a match-result file without storing it: reads it once for the cross-record
/// checks, then again to explain every mismatched row in file order, handing each to `out`.
/// A file with errors is refused with the same errors as an import.
pub fn analyze_file(
    path: &Path,
    opts: &ImportOptions,
    on_progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
    out: &mut dyn FnMut(&AnalyzedRow) -> io::Result<()>,
) -> Result<AnalyzeReport, ImportError> {
    let started = std::time::Instant::now();
    let first = import::scan_file(path, opts, true, on_progress, cancel, &mut |_| {})?;
    let findings = first.cross.as_ref().map(|c| c.run()).unwrap_or_default();
    let rows_with_alarms = findings.by_row().len() as u64;
    let mut row = 0u64;
    let mut report = AnalyzeReport {
        rows: 0,
        mismatches: 0,
        by_suggestion: [0; 3],
        rows_with_alarms,
        elapsed: Duration::ZERO,
    };
    let mut write_error: Option<io::Error> = None;
    import::scan_file(path, opts, false, on_progress, cancel, &mut |batch| {
        for r in batch {
            row += 1;
            if !r.class.mismatch || write_error.is_some() {
                continue;
            }
            let row0 = (row - 1) as u32;
            let mut r = r.clone();
            let alarms = alarms_of(&findings, row0);
            for (k, _) in &alarms {
                r.warnings.add(k.warning());
            }
            let e = Explained::new(&r, alarms);
            let line = e.to_row(&r, row);
            report.mismatches += 1;
            report.by_suggestion[line.suggestion as usize] += 1;
            if let Err(err) = out(&line) {
                write_error = Some(err);
            }
        }
    })?;
    if let Some(source) = write_error {
        return Err(ImportError::Io {
            path: "（標準出力）".into(),
            source,
        });
    }
    report.rows = row;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// A record of the store with its explanation and alarms, for the review screen.
pub fn explain_stored(store: &Store, id: i64) -> Result<Option<(Record, Explained)>, StoreError> {
    let Some(r) = store.record(id)? else {
        return Ok(None);
    };
    let mut alarms: Vec<(AlarmKind, Vec<u64>)> = Vec::new();
    for a in store.alarms(id)? {
        match alarms.iter_mut().find(|(k, _)| *k == a.kind) {
            Some((_, rows)) => rows.push(a.related_row),
            None => alarms.push((a.kind, vec![a.related_row])),
        }
    }
    let e = Explained::new(&r, alarms);
    Ok(Some((r, e)))
}
