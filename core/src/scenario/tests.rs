use serde_json::{Value, json};

use super::*;
use crate::call::SkipReason;
use crate::ports::memory::ScriptedModel;

#[test]
fn input_errors_name_line_and_field() {
    let cases = [
        (
            "{\"at\": \"2026-11-02T10:00:00Z\", \"call\": {\"from\": \"+12125550123\"}}",
            "call.outcome",
        ),
        ("{\"at\": \"yesterday\", \"call\": {}}", "at"),
        (
            "{\"at\": \"2026-11-02T10:00:00Z\", \"fax\": {}}",
            "unknown event",
        ),
        ("{\"at\": \"2026-11-02T10:00:00Z\"", "not valid JSON"),
        (
            "{\"at\": \"2026-11-02T10:00:00Z\", \"sms\": {\"from\": 5, \"body\": \"x\"}}",
            "sms.from",
        ),
    ];
    for (text, needle) in cases {
        let err = parse_event(text, 7).expect_err(text).to_string();
        assert!(err.starts_with("line 7: "), "{err}");
        assert!(err.contains(needle), "{err} lacks {needle}");
    }
}

#[test]
fn time_going_backwards_is_refused() {
    let input = "{\"at\": \"2026-11-02T10:00:00Z\", \"contact\": {\"number\": \"+12125550123\", \"name\": \"A\"}}\n\n{\"at\": \"2026-11-02T04:59:00-05:00\", \"contact\": {\"number\": \"+12125550123\", \"name\": \"A\"}}\n";
    let err = read_events(input.as_bytes())
        .expect_err("backwards")
        .to_string();
    assert!(err.starts_with("line 3: at:"), "{err}");
}

fn acme() -> Settings {
    Settings {
        business_name: "Acme Plumbing".into(),
        ..Settings::default()
    }
}

#[test]
fn the_sample_day_texts_some_callers_and_skips_others_for_reasons() {
    let run = dry_run(acme(), SAMPLE_DAY).expect("dry run");
    let texted: Vec<&DryRunLine> = run
        .lines
        .iter()
        .filter(|l| l.kind == DryRunKind::Texted)
        .collect();
    let skipped: Vec<&str> = run
        .lines
        .iter()
        .filter(|l| l.kind == DryRunKind::Skipped)
        .filter_map(|l| l.reason.as_deref())
        .collect();
    assert!(texted.iter().any(|l| {
        l.to == "+12125550142"
            && l.body
                .as_deref()
                .is_some_and(|b| b.contains("Acme Plumbing"))
    }));
    assert!(texted.iter().all(|l| l.segments.is_some_and(|s| s >= 1)));
    for reason in [SkipReason::WithheldNumber, SkipReason::OptedOut] {
        assert!(
            skipped.contains(&reason.describe()),
            "{reason:?} in {skipped:?}"
        );
    }
    // Times are in order.
    assert!(run.lines.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    // Other settings, other outcome: switched off, nothing is texted.
    let mut off = acme();
    off.text_back.enabled = false;
    let quiet = dry_run(off, SAMPLE_DAY).expect("dry run");
    assert!(quiet.lines.iter().all(|l| {
        l.kind != DryRunKind::Texted
            || l.body
                .as_deref()
                .is_some_and(|b| !b.contains("missed your call"))
    }));
}

#[test]
fn a_bad_pasted_day_names_its_line_and_odd_texts_do_not_break_it() {
    let bad = format!(
        "{}\n{{\"at\": \"2026-11-02T09:00:00Z\", \"call\": {{}}}}\n",
        SAMPLE_DAY.lines().next().expect("line")
    );
    let e = dry_run(acme(), &bad).expect_err("bad").to_string();
    assert!(e.starts_with("line 2: "), "{e}");
    let backwards = "{\"at\": \"2026-11-02T10:00:00Z\", \"call\": {\"from\": \"+12125550101\", \"outcome\": \"missed\"}}\n{\"at\": \"2026-11-02T09:00:00Z\", \"call\": {\"from\": \"+12125550102\", \"outcome\": \"missed\"}}";
    assert!(
        dry_run(acme(), backwards)
            .expect_err("backwards")
            .to_string()
            .starts_with("line 2: ")
    );
    let long = format!(
        "{{\"at\": \"2026-11-02T10:00:00Z\", \"sms\": {{\"from\": \"+12125550101\", \"body\": \"{}\"}}}}",
        "🔧".repeat(10_000)
    );
    dry_run(acme(), &long).expect("a long emoji text is just a text");
    assert!(dry_run(acme(), "").expect("empty").lines.is_empty());
}

/// A day of pasted text: a good first line, then `bad` as line 2.
fn day_with_second_line(bad: &str) -> String {
    format!(
        "{{\"at\": \"2026-11-02T09:00:00Z\", \"call\": {{\"from\": \"+12125550101\", \"outcome\": \"missed\"}}}}\n{bad}\n"
    )
}

#[test]
fn every_kind_of_bad_line_is_an_error_naming_it() {
    let long_word = "x".repeat(10_000);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases = [
        (
            "{\"at\": \"2026-11-02T10:00:00Z\", \"call\": ",
            "not valid JSON",
        ),
        ("[1, 2]", "JSON object"),
        (deep.as_str(), "not valid JSON"),
        ("{\"at\": \"🕘\", \"call\": {}}", "at:"),
        (
            "{\"at\": \"2026-11-02T08:59:00Z\", \"call\": {\"from\": \"+12125550102\", \"outcome\": \"missed\"}}",
            "time order",
        ),
        (
            "{\"at\": \"2026-11-02T10:00:00Z\", \"call\": {\"from\": \"+12125550102\", \"outcome\": \"🔔\"}}",
            "call.outcome",
        ),
        (
            "{\"at\": \"2026-11-02T10:00:00Z\", \"sms\": {\"from\": \"+12125550102\", \"body\": 7}}",
            "sms.body",
        ),
        (
            "{\"at\": \"2026-11-02T10:00:00Z\", \"call\": {\"from\": \"+12125550102\", \"outcome\": \"missed\", \"📞\": 1}}",
            "unknown field",
        ),
        (
            "{\"at\": \"2026-11-02T10:00:00Z\", \"settings\": {\"text_back\": {\"delay_seconds\": \"soon\"}}}",
            "settings.",
        ),
    ];
    for (bad, needle) in cases {
        let err = dry_run(acme(), &day_with_second_line(bad))
            .expect_err(needle)
            .to_string();
        assert!(err.starts_with("line 2: "), "{needle}: {err}");
        assert!(err.contains(needle), "{err} lacks {needle}");
    }
    // A 10,000-character field value in an unknown event is refused by the event name.
    let err = dry_run(
        acme(),
        &day_with_second_line(&format!(
            "{{\"at\": \"2026-11-02T10:00:00Z\", \"{long_word}\": {{}}}}"
        )),
    )
    .expect_err("unknown event");
    assert!(err.to_string().starts_with("line 2: "), "{err}");
}

#[test]
fn long_and_odd_texts_are_run_and_over_long_replies_refused() {
    // A 10,000-character text in, and replies at and past the phone's cap of ten SMS
    // parts, in plain letters (GSM 7-bit, 153 a part) and in emoji (UCS-2, 33 a part).
    for (unit, per_part) in [("a", 153), ("🔧", 33)] {
        let longest = unit.repeat(per_part * crate::outbound::MAX_PARTS);
        let too_long = unit.repeat(per_part * crate::outbound::MAX_PARTS + 1);
        let inbound = unit.repeat(10_000);
        let day = format!(
            "{{\"at\": \"2026-11-02T15:00:00Z\", \"sms\": {{\"from\": \"+12125550101\", \"body\": \"{inbound}\"}}}}\n{{\"at\": \"2026-11-02T15:01:00Z\", \"reply\": {{\"to\": \"+12125550101\", \"body\": \"{longest}\"}}}}\n{{\"at\": \"2026-11-02T15:02:00Z\", \"reply\": {{\"to\": \"+12125550101\", \"body\": \"{too_long}\"}}}}"
        );
        let run = dry_run(acme(), &day).expect("a long text is just a text");
        let reply = run
            .lines
            .iter()
            .find(|l| l.kind == DryRunKind::Texted && l.body.as_deref() == Some(longest.as_str()))
            .expect("the longest reply allowed is sent");
        assert_eq!(
            reply.segments,
            Some(u32::try_from(crate::outbound::MAX_PARTS).unwrap_or(0))
        );
        let refused = run
            .lines
            .iter()
            .find(|l| l.kind == DryRunKind::Refused)
            .expect("one part more is refused");
        assert!(
            refused
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("10 SMS parts")),
            "{refused:?}"
        );
    }
    // An emoji where a number belongs is a caller that cannot be texted, not an error.
    let run = dry_run(
        acme(),
        "{\"at\": \"2026-11-02T15:00:00Z\", \"call\": {\"from\": \"📞📞📞\", \"outcome\": \"missed\"}}",
    )
    .expect("odd caller");
    assert_eq!(run.lines.len(), 1);
    assert_eq!(run.lines[0].kind, DryRunKind::Skipped);
    // The edge of representable time (jiff stops late on 9999-12-30) overflows no timer.
    dry_run(
        acme(),
        "{\"at\": \"9999-12-30T21:59:00Z\", \"call\": {\"from\": \"+12125550101\", \"outcome\": \"missed\"}}",
    )
    .expect("the last minute jiff can hold");
}

#[test]
fn the_sample_day_texts_skips_a_repeat_caller_and_matches_the_printed_lines() {
    let dry = dry_run(acme(), SAMPLE_DAY).expect("dry run");
    let count = |kind| dry.lines.iter().filter(|l| l.kind == kind).count();
    assert!(count(DryRunKind::Texted) >= 2, "{:?}", dry.lines);
    assert!(count(DryRunKind::Skipped) >= 2, "{:?}", dry.lines);
    assert_eq!(count(DryRunKind::Refused), 0, "{:?}", dry.lines);
    // The caller who rings again within the day is inside the cooldown.
    assert!(
        dry.lines.iter().any(|l| l.to == "+12125550142"
            && l.reason.as_deref() == Some(SkipReason::Cooldown.describe())),
        "{:?}",
        dry.lines
    );
    // The reply typed on the desktop goes out as typed.
    assert!(dry.lines.iter().any(|l| {
        l.kind == DryRunKind::Texted && l.body.as_deref().is_some_and(|b| b.contains("1pm"))
    }));
    // The typed lines are the lines the scenario runner prints, one for one.
    let events = read_events(SAMPLE_DAY.as_bytes()).expect("events");
    let mut printed = Vec::new();
    run(acme(), None, &events, &mut printed).expect("run");
    let printed = String::from_utf8(printed).expect("utf-8");
    assert_eq!(printed.lines().count(), dry.lines.len());
    for (text, line) in printed.lines().zip(&dry.lines) {
        let value: Value = serde_json::from_str(text).expect("json");
        let at: Timestamp = value["at"].as_str().expect("at").parse().expect("instant");
        assert_eq!(at.as_millisecond(), line.at_ms, "{text}");
    }
}
/// The runner waits for the model on a runtime and thread of its own, so a host may run
/// it from inside its own async runtime without a nested `block_on`.
#[tokio::test]
async fn a_dry_run_with_the_assistant_runs_inside_an_async_host() {
    let mut settings = acme();
    settings.assistant = Settings::from_value(&json!({"assistant": {
        "mode": "auto", "base_url": "http://127.0.0.1:9/v1", "model": "m"}}))
    .expect("settings")
    .assistant;
    let day = r#"{"at": "2026-11-02T19:02:00-05:00", "sms": {"from": "+12125550142", "body": "Leak under the sink"}}"#;
    let dry = dry_run(settings, day).expect("dry run");
    assert!(
        dry.lines
            .iter()
            .any(|l| l.body.as_deref() == Some(SCRIPTED_REPLY)),
        "{:?}",
        dry.lines
    );
}

#[test]
fn a_day_runs_with_the_assistant_in_the_loop() {
    let mut settings = acme();
    settings.assistant = Settings::from_value(&json!({"assistant": {
        "mode": "auto", "base_url": "http://127.0.0.1:9/v1", "model": "m",
        "service_area": ["10001"]}}))
    .expect("settings")
    .assistant;
    let day = r#"{"at": "2026-11-02T19:00:00-05:00", "call": {"from": "(212) 555-0142", "outcome": "missed"}}
{"at": "2026-11-02T19:02:00-05:00", "sms": {"from": "+12125550142", "body": "Leak under the sink, 10001"}}
{"at": "2026-11-02T19:05:00-05:00", "sms": {"from": "+12125550142", "body": "Can someone call me?"}}
"#;
    let events = read_events(day.as_bytes()).expect("events");
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let questions = asked.clone();
    let mut lines = Vec::new();
    run_with_model(
        settings,
        None,
        &events,
        &mut |o| {
            lines.extend(outcome_line(o));
            Ok(())
        },
        &*ScriptedModel::new(move |job| {
            questions
                .lock()
                .expect("questions")
                .push(job.messages.last().map(|m| m.content.clone()));
            let slot = job.messages[0]
                .content
                .lines()
                .find_map(|l| l.strip_prefix("Free appointment slots: "))
                .and_then(|l| l.split("; ").next())
                .map(str::to_string);
            Ok(
                json!({"reply": "Sorry to hear! Tomorrow 8am?", "problem": "Leak",
                      "postcode": "10001", "book_slot": slot})
                .to_string(),
            )
        }),
    )
    .expect("run");
    // Asked once (the hand-off request is not a question for the model).
    assert_eq!(
        *asked.lock().expect("asked"),
        vec![Some("Leak under the sink, 10001".to_string())]
    );
    let kinds: Vec<String> = lines
        .iter()
        .map(|l| {
            l.get("sms_out")
                .map(|s| format!("sms_out:{}", s["kind"].as_str().unwrap_or("")))
                .or_else(|| {
                    l.get("assistant")
                        .map(|a| format!("assistant:{}", a["status"].as_str().unwrap_or("")))
                })
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "sms_out:text_back",
            "assistant:answered",
            "sms_out:assistant",
            "assistant:handed_off",
            "sms_out:assistant"
        ]
    );
    assert_eq!(
        lines[1]["assistant"]["booked"],
        json!("Tue 2026-11-03 08:00")
    );
}

/// The parser reads serde types now; its messages are the ones the hand-written parser gave
/// (recorded from it), whatever is wrong first: the line, `at`, the kind, an unknown field
/// before a wrong type, then the fields in their old order.
#[test]
fn input_errors_read_as_they_always_did() {
    let cases = [
        (
            r#"not json"#,
            r#"line 3: not valid JSON (expected ident at line 1 column 2)"#,
        ),
        (
            r#"[1, 2]"#,
            r#"line 3: each line must be a JSON object such as {"at": "…", "call": {…}}"#,
        ),
        (
            r#""just a string""#,
            r#"line 3: each line must be a JSON object such as {"at": "…", "call": {…}}"#,
        ),
        (
            r#"{}"#,
            r#"line 3: at: missing; every event needs the time it happened"#,
        ),
        (
            r#"{"call": {}}"#,
            r#"line 3: at: missing; every event needs the time it happened"#,
        ),
        (
            r#"{"at": 5, "call": {}}"#,
            r#"line 3: at: must be an RFC 3339 time string, not 5"#,
        ),
        (
            r#"{"at": null, "call": {}}"#,
            r#"line 3: at: must be an RFC 3339 time string, not null"#,
        ),
        (
            r#"{"at": "yesterday", "call": {}}"#,
            r#"line 3: at: “yesterday” is not an RFC 3339 time such as 2026-11-02T09:30:00-05:00"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z"}"#,
            r#"line 3: event: each line needs exactly one of call, sms, reply, contact, settings, review, mms besides at"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {}, "sms": {}}"#,
            r#"line 3: event: each line needs exactly one of call, sms, reply, contact, settings, review, mms besides at"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "fax": {}}"#,
            r#"line 3: event: unknown event “fax”; use one of call, sms, reply, contact, settings, review, mms"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": 5}"#,
            r#"line 3: call: must be a JSON object"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": null}"#,
            r#"line 3: call: must be a JSON object"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": []}"#,
            r#"line 3: call: must be a JSON object"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {"from": "+12125550123"}}"#,
            r#"line 3: call.outcome: missing; add "outcome": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {"from": "+12125550123", "outcome": null}}"#,
            r#"line 3: call.outcome: missing; add "outcome": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {"from": "+12125550123", "outcome": 3}}"#,
            r#"line 3: call.outcome: must be a string, not 3"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {"from": "+12125550123", "outcome": "lost"}}"#,
            r#"line 3: call.outcome: “lost” is not an outcome; use one of missed, rejected, voicemail, answered, blocked, outgoing"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {"outcome": "missed"}}"#,
            r#"line 3: call.from: missing; add "from": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {"from": null, "outcome": "missed"}}"#,
            r#"line 3: call.from: missing; add "from": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {"from": ["x"], "outcome": "missed"}}"#,
            r#"line 3: call.from: must be a string, not ["x"]"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {"from": "+12125550123", "outcome": "missed", "line": 2}}"#,
            r#"line 3: call.line: must be a string, not 2"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {"from": "+12125550123", "outcome": "missed", "lines": "sim1"}}"#,
            r#"line 3: call.lines: unknown field; call takes from, outcome, line"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "call": {"from": 1, "outcome": "lost", "extra": true}}"#,
            r#"line 3: call.extra: unknown field; call takes from, outcome, line"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "sms": {"from": 5, "body": "x"}}"#,
            r#"line 3: sms.from: must be a string, not 5"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "sms": {"from": "+12125550123"}}"#,
            r#"line 3: sms.body: missing; add "body": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "sms": {"from": "+12125550123", "body": {"a": 1}}}"#,
            r#"line 3: sms.body: must be a string, not {"a":1}"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "sms": {"body": 1.5}}"#,
            r#"line 3: sms.from: missing; add "from": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "reply": {"to": "+12125550123"}}"#,
            r#"line 3: reply.body: missing; add "body": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "reply": {"to": "+12125550123", "body": "x", "line": "sim1"}}"#,
            r#"line 3: reply.line: unknown field; reply takes to, body, photo"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "contact": {"number": "+12125550123"}}"#,
            r#"line 3: contact.name: missing; add "name": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "contact": {"name": "Dana"}}"#,
            r#"line 3: contact.number: missing; add "number": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "review": {"number": "+12125550123"}}"#,
            r#"line 3: review.decision: missing; add "decision": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "review": {"number": "+12125550123", "decision": "maybe"}}"#,
            r#"line 3: review.decision: “maybe” is not a decision; use opt_out or resume"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "review": {"decision": "opt_out"}}"#,
            r#"line 3: review.number: missing; add "number": "…""#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "review": {"number": 7, "decision": true}}"#,
            r#"line 3: review.decision: must be a string, not true"#,
        ),
        (
            r#"{"at": "2026-11-02T10:00:00Z", "settings": 5}"#,
            r#"line 3: settings: must be a JSON object"#,
        ),
    ];
    for (text, expected) in cases {
        let error = parse_event(text, 3).expect_err(text).to_string();
        assert_eq!(error, expected, "{text}");
    }
}

#[test]
fn a_reply_with_a_photo_prints_mms_out_instead_of_sms_out() {
    let folder = tempfile::tempdir().expect("dir");
    let photo = folder.path().join("valve.jpg");
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&photo, &bytes).expect("write");
    let input = format!(
        "{}\n{}\n{}\n",
        json!({"at": "2026-11-02T15:00:00Z", "sms": {"from": "+12125550123", "body": "Which valve?"}}),
        json!({"at": "2026-11-02T15:01:00Z", "reply": {"to": "+12125550123", "body": "This one", "photo": {"type": "image/jpeg", "file": photo.display().to_string()}}}),
        json!({"at": "2026-11-02T15:02:00Z", "reply": {"to": "+12125550123", "photo": {"type": "image/jpeg", "file": photo.display().to_string()}}}),
    );
    let events = read_events(input.as_bytes()).expect("events");
    let mut out = Vec::new();
    run(acme(), None, &events, &mut out).expect("run");
    let lines: Vec<Value> = String::from_utf8(out)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let mms: Vec<&Value> = lines.iter().filter_map(|l| l.get("mms_out")).collect();
    assert_eq!(mms.len(), 2, "{lines:?}");
    assert_eq!(mms[0]["to"], "+12125550123");
    assert_eq!(mms[0]["text"], "This one");
    assert_eq!(mms[1]["text"], "", "a photo may go without words");
    for m in &mms {
        assert_eq!(m["attachments"][0]["type"], "image/jpeg");
        assert_eq!(m["attachments"][0]["size"], 5000);
        assert_eq!(
            m["attachments"][0]["hash"],
            crate::attachment::BlobHash::of(&bytes).to_hex()
        );
    }
    assert!(
        !lines
            .iter()
            .filter_map(|l| l.get("sms_out"))
            .any(|s| s["kind"] == "reply"),
        "a photo reply is not also printed as a text: {lines:?}"
    );
}

#[test]
fn a_reply_photo_that_is_no_image_or_missing_names_its_field() {
    let cases = [
        (
            json!({"type": "text/plain", "file": "x.txt"}),
            "reply.photo.type",
        ),
        (json!({"type": "image/jpeg"}), "reply.photo.file"),
        (
            json!({"type": "image/jpeg", "file": "/nonexistent/valve.jpg"}),
            "reply.photo.file",
        ),
        (json!("valve.jpg"), "reply.photo"),
        (
            json!({"type": "image/jpeg", "file": "a", "size": 3}),
            "reply.photo.size",
        ),
    ];
    for (photo, needle) in cases {
        let text =
            json!({"at": "2026-11-02T15:01:00Z", "reply": {"to": "+12125550123", "photo": photo}})
                .to_string();
        let err = parse_event(&text, 4).expect_err(&text).to_string();
        assert!(err.starts_with("line 4: "), "{err}");
        assert!(err.contains(needle), "{err} lacks {needle}");
    }
}
