use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::*;
use crate::call::CallOutcome;
use crate::phone::{Region, classify};
use crate::settings::Settings;

fn config(patch: serde_json::Value) -> Config {
    Settings {
        business_name: "Acme".into(),
        ..Settings::default()
    }
    .patched(&patch)
    .expect("patch")
    .validate()
    .expect("valid")
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn caller(raw: &str) -> Sender {
    classify(raw, Region::default())
}

// Monday 2026-11-02, 10:00 in New York.
const MONDAY_10: &str = "2026-11-02T15:00:00Z";

fn decide(c: &Config, outcome: CallOutcome, raw: &str, h: &NumberHistory) -> CallPlan {
    decide_call(c, outcome, &caller(raw), ts(MONDAY_10), h)
}

fn skip(r: SkipReason) -> CallPlan {
    CallPlan::Skip(r)
}

#[test]
fn non_trigger_outcomes_need_no_decision() {
    let c = config(json!({}));
    for o in [
        CallOutcome::Answered,
        CallOutcome::Blocked,
        CallOutcome::Outgoing,
    ] {
        assert_eq!(
            decide(&c, o, "", &NumberHistory::default()),
            CallPlan::NotApplicable
        );
    }
}

#[test]
fn each_rule_in_order() {
    let h = NumberHistory::default();
    let n = "+12125550123";
    let off = config(json!({"text_back": {"enabled": false}}));
    assert_eq!(
        decide(&off, CallOutcome::Missed, "private", &h),
        skip(SkipReason::Disabled)
    );
    let missed_only = config(json!({"text_back": {"triggers": ["missed"]}}));
    assert_eq!(
        decide(&missed_only, CallOutcome::Voicemail, "private", &h),
        skip(SkipReason::NotATrigger)
    );
    let c = config(json!({"block_list": [n]}));
    assert_eq!(
        decide(&c, CallOutcome::Missed, "private", &h),
        skip(SkipReason::WithheldNumber)
    );
    assert_eq!(
        decide(&c, CallOutcome::Missed, "22395", &h),
        skip(SkipReason::InvalidNumber)
    );
    assert_eq!(
        decide(&c, CallOutcome::Missed, "AMAZON", &h),
        skip(SkipReason::InvalidNumber)
    );
    let opted = NumberHistory {
        opted_out: true,
        ..h.clone()
    };
    assert_eq!(
        decide(&c, CallOutcome::Missed, "(212) 555-0123", &opted),
        skip(SkipReason::Blocked)
    );
    let plain = config(json!({"text_back": {"audience": "unknown_only"}}));
    let contact = NumberHistory {
        contact_name: Some("Ann".into()),
        opted_out: true,
        ..h.clone()
    };
    assert_eq!(
        decide(&plain, CallOutcome::Missed, n, &contact),
        skip(SkipReason::OptedOut)
    );
    // A pause (a likely opt-out waiting for a person) comes after an opt-out and before
    // the audience.
    let paused = NumberHistory {
        contact_name: Some("Ann".into()),
        paused: true,
        ..h.clone()
    };
    assert_eq!(
        decide(&plain, CallOutcome::Missed, n, &paused),
        skip(SkipReason::Paused)
    );
    assert_eq!(
        decide(
            &plain,
            CallOutcome::Missed,
            n,
            &NumberHistory {
                opted_out: true,
                ..paused.clone()
            }
        ),
        skip(SkipReason::OptedOut)
    );
    let contact = NumberHistory {
        contact_name: Some("Ann".into()),
        ..h.clone()
    };
    assert_eq!(
        decide(&plain, CallOutcome::Missed, n, &contact),
        skip(SkipReason::Contact)
    );
    let only = config(json!({"text_back": {"audience": "contacts_only"}}));
    assert_eq!(
        decide(&only, CallOutcome::Missed, n, &h),
        skip(SkipReason::NotContact)
    );
}

#[test]
fn cooldown_is_strictly_less_than_the_window() {
    let c = config(json!({"text_back": {"cooldown_hours": 24}}));
    let at = |s: &str| NumberHistory {
        last_text_back_at: Some(ts(s)),
        ..NumberHistory::default()
    };
    assert_eq!(
        decide(
            &c,
            CallOutcome::Missed,
            "+12125550123",
            &at("2026-11-01T15:00:00.001Z")
        ),
        skip(SkipReason::Cooldown)
    );
    assert!(matches!(
        decide(
            &c,
            CallOutcome::Missed,
            "+12125550123",
            &at("2026-11-01T15:00:00Z")
        ),
        CallPlan::TextBack { .. }
    ));
    let pending = NumberHistory {
        text_back_pending: true,
        ..NumberHistory::default()
    };
    let zero = config(json!({"text_back": {"cooldown_hours": 0}}));
    assert_eq!(
        decide(&zero, CallOutcome::Missed, "+12125550123", &pending),
        skip(SkipReason::Cooldown)
    );
    assert!(matches!(
        decide(
            &zero,
            CallOutcome::Missed,
            "+12125550123",
            &at("2026-11-02T14:59:59Z")
        ),
        CallPlan::TextBack { .. }
    ));
}

#[test]
fn quiet_window_after_a_text_exchange() {
    let c = config(json!({}));
    let h = |s: &str| NumberHistory {
        last_exchange_at: Some(ts(s)),
        ..NumberHistory::default()
    };
    assert_eq!(
        decide(
            &c,
            CallOutcome::Missed,
            "+12125550123",
            &h("2026-11-02T13:00:01Z")
        ),
        skip(SkipReason::InConversation)
    );
    assert!(matches!(
        decide(
            &c,
            CallOutcome::Missed,
            "+12125550123",
            &h("2026-11-02T13:00:00Z")
        ),
        CallPlan::TextBack { .. }
    ));
}

#[test]
fn template_follows_business_hours_and_delay() {
    let c = config(json!({"text_back": {"delay_seconds": 90}}));
    let h = NumberHistory::default();
    let d = decide_call(
        &c,
        CallOutcome::Rejected,
        &caller("+12125550123"),
        ts("2026-11-02T13:00:00Z"),
        &h,
    );
    assert_eq!(
        d,
        CallPlan::TextBack {
            due: ts("2026-11-02T13:01:30Z"),
            template: TextBackTemplate::BusinessHours
        }
    );
    let d = decide_call(
        &c,
        CallOutcome::Missed,
        &caller("+12125550123"),
        ts("2026-11-02T22:00:00Z"),
        &h,
    );
    assert!(matches!(
        d,
        CallPlan::TextBack {
            template: TextBackTemplate::AfterHours,
            ..
        }
    ));
}

#[test]
fn inbound_words() {
    let c = config(json!({"keyword_replies": [{"keyword": "Hours", "body": "8 to 5"}]}));
    for stop in [
        "STOP",
        "stop!",
        " Quit. ",
        "unsubscribe",
        "Cancel",
        "END",
        "stopall",
    ] {
        assert_eq!(read_inbound(&c, stop), InboundIntent::OptOut, "{stop}");
    }
    // STOP as the first word, the other opt-out words (English and Spanish) whole.
    for stop in [
        "stop please",
        "Stop texting me",
        "OPT OUT",
        "revoke",
        "¡Baja!",
        "parar",
    ] {
        assert_eq!(read_inbound(&c, stop), InboundIntent::OptOut, "{stop}");
    }
    for likely in [
        "don't text me again",
        "no me escribas más",
        "wrong number, stop",
    ] {
        assert_eq!(
            read_inbound(&c, likely),
            InboundIntent::LikelyOptOut,
            "{likely}"
        );
    }
    assert_eq!(
        read_inbound(&c, "cancel my appointment"),
        InboundIntent::Conversation
    );
    assert_eq!(read_inbound(&c, "Unstop"), InboundIntent::OptIn);
    assert_eq!(read_inbound(&c, "info?"), InboundIntent::Help);
    assert_eq!(
        read_inbound(&c, "hours?"),
        InboundIntent::Keyword("HOURS".into())
    );
    assert_eq!(
        read_inbound(&c, "my pipe burst 💧"),
        InboundIntent::Conversation
    );
}

#[test]
fn follow_up_waits_for_opening() {
    let c = config(json!({}));
    // Monday 16:00 local + 4h = 20:00 closed → Tuesday 08:00 local (13:00Z).
    let due = follow_up_due(
        &c,
        ts("2026-11-02T21:00:00Z"),
        SignedDuration::from_hours(4),
    );
    assert_eq!(due, ts("2026-11-03T13:00:00Z"));
    let due = follow_up_due(
        &c,
        ts("2026-11-02T14:00:00Z"),
        SignedDuration::from_hours(1),
    );
    assert_eq!(due, ts("2026-11-02T15:00:00Z"));
}

#[test]
fn the_text_back_body_is_the_template_the_hours_pick_rendered_for_the_caller() {
    let c = config(json!({"templates": {
        "business_hours": "Hi {first_name|there}, {business_name} here (open)",
        "after_hours": "Hi {first_name|there}, {business_name} here (closed)"
    }}));
    assert_eq!(
        text_back_body(&c, ts(MONDAY_10), Some("Dana Smith")),
        "Hi Dana, Acme here (open)"
    );
    // Monday 23:00 in New York.
    assert_eq!(
        text_back_body(&c, ts("2026-11-03T04:00:00Z"), None),
        "Hi there, Acme here (closed)"
    );
}

#[test]
fn a_call_missed_while_the_app_was_not_running_says_so() {
    assert_eq!(
        crate::call::CallDecision::Skipped(SkipReason::TooLate).describe(false),
        "missed while Ringback was not running"
    );
}
