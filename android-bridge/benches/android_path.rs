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
//! The outbound policy lets a phone send at most `outbound::MAX_PARTS_PER_WINDOW` parts in
//! 30 minutes (Android asks the owner past that), so the full path runs on a fresh bridge
//! (its own store) for every `PER_BRIDGE` calls; starting and stopping it is not timed.
//!
//! `cargo bench -p ringback-bridge --bench android_path` (a JDK is needed; about 20 s).

#[allow(dead_code)]
#[path = "../tests/jvm/world.rs"]
mod world;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ringback_bridge::api::{Bridge, BridgeConfig, PhoneState};
use ringback_bridge::platform::android::AndroidPlatform;
use ringback_core::Line;
use ringback_core::ports::{CallLog, SendRequest, Telephony};
use ringback_core::store::MessageId;

const ROUNDS: usize = 400;
/// Calls per bridge: a text-back each and the floor's sends, which the SMS provider shows like
/// any other, well under the policy's default window of 25 parts.
const PER_BRIDGE: usize = 5;
const GOAL: Duration = Duration::from_secs(1);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A bridge on its own store (the folder lives as long as it does).
fn start(platform: &Arc<AndroidPlatform>) -> (Arc<Bridge>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let bridge = Bridge::start_on(
        BridgeConfig {
            data_dir: dir.path().display().to_string(),
            device_name: "bench".into(),
            network: Some("loopback".into()),
            settings_json: Some(r#"{"business_name": "Acme Plumbing", "region": "US"}"#.into()),
        },
        platform.clone(),
    )
    .expect("bridge");
    (bridge, dir)
}

fn stop(bridge: &Arc<Bridge>) {
    bridge.runtime().block_on(bridge.stop());
}

fn main() {
    let mut world = world::world();
    let platform = world::platform();
    let mut full = Vec::with_capacity(ROUNDS);
    let mut floor = Vec::with_capacity(ROUNDS);
    let mut id = 0i64;
    let mut bridge = None;
    let mut sent = 0;
    for round in 0..ROUNDS {
        if round % PER_BRIDGE == 0 {
            if let Some((old, _dir)) = bridge.take() {
                stop(&old);
                sent += world::sends().len();
            }
            // A fresh world too: a new bridge would take the last batch's calls, still
            // inside the late window, as calls missed while it was not running.
            drop(world);
            world = world::world();
            world::add_subscription(2, 1, "Acme line", None);
            bridge = Some(start(&platform));
        }
        let Some((bridge, _)) = &bridge else {
            unreachable!("started above")
        };
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
                body: "Hey, this is Acme Plumbing, sorry we missed your call! What can we help you with?".into(),
            })
            .expect("send");
        floor.push(started.elapsed());
    }
    if let Some((last, _dir)) = bridge.take() {
        stop(&last);
        sent += world::sends().len();
    }
    drop(world);
    assert_eq!(sent, 2 * ROUNDS, "every full round texted back once");

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
