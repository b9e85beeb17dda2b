//! Picture messages through the engine: recorded with their parts, counted as the caller
//! texting, completed when the default app downloads them.

use super::*;
use crate::attachment::{AttachmentData, AttachmentState, BlobHash, NewAttachment};
use crate::engine::InboundMms;

const CALLER: &str = "+12125550123";

fn photo(bytes: &[u8]) -> NewAttachment {
    NewAttachment {
        content_type: "Image/JPEG".into(),
        name: Some("leak.jpg".into()),
        data: AttachmentData::Bytes(bytes.to_vec()),
        thumbnail: Some(b"tiny jpeg".to_vec()),
    }
}

fn mms(
    phone: &Phone,
    id: &str,
    text: &str,
    parts: Vec<NewAttachment>,
    downloaded: bool,
) -> PlatformEvent {
    PlatformEvent::MmsReceived(InboundMms {
        source_id: id.into(),
        from: "(212) 555-0123".into(),
        others: Vec::new(),
        text: text.into(),
        attachments: parts,
        line: Line("sim1".into()),
        at: phone.clock.now(),
        downloaded,
    })
}

fn lead_status(engine: &Engine) -> String {
    engine
        .store()
        .connection()
        .query_row(
            "SELECT lead_status FROM conversations WHERE number = ?1",
            [CALLER],
            |r| r.get(0),
        )
        .expect("conversation")
}

fn follow_ups() -> serde_json::Value {
    json!({"follow_ups": [{"after_hours": 24.0, "body": "Still need a hand? {business_name}"}]})
}

#[test]
fn a_picture_message_is_an_inbound_message_with_its_photo_kept_by_hash() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    let bytes = vec![0xAB; 1000];
    for _ in 0..2 {
        // Reported twice (the observer fires again): one message.
        engine
            .handle(mms(
                &phone,
                "mms-1",
                "Here is the leak",
                vec![photo(&bytes)],
                true,
            ))
            .expect("mms");
    }
    let messages = engine.store().reader().all_messages().expect("messages");
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(
        (m.direction, m.kind, m.body.as_str()),
        (Direction::Inbound, MessageKind::Inbound, "Here is the leak")
    );
    let attachments = engine
        .store()
        .reader()
        .attachments(m.id)
        .expect("attachments");
    assert_eq!(attachments.len(), 1);
    let a = &attachments[0];
    assert_eq!(a.content_type, "image/jpeg");
    assert_eq!(a.size, 1000);
    assert_eq!(a.hash, Some(BlobHash::of(&bytes)));
    assert_eq!(a.state, AttachmentState::Downloaded);
    assert_eq!(
        a.thumbnail.map(|t| t.hash),
        Some(BlobHash::of(b"tiny jpeg"))
    );
    assert_eq!(
        engine.blobs().get(&BlobHash::of(&bytes)).expect("blob"),
        Some(bytes)
    );
    assert_eq!(lead_status(&engine), "engaged");
    // The op a desktop receives carries the metadata, never the bytes.
    let ops = engine
        .store()
        .ops_after(&crate::oplog::version::VersionVector::default(), 100)
        .expect("ops");
    let carried = ops
        .iter()
        .flat_map(|op| &op.changes)
        .find_map(|c| match c {
            Change::Attachments { attachments, .. } => Some(attachments.clone()),
            _ => None,
        })
        .expect("an attachments change");
    assert_eq!(carried, attachments);
}

#[test]
fn a_picture_message_counts_as_the_caller_texting_and_cancels_the_follow_up() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), follow_ups());
    phone.call("(212) 555-0123", CallOutcome::Missed);
    engine.handle(PlatformEvent::CallLogChanged).expect("call");
    assert_eq!(phone.telephony.sent().len(), 1);
    // A photo with no text at all still answers the text-back.
    engine
        .handle(mms(&phone, "mms-1", "", vec![photo(b"jpeg")], true))
        .expect("mms");
    phone.clock.advance(SignedDuration::from_hours(30));
    engine.run_due().expect("due");
    assert_eq!(
        phone.telephony.sent().len(),
        1,
        "no follow-up after the caller sent a photo"
    );
    assert_eq!(lead_status(&engine), "engaged");
}

#[test]
fn stop_inside_a_picture_message_opts_out() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    engine
        .handle(mms(&phone, "mms-1", "STOP", vec![photo(b"jpeg")], true))
        .expect("mms");
    assert!(engine.store().reader().is_opted_out(CALLER).expect("read"));
}

#[test]
fn a_message_not_downloaded_yet_shows_a_placeholder_and_is_completed_once() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), follow_ups());
    phone.call("(212) 555-0123", CallOutcome::Missed);
    engine.handle(PlatformEvent::CallLogChanged).expect("call");
    engine
        .handle(mms(&phone, "mms-7", "", Vec::new(), false))
        .expect("notification");
    let id = engine
        .store()
        .reader()
        .message_by_source("mms-7")
        .expect("read")
        .expect("recorded");
    let placeholder = engine
        .store()
        .reader()
        .attachments(id)
        .expect("attachments");
    assert_eq!(placeholder.len(), 1);
    assert_eq!(placeholder[0].state, AttachmentState::NotDownloaded);
    assert!(!engine.store().reader().is_opted_out(CALLER).expect("read"));
    // The default app downloads it: the same message is completed, and its text is read.
    phone.clock.advance(SignedDuration::from_mins(5));
    engine
        .handle(mms(&phone, "mms-7", "stop", vec![photo(b"jpeg")], true))
        .expect("completed");
    let messages = engine.store().reader().all_messages().expect("messages");
    let inbound: Vec<_> = messages
        .iter()
        .filter(|m| m.direction == Direction::Inbound)
        .collect();
    assert_eq!(inbound.len(), 1);
    assert_eq!(inbound[0].body, "stop");
    let done = engine
        .store()
        .reader()
        .attachments(id)
        .expect("attachments");
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].state, AttachmentState::Downloaded);
    assert!(
        engine.store().reader().is_opted_out(CALLER).expect("read"),
        "STOP read on completion"
    );
    // A later report of the same message changes nothing (the opt-out confirmation once).
    let sent = phone.telephony.sent().len();
    engine
        .handle(mms(&phone, "mms-7", "stop", vec![photo(b"other")], true))
        .expect("again");
    assert_eq!(phone.telephony.sent().len(), sent);
    assert_eq!(
        engine
            .store()
            .reader()
            .attachments(id)
            .expect("attachments"),
        done
    );
}

#[test]
fn a_bad_part_is_left_out_and_the_rest_of_the_message_is_kept() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    let mut bad = photo(b"x");
    bad.content_type = "not a type".into();
    let missing = NewAttachment {
        data: AttachmentData::Path("/nonexistent/part-12".into()),
        ..photo(b"")
    };
    let mut parts = vec![bad, missing, photo(b"good")];
    parts.extend((0..30).map(|i| photo(&[i])));
    engine
        .handle(mms(&phone, "mms-1", "see photos", parts, true))
        .expect("mms");
    let m = &engine.store().reader().all_messages().expect("messages")[0];
    assert_eq!(m.body, "see photos");
    let kept = engine
        .store()
        .reader()
        .attachments(m.id)
        .expect("attachments");
    assert_eq!(kept[0].hash, Some(BlobHash::of(b"good")));
    assert!(kept.len() <= crate::attachment::MAX_ATTACHMENTS);
}

#[test]
fn the_assistant_reads_a_photo_as_a_mark_never_as_the_photo() {
    let marks = super::super::mms::text_for_assistant(
        "",
        &[crate::attachment::Attachment {
            content_type: "image/png".into(),
            size: 3,
            hash: Some(BlobHash::of(b"png")),
            name: None,
            thumbnail: None,
            state: AttachmentState::Downloaded,
        }],
    );
    assert_eq!(marks, "[photo]");
}
