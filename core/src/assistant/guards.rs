// Over 600 lines, one concept: reply guards sharing one reader of the text.
//! What a reply may say, checked against the owner's own words (issue 13): amounts of money
//! only as the price notes write them, promises ("free", "guarantee", "discount"…) only
//! where the settings make them, and links, e-mail addresses and phone numbers only those
//! the settings hold. Every check reads the text through [`fold`], so full-width digits,
//! invisible characters or "example dot com" do not walk around it.
//!
//! A refusal is cheap (the conversation goes to the team) and a wrong yes is not (the
//! owner's number says it), so where a reading is ambiguous the checks refuse.

use std::collections::HashSet;

use super::Facts;

/// The text as the checks read it: lower case, full-width forms as ASCII, invisible
/// characters dropped, curly apostrophes straight, dashes as `-`, and the usual
/// disguises of links ("[dot]", "(at)", " dot com") undone.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' | '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => ' ',
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' => '\'',
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' => '-',
            '\u{FE69}' => '$',
            '\u{FE6B}' => '@',
            '\u{2024}' | '\u{FE52}' => '.',
            c if invisible(c) => continue,
            c => c,
        };
        out.extend(c.to_lowercase());
    }
    for (disguise, plain) in [
        ("[dot]", "."),
        ("(dot)", "."),
        ("{dot}", "."),
        ("[.]", "."),
        ("(.)", "."),
        ("[at]", "@"),
        ("(at)", "@"),
        ("{at}", "@"),
    ] {
        if out.contains(disguise) {
            out = out.replace(disguise, plain);
        }
    }
    // " dot com", "evil . com": only before a common ending that ends a word, so "put a
    // dot on it" and "Thanks. Come in" stay prose.
    for tld in [
        "com", "net", "org", "co", "io", "ly", "uk", "us", "info", "biz", "me", "app", "xyz",
    ] {
        for spoken in [" dot ", " . ", " .", ". "] {
            out = join_spoken_dot(&out, spoken, tld);
        }
    }
    out
}

/// `text` with every `spoken` + `tld` that ends a word written as `.` + `tld`.
fn join_spoken_dot(text: &str, spoken: &str, tld: &str) -> String {
    let pattern = format!("{spoken}{tld}");
    if !text.contains(&pattern) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&pattern) {
        let after = &rest[at + pattern.len()..];
        let ends_word = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..at]);
        if ends_word {
            out.push('.');
            out.push_str(tld);
        } else {
            out.push_str(&pattern);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Characters that show as nothing and could split a word or a number.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

// ---------------------------------------------------------------------------------------
// Money

/// Currency signs written before (or after) an amount.
const SIGNS: [char; 5] = ['$', '£', '€', '¥', '₹'];
/// Currency codes written before an amount ("USD 150").
const CODES: [&str; 7] = ["usd", "gbp", "eur", "cad", "aud", "nzd", "chf"];
/// Words after a number that make it money ("150 dollars"), with the power of ten they
/// scale it by (cents are hundredths).
const MONEY_WORDS: [(&str, i32); 19] = [
    ("dollars", 0),
    ("dollar", 0),
    ("bucks", 0),
    ("buck", 0),
    ("pounds", 0),
    ("pound", 0),
    ("quid", 0),
    ("euros", 0),
    ("euro", 0),
    ("usd", 0),
    ("gbp", 0),
    ("eur", 0),
    ("cad", 0),
    ("aud", 0),
    ("nzd", 0),
    ("chf", 0),
    ("cents", -2),
    ("pence", -2),
    ("grand", 3),
];
/// Words between a number and its currency that scale it ("1.5k", "2 thousand dollars").
const MULTIPLIERS: [(&str, i32); 3] = [("k", 3), ("thousand", 3), ("million", 6)];
/// Words that make the bare number after them a price ("the fee is 150").
const PRICE_WORDS: [&str; 20] = [
    "cost", "costs", "costing", "price", "prices", "priced", "pricing", "fee", "fees", "charge",
    "charges", "charged", "rate", "rates", "pay", "paying", "total", "quote", "quoted", "costed",
];
/// Words that may stand between a price word and its number ("the fee would be about 150").
const PRICE_FILLERS: [&str; 19] = [
    "is",
    "are",
    "was",
    "will",
    "would",
    "be",
    "just",
    "only",
    "about",
    "around",
    "roughly",
    "approximately",
    "approx",
    "at",
    "of",
    "from",
    "starts",
    "starting",
    "flat",
];

/// A number as written, exactly: digits before and after the decimal point.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    whole: String,
    fraction: String,
}

impl Decimal {
    /// Multiplied by ten to the power `exp`.
    fn scaled(&self, exp: i32) -> Decimal {
        let mut whole = self.whole.clone();
        let mut fraction = self.fraction.clone();
        if exp >= 0 {
            for _ in 0..exp {
                whole.push(if fraction.is_empty() {
                    '0'
                } else {
                    fraction.remove(0)
                });
            }
        } else {
            for _ in 0..(-exp) {
                fraction.insert(0, whole.pop().unwrap_or('0'));
            }
        }
        Decimal { whole, fraction }
    }

    /// One spelling per value: "150", "150.00" and "0150" are all "150"; "1.5k" is "1500".
    fn canonical(&self) -> String {
        let whole = self.whole.trim_start_matches('0');
        let whole = if whole.is_empty() { "0" } else { whole };
        let fraction = self.fraction.trim_end_matches('0');
        if fraction.is_empty() {
            whole.to_string()
        } else {
            format!("{whole}.{fraction}")
        }
    }
}

/// The number that starts at `i` (an ASCII digit): digits with `,` or `.` between them.
/// The last separator is the decimal point unless exactly three digits follow it ("1,500",
/// "1.500" are thousands; "150.00", "89,50" have decimals). Returns it and where it ends.
fn number_at(chars: &[char], i: usize) -> (Decimal, usize) {
    let mut groups: Vec<String> = vec![String::new()];
    let mut j = i;
    while j < chars.len() {
        let c = chars[j];
        if c.is_ascii_digit() {
            if let Some(g) = groups.last_mut() {
                g.push(c);
            }
            j += 1;
        } else if (c == ',' || c == '.') && chars.get(j + 1).is_some_and(char::is_ascii_digit) {
            groups.push(String::new());
            j += 1;
        } else {
            break;
        }
    }
    let last_is_decimal = groups.len() > 1 && groups.last().is_some_and(|g| g.len() != 3);
    let (whole, fraction) = if last_is_decimal {
        let fraction = groups.pop().unwrap_or_default();
        (groups.concat(), fraction)
    } else {
        (groups.concat(), String::new())
    };
    (Decimal { whole, fraction }, j)
}

/// The word of ASCII letters starting at `i`, if one does.
fn word_at(chars: &[char], i: usize) -> String {
    chars[i.min(chars.len())..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect()
}

/// Whether a word that makes a number a price comes just before `start` in its sentence.
fn price_word_before(chars: &[char], start: usize) -> bool {
    let before: String = chars[..start].iter().collect();
    let sentence = before
        .rsplit(['.', '!', '?', ';', '\n'])
        .next()
        .unwrap_or_default();
    for word in sentence
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .rev()
        .take(5)
    {
        if PRICE_WORDS.contains(&word) {
            return true;
        }
        if !PRICE_FILLERS.contains(&word) {
            return false;
        }
    }
    false
}

/// One number found in a text, and whether it is money.
#[derive(Debug, Clone)]
struct Found {
    /// As written (sign and unit included).
    text: String,
    /// Its value, canonical.
    value: String,
    /// Money: a currency sign, code or word, a price word before it, or the far end of a
    /// range that starts with money ("$89-149").
    money: bool,
}

/// Every number in `text` (folded), with whether it is an amount of money.
fn numbers(text: &str) -> Vec<Found> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut range_of_money = false;
    while i < chars.len() {
        let start = i;
        let mut k = i;
        let mut signed = false;
        let standalone = |at: usize| at == 0 || !chars[at - 1].is_alphanumeric();
        if SIGNS.contains(&chars[k]) {
            signed = true;
            k += 1;
        } else if standalone(k) {
            let word = word_at(&chars, k);
            if CODES.contains(&word.as_str()) {
                signed = true;
                k += word.len();
            }
        }
        if signed && chars.get(k) == Some(&' ') {
            k += 1;
        }
        // A digit inside a word ("A1", "x2") is not the start of a number.
        let number_starts =
            chars.get(k).is_some_and(char::is_ascii_digit) && (signed || standalone(k));
        if !number_starts {
            range_of_money = false;
            i += 1;
            continue;
        }
        let (mut value, mut j) = number_at(&chars, k);
        let mut money = signed || range_of_money;
        range_of_money = false;
        // A multiplier: "1.5k", "2 thousand".
        let gap = usize::from(chars.get(j) == Some(&' '));
        for (word, exp) in MULTIPLIERS {
            let here = word_at(&chars, j + gap);
            if here == word && (gap == 0 || word != "k") {
                value = value.scaled(exp);
                j += gap + word.len();
                break;
            }
        }
        // A sign or a word after: "150$", "150 €", "150 dollars", "50 cents". A sign that
        // starts the next amount ("$89 $150") is not this one's.
        let gap = usize::from(chars.get(j) == Some(&' '));
        let next_is_number = |at: usize| {
            chars.get(at).is_some_and(char::is_ascii_digit)
                || (chars.get(at) == Some(&' ')
                    && chars.get(at + 1).is_some_and(char::is_ascii_digit))
        };
        if !signed
            && chars.get(j + gap).is_some_and(|c| SIGNS.contains(c))
            && !next_is_number(j + gap + 1)
        {
            money = true;
            j += gap + 1;
        } else {
            let here = word_at(&chars, j + gap);
            if let Some((word, exp)) = MONEY_WORDS.iter().find(|(w, _)| *w == here) {
                money = true;
                value = value.scaled(*exp);
                j += gap + word.len();
            }
        }
        let after: String = chars[j..].iter().take(9).collect();
        let after = after.trim_start();
        let percent = after.starts_with('%') || after.starts_with("percent");
        let clock = after.starts_with(':')
            || after.starts_with("am")
            || after.starts_with("pm")
            || after.starts_with("a.m")
            || after.starts_with("p.m");
        if !money && !percent && !clock && price_word_before(&chars, start) {
            money = true;
        }
        let money = money && !percent;
        out.push(Found {
            text: chars[start..j]
                .iter()
                .collect::<String>()
                .trim()
                .to_string(),
            value: value.canonical(),
            money,
        });
        // "$89-149", "$89 to $149": the far end is money too.
        if money {
            let mut p = j;
            while chars.get(p) == Some(&' ') {
                p += 1;
            }
            let dash = chars.get(p) == Some(&'-');
            let to = word_at(&chars, p) == "to";
            if dash || to {
                p += if dash { 1 } else { 2 };
                while chars.get(p) == Some(&' ') {
                    p += 1;
                }
                if chars
                    .get(p)
                    .is_some_and(|c| c.is_ascii_digit() || SIGNS.contains(c))
                {
                    range_of_money = true;
                    j = p;
                }
            }
        }
        i = j.max(start + 1);
    }
    out
}

/// Number words and their values ("fifteen", "hundred").
const NUMBER_WORDS: [(&str, u64); 31] = [
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("hundred", 100),
    ("thousand", 1_000),
    ("million", 1_000_000),
];

/// Amounts written in words before a currency word ("fifteen dollars", "a hundred and
/// fifty bucks"): each as written, with its value.
fn amounts_in_words(text: &str) -> Vec<Found> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let Some((_, exp)) = MONEY_WORDS.iter().find(|(w, _)| w == word) else {
            continue;
        };
        // Back over the number words before it ("a hundred and fifty", "twenty-five").
        let mut from = i;
        while from > 0 {
            let before = words[from - 1];
            let numeric = before
                .split('-')
                .all(|part| NUMBER_WORDS.iter().any(|(w, _)| *w == part));
            if numeric || ((before == "and" || before == "a") && from < i) {
                from -= 1;
            } else {
                break;
            }
        }
        let spelled: Vec<&str> = words[from..i]
            .iter()
            .flat_map(|w| w.split('-'))
            .filter(|w| *w != "and" && *w != "a")
            .collect();
        if spelled.is_empty() {
            continue;
        }
        let (mut total, mut group) = (0u64, 0u64);
        for part in &spelled {
            let value = NUMBER_WORDS
                .iter()
                .find(|(w, _)| w == part)
                .map_or(0, |(_, v)| *v);
            match value {
                100 => group = group.max(1).saturating_mul(100),
                1_000 | 1_000_000 => {
                    total = total.saturating_add(group.max(1).saturating_mul(value));
                    group = 0;
                }
                v => group = group.saturating_add(v),
            }
        }
        let value = Decimal {
            whole: total.saturating_add(group).to_string(),
            fraction: String::new(),
        }
        .scaled(*exp);
        out.push(Found {
            text: words[from..=i].join(" "),
            value: value.canonical(),
            money: true,
        });
    }
    out
}

/// The amounts the price notes allow: each note's amounts of money, or, for a note that
/// has none by those rules ("call-out 89"), every number in it.
fn allowed_amounts(notes: &[String]) -> HashSet<String> {
    let mut allowed = HashSet::new();
    for note in notes {
        let folded = fold(note);
        let mut found = numbers(&folded);
        found.extend(amounts_in_words(&folded));
        let any_money = found.iter().any(|f| f.money);
        allowed.extend(
            found
                .into_iter()
                .filter(|f| f.money || !any_money)
                .map(|f| f.value),
        );
    }
    allowed
}

/// The first amount of money in `reply` ("$15", "150 dollars", "the fee is 150", "€89,50",
/// "fifteen dollars")
/// whose value is not an amount written in the price notes. Values are compared whole:
/// "$150.00" and "$1,500" match notes saying "$150" and "$1500"; "$1" and "$15" do not.
pub(crate) fn invented_price(reply: &str, notes: &[String]) -> Option<String> {
    let folded = fold(reply);
    let mut money: Vec<Found> = numbers(&folded).into_iter().filter(|f| f.money).collect();
    money.extend(amounts_in_words(&folded));
    if money.is_empty() {
        return None;
    }
    let allowed = allowed_amounts(notes);
    money
        .into_iter()
        .find(|f| !allowed.contains(&f.value))
        .map(|f| f.text)
}

// ---------------------------------------------------------------------------------------
// Promises

/// Promises, each with the family it belongs to: a promise is allowed when the owner's
/// settings make one of the same family ("first consultation free" allows "for free" and
/// "no charge", not "discount"). Longer phrases come first, so the one named is the whole.
const PROMISES: &[(&str, &str)] = &[
    ("free of charge", "free"),
    ("free-of-charge", "free"),
    ("at no extra cost", "free"),
    ("at no extra charge", "free"),
    ("at no cost", "free"),
    ("at no charge", "free"),
    ("no extra charge", "free"),
    ("no extra cost", "free"),
    ("no additional charge", "free"),
    ("no additional cost", "free"),
    ("cost you nothing", "free"),
    ("costs nothing", "free"),
    ("cost nothing", "free"),
    ("nothing to pay", "free"),
    ("pay nothing", "free"),
    ("won't cost", "free"),
    ("will not cost", "free"),
    ("on the house", "free"),
    ("it's on us", "free"),
    ("that's on us", "free"),
    ("without charge", "free"),
    ("for free", "free"),
    ("no cost", "free"),
    ("no-cost", "free"),
    ("no charge", "free"),
    ("no fee", "free"),
    ("no fees", "free"),
    ("complimentary", "free"),
    ("gratis", "free"),
    ("sin costo", "free"),
    ("sin coste", "free"),
    ("sin cargo", "free"),
    ("gratuito", "free"),
    ("gratuita", "free"),
    ("cost-free", "free"),
    ("fee-free", "free"),
    ("charge-free", "free"),
    ("free", "free"),
    ("waive", "waive"),
    ("waived", "waive"),
    ("waives", "waive"),
    ("waiving", "waive"),
    ("waiver", "waive"),
    ("per cent off", "discount"),
    ("percent off", "discount"),
    ("% off", "discount"),
    ("half price", "discount"),
    ("half-price", "discount"),
    ("half off", "discount"),
    ("descuento", "discount"),
    ("descuentos", "discount"),
    ("money off", "discount"),
    ("promo code", "discount"),
    ("special offer", "discount"),
    ("discount", "discount"),
    ("discounts", "discount"),
    ("discounted", "discount"),
    ("coupon", "discount"),
    ("money back", "refund"),
    ("money-back", "refund"),
    ("refund", "refund"),
    ("refunds", "refund"),
    ("refunded", "refund"),
    ("refundable", "refund"),
    ("reembolso", "refund"),
    ("risk-free", "guarantee"),
    ("guarantee", "guarantee"),
    ("guarantees", "guarantee"),
    ("guaranteed", "guarantee"),
    ("guaranteeing", "guarantee"),
    ("garantizado", "guarantee"),
    ("garantizada", "guarantee"),
    ("garantía", "guarantee"),
    ("garantia", "guarantee"),
    ("warranty", "warranty"),
    ("warranties", "warranty"),
    ("warrantied", "warranty"),
    ("warranted", "warranty"),
    ("promise", "promise"),
    ("promises", "promise"),
    ("promised", "promise"),
    ("prometo", "promise"),
    ("prometemos", "promise"),
    ("price match", "price match"),
    ("price-match", "price match"),
    ("beat any price", "price match"),
    ("beat any quote", "price match"),
    ("lowest price", "price match"),
    ("best price", "price match"),
];

/// Words that, just before a promise, take it back ("we can't guarantee", "it isn't free").
const NEGATIONS: [&str; 17] = [
    "not",
    "no",
    "never",
    "can't",
    "cannot",
    "won't",
    "don't",
    "doesn't",
    "isn't",
    "aren't",
    "wasn't",
    "couldn't",
    "wouldn't",
    "unable",
    "nor",
    "neither",
    "shouldn't",
];
/// Words that may stand between a negation and the promise ("can't offer a discount").
const NEGATION_FILLERS: [&str; 14] = [
    "a", "an", "any", "you", "offer", "give", "make", "do", "be", "it", "that", "the", "is",
    "really",
];
/// After "free": uses that speak of time, not money ("a free slot").
const FREE_TIME_AFTER: [&str; 12] = [
    "slot",
    "slots",
    "appointment",
    "appointments",
    "time",
    "times",
    "spot",
    "spots",
    "window",
    "windows",
    "opening",
    "openings",
];
/// Before "free": uses that speak of a person ("feel free", "are you free").
const FREE_PERSON_BEFORE: [&str; 5] = ["feel", "you", "you're", "i'm", "youre"];
/// Words of the calendar: "free" next to one speaks of time ("Tuesday is free", "free
/// tomorrow", "09:00 free").
const TIME_WORDS: [&str; 39] = [
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mondays",
    "tuesdays",
    "wednesdays",
    "thursdays",
    "fridays",
    "saturdays",
    "sundays",
    "today",
    "tomorrow",
    "tonight",
    "morning",
    "afternoon",
    "evening",
    "week",
    "weekend",
    "noon",
    "midday",
    "am",
    "pm",
    "then",
    "later",
    "soon",
];
/// Between a calendar word and "free" ("Tuesday is still free").
const TIME_LINKS_BEFORE: [&str; 5] = ["is", "are", "still", "also", "looks"];
/// Between "free" and a calendar word ("free on Tuesday", "free from 9am").
const TIME_LINKS_AFTER: [&str; 10] = [
    "on", "at", "from", "this", "next", "after", "before", "until", "between", "in",
];

/// Whether a word is of the calendar: a day or part of one, a clock time ("09:00", "9am")
/// or a date ("2026-11-03").
fn time_word(word: &str) -> bool {
    let clock = word.contains(':') && word.chars().any(|c| c.is_ascii_digit());
    let meridiem = (word.ends_with("am") || word.ends_with("pm"))
        && word.chars().next().is_some_and(|c| c.is_ascii_digit());
    let date = word.len() == 10
        && word.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    clock || meridiem || date || TIME_WORDS.contains(&word)
}

/// Whether "free" at `i` in `words` speaks of time or of a person, not of money.
fn free_of_time(words: &[String], i: usize) -> bool {
    let at = |k: Option<usize>| k.and_then(|k| words.get(k)).map(String::as_str);
    let prev = at(i.checked_sub(1));
    let (next, next2) = (at(Some(i + 1)), at(Some(i + 2)));
    // Back over at most two linking words ("is still") to a calendar word.
    let mut back = i;
    let mut links = 0;
    let calendar_before = loop {
        let Some(word) = at(back.checked_sub(1)) else {
            break false;
        };
        if time_word(word) {
            break true;
        }
        if links >= 2 || !TIME_LINKS_BEFORE.contains(&word) {
            break false;
        }
        links += 1;
        back -= 1;
    };
    calendar_before
        || next.is_some_and(|n| FREE_TIME_AFTER.contains(&n) || time_word(n))
        || prev.is_some_and(|p| FREE_PERSON_BEFORE.contains(&p))
        || (next.is_some_and(|n| TIME_LINKS_AFTER.contains(&n)) && next2.is_some_and(time_word))
}

/// Words and `%`, lower case: letters and digits, with `'` and `-` inside a word kept
/// ("won't", "toll-free" are one word each, so "toll-free" is no promise of "free"), and
/// `:` inside a clock time ("09:00").
fn tokens(folded: &str) -> Vec<String> {
    let chars: Vec<char> = folded.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1);
        let joins = ((c == '\'' || c == '-')
            && !word.is_empty()
            && next.is_some_and(|n| n.is_alphanumeric()))
            || (c == ':'
                && word.ends_with(|p: char| p.is_ascii_digit())
                && next.is_some_and(char::is_ascii_digit));
        if c.is_alphanumeric() || joins {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if c == '%' {
            out.push("%".into());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Every promise in `text`: the phrase as listed and its family, in order.
fn promises(text: &str) -> Vec<(&'static str, &'static str)> {
    let words = tokens(&fold(text));
    let phrases: Vec<(Vec<String>, &str, &str)> = PROMISES
        .iter()
        .map(|(phrase, family)| (tokens(phrase), *phrase, *family))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let hit = phrases
            .iter()
            .find(|(p, _, _)| words.get(i..i + p.len()) == Some(p.as_slice()));
        let Some((p, phrase, family)) = hit else {
            i += 1;
            continue;
        };
        let negated = {
            let mut j = i;
            let mut skipped = 0;
            loop {
                let Some(before) = j.checked_sub(1).and_then(|b| words.get(b)) else {
                    break false;
                };
                if NEGATIONS.contains(&before.as_str()) {
                    break true;
                }
                if skipped >= 2 || !NEGATION_FILLERS.contains(&before.as_str()) {
                    break false;
                }
                skipped += 1;
                j -= 1;
            }
        };
        let of_time = *phrase == "free" && free_of_time(&words, i);
        if !negated && !of_time {
            out.push((*phrase, *family));
        }
        i += p.len();
    }
    out
}

/// The owner's words that allow promises: the business name, services, price notes and the
/// texts the owner wrote for callers.
fn promise_sources<'a>(
    facts: &'a Facts,
    owner_texts: &'a [String],
) -> impl Iterator<Item = &'a String> {
    std::iter::once(&facts.business_name)
        .chain(facts.services.iter())
        .chain(facts.price_notes.iter())
        .chain(owner_texts.iter())
}

/// The first promise in `reply` ("for free", "guaranteed", "20% off") of a family the
/// settings make no promise of. A promise taken back ("we can't guarantee") and "free" about
/// time ("a free slot", "feel free") are not promises.
pub(crate) fn invented_promise(
    reply: &str,
    facts: &Facts,
    owner_texts: &[String],
) -> Option<String> {
    let made = promises(reply);
    if made.is_empty() {
        return None;
    }
    let allowed: HashSet<&str> = promise_sources(facts, owner_texts)
        .flat_map(|s| promises(s))
        .map(|(_, family)| family)
        .collect();
    made.into_iter()
        .find(|(_, family)| !allowed.contains(family))
        .map(|(phrase, _)| phrase.to_string())
}

// ---------------------------------------------------------------------------------------
// Links, e-mail addresses and phone numbers

/// Something a caller could follow or dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Contact {
    /// A web address, lower case, without scheme, `www.` or a trailing `/`.
    Link(String),
    /// An e-mail address, lower case.
    Email(String),
    /// A phone number as written.
    Phone(String),
}

/// Separators inside a phone number.
const PHONE_SEPARATORS: [char; 6] = [' ', '-', '.', '(', ')', '/'];

/// The text with dates ("2026-11-03", "11/03/2026") and clock times ("14:00") blotted
/// out, so that a slot's "2026-11-03 14:00" is not read as a phone number.
fn without_dates(chars: &[char]) -> Vec<char> {
    let mut out = chars.to_vec();
    let digits = |from: usize| {
        chars[from.min(chars.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut i = 0;
    while i < chars.len() {
        // Not inside a number: after a digit, or after a separator that follows one
        // ("01.23.45.67.89" holds no date at "45.67.89").
        let inside = i > 0
            && (out[i - 1].is_ascii_digit()
                || (PHONE_SEPARATORS.contains(&out[i - 1])
                    && i > 1
                    && out[i - 2].is_ascii_digit()));
        if !chars[i].is_ascii_digit() || inside {
            i += 1;
            continue;
        }
        let a = digits(i);
        let sep1 = chars.get(i + a).copied();
        let b = digits(i + a + 1);
        let sep2 = chars.get(i + a + 1 + b).copied();
        let c = digits(i + a + 2 + b);
        // A "date" that goes on in the same way ("01.23.45.67.89") is a phone number.
        let date_ends = |n: usize, sep: char| {
            let next = chars.get(i + n);
            !(next.is_some_and(char::is_ascii_digit)
                || (next == Some(&sep) && chars.get(i + n + 1).is_some_and(char::is_ascii_digit)))
        };
        let length = match (a, sep1, b, sep2, c) {
            (4, Some('-'), 1..=2, Some('-'), 1..=2) if date_ends(a + b + c + 2, '-') => {
                Some(a + b + c + 2)
            }
            (1..=2, Some(s1 @ ('/' | '.')), 1..=2, Some(s2), 2 | 4)
                if s1 == s2 && date_ends(a + b + c + 2, s1) =>
            {
                Some(a + b + c + 2)
            }
            (1..=2, Some(':'), 2, _, _) => Some(a + b + 1),
            _ => None,
        };
        match length {
            Some(n) => {
                for slot in out.iter_mut().skip(i).take(n) {
                    *slot = '#';
                }
                i += n;
            }
            None => i += a.max(1),
        }
    }
    out
}

/// Every run of at least seven digits written as a phone number ("+1 (212) 555-0123",
/// "212.555.0123", "07700 900123"): its text and its digits.
fn phone_numbers(folded: &str) -> Vec<(String, String)> {
    let original: Vec<char> = folded.chars().collect();
    let chars = without_dates(&original);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let clear_before = prev.is_none_or(|p| !p.is_alphanumeric() && !SIGNS.contains(&p));
        let opens = (c == '+' || c == '(')
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_digit() || *n == '(');
        if !(clear_before && (c.is_ascii_digit() || opens)) {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut digits = String::new();
        let mut end = i;
        while j < chars.len() {
            let here = chars[j];
            if here.is_ascii_digit() {
                digits.push(here);
                j += 1;
                end = j;
            } else if j == i && (here == '+' || here == '(') {
                j += 1;
            } else if PHONE_SEPARATORS.contains(&here) {
                let mut p = j;
                while p < chars.len() && PHONE_SEPARATORS.contains(&chars[p]) && p - j < 3 {
                    p += 1;
                }
                if chars.get(p).is_some_and(char::is_ascii_digit) {
                    j = p;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        if digits.len() >= 7 {
            out.push((original[i..end].iter().collect(), digits));
        }
        i = end.max(i + 1);
    }
    out
}

/// Whether `label` can be part of a host name.
fn host_label(label: &str) -> bool {
    !label.is_empty()
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
}

/// Whether `host` is a domain name ("acme.example", "bit.ly") or an IPv4 address.
fn is_host(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 || !labels.iter().all(|l| host_label(l)) {
        return false;
    }
    let ipv4 = labels.len() == 4
        && labels
            .iter()
            .all(|l| l.len() <= 3 && l.chars().all(|c| c.is_ascii_digit()));
    let tld = labels.last().copied().unwrap_or_default();
    ipv4 || (tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
}

/// A link in one canonical spelling: lower case, without scheme, `www.` or trailing `/`.
fn canonical_link(link: &str) -> String {
    let mut s = link.trim().to_lowercase();
    if let Some(rest) = s.split_once("://").map(|(_, rest)| rest.to_string()) {
        s = rest;
    }
    if let Some(rest) = s.strip_prefix("www.") {
        s = rest.to_string();
    }
    s.trim_end_matches('/').to_string()
}

/// Characters that end a word when looking for links.
fn link_break(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '<' | '>' | '"' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '`' | ','
        )
}

/// Every e-mail address and link in `folded`.
fn links_and_emails(folded: &str) -> Vec<Contact> {
    let chars: Vec<char> = folded.chars().collect();
    let mut out = Vec::new();
    let mut masked = chars.clone();
    // E-mail addresses first, so that their domains are not read as links too.
    let local = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    let domain = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-');
    for (at, &c) in chars.iter().enumerate() {
        if c != '@' {
            continue;
        }
        let mut from = at;
        while from > 0 && local(chars[from - 1]) {
            from -= 1;
        }
        let mut to = at + 1;
        while to < chars.len() && domain(chars[to]) {
            to += 1;
        }
        let host: String = chars[at + 1..to].iter().collect();
        let host = host.trim_end_matches(['.', '-']);
        let name: String = chars[from..at].iter().collect();
        let name = name.trim_start_matches('.');
        if !name.is_empty() && is_host(host) {
            out.push(Contact::Email(format!("{name}@{host}")));
            for slot in masked.iter_mut().take(to).skip(from) {
                *slot = ' ';
            }
        }
    }
    let text: String = masked.into_iter().collect();
    for word in text.split(link_break) {
        let word = word
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .trim_end_matches(|c: char| {
                matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '_')
            });
        if word.is_empty() {
            continue;
        }
        let schemed = word.contains("://");
        let bare = word.strip_prefix("www.").unwrap_or(word);
        let host = bare
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default()
            .rsplit('@')
            .next()
            .unwrap_or_default();
        let host = host.split(':').next().unwrap_or_default();
        if schemed || word.starts_with("www.") || is_host(host) {
            out.push(Contact::Link(canonical_link(word)));
        }
    }
    out
}

/// The significant digits of a phone number: without a leading trunk `0`.
fn national(digits: &str) -> &str {
    digits.trim_start_matches('0')
}

/// Whether `written` dials the same number as `known`: the same digits, or the same with a
/// country code (at most three digits) or trunk `0` more or less; the reply may also leave
/// the country and area code out of a number the settings write in full.
fn same_number(written: &str, known: &str) -> bool {
    let (w, k) = (national(written), national(known));
    w.len() >= 7 && k.len() >= 7 && (k.ends_with(w) || (w.ends_with(k) && w.len() - k.len() <= 3))
}

/// Everything of the owner's that a contact may come from: the business name, services,
/// area, price notes and the texts the owner wrote for callers.
fn contact_sources<'a>(
    facts: &'a Facts,
    owner_texts: &'a [String],
) -> impl Iterator<Item = &'a String> {
    std::iter::once(&facts.business_name)
        .chain(facts.services.iter())
        .chain(facts.service_area.iter())
        .chain(facts.price_notes.iter())
        .chain(owner_texts.iter())
}

/// The links, e-mail addresses and phone numbers the settings hold, as the prompt lists them.
pub(crate) fn known_contacts(facts: &Facts, owner_texts: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for source in contact_sources(facts, owner_texts) {
        let folded = fold(source);
        for contact in links_and_emails(&folded) {
            let (Contact::Link(s) | Contact::Email(s) | Contact::Phone(s)) = contact;
            if !out.contains(&s) {
                out.push(s);
            }
        }
        for (text, _) in phone_numbers(&folded) {
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}

/// The first link, e-mail address or phone number in `reply` that the settings do not
/// hold. Links and addresses compare in lower case (a link may be a shorter form of one in
/// the settings, never a longer one); numbers compare by their digits.
pub(crate) fn invented_contact(
    reply: &str,
    facts: &Facts,
    owner_texts: &[String],
) -> Option<Contact> {
    let folded = fold(reply);
    let written_links = links_and_emails(&folded);
    let written_numbers = phone_numbers(&folded);
    if written_links.is_empty() && written_numbers.is_empty() {
        return None;
    }
    let mut links = Vec::new();
    let mut emails = Vec::new();
    let mut numbers = Vec::new();
    for source in contact_sources(facts, owner_texts) {
        let folded = fold(source);
        for contact in links_and_emails(&folded) {
            match contact {
                Contact::Link(l) => links.push(l),
                Contact::Email(e) => emails.push(e),
                Contact::Phone(_) => {}
            }
        }
        numbers.extend(phone_numbers(&folded).into_iter().map(|(_, d)| d));
    }
    for contact in written_links {
        let known = match &contact {
            Contact::Link(l) => links
                .iter()
                .any(|k| k == l || k.starts_with(&format!("{l}/"))),
            Contact::Email(e) => emails.contains(e),
            Contact::Phone(_) => true,
        };
        if !known {
            return Some(contact);
        }
    }
    written_numbers
        .into_iter()
        .find(|(_, digits)| !numbers.iter().any(|k| same_number(digits, k)))
        .map(|(text, _)| Contact::Phone(text.trim().to_string()))
}

#[cfg(test)]
mod tests;
