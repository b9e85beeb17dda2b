use super::*;
use proptest::prelude::*;

fn us() -> Region {
    Region::default()
}

fn gb() -> Region {
    Region::parse("GB").unwrap()
}

fn num(s: &str) -> PhoneNumber {
    PhoneNumber(s.to_owned())
}

#[test]
fn region_parse_is_case_insensitive_and_displays_upper() {
    assert_eq!(Region::parse("us").unwrap(), Region::default());
    assert_eq!(Region::parse(" gb ").unwrap().to_string(), "GB");
    assert_eq!("De".parse::<Region>().unwrap().to_string(), "DE");
    assert_eq!(Region::default().to_string(), "US");
}

#[test]
fn region_parse_rejects_unknown_codes_by_name() {
    for code in ["ZZ", "", "USA", "U", "1", "🇺🇸", "u\u{301}s"] {
        assert!(Region::parse(code).is_err(), "{code:?}");
    }
    let err = Region::parse("ZZ").unwrap_err();
    assert_eq!(
        err.to_string(),
        "“ZZ” is not a known country code; use a two-letter code such as US or GB"
    );
}

#[test]
fn us_formats_all_normalize() {
    for raw in [
        "(212) 555-0123",
        "212.555.0123",
        "212-555-0123",
        "2125550123",
        "1 212 555 0123",
        "1-212-555-0123",
        "+1 212 555 0123",
        "+1 (212) 555-0123",
        "0012125550123",
        "011 1 212 555 0123",
        "212/555/0123",
        "\u{00A0}212\u{00A0}555\u{00A0}0123 ",
        "\u{202A}+1 212-555-0123\u{202C}",
    ] {
        assert_eq!(
            PhoneNumber::parse(raw, us()).unwrap().as_str(),
            "+12125550123",
            "{raw:?}"
        );
        assert_eq!(classify(raw, us()), Sender::Number(num("+12125550123")));
    }
}

#[test]
fn fictional_but_well_formed_numbers_are_accepted() {
    assert_eq!(
        classify("+15555550123", us()),
        Sender::Number(num("+15555550123"))
    );
    assert_eq!(
        classify("555-555-0123", us()),
        Sender::Number(num("+15555550123"))
    );
}

#[test]
fn gb_national_and_international_forms() {
    assert_eq!(
        classify("020 7946 0958", gb()),
        Sender::Number(num("+442079460958"))
    );
    assert_eq!(
        classify("00 44 20 7946 0958", gb()),
        Sender::Number(num("+442079460958"))
    );
    assert_eq!(
        classify("+44 (0)20 7946 0958", us()),
        Sender::Number(num("+442079460958"))
    );
    assert_eq!(
        classify("011 44 20 7946 0958", us()),
        Sender::Number(num("+442079460958"))
    );
}

#[test]
fn withheld_values() {
    for raw in [
        "",
        "   ",
        "\n",
        "Private",
        "UNKNOWN",
        "anonymous",
        "Restricted",
        "withheld",
        "unavailable",
        "PayPhone",
        "-1",
        "-2",
        "-3",
        " -2 ",
    ] {
        assert_eq!(classify(raw, us()), Sender::Withheld, "{raw:?}");
    }
    assert_eq!(Sender::Withheld.display(), "Withheld");
    assert_eq!(Sender::Withheld.number(), None);
}

#[test]
fn alphanumeric_senders() {
    for raw in [
        "AMAZON",
        "MyBank",
        "VERIFY-ME",
        "Ünïcode",
        "Банк",
        "1-800-FLOWERS",
    ] {
        assert_eq!(
            classify(raw, us()),
            Sender::Alphanumeric(raw.to_owned()),
            "{raw:?}"
        );
    }
    assert_eq!(
        Sender::Alphanumeric("MyBank".to_owned()).display(),
        "MyBank"
    );
}

#[test]
fn short_codes() {
    for raw in ["22395", "737", "87654", "12345678", "22 395"] {
        assert_eq!(
            classify(raw, us()),
            Sender::ShortCode(raw.to_owned()),
            "{raw:?}"
        );
    }
    assert_eq!(Sender::ShortCode("22 395".to_owned()).display(), "22 395");
}

#[test]
fn invalid_inputs() {
    for raw in [
        "++--",
        "+",
        "12",
        "+22395",
        "12345678901234567890",
        "123456789",
        "+999 1234 5678",
        "*67",
        "#31#",
        "2125550123+",
        "😀",
        "\u{0007}",
    ] {
        assert_eq!(
            classify(raw, us()),
            Sender::Invalid(raw.to_owned()),
            "{raw:?}"
        );
    }
}

#[test]
fn sender_accessors() {
    let sender = classify("(212) 555-0123", us());
    assert_eq!(sender.number(), Some(&num("+12125550123")));
    assert_eq!(sender.display(), "+12125550123");
    assert_eq!(Sender::Invalid("++--".to_owned()).display(), "++--");
}

#[test]
fn parse_errors_read_as_sentences() {
    assert_eq!(
        PhoneNumber::parse("12ab", us()).unwrap_err().to_string(),
        "“12ab” is not a phone number: use only digits, spaces, dashes, dots or brackets, with an optional + at the start"
    );
    assert_eq!(PhoneNumber::parse("  ", us()), Err(NumberError::Empty));
    assert!(matches!(
        PhoneNumber::parse("12345", us()),
        Err(NumberError::TooShort { .. })
    ));
    assert!(matches!(
        PhoneNumber::parse("12345678901234567890", us()),
        Err(NumberError::TooLong { .. })
    ));
    assert!(matches!(
        PhoneNumber::parse("+999 1234 5678", us()),
        Err(NumberError::UnknownCountryCode { .. })
    ));
    assert!(matches!(
        PhoneNumber::parse("+44 20 7946 09", us()),
        Err(NumberError::WrongLength { .. })
    ));
    let long = "9".repeat(10_000);
    let message = PhoneNumber::parse(&long, us()).unwrap_err().to_string();
    assert!(message.len() < 300, "{message}");
}

#[test]
fn short_codes_are_not_phone_numbers() {
    assert!(PhoneNumber::parse("22395", us()).is_err());
}

#[test]
fn a_sender_in_logs_never_shows_a_whole_number() {
    assert_eq!(classify("+1 212 555 0123", us()).masked(), "+1•••••••23");
    assert_eq!(classify("", us()).masked(), "withheld");
    // Unusable input may still be someone's whole number: only its kind is shown.
    let invalid = classify("+1 212 555 01234567", us());
    assert!(matches!(invalid, Sender::Invalid(_)), "{invalid:?}");
    assert_eq!(invalid.masked(), "an unusable number");
}

#[test]
fn masked_keeps_country_code_and_last_two_digits() {
    assert_eq!(num("+12125550123").masked(), "+1•••••••23");
    assert_eq!(num("+442079460958").masked(), "+44•••••••58");
    let masked = PhoneNumber::parse("+290 2345", us()).unwrap().masked();
    assert_eq!(masked, "+290•••••••45");
}

#[test]
fn serde_is_a_plain_validated_string() {
    let n = num("+12125550123");
    assert_eq!(serde_json::to_string(&n).unwrap(), "\"+12125550123\"");
    let back: PhoneNumber = serde_json::from_str("\"+12125550123\"").unwrap();
    assert_eq!(back, n);
    for bad in [
        "\"2125550123\"",
        "\"+1 212 555 0123\"",
        "\"+1212\"",
        "\"+4402079460958\"",
        "\"\"",
        "12125550123",
    ] {
        assert!(serde_json::from_str::<PhoneNumber>(bad).is_err(), "{bad}");
    }
}

#[test]
fn hostile_strings_never_panic() {
    let long = "😀".repeat(10_000);
    let digits = "1".repeat(10_000);
    let inputs = [
        long.as_str(),
        digits.as_str(),
        "\u{0000}\u{0001}\u{001B}",
        "+\u{FF0B}1",
        "tel:+1;phone-context=é",
        "+;phone-context=",
        "٠١٢٣٤٥٦٧٨٩",
        "１２１２５５５０１２３",
        "0",
        "00",
        "000",
        "011",
        "0000000000000",
        "+0",
        "+00000000",
    ];
    for raw in inputs {
        for region in [us(), gb(), Region::parse("AU").unwrap()] {
            let _ = classify(raw, region);
            let _ = PhoneNumber::parse(raw, region);
        }
    }
}

fn regions() -> impl Strategy<Value = Region> {
    prop::sample::select(vec![
        "US", "GB", "DE", "FR", "IT", "AU", "IN", "BR", "JP", "RU",
    ])
    .prop_map(|code| Region::parse(code).unwrap())
}

proptest! {
    #[test]
    fn classify_never_panics(raw in any::<String>(), region in regions()) {
        let _ = classify(&raw, region);
    }

    #[test]
    fn classify_is_idempotent(
        raw in "\\+?[0-9 ()-]{3,20}",
        first in regions(),
        second in regions(),
    ) {
        if let Sender::Number(n) = classify(&raw, first) {
            prop_assert!(n.as_str().starts_with('+'));
            prop_assert!(n.as_str()[1..].bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(classify(n.as_str(), second), Sender::Number(n.clone()));
            let json = serde_json::to_string(&n).unwrap();
            prop_assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), n);
        }
    }

    #[test]
    fn well_formed_nanp_numbers_are_accepted_and_idempotent(
        area in "[2-9][0-9]{2}",
        line in "[2-9][0-9]{6}",
        region in regions(),
    ) {
        let expected = format!("+1{area}{line}");
        let n = PhoneNumber::parse(&format!("({area}) {}-{}", &line[..3], &line[3..]), Region::default()).unwrap();
        prop_assert_eq!(n.as_str(), expected.as_str());
        prop_assert_eq!(classify(n.as_str(), region), Sender::Number(n.clone()));
    }

    #[test]
    fn e164_inputs_are_idempotent(raw in "\\+[1-9][0-9]{6,14}", region in regions()) {
        if let Sender::Number(n) = classify(&raw, region) {
            prop_assert_eq!(classify(n.as_str(), Region::default()), Sender::Number(n.clone()));
        }
    }
}
