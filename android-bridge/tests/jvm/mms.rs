//! The MMS provider's reads (`content://mms`, its addresses and parts, a part's bytes through
//! `ContentResolver.openInputStream`) against the doubles.

use ringback_bridge::platform::android::{MmsAddress, ProviderBox};
use ringback_core::Line;
use ringback_core::ports::{MmsPart, MmsRequest, SendError, Telephony};
use ringback_core::store::MessageId;
use serde_json::{Value, json};

use super::world::*;

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0xFF, 0xD9,
];

#[test]
fn a_downloaded_picture_message_reads_with_its_sender_text_and_photo() {
    let _world = world();
    let platform = platform();
    assert_eq!(platform.mms_last_id(), Ok(None), "an empty provider");
    // m-retrieve-conf (132) in the inbox (1) on SIM 2, date in seconds.
    add_mms(
        7,
        1,
        132,
        1_793_000_000,
        Some(2),
        Some("http://mmsc/7"),
        Some("T7"),
        4_000,
    );
    add_mms_address(7, "+12125550142", 137);
    add_mms_address(7, "+447700900123", 151);
    add_mms_address(7, "+15551230000", 151);
    add_mms_part(7, 70, "application/smil", None, Some("<smil/>"), None);
    add_mms_part(7, 71, "text/plain", None, Some("Here is the leak"), None);
    add_mms_part(7, 72, "image/jpeg", Some("IMG_0001.jpg"), None, Some(JPEG));
    add_mms_part(
        7,
        73,
        "text/x-vcard",
        Some("ann.vcf"),
        None,
        Some(b"BEGIN:VCARD"),
    );

    let rows = platform.mms_since(None, 1 << 20).expect("the provider");
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.id, 7);
    assert_eq!(row.kind, ProviderBox::Inbox);
    assert_eq!(row.message_type, 132);
    assert_eq!(
        row.date_ms, 1_793_000_000_000,
        "seconds became milliseconds"
    );
    assert_eq!(row.subscription_id, Some(2));
    assert_eq!(row.content_location.as_deref(), Some("http://mmsc/7"));
    assert_eq!(
        row.addresses,
        [
            MmsAddress {
                address: "+12125550142".into(),
                kind: 137
            },
            MmsAddress {
                address: "+447700900123".into(),
                kind: 151
            },
            MmsAddress {
                address: "+15551230000".into(),
                kind: 151
            },
        ]
    );
    let media: Vec<&str> = row.parts.iter().map(|p| p.content_type.as_str()).collect();
    assert_eq!(
        media,
        [
            "application/smil",
            "text/plain",
            "image/jpeg",
            "text/x-vcard"
        ]
    );
    assert_eq!(row.parts[1].text.as_deref(), Some("Here is the leak"));
    assert_eq!(row.parts[1].data, None, "text stays in the row");
    assert_eq!(row.parts[0].data, None, "SMIL is not kept");
    assert_eq!(row.parts[2].data.as_deref(), Some(JPEG));
    assert_eq!(row.parts[2].name.as_deref(), Some("IMG_0001.jpg"));
    assert_eq!(row.parts[3].data.as_deref(), Some(&b"BEGIN:VCARD"[..]));
    assert_eq!(platform.mms_last_id(), Ok(Some(7)));
    assert_eq!(open_cursors(), 0);
    assert_eq!(open_streams(), 0, "every part's stream is closed");
}

#[test]
fn the_provider_is_read_since_its_cursor_and_one_message_by_id() {
    let _world = world();
    let platform = platform();
    // A notification (130), not downloaded: no parts yet.
    add_mms(
        3,
        1,
        130,
        1_000,
        None,
        Some("http://mmsc/3"),
        Some("T3"),
        90_000,
    );
    add_mms_address(3, "+12125550142", 137);
    add_mms(4, 2, 128, 2_000, Some(1), None, None, 0);
    add_mms_address(4, "insert-address-token", 137);
    add_mms_address(4, "+12125550142", 151);

    let later = platform.mms_since(Some(3), 1 << 20).expect("since 3");
    assert_eq!(later.iter().map(|m| m.id).collect::<Vec<_>>(), [4]);
    assert_eq!(later[0].kind, ProviderBox::Sent);

    let pending = platform
        .mms_row(3, 1 << 20)
        .expect("readable")
        .expect("still there");
    assert_eq!(pending.message_type, 130);
    assert_eq!(pending.size, 90_000);
    assert!(pending.parts.is_empty());
    // The default app downloaded it in place: the row is now 132 with its parts.
    remove_mms(3);
    assert_eq!(
        platform.mms_row(3, 1 << 20),
        Ok(None),
        "a deleted row is gone"
    );
    add_mms(
        3,
        1,
        132,
        1_000,
        None,
        Some("http://mmsc/3"),
        Some("T3"),
        90_000,
    );
    add_mms_address(3, "+12125550142", 137);
    add_mms_part(
        3,
        30,
        "image/png",
        None,
        None,
        Some(&[0x89, b'P', b'N', b'G']),
    );
    let done = platform
        .mms_row(3, 1 << 20)
        .expect("readable")
        .expect("there");
    assert_eq!(done.message_type, 132);
    assert_eq!(
        done.parts[0].data.as_deref(),
        Some(&[0x89, b'P', b'N', b'G'][..])
    );
    assert_eq!(open_cursors(), 0);
}

#[test]
fn a_part_whose_bytes_are_gone_is_left_out_and_the_rest_kept() {
    let _world = world();
    let platform = platform();
    add_mms(5, 1, 132, 1_000, None, None, None, 0);
    add_mms_address(5, "+12125550142", 137);
    add_mms_part(5, 50, "text/plain", None, Some("two photos"), None);
    // An image part with no bytes behind it: openInputStream throws FileNotFoundException.
    add_mms_part(5, 51, "image/jpeg", None, None, None);
    add_mms_part(5, 52, "image/jpeg", None, None, Some(JPEG));
    let rows = platform.mms_since(None, 1 << 20).expect("the provider");
    assert_eq!(rows[0].parts[1].data, None);
    assert_eq!(rows[0].parts[2].data.as_deref(), Some(JPEG));
    assert_eq!(open_cursors(), 0);
}

#[test]
fn a_part_larger_than_ringback_keeps_is_not_read_whole_and_its_stream_is_closed() {
    let _world = world();
    let platform = platform();
    add_mms(9, 1, 132, 1_000, None, None, None, 0);
    add_mms_address(9, "+12125550142", 137);
    let big = vec![7u8; 200_000];
    add_mms_part(9, 90, "video/mp4", Some("clip.mp4"), None, Some(&big));
    add_mms_part(9, 91, "image/jpeg", None, None, Some(JPEG));
    let rows = platform.mms_since(None, 100_000).expect("the provider");
    assert_eq!(rows[0].parts[0].data, None);
    assert!(rows[0].parts[0].too_large);
    assert_eq!(
        rows[0].parts[1].data.as_deref(),
        Some(JPEG),
        "the rest is kept"
    );
    assert_eq!(open_streams(), 0);
}

#[test]
fn a_missing_permission_or_provider_is_said_in_words() {
    let _world = world();
    let platform = platform();
    throw_on_next(
        "query",
        jni::jni_str!("java/lang/SecurityException"),
        "Permission Denial: reading com.android.providers.telephony.MmsProvider requires android.permission.READ_SMS",
    );
    let denied = platform.mms_since(None, 1 << 20).expect_err("denied");
    assert!(denied.0.contains("READ_SMS"), "{denied}");
    assert!(denied.0.contains("picture messages"), "{denied}");
    remove_provider("mms");
    let none = platform.mms_since(None, 1 << 20).expect_err("no provider");
    assert!(none.0.contains("content://mms"), "{none}");
    assert_eq!(open_cursors(), 0);
}

fn mms_request(message_id: i64, line: &str, photo: Vec<u8>) -> MmsRequest {
    MmsRequest {
        message_id: MessageId(message_id),
        line: Line(line.to_owned()),
        to: "+12125550142".to_owned(),
        text: "Here is the part we would fit".to_owned(),
        attachments: vec![MmsPart {
            content_type: "image/jpeg".to_owned(),
            name: Some("part.jpg".to_owned()),
            bytes: photo,
        }],
    }
}

#[test]
fn a_picture_message_goes_to_send_multimedia_message_on_its_sim_with_our_pdu() {
    let _world = world();
    add_subscription(1, 0, "Personal", None);
    add_subscription(2, 1, "Work", None);
    let platform = platform();
    platform
        .send_mms(&mms_request(55, "2", JPEG.to_vec()))
        .expect("handed to Android");

    let sends = mms_sends();
    assert_eq!(sends.len(), 1);
    let sent = &sends[0];
    assert_eq!(sent["subscriptionId"], json!(2));
    assert_eq!(
        sent["contentUri"],
        json!("content://app.ringback.mms/mms-out/55.pdu")
    );
    assert_eq!(sent["locationUrl"], Value::Null);
    assert_eq!(sent["configOverrides"], json!(false));
    assert_eq!(sent["sent"]["action"], json!("app.ringback.MMS_SENT"));
    assert_eq!(sent["sent"]["package"], json!("app.ringback"));
    assert_eq!(sent["sent"]["extras"], json!({"message_id": 55}));
    assert_eq!(sent["sent"]["flags"], json!(0x0200_0000_i64 | 0x4000_0000));

    // The file the provider serves is the m-send-req, whole.
    let pdu = std::fs::read(cache_dir().join("mms-out/55.pdu")).expect("the PDU is written");
    let pdu = ringback_core::mms::decode(&pdu).expect("a PDU");
    assert_eq!(pdu.message_type, ringback_core::mms::MessageType::SendReq);
    assert_eq!(pdu.to, ["+12125550142/TYPE=PLMN"]);
    let media: Vec<&str> = pdu.parts.iter().map(|p| p.content_type.as_str()).collect();
    assert_eq!(media, ["application/smil", "text/plain", "image/jpeg"]);
    assert_eq!(
        pdu.parts[1].as_text().as_deref(),
        Some("Here is the part we would fit")
    );
    assert_eq!(pdu.parts[2].data, JPEG);
}

#[test]
fn a_picture_message_that_cannot_leave_says_why() {
    let _world = world();
    add_subscription(2, 1, "Work", None);
    let platform = platform();
    assert_eq!(
        platform.send_mms(&mms_request(56, "7", JPEG.to_vec())),
        Err(SendError::NoSuchLine)
    );
    let huge = vec![0u8; ringback_core::mms::pdu::MAX_PDU_BYTES + 1];
    let too_large = platform
        .send_mms(&mms_request(57, "2", huge))
        .expect_err("too large");
    assert!(
        too_large.to_string().contains("smaller photos"),
        "{too_large}"
    );
    throw_on_next(
        "sendMultimediaMessage",
        jni::jni_str!("java/lang/IllegalArgumentException"),
        "Uri contentUri null",
    );
    let refused = platform
        .send_mms(&mms_request(58, "2", JPEG.to_vec()))
        .expect_err("refused");
    assert!(refused.to_string().contains("picture message"), "{refused}");
    assert!(mms_sends().is_empty(), "nothing was sent");
    assert_eq!(
        platform.lines().map(|l| l.len()),
        Ok(1),
        "the JVM is still fine"
    );
}
