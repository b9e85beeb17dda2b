use std::sync::Arc;

use jiff::SignedDuration;
use serde_json::json;

use super::super::*;
use crate::call::{CallOutcome, EndedCall, Line};
use crate::message::{Failure, MessageKind, MessageStatus};
use crate::ports::memory::{ManualClock, MemoryCallLog, MemoryContacts, MemoryTelephony};
use crate::ports::{Clock, SendError};
use crate::settings::Settings;
use crate::store::{MessageId, Store};

struct Phone {
    clock: Arc<ManualClock>,
    telephony: Arc<MemoryTelephony>,
    call_log: Arc<MemoryCallLog>,
}

impl Phone {
    fn new() -> Phone {
        Phone {
            clock: ManualClock::new("2026-11-02T15:00:00Z".parse().expect("ts")),
            telephony: MemoryTelephony::new(),
            call_log: MemoryCallLog::new(),
        }
    }

    fn engine(&self, store: Store) -> Engine {
        let settings = Settings {
            business_name: "Acme Plumbing".into(),
            ..Settings::default()
        }
        .patched(&json!({}))
        .expect("patch");
        let ports = Ports {
            telephony: self.telephony.clone(),
            call_log: self.call_log.clone(),
            contacts: MemoryContacts::new(),
            clock: self.clock.clone(),
        };
        Engine::open(store, ports, &settings).expect("engine")
    }

    fn missed_call(&self, engine: &mut Engine) -> Vec<Outcome> {
        self.call_log.push(EndedCall {
            log_id: 0,
            number: "+12125550123".into(),
            outcome: CallOutcome::Missed,
            line: Line("sim1".into()),
            ended_at: self.clock.now(),
        });
        engine.handle(PlatformEvent::CallLogChanged).expect("call")
    }

    fn text_in(&self, engine: &mut Engine, body: &str) -> Vec<Outcome> {
        engine
            .handle(PlatformEvent::SmsReceived(InboundSms {
                source_id: None,
                from: "+12125550123".into(),
                body: body.into(),
                line: Line("sim1".into()),
                at: self.clock.now(),
            }))
            .expect("inbound")
    }

    fn advance_mins(&self, mins: i64) {
        self.clock.advance(SignedDuration::from_mins(mins));
    }
}

fn service_back(engine: &mut Engine) -> Vec<Outcome> {
    engine
        .handle(PlatformEvent::ServiceChanged {
            line: Line("sim1".into()),
            state: ServiceState::InService,
        })
        .expect("service")
}

fn reply(engine: &mut Engine, id: &str) -> Vec<Outcome> {
    engine
        .reply(ReplyRequest {
            request_id: Some(id.into()),
            to: "+12125550123".into(),
            body: "We can come at 3".into(),
        })
        .expect("reply")
}

fn retrying_id(outcomes: &[Outcome]) -> MessageId {
    match outcomes
        .iter()
        .find(|o| matches!(o, Outcome::Retrying { .. }))
    {
        Some(Outcome::Retrying { message_id, .. }) => *message_id,
        _ => panic!("no retrying outcome in {outcomes:?}"),
    }
}

fn status(engine: &Engine, id: MessageId) -> MessageStatus {
    engine
        .store()
        .reader()
        .message(id)
        .expect("read")
        .expect("message")
        .status
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
fn a_text_back_that_failed_for_no_service_is_sent_once_when_service_returns_in_time() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.telephony.fail_with(Some(SendError::NoService));
    let out = phone.missed_call(&mut engine);
    let id = retrying_id(&out);
    assert_eq!(status(&engine, id), MessageStatus::Retrying);
    let m = engine.store().reader().message(id).expect("r").expect("m");
    assert_eq!(m.failure, Some(Failure::NotSent(SendError::NoService)));
    assert!(m.left_at.is_some(), "since when it has been tried");
    // The backoff's next attempt fails again while there is no service.
    phone.advance_mins(1);
    assert!(sent_kinds(&engine.run_due().expect("due")).is_empty());
    assert_eq!(status(&engine, id), MessageStatus::Retrying);

    phone.advance_mins(3);
    phone.telephony.fail_with(None);
    assert_eq!(
        sent_kinds(&service_back(&mut engine)),
        vec![MessageKind::TextBack]
    );
    assert_eq!(phone.telephony.sent().len(), 1);
    engine
        .handle(PlatformEvent::SmsSent {
            message_id: id,
            result: Ok(()),
            any_part_left: true,
        })
        .expect("sent");
    assert_eq!(status(&engine, id), MessageStatus::Sent);
    for _ in 0..3 {
        phone.advance_mins(20);
        service_back(&mut engine);
        engine.run_due().expect("due");
    }
    let text_backs = phone
        .telephony
        .sent()
        .iter()
        .filter(|r| r.message_id == id)
        .count();
    assert_eq!(text_backs, 1, "sent once");
}

#[test]
fn the_backoff_retries_without_a_service_event() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.telephony.fail_with(Some(SendError::GenericFailure));
    let id = retrying_id(&phone.missed_call(&mut engine));
    phone.telephony.fail_with(None);
    let wake = engine
        .next_wake()
        .expect("wake")
        .expect("a retry is waiting");
    assert_eq!(wake, phone.clock.now() + SignedDuration::from_mins(1));
    phone.advance_mins(1);
    assert_eq!(
        sent_kinds(&engine.run_due().expect("due")),
        vec![MessageKind::TextBack]
    );
    assert_eq!(status(&engine, id), MessageStatus::Sending);
}

#[test]
fn a_text_back_is_not_sent_when_service_returns_after_the_late_window() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.telephony.fail_with(Some(SendError::NoService));
    let id = retrying_id(&phone.missed_call(&mut engine));
    phone.advance_mins(16); // The late window is 15 minutes.
    phone.telephony.fail_with(None);
    let out = service_back(&mut engine);
    assert!(sent_kinds(&out).is_empty(), "{out:?}");
    assert!(phone.telephony.sent().is_empty());
    let m = engine.store().reader().message(id).expect("r").expect("m");
    assert_eq!(m.status, MessageStatus::Failed);
    let reason = m.failure.expect("why");
    assert_eq!(reason, Failure::NoLongerTimely(SendError::NoService));
    assert!(
        reason.describe().contains("too late"),
        "{}",
        reason.describe()
    );
}

#[test]
fn a_reply_is_retried_once_service_returns_and_never_twice() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.text_in(&mut engine, "Can you come today?");
    phone.telephony.fail_with(Some(SendError::RadioOff));
    let id = retrying_id(&reply(&mut engine, "desk-1"));
    // Still timely hours later: a reply's window is `sync.reply_expiry_hours`.
    phone.advance_mins(120);
    phone.telephony.fail_with(None);
    assert_eq!(
        sent_kinds(&service_back(&mut engine)),
        vec![MessageKind::Reply]
    );
    // A repeated report of the failed attempt, then the success of the retry.
    engine
        .handle(PlatformEvent::SmsSent {
            message_id: id,
            result: Ok(()),
            any_part_left: true,
        })
        .expect("sent");
    assert!(
        reply(&mut engine, "desk-1").is_empty(),
        "the same request again"
    );
    phone.advance_mins(60);
    service_back(&mut engine);
    engine.run_due().expect("due");
    assert_eq!(phone.telephony.sent().len(), 1, "never twice");
    assert_eq!(status(&engine, id), MessageStatus::Sent);
}

#[test]
fn a_failure_report_of_a_text_no_part_of_which_left_waits_for_a_retry() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.text_in(&mut engine, "hello");
    let Some(Outcome::Sent { message_id: id, .. }) = reply(&mut engine, "desk-1").pop() else {
        panic!("sent")
    };
    let out = engine
        .handle(PlatformEvent::SmsSent {
            message_id: id,
            result: Err(SendError::LimitExceeded),
            any_part_left: false,
        })
        .expect("report");
    assert_eq!(retrying_id(&out), id);
    assert_eq!(
        sent_kinds(&service_back(&mut engine)),
        vec![MessageKind::Reply]
    );
    assert_eq!(phone.telephony.sent().len(), 2);
}

#[test]
fn a_permanent_failure_is_not_retried() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.text_in(&mut engine, "hello");
    phone.telephony.fail_with(Some(SendError::FixedDialling));
    let out = reply(&mut engine, "desk-1");
    let Some(Outcome::Failed { message_id: id, .. }) = out.last() else {
        panic!("{out:?}")
    };
    assert_eq!(status(&engine, *id), MessageStatus::Failed);
    phone.telephony.fail_with(None);
    service_back(&mut engine);
    phone.advance_mins(30);
    engine.run_due().expect("due");
    assert!(phone.telephony.sent().is_empty());
}

#[test]
fn a_multipart_text_some_of_whose_parts_left_is_not_retried() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.text_in(&mut engine, "hello");
    let Some(Outcome::Sent { message_id: id, .. }) = reply(&mut engine, "desk-1").pop() else {
        panic!("sent")
    };
    let out = engine
        .handle(PlatformEvent::SmsSent {
            message_id: id,
            result: Err(SendError::NoService),
            any_part_left: true,
        })
        .expect("report");
    assert!(matches!(&out[..], [Outcome::Failed { .. }]), "{out:?}");
    assert_eq!(status(&engine, id), MessageStatus::Failed);
    service_back(&mut engine);
    phone.advance_mins(30);
    engine.run_due().expect("due");
    assert_eq!(phone.telephony.sent().len(), 1, "only the first attempt");
}

#[test]
fn an_unconfirmed_text_is_not_retried_and_a_retrying_one_survives_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("phone.db");
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open(&path).expect("store"));
    phone.text_in(&mut engine, "hello");
    let Some(Outcome::Sent {
        message_id: left, ..
    }) = reply(&mut engine, "desk-1").pop()
    else {
        panic!("sent")
    };
    phone.telephony.fail_with(Some(SendError::NoService));
    let waiting = retrying_id(&reply(&mut engine, "desk-2"));
    drop(engine); // The phone stops: the first is still `sending`.

    let mut engine = phone.engine(Store::open(&path).expect("reopen"));
    assert_eq!(status(&engine, left), MessageStatus::Unconfirmed);
    assert_eq!(status(&engine, waiting), MessageStatus::Retrying);
    phone.telephony.fail_with(None);
    // A late failure report of the unconfirmed text does not make it retry; the retrying
    // one goes at the engine's first chance after the restart.
    let out = engine
        .handle(PlatformEvent::SmsSent {
            message_id: left,
            result: Err(SendError::NoService),
            any_part_left: false,
        })
        .expect("late report");
    assert_ne!(status(&engine, left), MessageStatus::Retrying);
    assert_eq!(sent_kinds(&out), vec![MessageKind::Reply]);
    let sent = phone.telephony.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1].message_id, waiting,
        "only the retrying one goes again"
    );
    service_back(&mut engine);
    assert_eq!(phone.telephony.sent().len(), 2);
}

#[test]
fn the_outbound_policy_still_applies_on_a_retry() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.telephony.fail_with(Some(SendError::NoService));
    let id = retrying_id(&phone.missed_call(&mut engine));
    // The caller opts out while the text-back waits.
    phone.text_in(&mut engine, "STOP");
    phone.telephony.fail_with(None);
    let out = service_back(&mut engine);
    assert_eq!(
        sent_kinds(&out),
        vec![MessageKind::OptOutConfirmation],
        "{out:?}"
    );
    assert_eq!(status(&engine, id), MessageStatus::Cancelled);
    assert!(phone.telephony.sent().iter().all(|r| r.message_id != id));
}

#[test]
fn which_send_errors_pass() {
    for error in [
        SendError::NoService,
        SendError::RadioOff,
        SendError::LimitExceeded,
        SendError::GenericFailure,
    ] {
        assert!(error.is_passing(), "{error:?}");
    }
    for error in [
        SendError::NoSuchLine,
        SendError::NotEncoded { code: None },
        SendError::FixedDialling,
        SendError::ShortCode,
        SendError::Radio {
            result: 99,
            code: None,
        },
        SendError::Other("x".into()),
    ] {
        assert!(!error.is_passing(), "{error:?}");
    }
    assert!(!MessageStatus::Sent.may_become(MessageStatus::Retrying));
    assert!(!MessageStatus::Unconfirmed.may_become(MessageStatus::Retrying));
    assert!(!MessageStatus::Delivered.may_become(MessageStatus::Retrying));
    assert!(!MessageStatus::Queued.may_become(MessageStatus::Retrying));
}

/// A missed call from `number` on `line`: its text-back.
fn missed_call_on(phone: &Phone, engine: &mut Engine, number: &str, line: &str) -> Vec<Outcome> {
    phone.call_log.push(EndedCall {
        log_id: 0,
        number: number.into(),
        outcome: CallOutcome::Missed,
        line: Line(line.into()),
        ended_at: phone.clock.now(),
    });
    engine.handle(PlatformEvent::CallLogChanged).expect("call")
}

#[test]
fn service_returning_on_one_line_makes_only_its_texts_and_lineless_ones_due() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.telephony.fail_with(Some(SendError::NoService));
    let on_sim1 = retrying_id(&missed_call_on(&phone, &mut engine, "+12125550123", "sim1"));
    let on_sim2 = retrying_id(&missed_call_on(&phone, &mut engine, "+12125550124", "sim2"));
    let no_line = retrying_id(&missed_call_on(&phone, &mut engine, "+12125550125", ""));
    phone.telephony.fail_with(None);

    // Well before the first backoff (a minute): only a service event can make them due.
    phone.clock.advance(SignedDuration::from_secs(10));
    let out = engine
        .handle(PlatformEvent::ServiceChanged {
            line: Line("sim2".into()),
            state: ServiceState::InService,
        })
        .expect("service");
    assert_eq!(sent_kinds(&out).len(), 2, "{out:?}");
    let sent: Vec<MessageId> = phone
        .telephony
        .sent()
        .iter()
        .map(|r| r.message_id)
        .collect();
    assert!(
        sent.contains(&on_sim2) && sent.contains(&no_line),
        "{sent:?}"
    );
    assert!(!sent.contains(&on_sim1), "sim1 may still be down: {sent:?}");
    assert_eq!(status(&engine, on_sim1), MessageStatus::Retrying);

    // Its own backoff still runs.
    phone.advance_mins(1);
    engine.run_due().expect("due");
    assert_eq!(status(&engine, on_sim1), MessageStatus::Sending);
}

#[test]
fn service_returning_on_no_named_line_makes_every_waiting_text_due() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.telephony.fail_with(Some(SendError::NoService));
    missed_call_on(&phone, &mut engine, "+12125550123", "sim1");
    missed_call_on(&phone, &mut engine, "+12125550124", "sim2");
    phone.telephony.fail_with(None);
    phone.clock.advance(SignedDuration::from_secs(10));
    let out = engine
        .handle(PlatformEvent::ServiceChanged {
            line: Line::default(),
            state: ServiceState::InService,
        })
        .expect("service");
    assert_eq!(sent_kinds(&out).len(), 2, "{out:?}");
}

#[test]
fn a_text_sent_on_a_retry_carries_no_failure() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"));
    phone.telephony.fail_with(Some(SendError::NoService));
    let id = retrying_id(&phone.missed_call(&mut engine));
    phone.telephony.fail_with(None);
    service_back(&mut engine);
    engine
        .handle(PlatformEvent::SmsSent {
            message_id: id,
            result: Ok(()),
            any_part_left: true,
        })
        .expect("sent");
    let m = engine.store().reader().message(id).expect("r").expect("m");
    assert_eq!(m.status, MessageStatus::Sent);
    assert_eq!(m.failure, None, "the earlier no-service failure is gone");
    // A replica that applies the phone's changes shows the same.
    let mut replica = Store::open_in_memory().expect("replica");
    let origin = engine.store().origin().to_string();
    replica.set_phone_origin(&origin).expect("phone origin");
    let ops = engine
        .store()
        .ops_after(replica.version_vector(), 100_000)
        .expect("ops");
    let source = crate::store::Source {
        origin: &origin,
        role: crate::oplog::op::Role::Phone,
    };
    replica
        .apply_remote(&ops, source, phone.clock.now())
        .expect("replica applies");
    let r = replica.reader().message(id).expect("r").expect("m");
    assert_eq!((r.status, r.failure), (MessageStatus::Sent, None));
}
