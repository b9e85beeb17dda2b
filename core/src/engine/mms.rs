//! Picture messages (MMS). An inbound one is recorded like a caller's text (it counts as
//! the caller texting: follow-ups cancelled, the lead engaged, STOP in its text opts out),
//! its parts' bytes kept in the blob store and their metadata on the message. One the
//! phone's default app has not downloaded yet is recorded with a placeholder and completed
//! when the platform reports it again downloaded.

use super::{Engine, EngineError, InboundMms, InboundSms, Outcome};
use crate::attachment::{
    Attachment, AttachmentData, AttachmentState, MAX_ATTACHMENTS, MAX_OTHERS, MAX_THUMBNAIL_BYTES,
    NewAttachment, Thumbnail, check_new, normalize_content_type, placeholder,
};
use crate::blobs::BlobStore;
use crate::ports::{MmsPart, MmsRequest, SendError, SendRequest};
use crate::store::{StoreError, WriteTx};

/// A picture message's parts on their way into the store.
#[derive(Debug)]
pub(super) struct MmsParts {
    /// The other recipients of a group message.
    pub others: Vec<String>,
    /// The attachments, their bytes already in the blob store.
    pub attachments: Vec<Attachment>,
    /// Whether the default app had downloaded it.
    pub downloaded: bool,
}

/// Keeps one part's bytes (and its thumbnail) in the blob store; `None`, logged, when the
/// part is unusable. A bad part never costs the message: its text and the other parts are
/// kept.
fn keep_part(blobs: &BlobStore, index: usize, part: &NewAttachment) -> Option<Attachment> {
    if let Err(error) = check_new(std::slice::from_ref(part)) {
        tracing::warn!(part = index, %error, "a picture message's part was left out");
        return None;
    }
    let content_type = normalize_content_type(index, &part.content_type).ok()?;
    let kept = match &part.data {
        AttachmentData::Bytes(bytes) => blobs.put(bytes).map(|h| (h, bytes.len() as u64)),
        AttachmentData::Path(path) => blobs.put_file(path),
    };
    let (hash, size) = match kept {
        Ok(kept) => kept,
        Err(error) => {
            tracing::warn!(part = index, %error, "a picture message's part could not be kept");
            return None;
        }
    };
    // The platform's own thumbnail when it gave one; else one made here, so a desktop's
    // eager thumbnail fetch never has to take the full photo.
    let made = match (&part.thumbnail, crate::thumbnail::wanted(&content_type)) {
        (None, true) => made_thumbnail(blobs, &hash),
        _ => None,
    };
    let thumbnail = part
        .thumbnail
        .as_deref()
        .or(made.as_deref())
        .filter(|t| t.len() as u64 <= MAX_THUMBNAIL_BYTES)
        .and_then(|t| match blobs.put(t) {
            Ok(hash) => Some(Thumbnail {
                hash,
                size: t.len() as u32,
            }),
            Err(error) => {
                tracing::warn!(part = index, %error, "a thumbnail could not be kept");
                None
            }
        });
    Some(Attachment {
        content_type,
        size,
        hash: Some(hash),
        name: part.name.clone(),
        thumbnail,
        state: AttachmentState::Downloaded,
    })
}

/// A thumbnail of the photo kept as `hash`, read back from the blob store (so a part
/// handed in as a file is read once, bounded by the attachment limit already checked).
fn made_thumbnail(blobs: &BlobStore, hash: &crate::attachment::BlobHash) -> Option<Vec<u8>> {
    match blobs.get(hash) {
        Ok(Some(bytes)) => crate::thumbnail::make(&bytes),
        Ok(None) => None,
        Err(error) => {
            tracing::warn!(%error, "a photo could not be read back for its thumbnail");
            None
        }
    }
}

/// Completes a picture message recorded as not downloaded: its text and attachments set.
/// Returns false when there is nothing to complete (no such message, or already complete).
pub(super) fn complete(
    tx: &WriteTx<'_>,
    source_id: Option<&str>,
    text: &str,
    parts: Option<&MmsParts>,
) -> Result<bool, StoreError> {
    let (Some(source_id), Some(parts)) = (source_id, parts) else {
        return Ok(false);
    };
    let reader = tx.reader();
    let Some(id) = reader.message_by_source(source_id)? else {
        return Ok(false);
    };
    let pending = reader
        .attachments(id)?
        .iter()
        .any(|a| a.state == AttachmentState::NotDownloaded);
    if !pending {
        return Ok(false);
    }
    tx.set_attachments(id, Some(text), &parts.others, &parts.attachments)?;
    tracing::info!(message = id.0, "picture message completed");
    Ok(true)
}

/// What the assistant reads of a picture message: its text and "[photo]" for each photo.
pub(super) fn text_for_assistant(text: &str, attachments: &[Attachment]) -> String {
    let marks = placeholder(attachments);
    match (text.trim().is_empty(), marks.is_empty()) {
        (_, true) => text.to_string(),
        (true, false) => marks,
        (false, false) => format!("{text}\n{marks}"),
    }
}

impl Engine {
    /// Hands a reply with photos to the platform as a picture message, the photos read from
    /// the blob store. A photo the phone does not hold fails the reply in words.
    pub(super) fn hand_mms_to_platform(
        &self,
        request: &SendRequest,
        attachments: &[Attachment],
    ) -> Result<(), SendError> {
        let mut parts = Vec::with_capacity(attachments.len());
        for a in attachments {
            let bytes = match a.hash.map(|h| self.blobs.get(&h)) {
                Some(Ok(Some(bytes))) => bytes,
                Some(Err(error)) => {
                    return Err(SendError::Other(format!(
                        "a photo of this reply could not be read on the phone ({error})"
                    )));
                }
                _ => {
                    return Err(SendError::Other(
                        "a photo of this reply never reached the phone; attach it again and resend"
                            .into(),
                    ));
                }
            };
            parts.push(MmsPart {
                content_type: a.content_type.clone(),
                name: a.name.clone(),
                bytes,
            });
        }
        tracing::info!(
            message = request.message_id.0,
            parts = parts.len(),
            "sending picture message"
        );
        self.ports.telephony.send_mms(&MmsRequest {
            message_id: request.message_id,
            line: request.line.clone(),
            to: request.to.clone(),
            text: request.body.clone(),
            attachments: parts,
        })
    }

    pub(super) fn receive_mms(&mut self, mms: InboundMms) -> Result<Vec<Outcome>, EngineError> {
        let attachments = if mms.downloaded {
            if mms.attachments.len() > MAX_ATTACHMENTS {
                tracing::warn!(
                    parts = mms.attachments.len(),
                    "a picture message has more parts than Ringback keeps; the first {MAX_ATTACHMENTS} are kept"
                );
            }
            mms.attachments
                .iter()
                .take(MAX_ATTACHMENTS)
                .enumerate()
                .filter_map(|(i, part)| keep_part(&self.blobs, i + 1, part))
                .collect()
        } else {
            vec![Attachment::not_downloaded()]
        };
        let mut others = mms.others;
        others.truncate(MAX_OTHERS);
        others.retain(|o| o.len() <= 64);
        let parts = MmsParts {
            others,
            attachments,
            downloaded: mms.downloaded,
        };
        self.receive_inbound(
            InboundSms {
                source_id: Some(mms.source_id),
                from: mms.from,
                body: mms.text,
                line: mms.line,
                at: mms.at,
            },
            Some(&parts),
        )
    }
}
