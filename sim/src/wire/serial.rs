//! Serial ports — a wire on a real (or virtual) serial device opened by path, with the line
//! settings a rig file names.

use super::error::WireError;
use super::frame::{CharFrame, DataBits, Parity, StopBits};
use super::impair::Pacing;
use super::WireEnd;
use serde::{Deserialize, Serialize};
use tokio_serial::SerialPortBuilderExt;

/// Flow control on a serial line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowControl {
    #[default]
    None,
    /// XON/XOFF (`11`/`13`).
    Software,
    /// RTS/CTS.
    Hardware,
}

/// How to open a serial port. Rig files embed this.
///
/// ```
/// use posrig_sim::wire::serial::SerialSettings;
/// let scale: SerialSettings = serde_yaml::from_str(
///     "{ path: /dev/ttyUSB0, baud: 9600, data_bits: 7, parity: even, stop_bits: 1 }",
/// ).unwrap();
/// assert_eq!(scale.frame().to_string(), "7E1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialSettings {
    pub path: String,
    #[serde(default = "default_baud")]
    pub baud: u32,
    #[serde(default)]
    pub data_bits: DataBits,
    #[serde(default)]
    pub parity: Parity,
    #[serde(default)]
    pub stop_bits: StopBits,
    #[serde(default)]
    pub flow_control: FlowControl,
    /// Refuse other openers while we hold the port (`TIOCEXCL`).
    #[serde(default = "default_exclusive")]
    pub exclusive: bool,
}

fn default_baud() -> u32 {
    9600
}

fn default_exclusive() -> bool {
    true
}

impl SerialSettings {
    /// 9600 baud 8N1, no flow control, exclusive.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            baud: default_baud(),
            data_bits: DataBits::default(),
            parity: Parity::default(),
            stop_bits: StopBits::default(),
            flow_control: FlowControl::default(),
            exclusive: default_exclusive(),
        }
    }

    /// The character frame, e.g. `8N1`.
    pub fn frame(&self) -> CharFrame {
        CharFrame {
            data_bits: self.data_bits,
            parity: self.parity,
            stop_bits: self.stop_bits,
        }
    }

    /// The pacing that makes a memory wire as slow as this line.
    pub fn pacing(&self) -> Pacing {
        Pacing::Baud {
            baud: self.baud,
            frame: self.frame(),
        }
    }

    /// Opens the port. Must be called inside a tokio runtime (real time: it is a real device).
    pub fn open(&self) -> Result<WireEnd, WireError> {
        let data_bits = match self.data_bits.get() {
            5 => tokio_serial::DataBits::Five,
            6 => tokio_serial::DataBits::Six,
            7 => tokio_serial::DataBits::Seven,
            _ => tokio_serial::DataBits::Eight,
        };
        let parity = match self.parity {
            Parity::None => tokio_serial::Parity::None,
            Parity::Even => tokio_serial::Parity::Even,
            Parity::Odd => tokio_serial::Parity::Odd,
        };
        let stop_bits = match self.stop_bits {
            StopBits::One => tokio_serial::StopBits::One,
            StopBits::Two => tokio_serial::StopBits::Two,
        };
        let flow_control = match self.flow_control {
            FlowControl::None => tokio_serial::FlowControl::None,
            FlowControl::Software => tokio_serial::FlowControl::Software,
            FlowControl::Hardware => tokio_serial::FlowControl::Hardware,
        };
        let port = tokio_serial::new(&self.path, self.baud)
            .exclusive(self.exclusive)
            .data_bits(data_bits)
            .parity(parity)
            .stop_bits(stop_bits)
            .flow_control(flow_control)
            .open_native_async()
            .map_err(|source| WireError::SerialOpen {
                path: self.path.clone(),
                baud: self.baud,
                frame: self.frame().to_string(),
                source,
            })?;
        Ok(Box::new(port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_unknown_keys() {
        let s: SerialSettings = serde_yaml::from_str("path: /dev/ttyS0").unwrap();
        assert_eq!(s, SerialSettings::new("/dev/ttyS0"));
        assert_eq!(s.frame(), CharFrame::N81);
        assert!(
            serde_yaml::from_str::<SerialSettings>("{path: /dev/ttyS0, stop_bits: 3}").is_err()
        );
        assert!(serde_yaml::from_str::<SerialSettings>("{path: /dev/ttyS0, bauds: 9600}").is_err());
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"path":"/dev/ttyS0","baud":9600,"data_bits":8,"parity":"none","stop_bits":1,"flow_control":"none","exclusive":true}"#
        );
    }
}
