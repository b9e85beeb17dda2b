//! Where the assistant's requests, and with them its API key and the callers' texts, may
//! go: `https` anywhere; plain `http` only to this device or the local network, where
//! nothing but the owner's own equipment carries it.
//!
//! Plain `http` is allowed to a host that is
//! - loopback: `localhost`, 127.0.0.0/8, `::1`;
//! - a private LAN address: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, and IPv6 unique
//!   local fc00::/7;
//! - link-local: 169.254.0.0/16 and IPv6 fe80::/10;
//!
//! and an IPv4 address written as IPv6 (`::ffff:10.0.0.2`) counts as the IPv4 address. Any
//! other name is refused with `http`, even one that resolves to a private address today: a
//! name can be made to resolve elsewhere tomorrow, an address cannot.
//!
//! The settings check and the HTTP client both use this one rule, with the parser reqwest
//! itself uses (`url`, WHATWG), so the two cannot read a host differently.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Why an assistant server address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Not an http(s) address with a host.
    #[error("“{0}” is not a web address; it starts with http:// or https://")]
    NotWeb(String),
    /// Plain http to a host outside this device and its local network.
    #[error(
        "“{address}” would send the API key and callers' texts unencrypted (plain http) to {host}, which is not this device or the local network; use https://, or a loopback or private LAN address (127.0.0.1, 10.x.x.x, 172.16–31.x.x, 192.168.x.x)"
    )]
    PlainHttp {
        /// The address as written (shortened).
        address: String,
        /// The host it names.
        host: String,
    },
}

/// The address parsed, if it is an `http` or `https` address with a host.
pub fn parse(address: &str) -> Result<Url, AddressError> {
    let trimmed = address.trim();
    let not_web = || AddressError::NotWeb(shown(trimmed));
    let url = Url::parse(trimmed).map_err(|_| not_web())?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(not_web());
    }
    Ok(url)
}

/// The address parsed and allowed: `https`, or `http` to a local host (see the module docs).
pub fn check(address: &str) -> Result<Url, AddressError> {
    let url = parse(address)?;
    if url.scheme() == "http" && !url.host().is_some_and(|h| is_local(&h)) {
        return Err(AddressError::PlainHttp {
            address: shown(address.trim()),
            host: url.host_str().unwrap_or_default().to_string(),
        });
    }
    Ok(url)
}

/// The server an address names: its origin, `scheme://host[:port]` ("https://api.openai.com",
/// "http://127.0.0.1:8080"), or `None` for what is not an http(s) address. A key is kept
/// for one server: the same origin, whatever the path.
pub fn server(address: &str) -> Option<String> {
    parse(address)
        .ok()
        .map(|url| url.origin().ascii_serialization())
}

/// Whether plain http to `host` stays on this device or the local network.
pub fn is_local(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => local_v4(*ip),
        Host::Ipv6(ip) => local_v6(*ip),
    }
}

/// Whether plain http to `ip` stays on this device or the local network.
pub fn is_local_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => local_v4(v4),
        IpAddr::V6(v6) => local_v6(v6),
    }
}

fn local_v4(ip: Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_private() || ip.is_link_local()
}

fn local_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return local_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
}

/// An address as an error may quote it: at most 80 characters.
fn shown(address: &str) -> String {
    let mut out: String = address.chars().take(80).collect();
    if address.chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_goes_anywhere_and_http_only_to_this_device_or_the_lan() {
        for ok in [
            "https://api.openai.com/v1",
            "https://example.com:8443/v1",
            "http://127.0.0.1:8080/v1",
            "http://127.1.2.3/v1",
            "http://localhost:11434/v1",
            "http://LOCALHOST/v1",
            "http://[::1]:8080/v1",
            "http://10.0.0.5:8080/v1",
            "http://172.16.0.1/v1",
            "http://172.31.255.255/v1",
            "http://192.168.1.20:8080/v1",
            "http://169.254.10.1/v1",
            "http://[fd12:3456::1]/v1",
            "http://[fe80::1]/v1",
            "http://[::ffff:192.168.1.2]/v1",
            // WHATWG reads these as 127.0.0.1, as reqwest would.
            "http://0x7f.1/v1",
            "http://2130706433/v1",
        ] {
            check(ok).unwrap_or_else(|e| panic!("{ok} refused: {e}"));
        }
        for public in [
            "http://api.openai.com/v1",
            "http://example.com:8080/v1",
            "http://203.0.113.7/v1",
            "http://8.8.8.8/v1",
            "http://172.32.0.1/v1",
            "http://100.64.0.1/v1",
            "http://0.0.0.0:8080/v1",
            "http://[2001:db8::1]/v1",
            "http://[::ffff:8.8.8.8]/v1",
            "http://gpu-box.local:8080/v1",
            "http://localhost.evil.com/v1",
            "http://127.0.0.1.nip.io/v1",
            // Userinfo is not the host: this is example.com.
            "http://127.0.0.1@example.com/v1",
        ] {
            let e = check(public).expect_err(public);
            assert!(matches!(e, AddressError::PlainHttp { .. }), "{public}: {e}");
            assert!(e.to_string().contains("https://"), "{e}");
        }
        for not_web in [
            "localhost:8080",
            "ftp://x/",
            "http://",
            "",
            "127.0.0.1:8080/v1",
        ] {
            assert!(
                matches!(check(not_web), Err(AddressError::NotWeb(_))),
                "{not_web}"
            );
        }
    }

    #[test]
    fn a_server_is_scheme_host_and_port() {
        assert_eq!(
            server("https://api.openai.com/v1").as_deref(),
            Some("https://api.openai.com")
        );
        assert_eq!(
            server("https://API.openai.com:443/other").as_deref(),
            Some("https://api.openai.com")
        );
        assert_eq!(
            server(" http://127.0.0.1:8080/v1 ").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_ne!(
            server("http://127.0.0.1:8080/v1"),
            server("http://127.0.0.1:8081/v1")
        );
        assert_ne!(
            server("http://127.0.0.1:8080/v1"),
            server("https://127.0.0.1:8080/v1")
        );
        assert_eq!(server("not an address"), None);
        assert_eq!(server(""), None);
    }
}
