//! Reading a rig file, with errors that name the file, line and column.

use std::path::{Path, PathBuf};

use super::{DeviceMode, Port, Rig};

/// A rig file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RigError {
    #[error("read rig `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("parse rig `{path}`{location}: {message}")]
    Parse {
        path: PathBuf,
        location: String,
        message: String,
    },
    #[error("check rig `{path}`: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Load and check a rig file.
pub fn load_rig(path: &Path) -> Result<Rig, RigError> {
    let text = std::fs::read_to_string(path).map_err(|source| RigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let rig: Rig = serde_yaml::from_str(&text).map_err(|e| RigError::Parse {
        path: path.to_owned(),
        location: e
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default(),
        message: e.to_string(),
    })?;
    check(&rig, path)?;
    Ok(rig)
}

fn check(rig: &Rig, path: &Path) -> Result<(), RigError> {
    let d = &rig.devices;
    let slots = [
        ("printer", d.printer.as_ref().map(|s| (s.mode, &s.port))),
        ("scanner", d.scanner.as_ref().map(|s| (s.mode, &s.port))),
        ("pinpad", d.pinpad.as_ref().map(|s| (s.mode, &s.port))),
        ("display", d.display.as_ref().map(|s| (s.mode, &s.port))),
        ("keyboard", d.keyboard.as_ref().map(|s| (s.mode, &s.port))),
        ("scale", d.scale.as_ref().map(|s| (s.mode, &s.port))),
    ];
    for (role, slot) in slots {
        if let Some((DeviceMode::Real, port)) = slot {
            if !matches!(port, Port::Serial(_)) {
                return Err(RigError::Invalid {
                    path: path.to_owned(),
                    message: format!(
                        "the real {role} needs a serial port: `port: {{serial: {{path: /dev/ttyUSB0}}}}`"
                    ),
                });
            }
        }
    }
    Ok(())
}
