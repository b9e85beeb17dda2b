//! E.164 phone numbers and classification of caller/sender strings.

use std::fmt;
use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The most digits any dialled form can carry: a 4-digit international prefix
/// (Australia's "0011") plus the 15 digits E.164 allows. Longer input is
/// rejected before it reaches the parser.
const MAX_DIAL_DIGITS: usize = 19;

/// Errors are shown to users, so the input they quote is shortened to this.
const MAX_QUOTED_CHARS: usize = 40;

/// Fixed run of bullets in masked numbers, so the mask does not leak the length.
const MASK: &str = "•••••••";

/// Why a phone number or country code was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// The country code is not a known ISO 3166 alpha-2 code.
    #[error("“{code}” is not a known country code; use a two-letter code such as US or GB")]
    UnknownRegion {
        /// The code as given (shortened if very long).
        code: String,
    },
    /// Nothing but blanks was given.
    #[error("No phone number was given; enter the number including its area code")]
    Empty,
    /// The input contains characters that never appear in a phone number.
    #[error(
        "“{input}” is not a phone number: use only digits, spaces, dashes, dots or brackets, with an optional + at the start"
    )]
    NotANumber {
        /// The input as given (shortened if very long).
        input: String,
    },
    /// Too few digits for any number in that country.
    #[error(
        "“{input}” is not a phone number: it is too short; include the area code, or + and the country code for a number abroad"
    )]
    TooShort {
        /// The input as given (shortened if very long).
        input: String,
    },
    /// Too many digits for any number in that country.
    #[error("“{input}” is not a phone number: it has too many digits; check it for extra digits")]
    TooLong {
        /// The input as given (shortened if very long).
        input: String,
    },
    /// The digits after the international prefix are not a country calling code.
    #[error(
        "“{input}” is not a phone number: it does not start with a country code that is in use; check the digits after the + or 00"
    )]
    UnknownCountryCode {
        /// The input as given (shortened if very long).
        input: String,
    },
    /// The digit count falls between lengths used in that country.
    #[error(
        "“{input}” is not a phone number: it has the wrong number of digits for its country; check for missing or extra digits"
    )]
    WrongLength {
        /// The input as given (shortened if very long).
        input: String,
    },
}

/// The country whose national dialling rules apply to numbers written without "+".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(Id);

impl Region {
    /// Parses an ISO 3166 alpha-2 code such as "US" or "gb" (case-insensitive).
    pub fn parse(code: &str) -> Result<Region, NumberError> {
        let unknown = || NumberError::UnknownRegion { code: quoted(code) };
        let trimmed = code.trim();
        if trimmed.len() != 2 || !trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(unknown());
        }
        let upper = trimmed.to_ascii_uppercase();
        let id = Id::from_str(&upper).map_err(|_| unknown())?;
        // The parser looks the region up by id and panics if it is missing, so
        // only regions with metadata are allowed to exist.
        if DATABASE.by_id(id.as_ref()).is_none() {
            return Err(unknown());
        }
        Ok(Region(id))
    }
}

impl FromStr for Region {
    type Err = NumberError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Region::parse(code)
    }
}

impl Default for Region {
    fn default() -> Self {
        Region(Id::US)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref())
    }
}

/// A phone number in E.164 form, e.g. "+12125550123".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a number as typed or reported, using `region` for national formats.
    pub fn parse(raw: &str, region: Region) -> Result<PhoneNumber, NumberError> {
        canonicalize(raw, region)
    }

    /// The E.164 string, e.g. "+12125550123".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country code and last two digits only, e.g. "+1•••••••23", for logs.
    pub fn masked(&self) -> String {
        let digits = self.0.strip_prefix('+').unwrap_or(&self.0);
        let code_len = country_code_len(digits);
        let code = digits.get(..code_len).unwrap_or("");
        let tail = digits
            .len()
            .checked_sub(2)
            .filter(|&start| start >= code_len)
            .and_then(|start| digits.get(start..))
            .unwrap_or("");
        format!("+{code}{MASK}{tail}")
    }
}

/// What a number costs to text, as far as its digits tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberCost {
    /// An ordinary line: mobile, landline, toll-free, VoIP.
    Standard,
    /// A premium-rate or shared-cost line: texting it costs the sender extra.
    Premium,
}

/// Where a number is and what it costs, from the numbering plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInfo {
    /// The country whose numbering plan the number belongs to (`None` for numbers of no
    /// country, such as satellite or international networks).
    pub region: Option<Region>,
    /// What it costs.
    pub cost: NumberCost,
}

impl PhoneNumber {
    /// The number's country and cost. Countries sharing a calling code are told apart by
    /// the digits (+1 876 is Jamaica, not the United States).
    pub fn line_info(&self) -> LineInfo {
        let foreign = LineInfo {
            region: None,
            cost: NumberCost::Standard,
        };
        // Only parsed numbers are ever made; should one not parse, treat it as foreign.
        let Ok(parsed) = phonenumber::parse(None, &self.0) else {
            return foreign;
        };
        // One look-up of the number's metadata, then only the descriptors that decide what
        // it costs (in the library's order: premium rate, then toll free, then shared cost);
        // `number_type` would look the metadata up again and try every other kind too, and
        // this runs for every call and text the engine decides about.
        let Some(meta) = parsed.metadata(&DATABASE) else {
            return foreign;
        };
        let national = parsed.national().value().to_string();
        let matches = |d: Option<&phonenumber::metadata::Descriptor>| {
            d.is_some_and(|d| d.is_match(&national))
        };
        let valid = meta.descriptors().general().is_match(&national);
        let cost = if valid
            && (matches(meta.descriptors().premium_rate())
                || (!matches(meta.descriptors().toll_free())
                    && matches(meta.descriptors().shared_cost())))
        {
            NumberCost::Premium
        } else {
            NumberCost::Standard
        };
        LineInfo {
            region: meta.id().parse().ok().map(Region),
            cost,
        }
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        let e164_shape = raw
            .strip_prefix('+')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        if !e164_shape {
            return Err(serde::de::Error::custom(format!(
                "“{}” is not a phone number in international form; write it as + and the country code followed by digits only, such as +12125550123",
                quoted(&raw)
            )));
        }
        // The leading "+" makes the region irrelevant, so any region gives the same result.
        let number = canonicalize(&raw, Region::default()).map_err(serde::de::Error::custom)?;
        if number.0 != raw {
            return Err(serde::de::Error::custom(format!(
                "“{}” is not written the standard way; use {}",
                quoted(&raw),
                number
            )));
        }
        Ok(number)
    }
}

/// What a caller ID or sender string turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Sender {
    /// A real, textable phone number.
    Number(PhoneNumber),
    /// The caller hid their number, or the network did not pass it on.
    Withheld,
    /// A 3–8 digit service number (carries the raw input as given).
    ShortCode(String),
    /// A name such as "AMAZON" instead of a number; never texted (raw input as given).
    Alphanumeric(String),
    /// Anything that is not a usable number (raw input as given).
    Invalid(String),
}

impl Sender {
    /// The phone number, when the sender is one.
    pub fn number(&self) -> Option<&PhoneNumber> {
        match self {
            Sender::Number(number) => Some(number),
            _ => None,
        }
    }

    /// How outcomes name this party: E.164 for numbers, else `raw`, the input as given.
    pub fn shown(&self, raw: &str) -> String {
        match self {
            Sender::Number(n) => n.to_string(),
            _ => raw.to_string(),
        }
    }

    /// What logs may show of the sender: a number masked ([`PhoneNumber::masked`]), else
    /// only its kind (the raw input of an unusable number may be a whole number).
    pub fn masked(&self) -> String {
        match self {
            Sender::Number(number) => number.masked(),
            Sender::Withheld => "withheld".to_owned(),
            Sender::ShortCode(_) => "a short code".to_owned(),
            Sender::Alphanumeric(_) => "a named sender".to_owned(),
            Sender::Invalid(_) => "an unusable number".to_owned(),
        }
    }

    /// E.164 for numbers, else the input as given ("Withheld" for a hidden caller).
    pub fn display(&self) -> String {
        match self {
            Sender::Number(number) => number.to_string(),
            // Withheld carries no input; this label is what people know it as.
            Sender::Withheld => "Withheld".to_owned(),
            Sender::ShortCode(raw) | Sender::Alphanumeric(raw) | Sender::Invalid(raw) => {
                raw.clone()
            }
        }
    }
}

/// Classifies what a platform reported as caller/sender, or what a user typed.
pub fn classify(raw: &str, region: Region) -> Sender {
    if is_withheld(raw) {
        return Sender::Withheld;
    }
    if raw.chars().any(char::is_alphabetic) {
        return Sender::Alphanumeric(raw.to_owned());
    }
    if let Ok(number) = canonicalize(raw, region) {
        return Sender::Number(number);
    }
    match strip_formatting(raw) {
        Some(dial) if !dial.plus && (3..=8).contains(&dial.digits.len()) => {
            Sender::ShortCode(raw.to_owned())
        }
        _ => Sender::Invalid(raw.to_owned()),
    }
}

fn is_withheld(raw: &str) -> bool {
    const WORDS: [&str; 10] = [
        "private",
        "unknown",
        "anonymous",
        "restricted",
        "withheld",
        "unavailable",
        "payphone",
        // Android's CallLog presentation sentinels.
        "-1",
        "-2",
        "-3",
    ];
    let trimmed = raw.trim();
    trimmed.is_empty() || WORDS.iter().any(|w| trimmed.eq_ignore_ascii_case(w))
}

/// A dial string reduced to an optional leading "+" and ASCII digits.
struct Dial {
    plus: bool,
    digits: String,
}

/// Formatting characters people and platforms put in numbers. Android wraps
/// numbers in bidi marks for right-to-left locales, so those count too.
fn is_formatting(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '.'
                | '('
                | ')'
                | '/'
                | '\u{2010}'..='\u{2015}'
                | '\u{2212}'
                | '\u{00AD}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Returns `None` when anything other than formatting, digits and a single
/// leading "+" is present.
fn strip_formatting(raw: &str) -> Option<Dial> {
    let mut plus = false;
    let mut digits = String::new();
    for c in raw.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c == '+' && !plus && digits.is_empty() {
            plus = true;
        } else if !is_formatting(c) {
            return None;
        }
    }
    Some(Dial { plus, digits })
}

/// Shortens user input for quoting in an error message.
fn quoted(input: &str) -> String {
    if input.chars().count() <= MAX_QUOTED_CHARS {
        input.to_owned()
    } else {
        let mut short: String = input.chars().take(MAX_QUOTED_CHARS).collect();
        short.push('…');
        short
    }
}

/// Country calling codes are prefix-free, so the first known prefix is the code.
fn country_code_len(digits: &str) -> usize {
    (1..=3)
        .find(|&len| {
            digits
                .get(..len)
                .and_then(|p| p.parse::<u16>().ok())
                .is_some_and(|code| DATABASE.by_code(&code).is_some())
        })
        .unwrap_or(0)
}

fn canonicalize(raw: &str, region: Region) -> Result<PhoneNumber, NumberError> {
    let input = || quoted(raw);
    if raw.trim().is_empty() {
        return Err(NumberError::Empty);
    }
    let dial = strip_formatting(raw).ok_or_else(|| NumberError::NotANumber { input: input() })?;
    if dial.digits.is_empty() {
        return Err(NumberError::NotANumber { input: input() });
    }
    if dial.digits.len() > MAX_DIAL_DIGITS {
        return Err(NumberError::TooLong { input: input() });
    }

    let result = if dial.plus {
        parse_international(&dial.digits)
    } else if let Some(rest) = strip_region_idd(&dial.digits, region) {
        // Handled here rather than by the parser: given a region, the parser
        // applies that region's national prefix to the foreign number.
        parse_international(rest)
    } else {
        match parse_national(&dial.digits, region) {
            Ok(number) => Ok(number),
            // "00" is the international prefix almost everywhere and "011" in
            // North America; people use them even where the region's own differs.
            Err(national_err) => match ["00", "011"]
                .iter()
                .find_map(|idd| dial.digits.strip_prefix(idd))
            {
                Some(rest) => parse_international(rest),
                None => Err(national_err),
            },
        }
    };

    result.map_err(|reason| reason.into_error(input()))
}

/// Why the digits are not a number, before the user's input is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    TooShort,
    TooLong,
    UnknownCountryCode,
    WrongLength,
}

impl Reason {
    fn into_error(self, input: String) -> NumberError {
        match self {
            Reason::TooShort => NumberError::TooShort { input },
            Reason::TooLong => NumberError::TooLong { input },
            Reason::UnknownCountryCode => NumberError::UnknownCountryCode { input },
            Reason::WrongLength => NumberError::WrongLength { input },
        }
    }
}

fn strip_region_idd(digits: &str, region: Region) -> Option<&str> {
    let idd = DATABASE.by_id(region.0.as_ref())?.international_prefix()?;
    let found = idd.find(digits)?;
    let rest = digits.get(found.end()..)?;
    // A country code never starts with 0, so this cannot be an international prefix.
    (found.start() == 0 && !rest.starts_with('0')).then_some(rest)
}

fn parse_international(digits: &str) -> Result<PhoneNumber, Reason> {
    let e164 = to_possible_e164(phonenumber::parse(None, format!("+{digits}")))?;
    // Accept only fixed points of parsing, so an accepted number re-parses to itself.
    let again = to_possible_e164(phonenumber::parse(None, &e164))?;
    if again == e164 {
        Ok(PhoneNumber(e164))
    } else {
        Err(Reason::WrongLength)
    }
}

fn parse_national(digits: &str, region: Region) -> Result<PhoneNumber, Reason> {
    let e164 = to_possible_e164(phonenumber::parse(Some(region.0), digits))?;
    // The E.164 form must itself be accepted, or classify would not be idempotent.
    parse_international(e164.strip_prefix('+').unwrap_or(&e164))
}

fn to_possible_e164(
    parsed: Result<phonenumber::PhoneNumber, phonenumber::ParseError>,
) -> Result<String, Reason> {
    use phonenumber::ParseError;
    let number = parsed.map_err(|err| match err {
        ParseError::InvalidCountryCode => Reason::UnknownCountryCode,
        ParseError::TooLong | ParseError::MalformedInteger(_) => Reason::TooLong,
        ParseError::NoNumber | ParseError::TooShortAfterIdd | ParseError::TooShortNsn => {
            Reason::TooShort
        }
    })?;
    let code = number.code().value();
    let national = number.national().to_string();
    check_possible_length(code, national.len())?;
    Ok(format!("+{code}{national}"))
}

/// "Possible" in libphonenumber's sense: the national number's length is one
/// the country uses. phonenumber 0.3.10 has no public possible-number check
/// (its `validator::length` is private) and leaves every general descriptor's
/// `possible_length` empty, so the lengths are gathered from the per-type
/// descriptors, as libphonenumber does when it builds its general descriptor.
/// `is_valid` is deliberately not used: it checks assignment ranges and
/// rejects fictional numbers such as +15555550123 that tests and people use.
/// Lengths that are dialable only locally (possible_local_length) are not
/// accepted, because without the area code the E.164 form would be wrong.
fn check_possible_length(code: u16, national_len: usize) -> Result<(), Reason> {
    // Like libphonenumber, a shared calling code is judged by its main region
    // (the US for +1, GB for +44). Merging all its regions would be too loose:
    // Canada's 7-digit UAN numbers would make any "+1" and 7 digits possible.
    // The database lists the main region first.
    let main = DATABASE
        .by_code(&code)
        .and_then(|regions| regions.first().copied())
        .ok_or(Reason::UnknownCountryCode)?;
    let d = main.descriptors();
    let mut lengths: Vec<usize> = [
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
    ]
    .into_iter()
    .flatten()
    .flat_map(|desc| desc.possible_length().iter().map(|&len| usize::from(len)))
    .collect();
    lengths.sort_unstable();
    lengths.dedup();
    match (lengths.first(), lengths.last()) {
        (Some(_), Some(_)) if lengths.contains(&national_len) => Ok(()),
        (Some(&min), _) if national_len < min => Err(Reason::TooShort),
        (_, Some(&max)) if national_len > max => Err(Reason::TooLong),
        (Some(_), Some(_)) => Err(Reason::WrongLength),
        _ => Err(Reason::UnknownCountryCode),
    }
}

#[cfg(test)]
// Tests unwrap freely: a panic there is a test failure, which is the point.
#[allow(clippy::unwrap_used)]
mod tests;
