//! `platform::android` on a host JVM, against Java doubles of the Android framework
//! (`tests/java`, compiled with javac at test time) whose state `ringback.doubles.World` holds.
//! One JVM per process; the tests take turns on it (`world()`).

#[path = "jvm/world.rs"]
mod world;

#[path = "jvm/mms.rs"]
mod mms;

use std::collections::HashSet;

use jni::objects::{JObject, JThrowable};
use jni::{JValue, NativeMethod, jni_sig, jni_str};
use ringback_bridge::platform::android::{
    ACTION_SMS_DELIVERED, ACTION_SMS_SENT, AndroidPlatform, Java_app_ringback_NativeInit_init,
    ProviderBox, SimLine,
};
use ringback_core::ports::{CallLog, Contacts, SendError, SendRequest, Telephony};
use ringback_core::store::MessageId;
use ringback_core::{CallOutcome, Line, PhoneNumber, Region};
use serde_json::{Value, json};

use world::*;

/// `PendingIntent.FLAG_MUTABLE | FLAG_ONE_SHOT`: the double says API 35 (`Build.VERSION`),
/// and SmsManager must be able to fill the report's extras in.
const REPORT_FLAGS: i64 = 0x0200_0000 | 0x4000_0000;
/// What the double records for `SmsManager.getDefault()`.
const DEFAULT_SUBSCRIPTION: i64 = i32::MAX as i64;

fn request(message_id: i64, line: &str, body: &str) -> SendRequest {
    SendRequest {
        message_id: MessageId(message_id),
        line: Line(line.to_owned()),
        to: "+12125550123".to_owned(),
        body: body.to_owned(),
    }
}

fn number(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text, Region::parse("GB").expect("a region")).expect("a number")
}

/// 400 characters of GSM text, all different, so the parts' order shows.
fn long_text() -> String {
    (0..400)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect::<String>()
}

#[test]
fn a_long_text_goes_out_in_parts_on_its_sim_with_a_report_intent_per_part() {
    let _world = world();
    add_subscription(1, 0, "Personal", None);
    add_subscription(2, 1, "Work", None);
    let platform = platform();
    let body = long_text();

    platform
        .send(&request(41, "2", &body))
        .expect("the text is handed to Android");

    let sends = sends();
    assert_eq!(sends.len(), 1);
    let sent = &sends[0];
    assert_eq!(sent["subscriptionId"], json!(2));
    assert_eq!(sent["destination"], json!("+12125550123"));
    assert_eq!(sent["scAddress"], Value::Null);
    let parts: Vec<&str> = sent["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| p.as_str().expect("a part"))
        .collect();
    assert_eq!(
        parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
        [153, 153, 94]
    );
    assert_eq!(parts.concat(), body);

    let mut codes = HashSet::new();
    for (reports, action) in [
        ("sent", ACTION_SMS_SENT),
        ("delivered", ACTION_SMS_DELIVERED),
    ] {
        let reports = sent[reports].as_array().expect("report intents");
        assert_eq!(reports.len(), 3, "one {action} intent per part");
        for (part, report) in reports.iter().enumerate() {
            assert_eq!(report["action"], json!(action));
            assert_eq!(report["package"], json!("app.ringback"));
            assert_eq!(report["flags"], json!(REPORT_FLAGS));
            assert_eq!(
                report["extras"],
                json!({"message_id": 41, "part": part, "parts": 3})
            );
            assert!(codes.insert(report["requestCode"].as_i64().expect("a request code")));
        }
    }

    // The next text's intents are its own, not the live ones of text 41 (Android would hand
    // those back, old extras and all, for a request code used twice).
    platform
        .send(&request(42, "2", &body))
        .expect("a second text");
    let second = &sends_after(1)[0];
    for reports in ["sent", "delivered"] {
        for (part, report) in second[reports]
            .as_array()
            .expect("intents")
            .iter()
            .enumerate()
        {
            assert_eq!(
                report["extras"],
                json!({"message_id": 42, "part": part, "parts": 3})
            );
            assert!(codes.insert(report["requestCode"].as_i64().expect("a request code")));
        }
    }
}

fn sends_after(skip: usize) -> Vec<Value> {
    sends().into_iter().skip(skip).collect()
}

#[test]
fn a_short_text_on_the_default_sim_is_still_multipart_and_non_gsm_text_splits_at_67() {
    let _world = world();
    let platform = platform();

    platform
        .send(&request(7, "", "Sorry I missed you"))
        .expect("sent");
    let accents = "é".repeat(100);
    platform.send(&request(8, "", &accents)).expect("sent");

    let sends = sends();
    assert_eq!(sends.len(), 2);
    assert_eq!(sends[0]["subscriptionId"], json!(DEFAULT_SUBSCRIPTION));
    assert_eq!(sends[0]["parts"], json!(["Sorry I missed you"]));
    assert_eq!(sends[0]["sent"].as_array().map(Vec::len), Some(1));
    assert_eq!(sends[0]["delivered"].as_array().map(Vec::len), Some(1));
    assert_eq!(sends[1]["parts"], json!(["é".repeat(67), "é".repeat(33)]));
}

#[test]
fn a_line_that_names_no_active_sim_is_no_such_line() {
    let _world = world();
    add_subscription(1, 0, "Personal", None);
    add_subscription(2, 1, "Work", None);
    let platform = platform();

    assert_eq!(
        platform.send(&request(1, "9", "hi")),
        Err(SendError::NoSuchLine)
    );
    assert_eq!(
        platform.send(&request(1, "work", "hi")),
        Err(SendError::NoSuchLine)
    );
    throw_on_next(
        "getSmsManagerForSubscriptionId",
        jni_str!("java/lang/IllegalArgumentException"),
        "invalid subscription",
    );
    assert_eq!(
        platform.send(&request(1, "2", "hi")),
        Err(SendError::NoSuchLine)
    );
    assert!(sends().is_empty());
}

#[test]
fn the_call_log_maps_every_type_reads_since_an_id_and_names_lines() {
    let _world = world();
    add_subscription(3, 1, "Travel", Some("8944110068256270054"));
    let start = 1_700_000_000_000_i64;
    for kind in 1..=7 {
        add_call(
            i64::from(kind),
            Some("+12125550123"),
            kind,
            start + i64::from(kind) * 60_000,
            30,
            Some("2"),
        );
    }
    add_call(8, Some("+12125550123"), 99, start, 0, Some("2"));
    add_call(9, None, 3, start, 0, Some("8944110068256270054F"));
    add_call(10, Some("+447700900123"), 3, start, 0, None);
    let platform = platform();

    let all = platform.entries_since(None).expect("the call log");
    let outcomes: Vec<(i64, CallOutcome)> = all.iter().map(|c| (c.log_id, c.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            (1, CallOutcome::Answered),
            (2, CallOutcome::Outgoing),
            (3, CallOutcome::Missed),
            (4, CallOutcome::Voicemail),
            (5, CallOutcome::Rejected),
            (6, CallOutcome::Blocked),
            (7, CallOutcome::Answered),
            // 8 has a type Ringback does not know: left out.
            (9, CallOutcome::Missed),
            (10, CallOutcome::Missed),
        ]
    );
    let third = &all[2];
    assert_eq!(third.number, "+12125550123");
    assert_eq!(third.line, Line("2".into()));
    assert_eq!(
        third.ended_at.as_millisecond(),
        start + 3 * 60_000 + 30_000,
        "ends at the start plus the duration"
    );
    let private = &all[7];
    assert_eq!(private.number, "", "a private caller has no number");
    assert_eq!(private.line, Line("3".into()), "the ICCID names SIM 3");
    assert_eq!(all[8].line, Line::default());

    let later = platform
        .entries_since(Some(5))
        .expect("the call log since 5");
    let ids: Vec<i64> = later.iter().map(|c| c.log_id).collect();
    assert_eq!(ids, [6, 7, 9, 10]);

    let queries = queries();
    let last = queries
        .iter()
        .rev()
        .find(|q| q["uri"] == json!("content://call_log/calls"))
        .expect("a call log query");
    assert_eq!(
        last["projection"],
        json!([
            "_id",
            "number",
            "type",
            "date",
            "duration",
            "subscription_id"
        ])
    );
    assert_eq!(last["selection"], json!("_id > ?"));
    assert_eq!(last["selectionArgs"], json!(["5"]));
    assert_eq!(last["sortOrder"], json!("_id ASC"));
    assert_eq!(open_cursors(), 0, "every cursor is closed");
}

#[test]
fn contacts_are_looked_up_by_the_encoded_number() {
    let _world = world();
    add_contact("+44 20 7946 0958", "Ada Lovelace");
    let platform = platform();

    let found = platform
        .lookup(&number("+44 20 7946 0958"))
        .expect("a lookup");
    assert_eq!(found.as_deref(), Some("Ada Lovelace"));
    let missing = platform
        .lookup(&number("+44 20 7946 0000"))
        .expect("a lookup");
    assert_eq!(missing, None);

    let queries = queries();
    assert_eq!(
        queries[0]["uri"],
        json!("content://com.android.contacts/phone_lookup/%2B442079460958"),
        "the number is Uri.encode'd into the path"
    );
    assert_eq!(queries[0]["projection"], json!(["display_name"]));
    assert_eq!(open_cursors(), 0);
}

#[test]
fn framework_exceptions_become_typed_errors_and_the_jvm_carries_on() {
    let _world = world();
    add_call(1, Some("+12125550123"), 3, 1_700_000_000_000, 0, Some("1"));
    let platform = platform();

    // No call log permission.
    throw_on_next(
        "query",
        jni_str!("java/lang/SecurityException"),
        "Permission Denial: reading com.android.providers.contacts.CallLogProvider requires android.permission.READ_CALL_LOG",
    );
    let denied = platform.entries_since(None).expect_err("no permission");
    assert!(denied.0.contains("Call logs"), "{denied}");
    assert!(denied.0.contains("READ_CALL_LOG"), "{denied}");
    assert_eq!(
        platform.entries_since(None).expect("then it works").len(),
        1
    );

    // No SMS permission when sending.
    throw_on_next(
        "sendMultipartTextMessage",
        jni_str!("java/lang/SecurityException"),
        "Sending SMS message: uid 10123 does not have android.permission.SEND_SMS.",
    );
    assert_eq!(
        platform.send(&request(5, "", "hi")),
        Err(SendError::Other(
            "Ringback may not send texts: allow the SMS permission in Android settings".into()
        ))
    );
    assert!(sends().is_empty());

    // Anything else from the framework, described.
    throw_on_next(
        "divideMessage",
        jni_str!("java/lang/RuntimeException"),
        "radio exploded",
    );
    assert_eq!(
        platform.send(&request(6, "", "hi")),
        Err(SendError::Other(
            "java.lang.RuntimeException: radio exploded".into()
        ))
    );
    throw_on_next(
        "sendMultipartTextMessage",
        jni_str!("java/lang/IllegalArgumentException"),
        "Invalid destinationAddress",
    );
    let refused = platform.send(&request(7, "", "hi")).expect_err("refused");
    assert_eq!(
        refused,
        SendError::Other(
            "Android refused the text (java.lang.IllegalArgumentException: Invalid destinationAddress)"
                .into()
        )
    );
    platform
        .send(&request(8, "", "hi"))
        .expect("then a text goes");
    assert_eq!(sends().len(), 1);

    // Contacts: no permission means no name; other failures are errors.
    add_contact("+44 20 7946 0958", "Ada Lovelace");
    throw_on_next(
        "query",
        jni_str!("java/lang/SecurityException"),
        "Permission Denial: READ_CONTACTS",
    );
    assert_eq!(platform.lookup(&number("+442079460958")), Ok(None));
    throw_on_next(
        "query",
        jni_str!("java/lang/IllegalStateException"),
        "provider died",
    );
    let died = platform
        .lookup(&number("+442079460958"))
        .expect_err("a failure");
    assert!(
        died.0
            .contains("java.lang.IllegalStateException: provider died"),
        "{died}"
    );
    assert_eq!(
        platform.lookup(&number("+442079460958")),
        Ok(Some("Ada Lovelace".into()))
    );

    // No phone permission for the SIM list.
    throw_on_next(
        "getActiveSubscriptionInfoList",
        jni_str!("java/lang/SecurityException"),
        "getActiveSubscriptionInfoList: no READ_PHONE_STATE",
    );
    let no_sims = platform.lines().expect_err("no permission");
    assert!(no_sims.0.contains("READ_PHONE_STATE"), "{no_sims}");

    // A row the cursor cannot read (NumberFormatException mid-walk): an error, cursor closed.
    add_call_with_bad_date(2);
    let bad = platform.entries_since(None).expect_err("an unreadable row");
    assert!(bad.0.contains("NumberFormatException"), "{bad}");
    assert_eq!(open_cursors(), 0, "closed on the failure path too");

    // A missing provider (a null cursor).
    remove_provider("call_log");
    let none = platform.entries_since(None).expect_err("no provider");
    assert!(none.0.contains("content://call_log/calls"), "{none}");

    assert_eq!(platform.lines(), Ok(Vec::new()), "the JVM is still fine");
}

#[test]
fn lines_and_the_sms_provider() {
    let _world = world();
    add_subscription(2, 1, "Work", None);
    add_subscription(1, 0, "Personal", Some("8944110068256270054"));
    let platform = platform();

    assert_eq!(
        platform.lines().expect("the SIMs"),
        [
            SimLine {
                subscription_id: 1,
                slot: 0,
                display_name: "Personal".into()
            },
            SimLine {
                subscription_id: 2,
                slot: 1,
                display_name: "Work".into()
            },
        ]
    );
    set_subscription_list_null(true);
    assert_eq!(platform.lines(), Ok(Vec::new()), "null means no SIM");

    assert_eq!(platform.sms_last_id(), Ok(None), "an empty provider");
    add_sms(10, "+12125550123", "Call me back", 1, 1_000, 900, Some(1));
    add_sms(11, "+12125550123", "On my way", 2, 2_000, 0, None);
    add_sms(12, "+12125550123", "draft", 3, 3_000, 0, Some(2));
    add_sms(13, "+447700900123", "Hello", 1, 4_000, 3_900, Some(-1));

    let all = platform.sms_since(None).expect("the provider");
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].id, 10);
    assert_eq!(all[0].address, "+12125550123");
    assert_eq!(all[0].body, "Call me back");
    assert_eq!(all[0].kind, ProviderBox::Inbox);
    assert_eq!((all[0].date_ms, all[0].date_sent_ms), (1_000, 900));
    assert_eq!(all[0].subscription_id, Some(1));
    assert_eq!(all[1].kind, ProviderBox::Sent);
    assert_eq!(all[1].subscription_id, None);
    assert_eq!(all[2].kind, ProviderBox::Other);
    assert_eq!(all[3].subscription_id, None, "-1 is no subscription");

    let later = platform.sms_since(Some(11)).expect("since 11");
    assert_eq!(later.iter().map(|s| s.id).collect::<Vec<_>>(), [12, 13]);
    assert_eq!(platform.sms_last_id(), Ok(Some(13)));
    assert_eq!(open_cursors(), 0);
}

#[test]
fn ports_work_from_a_thread_rust_started() {
    let _world = world();
    add_call(1, Some("+12125550123"), 3, 1_700_000_000_000, 0, Some("1"));
    let platform = platform();
    let calls = std::thread::spawn(move || platform.entries_since(None))
        .join()
        .expect("the thread ends");
    assert_eq!(calls.expect("the call log").len(), 1);
}

/// Binds the JNI export to `ringback.doubles.NativeInitProbe.init`, as the app's
/// `NativeInit.init` is bound on Android, and calls it like Kotlin would.
#[test]
#[allow(unsafe_code)]
fn the_jni_export_sets_up_the_platform_and_throws_for_a_null_context() {
    let _world = world();
    with_env(|env| {
        let export = Java_app_ringback_NativeInit_init as *mut std::ffi::c_void;
        // SAFETY: the export has the JNI shape of a static native `void init(Context)`:
        // `EnvUnowned`, `JClass`, `JObject` and no result.
        let method = unsafe {
            NativeMethod::from_raw_parts(
                jni_str!("init"),
                jni_str!("(Landroid/content/Context;)V"),
                export,
            )
        };
        // SAFETY: `init` is static on NativeInitProbe and its second parameter is the class.
        unsafe {
            env.register_native_methods(jni_str!("ringback/doubles/NativeInitProbe"), &[method])
        }?;

        let null = JObject::null();
        let thrown = env.call_static_method(
            jni_str!("ringback/doubles/NativeInitProbe"),
            jni_str!("init"),
            jni_sig!((context: android.content.Context) -> void),
            &[JValue::from(&null)],
        );
        assert!(thrown.is_err(), "a null context throws");
        let exception: JThrowable = env.exception_occurred().expect("a pending exception");
        env.exception_clear();
        assert!(env.is_instance_of(&exception, jni_str!("java/lang/IllegalStateException"))?);

        let context = env.new_object(
            jni_str!("ringback/doubles/TestContext"),
            jni_sig!(() -> void),
            &[],
        )?;
        env.call_static_method(
            jni_str!("ringback/doubles/NativeInitProbe"),
            jni_str!("init"),
            jni_sig!((context: android.content.Context) -> void),
            &[JValue::from(&context)],
        )?;
        Ok(())
    });
    assert!(AndroidPlatform::global().is_some());
}
