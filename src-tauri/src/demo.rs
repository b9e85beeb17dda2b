//! Demo mode: a simulated phone (`ringback-phone-sim serve`) runs beside the app, paired
//! over the same sync path a real phone uses, and the window gets a small panel to give it
//! a missed call or a text. The simulated network delivers every text a moment after it
//! leaves, so a newcomer sees the whole flow: call, text-back, reply, delivered answer.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use ringback_core::CallOutcome;
use ringback_core::phone::{Region, Sender, classify};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::{Mutex, broadcast, watch};

use crate::desktop::SharedDesktop;
use crate::ipc::AppError;

/// How long the simulated network takes to deliver a text.
const DELIVERY_DELAY: Duration = Duration::from_millis(800);
/// How long pairing may take before the panel says it failed: the phone waits for a
/// person to accept it in the window, as long as the desktop waits for them.
const PAIR_TIMEOUT: Duration = ringback_core::sync::pairing::PHONE_WAIT;
/// How long demo mode waits for its own simulated phone to ask to pair at start.
const OWN_PHONE_TIMEOUT: Duration = Duration::from_secs(30);

/// The running simulated phone.
pub struct Demo {
    stdin: Arc<Mutex<ChildStdin>>,
    lines: broadcast::Sender<Value>,
    /// Its endpoint id, from its `ready` line.
    endpoint: watch::Receiver<Option<String>>,
    /// Where the demo keeps its sample photo.
    dir: PathBuf,
    _child: Child,
}

/// The file, in the demo's folder, where every picture message the simulated phone sent
/// is written (its `mms_out` line), for a person or a test to look at.
pub const MMS_OUT_FILE: &str = "demo-phone-mms-out.jsonl";

/// The demo business, so the first text-back reads like a real one.
const DEMO_SETTINGS: &str = r#"{"business_name": "Acme Plumbing", "region": "US", "timezone": "America/New_York", "business_hours": {"mon": ["00:00-23:59"], "tue": ["00:00-23:59"], "wed": ["00:00-23:59"], "thu": ["00:00-23:59"], "fri": ["00:00-23:59"], "sat": ["00:00-23:59"], "sun": ["00:00-23:59"]}, "text_back": {"cooldown_hours": 0}}"#;

/// Where the simulated phone's program is: `RINGBACK_PHONE_SIM`, else beside this
/// program, else on the `PATH`.
fn sim_program() -> PathBuf {
    if let Some(path) = std::env::var_os("RINGBACK_PHONE_SIM") {
        return PathBuf::from(path);
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        let beside = dir.join("ringback-phone-sim");
        if beside.exists() {
            return beside;
        }
    }
    PathBuf::from("ringback-phone-sim")
}

impl Demo {
    /// Starts the simulated phone with its data under `dir`, pairing with `ticket` when
    /// given (the desktop has no phone yet).
    pub async fn start(dir: &Path, ticket: Option<String>) -> anyhow::Result<Demo> {
        let data = dir.join("demo-phone");
        std::fs::create_dir_all(&data)?;
        let settings = dir.join("demo-phone-settings.json");
        if !settings.exists() {
            std::fs::write(&settings, DEMO_SETTINGS)?;
        }
        let program = sim_program();
        let mut command = Command::new(&program);
        command
            .arg("serve")
            .arg("--data")
            .arg(&data)
            .arg("--settings")
            .arg(&settings)
            .args(["--network", "loopback", "--name", "Demo phone"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(ticket) = ticket {
            command.arg("--pair").arg(ticket);
        }
        let mut child = command.spawn().map_err(|e| {
            anyhow::anyhow!(
                "the simulated phone ({}) could not start: {e}; build it with `cargo build -p ringback-bridge` or set RINGBACK_PHONE_SIM",
                program.display()
            )
        })?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| anyhow::anyhow!("the simulated phone has no input"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("the simulated phone has no output"))?;
        let (lines, _) = broadcast::channel(256);
        let (endpoint_tx, endpoint) = watch::channel(None);
        let stdin = Arc::new(Mutex::new(stdin));
        tokio::spawn(deliver(lines.subscribe(), stdin.clone()));
        tokio::spawn(read_lines(stdout, lines.clone(), endpoint_tx));
        tokio::spawn(record_mms_out(lines.subscribe(), dir.join(MMS_OUT_FILE)));
        Ok(Demo {
            stdin,
            lines,
            endpoint,
            dir: dir.to_path_buf(),
            _child: child,
        })
    }

    /// The simulated phone's endpoint id, once it said it is ready.
    pub fn endpoint(&self) -> Option<String> {
        self.endpoint.borrow().clone()
    }

    /// The same, as it becomes known.
    pub fn endpoint_watch(&self) -> watch::Receiver<Option<String>> {
        self.endpoint.clone()
    }

    async fn send(&self, command: Value) -> Result<(), AppError> {
        write_line(&self.stdin, &command).await.map_err(|e| {
            AppError::new(format!(
                "the simulated phone stopped ({e}); restart Ringback to restart the demo"
            ))
        })
    }

    /// The simulated phone's state digest, from its `status` line (`None` when it does not
    /// answer within a second).
    async fn phone_digest(&self) -> Option<String> {
        let mut lines = self.lines.subscribe();
        self.send(json!({"status": {}})).await.ok()?;
        let wait = async {
            loop {
                match lines.recv().await {
                    Ok(line) => {
                        if let Some(d) = line.pointer("/status/digest").and_then(Value::as_str) {
                            return Some(d.to_string());
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(1), wait)
            .await
            .ok()
            .flatten()
    }

    /// Waits (up to 3 s) until the simulated phone holds what `replica` holds, so a call or
    /// text given to it next meets everything the window wrote before (a settings change, a
    /// hand-back): the window's writes reach the phone over sync, the demo's calls and texts
    /// over its input, and without this the second could overtake the first.
    pub async fn settle(&self, replica: &ringback_core::sync::replica::DesktopReplica) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
        while tokio::time::Instant::now() < deadline {
            let ours = replica.with(|s| s.digest().ok());
            let theirs = self.phone_digest().await;
            if ours.is_some() && ours == theirs {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// A call from `number` that ends with `outcome`.
    pub async fn call(&self, number: &str, outcome: CallOutcome) -> Result<(), AppError> {
        let from = demo_number(number)?;
        let outcome = serde_json::to_value(outcome)
            .map_err(|e| AppError::new(format!("that call outcome is not known: {e}")))?;
        self.send(json!({"call": {"from": from, "outcome": outcome, "line": "sim1"}}))
            .await
    }

    /// A text from `number`.
    pub async fn sms(&self, number: &str, body: &str) -> Result<(), AppError> {
        let from = demo_number(number)?;
        if body.trim().is_empty() {
            return Err(AppError::new("write the caller's text first"));
        }
        self.send(json!({"sms": {"from": from, "body": body, "line": "sim1"}}))
            .await
    }

    /// A picture message from `number`: a sample photo of a leak (made once in the demo's
    /// folder), with `body` as its text when given.
    pub async fn mms(&self, number: &str, body: &str) -> Result<(), AppError> {
        let from = demo_number(number)?;
        let photo = self.dir.join("demo-photo-leak.jpg");
        if !photo.exists() {
            let target = photo.clone();
            tokio::task::spawn_blocking(move || std::fs::write(&target, sample_photo()))
                .await
                .map_err(|e| AppError::new(format!("the sample photo could not be made: {e}")))?
                .map_err(|e| AppError::new(format!("the sample photo could not be saved: {e}")))?;
        }
        let mut parts = Vec::new();
        if !body.trim().is_empty() {
            parts.push(json!({"text": body}));
        }
        parts.push(json!({"type": "image/jpeg", "file": photo.display().to_string()}));
        self.send(json!({"mms": {"from": from, "parts": parts, "line": "sim1"}}))
            .await
    }

    /// Puts the simulated phone's line in `state` (`in_service`, `no_service`, `radio_off`):
    /// without service its texts fail and wait to be retried; back in service they go.
    pub async fn radio(&self, state: &str) -> Result<(), AppError> {
        let Some(state) = ringback_core::engine::ServiceState::from_name(state) else {
            return Err(AppError::new(format!(
                "“{}” is not a state of the phone's line; use in_service, no_service or radio_off",
                state.chars().take(40).collect::<String>()
            )));
        };
        self.send(json!({"radio": {"line": "sim1", "state": state.as_str()}}))
            .await
    }

    /// Revokes (or grants back) the call-log permission on the simulated phone, as
    /// Android's auto-reset would: its health, and the Devices checklist, say so.
    pub async fn call_log_permission(&self, granted: bool) -> Result<(), AppError> {
        self.send(json!({"permission": {"name": "read_call_log", "granted": granted}}))
            .await
    }

    /// Gives the simulated phone a pairing code and waits for it to pair or fail: once the
    /// desktop takes the code, the window asks the person to accept the phone.
    pub async fn pair(&self, code: &str) -> Result<(), AppError> {
        let mut lines = self.lines.subscribe();
        self.send(json!({"pair": code.trim()})).await?;
        let wait = async {
            loop {
                match lines.recv().await {
                    Ok(line) if line.get("paired").is_some() => return Ok(()),
                    Ok(line) => {
                        if let Some(error) = line.get("error").and_then(Value::as_str) {
                            return Err(AppError::new(format!(
                                "the phone could not pair: {error}"
                            )));
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => {
                        return Err(AppError::new(
                            "the simulated phone stopped; restart the demo",
                        ));
                    }
                }
            }
        };
        tokio::time::timeout(PAIR_TIMEOUT, wait).await.unwrap_or_else(|_| {
            Err(AppError::new(
                "the phone did not pair in time; check that both are on the same network and try a new code",
            ))
        })
    }
}

/// A number typed in the demo panel, as E.164.
fn demo_number(raw: &str) -> Result<String, AppError> {
    match classify(raw, Region::parse("US").unwrap_or_default()) {
        Sender::Number(n) => Ok(n.to_string()),
        _ => Err(AppError::new(format!(
            "“{}” is not a phone number; type one like +1 555 123 4567",
            raw.chars().take(40).collect::<String>()
        ))),
    }
}

/// Demo mode's first start: accepts the simulated phone this app started, and only that
/// phone (its endpoint id read from its own `ready` line), when it asks to pair with the
/// code it was given. The person started demo mode; there is no stranger to keep out.
pub async fn accept_own_phone(
    desktop: SharedDesktop,
    mut endpoint: watch::Receiver<Option<String>>,
) {
    let accept = async {
        let id = endpoint.wait_for(Option::is_some).await.ok()?.clone()?;
        let mut requests = desktop.node().pairing_requests();
        let request = requests
            .wait_for(|l| l.iter().any(|r| r.endpoint.to_string() == id))
            .await
            .ok()?
            .iter()
            .find(|r| r.endpoint.to_string() == id)
            .cloned()?;
        desktop.node().accept_pairing(&request.endpoint).ok()
    };
    match tokio::time::timeout(OWN_PHONE_TIMEOUT, accept).await {
        Ok(Some(())) => tracing::info!("demo mode accepted the simulated phone it started"),
        _ => tracing::warn!("the simulated phone did not ask to pair; pair it under Devices"),
    }
}

async fn read_lines(
    stdout: tokio::process::ChildStdout,
    lines: broadcast::Sender<Value>,
    endpoint: watch::Sender<Option<String>>,
) {
    let mut reader = BufReader::new(stdout).lines();
    while let Ok(Some(line)) = reader.next_line().await {
        match serde_json::from_str::<Value>(&line) {
            Ok(value) => {
                if let Some(ready) = value.get("ready") {
                    tracing::info!("the simulated phone is running");
                    let id = ready.get("endpoint").and_then(Value::as_str);
                    endpoint.send_replace(id.map(str::to_string));
                } else if value.get("paired").is_some() {
                    tracing::info!("the simulated phone paired with this desktop");
                } else if value.get("error").is_some() {
                    // The phone's words may quote what it was given: kept out of info logs.
                    tracing::debug!(line = %value, "the simulated phone refused a command");
                }
                let _ = lines.send(value);
            }
            Err(_) => tracing::debug!("simulated phone printed a line that is not JSON"),
        }
    }
    tracing::info!("the simulated phone stopped");
}

/// A sample photo for demo mode: 800×600, a blue pipe on a tiled wall with a drip, as
/// a JPEG (made, not shipped).
pub fn sample_photo() -> Vec<u8> {
    let image = image::RgbImage::from_fn(800, 600, |x, y| {
        let grout = x % 80 < 3 || y % 80 < 3;
        let pipe = (280..320).contains(&y) || ((380..420).contains(&x) && y > 300);
        let drip = (x as i64 - 400).pow(2) + (y as i64 - 520).pow(2) < 200;
        if drip {
            image::Rgb([90, 160, 230])
        } else if pipe {
            image::Rgb([40, 70, 140])
        } else if grout {
            image::Rgb([170, 170, 160])
        } else {
            image::Rgb([235, 232, 222])
        }
    });
    let mut out = Vec::new();
    // An encoder writing into memory fails only on dimensions JPEG cannot hold.
    if let Err(e) =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&image)
    {
        tracing::warn!("the sample photo could not be made: {e}");
    }
    out
}

/// Appends each `mms_out` line the simulated phone prints to `path`.
async fn record_mms_out(mut lines: broadcast::Receiver<Value>, path: PathBuf) {
    loop {
        match lines.recv().await {
            Ok(line) if line.get("mms_out").is_some() => {
                let written = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .await;
                match written {
                    Ok(mut file) => {
                        let _ = file.write_all(format!("{line}\n").as_bytes()).await;
                    }
                    Err(e) => tracing::warn!("the demo's picture messages could not be noted: {e}"),
                }
            }
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

async fn write_line(stdin: &Mutex<ChildStdin>, command: &Value) -> std::io::Result<()> {
    let mut stdin = stdin.lock().await;
    stdin.write_all(format!("{command}\n").as_bytes()).await?;
    stdin.flush().await
}

/// The simulated network: each text the phone sends is reported delivered shortly after.
async fn deliver(mut lines: broadcast::Receiver<Value>, stdin: Arc<Mutex<ChildStdin>>) {
    loop {
        match lines.recv().await {
            Ok(line) => {
                // A picture message is delivered like a text.
                let Some(id) = line
                    .get("sms_out")
                    .or_else(|| line.get("mms_out"))
                    .and_then(|s| s.get("message"))
                    .and_then(Value::as_i64)
                else {
                    continue;
                };
                let stdin = stdin.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(DELIVERY_DELAY).await;
                    let report = json!({"delivered": {"message": id, "status": "delivered"}});
                    if write_line(&stdin, &report).await.is_err() {
                        tracing::debug!("the simulated phone stopped before a delivery report");
                    }
                });
            }
            Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
