use jiff::Timestamp;

use super::*;
use crate::phone::{PhoneNumber, Region};

fn t(s: &str) -> Timestamp {
    s.parse().expect("instant")
}

fn us() -> Limits {
    Limits {
        region: Region::parse("US").expect("US"),
        allowed_countries: Vec::new(),
        parts_per_window: 25,
        replies_per_hour: 60,
    }
}

fn number(e164: &str) -> PhoneNumber {
    PhoneNumber::parse(e164, Region::default()).expect("number")
}

#[test]
fn numbers_of_the_business_country_pass() {
    assert_eq!(check_recipient(&us(), &number("+12125550123")), Ok(()));
    // Toll-free numbers take texts and cost the sender nothing extra.
    assert_eq!(check_recipient(&us(), &number("+18005550199")), Ok(()));
}

#[test]
fn another_country_is_refused_unless_allowed_even_under_the_same_calling_code() {
    // Jamaica and Canada share +1 with the United States: the digits tell them apart.
    for foreign in [
        "+18765550123",
        "+14165550123",
        "+442079460123",
        "+33142685300",
    ] {
        assert_eq!(
            check_recipient(&us(), &number(foreign)),
            Err(RefusalReason::International),
            "{foreign}"
        );
    }
    let mut limits = us();
    limits.allowed_countries = vec![Region::parse("CA").expect("CA")];
    assert_eq!(check_recipient(&limits, &number("+14165550123")), Ok(()));
    assert_eq!(
        check_recipient(&limits, &number("+18765550123")),
        Err(RefusalReason::International)
    );
}

#[test]
fn premium_rate_numbers_are_refused_even_in_an_allowed_country() {
    // US 900 numbers and UK 09 numbers are premium rate.
    assert_eq!(
        check_recipient(&us(), &number("+19005550123")),
        Err(RefusalReason::PremiumRate)
    );
    let mut limits = us();
    limits.allowed_countries = vec![Region::parse("GB").expect("GB")];
    assert_eq!(
        check_recipient(&limits, &number("+449098790000")),
        Err(RefusalReason::PremiumRate)
    );
}

#[test]
fn bodies_are_counted_in_parts_and_capped() {
    assert_eq!(check_body("Hi"), Ok(1));
    assert_eq!(check_body("   "), Err(RefusalReason::EmptyBody));
    assert_eq!(check_body(&"a".repeat(153 * MAX_PARTS)), Ok(MAX_PARTS));
    assert_eq!(
        check_body(&"a".repeat(153 * MAX_PARTS + 1)),
        Err(RefusalReason::TooLong)
    );
    // Emoji need UCS-2: 67 units a part, two units each.
    assert_eq!(
        check_body(&"😀".repeat(67 * MAX_PARTS / 2 + 1)),
        Err(RefusalReason::TooLong)
    );
}

#[test]
fn the_volume_window_counts_parts_not_texts() {
    let now = t("2026-11-02T15:00:00Z");
    let recent = [
        (t("2026-11-02T14:40:00Z"), 3),
        (t("2026-11-02T14:45:00Z"), 1),
        (t("2026-11-02T14:50:00Z"), 1),
    ];
    // Five parts used of six: a one-part text fits, a two-part text waits for the
    // three-part text to leave the window.
    assert_eq!(volume_slot(now, &recent, 6, 1), now);
    assert_eq!(volume_slot(now, &recent, 6, 2), t("2026-11-02T15:10:00Z"));
    // A text larger than the whole window goes alone once the window is empty.
    assert_eq!(volume_slot(now, &recent, 6, 9), t("2026-11-02T15:20:00Z"));
    // A text that left exactly 30 minutes ago no longer counts.
    let edge = [(t("2026-11-02T14:30:00Z"), 6)];
    assert_eq!(volume_slot(now, &edge, 6, 1), now);
}

#[test]
fn a_desktop_budget_frees_an_hour_after_each_reply() {
    let now = t("2026-11-02T15:00:00Z");
    let recent = [
        t("2026-11-02T14:10:00Z"),
        t("2026-11-02T14:20:00Z"),
        t("2026-11-02T14:30:00Z"),
    ];
    assert_eq!(budget_slot(now, &recent, 4), now);
    assert_eq!(budget_slot(now, &recent, 3), t("2026-11-02T15:10:00Z"));
    assert_eq!(budget_slot(now, &recent, 2), t("2026-11-02T15:20:00Z"));
}

#[test]
fn every_reason_has_a_name_that_parses_back_and_words() {
    for r in RefusalReason::ALL {
        assert_eq!(RefusalReason::from_name(r.as_str()), Some(r));
        assert!(r.describe().starts_with("not sent"));
    }
    for r in HoldReason::ALL {
        assert_eq!(HoldReason::from_name(r.as_str()), Some(r));
        assert!(r.describe().starts_with("held"));
    }
}
