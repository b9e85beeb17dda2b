use super::*;
use crate::outbound::HoldReason;

/// One of each kind (a new variant does not compile here until it is listed).
fn every_failure() -> Vec<Failure> {
    let one = |f: &Failure| match f {
        Failure::Expired { .. }
        | Failure::Refused(_)
        | Failure::NotSent(_)
        | Failure::NotDelivered
        | Failure::Unconfirmed
        | Failure::Cancelled(_)
        | Failure::NoLongerTimely(_)
        | Failure::Other(_) => (),
    };
    let mut all = vec![
        Failure::Expired { hours: 24 },
        Failure::NotDelivered,
        Failure::Unconfirmed,
        Failure::Other("the phone said something new".into()),
    ];
    all.extend(RefusalReason::ALL.map(Failure::Refused));
    all.extend(every_send_error().into_iter().map(Failure::NotSent));
    all.extend(SkipReason::ALL.map(Failure::Cancelled));
    all.extend(every_send_error().into_iter().map(Failure::NoLongerTimely));
    all.iter().for_each(one);
    all
}

fn every_send_error() -> Vec<SendError> {
    let one = |e: &SendError| match e {
        SendError::NoService
        | SendError::RadioOff
        | SendError::GenericFailure
        | SendError::LimitExceeded
        | SendError::NoSuchLine
        | SendError::NotEncoded { .. }
        | SendError::FixedDialling
        | SendError::ShortCode
        | SendError::Radio { .. }
        | SendError::Other(_) => (),
    };
    let all = vec![
        SendError::NoService,
        SendError::RadioOff,
        SendError::GenericFailure,
        SendError::LimitExceeded,
        SendError::NoSuchLine,
        SendError::NotEncoded { code: Some(5) },
        SendError::FixedDialling,
        SendError::ShortCode,
        SendError::Radio {
            result: 1234,
            code: Some(7),
        },
        SendError::Other("a Java exception".into()),
    ];
    all.iter().for_each(one);
    all
}

#[test]
fn every_kind_and_reason_has_its_own_words() {
    let mut words: Vec<String> = every_failure().iter().map(Failure::describe).collect();
    words.extend(SkipReason::ALL.map(|r| r.describe().to_string()));
    words.extend(RefusalReason::ALL.map(RefusalReason::describe));
    words.extend(HoldReason::ALL.map(|r| r.describe().to_string()));
    for w in &words {
        assert!(
            w.len() > 10 && !w.contains('_'),
            "“{w}” is not words for people"
        );
    }
    // A cancellation says its skip reason's words; every other pair differs.
    let distinct = |list: Vec<String>| {
        let mut sorted = list.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), list.len(), "{list:#?}");
    };
    distinct(SkipReason::ALL.map(|r| r.describe().to_string()).to_vec());
    distinct(RefusalReason::ALL.map(RefusalReason::describe).to_vec());
    distinct(every_send_error().iter().map(|e| e.to_string()).collect());
}

#[test]
fn the_kind_is_stored_under_the_names_the_wire_uses() {
    for (failure, stored) in [
        (
            Failure::Expired { hours: 24 },
            r#"{"expired":{"hours":24}}"#,
        ),
        (
            Failure::Refused(RefusalReason::OptedOut),
            r#"{"refused":"opted_out"}"#,
        ),
        (
            Failure::NotSent(SendError::Radio {
                result: 1234,
                code: Some(7),
            }),
            r#"{"not_sent":{"radio":{"result":1234,"code":7}}}"#,
        ),
        (
            Failure::NotSent(SendError::NoService),
            r#"{"not_sent":"no_service"}"#,
        ),
        (Failure::NotDelivered, r#""not_delivered""#),
        (Failure::Unconfirmed, r#""unconfirmed""#),
        (
            Failure::Cancelled(SkipReason::ResolvedByCall),
            r#"{"cancelled":"resolved_by_call"}"#,
        ),
    ] {
        assert_eq!(failure.to_stored(), stored);
        assert_eq!(Failure::from_stored(stored).expect("parses"), failure);
    }
    for failure in every_failure() {
        assert_eq!(
            Failure::from_stored(&failure.to_stored()).expect("parses"),
            failure
        );
    }
    assert!(Failure::from_stored(r#"{"melted":true}"#).is_err());
}

/// Every sentence an earlier version stored as a message's failure, exactly as it wrote
/// it, reads back into its kind.
#[test]
fn words_of_earlier_versions_read_into_their_kinds() {
    for (words, kind) in [
        (
            "expired: this reply reached the phone more than 24 hours after it was written, so it was not sent; send it again if it still applies",
            Failure::Expired { hours: 24 },
        ),
        (
            "expired: this reply reached the phone more than 168 hours after it was written, so it was not sent; send it again if it still applies",
            Failure::Expired { hours: 168 },
        ),
        (
            "not sent: this number texted STOP; it can be texted again after it texts START",
            Failure::Refused(RefusalReason::OptedOut),
        ),
        (
            "not sent: the text is longer than 10 SMS parts; shorten it",
            Failure::Refused(RefusalReason::TooLong),
        ),
        (
            "the network could not deliver the text; the number may be a landline or switched off",
            Failure::NotDelivered,
        ),
        (
            "the phone stopped while this text was being sent; check with the caller before sending it again",
            Failure::Unconfirmed,
        ),
        (
            "the phone's radio is off (airplane mode?); turn it on and resend",
            Failure::NotSent(SendError::RadioOff),
        ),
        (
            "the phone could not send the text: Android reported error 1234 (radio code 7); resend, and restart the phone if it keeps happening",
            Failure::NotSent(SendError::Other(
                "Android reported error 1234 (radio code 7); resend, and restart the phone if it keeps happening".into(),
            )),
        ),
        ("resolved_by_call", Failure::Cancelled(SkipReason::ResolvedByCall)),
        ("opted_out", Failure::Cancelled(SkipReason::OptedOut)),
        (
            "the caller was already in touch",
            Failure::Cancelled(SkipReason::InConversation),
        ),
    ] {
        assert_eq!(Failure::from_words(words), kind, "{words}");
    }
    // Every refusal and every fixed platform sentence of the earlier versions is known.
    for reason in RefusalReason::ALL {
        let words = match reason {
            RefusalReason::OptedOut => {
                "not sent: this number texted STOP; it can be texted again after it texts START"
                    .to_string()
            }
            other => other.describe(),
        };
        assert_eq!(Failure::from_words(&words), Failure::Refused(reason));
    }
    for error in [
        SendError::NoService,
        SendError::RadioOff,
        SendError::GenericFailure,
        SendError::LimitExceeded,
        SendError::NoSuchLine,
    ] {
        assert_eq!(
            Failure::from_words(&error.to_string()),
            Failure::NotSent(error)
        );
    }
}

/// "Expired" is a kind: words that merely start like an expiry are not one.
#[test]
fn an_expiry_needs_its_whole_sentence() {
    for words in [
        "expired",
        "expired: the SIM's plan ran out",
        "expired: this reply reached the phone more than many hours after it was written, so it was not sent; send it again if it still applies",
        "expired: this reply reached the phone more than 24 hours after it was written",
        "expired: this reply reached the phone more than -1 hours after it was written, so it was not sent; send it again if it still applies",
        "expired: this reply reached the phone more than 99999999999 hours after it was written, so it was not sent; send it again if it still applies",
    ] {
        assert_eq!(
            Failure::from_words(words),
            Failure::Other(words.to_string()),
            "{words}"
        );
    }
}

#[test]
fn platform_errors_keep_their_codes_and_their_words() {
    let radio = SendError::Radio {
        result: 1234,
        code: Some(7),
    };
    assert_eq!(
        radio.to_string(),
        "the phone could not send the text: Android reported error 1234 (radio code 7); resend, and restart the phone if it keeps happening"
    );
    let bare = SendError::Radio {
        result: 20,
        code: None,
    };
    assert!(bare.to_string().contains("error 20;"), "{bare}");
    assert_eq!(
        SendError::NotEncoded { code: Some(5) }.to_string(),
        "the phone could not send the text: Android could not encode the text (radio code 5)"
    );
}
