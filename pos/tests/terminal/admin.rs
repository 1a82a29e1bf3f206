//! Login, supervisor approvals, refunds, no-sale, sign-on, settlement, reports, reprints, and
//! device status on the display.

use posrig_pos::receipt::DocKind;
use posrig_pos::terminal::{
    Command, DeviceRole, Input, PrinterStatus, SettleOutcome, SignOnOutcome,
};
use posrig_protocols::pinpad::PadMessage;

use crate::support::{approved, chip_card, has, pin_ok, prints, Lane};

const MILK: &str = "6901234100006";

#[test]
fn login_failure_and_logout() {
    let mut lane = Lane::new();
    lane.scan(MILK);
    assert_eq!(lane.shown().0, "PLEASE LOG IN");
    lane.keys("LOGIN 1001");
    assert_eq!(lane.shown(), ("OPERATOR NO.".into(), "1001".into()));
    lane.keys("ENTER 1 2");
    assert_eq!(lane.shown(), ("PASSWORD".into(), "**".into()));
    lane.keys("ENTER");
    assert_eq!(lane.shown().0, "LOGIN FAILED");
    lane.login_cashier();
    assert_eq!(lane.shown().1, "Li Na");
    lane.scan(MILK);
    lane.keys("LOGOUT");
    assert_eq!(lane.shown().0, "FINISH SALE FIRST");
    lane.keys("CANCEL LOGOUT");
    assert_eq!(lane.shown().0, "PLEASE LOG IN");
}

#[test]
fn refund_requires_the_supervisor() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL 2 0 CASH");
    lane.send(Input::DrawerOpened);
    lane.send(Input::DrawerClosed);

    lane.keys("REFUND");
    assert_eq!(lane.shown().0, "REFUND RECEIPT NO.");
    lane.keys("1 ENTER");
    assert_eq!(
        lane.shown(),
        ("SUPERVISOR NEEDED".into(), "PRESS SUPERVISOR".into())
    );
    assert!(lane.core.sale().is_none());
    lane.keys("REFUND 9 ENTER");
    assert_eq!(lane.shown().0, "RECEIPT NOT FOUND");
    lane.supervisor();
    lane.keys("1 REFUND");
    assert_eq!(lane.shown(), ("REFUND".into(), "OF No. 000001".into()));
    lane.scan(MILK);
    lane.keys("TOTAL");
    assert_eq!(lane.shown(), ("REFUND TOTAL".into(), "12.50".into()));
    let out = lane.keys("CASH");
    assert!(has(&out, |c| *c == Command::KickDrawer));
    assert_eq!(lane.shown(), ("REFUND PAID".into(), "12.50".into()));
    let (_, doc) = prints(&out).pop().unwrap();
    assert_eq!(doc.kind, DocKind::Refund);
    assert!(doc.to_text().contains("Refund of receipt LANE0001-000001"));
    let totals = lane.reopen_journal().day_totals().unwrap();
    assert_eq!((totals.sales.count, totals.refunds.count), (1, 1));
}

#[test]
fn card_refund_goes_to_the_host_as_a_refund() {
    let mut lane = Lane::new();
    lane.login_supervisor();
    lane.scan(MILK);
    lane.keys("TOTAL CASH");
    lane.send(Input::DrawerClosed);
    lane.keys("1 REFUND");
    lane.scan(MILK);
    let out = lane.keys("TOTAL CARD");
    assert!(has(&out, |c| matches!(
        c,
        Command::Pad(PadMessage::Start {
            kind: posrig_protocols::pinpad::TxnKind::Refund,
            ..
        })
    )));
    let out = lane.pad(chip_card());
    assert!(
        has(&out, |c| matches!(c, Command::HostRefund(_))),
        "no PIN for refunds"
    );
    lane.host(approved(11));
    assert_eq!(lane.shown().0, "REFUND APPROVED");
}

#[test]
fn no_sale_requires_the_supervisor() {
    let mut lane = Lane::new();
    lane.login_cashier();
    let out = lane.keys("NOSALE");
    assert!(!has(&out, |c| *c == Command::KickDrawer));
    assert_eq!(lane.shown().0, "SUPERVISOR NEEDED");
    lane.supervisor();
    let out = lane.keys("NOSALE");
    assert!(has(&out, |c| *c == Command::KickDrawer));
    assert_eq!(lane.shown().0, "NO SALE");
    assert_eq!(lane.reopen_journal().day_totals().unwrap().no_sales, 1);
    // The drawer is open: no sale starts until it closes.
    lane.scan(MILK);
    assert_eq!(lane.shown().0, "CLOSE DRAWER");
}

#[test]
fn drawer_left_open_warns() {
    let mut lane = Lane::new();
    lane.login_supervisor();
    lane.keys("NOSALE");
    let at = lane.core.next_deadline().expect("drawer warning armed");
    let out = lane.core.on_timer(at);
    assert!(has(
        &out,
        |c| matches!(c, Command::Display { line1, .. } if line1 == "PLEASE CLOSE DRAWER")
    ));
    assert_eq!(lane.core.next_deadline(), None);
}

#[test]
fn sign_on_loads_the_pin_key_into_the_pad() {
    let mut lane = Lane::new();
    lane.login_cashier();
    let out = lane.keys("SIGNON");
    assert!(has(&out, |c| *c == Command::HostSignOn));
    assert_eq!(lane.shown().0, "SIGNING ON");
    let pik = [0x67; 16];
    let out = lane.send(Input::SignOn(SignOnOutcome::SignedOn {
        batch: 12,
        pik_under_master: pik,
        pik_kcv: [0x8D, 0x0A, 0x74, 0xB8],
    }));
    assert!(has(&out, |c| *c
        == Command::Pad(PadMessage::LoadPinKey {
            pik_under_master: pik,
            kcv: [0x8D, 0x0A, 0x74, 0xB8]
        })));
    assert_eq!(lane.shown(), ("SIGNED ON".into(), "BATCH 000012".into()));
    assert_eq!(lane.reopen_journal().current_batch().unwrap(), 12);
    lane.keys("SIGNOFF");
    let out = lane.send(Input::SignOff(true));
    assert!(!out.is_empty());
    assert_eq!(lane.shown().0, "SIGNED OFF");
}

#[test]
fn settlement_command_result_and_slip() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.send(Input::SignOn(SignOnOutcome::SignedOn {
        batch: 1,
        pik_under_master: [0; 16],
        pik_kcv: [0; 4],
    }));
    lane.scan(MILK);
    lane.keys("TOTAL CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    lane.host(approved(1));
    let out = lane.keys("SETTLE");
    let totals = out
        .iter()
        .find_map(|c| match c {
            Command::HostSettle { totals } => Some(*totals),
            _ => None,
        })
        .expect("settlement sent");
    assert_eq!(totals.batch, 1);
    assert_eq!(totals.domestic.debit.count, 1);
    assert_eq!(lane.shown().0, "SETTLING");
    let out = lane.send(Input::Settle(SettleOutcome::Uploaded));
    assert_eq!(
        lane.shown(),
        ("BATCH UPLOADED".into(), "BATCH 000001".into())
    );
    let (_, doc) = prints(&out).pop().unwrap();
    assert_eq!(doc.kind, DocKind::Settlement);
    assert!(doc.to_text().contains("UPLOADED"));
    let journal = lane.reopen_journal();
    assert_eq!(journal.current_batch().unwrap(), 2);
    let s = journal.settlements().unwrap();
    assert_eq!(
        (s[0].result.as_str(), s[0].uploaded),
        ("not_balanced", true)
    );
}

#[test]
fn x_and_z_reports_print() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL 2 0 CASH");
    lane.send(Input::DrawerClosed);
    let out = lane.keys("XREPORT");
    let (_, x) = prints(&out).pop().unwrap();
    assert_eq!(x.kind, DocKind::XReport);
    assert!(x.to_text().contains("Sales (1)"), "{}", x.to_text());
    assert_eq!(lane.shown(), ("X REPORT".into(), "PRINTING".into()));
    let out = lane.keys("ZREPORT");
    let (_, z) = prints(&out).pop().unwrap();
    assert_eq!(z.kind, DocKind::ZReport);
    assert_eq!(lane.shown(), ("Z REPORT".into(), "Z No. 0001".into()));
    let out = lane.keys("XREPORT");
    assert!(prints(&out)
        .pop()
        .unwrap()
        .1
        .to_text()
        .contains("Sales (0)"));
}

#[test]
fn reprint_prints_a_marked_copy() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.keys("REPRINT");
    assert_eq!(lane.shown().0, "NO RECEIPT");
    lane.scan(MILK);
    lane.keys("TOTAL CASH");
    let out = lane.keys("REPRINT");
    let (_, doc) = prints(&out).pop().unwrap();
    assert!(doc.to_text().contains("*** COPY ***"));
    assert_eq!(lane.shown(), ("REPRINT".into(), "No. 000001".into()));
}

#[test]
fn device_and_printer_status_are_shown_and_cleared() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.send(Input::DeviceLost(DeviceRole::PinPad));
    assert_eq!(
        lane.shown(),
        ("DEVICE PINPAD".into(), "NOT RESPONDING".into())
    );
    lane.send(Input::DeviceBack(DeviceRole::PinPad));
    assert_eq!(lane.shown().0, "NEXT CUSTOMER");
    lane.scan(MILK);
    lane.keys("TOTAL CASH");
    lane.send(Input::Printer(PrinterStatus::PaperOut));
    assert_eq!(lane.shown(), ("PAPER OUT".into(), "LOAD PAPER".into()));
    // The sale is complete already; the receipt finishes when paper is loaded.
    assert_eq!(lane.reopen_journal().completed_sales().unwrap().len(), 1);
    lane.send(Input::Printer(PrinterStatus::Ready));
    assert_eq!(lane.shown().0, "CLOSE DRAWER");
}

#[test]
fn device_state_is_kept_and_outlives_a_drawer_close() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.send(Input::DeviceLost(DeviceRole::Scanner));
    lane.send(Input::DeviceLost(DeviceRole::PinPad));
    assert_eq!(
        lane.core.devices_not_responding(),
        vec![DeviceRole::Scanner, DeviceRole::PinPad]
    );
    lane.send(Input::DeviceBack(DeviceRole::PinPad));
    // The scanner is still down: its report comes back on the display.
    assert_eq!(
        lane.shown(),
        ("DEVICE SCANNER".into(), "NOT RESPONDING".into())
    );
    lane.send(Input::DeviceBack(DeviceRole::Scanner));
    assert!(lane.core.devices_not_responding().is_empty());
    lane.scan(MILK);
    lane.keys("TOTAL 2 0 CASH");
    lane.send(Input::DrawerOpened);
    lane.send(Input::Printer(PrinterStatus::PaperOut));
    assert_eq!(lane.core.printer_status(), PrinterStatus::PaperOut);
    lane.send(Input::DrawerClosed);
    assert_eq!(lane.shown(), ("PAPER OUT".into(), "LOAD PAPER".into()));
    lane.send(Input::Printer(PrinterStatus::Ready));
    assert_eq!(lane.shown().0, "NEXT CUSTOMER");
}

#[test]
fn a_failed_sign_on_the_host_asked_for_holds_card_tenders_back() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.send(Input::SignOnRequired);
    assert_eq!(
        lane.shown(),
        ("SIGN ON REQUIRED".into(), "PRESS SIGNON".into())
    );
    assert!(lane.core.sign_on_required());
    lane.scan(MILK);
    let out = lane.keys("TOTAL CARD");
    assert_eq!(
        lane.shown(),
        ("SIGN ON FIRST".into(), "PRESS SIGNON".into())
    );
    assert!(!has(&out, |c| matches!(
        c,
        Command::Pad(PadMessage::Start { .. })
    )));
    // Signing on is allowed in the middle of this sale; the new key goes to the pad.
    let out = lane.keys("SIGNON");
    assert!(has(&out, |c| *c == Command::HostSignOn));
    let out = lane.send(Input::SignOn(SignOnOutcome::SignedOn {
        batch: 2,
        pik_under_master: [0x11; 16],
        pik_kcv: [0x22; 4],
    }));
    assert!(has(&out, |c| matches!(
        c,
        Command::Pad(PadMessage::LoadPinKey { .. })
    )));
    assert!(!lane.core.sign_on_required());
    let out = lane.keys("CARD");
    assert!(has(&out, |c| matches!(
        c,
        Command::Pad(PadMessage::Start { .. })
    )));
}

#[test]
fn a_misread_asks_to_rescan_but_is_a_card_number_at_the_member_prompt() {
    let mut lane = Lane::new();
    lane.send(Input::Misread("5901234123450".into()));
    assert_eq!(lane.shown().0, "PLEASE LOG IN");
    lane.login_cashier();
    lane.send(Input::Misread("6901:30120006".into()));
    assert_eq!(lane.shown(), ("RESCAN".into(), String::new()));
    assert!(lane.core.sale().is_none());
    lane.keys("MEMBER");
    lane.send(Input::Misread("8800000000011".into()));
    assert_eq!(lane.shown().0, "Wang Fang");
}

#[test]
fn an_unreadable_scan_frame_asks_to_rescan_once_logged_in() {
    let mut lane = Lane::new();
    lane.send(Input::Unreadable);
    assert_ne!(lane.shown().0, "RESCAN");
    lane.login_cashier();
    lane.send(Input::Unreadable);
    assert_eq!(lane.shown(), ("RESCAN".into(), String::new()));
    assert!(lane.core.sale().is_none());
}
