//! Fills a desktop data folder with one phone's replica for the desktop benchmark:
//! `seed_inbox DIR [CONVERSATIONS] [THREAD]` writes CONVERSATIONS conversations (three
//! texts each) and one conversation, with +12125550000, of THREAD messages, through the
//! store's real schema (triggers and full-text index included).

use std::path::PathBuf;

use anyhow::{Context, Result};
use ringback_core::Store;
use ringback_core::sync::net;

const WORDS: [&str; 16] = [
    "leak", "pipe", "burst", "kitchen", "sink", "water", "heater", "boiler", "quote", "today",
    "tomorrow", "morning", "urgent", "drain", "address", "thanks",
];

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .context("usage: seed_inbox DIR [CONVERSATIONS] [THREAD]")?,
    );
    let conversations: i64 = args.next().map_or(Ok(20_000), |a| a.parse())?;
    let thread: i64 = args.next().map_or(Ok(5_000), |a| a.parse())?;
    std::fs::create_dir_all(&dir)?;
    let phone = net::load_or_create_key(&dir.join("bench-phone.key"))?.public();
    let replica = dir.join("phones").join(phone.to_string());
    if replica.join("ringback.db").exists() {
        println!("{} already seeded", replica.display());
        return Ok(());
    }
    std::fs::create_dir_all(&replica)?;
    let store = Store::open(&replica.join("ringback.db"))?;
    store.set_phone_origin("bench-phone")?;
    let conn = store.connection();
    conn.execute_batch("BEGIN")?;
    let base = jiff::Timestamp::now().as_millisecond() - 90 * 86_400_000;
    let mut conv = conn.prepare(
        "INSERT INTO conversations (id, line, number, last_activity_at) VALUES (?1, 'sim1', ?2, 0)",
    )?;
    let mut msg = conn.prepare(
        "INSERT INTO messages (conversation_id, direction, kind, body, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut at = base;
    let mut write = |c: i64, k: i64, at: i64| -> Result<()> {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let inbound = k % 2 == 0;
        let body: Vec<&str> = (0..10)
            .map(|i| WORDS[((seed >> (i * 4)) % WORDS.len() as u64) as usize])
            .collect();
        msg.execute(rusqlite_params(c, inbound, &body.join(" "), at))?;
        Ok(())
    };
    for c in 1..=conversations {
        let number = if c == 1 {
            "+12125550000".to_string()
        } else {
            format!("+1212{:07}", 5_550_000 + c)
        };
        conv.execute((c, number))?;
        let count = if c == 1 { thread } else { 3 };
        for k in 0..count {
            at += 1_000;
            write(c, k, at)?;
        }
    }
    drop(conv);
    drop(msg);
    conn.execute_batch(
        "UPDATE conversations SET
           last_message_id = (SELECT max(id) FROM messages m WHERE m.conversation_id = conversations.id),
           last_activity_at = coalesce((SELECT max(created_at) FROM messages m WHERE m.conversation_id = conversations.id), 0),
           unread = (SELECT count(*) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'inbound') % 3;
         UPDATE conversations SET last_activity_at = last_activity_at + 86400000000 WHERE number = '+12125550000';
         COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);",
    )?;
    drop(store);
    println!(
        "seeded {} with {conversations} conversations and a {thread}-message thread",
        replica.display()
    );
    Ok(())
}

fn rusqlite_params(
    conversation: i64,
    inbound: bool,
    body: &str,
    at: i64,
) -> (i64, &'static str, &'static str, String, &'static str, i64) {
    (
        conversation,
        if inbound { "inbound" } else { "outbound" },
        if inbound { "inbound" } else { "reply" },
        body.to_string(),
        if inbound { "received" } else { "delivered" },
        at,
    )
}
