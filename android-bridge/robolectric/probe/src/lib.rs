//! Test-only JNI entry point for the Robolectric suite (`android-bridge/robolectric`, package
//! `app.ringback.robo.platform`): runs [`AndroidPlatform`]'s ports against the real AOSP
//! framework Robolectric loads, on the calling Java thread.
//!
//! One native method, `Probe.call(Context, String op, String argsJson) -> String`, so the
//! unsafe export surface stays one function. The answer is JSON: `{"ok": …}` or
//! `{"error": …}` with the port's error as the engine would see it.
//!
//! Why the calling thread: it is attached already, and JNI's `FindClass` from a native method
//! uses the loader of the class that declared it (the Robolectric sandbox, where the
//! instrumented framework lives). A thread Rust attached itself would get the system class
//! loader, which in Robolectric is outside the sandbox.

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JObject, JString};
use jni::{Env, EnvUnowned};
use ringback_bridge::platform::android::{AndroidPlatform, ProviderBox};
use ringback_core::ports::{CallLog, Contacts, SendRequest, Telephony};
use ringback_core::store::MessageId;
use ringback_core::{Line, PhoneNumber, Region};
use serde_json::{Value, json};

/// Runs one operation on a platform built from `context`; a bad request is an error answer.
fn run(env: &mut Env<'_>, context: &JObject<'_>, op: &str, args: &Value) -> Value {
    let platform = match AndroidPlatform::for_context(env, context) {
        Ok(platform) => platform,
        Err(error) => return json!({"error": error.to_string()}),
    };
    let after = args["after"].as_i64();
    let answer = match op {
        "send" => {
            let request = SendRequest {
                message_id: MessageId(args["message_id"].as_i64().unwrap_or(0)),
                line: Line(args["line"].as_str().unwrap_or("").to_owned()),
                to: args["to"].as_str().unwrap_or("").to_owned(),
                body: args["body"].as_str().unwrap_or("").to_owned(),
            };
            platform
                .send(&request)
                .map(|()| Value::Null)
                .map_err(|error| serde_json::to_value(error).unwrap_or(Value::Null))
        }
        "call_log" => platform
            .entries_since(after)
            .map(|calls| {
                calls
                    .iter()
                    .map(|call| {
                        json!({
                            "log_id": call.log_id,
                            "number": call.number,
                            "outcome": format!("{:?}", call.outcome),
                            "line": call.line.0,
                            "ended_at_ms": call.ended_at.as_millisecond(),
                        })
                    })
                    .collect()
            })
            .map_err(|error| json!(error.0)),
        "sms_since" => platform
            .sms_since(after)
            .map(|rows| {
                rows.iter()
                    .map(|sms| {
                        json!({
                            "id": sms.id,
                            "address": sms.address,
                            "body": sms.body,
                            "kind": match sms.kind {
                                ProviderBox::Inbox => "inbox",
                                ProviderBox::Sent => "sent",
                                ProviderBox::Other => "other",
                            },
                            "date_ms": sms.date_ms,
                            "date_sent_ms": sms.date_sent_ms,
                            "subscription_id": sms.subscription_id,
                        })
                    })
                    .collect()
            })
            .map_err(|error| json!(error.0)),
        "sms_last_id" => platform
            .sms_last_id()
            .map(|id| json!(id))
            .map_err(|error| json!(error.0)),
        "lookup" => {
            let region = Region::parse(args["region"].as_str().unwrap_or("GB"));
            let number = region.and_then(|region| {
                PhoneNumber::parse(args["number"].as_str().unwrap_or(""), region)
            });
            match number {
                Ok(number) => platform
                    .lookup(&number)
                    .map(|name| json!(name))
                    .map_err(|error| json!(error.0)),
                Err(error) => Err(json!(format!("not a phone number: {error}"))),
            }
        }
        "lines" => platform
            .lines()
            .map(|lines| {
                lines
                    .iter()
                    .map(|line| {
                        json!({
                            "subscription_id": line.subscription_id,
                            "slot": line.slot,
                            "display_name": line.display_name,
                        })
                    })
                    .collect()
            })
            .map_err(|error| json!(error.0)),
        other => Err(json!(format!("the probe has no operation {other:?}"))),
    };
    match answer {
        Ok(value) => json!({ "ok": value }),
        Err(error) => json!({ "error": error }),
    }
}

/// `app.ringback.robo.platform.Probe.call(Context, String, String) -> String`.
#[allow(unsafe_code)]
// SAFETY: `no_mangle` exports this under the JNI name of the static native method
// `Probe.call(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;`,
// whose parameters these are; the name is unique in this test library.
#[unsafe(no_mangle)]
pub extern "system" fn Java_app_ringback_robo_platform_Probe_call<'caller>(
    mut unowned_env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
    op: JString<'caller>,
    args: JString<'caller>,
) -> JString<'caller> {
    unowned_env
        .with_env(|env| -> jni::errors::Result<JString<'caller>> {
            let op = op.try_to_string(env)?;
            let args = args.try_to_string(env)?;
            let args: Value = serde_json::from_str(&args).unwrap_or(Value::Null);
            let answer = run(env, &context, &op, &args);
            env.new_string(answer.to_string())
        })
        .resolve::<ThrowRuntimeExAndDefault>()
}
