//! The iroh endpoint: built for the network mode in the settings, with a key kept on disk
//! so that a device keeps its endpoint id, and the state of a peer's link for the UI.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::Path;
use std::time::Duration;

use iroh::endpoint::{Connection, presets};
use iroh::{Endpoint, RelayMode, RelayUrl, SecretKey, TransportAddr};
use serde::Serialize;

/// How this device reaches the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkMode {
    /// iroh's public relays and address lookup: works across mobile data and NAT.
    Default,
    /// A self-hosted relay and no third party at all: no n0 relay, no n0 DNS or pkarr
    /// lookup or publishing, no public DNS fallback. Devices find each other by the address
    /// pairing gave (the desktop's relay and addresses) and by mDNS on a shared LAN.
    SelfHostedRelay(RelayUrl),
    /// The local network only: no relay; devices find each other by mDNS.
    LanOnly,
    /// Tests: 127.0.0.1 only, no relay, no lookup.
    Loopback,
    /// Tests: only through the given relay (no direct paths, no lookup).
    RelayOnly(RelayUrl),
}

impl NetworkMode {
    /// A self-hosted relay at `url`.
    pub fn relay(url: &str) -> Result<NetworkMode, NetError> {
        Ok(NetworkMode::SelfHostedRelay(
            url.trim()
                .parse()
                .map_err(|e| NetError::RelayUrl(format!("{e}")))?,
        ))
    }

    /// The mode the settings ask for.
    pub fn from_settings(sync: &crate::settings::SyncSettings) -> Result<NetworkMode, NetError> {
        use crate::settings::Network;
        Ok(match sync.network {
            Network::Default => NetworkMode::Default,
            Network::LanOnly => NetworkMode::LanOnly,
            Network::SelfHostedRelay => NetworkMode::relay(&sync.relay_url)?,
        })
    }
}

/// Why the network could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// The endpoint could not start.
    #[error("sync could not start ({0}); check the network connection and restart Ringback")]
    Bind(String),
    /// The relay address is not usable.
    #[error("the relay address is not valid ({0}); check sync.relay_url in the settings")]
    RelayUrl(String),
    /// The key file could not be read or written.
    #[error(
        "the device key at {path} could not be used ({why}); check that the data folder is writable"
    )]
    Key {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
}

/// How a peer is reached right now, and since when it has been reached that way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PeerLink {
    /// Connected on a direct path to an address of this network (private, loopback or
    /// link-local).
    Lan {
        /// The round-trip time, when measured.
        rtt_ms: Option<u32>,
        /// Since when the link has been direct on this network (UTC milliseconds).
        since_ms: i64,
    },
    /// Connected on a direct path over the internet.
    Direct {
        /// The round-trip time, when measured.
        rtt_ms: Option<u32>,
        /// Since when the link has been direct (UTC milliseconds).
        since_ms: i64,
    },
    /// Connected through a relay (still end-to-end encrypted).
    Relay {
        /// The relay's host name (or address), as its URL names it.
        relay: String,
        /// The round-trip time through the relay, when measured.
        rtt_ms: Option<u32>,
        /// Since when the link has gone through this relay (UTC milliseconds).
        since_ms: i64,
    },
    /// Not connected since this instant (UTC milliseconds).
    Offline {
        /// Since when.
        since_ms: i64,
    },
}

/// Binds an endpoint for `mode` with `key`, speaking `alpns`. `port` asks for a fixed UDP
/// port (a desktop keeps its address across restarts); a port in use falls back to any.
pub async fn bind(
    mode: &NetworkMode,
    key: SecretKey,
    alpns: Vec<Vec<u8>>,
    port: Option<u16>,
) -> Result<Endpoint, NetError> {
    let ip = match mode {
        NetworkMode::Loopback | NetworkMode::RelayOnly(_) => Ipv4Addr::LOCALHOST,
        _ => Ipv4Addr::UNSPECIFIED,
    };
    let attempt = |port: u16| {
        let key = key.clone();
        let alpns = alpns.clone();
        let mode = mode.clone();
        async move {
            let mut builder = match &mode {
                NetworkMode::Default => Endpoint::builder(presets::N0),
                _ => Endpoint::builder(presets::Minimal),
            };
            builder = builder.secret_key(key).alpns(alpns);
            builder = match &mode {
                NetworkMode::Default => builder,
                // Minimal has no address lookup; mDNS is added once bound (best effort).
                NetworkMode::SelfHostedRelay(url) => relay_roots(
                    builder
                        .relay_mode(RelayMode::custom([url.clone()]))
                        .clear_address_lookup()
                        .dns_resolver(own_dns()),
                ),
                NetworkMode::LanOnly => builder
                    .relay_mode(RelayMode::Disabled)
                    .clear_address_lookup()
                    .dns_resolver(own_dns())
                    .address_lookup(iroh_mdns_address_lookup::MdnsAddressLookup::builder()),
                // The test modes ask nothing of the router either (no port mapping probes).
                NetworkMode::Loopback => builder
                    .relay_mode(RelayMode::Disabled)
                    .clear_address_lookup()
                    .portmapper_config(iroh::endpoint::PortmapperConfig::Disabled),
                NetworkMode::RelayOnly(url) => builder
                    .relay_mode(RelayMode::custom([url.clone()]))
                    .clear_address_lookup()
                    .clear_ip_transports()
                    .portmapper_config(iroh::endpoint::PortmapperConfig::Disabled),
            };
            if !matches!(mode, NetworkMode::RelayOnly(_)) {
                builder = builder
                    .bind_addr(SocketAddr::V4(SocketAddrV4::new(ip, port)))
                    .map_err(|e| NetError::Bind(e.to_string()))?;
            }
            let endpoint = builder
                .bind()
                .await
                .map_err(|e| NetError::Bind(e.to_string()))?;
            if matches!(mode, NetworkMode::SelfHostedRelay(_)) {
                add_mdns(&endpoint);
            }
            Ok(endpoint)
        }
    };
    match port {
        Some(p) if p != 0 => {
            // A restarted app may find its port still held for a moment by the process (or
            // endpoint) that just closed: wait a little before giving it up.
            let mut last = None;
            for _ in 0..20 {
                match attempt(p).await {
                    Ok(ep) => return Ok(ep),
                    Err(error) => last = Some(error),
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            if let Some(error) = last {
                tracing::warn!(%error, port = p, "the usual port is taken; using another");
            }
            attempt(0).await
        }
        _ => attempt(0).await,
    }
}

/// The system's resolver only (for the relay's host name): iroh's default falls back to
/// public resolvers (Cloudflare, Google, Quad9), a third party the self-hosted and LAN
/// modes promise not to use.
fn own_dns() -> iroh::dns::DnsResolver {
    iroh::dns::DnsResolver::builder()
        .with_system_defaults()
        .with_fallback_mode(iroh::dns::FallbackMode::Never)
        .build()
}

/// Adds mDNS to a self-hosted endpoint, so that devices on one LAN find each other even
/// while the relay is down. Best effort: a network without multicast still syncs through
/// the relay, so a failure is logged, not fatal.
fn add_mdns(endpoint: &Endpoint) {
    let mdns = iroh_mdns_address_lookup::MdnsAddressLookup::builder().build(endpoint.id());
    match (mdns, endpoint.address_lookup()) {
        (Ok(mdns), Ok(services)) => services.add(mdns),
        (Err(error), _) => {
            tracing::info!(%error, "no local discovery on this network; syncing through the relay only");
        }
        (_, Err(_)) => {}
    }
}

/// Whether `url` is one of n0's public relays (the Default mode's), as opposed to a relay
/// the business runs: a pairing code names only the latter, the former are found by lookup.
pub fn is_public_relay(url: &RelayUrl) -> bool {
    iroh::defaults::prod::default_relay_map().contains(url)
        || iroh::defaults::staging::default_relay_map().contains(url)
}

/// The kind of path a live connection uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathKind {
    /// Direct, to an address of this network.
    Lan,
    /// Direct, over the internet.
    Direct,
    /// Through the relay on this host.
    Relay(String),
}

/// The path a live connection uses now: its kind and round-trip time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPath {
    /// Which kind of path.
    pub kind: PathKind,
    /// Its round-trip time estimate, in whole milliseconds rounded up (`None` when no path
    /// is selected yet or nothing was measured).
    pub rtt_ms: Option<u32>,
}

impl PeerLink {
    /// The link once the connection uses `path` at `now_ms`: the kind's start is kept while
    /// the kind (and relay) stays the same, so "since" means since the link became this.
    pub fn on_path(&self, path: LinkPath, now_ms: i64) -> PeerLink {
        let since_ms = match (self, &path.kind) {
            (PeerLink::Lan { since_ms, .. }, PathKind::Lan)
            | (PeerLink::Direct { since_ms, .. }, PathKind::Direct) => *since_ms,
            (
                PeerLink::Relay {
                    relay, since_ms, ..
                },
                PathKind::Relay(now),
            ) if relay == now => *since_ms,
            _ => now_ms,
        };
        let rtt_ms = path.rtt_ms;
        match path.kind {
            PathKind::Lan => PeerLink::Lan { rtt_ms, since_ms },
            PathKind::Direct => PeerLink::Direct { rtt_ms, since_ms },
            PathKind::Relay(relay) => PeerLink::Relay {
                relay,
                rtt_ms,
                since_ms,
            },
        }
    }

    /// The round-trip time, when connected and measured.
    pub fn rtt_ms(&self) -> Option<u32> {
        match self {
            PeerLink::Lan { rtt_ms, .. }
            | PeerLink::Direct { rtt_ms, .. }
            | PeerLink::Relay { rtt_ms, .. } => *rtt_ms,
            PeerLink::Offline { .. } => None,
        }
    }

    /// Since when the link has been in its present state (UTC milliseconds).
    pub fn since_ms(&self) -> i64 {
        match self {
            PeerLink::Lan { since_ms, .. }
            | PeerLink::Direct { since_ms, .. }
            | PeerLink::Relay { since_ms, .. }
            | PeerLink::Offline { since_ms } => *since_ms,
        }
    }

    /// Whether this link and `other` are the same state apart from the round-trip time.
    pub fn same_kind(&self, other: &PeerLink) -> bool {
        match (self, other) {
            (PeerLink::Relay { relay: a, .. }, PeerLink::Relay { relay: b, .. }) => a == b,
            (PeerLink::Offline { since_ms: a }, PeerLink::Offline { since_ms: b }) => a == b,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

/// The path a live connection uses now: the selected one; before one is selected, a direct
/// path if there is one (iroh prefers them), else the relay. `None` when no path is open (the
/// connection is closing).
pub fn link_of(conn: &Connection) -> Option<LinkPath> {
    let paths = conn.paths();
    let chosen = paths
        .iter()
        .find(|p| p.is_selected())
        .or_else(|| paths.iter().find(|p| p.is_ip()))
        .or_else(|| paths.iter().next())?;
    Some(LinkPath {
        kind: path_kind(chosen.remote_addr()),
        rtt_ms: rtt_ms(chosen.rtt()),
    })
}

/// Which kind of path reaches `remote`.
pub fn path_kind(remote: &TransportAddr) -> PathKind {
    match remote {
        TransportAddr::Relay(url) => PathKind::Relay(relay_host(url)),
        TransportAddr::Ip(addr) if on_this_network(addr.ip()) => PathKind::Lan,
        _ => PathKind::Direct,
    }
}

/// A relay's host as its URL names it (no scheme, port or path).
pub fn relay_host(url: &RelayUrl) -> String {
    url.host_str().unwrap_or_default().to_string()
}

/// Whether `ip` is an address of a local network rather than of the internet: private
/// (RFC 1918, IPv6 unique local), loopback or link-local. Carrier-grade NAT's shared space
/// (100.64.0.0/10) is not: a peer there is across the carrier's network.
pub fn on_this_network(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => on_this_network(IpAddr::V4(v4)),
            None => v6.is_loopback() || v6.is_unicast_link_local() || v6.is_unique_local(),
        },
    }
}

/// A round-trip time in whole milliseconds, rounded up so a fast LAN reads 1 ms, not 0
/// (`None` for zero: nothing measured).
fn rtt_ms(rtt: Duration) -> Option<u32> {
    if rtt.is_zero() {
        return None;
    }
    Some(u32::try_from(rtt.as_micros().div_ceil(1000)).unwrap_or(u32::MAX))
}

/// The device's key, made on first use and kept in `path` (readable by the owner only).
pub fn load_or_create_key(path: &Path) -> Result<SecretKey, NetError> {
    let fail = |why: String| NetError::Key {
        path: path.display().to_string(),
        why,
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            let bytes: [u8; 32] = bytes
                .try_into()
                .map_err(|_| fail("the file is not 32 bytes long".into()))?;
            Ok(SecretKey::from_bytes(&bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| fail(e.to_string()))?;
            let key = SecretKey::from_bytes(&bytes);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
            }
            write_private(path, &bytes).map_err(|e| fail(e.to_string()))?;
            Ok(key)
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod link_tests;

// ---------------------------------------------------------------------------------------
// Extra roots for a self-hosted relay's certificate (the network lab's simulators)

/// Certificates trusted beside the public roots for a self-hosted relay's TLS, set once per
/// process by [`trust_relay_roots_pem`]. Only the lab's simulators set it (a relay whose
/// certificate is the lab's own); the apps never do, so they trust the public roots alone.
static EXTRA_RELAY_ROOTS: std::sync::OnceLock<Vec<rustls::pki_types::CertificateDer<'static>>> =
    std::sync::OnceLock::new();

/// Trusts the PEM certificates in `pem`, beside the public roots, for the self-hosted relay
/// endpoints bound from now on in this process (a relay with a certificate of its own, as
/// in the network lab); returns how many. Certificates are still verified: this adds trust
/// anchors, it never skips the check. A second call changes nothing.
pub fn trust_relay_roots_pem(pem: &[u8]) -> Result<usize, NetError> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let roots = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| NetError::RelayUrl(format!("the relay's root certificate: {e}")))?;
    if roots.is_empty() {
        return Err(NetError::RelayUrl(
            "the relay's root certificate file holds no PEM certificate".into(),
        ));
    }
    let n = roots.len();
    let _ = EXTRA_RELAY_ROOTS.set(roots);
    Ok(n)
}

/// `builder` trusting the extra relay roots too, if any were given.
fn relay_roots(builder: iroh::endpoint::Builder) -> iroh::endpoint::Builder {
    match EXTRA_RELAY_ROOTS.get() {
        Some(roots) => {
            builder.ca_tls_config(iroh::tls::CaTlsConfig::default().with_extra_roots(roots.clone()))
        }
        None => builder,
    }
}

#[cfg(test)]
mod relay_root_tests {
    use super::*;

    #[test]
    fn a_file_without_a_certificate_is_refused_with_a_reason() {
        let error = trust_relay_roots_pem(b"not a certificate\n").expect_err("no certificate");
        assert!(
            error.to_string().contains("holds no PEM certificate"),
            "{error}"
        );
        let broken = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let error = trust_relay_roots_pem(broken).expect_err("broken certificate");
        assert!(error.to_string().contains("root certificate"), "{error}");
        assert!(
            EXTRA_RELAY_ROOTS.get().is_none(),
            "nothing is trusted after a refusal"
        );
    }
}
