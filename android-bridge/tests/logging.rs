//! The phone's logs through the setup the app runs (`ringback_bridge::logging`), in a
//! process of their own (a subscriber is global). Logcat cannot run here, so the logcat
//! formatting writes into memory instead, and the test reads what a person running
//! `adb logcat -s Ringback` would see during a missed call and a reply.

use std::io::Write;
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use ringback_bridge::api::{Bridge, BridgeConfig, ReceivedSms};
use ringback_bridge::logging::{self, Installed};
use ringback_bridge::platform::android::ProviderSms;
use ringback_bridge::runtime::PhonePlatform;
use ringback_core::ports::memory::{MemoryCallLog, MemoryContacts, MemoryTelephony};
use ringback_core::ports::{CallLog, Contacts, PortError, SendError, SendRequest, Telephony};
use ringback_core::{CallOutcome, EndedCall, Line, PhoneNumber, Region};
use serde_json::json;
use tracing::Level;
use tracing_subscriber::fmt::MakeWriter;

/// What was logged, as logcat would have received it.
#[derive(Debug, Clone, Default)]
struct Logcat(Arc<Mutex<Vec<u8>>>);

impl Logcat {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log")).into_owned()
    }
}

impl Write for Logcat {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Logcat {
    type Writer = Logcat;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// A phone in memory: radio, call log and contacts; an empty SMS provider.
#[derive(Debug)]
struct Phone {
    radio: Arc<MemoryTelephony>,
    log: Arc<MemoryCallLog>,
    contacts: Arc<MemoryContacts>,
}

impl Telephony for Phone {
    fn send(&self, request: &SendRequest) -> Result<(), SendError> {
        self.radio.send(request)
    }
}

impl CallLog for Phone {
    fn entries_since(&self, after: Option<i64>) -> Result<Vec<EndedCall>, PortError> {
        self.log.entries_since(after)
    }
}

impl Contacts for Phone {
    fn lookup(&self, number: &PhoneNumber) -> Result<Option<String>, PortError> {
        self.contacts.lookup(number)
    }
}

impl PhonePlatform for Phone {
    fn sms_since(&self, _after: Option<i64>) -> Result<Vec<ProviderSms>, PortError> {
        Ok(Vec::new())
    }

    fn sms_last_id(&self) -> Result<Option<i64>, PortError> {
        Ok(None)
    }
}

#[test]
fn the_phone_logs_once_at_info_for_logcat_without_bodies_or_whole_numbers() {
    let logcat = Logcat::default();
    let (filter, problem) = logging::filter(None);
    assert_eq!(problem, None);
    assert_eq!(
        logging::install_with(filter, logcat.clone(), true),
        Installed::Now
    );
    // Once per process: NativeInit.init and Bridge.start find the logs installed.
    assert_eq!(logging::install(), Installed::Already);
    assert!(tracing::enabled!(Level::INFO));
    assert!(
        !tracing::enabled!(Level::DEBUG),
        "info unless told otherwise"
    );

    // A missed call texted back, and the caller's reply.
    let dir = tempfile::tempdir().expect("dir");
    let phone = Arc::new(Phone {
        radio: MemoryTelephony::new(),
        log: MemoryCallLog::new(),
        contacts: MemoryContacts::new(),
    });
    let bridge = Bridge::start_on(
        BridgeConfig {
            data_dir: dir.path().display().to_string(),
            device_name: "Test phone".into(),
            network: Some("loopback".into()),
            settings_json: Some(
                json!({"business_name": "Acme Plumbing", "region": "US"}).to_string(),
            ),
        },
        phone.clone(),
    )
    .expect("start");
    let caller = "+12125550123";
    phone.log.push(EndedCall {
        log_id: 0,
        number: caller.into(),
        outcome: CallOutcome::Missed,
        line: Line("2".into()),
        ended_at: Timestamp::now() - SignedDuration::from_secs(5),
    });
    bridge.on_call_log_changed();
    let sent = phone.radio.sent();
    assert_eq!(sent.len(), 1, "texted back");
    let reply = "Leaking pipe under the sink, flat 4B";
    bridge
        .on_sms_received(ReceivedSms {
            from: caller.into(),
            body: reply.into(),
            subscription_id: Some(2),
            sent_at_millis: Timestamp::now().as_millisecond(),
        })
        .expect("received");
    bridge.runtime().block_on(bridge.stop());

    let text = logcat.text();
    // What happened reaches the log, from the engine's threads too, numbers masked.
    let masked = PhoneNumber::parse(caller, Region::parse("US").expect("US"))
        .expect("a number")
        .masked();
    for line in [
        "ringback started",
        "text received",
        &masked,
        "ringback stopped",
    ] {
        assert!(text.contains(line), "“{line}” is not in the log:\n{text}");
    }
    // Logcat stamps the time and the priority itself, and shows colour codes raw.
    assert!(!text.contains('\u{1b}'), "colour codes:\n{text}");
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("INFO")),
        "the level is logcat's:\n{text}"
    );
    // Never a body or a whole number.
    for secret in [
        caller,
        "2125550123",
        "555-0123",
        reply,
        sent[0].body.as_str(),
    ] {
        assert!(!text.contains(secret), "“{secret}” is in the log:\n{text}");
    }
}
