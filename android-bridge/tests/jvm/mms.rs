//! Picture messages against the doubles: only the failures the framework cannot be made to
//! produce on demand (a thrown `sendMultimediaMessage`, a removed provider). Reading the MMS
//! provider and sending run on the real framework in the Robolectric suite
//! (`app.ringback.robo.platform.MmsTest`).

use ringback_core::Line;
use ringback_core::ports::{MmsPart, MmsRequest, SendError, Telephony};
use ringback_core::store::MessageId;

use super::world::*;

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0xFF, 0xD9,
];

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
