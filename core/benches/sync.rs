//! Sync benchmarks for the budgets in DESIGN.md, each with its limit measured in the same
//! run on the same machine, and the ratio printed:
//!
//! - catch-up of 100,000 ops to a fresh desktop over loopback iroh, against the same
//!   bytes sent over a raw iroh stream;
//! - live latency from an inbound text on the phone to the op applied on the desktop,
//!   against one frame of the same size over a raw iroh stream;
//! - a photo: from the phone's picture message (the MMS provider row, `MmsReceived`) to
//!   its thumbnail in the desktop's blob folder, against a raw `blobs::fetch` of the same
//!   thumbnail bytes between two fresh loopback endpoints.
//!
//! `cargo bench -p ringback-core --bench sync` (release; about a minute). The phone's
//! memory with 100,000 ops is measured on the real phone process:
//! `cargo bench -p ringback-bridge --bench phone_memory`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use ringback_core::engine::service::{self, EngineHandle};
use ringback_core::oplog::version::VersionVector;
use ringback_core::ports::memory::{MemoryCallLog, MemoryContacts, MemoryTelephony, SystemClock};
use ringback_core::sync::frame;
use ringback_core::sync::net::{self, NetworkMode};
use ringback_core::sync::node::{self, DesktopNode, PhoneNode};
use ringback_core::sync::session::{Message, Replica};
use ringback_core::{Engine, InboundSms, Line, PlatformEvent, Ports, Settings, Store};
use serde_json::json;
use tokio::io::AsyncWriteExt;

const OPS: usize = 100_000;
const LATENCY_SAMPLES: usize = 2_000;
const RAW_ALPN: &[u8] = b"ringback/bench-raw";

fn alpns() -> Vec<Vec<u8>> {
    let mut alpns = node::alpns();
    alpns.push(RAW_ALPN.to_vec());
    alpns
}

fn settings() -> Settings {
    Settings::from_value(&json!({"business_name": "Acme Plumbing"})).expect("settings")
}

async fn phone(dir: &Path) -> (EngineHandle, PhoneNode) {
    let store = Store::open(&dir.join("phone.db")).expect("store");
    let ports = Ports {
        telephony: MemoryTelephony::new(),
        call_log: MemoryCallLog::new(),
        contacts: MemoryContacts::new(),
        clock: Arc::new(SystemClock),
    };
    let mut engine = Engine::open(store, ports, &settings()).expect("engine");
    // Photos on disk beside the store, as the phone runtime keeps them (the blob link of a
    // session serves the store the engine has when the session starts).
    engine.set_blobs(
        ringback_core::blobs::BlobStore::beside(&dir.join("phone.db")).expect("blob store"),
    );
    let (engine, _task) = service::spawn(engine);
    let key = net::load_or_create_key(&dir.join("phone.key")).expect("key");
    let ep = net::bind(&NetworkMode::Loopback, key, alpns(), None)
        .await
        .expect("bind");
    let node = PhoneNode::start(ep, engine.clone(), "phone")
        .await
        .expect("node");
    (engine, node)
}

async fn desktop(dir: &Path) -> DesktopNode {
    std::fs::create_dir_all(dir).expect("mkdir");
    let key = net::load_or_create_key(&dir.join("desktop.key")).expect("key");
    let ep = net::bind(&NetworkMode::Loopback, key, alpns(), None)
        .await
        .expect("bind");
    DesktopNode::start(ep, dir, "desk").await.expect("desktop")
}

/// Pairs the phone with `desk` as a person would: a new code, and Accept pressed once the
/// phone waits for it.
async fn pair(desk: &DesktopNode, phone: &PhoneNode) {
    let id = phone.id();
    let mut requests = desk.pairing_requests();
    let ticket = desk.ticket();
    let paired = phone.pair(&ticket);
    tokio::pin!(paired);
    tokio::select! {
        result = &mut paired => {
            result.expect("pair");
            return;
        }
        listed = requests.wait_for(|l| l.iter().any(|r| r.endpoint == id)) => {
            listed.expect("the desktop runs");
        }
    }
    desk.accept_pairing(&id).expect("accept");
    paired.await.expect("pair");
}

async fn text_in(engine: &EngineHandle, i: usize) {
    engine
        .event(PlatformEvent::SmsReceived(InboundSms {
            source_id: Some(format!("sms-{i}")),
            from: format!("+1212555{:04}", i % 5000),
            body: format!("Hi, this is message {i}: can you come by today? The sink is leaking."),
            line: Line::default(),
            at: Timestamp::now(),
        }))
        .await
        .expect("engine")
        .expect("event");
}

/// A phone folder holding 100,000 ops, built once through the real engine and kept in the
/// target directory (building it takes about half a minute).
async fn prepared_phone(to: &Path) {
    let cache = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new("../target").to_path_buf(), Into::into)
        .join("ringback-bench-sync-100k-v4");
    if !cache.join("done").exists() {
        let _ = std::fs::remove_dir_all(&cache);
        std::fs::create_dir_all(&cache).expect("cache dir");
        print!("preparing {OPS} ops on the phone (once)… ");
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let t = Instant::now();
        let (engine, node) = phone(&cache).await;
        let mut i = 0;
        while engine
            .with(|e| e.store().op_count().expect("count"))
            .await
            .expect("engine")
            < OPS as u64
        {
            for _ in 0..1000 {
                text_in(&engine, i).await;
                i += 1;
            }
        }
        engine
            .with(|e| {
                e.store()
                    .connection()
                    .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                    .expect("checkpoint")
            })
            .await
            .expect("engine");
        node.shutdown().await;
        drop(engine);
        tokio::time::sleep(Duration::from_millis(200)).await;
        std::fs::write(cache.join("done"), b"").expect("mark");
        println!("{:?}", t.elapsed());
    }
    std::fs::create_dir_all(to).expect("mkdir");
    for name in ["phone.db", "phone.key"] {
        std::fs::copy(cache.join(name), to.join(name)).expect("copy the prepared phone");
    }
}

/// Every op the phone holds, as the frames of 256 a catch-up sends.
fn frames(store: &Store) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut held = VersionVector::new();
    loop {
        let ops = store.ops_after(&held, 256).expect("ops");
        if ops.is_empty() {
            return out;
        }
        for op in &ops {
            held.observe(&op.origin, op.seq);
        }
        out.push(frame::encode(&Message::Ops { ops }).expect("frame"));
    }
}

/// The sizes of the frames a full catch-up puts on the wire.
async fn catch_up_frames(engine: &EngineHandle) -> Vec<usize> {
    engine
        .with(|e| frames(e.store()).iter().map(Vec::len).collect())
        .await
        .expect("engine")
}

/// Decodes and applies every op on a fresh desktop store, as a session would, without
/// the network.
async fn apply_all(engine: &EngineHandle, path: &Path) -> Duration {
    let frames: Vec<Vec<u8>> = engine.with(|e| frames(e.store())).await.expect("engine");
    let phone_origin = engine
        .with(|e| e.store().origin().to_string())
        .await
        .expect("engine");
    let mut store = Store::open(path).expect("store");
    store.set_phone_origin(&phone_origin).expect("origin");
    let started = Instant::now();
    let mut decoder = frame::FrameDecoder::new();
    for f in &frames {
        decoder.push(f);
        while let Some(Message::Ops { ops }) = decoder.next_message::<Message>().expect("frame") {
            store
                .apply_remote(
                    &ops,
                    ringback_core::store::Source {
                        origin: &phone_origin,
                        role: ringback_core::oplog::op::Role::Phone,
                    },
                    Timestamp::now(),
                )
                .expect("apply");
        }
    }
    store.index_pending().expect("index");
    started.elapsed()
}

/// A fresh loopback endpoint with a new key: one end of the raw-stream limits.
async fn raw_endpoint() -> iroh::Endpoint {
    net::bind(
        &NetworkMode::Loopback,
        iroh::SecretKey::generate(),
        alpns(),
        None,
    )
    .await
    .expect("bind")
}

/// Sends frames of these sizes over a raw iroh stream between two fresh loopback
/// endpoints; returns the time from the first byte written to the last byte read.
async fn raw_stream(sizes: &[usize]) -> Duration {
    let (a, b) = (raw_endpoint().await, raw_endpoint().await);
    let total: usize = sizes.iter().sum();
    let addr = b.addr();
    let reader = tokio::spawn(async move {
        let conn = b.accept().await.expect("incoming").await.expect("conn");
        let (_send, mut recv) = conn.accept_bi().await.expect("bi");
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = 0;
        while got < total {
            match recv.read(&mut buf).await.expect("read") {
                Some(n) => got += n,
                None => break,
            }
        }
        (Instant::now(), b, conn)
    });
    let conn = a.connect(addr, RAW_ALPN).await.expect("connect");
    let (mut send, _recv) = conn.open_bi().await.expect("bi");
    let payload = vec![b'x'; sizes.iter().copied().max().unwrap_or(0)];
    let started = Instant::now();
    for &n in sizes {
        send.write_all(&payload[..n]).await.expect("write");
    }
    send.flush().await.expect("flush");
    let (done, _b, _conn) = reader.await.expect("reader");
    done - started
}

/// One-way latency of single frames of `size` bytes over a raw iroh stream.
async fn raw_latency(size: usize, samples: usize) -> Vec<Duration> {
    let (a, b) = (raw_endpoint().await, raw_endpoint().await);
    let addr = b.addr();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let reader = tokio::spawn(async move {
        let conn = b.accept().await.expect("incoming").await.expect("conn");
        let (_send, mut recv) = conn.accept_bi().await.expect("bi");
        let mut buf = vec![0u8; size];
        for _ in 0..samples {
            recv.read_exact(&mut buf).await.expect("read");
            let _ = tx.send(Instant::now());
        }
        (b, conn)
    });
    let conn = a.connect(addr, RAW_ALPN).await.expect("connect");
    let (mut send, _recv) = conn.open_bi().await.expect("bi");
    let payload = vec![b'x'; size];
    let mut out = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t0 = Instant::now();
        send.write_all(&payload).await.expect("write");
        let t1 = rx.recv().await.expect("read");
        out.push(t1 - t0);
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    let _ = reader.await;
    out
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or_default()
}

async fn run() {
    let dir = tempfile::tempdir().expect("dir");
    let pdir = dir.path().join("phone");
    prepared_phone(&pdir).await;
    let (engine, phone_node) = phone(&pdir).await;
    let held = engine
        .with(|e| e.store().version_vector().clone())
        .await
        .expect("engine");
    let ops = engine
        .with(|e| e.store().op_count().expect("count"))
        .await
        .expect("engine");
    let t = Instant::now();
    let sizes = catch_up_frames(&engine).await;
    let read_encode = t.elapsed();
    let bytes: usize = sizes.iter().sum();
    let apply_only = apply_all(&engine, &dir.path().join("apply-only.db")).await;
    println!(
        "where the time goes: reading and encoding every frame on the phone {read_encode:?}; decoding and applying them all on a desktop store, no network {apply_only:?}"
    );

    // Catch-up: a fresh desktop each round.
    let mut ours = Vec::new();
    let mut raw = Vec::new();
    for round in 0..3 {
        let desk = desktop(&dir.path().join(format!("desk-{round}"))).await;
        pair(&desk, &phone_node).await;
        let started = Instant::now();
        let replica = desk.phone(&phone_node.id()).expect("replica");
        let mut committed = replica.committed();
        // Done when every op is applied and every message is searchable.
        loop {
            let done = replica.with(|s| {
                s.version_vector().get(&held_origin(&held)) >= max_seq(&held)
                    && !s
                        .connection()
                        .prepare_cached("SELECT 1 FROM fts_pending LIMIT 1")
                        .and_then(|mut q| q.exists([]))
                        .expect("pending")
            });
            if done {
                break;
            }
            let _ = tokio::time::timeout(Duration::from_millis(5), committed.changed()).await;
        }
        ours.push(started.elapsed());
        phone_node
            .unpair(&desk.id().to_string())
            .await
            .expect("unpair");
        desk.shutdown().await;
        raw.push(raw_stream(&sizes).await);
    }
    ours.sort();
    raw.sort();
    let (o, r) = (ours[1], raw[1]);
    println!(
        "\n== Ringback sync budgets (limits measured in this run)\ncatch-up of {ops} ops ({:.1} MB in {} frames) to a fresh desktop: {o:?} (runs {ours:?}); the same bytes over a raw iroh stream {r:?}; ratio {:.1}x; goal < 2 s: {}",
        bytes as f64 / 1e6,
        sizes.len(),
        o.as_secs_f64() / r.as_secs_f64(),
        if o < Duration::from_secs(2) {
            "met"
        } else {
            "MISSED"
        }
    );

    // Live latency: one text at a time, from the phone's event to the desktop's commit.
    let desk = desktop(&dir.path().join("desk-live")).await;
    pair(&desk, &phone_node).await;
    let replica = desk.phone(&phone_node.id()).expect("replica");
    let target = held.clone();
    loop {
        if replica.with(|s| s.version_vector().get(&held_origin(&target)) >= max_seq(&target)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut committed = replica.committed();
    let mut latency = Vec::with_capacity(LATENCY_SAMPLES);
    let mut frame_size = 0;
    for k in 0..LATENCY_SAMPLES {
        committed.borrow_and_update();
        let t0 = Instant::now();
        text_in(&engine, OPS + k).await;
        committed.changed().await.expect("desktop");
        latency.push(t0.elapsed());
        if k == 0 {
            frame_size = catch_last_frame_size(&engine).await;
        }
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    let mut raw_lat = raw_latency(frame_size, LATENCY_SAMPLES).await;
    let (p50, p99) = (
        percentile(&mut latency, 0.5),
        percentile(&mut latency, 0.99),
    );
    let (r50, r99) = (
        percentile(&mut raw_lat, 0.5),
        percentile(&mut raw_lat, 0.99),
    );
    println!(
        "inbound text on the phone -> op applied on the desktop: p50 {p50:?}, p99 {p99:?} (n={LATENCY_SAMPLES}); one {frame_size}-byte frame over a raw iroh stream p50 {r50:?}, p99 {r99:?}; p99 ratio {:.1}x; goal p99 < 50 ms: {}",
        p99.as_secs_f64() / r99.as_secs_f64().max(1e-9),
        if p99 < Duration::from_millis(50) {
            "met"
        } else {
            "MISSED"
        }
    );

    photo_latency(&engine, &desk, &phone_node).await;
    desk.shutdown().await;
    phone_node.shutdown().await;
}

const PHOTO_SAMPLES: usize = 100;
const PHOTO_BYTES: usize = 250_000;
const THUMB_BYTES: usize = 12_000;

/// Bytes that no two samples share (so each is a new blob).
fn sample_bytes(len: usize, k: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + k * 7919) % 251) as u8 ^ (k as u8))
        .collect()
}

/// A picture message as the phone reads it from the MMS provider: a photo and its thumbnail.
fn picture(k: usize, photo: &[u8], thumb: &[u8]) -> PlatformEvent {
    PlatformEvent::MmsReceived(ringback_core::engine::InboundMms {
        source_id: format!("mms-bench-{k}"),
        from: format!("+1212555{:04}", k % 5000),
        others: Vec::new(),
        text: "the leak under the sink".into(),
        attachments: vec![ringback_core::NewAttachment {
            content_type: "image/jpeg".into(),
            name: None,
            data: ringback_core::attachment::AttachmentData::Bytes(photo.to_vec()),
            thumbnail: Some(thumb.to_vec()),
        }],
        line: Line::default(),
        at: Timestamp::now(),
        downloaded: true,
    })
}

/// Lets every peer read every blob: the raw transfer's server.
struct AllowAll;

impl ringback_core::sync::blobs::BlobAccess for AllowAll {
    async fn may_read(&self, _: iroh::EndpointId, _: ringback_core::BlobHash) -> bool {
        true
    }
}

/// Phone's picture message -> thumbnail held in the desktop's blob folder, against a raw
/// `blobs::fetch` of the same thumbnail bytes over loopback.
async fn photo_latency(engine: &EngineHandle, desk: &DesktopNode, phone: &PhoneNode) {
    use ringback_core::BlobHash;
    use ringback_core::blobs::BlobStore;
    use ringback_core::sync::blobs;
    use ringback_core::sync::node::PhotoPolicy;
    // Thumbnails only: the full size would otherwise share the link with the thumbnail.
    desk.set_photo_policy(PhotoPolicy {
        eager_full_bytes: 0,
        ..PhotoPolicy::default()
    });
    let store = desk.photo_store(&phone.id()).expect("desktop blob folder");
    let mut thumbs = Vec::with_capacity(PHOTO_SAMPLES);
    let mut ours = Vec::with_capacity(PHOTO_SAMPLES);
    for k in 0..PHOTO_SAMPLES {
        let (photo, thumb) = (
            sample_bytes(PHOTO_BYTES, k),
            sample_bytes(THUMB_BYTES, k + 100_000),
        );
        let hash = BlobHash::of(&thumb);
        let t0 = Instant::now();
        engine
            .event(picture(k, &photo, &thumb))
            .await
            .expect("engine")
            .expect("event");
        let deadline = t0 + Duration::from_secs(60);
        while !store.has(&hash) {
            assert!(
                Instant::now() < deadline,
                "the thumbnail never reached the desktop"
            );
            tokio::time::sleep(Duration::from_micros(250)).await;
        }
        ours.push(t0.elapsed());
        thumbs.push(thumb);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }

    // The limit: the same thumbnails fetched by hash over a raw blob link, nothing else.
    let (a, b) = (raw_endpoint().await, raw_endpoint().await);
    let served = BlobStore::in_memory();
    for thumb in &thumbs {
        served.put(thumb).expect("kept");
    }
    let addr = b.addr();
    let accept = async { b.accept().await.expect("incoming").await.expect("conn") };
    let (dial, at_b) = tokio::join!(a.connect(addr, blobs::ALPN), accept);
    let dial = dial.expect("connect");
    let _server = tokio::spawn(blobs::serve(dial, served, Arc::new(AllowAll)));
    let fetched = BlobStore::in_memory();
    let mut raw = Vec::with_capacity(PHOTO_SAMPLES);
    for thumb in &thumbs {
        let t0 = Instant::now();
        blobs::fetch(&at_b, &BlobHash::of(thumb), &fetched)
            .await
            .expect("raw fetch");
        raw.push(t0.elapsed());
    }
    let (p50, p99) = (percentile(&mut ours, 0.5), percentile(&mut ours, 0.99));
    let (r50, r99) = (percentile(&mut raw, 0.5), percentile(&mut raw, 0.99));
    println!(
        "picture message on the phone (provider row) -> its {THUMB_BYTES}-byte thumbnail in the desktop's blob folder: p50 {p50:?}, p99 {p99:?} (n={PHOTO_SAMPLES}, photo {PHOTO_BYTES} bytes); raw blobs::fetch of the same bytes p50 {r50:?}, p99 {r99:?}; p50 ratio {:.1}x",
        p50.as_secs_f64() / r50.as_secs_f64().max(1e-9),
    );
}

fn held_origin(v: &VersionVector) -> String {
    v.iter()
        .next()
        .map(|(o, _)| o.to_string())
        .unwrap_or_default()
}

fn max_seq(v: &VersionVector) -> u64 {
    v.iter().next().map(|(_, s)| s).unwrap_or(0)
}

/// The frame the last op makes alone (what a live text puts on the wire).
async fn catch_last_frame_size(engine: &EngineHandle) -> usize {
    engine
        .with(|e| {
            let held = e.store().version_vector().clone();
            let (origin, seq) = held
                .iter()
                .map(|(o, s)| (o.to_string(), s))
                .next()
                .unwrap_or_default();
            let mut before = VersionVector::new();
            before.observe(&origin, seq.saturating_sub(1));
            let ops = e.store().ops_after(&before, 1).expect("ops");
            frame::encode(&Message::Ops { ops }).expect("frame").len()
        })
        .await
        .expect("engine")
}

fn main() {
    // `cargo test --benches` runs benches with `--test`-like flags; do nothing then.
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}
