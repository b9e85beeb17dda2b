//! The desktop's queries on a store the real engine filled: the inbox count, a
//! conversation's detail and calls, and the dashboard (a DST day included).

use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ringback_core::conversation::LeadStatus;
use ringback_core::engine::DeliveryStatus;
use ringback_core::oplog::op::Field;
use ringback_core::ports::memory::{ManualClock, MemoryCallLog, MemoryContacts, MemoryTelephony};
use ringback_core::store::{ConversationId, InboxFilter};
use ringback_core::{
    CallDecision, CallOutcome, EndedCall, Engine, InboundSms, Line, PlatformEvent, Ports,
    ReplyRequest, Settings, Store,
};

struct Phone {
    clock: Arc<ManualClock>,
    telephony: Arc<MemoryTelephony>,
    call_log: Arc<MemoryCallLog>,
    engine: Engine,
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

impl Phone {
    fn new(start: &str) -> Phone {
        let clock = ManualClock::new(ts(start));
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
        };
        let engine = Engine::open(Store::open_in_memory().expect("store"), ports, &settings)
            .expect("engine");
        Phone {
            clock,
            telephony,
            call_log,
            engine,
        }
    }

    fn at(&mut self, t: &str) {
        self.clock.set(ts(t));
        self.engine.run_due().expect("due");
        self.deliver();
    }

    fn deliver(&mut self) {
        for sent in self.telephony.take_sent() {
            self.engine
                .handle(PlatformEvent::SmsSent {
                    message_id: sent.message_id,
                    result: Ok(()),
                    any_part_left: false,
                })
                .expect("sent");
            self.engine
                .handle(PlatformEvent::Delivered {
                    message_id: sent.message_id,
                    status: DeliveryStatus::Delivered,
                })
                .expect("delivered");
        }
    }

    fn call(&mut self, t: &str, number: &str, outcome: CallOutcome) {
        self.clock.set(ts(t));
        self.call_log.push(EndedCall {
            log_id: 0,
            number: number.into(),
            outcome,
            line: Line("sim1".into()),
            ended_at: ts(t),
        });
        self.engine
            .handle(PlatformEvent::CallLogChanged)
            .expect("call");
        self.engine.run_due().expect("due");
        self.deliver();
    }

    fn text(&mut self, t: &str, number: &str, body: &str) {
        self.clock.set(ts(t));
        self.engine
            .handle(PlatformEvent::SmsReceived(InboundSms {
                source_id: None,
                from: number.into(),
                body: body.into(),
                line: Line("sim1".into()),
                at: ts(t),
            }))
            .expect("sms");
        self.deliver();
    }

    fn answer(&mut self, t: &str, number: &str, body: &str) {
        self.clock.set(ts(t));
        self.engine
            .reply(ReplyRequest {
                request_id: None,
                to: number.into(),
                body: body.into(),
            })
            .expect("reply");
        self.deliver();
    }

    fn store(&self) -> &Store {
        self.engine.store()
    }
}

#[test]
fn inbox_count_matches_every_filter_paged_through() {
    let mut phone = Phone::new("2026-11-02T15:00:00Z");
    phone.call("2026-11-02T15:00:00Z", "+12125550101", CallOutcome::Missed);
    phone.call("2026-11-02T15:01:00Z", "+12125550102", CallOutcome::Missed);
    phone.text("2026-11-02T15:02:00Z", "+12125550102", "Can you come?");
    phone.text("2026-11-02T15:03:00Z", "+12125550103", "STOP");
    for filter in [
        InboxFilter::All,
        InboxFilter::Unread,
        InboxFilter::NeedsReply,
        InboxFilter::Booked,
        InboxFilter::OptedOut,
    ] {
        let mut paged = 0;
        let mut after = None;
        loop {
            let page = phone.store().inbox_page(filter, after, 1).expect("page");
            let Some(last) = page.last() else { break };
            after = Some(last.cursor());
            paged += page.len() as u64;
        }
        assert_eq!(
            phone.store().inbox_count(filter).expect("count"),
            paged,
            "{filter:?}"
        );
    }
    assert_eq!(
        phone.store().inbox_count(InboxFilter::All).expect("count"),
        3
    );
    assert_eq!(
        phone
            .store()
            .inbox_count(InboxFilter::OptedOut)
            .expect("count"),
        1
    );
}

#[test]
fn a_conversation_has_its_note_opt_out_and_calls() {
    let mut phone = Phone::new("2026-11-02T15:00:00Z");
    phone.call("2026-11-02T15:00:00Z", "+12125550101", CallOutcome::Missed);
    phone.call(
        "2026-11-02T16:00:00Z",
        "+12125550101",
        CallOutcome::Answered,
    );
    phone.text("2026-11-02T16:30:00Z", "+12125550101", "stop");
    let page = phone
        .store()
        .inbox_page(InboxFilter::All, None, 10)
        .expect("page");
    let id = page[0].id;
    let detail = phone
        .store()
        .conversation(id)
        .expect("read")
        .expect("there");
    assert_eq!(detail.number, "+12125550101");
    assert_eq!(detail.opted_out_since, Some(ts("2026-11-02T16:30:00Z")));
    assert_eq!(detail.note, "");
    let calls = phone.store().calls_with("+12125550101", 10).expect("calls");
    assert_eq!(calls.len(), 2, "every outcome, newest first");
    assert_eq!(calls[0].outcome, CallOutcome::Answered);
    assert_eq!(calls[1].decision, Some(CallDecision::TextBack));
    assert_eq!(calls[1].conversation_id, Some(id));
    assert!(
        phone
            .store()
            .conversation(ConversationId(9_999))
            .expect("read")
            .is_none()
    );
    assert!(
        phone
            .store()
            .calls_with("+19995550000", 10)
            .expect("calls")
            .is_empty()
    );
}

#[test]
fn the_dashboard_counts_a_period_by_local_day_with_medians() {
    // 2026-11-01 is the day New York's clocks go back (25 hours).
    let mut phone = Phone::new("2026-11-01T12:00:00Z");
    let ny = TimeZone::get("America/New_York").expect("zone");
    phone.call("2026-11-01T14:00:00Z", "+12125550101", CallOutcome::Missed); // texted at once
    phone.text(
        "2026-11-01T14:05:00Z",
        "+12125550101",
        "Leak in the kitchen",
    );
    phone.answer("2026-11-01T14:08:00Z", "+12125550101", "On our way");
    phone.call(
        "2026-11-01T15:00:00Z",
        "+12125550102",
        CallOutcome::Voicemail,
    );
    phone.call("2026-11-01T15:10:00Z", "+12125550102", CallOutcome::Missed); // cooldown: skipped
    phone.call(
        "2026-11-01T15:20:00Z",
        "+12125550103",
        CallOutcome::Answered,
    ); // no decision
    // 23:30 local on Nov 1 (04:30Z on Nov 2) still belongs to Nov 1 in New York.
    phone.call(
        "2026-11-02T04:30:00Z",
        "+12125550104",
        CallOutcome::Rejected,
    );
    phone.call("2026-11-02T16:00:00Z", "+12125550105", CallOutcome::Missed);
    phone.at("2026-11-02T17:00:00Z");
    let booked = phone
        .store()
        .inbox_page(InboxFilter::All, None, 10)
        .expect("page")
        .into_iter()
        .find(|c| c.number == "+12125550101")
        .expect("conversation")
        .id;
    phone
        .engine
        .store_mut()
        .write(ts("2026-11-02T17:00:00Z"), "test", |tx| {
            tx.set_field(booked, Field::LeadStatus(LeadStatus::Booked))
        })
        .expect("booked");

    let from = ts("2026-11-01T04:00:00Z");
    let to = ts("2026-11-03T05:00:00Z");
    let d = phone.store().dashboard(from, to, &ny).expect("dashboard");
    assert_eq!(d.missed, 5, "every call with a decision");
    assert_eq!(d.texted, 4, "the cooldown skip is not texted");
    assert_eq!(d.replied, 1);
    assert_eq!(d.booked, 1);
    assert_eq!(d.recovery_rate, Some(0.2));
    assert_eq!(
        d.median_text_seconds,
        Some(0.0),
        "delay 0: the text leaves as the call ends"
    );
    assert_eq!(
        d.median_first_answer_seconds,
        Some(180.0),
        "reply 14:05, answer 14:08"
    );
    let days: Vec<(&str, u32, u32)> = d
        .days
        .iter()
        .map(|x| (x.day.as_str(), x.missed, x.texted))
        .collect();
    assert_eq!(days, [("2026-11-01", 4, 3), ("2026-11-02", 1, 1)]);
    assert_eq!(d.days[0].booked, 1);

    // An empty period still has its days, and no rate.
    let empty = phone
        .store()
        .dashboard(ts("2026-10-01T04:00:00Z"), ts("2026-10-04T04:00:00Z"), &ny)
        .expect("dashboard");
    assert_eq!((empty.missed, empty.recovery_rate), (0, None));
    assert_eq!(empty.days.len(), 3);
    assert!(empty.median_first_answer_seconds.is_none());
}

#[test]
fn inbox_count_follows_archived_booked_and_read_conversations() {
    let mut phone = Phone::new("2026-11-02T15:00:00Z");
    for (i, number) in [
        "+12125550101",
        "+12125550102",
        "+12125550103",
        "+12125550104",
    ]
    .iter()
    .enumerate()
    {
        phone.text(&format!("2026-11-02T15:0{i}:00Z"), number, "Quote please?");
    }
    phone.answer("2026-11-02T15:10:00Z", "+12125550104", "Sure, Tuesday?");
    let ids: Vec<(String, ConversationId)> = phone
        .store()
        .inbox_page(InboxFilter::All, None, 10)
        .expect("page")
        .into_iter()
        .map(|c| (c.number, c.id))
        .collect();
    let id = |n: &str| ids.iter().find(|(x, _)| x == n).expect("conversation").1;
    let (archived, booked, read) = (id("+12125550101"), id("+12125550102"), id("+12125550103"));
    let last_inbound = phone.store().thread_page(read, None, 1).expect("thread")[0]
        .id
        .0;
    phone
        .engine
        .store_mut()
        .write(ts("2026-11-02T15:20:00Z"), "test", |tx| {
            tx.set_field(archived, Field::Archived(true))?;
            tx.set_field(booked, Field::LeadStatus(LeadStatus::Booked))?;
            tx.set_field(read, Field::ReadUpTo(last_inbound))
        })
        .expect("fields");

    let count = |f| phone.store().inbox_count(f).expect("count");
    let paged = |f| {
        let mut n = 0u64;
        let mut after = None;
        loop {
            let page = phone.store().inbox_page(f, after, 2).expect("page");
            let Some(last) = page.last() else { break n };
            after = Some(last.cursor());
            n += page.len() as u64;
        }
    };
    for filter in [
        InboxFilter::All,
        InboxFilter::Unread,
        InboxFilter::NeedsReply,
        InboxFilter::Booked,
        InboxFilter::OptedOut,
    ] {
        assert_eq!(count(filter), paged(filter), "{filter:?}");
    }
    assert_eq!(count(InboxFilter::All), 3, "the archived one is left out");
    assert_eq!(count(InboxFilter::Booked), 1);
    assert_eq!(
        count(InboxFilter::NeedsReply),
        3,
        "all but the answered one"
    );
    assert_eq!(
        count(InboxFilter::Unread),
        3,
        "only the read one is not unread (archived ones count, as inbox_page shows them)"
    );
}

#[test]
fn a_conversation_detail_carries_what_the_team_set() {
    let mut phone = Phone::new("2026-11-02T15:00:00Z");
    phone
        .engine
        .handle(PlatformEvent::ContactChanged {
            number: "+12125550101".into(),
            name: Some("Dana Whitfield".into()),
        })
        .expect("contact");
    phone.text(
        "2026-11-02T15:00:00Z",
        "+12125550101",
        "Leak under the sink 💧",
    );
    let id = phone
        .store()
        .inbox_page(InboxFilter::All, None, 1)
        .expect("page")[0]
        .id;
    let before = phone
        .store()
        .conversation(id)
        .expect("read")
        .expect("there");
    assert_eq!(before.contact_name.as_deref(), Some("Dana Whitfield"));
    assert_eq!(before.line, Line("sim1".into()));
    assert_eq!((before.unread, before.read_up_to), (1, 0));
    assert_eq!(before.lead_status, LeadStatus::Engaged, "they texted");
    assert!(!before.archived);
    assert_eq!(before.opted_out_since, None);

    let inbound = phone.store().thread_page(id, None, 1).expect("thread")[0].id;
    phone
        .engine
        .store_mut()
        .write(ts("2026-11-02T15:05:00Z"), "test", |tx| {
            tx.set_field(id, Field::Note("Gate code 4411; dog is friendly".into()))?;
            tx.set_field(id, Field::LeadStatus(LeadStatus::Lost))?;
            tx.set_field(id, Field::Archived(true))?;
            tx.set_field(id, Field::ReadUpTo(inbound.0))
        })
        .expect("fields");
    let after = phone
        .store()
        .conversation(id)
        .expect("read")
        .expect("there");
    assert_eq!(after.note, "Gate code 4411; dog is friendly");
    assert_eq!(after.lead_status, LeadStatus::Lost);
    assert!(after.archived);
    assert_eq!((after.unread, after.read_up_to), (0, inbound.0));
    assert_eq!(after.last_activity_at, before.last_activity_at);
}

#[test]
fn dashboard_days_follow_new_york_into_daylight_time_and_empty_ranges_are_empty() {
    // 2026-03-08 is the day New York's clocks go forward: 23 hours long, from 05:00Z to
    // 04:00Z on the 9th.
    let mut phone = Phone::new("2026-03-08T12:00:00Z");
    let ny = TimeZone::get("America/New_York").expect("zone");
    phone.call("2026-03-08T14:00:00Z", "+12125550101", CallOutcome::Missed);
    // 23:30 EDT on the 8th (a fixed -05:00 would say 22:30, the same day).
    phone.call("2026-03-09T03:30:00Z", "+12125550102", CallOutcome::Missed);
    // 00:30 EDT on the 9th (a fixed -05:00 would say 23:30 on the 8th).
    phone.call("2026-03-09T04:30:00Z", "+12125550103", CallOutcome::Missed);
    phone.at("2026-03-09T05:00:00Z");

    let day = phone
        .store()
        .dashboard(ts("2026-03-08T05:00:00Z"), ts("2026-03-09T04:00:00Z"), &ny)
        .expect("dashboard");
    let days: Vec<(&str, u32)> = day
        .days
        .iter()
        .map(|d| (d.day.as_str(), d.missed))
        .collect();
    assert_eq!(days, [("2026-03-08", 2)], "one local day of 23 hours");
    assert_eq!(day.missed, 2);

    let both = phone
        .store()
        .dashboard(ts("2026-03-08T05:00:00Z"), ts("2026-03-10T04:00:00Z"), &ny)
        .expect("dashboard");
    let days: Vec<(&str, u32, u32)> = both
        .days
        .iter()
        .map(|d| (d.day.as_str(), d.missed, d.texted))
        .collect();
    assert_eq!(days, [("2026-03-08", 2, 2), ("2026-03-09", 1, 1)]);
    assert_eq!(
        both.days.iter().map(|d| d.missed).sum::<u32>(),
        both.missed,
        "the days add up to the period"
    );

    // A range that is empty or backwards has no days and no figures, and is no error.
    let at = ts("2026-03-08T14:00:00Z");
    for (from, to) in [(at, at), (ts("2026-03-09T00:00:00Z"), at)] {
        let empty = phone.store().dashboard(from, to, &ny).expect("dashboard");
        assert!(empty.days.is_empty(), "{:?}", empty.days);
        assert_eq!((empty.missed, empty.recovery_rate), (0, None));
        assert_eq!(empty.median_text_seconds, None);
    }
}

#[test]
fn a_picture_message_previews_as_a_photo_and_its_text_is_found() {
    use ringback_core::attachment::{AttachmentData, NewAttachment};
    use ringback_core::engine::InboundMms;
    let mut phone = Phone::new("2026-11-02T15:00:00Z");
    let mms = |source: &str, from: &str, text: &str, downloaded: bool, at: &str| InboundMms {
        source_id: source.into(),
        from: from.into(),
        others: Vec::new(),
        text: text.into(),
        attachments: if downloaded {
            vec![NewAttachment {
                content_type: "image/jpeg".into(),
                name: None,
                data: AttachmentData::Bytes(vec![0xFF, 0xD8, 0xFF, 0xD9]),
                thumbnail: None,
            }]
        } else {
            Vec::new()
        },
        line: Line("sim1".into()),
        at: ts(at),
        downloaded,
    };
    phone
        .engine
        .handle(PlatformEvent::MmsReceived(mms(
            "m1",
            "+12125550101",
            "the valve under the kitchen sink",
            true,
            "2026-11-02T15:01:00Z",
        )))
        .expect("mms");
    phone
        .engine
        .handle(PlatformEvent::MmsReceived(mms(
            "m2",
            "+12125550102",
            "",
            false,
            "2026-11-02T15:02:00Z",
        )))
        .expect("mms");
    let store = phone.engine.store();
    let page = store.inbox_page(InboxFilter::All, None, 10).expect("inbox");
    let of = |number: &str| {
        page.iter()
            .find(|c| c.number == number)
            .expect("conversation")
            .last_attachment
            .clone()
    };
    assert_eq!(of("+12125550101").as_deref(), Some("image/jpeg"));
    // Not downloaded yet: a placeholder with no type.
    assert_eq!(of("+12125550102").as_deref(), Some(""));
    let hits = store.search("kitchen", 10).expect("search");
    assert_eq!(hits.len(), 1, "{hits:?}");
}
