//! Contact names: `ContactsContract.PhoneLookup` (API 5).

use jni::objects::JObject;
use jni::{Env, JValue, jni_sig, jni_str};

use super::cursor::{self, Query};
use super::java::{self, JavaFailure};

/// The display name of the first contact matching `number`: `Ok(Some(None))` when no contact
/// does, `Ok(None)` when the contacts provider is missing.
///
/// `Uri.withAppendedPath(PhoneLookup.CONTENT_FILTER_URI, Uri.encode(number))` (API 5 / API 1),
/// projection `PhoneLookup.DISPLAY_NAME` ("display_name", API 5).
pub(crate) fn display_name(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    number: &str,
) -> Result<Option<Option<String>>, JavaFailure> {
    let lookup = java::find_class(
        env,
        jni_str!("android/provider/ContactsContract$PhoneLookup"),
    )?;
    let filter = java::static_object(
        env,
        &lookup,
        jni_str!("CONTENT_FILTER_URI"),
        &jni_sig!(android.net.Uri),
    )?;
    let uri_class = java::find_class(env, jni_str!("android/net/Uri"))?;
    let number = java::new_string(env, number)?;
    let encoded = java::call_static_object(
        env,
        &uri_class,
        jni_str!("encode"),
        &jni_sig!((s: java.lang.String) -> java.lang.String),
        &[JValue::from(&number)],
    )?;
    let uri = java::call_static_object(
        env,
        &uri_class,
        jni_str!("withAppendedPath"),
        &jni_sig!((base_uri: android.net.Uri, path_segment: java.lang.String) -> android.net.Uri),
        &[JValue::from(&filter), JValue::from(&encoded)],
    )?;
    let query = Query {
        projection: &["display_name"],
        after_id: None,
        sort_order: None,
        limit: Some(1),
    };
    let names = cursor::query(env, context, &uri, &query, |env, row| row.string(env, 0))?;
    Ok(names.map(|names| names.into_iter().next()))
}
