//! The assistant's cost on the phone, each against the least work the same step needs,
//! measured in the same run:
//!
//! - an inbound text with the assistant on (store, guardrails, free slots among 200
//!   booked appointments, the prompt) against the same text with the assistant off;
//! - the model's answer validated, recorded (lead card) and its text handed to the
//!   platform, against the same text sent as a person's reply.
//!
//! `cargo bench -p ringback-core --bench assistant` (the summary at the end gives p50,
//! p99 and the ratios).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};

mod samples;
use jiff::SignedDuration;
use ringback_core::assistant::Slot;
use ringback_core::engine::{Engine, InboundSms, PlatformEvent, ReplyRequest};
use ringback_core::ports::Clock;
use ringback_core::ports::Ports;
use ringback_core::ports::memory::{ManualClock, MemoryCallLog, MemoryContacts, MemoryTelephony};
use ringback_core::{Line, Settings, Store};
use samples::{record, stats};
use serde_json::json;

struct Phone {
    clock: Arc<ManualClock>,
    engine: Engine,
}

/// Monday 2026-11-02 19:00 in New York, 200 appointments booked over the next weeks.
fn phone(path: &Path, mode: &str) -> Phone {
    let clock = ManualClock::new("2026-11-03T00:00:00Z".parse().expect("t"));
    let ports = Ports {
        telephony: MemoryTelephony::new(),
        call_log: MemoryCallLog::new(),
        contacts: MemoryContacts::new(),
        clock: clock.clone(),
    };
    let settings = Settings::from_value(&json!({
        "business_name": "Acme Plumbing",
        "assistant": {"mode": mode, "base_url": "http://127.0.0.1:9/v1", "model": "m",
            "services": ["leak repair", "boiler service", "drain unblocking"],
            "service_area": ["10001", "10002", "10003"], "price_notes": ["call-out fee $89"],
            "max_texts_per_day": 50},
        "limits": {"max_per_30_minutes": 30}
    }))
    .expect("settings");
    let mut engine =
        Engine::open(Store::open(path).expect("store"), ports, &settings).expect("engine");
    let now = clock.now();
    engine
        .store_mut()
        .write(now, "seed", |tx| {
            let conversation = tx.touch_conversation(&Line::default(), "+12125559999", now)?;
            for k in 0..200i64 {
                // Every other weekday hour for the coming weeks.
                let start = now
                    .checked_add(SignedDuration::from_hours(13 + k * 2))
                    .expect("t");
                let slot = Slot {
                    start,
                    end: start.checked_add(SignedDuration::from_hours(1)).expect("t"),
                };
                tx.book_appointment(conversation, &slot, "seeded", now)?;
            }
            Ok(())
        })
        .expect("seed");
    Phone { clock, engine }
}

fn inbound(p: &Phone, i: u64) -> PlatformEvent {
    PlatformEvent::SmsReceived(InboundSms {
        source_id: Some(format!("in-{i}")),
        from: format!("+1212{:07}", 5_000_000 + i % 4_000),
        body: "Hi, the pipe under my kitchen sink is leaking. Can someone come tomorrow? 10001"
            .into(),
        line: Line::default(),
        at: p.clock.now(),
    })
}

fn inbound_text(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let mut on = phone(&dir.path().join("on.db"), "auto");
    let mut off = phone(&dir.path().join("off.db"), "off");
    let mut group = c.benchmark_group("inbound_text");
    for (name, key, p) in [
        ("assistant_on", "inbound/ringback", &mut on),
        ("assistant_off", "inbound/floor", &mut off),
    ] {
        let mut i = 0u64;
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    i += 1;
                    p.clock.advance(SignedDuration::from_secs(3));
                    let event = inbound(p, i);
                    let t = Instant::now();
                    p.engine.handle(event).expect("handle");
                    let d = t.elapsed();
                    let _ = p.engine.take_assistant_jobs();
                    record(key, d);
                    total += d;
                }
                total
            })
        });
    }
    group.finish();
}

/// How far the clock moves between two texts handed over: under the most the volume limit
/// allows (30 parts in 30 minutes), so each text leaves rather than joining a held queue
/// that grows with every iteration (which measured the queue, not the hand-over).
const HANDED_OVER_EVERY: SignedDuration = SignedDuration::from_secs(61);

fn answer(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let mut p = phone(&dir.path().join("answer.db"), "auto");
    let mut group = c.benchmark_group("answer");
    let mut i = 0u64;
    group.bench_function("validated_recorded_sent", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                i += 1;
                p.clock.advance(HANDED_OVER_EVERY);
                let event = inbound(&p, i);
                p.engine.handle(event).expect("handle");
                let job = p.engine.take_assistant_jobs().pop().expect("job");
                let content = json!({"reply": "Sorry to hear that! Our call-out fee is $89. What's the address?",
                    "problem": "Leaking pipe", "postcode": "10001", "urgency": "today",
                    "preferred_time": "tomorrow"})
                .to_string();
                let t = Instant::now();
                p.engine
                    .assistant_answered(job.id, job.conversation, Ok(content))
                    .expect("answered");
                let d = t.elapsed();
                record("answer/ringback", d);
                total += d;
            }
            total
        })
    });
    // The floor: the same text to the same kind of caller as a person's reply, written and
    // handed to the platform by the engine without the assistant.
    let mut floor = phone(&dir.path().join("floor.db"), "off");
    let mut j = 0u64;
    group.bench_function("plain_reply_sent", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                j += 1;
                floor.clock.advance(HANDED_OVER_EVERY);
                let event = inbound(&floor, j);
                floor.engine.handle(event).expect("handle");
                let request = ReplyRequest {
                    request_id: Some(format!("r-{j}")),
                    to: format!("+1212{:07}", 5_000_000 + j % 4_000),
                    body: "Sorry to hear that! Our call-out fee is $89. What's the address?".into(),
                };
                let t = Instant::now();
                floor.engine.reply(request).expect("reply");
                let d = t.elapsed();
                record("answer/floor", d);
                total += d;
            }
            total
        })
    });
    group.finish();
}

fn summary() {
    println!("\n== The assistant on the phone (floors measured in this run)");
    for (key, label, floor) in [
        (
            "inbound",
            "inbound text with the assistant on (prompt, slots, guardrails)",
            "the same text, assistant off",
        ),
        (
            "answer",
            "answer validated, recorded and handed to the platform",
            "the same text sent as a person's reply",
        ),
    ] {
        let (m, p99, n) = stats(&format!("{key}/ringback"));
        let (fm, fp99, _) = stats(&format!("{key}/floor"));
        if n == 0 {
            continue;
        }
        println!(
            "{label}: p50 {m:?}, p99 {p99:?} (n={n}); {floor}: p50 {fm:?}, p99 {fp99:?}; ratio p50 {:.1}x; p99 against the 1 ms decision budget: {:.2}",
            m.as_secs_f64() / fm.as_secs_f64().max(1e-9),
            p99.as_secs_f64() / 0.001,
        );
    }
}

criterion_group!(benches, inbound_text, answer);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
