//! The 2×20 display: what each state shows, the text helpers that keep every line within 20
//! characters, and the refresh that emits a [`Command::Display`] when the screen changes. The
//! texts are the contract documented in `pos/TERMINAL.md`; change both together.

use super::card::CardStep;
use super::{Command, LoginStep, Phase, TerminalCore};
use crate::money::Money;
use crate::receipt::two_columns;
use crate::sale::{SaleKind, SaleState};

/// Columns of the customer display.
pub(super) const COLS: usize = 20;

/// `text` cut to 20 characters.
pub(super) fn fit(text: &str) -> String {
    text.chars().take(COLS).collect()
}

/// `text` right-aligned in 20 columns.
pub(super) fn right(text: &str) -> String {
    format!("{:>COLS$}", fit(text))
}

/// `left` and `right` at the two edges of one line.
pub(super) fn pair(left: &str, right: &str) -> String {
    fit(&two_columns(left, right, COLS))
}

/// Splits a message over two lines at word boundaries (upper case); what does not fit is cut.
pub(super) fn wrap2(text: &str) -> (String, String) {
    let text = text.to_uppercase();
    if text.chars().count() <= COLS {
        return (text, String::new());
    }
    let mut l1 = String::new();
    let mut rest = String::new();
    for word in text.split(' ') {
        if rest.is_empty()
            && l1.chars().count() + word.chars().count() + usize::from(!l1.is_empty()) <= COLS
        {
            if !l1.is_empty() {
                l1.push(' ');
            }
            l1.push_str(word);
        } else {
            if !rest.is_empty() {
                rest.push(' ');
            }
            rest.push_str(word);
        }
    }
    (fit(&l1), fit(&rest))
}

fn amount(m: Money) -> String {
    right(&m.to_string())
}

impl TerminalCore {
    /// Emits the screen if it differs from what is shown.
    pub(super) fn refresh(&mut self) {
        let (l1, l2) = self.screen();
        let screen = (fit(&l1), fit(&l2));
        if screen != self.shown {
            self.shown = screen.clone();
            self.out.push(Command::Display {
                line1: screen.0,
                line2: screen.1,
            });
        }
    }

    /// What the current state shows: a transient message if there is one, else the state's
    /// screen.
    fn screen(&self) -> (String, String) {
        if let Some((l1, l2)) = &self.message {
            return (l1.clone(), l2.clone());
        }
        let stars = "*".repeat(self.entry.len());
        let entry = right(&self.entry);
        if self.operator.is_none() {
            return match &self.login {
                LoginStep::Idle => ("PLEASE LOG IN".into(), String::new()),
                LoginStep::Number => ("OPERATOR NO.".into(), entry),
                LoginStep::Password { .. } => ("PASSWORD".into(), right(&stars)),
            };
        }
        match &self.phase {
            Phase::Ready => {}
            Phase::Weighing { .. } => return ("WEIGHING".into(), "PLEASE WAIT".into()),
            Phase::Supervisor { number: None } => return ("SUPERVISOR NO.".into(), entry),
            Phase::Supervisor { number: Some(_) } => {
                return ("SUPERVISOR CODE".into(), right(&stars))
            }
            Phase::Member => return ("MEMBER NO.".into(), entry),
            Phase::RefundReceipt => return ("REFUND RECEIPT NO.".into(), entry),
            Phase::VoidReceipt => return ("VOID RECEIPT NO.".into(), entry),
            Phase::QrScan { amount: a } => return ("SCAN PAY CODE".into(), amount(*a)),
            Phase::QrPaying { .. } => return ("QR PAYMENT".into(), "PLEASE WAIT".into()),
            Phase::Card(flow) => {
                return match &flow.step {
                    CardStep::WaitCard => (flow.prompt.to_string(), amount(flow.amount)),
                    CardStep::WaitPin { .. } => ("ENTER PIN".into(), amount(flow.amount)),
                    CardStep::Authorising(_) => ("AUTHORISING".into(), "PLEASE WAIT".into()),
                }
            }
            Phase::SigningOn => return ("SIGNING ON".into(), "PLEASE WAIT".into()),
            Phase::SigningOff => return ("SIGNING OFF".into(), "PLEASE WAIT".into()),
            Phase::Settling { .. } => return ("SETTLING".into(), "PLEASE WAIT".into()),
        }
        if !self.entry.is_empty() {
            return ("ENTRY".into(), entry);
        }
        if let Some(q) = self.qty {
            return (format!("QTY {q}"), "SCAN OR PLU".into());
        }
        let Some(sale) = &self.sale else {
            if self.drawer.open {
                return ("CLOSE DRAWER".into(), String::new());
            }
            return ("NEXT CUSTOMER".into(), String::new());
        };
        let refund = sale.kind() == SaleKind::Refund;
        match sale.state() {
            SaleState::Idle | SaleState::Selling | SaleState::Refund => {
                let label = if refund { "REFUND" } else { "SUBTOTAL" };
                (label.into(), amount(sale.totals().total))
            }
            SaleState::Totalled => {
                let label = if refund { "REFUND TOTAL" } else { "TOTAL" };
                (label.into(), amount(sale.remaining_due()))
            }
            SaleState::Tendering => {
                let label = if refund { "REFUND DUE" } else { "BALANCE DUE" };
                (label.into(), amount(sale.remaining_due()))
            }
            SaleState::Completed | SaleState::Cancelled => ("NEXT CUSTOMER".into(), String::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_keep_twenty_columns() {
        assert_eq!(right("12.50"), "               12.50");
        assert_eq!(pair("2 X 12.50", "25.00"), "2 X 12.50      25.00");
        assert_eq!(fit("Light soy sauce 500ml extra"), "Light soy sauce 500m");
        assert_eq!(
            wrap2("original transaction not found"),
            ("ORIGINAL TRANSACTION".into(), "NOT FOUND".into())
        );
        assert_eq!(
            wrap2("batch mismatch, sign on again"),
            ("BATCH MISMATCH, SIGN".into(), "ON AGAIN".into())
        );
        assert_eq!(
            wrap2("insufficient funds"),
            ("INSUFFICIENT FUNDS".into(), String::new())
        );
    }
}
