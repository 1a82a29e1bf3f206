//! The network link in front of the wallet host — a named impaired TCP proxy (`wallet`) or an
//! in-memory connection through a [`Link`].

use std::net::SocketAddr;

use super::server::QrHost;
use crate::acquirer::spawn_proxy;
use crate::event::EventBus;
use crate::rng::SimRng;
use crate::wire::tcp::TcpProxy;
use crate::wire::{ImpairmentError, Link, LinkBuilder, WireEnd, WireError};

/// The name of the POS's route to the wallet host.
pub const WALLET_LINK: &str = "wallet";

/// Starts the `wallet` proxy in front of `upstream` (the wallet host's address).
pub async fn spawn_wallet_link(
    upstream: SocketAddr,
    rng: &SimRng,
    bus: Option<&EventBus>,
) -> Result<TcpProxy, WireError> {
    spawn_proxy(WALLET_LINK, upstream, rng, bus).await
}

impl QrHost {
    /// An in-memory HTTP connection to this host through `link`: returns the client's end and
    /// the running link.
    pub fn connect_through(&self, link: LinkBuilder) -> Result<(WireEnd, Link), ImpairmentError> {
        let (client_end, host_end, link) = link.pair()?;
        let host = self.clone();
        tokio::spawn(async move { host.serve_connection(host_end).await });
        Ok((client_end, link))
    }
}
