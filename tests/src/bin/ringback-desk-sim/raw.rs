//! A bare iroh stream for the lab's baseline: `raw-serve` prints where it listens and a
//! `got` line for each line a `raw-send` peer sends; `raw-send` sends each line of its
//! stdin. Nothing of Ringback runs on it (no store, no frames), so its latency is what the
//! network and iroh alone cost.

use std::net::SocketAddr;
use std::time::Duration;

use iroh::{EndpointAddr, EndpointId, RelayUrl};
use ringback_core::sync::net::{self, NetworkMode};
use serde::Deserialize;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::Options;
use crate::lines::{self, Line, error_line, print};

/// The protocol of the raw stream (spoken by no Ringback device).
const ALPN: &[u8] = b"ringback-lab/raw/1";

/// Where a `raw-serve` listens: the `ready` line it prints, given to `raw-send --to`.
#[derive(Debug, Deserialize)]
struct Target {
    endpoint: String,
    relay: Option<String>,
    #[serde(default)]
    addrs: Vec<String>,
}

async fn endpoint(options: &Options) -> Result<iroh::Endpoint, String> {
    std::fs::create_dir_all(&options.data).map_err(|e| {
        format!(
            "the data folder {} could not be used: {e}",
            options.data.display()
        )
    })?;
    let key = net::load_or_create_key(&options.data.join("raw.key")).map_err(|e| e.to_string())?;
    let endpoint = net::bind(&options.network, key, vec![ALPN.to_vec()], options.port)
        .await
        .map_err(|e| e.to_string())?;
    if !matches!(
        options.network,
        NetworkMode::LanOnly | NetworkMode::Loopback
    ) && tokio::time::timeout(Duration::from_secs(20), endpoint.online())
        .await
        .is_err()
    {
        error_line("the relay did not answer within 20 s");
    }
    Ok(endpoint)
}

/// Accepts raw streams and prints each line received.
pub async fn serve(options: Options) -> Result<(), String> {
    let endpoint = endpoint(&options).await?;
    let addr = endpoint.addr();
    print(&json!({"ready": {
        "endpoint": endpoint.id().to_string(),
        "relay": addr.relay_urls().next().map(|r| r.to_string()),
        "addrs": addr.ip_addrs().map(|a| a.to_string()).collect::<Vec<_>>(),
    }}));
    while let Some(incoming) = endpoint.accept().await {
        tokio::spawn(async move {
            let Ok(conn) = incoming.await else { return };
            while let Ok(mut recv) = conn.accept_uni().await {
                let mut reader = tokio::io::BufReader::new(&mut recv);
                while let Some(line) = lines::next_line(&mut reader).await {
                    if let Line::Text(text) = line {
                        print(&json!({"got": text}));
                    }
                }
            }
        });
    }
    Ok(())
}

/// Sends each line of stdin to `--to` on one stream.
pub async fn send(options: Options) -> Result<(), String> {
    let to = options
        .to
        .as_deref()
        .ok_or("raw-send needs --to with the ready line's object of a raw-serve")?;
    let target: Target = serde_json::from_str(to)
        .map_err(|e| format!("--to: not the ready object of a raw-serve ({e})"))?;
    let id: EndpointId = target
        .endpoint
        .parse()
        .map_err(|_| format!("--to: “{}” is not an endpoint id", target.endpoint))?;
    let mut addr = EndpointAddr::new(id);
    if let Some(relay) = &target.relay {
        let url: RelayUrl = relay
            .parse()
            .map_err(|e| format!("--to: “{relay}” is not a relay address ({e})"))?;
        addr = addr.with_relay_url(url);
    }
    for a in &target.addrs {
        let a: SocketAddr = a
            .parse()
            .map_err(|_| format!("--to: “{a}” is not a socket address"))?;
        addr = addr.with_ip_addr(a);
    }
    let endpoint = endpoint(&options).await?;
    let conn = endpoint
        .connect(addr, ALPN)
        .await
        .map_err(|e| format!("could not reach the raw server: {e}"))?;
    let mut send = conn
        .open_uni()
        .await
        .map_err(|e| format!("could not open a stream: {e}"))?;
    print(&json!({"connected": {"endpoint": id.to_string()}}));
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
    while let Some(line) = lines::next_line(&mut stdin).await {
        let Line::Text(text) = line else { continue };
        let mut bytes = text.into_bytes();
        bytes.push(b'\n');
        if let Err(e) = send.write_all(&bytes).await {
            error_line(format!("the stream broke: {e}"));
            break;
        }
        let _ = send.flush().await;
    }
    let _ = send.finish();
    endpoint.close().await;
    Ok(())
}
