//! The SIMs: `SubscriptionManager` (API 22), and turning the call log's account ids into
//! subscription ids.

use jni::objects::JObject;
use jni::{Env, JValue, jni_sig, jni_str};
use ringback_core::call::Line;

use super::SimLine;
use super::java::{self, JavaFailure, call, call_object};

/// An active SIM, with its ICCID when Android shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subscription {
    pub line: SimLine,
    /// `SubscriptionInfo.getIccId()` (API 22); empty from API 29 on unless the app has
    /// carrier privileges, so usually `None` on current phones.
    pub icc_id: Option<String>,
}

/// `SubscriptionManager.from(Context)` (API 22) `.getActiveSubscriptionInfoList()` (API 22,
/// needs READ_PHONE_STATE; null when no SIM is active), each `SubscriptionInfo` read with
/// `getSubscriptionId()`, `getSimSlotIndex()`, `getDisplayName()` and `getIccId()` (API 22).
pub(crate) fn active(
    env: &mut Env<'_>,
    context: &JObject<'_>,
) -> Result<Vec<Subscription>, JavaFailure> {
    let class = java::find_class(env, jni_str!("android/telephony/SubscriptionManager"))?;
    let manager = java::call_static_object(
        env,
        &class,
        jni_str!("from"),
        &jni_sig!((context: android.content.Context) -> android.telephony.SubscriptionManager),
        &[JValue::from(context)],
    )?;
    if manager.is_null() {
        return Err(JavaFailure::Jni(
            "SubscriptionManager.from returned null".to_owned(),
        ));
    }
    let list = call_object(
        env,
        &manager,
        jni_str!("getActiveSubscriptionInfoList"),
        &jni_sig!(() -> java.util.List),
        &[],
    )?;
    if list.is_null() {
        return Ok(Vec::new());
    }
    let size = call(env, &list, jni_str!("size"), &jni_sig!(() -> jint), &[])?.i()?;
    let mut subscriptions = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    for index in 0..size {
        let subscription = env.with_local_frame(8, |env| -> Result<_, JavaFailure> {
            let info = call_object(
                env,
                &list,
                jni_str!("get"),
                &jni_sig!((index: jint) -> java.lang.Object),
                &[JValue::Int(index)],
            )?;
            if info.is_null() {
                return Ok(None);
            }
            let subscription_id = call(
                env,
                &info,
                jni_str!("getSubscriptionId"),
                &jni_sig!(() -> jint),
                &[],
            )?
            .i()?;
            let slot = call(
                env,
                &info,
                jni_str!("getSimSlotIndex"),
                &jni_sig!(() -> jint),
                &[],
            )?
            .i()?;
            let name = call_object(
                env,
                &info,
                jni_str!("getDisplayName"),
                &jni_sig!(() -> java.lang.CharSequence),
                &[],
            )?;
            let display_name = java::char_sequence_to_string(env, name)?.unwrap_or_default();
            let icc_id = call_object(
                env,
                &info,
                jni_str!("getIccId"),
                &jni_sig!(() -> java.lang.String),
                &[],
            )?;
            let icc_id = java::to_string(env, icc_id)?.filter(|id| !id.trim().is_empty());
            Ok(Some(Subscription {
                line: SimLine {
                    subscription_id,
                    slot,
                    display_name,
                },
                icc_id,
            }))
        })?;
        subscriptions.extend(subscription);
    }
    Ok(subscriptions)
}

/// The call log's `PHONE_ACCOUNT_ID` as a line. Usually it is the subscription id in decimal
/// and stays as it is; some phones write the SIM's ICCID instead, which becomes the
/// subscription id of the SIM with that ICCID when Android shows ICCIDs, and otherwise stays
/// as it is (a line of its own).
pub(crate) fn line_for_account(account: &str, subscriptions: &[Subscription]) -> Line {
    let account = account.trim();
    if account.parse::<i32>().is_ok() {
        return Line(account.to_owned());
    }
    match by_icc_id(account, subscriptions) {
        Some(subscription_id) => Line(subscription_id.to_string()),
        None => Line(account.to_owned()),
    }
}

/// The subscription a line names: its decimal id when that SIM is active, or the SIM whose
/// ICCID it is; `None` when no active SIM matches.
pub(crate) fn subscription_for_line(name: &str, subscriptions: &[Subscription]) -> Option<i32> {
    let name = name.trim();
    if let Ok(id) = name.parse::<i32>() {
        return subscriptions
            .iter()
            .any(|s| s.line.subscription_id == id)
            .then_some(id);
    }
    by_icc_id(name, subscriptions)
}

/// ICCIDs compare without case and without the filler `F` some phones append.
fn by_icc_id(text: &str, subscriptions: &[Subscription]) -> Option<i32> {
    fn normal(id: &str) -> String {
        id.trim().trim_end_matches(['f', 'F']).to_ascii_lowercase()
    }
    let wanted = normal(text);
    if wanted.is_empty() {
        return None;
    }
    subscriptions
        .iter()
        .find(|s| s.icc_id.as_deref().is_some_and(|id| normal(id) == wanted))
        .map(|s| s.line.subscription_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(id: i32, icc_id: Option<&str>) -> Subscription {
        Subscription {
            line: SimLine {
                subscription_id: id,
                slot: 0,
                display_name: String::new(),
            },
            icc_id: icc_id.map(str::to_owned),
        }
    }

    #[test]
    fn an_iccid_becomes_the_subscription_id_when_android_shows_it() {
        let sims = [sim(1, None), sim(4, Some("8944110068256270054"))];
        assert_eq!(line_for_account("2", &sims), Line("2".into()));
        assert_eq!(
            line_for_account("8944110068256270054F", &sims),
            Line("4".into())
        );
        assert_eq!(
            line_for_account("8901260000000000001", &sims),
            Line("8901260000000000001".into())
        );
    }

    #[test]
    fn a_line_names_an_active_sim_or_none() {
        let sims = [sim(1, None), sim(4, Some("8944110068256270054"))];
        assert_eq!(subscription_for_line("4", &sims), Some(4));
        assert_eq!(subscription_for_line("8944110068256270054", &sims), Some(4));
        assert_eq!(subscription_for_line("9", &sims), None);
        assert_eq!(subscription_for_line("work", &sims), None);
    }
}
