//! The host JVM with the Android doubles (`tests/java`), and `ringback.doubles.World` driven
//! from Rust.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use jni::errors::Result as JniResult;
use jni::objects::JObject;
use jni::strings::JNIStr;
use jni::{Env, InitArgsBuilder, JNIVersion, JValue, JavaVM, jni_sig, jni_str};
use ringback_bridge::platform::android::{self, AndroidPlatform};
use serde_json::Value;

const WORLD: &JNIStr = jni_str!("ringback/doubles/World");

/// The one JVM of this test process, started on first use with the doubles compiled.
pub fn jvm() -> &'static JavaVM {
    static JVM: OnceLock<JavaVM> = OnceLock::new();
    JVM.get_or_init(|| {
        let classes = compile_doubles();
        let args = InitArgsBuilder::new()
            .version(JNIVersion::V1_8)
            .option(format!("-Djava.class.path={}", classes.display()))
            .option("-Xcheck:jni")
            .build()
            .expect("JVM options");
        JavaVM::new(args).expect("a JVM starts (is a JDK installed?)")
    })
}

/// Compiles `tests/java` into the target's temp folder, unless the classes there were
/// compiled from these very sources (a digest of their paths and contents, not their times:
/// the temp folder may be shared by checkouts of other commits).
fn compile_doubles() -> PathBuf {
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/java");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("android-doubles");
    let stamp = out.join(".compiled");
    let mut files = Vec::new();
    java_files(&sources, &mut files);
    assert!(
        !files.is_empty(),
        "no Java doubles under {}",
        sources.display()
    );
    files.sort();
    let mut digest = std::collections::hash_map::DefaultHasher::new();
    for file in &files {
        file.strip_prefix(&sources)
            .unwrap_or(file)
            .hash(&mut digest);
        std::fs::read(file)
            .expect("read a double")
            .hash(&mut digest);
    }
    let digest = format!("{:016x}", digest.finish());
    if std::fs::read_to_string(&stamp).is_ok_and(|held| held == digest) {
        return out;
    }
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("clear the old classes");
    }
    std::fs::create_dir_all(&out).expect("a folder for the classes");
    let status = Command::new("javac")
        .arg("-nowarn")
        .arg("-d")
        .arg(&out)
        .args(&files)
        .status()
        .expect("javac runs (is a JDK installed?)");
    assert!(status.success(), "javac failed on the doubles");
    std::fs::write(&stamp, digest).expect("write the stamp");
    out
}

fn java_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the doubles folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            java_files(&path, into);
        } else if path.extension().is_some_and(|ext| ext == "java") {
            into.push(path);
        }
    }
}

/// Runs `f` attached, and checks no Java exception was left pending.
pub fn with_env<T>(f: impl FnOnce(&mut Env<'_>) -> JniResult<T>) -> T {
    jvm()
        .attach_current_thread(|env| {
            let value = f(env)?;
            assert!(!env.exception_check(), "a Java exception was left pending");
            Ok::<_, jni::errors::Error>(value)
        })
        .expect("a JNI call of the test")
}

/// The platform, set up once with a `TestContext` (package "app.ringback").
pub fn platform() -> Arc<AndroidPlatform> {
    with_env(|env| {
        let context = env.new_object(
            jni_str!("ringback/doubles/TestContext"),
            jni_sig!(() -> void),
            &[],
        )?;
        Ok(android::init(env, &context))
    })
    .expect("init with a context")
}

/// Takes the world for one test (tests share the JVM and `World`'s static state) and resets it.
pub fn world() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    with_env(|env| {
        env.call_static_method(WORLD, jni_str!("reset"), jni_sig!(() -> void), &[])?;
        Ok(())
    });
    guard
}

fn string_or_null<'local>(env: &mut Env<'local>, text: Option<&str>) -> JniResult<JObject<'local>> {
    Ok(match text {
        Some(text) => env.new_string(text)?.into(),
        None => JObject::null(),
    })
}

/// `World.addCall`.
pub fn add_call(
    id: i64,
    number: Option<&str>,
    kind: i32,
    date_ms: i64,
    duration_s: i64,
    account: Option<&str>,
) {
    with_env(|env| {
        let number = string_or_null(env, number)?;
        let account = string_or_null(env, account)?;
        env.call_static_method(
            WORLD,
            jni_str!("addCall"),
            jni_sig!((id: jlong, number: java.lang.String, kind: jint, date: jlong, duration: jlong, account: java.lang.String) -> void),
            &[
                JValue::Long(id),
                JValue::from(&number),
                JValue::Int(kind),
                JValue::Long(date_ms),
                JValue::Long(duration_s),
                JValue::from(&account),
            ],
        )?;
        Ok(())
    })
}

/// `World.addRawCall` with a `date` that is not a number.
pub fn add_call_with_bad_date(id: i64) {
    with_env(|env| {
        let values = jni::objects::JObjectArray::<JObject>::new(env, 6, JObject::null())?;
        let id = env
            .call_static_method(
                jni_str!("java/lang/Long"),
                jni_str!("valueOf"),
                jni_sig!((value: jlong) -> java.lang.Long),
                &[JValue::Long(id)],
            )?
            .l()?;
        let kind = env
            .call_static_method(
                jni_str!("java/lang/Integer"),
                jni_str!("valueOf"),
                jni_sig!((value: jint) -> java.lang.Integer),
                &[JValue::Int(3)],
            )?
            .l()?;
        let date: JObject = env.new_string("soon")?.into();
        values.set_element(env, 0, &id)?;
        values.set_element(env, 2, &kind)?;
        values.set_element(env, 3, &date)?;
        env.call_static_method(
            WORLD,
            jni_str!("addRawCall"),
            jni_sig!((values: java.lang.Object[]) -> void),
            &[JValue::from(&values)],
        )?;
        Ok(())
    })
}

/// `World.addContact`.
pub fn add_contact(number: &str, name: &str) {
    with_env(|env| {
        let number = env.new_string(number)?;
        let name = env.new_string(name)?;
        env.call_static_method(
            WORLD,
            jni_str!("addContact"),
            jni_sig!((number: java.lang.String, name: java.lang.String) -> void),
            &[JValue::from(&number), JValue::from(&name)],
        )?;
        Ok(())
    })
}

/// `World.addSubscription`.
pub fn add_subscription(id: i32, slot: i32, name: &str, icc_id: Option<&str>) {
    with_env(|env| {
        let name = env.new_string(name)?;
        let icc_id = string_or_null(env, icc_id)?;
        env.call_static_method(
            WORLD,
            jni_str!("addSubscription"),
            jni_sig!((id: jint, slot: jint, name: java.lang.String, icc_id: java.lang.String) -> void),
            &[
                JValue::Int(id),
                JValue::Int(slot),
                JValue::from(&name),
                JValue::from(&icc_id),
            ],
        )?;
        Ok(())
    })
}

/// `World.removeProvider`.
pub fn remove_provider(authority: &str) {
    with_env(|env| {
        let authority = env.new_string(authority)?;
        env.call_static_method(
            WORLD,
            jni_str!("removeProvider"),
            jni_sig!((authority: java.lang.String) -> void),
            &[JValue::from(&authority)],
        )?;
        Ok(())
    })
}

/// `World.throwOnNext(operation, new <class>(message))`; `class` as in `FindClass`.
pub fn throw_on_next(operation: &str, class: &JNIStr, message: &str) {
    with_env(|env| {
        let message = env.new_string(message)?;
        let exception = env.new_object(
            class,
            jni_sig!((message: java.lang.String) -> void),
            &[JValue::from(&message)],
        )?;
        let operation = env.new_string(operation)?;
        env.call_static_method(
            WORLD,
            jni_str!("throwOnNext"),
            jni_sig!((operation: java.lang.String, exception: java.lang.RuntimeException) -> void),
            &[JValue::from(&operation), JValue::from(&exception)],
        )?;
        Ok(())
    })
}

fn json(method: &JNIStr) -> Value {
    let text = with_env(|env| {
        let text = env
            .call_static_method(WORLD, method, jni_sig!(() -> java.lang.String), &[])?
            .l()?;
        env.cast_local::<jni::objects::JString>(text)?
            .try_to_string(env)
    });
    serde_json::from_str(&text).expect("World writes JSON")
}

/// `World.sendsJson()`.
pub fn sends() -> Vec<Value> {
    match json(jni_str!("sendsJson")) {
        Value::Array(sends) => sends,
        other => panic!("sends are a list, not {other}"),
    }
}

/// `World.openCursors()`.
pub fn open_cursors() -> i32 {
    with_env(|env| {
        env.call_static_method(WORLD, jni_str!("openCursors"), jni_sig!(() -> jint), &[])?
            .i()
    })
}

/// `World.addMms`: a row of `content://mms` (`date` in seconds).
#[allow(clippy::too_many_arguments)]
/// `World.mmsSendsJson()`.
pub fn mms_sends() -> Vec<Value> {
    match json(jni_str!("mmsSendsJson")) {
        Value::Array(sends) => sends,
        other => panic!("MMS sends are a list, not {other}"),
    }
}
