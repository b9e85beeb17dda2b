//! A small W3C WebDriver client: enough to drive the desktop app through `tauri-driver`
//! (sessions, elements, clicks, keys, scripts, screenshots), with waits that poll.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use serde_json::{Value, json};

/// The W3C key for an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session.
pub struct Session {
    base: String,
    id: String,
    agent: ureq::Agent,
}

/// An element in the page.
#[derive(Debug, Clone)]
pub struct Element {
    id: String,
}

/// Keys as WebDriver names them.
pub mod keys {
    /// Enter.
    pub const ENTER: &str = "\u{E007}";
    /// Control (held until the key sequence ends).
    pub const CONTROL: &str = "\u{E009}";
    /// Arrow down.
    pub const DOWN: &str = "\u{E015}";
}

impl Session {
    /// Starts the app at `application` (with `args` and `env`) through the driver at `base`.
    pub fn start(base: &str, application: &Path, args: &[String]) -> Result<Session> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "tauri:options": {
                        "application": application.display().to_string(),
                        "args": args,
                    }
                }
            }
        });
        let value = call(&agent, "POST", &format!("{base}/session"), Some(caps))
            .context("starting a WebDriver session (is tauri-driver running?)")?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no session id in {value}"))?
            .to_string();
        Ok(Session {
            base: base.to_string(),
            id,
            agent,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.id)
    }

    fn post(&self, path: &str, body: Value) -> Result<Value> {
        call(&self.agent, "POST", &self.url(path), Some(body))
    }

    fn get(&self, path: &str) -> Result<Value> {
        call(&self.agent, "GET", &self.url(path), None)
    }

    /// Every element matching a CSS selector.
    pub fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let value = self.post("/elements", json!({"using": "css selector", "value": css}))?;
        Ok(value
            .as_array()
            .map(|a| a.iter().filter_map(element_of).collect())
            .unwrap_or_default())
    }

    /// Waits up to `timeout` for an element matching `css`.
    pub fn wait(&self, css: &str, timeout: Duration) -> Result<Element> {
        self.wait_for(timeout, &format!("an element matching `{css}`"), || {
            Ok(self.find_all(css)?.into_iter().next())
        })
    }

    /// Polls `probe` until it gives a value, up to `timeout`.
    pub fn wait_for<T>(
        &self,
        timeout: Duration,
        what: &str,
        mut probe: impl FnMut() -> Result<Option<T>>,
    ) -> Result<T> {
        let start = Instant::now();
        let mut last_error = None;
        loop {
            match probe() {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) => last_error = Some(e),
            }
            if start.elapsed() > timeout {
                let why = last_error
                    .map(|e| format!(" (last error: {e:#})"))
                    .unwrap_or_default();
                bail!("gave up after {timeout:?} waiting for {what}{why}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks an element.
    pub fn click(&self, e: &Element) -> Result<()> {
        self.post(&format!("/element/{}/click", e.id), json!({}))?;
        Ok(())
    }

    /// Types into an element.
    pub fn send_keys(&self, e: &Element, text: &str) -> Result<()> {
        self.post(&format!("/element/{}/value", e.id), json!({"text": text}))?;
        Ok(())
    }

    /// Clears an input.
    pub fn clear(&self, e: &Element) -> Result<()> {
        self.post(&format!("/element/{}/clear", e.id), json!({}))?;
        Ok(())
    }

    /// An element's visible text.
    pub fn text(&self, e: &Element) -> Result<String> {
        Ok(self
            .get(&format!("/element/{}/text", e.id))?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// An element's attribute.
    pub fn attr(&self, e: &Element, name: &str) -> Result<Option<String>> {
        Ok(self
            .get(&format!("/element/{}/attribute/{name}", e.id))?
            .as_str()
            .map(str::to_string))
    }

    /// Whether an element can be used.
    pub fn enabled(&self, e: &Element) -> Result<bool> {
        Ok(self
            .get(&format!("/element/{}/enabled", e.id))?
            .as_bool()
            .unwrap_or(false))
    }

    /// Runs a script in the page and returns its value.
    pub fn script(&self, script: &str, args: Value) -> Result<Value> {
        self.post("/execute/sync", json!({"script": script, "args": args}))
    }

    /// Runs an async script (its last argument is the callback).
    pub fn script_async(&self, script: &str, args: Value) -> Result<Value> {
        self.post("/execute/async", json!({"script": script, "args": args}))
    }

    /// Saves a screenshot of the window as PNG, after two frames so it shows the last change.
    pub fn screenshot(&self, path: &Path) -> Result<()> {
        let _ = self.script_async(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            json!([]),
        );
        let value = self.get("/screenshot")?;
        let data = value
            .as_str()
            .ok_or_else(|| anyhow!("the screenshot is not base64 text"))?;
        let png = base64::engine::general_purpose::STANDARD.decode(data)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// Minimizes the window (the app loses focus, as when a person switches to another).
    pub fn minimize(&self) -> Result<()> {
        self.post("/window/minimize", json!({}))?;
        Ok(())
    }

    /// Ends the session (the driver closes the app).
    pub fn quit(self) -> Result<()> {
        call(&self.agent, "DELETE", &self.url(""), None)?;
        Ok(())
    }
}

fn element_of(v: &Value) -> Option<Element> {
    v.get(ELEMENT_KEY)
        .and_then(Value::as_str)
        .map(|id| Element { id: id.to_string() })
}

fn call(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Result<Value> {
    let response = match (method, body) {
        ("POST", Some(body)) => agent.post(url).send_json(body),
        ("POST", None) => agent.post(url).send_json(json!({})),
        ("DELETE", _) => agent.delete(url).call(),
        _ => agent.get(url).call(),
    }
    .with_context(|| format!("{method} {url}"))?;
    let status = response.status();
    let value: Value = response
        .into_body()
        .read_json()
        .with_context(|| format!("{method} {url}: the reply is not JSON"))?;
    let value = value.get("value").cloned().unwrap_or(Value::Null);
    if !status.is_success() {
        bail!(
            "{method} {url}: {} — {}",
            value["error"].as_str().unwrap_or("error"),
            value["message"].as_str().unwrap_or_default()
        );
    }
    Ok(value)
}
