//! What only the whole file shows: checks across the rows of one match-result file, run after
//! each import (and by `totsugo analyze`).
//!
//! - One My Number registered on rows of different people (another birth date or sex, or a
//!   name that differs beyond notation). The same person on two rows (an older, lost
//!   qualification) is normal and raises nothing.
//! - A row whose registry person is another subscriber of the same file: a family member's
//!   number taken by mistake. The other row is named.
//!
//! (Check-digit failures of the registered number are found per row by the importer.)
//!
//! Memory stays small: each row leaves a few integers (hashes of the canonical name keys of
//! [`crate::compare::kana::key`] and [`crate::compare::kanji::key`], hashed with the fixed
//! [`crate::compare::FxHasher`]), never a name.

use std::collections::BTreeMap;

use crate::compare::{kana, kanji};
use crate::record::{Record, RegistryResult};

/// A cross-record alarm.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlarmKind {
    /// The row's My Number is registered on another row for a different person.
    SharedNumber = 1,
    /// The registry person of this row is the subscriber of another row.
    RegistryIsOtherSubscriber = 2,
}

impl AlarmKind {
    /// From the stored code.
    pub fn from_code(c: i64) -> Option<AlarmKind> {
        match c {
            1 => Some(AlarmKind::SharedNumber),
            2 => Some(AlarmKind::RegistryIsOtherSubscriber),
            _ => None,
        }
    }

    /// The warning bit the alarm sets on the row.
    pub fn warning(self) -> crate::classify::WarningKind {
        match self {
            AlarmKind::SharedNumber => crate::classify::WarningKind::SharedNumber,
            AlarmKind::RegistryIsOtherSubscriber => {
                crate::classify::WarningKind::RegistryIsOtherSubscriber
            }
        }
    }

    /// The sentence for the clerk, naming the related data rows.
    pub fn message_ja(self, related_rows: &[u64]) -> String {
        let list: Vec<String> = related_rows.iter().map(|r| format!("{r}行目")).collect();
        let list = list.join("・");
        match self {
            AlarmKind::SharedNumber => format!(
                "同じ個人番号が別人（生年月日・性別・氏名が異なる）の行にも登録されています（データ{list}）"
            ),
            AlarmKind::RegistryIsOtherSubscriber => {
                crate::compare::other_subscriber_reason(related_rows)
            }
        }
    }
}

/// One alarm: on `row`, of `kind`, naming `related` (rows are 0-based positions in the file's
/// data rows).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Alarm {
    /// The row the alarm is on.
    pub row: u32,
    /// What was found.
    pub kind: AlarmKind,
    /// The other row.
    pub related: u32,
}

#[derive(Copy, Clone, Debug)]
struct PersonKey {
    birth: u32,
    sex: u8,
    kana: u64,
    kanji: u64,
}

impl PersonKey {
    fn same_person(&self, o: &PersonKey) -> bool {
        self.birth == o.birth
            && (self.sex == 0 || o.sex == 0 || self.sex == o.sex)
            && self.kana == o.kana
            && self.kanji == o.kanji
    }

    fn lookup(&self) -> (u64, u32) {
        (self.kana, self.birth)
    }
}

struct RowKey {
    number: u64,
    insurer: PersonKey,
    had_warnings: bool,
}

fn person_key(p: &crate::record::Person) -> PersonKey {
    PersonKey {
        birth: p.birth_date.map(|d| d.as_u32()).unwrap_or(0),
        sex: p.sex.map(|s| s as u8).unwrap_or(0),
        kana: kana::key_hash(&p.kana_name),
        kanji: kanji::key_hash(&p.kanji_name),
    }
}

/// Collects the rows of one file, then finds the alarms.
#[derive(Default)]
pub struct CrossCheck {
    rows: Vec<RowKey>,
    /// The registry person of mismatched rows with a registry record: (row, person).
    registry: Vec<(u32, PersonKey)>,
}

/// What the checks found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    /// Every alarm, sorted by row.
    pub alarms: Vec<Alarm>,
}

impl Findings {
    /// The rows related to `row` by alarms of `kind`.
    pub fn related(&self, row: u32, kind: AlarmKind) -> Vec<u32> {
        let start = self.alarms.partition_point(|a| a.row < row);
        self.alarms[start..]
            .iter()
            .take_while(|a| a.row == row)
            .filter(|a| a.kind == kind)
            .map(|a| a.related)
            .collect()
    }

    /// The rows related to `row` by any alarm, without repeats.
    pub fn related_any(&self, row: u32) -> Vec<u32> {
        let start = self.alarms.partition_point(|a| a.row < row);
        let mut v: Vec<u32> = self.alarms[start..]
            .iter()
            .take_while(|a| a.row == row)
            .map(|a| a.related)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Alarm kinds per row (each kind once), in row order.
    pub fn by_row(&self) -> BTreeMap<u32, Vec<AlarmKind>> {
        let mut m: BTreeMap<u32, Vec<AlarmKind>> = BTreeMap::new();
        for a in &self.alarms {
            let v = m.entry(a.row).or_default();
            if !v.contains(&a.kind) {
                v.push(a.kind);
            }
        }
        m
    }
}

/// Largest group of rows sharing one number that is compared pair by pair.
const MAX_GROUP: usize = 64;

impl CrossCheck {
    /// An empty check.
    pub fn new() -> CrossCheck {
        CrossCheck::default()
    }

    /// Adds the next row of the file.
    pub fn add(&mut self, r: &Record) {
        if r.class.mismatch && r.registry_result == RegistryResult::Found {
            self.registry
                .push((self.rows.len() as u32, person_key(&r.registry)));
        }
        self.rows.push(RowKey {
            // Only a full number can be the same number (a masked file's 「*1111」 cannot).
            number: if crate::record::my_number_is_full(&r.my_number) {
                r.my_number.parse().unwrap_or(u64::MAX)
            } else {
                u64::MAX
            },
            insurer: person_key(&r.insurer),
            had_warnings: !r.warnings.is_empty(),
        });
    }

    /// Number of rows added.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Whether the row had warnings of its own before the checks (to count rows with
    /// warnings once).
    pub fn had_warnings(&self, row: u32) -> bool {
        self.rows[row as usize].had_warnings
    }

    /// Runs the checks.
    pub fn run(&self) -> Findings {
        let mut alarms = Vec::new();
        // One number, different people (the sorted copy is freed before the next one).
        {
            let mut by_number: Vec<(u64, u32)> = self
                .rows
                .iter()
                .enumerate()
                .filter(|(_, k)| k.number != u64::MAX)
                .map(|(i, k)| (k.number, i as u32))
                .collect();
            by_number.sort_unstable();
            for group in by_number.chunk_by(|a, b| a.0 == b.0) {
                if group.len() < 2 {
                    continue;
                }
                let group = &group[..group.len().min(MAX_GROUP)];
                for (x, &(_, i)) in group.iter().enumerate() {
                    for &(_, j) in &group[x + 1..] {
                        let (a, b) = (&self.rows[i as usize], &self.rows[j as usize]);
                        if !a.insurer.same_person(&b.insurer) {
                            alarms.push(Alarm {
                                row: i,
                                kind: AlarmKind::SharedNumber,
                                related: j,
                            });
                            alarms.push(Alarm {
                                row: j,
                                kind: AlarmKind::SharedNumber,
                                related: i,
                            });
                        }
                    }
                }
            }
        }
        // The registry person is another subscriber.
        let mut by_person: Vec<((u64, u32), u32)> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, k)| (k.insurer.lookup(), i as u32))
            .collect();
        by_person.sort_unstable();
        for (i, reg) in &self.registry {
            let (i, k) = (*i as usize, &self.rows[*i as usize]);
            if k.insurer.lookup() == reg.lookup() {
                // The registry person is this row's own subscriber.
                continue;
            }
            let start = by_person.partition_point(|(key, _)| *key < reg.lookup());
            for &(key, j) in &by_person[start..] {
                if key != reg.lookup() {
                    break;
                }
                let other = &self.rows[j as usize].insurer;
                let sex_ok = reg.sex == 0 || other.sex == 0 || reg.sex == other.sex;
                if j as usize == i || !sex_ok || other.same_person(&k.insurer) {
                    continue;
                }
                alarms.push(Alarm {
                    row: i as u32,
                    kind: AlarmKind::RegistryIsOtherSubscriber,
                    related: j,
                });
            }
        }
        alarms.sort_unstable();
        alarms.dedup();
        Findings { alarms }
    }
}
