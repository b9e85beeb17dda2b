use super::*;

fn sim(line: &str, service: ServiceState) -> SimHealth {
    SimHealth {
        line: line.into(),
        carrier: "Carrier".into(),
        service,
        signal_level: Some(3),
    }
}

#[test]
fn a_healthy_phone_has_no_problems() {
    let mut h = PhoneHealth::new(1, "1.0.0");
    h.battery_exempt = Some(true);
    h.sims = vec![sim("sim1", ServiceState::InService)];
    assert_eq!(h.problems(), Vec::new());
    assert!(h.check().is_ok());
    assert!(
        h.checklist()
            .iter()
            .all(|i| i.state == CheckState::Ok && i.fix.is_none())
    );
}

#[test]
fn each_problem_is_named_with_a_fix() {
    let mut h = PhoneHealth::new(1, "1.0.0");
    h.set_granted(Permission::ReadCallLog, false);
    h.service_running = false;
    h.battery_exempt = Some(false);
    h.sims = vec![
        sim("sim1", ServiceState::OutOfService),
        sim("sim2", ServiceState::InService),
    ];
    h.chat_features_likely = true;
    h.last_text = Some(LastText {
        at_ms: 1,
        result: TextResult::Failed,
        failure: Some("no service".into()),
    });
    let problems = h.problems();
    assert_eq!(
        problems,
        vec![
            HealthProblem::ServiceStopped,
            HealthProblem::PermissionMissing(Permission::ReadCallLog),
            HealthProblem::NoService {
                line: "sim1".into()
            },
            HealthProblem::BatteryOptimized,
            HealthProblem::LastTextFailed {
                reason: Some("no service".into())
            },
            HealthProblem::ChatFeatures { app: None },
        ]
    );
    for p in &problems {
        assert!(!p.describe().is_empty() && !p.fix().is_empty(), "{p:?}");
    }
    assert!(
        HealthProblem::PermissionMissing(Permission::ReadCallLog)
            .fix()
            .contains("Call logs")
    );
    let failing: Vec<_> = h
        .checklist()
        .into_iter()
        .filter(|i| i.state == CheckState::Problem)
        .collect();
    assert_eq!(failing.len(), problems.len());
    assert!(failing.iter().all(|i| i.fix.is_some()));
}

#[test]
fn airplane_mode_is_one_problem_not_one_per_sim() {
    let mut h = PhoneHealth::new(1, "1");
    h.airplane_mode = true;
    h.sims = vec![sim("sim1", ServiceState::PowerOff)];
    assert_eq!(h.problems(), vec![HealthProblem::AirplaneMode]);
}

#[test]
fn keys_are_stable_and_distinct() {
    let a = HealthProblem::PermissionMissing(Permission::SendSms).key();
    let b = HealthProblem::PermissionMissing(Permission::ReadSms).key();
    assert_eq!(a, "permission_missing:send_sms");
    assert_ne!(a, b);
}

#[test]
fn permission_names_round_trip() {
    for p in Permission::ALL {
        assert_eq!(Permission::from_name(p.as_str()), Some(p));
        let json = serde_json::to_string(&p).expect("json");
        assert_eq!(json, format!("\"{}\"", p.as_str()));
    }
    assert_eq!(Permission::from_name("camera"), None);
}

#[test]
fn oversized_records_are_refused_and_bounded_ones_pass() {
    let mut h = PhoneHealth::new(1, "1");
    h.sims = (0..MAX_SIMS + 1)
        .map(|i| sim(&format!("sim{i}"), ServiceState::InService))
        .collect();
    assert_eq!(h.check(), Err(HealthError::TooManySims(MAX_SIMS + 1)));
    assert!(h.clone().bounded().check().is_ok());

    let mut h = PhoneHealth::new(1, &"v".repeat(MAX_FIELD_CHARS + 1));
    assert!(matches!(
        h.check(),
        Err(HealthError::TooLong {
            field: "app version",
            ..
        })
    ));
    h = h.bounded();
    assert_eq!(h.app_version.chars().count(), MAX_FIELD_CHARS);

    let mut h = PhoneHealth::new(1, "1");
    h.autostart_hint = Some("é".repeat(MAX_FIELD_CHARS + 5));
    assert!(h.check().is_err());
    assert!(h.bounded().check().is_ok());

    let mut h = PhoneHealth::new(1, "1");
    h.permissions.push(PermissionState {
        permission: Permission::SendSms,
        granted: false,
    });
    assert_eq!(h.check(), Err(HealthError::DuplicatePermission("send_sms")));
    let b = h.bounded();
    assert!(b.check().is_ok());
    assert!(b.granted(Permission::SendSms), "the first listing is kept");

    let mut h = PhoneHealth::new(1, "1");
    h.sims = vec![SimHealth {
        signal_level: Some(9),
        ..sim("sim1", ServiceState::InService)
    }];
    assert_eq!(h.check(), Err(HealthError::BadSignal(9)));
    assert!(h.bounded().check().is_ok());
}

#[test]
fn same_as_ignores_the_gathering_time() {
    let a = PhoneHealth::new(1, "1");
    let mut b = PhoneHealth::new(2, "1");
    assert!(a.same_as(&b));
    b.airplane_mode = true;
    assert!(!a.same_as(&b));
}

#[test]
fn a_record_from_a_newer_phone_with_more_fields_still_reads() {
    let mut v = serde_json::to_value(PhoneHealth::new(1, "1")).expect("json");
    v["a_field_from_the_future"] = serde_json::json!(true);
    let h: PhoneHealth = serde_json::from_value(v).expect("read");
    assert_eq!(h.app_version, "1");
}
