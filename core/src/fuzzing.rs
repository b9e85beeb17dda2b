//! Checks shared by the fuzz targets (`core/fuzz`) and the regression tests that replay
//! every input they ever found (`core/tests/fuzz_regressions.rs`). Each takes arbitrary
//! bytes and panics only when a promise is broken.

use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use crate::oplog::op::{Op, Role};
use crate::store::{PeerRecord, Source, Store};
use crate::sync::frame::{self, FrameDecoder, FrameError, MAX_FRAME, PROTOCOL_VERSION};
use crate::sync::session::Message;

/// The origin the phone-side store gives its paired desktop, and the desktop's phone.
pub const DESKTOP: &str = "d";
/// The phone's origin as a desktop replica knows it.
pub const PHONE: &str = "p";

/// The frame decoder on arbitrary bytes cut at arbitrary points. Panics when a promise of
/// `sync::frame` is broken:
///
/// - the decoder never panics, whatever arrives and however it is cut;
/// - it yields the same messages and ends in the same state as a whole-stream reading of
///   the format (one frame after another: a 4-byte big-endian length of 1 to
///   [`MAX_FRAME`], the version byte, JSON), whatever the cuts;
/// - once nothing more can be read, it holds less than one frame: never more than
///   [`MAX_FRAME`] + 3 bytes (the length prefix and all but the last byte of a frame);
/// - after its first error it is dead: it holds nothing, takes nothing and only errs (a
///   whole frame of a kind it does not know is no error of the stream: it is skipped);
/// - read as the real protocol ([`Message`]), it frames the stream the same way (the
///   frames it yields and those it skipped as unknown), and every message it yields is
///   encoded and read back unchanged;
/// - any JSON value built from the input is encoded and read back unchanged (twice, back
///   to back), or refused by `encode` only for being over the limit.
///
/// The input: `data[0] % 8 + 1` chunk sizes follow it (see [`chunk_size`]), used in turn;
/// the rest is the stream, where `0xFE a b c` stands for `a b c` (24-bit big-endian) spaces,
/// so that a short input reaches the 1 MiB limit (`0xFE 0 0 0` is a plain `0xFE` byte).
pub fn frame_decode(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let count = usize::from(first % 8) + 1;
    if rest.len() < count {
        return;
    }
    let (sizes, body) = rest.split_at(count);
    let stream = expand(body);

    let expected = read_whole(&stream);
    let (values, values_end, _) = decode_in_chunks::<Value>(&stream, sizes);
    assert_eq!(
        (values, values_end),
        expected,
        "the decoder, fed in chunks, disagreed with a reading of the whole stream"
    );

    let (messages, end, skipped) = decode_in_chunks::<Message>(&stream, sizes);
    if !matches!(end, End::Failed(FrameError::Malformed(_))) {
        assert_eq!(
            (messages.len() + skipped, &end),
            (expected.0.len(), &expected.1),
            "the same stream was framed differently when read as sync messages"
        );
    }
    assert!(messages.len() + skipped <= expected.0.len());
    for message in &messages {
        let bytes = frame::encode(message).unwrap_or_else(|e| panic!("a message read back: {e}"));
        let mut decoder = FrameDecoder::new();
        decoder.push(&bytes);
        assert_eq!(
            decoder.next_message::<Message>(),
            Ok(Some(message.clone())),
            "a sync message changed through encode and decode"
        );
    }

    round_trip(&build_value(&mut Input(body), 0), sizes);
}

/// The bytes of a frame's length prefix.
const HEADER: usize = 4;
/// How long an expanded stream may grow: room for two frames at the limit.
const MAX_STREAM: usize = 2 * (HEADER + MAX_FRAME) + 64;
/// How deep a built JSON value nests. serde_json refuses to read more than 128 levels
/// while `encode` writes any depth; that gap is known and not what this looks for.
const MAX_DEPTH: u32 = 64;

/// How a stream ended, once every byte had been pushed.
#[derive(Debug, PartialEq)]
enum End {
    /// Every byte was read: nothing buffered.
    Clean,
    /// Part of a frame is buffered (this many bytes).
    Partial(usize),
    /// A bad frame.
    Failed(FrameError),
}

/// A chunk size from its byte: 1 to 240 bytes, or 256 bytes to 8 MiB in powers of two.
fn chunk_size(byte: u8) -> usize {
    match byte.checked_sub(0xF0) {
        None => usize::from(byte) + 1,
        Some(shift) => 1 << (8 + u32::from(shift)),
    }
}

/// The stream with every `0xFE a b c` replaced (see [`frame_decode`]), at most
/// [`MAX_STREAM`] bytes.
fn expand(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        if out.len() >= MAX_STREAM {
            break;
        }
        if b == 0xFE
            && let Some(n) = body.get(i + 1..i + 4)
        {
            let spaces = (usize::from(n[0]) << 16) | (usize::from(n[1]) << 8) | usize::from(n[2]);
            if spaces == 0 {
                out.push(0xFE);
            } else {
                let spaces = spaces.min(MAX_STREAM - out.len());
                out.resize(out.len() + spaces, b' ');
            }
            i += 4;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out.truncate(MAX_STREAM);
    out
}

/// The frame format read straight off the whole stream: what any cutting must yield.
fn read_whole(stream: &[u8]) -> (Vec<Value>, End) {
    let mut values = Vec::new();
    let mut at = stream;
    loop {
        let Some((header, after)) = at.split_first_chunk::<HEADER>() else {
            let end = if at.is_empty() {
                End::Clean
            } else {
                End::Partial(at.len())
            };
            return (values, end);
        };
        let len = u32::from_be_bytes(*header) as usize;
        if len == 0 {
            return (values, End::Failed(FrameError::Empty));
        }
        if len > MAX_FRAME {
            let max = MAX_FRAME;
            return (values, End::Failed(FrameError::TooLarge { len, max }));
        }
        let Some(body) = after.get(..len) else {
            return (values, End::Partial(at.len()));
        };
        if body[0] != PROTOCOL_VERSION {
            return (values, End::Failed(FrameError::UnknownVersion(body[0])));
        }
        match serde_json::from_slice(&body[1..]) {
            Ok(value) => values.push(value),
            Err(e) => return (values, End::Failed(frame::malformed(&e))),
        }
        at = &after[len..];
    }
}

/// Feeds the stream to a decoder in chunks of the given sizes, taking every message after
/// each push; checks the bound on what is buffered and that a failed decoder is dead.
/// Also returns how many frames were skipped as of a kind `T` does not know.
fn decode_in_chunks<T: DeserializeOwned>(stream: &[u8], sizes: &[u8]) -> (Vec<T>, End, usize) {
    let mut decoder = FrameDecoder::new();
    let mut got = Vec::new();
    let mut skipped = 0;
    let mut rest = stream;
    for &size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, after) = rest.split_at(chunk_size(size).min(rest.len()));
        rest = after;
        decoder.push(chunk);
        loop {
            match decoder.next_message::<T>() {
                Ok(Some(message)) => got.push(message),
                Ok(None) => break,
                Err(FrameError::UnknownKind(_)) => skipped += 1,
                Err(e) => {
                    assert_dead::<T>(&mut decoder);
                    return (got, End::Failed(e), skipped);
                }
            }
        }
        assert!(
            decoder.buffered() < MAX_FRAME + HEADER,
            "the decoder holds {} bytes with no whole frame among them",
            decoder.buffered()
        );
    }
    let end = if decoder.is_empty() {
        End::Clean
    } else {
        End::Partial(decoder.buffered())
    };
    (got, end, skipped)
}

/// A decoder that returned an error holds nothing, takes nothing and keeps failing.
fn assert_dead<T: DeserializeOwned>(decoder: &mut FrameDecoder) {
    assert!(
        decoder.is_empty() && decoder.buffered() == 0,
        "a failed decoder kept {} bytes",
        decoder.buffered()
    );
    let good = [0, 0, 0, 2, PROTOCOL_VERSION, b'0'];
    for _ in 0..2 {
        decoder.push(&good);
        assert_eq!(decoder.buffered(), 0, "a failed decoder took more bytes");
        assert!(
            decoder.next_message::<T>().is_err(),
            "a failed decoder read a frame"
        );
    }
}

/// `encode` then decode (two copies, cut by `sizes`) gives the value back, or `encode`
/// refused it for being over the limit.
fn round_trip(value: &Value, sizes: &[u8]) {
    let bytes = match frame::encode(value) {
        Ok(bytes) => bytes,
        Err(FrameError::TooLarge { len, max }) => {
            assert!(max == MAX_FRAME && len > MAX_FRAME, "refused {len} bytes");
            return;
        }
        Err(e) => panic!("encode refused a JSON value: {e}"),
    };
    let announced = bytes
        .first_chunk::<HEADER>()
        .map(|h| u32::from_be_bytes(*h) as usize);
    assert_eq!(
        announced,
        Some(bytes.len() - HEADER),
        "a wrong length prefix"
    );
    assert_eq!(bytes.get(HEADER), Some(&PROTOCOL_VERSION));
    let stream = [bytes.as_slice(), bytes.as_slice()].concat();
    let (got, end, _) = decode_in_chunks::<Value>(&stream, sizes);
    assert_eq!(end, End::Clean, "a value's frames did not read back whole");
    assert!(
        got.len() == 2 && got.iter().all(|v| v == value),
        "a JSON value changed through encode and decode:\n  sent {value}\n  got  {got:?}"
    );
}

/// The input as a source of choices.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        b
    }

    fn take(&mut self, n: usize) -> &[u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }

    fn eight(&mut self) -> [u8; 8] {
        let mut b = [0u8; 8];
        let head = self.take(8);
        b[..head.len()].copy_from_slice(head);
        b
    }

    /// Up to 255 bytes as text: themselves when UTF-8, else one character per byte
    /// (controls, quotes and backslashes included).
    fn string(&mut self) -> String {
        let n = usize::from(self.byte());
        let bytes = self.take(n);
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
        }
    }
}

/// A JSON value chosen by the input: every kind, any integer, any finite float, any text.
fn build_value(input: &mut Input<'_>, depth: u32) -> Value {
    let tag = input.byte();
    match tag % 8 {
        1 => Value::Bool(tag >= 0x80),
        2 => Value::from(i64::from_be_bytes(input.eight())),
        3 => Value::from(u64::from_be_bytes(input.eight())),
        4 => Number::from_f64(f64::from_bits(u64::from_be_bytes(input.eight())))
            .map_or(Value::Null, Value::Number),
        5 => Value::String(input.string()),
        6 if depth < MAX_DEPTH => {
            let n = input.byte() % 16;
            Value::Array((0..n).map(|_| build_value(input, depth + 1)).collect())
        }
        7 if depth < MAX_DEPTH => {
            let n = input.byte() % 16;
            let mut map = Map::new();
            for _ in 0..n {
                let key = input.string();
                map.insert(key, build_value(input, depth + 1));
            }
            Value::Object(map)
        }
        _ => Value::Null,
    }
}

/// Ops (JSON) applied to a phone from its paired desktop and to a desktop from its phone:
/// never a panic; a refused batch leaves the store exactly as it was; applying the same
/// batch again changes nothing.
pub fn op_apply(data: &[u8]) {
    let Ok(ops) = serde_json::from_slice::<Vec<Op>>(data) else {
        return;
    };
    let now = Timestamp::from_second(1_790_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
    if let Some(mut phone) = phone_store() {
        apply_twice(&mut phone, &ops, DESKTOP, Role::Desktop, now);
    }
    if let Ok(mut desktop) = Store::open_in_memory()
        && desktop.set_phone_origin(PHONE).is_ok()
    {
        apply_twice(&mut desktop, &ops, PHONE, Role::Phone, now);
    }
}

fn phone_store() -> Option<Store> {
    let mut store = Store::open_in_memory().ok()?;
    let origin = store.origin().to_string();
    store.set_phone_origin(&origin).ok()?;
    let peer = PeerRecord {
        endpoint: "desktop-endpoint".into(),
        origin: DESKTOP.into(),
        role: Role::Desktop,
        name: "Front desk".into(),
        paired: true,
        changed_at: 0,
    };
    store
        .write(Timestamp::UNIX_EPOCH, "paired", |tx| tx.set_peer(&peer))
        .ok()?;
    Some(store)
}

fn apply_twice(store: &mut Store, ops: &[Op], origin: &str, role: Role, now: Timestamp) {
    let Ok(before) = store.digest() else { return };
    let source = Source { origin, role };
    match store.apply_remote(ops, source, now) {
        Err(_) => {
            let after = store.digest().ok();
            assert_eq!(
                after.as_deref(),
                Some(before.as_str()),
                "a refused batch changed the store"
            );
        }
        Ok(_) => {
            let Ok(once) = store.digest() else { return };
            let again = store.apply_remote(ops, source, now);
            assert!(
                again.is_ok(),
                "a batch applied once was refused the second time"
            );
            assert_eq!(
                store.digest().ok().as_deref(),
                Some(once.as_str()),
                "applying the same ops twice changed the store"
            );
        }
    }
}
