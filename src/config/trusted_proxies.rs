//! `RIGHTSDESK_TRUSTED_PROXIES`: the reverse proxies whose forwarding headers are believed.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

/// The addresses and ranges of trusted reverse proxies; empty by default, and then no
/// forwarding header is ever read.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// An entry that is neither an address nor a CIDR range; it holds the entry as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadProxyEntry(pub String);

impl TrustedProxies {
    /// No proxy is trusted.
    pub fn none() -> TrustedProxies {
        TrustedProxies(Vec::new())
    }

    /// Parses a comma-separated list such as `10.0.0.0/8, 192.168.1.5, ::1, fd00::/8`.
    /// Blank entries (a trailing comma) are skipped.
    pub fn parse_list(text: &str) -> Result<TrustedProxies, BadProxyEntry> {
        TrustedProxies::parse_entries(text.split(','))
    }

    /// Parses one entry per item, each an address or a CIDR range.
    pub fn parse_entries<'a>(
        entries: impl IntoIterator<Item = &'a str>,
    ) -> Result<TrustedProxies, BadProxyEntry> {
        entries
            .into_iter()
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(parse_entry)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    /// Whether `ip` is a trusted proxy. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, as a
    /// dual-stack listener reports IPv4 peers) matches the IPv4 ranges.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let canonical = ip.to_canonical();
        self.0
            .iter()
            .any(|net| net.contains(&canonical) || net.contains(&ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn ranges(&self) -> &[IpNet] {
        &self.0
    }
}

fn parse_entry(entry: &str) -> Result<IpNet, BadProxyEntry> {
    let bad = || BadProxyEntry(entry.to_string());
    if entry.contains('/') {
        entry
            .parse::<IpNet>()
            .map(|net| net.trunc())
            .map_err(|_| bad())
    } else {
        entry
            .parse::<IpAddr>()
            .map(|ip| IpNet::from(ip.to_canonical()))
            .map_err(|_| bad())
    }
}

impl fmt::Debug for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(ToString::to_string))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_and_single_addresses_of_both_families_are_read() {
        let trusted =
            TrustedProxies::parse_list("10.0.0.0/8, 192.168.1.5, ::1, fd00::/8,").unwrap();
        assert_eq!(trusted.ranges().len(), 4);
        for inside in ["10.1.2.3", "192.168.1.5", "::1", "fd12::7"] {
            assert!(trusted.contains(ip(inside)), "{inside}");
        }
        for outside in ["11.0.0.1", "192.168.1.6", "::2", "fe80::1", "2001:db8::1"] {
            assert!(!trusted.contains(ip(outside)), "{outside}");
        }
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_ranges() {
        let trusted = TrustedProxies::parse_list("10.0.0.0/8").unwrap();
        assert!(trusted.contains(ip("::ffff:10.0.0.1")));
        assert!(!trusted.contains(ip("::ffff:11.0.0.1")));
        // A mapped address written in the setting is the IPv4 address.
        let trusted = TrustedProxies::parse_list("::ffff:192.0.2.7").unwrap();
        assert!(trusted.contains(ip("192.0.2.7")));
        assert!(trusted.contains(ip("::ffff:192.0.2.7")));
    }

    #[test]
    fn a_range_with_host_bits_set_means_its_network() {
        let trusted = TrustedProxies::parse_list("10.1.2.3/16").unwrap();
        assert_eq!(format!("{trusted:?}"), r#"["10.1.0.0/16"]"#);
        assert!(trusted.contains(ip("10.1.200.1")));
    }

    #[test]
    fn nothing_is_trusted_by_default() {
        assert!(TrustedProxies::default().is_empty());
        assert!(!TrustedProxies::none().contains(ip("127.0.0.1")));
        assert!(TrustedProxies::parse_list("").unwrap().is_empty());
        assert!(TrustedProxies::parse_list(" , ").unwrap().is_empty());
    }

    #[test]
    fn a_bad_entry_is_named() {
        for (text, entry) in [
            ("10.0.0.0/8, proxy.internal", "proxy.internal"),
            ("10.0.0.0/33", "10.0.0.0/33"),
            ("10.0.0.1:80", "10.0.0.1:80"),
            ("*", "*"),
            ("fd00::/129", "fd00::/129"),
            ("10.0.0.0/", "10.0.0.0/"),
        ] {
            assert_eq!(
                TrustedProxies::parse_list(text),
                Err(BadProxyEntry(entry.to_string())),
                "{text}"
            );
        }
    }
}
