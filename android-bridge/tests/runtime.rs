//! The bridge's runtime through its public API (`Bridge::start_on`), on memory ports standing
//! in for the Android framework (the jni implementation has its own tests in `jvm.rs`): a
//! real SQLite file in a temp folder, a real iroh endpoint on loopback, a real desktop.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use ringback_bridge::api::{Bridge, BridgeConfig, BridgeError, PeerLink, PhoneState, ReceivedSms};
use ringback_bridge::platform::android::{
    MmsAddress, ProviderBox, ProviderMms, ProviderMmsPart, ProviderSms,
};
use ringback_bridge::runtime::{PhonePlatform, inbound_source_id};
use ringback_core::ports::memory::{MemoryCallLog, MemoryContacts, MemoryTelephony};
use ringback_core::ports::{CallLog, Contacts, PortError, SendError, SendRequest, Telephony};
use ringback_core::store::Message;
use ringback_core::{CallOutcome, EndedCall, Line, MessageKind, MessageStatus, PhoneNumber};
use serde_json::json;

/// The phone's framework in memory: radio, call log, contacts and SMS provider.
#[derive(Debug, Default)]
struct Phone {
    radio: Arc<MemoryTelephony>,
    log: Arc<MemoryCallLog>,
    contacts: Arc<MemoryContacts>,
    provider: Mutex<Vec<ProviderSms>>,
    provider_denied: Mutex<bool>,
    mms: Mutex<Vec<ProviderMms>>,
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
    fn sms_since(&self, after: Option<i64>) -> Result<Vec<ProviderSms>, PortError> {
        if *self.provider_denied.lock().expect("lock") {
            return Err(PortError("Permission Denial: READ_SMS".into()));
        }
        let after = after.unwrap_or(i64::MIN);
        Ok(self
            .provider
            .lock()
            .expect("lock")
            .iter()
            .filter(|r| r.id > after)
            .cloned()
            .collect())
    }

    fn sms_last_id(&self) -> Result<Option<i64>, PortError> {
        Ok(self
            .provider
            .lock()
            .expect("lock")
            .iter()
            .map(|r| r.id)
            .max())
    }

    fn mms_since(&self, after: Option<i64>) -> Result<Vec<ProviderMms>, PortError> {
        let after = after.unwrap_or(i64::MIN);
        let mut rows: Vec<ProviderMms> = self
            .mms
            .lock()
            .expect("lock")
            .iter()
            .filter(|r| r.id > after)
            .cloned()
            .collect();
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    fn mms_row(&self, id: i64) -> Result<Option<ProviderMms>, PortError> {
        Ok(self
            .mms
            .lock()
            .expect("lock")
            .iter()
            .find(|r| r.id == id)
            .cloned())
    }

    fn mms_last_id(&self) -> Result<Option<i64>, PortError> {
        Ok(self.mms.lock().expect("lock").iter().map(|r| r.id).max())
    }
}

impl Phone {
    fn new() -> Arc<Phone> {
        Arc::new(Phone {
            radio: MemoryTelephony::new(),
            log: MemoryCallLog::new(),
            contacts: MemoryContacts::new(),
            ..Phone::default()
        })
    }

    fn call(&self, number: &str, outcome: CallOutcome, ago: SignedDuration) -> i64 {
        self.log.push(EndedCall {
            log_id: 0,
            number: number.into(),
            outcome,
            line: Line("2".into()),
            ended_at: Timestamp::now() - ago,
        })
    }

    fn provider_row(&self, kind: ProviderBox, address: &str, body: &str, sent_ms: i64) -> i64 {
        let mut rows = self.provider.lock().expect("lock");
        let id = rows.iter().map(|r| r.id).max().unwrap_or(100) + 1;
        rows.push(ProviderSms {
            id,
            address: address.into(),
            body: body.into(),
            kind,
            date_ms: Timestamp::now().as_millisecond(),
            date_sent_ms: sent_ms,
            subscription_id: Some(2),
        });
        id
    }
}

fn config(dir: &std::path::Path) -> BridgeConfig {
    BridgeConfig {
        data_dir: dir.display().to_string(),
        device_name: "Test phone".into(),
        network: Some("loopback".into()),
        settings_json: None,
    }
}

fn messages(bridge: &Bridge) -> Vec<Message> {
    let runtime = bridge.runtime();
    runtime
        .block_on(
            runtime
                .engine()
                .with(|e| e.store().reader().all_messages().expect("messages")),
        )
        .expect("engine")
}

/// Waits for one of the bridge's async calls (`pair`, `stop`), as a Kotlin coroutine would.
fn wait<F: std::future::Future>(bridge: &Bridge, call: F) -> F::Output {
    bridge.runtime().block_on(call)
}

fn set_up(bridge: &Bridge) {
    let runtime = bridge.runtime();
    runtime
        .block_on(
            runtime
                .engine()
                .update_settings(json!({"business_name": "Acme Plumbing", "region": "US"})),
        )
        .expect("engine")
        .expect("settings");
}

#[test]
fn a_call_missed_while_the_app_was_dead_is_texted_at_the_next_start_and_only_once() {
    let dir = tempfile::tempdir().expect("dir");
    let phone = Phone::new();
    // The phone's history before Ringback was installed.
    phone.call(
        "+12125550100",
        CallOutcome::Missed,
        SignedDuration::from_hours(3),
    );
    let bridge = Bridge::start_on(config(dir.path()), phone.clone()).expect("start");
    set_up(&bridge);
    wait(&bridge, bridge.stop());
    assert!(matches!(bridge.status(), Err(BridgeError::NotRunning)));
    drop(bridge);

    // While the app is dead: one call inside the late window, one outside it.
    phone.call(
        "+12125550111",
        CallOutcome::Missed,
        SignedDuration::from_mins(40),
    );
    phone.call(
        "(212) 555-0123",
        CallOutcome::Missed,
        SignedDuration::from_mins(5),
    );
    let bridge = Bridge::start_on(config(dir.path()), phone.clone()).expect("restart");
    let sent = phone.radio.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].to, "+12125550123");
    assert_eq!(
        sent[0].line,
        Line("2".into()),
        "the SIM the call came in on"
    );
    assert!(sent[0].body.contains("Acme Plumbing"));

    // Android repeats the idle broadcast and the observer fires: still one text.
    bridge.on_phone_state(PhoneState::Ringing, Some("+12125550123".into()));
    bridge.on_phone_state(PhoneState::Idle, Some("+12125550123".into()));
    bridge.on_phone_state(PhoneState::Idle, None);
    bridge.on_call_log_changed();
    bridge.on_boot();
    assert_eq!(phone.radio.sent().len(), 1);

    let status = bridge.status().expect("status");
    assert!(status.running && status.enabled);
    let last = status.last_missed_call.expect("a last call");
    assert_eq!(last.caller, "+12125550123");
    assert!(
        last.action.starts_with("Texted back at "),
        "{}",
        last.action
    );
    let calls = bridge
        .runtime()
        .block_on(
            bridge
                .runtime()
                .engine()
                .with(|e| e.store().reader().call_count().expect("count")),
        )
        .expect("engine");
    assert_eq!(calls, 2, "the history before the install is not recorded");

    // A new missed call now, seen through the phone-state broadcast.
    phone.call("+12125550188", CallOutcome::Rejected, SignedDuration::ZERO);
    bridge.on_phone_state(PhoneState::Idle, None);
    assert_eq!(phone.radio.sent().len(), 2);
}

#[test]
fn texts_arrive_once_from_broadcast_or_provider_and_owner_texts_join_the_thread() {
    let dir = tempfile::tempdir().expect("dir");
    let phone = Phone::new();
    phone.provider_row(ProviderBox::Inbox, "+12125550999", "old private text", 1);
    let bridge = Bridge::start_on(config(dir.path()), phone.clone()).expect("start");
    set_up(&bridge);
    phone.call("+12125550123", CallOutcome::Missed, SignedDuration::ZERO);
    bridge.on_call_log_changed();
    let text_back = phone.radio.sent()[0].body.clone();

    // The reply, by broadcast; then the provider has it too, written differently.
    let sent_ms = Timestamp::now().as_millisecond() - 2_000;
    let body = "Leaking pipe under the sink 🚰, can you come today?";
    bridge
        .on_sms_received(ReceivedSms {
            from: "+12125550123".into(),
            body: body.into(),
            subscription_id: Some(2),
            sent_at_millis: sent_ms,
        })
        .expect("received");
    phone.provider_row(ProviderBox::Inbox, "+1 212-555-0123", body, sent_ms);
    // Android's copy of Ringback's own text-back, and the owner typing on the phone.
    phone.provider_row(ProviderBox::Sent, "+12125550123", &text_back, 0);
    phone.provider_row(ProviderBox::Sent, "+12125550123", "Yes, around 3pm", 0);
    // A text whose broadcast a carrier service swallowed: only the provider has it.
    let swallowed_ms = sent_ms + 1_000;
    phone.provider_row(ProviderBox::Inbox, "+12125550123", "Thanks!", swallowed_ms);
    bridge.on_sms_provider_changed();
    bridge.on_sms_provider_changed();

    let all = messages(&bridge);
    let thread: Vec<(MessageKind, &str)> = all.iter().map(|m| (m.kind, m.body.as_str())).collect();
    assert_eq!(
        thread,
        vec![
            (MessageKind::TextBack, text_back.as_str()),
            (MessageKind::Inbound, body),
            (MessageKind::FromPhone, "Yes, around 3pm"),
            (MessageKind::Inbound, "Thanks!"),
        ],
        "the private text from before the install stays out"
    );
    // The broadcast and the provider name the same text alike.
    assert_eq!(
        inbound_source_id("+12125550123", sent_ms, body),
        inbound_source_id("+1 212-555-0123", sent_ms, body)
    );

    // The cursor survives a restart: nothing is read twice.
    wait(&bridge, bridge.stop());
    drop(bridge);
    let bridge = Bridge::start_on(config(dir.path()), phone.clone()).expect("restart");
    assert_eq!(messages(&bridge).len(), 4);

    // Without the SMS permission the status says what will not work, and nothing breaks.
    *phone.provider_denied.lock().expect("lock") = true;
    bridge.on_sms_provider_changed();
    let problems = bridge.status().expect("status").problems.join("\n");
    assert!(problems.contains("allow “SMS”"), "{problems}");
    *phone.provider_denied.lock().expect("lock") = false;
    bridge.on_sms_provider_changed();
    let problems = bridge.status().expect("status").problems.join("\n");
    assert!(!problems.contains("allow “SMS”"), "{problems}");
}

fn status_of(bridge: &Bridge, id: i64) -> (MessageStatus, Option<String>) {
    let m = messages(bridge)
        .into_iter()
        .find(|m| m.id.0 == id)
        .expect("message");
    (m.status, m.failure.as_ref().map(|f| f.describe()))
}

/// A GSM status report with TP-ST `st`.
fn gsm_report(st: u8) -> Vec<u8> {
    let mut pdu = vec![
        0x00, 0x06, 0x07, 0x0B, 0x91, 0x21, 0x21, 0x55, 0x05, 0x21, 0xF3,
    ];
    pdu.extend([0x62, 0x11, 0x92, 0x41, 0x20, 0x00, 0x00]);
    pdu.extend([0x62, 0x11, 0x92, 0x41, 0x20, 0x05, 0x00]);
    pdu.push(st);
    pdu
}

#[test]
fn part_reports_become_one_status_per_text_and_bad_reports_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let phone = Phone::new();
    let bridge = Bridge::start_on(config(dir.path()), phone.clone()).expect("start");
    set_up(&bridge);
    phone.call("+12125550123", CallOutcome::Missed, SignedDuration::ZERO);
    phone.call("+12125550124", CallOutcome::Missed, SignedDuration::ZERO);
    bridge.on_call_log_changed();
    let sent = phone.radio.sent();
    let (a, b) = (sent[0].message_id.0, sent[1].message_id.0);

    bridge.on_sms_sent(a, 0, 2, -1, None).expect("part 0");
    assert_eq!(status_of(&bridge, a).0, MessageStatus::Sending);
    bridge.on_sms_sent(a, 1, 2, -1, None).expect("part 1");
    assert_eq!(status_of(&bridge, a).0, MessageStatus::Sent);
    bridge
        .on_sms_delivered(a, 1, 2, gsm_report(0x00), "3gpp".into())
        .expect("delivered 1");
    assert_eq!(status_of(&bridge, a).0, MessageStatus::Sent);
    bridge
        .on_sms_delivered(a, 0, 2, gsm_report(0x00), "3gpp".into())
        .expect("delivered 0");
    assert_eq!(status_of(&bridge, a).0, MessageStatus::Delivered);

    // No service on the second part: the text failed, and the desktop gets words.
    bridge.on_sms_sent(b, 0, 2, -1, None).expect("part 0");
    bridge.on_sms_sent(b, 1, 2, 4, None).expect("part 1");
    let (status, why) = status_of(&bridge, b);
    assert_eq!(status, MessageStatus::Failed);
    assert!(why.expect("a reason").contains("no mobile service"));

    // Reports that cannot be right are refused with words, and change nothing.
    for (part, parts) in [(2, 2), (-1, 2), (0, 0)] {
        let err = bridge
            .on_sms_sent(a, part, parts, -1, None)
            .expect_err("bad part");
        assert!(matches!(err, BridgeError::InvalidInput(_)), "{err}");
    }
    let err = bridge
        .on_sms_delivered(a, 0, 1, vec![0x00, 0x06], "3gpp".into())
        .expect_err("short pdu");
    assert!(err.to_string().contains("cut short"), "{err}");
    let err = bridge
        .on_sms_delivered(a, 0, 1, gsm_report(0), "cdma-ish".into())
        .expect_err("format");
    assert!(
        err.to_string().contains("not a delivery report format"),
        "{err}"
    );
    assert_eq!(status_of(&bridge, a).0, MessageStatus::Delivered);
}

#[test]
fn the_switch_the_status_and_pairing_with_a_real_desktop_on_loopback() {
    let dir = tempfile::tempdir().expect("dir");
    let phone = Phone::new();
    let bridge = Bridge::start_on(config(&dir.path().join("phone")), phone.clone()).expect("start");
    let status = bridge.status().expect("status");
    assert!(!status.enabled, "no settings yet: nobody is texted");
    assert!(
        status.problems.iter().any(|p| p.contains("business name")),
        "{:?}",
        status.problems
    );
    assert!(
        status
            .problems
            .iter()
            .any(|p| p.contains("No desktop is paired"))
    );
    let err = bridge.set_enabled(true).expect_err("no settings");
    assert!(err.to_string().contains("desktop"), "{err}");

    set_up(&bridge);
    bridge.set_enabled(false).expect("off");
    phone.call("+12125550123", CallOutcome::Missed, SignedDuration::ZERO);
    bridge.on_call_log_changed();
    assert!(phone.radio.sent().is_empty(), "switched off");
    assert_eq!(
        bridge
            .status()
            .expect("status")
            .last_missed_call
            .expect("call")
            .action,
        "Not texted: text-back is switched off"
    );
    bridge.set_enabled(true).expect("on");
    assert!(bridge.status().expect("status").enabled);

    // Onboarding settings: refused with the field named when wrong.
    let mut wrong = config(&dir.path().join("other"));
    wrong.settings_json = Some(r#"{"text_back": {"delay_seconds": -5}}"#.into());
    let err = Bridge::start_on(wrong, phone.clone()).expect_err("bad settings");
    assert!(err.to_string().contains("delay_seconds"), "{err}");
    let mut broken = config(&dir.path().join("other"));
    broken.settings_json = Some("{\"business_name\": ".into());
    let err = Bridge::start_on(broken, phone.clone()).expect_err("broken json");
    assert!(err.to_string().contains("not JSON"), "{err}");
    let mut good = config(&dir.path().join("other"));
    good.settings_json = Some(r#"{"business_name": "Acme Plumbing"}"#.into());
    let onboarded = Bridge::start_on(good, Phone::new()).expect("onboarded");
    assert!(onboarded.status().expect("status").enabled);
    drop(onboarded);

    for bad in ["", "hello", "ringback:pair/1/AAAA", &"7".repeat(10_000)] {
        let err = wait(&bridge, bridge.pair(bad.into())).expect_err("not a code");
        assert!(matches!(err, BridgeError::InvalidInput(_)), "{err}");
    }

    // A real desktop on loopback, on its own runtime.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let ddir = dir.path().join("desktop");
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let desktop = rt.block_on(async {
        use ringback_core::sync::net::{self, NetworkMode};
        use ringback_core::sync::node::{self, DesktopNode};
        let key = net::load_or_create_key(&ddir.join("desktop.key")).expect("key");
        let endpoint = net::bind(&NetworkMode::Loopback, key, node::alpns(), None)
            .await
            .expect("bind");
        DesktopNode::start(endpoint, &ddir, "Front desk")
            .await
            .expect("desktop")
    });
    // The phone waits until a person at the desktop accepts it: its name and the
    // fingerprint its own status shows.
    let me = bridge.status().expect("status");
    let ticket = desktop.ticket().to_qr_payload();
    let paired = std::thread::scope(|scope| {
        scope.spawn(|| {
            for _ in 0..1_000 {
                let waiting = desktop
                    .pairing_requests()
                    .borrow()
                    .iter()
                    .find(|r| r.endpoint.to_string() == me.endpoint)
                    .cloned();
                if let Some(request) = waiting {
                    assert_eq!(request.fingerprint, me.fingerprint);
                    desktop.accept_pairing(&request.endpoint).expect("accept");
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            panic!("the phone never waited at the desktop");
        });
        wait(&bridge, bridge.pair(ticket)).expect("paired")
    });
    assert_eq!(paired.name, "Front desk");
    let mut connected = false;
    for _ in 0..100 {
        let status = bridge.status().expect("status");
        if status
            .desktops
            .iter()
            .any(|d| !matches!(d.link, PeerLink::Offline { .. }) && d.name == "Front desk")
        {
            connected = true;
            assert!(!status.problems.iter().any(|p| p.contains("No desktop")));
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(connected, "the desktop shows as connected");
    // The desktop receives the missed call.
    let mut synced = false;
    for _ in 0..100 {
        let phones = desktop.phones();
        if let Some((_, replica)) = phones.first()
            && replica.with(|s| s.reader().call_count().expect("count")) == 1
        {
            synced = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(synced, "the call reached the desktop");
    bridge.unpair(paired.endpoint).expect("unpair");
    wait(&bridge, bridge.stop());
    rt.block_on(desktop.shutdown());
}

#[test]
fn the_health_the_app_gathered_shows_its_problems_in_the_status_and_is_reported_with_what_the_runtime_knows()
 {
    use ringback_core::health::{Permission, PhoneHealth};
    let dir = tempfile::tempdir().expect("dir");
    let phone = Phone::new();
    let bridge = Bridge::start_on(config(&dir.path().join("phone")), phone.clone()).expect("start");
    set_up(&bridge);
    assert!(bridge.runtime().health().is_none(), "nothing gathered yet");

    let mut health = PhoneHealth::new(1, "");
    health.set_granted(Permission::SendSms, false);
    health.battery_exempt = Some(true);
    bridge.on_health(health);
    let problems = bridge.status().expect("status").problems;
    assert!(
        problems
            .iter()
            .any(|p| p.contains("SMS") && p.contains("Settings → Apps → Ringback")),
        "the notification names the permission and its fix: {problems:?}"
    );

    // A call-log read is part of the record the desktops get, with the app's version.
    phone.call("+12125550123", CallOutcome::Missed, SignedDuration::ZERO);
    bridge.on_call_log_changed();
    let reported = bridge
        .runtime()
        .engine()
        .health()
        .borrow()
        .clone()
        .expect("reported to sync");
    assert!(reported.last_call_log_read_ms.is_some());
    assert_eq!(reported.app_version, env!("CARGO_PKG_VERSION"));
    assert!(!reported.granted(Permission::SendSms));
}

/// An MMS provider row from `from` to the owner: a notification (130, no parts) or the
/// downloaded message (132) with a text and a photo.
fn mms_row(id: i64, from: &str, downloaded: bool) -> ProviderMms {
    let part =
        |id: i64, content_type: &str, text: Option<&str>, data: Option<Vec<u8>>| ProviderMmsPart {
            id,
            content_type: content_type.into(),
            name: None,
            charset: None,
            text: text.map(str::to_owned),
            data,
            too_large: false,
        };
    ProviderMms {
        id,
        kind: ProviderBox::Inbox,
        message_type: if downloaded { 132 } else { 130 },
        date_ms: Timestamp::now().as_millisecond(),
        subscription_id: Some(2),
        content_location: Some(format!("http://mmsc.example/{from}")),
        transaction_id: None,
        size: 40_000,
        addresses: vec![
            MmsAddress {
                address: from.into(),
                kind: 137,
            },
            MmsAddress {
                address: "+12125550100".into(),
                kind: 151,
            },
        ],
        parts: if downloaded {
            vec![
                part(1, "application/smil", Some("<smil/>"), None),
                part(2, "text/plain", Some("Photo of the leak"), None),
                part(3, "image/jpeg", None, Some(vec![0xFF, 0xD8, 0xFF, 0xD9])),
            ]
        } else {
            Vec::new()
        },
    }
}

#[test]
fn a_picture_message_shows_not_downloaded_then_completes_once_across_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let phone = Phone::new();
    // From before the install: not Ringback's business.
    phone
        .mms
        .lock()
        .expect("lock")
        .push(mms_row(5, "+12125550999", true));
    let bridge = Bridge::start_on(config(dir.path()), phone.clone()).expect("start");
    set_up(&bridge);
    assert!(messages(&bridge).is_empty());

    // The default app was told of a picture message; it has not downloaded it yet.
    phone
        .mms
        .lock()
        .expect("lock")
        .push(mms_row(6, "+12125550123", false));
    bridge.on_mms_provider_changed();
    let all = messages(&bridge);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].kind, MessageKind::Inbound);
    let attachments = |bridge: &Bridge, id| {
        let runtime = bridge.runtime();
        runtime
            .block_on(
                runtime
                    .engine()
                    .with(move |e| e.store().reader().attachments(id).expect("attachments")),
            )
            .expect("engine")
    };
    let pending = attachments(&bridge, all[0].id);
    assert!(
        pending
            .iter()
            .all(|a| a.state == ringback_core::attachment::AttachmentState::NotDownloaded),
        "{pending:?}"
    );

    // A restart before the download: the notification is still watched.
    wait(&bridge, bridge.stop());
    drop(bridge);
    let bridge = Bridge::start_on(config(dir.path()), phone.clone()).expect("restart");
    // The default app downloads it in place (same row, now m-retrieve-conf with parts).
    *phone.mms.lock().expect("lock").last_mut().expect("row") = mms_row(6, "+12125550123", true);
    bridge.on_mms_provider_changed();
    bridge.on_mms_provider_changed();
    let all = messages(&bridge);
    assert_eq!(all.len(), 1, "completed, not recorded twice: {all:?}");
    assert_eq!(all[0].body, "Photo of the leak");
    let done = attachments(&bridge, all[0].id);
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].content_type, "image/jpeg");
    assert_eq!(
        done[0].state,
        ringback_core::attachment::AttachmentState::Downloaded
    );

    // The next one arrives downloaded as a new row: read once, even across a restart.
    phone
        .mms
        .lock()
        .expect("lock")
        .push(mms_row(9, "+12125550177", true));
    bridge.on_mms_provider_changed();
    wait(&bridge, bridge.stop());
    drop(bridge);
    let bridge = Bridge::start_on(config(dir.path()), phone.clone()).expect("restart");
    bridge.on_mms_provider_changed();
    assert_eq!(messages(&bridge).len(), 2);
    // The photo's bytes were kept on disk beside the store: still there after restarts,
    // for desktops to fetch.
    let hash = done[0].hash.expect("a downloaded photo has a hash");
    let runtime = bridge.runtime();
    let held = runtime
        .block_on(runtime.engine().with(move |e| e.blobs().get(&hash)))
        .expect("engine")
        .expect("reads");
    assert!(held.is_some(), "the photo was lost at a restart");
    assert!(dir.path().join("blobs").is_dir());
}
