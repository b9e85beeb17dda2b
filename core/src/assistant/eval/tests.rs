//! Scoring with scripted contents, and the shipped cases load.

use std::path::PathBuf;

use super::*;

const CASE: &str = r#"{
  "about": "leaking pipe, accepts the first slot",
  "facts": {
    "business_name": "Hudson Plumbing",
    "services": ["leak repair", "boiler repair"],
    "service_area": ["10001", "10002"],
    "price_notes": ["call-out fee $89"],
    "hours": "Mon–Fri 8:00–17:00"
  },
  "timezone": "America/New_York",
  "now": "2026-11-02T09:00",
  "slot_minutes": 60,
  "slots": ["2026-11-03T14:00", "2026-11-04T09:00"],
  "thread": [
    {"caller": "Hi, water is leaking under my sink, I'm in 10001"},
    {"business": "Sorry to hear that! We can come Tue 2026-11-03 14:00 or Wed 2026-11-04 09:00."},
    {"caller": "Tuesday at 2 works"}
  ],
  "expect": {
    "contains": [["tuesday", "tue", "14:00", "2pm", "2 pm"], "see you"],
    "excludes": ["$150", "guarantee", "Wed 2026-11-04 16:00"],
    "lead": {"postcode": "10001", "problem": ["leak", "water"]},
    "book": "2026-11-03T14:00"
  }
}"#;

fn case() -> Case {
    parse_case("leak-accepts", CASE).expect("the case parses")
}

fn names_of_failures(score: &CaseScore) -> Vec<String> {
    score
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name.clone())
        .collect()
}

const PERFECT: &str = r#"{"reply": "Great, see you Tue at 14:00!", "problem": "leak under the sink", "postcode": "10001", "urgency": null, "preferred_time": "Tuesday 2pm", "book_slot": "Tue 2026-11-03 14:00"}"#;

#[test]
fn a_perfect_answer_scores_full() {
    let score = score(&case(), PERFECT);
    assert_eq!(names_of_failures(&score), Vec::<String>::new());
    // valid + 2 contains + 3 excludes + 2 lead + book
    assert_eq!(score.checks.len(), 9);
    assert!(score.passed());
    assert_eq!(score.to_string(), "PASS leak-accepts (9/9)");
}

#[test]
fn an_invented_price_fails() {
    let content = PERFECT.replace(
        "see you Tue at 14:00!",
        "see you Tue at 14:00, it will be $150.",
    );
    let score = score(&case(), &content);
    let failures = names_of_failures(&score);
    assert!(
        failures.contains(&"valid structured answer".to_string()),
        "{failures:?}"
    );
    assert!(
        failures.contains(&"never says “$150”".to_string()),
        "{failures:?}"
    );
    assert!(!score.passed());
    assert!(
        score.to_string().starts_with("FAIL leak-accepts (2/9): "),
        "{score}"
    );
    assert!(score.to_string().contains("quoted a price"), "{score}");
}

#[test]
fn a_slot_not_offered_fails() {
    let content = PERFECT.replace("Tue 2026-11-03 14:00", "Wed 2026-11-04 16:00");
    let score = score(&case(), &content);
    let failures = names_of_failures(&score);
    assert!(
        failures.contains(&"valid structured answer".to_string()),
        "{failures:?}"
    );
    assert!(
        failures.contains(&"books Tue 2026-11-03 14:00".to_string()),
        "{failures:?}"
    );
    assert!(
        failures.contains(&"never says “Wed 2026-11-04 16:00”".to_string()),
        "{failures:?}"
    );
}

#[test]
fn another_offered_slot_is_the_wrong_booking() {
    let content = PERFECT.replace("Tue 2026-11-03 14:00", "Wed 2026-11-04 09:00");
    let score = score(&case(), &content);
    let failed: Vec<&Check> = score.checks.iter().filter(|c| !c.passed).collect();
    assert_eq!(failed.len(), 1, "{score}");
    assert_eq!(
        failed[0].detail.as_deref(),
        Some("it books Wed 2026-11-04 09:00")
    );
}

#[test]
fn non_json_fails_everything_but_the_never_says() {
    let score = score(&case(), "Great, see you Tuesday at 2pm!");
    let failures = names_of_failures(&score);
    assert_eq!(failures.len(), 6, "{failures:?}");
    assert_eq!(score.passed_checks(), 3);
    assert!(
        score.checks[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("JSON"))
    );
}

#[test]
fn missing_and_wrong_lead_fields_fail_with_what_was_there() {
    let content = PERFECT
        .replace(r#""postcode": "10001""#, r#""postcode": "90210""#)
        .replace(r#""problem": "leak under the sink""#, r#""problem": null"#);
    let score = score(&case(), &content);
    let details: Vec<_> = score
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| (c.name.as_str(), c.detail.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        details,
        vec![
            ("lead problem has one of: leak | water", "empty".to_string()),
            (
                "lead postcode has one of: 10001",
                "it is “90210”".to_string()
            ),
        ]
    );
}

#[test]
fn no_booking_fails_when_the_answer_books_or_tries_to() {
    let mut case = case();
    case.expect.book = None;
    case.expect.no_booking = true;
    let booked = score(&case, PERFECT);
    assert_eq!(
        names_of_failures(&booked),
        vec!["books nothing".to_string()]
    );
    let unbooked = score(&case, &PERFECT.replace(r#""Tue 2026-11-03 14:00""#, "null"));
    assert!(unbooked.passed(), "{unbooked}");
    let invented = score(
        &case,
        &PERFECT.replace("Tue 2026-11-03 14:00", "Sun 2026-11-08 10:00"),
    );
    assert!(
        invented
            .checks
            .iter()
            .any(|c| c.name == "books nothing" && !c.passed),
        "{invented}"
    );
}

#[test]
fn an_unanswered_case_scores_zero_with_the_reason() {
    let score = unanswered(
        &case(),
        "The assistant's server did not answer within 1 ms".into(),
    );
    assert_eq!(score.passed_checks(), 0);
    assert_eq!(score.checks.len(), 9);
    assert!(!score.passed());
    assert_eq!(
        score.to_string(),
        "FAIL leak-accepts (0/9): no answer: The assistant's server did not answer within 1 ms"
    );
}

#[test]
fn the_report_sums_up() {
    let report = Report {
        cases: vec![
            score(&case(), PERFECT),
            score(&case(), "not json"),
            unanswered(&case(), "down".into()),
        ],
    };
    assert_eq!(report.passed_checks(), 9 + 3);
    assert_eq!(report.total_checks(), 27);
    assert_eq!(report.threads_passed(), 1);
    assert_eq!(
        report.summary(),
        "score: 12/27 checks (44.4%), 1/3 threads fully passed"
    );
    assert_eq!(
        Report::default().summary(),
        "score: 0/0 checks (0.0%), 0/0 threads fully passed"
    );
}

#[test]
fn broken_cases_say_what_is_wrong() {
    let broken = [
        (
            CASE.replace("America/New_York", "Mars/Olympus"),
            "time zone",
        ),
        (
            CASE.replace("\"2026-11-03T14:00\", \"2026", "\"tomorrow\", \"2026"),
            "slots",
        ),
        (
            CASE.replace(
                "\"book\": \"2026-11-03T14:00\"",
                "\"book\": \"2026-11-05T14:00\"",
            ),
            "not one of the slots",
        ),
        (CASE.replace("\"excludes\"", "\"exclude\""), "exclude"),
        (
            CASE.replace(
                "{\"caller\": \"Tuesday at 2 works\"}",
                "{\"business\": \"ok\"}",
            ),
            "last line",
        ),
        (
            CASE.replace("\"slot_minutes\": 60", "\"slot_minutes\": 0"),
            "slot_minutes",
        ),
        (
            CASE.replace("\"2026-11-02T09:00\"", "\"2026-11-05T09:00\""),
            "not after now",
        ),
    ];
    for (text, needle) in broken {
        let error = parse_case("broken", &text).expect_err(needle);
        assert!(error.contains(needle), "{needle}: {error}");
    }
}

#[test]
fn load_refuses_an_empty_or_missing_folder() {
    let dir = tempfile::tempdir().expect("temporary folder");
    assert!(matches!(load(dir.path()), Err(EvalError::Empty(_))));
    assert!(matches!(
        load(&dir.path().join("missing")),
        Err(EvalError::Unreadable { .. })
    ));
    std::fs::write(dir.path().join("a.json"), "{").expect("write");
    let error = load(dir.path()).expect_err("broken JSON");
    assert!(error.to_string().contains("a.json"), "{error}");
}

/// The shipped evaluation set loads, is large enough and covers what it promises.
#[test]
fn the_shipped_cases_load() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/assistant-eval");
    let cases = load(&dir).expect("the shipped cases load");
    assert!(cases.len() >= 22, "{} cases", cases.len());
    let with = |f: fn(&Case) -> bool| cases.iter().filter(|c| f(c)).count();
    assert!(with(|c| c.expect.book.is_some()) >= 2);
    assert!(with(|c| c.expect.no_booking) >= 3);
    assert!(with(|c| c.facts.price_notes.is_empty()) >= 2);
    assert!(with(|c| c.expect.excludes.iter().any(|e| e.starts_with('$'))) >= 3);
    for case in &cases {
        assert!(
            !case.expect.contains.is_empty() || !case.expect.excludes.is_empty(),
            "{}",
            case.name
        );
        // A perfect-looking answer that ignores everything still fails something, so each
        // case can tell a good answer from a bad one.
        let bland = r#"{"reply": "Thanks for your message.", "problem": null, "postcode": null, "urgency": null, "preferred_time": null, "book_slot": null}"#;
        let scored = score(case, bland);
        assert!(!scored.passed(), "{} passes with a bland answer", case.name);
    }
}
