//! Opening a device's port: a serial path (a real serial port or a pseudo-terminal's slave) with
//! its line settings, or a TCP address.

use std::io;
use std::time::Duration;

use serde::Deserialize;
use tokio_serial::SerialPortBuilderExt;

use crate::driver::stream::BoxStream;

/// Where a device is.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PortSpec {
    /// A serial port or pseudo-terminal by path.
    Serial(SerialLine),
    /// A device on the network, `host:port`.
    Tcp(String),
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
            #[allow(unused_mut)]
            let mut port = tokio_serial::new(&line.path, line.baud)
                .data_bits(data_bits)
                .stop_bits(stop_bits)
                .parity(parity)
                .flow_control(flow)
                .open_native_async()
                .map_err(|e| io::Error::other(format!("open serial port {}: {e}", line.path)))?;
            // Let a simulator reopen the same pty after we close it.
            #[cfg(unix)]
            {
                let _ = port.set_exclusive(false);
            }
            Ok(Box::new(port))
        }
    }
}
