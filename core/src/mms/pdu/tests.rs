//! The PDU codec against the encodings the OMA MMS encapsulation (OMA-TS-MMS_ENC-V1_3,
//! sections 6 and 7) and WSP (WAP-230, section 8.4) spell out, byte by byte, and against
//! hostile input. The round trip through an independent parser is
//! `core/tests/mms_pdu_oracle.rs`.

use super::super::wsp::{self, Reader, WspError};
use super::*;

fn text(s: &str) -> Vec<u8> {
    let mut out = s.as_bytes().to_vec();
    out.push(0);
    out
}

fn request(parts: Vec<Part>) -> SendRequest {
    SendRequest {
        transaction_id: "T1".to_owned(),
        to: vec!["+12125550142".to_owned()],
        subject: None,
        delivery_report: false,
        parts,
    }
}

#[test]
fn uintvar_is_seven_bits_an_octet_most_significant_first() {
    // WAP-230 8.1.2: 0x7F fits one octet; 0x80 needs two (0x81 0x00); 0x3FFF is 0xFF 0x7F.
    for (value, encoded) in [
        (0u32, &[0x00][..]),
        (0x7F, &[0x7F]),
        (0x80, &[0x81, 0x00]),
        (0x3FFF, &[0xFF, 0x7F]),
        (0x4000, &[0x81, 0x80, 0x00]),
        (u32::MAX, &[0x8F, 0xFF, 0xFF, 0xFF, 0x7F]),
    ] {
        let mut out = Vec::new();
        wsp::put_uintvar(&mut out, value);
        assert_eq!(out, encoded, "{value:#x}");
        assert_eq!(Reader::new(encoded).uintvar("n"), Ok(value));
    }
    // More than five octets, or five holding more than 32 bits, is not a uintvar.
    assert!(matches!(
        Reader::new(&[0x81, 0x80, 0x80, 0x80, 0x80, 0x00]).uintvar("n"),
        Err(WspError::Invalid { at: 0, .. })
    ));
    assert!(
        Reader::new(&[0x9F, 0xFF, 0xFF, 0xFF, 0x7F])
            .uintvar("n")
            .is_err()
    );
}

#[test]
fn value_length_is_short_up_to_thirty_then_quoted() {
    // WAP-230 8.4.2.2: 0–30 as themselves; 31 (Length-quote) then a uintvar.
    let mut out = Vec::new();
    wsp::put_value_length(&mut out, 30).expect("fits");
    wsp::put_value_length(&mut out, 31).expect("fits");
    wsp::put_value_length(&mut out, 200).expect("fits");
    assert_eq!(out, [30, 31, 31, 31, 0x81, 0x48]);
    let mut reader = Reader::new(&out);
    assert_eq!(reader.value_length("l"), Ok(30));
    assert_eq!(reader.value_length("l"), Ok(31));
    assert_eq!(reader.value_length("l"), Ok(200));
}

#[test]
fn text_strings_are_nul_terminated_and_quoted_when_they_start_high() {
    // WAP-230 8.4.2.1: a Text-string whose first octet is 128 or more starts with Quote
    // (0x7F), which is not part of the text.
    let mut out = Vec::new();
    wsp::put_text(&mut out, "abc");
    wsp::put_text(&mut out, "é");
    assert_eq!(out, [b'a', b'b', b'c', 0, 0x7F, 0xC3, 0xA9, 0]);
    let mut reader = Reader::new(&out);
    assert_eq!(reader.text("t").as_deref(), Ok("abc"));
    assert_eq!(reader.text("t").as_deref(), Ok("é"));
    // No NUL: the text runs off the end.
    assert!(matches!(
        Reader::new(b"abc").text("t"),
        Err(WspError::Truncated { .. })
    ));
}

#[test]
fn long_integers_use_the_fewest_octets() {
    // WAP-230 8.4.2.1: Short-length, then big-endian octets. A week is 0x093A80.
    let mut out = Vec::new();
    wsp::put_long_integer(&mut out, 604_800);
    assert_eq!(out, [0x03, 0x09, 0x3A, 0x80]);
    assert_eq!(Reader::new(&out).long_integer("n"), Ok(604_800));
    // Nine octets do not fit 64 bits and are refused.
    let nine = [9, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    assert!(Reader::new(&nine).long_integer("n").is_err());
}

#[test]
fn well_known_content_types_are_the_wsp_table() {
    // WAP-230 Table 40: text/plain 0x03, image/jpeg 0x1E, image/png 0x20,
    // multipart.related 0x33, vnd.wap.mms-message 0x3E.
    assert_eq!(wsp::well_known_content_type("text/plain"), Some(0x03));
    assert_eq!(wsp::well_known_content_type("image/gif"), Some(0x1D));
    assert_eq!(wsp::well_known_content_type("image/jpeg"), Some(0x1E));
    assert_eq!(wsp::well_known_content_type("image/png"), Some(0x20));
    assert_eq!(
        wsp::well_known_content_type("application/vnd.wap.multipart.mixed"),
        Some(0x23)
    );
    assert_eq!(
        wsp::well_known_content_type("application/vnd.wap.multipart.related"),
        Some(0x33)
    );
    assert_eq!(
        wsp::well_known_content_type("application/vnd.wap.mms-message"),
        Some(0x3E)
    );
    // Not in the table: sent as text.
    assert_eq!(wsp::well_known_content_type("application/smil"), None);
    assert_eq!(wsp::well_known_content_type("video/mp4"), None);
}

#[test]
fn a_send_request_has_the_headers_of_oma_mms_enc_in_order() {
    let pdu = encode_send_request(&request(vec![Part::text("Hi")])).expect("encodes");
    // OMA MMS ENC 6.1.1, Table 1: Message-Type, Transaction-ID and MMS-Version first, in
    // that order; Content-Type last (the body follows it).
    let mut expected = vec![0x8C, 0x80]; // X-Mms-Message-Type: m-send-req
    expected.push(0x98); // X-Mms-Transaction-ID
    expected.extend(text("T1"));
    expected.extend([0x8D, 0x92]); // X-Mms-MMS-Version: 1.2
    expected.extend([0x89, 0x01, 0x81]); // From: Insert-address-token
    expected.push(0x97); // To: an Encoded-string-value, 7.2.9 address form
    expected.extend(text("+12125550142/TYPE=PLMN"));
    expected.extend([0x8A, 0x80]); // X-Mms-Message-Class: Personal
    expected.extend([0x88, 0x05, 0x81, 0x03, 0x09, 0x3A, 0x80]); // Expiry: relative, a week
    expected.extend([0x8F, 0x81]); // X-Mms-Priority: Normal
    expected.extend([0x86, 0x81]); // X-Mms-Delivery-Report: No
    expected.extend([0x90, 0x81]); // X-Mms-Read-Report: No
    // Content-Type: Value-length 27, multipart.related (0xB3), Type (0x89)
    // application/smil, Start (0x8A) <smil>.
    expected.extend([0x84, 0x1B, 0xB3, 0x89]);
    expected.extend(text("application/smil"));
    expected.push(0x8A);
    expected.extend(text("<smil>"));
    expected.push(0x02); // two entries: the SMIL and the text
    assert_eq!(&pdu[..expected.len()], &expected[..]);

    // The last entry (WAP-230 8.5.3): HeadersLen 29, DataLen 2, the content type in its
    // general form (length 3, text/plain 0x83, Charset 0x81 utf-8 0xEA), Content-Location
    // (0x8E), Content-ID (0xC0, a quoted string), then the data.
    let mut entry = vec![29, 2, 0x03, 0x83, 0x81, 0xEA, 0x8E];
    entry.extend(text("part0.txt"));
    entry.extend([0xC0, b'"']);
    entry.extend(text("<part0.txt>"));
    entry.extend(b"Hi");
    assert!(pdu.ends_with(&entry), "{pdu:02x?}");
}

#[test]
fn a_send_request_reads_back_with_its_smil_and_parts() {
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9];
    let mut sent = request(vec![
        Part::text("Here is the leak 💧"),
        Part::file("image/jpeg", "leak photo.jpg", jpeg.clone()),
    ]);
    sent.subject = Some("Fuite d'eau — photo".to_owned());
    sent.delivery_report = true;
    let bytes = encode_send_request(&sent).expect("encodes");
    let pdu = decode(&bytes).expect("decodes");
    assert_eq!(pdu.message_type, MessageType::SendReq);
    assert_eq!(pdu.transaction_id.as_deref(), Some("T1"));
    assert_eq!(pdu.version, Some((1, 2)));
    assert_eq!(pdu.from, None, "left for the MMSC to insert");
    assert_eq!(pdu.to, ["+12125550142/TYPE=PLMN"]);
    assert_eq!(address_number(&pdu.to[0]), "+12125550142");
    assert_eq!(pdu.subject.as_deref(), Some("Fuite d'eau — photo"));
    let content_type = pdu.content_type.expect("a content type");
    assert_eq!(content_type.media, "application/vnd.wap.multipart.related");
    assert_eq!(
        content_type.related_type.as_deref(),
        Some("application/smil")
    );
    assert_eq!(content_type.start.as_deref(), Some("<smil>"));
    assert_eq!(pdu.parts.len(), 3);
    let smil = String::from_utf8(pdu.parts[0].data.clone()).expect("SMIL is text");
    assert_eq!(pdu.parts[0].content_id.as_deref(), Some("smil"));
    assert!(smil.contains("<text src=\"part0.txt\""), "{smil}");
    assert!(smil.contains("<img src=\"leakphoto.jpg\""), "{smil}");
    assert_eq!(
        pdu.parts[1].as_text().as_deref(),
        Some("Here is the leak 💧")
    );
    assert_eq!(pdu.parts[2].content_type, "image/jpeg");
    assert_eq!(pdu.parts[2].name.as_deref(), Some("leak photo.jpg"));
    assert_eq!(
        pdu.parts[2].content_location.as_deref(),
        Some("leakphoto.jpg")
    );
    assert_eq!(pdu.parts[2].data, jpeg);
}

#[test]
fn a_notification_reads_as_oma_mms_enc_table_4_lays_it_out() {
    // m-notification-ind (6.2): what the MMSC pushes before the message is downloaded.
    let mut bytes = vec![0x8C, 0x82, 0x98];
    bytes.extend(text("tid-77"));
    bytes.extend([0x8D, 0x90]); // 1.0
    bytes.extend([0x89, 24, 0x80]); // From: length 24, Address-present-token
    bytes.extend(text("+15551234567/TYPE=PLMN"));
    bytes.extend([0x8A, 0x80]); // Personal
    bytes.extend([0x8E, 0x02, 0xA0, 0x00]); // X-Mms-Message-Size: 40,960
    bytes.extend([0x88, 0x04, 0x81, 0x02, 0x0E, 0x10]); // Expiry: relative, an hour
    bytes.push(0x83); // X-Mms-Content-Location
    bytes.extend(text("http://mmsc.example/m/77"));
    let pdu = decode(&bytes).expect("decodes");
    assert_eq!(pdu.message_type, MessageType::NotificationInd);
    assert_eq!(pdu.transaction_id.as_deref(), Some("tid-77"));
    assert_eq!(pdu.version, Some((1, 0)));
    assert_eq!(pdu.from.as_deref(), Some("+15551234567/TYPE=PLMN"));
    assert_eq!(pdu.message_size, Some(40_960));
    assert_eq!(
        pdu.content_location.as_deref(),
        Some("http://mmsc.example/m/77")
    );
    assert!(pdu.parts.is_empty());
}

#[test]
fn a_send_confirmation_says_the_carriers_answer_in_words() {
    // m-send-conf (6.1.2): X-Mms-Response-Status Ok (0x80) and a Message-ID.
    let mut ok = vec![0x8C, 0x81, 0x98];
    ok.extend(text("T1"));
    ok.extend([0x8D, 0x92, 0x92, 0x80, 0x8B]);
    ok.extend(text("msg-1"));
    let pdu = decode(&ok).expect("decodes");
    assert_eq!(pdu.message_type, MessageType::SendConf);
    assert_eq!(pdu.response_status, Some(0x80));
    assert_eq!(pdu.message_id.as_deref(), Some("msg-1"));
    assert_eq!(response_status_words(0x80), None);

    // Error-permanent-sending-address-unresolved (0xE3) with a Response-Text.
    let mut refused = vec![0x8C, 0x81, 0x98];
    refused.extend(text("T2"));
    refused.extend([0x8D, 0x92, 0x92, 0xE3, 0x93]);
    refused.extend(text("Unknown subscriber"));
    let pdu = decode(&refused).expect("decodes");
    assert_eq!(pdu.response_status, Some(0xE3));
    assert_eq!(pdu.response_text.as_deref(), Some("Unknown subscriber"));
    let words = response_status_words(0xE3).expect("a failure");
    assert!(words.contains("recipient"), "{words}");
    assert!(
        response_status_words(0xC1)
            .expect("transient")
            .contains("try again")
    );
}

#[test]
fn encoded_strings_in_utf8_ucs2_and_latin1_read_as_text() {
    // 7.2.9: Value-length, Char-set (106 UTF-8 as 0xEA; 4 Latin-1; 1000 UCS-2 as a long
    // integer 0x02 0x03 0xE8), Text-string.
    let mut reader = Reader::new(&[0x04, 0x84, 0xE9, b't', 0x00]);
    assert_eq!(reader.encoded_string("s").as_deref(), Ok("ét"));
    let mut reader = Reader::new(&[0x09, 0x02, 0x03, 0xE8, 0x00, 0xE9, 0x00, b't', 0x00, 0x00]);
    assert_eq!(reader.encoded_string("s").as_deref(), Ok("ét"));
    let mut reader = Reader::new(&[0x04, 0xEA, 0xC3, 0xA9, 0x00]);
    assert_eq!(reader.encoded_string("s").as_deref(), Ok("é"));
}

#[test]
fn unknown_and_application_headers_are_skipped() {
    let mut bytes = vec![0x8C, 0x84]; // m-retrieve-conf
    bytes.extend([0xB0, 0x03, 1, 2, 3]); // an unknown field with a short-length value
    bytes.extend(text("X-Custom")); // an application header
    bytes.extend(text("value"));
    bytes.extend([0x85, 0x04, 0x5F, 0x00, 0x00, 0x00]); // Date
    bytes.extend([0x84, 0x83]); // Content-Type: text/plain, not multipart
    bytes.extend(b"plain body");
    let pdu = decode(&bytes).expect("decodes");
    assert_eq!(pdu.message_type, MessageType::RetrieveConf);
    assert_eq!(pdu.date, Some(0x5F00_0000));
    assert_eq!(pdu.parts.len(), 1);
    assert_eq!(pdu.parts[0].as_text().as_deref(), Some("plain body"));
}

#[test]
fn bad_requests_are_refused_with_the_reason() {
    assert_eq!(
        encode_send_request(&SendRequest {
            to: vec![],
            ..request(vec![Part::text("a")])
        }),
        Err(EncodeError::NoRecipient)
    );
    for bad in [
        "2125550142",
        "+",
        "+1212555014a",
        "+1234567890123456",
        "+1/TYPE=PLMN",
    ] {
        assert_eq!(
            encode_send_request(&SendRequest {
                to: vec![bad.to_owned()],
                ..request(vec![Part::text("a")])
            }),
            Err(EncodeError::BadRecipient(bad.to_owned())),
            "{bad}"
        );
    }
    assert_eq!(
        encode_send_request(&request(vec![])),
        Err(EncodeError::NoParts)
    );
    assert_eq!(
        encode_send_request(&request(vec![Part::text("a"); MAX_PARTS])),
        Err(EncodeError::TooManyParts(MAX_PARTS))
    );
    assert_eq!(
        encode_send_request(&SendRequest {
            subject: Some("a\0b".to_owned()),
            ..request(vec![Part::text("a")])
        }),
        Err(EncodeError::NulInText("subject"))
    );
    assert_eq!(
        encode_send_request(&request(vec![Part::file("jpeg", "a.jpg", vec![1])])),
        Err(EncodeError::BadContentType("jpeg".to_owned()))
    );
    assert_eq!(
        encode_send_request(&request(vec![Part::file("image/jp\0eg", "a", vec![1])])),
        Err(EncodeError::BadContentType("image/jp\0eg".to_owned()))
    );
    let huge = Part::file("image/jpeg", "big.jpg", vec![0; MAX_PDU_BYTES + 1]);
    let refused = encode_send_request(&request(vec![huge]));
    assert!(
        matches!(refused, Err(EncodeError::TooLarge(_))),
        "{refused:?}"
    );
    let words = refused.expect_err("too large").to_string();
    assert!(words.contains("smaller photos"), "{words}");
}

#[test]
fn what_is_not_an_mms_is_refused_without_a_panic() {
    assert_eq!(decode(&[]), Err(DecodeError::NotAnMms));
    assert_eq!(decode(b"<html>"), Err(DecodeError::NotAnMms));
    let good = encode_send_request(&request(vec![
        Part::text("hello"),
        Part::file("image/png", "a.png", vec![1, 2, 3, 4]),
    ]))
    .expect("encodes");
    // Every truncation of a good PDU is an error (or, cut at a part boundary's header, a
    // PDU with fewer headers), never a panic or a read past the end.
    for len in 0..good.len() {
        let _ = decode(&good[..len]);
    }
    let cut = &good[..good.len() - 1];
    assert!(matches!(
        decode(cut),
        Err(DecodeError::Malformed(WspError::Truncated { .. }))
    ));
}

#[test]
fn a_body_claiming_too_many_parts_or_bytes_is_refused() {
    let mut bytes = vec![0x8C, 0x84, 0x84, 0xA3]; // multipart.mixed
    let mut many = bytes.clone();
    wsp::put_uintvar(&mut many, 1_000_000);
    assert_eq!(decode(&many), Err(DecodeError::TooManyParts(1_000_000)));
    // One part that says it has 4 GiB of data: the length is checked, nothing allocated.
    bytes.push(1);
    bytes.push(1);
    wsp::put_uintvar(&mut bytes, u32::MAX);
    bytes.push(0x83);
    bytes.extend(b"short");
    assert!(matches!(
        decode(&bytes),
        Err(DecodeError::Malformed(WspError::Truncated { .. }))
    ));
}

#[test]
fn too_many_header_fields_are_refused() {
    let mut bytes = vec![0x8C, 0x84];
    for _ in 0..=MAX_HEADERS {
        bytes.extend([0x8A, 0x80]);
    }
    assert_eq!(decode(&bytes), Err(DecodeError::TooManyHeaders));
}

mod arbitrary_bytes {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut prefixed = vec![0x8C, 0x84];
            prefixed.extend(&bytes);
            let _ = decode(&prefixed);
            let _ = decode(&bytes);
        }

        #[test]
        fn a_changed_byte_of_a_good_pdu_never_panics(at in 0usize..400, to in any::<u8>()) {
            let mut good = encode_send_request(&request(vec![
                Part::text("hello there"),
                Part::file("image/jpeg", "x.jpg", vec![0xFF; 64]),
            ]))
            .expect("encodes");
            let at = at % good.len();
            good[at] = to;
            let _ = decode(&good);
        }
    }
}
