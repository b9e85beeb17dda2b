//! The assistant's logic that needs no network (issue 6, first part): the facts it may use
//! come from settings, never from the model; the model's answer is parsed and validated
//! before anything is sent. Not yet wired into the engine or settings.
//!
//! - [`free_slots`]: bookable slots, the weekly availability cut into slots minus what is
//!   booked;
//! - [`wants_a_person`]: "human", "call me", "agent"… hand the conversation to the team;
//! - [`build_messages`]: the chat-completions messages, facts and thread included;
//! - [`parse_answer`]: the structured answer, refused when it is not JSON, has no reply,
//!   names a slot that was not offered, or quotes a price the owner did not write down;
//! - [`lead_card`] and [`ics`]: what the desktop shows and exports.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::settings::WeekHours;

/// What the assistant may say, all from settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The business's name.
    pub business_name: String,
    /// Services offered ("boiler repair").
    pub services: Vec<String>,
    /// Postcodes or towns served.
    pub service_area: Vec<String>,
    /// Prices the owner is happy to quote, as written ("call-out fee $89").
    pub price_notes: Vec<String>,
    /// Opening hours in words ("Mon–Fri 8:00–17:00").
    pub hours: String,
}

/// A bookable appointment slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    /// When it starts.
    pub start: Timestamp,
    /// When it ends.
    pub end: Timestamp,
}

impl Slot {
    fn overlaps(&self, other: &Slot) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Up to `limit` free slots of `length` from `from` over `days` days: the availability's
/// intervals cut into whole slots (a slot never runs past its interval's end), starting at
/// or after `from`, without any that overlaps a booked one.
pub fn free_slots(
    availability: &WeekHours,
    tz: &TimeZone,
    length: SignedDuration,
    from: Timestamp,
    days: u32,
    booked: &[Slot],
    limit: usize,
) -> Vec<Slot> {
    let mut out = Vec::new();
    if length <= SignedDuration::ZERO {
        return out;
    }
    for (open, close) in availability.openings(from, days, tz) {
        let mut start = open;
        while let Ok(end) = start.checked_add(length) {
            if end > close || out.len() >= limit {
                break;
            }
            let slot = Slot { start, end };
            if start >= from && !booked.iter().any(|b| b.overlaps(&slot)) {
                out.push(slot);
            }
            start = end;
        }
    }
    out
}

/// Words that ask for a person, matched as whole words (case and punctuation ignored).
const PERSON_WORDS: [&str; 7] = [
    "human",
    "person",
    "agent",
    "operator",
    "representative",
    "someone real",
    "real person",
];

/// Phrases that ask for a call back.
const CALL_PHRASES: [&str; 6] = [
    "call me",
    "ring me",
    "phone me",
    "give me a call",
    "call back",
    "talk to someone",
];

/// Whether the caller asks for a person rather than the assistant.
pub fn wants_a_person(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let joined = format!(" {} ", words.join(" "));
    PERSON_WORDS
        .iter()
        .chain(CALL_PHRASES.iter())
        .any(|phrase| joined.contains(&format!(" {phrase} ")))
}

/// Who said a line of the thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    /// The caller.
    Caller,
    /// The business (a person or the assistant).
    Business,
}

/// One chat-completions message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// "system", "user" or "assistant".
    pub role: String,
    /// The text.
    pub content: String,
}

/// The messages for the model: the rules and facts first, then the recent thread.
pub fn build_messages(
    facts: &Facts,
    slots: &[Slot],
    tz: &TimeZone,
    thread: &[(Speaker, String)],
) -> Vec<ChatMessage> {
    let list = |items: &[String]| {
        if items.is_empty() {
            "(none given)".to_string()
        } else {
            items.join("; ")
        }
    };
    let slot_lines: Vec<String> = slots.iter().map(|s| slot_text(s, tz)).collect();
    let system = format!(
        "You answer text messages for {name}, a local service business, after a missed call. \
         Be brief and friendly (one or two sentences). Find out what the problem is, the \
         address or postcode, how urgent it is and when suits them. Never promise anything, \
         never name a price, a service or a time that is not listed below.\n\
         Services: {services}\nArea served: {area}\nPrices you may quote: {prices}\n\
         Hours: {hours}\nFree appointment slots: {slots}\n\
         Answer with JSON only: {{\"reply\": \"text to send\", \"problem\": \"…\" or null, \
         \"postcode\": \"…\" or null, \"urgency\": \"…\" or null, \"preferred_time\": \"…\" or \
         null, \"book_slot\": \"one of the slots exactly\" or null}}",
        name = facts.business_name,
        services = list(&facts.services),
        area = list(&facts.service_area),
        prices = list(&facts.price_notes),
        hours = if facts.hours.is_empty() {
            "(not given)"
        } else {
            &facts.hours
        },
        slots = if slot_lines.is_empty() {
            "(none)".to_string()
        } else {
            slot_lines.join("; ")
        },
    );
    let mut out = vec![ChatMessage {
        role: "system".into(),
        content: system,
    }];
    out.extend(thread.iter().map(|(who, text)| {
        ChatMessage {
            role: match who {
                Speaker::Caller => "user",
                Speaker::Business => "assistant",
            }
            .into(),
            content: text.clone(),
        }
    }));
    out
}

/// A slot as the prompt names it and the model must repeat it: "Tue 2026-11-03 14:00".
pub fn slot_text(slot: &Slot, tz: &TimeZone) -> String {
    tz.to_datetime(slot.start)
        .strftime("%a %Y-%m-%d %H:%M")
        .to_string()
}

/// What the assistant learned about the job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadFields {
    /// What the problem is.
    pub problem: Option<String>,
    /// Address or postcode.
    pub postcode: Option<String>,
    /// How urgent.
    pub urgency: Option<String>,
    /// When suits them.
    pub preferred_time: Option<String>,
}

/// A validated answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The text to send.
    pub reply: String,
    /// What it learned.
    pub lead: LeadFields,
    /// The slot the caller accepted, one that was offered.
    pub book: Option<Slot>,
}

/// Why an answer is not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// Not the JSON object asked for.
    #[error("the model did not answer with the JSON asked for ({0})")]
    NotJson(String),
    /// No reply text.
    #[error("the model's answer has no reply text")]
    NoReply,
    /// Longer than a text should be.
    #[error("the model's reply is {0} characters; at most {MAX_REPLY} are sent")]
    TooLong(usize),
    /// A slot that was not offered (taken, or invented).
    #[error("the model named a slot that is not free (“{0}”)")]
    SlotNotFree(String),
    /// A price that is not in the owner's price notes.
    #[error("the model quoted a price that is not in the settings (“{0}”)")]
    InventedPrice(String),
}

/// The longest reply sent (about four SMS segments).
pub const MAX_REPLY: usize = 600;

#[derive(Debug, Deserialize)]
struct RawAnswer {
    reply: Option<String>,
    problem: Option<String>,
    postcode: Option<String>,
    urgency: Option<String>,
    preferred_time: Option<String>,
    book_slot: Option<String>,
}

/// Parses and validates the model's content. Tolerates a code fence or words around the
/// JSON object; refuses everything else.
pub fn parse_answer(
    content: &str,
    offered: &[Slot],
    tz: &TimeZone,
    facts: &Facts,
) -> Result<Answer, AnswerError> {
    let start = content.find('{');
    let end = content.rfind('}');
    let json = match (start, end) {
        (Some(s), Some(e)) if s < e => &content[s..=e],
        _ => return Err(AnswerError::NotJson("no object".into())),
    };
    let raw: RawAnswer = serde_json::from_str(json)
        .map_err(|e| AnswerError::NotJson(e.to_string().chars().take(120).collect::<String>()))?;
    let reply = raw.reply.unwrap_or_default().trim().to_string();
    if reply.is_empty() {
        return Err(AnswerError::NoReply);
    }
    let length = reply.chars().count();
    if length > MAX_REPLY {
        return Err(AnswerError::TooLong(length));
    }
    if let Some(price) = invented_price(&reply, &facts.price_notes) {
        return Err(AnswerError::InventedPrice(price));
    }
    let book = match raw.book_slot.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(named) => Some(
            offered
                .iter()
                .find(|s| slot_text(s, tz) == named)
                .copied()
                .ok_or_else(|| AnswerError::SlotNotFree(named.chars().take(40).collect()))?,
        ),
    };
    let clean = |v: Option<String>| {
        v.map(|s| s.trim().chars().take(80).collect::<String>())
            .filter(|s| !s.is_empty() && s != "null")
    };
    Ok(Answer {
        reply,
        lead: LeadFields {
            problem: clean(raw.problem),
            postcode: clean(raw.postcode),
            urgency: clean(raw.urgency),
            preferred_time: clean(raw.preferred_time),
        },
        book,
    })
}

/// The first amount of money in `reply` ("$89", "£120", "89 dollars") whose digits appear in
/// no price note.
fn invented_price(reply: &str, notes: &[String]) -> Option<String> {
    let chars: Vec<char> = reply.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let currency_before = matches!(chars[i], '$' | '£' | '€');
        let digits_from = if currency_before { i + 1 } else { i };
        if digits_from < chars.len() && chars[digits_from].is_ascii_digit() {
            let mut j = digits_from;
            while j < chars.len()
                && (chars[j].is_ascii_digit() || chars[j] == '.' || chars[j] == ',')
            {
                j += 1;
            }
            let amount: String = chars[digits_from..j].iter().collect();
            let amount = amount.trim_end_matches(['.', ',']).to_string();
            let after: String = chars[j..].iter().take(9).collect::<String>().to_lowercase();
            let currency_after = ["dollar", "pound", "euro", " usd", " gbp", " eur", "$"]
                .iter()
                .any(|w| after.trim_start().starts_with(w.trim_start()));
            if (currency_before || currency_after)
                && !notes.iter().any(|n| n.contains(amount.as_str()))
            {
                return Some(chars[i..j].iter().collect());
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// The lead card: "Leaking pipe · 10001 · urgent · today after 3".
pub fn lead_card(lead: &LeadFields) -> String {
    [
        &lead.problem,
        &lead.postcode,
        &lead.urgency,
        &lead.preferred_time,
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect::<Vec<_>>()
    .join(" · ")
}

/// A booked appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    /// A stable id (the UID in iCalendar).
    pub id: String,
    /// When.
    pub slot: Slot,
    /// Who: name or number.
    pub who: String,
    /// The lead card.
    pub summary: String,
}

/// The appointments as an iCalendar file (RFC 5545), times in UTC.
pub fn ics(appointments: &[Appointment], business: &str, now: Timestamp) -> String {
    let stamp = |t: Timestamp| t.strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ringback//Appointments//EN\r\nCALSCALE:GREGORIAN\r\n",
    );
    for a in appointments {
        out.push_str("BEGIN:VEVENT\r\n");
        out.push_str(&fold(&format!("UID:{}@ringback", escape(&a.id))));
        out.push_str(&format!("DTSTAMP:{}\r\n", stamp(now)));
        out.push_str(&format!("DTSTART:{}\r\n", stamp(a.slot.start)));
        out.push_str(&format!("DTEND:{}\r\n", stamp(a.slot.end)));
        out.push_str(&fold(&format!(
            "SUMMARY:{} — {}",
            escape(business),
            escape(&a.who)
        )));
        if !a.summary.is_empty() {
            out.push_str(&fold(&format!("DESCRIPTION:{}", escape(&a.summary))));
        }
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// Escapes text values (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets, never inside a character (RFC 5545 §3.1).
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests;
