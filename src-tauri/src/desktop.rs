//! The running desktop: its sync node with one replica per paired phone, its local
//! configuration, and what the window needs to know about the phones.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::Timestamp;
use ringback_core::settings::Network;
use ringback_core::sync::net::{self, NetworkMode, PeerLink};
use ringback_core::sync::node::{self, DesktopNode, PeerState};
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::sync::session::Faults;
use ringback_core::sync::ticket::PairingTicket;
use serde::{Deserialize, Serialize};

use crate::ipc::{AppError, LinkState, PeerRow};

/// This desktop's own choices, kept beside its data (`desktop.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LocalConfig {
    /// How this desktop reaches phones.
    pub network: Network,
    /// The self-hosted relay.
    pub relay_url: String,
    /// The name phones show for this desktop.
    pub name: String,
}

impl Default for LocalConfig {
    fn default() -> Self {
        LocalConfig {
            network: Network::Default,
            relay_url: String::new(),
            name: "Office desktop".into(),
        }
    }
}

impl LocalConfig {
    /// Reads `desktop.json`; a missing file gives the defaults, a broken one an error that
    /// names it (nothing is overwritten).
    pub fn load(dir: &Path) -> Result<LocalConfig, AppError> {
        let path = dir.join("desktop.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                AppError::new(format!(
                    "{} is not valid ({e}); fix it or delete it to go back to the defaults",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LocalConfig::default()),
            Err(e) => Err(AppError::new(format!(
                "{} could not be read ({e}); check its permissions",
                path.display()
            ))),
        }
    }

    /// Writes `desktop.json` atomically.
    pub fn save(&self, dir: &Path) -> Result<(), AppError> {
        let path = dir.join("desktop.json");
        let tmp = dir.join("desktop.json.tmp");
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| AppError::new(format!("the desktop settings could not be saved: {e}")))?;
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                AppError::new(format!(
                    "{} could not be written ({e}); check that the data folder is writable",
                    path.display()
                ))
            })
    }

    /// The network mode it asks for.
    pub fn mode(&self) -> Result<NetworkMode, AppError> {
        match self.network {
            Network::Default => Ok(NetworkMode::Default),
            Network::LanOnly => Ok(NetworkMode::LanOnly),
            Network::SelfHostedRelay => NetworkMode::relay(&self.relay_url).map_err(|e| AppError {
                message: e.to_string(),
                field: Some("relay_url".into()),
            }),
        }
    }
}

/// The desktop's sync side and what the window asks of it.
pub struct Desktop {
    node: DesktopNode,
    dir: PathBuf,
    config: Mutex<LocalConfig>,
    started_with: LocalConfig,
    ticket: Mutex<Option<PairingTicket>>,
    last_sync: Mutex<HashMap<String, i64>>,
}

/// The port demo mode's desktop listens on, so the simulated phone finds it again after a
/// restart (a loopback endpoint has no address lookup).
pub const DEMO_PORT: u16 = 47_617;

impl Desktop {
    /// Binds the endpoint and starts accepting phones. `mode` overrides the configured
    /// network (demo mode runs on loopback).
    pub async fn start(dir: &Path, mode: Option<NetworkMode>) -> anyhow::Result<Desktop> {
        std::fs::create_dir_all(dir)?;
        let config = LocalConfig::load(dir).map_err(|e| anyhow::anyhow!(e.message))?;
        let (mode, port) = match mode {
            Some(mode) => (mode, Some(DEMO_PORT)),
            None => (config.mode().map_err(|e| anyhow::anyhow!(e.message))?, None),
        };
        let key = net::load_or_create_key(&dir.join("desktop.key"))?;
        let alpns = node::alpns();
        let endpoint = match net::bind(&mode, key.clone(), alpns.clone(), port).await {
            Ok(endpoint) => endpoint,
            // The fixed port is taken: a random one works until the phone re-pairs.
            Err(_) if port.is_some() => net::bind(&mode, key, alpns, None).await?,
            Err(e) => return Err(e.into()),
        };
        let node = DesktopNode::start(endpoint, dir, &config.name, Faults::default()).await?;
        Ok(Desktop {
            node,
            dir: dir.to_path_buf(),
            started_with: config.clone(),
            config: Mutex::new(config),
            ticket: Mutex::new(None),
            last_sync: Mutex::new(HashMap::new()),
        })
    }

    /// The sync node.
    pub fn node(&self) -> &DesktopNode {
        &self.node
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every paired phone's replica, by endpoint id, in a stable order.
    pub fn phones(&self) -> Vec<(String, DesktopReplica)> {
        let mut phones: Vec<(String, DesktopReplica)> = self
            .node
            .phones()
            .into_iter()
            .map(|(id, r)| (id.to_string(), r))
            .collect();
        phones.sort_by(|a, b| a.0.cmp(&b.0));
        phones
    }

    /// One phone's replica.
    pub fn phone(&self, id: &str) -> Result<DesktopReplica, AppError> {
        id.parse()
            .ok()
            .and_then(|id| self.node.phone(&id))
            .ok_or_else(|| {
                AppError::new(
                    "that phone is no longer paired with this desktop; pair it again under Devices",
                )
            })
    }

    /// The phone to send settings to: the only one, or the first when there are several.
    pub fn settings_phone(&self) -> Result<(String, DesktopReplica), AppError> {
        self.phones().into_iter().next().ok_or_else(|| {
            AppError::new("no phone is paired yet; pair the business phone under Devices first")
        })
    }

    /// Notes that something arrived from a phone now.
    pub fn synced(&self, phone: &str) {
        lock(&self.last_sync).insert(phone.to_string(), Timestamp::now().as_millisecond());
    }

    /// The paired phones and their links.
    pub fn peers(&self) -> Vec<PeerRow> {
        let states = self.node.peers().borrow().clone();
        let last = lock(&self.last_sync).clone();
        states
            .values()
            .map(|s| peer_row(s, last.get(&s.endpoint).copied()))
            .collect()
    }

    /// Names of the phones by endpoint, for line labels.
    pub fn phone_names(&self) -> HashMap<String, String> {
        self.node
            .peers()
            .borrow()
            .values()
            .map(|s| (s.endpoint.clone(), s.name.clone()))
            .collect()
    }

    /// The current pairing ticket, a new one when there is none or it is about to expire.
    pub fn ticket(&self, fresh: bool) -> PairingTicket {
        let mut slot = lock(&self.ticket);
        let soon = Timestamp::now().as_millisecond() + 30_000;
        match slot.as_ref() {
            Some(t) if !fresh && t.expires_at_ms > soon => t.clone(),
            _ => {
                let t = self.node.ticket();
                *slot = Some(t.clone());
                t
            }
        }
    }

    /// The local configuration now, and whether it differs from what the node started with.
    pub fn config(&self) -> (LocalConfig, bool) {
        let now = lock(&self.config).clone();
        let restart = now.network != self.started_with.network
            || now.relay_url != self.started_with.relay_url;
        (now, restart)
    }

    /// Changes the network (used from the next start).
    pub fn set_network(&self, network: Network, relay_url: &str) -> Result<(), AppError> {
        let mut next = lock(&self.config).clone();
        next.network = network;
        next.relay_url = relay_url.trim().to_string();
        next.mode()?;
        next.save(&self.dir)?;
        *lock(&self.config) = next;
        Ok(())
    }
}

fn peer_row(state: &PeerState, last_sync_ms: Option<i64>) -> PeerRow {
    let (link, offline_since_ms) = match state.link {
        PeerLink::Direct => (LinkState::Direct, None),
        PeerLink::Relay => (LinkState::Relay, None),
        PeerLink::Offline { since_ms } => (LinkState::Offline, Some(since_ms)),
    };
    PeerRow {
        endpoint: state.endpoint.clone(),
        name: state.name.clone(),
        link,
        offline_since_ms,
        last_sync_ms,
    }
}

/// Locks a mutex, going on with the data when a thread panicked while holding it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The desktop as Tauri state.
pub type SharedDesktop = Arc<Desktop>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desktop_config_defaults_round_trips_and_names_a_broken_file() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(
            LocalConfig::load(dir.path()).expect("missing"),
            LocalConfig::default()
        );
        let config = LocalConfig {
            network: Network::SelfHostedRelay,
            relay_url: "https://relay.example.com".into(),
            name: "Front desk".into(),
        };
        config.save(dir.path()).expect("save");
        assert_eq!(LocalConfig::load(dir.path()).expect("load"), config);
        assert!(matches!(config.mode(), Ok(NetworkMode::SelfHostedRelay(_))));
        std::fs::write(dir.path().join("desktop.json"), "{\"network\": 7").expect("write");
        let e = LocalConfig::load(dir.path()).expect_err("broken");
        assert!(e.message.contains("desktop.json"), "{}", e.message);
        let bad_relay = LocalConfig {
            network: Network::SelfHostedRelay,
            relay_url: "not a url".into(),
            ..LocalConfig::default()
        };
        assert_eq!(
            bad_relay.mode().expect_err("bad").field.as_deref(),
            Some("relay_url")
        );
    }
}
