//! Plain printable documents as PDF: the recovery-key sheet, the data-deletion record and
//! the notice letters ([`crate::letters`]).
//!
//! Letters are laid out by hand on a [`Page`] (text and rules at absolute positions in
//! millimetres) and rendered with [`render_pages`], or with [`render_templated`] when many
//! pages share fixed content that should be stored in the file only once.
//!
//! A [`SimpleDoc`] is a list of [`Block`]s laid out top to bottom on A4 portrait pages with
//! 20 mm margins, in BIZ UDGothic (the app's font), embedded as a subset of the glyphs used.
//! Every page ends with a footer: the document's footer text, if any, and the page number
//! "n / m". Nothing is printed outside the margins.
//!
//! Lines are broken here, not by printpdf (whose page operations place text but never wrap
//! it), with advances measured from the font. Japanese text has no spaces, so a line may break
//! between any two characters, with simple kinsoku (禁則): a line never starts with closing
//! punctuation, a prolonged sound mark or a small kana (`、。」）』ー々ぁっャ`…) and never ends
//! with an opening bracket (`「（『`…); the character before is pushed to the next line
//! instead (追い出し). Runs of ASCII such as words, paths and keys break only after a slash or
//! between a hyphen and a letter, unless a run is wider than the line. A line break in a
//! paragraph (`\n`) starts a new line.
//!
//! Characters the font has no glyph for are refused: [`render`] fails with
//! [`PdfError::MissingGlyphs`] rather than print a box in someone's name; [`missing_glyphs`]
//! lets callers check text beforehand.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use printpdf::{
    Codepoint, Color, FontId, Greyscale, Line, LinePoint, Mm, OffsetDateTime, Op, PaintMode,
    ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point,
    Pt, Rect, TextItem,
};

/// BIZ UDGothic Regular (SIL Open Font License, fonts/OFL.txt).
const FONT_BYTES: &[u8] = include_bytes!("../../fonts/BIZUDGothic-Regular.ttf");

/// One block of a simple document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The document's visible title: large and centred.
    Title(String),
    /// A section heading, underlined, kept on the same page as the first lines after it.
    Heading(String),
    /// Body text; `\n` starts a new line.
    Paragraph(String),
    /// Label/value rows in a ruled two-column table; long values wrap inside their cell and an
    /// empty value leaves a blank cell (e.g. for a signature).
    Table(Vec<(String, String)>),
    /// Large text, centred in a box, e.g. a recovery key (the font's Latin letters and digits
    /// are all the same width, so it reads like a monospace face).
    Big(String),
    /// Vertical space in millimetres; a spacer that does not fit ends the page.
    Spacer(f32),
}

/// A simple document: see the [module documentation](self) for the layout.
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleDoc {
    /// The title in the PDF's metadata (the viewer's window title); not printed: use
    /// [`Block::Title`] for a visible title.
    pub title: String,
    /// The content, top to bottom.
    pub blocks: Vec<Block>,
    /// Small text at the bottom of every page, next to the page number.
    pub footer: Option<String>,
}

/// Why a document could not be made into a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The text holds characters the embedded font cannot print (listed once each).
    #[error("PDF に印字できない文字があります（フォントに字形がありません）: {}", describe_chars(.0))]
    MissingGlyphs(Vec<char>),
    /// The embedded font could not be read (a defect of the build, not of the data).
    #[error("PDF 用のフォントを読み込めませんでした")]
    Font,
    /// printpdf reported an error while writing the file.
    #[error("PDF を作成できませんでした: {0}")]
    Write(String),
}

fn describe_chars(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("{c}（U+{:04X}）", u32::from(*c)))
        .collect::<Vec<_>>()
        .join("、")
}

// ---------------------------------------------------------------------------------------------
// Page geometry and styles. Lengths are in points (1/72 inch) unless named `_MM`; y grows upwards
// from the bottom edge of the page, as in PDF.

const PT_PER_MM: f32 = 72.0 / 25.4;
const PAGE_WIDTH_MM: f32 = 210.0;
const PAGE_HEIGHT_MM: f32 = 297.0;
/// The margin on all four sides, in millimetres.
pub const MARGIN_MM: f32 = 20.0;
/// The width of the text area (A4 less both margins), in millimetres.
pub const CONTENT_WIDTH_MM: f32 = PAGE_WIDTH_MM - 2.0 * MARGIN_MM;

const LEFT: f32 = MARGIN_MM * PT_PER_MM;
const WIDTH: f32 = CONTENT_WIDTH_MM * PT_PER_MM;
const TOP: f32 = (PAGE_HEIGHT_MM - MARGIN_MM) * PT_PER_MM;
const BOTTOM: f32 = MARGIN_MM * PT_PER_MM;

/// A font size and its line height.
#[derive(Clone, Copy)]
struct Style {
    size: f32,
    line_height: f32,
}

impl Style {
    const fn new(size: f32, leading: f32) -> Style {
        Style {
            size,
            line_height: size * leading,
        }
    }

    /// From the top of a line box to the baseline: the em box centred in the line, with the
    /// ideographic baseline 0.12 em above the bottom of the em box.
    fn ascent(self) -> f32 {
        (self.line_height - self.size) / 2.0 + 0.88 * self.size
    }
}

const TITLE: Style = Style::new(18.0, 1.5);
const HEADING: Style = Style::new(13.0, 1.5);
const BODY: Style = Style::new(10.5, 1.7);
const CELL: Style = Style::new(10.5, 1.5);
const BIG: Style = Style::new(20.0, 1.5);
const FOOTER: Style = Style::new(8.5, 1.4);

const AFTER_TITLE: f32 = 5.0 * PT_PER_MM;
const BEFORE_HEADING: f32 = 4.0 * PT_PER_MM;
const AFTER_HEADING: f32 = 2.0 * PT_PER_MM;
const AFTER_PARAGRAPH: f32 = 2.5 * PT_PER_MM;
const AFTER_TABLE: f32 = 3.0 * PT_PER_MM;
const AFTER_BIG: f32 = 3.0 * PT_PER_MM;
const CELL_PAD_X: f32 = 2.0 * PT_PER_MM;
const CELL_PAD_Y: f32 = 1.2 * PT_PER_MM;
const BIG_PAD_X: f32 = 6.0 * PT_PER_MM;
const BIG_PAD_Y: f32 = 4.0 * PT_PER_MM;
/// Table label column: as wide as the longest label, within these fractions of the width.
const LABEL_MIN: f32 = 0.2 * WIDTH;
const LABEL_MAX: f32 = 0.4 * WIDTH;
/// Room kept free for "n / m" to the right of the footer text.
const PAGE_NUMBER_ROOM: f32 = 22.0 * PT_PER_MM;
const FOOTER_GAP: f32 = 4.0 * PT_PER_MM;
const RULE_WIDTH: f32 = 0.5;
const RULE_GREY: f32 = 0.45;
const LABEL_GREY: f32 = 0.92;

// ---------------------------------------------------------------------------------------------
// The font, parsed once.

struct Font {
    parsed: ParsedFont,
    units_per_em: f32,
    /// Glyph ids of the Basic Multilingual Plane, looked up once each (the font's cmap lookup
    /// is a slow scan and batches of letters measure millions of characters): 0 not yet
    /// looked up, otherwise the glyph id + 1 (glyph 0 meaning none).
    bmp: Box<[AtomicU32]>,
}

impl Font {
    fn glyph(&self, c: char) -> Option<u16> {
        let lookup = || {
            self.parsed
                .lookup_glyph_index(u32::from(c))
                .filter(|&gid| gid != 0)
        };
        let Some(slot) = self.bmp.get(u32::from(c) as usize) else {
            return lookup();
        };
        match slot.load(Ordering::Relaxed) {
            0 => {
                let gid = lookup();
                slot.store(u32::from(gid.unwrap_or(0)) + 1, Ordering::Relaxed);
                gid
            }
            v => u16::try_from(v - 1).ok().filter(|&gid| gid != 0),
        }
    }

    /// The advance of `c` in ems (that of the .notdef glyph if the font lacks `c`).
    fn advance(&self, c: char) -> f32 {
        let gid = self.glyph(c).unwrap_or(0);
        f32::from(self.parsed.get_horizontal_advance(gid)) / self.units_per_em
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }
}

fn font() -> Option<&'static Font> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| {
        let parsed = ParsedFont::from_bytes(FONT_BYTES, 0, &mut Vec::new())?;
        let units_per_em = f32::from(parsed.font_metrics.units_per_em.max(1));
        Some(Font {
            parsed,
            units_per_em,
            bmp: (0..0x1_0000).map(|_| AtomicU32::new(0)).collect(),
        })
    })
    .as_ref()
}

/// The advance of `c` in ems; 1 em for everything should the font ever fail to load (then
/// [`render`] fails anyway).
fn advance_em(c: char) -> f32 {
    font().map_or(1.0, |f| f.advance(c))
}

// ---------------------------------------------------------------------------------------------
// Public helpers.

/// Characters of `text` that the embedded font has no glyph for, each once, in order of first
/// appearance (line breaks are not counted). Callers can report them before printing; [`render`]
/// refuses a document that has any.
pub fn missing_glyphs(text: &str) -> Vec<char> {
    let font = font();
    let mut missing = Vec::new();
    for c in text.chars() {
        if matches!(c, '\n' | '\r') || missing.contains(&c) {
            continue;
        }
        if font.and_then(|f| f.glyph(c)).is_none() {
            missing.push(c);
        }
    }
    missing
}

/// The printed width of `text` on one line, in millimetres, at `font_size_pt`.
pub fn text_width_mm(text: &str, font_size_pt: f32) -> f32 {
    text.chars().map(advance_em).sum::<f32>() * font_size_pt / PT_PER_MM
}

/// Breaks `text` into lines no wider than `width_mm` at `font_size_pt`, the way [`render`]
/// does (see the [module documentation](self) for the rules). `\n` forces a break; spaces at a
/// wrap are dropped. A single character wider than the line gets a line of its own, and a run
/// with no allowed break point (a long ASCII word, a row of `。`) is cut where it overflows.
pub fn break_lines(text: &str, width_mm: f32, font_size_pt: f32) -> Vec<String> {
    wrap(text, width_mm * PT_PER_MM / font_size_pt, &advance_em)
}

/// Never at the start of a line: closing punctuation and brackets, iteration and prolonged
/// sound marks, small kana.
const NO_LINE_START: &str = "、。，．・：；！？」』）〕】〉》”’ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.:;!?)]}";
/// Never at the end of a line: opening brackets.
const NO_LINE_END: &str = "「『（〔【〈《“‘([{";

/// Characters that belong to the one before: combining marks, variation selectors, ZWJ.
fn joins_previous(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{3099}'
            | '\u{309A}'
            | '\u{200D}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// A digit as addresses write it: ASCII, full-width or a kanji numeral.
fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || "〇一二三四五六七八九十百千".contains(c)
}

/// A dash that joins the parts of a 番地 (1-11-2, １－１１－２).
fn is_banchi_dash(c: char) -> bool {
    matches!(c, '-' | '－' | '‐' | '−' | 'ー' | '―')
}

/// Whether the break between `a` and `b` would cut a number or a 番地 token: inside a run of
/// digits (「３０５」), between a number and its unit (「３０５号室」, 「一丁目」), or at a dash
/// between numbers (「1-11-2」). An address line never breaks there (issue 13: 「メゾン３０」
/// / 「５号室」).
fn inside_number(before: Option<char>, a: char, b: char, after: Option<char>) -> bool {
    const UNITS: &str = "丁目番地号室階棟条線";
    (is_number_char(a) && (is_number_char(b) || UNITS.contains(b)))
        || (UNITS.contains(a) && UNITS.contains(b) && before.is_some_and(is_number_char))
        || (is_banchi_dash(b) && is_number_char(a) && after.is_some_and(is_number_char))
        || (is_banchi_dash(a) && is_number_char(b) && before.is_some_and(is_number_char))
}

/// Whether a line may break between `a` and `b` (`before` precedes `a`).
fn can_break(before: Option<char>, a: char, b: char) -> bool {
    if NO_LINE_START.contains(b) || NO_LINE_END.contains(a) || joins_previous(b) {
        return false;
    }
    if a.is_ascii_graphic() && b.is_ascii_graphic() {
        return match a {
            '/' | '\\' => true,
            '-' => b.is_ascii_alphanumeric() && before.is_some_and(|p| p.is_ascii_alphanumeric()),
            _ => false,
        };
    }
    true
}

/// Whether a line may break before `chars[i]` (`i > 0`). Spaces at a break are dropped, so
/// next to spaces the rules apply to the nearest other characters.
fn break_before(chars: &[char], i: usize) -> bool {
    let (a, b) = (chars[i - 1], chars[i]);
    if a != ' '
        && b != ' '
        && inside_number(
            i.checked_sub(2).map(|p| chars[p]),
            a,
            b,
            chars.get(i + 1).copied(),
        )
    {
        return false;
    }
    if a != ' ' && b != ' ' {
        return can_break(i.checked_sub(2).map(|p| chars[p]), a, b);
    }
    let before = chars[..i].iter().rev().find(|&&c| c != ' ');
    let after = chars[i..].iter().find(|&&c| c != ' ');
    !before.is_some_and(|&c| NO_LINE_END.contains(c))
        && !after.is_some_and(|&c| NO_LINE_START.contains(c) || joins_previous(c))
}

#[cfg(test)]
mod number_breaks {
    #[test]
    fn an_address_line_never_breaks_inside_a_number_or_a_banchi_token() {
        // issue 13: the letter's address block broke 「メゾン３０」/「５号室」.
        let text = "東京都港区赤坂一丁目１１番２号メゾン３０５号室";
        for max in 8..24 {
            let lines = super::wrap(text, max as f32, &|_| 1.0);
            for pair in lines.windows(2) {
                let (end, start) = (
                    pair[0].chars().last().unwrap(),
                    pair[1].chars().next().unwrap(),
                );
                let cut = super::inside_number(None, end, start, None)
                    || (super::is_number_char(end) && super::is_number_char(start));
                assert!(!cut, "{max}: {lines:?}");
            }
        }
        let lines = super::wrap("港区赤坂1-11-2", 8.0, &|c| {
            if c.is_ascii() { 0.5 } else { 1.0 }
        });
        assert!(lines.iter().any(|l| l.contains("1-11-2")), "{lines:?}");
    }
}

/// Greedy line breaking; `max` and `advance` are in ems.
fn wrap(text: &str, max: f32, advance: &dyn Fn(char) -> f32) -> Vec<String> {
    const TOLERANCE: f32 = 1e-4;
    let mut lines = Vec::new();
    for segment in text.split('\n') {
        let chars: Vec<char> = segment
            .strip_suffix('\r')
            .unwrap_or(segment)
            .chars()
            .collect();
        let mut start = 0;
        loop {
            let mut width = 0.0;
            let mut last_break = None;
            let mut end = chars.len();
            for i in start..chars.len() {
                let c = chars[i];
                if i > start && break_before(&chars, i) {
                    last_break = Some(i);
                }
                width += advance(c);
                // Spaces may hang past the edge: they are dropped at the break.
                if width > max + TOLERANCE && i > start && c != ' ' {
                    end = last_break.unwrap_or(i);
                    break;
                }
            }
            lines.push(
                chars[start..end]
                    .iter()
                    .collect::<String>()
                    .trim_end_matches(' ')
                    .to_string(),
            );
            if end == chars.len() {
                break;
            }
            start = end;
            while start < chars.len() && chars[start] == ' ' {
                start += 1;
            }
            if start == chars.len() {
                break;
            }
        }
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// Layout: blocks to positioned items, page by page.

enum Item {
    /// Text with its baseline starting at (x, y).
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    /// A filled grey rectangle.
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        grey: f32,
    },
    /// A ruled rectangle.
    Frame { x: f32, y: f32, w: f32, h: f32 },
    /// A horizontal rule.
    Rule { x1: f32, x2: f32, y: f32 },
}

/// One column of a boxed row.
struct Cell {
    x: f32,
    w: f32,
    pad_x: f32,
    lines: Vec<String>,
    centred: bool,
    fill: Option<f32>,
}

struct Layout<'f> {
    font: &'f Font,
    pages: Vec<Vec<Item>>,
    /// The top of the free space on the current page.
    y: f32,
    /// The lowest point body content may reach (above the footer).
    bottom: f32,
}

impl<'f> Layout<'f> {
    fn new(font: &'f Font, bottom: f32) -> Layout<'f> {
        Layout {
            font,
            pages: vec![Vec::new()],
            y: TOP,
            bottom,
        }
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        self.y >= TOP - 0.01
    }

    fn fits(&self, h: f32) -> bool {
        self.y - h >= self.bottom - 0.01
    }

    /// Starts a new page unless `h` fits or the page is still empty.
    fn ensure(&mut self, h: f32) {
        if !self.fits(h) && !self.at_top() {
            self.new_page();
        }
    }

    /// Space between blocks: none at the top of a page.
    fn gap(&mut self, h: f32) {
        if !self.at_top() {
            self.y -= h;
        }
    }

    fn wrap(&self, text: &str, width: f32, style: Style) -> Vec<String> {
        wrap(text, width / style.size, &|c| self.font.advance(c))
    }

    fn lines(&mut self, text: &str, style: Style, centred: bool) {
        for line in self.wrap(text, WIDTH, style) {
            self.ensure(style.line_height);
            let x = if centred {
                LEFT + (WIDTH - self.font.width(&line, style.size)).max(0.0) / 2.0
            } else {
                LEFT
            };
            let y = self.y - style.ascent();
            self.text(x, y, style.size, line);
            self.y -= style.line_height;
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, text: String) {
        if !text.is_empty() {
            self.push(Item::Text { x, y, size, text });
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Title(text) => {
                self.lines(text, TITLE, true);
                self.y -= AFTER_TITLE;
            }
            Block::Heading(text) => {
                self.gap(BEFORE_HEADING);
                let lines = self.wrap(text, WIDTH, HEADING).len() as f32;
                // Keep the heading with two lines of what follows.
                self.ensure(lines * HEADING.line_height + AFTER_HEADING + 2.0 * BODY.line_height);
                self.lines(text, HEADING, false);
                let y = self.y + 0.5 * (HEADING.line_height - HEADING.size) - 1.0;
                self.push(Item::Rule {
                    x1: LEFT,
                    x2: LEFT + WIDTH,
                    y,
                });
                self.y -= AFTER_HEADING;
            }
            Block::Paragraph(text) => {
                self.lines(text, BODY, false);
                self.y -= AFTER_PARAGRAPH;
            }
            Block::Table(rows) => self.table(rows),
            Block::Big(text) => {
                let lines = self.wrap(text, WIDTH - 2.0 * BIG_PAD_X, BIG);
                let mut cells = [Cell {
                    x: LEFT,
                    w: WIDTH,
                    pad_x: BIG_PAD_X,
                    lines,
                    centred: true,
                    fill: None,
                }];
                self.row(&mut cells, BIG, BIG_PAD_Y);
                self.y -= AFTER_BIG;
            }
            Block::Spacer(mm) => {
                let h = if mm.is_finite() {
                    mm.max(0.0) * PT_PER_MM
                } else {
                    0.0
                };
                if self.fits(h) {
                    self.y -= h;
                } else {
                    self.new_page();
                }
            }
        }
    }

    fn table(&mut self, rows: &[(String, String)]) {
        let widest = rows
            .iter()
            .map(|(label, _)| self.font.width(label, CELL.size))
            .fold(0.0, f32::max);
        let label_w = (widest + 2.0 * CELL_PAD_X).clamp(LABEL_MIN, LABEL_MAX);
        for (label, value) in rows {
            let mut cells = [
                Cell {
                    x: LEFT,
                    w: label_w,
                    pad_x: CELL_PAD_X,
                    lines: self.wrap(label, label_w - 2.0 * CELL_PAD_X, CELL),
                    centred: false,
                    fill: Some(LABEL_GREY),
                },
                Cell {
                    x: LEFT + label_w,
                    w: WIDTH - label_w,
                    pad_x: CELL_PAD_X,
                    lines: self.wrap(value, WIDTH - label_w - 2.0 * CELL_PAD_X, CELL),
                    centred: false,
                    fill: None,
                },
            ];
            self.row(&mut cells, CELL, CELL_PAD_Y);
        }
        self.y -= AFTER_TABLE;
    }

    /// A row of framed cells side by side. It moves to the next page whole if it does not fit;
    /// a row taller than a page is split between lines.
    fn row(&mut self, cells: &mut [Cell], style: Style, pad_y: f32) {
        let total = cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut first = 0;
        while first < total {
            let room = ((self.y - self.bottom - 2.0 * pad_y) / style.line_height + 0.001).floor();
            let rest = total - first;
            let take = if room >= rest as f32 {
                rest
            } else if !self.at_top() {
                self.new_page();
                continue;
            } else {
                (room.max(1.0) as usize).min(rest)
            };
            let h = take as f32 * style.line_height + 2.0 * pad_y;
            let top = self.y;
            for cell in cells.iter() {
                if let Some(grey) = cell.fill {
                    self.push(Item::Fill {
                        x: cell.x,
                        y: top - h,
                        w: cell.w,
                        h,
                        grey,
                    });
                }
            }
            for cell in cells.iter_mut() {
                for (i, line) in cell.lines.iter_mut().skip(first).take(take).enumerate() {
                    let line = std::mem::take(line);
                    let x = if cell.centred {
                        cell.x + (cell.w - self.font.width(&line, style.size)).max(0.0) / 2.0
                    } else {
                        cell.x + cell.pad_x
                    };
                    let y = top - pad_y - i as f32 * style.line_height - style.ascent();
                    self.text(x, y, style.size, line);
                }
            }
            for cell in cells.iter() {
                self.push(Item::Frame {
                    x: cell.x,
                    y: top - h,
                    w: cell.w,
                    h,
                });
            }
            self.y -= h;
            first += take;
        }
    }
}

/// The footer lines (at least one, for the page number) and the height they take.
fn footer_lines(font: &Font, footer: Option<&str>) -> Vec<String> {
    let mut lines = footer
        .map(|f| {
            wrap(f, (WIDTH - PAGE_NUMBER_ROOM) / FOOTER.size, &|c| {
                font.advance(c)
            })
        })
        .unwrap_or_default();
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Lays `doc` out: the items of each page, footers included.
fn layout(doc: &SimpleDoc, font: &Font) -> Vec<Vec<Item>> {
    let footer = footer_lines(font, doc.footer.as_deref());
    let footer_top = BOTTOM + footer.len() as f32 * FOOTER.line_height;
    let mut layout = Layout::new(font, footer_top + FOOTER_GAP);
    for block in &doc.blocks {
        layout.block(block);
    }
    let mut pages = layout.pages;
    let count = pages.len();
    for (n, page) in pages.iter_mut().enumerate() {
        page.push(Item::Rule {
            x1: LEFT,
            x2: LEFT + WIDTH,
            y: footer_top + FOOTER_GAP / 2.0,
        });
        for (i, line) in footer.iter().enumerate() {
            if !line.is_empty() {
                page.push(Item::Text {
                    x: LEFT,
                    y: footer_top - i as f32 * FOOTER.line_height - FOOTER.ascent(),
                    size: FOOTER.size,
                    text: line.clone(),
                });
            }
        }
        let number = format!("{} / {}", n + 1, count);
        page.push(Item::Text {
            x: LEFT + WIDTH - font.width(&number, FOOTER.size),
            y: footer_top - FOOTER.ascent(),
            size: FOOTER.size,
            text: number,
        });
    }
    pages
}

// ---------------------------------------------------------------------------------------------
// PDF output.

fn point(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale::new(level, None))
}

fn ops(items: Vec<Item>, font_id: &FontId, font: &Font) -> Vec<Op> {
    let mut ops = vec![
        Op::SetOutlineThickness { pt: Pt(RULE_WIDTH) },
        Op::SetOutlineColor {
            col: grey(RULE_GREY),
        },
    ];
    for item in items {
        match item {
            Item::Text { x, y, size, text } => ops.extend([
                Op::StartTextSection,
                Op::SetFont {
                    font: PdfFontHandle::External(font_id.clone()),
                    size: Pt(size),
                },
                Op::SetTextCursor { pos: point(x, y) },
                // Glyph ids from our cached lookup: printpdf would otherwise look every
                // character up again in the font's slow cmap (most of the time of a batch).
                Op::ShowText {
                    items: vec![TextItem::GlyphIds(
                        text.chars()
                            .map(|c| Codepoint {
                                gid: font.glyph(c).unwrap_or(0),
                                offset: 0.0,
                                cid: Some(c.to_string()),
                            })
                            .collect(),
                    )],
                },
                Op::EndTextSection,
            ]),
            Item::Fill {
                x,
                y,
                w,
                h,
                grey: level,
            } => ops.extend([
                Op::SaveGraphicsState,
                Op::SetFillColor { col: grey(level) },
                Op::DrawRectangle {
                    rectangle: Rect {
                        mode: Some(PaintMode::Fill),
                        ..Rect::from_xywh(Pt(x), Pt(y), Pt(w), Pt(h))
                    },
                },
                Op::RestoreGraphicsState,
            ]),
            Item::Frame { x, y, w, h } => ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    mode: Some(PaintMode::Stroke),
                    ..Rect::from_xywh(Pt(x), Pt(y), Pt(w), Pt(h))
                },
            }),
            Item::Rule { x1, x2, y } => ops.push(Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: point(x1, y),
                            bezier: false,
                        },
                        LinePoint {
                            p: point(x2, y),
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            }),
        }
    }
    ops
}

/// Every piece of text `doc` prints.
fn printed_text(doc: &SimpleDoc) -> String {
    let mut all = String::new();
    for block in &doc.blocks {
        match block {
            Block::Title(t) | Block::Heading(t) | Block::Paragraph(t) | Block::Big(t) => {
                all.push_str(t);
            }
            Block::Table(rows) => {
                for (label, value) in rows {
                    all.push_str(label);
                    all.push_str(value);
                }
            }
            Block::Spacer(_) => {}
        }
    }
    all.push_str(doc.footer.as_deref().unwrap_or_default());
    all
}

/// Renders `doc` to the bytes of a PDF file: A4 portrait, 20 mm margins, BIZ UDGothic embedded
/// as a subset, lines broken to the page width with simple kinsoku, new pages as needed, and a
/// footer with the page number "n / m" on every page.
///
/// Fails with [`PdfError::MissingGlyphs`] if the text holds characters the font cannot print.
pub fn render(doc: &SimpleDoc) -> Result<Vec<u8>, PdfError> {
    let font = font().ok_or(PdfError::Font)?;
    let missing = missing_glyphs(&printed_text(doc));
    if !missing.is_empty() {
        return Err(PdfError::MissingGlyphs(missing));
    }

    write(&doc.title, layout(doc, font), font)
}

/// Writes laid-out pages (items in points) to the bytes of a PDF file with the font embedded
/// as a subset.
fn write(title: &str, pages: Vec<Vec<Item>>, font: &Font) -> Result<Vec<u8>, PdfError> {
    let (mut doc, options) = document(title, pages, font)?;
    if options.optimize {
        doc.compress();
    }
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(bytes)
}

/// The PDF document for laid-out pages, before compression, and the save options.
fn document(
    title: &str,
    pages: Vec<Vec<Item>>,
    font: &Font,
) -> Result<(lopdf::Document, PdfSaveOptions), PdfError> {
    let mut pdf = PdfDocument::new(title);
    let now = OffsetDateTime::now_utc();
    pdf.metadata.info.creation_date = now;
    pdf.metadata.info.modification_date = now;
    pdf.metadata.info.metadata_date = now;
    pdf.metadata.info.creator = "totsugo".into();
    let font_id = pdf.add_font(&font.parsed);
    let pages = pages
        .into_iter()
        .map(|items| {
            PdfPage::new(
                Mm(PAGE_WIDTH_MM),
                Mm(PAGE_HEIGHT_MM),
                ops(items, &font_id, font),
            )
        })
        .collect();
    let options = PdfSaveOptions {
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    let mut warnings = Vec::new();
    let doc = pdf
        .with_pages(pages)
        .to_lopdf_document(&options, &mut warnings);
    let errors: Vec<String> = warnings
        .into_iter()
        .filter(|w| w.severity == PdfParseErrorSeverity::Error)
        .map(|w| w.msg)
        .collect();
    if !errors.is_empty() {
        return Err(PdfError::Write(errors.join("; ")));
    }
    Ok((doc, options))
}

// ---------------------------------------------------------------------------------------------
// Pages laid out by hand: absolutely positioned text and rules, e.g. letters.

/// A rectangle on an A4 page in millimetres, measured from the top-left corner of the page
/// (x to the right, y downwards), as a ruler on the printed sheet would read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxMm {
    /// Distance of the left edge from the left edge of the page.
    pub x: f32,
    /// Distance of the top edge from the top edge of the page.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl BoxMm {
    /// The right edge.
    pub fn right(&self) -> f32 {
        self.x + self.w
    }

    /// The bottom edge.
    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }

    /// Whether `other` lies wholly inside this box (edges included, 0.01 mm tolerance).
    pub fn contains(&self, other: &BoxMm) -> bool {
        const EPS: f32 = 0.01;
        other.x >= self.x - EPS
            && other.y >= self.y - EPS
            && other.right() <= self.right() + EPS
            && other.bottom() <= self.bottom() + EPS
    }
}

/// Horizontal alignment of a line of text placed with [`Page::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `x` is the left edge of the text.
    Left,
    /// `x` is the centre of the text.
    Centre,
    /// `x` is the right edge of the text.
    Right,
}

/// One A4 portrait page whose content is placed at absolute positions (millimetres from the
/// top-left corner), in the same embedded font as [`render`]. Nothing is wrapped unless asked
/// ([`Page::paragraph`]); the caller keeps the content inside the page. Render pages with
/// [`render_pages`].
#[derive(Default)]
pub struct Page {
    items: Vec<Item>,
    text: String,
}

/// The height of a line of text at `size_pt` with the em box as line box, in millimetres.
fn em_mm(size_pt: f32) -> f32 {
    size_pt / PT_PER_MM
}

impl Page {
    /// An empty page.
    pub fn new() -> Page {
        Page::default()
    }

    /// One line of text whose em box has its top at `top_mm`, aligned on `x_mm` as `align`
    /// says. Returns the box the text takes (its em box: width of the advances, height of one
    /// em).
    pub fn text(
        &mut self,
        x_mm: f32,
        top_mm: f32,
        size_pt: f32,
        align: Align,
        text: &str,
    ) -> BoxMm {
        let w = text_width_mm(text, size_pt);
        let x = match align {
            Align::Left => x_mm,
            Align::Centre => x_mm - w / 2.0,
            Align::Right => x_mm - w,
        };
        if !text.is_empty() {
            self.text.push_str(text);
            self.items.push(Item::Text {
                x: x * PT_PER_MM,
                y: (PAGE_HEIGHT_MM - top_mm) * PT_PER_MM - 0.88 * size_pt,
                size: size_pt,
                text: text.to_string(),
            });
        }
        BoxMm {
            x,
            y: top_mm,
            w,
            h: em_mm(size_pt),
        }
    }

    /// Text broken into lines no wider than `width_mm` (see [`break_lines`]), the first line's
    /// em box at `top_mm`, lines `line_height_mm` apart. Returns the box of each line; the
    /// next free position below is `top_mm + lines × line_height_mm`.
    pub fn paragraph(
        &mut self,
        x_mm: f32,
        top_mm: f32,
        width_mm: f32,
        size_pt: f32,
        line_height_mm: f32,
        text: &str,
    ) -> Vec<BoxMm> {
        break_lines(text, width_mm, size_pt)
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let top = top_mm + i as f32 * line_height_mm;
                self.text(x_mm, top, size_pt, Align::Left, line)
            })
            .collect()
    }

    /// A ruled rectangle (0.5 pt, grey).
    pub fn frame(&mut self, b: BoxMm) {
        self.items.push(Item::Frame {
            x: b.x * PT_PER_MM,
            y: (PAGE_HEIGHT_MM - b.bottom()) * PT_PER_MM,
            w: b.w * PT_PER_MM,
            h: b.h * PT_PER_MM,
        });
    }

    /// A filled rectangle, `grey` from 0 (black) to 1 (white). Draw it before the text on it.
    pub fn fill(&mut self, b: BoxMm, grey: f32) {
        self.items.push(Item::Fill {
            x: b.x * PT_PER_MM,
            y: (PAGE_HEIGHT_MM - b.bottom()) * PT_PER_MM,
            w: b.w * PT_PER_MM,
            h: b.h * PT_PER_MM,
            grey,
        });
    }

    /// A horizontal rule from `x1_mm` to `x2_mm` at `y_mm`; `dash_mm` makes it a dashed line
    /// (dashes and gaps of that length), e.g. a cut line.
    pub fn rule(&mut self, x1_mm: f32, x2_mm: f32, y_mm: f32, dash_mm: Option<f32>) {
        let y = (PAGE_HEIGHT_MM - y_mm) * PT_PER_MM;
        match dash_mm.filter(|d| *d > 0.1) {
            None => self.items.push(Item::Rule {
                x1: x1_mm * PT_PER_MM,
                x2: x2_mm * PT_PER_MM,
                y,
            }),
            Some(d) => {
                let mut x = x1_mm;
                while x < x2_mm {
                    self.items.push(Item::Rule {
                        x1: x * PT_PER_MM,
                        x2: (x + d).min(x2_mm) * PT_PER_MM,
                        y,
                    });
                    x += 2.0 * d;
                }
            }
        }
    }

    /// Adds everything drawn on `other` on top of this page.
    pub fn extend(&mut self, other: Page) {
        self.items.extend(other.items);
        self.text.push_str(&other.text);
    }

    /// Every character printed on the page, run together.
    pub fn printed_text(&self) -> &str {
        &self.text
    }

    /// What is drawn on the page, in drawing order, in millimetres from the top-left corner:
    /// for a screen's picture of the page (e.g. the letter editor's preview).
    pub fn shapes(&self) -> Vec<Shape> {
        let mm = |pt: f32| pt / PT_PER_MM;
        let top = |y_pt: f32| PAGE_HEIGHT_MM - mm(y_pt);
        self.items
            .iter()
            .map(|item| match item {
                Item::Text { x, y, size, text } => Shape::Text {
                    x: mm(*x),
                    // The baseline sits 0.88 em below the em box's top (see `Page::text`).
                    top: top(*y + 0.88 * size),
                    size_pt: *size,
                    text: text.clone(),
                },
                Item::Fill { x, y, w, h, grey } => Shape::Fill {
                    rect: BoxMm {
                        x: mm(*x),
                        y: top(*y + *h),
                        w: mm(*w),
                        h: mm(*h),
                    },
                    grey: *grey,
                },
                Item::Frame { x, y, w, h } => Shape::Frame(BoxMm {
                    x: mm(*x),
                    y: top(*y + *h),
                    w: mm(*w),
                    h: mm(*h),
                }),
                Item::Rule { x1, x2, y } => Shape::Rule {
                    x1: mm(*x1),
                    x2: mm(*x2),
                    y: top(*y),
                },
            })
            .collect()
    }
}

/// One thing drawn on a [`Page`], in millimetres from the top-left corner of the A4 sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// One line of text: its left edge, the top of its em box, its size.
    Text {
        /// Left edge.
        x: f32,
        /// Top of the em box.
        top: f32,
        /// Font size in points.
        size_pt: f32,
        /// The text.
        text: String,
    },
    /// A filled rectangle, `grey` from 0 (black) to 1 (white).
    Fill {
        /// The rectangle.
        rect: BoxMm,
        /// The grey level.
        grey: f32,
    },
    /// A ruled rectangle.
    Frame(BoxMm),
    /// A horizontal rule.
    Rule {
        /// Left end.
        x1: f32,
        /// Right end.
        x2: f32,
        /// Height on the page.
        y: f32,
    },
}

/// Renders pages that share fixed content: each page of `pages` is drawn on top of the
/// template it names (an index into `templates`), and each template's content is stored once
/// in the file, however many pages use it (a batch of 10,000 letters of two types holds the
/// letters' fixed text twice, not 10,000 times). The templates are not pages of their own.
///
/// Fails like [`render_pages`]; an index without a template is an error too.
pub fn render_templated(
    title: &str,
    templates: Vec<Page>,
    pages: Vec<(usize, Page)>,
) -> Result<Vec<u8>, PdfError> {
    let font = font().ok_or(PdfError::Font)?;
    let mut missing: Vec<char> = Vec::new();
    for page in templates.iter().chain(pages.iter().map(|(_, p)| p)) {
        for c in missing_glyphs(&page.text) {
            if !missing.contains(&c) {
                missing.push(c);
            }
        }
    }
    if !missing.is_empty() {
        return Err(PdfError::MissingGlyphs(missing));
    }
    let n_templates = templates.len();
    if pages.iter().any(|(t, _)| *t >= n_templates) {
        return Err(PdfError::Write("テンプレートの指定が不正です".into()));
    }
    let uses: Vec<usize> = pages.iter().map(|(t, _)| *t).collect();
    // The templates go first as pages of their own, so that printpdf subsets and encodes
    // their glyphs; their content streams are then moved under the pages that use them.
    let all = templates
        .into_iter()
        .map(|p| p.items)
        .chain(pages.into_iter().map(|(_, p)| p.items))
        .collect();
    let (mut doc, options) = document(title, all, font)?;
    share_templates(&mut doc, n_templates, &uses)
        .ok_or_else(|| PdfError::Write("テンプレートを共有できませんでした".into()))?;
    if options.optimize {
        doc.compress();
    }
    // Object streams (PDF 1.5) compress the page dictionaries too: a third of a small page.
    doc.version = "1.5".into();
    let mut bytes = Vec::new();
    let save = lopdf::SaveOptions::builder()
        .use_object_streams(true)
        .use_xref_streams(true)
        .build();
    doc.save_with_options(&mut bytes, save)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(bytes)
}

/// Makes every page after the first `n_templates` draw its template's content stream first
/// (wrapped in `q`…`Q`), then removes the template pages from the page tree.
fn share_templates(doc: &mut lopdf::Document, n_templates: usize, uses: &[usize]) -> Option<()> {
    use lopdf::Object;
    let page_ids: Vec<lopdf::ObjectId> = doc.get_pages().into_values().collect();
    let contents_of = |doc: &lopdf::Document, id| -> Option<lopdf::ObjectId> {
        doc.get_dictionary(id)
            .ok()?
            .get(b"Contents")
            .ok()?
            .as_reference()
            .ok()
    };
    let mut streams = Vec::with_capacity(n_templates);
    for &id in page_ids.get(..n_templates)? {
        let stream_id = contents_of(doc, id)?;
        let stream = doc.get_object_mut(stream_id).ok()?.as_stream_mut().ok()?;
        let mut content = b"q\n".to_vec();
        content.extend_from_slice(&stream.content);
        content.extend_from_slice(b"\nQ\n");
        stream.set_content(content);
        streams.push(stream_id);
    }
    // Every page's resources are the same (the document-wide font, XObject… dictionaries):
    // one dictionary serves them all.
    let resources_of = |doc: &lopdf::Document, id| -> Option<lopdf::ObjectId> {
        doc.get_dictionary(id)
            .ok()?
            .get(b"Resources")
            .ok()?
            .as_reference()
            .ok()
    };
    let shared = resources_of(doc, *page_ids.get(n_templates)?)?;
    for (&id, &t) in page_ids.get(n_templates..)?.iter().zip(uses) {
        let own = contents_of(doc, id)?;
        let resources = resources_of(doc, id)?;
        let page = doc.get_dictionary_mut(id).ok()?;
        page.set(
            "Contents",
            Object::Array(vec![Object::Reference(streams[t]), Object::Reference(own)]),
        );
        if resources != shared {
            page.set("Resources", Object::Reference(shared));
            doc.objects.remove(&resources);
        }
    }
    let pages_id = doc
        .get_dictionary(*page_ids.first()?)
        .ok()?
        .get(b"Parent")
        .ok()?
        .as_reference()
        .ok()?;
    let kids: Vec<Object> = page_ids[n_templates..]
        .iter()
        .map(|id| Object::Reference(*id))
        .collect();
    let count = kids.len() as i64;
    let pages = doc.get_dictionary_mut(pages_id).ok()?;
    pages.set("Kids", Object::Array(kids));
    pages.set("Count", Object::Integer(count));
    for &id in &page_ids[..n_templates] {
        if let Some(res) = doc
            .get_dictionary(id)
            .ok()
            .and_then(|d| d.get(b"Resources").ok())
            .and_then(|r| r.as_reference().ok())
        {
            doc.objects.remove(&res);
        }
        doc.objects.remove(&id);
    }
    Some(())
}

/// Renders hand-laid-out pages to the bytes of one PDF file: A4 portrait, BIZ UDGothic embedded
/// as a subset. `title` goes into the metadata only.
///
/// Fails with [`PdfError::MissingGlyphs`] if any page holds characters the font cannot print.
pub fn render_pages(title: &str, pages: Vec<Page>) -> Result<Vec<u8>, PdfError> {
    let font = font().ok_or(PdfError::Font)?;
    let mut missing: Vec<char> = Vec::new();
    for page in &pages {
        for c in missing_glyphs(&page.text) {
            if !missing.contains(&c) {
                missing.push(c);
            }
        }
    }
    if !missing.is_empty() {
        return Err(PdfError::MissingGlyphs(missing));
    }
    write(title, pages.into_iter().map(|p| p.items).collect(), font)
}
