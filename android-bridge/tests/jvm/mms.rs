//! The MMS provider's reads (`content://mms`, its addresses and parts, a part's bytes through
//! `ContentResolver.openInputStream`) against the doubles.

use ringback_bridge::platform::android::{MmsAddress, ProviderBox};

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
