//! The driver layer's error: what a call on a driver handle can fail with.

/// Why a driver call failed. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The driver's task has ended (all its handles were dropped, or it panicked).
    #[error("reach the {device} driver: its task has stopped")]
    Stopped {
        /// Which driver.
        device: &'static str,
    },
    /// The device's stream is not open.
    #[error("talk to the {device}: not connected")]
    Disconnected {
        /// Which device.
        device: &'static str,
    },
    /// Writing to the device failed.
    #[error("write to the {device}")]
    Io {
        /// Which device.
        device: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The device did not answer in time.
    #[error("get an answer from the {device} to {what}: no answer in time")]
    Timeout {
        /// Which device.
        device: &'static str,
        /// What was asked.
        what: &'static str,
    },
    /// The PIN pad's link gave up on a frame after every retry.
    #[error("deliver {what} to the PIN pad: no ACK after {attempts} attempts")]
    NotDelivered {
        /// What was sent.
        what: &'static str,
        /// Transmissions made.
        attempts: u8,
    },
    /// The PIN pad answered `A0` with a refusal code.
    #[error("have the PIN pad carry out {what}: refused with code `{code}`")]
    Refused {
        /// What was sent.
        what: &'static str,
        /// The `A0` code.
        code: String,
    },
    /// A message could not be encoded for the PIN pad.
    #[error("encode {what} for the PIN pad")]
    Encode {
        /// What was being sent.
        what: &'static str,
        #[source]
        source: posrig_protocols::pinpad::MessageError,
    },
    /// The scale reported the load is still moving, on every try.
    #[error("read a stable weight: still in motion after {tries} tries")]
    InMotion {
        /// Weigh requests sent.
        tries: u32,
    },
    /// The scale is over capacity.
    #[error("read the weight: scale over capacity")]
    OverCapacity,
    /// The scale reads under zero (needs taring).
    #[error("read the weight: scale under zero")]
    UnderZero,
}

impl DriverError {
    pub(crate) fn stopped(device: &'static str) -> Self {
        DriverError::Stopped { device }
    }

    pub(crate) fn io(device: &'static str, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotConnected {
            DriverError::Disconnected { device }
        } else {
            DriverError::Io { device, source }
        }
    }
}
