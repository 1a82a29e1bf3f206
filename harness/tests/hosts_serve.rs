//! `posrig hosts serve` end to end: the real binary, an ISO 8583 sign-on through the
//! `acquirer-primary` proxy over TCP, and a QR micropay over HTTP through the `wallet` proxy.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use posrig_protocols::crypto::TdesKey;
use posrig_protocols::iso8583::{transaction, Frame, Header, Terminal, Tpdu, WorkingKeys};
use serde_json::Value;

#[test]
fn sign_on_and_micropay_through_the_served_hosts() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args(["hosts", "serve", "--proxies", "--seed", "7"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdout(Stdio::piped())
        .spawn()
        .expect("start posrig");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut addrs = serde_json::Map::new();
    while addrs.len() < 5 {
        let v: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        addrs.insert(v["role"].as_str().unwrap().to_string(), v["addr"].clone());
    }
    for addr in addrs.values() {
        assert!(addr.as_str().unwrap().starts_with("127.0.0.1:"), "{addr}");
    }

    // Sign on LANE0001 (the PROTOCOLS.md vector master key) through the primary proxy.
    let mut acquirer = TcpStream::connect(addrs["acquirer-primary"].as_str().unwrap()).unwrap();
    acquirer
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let terminal = Terminal::new("LANE0001", "898310048990001").unwrap();
    let request = transaction::sign_on(&terminal, 1, 1, "01").unwrap();
    let frame = Frame::new(
        Tpdu::new([0x00, 0x00], [0x00, 0x01]),
        Header::new([0x00, 0x10, 0x10], true),
        request,
    );
    acquirer.write_all(&frame.encode()).unwrap();
    let mut len = [0u8; 2];
    acquirer.read_exact(&mut len).unwrap();
    let mut rest = vec![0u8; usize::from(u16::from_be_bytes(len))];
    acquirer.read_exact(&mut rest).unwrap();
    let mut whole = len.to_vec();
    whole.extend_from_slice(&rest);
    let response = Frame::decode(&whole).expect("a well-formed 0810");
    assert_eq!(response.message.get_str(39), Some("00"));
    let tmk = TdesKey::from_hex("CA5D92598DCA48CE8A4C76361A9269E9").unwrap();
    WorkingKeys::from_field62(response.message.get(62).unwrap(), &tmk)
        .expect("working keys whose check values verify under the terminal master key");

    // A micropay with a success code through the wallet proxy.
    let body = serde_json::json!({
        "out_trade_no": "LANE0001-000001-1",
        "auth_code": "134567890123456789",
        "total_fee": 650,
        "terminal_id": "LANE0001"
    })
    .to_string();
    let wallet = addrs["wallet-link"].as_str().unwrap();
    let mut http = TcpStream::connect(wallet).unwrap();
    write!(
        http,
        "POST /micropay HTTP/1.1\r\nHost: {wallet}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    http.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let json: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(json["result"], "SUCCESS", "{json}");

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    assert!(child.wait().unwrap().success(), "clean exit on Ctrl-C");
}
