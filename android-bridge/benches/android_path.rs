//! Ended call → text handed to `SmsManager`, through the Android platform on a host JVM
//! (goal: under 1 s including the call-log read), against its floor measured in the same
//! run: the same JNI work alone (the call-log query and `sendMultipartTextMessage`, with its
//! PendingIntents) without the engine, the store or the runtime.
//!
//! Each full iteration adds a missed call to the call log double, hands the runtime the
//! phone-state broadcast (idle), and is done when the bridge returns: by then the call is
//! read through `ContentResolver`, decided, stored, and the text-back sent through
//! `SmsManager`. The floor iterations are interleaved with the full ones, so both see the
//! same (growing) call log.
//!
//! `cargo bench -p ringback-bridge --bench android_path` (a JDK is needed; about 20 s).

#[allow(dead_code)]
#[path = "../tests/jvm/world.rs"]
mod world;

use std::time::{Duration, Instant};

use ringback_bridge::api::{Bridge, BridgeConfig, PhoneState};
use ringback_core::Line;
use ringback_core::ports::{CallLog, SendRequest, Telephony};
use ringback_core::store::MessageId;

const ROUNDS: usize = 400;
const GOAL: Duration = Duration::from_secs(1);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let _world = world::world();
    let platform = world::platform();
    world::add_subscription(2, 1, "Acme line", None);
    let dir = tempfile::tempdir().expect("dir");
    let bridge = Bridge::start_on(
        BridgeConfig {
            data_dir: dir.path().display().to_string(),
            device_name: "bench".into(),
            network: Some("loopback".into()),
            settings_json: Some(
                r#"{"business_name": "Acme Plumbing", "region": "US", "limits": {"max_per_30_minutes": 1000}}"#
                    .into(),
            ),
        },
        platform.clone(),
    )
    .expect("bridge");

    let mut full = Vec::with_capacity(ROUNDS);
    let mut floor = Vec::with_capacity(ROUNDS);
    let mut id = 0i64;
    for round in 0..ROUNDS {
        // The engine's path: a new caller each time (no cooldown applies).
        id += 1;
        let now = jiff::Timestamp::now().as_millisecond();
        let number = format!("+1212555{:04}", round);
        world::add_call(id, Some(&number), 3, now, 0, Some("2"));
        let started = Instant::now();
        bridge.on_phone_state(PhoneState::Idle, None);
        full.push(started.elapsed());

        // The floor: the same framework calls, straight.
        id += 1;
        world::add_call(id, Some(&number), 3, now, 0, Some("2"));
        let started = Instant::now();
        let calls = platform.entries_since(Some(id - 1)).expect("read");
        assert_eq!(calls.len(), 1);
        platform
            .send(&SendRequest {
                message_id: MessageId(1_000_000 + id),
                line: Line("2".into()),
                to: number.clone(),
                body: "Hey, this is Acme Plumbing — sorry we missed your call! What can we help you with?".into(),
            })
            .expect("send");
        floor.push(started.elapsed());
    }
    let sent = world::sends().len();
    assert_eq!(sent, 2 * ROUNDS, "every full round texted back once");
    bridge.runtime().block_on(bridge.stop());

    full.sort();
    floor.sort();
    let (p50, p99) = (percentile(&full, 0.5), percentile(&full, 0.99));
    let (f50, f99) = (percentile(&floor, 0.5), percentile(&floor, 0.99));
    println!("ended call → SmsManager through jni on a host JVM, {ROUNDS} calls");
    println!("  full path     p50 {p50:?}  p99 {p99:?}");
    println!(
        "  JNI floor     p50 {f50:?}  p99 {f99:?}  (call-log query + multipart send, no engine)"
    );
    println!(
        "  ratio to floor (p50) {:.1}×; p99 against the 1 s goal: {:.4} of it",
        p50.as_secs_f64() / f50.as_secs_f64(),
        p99.as_secs_f64() / GOAL.as_secs_f64()
    );
}
