// Over 600 lines, one concept: the session protocol over one stream.
//! A sync session over any ordered byte stream (an iroh bi-directional stream in the app,
//! anything in tests): both sides send `Hello` with what they hold, each streams the ops
//! the other lacks in the order it committed them, then both stream new ops as they are
//! committed. A gap (an op whose predecessor has not arrived, after a lost or reordered
//! frame) makes the receiver ask again from what it holds; duplicates are skipped. The
//! session ends on the first error; the caller reconnects and a new session resumes from
//! the version vectors, so nothing is lost and nothing applied twice.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, watch};

use super::frame::{self, FrameDecoder, FrameError};
use crate::health::PhoneHealth;
use crate::oplog::op::{Op, Role};
use crate::oplog::version::VersionVector;
use crate::store::ApplyReport;

/// The ALPN of sync sessions.
pub const ALPN: &[u8] = b"ringback/sync/1";

/// How many ops one frame carries at most.
const BATCH: usize = 256;

/// A frame of the sync protocol (externally tagged, so that a frame of ops is read in one
/// pass). Fields a newer peer adds are ignored and frames of a kind this version does not
/// know are skipped (see [`UNKNOWN_BURST`]), so a newer phone or desktop can add to the
/// protocol without cutting this one off; what each frame carries is checked as before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    /// The first frame each way.
    Hello {
        /// The sender's op-log origin.
        origin: String,
        /// What it is.
        role: Role,
        /// Its name, for peer lists.
        name: String,
        /// What it holds.
        held: VersionVector,
    },
    /// Ops, in the sender's commit order.
    Ops {
        /// The ops.
        ops: Vec<Op>,
    },
    /// "Send again from here": the receiver saw a gap.
    Need {
        /// What the receiver holds.
        held: VersionVector,
    },
    /// "Still here": sent when a side has had nothing to send for a while, so that the
    /// other side notices a device that went silent (a phone whose app Android killed)
    /// even while the connection itself looks open.
    Heartbeat {
        /// The sender's clock, UTC milliseconds.
        at_ms: i64,
    },
    /// The phone's health (phone to desktop only): sent on connect and when it changes, at
    /// most once per [`HEALTH_INTERVAL`]. Last writer wins: it replaces what the desktop
    /// kept, and is not an op (a record per change would fill every log).
    Health {
        /// The record.
        health: PhoneHealth,
    },
}

/// The shortest time between two health reports a phone sends.
pub const HEALTH_INTERVAL: Duration = Duration::from_secs(5);

/// How many health reports a desktop takes in a burst (reports sent [`HEALTH_INTERVAL`]
/// apart may arrive closer together); beyond it, one per [`HEALTH_INTERVAL`]. More are
/// refused: dropped, the record kept so far stays, and the session goes on.
pub const HEALTH_BURST: u32 = 3;

/// How many frames of a kind this version does not know a side skips in a burst; beyond
/// it, one per [`UNKNOWN_INTERVAL`]. More close the session, naming the frame and what to
/// update (each is parsed to be skipped, so a flood of them is not free).
pub const UNKNOWN_BURST: u32 = 10;

/// See [`UNKNOWN_BURST`].
pub const UNKNOWN_INTERVAL: Duration = Duration::from_secs(1);

/// How often an idle side says it is still there.
pub const HEARTBEAT: Duration = Duration::from_secs(30);

/// The shortest time between two resends a `Need` starts: Needs that come faster are
/// merged into one. Over a reliable stream a gap never happens, so only a device that went
/// wrong (or a test that reorders frames) asks often.
pub const NEED_INTERVAL: Duration = Duration::from_secs(1);

/// How many heartbeats may go missing before a side gives up on the other.
const SILENT_AFTER_HEARTBEATS: u32 = 3;

/// Why a session ended.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The other side sent a frame that is not valid; the connection was closed.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The other side broke the protocol.
    #[error("the other device broke the sync protocol: {0}")]
    Protocol(String),
    /// The other device is not the one expected, or not allowed.
    #[error("the other device was refused: {0}")]
    Refused(String),
    /// The connection dropped; Ringback reconnects on its own.
    #[error("the connection was lost ({0}); Ringback reconnects on its own")]
    Io(#[from] std::io::Error),
    /// The local replica failed.
    #[error("this device could not store what it received: {0}")]
    Replica(String),
    /// Nothing arrived for several heartbeats: the other device stopped (for a phone: the
    /// system killed the app, or it lost its network).
    #[error("the other device went silent; Ringback reconnects when it answers again")]
    Silent,
}

/// The local side of a session: what it holds and how it applies what arrives.
pub trait Replica: Clone + Send + Sync + 'static {
    /// What this replica holds.
    fn held(&self) -> impl Future<Output = Result<VersionVector, SyncError>> + Send;
    /// Up to `limit` ops a replica holding `theirs` lacks, in commit order.
    fn ops_after(
        &self,
        theirs: VersionVector,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Op>, SyncError>> + Send;
    /// Applies ops that `from` sent.
    fn apply(
        &self,
        ops: Vec<Op>,
        from: Hello,
    ) -> impl Future<Output = Result<ApplyReport, SyncError>> + Send;
    /// Changes after every commit that added ops.
    fn committed(&self) -> watch::Receiver<u64>;
    /// The stream paused: catch up on deferred work (the search index).
    fn idle(&self) -> impl Future<Output = Result<(), SyncError>> + Send;
    /// The phone's health as it changes (the phone's side); `None` on a side that reports
    /// none.
    fn health(&self) -> Option<watch::Receiver<Option<PhoneHealth>>> {
        None
    }
    /// Keeps the health record the phone reported (the desktop's side), already checked
    /// against its bounds.
    fn keep_health(
        &self,
        health: PhoneHealth,
    ) -> impl Future<Output = Result<(), SyncError>> + Send {
        drop(health);
        async { Ok(()) }
    }
}

/// How long the stream must pause before the replica's deferred work runs.
const IDLE: std::time::Duration = std::time::Duration::from_millis(50);

/// Who is on the other end, from its `Hello`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    /// Its op-log origin.
    pub origin: String,
    /// What it is.
    pub role: Role,
    /// Its name.
    pub name: String,
}

#[cfg(feature = "test-hooks")]
pub use faults::Faults;
#[cfg(not(feature = "test-hooks"))]
pub(crate) use faults::Faults;

/// Outside the `test-hooks` feature, [`Faults`] is private to the crate and always its
/// default: shipped builds cannot mistreat frames.
mod faults {
    use std::time::Duration;

    /// Test hook: mistreat the frames this side sends (duplicate or reorder them), to show
    /// that the other side copes.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Faults {
        /// Send every n-th ops frame twice.
        pub duplicate_every: Option<u32>,
        /// Hold back every n-th ops frame and send it after the next one.
        pub swap_every: Option<u32>,
        /// Heartbeat every so often instead of [`super::HEARTBEAT`] (tests shorten it).
        pub heartbeat_every: Option<Duration>,
        /// Send no heartbeats at all (a device that hangs without closing).
        pub mute: bool,
    }
}

impl Faults {
    fn heartbeat(&self) -> Duration {
        self.heartbeat_every.unwrap_or(HEARTBEAT)
    }
}

/// Counters of one session, for tests and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionStats {
    /// Ops sent.
    pub sent: u64,
    /// Ops applied from the other side.
    pub applied: u64,
    /// Ops received that were held already.
    pub duplicates: u64,
    /// Gaps seen (each answered with `Need`).
    pub gaps: u64,
    /// Heartbeats received.
    pub heartbeats: u64,
    /// When the last frame arrived, UTC milliseconds (this side's clock).
    pub last_heard_ms: Option<i64>,
    /// Health reports sent.
    pub health_sent: u64,
    /// Health reports kept.
    pub health_kept: u64,
    /// Health reports refused (over their bounds, or too frequent).
    pub health_refused: u64,
    /// Frames of a kind this version does not know, skipped.
    pub unknown_skipped: u64,
}

/// Reads whole frames from a byte stream.
pub struct FrameReader<R> {
    inner: R,
    decoder: FrameDecoder,
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// Wraps a stream.
    pub fn new(inner: R) -> Self {
        FrameReader {
            inner,
            decoder: FrameDecoder::new(),
            buf: vec![0; 64 * 1024],
        }
    }

    /// The next message; `None` when the stream ended cleanly between frames.
    pub async fn next(&mut self) -> Result<Option<Message>, SyncError> {
        self.next_as().await
    }

    /// The next frame as any message type (pairing speaks its own).
    pub async fn next_as<T: serde::de::DeserializeOwned>(
        &mut self,
    ) -> Result<Option<T>, SyncError> {
        loop {
            if let Some(m) = self.decoder.next_message::<T>()? {
                return Ok(Some(m));
            }
            let n = self.inner.read(&mut self.buf).await?;
            if n == 0 {
                return if self.decoder.is_empty() {
                    Ok(None)
                } else {
                    Err(SyncError::Protocol(
                        "the stream ended inside a frame".into(),
                    ))
                };
            }
            self.decoder.push(&self.buf[..n]);
        }
    }
}

/// Writes one message as a frame.
pub async fn write_message<W: AsyncWrite + Unpin>(
    out: &mut W,
    message: &Message,
) -> Result<(), SyncError> {
    let bytes = frame::encode(message)?;
    out.write_all(&bytes).await?;
    out.flush().await?;
    Ok(())
}

/// Runs a session until either side ends it. `me` introduces this side; `check` sees the
/// other side's `Hello` first and may refuse it (before any op is read).
pub async fn run<R, Rd, Wr>(
    replica: R,
    me: Hello,
    reader: Rd,
    writer: Wr,
    check: impl FnOnce(&Hello) -> Result<(), SyncError>,
    stats: Arc<Mutex<SessionStats>>,
) -> Result<(), SyncError>
where
    R: Replica,
    Rd: AsyncRead + Unpin + Send,
    Wr: AsyncWrite + Unpin + Send,
{
    run_faulty(replica, me, reader, writer, check, Faults::default(), stats).await
}

/// Test hook: [`run`], with this side's frames mistreated as `faults` says.
#[cfg(feature = "test-hooks")]
pub async fn run_with_faults<R, Rd, Wr>(
    replica: R,
    me: Hello,
    reader: Rd,
    writer: Wr,
    check: impl FnOnce(&Hello) -> Result<(), SyncError>,
    faults: Faults,
    stats: Arc<Mutex<SessionStats>>,
) -> Result<(), SyncError>
where
    R: Replica,
    Rd: AsyncRead + Unpin + Send,
    Wr: AsyncWrite + Unpin + Send,
{
    run_faulty(replica, me, reader, writer, check, faults, stats).await
}

/// [`run`] with the faults a node was started with (none outside tests).
pub(crate) async fn run_faulty<R, Rd, Wr>(
    replica: R,
    me: Hello,
    reader: Rd,
    mut writer: Wr,
    check: impl FnOnce(&Hello) -> Result<(), SyncError>,
    faults: Faults,
    stats: Arc<Mutex<SessionStats>>,
) -> Result<(), SyncError>
where
    R: Replica,
    Rd: AsyncRead + Unpin + Send,
    Wr: AsyncWrite + Unpin + Send,
{
    let mut reader = FrameReader::new(reader);
    let held = replica.held().await?;
    write_message(
        &mut writer,
        &Message::Hello {
            origin: me.origin.clone(),
            role: me.role,
            name: me.name.clone(),
            held,
        },
    )
    .await?;
    let (peer, peer_held) = match reader.next().await? {
        Some(Message::Hello {
            origin,
            role,
            name,
            held,
        }) => (Hello { origin, role, name }, held),
        Some(_) => {
            return Err(SyncError::Protocol(
                "the first frame was not a hello".into(),
            ));
        }
        None => return Err(SyncError::Protocol("the other device hung up".into())),
    };
    if peer.role == me.role {
        return Err(SyncError::Refused(format!(
            "both devices say they are a {}",
            me.role.as_str()
        )));
    }
    check(&peer)?;
    tracing::debug!(peer = %peer.name, role = peer.role.as_str(), "sync session started");
    // What the other side holds, as far as this side knows: ops below it are not sent.
    let sent = Arc::new(Mutex::new(peer_held.clone()));
    let (control, control_rx) = mpsc::unbounded_channel::<Control>();
    let sender = send_loop(
        replica.clone(),
        writer,
        sent.clone(),
        control_rx,
        faults,
        stats.clone(),
    );
    let silence = faults.heartbeat() * SILENT_AFTER_HEARTBEATS;
    let receiver = receive_loop(
        replica, peer, peer_held, reader, sent, control, stats, silence,
    );
    tokio::select! {
        r = sender => r,
        r = receiver => r,
    }
}

/// From the receiving half to the sending half.
enum Control {
    /// Tell the other side where to resend from.
    Ask(VersionVector),
    /// The other side asked: resend from what it holds.
    Rewind(VersionVector),
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn send_loop<R: Replica, Wr: AsyncWrite + Unpin + Send>(
    replica: R,
    mut writer: Wr,
    sent: Arc<Mutex<VersionVector>>,
    mut control: mpsc::UnboundedReceiver<Control>,
    faults: Faults,
    stats: Arc<Mutex<SessionStats>>,
) -> Result<(), SyncError> {
    let mut committed = replica.committed();
    let mut frames: u32 = 0;
    let mut held_back: Option<Message> = None;
    let mut heartbeat = tokio::time::interval(faults.heartbeat());
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    heartbeat.reset();
    let mut rewinds = Rewinds::default();
    let mut health = HealthReports::new(replica.health());
    loop {
        // Control frames (Need) go first; a Need from the other side rewinds what we sent,
        // at most once per NEED_INTERVAL.
        while let Ok(c) = control.try_recv() {
            obey(c, &sent, &mut writer, &mut rewinds).await?;
        }
        if let Some(record) = health.take_due() {
            write_message(&mut writer, &Message::Health { health: record }).await?;
            lock(&stats).health_sent += 1;
        }
        rewinds.apply_due(&sent);
        committed.borrow_and_update();
        let theirs = lock(&sent).clone();
        let ops = replica.ops_after(theirs, BATCH).await?;
        if ops.is_empty() {
            if let Some(late) = held_back.take() {
                write_message(&mut writer, &late).await?;
            }
            // A health change that must wait for its interval: when it may go.
            let health_wait = health.waiting().then(|| health.next_at());
            tokio::select! {
                changed = committed.changed() => {
                    if changed.is_err() {
                        return Ok(()); // The replica is shutting down.
                    }
                }
                c = control.recv() => match c {
                    Some(c) => obey(c, &sent, &mut writer, &mut rewinds).await?,
                    None => return Ok(()),
                },
                () = rewinds.wait(), if rewinds.waiting() => {}
                () = health.changed() => {}
                () = sleep_until(health_wait.flatten()), if health_wait.is_some() => {}
                _ = heartbeat.tick() => {
                    if !faults.mute {
                        let at_ms = jiff::Timestamp::now().as_millisecond();
                        write_message(&mut writer, &Message::Heartbeat { at_ms }).await?;
                    }
                }
            }
            continue;
        }
        {
            let mut sent = lock(&sent);
            for op in &ops {
                sent.observe(&op.origin, op.seq);
            }
        }
        let count = ops.len() as u64;
        for message in split_to_fit(ops)? {
            frames = frames.wrapping_add(1);
            let nth = |n: Option<u32>| n.is_some_and(|n| n > 0 && frames.is_multiple_of(n));
            if nth(faults.swap_every) && held_back.is_none() {
                held_back = Some(message);
                continue;
            }
            write_message(&mut writer, &message).await?;
            heartbeat.reset();
            if nth(faults.duplicate_every) {
                write_message(&mut writer, &message).await?;
            }
            if let Some(late) = held_back.take() {
                write_message(&mut writer, &late).await?;
            }
        }
        lock(&stats).sent += count;
    }
}

async fn obey<Wr: AsyncWrite + Unpin>(
    c: Control,
    sent: &Mutex<VersionVector>,
    writer: &mut Wr,
    rewinds: &mut Rewinds,
) -> Result<(), SyncError> {
    match c {
        Control::Ask(held) => write_message(writer, &Message::Need { held }).await,
        Control::Rewind(held) => {
            rewinds.ask(held);
            rewinds.apply_due(sent);
            Ok(())
        }
    }
}

/// Resends asked for by the other side, at most one per [`NEED_INTERVAL`]: a Need that
/// comes sooner waits, and a later one replaces it (it knows at least as much).
#[derive(Default)]
struct Rewinds {
    pending: Option<VersionVector>,
    last: Option<tokio::time::Instant>,
}

impl Rewinds {
    fn ask(&mut self, held: VersionVector) {
        self.pending = Some(held);
    }

    /// When the next resend may start (`None`: at once).
    fn next_at(&self) -> Option<tokio::time::Instant> {
        self.last.map(|t| t + NEED_INTERVAL)
    }

    fn waiting(&self) -> bool {
        self.pending.is_some()
    }

    async fn wait(&self) {
        if let Some(at) = self.next_at() {
            tokio::time::sleep_until(at).await;
        }
    }

    /// Rewinds what the other side is taken to hold, if a resend is waiting and due.
    fn apply_due(&mut self, sent: &Mutex<VersionVector>) {
        let now = tokio::time::Instant::now();
        if self.pending.is_some() && self.next_at().is_none_or(|at| at <= now) {
            if let Some(held) = self.pending.take() {
                *lock(sent) = held;
            }
            self.last = Some(now);
        }
    }
}

/// The phone's health reports over one session: the record in force on connect, then each
/// change, at most one per [`HEALTH_INTERVAL`] (a change that comes sooner waits, and only
/// the latest record goes).
struct HealthReports {
    rx: Option<watch::Receiver<Option<PhoneHealth>>>,
    due: bool,
    last: Option<tokio::time::Instant>,
}

impl HealthReports {
    fn new(rx: Option<watch::Receiver<Option<PhoneHealth>>>) -> Self {
        let due = rx.as_ref().is_some_and(|rx| rx.borrow().is_some());
        HealthReports {
            rx,
            due,
            last: None,
        }
    }

    fn next_at(&self) -> Option<tokio::time::Instant> {
        self.last.map(|t| t + HEALTH_INTERVAL)
    }

    fn waiting(&self) -> bool {
        self.due
    }

    /// Resolves when the record changed (never, on a side without one).
    async fn changed(&mut self) {
        let Some(rx) = self.rx.as_mut() else {
            return std::future::pending().await;
        };
        if rx.changed().await.is_err() {
            self.rx = None;
            return std::future::pending().await;
        }
        self.due = true;
    }

    /// The record to send now, if one is due and the interval allows.
    fn take_due(&mut self) -> Option<PhoneHealth> {
        let now = tokio::time::Instant::now();
        if !self.due || self.next_at().is_some_and(|at| at > now) {
            return None;
        }
        self.due = false;
        let record = self.rx.as_mut()?.borrow_and_update().clone()?;
        self.last = Some(now);
        Some(record)
    }
}

/// Sleeps until `at` (`None`: not at all).
async fn sleep_until(at: Option<tokio::time::Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// A desktop's allowance of health reports: [`HEALTH_BURST`] at once, refilled one per
/// [`HEALTH_INTERVAL`].
struct HealthAllowance {
    tokens: u32,
    refilled: tokio::time::Instant,
    burst: u32,
    interval: Duration,
}

impl HealthAllowance {
    fn new() -> Self {
        HealthAllowance::with(HEALTH_BURST, HEALTH_INTERVAL)
    }

    /// The same bucket, for frames of a kind this version does not know.
    fn for_unknown() -> Self {
        HealthAllowance::with(UNKNOWN_BURST, UNKNOWN_INTERVAL)
    }

    fn with(burst: u32, interval: Duration) -> Self {
        HealthAllowance {
            tokens: burst,
            refilled: tokio::time::Instant::now(),
            burst,
            interval,
        }
    }

    fn take(&mut self) -> bool {
        let now = tokio::time::Instant::now();
        while self.tokens < self.burst && now >= self.refilled + self.interval {
            self.tokens += 1;
            self.refilled += self.interval;
        }
        if self.tokens == self.burst {
            self.refilled = now;
        }
        if self.tokens == 0 {
            return false;
        }
        self.tokens -= 1;
        true
    }
}

/// Cuts a batch into frames under the size limit (a batch of long texts may not fit one).
fn split_to_fit(ops: Vec<Op>) -> Result<Vec<Message>, SyncError> {
    let message = Message::Ops { ops };
    match frame::encode(&message) {
        Ok(_) => Ok(vec![message]),
        Err(FrameError::TooLarge { .. }) => {
            let Message::Ops { mut ops } = message else {
                return Ok(Vec::new());
            };
            if ops.len() == 1 {
                return Err(SyncError::Replica(
                    "an op is larger than a frame may be; it cannot be sent".into(),
                ));
            }
            let rest = ops.split_off(ops.len() / 2);
            let mut out = split_to_fit(ops)?;
            out.extend(split_to_fit(rest)?);
            Ok(out)
        }
        Err(e) => Err(e.into()),
    }
}

#[allow(clippy::too_many_arguments)]
async fn receive_loop<R: Replica, Rd: AsyncRead + Unpin + Send>(
    replica: R,
    peer: Hello,
    peer_held: VersionVector,
    mut reader: FrameReader<Rd>,
    sent: Arc<Mutex<VersionVector>>,
    control: mpsc::UnboundedSender<Control>,
    stats: Arc<Mutex<SessionStats>>,
    silence: Duration,
) -> Result<(), SyncError> {
    // After a gap, frames already in flight will show the same gap: ask once per rewind.
    let mut asked_at: Option<VersionVector> = None;
    // A frame past a gap was dropped after asking (see below).
    let mut dropped_since_ask = false;
    let mut deferred = false;
    // What the other side has said it holds (its hello, then every Need): what it holds only
    // grows, so a Need never rewinds below this, and a Need that adds nothing to it is a
    // repeat and starts no resend. A tiny `Need` claiming nothing cannot make this side
    // send its whole log again and again.
    let mut floor = peer_held;
    let mut last_need: Option<VersionVector> = None;
    let mut allowance = HealthAllowance::new();
    let mut unknown = HealthAllowance::for_unknown();
    loop {
        // Reading is cancel-safe (bytes already read stay in the decoder), so a pause in
        // the stream can be used for the replica's deferred work.
        let next = if deferred {
            tokio::select! {
                next = reader.next() => next,
                () = tokio::time::sleep(IDLE) => {
                    replica.idle().await?;
                    deferred = false;
                    continue;
                }
            }
        } else {
            match tokio::time::timeout(silence, reader.next()).await {
                Ok(next) => next,
                Err(_) => return Err(SyncError::Silent),
            }
        };
        let next = match next {
            // A newer peer's frame: skipped whole, within a bound.
            Err(SyncError::Frame(FrameError::UnknownKind(kind))) => {
                lock(&stats).last_heard_ms = Some(jiff::Timestamp::now().as_millisecond());
                if !unknown.take() {
                    return Err(SyncError::Frame(FrameError::UnknownKind(kind)));
                }
                tracing::debug!(peer = %peer.name, kind, "skipped a frame this version does not know");
                lock(&stats).unknown_skipped += 1;
                continue;
            }
            other => other,
        };
        let Some(message) = next? else {
            replica.idle().await?;
            return Ok(());
        };
        lock(&stats).last_heard_ms = Some(jiff::Timestamp::now().as_millisecond());
        match message {
            Message::Heartbeat { .. } => {
                lock(&stats).heartbeats += 1;
            }
            Message::Ops { ops } => {
                // Only the names are kept: the batch itself moves into the replica.
                let names: Vec<(String, u64)> =
                    ops.iter().map(|op| (op.origin.clone(), op.seq)).collect();
                let report = replica.apply(ops, peer.clone()).await?;
                deferred = true;
                {
                    // Ops that came from the other side need not go back to it.
                    let mut sent = lock(&sent);
                    for (origin, seq) in names.iter().take(report.applied + report.duplicates) {
                        sent.observe(origin, *seq);
                    }
                }
                {
                    let mut s = lock(&stats);
                    s.applied += report.applied as u64;
                    s.duplicates += report.duplicates as u64;
                }
                if report.gap {
                    let held = replica.held().await?;
                    if asked_at.as_ref() != Some(&held) {
                        lock(&stats).gaps += 1;
                        asked_at = Some(held.clone());
                        let _ = control.send(Control::Ask(held));
                    } else {
                        // Already asked from here: the resend should carry this frame too,
                        // unless it was itself reordered. Remember, and ask again once
                        // the resend makes progress.
                        dropped_since_ask = true;
                    }
                } else if report.applied > 0 {
                    asked_at = None;
                    if std::mem::take(&mut dropped_since_ask) {
                        // Frames past a gap were dropped while a resend was under way and
                        // the other side may believe them delivered: ask from here.
                        let held = replica.held().await?;
                        lock(&stats).gaps += 1;
                        asked_at = Some(held.clone());
                        let _ = control.send(Control::Ask(held));
                    }
                }
            }
            Message::Need { held } => {
                floor.join(&held);
                if last_need.as_ref() != Some(&floor) {
                    last_need = Some(floor.clone());
                    let _ = control.send(Control::Rewind(floor.clone()));
                }
            }
            Message::Health { health } => {
                if peer.role != Role::Phone {
                    return Err(SyncError::Protocol(
                        "a device that is not a phone reported a phone's health".into(),
                    ));
                }
                // A record over its bounds or too soon after the last is dropped: the record
                // kept so far stays, and ops keep flowing.
                if let Err(e) = health.check() {
                    tracing::warn!(peer = %peer.name, error = %e, "phone health refused");
                    lock(&stats).health_refused += 1;
                    continue;
                }
                if !allowance.take() {
                    tracing::warn!(peer = %peer.name, "phone health refused: reported too often");
                    lock(&stats).health_refused += 1;
                    continue;
                }
                replica.keep_health(health).await?;
                lock(&stats).health_kept += 1;
            }
            Message::Hello { .. } => {
                return Err(SyncError::Protocol("a second hello arrived".into()));
            }
        }
    }
}

#[cfg(test)]
mod health_tests {
    // Named, not `super::*`: the layers test reads `super` as the file's parent.
    use crate::sync::session::*;

    #[tokio::test(start_paused = true)]
    async fn a_phone_sends_its_health_on_connect_then_at_most_once_per_interval() {
        let (tx, rx) = watch::channel(Some(PhoneHealth::new(0, "0")));
        let mut reports = HealthReports::new(Some(rx));
        assert_eq!(reports.take_due().map(|h| h.at_ms), Some(0), "on connect");
        for i in 1..10 {
            tx.send_replace(Some(PhoneHealth::new(i, "x")));
        }
        reports.changed().await;
        assert!(reports.take_due().is_none(), "too soon after the last");
        tokio::time::advance(HEALTH_INTERVAL).await;
        assert_eq!(
            reports.take_due().map(|h| h.at_ms),
            Some(9),
            "only the latest"
        );
        assert!(reports.take_due().is_none(), "nothing new");
    }

    #[tokio::test(start_paused = true)]
    async fn a_desktop_takes_a_burst_then_one_report_per_interval() {
        let mut allowance = HealthAllowance::new();
        for _ in 0..HEALTH_BURST {
            assert!(allowance.take());
        }
        assert!(!allowance.take());
        tokio::time::advance(HEALTH_INTERVAL).await;
        assert!(allowance.take());
        assert!(!allowance.take());
        tokio::time::advance(HEALTH_INTERVAL * 10).await;
        for _ in 0..HEALTH_BURST {
            assert!(allowance.take());
        }
        assert!(
            !allowance.take(),
            "a long pause refills no more than a burst"
        );
    }
}
