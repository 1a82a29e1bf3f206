//! Whether a response answers a request: MTI + 10, processing code, STAN, terminal id, amount.

use super::message::Message;
use super::mti::Mti;

/// The first thing that differs between a request and a supposed response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("match response: MTI {got}, expected {expected}")]
    Mti { expected: Mti, got: Mti },
    #[error("match response: processing code {got:?}, expected {expected}")]
    ProcessingCode {
        expected: String,
        got: Option<String>,
    },
    #[error("match response: STAN {got:?}, expected {expected}")]
    Stan {
        expected: String,
        got: Option<String>,
    },
    #[error("match response: terminal id {got:?}, expected {expected}")]
    TerminalId {
        expected: String,
        got: Option<String>,
    },
    #[error("match response: amount {got:?}, expected {expected}")]
    Amount {
        expected: String,
        got: Option<String>,
    },
}

/// Check that `response` answers `request`. Fields absent from the request are not compared.
pub fn check_response(request: &Message, response: &Message) -> Result<(), Mismatch> {
    let expected = request.mti().response();
    if response.mti() != expected || request.mti().is_response() {
        return Err(Mismatch::Mti {
            expected,
            got: response.mti(),
        });
    }
    type Make = fn(String, Option<String>) -> Mismatch;
    let checks: [(u8, Make); 4] = [
        (3, |expected, got| Mismatch::ProcessingCode {
            expected,
            got,
        }),
        (11, |expected, got| Mismatch::Stan { expected, got }),
        (41, |expected, got| Mismatch::TerminalId { expected, got }),
        (4, |expected, got| Mismatch::Amount { expected, got }),
    ];
    for (field, make) in checks {
        if let Some(want) = request.get(field) {
            let got = response.get(field);
            if got != Some(want) {
                let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
                return Err(make(text(want), got.map(text)));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_first_mismatch() {
        let mut req = Message::new(Mti::FINANCIAL);
        req.set_processing_code("000000").unwrap();
        req.set_stan(5)
            .unwrap()
            .set_terminal_id("10000001")
            .unwrap();
        req.set_amount_minor(100).unwrap();
        let mut resp = req.clone();
        resp.set_mti(Mti::FINANCIAL_RESPONSE);
        assert_eq!(check_response(&req, &resp), Ok(()));
        resp.set_amount_minor(101).unwrap();
        assert!(matches!(
            check_response(&req, &resp),
            Err(Mismatch::Amount { .. })
        ));
        resp.set_stan(6).unwrap();
        assert!(matches!(
            check_response(&req, &resp),
            Err(Mismatch::Stan { .. })
        ));
        resp.set_mti(Mti::ADVICE_RESPONSE);
        assert!(matches!(
            check_response(&req, &resp),
            Err(Mismatch::Mti { .. })
        ));
    }
}
