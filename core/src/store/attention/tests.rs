use jiff::Timestamp;

use super::*;
use crate::assistant::{AssistantStatus, PERSON_REPLIED};
use crate::call::Line;
use crate::message::{Direction, Failure, MessageKind, MessageStatus, SendError};
use crate::oplog::op::Field;
use crate::outbound::HoldReason;
use crate::store::{MessageId, NewMessage, Store};

const MIN: i64 = 60_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(1_700_000_000_000 + ms).expect("time")
}

fn message(
    store: &mut Store,
    number: &str,
    kind: MessageKind,
    status: MessageStatus,
    t: i64,
) -> (ConversationId, MessageId) {
    let when = at(t);
    store
        .write(when, "test", |tx| {
            let c = tx.touch_conversation(&Line("sim1".into()), number, when)?;
            let failure =
                (status == MessageStatus::Failed).then_some(Failure::NotSent(SendError::NoService));
            let direction = if kind == MessageKind::Inbound {
                Direction::Inbound
            } else {
                Direction::Outbound
            };
            let id = tx.insert_message(&NewMessage {
                conversation_id: c,
                direction,
                kind,
                body: "hello",
                status,
                created_at: when,
                due_at: (status == MessageStatus::Queued).then_some(when),
                left_at: None,
                source_id: None,
                failure,
            })?;
            Ok((c, id.expect("new")))
        })
        .expect("write")
}

fn set_assistant(
    store: &mut Store,
    c: ConversationId,
    status: AssistantStatus,
    reason: &str,
    t: i64,
) {
    store
        .write(at(t), "test", |tx| {
            tx.set_field(
                c,
                Field::Assistant(AssistantState {
                    status,
                    reason: reason.into(),
                    at_ms: at(t).as_millisecond(),
                }),
            )
        })
        .expect("write");
}

#[test]
fn a_failed_text_back_needs_attention_until_someone_texts_the_caller() {
    let mut store = Store::open_in_memory().expect("store");
    let (c, failed) = message(
        &mut store,
        "+12125550101",
        MessageKind::TextBack,
        MessageStatus::Failed,
        0,
    );
    // A text-back that went, elsewhere, is no alert.
    message(
        &mut store,
        "+12125550102",
        MessageKind::TextBack,
        MessageStatus::Sent,
        0,
    );
    let seen = store.reader().attention(at(MIN)).expect("attention");
    assert_eq!(seen.failed_text_backs.len(), 1, "{seen:?}");
    assert_eq!(seen.failed_text_backs[0].message.id, failed);
    assert_eq!(seen.failed_text_backs[0].number, "+12125550101");
    assert_eq!(
        seen.failed_text_backs[0].message.failure,
        Some(Failure::NotSent(SendError::NoService))
    );
    // A reply that failed too leaves it in need.
    message(
        &mut store,
        "+12125550101",
        MessageKind::Reply,
        MessageStatus::Failed,
        MIN,
    );
    assert_eq!(
        store
            .reader()
            .attention(at(2 * MIN))
            .expect("a")
            .failed_text_backs
            .len(),
        1
    );
    // A reply that went resolves it.
    message(
        &mut store,
        "+12125550101",
        MessageKind::Reply,
        MessageStatus::Sent,
        2 * MIN,
    );
    assert!(
        store
            .reader()
            .attention(at(3 * MIN))
            .expect("a")
            .failed_text_backs
            .is_empty()
    );
    let _ = c;
}

#[test]
fn an_archived_or_old_failure_is_history() {
    let mut store = Store::open_in_memory().expect("store");
    let (c, _) = message(
        &mut store,
        "+12125550101",
        MessageKind::TextBack,
        MessageStatus::Failed,
        0,
    );
    let week = FAILED_TEXT_BACK_WINDOW_MS;
    assert_eq!(
        store
            .reader()
            .attention(at(week))
            .expect("a")
            .failed_text_backs
            .len(),
        1
    );
    assert!(
        store
            .reader()
            .attention(at(week + 1))
            .expect("a")
            .failed_text_backs
            .is_empty()
    );
    store
        .write(at(MIN), "test", |tx| tx.set_field(c, Field::Archived(true)))
        .expect("archive");
    assert!(
        store
            .reader()
            .attention(at(MIN))
            .expect("a")
            .failed_text_backs
            .is_empty()
    );
}

#[test]
fn texts_held_by_the_volume_limit_are_counted_and_clear_when_they_leave() {
    let mut store = Store::open_in_memory().expect("store");
    let (_, a) = message(
        &mut store,
        "+12125550101",
        MessageKind::TextBack,
        MessageStatus::Queued,
        0,
    );
    let (_, b) = message(
        &mut store,
        "+12125550102",
        MessageKind::TextBack,
        MessageStatus::Queued,
        0,
    );
    let (_, budget) = message(
        &mut store,
        "+12125550103",
        MessageKind::Reply,
        MessageStatus::Queued,
        0,
    );
    assert_eq!(
        store.reader().attention(at(0)).expect("a").volume_hold,
        None
    );
    store
        .write(at(0), "test", |tx| {
            tx.hold_message(a, HoldReason::VolumeLimit, at(10 * MIN))?;
            tx.hold_message(b, HoldReason::VolumeLimit, at(20 * MIN))?;
            tx.hold_message(budget, HoldReason::ReplyBudget, at(30 * MIN))?;
            Ok(())
        })
        .expect("hold");
    let hold = store
        .reader()
        .attention(at(0))
        .expect("a")
        .volume_hold
        .expect("held");
    assert_eq!(hold.count, 2, "the reply budget is not the volume limit");
    assert_eq!(hold.until_ms, Some(at(20 * MIN).as_millisecond()));
    store
        .write(at(MIN), "test", |tx| {
            tx.advance_status(a, MessageStatus::Sending, None, Some(at(MIN)))?;
            tx.advance_status(b, MessageStatus::Sending, None, Some(at(MIN)))?;
            Ok(())
        })
        .expect("leave");
    assert_eq!(
        store.reader().attention(at(MIN)).expect("a").volume_hold,
        None
    );
}

#[test]
fn a_conversation_handed_to_the_team_needs_attention_until_a_person_answers() {
    let mut store = Store::open_in_memory().expect("store");
    let (asked, _) = message(
        &mut store,
        "+12125550101",
        MessageKind::Inbound,
        MessageStatus::Received,
        0,
    );
    let (failed, _) = message(
        &mut store,
        "+12125550102",
        MessageKind::Inbound,
        MessageStatus::Received,
        0,
    );
    let (taken, _) = message(
        &mut store,
        "+12125550103",
        MessageKind::Inbound,
        MessageStatus::Received,
        0,
    );
    let (answered, _) = message(
        &mut store,
        "+12125550104",
        MessageKind::Inbound,
        MessageStatus::Received,
        0,
    );
    set_assistant(
        &mut store,
        asked,
        AssistantStatus::HandedOff,
        "the caller asked for a person",
        MIN,
    );
    set_assistant(
        &mut store,
        failed,
        AssistantStatus::NeedsTeam,
        "the assistant's service did not answer",
        MIN,
    );
    set_assistant(
        &mut store,
        taken,
        AssistantStatus::HandedOff,
        PERSON_REPLIED,
        MIN,
    );
    set_assistant(
        &mut store,
        answered,
        AssistantStatus::Answered,
        "it answered",
        MIN,
    );
    let seen = store
        .reader()
        .attention(at(2 * MIN))
        .expect("a")
        .handed_to_team;
    let ids: Vec<ConversationId> = seen.iter().map(|h| h.conversation).collect();
    assert_eq!(ids, vec![failed, asked], "{seen:?}");
    assert_eq!(seen[1].number, "+12125550101");
    // In suggest mode a reply leaves the state as it was: the reply answers it.
    message(
        &mut store,
        "+12125550102",
        MessageKind::Reply,
        MessageStatus::Sent,
        2 * MIN,
    );
    let seen = store
        .reader()
        .attention(at(3 * MIN))
        .expect("a")
        .handed_to_team;
    assert_eq!(seen.len(), 1);
    // In auto mode a reply makes the state "a person replied".
    set_assistant(
        &mut store,
        asked,
        AssistantStatus::HandedOff,
        PERSON_REPLIED,
        3 * MIN,
    );
    assert!(
        store
            .reader()
            .attention(at(4 * MIN))
            .expect("a")
            .handed_to_team
            .is_empty()
    );
}

#[test]
fn the_alert_queries_use_their_indexes() {
    let store = Store::open_in_memory().expect("store");
    let plan = |sql: &str| -> String {
        let mut stmt = store
            .connection()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("plan");
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        rows.join("\n")
    };
    let failed = plan(
        "SELECT id FROM messages WHERE kind = 'text_back' AND status = 'failed' AND created_at >= 0",
    );
    assert!(failed.contains("messages_failed_text_backs"), "{failed}");
    let team = plan(
        "SELECT id FROM conversations
         WHERE (CASE WHEN json_valid(assistant) AND json_extract(assistant, '$.reason') <> 'a person replied'
                     THEN json_extract(assistant, '$.status') END) IN ('needs_team', 'handed_off')
           AND archived = 0",
    );
    assert!(team.contains("conversations_awaiting_team"), "{team}");
    let held =
        plan("SELECT count(*) FROM messages WHERE status = 'queued' AND hold = 'volume_limit'");
    assert!(held.contains("messages_queued"), "{held}");
}

#[test]
fn a_state_that_is_not_json_neither_fails_the_write_nor_alerts() {
    let mut store = Store::open_in_memory().expect("store");
    let (c, _) = message(
        &mut store,
        "+12125550101",
        MessageKind::Inbound,
        MessageStatus::Received,
        0,
    );
    store
        .connection()
        .execute(
            "UPDATE conversations SET assistant = '{not json' WHERE id = ?1",
            [c.0],
        )
        .expect("the index skips it");
    assert!(
        store
            .reader()
            .attention(at(0))
            .expect("a")
            .handed_to_team
            .is_empty()
    );
}
