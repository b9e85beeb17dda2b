// Over 600 lines, one concept: the desktop's paged queries and their shared row readers.
//! The queries the desktop runs most: inbox page, thread page, missed-call page, search.
//! Each is keyset-paged on an index, so a page costs the same on the millionth message.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{
    ConversationId, Message, MessageId, Store, StoreError, from_ms, ms, opt_ms, parse_name,
    parse_outcome, read_decision, read_message_row,
};
use crate::assistant::{AssistantState, LeadFields, lead_card};
use crate::call::{CallDecision, CallOutcome, Line};
use crate::conversation::LeadStatus;
use crate::message::{Direction, MessageKind, MessageStatus};
use crate::opt_out::ReviewState;

/// Which conversations the inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum InboxFilter {
    /// Every conversation that is not archived.
    #[default]
    All,
    /// With unread texts.
    Unread,
    /// The caller spoke last.
    NeedsReply,
    /// Lead booked.
    Booked,
    /// Opted out.
    OptedOut,
}

impl InboxFilter {
    /// The SQL condition over `c` (conversation), `m` (its last message), `o` (opt-out).
    fn condition(self) -> &'static str {
        match self {
            InboxFilter::All => "c.archived = 0",
            InboxFilter::Unread => "c.unread > 0",
            InboxFilter::NeedsReply => "m.direction = 'inbound'",
            InboxFilter::Booked => "c.lead_status = 'booked'",
            InboxFilter::OptedOut => "o.number IS NOT NULL",
        }
    }
}

/// Where the next inbox page starts: the last row of the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InboxCursor {
    /// Its activity time (ms).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub last_activity_at: i64,
    /// Its id.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub id: i64,
}

/// One row of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConversationSummary {
    /// Row id.
    pub id: ConversationId,
    /// The line it belongs to.
    pub line: Line,
    /// The other party.
    pub number: String,
    /// Their name in the phone's contacts.
    pub contact_name: Option<String>,
    /// Unread inbound texts.
    pub unread: u32,
    /// The lead's standing.
    pub lead_status: LeadStatus,
    /// Whether the number opted out.
    pub opted_out: bool,
    /// Whether automated texts to the number wait for a person (a likely opt-out).
    pub paused: bool,
    /// Last activity.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub last_activity_at: Timestamp,
    /// The latest message: direction, kind, status and body.
    pub last_message: Option<(Direction, MessageKind, MessageStatus, String)>,
    /// The content type of the latest message's first attachment (empty for a picture
    /// message not downloaded yet), so the inbox can say "📷 Photo".
    pub last_attachment: Option<String>,
}

impl ConversationSummary {
    /// The cursor that continues after this row.
    pub fn cursor(&self) -> InboxCursor {
        InboxCursor {
            last_activity_at: ms(self.last_activity_at),
            id: self.id.0,
        }
    }
}

/// A call as the missed-calls page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallRecord {
    /// Row id.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub id: i64,
    /// The caller as given.
    pub caller: String,
    /// E.164 when it has one.
    pub number: Option<String>,
    /// Line.
    pub line: Line,
    /// How it ended.
    pub outcome: CallOutcome,
    /// When.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub ended_at: Timestamp,
    /// What the phone decided (none for a call that needed no decision).
    pub decision: Option<CallDecision>,
    /// When the text-back left.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub texted_at: Option<Timestamp>,
    /// Whether the caller texted after the call.
    pub replied: bool,
    /// The conversation with the caller, when there is one.
    pub conversation_id: Option<ConversationId>,
}

/// A conversation as its screen shows it (the thread aside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConversationDetail {
    /// Row id.
    pub id: ConversationId,
    /// The line it belongs to.
    pub line: Line,
    /// The other party.
    pub number: String,
    /// Their name in the phone's contacts.
    pub contact_name: Option<String>,
    /// Unread inbound texts.
    pub unread: u32,
    /// The lead's standing.
    pub lead_status: LeadStatus,
    /// Hidden from the inbox.
    pub archived: bool,
    /// The team's private note.
    pub note: String,
    /// Inbound messages with a larger id are unread.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub read_up_to: i64,
    /// Last activity.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub last_activity_at: Timestamp,
    /// When the number texted STOP (and not START since).
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub opted_out_since: Option<Timestamp>,
    /// The review of a likely opt-out from this number, if it ever had one.
    pub opt_out_review: Option<super::OptOutReview>,
    /// What the assistant learned about the job.
    pub lead: LeadFields,
    /// The lead card in one line ("Leaking pipe · 10001 · urgent · today after 3").
    pub lead_card: String,
    /// The assistant's draft for the composer; empty when there is none.
    pub draft: String,
    /// Where the assistant stands here; `None` when it never took part.
    pub assistant: Option<AssistantState>,
}

/// A booked appointment as the appointments list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppointmentRow {
    /// Its id (from the phone).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub id: i64,
    /// The conversation it was booked in.
    pub conversation_id: ConversationId,
    /// The caller's number.
    pub number: String,
    /// Their name in the phone's contacts.
    pub contact_name: Option<String>,
    /// When it starts.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub start: Timestamp,
    /// When it ends.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub end: Timestamp,
    /// The lead card when it was booked.
    pub summary: String,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchHit {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The matching message, when the match is in a message (else the contact's name matched).
    pub message_id: Option<MessageId>,
    /// The matching text.
    pub text: String,
}

/// Turns what a person typed into an FTS5 query that cannot be a syntax error: each word
/// quoted, the last one a prefix.
fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split_whitespace()
        .map(|w| w.replace('"', "\"\""))
        .filter(|w| !w.is_empty())
        .take(16)
        .collect();
    if words.is_empty() {
        return None;
    }
    let last = words.len() - 1;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("\"{w}\"*")
                } else {
                    format!("\"{w}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

impl Store {
    /// A page of the inbox, most recent activity first.
    pub fn inbox_page(
        &self,
        filter: InboxFilter,
        after: Option<InboxCursor>,
        limit: u32,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        let condition = filter.condition();
        let sql = format!(
            "SELECT c.id, c.line, c.number, ct.name, c.unread, c.lead_status, o.number IS NOT NULL,
                    c.last_activity_at, m.direction, m.kind, m.status, m.body,
                    coalesce(r.state IN ('pending', 'opt_out'), 0),
                    (SELECT a.content_type FROM attachments a
                     WHERE a.message_id = c.last_message_id ORDER BY a.position LIMIT 1)
             FROM conversations c
             LEFT JOIN messages m ON m.id = c.last_message_id
             LEFT JOIN contacts ct ON ct.number = c.number
             LEFT JOIN opt_outs o ON o.number = c.number
             LEFT JOIN opt_out_reviews r ON r.number = c.number
             WHERE {condition} AND (c.last_activity_at, c.id) < (?1, ?2)
             ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?3"
        );
        let (at, id) = after.map_or((i64::MAX, i64::MAX), |c| (c.last_activity_at, c.id));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![at, id, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<String>>(11)?,
                r.get::<_, bool>(12)?,
                r.get::<_, Option<String>>(13)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                line,
                number,
                name,
                unread,
                lead,
                opted_out,
                at,
                dir,
                kind,
                status,
                body,
                paused,
                last_attachment,
            ) = row?;
            let last_message = match (dir, kind, status, body) {
                (Some(d), Some(k), Some(s), Some(b)) => Some((
                    parse_name(&d, "direction", Direction::from_name)?,
                    parse_name(&k, "message kind", MessageKind::from_name)?,
                    parse_name(&s, "message status", MessageStatus::from_name)?,
                    b,
                )),
                _ => None,
            };
            out.push(ConversationSummary {
                id: ConversationId(id),
                line: Line(line),
                number,
                contact_name: name,
                unread,
                lead_status: parse_name(&lead, "lead status", LeadStatus::from_name)?,
                opted_out,
                paused,
                last_activity_at: from_ms(at)?,
                last_message,
                last_attachment,
            });
        }
        Ok(out)
    }

    /// How many conversations `inbox_page` pages through under `filter` (a virtual list's
    /// height).
    pub fn inbox_count(&self, filter: InboxFilter) -> Result<u64, StoreError> {
        let sql = match filter {
            // The common cases need no join.
            InboxFilter::All | InboxFilter::Unread | InboxFilter::Booked => {
                format!(
                    "SELECT count(*) FROM conversations c WHERE {}",
                    filter.condition()
                )
            }
            _ => format!(
                "SELECT count(*) FROM conversations c
                 LEFT JOIN messages m ON m.id = c.last_message_id
                 LEFT JOIN opt_outs o ON o.number = c.number
                 WHERE {}",
                filter.condition()
            ),
        };
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row([], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// A conversation with what the conversation screen shows besides the thread.
    pub fn conversation(
        &self,
        id: ConversationId,
    ) -> Result<Option<ConversationDetail>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT c.line, c.number, ct.name, c.unread, c.lead_status, c.archived, c.note,
                        c.read_up_to, c.last_activity_at, o.since, c.lead, c.draft, c.assistant,
                        r.state, r.since
                 FROM conversations c
                 LEFT JOIN contacts ct ON ct.number = c.number
                 LEFT JOIN opt_outs o ON o.number = c.number
                 LEFT JOIN opt_out_reviews r ON r.number = c.number
                 WHERE c.id = ?1",
            )?
            .query_row([id.0], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, u32>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, bool>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, Option<i64>>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, String>(12)?,
                    r.get::<_, Option<String>>(13)?,
                    r.get::<_, Option<i64>>(14)?,
                ))
            })
            .optional()?;
        let Some((
            line,
            number,
            name,
            unread,
            lead,
            archived,
            note,
            read_up_to,
            at,
            since,
            card,
            draft,
            state,
            review_state,
            review_since,
        )) = row
        else {
            return Ok(None);
        };
        let card: LeadFields = serde_json::from_str(&card)
            .map_err(|e| StoreError::Corrupt(format!("lead card: {e}")))?;
        let assistant = if state.is_empty() {
            None
        } else {
            Some(
                serde_json::from_str::<AssistantState>(&state)
                    .map_err(|e| StoreError::Corrupt(format!("assistant state: {e}")))?,
            )
        };
        let opt_out_review = match (review_state, review_since) {
            (Some(state), Some(since)) => Some(super::OptOutReview {
                state: parse_name(&state, "opt-out review", ReviewState::from_name)?,
                since: from_ms(since)?,
            }),
            _ => None,
        };
        Ok(Some(ConversationDetail {
            id,
            line: Line(line),
            number,
            contact_name: name,
            unread,
            lead_status: parse_name(&lead, "lead status", LeadStatus::from_name)?,
            archived,
            note,
            read_up_to,
            last_activity_at: from_ms(at)?,
            opted_out_since: opt_ms(since)?,
            opt_out_review,
            lead_card: lead_card(&card),
            lead: card,
            draft,
            assistant,
        }))
    }

    /// How many assistant texts went to a conversation since `since` (queued ones count:
    /// they are on their way).
    pub fn assistant_texts_since(
        &self,
        conversation: ConversationId,
        since: Timestamp,
    ) -> Result<u32, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM messages
                 WHERE conversation_id = ?1 AND kind = 'assistant' AND created_at >= ?2
                   AND status NOT IN ('failed', 'cancelled')",
            )?
            .query_row(params![conversation.0, ms(since)], |r| r.get(0))?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Conversations where the assistant's state is `status`.
    pub fn assistant_in(
        &self,
        status: crate::assistant::AssistantStatus,
    ) -> Result<Vec<ConversationId>, StoreError> {
        let name = serde_json::to_value(status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM conversations
             WHERE assistant <> '' AND json_extract(assistant, '$.status') = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([name], |r| r.get::<_, i64>(0))?;
        rows.map(|r| Ok(ConversationId(r?))).collect()
    }

    /// Appointments that end after `from`, soonest first (at most `limit`).
    pub fn appointments(
        &self,
        from: Timestamp,
        limit: u32,
    ) -> Result<Vec<AppointmentRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.conversation_id, coalesce(c.number, ''), ct.name, a.start_at,
                    a.end_at, a.summary
             FROM appointments a
             LEFT JOIN conversations c ON c.id = a.conversation_id
             LEFT JOIN contacts ct ON ct.number = c.number
             WHERE a.end_at > ?1
             ORDER BY a.start_at, a.id
             LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![ms(from), limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, conversation, number, contact_name, start, end, summary) = row?;
            out.push(AppointmentRow {
                id,
                conversation_id: ConversationId(conversation),
                number,
                contact_name,
                start: from_ms(start)?,
                end: from_ms(end)?,
                summary,
            });
        }
        Ok(out)
    }

    /// Calls with `number` (every outcome, on every line), newest first.
    pub fn calls_with(&self, number: &str, limit: u32) -> Result<Vec<CallRecord>, StoreError> {
        self.calls_where("k.number = ?1", params![number, limit])
    }

    /// One call by its id.
    pub fn call(&self, id: i64) -> Result<Option<CallRecord>, StoreError> {
        Ok(self
            .calls_where("k.id = ?1", params![id, 1])?
            .into_iter()
            .next())
    }

    /// A page of a thread, newest first, starting before message `before` when given.
    pub fn thread_page(
        &self,
        conversation: ConversationId,
        before: Option<MessageId>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let (before_at, before_id) = match before {
            Some(id) => match self.reader().message(id)? {
                Some(m) => (ms(m.created_at), id.0),
                None => return Ok(Vec::new()),
            },
            None => (i64::MAX, i64::MAX),
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, conversation_id, direction, kind, body, status, failure, created_at, due_at,
                    left_at, hold, hold_until, failure_kind
             FROM messages WHERE conversation_id = ?1 AND (created_at, id) < (?2, ?3)
             ORDER BY created_at DESC, id DESC LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![conversation.0, before_at, before_id, limit],
            read_message_row,
        )?;
        rows.map(|r| Message::try_from(r?)).collect()
    }

    /// A page of calls that got a decision (the missed-calls page), newest first.
    pub fn missed_calls_page(
        &self,
        before: Option<(i64, i64)>,
        limit: u32,
    ) -> Result<Vec<CallRecord>, StoreError> {
        let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
        self.calls_where(
            "k.decision IS NOT NULL AND (k.ended_at, k.id) < (?1, ?2)",
            params![at, id, limit],
        )
    }

    /// Calls matching `condition` (over `k`), newest first; the last parameter is the limit.
    fn calls_where(
        &self,
        condition: &str,
        parameters: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<CallRecord>, StoreError> {
        let limit = parameters.len();
        let sql = format!(
            "SELECT k.id, k.caller, k.number, k.line, k.outcome, k.ended_at, k.decision, k.skip_reason,
                    m.left_at, k.conversation_id,
                    EXISTS (SELECT 1 FROM messages i WHERE i.conversation_id = k.conversation_id
                            AND i.direction = 'inbound' AND i.created_at >= k.ended_at)
             FROM calls k LEFT JOIN messages m ON m.id = k.message_id
             WHERE {condition}
             ORDER BY k.ended_at DESC, k.id DESC LIMIT ?{limit}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(parameters, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<i64>>(8)?,
                r.get::<_, Option<i64>>(9)?,
                r.get::<_, bool>(10)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, caller, number, line, outcome, ended, decision, reason, left, conv, replied) =
                row?;
            out.push(CallRecord {
                id,
                caller,
                number,
                line: Line(line),
                outcome: parse_outcome(&outcome)?,
                ended_at: from_ms(ended)?,
                decision: read_decision(decision.as_deref(), reason.as_deref())?,
                texted_at: opt_ms(left)?,
                replied,
                conversation_id: conv.map(ConversationId),
            });
        }
        Ok(out)
    }

    /// Full-text search over message bodies and contact names, newest messages first.
    pub fn search(&self, input: &str, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
        let Some(query) = fts_query(input) else {
            return Ok(Vec::new());
        };
        let mut hits = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, ct.name FROM contacts_fts f
             JOIN contacts ct ON ct.rowid = f.rowid
             JOIN conversations c ON c.number = ct.number
             WHERE contacts_fts MATCH ?1 LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![query, limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (conv, name) = row?;
            hits.push(SearchHit {
                conversation_id: ConversationId(conv),
                message_id: None,
                text: name,
            });
        }
        let remaining = limit.saturating_sub(hits.len() as u32);
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, m.conversation_id, m.body FROM messages_fts f
             JOIN messages m ON m.id = f.rowid
             WHERE messages_fts MATCH ?1 ORDER BY f.rowid DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![query, remaining], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, conv, body) = row?;
            hits.push(SearchHit {
                conversation_id: ConversationId(conv),
                message_id: Some(MessageId(id)),
                text: body,
            });
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn fts_query_quotes_every_word() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("leak pip").as_deref(), Some("\"leak\" \"pip\"*"));
        assert_eq!(fts_query("a\"b OR").as_deref(), Some("\"a\"\"b\" \"OR\"*"));
    }
}
