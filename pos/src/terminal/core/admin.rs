//! Operator and lane administration: login and logout, supervisor approvals, sign-on and
//! sign-off with the acquirer (loading the working PIN key into the pad), no-sale drawer opens
//! and receipt reprints.

use posrig_protocols::keyboard::Key;
use posrig_protocols::pinpad::PadMessage;

use super::input::SignOnOutcome;
use super::{entry_text, Command, HeldSupervisor, LoginStep, Phase, TerminalCore};
use crate::operator::{authorize, Action, Approval, OperatorError, Role};
use crate::receipt::{Align, Element, Size, TextLine};

impl TerminalCore {
    pub(super) fn login_key(&mut self, key: Key) {
        if key == Key::Login {
            self.login = LoginStep::Number;
            self.entry.clear();
            return;
        }
        if self.login == LoginStep::Idle {
            self.say("PLEASE LOG IN", "");
            return;
        }
        if let Some(text) = entry_text(key) {
            self.push_entry(text);
            return;
        }
        match key {
            Key::Enter => {
                let typed = std::mem::take(&mut self.entry);
                match std::mem::replace(&mut self.login, LoginStep::Idle) {
                    LoginStep::Number => self.login = LoginStep::Password { number: typed },
                    LoginStep::Password { number } => self.finish_login(&number, &typed),
                    LoginStep::Idle => {}
                }
            }
            Key::Clear if !self.entry.is_empty() => self.entry.clear(),
            Key::Clear | Key::Cancel => self.login = LoginStep::Idle,
            _ => {}
        }
    }

    fn finish_login(&mut self, number: &str, password: &str) {
        match self.operators.login(number, password) {
            Ok(op) => {
                let r = self.journal.log_event(None, Some(&op.number), "login", "");
                if self.ok(r).is_none() {
                    return;
                }
                self.say("LOGGED IN", op.name.clone());
                self.operator = Some(op);
                self.phase = super::Phase::Ready;
                if let Some(sale) = self.recovered.take() {
                    self.say("SALE RESUMED", format!("No. {}", sale.id()));
                    self.sale = Some(sale);
                }
            }
            Err(e) => {
                tracing::info!(operator = number, error = %e, "login refused");
                self.say("LOGIN FAILED", "");
            }
        }
    }

    pub(super) fn logout_key(&mut self) {
        if self.sale.is_some() {
            self.say("FINISH SALE FIRST", "");
            return;
        }
        if let Some(op) = self.operator.take() {
            let r = self.journal.log_event(None, Some(&op.number), "logout", "");
            self.ok(r);
        }
        self.held = None;
        self.qty = None;
        self.entry.clear();
        self.login = LoginStep::Idle;
    }

    pub(super) fn supervisor_key(&mut self) {
        self.entry.clear();
        self.phase = Phase::Supervisor { number: None };
    }

    /// The supervisor typed number and code: check them now, hold them for the next restricted
    /// action.
    pub(super) fn supervisor_done(&mut self, number: String, code: String) {
        match self.operators.approve(&number, &code, Action::NoSale) {
            Ok(_) => {
                self.held = Some(HeldSupervisor { number, code });
                self.say("SUPERVISOR OK", "");
            }
            Err(OperatorError::NotSupervisor { .. }) => self.say("NOT A SUPERVISOR", ""),
            Err(_) => self.say("APPROVAL FAILED", ""),
        }
    }

    /// The approval `action` needs: `Ok(None)` when the operator may act alone, the held
    /// supervisor's approval (used up) otherwise; `Err` (message shown) when none is held.
    pub(super) fn approval(&mut self, action: Action) -> Result<Option<Approval>, ()> {
        let is_supervisor = self
            .operator
            .as_ref()
            .is_some_and(|o| o.role == Role::Supervisor);
        if is_supervisor {
            return Ok(None);
        }
        let Some(held) = self.held.take() else {
            self.say("SUPERVISOR NEEDED", "PRESS SUPERVISOR");
            return Err(());
        };
        match self.operators.approve(&held.number, &held.code, action) {
            Ok(a) => Ok(Some(a)),
            Err(_) => {
                self.say("APPROVAL FAILED", "");
                Err(())
            }
        }
    }

    pub(super) fn sign_on_key(&mut self) {
        // A sale waiting for a card tender because the PIN key is stale may sign on.
        if self.sale.is_some() && !self.sign_on_required {
            self.say("FINISH SALE FIRST", "");
            return;
        }
        self.phase = Phase::SigningOn;
        self.out.push(Command::HostSignOn);
    }

    /// A sign-on result, asked for at the keyboard or started by the host client on its own
    /// (the host asked to sign on again): either way the new PIN key goes to the pad.
    pub(super) fn on_sign_on(&mut self, outcome: SignOnOutcome) {
        if matches!(self.phase, Phase::SigningOn) {
            self.phase = Phase::Ready;
        }
        match outcome {
            SignOnOutcome::SignedOn {
                batch,
                pik_under_master,
                pik_kcv,
            } => {
                let r = self.journal.set_batch(batch);
                if self.ok(r).is_none() {
                    return;
                }
                self.sign_on_required = false;
                self.out.push(Command::Pad(PadMessage::LoadPinKey {
                    pik_under_master,
                    kcv: pik_kcv,
                }));
                self.say("SIGNED ON", format!("BATCH {batch:06}"));
            }
            SignOnOutcome::Failed { code } => {
                let why = code.map_or("NO RESPONSE".to_string(), |c| c.message().to_uppercase());
                self.say("SIGN ON FAILED", why);
            }
        }
    }

    pub(super) fn sign_off_key(&mut self) {
        if self.sale.is_some() {
            self.say("FINISH SALE FIRST", "");
            return;
        }
        self.phase = Phase::SigningOff;
        self.out.push(Command::HostSignOff);
    }

    pub(super) fn on_sign_off(&mut self, ok: bool) {
        if matches!(self.phase, Phase::SigningOff) {
            self.phase = Phase::Ready;
        }
        if ok {
            self.say("SIGNED OFF", "");
        } else {
            self.say("SIGN OFF FAILED", "");
        }
    }

    pub(super) fn no_sale_key(&mut self) {
        if !self.idle_with_closed_drawer() {
            return;
        }
        let Ok(approval) = self.approval(Action::NoSale) else {
            return;
        };
        let Some(op) = self.operator.clone() else {
            return;
        };
        let Ok(approver) = authorize(&op, Action::NoSale, approval.as_ref()) else {
            return;
        };
        // The audit row names the approving supervisor; the detail names the cashier.
        let r = self
            .journal
            .log_event(None, Some(&approver), "no_sale", &op.number);
        if self.ok(r).is_none() {
            return;
        }
        self.kick_drawer();
        self.say("NO SALE", "");
    }

    pub(super) fn reprint_key(&mut self) {
        if self.sale.is_some() {
            self.say("FINISH SALE FIRST", "");
            return;
        }
        let r = self.journal.completed_sales();
        let Some(sales) = self.ok(r) else {
            return;
        };
        let Some(sale) = sales.last().map(|s| s.id) else {
            self.say("NO RECEIPT", "");
            return;
        };
        let r = self.journal.receipt_for_sale(sale);
        let Some(Some(stored)) = self.ok(r) else {
            self.say("NO RECEIPT", "");
            return;
        };
        let mut doc = stored.doc;
        let at = doc
            .elements
            .iter()
            .position(|e| matches!(e, Element::Rule))
            .map_or(0, |i| i + 1);
        doc.elements.insert(
            at,
            Element::Text(TextLine {
                text: "*** COPY ***".into(),
                align: Align::Centre,
                bold: true,
                size: Size::Normal,
            }),
        );
        self.print(doc);
        self.say("REPRINT", format!("No. {sale}"));
    }

    /// Stores a document in the journal, marks it printing, and sends it to the printer.
    pub(super) fn print(&mut self, doc: crate::receipt::ReceiptDoc) {
        let r = self.journal.store_document(&doc);
        let Some(id) = self.ok(r) else {
            return;
        };
        self.print_stored(id, doc);
    }

    /// Marks a stored document printing and sends it.
    pub(super) fn print_stored(
        &mut self,
        id: crate::journal::ReceiptId,
        doc: crate::receipt::ReceiptDoc,
    ) {
        let r = self.journal.mark_receipt_printing(id);
        if self.ok(r).is_some() {
            self.out.push(Command::Print { job: id, doc });
        }
    }
}
