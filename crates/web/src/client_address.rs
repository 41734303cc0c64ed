//! Who is at the other end: the client's address, which the login throttle and lockout count
//! by (issue 17).
//!
//! The address is the socket peer's, unless that peer is a trusted proxy (`dongbo serve
//! --trusted-proxy ADDR_OR_CIDR`, none by default). Then it is the right-most address of
//! `X-Forwarded-For` that is not itself a trusted proxy: each proxy appends the address it was
//! reached from, so the entries to the right of the first untrusted one were written by our
//! own proxies, and everything to its left was written by the client and can be forged. A
//! client that is not a trusted proxy may send any `X-Forwarded-For` it likes: it is ignored.
//!
//! IPv4 addresses seen through an IPv6 socket (`::ffff:192.0.2.1`) are the IPv4 address.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;

/// One address or network of trusted reverse proxies: `10.0.0.5`, `10.0.0.0/8`, `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
}

/// What is wrong with a `--trusted-proxy` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("«{0}» is not an IP address or a network (ADDRESS/PREFIX, e.g. 10.0.0.0/8)")]
pub struct BadTrustedProxy(String);

impl TrustedProxy {
    /// An address (`10.0.0.5`) or a network in CIDR notation (`10.0.0.0/8`, `fd00::/8`).
    pub fn parse(text: &str) -> Result<TrustedProxy, BadTrustedProxy> {
        let text = text.trim();
        let bad = || BadTrustedProxy(text.to_owned());
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().map_err(|_| bad())?;
        let address = address.to_canonical();
        let max = bits(address);
        let prefix = match prefix {
            None => max,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(bad)?,
        };
        Ok(TrustedProxy {
            network: address,
            prefix,
        })
    }

    /// Whether `address` is in this network.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(address)) => same_prefix(
                network.to_bits().into(),
                address.to_bits().into(),
                32,
                self.prefix,
            ),
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                same_prefix(network.to_bits(), address.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

impl FromStr for TrustedProxy {
    type Err = BadTrustedProxy;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TrustedProxy::parse(text)
    }
}

impl fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

fn bits(address: IpAddr) -> u8 {
    if address.is_ipv4() { 32 } else { 128 }
}

/// Whether `a` and `b`, numbers of `width` bits, agree on their first `prefix` bits.
fn same_prefix(a: u128, b: u128, width: u32, prefix: u8) -> bool {
    let ignored = width - u32::from(prefix);
    ignored >= width || (a >> ignored) == (b >> ignored)
}

/// The reverse proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<TrustedProxy>);

impl TrustedProxies {
    pub fn new(proxies: Vec<TrustedProxy>) -> TrustedProxies {
        TrustedProxies(proxies)
    }

    /// Whether `address` is one of the trusted proxies.
    pub fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|proxy| proxy.contains(address))
    }

    /// The client's address for a request that came from socket peer `peer` with `headers`
    /// (see the module documentation).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        // Several `X-Forwarded-For` headers are one list, in order.
        let mut hops: Vec<Option<IpAddr>> = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            let Ok(value) = value.to_str() else {
                hops.push(None);
                continue;
            };
            hops.extend(value.split(',').map(hop_address));
        }
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop {
                // An entry our own proxy cannot have written: stop at the last one we trust.
                None => return client,
                Some(address) if self.trusts(address) => client = address,
                Some(address) => return address,
            }
        }
        // Every hop is one of ours: the request started inside; the farthest hop is the client.
        client
    }
}

/// An entry of `X-Forwarded-For`: an address, possibly with a port (`192.0.2.1:4711`,
/// `[2001:db8::1]:4711`).
fn hop_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|address| address.to_canonical())
}

/// The socket peer of a request, when the server was started with connection info (it always
/// is; a router driven without a socket, in a unit test, is taken to be local).
pub fn peer(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |info| info.0.ip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().map(|p| p.parse().unwrap()).collect())
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let network: TrustedProxy = "10.0.0.0/8".parse().unwrap();
        assert!(network.contains(ip("10.200.3.4")));
        assert!(!network.contains(ip("11.0.0.1")));
        assert!(
            network.contains(ip("::ffff:10.1.2.3")),
            "an IPv4 address on an IPv6 socket"
        );
        let one: TrustedProxy = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: TrustedProxy = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("2001:db8::1")));
        let everything: TrustedProxy = "0.0.0.0/0".parse().unwrap();
        assert!(everything.contains(ip("203.0.113.9")));
        for bad in [
            "",
            "10.0.0.0/33",
            "proxy.local",
            "10.0.0.0/",
            "::/129",
            "10.0.0.0/-1",
        ] {
            assert!(bad.parse::<TrustedProxy>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn without_trusted_proxies_the_client_is_the_socket_peer_whatever_it_forwards() {
        let none = TrustedProxies::default();
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(none.client(ip("192.0.2.1"), &headers), ip("192.0.2.1"));
        let other = proxies(&["10.0.0.1"]);
        assert_eq!(other.client(ip("192.0.2.1"), &headers), ip("192.0.2.1"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_hop() {
        let ours = proxies(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.1");
        // The client forged the first entry; our proxies appended the rest.
        let headers = forwarded(&["1.2.3.4, 203.0.113.9, 10.0.0.2"]);
        assert_eq!(ours.client(peer, &headers), ip("203.0.113.9"));
        // Several headers are one list.
        let headers = forwarded(&["1.2.3.4", "203.0.113.9:5100, 10.0.0.2"]);
        assert_eq!(ours.client(peer, &headers), ip("203.0.113.9"));
        // No header: the proxy itself.
        assert_eq!(ours.client(peer, &HeaderMap::new()), peer);
        // Every hop is ours: the farthest one.
        let headers = forwarded(&["10.9.9.9, 10.0.0.2"]);
        assert_eq!(ours.client(peer, &headers), ip("10.9.9.9"));
        // Garbage where our proxy writes: the last hop we trust.
        let headers = forwarded(&["203.0.113.9, garbage, 10.0.0.2"]);
        assert_eq!(ours.client(peer, &headers), ip("10.0.0.2"));
        let headers = forwarded(&["[2001:db8::7]:443"]);
        assert_eq!(ours.client(peer, &headers), ip("2001:db8::7"));
    }
}
