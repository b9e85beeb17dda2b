//! Composing an m-send-req (OMA MMS ENC 6.1.1) with its SMIL presentation.

use super::super::wsp;
use super::{EncodeError, MAX_PARTS, MAX_PDU_BYTES, Part, SendRequest, field, part_field};

/// The Content-ID of the SMIL presentation Ringback adds.
const SMIL_ID: &str = "smil";

/// Composes an m-send-req (OMA MMS ENC 6.1.1) as Android's own composer does: MMS version
/// 1.2, From left for the MMSC to insert, class Personal, expiry a week, priority Normal, no
/// read report, and a multipart/related body whose first part is a SMIL presentation of the
/// others in one slide, so every phone lays it out.
pub fn encode_send_request(request: &SendRequest) -> Result<Vec<u8>, EncodeError> {
    if request.to.is_empty() {
        return Err(EncodeError::NoRecipient);
    }
    for to in &request.to {
        let digits = to.strip_prefix('+').unwrap_or("");
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EncodeError::BadRecipient(to.clone()));
        }
    }
    if request.parts.is_empty() {
        return Err(EncodeError::NoParts);
    }
    if request.parts.len() + 1 > MAX_PARTS {
        return Err(EncodeError::TooManyParts(request.parts.len()));
    }
    no_nul(&request.transaction_id, "transaction id")?;
    if let Some(subject) = &request.subject {
        no_nul(subject, "subject")?;
    }
    let locations = part_locations(&request.parts);
    for part in &request.parts {
        check_content_type(&part.content_type)?;
        if let Some(name) = &part.name {
            no_nul(name, "file name")?;
        }
    }

    let mut out = Vec::with_capacity(
        512 + request
            .parts
            .iter()
            .map(|p| p.data.len() + 64)
            .sum::<usize>(),
    );
    header(&mut out, field::MESSAGE_TYPE);
    out.push(0x80);
    header(&mut out, field::TRANSACTION_ID);
    wsp::put_text(&mut out, &request.transaction_id);
    header(&mut out, field::MMS_VERSION);
    out.push(0x92);
    // From: Insert-address-token: the MMSC writes the line's own number.
    header(&mut out, field::FROM);
    out.extend_from_slice(&[0x01, 0x81]);
    for to in &request.to {
        header(&mut out, field::TO);
        wsp::put_text(&mut out, &format!("{to}/TYPE=PLMN"));
    }
    if let Some(subject) = &request.subject {
        header(&mut out, field::SUBJECT);
        put_encoded_string(&mut out, subject);
    }
    header(&mut out, field::MESSAGE_CLASS);
    out.push(0x80);
    // Expiry: relative, a week (604,800 s), as Android's composer sends.
    header(&mut out, field::EXPIRY);
    let mut expiry = vec![0x81];
    wsp::put_long_integer(&mut expiry, 7 * 24 * 3600);
    put_length_prefixed(&mut out, &expiry)?;
    header(&mut out, field::PRIORITY);
    out.push(0x81);
    header(&mut out, field::DELIVERY_REPORT);
    out.push(if request.delivery_report { 0x80 } else { 0x81 });
    header(&mut out, field::READ_REPORT);
    out.push(0x81);

    // Content-Type last: multipart/related, type application/smil, start <smil>.
    header(&mut out, field::CONTENT_TYPE);
    let mut content_type = Vec::new();
    wsp::put_media(&mut content_type, "application/vnd.wap.multipart.related");
    content_type.push(0x89);
    wsp::put_text(&mut content_type, "application/smil");
    content_type.push(0x8A);
    wsp::put_text(&mut content_type, &format!("<{SMIL_ID}>"));
    put_length_prefixed(&mut out, &content_type)?;

    let smil = Part {
        content_type: "application/smil".to_owned(),
        charset: Some(wsp::CHARSET_UTF8),
        content_id: Some(SMIL_ID.to_owned()),
        content_location: Some("smil.xml".to_owned()),
        data: smil_for(&request.parts, &locations).into_bytes(),
        ..Part::default()
    };
    wsp::put_uintvar(&mut out, (request.parts.len() + 1) as u32);
    put_part(&mut out, &smil)?;
    for (part, location) in request.parts.iter().zip(&locations) {
        let mut part = part.clone();
        part.content_location = Some(location.clone());
        if part.content_id.is_none() {
            part.content_id = Some(location.clone());
        }
        put_part(&mut out, &part)?;
        if out.len() > MAX_PDU_BYTES {
            return Err(EncodeError::TooLarge(out.len()));
        }
    }
    Ok(out)
}

fn header(out: &mut Vec<u8>, field: u8) {
    out.push(field | 0x80);
}

fn no_nul(text: &str, what: &'static str) -> Result<(), EncodeError> {
    if text.contains('\0') {
        Err(EncodeError::NulInText(what))
    } else {
        Ok(())
    }
}

fn check_content_type(media: &str) -> Result<(), EncodeError> {
    let valid = media.split_once('/').is_some_and(|(kind, sub)| {
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-*".contains(&b))
        };
        token(kind) && token(sub)
    });
    if valid {
        Ok(())
    } else {
        Err(EncodeError::BadContentType(media.to_owned()))
    }
}

/// `Encoded-string-value`: plain text when ASCII, else UTF-8 with its charset.
fn put_encoded_string(out: &mut Vec<u8>, text: &str) {
    if text.is_ascii() {
        wsp::put_text(out, text);
    } else {
        let mut value = Vec::with_capacity(text.len() + 3);
        wsp::put_integer(&mut value, wsp::CHARSET_UTF8);
        wsp::put_text(&mut value, text);
        // A subject is far below 4 GiB; the length cannot fail.
        let _ = put_length_prefixed(out, &value);
    }
}

fn put_length_prefixed(out: &mut Vec<u8>, value: &[u8]) -> Result<(), EncodeError> {
    wsp::put_value_length(out, value.len()).map_err(|_| EncodeError::TooLarge(value.len()))?;
    out.extend_from_slice(value);
    Ok(())
}

/// A unique, plain name per part (the SMIL refers to parts by it): the part's own name
/// made safe, or `part<n>` with an extension for its type.
fn part_locations(parts: &[Part]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(parts.len());
    for (index, part) in parts.iter().enumerate() {
        let own: String = part
            .name
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            .take(40)
            .collect();
        let mut name = if own.is_empty() || own.starts_with('.') {
            format!("part{index}{}", extension_for(&part.content_type))
        } else {
            own
        };
        if names.contains(&name) {
            name = format!("{index}-{name}");
        }
        names.push(name);
    }
    names
}

fn extension_for(media: &str) -> &'static str {
    match media.to_ascii_lowercase().as_str() {
        "text/plain" => ".txt",
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "image/gif" => ".gif",
        "video/mp4" => ".mp4",
        "video/3gpp" => ".3gp",
        "audio/amr" => ".amr",
        "audio/mp4" | "audio/aac" => ".m4a",
        "text/x-vcard" | "text/vcard" => ".vcf",
        _ => "",
    }
}

/// A one-slide SMIL presentation of the parts (SMIL's `src` names each Content-Location).
fn smil_for(parts: &[Part], locations: &[String]) -> String {
    let mut body = String::new();
    for (part, location) in parts.iter().zip(locations) {
        let media = part.content_type.to_ascii_lowercase();
        let element = if media.starts_with("image/") {
            "img"
        } else if media.starts_with("text/plain") {
            "text"
        } else if media.starts_with("video/") {
            "video"
        } else if media.starts_with("audio/") {
            "audio"
        } else {
            "ref"
        };
        let region = match element {
            "img" | "video" => " region=\"Image\"",
            "text" => " region=\"Text\"",
            _ => "",
        };
        body.push_str(&format!("<{element} src=\"{location}\"{region}/>"));
    }
    format!(
        "<smil><head><layout><root-layout/>\
         <region id=\"Image\" fit=\"meet\" top=\"0\" left=\"0\" height=\"80%\" width=\"100%\"/>\
         <region id=\"Text\" top=\"80%\" left=\"0\" height=\"20%\" width=\"100%\"/>\
         </layout></head><body><par dur=\"5000ms\">{body}</par></body></smil>"
    )
}

/// One multipart entry (WAP-230 8.5.3): header length, data length, content type and
/// headers, data.
fn put_part(out: &mut Vec<u8>, part: &Part) -> Result<(), EncodeError> {
    let mut headers = Vec::new();
    let has_parameters = part.charset.is_some() || part.name.is_some();
    if has_parameters {
        let mut value = Vec::new();
        wsp::put_media(&mut value, &part.content_type);
        if let Some(charset) = part.charset {
            value.push(0x81);
            wsp::put_integer(&mut value, charset);
        }
        if let Some(name) = &part.name {
            value.push(0x85);
            wsp::put_text(&mut value, name);
        }
        put_length_prefixed(&mut headers, &value)?;
    } else {
        wsp::put_media(&mut headers, &part.content_type);
    }
    if let Some(location) = &part.content_location {
        headers.push(part_field::CONTENT_LOCATION | 0x80);
        wsp::put_text(&mut headers, location);
    }
    if let Some(id) = &part.content_id {
        headers.push(part_field::CONTENT_ID | 0x80);
        wsp::put_quoted(&mut headers, &format!("<{id}>"));
    }
    let too_large = |len: usize| EncodeError::TooLarge(len);
    wsp::put_uintvar(
        out,
        u32::try_from(headers.len()).map_err(|_| too_large(headers.len()))?,
    );
    wsp::put_uintvar(
        out,
        u32::try_from(part.data.len()).map_err(|_| too_large(part.data.len()))?,
    );
    out.extend_from_slice(&headers);
    out.extend_from_slice(&part.data);
    Ok(())
}
