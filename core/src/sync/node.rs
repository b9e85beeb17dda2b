//! Sync over iroh: the phone dials every paired desktop and keeps a session with each,
//! reconnecting with backoff; a desktop accepts its paired phones (one replica store
//! each) and refuses every other endpoint before reading a single frame. Pairing runs on
//! its own ALPN with a one-time ticket (see [`super::ticket`]) and a person's consent on
//! the desktop (see [`super::pairing`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use iroh::endpoint::Connection;
use iroh::{Endpoint, EndpointAddr, EndpointId};
use jiff::Timestamp;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::net::{self, PeerLink};
use super::op::Role;
use super::pairing::{
    self, Answer, Approvals, Codes, DecisionError, PairReply, PairRequest, PairingLimits,
    PairingRequest, Slots, reason,
};
use super::replica::{DesktopReplica, PhoneReplica};
use super::session::{self, Faults, FrameReader, Hello, SessionStats, SyncError};
use super::ticket::{self, PairingTicket};
use crate::engine::service::EngineHandle;
use crate::store::{PeerRecord, Store, StoreError};

/// The ALPN of pairing.
pub const PAIR_ALPN: &[u8] = b"ringback/pair/1";

/// What every Ringback endpoint speaks, phone or desktop: sync sessions and pairing.
pub fn alpns() -> Vec<Vec<u8>> {
    vec![session::ALPN.to_vec(), PAIR_ALPN.to_vec()]
}

/// How long a pairing ticket is valid.
pub const TICKET_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// Close codes, so the other side can tell why.
const CLOSE_NOT_PAIRED: u32 = 1;
const CLOSE_SESSION_ENDED: u32 = 2;
const CLOSE_REPLACED: u32 = 3;

/// What a peer looks like from here, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PeerState {
    /// Its endpoint id.
    pub endpoint: String,
    /// Its name.
    pub name: String,
    /// How it is reached now.
    pub link: PeerLink,
}

/// Why pairing failed.
#[derive(Debug, thiserror::Error)]
pub enum PairError {
    /// The ticket could not be read.
    #[error(transparent)]
    Ticket(#[from] ticket::TicketError),
    /// The desktop could not be reached.
    #[error(
        "the desktop could not be reached ({0}); check that Ringback is open on it and that both devices are online"
    )]
    Unreachable(String),
    /// The desktop refused the ticket.
    #[error("the desktop refused the pairing: {0}")]
    Refused(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The engine has stopped.
    #[error("the Ringback engine has stopped; restart the app")]
    Stopped,
}

type States = watch::Sender<BTreeMap<String, PeerState>>;

/// Lists a peer (paired now, or found paired at start).
fn add_peer_state(states: &States, endpoint: &str, name: &str, link: PeerLink) {
    states.send_modify(|m| {
        m.insert(
            endpoint.to_string(),
            PeerState {
                endpoint: endpoint.to_string(),
                name: name.to_string(),
                link,
            },
        );
    });
}

/// Updates a listed peer's link. A peer no longer listed (unpaired) stays unlisted, even
/// when its connection's task reports one last time on its way out.
fn set_link(states: &States, endpoint: &str, link: PeerLink) {
    states.send_if_modified(|m| match m.get_mut(endpoint) {
        Some(state) if state.link != link => {
            state.link = link;
            true
        }
        _ => false,
    });
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn offline_now() -> PeerLink {
    PeerLink::Offline {
        since_ms: Timestamp::now().as_millisecond(),
    }
}

/// Offline since the last frame of a session that ended (its last heartbeat, for a device
/// that went silent), or since now when nothing was heard.
fn offline_since_heard(stats: &Mutex<SessionStats>) -> PeerLink {
    match lock(stats).last_heard_ms {
        Some(since_ms) => PeerLink::Offline { since_ms },
        None => offline_now(),
    }
}

/// The phone's side of sync.
pub struct PhoneNode {
    endpoint: Endpoint,
    engine: EngineHandle,
    me: Hello,
    states: Arc<States>,
    links: Arc<Mutex<HashMap<String, Link>>>,
    supervisor: JoinHandle<()>,
    acceptor: JoinHandle<()>,
}

/// Test hook: drops a node's connections (see `disconnector`).
#[doc(hidden)]
#[derive(Clone)]
pub struct Disconnector(Target);

#[derive(Clone)]
enum Target {
    Phone(Arc<Mutex<HashMap<String, Link>>>),
    Desktop(Arc<DesktopInner>),
}

impl Disconnector {
    /// Closes every connection now; returns how many there were.
    pub fn disconnect_all(&self) -> usize {
        let mut closed = 0;
        match &self.0 {
            Target::Phone(links) => {
                for link in lock(links).values() {
                    if let Some(conn) = lock(&link.conn).take() {
                        conn.close(CLOSE_SESSION_ENDED.into(), b"network change");
                        closed += 1;
                    }
                }
            }
            Target::Desktop(inner) => {
                for (_, conn) in lock(&inner.sessions).drain() {
                    conn.close(CLOSE_SESSION_ENDED.into(), b"network change");
                    closed += 1;
                }
            }
        }
        closed
    }
}

/// One desktop's dial loop and its current connection.
struct Link {
    task: JoinHandle<()>,
    conn: Arc<Mutex<Option<Connection>>>,
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

    /// Pairs with the desktop that showed `ticket`. Waits (minutes at most) until a person
    /// at the desktop accepts or rejects this phone.
    pub async fn pair(&self, ticket: &PairingTicket) -> Result<PeerRecord, PairError> {
        self.pair_then(ticket, || {}).await
    }

    /// [`Self::pair`], calling `on_waiting` once the desktop took the code and waits for a
    /// person (the moment to show this phone's fingerprint).
    pub async fn pair_then(
        &self,
        ticket: &PairingTicket,
        on_waiting: impl FnOnce() + Send,
    ) -> Result<PeerRecord, PairError> {
        let addr = ticket.endpoint_addr();
        let conn = match self.endpoint.connect(addr.clone(), PAIR_ALPN).await {
            Ok(conn) => conn,
            Err(e) => {
                return Err(match pairing::connect_refusal(&e) {
                    Some(reason) => PairError::Refused(reason),
                    None => PairError::Unreachable(e.to_string()),
                });
            }
        };
        let asked =
            tokio::time::timeout(pairing::PHONE_WAIT, self.ask(&conn, ticket, on_waiting)).await;
        // The desktop's own words, when it closed the connection to refuse, say more than
        // the read error that followed.
        let answer = match asked {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => Err(pairing::refusal(&conn).map_or(e, PairError::Refused)),
            Err(_) => Err(pairing::refusal(&conn).map_or_else(
                || PairError::Refused(reason::TIMED_OUT.into()),
                PairError::Refused,
            )),
        };
        conn.close(CLOSE_SESSION_ENDED.into(), b"paired");
        let (origin, name) = answer?;
        let record = PeerRecord {
            endpoint: ticket.endpoint.to_string(),
            origin,
            role: Role::Desktop,
            name,
            paired: true,
            changed_at: Timestamp::now().as_millisecond(),
        };
        let addrs = serde_json::to_string(&ticket.addrs).unwrap_or_default();
        let saved = record.clone();
        self.engine
            .with(move |e| -> Result<(), StoreError> {
                let store = e.store_mut();
                store.set_meta(&format!("addrs/{}", saved.endpoint), &addrs)?;
                store.write(Timestamp::now(), "paired", |tx| tx.set_peer(&saved))
            })
            .await
            .map_err(|_| PairError::Stopped)??;
        tracing::info!(desktop = %record.name, "paired with a desktop");
        Ok(record)
    }

    /// Sends the pairing request and reads the answers until the last one.
    async fn ask(
        &self,
        conn: &Connection,
        ticket: &PairingTicket,
        on_waiting: impl FnOnce() + Send,
    ) -> Result<(String, String), PairError> {
        let (mut send, recv) = conn
            .open_bi()
            .await
            .map_err(|e| PairError::Unreachable(e.to_string()))?;
        let request = PairRequest {
            secret: ticket::hex(&ticket.secret),
            origin: self.me.origin.clone(),
            name: self.me.name.clone(),
        };
        let bytes =
            super::frame::encode(&request).map_err(|e| PairError::Refused(e.to_string()))?;
        send.write_all(&bytes)
            .await
            .map_err(|e| PairError::Unreachable(e.to_string()))?;
        let mut reader = FrameReader::new(recv);
        let mut on_waiting = Some(on_waiting);
        loop {
            let reply: PairReply = reader
                .next_as()
                .await
                .map_err(|e| PairError::Unreachable(e.to_string()))?
                .ok_or_else(|| PairError::Unreachable("the desktop hung up".into()))?;
            match reply {
                PairReply::Waiting => {
                    tracing::info!(
                        "the desktop took the code; waiting for a person to accept this phone"
                    );
                    if let Some(f) = on_waiting.take() {
                        f();
                    }
                }
                PairReply::Accepted { origin, name } => return Ok((origin, name)),
                PairReply::Refused { reason } => {
                    return Err(PairError::Refused(pairing::clean_reason(reason.as_bytes())));
                }
            }
        }
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
    #[doc(hidden)]
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
            .with(
                |e| -> Result<Vec<(PeerRecord, Vec<std::net::SocketAddr>)>, StoreError> {
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
                        out.push((peer, addrs));
                    }
                    Ok(out)
                },
            )
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
            for (peer, addrs) in peers {
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
        let result = async {
            let conn = match endpoint.connect(addr.clone(), session::ALPN).await {
                Ok(conn) => conn,
                Err(e) => {
                    refused_at_connect = connect_refused_as_unpaired(&e);
                    return Err(SyncError::Io(std::io::Error::other(e.to_string())));
                }
            };
            dialed = Some(conn.clone());
            *lock(&slot) = Some(conn.clone());
            let _refresh = follow_link(&conn, &states, &peer.endpoint);
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
            let result = session::run(
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

/// Whether the other side closed the connection because this device is not (or no longer)
/// paired with it.
fn refused_as_unpaired(conn: &Connection) -> bool {
    conn.close_reason().is_some_and(|e| closed_as_unpaired(&e))
}

/// The same, when the close arrived before the handshake was reported complete.
fn connect_refused_as_unpaired(e: &iroh::endpoint::ConnectError) -> bool {
    use iroh::endpoint::{ConnectError, ConnectingError};
    match e {
        ConnectError::Connection { source, .. }
        | ConnectError::Connecting {
            source: ConnectingError::ConnectionError { source, .. },
            ..
        } => closed_as_unpaired(source),
        _ => false,
    }
}

fn closed_as_unpaired(e: &iroh::endpoint::ConnectionError) -> bool {
    matches!(
        e,
        iroh::endpoint::ConnectionError::ApplicationClosed(close)
            if close.error_code == iroh::endpoint::VarInt::from_u32(CLOSE_NOT_PAIRED)
    )
}

/// Aborts a task when dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Publishes how a connection reaches its peer now and whenever its path changes (a relay
/// path upgraded to a direct one, or the reverse after a network change), for as long as
/// the returned guard lives.
fn follow_link(conn: &Connection, states: &Arc<States>, endpoint: &str) -> AbortOnDrop {
    set_link(states, endpoint, net::link_of(conn));
    let (conn, states) = (conn.clone(), states.clone());
    let endpoint = endpoint.to_string();
    AbortOnDrop(tokio::spawn(async move {
        let mut last = net::link_of(&conn);
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let now = net::link_of(&conn);
            if now != last {
                set_link(&states, &endpoint, now);
                last = now;
            }
        }
    }))
}

/// Up to a quarter more, so that devices that lost the network together do not retry in step.
fn jitter(d: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    let quarter = d.as_millis() as u64 / 4;
    d + Duration::from_millis(if quarter == 0 {
        0
    } else {
        h.finish() % quarter
    })
}

/// A desktop's side of sync: one replica per paired phone, under `dir/phones/<endpoint>/`.
pub struct DesktopNode {
    endpoint: Endpoint,
    inner: Arc<DesktopInner>,
    acceptor: JoinHandle<()>,
}

struct DesktopInner {
    phones: Mutex<HashMap<EndpointId, DesktopReplica>>,
    sessions: Mutex<HashMap<EndpointId, Connection>>,
    /// The pairing codes shown; at most the newest works.
    codes: Mutex<Codes>,
    /// Phones that presented a code and wait for a person.
    approvals: Approvals,
    /// Pairing connections open now.
    pairing_slots: Slots,
    limits: PairingLimits,
    states: Arc<States>,
    dir: PathBuf,
    name: String,
    faults: Faults,
}

/// The key under which a phone replica keeps the phone's name (local, never synced).
const PHONE_NAME_META: &str = "phone_name";

/// A phone replica's folder.
fn phone_dir(dir: &Path, id: &EndpointId) -> PathBuf {
    dir.join("phones").join(id.to_string())
}

impl DesktopNode {
    /// Starts accepting paired phones (and pairings) on a bound endpoint; replicas live
    /// under `dir`.
    pub async fn start(
        endpoint: Endpoint,
        dir: &Path,
        name: &str,
        faults: Faults,
    ) -> Result<DesktopNode, StoreError> {
        DesktopNode::start_with(endpoint, dir, name, faults, PairingLimits::default()).await
    }

    /// [`Self::start`] with chosen limits on pairing connections (tests use short ones).
    pub async fn start_with(
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

    /// A new one-time pairing ticket, valid for ten minutes. Every older ticket stops
    /// working: only the newest code shown pairs.
    pub fn ticket(&self) -> PairingTicket {
        let expires_at = Timestamp::now()
            .checked_add(jiff::SignedDuration::try_from(TICKET_LIFETIME).unwrap_or_default())
            .unwrap_or_else(|_| Timestamp::now());
        self.ticket_expiring_at(expires_at)
    }

    /// A ticket with a chosen expiry (tests of expired tickets).
    #[doc(hidden)]
    pub fn ticket_expiring_at(&self, expires_at: Timestamp) -> PairingTicket {
        let addr = self.endpoint.addr();
        let ticket = PairingTicket {
            endpoint: self.endpoint.id(),
            addrs: addr.ip_addrs().copied().collect(),
            relay: addr.relay_urls().next().cloned(),
            secret: ticket::new_secret(),
            expires_at_ms: expires_at.as_millisecond(),
        };
        lock(&self.inner.codes).show(ticket.clone());
        ticket
    }

    /// The ticket that pairs now: the newest, while unused and unexpired.
    pub fn current_ticket(&self) -> Option<PairingTicket> {
        lock(&self.inner.codes).current(Timestamp::now()).cloned()
    }

    /// Stops every ticket from working (pairing cancelled on the desktop).
    pub fn void_tickets(&self) {
        lock(&self.inner.codes).void_all();
    }

    /// The phones that presented a code and wait for a person to accept them, as the list
    /// changes.
    pub fn pairing_requests(&self) -> watch::Receiver<Vec<PairingRequest>> {
        self.inner.approvals.subscribe()
    }

    /// A person accepted the waiting phone `phone`: it is paired (its replica made) and
    /// told so.
    pub fn accept_pairing(&self, phone: &EndpointId) -> Result<(), DecisionError> {
        self.inner.approvals.accept(phone)
    }

    /// A person rejected the waiting phone `phone`: it is told so and nothing is kept.
    pub fn reject_pairing(&self, phone: &EndpointId) -> Result<(), DecisionError> {
        self.inner.approvals.reject(phone)
    }

    /// Test hook: how many pairing connections are open.
    #[doc(hidden)]
    pub fn pairing_connections(&self) -> usize {
        self.inner.pairing_slots.open()
    }

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
    #[doc(hidden)]
    pub fn disconnector(&self) -> Disconnector {
        Disconnector(Target::Desktop(self.inner.clone()))
    }

    /// Waits until the endpoint can be reached (its relay connected, when it uses one).
    pub async fn online(&self) {
        self.endpoint.online().await;
    }

    /// Stops accepting and closes the endpoint.
    pub async fn shutdown(self) {
        self.acceptor.abort();
        let _ = self.disconnector().disconnect_all();
        let _ = self.acceptor.await;
        self.endpoint.close().await;
    }
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
            if let Some(old) = lock(&inner.sessions).insert(remote, conn.clone()) {
                old.close(CLOSE_REPLACED.into(), b"replaced by a newer connection");
            }
            let key = remote.to_string();
            let _refresh = follow_link(&conn, &inner.states, &key);
            let stats = Arc::new(Mutex::new(SessionStats::default()));
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
                session::run(replica, me, recv, send, check, inner.faults, stats.clone()).await
            }
            .await;
            if let Err(error) = &result {
                tracing::info!(%error, "sync session with the phone ended");
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

/// Answers a pairing connection within the exchange's deadline; closes it in the end.
async fn answer_pairing(conn: &Connection, inner: &DesktopInner) -> Result<(), SyncError> {
    let started = tokio::time::Instant::now();
    let result = tokio::time::timeout(inner.limits.exchange, exchange(conn, inner, started))
        .await
        .unwrap_or_else(|_| Err(SyncError::Refused(reason::TOO_LONG.into())));
    match &result {
        Ok(()) => conn.close(CLOSE_SESSION_ENDED.into(), b"paired"),
        Err(SyncError::Refused(why)) => conn.close(pairing::CLOSE_REFUSED.into(), why.as_bytes()),
        Err(_) => conn.close(CLOSE_SESSION_ENDED.into(), b"pairing failed"),
    }
    result
}

/// Reads the phone's request (within its deadline), checks the code, and lets a person
/// decide; answers the phone.
async fn exchange(
    conn: &Connection,
    inner: &DesktopInner,
    started: tokio::time::Instant,
) -> Result<(), SyncError> {
    let read = async {
        let (send, recv) = conn
            .accept_bi()
            .await
            .map_err(|e| SyncError::Io(std::io::Error::other(e.to_string())))?;
        // A request is a few hundred bytes: a longer one ends the stream early.
        let mut reader =
            FrameReader::new(tokio::io::AsyncReadExt::take(recv, pairing::MAX_REQUEST));
        let request: PairRequest = reader
            .next_as()
            .await?
            .ok_or_else(|| SyncError::Protocol("the phone hung up".into()))?;
        Ok::<_, SyncError>((send, request))
    };
    let (mut send, request) = tokio::time::timeout_at(started + inner.limits.request, read)
        .await
        .map_err(|_| SyncError::Refused(reason::NO_REQUEST.into()))??;
    let remote = conn.remote_id();
    let checked = lock(&inner.codes)
        .redeem(&request.secret, Timestamp::now())
        .and_then(|()| {
            if pairing::valid_origin(&request.origin) {
                Ok(())
            } else {
                Err(reason::BAD_ORIGIN)
            }
        });
    let reply = match checked {
        Err(why) => PairReply::Refused { reason: why.into() },
        Ok(()) => {
            write_reply(&mut send, &PairReply::Waiting).await?;
            let name = pairing::clean_name(&request.name);
            let fingerprint = pairing::fingerprint(&remote);
            tracing::info!(phone = %name, %fingerprint, "a phone asks to pair; waiting for a person to accept it");
            let waiting = PairingRequest {
                endpoint: remote,
                name: name.clone(),
                fingerprint,
                expires_at: Timestamp::now()
                    .checked_add(
                        jiff::SignedDuration::try_from(inner.limits.approval).unwrap_or_default(),
                    )
                    .unwrap_or_else(|_| Timestamp::now()),
            };
            match inner
                .approvals
                .wait(waiting, inner.limits.approval, conn.closed())
                .await
            {
                Answer::Accept => match admit_phone(inner, remote, &request.origin, &name) {
                    Ok(origin) => PairReply::Accepted {
                        origin,
                        name: inner.name.clone(),
                    },
                    Err(e) => PairReply::Refused {
                        reason: e.to_string(),
                    },
                },
                Answer::Reject => PairReply::Refused {
                    reason: reason::REJECTED.into(),
                },
                Answer::TimedOut => PairReply::Refused {
                    reason: reason::TIMED_OUT.into(),
                },
                Answer::Replaced => PairReply::Refused {
                    reason: reason::REPLACED.into(),
                },
                Answer::HungUp => {
                    return Err(SyncError::Protocol(
                        "the phone gave up before a person answered".into(),
                    ));
                }
            }
        }
    };
    write_reply(&mut send, &reply).await?;
    let _ = send.finish();
    // Let the reply reach the phone before the connection goes.
    let _ = tokio::time::timeout(Duration::from_secs(2), conn.closed()).await;
    match reply {
        PairReply::Refused { reason } => Err(SyncError::Refused(reason)),
        _ => {
            tracing::info!(phone = %pairing::clean_name(&request.name), "paired with a phone");
            Ok(())
        }
    }
}

async fn write_reply(
    send: &mut iroh::endpoint::SendStream,
    reply: &PairReply,
) -> Result<(), SyncError> {
    let bytes = super::frame::encode(reply)?;
    send.write_all(&bytes)
        .await
        .map_err(|e| SyncError::Io(std::io::Error::other(e.to_string())))
}

/// Opens a replica kept from an unpaired phone, which brings it to this version (the
/// secrets migration takes the API key out of its settings and ops) and blanks any key hand-over left in
/// it. Best effort: a folder that cannot be opened is left as it is, and said so.
fn scrub_unpaired(dir: &Path) {
    let path = dir.join("ringback.db");
    if !path.exists() {
        return;
    }
    if let Err(e) = Store::open(&path).and_then(|mut store| store.scrub_secrets()) {
        tracing::warn!(folder = %dir.display(), error = %e, "an unpaired phone's data could not be scrubbed of secrets");
    }
}

/// Creates the replica for a newly accepted phone (or keeps the one it has, when it pairs
/// again); returns the replica's origin.
fn admit_phone(
    inner: &DesktopInner,
    id: EndpointId,
    phone_origin: &str,
    name: &str,
) -> Result<String, StoreError> {
    let existing = lock(&inner.phones).get(&id).cloned();
    let replica = match existing {
        Some(replica) => replica,
        None => {
            let dir = phone_dir(&inner.dir, &id);
            std::fs::create_dir_all(&dir)
                .map_err(|e| StoreError::Corrupt(format!("{}: {e}", dir.display())))?;
            DesktopReplica::open(&dir.join("ringback.db"))?
        }
    };
    let origin = replica.with(|s| -> Result<String, StoreError> {
        if s.phone_origin()?.is_none() {
            s.set_phone_origin(phone_origin)?;
        }
        s.set_meta(PHONE_NAME_META, name)?;
        Ok(s.origin().to_string())
    })?;
    lock(&inner.phones).insert(id, replica);
    add_peer_state(&inner.states, &id.to_string(), name, offline_now());
    Ok(origin)
}
