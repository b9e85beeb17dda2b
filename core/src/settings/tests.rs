use serde_json::json;

use super::*;

fn named() -> Settings {
    Settings {
        business_name: "Acme Plumbing".into(),
        ..Settings::default()
    }
}

fn field_of(result: Result<Config, SettingsError>) -> String {
    result.expect_err("should be refused").field
}

#[test]
fn defaults_match_the_documented_document() {
    let doc = Settings::default().to_value();
    assert_eq!(doc["region"], "US");
    assert_eq!(doc["timezone"], "America/New_York");
    assert_eq!(
        doc["text_back"]["triggers"],
        json!(["missed", "rejected", "voicemail"])
    );
    assert_eq!(doc["text_back"]["cooldown_hours"], 24);
    assert_eq!(doc["text_back"]["quiet_if_texting_minutes"], 120);
    assert_eq!(doc["business_hours"]["mon"], json!(["08:00-17:00"]));
    assert_eq!(doc["business_hours"]["sat"], json!([]));
    assert_eq!(doc["limits"]["max_per_30_minutes"], 25);
    assert_eq!(doc["limits"]["mms_max_kb"], 300);
    // Missing keys take the defaults.
    assert_eq!(
        Settings::from_json("{}").expect("empty"),
        Settings::default()
    );
}

#[test]
fn empty_business_name_is_refused_while_templates_use_it() {
    assert_eq!(field_of(Settings::default().validate()), "business_name");
    assert!(named().validate().is_ok());
}

#[test]
fn ranges_name_the_field() {
    let cases = [
        (
            json!({"text_back": {"delay_seconds": 3601}}),
            "text_back.delay_seconds",
        ),
        (
            json!({"text_back": {"cooldown_hours": 721}}),
            "text_back.cooldown_hours",
        ),
        (
            json!({"text_back": {"quiet_if_texting_minutes": 1441}}),
            "text_back.quiet_if_texting_minutes",
        ),
        (
            json!({"limits": {"max_per_30_minutes": 0}}),
            "limits.max_per_30_minutes",
        ),
        (
            json!({"text_back": {"late_window_minutes": 0}}),
            "text_back.late_window_minutes",
        ),
        (
            json!({"limits": {"max_per_30_minutes": 31}}),
            "limits.max_per_30_minutes",
        ),
        (
            json!({"limits": {"replies_per_desktop_per_hour": 0}}),
            "limits.replies_per_desktop_per_hour",
        ),
        (
            json!({"limits": {"replies_per_desktop_per_hour": 121}}),
            "limits.replies_per_desktop_per_hour",
        ),
        (json!({"limits": {"mms_max_kb": 49}}), "limits.mms_max_kb"),
        (json!({"limits": {"mms_max_kb": 2001}}), "limits.mms_max_kb"),
        (
            json!({"limits": {"allowed_countries": ["CA", "Canada"]}}),
            "limits.allowed_countries[1]",
        ),
        (
            json!({"limits": {"allowed_countries": ["US"]}}),
            "limits.allowed_countries[0]",
        ),
        (
            json!({"follow_ups": (1..=6).map(|h| json!({"after_hours": h, "body": "x"})).collect::<Vec<_>>()}),
            "follow_ups",
        ),
        (
            json!({"keyword_replies": (0..51).map(|i| json!({"keyword": format!("W{i}"), "body": "x"})).collect::<Vec<_>>()}),
            "keyword_replies",
        ),
        (
            json!({"follow_ups": [{"after_hours": 4, "body": "x".repeat(1531)}]}),
            "follow_ups[0].body",
        ),
        (
            json!({"keyword_replies": [{"keyword": "HOURS", "body": "😀".repeat(400)}]}),
            "keyword_replies[0].body",
        ),
        (
            json!({"templates": {"after_hours": "y".repeat(2000)}}),
            "templates.after_hours",
        ),
        (json!({"business_name": "A".repeat(101)}), "business_name"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (json!({"region": "ZZ"}), "region"),
        (
            json!({"text_back": {"triggers": ["answered"]}}),
            "text_back.triggers[0]",
        ),
        (
            json!({"business_hours": {"mon": ["08:00-12:00", "11:00-13:00"]}}),
            "business_hours.mon[1]",
        ),
        (
            json!({"templates": {"help": "Hi {frist_name}"}}),
            "templates.help",
        ),
        (
            json!({"follow_ups": [{"after_hours": 0, "body": "x"}]}),
            "follow_ups[0].after_hours",
        ),
        (
            json!({"follow_ups": [{"after_hours": 4, "body": "{nope}"}]}),
            "follow_ups[0].body",
        ),
        (
            json!({"keyword_replies": [{"keyword": "stop", "body": "x"}]}),
            "keyword_replies[0].keyword",
        ),
        (
            json!({"keyword_replies": [{"keyword": "HOURS", "body": "a"}, {"keyword": "hours!", "body": "b"}]}),
            "keyword_replies[1].keyword",
        ),
        (
            json!({"block_list": ["+12125550123", "not a number"]}),
            "block_list[1]",
        ),
        (
            json!({"templates": {"business_hours": "{first_name}"}}),
            "templates.business_hours",
        ),
    ];
    for (patch, field) in cases {
        let result = named().patched(&patch).and_then(|s| s.validate());
        assert_eq!(field_of(result), field, "{patch}");
    }
}

#[test]
fn a_document_saved_with_looser_bounds_is_brought_within_them() {
    let old = named()
        .patched(&json!({
            "limits": {"max_per_30_minutes": 1000},
            "follow_ups": (1..=8).map(|h| json!({"after_hours": h, "body": "x"})).collect::<Vec<_>>(),
        }))
        .expect("patch");
    assert!(old.validate().is_err(), "an earlier version allowed this");
    let fixed = old.within_bounds();
    fixed.validate().expect("valid now");
    assert_eq!(fixed.limits.max_per_30_minutes, 30);
    assert_eq!(fixed.follow_ups.len(), 5);
}

#[test]
fn type_errors_and_unknown_keys_name_the_path() {
    let err = named()
        .patched(&json!({"text_back": {"delay_seconds": "soon"}}))
        .expect_err("type");
    assert_eq!(err.field, "text_back.delay_seconds");
    let err = named()
        .patched(&json!({"text_back": {"delay": 5}}))
        .expect_err("unknown");
    assert!(err.problem.contains("unknown field"), "{err}");
    let err = Settings::from_json("{\"business_name\": ").expect_err("json");
    assert_eq!(err.field, "settings");
    let err = Settings::from_json("[1]").expect_err("array");
    assert_eq!(err.field, "settings");
}

#[test]
fn patch_merges_objects_and_replaces_arrays() {
    let base = named()
        .patched(&json!({"business_hours": {"mon": ["09:00-12:00", "13:00-17:00"]}}))
        .expect("patch");
    assert_eq!(base.business_hours.tue, vec!["08:00-17:00".to_string()]);
    let next = base
        .patched(&json!({"business_hours": {"mon": ["10:00-11:00"]}, "text_back": {"delay_seconds": 30}}))
        .expect("patch");
    assert_eq!(next.business_hours.mon, vec!["10:00-11:00".to_string()]);
    assert_eq!(next.text_back.delay_seconds, 30);
    assert_eq!(
        next.text_back.cooldown_hours, 24,
        "siblings survive a merge"
    );
    assert_eq!(next.business_name, "Acme Plumbing");
}

#[test]
fn keywords_are_normalized() {
    assert_eq!(normalize_keyword("  stop! "), "STOP");
    assert_eq!(normalize_keyword("Quit..."), "QUIT");
    assert_eq!(normalize_keyword("stop please"), "STOP PLEASE");
    assert_eq!(normalize_keyword("¿help?"), "¿HELP");
    assert_eq!(normalize_keyword(""), "");
}

#[test]
fn quick_replies_are_checked_and_name_the_one_that_is_wrong() {
    let mut s = named();
    assert!(
        !s.quick_replies.is_empty(),
        "a new business starts with a few"
    );
    assert!(s.validate().is_ok());
    s.quick_replies = vec!["On our way!".into(), "   ".into()];
    assert_eq!(field_of(s.validate()), "quick_replies[1]");
    s.quick_replies = vec!["🔧".repeat(MAX_QUICK_REPLY_CHARS + 1)];
    assert_eq!(field_of(s.validate()), "quick_replies[0]");
    s.quick_replies = vec!["ok".into(); MAX_QUICK_REPLIES + 1];
    assert_eq!(field_of(s.validate()), "quick_replies");
    // A document from before quick replies existed still reads, with the defaults.
    let old: Settings = serde_json::from_value(json!({"business_name": "Acme"})).expect("reads");
    assert_eq!(old.quick_replies, Settings::default().quick_replies);
}

#[test]
fn every_problem_is_reported_at_once_with_its_field() {
    let mut s = named();
    s.text_back.delay_seconds = 1_000_000;
    s.templates.after_hours = "Hi {frist_name}".into();
    s.business_hours.tue = vec!["09:00-12:00".into(), "11:00-13:00".into()];
    s.quick_replies = vec!["ok".into(), "".into()];
    let fields: Vec<String> = s.problems().into_iter().map(|e| e.field).collect();
    for field in [
        "text_back.delay_seconds",
        "templates.after_hours",
        "business_hours.tue[1]",
        "quick_replies[1]",
    ] {
        assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
    }
    assert_eq!(fields.len(), 4, "{fields:?}");
    assert!(named().problems().is_empty());
    // A problem that resetting cannot clear (the default is also empty) is reported once.
    let unnamed = Settings::default();
    let problems = unnamed.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "business_name");
}

#[test]
fn the_assistant_is_off_by_default_and_its_settings_are_checked_by_field() {
    let doc = Settings::default().to_value();
    assert_eq!(doc["assistant"]["mode"], "off");
    assert_eq!(doc["assistant"]["timeout_seconds"], 10);
    assert_eq!(doc["assistant"]["max_texts_per_day"], 6);
    assert_eq!(doc["assistant"]["max_model_calls_per_day"], 12);
    assert_eq!(doc["assistant"]["max_appointments_per_day"], 1);
    let config = named().validate().expect("defaults");
    // No bookable hours of its own: the business hours.
    assert_eq!(config.availability, config.hours);
    let bad = [
        (
            json!({"mode": "auto"}),
            "assistant.base_url",
            "turn the assistant off",
        ),
        (
            json!({"mode": "suggest", "base_url": "localhost:8080"}),
            "assistant.base_url",
            "http://",
        ),
        (
            json!({"timeout_seconds": 0}),
            "assistant.timeout_seconds",
            "",
        ),
        (
            json!({"max_texts_per_day": 0}),
            "assistant.max_texts_per_day",
            "",
        ),
        (json!({"slot_minutes": 5}), "assistant.slot_minutes", ""),
        (
            json!({"max_model_calls_per_day": 0}),
            "assistant.max_model_calls_per_day",
            "between 1 and 100",
        ),
        (
            json!({"max_model_calls_per_day": 101}),
            "assistant.max_model_calls_per_day",
            "between 1 and 100",
        ),
        (
            json!({"max_appointments_per_day": 11}),
            "assistant.max_appointments_per_day",
            "between 0 and 10",
        ),
        (
            json!({"services": ["  "]}),
            "assistant.services[0]",
            "1 to 200",
        ),
        (
            json!({"availability": {"tue": ["9-5"]}}),
            "assistant.availability.tue[0]",
            "",
        ),
        (
            json!({"handoff_text": "Hi {nope}"}),
            "assistant.handoff_text",
            "",
        ),
    ];
    for (patch, field, words) in bad {
        let settings = named()
            .patched(&json!({"assistant": patch}))
            .expect("patch");
        let e = settings.validate().expect_err("refused");
        assert_eq!(e.field, field, "{patch}");
        assert!(e.problem.contains(words), "{patch}: {}", e.problem);
    }
    // An assistant that never books is a choice, not a mistake.
    let never_books = named()
        .patched(&json!({"assistant": {"max_appointments_per_day": 0}}))
        .expect("patch");
    assert!(never_books.validate().is_ok());
    let unknown = Settings::from_value(&json!({"assistant": {"mood": "auto"}}));
    assert!(unknown.is_err(), "an unknown assistant key was accepted");
    let mode = Settings::from_value(&json!({"assistant": {"mode": "sometimes"}}));
    assert!(mode.is_err(), "an unknown mode was accepted");
    let good = named()
        .patched(
            &json!({"assistant": {"mode": "auto", "base_url": "http://127.0.0.1:8080/v1",
            "availability": {"sat": ["09:00-12:00"]}}}),
        )
        .expect("patch")
        .validate()
        .expect("valid");
    assert_ne!(good.availability, good.hours);
}

#[test]
fn the_default_text_backs_are_one_plain_sms_for_a_name_of_up_to_30_characters() {
    // A dash or curly quote outside the GSM alphabet turns the whole text into UCS-2: 70
    // characters a part, so the default text-back went as two parts and the after-hours one
    // as three, each counted against the owner's volume window and bill.
    let name = "Acme Plumbing & Heating Co Ltd";
    assert_eq!(name.chars().count(), 30);
    let templates = Templates::default();
    for (which, source) in [
        ("business_hours", &templates.business_hours),
        ("after_hours", &templates.after_hours),
    ] {
        let text = Template::parse(source)
            .expect("a default template parses")
            .render(&RenderContext {
                business_name: name,
                first_name: None,
            });
        let count = crate::sms::count(&text);
        assert_eq!(
            count.encoding,
            crate::sms::Encoding::Gsm7,
            "{which}: {text}"
        );
        assert_eq!(
            count.segments, 1,
            "{which}: {} septets: {text}",
            count.units
        );
    }
}
