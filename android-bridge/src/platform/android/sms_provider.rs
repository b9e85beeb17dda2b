//! The SMS provider, `content://sms` (`Telephony.Sms.CONTENT_URI`, API 19).

use jni::objects::JObject;
use jni::{Env, jni_sig, jni_str};

use super::cursor::{self, Query};
use super::java::{self, JavaFailure};
use super::{ProviderBox, ProviderSms};

/// `_ID`, `ADDRESS`, `BODY`, `TYPE`, `DATE`, `DATE_SENT` (API 19), `SUBSCRIPTION_ID` (API 22).
const PROJECTION: [&str; 7] = [
    "_id",
    "address",
    "body",
    "type",
    "date",
    "date_sent",
    "sub_id",
];

/// `Telephony.Sms.CONTENT_URI` (API 19), read from the static field.
fn content_uri<'local>(env: &mut Env<'local>) -> Result<JObject<'local>, JavaFailure> {
    let sms = java::find_class(env, jni_str!("android/provider/Telephony$Sms"))?;
    java::static_object(
        env,
        &sms,
        jni_str!("CONTENT_URI"),
        &jni_sig!(android.net.Uri),
    )
}

/// `Telephony.TextBasedSmsColumns.TYPE`: `MESSAGE_TYPE_INBOX` (1), `MESSAGE_TYPE_SENT` (2),
/// anything else (drafts, outbox, failed, queued) is [`ProviderBox::Other`].
pub(crate) fn provider_box(kind: Option<i32>) -> ProviderBox {
    match kind {
        Some(1) => ProviderBox::Inbox,
        Some(2) => ProviderBox::Sent,
        _ => ProviderBox::Other,
    }
}

/// Rows with `_id` above `after` (all when `None`), in `_id` order; `Ok(None)` when the
/// provider is missing. A null address or body is empty; a missing date is 0; a `sub_id`
/// that is null, missing or negative (`INVALID_SUBSCRIPTION_ID`) is `None`.
pub(crate) fn rows_since(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    after: Option<i64>,
) -> Result<Option<Vec<ProviderSms>>, JavaFailure> {
    let uri = content_uri(env)?;
    let query = Query::since(&PROJECTION, after);
    cursor::query(env, context, &uri, &query, |env, row| {
        let Some(id) = row.long(env, 0)? else {
            return Ok(None);
        };
        Ok(Some(ProviderSms {
            id,
            address: row.string(env, 1)?.unwrap_or_default(),
            body: row.string(env, 2)?.unwrap_or_default(),
            kind: provider_box(row.int(env, 3)?),
            date_ms: row.long(env, 4)?.unwrap_or(0),
            date_sent_ms: row.long(env, 5)?.unwrap_or(0),
            subscription_id: row.int(env, 6)?.filter(|id| *id >= 0),
        }))
    })
}

/// The highest `_id` (`_id DESC`, first row); `Ok(Some(None))` for an empty provider.
pub(crate) fn last_id(
    env: &mut Env<'_>,
    context: &JObject<'_>,
) -> Result<Option<Option<i64>>, JavaFailure> {
    let uri = content_uri(env)?;
    cursor::last_id(env, context, &uri)
}
