//! Parsing a PDU from outside: every length checked against the input, parts and header
//! fields counted.

use super::super::wsp::{ContentType, Reader, WspError};
use super::{DecodeError, MAX_HEADERS, MAX_PARTS, MessageType, Part, Pdu, field, part_field};

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
