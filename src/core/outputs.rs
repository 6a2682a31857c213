//! Files that leave the desk (lists, reports, forms): tables as CSV in UTF-8 with BOM or in
//! CP932, or as XLSX, every cell guarded against spreadsheet formula injection. Writing them
//! goes through [`crate::session::Session::write_output`], which writes only to the path the
//! user chose, remembers the file for a purge, and audits it.

/// The encodings a CSV can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark (Excel opens it as UTF-8).
    Utf8Bom,
    /// Windows code page 932 (Shift_JIS), for systems that read nothing else.
    Cp932,
}

impl CsvEncoding {
    /// File-name suffix that tells the two apart.
    pub fn suffix(self) -> &'static str {
        match self {
            CsvEncoding::Utf8Bom => "utf8",
            CsvEncoding::Cp932 => "sjis",
        }
    }
}

/// A cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR first) gets a
/// leading apostrophe.
pub fn escape_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// A table: header and rows of text cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Column headings.
    pub headers: Vec<String>,
    /// Rows, each as long as the headers.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as CSV (CRLF line ends, cells escaped). CP932 fails with the characters it
    /// cannot hold, for the user to see, instead of writing `?` in a name.
    pub fn to_csv(&self, enc: CsvEncoding) -> Result<Vec<u8>, String> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let err = |e: csv::Error| e.to_string();
        w.write_record(self.headers.iter().map(|h| escape_formula(h)))
            .map_err(err)?;
        for row in &self.rows {
            w.write_record(row.iter().map(|c| escape_formula(c)))
                .map_err(err)?;
        }
        let bytes = w.into_inner().map_err(|e| e.to_string())?;
        match enc {
            CsvEncoding::Utf8Bom => {
                let mut out = b"\xEF\xBB\xBF".to_vec();
                out.extend(bytes);
                Ok(out)
            }
            CsvEncoding::Cp932 => {
                let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
                crate::encoding::encode_cp932(&text).map_err(|bad| {
                    let list: String = bad.iter().take(10).collect();
                    format!("Shift_JIS（CP932）で書けない文字があります: {list}。UTF-8 版を使ってください")
                })
            }
        }
    }

    /// The table as an XLSX workbook with one sheet; every cell is text, formatted as text
    /// (「@」: card numbers keep their leading zeros when a person opens, edits and saves it),
    /// escaped like the CSV.
    pub fn to_xlsx(&self, sheet: &str) -> Result<Vec<u8>, String> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name(sheet).map_err(|e| e.to_string())?;
        let bold = rust_xlsxwriter::Format::new()
            .set_bold()
            .set_num_format("@");
        let text = rust_xlsxwriter::Format::new().set_num_format("@");
        for (c, h) in self.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, escape_formula(h), &bold)
                .map_err(|e| e.to_string())?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                ws.write_string_with_format(r as u32 + 1, c as u16, escape_formula(cell), &text)
                    .map_err(|e| e.to_string())?;
            }
        }
        for c in 0..self.headers.len() {
            let width = self
                .rows
                .iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .chain([self.headers[c].chars().count()])
                .max()
                .unwrap_or(8);
            ws.set_column_width(c as u16, (width as f64 * 1.8).clamp(6.0, 60.0))
                .map_err(|e| e.to_string())?;
        }
        book.save_to_buffer().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_escaped_and_cp932_refuses_what_it_cannot_hold() {
        let t = Table {
            headers: vec!["a".into(), "b".into()],
            rows: vec![vec!["=1+1".into(), "髙橋".into()]],
        };
        let csv = String::from_utf8(t.to_csv(CsvEncoding::Utf8Bom).unwrap()).unwrap();
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("'=1+1"));
        let bad = Table {
            headers: vec!["a".into()],
            rows: vec![vec!["𠮷野".into()]],
        };
        let err = bad.to_csv(CsvEncoding::Cp932).unwrap_err();
        assert!(err.contains('𠮷'), "{err}");
    }
}
