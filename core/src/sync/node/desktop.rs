//! A desktop's side of sync: one replica per paired phone, every other endpoint refused
//! before a single frame is read.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use iroh::endpoint::Connection;
use iroh::{Endpoint, EndpointAddr, EndpointId};
use jiff::Timestamp;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::oplog::op::Role;
use crate::store::{Store, StoreError};
use crate::sync::pairing::{self, Approvals, Codes, PairingLimits, Slots, reason};
use crate::sync::replica::DesktopReplica;
use crate::sync::session::{self, Faults, Hello, SessionStats, SyncError};

use super::pairing::{answer_pairing, scrub_unpaired};
use super::{
    CLOSE_NOT_PAIRED, CLOSE_REPLACED, CLOSE_SESSION_ENDED, PAIR_ALPN, PeerState, States,
    add_peer_state, follow_link, lock, offline_now, offline_since_heard, set_link,
};
#[cfg(feature = "test-hooks")]
use super::{Disconnector, Target};

/// A desktop's side of sync: one replica per paired phone, under `dir/phones/<endpoint>/`.
pub struct DesktopNode {
    pub(super) endpoint: Endpoint,
    pub(super) inner: Arc<DesktopInner>,
    pub(super) acceptor: JoinHandle<()>,
}

pub(super) struct DesktopInner {
    pub(super) phones: Mutex<HashMap<EndpointId, DesktopReplica>>,
    pub(super) sessions: Mutex<HashMap<EndpointId, Connection>>,
    /// The pairing codes shown; at most the newest works.
    pub(super) codes: Mutex<Codes>,
    /// Phones that presented a code and wait for a person.
    pub(super) approvals: Approvals,
    /// Pairing connections open now.
    pub(super) pairing_slots: Slots,
    pub(super) limits: PairingLimits,
    pub(super) states: Arc<States>,
    pub(super) dir: PathBuf,
    pub(super) name: String,
    pub(super) faults: Faults,
    /// Each paired phone's blob connection (photos), for the window's fetches.
    pub(super) blob_links: Mutex<HashMap<EndpointId, Connection>>,
    /// Each phone's photo store, opened once.
    pub(super) blob_stores: Mutex<HashMap<EndpointId, Arc<crate::blobs::BlobStore>>>,
    /// What is fetched without being asked, and kept.
    pub(super) photo_policy: Mutex<super::photos::PhotoPolicy>,
}

/// The key under which a phone replica keeps the phone's name (local, never synced).
pub(super) const PHONE_NAME_META: &str = "phone_name";

/// A phone replica's folder.
pub(super) fn phone_dir(dir: &Path, id: &EndpointId) -> PathBuf {
    dir.join("phones").join(id.to_string())
}

impl DesktopNode {
    /// Starts accepting paired phones (and pairings) on a bound endpoint; replicas live
    /// under `dir`.
    pub async fn start(
        endpoint: Endpoint,
        dir: &Path,
        name: &str,
    ) -> Result<DesktopNode, StoreError> {
        DesktopNode::start_faulty(
            endpoint,
            dir,
            name,
            Faults::default(),
            PairingLimits::default(),
        )
        .await
    }

    /// Test hook: [`Self::start`] with the frames this desktop sends mistreated and chosen
    /// limits on pairing connections (tests use short ones).
    #[cfg(feature = "test-hooks")]
    pub async fn start_with(
        endpoint: Endpoint,
        dir: &Path,
        name: &str,
        faults: Faults,
        limits: PairingLimits,
    ) -> Result<DesktopNode, StoreError> {
        DesktopNode::start_faulty(endpoint, dir, name, faults, limits).await
    }

    async fn start_faulty(
        endpoint: Endpoint,
        dir: &Path,
        name: &str,
        faults: Faults,
        limits: PairingLimits,
    ) -> Result<DesktopNode, StoreError> {
        let mut phones = HashMap::new();
        let root = dir.join("phones");
        std::fs::create_dir_all(&root)
            .map_err(|e| StoreError::Corrupt(format!("{}: {e}", root.display())))?;
        if let Ok(entries) = std::fs::read_dir(&root) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                if name.to_str().is_some_and(|n| n.starts_with("unpaired-")) {
                    // Kept from before this version: no key stays in it either.
                    scrub_unpaired(&entry.path());
                    continue;
                }
                let Some(id) = name.to_str().and_then(|n| n.parse::<EndpointId>().ok()) else {
                    continue;
                };
                let replica = DesktopReplica::open(&entry.path().join("ringback.db"))?;
                phones.insert(id, replica);
            }
        }
        let states = Arc::new(watch::channel(BTreeMap::new()).0);
        for (id, replica) in &phones {
            let name = replica
                .with(|s| s.meta(PHONE_NAME_META))
                .ok()
                .flatten()
                .unwrap_or_else(|| "Phone".to_string());
            add_peer_state(&states, &id.to_string(), &name, offline_now());
        }
        let inner = Arc::new(DesktopInner {
            phones: Mutex::new(phones),
            sessions: Mutex::new(HashMap::new()),
            codes: Mutex::new(Codes::default()),
            approvals: Approvals::default(),
            pairing_slots: Slots::default(),
            limits,
            states,
            dir: dir.to_path_buf(),
            name: name.to_string(),
            faults,
            blob_links: Mutex::new(HashMap::new()),
            blob_stores: Mutex::new(HashMap::new()),
            photo_policy: Mutex::new(Default::default()),
        });
        let acceptor = tokio::spawn(accept_loop(endpoint.clone(), inner.clone()));
        Ok(DesktopNode {
            endpoint,
            inner,
            acceptor,
        })
    }

    /// This desktop's endpoint id.
    pub fn id(&self) -> EndpointId {
        self.endpoint.id()
    }

    /// The desktop's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// This desktop's address as known now.
    pub fn addr(&self) -> EndpointAddr {
        self.endpoint.addr()
    }
}

impl DesktopNode {
    /// The replica of each paired phone.
    pub fn phones(&self) -> Vec<(EndpointId, DesktopReplica)> {
        lock(&self.inner.phones)
            .iter()
            .map(|(id, r)| (*id, r.clone()))
            .collect()
    }

    /// The replica of one phone.
    pub fn phone(&self, id: &EndpointId) -> Option<DesktopReplica> {
        lock(&self.inner.phones).get(id).cloned()
    }

    /// The state of every paired phone, as it changes.
    pub fn peers(&self) -> watch::Receiver<BTreeMap<String, PeerState>> {
        self.inner.states.subscribe()
    }

    /// Unpairs a phone: its connection closes now and it is refused from then on. Its data
    /// is kept in `phones/unpaired-<id>-<time>/`, without any API key this desktop handed
    /// over and the phone never answered (it never will now).
    pub fn unpair(&self, id: &EndpointId) -> Result<(), StoreError> {
        if let Some(replica) = self.phone(id) {
            replica.with(Store::scrub_secrets)?;
        }
        let replica = lock(&self.inner.phones).remove(id);
        if let Some(conn) = lock(&self.inner.sessions).remove(id) {
            conn.close(CLOSE_NOT_PAIRED.into(), b"unpaired");
        }
        if let Some(conn) = lock(&self.inner.blob_links).remove(id) {
            conn.close(CLOSE_NOT_PAIRED.into(), b"unpaired");
        }
        lock(&self.inner.blob_stores).remove(id);
        drop(replica);
        let from = phone_dir(&self.inner.dir, id);
        let to = self.inner.dir.join("phones").join(format!(
            "unpaired-{id}-{}",
            Timestamp::now().as_millisecond()
        ));
        std::fs::rename(&from, &to)
            .map_err(|e| StoreError::Corrupt(format!("{}: {e}", from.display())))?;
        self.inner.states.send_modify(|m| {
            m.remove(&id.to_string());
        });
        Ok(())
    }

    /// Test hook: a handle that drops every connection, as a network change would.
    #[cfg(feature = "test-hooks")]
    pub fn disconnector(&self) -> Disconnector {
        Disconnector(Target::Desktop(self.inner.clone()))
    }

    /// Whether this desktop could hear a phone now: connected to a home relay when
    /// `uses_relay`, otherwise (LAN only, loopback) bound to a local address. A desktop
    /// that could not hear a phone does not call it silent.
    pub fn reachable(&self, uses_relay: bool) -> bool {
        use iroh::Watcher;
        if uses_relay {
            let mut status = self.endpoint.home_relay_status();
            status.get().iter().any(|r| r.is_connected())
        } else {
            self.endpoint.addr().ip_addrs().next().is_some()
        }
    }

    /// Waits until the endpoint can be reached (its relay connected, when it uses one).
    pub async fn online(&self) {
        self.endpoint.online().await;
    }

    /// Stops accepting and closes the endpoint.
    pub async fn shutdown(self) {
        self.acceptor.abort();
        close_sessions(&self.inner, b"network change");
        let _ = self.acceptor.await;
        self.endpoint.close().await;
    }
}

/// Closes every session of a desktop; returns how many there were.
pub(super) fn close_sessions(inner: &DesktopInner, reason: &[u8]) -> usize {
    let mut closed = 0;
    for (_, conn) in lock(&inner.sessions).drain() {
        conn.close(CLOSE_SESSION_ENDED.into(), reason);
        closed += 1;
    }
    // Photo links go with the sessions; the phone dials both again.
    for (_, conn) in lock(&inner.blob_links).drain() {
        conn.close(CLOSE_SESSION_ENDED.into(), reason);
    }
    closed
}

async fn accept_loop(endpoint: Endpoint, inner: Arc<DesktopInner>) {
    while let Some(incoming) = endpoint.accept().await {
        let inner = inner.clone();
        tokio::spawn(async move {
            let conn = match incoming.await {
                Ok(conn) => conn,
                Err(error) => {
                    tracing::debug!(%error, "an incoming connection failed");
                    return;
                }
            };
            let remote = conn.remote_id();
            if conn.alpn() == PAIR_ALPN {
                // Nothing is read while no code is shown, and only a few at a time.
                if let Err(why) = lock(&inner.codes).gate(Timestamp::now()) {
                    tracing::debug!(remote = %remote.fmt_short(), "pairing refused before reading: {why}");
                    conn.close(pairing::CLOSE_REFUSED.into(), why.as_bytes());
                    return;
                }
                let Some(_slot) = inner.pairing_slots.take(inner.limits.connections) else {
                    // Debug: a peer can open these as fast as it likes.
                    tracing::debug!(remote = %remote.fmt_short(), "pairing refused: too many pairing connections");
                    conn.close(pairing::CLOSE_REFUSED.into(), reason::BUSY.as_bytes());
                    return;
                };
                if let Err(error) = answer_pairing(&conn, &inner).await {
                    tracing::info!(%error, "pairing refused");
                }
                return;
            }
            let Some(replica) = lock(&inner.phones).get(&remote).cloned() else {
                // Closed before a single frame is read.
                tracing::warn!(remote = %remote.fmt_short(), "refused a device that is not paired");
                conn.close(CLOSE_NOT_PAIRED.into(), b"not paired");
                return;
            };
            if conn.alpn() == crate::sync::blobs::ALPN {
                super::photos::accept_blobs(conn, remote, inner).await;
                return;
            }
            if let Some(old) = lock(&inner.sessions).insert(remote, conn.clone()) {
                old.close(CLOSE_REPLACED.into(), b"replaced by a newer connection");
            }
            let key = remote.to_string();
            let _refresh = follow_link(&conn, &inner.states, &key);
            let stats = Arc::new(Mutex::new(SessionStats::default()));
            // One span per session, named by the phone's short endpoint id.
            let span = tracing::info_span!("sync_session", endpoint = %remote.fmt_short());
            let result = async {
                let (send, recv) = conn
                    .accept_bi()
                    .await
                    .map_err(|e| SyncError::Io(std::io::Error::other(e.to_string())))?;
                let origin = replica.with(|s| s.origin().to_string());
                let phone_origin = replica
                    .with(|s| s.phone_origin())
                    .map_err(|e| SyncError::Replica(e.to_string()))?;
                let me = Hello {
                    origin,
                    role: Role::Desktop,
                    name: inner.name.clone(),
                };
                let check = move |hello: &Hello| match phone_origin {
                    Some(p) if p != hello.origin => Err(SyncError::Refused(
                        "this phone is not the one that was paired".into(),
                    )),
                    _ if hello.role != Role::Phone => {
                        Err(SyncError::Refused("only a phone may connect".into()))
                    }
                    _ => Ok(()),
                };
                session::run_faulty(replica, me, recv, send, check, inner.faults, stats.clone())
                    .await
            }
            .instrument(span.clone())
            .await;
            if let Err(error) = &result {
                span.in_scope(|| tracing::info!(%error, "sync session with the phone ended"));
            }
            let mut sessions = lock(&inner.sessions);
            if sessions
                .get(&remote)
                .is_some_and(|c| c.stable_id() == conn.stable_id())
            {
                sessions.remove(&remote);
                set_link(&inner.states, &key, offline_since_heard(&stats));
            }
            conn.close(CLOSE_SESSION_ENDED.into(), b"session ended");
        });
    }
}
