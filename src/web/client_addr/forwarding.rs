//! The forwarding headers' grammar: `Forwarded` (RFC 7239) and the de-facto
//! `X-Forwarded-For` and `X-Forwarded-Proto`. Pure parsers over the raw header bytes; every
//! input, however odd, gives a value or `Malformed`, never a panic.
//!
//! A list of hops reads left to right from the client towards us: each proxy appends the
//! address it received the request from, so the right-most entry was written by our peer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// One hop that a forwarding header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    Address(IpAddr),
    /// `unknown`, an obfuscated identifier (`_hidden`), or a `Forwarded` element without
    /// `for=`: a hop happened, from where is not said.
    Unknown,
}

/// One element of `Forwarded`: the hop it names and the protocol it was received over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardedElement {
    pub hop: Hop,
    /// `Some(true)` for `proto=https`, `Some(false)` for another scheme, `None` without `proto=`.
    pub https: Option<bool>,
}

/// The header does not follow its grammar; it is used as a whole or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// Parses every `Forwarded` header line, in order, into its elements. Empty list elements
/// are skipped, as HTTP's list rule asks; anything else off the grammar (a parameter twice
/// in one element, a `for=` that is not a node, an unclosed quote) makes the whole header
/// `Malformed`.
pub fn parse_forwarded(lines: &[&[u8]]) -> Result<Vec<ForwardedElement>, Malformed> {
    let mut elements = Vec::new();
    for line in lines {
        parse_forwarded_line(line, &mut elements)?;
    }
    Ok(elements)
}

/// Parses every `X-Forwarded-For` line, in order: comma-separated addresses (IPv4, IPv6,
/// either with a port: `192.0.2.1:8080`, `[2001:db8::1]:4711`) or `unknown`. Empty entries
/// are skipped; any other entry makes the header `Malformed`.
pub fn parse_x_forwarded_for(lines: &[&[u8]]) -> Result<Vec<Hop>, Malformed> {
    let mut hops = Vec::new();
    for line in lines {
        let text = std::str::from_utf8(line).map_err(|_| Malformed)?;
        for entry in text.split(',') {
            let entry = entry.trim_matches(is_ows_char);
            if entry.is_empty() {
                continue;
            }
            hops.push(x_forwarded_for_entry(entry).ok_or(Malformed)?);
        }
    }
    Ok(hops)
}

/// Whether `X-Forwarded-Proto` says https. When the header holds a list, the right-most value
/// counts: the one our peer, the trusted proxy, wrote or passed on itself.
pub fn x_forwarded_proto_is_https(lines: &[&[u8]]) -> bool {
    lines
        .iter()
        .flat_map(|line| line.split(|b| *b == b','))
        .map(|value| value.trim_ascii())
        .rfind(|value| !value.is_empty())
        .is_some_and(|value| value.eq_ignore_ascii_case(b"https"))
}

fn x_forwarded_for_entry(entry: &str) -> Option<Hop> {
    if entry.eq_ignore_ascii_case("unknown") {
        return Some(Hop::Unknown);
    }
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(Hop::Address(ip));
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Some(Hop::Address(socket.ip()));
    }
    let inner = entry.strip_prefix('[')?.strip_suffix(']')?;
    inner
        .parse::<Ipv6Addr>()
        .ok()
        .map(|ip| Hop::Address(ip.into()))
}

fn is_ows_char(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// A cursor over one header line.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn token(&mut self) -> Result<&[u8], Malformed> {
        let start = self.at;
        while self.peek().is_some_and(is_tchar) {
            self.at += 1;
        }
        if self.at == start {
            return Err(Malformed);
        }
        Ok(&self.bytes[start..self.at])
    }

    /// A token or a quoted-string, unescaped.
    fn value(&mut self) -> Result<Vec<u8>, Malformed> {
        if !self.eat(b'"') {
            return self.token().map(<[u8]>::to_vec);
        }
        let mut value = Vec::new();
        loop {
            match self.peek() {
                None => return Err(Malformed),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(value);
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(byte) if is_quotable(byte) => value.push(byte),
                        _ => return Err(Malformed),
                    }
                }
                Some(byte) if is_qdtext(byte) => value.push(byte),
                Some(_) => return Err(Malformed),
            }
            self.at += 1;
        }
    }
}

fn parse_forwarded_line(
    line: &[u8],
    elements: &mut Vec<ForwardedElement>,
) -> Result<(), Malformed> {
    let mut cursor = Cursor { bytes: line, at: 0 };
    loop {
        cursor.skip_ows();
        match cursor.peek() {
            None => return Ok(()),
            Some(b',') => {
                cursor.at += 1;
                continue;
            }
            Some(_) => {}
        }
        if let Some(element) = forwarded_element(&mut cursor)? {
            elements.push(element);
        }
        cursor.skip_ows();
        match cursor.peek() {
            None => return Ok(()),
            Some(b',') => cursor.at += 1,
            Some(_) => return Err(Malformed),
        }
    }
}

/// `[pair] *( ";" [pair] )`; `None` for an element without any pair.
fn forwarded_element(cursor: &mut Cursor<'_>) -> Result<Option<ForwardedElement>, Malformed> {
    let mut any_pair = false;
    // RFC 7239's own parameters may each occur once; extensions are passed over.
    let mut seen = [false; 4];
    let mut element = ForwardedElement {
        hop: Hop::Unknown,
        https: None,
    };
    loop {
        cursor.skip_ows();
        match cursor.peek() {
            None | Some(b',') => break,
            Some(b';') => {
                cursor.at += 1;
                continue;
            }
            Some(_) => {}
        }
        let name = cursor.token()?.to_ascii_lowercase();
        if !cursor.eat(b'=') {
            return Err(Malformed);
        }
        let value = cursor.value()?;
        any_pair = true;
        if let Some(index) = [&b"for"[..], b"by", b"host", b"proto"]
            .iter()
            .position(|known| *known == name.as_slice())
        {
            if std::mem::replace(&mut seen[index], true) {
                return Err(Malformed);
            }
        }
        match name.as_slice() {
            b"for" => element.hop = node(&value).ok_or(Malformed)?,
            b"proto" => {
                if !is_scheme(&value) {
                    return Err(Malformed);
                }
                element.https = Some(value.eq_ignore_ascii_case(b"https"));
            }
            _ => {}
        }
        cursor.skip_ows();
        if !cursor.eat(b';') {
            break;
        }
    }
    Ok(any_pair.then_some(element))
}

/// RFC 7239's `node`: `nodename [ ":" node-port ]`, where the name is an IPv4 address,
/// a bracketed IPv6 address, `unknown` or an obfuscated `_identifier`.
fn node(value: &[u8]) -> Option<Hop> {
    let text = std::str::from_utf8(value).ok()?;
    if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_node_port)) {
            return None;
        }
        return inside
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| Hop::Address(ip.into()));
    }
    let (name, port) = match text.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (text, None),
    };
    if !port.is_none_or(is_node_port) {
        return None;
    }
    if name.eq_ignore_ascii_case("unknown") || is_obfuscated(name) {
        return Some(Hop::Unknown);
    }
    name.parse::<Ipv4Addr>()
        .ok()
        .map(|ip| Hop::Address(ip.into()))
}

fn is_node_port(port: &str) -> bool {
    let digits = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    digits || is_obfuscated(port)
}

/// `"_" 1*( ALPHA / DIGIT / "." / "_" / "-" )`
fn is_obfuscated(text: &str) -> bool {
    text.strip_prefix('_').is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    })
}

/// A URI scheme: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(value: &[u8]) -> bool {
    value.first().is_some_and(u8::is_ascii_alphabetic)
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

fn is_qdtext(byte: u8) -> bool {
    matches!(byte, b'\t' | b' ' | 0x21 | 0x23..=0x5B | 0x5D..=0x7E | 0x80..=0xFF)
}

fn is_quotable(byte: u8) -> bool {
    matches!(byte, b'\t' | b' ' | 0x21..=0x7E | 0x80..=0xFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Hop {
        Hop::Address(text.parse().unwrap())
    }

    fn forwarded(lines: &[&str]) -> Result<Vec<ForwardedElement>, Malformed> {
        let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        parse_forwarded(&lines)
    }

    fn forwarded_hops(lines: &[&str]) -> Result<Vec<Hop>, Malformed> {
        forwarded(lines).map(|elements| elements.iter().map(|e| e.hop).collect())
    }

    fn xff(lines: &[&str]) -> Result<Vec<Hop>, Malformed> {
        let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        parse_x_forwarded_for(&lines)
    }

    #[test]
    fn forwarded_for_values_of_every_form() {
        for (line, hop) in [
            ("for=192.0.2.60", ip("192.0.2.60")),
            ("for=\"192.0.2.60\"", ip("192.0.2.60")),
            ("FOR=192.0.2.60", ip("192.0.2.60")),
            ("for=\"192.0.2.1:8080\"", ip("192.0.2.1")),
            ("for=\"192.0.2.1:_port\"", ip("192.0.2.1")),
            ("for=\"[2001:db8:cafe::17]\"", ip("2001:db8:cafe::17")),
            ("for=\"[2001:db8::1]:4711\"", ip("2001:db8::1")),
            ("for=\"[::ffff:192.0.2.9]\"", ip("::ffff:192.0.2.9")),
            ("for=\"\\[::1\\]\"", ip("::1")),
            ("for=unknown", Hop::Unknown),
            ("for=UNKNOWN", Hop::Unknown),
            ("for=\"unknown:80\"", Hop::Unknown),
            ("for=_hidden", Hop::Unknown),
            ("for=\"_SEVKISEK\"", Hop::Unknown),
            ("for=\"_gazonk:_port.1\"", Hop::Unknown),
            ("proto=https;by=203.0.113.43", Hop::Unknown),
            (
                " for=192.0.2.60 ; proto=http ; by=203.0.113.43 ",
                ip("192.0.2.60"),
            ),
            ("for=192.0.2.60;host=\"exämple\"", ip("192.0.2.60")),
        ] {
            assert_eq!(forwarded_hops(&[line]), Ok(vec![hop]), "{line}");
        }
    }

    #[test]
    fn forwarded_elements_and_lines_combine_in_order() {
        assert_eq!(
            forwarded_hops(&["for=192.0.2.43, for=\"[2001:db8:cafe::17]\"", "for=unknown"]),
            Ok(vec![
                ip("192.0.2.43"),
                ip("2001:db8:cafe::17"),
                Hop::Unknown
            ])
        );
        assert_eq!(
            forwarded_hops(&[", for=192.0.2.1,,  ,for=192.0.2.2,", ";"]),
            Ok(vec![ip("192.0.2.1"), ip("192.0.2.2")])
        );
        assert_eq!(forwarded_hops(&[""]), Ok(vec![]));
        assert_eq!(forwarded_hops(&[]), Ok(vec![]));
    }

    #[test]
    fn forwarded_proto_is_read_per_element() {
        let elements =
            forwarded(&["for=192.0.2.1;proto=HTTPS, for=10.0.0.1;proto=http, for=10.0.0.2"])
                .unwrap();
        let https: Vec<_> = elements.iter().map(|e| e.https).collect();
        assert_eq!(https, vec![Some(true), Some(false), None]);
    }

    #[test]
    fn malformed_forwarded_headers_are_refused_whole() {
        for line in [
            "for=",
            "for=\"\"",
            "for",
            "=192.0.2.1",
            "for=\"[::1",
            "for=\"[::1]",
            "for=[::1]",
            "for=\"::1\"",
            "for=\"2001:db8::1\"",
            "for=\"[192.0.2.1]\"",
            "for=\"[::1]80\"",
            "for=\"[::1]:\"",
            "for=\"[::1]:123456\"",
            "for=\"[fe80::1%eth0]\"",
            "for=192.0.2.1:8080",
            "for=\"192.0.2.1:\"",
            "for=\"192.0.2.1:80:80\"",
            "for=\"192.0.2.256\"",
            "for=\"192.0.2\"",
            "for=\"_\"",
            "for=\"_a b\"",
            "for=example.org",
            "for=192.0.2.1;for=192.0.2.2",
            "for=192.0.2.1 for=192.0.2.2",
            "for = 192.0.2.1",
            "for=192.0.2.1;proto=\"ht tp\"",
            "for=192.0.2.1;proto=1https",
            "for=\"192.0.2.1\"x",
            "for=\"192.0.2.1\\",
            "for=\"bad\\\u{7f}\"",
            "for=\"192.0.2.1\u{7f}\"",
            "for=192.0.2.1;by=ü",
            "for=\"ü\"",
            "\"for\"=192.0.2.1",
            "for=192.0.2.1,,x",
        ] {
            assert_eq!(forwarded(&[line]), Err(Malformed), "{line:?}");
        }
        // One bad line spoils the header, and a quote never runs on into the next line.
        assert_eq!(forwarded(&["for=192.0.2.1", "for=\"[::1"]), Err(Malformed));
        assert_eq!(forwarded(&["for=\"192.0.2.1", "\""]), Err(Malformed));
    }

    #[test]
    fn odd_input_never_panics() {
        let long_list = "for=192.0.2.1, ".repeat(5_000);
        let long_quote = format!("for=\"{}\"", "a".repeat(100_000));
        let deep = "[".repeat(10_000);
        let odd: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"for=".to_vec(),
            b"for=\"[::1".to_vec(),
            b"\"".to_vec(),
            b"\\".to_vec(),
            b";;;,,,;".to_vec(),
            b"for=\"\\".to_vec(),
            b"for=\"[]\"".to_vec(),
            b"for=\"[]:\"".to_vec(),
            b"for=\"[\"".to_vec(),
            b"for=\"]\"".to_vec(),
            b"for=\":\"".to_vec(),
            b"for=\"_:_\"".to_vec(),
            "for=\"[::1]:ポート\"".as_bytes().to_vec(),
            "für=1.2.3.4".as_bytes().to_vec(),
            "for=\"\u{0}\"".as_bytes().to_vec(),
            vec![0xff, 0xfe, b'=', 0x80],
            b"for=\"\xff\xfe\"".to_vec(),
            b"for=1.2.3.4\r\n".to_vec(),
            long_list.into_bytes(),
            long_quote.into_bytes(),
            deep.into_bytes(),
        ];
        for line in &odd {
            let _ = parse_forwarded(&[line.as_slice()]);
            let _ = parse_x_forwarded_for(&[line.as_slice()]);
            let _ = x_forwarded_proto_is_https(&[line.as_slice()]);
            // Every prefix too: a cut anywhere is just as safe.
            for end in 0..line.len().min(64) {
                let _ = parse_forwarded(&[&line[..end]]);
                let _ = parse_x_forwarded_for(&[&line[..end]]);
            }
        }
        // A cheap, deterministic spray of bytes drawn from the grammar's own alphabet.
        let alphabet = b"for=\"[]:;,_ \\1.9aF:unknown\t\x7f\xc3\xa9";
        let mut state = 0x2545_f491_u32;
        for _ in 0..20_000 {
            let mut line = Vec::new();
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                line.push(alphabet[(state as usize) % alphabet.len()]);
            }
            let _ = parse_forwarded(&[line.as_slice()]);
            let _ = parse_x_forwarded_for(&[line.as_slice()]);
        }
    }

    #[test]
    fn x_forwarded_for_entries() {
        assert_eq!(
            xff(&[
                "203.0.113.7, 2001:db8::1 ,192.0.2.1:8080",
                "[2001:db8::2]:4711,[::1], unknown"
            ]),
            Ok(vec![
                ip("203.0.113.7"),
                ip("2001:db8::1"),
                ip("192.0.2.1"),
                ip("2001:db8::2"),
                ip("::1"),
                Hop::Unknown,
            ])
        );
        assert_eq!(xff(&[" , 192.0.2.1,, "]), Ok(vec![ip("192.0.2.1")]));
        assert_eq!(xff(&[""]), Ok(vec![]));
        for bad in [
            "192.0.2.1 192.0.2.2",
            "example.org",
            "192.0.2.1;",
            "_hidden",
            "[192.0.2.1]",
            "[::1",
            "::1]",
            "192.0.2.300",
            "192.0.2.1:99999",
            "ü",
            "\"192.0.2.1\"",
        ] {
            assert_eq!(xff(&[bad]), Err(Malformed), "{bad:?}");
        }
        assert_eq!(xff(&["192.0.2.1", "nonsense"]), Err(Malformed));
        assert_eq!(parse_x_forwarded_for(&[b"192.0.2.1, \xff"]), Err(Malformed));
    }

    #[test]
    fn x_forwarded_proto_counts_its_right_most_value() {
        let https = |lines: &[&str]| {
            let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
            x_forwarded_proto_is_https(&lines)
        };
        assert!(https(&["https"]));
        assert!(https(&[" HTTPS "]));
        assert!(https(&["http, https"]));
        assert!(https(&["http", "https,"]));
        assert!(!https(&["https, http"]));
        assert!(!https(&["http"]));
        assert!(!https(&["httpsx"]));
        assert!(!https(&[""]));
        assert!(!https(&[]));
    }
}
