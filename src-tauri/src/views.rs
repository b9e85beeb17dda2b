//! Core rows turned into what the window shows: numbers formatted for reading, lines and
//! reasons in words, times in milliseconds.

use std::collections::HashMap;

use phonenumber::Mode;
use ringback_core::store::Message;
use ringback_core::store::{CallRecord, ConversationSummary};
use ringback_core::{Failure, Line};

use ringback_core::store::InboxCursor;

use crate::ipc::{
    AppointmentView, AttachmentKind, AttachmentView, CallRow, ConvKey, ConversationRow, HoldView,
    InboxAfter, MessageRow, MessageState, RetryView, SegmentInfo,
};
use ringback_core::attachment::{Attachment, AttachmentState, placeholder};

/// Longest inbox preview, in characters.
const PREVIEW_CHARS: usize = 140;

/// A number as people write it ("+1 212-555-0123"); anything that is not a number as given.
pub fn display_number(number: &str) -> String {
    match phonenumber::parse(None, number) {
        Ok(parsed) if number.starts_with('+') => {
            parsed.format().mode(Mode::International).to_string()
        }
        _ => number.to_string(),
    }
}

/// A line in words: "SIM 1", prefixed with the phone's name when several phones are paired.
pub fn line_label(line: &Line, phone: &str, names: &HashMap<String, String>) -> String {
    let sim = match line.name() {
        None => "Phone".to_string(),
        Some(name) => match name.strip_prefix("sim").and_then(|n| n.parse::<u32>().ok()) {
            Some(n) => format!("SIM {n}"),
            None => name.to_string(),
        },
    };
    if names.len() > 1 {
        let phone_name = names.get(phone).map_or("Phone", String::as_str);
        format!("{phone_name} · {sim}")
    } else {
        sim
    }
}

/// The start of a text, on one line.
pub fn preview(body: &str, max: usize) -> String {
    let flat: String = body
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let mut out: String = flat.chars().take(max).collect();
    if flat.chars().count() > max {
        out.push('…');
    }
    out
}

/// The inbox preview of a message with an attachment: "📷 Photo", and its text after.
pub fn attachment_preview(content_type: &str, text: &str) -> String {
    let label = match attachment_kind(content_type, !content_type.is_empty()) {
        AttachmentKind::Photo => "📷 Photo",
        AttachmentKind::Video => "🎬 Video",
        AttachmentKind::Audio => "🎤 Audio",
        AttachmentKind::Contact => "👤 Contact card",
        AttachmentKind::Other => "📎 Attachment",
        AttachmentKind::NotDownloaded => "📷 Picture message — not downloaded yet on the phone",
    };
    if text.is_empty() {
        label.to_string()
    } else {
        format!("{label} · {text}")
    }
}

fn attachment_kind(content_type: &str, downloaded: bool) -> AttachmentKind {
    if !downloaded {
        return AttachmentKind::NotDownloaded;
    }
    match content_type.split('/').next() {
        Some("image") => AttachmentKind::Photo,
        Some("video") => AttachmentKind::Video,
        Some("audio") => AttachmentKind::Audio,
        _ if content_type.contains("vcard") => AttachmentKind::Contact,
        _ => AttachmentKind::Other,
    }
}

/// An attachment as the thread shows it.
pub fn attachment_view(a: &Attachment) -> AttachmentView {
    AttachmentView {
        kind: attachment_kind(&a.content_type, a.state == AttachmentState::Downloaded),
        content_type: a.content_type.clone(),
        size: a.size,
        hash: a.hash.map(|h| h.to_hex()),
        thumbnail: a.thumbnail.map(|t| t.hash.to_hex()),
        name: a.name.clone(),
        words: placeholder(std::slice::from_ref(a)),
    }
}

/// An inbox row.
pub fn conversation_row(
    phone: &str,
    c: ConversationSummary,
    names: &HashMap<String, String>,
) -> ConversationRow {
    let (preview_direction, preview_status, text) = match &c.last_message {
        Some((direction, _kind, status, body)) => (
            Some(*direction),
            Some(MessageState::of(*status, None)),
            match c.last_attachment.as_deref() {
                Some(content_type) => {
                    attachment_preview(content_type, &preview(body, PREVIEW_CHARS))
                }
                None => preview(body, PREVIEW_CHARS),
            },
        ),
        None => (None, None, String::new()),
    };
    ConversationRow {
        key: ConvKey {
            phone: phone.to_string(),
            id: c.id.0,
        },
        line: line_label(&c.line, phone, names),
        display_number: display_number(&c.number),
        number: c.number,
        contact_name: c.contact_name,
        unread: c.unread,
        lead_status: c.lead_status,
        opted_out: c.opted_out,
        paused: c.paused,
        last_activity_ms: c.last_activity_at.as_millisecond(),
        preview: text,
        preview_direction,
        preview_status,
    }
}

/// Where `phone`'s own inbox continues after the merged cursor `after`. The merged order
/// is (activity desc, phone asc, id desc): a phone before the cursor's continues after
/// the cursor's time, the cursor's phone after its row, a phone after it at the same time.
pub fn phone_cursor(after: Option<&InboxAfter>, phone: &str) -> Option<InboxCursor> {
    after.map(|a| InboxCursor {
        last_activity_at: a.last_activity_ms,
        id: match phone.cmp(a.phone.as_str()) {
            std::cmp::Ordering::Less => i64::MIN,
            std::cmp::Ordering::Equal => a.id,
            std::cmp::Ordering::Greater => i64::MAX,
        },
    })
}

/// The first `limit` rows of every phone's page, in the merged order.
pub fn merge_inbox(mut rows: Vec<ConversationRow>, limit: u32) -> Vec<ConversationRow> {
    rows.sort_by(|a, b| {
        b.last_activity_ms
            .cmp(&a.last_activity_ms)
            .then_with(|| a.key.phone.cmp(&b.key.phone))
            .then_with(|| b.key.id.cmp(&a.key.id))
    });
    rows.truncate(limit as usize);
    rows
}

/// A thread message.
pub fn message_row(m: Message) -> MessageRow {
    let retry = (m.status == ringback_core::MessageStatus::Retrying).then(|| RetryView {
        since_ms: m.left_at.unwrap_or(m.created_at).as_millisecond(),
        words: match &m.failure {
            Some(Failure::NotSent(error)) => error.brief(),
            _ => String::new(),
        },
    });
    MessageRow {
        retry,
        id: m.id.0,
        direction: m.direction,
        kind: m.kind,
        status: MessageState::of(m.status, m.failure.as_ref()),
        failure_words: m.failure.as_ref().map(Failure::describe),
        failure: m.failure,
        body: m.body,
        created_ms: m.created_at.as_millisecond(),
        left_ms: m.left_at.map(|t| t.as_millisecond()),
        hold: m
            .hold
            .filter(|_| m.status == ringback_core::MessageStatus::Queued)
            .map(|h| HoldView {
                reason: h.reason,
                words: h.reason.describe().to_string(),
                until_ms: h.until.as_millisecond(),
            }),
        attachments: Vec::new(),
        others: Vec::new(),
    }
}

/// A thread message with its attachments and a group message's other recipients.
pub fn message_row_with(m: Message, attachments: &[Attachment], others: &[String]) -> MessageRow {
    let mut row = message_row(m);
    row.attachments = attachments.iter().map(attachment_view).collect();
    row.others = others.iter().map(|n| display_number(n)).collect();
    row
}

/// A call row; `contact_name` and `conversation` are looked up by the caller.
pub fn call_row(
    phone: &str,
    k: CallRecord,
    contact_name: Option<String>,
    conversation: Option<i64>,
    names: &HashMap<String, String>,
) -> CallRow {
    CallRow {
        phone: phone.to_string(),
        id: k.id,
        display_number: k
            .number
            .as_deref()
            .map_or_else(|| k.caller.clone(), display_number),
        caller: k.number.clone().unwrap_or(k.caller),
        contact_name,
        line: line_label(&k.line, phone, names),
        outcome: k.outcome,
        ended_ms: k.ended_at.as_millisecond(),
        decision: k.decision,
        decision_words: k.decision.map(|d| d.describe(k.texted_at.is_some())),
        texted_ms: k.texted_at.map(|t| t.as_millisecond()),
        replied: k.replied,
        conversation: conversation.map(|id| ConvKey {
            phone: phone.to_string(),
            id,
        }),
    }
}

/// An appointment with its time in words in the business's zone `tz` (named `zone`).
pub fn appointment_view(
    phone: &str,
    a: ringback_core::store::AppointmentRow,
    tz: &jiff::tz::TimeZone,
    zone: &str,
) -> AppointmentView {
    let start = tz.to_datetime(a.start);
    let end = tz.to_datetime(a.end);
    let mut time = format!("{}–{}", start.strftime("%H:%M"), end.strftime("%H:%M"));
    if end.date() != start.date() {
        time = format!(
            "{}–{}",
            start.strftime("%H:%M"),
            end.strftime("%a, %b %-d %H:%M")
        );
    }
    AppointmentView {
        key: ConvKey {
            phone: phone.to_string(),
            id: a.conversation_id.0,
        },
        id: a.id,
        display_number: display_number(&a.number),
        number: a.number,
        contact_name: a.contact_name,
        start_ms: a.start.as_millisecond(),
        end_ms: a.end.as_millisecond(),
        day: start.strftime("%a, %b %-d").to_string(),
        time,
        timezone: zone.to_string(),
        summary: a.summary,
    }
}

/// How a text is sent, as core counts it.
pub fn segment_info(text: &str) -> SegmentInfo {
    let count = ringback_core::sms::count(text);
    let encoding = match count.encoding {
        ringback_core::sms::Encoding::Gsm7 => "gsm7",
        ringback_core::sms::Encoding::Ucs2 => "ucs2",
    };
    SegmentInfo {
        encoding: encoding.to_string(),
        segments: u32::try_from(count.segments).unwrap_or(u32::MAX),
        characters: u32::try_from(count.units).unwrap_or(u32::MAX),
        remaining_in_segment: u32::try_from(count.remaining).unwrap_or(u32::MAX),
        max_segments: u32::try_from(ringback_core::outbound::MAX_PARTS).unwrap_or(u32::MAX),
    }
}

/// The instants that bound the days `from` to `to` (inclusive) in `tz`.
pub fn period(
    from: &str,
    to: &str,
    tz: &jiff::tz::TimeZone,
) -> Result<(jiff::Timestamp, jiff::Timestamp), crate::ipc::AppError> {
    let day = |text: &str, which: &str| {
        text.trim().parse::<jiff::civil::Date>().map_err(|_| {
            crate::ipc::AppError::new(format!(
                "the {which} date “{}” is not a date; pick one like 2026-11-02",
                text.chars().take(20).collect::<String>()
            ))
        })
    };
    let (first, last) = (day(from, "start")?, day(to, "end")?);
    if last < first {
        return Err(crate::ipc::AppError::new(
            "the period ends before it starts; swap the dates",
        ));
    }
    if first.until(last).map_or(true, |span| span.get_days() > 731) {
        return Err(crate::ipc::AppError::new(
            "pick a period of at most two years",
        ));
    }
    let midnight = |d: jiff::civil::Date| {
        tz.to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .compatible()
            .map_err(|e| crate::ipc::AppError::new(format!("that date cannot be used: {e}")))
    };
    let end = last
        .tomorrow()
        .map_err(|e| crate::ipc::AppError::new(format!("the end date cannot be used: {e}")))?;
    Ok((midnight(first)?, midnight(end)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(display_number("+12125550123"), "+1 212-555-0123");
        assert_eq!(display_number("+442079460958"), "+44 20 7946 0958");
        // Not a number: kept as given.
        assert_eq!(display_number("AMAZON"), "AMAZON");
        assert_eq!(display_number("Withheld"), "Withheld");
    }

    #[test]
    fn lines_are_words_and_name_the_phone_only_when_there_are_several() {
        let one: HashMap<String, String> = [("a".to_string(), "Shop phone".to_string())].into();
        assert_eq!(line_label(&Line("sim2".into()), "a", &one), "SIM 2");
        assert_eq!(line_label(&Line(String::new()), "a", &one), "Phone");
        let two: HashMap<String, String> = [
            ("a".to_string(), "Shop phone".to_string()),
            ("b".to_string(), "Van".to_string()),
        ]
        .into();
        assert_eq!(line_label(&Line("sim1".into()), "b", &two), "Van · SIM 1");
    }

    #[test]
    fn a_picture_message_previews_as_a_photo() {
        assert_eq!(attachment_preview("image/jpeg", ""), "📷 Photo");
        assert_eq!(
            attachment_preview("image/png", "the leak"),
            "📷 Photo · the leak"
        );
        assert_eq!(attachment_preview("video/mp4", ""), "🎬 Video");
        assert_eq!(attachment_preview("text/x-vcard", ""), "👤 Contact card");
        assert_eq!(
            attachment_preview("", ""),
            "📷 Picture message — not downloaded yet on the phone"
        );
    }

    #[test]
    fn previews_are_one_short_line_even_for_long_emoji_texts() {
        let body = format!("Hi\nthere {}", "🔥".repeat(10_000));
        let p = preview(&body, 140);
        assert!(!p.contains('\n'));
        assert_eq!(p.chars().count(), 141, "140 characters and an ellipsis");
        assert!(p.ends_with('…'));
        assert_eq!(preview("short", 140), "short");
    }

    fn outbound(status: ringback_core::MessageStatus, failure: Option<Failure>) -> Message {
        use ringback_core::store::{ConversationId, MessageId};
        let at = |s: i64| jiff::Timestamp::from_second(s).expect("time");
        Message {
            id: MessageId(7),
            conversation_id: ConversationId(1),
            direction: ringback_core::Direction::Outbound,
            kind: ringback_core::MessageKind::Reply,
            body: "We can come at 3".into(),
            status,
            failure,
            created_at: at(1_790_000_000),
            due_at: None,
            left_at: Some(at(1_790_000_060)),
            hold: None,
        }
    }

    #[test]
    fn a_retrying_text_says_since_when_and_why_and_a_sent_one_carries_no_failure() {
        use ringback_core::MessageStatus;
        use ringback_core::ports::SendError;
        let row = message_row(outbound(
            MessageStatus::Retrying,
            Some(Failure::NotSent(SendError::NoService)),
        ));
        assert_eq!(row.status, MessageState::Retrying);
        assert_eq!(
            row.retry,
            Some(RetryView {
                since_ms: 1_790_000_060_000,
                words: "no service".into(),
            }),
            "since the first attempt, in core's few words"
        );

        // Once sent on a retry, the phone's row has no failure left: nothing about retrying.
        let sent = message_row(outbound(MessageStatus::Sent, None));
        assert_eq!(sent.status, MessageState::Sent);
        assert_eq!(sent.retry, None);
        assert_eq!((sent.failure, sent.failure_words), (None, None));

        // A retry that ran out of time is a failure with its words, not a retry.
        let late = message_row(outbound(
            MessageStatus::Failed,
            Some(Failure::NoLongerTimely(SendError::NoService)),
        ));
        assert_eq!((late.status, late.retry), (MessageState::Failed, None));
        assert!(late.failure_words.is_some_and(|w| w.contains("too late")));
    }

    #[test]
    fn segments_come_from_core() {
        let plain = segment_info("Hello");
        assert_eq!((plain.encoding.as_str(), plain.segments), ("gsm7", 1));
        assert_eq!(plain.remaining_in_segment, 155);
        let emoji = segment_info(&"😀".repeat(40));
        assert_eq!(emoji.encoding, "ucs2");
        assert_eq!(emoji.segments, 2, "80 UTF-16 units need two 67-unit parts");
    }

    /// Two real phone stores with interleaved activity (ties across phones included),
    /// paged through the merged cursor three rows at a time: every conversation once, in
    /// order.
    #[test]
    fn the_inbox_across_phones_pages_without_gaps_or_repeats() {
        use ringback_core::Store;
        use ringback_core::store::InboxFilter;
        let mut stores = Vec::new();
        for (phone, times) in [("a", [5, 3, 3, 1]), ("b", [4, 3, 2, 1])] {
            let mut store = Store::open_in_memory().expect("store");
            for (i, t) in times.iter().enumerate() {
                let at = jiff::Timestamp::from_second(1_700_000_000 + t).expect("time");
                store
                    .write(at, "test", |tx| {
                        tx.touch_conversation(
                            &Line("sim1".into()),
                            &format!("+1212555{phone}{i}"),
                            at,
                        )
                    })
                    .expect("write");
            }
            stores.push((phone.to_string(), store));
        }
        let names = HashMap::new();
        let mut seen = Vec::new();
        let mut after: Option<InboxAfter> = None;
        for _ in 0..10 {
            let mut rows = Vec::new();
            for (phone, store) in &stores {
                let cursor = phone_cursor(after.as_ref(), phone);
                for c in store.inbox_page(InboxFilter::All, cursor, 3).expect("page") {
                    rows.push(conversation_row(phone, c, &names));
                }
            }
            let page = merge_inbox(rows, 3);
            let Some(last) = page.last() else { break };
            after = Some(InboxAfter {
                last_activity_ms: last.last_activity_ms,
                phone: last.key.phone.clone(),
                id: last.key.id,
            });
            seen.extend(
                page.into_iter()
                    .map(|r| (r.last_activity_ms, r.key.phone, r.key.id)),
            );
        }
        assert_eq!(seen.len(), 8, "every conversation once: {seen:?}");
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)));
        sorted.dedup();
        assert_eq!(seen, sorted, "in the merged order, without repeats");
    }

    #[test]
    fn a_period_is_whole_local_days_and_wrong_dates_say_what_to_pick() {
        let ny = jiff::tz::TimeZone::get("America/New_York").expect("zone");
        // The day clocks went back: 25 hours long.
        let (from, to) = period("2026-11-01", "2026-11-01", &ny).expect("period");
        assert_eq!(from.to_string(), "2026-11-01T04:00:00Z");
        assert_eq!(to.duration_since(from).as_hours(), 25);
        let (from, to) = period("2026-03-01", "2026-03-31", &ny).expect("period");
        assert_eq!(from.to_string(), "2026-03-01T05:00:00Z");
        assert_eq!(to.to_string(), "2026-04-01T04:00:00Z");
        let reversed = period("2026-03-02", "2026-03-01", &ny).expect_err("reversed");
        assert!(
            reversed.message.contains("ends before it starts"),
            "{}",
            reversed.message
        );
        let junk = period("yesterday", "2026-03-01", &ny).expect_err("junk");
        assert!(
            junk.message.contains("“yesterday” is not a date"),
            "{}",
            junk.message
        );
        assert!(
            period("2020-01-01", "2026-01-01", &ny).is_err(),
            "six years is too long"
        );
    }

    #[test]
    fn appointments_read_in_the_business_zone() {
        let ny = jiff::tz::TimeZone::get("America/New_York").expect("zone");
        let start: jiff::Timestamp = "2026-11-03T13:00:00Z".parse().expect("time");
        let row = ringback_core::store::AppointmentRow {
            id: 7,
            conversation_id: ringback_core::store::ConversationId(3),
            number: "+12125550142".into(),
            contact_name: None,
            start,
            end: start + jiff::SignedDuration::from_mins(60),
            summary: "Leaking pipe · 10001".into(),
        };
        let v = appointment_view("p", row, &ny, "America/New_York");
        assert_eq!(v.day, "Tue, Nov 3");
        assert_eq!(v.time, "08:00–09:00", "in New York, not UTC");
        assert_eq!(v.display_number, "+1 212-555-0142");
        assert_eq!(
            v.key,
            ConvKey {
                phone: "p".into(),
                id: 3
            }
        );
        let now: jiff::Timestamp = "2026-11-03T03:00:00Z".parse().expect("time");
        assert_eq!(
            ringback_core::assistant::start_of_day(&ny, now).to_string(),
            "2026-11-02T05:00:00Z",
            "at 22:00 in New York it is still the 2nd there"
        );
    }

    #[test]
    fn expired_replies_are_their_own_state() {
        use ringback_core::Failure;
        use ringback_core::MessageStatus;
        assert_eq!(
            MessageState::of(MessageStatus::Failed, Some(&Failure::Expired { hours: 24 })),
            MessageState::Expired
        );
        assert_eq!(
            MessageState::of(
                MessageStatus::Failed,
                Some(&Failure::NotSent(
                    ringback_core::message::SendError::NoService
                ))
            ),
            MessageState::Failed
        );
        // Words are not a kind: a failure that merely starts like an expiry is a failure.
        assert_eq!(
            MessageState::of(
                MessageStatus::Failed,
                Some(&Failure::Other(
                    "expired card on the carrier account".into()
                ))
            ),
            MessageState::Failed
        );
    }
}
