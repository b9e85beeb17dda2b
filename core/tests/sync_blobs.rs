//! Photos between devices over loopback iroh: the blob protocol (ringback/blobs/1) serves
//! only what its access allows, verifies as it streams, and resumes a cut transfer.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

mod support;

use iroh::{Endpoint, EndpointId, SecretKey};
use ringback_core::BlobHash;
use ringback_core::blobs::BlobStore;
use ringback_core::sync::blobs::{self, BlobAccess, FetchError};
use ringback_core::sync::net::{self, NetworkMode};

/// Paired peers and the blobs messages name, as a phone's store would answer.
struct Access {
    paired: HashSet<EndpointId>,
    named: HashSet<BlobHash>,
}

impl BlobAccess for Access {
    async fn may_read(&self, peer: EndpointId, hash: BlobHash) -> bool {
        self.paired.contains(&peer) && self.named.contains(&hash)
    }
}

async fn endpoint(seed: u8) -> Endpoint {
    net::bind(
        &NetworkMode::Loopback,
        SecretKey::from_bytes(&[seed; 32]),
        vec![blobs::ALPN.to_vec()],
        None,
    )
    .await
    .expect("binds")
}

/// A photo of `len` bytes that no two sizes share.
fn photo(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// The phone dials the desktop (as sync does) and serves on that connection; returns the
/// desktop's side of it and the serving task.
async fn link(
    phone: &Endpoint,
    desktop: &Endpoint,
    store: Arc<BlobStore>,
    access: Arc<Access>,
) -> (iroh::endpoint::Connection, tokio::task::JoinHandle<()>) {
    let addr = desktop.addr();
    let dial = phone.connect(addr, blobs::ALPN);
    let accept = async {
        desktop
            .accept()
            .await
            .expect("an incoming connection")
            .await
            .expect("accepted")
    };
    let (conn, at_desktop) = tokio::join!(dial, accept);
    let conn = conn.expect("dials");
    let server = tokio::spawn(blobs::serve(conn, store, access));
    (at_desktop, server)
}

struct Rig {
    phone: Endpoint,
    desktop: Endpoint,
    phone_blobs: Arc<BlobStore>,
    access: Arc<Access>,
    hash: BlobHash,
    bytes: Vec<u8>,
}

async fn rig(len: usize, named: bool, paired: bool) -> Rig {
    let phone = endpoint(1).await;
    let desktop = endpoint(2).await;
    let phone_blobs = BlobStore::in_memory();
    let bytes = photo(len);
    let hash = phone_blobs.put(&bytes).expect("kept");
    let access = Arc::new(Access {
        paired: if paired {
            HashSet::from([desktop.id()])
        } else {
            HashSet::new()
        },
        named: if named {
            HashSet::from([hash])
        } else {
            HashSet::new()
        },
    });
    Rig {
        phone,
        desktop,
        phone_blobs,
        access,
        hash,
        bytes,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_megabyte_photo_reaches_a_desktop_verified_by_hash() {
    let rig = rig(1024 * 1024, true, true).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let desktop_blobs = BlobStore::open(dir.path()).expect("opens");
    let (conn, _server) = link(
        &rig.phone,
        &rig.desktop,
        rig.phone_blobs.clone(),
        rig.access.clone(),
    )
    .await;
    let fetched = blobs::fetch(&conn, &rig.hash, &desktop_blobs)
        .await
        .expect("fetched");
    assert_eq!(fetched.size, rig.bytes.len() as u64);
    assert_eq!(fetched.resumed_from, 0);
    let got = desktop_blobs.get(&rig.hash).expect("reads").expect("held");
    assert_eq!(BlobHash::of(&got), rig.hash);
    assert_eq!(got, rig.bytes);
    // Asked again, nothing travels.
    let again = blobs::fetch(&conn, &rig.hash, &desktop_blobs)
        .await
        .expect("held");
    assert!(again.already_held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blob_no_message_names_is_refused() {
    let rig = rig(50_000, false, true).await;
    let desktop_blobs = BlobStore::in_memory();
    let (conn, _server) = link(
        &rig.phone,
        &rig.desktop,
        rig.phone_blobs.clone(),
        rig.access.clone(),
    )
    .await;
    let err = blobs::fetch(&conn, &rig.hash, &desktop_blobs)
        .await
        .expect_err("refused");
    assert!(matches!(err, FetchError::NotServed(_)), "{err}");
    assert!(!desktop_blobs.has(&rig.hash));
    assert_eq!(desktop_blobs.partial_len(&rig.hash), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_is_not_paired_gets_nothing() {
    let rig = rig(50_000, true, false).await;
    let desktop_blobs = BlobStore::in_memory();
    let (conn, _server) = link(
        &rig.phone,
        &rig.desktop,
        rig.phone_blobs.clone(),
        rig.access.clone(),
    )
    .await;
    let err = blobs::fetch(&conn, &rig.hash, &desktop_blobs)
        .await
        .expect_err("refused");
    assert!(matches!(err, FetchError::NotServed(_)), "{err}");
    assert!(!desktop_blobs.has(&rig.hash));
}

/// Runs a fetch until some but not all of the photo is held, then stops it by `cut`.
async fn cut_mid_transfer(
    conn: &iroh::endpoint::Connection,
    rig: &Rig,
    desktop_blobs: &BlobStore,
    cut: impl FnOnce(),
) -> u64 {
    let total = rig.bytes.len() as u64;
    let watch = async {
        loop {
            let held = desktop_blobs.partial_len(&rig.hash);
            if held > 0 && held < total {
                return held;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    };
    tokio::select! {
        result = blobs::fetch(conn, &rig.hash, desktop_blobs) => {
            panic!("the transfer ended before it could be cut: {result:?}")
        }
        held = watch => {
            cut();
            held
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_killed_mid_transfer_resumes_from_what_it_verified() {
    let rig = rig(12 * 1024 * 1024, true, true).await;
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let desktop_blobs = BlobStore::open(dir.path()).expect("opens");
        let (conn, _server) = link(
            &rig.phone,
            &rig.desktop,
            rig.phone_blobs.clone(),
            rig.access.clone(),
        )
        .await;
        // Dropping the fetch mid-way is what a killed desktop leaves: a partial file.
        let held = cut_mid_transfer(&conn, &rig, &desktop_blobs, || {}).await;
        assert!(held > 0);
        conn.close(0u32.into(), b"killed");
    }
    // The desktop starts again on the same folder.
    let desktop_blobs = BlobStore::open(dir.path()).expect("opens again");
    let left = desktop_blobs.partial_len(&rig.hash);
    assert!(left > 0, "the verified part survives the desktop");
    let (conn, _server) = link(
        &rig.phone,
        &rig.desktop,
        rig.phone_blobs.clone(),
        rig.access.clone(),
    )
    .await;
    let fetched = blobs::fetch(&conn, &rig.hash, &desktop_blobs)
        .await
        .expect("resumed");
    assert!(
        fetched.resumed_from > 0,
        "resumed from {}",
        fetched.resumed_from
    );
    assert_eq!(
        desktop_blobs.get(&rig.hash).expect("reads").as_deref(),
        Some(&rig.bytes[..])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_killed_mid_transfer_is_resumed_on_the_next_connection() {
    let rig = rig(12 * 1024 * 1024, true, true).await;
    let desktop_blobs = BlobStore::in_memory();
    let (conn, server) = link(
        &rig.phone,
        &rig.desktop,
        rig.phone_blobs.clone(),
        rig.access.clone(),
    )
    .await;
    let total = rig.bytes.len() as u64;
    let watch = async {
        loop {
            let held = desktop_blobs.partial_len(&rig.hash);
            if held > 0 && held < total {
                return;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    };
    let fetch = blobs::fetch(&conn, &rig.hash, &desktop_blobs);
    tokio::pin!(fetch);
    tokio::select! {
        result = &mut fetch => panic!("the transfer ended before it could be cut: {result:?}"),
        () = watch => {
            // The phone dies: its server stops and its endpoint goes away.
            server.abort();
            rig.phone.close().await;
        }
    }
    let err = fetch.await.expect_err("cut");
    assert!(matches!(err, FetchError::Interrupted(_)), "{err}");
    assert!(!desktop_blobs.has(&rig.hash));
    // The phone comes back (same key, new endpoint).
    let phone = endpoint(1).await;
    let (conn, _server) = link(
        &phone,
        &rig.desktop,
        rig.phone_blobs.clone(),
        rig.access.clone(),
    )
    .await;
    let fetched = blobs::fetch(&conn, &rig.hash, &desktop_blobs)
        .await
        .expect("resumed");
    assert!(
        fetched.resumed_from > 0,
        "resumed from {}",
        fetched.resumed_from
    );
    assert_eq!(
        desktop_blobs.get(&rig.hash).expect("reads").as_deref(),
        Some(&rig.bytes[..])
    );
}

/// A picture message from a caller with these photos (each with a thumbnail of its own).
fn picture_message(photos: &[(&[u8], &[u8])]) -> ringback_core::PlatformEvent {
    use ringback_core::attachment::AttachmentData;
    ringback_core::PlatformEvent::MmsReceived(ringback_core::engine::InboundMms {
        source_id: "mms-1".into(),
        from: "+12125550123".into(),
        others: Vec::new(),
        text: "the leak under the sink".into(),
        attachments: photos
            .iter()
            .map(|(bytes, thumb)| ringback_core::NewAttachment {
                content_type: "image/jpeg".into(),
                name: None,
                data: AttachmentData::Bytes(bytes.to_vec()),
                thumbnail: Some(thumb.to_vec()),
            })
            .collect(),
        line: ringback_core::Line::default(),
        at: jiff::Timestamp::now(),
        downloaded: true,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_the_phone_receives_reaches_a_paired_desktop_unasked_and_a_reply_photo_goes_back() {
    use ringback_core::sync::node::{PhotoError, PhotoPolicy};
    let (phone_dir, desktop_dir) = (
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    );
    // Full sizes up to 100 KB come unasked; larger ones when viewed.
    let policy = PhotoPolicy {
        eager_full_bytes: 100_000,
        ..PhotoPolicy::default()
    };
    let (phone, desktop) = photo_pair(phone_dir.path(), desktop_dir.path(), policy).await;

    let (small, small_thumb) = (photo(60_000), photo(3_001));
    let (large, large_thumb) = (photo(700_000), photo(4_003));
    phone
        .engine
        .event(picture_message(&[
            (&small, &small_thumb),
            (&large, &large_thumb),
        ]))
        .await
        .expect("engine")
        .expect("event");

    let store = desktop.node.photo_store(&phone.node.id()).expect("store");
    let unasked = [
        BlobHash::of(&small),
        BlobHash::of(&small_thumb),
        BlobHash::of(&large_thumb),
    ];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !unasked.iter().all(|h| store.has(h)) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the thumbnails and the small photo did not reach the desktop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        store.get(&BlobHash::of(&small_thumb)).expect("reads"),
        Some(small_thumb.clone())
    );
    let large_hash = BlobHash::of(&large);
    assert!(!store.has(&large_hash), "a large photo came unasked");

    // The window asks: the full size is fetched from the phone, verified.
    let got = desktop
        .node
        .fetch_photo(&phone.node.id(), &large_hash)
        .await
        .expect("fetched");
    assert_eq!(got, large);
    assert!(store.has(&large_hash));
    // A hash no message names is not asked of the phone.
    let stranger = desktop
        .node
        .fetch_photo(&phone.node.id(), &BlobHash::of(b"not a photo of theirs"))
        .await;
    assert!(matches!(stranger, Err(PhotoError::Unknown)), "{stranger:?}");

    // A reply with a photo and no text: the phone fetches the photo from this desktop
    // (which serves it because its request names it) and sends a picture message.
    let valve = photo(90_001);
    let valve_hash = store.put(&valve).expect("kept");
    let replica = desktop.replica(phone.node.id());
    let conversation = replica
        .with(|s| s.reader().latest_conversation("+12125550123"))
        .expect("reads")
        .expect("the caller's conversation")
        .0;
    replica
        .request_reply_with_photos(
            conversation,
            "",
            &[ringback_core::Attachment {
                content_type: "image/jpeg".into(),
                size: valve.len() as u64,
                hash: Some(valve_hash),
                name: Some("valve.jpg".into()),
                thumbnail: None,
                state: ringback_core::AttachmentState::Downloaded,
            }],
        )
        .expect("requested");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while phone.telephony.sent_mms().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the reply's photo never reached the phone"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = phone.telephony.sent_mms();
    assert_eq!(sent[0].text, "");
    assert_eq!(sent[0].attachments[0].bytes, valve);
    phone.kill().await;
    desktop.node.shutdown().await;
}

/// A phone whose engine keeps photos on disk, paired with a desktop, both on loopback.
async fn photo_pair(
    phone_dir: &std::path::Path,
    desktop_dir: &std::path::Path,
    policy: ringback_core::sync::node::PhotoPolicy,
) -> (support::PhoneRig, support::DesktopRig) {
    photo_pair_on(&NetworkMode::Loopback, phone_dir, desktop_dir, policy).await
}

/// [`photo_pair`] on `mode` (a relay-only desktop is paired once its relay has it).
async fn photo_pair_on(
    mode: &NetworkMode,
    phone_dir: &std::path::Path,
    desktop_dir: &std::path::Path,
    policy: ringback_core::sync::node::PhotoPolicy,
) -> (support::PhoneRig, support::DesktopRig) {
    let phone = support::PhoneRig::new(phone_dir, mode, Default::default()).await;
    let db = phone_dir.join("phone.db");
    phone
        .engine
        .with(move |e| e.set_blobs(BlobStore::beside(&db).expect("blob store")))
        .await
        .expect("engine");
    let desktop = support::DesktopRig::start(desktop_dir, mode, Default::default(), None).await;
    if matches!(mode, NetworkMode::RelayOnly(_)) {
        desktop.node.online().await;
    }
    desktop.node.set_photo_policy(policy);
    desktop.pair(&phone).await;
    (phone, desktop)
}

/// A picture message from `from` at `at`, with one photo and its thumbnail.
fn picture_at(
    i: usize,
    from: &str,
    at: jiff::Timestamp,
    bytes: &[u8],
    thumb: &[u8],
) -> ringback_core::PlatformEvent {
    let ringback_core::PlatformEvent::MmsReceived(mut mms) = picture_message(&[(bytes, thumb)])
    else {
        unreachable!("a picture message")
    };
    mms.source_id = format!("mms-{i}");
    mms.from = from.into();
    mms.at = at;
    ringback_core::PlatformEvent::MmsReceived(mms)
}

/// The hashes of the complete blobs in a folder store (files named by their hex hash).
fn blobs_on_disk(dir: &std::path::Path) -> HashSet<String> {
    let mut found = HashSet::new();
    let Ok(shards) = std::fs::read_dir(dir) else {
        return found;
    };
    for shard in shards.flatten() {
        for file in std::fs::read_dir(shard.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            found.insert(file.file_name().to_string_lossy().into_owned());
        }
    }
    found
}

/// Waits until `store` holds every one of `hashes`.
async fn until_held(store: &BlobStore, hashes: &[BlobHash], what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !hashes.iter().all(|h| store.has(h)) {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_offline_for_a_day_gets_its_photos_when_it_reconnects() {
    use ringback_core::sync::node::PhotoPolicy;
    let (phone_dir, desktop_dir) = (
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    );
    let (phone, desktop) =
        photo_pair(phone_dir.path(), desktop_dir.path(), PhotoPolicy::default()).await;
    let (ddir, port) = (desktop.dir.clone(), desktop.port);
    desktop.node.shutdown().await;

    // The office is closed for a day: a picture message every two hours, from 24 hours ago.
    let start = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
    let mut expected = Vec::new();
    for i in 0..12 {
        let (bytes, thumb) = (photo(40_000 + i * 101), photo(2_000 + i * 7));
        let at = start + jiff::SignedDuration::from_hours(2 * i as i64);
        phone
            .engine
            .event(picture_at(
                i,
                &format!("+1212555{:04}", i % 5),
                at,
                &bytes,
                &thumb,
            ))
            .await
            .expect("engine")
            .expect("event");
        expected.extend([BlobHash::of(&bytes), BlobHash::of(&thumb)]);
    }

    // The desktop comes back on the same folder: the day's messages and their photos arrive.
    let desktop = support::DesktopRig::start(
        &ddir,
        &NetworkMode::Loopback,
        Default::default(),
        Some(port),
    )
    .await;
    let store = desktop.node.photo_store(&phone.node.id()).expect("store");
    until_held(
        &store,
        &expected,
        "the day's photos did not reach the desktop after it reconnected",
    )
    .await;
    let on_disk = blobs_on_disk(
        &ddir
            .join("phones")
            .join(phone.node.id().to_string())
            .join("blobs"),
    );
    for hash in &expected {
        assert!(
            on_disk.contains(&hash.to_hex()),
            "{} not on disk",
            hash.to_hex()
        );
        assert_eq!(
            store.get(hash).expect("reads").map(|b| BlobHash::of(&b)),
            Some(*hash),
            "verified by hash"
        );
    }
    phone.kill().await;
    desktop.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blob_the_desktop_never_asked_for_is_never_pushed_to_it() {
    use iroh_blobs::protocol::{ChunkRangesSeq, PushRequest};
    use ringback_core::sync::node::PhotoPolicy;
    let (phone_dir, desktop_dir) = (
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    );
    let policy = PhotoPolicy {
        eager_full_bytes: 100_000,
        ..PhotoPolicy::default()
    };
    let (phone, desktop) = photo_pair(phone_dir.path(), desktop_dir.path(), policy).await;
    // The phone holds a blob no message names.
    let phone_blobs = BlobStore::beside(&phone_dir.path().join("phone.db")).expect("opens");
    let stray = photo(33_333);
    let stray_hash = phone_blobs.put(&stray).expect("kept");

    let (small, small_thumb) = (photo(60_000), photo(3_001));
    let (large, large_thumb) = (photo(700_000), photo(4_003));
    phone
        .engine
        .event(picture_message(&[
            (&small, &small_thumb),
            (&large, &large_thumb),
        ]))
        .await
        .expect("engine")
        .expect("event");
    let store = desktop.node.photo_store(&phone.node.id()).expect("store");
    let asked = [
        BlobHash::of(&small),
        BlobHash::of(&small_thumb),
        BlobHash::of(&large_thumb),
    ];
    until_held(&store, &asked, "the eager photos did not arrive").await;
    // Another prefetch pass (a commit) asks nothing more of the phone.
    phone.text_in(1).await;
    support::converge(
        &phone,
        &[desktop.replica(phone.node.id())],
        Duration::from_secs(20),
    )
    .await;
    let folder = desktop
        .dir
        .join("phones")
        .join(phone.node.id().to_string())
        .join("blobs");
    let only_asked: HashSet<String> = asked.iter().map(BlobHash::to_hex).collect();
    assert_eq!(blobs_on_disk(&folder), only_asked);

    // The phone (its own key) tries to push the stray blob over its blob link: refused.
    phone.kill().await;
    let key = net::load_or_create_key(&phone_dir.path().join("phone.key")).expect("key");
    let pusher = net::bind(
        &NetworkMode::Loopback,
        key,
        vec![blobs::ALPN.to_vec()],
        None,
    )
    .await
    .expect("binds");
    let conn = pusher
        .connect(desktop.node.addr(), blobs::ALPN)
        .await
        .expect("a paired phone's blob link is accepted");
    let staged = iroh_blobs::store::mem::MemStore::new();
    staged.add_bytes(stray.clone()).await.expect("staged");
    let pushed = staged
        .remote()
        .execute_push(
            conn.clone(),
            PushRequest::new(
                iroh_blobs::Hash::from_bytes(*stray_hash.as_bytes()),
                ChunkRangesSeq::root(),
            ),
        )
        .await;
    // The pusher may or may not hear the refusal before it finishes writing; what counts is
    // that nothing lands on the desktop.
    tracing::debug!(?pushed, "push attempt");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!store.has(&stray_hash), "a pushed blob was kept");
    assert_eq!(store.partial_len(&stray_hash), 0);
    // Nor does the desktop serve the phone anything its own replies do not name.
    let mine = BlobStore::in_memory();
    let err = blobs::fetch(&conn, &BlobHash::of(&small), &mine)
        .await
        .expect_err("refused");
    assert!(matches!(err, FetchError::NotServed(_)), "{err}");
    assert_eq!(blobs_on_disk(&folder), only_asked);
    assert!(!store.has(&BlobHash::of(&large)));
    desktop.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_access_reads_pairing_and_references_from_the_phones_store() {
    use ringback_core::sync::blobs::PhoneAccess;
    use ringback_core::sync::node::PhotoPolicy;
    let (phone_dir, desktop_dir) = (
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    );
    let (phone, desktop) =
        photo_pair(phone_dir.path(), desktop_dir.path(), PhotoPolicy::default()).await;
    let (bytes, thumb) = (photo(20_000), photo(1_500));
    phone
        .engine
        .event(picture_message(&[(&bytes, &thumb)]))
        .await
        .expect("engine")
        .expect("event");
    let access = PhoneAccess {
        engine: phone.engine.clone(),
    };
    let paired = desktop.node.id();
    let stranger = SecretKey::from_bytes(&[9; 32]).public();
    let (photo_hash, thumb_hash) = (BlobHash::of(&bytes), BlobHash::of(&thumb));
    let unnamed = BlobHash::of(b"bytes no message names");

    assert!(access.may_read(paired, photo_hash).await, "the photo");
    assert!(access.may_read(paired, thumb_hash).await, "its thumbnail");
    assert!(
        !access.may_read(paired, unnamed).await,
        "a blob no message names"
    );
    assert!(
        !access.may_read(stranger, photo_hash).await,
        "a peer never paired"
    );

    // Unpaired on the phone: the desktop reads nothing more.
    phone
        .node
        .unpair(&paired.to_string())
        .await
        .expect("unpaired");
    assert!(
        !access.may_read(paired, photo_hash).await,
        "an unpaired desktop"
    );

    // A stopped engine cannot answer, so it refuses.
    let engine = phone.engine.clone();
    phone.kill().await;
    let access = PhoneAccess { engine };
    assert!(
        !access.may_read(paired, thumb_hash).await,
        "a stopped engine"
    );
    desktop.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_megabyte_photo_crosses_a_relay_verified_by_hash() {
    // No direct path: the phone and the desktop reach each other only through a relay
    // (an in-process iroh-relay server), as a phone on mobile data and an office behind
    // NAT would; the photo still arrives whole, checked against its hash.
    use ringback_core::sync::net::PeerLink;
    use ringback_core::sync::node::PhotoPolicy;
    // Kept to the end of the test: the relay stops when it is dropped.
    let (_server, url) = support::loopback_relay().await;
    let mode = NetworkMode::RelayOnly(url);
    let (phone_dir, desktop_dir) = (
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    );
    // Thumbnails only come unasked: the full size crosses when the window asks.
    let policy = PhotoPolicy {
        eager_full_bytes: 0,
        ..PhotoPolicy::default()
    };
    let (phone, desktop) = photo_pair_on(&mode, phone_dir.path(), desktop_dir.path(), policy).await;

    let (big, thumb) = (photo(1024 * 1024), photo(5_003));
    phone
        .engine
        .event(picture_message(&[(&big, &thumb)]))
        .await
        .expect("engine")
        .expect("event");
    let store = desktop.node.photo_store(&phone.node.id()).expect("store");
    until_held(
        &store,
        &[BlobHash::of(&thumb)],
        "the thumbnail never crossed the relay",
    )
    .await;
    let hash = BlobHash::of(&big);
    let got = desktop
        .node
        .fetch_photo(&phone.node.id(), &hash)
        .await
        .expect("fetched through the relay");
    assert_eq!(BlobHash::of(&got), hash);
    assert_eq!(got.len(), 1024 * 1024);
    assert_eq!(store.get(&hash).expect("reads"), Some(big));
    let link = desktop
        .node
        .peers()
        .borrow()
        .values()
        .next()
        .expect("phone")
        .link
        .clone();
    assert!(
        matches!(link, PeerLink::Relay { .. }),
        "the test proves nothing over a direct path"
    );
    phone.kill().await;
    desktop.node.shutdown().await;
}
