// Over 600 lines, one concept: the evaluation's case format, checks and runner.
//! The assistant's evaluation set: scripted caller threads (`tests/assistant-eval/*.json`,
//! format in that folder's README) sent to a real model through [`super::endpoint`], each
//! answer scored by plain checks: what the reply must say, what it must never say (invented
//! prices, services or slots, promises), the lead fields it must fill and the booking it must
//! or must not make. Hostile threads (prompt injection asking for a price, a link, a phone
//! number, a free job, a booking spree) are scored on what the phone would actually do:
//! what it would send ([`Expect::never_sent`]) and book ([`Expect::nothing_booked`]) once
//! the guards have read the answer.
//!
//! [`score`] is pure and is where the checks live; [`run`] asks the model.

use std::fmt;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, civil};
use serde::Deserialize;
use serde_json::Value;

use super::endpoint::{self, EndpointConfig};
use super::{
    Answer, AnswerError, Facts, Slot, Speaker, answer_schema, check_booking, parse_answer_with,
    prompt_with, slot_text,
};

/// One scripted thread and what its answer is judged by.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file's name without `.json`.
    pub name: String,
    /// What it is about, in a few words.
    pub about: String,
    /// The business's facts.
    pub facts: Facts,
    /// The other texts the owner wrote for callers (`facts.owner_texts` in the file).
    pub owner_texts: Vec<String>,
    /// The business's time zone.
    pub tz: TimeZone,
    /// When the last message arrived.
    pub now: Timestamp,
    /// The slots offered to the model.
    pub slots: Vec<Slot>,
    /// The thread, oldest first; the last line is the caller's.
    pub thread: Vec<(Speaker, String)>,
    /// Appointments this conversation already has today.
    pub booked_today: u32,
    /// The most appointments per conversation per day (the setting's default unless given).
    pub max_appointments_per_day: u32,
    /// The checks.
    pub expect: Expect,
}

impl Case {
    /// The slots the engine would offer: none once the day's appointments are booked.
    pub fn offered(&self) -> &[Slot] {
        if self.booked_today >= self.max_appointments_per_day {
            &[]
        } else {
            &self.slots
        }
    }

    /// What the phone would make of `content`: the answer it would send (and book), or why
    /// it would send nothing.
    pub fn verdict(&self, content: &str) -> Result<Answer, AnswerError> {
        parse_answer_with(
            content,
            self.offered(),
            &self.tz,
            &self.facts,
            &self.owner_texts,
        )
        .and_then(|answer| {
            check_booking(&answer, self.booked_today, self.max_appointments_per_day)
                .map(|()| answer)
        })
    }
}

/// What a good answer does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// Whether the answer must pass [`parse_answer`] (true unless the file says otherwise).
    pub valid: bool,
    /// Each entry: the reply contains one of these (case ignored).
    pub contains: Vec<Vec<String>>,
    /// The answer contains none of these (case ignored).
    pub excludes: Vec<String>,
    /// Lead fields ("postcode", "problem", "urgency", "preferred_time") and the words one of
    /// which each must contain.
    pub lead: Vec<(String, Vec<String>)>,
    /// The slot the answer must book.
    pub book: Option<Slot>,
    /// Whether the answer must book nothing (it must not even try).
    pub no_booking: bool,
    /// Phrases no text the phone sends may hold: passed when the guards refuse the answer
    /// (nothing is sent) or its reply lacks them. Matched as whole words, case ignored; a
    /// phrase with seven digits or more is matched by its digits ("646-555-0199" is
    /// "6465550199" however written).
    pub never_sent: Vec<String>,
    /// Whether the phone must book nothing with this answer (a refused answer books nothing;
    /// the model may try).
    pub nothing_booked: bool,
}

/// Why the cases could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The folder or a file could not be read.
    #[error("the evaluation cases at {path} could not be read: {reason}")]
    Unreadable {
        /// The folder or file.
        path: PathBuf,
        /// What the system said.
        reason: String,
    },
    /// A file is not a valid case.
    #[error("the evaluation case {path} is not valid: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line when known.
        reason: String,
    },
    /// No `.json` files in the folder.
    #[error("there are no evaluation cases (*.json) in {0}")]
    Empty(PathBuf),
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked ("mentions one of: address | postcode").
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// Why it failed.
    pub detail: Option<String>,
}

/// One case's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseScore {
    /// The case's name.
    pub name: String,
    /// Every check, passed or not.
    pub checks: Vec<Check>,
    /// Why the model gave no answer, when it did not (every check then fails).
    pub error: Option<String>,
    /// The model's content, when it answered.
    pub content: Option<String>,
}

impl CaseScore {
    /// Checks passed.
    pub fn passed_checks(&self) -> usize {
        self.checks.iter().filter(|c| c.passed).count()
    }

    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.checks.iter().all(|c| c.passed)
    }
}

impl fmt::Display for CaseScore {
    /// "PASS name (5/5)" or "FAIL name (3/5): check — why; check — why".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "PASS" } else { "FAIL" };
        write!(
            f,
            "{verdict} {} ({}/{})",
            self.name,
            self.passed_checks(),
            self.checks.len()
        )?;
        if let Some(error) = &self.error {
            return write!(f, ": no answer: {error}");
        }
        let failed: Vec<String> = self
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| match &c.detail {
                Some(detail) => format!("{} — {detail}", c.name),
                None => c.name.clone(),
            })
            .collect();
        if !failed.is_empty() {
            write!(f, ": {}", failed.join("; "))?;
        }
        Ok(())
    }
}

/// The whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// One per case, in the cases' order.
    pub cases: Vec<CaseScore>,
}

impl Report {
    /// Checks passed over all cases.
    pub fn passed_checks(&self) -> usize {
        self.cases.iter().map(CaseScore::passed_checks).sum()
    }

    /// Checks over all cases.
    pub fn total_checks(&self) -> usize {
        self.cases.iter().map(|c| c.checks.len()).sum()
    }

    /// Cases whose every check passed.
    pub fn threads_passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed()).count()
    }

    /// "score: 61/120 checks (50.8%), 3/22 threads fully passed".
    pub fn summary(&self) -> String {
        let total = self.total_checks();
        let percent = if total == 0 {
            0.0
        } else {
            100.0 * self.passed_checks() as f64 / total as f64
        };
        format!(
            "score: {}/{} checks ({percent:.1}%), {}/{} threads fully passed",
            self.passed_checks(),
            total,
            self.threads_passed(),
            self.cases.len()
        )
    }
}

/// Reads every `*.json` case in `dir`, sorted by file name.
pub fn load(dir: &Path) -> Result<Vec<Case>, EvalError> {
    let unreadable = |path: &Path, e: std::io::Error| EvalError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))? {
        let path = entry.map_err(|e| unreadable(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(EvalError::Empty(dir.to_path_buf()));
    }
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|e| unreadable(path, e))?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            parse_case(&name, &text).map_err(|reason| EvalError::Invalid {
                path: path.clone(),
                reason,
            })
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    #[serde(default)]
    about: String,
    facts: RawFacts,
    timezone: String,
    now: String,
    slot_minutes: i64,
    #[serde(default)]
    slots: Vec<String>,
    thread: Vec<RawLine>,
    #[serde(default)]
    booked_today: u32,
    max_appointments_per_day: Option<u32>,
    expect: RawExpect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFacts {
    business_name: String,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    service_area: Vec<String>,
    #[serde(default)]
    price_notes: Vec<String>,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    owner_texts: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    caller: Option<String>,
    business: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMore {
    One(String),
    More(Vec<String>),
}

impl OneOrMore {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMore::One(s) => vec![s],
            OneOrMore::More(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    #[serde(default = "yes")]
    valid: bool,
    #[serde(default)]
    contains: Vec<OneOrMore>,
    #[serde(default)]
    excludes: Vec<String>,
    #[serde(default)]
    lead: RawLead,
    book: Option<String>,
    #[serde(default)]
    no_booking: bool,
    #[serde(default)]
    never_sent: Vec<String>,
    #[serde(default)]
    nothing_booked: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLead {
    problem: Option<OneOrMore>,
    postcode: Option<OneOrMore>,
    urgency: Option<OneOrMore>,
    preferred_time: Option<OneOrMore>,
}

/// One case from its JSON text; the error says what is wrong and where.
fn parse_case(name: &str, text: &str) -> Result<Case, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let raw: RawCase = serde_path_to_error::deserialize(de).map_err(|e| e.to_string())?;
    let tz = TimeZone::get(&raw.timezone)
        .map_err(|_| format!("unknown time zone “{}”", raw.timezone))?;
    let local = |field: &str, text: &str| -> Result<Timestamp, String> {
        let datetime: civil::DateTime = text.parse().map_err(|_| {
            format!("{field}: “{text}” is not a local date and time (2026-11-03T14:00)")
        })?;
        tz.to_timestamp(datetime)
            .map_err(|e| format!("{field}: {e}"))
    };
    let now = local("now", &raw.now)?;
    if raw.slot_minutes <= 0 {
        return Err("slot_minutes must be positive".into());
    }
    let length = SignedDuration::from_mins(raw.slot_minutes);
    let mut slots = Vec::new();
    for text in &raw.slots {
        let start = local("slots", text)?;
        if start <= now {
            return Err(format!("slots: {text} is not after now"));
        }
        let end = start
            .checked_add(length)
            .map_err(|e| format!("slots: {text}: {e}"))?;
        slots.push(Slot { start, end });
    }
    let mut thread = Vec::new();
    for (i, line) in raw.thread.into_iter().enumerate() {
        thread.push(match (line.caller, line.business) {
            (Some(text), None) => (Speaker::Caller, text),
            (None, Some(text)) => (Speaker::Business, text),
            _ => {
                return Err(format!(
                    "thread[{i}]: give exactly one of caller or business"
                ));
            }
        });
    }
    if thread.last().is_none_or(|(who, _)| *who != Speaker::Caller) {
        return Err("thread: the last line must be the caller's".into());
    }
    let book = match &raw.expect.book {
        Some(text) => {
            let start = local("expect.book", text)?;
            Some(
                *slots
                    .iter()
                    .find(|s| s.start == start)
                    .ok_or_else(|| format!("expect.book: {text} is not one of the slots"))?,
            )
        }
        None => None,
    };
    if book.is_some() && (raw.expect.no_booking || raw.expect.nothing_booked) {
        return Err("expect: book and no_booking (or nothing_booked) contradict each other".into());
    }
    let max_appointments_per_day = raw
        .max_appointments_per_day
        .unwrap_or_else(|| crate::settings::AssistantSettings::default().max_appointments_per_day);
    if book.is_some() && raw.booked_today >= max_appointments_per_day {
        return Err(format!(
            "expect.book: the conversation already has {} of its {max_appointments_per_day} appointments today, so nothing can be booked",
            raw.booked_today
        ));
    }
    if raw.expect.never_sent.iter().any(|p| p.trim().is_empty()) {
        return Err("expect.never_sent: an empty phrase".into());
    }
    let lead = [
        ("problem", raw.expect.lead.problem),
        ("postcode", raw.expect.lead.postcode),
        ("urgency", raw.expect.lead.urgency),
        ("preferred_time", raw.expect.lead.preferred_time),
    ]
    .into_iter()
    .filter_map(|(field, words)| words.map(|w| (field.to_string(), w.into_vec())))
    .collect();
    let contains: Vec<Vec<String>> = raw
        .expect
        .contains
        .into_iter()
        .map(OneOrMore::into_vec)
        .collect();
    if contains.iter().any(Vec::is_empty) {
        return Err("expect.contains: an empty list of alternatives".into());
    }
    Ok(Case {
        name: name.to_string(),
        about: raw.about,
        facts: Facts {
            business_name: raw.facts.business_name,
            services: raw.facts.services,
            service_area: raw.facts.service_area,
            price_notes: raw.facts.price_notes,
            hours: raw.facts.hours,
        },
        owner_texts: raw.facts.owner_texts,
        tz,
        now,
        slots,
        thread,
        booked_today: raw.booked_today,
        max_appointments_per_day,
        expect: Expect {
            valid: raw.expect.valid,
            contains,
            excludes: raw.expect.excludes,
            lead,
            book,
            no_booking: raw.expect.no_booking,
            never_sent: raw.expect.never_sent,
            nothing_booked: raw.expect.nothing_booked,
        },
    })
}

/// Scores one answer's content against its case.
pub fn score(case: &Case, content: &str) -> CaseScore {
    let parsed = case.verdict(content);
    let said = said(content).to_lowercase();
    let mut checks = Vec::new();
    let mut push = |name: String, failure: Option<String>| {
        checks.push(Check {
            name,
            passed: failure.is_none(),
            detail: failure,
        });
    };
    // The reason an answer is invalid is told once, by the first check.
    let reason = |full: bool| match &parsed {
        Ok(_) => None,
        Err(e) if full => Some(format!("no valid answer: {e}")),
        Err(_) => Some("no valid answer".to_string()),
    };
    let invalid = || reason(!case.expect.valid);

    if case.expect.valid {
        push("valid structured answer".into(), reason(true));
    }
    for alternatives in &case.expect.contains {
        let failure = match &parsed {
            Err(_) => invalid(),
            Ok(answer) => {
                let reply = answer.reply.to_lowercase();
                (!alternatives
                    .iter()
                    .any(|a| reply.contains(&a.to_lowercase())))
                .then(|| "the reply has none of them".to_string())
            }
        };
        push(
            format!("reply mentions one of: {}", alternatives.join(" | ")),
            failure,
        );
    }
    // What must never be said is looked for in everything the model wrote, valid or not.
    for phrase in &case.expect.excludes {
        let failure = said
            .contains(&phrase.to_lowercase())
            .then(|| "it does".to_string());
        push(format!("never says “{phrase}”"), failure);
    }
    for (field, words) in &case.expect.lead {
        let failure = match &parsed {
            Err(_) => invalid(),
            Ok(answer) => {
                let value = match field.as_str() {
                    "problem" => &answer.lead.problem,
                    "postcode" => &answer.lead.postcode,
                    "urgency" => &answer.lead.urgency,
                    _ => &answer.lead.preferred_time,
                };
                match value {
                    None => Some("empty".to_string()),
                    Some(v)
                        if words
                            .iter()
                            .any(|w| v.to_lowercase().contains(&w.to_lowercase())) =>
                    {
                        None
                    }
                    Some(v) => Some(format!("it is “{v}”")),
                }
            }
        };
        push(
            format!("lead {field} has one of: {}", words.join(" | ")),
            failure,
        );
    }
    if let Some(slot) = &case.expect.book {
        let want = slot_text(slot, &case.tz);
        let failure = match &parsed {
            Err(_) => invalid(),
            Ok(answer) if answer.book == Some(*slot) => None,
            Ok(answer) => Some(match answer.book {
                Some(other) => format!("it books {}", slot_text(&other, &case.tz)),
                None => "it books nothing".into(),
            }),
        };
        push(format!("books {want}"), failure);
    }
    if case.expect.no_booking {
        // An invalid answer is never sent, so it books nothing, unless it tried to.
        let named = named_slot(content);
        let failure = match &parsed {
            Ok(answer) => answer
                .book
                .map(|s| format!("it books {}", slot_text(&s, &case.tz))),
            Err(_) => named.map(|n| format!("it tries to book “{n}”")),
        };
        push("books nothing".into(), failure);
    }
    // What the phone would do, once the guards have read the answer.
    for phrase in &case.expect.never_sent {
        let failure = match &parsed {
            Err(_) => None, // Refused: nothing is sent.
            Ok(answer) => holds(&answer.reply, phrase).then(|| "it would".to_string()),
        };
        push(format!("never sends “{phrase}”"), failure);
    }
    if case.expect.nothing_booked {
        let failure = match &parsed {
            Ok(Answer {
                book: Some(slot), ..
            }) => Some(format!("it would book {}", slot_text(slot, &case.tz))),
            _ => None,
        };
        push("the phone books nothing".into(), failure);
    }
    CaseScore {
        name: case.name.clone(),
        checks,
        error: None,
        content: Some(content.to_string()),
    }
}

/// Whether `text` holds `phrase` as whole words (case ignored), or, for a phrase with seven
/// digits or more, holds its digits in a row.
fn holds(text: &str, phrase: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let wanted = digits(phrase);
    if wanted.len() >= 7 {
        return digits(text).contains(&wanted);
    }
    let text = text.to_lowercase();
    let phrase = phrase.to_lowercase();
    let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    text.match_indices(&phrase).any(|(at, found)| {
        edge(text[..at].chars().next_back()) && edge(text[at + found.len()..].chars().next())
    })
}

/// Everything the model wrote, without the JSON's keys (so that "book" is not found in
/// "book_slot"): the text around the object and every string value in it.
fn said(content: &str) -> String {
    fn strings(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            Value::Object(map) => map.values().for_each(|v| strings(v, out)),
            other => out.push(other.to_string()),
        }
    }
    let (Some(start), Some(end)) = (content.find('{'), content.rfind('}')) else {
        return content.to_string();
    };
    let Some(Ok(value)) = content.get(start..=end).map(serde_json::from_str::<Value>) else {
        return content.to_string();
    };
    let mut out = vec![content[..start].to_string()];
    strings(&value, &mut out);
    out.push(content[end + 1..].to_string());
    out.join("\n")
}

/// The `book_slot` the content names, if it names one, read leniently.
fn named_slot(content: &str) -> Option<String> {
    let start = content.find('{')?;
    let end = content.rfind('}')?;
    let value: Value = serde_json::from_str(content.get(start..=end)?).ok()?;
    value
        .get("book_slot")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "null")
        .map(|s| s.chars().take(40).collect())
}

/// The score of a case the model did not answer: every check failed, with the reason.
fn unanswered(case: &Case, reason: String) -> CaseScore {
    let mut score = score(case, "");
    for check in &mut score.checks {
        check.passed = false;
        check.detail = Some("no answer".into());
    }
    score.content = None;
    score.error = Some(reason);
    score
}

/// Sends every case to the model (one at a time, not streamed, with the engine's prompt and
/// answer schema) and scores the answers.
pub async fn run(cases: &[Case], config: &EndpointConfig) -> Report {
    run_with(cases, config, endpoint::MAX_TOKENS, |_| {}).await
}

/// [`run`] with another limit on the answers' length in tokens (quicker on a slow model; a
/// cut-off answer is scored as it is), calling `each` as every case is scored.
pub async fn run_with(
    cases: &[Case],
    config: &EndpointConfig,
    max_tokens: u32,
    mut each: impl FnMut(&CaseScore),
) -> Report {
    let mut report = Report::default();
    for case in cases {
        // What the engine sends: the same prompt and answer schema.
        let messages = prompt_with(
            &case.facts,
            &case.owner_texts,
            case.offered(),
            &case.tz,
            &case.thread,
            case.now,
        );
        let schema = answer_schema(case.offered(), &case.tz);
        let answer =
            endpoint::complete_structured(config, &messages, false, max_tokens, &schema).await;
        let scored = match answer {
            Ok(done) => score(case, &done.content),
            Err(e) => unanswered(case, e.to_string()),
        };
        each(&scored);
        report.cases.push(scored);
    }
    report
}

#[cfg(test)]
mod tests;
