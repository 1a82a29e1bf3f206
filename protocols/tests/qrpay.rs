//! JSON round trips of the QR wallet API types (PROTOCOLS.md §8).

use posrig_protocols::qrpay::*;
use serde_json::json;

fn round_trip<T>(value: &T, expected: serde_json::Value)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let encoded = serde_json::to_value(value).unwrap();
    assert_eq!(encoded, expected);
    let back: T = serde_json::from_value(encoded).unwrap();
    assert_eq!(&back, value);
}

#[test]
fn micropay_request_and_responses() {
    round_trip(
        &MicropayRequest {
            out_trade_no: "L01-000123".into(),
            auth_code: "134567890123456789".into(),
            total_fee: 1250,
            terminal_id: "10000001".into(),
        },
        json!({"out_trade_no": "L01-000123", "auth_code": "134567890123456789",
               "total_fee": 1250, "terminal_id": "10000001"}),
    );
    round_trip(
        &MicropayResponse {
            result: MicropayResult::Success,
            err_code: None,
            transaction_id: Some("4200000001".into()),
        },
        json!({"result": "SUCCESS", "transaction_id": "4200000001"}),
    );
    round_trip(
        &MicropayResponse {
            result: MicropayResult::UserPaying,
            err_code: None,
            transaction_id: None,
        },
        json!({"result": "USERPAYING"}),
    );
    round_trip(
        &MicropayResponse {
            result: MicropayResult::Fail,
            err_code: Some(ErrorCode::AuthCodeInvalid),
            transaction_id: None,
        },
        json!({"result": "FAIL", "err_code": "AUTH_CODE_INVALID"}),
    );
    assert!(MicropayResult::Unknown.is_pending());
    assert!(!MicropayResult::Fail.is_pending());
}

#[test]
fn every_result_and_state_spelling() {
    let results = [
        (MicropayResult::Success, "SUCCESS"),
        (MicropayResult::UserPaying, "USERPAYING"),
        (MicropayResult::Fail, "FAIL"),
        (MicropayResult::Unknown, "UNKNOWN"),
    ];
    for (r, s) in results {
        assert_eq!(serde_json::to_value(r).unwrap(), json!(s));
    }
    let states = [
        (TradeState::Success, "SUCCESS"),
        (TradeState::UserPaying, "USERPAYING"),
        (TradeState::NotPay, "NOTPAY"),
        (TradeState::Closed, "CLOSED"),
        (TradeState::Revoked, "REVOKED"),
        (TradeState::PayError, "PAYERROR"),
    ];
    for (state, s) in states {
        round_trip(
            &OrderQueryResponse { trade_state: state },
            json!({ "trade_state": s }),
        );
    }
    round_trip(
        &OrderQueryRequest {
            out_trade_no: "X1".into(),
        },
        json!({"out_trade_no": "X1"}),
    );
    assert!(serde_json::from_value::<OrderQueryResponse>(json!({"trade_state": "PAID"})).is_err());
}

#[test]
fn error_codes_known_and_unknown() {
    let known = [
        (ErrorCode::AuthCodeExpire, "AUTHCODEEXPIRE"),
        (ErrorCode::AuthCodeInvalid, "AUTH_CODE_INVALID"),
        (ErrorCode::NotEnough, "NOTENOUGH"),
        (ErrorCode::OrderPaid, "ORDERPAID"),
        (ErrorCode::OrderReversed, "ORDERREVERSED"),
        (ErrorCode::SystemError, "SYSTEMERROR"),
        (ErrorCode::BankError, "BANKERROR"),
    ];
    for (code, s) in known {
        assert_eq!(serde_json::to_value(&code).unwrap(), json!(s));
        assert_eq!(serde_json::from_value::<ErrorCode>(json!(s)).unwrap(), code);
        assert!(!code.message().is_empty());
    }
    let other: ErrorCode = serde_json::from_value(json!("FREQUENCY_LIMITED")).unwrap();
    assert_eq!(other, ErrorCode::Other("FREQUENCY_LIMITED".into()));
    assert_eq!(
        serde_json::to_value(&other).unwrap(),
        json!("FREQUENCY_LIMITED")
    );
}

#[test]
fn reverse_recall_is_y_or_n() {
    round_trip(
        &ReverseRequest {
            out_trade_no: "L01-000123".into(),
        },
        json!({"out_trade_no": "L01-000123"}),
    );
    round_trip(
        &ReverseResponse {
            result: ReverseResult::Fail,
            recall: true,
        },
        json!({"result": "FAIL", "recall": "Y"}),
    );
    round_trip(
        &ReverseResponse {
            result: ReverseResult::Success,
            recall: false,
        },
        json!({"result": "SUCCESS", "recall": "N"}),
    );
    assert!(serde_json::from_value::<ReverseResponse>(
        json!({"result": "SUCCESS", "recall": "maybe"})
    )
    .is_err());
}
