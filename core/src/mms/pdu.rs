//! MMS PDUs (OMA-TS-MMS_ENC-V1_3): the m-send-req Ringback composes for
//! `SmsManager.sendMultimediaMessage`, and a parser for the PDUs that come back or that the
//! provider holds (m-send-conf with the carrier's answer, m-notification-ind,
//! m-retrieve-conf). The parser reads bytes that came from outside: every length is checked
//! against the input, parts are counted, and a bad PDU is an error naming the byte, never a
//! panic.

mod compose;
mod parse;

pub use compose::encode_send_request;
pub use parse::decode;

use super::wsp::{self, ContentType, WspError};

/// The most parts a message may have, read or written (Android's own composer caps a
/// message at 20 slides of a few parts each).
pub const MAX_PARTS: usize = 64;

/// The most header fields read from one PDU or one part.
pub(crate) const MAX_HEADERS: usize = 128;

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
    pub(crate) fn from_octet(octet: u8) -> Self {
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
pub(crate) mod field {
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
pub(crate) mod part_field {
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
    pub(crate) fn new(message_type: MessageType) -> Self {
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

#[cfg(test)]
mod tests;
