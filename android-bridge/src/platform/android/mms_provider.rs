//! The MMS provider, `content://mms` (`Telephony.Mms.CONTENT_URI`, API 19): the picture
//! messages the default messaging app downloaded (or was told about), their addresses
//! (`content://mms/ID/addr`) and parts (`content://mms/ID/part`, bytes through
//! `ContentResolver.openInputStream` of `content://mms/part/PART_ID`).

use jni::objects::{JByteArray, JObject};
use jni::{Env, JValue, jni_sig, jni_str};

use super::cursor::{self, Query};
use super::java::{self, JavaFailure, call, call_object};
use super::{MmsAddress, ProviderBox, ProviderMms, ProviderMmsPart};

/// `_ID`, `MESSAGE_BOX`, `MESSAGE_TYPE`, `DATE` (seconds), `SUBSCRIPTION_ID` (API 22),
/// `CONTENT_LOCATION`, `TRANSACTION_ID`, `MESSAGE_SIZE` (`Telephony.BaseMmsColumns`, API 19).
const PROJECTION: [&str; 8] = [
    "_id", "msg_box", "m_type", "date", "sub_id", "ct_l", "tr_id", "m_size",
];

/// `Telephony.Mms.Addr`: `ADDRESS`, `TYPE` (PduHeaders: 137 from, 151 to, 130 cc, 129 bcc).
const ADDR_PROJECTION: [&str; 2] = ["address", "type"];

/// `Telephony.Mms.Part`: `_ID`, `CONTENT_TYPE`, `NAME`, `CONTENT_LOCATION`, `CHARSET`,
/// `TEXT`, `FILENAME`.
const PART_PROJECTION: [&str; 7] = ["_id", "ct", "name", "cl", "chset", "text", "fn"];

/// The most rows one read returns; the rest come with the next read.
pub(crate) const MAX_ROWS: usize = 100;

/// The most addresses and parts read per message (a group of 50 and a few parts).
const MAX_ADDRESSES: usize = 64;
const MAX_PARTS: usize = 32;

/// How much of a stream one `read` call asks for.
const READ_CHUNK: usize = 64 * 1024;

/// `Telephony.Mms.CONTENT_URI` (API 19), read from the static field.
fn content_uri<'local>(env: &mut Env<'local>) -> Result<JObject<'local>, JavaFailure> {
    let mms = java::find_class(env, jni_str!("android/provider/Telephony$Mms"))?;
    java::static_object(
        env,
        &mms,
        jni_str!("CONTENT_URI"),
        &jni_sig!(android.net.Uri),
    )
}

/// `Uri.parse(String)` (API 1).
fn parse_uri<'local>(env: &mut Env<'local>, text: &str) -> Result<JObject<'local>, JavaFailure> {
    let uri = java::find_class(env, jni_str!("android/net/Uri"))?;
    let text = java::new_string(env, text)?;
    java::call_static_object(
        env,
        &uri,
        jni_str!("parse"),
        &jni_sig!((uri_string: java.lang.String) -> android.net.Uri),
        &[JValue::from(&text)],
    )
}

/// `MESSAGE_BOX`: `MESSAGE_BOX_INBOX` (1), `MESSAGE_BOX_SENT` (2), anything else other.
fn message_box(kind: Option<i32>) -> ProviderBox {
    super::sms_provider::provider_box(kind)
}

/// The message rows (no addresses or parts yet) from `uri` with `query`.
fn message_rows(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    uri: &JObject<'_>,
    query: &Query<'_>,
) -> Result<Option<Vec<ProviderMms>>, JavaFailure> {
    cursor::query(env, context, uri, query, |env, row| {
        let Some(id) = row.long(env, 0)? else {
            return Ok(None);
        };
        Ok(Some(ProviderMms {
            id,
            kind: message_box(row.int(env, 1)?),
            message_type: row.int(env, 2)?.unwrap_or(0),
            date_ms: row.long(env, 3)?.unwrap_or(0).saturating_mul(1000),
            subscription_id: row.int(env, 4)?.filter(|id| *id >= 0),
            content_location: row.string(env, 5)?.filter(|s| !s.is_empty()),
            transaction_id: row.string(env, 6)?.filter(|s| !s.is_empty()),
            size: row.long(env, 7)?.unwrap_or(0).max(0) as u64,
            addresses: Vec::new(),
            parts: Vec::new(),
        }))
    })
}

/// Messages with `_id` above `after` (all when `None`), in `_id` order, at most
/// [`MAX_ROWS`], each with its addresses and parts (bytes of parts other than text and
/// SMIL up to `max_part_bytes`); `Ok(None)` when the provider is missing.
pub(crate) fn rows_since(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    after: Option<i64>,
    max_part_bytes: u64,
) -> Result<Option<Vec<ProviderMms>>, JavaFailure> {
    let uri = content_uri(env)?;
    let query = Query {
        limit: Some(MAX_ROWS),
        ..Query::since(&PROJECTION, after)
    };
    let Some(mut rows) = message_rows(env, context, &uri, &query)? else {
        return Ok(None);
    };
    for row in &mut rows {
        complete(env, context, row, max_part_bytes)?;
    }
    Ok(Some(rows))
}

/// One message by `_id` (`content://mms/ID`), with its addresses and parts; `Ok(None)` when
/// it is gone (the default app deleted a notification once it downloaded the message).
pub(crate) fn row(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    id: i64,
    max_part_bytes: u64,
) -> Result<Option<ProviderMms>, JavaFailure> {
    let uri = parse_uri(env, &format!("content://mms/{id}"))?;
    let query = Query {
        projection: &PROJECTION,
        after_id: None,
        sort_order: None,
        limit: Some(1),
    };
    let Some(rows) = message_rows(env, context, &uri, &query)? else {
        return Ok(None);
    };
    let Some(mut row) = rows.into_iter().next() else {
        return Ok(None);
    };
    complete(env, context, &mut row, max_part_bytes)?;
    Ok(Some(row))
}

/// The highest `_id` (`_id DESC`, first row); `Ok(Some(None))` for an empty provider.
pub(crate) fn last_id(
    env: &mut Env<'_>,
    context: &JObject<'_>,
) -> Result<Option<Option<i64>>, JavaFailure> {
    let uri = content_uri(env)?;
    cursor::last_id(env, context, &uri)
}

/// Fills in a message's addresses and parts.
fn complete(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    row: &mut ProviderMms,
    max_part_bytes: u64,
) -> Result<(), JavaFailure> {
    let id = row.id;
    let addr = parse_uri(env, &format!("content://mms/{id}/addr"))?;
    let query = Query {
        projection: &ADDR_PROJECTION,
        after_id: None,
        sort_order: None,
        limit: Some(MAX_ADDRESSES),
    };
    row.addresses = cursor::query(env, context, &addr, &query, |env, r| {
        let Some(address) = r.string(env, 0)? else {
            return Ok(None);
        };
        Ok(Some(MmsAddress {
            address,
            kind: r.int(env, 1)?.unwrap_or(0),
        }))
    })?
    .unwrap_or_default();
    env.delete_local_ref(addr);

    let parts = parse_uri(env, &format!("content://mms/{id}/part"))?;
    let query = Query {
        projection: &PART_PROJECTION,
        after_id: None,
        sort_order: Some("_id ASC"),
        limit: Some(MAX_PARTS),
    };
    let mut parts = cursor::query(env, context, &parts, &query, |env, r| {
        let Some(id) = r.long(env, 0)? else {
            return Ok(None);
        };
        Ok(Some(ProviderMmsPart {
            id,
            content_type: r.string(env, 1)?.unwrap_or_default().to_ascii_lowercase(),
            name: r
                .string(env, 2)?
                .or(r.string(env, 6)?)
                .or(r.string(env, 3)?)
                .filter(|s| !s.is_empty()),
            charset: r.int(env, 4)?,
            text: r.string(env, 5)?,
            data: None,
            too_large: false,
        }))
    })?
    .unwrap_or_default();
    for part in &mut parts {
        if part.wants_bytes() {
            let uri = parse_uri(env, &format!("content://mms/part/{}", part.id))?;
            match read_stream(env, context, &uri, max_part_bytes)? {
                Stream::Bytes(bytes) => part.data = Some(bytes),
                Stream::TooLarge => part.too_large = true,
                Stream::Missing => {}
            }
            env.delete_local_ref(uri);
        }
    }
    row.parts = parts;
    Ok(())
}

enum Stream {
    Bytes(Vec<u8>),
    TooLarge,
    Missing,
}

/// `ContentResolver.openInputStream(Uri)` (API 1), read with `InputStream.read(byte[])`
/// (API 1) up to `max` bytes, and closed (`close()`, API 1) on every path.
fn read_stream(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    uri: &JObject<'_>,
    max: u64,
) -> Result<Stream, JavaFailure> {
    let resolver = call_object(
        env,
        context,
        jni_str!("getContentResolver"),
        &jni_sig!(() -> android.content.ContentResolver),
        &[],
    )?;
    let stream = match call_object(
        env,
        &resolver,
        jni_str!("openInputStream"),
        &jni_sig!((uri: android.net.Uri) -> java.io.InputStream),
        &[JValue::from(uri)],
    ) {
        Ok(stream) => stream,
        // A part whose file is gone: the rest of the message is still worth keeping.
        Err(JavaFailure::Thrown(thrown))
            if thrown
                .description
                .starts_with("java.io.FileNotFoundException") =>
        {
            tracing::debug!("an MMS part has no bytes: {}", thrown.description);
            return Ok(Stream::Missing);
        }
        Err(failure) => return Err(failure),
    };
    if stream.is_null() {
        return Ok(Stream::Missing);
    }
    let read = read_all(env, &stream, max);
    let closed = call(env, &stream, jni_str!("close"), &jni_sig!(() -> void), &[]);
    let read = read?;
    if let Err(failure) = closed {
        tracing::debug!("a part's stream could not be closed: {failure}");
    }
    Ok(read)
}

fn read_all(env: &mut Env<'_>, stream: &JObject<'_>, max: u64) -> Result<Stream, JavaFailure> {
    let buffer = JByteArray::new(env, READ_CHUNK);
    let buffer = java::caught(env, buffer)?;
    let mut chunk = vec![0i8; READ_CHUNK];
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        let count = call(
            env,
            stream,
            jni_str!("read"),
            &jni_sig!((buffer: jbyte[]) -> jint),
            &[JValue::from(&buffer)],
        )?
        .i()?;
        if count < 0 {
            return Ok(Stream::Bytes(bytes));
        }
        let count = (count as usize).min(READ_CHUNK);
        if bytes.len() as u64 + count as u64 > max {
            return Ok(Stream::TooLarge);
        }
        let copied = buffer.get_region(env, 0, &mut chunk[..count]);
        java::caught(env, copied)?;
        bytes.extend(chunk[..count].iter().map(|b| *b as u8));
    }
}
