//! Receipt rendering: printed lines as text with their attributes (bold, underline, character
//! size, alignment), barcodes and QR codes as marked placeholder lines, and finished receipts
//! with a plain-text and an attribute-marked rendering.
//!
//! The marked rendering is what scenario expectations and snapshot tests read, one string per
//! line: an alignment mark `L|`, `C|` or `R|`, then the text, with every run that has attributes
//! wrapped as `{b u 2x2}TOTAL{/}` (`b` bold, `u` underline, `WxH` character size when not 1×1).
//! A literal `{` in printed text is doubled (`{{`). Barcodes read `[BARCODE EAN13 5901234123457]`
//! and QR codes `[QR https://pay.example/123]`.

use posrig_protocols::escpos::{Alignment, BarcodeKind};
use serde::Serialize;

/// Justification of a printed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Centre,
    Right,
}

impl From<Alignment> for Align {
    fn from(a: Alignment) -> Self {
        match a {
            Alignment::Left => Align::Left,
            Alignment::Centre => Align::Centre,
            Alignment::Right => Align::Right,
        }
    }
}

impl Align {
    fn mark(self) -> &'static str {
        match self {
            Align::Left => "L|",
            Align::Centre => "C|",
            Align::Right => "R|",
        }
    }
}

/// Character attributes of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Style {
    pub bold: bool,
    pub underline: bool,
    /// Horizontal magnification, 1..=8.
    pub width: u8,
    /// Vertical magnification, 1..=8.
    pub height: u8,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            bold: false,
            underline: false,
            width: 1,
            height: 1,
        }
    }
}

impl Style {
    fn tag(self) -> Option<String> {
        let mut parts = Vec::new();
        if self.bold {
            parts.push("b".to_owned());
        }
        if self.underline {
            parts.push("u".to_owned());
        }
        if (self.width, self.height) != (1, 1) {
            parts.push(format!("{}x{}", self.width, self.height));
        }
        (!parts.is_empty()).then(|| format!("{{{}}}", parts.join(" ")))
    }
}

/// A run of text printed with one style.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub text: String,
    #[serde(flatten)]
    pub style: Style,
}

/// One printed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RenderedLine {
    /// Text (possibly empty: a blank line fed).
    Text { align: Align, spans: Vec<Span> },
    /// A barcode, shown as its symbology and data.
    Barcode {
        align: Align,
        symbology: String,
        data: String,
    },
    /// A QR code, shown as its data.
    Qr { align: Align, data: String },
}

impl RenderedLine {
    /// A blank line.
    pub fn blank() -> Self {
        RenderedLine::Text {
            align: Align::Left,
            spans: Vec::new(),
        }
    }

    /// Paper rows the line takes, in text lines (the tallest character's magnification).
    pub fn height_lines(&self) -> u8 {
        match self {
            RenderedLine::Text { spans, .. } => {
                spans.iter().map(|s| s.style.height).max().unwrap_or(1)
            }
            RenderedLine::Barcode { .. } | RenderedLine::Qr { .. } => 1,
        }
    }

    /// The line as plain text on a `columns`-wide roll, aligned, without trailing spaces.
    pub fn plain(&self, columns: usize) -> String {
        let (align, text, width) = match self {
            RenderedLine::Text { align, spans } => {
                let text: String = spans.iter().map(|s| s.text.as_str()).collect();
                let width = spans
                    .iter()
                    .map(|s| s.text.chars().count() * usize::from(s.style.width))
                    .sum();
                (*align, text, width)
            }
            other => {
                let text = other.placeholder();
                let width = text.chars().count();
                (other.align(), text, width)
            }
        };
        let pad = match align {
            Align::Left => 0,
            Align::Centre => columns.saturating_sub(width) / 2,
            Align::Right => columns.saturating_sub(width),
        };
        let line = format!("{}{}", " ".repeat(pad), text);
        line.trim_end().to_owned()
    }

    /// The line with its attribute marks (see the module docs).
    pub fn marked(&self) -> String {
        let mut s = self.align().mark().to_owned();
        match self {
            RenderedLine::Text { spans, .. } => {
                for span in spans {
                    let text = span.text.replace('{', "{{");
                    match span.style.tag() {
                        Some(tag) => {
                            s.push_str(&tag);
                            s.push_str(&text);
                            s.push_str("{/}");
                        }
                        None => s.push_str(&text),
                    }
                }
            }
            other => s.push_str(&other.placeholder()),
        }
        s
    }

    fn align(&self) -> Align {
        match self {
            RenderedLine::Text { align, .. }
            | RenderedLine::Barcode { align, .. }
            | RenderedLine::Qr { align, .. } => *align,
        }
    }

    fn placeholder(&self) -> String {
        match self {
            RenderedLine::Text { .. } => String::new(),
            RenderedLine::Barcode {
                symbology, data, ..
            } => format!("[BARCODE {symbology} {data}]"),
            RenderedLine::Qr { data, .. } => format!("[QR {data}]"),
        }
    }
}

/// The name a barcode placeholder shows for a symbology.
pub fn symbology_name(kind: BarcodeKind) -> &'static str {
    match kind {
        BarcodeKind::UpcA => "UPCA",
        BarcodeKind::UpcE => "UPCE",
        BarcodeKind::Ean13 => "EAN13",
        BarcodeKind::Ean8 => "EAN8",
        BarcodeKind::Code39 => "CODE39",
        BarcodeKind::Itf => "ITF",
        BarcodeKind::Codabar => "CODABAR",
        BarcodeKind::Code93 => "CODE93",
        BarcodeKind::Code128 => "CODE128",
        BarcodeKind::Gs1_128 => "GS1-128",
        BarcodeKind::Gs1DataBarOmni => "DATABAR",
        BarcodeKind::Gs1DataBarTruncated => "DATABAR-T",
        BarcodeKind::Gs1DataBarLimited => "DATABAR-L",
        BarcodeKind::Gs1DataBarExpanded => "DATABAR-E",
        BarcodeKind::Code128Auto => "CODE128",
    }
}

/// How a receipt was separated from the roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CutKind {
    Full,
    Partial,
}

/// A finished receipt: everything printed between two cuts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// 1 for the first receipt since power-on, counting up.
    pub id: u64,
    pub cut: CutKind,
    /// Lines with attributes, as structured data.
    pub lines: Vec<RenderedLine>,
    /// One marked string per line (see the module docs).
    pub marked: Vec<String>,
    /// The receipt as plain text, one `\n`-terminated line per printed line.
    pub text: String,
}

impl Receipt {
    /// Render `lines` into a receipt on a `columns`-wide roll.
    pub fn new(id: u64, cut: CutKind, lines: Vec<RenderedLine>, columns: usize) -> Self {
        let marked = lines.iter().map(RenderedLine::marked).collect();
        let text = lines
            .iter()
            .map(|l| l.plain(columns) + "\n")
            .collect::<String>();
        Receipt {
            id,
            cut,
            lines,
            marked,
            text,
        }
    }
}

/// The line being composed: current character attributes, alignment and the text so far.
#[derive(Debug, Clone)]
pub struct LineBuilder {
    columns_font_a: usize,
    /// Emphasis from `ESC E`, or bit 3 of `ESC !`.
    pub bold: bool,
    pub underline: bool,
    pub width: u8,
    pub height: u8,
    pub font_b: bool,
    pub align: Align,
    /// Code page from `ESC t`.
    pub code_page: u8,
    spans: Vec<Span>,
    used: usize,
}

impl LineBuilder {
    /// An empty line with power-on attributes on a roll of `columns` Font A characters.
    pub fn new(columns: u8) -> Self {
        LineBuilder {
            columns_font_a: usize::from(columns),
            bold: false,
            underline: false,
            width: 1,
            height: 1,
            font_b: false,
            align: Align::Left,
            code_page: 0,
            spans: Vec::new(),
            used: 0,
        }
    }

    /// Back to power-on attributes with an empty line (`ESC @`).
    pub fn reset(&mut self) {
        *self = LineBuilder::new(self.columns_font_a as u8);
    }

    /// Characters per line in the current font.
    pub fn columns(&self) -> usize {
        if self.font_b {
            self.columns_font_a * 4 / 3
        } else {
            self.columns_font_a
        }
    }

    /// Whether nothing has been put on the line yet.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    fn style(&self) -> Style {
        Style {
            bold: self.bold,
            underline: self.underline,
            width: self.width,
            height: self.height,
        }
    }

    /// Add printable bytes; returns the lines that filled up and wrapped, as a printer does when
    /// its line buffer is full.
    pub fn push_bytes(&mut self, bytes: &[u8]) -> Vec<RenderedLine> {
        let mut wrapped = Vec::new();
        for &b in bytes {
            self.push_char(decode(self.code_page, b), &mut wrapped);
        }
        wrapped
    }

    /// `HT`: spaces up to the next tab stop (every 8 columns).
    pub fn tab(&mut self) -> Vec<RenderedLine> {
        let mut wrapped = Vec::new();
        let unit = usize::from(self.width);
        let target = (self.used / (8 * unit) + 1) * 8 * unit;
        while self.used < target.min(self.columns()) {
            self.push_char(' ', &mut wrapped);
        }
        wrapped
    }

    fn push_char(&mut self, c: char, wrapped: &mut Vec<RenderedLine>) {
        let w = usize::from(self.width);
        if self.used + w > self.columns() && !self.spans.is_empty() {
            wrapped.push(self.finish());
        }
        let style = self.style();
        match self.spans.last_mut() {
            Some(span) if span.style == style => span.text.push(c),
            _ => self.spans.push(Span {
                text: c.to_string(),
                style,
            }),
        }
        self.used += w;
    }

    /// End the line (a line feed) and start a new one with the same attributes.
    pub fn finish(&mut self) -> RenderedLine {
        self.used = 0;
        RenderedLine::Text {
            align: self.align,
            spans: std::mem::take(&mut self.spans),
        }
    }

    /// Drop the line's text (`DLE ENQ 2`), keeping attributes.
    pub fn clear(&mut self) {
        self.spans.clear();
        self.used = 0;
    }
}

/// The character a byte prints as in code page `n` (ESC t numbering): CP437 for 0, Latin-1
/// otherwise (exact for WPC1252's letters, close enough for CP850/858 in a simulator).
pub fn decode(code_page: u8, b: u8) -> char {
    if b < 0x80 {
        return char::from(b);
    }
    if code_page == 0 {
        CP437_HIGH[usize::from(b - 0x80)]
    } else {
        char::from(b)
    }
}

const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', 'É', 'æ', 'Æ',
    'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', 'á', 'í', 'ó', 'ú', 'ñ', 'Ñ',
    'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕',
    '╣', '║', '╗', '╝', '╜', '╛', '┐', '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦',
    '╠', '═', '╬', '╧', '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐',
    '▀', 'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', '≡', '±',
    '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_marked_per_run_and_alignment_pads_plain_text() {
        let mut b = LineBuilder::new(48);
        b.align = Align::Centre;
        b.bold = true;
        b.width = 2;
        b.height = 2;
        assert!(b.push_bytes(b"TOTAL").is_empty());
        b.bold = false;
        b.width = 1;
        b.height = 1;
        b.push_bytes(b" 12.50 {x}");
        let line = b.finish();
        assert_eq!(line.marked(), "C|{b 2x2}TOTAL{/} 12.50 {{x}");
        // 10 columns of double-width TOTAL + 10 more: 20 wide, centred in 48.
        assert_eq!(
            line.plain(48),
            format!("{}TOTAL 12.50 {{x}}", " ".repeat(14))
        );
        assert_eq!(line.height_lines(), 2);
        assert!(b.is_empty());
    }

    #[test]
    fn long_text_wraps_at_the_column_limit() {
        let mut b = LineBuilder::new(48);
        let wrapped = b.push_bytes(&[b'a'; 50]);
        assert_eq!(wrapped.len(), 1);
        assert_eq!(wrapped[0].plain(48), "a".repeat(48));
        assert_eq!(b.finish().plain(48), "aa");
        b.font_b = true;
        assert_eq!(b.columns(), 64);
    }

    #[test]
    fn placeholders_and_code_pages() {
        let bc = RenderedLine::Barcode {
            align: Align::Right,
            symbology: "EAN8".into(),
            data: "96385074".into(),
        };
        assert_eq!(bc.marked(), "R|[BARCODE EAN8 96385074]");
        assert_eq!(bc.plain(30), "       [BARCODE EAN8 96385074]");
        assert_eq!(decode(0, 0x9C), '£');
        assert_eq!(decode(16, 0xE9), 'é');
        let mut b = LineBuilder::new(48);
        b.tab();
        b.push_bytes(b"x");
        assert_eq!(b.finish().plain(48), "        x");
    }
}
