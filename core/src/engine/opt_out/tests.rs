//! Likely opt-outs end to end in the engine: the pause, what it holds back and what it
//! lets through, a person's decision (on the phone and from a desktop over ops), and the
//! check every due automated text passes.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::Settings;
use crate::call::{CallDecision, SkipReason};
use crate::call::{CallOutcome, EndedCall, Line};
use crate::engine::{
    Engine, InboundSms, Outcome, PlatformEvent, Ports, RefusalReason, ReplyRequest,
};
use crate::message::MessageKind;
use crate::oplog::hlc::Hlc;
use crate::oplog::op::{Change, Op, Role};
use crate::opt_out::{ReviewDecision, ReviewState};
use crate::ports::Clock;
use crate::ports::memory::{ManualClock, MemoryCallLog, MemoryContacts, MemoryTelephony};
use crate::store::{ApplyError, InboxFilter, PeerRecord, Source, Store};

const N: &str = "+12125550123";

struct Phone {
    clock: Arc<ManualClock>,
    telephony: Arc<MemoryTelephony>,
    call_log: Arc<MemoryCallLog>,
    engine: Engine,
}

impl Phone {
    /// Monday 2026-11-02, 10:00 in New York (business hours).
    fn new(patch: serde_json::Value) -> Phone {
        let clock = ManualClock::new("2026-11-02T15:00:00Z".parse().expect("t"));
        let telephony = MemoryTelephony::new();
        let call_log = MemoryCallLog::new();
        let ports = Ports {
            telephony: telephony.clone(),
            call_log: call_log.clone(),
            contacts: MemoryContacts::new(),
            clock: clock.clone(),
        };
        let settings = Settings {
            business_name: "Acme Plumbing".into(),
            ..Settings::default()
        }
        .patched(&patch)
        .expect("settings");
        let store = Store::open_in_memory().expect("store");
        store.set_phone_origin(store.origin()).expect("origin");
        let engine = Engine::open(store, ports, &settings).expect("engine");
        Phone {
            clock,
            telephony,
            call_log,
            engine,
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn text(&mut self, body: &str) -> Vec<Outcome> {
        self.clock.advance(SignedDuration::from_secs(30));
        self.engine
            .handle(PlatformEvent::SmsReceived(InboundSms {
                source_id: None,
                from: N.into(),
                body: body.into(),
                line: Line("sim1".into()),
                at: self.now(),
            }))
            .expect("inbound")
    }

    fn call(&mut self) -> (i64, Vec<Outcome>) {
        self.clock.advance(SignedDuration::from_secs(30));
        let log_id = self.call_log.push(EndedCall {
            log_id: 0,
            number: N.into(),
            outcome: CallOutcome::Missed,
            line: Line("sim1".into()),
            ended_at: self.now(),
        });
        let out = self
            .engine
            .handle(PlatformEvent::CallLogChanged)
            .expect("calls");
        (log_id, out)
    }

    fn reply(&mut self, body: &str) -> Vec<Outcome> {
        self.engine
            .reply(ReplyRequest {
                request_id: None,
                to: N.into(),
                body: body.into(),
            })
            .expect("reply")
    }

    fn wait(&mut self, secs: i64) -> Vec<Outcome> {
        self.clock.advance(SignedDuration::from_secs(secs));
        self.engine.run_due().expect("run")
    }

    fn decide(&mut self, decision: ReviewDecision) -> Vec<Outcome> {
        self.engine
            .decide_opt_out_review(N, decision)
            .expect("decide")
    }

    fn review(&self) -> Option<ReviewState> {
        self.engine
            .store()
            .reader()
            .opt_out_review(N)
            .expect("review")
            .map(|r| r.state)
    }

    fn opted_out(&self) -> bool {
        self.engine.store().reader().is_opted_out(N).expect("read")
    }

    fn decision(&self, log_id: i64) -> Option<CallDecision> {
        self.engine
            .store()
            .reader()
            .call_decision(log_id)
            .expect("read")
    }
}

fn sent(out: &[Outcome]) -> Vec<MessageKind> {
    out.iter()
        .filter_map(|o| match o {
            Outcome::Sent { kind, .. } => Some(*kind),
            _ => None,
        })
        .collect()
}

fn skipped(out: &[Outcome]) -> Vec<SkipReason> {
    out.iter()
        .filter_map(|o| match o {
            Outcome::Skipped { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect()
}

fn paused(out: &[Outcome]) -> bool {
    out.iter()
        .any(|o| matches!(o, Outcome::Paused { from, .. } if from == N))
}

#[test]
fn a_likely_opt_out_pauses_every_automated_text_until_a_person_decides() {
    let mut phone = Phone::new(json!({
        "text_back": {"delay_seconds": 120},
        "keyword_replies": [{"keyword": "HOURS", "body": "8 to 5"}],
    }));
    let (first, out) = phone.call();
    assert!(out.is_empty(), "{out:?}");
    // Before the text-back leaves, the caller writes back.
    let out = phone.text("Please don't text me again");
    assert!(paused(&out), "{out:?}");
    assert_eq!(skipped(&out), vec![SkipReason::Paused]);
    assert!(phone.wait(3600).is_empty());
    assert!(phone.telephony.sent().is_empty(), "an automated text went");
    assert_eq!(
        phone.decision(first),
        Some(CallDecision::Skipped(SkipReason::Paused))
    );
    assert!(!phone.opted_out(), "a likely opt-out is not an opt-out");
    assert_eq!(phone.review(), Some(ReviewState::Pending));

    // Keywords, calls: nothing automated.
    assert!(sent(&phone.text("HOURS")).is_empty());
    let (_, out) = phone.call();
    assert_eq!(skipped(&out), vec![SkipReason::Paused]);
    // Saying it again pauses nothing new.
    assert!(!paused(&phone.text("leave me alone")));
    // What they ask for themselves, and a person's reply, still go.
    assert_eq!(sent(&phone.text("HELP")), vec![MessageKind::Help]);
    assert_eq!(
        sent(&phone.reply("Sorry, we won't")),
        vec![MessageKind::Reply]
    );

    // A person resumes automatic texts.
    assert!(phone.decide(ReviewDecision::Resume).is_empty());
    assert_eq!(phone.review(), Some(ReviewState::Resumed));
    assert_eq!(sent(&phone.text("HOURS")), vec![MessageKind::Keyword]);
    assert!(!phone.opted_out());
}

#[test]
fn the_teams_opt_out_records_an_opt_out_without_a_confirmation() {
    let mut phone = Phone::new(json!({}));
    assert!(paused(&phone.text("wrong number")));
    let before = phone.telephony.sent().len();
    phone.decide(ReviewDecision::OptOut);
    assert!(phone.opted_out());
    assert_eq!(phone.review(), Some(ReviewState::Settled));
    assert_eq!(phone.telephony.sent().len(), before, "a confirmation went");
    // As any opt-out: replies too wait for START.
    assert!(matches!(
        phone.reply("Sorry!").as_slice(),
        [Outcome::Refused {
            reason: RefusalReason::OptedOut,
            ..
        }]
    ));
    let (_, out) = phone.call();
    assert_eq!(skipped(&out), vec![SkipReason::OptedOut]);
    // Nothing left to decide.
    assert!(phone.decide(ReviewDecision::Resume).is_empty());
    assert!(phone.opted_out());
    assert_eq!(
        sent(&phone.text("START")),
        vec![MessageKind::OptInConfirmation]
    );
    assert!(!phone.opted_out());
}

#[test]
fn the_numbers_own_stop_or_start_settles_a_pause() {
    let mut phone = Phone::new(json!({}));
    assert!(paused(&phone.text("leave me alone")));
    assert_eq!(
        sent(&phone.text("Stop texting me")),
        vec![MessageKind::OptOutConfirmation]
    );
    assert_eq!(phone.review(), Some(ReviewState::Settled));
    assert!(phone.opted_out());
    assert!(sent(&phone.text("STOP")).is_empty(), "confirmed twice");
    // A likely opt-out from an opted-out number changes nothing.
    assert!(!paused(&phone.text("don't text me")));
    assert_eq!(phone.review(), Some(ReviewState::Settled));

    let mut phone = Phone::new(json!({"text_back": {"quiet_if_texting_minutes": 0}}));
    assert!(paused(&phone.text("no more texts")));
    assert!(sent(&phone.text("START")).is_empty(), "never opted out");
    assert_eq!(phone.review(), Some(ReviewState::Settled));
    let (_, out) = phone.call();
    assert!(skipped(&out).is_empty(), "{out:?}");
    assert_eq!(sent(&out), vec![MessageKind::TextBack]);
}

#[test]
fn a_due_text_to_a_number_opted_out_or_paused_behind_the_engines_back_is_held_and_its_call_says_why()
 {
    for (state, reason) in [
        (None, SkipReason::OptedOut),
        (Some(ReviewState::Pending), SkipReason::Paused),
        (Some(ReviewState::OptOut), SkipReason::Paused),
    ] {
        let mut phone = Phone::new(json!({"text_back": {"delay_seconds": 120}}));
        let (call, _) = phone.call();
        let now = phone.now();
        phone
            .engine
            .store_mut()
            .write(now, "test", |tx| match state {
                None => tx.opt_out(N, now).map(|_| ()),
                Some(s) => tx.set_opt_out_review(N, s, now).map(|_| ()),
            })
            .expect("write");
        let out = phone.wait(120);
        assert!(sent(&out).is_empty(), "{out:?}");
        assert_eq!(skipped(&out), vec![reason]);
        assert_eq!(phone.decision(call), Some(CallDecision::Skipped(reason)));
    }
}

/// Ops the desktop lacks, from the phone.
fn to_desktop(phone: &Phone, desk: &mut Store) {
    let ops = phone
        .engine
        .store()
        .ops_after(desk.version_vector(), 100_000)
        .expect("ops");
    let origin = phone.engine.store().origin().to_string();
    desk.apply_remote(
        &ops,
        Source {
            origin: &origin,
            role: Role::Phone,
        },
        phone.now(),
    )
    .expect("desktop applies");
}

/// Ops the phone lacks, from the desktop.
fn to_phone(desk: &Store, phone: &mut Phone) -> Result<Vec<Outcome>, crate::engine::EngineError> {
    let ops = desk
        .ops_after(phone.engine.store().version_vector(), 100_000)
        .expect("ops");
    phone
        .engine
        .apply_remote(
            &ops,
            Source {
                origin: desk.origin(),
                role: Role::Desktop,
            },
        )
        .map(|(_, out)| out)
}

fn paired_desktop(phone: &mut Phone) -> Store {
    let desk = Store::open_in_memory().expect("desk");
    desk.set_phone_origin(phone.engine.store().origin())
        .expect("phone origin");
    let peer = PeerRecord {
        endpoint: "desk".into(),
        origin: desk.origin().into(),
        role: Role::Desktop,
        name: "Office".into(),
        paired: true,
        changed_at: 0,
    };
    let now = phone.now();
    phone
        .engine
        .store_mut()
        .write(now, "paired", |tx| tx.set_peer(&peer))
        .expect("pair");
    desk
}

#[test]
fn the_pause_reaches_a_desktop_whose_decision_the_phone_carries_out() {
    let mut phone = Phone::new(json!({}));
    let mut desk = paired_desktop(&mut phone);
    phone.text("no me escribas más");
    to_desktop(&phone, &mut desk);
    let row = desk
        .inbox_page(InboxFilter::All, None, 10)
        .expect("inbox")
        .remove(0);
    assert!(row.paused && !row.opted_out, "{row:?}");
    assert_eq!(desk.inbox_count(InboxFilter::OptedOut).expect("count"), 0);
    let detail = desk.conversation(row.id).expect("read").expect("detail");
    assert_eq!(
        detail.opt_out_review.map(|r| r.state),
        Some(ReviewState::Pending)
    );

    // A person on the desktop opts the number out; the phone records it.
    let now = phone.now();
    desk.write(now, "opt_out_decided", |tx| {
        tx.set_opt_out_review(N, ReviewDecision::OptOut.state(), now)
    })
    .expect("decide");
    let out = to_phone(&desk, &mut phone).expect("phone applies");
    assert!(sent(&out).is_empty(), "{out:?}");
    assert!(phone.opted_out());
    assert_eq!(phone.review(), Some(ReviewState::Settled));
    assert!(phone.telephony.sent().is_empty());

    // Back on the desktop: under "opted out", with the banner's date, paused no more.
    to_desktop(&phone, &mut desk);
    assert_eq!(desk.inbox_count(InboxFilter::OptedOut).expect("count"), 1);
    let row = desk
        .inbox_page(InboxFilter::OptedOut, None, 10)
        .expect("inbox")
        .remove(0);
    assert!(row.opted_out && !row.paused, "{row:?}");
    let detail = desk.conversation(row.id).expect("read").expect("detail");
    assert!(detail.opted_out_since.is_some());
    assert_eq!(
        desk.digest().expect("digest"),
        phone.engine.store().digest().expect("digest")
    );
}

#[test]
fn a_desktop_resumes_automatic_texts() {
    let mut phone = Phone::new(json!({"text_back": {"quiet_if_texting_minutes": 0}}));
    let mut desk = paired_desktop(&mut phone);
    phone.text("take me off your list");
    to_desktop(&phone, &mut desk);
    let now = phone.now();
    desk.write(now, "resumed", |tx| {
        tx.set_opt_out_review(N, ReviewDecision::Resume.state(), now)
    })
    .expect("decide");
    to_phone(&desk, &mut phone).expect("apply");
    assert_eq!(phone.review(), Some(ReviewState::Resumed));
    assert!(!phone.opted_out());
    let (_, out) = phone.call();
    assert_eq!(sent(&out), vec![MessageKind::TextBack]);
}

fn desktop_op(desk: &Store, phone: &Phone, change: Change) -> Op {
    Op {
        origin: desk.origin().into(),
        seq: phone.engine.store().version_vector().get(desk.origin()) + 1,
        hlc: Hlc {
            millis: phone.now().as_millisecond(),
            counter: 0,
        },
        changes: vec![change],
    }
}

#[test]
fn a_desktop_may_only_decide_and_only_about_a_paused_phone_number() {
    let mut phone = Phone::new(json!({}));
    let desk = paired_desktop(&mut phone);
    let origin = desk.origin().to_string();
    let apply = |phone: &mut Phone, change: Change| {
        let op = desktop_op(&desk, phone, change);
        phone.engine.apply_remote(
            &[op],
            Source {
                origin: &origin,
                role: Role::Desktop,
            },
        )
    };
    let at = phone.now().as_millisecond();
    // Pausing and settling are the phone's.
    for state in [ReviewState::Pending, ReviewState::Settled] {
        let err = apply(
            &mut phone,
            Change::OptOutReview {
                number: N.into(),
                state,
                at,
            },
        )
        .expect_err("a desktop paused or settled");
        assert!(
            matches!(
                err,
                crate::engine::EngineError::Apply(ApplyError::NotAllowed { .. })
            ),
            "{err}"
        );
    }
    // Not a phone number: refused, nothing stored.
    for number in [
        "",
        "12125550123",
        "+1212555012a",
        &format!("+{}", "9".repeat(40)),
    ] {
        let err = apply(
            &mut phone,
            Change::OptOutReview {
                number: number.into(),
                state: ReviewState::OptOut,
                at,
            },
        )
        .expect_err("a bad number");
        assert!(
            matches!(
                err,
                crate::engine::EngineError::Apply(ApplyError::Invalid { .. })
            ),
            "{err}"
        );
    }
    // A decision about a number that is not paused is ignored: no opt-out, no row.
    apply(
        &mut phone,
        Change::OptOutReview {
            number: N.into(),
            state: ReviewState::OptOut,
            at,
        },
    )
    .expect("applied");
    assert!(!phone.opted_out());
    assert_eq!(phone.review(), None);
}
