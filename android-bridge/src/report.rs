//! Reading the radio's reports: the result code of each part's "sent" `PendingIntent`, the
//! status of each part's delivery report (3GPP and 3GPP2 PDUs), and the tally that turns
//! per-part reports into one report per message.
//!
//! A long text leaves as several parts, each with its own sent and delivered report. The
//! message is sent when every part reported `RESULT_OK`, failed at the first part that did
//! not; it is delivered when every part's report says complete, failed at the first part
//! whose report says the network gave up.

use std::collections::{BTreeSet, HashMap};

use ringback_core::engine::DeliveryStatus;
use ringback_core::ports::SendError;

// The names on each part's report `PendingIntent`, written here once. `platform::android`
// puts them on the intents; the app's receivers read them from `SmsReports.kt`, which is
// generated from these ([`kotlin_names`]); the manifest's receivers and the Kotlin sources
// are checked against them by this module's tests.

/// The action of "sent" reports; extras [`EXTRA_MESSAGE_ID`] (long), [`EXTRA_PART`],
/// [`EXTRA_PARTS`] (int).
pub const ACTION_SMS_SENT: &str = "app.ringback.SMS_SENT";
/// The action of delivery reports; the same extras as [`ACTION_SMS_SENT`].
pub const ACTION_SMS_DELIVERED: &str = "app.ringback.SMS_DELIVERED";
/// The action of a picture message's "sent" report; extra [`EXTRA_MESSAGE_ID`] (long), and
/// from SmsManager the MMSC's m-send-conf ([`EXTRA_MMS_DATA`]).
pub const ACTION_MMS_SENT: &str = "app.ringback.MMS_SENT";
/// `SmsManager.EXTRA_MMS_DATA` (API 21): the MMSC's answer, an m-send-conf PDU.
pub const EXTRA_MMS_DATA: &str = "android.telephony.extra.MMS_DATA";
/// The authority of the app's provider that serves the PDUs to send, after the package
/// name (`app.ringback.mms`).
pub const MMS_AUTHORITY_SUFFIX: &str = ".mms";
/// The folder in the app's cache that holds the PDUs to send, which the provider serves.
pub const MMS_OUT_FOLDER: &str = "mms-out";
/// The extra with the outbound message's id.
pub const EXTRA_MESSAGE_ID: &str = "message_id";
/// The extra with the part's index, from 0.
pub const EXTRA_PART: &str = "part";
/// The extra with the number of parts of the text.
pub const EXTRA_PARTS: &str = "parts";

/// Where the generated Kotlin lives, from the crate's folder.
pub const KOTLIN_NAMES_PATH: &str = "app/src/main/kotlin/app/ringback/SmsReports.kt";

/// The Kotlin object the app's receivers read the names from (`SmsReports.kt`).
pub fn kotlin_names() -> String {
    let names = [
        (
            "ACTION_SENT",
            ACTION_SMS_SENT,
            "The action of a part's \"sent\" report.",
        ),
        (
            "ACTION_DELIVERED",
            ACTION_SMS_DELIVERED,
            "The action of a part's delivery report.",
        ),
        (
            "EXTRA_MESSAGE_ID",
            EXTRA_MESSAGE_ID,
            "The outbound message's id (long).",
        ),
        ("EXTRA_PART", EXTRA_PART, "The part's index, from 0 (int)."),
        (
            "ACTION_MMS_SENT",
            ACTION_MMS_SENT,
            "The action of a picture message's \"sent\" report.",
        ),
        (
            "EXTRA_MMS_DATA",
            EXTRA_MMS_DATA,
            "SmsManager.EXTRA_MMS_DATA: the carrier's answer, an m-send-conf PDU (bytes).",
        ),
        (
            "MMS_OUT_FOLDER",
            MMS_OUT_FOLDER,
            "The cache folder of the picture messages to send, served by MmsPduProvider.",
        ),
        (
            "EXTRA_PARTS",
            EXTRA_PARTS,
            "How many parts the text has (int).",
        ),
    ];
    let mut out = String::from(
        "// Generated from android-bridge/src/report.rs; do not edit. After changing a name there,\n\
         // run `UPDATE_KOTLIN=1 cargo test -p ringback-bridge --lib report` to rewrite this file.\n\
         package app.ringback\n\n\
         /** The action and extras the Rust side puts on each part's report PendingIntents. */\n\
         internal object SmsReports {\n",
    );
    for (i, (name, value, doc)) in names.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "    /** {doc} */\n    const val {name} = \"{value}\"\n"
        ));
    }
    out.push_str("}\n");
    out
}

/// `Activity.RESULT_OK` (API 1): the part left.
pub const RESULT_OK: i32 = -1;

/// The kind of a "sent" result code (`SmsManager.RESULT_ERROR_*`, API 4 unless noted), with
/// the radio's error code where Android gave one.
pub fn send_result(result_code: i32, error_code: Option<i32>) -> Result<(), SendError> {
    let code = error_code.filter(|code| *code != 0 && *code != -1);
    match result_code {
        RESULT_OK => Ok(()),
        // RESULT_ERROR_GENERIC_FAILURE: the carrier refused it (no credit, barred, fault).
        1 => Err(SendError::GenericFailure),
        // RESULT_ERROR_RADIO_OFF.
        2 => Err(SendError::RadioOff),
        // RESULT_ERROR_NULL_PDU.
        3 => Err(SendError::NotEncoded { code }),
        // RESULT_ERROR_NO_SERVICE.
        4 => Err(SendError::NoService),
        // RESULT_ERROR_LIMIT_EXCEEDED (API 19).
        5 => Err(SendError::LimitExceeded),
        // RESULT_ERROR_FDN_CHECK_FAILURE (API 24).
        6 => Err(SendError::FixedDialling),
        // RESULT_ERROR_SHORT_CODE_NOT_ALLOWED / _NEVER_ALLOWED (API 24).
        7 | 8 => Err(SendError::ShortCode),
        // RESULT_RADIO_NOT_AVAILABLE (API 30).
        9 => Err(SendError::RadioOff),
        // RESULT_NETWORK_REJECT (10), RESULT_NETWORK_ERROR (17) (API 30).
        10 | 17 => Err(SendError::GenericFailure),
        result => Err(SendError::Radio { result, code }),
    }
}

/// Why a delivery report could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The report is shorter than its own fields say.
    #[error("the delivery report is cut short ({0} bytes)")]
    Truncated(usize),
    /// Not a status report.
    #[error("the delivery report is not a status report (message type {0})")]
    NotStatusReport(u8),
    /// A format Android does not send.
    #[error("“{0}” is not a delivery report format; expected 3gpp or 3gpp2")]
    UnknownFormat(String),
}

/// What one part's delivery report says.
pub fn delivery_status(pdu: &[u8], format: &str) -> Result<DeliveryStatus, ReportError> {
    match format {
        "3gpp" => gsm_status(pdu),
        "3gpp2" => cdma_status(pdu),
        other => Err(ReportError::UnknownFormat(other.chars().take(16).collect())),
    }
}

/// A cursor over a PDU that reports a short read instead of panicking.
struct Bytes<'a> {
    pdu: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn new(pdu: &'a [u8]) -> Self {
        Bytes { pdu, at: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ReportError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.pdu.len())
            .ok_or(ReportError::Truncated(self.pdu.len()))?;
        let out = &self.pdu[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, ReportError> {
        Ok(self.take(1)?[0])
    }

    fn int(&mut self) -> Result<i32, ReportError> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// 3GPP TS 23.040 §9.2.2.3 SMS-STATUS-REPORT, as Android hands it over: the SMSC address
/// (length octet first), then the first octet, TP-MR, TP-RA, TP-SCTS, TP-DT and TP-ST.
fn gsm_status(pdu: &[u8]) -> Result<DeliveryStatus, ReportError> {
    let mut b = Bytes::new(pdu);
    let smsc = b.byte()?;
    b.take(usize::from(smsc))?;
    let first = b.byte()?;
    let mti = first & 0x03;
    if mti != 0x02 {
        return Err(ReportError::NotStatusReport(mti));
    }
    b.byte()?; // TP-MR
    let digits = b.byte()?; // TP-RA length, in semi-octets
    b.byte()?; // type of address
    b.take(usize::from(digits).div_ceil(2))?;
    b.take(7)?; // TP-SCTS
    b.take(7)?; // TP-DT
    let status = b.byte()?; // TP-ST, §9.2.3.15
    Ok(match status {
        // Short message transaction completed (received, forwarded, replaced).
        0x00..=0x1F => DeliveryStatus::Delivered,
        // Temporary error, the service centre is still trying.
        0x20..=0x3F => DeliveryStatus::Pending,
        // Permanent error, or a temporary one the centre stopped trying; reserved values
        // count as "service rejected".
        _ => DeliveryStatus::Failed,
    })
}

/// The 3GPP2 report as Android serialises it (AOSP `cdma.SmsMessage.parsePdu`): message
/// type, teleservice and service category (ints), the address (digit mode, number mode,
/// type, plan, length, digits), bearer reply (int), reply sequence, error class and cause
/// (bytes), then the bearer data (int length, bytes) whose MESSAGE_STATUS subparameter
/// (id 0x14, C.S0015-B §4.5.21) carries the error class (2 bits) and status (6 bits).
fn cdma_status(pdu: &[u8]) -> Result<DeliveryStatus, ReportError> {
    let mut b = Bytes::new(pdu);
    b.int()?; // message type
    b.int()?; // teleservice
    b.int()?; // service category
    b.take(4)?; // digit mode, number mode, type, plan
    let digits = b.byte()?;
    b.take(usize::from(digits))?;
    b.int()?; // bearer reply
    b.take(3)?; // reply sequence, error class, cause code
    let length = b.int()?;
    let length = usize::try_from(length).map_err(|_| ReportError::Truncated(pdu.len()))?;
    let bearer = b.take(length)?;
    let mut sub = Bytes::new(bearer);
    while sub.at < bearer.len() {
        let id = sub.byte()?;
        let len = sub.byte()?;
        let data = sub.take(usize::from(len))?;
        if id == 0x14 {
            let Some(&value) = data.first() else {
                return Err(ReportError::Truncated(pdu.len()));
            };
            // The error class alone decides, as in Android's own reading of the report
            // (`SmsDispatchersController.handleSmsStatusReport`): at class 0 ("no error",
            // whether the status says delivered, accepted or deposited) Android marks the
            // part complete and stops tracking it, so no later report would ever follow a
            // "pending" read from it.
            return Ok(match value >> 6 {
                0 => DeliveryStatus::Delivered,
                2 => DeliveryStatus::Pending, // temporary: still trying
                _ => DeliveryStatus::Failed,  // permanent, or the reserved class 1
            });
        }
    }
    // A delivery acknowledgement without a status subparameter means delivered.
    Ok(DeliveryStatus::Delivered)
}

/// Per-part reports of the texts in flight, until each message has its verdict.
#[derive(Debug, Default)]
pub struct PartTally {
    sent: HashMap<i64, Parts>,
    delivered: HashMap<i64, Parts>,
}

#[derive(Debug, Default)]
struct Parts {
    done: BTreeSet<u32>,
    pending_told: bool,
}

impl PartTally {
    /// One part's "sent" report. `Some` once the message has its verdict: the first failure
    /// (with whether any part had left by then), or success when every part has left. A
    /// failure ends the message's tally, so a later attempt at the same message (a retry)
    /// is counted afresh; a straggling part of the failed attempt that did leave is
    /// counted then, which can only make a later failure say a part left (never retried).
    pub fn sent(
        &mut self,
        message: i64,
        part: u32,
        parts: u32,
        result: Result<(), SendError>,
    ) -> Option<(Result<(), SendError>, bool)> {
        let parts = parts.max(1);
        if part >= parts {
            return None; // Not a part of this message: ignore rather than guess.
        }
        let entry = self.sent.entry(message).or_default();
        match result {
            Err(e) => {
                let any_part_left = !entry.done.is_empty();
                self.sent.remove(&message);
                Some((Err(e), any_part_left))
            }
            Ok(()) => {
                entry.done.insert(part);
                if entry.done.len() == parts as usize {
                    self.sent.remove(&message);
                    Some((Ok(()), true))
                } else {
                    None
                }
            }
        }
    }

    /// One part's delivery report. `Some(Delivered)` when every part is delivered,
    /// `Some(Failed)` at the first failed part, `Some(Pending)` once at the first "still
    /// trying"; otherwise `None`.
    pub fn delivered(
        &mut self,
        message: i64,
        part: u32,
        parts: u32,
        status: DeliveryStatus,
    ) -> Option<DeliveryStatus> {
        let parts = parts.max(1);
        if part >= parts {
            return None;
        }
        let entry = self.delivered.entry(message).or_default();
        match status {
            DeliveryStatus::Failed => {
                self.delivered.remove(&message);
                Some(DeliveryStatus::Failed)
            }
            DeliveryStatus::Pending => {
                if entry.pending_told {
                    None
                } else {
                    entry.pending_told = true;
                    Some(DeliveryStatus::Pending)
                }
            }
            DeliveryStatus::Delivered => {
                entry.done.insert(part);
                if entry.done.len() == parts as usize {
                    self.delivered.remove(&message);
                    Some(DeliveryStatus::Delivered)
                } else {
                    None
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn crate_path(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    #[test]
    fn the_app_reads_the_report_names_from_kotlin_generated_here() {
        let path = crate_path(KOTLIN_NAMES_PATH);
        let want = kotlin_names();
        if std::env::var_os("UPDATE_KOTLIN").is_some() {
            std::fs::write(&path, &want).expect("write SmsReports.kt");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is not what report.rs generates; run UPDATE_KOTLIN=1 cargo test -p ringback-bridge --lib report",
            path.display()
        );
    }

    #[test]
    fn no_other_kotlin_source_spells_a_report_name_by_hand() {
        let generated = crate_path(KOTLIN_NAMES_PATH);
        let mut folders = vec![crate_path("app/src/main/kotlin")];
        let mut checked = 0;
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("a Kotlin folder") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "kt") || path == generated {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("a Kotlin file");
                for name in [
                    ACTION_SMS_SENT,
                    ACTION_SMS_DELIVERED,
                    ACTION_MMS_SENT,
                    EXTRA_MMS_DATA,
                    EXTRA_MESSAGE_ID,
                    EXTRA_PART,
                    EXTRA_PARTS,
                ] {
                    assert!(
                        !text.contains(&format!("\"{name}\"")),
                        "{} writes \"{name}\" by hand; use SmsReports",
                        path.display()
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 5, "only {checked} Kotlin files found");
    }

    /// A `<receiver>` of the app's manifest.
    #[derive(Debug)]
    struct Receiver {
        name: String,
        exported: Option<String>,
        actions: Vec<String>,
    }

    fn manifest_receivers(xml: &str) -> Vec<Receiver> {
        use quick_xml::XmlVersion;
        use quick_xml::events::{BytesStart, Event};
        let attr = |e: &BytesStart<'_>, name: &str| {
            e.try_get_attribute(name).expect("attributes").map(|a| {
                a.normalized_value(XmlVersion::Implicit1_0)
                    .expect("a value")
                    .into_owned()
            })
        };
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut receivers = Vec::new();
        let mut open: Option<Receiver> = None;
        loop {
            match reader.read_event().expect("a well-formed manifest") {
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "receiver" => {
                    open = Some(Receiver {
                        name: attr(&e, "android:name").unwrap_or_default(),
                        exported: attr(&e, "android:exported"),
                        actions: Vec::new(),
                    });
                }
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "action" => {
                    if let (Some(receiver), Some(action)) =
                        (open.as_mut(), attr(&e, "android:name"))
                    {
                        receiver.actions.push(action);
                    }
                }
                Event::End(e) if e.name().as_ref() == "receiver" => {
                    receivers.extend(open.take());
                }
                Event::Eof => break,
                _ => {}
            }
        }
        receivers
    }

    #[test]
    fn the_manifest_routes_each_report_action_to_its_own_unexported_receiver() {
        let xml = std::fs::read_to_string(crate_path("app/src/main/AndroidManifest.xml"))
            .expect("the manifest");
        let receivers = manifest_receivers(&xml);
        assert!(receivers.len() >= 4, "{receivers:?}");
        for (action, class) in [
            (ACTION_SMS_SENT, ".SmsSentReceiver"),
            (ACTION_SMS_DELIVERED, ".SmsDeliveredReceiver"),
            (ACTION_MMS_SENT, ".MmsSentReceiver"),
        ] {
            let listening: Vec<&Receiver> = receivers
                .iter()
                .filter(|r| r.actions.iter().any(|a| a == action))
                .collect();
            assert_eq!(listening.len(), 1, "receivers of {action}: {listening:?}");
            assert_eq!(listening[0].name, class, "{action}");
            assert_eq!(
                listening[0].actions,
                [action],
                "{class} hears only {action}"
            );
            // The PendingIntents name the app's package: nobody else needs to reach these.
            assert_eq!(listening[0].exported.as_deref(), Some("false"), "{class}");
        }
    }

    /// A GSM status report: SMSC +1 212 555 0000, MR 7, recipient +1 212 555 0123, status `st`.
    fn gsm_report(st: u8) -> Vec<u8> {
        let mut pdu = vec![0x07, 0x91, 0x21, 0x21, 0x55, 0x05, 0x00, 0xF0];
        pdu.push(0x06); // SMS-STATUS-REPORT, TP-SRQ
        pdu.push(0x07); // TP-MR
        pdu.extend([0x0B, 0x91, 0x21, 0x21, 0x55, 0x05, 0x21, 0xF3]); // 11 digits
        pdu.extend([0x62, 0x11, 0x92, 0x41, 0x20, 0x00, 0x00]); // SCTS
        pdu.extend([0x62, 0x11, 0x92, 0x41, 0x20, 0x05, 0x00]); // DT
        pdu.push(st);
        pdu
    }

    #[test]
    fn gsm_status_byte_decides() {
        assert_eq!(
            delivery_status(&gsm_report(0x00), "3gpp"),
            Ok(DeliveryStatus::Delivered)
        );
        assert_eq!(
            delivery_status(&gsm_report(0x01), "3gpp"),
            Ok(DeliveryStatus::Delivered)
        );
        assert_eq!(
            delivery_status(&gsm_report(0x20), "3gpp"),
            Ok(DeliveryStatus::Pending)
        );
        assert_eq!(
            delivery_status(&gsm_report(0x41), "3gpp"),
            Ok(DeliveryStatus::Failed)
        );
        assert_eq!(
            delivery_status(&gsm_report(0x62), "3gpp"),
            Ok(DeliveryStatus::Failed)
        );
    }

    #[test]
    fn gsm_without_smsc_and_odd_shapes() {
        let mut pdu = gsm_report(0x00);
        pdu.drain(1..8);
        pdu[0] = 0; // no SMSC address
        assert_eq!(delivery_status(&pdu, "3gpp"), Ok(DeliveryStatus::Delivered));
        // A deliver PDU (MTI 0) is not a report.
        let mut deliver = gsm_report(0);
        deliver[8] = 0x04;
        assert_eq!(
            delivery_status(&deliver, "3gpp"),
            Err(ReportError::NotStatusReport(0))
        );
        // Every truncation is an error, never a panic.
        let full = gsm_report(0);
        for n in 0..full.len() {
            assert!(delivery_status(&full[..n], "3gpp").is_err(), "{n} bytes");
        }
        assert!(matches!(
            delivery_status(&full, "sms"),
            Err(ReportError::UnknownFormat(_))
        ));
    }

    fn cdma_report(status: Option<u8>) -> Vec<u8> {
        let mut pdu = Vec::new();
        pdu.extend(0i32.to_be_bytes()); // point-to-point
        pdu.extend(4101i32.to_be_bytes()); // WMT teleservice
        pdu.extend(0i32.to_be_bytes());
        pdu.extend([0, 0, 0, 0, 10]);
        pdu.extend(b"2125550123");
        pdu.extend(0i32.to_be_bytes());
        pdu.extend([0, 0, 0]);
        let mut bearer = vec![0x00, 0x03, 0x40, 0x00, 0x10]; // message identifier: delivery ack
        if let Some(s) = status {
            bearer.extend([0x14, 0x01, s]);
        }
        pdu.extend(i32::try_from(bearer.len()).expect("small").to_be_bytes());
        pdu.extend(bearer);
        pdu
    }

    #[test]
    fn cdma_message_status_decides() {
        let cases = [
            (Some(0x02), DeliveryStatus::Delivered),
            (Some(0x00), DeliveryStatus::Delivered), // accepted: Android's last word
            (Some(0x80 | 0x04), DeliveryStatus::Pending), // temporary, congestion
            (Some(0xC0 | 0x0A), DeliveryStatus::Failed), // permanent, invalid destination
            (None, DeliveryStatus::Delivered),
        ];
        for (status, want) in cases {
            assert_eq!(
                delivery_status(&cdma_report(status), "3gpp2"),
                Ok(want),
                "{status:?}"
            );
        }
        let full = cdma_report(Some(0x02));
        for n in 0..full.len() {
            assert!(delivery_status(&full[..n], "3gpp2").is_err(), "{n} bytes");
        }
    }

    /// Android's own reading of a 3GPP2 report (`SmsDispatchersController
    /// .handleSmsStatusReport`): the error class alone decides, and at class 0 it stops
    /// tracking the part, so "accepted" or "deposited" are the last word (found by the
    /// Robolectric oracle, `ReportStatusOracleTest`).
    #[test]
    fn cdma_error_class_alone_decides_as_android_does() {
        for status in 0..0x40u8 {
            for (class, want) in [
                (0u8, DeliveryStatus::Delivered),
                (1, DeliveryStatus::Failed),
                (2, DeliveryStatus::Pending),
                (3, DeliveryStatus::Failed),
            ] {
                assert_eq!(
                    delivery_status(&cdma_report(Some(class << 6 | status)), "3gpp2"),
                    Ok(want),
                    "error class {class}, status {status:#04x}"
                );
            }
        }
    }

    #[test]
    fn result_codes_become_words() {
        assert_eq!(send_result(RESULT_OK, None), Ok(()));
        assert_eq!(send_result(1, Some(38)), Err(SendError::GenericFailure));
        assert_eq!(send_result(2, None), Err(SendError::RadioOff));
        assert_eq!(send_result(4, None), Err(SendError::NoService));
        assert_eq!(send_result(5, None), Err(SendError::LimitExceeded));
        assert_eq!(
            send_result(1234, Some(7)),
            Err(SendError::Radio {
                result: 1234,
                code: Some(7)
            }),
            "unknown codes are kept"
        );
        let words = send_result(1234, Some(7))
            .expect_err("an error")
            .to_string();
        assert!(
            words.contains("1234") && words.contains("radio code 7"),
            "{words}"
        );
        assert_eq!(
            send_result(3, Some(-1)),
            Err(SendError::NotEncoded { code: None })
        );
    }

    #[test]
    fn a_message_is_sent_when_every_part_left_and_failed_at_the_first_failure() {
        let mut t = PartTally::default();
        assert_eq!(t.sent(9, 0, 3, Ok(())), None);
        assert_eq!(
            t.sent(9, 0, 3, Ok(())),
            None,
            "a repeated report counts once"
        );
        assert_eq!(t.sent(9, 2, 3, Ok(())), None);
        assert_eq!(t.sent(9, 1, 3, Ok(())), Some((Ok(()), true)));
        assert_eq!(
            t.sent(10, 1, 2, Err(SendError::NoService)),
            Some((Err(SendError::NoService), false)),
            "no part left before the failure"
        );
        assert_eq!(t.sent(11, 5, 2, Ok(())), None, "not a part of it");
        assert_eq!(t.sent(12, 0, 1, Ok(())), Some((Ok(()), true)));
    }

    #[test]
    fn a_failure_after_a_part_left_says_so_and_a_retry_is_counted_afresh() {
        let mut t = PartTally::default();
        assert_eq!(t.sent(4, 0, 2, Ok(())), None);
        assert_eq!(
            t.sent(4, 1, 2, Err(SendError::NoService)),
            Some((Err(SendError::NoService), true)),
            "part 0 left: never retried"
        );
        // A retry of message 5 after its first attempt failed whole: the new attempt's
        // reports are not ignored as "already failed".
        assert_eq!(
            t.sent(5, 0, 2, Err(SendError::RadioOff)),
            Some((Err(SendError::RadioOff), false))
        );
        assert_eq!(t.sent(5, 0, 2, Ok(())), None);
        assert_eq!(t.sent(5, 1, 2, Ok(())), Some((Ok(()), true)));
    }

    #[test]
    fn a_message_is_delivered_when_every_part_is() {
        let mut t = PartTally::default();
        assert_eq!(t.delivered(3, 0, 2, DeliveryStatus::Delivered), None);
        assert_eq!(
            t.delivered(3, 1, 2, DeliveryStatus::Pending),
            Some(DeliveryStatus::Pending)
        );
        assert_eq!(t.delivered(3, 1, 2, DeliveryStatus::Pending), None);
        assert_eq!(
            t.delivered(3, 1, 2, DeliveryStatus::Delivered),
            Some(DeliveryStatus::Delivered)
        );
        assert_eq!(
            t.delivered(4, 0, 2, DeliveryStatus::Failed),
            Some(DeliveryStatus::Failed)
        );
    }
}

#[cfg(test)]
mod mms_manifest {
    use std::path::Path;

    use super::*;

    /// The PDU provider serves the app's own files to the phone process only through a
    /// grant (`SmsManager` grants its URI to the telephony stack): not exported, grants on.
    #[test]
    fn the_manifest_declares_the_pdu_provider_unexported_with_uri_grants() {
        let xml = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("app/src/main/AndroidManifest.xml"),
        )
        .expect("the manifest");
        let start = xml.find("<provider").expect("a <provider>");
        let element = &xml[start..start + xml[start..].find("/>").expect("closed")];
        assert!(
            element.contains("android:name=\".MmsPduProvider\""),
            "{element}"
        );
        assert!(
            element.contains(&format!(
                "android:authorities=\"app.ringback{MMS_AUTHORITY_SUFFIX}\""
            )),
            "{element}"
        );
        assert!(element.contains("android:exported=\"false\""), "{element}");
        assert!(
            element.contains("android:grantUriPermissions=\"true\""),
            "{element}"
        );
    }
}
