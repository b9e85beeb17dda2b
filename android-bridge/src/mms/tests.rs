use ringback_core::attachment::AttachmentData;
use ringback_core::mms::wsp;

use super::*;
use crate::platform::android::{MmsAddress, ProviderMmsPart};

fn address(address: &str, kind: i32) -> MmsAddress {
    MmsAddress {
        address: address.to_owned(),
        kind,
    }
}

fn part(id: i64, content_type: &str, text: Option<&str>, data: Option<&[u8]>) -> ProviderMmsPart {
    ProviderMmsPart {
        id,
        content_type: content_type.to_owned(),
        name: None,
        charset: None,
        text: text.map(str::to_owned),
        data: data.map(<[u8]>::to_vec),
        too_large: false,
    }
}

fn row(message_type: i32, addresses: Vec<MmsAddress>, parts: Vec<ProviderMmsPart>) -> ProviderMms {
    ProviderMms {
        id: 12,
        kind: ProviderBox::Inbox,
        message_type,
        date_ms: 1_793_000_000_000,
        subscription_id: Some(3),
        content_location: Some("http://mmsc/abc".to_owned()),
        transaction_id: None,
        size: 0,
        addresses,
        parts,
    }
}

#[test]
fn a_downloaded_message_carries_its_sender_text_and_photos() {
    let jpeg = [0xFF, 0xD8, 0xFF, 0xD9];
    let mms = inbound_of(
        &row(
            132,
            vec![
                address("+12125550142", ADDRESS_FROM),
                address("+447700900123", ADDRESS_TO),
            ],
            vec![
                part(1, "application/smil", Some("<smil/>"), None),
                part(2, "text/plain", Some(" Here is the leak "), None),
                part(3, "image/jpeg", None, Some(&jpeg)),
                part(4, "text/plain", Some("STOP"), None),
                part(5, "application/pdf", None, Some(b"%PDF")),
            ],
        ),
        &[],
    )
    .expect("an inbound message");
    assert_eq!(mms.from, "+12125550142");
    assert!(
        mms.others.is_empty(),
        "one recipient is the owner: no group"
    );
    assert_eq!(mms.text, "Here is the leak\nSTOP");
    assert_eq!(mms.attachments.len(), 1, "SMIL and a PDF are not kept");
    assert_eq!(mms.attachments[0].content_type, "image/jpeg");
    assert_eq!(
        mms.attachments[0].data,
        AttachmentData::Bytes(jpeg.to_vec())
    );
    assert_eq!(mms.line, Line("3".to_owned()));
    assert_eq!(mms.at.as_millisecond(), 1_793_000_000_000);
    assert!(mms.downloaded);
    assert_eq!(mms.source_id, "mms-ct:http://mmsc/abc");
}

#[test]
fn a_notification_is_a_message_not_downloaded_yet_named_like_its_download() {
    let notification = row(130, vec![address("+12125550142", ADDRESS_FROM)], vec![]);
    let mms = inbound_of(&notification, &[]).expect("an inbound message");
    assert!(!mms.downloaded);
    assert!(mms.attachments.is_empty());
    assert_eq!(mms.text, "");
    // The download, a new row with the same content location, names the same message.
    let mut downloaded = row(132, vec![address("+12125550142", ADDRESS_FROM)], vec![]);
    downloaded.id = 99;
    assert_eq!(
        inbound_of(&downloaded, &[]).expect("inbound").source_id,
        mms.source_id
    );
    // Without a content location, the row id names it (a download in place keeps it).
    downloaded.content_location = None;
    assert_eq!(source_id(&downloaded), "mms-id:99");
}

#[test]
fn a_group_message_names_the_other_recipients_but_not_the_sender_or_the_owner() {
    let addresses = vec![
        address("+12125550142", ADDRESS_FROM),
        address("+1 (212) 555-0142", ADDRESS_TO), // the sender again
        address("+15551230000", ADDRESS_TO),      // the owner
        address("+447700900123", ADDRESS_TO),
        address("+447700900123", ADDRESS_CC), // twice
        address("insert-address-token", ADDRESS_TO),
        address("+33612345678", ADDRESS_CC),
    ];
    let group = row(
        132,
        addresses,
        vec![part(1, "text/plain", Some("hi all"), None)],
    );
    let mms = inbound_of(&group, &[]).expect("inbound");
    assert_eq!(
        mms.others,
        ["+15551230000", "+447700900123", "+33612345678"],
        "the owner's number is unknown: kept"
    );
    let mms = inbound_of(&group, &["+1 555 123 0000".to_owned()]).expect("inbound");
    assert_eq!(mms.others, ["+447700900123", "+33612345678"]);
}

#[test]
fn what_is_not_an_inbound_message_from_someone_is_left_alone() {
    let mut sent = row(128, vec![address("+12125550142", ADDRESS_TO)], vec![]);
    sent.kind = ProviderBox::Sent;
    assert_eq!(inbound_of(&sent, &[]), None);
    let no_sender = row(
        132,
        vec![address("insert-address-token", ADDRESS_FROM)],
        vec![],
    );
    assert_eq!(inbound_of(&no_sender, &[]), None);
}

#[test]
fn parts_past_the_most_a_message_keeps_are_left_out() {
    let parts = (0..30)
        .map(|i| part(i, "image/png", None, Some(&[1, 2, 3])))
        .collect();
    let mms = inbound_of(
        &row(132, vec![address("+12125550142", ADDRESS_FROM)], parts),
        &[],
    )
    .expect("inbound");
    assert_eq!(mms.attachments.len(), MAX_ATTACHMENTS);
}

#[test]
fn the_watch_survives_a_restart_and_lets_old_notifications_go() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = MmsWatch::path(dir.path());
    assert_eq!(MmsWatch::load(&path), MmsWatch::default());
    let mut watch = MmsWatch {
        cursor: Some(40),
        pending: vec![],
    };
    watch.watch(38, 1_000);
    watch.watch(39, 5_000);
    watch.watch(39, 5_000);
    watch.save(&path).expect("saved");
    let mut loaded = MmsWatch::load(&path);
    assert_eq!(loaded, watch);
    loaded.forget(38);
    assert_eq!(loaded.pending, [(39, 5_000)]);
    loaded.expire(5_000 + PENDING_FOR_MS);
    assert!(loaded.pending.is_empty());
    for id in 0..(MAX_PENDING as i64 + 10) {
        loaded.watch(id, 0);
    }
    assert_eq!(loaded.pending.len(), MAX_PENDING);
    assert_eq!(loaded.pending[0].0, 10, "the oldest let go");
    std::fs::write(&path, "garbage\nnot a line\n").expect("written");
    assert_eq!(MmsWatch::load(&path), MmsWatch::default());
}

#[test]
fn a_send_result_says_what_the_carrier_or_android_said() {
    assert_eq!(send_result(RESULT_OK, &[]), Ok(()));
    let conf = |status: u8, text: Option<&str>| {
        let mut pdu = vec![0x8C, 0x81, 0x98, b'T', 0, 0x8D, 0x92, 0x92, status];
        if let Some(text) = text {
            pdu.push(0x93);
            wsp::put_text(&mut pdu, text);
        }
        pdu
    };
    assert_eq!(send_result(RESULT_OK, &conf(0x80, None)), Ok(()));
    let refused =
        send_result(RESULT_OK, &conf(0xE5, Some("Message too large"))).expect_err("refused");
    let words = refused.to_string();
    assert!(words.contains("smaller photo"), "{words}");
    assert!(words.contains("Message too large"), "{words}");
    let no_data = send_result(8, &[]).expect_err("no data");
    assert!(no_data.to_string().contains("mobile data"), "{no_data}");
    let odd = send_result(77, &[]).expect_err("unknown code");
    assert!(odd.to_string().contains("77"), "{odd}");
    // An unreadable answer after OK: Android reports OK only after HTTP 200.
    assert_eq!(send_result(RESULT_OK, b"<html>"), Ok(()));
}
