//! Sending a picture message: the m-send-req Ringback composed is written to the app's cache
//! (`mms-out/ID.pdu`), served by the app's own provider (`content://PACKAGE.mms/mms-out/
//! ID.pdu`, `MmsPduProvider.kt`), and handed to `SmsManager.sendMultimediaMessage` with one
//! "sent" `PendingIntent` that carries the message id back.

use std::path::PathBuf;

use jni::objects::JObject;
use jni::{Env, JValue, jni_sig, jni_str};

use super::java::{self, JavaFailure, call, call_object};
use super::send::{SendFailure, report_broadcast, sms_manager};
use crate::report::{ACTION_MMS_SENT, EXTRA_MESSAGE_ID, MMS_AUTHORITY_SUFFIX, MMS_OUT_FOLDER};

/// `Context.getCacheDir().getAbsolutePath()` (API 1) and `mms-out` in it.
pub(crate) fn out_folder(env: &mut Env<'_>, context: &JObject<'_>) -> Result<PathBuf, JavaFailure> {
    let dir = call_object(
        env,
        context,
        jni_str!("getCacheDir"),
        &jni_sig!(() -> java.io.File),
        &[],
    )?;
    if dir.is_null() {
        return Err(JavaFailure::Jni("the app has no cache folder".to_owned()));
    }
    let path = call_object(
        env,
        &dir,
        jni_str!("getAbsolutePath"),
        &jni_sig!(() -> java.lang.String),
        &[],
    )?;
    let path = java::to_string(env, path)?
        .ok_or_else(|| JavaFailure::Jni("the cache folder has no path".to_owned()))?;
    Ok(PathBuf::from(path).join(MMS_OUT_FOLDER))
}

/// The file name of a message's PDU.
pub(crate) fn pdu_file_name(message_id: i64) -> String {
    format!("{message_id}.pdu")
}

/// Hands the PDU already written as `mms-out/ID.pdu` to `SmsManager.sendMultimediaMessage(
/// Context, Uri, String, Bundle, PendingIntent)` (API 21) of the subscription's manager
/// (`getSmsManagerForSubscriptionId`, API 22, or `getDefault`), with no location URL and no
/// config overrides, and a "sent" `PendingIntent.getBroadcast` (API 1) of `new
/// Intent(ACTION_MMS_SENT).setPackage(package).putExtra("message_id", id)`.
pub(crate) fn send(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    subscription: Option<i32>,
    message_id: i64,
) -> Result<(), SendFailure> {
    let manager = sms_manager(env, subscription)?;
    let package_name = call_object(
        env,
        context,
        jni_str!("getPackageName"),
        &jni_sig!(() -> java.lang.String),
        &[],
    )?;
    let package_name = java::to_string(env, package_name)?.unwrap_or_default();
    let package = java::new_string(env, &package_name)?;
    let uri_class = java::find_class(env, jni_str!("android/net/Uri"))?;
    let uri = java::new_string(
        env,
        &format!(
            "content://{package_name}{MMS_AUTHORITY_SUFFIX}/{MMS_OUT_FOLDER}/{}",
            pdu_file_name(message_id)
        ),
    )?;
    let uri = java::call_static_object(
        env,
        &uri_class,
        jni_str!("parse"),
        &jni_sig!((uri_string: java.lang.String) -> android.net.Uri),
        &[JValue::from(&uri)],
    )?;

    let intent_class = java::find_class(env, jni_str!("android/content/Intent"))?;
    let action = java::new_string(env, ACTION_MMS_SENT)?;
    let intent = java::new_object(
        env,
        &intent_class,
        &jni_sig!((action: java.lang.String) -> void),
        &[JValue::from(&action)],
    )?;
    call_object(
        env,
        &intent,
        jni_str!("setPackage"),
        &jni_sig!((package_name: java.lang.String) -> android.content.Intent),
        &[JValue::from(&package)],
    )?;
    let extra = java::new_string(env, EXTRA_MESSAGE_ID)?;
    call_object(
        env,
        &intent,
        jni_str!("putExtra"),
        &jni_sig!((name: java.lang.String, value: jlong) -> android.content.Intent),
        &[JValue::from(&extra), JValue::Long(message_id)],
    )?;
    let pending_intent = java::find_class(env, jni_str!("android/app/PendingIntent"))?;
    // One PendingIntent per message: the action differs from the texts' reports, so these
    // codes never meet theirs.
    let sent = report_broadcast(env, &pending_intent, context, message_id as i32, &intent)?;

    let none = JObject::null();
    call(
        env,
        &manager,
        jni_str!("sendMultimediaMessage"),
        &jni_sig!(
            (
                context: android.content.Context,
                content_uri: android.net.Uri,
                location_url: java.lang.String,
                config_overrides: android.os.Bundle,
                sent_intent: android.app.PendingIntent,
            ) -> void
        ),
        &[
            JValue::from(context),
            JValue::from(&uri),
            JValue::from(&none),
            JValue::from(&none),
            JValue::from(&sent),
        ],
    )?;
    Ok(())
}
