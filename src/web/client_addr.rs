//! Who the client is: the TCP peer, or, when the peer is a trusted reverse proxy
//! (`RIGHTSDESK_TRUSTED_PROXIES`), the address its forwarding headers name. Rate limits and
//! sign-in throttling count by [`ClientAddr::key`]; nothing else in the web layer reads the
//! forwarding headers.
//!
//! The rules, in [`resolve`]:
//! - From an untrusted peer no forwarding header is read at all: the client is the peer.
//! - From a trusted peer, `Forwarded` (RFC 7239) wins over `X-Forwarded-For` when it is
//!   present, well-formed and names at least one hop. Header lines and their comma-separated
//!   elements join into one list of hops, client first.
//! - The list is walked from the right (the hop our peer received the request from), passing
//!   over trusted proxies; the first untrusted address is the client. When every hop is
//!   trusted, the left-most is the client.
//! - A hop whose address is hidden (`unknown`, an obfuscated `_identifier`, a `Forwarded`
//!   element without `for=`) ends the walk: whatever lies to its left was written by someone we
//!   cannot vouch for, so the client is the nearest known address to its right, the last
//!   trusted proxy passed or else the peer. Every client behind that proxy then shares one
//!   budget, which errs towards limiting too much rather than letting anyone pick their key.
//! - A malformed `Forwarded` is ignored as a whole and `X-Forwarded-For` is read instead; a
//!   malformed `X-Forwarded-For` is ignored too, and then the client is the peer. Each is
//!   logged once per request at `warn`, without the header's text or any address.
//! - The request counts as https when the connection itself is TLS, or when the trusted peer
//!   says so: the `proto=` of the `Forwarded` element the walk stopped at (that element was
//!   written by a trusted proxy about the connection it received), or, when `Forwarded` gave
//!   no `proto`, the right-most `X-Forwarded-Proto` value.
//! - Rate limits key an IPv4 client by its address and an IPv6 client by its /64 prefix, the
//!   block a single home or phone network is given; an IPv4-mapped IPv6 address
//!   (`::ffff:192.0.2.1`) is the IPv4 address throughout.

mod forwarding;

use std::fmt;
use std::future::{ready, Ready};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use actix_web::dev::Payload;
use actix_web::http::header::HeaderMap;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

pub use forwarding::{
    parse_forwarded, parse_x_forwarded_for, x_forwarded_proto_is_https, ForwardedElement, Hop,
    Malformed,
};

use super::error::WebError;
use super::WebState;
use crate::config::TrustedProxies;
use crate::error::AppError;

/// The raw forwarding headers of one request, each line in the order received.
#[derive(Debug, Default, Clone)]
pub struct ForwardingHeaders<'a> {
    pub forwarded: Vec<&'a [u8]>,
    pub x_forwarded_for: Vec<&'a [u8]>,
    pub x_forwarded_proto: Vec<&'a [u8]>,
}

impl<'a> ForwardingHeaders<'a> {
    pub fn from_map(headers: &'a HeaderMap) -> ForwardingHeaders<'a> {
        let lines = |name: &str| {
            headers
                .get_all(name)
                .map(|value| value.as_bytes())
                .collect()
        };
        ForwardingHeaders {
            forwarded: lines("forwarded"),
            x_forwarded_for: lines("x-forwarded-for"),
            x_forwarded_proto: lines("x-forwarded-proto"),
        }
    }
}

/// A forwarding header that a trusted proxy sent malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MalformedHeader {
    Forwarded,
    XForwardedFor,
}

impl MalformedHeader {
    pub fn name(self) -> &'static str {
        match self {
            MalformedHeader::Forwarded => "forwarded",
            MalformedHeader::XForwardedFor => "x-forwarded-for",
        }
    }
}

/// What [`resolve`] concluded about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The client's address, IPv4-mapped addresses as IPv4.
    pub client: IpAddr,
    /// A trusted proxy said the client's connection was https.
    pub forwarded_https: bool,
    /// Headers from a trusted proxy that were ignored for being malformed.
    pub malformed: Vec<MalformedHeader>,
}

/// Resolves the client of a request that arrived from `peer`; see the module's rules.
pub fn resolve(
    peer: IpAddr,
    trusted: &TrustedProxies,
    headers: &ForwardingHeaders<'_>,
) -> Resolution {
    let peer = peer.to_canonical();
    let mut resolution = Resolution {
        client: peer,
        forwarded_https: false,
        malformed: Vec::new(),
    };
    if !trusted.contains(peer) {
        return resolution;
    }
    let mut proto_from_forwarded = None;
    let mut found = false;
    if !headers.forwarded.is_empty() {
        match parse_forwarded(&headers.forwarded) {
            Ok(elements) if !elements.is_empty() => {
                let (client, stop) = walk(peer, trusted, elements.iter().map(|e| e.hop));
                resolution.client = client;
                proto_from_forwarded = elements[stop].https;
                found = true;
            }
            Ok(_) => {}
            Err(Malformed) => resolution.malformed.push(MalformedHeader::Forwarded),
        }
    }
    if !found && !headers.x_forwarded_for.is_empty() {
        match parse_x_forwarded_for(&headers.x_forwarded_for) {
            Ok(hops) if !hops.is_empty() => {
                resolution.client = walk(peer, trusted, hops.into_iter()).0;
            }
            Ok(_) => {}
            Err(Malformed) => resolution.malformed.push(MalformedHeader::XForwardedFor),
        }
    }
    resolution.forwarded_https = proto_from_forwarded
        .unwrap_or_else(|| x_forwarded_proto_is_https(&headers.x_forwarded_proto));
    resolution
}

/// Walks `hops` (client first, at least one) from the right; returns the client and the
/// index of the hop the walk stopped at.
fn walk(
    peer: IpAddr,
    trusted: &TrustedProxies,
    hops: impl DoubleEndedIterator<Item = Hop> + ExactSizeIterator,
) -> (IpAddr, usize) {
    let mut nearest_known = peer;
    let mut stop = 0;
    for (index, hop) in hops.enumerate().rev() {
        stop = index;
        match hop {
            Hop::Unknown => return (nearest_known, index),
            Hop::Address(ip) => {
                let ip = ip.to_canonical();
                if !trusted.contains(ip) {
                    return (ip, index);
                }
                nearest_known = ip;
            }
        }
    }
    (nearest_known, stop)
}

/// The key a client is counted under: an IPv4 address as it is, an IPv6 address by its /64.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
    }
}

/// The client of this request, resolved once per request; take it as a handler argument.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr {
    ip: IpAddr,
    https: bool,
}

impl ClientAddr {
    /// The resolved client address.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// What rate limits and throttling count by: [`client_key`] of the address.
    pub fn key(&self) -> IpAddr {
        client_key(self.ip)
    }

    /// The connection is TLS, or a trusted proxy says the client's was.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// Resolves the client of `req`. Without a peer address (a request not from a TCP
    /// connection) nothing is trusted and the client is the unspecified address.
    pub fn of(req: &HttpRequest, trusted: &TrustedProxies) -> ClientAddr {
        let resolution = match req.peer_addr() {
            Some(peer) => resolve(
                peer.ip(),
                trusted,
                &ForwardingHeaders::from_map(req.headers()),
            ),
            None => Resolution {
                client: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                forwarded_https: false,
                malformed: Vec::new(),
            },
        };
        for header in &resolution.malformed {
            tracing::warn!(
                header = header.name(),
                "malformed forwarding header from a trusted proxy; using the proxy's address"
            );
        }
        ClientAddr {
            ip: resolution.client,
            https: req.app_config().secure() || resolution.forwarded_https,
        }
    }
}

impl ClientAddr {
    /// [`ClientAddr::of`], resolved once per request and kept in its extensions.
    pub fn of_request(req: &HttpRequest, trusted: &TrustedProxies) -> ClientAddr {
        if let Some(client) = req.extensions().get::<ClientAddr>() {
            return *client;
        }
        let client = ClientAddr::of(req, trusted);
        req.extensions_mut().insert(client);
        client
    }
}

/// Addresses are personal data: the debug form leaves them out.
impl fmt::Debug for ClientAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAddr")
            .field("https", &self.https)
            .finish_non_exhaustive()
    }
}

impl FromRequest for ClientAddr {
    type Error = WebError;
    type Future = Ready<Result<ClientAddr, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<WebState>>() else {
            return ready(Err(AppError::Internal("no app state".into()).into()));
        };
        ready(Ok(ClientAddr::of_request(req, &state.trusted_proxies)))
    }
}

#[cfg(test)]
mod tests;
