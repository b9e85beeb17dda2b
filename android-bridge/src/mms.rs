//! Picture messages on the phone: what the MMS provider's rows mean to the engine, the
//! watch over the provider (a persisted `_id` cursor, and the messages the default app has
//! not downloaded yet, looked at again until it has), and a send's result in words.
//!
//! Ringback is not the default SMS app: the default app downloads an MMS into the provider,
//! first as a notification (`m_type` 130, no parts), then as the message itself (132),
//! either in place or as a new row with the same content location (`ct_l`), deleting the
//! notification. Both name the message by its content location, so the engine completes the
//! "not downloaded yet" message it recorded instead of recording a second one.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use ringback_core::attachment::{
    AttachmentData, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, NewAttachment,
};
use ringback_core::call::Line;
use ringback_core::engine::InboundMms;
use ringback_core::mms::pdu::{
    EncodeError, Part, SendRequest as PduRequest, encode_send_request, response_status_words,
};
use ringback_core::ports::{MmsRequest, SendError};

use crate::platform::android::{ProviderBox, ProviderMms};

/// `PduHeaders.FROM` as the provider's `addr.type`.
pub const ADDRESS_FROM: i32 = 137;
/// `PduHeaders.TO`.
pub const ADDRESS_TO: i32 = 151;
/// `PduHeaders.CC`.
pub const ADDRESS_CC: i32 = 130;

/// `PduHeaders.MESSAGE_TYPE_NOTIFICATION_IND`: announced, not downloaded yet.
pub const TYPE_NOTIFICATION: i32 = 130;

/// The largest part read from the provider (what the store keeps).
pub const MAX_PART_BYTES: u64 = MAX_ATTACHMENT_BYTES;

/// How many not-downloaded messages are watched at once, and for how long: a notification
/// the default app never downloads (expired on the carrier's server) is let go.
const MAX_PENDING: usize = 100;
const PENDING_FOR_MS: i64 = 7 * 24 * 3600 * 1000;

/// What the provider row tells the engine, or `None` for a row that is not an inbound
/// picture message (sent, a draft) or has no sender.
///
/// The sender is the `addr` of type 137. Recipients (151 to, 130 cc) other than the sender
/// are the group; a message to one recipient only is to the owner, so it has no group. In a
/// group the owner's own number is among them unless `own_numbers` names it (Android gives
/// an app the line's number only with READ_PHONE_NUMBERS).
pub fn inbound_of(row: &ProviderMms, own_numbers: &[String]) -> Option<InboundMms> {
    if row.kind != ProviderBox::Inbox {
        return None;
    }
    let usable = |address: &str| !address.is_empty() && address != "insert-address-token";
    let from = row
        .addresses
        .iter()
        .find(|a| a.kind == ADDRESS_FROM && usable(&a.address))?
        .address
        .clone();
    let mut others: Vec<String> = Vec::new();
    for address in &row.addresses {
        let recipient = matches!(address.kind, ADDRESS_TO | ADDRESS_CC);
        if recipient
            && usable(&address.address)
            && !same_number(&address.address, &from)
            && !others.iter().any(|o| same_number(o, &address.address))
        {
            others.push(address.address.clone());
        }
    }
    let owned = |o: &String| own_numbers.iter().any(|own| same_number(own, o));
    if others.iter().any(owned) {
        others.retain(|o| !owned(o));
    } else if others.len() == 1 {
        // The one recipient of a message to one person is the owner.
        others.clear();
    }

    let downloaded = row.message_type != TYPE_NOTIFICATION;
    let mut texts = Vec::new();
    let mut attachments = Vec::new();
    if downloaded {
        for part in &row.parts {
            if part.content_type == "text/plain" {
                if let Some(text) = part
                    .text
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                {
                    texts.push(text.to_owned());
                }
            } else if part.wants_bytes() {
                match &part.data {
                    Some(bytes) if attachments.len() < MAX_ATTACHMENTS => {
                        attachments.push(NewAttachment {
                            content_type: part.content_type.clone(),
                            name: part.name.clone(),
                            data: AttachmentData::Bytes(bytes.clone()),
                            thumbnail: None,
                        });
                    }
                    Some(_) => tracing::debug!("an MMS part past the {MAX_ATTACHMENTS} kept"),
                    None if part.too_large => {
                        tracing::info!("an MMS part over {MAX_PART_BYTES} bytes was left out");
                    }
                    None => tracing::debug!("an MMS part had no bytes"),
                }
            }
        }
    }
    Some(InboundMms {
        source_id: source_id(row),
        from,
        others,
        text: texts.join("\n"),
        attachments,
        line: match row.subscription_id {
            Some(id) if id >= 0 => Line(id.to_string()),
            _ => Line::default(),
        },
        at: Timestamp::from_millisecond(row.date_ms)
            .ok()
            .filter(|_| row.date_ms > 0)
            .unwrap_or_else(Timestamp::now),
        downloaded,
    })
}

/// The id of a picture message across its notification and its download: its content
/// location when the provider has one, else its row id.
pub fn source_id(row: &ProviderMms) -> String {
    match &row.content_location {
        Some(location) => format!("mms-ct:{location}"),
        None => format!("mms-id:{}", row.id),
    }
}

fn same_number(a: &str, b: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let (a, b) = (digits(a), digits(b));
    !a.is_empty() && a == b
}

/// Where the provider watch stands: the highest `_id` handled, and the not-downloaded
/// messages to look at again (id and date), kept in a file in the data folder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MmsWatch {
    /// The highest `_id` handled; `None` before the first read (which starts at the end).
    pub cursor: Option<i64>,
    /// Not-downloaded messages: `_id` and date (UTC ms), oldest first.
    pub pending: Vec<(i64, i64)>,
}

impl MmsWatch {
    /// The file it is kept in.
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("mms-provider.cursor")
    }

    /// Reads the file: the cursor on the first line, then one `id date` a line. A missing
    /// or damaged file is a fresh watch (the next read starts at the provider's end).
    pub fn load(path: &Path) -> MmsWatch {
        let Ok(text) = std::fs::read_to_string(path) else {
            return MmsWatch::default();
        };
        let mut lines = text.lines();
        let cursor = lines.next().and_then(|l| l.trim().parse().ok());
        let pending = lines
            .filter_map(|line| {
                let (id, date) = line.trim().split_once(' ')?;
                Some((id.parse().ok()?, date.parse().ok()?))
            })
            .take(MAX_PENDING)
            .collect();
        MmsWatch { cursor, pending }
    }

    /// Writes the file atomically (a crash leaves the old state or the new).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let mut text = self.cursor.map_or(String::new(), |c| c.to_string());
        text.push('\n');
        for (id, date) in &self.pending {
            text.push_str(&format!("{id} {date}\n"));
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| format!("Ringback could not save its place in the picture messages ({e})"))
    }

    /// Watches a not-downloaded message until it is downloaded or let go; the oldest is
    /// let go past [`MAX_PENDING`].
    pub fn watch(&mut self, id: i64, date_ms: i64) {
        if !self.pending.iter().any(|(p, _)| *p == id) {
            self.pending.push((id, date_ms));
        }
        while self.pending.len() > MAX_PENDING {
            self.pending.remove(0);
        }
    }

    /// Lets go of a message (downloaded, deleted).
    pub fn forget(&mut self, id: i64) {
        self.pending.retain(|(p, _)| *p != id);
    }

    /// Lets go of messages announced more than a week before `now_ms`.
    pub fn expire(&mut self, now_ms: i64) {
        self.pending
            .retain(|(_, date)| now_ms.saturating_sub(*date) < PENDING_FOR_MS);
    }
}

/// `SmsManager.MMS_ERROR_*` (API 21–31) in words a person can act on.
pub fn send_error_words(result_code: i32) -> String {
    match result_code {
        2 => "the phone's MMS settings (APN) are wrong for this carrier; check Settings → Mobile network → Access point names".into(),
        3 => "the phone could not reach the carrier's MMS server; check mobile data and try again".into(),
        4 => "the carrier's MMS server refused the message (HTTP error); try a smaller photo or try again later".into(),
        5 => "the phone could not read the picture message to send (I/O error); try again".into(),
        6 => "the carrier asked to try again later".into(),
        7 => "the phone's MMS configuration is missing for this SIM".into(),
        8 => "no mobile data: picture messages need mobile data (Wi-Fi is not enough); turn mobile data on".into(),
        9 => "the SIM this conversation uses is not in the phone".into(),
        10 => "the SIM this conversation uses is switched off".into(),
        11 => "mobile data is off for this SIM: picture messages need it".into(),
        12 => "the carrier has turned picture messages off for this line".into(),
        code => format!("Android could not send the picture message (error {code})"),
    }
}

/// The m-send-req for a picture message: its text (when there is one) and its attachments,
/// in order, to the one recipient.
pub fn compose(request: &MmsRequest) -> Result<Vec<u8>, EncodeError> {
    let mut parts = Vec::with_capacity(request.attachments.len() + 1);
    if !request.text.trim().is_empty() {
        parts.push(Part::text(&request.text));
    }
    for attachment in &request.attachments {
        parts.push(Part {
            content_type: attachment.content_type.clone(),
            name: attachment.name.clone(),
            data: attachment.bytes.clone(),
            ..Part::default()
        });
    }
    encode_send_request(&PduRequest {
        transaction_id: format!("rb{}", request.message_id.0),
        to: vec![request.to.clone()],
        subject: None,
        delivery_report: false,
        parts,
    })
}

/// How long a composed PDU is kept for the telephony stack to read (it reads it once, but
/// may retry a send for a while).
const PDU_KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Writes a PDU into `folder` (made when missing) through a temporary file, so the provider
/// never serves half of one; PDUs older than a day are removed on the way.
pub fn write_pdu(folder: &Path, name: &str, pdu: &[u8]) -> Result<(), String> {
    let failed = |e: std::io::Error| {
        format!(
            "Ringback could not keep the picture message to send ({e}); free some space on the phone"
        )
    };
    std::fs::create_dir_all(folder).map_err(failed)?;
    if let Ok(entries) = std::fs::read_dir(folder) {
        for entry in entries.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|at| at.elapsed().ok())
                .is_some_and(|age| age > PDU_KEPT_FOR);
            if old {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let path = folder.join(name);
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, pdu)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(failed)
}

/// `Activity.RESULT_OK`, the sent intent's result code for a message the MMSC took.
pub const RESULT_OK: i32 = -1;

/// The result of a send from its sent report: `SmsManager`'s result code and the MMSC's
/// m-send-conf (`SmsManager.EXTRA_MMS_DATA`), whose Response-Status says whether the carrier
/// took it. A missing or unreadable m-send-conf after `RESULT_OK` counts as sent: Android
/// only reports OK after the MMSC answered HTTP 200.
pub fn send_result(result_code: i32, send_conf: &[u8]) -> Result<(), SendError> {
    if result_code != RESULT_OK {
        return Err(SendError::Other(send_error_words(result_code)));
    }
    if send_conf.is_empty() {
        return Ok(());
    }
    match ringback_core::mms::decode(send_conf) {
        Ok(pdu) => match pdu.response_status.and_then(response_status_words) {
            None => Ok(()),
            Some(words) => {
                let detail = pdu
                    .response_text
                    .filter(|t| !t.trim().is_empty())
                    .map(|t| format!(" (“{}”)", t.chars().take(120).collect::<String>()))
                    .unwrap_or_default();
                Err(SendError::Other(format!("{words}{detail}")))
            }
        },
        Err(error) => {
            tracing::debug!("the MMSC's answer could not be read: {error}");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
