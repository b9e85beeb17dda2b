//! `ringback-desk-sim serve`: the desktop app's sync without its window.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use iroh::EndpointId;
use ringback_core::sync::net::{self, NetworkMode};
use ringback_core::sync::node::{self, DesktopNode};
use ringback_core::sync::replica::DesktopReplica;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::Options;
use crate::lines::{self, Line, error_line, print};

/// How long the desktop waits at start for its relay before it says it is ready anyway
/// (a ticket made before the relay answers names no relay).
const RELAY_WAIT: Duration = Duration::from_secs(20);

/// A command on stdin.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Command {
    Ticket(serde::de::IgnoredAny),
    Accept(String),
    Reject(String),
    Reply(Reply),
    Status(serde::de::IgnoredAny),
    Quit(serde::de::IgnoredAny),
}

/// A reply the desktop asks the phone to send.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Reply {
    to: String,
    body: String,
    /// The phone (endpoint id); may be left out while one phone is paired.
    phone: Option<String>,
}

/// Runs the headless desktop until stdin closes or `quit`.
pub async fn serve(options: Options) -> Result<(), String> {
    let data = &options.data;
    std::fs::create_dir_all(data)
        .map_err(|e| format!("the data folder {} could not be used: {e}", data.display()))?;
    let key = net::load_or_create_key(&data.join("desktop.key")).map_err(|e| e.to_string())?;
    let endpoint = net::bind(&options.network, key, node::alpns(), options.port)
        .await
        .map_err(|e| e.to_string())?;
    let node = DesktopNode::start(endpoint, data, &options.name)
        .await
        .map_err(|e| e.to_string())?;
    let relayed = !matches!(
        options.network,
        NetworkMode::LanOnly | NetworkMode::Loopback
    );
    if relayed
        && tokio::time::timeout(RELAY_WAIT, node.online())
            .await
            .is_err()
    {
        error_line(format!(
            "the relay did not answer within {} s; tickets name no relay until it does",
            RELAY_WAIT.as_secs()
        ));
    }
    let addr = node.addr();
    print(&json!({"ready": {
        "endpoint": node.id().to_string(),
        "addrs": addr.ip_addrs().map(|a| a.to_string()).collect::<Vec<_>>(),
        "relay": addr.relay_urls().next().map(|r| r.to_string()),
        "data": data.display().to_string(),
    }}));
    let node = Arc::new(node);
    let watchers = vec![
        tokio::spawn(print_pairings(node.clone())),
        tokio::spawn(print_links_and_changes(node.clone())),
    ];
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let mut number = 0usize;
    while let Some(line) = lines::next_line(&mut stdin).await {
        number += 1;
        let text = match line {
            Line::Text(t) => t,
            Line::TooLong => {
                error_line(format!(
                    "line {number}: longer than {} bytes; skipped",
                    lines::MAX_LINE
                ));
                continue;
            }
            Line::NotText => {
                error_line(format!("line {number}: not UTF-8 text; skipped"));
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Command>(&text) {
            Ok(Command::Quit(_)) => break,
            Ok(command) => run(&node, command),
            Err(e) => error_line(format!(
                "line {number}: {e}; see `ringback-desk-sim --help` for the commands"
            )),
        }
    }
    for watcher in watchers {
        watcher.abort();
        let _ = watcher.await;
    }
    if let Ok(node) = Arc::try_unwrap(node) {
        node.shutdown().await;
    }
    print(&json!({"quit": {}}));
    Ok(())
}

fn run(node: &DesktopNode, command: Command) {
    match command {
        Command::Ticket(_) => {
            let ticket = node.ticket();
            print(&json!({"ticket": {
                "qr": ticket.to_qr_payload(),
                "short": ticket.to_short_text(),
                "relay": ticket.relay.as_ref().map(|r| r.to_string()),
                "addrs": ticket.addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            }}));
        }
        Command::Accept(phone) => match parse_id(&phone) {
            Ok(id) => match node.accept_pairing(&id) {
                Ok(()) => print(&json!({"accepted": phone})),
                Err(e) => error_line(e),
            },
            Err(e) => error_line(e),
        },
        Command::Reject(phone) => match parse_id(&phone) {
            Ok(id) => match node.reject_pairing(&id) {
                Ok(()) => print(&json!({"rejected": phone})),
                Err(e) => error_line(e),
            },
            Err(e) => error_line(e),
        },
        Command::Reply(reply) => match pick_phone(node, reply.phone.as_deref()) {
            Ok((id, replica)) => match replica.request_reply(None, Some(&reply.to), &reply.body) {
                Ok(request) => print(&json!({"requested": {
                    "phone": id.to_string(),
                    "request": request,
                }})),
                Err(e) => error_line(e),
            },
            Err(e) => error_line(e),
        },
        Command::Status(_) => status(node),
        Command::Quit(_) => {}
    }
}

fn parse_id(text: &str) -> Result<EndpointId, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("“{text}” is not an endpoint id (64 hex digits)"))
}

/// The phone a command names, or the only one paired.
fn pick_phone(
    node: &DesktopNode,
    phone: Option<&str>,
) -> Result<(EndpointId, DesktopReplica), String> {
    match phone {
        Some(text) => {
            let id = parse_id(text)?;
            node.phone(&id)
                .map(|r| (id, r))
                .ok_or_else(|| format!("no phone {text} is paired with this desktop"))
        }
        None => {
            let mut phones = node.phones();
            match phones.len() {
                1 => Ok(phones.remove(0)),
                0 => Err("no phone is paired with this desktop yet".into()),
                n => Err(format!("{n} phones are paired; name one with \"phone\"")),
            }
        }
    }
}

/// Each phone: its link, its replica's digest and message counts.
fn status(node: &DesktopNode) {
    let links = node.peers().borrow().clone();
    let phones: Vec<Value> = node
        .phones()
        .into_iter()
        .map(|(id, replica)| {
            let id = id.to_string();
            let link = links.get(&id).map(|p| json!(p.link));
            match replica.with(|s| s.digest()) {
                Ok(digest) => json!({
                    "endpoint": id,
                    "link": link,
                    "digest": digest,
                    "messages": counts(&replica),
                }),
                Err(e) => json!({"endpoint": id, "link": link, "error": e.to_string()}),
            }
        })
        .collect();
    print(&json!({"status": {"endpoint": node.id().to_string(), "phones": phones}}));
}

/// How many texts a replica holds, in and out.
fn counts(replica: &DesktopReplica) -> Value {
    let count = |direction: &str| {
        replica.with(|s| {
            s.connection()
                .query_row(
                    "SELECT count(*) FROM messages WHERE direction = ?1",
                    [direction],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap_or(-1)
        })
    };
    json!({"inbound": count("inbound"), "outbound": count("outbound")})
}

/// Prints each phone that waits for acceptance, once.
async fn print_pairings(node: Arc<DesktopNode>) {
    let mut requests = node.pairing_requests();
    let mut shown = HashSet::new();
    loop {
        let listed: Vec<_> = requests.borrow_and_update().clone();
        for r in listed {
            if shown.insert(r.endpoint) {
                print(&json!({"pairing": {
                    "phone": r.endpoint.to_string(),
                    "name": r.name,
                    "fingerprint": r.fingerprint,
                }}));
            }
        }
        if requests.changed().await.is_err() {
            return;
        }
    }
}

/// Prints each phone's link as it changes, and each commit to its replica.
async fn print_links_and_changes(node: Arc<DesktopNode>) {
    let mut peers = node.peers();
    let mut last = BTreeMap::new();
    let mut watched: Vec<(EndpointId, JoinHandle<()>)> = Vec::new();
    loop {
        let now = peers.borrow_and_update().clone();
        for (id, state) in &now {
            if last.get(id) != Some(&state.link) {
                print(&json!({"link": {"phone": id, "link": state.link}}));
                last.insert(id.clone(), state.link.clone());
            }
        }
        for (id, replica) in node.phones() {
            if !watched.iter().any(|(w, _)| *w == id) {
                watched.push((id, tokio::spawn(print_changes(id, replica))));
            }
        }
        if peers.changed().await.is_err() {
            break;
        }
    }
    for (_, task) in watched {
        task.abort();
    }
}

/// Prints a `changed` line after each commit to a phone's replica.
async fn print_changes(id: EndpointId, replica: DesktopReplica) {
    let mut commits = replica.with(|s| s.subscribe());
    let id = id.to_string();
    loop {
        if commits.changed().await.is_err() {
            return;
        }
        commits.borrow_and_update();
        print(&json!({"changed": {"phone": id, "messages": counts(&replica)}}));
    }
}
