//! Calling Java with every failure caught. Each helper runs one JNI call; when Java throws,
//! the exception is described (its class and `Throwable.toString()`), cleared, and handed
//! back as a [`JavaFailure`], so no exception is ever left pending and nothing panics.
//!
//! Classes are found through the class loader of the context `NativeInit.init` was given
//! ([`keep_class_loader`]): the engine calls from threads Rust attached itself, and JNI
//! `FindClass` on such a thread searches the system class loader instead, which is not the one
//! the app runs in. On a phone that loader cannot see the app's classes; under Robolectric it
//! holds the plain, un-shadowed framework jar, outside the test's sandbox. Before `init` (and
//! for a context whose class came from the boot loader) `FindClass` is used.

use std::fmt;
use std::sync::OnceLock;

use jni::errors::Error as JniError;
use jni::objects::{JClass, JObject, JObjectArray, JString, JThrowable};
use jni::refs::Global;
use jni::signature::{FieldSignature, MethodSignature};
use jni::strings::JNIStr;
use jni::{Env, JValue, JValueOwned, jni_sig, jni_str};

/// A JNI call that did not return normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JavaFailure {
    /// Java threw; the exception was cleared.
    Thrown(Thrown),
    /// jni itself failed (a missing method or class, a wrong type, a null reference).
    Jni(String),
}

/// A Java exception, described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Thrown {
    /// Which kind of exception, where the ports treat kinds differently.
    pub kind: ThrownKind,
    /// `Throwable.toString()`: the class name and the message.
    pub description: String,
}

/// The exception classes the ports tell apart (subclasses included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ThrownKind {
    /// `java.lang.SecurityException`: a permission is missing.
    Security,
    /// `java.lang.IllegalArgumentException`.
    IllegalArgument,
    /// Anything else.
    Other,
}

impl JavaFailure {
    /// Whether Java threw a `SecurityException` (a permission is missing).
    pub(crate) fn is_security(&self) -> bool {
        matches!(self, JavaFailure::Thrown(t) if t.kind == ThrownKind::Security)
    }

    /// Whether Java threw an `IllegalArgumentException`.
    pub(crate) fn is_illegal_argument(&self) -> bool {
        matches!(self, JavaFailure::Thrown(t) if t.kind == ThrownKind::IllegalArgument)
    }
}

impl fmt::Display for JavaFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JavaFailure::Thrown(thrown) => f.write_str(&thrown.description),
            JavaFailure::Jni(message) => write!(f, "a JNI call failed: {message}"),
        }
    }
}

impl std::error::Error for JavaFailure {}

impl From<JniError> for JavaFailure {
    /// For jni errors with no pending exception; [`caught`] takes pending ones first.
    fn from(error: JniError) -> Self {
        match error {
            // What `attach_current_thread` reports for an exception a closure left pending.
            JniError::CaughtJavaException { name, msg, .. } => {
                let kind = match name.as_str() {
                    "java.lang.SecurityException" => ThrownKind::Security,
                    "java.lang.IllegalArgumentException" => ThrownKind::IllegalArgument,
                    _ => ThrownKind::Other,
                };
                JavaFailure::Thrown(Thrown {
                    kind,
                    description: format!("{name}: {msg}"),
                })
            }
            other => JavaFailure::Jni(other.to_string()),
        }
    }
}

/// The result of a jni call, with a pending Java exception taken, described and cleared.
pub(crate) fn caught<T>(
    env: &mut Env<'_>,
    result: jni::errors::Result<T>,
) -> Result<T, JavaFailure> {
    match result {
        Ok(value) => Ok(value),
        Err(error) => Err(take_pending(env).unwrap_or_else(|| JavaFailure::from(error))),
    }
}

/// Takes the pending exception, if any: described, then cleared.
pub(crate) fn take_pending(env: &mut Env<'_>) -> Option<JavaFailure> {
    let throwable = env.exception_occurred()?;
    env.exception_clear();
    Some(JavaFailure::Thrown(describe(env, &throwable)))
}

/// Describes an exception that is no longer pending. Never fails: describing is JNI calls
/// too, and if one of those throws, that is cleared and a plain description is used.
fn describe(env: &mut Env<'_>, throwable: &JThrowable<'_>) -> Thrown {
    let described = env.with_local_frame(8, |env| -> Result<Thrown, JniError> {
        let kind = if env.is_instance_of(throwable, jni_str!("java/lang/SecurityException"))? {
            ThrownKind::Security
        } else if env.is_instance_of(throwable, jni_str!("java/lang/IllegalArgumentException"))? {
            ThrownKind::IllegalArgument
        } else {
            ThrownKind::Other
        };
        let text = env
            .call_method(
                throwable,
                jni_str!("toString"),
                jni_sig!(() -> java.lang.String),
                &[],
            )?
            .l()?;
        let description = env.cast_local::<JString>(text)?.try_to_string(env)?;
        Ok(Thrown { kind, description })
    });
    described.unwrap_or_else(|_| {
        env.exception_clear();
        Thrown {
            kind: ThrownKind::Other,
            description: "a Java exception that could not be described".to_owned(),
        }
    })
}

/// The class loader of the app's context, kept by [`keep_class_loader`].
static CLASS_LOADER: OnceLock<Global<JObject<'static>>> = OnceLock::new();

/// Keeps the class loader that loaded `context`'s class (`getClass().getClassLoader()`, API
/// 1), the app's own, for [`find_class`]. The first call that finds one wins, like the
/// platform's context; `Ok` without keeping anything when the class came from the boot loader.
pub(crate) fn keep_class_loader(
    env: &mut Env<'_>,
    context: &JObject<'_>,
) -> Result<(), JavaFailure> {
    if CLASS_LOADER.get().is_some() {
        return Ok(());
    }
    let class = call_object(
        env,
        context,
        jni_str!("getClass"),
        &jni_sig!(() -> java.lang.Class),
        &[],
    )?;
    let loader = call_object(
        env,
        &class,
        jni_str!("getClassLoader"),
        &jni_sig!(() -> java.lang.ClassLoader),
        &[],
    )?;
    if loader.is_null() {
        return Ok(());
    }
    let global = env.new_global_ref(&loader);
    let global = caught(env, global)?;
    let _ = CLASS_LOADER.set(global);
    Ok(())
}

/// A class by its slash-separated name (e.g. `android/telephony/SmsManager`): through the
/// app's class loader (`ClassLoader.loadClass`, dotted name) once [`keep_class_loader`] has
/// kept it, else JNI `FindClass`.
pub(crate) fn find_class<'local>(
    env: &mut Env<'local>,
    name: &JNIStr,
) -> Result<JClass<'local>, JavaFailure> {
    let Some(loader) = CLASS_LOADER.get() else {
        let result = env.find_class(name);
        return caught(env, result);
    };
    let dotted = name.to_str().replace('/', ".");
    let dotted = new_string(env, &dotted)?;
    let class = call_object(
        env,
        loader.as_obj(),
        jni_str!("loadClass"),
        &jni_sig!((name: java.lang.String) -> java.lang.Class),
        &[JValue::from(&dotted)],
    )?;
    env.delete_local_ref(dotted);
    if class.is_null() {
        return Err(JavaFailure::Jni(format!(
            "ClassLoader.loadClass({name}) returned null"
        )));
    }
    let class = env.cast_local::<JClass>(class);
    caught(env, class)
}

/// An instance method.
pub(crate) fn call<'local>(
    env: &mut Env<'local>,
    object: &JObject<'_>,
    name: &JNIStr,
    signature: &MethodSignature<'_, '_>,
    args: &[JValue<'_>],
) -> Result<JValueOwned<'local>, JavaFailure> {
    let result = env.call_method(object, name, signature, args);
    caught(env, result)
}

/// An instance method returning an object (possibly null).
pub(crate) fn call_object<'local>(
    env: &mut Env<'local>,
    object: &JObject<'_>,
    name: &JNIStr,
    signature: &MethodSignature<'_, '_>,
    args: &[JValue<'_>],
) -> Result<JObject<'local>, JavaFailure> {
    Ok(call(env, object, name, signature, args)?.l()?)
}

/// A static method returning an object (possibly null).
pub(crate) fn call_static_object<'local>(
    env: &mut Env<'local>,
    class: &JClass<'_>,
    name: &JNIStr,
    signature: &MethodSignature<'_, '_>,
    args: &[JValue<'_>],
) -> Result<JObject<'local>, JavaFailure> {
    let result = env.call_static_method(class, name, signature, args);
    Ok(caught(env, result)?.l()?)
}

/// A static object field (e.g. `CallLog.Calls.CONTENT_URI`).
pub(crate) fn static_object<'local>(
    env: &mut Env<'local>,
    class: &JClass<'_>,
    name: &JNIStr,
    signature: &FieldSignature<'_>,
) -> Result<JObject<'local>, JavaFailure> {
    let result = env.get_static_field(class, name, signature);
    Ok(caught(env, result)?.l()?)
}

/// A constructor.
pub(crate) fn new_object<'local>(
    env: &mut Env<'local>,
    class: &JClass<'_>,
    signature: &MethodSignature<'_, '_>,
    args: &[JValue<'_>],
) -> Result<JObject<'local>, JavaFailure> {
    let result = env.new_object(class, signature, args);
    caught(env, result)
}

/// A Java string.
pub(crate) fn new_string<'local>(
    env: &mut Env<'local>,
    text: &str,
) -> Result<JString<'local>, JavaFailure> {
    let result = env.new_string(text);
    caught(env, result)
}

/// A `String[]`.
pub(crate) fn new_string_array<'local>(
    env: &mut Env<'local>,
    items: &[&str],
) -> Result<JObjectArray<'local, JString<'local>>, JavaFailure> {
    let result = JObjectArray::<JString>::new(env, items.len(), JString::null());
    let array = caught(env, result)?;
    for (index, item) in items.iter().enumerate() {
        let string = new_string(env, item)?;
        let result = array.set_element(env, index, &string);
        caught(env, result)?;
        env.delete_local_ref(string);
    }
    Ok(array)
}

/// A `java.lang.String` as Rust text; `None` for null.
pub(crate) fn to_string(
    env: &mut Env<'_>,
    object: JObject<'_>,
) -> Result<Option<String>, JavaFailure> {
    if object.is_null() {
        return Ok(None);
    }
    let string = env.cast_local::<JString>(object);
    let string = caught(env, string)?;
    let text = string.try_to_string(env);
    Ok(Some(caught(env, text)?))
}

/// A `CharSequence` (API 1 `toString()`) as Rust text; `None` for null.
pub(crate) fn char_sequence_to_string(
    env: &mut Env<'_>,
    object: JObject<'_>,
) -> Result<Option<String>, JavaFailure> {
    if object.is_null() {
        return Ok(None);
    }
    let string = call_object(
        env,
        &object,
        jni_str!("toString"),
        &jni_sig!(() -> java.lang.String),
        &[],
    )?;
    to_string(env, string)
}
