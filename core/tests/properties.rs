//! Property tests over random days of calls and texts: the engine's promises hold for every
//! stream, and for a crash between any two store writes.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use ringback_core::engine::DeliveryStatus;
use ringback_core::ports::Clock;
use ringback_core::ports::memory::{ManualClock, MemoryCallLog, MemoryContacts, MemoryTelephony};
use ringback_core::store::Message;
use ringback_core::{
    CallOutcome, EndedCall, Engine, EngineError, InboundSms, Line, MessageKind, MessageStatus,
    Outcome, PlatformEvent, Ports, ReplyRequest, Settings, Store, StoreError,
};
use serde_json::json;

const NUMBERS: [&str; 4] = [
    "+12125550101",
    "(212) 555-0102",
    "212.555.0103",
    "+1 646 555 0104",
];
const BODIES: [&str; 7] = [
    "STOP",
    "start",
    "HELP",
    "hours?",
    "Can you come today?",
    "💧 leak",
    "stop please",
];

#[derive(Debug, Clone)]
enum Step {
    Call {
        number: usize,
        outcome: CallOutcome,
        line: bool,
    },
    Sms {
        number: usize,
        body: usize,
    },
    Reply {
        number: usize,
    },
}

fn step() -> impl Strategy<Value = (u32, Step)> {
    let outcome = prop::sample::select(CallOutcome::ALL.to_vec());
    let step = prop_oneof![
        4 => (0..NUMBERS.len(), outcome, any::<bool>()).prop_map(|(number, outcome, line)| Step::Call { number, outcome, line }),
        2 => (0..NUMBERS.len(), 0..BODIES.len()).prop_map(|(number, body)| Step::Sms { number, body }),
        1 => (0..NUMBERS.len()).prop_map(|number| Step::Reply { number }),
    ];
    // Gaps from 0 s to 8 h, often short so delays, cooldowns and the volume limit interact.
    let gap = prop_oneof![3 => 0u32..120, 2 => 0u32..3_600, 1 => 0u32..28_800];
    (gap, step)
}

#[derive(Debug, Clone)]
struct Knobs {
    delay: u32,
    cooldown: u32,
    quiet: u32,
    max: u32,
    follow_up_hours: f64,
}

fn knobs() -> impl Strategy<Value = Knobs> {
    (0u32..300, 0u32..30, 0u32..180, 1u32..6, 0.5f64..30.0).prop_map(
        |(delay, cooldown, quiet, max, follow_up_hours)| Knobs {
            delay,
            cooldown,
            quiet,
            max,
            follow_up_hours,
        },
    )
}

fn settings(k: &Knobs) -> Settings {
    Settings { business_name: "Acme Plumbing".into(), ..Settings::default() }
        .patched(&json!({
            "text_back": {"delay_seconds": k.delay, "cooldown_hours": k.cooldown, "quiet_if_texting_minutes": k.quiet},
            "limits": {"max_per_30_minutes": k.max},
            "follow_ups": [{"after_hours": k.follow_up_hours, "body": "Still need a hand, {first_name|there}?"}],
            "keyword_replies": [{"keyword": "HOURS", "body": "8 to 5"}],
        }))
        .expect("settings")
}

/// A phone whose engine can be killed and restarted on the same database file.
struct Phone {
    path: PathBuf,
    clock: Arc<ManualClock>,
    telephony: Arc<MemoryTelephony>,
    call_log: Arc<MemoryCallLog>,
    contacts: Arc<MemoryContacts>,
    settings: Settings,
    engine: Option<Engine>,
    crashes: VecDeque<(u64, bool)>,
    restarts: usize,
}

impl Phone {
    fn new(dir: &Path, settings: Settings, crashes: Vec<(u64, bool)>) -> Phone {
        let mut phone = Phone {
            path: dir.join("phone.db"),
            clock: ManualClock::new("2026-11-02T12:00:00Z".parse().expect("t")),
            telephony: MemoryTelephony::new(),
            call_log: MemoryCallLog::new(),
            contacts: MemoryContacts::new(),
            settings,
            engine: None,
            crashes: crashes.into(),
            restarts: 0,
        };
        phone.start();
        phone
    }

    fn start(&mut self) {
        let mut store = Store::open(&self.path).expect("open");
        if let Some((after, commit)) = self.crashes.pop_front() {
            store.inject_crash(after, commit);
        }
        let ports = Ports {
            telephony: self.telephony.clone(),
            call_log: self.call_log.clone(),
            contacts: self.contacts.clone(),
            clock: self.clock.clone(),
        };
        match Engine::open(store, ports, &self.settings) {
            Ok(engine) => self.engine = Some(engine),
            Err(EngineError::Store(StoreError::Interrupted)) => self.restart(),
            Err(e) => panic!("open: {e}"),
        }
    }

    fn restart(&mut self) {
        self.engine = None; // The process dies: nothing in memory survives.
        self.restarts += 1;
        self.start();
    }

    /// Runs `f` until it completes, restarting the engine after each simulated crash (the
    /// platform delivers the event again, as Android does after a restart).
    fn run(
        &mut self,
        f: &dyn Fn(&mut Engine) -> Result<Vec<Outcome>, EngineError>,
    ) -> Vec<Outcome> {
        loop {
            let engine = self.engine.as_mut().expect("engine");
            match f(engine) {
                Ok(outcomes) => return outcomes,
                Err(EngineError::Store(StoreError::Interrupted)) => self.restart(),
                Err(e) => panic!("engine: {e}"),
            }
        }
    }

    /// Lets the simulated network report on every text handed over.
    fn deliver_reports(&mut self, sent_so_far: &mut Vec<ringback_core::ports::SendRequest>) {
        for request in self.telephony.take_sent() {
            let id = request.message_id;
            sent_so_far.push(request);
            self.run(&|e| {
                e.handle(PlatformEvent::SmsSent {
                    message_id: id,
                    result: Ok(()),
                    any_part_left: false,
                })
            });
            self.run(&|e| {
                e.handle(PlatformEvent::Delivered {
                    message_id: id,
                    status: DeliveryStatus::Delivered,
                })
            });
        }
    }

    fn advance_to(&mut self, at: Timestamp, sent: &mut Vec<ringback_core::ports::SendRequest>) {
        loop {
            let wake = self
                .engine
                .as_ref()
                .expect("engine")
                .next_wake()
                .expect("wake");
            match wake {
                Some(w) if w <= at => {
                    self.clock.set(w);
                    self.run(&|e| e.run_due());
                    self.deliver_reports(sent);
                    if self
                        .engine
                        .as_ref()
                        .expect("engine")
                        .next_wake()
                        .expect("wake")
                        == Some(w)
                    {
                        break;
                    }
                }
                _ => break,
            }
        }
        self.clock.set(at);
    }

    fn play(&mut self, steps: &[(u32, Step)]) -> Vec<ringback_core::ports::SendRequest> {
        let mut sent = Vec::new();
        let mut at: Timestamp = self.clock.now();
        for (i, (gap, step)) in steps.iter().enumerate() {
            at = at
                .checked_add(SignedDuration::from_secs(i64::from(*gap)))
                .expect("t");
            self.advance_to(at, &mut sent);
            match step {
                Step::Call {
                    number,
                    outcome,
                    line,
                } => {
                    self.call_log.push(EndedCall {
                        log_id: 0,
                        number: NUMBERS[*number].into(),
                        outcome: *outcome,
                        line: Line(if *line { "sim2".into() } else { String::new() }),
                        ended_at: at,
                    });
                    self.run(&|e| e.handle(PlatformEvent::CallLogChanged));
                }
                Step::Sms { number, body } => {
                    let sms = InboundSms {
                        source_id: Some(format!("sms-{i}")),
                        from: NUMBERS[*number].into(),
                        body: BODIES[*body].into(),
                        line: Line::default(),
                        at,
                    };
                    self.run(&|e| e.handle(PlatformEvent::SmsReceived(sms.clone())));
                }
                Step::Reply { number } => {
                    let request = ReplyRequest {
                        request_id: Some(format!("desk-{i}")),
                        to: NUMBERS[*number].into(),
                        body: format!("Reply {i}"),
                    };
                    self.run(&|e| e.reply(request.clone()));
                }
            }
            self.deliver_reports(&mut sent);
        }
        // After the last event the clock runs on until no timer is left.
        let end = at
            .checked_add(SignedDuration::from_hours(24 * 40))
            .expect("t");
        self.advance_to(end, &mut sent);
        sent
    }

    fn messages(&self) -> Vec<Message> {
        self.engine
            .as_ref()
            .expect("engine")
            .store()
            .reader()
            .all_messages()
            .expect("messages")
    }

    fn commits(&self) -> u64 {
        let conn = self.engine.as_ref().expect("engine").store().connection();
        conn.query_row("SELECT count(*) FROM ops", [], |r| r.get::<_, i64>(0))
            .expect("count") as u64
    }
}

/// What identifies a message across runs (ids may differ after a crash).
fn identity(m: &Message) -> (i64, String, String, i64, Option<i64>, String) {
    (
        m.conversation_id.0,
        m.kind.as_str().to_string(),
        m.body.clone(),
        m.created_at.as_millisecond(),
        m.due_at.map(|t| t.as_millisecond()),
        format!("{:?}", m.direction),
    )
}

fn multiset<T: Ord + Clone>(items: impl Iterator<Item = T>) -> BTreeMap<T, usize> {
    let mut map = BTreeMap::new();
    for i in items {
        *map.entry(i).or_insert(0) += 1;
    }
    map
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_number_gets_two_text_backs_within_the_cooldown(k in knobs(), steps in prop::collection::vec(step(), 1..60)) {
        let dir = tempfile::tempdir().expect("dir");
        let mut phone = Phone::new(dir.path(), settings(&k), vec![]);
        let sent = phone.play(&steps);
        let cooldown = SignedDuration::from_hours(i64::from(k.cooldown));
        let mut by_number: BTreeMap<String, Vec<Timestamp>> = BTreeMap::new();
        let messages = phone.messages();
        for m in messages.iter().filter(|m| m.kind == MessageKind::TextBack && m.status != MessageStatus::Cancelled) {
            let to = sent.iter().find(|s| s.message_id == m.id).map(|s| s.to.clone());
            by_number.entry(to.unwrap_or_default()).or_default().push(m.created_at);
        }
        for (number, times) in by_number {
            for pair in times.windows(2) {
                prop_assert!(pair[1].duration_since(pair[0]) >= cooldown, "{number}: text-backs at {} and {}", pair[0], pair[1]);
            }
        }
        // Every text handed to the platform was handed over once.
        let ids: HashSet<_> = sent.iter().map(|s| s.message_id).collect();
        prop_assert_eq!(ids.len(), sent.len());
        prop_assert!(messages.iter().all(|m| m.status != MessageStatus::Queued), "a timer was left behind");
    }

    #[test]
    fn a_crash_between_any_two_writes_never_sends_twice_or_loses_a_message(
        k in knobs(),
        steps in prop::collection::vec(step(), 1..40),
        crash_points in prop::collection::vec((0.0f64..1.0, any::<bool>()), 1..4),
    ) {
        let reference_dir = tempfile::tempdir().expect("dir");
        let mut reference = Phone::new(reference_dir.path(), settings(&k), vec![]);
        let reference_sent = reference.play(&steps);
        let total = reference.commits().max(1);

        let crashes: Vec<(u64, bool)> = crash_points.iter().map(|(f, c)| (((total as f64) * f) as u64, *c)).collect();
        let dir = tempfile::tempdir().expect("dir");
        let mut phone = Phone::new(dir.path(), settings(&k), crashes);
        let sent = phone.play(&steps);
        prop_assert!(phone.restarts >= 1 || phone.crashes.is_empty(), "the crash must have happened");

        // Never twice: each message id reaches the platform at most once, and no text goes
        // out more often than without crashes.
        let ids: HashSet<_> = sent.iter().map(|s| s.message_id).collect();
        prop_assert_eq!(ids.len(), sent.len(), "a message was handed to the platform twice");
        let key = |s: &ringback_core::ports::SendRequest| (s.to.clone(), s.body.clone());
        let with_crash = multiset(sent.iter().map(key));
        let without = multiset(reference_sent.iter().map(key));
        for (text, n) in &with_crash {
            prop_assert!(without.get(text).copied().unwrap_or(0) >= *n, "{text:?} sent {n} times");
        }

        // Never lost: the store holds exactly the messages of the crash-free run, and each
        // that left there either left here too or is shown as unconfirmed.
        let messages = phone.messages();
        let reference_messages = reference.messages();
        prop_assert_eq!(multiset(messages.iter().map(identity)), multiset(reference_messages.iter().map(identity)));
        for m in &messages {
            let reached_platform = ids.contains(&m.id);
            match m.status {
                MessageStatus::Queued | MessageStatus::Sending => prop_assert!(false, "message {:?} stuck {:?}", m.id, m.status),
                MessageStatus::Unconfirmed => prop_assert!(m.left_at.is_some()),
                MessageStatus::Sent | MessageStatus::Delivered => prop_assert!(reached_platform, "{:?} marked sent but never handed over", m.id),
                _ => {}
            }
        }
    }
}
