//! Phone numbers: E.164 normalisation with the `phonenumber` crate, and the classification
//! of whatever a platform reports as a caller or sender.

use std::fmt;
use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A country whose national format is used to read numbers without a country code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(Id);

impl Default for Region {
    fn default() -> Self {
        Region(Id::US)
    }
}

impl Region {
    /// Parses an ISO 3166 alpha-2 code, case-insensitively ("US", "gb").
    pub fn parse(code: &str) -> Result<Region, NumberError> {
        let upper = code.trim().to_ascii_uppercase();
        if upper.len() != 2 {
            return Err(NumberError::UnknownRegion(code.to_string()));
        }
        Id::from_str(&upper)
            .map(Region)
            .map_err(|_| NumberError::UnknownRegion(code.to_string()))
    }
}

impl FromStr for Region {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::parse(s)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref())
    }
}

/// Why a text is not a usable phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// The region code is unknown.
    #[error("“{0}” is not a known country code; use a two-letter code such as US or GB")]
    UnknownRegion(String),
    /// The text is not a number a text message can go to.
    #[error(
        "“{0}” is not a phone number a text can go to; write it with its area code, such as (212) 555-0123 or +44 20 7946 0958"
    )]
    NotANumber(String),
}

/// A phone number in E.164 form ("+12125550123").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a number as a person or a platform wrote it, reading national formats in `region`.
    pub fn parse(raw: &str, region: Region) -> Result<PhoneNumber, NumberError> {
        match classify(raw, region) {
            Sender::Number(n) => Ok(n),
            _ => Err(NumberError::NotANumber(shorten(raw))),
        }
    }

    /// The E.164 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but its country code and last two digits hidden, for logs.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let code_len = phonenumber::parse(None, &self.0)
            .map(|n| n.code().value().to_string().len())
            .unwrap_or(1)
            .min(digits.len());
        let tail = digits.len().saturating_sub(2).max(code_len);
        format!(
            "+{}{}{}",
            &digits[..code_len],
            "•".repeat(tail - code_len),
            &digits[tail..]
        )
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if !text.starts_with('+') {
            return Err(serde::de::Error::custom(format!(
                "“{text}” is not in E.164 form"
            )));
        }
        PhoneNumber::parse(&text, Region::default()).map_err(serde::de::Error::custom)
    }
}

/// What a platform reported as the other party, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// A number a text can go to.
    Number(PhoneNumber),
    /// The caller hid their number.
    Withheld,
    /// A short code (a few digits, used by services).
    ShortCode(String),
    /// A name instead of a number ("AMAZON").
    Alphanumeric(String),
    /// Something that is not a possible number.
    Invalid(String),
}

impl Sender {
    /// The number, when it is one.
    pub fn number(&self) -> Option<&PhoneNumber> {
        match self {
            Sender::Number(n) => Some(n),
            _ => None,
        }
    }

    /// How outcomes name this party: E.164 for numbers, else `raw`, the input as given.
    pub fn shown(&self, raw: &str) -> String {
        match self {
            Sender::Number(n) => n.0.clone(),
            _ => raw.to_string(),
        }
    }
}

/// What platforms put in place of a hidden caller's number.
const WITHHELD: [&str; 10] = [
    "private",
    "unknown",
    "anonymous",
    "restricted",
    "withheld",
    "unavailable",
    "payphone",
    "-1",
    "-2",
    "-3",
];

/// The longest input worth parsing: E.164 has at most 15 digits, formatting adds some.
const MAX_INPUT: usize = 64;

fn shorten(raw: &str) -> String {
    let mut s: String = raw.chars().take(40).collect();
    if raw.chars().count() > 40 {
        s.push('…');
    }
    s
}

/// Classifies a caller or sender as reported, reading national numbers in `region`.
///
/// A number is accepted when it parses and its length is possible for its country
/// (libphonenumber's "possible" notion), not only when it falls in an assigned range:
/// fictional 555 numbers and brand-new ranges must still get their text.
pub fn classify(raw: &str, region: Region) -> Sender {
    let trimmed = raw.trim();
    if trimmed.is_empty() || WITHHELD.iter().any(|w| trimmed.eq_ignore_ascii_case(w)) {
        return Sender::Withheld;
    }
    if trimmed.chars().any(char::is_alphabetic) {
        return Sender::Alphanumeric(trimmed.to_string());
    }
    let mut compact: String = trimmed
        .chars()
        .filter(|c| {
            !matches!(
                c,
                ' ' | '-'
                    | '.'
                    | '('
                    | ')'
                    | '/'
                    | '\u{a0}'
                    | '\u{2009}'
                    | '\u{202f}'
                    | '\u{2010}'
                    | '\u{2011}'
                    | '\u{2012}'
                    | '\u{2013}'
            )
        })
        .collect();
    if let Some(rest) = compact.strip_prefix("00") {
        compact = format!("+{rest}");
    }
    let (plus, digits) = match compact.strip_prefix('+') {
        Some(d) => (true, d),
        None => (false, compact.as_str()),
    };
    if digits.is_empty() || digits.len() > MAX_INPUT || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Sender::Invalid(trimmed.to_string());
    }
    if let Some(number) = possible_number(&compact, region) {
        return Sender::Number(number);
    }
    if !plus && (3..=8).contains(&digits.len()) {
        return Sender::ShortCode(digits.to_string());
    }
    Sender::Invalid(trimmed.to_string())
}

fn possible_number(compact: &str, region: Region) -> Option<PhoneNumber> {
    let parsed = phonenumber::parse(Some(region.0), compact).ok()?;
    // A number outside every assigned range of its country (fictional 555 numbers) has no
    // region of its own; judge its length by the main country of its calling code.
    let meta = match parsed.metadata(&DATABASE) {
        Some(meta) => meta,
        None => {
            let code = parsed.code().value();
            let all = DATABASE.by_code(&code)?;
            all.iter()
                .find(|m| m.is_main_country_for_code())
                .or(all.first())
                .copied()?
        }
    };
    let national = parsed.national().to_string();
    let len = u16::try_from(national.len()).ok()?;
    // The crate's metadata keeps possible lengths on each number type, not on the general
    // descriptor, so a length is possible when some kind of subscriber number has it.
    let d = meta.descriptors();
    let kinds = [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ];
    let possible = kinds
        .iter()
        .flatten()
        .any(|k| k.possible_length().contains(&len))
        || d.general().possible_length().contains(&len);
    if !possible {
        return None;
    }
    let e164 = format!("+{}{}", parsed.code().value(), national);
    (e164.len() <= 16).then_some(PhoneNumber(e164))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn us(raw: &str) -> Sender {
        classify(raw, Region::default())
    }

    fn e164(raw: &str, region: &str) -> String {
        PhoneNumber::parse(raw, Region::parse(region).expect("region"))
            .expect(raw)
            .as_str()
            .to_string()
    }

    #[test]
    fn national_formats_become_e164() {
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
            " 212 555 0123 ",
        ] {
            assert_eq!(e164(raw, "US"), "+12125550123", "{raw}");
        }
        assert_eq!(e164("+15555550123", "US"), "+15555550123");
        assert_eq!(e164("020 7946 0958", "GB"), "+442079460958");
        assert_eq!(e164("+44 20 7946 0958", "US"), "+442079460958");
        assert_eq!(e164("(416) 555-0199", "ca"), "+14165550199");
    }

    #[test]
    fn withheld_short_codes_and_names() {
        for raw in [
            "",
            "  ",
            "Private",
            "UNKNOWN",
            "anonymous",
            "restricted",
            "-2",
        ] {
            assert_eq!(us(raw), Sender::Withheld, "{raw:?}");
        }
        assert_eq!(us("22395"), Sender::ShortCode("22395".into()));
        assert_eq!(us("737"), Sender::ShortCode("737".into()));
        assert!(matches!(us("AMAZON"), Sender::Alphanumeric(_)));
        assert!(matches!(us("VERIFY-ME"), Sender::Alphanumeric(_)));
        assert!(matches!(us("Ünïcode"), Sender::Alphanumeric(_)));
        for bad in [
            "++--",
            "12345678901234567890",
            "+1 212",
            "+999 1234567",
            "1234567890123456789012345678901234567890123456789012345678901234567890",
            "💧",
            "+",
        ] {
            assert!(
                matches!(us(bad), Sender::Invalid(_)),
                "{bad} → {:?}",
                us(bad)
            );
        }
        assert_eq!(us(" Private ").shown(" Private "), " Private ");
        assert_eq!(us("(212) 555-0123").shown("(212) 555-0123"), "+12125550123");
    }

    #[test]
    fn regions() {
        assert_eq!(Region::parse("gb").expect("gb").to_string(), "GB");
        assert!(Region::parse("ZZ").is_err());
        assert!(Region::parse("").is_err());
        assert!(Region::parse("USA").is_err());
    }

    #[test]
    fn masked_keeps_country_code_and_last_two_digits() {
        let n = PhoneNumber::parse("+12125550123", Region::default()).expect("n");
        assert_eq!(n.masked(), "+1••••••••23");
        let n = PhoneNumber::parse("+442079460958", Region::default()).expect("n");
        assert_eq!(n.masked(), "+44••••••••58");
    }

    #[test]
    fn serde_is_a_plain_string() {
        let n = PhoneNumber::parse("212 555 0123", Region::default()).expect("n");
        assert_eq!(serde_json::to_string(&n).expect("ser"), "\"+12125550123\"");
        let back: PhoneNumber = serde_json::from_str("\"+12125550123\"").expect("de");
        assert_eq!(back, n);
        assert!(serde_json::from_str::<PhoneNumber>("\"2125550123\"").is_err());
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(raw in "[ +()0-9.-]{0,20}", region in prop::sample::select(vec!["US", "GB", "CA", "DE", "FR", "AU", "IN", "BR"])) {
            let region = Region::parse(region).expect("region");
            if let Sender::Number(n) = classify(&raw, region) {
                // Once E.164, a number reads the same in every region.
                for other in ["US", "GB", "JP"] {
                    prop_assert_eq!(classify(n.as_str(), Region::parse(other).expect("r")), Sender::Number(n.clone()));
                }
            }
        }

        #[test]
        fn us_numbers_in_any_format(area in 201u32..990, exchange in 200u32..999, line in 0u32..10000, style in 0usize..5) {
            let raw = match style {
                0 => format!("({area}) {exchange}-{line:04}"),
                1 => format!("{area}.{exchange}.{line:04}"),
                2 => format!("1 {area} {exchange} {line:04}"),
                3 => format!("+1{area}{exchange}{line:04}"),
                _ => format!("{area}-{exchange}-{line:04}"),
            };
            if let Sender::Number(n) = us(&raw) {
                prop_assert_eq!(n.as_str(), format!("+1{area}{exchange}{line:04}"));
            }
        }

        #[test]
        fn never_panics(raw in "\\PC{0,80}") {
            let _ = classify(&raw, Region::default());
        }
    }
}
