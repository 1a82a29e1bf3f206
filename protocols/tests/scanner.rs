//! Scanner wire and barcode data: chunked round trips, garbage resistance and the PROTOCOLS.md
//! §2 vectors, through the public API only.

use posrig_protocols::scanner::*;
use proptest::prelude::*;

fn chunks<'a>(bytes: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = vec![];
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        let (head, tail) = rest.split_at(n);
        out.push(head);
        rest = tail;
        i += 1;
    }
    out
}

fn decode_chunked(
    config: &ScannerConfig,
    bytes: &[u8],
    sizes: &[usize],
) -> Vec<Result<Scan, ScanFrameError>> {
    let mut dec = ScanDecoder::new(config.clone());
    let mut out = vec![];
    for c in chunks(bytes, sizes) {
        dec.push(c);
        out.extend(std::iter::from_fn(|| dec.next_scan()));
    }
    out
}

#[test]
fn protocol_vectors() {
    assert_eq!(check_digit("590123412345"), Ok(7));
    assert_eq!(check_digit("03600029145"), Ok(2));
    assert_eq!(check_digit("9638507"), Ok(4));
    let code = InStoreCode {
        item: 12345,
        value: InStoreValue::WeightGrams(1250),
    };
    assert_eq!(code.encode().unwrap(), "2112345012506");
    assert_eq!(InStoreCode::decode("2112345012506"), Ok(code));
    assert_eq!(HostCommand::TriggerOn.encode(), b"\x16T\r");
    assert_eq!(HostCommand::TriggerOff.encode(), b"\x16U\r");
}

#[test]
fn a_till_session_byte_at_a_time() {
    let config = ScannerConfig {
        prefix: b"#".to_vec(),
        aim_id: true,
        suffix: Suffix::CrLf,
    };
    let scans = [
        (Symbology::Ean13, "5901234123457"),
        (Symbology::Ean8, "96385074"),
        (Symbology::Ean13, "2112345012506"),
        (Symbology::Qr, "134567890123456789"),
        (Symbology::Gs1_128, "\u{1d}0109501101530003"),
    ];
    let mut bytes = vec![];
    for (s, d) in scans {
        let scan = Scan {
            symbology: Some(s),
            data: d.into(),
        };
        bytes.extend(encode_scan(&scan, &config).unwrap());
    }
    let got: Vec<Scan> = decode_chunked(&config, &bytes, &[1])
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got.len(), 5);
    assert_eq!(validate(&got[0].data), Ok(GtinKind::Ean13));
    assert_eq!(validate(&got[1].data), Ok(GtinKind::Ean8));
    assert!(matches!(
        InStoreCode::decode(&got[2].data),
        Ok(InStoreCode {
            item: 12345,
            value: InStoreValue::WeightGrams(1250)
        })
    ));
    assert_eq!(classify_payment_code(&got[3].data), Some(Wallet::WeChat));
    assert_eq!(got[4].symbology, Some(Symbology::Gs1_128));
}

fn config() -> impl Strategy<Value = ScannerConfig> {
    (
        "[ -~]{0,4}",
        any::<bool>(),
        prop_oneof![Just(Suffix::Cr), Just(Suffix::CrLf), Just(Suffix::Tab)],
    )
        .prop_map(|(prefix, aim_id, suffix)| ScannerConfig {
            prefix: prefix.into_bytes(),
            aim_id,
            suffix,
        })
}

fn symbology() -> impl Strategy<Value = Symbology> {
    prop_oneof![
        proptest::sample::select(Symbology::KNOWN.to_vec()),
        ("[A-Za-z]", "[0-9A-Za-z]")
            .prop_map(|(c, m)| { Symbology::from_aim_id(format!("]{c}{m}").as_bytes()).unwrap() }),
    ]
}

/// A scan that is valid for `config`: data without its suffix byte(s) (a lone CR is fine under
/// CRLF), and a symbology exactly when AIM ids are on.
fn scan_for(config: &ScannerConfig) -> impl Strategy<Value = Scan> {
    let aim = config.aim_id;
    let suffix = config.suffix;
    (symbology(), "[^\t\r\n]{1,40}|[0-9\r]{1,20}").prop_filter_map(
        "data must not hold the suffix",
        move |(s, data)| {
            let scan = Scan {
                symbology: aim.then_some(s),
                data,
            };
            (!scan
                .data
                .contains(std::str::from_utf8(suffix.bytes()).unwrap()))
            .then_some(scan)
        },
    )
}

fn config_and_scans() -> impl Strategy<Value = (ScannerConfig, Vec<Scan>)> {
    config().prop_flat_map(|c| {
        let scans = proptest::collection::vec(scan_for(&c), 0..6);
        (Just(c), scans)
    })
}

proptest! {
    #[test]
    fn scans_round_trip_in_any_chunking(
        (config, scans) in config_and_scans(),
        sizes in proptest::collection::vec(1usize..16, 1..6),
    ) {
        let mut bytes = vec![];
        let mut want = vec![];
        for s in &scans {
            // The generator cannot see the prefix, which together with the data could still
            // form a suffix; the encoder refuses those, and they are left out.
            if let Ok(b) = encode_scan(s, &config) {
                bytes.extend(b);
                want.push(Ok(s.clone()));
            }
        }
        prop_assert_eq!(decode_chunked(&config, &bytes, &sizes), want.clone());
        prop_assert_eq!(decode_chunked(&config, &bytes, &[1]), want);
    }

    /// The scanner wire has no start byte, so resynchronising means the next suffix: noise, then
    /// a suffix, then a scan always yields the scan, last.
    #[test]
    fn garbage_never_panics_and_the_scan_after_the_next_suffix_decodes(
        (config, scans) in config_and_scans(),
        garbage in proptest::collection::vec(any::<u8>(), 0..5000),
        sizes in proptest::collection::vec(1usize..64, 1..6),
    ) {
        let Some(scan) = scans.into_iter().find(|s| encode_scan(s, &config).is_ok()) else {
            return Ok(());
        };
        let mut bytes = garbage;
        bytes.extend(config.suffix.bytes());
        bytes.extend(encode_scan(&scan, &config).unwrap());
        let got = decode_chunked(&config, &bytes, &sizes);
        prop_assert_eq!(got.last(), Some(&Ok(scan)));
    }

    #[test]
    fn commands_round_trip_and_garbage_never_panics(
        cmds in proptest::collection::vec(
            prop_oneof![Just(HostCommand::TriggerOn), Just(HostCommand::TriggerOff), Just(HostCommand::Ack), Just(HostCommand::Nak)],
            0..10,
        ),
        garbage in proptest::collection::vec(any::<u8>(), 0..200),
        sizes in proptest::collection::vec(1usize..5, 1..4),
    ) {
        let bytes: Vec<u8> = cmds.iter().flat_map(|c| c.encode().iter().copied()).collect();
        let run = |bytes: &[u8]| {
            let mut dec = CommandDecoder::new();
            let mut out = vec![];
            for c in chunks(bytes, &sizes) {
                dec.push(c);
                out.extend(std::iter::from_fn(|| dec.next_command()));
            }
            out
        };
        let want: Vec<_> = cmds.iter().copied().map(Ok).collect();
        prop_assert_eq!(run(&bytes), want);

        // After noise, a complete command decodes: a dangling SYN is dropped when the command's
        // own SYN arrives.
        let mut noisy = garbage;
        noisy.extend(HostCommand::TriggerOn.encode());
        let got = run(&noisy);
        prop_assert_eq!(got.last(), Some(&Ok(HostCommand::TriggerOn)));
    }

    #[test]
    fn check_digits_validate_and_catch_single_digit_errors(
        body in prop_oneof!["[0-9]{12}", "[0-9]{11}", "[0-9]{7}"],
        bump in 1u8..10,
    ) {
        let code = with_check_digit(&body).unwrap();
        prop_assert!(validate(&code).is_ok());
        let mut wrong = code.into_bytes();
        let last = wrong.len() - 1;
        wrong[last] = b'0' + (wrong[last] - b'0' + bump) % 10;
        prop_assert!(validate(std::str::from_utf8(&wrong).unwrap()).is_err());
    }

    #[test]
    fn in_store_codes_round_trip(item in 0u32..100_000, value in 0u32..100_000, weight in any::<bool>()) {
        let value = if weight { InStoreValue::WeightGrams(value) } else { InStoreValue::PriceCents(value) };
        let code = InStoreCode { item, value };
        let s = code.encode().unwrap();
        prop_assert!(is_in_store(&s));
        prop_assert_eq!(validate(&s), Ok(GtinKind::Ean13));
        prop_assert_eq!(InStoreCode::decode(&s), Ok(code));
    }

    #[test]
    fn payment_codes_classify_by_prefix_and_length(
        wechat in (10u8..=15, "[0-9]{16}"),
        alipay in (25u8..=30, "[0-9]{14,22}"),
        other in "[0-9]{0,30}",
    ) {
        prop_assert_eq!(classify_payment_code(&format!("{}{}", wechat.0, wechat.1)), Some(Wallet::WeChat));
        prop_assert_eq!(classify_payment_code(&format!("{}{}", alipay.0, alipay.1)), Some(Wallet::Alipay));
        let p: u8 = other.get(..2).and_then(|p| p.parse().ok()).unwrap_or(99);
        let expected = match (other.len(), p) {
            (18, 10..=15) => Some(Wallet::WeChat),
            (16..=24, 25..=30) => Some(Wallet::Alipay),
            _ => None,
        };
        prop_assert_eq!(classify_payment_code(&other), expected);
    }

    #[test]
    fn random_text_never_panics(s in "\\PC{0,30}") {
        let _ = validate(&s);
        let _ = check_digit(&s);
        let _ = InStoreCode::decode(&s);
        let _ = classify_payment_code(&s);
        let _ = is_in_store(&s);
    }
}
