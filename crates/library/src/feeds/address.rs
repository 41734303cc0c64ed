//! Which addresses a pull source may reach. A server that fetches any URL an agency types
//! would be a way into the intranet it stands in (its database, its admin listener, a
//! router's page): loopback, private (RFC 1918, ULA), link-local, CGNAT, unspecified,
//! multicast, broadcast, reserved and documentation addresses are refused, unless an
//! administrator allows a range (`dongbo serve --library-allow-net 10.1.2.0/24`,
//! `DONGBO_LIBRARY_ALLOW_NET`). An IPv4 address inside IPv6 (mapped, NAT64) is judged as the
//! IPv4 address it carries.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// A network: an address and a prefix length (`10.0.0.0/8`, `fd00::/8`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    address: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `ip` is in this network (an IPv4 network never holds an IPv6 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let text = text.trim();
        let bad = || format!("«{text}» is not an address or a network such as 10.1.2.0/24");
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().map_err(|_| bad())?;
        let most = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse::<u8>().map_err(|_| bad())?,
            None => most,
        };
        if prefix > most {
            return Err(bad());
        }
        Ok(Cidr { address, prefix })
    }
}

/// The ranges a source may not reach, each with its name (said in the refusal).
const REFUSED_V4: &[(&str, &str)] = &[
    ("0.0.0.0/8", "unspecified («this network»)"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared carrier-grade NAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved (and broadcast)"),
];

const REFUSED_V6: &[(&str, &str)] = &[
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("100::/64", "discard-only"),
    ("2001:db8::/32", "documentation"),
    ("fc00::/7", "private (unique local)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
];

/// The range of `ip` a source may not reach, as (network, name); `None` for a public address.
pub fn refused_range(ip: IpAddr) -> Option<(Cidr, &'static str)> {
    let ip = embedded_v4(ip).map_or(ip, IpAddr::V4);
    let table = if ip.is_ipv4() { REFUSED_V4 } else { REFUSED_V6 };
    table.iter().find_map(|(net, name)| {
        let net: Cidr = net.parse().ok()?;
        net.contains(ip).then_some((net, *name))
    })
}

/// The IPv4 address an IPv6 one carries (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`,
/// IPv4-compatible `::a.b.c.d`), else `None`.
fn embedded_v4(ip: IpAddr) -> Option<Ipv4Addr> {
    let IpAddr::V6(v6) = ip else { return None };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    let segments = v6.segments();
    let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    let compatible =
        segments[..6] == [0; 6] && v6 != Ipv6Addr::UNSPECIFIED && v6 != Ipv6Addr::LOCALHOST;
    (nat64 || compatible).then(|| {
        let bits = u128::from(v6) as u32;
        Ipv4Addr::from(bits)
    })
}

/// The ranges an administrator allows besides the public Internet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    allowed: Vec<Cidr>,
}

/// Why an address may not be reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "địa chỉ {address} thuộc dải {name} {range}, không được phép; quản trị viên có thể cho phép \
     bằng --library-allow-net (the address {address} is in the {name} range {range}, which \
     sources may not reach; an administrator may allow it with --library-allow-net)"
)]
pub struct Refused {
    pub address: IpAddr,
    pub range: Cidr,
    pub name: &'static str,
}

impl AddressPolicy {
    /// A policy allowing `allowed` besides public addresses (a test allows loopback).
    pub fn allowing(allowed: Vec<Cidr>) -> AddressPolicy {
        AddressPolicy { allowed }
    }

    pub fn allowed(&self) -> &[Cidr] {
        &self.allowed
    }

    /// Whether a source may reach `ip`, and if not why.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refused> {
        let Some((range, name)) = refused_range(ip) else {
            return Ok(());
        };
        let as_v4 = embedded_v4(ip).map(IpAddr::V4);
        if self
            .allowed
            .iter()
            .any(|net| net.contains(ip) || as_v4.is_some_and(|v4| net.contains(v4)))
        {
            Ok(())
        } else {
            Err(Refused {
                address: ip,
                range,
                name,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn private_loopback_and_the_other_inner_ranges_are_refused_public_ones_are_not() {
        let policy = AddressPolicy::default();
        for inner in [
            "127.0.0.1",
            "10.1.2.3",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.10",
            "::1",
            "::",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(policy.check(ip(inner)).is_err(), "{inner} must be refused");
        }
        for public in ["1.1.1.1", "14.225.0.1", "172.32.0.1", "2606:4700::1111"] {
            assert!(policy.check(ip(public)).is_ok(), "{public} is public");
        }
    }

    #[test]
    fn an_allowed_range_is_reached_and_only_it() {
        let policy = AddressPolicy::allowing(vec!["10.1.2.0/24".parse().unwrap()]);
        assert!(policy.check(ip("10.1.2.200")).is_ok());
        assert!(policy.check(ip("::ffff:10.1.2.200")).is_ok());
        let refused = policy.check(ip("10.1.3.1")).unwrap_err();
        assert_eq!(refused.range.to_string(), "10.0.0.0/8");
        assert!(
            refused.to_string().contains("--library-allow-net"),
            "{refused}"
        );
    }

    #[test]
    fn networks_parse_strictly() {
        assert_eq!(
            "127.0.0.0/8".parse::<Cidr>().unwrap().to_string(),
            "127.0.0.0/8"
        );
        assert_eq!("::1".parse::<Cidr>().unwrap().to_string(), "::1/128");
        for bad in ["10.0.0.0/33", "fd00::/129", "localhost", "10.0.0/8", ""] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }
}
