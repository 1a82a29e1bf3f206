//! Driver events as core inputs: keys, scans, pad messages, printer and drawer status, and
//! device health as "not responding" / "back" reports. Events the core has no use for (keyboard
//! noise, overlong scanner runs, job holds that the status already reports) are logged and
//! dropped.

use posrig_protocols::escpos::{PaperLevel, PrinterStatus as EscPosStatus};
use posrig_protocols::scanner::{validate, ScanFrameError, Symbology};

use crate::driver::display::DisplayEvent;
use crate::driver::keyboard::KeyboardEvent;
use crate::driver::pinpad::PinPadEvent;
use crate::driver::printer::{HoldReason, PrinterEvent};
use crate::driver::scale::ScaleEvent;
use crate::driver::scanner::ScannerEvent;
use crate::driver::DeviceHealth;
use crate::journal::ReceiptId;
use crate::terminal::{DeviceRole, Input, PrinterStatus};

/// A health change as the core's report.
pub(super) fn health(role: DeviceRole, health: DeviceHealth) -> Input {
    if health.is_healthy() {
        Input::DeviceBack(role)
    } else {
        tracing::warn!(device = role.name(), ?health, "device not healthy");
        Input::DeviceLost(role)
    }
}

pub(super) fn keyboard(event: KeyboardEvent) -> Option<Input> {
    match event {
        KeyboardEvent::Key(key) => Some(Input::Key(key)),
        KeyboardEvent::Garbage(e) => {
            tracing::debug!(error = %e, "keyboard bytes skipped");
            None
        }
        KeyboardEvent::Health(h) => Some(health(DeviceRole::Keyboard, h)),
    }
}

pub(super) fn scanner(event: ScannerEvent) -> Option<Input> {
    match event {
        // A retail symbology carries a check digit; a code that does not check was misread or
        // garbled on the cable (the frame itself has no checksum), and is scanned again.
        ScannerEvent::Scan(scan)
            if matches!(scan.symbology, Some(Symbology::Ean13 | Symbology::Ean8))
                && validate(&scan.data).is_err() =>
        {
            Some(Input::Misread(scan.data))
        }
        ScannerEvent::Scan(scan) => Some(Input::Scan(scan.data)),
        // A whole frame that could not be read was still a scan the cashier made: ask for it
        // again. An overlong run is noise with no end, not a scan.
        ScannerEvent::BadFrame(ScanFrameError::Overlong { .. }) => None,
        ScannerEvent::BadFrame(e) => {
            tracing::debug!(error = %e, "scanner frame unreadable");
            Some(Input::Unreadable)
        }
        ScannerEvent::Health(h) => Some(health(DeviceRole::Scanner, h)),
    }
}

pub(super) fn pinpad(event: PinPadEvent) -> Option<Input> {
    match event {
        PinPadEvent::Message(msg) => Some(Input::Pad(msg)),
        PinPadEvent::Health(h) => Some(health(DeviceRole::PinPad, h)),
    }
}

pub(super) fn display(event: DisplayEvent) -> Option<Input> {
    match event {
        DisplayEvent::Health(h) => Some(health(DeviceRole::Display, h)),
    }
}

pub(super) fn scale(event: ScaleEvent) -> Option<Input> {
    match event {
        ScaleEvent::Health(h) => Some(health(DeviceRole::Scale, h)),
    }
}

pub(super) fn printer(event: PrinterEvent) -> Option<Input> {
    match event {
        PrinterEvent::Status(status) => Some(Input::Printer(printer_status(&status))),
        PrinterEvent::JobDone { id } => Some(Input::PrintDone {
            job: ReceiptId(i64::try_from(id.0).unwrap_or(i64::MAX)),
        }),
        PrinterEvent::JobHeld { id, reason } => {
            tracing::info!(job = id.0, ?reason, "print job held");
            None
        }
        PrinterEvent::JobResumed { id, reprint } => {
            tracing::info!(job = id.0, reprint, "print job resumed");
            None
        }
        PrinterEvent::DrawerOpened => Some(Input::DrawerOpened),
        PrinterEvent::DrawerClosed => Some(Input::DrawerClosed),
        PrinterEvent::Health(h) => Some(health(DeviceRole::Printer, h)),
    }
}

/// The printer's ESC/POS status as the core's summary.
fn printer_status(status: &EscPosStatus) -> PrinterStatus {
    match HoldReason::from_status(status) {
        Some(HoldReason::PaperOut) => PrinterStatus::PaperOut,
        Some(HoldReason::CoverOpen) => PrinterStatus::CoverOpen,
        Some(_) => PrinterStatus::Offline,
        None if status.paper == PaperLevel::NearEnd => PrinterStatus::PaperNearEnd,
        None => PrinterStatus::Ready,
    }
}
