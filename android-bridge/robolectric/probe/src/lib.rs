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
use ringback_bridge::platform::android::{AndroidPlatform, ProviderBox, ProviderMms};
use ringback_core::ports::{CallLog, Contacts, MmsPart, MmsRequest, SendRequest, Telephony};
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
                            "kind": box_name(sms.kind),
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
        "send_mms" => {
            let photo = match args["photo_zeros"].as_u64() {
                Some(len) => vec![0u8; usize::try_from(len).unwrap_or(0)],
                None => bytes(&args["photo"]),
            };
            let request = MmsRequest {
                message_id: MessageId(args["message_id"].as_i64().unwrap_or(0)),
                line: Line(args["line"].as_str().unwrap_or("").to_owned()),
                to: args["to"].as_str().unwrap_or("").to_owned(),
                text: args["text"].as_str().unwrap_or("").to_owned(),
                attachments: vec![MmsPart {
                    content_type: "image/jpeg".to_owned(),
                    name: Some("part.jpg".to_owned()),
                    bytes: photo,
                }],
            };
            platform
                .send_mms(&request)
                .map(|()| Value::Null)
                .map_err(|error| json!(error.to_string()))
        }
        "mms_since" => platform
            .mms_since(after, args["max"].as_u64().unwrap_or(1 << 20))
            .map(|rows| rows.iter().map(mms_json).collect())
            .map_err(|error| json!(error.0)),
        "mms_row" => platform
            .mms_row(
                args["id"].as_i64().unwrap_or(0),
                args["max"].as_u64().unwrap_or(1 << 20),
            )
            .map(|row| row.as_ref().map_or(Value::Null, mms_json))
            .map_err(|error| json!(error.0)),
        "mms_last_id" => platform
            .mms_last_id()
            .map(|id| json!(id))
            .map_err(|error| json!(error.0)),
        "decode_pdu" => std::fs::read(args["path"].as_str().unwrap_or(""))
            .map_err(|error| json!(format!("the PDU file cannot be read: {error}")))
            .and_then(|pdu| {
                ringback_core::mms::decode(&pdu).map_err(|error| json!(error.to_string()))
            })
            .map(|pdu| {
                json!({
                    "message_type": format!("{:?}", pdu.message_type),
                    "to": pdu.to,
                    "parts": pdu.parts.iter().map(|part| json!({
                        "content_type": part.content_type,
                        "text": part.as_text(),
                        "data": part.data,
                    })).collect::<Vec<_>>(),
                })
            }),
        other => Err(json!(format!("the probe has no operation {other:?}"))),
    };
    match answer {
        Ok(value) => json!({ "ok": value }),
        Err(error) => json!({ "error": error }),
    }
}

/// A JSON list of numbers as bytes (what is not a byte is left out).
fn bytes(list: &Value) -> Vec<u8> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect()
        })
        .unwrap_or_default()
}

/// A picture message row as JSON (bytes as a list of numbers).
fn mms_json(row: &ProviderMms) -> Value {
    json!({
        "id": row.id,
        "kind": box_name(row.kind),
        "message_type": row.message_type,
        "date_ms": row.date_ms,
        "subscription_id": row.subscription_id,
        "content_location": row.content_location,
        "transaction_id": row.transaction_id,
        "size": row.size,
        "addresses": row.addresses.iter().map(|a| json!({
            "address": a.address,
            "kind": a.kind,
        })).collect::<Vec<_>>(),
        "parts": row.parts.iter().map(|p| json!({
            "id": p.id,
            "content_type": p.content_type,
            "name": p.name,
            "charset": p.charset,
            "text": p.text,
            "data": p.data,
            "too_large": p.too_large,
        })).collect::<Vec<_>>(),
    })
}

fn box_name(kind: ProviderBox) -> &'static str {
    match kind {
        ProviderBox::Inbox => "inbox",
        ProviderBox::Sent => "sent",
        ProviderBox::Other => "other",
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
