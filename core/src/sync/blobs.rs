//! Attachments' bytes between devices: n0's iroh-blobs protocol (BLAKE3 verified streaming,
//! bao) on its own ALPN over the same authenticated iroh endpoint as sync sessions.
//!
//! Why the blob store stays [`BlobStore`] (files named by hash beside the SQLite file) and
//! iroh-blobs is used for transfer only, not as the store: the engine reads and writes
//! attachments synchronously inside its own steps, the phone must never lose a blob to a
//! garbage collector, and iroh-blobs' persistent store brings a second database (redb) with
//! its own lifecycle beside the SQLite file. Serving stages each blob a peer may read into a
//! per-connection in-memory iroh-blobs store, dropped with the connection; fetching decodes
//! the verified stream straight into a partial file of [`BlobStore`], so a transfer cut by
//! either side's death resumes from the chunks already verified.
//!
//! Who may read what: a server only answers `get` requests (push, observe and get-many are
//! refused by the protocol's event mask) and asks a [`BlobAccess`] for each: a paired peer,
//! and a blob that a message or reply names. Counts and bytes per connection are bounded.

use std::future::Future;
use std::sync::Arc;

use bao_tree::ChunkNum;
use bao_tree::io::BaoContentItem;
use iroh::EndpointId;
use iroh::endpoint::Connection;
use iroh_blobs::Hash;
use iroh_blobs::get::fsm::{self, BlobContentNext, ConnectedNext, EndBlobNext};
use iroh_blobs::protocol::{ChunkRanges, GetRequest};
use iroh_blobs::provider::events::{
    AbortReason, ConnectMode, EventMask, EventSender, ObserveMode, ProviderMessage, RequestMode,
    ThrottleMode,
};
use iroh_blobs::store::mem::MemStore;

use crate::attachment::{BlobHash, MAX_ATTACHMENT_BYTES};
use crate::blobs::{BlobError, BlobStore};

/// The ALPN of blob transfer (the iroh-blobs protocol, version 4 of its wire format).
pub const ALPN: &[u8] = b"ringback/blobs/1";

/// Requests one connection may make; a peer that wants more opens a new connection.
pub const MAX_REQUESTS_PER_CONNECTION: u32 = 1024;

/// Bytes one connection may have staged for sending at once (the staged copies live as long
/// as the connection).
pub const MAX_STAGED_BYTES_PER_CONNECTION: u64 = 4 * MAX_ATTACHMENT_BYTES;

/// Decides which blobs a peer may read from here.
pub trait BlobAccess: Send + Sync + 'static {
    /// Whether `peer` may read `hash`: it is paired, and a message or reply names the blob.
    fn may_read(&self, peer: EndpointId, hash: BlobHash) -> impl Future<Output = bool> + Send;
}

fn to_iroh(hash: &BlobHash) -> Hash {
    Hash::from_bytes(*hash.as_bytes())
}

fn short(hash: &BlobHash) -> String {
    hash.to_hex()[..12].to_string()
}

/// Serves blobs to the peer of `conn` until it closes: only `get` requests, each allowed by
/// `access`, each read from `blobs`.
pub async fn serve<A: BlobAccess>(conn: Connection, blobs: Arc<BlobStore>, access: Arc<A>) {
    let peer = conn.remote_id();
    let staging = MemStore::new();
    let store = (*staging).clone();
    let mask = EventMask {
        connected: ConnectMode::None,
        get: RequestMode::Intercept,
        get_many: RequestMode::Disabled,
        push: RequestMode::Disabled,
        observe: ObserveMode::Intercept,
        throttle: ThrottleMode::None,
    };
    let (events, mut rx) = EventSender::channel(8, mask);
    let gate = tokio::spawn(async move {
        let mut requests = 0u32;
        let mut staged = 0u64;
        while let Some(message) = rx.recv().await {
            match message {
                ProviderMessage::GetRequestReceived(msg) => {
                    requests = requests.saturating_add(1);
                    let hash = BlobHash::from_bytes(*msg.inner.request.hash.as_bytes());
                    let verdict = if requests > MAX_REQUESTS_PER_CONNECTION {
                        Err(AbortReason::RateLimited)
                    } else if !access.may_read(peer, hash).await {
                        tracing::warn!(peer = %peer.fmt_short(), blob = %short(&hash), "refused a photo no message names, or to a peer that is not paired");
                        Err(AbortReason::Permission)
                    } else {
                        stage(&blobs, &staging, &hash, &mut staged).await
                    };
                    msg.tx.send(verdict).await.ok();
                }
                ProviderMessage::ObserveRequestReceived(msg) => {
                    msg.tx.send(Err(AbortReason::Permission)).await.ok();
                }
                ProviderMessage::ClientConnected(msg) => {
                    msg.tx.send(Ok(())).await.ok();
                }
                ProviderMessage::GetManyRequestReceived(msg) => {
                    msg.tx.send(Err(AbortReason::Permission)).await.ok();
                }
                ProviderMessage::PushRequestReceived(msg) => {
                    msg.tx.send(Err(AbortReason::Permission)).await.ok();
                }
                ProviderMessage::Throttle(msg) => {
                    msg.tx.send(Ok(())).await.ok();
                }
                _ => {}
            }
        }
    });
    iroh_blobs::provider::handle_connection(conn, store, events).await;
    gate.abort();
}

/// Puts an allowed blob where the protocol reads it. A blob not held here is not staged, so
/// the peer hears "not found" and tries again later.
async fn stage(
    blobs: &BlobStore,
    staging: &MemStore,
    hash: &BlobHash,
    staged: &mut u64,
) -> Result<(), AbortReason> {
    if staging.has(to_iroh(hash)).await.unwrap_or(false) {
        return Ok(());
    }
    match blobs.get(hash) {
        Ok(Some(bytes)) => {
            let size = bytes.len() as u64;
            if staged.saturating_add(size) > MAX_STAGED_BYTES_PER_CONNECTION {
                return Err(AbortReason::RateLimited);
            }
            *staged += size;
            if let Err(error) = staging.add_bytes(bytes).await {
                tracing::warn!(%error, "a photo could not be staged for sending");
            }
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(error) => {
            tracing::warn!(%error, "a photo could not be read for sending");
            Ok(())
        }
    }
}

/// Why a blob could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The peer refused, or does not hold the blob.
    #[error(
        "the other device did not send photo {0}: it does not hold it, or refused because no message names it"
    )]
    NotServed(String),
    /// The connection failed mid-way; what was verified is kept and the next fetch resumes.
    #[error("the photo transfer was interrupted ({0}); it resumes when the devices reconnect")]
    Interrupted(String),
    /// The peer announced a blob larger than an attachment may be.
    #[error("the other device offered a {0}-byte photo, larger than Ringback keeps")]
    TooLarge(u64),
    /// The bytes did not match their hash (the stream verifies each chunk, so this is a
    /// local disk fault).
    #[error("photo {0} did not match its hash after the transfer; it will be fetched again")]
    Mismatch(String),
    /// The local blob store failed.
    #[error(transparent)]
    Store(#[from] BlobError),
}

/// What a fetch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fetched {
    /// The blob's size.
    pub size: u64,
    /// Bytes held before this fetch started (resumed from), 0 for a fresh fetch.
    pub resumed_from: u64,
    /// Whether the blob was already held, so nothing was transferred.
    pub already_held: bool,
}

/// Fetches `hash` from the peer of `conn` into `blobs`, verified chunk by chunk as it
/// streams, resuming from the verified bytes an earlier attempt left.
pub async fn fetch(
    conn: &Connection,
    hash: &BlobHash,
    blobs: &BlobStore,
) -> Result<Fetched, FetchError> {
    if blobs.has(hash) {
        return Ok(Fetched {
            size: 0,
            resumed_from: 0,
            already_held: true,
        });
    }
    // Resume at a chunk boundary; the peer sends the whole chunk group it falls in, which
    // is verified and rewritten in place.
    let chunk = blobs.partial_len(hash) / 1024;
    let resumed_from = chunk * 1024;
    let request = GetRequest::blob_ranges(to_iroh(hash), ChunkRanges::from(ChunkNum(chunk)..));
    let interrupted = |e: &dyn std::fmt::Display| FetchError::Interrupted(e.to_string());
    let connected = fsm::start(conn.clone(), request, Default::default())
        .next()
        .await
        .map_err(|e| interrupted(&e))?;
    let start = match connected.next().await.map_err(|e| interrupted(&e))? {
        ConnectedNext::StartRoot(start) => start,
        _ => return Err(FetchError::NotServed(short(hash))),
    };
    let (mut content, size) = match start.next().next().await {
        Ok(header) => header,
        Err(_) => return Err(FetchError::NotServed(short(hash))),
    };
    if size > MAX_ATTACHMENT_BYTES {
        return Err(FetchError::TooLarge(size));
    }
    // An empty blob streams no leaf; its (empty) partial must still exist to complete.
    if size == 0 {
        blobs.write_partial(hash, 0, &[])?;
    }
    let end = loop {
        match content.next().await {
            BlobContentNext::More((next, item)) => {
                match item.map_err(|e| interrupted(&e))? {
                    BaoContentItem::Leaf(leaf) => {
                        blobs.write_partial(hash, leaf.offset, &leaf.data)?
                    }
                    BaoContentItem::Parent(_) => {}
                }
                content = next;
            }
            BlobContentNext::Done(end) => break end,
        }
    };
    if let EndBlobNext::Closing(closing) = end.next() {
        // The stats are of no use here; a failure to close cleanly loses nothing.
        let _ = closing.next().await;
    }
    if !blobs.complete_partial(hash)? {
        return Err(FetchError::Mismatch(short(hash)));
    }
    Ok(Fetched {
        size,
        resumed_from,
        already_held: false,
    })
}

/// The phone's access rule, read from its store: a desktop paired with it, and a blob that
/// a message's attachment or thumbnail names.
pub struct PhoneAccess {
    /// The running engine whose store answers.
    pub engine: crate::engine::service::EngineHandle,
}

impl BlobAccess for PhoneAccess {
    async fn may_read(&self, peer: EndpointId, hash: BlobHash) -> bool {
        let peer = peer.to_string();
        let verdict = self
            .engine
            .with(move |engine| {
                let store = engine.store().reader();
                let paired = store
                    .peers()
                    .map(|peers| peers.iter().any(|p| p.paired && p.endpoint == peer))
                    .unwrap_or(false);
                paired && store.blob_is_referenced(&hash).unwrap_or(false)
            })
            .await;
        // A stopped engine or a store that cannot answer refuses.
        verdict.unwrap_or(false)
    }
}
