//! The reviews the privacy assessment promises (issue 16 §7): the access log reviewed monthly
//! and the user list (privileged users above all) half-yearly. What is due, which audit
//! entries each filter shows, who counts as privileged and which periods may be signed off
//! live here, once; the session reads and signs off ([`crate::session::Session`]'s
//! `access_log_review`, `user_list_review`, `sign_off_review`, `reviews_due`), the app and the
//! CLI only show.

use chrono::{Datelike, NaiveDate};

use crate::audit::AuditAction;
use crate::auth::{Role, Roles};
use crate::store::{Store, StoreError};

/// The user list is reviewed at least this often (months).
pub const USER_REVIEW_MONTHS: u32 = 6;

/// The audit chain's head: how many entries, and the last one's hash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainHead {
    /// Entries in the trail.
    pub count: u64,
    /// The last entry's hash (the genesis hash for an empty trail).
    pub hash: String,
}

impl ChainHead {
    /// 「123 件目 abcd1234…」: what a reviewer reads and writes down.
    pub fn short_ja(&self) -> String {
        format!(
            "{} 件目　{}",
            crate::summary::format_thousands(self.count),
            self.hash.get(..16).unwrap_or(&self.hash)
        )
    }
}

/// The chain head as it is now. The one place the head is read (the anchoring of issue 16 §3
/// may replace its body with the anchored head).
pub fn chain_head(store: &Store) -> Result<ChainHead, StoreError> {
    let (count, hash) = store.audit_head()?;
    Ok(ChainHead { count, hash })
}

/// The two reviews.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReviewKind {
    /// 操作記録の点検: the access log of one month, monthly.
    AccessLog,
    /// 利用者の点検: the users, their roles and rights, half-yearly.
    UserList,
}

impl ReviewKind {
    /// The stable key stored with a sign-off.
    pub fn key(self) -> &'static str {
        match self {
            ReviewKind::AccessLog => "access_log",
            ReviewKind::UserList => "user_list",
        }
    }

    /// From a stored key.
    pub fn from_key(k: &str) -> Option<ReviewKind> {
        [ReviewKind::AccessLog, ReviewKind::UserList]
            .into_iter()
            .find(|r| r.key() == k)
    }

    /// What the reviewer reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            ReviewKind::AccessLog => "操作記録の点検（毎月）",
            ReviewKind::UserList => "利用者の点検（半年ごと）",
        }
    }
}

/// A calendar month.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
}

impl Month {
    /// The month of a day.
    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// `2026-11`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        (y.len() == 4 && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// `2026-11`: the key stored with a sign-off, and the prefix of the trail's times.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// 「2026年11月」.
    pub fn label_ja(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }

    /// The month before.
    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month after.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

/// The filters of the access-log review.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum EntryFilter {
    /// Every entry of the month.
    All,
    /// The full My Number shown.
    Reveals,
    /// Files written out and letters printed.
    Exports,
    /// Failed logins, lockouts and their unlocking.
    FailedLogins,
    /// Users and rights changed, passwords set, the recovery key used.
    RightsChanges,
    /// Purges.
    Purges,
}

impl EntryFilter {
    /// Every filter, in the order the screen offers them.
    pub const ALL: [EntryFilter; 6] = [
        EntryFilter::All,
        EntryFilter::Reveals,
        EntryFilter::Exports,
        EntryFilter::FailedLogins,
        EntryFilter::RightsChanges,
        EntryFilter::Purges,
    ];

    /// The name the CLI takes (`--filter reveals`).
    pub fn key(self) -> &'static str {
        match self {
            EntryFilter::All => "all",
            EntryFilter::Reveals => "reveals",
            EntryFilter::Exports => "exports",
            EntryFilter::FailedLogins => "failed-logins",
            EntryFilter::RightsChanges => "rights",
            EntryFilter::Purges => "purges",
        }
    }

    /// From the CLI's name.
    pub fn from_key(k: &str) -> Option<EntryFilter> {
        EntryFilter::ALL.into_iter().find(|f| f.key() == k)
    }

    /// What the reviewer reads.
    pub fn label_ja(self) -> &'static str {
        match self {
            EntryFilter::All => "すべて",
            EntryFilter::Reveals => "個人番号の表示",
            EntryFilter::Exports => "書き出し・印刷",
            EntryFilter::FailedLogins => "ログイン失敗・ロック",
            EntryFilter::RightsChanges => "利用者・権限の変更",
            EntryFilter::Purges => "消去",
        }
    }

    /// The actions the filter shows (empty for [`EntryFilter::All`], which shows every one).
    pub fn actions(self) -> &'static [AuditAction] {
        match self {
            EntryFilter::All => &[],
            EntryFilter::Reveals => &[AuditAction::RevealMyNumber],
            EntryFilter::Exports => &[AuditAction::Export, AuditAction::LetterPrint],
            EntryFilter::FailedLogins => &[
                AuditAction::LoginFailed,
                AuditAction::Lockout,
                AuditAction::Unlock,
            ],
            EntryFilter::RightsChanges => &[
                AuditAction::UserChange,
                AuditAction::PasswordChange,
                AuditAction::Recovery,
            ],
            EntryFilter::Purges => &[AuditAction::Purge],
        }
    }

    /// Whether an entry with this action key belongs to the filter.
    pub fn matches(self, action_key: &str) -> bool {
        self == EntryFilter::All || self.actions().iter().any(|a| a.key() == action_key)
    }
}

/// Whether a user is privileged for the half-yearly review: a supervisor, an administrator,
/// or anyone with the My Number right.
pub fn is_privileged(roles: Roles, may_reveal_my_number: bool) -> bool {
    may_reveal_my_number || roles.has(Role::Supervisor) || roles.has(Role::Administrator)
}

/// A sign-off as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignOff {
    /// Id.
    pub id: i64,
    /// Which review.
    pub kind: ReviewKind,
    /// The month (`2026-11`) of an access-log review; the day (`2026-12-01`) of a user review.
    pub period: String,
    /// Who signed off: login.
    pub signed_by: String,
    /// Who signed off: name.
    pub signed_by_name: String,
    /// When (local time).
    pub signed_at: String,
    /// The chain head the reviewer saw.
    pub head: ChainHead,
    /// Entries (access log) or users (user list) reviewed.
    pub reviewed: u64,
    /// The reviewer's note.
    pub note: String,
}

/// Every sign-off in the store this version understands, oldest first.
pub fn sign_offs(store: &Store) -> Result<Vec<SignOff>, StoreError> {
    Ok(store
        .review_sign_offs()?
        .into_iter()
        .filter_map(|r| {
            Some(SignOff {
                id: r.id,
                // A kind of a later version is not a sign-off this one understands.
                kind: ReviewKind::from_key(&r.kind)?,
                period: r.period,
                signed_by: r.signed_by,
                signed_by_name: r.signed_by_name,
                signed_at: r.signed_at,
                head: ChainHead {
                    count: r.head_count,
                    hash: r.head_hash,
                },
                reviewed: r.reviewed,
                note: r.note,
            })
        })
        .collect())
}

impl SignOff {
    /// The day signed off.
    pub fn signed_on(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(self.signed_at.get(..10)?, "%Y-%m-%d").ok()
    }
}

/// A review that is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueReview {
    /// Which review.
    pub kind: ReviewKind,
    /// The month to review (access log), if any.
    pub month: Option<Month>,
    /// What the home screen says.
    pub message_ja: String,
}

/// `d` plus `months` calendar months (the last day of a shorter month).
fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// What is due on `today` for a store set up on `since` (the trail's first day; `None`: no
/// trail yet) with these sign-offs: the access log of the previous month when that month is not
/// signed off (and the store existed then); the user list when its last sign-off (or, never
/// signed, the setup) is [`USER_REVIEW_MONTHS`] months old or more.
pub fn due(today: NaiveDate, since: Option<NaiveDate>, sign_offs: &[SignOff]) -> Vec<DueReview> {
    let Some(since) = since else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let last_month = Month::of(today).previous();
    let signed = |m: Month| {
        sign_offs
            .iter()
            .any(|s| s.kind == ReviewKind::AccessLog && s.period == m.key())
    };
    if Month::of(since) <= last_month && !signed(last_month) {
        out.push(DueReview {
            kind: ReviewKind::AccessLog,
            month: Some(last_month),
            message_ja: format!(
                "{}の操作記録の点検が済んでいません（毎月の点検）",
                last_month.label_ja()
            ),
        });
    }
    let last_users = sign_offs
        .iter()
        .filter(|s| s.kind == ReviewKind::UserList)
        .filter_map(|s| {
            NaiveDate::parse_from_str(&s.period, "%Y-%m-%d")
                .ok()
                .or_else(|| s.signed_on())
        })
        .max();
    let base = last_users.unwrap_or(since);
    if add_months(base, USER_REVIEW_MONTHS) <= today {
        out.push(DueReview {
            kind: ReviewKind::UserList,
            month: None,
            message_ja: match last_users {
                Some(d) => format!(
                    "利用者の点検が半年以上行われていません（前回 {}）",
                    d.format("%Y年%-m月%-d日")
                ),
                None => "利用者の点検がまだ一度も行われていません（半年ごとの点検）".to_string(),
            },
        });
    }
    out
}

/// Whether the access log of `month` may be signed off on `today`: only once the month is
/// over.
pub fn check_month_over(month: Month, today: NaiveDate) -> Result<(), String> {
    if month >= Month::of(today) {
        return Err(format!(
            "{}はまだ終わっていないため、点検の確認はできません。月が終わってから確認してください",
            month.label_ja()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn signed(kind: ReviewKind, period: &str, at: &str) -> SignOff {
        SignOff {
            id: 1,
            kind,
            period: period.into(),
            signed_by: "sup".into(),
            signed_by_name: "責任者".into(),
            signed_at: format!("{at} 10:00:00+09:00"),
            head: ChainHead::default(),
            reviewed: 0,
            note: String::new(),
        }
    }

    #[test]
    fn last_month_is_due_until_signed_off() {
        let since = Some(day("2026-10-15"));
        let due_now = due(day("2026-12-03"), since, &[]);
        assert_eq!(due_now.len(), 1);
        assert_eq!(due_now[0].kind, ReviewKind::AccessLog);
        assert_eq!(due_now[0].month, Month::parse("2026-11"));
        let s = [signed(ReviewKind::AccessLog, "2026-11", "2026-12-02")];
        assert!(due(day("2026-12-03"), since, &s).is_empty());
        // A store set up this month has no month to review yet; none without a trail.
        assert!(due(day("2026-12-03"), Some(day("2026-12-01")), &[]).is_empty());
        assert!(due(day("2026-12-03"), None, &[]).is_empty());
        // January reviews December of the year before.
        let jan = due(day("2027-01-05"), since, &s);
        assert_eq!(jan[0].month, Month::parse("2026-12"));
    }

    #[test]
    fn the_users_are_due_six_months_after_the_last_review() {
        let since = Some(day("2026-01-10"));
        let monthly = |d: &str| signed(ReviewKind::AccessLog, &d[..7], d);
        let users_due = |today: &str, s: &[SignOff]| {
            due(day(today), since, s)
                .iter()
                .any(|d| d.kind == ReviewKind::UserList)
        };
        // Never reviewed: due six months after the setup.
        assert!(!users_due("2026-07-09", &[monthly("2026-06-01")]));
        assert!(users_due("2026-07-10", &[monthly("2026-06-01")]));
        let s = [signed(ReviewKind::UserList, "2026-07-20", "2026-07-20")];
        assert!(!users_due("2027-01-19", &s));
        assert!(users_due("2027-01-20", &s));
    }

    #[test]
    fn a_month_is_signed_off_only_when_it_is_over() {
        let nov = Month::parse("2026-11").unwrap();
        assert!(check_month_over(nov, day("2026-11-30")).is_err());
        assert!(check_month_over(nov, day("2026-12-01")).is_ok());
        assert!(Month::parse("2026-13").is_none());
        assert_eq!(nov.previous().next(), nov);
    }

    #[test]
    fn each_filter_shows_its_actions() {
        use EntryFilter::*;
        assert!(Reveals.matches("reveal_my_number") && !Reveals.matches("view_record"));
        assert!(Exports.matches("export") && Exports.matches("letter_print"));
        assert!(FailedLogins.matches("login_failed") && FailedLogins.matches("lockout"));
        assert!(!FailedLogins.matches("login"));
        assert!(RightsChanges.matches("user_change") && RightsChanges.matches("recovery"));
        assert!(Purges.matches("purge") && !Purges.matches("export"));
        assert!(All.matches("anything"));
        for f in EntryFilter::ALL {
            assert_eq!(EntryFilter::from_key(f.key()), Some(f));
        }
    }

    #[test]
    fn privileged_users_are_supervisors_administrators_and_my_number_holders() {
        assert!(!is_privileged(Roles::of(&[Role::Clerk]), false));
        assert!(is_privileged(Roles::of(&[Role::Clerk]), true));
        assert!(is_privileged(Roles::of(&[Role::Supervisor]), false));
        assert!(is_privileged(Roles::of(&[Role::Administrator]), false));
    }
}
