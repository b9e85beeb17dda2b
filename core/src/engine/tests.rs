use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::*;
use crate::call::CallOutcome;
use crate::call::{CallDecision, SkipReason};
use crate::call::{EndedCall, Line};
use crate::message::Failure;
use crate::message::{Direction, MessageKind, MessageStatus};
use crate::oplog::op::Change;
use crate::outbound::HoldReason;
use crate::phone::PhoneNumber;
use crate::ports::Clock;
use crate::ports::memory::{ManualClock, MemoryCallLog, MemoryContacts, MemoryTelephony};
use crate::ports::{PortError, SendError};
use crate::settings::Settings;
use crate::store::{Store, StoreError};

struct Phone {
    clock: Arc<ManualClock>,
    telephony: Arc<MemoryTelephony>,
    call_log: Arc<MemoryCallLog>,
    contacts: Arc<MemoryContacts>,
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

// Monday 2026-11-02 10:00 in New York.
const T0: &str = "2026-11-02T15:00:00Z";

impl Phone {
    fn new() -> Phone {
        Phone {
            clock: ManualClock::new(ts(T0)),
            telephony: MemoryTelephony::new(),
            call_log: MemoryCallLog::new(),
            contacts: MemoryContacts::new(),
        }
    }

    fn ports(&self) -> Ports {
        Ports {
            telephony: self.telephony.clone(),
            call_log: self.call_log.clone(),
            contacts: self.contacts.clone(),
            clock: self.clock.clone(),
        }
    }

    fn engine(&self, store: Store, patch: serde_json::Value) -> Engine {
        let settings = Settings {
            business_name: "Acme Plumbing".into(),
            ..Settings::default()
        }
        .patched(&patch)
        .expect("patch");
        Engine::open(store, self.ports(), &settings).expect("engine")
    }

    fn call(&self, number: &str, outcome: CallOutcome) -> i64 {
        self.call_log.push(EndedCall {
            log_id: 0,
            number: number.into(),
            outcome,
            line: Line("sim1".into()),
            ended_at: self.clock.now(),
        })
    }
}

/// A text from `number`, so the business has heard from it (a person's reply goes only to
/// such a number).
fn text_in(engine: &mut Engine, phone: &Phone, number: &str, body: &str) -> Vec<Outcome> {
    engine
        .handle(PlatformEvent::SmsReceived(InboundSms {
            source_id: None,
            from: number.into(),
            body: body.into(),
            line: Line("sim1".into()),
            at: phone.clock.now(),
        }))
        .expect("inbound")
}

fn sent_kinds(outcomes: &[Outcome]) -> Vec<MessageKind> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Sent { kind, .. } => Some(*kind),
            _ => None,
        })
        .collect()
}

#[test]
fn missed_call_is_texted_back_once_from_the_call_log() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    phone.call("(212) 555-0123", CallOutcome::Missed);
    let out = engine
        .handle(PlatformEvent::CallLogChanged)
        .expect("handle");
    assert_eq!(sent_kinds(&out), vec![MessageKind::TextBack]);
    let sent = phone.telephony.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "+12125550123");
    assert_eq!(sent[0].line, Line("sim1".into()));
    assert!(sent[0].body.contains("Acme Plumbing"), "{}", sent[0].body);
    // The broadcast arrives twice and the observer fires too: the log decides, once.
    engine.handle(PlatformEvent::CallLogChanged).expect("again");
    engine.handle(PlatformEvent::CallLogChanged).expect("again");
    assert_eq!(phone.telephony.sent().len(), 1);
    assert_eq!(engine.store().reader().call_count().expect("count"), 1);
}

/// Contacts that, when asked, try to take the store's write lock through a second
/// connection: a lookup made inside the engine's write transaction finds it held.
struct LockProbe {
    path: std::path::PathBuf,
    names: Arc<MemoryContacts>,
    inside_a_write: std::sync::Mutex<Vec<String>>,
}

impl crate::ports::Contacts for LockProbe {
    fn lookup(&self, number: &PhoneNumber) -> Result<Option<String>, PortError> {
        let conn = rusqlite::Connection::open(&self.path).expect("a second connection");
        conn.busy_timeout(std::time::Duration::ZERO)
            .expect("timeout");
        if conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;").is_err() {
            self.inside_a_write
                .lock()
                .expect("probe")
                .push(number.as_str().to_owned());
        }
        self.names.lookup(number)
    }
}

#[test]
fn contacts_are_looked_up_outside_the_store_transaction() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("phone.db");
    let phone = Phone::new();
    let probe = Arc::new(LockProbe {
        path: path.clone(),
        names: phone.contacts.clone(),
        inside_a_write: Default::default(),
    });
    let number = |s: &str| PhoneNumber::parse(s, crate::phone::Region::default()).expect("number");
    phone.contacts.set(number("+12125550124"), "Dana Reyes");
    let ports = Ports {
        contacts: probe.clone(),
        ..phone.ports()
    };
    let settings = Settings {
        business_name: "Acme Plumbing".into(),
        ..Settings::default()
    };
    let mut engine =
        Engine::open(Store::open(&path).expect("store"), ports, &settings).expect("engine");
    // Three calls in one batch: the later ones were asked about, before, while the first
    // one's rows were already written in the open transaction.
    for n in ["+12125550123", "+12125550124", "+12125550125"] {
        phone.call(n, CallOutcome::Missed);
    }
    engine
        .handle(PlatformEvent::CallLogChanged)
        .expect("calls recorded");
    assert_eq!(engine.store().reader().call_count().expect("count"), 3);
    assert_eq!(
        *probe.inside_a_write.lock().expect("probe"),
        Vec::<String>::new(),
        "the contacts port was asked inside a write transaction"
    );
    // The name found before the transaction is the one recorded.
    let names = engine
        .store()
        .inbox_page(crate::store::InboxFilter::default(), None, 10)
        .expect("inbox")
        .into_iter()
        .filter_map(|c| c.contact_name)
        .collect::<Vec<_>>();
    assert_eq!(names, ["Dana Reyes"]);
}

/// Every span opened while `f` runs: its name and its fields as `name=value`.
fn spans_during(f: impl FnOnce()) -> Vec<(String, String)> {
    use tracing_subscriber::layer::SubscriberExt;

    #[derive(Clone, Default)]
    struct Spans(Arc<std::sync::Mutex<Vec<(String, String)>>>);
    struct Fields(String);
    impl tracing::field::Visit for Fields {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!("{}={value:?} ", field.name()));
        }
        fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
            self.0.push_str(&format!("{}={value} ", field.name()));
        }
    }
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Spans {
        fn on_new_span(
            &self,
            attrs: &tracing::span::Attributes<'_>,
            _: &tracing::span::Id,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            let mut fields = Fields(String::new());
            attrs.record(&mut fields);
            self.0
                .lock()
                .expect("spans")
                .push((attrs.metadata().name().to_owned(), fields.0));
        }
    }
    let spans = Spans::default();
    let subscriber = tracing_subscriber::registry().with(spans.clone());
    tracing::subscriber::with_default(subscriber, f);
    spans.0.lock().expect("spans").clone()
}

#[test]
fn each_ended_call_and_inbound_text_has_a_span_with_the_number_masked() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    let spans = spans_during(|| {
        phone.call("+12125550123", CallOutcome::Missed);
        engine.handle(PlatformEvent::CallLogChanged).expect("call");
        text_in(&mut engine, &phone, "+12125550123", "Is Tuesday OK?");
    });
    let call = spans.iter().find(|(name, _)| name == "call");
    let text = spans.iter().find(|(name, _)| name == "inbound_text");
    let (Some((_, call)), Some((_, text))) = (call, text) else {
        panic!("no call or inbound_text span: {spans:?}");
    };
    assert!(call.contains("from=+1•••••••23"), "{call}");
    assert!(call.contains("outcome=missed"), "{call}");
    assert!(text.contains("from=+1•••••••23"), "{text}");
    for (name, fields) in &spans {
        assert!(
            !fields.contains("2125550123") && !fields.contains("Tuesday"),
            "span {name} shows a whole number or a body: {fields}"
        );
    }
}

#[test]
fn delay_then_answered_call_cancels() {
    let phone = Phone::new();
    let mut engine = phone.engine(
        Store::open_in_memory().expect("store"),
        json!({"text_back": {"delay_seconds": 120}}),
    );
    phone.call("+12125550123", CallOutcome::Missed);
    assert!(
        engine
            .handle(PlatformEvent::CallLogChanged)
            .expect("h")
            .is_empty()
    );
    assert_eq!(
        engine.next_wake().expect("wake"),
        Some(ts("2026-11-02T15:02:00Z"))
    );
    phone.clock.advance(SignedDuration::from_secs(60));
    phone.call("+12125550123", CallOutcome::Outgoing);
    let out = engine.handle(PlatformEvent::CallLogChanged).expect("h");
    assert_eq!(
        out,
        vec![Outcome::Skipped {
            at: ts("2026-11-02T15:01:00Z"),
            from: "+12125550123".into(),
            reason: SkipReason::ResolvedByCall
        }]
    );
    assert_eq!(engine.next_wake().expect("wake"), None);
    assert!(phone.telephony.sent().is_empty());
    let page = engine.store().missed_calls_page(None, 10).expect("page");
    assert_eq!(
        page[0].decision,
        Some(CallDecision::Skipped(SkipReason::ResolvedByCall))
    );
}

#[test]
fn a_crash_while_sending_leaves_the_text_unconfirmed_and_never_resends_it() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("phone.db");
    let phone = Phone::new();
    let mut store = Store::open(&path).expect("store");
    // Commit 1 keeps the starting settings, 2 records them again, 3 the call; crash right
    // after commit 4 (`sending`), before the platform is called.
    store.inject_crash(3, true);
    let mut engine = phone.engine(store, json!({}));
    engine
        .replace_settings(engine.config().expect("config").settings.clone())
        .expect("settings");
    phone.call("+12125550123", CallOutcome::Missed);
    let err = engine
        .handle(PlatformEvent::CallLogChanged)
        .expect_err("crash");
    assert!(
        matches!(err, EngineError::Store(StoreError::Interrupted)),
        "{err}"
    );
    assert!(phone.telephony.sent().is_empty());
    drop(engine);

    let mut engine = phone.engine(Store::open(&path).expect("reopen"), json!({}));
    let unconfirmed = engine
        .store()
        .reader()
        .messages_with_status(MessageStatus::Unconfirmed)
        .expect("read");
    assert_eq!(unconfirmed.len(), 1);
    assert_eq!(unconfirmed[0].kind, MessageKind::TextBack);
    engine.handle(PlatformEvent::CallLogChanged).expect("again");
    phone.clock.advance(SignedDuration::from_hours(48));
    engine.run_due().expect("due");
    assert!(
        phone.telephony.sent().is_empty(),
        "never re-sent on its own"
    );
}

#[test]
fn replies_are_sent_once_and_refused_when_opted_out() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    text_in(&mut engine, &phone, "+12125550123", "Can you come today?");
    let req = ReplyRequest {
        request_id: Some("desk-1".into()),
        to: "212-555-0123".into(),
        body: "We can come at 3 🔧".into(),
    };
    assert_eq!(
        sent_kinds(&engine.reply(req.clone()).expect("reply")),
        vec![MessageKind::Reply]
    );
    assert!(
        engine.reply(req).expect("again").is_empty(),
        "a request delivered twice is sent once"
    );
    assert_eq!(phone.telephony.sent().len(), 1);

    let stop = InboundSms {
        source_id: Some("sms-1".into()),
        from: "+12125550123".into(),
        body: "Stop.".into(),
        line: Line::default(),
        at: phone.clock.now(),
    };
    let out = engine
        .handle(PlatformEvent::SmsReceived(stop.clone()))
        .expect("stop");
    assert_eq!(sent_kinds(&out), vec![MessageKind::OptOutConfirmation]);
    assert!(
        engine
            .handle(PlatformEvent::SmsReceived(stop))
            .expect("dup")
            .is_empty()
    );
    let out = engine
        .reply(ReplyRequest {
            request_id: Some("desk-2".into()),
            to: "+12125550123".into(),
            body: "hello?".into(),
        })
        .expect("reply");
    assert!(matches!(
        out[..],
        [Outcome::Refused {
            reason: RefusalReason::OptedOut,
            ..
        }]
    ));
    for (to, body, reason) in [
        ("22395", "x", RefusalReason::InvalidNumber),
        ("+12125550199", "  ", RefusalReason::EmptyBody),
        ("+12125550199", "hi", RefusalReason::NoConversation),
        ("+442079460123", "hi", RefusalReason::International),
        ("+19005550123", "hi", RefusalReason::PremiumRate),
    ] {
        let out = engine
            .reply(ReplyRequest {
                request_id: None,
                to: to.into(),
                body: body.into(),
            })
            .expect("reply");
        assert!(
            matches!(&out[..], [Outcome::Refused { reason: r, .. }] if *r == reason),
            "{out:?}"
        );
    }
}

#[test]
fn reports_move_status_forward_and_failures_keep_their_reason() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    text_in(&mut engine, &phone, "+12125550123", "hello");
    text_in(&mut engine, &phone, "+12125550124", "hello");
    let out = engine
        .reply(ReplyRequest {
            request_id: None,
            to: "+12125550123".into(),
            body: "hi".into(),
        })
        .expect("reply");
    let Outcome::Sent { message_id, .. } = out[0] else {
        panic!("{out:?}")
    };
    engine
        .handle(PlatformEvent::Delivered {
            message_id,
            status: DeliveryStatus::Delivered,
        })
        .expect("d");
    engine
        .handle(PlatformEvent::SmsSent {
            message_id,
            result: Ok(()),
            any_part_left: false,
        })
        .expect("late sent report");
    let status = |e: &Engine, id| {
        e.store()
            .reader()
            .message(id)
            .expect("r")
            .expect("m")
            .status
    };
    assert_eq!(status(&engine, message_id), MessageStatus::Delivered);

    // A permanent cause: a passing one waits to be retried (engine/retry).
    phone.telephony.fail_with(Some(SendError::FixedDialling));
    let out = engine
        .reply(ReplyRequest {
            request_id: None,
            to: "+12125550124".into(),
            body: "hi".into(),
        })
        .expect("reply");
    let Outcome::Failed {
        message_id, reason, ..
    } = &out[0]
    else {
        panic!("{out:?}")
    };
    assert_eq!(reason, &Failure::NotSent(SendError::FixedDialling));
    assert!(reason.describe().contains("fixed dialling"), "{reason:?}");
    let m = engine
        .store()
        .reader()
        .message(*message_id)
        .expect("r")
        .expect("m");
    assert_eq!(m.status, MessageStatus::Failed);
    assert!(
        m.failure
            .expect("reason")
            .describe()
            .contains("SIM settings")
    );
}

#[test]
fn the_volume_window_holds_every_text_in_order_replies_included() {
    let phone = Phone::new();
    // The default text-back is one GSM-7 part: two of them fill a window of two parts.
    let mut engine = phone.engine(
        Store::open_in_memory().expect("store"),
        json!({"limits": {"max_per_30_minutes": 2}}),
    );
    text_in(&mut engine, &phone, "+12125550109", "Are you open?");
    for n in ["+12125550101", "+12125550102", "+12125550103"] {
        phone.call(n, CallOutcome::Missed);
    }
    let out = engine.handle(PlatformEvent::CallLogChanged).expect("h");
    assert_eq!(sent_kinds(&out).len(), 2);
    assert!(
        out.iter().any(|o| matches!(
            o,
            Outcome::Held { reason: HoldReason::VolumeLimit, to, until, .. }
                if to == "+12125550103" && *until == ts("2026-11-02T15:30:00Z")
        )),
        "the third text-back is held, and says until when: {out:?}"
    );
    assert_eq!(
        engine.next_wake().expect("w"),
        Some(ts("2026-11-02T15:30:00Z"))
    );
    let reply = engine
        .reply(ReplyRequest {
            request_id: None,
            to: "+12125550109".into(),
            body: "hi".into(),
        })
        .expect("r");
    assert!(
        sent_kinds(&reply).is_empty(),
        "a person's reply waits its turn in the same window: {reply:?}"
    );
    let held = engine
        .store()
        .reader()
        .messages_with_status(MessageStatus::Queued)
        .expect("queued");
    assert_eq!(held.len(), 2);
    assert_eq!(
        held[0].hold.map(|h| h.reason),
        Some(HoldReason::VolumeLimit),
        "the first in line shows why it waits"
    );
    phone.clock.set(ts("2026-11-02T15:30:00Z"));
    let out = engine.run_due().expect("due");
    assert_eq!(
        sent_kinds(&out),
        vec![MessageKind::TextBack, MessageKind::Reply],
        "first come, first served"
    );
    assert_eq!(phone.telephony.sent()[2].to, "+12125550103");
}

#[test]
fn the_volume_window_counts_sms_parts() {
    let phone = Phone::new();
    let mut engine = phone.engine(
        Store::open_in_memory().expect("store"),
        json!({"limits": {"max_per_30_minutes": 4}}),
    );
    text_in(&mut engine, &phone, "+12125550109", "Are you open?");
    // A three-part reply and a two-part reply: five parts do not fit a window of four.
    let long = |n: usize| "word ".repeat(n * 30);
    for (i, parts) in [3, 2].into_iter().enumerate() {
        engine
            .reply(ReplyRequest {
                request_id: Some(format!("r{i}")),
                to: "+12125550109".into(),
                body: long(parts),
            })
            .expect("reply");
    }
    let sent = phone.telephony.sent();
    assert_eq!(sent.len(), 1, "the second waits: {sent:?}");
    assert_eq!(crate::sms::count(&sent[0].body).segments, 3);
    phone.clock.set(ts("2026-11-02T15:30:00Z"));
    engine.run_due().expect("due");
    assert_eq!(phone.telephony.sent().len(), 2);
}

#[test]
fn a_desktop_reply_budget_holds_that_desktop_only_and_says_why() {
    let phone = Phone::new();
    let mut engine = phone.engine(
        Store::open_in_memory().expect("store"),
        json!({"limits": {"max_per_30_minutes": 30, "replies_per_desktop_per_hour": 2}}),
    );
    text_in(&mut engine, &phone, "+12125550109", "Are you open?");
    let conversation = engine
        .store()
        .reader()
        .latest_conversation("+12125550109")
        .expect("r")
        .expect("conversation")
        .0;
    let desk_a = "a".repeat(32);
    let desk_b = "b".repeat(32);
    let ops = |origin: &str, n: u64| -> Vec<Op> {
        (1..=n)
            .map(|seq| Op {
                origin: origin.into(),
                seq,
                hlc: crate::oplog::hlc::Hlc {
                    millis: phone.clock.now().as_millisecond(),
                    counter: 0,
                },
                changes: vec![Change::Reply {
                    request: format!("{origin}-{seq}"),
                    conversation: Some(conversation.0),
                    to: None,
                    line: None,
                    body: format!("reply {seq}"),
                    requested_at: phone.clock.now().as_millisecond(),
                }],
            })
            .collect()
    };
    let me = engine.store().origin().to_string();
    engine.store().set_phone_origin(&me).expect("phone");
    for desk in [&desk_a, &desk_b] {
        let peer = crate::store::PeerRecord {
            endpoint: desk.clone(),
            origin: desk.clone(),
            role: Role::Desktop,
            name: "desk".into(),
            paired: true,
            changed_at: 0,
        };
        let now = phone.clock.now();
        engine
            .store_mut()
            .write(now, "paired", |tx| tx.set_peer(&peer))
            .expect("pair");
    }
    let source = |origin| Source {
        origin,
        role: Role::Desktop,
    };
    let (_, out) = engine
        .apply_remote(&ops(&desk_a, 5), source(&desk_a))
        .expect("apply");
    assert_eq!(sent_kinds(&out).len(), 2, "desktop A's budget: {out:?}");
    let held: Vec<_> = out
        .iter()
        .filter(|o| {
            matches!(
                o,
                Outcome::Held {
                    reason: HoldReason::ReplyBudget,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(
        held.len(),
        3,
        "the rest are held, each with its reason: {out:?}"
    );
    // Desktop B is not held by A's budget.
    let (_, out) = engine
        .apply_remote(&ops(&desk_b, 1), source(&desk_b))
        .expect("apply");
    assert_eq!(sent_kinds(&out), vec![MessageKind::Reply]);
    // An hour later A's held replies go, two more.
    phone.clock.advance(SignedDuration::from_hours(1));
    let out = engine.run_due().expect("due");
    assert_eq!(sent_kinds(&out).len(), 2);
    phone.clock.advance(SignedDuration::from_hours(1));
    assert_eq!(sent_kinds(&engine.run_due().expect("due")).len(), 1);
    assert_eq!(phone.telephony.sent().len(), 6, "every reply sent once");
}

#[test]
fn invalid_settings_change_keeps_the_last_good_ones() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    let err = engine
        .update_settings(&json!({"text_back": {"delay_seconds": -1}}))
        .expect_err("refused");
    assert!(err.to_string().contains("text_back.delay_seconds"), "{err}");
    let err = engine
        .update_settings(&json!({"templates": {"help": "{bogus}"}}))
        .expect_err("refused");
    assert!(err.to_string().contains("templates.help"), "{err}");
    assert_eq!(
        engine
            .config()
            .expect("config")
            .settings
            .text_back
            .delay_seconds,
        0
    );
}

#[test]
fn without_settings_calls_are_recorded_and_nobody_is_texted() {
    let phone = Phone::new();
    let mut engine = Engine::open(
        Store::open_in_memory().expect("store"),
        phone.ports(),
        &Settings::default(),
    )
    .expect("open");
    assert!(engine.config().is_none());
    phone.call("+12125550123", CallOutcome::Missed);
    let out = engine.handle(PlatformEvent::CallLogChanged).expect("h");
    assert!(matches!(
        out[..],
        [Outcome::Skipped {
            reason: SkipReason::Disabled,
            ..
        }]
    ));
    let stop = InboundSms {
        source_id: None,
        from: "+12125550123".into(),
        body: "STOP".into(),
        line: Line::default(),
        at: phone.clock.now(),
    };
    engine
        .handle(PlatformEvent::SmsReceived(stop))
        .expect("stop");
    assert!(
        engine
            .store()
            .reader()
            .is_opted_out("+12125550123")
            .expect("read"),
        "STOP is honoured even unconfigured"
    );
    assert!(phone.telephony.sent().is_empty());
}

#[tokio::test]
async fn service_sends_when_the_clock_reaches_the_delay() {
    let phone = Phone::new();
    let engine = phone.engine(
        Store::open_in_memory().expect("store"),
        json!({"text_back": {"delay_seconds": 30}}),
    );
    let (handle, task) = service::spawn(engine);
    let mut outcomes = handle.subscribe();
    phone.call("+12125550123", CallOutcome::Missed);
    let now = handle
        .event(PlatformEvent::CallLogChanged)
        .await
        .expect("running")
        .expect("ok");
    assert!(now.is_empty());
    phone.clock.advance(SignedDuration::from_secs(30));
    let outcome = outcomes.recv().await.expect("outcome");
    assert!(
        matches!(
            outcome,
            Outcome::Sent {
                kind: MessageKind::TextBack,
                ..
            }
        ),
        "{outcome:?}"
    );
    drop(handle);
    let engine = task.await.expect("task");
    assert_eq!(
        engine
            .store()
            .reader()
            .messages_with_status(MessageStatus::Sending)
            .expect("r")
            .len(),
        1
    );
}

#[test]
fn a_call_handed_over_directly_is_recorded_once_and_moves_the_cursor() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    let call = EndedCall {
        log_id: 7,
        number: "+12125550123".into(),
        outcome: CallOutcome::Missed,
        line: Line::default(),
        ended_at: phone.clock.now(),
    };
    let out = engine
        .handle(PlatformEvent::CallEnded(call.clone()))
        .expect("h");
    assert_eq!(sent_kinds(&out), vec![MessageKind::TextBack]);
    assert!(
        engine
            .handle(PlatformEvent::CallEnded(call))
            .expect("h")
            .is_empty()
    );
    assert_eq!(
        engine.store().reader().call_log_cursor().expect("cursor"),
        Some(7)
    );
}

#[test]
fn a_call_read_long_after_it_ended_gets_no_text() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    // The app was not running: calls from 20 and 10 minutes ago are read now.
    for mins in [20, 10] {
        phone.call_log.push(EndedCall {
            log_id: 0,
            number: format!("+1212555{mins:04}"),
            outcome: CallOutcome::Missed,
            line: Line::default(),
            ended_at: phone
                .clock
                .now()
                .checked_sub(SignedDuration::from_mins(mins))
                .expect("t"),
        });
    }
    let out = engine.handle(PlatformEvent::CallLogChanged).expect("h");
    assert!(
        matches!(
            &out[0],
            Outcome::Skipped {
                reason: SkipReason::TooLate,
                ..
            }
        ),
        "{out:?}"
    );
    assert_eq!(
        sent_kinds(&out),
        vec![MessageKind::TextBack],
        "the 10-minute-old call is still in the window"
    );
    let page = engine.store().missed_calls_page(None, 10).expect("page");
    assert!(
        page.iter()
            .any(|c| c.decision == Some(CallDecision::Skipped(SkipReason::TooLate)))
    );
}

fn owner_sms(source: &str, to: &str, body: &str, at: Timestamp) -> PlatformEvent {
    PlatformEvent::OwnerTexted(OwnerSms {
        source_id: source.into(),
        to: to.into(),
        body: body.into(),
        line: Line("sim1".into()),
        at,
    })
}

#[test]
fn owner_texts_from_the_phone_join_known_conversations_once_and_never_copy_ringbacks_own() {
    let phone = Phone::new();
    let mut engine = phone.engine(
        Store::open_in_memory().expect("store"),
        json!({"follow_ups": [{"after_hours": 24.0, "body": "Still need a hand? {business_name}"}]}),
    );
    phone.call("(212) 555-0123", CallOutcome::Missed);
    engine.handle(PlatformEvent::CallLogChanged).expect("call");
    let text_back = phone.telephony.sent()[0].body.clone();
    let now = phone.clock.now();
    // Android writes Ringback's own text into the provider: it is not a second message.
    engine
        .handle(owner_sms("sms-1", "+12125550123", &text_back, now))
        .expect("own copy");
    // The owner answers from the phone's messaging app, in the national format.
    let typed = "On my way, 20 minutes 🚐";
    for _ in 0..2 {
        engine
            .handle(owner_sms("sms-2", "(212) 555-0123", typed, now))
            .expect("owner text");
    }
    // A private text to a number Ringback has never talked with stays out.
    engine
        .handle(owner_sms("sms-3", "+12125550199", "Dinner at 7?", now))
        .expect("private");
    let messages = engine.store().reader().all_messages().expect("messages");
    let bodies: Vec<(&str, MessageKind)> = messages
        .iter()
        .filter(|m| m.kind != MessageKind::FollowUp)
        .map(|m| (m.body.as_str(), m.kind))
        .collect();
    assert_eq!(
        bodies,
        vec![
            (text_back.as_str(), MessageKind::TextBack),
            (typed, MessageKind::FromPhone)
        ]
    );
    let typed_row = messages
        .iter()
        .find(|m| m.kind == MessageKind::FromPhone)
        .expect("typed");
    assert_eq!(typed_row.direction, Direction::Outbound);
    assert_eq!(typed_row.status, MessageStatus::Sent);
    // Nothing was sent by the engine for it, and the follow-up waiting for silence is off.
    assert_eq!(phone.telephony.sent().len(), 1);
    phone.clock.advance(SignedDuration::from_hours(30));
    engine.run_due().expect("due");
    assert_eq!(
        phone.telephony.sent().len(),
        1,
        "no follow-up after the owner texted"
    );
    let follow_up = engine
        .store()
        .reader()
        .all_messages()
        .expect("messages")
        .into_iter()
        .find(|m| m.kind == MessageKind::FollowUp)
        .expect("the follow-up was queued at the text-back");
    assert_ne!(follow_up.status, MessageStatus::Queued);
    assert_ne!(follow_up.status, MessageStatus::Sent);
}

#[test]
fn settings_saved_by_an_earlier_version_with_looser_bounds_keep_the_phone_texting() {
    let phone = Phone::new();
    let mut store = Store::open_in_memory().expect("store");
    let old = Settings {
        business_name: "Acme Plumbing".into(),
        ..Settings::default()
    }
    .patched(&json!({"limits": {"max_per_30_minutes": 1000}}))
    .expect("patch");
    let now = phone.clock.now();
    store
        .write(now, "settings_changed", |tx| tx.save_settings(&old, now))
        .expect("saved before the upgrade");
    let mut engine = Engine::open(store, phone.ports(), &Settings::default()).expect("engine");
    assert_eq!(
        engine
            .config()
            .map(|c| c.settings.limits.max_per_30_minutes),
        Some(30),
        "brought within today's bound, not dropped"
    );
    phone.call("+12125550123", CallOutcome::Missed);
    let out = engine.handle(PlatformEvent::CallLogChanged).expect("h");
    assert_eq!(sent_kinds(&out), vec![MessageKind::TextBack]);
}

mod mms;
