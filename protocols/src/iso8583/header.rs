//! The two fixed parts before the MTI: the TPDU (`60 DDDD SSSS`) and the 6-byte CUP header.

use std::fmt;

/// Transport protocol data unit: id `60`, then destination and source addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tpdu {
    pub id: u8,
    pub destination: [u8; 2],
    pub source: [u8; 2],
}

impl Tpdu {
    pub const LEN: usize = 5;

    /// A TPDU with the usual id `60`.
    pub fn new(destination: [u8; 2], source: [u8; 2]) -> Self {
        Self {
            id: 0x60,
            destination,
            source,
        }
    }

    /// The TPDU of the reply: destination and source swapped.
    pub fn reply(self) -> Self {
        Self {
            id: self.id,
            destination: self.source,
            source: self.destination,
        }
    }

    pub fn from_bytes(b: [u8; 5]) -> Self {
        Self {
            id: b[0],
            destination: [b[1], b[2]],
            source: [b[3], b[4]],
        }
    }

    pub fn to_bytes(self) -> [u8; 5] {
        let [d0, d1] = self.destination;
        let [s0, s1] = self.source;
        [self.id, d0, d1, s0, s1]
    }
}

impl Default for Tpdu {
    fn default() -> Self {
        Self::new([0x00, 0x03], [0x00, 0x00])
    }
}

/// What a host asks of the terminal in the low nibble of a response header's third byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostRequest {
    /// 0: nothing to do.
    None,
    /// 3: sign on again (new working keys).
    SignOnAgain,
    /// Any other request code (parameter and key downloads in the full CUP layout).
    Other(u8),
}

impl HostRequest {
    pub fn from_nibble(n: u8) -> Self {
        match n & 0x0F {
            0 => Self::None,
            3 => Self::SignOnAgain,
            other => Self::Other(other),
        }
    }

    pub fn nibble(self) -> u8 {
        match self {
            Self::None => 0,
            Self::SignOnAgain => 3,
            Self::Other(n) => n & 0x0F,
        }
    }
}

/// The 6-byte CUP message header, kept as opaque bytes with typed readings:
/// application type `60`, layout version (`31`), terminal status (high nibble, 1 = test mode) and
/// host request (low nibble), then the terminal's software version as 3 BCD bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header(pub [u8; 6]);

impl Header {
    pub const LEN: usize = 6;

    /// A terminal's request header: `60 31 s0 vvvvvv`, `s` = 1 in test mode.
    pub fn new(software_version: [u8; 3], test_mode: bool) -> Self {
        let [v0, v1, v2] = software_version;
        Self([0x60, 0x31, if test_mode { 0x10 } else { 0x00 }, v0, v1, v2])
    }

    pub fn bytes(self) -> [u8; 6] {
        self.0
    }

    /// Whether the terminal-status nibble says test mode.
    pub fn is_test_mode(self) -> bool {
        self.0[2] >> 4 == 1
    }

    /// The host's request carried in a response header.
    pub fn host_request(self) -> HostRequest {
        HostRequest::from_nibble(self.0[2])
    }

    /// The same header with the host-request nibble set (host side).
    pub fn with_host_request(mut self, request: HostRequest) -> Self {
        self.0[2] = (self.0[2] & 0xF0) | request.nibble();
        self
    }

    /// The terminal software version bytes.
    pub fn software_version(self) -> [u8; 3] {
        [self.0[3], self.0[4], self.0[5]]
    }
}

impl Default for Header {
    fn default() -> Self {
        Self::new([0x00, 0x00, 0x01], false)
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Header({})", hex::encode_upper(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_swaps_addresses() {
        let t = Tpdu::from_bytes([0x60, 0x00, 0x03, 0x00, 0x00]);
        assert_eq!(t.reply().to_bytes(), [0x60, 0x00, 0x00, 0x00, 0x03]);
        assert_eq!(t.reply().reply(), t);
    }

    #[test]
    fn header_readings() {
        let h = Header([0x60, 0x32, 0x10, 0x32, 0x00, 0x72]);
        assert!(h.is_test_mode());
        assert_eq!(h.host_request(), HostRequest::None);
        let h = h.with_host_request(HostRequest::SignOnAgain);
        assert_eq!(h.0[2], 0x13);
        assert_eq!(h.host_request(), HostRequest::SignOnAgain);
        assert!(h.is_test_mode());
        assert_eq!(Header::new([0, 0, 1], true).0, [0x60, 0x31, 0x10, 0, 0, 1]);
    }
}
