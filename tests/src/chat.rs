//! A scripted OpenAI-compatible chat-completions server on loopback, for tests that put the
//! assistant in the loop without a model: it answers `POST /v1/chat/completions` with the
//! content a script gives for each request, and keeps every request it saw.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// A request the server received.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The JSON body.
    pub body: Value,
}

impl ChatRequest {
    /// The system message's text ("" when there is none).
    pub fn system(&self) -> String {
        self.body["messages"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["role"] == "system"))
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_string()
    }

    /// The slots the prompt offers, as named on its "Free appointment slots:" line.
    pub fn offered_slots(&self) -> Vec<String> {
        self.system()
            .lines()
            .find_map(|l| l.strip_prefix("Free appointment slots:"))
            .map(|rest| {
                rest.split(';')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty() && s != "(none)")
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What the script answers: the message content for the `n`th request (from 0).
pub type Script = dyn Fn(usize, &ChatRequest) -> String + Send + Sync;

/// The running server; it stops when dropped.
pub struct ScriptedChat {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<ChatRequest>>>,
    stop: Arc<AtomicBool>,
}

impl ScriptedChat {
    /// Starts the server on a free loopback port.
    pub fn start(
        script: impl Fn(usize, &ChatRequest) -> String + Send + Sync + 'static,
    ) -> Result<ScriptedChat> {
        let listener =
            TcpListener::bind("127.0.0.1:0").context("binding the scripted chat server")?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (requests.clone(), stop.clone());
        let script: Arc<Script> = Arc::new(script);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (seen, script) = (seen.clone(), script.clone());
                std::thread::spawn(move || {
                    if let Err(e) = serve(stream, &seen, script.as_ref()) {
                        eprintln!("scripted chat server: {e:#}");
                    }
                });
            }
        });
        Ok(ScriptedChat {
            addr,
            requests,
            stop,
        })
    }

    /// The base URL to put in the settings ("http://127.0.0.1:PORT/v1").
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<ChatRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for ScriptedChat {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(stream: TcpStream, seen: &Mutex<Vec<ChatRequest>>, script: &Script) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0usize;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "authorization" => authorization = Some(value.trim().to_string()),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut stream = stream;
    if !request_line.starts_with("POST ") || !request_line.contains("/chat/completions") {
        stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        bail!("unexpected request: {}", request_line.trim());
    }
    let request = ChatRequest {
        authorization,
        body: serde_json::from_slice(&body).context("the request body is not JSON")?,
    };
    let n = {
        let mut all = seen.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        all.push(request.clone());
        all.len() - 1
    };
    let content = script(n, &request);
    let answer = json!({
        "id": format!("chatcmpl-{n}"),
        "object": "chat.completion",
        "model": request.body["model"],
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"
        }]
    })
    .to_string();
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    )?;
    stream.flush()?;
    Ok(())
}
