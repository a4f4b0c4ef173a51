use std::io::Write;
use std::sync::{Arc, Mutex};

use actix_web::test::TestRequest;

use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn trusted(text: &str) -> TrustedProxies {
    TrustedProxies::parse_list(text).unwrap()
}

struct Case<'a> {
    peer: &'a str,
    forwarded: &'a [&'a str],
    x_forwarded_for: &'a [&'a str],
    x_forwarded_proto: &'a [&'a str],
}

const NONE: &[&str] = &[];

impl Case<'_> {
    fn resolve(&self, trusted: &TrustedProxies) -> Resolution {
        let bytes = |lines: &[&str]| -> Vec<Vec<u8>> {
            lines.iter().map(|l| l.as_bytes().to_vec()).collect()
        };
        let (forwarded, xff, proto) = (
            bytes(self.forwarded),
            bytes(self.x_forwarded_for),
            bytes(self.x_forwarded_proto),
        );
        let headers = ForwardingHeaders {
            forwarded: forwarded.iter().map(Vec::as_slice).collect(),
            x_forwarded_for: xff.iter().map(Vec::as_slice).collect(),
            x_forwarded_proto: proto.iter().map(Vec::as_slice).collect(),
        };
        resolve(ip(self.peer), trusted, &headers)
    }
}

fn xff<'a>(peer: &'a str, x_forwarded_for: &'a [&'a str]) -> Case<'a> {
    Case {
        peer,
        forwarded: NONE,
        x_forwarded_for,
        x_forwarded_proto: NONE,
    }
}

fn fwd<'a>(peer: &'a str, forwarded: &'a [&'a str]) -> Case<'a> {
    Case {
        peer,
        forwarded,
        x_forwarded_for: NONE,
        x_forwarded_proto: NONE,
    }
}

#[test]
fn an_untrusted_peer_is_the_client_whatever_it_sends() {
    let everything = Case {
        peer: "203.0.113.9",
        forwarded: &["for=198.51.100.1;proto=https"],
        x_forwarded_for: &["198.51.100.2"],
        x_forwarded_proto: &["https"],
    };
    let malformed = Case {
        peer: "203.0.113.9",
        forwarded: &["for=\"[::1"],
        x_forwarded_for: &["nonsense"],
        x_forwarded_proto: &["https"],
    };
    for trusted in [TrustedProxies::none(), trusted("10.0.0.0/8, fd00::/8")] {
        for case in [&everything, &malformed] {
            assert_eq!(
                case.resolve(&trusted),
                Resolution {
                    client: ip("203.0.113.9"),
                    forwarded_https: false,
                    malformed: vec![],
                }
            );
        }
    }
    // Not even a trusted-looking address in the headers lets an untrusted peer in.
    let proxies = trusted("10.0.0.0/8");
    let case = xff("203.0.113.9", &["198.51.100.2, 10.0.0.1"]);
    assert_eq!(case.resolve(&proxies).client, ip("203.0.113.9"));
}

#[test]
fn the_right_most_untrusted_hop_is_the_client() {
    let proxies = trusted("10.0.0.0/8, 192.168.1.5, fd00::/8");
    for (case, client) in [
        (xff("10.0.0.1", &["198.51.100.7"]), "198.51.100.7"),
        // The left-most entry came from the client itself and may be anything.
        (
            xff("10.0.0.1", &["1.1.1.1, 198.51.100.7, 10.0.0.5"]),
            "198.51.100.7",
        ),
        (
            xff("10.0.0.1", &["1.1.1.1", "198.51.100.7", "192.168.1.5"]),
            "198.51.100.7",
        ),
        (xff("192.168.1.5", &["2001:db8::7, fd00::1"]), "2001:db8::7"),
        // Every hop trusted: the left-most is the client.
        (xff("10.0.0.1", &["10.0.0.3, 10.0.0.4"]), "10.0.0.3"),
        (
            fwd("10.0.0.1", &["for=\"[fd00::9]\", for=10.0.0.4"]),
            "fd00::9",
        ),
        // Ports go; IPv4-mapped addresses become IPv4, trusted or not.
        (xff("10.0.0.1", &["198.51.100.7:5555"]), "198.51.100.7"),
        (xff("::ffff:10.0.0.1", &["198.51.100.7"]), "198.51.100.7"),
        (xff("10.0.0.1", &["::ffff:198.51.100.7"]), "198.51.100.7"),
        (
            xff("10.0.0.1", &["198.51.100.7, ::ffff:10.0.0.9"]),
            "198.51.100.7",
        ),
        (
            fwd("10.0.0.1", &["for=\"[2001:db8:1:2::1]:4711\""]),
            "2001:db8:1:2::1",
        ),
        (
            fwd(
                "10.0.0.1",
                &["for=1.1.1.1", "for=198.51.100.7;by=10.0.0.2, for=10.0.0.2"],
            ),
            "198.51.100.7",
        ),
        // A trusted peer with no forwarding header is the client.
        (xff("10.0.0.1", NONE), "10.0.0.1"),
        (xff("10.0.0.1", &[""]), "10.0.0.1"),
    ] {
        let resolution = case.resolve(&proxies);
        assert_eq!(resolution.client, ip(client), "{:?}", case.x_forwarded_for);
        assert!(resolution.malformed.is_empty());
    }
}

#[test]
fn forwarded_wins_over_x_forwarded_for() {
    let proxies = trusted("10.0.0.0/8");
    let case = Case {
        peer: "10.0.0.1",
        forwarded: &["for=198.51.100.1"],
        x_forwarded_for: &["198.51.100.2"],
        x_forwarded_proto: NONE,
    };
    assert_eq!(case.resolve(&proxies).client, ip("198.51.100.1"));
    // A Forwarded header with no element at all is as good as absent.
    let case = Case {
        forwarded: &[" , "],
        ..case
    };
    let resolution = case.resolve(&proxies);
    assert_eq!(resolution.client, ip("198.51.100.2"));
    assert!(resolution.malformed.is_empty());
}

#[test]
fn a_hidden_hop_stops_the_walk_at_the_nearest_known_address() {
    let proxies = trusted("10.0.0.0/8");
    for (case, client) in [
        // Hidden right behind our peer: the peer is all we know.
        (
            fwd("10.0.0.1", &["for=198.51.100.1, for=_hidden"]),
            "10.0.0.1",
        ),
        (
            fwd("10.0.0.1", &["for=198.51.100.1, for=unknown"]),
            "10.0.0.1",
        ),
        // Hidden behind another trusted proxy: that proxy.
        (
            fwd("10.0.0.1", &["for=198.51.100.1, for=unknown, for=10.0.0.7"]),
            "10.0.0.7",
        ),
        (
            fwd("10.0.0.1", &["for=\"_x:_y\", for=10.0.0.7"]),
            "10.0.0.7",
        ),
        // An element without for= names no address either.
        (
            fwd("10.0.0.1", &["for=198.51.100.1, proto=https"]),
            "10.0.0.1",
        ),
        (xff("10.0.0.1", &["198.51.100.1, unknown"]), "10.0.0.1"),
        (xff("10.0.0.1", &["unknown, 10.0.0.8"]), "10.0.0.8"),
        // An untrusted address to the right of a hidden hop is found first.
        (
            fwd("10.0.0.1", &["for=_hidden, for=198.51.100.1"]),
            "198.51.100.1",
        ),
    ] {
        let resolution = case.resolve(&proxies);
        assert_eq!(resolution.client, ip(client), "{:?}", case.forwarded);
        assert!(resolution.malformed.is_empty());
    }
}

#[test]
fn a_malformed_header_is_ignored_whole_and_reported() {
    let proxies = trusted("10.0.0.0/8");
    let forwarded_only = |forwarded| Case {
        peer: "10.0.0.1",
        forwarded,
        x_forwarded_for: NONE,
        x_forwarded_proto: NONE,
    };
    for (case, client, malformed) in [
        (
            Case {
                x_forwarded_for: &["198.51.100.2"],
                ..forwarded_only(&["for="])
            },
            "198.51.100.2",
            vec![MalformedHeader::Forwarded],
        ),
        (
            Case {
                x_forwarded_for: &["198.51.100.2"],
                ..forwarded_only(&["for=198.51.100.1", "for=\"[::1"])
            },
            "198.51.100.2",
            vec![MalformedHeader::Forwarded],
        ),
        (
            Case {
                x_forwarded_for: &["198.51.100.2"],
                ..forwarded_only(&["for=example.org"])
            },
            "198.51.100.2",
            vec![MalformedHeader::Forwarded],
        ),
        (
            forwarded_only(&["for=198.51.100.1;for=198.51.100.3"]),
            "10.0.0.1",
            vec![MalformedHeader::Forwarded],
        ),
        (
            xff("10.0.0.1", &["198.51.100.2, not-an-address"]),
            "10.0.0.1",
            vec![MalformedHeader::XForwardedFor],
        ),
        (
            Case {
                x_forwarded_for: &["198.51.100.2 198.51.100.3"],
                ..forwarded_only(&["for=\"ü\""])
            },
            "10.0.0.1",
            vec![MalformedHeader::Forwarded, MalformedHeader::XForwardedFor],
        ),
        // A good Forwarded leaves X-Forwarded-For unread, malformed or not.
        (
            Case {
                x_forwarded_for: &["garbage"],
                ..forwarded_only(&["for=198.51.100.1"])
            },
            "198.51.100.1",
            vec![],
        ),
    ] {
        let resolution = case.resolve(&proxies);
        assert_eq!(resolution.client, ip(client), "{:?}", case.forwarded);
        assert_eq!(resolution.malformed, malformed, "{:?}", case.forwarded);
    }
}

#[test]
fn https_is_believed_only_from_a_trusted_peer() {
    let proxies = trusted("10.0.0.0/8");
    let https = |peer, forwarded, x_forwarded_proto| {
        Case {
            peer,
            forwarded,
            x_forwarded_for: NONE,
            x_forwarded_proto,
        }
        .resolve(&proxies)
        .forwarded_https
    };
    assert!(https("10.0.0.1", NONE, &["https"]));
    assert!(!https("203.0.113.9", NONE, &["https"]));
    assert!(!https("10.0.0.1", NONE, &["http"]));
    assert!(!https("10.0.0.1", NONE, NONE));
    assert!(https("10.0.0.1", &["for=198.51.100.1;proto=https"], NONE));
    assert!(!https(
        "203.0.113.9",
        &["for=198.51.100.1;proto=https"],
        NONE
    ));
    // The proto of the element the walk stopped at: the one the client-facing proxy wrote.
    assert!(https(
        "10.0.0.1",
        &["for=198.51.100.1;proto=https, for=10.0.0.2;proto=http"],
        NONE
    ));
    assert!(!https(
        "10.0.0.1",
        &["for=198.51.100.1;proto=http, for=10.0.0.2;proto=https"],
        NONE
    ));
    // Forwarded's own proto wins; without one, X-Forwarded-Proto speaks.
    assert!(!https(
        "10.0.0.1",
        &["for=198.51.100.1;proto=http"],
        &["https"]
    ));
    assert!(https("10.0.0.1", &["for=198.51.100.1"], &["https"]));
    // A malformed Forwarded says nothing about the protocol either.
    assert!(!https("10.0.0.1", &["for=;proto=https"], NONE));
}

#[test]
fn ipv6_clients_are_keyed_by_their_64_and_ipv4_by_address() {
    for (address, key) in [
        ("192.0.2.1", "192.0.2.1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("2001:db8:1:2::99", "2001:db8:1:2::"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),
        ("2001:db8:1:3::1", "2001:db8:1:3::"),
        ("::1", "::"),
    ] {
        assert_eq!(client_key(ip(address)), ip(key), "{address}");
    }
}

#[test]
fn the_extractor_reads_the_request() {
    let proxies = trusted("127.0.0.1");
    let req = TestRequest::default()
        .peer_addr("127.0.0.1:40000".parse().unwrap())
        .insert_header(("X-Forwarded-For", "2001:db8:1:2::99"))
        .insert_header(("X-Forwarded-Proto", "https"))
        .to_http_request();
    let client = ClientAddr::of(&req, &proxies);
    assert_eq!(client.ip(), ip("2001:db8:1:2::99"));
    assert_eq!(client.key(), ip("2001:db8:1:2::"));
    assert!(client.is_https());
    assert!(!format!("{client:?}").contains("2001"));

    let spoofed = TestRequest::default()
        .peer_addr("198.51.100.7:40000".parse().unwrap())
        .insert_header(("X-Forwarded-For", "192.0.2.1"))
        .insert_header(("X-Forwarded-Proto", "https"))
        .to_http_request();
    let client = ClientAddr::of(&spoofed, &proxies);
    assert_eq!(client.ip(), ip("198.51.100.7"));
    assert!(!client.is_https());

    let no_peer = TestRequest::default()
        .insert_header(("X-Forwarded-For", "192.0.2.1"))
        .to_http_request();
    assert_eq!(
        ClientAddr::of(&no_peer, &trusted("0.0.0.0/0")).ip(),
        ip("0.0.0.0"),
        "without a peer nothing is trusted"
    );
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_malformed_header_is_logged_once_without_its_contents() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let req = TestRequest::default()
        .peer_addr("10.0.0.1:40000".parse().unwrap())
        .insert_header(("Forwarded", "for=\"[2001:db8::5"))
        .insert_header(("X-Forwarded-For", "198.51.100.23"))
        .to_http_request();
    let client = tracing::subscriber::with_default(subscriber, || {
        ClientAddr::of(&req, &trusted("10.0.0.0/8"))
    });
    assert_eq!(client.ip(), ip("198.51.100.23"));
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("header=\"forwarded\""), "{log}");
    for leak in ["2001", "198.51", "10.0.0", "for="] {
        assert!(!log.contains(leak), "{log}");
    }
}
