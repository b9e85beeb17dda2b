//! Sending a text: `SmsManager.sendMultipartTextMessage` with a "sent" and a "delivered"
//! `PendingIntent` per part.

use jni::objects::{JClass, JObject};
use jni::sys::jint;
use jni::{Env, JValue, jni_sig, jni_str};
use ringback_core::ports::SendRequest;

use super::java::{self, JavaFailure, call, call_object};
use crate::report::{
    ACTION_SMS_DELIVERED, ACTION_SMS_SENT, EXTRA_MESSAGE_ID, EXTRA_PART, EXTRA_PARTS,
};

/// `PendingIntent.FLAG_MUTABLE` (API 31). From API 31 an intent must say whether it is
/// mutable, and the report intents must be: SmsManager fills the delivery report's "pdu" and
/// "format" extras (and a failed part's "errorCode") into them, and the fill-in of an
/// immutable intent is dropped. They stay explicit (own package, own action), so nobody
/// else can retarget them. Before API 31 every PendingIntent is mutable: no flag.
const FLAG_MUTABLE: jint = 0x0200_0000;
/// `PendingIntent.FLAG_ONE_SHOT` (API 1).
const FLAG_ONE_SHOT: jint = 0x4000_0000;

/// The most parts a text may have: a concatenated SMS numbers its parts in one byte.
pub(crate) const MAX_PARTS: usize = 255;

/// Which report a `PendingIntent` is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Report {
    Sent,
    Delivered,
}

/// Why a text did not leave.
#[derive(Debug)]
pub(crate) enum SendFailure {
    /// `SmsManager.getSmsManagerForSubscriptionId` failed.
    NoSuchLine(JavaFailure),
    /// More parts than a concatenated SMS can have.
    TooLong(usize),
    /// A JNI call failed or Java threw.
    Java(JavaFailure),
}

impl From<JavaFailure> for SendFailure {
    fn from(failure: JavaFailure) -> Self {
        SendFailure::Java(failure)
    }
}

impl From<jni::errors::Error> for SendFailure {
    fn from(error: jni::errors::Error) -> Self {
        SendFailure::Java(JavaFailure::from(error))
    }
}

/// The `PendingIntent` request code of one report of one part. Android hands back an
/// existing, live PendingIntent (with its old extras) for an equal intent with the same
/// request code, so each (message, part, report) needs its own: the low 9 bits are
/// `part * 2 + report`, the rest the message id, repeating only after 2^23 messages.
pub(crate) fn request_code(message_id: i64, part: usize, report: Report) -> jint {
    let slot = (part % (MAX_PARTS + 1)) as u64 * 2 + u64::from(report == Report::Delivered);
    let code = (message_id as u64).wrapping_mul(512).wrapping_add(slot);
    code as u32 as jint
}

/// Sends `request` on `subscription` (the default SIM when `None`).
///
/// `SmsManager.getSmsManagerForSubscriptionId(int)` (API 22) or `SmsManager.getDefault()`
/// (API 1); `divideMessage(String)` (API 1); per part two `PendingIntent.getBroadcast(Context,
/// int, Intent, int)` (API 1) of `new Intent(String)` (API 1), `setPackage(String)` (API 4)
/// and `putExtra` (API 1) of `message_id` (long), `part` and `parts` (int); then
/// `sendMultipartTextMessage(String, String, ArrayList<String>, ArrayList<PendingIntent>,
/// ArrayList<PendingIntent>)` (API 4), always multipart, even for one part.
pub(crate) fn send(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    subscription: Option<i32>,
    request: &SendRequest,
) -> Result<usize, SendFailure> {
    let manager = sms_manager(env, subscription)?;

    let body = java::new_string(env, &request.body)?;
    let parts = call_object(
        env,
        &manager,
        jni_str!("divideMessage"),
        &jni_sig!((text: java.lang.String) -> java.util.ArrayList),
        &[JValue::from(&body)],
    )?;
    if parts.is_null() {
        return Err(SendFailure::Java(JavaFailure::Jni(
            "SmsManager.divideMessage returned null".to_owned(),
        )));
    }
    let count = call(env, &parts, jni_str!("size"), &jni_sig!(() -> jint), &[])?.i()?;
    let count = usize::try_from(count).unwrap_or(0);
    if count == 0 {
        return Err(SendFailure::Java(JavaFailure::Jni(
            "SmsManager.divideMessage returned no parts".to_owned(),
        )));
    }
    if count > MAX_PARTS {
        return Err(SendFailure::TooLong(count));
    }

    let package = call_object(
        env,
        context,
        jni_str!("getPackageName"),
        &jni_sig!(() -> java.lang.String),
        &[],
    )?;
    let classes = Classes {
        intent: java::find_class(env, jni_str!("android/content/Intent"))?,
        pending_intent: java::find_class(env, jni_str!("android/app/PendingIntent"))?,
    };
    let array_list = java::find_class(env, jni_str!("java/util/ArrayList"))?;
    let mut lists = Vec::with_capacity(2);
    for report in [Report::Sent, Report::Delivered] {
        let list = java::new_object(
            env,
            &array_list,
            &jni_sig!((capacity: jint) -> void),
            &[JValue::Int(count as jint)],
        )?;
        for part in 0..count {
            let intent = ReportIntent {
                message_id: request.message_id.0,
                part,
                parts: count,
                report,
            };
            env.with_local_frame(16, |env| {
                let pending = intent.pending_intent(env, context, &package, &classes)?;
                call(
                    env,
                    &list,
                    jni_str!("add"),
                    &jni_sig!((item: java.lang.Object) -> jboolean),
                    &[JValue::from(&pending)],
                )
                .map(drop)
            })?;
        }
        lists.push(list);
    }
    let [sent, delivered] = <[JObject<'_>; 2]>::try_from(lists)
        .map_err(|_| JavaFailure::Jni("the report lists were not built".to_owned()))?;

    let destination = java::new_string(env, &request.to)?;
    let service_centre = JObject::null();
    call(
        env,
        &manager,
        jni_str!("sendMultipartTextMessage"),
        &jni_sig!(
            (
                destination_address: java.lang.String,
                sc_address: java.lang.String,
                parts: java.util.ArrayList,
                sent_intents: java.util.ArrayList,
                delivery_intents: java.util.ArrayList,
            ) -> void
        ),
        &[
            JValue::from(&destination),
            JValue::from(&service_centre),
            JValue::from(&parts),
            JValue::from(&sent),
            JValue::from(&delivered),
        ],
    )?;
    Ok(count)
}

/// The `SmsManager` of a subscription (`getSmsManagerForSubscriptionId`, API 22), or the
/// default SIM's when `None`: the subscription `SmsManager.getDefaultSmsSubscriptionId()`
/// (API 22) names, and `getDefault()` (API 1) only when there is none ("ask every time").
/// From API 31 `getDefault()` resolves the default through the telephony service on every
/// call, which is the documented reason to name the subscription instead.
pub(crate) fn sms_manager<'local>(
    env: &mut Env<'local>,
    subscription: Option<i32>,
) -> Result<JObject<'local>, SendFailure> {
    let sms_manager = java::find_class(env, jni_str!("android/telephony/SmsManager"))?;
    let subscription = subscription.or_else(|| {
        let id = env.call_static_method(
            &sms_manager,
            jni_str!("getDefaultSmsSubscriptionId"),
            jni_sig!(() -> jint),
            &[],
        );
        // -1 (INVALID_SUBSCRIPTION_ID) or a failure: no default, `getDefault()` decides.
        java::caught(env, id)
            .ok()
            .and_then(|id| id.i().ok())
            .filter(|id| *id >= 0)
    });
    let manager = match subscription {
        Some(id) => java::call_static_object(
            env,
            &sms_manager,
            jni_str!("getSmsManagerForSubscriptionId"),
            &jni_sig!((sub_id: jint) -> android.telephony.SmsManager),
            &[JValue::Int(id)],
        )
        .map_err(SendFailure::NoSuchLine)?,
        None => java::call_static_object(
            env,
            &sms_manager,
            jni_str!("getDefault"),
            &jni_sig!(() -> android.telephony.SmsManager),
            &[],
        )?,
    };
    if manager.is_null() {
        return Err(SendFailure::NoSuchLine(JavaFailure::Jni(
            "Android has no SmsManager for this SIM".to_owned(),
        )));
    }
    Ok(manager)
}

/// Framework classes looked up once per send.
struct Classes<'local> {
    intent: JClass<'local>,
    pending_intent: JClass<'local>,
}

/// One report of one part.
#[derive(Debug, Clone, Copy)]
struct ReportIntent {
    message_id: i64,
    part: usize,
    parts: usize,
    report: Report,
}

impl ReportIntent {
    fn action(&self) -> &'static str {
        match self.report {
            Report::Sent => ACTION_SMS_SENT,
            Report::Delivered => ACTION_SMS_DELIVERED,
        }
    }

    /// `PendingIntent.getBroadcast(context, code, new Intent(action).setPackage(package)
    /// .putExtra(...), FLAG_MUTABLE | FLAG_ONE_SHOT)` (`FLAG_ONE_SHOT` alone before API 31).
    fn pending_intent<'local>(
        &self,
        env: &mut Env<'local>,
        context: &JObject<'_>,
        package: &JObject<'_>,
        classes: &Classes<'_>,
    ) -> Result<JObject<'local>, JavaFailure> {
        let action = java::new_string(env, self.action())?;
        let intent = java::new_object(
            env,
            &classes.intent,
            &jni_sig!((action: java.lang.String) -> void),
            &[JValue::from(&action)],
        )?;
        call_object(
            env,
            &intent,
            jni_str!("setPackage"),
            &jni_sig!((package_name: java.lang.String) -> android.content.Intent),
            &[JValue::from(package)],
        )?;
        let message_id = java::new_string(env, EXTRA_MESSAGE_ID)?;
        call_object(
            env,
            &intent,
            jni_str!("putExtra"),
            &jni_sig!((name: java.lang.String, value: jlong) -> android.content.Intent),
            &[JValue::from(&message_id), JValue::Long(self.message_id)],
        )?;
        for (name, value) in [(EXTRA_PART, self.part), (EXTRA_PARTS, self.parts)] {
            let name = java::new_string(env, name)?;
            call_object(
                env,
                &intent,
                jni_str!("putExtra"),
                &jni_sig!((name: java.lang.String, value: jint) -> android.content.Intent),
                &[JValue::from(&name), JValue::Int(value as jint)],
            )?;
        }
        report_broadcast(
            env,
            &classes.pending_intent,
            context,
            request_code(self.message_id, self.part, self.report),
            &intent,
        )
    }
}

/// `PendingIntent.getBroadcast(context, request_code, intent, flags)` (API 1) for a report
/// intent, with the flags this Android version needs ([`report_flags`]).
pub(crate) fn report_broadcast<'local>(
    env: &mut Env<'local>,
    pending_intent: &JClass<'_>,
    context: &JObject<'_>,
    request_code: jint,
    intent: &JObject<'_>,
) -> Result<JObject<'local>, JavaFailure> {
    let flags = report_flags(env);
    java::call_static_object(
        env,
        pending_intent,
        jni_str!("getBroadcast"),
        &jni_sig!(
            (
                context: android.content.Context,
                request_code: jint,
                intent: android.content.Intent,
                flags: jint,
            ) -> android.app.PendingIntent
        ),
        &[
            JValue::from(context),
            JValue::Int(request_code),
            JValue::from(intent),
            JValue::Int(flags),
        ],
    )
}

/// The flags of the report intents for this phone's Android version.
pub(crate) fn report_flags(env: &mut Env<'_>) -> jint {
    match sdk_int(env) {
        Some(sdk) if sdk < 31 => FLAG_ONE_SHOT,
        // 31 and later, or a version that could not be read: say mutable explicitly.
        _ => FLAG_MUTABLE | FLAG_ONE_SHOT,
    }
}

/// `Build.VERSION.SDK_INT` (API 4), read once per process.
fn sdk_int(env: &mut Env<'_>) -> Option<i32> {
    static SDK: std::sync::OnceLock<Option<i32>> = std::sync::OnceLock::new();
    *SDK.get_or_init(|| {
        let class = java::find_class(env, jni_str!("android/os/Build$VERSION")).ok()?;
        let value = env.get_static_field(&class, jni_str!("SDK_INT"), jni_sig!(jint));
        java::caught(env, value).ok()?.i().ok()
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn request_codes_differ_per_message_part_and_report() {
        let mut seen = HashSet::new();
        for message_id in [1_i64, 2, 3, 1 << 20, (1 << 22) - 1] {
            for part in 0..MAX_PARTS {
                for report in [Report::Sent, Report::Delivered] {
                    assert!(seen.insert(request_code(message_id, part, report)));
                }
            }
        }
    }
}
