//! `ringback-desk-sim serve` as a process: bad input gets an `error` line naming what is
//! wrong, and the desktop goes on (on loopback; no namespaces needed).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

#[test]
fn bad_lines_are_named_and_the_desktop_goes_on() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ringback-desk-sim"))
        .args(["serve", "--data"])
        .arg(dir.path())
        .args(["--network", "loopback"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut out = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut next = || -> Value {
        let line = out.next().expect("a line").expect("text");
        serde_json::from_str(&line).expect("json")
    };
    assert!(next().get("ready").is_some());

    // A megabyte on one line, a line that is not JSON, an unknown command, a reply with no
    // phone paired, a bad endpoint id: each named, none fatal.
    let huge = "x".repeat(1024 * 1024);
    writeln!(stdin, "{huge}").expect("write");
    assert!(
        next()["error"]
            .as_str()
            .expect("error")
            .contains("longer than 65536 bytes")
    );
    writeln!(stdin, "not json").expect("write");
    assert!(
        next()["error"]
            .as_str()
            .expect("error")
            .starts_with("line 2:")
    );
    writeln!(stdin, r#"{{"launch": {{}}}}"#).expect("write");
    assert!(
        next()["error"]
            .as_str()
            .expect("error")
            .contains("unknown variant")
    );
    writeln!(
        stdin,
        r#"{{"reply": {{"to": "+12125550123", "body": "Hi"}}}}"#
    )
    .expect("write");
    assert_eq!(next()["error"], "no phone is paired with this desktop yet");
    writeln!(stdin, r#"{{"accept": "zz"}}"#).expect("write");
    assert!(
        next()["error"]
            .as_str()
            .expect("error")
            .contains("not an endpoint id")
    );

    writeln!(stdin, r#"{{"status": {{}}}}"#).expect("write");
    let status = next();
    assert_eq!(status["status"]["phones"], serde_json::json!([]));
    writeln!(stdin, r#"{{"ticket": {{}}}}"#).expect("write");
    let ticket = next();
    assert!(
        ticket["ticket"]["qr"]
            .as_str()
            .expect("qr")
            .starts_with("ringback")
    );
    writeln!(stdin, r#"{{"quit": {{}}}}"#).expect("write");
    assert!(next().get("quit").is_some());
    assert!(child.wait().expect("exit").success());
}
