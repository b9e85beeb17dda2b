//! Pairing on both ends: the phone presents a desktop's one-time ticket and waits for a
//! person's answer; the desktop shows tickets, holds the phone while a person decides and
//! answers it (the rules of consent are in [`crate::sync::pairing`]).

use std::path::Path;
use std::time::Duration;

use iroh::endpoint::Connection;
use iroh::{EndpointAddr, EndpointId};
use jiff::Timestamp;
use tokio::sync::watch;

use crate::oplog::op::Role;
use crate::store::{PeerRecord, Store, StoreError};
use crate::sync::pairing::{
    self, Answer, DecisionError, PairReply, PairRequest, PairingRequest, reason,
};
use crate::sync::replica::DesktopReplica;
use crate::sync::session::{FrameReader, SyncError};
use crate::sync::ticket::{self, PairingTicket};

use super::desktop::{DesktopInner, PHONE_NAME_META, phone_dir};
use super::{
    CLOSE_SESSION_ENDED, DesktopNode, PAIR_ALPN, PairError, PhoneNode, TICKET_LIFETIME,
    add_peer_state, lock, offline_now,
};

impl PhoneNode {
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
        let addr = with_own_relay(&self.endpoint, ticket.endpoint_addr());
        let conn = match self.endpoint.connect(addr, PAIR_ALPN).await {
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
        // The desktop's relay is how the phone finds it again without any lookup service
        // (a self-hosted relay); empty when the ticket named none.
        let relay = ticket
            .relay
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let saved = record.clone();
        self.engine
            .with(move |e| -> Result<(), StoreError> {
                let store = e.store_mut();
                store.set_meta(&format!("addrs/{}", saved.endpoint), &addrs)?;
                store.set_meta(&format!("{RELAY_META}{}", saved.endpoint), &relay)?;
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
            crate::sync::frame::encode(&request).map_err(|e| PairError::Refused(e.to_string()))?;
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
}

/// The store's meta key prefix for a paired desktop's relay, followed by its endpoint id.
pub(super) const RELAY_META: &str = "relay/";

/// `addr`, with this phone's own relay added when `addr` names none and that relay is a
/// self-hosted one: devices set to the same self-hosted relay meet there, with no lookup
/// (a pairing made before relays were kept, or a short code from a desktop whose relay was
/// not yet connected). n0's public relays are left to address lookup, as before.
pub(super) fn with_own_relay(endpoint: &iroh::Endpoint, addr: EndpointAddr) -> EndpointAddr {
    if addr.relay_urls().next().is_some() {
        return addr;
    }
    let own: Vec<_> = endpoint
        .addr()
        .relay_urls()
        .filter(|r| !crate::sync::net::is_public_relay(r))
        .cloned()
        .collect();
    own.into_iter().fold(addr, |addr, r| addr.with_relay_url(r))
}

impl DesktopNode {
    /// A new one-time pairing ticket, valid for ten minutes. Every older ticket stops
    /// working: only the newest code shown pairs.
    pub fn ticket(&self) -> PairingTicket {
        let expires_at = Timestamp::now()
            .checked_add(jiff::SignedDuration::try_from(TICKET_LIFETIME).unwrap_or_default())
            .unwrap_or_else(|_| Timestamp::now());
        self.ticket_until(expires_at)
    }

    /// Test hook: a ticket with a chosen expiry (tests of expired tickets).
    #[cfg(feature = "test-hooks")]
    pub fn ticket_expiring_at(&self, expires_at: Timestamp) -> PairingTicket {
        self.ticket_until(expires_at)
    }

    fn ticket_until(&self, expires_at: Timestamp) -> PairingTicket {
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
    #[cfg(feature = "test-hooks")]
    pub fn pairing_connections(&self) -> usize {
        self.inner.pairing_slots.open()
    }
}

/// Answers a pairing connection within the exchange's deadline; closes it in the end.
pub(super) async fn answer_pairing(
    conn: &Connection,
    inner: &DesktopInner,
) -> Result<(), SyncError> {
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
    let bytes = crate::sync::frame::encode(reply)?;
    send.write_all(&bytes)
        .await
        .map_err(|e| SyncError::Io(std::io::Error::other(e.to_string())))
}

/// Opens a replica kept from an unpaired phone, which brings it to this version (the
/// secrets migration takes the API key out of its settings and ops) and blanks any key hand-over left in
/// it. Best effort: a folder that cannot be opened is left as it is, and said so.
pub(super) fn scrub_unpaired(dir: &Path) {
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
