//! Frames on the wire: a 4-byte big-endian length, then a version byte, then the
//! serde-encoded message (JSON). The length has a hard maximum, checked before a single
//! payload byte is buffered, so a peer cannot make us allocate what it likes; a bad frame
//! is an error that closes the connection and changes nothing.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The protocol version this code speaks.
pub const PROTOCOL_VERSION: u8 = 1;

/// The largest frame accepted (version byte and payload): 1 MiB. A 10,000-character text
/// in JSON is well under 100 KiB.
pub const MAX_FRAME: usize = 1 << 20;

const HEADER: usize = 4;

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Longer than [`MAX_FRAME`].
    #[error("a frame of {len} bytes is over the limit of {max}; the connection was closed")]
    TooLarge {
        /// The announced length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A length of zero: not even a version byte.
    #[error("an empty frame arrived; the connection was closed")]
    Empty,
    /// Spoken by a newer (or broken) peer.
    #[error(
        "the other device speaks sync version {0}, this one {PROTOCOL_VERSION}; update Ringback on both"
    )]
    UnknownVersion(u8),
    /// The payload is not a message of this version.
    #[error("a frame could not be read ({0}); the connection was closed")]
    Malformed(String),
    /// A whole frame of a kind this version does not know (a newer peer's): it was
    /// skipped, and the stream can go on.
    #[error(
        "the other device sent a “{0}” frame, which this version of Ringback does not know; update Ringback on this device"
    )]
    UnknownKind(String),
}

/// The longest frame kind named in an error (a peer chooses it).
const MAX_KIND_CHARS: usize = 40;

/// The kind of a frame this version does not know: `Some` only when the payload is an
/// object with one key and that key is the variant serde did not know, so that a known
/// frame with something unknown inside (an op of a newer kind) is never skipped.
fn unknown_kind(e: &serde_json::Error, payload: &[u8]) -> Option<String> {
    if e.classify() != serde_json::error::Category::Data {
        return None;
    }
    let words = e.to_string();
    let named = words.strip_prefix("unknown variant `")?.split('`').next()?;
    // Read in full (not skimmed): only a frame that is valid JSON throughout is skipped,
    // anything else is malformed as before. This runs only for a frame that failed.
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(payload).ok()?;
    let mut keys = object.keys();
    let (Some(key), None) = (keys.next(), keys.next()) else {
        return None;
    };
    (key == named).then(|| {
        key.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(MAX_KIND_CHARS)
            .collect()
    })
}

/// A payload that does not parse: what kind of error and where, never the bytes themselves
/// (the reason is logged, and a broken frame may hold a text or a number).
pub fn malformed(e: &serde_json::Error) -> FrameError {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "not a message of this version",
        serde_json::error::Category::Eof => "cut short",
    };
    FrameError::Malformed(format!(
        "{kind}, at line {} column {}",
        e.line(),
        e.column()
    ))
}

/// Encodes one message as a frame.
pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, FrameError> {
    let payload = serde_json::to_vec(message).map_err(|e| FrameError::Malformed(e.to_string()))?;
    let len = payload.len() + 1;
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge {
            len,
            max: MAX_FRAME,
        });
    }
    let mut out = Vec::with_capacity(HEADER + len);
    out.extend_from_slice(&(len as u32).to_be_bytes());
    out.push(PROTOCOL_VERSION);
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Cuts a byte stream into frames, however the bytes arrive.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    failed: bool,
}

impl FrameDecoder {
    /// A decoder with nothing buffered.
    pub fn new() -> FrameDecoder {
        FrameDecoder::default()
    }

    /// Adds bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if !self.failed {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// How many bytes are buffered.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether no bytes of a next frame are buffered.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The next whole message, `None` when more bytes are needed. After an error the
    /// decoder stays failed: the connection must be closed.
    pub fn next_message<T: DeserializeOwned>(&mut self) -> Result<Option<T>, FrameError> {
        if self.failed {
            return Err(FrameError::Malformed(
                "the stream already had a bad frame".into(),
            ));
        }
        match self.take() {
            Ok(Some(message)) => Ok(Some(message)),
            Ok(None) => Ok(None),
            // Skipped whole: the next frame starts where it ended.
            Err(e @ FrameError::UnknownKind(_)) => Err(e),
            Err(e) => {
                self.failed = true;
                self.buf = Vec::new();
                Err(e)
            }
        }
    }

    fn take<T: DeserializeOwned>(&mut self) -> Result<Option<T>, FrameError> {
        let Some(header) = self.buf.get(..HEADER) else {
            return Ok(None);
        };
        let mut len_bytes = [0u8; HEADER];
        len_bytes.copy_from_slice(header);
        let len = u32::from_be_bytes(len_bytes) as usize;
        if len == 0 {
            return Err(FrameError::Empty);
        }
        if len > MAX_FRAME {
            return Err(FrameError::TooLarge {
                len,
                max: MAX_FRAME,
            });
        }
        let Some(body) = self.buf.get(HEADER..HEADER + len) else {
            return Ok(None);
        };
        if body[0] != PROTOCOL_VERSION {
            return Err(FrameError::UnknownVersion(body[0]));
        }
        let message = match serde_json::from_slice(&body[1..]) {
            Ok(message) => message,
            Err(e) => {
                let unknown = unknown_kind(&e, &body[1..]);
                return Err(match unknown {
                    Some(kind) => {
                        self.buf.drain(..HEADER + len);
                        FrameError::UnknownKind(kind)
                    }
                    None => malformed(&e),
                });
            }
        };
        self.buf.drain(..HEADER + len);
        Ok(Some(message))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Msg {
        seq: u64,
        body: String,
    }

    #[test]
    fn round_trip_in_pieces() {
        let a = Msg {
            seq: 1,
            body: "Leaking pipe 💧".into(),
        };
        let b = Msg {
            seq: 2,
            body: "x".repeat(10_000),
        };
        let mut bytes = encode(&a).expect("a");
        bytes.extend(encode(&b).expect("b"));
        let mut d = FrameDecoder::new();
        let mut got = Vec::new();
        for chunk in bytes.chunks(7) {
            d.push(chunk);
            while let Some(m) = d.next_message::<Msg>().expect("frame") {
                got.push(m);
            }
        }
        assert_eq!(got, vec![a, b]);
    }

    #[test]
    fn bad_frames_are_named_and_stick() {
        let mut d = FrameDecoder::new();
        d.push(&((MAX_FRAME as u32) + 1).to_be_bytes());
        assert_eq!(
            d.next_message::<Msg>(),
            Err(FrameError::TooLarge {
                len: MAX_FRAME + 1,
                max: MAX_FRAME
            })
        );
        assert!(
            d.next_message::<Msg>().is_err(),
            "a failed stream stays failed"
        );

        let mut frame = encode(&Msg {
            seq: 1,
            body: String::new(),
        })
        .expect("f");
        frame[HEADER] = 9;
        let mut d = FrameDecoder::new();
        d.push(&frame);
        assert_eq!(d.next_message::<Msg>(), Err(FrameError::UnknownVersion(9)));

        let mut d = FrameDecoder::new();
        d.push(&[0, 0, 0, 3, PROTOCOL_VERSION, b'{', b'x']);
        assert!(matches!(
            d.next_message::<Msg>(),
            Err(FrameError::Malformed(_))
        ));

        let mut d = FrameDecoder::new();
        d.push(&[0, 0, 0, 0]);
        assert_eq!(d.next_message::<Msg>(), Err(FrameError::Empty));

        let big = Msg {
            seq: 1,
            body: "y".repeat(MAX_FRAME),
        };
        assert!(matches!(encode(&big), Err(FrameError::TooLarge { .. })));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), split in 0usize..2048) {
            let mut d = FrameDecoder::new();
            let split = split.min(bytes.len());
            d.push(&bytes[..split]);
            let _ = d.next_message::<Msg>();
            d.push(&bytes[split..]);
            for _ in 0..4 {
                if d.next_message::<Msg>().is_err() {
                    break;
                }
            }
        }

        #[test]
        fn any_message_round_trips(seq in any::<u64>(), body in "\\PC{0,300}", cut in 1usize..64) {
            let m = Msg { seq, body };
            let bytes = encode(&m).expect("encode");
            let mut d = FrameDecoder::new();
            let mut got = None;
            for chunk in bytes.chunks(cut) {
                d.push(chunk);
                if let Some(x) = d.next_message::<Msg>().expect("frame") {
                    got = Some(x);
                }
            }
            prop_assert_eq!(got, Some(m));
        }
    }
}
