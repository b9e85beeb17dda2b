//! The phone is the authority over the owner's line: a paired desktop that goes wrong (or is
//! taken over) writes reply ops, and the phone decides what leaves. These tests play such a
//! desktop's ops straight into the phone's engine, then hand the phone's ops to an honest
//! desktop's replica, to show what the team sees there.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use ringback_core::engine::{Engine, InboundSms, OwnerSms, PlatformEvent};
use ringback_core::message::{Failure, MessageKind, MessageStatus};
use ringback_core::oplog::hlc::Hlc;
use ringback_core::oplog::op::{Change, Op, Role};
use ringback_core::oplog::version::VersionVector;
use ringback_core::outbound::{HoldReason, RefusalReason};
use ringback_core::ports::Clock;
use ringback_core::ports::Ports;
use ringback_core::ports::memory::{ManualClock, MemoryCallLog, MemoryContacts, MemoryTelephony};
use ringback_core::store::{ConversationId, PeerRecord, Source};
use ringback_core::{Line, Settings, Store};
use serde_json::json;

struct Phone {
    clock: Arc<ManualClock>,
    telephony: Arc<MemoryTelephony>,
    engine: Engine,
}

// Monday 2026-11-02 10:00 in New York.
fn t0() -> Timestamp {
    "2026-11-02T15:00:00Z".parse().expect("t0")
}

impl Phone {
    fn new(patch: serde_json::Value) -> Phone {
        let clock = ManualClock::new(t0());
        let telephony = MemoryTelephony::new();
        let ports = Ports {
            telephony: telephony.clone(),
            call_log: MemoryCallLog::new(),
            contacts: MemoryContacts::new(),
            clock: clock.clone(),
        };
        let settings = Settings {
            business_name: "Acme Plumbing".into(),
            ..Settings::default()
        }
        .patched(&patch)
        .expect("settings");
        let engine = Engine::open(Store::open_in_memory().expect("store"), ports, &settings)
            .expect("engine");
        let me = engine.store().origin().to_string();
        engine.store().set_phone_origin(&me).expect("phone origin");
        Phone {
            clock,
            telephony,
            engine,
        }
    }

    fn pair(&mut self, desktop: &str) {
        let peer = PeerRecord {
            endpoint: format!("endpoint-{desktop}"),
            origin: desktop.into(),
            role: Role::Desktop,
            name: "Office".into(),
            paired: true,
            changed_at: 0,
        };
        let now = self.clock.now();
        self.engine
            .store_mut()
            .write(now, "paired", |tx| tx.set_peer(&peer))
            .expect("pair");
    }

    fn text_in(&mut self, from: &str, body: &str) {
        let at = self.clock.now();
        self.engine
            .handle(PlatformEvent::SmsReceived(InboundSms {
                source_id: None,
                from: from.into(),
                body: body.into(),
                line: Line("sim1".into()),
                at,
            }))
            .expect("inbound");
    }

    fn conversation(&self, number: &str) -> ConversationId {
        self.engine
            .store()
            .reader()
            .latest_conversation(number)
            .expect("read")
            .expect("a conversation")
            .0
    }

    /// Applies a desktop's ops the way a session does: frames of at most 256 ops.
    fn receive(&mut self, desktop: &str, ops: &[Op]) {
        for batch in ops.chunks(256) {
            self.engine
                .apply_remote(
                    batch,
                    Source {
                        origin: desktop,
                        role: Role::Desktop,
                    },
                )
                .expect("applied");
        }
    }

    fn count(&self, sql: &str) -> i64 {
        self.engine
            .store()
            .connection()
            .query_row(sql, [], |r| r.get(0))
            .expect("count")
    }
}

/// A desktop's ops asking for replies, numbered from `first`.
fn reply_ops(origin: &str, first: u64, at: Timestamp, replies: &[Change]) -> Vec<Op> {
    replies
        .iter()
        .zip(first..)
        .map(|(change, seq)| Op {
            origin: origin.into(),
            seq,
            hlc: Hlc {
                millis: at.as_millisecond(),
                counter: 0,
            },
            changes: vec![change.clone()],
        })
        .collect()
}

fn reply(
    request: &str,
    conversation: Option<ConversationId>,
    to: Option<&str>,
    body: &str,
) -> Change {
    Change::Reply {
        request: request.into(),
        conversation: conversation.map(|c| c.0),
        to: to.map(str::to_string),
        line: None,
        body: body.into(),
        requested_at: t0().as_millisecond(),
    }
}

const DESK: &str = "d35c0000000000000000000000000001";
const OTHER_DESK: &str = "d35c0000000000000000000000000002";

#[test]
fn a_desktop_flooding_a_thousand_numbers_gets_no_more_than_its_budget_and_the_team_sees_why() {
    let mut phone = Phone::new(json!({
        "limits": {"max_per_30_minutes": 30, "replies_per_desktop_per_hour": 40}
    }));
    phone.pair(DESK);
    // Five hundred people texted the business; five hundred numbers never did.
    let known: Vec<String> = (0..500).map(|i| format!("+1212555{:04}", i)).collect();
    for n in &known {
        phone.text_in(n, "Hi, are you open?");
    }
    let mut flood = Vec::new();
    for (i, n) in known.iter().enumerate() {
        flood.push(reply(
            &format!("flood-{i}"),
            Some(phone.conversation(n)),
            None,
            "Click bit.ly/win to claim your prize",
        ));
    }
    for i in 0..500 {
        let stranger = format!("+1646555{:04}", i);
        flood.push(reply(&format!("flood-s{i}"), None, Some(&stranger), "Win!"));
    }
    let ops = reply_ops(DESK, 1, t0(), &flood);
    phone.receive(DESK, &ops);

    assert_eq!(
        phone.telephony.sent().len(),
        30,
        "no more than the volume window lets out in 30 minutes"
    );
    assert_eq!(
        phone.count("SELECT count(*) FROM conversations"),
        500,
        "no conversation is made for a number that never got in touch"
    );
    // Hours later, the phone has still sent no more than the desktop's hourly budget in any
    // hour.
    for _ in 0..6 {
        phone.clock.advance(SignedDuration::from_mins(30));
        phone.engine.run_due().expect("due");
    }
    let sent: Vec<Timestamp> = phone
        .engine
        .store()
        .reader()
        .all_messages()
        .expect("messages")
        .into_iter()
        .filter(|m| m.kind == MessageKind::Reply)
        .filter_map(|m| m.left_at)
        .collect();
    assert_eq!(sent.len(), phone.telephony.sent().len());
    for (i, start) in sent.iter().enumerate() {
        let end = start
            .checked_add(SignedDuration::from_hours(1))
            .expect("end");
        let in_hour = sent[i..].iter().take_while(|t| **t < end).count();
        assert!(in_hour <= 40, "{in_hour} replies within an hour of {start}");
    }

    // What the team sees on an honest desktop: every refusal with its reason, every reply
    // still waiting with why.
    let mut desk = Store::open_in_memory().expect("desktop store");
    let phone_origin = phone.engine.store().origin().to_string();
    desk.set_phone_origin(&phone_origin).expect("phone");
    let phone_ops = phone
        .engine
        .store()
        .ops_after(&VersionVector::new(), usize::MAX)
        .expect("ops");
    for batch in phone_ops.chunks(256) {
        desk.apply_remote(
            batch,
            Source {
                origin: &phone_origin,
                role: Role::Phone,
            },
            phone.clock.now(),
        )
        .expect("the desktop applies the phone's ops");
    }
    let refused = desk.reader().refused_requests(1_000).expect("refused");
    assert_eq!(refused.len(), 500, "every stranger's reply is refused");
    assert!(
        refused
            .iter()
            .all(|r| r.reason == RefusalReason::NoConversation && r.origin == DESK)
    );
    let waiting = desk
        .reader()
        .messages_with_status(MessageStatus::Queued)
        .expect("queued");
    assert_eq!(waiting.len() + sent.len(), 500, "none lost");
    assert!(
        waiting.iter().all(|m| m.hold.is_some_and(|h| matches!(
            h.reason,
            HoldReason::VolumeLimit | HoldReason::ReplyBudget
        ))),
        "every waiting reply says why"
    );
    assert_eq!(
        desk.digest().expect("d"),
        phone.engine.store().digest().expect("p")
    );
}

#[test]
fn a_reply_goes_on_its_conversations_line_whatever_line_the_op_names() {
    let mut phone = Phone::new(json!({}));
    phone.pair(DESK);
    phone.text_in("+12125550123", "Leak under the sink");
    let conversation = phone.conversation("+12125550123");
    let ops = reply_ops(
        DESK,
        1,
        t0(),
        &[Change::Reply {
            request: "r1".into(),
            conversation: Some(conversation.0),
            to: None,
            line: Some("sim2".into()),
            body: "On our way".into(),
            requested_at: t0().as_millisecond(),
        }],
    );
    phone.receive(DESK, &ops);
    let sent = phone.telephony.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].line, Line("sim1".into()), "the SIM the caller used");
}

#[test]
fn an_over_long_reply_op_fails_on_the_phone_with_the_reason() {
    let mut phone = Phone::new(json!({}));
    phone.pair(DESK);
    phone.text_in("+12125550123", "Leak under the sink");
    let conversation = phone.conversation("+12125550123");
    let ops = reply_ops(
        DESK,
        1,
        t0(),
        &[reply("r1", Some(conversation), None, &"a".repeat(10_000))],
    );
    phone.receive(DESK, &ops);
    assert!(phone.telephony.sent().is_empty());
    let failed = phone
        .engine
        .store()
        .reader()
        .messages_with_status(MessageStatus::Failed)
        .expect("failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].failure,
        Some(Failure::Refused(RefusalReason::TooLong)),
        "{failed:?}"
    );
}

#[test]
fn request_ids_are_bound_to_the_desktop_that_wrote_them() {
    let mut phone = Phone::new(json!({}));
    phone.pair(DESK);
    phone.pair(OTHER_DESK);
    phone.text_in("+12125550123", "Leak under the sink");
    let conversation = phone.conversation("+12125550123");
    // One desktop takes the id the other will use next, and the id the SMS provider will
    // give the owner's next text from the phone's own messaging app.
    let squat = reply_ops(
        DESK,
        1,
        t0(),
        &[
            reply(
                &format!("{OTHER_DESK}-1"),
                Some(conversation),
                None,
                "squat 1",
            ),
            reply("provider-sms-7", Some(conversation), None, "squat 2"),
        ],
    );
    phone.receive(DESK, &squat);
    let honest = reply_ops(
        OTHER_DESK,
        1,
        t0(),
        &[reply(
            &format!("{OTHER_DESK}-1"),
            Some(conversation),
            None,
            "the real reply",
        )],
    );
    phone.receive(OTHER_DESK, &honest);
    let bodies: Vec<String> = phone.telephony.sent().into_iter().map(|s| s.body).collect();
    assert!(
        bodies.contains(&"the real reply".to_string()),
        "the other desktop's reply is still sent: {bodies:?}"
    );
    let now = phone.clock.now();
    phone
        .engine
        .handle(PlatformEvent::OwnerTexted(OwnerSms {
            source_id: "provider-sms-7".into(),
            to: "+12125550123".into(),
            body: "Running 10 min late, sorry!".into(),
            line: Line("sim1".into()),
            at: now,
        }))
        .expect("owner text");
    let from_phone = phone
        .engine
        .store()
        .reader()
        .all_messages()
        .expect("messages")
        .into_iter()
        .filter(|m| m.kind == MessageKind::FromPhone)
        .count();
    assert_eq!(from_phone, 1, "the owner's own text is recorded");
}

#[test]
fn a_desktop_past_its_hourly_changes_is_refused_and_taken_again_an_hour_later() {
    let mut phone = Phone::new(json!({}));
    phone.pair(DESK);
    phone.text_in("+12125550123", "Leak under the sink");
    let conversation = phone.conversation("+12125550123");
    let note = |seq: u64| Op {
        origin: DESK.into(),
        seq,
        hlc: Hlc {
            millis: t0().as_millisecond(),
            counter: 0,
        },
        changes: vec![Change::Field {
            conversation: conversation.0,
            field: ringback_core::oplog::op::Field::Note(format!("note {seq}")),
        }],
    };
    let ops: Vec<Op> = (1..=10_000).map(note).collect();
    phone.receive(DESK, &ops);
    let more = [note(10_001)];
    let err = phone
        .engine
        .apply_remote(
            &more,
            Source {
                origin: DESK,
                role: Role::Desktop,
            },
        )
        .expect_err("over the hourly budget");
    assert!(err.to_string().contains("in an hour"), "{err}");
    phone.clock.advance(SignedDuration::from_hours(1));
    phone
        .engine
        .apply_remote(
            &more,
            Source {
                origin: DESK,
                role: Role::Desktop,
            },
        )
        .expect("an hour later");
}
