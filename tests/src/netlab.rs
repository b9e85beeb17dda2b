//! The network lab's machinery, shared by its test (`tests/netlab.rs`) and its benchmark
//! (`benches/relay_latency.rs`): network namespaces of the run's own, NAT routers, the real
//! `iroh-relay`, and the simulators as processes driven by JSON lines. Every address is
//! inside the namespaces; nothing is sent anywhere else.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// A generous deadline for anything that should take a second or two.
pub const PATIENCE: Duration = Duration::from_secs(60);
/// The port `iroh-relay --dev` listens on (plain HTTP).
pub const RELAY_PORT: u16 = 3340;

/// The programs the lab runs.
pub struct Tools {
    pub relay: PathBuf,
    pub phone: PathBuf,
    pub desk: PathBuf,
}

/// The lab's programs, or `None` (after one line saying why) when it cannot run here.
/// Where namespaces cannot be made the lab always skips; a missing program fails instead
/// when `RINGBACK_NETLAB_REQUIRED=1` (scripts/test, after scripts/setup --test made them).
pub fn tools(desk: &Path) -> Result<Option<Tools>> {
    if let Some(why) = no_namespaces() {
        say(&format!("network lab skipped: {why}"));
        return Ok(None);
    }
    let required = std::env::var("RINGBACK_NETLAB_REQUIRED").is_ok_and(|v| v == "1");
    let missing = |why: &str| -> Result<Option<Tools>> {
        if required {
            bail!("network lab: {why}");
        }
        say(&format!("network lab skipped: {why}"));
        Ok(None)
    };
    let relay = std::env::var_os("RINGBACK_IROH_RELAY")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cache/ringback-tools/iroh-relay/bin/iroh-relay"))
        });
    let Some(relay) = relay.filter(|p| p.is_file()) else {
        return missing(
            "iroh-relay 1.4.1 is not installed (scripts/setup --test installs it into ~/.cache/ringback-tools)",
        );
    };
    // Built beside the desktop simulator by `cargo test --workspace` (another package's
    // binary, so cargo names no path for it).
    let desk = desk.to_path_buf();
    let phone = std::env::var_os("RINGBACK_PHONE_SIM")
        .map(PathBuf::from)
        .or_else(|| Some(desk.parent()?.join("ringback-phone-sim")));
    let Some(phone) = phone.filter(|p| p.is_file()) else {
        return missing(
            "ringback-phone-sim is not built (cargo build -p ringback-bridge --bin ringback-phone-sim)",
        );
    };
    Ok(Some(Tools { relay, phone, desk }))
}

/// Prints a line on the terminal even inside `cargo test`, whose capture takes only what
/// `print!` writes: the lab's one-line skip and its report are for the person running it.
pub fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Why no network namespace can be made here, if none can.
pub fn no_namespaces() -> Option<String> {
    let uid = Command::new("id").arg("-u").output();
    if !uid.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0") {
        return Some("not root, so no network namespaces can be made".into());
    }
    for tool in ["ip", "iptables"] {
        if !Command::new(tool)
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            return Some(format!(
                "`{tool}` is missing (apt-get install iproute2 iptables, or scripts/setup --test)"
            ));
        }
    }
    let probe = format!("rblprobe{}", std::process::id());
    let made = Command::new("ip")
        .args(["netns", "add", &probe])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let _ = Command::new("ip")
        .args(["netns", "delete", &probe])
        .stderr(Stdio::null())
        .status();
    if !made {
        return Some(
            "`ip netns add` failed here (no CAP_SYS_ADMIN or no namespace support)".into(),
        );
    }
    None
}

pub fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Namespaces

/// The namespaces of one run, all named with its prefix; deleted on teardown or drop.
pub struct Lab {
    pub prefix: String,
    pub namespaces: Vec<String>,
    pub processes: Vec<Proc>,
    /// The lab CA's certificate the relay's is signed with, when the relay has one: the
    /// simulators on `relay=` trust it (`--relay-ca`).
    pub relay_ca: Option<PathBuf>,
}

impl Lab {
    pub fn new(prefix: &str) -> Lab {
        Lab {
            prefix: prefix.to_string(),
            namespaces: Vec::new(),
            processes: Vec::new(),
            relay_ca: None,
        }
    }

    /// A folder of this run's own for files (the relay's certificate), removed on teardown.
    pub fn files(&self) -> PathBuf {
        std::env::temp_dir().join(&self.prefix)
    }

    /// The full name of the lab's namespace `short`.
    pub fn ns(&self, short: &str) -> String {
        format!("{}-{short}", self.prefix)
    }

    pub fn add_ns(&mut self, short: &str) -> Result<String> {
        let name = self.ns(short);
        ip(&["netns", "add", &name])?;
        self.namespaces.push(name.clone());
        ip(&["-n", &name, "link", "set", "lo", "up"])?;
        Ok(name)
    }

    /// Runs `args` inside namespace `ns`.
    pub fn exec(&self, ns: &str, args: &[&str]) -> Result<()> {
        let mut full = vec!["netns", "exec", ns];
        full.extend_from_slice(args);
        ip(&full)
    }

    /// A router namespace `short` on the internet bridge (its address `wan_ip`/24) that
    /// masquerades whatever is attached behind it.
    pub fn router(&mut self, short: &str, wan_ip: &str) -> Result<String> {
        let router = self.add_ns(short)?;
        let inet = self.ns("inet");
        ip(&[
            "link", "add", "wan", "netns", &router, "type", "veth", "peer", "name", short, "netns",
            &inet,
        ])?;
        ip(&[
            "-n",
            &router,
            "addr",
            "add",
            &format!("{wan_ip}/24"),
            "dev",
            "wan",
        ])?;
        ip(&["-n", &router, "link", "set", "wan", "up"])?;
        ip(&["-n", &inet, "link", "set", short, "master", "br0"])?;
        ip(&["-n", &inet, "link", "set", short, "up"])?;
        self.exec(&router, &["sysctl", "-qw", "net.ipv4.ip_forward=1"])?;
        self.exec(
            &router,
            &[
                "iptables",
                "-t",
                "nat",
                "-A",
                "POSTROUTING",
                "-o",
                "wan",
                "-j",
                "MASQUERADE",
            ],
        )?;
        // A home router's firewall: what arrives from outside unasked is dropped before
        // conntrack records it. Without this, a hole punch that reaches this NAT before its
        // own host's punch went out leaves an entry that makes MASQUERADE pick another port
        // for that punch, and the punched address is wrong (Linux conntrack's classic race).
        self.exec(
            &router,
            &[
                "iptables",
                "-A",
                "INPUT",
                "-i",
                "wan",
                "-m",
                "conntrack",
                "--ctstate",
                "NEW",
                "-j",
                "DROP",
            ],
        )?;
        Ok(router)
    }

    /// A host interface `dev` in `host` on a router's LAN side (`lan`), `host_ip`/24 and
    /// `router_ip`/24; with `route`, the host's default route goes through it.
    pub fn attach(
        &self,
        host: &str,
        dev: &str,
        router: &str,
        host_ip: &str,
        router_ip: &str,
        up: bool,
    ) -> Result<()> {
        ip(&[
            "link", "add", dev, "netns", host, "type", "veth", "peer", "name", "lan", "netns",
            router,
        ])?;
        ip(&[
            "-n",
            host,
            "addr",
            "add",
            &format!("{host_ip}/24"),
            "dev",
            dev,
        ])?;
        ip(&[
            "-n",
            router,
            "addr",
            "add",
            &format!("{router_ip}/24"),
            "dev",
            "lan",
        ])?;
        ip(&["-n", router, "link", "set", "lan", "up"])?;
        if up {
            ip(&["-n", host, "link", "set", dev, "up"])?;
            ip(&["-n", host, "route", "add", "default", "via", router_ip])?;
        }
        Ok(())
    }

    /// Starts `program args` in namespace `ns`; its lines are read as they come.
    pub fn spawn(&mut self, label: &str, ns: &str, program: &Path, args: &[&str]) -> Result<usize> {
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(program)
            .args(args)
            .env(
                "RINGBACK_LOG",
                std::env::var("RINGBACK_LAB_LOG").unwrap_or_else(|_| "error".into()),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {label}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
                if tx.send((Instant::now(), value)).is_err() {
                    break;
                }
            }
        });
        self.processes.push(Proc {
            label: label.to_string(),
            ends_on_eof: label != "iroh-relay",
            child,
            stdin,
            lines: rx,
            seen: Vec::new(),
        });
        Ok(self.processes.len() - 1)
    }

    pub fn teardown(&mut self) {
        for mut p in self.processes.drain(..) {
            p.stop();
        }
        for ns in self.namespaces.drain(..).rev() {
            let _ = Command::new("ip")
                .args(["netns", "delete", &ns])
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(self.files());
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.teardown();
    }
}

pub fn ip(args: &[&str]) -> Result<()> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .context("running ip")?;
    if !out.status.success() {
        bail!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Processes

/// A lab process: its stdin, and every JSON line it printed.
pub struct Proc {
    /// What it is, in messages.
    pub label: String,
    /// Whether it ends when its stdin closes (the simulators); the relay is killed.
    pub ends_on_eof: bool,
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub lines: mpsc::Receiver<(Instant, Value)>,
    /// Every line read so far, with when it was read.
    pub seen: Vec<(Instant, Value)>,
}

impl Proc {
    pub fn send(&mut self, command: &Value) -> Result<()> {
        let stdin = self.stdin.as_mut().context("stdin closed")?;
        writeln!(stdin, "{command}").with_context(|| format!("writing to {}", self.label))?;
        stdin.flush()?;
        Ok(())
    }

    /// Takes in what was printed so far without waiting.
    pub fn drain(&mut self) {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
    }

    /// Waits for the first line from index `from` on that `matches`; returns its index.
    pub fn wait_from(
        &mut self,
        from: usize,
        what: &str,
        within: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Result<usize> {
        let deadline = Instant::now() + within;
        let mut checked = from;
        loop {
            self.drain();
            if let Some(i) = self.seen[checked.min(self.seen.len())..]
                .iter()
                .position(|(_, v)| matches(v))
            {
                return Ok(checked + i);
            }
            checked = self.seen.len();
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                bail!(
                    "{} did not print {what} within {} s; it printed: {}",
                    self.label,
                    within.as_secs(),
                    self.tail()
                );
            }
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    bail!(
                        "{} exited while waiting for {what}: {}",
                        self.label,
                        self.tail()
                    )
                }
            }
        }
    }

    /// Asks for a line (`command`) and waits for the answer that `matches`.
    pub fn ask(&mut self, command: &Value, key: &str) -> Result<Value> {
        self.drain();
        let from = self.seen.len();
        self.send(command)?;
        let i = self.wait_from(from, key, PATIENCE, |v| v.get(key).is_some())?;
        Ok(self.seen[i].1[key].clone())
    }

    pub fn tail(&self) -> String {
        let start = self.seen.len().saturating_sub(8);
        self.seen[start..]
            .iter()
            .map(|(_, v)| v.to_string())
            .collect::<Vec<_>>()
            .join("\n  ")
    }

    pub fn stop(&mut self) {
        // Closing stdin ends a simulator; a stuck one is killed, and so is the relay.
        self.stdin.take();
        if !self.ends_on_eof {
            let _ = self.child.kill();
            let _ = self.child.wait();
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A phone and a desktop paired over the lab, with what each case sent.
pub struct Pair {
    pub phone: usize,
    pub desk: usize,
    /// Every text handed to the phone, by body.
    pub texts: Vec<String>,
    /// Every reply the desktop asked for, by body.
    pub replies: Vec<String>,
}

/// Waits until something listens on `host:port` in namespace `ns`.
pub fn wait_tcp(ns: &str, host: &str, port: u16) -> Result<()> {
    let deadline = Instant::now() + PATIENCE;
    let probe = format!("exec 3<>/dev/tcp/{host}/{port}");
    while Instant::now() < deadline {
        let ok = Command::new("ip")
            .args(["netns", "exec", ns, "bash", "-c", &probe])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!(
        "nothing listened on {host}:{port} in {ns} within {} s",
        PATIENCE.as_secs()
    )
}

/// Which pairing code the phone is given.
#[derive(Debug, Clone, Copy)]
pub enum Code {
    /// The QR payload: the desktop's addresses and relay with it.
    Qr,
    /// The short code to type: the endpoint id only, so the phone must find the desktop.
    Short,
}

/// Starts a desktop and a phone, each `(namespace, --network mode)`, and pairs them as a
/// person would.
pub fn start_pair(
    lab: &mut Lab,
    tools: &Tools,
    dir: &Path,
    (desk_ns, desk_net): (&str, &str),
    (phone_ns, phone_net): (&str, &str),
    code: Code,
) -> Result<Pair> {
    let desk_dir = dir.join("desktop").display().to_string();
    let phone_dir = dir.join("phone").display().to_string();
    let ca = lab.relay_ca.as_ref().map(|p| p.display().to_string());
    // On the lab's relay, trust its certificate (QUIC address discovery needs its TLS).
    let args = |data: &str, net: &str| -> Vec<String> {
        let mut args = vec!["serve", "--data", data, "--network", net]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        if let (Some(ca), true) = (&ca, net.starts_with("relay=")) {
            args.extend(["--relay-ca".to_string(), ca.clone()]);
        }
        args
    };
    let desk_args = args(&desk_dir, desk_net);
    let phone_args = args(&phone_dir, phone_net);
    let desk = lab.spawn(
        "the desktop",
        desk_ns,
        &tools.desk,
        &desk_args.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    let phone = lab.spawn(
        "the phone",
        phone_ns,
        &tools.phone,
        &phone_args.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    lab.processes[desk].wait_from(0, "ready", PATIENCE, |v| v.get("ready").is_some())?;
    lab.processes[phone].wait_from(0, "ready", PATIENCE, |v| v.get("ready").is_some())?;
    // A phone without a business name is not set up yet and sends nothing.
    lab.processes[phone].ask(
        &json!({"settings": {"business_name": "Acme Plumbing"}}),
        "settings",
    )?;
    let ticket = lab.processes[desk].ask(&json!({"ticket": {}}), "ticket")?;
    let field = match code {
        Code::Qr => "qr",
        Code::Short => "short",
    };
    let text = ticket[field]
        .as_str()
        .with_context(|| format!("ticket.{field}"))?
        .to_string();
    lab.processes[phone].send(&json!({"pair": text}))?;
    let i =
        lab.processes[desk].wait_from(0, "pairing", PATIENCE, |v| v.get("pairing").is_some())?;
    let waiting = lab.processes[desk].seen[i].1["pairing"]["phone"].clone();
    lab.processes[desk].send(&json!({"accept": waiting}))?;
    lab.processes[phone].wait_from(0, "paired", PATIENCE, |v| v.get("paired").is_some())?;
    Ok(Pair {
        phone,
        desk,
        texts: Vec::new(),
        replies: Vec::new(),
    })
}

/// The NAT lab's namespaces, built by [`nat_lab`].
pub struct Net {
    /// The "internet": a bridge on 10.99.0.0/24, the relay on 10.99.0.1.
    pub inet: String,
    /// The office's router (10.99.0.2 outside, 192.168.1.1 inside, masquerading).
    pub office_router: String,
    /// The carrier's router (10.99.0.3 outside, 100.64.0.1 inside, masquerading).
    pub mobile_router: String,
    /// The Wi-Fi's router (10.99.0.4 outside, 192.168.50.1 inside, masquerading).
    pub wifi_router: String,
    /// The desktop's host: 192.168.1.10 behind the office router.
    pub office: String,
    /// The phone: on Wi-Fi (`w0`, 192.168.50.10) and, down until it moves, on mobile data
    /// (`m0`, 100.64.0.10).
    pub mobile: String,
    /// The relay's address, `http://10.99.0.1:3340`.
    pub relay_url: String,
}

/// Builds the internet, the three NAT routers and the two hosts, and starts the relay.
pub fn nat_lab(lab: &mut Lab, tools: &Tools) -> Result<Net> {
    let inet = lab.add_ns("inet")?;
    ip(&["-n", &inet, "link", "add", "br0", "type", "bridge"])?;
    ip(&["-n", &inet, "addr", "add", "10.99.0.1/24", "dev", "br0"])?;
    ip(&["-n", &inet, "link", "set", "br0", "up"])?;
    let office_router = lab.router("or", "10.99.0.2")?;
    let mobile_router = lab.router("mr", "10.99.0.3")?;
    let wifi_router = lab.router("wr", "10.99.0.4")?;
    let office = lab.add_ns("office")?;
    let mobile = lab.add_ns("mobile")?;
    lab.attach(
        &office,
        "o0",
        &office_router,
        "192.168.1.10",
        "192.168.1.1",
        true,
    )?;
    // The phone starts on Wi-Fi; its mobile data interface waits, down.
    lab.attach(
        &mobile,
        "w0",
        &wifi_router,
        "192.168.50.10",
        "192.168.50.1",
        true,
    )?;
    lab.attach(
        &mobile,
        "m0",
        &mobile_router,
        "100.64.0.10",
        "100.64.0.1",
        false,
    )?;
    // The relay speaks plain HTTP (--dev) but runs QUIC address discovery with a
    // certificate from a CA of the run's own, which the simulators are told to trust: that
    // is how each side learns its NAT's public address, without which nothing is punched.
    let files = lab.files();
    std::fs::create_dir_all(&files)?;
    match relay_certificate(&files) {
        Ok(config) => {
            let config = config.display().to_string();
            lab.spawn(
                "iroh-relay",
                &inet,
                &tools.relay,
                &["--dev", "--config-path", &config],
            )?;
            lab.relay_ca = Some(files.join("ca.crt"));
        }
        Err(why) => {
            say(&format!(
                "network lab: no certificate for the relay ({why:#}); it runs without QUIC address discovery"
            ));
            lab.spawn("iroh-relay", &inet, &tools.relay, &["--dev"])?;
        }
    }
    wait_tcp(&inet, "10.99.0.1", RELAY_PORT)?;
    Ok(Net {
        inet,
        office_router,
        mobile_router,
        wifi_router,
        office,
        mobile,
        relay_url: format!("http://10.99.0.1:{RELAY_PORT}"),
    })
}

/// Makes, in `dir`, a CA (`ca.crt`) and a certificate for the relay's address signed by it,
/// and the relay's config using them for QUIC address discovery; returns the config's path.
fn relay_certificate(dir: &Path) -> Result<PathBuf> {
    let script = r#"set -e
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout ca.key -out ca.crt -subj "/CN=Ringback network lab CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout relay.key -out relay.csr -subj "/CN=10.99.0.1"
printf 'subjectAltName=IP:10.99.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > relay.ext
openssl x509 -req -in relay.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
  -extfile relay.ext -out relay.crt
"#;
    let out = Command::new("bash")
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .context("running openssl")?;
    if !out.status.success() {
        bail!("openssl: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    let config = dir.join("relay.toml");
    std::fs::write(
        &config,
        format!(
            "enable_quic_addr_discovery = true\n\n[tls]\ncert_mode = \"Manual\"\nmanual_cert_path = \"{}\"\nmanual_key_path = \"{}\"\nquic_bind_addr = \"10.99.0.1:7842\"\n",
            dir.join("relay.crt").display(),
            dir.join("relay.key").display()
        ),
    )?;
    Ok(config)
}

/// A name prefix for this run's namespaces, so that a leftover of another run never
/// collides with it.
pub fn run_prefix() -> String {
    sweep_stale();
    format!("{PREFIX}{}x{}", std::process::id(), nanos() % 1000)
}

/// Whether `name` is a lab run's (namespace or folder) whose process is gone.
fn stale_run(name: &str) -> bool {
    let Some(pid) = name
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split('x').next())
        .and_then(|pid| pid.parse::<u32>().ok())
    else {
        return false;
    };
    pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// What every lab namespace's name starts with, then the pid of the run that made it.
const PREFIX: &str = "rbl";

/// Deletes the namespaces of earlier runs that died without cleaning up (killed, say),
/// ending the processes left in them: a namespace is an earlier run's when its name is
/// this lab's and the process named in it is gone.
fn sweep_stale() {
    // The relay's files of a run that died, in its folder named like its namespaces.
    if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if stale_run(&name) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        if !stale_run(name) {
            continue;
        }
        if let Ok(pids) = Command::new("ip").args(["netns", "pids", name]).output() {
            for left in String::from_utf8_lossy(&pids.stdout).split_whitespace() {
                let _ = Command::new("kill").args(["-9", left]).status();
            }
        }
        let _ = Command::new("ip").args(["netns", "delete", name]).status();
    }
}

// ---------------------------------------------------------------------------------------
// Egress: proof that a host sends nothing outside the lab

/// The IPv4 ranges the NAT lab is made of, plus loopback, link-local multicast (never
/// routed past the link) and the SSDP group, where iroh's port mapper asks the local
/// router for a UPnP mapping (the user's own router, not a third party): a host's packet
/// to any other address left for a third party.
pub const LAB_V4: &[&str] = &[
    "127.0.0.0/8",
    "10.99.0.0/24",
    "192.168.1.0/24",
    "192.168.50.0/24",
    "100.64.0.0/24",
    "224.0.0.0/24",
    "239.255.255.250/32",
];
/// The same for IPv6: the lab gives its interfaces only link-local addresses.
pub const LAB_V6: &[&str] = &["::1/128", "fe80::/10", "ff02::/16"];

/// The chains the egress watch adds: DNS queries (to any resolver, the lab has none), and
/// anything else to an address outside the lab.
const DNS_CHAIN: &str = "RBL_DNS";
const OUT_CHAIN: &str = "RBL_OUTSIDE";

/// Counts, in host namespace `ns`'s OUTPUT (every packet a process there sends, loopback
/// included, before any routing or NAT), each DNS query and each packet to an address
/// outside `LAB_V4`/`LAB_V6`, remembering every such destination (`xt_recent`, readable
/// in `/proc/net/xt_recent`). A host's own OUTPUT catches what a router's FORWARD would
/// miss: a query to a resolver on loopback, or one the router cannot route and drops.
pub fn watch_egress(lab: &Lab, ns: &str) -> Result<()> {
    for (tool, allowed, family) in [("iptables", LAB_V4, "4"), ("ip6tables", LAB_V6, "6")] {
        let run = |args: &[&str]| -> Result<()> {
            let mut full = vec![tool, "-w"];
            full.extend_from_slice(args);
            lab.exec(ns, &full)
        };
        let dns_list = format!("rbldns{family}");
        let out_list = format!("rblout{family}");
        run(&["-N", DNS_CHAIN])?;
        // ACCEPT ends the query's way through OUTPUT here (the policy accepts it anyway), so
        // that it is not counted again as a packet outside the lab.
        run(&[
            "-A", DNS_CHAIN, "-m", "recent", "--name", &dns_list, "--set", "--rdest", "-j",
            "ACCEPT",
        ])?;
        run(&["-N", OUT_CHAIN])?;
        run(&[
            "-A", OUT_CHAIN, "-m", "recent", "--name", &out_list, "--set", "--rdest",
        ])?;
        // First a rule that only counts, so the report shows the watch saw the traffic.
        run(&["-A", "OUTPUT"])?;
        // DNS next: a query to a resolver on loopback counts too.
        for proto in ["udp", "tcp"] {
            run(&[
                "-A", "OUTPUT", "-p", proto, "--dport", "53", "-j", DNS_CHAIN,
            ])?;
        }
        for range in allowed {
            run(&["-A", "OUTPUT", "-d", range, "-j", "RETURN"])?;
        }
        run(&["-A", "OUTPUT", "-j", OUT_CHAIN])?;
    }
    Ok(())
}

/// What a watched host sent beyond the lab so far.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Egress {
    /// Every packet the host sent, to the lab or not.
    pub sent: u64,
    /// DNS queries, to any resolver.
    pub dns: u64,
    /// Other packets to an address outside the lab.
    pub outside: u64,
    /// Every address those went to (resolvers marked "(DNS)").
    pub destinations: Vec<String>,
}

impl Egress {
    /// Whether nothing left for a third party.
    pub fn is_clean(&self) -> bool {
        self.dns == 0 && self.outside == 0
    }
}

impl std::fmt::Display for Egress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} packets, {} of them DNS queries, {} to other addresses outside the lab",
            self.sent, self.dns, self.outside
        )?;
        if !self.destinations.is_empty() {
            write!(f, " (to {})", self.destinations.join(", "))?;
        }
        Ok(())
    }
}

/// Reads what [`watch_egress`] counted in `ns`.
pub fn egress(ns: &str) -> Result<Egress> {
    let mut seen = Egress::default();
    for (tool, family) in [("iptables", "4"), ("ip6tables", "6")] {
        // The host's OUTPUT starts with the watch's counting rule (a fresh namespace).
        seen.sent += chain_packets(ns, tool, "OUTPUT")?;
        seen.dns += chain_packets(ns, tool, DNS_CHAIN)?;
        seen.outside += chain_packets(ns, tool, OUT_CHAIN)?;
        for (list, mark) in [
            (format!("rbldns{family}"), " (DNS)"),
            (format!("rblout{family}"), ""),
        ] {
            let path = format!("/proc/net/xt_recent/{list}");
            let text = netns_output(ns, &["cat", &path])?;
            for line in text.lines() {
                // "src=203.0.113.9 ttl: 64 last_seen: … oldest_pkt: 3 …" (with --rdest the
                // "src" is the destination).
                if let Some(addr) = line
                    .split_whitespace()
                    .next()
                    .and_then(|w| w.strip_prefix("src="))
                {
                    seen.destinations.push(format!("{addr}{mark}"));
                }
            }
        }
    }
    Ok(seen)
}

/// The packets counted by the first rule of chain `chain`.
fn chain_packets(ns: &str, tool: &str, chain: &str) -> Result<u64> {
    let text = netns_output(ns, &[tool, "-w", "-L", chain, "-v", "-x", "-n"])?;
    // "Chain X (1 references)", the header, then the rule: its first column is packets.
    let rule = text
        .lines()
        .nth(2)
        .with_context(|| format!("{tool} -L {chain} in {ns} shows no rule: {text}"))?;
    let packets = rule.split_whitespace().next().unwrap_or("");
    packets
        .parse()
        .with_context(|| format!("{tool} -L {chain} in {ns}: “{rule}” starts with no count"))
}

/// What `args` print inside namespace `ns`.
fn netns_output(ns: &str, args: &[&str]) -> Result<String> {
    let out = Command::new("ip")
        .args(["netns", "exec", ns])
        .args(args)
        .output()
        .context("running ip netns exec")?;
    if !out.status.success() {
        bail!(
            "{} in {ns}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
