//! A phone and desktops for the sync tests: real SQLite files, the real engine on the
//! memory platform (the only fake: no SIM here), real iroh endpoints.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use iroh::EndpointId;
use jiff::Timestamp;
use ringback_core::engine::service::{self, EngineHandle, EngineTask};
use ringback_core::ports::ChatModel;
use ringback_core::ports::memory::{MemoryCallLog, MemoryContacts, MemoryTelephony, SystemClock};
use ringback_core::store::PeerRecord;
use ringback_core::sync::net::{self, NetworkMode};
use ringback_core::sync::node::{self, DesktopNode, PairError, PhoneNode};
use ringback_core::sync::pairing::PairingLimits;
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::sync::session::Faults;
use ringback_core::sync::ticket::PairingTicket;
use ringback_core::{
    CallOutcome, EndedCall, InboundSms, Line, PlatformEvent, Ports, Settings, Store,
};
use serde_json::json;

pub fn settings() -> Settings {
    Settings::from_value(&json!({"business_name": "Acme Plumbing"})).expect("settings")
}

/// The simulated phone: its files survive a restart, and so does the record of what it
/// sent (the telephony port stands for the SIM, which a restart does not reset).
pub struct PhoneRig {
    pub dir: PathBuf,
    pub engine: EngineHandle,
    task: EngineTask,
    pub node: PhoneNode,
    pub telephony: Arc<MemoryTelephony>,
    pub call_log: Arc<MemoryCallLog>,
}

impl PhoneRig {
    pub async fn start(
        dir: &Path,
        mode: &NetworkMode,
        faults: Faults,
        telephony: Arc<MemoryTelephony>,
        call_log: Arc<MemoryCallLog>,
    ) -> PhoneRig {
        PhoneRig::start_with(
            dir,
            mode,
            faults,
            (telephony, call_log),
            &settings(),
            service::http_model(),
        )
        .await
    }

    /// A phone with its own settings, the assistant's questions answered by `model`.
    pub async fn start_with(
        dir: &Path,
        mode: &NetworkMode,
        faults: Faults,
        (telephony, call_log): (Arc<MemoryTelephony>, Arc<MemoryCallLog>),
        settings: &Settings,
        model: Arc<dyn ChatModel>,
    ) -> PhoneRig {
        let store = Store::open(&dir.join("phone.db")).expect("store");
        let ports = Ports {
            telephony: telephony.clone(),
            call_log: call_log.clone(),
            contacts: MemoryContacts::new(),
            clock: Arc::new(SystemClock),
        };
        let engine = ringback_core::Engine::open(store, ports, settings).expect("engine");
        let (engine, task) = service::spawn_with_model(engine, model);
        let key = net::load_or_create_key(&dir.join("phone.key")).expect("key");
        let endpoint = net::bind(mode, key, node::alpns(), None)
            .await
            .expect("bind");
        let node = PhoneNode::start_with_faults(endpoint, engine.clone(), "Owner's phone", faults)
            .await
            .expect("node");
        PhoneRig {
            dir: dir.to_path_buf(),
            engine,
            task,
            node,
            telephony,
            call_log,
        }
    }

    pub async fn new(dir: &Path, mode: &NetworkMode, faults: Faults) -> PhoneRig {
        PhoneRig::start(
            dir,
            mode,
            faults,
            MemoryTelephony::new(),
            MemoryCallLog::new(),
        )
        .await
    }

    /// Stops everything at once, as a killed process would.
    pub async fn kill(self) -> (Arc<MemoryTelephony>, Arc<MemoryCallLog>) {
        self.task.abort();
        let _ = self.task.await;
        self.node.shutdown().await;
        (self.telephony, self.call_log)
    }

    pub async fn digest(&self) -> String {
        self.engine
            .with(|e| e.store().digest().expect("digest"))
            .await
            .expect("engine")
    }

    pub async fn text_in(&self, i: usize) {
        self.engine
            .event(PlatformEvent::SmsReceived(InboundSms {
                source_id: Some(format!("sms-{i}")),
                from: format!("+1212555{:04}", i % 97),
                body: format!("message {i} 💧"),
                line: Line::default(),
                at: Timestamp::now(),
            }))
            .await
            .expect("engine")
            .expect("event");
    }

    pub async fn missed_call(&self, i: usize) {
        self.call_log.push(EndedCall {
            log_id: 0,
            number: format!("+1646555{:04}", i % 89),
            outcome: CallOutcome::Missed,
            line: Line::default(),
            ended_at: Timestamp::now(),
        });
        self.engine
            .event(PlatformEvent::CallLogChanged)
            .await
            .expect("engine")
            .expect("event");
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        self.engine
            .with(move |e| {
                e.store()
                    .connection()
                    .query_row(sql, [], |r| r.get(0))
                    .expect("count")
            })
            .await
            .expect("engine")
    }
}

/// A desktop: a folder of phone replicas and an endpoint on a port kept across restarts.
pub struct DesktopRig {
    pub dir: PathBuf,
    pub node: DesktopNode,
    pub port: u16,
}

impl DesktopRig {
    pub async fn start(
        dir: &Path,
        mode: &NetworkMode,
        faults: Faults,
        port: Option<u16>,
    ) -> DesktopRig {
        DesktopRig::start_with(dir, mode, faults, port, PairingLimits::default()).await
    }

    /// A desktop with chosen limits on pairing connections.
    pub async fn start_with(
        dir: &Path,
        mode: &NetworkMode,
        faults: Faults,
        port: Option<u16>,
        limits: PairingLimits,
    ) -> DesktopRig {
        let key = net::load_or_create_key(&dir.join("desktop.key")).expect("key");
        let endpoint = net::bind(mode, key, node::alpns(), port)
            .await
            .expect("bind");
        let port = endpoint
            .bound_sockets()
            .first()
            .map(|a| a.port())
            .unwrap_or(0);
        let node = DesktopNode::start_with(endpoint, dir, "Front desk", faults, limits)
            .await
            .expect("desktop");
        DesktopRig {
            dir: dir.to_path_buf(),
            node,
            port,
        }
    }

    pub async fn restart(self, mode: &NetworkMode, faults: Faults) -> DesktopRig {
        let (dir, port) = (self.dir.clone(), self.port);
        self.node.shutdown().await;
        DesktopRig::start(&dir, mode, faults, Some(port)).await
    }

    pub fn ticket(&self) -> PairingTicket {
        self.node.ticket()
    }

    /// Pairs `phone` as a person would: a new code on this desktop, given to the phone,
    /// and Accept pressed once the phone waits.
    pub async fn pair(&self, phone: &PhoneRig) {
        pair_accepting(&self.node, &phone.node, &self.ticket())
            .await
            .expect("pair");
    }

    pub fn replica(&self, phone: EndpointId) -> DesktopReplica {
        self.node.phone(&phone).expect("paired phone")
    }
}

/// Waits until every desktop replica has the phone's digest.
pub async fn converge(phone: &PhoneRig, replicas: &[DesktopReplica], within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let p = phone.digest().await;
        let all = replicas
            .iter()
            .all(|d| d.with(|s| s.digest().expect("digest")) == p);
        if all {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            let pv = phone
                .engine
                .with(|e| e.store().version_vector().clone())
                .await
                .expect("engine");
            let dv: Vec<_> = replicas
                .iter()
                .map(|d| d.with(|s| s.version_vector().clone()))
                .collect();
            panic!("replicas did not converge: phone holds {pv:?}, desktops {dv:?}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Pairs `phone` with `ticket`, accepting it on `desktop` once it is listed as waiting
/// (as a person pressing Accept would).
pub async fn pair_accepting(
    desktop: &DesktopNode,
    phone: &PhoneNode,
    ticket: &PairingTicket,
) -> Result<PeerRecord, PairError> {
    let id = phone.id();
    let mut requests = desktop.pairing_requests();
    let pair = phone.pair(ticket);
    tokio::pin!(pair);
    tokio::select! {
        // Refused before it was ever listed.
        result = &mut pair => return result,
        listed = requests.wait_for(|l| l.iter().any(|r| r.endpoint == id)) => {
            listed.expect("the desktop runs");
        }
    }
    desktop.accept_pairing(&id).expect("accept");
    pair.await
}

/// An iroh relay in this process on loopback, plain HTTP, as `iroh-relay --dev` would be,
/// and its URL.
pub async fn loopback_relay() -> (iroh_relay::server::Server, iroh::RelayUrl) {
    let mut config = iroh_relay::server::ServerConfig::default();
    config.relay = Some(iroh_relay::server::RelayConfig::new((
        std::net::Ipv4Addr::LOCALHOST,
        0,
    )));
    let server = iroh_relay::server::Server::spawn(config)
        .await
        .expect("relay");
    let url = format!("http://{}", server.http_addr().expect("http"))
        .parse()
        .expect("url");
    (server, url)
}

/// Whether the calling test should run its body here. The first time it is called (in the
/// test runner's process) it runs `test` again, in a network namespace of its own with only
/// loopback up, waits for it and returns false; in that copy it returns true. The modes
/// users run (self-hosted relay, LAN only) probe the router for port mappings and announce
/// themselves by mDNS; inside the namespace that traffic reaches nothing beyond the test.
/// Where no namespace can be made, the test says so on one line and is skipped.
#[allow(dead_code)]
pub fn in_own_network(test: &str) -> bool {
    const INSIDE: &str = "RINGBACK_TEST_OWN_NETWORK";
    if std::env::var_os(INSIDE).is_some() {
        return true;
    }
    let Some(unshare) = unshare_net() else {
        println!("skipped {test}: this machine cannot make a network namespace (unshare --net)");
        return false;
    };
    let exe = std::env::current_exe().expect("the test binary");
    let status = std::process::Command::new("unshare")
        .args(unshare)
        .args(["--", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh"])
        .arg(&exe)
        .args(["--exact", test, "--nocapture", "--test-threads", "1"])
        .env(INSIDE, "1")
        .status()
        .expect("unshare runs");
    assert!(
        status.success(),
        "{test} failed in its own network namespace ({status})"
    );
    false
}

/// The `unshare` arguments that make a network namespace with loopback up here (as root,
/// or in a user namespace of its own), if any do.
fn unshare_net() -> Option<&'static [&'static str]> {
    [&["--net"][..], &["--map-root-user", "--net"][..]]
        .into_iter()
        .find(|args| {
            std::process::Command::new("unshare")
                .args(*args)
                .args(["--", "ip", "link", "set", "lo", "up"])
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}
