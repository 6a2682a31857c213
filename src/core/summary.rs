//! Counts of a match-result file: what `totsugo import` and `totsugo summary` print.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::classify::WarningKind;
use crate::record::{Record, StopCase};

/// Counts over the rows of one import or of the whole store. The JSON keys are read by other
/// tools: keep them stable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Rows read.
    pub rows: u64,
    /// Rows with 総合判定 ×.
    pub mismatches: u64,
    /// Mismatches whose qualification was not lost: to check.
    pub in_scope: u64,
    /// Mismatches whose qualification was lost on or before the match date: out of scope of
    /// the check and in no item of the count report.
    pub lost: u64,
    /// Mismatches in viewing-stop case ① (lost included).
    pub case1: u64,
    /// Mismatches in case ② (lost included).
    pub case2: u64,
    /// Mismatches in case ③ (lost included).
    pub case3: u64,
    /// Mismatches without a viewing stop (lost included).
    pub no_stop: u64,
    /// Rows with at least one warning.
    pub warnings: u64,
    /// Rows per warning kind (keys from [`WarningKind::key`]).
    #[serde(default)]
    pub warnings_by_kind: BTreeMap<String, u64>,
}

impl Counts {
    /// Counts one classified row.
    pub fn add_record(&mut self, r: &Record) {
        self.rows += 1;
        if r.class.mismatch {
            self.mismatches += 1;
            if r.class.lost {
                self.lost += 1;
            } else {
                self.in_scope += 1;
            }
            match r.class.case {
                StopCase::Case1 => self.case1 += 1,
                StopCase::Case2 => self.case2 += 1,
                StopCase::Case3 => self.case3 += 1,
                StopCase::NoStop => self.no_stop += 1,
            }
        }
        if !r.warnings.is_empty() {
            self.warnings += 1;
            for k in r.warnings.kinds() {
                *self.warnings_by_kind.entry(k.key()).or_default() += 1;
            }
        }
    }

    /// Adds another set of counts (e.g. a second import).
    pub fn add(&mut self, o: &Counts) {
        self.rows += o.rows;
        self.mismatches += o.mismatches;
        self.in_scope += o.in_scope;
        self.lost += o.lost;
        self.case1 += o.case1;
        self.case2 += o.case2;
        self.case3 += o.case3;
        self.no_stop += o.no_stop;
        self.warnings += o.warnings;
        for (k, v) in &o.warnings_by_kind {
            *self.warnings_by_kind.entry(k.clone()).or_default() += v;
        }
    }

    /// The counts with their Japanese labels, in display order; the second value is the
    /// indentation level (what the CLI and the app both show).
    pub fn items_ja(&self) -> Vec<(&'static str, usize, u64)> {
        vec![
            ("読み込んだ行数", 0, self.rows),
            ("不一致（総合判定×）", 0, self.mismatches),
            ("点検対象", 1, self.in_scope),
            ("対象外（突合基準日以前に資格喪失）", 1, self.lost),
            ("① 資格情報・医療情報の閲覧停止", 1, self.case1),
            ("② 医療情報の閲覧停止", 1, self.case2),
            ("③ 医療情報の閲覧停止", 1, self.case3),
            ("閲覧停止なし", 1, self.no_stop),
            ("警告のある行", 0, self.warnings),
        ]
    }

    /// A plain Japanese summary for the terminal.
    pub fn to_text_ja(&self) -> String {
        let mut s = String::new();
        for (label, indent, n) in self.items_ja() {
            let label = format!("{}{label}", "  ".repeat(indent));
            let _ = writeln!(s, "{}{:>12}", pad_to_width(&label, 30), format_thousands(n));
        }
        for k in WarningKind::all() {
            if let Some(v) = self.warnings_by_kind.get(&k.key()) {
                let _ = writeln!(s, "  {:>8}  {}", format_thousands(*v), k.message_ja());
            }
        }
        s
    }
}

/// Columns a string takes on a terminal: East Asian wide and full-width characters take two;
/// ambiguous ones (①, ×) are counted as one, as most terminals outside CJK locales draw them.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u)
                || (0x20000..=0x3FFFD).contains(&u);
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// Pads with spaces to `width` terminal columns.
pub fn pad_to_width(s: &str, width: usize) -> String {
    let w = display_width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// 1234567 → "1,234,567".
pub fn format_thousands(x: u64) -> String {
    let s = x.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn terminal_width_counts_full_width_as_two() {
        assert_eq!(super::display_width("点検対象"), 8);
        assert_eq!(super::display_width("ab１"), 4);
        assert_eq!(super::pad_to_width("点検", 6), "点検  ");
    }

    #[test]
    fn thousands() {
        assert_eq!(super::format_thousands(0), "0");
        assert_eq!(super::format_thousands(1234), "1,234");
        assert_eq!(super::format_thousands(1234567), "1,234,567");
    }
}
