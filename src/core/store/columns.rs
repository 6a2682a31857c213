//! The `records` table's columns, written and read by name from the one table of the
//! match-result file's columns ([`crate::record::COLUMNS`]) and the columns totsugo derives
//! from a row. Adding a column of the file: its row in `COLUMNS`, its field on [`Record`], a
//! migration adding the SQL column, and its arms in [`file_value`] and [`read_record`] (the
//! compiler names each arm that is missing).

use std::sync::OnceLock;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};

use crate::record::{
    COLUMNS, Classification, Date, Field, Person, Record, RegistryResult, RowSummary, Sex,
    StopCase, StopFlag, Verdicts, Warnings,
};

/// The columns totsugo derives from a row and keeps beside the file's values.
pub(super) const DERIVED: [&str; 9] = [
    "mismatch",
    "lost",
    "stop_case",
    "priority",
    "warnings",
    "extra",
    "analysis",
    "kana_key",
    "bad_values",
];

/// The `records` columns that keep the file's values, each once, in the file's order, with
/// the field that fills it (the verdicts share one packed column).
pub(super) fn file_columns() -> &'static [(&'static str, Field)] {
    static COLS: OnceLock<Vec<(&'static str, Field)>> = OnceLock::new();
    COLS.get_or_init(|| {
        let mut out: Vec<(&'static str, Field)> = Vec::new();
        for c in &COLUMNS {
            if !out.iter().any(|(sql, _)| *sql == c.sql) {
                out.push((c.sql, c.field));
            }
        }
        out
    })
}

/// The `records` columns an import writes after `import_id`: `line`, the file's columns and
/// the derived ones, in the order of [`file_value`] and [`derived_values`].
pub(super) fn written_columns() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        ["line"]
            .into_iter()
            .chain(file_columns().iter().map(|(sql, _)| *sql))
            .chain(DERIVED)
            .collect()
    })
}

/// `INSERT INTO <table> ([id,] import_id, line, <the file's columns>, <derived>) VALUES (…)`.
pub(super) fn insert_sql_into(table: &str, with_id: bool) -> String {
    let names = written_columns();
    let first = if with_id {
        "id, import_id"
    } else {
        "import_id"
    };
    let n = names.len() + 1 + with_id as usize;
    let params: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {table} ({first}, {}) VALUES ({})",
        names.join(", "),
        params.join(", ")
    )
}

/// `SELECT line, <the file's columns>, <derived but kana_key> FROM records WHERE id = ?1`.
pub(super) fn select_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let names: Vec<&str> = ["line"]
            .into_iter()
            .chain(file_columns().iter().map(|(sql, _)| *sql))
            .chain(DERIVED.into_iter().filter(|c| *c != "kana_key"))
            .collect();
        format!("SELECT {} FROM records WHERE id = ?1", names.join(", "))
    })
}

fn text(s: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
}

fn int(v: Option<i64>) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(v.map_or(Value::Null, Value::Integer))
}

fn date(d: Option<Date>) -> ToSqlOutput<'static> {
    int(d.map(|d| d.as_u32() as i64))
}

/// A birth date: the full date, or the partial one with its zeros (19450300), in one column.
fn birth(p: &crate::record::Person) -> ToSqlOutput<'static> {
    match (p.birth_date, p.birth_partial) {
        (Some(d), _) => date(Some(d)),
        (None, Some(pd)) => int(Some(pd.as_u32() as i64)),
        (None, None) => int(None),
    }
}

fn sex(s: Option<Sex>) -> ToSqlOutput<'static> {
    int(s.map(|s| s as i64))
}

/// The stored value of one field of a record (the verdicts: all six packed).
pub(super) fn file_value(r: &Record, f: Field) -> ToSqlOutput<'_> {
    match f {
        Field::InsurerNumber => text(&r.insurer_number),
        Field::CardSymbol => text(&r.card_symbol),
        Field::CardNumber => text(&r.card_number),
        Field::Branch => text(&r.branch),
        Field::Relation => int(r.relation.map(i64::from)),
        Field::MyNumber => text(&r.my_number),
        Field::QualStart => date(r.qual_start),
        Field::QualEnd => date(r.qual_end),
        Field::InsKanji => text(&r.insurer.kanji_name),
        Field::InsKana => text(&r.insurer.kana_name),
        Field::InsBirth => birth(&r.insurer),
        Field::InsSex => sex(r.insurer.sex),
        Field::InsAddress => text(&r.insurer.address),
        Field::JlisResult => int(Some(r.registry_result as i64)),
        Field::RegKanji => text(&r.registry.kanji_name),
        Field::RegKana => text(&r.registry.kana_name),
        Field::RegBirth => birth(&r.registry),
        Field::RegSex => sex(r.registry.sex),
        Field::RegAddress => text(&r.registry.address),
        Field::VerdictKanji
        | Field::VerdictKana
        | Field::VerdictBirth
        | Field::VerdictSex
        | Field::VerdictAddress
        | Field::Overall => int(Some(r.verdicts.pack() as i64)),
        Field::StopFlag => int(r.stop_flag.map(|f| f as i64)),
        Field::MultiQual => int(Some(r.multi_qual as i64)),
        Field::BaseDate => date(r.base_date),
    }
}

/// The values of the derived columns ([`DERIVED`], in that order) of a record; `extra` is the
/// extra columns' JSON when the file had any.
pub(super) fn derived_values(r: &Record, extra: Option<String>) -> [ToSqlOutput<'static>; 9] {
    [
        int(Some(r.class.mismatch as i64)),
        int(Some(r.class.lost as i64)),
        int(Some(r.class.case as i64)),
        int(Some(r.class.priority as i64)),
        int(Some(r.warnings.0 as i64)),
        ToSqlOutput::Owned(extra.map_or(Value::Null, Value::Text)),
        int(r.analysis.map(|a| a.pack() as i64)),
        ToSqlOutput::Owned(if r.class.mismatch {
            Value::Text(crate::compare::kana::key(&r.insurer.kana_name))
        } else {
            Value::Null
        }),
        ToSqlOutput::Owned(if r.bad_values.is_empty() {
            Value::Null
        } else {
            let pairs: Vec<(&str, &str)> = r
                .bad_values
                .iter()
                .map(|(f, v)| (f.key(), v.as_str()))
                .collect();
            Value::Text(serde_json::to_string(&pairs).expect("strings serialize"))
        }),
    ]
}

/// A whole record from a row of [`select_sql`], read by column name.
pub(super) fn read_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    let col = |f: Field| f.column().sql;
    let date = |f: Field| -> rusqlite::Result<Option<Date>> {
        Ok(r.get::<_, Option<u32>>(col(f))?.and_then(Date::from_u32))
    };
    let sex = |f: Field| -> rusqlite::Result<Option<Sex>> {
        Ok(r.get::<_, Option<i64>>(col(f))?.and_then(Sex::from_code))
    };
    let person = |[kanji, kana, birth, s, address]: [Field; 5]| -> rusqlite::Result<Person> {
        let b = r.get::<_, Option<u32>>(col(birth))?;
        Ok(Person {
            kanji_name: r.get(col(kanji))?,
            kana_name: r.get(col(kana))?,
            birth_date: b.and_then(Date::from_u32),
            birth_partial: b.and_then(crate::record::PartialDate::from_u32),
            sex: sex(s)?,
            address: r.get(col(address))?,
        })
    };
    let extra: Option<String> = r.get("extra")?;
    let bad_values: Option<String> = r.get("bad_values")?;
    Ok(Record {
        line: r.get::<_, i64>("line")? as u64,
        insurer_number: r.get(col(Field::InsurerNumber))?,
        card_symbol: r.get(col(Field::CardSymbol))?,
        card_number: r.get(col(Field::CardNumber))?,
        branch: r.get(col(Field::Branch))?,
        relation: r.get(col(Field::Relation))?,
        my_number: r.get(col(Field::MyNumber))?,
        qual_start: date(Field::QualStart)?,
        qual_end: date(Field::QualEnd)?,
        insurer: person([
            Field::InsKanji,
            Field::InsKana,
            Field::InsBirth,
            Field::InsSex,
            Field::InsAddress,
        ])?,
        registry_result: RegistryResult::from_code(r.get(col(Field::JlisResult))?),
        registry: person([
            Field::RegKanji,
            Field::RegKana,
            Field::RegBirth,
            Field::RegSex,
            Field::RegAddress,
        ])?,
        verdicts: Verdicts::unpack(r.get(col(Field::Overall))?),
        stop_flag: r
            .get::<_, Option<i64>>(col(Field::StopFlag))?
            .and_then(StopFlag::from_code),
        multi_qual: r.get(col(Field::MultiQual))?,
        base_date: date(Field::BaseDate)?,
        class: Classification {
            mismatch: r.get("mismatch")?,
            lost: r.get("lost")?,
            case: StopCase::from_code(r.get("stop_case")?),
            priority: r.get("priority")?,
        },
        warnings: Warnings(r.get::<_, i64>("warnings")? as u64),
        extra: extra
            .and_then(|e| serde_json::from_str(&e).ok())
            .unwrap_or_default(),
        analysis: r.get::<_, Option<u32>>("analysis")?.map(RowSummary::unpack),
        bad_values: bad_values
            .and_then(|b| serde_json::from_str::<Vec<(String, String)>>(&b).ok())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| Some((Field::from_key(&k)?, v)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one table of columns and the schema agree: every column it names exists in
    /// `records`, and a record written by name reads back the same.
    #[test]
    fn the_column_table_and_the_schema_agree() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::Store::open(dir.path(), &crate::vault::StoreKey::random())
            .expect("a new store opens");
        let mut stmt = store
            .conn
            .prepare("SELECT name FROM pragma_table_info('records')")
            .unwrap();
        let names: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (sql, f) in file_columns() {
            assert!(names.iter().any(|n| n == sql), "{f:?}: no column {sql}");
        }
        for d in DERIVED {
            assert!(names.iter().any(|n| n == d), "no column {d}");
        }
        // Each of the file's columns once: 28 fields, the six verdicts in one column.
        assert_eq!(file_columns().len(), COLUMNS.len() - 5);
        assert!(insert_sql_into("records", false).contains("registry_result, reg_kanji"));
    }
}
