//! Network links in front of the acquirer — named impaired TCP proxies (`acquirer-primary`,
//! `acquirer-backup`) and in-memory connections through a [`Link`], so scenarios can delay,
//! stall, partition and reset the way to the host.

use std::net::SocketAddr;

use super::server::Acquirer;
use crate::event::EventBus;
use crate::rng::SimRng;
use crate::wire::tcp::{TcpProxy, DEFAULT_LISTEN};
use crate::wire::{
    ImpairmentError, Link, LinkBuilder, LinkConditions, LinkControl, WireEnd, WireError,
};

/// The name of the terminal's primary route to the acquirer.
pub const PRIMARY_LINK: &str = "acquirer-primary";
/// The name of the backup route.
pub const BACKUP_LINK: &str = "acquirer-backup";

/// A named, impairment-free (until told otherwise) TCP proxy on 127.0.0.1 in front of
/// `upstream`, reporting on `bus` as `link/{name}` if given. Change it through
/// [`TcpProxy::control`].
pub async fn spawn_proxy(
    name: &str,
    upstream: SocketAddr,
    rng: &SimRng,
    bus: Option<&EventBus>,
) -> Result<TcpProxy, WireError> {
    let control = LinkControl::new(name, LinkConditions::default())
        .expect("an unimpaired link always validates");
    let control = match bus {
        Some(bus) => control.with_emitter(bus.emitter(None, format!("link/{name}"))),
        None => control,
    };
    TcpProxy::spawn(DEFAULT_LISTEN, &upstream.to_string(), control, rng).await
}

/// The acquirer's two named routes, each an impaired TCP proxy to the same host.
#[derive(Debug)]
pub struct AcquirerLinks {
    pub primary: TcpProxy,
    pub backup: TcpProxy,
}

impl AcquirerLinks {
    /// Starts `acquirer-primary` and `acquirer-backup` in front of `upstream`.
    pub async fn spawn(
        upstream: SocketAddr,
        rng: &SimRng,
        bus: Option<&EventBus>,
    ) -> Result<Self, WireError> {
        Ok(Self {
            primary: spawn_proxy(PRIMARY_LINK, upstream, rng, bus).await?,
            backup: spawn_proxy(BACKUP_LINK, upstream, rng, bus).await?,
        })
    }
}

impl Acquirer {
    /// An in-memory connection to this acquirer through `link` (e.g.
    /// `Link::builder("acquirer-primary").rng(&rng).events(&bus)`): returns the terminal's end
    /// and the running link, whose control impairs it.
    pub fn connect_through(&self, link: LinkBuilder) -> Result<(WireEnd, Link), ImpairmentError> {
        let (terminal_end, host_end, link) = link.pair()?;
        self.spawn_connection(host_end);
        Ok((terminal_end, link))
    }
}
