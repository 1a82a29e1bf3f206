//! The receive buffer and its flow control: bytes wait here until the print engine takes them;
//! the printer turns BUSY (XOFF) when few bytes remain free, releases (XON) when enough are, and
//! loses bytes that arrive into a full buffer.
//!
//! The buffer is the engine's ESC/POS parser itself: what the parser holds unparsed is what the
//! buffer holds, so there is one copy of the bytes and one notion of fill.

use posrig_protocols::escpos::{Parser, ParserConfig};
use serde::Serialize;

use super::config::{FlowControl, PrinterConfig};

/// XON: the host may send again.
pub const XON: u8 = 0x11;
/// XOFF: the host should pause.
pub const XOFF: u8 = 0x13;

/// The printer's receive buffer.
#[derive(Debug, Clone)]
pub struct ReceiveBuffer {
    parser: Parser,
    capacity: usize,
    busy_free: usize,
    release_free: usize,
    flow: FlowControl,
    busy: bool,
    lost: u64,
}

/// What the control API shows about the buffer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BufferView {
    pub fill: usize,
    pub capacity: usize,
    pub busy: bool,
    pub lost_bytes: u64,
}

impl ReceiveBuffer {
    /// An empty buffer sized and thresholded by `config`.
    pub fn new(config: &PrinterConfig) -> Self {
        let parser = Parser::new(ParserConfig {
            realtime_in_data: config.realtime_in_data,
            track_device_select: true,
            // Short runs let a long line without a line feed print (wrapped) instead of
            // waiting for a terminator the buffer has no room for.
            max_text_run: 256,
            ..ParserConfig::default()
        });
        ReceiveBuffer {
            parser,
            capacity: config.buffer_bytes,
            busy_free: config.busy_free_bytes,
            release_free: config.release_free_bytes,
            flow: config.flow_control,
            busy: false,
            lost: 0,
        }
    }

    /// Bytes waiting.
    pub fn fill(&self) -> usize {
        self.parser.buffered().len()
    }

    /// Room left.
    pub fn free(&self) -> usize {
        self.capacity.saturating_sub(self.fill())
    }

    /// Store what fits of `bytes`; returns how many were lost.
    pub fn store(&mut self, bytes: &[u8]) -> usize {
        let taken = bytes.len().min(self.free());
        self.parser.push(&bytes[..taken]);
        let lost = bytes.len() - taken;
        self.lost += lost as u64;
        lost
    }

    /// The parser the print engine pulls commands from.
    pub fn parser(&mut self) -> &mut Parser {
        &mut self.parser
    }

    /// Drop everything waiting (`DLE ENQ 2`).
    pub fn clear(&mut self) {
        self.parser.clear();
    }

    /// Update BUSY from the current fill; returns the flow-control byte to send, if any.
    pub fn flow_signal(&mut self) -> Option<u8> {
        let free = self.free();
        let byte = if !self.busy && free <= self.busy_free {
            self.busy = true;
            XOFF
        } else if self.busy && free >= self.release_free {
            self.busy = false;
            XON
        } else {
            return None;
        };
        (self.flow == FlowControl::XonXoff).then_some(byte)
    }

    /// Whether the printer reports BUSY.
    pub fn busy(&self) -> bool {
        self.busy
    }

    /// The view for a snapshot.
    pub fn view(&self) -> BufferView {
        BufferView {
            fill: self.fill(),
            capacity: self.capacity,
            busy: self.busy,
            lost_bytes: self.lost,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_at_128_free_released_at_256_and_overflow_is_lost() {
        let mut b = ReceiveBuffer::new(&PrinterConfig::default());
        assert_eq!(b.store(&[b'x'; 3967]), 0);
        assert_eq!(b.flow_signal(), None);
        assert_eq!(b.store(b"y"), 0);
        assert_eq!(b.free(), 128);
        assert_eq!(b.flow_signal(), Some(XOFF));
        assert_eq!(b.flow_signal(), None);
        assert_eq!(b.store(&[b'z'; 200]), 72);
        assert_eq!(b.view().lost_bytes, 72);
        // The engine takes text runs of up to 256 bytes.
        assert!(b.parser().next_command().is_some());
        assert_eq!(b.free(), 256);
        assert_eq!(b.flow_signal(), Some(XON));
        assert!(!b.busy());
    }

    #[test]
    fn without_flow_control_busy_is_tracked_but_nothing_is_sent() {
        let mut b = ReceiveBuffer::new(&PrinterConfig {
            flow_control: FlowControl::None,
            ..PrinterConfig::default()
        });
        b.store(&[b'x'; 4000]);
        assert_eq!(b.flow_signal(), None);
        assert!(b.busy());
    }
}
