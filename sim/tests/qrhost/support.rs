//! A small HTTP/1.1 client for the §8 API over any stream.

use std::path::PathBuf;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::StatusCode;
use hyper_util::rt::TokioIo;
use posrig_protocols::qrpay::{
    MicropayRequest, MicropayResponse, OrderQueryRequest, OrderQueryResponse, ReverseRequest,
    ReverseResponse, TradeState,
};
use posrig_sim::data::WalletFile;
use posrig_sim::qrhost::{QrHost, QrHostConfig, QrServer};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite};

pub fn wallets() -> WalletFile {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/data");
    WalletFile::load(&dir.join("wallets.yaml")).unwrap()
}

pub fn code(name: &str) -> String {
    wallets().by_name(name).unwrap().code.clone()
}

pub async fn start() -> (QrHost, QrServer, Client) {
    let host = QrHost::new(QrHostConfig::new(wallets()));
    let server = host.listen("127.0.0.1:0").await.unwrap();
    let stream = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .unwrap();
    let client = Client::over(stream).await;
    (host, server, client)
}

pub struct Client {
    sender: SendRequest<Full<Bytes>>,
}

impl Client {
    pub async fn over<S>(stream: S) -> Client
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(conn);
        Client { sender }
    }

    pub async fn post<Req: Serialize, Resp: DeserializeOwned>(
        &mut self,
        path: &str,
        body: &Req,
    ) -> (StatusCode, Option<Resp>) {
        let req = hyper::Request::post(path)
            .header("host", "wallet")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(serde_json::to_vec(body).unwrap())))
            .unwrap();
        let resp = self.sender.send_request(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).ok())
    }

    pub async fn micropay(
        &mut self,
        out_trade_no: &str,
        auth_code: &str,
        fee: u64,
    ) -> MicropayResponse {
        let req = MicropayRequest {
            out_trade_no: out_trade_no.into(),
            auth_code: auth_code.into(),
            total_fee: fee,
            terminal_id: "LANE0001".into(),
        };
        let (status, body) = self.post("/micropay", &req).await;
        assert_eq!(status, StatusCode::OK);
        body.unwrap()
    }

    pub async fn query(&mut self, out_trade_no: &str) -> TradeState {
        let req = OrderQueryRequest {
            out_trade_no: out_trade_no.into(),
        };
        let (status, body): (_, Option<OrderQueryResponse>) = self.post("/orderquery", &req).await;
        assert_eq!(status, StatusCode::OK);
        body.unwrap().trade_state
    }

    pub async fn reverse(&mut self, out_trade_no: &str) -> ReverseResponse {
        let req = ReverseRequest {
            out_trade_no: out_trade_no.into(),
        };
        let (status, body) = self.post("/reverse", &req).await;
        assert_eq!(status, StatusCode::OK);
        body.unwrap()
    }
}
