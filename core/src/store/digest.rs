//! A digest of the replicated state: two devices that hold the same ops have the same
//! digest. Local bookkeeping (the call-log cursor, the op log's order, when a device saved
//! its settings) is left out.

use rusqlite::types::ValueRef;

use super::{Store, StoreError};

/// The replicated tables, each read in a fixed order.
const TABLES: &[&str] = &[
    "SELECT id, line, number, unread, lead_status, archived, note, last_activity_at,
            last_message_id, read_up_to, lead, draft, assistant FROM conversations ORDER BY id",
    "SELECT id, conversation_id, direction, kind, body, status, failure, created_at, due_at,
            left_at, source_id, hold, hold_until, failure_kind FROM messages ORDER BY id",
    "SELECT id, log_id, conversation_id, caller, number, line, outcome, ended_at, decision,
            skip_reason, message_id FROM calls ORDER BY id",
    "SELECT number, name, updated_at FROM contacts ORDER BY number",
    "SELECT number, since FROM opt_outs ORDER BY number",
    "SELECT number, state, since FROM opt_out_reviews ORDER BY number",
    "SELECT id, conversation_id, start_at, end_at, summary, created_at FROM appointments ORDER BY id",
    "SELECT document FROM settings",
    "SELECT origin, id, key, conversation_id, recipient, line, body, requested_at, refused
     FROM requests ORDER BY origin, id",
    "SELECT endpoint, origin, role, name, paired, changed_at FROM peers ORDER BY endpoint",
    "SELECT key, hlc_ms, hlc_counter, origin, value FROM lww ORDER BY key",
    "SELECT origin, max(seq) FROM (SELECT origin, seq FROM ops UNION ALL SELECT origin, seq FROM held)
     GROUP BY origin ORDER BY origin",
];

/// FNV-1a, 64 bits: stable across builds and platforms.
struct Fnv(u64);

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl Store {
    /// The digest of everything replicated, as 16 hex digits.
    pub fn digest(&self) -> Result<String, StoreError> {
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        for (t, sql) in TABLES.iter().enumerate() {
            h.write(&[0xff, t as u8]);
            let mut stmt = self.conn.prepare(sql)?;
            let columns = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                h.write(&[0xfe]);
                for c in 0..columns {
                    match row.get_ref(c)? {
                        ValueRef::Null => h.write(&[0]),
                        ValueRef::Integer(i) => {
                            h.write(&[1]);
                            h.write(&i.to_le_bytes());
                        }
                        ValueRef::Real(f) => {
                            h.write(&[2]);
                            h.write(&f.to_le_bytes());
                        }
                        ValueRef::Text(s) | ValueRef::Blob(s) => {
                            h.write(&[3]);
                            h.write(&(s.len() as u64).to_le_bytes());
                            h.write(s);
                        }
                    }
                }
            }
        }
        Ok(format!("{:016x}", h.0))
    }
}
