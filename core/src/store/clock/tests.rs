//! A wrong date on one device: its ops are quarantined, not refused; it recovers by itself;
//! its future stamps never beat later writes.

use jiff::{SignedDuration, Timestamp};
use rusqlite::OptionalExtension;

use crate::call::Line;
use crate::engine::{Engine, Outcome};
use crate::message::Failure;
use crate::oplog::hlc::{Hlc, MAX_DRIFT_MILLIS};
use crate::oplog::op::{Change, Field, Op, Role};
use crate::oplog::version::VersionVector;
use crate::ports::Ports;
use crate::ports::memory::{ManualClock, MemoryCallLog, MemoryContacts, MemoryTelephony};
use crate::settings::Settings;
use crate::store::{ApplyError, ConversationId, PeerRecord, Source, Store, ms};

const PHONE: &str = "phone-origin";
const DESK: &str = "desk-origin";
const DESK_ENDPOINT: &str = "desk-endpoint";
const YEAR: SignedDuration = SignedDuration::from_hours(365 * 24);

fn now() -> Timestamp {
    "2026-12-06T18:00:00Z".parse().expect("timestamp")
}

fn later(by: SignedDuration) -> Timestamp {
    now().checked_add(by).expect("instant")
}

fn op(origin: &str, seq: u64, at: Timestamp, changes: Vec<Change>) -> Op {
    Op {
        origin: origin.into(),
        seq,
        hlc: Hlc {
            millis: ms(at),
            counter: 0,
        },
        changes,
    }
}

fn conversation(id: i64) -> Change {
    Change::Conversation {
        id,
        line: "sim1".into(),
        number: "+12125550123".into(),
        at: ms(now()),
    }
}

fn inbound(id: i64, body: &str, at: Timestamp) -> Change {
    Change::Message {
        id,
        conversation: 1,
        direction: "inbound".into(),
        kind: "inbound".into(),
        body: body.into(),
        status: "received".into(),
        failure: None,
        failure_kind: None,
        created_at: ms(at),
        due_at: None,
        left_at: None,
        source_id: None,
    }
}

fn note(text: &str) -> Change {
    Change::Field {
        conversation: 1,
        field: Field::Note(text.into()),
    }
}

fn desk_peer(paired: bool) -> PeerRecord {
    PeerRecord {
        endpoint: DESK_ENDPOINT.into(),
        origin: DESK.into(),
        role: Role::Desktop,
        name: "Front desk".into(),
        paired,
        changed_at: 0,
    }
}

/// A desktop's replica of the phone `PHONE`.
fn desktop() -> Store {
    let store = Store::open_in_memory().expect("store");
    store.set_phone_origin(PHONE).expect("phone origin");
    store
}

/// A phone with one conversation, its desktop `DESK` paired at `paired_at`.
fn phone_at(store: Store, paired_at: Timestamp) -> Store {
    let mut store = store;
    let origin = store.origin().to_string();
    store.set_phone_origin(&origin).expect("phone origin");
    store
        .write(paired_at, "paired", |tx| {
            tx.touch_conversation(&Line("sim1".into()), "+12125550123", paired_at)?;
            tx.set_peer(&desk_peer(true))
        })
        .expect("paired");
    store
}

fn from(origin: &str, role: Role) -> Source<'_> {
    Source { origin, role }
}

fn note_of(store: &Store) -> String {
    store
        .connection()
        .query_row("SELECT note FROM conversations WHERE id = 1", [], |r| {
            r.get(0)
        })
        .expect("note")
}

/// The stamp of this store's own newest op.
fn newest_own_stamp(store: &Store) -> Hlc {
    let ops = store
        .ops_after(&VersionVector::new(), usize::MAX)
        .expect("ops");
    ops.iter()
        .rev()
        .find(|o| o.origin == store.origin())
        .expect("an own op")
        .hlc
}

fn within_drift(stamp: Hlc, of: Timestamp) -> bool {
    stamp.millis <= ms(of) + MAX_DRIFT_MILLIS
}

#[test]
fn an_op_stamped_a_year_ahead_is_quarantined_applied_and_the_ops_after_it_flow() {
    let mut desk = desktop();
    let future = later(YEAR);
    let batch = [
        op(
            PHONE,
            1,
            future,
            vec![conversation(1), inbound(1, "missed you", future)],
        ),
        op(PHONE, 2, future, vec![inbound(2, "still there?", future)]),
    ];
    let report = desk
        .apply_remote(&batch, from(PHONE, Role::Phone), now())
        .expect("a batch is never refused for a clock");
    assert_eq!((report.applied, report.quarantined), (2, 2));
    let report = desk
        .apply_remote(
            &[op(PHONE, 3, now(), vec![inbound(3, "on time", now())])],
            from(PHONE, Role::Phone),
            now(),
        )
        .expect("the next op");
    assert_eq!((report.applied, report.quarantined), (1, 0));
    assert_eq!(desk.version_vector().get(PHONE), 3);
    let bodies: Vec<String> = desk
        .reader()
        .all_messages()
        .expect("messages")
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(bodies, ["missed you", "still there?", "on time"]);
    let quarantined = desk.reader().quarantined(10).expect("quarantine");
    assert_eq!(
        quarantined
            .iter()
            .map(|q| (q.origin.as_str(), q.seq))
            .collect::<Vec<_>>(),
        [(PHONE, 2), (PHONE, 1)],
        "newest first"
    );
    assert_eq!(quarantined[0].at, now());
    assert_eq!(quarantined[0].hlc.millis, ms(future));
    assert!(
        quarantined[0].why.contains("365 days ahead"),
        "{}",
        quarantined[0].why
    );
    // The stamp was never taken in: this desktop's own next write is stamped now.
    desk.write(now(), "field_set", |tx| {
        tx.set_field(ConversationId(1), Field::Archived(true))
    })
    .expect("write");
    assert!(within_drift(newest_own_stamp(&desk), now()));
}

#[test]
fn a_write_stamped_ahead_does_not_beat_a_later_one() {
    let mut desk = desktop();
    desk.apply_remote(
        &[op(PHONE, 1, now(), vec![conversation(1)])],
        from(PHONE, Role::Phone),
        now(),
    )
    .expect("conversation");
    // A year ahead (quarantined) and an hour ahead (clamped only): both are ordered as of
    // their arrival, so the desktop's edit a second later wins.
    for (seq, ahead, quarantined) in [(2, YEAR, 1), (3, SignedDuration::from_hours(1), 0)] {
        let text = format!("stamped {ahead:#} ahead");
        let report = desk
            .apply_remote(
                &[op(PHONE, seq, later(ahead), vec![note(&text)])],
                from(PHONE, Role::Phone),
                now(),
            )
            .expect("applied");
        assert_eq!(report.quarantined, quarantined);
        assert_eq!(note_of(&desk), text, "nothing newer was there: it applies");
        let edit = later(SignedDuration::from_secs(1));
        desk.write(edit, "field_set", |tx| {
            tx.set_field(ConversationId(1), Field::Note("written later".into()))
        })
        .expect("edit");
        assert_eq!(note_of(&desk), "written later");
        assert!(
            within_drift(newest_own_stamp(&desk), edit),
            "the desktop's clock did not take in the stamp from the future"
        );
    }
    // The phone's next edit, stamped at the true time, wins in turn.
    desk.apply_remote(
        &[op(
            PHONE,
            4,
            later(SignedDuration::from_secs(2)),
            vec![note("the phone's next edit")],
        )],
        from(PHONE, Role::Phone),
        now(),
    )
    .expect("applied");
    assert_eq!(note_of(&desk), "the phone's next edit");
}

#[test]
fn a_phone_whose_date_was_a_year_ahead_recovers_by_itself_after_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("phone.db");
    let future = later(YEAR);
    {
        let mut phone = phone_at(Store::open(&path).expect("store"), future);
        phone
            .write(future, "changed", |tx| {
                tx.set_field(ConversationId(1), Field::Note("from the wrong year".into()))?;
                tx.save_settings(
                    &Settings {
                        business_name: "Acme Plumbing".into(),
                        ..Settings::default()
                    },
                    future,
                )
            })
            .expect("write");
    }
    let mut phone = Store::open(&path).expect("reopened");
    let edit = later(SignedDuration::from_secs(1));
    phone
        .write(edit, "field_set", |tx| {
            tx.set_field(
                ConversationId(1),
                Field::Note("written at the true time".into()),
            )
        })
        .expect("edit");
    assert_eq!(
        note_of(&phone),
        "written at the true time",
        "its own later edit is not beaten by its own stamp from the wrong year"
    );
    // Every op from now on is stamped at the true time, the values written in the wrong
    // year again among them (so that every desktop holds them with the same stamp).
    let ops = phone
        .ops_after(&VersionVector::new(), usize::MAX)
        .expect("ops");
    let recovered = &ops[ops.len() - 2..];
    assert!(
        recovered.iter().all(|o| within_drift(o.hlc, edit)),
        "{recovered:?}"
    );
    let again: Vec<&Change> = recovered[0].changes.iter().collect();
    assert!(
        again.iter().any(|c| matches!(c, Change::Settings { .. })),
        "{again:?}"
    );
    assert!(
        again
            .iter()
            .any(|c| matches!(c, Change::Peer { paired: true, .. })),
        "{again:?}"
    );
    let future_stamps: i64 = phone
        .connection()
        .query_row(
            "SELECT count(*) FROM lww WHERE hlc_ms > ?1",
            [ms(edit) + MAX_DRIFT_MILLIS],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(future_stamps, 0);
    // A desktop's edit made after it, stamped at the true time, wins on the phone too.
    phone
        .apply_remote(
            &[op(
                DESK,
                1,
                later(SignedDuration::from_secs(2)),
                vec![note("the desktop's edit")],
            )],
            from(DESK, Role::Desktop),
            later(SignedDuration::from_secs(2)),
        )
        .expect("applied");
    assert_eq!(note_of(&phone), "the desktop's edit");
    // Unpairing the desktop (paired in the wrong year) takes effect.
    let unpair_at = later(SignedDuration::from_secs(3));
    phone
        .write(unpair_at, "unpaired", |tx| tx.set_peer(&desk_peer(false)))
        .expect("unpair");
    let err = phone
        .apply_remote(
            &[op(DESK, 2, unpair_at, vec![note("after unpairing")])],
            from(DESK, Role::Desktop),
            unpair_at,
        )
        .expect_err("unpaired");
    assert!(matches!(err, ApplyError::NotAllowed { .. }), "{err}");
}

#[test]
fn a_clock_set_back_while_running_recovers_at_the_next_write() {
    let future = later(YEAR);
    let mut phone = phone_at(Store::open_in_memory().expect("store"), future);
    phone
        .write(future, "field_set", |tx| {
            tx.set_field(ConversationId(1), Field::Note("from the wrong year".into()))
        })
        .expect("write");
    phone
        .write(now(), "field_set", |tx| {
            tx.set_field(
                ConversationId(1),
                Field::Note("after the date was fixed".into()),
            )
        })
        .expect("write");
    assert_eq!(note_of(&phone), "after the date was fixed");
    assert!(within_drift(newest_own_stamp(&phone), now()));
}

#[test]
fn after_a_phone_recovers_it_and_its_desktop_hold_the_same() {
    let future = later(YEAR);
    let mut phone = phone_at(Store::open_in_memory().expect("store"), future);
    let mut desk = Store::open_in_memory().expect("desk");
    desk.set_phone_origin(phone.origin()).expect("phone origin");
    let sync = |phone: &mut Store, desk: &mut Store, at: Timestamp| {
        let ops = phone
            .ops_after(desk.version_vector(), usize::MAX)
            .expect("ops");
        let origin = phone.origin().to_string();
        desk.apply_remote(&ops, from(&origin, Role::Phone), at)
            .expect("applied")
    };
    phone
        .write(future, "field_set", |tx| {
            tx.set_field(ConversationId(1), Field::Note("from the wrong year".into()))
        })
        .expect("write");
    let report = sync(&mut phone, &mut desk, now());
    assert_eq!(report.quarantined, 2);
    assert_eq!(note_of(&desk), "from the wrong year");
    // The phone's date is fixed; its next write brings its stamps back to the present.
    let at = later(SignedDuration::from_secs(5));
    phone
        .write(at, "archived", |tx| {
            tx.set_field(ConversationId(1), Field::Archived(true))
        })
        .expect("write");
    let report = sync(&mut phone, &mut desk, at);
    assert_eq!(report.quarantined, 0);
    assert_eq!(
        phone.digest().expect("digest"),
        desk.digest().expect("digest"),
        "same values, same stamps"
    );
}

#[test]
fn unpairing_in_an_op_stamped_a_year_ahead_takes_effect_and_can_be_undone() {
    let mut phone = phone_at(Store::open_in_memory().expect("store"), now());
    let unpair = Change::Peer {
        endpoint: DESK_ENDPOINT.into(),
        origin: DESK.into(),
        role: Role::Desktop,
        name: "Front desk".into(),
        paired: false,
    };
    let report = phone
        .apply_remote(
            &[op(DESK, 1, later(YEAR), vec![unpair])],
            from(DESK, Role::Desktop),
            now(),
        )
        .expect("applied");
    assert_eq!(report.quarantined, 1);
    assert_eq!(report.peers_changed, [DESK_ENDPOINT]);
    let err = phone
        .apply_remote(
            &[op(DESK, 2, now(), vec![note("after unpairing")])],
            from(DESK, Role::Desktop),
            now(),
        )
        .expect_err("unpaired");
    assert!(matches!(err, ApplyError::NotAllowed { .. }), "{err}");
    // Pairing it again a second later wins over the unpairing stamped a year ahead.
    let at = later(SignedDuration::from_secs(1));
    phone
        .write(at, "paired", |tx| tx.set_peer(&desk_peer(true)))
        .expect("paired");
    assert!(phone.reader().peers().expect("peers")[0].paired);
}

#[test]
fn a_reply_written_on_a_desktop_a_year_ahead_still_expires() {
    let clock = ManualClock::new(now());
    let ports = Ports {
        telephony: MemoryTelephony::new(),
        call_log: MemoryCallLog::new(),
        contacts: MemoryContacts::new(),
        clock: clock.clone(),
    };
    let settings = Settings {
        business_name: "Acme Plumbing".into(),
        ..Settings::default()
    };
    let store = phone_at(Store::open_in_memory().expect("store"), now());
    let mut engine = Engine::open(store, ports, &settings).expect("engine");
    let future = later(YEAR);
    let reply = Change::Reply {
        request: "desk-1".into(),
        conversation: None,
        to: Some("+12125550123".into()),
        line: None,
        body: "On our way".into(),
        requested_at: ms(future),
    };
    // The op's own stamp may be right while the time in the reply is not: a desktop can
    // write anything there.
    engine
        .store_mut()
        .apply_remote(
            &[op(DESK, 1, now(), vec![reply])],
            from(DESK, Role::Desktop),
            now(),
        )
        .expect("applied");
    let pending = engine.store().reader().pending_requests().expect("pending");
    assert!(
        ms(pending[0].requested_at) <= ms(now()) + MAX_DRIFT_MILLIS,
        "{pending:?}"
    );
    // It reaches the engine a day and more after it arrived: too late to send.
    clock.advance(SignedDuration::from_hours(25));
    let outcomes = engine.process_requests().expect("processed");
    assert!(
        matches!(
            &outcomes[..],
            [Outcome::Failed {
                reason: Failure::Expired { hours: 24 },
                ..
            }]
        ),
        "{outcomes:?}"
    );
    let sent: Option<i64> = engine
        .store()
        .connection()
        .query_row("SELECT id FROM messages WHERE status = 'sent'", [], |r| {
            r.get(0)
        })
        .optional()
        .expect("query");
    assert_eq!(sent, None);
}
