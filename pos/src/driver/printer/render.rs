//! A [`ReceiptDoc`] as ESC/POS: each text line with its alignment, emphasis and size, rules,
//! feeds, a CODE128 barcode with its text below, and a partial cut after a short feed.

use posrig_protocols::escpos::{Alignment, BarcodeKind, EscPosWriter};

use crate::receipt::{Align, Element, ReceiptDoc, Size, Symbology};

/// Barcode height in dots (about 10 mm).
const BARCODE_HEIGHT: u8 = 80;
/// `GS H 2`: human-readable text below the bars.
const HRI_BELOW: u8 = 2;
/// Lines fed before the cut, so the last line clears the cutter.
const FEED_BEFORE_CUT: u8 = 4;

/// The ESC/POS bytes that print `doc`, starting with `ESC @`.
pub fn render(doc: &ReceiptDoc) -> Vec<u8> {
    let mut w = EscPosWriter::new();
    w.init();
    for element in &doc.elements {
        match element {
            Element::Text(line) => {
                w.align(alignment(line.align));
                if line.bold {
                    w.bold(true);
                }
                match line.size {
                    Size::Normal => {}
                    Size::DoubleHeight => {
                        w.char_size(1, 2);
                    }
                    Size::Double => {
                        w.char_size(2, 2);
                    }
                }
                w.line(&line.text);
                if line.size != Size::Normal {
                    w.char_size(1, 1);
                }
                if line.bold {
                    w.bold(false);
                }
                if line.align != Align::Left {
                    w.align(Alignment::Left);
                }
            }
            Element::Rule => {
                w.line(&"-".repeat(doc.width));
            }
            Element::Feed(n) => {
                w.feed(*n);
            }
            Element::Barcode { symbology, data } => {
                let kind = match symbology {
                    Symbology::Code128 => BarcodeKind::Code128,
                };
                // CODE128 data starts with its code set: `{B` for printable ASCII.
                let mut bytes = b"{B".to_vec();
                bytes.extend(data.bytes().filter(|b| (0x20..0x7F).contains(b)));
                w.align(Alignment::Centre)
                    .barcode_height(BARCODE_HEIGHT)
                    .barcode_hri(HRI_BELOW);
                if w.barcode(kind, &bytes).is_err() {
                    // Too long for one barcode: print the text instead.
                    w.line(data);
                } else {
                    w.line_feed();
                }
                w.align(Alignment::Left);
            }
            Element::Cut => {
                w.feed(FEED_BEFORE_CUT).cut_partial();
            }
        }
    }
    w.into_bytes()
}

fn alignment(a: Align) -> Alignment {
    match a {
        Align::Left => Alignment::Left,
        Align::Centre => Alignment::Centre,
        Align::Right => Alignment::Right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::DocKind;
    use posrig_protocols::escpos::{Command, Parser, ParserConfig};

    #[test]
    fn renders_attributes_barcode_and_cut() {
        let mut doc = ReceiptDoc::new(DocKind::Sale);
        doc.title("SHOP")
            .pair("APPLES", "1.25")
            .rule()
            .barcode("T1-42")
            .cut();
        let bytes = render(&doc);
        let mut p = Parser::new(ParserConfig::default());
        p.push(&bytes);
        let mut cmds = Vec::new();
        while let Some(c) = p.next_command() {
            cmds.push(c.into_owned());
        }
        assert!(matches!(cmds[0], Command::Init));
        assert!(cmds.contains(&Command::Bold(true)));
        assert!(cmds
            .iter()
            .any(|c| matches!(c, Command::Barcode(b) if &b.data[..] == b"{BT1-42")));
        assert!(matches!(cmds.last(), Some(Command::Cut(_))));
        let text: Vec<u8> = cmds
            .iter()
            .filter_map(|c| match c {
                Command::Text(t) => Some(t.to_vec()),
                _ => None,
            })
            .flatten()
            .collect();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("SHOP"));
        assert!(text.contains(&"-".repeat(48)));
    }
}
