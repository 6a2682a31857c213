//! Scoring the explanation engine (`totsugo analyze`) against an evaluation set whose truth is
//! known ([`crate::sample::write_eval_set`]).
//!
//! Both inputs are JSON Lines with one object per row whose 総合判定 is ×, matched by `"row"`.
//! The truth: `{"row", "kind", "fields": {field: "equal|notation|differs"}, "wrong_number"}`.
//! The analysis: `{"row", "fields": {field: …}, "suggestion":
//! "notation_only|needs_review|likely_wrong_number", …}` (other keys are ignored).

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The five compared items, as named in both files.
pub const FIELDS: [&str; 5] = ["kanji_name", "kana_name", "birth_date", "sex", "address"];

/// How many row numbers a [`RowList`] keeps.
const KEEP_ROWS: usize = 20;

/// A field verdict: byte-identical, differs only in notation (表記ゆれ), or really differs.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FieldVerdict {
    /// Byte-identical.
    Equal,
    /// Differs only in how it is written.
    Notation,
    /// A real difference.
    Differs,
}

impl FieldVerdict {
    fn parse(s: &str) -> Option<FieldVerdict> {
        match s {
            "equal" => Some(FieldVerdict::Equal),
            "notation" => Some(FieldVerdict::Notation),
            "differs" => Some(FieldVerdict::Differs),
            _ => None,
        }
    }
}

/// A row-level suggestion of the engine.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Suggestion {
    /// Only notation differs: the registered number is right.
    NotationOnly,
    /// A real difference for a clerk to check.
    NeedsReview,
    /// The registered number is probably another person's.
    LikelyWrongNumber,
}

impl Suggestion {
    fn parse(s: &str) -> Option<Suggestion> {
        match s {
            "notation_only" => Some(Suggestion::NotationOnly),
            "needs_review" => Some(Suggestion::NeedsReview),
            "likely_wrong_number" => Some(Suggestion::LikelyWrongNumber),
            _ => None,
        }
    }
}

/// A count with the first row numbers counted (up to 20), to look at.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RowList {
    /// How many rows.
    pub count: u64,
    /// The first of them, in file order.
    pub rows: Vec<u64>,
}

impl RowList {
    fn push(&mut self, row: u64) {
        self.count += 1;
        if self.rows.len() < KEEP_ROWS {
            self.rows.push(row);
        }
    }

    fn rows_text(&self) -> String {
        let mut s = self
            .rows
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        if self.count > self.rows.len() as u64 {
            s.push_str(", …");
        }
        s
    }
}

/// The scores of one field. Totals count every truth row, including rows the analysis lacks.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FieldScore {
    /// The field (one of [`FIELDS`]).
    pub field: String,
    /// Truth `notation`.
    pub notation_total: u64,
    /// … called `notation`.
    pub notation_as_notation: u64,
    /// … called `equal`.
    pub notation_as_equal: RowList,
    /// … called `differs` (a missed notation: costs a manual look).
    pub notation_as_differs: RowList,
    /// Truth `differs`.
    pub differs_total: u64,
    /// … called `notation`: the dangerous error (a real difference waved through).
    pub differs_as_notation: RowList,
    /// … called `equal`.
    pub differs_as_equal: RowList,
    /// Truth `equal` (byte-identical).
    pub equal_total: u64,
    /// … called anything but `equal`.
    pub equal_as_other: RowList,
}

impl FieldScore {
    /// Share of the truth-notation values called notation, in %; `None` when there are none.
    pub fn notation_recall(&self) -> Option<f64> {
        share(self.notation_as_notation, self.notation_total)
    }
}

/// The result of [`score`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EvalReport {
    /// Rows in the truth.
    pub truth_rows: u64,
    /// Rows in the analysis.
    pub analysed_rows: u64,
    /// Per field, in [`FIELDS`] order.
    pub fields: Vec<FieldScore>,
    /// Rows whose registered number is not the person's.
    pub wrong_number_total: u64,
    /// … suggested `likely_wrong_number`.
    pub wrong_number_flagged: u64,
    /// … suggested `notation_only` (must never happen).
    pub wrong_number_as_notation_only: RowList,
    /// Rows of the right person.
    pub same_person_total: u64,
    /// … suggested `likely_wrong_number` (false alarms).
    pub same_person_flagged: RowList,
    /// Rows of the right person where no field really differs.
    pub notation_only_total: u64,
    /// … suggested `notation_only`.
    pub notation_only_suggested: u64,
    /// Rows of the right person with a real difference, suggested `notation_only`.
    pub real_difference_as_notation_only: RowList,
    /// Truth rows the analysis does not have.
    pub missing_in_analysis: RowList,
    /// Analysis rows the truth does not have (rows that are not ×, or wrong numbers).
    pub missing_in_truth: RowList,
}

fn share(part: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| part as f64 * 100.0 / total as f64)
}

fn pct(part: u64, total: u64) -> String {
    match share(part, total) {
        Some(p) => format!("{p:.1} %"),
        None => "-".to_string(),
    }
}

struct TruthRow {
    fields: [FieldVerdict; 5],
    wrong_number: bool,
}

struct AnalysisRow {
    fields: [FieldVerdict; 5],
    suggestion: Suggestion,
}

/// Parses JSON Lines into row number → object, refusing duplicates. `what` names the file in
/// messages.
fn parse_lines(text: &str, what: &str) -> Result<BTreeMap<u64, serde_json::Value>, String> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("{what} line {}: not JSON: {e}", i + 1))?;
        let row = v
            .get("row")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| format!("{what} line {}: no row number", i + 1))?;
        if out.insert(row, v).is_some() {
            return Err(format!("{what} line {}: row {row} appears twice", i + 1));
        }
    }
    Ok(out)
}

fn parse_fields(v: &serde_json::Value, what: &str, row: u64) -> Result<[FieldVerdict; 5], String> {
    let mut out = [FieldVerdict::Equal; 5];
    for (k, f) in FIELDS.iter().enumerate() {
        let s = v
            .get("fields")
            .and_then(|x| x.get(f))
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("{what} row {row}: no verdict for {f}"))?;
        out[k] = FieldVerdict::parse(s).ok_or_else(|| {
            format!("{what} row {row}: {f} is \"{s}\", not equal/notation/differs")
        })?;
    }
    Ok(out)
}

/// Scores an analysis against the truth of an evaluation set (both JSON Lines, matched by
/// `"row"`). Errors name the file, line or row when either input is malformed.
pub fn score(truth_jsonl: &str, analysis_jsonl: &str) -> Result<EvalReport, String> {
    let truth: BTreeMap<u64, TruthRow> = parse_lines(truth_jsonl, "truth")?
        .into_iter()
        .map(|(row, v)| {
            let wrong_number = v
                .get("wrong_number")
                .and_then(serde_json::Value::as_bool)
                .ok_or_else(|| format!("truth row {row}: no wrong_number"))?;
            Ok((
                row,
                TruthRow {
                    fields: parse_fields(&v, "truth", row)?,
                    wrong_number,
                },
            ))
        })
        .collect::<Result<_, String>>()?;
    let analysis: BTreeMap<u64, AnalysisRow> = parse_lines(analysis_jsonl, "analysis")?
        .into_iter()
        .map(|(row, v)| {
            let s = v
                .get("suggestion")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| format!("analysis row {row}: no suggestion"))?;
            let suggestion = Suggestion::parse(s)
                .ok_or_else(|| format!("analysis row {row}: unknown suggestion \"{s}\""))?;
            Ok((
                row,
                AnalysisRow {
                    fields: parse_fields(&v, "analysis", row)?,
                    suggestion,
                },
            ))
        })
        .collect::<Result<_, String>>()?;

    let mut r = EvalReport {
        truth_rows: truth.len() as u64,
        analysed_rows: analysis.len() as u64,
        fields: FIELDS
            .iter()
            .map(|f| FieldScore {
                field: f.to_string(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    for &row in analysis.keys() {
        if !truth.contains_key(&row) {
            r.missing_in_truth.push(row);
        }
    }
    for (&row, t) in &truth {
        let a = analysis.get(&row);
        if a.is_none() {
            r.missing_in_analysis.push(row);
        }
        for (k, fs) in r.fields.iter_mut().enumerate() {
            let called = a.map(|a| a.fields[k]);
            match t.fields[k] {
                FieldVerdict::Notation => {
                    fs.notation_total += 1;
                    match called {
                        Some(FieldVerdict::Notation) => fs.notation_as_notation += 1,
                        Some(FieldVerdict::Equal) => fs.notation_as_equal.push(row),
                        Some(FieldVerdict::Differs) => fs.notation_as_differs.push(row),
                        None => {}
                    }
                }
                FieldVerdict::Differs => {
                    fs.differs_total += 1;
                    match called {
                        Some(FieldVerdict::Notation) => fs.differs_as_notation.push(row),
                        Some(FieldVerdict::Equal) => fs.differs_as_equal.push(row),
                        _ => {}
                    }
                }
                FieldVerdict::Equal => {
                    fs.equal_total += 1;
                    if matches!(called, Some(c) if c != FieldVerdict::Equal) {
                        fs.equal_as_other.push(row);
                    }
                }
            }
        }
        let suggestion = a.map(|a| a.suggestion);
        if t.wrong_number {
            r.wrong_number_total += 1;
            match suggestion {
                Some(Suggestion::LikelyWrongNumber) => r.wrong_number_flagged += 1,
                Some(Suggestion::NotationOnly) => r.wrong_number_as_notation_only.push(row),
                _ => {}
            }
        } else {
            r.same_person_total += 1;
            if suggestion == Some(Suggestion::LikelyWrongNumber) {
                r.same_person_flagged.push(row);
            }
            if t.fields.contains(&FieldVerdict::Differs) {
                if suggestion == Some(Suggestion::NotationOnly) {
                    r.real_difference_as_notation_only.push(row);
                }
            } else {
                r.notation_only_total += 1;
                if suggestion == Some(Suggestion::NotationOnly) {
                    r.notation_only_suggested += 1;
                }
            }
        }
    }
    Ok(r)
}

impl EvalReport {
    /// A compact table of the scores, shares in %.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "explanation quality: {} × rows in the truth, {} in the analysis",
            self.truth_rows, self.analysed_rows
        );
        let _ = writeln!(
            s,
            "{:<11} {:>9} {:>17} {:>7} {:>8} | {:>8} {:>17} {:>7} | {:>7} {:>8}",
            "field",
            "notation",
            "→notation",
            "→equal",
            "→differs",
            "differs",
            "→notation (!)",
            "→equal",
            "equal",
            "→other"
        );
        for f in &self.fields {
            let _ = writeln!(
                s,
                "{:<11} {:>9} {:>17} {:>7} {:>8} | {:>8} {:>17} {:>7} | {:>7} {:>8}",
                f.field,
                f.notation_total,
                format!(
                    "{} ({})",
                    f.notation_as_notation,
                    pct(f.notation_as_notation, f.notation_total)
                ),
                f.notation_as_equal.count,
                f.notation_as_differs.count,
                f.differs_total,
                format!(
                    "{} ({})",
                    f.differs_as_notation.count,
                    pct(f.differs_as_notation.count, f.differs_total)
                ),
                f.differs_as_equal.count,
                f.equal_total,
                f.equal_as_other.count
            );
        }
        let _ = writeln!(
            s,
            "wrong number: {} rows; flagged likely_wrong_number {} ({}); suggested notation_only {} (!)",
            self.wrong_number_total,
            self.wrong_number_flagged,
            pct(self.wrong_number_flagged, self.wrong_number_total),
            self.wrong_number_as_notation_only.count
        );
        let _ = writeln!(
            s,
            "same person: {} rows; flagged likely_wrong_number {} ({}, false alarms)",
            self.same_person_total,
            self.same_person_flagged.count,
            pct(self.same_person_flagged.count, self.same_person_total)
        );
        let _ = writeln!(
            s,
            "notation only: {} rows; suggested notation_only {} ({}); real differences suggested notation_only {} (!)",
            self.notation_only_total,
            self.notation_only_suggested,
            pct(self.notation_only_suggested, self.notation_only_total),
            self.real_difference_as_notation_only.count
        );
        let _ = writeln!(
            s,
            "missing: {} truth rows not analysed, {} analysed rows not in the truth",
            self.missing_in_analysis.count, self.missing_in_truth.count
        );
        let mut lists: Vec<(String, &RowList)> = Vec::new();
        for f in &self.fields {
            lists.push((
                format!("{} differs→notation", f.field),
                &f.differs_as_notation,
            ));
            lists.push((format!("{} differs→equal", f.field), &f.differs_as_equal));
            lists.push((
                format!("{} notation→differs", f.field),
                &f.notation_as_differs,
            ));
            lists.push((format!("{} notation→equal", f.field), &f.notation_as_equal));
            lists.push((format!("{} equal→other", f.field), &f.equal_as_other));
        }
        lists.push((
            "wrong number→notation_only".into(),
            &self.wrong_number_as_notation_only,
        ));
        lists.push((
            "real difference→notation_only".into(),
            &self.real_difference_as_notation_only,
        ));
        lists.push((
            "same person→likely_wrong_number".into(),
            &self.same_person_flagged,
        ));
        lists.push(("not analysed".into(), &self.missing_in_analysis));
        lists.push(("not in the truth".into(), &self.missing_in_truth));
        for (name, l) in lists {
            if l.count > 0 {
                let _ = writeln!(s, "  rows {name}: {}", l.rows_text());
            }
        }
        s
    }

    /// The goals not met (empty when all are): per field at least 95 % of the notation
    /// recognised, no real difference called notation, no wrong-number row suggested
    /// notation_only, at least 90 % of the wrong-number rows flagged likely_wrong_number, and
    /// the same rows on both sides.
    pub fn meets_goals(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.truth_rows == 0 {
            out.push("the truth has no rows: nothing was scored".to_string());
        }
        for f in &self.fields {
            if let Some(p) = f.notation_recall()
                && p < 95.0
            {
                out.push(format!(
                    "{}: notation recognised in {p:.1} % of {} (goal ≥ 95 %)",
                    f.field, f.notation_total
                ));
            }
            if f.differs_as_notation.count > 0 {
                out.push(format!(
                    "{}: {} real differences called notation (goal 0; rows {})",
                    f.field,
                    f.differs_as_notation.count,
                    f.differs_as_notation.rows_text()
                ));
            }
        }
        if self.wrong_number_as_notation_only.count > 0 {
            out.push(format!(
                "{} wrong-number rows suggested notation_only (goal 0; rows {})",
                self.wrong_number_as_notation_only.count,
                self.wrong_number_as_notation_only.rows_text()
            ));
        }
        if let Some(p) = share(self.wrong_number_flagged, self.wrong_number_total)
            && p < 90.0
        {
            out.push(format!(
                "wrong-number rows flagged likely_wrong_number: {p:.1} % of {} (goal ≥ 90 %)",
                self.wrong_number_total
            ));
        }
        if self.missing_in_analysis.count > 0 || self.missing_in_truth.count > 0 {
            out.push(format!(
                "rows differ: {} truth rows not analysed, {} analysed rows not in the truth (goal 0)",
                self.missing_in_analysis.count, self.missing_in_truth.count
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth_line(row: u64, f: [&str; 5], wrong: bool) -> String {
        format!(
            r#"{{"row":{row},"kind":"x","fields":{{"kanji_name":"{}","kana_name":"{}","birth_date":"{}","sex":"{}","address":"{}"}},"wrong_number":{wrong}}}"#,
            f[0], f[1], f[2], f[3], f[4]
        )
    }

    fn analysis_line(row: u64, f: [&str; 5], suggestion: &str) -> String {
        format!(
            r#"{{"row":{row},"fields":{{"kanji_name":"{}","kana_name":"{}","birth_date":"{}","sex":"{}","address":"{}"}},"suggestion":"{suggestion}","reasons":["r"],"related_rows":[]}}"#,
            f[0], f[1], f[2], f[3], f[4]
        )
    }

    const E: &str = "equal";
    const N: &str = "notation";
    const D: &str = "differs";

    #[test]
    fn a_perfect_analysis_meets_every_goal() {
        let truth = [
            truth_line(3, [N, N, E, E, E], false),
            truth_line(7, [E, D, E, E, N], false),
            truth_line(9, [D, D, D, E, E], true),
        ]
        .join("\n");
        let analysis = [
            analysis_line(3, [N, N, E, E, E], "notation_only"),
            analysis_line(7, [E, D, E, E, N], "needs_review"),
            analysis_line(9, [D, D, D, E, E], "likely_wrong_number"),
        ]
        .join("\n");
        let r = score(&truth, &analysis).unwrap();
        assert_eq!(r.meets_goals(), Vec::<String>::new());
        assert_eq!(r.truth_rows, 3);
        assert_eq!(r.fields[1].notation_total, 1);
        assert_eq!(r.fields[1].differs_total, 2);
        assert_eq!(r.fields[4].notation_recall(), Some(100.0));
        assert_eq!((r.wrong_number_total, r.wrong_number_flagged), (1, 1));
        assert_eq!((r.notation_only_total, r.notation_only_suggested), (1, 1));
        assert!(r.to_text().contains("kana_name"));
    }

    #[test]
    fn errors_are_counted_with_their_rows() {
        let truth = [
            truth_line(1, [N, E, E, E, E], false),
            truth_line(2, [D, E, E, E, E], false),
            truth_line(3, [E, E, E, E, D], true),
            truth_line(4, [E, N, E, E, E], false),
            truth_line(5, [E, E, D, E, E], true),
        ]
        .join("\n");
        let analysis = [
            // A missed notation.
            analysis_line(1, [D, E, E, E, E], "needs_review"),
            // A real difference called notation, and suggested notation_only.
            analysis_line(2, [N, E, E, E, E], "notation_only"),
            // A wrong number suggested notation_only.
            analysis_line(3, [E, E, E, E, N], "notation_only"),
            // Row 4 missing; row 6 is not in the truth. A false alarm on row 6 is not counted.
            analysis_line(6, [E, E, E, E, E], "likely_wrong_number"),
            analysis_line(5, [E, E, D, E, E], "likely_wrong_number"),
        ]
        .join("\n");
        let r = score(&truth, &analysis).unwrap();
        let kanji = &r.fields[0];
        assert_eq!(kanji.notation_total, 1);
        assert_eq!(kanji.notation_as_differs.rows, vec![1]);
        assert_eq!(kanji.differs_as_notation.rows, vec![2]);
        assert_eq!(r.fields[4].differs_as_notation.rows, vec![3]);
        assert_eq!(r.fields[1].notation_total, 1);
        assert_eq!(r.fields[1].notation_as_notation, 0);
        assert_eq!(r.wrong_number_as_notation_only.rows, vec![3]);
        assert_eq!((r.wrong_number_total, r.wrong_number_flagged), (2, 1));
        assert_eq!(r.real_difference_as_notation_only.rows, vec![2]);
        assert_eq!(r.missing_in_analysis.rows, vec![4]);
        assert_eq!(r.missing_in_truth.rows, vec![6]);
        assert_eq!(r.same_person_flagged.count, 0);
        let goals = r.meets_goals();
        let has = |s: &str| goals.iter().any(|g| g.contains(s));
        assert!(has("kanji_name: notation recognised in 0.0 %"), "{goals:?}");
        assert!(has("kana_name: notation recognised in 0.0 %"), "{goals:?}");
        assert!(has("kanji_name: 1 real differences called notation"));
        assert!(has("address: 1 real differences called notation"));
        assert!(has("1 wrong-number rows suggested notation_only"));
        assert!(has("flagged likely_wrong_number: 50.0 %"));
        assert!(has("rows differ: 1 truth rows not analysed, 1 analysed"));
        assert_eq!(goals.len(), 7, "{goals:?}");
        let text = r.to_text();
        assert!(
            text.contains("rows kanji_name differs→notation: 2"),
            "{text}"
        );
    }

    #[test]
    fn false_alarms_and_the_row_list_limit() {
        let mut truth = Vec::new();
        let mut analysis = Vec::new();
        for row in 1..=30 {
            truth.push(truth_line(row, [E, E, D, E, E], false));
            analysis.push(analysis_line(row, [E, E, D, E, E], "likely_wrong_number"));
        }
        let r = score(&truth.join("\n"), &analysis.join("\n")).unwrap();
        assert_eq!(r.same_person_flagged.count, 30);
        assert_eq!(r.same_person_flagged.rows.len(), 20);
        assert!(r.to_text().contains("19, 20, …"));
        // False alarms are reported, not a goal; no wrong-number rows: nothing to miss.
        assert!(r.meets_goals().is_empty());
    }

    #[test]
    fn malformed_input_is_refused_with_its_place() {
        let ok = truth_line(1, [E, E, E, E, E], false);
        assert!(score("{", "").unwrap_err().contains("truth line 1"));
        let dup = format!("{ok}\n{ok}");
        assert!(score(&dup, "").unwrap_err().contains("twice"));
        let bad = analysis_line(1, [E, "same", E, E, E], "needs_review");
        assert!(
            score(&ok, &bad)
                .unwrap_err()
                .contains("analysis row 1: kana_name")
        );
        let bad = analysis_line(1, [E, E, E, E, E], "maybe");
        assert!(score(&ok, &bad).unwrap_err().contains("unknown suggestion"));
        assert!(
            score("{\"row\":1}", "")
                .unwrap_err()
                .contains("no wrong_number")
        );
        // Blank lines are fine; an empty truth scores nothing, which is a goal not met.
        let r = score("\n\n", "\n").unwrap();
        assert_eq!(r.meets_goals().len(), 1);
    }
}
