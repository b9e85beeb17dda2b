//! Ringback's MMS PDU codec round-tripped through an independent one: python-messaging
//! (PyPI, `core/tests/mms/oracle.py`), installed on first use into
//! `~/.cache/ringback-python` with pip. Our m-send-req must read back in it header for header
//! and byte for byte; an m-retrieve-conf it composed must read back in ours.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ringback_core::mms::pdu::{MessageType, Part, SendRequest, address_number};
use ringback_core::mms::{decode, encode_send_request};
use serde_json::Value;

const PACKAGE: &str = "python-messaging==0.5.13";

/// The folder python-messaging is installed in, installing it when missing.
fn oracle_path() -> PathBuf {
    let home = std::env::var_os("HOME").expect("HOME is set");
    let folder = Path::new(&home).join(".cache/ringback-python/python-messaging-0.5.13");
    let importable = || {
        Command::new("python3")
            .args(["-c", "import messaging.mms.message"])
            .env("PYTHONPATH", &folder)
            .status()
            .is_ok_and(|status| status.success())
    };
    if !importable() {
        let status = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--target"])
            .arg(&folder)
            .arg(PACKAGE)
            .status()
            .expect("python3 runs (the oracle needs Python 3 with pip)");
        assert!(status.success(), "pip could not install {PACKAGE}");
        assert!(importable(), "{PACKAGE} installed but does not import");
    }
    folder
}

fn oracle(mode: &str, input: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mms/oracle.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(mode)
        .env("PYTHONPATH", oracle_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("a stdin")
        .write_all(input.as_bytes())
        .expect("the oracle reads its input");
    let output = child.wait_with_output().expect("the oracle finishes");
    assert!(
        output.status.success(),
        "the oracle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the oracle prints text")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    let text = text.trim();
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn our_send_request_reads_back_in_python_messaging() {
    let jpeg: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let request = SendRequest {
        transaction_id: "rb-42".to_owned(),
        to: vec!["+12125550142".to_owned(), "+447700900123".to_owned()],
        subject: Some("Photo of the leak".to_owned()),
        delivery_report: true,
        parts: vec![
            Part::text("Here it is — under the sink"),
            Part::file("image/jpeg", "leak.jpg", jpeg.clone()),
        ],
    };
    let pdu = encode_send_request(&request).expect("encodes");
    let read: Value = serde_json::from_str(&oracle("decode", &hex(&pdu))).expect("JSON");
    let headers = &read["headers"];
    assert_eq!(headers["Message-Type"], "m-send-req");
    assert_eq!(headers["Transaction-Id"], "rb-42");
    assert_eq!(headers["MMS-Version"], "1.2");
    assert_eq!(headers["Subject"], "Photo of the leak");
    assert_eq!(headers["Delivery-Report"], true);
    // 0x10, X-Mms-Read-Report, by its MMS 1.0 name.
    assert_eq!(headers["Read-Reply"], false);
    assert_eq!(headers["Expiry"], 604_800);
    assert_eq!(headers["From"], "<not inserted>");
    assert_eq!(headers["Message-Class"], "Personal");
    assert_eq!(headers["Priority"], "Normal");
    // python-messaging keeps the last of repeated headers.
    assert_eq!(headers["To"], "+447700900123/TYPE=PLMN");
    assert_eq!(
        headers["Content-Type"][0],
        "application/vnd.wap.multipart.related"
    );
    assert_eq!(headers["Content-Type"][1]["Type"], "application/smil");
    assert_eq!(headers["Content-Type"][1]["Start"], "<smil>");

    let parts = read["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 3, "{parts:?}");
    assert_eq!(parts[0]["content_type"], "application/smil");
    // The library keeps a Quoted-string's opening quote.
    let content_id = |part: &Value| {
        part["headers"]["Content-ID"]
            .as_str()
            .map(|id| id.trim_start_matches('"').to_owned())
    };
    assert_eq!(content_id(&parts[0]).as_deref(), Some("<smil>"));
    let smil = String::from_utf8(unhex(parts[0]["data"].as_str().expect("hex"))).expect("SMIL");
    assert!(smil.contains("src=\"leak.jpg\""), "{smil}");
    assert_eq!(parts[1]["content_type"], "text/plain");
    assert_eq!(parts[1]["parameters"]["Charset"], "utf-8");
    assert_eq!(
        unhex(parts[1]["data"].as_str().expect("hex")),
        "Here it is — under the sink".as_bytes()
    );
    assert_eq!(parts[1]["headers"]["Content-Location"], "part0.txt");
    assert_eq!(parts[2]["content_type"], "image/jpeg");
    assert_eq!(parts[2]["parameters"]["Name"], "leak.jpg");
    assert_eq!(parts[2]["headers"]["Content-Location"], "leak.jpg");
    assert_eq!(content_id(&parts[2]).as_deref(), Some("<leak.jpg>"));
    assert_eq!(unhex(parts[2]["data"].as_str().expect("hex")), jpeg);
}

#[test]
fn python_messagings_retrieve_conf_reads_back_in_ours() {
    let bytes = unhex(&oracle("encode", ""));
    let pdu = decode(&bytes).expect("decodes");
    assert_eq!(pdu.message_type, MessageType::RetrieveConf);
    assert_eq!(pdu.transaction_id.as_deref(), Some("oracle-1"));
    assert_eq!(pdu.version, Some((1, 2)));
    assert_eq!(
        pdu.from.as_deref().map(address_number),
        Some("+15551234567")
    );
    assert_eq!(pdu.to, ["+12125550142/TYPE=PLMN"]);
    assert_eq!(pdu.subject.as_deref(), Some("The boiler label"));
    let media: Vec<&str> = pdu.parts.iter().map(|p| p.content_type.as_str()).collect();
    assert_eq!(media, ["application/smil", "image/jpeg", "text/plain"]);
    assert_eq!(pdu.parts[0].content_id.as_deref(), Some("0000"));
    assert_eq!(
        pdu.parts[1].data,
        [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9]
    );
    assert_eq!(
        pdu.parts[2].as_text().as_deref(),
        Some("Model number is on the photo")
    );
}
