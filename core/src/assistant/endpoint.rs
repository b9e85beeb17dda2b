// Over 600 lines, one concept: one HTTP client, its formats, streaming and errors.
//! The client for an OpenAI-compatible chat-completions endpoint (llama.cpp's
//! `llama-server`, Ollama, OpenAI, hosted ones): one bounded request, streamed or not, whose
//! failures are sentences the office can act on and never carry the API key.
//!
//! TLS is rustls with ring (the provider iroh already builds) and Mozilla's root
//! certificates, so the phone needs no platform verifier (and no JNI set-up) to reach a
//! hosted `https` endpoint. Redirects are not followed: a POST must not turn into a GET, and
//! the key must not travel to another host.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde_json::{Value, json};
use tracing::Instrument;

use super::ChatMessage;
use crate::ports::{AssistantJob, ChatAnswer, ChatModel};

/// The largest answer read, streamed or not; a bigger one is refused.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// How much of a server's own error text is shown.
const MAX_ECHO: usize = 200;
/// Sampling temperature: low, the answer is a form to fill in.
const TEMPERATURE: f64 = 0.2;
/// Longest answer asked for, in tokens (a text message plus the JSON around it).
pub const MAX_TOKENS: u32 = 300;

/// Where the assistant's model is and how long it may take.
#[derive(Clone, PartialEq, Eq)]
pub struct EndpointConfig {
    /// The API's base ("http://127.0.0.1:8080/v1", "https://api.openai.com/v1"), or the
    /// full ".../chat/completions" address.
    pub base_url: String,
    /// The model's name as the server knows it.
    pub model: String,
    /// Sent as a bearer token when not empty.
    pub api_key: String,
    /// The bound on the whole request: connecting, waiting and reading the answer.
    pub timeout: Duration,
}

impl fmt::Debug for EndpointConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &mask_key(&self.api_key))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The model's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The text of the first choice (streamed pieces joined).
    pub content: String,
    /// Why it stopped ("stop", "length"), when the server said.
    pub finish_reason: Option<String>,
    /// Tokens in the prompt, when the server said.
    pub prompt_tokens: Option<u64>,
    /// Tokens in the answer, when the server said.
    pub completion_tokens: Option<u64>,
}

/// Why no answer came back. None of them carries the API key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// No server address in settings.
    #[error("No assistant server is set in settings; the conversation stays with your team.")]
    NotSet,
    /// The address is not an http(s) address.
    #[error(
        "The assistant's server address “{0}” is not a web address; it should look like \
         http://127.0.0.1:8080/v1 or https://api.openai.com/v1."
    )]
    InvalidUrl(String),
    /// Plain http to a host outside this device and its local network: nothing was sent.
    #[error("Nothing was sent to the assistant's server: {0}.")]
    PlainHttp(String),
    /// The whole request took longer than the configured bound.
    #[error(
        "The assistant's server did not answer within {}; the conversation stays with your team.",
        seconds(.0)
    )]
    Timeout(Duration),
    /// No connection (refused, unknown host, TLS failure…).
    #[error(
        "The assistant's server could not be reached ({0}); check its address in settings and \
         that it is running. The conversation stays with your team."
    )]
    Unreachable(String),
    /// The server answered with an error status.
    #[error("{}", status_sentence(*.status, .message))]
    Status {
        /// The HTTP status.
        status: u16,
        /// The server's own explanation, shortened.
        message: String,
    },
    /// The server answered, but not with a chat completion.
    #[error(
        "The assistant's server answered with something that is not a chat completion ({0}); \
         the conversation stays with your team."
    )]
    BadResponse(String),
}

/// "10 s", "1.5 s", "250 ms".
fn seconds(d: &Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn status_sentence(status: u16, message: &str) -> String {
    let detail = if message.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {message}")
    };
    match status {
        401 | 403 => format!(
            "The assistant's server refused the API key ({detail}); check the key in settings. \
             The conversation stays with your team."
        ),
        404 => format!(
            "The assistant's server has no chat endpoint or no such model there ({detail}); \
             check the address and the model name in settings."
        ),
        429 => format!(
            "The assistant's server is over its rate limit or quota ({detail}); the \
             conversation stays with your team."
        ),
        300..=399 => format!(
            "The assistant's server address redirects elsewhere ({detail}); put the final \
             address in settings."
        ),
        500..=599 => format!(
            "The assistant's server failed ({detail}); the conversation stays with your team."
        ),
        _ => format!(
            "The assistant's server refused the request ({detail}); check the address, model \
             and key in settings."
        ),
    }
}

pub use crate::secret::mask_key;

/// The assistant's model over HTTP: the OpenAI-compatible endpoint each job names, asked
/// with [`complete_structured`] (the answer held to the job's schema where the server can).
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpChatModel;

impl ChatModel for HttpChatModel {
    fn ask(&self, job: &AssistantJob) -> ChatAnswer {
        let config = EndpointConfig {
            base_url: job.base_url.clone(),
            model: job.model.clone(),
            api_key: job.api_key.clone(),
            timeout: job.timeout,
        };
        let messages = job.messages.clone();
        let schema = job.schema.clone();
        Box::pin(async move {
            complete_structured(&config, &messages, false, MAX_TOKENS, &schema)
                .await
                .map(|c| c.content)
                .map_err(|e| e.to_string())
        })
    }
}

/// Asks the model for the next message: POST `{base_url}/chat/completions` with the
/// messages, a low temperature, a JSON-object answer and at most 300 tokens. The whole
/// request, streaming included, is bounded by `config.timeout`. A bare `json_object` format
/// is only a wish to llama.cpp's llama-server (it holds the model to nothing); an answer a
/// server must keep to is asked for with [`complete_structured`].
pub async fn complete(
    config: &EndpointConfig,
    messages: &[ChatMessage],
    stream: bool,
) -> Result<Completion, EndpointError> {
    complete_limited(config, messages, stream, MAX_TOKENS).await
}

/// [`complete`] with another limit on the answer's length, in tokens (tests and the
/// evaluation use it to keep a slow local model quick).
pub async fn complete_limited(
    config: &EndpointConfig,
    messages: &[ChatMessage],
    stream: bool,
    max_tokens: u32,
) -> Result<Completion, EndpointError> {
    complete_formatted(config, messages, stream, max_tokens, None).await
}

/// [`complete_limited`], the answer constrained to `schema` where the endpoint can: OpenAI's
/// `json_schema` response format first, then llama.cpp's `json_object` with a `schema`, then
/// a plain JSON object. A format an endpoint refuses (400, 404, 422, 500, 501) is not tried
/// again with that endpoint while the process runs. All tries together stay within the
/// timeout.
pub async fn complete_structured(
    config: &EndpointConfig,
    messages: &[ChatMessage],
    stream: bool,
    max_tokens: u32,
    schema: &Value,
) -> Result<Completion, EndpointError> {
    complete_formatted(config, messages, stream, max_tokens, Some(schema)).await
}

/// The response formats to try for a schema, most constrained first.
fn formats(schema: Option<&Value>) -> Vec<Value> {
    match schema {
        None => vec![json!({"type": "json_object"})],
        Some(schema) => vec![
            json!({"type": "json_schema",
                   "json_schema": {"name": "answer", "schema": schema, "strict": true}}),
            json!({"type": "json_object", "schema": schema}),
            json!({"type": "json_object"}),
        ],
    }
}

/// Per endpoint URL, how many of the formats it refused (the first it took comes next).
fn refused_formats() -> &'static std::sync::Mutex<std::collections::HashMap<String, usize>> {
    static REFUSED: OnceLock<std::sync::Mutex<std::collections::HashMap<String, usize>>> =
        OnceLock::new();
    REFUSED.get_or_init(Default::default)
}

async fn complete_formatted(
    config: &EndpointConfig,
    messages: &[ChatMessage],
    stream: bool,
    max_tokens: u32,
    schema: Option<&Value>,
) -> Result<Completion, EndpointError> {
    let span = tracing::debug_span!("assistant_completion", model = %config.model, stream);
    let started = std::time::Instant::now();
    let formats = formats(schema);
    let key = config.base_url.trim().to_string();
    let asked = async {
        let mut next = refused_formats()
            .lock()
            .map(|m| m.get(&key).copied().unwrap_or(0))
            .unwrap_or(0)
            .min(formats.len() - 1);
        loop {
            let result = request(config, messages, stream, max_tokens, &formats[next]).await;
            let refused = matches!(
                &result,
                Err(EndpointError::Status {
                    status: 400 | 404 | 422 | 500 | 501,
                    ..
                })
            );
            if !refused || next + 1 >= formats.len() {
                return result;
            }
            next += 1;
            if let Ok(mut m) = refused_formats().lock() {
                m.insert(key.clone(), next);
            }
        }
    };
    let result = match tokio::time::timeout(config.timeout, asked)
        .instrument(span.clone())
        .await
    {
        Ok(result) => result,
        Err(_) => Err(EndpointError::Timeout(config.timeout)),
    };
    let result = result.map_err(|e| scrub_error(e, &config.api_key));
    span.in_scope(|| match &result {
        Ok(done) => tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            finish_reason = done.finish_reason.as_deref(),
            prompt_tokens = done.prompt_tokens,
            completion_tokens = done.completion_tokens,
            "assistant answered"
        ),
        Err(e) => tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            error = %e,
            "assistant did not answer"
        ),
    });
    result
}

async fn request(
    config: &EndpointConfig,
    messages: &[ChatMessage],
    stream: bool,
    max_tokens: u32,
    format: &Value,
) -> Result<Completion, EndpointError> {
    let url = chat_url(&config.base_url)?;
    let key = config.api_key.trim();
    if key.chars().any(|c| !c.is_ascii_graphic()) {
        return Err(EndpointError::Unreachable(
            "the API key in settings has spaces, line breaks or other characters that cannot \
             be sent; paste it again"
                .into(),
        ));
    }
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config().as_ref().clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| EndpointError::Unreachable(short(&e.to_string())))?;
    let body = json!({
        "model": config.model,
        "messages": messages,
        "temperature": TEMPERATURE,
        "max_tokens": max_tokens,
        "response_format": format,
        "stream": stream,
    });
    let body = serde_json::to_vec(&body).map_err(|e| {
        EndpointError::BadResponse(format!("the request could not be written: {e}"))
    })?;
    let mut builder = client
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .body(body);
    if !key.is_empty() {
        builder = builder.bearer_auth(key);
    }
    let mut response = builder.send().await.map_err(unreachable)?;
    let status = response.status().as_u16();
    tracing::debug!(status, "assistant server answered");
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let declared = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
        return Err(too_big());
    }
    if !(200..300).contains(&status) {
        // An error's body is only read for its message; a huge one is cut, not refused.
        let body = read_body(&mut response, true).await.unwrap_or_default();
        let body = without_key(&body, key);
        return Err(EndpointError::Status {
            status,
            message: error_message(&body),
        });
    }
    let sse = content_type.contains("event-stream") || (stream && !content_type.contains("json"));
    if sse {
        read_stream(&mut response, key).await
    } else {
        let body = read_body(&mut response, false).await?;
        parse_whole(&without_key(&body, key))
    }
}

/// The rustls set-up, built once: ring and Mozilla's roots.
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = match rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
            {
                Ok(builder) => builder,
                // ring supports the safe defaults; this arm only keeps panics out.
                Err(_) => rustls::ClientConfig::builder(),
            };
            Arc::new(config.with_root_certificates(roots).with_no_client_auth())
        })
        .clone()
}

/// `{base}/chat/completions`, or `base` itself when it already ends so.
fn chat_url(base: &str) -> Result<reqwest::Url, EndpointError> {
    let trimmed = base.trim();
    if trimmed.is_empty() {
        return Err(EndpointError::NotSet);
    }
    let invalid = || EndpointError::InvalidUrl(short(trimmed));
    // The settings' rule again, at the moment of sending: plain http only to this device
    // or the local network, whatever the settings say or said when they were saved. The
    // address as written and the one requested are both checked.
    let allowed = |address: &str| match crate::server_address::check(address) {
        Ok(url) => Ok(url),
        Err(crate::server_address::AddressError::NotWeb(_)) => Err(invalid()),
        Err(e @ crate::server_address::AddressError::PlainHttp { .. }) => {
            Err(EndpointError::PlainHttp(e.to_string()))
        }
    };
    allowed(trimmed)?;
    let without_slash = trimmed.trim_end_matches('/');
    let full = if without_slash.ends_with("/chat/completions") {
        without_slash.to_string()
    } else {
        format!("{without_slash}/chat/completions")
    };
    allowed(&full)
}

fn unreachable(e: reqwest::Error) -> EndpointError {
    // The innermost cause says what happened ("Connection refused"); reqwest's own text
    // repeats the address.
    let mut cause: &dyn std::error::Error = &e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let reason = if e.is_connect() {
        format!("no connection: {cause}")
    } else {
        cause.to_string()
    };
    EndpointError::Unreachable(short(&reason))
}

fn too_big() -> EndpointError {
    EndpointError::BadResponse(format!(
        "the answer is larger than {} MB",
        MAX_RESPONSE_BYTES / (1024 * 1024)
    ))
}

/// The body, at most [`MAX_RESPONSE_BYTES`]; beyond that an error, or with `cut` the first
/// part.
async fn read_body(response: &mut reqwest::Response, cut: bool) -> Result<Vec<u8>, EndpointError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(broken)? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            if cut {
                body.extend_from_slice(&chunk[..MAX_RESPONSE_BYTES - body.len()]);
                return Ok(body);
            }
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn broken(e: reqwest::Error) -> EndpointError {
    if e.is_timeout() {
        // reqwest's own timers are not set; this is only for completeness.
        EndpointError::BadResponse("the answer was cut off".into())
    } else {
        EndpointError::BadResponse(format!("the answer was cut off: {}", short(&e.to_string())))
    }
}

/// A non-streamed answer: `choices[0].message.content`.
fn parse_whole(body: &[u8]) -> Result<Completion, EndpointError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        EndpointError::BadResponse(format!("the answer is not JSON: “{}”", echo(body)))
    })?;
    if let Some(message) = server_error(&value) {
        return Err(EndpointError::BadResponse(format!(
            "the server reported an error: {message}"
        )));
    }
    let choice = value
        .get("choices")
        .and_then(|c| c.get(0))
        .ok_or_else(|| EndpointError::BadResponse("the answer has no choices".into()))?;
    let content = choice
        .get("message")
        .map(|m| text_of(m.get("content")))
        .ok_or_else(|| EndpointError::BadResponse("the answer has no message".into()))?;
    let (prompt_tokens, completion_tokens) = usage(&value);
    Ok(Completion {
        content,
        finish_reason: finish_reason(choice),
        prompt_tokens,
        completion_tokens,
    })
}

/// A streamed answer: server-sent events, one JSON chunk per `data:` line, until
/// `data: [DONE]` or the end of the body.
async fn read_stream(
    response: &mut reqwest::Response,
    key: &str,
) -> Result<Completion, EndpointError> {
    let mut state = StreamState::default();
    let mut pending: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = response.chunk().await.map_err(broken)? {
        total += chunk.len();
        if total > MAX_RESPONSE_BYTES {
            return Err(too_big());
        }
        pending.extend_from_slice(&chunk);
        while let Some(at) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=at).collect();
            if state.line(&without_key(&line, key))? {
                return state.finish();
            }
        }
    }
    if !pending.is_empty() && state.line(&without_key(&pending, key))? {
        return state.finish();
    }
    state.finish()
}

#[derive(Default)]
struct StreamState {
    content: String,
    finish_reason: Option<String>,
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
    chunks: usize,
}

impl StreamState {
    /// Takes one line; true at `[DONE]`.
    fn line(&mut self, raw: &[u8]) -> Result<bool, EndpointError> {
        let line = String::from_utf8_lossy(raw);
        let line = line.trim_end_matches(['\r', '\n']);
        let Some(data) = line.strip_prefix("data:") else {
            // Blank lines end events; "event:", "id:", "retry:" and ":" comments say
            // nothing the answer needs.
            return Ok(false);
        };
        let data = data.trim();
        if data == "[DONE]" {
            return Ok(true);
        }
        if data.is_empty() {
            return Ok(false);
        }
        let value: Value = serde_json::from_str(data).map_err(|_| {
            EndpointError::BadResponse(format!(
                "a streamed piece is not JSON: “{}”",
                echo(data.as_bytes())
            ))
        })?;
        if let Some(message) = server_error(&value) {
            return Err(EndpointError::BadResponse(format!(
                "the server reported an error: {message}"
            )));
        }
        self.chunks += 1;
        if let Some(choice) = value.get("choices").and_then(|c| c.get(0)) {
            if let Some(delta) = choice.get("delta").or_else(|| choice.get("message")) {
                self.content.push_str(&text_of(delta.get("content")));
            }
            if let Some(reason) = finish_reason(choice) {
                self.finish_reason = Some(reason);
            }
        }
        let (prompt, completion) = usage(&value);
        self.prompt_tokens = prompt.or(self.prompt_tokens);
        self.completion_tokens = completion.or(self.completion_tokens);
        Ok(false)
    }

    fn finish(self) -> Result<Completion, EndpointError> {
        if self.chunks == 0 {
            return Err(EndpointError::BadResponse(
                "the stream ended before any answer".into(),
            ));
        }
        Ok(Completion {
            content: self.content,
            finish_reason: self.finish_reason,
            prompt_tokens: self.prompt_tokens,
            completion_tokens: self.completion_tokens,
        })
    }
}

/// A content field: a string, or the text parts of a list of parts.
fn text_of(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    }
}

fn finish_reason(choice: &Value) -> Option<String> {
    choice
        .get("finish_reason")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn usage(value: &Value) -> (Option<u64>, Option<u64>) {
    let usage = value.get("usage");
    let field = |name: &str| usage.and_then(|u| u.get(name)).and_then(Value::as_u64);
    (field("prompt_tokens"), field("completion_tokens"))
}

/// `{"error": {"message": …}}` (OpenAI, llama.cpp) or `{"error": "…"}` (Ollama).
fn server_error(value: &Value) -> Option<String> {
    let error = value.get("error")?;
    if error.is_null() {
        return None;
    }
    let text = error
        .get("message")
        .and_then(Value::as_str)
        .or_else(|| error.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| error.to_string());
    Some(short(&text))
}

/// The explanation in an error body: the JSON error's message, or the text itself.
fn error_message(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        if let Some(message) = server_error(&value) {
            return message;
        }
        for field in ["message", "detail"] {
            if let Some(text) = value.get(field).and_then(Value::as_str) {
                return short(text);
            }
        }
    }
    echo(body)
}

/// Bytes as text that can be shown: invalid UTF-8 replaced, control characters as spaces,
/// runs of blanks squeezed, at most [`MAX_ECHO`] characters.
fn echo(bytes: &[u8]) -> String {
    short(&String::from_utf8_lossy(bytes))
}

fn short(text: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut last_blank = true;
    for c in text.chars() {
        let c = if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' && last_blank {
            continue;
        }
        last_blank = c == ' ';
        if count == MAX_ECHO {
            out.push('…');
            return out;
        }
        out.push(c);
        count += 1;
    }
    out.trim_end().to_string()
}

/// The bytes with any appearance of the key replaced by its mask, before anything of them
/// is shortened and shown (a server may echo what it was sent).
fn without_key(bytes: &[u8], key: &str) -> Vec<u8> {
    if key.is_empty() || !bytes.windows(key.len()).any(|w| w == key.as_bytes()) {
        return bytes.to_vec();
    }
    String::from_utf8_lossy(bytes)
        .replace(key, &mask_key(key))
        .into_bytes()
}

/// The same error with any appearance of the key replaced by its mask.
fn scrub_error(error: EndpointError, key: &str) -> EndpointError {
    let key = key.trim();
    if key.is_empty() {
        return error;
    }
    let scrub = |text: String| {
        if text.contains(key) {
            text.replace(key, &mask_key(key))
        } else {
            text
        }
    };
    match error {
        EndpointError::InvalidUrl(t) => EndpointError::InvalidUrl(scrub(t)),
        EndpointError::PlainHttp(t) => EndpointError::PlainHttp(scrub(t)),
        EndpointError::Unreachable(t) => EndpointError::Unreachable(scrub(t)),
        EndpointError::BadResponse(t) => EndpointError::BadResponse(scrub(t)),
        EndpointError::Status { status, message } => EndpointError::Status {
            status,
            message: scrub(message),
        },
        other @ (EndpointError::NotSet | EndpointError::Timeout(_)) => other,
    }
}

#[cfg(test)]
mod tests;
