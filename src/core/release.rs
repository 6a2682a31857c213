//! The release of viewing stops (閲覧停止解除依頼): the operator's cut-off schedule and which
//! records are ready for the next request. (The request files themselves come with the outputs.)
//!
//! The operator released weekly: the first cut-offs were 2023-12-14, 2023-12-25 15:00 and
//! 2024-01-11, then every week on the same weekday. The schedule is a setting, written as one
//! cut-off a line (`YYYY-MM-DD` or `YYYY-MM-DD HH:MM`), and a last line `毎週` (or `weekly`)
//! when the last cut-off repeats weekly.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// The settings key of the schedule.
pub const SETTING: &str = "release_schedule";

/// The schedule of the operator's published cut-offs.
pub const DEFAULT_SCHEDULE: &str = "2023-12-14\n2023-12-25 15:00\n2024-01-11\n毎週";

/// One cut-off of the operator: a date, or a date with a time. 「令和5年12月14日までに」
/// includes the 14th: a date-only cut-off ends at the end of that day; 「12月25日15時までに」 ends
/// at 15:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cutoff {
    /// The day.
    pub date: NaiveDate,
    /// The time of day it ends at, if the operator gave one (else the day's end).
    pub time: Option<NaiveTime>,
}

impl Cutoff {
    /// Whether reports made at `now` still make this cut-off.
    pub fn is_open_at(self, now: NaiveDateTime) -> bool {
        match self.time {
            None => now.date() <= self.date,
            Some(t) => now <= self.date.and_time(t),
        }
    }

    /// The same cut-off `weeks` weeks later.
    pub fn plus_weeks(self, weeks: i64) -> Cutoff {
        Cutoff {
            date: self.date + Duration::weeks(weeks),
            time: self.time,
        }
    }

    /// The cut-off in words, as the clerk reads it: 2023年12月14日（木）まで, or
    /// 2023年12月25日（月）15:00まで. Never a "0:00" for a date-only cut-off.
    pub fn describe(self) -> String {
        use chrono::{Datelike, Timelike};
        let d = self.date;
        let wd =
            ["月", "火", "水", "木", "金", "土", "日"][d.weekday().num_days_from_monday() as usize];
        let day = format!("{}年{}月{}日（{wd}）", d.year(), d.month(), d.day());
        match self.time {
            None => format!("{day}まで"),
            Some(t) => format!("{day}{}:{:02}まで", t.hour(), t.minute()),
        }
    }

    /// Parses one line of the schedule: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`.
    pub fn parse(s: &str) -> Option<Cutoff> {
        let s = s.trim();
        if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M") {
            return Some(Cutoff {
                date: t.date(),
                time: Some(t.time()),
            });
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(|date| Cutoff { date, time: None })
    }
}

/// A release request's cut-off as stored (`2023-12-14` or `2023-12-25 15:00`) in words; a
/// value that does not parse is shown as stored.
pub fn describe_stored(stored: &str) -> String {
    Cutoff::parse(stored).map_or_else(|| stored.to_string(), |c| c.describe())
}

impl std::fmt::Display for Cutoff {
    /// As the schedule writes it: `2023-12-14` or `2023-12-25 15:00`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.time {
            None => write!(f, "{}", self.date.format("%Y-%m-%d")),
            Some(t) => write!(f, "{} {}", self.date.format("%Y-%m-%d"), t.format("%H:%M")),
        }
    }
}

/// Cut-offs for release requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// The listed cut-offs, in order.
    pub cutoffs: Vec<Cutoff>,
    /// The last cut-off repeats every week.
    pub weekly: bool,
}

impl Schedule {
    /// Parses the setting's text; the error names the line, in Japanese.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let mut cutoffs: Vec<Cutoff> = Vec::new();
        let mut weekly = false;
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() {
                continue;
            }
            if weekly {
                return Err(format!("{}行目: 「毎週」は最後の行にしてください", i + 1));
            }
            if l == "毎週" || l.eq_ignore_ascii_case("weekly") {
                weekly = true;
                continue;
            }
            let t = Cutoff::parse(l).ok_or_else(|| {
                format!(
                    "{}行目: 日付は 2023-12-14 または 2023-12-25 15:00 の形で書いてください",
                    i + 1
                )
            })?;
            if cutoffs.last().is_some_and(|p| p.date >= t.date) {
                return Err(format!(
                    "{}行目: 締切は古い順に、1日に1つまで書いてください",
                    i + 1
                ));
            }
            cutoffs.push(t);
        }
        if cutoffs.is_empty() {
            return Err("締切がひとつもありません".into());
        }
        Ok(Schedule { cutoffs, weekly })
    }

    /// The first cut-off that a report made at `now` still makes, if any.
    pub fn next_after(&self, now: NaiveDateTime) -> Option<Cutoff> {
        if let Some(t) = self.cutoffs.iter().find(|t| t.is_open_at(now)) {
            return Some(*t);
        }
        let last = *self.cutoffs.last()?;
        if !self.weekly {
            return None;
        }
        let weeks = (now.date() - last.date).num_days().div_euclid(7);
        let mut t = last.plus_weeks(weeks);
        while !t.is_open_at(now) {
            t = t.plus_weeks(1);
        }
        Some(t)
    }

    /// The text of the setting (one cut-off a line, then 毎週 if weekly).
    pub fn text(&self) -> String {
        let mut lines: Vec<String> = self.cutoffs.iter().map(|c| c.to_string()).collect();
        if self.weekly {
            lines.push("毎週".into());
        }
        lines.join("\n")
    }
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule::parse(DEFAULT_SCHEDULE).expect("the default schedule parses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn next(s: &Schedule, now: &str) -> String {
        s.next_after(at(now))
            .map(|c| c.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn the_published_cutoffs_then_weekly() {
        // Seed 002: 「令和5年12月14日までに実施機関に対して報告があったもの」, 「第2回目は、令和5年
        // 12月25日15時までに」, 「第3回目は、令和6年1月11日までに」, 「以降、週次で対応する予定」.
        let s = Schedule::default();
        assert_eq!(next(&s, "2023-12-01 09:00"), "2023-12-14");
        assert_eq!(next(&s, "2023-12-20 09:00"), "2023-12-25 15:00");
        assert_eq!(next(&s, "2023-12-25 16:00"), "2024-01-11");
        // Weekly on Thursdays from 2024-01-11, each a whole day as 1月11日 is.
        assert_eq!(next(&s, "2024-01-12 09:00"), "2024-01-18");
        assert_eq!(next(&s, "2026-11-21 10:00"), "2026-11-26");
        assert_eq!(next(&s, "2026-11-26 23:59"), "2026-11-26");
        assert_eq!(next(&s, "2026-11-27 00:00"), "2026-12-03");
    }

    #[test]
    fn a_date_cutoff_includes_its_whole_day_and_a_timed_one_ends_at_its_time() {
        // Seed 002: 「12月14日までに」 includes the 14th; 「12月25日15時までに」 ends at 15:00.
        let s = Schedule::default();
        assert_eq!(next(&s, "2023-12-14 00:00"), "2023-12-14");
        assert_eq!(next(&s, "2023-12-14 17:30"), "2023-12-14");
        assert_eq!(next(&s, "2023-12-14 23:59"), "2023-12-14");
        assert_eq!(next(&s, "2023-12-15 00:00"), "2023-12-25 15:00");
        assert_eq!(next(&s, "2023-12-25 15:00"), "2023-12-25 15:00");
        assert_eq!(next(&s, "2023-12-25 15:01"), "2024-01-11");
        // In words: never a "0:00" for a date.
        let d = s.next_after(at("2023-12-01 09:00")).unwrap();
        assert_eq!(d.describe(), "2023年12月14日（木）まで");
        let t = s.next_after(at("2023-12-20 09:00")).unwrap();
        assert_eq!(t.describe(), "2023年12月25日（月）15:00まで");
        let weekly = s.next_after(at("2026-11-21 10:00")).unwrap();
        assert_eq!(weekly.describe(), "2026年11月26日（木）まで");
        assert!(!weekly.describe().contains("0:00"));
        // A weekly timed cut-off keeps its time.
        let timed = Schedule::parse("2024-01-11 15:00\n毎週").unwrap();
        assert_eq!(next(&timed, "2024-01-18 15:30"), "2024-01-25 15:00");
        assert_eq!(timed.text(), "2024-01-11 15:00\n毎週");
    }

    #[test]
    fn bad_schedules_say_which_line() {
        assert!(
            Schedule::parse("2023-12-14\n2023-13-01")
                .unwrap_err()
                .starts_with("2行目")
        );
        assert!(
            Schedule::parse("2023-12-14\n毎週\n2024-01-01")
                .unwrap_err()
                .starts_with("3行目")
        );
        assert!(
            Schedule::parse("2024-01-11\n2023-12-14")
                .unwrap_err()
                .starts_with("2行目")
        );
        let once = Schedule::parse("2023-12-14").unwrap();
        assert_eq!(once.next_after(at("2024-01-01 00:00")), None);
    }
}

/// The settings key of the release request's format ([`RequestFormat`], JSON).
pub const FORMAT_SETTING: &str = "release_request_format";

/// What the operator's request format asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RequestFormat {
    /// Write the registered My Number in the list (only if the operator asks for it).
    pub with_my_number: bool,
}

/// The list of a release request: the viewing stop the operator applied (閲覧停止区分, the
/// file's code), how the operator finds each person (保険者番号, 記号, 番号, 枝番, カナ氏名,
/// 生年月日), the case (①②③), how the number was confirmed, and the My Number only if the
/// format asks.
pub fn request_table(
    rows: &[crate::store::ReleaseRow],
    format: &RequestFormat,
) -> crate::outputs::Table {
    let mut headers: Vec<String> = [
        "連番",
        "閲覧停止区分",
        "保険者番号",
        "被保険者証等記号",
        "被保険者証等番号",
        "枝番",
        "カナ氏名",
        "生年月日",
        "不一致の区分",
        "確認の方法",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if format.with_my_number {
        headers.push("個人番号".into());
    }
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![
                (i + 1).to_string(),
                (r.stop as i64).to_string(),
                r.insurer_number.clone(),
                r.card_symbol.clone(),
                r.card_number.clone(),
                r.branch.clone(),
                r.kana_name.clone(),
                r.birth.map(|b| format!("{b:08}")).unwrap_or_default(),
                r.case.symbol().to_string(),
                r.decision.label_ja().to_string(),
            ];
            if format.with_my_number {
                row.push(r.my_number.clone());
            }
            row
        })
        .collect();
    crate::outputs::Table { headers, rows }
}

/// Records of a request per case (①, ②, ③).
pub fn per_case(rows: &[crate::store::ReleaseRow]) -> [u64; 3] {
    let mut n = [0u64; 3];
    for r in rows {
        match r.case {
            crate::record::StopCase::Case1 => n[0] += 1,
            crate::record::StopCase::Case2 => n[1] += 1,
            crate::record::StopCase::Case3 => n[2] += 1,
            crate::record::StopCase::NoStop => {}
        }
    }
    n
}

/// Which release file is for what, as the release screen and the cover sheet say it: the CSV
/// goes to the operator as written; a person checks the XLSX. A spreadsheet that opens the CSV
/// reads 保険者番号 06285696 as 6285696 and 枝番 00 as 0, and saving it again writes that.
pub const RELEASE_FILES_NOTE: &str = "送付用の CSV は、表計算ソフトで開いて保存し直さないでください（保険者番号・記号・番号・枝番の先頭の 0 が消えます）。内容を目で確かめるときは確認用の XLSX を開いてください（文字列として保存してあり、先頭の 0 が残ります）。";

/// Who and what the cover sheet names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover {
    /// The insurer's name.
    pub insurer: String,
    /// The request (batch) number.
    pub request_id: i64,
    /// The cut-off it is for.
    pub cutoff: Option<String>,
    /// When made (local time).
    pub created_at: String,
    /// Who prepared it.
    pub prepared_by: String,
    /// Who approved the records in it (supervisors, by name).
    pub approved_by: Vec<String>,
}

/// The cover sheet (送付書) of a release request, to print.
pub fn cover_sheet(cover: &Cover, rows: &[crate::store::ReleaseRow]) -> crate::pdf::SimpleDoc {
    use crate::pdf::Block;
    let n = per_case(rows);
    crate::pdf::SimpleDoc {
        title: format!("閲覧停止解除依頼 第{}号", cover.request_id),
        blocks: vec![
            Block::Title("情報閲覧停止の解除依頼".into()),
            Block::Paragraph(format!(
                "{} は、J-LIS 照会結果との突合で不一致となった加入者のうち、下記の件数について個人番号に誤りがないことを確認しましたので、情報閲覧停止の解除を依頼します。",
                cover.insurer
            )),
            Block::Spacer(4.0),
            Block::Table(vec![
                ("保険者".into(), cover.insurer.clone()),
                ("依頼番号".into(), format!("第{}号", cover.request_id)),
                (
                    "対象の締切".into(),
                    cover.cutoff.clone().unwrap_or_else(|| "—".into()),
                ),
                ("作成日時".into(), crate::audit::time_ja(&cover.created_at)),
                ("件数（合計）".into(), format!("{} 件", rows.len())),
                (
                    format!("① {}", crate::record::StopCase::Case1.label_ja()),
                    format!("{} 件", n[0]),
                ),
                (
                    format!("② {}", crate::record::StopCase::Case2.label_ja()),
                    format!("{} 件", n[1]),
                ),
                (
                    format!("③ {}", crate::record::StopCase::Case3.label_ja()),
                    format!("{} 件", n[2]),
                ),
                ("依頼を作成した者".into(), cover.prepared_by.clone()),
                ("判断を承認した責任者".into(), cover.approved_by.join("、")),
                // The person who signs the sending off is not totsugo's to name.
                ("送付の決裁（署名・押印）".into(), String::new()),
            ]),
            Block::Spacer(4.0),
            Block::Paragraph("対象者の一覧は別添の一覧ファイル（送付用 CSV）のとおりです。".into()),
            Block::Paragraph(RELEASE_FILES_NOTE.into()),
        ],
        footer: Some(format!("閲覧停止解除依頼 第{}号", cover.request_id)),
    }
}
