//! `platform::android` on a host JVM, against Java doubles of the Android framework
//! (`tests/java`, compiled with javac at test time) whose state `ringback.doubles.World` holds.
//! One JVM per process; the tests take turns on it (`world()`).
//!
//! What runs on the real framework now lives in the Robolectric suite
//! (`android-bridge/robolectric`, `app.ringback.robo.platform.PlatformTest` and `MmsTest`, SDK
//! 26/31/33/35): sending texts and picture messages with their PendingIntents, the call log,
//! the SMS and MMS providers, contacts and the SIMs. What stays here needs a double:
//! exceptions the framework (or Robolectric) cannot be made to throw on demand (here and in
//! `jvm/mms.rs`), a thread Rust attached itself (in Robolectric its `FindClass` would search
//! the class loader outside the sandbox), and the `NativeInit` export.
//!
//! So `tests/java` holds only the framework surface those paths touch, each class cut to the
//! members the jni code calls: `Context` and `ContentResolver` (its `query` throws what a test
//! asks for, e.g. a provider dying mid-query; the permission denials also run on the real
//! framework in `PlatformTest`), `Cursor` and `MatrixCursor` (a row whose `getLong` throws
//! mid-walk, where SQLite's cursor answers 0), `Uri`, `CallLog.Calls`,
//! `ContactsContract.PhoneLookup` and `Telephony.Mms` (only their addresses), `SmsManager`
//! (`divideMessage`, `sendMultipartTextMessage` and `sendMultimediaMessage` throwing on demand,
//! which Robolectric's shadow never does), `PendingIntent` and `Intent` (built on the way to a
//! send), `SubscriptionManager` and `SubscriptionInfo`, `Build.VERSION` and `Bundle` (a
//! signature), and `ringback.doubles`' `World`, `TestContext` and `NativeInitProbe` (the class
//! the export is bound to, as `app.ringback.NativeInit` is on a phone).

#[path = "jvm/world.rs"]
mod world;

#[path = "jvm/mms.rs"]
mod mms;

use jni::objects::{JObject, JThrowable};
use jni::{JValue, NativeMethod, jni_sig, jni_str};
use ringback_bridge::platform::android::{AndroidPlatform, Java_app_ringback_NativeInit_init};
use ringback_core::ports::{CallLog, Contacts, SendError, SendRequest, Telephony};
use ringback_core::store::MessageId;
use ringback_core::{Line, PhoneNumber, Region};

use world::*;

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
