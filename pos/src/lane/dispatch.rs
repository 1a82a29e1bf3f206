//! Core commands carried out: each device has a worker task that takes its commands in order
//! (display text must arrive in the order shown, a print job before the next), so the loop
//! hands a command over and goes on at once. Host commands go to the host tasks. Answers the
//! core waits for (a weight) come back as inputs.

use posrig_protocols::pinpad::PadMessage;
use posrig_protocols::scale::{ScaleReply, ScaleStatus};
use tokio::sync::mpsc;

use super::hosts::{AcquirerJob, QrJob};
use crate::driver::display::DisplayHandle;
use crate::driver::pinpad::PinPadHandle;
use crate::driver::printer::{JobId, PrinterHandle};
use crate::driver::scale::ScaleHandle;
use crate::driver::DriverError;
use crate::journal::ReceiptId;
use crate::receipt::ReceiptDoc;
use crate::terminal::{Command, Input};

/// Where each command goes.
pub(super) struct Dispatch {
    pub display: Option<mpsc::UnboundedSender<(String, String)>>,
    pub printer: Option<mpsc::UnboundedSender<PrinterJob>>,
    pub pinpad: Option<(PinPadHandle, mpsc::UnboundedSender<PadMessage>)>,
    pub scale: Option<mpsc::UnboundedSender<()>>,
    pub acquirer: mpsc::UnboundedSender<AcquirerJob>,
    pub qr: mpsc::UnboundedSender<QrJob>,
}

/// A job for the printer worker.
pub(super) enum PrinterJob {
    Print(ReceiptId, Box<ReceiptDoc>),
    KickDrawer,
}

impl Dispatch {
    /// Hands `command` to whoever carries it out. Never waits.
    pub fn send(&self, command: Command) {
        match command {
            Command::Display { line1, line2 } => {
                if let Some(tx) = &self.display {
                    let _ = tx.send((line1, line2));
                }
            }
            Command::Print { job, doc } => match &self.printer {
                Some(tx) => {
                    let _ = tx.send(PrinterJob::Print(job, Box::new(doc)));
                }
                None => tracing::warn!(job = job.0, "no printer attached; document not printed"),
            },
            Command::KickDrawer => match &self.printer {
                Some(tx) => {
                    let _ = tx.send(PrinterJob::KickDrawer);
                }
                None => tracing::warn!("no printer attached; drawer not kicked"),
            },
            Command::Pad(PadMessage::Abort) => {
                // X0 goes ahead of queued requests in the driver; do not queue it behind them
                // here.
                if let Some((handle, _)) = &self.pinpad {
                    let handle = handle.clone();
                    tokio::spawn(async move {
                        if let Err(e) = handle.abort().await {
                            tracing::warn!(error = %e, "PIN pad abort failed");
                        }
                    });
                }
            }
            Command::Pad(msg) => match &self.pinpad {
                Some((_, tx)) => {
                    let _ = tx.send(msg);
                }
                None => tracing::warn!("no PIN pad attached"),
            },
            Command::ReadWeight => match &self.scale {
                Some(tx) => {
                    let _ = tx.send(());
                }
                None => tracing::warn!("no scale attached"),
            },
            Command::HostSignOn => {
                let _ = self.acquirer.send(AcquirerJob::SignOn);
            }
            Command::HostSignOff => {
                let _ = self.acquirer.send(AcquirerJob::SignOff);
            }
            Command::HostPurchase(req) => {
                let _ = self.acquirer.send(AcquirerJob::Purchase(req));
            }
            Command::HostRefund(req) => {
                let _ = self.acquirer.send(AcquirerJob::Refund(req));
            }
            Command::HostVoid(req) => {
                let _ = self.acquirer.send(AcquirerJob::Void(req));
            }
            Command::HostSettle { .. } => {
                let _ = self.acquirer.send(AcquirerJob::Settle);
            }
            Command::HostRecover => {
                let _ = self.acquirer.send(AcquirerJob::Recover);
                let _ = self.qr.send(QrJob::Recover);
            }
            Command::QrPay(req) => {
                let _ = self.qr.send(QrJob::Pay(req));
            }
        }
    }
}

/// The display worker: one `show` at a time, in order.
pub(super) fn display_worker(handle: DisplayHandle) -> mpsc::UnboundedSender<(String, String)> {
    let (tx, mut rx) = mpsc::unbounded_channel::<(String, String)>();
    tokio::spawn(async move {
        while let Some((line1, line2)) = rx.recv().await {
            if let Err(e) = handle.show(line1, line2).await {
                tracing::debug!(error = %e, "display not updated");
            }
        }
    });
    tx
}

/// The printer worker: jobs are queued with the driver in order; it reports them done.
pub(super) fn printer_worker(handle: PrinterHandle) -> mpsc::UnboundedSender<PrinterJob> {
    let (tx, mut rx) = mpsc::unbounded_channel::<PrinterJob>();
    tokio::spawn(async move {
        while let Some(job) = rx.recv().await {
            let result = match job {
                PrinterJob::Print(id, doc) => {
                    let job = JobId(u64::try_from(id.0).unwrap_or_default());
                    handle.print_doc(job, &doc).await
                }
                PrinterJob::KickDrawer => handle.kick_drawer().await,
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, "printer command failed");
            }
        }
    });
    tx
}

/// The PIN pad worker: one request at a time; the pad's answers reach the core as events.
pub(super) fn pinpad_worker(handle: PinPadHandle) -> mpsc::UnboundedSender<PadMessage> {
    let (tx, mut rx) = mpsc::unbounded_channel::<PadMessage>();
    tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            let result = match msg {
                PadMessage::Start {
                    amount_minor,
                    currency,
                    kind,
                    entries,
                } => handle
                    .start(amount_minor, currency, kind, entries)
                    .await
                    .map(drop),
                PadMessage::RequestPin { pan, amount_minor } => {
                    handle.request_pin(pan, amount_minor).await
                }
                PadMessage::Display { text } => handle.display(text).await,
                PadMessage::LoadPinKey {
                    pik_under_master,
                    kcv,
                } => handle.load_pin_key(pik_under_master, kcv).await,
                PadMessage::Abort => handle.abort().await,
                other => {
                    tracing::warn!(message = ?other, "not a request for the PIN pad; dropped");
                    Ok(())
                }
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, "PIN pad request failed");
            }
        }
    });
    tx
}

/// The scale worker: each reading is answered with an [`Input::Weight`].
pub(super) fn scale_worker(
    handle: ScaleHandle,
    answers: mpsc::UnboundedSender<Input>,
) -> mpsc::UnboundedSender<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            let status = |in_motion, over_capacity, under_zero| {
                ScaleReply::Status(ScaleStatus {
                    in_motion,
                    over_capacity,
                    under_zero,
                })
            };
            let reply = match handle.read_weight().await {
                Ok(grams) => ScaleReply::Weight { grams },
                Err(DriverError::OverCapacity) => status(false, true, false),
                Err(DriverError::UnderZero) => status(false, false, true),
                Err(DriverError::InMotion { .. }) => status(true, false, false),
                Err(e) => {
                    // No reading at all: the health report tells the cashier; the core gets
                    // "in motion" so ENTER can try again.
                    tracing::warn!(error = %e, "scale reading failed");
                    status(true, false, false)
                }
            };
            let _ = answers.send(Input::Weight(reply));
        }
    });
    tx
}
