//! Pairing needs a person on both ends (DESIGN.md, "Security and privacy"). A desktop shows
//! a one-time code only after someone asks for one, and a new code voids the older ones. A
//! phone that presents the code is not admitted yet: its connection is held open while the
//! desktop lists it (its name and a short fingerprint of its endpoint id, the same string
//! the phone shows) until a person accepts or rejects it, or nobody does in time. Pairing
//! connections are few and short: none is read while no code is shown, at most a handful
//! are open at once, and each has a deadline for its request and for the whole exchange.
//!
//! The wire protocol (ALPN [`super::node::PAIR_ALPN`]): the phone sends a [`PairRequest`]
//! frame; the desktop answers `waiting` once the code checked out, then `accepted` or
//! `refused`. A desktop that refuses before reading anything closes the connection with
//! [`CLOSE_REFUSED`] and the reason as the close reason, which the phone shows.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use iroh::EndpointId;
use iroh::endpoint::{ConnectError, Connection, ConnectionError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};

use super::ticket::{self, PairingTicket};

/// How long a person at the desktop has to accept or reject a phone.
pub const APPROVAL_TIMEOUT: Duration = Duration::from_secs(120);

/// How long a phone waits for the desktop's answer once connected: the person's time and
/// a margin for the network.
pub const PHONE_WAIT: Duration = Duration::from_secs(150);

/// The most bytes of a pairing request (a secret, an origin and a name fit in 300).
pub(crate) const MAX_REQUEST: u64 = 4 * 1024;

/// The most characters of a phone's name shown on the desktop.
pub const MAX_NAME: usize = 64;

/// The close code of a pairing refused before or instead of an answer; the close reason
/// says why.
pub(crate) const CLOSE_REFUSED: u32 = 4;

/// How many codes are remembered after they stop working, to say why an old one fails.
const REMEMBERED_CODES: usize = 8;

/// How long a refusal read from the other side may be when shown.
const MAX_REASON: usize = 300;

/// Why a pairing is refused, in the words the phone shows.
pub(crate) mod reason {
    pub const NO_CODE: &str = "the desktop is not showing a pairing code; on the desktop, open Devices, press Pair a phone and use the code it shows";
    pub const NOT_A_CODE: &str = "the pairing code is not valid; show a new code on the desktop";
    pub const WRONG: &str =
        "the pairing code is wrong; show a new code on the desktop and try again";
    pub const USED: &str = "this pairing code was used already; press New code on the desktop";
    pub const EXPIRED: &str = "this pairing code has expired; press New code on the desktop";
    pub const VOIDED: &str = "this pairing code was replaced by a newer one or cancelled on the desktop; use the code the desktop shows now";
    pub const BUSY: &str = "the desktop is busy with other pairing attempts; try again in a minute";
    pub const NO_REQUEST: &str = "no pairing request arrived in time; try again";
    pub const TOO_LONG: &str = "the pairing took too long; try again with a new code";
    pub const REJECTED: &str = "the pairing was declined on the desktop; if that was a mistake, press Pair a phone there and try again";
    pub const TIMED_OUT: &str =
        "nobody accepted this phone on the desktop in time; press Pair a phone there and try again";
    pub const REPLACED: &str = "a newer pairing request from this phone replaced this one";
    pub const BAD_ORIGIN: &str =
        "the phone sent an unreadable device id; update Ringback on the phone";
}

/// Limits on pairing connections, each a guard against a peer that holds them open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairingLimits {
    /// From the connection to the phone's request.
    pub request: Duration,
    /// For a person to accept or reject the phone.
    pub approval: Duration,
    /// The whole exchange, connection to answer.
    pub exchange: Duration,
    /// Pairing connections open at once; more are closed at once.
    pub connections: usize,
}

impl Default for PairingLimits {
    fn default() -> Self {
        PairingLimits {
            request: Duration::from_secs(10),
            approval: APPROVAL_TIMEOUT,
            exchange: APPROVAL_TIMEOUT + Duration::from_secs(20),
            connections: 4,
        }
    }
}

/// The first frame of a pairing connection, phone to desktop.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PairRequest {
    /// The ticket's secret, hex.
    pub secret: String,
    /// The phone's op-log origin.
    pub origin: String,
    /// The phone's name.
    pub name: String,
}

/// The desktop's answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum PairReply {
    /// The code checked out; a person at the desktop decides now.
    Waiting,
    /// Paired.
    Accepted { origin: String, name: String },
    /// Not paired, and why.
    Refused { reason: String },
}

/// A short fingerprint of an endpoint id, for a person to compare on the phone and on the
/// desktop: 60 bits of a BLAKE3 hash in three groups of four ("K7QD-M2XA-PL4F"). Another
/// key with the same fingerprint takes about 2^60 key generations to find.
pub fn fingerprint(id: &EndpointId) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut hasher = blake3::Hasher::new_derive_key("ringback 2026 pairing fingerprint v1");
    hasher.update(id.as_bytes());
    let hash = hasher.finalize();
    let mut bits = [0u8; 8];
    bits.copy_from_slice(&hash.as_bytes()[..8]);
    let n = u64::from_be_bytes(bits);
    let chars: Vec<char> = (0..12)
        .map(|i| ALPHABET[((n >> (59 - 5 * i)) & 31) as usize] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A phone waiting for a person at the desktop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingRequest {
    /// The phone's endpoint id.
    pub endpoint: EndpointId,
    /// The name it gave (cleaned: no control characters, at most [`MAX_NAME`]).
    pub name: String,
    /// Its [`fingerprint`].
    pub fingerprint: String,
    /// When the desktop stops waiting.
    pub expires_at: Timestamp,
}

/// Why a person's decision could not be passed on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// Nobody by that id waits.
    #[error(
        "that phone is not waiting to pair any more (it gave up or waited too long); pair it again with a new code"
    )]
    NotWaiting,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A code the desktop showed, and what became of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodeState {
    Live,
    Used,
    Voided,
}

/// The codes a desktop showed, newest last: at most one works at a time.
#[derive(Debug, Default)]
pub(crate) struct Codes {
    shown: Vec<(PairingTicket, CodeState)>,
}

impl Codes {
    /// Shows a new code: every older one stops working.
    pub fn show(&mut self, ticket: PairingTicket) {
        self.void_all();
        self.shown.push((ticket, CodeState::Live));
        let extra = self.shown.len().saturating_sub(REMEMBERED_CODES);
        self.shown.drain(..extra);
    }

    /// No code works any more (pairing was cancelled on the desktop).
    pub fn void_all(&mut self) {
        for (_, state) in &mut self.shown {
            if *state == CodeState::Live {
                *state = CodeState::Voided;
            }
        }
    }

    /// The code that works now, if any.
    pub fn current(&self, now: Timestamp) -> Option<&PairingTicket> {
        match self.shown.last() {
            Some((t, CodeState::Live)) if t.expires_at_ms > now.as_millisecond() => Some(t),
            _ => None,
        }
    }

    /// Whether a pairing connection may be read at all: only while a code is shown.
    pub fn gate(&self, now: Timestamp) -> Result<(), &'static str> {
        match self.shown.last() {
            None => Err(reason::NO_CODE),
            Some((_, CodeState::Used)) => Err(reason::USED),
            Some((_, CodeState::Voided)) => Err(reason::NO_CODE),
            Some((t, CodeState::Live)) if t.expires_at_ms <= now.as_millisecond() => {
                Err(reason::EXPIRED)
            }
            Some(_) => Ok(()),
        }
    }

    /// Uses the code whose secret is `secret` (hex), once.
    pub fn redeem(&mut self, secret: &str, now: Timestamp) -> Result<(), &'static str> {
        let Some(given) = ticket::unhex16(secret) else {
            return Err(reason::NOT_A_CODE);
        };
        let Some((found, state)) = self
            .shown
            .iter_mut()
            .find(|(t, _)| ticket::secrets_match(&t.secret, &given))
        else {
            return Err(reason::WRONG);
        };
        match state {
            CodeState::Used => Err(reason::USED),
            CodeState::Voided => Err(reason::VOIDED),
            CodeState::Live if found.expires_at_ms <= now.as_millisecond() => Err(reason::EXPIRED),
            CodeState::Live => {
                *state = CodeState::Used;
                Ok(())
            }
        }
    }
}

/// A phone's name as the desktop shows it: no control or direction-changing characters
/// (which could make one name look like another), at most [`MAX_NAME`] characters.
pub(crate) fn clean_name(raw: &str) -> String {
    let name: String = raw
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}'))
        .take(MAX_NAME)
        .collect();
    let name = name.trim();
    if name.is_empty() {
        "Unnamed phone".to_string()
    } else {
        name.to_string()
    }
}

/// Whether an op-log origin is one a device makes (hex, as `Store` makes them).
pub(crate) fn valid_origin(origin: &str) -> bool {
    (1..=64).contains(&origin.len()) && origin.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A refusal read from the other side, safe to show: printable, at most a few lines long.
pub(crate) fn clean_reason(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_REASON)
        .collect()
}

/// The desktop's refusal, when it closed the connection to refuse.
pub(crate) fn refusal(conn: &Connection) -> Option<String> {
    conn.close_reason().and_then(|e| refusal_of(&e))
}

/// The same, when the close came before the handshake was reported complete.
pub(crate) fn connect_refusal(e: &ConnectError) -> Option<String> {
    use iroh::endpoint::ConnectingError;
    match e {
        ConnectError::Connection { source, .. }
        | ConnectError::Connecting {
            source: ConnectingError::ConnectionError { source, .. },
            ..
        } => refusal_of(source),
        _ => None,
    }
}

fn refusal_of(e: &ConnectionError) -> Option<String> {
    match e {
        ConnectionError::ApplicationClosed(close)
            if close.error_code == iroh::endpoint::VarInt::from_u32(CLOSE_REFUSED) =>
        {
            Some(clean_reason(&close.reason))
        }
        _ => None,
    }
}

/// Pairing connections open now, at most a cap.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    open: AtomicUsize,
}

/// One open pairing connection; dropping it frees the place.
pub(crate) struct Slot<'a>(&'a AtomicUsize);

impl Slots {
    /// A place for one more pairing connection, if fewer than `cap` are open.
    pub fn take(&self, cap: usize) -> Option<Slot<'_>> {
        self.open
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < cap).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(&self.open))
    }

    /// How many are open.
    #[cfg(feature = "test-hooks")]
    pub fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What came of a phone's wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// A person accepted it.
    Accept,
    /// A person rejected it.
    Reject,
    /// Nobody decided in time.
    TimedOut,
    /// The phone sent a newer request.
    Replaced,
    /// The phone hung up.
    HungUp,
}

/// What a person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Accept,
    Reject,
}

struct Waiting {
    token: u64,
    request: PairingRequest,
    answer: oneshot::Sender<Decision>,
}

/// The phones waiting for a person, listed for the window.
pub(crate) struct Approvals {
    waiting: Mutex<HashMap<EndpointId, Waiting>>,
    list: watch::Sender<Vec<PairingRequest>>,
    next: AtomicU64,
}

impl Default for Approvals {
    fn default() -> Self {
        Approvals {
            waiting: Mutex::new(HashMap::new()),
            list: watch::channel(Vec::new()).0,
            next: AtomicU64::new(1),
        }
    }
}

/// Takes a phone off the list however its wait ends.
struct OffTheList<'a> {
    approvals: &'a Approvals,
    endpoint: EndpointId,
    token: u64,
}

impl Drop for OffTheList<'_> {
    fn drop(&mut self) {
        let mut waiting = lock(&self.approvals.waiting);
        if waiting
            .get(&self.endpoint)
            .is_some_and(|w| w.token == self.token)
        {
            waiting.remove(&self.endpoint);
            self.approvals.publish(&waiting);
        }
    }
}

impl Approvals {
    fn publish(&self, waiting: &HashMap<EndpointId, Waiting>) {
        let mut list: Vec<PairingRequest> = waiting.values().map(|w| w.request.clone()).collect();
        list.sort_by_key(|r| r.expires_at);
        self.list.send_replace(list);
    }

    /// The phones waiting now, as the list changes.
    pub fn subscribe(&self) -> watch::Receiver<Vec<PairingRequest>> {
        self.list.subscribe()
    }

    /// Lists `request` and waits for a person's decision, at most `within`, or until
    /// `hung_up` completes.
    pub async fn wait(
        &self,
        request: PairingRequest,
        within: Duration,
        hung_up: impl Future,
    ) -> Answer {
        let (tx, rx) = oneshot::channel();
        let token = self.next.fetch_add(1, Ordering::SeqCst);
        let endpoint = request.endpoint;
        {
            let mut waiting = lock(&self.waiting);
            // An older request from the same phone is answered "replaced" (its sender drops).
            waiting.insert(
                endpoint,
                Waiting {
                    token,
                    request,
                    answer: tx,
                },
            );
            self.publish(&waiting);
        }
        let _off = OffTheList {
            approvals: self,
            endpoint,
            token,
        };
        tokio::select! {
            decided = rx => match decided {
                Ok(Decision::Accept) => Answer::Accept,
                Ok(Decision::Reject) => Answer::Reject,
                Err(_) => Answer::Replaced,
            },
            () = tokio::time::sleep(within) => Answer::TimedOut,
            _ = hung_up => Answer::HungUp,
        }
    }

    /// Passes a person's decision on to the phone waiting as `endpoint`.
    fn decide(&self, endpoint: &EndpointId, decision: Decision) -> Result<(), DecisionError> {
        let mut waiting = lock(&self.waiting);
        let found = waiting.remove(endpoint).ok_or(DecisionError::NotWaiting)?;
        self.publish(&waiting);
        found
            .answer
            .send(decision)
            .map_err(|_| DecisionError::NotWaiting)
    }

    /// A person accepted the phone.
    pub fn accept(&self, endpoint: &EndpointId) -> Result<(), DecisionError> {
        self.decide(endpoint, Decision::Accept)
    }

    /// A person rejected the phone.
    pub fn reject(&self, endpoint: &EndpointId) -> Result<(), DecisionError> {
        self.decide(endpoint, Decision::Reject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(seed: u8, expires_at_ms: i64) -> PairingTicket {
        PairingTicket {
            endpoint: iroh::SecretKey::from_bytes(&[1; 32]).public(),
            addrs: Vec::new(),
            relay: None,
            secret: [seed; 16],
            expires_at_ms,
        }
    }

    #[test]
    fn a_new_code_voids_the_older_ones_and_each_works_once() {
        let now = Timestamp::now();
        let later = now.as_millisecond() + 600_000;
        let mut codes = Codes::default();
        assert_eq!(codes.gate(now), Err(reason::NO_CODE), "no code until asked");
        codes.show(ticket(1, later));
        codes.show(ticket(2, later));
        assert_eq!(codes.gate(now), Ok(()));
        assert_eq!(
            codes.redeem(&ticket::hex(&[1; 16]), now),
            Err(reason::VOIDED)
        );
        assert_eq!(
            codes.redeem(&ticket::hex(&[3; 16]), now),
            Err(reason::WRONG)
        );
        assert_eq!(codes.redeem("zz", now), Err(reason::NOT_A_CODE));
        assert_eq!(codes.redeem(&ticket::hex(&[2; 16]), now), Ok(()));
        assert_eq!(codes.redeem(&ticket::hex(&[2; 16]), now), Err(reason::USED));
        assert_eq!(
            codes.gate(now),
            Err(reason::USED),
            "nothing is read after use"
        );
        assert!(codes.current(now).is_none());
        codes.show(ticket(4, later));
        codes.void_all();
        assert_eq!(codes.gate(now), Err(reason::NO_CODE), "cancelled");
        codes.show(ticket(5, now.as_millisecond() - 1));
        assert_eq!(codes.gate(now), Err(reason::EXPIRED));
        for i in 0..20 {
            codes.show(ticket(10 + i, later));
        }
        assert_eq!(codes.shown.len(), REMEMBERED_CODES, "the list stays short");
    }

    #[test]
    fn names_and_reasons_are_cleaned_before_they_are_shown() {
        assert_eq!(clean_name("  Pixel\u{202e}8\n "), "Pixel8");
        assert_eq!(clean_name("\u{7}"), "Unnamed phone");
        assert_eq!(clean_name(&"x".repeat(500)).chars().count(), MAX_NAME);
        assert_eq!(clean_reason(b"no\x1b[31m"), "no[31m");
        assert!(valid_origin("0123456789abcdef0123456789abcdef"));
        assert!(!valid_origin(""));
        assert!(!valid_origin("a'; DROP"));
        assert!(!valid_origin(&"a".repeat(65)));
    }

    #[test]
    fn fingerprints_are_short_stable_and_differ_between_keys() {
        let a = iroh::SecretKey::from_bytes(&[1; 32]).public();
        let b = iroh::SecretKey::from_bytes(&[2; 32]).public();
        let fa = fingerprint(&a);
        assert_eq!(fa.len(), 14, "{fa}");
        assert_eq!(fa.matches('-').count(), 2, "{fa}");
        assert_eq!(fa, fingerprint(&a));
        assert_ne!(fa, fingerprint(&b));
    }

    #[test]
    fn the_cap_holds_and_a_closed_connection_frees_its_place() {
        let slots = Slots::default();
        let one = slots.take(2).expect("one");
        let two = slots.take(2).expect("two");
        assert!(slots.take(2).is_none(), "the third is refused");
        drop(one);
        assert!(slots.take(2).is_some());
        drop(two);
        assert_eq!(slots.open(), 0);
    }

    #[tokio::test]
    async fn a_wait_ends_with_the_decision_a_timeout_or_a_hang_up() {
        let approvals = Approvals::default();
        let endpoint = iroh::SecretKey::from_bytes(&[3; 32]).public();
        let request = PairingRequest {
            endpoint,
            name: "Pixel".into(),
            fingerprint: fingerprint(&endpoint),
            expires_at: Timestamp::now(),
        };
        let mut list = approvals.subscribe();
        let wait = approvals.wait(
            request.clone(),
            Duration::from_secs(30),
            std::future::pending::<()>(),
        );
        let decide = async {
            list.wait_for(|l| l.len() == 1).await.expect("listed");
            approvals.accept(&endpoint).expect("accept");
        };
        let (answer, ()) = tokio::join!(wait, decide);
        assert_eq!(answer, Answer::Accept);
        assert!(approvals.subscribe().borrow().is_empty(), "off the list");
        assert_eq!(approvals.accept(&endpoint), Err(DecisionError::NotWaiting));
        let answer = approvals
            .wait(
                request.clone(),
                Duration::from_millis(10),
                std::future::pending::<()>(),
            )
            .await;
        assert_eq!(answer, Answer::TimedOut);
        let answer = approvals
            .wait(request, Duration::from_secs(30), std::future::ready(()))
            .await;
        assert_eq!(answer, Answer::HungUp);
        assert!(approvals.subscribe().borrow().is_empty());
    }
}
