//! Host → scanner commands (Honeywell style): trigger on `16 54 0D`, trigger off `16 55 0D`,
//! and the `06` / `15` answers of ACK/NAK mode. The encoder is for the host, the incremental
//! decoder for the simulated scanner.

use std::collections::VecDeque;

const SYN: u8 = 0x16;
const CR: u8 = 0x0D;

/// One command from the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostCommand {
    /// `16 54 0D` (SYN T CR): start reading.
    TriggerOn,
    /// `16 55 0D` (SYN U CR): stop reading.
    TriggerOff,
    /// `06`: in ACK/NAK mode, the last scan arrived.
    Ack,
    /// `15`: in ACK/NAK mode, send the last scan again.
    Nak,
}

impl HostCommand {
    pub fn encode(self) -> &'static [u8] {
        match self {
            HostCommand::TriggerOn => &[SYN, b'T', CR],
            HostCommand::TriggerOff => &[SYN, b'U', CR],
            HostCommand::Ack => &[0x06],
            HostCommand::Nak => &[0x15],
        }
    }
}

/// Bytes that are not a command; the decoder has moved past them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Bytes that do not start or complete a command, dropped.
    #[error("read scanner command: skipped {} unknown bytes", .0.len())]
    Unknown(Vec<u8>),
}

/// Scanner-side decoder: [`push`](Self::push) bytes in any chunking, then call
/// [`next_command`](Self::next_command) until it returns `None`.
#[derive(Debug, Clone, Default)]
pub struct CommandDecoder {
    input: VecDeque<u8>,
    /// The bytes of a SYN sequence read so far.
    partial: Vec<u8>,
}

impl CommandDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    pub fn next_command(&mut self) -> Option<Result<HostCommand, CommandError>> {
        while let Some(b) = self.input.pop_front() {
            if self.partial.is_empty() {
                match b {
                    0x06 => return Some(Ok(HostCommand::Ack)),
                    0x15 => return Some(Ok(HostCommand::Nak)),
                    SYN => self.partial.push(b),
                    other => return Some(Err(CommandError::Unknown(vec![other]))),
                }
                continue;
            }
            let expected_ok = match self.partial.len() {
                1 => b == b'T' || b == b'U',
                _ => b == CR,
            };
            if !expected_ok {
                // The broken sequence is dropped and this byte read again on its own, so a
                // SYN that cut it short starts the next command.
                self.input.push_front(b);
                return Some(Err(CommandError::Unknown(std::mem::take(
                    &mut self.partial,
                ))));
            }
            self.partial.push(b);
            if self.partial.len() == 3 {
                let cmd = if self.partial[1] == b'T' {
                    HostCommand::TriggerOn
                } else {
                    HostCommand::TriggerOff
                };
                self.partial.clear();
                return Some(Ok(cmd));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(dec: &mut CommandDecoder) -> Vec<Result<HostCommand, CommandError>> {
        std::iter::from_fn(|| dec.next_command()).collect()
    }

    #[test]
    fn commands_on_the_wire() {
        assert_eq!(HostCommand::TriggerOn.encode(), [0x16, 0x54, 0x0D]);
        assert_eq!(HostCommand::TriggerOff.encode(), [0x16, 0x55, 0x0D]);
        assert_eq!(HostCommand::Ack.encode(), [0x06]);
        assert_eq!(HostCommand::Nak.encode(), [0x15]);
    }

    #[test]
    fn byte_at_a_time() {
        let mut dec = CommandDecoder::new();
        let mut out = vec![];
        for b in b"\x16T\r\x06\x16U\r\x15" {
            dec.push(&[*b]);
            out.extend(drain(&mut dec));
        }
        use HostCommand::*;
        assert_eq!(out, vec![Ok(TriggerOn), Ok(Ack), Ok(TriggerOff), Ok(Nak)]);
    }

    #[test]
    fn broken_sequences_resync_on_the_next_syn() {
        let mut dec = CommandDecoder::new();
        dec.push(b"x\x16\x16T\r\x16Tq");
        assert_eq!(
            drain(&mut dec),
            vec![
                Err(CommandError::Unknown(vec![b'x'])),
                Err(CommandError::Unknown(vec![0x16])),
                Ok(HostCommand::TriggerOn),
                Err(CommandError::Unknown(vec![0x16, b'T'])),
                Err(CommandError::Unknown(vec![b'q'])),
            ]
        );
    }
}
