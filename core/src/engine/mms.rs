//! Picture messages (MMS): an inbound one recorded like a caller's text (it counts as the
//! caller texting), with its attachments' metadata on the message.

use super::{Engine, EngineError, InboundMms, InboundSms, Outcome};
use crate::attachment::{Attachment, AttachmentData, AttachmentState, BlobHash, check_new};

impl Engine {
    pub(super) fn receive_mms(&mut self, mms: InboundMms) -> Result<Vec<Outcome>, EngineError> {
        // First step: the text goes through the inbound rules as a text would; the
        // attachments' metadata is set on the message it became. The blob store, completing
        // a message reported not downloaded, and bad parts come in the next steps.
        if let Err(error) = check_new(&mms.attachments) {
            tracing::warn!(%error, "a picture message's parts were refused");
        }
        let attachments: Vec<Attachment> = if mms.downloaded {
            mms.attachments
                .iter()
                .filter_map(|a| match &a.data {
                    AttachmentData::Bytes(bytes) => Some(Attachment {
                        content_type: a.content_type.to_ascii_lowercase(),
                        size: bytes.len() as u64,
                        hash: Some(BlobHash::of(bytes)),
                        name: a.name.clone(),
                        thumbnail: None,
                        state: AttachmentState::Downloaded,
                    }),
                    AttachmentData::Path(_) => None,
                })
                .collect()
        } else {
            vec![Attachment::not_downloaded()]
        };
        let source_id = mms.source_id.clone();
        let outcomes = self.receive(InboundSms {
            source_id: Some(source_id.clone()),
            from: mms.from,
            body: mms.text,
            line: mms.line,
            at: mms.at,
        })?;
        if let Some(id) = self.store.reader().message_by_source(&source_id)? {
            self.store.write(mms.at, "mms_received", |tx| {
                tx.set_attachments(id, None, &mms.others, &attachments)
            })?;
        }
        Ok(outcomes)
    }
}
