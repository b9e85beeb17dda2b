//! The call log: `CallLog.Calls` rows to [`EndedCall`]s.

use jiff::Timestamp;
use jni::objects::JObject;
use jni::{Env, jni_sig, jni_str};
use ringback_core::call::{CallOutcome, EndedCall};

use super::cursor::{self, Query};
use super::java::{self, JavaFailure};
use super::subscriptions::{Subscription, line_for_account};

/// `_ID`, `NUMBER`, `TYPE`, `DATE`, `DURATION` (API 1) and `PHONE_ACCOUNT_ID` (API 21).
const PROJECTION: [&str; 6] = [
    "_id",
    "number",
    "type",
    "date",
    "duration",
    "subscription_id",
];

/// A call-log row as the provider has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallRow {
    pub id: i64,
    pub number: Option<String>,
    pub kind: Option<i32>,
    pub date_ms: Option<i64>,
    pub duration_s: Option<i64>,
    pub account: Option<String>,
}

/// Rows with `_id` above `after` (all when `None`), in `_id` order; `Ok(None)` when the call
/// log provider is missing. Reads `CallLog.Calls.CONTENT_URI` (API 1).
pub(crate) fn rows_since(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    after: Option<i64>,
) -> Result<Option<Vec<CallRow>>, JavaFailure> {
    let calls = java::find_class(env, jni_str!("android/provider/CallLog$Calls"))?;
    let uri = java::static_object(
        env,
        &calls,
        jni_str!("CONTENT_URI"),
        &jni_sig!(android.net.Uri),
    )?;
    let query = Query::since(&PROJECTION, after);
    cursor::query(env, context, &uri, &query, |env, row| {
        let Some(id) = row.long(env, 0)? else {
            return Ok(None);
        };
        Ok(Some(CallRow {
            id,
            number: row.string(env, 1)?,
            kind: row.int(env, 2)?,
            date_ms: row.long(env, 3)?,
            duration_s: row.long(env, 4)?,
            account: row.string(env, 5)?,
        }))
    })
}

/// `CallLog.Calls.TYPE` to an outcome; `None` for a type this code does not know (OEMs add
/// their own): such rows are left out of what the engine sees. The engine's cursor then
/// passes them with the next known row; until then the row is read again and left out again.
pub(crate) fn outcome(kind: i32) -> Option<CallOutcome> {
    match kind {
        // INCOMING_TYPE (API 1).
        1 => Some(CallOutcome::Answered),
        // OUTGOING_TYPE (API 1).
        2 => Some(CallOutcome::Outgoing),
        // MISSED_TYPE (API 1).
        3 => Some(CallOutcome::Missed),
        // VOICEMAIL_TYPE (API 21).
        4 => Some(CallOutcome::Voicemail),
        // REJECTED_TYPE (API 24).
        5 => Some(CallOutcome::Rejected),
        // BLOCKED_TYPE (API 24).
        6 => Some(CallOutcome::Blocked),
        // ANSWERED_EXTERNALLY_TYPE (API 25): answered on another device of the owner's.
        7 => Some(CallOutcome::Answered),
        _ => None,
    }
}

/// A row as the engine's [`EndedCall`]; `None` (logged at debug) when the row cannot be one:
/// an unknown type, or no usable date. `ended_at` is `DATE` (the call's start, ms) plus
/// `DURATION` (seconds); a null number (a private caller) is the empty string.
pub(crate) fn ended_call(row: &CallRow, subscriptions: &[Subscription]) -> Option<EndedCall> {
    let Some(outcome) = row.kind.and_then(outcome) else {
        tracing::debug!(
            "call log row {} has type {:?}, which Ringback does not know; left out",
            row.id,
            row.kind
        );
        return None;
    };
    let ended_ms = row
        .date_ms
        .and_then(|date| date.checked_add(row.duration_s.unwrap_or(0).max(0).checked_mul(1000)?));
    let Some(ended_at) = ended_ms.and_then(|ms| Timestamp::from_millisecond(ms).ok()) else {
        tracing::debug!("call log row {} has no usable date; left out", row.id);
        return None;
    };
    Some(EndedCall {
        log_id: row.id,
        number: row.number.clone().unwrap_or_default(),
        outcome,
        line: row
            .account
            .as_deref()
            .map(|account| line_for_account(account, subscriptions))
            .unwrap_or_default(),
        ended_at,
    })
}

/// Whether any row names its line in a way only the SIM list can turn into a subscription
/// id (an ICCID rather than a small decimal id).
pub(crate) fn needs_subscriptions(rows: &[CallRow]) -> bool {
    rows.iter()
        .filter_map(|row| row.account.as_deref())
        .any(|account| !account.trim().is_empty() && account.trim().parse::<i32>().is_err())
}

#[cfg(test)]
mod tests {
    use ringback_core::call::Line;

    use super::*;

    fn row(kind: i32) -> CallRow {
        CallRow {
            id: 7,
            number: None,
            kind: Some(kind),
            date_ms: Some(1_700_000_000_000),
            duration_s: Some(42),
            account: Some("3".into()),
        }
    }

    #[test]
    fn every_framework_type_has_an_outcome_and_others_are_left_out() {
        let outcomes: Vec<_> = (1..=7).map(outcome).collect();
        assert!(outcomes.iter().all(Option::is_some));
        assert_eq!(outcome(0), None);
        assert_eq!(outcome(8), None);
        assert_eq!(ended_call(&row(100), &[]), None);
    }

    #[test]
    fn ends_at_start_plus_duration_and_a_private_caller_is_empty() {
        let call = ended_call(&row(3), &[]).expect("a missed call");
        assert_eq!(call.ended_at.as_millisecond(), 1_700_000_042_000);
        assert_eq!(call.number, "");
        assert_eq!(call.line, Line("3".into()));
    }

    #[test]
    fn a_row_without_a_date_is_left_out() {
        let mut undated = row(3);
        undated.date_ms = None;
        assert_eq!(ended_call(&undated, &[]), None);
    }
}
