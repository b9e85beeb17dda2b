//! Benchmarks for the budgets in DESIGN.md. Each one measures its limit, raw SQLite doing
//! the least work the same question needs, in the same run, and prints the ratio.
//!
//! `cargo bench -p ringback-core` (criterion drives the iterations; the summary at the end
//! gives medians, p99 and the ratios from the same samples).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};

mod samples;
use jiff::{SignedDuration, Timestamp};
use ringback_core::ports::memory::{ManualClock, MemoryCallLog, MemoryContacts, MemoryTelephony};
use ringback_core::store::InboxFilter;
use ringback_core::{CallOutcome, EndedCall, Engine, Line, PlatformEvent, Ports, Settings, Store};
use rusqlite::{Connection, params};
use samples::{record, stats};

fn start() -> Timestamp {
    "2026-11-02T15:00:00Z".parse().expect("t")
}

struct Phone {
    clock: Arc<ManualClock>,
    call_log: Arc<MemoryCallLog>,
    engine: Engine,
}

fn phone(path: &Path) -> Phone {
    let clock = ManualClock::new(start());
    let call_log = MemoryCallLog::new();
    let ports = Ports {
        telephony: MemoryTelephony::new(),
        call_log: call_log.clone(),
        contacts: MemoryContacts::new(),
        clock: clock.clone(),
    };
    let settings = Settings {
        business_name: "Acme Plumbing".into(),
        ..Settings::default()
    };
    let engine = Engine::open(Store::open(path).expect("store"), ports, &settings).expect("engine");
    Phone {
        clock,
        call_log,
        engine,
    }
}

fn raw_connection(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("raw");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "NORMAL")
        .expect("sync");
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, log_id INTEGER UNIQUE, number TEXT,
           line TEXT, outcome TEXT, ended_at INTEGER, decision TEXT)",
    )
    .expect("schema");
    conn
}

fn number(i: u64) -> String {
    format!("+1212{:07}", 5_000_000 + (i % 4_999_999))
}

/// Ended call → decision stored (and the text-back handed over): the engine's whole path
/// for one call, against one INSERT in its own transaction.
fn decision(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let mut p = phone(&dir.path().join("phone.db"));
    let raw = raw_connection(&dir.path().join("raw.db"));
    let mut i = 0u64;
    let mut group = c.benchmark_group("ended_call");
    group.bench_function("ringback_decision_and_store", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                i += 1;
                p.clock.advance(SignedDuration::from_secs(7));
                let outcome = if i.is_multiple_of(3) {
                    CallOutcome::Answered
                } else {
                    CallOutcome::Missed
                };
                p.call_log.push(EndedCall {
                    log_id: 0,
                    number: number(i),
                    outcome,
                    line: Line("sim1".into()),
                    ended_at: start(),
                });
                let t = Instant::now();
                p.engine
                    .handle(PlatformEvent::CallLogChanged)
                    .expect("handle");
                let d = t.elapsed();
                record("ended_call/ringback", d);
                total += d;
            }
            total
        })
    });
    let mut j = 0i64;
    group.bench_function("raw_sqlite_insert", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                j += 1;
                let t = Instant::now();
                let tx = raw.unchecked_transaction().expect("tx");
                tx.prepare_cached("INSERT INTO calls (log_id, number, line, outcome, ended_at, decision) VALUES (?1, ?2, 'sim1', 'missed', ?3, 'text_back')")
                    .expect("prepare")
                    .execute(params![j, number(j as u64), j])
                    .expect("insert");
                tx.commit().expect("commit");
                let d = t.elapsed();
                record("ended_call/raw_sqlite", d);
                total += d;
            }
            total
        })
    });
    group.finish();
}

const INGEST: usize = 100_000;

/// A call log of 100,000 entries read at once (first start on a busy phone).
fn ingest(c: &mut Criterion) {
    let mut group = c.benchmark_group("ingest_100k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    let outcomes = [
        CallOutcome::Answered,
        CallOutcome::Outgoing,
        CallOutcome::Missed,
        CallOutcome::Answered,
        CallOutcome::Voicemail,
    ];
    group.bench_function("ringback_call_log_ingest", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().expect("dir");
                let p = phone(&dir.path().join("phone.db"));
                let mut engine = p.engine;
                for k in 0..INGEST {
                    let ended_at = start()
                        .checked_add(SignedDuration::from_secs(k as i64 * 20))
                        .expect("t");
                    p.call_log.push(EndedCall {
                        log_id: 0,
                        number: number(k as u64 % 20_000),
                        outcome: outcomes[k % 5],
                        line: Line::default(),
                        ended_at,
                    });
                }
                // Read right after the last call: the whole history at a first start, of
                // which only the last few minutes still get a text.
                let last = start()
                    .checked_add(SignedDuration::from_secs((INGEST as i64 - 1) * 20))
                    .expect("t");
                p.clock.set(last);
                let t = Instant::now();
                engine
                    .handle(PlatformEvent::CallLogChanged)
                    .expect("ingest");
                let d = t.elapsed();
                record("ingest_100k/ringback", d);
                total += d;
            }
            total
        })
    });
    group.bench_function("raw_sqlite_batched_insert", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().expect("dir");
                let raw = raw_connection(&dir.path().join("raw.db"));
                let t = Instant::now();
                for chunk in (0..INGEST).collect::<Vec<_>>().chunks(512) {
                    let tx = raw.unchecked_transaction().expect("tx");
                    {
                        let mut stmt = tx
                            .prepare_cached("INSERT INTO calls (log_id, number, line, outcome, ended_at) VALUES (?1, ?2, '', 'missed', ?1)")
                            .expect("prepare");
                        for k in chunk {
                            stmt.execute(params![*k as i64, number(*k as u64 % 20_000)]).expect("insert");
                        }
                    }
                    tx.commit().expect("commit");
                }
                let d = t.elapsed();
                record("ingest_100k/raw_sqlite", d);
                total += d;
            }
            total
        })
    });
    group.finish();
}

const CONVERSATIONS: i64 = 20_000;
const MESSAGES: i64 = 1_000_000;
const WORDS: [&str; 24] = [
    "leak", "pipe", "burst", "kitchen", "sink", "water", "heater", "boiler", "quote", "today",
    "tomorrow", "morning", "urgent", "roof", "drain", "toilet", "shower", "price", "thanks",
    "great", "call", "please", "address", "estimate",
];

/// Calls in the dashboard's 30 days: a quarter answered (no decision), the rest decided, two
/// in three of those texted back (each text-back is a message besides the million).
const CALLS: i64 = 30_000;
const DASHBOARD_DAYS: i64 = 30;

/// The dashboard's period: 30 days around the messages (which span 11.6 days from `start`).
fn dashboard_period() -> (Timestamp, Timestamp) {
    let from = start()
        .checked_sub(SignedDuration::from_hours(24 * 10))
        .expect("t");
    let to = from
        .checked_add(SignedDuration::from_hours(24 * DASHBOARD_DAYS))
        .expect("t");
    (from, to)
}

/// Fills a store through its real schema (triggers and FTS included): 1,000,000 messages in
/// 20,000 conversations, 30,000 calls over 30 days with their text-backs, some conversations
/// booked, archived or opted out. Written once per machine and reused.
fn big_store(path: &Path) -> Store {
    if path.exists() {
        return Store::open(path).expect("reopen");
    }
    let building = path.with_extension("building");
    let _ = std::fs::remove_file(&building);
    let store = Store::open(&building).expect("store");
    let conn = store.connection();
    conn.execute_batch("BEGIN").expect("begin");
    {
        let mut conv = conn
            .prepare("INSERT INTO conversations (id, line, number, last_activity_at) VALUES (?1, 'sim1', ?2, 0)")
            .expect("prepare");
        for c in 1..=CONVERSATIONS {
            conv.execute(params![c, number(c as u64)]).expect("conv");
        }
        let mut msg = conn
            .prepare(
                "INSERT INTO messages (id, conversation_id, direction, kind, body, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .expect("prepare");
        let mut seed = 0x2545F4914F6CDD1Du64;
        let base = start().as_millisecond();
        for m in 1..=MESSAGES {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let conv = (seed % CONVERSATIONS as u64) as i64 + 1;
            let inbound = seed.is_multiple_of(2);
            let body: Vec<&str> = (0..8)
                .map(|k| WORDS[((seed >> (k * 5)) % WORDS.len() as u64) as usize])
                .collect();
            msg.execute(params![
                m,
                conv,
                if inbound { "inbound" } else { "outbound" },
                if inbound { "inbound" } else { "reply" },
                body.join(" "),
                if inbound { "received" } else { "delivered" },
                base + m * 1_000
            ])
            .expect("msg");
        }
        let mut call = conn
            .prepare(
                "INSERT INTO calls (log_id, conversation_id, caller, number, line, outcome, ended_at,
                                    decision, skip_reason, message_id)
                 VALUES (?1, ?2, ?3, ?3, 'sim1', ?4, ?5, ?6, ?7, ?8)",
            )
            .expect("prepare");
        let mut text_back = conn
            .prepare(
                "INSERT INTO messages (conversation_id, direction, kind, body, status, created_at, left_at)
                 VALUES (?1, 'outbound', 'text_back', 'Sorry we missed your call! How can we help?',
                         'delivered', ?2, ?3)",
            )
            .expect("prepare");
        let (from, _) = dashboard_period();
        let step = DASHBOARD_DAYS * 86_400_000 / CALLS;
        for k in 0..CALLS {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let conv = (seed % CONVERSATIONS as u64) as i64 + 1;
            let ended = from.as_millisecond() + k * step;
            let (outcome, decision, reason, message) = match k % 4 {
                0 => ("answered", None, None, None),
                1 => ("voicemail", Some("skipped"), Some("cooldown"), None),
                _ => {
                    text_back
                        .execute(params![conv, ended, ended + 4_000 + (seed % 5_000) as i64])
                        .expect("text-back");
                    (
                        "missed",
                        Some("text_back"),
                        None,
                        Some(conn.last_insert_rowid()),
                    )
                }
            };
            call.execute(params![
                k + 1,
                conv,
                number(conv as u64),
                outcome,
                ended,
                decision,
                reason,
                message
            ])
            .expect("call");
        }
        conn.execute_batch(
            "UPDATE conversations SET lead_status = 'booked' WHERE id % 10 = 0;
             UPDATE conversations SET archived = 1 WHERE id % 50 = 1;
             INSERT INTO opt_outs (number, since) SELECT number, 0 FROM conversations WHERE id % 100 = 7;",
        )
        .expect("standing");
        conn.execute_batch(
            "UPDATE conversations SET
               last_message_id = (SELECT id FROM messages m WHERE m.conversation_id = conversations.id
                                  ORDER BY created_at DESC, id DESC LIMIT 1),
               last_activity_at = coalesce((SELECT max(created_at) FROM messages m WHERE m.conversation_id = conversations.id), 0),
               unread = (SELECT count(*) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'inbound') % 3",
        )
        .expect("update");
    }
    conn.execute_batch("COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("commit");
    drop(store);
    std::fs::rename(&building, path).expect("rename");
    Store::open(path).expect("reopen")
}

fn pages(c: &mut Criterion) {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new("../target").to_path_buf(), Into::into);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("ringback-bench-1m-v2.db");
    let store = big_store(&path);
    let conn = store.connection();
    let busy = {
        let page = store.inbox_page(InboxFilter::All, None, 1).expect("page");
        page[0].id
    };

    let mut group = c.benchmark_group("pages_1m_messages");
    macro_rules! timed {
        ($group:ident, $name:literal, $key:literal, $body:expr) => {
            $group.bench_function($name, |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let t = Instant::now();
                        std::hint::black_box($body);
                        let d = t.elapsed();
                        record($key, d);
                        total += d;
                    }
                    total
                })
            });
        };
    }
    timed!(
        group,
        "ringback_inbox_page",
        "inbox_page/ringback",
        store.inbox_page(InboxFilter::All, None, 50).expect("inbox")
    );
    timed!(group, "raw_sqlite_inbox_ids", "inbox_page/raw_sqlite", {
        let mut stmt = conn
            .prepare_cached("SELECT id, last_activity_at FROM conversations ORDER BY last_activity_at DESC, id DESC LIMIT 50")
            .expect("prepare");
        stmt.query_map([], |r| r.get::<_, i64>(0))
            .expect("q")
            .count()
    });
    timed!(
        group,
        "ringback_thread_page",
        "thread_page/ringback",
        store.thread_page(busy, None, 50).expect("thread")
    );
    timed!(group, "raw_sqlite_thread_ids", "thread_page/raw_sqlite", {
        let mut stmt = conn
            .prepare_cached("SELECT id FROM messages WHERE conversation_id = ?1 ORDER BY created_at DESC, id DESC LIMIT 50")
            .expect("prepare");
        stmt.query_map([busy.0], |r| r.get::<_, i64>(0))
            .expect("q")
            .count()
    });
    timed!(
        group,
        "ringback_search",
        "search/ringback",
        store.search("burst pip", 50).expect("search")
    );
    timed!(group, "raw_sqlite_fts_match", "search/raw_sqlite", {
        let mut stmt = conn
            .prepare_cached("SELECT rowid FROM messages_fts WHERE messages_fts MATCH '\"burst\" \"pip\"*' ORDER BY rowid DESC LIMIT 50")
            .expect("prepare");
        stmt.query_map([], |r| r.get::<_, i64>(0))
            .expect("q")
            .count()
    });
    timed!(
        group,
        "ringback_inbox_count",
        "inbox_count/ringback",
        store.inbox_count(InboxFilter::All).expect("count")
    );
    timed!(
        group,
        "raw_sqlite_inbox_count_conversations",
        "inbox_count/raw_sqlite",
        {
            conn.prepare_cached("SELECT count(*) FROM conversations")
                .expect("prepare")
                .query_row([], |r| r.get::<_, i64>(0))
                .expect("q")
        }
    );
    timed!(
        group,
        "ringback_inbox_count_needs_reply",
        "inbox_count_needs_reply/ringback",
        store.inbox_count(InboxFilter::NeedsReply).expect("count")
    );
    timed!(
        group,
        "raw_sqlite_inbox_count_last_inbound",
        "inbox_count_needs_reply/raw_sqlite",
        {
            conn.prepare_cached(
                "SELECT count(*) FROM conversations c JOIN messages m ON m.id = c.last_message_id
                 WHERE m.direction = 'inbound'",
            )
            .expect("prepare")
            .query_row([], |r| r.get::<_, i64>(0))
            .expect("q")
        }
    );
    // What needs a person's attention (the desktop's alerts ask after every change): the
    // limit is counting the same rows of the same partial indexes, no messages read.
    // Twenty of the week's text-backs failed (once per store: the same rows each run).
    let (_, attention_now) = dashboard_period();
    let since = attention_now.as_millisecond() - 7 * 24 * 60 * 60 * 1000;
    conn.execute(
        "UPDATE messages SET status = 'failed' WHERE id IN (
             SELECT id FROM messages WHERE kind = 'text_back' AND created_at >= ?1
             ORDER BY id DESC LIMIT 20) AND status <> 'failed'",
        [since],
    )
    .expect("failed text-backs");
    timed!(
        group,
        "ringback_attention",
        "attention/ringback",
        store.reader().attention(attention_now).expect("attention")
    );
    timed!(
        group,
        "raw_sqlite_attention_counts",
        "attention/raw_sqlite",
        {
            conn.prepare_cached(
                "SELECT (SELECT count(*) FROM messages
                         WHERE kind = 'text_back' AND status = 'failed' AND created_at >= ?1),
                        (SELECT count(*) FROM messages
                         WHERE status = 'queued' AND hold = 'volume_limit'),
                        (SELECT count(*) FROM conversations
                         WHERE (CASE WHEN json_valid(assistant) AND json_extract(assistant, '$.reason') <> 'a person replied'
                                     THEN json_extract(assistant, '$.status') END) IN ('needs_team', 'handed_off'))",
            )
            .expect("prepare")
            .query_row([since], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })
            .expect("q")
        }
    );
    group.finish();

    // The dashboard reads every decided call of the period with its text-back, reply and
    // answer; the limit is one pass over the same calls counting them and their text-backs.
    let (from, to) = dashboard_period();
    let ny = jiff::tz::TimeZone::get("America/New_York").expect("zone");
    let d = store.dashboard(from, to, &ny).expect("dashboard");
    println!(
        "dashboard over {} days: {} missed, {} texted, {} replied, {} booked",
        d.days.len(),
        d.missed,
        d.texted,
        d.replied,
        d.booked
    );
    let mut group = c.benchmark_group("dashboard_30_days");
    group.sample_size(20);
    timed!(
        group,
        "ringback_dashboard",
        "dashboard/ringback",
        store.dashboard(from, to, &ny).expect("dashboard")
    );
    timed!(
        group,
        "raw_sqlite_count_decided_calls",
        "dashboard/raw_sqlite",
        {
            conn.prepare_cached(
                "SELECT count(*), sum(k.decision = 'text_back' AND m.left_at IS NOT NULL)
             FROM calls k LEFT JOIN messages m ON m.id = k.message_id
             WHERE k.decision IS NOT NULL AND k.ended_at >= ?1 AND k.ended_at < ?2",
            )
            .expect("prepare")
            .query_row(params![from.as_millisecond(), to.as_millisecond()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
            })
            .expect("q")
        }
    );
    group.finish();
}

fn summary() {
    println!("\n== Ringback budgets (ratios against raw SQLite measured in this run)");
    let rows: [(&str, &str, &str, Option<Duration>); 8] = [
        (
            "ended_call",
            "ended call → decision stored, p99",
            "p99",
            Some(Duration::from_millis(1)),
        ),
        (
            "inbox_page",
            "inbox page, 1M messages / 20k conversations, median",
            "median",
            Some(Duration::from_millis(10)),
        ),
        (
            "thread_page",
            "thread page (50 newest), median",
            "median",
            Some(Duration::from_millis(10)),
        ),
        (
            "search",
            "full-text search over 1M messages, median",
            "median",
            Some(Duration::from_millis(30)),
        ),
        (
            "inbox_count",
            "inbox count (all), 20k conversations, median",
            "median",
            None,
        ),
        (
            "inbox_count_needs_reply",
            "inbox count (needs reply), 20k conversations, median",
            "median",
            None,
        ),
        (
            "attention",
            "what needs attention (the desktop's alerts), 1M messages, median",
            "median",
            None,
        ),
        (
            "dashboard",
            "dashboard, 30 days of 30k calls, median",
            "median",
            None,
        ),
    ];
    for (key, label, which, goal) in rows {
        let (m, p99, n) = stats(&format!("{key}/ringback"));
        let (bm, bp99, _) = stats(&format!("{key}/raw_sqlite"));
        let (ours, base) = if which == "p99" { (p99, bp99) } else { (m, bm) };
        if n == 0 {
            continue;
        }
        let verdict = match goal {
            Some(goal) if ours < goal => format!("goal < {goal:?}: met"),
            Some(goal) => format!("goal < {goal:?}: MISSED"),
            None => "no budget in DESIGN.md".to_string(),
        };
        println!(
            "{label}: {ours:?} (p50 {m:?}, p99 {p99:?}, n={n}); raw SQLite {base:?}; ratio {:.1}x; {verdict}",
            ours.as_secs_f64() / base.as_secs_f64().max(1e-9),
        );
    }
    let (m, _, n) = stats("ingest_100k/ringback");
    let (bm, _, _) = stats("ingest_100k/raw_sqlite");
    if n > 0 {
        let rate = INGEST as f64 / m.as_secs_f64();
        println!(
            "ingest of 100,000 call-log entries: {m:?} = {rate:.0}/s; raw SQLite batched insert {bm:?} = {:.0}/s; ratio {:.1}x; goal > 50000/s: {}",
            INGEST as f64 / bm.as_secs_f64(),
            m.as_secs_f64() / bm.as_secs_f64().max(1e-9),
            if rate > 50_000.0 { "met" } else { "MISSED" }
        );
    }
}

criterion_group!(benches, decision, ingest, pages);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
