//! MMS PDUs (OMA-TS-MMS_ENC-V1_3): the m-send-req Ringback composes for
//! `SmsManager.sendMultimediaMessage`, and a parser for the PDUs that come back or that the
//! provider holds (m-send-conf with the carrier's answer, m-notification-ind,
//! m-retrieve-conf). The parser reads bytes that came from outside: every length is checked
//! against the input, parts are counted, and a bad PDU is an error naming the byte, never a
//! panic.

use super::wsp::{self, ContentType, Reader, WspError};

/// The most parts a message may have, read or written (Android's own composer caps a
/// message at 20 slides of a few parts each).
pub const MAX_PARTS: usize = 64;

/// The most header fields read from one PDU or one part.
const MAX_HEADERS: usize = 128;

/// The largest PDU Ringback composes: carriers take 300 KB to 1 MB, and Android's
/// `MmsConfig` refuses anything past its own `maxMessageSize` anyway.
pub const MAX_PDU_BYTES: usize = 2 * 1024 * 1024;

/// `X-Mms-Message-Type` values (7.3.30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    /// m-send-req (128): a message to send.
    SendReq,
    /// m-send-conf (129): the MMSC's answer to a send.
    SendConf,
    /// m-notification-ind (130): a message waits on the MMSC, not downloaded yet.
    NotificationInd,
    /// m-notifyresp-ind (131).
    NotifyRespInd,
    /// m-retrieve-conf (132): a downloaded message.
    RetrieveConf,
    /// m-acknowledge-ind (133).
    AcknowledgeInd,
    /// m-delivery-ind (134): a delivery report.
    DeliveryInd,
    /// Any other type (read reports, forwards, MMS 1.3 mailbox PDUs).
    Other(u8),
}

impl MessageType {
    fn from_octet(octet: u8) -> Self {
        match octet {
            0x80 => MessageType::SendReq,
            0x81 => MessageType::SendConf,
            0x82 => MessageType::NotificationInd,
            0x83 => MessageType::NotifyRespInd,
            0x84 => MessageType::RetrieveConf,
            0x85 => MessageType::AcknowledgeInd,
            0x86 => MessageType::DeliveryInd,
            other => MessageType::Other(other),
        }
    }
}

/// Header field numbers (OMA MMS ENC Table 27), without the top bit.
mod field {
    pub const BCC: u8 = 0x01;
    pub const CC: u8 = 0x02;
    pub const CONTENT_LOCATION: u8 = 0x03;
    pub const CONTENT_TYPE: u8 = 0x04;
    pub const DATE: u8 = 0x05;
    pub const DELIVERY_REPORT: u8 = 0x06;
    pub const EXPIRY: u8 = 0x08;
    pub const FROM: u8 = 0x09;
    pub const MESSAGE_CLASS: u8 = 0x0A;
    pub const MESSAGE_ID: u8 = 0x0B;
    pub const MESSAGE_TYPE: u8 = 0x0C;
    pub const MMS_VERSION: u8 = 0x0D;
    pub const MESSAGE_SIZE: u8 = 0x0E;
    pub const PRIORITY: u8 = 0x0F;
    pub const READ_REPORT: u8 = 0x10;
    pub const RESPONSE_STATUS: u8 = 0x12;
    pub const RESPONSE_TEXT: u8 = 0x13;
    pub const STATUS: u8 = 0x15;
    pub const SUBJECT: u8 = 0x16;
    pub const TO: u8 = 0x17;
    pub const TRANSACTION_ID: u8 = 0x18;
    pub const RETRIEVE_STATUS: u8 = 0x19;
    pub const RETRIEVE_TEXT: u8 = 0x1A;
}

/// Part header field numbers (WAP-230 Table 39), without the top bit.
mod part_field {
    pub const CONTENT_LOCATION: u8 = 0x0E;
    pub const CONTENT_ID: u8 = 0x40;
}

/// One part of a multipart message: a text, an image, a SMIL presentation…
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Part {
    /// The media type, e.g. `image/jpeg`.
    pub content_type: String,
    /// The text's charset (MIBenum; 106 is UTF-8), for text parts.
    pub charset: Option<u64>,
    /// A file name: the content type's `name`, or its `filename`.
    pub name: Option<String>,
    /// `Content-ID`, without its angle brackets.
    pub content_id: Option<String>,
    /// `Content-Location`: the name a SMIL presentation refers to.
    pub content_location: Option<String>,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Part {
    /// A UTF-8 text part.
    pub fn text(text: &str) -> Self {
        Part {
            content_type: "text/plain".to_owned(),
            charset: Some(wsp::CHARSET_UTF8),
            data: text.as_bytes().to_vec(),
            ..Part::default()
        }
    }

    /// A part of any media type, with a file name.
    pub fn file(content_type: &str, name: &str, data: Vec<u8>) -> Self {
        Part {
            content_type: content_type.to_owned(),
            name: Some(name.to_owned()),
            data,
            ..Part::default()
        }
    }

    /// The text of a `text/*` part in its charset; `None` for other media.
    pub fn as_text(&self) -> Option<String> {
        self.content_type
            .to_ascii_lowercase()
            .starts_with("text/")
            .then(|| wsp::decode_charset(self.charset.unwrap_or(wsp::CHARSET_UTF8), &self.data))
    }
}

/// An m-send-req to compose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRequest {
    /// `X-Mms-Transaction-ID`: unique per send (Ringback uses the message id).
    pub transaction_id: String,
    /// The recipients, as E.164 numbers (`+12125550142`).
    pub to: Vec<String>,
    /// `Subject`, when there is one.
    pub subject: Option<String>,
    /// Whether to ask the MMSC for a delivery report.
    pub delivery_report: bool,
    /// The parts, in order; a SMIL presentation is added in front of them.
    pub parts: Vec<Part>,
}

/// Why an m-send-req could not be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// No recipient.
    #[error("an MMS needs at least one recipient")]
    NoRecipient,
    /// A recipient that is not an E.164 number.
    #[error("recipient {0:?} is not a phone number in international form (+ and digits)")]
    BadRecipient(String),
    /// No part.
    #[error("an MMS needs at least one part (a text or a file)")]
    NoParts,
    /// Too many parts.
    #[error("an MMS may have at most {MAX_PARTS} parts; this one has {0}")]
    TooManyParts(usize),
    /// A text field holds a NUL, which the encoding uses as its terminator.
    #[error("the {0} holds a NUL character, which an MMS header cannot carry")]
    NulInText(&'static str),
    /// A content type that is not `type/subtype` in plain ASCII.
    #[error("{0:?} is not a content type (type/subtype, plain ASCII)")]
    BadContentType(String),
    /// The whole PDU is too large.
    #[error(
        "the message is {0} bytes, over the {MAX_PDU_BYTES} bytes an MMS may have; send smaller photos"
    )]
    TooLarge(usize),
}

/// Why bytes could not be read as an MMS PDU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The first header is not `X-Mms-Message-Type`.
    #[error("this is not an MMS PDU: it does not start with X-Mms-Message-Type")]
    NotAnMms,
    /// A value could not be read.
    #[error("the MMS is malformed: {0}")]
    Malformed(#[from] WspError),
    /// More parts than [`MAX_PARTS`].
    #[error("the MMS says it has {0} parts, more than the {MAX_PARTS} Ringback reads")]
    TooManyParts(u32),
    /// More header fields than a PDU has.
    #[error("the MMS has more than {MAX_HEADERS} header fields")]
    TooManyHeaders,
}

/// A parsed PDU: the headers Ringback uses and the parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu {
    /// `X-Mms-Message-Type`.
    pub message_type: MessageType,
    /// `X-Mms-Transaction-ID`.
    pub transaction_id: Option<String>,
    /// `X-Mms-MMS-Version` as (major, minor).
    pub version: Option<(u8, u8)>,
    /// `From`: the address (`+12125550142/TYPE=PLMN`), or `None` when absent or left for the
    /// MMSC to insert.
    pub from: Option<String>,
    /// `To`.
    pub to: Vec<String>,
    /// `Cc`.
    pub cc: Vec<String>,
    /// `Bcc`.
    pub bcc: Vec<String>,
    /// `Date`, seconds since 1970.
    pub date: Option<u64>,
    /// `Subject`.
    pub subject: Option<String>,
    /// `X-Mms-Message-Size` (notifications).
    pub message_size: Option<u64>,
    /// `X-Mms-Content-Location` (notifications: where the message waits).
    pub content_location: Option<String>,
    /// `Message-ID`.
    pub message_id: Option<String>,
    /// `X-Mms-Response-Status` (m-send-conf), the octet as sent.
    pub response_status: Option<u8>,
    /// `X-Mms-Response-Text`.
    pub response_text: Option<String>,
    /// `X-Mms-Retrieve-Status` (m-retrieve-conf), the octet as sent.
    pub retrieve_status: Option<u8>,
    /// `X-Mms-Status` (m-delivery-ind), the octet as sent.
    pub status: Option<u8>,
    /// `Content-Type` of the body, when it has one.
    pub content_type: Option<ContentType>,
    /// The body's parts (a multipart body), or the whole body as one part.
    pub parts: Vec<Part>,
}

impl Pdu {
    fn new(message_type: MessageType) -> Self {
        Pdu {
            message_type,
            transaction_id: None,
            version: None,
            from: None,
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            date: None,
            subject: None,
            message_size: None,
            content_location: None,
            message_id: None,
            response_status: None,
            response_text: None,
            retrieve_status: None,
            status: None,
            content_type: None,
            parts: Vec::new(),
        }
    }
}

/// `X-Mms-Response-Status` in words a person can act on (OMA MMS ENC 7.3.48); `None` for
/// Ok (128).
pub fn response_status_words(status: u8) -> Option<&'static str> {
    Some(match status {
        0x80 => return None,
        0x82 | 0xC1 => "the carrier's MMS service could not take the message just now (try again)",
        0x83 | 0xC2 | 0xE2 | 0xE3 => {
            "the carrier refused the message for the recipient (a number it cannot send MMS to)"
        }
        0x84 | 0xE4 => "the carrier could not find the recipient's number",
        0x85 | 0xC0 | 0xE0 => "the carrier refused the message (not a valid MMS)",
        0x86 | 0xE1 => "the carrier refused the message: this line may not send MMS",
        0x87 | 0xE5 => "the carrier refused the message's format or size (send a smaller photo)",
        0x88 | 0xE6 => "the carrier refused the message: reply charging is not supported",
        0xC3 => "the carrier's MMS service is short of space just now (try again)",
        0xC4 => "the carrier has no route for the message just now (try again)",
        0xE7 => "the carrier refused the message: its address is hidden",
        0xE8 => "the carrier refused the message: the line has no credit or no MMS plan",
        _ => "the carrier refused the message",
    })
}

/// The number in an MMS address: `+12125550142/TYPE=PLMN` is `+12125550142`; an e-mail
/// address or other address is returned as it is.
pub fn address_number(address: &str) -> &str {
    match address.rfind("/TYPE=") {
        Some(at) => &address[..at],
        None => address,
    }
}

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

/// Parses a PDU: the headers up to `Content-Type`, then the body (a multipart body's
/// parts, or the rest as one part). Unknown headers are skipped; nested multiparts are kept
/// as one part of their own type.
pub fn decode(bytes: &[u8]) -> Result<Pdu, DecodeError> {
    let mut reader = Reader::new(bytes);
    if reader.peek() != Some(field::MESSAGE_TYPE | 0x80) {
        return Err(DecodeError::NotAnMms);
    }
    reader.byte("message type")?;
    let mut pdu = Pdu::new(MessageType::from_octet(reader.byte("message type")?));
    let mut count = 0;
    while !reader.is_empty() {
        count += 1;
        if count > MAX_HEADERS {
            return Err(DecodeError::TooManyHeaders);
        }
        if reader.peek().is_some_and(|name| name & 0x80 == 0) {
            // An application header: a token-text name, then a text value.
            reader.text("application header name")?;
            reader.text("application header value")?;
            continue;
        }
        let name = reader.byte("header name")?;
        match name & 0x7F {
            field::TRANSACTION_ID => pdu.transaction_id = Some(reader.text("transaction id")?),
            field::MMS_VERSION => {
                let version = reader.integer("MMS version")?;
                pdu.version = Some((((version >> 4) & 0x07) as u8, (version & 0x0F) as u8));
            }
            field::FROM => pdu.from = read_from(&mut reader)?,
            field::TO => pdu.to.push(reader.encoded_string("To")?),
            field::CC => pdu.cc.push(reader.encoded_string("Cc")?),
            field::BCC => pdu.bcc.push(reader.encoded_string("Bcc")?),
            field::DATE => pdu.date = Some(reader.long_integer("Date")?),
            field::SUBJECT => pdu.subject = Some(reader.encoded_string("Subject")?),
            field::MESSAGE_SIZE => pdu.message_size = Some(reader.long_integer("message size")?),
            field::CONTENT_LOCATION => {
                pdu.content_location = Some(reader.text("content location")?);
            }
            field::MESSAGE_ID => pdu.message_id = Some(reader.text("message id")?),
            field::RESPONSE_STATUS => pdu.response_status = Some(reader.byte("response status")?),
            field::RESPONSE_TEXT => {
                pdu.response_text = Some(reader.encoded_string("response text")?);
            }
            field::RETRIEVE_STATUS => pdu.retrieve_status = Some(reader.byte("retrieve status")?),
            field::RETRIEVE_TEXT => {
                reader.encoded_string("retrieve text")?;
            }
            field::STATUS => pdu.status = Some(reader.byte("status")?),
            field::CONTENT_TYPE => {
                let content_type = reader.content_type()?;
                pdu.parts = read_body(&mut reader, &content_type)?;
                pdu.content_type = Some(content_type);
                break;
            }
            _ => reader.skip_value("header value")?,
        }
    }
    Ok(pdu)
}

/// `From` (7.3.21): a value length, then an address (0x80 and an encoded string) or the
/// insert-address token (0x81).
fn read_from(reader: &mut Reader<'_>) -> Result<Option<String>, WspError> {
    let len = reader.value_length("From")?;
    let mut value = reader.sub(len, "From")?;
    match value.byte("From")? {
        0x80 => Ok(Some(value.encoded_string("From")?)),
        _ => Ok(None),
    }
}

fn read_body(
    reader: &mut Reader<'_>,
    content_type: &ContentType,
) -> Result<Vec<Part>, DecodeError> {
    let media = content_type.media.to_ascii_lowercase();
    if !media.starts_with("application/vnd.wap.multipart.") && !media.starts_with("multipart/") {
        let rest = reader.rest();
        if rest.is_empty() {
            return Ok(Vec::new());
        }
        return Ok(vec![Part {
            content_type: content_type.media.clone(),
            charset: content_type.charset,
            name: content_type.name.clone().or(content_type.filename.clone()),
            data: rest.to_vec(),
            ..Part::default()
        }]);
    }
    if reader.is_empty() {
        return Ok(Vec::new());
    }
    let count = reader.uintvar("part count")?;
    if count as usize > MAX_PARTS {
        return Err(DecodeError::TooManyParts(count));
    }
    let mut parts = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let headers_len = reader.uintvar("part header length")? as usize;
        let data_len = reader.uintvar("part data length")? as usize;
        let mut headers = reader.sub(headers_len, "part headers")?;
        let data = reader.take(data_len, "part data")?;
        let content_type = headers.content_type()?;
        let mut part = Part {
            content_type: content_type.media,
            charset: content_type.charset,
            name: content_type.name.or(content_type.filename),
            data: data.to_vec(),
            ..Part::default()
        };
        read_part_headers(&mut headers, &mut part)?;
        parts.push(part);
    }
    Ok(parts)
}

fn read_part_headers(headers: &mut Reader<'_>, part: &mut Part) -> Result<(), DecodeError> {
    let mut count = 0;
    while !headers.is_empty() {
        count += 1;
        if count > MAX_HEADERS {
            return Err(DecodeError::TooManyHeaders);
        }
        let name = headers.peek().unwrap_or(0);
        if name & 0x80 != 0 {
            headers.byte("part header")?;
            match name & 0x7F {
                part_field::CONTENT_LOCATION => {
                    part.content_location = Some(headers.text("Content-Location")?);
                }
                part_field::CONTENT_ID => {
                    part.content_id = Some(bracketless(headers.text("Content-ID")?));
                }
                _ => headers.skip_value("part header value")?,
            }
        } else {
            let name = headers.text("part header name")?;
            let value = headers.text("part header value")?;
            if name.eq_ignore_ascii_case("Content-ID") {
                part.content_id = Some(bracketless(value));
            } else if name.eq_ignore_ascii_case("Content-Location") {
                part.content_location = Some(value);
            }
        }
    }
    Ok(())
}

fn bracketless(id: String) -> String {
    id.strip_prefix('<')
        .and_then(|rest| rest.strip_suffix('>'))
        .map_or(id.clone(), str::to_owned)
}

#[cfg(test)]
mod tests;
