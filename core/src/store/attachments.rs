//! Attachments in the store: a message's attachment rows (metadata; the bytes are in the
//! blob store), the other recipients of a group message, and the attachments of a desktop's
//! reply request. Written here for the phone's own changes ([`WriteTx::set_attachments`])
//! and for other devices' ops (`apply`), read by [`Reader::attachments`].

use rusqlite::{Connection, OptionalExtension, params};

use super::tx::WriteTx;
use super::{MessageId, Reader, StoreError};
use crate::attachment::{Attachment, AttachmentState, BlobHash, Thumbnail};
use crate::oplog::op::Change;

/// Replaces a message's attachment rows (and, when given, its text and other recipients).
/// Returns false when the message is not held.
pub(crate) fn write(
    conn: &Connection,
    message: i64,
    text: Option<&str>,
    others: &[String],
    attachments: &[Attachment],
) -> Result<bool, StoreError> {
    let held = conn
        .prepare_cached("SELECT 1 FROM messages WHERE id = ?1")?
        .exists([message])?;
    if !held {
        return Ok(false);
    }
    conn.prepare_cached("DELETE FROM attachments WHERE message_id = ?1")?
        .execute([message])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO attachments (message_id, position, content_type, size, hash, name,
                                  thumbnail_hash, thumbnail_size, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (position, a) in attachments.iter().enumerate() {
        insert.execute(params![
            message,
            position as i64,
            a.content_type,
            i64::try_from(a.size).unwrap_or(i64::MAX),
            a.hash.map(|h| h.to_hex()),
            a.name,
            a.thumbnail.map(|t| t.hash.to_hex()),
            a.thumbnail.map(|t| t.size),
            a.state.as_str(),
        ])?;
    }
    if let Some(text) = text {
        conn.prepare_cached("UPDATE messages SET body = ?2 WHERE id = ?1")?
            .execute(params![message, text])?;
    }
    let others = if others.is_empty() {
        None
    } else {
        Some(serde_json::to_string(others).map_err(|e| StoreError::Corrupt(e.to_string()))?)
    };
    conn.prepare_cached("UPDATE messages SET others = ?2 WHERE id = ?1")?
        .execute(params![message, others])?;
    Ok(true)
}

/// Keeps the attachments a desktop's reply request carries, beside the request.
pub(crate) fn write_for_request(
    conn: &Connection,
    origin: &str,
    request: &str,
    attachments: &[Attachment],
) -> Result<bool, StoreError> {
    let json =
        serde_json::to_string(attachments).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(conn
        .prepare_cached("UPDATE requests SET attachments = ?3 WHERE origin = ?1 AND id = ?2")?
        .execute(params![origin, request, json])?
        > 0)
}

fn hash(column: Option<String>) -> Result<Option<BlobHash>, StoreError> {
    column
        .map(|h| BlobHash::from_hex(&h).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

impl WriteTx<'_> {
    /// Sets a message's attachments (and its text and other recipients, when completing a
    /// picture message), and records them for other devices.
    pub fn set_attachments(
        &self,
        message: MessageId,
        text: Option<&str>,
        others: &[String],
        attachments: &[Attachment],
    ) -> Result<(), StoreError> {
        let (tx, _, _) = self.parts();
        if write(tx, message.0, text, others, attachments)? {
            self.push(Change::Attachments {
                message: message.0,
                text: text.map(str::to_string),
                others: others.to_vec(),
                attachments: attachments.to_vec(),
            });
        }
        Ok(())
    }
}

impl WriteTx<'_> {
    /// Gives a reply request this desktop wrote in the same transaction its photos, and
    /// records them for the phone (desktop only; the phone fetches the bytes by hash).
    pub fn attach_to_request(
        &self,
        request: &str,
        attachments: &[Attachment],
    ) -> Result<(), StoreError> {
        let (tx, origin, _) = self.parts();
        if write_for_request(tx, origin, request, attachments)? {
            self.push(Change::ReplyAttachments {
                request: request.to_string(),
                attachments: attachments.to_vec(),
            });
        }
        Ok(())
    }
}

impl Reader<'_> {
    /// A message's attachments, in order.
    pub fn attachments(&self, message: MessageId) -> Result<Vec<Attachment>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT content_type, size, hash, name, thumbnail_hash, thumbnail_size, state
             FROM attachments WHERE message_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([message.0], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<u32>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (content_type, size, h, name, thumb, thumb_size, state) = row?;
            let state = AttachmentState::from_name(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("attachment state {state:?}")))?;
            let thumbnail = match (hash(thumb)?, thumb_size) {
                (Some(hash), Some(size)) => Some(Thumbnail { hash, size }),
                _ => None,
            };
            out.push(Attachment {
                content_type,
                size: u64::try_from(size).unwrap_or(0),
                hash: hash(h)?,
                name,
                thumbnail,
                state,
            });
        }
        Ok(out)
    }

    /// The message a platform id (or request key) names, if any.
    pub fn message_by_source(&self, source_id: &str) -> Result<Option<MessageId>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM messages WHERE source_id = ?1")?
            .query_row([source_id], |r| r.get(0))
            .optional()?
            .map(MessageId))
    }

    /// The other recipients of a group message (empty for one-to-one).
    pub fn message_others(&self, message: MessageId) -> Result<Vec<String>, StoreError> {
        let json: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT others FROM messages WHERE id = ?1")?
            .query_row([message.0], |r| r.get(0))
            .optional()?;
        match json.flatten() {
            None => Ok(Vec::new()),
            Some(json) => {
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))
            }
        }
    }

    /// Whether any message holds a blob, as an attachment or a thumbnail: the blob
    /// protocol serves only those.
    pub fn blob_is_referenced(&self, hash: &BlobHash) -> Result<bool, StoreError> {
        let hex = hash.to_hex();
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM attachments WHERE hash = ?1
                 UNION ALL SELECT 1 FROM attachments WHERE thumbnail_hash = ?1 LIMIT 1",
            )?
            .exists([hex])?)
    }

    /// The blobs a desktop fetches without being asked, newest message first: every
    /// thumbnail, and each full size of at most `eager_full_bytes` (0: none); at most
    /// `limit` of them.
    pub fn blobs_to_prefetch(
        &self,
        eager_full_bytes: u64,
        limit: u32,
    ) -> Result<Vec<(BlobHash, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h, s FROM (
               SELECT message_id AS m, thumbnail_hash AS h, thumbnail_size AS s FROM attachments
                 WHERE thumbnail_hash IS NOT NULL
               UNION ALL
               SELECT message_id AS m, hash AS h, size AS s FROM attachments
                 WHERE hash IS NOT NULL AND state = 'downloaded' AND size <= ?1)
             ORDER BY m DESC LIMIT ?2",
        )?;
        let eager = i64::try_from(eager_full_bytes).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![eager, limit], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (h, size) = row?;
            if let Some(hash) = hash(Some(h))? {
                out.push((hash, size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0)));
            }
        }
        Ok(out)
    }

    /// The photos that pending replies wait for and that the phone does not hold (`held`
    /// says which it does), each with the desktop whose request names it.
    pub fn photos_replies_wait_for(
        &self,
        held: impl Fn(&BlobHash) -> bool,
    ) -> Result<Vec<(String, BlobHash)>, StoreError> {
        // Only requests with photos (a partial index), pending as `pending_requests` says:
        // neither refused nor sent.
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.origin, r.attachments FROM requests r
             WHERE r.attachments IS NOT NULL AND r.refused IS NULL
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.source_id = r.key)
             ORDER BY r.requested_at, r.origin, r.id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (origin, json) = row?;
            let list: Vec<Attachment> =
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            for hash in list.into_iter().filter_map(|a| a.hash) {
                if !held(&hash) {
                    out.push((origin.clone(), hash));
                }
            }
        }
        Ok(out)
    }

    /// Whether a reply request written by `origin` names a blob: a desktop serves the phone
    /// only those.
    pub fn request_names_blob(&self, origin: &str, hash: &BlobHash) -> Result<bool, StoreError> {
        let hex = hash.to_hex();
        let mut stmt = self.conn.prepare_cached(
            "SELECT attachments FROM requests
             WHERE origin = ?1 AND attachments IS NOT NULL AND instr(attachments, ?2) > 0",
        )?;
        let rows = stmt.query_map(params![origin, hex], |r| r.get::<_, String>(0))?;
        for json in rows {
            let list: Vec<Attachment> =
                serde_json::from_str(&json?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if list.iter().any(|a| a.hash.as_ref() == Some(hash)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The attachments a desktop's reply request carries.
    pub fn request_attachments(
        &self,
        origin: &str,
        request: &str,
    ) -> Result<Vec<Attachment>, StoreError> {
        let json: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT attachments FROM requests WHERE origin = ?1 AND id = ?2")?
            .query_row(params![origin, request], |r| r.get(0))
            .optional()?;
        match json.flatten() {
            None => Ok(Vec::new()),
            Some(json) => {
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))
            }
        }
    }
}
