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

/// Cut-offs for release requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// The listed cut-offs, in order.
    pub cutoffs: Vec<NaiveDateTime>,
    /// The last cut-off repeats every week.
    pub weekly: bool,
}

impl Schedule {
    /// Parses the setting's text; the error names the line, in Japanese.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let mut cutoffs = Vec::new();
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
            let t = NaiveDateTime::parse_from_str(l, "%Y-%m-%d %H:%M")
                .or_else(|_| {
                    NaiveDate::parse_from_str(l, "%Y-%m-%d").map(|d| d.and_time(NaiveTime::MIN))
                })
                .map_err(|_| {
                    format!(
                        "{}行目: 日付は 2023-12-14 または 2023-12-25 15:00 の形で書いてください",
                        i + 1
                    )
                })?;
            if cutoffs.last().is_some_and(|p| *p >= t) {
                return Err(format!("{}行目: 締切は古い順に書いてください", i + 1));
            }
            cutoffs.push(t);
        }
        if cutoffs.is_empty() {
            return Err("締切がひとつもありません".into());
        }
        Ok(Schedule { cutoffs, weekly })
    }

    /// The first cut-off at or after `now`, if any.
    pub fn next_after(&self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        if let Some(t) = self.cutoffs.iter().find(|t| **t >= now) {
            return Some(*t);
        }
        let last = *self.cutoffs.last()?;
        if !self.weekly {
            return None;
        }
        let weeks = (now - last).num_days().div_euclid(7);
        let mut t = last + Duration::weeks(weeks);
        while t < now {
            t += Duration::weeks(1);
        }
        Some(t)
    }

    /// The cut-off in words: 2026年11月26日（木）0:00.
    pub fn describe(t: NaiveDateTime) -> String {
        use chrono::{Datelike, Timelike};
        let wd =
            ["月", "火", "水", "木", "金", "土", "日"][t.weekday().num_days_from_monday() as usize];
        format!(
            "{}年{}月{}日（{wd}）{}:{:02}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute()
        )
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

    #[test]
    fn the_published_cutoffs_then_weekly() {
        let s = Schedule::default();
        assert_eq!(
            s.next_after(at("2023-12-01 09:00")),
            Some(at("2023-12-14 00:00"))
        );
        assert_eq!(
            s.next_after(at("2023-12-20 09:00")),
            Some(at("2023-12-25 15:00"))
        );
        assert_eq!(
            s.next_after(at("2023-12-25 16:00")),
            Some(at("2024-01-11 00:00"))
        );
        // Weekly on Thursdays from 2024-01-11.
        assert_eq!(
            s.next_after(at("2024-01-12 09:00")),
            Some(at("2024-01-18 00:00"))
        );
        assert_eq!(
            s.next_after(at("2026-11-21 10:00")),
            Some(at("2026-11-26 00:00"))
        );
        assert_eq!(
            Schedule::describe(at("2026-11-26 00:00")),
            "2026年11月26日（木）0:00"
        );
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
