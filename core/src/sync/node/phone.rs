//! The phone's side of sync: one dial loop per paired desktop, reconnecting with backoff,
//! started and stopped as pairings change.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use iroh::endpoint::Connection;
use iroh::{Endpoint, EndpointAddr, EndpointId, RelayUrl};
use jiff::Timestamp;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::pairing::{RELAY_META, with_own_relay};
use super::{
    AbortOnDrop, CLOSE_SESSION_ENDED, PairError, PeerState, States, add_peer_state,
    connect_refused_as_unpaired, follow_link, jitter, lock, offline_now, offline_since_heard,
    refused_as_unpaired, set_link,
};
#[cfg(feature = "test-hooks")]
use super::{Disconnector, Target};
use crate::engine::replica::PhoneReplica;
use crate::engine::service::EngineHandle;
use crate::oplog::op::Role;
use crate::store::{PeerRecord, StoreError};
use crate::sync::blobs::{self, PhoneAccess};
use crate::sync::pairing::{self};
use crate::sync::session::{self, Faults, Hello, SessionStats, SyncError};

/// The phone's side of sync.
pub struct PhoneNode {
    pub(super) endpoint: Endpoint,
    pub(super) engine: EngineHandle,
    pub(super) me: Hello,
    pub(super) states: Arc<States>,
    pub(super) links: Arc<Mutex<HashMap<String, Link>>>,
    pub(super) supervisor: JoinHandle<()>,
    pub(super) acceptor: JoinHandle<()>,
}

/// One desktop's dial loop and its current connection.
pub(super) struct Link {
    task: JoinHandle<()>,
    pub(super) conn: Arc<Mutex<Option<Connection>>>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(conn) = lock(&self.conn).take() {
            conn.close(CLOSE_SESSION_ENDED.into(), b"stopped");
        }
    }
}

impl PhoneNode {
    /// Starts sync on a bound endpoint for a running engine: dials every paired desktop and
    /// keeps doing so as pairings change.
    pub async fn start(
        endpoint: Endpoint,
        engine: EngineHandle,
        name: &str,
    ) -> Result<PhoneNode, PairError> {
        PhoneNode::start_faulty(endpoint, engine, name, Faults::default()).await
    }

    /// Test hook: [`Self::start`], with the frames this phone sends mistreated.
    #[cfg(feature = "test-hooks")]
    pub async fn start_with_faults(
        endpoint: Endpoint,
        engine: EngineHandle,
        name: &str,
        faults: Faults,
    ) -> Result<PhoneNode, PairError> {
        PhoneNode::start_faulty(endpoint, engine, name, faults).await
    }

    async fn start_faulty(
        endpoint: Endpoint,
        engine: EngineHandle,
        name: &str,
        faults: Faults,
    ) -> Result<PhoneNode, PairError> {
        let origin = engine
            .with(|e| -> Result<String, StoreError> {
                let store = e.store();
                let origin = store.origin().to_string();
                store.set_phone_origin(&origin)?;
                Ok(origin)
            })
            .await
            .map_err(|_| PairError::Stopped)??;
        let me = Hello {
            origin,
            role: Role::Phone,
            name: name.to_string(),
        };
        let states = Arc::new(watch::channel(BTreeMap::new()).0);
        let links = Arc::new(Mutex::new(HashMap::new()));
        // The phone dials; it answers nothing.
        let acceptor = {
            let endpoint = endpoint.clone();
            tokio::spawn(async move {
                while let Some(incoming) = endpoint.accept().await {
                    incoming.refuse();
                }
            })
        };
        let supervisor = tokio::spawn(supervise(
            endpoint.clone(),
            engine.clone(),
            me.clone(),
            states.clone(),
            links.clone(),
            faults,
        ));
        Ok(PhoneNode {
            endpoint,
            engine,
            me,
            states,
            links,
            supervisor,
            acceptor,
        })
    }

    /// This phone's endpoint id.
    pub fn id(&self) -> EndpointId {
        self.endpoint.id()
    }

    /// This phone's address as known now.
    pub fn addr(&self) -> EndpointAddr {
        self.endpoint.addr()
    }

    /// The state of every paired desktop, as it changes.
    pub fn peers(&self) -> watch::Receiver<BTreeMap<String, PeerState>> {
        self.states.subscribe()
    }

    /// This phone's pairing fingerprint, the string the desktop shows beside its name.
    pub fn fingerprint(&self) -> String {
        pairing::fingerprint(&self.endpoint.id())
    }

    /// Unpairs a desktop: its session ends now, and every other device learns of it.
    pub async fn unpair(&self, endpoint: &str) -> Result<(), PairError> {
        let endpoint = endpoint.to_string();
        let found = self
            .engine
            .with(move |e| -> Result<bool, StoreError> {
                let store = e.store_mut();
                let Some(mut peer) = store
                    .reader()
                    .peers()?
                    .into_iter()
                    .find(|p| p.endpoint == endpoint)
                else {
                    return Ok(false);
                };
                peer.paired = false;
                store.write(Timestamp::now(), "unpaired", |tx| tx.set_peer(&peer))?;
                Ok(true)
            })
            .await
            .map_err(|_| PairError::Stopped)??;
        if !found {
            return Err(PairError::Refused(
                "no desktop with that id is paired".into(),
            ));
        }
        Ok(())
    }

    /// Test hook: a handle that drops every connection at once, as a network change
    /// would. The dial loops reconnect on their own.
    #[cfg(feature = "test-hooks")]
    pub fn disconnector(&self) -> Disconnector {
        Disconnector(Target::Phone(self.links.clone()))
    }

    /// Stops sync and closes the endpoint.
    pub async fn shutdown(self) {
        self.supervisor.abort();
        self.acceptor.abort();
        lock(&self.links).clear();
        let _ = self.supervisor.await;
        let _ = self.acceptor.await;
        self.endpoint.close().await;
    }
}

/// A paired desktop with the addresses and relay pairing gave.
type PairedDesktop = (PeerRecord, Vec<std::net::SocketAddr>, Option<RelayUrl>);

/// Keeps one dial loop per paired desktop, starting and stopping them as pairings change.
async fn supervise(
    endpoint: Endpoint,
    engine: EngineHandle,
    me: Hello,
    states: Arc<States>,
    links: Arc<Mutex<HashMap<String, Link>>>,
    faults: Faults,
) {
    // Pairings change rarely; the list is read again only when one does.
    let mut pairings = engine.pairings();
    loop {
        pairings.borrow_and_update();
        let peers = engine
            .with(|e| -> Result<Vec<PairedDesktop>, StoreError> {
                let store = e.store();
                let mut out = Vec::new();
                for peer in store.reader().peers()? {
                    if peer.role != Role::Desktop {
                        continue;
                    }
                    let addrs = store
                        .meta(&format!("addrs/{}", peer.endpoint))?
                        .and_then(|a| serde_json::from_str(&a).ok())
                        .unwrap_or_default();
                    let relay = store
                        .meta(&format!("{RELAY_META}{}", peer.endpoint))?
                        .and_then(|r| r.parse().ok());
                    out.push((peer, addrs, relay));
                }
                Ok(out)
            })
            .await;
        let peers = match peers {
            Ok(Ok(peers)) => peers,
            Ok(Err(error)) => {
                tracing::error!(%error, "could not read the paired desktops");
                Vec::new()
            }
            Err(_) => return,
        };
        {
            let mut links = lock(&links);
            for (peer, addrs, relay) in peers {
                if !peer.paired {
                    if links.remove(&peer.endpoint).is_some() {
                        tracing::info!(desktop = %peer.name, "unpaired: connection closed");
                        states.send_modify(|m| {
                            m.remove(&peer.endpoint);
                        });
                    }
                    continue;
                }
                if links.contains_key(&peer.endpoint) {
                    continue;
                }
                let Ok(id) = peer.endpoint.parse::<EndpointId>() else {
                    tracing::warn!(desktop = %peer.name, "a paired desktop has an unreadable id");
                    continue;
                };
                let mut addr = EndpointAddr::new(id);
                for a in addrs {
                    addr = addr.with_ip_addr(a);
                }
                if let Some(relay) = relay {
                    addr = addr.with_relay_url(relay);
                }
                add_peer_state(&states, &peer.endpoint, &peer.name, offline_now());
                let conn = Arc::new(Mutex::new(None));
                let task = tokio::spawn(dial_loop(
                    endpoint.clone(),
                    PhoneReplica::new(engine.clone()),
                    me.clone(),
                    peer.clone(),
                    addr,
                    states.clone(),
                    conn.clone(),
                    faults,
                ));
                links.insert(peer.endpoint.clone(), Link { task, conn });
            }
        }
        if pairings.changed().await.is_err() {
            return;
        }
    }
}

/// Dials one desktop and runs sessions with it, reconnecting with backoff, forever.
#[allow(clippy::too_many_arguments)]
async fn dial_loop(
    endpoint: Endpoint,
    replica: PhoneReplica,
    me: Hello,
    peer: PeerRecord,
    addr: EndpointAddr,
    states: Arc<States>,
    slot: Arc<Mutex<Option<Connection>>>,
    faults: Faults,
) {
    const FIRST: Duration = Duration::from_millis(50);
    const MOST: Duration = Duration::from_secs(15);
    let mut backoff = FIRST;
    loop {
        let started = tokio::time::Instant::now();
        let mut dialed: Option<Connection> = None;
        let mut refused_at_connect = false;
        let mut refused_in_session = false;
        let stats = Arc::new(Mutex::new(SessionStats::default()));
        // One span per session (each dial), named by the desktop's name and short id.
        let span = tracing::info_span!(
            "sync_session",
            peer = %peer.name,
            endpoint = %addr.id.fmt_short(),
        );
        let result = async {
            let target = with_own_relay(&endpoint, addr.clone());
            let conn = match endpoint.connect(target.clone(), session::ALPN).await {
                Ok(conn) => conn,
                Err(e) => {
                    refused_at_connect = connect_refused_as_unpaired(&e);
                    return Err(SyncError::Io(std::io::Error::other(e.to_string())));
                }
            };
            dialed = Some(conn.clone());
            *lock(&slot) = Some(conn.clone());
            let _refresh = follow_link(&conn, &states, &peer.endpoint);
            let _photos = serve_photos(&endpoint, &target, replica.engine(), &peer.origin);
            let (send, recv) = conn
                .open_bi()
                .await
                .map_err(|e| SyncError::Io(std::io::Error::other(e.to_string())))?;
            let expected = peer.origin.clone();
            let check = move |hello: &Hello| {
                if hello.origin == expected && hello.role == Role::Desktop {
                    Ok(())
                } else {
                    Err(SyncError::Refused(
                        "the desktop is not the one that was paired".into(),
                    ))
                }
            };
            let result = session::run_faulty(
                replica.clone(),
                me.clone(),
                recv,
                send,
                check,
                faults,
                stats.clone(),
            )
            .await;
            // Read why it ended before closing our side, which would mask the reason.
            refused_in_session = refused_as_unpaired(&conn)
                || result
                    .as_ref()
                    .is_err_and(|e| e.to_string().contains("not paired (code 1)"));
            conn.close(CLOSE_SESSION_ENDED.into(), b"session ended");
            result
        }
        .instrument(span)
        .await;
        if refused_at_connect
            || refused_in_session
            || dialed.as_ref().is_some_and(refused_as_unpaired)
        {
            // The desktop revoked the pairing: record it, so that every other desktop
            // learns of it and this loop ends (the supervisor stops it on the record).
            tracing::info!(desktop = %peer.name, "the desktop unpaired this phone");
            let mut revoked = peer.clone();
            revoked.paired = false;
            let _ = replica
                .engine()
                .with(move |e| {
                    e.store_mut()
                        .write(Timestamp::now(), "unpaired", |tx| tx.set_peer(&revoked))
                })
                .await;
            lock(&slot).take();
            return;
        }
        lock(&slot).take();
        set_link(&states, &peer.endpoint, offline_since_heard(&stats));
        match &result {
            Ok(()) => tracing::debug!(desktop = %peer.name, "sync session ended"),
            Err(error) => tracing::info!(desktop = %peer.name, %error, "sync session ended"),
        }
        if started.elapsed() > Duration::from_secs(2) {
            backoff = FIRST;
        }
        tokio::time::sleep(jitter(backoff)).await;
        backoff = (backoff * 2).min(MOST);
    }
}

/// Dials the desktop's blob ALPN beside the session, serves it the photos its messages
/// name (see [`PhoneAccess`]), and fetches from it the photos its pending replies carry,
/// until the session ends (the returned guard is dropped).
fn serve_photos(
    endpoint: &Endpoint,
    addr: &EndpointAddr,
    engine: &EngineHandle,
    desktop_origin: &str,
) -> AbortOnDrop {
    let (endpoint, addr, engine) = (endpoint.clone(), addr.clone(), engine.clone());
    let desktop_origin = desktop_origin.to_string();
    AbortOnDrop(tokio::spawn(async move {
        let Ok(store) = engine.with(|e| e.blobs().clone()).await else {
            return;
        };
        let conn = match endpoint.connect(addr, blobs::ALPN).await {
            Ok(conn) => conn,
            Err(error) => {
                tracing::info!(%error, "the desktop did not take the photo connection");
                return;
            }
        };
        let access = Arc::new(PhoneAccess {
            engine: engine.clone(),
        });
        let _server = AbortOnDrop(tokio::spawn(blobs::serve(
            conn.clone(),
            store.clone(),
            access,
        )));
        let mut committed = engine.committed();
        loop {
            fetch_reply_photos(&conn, &engine, &store, &desktop_origin).await;
            tokio::select! {
                _ = conn.closed() => return,
                changed = committed.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep(REPLY_PHOTO_RETRY) => {}
            }
        }
    }))
}

/// How often the phone asks a desktop again for a reply's photo it did not get.
const REPLY_PHOTO_RETRY: Duration = Duration::from_secs(30);

/// Photos fetched for replies per pass; the rest on the next.
const REPLY_PHOTOS_PER_PASS: usize = 32;

/// Fetches the photos this desktop's pending replies carry, then lets the engine send the
/// replies that have all theirs.
async fn fetch_reply_photos(
    conn: &Connection,
    engine: &EngineHandle,
    store: &Arc<crate::blobs::BlobStore>,
    desktop_origin: &str,
) {
    let wanted = engine
        .with(|e| {
            let blobs = e.blobs().clone();
            e.store().reader().photos_replies_wait_for(|h| blobs.has(h))
        })
        .await;
    let wanted: Vec<_> = match wanted {
        Ok(Ok(list)) => list
            .into_iter()
            .filter(|(origin, _)| origin == desktop_origin)
            .map(|(_, hash)| hash)
            .take(REPLY_PHOTOS_PER_PASS)
            .collect(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "could not read which photos replies wait for");
            return;
        }
        Err(_) => return,
    };
    let mut fetched = 0;
    for hash in wanted {
        match blobs::fetch(conn, &hash, store).await {
            Ok(_) => fetched += 1,
            Err(error) => tracing::info!(%error, "a reply's photo was not fetched yet"),
        }
    }
    if fetched > 0
        && let Ok(Err(error)) = engine.with(|e| e.process_requests()).await
    {
        tracing::error!(%error, "could not act on replies with photos");
    }
}
