//! Opening a device's port: a serial path (a real serial port or a pseudo-terminal's slave) with
//! its line settings, or a TCP address.

use std::io;
use std::time::Duration;

use serde::Deserialize;
use tokio_serial::SerialPortBuilderExt;

use crate::driver::stream::BoxStream;

/// Where a device is: `{serial: {path, baud, …}}` or `{tcp: "host:port"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "PortSpecMap")]
pub enum PortSpec {
    /// A serial port or pseudo-terminal by path.
    Serial(SerialLine),
    /// A device on the network, `host:port`.
    Tcp(String),
}

/// The YAML shape of a [`PortSpec`]: a map with exactly one of its keys (serde_yaml 0.9 reads
/// externally tagged enums from YAML tags only, and the config files use plain maps).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortSpecMap {
    serial: Option<SerialLine>,
    tcp: Option<String>,
}

impl TryFrom<PortSpecMap> for PortSpec {
    type Error = String;

    fn try_from(m: PortSpecMap) -> Result<Self, String> {
        match (m.serial, m.tcp) {
            (Some(line), None) => Ok(PortSpec::Serial(line)),
            (None, Some(addr)) => Ok(PortSpec::Tcp(addr)),
            _ => Err("a port is either `serial: {path: …}` or `tcp: \"host:port\"`".into()),
        }
    }
}

/// A serial line's path and settings (8N1 at 9600 unless told otherwise).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialLine {
    pub path: String,
    #[serde(default = "default_baud")]
    pub baud: u32,
    #[serde(default = "default_data_bits")]
    pub data_bits: u8,
    #[serde(default)]
    pub parity: Parity,
    #[serde(default = "default_stop_bits")]
    pub stop_bits: u8,
    #[serde(default)]
    pub flow_control: FlowControl,
    /// Open the port for this program alone (`TIOCEXCL` and an exclusive `flock`, the
    /// serialport default). Set `false` for a pseudo-terminal served by `posrig devices
    /// serve`, whose simulator keeps a shared hold on it so the POS can reopen it.
    #[serde(default = "default_exclusive")]
    pub exclusive: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parity {
    #[default]
    None,
    Even,
    Odd,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowControl {
    #[default]
    None,
    Software,
    Hardware,
}

fn default_baud() -> u32 {
    9600
}
fn default_data_bits() -> u8 {
    8
}
fn default_exclusive() -> bool {
    true
}
fn default_stop_bits() -> u8 {
    1
}

impl PortSpec {
    /// Where the port is, for messages.
    pub fn describe(&self) -> String {
        match self {
            PortSpec::Serial(line) => line.path.clone(),
            PortSpec::Tcp(addr) => format!("tcp {addr}"),
        }
    }
}

/// Open `spec`, with errors that name the port.
pub async fn open_port(spec: &PortSpec) -> io::Result<BoxStream> {
    match spec {
        PortSpec::Tcp(addr) => {
            let stream =
                tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(addr))
                    .await
                    .map_err(|_| {
                        io::Error::new(io::ErrorKind::TimedOut, format!("connect {addr}"))
                    })?
                    .map_err(|e| io::Error::new(e.kind(), format!("connect {addr}: {e}")))?;
            stream.set_nodelay(true)?;
            Ok(Box::new(stream))
        }
        PortSpec::Serial(line) => {
            let data_bits = match line.data_bits {
                5 => tokio_serial::DataBits::Five,
                6 => tokio_serial::DataBits::Six,
                7 => tokio_serial::DataBits::Seven,
                8 => tokio_serial::DataBits::Eight,
                n => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("{}: {n} data bits is not 5 to 8", line.path),
                    ))
                }
            };
            let stop_bits = match line.stop_bits {
                1 => tokio_serial::StopBits::One,
                2 => tokio_serial::StopBits::Two,
                n => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("{}: {n} stop bits is not 1 or 2", line.path),
                    ))
                }
            };
            let parity = match line.parity {
                Parity::None => tokio_serial::Parity::None,
                Parity::Even => tokio_serial::Parity::Even,
                Parity::Odd => tokio_serial::Parity::Odd,
            };
            let flow = match line.flow_control {
                FlowControl::None => tokio_serial::FlowControl::None,
                FlowControl::Software => tokio_serial::FlowControl::Software,
                FlowControl::Hardware => tokio_serial::FlowControl::Hardware,
            };
            let builder = tokio_serial::new(&line.path, line.baud)
                .data_bits(data_bits)
                .stop_bits(stop_bits)
                .parity(parity)
                .flow_control(flow);
            #[allow(unused_mut)]
            let mut port = builder
                .exclusive(line.exclusive)
                .open_native_async()
                .map_err(|e| {
                    let hint = if e.to_string().contains("exclusive lock") {
                        " (another program holds it; a simulator's pty needs `exclusive: false`)"
                    } else {
                        ""
                    };
                    io::Error::other(format!("open serial port {}: {e}{hint}", line.path))
                })?;
            // Let a simulator reopen the same pty after we close it.
            #[cfg(unix)]
            if !line.exclusive {
                let _ = port.set_exclusive(false);
            }
            Ok(Box::new(port))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_specs_read_from_plain_maps() {
        let s: PortSpec =
            serde_yaml::from_str("serial: { path: /dev/pts/3, baud: 19200 }").unwrap();
        let PortSpec::Serial(line) = s else {
            panic!("serial expected")
        };
        assert_eq!(
            (line.path.as_str(), line.baud, line.exclusive),
            ("/dev/pts/3", 19200, true)
        );
        let t: PortSpec = serde_yaml::from_str("tcp: \"10.0.0.5:9100\"").unwrap();
        assert_eq!(t, PortSpec::Tcp("10.0.0.5:9100".into()));
        assert!(serde_yaml::from_str::<PortSpec>("{}").is_err());
        assert!(serde_yaml::from_str::<PortSpec>("tcp: a\nserial: {path: b}").is_err());
        assert!(serde_yaml::from_str::<PortSpec>("usb: x").is_err());
    }
}
