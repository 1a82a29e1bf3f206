//! Printed documents as pure data: a [`ReceiptDoc`] is a list of text lines with attributes
//! (bold, double size, alignment), rules, feeds, barcodes and a cut. The printer driver turns it
//! into ESC/POS; tests and the journal use its plain-text form.

pub mod render;
pub mod report;
pub mod void;

use serde::{Deserialize, Serialize};

pub use render::render_sale;
pub use report::{render_x_report, render_z_report};
pub use void::{render_void, VoidSlip, VoidedCard};

/// Columns of Font A on 80 mm paper.
pub const WIDTH: usize = 48;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Sale receipt.
    Sale,
    /// Refund receipt.
    Refund,
    /// X report (totals so far, day stays open).
    XReport,
    /// Z report (closes the day).
    ZReport,
    /// Settlement slip.
    Settlement,
    /// Void (撤销) slip of a sale voided by its receipt number.
    Void,
}

impl DocKind {
    /// Stable name for the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Sale => "sale",
            DocKind::Refund => "refund",
            DocKind::XReport => "x_report",
            DocKind::ZReport => "z_report",
            DocKind::Settlement => "settlement",
            DocKind::Void => "void",
        }
    }
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    /// Left.
    #[default]
    Left,
    /// Centre.
    Centre,
    /// Right.
    Right,
}

/// Character size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    /// Normal.
    #[default]
    Normal,
    /// Double height.
    DoubleHeight,
    /// Double width and height (half the columns).
    Double,
}

/// One line of text with its attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextLine {
    /// The text (no newline).
    pub text: String,
    /// Alignment.
    pub align: Align,
    /// Emphasised.
    pub bold: bool,
    /// Size.
    pub size: Size,
}

/// Barcode symbologies a receipt uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    /// CODE128 (receipt numbers).
    Code128,
}

/// One element of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Element {
    /// A line of text.
    Text(TextLine),
    /// A full-width rule of `-`.
    Rule,
    /// Blank lines.
    Feed(u8),
    /// A barcode with its human-readable text below.
    Barcode {
        /// Symbology.
        symbology: Symbology,
        /// Encoded data.
        data: String,
    },
    /// Cut the paper.
    Cut,
}

/// A printable document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDoc {
    /// What it is.
    pub kind: DocKind,
    /// Columns at normal size.
    pub width: usize,
    /// Elements top to bottom.
    pub elements: Vec<Element>,
}

impl ReceiptDoc {
    /// An empty document of `kind`, [`WIDTH`] columns wide.
    pub fn new(kind: DocKind) -> Self {
        ReceiptDoc {
            kind,
            width: WIDTH,
            elements: Vec::new(),
        }
    }

    fn push_text(&mut self, text: String, align: Align, bold: bool, size: Size) -> &mut Self {
        self.elements.push(Element::Text(TextLine {
            text,
            align,
            bold,
            size,
        }));
        self
    }

    /// A left-aligned line.
    pub fn line(&mut self, text: impl Into<String>) -> &mut Self {
        self.push_text(text.into(), Align::Left, false, Size::Normal)
    }

    /// A centred line.
    pub fn centre(&mut self, text: impl Into<String>) -> &mut Self {
        self.push_text(text.into(), Align::Centre, false, Size::Normal)
    }

    /// A centred, bold, double-size title.
    pub fn title(&mut self, text: impl Into<String>) -> &mut Self {
        self.push_text(text.into(), Align::Centre, true, Size::Double)
    }

    /// A line with `left` and `right` at the two edges.
    pub fn pair(&mut self, left: impl AsRef<str>, right: impl AsRef<str>) -> &mut Self {
        let text = two_columns(left.as_ref(), right.as_ref(), self.width);
        self.push_text(text, Align::Left, false, Size::Normal)
    }

    /// A bold, double-height pair (totals).
    pub fn big_pair(&mut self, left: impl AsRef<str>, right: impl AsRef<str>) -> &mut Self {
        let text = two_columns(left.as_ref(), right.as_ref(), self.width);
        self.push_text(text, Align::Left, true, Size::DoubleHeight)
    }

    /// A rule.
    pub fn rule(&mut self) -> &mut Self {
        self.elements.push(Element::Rule);
        self
    }

    /// Blank lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.elements.push(Element::Feed(lines));
        self
    }

    /// A CODE128 barcode.
    pub fn barcode(&mut self, data: impl Into<String>) -> &mut Self {
        self.elements.push(Element::Barcode {
            symbology: Symbology::Code128,
            data: data.into(),
        });
        self
    }

    /// Cut.
    pub fn cut(&mut self) -> &mut Self {
        self.elements.push(Element::Cut);
        self
    }

    /// The plain-text form: alignment applied, double-size lines on half the columns, a
    /// barcode shown as `|||| data ||||`, a cut as a line of `=`. Lines end with `\n`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for e in &self.elements {
            match e {
                Element::Text(t) => {
                    let cols = match t.size {
                        Size::Double => self.width / 2,
                        _ => self.width,
                    };
                    out.push_str(aligned(&t.text, t.align, cols).trim_end());
                    out.push('\n');
                }
                Element::Rule => {
                    out.push_str(&"-".repeat(self.width));
                    out.push('\n');
                }
                Element::Feed(n) => {
                    for _ in 0..*n {
                        out.push('\n');
                    }
                }
                Element::Barcode { data, .. } => {
                    let bars = format!("|||| {data} ||||");
                    out.push_str(aligned(&bars, Align::Centre, self.width).trim_end());
                    out.push('\n');
                }
                Element::Cut => {
                    out.push_str(&"=".repeat(self.width));
                    out.push('\n');
                }
            }
        }
        out
    }
}

fn aligned(text: &str, align: Align, cols: usize) -> String {
    let len = text.chars().count();
    if len >= cols {
        return text.to_owned();
    }
    let pad = cols - len;
    match align {
        Align::Left => text.to_owned(),
        Align::Centre => format!("{}{text}", " ".repeat(pad / 2)),
        Align::Right => format!("{}{text}", " ".repeat(pad)),
    }
}

/// `left` and `right` on one line of `width` columns; `left` is cut short if both do not fit.
pub fn two_columns(left: &str, right: &str, width: usize) -> String {
    let rlen = right.chars().count();
    let room = width.saturating_sub(rlen + 1);
    let left: String = left.chars().take(room).collect();
    let gap = width.saturating_sub(left.chars().count() + rlen).max(1);
    format!("{left}{}{right}", " ".repeat(gap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_layout() {
        let mut d = ReceiptDoc::new(DocKind::Sale);
        d.width = 20;
        d.title("SHOP")
            .centre("hi")
            .pair("Milk", "12.50")
            .rule()
            .barcode("R1")
            .cut();
        assert_eq!(
            d.to_text(),
            "   SHOP\n         hi\nMilk           12.50\n--------------------\n    |||| R1 ||||\n====================\n"
        );
    }

    #[test]
    fn long_left_is_cut() {
        assert_eq!(
            two_columns("A very long item name", "1.00", 16),
            "A very long 1.00"
        );
    }
}
