//! The running desktop: its sync node with one replica per paired phone, its local
//! configuration, and what the window needs to know about the phones.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::Timestamp;
use ringback_core::settings::Network;
use ringback_core::sync::net::{self, NetworkMode, PeerLink};
use ringback_core::sync::node::{self, DesktopNode, PeerState, PhotoPolicy};
use ringback_core::sync::pairing::{self, PairingRequest};
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::sync::ticket::PairingTicket;
use serde::{Deserialize, Serialize};

use crate::ipc::{
    AppError, HealthRow, LinkState, PairingRequestRow, PeerRow, PhotoSettings, PhotoUsage,
};
use ringback_core::health::ReportedHealth;

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
    /// How long a phone may stay silent before an alert says so, in seconds (10 minutes;
    /// tests shorten it).
    pub phone_silent_after_seconds: u64,
    /// Full-size photos up to this many MB are fetched from the phone as they arrive
    /// (0: thumbnails only; the rest when opened).
    pub photos_eager_up_to_mb: u64,
    /// MB of photos kept per phone on this computer; the oldest are removed past it (and
    /// fetched again from the phone when opened).
    pub photos_budget_per_phone_mb: u64,
}

/// The largest budget accepted (1 TB), so the byte count cannot overflow.
const MAX_PHOTO_BUDGET_MB: u64 = 1024 * 1024;

const MB: u64 = 1024 * 1024;

impl Default for LocalConfig {
    fn default() -> Self {
        LocalConfig {
            network: Network::Default,
            relay_url: String::new(),
            name: "Office desktop".into(),
            phone_silent_after_seconds: crate::alerts::DEFAULT_SILENT_AFTER_SECONDS,
            photos_eager_up_to_mb: PhotoPolicy::default().eager_full_bytes / MB,
            photos_budget_per_phone_mb: PhotoPolicy::default().budget_bytes / MB,
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

    /// What this desktop fetches of the phones' photos unasked, and keeps of them.
    pub fn photo_policy(&self) -> Result<PhotoPolicy, AppError> {
        let largest = ringback_core::attachment::MAX_ATTACHMENT_BYTES / MB;
        if self.photos_eager_up_to_mb > largest {
            return Err(AppError {
                message: format!(
                    "photos_eager_up_to_mb is {}, but no photo is larger than {largest} MB; use 0 to {largest}",
                    self.photos_eager_up_to_mb
                ),
                field: Some("photos_eager_up_to_mb".into()),
            });
        }
        if self.photos_budget_per_phone_mb == 0
            || self.photos_budget_per_phone_mb > MAX_PHOTO_BUDGET_MB
        {
            return Err(AppError {
                message: format!(
                    "photos_budget_per_phone_mb is {}; use 1 to {MAX_PHOTO_BUDGET_MB} (MB kept per phone)",
                    self.photos_budget_per_phone_mb
                ),
                field: Some("photos_budget_per_phone_mb".into()),
            });
        }
        Ok(PhotoPolicy {
            eager_full_bytes: self.photos_eager_up_to_mb * MB,
            budget_bytes: self.photos_budget_per_phone_mb * MB,
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
    last_sync: Mutex<HashMap<String, i64>>,
    /// Whether the network it started on uses a relay (for [`Desktop::online`]).
    uses_relay: bool,
    alerts: Mutex<crate::alerts::AlertBook>,
    /// What each phone's replica needs a person for, with the store version it was read at.
    attention: Mutex<HashMap<String, StoreAttention>>,
}

/// What a replica needs a person for, as read at one store version.
#[derive(Clone)]
struct StoreAttention {
    version: u64,
    read_at_ms: i64,
    attention: ringback_core::store::attention::Attention,
    who: HashMap<String, String>,
}

/// Read again at least this often even with no change, so that a failed text-back older
/// than the window leaves.
const ATTENTION_AT_LEAST_EVERY_MS: i64 = 10 * 60 * 1000;

/// The port demo mode's desktop listens on, so the simulated phone finds it again after a
/// restart (a loopback endpoint has no address lookup).
pub const DEMO_PORT: u16 = 47_617;

impl Desktop {
    /// Binds the endpoint and starts accepting phones. `mode` overrides the configured
    /// network (demo mode runs on loopback, on [`DEMO_PORT`]).
    pub async fn start(dir: &Path, mode: Option<NetworkMode>) -> anyhow::Result<Desktop> {
        let port = mode.is_some().then_some(DEMO_PORT);
        Desktop::start_on(dir, mode, port).await
    }

    /// [`Self::start`] on a chosen UDP port (`None`: any).
    pub async fn start_on(
        dir: &Path,
        mode: Option<NetworkMode>,
        port: Option<u16>,
    ) -> anyhow::Result<Desktop> {
        std::fs::create_dir_all(dir)?;
        let config = LocalConfig::load(dir).map_err(|e| anyhow::anyhow!(e.message))?;
        let mode = match mode {
            Some(mode) => mode,
            None => config.mode().map_err(|e| anyhow::anyhow!(e.message))?,
        };
        let key = net::load_or_create_key(&dir.join("desktop.key"))?;
        let alpns = node::alpns();
        let endpoint = match net::bind(&mode, key.clone(), alpns.clone(), port).await {
            Ok(endpoint) => endpoint,
            // The fixed port is taken: a random one works until the phone re-pairs.
            Err(_) if port.is_some() => net::bind(&mode, key, alpns, None).await?,
            Err(e) => return Err(e.into()),
        };
        let policy = config
            .photo_policy()
            .map_err(|e| anyhow::anyhow!(e.message))?;
        let node = DesktopNode::start(endpoint, dir, &config.name).await?;
        node.set_photo_policy(policy);
        let uses_relay = matches!(
            mode,
            NetworkMode::Default | NetworkMode::SelfHostedRelay(_) | NetworkMode::RelayOnly(_)
        );
        Ok(Desktop {
            uses_relay,
            alerts: Mutex::new(crate::alerts::AlertBook::new()),
            attention: Mutex::new(HashMap::new()),
            node,
            dir: dir.to_path_buf(),
            started_with: config.clone(),
            config: Mutex::new(config),
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

    /// One phone's replica: every command that concerns one phone names it, and an
    /// unknown or unpaired one is refused (there is no default phone).
    pub fn phone(&self, id: &str) -> Result<DesktopReplica, AppError> {
        id.parse()
            .ok()
            .and_then(|id| self.node.phone(&id))
            .ok_or_else(|| {
                AppError::new(
                    "that phone is not paired with this desktop; choose a paired phone, or pair it under Devices",
                )
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
            .map(|s| {
                let mut row = peer_row(s, last.get(&s.endpoint).copied());
                row.health = self.reported_health(&s.endpoint).map(|r| HealthRow {
                    reported_at_ms: r.reported_at_ms,
                    app_version: r.health.app_version.clone(),
                    checklist: r.health.checklist(),
                });
                row
            })
            .collect()
    }

    /// The last health record a phone reported (`None` before its first, or unpaired).
    pub fn reported_health(&self, phone: &str) -> Option<ReportedHealth> {
        let replica = self.phone(phone).ok()?;
        replica.with(|s| s.phone_health()).ok().flatten()
    }

    /// Whether this desktop could hear its phones now (see [`DesktopNode::reachable`]).
    pub fn online(&self) -> bool {
        self.node.reachable(self.uses_relay)
    }

    /// Looks at every phone now and updates the alerts; returns what changed.
    pub fn update_alerts(&self) -> crate::alerts::Changes {
        let threshold = lock(&self.config).phone_silent_after_seconds;
        let seen: Vec<crate::alerts::PhoneSeen> = self
            .node
            .peers()
            .borrow()
            .values()
            .map(|s| crate::alerts::PhoneSeen {
                phone: s.endpoint.clone(),
                name: s.name.clone(),
                silent_since_ms: match s.link {
                    PeerLink::Offline { since_ms } => Some(since_ms),
                    _ => None,
                },
                health: self.reported_health(&s.endpoint).map(|r| r.health),
                attention: Default::default(),
                who: HashMap::new(),
            })
            .collect();
        let now_ms = Timestamp::now().as_millisecond();
        let seen: Vec<crate::alerts::PhoneSeen> = seen
            .into_iter()
            .map(|mut p| {
                if let Some(found) = self.store_attention(&p.phone, now_ms) {
                    p.attention = found.attention;
                    p.who = found.who;
                }
                p
            })
            .collect();
        let online = self.online();
        lock(&self.alerts).update(
            &seen,
            online,
            Timestamp::now().as_millisecond(),
            i64::try_from(threshold.saturating_mul(1000)).unwrap_or(i64::MAX),
        )
    }

    /// What a phone's replica needs a person for: read again only when the store changed
    /// (or every few minutes, for what ages out), since the alerts look every 2 seconds.
    fn store_attention(&self, phone: &str, now_ms: i64) -> Option<StoreAttention> {
        let replica = self.phone(phone).ok()?;
        let version = replica.with(|s| *s.subscribe().borrow());
        if let Some(kept) = lock(&self.attention).get(phone)
            && kept.version == version
            && now_ms - kept.read_at_ms < ATTENTION_AT_LEAST_EVERY_MS
        {
            return Some(kept.clone());
        }
        let now = Timestamp::from_millisecond(now_ms).ok()?;
        let read = replica.with(|s| -> Result<_, ringback_core::StoreError> {
            let reader = s.reader();
            let attention = reader.attention(now)?;
            let numbers = attention
                .failed_text_backs
                .iter()
                .map(|f| f.number.clone())
                .chain(attention.handed_to_team.iter().map(|h| h.number.clone()));
            let mut who = HashMap::new();
            for number in numbers {
                let name = reader
                    .contact_name(&number)?
                    .unwrap_or_else(|| crate::views::display_number(&number));
                who.insert(number, name);
            }
            Ok((attention, who))
        });
        match read {
            Ok((attention, who)) => {
                let found = StoreAttention {
                    version,
                    read_at_ms: now_ms,
                    attention,
                    who,
                };
                lock(&self.attention).insert(phone.to_string(), found.clone());
                Some(found)
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read what needs attention");
                None
            }
        }
    }

    /// The alerts in force.
    pub fn alerts(&self) -> Vec<crate::alerts::AlertRow> {
        lock(&self.alerts).active()
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

    /// The pairing code that works now, if "Pair a phone" was pressed and the code is not
    /// used, expired or cancelled.
    pub fn pairing_code(&self) -> Option<PairingTicket> {
        self.node.current_ticket()
    }

    /// A new pairing code ("Pair a phone", "New code"): every older one stops working.
    pub fn new_pairing_code(&self) -> PairingTicket {
        self.node.ticket()
    }

    /// No code works any more (the person closed the pairing code).
    pub fn cancel_pairing(&self) {
        self.node.void_tickets();
    }

    /// The phones waiting for a person to accept them.
    pub fn pairing_requests(&self) -> Vec<PairingRequestRow> {
        self.node
            .pairing_requests()
            .borrow()
            .iter()
            .map(request_row)
            .collect()
    }

    /// A person accepted the waiting phone `endpoint`.
    pub fn accept_pairing(&self, endpoint: &str) -> Result<(), AppError> {
        let id = endpoint.parse().map_err(|_| not_waiting())?;
        self.node
            .accept_pairing(&id)
            .map_err(|e| AppError::new(e.to_string()))
    }

    /// A person rejected the waiting phone `endpoint`.
    pub fn reject_pairing(&self, endpoint: &str) -> Result<(), AppError> {
        let id = endpoint.parse().map_err(|_| not_waiting())?;
        self.node
            .reject_pairing(&id)
            .map_err(|e| AppError::new(e.to_string()))
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
        // Held through the write, so a photo change saved meanwhile is not lost.
        let mut config = lock(&self.config);
        let mut next = config.clone();
        next.network = network;
        next.relay_url = relay_url.trim().to_string();
        next.mode()?;
        next.save(&self.dir)?;
        *config = next;
        Ok(())
    }

    /// The photo settings now, and what each paired phone's photos take here.
    pub fn photo_settings(&self) -> PhotoSettings {
        let config = lock(&self.config).clone();
        self.photo_view(&config, None)
    }

    /// Changes the photo settings from the window: checked as at start (an error names the
    /// field, and nothing is written), written to `desktop.json`, and used at once; each
    /// phone's photos past the budget are removed now, oldest first. Blocks on the disk.
    pub fn set_photo_settings(
        &self,
        eager_up_to_mb: f64,
        budget_per_phone_mb: f64,
    ) -> Result<PhotoSettings, AppError> {
        let mut config = lock(&self.config);
        let mut next = config.clone();
        next.photos_eager_up_to_mb = whole_mb("photos_eager_up_to_mb", eager_up_to_mb)?;
        next.photos_budget_per_phone_mb =
            whole_mb("photos_budget_per_phone_mb", budget_per_phone_mb)?;
        let policy = next.photo_policy()?;
        next.save(&self.dir)?;
        *config = next.clone();
        // Under the same lock, so the node runs on what the file says.
        self.node.set_photo_policy(policy);
        drop(config);
        Ok(self.photo_view(&next, Some(policy.budget_bytes)))
    }

    /// The photo settings of `config` with each phone's usage, after removing the oldest
    /// photos past `evict_to` bytes when given.
    fn photo_view(&self, config: &LocalConfig, evict_to: Option<u64>) -> PhotoSettings {
        let names = self.phone_names();
        let mut phones: Vec<PhotoUsage> = self
            .node
            .phones()
            .into_iter()
            .map(|(id, _)| {
                let endpoint = id.to_string();
                let (held_bytes, removed) = match self.node.photo_store(&id).and_then(|store| {
                    let removed = match evict_to {
                        Some(budget) => store.evict_oldest(budget)?.len(),
                        None => 0,
                    };
                    Ok((store.held_bytes()?, removed))
                }) {
                    Ok((held, removed)) => {
                        (Some(held), u32::try_from(removed).unwrap_or(u32::MAX))
                    }
                    Err(e) => {
                        tracing::warn!(phone = %id.fmt_short(), error = %e, "could not measure a phone's photos");
                        (None, 0)
                    }
                };
                PhotoUsage {
                    name: names.get(&endpoint).cloned().unwrap_or_default(),
                    endpoint,
                    held_bytes,
                    removed,
                }
            })
            .collect();
        phones.sort_by(|a, b| a.name.cmp(&b.name).then(a.endpoint.cmp(&b.endpoint)));
        PhotoSettings {
            photos_eager_up_to_mb: config.photos_eager_up_to_mb,
            photos_budget_per_phone_mb: config.photos_budget_per_phone_mb,
            max_eager_mb: ringback_core::attachment::MAX_ATTACHMENT_BYTES / MB,
            max_budget_mb: MAX_PHOTO_BUDGET_MB,
            phones,
        }
    }
}

/// A size in MB typed in the window: a whole number, 0 or more (the range is checked by
/// [`LocalConfig::photo_policy`]; a number too large for a `u64` becomes the largest one,
/// which that check refuses).
fn whole_mb(field: &str, value: f64) -> Result<u64, AppError> {
    if !value.is_finite() || value < 0.0 || value.fract() != 0.0 {
        return Err(AppError {
            message: format!("{field} is {value}; use a whole number of MB, 0 or more"),
            field: Some(field.into()),
        });
    }
    // A saturating cast: whole, not negative, so only the top can be cut.
    Ok(value as u64)
}

fn not_waiting() -> AppError {
    AppError::new(
        "that is not a phone waiting to pair; pair it again with a new code under Devices",
    )
}

/// A waiting phone, for the window.
pub fn request_row(r: &PairingRequest) -> PairingRequestRow {
    PairingRequestRow {
        endpoint: r.endpoint.to_string(),
        name: r.name.clone(),
        fingerprint: r.fingerprint.clone(),
        expires_ms: r.expires_at.as_millisecond(),
    }
}

fn peer_row(state: &PeerState, last_sync_ms: Option<i64>) -> PeerRow {
    let (link, relay, offline_since_ms) = match &state.link {
        PeerLink::Lan { .. } => (LinkState::Lan, None, None),
        PeerLink::Direct { .. } => (LinkState::Direct, None, None),
        PeerLink::Relay { relay, .. } => (LinkState::Relay, Some(relay.clone()), None),
        PeerLink::Offline { since_ms } => (LinkState::Offline, None, Some(*since_ms)),
    };
    PeerRow {
        endpoint: state.endpoint.clone(),
        name: state.name.clone(),
        fingerprint: state
            .endpoint
            .parse()
            .map(|id| pairing::fingerprint(&id))
            .unwrap_or_default(),
        link,
        // A relay whose URL names no host (it cannot happen for a URL iroh dialled) is
        // left unnamed rather than named as "".
        relay: relay.filter(|r| !r.is_empty()),
        rtt_ms: state.link.rtt_ms(),
        since_ms: Some(state.link.since_ms()),
        offline_since_ms,
        last_sync_ms,
        health: None,
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
    use ringback_core::blobs::BlobStore;

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
            phone_silent_after_seconds: 30,
            photos_eager_up_to_mb: 5,
            photos_budget_per_phone_mb: 500,
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

    #[test]
    fn the_photo_settings_in_desktop_json_set_the_policy_and_bad_values_are_named() {
        let dir = tempfile::tempdir().expect("dir");
        // A file from before the setting existed: the defaults.
        std::fs::write(dir.path().join("desktop.json"), r#"{"name": "Front desk"}"#)
            .expect("write");
        let config = LocalConfig::load(dir.path()).expect("load");
        assert_eq!(
            config.photo_policy().expect("policy"),
            PhotoPolicy::default()
        );
        std::fs::write(
            dir.path().join("desktop.json"),
            r#"{"photos_eager_up_to_mb": 0, "photos_budget_per_phone_mb": 300}"#,
        )
        .expect("write");
        let config = LocalConfig::load(dir.path()).expect("load");
        assert_eq!(
            config.photo_policy().expect("policy"),
            PhotoPolicy {
                eager_full_bytes: 0,
                budget_bytes: 300 * MB,
            }
        );
        for (config, field) in [
            (
                LocalConfig {
                    photos_eager_up_to_mb: 17,
                    ..LocalConfig::default()
                },
                "photos_eager_up_to_mb",
            ),
            (
                LocalConfig {
                    photos_budget_per_phone_mb: 0,
                    ..LocalConfig::default()
                },
                "photos_budget_per_phone_mb",
            ),
            (
                LocalConfig {
                    photos_budget_per_phone_mb: u64::MAX,
                    ..LocalConfig::default()
                },
                "photos_budget_per_phone_mb",
            ),
        ] {
            let e = config.photo_policy().expect_err("refused");
            assert_eq!(e.field.as_deref(), Some(field));
            assert!(e.message.contains(field), "{}", e.message);
        }
        // A negative number is not a size: the file is named, nothing overwritten.
        std::fs::write(
            dir.path().join("desktop.json"),
            r#"{"photos_budget_per_phone_mb": -5}"#,
        )
        .expect("write");
        let e = LocalConfig::load(dir.path()).expect_err("broken");
        assert!(e.message.contains("desktop.json"), "{}", e.message);
    }

    /// A desktop with one paired phone whose photo store holds three 600 KB photos, written
    /// in order, and a `desktop.json` with choices of its own.
    async fn desktop_with_photos() -> (tempfile::TempDir, Desktop, Arc<BlobStore>) {
        let dir = tempfile::tempdir().expect("dir");
        let phone = iroh::SecretKey::from_bytes(&[3; 32]).public().to_string();
        let folder = dir.path().join("phones").join(&phone);
        std::fs::create_dir_all(&folder).expect("mkdir");
        drop(DesktopReplica::open(&folder.join("ringback.db")).expect("replica"));
        let store = BlobStore::open(&folder.join("blobs")).expect("store");
        for i in 0..3u8 {
            store.put(&vec![i; 600 * 1024]).expect("kept");
            // File times have a coarse grain on some file systems.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        LocalConfig {
            network: Network::LanOnly,
            name: "Front desk".into(),
            phone_silent_after_seconds: 30,
            ..LocalConfig::default()
        }
        .save(dir.path())
        .expect("save");
        let desktop = Desktop::start_on(dir.path(), Some(NetworkMode::Loopback), None)
            .await
            .expect("desktop");
        (dir, desktop, store)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_photo_change_from_the_window_is_saved_used_at_once_and_a_lower_budget_evicts() {
        let (dir, desktop, store) = desktop_with_photos().await;
        let before = desktop.photo_settings();
        assert_eq!(
            (
                before.photos_eager_up_to_mb,
                before.photos_budget_per_phone_mb
            ),
            (2, 2048)
        );
        assert_eq!(
            (before.max_eager_mb, before.max_budget_mb),
            (16, 1024 * 1024)
        );
        assert_eq!(before.phones.len(), 1);
        assert_eq!(before.phones[0].held_bytes, Some(3 * 600 * 1024));
        assert_eq!(before.phones[0].removed, 0);

        let after = desktop.set_photo_settings(0.0, 1.0).expect("saved");
        assert_eq!(
            (
                after.photos_eager_up_to_mb,
                after.photos_budget_per_phone_mb
            ),
            (0, 1)
        );
        // 1.8 MB held, 1 MB allowed: the two oldest go now, not at the next fetch.
        assert_eq!(after.phones[0].removed, 2);
        assert_eq!(after.phones[0].held_bytes, Some(600 * 1024));
        assert!(!store.has(&ringback_core::attachment::BlobHash::of(&vec![
            0u8;
            600 * 1024
        ])));
        assert!(store.has(&ringback_core::attachment::BlobHash::of(&vec![
            2u8;
            600 * 1024
        ])));

        // In the file, with the desktop's other choices kept, and in force.
        let saved = LocalConfig::load(dir.path()).expect("load");
        assert_eq!(
            saved,
            LocalConfig {
                network: Network::LanOnly,
                name: "Front desk".into(),
                phone_silent_after_seconds: 30,
                photos_eager_up_to_mb: 0,
                photos_budget_per_phone_mb: 1,
                ..LocalConfig::default()
            }
        );
        let (now, restart) = desktop.config();
        assert_eq!(now, saved);
        assert!(!restart, "a photo change needs no restart");
        assert_eq!(desktop.photo_settings().photos_budget_per_phone_mb, 1);
        assert_eq!(desktop.photo_settings().phones[0].removed, 0, "only read");

        // The largest values accepted are accepted.
        let top = desktop
            .set_photo_settings(16.0, (1024 * 1024) as f64)
            .expect("the largest");
        assert_eq!(
            (top.photos_eager_up_to_mb, top.photos_budget_per_phone_mb),
            (16, 1024 * 1024)
        );
        assert_eq!(top.phones[0].removed, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_photo_value_out_of_range_is_refused_naming_its_field_and_nothing_changes() {
        let (dir, desktop, _store) = desktop_with_photos().await;
        let file = std::fs::read(dir.path().join("desktop.json")).expect("read");
        for (eager, budget, field) in [
            (17.0, 100.0, "photos_eager_up_to_mb"),
            (-1.0, 100.0, "photos_eager_up_to_mb"),
            (2.5, 100.0, "photos_eager_up_to_mb"),
            (f64::NAN, 100.0, "photos_eager_up_to_mb"),
            (2.0, 0.0, "photos_budget_per_phone_mb"),
            (2.0, (1024 * 1024 + 1) as f64, "photos_budget_per_phone_mb"),
            (2.0, 1e30, "photos_budget_per_phone_mb"),
            (2.0, 0.5, "photos_budget_per_phone_mb"),
        ] {
            let e = desktop
                .set_photo_settings(eager, budget)
                .expect_err("refused");
            assert_eq!(e.field.as_deref(), Some(field), "{eager} {budget}");
            assert!(e.message.contains(field), "{}", e.message);
            assert_eq!(
                std::fs::read(dir.path().join("desktop.json")).expect("read"),
                file,
                "desktop.json untouched"
            );
            let now = desktop.photo_settings();
            assert_eq!(
                (now.photos_eager_up_to_mb, now.photos_budget_per_phone_mb),
                (2, 2048)
            );
            assert_eq!(
                now.phones[0].held_bytes,
                Some(3 * 600 * 1024),
                "nothing removed"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_network_change_keeps_the_photo_settings() {
        let (dir, desktop, _store) = desktop_with_photos().await;
        desktop.set_photo_settings(4.0, 300.0).expect("saved");
        desktop
            .set_network(Network::Default, "")
            .expect("network saved");
        let saved = LocalConfig::load(dir.path()).expect("load");
        assert_eq!(
            (
                saved.photos_eager_up_to_mb,
                saved.photos_budget_per_phone_mb
            ),
            (4, 300)
        );
        assert_eq!(saved.network, Network::Default);
    }

    fn state(link: PeerLink) -> PeerState {
        PeerState {
            endpoint: iroh::SecretKey::from_bytes(&[5; 32]).public().to_string(),
            name: "Shop phone".into(),
            link,
        }
    }

    #[test]
    fn a_peer_row_carries_the_kind_of_link_its_relay_rtt_and_since_when() {
        let row = peer_row(
            &state(PeerLink::Relay {
                relay: "relay.example.com".into(),
                rtt_ms: Some(84),
                since_ms: 1_000,
            }),
            Some(2_000),
        );
        assert_eq!(row.link, LinkState::Relay);
        assert_eq!(row.relay.as_deref(), Some("relay.example.com"));
        assert_eq!((row.rtt_ms, row.since_ms), (Some(84), Some(1_000)));
        assert_eq!(
            (row.offline_since_ms, row.last_sync_ms),
            (None, Some(2_000))
        );

        let row = peer_row(
            &state(PeerLink::Lan {
                rtt_ms: Some(3),
                since_ms: 7,
            }),
            None,
        );
        assert_eq!(row.link, LinkState::Lan);
        assert_eq!(
            (row.relay, row.rtt_ms, row.since_ms),
            (None, Some(3), Some(7))
        );

        let row = peer_row(
            &state(PeerLink::Direct {
                rtt_ms: None,
                since_ms: 9,
            }),
            None,
        );
        assert_eq!(row.link, LinkState::Direct);
        assert_eq!((row.rtt_ms, row.since_ms), (None, Some(9)));

        let row = peer_row(&state(PeerLink::Offline { since_ms: 11 }), None);
        assert_eq!(row.link, LinkState::Offline);
        assert_eq!((row.since_ms, row.offline_since_ms), (Some(11), Some(11)));
        assert_eq!((row.relay, row.rtt_ms), (None, None));
    }
}
