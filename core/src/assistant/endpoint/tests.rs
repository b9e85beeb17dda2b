//! Against a real HTTP server on loopback that answers with scripted bytes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

const KEY: &str = "sk-test-0123456789abcdef9f3a";

/// What the server writes after reading a request: pieces, each after a pause.
#[derive(Clone)]
enum Script {
    /// Pieces written one after the other, then the connection closed.
    Pieces(Vec<(Duration, Vec<u8>)>),
    /// Reads the request and never answers.
    Silent,
    /// Answers 401 with the request's Authorization header in the body.
    EchoAuth,
    /// Answers 400 to a `json_schema` response format, like a server without it, and
    /// `content` to anything else.
    NoJsonSchema(&'static str),
}

/// One request as the server saw it.
#[derive(Debug, Clone, Default)]
struct Seen {
    head: String,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

/// Starts the server; returns its base URL ("http://127.0.0.1:PORT/v1") and what it saw.
async fn server(script: Script) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let port = listener.local_addr().expect("local address").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let script = script.clone();
            let log = log.clone();
            tokio::spawn(async move {
                let request = read_request(&mut socket).await;
                log.lock().expect("log lock").push(request.clone());
                match script {
                    Script::Silent => tokio::time::sleep(Duration::from_secs(3600)).await,
                    Script::EchoAuth => {
                        let auth = request.header("authorization").unwrap_or_default();
                        let body =
                            format!(r#"{{"error":{{"message":"Incorrect API key: {auth}"}}}}"#);
                        let _ = socket
                            .write_all(&http(
                                "401 Unauthorized",
                                "application/json",
                                body.as_bytes(),
                            ))
                            .await;
                    }
                    Script::NoJsonSchema(content) => {
                        let format = request.json()["response_format"]["type"].clone();
                        let answer = if format == "json_schema" {
                            http(
                                "400 Bad Request",
                                "application/json",
                                br#"{"error":{"message":"response_format json_schema is not supported"}}"#,
                            )
                        } else {
                            let body = json!({"choices": [{"message": {"role": "assistant",
                                "content": content}, "finish_reason": "stop"}]});
                            http("200 OK", "application/json", body.to_string().as_bytes())
                        };
                        let _ = socket.write_all(&answer).await;
                    }
                    Script::Pieces(pieces) => {
                        for (pause, bytes) in pieces {
                            tokio::time::sleep(pause).await;
                            if socket.write_all(&bytes).await.is_err() {
                                return;
                            }
                            let _ = socket.flush().await;
                        }
                    }
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    (format!("http://127.0.0.1:{port}/v1"), seen)
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Seen {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = socket.read(&mut chunk).await.expect("read request");
        assert!(n > 0, "the client closed before the request ended");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut seen = Seen {
        head,
        body: Vec::new(),
    };
    let length: usize = seen
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.expect("read body");
        assert!(n > 0, "the client closed before the body ended");
        buf.extend_from_slice(&chunk[..n]);
    }
    seen.body = buf[head_end..head_end + length].to_vec();
    seen
}

fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn now(bytes: Vec<u8>) -> Script {
    Script::Pieces(vec![(Duration::ZERO, bytes)])
}

fn config(base_url: &str) -> EndpointConfig {
    EndpointConfig {
        base_url: base_url.to_string(),
        model: "smollm2".into(),
        api_key: String::new(),
        timeout: Duration::from_secs(5),
    }
}

fn messages() -> Vec<ChatMessage> {
    vec![
        ChatMessage {
            role: "system".into(),
            content: "Answer with JSON.".into(),
        },
        ChatMessage {
            role: "user".into(),
            content: "My boiler is leaking".into(),
        },
    ]
}

const WHOLE: &str = r#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{\"reply\":\"Sorry to hear that!\"}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":9,"total_tokens":51}}"#;

#[tokio::test]
async fn a_whole_answer_is_read_and_the_request_is_the_one_asked_for() {
    let (base, seen) = server(now(http("200 OK", "application/json", WHOLE.as_bytes()))).await;
    let done = complete(&config(&base), &messages(), false)
        .await
        .expect("a completion");
    assert_eq!(done.content, r#"{"reply":"Sorry to hear that!"}"#);
    assert_eq!(done.finish_reason.as_deref(), Some("stop"));
    assert_eq!(done.prompt_tokens, Some(42));
    assert_eq!(done.completion_tokens, Some(9));

    let seen = seen.lock().expect("log lock")[0].clone();
    assert!(
        seen.head
            .starts_with("POST /v1/chat/completions HTTP/1.1\r\n"),
        "{}",
        seen.head
    );
    assert_eq!(seen.header("authorization"), None, "no key, no header");
    assert_eq!(
        seen.header("content-type").as_deref(),
        Some("application/json")
    );
    let body = seen.json();
    assert_eq!(body["model"], "smollm2");
    assert_eq!(body["temperature"], 0.2);
    assert_eq!(body["max_tokens"], 300);
    assert_eq!(body["response_format"]["type"], "json_object");
    assert_eq!(body["stream"], false);
    assert_eq!(body["messages"][1]["role"], "user");
    assert_eq!(body["messages"][1]["content"], "My boiler is leaking");
}

#[tokio::test]
async fn a_streamed_answer_is_joined_across_pieces_cut_anywhere() {
    let events = concat!(
        ": keep-alive\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"{\\\"reply\\\":\"},\"finish_reason\":null}]}\r\n\r\n",
        "data:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" \\\"Hi ☎️\\\"}\"},\"finish_reason\":null}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5}}\n\n",
        "data: [DONE]\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"after done\"}}]}\n\n",
    )
    .as_bytes();
    let mut pieces = vec![(
        Duration::ZERO,
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n".to_vec(),
    )];
    // Cut into 7-byte pieces: lines and even the emoji's bytes arrive split.
    pieces.extend(
        events
            .chunks(7)
            .map(|c| (Duration::from_millis(1), c.to_vec())),
    );
    let (base, seen) = server(Script::Pieces(pieces)).await;
    let done = complete(&config(&base), &messages(), true)
        .await
        .expect("a completion");
    assert_eq!(done.content, r#"{"reply": "Hi ☎️"}"#);
    assert_eq!(done.finish_reason.as_deref(), Some("stop"));
    assert_eq!(done.prompt_tokens, Some(12));
    assert_eq!(done.completion_tokens, Some(5));
    assert_eq!(seen.lock().expect("log lock")[0].json()["stream"], true);
}

#[tokio::test]
async fn a_stream_asked_for_but_answered_whole_is_still_read() {
    let (base, _) = server(now(http("200 OK", "application/json", WHOLE.as_bytes()))).await;
    let done = complete(&config(&base), &messages(), true)
        .await
        .expect("a completion");
    assert_eq!(done.finish_reason.as_deref(), Some("stop"));
}

#[tokio::test]
async fn a_server_error_keeps_its_status_and_a_short_message() {
    let long = "x".repeat(5000);
    let body =
        format!(r#"{{"error":{{"message":"model crashed: {long}","type":"server_error"}}}}"#);
    let (base, _) = server(now(http(
        "500 Internal Server Error",
        "application/json",
        body.as_bytes(),
    )))
    .await;
    let error = complete(&config(&base), &messages(), false)
        .await
        .expect_err("a 500 is an error");
    let EndpointError::Status { status, message } = &error else {
        panic!("expected Status, got {error:?}");
    };
    assert_eq!(*status, 500);
    assert!(message.starts_with("model crashed: xxx"), "{message}");
    assert!(message.chars().count() <= MAX_ECHO + 1, "{}", message.len());
    let text = error.to_string();
    assert!(text.contains("HTTP 500"), "{text}");
    assert!(text.contains("stays with your team"), "{text}");
}

#[tokio::test]
async fn a_plain_text_error_is_echoed_and_a_404_names_the_model() {
    let (base, _) = server(now(http(
        "404 Not Found",
        "text/plain",
        b"model 'gpt-9' not found\n",
    )))
    .await;
    let error = complete(&config(&base), &messages(), false)
        .await
        .expect_err("a 404 is an error");
    assert_eq!(
        error,
        EndpointError::Status {
            status: 404,
            message: "model 'gpt-9' not found".into()
        }
    );
    assert!(error.to_string().contains("model name"), "{error}");
}

#[tokio::test]
async fn garbage_is_a_bad_response_not_a_panic() {
    let garbage: Vec<u8> = (0u32..600).map(|i| (i * 7919 % 256) as u8).collect();
    let (base, _) = server(now(http("200 OK", "application/json", &garbage))).await;
    let error = complete(&config(&base), &messages(), false)
        .await
        .expect_err("garbage is an error");
    let EndpointError::BadResponse(reason) = &error else {
        panic!("expected BadResponse, got {error:?}");
    };
    assert!(reason.chars().count() < 260, "{reason}");

    let (base, _) = server(now(http("200 OK", "text/event-stream", &garbage))).await;
    let error = complete(&config(&base), &messages(), true)
        .await
        .expect_err("a garbage stream is an error");
    assert!(matches!(error, EndpointError::BadResponse(_)), "{error:?}");

    let (base, _) = server(now(http(
        "200 OK",
        "application/json",
        br#"{"object":"list"}"#,
    )))
    .await;
    let error = complete(&config(&base), &messages(), false)
        .await
        .expect_err("JSON without choices is an error");
    assert!(matches!(error, EndpointError::BadResponse(_)), "{error:?}");

    let (base, _) = server(now(b"not http at all\r\n\r\n".to_vec())).await;
    let error = complete(&config(&base), &messages(), false)
        .await
        .expect_err("not HTTP is an error");
    assert!(
        matches!(
            error,
            EndpointError::Unreachable(_) | EndpointError::BadResponse(_)
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_error_inside_a_stream_is_reported() {
    let events = b"data: {\"error\":{\"message\":\"context too long\"}}\n\n".to_vec();
    let (base, _) = server(now(http("200 OK", "text/event-stream", &events))).await;
    let error = complete(&config(&base), &messages(), true)
        .await
        .expect_err("an error event is an error");
    assert_eq!(
        error,
        EndpointError::BadResponse("the server reported an error: context too long".into())
    );
}

#[tokio::test]
async fn a_silent_server_times_out_within_the_bound() {
    let (base, _) = server(Script::Silent).await;
    let mut cfg = config(&base);
    cfg.timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let error = complete(&cfg, &messages(), false)
        .await
        .expect_err("silence is an error");
    assert_eq!(error, EndpointError::Timeout(Duration::from_millis(300)));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(error.to_string().contains("within 300 ms"), "{error}");
    cfg.timeout = Duration::from_secs(10);
    assert!(EndpointError::Timeout(cfg.timeout).to_string().starts_with(
        "The assistant's server did not answer within 10 s; the conversation stays with your team."
    ));
}

#[tokio::test]
async fn a_stream_that_stalls_times_out_too() {
    let start = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"{\"}}]}\n\n".to_vec();
    let (base, _) = server(Script::Pieces(vec![
        (Duration::ZERO, start),
        (Duration::from_secs(3600), Vec::new()),
    ]))
    .await;
    let mut cfg = config(&base);
    cfg.timeout = Duration::from_millis(300);
    let error = complete(&cfg, &messages(), true)
        .await
        .expect_err("a stalled stream is an error");
    assert_eq!(error, EndpointError::Timeout(Duration::from_millis(300)));
}

#[tokio::test]
async fn the_key_is_sent_as_a_bearer_and_never_shown() {
    let (base, seen) = server(Script::EchoAuth).await;
    let mut cfg = config(&base);
    cfg.api_key = format!("  {KEY}\n");
    let error = complete(&cfg, &messages(), false)
        .await
        .expect_err("a 401 is an error");
    assert_eq!(
        seen.lock().expect("log lock")[0].header("authorization"),
        Some(format!("Bearer {KEY}"))
    );
    let shown = format!("{error} {error:?} {cfg:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(!shown.contains("0123456789abcdef"), "{shown}");
    assert!(shown.contains("sk-…9f3a"), "{shown}");
    assert!(error.to_string().contains("check the key"), "{error}");
}

#[tokio::test]
async fn a_key_that_cannot_be_a_header_is_refused_without_showing_it() {
    let mut cfg = config("http://127.0.0.1:9/v1");
    cfg.api_key = "sk-abc def\u{7}secret-tail".into();
    let error = complete(&cfg, &messages(), false)
        .await
        .expect_err("a broken key is an error");
    assert!(matches!(error, EndpointError::Unreachable(_)), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("secret"));
}

#[tokio::test]
async fn an_oversize_answer_is_refused() {
    let huge = vec![b'a'; MAX_RESPONSE_BYTES + 10];
    let (base, _) = server(now(http("200 OK", "application/json", &huge))).await;
    let error = complete(&config(&base), &messages(), false)
        .await
        .expect_err("too big");
    assert_eq!(error, too_big());

    // Without a length: read until the cap.
    let mut pieces = vec![(
        Duration::ZERO,
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n".to_vec(),
    )];
    pieces.extend((0..20).map(|_| (Duration::ZERO, vec![b' '; 64 * 1024])));
    let (base, _) = server(Script::Pieces(pieces.clone())).await;
    let error = complete(&config(&base), &messages(), false)
        .await
        .expect_err("too big");
    assert_eq!(error, too_big());

    // A stream of endless keep-alive comments.
    pieces[0].1 =
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n".to_vec();
    for piece in pieces.iter_mut().skip(1) {
        piece.1 = b": ping\n".repeat(10_000);
    }
    let (base, _) = server(Script::Pieces(pieces)).await;
    let error = complete(&config(&base), &messages(), true)
        .await
        .expect_err("too big");
    assert_eq!(error, too_big());
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    let error = complete(
        &config(&format!("http://127.0.0.1:{port}/v1")),
        &messages(),
        false,
    )
    .await
    .expect_err("nothing listens");
    assert!(matches!(error, EndpointError::Unreachable(_)), "{error:?}");
    assert!(
        error.to_string().contains("could not be reached"),
        "{error}"
    );
}

#[test]
fn addresses_are_completed_and_checked() {
    let url = |base: &str| chat_url(base).map(|u| u.to_string());
    let want = Ok("http://127.0.0.1:8080/v1/chat/completions".to_string());
    assert_eq!(url("http://127.0.0.1:8080/v1"), want);
    assert_eq!(url("http://127.0.0.1:8080/v1/"), want);
    assert_eq!(url(" http://127.0.0.1:8080/v1/chat/completions "), want);
    assert_eq!(url("http://127.0.0.1:8080/v1/chat/completions/"), want);
    assert_eq!(
        url("https://api.openai.com/v1"),
        Ok("https://api.openai.com/v1/chat/completions".to_string())
    );
    assert_eq!(url(""), Err(EndpointError::NotSet));
    assert_eq!(url("   "), Err(EndpointError::NotSet));
    for bad in [
        "127.0.0.1:8080/v1",
        "ftp://example.com/v1",
        "not a url",
        "http://",
    ] {
        assert!(
            matches!(url(bad), Err(EndpointError::InvalidUrl(_))),
            "{bad}: {:?}",
            url(bad)
        );
    }
    let long = format!("nope://{}", "a".repeat(1000));
    let Err(EndpointError::InvalidUrl(shown)) = url(&long) else {
        panic!("expected InvalidUrl");
    };
    assert!(shown.chars().count() <= MAX_ECHO + 1);
}

#[test]
fn keys_are_masked() {
    assert_eq!(mask_key(""), "");
    assert_eq!(mask_key("short"), "••••");
    assert_eq!(mask_key("abcdefghijk"), "••••");
    assert_eq!(mask_key("sk-proj-abcdefgh9f3a"), "sk-…9f3a");
    assert_eq!(mask_key("gsk_abcdefghijkl1234"), "gsk_…1234");
    assert_eq!(mask_key("abcdefghijklmnop"), "…mnop");
    assert_eq!(mask_key("ключ-абвгдежзийклмн"), "…клмн");
    for key in ["sk-proj-abcdefgh9f3a", "abcdefghijklmnop", "short"] {
        assert!(!mask_key(key).contains(&key[..key.len() - 3]));
    }
}

#[test]
fn the_config_debug_shows_the_mask_only() {
    let mut cfg = config("http://127.0.0.1:8080/v1");
    cfg.api_key = KEY.into();
    let shown = format!("{cfg:?}");
    assert!(!shown.contains(KEY));
    assert!(shown.contains("sk-…9f3a"), "{shown}");
}

#[test]
fn durations_read_as_people_say_them() {
    assert_eq!(seconds(&Duration::from_secs(10)), "10 s");
    assert_eq!(seconds(&Duration::from_millis(1500)), "1.5 s");
    assert_eq!(seconds(&Duration::from_millis(1)), "1 ms");
}

#[tokio::test]
async fn a_schema_goes_as_json_schema_then_as_llama_cpp_takes_it_and_the_refusal_is_remembered() {
    let (base, seen) = server(Script::NoJsonSchema(r#"{"reply":"Hi"}"#)).await;
    let schema = json!({"type": "object", "properties": {"reply": {"type": "string"}}});
    let done = complete_structured(&config(&base), &messages(), false, 50, &schema)
        .await
        .expect("answered after the fallback");
    assert_eq!(done.content, r#"{"reply":"Hi"}"#);
    let formats: Vec<Value> = seen
        .lock()
        .expect("log")
        .iter()
        .map(|s| s.json()["response_format"].clone())
        .collect();
    assert_eq!(formats.len(), 2, "{formats:?}");
    assert_eq!(formats[0]["type"], "json_schema");
    assert_eq!(formats[0]["json_schema"]["schema"], schema);
    assert_eq!(formats[1], json!({"type": "json_object", "schema": schema}));
    // The next question goes straight to the format that worked.
    complete_structured(&config(&base), &messages(), false, 50, &schema)
        .await
        .expect("answered");
    let log = seen.lock().expect("log");
    assert_eq!(log.len(), 3);
    assert_eq!(log[2].json()["response_format"]["type"], "json_object");
}

#[tokio::test]
async fn what_one_kind_of_question_fell_back_to_does_not_change_the_other_kind() {
    let (base, seen) = server(Script::NoJsonSchema(r#"{"reply":"Hi"}"#)).await;
    let schema = json!({"type": "object", "properties": {"reply": {"type": "string"}}});
    complete_structured(&config(&base), &messages(), false, 50, &schema)
        .await
        .expect("answered after the fallback");
    // The endpoint is remembered as refusing `json_schema`; a question without a schema
    // still asks for a JSON object, and one with a schema still sends it.
    complete(&config(&base), &messages(), false)
        .await
        .expect("answered");
    complete_structured(&config(&base), &messages(), false, 50, &schema)
        .await
        .expect("answered");
    let formats: Vec<Value> = seen
        .lock()
        .expect("log")
        .iter()
        .map(|s| s.json()["response_format"].clone())
        .collect();
    assert_eq!(formats.len(), 4, "{formats:?}");
    assert_eq!(formats[2], json!({"type": "json_object"}));
    assert_eq!(formats[3], json!({"type": "json_object", "schema": schema}));
}
