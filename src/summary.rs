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
    /// Mismatches whose qualification was lost: out of scope (count report item 2-1).
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

    /// A plain Japanese summary for the terminal.
    pub fn to_text_ja(&self) -> String {
        let mut s = String::new();
        let n = |x: u64| format_thousands(x);
        let _ = writeln!(s, "読み込んだ行数        {:>12}", n(self.rows));
        let _ = writeln!(s, "不一致（総合判定×）  {:>12}", n(self.mismatches));
        let _ = writeln!(s, "  点検対象            {:>12}", n(self.in_scope));
        let _ = writeln!(s, "  対象外（資格喪失）  {:>12}", n(self.lost));
        let _ = writeln!(s, "閲覧停止区分別（不一致のうち、資格喪失を含む）");
        let _ = writeln!(s, "  ① 資格・医療情報停止 {:>11}", n(self.case1));
        let _ = writeln!(s, "  ② 医療情報停止      {:>12}", n(self.case2));
        let _ = writeln!(s, "  ③ 医療情報停止      {:>12}", n(self.case3));
        let _ = writeln!(s, "  停止なし            {:>12}", n(self.no_stop));
        let _ = writeln!(s, "警告のある行          {:>12}", n(self.warnings));
        for k in WarningKind::all() {
            if let Some(v) = self.warnings_by_kind.get(&k.key()) {
                let _ = writeln!(s, "  {:>8}  {}", n(*v), k.message_ja());
            }
        }
        s
    }
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
    fn thousands() {
        assert_eq!(super::format_thousands(0), "0");
        assert_eq!(super::format_thousands(1234), "1,234");
        assert_eq!(super::format_thousands(1234567), "1,234,567");
    }
}
