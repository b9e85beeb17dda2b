//! A desktop's photos: each paired phone dials a blob connection (ringback/blobs/1) beside
//! its sync session; the desktop keeps it per phone, fetches thumbnails (and full sizes up
//! to the eager limit) as messages naming them arrive, evicts the oldest past the phone's
//! budget, and fetches a full size when the window asks for it.

use std::sync::Arc;
use std::time::Duration;

use iroh::EndpointId;
use iroh::endpoint::Connection;

use super::desktop::{DesktopInner, DesktopNode, phone_dir};
use super::{AbortOnDrop, CLOSE_REPLACED, CLOSE_SESSION_ENDED, lock};
use crate::attachment::BlobHash;
use crate::blobs::{BlobError, BlobStore};
use crate::store::StoreError;
use crate::sync::blobs::{self, BlobAccess, FetchError};

/// Blobs a desktop prefetches per pass (newest first); older ones come when viewed.
const PREFETCH_PER_PASS: u32 = 500;

/// How often a desktop looks for photos to prefetch even when nothing was committed (a
/// phone that did not hold a blob yet may hold it now).
const PREFETCH_RETRY: Duration = Duration::from_secs(30);

/// What a desktop fetches without being asked, and how much it keeps per phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoPolicy {
    /// Full-size photos up to this many bytes are fetched as they arrive (0: only
    /// thumbnails; the rest when viewed).
    pub eager_full_bytes: u64,
    /// Bytes of photos kept per phone; the oldest are evicted past it (fetched again when
    /// viewed).
    pub budget_bytes: u64,
}

impl Default for PhotoPolicy {
    fn default() -> PhotoPolicy {
        PhotoPolicy {
            eager_full_bytes: 2 * 1024 * 1024,
            budget_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// Why the window could not have a photo.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// The phone is not paired with this desktop.
    #[error("that phone is not paired with this desktop")]
    NotPaired,
    /// No message of the phone names the photo.
    #[error("no message from that phone has this photo")]
    Unknown,
    /// The photo is not here and the phone is not connected.
    #[error(
        "the photo is not on this computer yet and the phone is offline; it arrives when the phone reconnects"
    )]
    PhoneOffline,
    /// The transfer failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The local blob store failed.
    #[error(transparent)]
    Blobs(#[from] BlobError),
    /// The replica failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The blob store of one phone's replica: `phones/<endpoint>/blobs`.
pub(super) fn phone_blobs(
    inner: &DesktopInner,
    id: &EndpointId,
) -> Result<Arc<BlobStore>, BlobError> {
    let mut stores = lock(&inner.blob_stores);
    if let Some(store) = stores.get(id) {
        return Ok(store.clone());
    }
    let store = BlobStore::beside(&phone_dir(&inner.dir, id).join("ringback.db"))?;
    stores.insert(*id, store.clone());
    Ok(store)
}

/// Takes a paired phone's blob connection: keeps it for the window's fetches, and prefetches
/// until it closes.
pub(super) async fn accept_blobs(conn: Connection, remote: EndpointId, inner: Arc<DesktopInner>) {
    let Some(replica) = lock(&inner.phones).get(&remote).cloned() else {
        return;
    };
    if let Some(old) = lock(&inner.blob_links).insert(remote, conn.clone()) {
        old.close(CLOSE_REPLACED.into(), b"replaced by a newer connection");
    }
    // The phone fetches a reply's photos from here: only those this desktop's requests name.
    let access = Arc::new(DesktopAccess {
        phone: remote,
        inner: inner.clone(),
    });
    let store = match phone_blobs(&inner, &remote) {
        Ok(store) => store,
        Err(error) => {
            tracing::warn!(%error, "photos cannot be kept for this phone");
            return;
        }
    };
    let _server = AbortOnDrop(tokio::spawn(blobs::serve(conn.clone(), store, access)));
    // Only a commit that brought attachments changes what to prefetch (the timer covers a
    // phone that did not hold a blob yet).
    let mut photos = replica.with(|s| s.subscribe_photos());
    loop {
        if let Err(error) = prefetch(&conn, &remote, &inner).await {
            tracing::info!(phone = %remote.fmt_short(), %error, "photos not fetched yet");
        }
        tokio::select! {
            _ = conn.closed() => break,
            changed = photos.changed() => if changed.is_err() { break },
            _ = tokio::time::sleep(PREFETCH_RETRY) => {}
        }
    }
    let mut links = lock(&inner.blob_links);
    if links
        .get(&remote)
        .is_some_and(|c| c.stable_id() == conn.stable_id())
    {
        links.remove(&remote);
    }
    conn.close(CLOSE_SESSION_ENDED.into(), b"blob link ended");
}

/// A desktop's access rule: its paired phone, and a photo one of this desktop's reply
/// requests names.
struct DesktopAccess {
    phone: EndpointId,
    inner: Arc<DesktopInner>,
}

impl BlobAccess for DesktopAccess {
    async fn may_read(&self, peer: EndpointId, hash: BlobHash) -> bool {
        if peer != self.phone {
            return false;
        }
        let Some(replica) = lock(&self.inner.phones).get(&peer).cloned() else {
            return false;
        };
        tokio::task::spawn_blocking(move || {
            replica.with(|s| {
                let origin = s.origin().to_string();
                s.reader().request_names_blob(&origin, &hash)
            })
        })
        .await
        .is_ok_and(|named| named.unwrap_or(false))
    }
}

/// Fetches what the policy says to hold of one phone's photos, then evicts past its budget.
async fn prefetch(
    conn: &Connection,
    remote: &EndpointId,
    inner: &DesktopInner,
) -> Result<(), PhotoError> {
    let Some(replica) = lock(&inner.phones).get(remote).cloned() else {
        return Err(PhotoError::NotPaired);
    };
    let policy = *lock(&inner.photo_policy);
    let store = phone_blobs(inner, remote)?;
    let wanted = replica.with(|s| {
        s.reader()
            .blobs_to_prefetch(policy.eager_full_bytes, PREFETCH_PER_PASS)
    })?;
    let mut fetched = 0usize;
    for (hash, _) in wanted {
        if store.has(&hash) {
            continue;
        }
        match blobs::fetch(conn, &hash, &store).await {
            Ok(_) => fetched += 1,
            // The phone may not hold it yet; the next pass asks again.
            Err(FetchError::NotServed(_)) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    if fetched > 0 {
        let evicted = store.evict_oldest(policy.budget_bytes)?;
        tracing::debug!(phone = %remote.fmt_short(), fetched, evicted = evicted.len(), "photos fetched");
    }
    Ok(())
}

impl DesktopNode {
    /// Sets what this desktop fetches without being asked and how much it keeps per phone.
    pub fn set_photo_policy(&self, policy: PhotoPolicy) {
        *lock(&self.inner.photo_policy) = policy;
    }

    /// The bytes of one of a phone's photos (or thumbnails) for the window: from this
    /// computer when held, else fetched from the phone now (only a blob one of its
    /// messages names is asked for).
    pub async fn fetch_photo(
        &self,
        phone: &EndpointId,
        hash: &BlobHash,
    ) -> Result<Vec<u8>, PhotoError> {
        let Some(replica) = self.phone(phone) else {
            return Err(PhotoError::NotPaired);
        };
        let store = phone_blobs(&self.inner, phone)?;
        // Held here (fetched, or a photo this desktop prepared for a reply): shown as is.
        if let Some(bytes) = store.get(hash)? {
            return Ok(bytes);
        }
        if !replica.with(|s| s.reader().blob_is_referenced(hash))? {
            return Err(PhotoError::Unknown);
        }
        let Some(conn) = lock(&self.inner.blob_links).get(phone).cloned() else {
            return Err(PhotoError::PhoneOffline);
        };
        let fetched = blobs::fetch(&conn, hash, &store).await;
        // The prefetch may have completed the same blob meanwhile: held is held.
        match (store.get(hash)?, fetched) {
            (Some(bytes), _) => Ok(bytes),
            (None, Err(error)) => Err(error.into()),
            (None, Ok(_)) => Err(PhotoError::PhoneOffline),
        }
    }

    /// Where the photos of a phone are kept on this computer.
    pub fn photo_store(&self, phone: &EndpointId) -> Result<Arc<BlobStore>, BlobError> {
        phone_blobs(&self.inner, phone)
    }
}
