//! Sync over iroh: the phone dials every paired desktop and keeps a session with each,
//! reconnecting with backoff; a desktop accepts its paired phones (one replica store
//! each) and refuses every other endpoint before reading a single frame. Pairing runs on
//! its own ALPN with a one-time ticket (see [`super::ticket`]) and a person's consent on
//! the desktop (see [`super::pairing`]).
//!
//! [`phone`] is the phone's node (dial loops), [`desktop`] the desktop's (accepting,
//! replicas), [`pairing`] both ends of pairing; this file holds what they share: peer
//! states, close codes, the test hook that drops connections.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use iroh::endpoint::Connection;
use jiff::Timestamp;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::net::{self, PeerLink};
use super::session::{self, SessionStats};
use super::ticket;
use crate::store::StoreError;

mod desktop;
mod pairing;
mod phone;
mod photos;

pub use desktop::DesktopNode;
#[cfg(feature = "test-hooks")]
use desktop::{DesktopInner, close_sessions};
#[cfg(feature = "test-hooks")]
use phone::Link;
pub use phone::PhoneNode;
pub use photos::{PhotoError, PhotoPolicy};

/// The ALPN of pairing.
pub const PAIR_ALPN: &[u8] = b"ringback/pair/1";

/// What every Ringback endpoint speaks, phone or desktop: sync sessions, pairing and
/// photos (blob transfer).
pub fn alpns() -> Vec<Vec<u8>> {
    vec![
        session::ALPN.to_vec(),
        PAIR_ALPN.to_vec(),
        super::blobs::ALPN.to_vec(),
    ]
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

/// Test hook: drops a node's connections (see `disconnector`).
#[cfg(feature = "test-hooks")]
#[derive(Clone)]
pub struct Disconnector(Target);

#[cfg(feature = "test-hooks")]
#[derive(Clone)]
enum Target {
    Phone(Arc<Mutex<std::collections::HashMap<String, Link>>>),
    Desktop(Arc<DesktopInner>),
}

#[cfg(feature = "test-hooks")]
impl Disconnector {
    /// Closes every connection now; returns how many there were.
    pub fn disconnect_all(&self) -> usize {
        self.0.disconnect_all()
    }
}

#[cfg(feature = "test-hooks")]
impl Target {
    /// Closes every connection now; returns how many there were.
    fn disconnect_all(&self) -> usize {
        let mut closed = 0;
        match self {
            Target::Phone(links) => {
                for link in lock(links).values() {
                    if let Some(conn) = lock(&link.conn).take() {
                        conn.close(CLOSE_SESSION_ENDED.into(), b"network change");
                        closed += 1;
                    }
                }
            }
            Target::Desktop(inner) => closed += close_sessions(inner, b"network change"),
        }
        closed
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

/// How often a changed round-trip time is published even when it moved by less than a fifth.
const RTT_REFRESH: Duration = Duration::from_secs(5);

/// Publishes how a connection reaches its peer now and whenever its path changes (a relay
/// path upgraded to a direct one, or the reverse after a network change), with its
/// round-trip time, for as long as the returned guard lives.
fn follow_link(conn: &Connection, states: &Arc<States>, endpoint: &str) -> AbortOnDrop {
    update_link(states, endpoint, net::link_of(conn), true);
    let (conn, states) = (conn.clone(), states.clone());
    let endpoint = endpoint.to_string();
    AbortOnDrop(tokio::spawn(async move {
        let mut shown_at = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let refresh = shown_at.elapsed() >= RTT_REFRESH;
            if update_link(&states, &endpoint, net::link_of(&conn), refresh) {
                shown_at = tokio::time::Instant::now();
            }
        }
    }))
}

/// Moves a listed peer's link onto `path` (nothing when no path is open). A new kind of path
/// is published at once; a new round-trip time alone only when it moved by more than a
/// fifth or `refresh` says it is time, so a jittery RTT does not wake the window every half
/// second. Returns whether it published.
fn update_link(
    states: &States,
    endpoint: &str,
    path: Option<net::LinkPath>,
    refresh: bool,
) -> bool {
    let Some(path) = path else {
        return false;
    };
    let now_ms = Timestamp::now().as_millisecond();
    states.send_if_modified(|m| match m.get_mut(endpoint) {
        Some(state) => {
            let next = state.link.on_path(path, now_ms);
            let publish = !next.same_kind(&state.link)
                || (next != state.link
                    && (refresh || rtt_moved(state.link.rtt_ms(), next.rtt_ms())));
            if publish {
                state.link = next;
            }
            publish
        }
        None => false,
    })
}

/// Whether a round-trip time moved enough to show at once: by more than a fifth and by at
/// least 2 ms (a LAN's 1–2 ms flicker is not news), or from unknown to known.
fn rtt_moved(shown: Option<u32>, now: Option<u32>) -> bool {
    match (shown, now) {
        (Some(a), Some(b)) => {
            let d = a.abs_diff(b);
            d >= 2 && u64::from(d) * 5 > u64::from(a)
        }
        (None, Some(_)) => true,
        _ => false,
    }
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

#[cfg(test)]
mod link_tests {
    use super::*;
    use crate::sync::net::{LinkPath, PathKind};

    fn states() -> States {
        let (tx, _) = watch::channel(BTreeMap::new());
        add_peer_state(&tx, "ep", "Shop phone", PeerLink::Offline { since_ms: 1 });
        tx
    }

    fn relay(rtt: u32) -> Option<LinkPath> {
        Some(LinkPath {
            kind: PathKind::Relay("relay.example.com".into()),
            rtt_ms: Some(rtt),
        })
    }

    #[test]
    fn a_new_path_is_published_at_once_and_rtt_jitter_waits_for_the_refresh() {
        let tx = states();
        let mut rx = tx.subscribe();
        rx.mark_unchanged();
        assert!(update_link(&tx, "ep", relay(80), false), "offline to relay");
        assert!(rx.has_changed().expect("open"));
        rx.mark_unchanged();
        let since = rx.borrow()["ep"].link.since_ms();
        assert!(
            !update_link(&tx, "ep", relay(85), false),
            "a 6% wobble waits"
        );
        assert!(!rx.has_changed().expect("open"));
        assert_eq!(rx.borrow()["ep"].link.rtt_ms(), Some(80));
        assert!(
            update_link(&tx, "ep", relay(85), true),
            "shown at the refresh"
        );
        assert_eq!(rx.borrow_and_update()["ep"].link.rtt_ms(), Some(85));
        assert!(
            update_link(&tx, "ep", relay(200), false),
            "a big move at once"
        );
        assert_eq!(rx.borrow_and_update()["ep"].link.since_ms(), since);
        assert!(!update_link(&tx, "ep", relay(200), true), "nothing new");
        assert!(!update_link(&tx, "ep", None, true), "no path: kept");
        assert!(
            !update_link(&tx, "other", relay(5), true),
            "unlisted stays so"
        );
        assert_eq!(tx.borrow().len(), 1);
    }

    #[test]
    fn small_rtt_moves_are_not_news() {
        assert!(!rtt_moved(Some(1), Some(2)), "LAN flicker");
        assert!(rtt_moved(Some(1), Some(4)));
        assert!(!rtt_moved(Some(100), Some(119)));
        assert!(rtt_moved(Some(100), Some(121)));
        assert!(rtt_moved(Some(100), Some(79)));
        assert!(rtt_moved(None, Some(3)));
        assert!(!rtt_moved(Some(3), None));
    }
}
