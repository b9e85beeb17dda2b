use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::settings::{BusinessHours, WeekHours};

fn ny() -> TimeZone {
    TimeZone::get("America/New_York").expect("tz")
}

fn at(local: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = local.parse().expect("datetime");
    ny().to_timestamp(dt).expect("instant")
}

/// Monday 09:00–12:00 only.
fn mornings() -> WeekHours {
    WeekHours::parse(&BusinessHours {
        mon: vec!["09:00-12:00".into()],
        tue: Vec::new(),
        wed: Vec::new(),
        thu: Vec::new(),
        fri: Vec::new(),
        sat: Vec::new(),
        sun: Vec::new(),
    })
    .expect("hours")
}

fn facts() -> Facts {
    Facts {
        business_name: "Acme Plumbing".into(),
        services: vec!["leaks".into(), "boilers".into()],
        service_area: vec!["10001".into(), "10002".into()],
        price_notes: vec!["call-out fee $89".into()],
        hours: "Mon 9–12".into(),
    }
}

#[test]
fn free_slots_are_the_availability_cut_into_slots_minus_bookings() {
    let hour = SignedDuration::from_hours(1);
    let booked = [Slot {
        start: at("2026-11-02T10:00"),
        end: at("2026-11-02T11:00"),
    }];
    let from = at("2026-11-02T08:00"); // a Monday
    let slots = free_slots(&mornings(), &ny(), hour, from, 7, &booked, 10);
    let starts: Vec<Timestamp> = slots.iter().map(|s| s.start).collect();
    assert_eq!(starts, vec![at("2026-11-02T09:00"), at("2026-11-02T11:00")]);
    assert_eq!(slots[0].end, at("2026-11-02T10:00"));
    // Part-way through the morning: only what is still ahead; next week's Monday follows.
    let later = free_slots(
        &mornings(),
        &ny(),
        hour,
        at("2026-11-02T09:30"),
        8,
        &booked,
        10,
    );
    let starts: Vec<Timestamp> = later.iter().map(|s| s.start).collect();
    assert_eq!(
        starts,
        vec![
            at("2026-11-02T11:00"),
            at("2026-11-09T09:00"),
            at("2026-11-09T10:00"),
            at("2026-11-09T11:00")
        ]
    );
    // A 90-minute slot never runs past noon; the limit and a zero length hold.
    let long = free_slots(
        &mornings(),
        &ny(),
        SignedDuration::from_mins(90),
        from,
        1,
        &[],
        10,
    );
    assert_eq!(long.len(), 2);
    assert_eq!(
        free_slots(&mornings(), &ny(), hour, from, 7, &[], 1).len(),
        1
    );
    assert!(free_slots(&mornings(), &ny(), SignedDuration::ZERO, from, 7, &[], 10).is_empty());
}

#[test]
fn asking_for_a_person_is_recognised_as_words() {
    for yes in [
        "Can a human call me?",
        "CALL ME!!",
        "I want to talk to an agent",
        "just give me a call back pls",
        "Real person please",
    ] {
        assert!(wants_a_person(yes), "{yes}");
    }
    for no in [
        "I'm a humanist",
        "the recall notice",
        "leaking pipe under the sink",
        "",
        "🚰🚰🚰",
    ] {
        assert!(!wants_a_person(no), "{no}");
    }
}

#[test]
fn the_prompt_carries_the_facts_the_slots_and_the_thread() {
    let slot = Slot {
        start: at("2026-11-02T09:00"),
        end: at("2026-11-02T10:00"),
    };
    let messages = build_messages(
        &facts(),
        &[slot],
        &ny(),
        &[
            (Speaker::Business, "Sorry we missed your call!".into()),
            (Speaker::Caller, "Leak under the sink".into()),
        ],
    );
    assert_eq!(messages.len(), 3);
    let system = &messages[0].content;
    for needle in [
        "Acme Plumbing",
        "boilers",
        "10002",
        "call-out fee $89",
        "Mon 2026-11-02 09:00",
    ] {
        assert!(system.contains(needle), "{needle} in {system}");
    }
    assert_eq!(messages[1].role, "assistant");
    assert_eq!(messages[2].role, "user");
    assert_eq!(messages[2].content, "Leak under the sink");
}

#[test]
fn answers_are_validated_before_anything_is_sent() {
    let tz = ny();
    let offered = [Slot {
        start: at("2026-11-02T09:00"),
        end: at("2026-11-02T10:00"),
    }];
    let good = "```json\n{\"reply\": \"Booked for Monday 9:00, see you then!\", \"problem\": \"Leaking pipe\", \
                \"postcode\": \"10001\", \"urgency\": \"urgent\", \"preferred_time\": \"today after 3\", \
                \"book_slot\": \"Mon 2026-11-02 09:00\"}\n```";
    let answer = parse_answer(good, &offered, &tz, &facts()).expect("valid");
    assert_eq!(answer.book, Some(offered[0]));
    assert_eq!(
        lead_card(&answer.lead),
        "Leaking pipe · 10001 · urgent · today after 3"
    );

    type Expect = fn(&AnswerError) -> bool;
    let cases: [(&str, Expect); 6] = [
        ("Sure, we can come!", |e| {
            matches!(e, AnswerError::NotJson(_))
        }),
        ("{\"reply\": 5}", |e| matches!(e, AnswerError::NotJson(_))),
        ("{\"reply\": \"  \"}", |e| matches!(e, AnswerError::NoReply)),
        (
            "{\"reply\": \"See you\", \"book_slot\": \"Mon 2026-11-02 10:00\"}",
            |e| matches!(e, AnswerError::SlotNotFree(_)),
        ),
        (
            "{\"reply\": \"That will be $120 all in.\"}",
            |e| matches!(e, AnswerError::InventedPrice(p) if p == "$120"),
        ),
        ("{\"reply\": \"About 150 dollars.\"}", |e| {
            matches!(e, AnswerError::InventedPrice(_))
        }),
    ];
    for (content, expected) in cases {
        let err = parse_answer(content, &offered, &tz, &facts()).expect_err(content);
        assert!(expected(&err), "{content}: {err}");
    }
    let long = format!("{{\"reply\": \"{}\"}}", "a".repeat(10_000));
    assert_eq!(
        parse_answer(&long, &offered, &tz, &facts()),
        Err(AnswerError::TooLong(10_000))
    );
    // A price from the notes, a number that is no price, and emoji pass.
    for fine in [
        "{\"reply\": \"The call-out fee is $89.\"}",
        "{\"reply\": \"We can be there by 3 🚐\", \"book_slot\": null}",
        "{\"reply\": \"Is that 10001?\", \"postcode\": \"null\"}",
    ] {
        let answer = parse_answer(fine, &offered, &tz, &facts()).expect(fine);
        assert_eq!(answer.lead.postcode, None);
    }
}

#[test]
fn appointments_export_as_icalendar() {
    let appointment = Appointment {
        id: "conv-7-1".into(),
        slot: Slot {
            start: at("2026-11-02T09:00"),
            end: at("2026-11-02T10:00"),
        },
        who: "Dana, +12125550123".into(),
        summary: format!("Leaking pipe; 10001 · urgent {}", "🚰".repeat(30)),
    };
    let text = ics(&[appointment], "Acme Plumbing", at("2026-11-01T12:00"));
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(text.contains("DTSTART:20261102T140000Z\r\n"), "{text}");
    assert!(text.contains("DTEND:20261102T150000Z\r\n"));
    assert!(text.contains("SUMMARY:Acme Plumbing — Dana\\, +12125550123"));
    assert!(text.contains("Leaking pipe\\; 10001"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    // Unfolded, the description is whole again.
    let unfolded = text.replace("\r\n ", "");
    assert!(unfolded.contains(&"🚰".repeat(30)));
}

#[test]
fn promises_and_times_not_in_the_settings_are_refused() {
    let slots = [Slot {
        start: at("2026-11-02T09:00"),
        end: at("2026-11-02T10:00"),
    }];
    let check = |reply: &str| {
        parse_answer(
            &format!(r#"{{"reply": "{reply}"}}"#),
            &slots,
            &ny(),
            &facts(),
        )
    };
    for (reply, bad) in [
        ("All our work is guaranteed!", "guarantee"),
        ("We'll do it for free.", "for free"),
        ("We can come at 3pm today.", "3 pm"),
        ("How about 15:30?", "15:30"),
        ("Is 4:45 p.m. ok?", "4:45 pm"),
    ] {
        let e = check(reply).expect_err(reply);
        let named = match &e {
            AnswerError::InventedPromise(w) | AnswerError::InventedTime(w) => w.clone(),
            other => panic!("{reply}: {other:?}"),
        };
        assert!(
            named.starts_with(bad.trim_end_matches('.')),
            "{reply}: {named}"
        );
    }
    // The offered slot's time, the opening hours, and numbers that are not times pass.
    for reply in [
        "We have Mon 2026-11-02 09:00 free, or 9am works.",
        "We open at 9:00.",
        "Is that 10001? We have 2 plumbers nearby.",
        "Our call-out fee is $89.",
    ] {
        assert!(check(reply).is_ok(), "{reply}: {:?}", check(reply));
    }
}

#[test]
fn raw_line_breaks_in_strings_are_read_and_copied_instructions_are_not_answers() {
    let answer = parse_answer(
        "{\"reply\": \"Sorry!\nWhat's the postcode?\"}",
        &[],
        &ny(),
        &facts(),
    )
    .expect("a raw line break is tolerated");
    assert_eq!(answer.reply, "Sorry! What's the postcode?");
    for copied in [r#"{"reply": "text to send"}"#, r#"{"reply": "…"}"#] {
        assert_eq!(
            parse_answer(copied, &[], &ny(), &facts()),
            Err(AnswerError::NoReply),
            "{copied}"
        );
    }
}

#[test]
fn the_answer_schema_offers_exactly_the_free_slots_or_null() {
    let slots = [Slot {
        start: at("2026-11-02T09:00"),
        end: at("2026-11-02T10:00"),
    }];
    let schema = answer_schema(&slots, &ny());
    assert_eq!(
        schema["properties"]["book_slot"]["enum"],
        serde_json::json!(["Mon 2026-11-02 09:00", null])
    );
    assert_eq!(schema["required"].as_array().map(Vec::len), Some(6));
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
}

#[test]
fn a_booking_past_the_days_appointments_is_refused_and_no_booking_always_passes() {
    let slot = Slot {
        start: at("2026-11-02T09:00"),
        end: at("2026-11-02T10:00"),
    };
    let booking = Answer {
        reply: "Booked!".into(),
        lead: LeadFields::default(),
        book: Some(slot),
    };
    assert_eq!(check_booking(&booking, 0, 1), Ok(()));
    assert_eq!(
        check_booking(&booking, 1, 1),
        Err(AnswerError::BookingLimit(1))
    );
    assert_eq!(
        check_booking(&booking, 0, 0),
        Err(AnswerError::BookingLimit(0))
    );
    let no_booking = Answer {
        book: None,
        ..booking
    };
    assert_eq!(check_booking(&no_booking, 5, 0), Ok(()));
}

/// Issue 13: a line break of any kind in a text value (a lone CR included) is escaped as
/// `\n`, so a lead field cannot end its line or start a property of its own.
#[test]
fn every_line_break_in_icalendar_text_is_escaped() {
    let appointment = Appointment {
        id: "conv-7\r-1".into(),
        slot: Slot {
            start: at("2026-11-02T09:00"),
            end: at("2026-11-02T10:00"),
        },
        who: "Dana\rATTENDEE:mailto:evil@example.com".into(),
        summary: "Leak\rEND:VEVENT\r\nBEGIN:VEVENT\nX\u{2028}Y\u{0}Z\tT".into(),
    };
    let text = ics(&[appointment], "Acme\r\nPlumbing", at("2026-11-01T12:00"));
    // Every CR is the first half of a CRLF, every LF the second half.
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\r' => assert_eq!(bytes.get(i + 1), Some(&b'\n'), "a lone CR at {i}: {text:?}"),
            b'\n' => assert_eq!(bytes[i - 1], b'\r', "a lone LF at {i}: {text:?}"),
            _ => {}
        }
    }
    let unfolded = text.replace("\r\n ", "");
    let lines: Vec<&str> = unfolded.split("\r\n").collect();
    assert_eq!(
        lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(),
        1,
        "{text}"
    );
    assert_eq!(
        lines.iter().filter(|l| **l == "END:VEVENT").count(),
        1,
        "{text}"
    );
    assert!(
        unfolded.contains("SUMMARY:Acme\\nPlumbing — Dana\\nATTENDEE:mailto:evil@example.com\r\n"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("DESCRIPTION:Leak\\nEND:VEVENT\\nBEGIN:VEVENT\\nX\\nYZ\tT\r\n"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("UID:conv-7\\n-1@ringback\r\n"),
        "{unfolded}"
    );
    // No content line starts with a property the values tried to add.
    for line in unfolded.split("\r\n") {
        assert!(!line.starts_with("ATTENDEE"), "{line}");
    }
}

#[test]
fn lead_fields_are_one_line_whatever_the_json_escapes_hold() {
    let answer = parse_answer(
        r#"{"reply": "Thanks!", "problem": "Leak\rEND:VEVENT", "postcode": "\r\n10001\u2028"}"#,
        &[],
        &ny(),
        &facts(),
    )
    .expect("valid");
    assert_eq!(answer.lead.problem.as_deref(), Some("Leak END:VEVENT"));
    assert_eq!(answer.lead.postcode.as_deref(), Some("10001"));
    assert!(
        lead_card(&answer.lead).chars().all(|c| !c.is_control()),
        "{:?}",
        answer.lead
    );
}
