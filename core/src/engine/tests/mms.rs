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
fn only_commits_that_bring_attachments_wake_the_photo_transfers() {
    // The blob links look for photos to fetch when this changes; a text must not wake them
    // (that would put a query on the path of every text), a picture message must.
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    let photos = engine.store().subscribe_photos();
    let committed = engine.store().subscribe();
    text_in(&mut engine, &phone, CALLER, "Hi, is anyone there?");
    assert!(committed.has_changed().expect("open"), "the text committed");
    assert!(!photos.has_changed().expect("open"), "a text is no photo");
    engine
        .handle(mms(&phone, "mms-1", "", vec![photo(b"leak")], true))
        .expect("mms");
    assert!(photos.has_changed().expect("open"), "a picture message is");
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

/// A phone with a conversation with [`CALLER`] and a paired desktop; returns the engine, the
/// desktop's origin and the conversation.
fn with_desktop(phone: &Phone) -> (Engine, String, i64) {
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    text_in(&mut engine, phone, CALLER, "Can you come today?");
    let conversation = engine
        .store()
        .reader()
        .latest_conversation(CALLER)
        .expect("r")
        .expect("conversation")
        .0
        .0;
    let me = engine.store().origin().to_string();
    engine.store().set_phone_origin(&me).expect("phone");
    let desk = "d".repeat(32);
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
    (engine, desk, conversation)
}

fn reply_op(phone: &Phone, desk: &str, seq: u64, conversation: i64, changes: Vec<Change>) -> Op {
    let mut all = vec![Change::Reply {
        request: format!("r{seq}"),
        conversation: Some(conversation),
        to: None,
        line: None,
        body: "Like this one?".into(),
        requested_at: phone.clock.now().as_millisecond(),
    }];
    all.extend(changes);
    Op {
        origin: desk.into(),
        seq,
        hlc: crate::oplog::hlc::Hlc {
            millis: phone.clock.now().as_millisecond(),
            counter: 0,
        },
        changes: all,
    }
}

fn attached(bytes: &[u8]) -> crate::attachment::Attachment {
    crate::attachment::Attachment {
        content_type: "image/jpeg".into(),
        size: bytes.len() as u64,
        hash: Some(BlobHash::of(bytes)),
        name: Some("valve.jpg".into()),
        thumbnail: None,
        state: AttachmentState::Downloaded,
    }
}

#[test]
fn a_desktop_reply_with_a_photo_is_sent_as_a_picture_message() {
    let phone = Phone::new();
    let (mut engine, desk, conversation) = with_desktop(&phone);
    let photo = vec![7u8; 2048];
    // The photo's bytes reached the phone (fetched from the desktop by hash).
    engine.blobs().put(&photo).expect("blob");
    let op = reply_op(
        &phone,
        &desk,
        1,
        conversation,
        vec![Change::ReplyAttachments {
            request: "r1".into(),
            attachments: vec![attached(&photo)],
        }],
    );
    let source = Source {
        origin: &desk,
        role: Role::Desktop,
    };
    let (_, out) = engine.apply_remote(&[op], source).expect("apply");
    assert_eq!(sent_kinds(&out), vec![MessageKind::Reply]);
    assert!(phone.telephony.sent().is_empty(), "not as a plain text");
    let sent = phone.telephony.sent_mms();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, CALLER);
    assert_eq!(sent[0].text, "Like this one?");
    assert_eq!(sent[0].attachments.len(), 1);
    assert_eq!(sent[0].attachments[0].bytes, photo);
    assert_eq!(sent[0].attachments[0].content_type, "image/jpeg");
    // The sent report moves it on like a text's.
    engine
        .handle(PlatformEvent::SmsSent {
            message_id: sent[0].message_id,
            result: Ok(()),
            any_part_left: true,
        })
        .expect("report");
    let m = engine
        .store()
        .reader()
        .message(sent[0].message_id)
        .expect("read")
        .expect("message");
    assert_eq!(m.status, MessageStatus::Sent);
    assert_eq!(
        engine
            .store()
            .reader()
            .attachments(m.id)
            .expect("attachments"),
        vec![attached(&photo)]
    );
}

#[test]
fn a_desktop_reply_of_a_photo_without_text_is_sent() {
    let phone = Phone::new();
    let (mut engine, desk, conversation) = with_desktop(&phone);
    let photo = vec![9u8; 1024];
    engine.blobs().put(&photo).expect("blob");
    let mut op = reply_op(
        &phone,
        &desk,
        1,
        conversation,
        vec![Change::ReplyAttachments {
            request: "r1".into(),
            attachments: vec![attached(&photo)],
        }],
    );
    if let Change::Reply { body, .. } = &mut op.changes[0] {
        body.clear();
    }
    let source = Source {
        origin: &desk,
        role: Role::Desktop,
    };
    let (_, out) = engine.apply_remote(&[op], source).expect("apply");
    assert_eq!(sent_kinds(&out), vec![MessageKind::Reply], "{out:?}");
    let sent = phone.telephony.sent_mms();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].text, "");
    assert_eq!(sent[0].attachments[0].bytes, photo);
}

#[test]
fn a_desktop_reply_without_text_or_photo_is_still_refused() {
    let phone = Phone::new();
    let (mut engine, desk, conversation) = with_desktop(&phone);
    let mut op = reply_op(&phone, &desk, 1, conversation, Vec::new());
    if let Change::Reply { body, .. } = &mut op.changes[0] {
        *body = "  ".into();
    }
    let source = Source {
        origin: &desk,
        role: Role::Desktop,
    };
    let (_, out) = engine.apply_remote(&[op], source).expect("apply");
    assert!(sent_kinds(&out).is_empty(), "{out:?}");
    assert!(phone.telephony.sent().is_empty() && phone.telephony.sent_mms().is_empty());
}

#[test]
fn a_reply_waits_for_its_photo_and_goes_when_it_arrives() {
    let phone = Phone::new();
    let (mut engine, desk, conversation) = with_desktop(&phone);
    let photo = b"fetched from the desktop after the request".to_vec();
    let op = reply_op(
        &phone,
        &desk,
        1,
        conversation,
        vec![Change::ReplyAttachments {
            request: "r1".into(),
            attachments: vec![attached(&photo)],
        }],
    );
    let source = Source {
        origin: &desk,
        role: Role::Desktop,
    };
    let mut photos = engine.store().subscribe_photos();
    photos.mark_unchanged();
    let (_, out) = engine.apply_remote(&[op], source).expect("apply");
    assert!(out.is_empty(), "neither sent nor failed yet: {out:?}");
    assert!(phone.telephony.sent_mms().is_empty() && phone.telephony.sent().is_empty());
    assert!(
        photos.has_changed().expect("open"),
        "a reply with a photo wakes the phone's fetch"
    );
    let waiting = engine
        .store()
        .reader()
        .photos_replies_wait_for(|h| engine.blobs().has(h))
        .expect("read");
    assert_eq!(waiting, vec![(desk.clone(), BlobHash::of(&photo))]);
    // What a desktop serves the phone: only a photo its own request names.
    let reader = engine.store().reader();
    assert!(
        reader
            .request_names_blob(&desk, &BlobHash::of(&photo))
            .expect("read")
    );
    assert!(
        !reader
            .request_names_blob(&"e".repeat(32), &BlobHash::of(&photo))
            .expect("read"),
        "another desktop's request"
    );
    assert!(
        !reader
            .request_names_blob(&desk, &BlobHash::of(b"other"))
            .expect("read")
    );
    // The blob link brings the photo; the reply goes with it.
    engine.blobs().put(&photo).expect("blob");
    let out = engine.process_requests().expect("processed");
    assert_eq!(sent_kinds(&out), vec![MessageKind::Reply]);
    assert_eq!(phone.telephony.sent_mms()[0].attachments[0].bytes, photo);
}

#[test]
fn a_reply_whose_photo_never_reached_the_phone_fails_in_words() {
    let phone = Phone::new();
    let (mut engine, desk, conversation) = with_desktop(&phone);
    let op = reply_op(
        &phone,
        &desk,
        1,
        conversation,
        vec![Change::ReplyAttachments {
            request: "r1".into(),
            attachments: vec![attached(b"not on the phone")],
        }],
    );
    let source = Source {
        origin: &desk,
        role: Role::Desktop,
    };
    engine.apply_remote(&[op], source).expect("apply");
    // It waits until the reply expires, then fails in words, never sent without it.
    phone.clock.advance(SignedDuration::from_hours(25));
    let out = engine.process_requests().expect("processed");
    assert!(phone.telephony.sent_mms().is_empty());
    assert!(
        phone.telephony.sent().is_empty(),
        "never sent without its photo"
    );
    let failed = out
        .iter()
        .find_map(|o| match o {
            Outcome::Failed { reason, .. } => Some(reason.describe()),
            _ => None,
        })
        .expect("a failure");
    assert!(
        failed.contains("hours") || failed.contains("late"),
        "{failed}"
    );
}

#[test]
fn the_platform_refusing_a_picture_message_fails_the_reply_in_words() {
    let phone = Phone::new();
    let (mut engine, desk, conversation) = with_desktop(&phone);
    engine.blobs().put(b"jpeg").expect("blob");
    phone.telephony.fail_with(Some(SendError::Other(
        "the carrier has no MMS settings".into(),
    )));
    let op = reply_op(
        &phone,
        &desk,
        1,
        conversation,
        vec![Change::ReplyAttachments {
            request: "r1".into(),
            attachments: vec![attached(b"jpeg")],
        }],
    );
    let source = Source {
        origin: &desk,
        role: Role::Desktop,
    };
    let (_, out) = engine.apply_remote(&[op], source).expect("apply");
    assert!(
        out.iter().any(|o| matches!(o, Outcome::Failed { reason, .. } if reason.describe().contains("MMS settings"))),
        "{out:?}"
    );
}

#[test]
fn attachments_from_a_desktop_are_checked_and_only_beside_their_reply() {
    let phone = Phone::new();
    let (mut engine, desk, conversation) = with_desktop(&phone);
    let source = Source {
        origin: &desk,
        role: Role::Desktop,
    };
    let mut not_downloaded = attached(b"x");
    not_downloaded.state = AttachmentState::NotDownloaded;
    not_downloaded.hash = None;
    let too_many = vec![attached(b"x"); crate::attachment::MAX_ATTACHMENTS + 1];
    for bad in [vec![not_downloaded], too_many] {
        let op = reply_op(
            &phone,
            &desk,
            1,
            conversation,
            vec![Change::ReplyAttachments {
                request: "r1".into(),
                attachments: bad,
            }],
        );
        let error = engine.apply_remote(&[op], source).expect_err("refused");
        assert!(error.to_string().contains("attachment"), "{error}");
    }
    // Attachments for a request that is not in the op.
    let mut op = reply_op(&phone, &desk, 1, conversation, Vec::new());
    op.changes.insert(
        0,
        Change::ReplyAttachments {
            request: "elsewhere".into(),
            attachments: vec![attached(b"x")],
        },
    );
    assert!(engine.apply_remote(&[op], source).is_err());
    // A desktop may never set a message's attachments (the phone's alone).
    let op = Op {
        changes: vec![Change::Attachments {
            message: 1,
            text: Some("STOP".into()),
            others: Vec::new(),
            attachments: Vec::new(),
        }],
        ..reply_op(&phone, &desk, 1, conversation, Vec::new())
    };
    let error = engine.apply_remote(&[op], source).expect_err("refused");
    assert!(
        matches!(error, EngineError::Apply(ApplyError::NotAllowed { .. })),
        "{error}"
    );
    assert!(phone.telephony.sent().is_empty() && phone.telephony.sent_mms().is_empty());
}

#[test]
fn a_desktop_holds_the_attachments_of_a_picture_message_and_its_completion() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    let mut desk = Store::open_in_memory().expect("desk");
    let origin = engine.store().origin().to_string();
    desk.set_phone_origin(&origin).expect("phone");
    let sync = |engine: &Engine, desk: &mut Store| {
        let ops = engine
            .store()
            .ops_after(desk.version_vector(), 100_000)
            .expect("ops");
        desk.apply_remote(
            &ops,
            Source {
                origin: &origin,
                role: Role::Phone,
            },
            phone.clock.now(),
        )
        .expect("desktop applies");
    };
    let mut group = mms(&phone, "mms-9", "", Vec::new(), false);
    if let PlatformEvent::MmsReceived(m) = &mut group {
        m.others = vec!["+12125550188".into()];
    }
    engine.handle(group).expect("notification");
    sync(&engine, &mut desk);
    let id = desk
        .reader()
        .message_by_source("mms-9")
        .expect("read")
        .expect("on the desktop");
    assert_eq!(
        desk.reader().attachments(id).expect("read")[0].state,
        AttachmentState::NotDownloaded
    );
    assert_eq!(
        desk.reader().message_others(id).expect("read"),
        vec!["+12125550188".to_string()]
    );
    let mut done = mms(&phone, "mms-9", "The valve", vec![photo(b"jpeg")], true);
    if let PlatformEvent::MmsReceived(m) = &mut done {
        m.others = vec!["+12125550188".into()];
    }
    engine.handle(done).expect("completed");
    sync(&engine, &mut desk);
    let m = desk.reader().message(id).expect("read").expect("message");
    assert_eq!(
        m.body, "The valve",
        "the completed text reaches the desktop"
    );
    assert_eq!(
        desk.reader().attachments(id).expect("read"),
        engine.store().reader().attachments(id).expect("read")
    );
    // A phone's op giving a message an attachment list beyond the bounds is refused whole.
    let bad = Op {
        origin: origin.clone(),
        seq: engine.store().version_vector().get(&origin) + 1,
        hlc: crate::oplog::hlc::Hlc {
            millis: phone.clock.now().as_millisecond(),
            counter: 0,
        },
        changes: vec![Change::Attachments {
            message: id.0,
            text: None,
            others: vec!["+1".into(); crate::attachment::MAX_OTHERS + 1],
            attachments: Vec::new(),
        }],
    };
    let error = desk
        .apply_remote(
            &[bad],
            Source {
                origin: &origin,
                role: Role::Phone,
            },
            phone.clock.now(),
        )
        .expect_err("refused");
    assert!(error.to_string().contains("recipients"), "{error}");
    assert_eq!(desk.reader().attachments(id).expect("read").len(), 1);
}

/// A real JPEG of `width`×`height` (noise, so it compresses poorly).
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 31 % 251) as u8,
            (y * 17 % 241) as u8,
            ((x * y) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode");
    out.into_inner()
}

#[test]
fn a_photo_the_platform_gave_no_thumbnail_gets_one_made_on_the_phone() {
    let phone = Phone::new();
    let mut engine = phone.engine(Store::open_in_memory().expect("store"), json!({}));
    let bytes = jpeg(1600, 1200);
    let mut part = photo(&bytes);
    part.thumbnail = None;
    let not_a_photo = NewAttachment {
        content_type: "text/x-vcard".into(),
        name: None,
        data: AttachmentData::Bytes(b"BEGIN:VCARD\r\nEND:VCARD\r\n".to_vec()),
        thumbnail: None,
    };
    engine
        .handle(mms(&phone, "mms-t", "", vec![part, not_a_photo], true))
        .expect("mms");
    let m = &engine.store().reader().all_messages().expect("messages")[0];
    let attachments = engine.store().reader().attachments(m.id).expect("rows");
    let thumb = attachments[0].thumbnail.expect("a thumbnail was made");
    assert!(u64::from(thumb.size) <= crate::attachment::MAX_THUMBNAIL_BYTES);
    assert!(
        (thumb.size as usize) < bytes.len() / 4,
        "{} bytes",
        thumb.size
    );
    let kept = engine
        .blobs()
        .get(&thumb.hash)
        .expect("blob")
        .expect("kept");
    let back = image::load_from_memory(&kept).expect("a JPEG");
    assert_eq!((back.width(), back.height()), (320, 240));
    assert_eq!(attachments[1].thumbnail, None, "no thumbnail of a vCard");
}
