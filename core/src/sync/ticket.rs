//! Pairing tickets: what a desktop shows so that a phone can pair with it. A ticket holds
//! the desktop's endpoint id, its addresses and relay, a 128-bit one-time secret and its
//! expiry. Two text forms: the QR payload (`ringback:pair/1/…`, everything) and a short
//! code to type. The short code carries the endpoint id and secret, and what the phone
//! needs to find the desktop without a third party: a self-hosted relay is named after an
//! `@` (`ABCDE-…@relay.example.com`), a desktop without a relay (LAN only) adds one LAN
//! address; only a desktop on n0's public relays leaves the rest to address lookup. Every
//! form carries a checksum, so a mistyped code is caught before any connection.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};

use iroh::{EndpointAddr, EndpointId, RelayUrl};

const QR_PREFIX: &str = "ringback:pair/1/";
const VERSION_FULL: u8 = 1;
const VERSION_SHORT: u8 = 0x81;
/// The short code with a self-hosted relay named after `@` (its text is in the checksum).
const VERSION_SHORT_RELAY: u8 = 0x82;
/// The short code with one IPv4 address and port (a desktop without a relay).
const VERSION_SHORT_LAN: u8 = 0x83;
/// The longest relay address a ticket names (a QR payload holds 255 bytes of it).
const MAX_RELAY: usize = 255;
/// The longest text read as a ticket: a QR payload with 16 addresses and a full relay.
const MAX_TEXT: usize = 1_000;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A pairing ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingTicket {
    /// The desktop's endpoint id.
    pub endpoint: EndpointId,
    /// Its direct addresses (at most one in the short form, of a desktop without relay).
    pub addrs: Vec<SocketAddr>,
    /// Its home relay (in the short form, only a self-hosted one).
    pub relay: Option<RelayUrl>,
    /// The one-time secret.
    pub secret: [u8; 16],
    /// When it expires, UTC milliseconds (0 in the short form: the desktop knows).
    pub expires_at_ms: i64,
}

/// Why a ticket could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// Not a ticket at all.
    #[error("this is not a Ringback pairing code; copy it again from the desktop's pairing screen")]
    NotATicket,
    /// A ticket from a newer version.
    #[error("this pairing code comes from a newer Ringback; update the app on this phone")]
    Version,
    /// Too short or too long.
    #[error(
        "this pairing code is {0} characters too short or long; check that it was copied whole"
    )]
    Length(usize),
    /// A code from a self-hosted desktop typed without its relay.
    #[error(
        "this pairing code names a relay after “@”; type the whole code, with the relay address after the “@”"
    )]
    MissingRelay,
    /// The relay after `@` is not an address.
    #[error(
        "the relay after “@” in this pairing code is not an address like relay.example.com; check it"
    )]
    RelayAddress,
    /// A typing mistake.
    #[error(
        "this pairing code has a typing mistake; check each character, or scan the QR code instead"
    )]
    Checksum,
}

impl PairingTicket {
    /// Where to dial the desktop.
    pub fn endpoint_addr(&self) -> EndpointAddr {
        let mut addr = EndpointAddr::new(self.endpoint);
        for a in &self.addrs {
            addr = addr.with_ip_addr(*a);
        }
        if let Some(relay) = &self.relay {
            addr = addr.with_relay_url(relay.clone());
        }
        addr
    }

    /// The QR payload: everything in the ticket.
    pub fn to_qr_payload(&self) -> String {
        let mut b = vec![VERSION_FULL];
        b.extend_from_slice(self.endpoint.as_bytes());
        b.extend_from_slice(&self.secret);
        b.extend_from_slice(&self.expires_at_ms.to_be_bytes());
        let addrs: Vec<&SocketAddr> = self.addrs.iter().take(16).collect();
        b.push(addrs.len() as u8);
        for a in addrs {
            match a.ip() {
                IpAddr::V4(ip) => {
                    b.push(4);
                    b.extend_from_slice(&ip.octets());
                }
                IpAddr::V6(ip) => {
                    b.push(6);
                    b.extend_from_slice(&ip.octets());
                }
            }
            b.extend_from_slice(&a.port().to_be_bytes());
        }
        let relay = self
            .relay
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let relay = &relay.as_bytes()[..relay.len().min(255)];
        b.push(relay.len() as u8);
        b.extend_from_slice(relay);
        seal(&mut b);
        format!("{QR_PREFIX}{}", base32(&b))
    }

    /// The short code to type: endpoint id and secret in groups of five, then what finds
    /// the desktop without lookup: a self-hosted relay after `@`, or, with no relay, one
    /// LAN address inside the code.
    pub fn to_short_text(&self) -> String {
        let relay = self
            .relay
            .as_ref()
            .filter(|r| !crate::sync::net::is_public_relay(r))
            .map(|r| r.to_string())
            .filter(|r| r.len() <= MAX_RELAY);
        let lan = match (&self.relay, lan_addr(&self.addrs)) {
            (None, Some(addr)) => Some(addr),
            _ => None,
        };
        let mut b = vec![match (&relay, &lan) {
            (Some(_), _) => VERSION_SHORT_RELAY,
            (None, Some(_)) => VERSION_SHORT_LAN,
            (None, None) => VERSION_SHORT,
        }];
        b.extend_from_slice(self.endpoint.as_bytes());
        b.extend_from_slice(&self.secret);
        if let Some(addr) = lan {
            b.extend_from_slice(&addr.ip().octets());
            b.extend_from_slice(&addr.port().to_be_bytes());
        }
        if let Some(relay) = &relay {
            b.extend_from_slice(relay.as_bytes());
        }
        let sum = checksum(&b);
        if let Some(relay) = &relay {
            // The relay is typed as text, not base32: take it out of the coded part.
            b.truncate(b.len() - relay.len());
        }
        b.extend_from_slice(&sum);
        let text = base32(&b);
        let code = text
            .as_bytes()
            .chunks(5)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-");
        match relay {
            Some(relay) => format!("{code}@{}", relay_text(&relay)),
            None => code,
        }
    }

    /// Reads either form; case, spaces and dashes in a typed code do not matter.
    pub fn parse(text: &str) -> Result<PairingTicket, TicketError> {
        let text = text.trim();
        if text.len() > MAX_TEXT {
            return Err(TicketError::Length(text.len() - MAX_TEXT));
        }
        let (text, relay) = match text.split_once('@') {
            Some((code, relay)) => (code, Some(parse_relay(relay)?)),
            None => (text, None),
        };
        let body = match text.get(..QR_PREFIX.len()) {
            Some(p) if p.eq_ignore_ascii_case(QR_PREFIX) => &text[QR_PREFIX.len()..],
            _ => text,
        };
        let cleaned: String = body
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\n' | '\t'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = unbase32(&cleaned).ok_or(TicketError::NotATicket)?;
        // Version, endpoint id, secret and checksum at the least.
        if bytes.len() < 1 + 32 + 16 + 4 {
            return Err(TicketError::NotATicket);
        }
        let (&version, _) = bytes.split_first().ok_or(TicketError::NotATicket)?;
        if !matches!(
            version,
            VERSION_FULL | VERSION_SHORT | VERSION_SHORT_RELAY | VERSION_SHORT_LAN
        ) {
            return Err(if version & 0x7f > 1 {
                TicketError::Version
            } else {
                TicketError::NotATicket
            });
        }
        // A relay after `@` belongs to the relay form only, and that form needs one.
        match (&relay, version == VERSION_SHORT_RELAY) {
            (Some(_), false) => return Err(TicketError::NotATicket),
            (None, true) => return Err(TicketError::MissingRelay),
            _ => {}
        }
        let payload = match &relay {
            Some(relay) => unseal_with(&bytes, relay.to_string().as_bytes())?,
            None => unseal(&bytes)?,
        };
        let mut r = Reader(&payload[1..]);
        let id: [u8; 32] = r.array().ok_or(TicketError::Length(0))?;
        let endpoint = EndpointId::from_bytes(&id).map_err(|_| TicketError::Checksum)?;
        let secret: [u8; 16] = r.array().ok_or(TicketError::Length(0))?;
        if version != VERSION_FULL {
            let mut addrs = Vec::new();
            if version == VERSION_SHORT_LAN {
                let ip = Ipv4Addr::from(r.array::<4>().ok_or(TicketError::Length(0))?);
                let port = u16::from_be_bytes(r.array().ok_or(TicketError::Length(0))?);
                addrs.push(SocketAddr::V4(SocketAddrV4::new(ip, port)));
            }
            if !r.0.is_empty() {
                return Err(TicketError::Length(r.0.len()));
            }
            return Ok(PairingTicket {
                endpoint,
                addrs,
                relay,
                secret,
                expires_at_ms: 0,
            });
        }
        let expires_at_ms = i64::from_be_bytes(r.array().ok_or(TicketError::Length(0))?);
        let count = r.byte().ok_or(TicketError::Length(0))?;
        let mut addrs = Vec::new();
        for _ in 0..count {
            let ip = match r.byte() {
                Some(4) => IpAddr::from(r.array::<4>().ok_or(TicketError::Length(0))?),
                Some(6) => IpAddr::from(r.array::<16>().ok_or(TicketError::Length(0))?),
                _ => return Err(TicketError::NotATicket),
            };
            let port = u16::from_be_bytes(r.array().ok_or(TicketError::Length(0))?);
            addrs.push(SocketAddr::new(ip, port));
        }
        let len = usize::from(r.byte().ok_or(TicketError::Length(0))?);
        let relay = r.take(len).ok_or(TicketError::Length(0))?;
        let relay = if relay.is_empty() {
            None
        } else {
            let s = std::str::from_utf8(relay).map_err(|_| TicketError::NotATicket)?;
            Some(s.parse().map_err(|_| TicketError::NotATicket)?)
        };
        if !r.0.is_empty() {
            return Err(TicketError::Length(r.0.len()));
        }
        Ok(PairingTicket {
            endpoint,
            addrs,
            relay,
            secret,
            expires_at_ms,
        })
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
}

fn checksum(bytes: &[u8]) -> [u8; 4] {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h.to_be_bytes()
}

fn seal(bytes: &mut Vec<u8>) {
    let sum = checksum(bytes);
    bytes.extend_from_slice(&sum);
}

fn unseal(bytes: &[u8]) -> Result<Vec<u8>, TicketError> {
    unseal_with(bytes, &[])
}

/// Checks the checksum over the coded bytes followed by `extra` (a relay typed as text);
/// returns the coded bytes.
fn unseal_with(bytes: &[u8], extra: &[u8]) -> Result<Vec<u8>, TicketError> {
    if bytes.len() < 5 {
        return Err(TicketError::Length(bytes.len()));
    }
    let (payload, sum) = bytes.split_at(bytes.len() - 4);
    let mut summed = payload.to_vec();
    summed.extend_from_slice(extra);
    if checksum(&summed) != sum {
        return Err(TicketError::Checksum);
    }
    Ok(payload.to_vec())
}

/// The address a desktop without relay puts in its short code: a private IPv4 first (the
/// office LAN), then any other, loopback last.
fn lan_addr(addrs: &[SocketAddr]) -> Option<SocketAddrV4> {
    let v4 = || {
        addrs.iter().filter_map(|a| match a {
            SocketAddr::V4(a) => Some(*a),
            SocketAddr::V6(_) => None,
        })
    };
    v4().find(|a| a.ip().is_private())
        .or_else(|| v4().find(|a| !a.ip().is_loopback() && !a.ip().is_link_local()))
        .or_else(|| v4().next())
}

/// A relay as typed after `@`: `https://` is left out when it is the scheme, and the `/`
/// of an empty path (both come back when it is read).
fn relay_text(relay: &str) -> &str {
    let short = relay.strip_prefix("https://").unwrap_or(relay);
    match short.strip_suffix('/') {
        Some(host) if !host.contains('/') => host,
        _ => short,
    }
}

/// Reads the relay typed after `@` (`https://` when no scheme is given).
fn parse_relay(text: &str) -> Result<RelayUrl, TicketError> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_RELAY || text.contains(char::is_whitespace) {
        return Err(TicketError::RelayAddress);
    }
    let url = if text.contains("://") {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    let relay: RelayUrl = url.parse().map_err(|_| TicketError::RelayAddress)?;
    match (relay.scheme(), relay.host_str()) {
        ("https" | "http", Some(_)) => Ok(relay),
        _ => Err(TicketError::RelayAddress),
    }
}

/// RFC 4648 base32 without padding.
fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = ((acc << 5) | v) & 0xffff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// A new one-time secret from the operating system's random source.
pub fn new_secret() -> [u8; 16] {
    let mut s = [0u8; 16];
    if getrandom::fill(&mut s).is_err() {
        // No OS randomness is a broken platform; a fixed secret would be worse than none.
        tracing::error!("no random source; pairing secrets cannot be made");
        s = [0xff; 16];
    }
    s
}

/// Compares secrets in constant time.
pub fn secrets_match(a: &[u8; 16], b: &[u8; 16]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses 32 hex digits.
pub fn unhex16(text: &str) -> Option<[u8; 16]> {
    if text.len() != 32 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn ticket(seed: u8, addrs: Vec<SocketAddr>, expires: i64) -> PairingTicket {
        let key = iroh::SecretKey::from_bytes(&[seed; 32]);
        PairingTicket {
            endpoint: key.public(),
            addrs,
            relay: None,
            secret: [seed.wrapping_mul(7); 16],
            expires_at_ms: expires,
        }
    }

    proptest! {
        #[test]
        fn both_forms_round_trip(seed in any::<u8>(), ports in prop::collection::vec(any::<u16>(), 0..4), expires in any::<i64>()) {
            let addrs: Vec<SocketAddr> = ports.iter().map(|p| SocketAddr::from(([192, 168, 1, 20], *p))).collect();
            let t = ticket(seed, addrs, expires);
            prop_assert_eq!(PairingTicket::parse(&t.to_qr_payload()).expect("qr"), t.clone());
            let short = PairingTicket::parse(&t.to_short_text()).expect("short");
            prop_assert_eq!(short.endpoint, t.endpoint);
            prop_assert_eq!(short.secret, t.secret);
        }

        #[test]
        fn parse_never_panics(text in ".{0,200}") {
            let _ = PairingTicket::parse(&text);
        }
    }

    #[test]
    fn typed_codes_tolerate_case_spaces_and_missing_dashes() {
        let t = ticket(3, vec![], 0);
        let typed = t.to_short_text().to_lowercase().replace('-', " ");
        assert_eq!(
            PairingTicket::parse(&typed).expect("typed").secret,
            t.secret
        );
    }

    #[test]
    fn a_typo_is_caught_by_the_checksum() {
        let t = ticket(4, vec![], 0);
        let mut code: Vec<char> = t.to_short_text().chars().collect();
        code[7] = if code[7] == 'A' { 'B' } else { 'A' };
        let code: String = code.into_iter().collect();
        assert_eq!(PairingTicket::parse(&code), Err(TicketError::Checksum));
        assert_eq!(PairingTicket::parse("hello"), Err(TicketError::NotATicket));
        assert!(PairingTicket::parse("").is_err());
    }

    fn relay(url: &str) -> RelayUrl {
        url.parse().expect("url")
    }

    #[test]
    fn a_self_hosted_relay_is_named_after_the_short_code() {
        let mut t = ticket(5, vec![SocketAddr::from(([192, 168, 1, 20], 7000))], 9);
        t.relay = Some(relay("https://relay.example.com"));
        let code = t.to_short_text();
        let (_, named) = code.split_once('@').expect("the relay is named");
        assert_eq!(named, "relay.example.com");
        let read = PairingTicket::parse(&code).expect("short");
        assert_eq!(read.relay, t.relay);
        assert_eq!((read.endpoint, read.secret), (t.endpoint, t.secret));
        // Typed by hand: lower case, spaces, the relay in capitals with its scheme.
        let (coded, _) = code.split_once('@').expect("@");
        let typed = format!(
            "{} @ HTTPS://Relay.Example.com/",
            coded.to_lowercase().replace('-', " ")
        );
        assert_eq!(PairingTicket::parse(&typed).expect("typed").relay, t.relay);
        // A relay on another port or plain http keeps what it needs.
        for url in ["https://relay.example.com:8443", "http://10.0.0.5:3340"] {
            t.relay = Some(relay(url));
            let read = PairingTicket::parse(&t.to_short_text()).expect("short");
            assert_eq!(read.relay, t.relay, "{url}");
        }
    }

    #[test]
    fn a_wrong_or_missing_relay_is_caught() {
        let mut t = ticket(6, vec![], 0);
        t.relay = Some(relay("https://relay.example.com"));
        let code = t.to_short_text();
        let (coded, _) = code.split_once('@').expect("@");
        assert_eq!(
            PairingTicket::parse(&format!("{coded}@relay.exemple.com")),
            Err(TicketError::Checksum)
        );
        assert_eq!(PairingTicket::parse(coded), Err(TicketError::MissingRelay));
        assert_eq!(
            PairingTicket::parse(&format!("{coded}@")),
            Err(TicketError::RelayAddress)
        );
        assert_eq!(
            PairingTicket::parse(&format!("{coded}@ftp://relay.example.com")),
            Err(TicketError::RelayAddress)
        );
        // A code without a relay does not take one.
        let plain = ticket(6, vec![], 0).to_short_text();
        assert!(PairingTicket::parse(&format!("{plain}@relay.example.com")).is_err());
        assert!(matches!(
            PairingTicket::parse(&"A".repeat(5_000)),
            Err(TicketError::Length(_))
        ));
    }

    #[test]
    fn n0s_relays_are_left_to_lookup_as_before() {
        // The Default mode's code: the same text as before relays were named.
        let mut t = ticket(7, vec![SocketAddr::from(([192, 168, 1, 20], 7000))], 0);
        t.relay = Some(relay("https://euc1-1.relay.n0.iroh.link./"));
        assert!(crate::sync::net::is_public_relay(
            t.relay.as_ref().expect("relay")
        ));
        let code = t.to_short_text();
        assert!(!code.contains('@'));
        assert_eq!(
            code.len(),
            17 * 5 + 16,
            "endpoint id, secret and checksum only"
        );
        let read = PairingTicket::parse(&code).expect("short");
        assert_eq!((read.relay, read.addrs), (None, vec![]));
    }

    #[test]
    fn a_desktop_without_relay_puts_its_lan_address_in_the_code() {
        let addrs = vec![
            SocketAddr::from(([127, 0, 0, 1], 7000)),
            SocketAddr::from(([169, 254, 3, 3], 7000)),
            "[fd00::1]:7000".parse().expect("v6"),
            SocketAddr::from(([192, 168, 1, 20], 7000)),
        ];
        let t = ticket(8, addrs, 0);
        let read = PairingTicket::parse(&t.to_short_text()).expect("short");
        assert_eq!(
            read.addrs,
            vec![SocketAddr::from(([192, 168, 1, 20], 7000))]
        );
        assert_eq!(read.relay, None);
        let loopback = ticket(8, vec![SocketAddr::from(([127, 0, 0, 1], 7001))], 0);
        let read = PairingTicket::parse(&loopback.to_short_text()).expect("short");
        assert_eq!(read.addrs, loopback.addrs);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(secrets_match(&[1; 16], &[1; 16]));
        let mut other = [1; 16];
        other[15] = 2;
        assert!(!secrets_match(&[1; 16], &other));
        assert_eq!(unhex16(&hex(&[0xab; 16])), Some([0xab; 16]));
        assert_eq!(unhex16("zz"), None);
    }
}
