use jiff::Timestamp;

use super::*;
use crate::call::{CallDecision, EndedCall, SkipReason};
use crate::message::{Direction, MessageKind, MessageStatus};
use crate::settings::Settings;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn add_message(
    store: &mut Store,
    line: &str,
    number: &str,
    body: &str,
    at: &str,
    dir: Direction,
) -> MessageId {
    let at = ts(at);
    store
        .write(at, "test", |tx| {
            let c = tx.touch_conversation(&Line(line.into()), number, at)?;
            let id = tx.insert_message(&NewMessage {
                conversation_id: c,
                direction: dir,
                kind: if dir == Direction::Inbound {
                    MessageKind::Inbound
                } else {
                    MessageKind::Reply
                },
                body,
                status: if dir == Direction::Inbound {
                    MessageStatus::Received
                } else {
                    MessageStatus::Sent
                },
                created_at: at,
                due_at: None,
                left_at: None,
                source_id: None,
                failure: None,
            })?;
            Ok(id.expect("new"))
        })
        .expect("write")
}

#[test]
fn opens_a_file_with_wal_foreign_keys_and_owner_only_permissions() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ringback.db");
    let store = Store::open(&path).expect("open");
    let mode: String = store
        .connection()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("pragma");
    assert_eq!(mode, "wal");
    let fk: i64 = store
        .connection()
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .expect("pragma");
    assert_eq!(fk, 1);
    assert!(store.schema_version().expect("version") >= 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by the owner only: {mode:o}");
    }
    drop(store);
    // Reopening runs no migration twice and keeps the data.
    let store = Store::open(&path).expect("reopen");
    assert!(store.schema_version().expect("version") >= 1);
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ringback.db");
    drop(Store::open(&path).expect("open"));
    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.pragma_update(None, "user_version", 999).expect("bump");
    drop(conn);
    let err = Store::open(&path).expect_err("newer schema must be refused");
    assert!(matches!(err, StoreError::Migration(_)), "{err}");
    assert!(err.to_string().contains("update this app"), "{err}");
}

#[test]
fn migrated_schema_equals_fresh_schema() {
    // Upgrading step by step and creating at once must give the same schema.
    let schema = |conn: &rusqlite::Connection| -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare("SELECT name, coalesce(sql, '') FROM sqlite_master ORDER BY name")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    let fresh = Store::open_in_memory().expect("fresh");
    let migrations = MIGRATIONS.as_ref().expect("migrations");
    let mut conn = rusqlite::Connection::open_in_memory().expect("conn");
    let last = fresh.schema_version().expect("v") as usize;
    for version in 1..=last {
        migrations.to_version(&mut conn, version).expect("step");
    }
    assert_eq!(schema(fresh.connection()), schema(&conn));
}

#[test]
fn a_failed_change_writes_nothing() {
    let mut store = Store::open_in_memory().expect("open");
    let at = ts("2026-11-02T15:00:00Z");
    let result: Result<(), StoreError> = store.write(at, "test", |tx| {
        tx.touch_conversation(&Line::default(), "+12125550123", at)?;
        Err(StoreError::Corrupt("boom".into()))
    });
    assert!(result.is_err());
    assert!(
        store
            .inbox_page(InboxFilter::All, None, 10)
            .expect("inbox")
            .is_empty()
    );
    let ops: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM ops", [], |r| r.get(0))
        .expect("count");
    assert_eq!(ops, 0, "the op is written with its change or not at all");
}

#[test]
fn injected_crash_before_or_after_commit() {
    let mut store = Store::open_in_memory().expect("open");
    let at = ts("2026-11-02T15:00:00Z");
    store.inject_crash(0, false);
    let r = store.write(at, "t", |tx| tx.opt_out("+12125550123", at));
    assert!(matches!(r, Err(StoreError::Interrupted)));
    assert!(!store.reader().is_opted_out("+12125550123").expect("read"));
    store.inject_crash(0, true);
    let r = store.write(at, "t", |tx| tx.opt_out("+12125550123", at));
    assert!(matches!(r, Err(StoreError::Interrupted)));
    assert!(store.reader().is_opted_out("+12125550123").expect("read"));
}

#[test]
fn status_only_moves_forward() {
    let mut store = Store::open_in_memory().expect("open");
    let id = add_message(
        &mut store,
        "",
        "+12125550123",
        "hi",
        "2026-11-02T15:00:00Z",
        Direction::Outbound,
    );
    let at = ts("2026-11-02T15:00:00Z");
    let moved = store
        .write(at, "t", |tx| {
            Ok((
                tx.advance_status(id, MessageStatus::Delivered, None, None)?,
                tx.advance_status(id, MessageStatus::Sent, None, None)?,
                tx.advance_status(id, MessageStatus::Queued, None, None)?,
            ))
        })
        .expect("write");
    assert_eq!(moved, (true, false, false));
    assert_eq!(
        store
            .reader()
            .message(id)
            .expect("read")
            .expect("row")
            .status,
        MessageStatus::Delivered
    );
}

#[test]
fn calls_are_recorded_once_per_log_id() {
    let mut store = Store::open_in_memory().expect("open");
    let call = EndedCall {
        log_id: 42,
        number: "+12125550123".into(),
        outcome: CallOutcome::Missed,
        line: Line::default(),
        ended_at: ts("2026-11-02T15:00:00Z"),
    };
    let insert = |store: &mut Store| {
        store.write(call.ended_at, "t", |tx| {
            tx.insert_call(
                &call,
                Some("+12125550123"),
                None,
                Some(CallDecision::Skipped(SkipReason::Cooldown)),
            )
        })
    };
    insert(&mut store).expect("first");
    assert!(insert(&mut store).is_err(), "a log id is recorded once");
    assert!(store.reader().is_call_recorded(42).expect("read"));
    assert_eq!(
        store.reader().call_decision(42).expect("read"),
        Some(CallDecision::Skipped(SkipReason::Cooldown))
    );
    assert_eq!(store.reader().call_count().expect("count"), 1);
}

#[test]
fn inbox_pages_by_activity_and_search_finds_bodies_and_names() {
    let mut store = Store::open_in_memory().expect("open");
    add_message(
        &mut store,
        "sim1",
        "+12125550101",
        "Pipe burst in the kitchen",
        "2026-11-02T15:00:00Z",
        Direction::Inbound,
    );
    add_message(
        &mut store,
        "sim1",
        "+12125550102",
        "Need a quote for a café 💧 roof",
        "2026-11-02T15:01:00Z",
        Direction::Inbound,
    );
    add_message(
        &mut store,
        "sim2",
        "+12125550101",
        "Thanks!",
        "2026-11-02T15:02:00Z",
        Direction::Outbound,
    );
    let at = ts("2026-11-02T15:03:00Z");
    store
        .write(at, "t", |tx| tx.set_contact("+12125550102", "Zoë Hart", at))
        .expect("contact");

    let page = store.inbox_page(InboxFilter::All, None, 2).expect("page");
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].number, "+12125550101");
    assert_eq!(page[0].line, Line("sim2".into()));
    assert_eq!(page[1].contact_name.as_deref(), Some("Zoë Hart"));
    let next = store
        .inbox_page(InboxFilter::All, Some(page[1].cursor()), 2)
        .expect("page");
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].line, Line("sim1".into()));
    assert_eq!(next[0].unread, 1);
    let needs = store
        .inbox_page(InboxFilter::NeedsReply, None, 10)
        .expect("page");
    assert_eq!(needs.len(), 2, "the sim2 conversation ends with our reply");

    let hits = store.search("burst", 10).expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].text, "Pipe burst in the kitchen");
    assert_eq!(
        store.search("cafe", 10).expect("search").len(),
        1,
        "diacritics fold"
    );
    assert_eq!(
        store.search("zoe", 10).expect("search")[0].message_id,
        None,
        "contact names match"
    );
    for odd in ["\"", "AND OR NOT", "*", "(", "NEAR(", "💧"] {
        store.search(odd, 10).expect("odd input is no syntax error");
    }
}

#[test]
fn the_desktop_sees_unread_totals_new_inbound_texts_and_read_markers() {
    let mut store = Store::open_in_memory().expect("store");
    assert_eq!(store.reader().unread_total().expect("unread"), 0);
    assert_eq!(store.reader().last_message_id().expect("last"), 0);
    let a1 = add_message(
        &mut store,
        "sim1",
        "+12125550123",
        "Leak!",
        "2026-03-02T15:00:00Z",
        Direction::Inbound,
    );
    add_message(
        &mut store,
        "sim1",
        "+12125550123",
        "On our way",
        "2026-03-02T15:01:00Z",
        Direction::Outbound,
    );
    let b1 = add_message(
        &mut store,
        "sim2",
        "+12125550199",
        "Quote? 🔧",
        "2026-03-02T15:02:00Z",
        Direction::Inbound,
    );
    let reader = store.reader();
    assert_eq!(reader.unread_total().expect("unread"), 2);
    assert_eq!(reader.last_message_id().expect("last"), b1.0);
    let new: Vec<i64> = reader
        .inbound_after(0, 10)
        .expect("new")
        .iter()
        .map(|m| m.id.0)
        .collect();
    assert_eq!(new, vec![a1.0, b1.0], "inbound only, oldest first");
    let after: Vec<String> = reader
        .inbound_after(a1.0, 10)
        .expect("new")
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(after, vec!["Quote? 🔧".to_string()]);
    let conversation = store
        .reader()
        .message(a1)
        .expect("read")
        .expect("there")
        .conversation_id;
    assert_eq!(store.reader().read_up_to(conversation).expect("marker"), 0);
    store
        .write(ts("2026-03-02T15:03:00Z"), "test", |tx| {
            tx.set_field(conversation, crate::oplog::op::Field::ReadUpTo(a1.0))
        })
        .expect("write");
    assert_eq!(
        store.reader().read_up_to(conversation).expect("marker"),
        a1.0
    );
    assert_eq!(
        store.reader().unread_total().expect("unread"),
        1,
        "only the other conversation is unread"
    );
    assert_eq!(
        store
            .reader()
            .read_up_to(ConversationId(999))
            .expect("marker"),
        0,
        "an unknown conversation has read nothing"
    );
}

#[test]
fn the_secrets_migration_takes_the_api_key_out_of_every_store_and_keeps_it_on_the_phone_only() {
    const KEY: &str = "sk-live-SECRETSECRET-0123456789";
    let secrets = super::secrets::migration_id(&super::MIGRATIONS_DIR).expect("secrets step");
    let migrations = MIGRATIONS.as_ref().expect("migrations");
    let hosted = serde_json::json!({"business_name": "Acme", "assistant": {"mode": "suggest",
        "base_url": "https://api.example.com/v1", "model": "m", "api_key": KEY}});
    // Plain http to the open internet, refused from this version on.
    let open_http = serde_json::json!({"business_name": "Acme", "assistant": {"mode": "auto",
        "base_url": "http://api.example.com/v1", "model": "m", "api_key": KEY}});
    for on_the_phone in [true, false] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("ringback.db");
        {
            let mut conn = rusqlite::Connection::open(&path).expect("raw");
            conn.pragma_update(None, "journal_mode", "WAL")
                .expect("wal");
            migrations
                .to_version(&mut conn, secrets - 1)
                .expect("the version before");
            let own = if on_the_phone { "phone" } else { "desk" };
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('origin', ?1), ('phone_origin', 'phone')",
                [own],
            )
            .expect("meta");
            conn.execute(
                "INSERT INTO settings (id, document, updated_at) VALUES (1, ?1, 5)",
                [hosted.to_string()],
            )
            .expect("settings");
            conn.execute(
                "INSERT INTO lww (key, hlc_ms, hlc_counter, origin, value)
                 VALUES ('settings', 5, 0, 'desk', ?1)",
                [hosted.to_string()],
            )
            .expect("lww");
            // An address the old check took by its first letters, which this version's
            // parser does not: the assistant goes off rather than the settings invalid.
            let unparsable = serde_json::json!({"business_name": "Acme", "assistant": {
                "mode": "auto", "base_url": "http://localhost:99999/v1", "model": "m"}});
            for (seq, document) in [(1, &open_http), (2, &hosted), (3, &unparsable)] {
                let body = serde_json::json!([{"settings": {"document": document}}]);
                conn.execute(
                    "INSERT INTO ops (origin, seq, hlc_ms, hlc_counter, body)
                     VALUES ('desk', ?1, ?1, 0, ?2)",
                    rusqlite::params![seq, body.to_string()],
                )
                .expect("op");
            }
        }
        let store = Store::open(&path).expect("migrated");
        let reader = store.reader();
        let settings = reader.settings().expect("read").expect("settings");
        assert_eq!(settings.assistant.base_url, "https://api.example.com/v1");
        assert_eq!(settings.assistant.model, "m");
        settings.validate().expect("still valid");
        let key = reader
            .assistant_key_for("https://api.example.com/v1")
            .expect("read")
            .map(|k| k.expose().to_string());
        // Every op still reads, without the key; the plain-http document has the assistant
        // off (so every replica keeps valid, equal settings).
        let ops = store
            .ops_after(&crate::oplog::version::VersionVector::new(), 100)
            .expect("ops");
        assert_eq!(ops.len(), 3);
        let third = serde_json::to_value(&ops[2].changes).expect("json");
        assert_eq!(third[0]["settings"]["document"]["assistant"]["mode"], "off");
        for op in &ops {
            let crate::oplog::op::Change::Settings { document } = &op.changes[0] else {
                panic!("a settings op");
            };
            let settings = Settings::from_value(document).expect("readable");
            settings.validate().expect("valid");
        }
        let first = serde_json::to_value(&ops[0].changes).expect("json");
        assert_eq!(first[0]["settings"]["document"]["assistant"]["mode"], "off");
        assert_eq!(
            first[0]["settings"]["document"]["assistant"]["base_url"],
            ""
        );
        drop(store);
        let bytes = |name: &str| std::fs::read(dir.path().join(name)).unwrap_or_default();
        let holds = |b: Vec<u8>| b.windows(12).any(|w| w == b"SECRETSECRET");
        if on_the_phone {
            assert_eq!(key.as_deref(), Some(KEY), "the phone keeps its key");
        } else {
            assert_eq!(key, None, "a desktop keeps no key");
            assert!(
                !holds(bytes("ringback.db")),
                "the desktop's file holds the key"
            );
            assert!(!holds(bytes("ringback.db-wal")));
        }
        // Nowhere but the secret store, on the phone either.
        let conn = rusqlite::Connection::open(&path).expect("raw");
        for sql in [
            "SELECT count(*) FROM settings WHERE instr(document, 'SECRETSECRET')",
            "SELECT count(*) FROM lww WHERE instr(value, 'SECRETSECRET')",
            "SELECT count(*) FROM ops WHERE instr(body, 'SECRETSECRET')",
        ] {
            let n: i64 = conn.query_row(sql, [], |r| r.get(0)).expect(sql);
            assert_eq!(n, 0, "{sql}");
        }
    }
}

#[test]
fn the_texts_to_retry_are_found_through_their_index() {
    // The engine asks after every event; a walk through every message cost milliseconds
    // per text on a phone with 100,000 ops.
    let store = Store::open_in_memory().expect("store");
    let plan = store
        .connection()
        .prepare(&format!("EXPLAIN QUERY PLAN {}", reader::RETRYING))
        .expect("plan")
        .query_map([5], |r| r.get::<_, String>(3))
        .expect("rows")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows")
        .join("\n");
    // A scan of the partial index holds only the texts retrying; a bare scan is every one.
    assert!(plan.contains("USING INDEX messages_retrying"), "{plan}");
    assert!(!plan.lines().any(|l| l.trim() == "SCAN m"), "{plan}");
}
