//! Mapping profiles: which header in the file holds which field.
//!
//! The official layout of the match-result file is not public, and insurers receive files
//! whose headers or column order may differ from this project's default. A profile is a small
//! text file the user can copy and edit (`totsugo profile --write FILE`):
//!
//! ```text
//! # comment
//! name = 既定（totsugo 標準レイアウト）
//! insurer_number = 保険者番号
//! card_symbol = 被保険者証等記号
//! ```
//!
//! Each line maps a field key to the header text in the file. An optional column may be left
//! out; a required one may not. Headers are matched after width and space folding, so
//! `Ｊ－ＬＩＳ照会結果` finds `J-LIS照会結果`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crate::record::Field;
use crate::text::fold_width_and_spaces;

/// A mapping from fields to header names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// A name for people (shown in the import summary).
    pub name: String,
    /// Header text per field; a field without an entry is not in the file.
    pub headers: BTreeMap<Field, String>,
    /// The 個人番号 column holds a masked or partial number (「*1111」, 「********1111」,
    /// 「1111」) as the operator's own picture of the file shows it (profile line
    /// `my_number_kind = masked`): imported as it is; check digits and the same-number check
    /// cannot run and say so; the type B reply check compares the last 4 digits where they are.
    pub masked_number: bool,
}

/// A profile file that could not be read, with its line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    /// Line in the profile file (1-based), 0 for errors about the whole file.
    pub line: usize,
    /// What is wrong, in Japanese.
    pub message: String,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "対応表ファイル {}行目: {}", self.line, self.message)
        } else {
            write!(f, "対応表ファイル: {}", self.message)
        }
    }
}

impl std::error::Error for ProfileError {}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            name: "既定（totsugo 標準レイアウト）".to_string(),
            headers: Field::ALL
                .iter()
                .map(|f| (*f, f.default_header().to_string()))
                .collect(),
            masked_number: false,
        }
    }
}

/// Where each field sits in a particular file, plus the columns the profile does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnMap {
    /// Column index per field (indexed by `Field as usize`), `None` for an absent optional one.
    pub index: [Option<usize>; 28],
    /// Header text per column of the file.
    pub headers: Vec<String>,
    /// Columns kept as extra data: (column index, header).
    pub extra: Vec<(usize, String)>,
    /// The 個人番号 column is masked or partial (see [`Profile::masked_number`]).
    pub masked_number: bool,
}

impl ColumnMap {
    /// Column index of a field, if present.
    pub fn get(&self, f: Field) -> Option<usize> {
        self.index[f as usize]
    }
}

/// Why a header row does not fit a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// Required columns the file lacks (their header names as the profile expects them).
    Missing(Vec<String>),
    /// A header that appears twice and is mapped.
    Duplicate(String),
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::Missing(h) => write!(
                f,
                "1行目（見出し）: 必須の列がありません: {}。対応表（--profile）で列名を指定してください",
                h.iter()
                    .map(|x| format!("「{x}」"))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            HeaderError::Duplicate(h) => {
                write!(f, "1行目（見出し）: 列「{h}」が2回以上あります")
            }
        }
    }
}

/// Which side of the file a field or a header belongs to (the two persons compared).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Insurer,
    Registry,
}

fn field_side(f: Field) -> Option<Side> {
    use Field::*;
    match f {
        InsKanji | InsKana | InsBirth | InsSex | InsAddress => Some(Side::Insurer),
        RegKanji | RegKana | RegBirth | RegSex | RegAddress => Some(Side::Registry),
        _ => None,
    }
}

/// The side a header's words name: 加入者 for the insurer's, J-LIS / 住基 / 住民 for the
/// registry's.
fn header_side(folded: &str) -> Option<Side> {
    let upper = folded.to_uppercase();
    let registry = ["J-LIS", "JLIS", "住基", "住民"]
        .iter()
        .any(|w| upper.contains(w));
    let insurer = folded.contains("加入者");
    match (insurer, registry) {
        (true, false) => Some(Side::Insurer),
        (false, true) => Some(Side::Registry),
        _ => None,
    }
}

/// Refuses one column mapped to two fields, and a person's field mapped to a header of the
/// other side (the insurer's and the registry's headers swapped), naming the profile's line.
fn check_columns(
    headers: &BTreeMap<Field, String>,
    lines: &BTreeMap<Field, usize>,
) -> Result<(), ProfileError> {
    let mut seen: BTreeMap<String, Field> = BTreeMap::new();
    let mut by_line: Vec<(usize, Field, &String)> = headers
        .iter()
        .map(|(f, h)| (lines.get(f).copied().unwrap_or(0), *f, h))
        .collect();
    by_line.sort();
    for (line, f, h) in by_line {
        let folded = fold_width_and_spaces(h);
        if let Some(first) = seen.get(&folded) {
            return Err(ProfileError {
                line,
                message: format!(
                    "列名「{h}」は項目「{}」（{}行目）にも使われています。1つの列を2つの項目に対応させることはできません",
                    first.key(),
                    lines.get(first).copied().unwrap_or(0)
                ),
            });
        }
        seen.insert(folded.clone(), f);
        if let (Some(want), Some(got)) = (field_side(f), header_side(&folded))
            && want != got
        {
            let (mine, other) = match want {
                Side::Insurer => ("加入者側（保険者）", "住基側（J-LIS）"),
                Side::Registry => ("住基側（J-LIS）", "加入者側（保険者）"),
            };
            return Err(ProfileError {
                line,
                message: format!(
                    "項目「{}」は{mine}の項目ですが、列名「{h}」は{other}の列に見えます。加入者側と住基側が入れ替わっていないか確かめてください",
                    f.key()
                ),
            });
        }
    }
    Ok(())
}

impl Profile {
    /// Reads a profile file.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let bytes = std::fs::read(path).map_err(|e| ProfileError {
            line: 0,
            message: format!("{} を読めません: {e}", path.display()),
        })?;
        let text = crate::encoding::decode_whole_text(&bytes).ok_or_else(|| ProfileError {
            line: 0,
            message: "文字コードを判別できません（UTF-8 か CP932 で保存してください）".into(),
        })?;
        Profile::parse(&text)
    }

    /// Parses the text of a profile file.
    pub fn parse(text: &str) -> Result<Profile, ProfileError> {
        let mut name = String::from("利用者定義");
        let mut headers = BTreeMap::new();
        let mut lines: BTreeMap<Field, usize> = BTreeMap::new();
        let mut masked_number = false;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let l = raw.trim_start_matches('\u{feff}').trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let Some((k, v)) = l.split_once('=') else {
                return Err(ProfileError {
                    line,
                    message: "「項目名 = 列名」の形で書いてください".into(),
                });
            };
            let k = k.trim();
            let v = v.trim().trim_matches('"').trim();
            if k == "name" {
                name = v.to_string();
                continue;
            }
            if k == "my_number_kind" {
                masked_number = match v {
                    "full" | "" => false,
                    "masked" => true,
                    _ => {
                        return Err(ProfileError {
                            line,
                            message: "my_number_kind は full（12桁の個人番号）か masked（伏せた番号・下4桁だけ）です".into(),
                        });
                    }
                };
                continue;
            }
            let Some(field) = Field::from_key(k) else {
                return Err(ProfileError {
                    line,
                    message: format!("項目名「{k}」は知らない項目です"),
                });
            };
            if v.is_empty() {
                if field.required() {
                    return Err(ProfileError {
                        line,
                        message: format!("「{k}」は必須の項目です。列名を書いてください"),
                    });
                }
                continue;
            }
            if headers.insert(field, v.to_string()).is_some() {
                return Err(ProfileError {
                    line,
                    message: format!("項目名「{k}」が2回書かれています"),
                });
            }
            lines.insert(field, line);
        }
        check_columns(&headers, &lines)?;
        let missing: Vec<_> = Field::ALL
            .iter()
            .filter(|f| f.required() && !headers.contains_key(f))
            .map(|f| f.key())
            .collect();
        if !missing.is_empty() {
            return Err(ProfileError {
                line: 0,
                message: format!("必須の項目がありません: {}", missing.join(", ")),
            });
        }
        Ok(Profile {
            name,
            headers,
            masked_number,
        })
    }

    /// The profile as an editable text file with Japanese comments.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str("# totsugo 突合結果ファイルの列の対応表\n");
        s.push_str("# 左側（項目名）は変えずに、右側をファイルの見出し（1行目）の列名に合わせてください。\n");
        s.push_str("# 列の順番は自由です。見出しは全角・半角や空白の違いを無視して照合します。\n");
        s.push_str("# 任意の項目は右側を空にすると「この列はない」という意味になります。\n");
        s.push_str("# 対応表にない列は、取り込み時にそのまま保存されます。\n\n");
        s.push_str(&format!("name = {}\n\n", self.name));
        s.push_str("# 個人番号の列の種類: full（12桁の個人番号）または masked（「*1111」のように伏せた番号・下4桁だけ）\n");
        s.push_str(&format!(
            "my_number_kind = {}\n\n",
            if self.masked_number { "masked" } else { "full" }
        ));
        for f in Field::ALL {
            let need = if f.required() { "必須" } else { "任意" };
            s.push_str(&format!("# {}（{}）\n", f.default_header(), need));
            s.push_str(&format!(
                "{} = {}\n",
                f.key(),
                self.headers.get(&f).map(String::as_str).unwrap_or("")
            ));
        }
        s
    }

    /// Matches the file's header row against the profile.
    pub fn resolve(&self, headers: &[String]) -> Result<ColumnMap, HeaderError> {
        let folded: Vec<String> = headers.iter().map(|h| fold_width_and_spaces(h)).collect();
        let mut index = [None; 28];
        let mut used = vec![false; headers.len()];
        let mut missing = Vec::new();
        for (field, want) in &self.headers {
            let w = fold_width_and_spaces(want);
            let hits: Vec<usize> = (0..folded.len()).filter(|&i| folded[i] == w).collect();
            match hits.as_slice() {
                [] if field.required() => missing.push(want.clone()),
                [] => {}
                [i] => {
                    index[*field as usize] = Some(*i);
                    used[*i] = true;
                }
                _ => return Err(HeaderError::Duplicate(want.clone())),
            }
        }
        if !missing.is_empty() {
            return Err(HeaderError::Missing(missing));
        }
        let extra = (0..headers.len())
            .filter(|&i| !used[i])
            .map(|i| (i, headers[i].clone()))
            .collect();
        Ok(ColumnMap {
            index,
            headers: headers.to_vec(),
            extra,
            masked_number: self.masked_number,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_round_trips_through_its_text() {
        let p = Profile::default();
        let q = Profile::parse(&p.to_text()).unwrap();
        assert_eq!(p, q);
    }

    #[test]
    fn one_column_for_two_fields_and_swapped_sides_are_refused_with_their_line() {
        // issue 15: 「refuse one column mapped to two fields, a profile that maps the registry
        // columns onto the insurer's (headers swapped), unknown keys」.
        let text = Profile::default().to_text();
        let two = text.replace(
            "card_symbol = 被保険者証等記号",
            "card_symbol = 被保険者証等番号",
        );
        let e = Profile::parse(&two).unwrap_err();
        assert!(e.message.contains("2つの項目"), "{e}");
        assert!(e.line > 0, "{e}");
        let swapped = text
            .replace(
                "insurer_kanji_name = 加入者情報_漢字氏名",
                "insurer_kanji_name = J-LIS情報_漢字氏名",
            )
            .replace(
                "registry_kanji_name = J-LIS情報_漢字氏名",
                "registry_kanji_name = 加入者情報_漢字氏名",
            );
        let e = Profile::parse(&swapped).unwrap_err();
        assert!(e.message.contains("入れ替わって"), "{e}");
        let line = swapped
            .lines()
            .position(|l| l.starts_with("insurer_kanji_name"))
            .unwrap()
            + 1;
        assert_eq!(e.line, line, "{e}");
    }

    #[test]
    fn unknown_key_names_the_line() {
        let e = Profile::parse("name = x\nfoo = bar\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("foo"));
    }

    #[test]
    fn resolve_reports_missing_required_columns_by_name() {
        let p = Profile::default();
        let headers: Vec<String> = Field::ALL
            .iter()
            .filter(|f| **f != Field::MyNumber)
            .map(|f| f.default_header().to_string())
            .collect();
        match p.resolve(&headers) {
            Err(HeaderError::Missing(m)) => assert_eq!(m, vec!["個人番号".to_string()]),
            other => panic!("{other:?}"),
        }
    }
}
