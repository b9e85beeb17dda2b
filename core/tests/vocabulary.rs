//! What happened to a call and a message is typed: rows and ops of earlier versions, which
//! said it in strings (a decision's name, a failure in words), still read into the types;
//! and the typed values are stored and synced under the names those versions used.

use jiff::Timestamp;
use ringback_core::message::SendError;
use ringback_core::oplog::op::{Op, Role};
use ringback_core::outbound::RefusalReason;
use ringback_core::store::{ConversationId, MessageId, Source};
use ringback_core::{CallDecision, Failure, Line, MessageStatus, SkipReason, Store};

const PHONE: &str = "phone-origin";

fn now() -> Timestamp {
    "2026-11-02T15:00:00Z".parse().expect("timestamp")
}

fn desktop() -> Store {
    let store = Store::open_in_memory().expect("store");
    store.set_phone_origin(PHONE).expect("phone origin");
    store
}

/// A day of a phone of an earlier version, as its ops were written: decisions and skip
/// reasons as names, failures in words only (no `failure_kind`).
const EARLIER_OPS: &str = r#"[
 {"origin": "phone-origin", "seq": 1, "hlc": {"millis": 1793631600000, "counter": 0}, "changes": [
  {"conversation": {"id": 1, "line": "sim1", "number": "+12125550123", "at": 1793631600000}},
  {"call": {"id": 1, "log_id": 1, "conversation": 1, "caller": "+12125550123", "number": "+12125550123", "line": "sim1", "outcome": "missed", "ended_at": 1793631600000, "decision": "text_back", "skip_reason": null}},
  {"message": {"id": 1, "conversation": 1, "direction": "outbound", "kind": "text_back", "body": "Sorry we missed you", "status": "queued", "failure": null, "created_at": 1793631600000, "due_at": 1793631660000, "left_at": null, "source_id": null}},
  {"call_linked": {"call": 1, "message": 1}},
  {"call": {"id": 2, "log_id": 2, "conversation": 1, "caller": "+12125550123", "number": "+12125550123", "line": "sim1", "outcome": "voicemail", "ended_at": 1793631610000, "decision": "skipped", "skip_reason": "cooldown"}},
  {"call": {"id": 3, "log_id": 3, "conversation": 1, "caller": "+12125550123", "number": "+12125550123", "line": "sim1", "outcome": "answered", "ended_at": 1793631620000, "decision": null, "skip_reason": null}}
 ]},
 {"origin": "phone-origin", "seq": 2, "hlc": {"millis": 1793631630000, "counter": 0}, "changes": [
  {"status": {"id": 1, "status": "cancelled", "failure": "resolved_by_call", "left_at": null}},
  {"call_skipped": {"message": 1, "reason": "resolved_by_call"}}
 ]},
 {"origin": "phone-origin", "seq": 3, "hlc": {"millis": 1793631640000, "counter": 0}, "changes": [
  {"message": {"id": 2, "conversation": 1, "direction": "outbound", "kind": "reply", "body": "On our way", "status": "failed", "failure": "expired: this reply reached the phone more than 24 hours after it was written, so it was not sent; send it again if it still applies", "created_at": 1793631640000, "due_at": null, "left_at": null, "source_id": "d:r1"}},
  {"message": {"id": 3, "conversation": 1, "direction": "outbound", "kind": "reply", "body": "Hello?", "status": "queued", "failure": null, "created_at": 1793631640000, "due_at": 1793631640000, "left_at": null, "source_id": "d:r2"}},
  {"status": {"id": 3, "status": "sending", "failure": null, "left_at": 1793631640000}},
  {"status": {"id": 3, "status": "failed", "failure": "the phone's radio is off (airplane mode?); turn it on and resend", "left_at": null}},
  {"message": {"id": 4, "conversation": 1, "direction": "outbound", "kind": "reply", "body": "Hi", "status": "failed", "failure": "not sent: this number texted STOP; it can be texted again after it texts START", "created_at": 1793631640000, "due_at": null, "left_at": null, "source_id": "d:r3"}}
 ]}
]"#;

#[test]
fn ops_of_an_earlier_version_apply_and_read_as_types() {
    let ops: Vec<Op> = serde_json::from_str(EARLIER_OPS).expect("the earlier ops decode");
    let mut desk = desktop();
    let report = desk
        .apply_remote(
            &ops,
            Source {
                origin: PHONE,
                role: Role::Phone,
            },
            now(),
        )
        .expect("the earlier ops apply");
    assert_eq!(report.applied, 3);

    let reader = desk.reader();
    assert_eq!(
        reader.call_decision(1).expect("read"),
        Some(CallDecision::Skipped(SkipReason::ResolvedByCall)),
        "the cancelled text-back turned its call into a skip"
    );
    assert_eq!(
        reader.call_decision(2).expect("read"),
        Some(CallDecision::Skipped(SkipReason::Cooldown))
    );
    assert_eq!(reader.call_decision(3).expect("read"), None);
    assert!(reader.is_call_recorded(3).expect("read"));

    let failure = |id| {
        reader
            .message(MessageId(id))
            .expect("read")
            .expect("message")
            .failure
    };
    assert_eq!(
        failure(1),
        Some(Failure::Cancelled(SkipReason::ResolvedByCall))
    );
    assert_eq!(failure(2), Some(Failure::Expired { hours: 24 }));
    assert_eq!(failure(3), Some(Failure::NotSent(SendError::RadioOff)));
    assert_eq!(failure(4), Some(Failure::Refused(RefusalReason::OptedOut)));

    // Stored as the ops carried them: the words, and no kind.
    let (words, kind): (String, Option<String>) = desk
        .connection()
        .query_row(
            "SELECT failure, failure_kind FROM messages WHERE id = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("row");
    assert!(words.starts_with("expired: "), "{words}");
    assert_eq!(kind, None);
}

/// Rows an earlier version wrote (words in `failure`, no `failure_kind`) read into kinds,
/// and calls keep their decision under the names it always had.
#[test]
fn rows_of_an_earlier_version_read_as_types() {
    let mut store = Store::open_in_memory().expect("store");
    let conversation: ConversationId = store
        .write(now(), "test", |tx| {
            tx.touch_conversation(&Line("sim1".into()), "+12125550123", now())
        })
        .expect("conversation");
    let conn = store.connection();
    for (id, status, words) in [
        (
            1,
            "unconfirmed",
            "the phone stopped while this text was being sent; check with the caller before sending it again",
        ),
        (
            2,
            "failed",
            "the network could not deliver the text; the number may be a landline or switched off",
        ),
        (3, "cancelled", "the caller was already in touch"),
        (4, "failed", "expired: the caller's plan, we think"),
    ] {
        conn.execute(
            "INSERT INTO messages (id, conversation_id, direction, kind, body, status, failure,
                                   created_at)
             VALUES (?1, ?2, 'outbound', 'reply', 'x', ?3, ?4, 0)",
            rusqlite::params![id, conversation.0, status, words],
        )
        .expect("an earlier version's row");
    }
    conn.execute(
        "INSERT INTO calls (id, log_id, conversation_id, caller, number, line, outcome, ended_at,
                            decision, skip_reason)
         VALUES (1, 7, ?1, '+12125550123', '+12125550123', 'sim1', 'missed', 0, 'skipped',
                 'premium_rate')",
        [conversation.0],
    )
    .expect("an earlier version's call");

    let page = store.thread_page(conversation, None, 10).expect("page");
    let by_id = |id: i64| {
        page.iter()
            .find(|m| m.id.0 == id)
            .expect("in the page")
            .failure
            .clone()
    };
    assert_eq!(by_id(1), Some(Failure::Unconfirmed));
    assert_eq!(by_id(2), Some(Failure::NotDelivered));
    assert_eq!(
        by_id(3),
        Some(Failure::Cancelled(SkipReason::InConversation))
    );
    assert_eq!(
        by_id(4),
        Some(Failure::Other(
            "expired: the caller's plan, we think".into()
        )),
        "words that only start like an expiry are no expiry"
    );
    assert_eq!(
        store.reader().call_decision(7).expect("read"),
        Some(CallDecision::Skipped(SkipReason::PremiumRate))
    );
    let calls = store.missed_calls_page(None, 10).expect("calls");
    assert_eq!(
        calls[0].decision,
        Some(CallDecision::Skipped(SkipReason::PremiumRate))
    );
}

/// What a phone of this version writes: the decision under the names earlier versions
/// used, the failure in words (as before) with its kind beside them, and ops that carry the
/// kind to a desktop, which stores and reads the same.
#[test]
fn this_version_stores_and_syncs_the_kind_beside_the_words() {
    let mut phone = Store::open_in_memory().expect("store");
    let origin = phone.origin().to_string();
    phone.set_phone_origin(&origin).expect("phone origin");
    let call = ringback_core::EndedCall {
        log_id: 9,
        number: "+12125550123".into(),
        outcome: ringback_core::CallOutcome::Missed,
        line: Line("sim1".into()),
        ended_at: now(),
    };
    let failed = phone
        .write(now(), "test", |tx| {
            let conversation = tx.touch_conversation(&call.line, "+12125550123", now())?;
            tx.insert_call(
                &call,
                Some("+12125550123"),
                Some(conversation),
                Some(CallDecision::Skipped(SkipReason::NotContact)),
            )?;
            tx.insert_message(&ringback_core::store::NewMessage {
                conversation_id: conversation,
                direction: ringback_core::Direction::Outbound,
                kind: ringback_core::MessageKind::Reply,
                body: "Hi",
                status: MessageStatus::Failed,
                created_at: now(),
                due_at: None,
                left_at: None,
                source_id: Some("d:r9"),
                failure: Some(Failure::Expired { hours: 48 }),
            })
        })
        .expect("written")
        .expect("a new message");
    let (decision, reason, words, kind): (String, String, String, String) = phone
        .connection()
        .query_row(
            "SELECT k.decision, k.skip_reason, m.failure, m.failure_kind
             FROM calls k, messages m WHERE m.id = ?1",
            [failed.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("row");
    assert_eq!(
        (decision.as_str(), reason.as_str()),
        ("skipped", "not_contact")
    );
    assert!(
        words.starts_with("expired: ") && words.contains("48 hours"),
        "{words}"
    );
    assert_eq!(kind, r#"{"expired":{"hours":48}}"#);

    let ops = phone.ops_after(&Default::default(), 100).expect("ops");
    let wire = serde_json::to_string(&ops).expect("encode");
    assert!(
        wire.contains(r#""decision":"skipped","skip_reason":"not_contact""#),
        "{wire}"
    );
    assert!(
        wire.contains(r#""failure_kind":{"expired":{"hours":48}}"#),
        "{wire}"
    );

    let mut desk = Store::open_in_memory().expect("store");
    desk.set_phone_origin(&origin).expect("phone origin");
    let ops: Vec<Op> = serde_json::from_str(&wire).expect("decode");
    desk.apply_remote(
        &ops,
        Source {
            origin: &origin,
            role: Role::Phone,
        },
        now(),
    )
    .expect("applied");
    assert_eq!(
        desk.reader()
            .message(failed)
            .expect("read")
            .expect("message")
            .failure,
        Some(Failure::Expired { hours: 48 })
    );
    assert_eq!(
        desk.digest().expect("digest"),
        phone.digest().expect("digest")
    );
}

/// Ops as a peer sends them: decoded, then applied to a desktop; `Err` when either refuses.
fn apply_json(desk: &mut Store, ops: &str) -> Result<(), String> {
    let ops: Vec<Op> = serde_json::from_str(ops).map_err(|e| e.to_string())?;
    let phone = Source {
        origin: PHONE,
        role: Role::Phone,
    };
    desk.apply_remote(&ops, phone, now())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// One op with a conversation and `change`.
fn one_op(change: &str) -> String {
    format!(
        r#"[{{"origin": "phone-origin", "seq": 1, "hlc": {{"millis": 1793631600000, "counter": 0}}, "changes": [
          {{"conversation": {{"id": 1, "line": "sim1", "number": "+12125550123", "at": 1793631600000}}}},
          {change}]}}]"#
    )
}

fn failed_message(failure: &str) -> String {
    one_op(&format!(
        r#"{{"message": {{"id": 1, "conversation": 1, "direction": "outbound", "kind": "reply", "body": "x", "status": "failed", "failure": {failure}, "created_at": 0, "due_at": null, "left_at": null, "source_id": null}}}}"#
    ))
}

fn call(decision: &str, reason: &str) -> String {
    one_op(&format!(
        r#"{{"call": {{"id": 1, "log_id": 1, "conversation": 1, "caller": "+12125550123", "number": "+12125550123", "line": "sim1", "outcome": "missed", "ended_at": 0, "decision": {decision}, "skip_reason": {reason}}}}}"#
    ))
}

/// A failure's words from a peer are bounded like every other text in an op.
#[test]
fn a_failure_from_a_peer_is_bounded() {
    let mut desk = desktop();
    let long = format!("\"{}\"", "a".repeat(70_000));
    let error = apply_json(&mut desk, &failed_message(&long)).expect_err("too long");
    assert!(error.contains("longer than"), "{error}");
    assert!(desk.reader().message(MessageId(1)).expect("read").is_none());
    apply_json(&mut desk, &failed_message(r#""no service""#)).expect("short words apply");
}

/// A call's decision from a peer is one of the closed set, whole: a reason that is none of
/// the skip reasons, a skip without a reason or a text-back with one are refused.
#[test]
fn a_decision_from_a_peer_is_whole() {
    let mut desk = desktop();
    for (decision, reason) in [
        (r#""skipped""#, r#""because""#),
        (r#""skipped""#, "null"),
        (r#""text_back""#, r#""cooldown""#),
        (r#""maybe""#, "null"),
        ("null", r#""cooldown""#),
    ] {
        assert!(
            apply_json(&mut desk, &call(decision, reason)).is_err(),
            "{decision} {reason} was taken"
        );
    }
    apply_json(&mut desk, &call(r#""skipped""#, r#""cooldown""#)).expect("a whole decision");
}

/// A kind without its words is refused, and so is a kind whose words are too long.
#[test]
fn a_failure_kind_comes_with_its_words_and_is_bounded() {
    let with_kind = |failure: &str, kind: &str| {
        one_op(&format!(
            r#"{{"message": {{"id": 1, "conversation": 1, "direction": "outbound", "kind": "reply", "body": "x", "status": "failed", "failure": {failure}, "failure_kind": {kind}, "created_at": 0, "due_at": null, "left_at": null, "source_id": null}}}}"#
        ))
    };
    let mut desk = desktop();
    let error =
        apply_json(&mut desk, &with_kind("null", r#""unconfirmed""#)).expect_err("no words");
    assert!(error.contains("without saying it"), "{error}");
    let long = format!("\"{}\"", "a".repeat(70_000));
    let error = apply_json(
        &mut desk,
        &with_kind(r#""x""#, &format!(r#"{{"other": {long}}}"#)),
    )
    .expect_err("too long");
    assert!(error.contains("longer than"), "{error}");
    assert!(desk.reader().message(MessageId(1)).expect("read").is_none());
}
