//! The decisions of the three endpoints, on the host's state and without I/O: micropay,
//! order query, reverse.

use posrig_protocols::qrpay::{
    ErrorCode, MicropayRequest, MicropayResponse, MicropayResult, OrderQueryResponse,
    ReverseResponse, ReverseResult, TradeState,
};
use tokio::time::Instant;

use super::orders::{Order, OrderBook};
use super::rules::QrRuleBook;
use super::wallets::WalletBook;
use crate::data::{Behaviour, FinalOutcome};

/// Everything the wallet host decides with.
#[derive(Debug)]
pub(crate) struct QrState {
    pub wallets: WalletBook,
    pub orders: OrderBook,
    pub rules: QrRuleBook,
    pub start: Instant,
    txn_seq: u64,
}

impl QrState {
    pub fn new(wallets: WalletBook) -> Self {
        Self {
            wallets,
            orders: OrderBook::default(),
            rules: QrRuleBook::default(),
            start: Instant::now(),
            txn_seq: 0,
        }
    }

    pub fn elapsed(&self) -> std::time::Duration {
        Instant::now().saturating_duration_since(self.start)
    }

    fn next_transaction_id(&mut self) -> String {
        self.txn_seq += 1;
        format!("4200{:024}", self.txn_seq)
    }
}

fn fail(code: ErrorCode) -> MicropayResponse {
    MicropayResponse {
        result: MicropayResult::Fail,
        err_code: Some(code),
        transaction_id: None,
    }
}

/// What a repeated micropay answers: the order's current state.
fn current(order: &Order) -> MicropayResponse {
    match order.state {
        TradeState::Success => MicropayResponse {
            result: MicropayResult::Success,
            err_code: None,
            transaction_id: order.transaction_id.clone(),
        },
        TradeState::UserPaying | TradeState::NotPay => MicropayResponse {
            result: MicropayResult::UserPaying,
            err_code: None,
            transaction_id: None,
        },
        TradeState::Closed | TradeState::Revoked => fail(ErrorCode::OrderReversed),
        TradeState::PayError => fail(order.err_code.clone().unwrap_or(ErrorCode::BankError)),
    }
}

/// `POST /micropay`.
pub(crate) fn micropay(
    st: &mut QrState,
    req: &MicropayRequest,
    forced: Option<Behaviour>,
) -> MicropayResponse {
    let now = Instant::now();
    if let Some(order) = st.orders.get_mut(&req.out_trade_no, now) {
        if order.auth_code != req.auth_code || order.total_fee != req.total_fee {
            return fail(ErrorCode::Other("OUT_TRADE_NO_USED".to_owned()));
        }
        return current(order);
    }
    let resolved = st.wallets.resolve(&req.auth_code);
    let wallet = resolved.as_ref().map(|r| r.name.clone());
    let behaviour = forced.or(resolved.map(|r| r.behaviour));
    let created_us = u64::try_from(st.elapsed().as_micros()).unwrap_or(u64::MAX);
    let mut order = Order {
        out_trade_no: req.out_trade_no.clone(),
        auth_code: req.auth_code.clone(),
        total_fee: req.total_fee,
        terminal_id: req.terminal_id.clone(),
        wallet,
        transaction_id: None,
        state: TradeState::PayError,
        err_code: None,
        pending: None,
        refunded: false,
        created_us,
    };
    let response = match behaviour {
        None | Some(Behaviour::Invalid) => {
            order.err_code = Some(ErrorCode::AuthCodeInvalid);
            fail(ErrorCode::AuthCodeInvalid)
        }
        Some(Behaviour::Expired) => {
            order.err_code = Some(ErrorCode::AuthCodeExpire);
            fail(ErrorCode::AuthCodeExpire)
        }
        Some(Behaviour::AlreadyPaid) => {
            order.err_code = Some(ErrorCode::OrderPaid);
            fail(ErrorCode::OrderPaid)
        }
        Some(Behaviour::Insufficient) => {
            order.err_code = Some(ErrorCode::NotEnough);
            fail(ErrorCode::NotEnough)
        }
        Some(b @ (Behaviour::Success | Behaviour::Unknown)) => {
            if st.wallets.debit(&req.auth_code, req.total_fee) {
                order.state = TradeState::Success;
                order.transaction_id = Some(st.next_transaction_id());
                MicropayResponse {
                    result: if b == Behaviour::Success {
                        MicropayResult::Success
                    } else {
                        MicropayResult::Unknown
                    },
                    err_code: None,
                    transaction_id: order
                        .transaction_id
                        .clone()
                        .filter(|_| b == Behaviour::Success),
                }
            } else {
                order.err_code = Some(ErrorCode::NotEnough);
                fail(ErrorCode::NotEnough)
            }
        }
        Some(Behaviour::UserPaying { seconds, then }) => {
            order.state = TradeState::UserPaying;
            order.pending = Some((now + std::time::Duration::from_secs(seconds), then));
            if then == FinalOutcome::Success {
                order.transaction_id = Some(st.next_transaction_id());
            } else {
                order.err_code = Some(ErrorCode::BankError);
            }
            MicropayResponse {
                result: MicropayResult::UserPaying,
                err_code: None,
                transaction_id: None,
            }
        }
    };
    st.orders.insert(order);
    response
}

/// `POST /orderquery`: an order the host never saw is `NOTPAY`.
pub(crate) fn orderquery(st: &mut QrState, out_trade_no: &str) -> OrderQueryResponse {
    let trade_state = st
        .orders
        .get_mut(out_trade_no, Instant::now())
        .map_or(TradeState::NotPay, |o| o.state);
    OrderQueryResponse { trade_state }
}

/// `POST /reverse`: close what is unpaid, refund what is paid; always final (`recall: N`).
pub(crate) fn reverse(st: &mut QrState, out_trade_no: &str) -> ReverseResponse {
    let done = ReverseResponse {
        result: ReverseResult::Success,
        recall: false,
    };
    let Some(order) = st.orders.get_mut(out_trade_no, Instant::now()) else {
        let created_us = u64::try_from(st.elapsed().as_micros()).unwrap_or(u64::MAX);
        st.orders.insert(Order {
            out_trade_no: out_trade_no.to_owned(),
            auth_code: String::new(),
            total_fee: 0,
            terminal_id: String::new(),
            wallet: None,
            transaction_id: None,
            state: TradeState::Revoked,
            err_code: None,
            pending: None,
            refunded: false,
            created_us,
        });
        return done;
    };
    match order.state {
        TradeState::Success => {
            order.state = TradeState::Revoked;
            order.refunded = true;
            let (code, fee) = (order.auth_code.clone(), order.total_fee);
            st.wallets.credit(&code, fee);
        }
        TradeState::UserPaying | TradeState::NotPay => {
            order.state = TradeState::Revoked;
            order.pending = None;
        }
        TradeState::PayError => order.state = TradeState::Closed,
        TradeState::Closed | TradeState::Revoked => {}
    }
    done
}
