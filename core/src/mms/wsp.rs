//! WSP encoding primitives (WAP-230-WSP, section 8.4.2), as the MMS encapsulation uses them:
//! a reader that never reads past its input and names what it was reading when it fails,
//! and the matching writers.

/// The well-known content types (WAP-230 Table 40, "Content Type Assignments", 0x00–0x41):
/// a content type at index `n` is sent as the short integer `n | 0x80`.
pub const WELL_KNOWN_CONTENT_TYPES: [&str; 66] = [
    "*/*",
    "text/*",
    "text/html",
    "text/plain",
    "text/x-hdml",
    "text/x-ttml",
    "text/x-vCalendar",
    "text/x-vCard",
    "text/vnd.wap.wml",
    "text/vnd.wap.wmlscript",
    "text/vnd.wap.wta-event",
    "multipart/*",
    "multipart/mixed",
    "multipart/form-data",
    "multipart/byterantes",
    "multipart/alternative",
    "application/*",
    "application/java-vm",
    "application/x-www-form-urlencoded",
    "application/x-hdmlc",
    "application/vnd.wap.wmlc",
    "application/vnd.wap.wmlscriptc",
    "application/vnd.wap.wta-eventc",
    "application/vnd.wap.uaprof",
    "application/vnd.wap.wtls-ca-certificate",
    "application/vnd.wap.wtls-user-certificate",
    "application/x-x509-ca-cert",
    "application/x-x509-user-cert",
    "image/*",
    "image/gif",
    "image/jpeg",
    "image/tiff",
    "image/png",
    "image/vnd.wap.wbmp",
    "application/vnd.wap.multipart.*",
    "application/vnd.wap.multipart.mixed",
    "application/vnd.wap.multipart.form-data",
    "application/vnd.wap.multipart.byteranges",
    "application/vnd.wap.multipart.alternative",
    "application/xml",
    "text/xml",
    "application/vnd.wap.wbxml",
    "application/x-x968-cross-cert",
    "application/x-x968-ca-cert",
    "application/x-x968-user-cert",
    "text/vnd.wap.si",
    "application/vnd.wap.sic",
    "text/vnd.wap.sl",
    "application/vnd.wap.slc",
    "text/vnd.wap.co",
    "application/vnd.wap.coc",
    "application/vnd.wap.multipart.related",
    "application/vnd.wap.sia",
    "text/vnd.wap.connectivity-xml",
    "application/vnd.wap.connectivity-wbxml",
    "application/pkcs7-mime",
    "application/vnd.wap.hashed-certificate",
    "application/vnd.wap.signed-certificate",
    "application/vnd.wap.cert-response",
    "application/xhtml+xml",
    "application/wml+xml",
    "text/css",
    "application/vnd.wap.mms-message",
    "application/vnd.wap.rollover-certificate",
    "application/vnd.wap.locc+wbxml",
    "application/vnd.wap.loc+xml",
];

/// The IANA MIBenum of UTF-8, the charset every text Ringback writes is in.
pub const CHARSET_UTF8: u64 = 106;

/// Why bytes could not be read as WSP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WspError {
    /// The input ended inside a value.
    #[error("the message ends at byte {at} in the middle of {what}")]
    Truncated {
        /// Where the input ended.
        at: usize,
        /// What was being read.
        what: &'static str,
    },
    /// A value is not encoded as the specification allows.
    #[error("byte {at} does not hold a valid {what}")]
    Invalid {
        /// Where the value starts.
        at: usize,
        /// What was expected there.
        what: &'static str,
    },
}

/// Reads WSP values from a byte slice, front to back.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// Where the next byte is read.
    pub fn position(&self) -> usize {
        self.at
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.at >= self.bytes.len()
    }

    /// The next byte, without reading it.
    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// One byte.
    pub fn byte(&mut self, what: &'static str) -> Result<u8, WspError> {
        let byte = self
            .peek()
            .ok_or(WspError::Truncated { at: self.at, what })?;
        self.at += 1;
        Ok(byte)
    }

    /// The next `len` bytes.
    pub fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], WspError> {
        let end = self
            .at
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(WspError::Truncated {
                at: self.bytes.len(),
                what,
            })?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    /// Every byte not read yet, which this reader then has read.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = &self.bytes[self.at.min(self.bytes.len())..];
        self.at = self.bytes.len();
        rest
    }

    /// A reader over the next `len` bytes (a value whose length was given), which this one
    /// skips.
    pub fn sub(&mut self, len: usize, what: &'static str) -> Result<Reader<'a>, WspError> {
        let start = self.at;
        let bytes = self.take(len, what)?;
        Ok(Reader {
            bytes: &self.bytes[..start + bytes.len()],
            at: start,
        })
    }

    /// `uintvar` (8.1.2): seven bits an octet, the top bit set on all but the last; at most
    /// five octets (32 bits), as the specification allows.
    pub fn uintvar(&mut self, what: &'static str) -> Result<u32, WspError> {
        let start = self.at;
        let mut value: u64 = 0;
        for _ in 0..5 {
            let byte = self.byte(what)?;
            value = (value << 7) | u64::from(byte & 0x7F);
            if byte & 0x80 == 0 {
                return u32::try_from(value).map_err(|_| WspError::Invalid { at: start, what });
            }
        }
        Err(WspError::Invalid { at: start, what })
    }

    /// `Value-length` (8.4.2.2): a short length (0–30) or 31 followed by a uintvar.
    pub fn value_length(&mut self, what: &'static str) -> Result<usize, WspError> {
        let start = self.at;
        match self.byte(what)? {
            short @ 0..=30 => Ok(usize::from(short)),
            31 => Ok(self.uintvar(what)? as usize),
            _ => Err(WspError::Invalid { at: start, what }),
        }
    }

    /// `Long-integer` (8.4.2.1): a short length (1–30) and that many big-endian octets;
    /// more than eight do not fit and are refused.
    pub fn long_integer(&mut self, what: &'static str) -> Result<u64, WspError> {
        let start = self.at;
        let len = self.byte(what)?;
        if !(1..=8).contains(&len) {
            return Err(WspError::Invalid { at: start, what });
        }
        let octets = self.take(usize::from(len), what)?;
        Ok(octets
            .iter()
            .fold(0u64, |value, octet| (value << 8) | u64::from(*octet)))
    }

    /// `Integer-value` (8.4.2.3): a short integer (top bit set) or a long integer.
    pub fn integer(&mut self, what: &'static str) -> Result<u64, WspError> {
        match self.peek() {
            Some(byte) if byte & 0x80 != 0 => {
                self.at += 1;
                Ok(u64::from(byte & 0x7F))
            }
            _ => self.long_integer(what),
        }
    }

    /// `Text-string` (8.4.2.1), also `Quoted-string` and `Token-text`: octets up to a NUL,
    /// after an optional quote (0x7F) or double quote; the text is read as UTF-8, invalid
    /// sequences replaced.
    pub fn text(&mut self, what: &'static str) -> Result<String, WspError> {
        Ok(String::from_utf8_lossy(self.text_bytes(what)?).into_owned())
    }

    /// The octets of a `Text-string`, quotes removed, NUL not included.
    pub fn text_bytes(&mut self, what: &'static str) -> Result<&'a [u8], WspError> {
        if matches!(self.peek(), Some(0x7F | b'"')) {
            self.at += 1;
        }
        let rest = &self.bytes[self.at.min(self.bytes.len())..];
        let len = rest
            .iter()
            .position(|b| *b == 0)
            .ok_or(WspError::Truncated {
                at: self.bytes.len(),
                what,
            })?;
        let text = &rest[..len];
        self.at += len + 1;
        Ok(text)
    }

    /// `Encoded-string-value` (OMA MMS ENC 7.2.9): a text string, or a value length, a
    /// charset and a text string in that charset (UTF-8, US-ASCII, ISO-8859-1 and UCS-2 are
    /// read; other charsets as UTF-8, invalid sequences replaced).
    pub fn encoded_string(&mut self, what: &'static str) -> Result<String, WspError> {
        match self.peek() {
            Some(0..=31) => {
                let len = self.value_length(what)?;
                let mut value = self.sub(len, what)?;
                let charset = value.integer(what)?;
                // The rest of the value is the text: UCS-2 holds NUL octets of its own, so
                // the length, not the first NUL, ends it.
                let mut text = value.rest();
                if text.first() == Some(&0x7F) {
                    text = &text[1..];
                }
                if charset == 1000 {
                    while let Some(rest) = text.strip_suffix(&[0, 0]) {
                        text = rest;
                    }
                } else {
                    let end = text.iter().position(|b| *b == 0).unwrap_or(text.len());
                    text = &text[..end];
                }
                Ok(decode_charset(charset, text))
            }
            _ => self.text(what),
        }
    }

    /// Skips one header value of any kind (WAP-230 8.4.1.2: a short length and data, a
    /// length-quoted data, a text up to NUL, or a single short-integer octet).
    pub fn skip_value(&mut self, what: &'static str) -> Result<(), WspError> {
        match self.peek() {
            Some(0..=31) => {
                let len = self.value_length(what)?;
                self.take(len, what).map(|_| ())
            }
            Some(32..=127) => self.text_bytes(what).map(|_| ()),
            Some(_) => self.byte(what).map(|_| ()),
            None => Err(WspError::Truncated { at: self.at, what }),
        }
    }

    /// A content type's media (`Constrained-media`, `Media-type`): a well-known number or
    /// a text.
    fn media(&mut self) -> Result<String, WspError> {
        const WHAT: &str = "content type";
        match self.peek() {
            Some(32..=127) => self.text(WHAT),
            _ => {
                let number = self.integer(WHAT)?;
                Ok(usize::try_from(number)
                    .ok()
                    .and_then(|n| WELL_KNOWN_CONTENT_TYPES.get(n))
                    .map_or_else(
                        || format!("application/x-wsp-{number:#x}"),
                        |known| (*known).to_owned(),
                    ))
            }
        }
    }

    /// `Content-type-value` (8.4.2.24) with the parameters Ringback reads (charset, name,
    /// filename, type, start); the others are skipped.
    pub fn content_type(&mut self) -> Result<ContentType, WspError> {
        const WHAT: &str = "content type";
        match self.peek() {
            Some(0..=31) => {
                let len = self.value_length(WHAT)?;
                let mut value = self.sub(len, WHAT)?;
                let mut content_type = ContentType::new(value.media()?);
                while !value.is_empty() {
                    value.parameter(&mut content_type)?;
                }
                Ok(content_type)
            }
            _ => Ok(ContentType::new(self.media()?)),
        }
    }

    /// One parameter of a content type (8.4.2.4), typed (a well-known token, encoding
    /// versions 1.1–1.4) or untyped (a token text).
    fn parameter(&mut self, into: &mut ContentType) -> Result<(), WspError> {
        const WHAT: &str = "content-type parameter";
        let start = self.at;
        let token = match self.peek() {
            Some(byte) if byte & 0x80 != 0 => {
                self.at += 1;
                Some(byte & 0x7F)
            }
            Some(_) => None,
            None => {
                return Err(WspError::Truncated {
                    at: start,
                    what: WHAT,
                });
            }
        };
        let name = match token {
            Some(0x01) => "charset".to_owned(),
            Some(0x05 | 0x17) => "name".to_owned(),
            Some(0x06 | 0x18) => "filename".to_owned(),
            Some(0x09) => "type".to_owned(),
            Some(0x0A | 0x19) => "start".to_owned(),
            Some(_) => return self.skip_value(WHAT),
            None => self.text(WHAT)?.to_ascii_lowercase(),
        };
        match name.as_str() {
            "charset" => {
                // `Any-charset` (0x80) names none.
                if self.peek() == Some(0x80) {
                    self.at += 1;
                } else if matches!(self.peek(), Some(32..=127)) {
                    let text = self.text(WHAT)?;
                    into.charset = charset_of_name(&text);
                } else {
                    into.charset = Some(self.integer(WHAT)?);
                }
            }
            "type" => into.related_type = Some(self.media()?),
            "name" => into.name = Some(self.text_value(WHAT)?),
            "filename" => into.filename = Some(self.text_value(WHAT)?),
            "start" => into.start = Some(self.text_value(WHAT)?),
            _ => self.skip_value(WHAT)?,
        }
        Ok(())
    }

    /// `Text-value` (8.4.2.3): no value (a NUL alone), a token text or a quoted string.
    fn text_value(&mut self, what: &'static str) -> Result<String, WspError> {
        self.text(what)
    }
}

/// A content type and the parameters Ringback reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContentType {
    /// The media type, e.g. `image/jpeg`, as sent (well-known numbers spelled out).
    pub media: String,
    /// `charset`, as an IANA MIBenum (106 is UTF-8).
    pub charset: Option<u64>,
    /// `name`.
    pub name: Option<String>,
    /// `filename`.
    pub filename: Option<String>,
    /// `type`, of a multipart/related.
    pub related_type: Option<String>,
    /// `start`, of a multipart/related: the Content-ID of the presentation part.
    pub start: Option<String>,
}

impl ContentType {
    /// A content type without parameters.
    pub fn new(media: impl Into<String>) -> Self {
        ContentType {
            media: media.into(),
            ..ContentType::default()
        }
    }
}

/// The MIBenum of a charset written by name, for the few names senders use.
fn charset_of_name(name: &str) -> Option<u64> {
    match name.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => Some(CHARSET_UTF8),
        "us-ascii" => Some(3),
        "iso-8859-1" | "latin1" => Some(4),
        "iso-10646-ucs-2" | "ucs-2" => Some(1000),
        _ => None,
    }
}

/// Text in a charset given by its MIBenum: ISO-8859-1 (4) and UCS-2 (1000, big-endian) are
/// converted; UTF-8, US-ASCII and anything else are read as UTF-8, invalid sequences
/// replaced.
pub fn decode_charset(charset: u64, text: &[u8]) -> String {
    match charset {
        4 => text.iter().map(|b| char::from(*b)).collect(),
        1000 => {
            let units: Vec<u16> = text
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => String::from_utf8_lossy(text).into_owned(),
    }
}

/// Writes a `uintvar`.
pub fn put_uintvar(out: &mut Vec<u8>, value: u32) {
    let mut groups = [0u8; 5];
    let mut count = 0;
    let mut rest = value;
    loop {
        groups[count] = (rest & 0x7F) as u8;
        count += 1;
        rest >>= 7;
        if rest == 0 {
            break;
        }
    }
    for index in (0..count).rev() {
        let more = if index > 0 { 0x80 } else { 0 };
        out.push(groups[index] | more);
    }
}

/// Writes a `Value-length`.
pub fn put_value_length(out: &mut Vec<u8>, len: usize) -> Result<(), LengthError> {
    if len <= 30 {
        out.push(len as u8);
    } else {
        out.push(31);
        put_uintvar(out, u32::try_from(len).map_err(|_| LengthError)?);
    }
    Ok(())
}

/// A value longer than a `uintvar` can say (4 GiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a value is longer than an MMS can carry")]
pub struct LengthError;

/// Writes a `Long-integer`: the fewest big-endian octets, after their count.
pub fn put_long_integer(out: &mut Vec<u8>, value: u64) {
    let octets = value.to_be_bytes();
    let skip = octets.iter().take_while(|b| **b == 0).count().min(7);
    out.push((8 - skip) as u8);
    out.extend_from_slice(&octets[skip..]);
}

/// Writes an `Integer-value`: a short integer below 128, a long integer above.
pub fn put_integer(out: &mut Vec<u8>, value: u64) {
    if value < 0x80 {
        out.push(value as u8 | 0x80);
    } else {
        put_long_integer(out, value);
    }
}

/// Writes a `Text-string`, quoted (0x7F) when it starts with an octet of 128 or more.
/// The caller has checked it holds no NUL.
pub fn put_text(out: &mut Vec<u8>, text: &str) {
    if text.as_bytes().first().is_some_and(|b| *b >= 0x80) {
        out.push(0x7F);
    }
    out.extend_from_slice(text.as_bytes());
    out.push(0);
}

/// Writes a `Quoted-string`: a double quote, the text, NUL.
pub fn put_quoted(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(0);
}

/// The well-known number of a content type, if it has one.
pub fn well_known_content_type(media: &str) -> Option<u8> {
    WELL_KNOWN_CONTENT_TYPES
        .iter()
        .position(|known| known.eq_ignore_ascii_case(media))
        .and_then(|n| u8::try_from(n).ok())
}

/// Writes a content type's media: its well-known number when it has one, else its text.
pub fn put_media(out: &mut Vec<u8>, media: &str) {
    match well_known_content_type(media) {
        Some(number) => out.push(number | 0x80),
        None => put_text(out, media),
    }
}
