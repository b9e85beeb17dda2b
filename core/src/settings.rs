// Over 600 lines, one concept: the settings document and the checks beside each field.
//! The settings document the phone obeys and the desktop edits.
//!
//! [`Settings`] is the JSON document as people write it (every key optional, defaults filled
//! in); [`Config`] is that document checked and compiled for the rules. Nothing reaches the
//! engine unchecked: invalid settings are refused whole and the last good ones stay in force.

mod hours;

use std::collections::HashSet;

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::call::CallOutcome;
use crate::outbound;
use crate::phone::{PhoneNumber, Region};
use crate::template::{RenderContext, Template, TemplateError};

pub use hours::{HoursError, WeekHours};

/// Inbound words that opt a number out of automated texts, and that opt it back in (how
/// they are read is in [`crate::opt_out`]).
pub use crate::opt_out::{START_WORDS, STOP_WORDS};
/// Inbound words that ask for the help text.
pub const HELP_WORDS: [&str; 2] = ["HELP", "INFO"];

/// Most follow-ups the settings may hold.
pub const MAX_FOLLOW_UPS: usize = 5;
/// Most keyword replies the settings may hold.
pub const MAX_KEYWORD_REPLIES: usize = 50;
/// Longest business name, in characters.
pub const MAX_BUSINESS_NAME_CHARS: usize = 100;
/// The first name templates are checked with: a long one, so a text that fits with it fits
/// with nearly every caller's.
const LONG_FIRST_NAME: &str = "Maximiliana-Josefina";

/// Most quick replies the settings may hold.
pub const MAX_QUICK_REPLIES: usize = 50;
/// Longest quick reply, in characters.
pub const MAX_QUICK_REPLY_CHARS: usize = 1_000;

/// The settings document, as stored and synced (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The name callers know the business by.
    pub business_name: String,
    /// ISO country code used to read national numbers ("US").
    pub region: String,
    /// IANA time zone of the business hours ("America/New_York").
    pub timezone: String,
    /// When and how a missed call gets a text.
    pub text_back: TextBack,
    /// The automated messages.
    pub templates: Templates,
    /// Opening hours per weekday, "HH:MM-HH:MM" intervals in local time.
    pub business_hours: BusinessHours,
    /// Texts sent some hours after a text-back when the caller stays silent.
    pub follow_ups: Vec<FollowUp>,
    /// Automatic answers to single-word texts.
    pub keyword_replies: Vec<KeywordReply>,
    /// Numbers that never get an automated text.
    pub block_list: Vec<String>,
    /// Volume limits.
    pub limits: Limits,
    /// How the phone and the desktops reach each other.
    pub sync: SyncSettings,
    /// Answers the team sends often, offered in the desktop's composer (at most 50, each
    /// at most 1,000 characters).
    pub quick_replies: Vec<String>,
    /// The AI follow-up: off, drafting, or answering by itself.
    pub assistant: AssistantSettings,
}

/// How the assistant takes part in conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AssistantMode {
    /// Never (the default).
    #[default]
    Off,
    /// It writes a draft for each inbound text; a person sends it.
    Suggest,
    /// It answers by itself, within the guardrails.
    Auto,
}

/// The assistant part of the settings. What it may say comes from here, never from the
/// model. Its API key is not here: that stays on the phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct AssistantSettings {
    /// Off, suggest or auto.
    pub mode: AssistantMode,
    /// In auto mode, answer by itself only outside business hours (drafts inside them).
    pub auto_only_after_hours: bool,
    /// The OpenAI-compatible chat-completions endpoint's base URL
    /// ("http://127.0.0.1:8080/v1", "https://api.openai.com/v1").
    pub base_url: String,
    /// The model's name at that endpoint.
    pub model: String,
    /// How long an answer may take before the conversation is left to the team (1–120 s).
    pub timeout_seconds: u32,
    /// Most assistant texts per conversation per day (1–50).
    pub max_texts_per_day: u32,
    /// Most questions to the model per conversation per day, in every mode (1–100): each
    /// inbound text it answers or drafts for is one.
    pub max_model_calls_per_day: u32,
    /// Most appointments the assistant books per conversation per day, in every mode (0–10;
    /// 0: it never offers or books a slot).
    pub max_appointments_per_day: u32,
    /// Services offered, one per entry ("leak repair").
    pub services: Vec<String>,
    /// Postcodes or towns served.
    pub service_area: Vec<String>,
    /// Prices the owner is happy to quote, as written ("call-out fee $89").
    pub price_notes: Vec<String>,
    /// Bookable hours per weekday, "HH:MM-HH:MM"; all days empty means the business hours.
    pub availability: BusinessHours,
    /// Length of a bookable slot in minutes (15–480).
    pub slot_minutes: u32,
    /// Sent once when the caller asks for a person.
    pub handoff_text: String,
}

impl Default for AssistantSettings {
    fn default() -> Self {
        AssistantSettings {
            mode: AssistantMode::Off,
            auto_only_after_hours: false,
            base_url: String::new(),
            model: String::new(),
            timeout_seconds: 10,
            max_texts_per_day: 6,
            max_model_calls_per_day: 12,
            max_appointments_per_day: 1,
            services: Vec::new(),
            service_area: Vec::new(),
            price_notes: Vec::new(),
            availability: BusinessHours::empty(),
            slot_minutes: 60,
            handoff_text: "Of course — someone from {business_name} will get back to you personally as soon as they can.".into(),
        }
    }
}

/// The text-back part of the settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct TextBack {
    /// The master switch.
    pub enabled: bool,
    /// Seconds to wait after the call before texting (0–3600).
    pub delay_seconds: u32,
    /// Call outcomes that get a text.
    pub triggers: Vec<CallOutcome>,
    /// Who gets a text.
    pub audience: Audience,
    /// Hours before the same number can get another text-back (0–720).
    pub cooldown_hours: u32,
    /// Minutes after a text exchange during which a missed call gets no text (0–1440).
    pub quiet_if_texting_minutes: u32,
    /// A call handled later than this after it ended (the app was not running) gets no
    /// text-back: a text hours after the call would confuse more than help (1–1440).
    pub late_window_minutes: u32,
}

/// Which callers get a text-back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Every caller.
    Everyone,
    /// Only callers not in the phone's contacts.
    UnknownOnly,
    /// Only callers in the phone's contacts.
    ContactsOnly,
}

/// The automated message templates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Templates {
    /// Text-back for a call inside business hours.
    pub business_hours: String,
    /// Text-back for a call outside business hours.
    pub after_hours: String,
    /// Confirmation after STOP.
    pub opt_out_confirmation: String,
    /// Confirmation after START.
    pub opt_in_confirmation: String,
    /// Answer to HELP.
    pub help: String,
}

/// Opening hours, one list of intervals per weekday.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub struct BusinessHours {
    pub mon: Vec<String>,
    pub tue: Vec<String>,
    pub wed: Vec<String>,
    pub thu: Vec<String>,
    pub fri: Vec<String>,
    pub sat: Vec<String>,
    pub sun: Vec<String>,
}

/// A follow-up text, measured from when the text-back left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// Hours after the text-back (fractions allowed, up to 720).
    pub after_hours: f64,
    /// The message, with placeholders.
    pub body: String,
}

/// An automatic answer to a one-word text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct KeywordReply {
    /// The word, matched ignoring case and trailing punctuation.
    pub keyword: String,
    /// The answer, with placeholders.
    pub body: String,
}

/// What the phone may send: the outbound policy's settings (see [`crate::outbound`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Most SMS parts that may leave in any 30 minutes, every kind of text counted (1–30:
    /// past 30 Android stops and asks the owner).
    pub max_per_30_minutes: u32,
    /// Most replies one desktop may have sent in any hour (1–120); more wait their turn.
    pub replies_per_desktop_per_hour: u32,
    /// Countries besides the business's own whose numbers may be texted (two-letter codes
    /// such as "CA"); numbers elsewhere are never texted. Premium-rate numbers never are.
    pub allowed_countries: Vec<String>,
    /// The carrier's largest MMS, in KB (50–2000, default 300): a photo attached to a reply
    /// is resized and compressed on the desktop until it fits.
    pub mms_max_kb: u32,
}

/// The smallest MMS size a carrier allows that a photo still fits in, in KB.
pub const MMS_MIN_KB: u32 = 50;
/// The largest MMS size any carrier takes, in KB.
pub const MMS_MAX_KB: u32 = 2000;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            business_name: String::new(),
            region: "US".into(),
            timezone: "America/New_York".into(),
            text_back: TextBack::default(),
            templates: Templates::default(),
            business_hours: BusinessHours::default(),
            follow_ups: Vec::new(),
            keyword_replies: Vec::new(),
            block_list: Vec::new(),
            limits: Limits::default(),
            sync: SyncSettings::default(),
            quick_replies: vec![
                "Thanks! What's the address, and when would suit you?".into(),
                "We can come out tomorrow morning. Does 9am work?".into(),
                "Could you send a photo of the problem?".into(),
            ],
            assistant: AssistantSettings::default(),
        }
    }
}

impl Default for TextBack {
    fn default() -> Self {
        TextBack {
            enabled: true,
            delay_seconds: 0,
            triggers: vec![
                CallOutcome::Missed,
                CallOutcome::Rejected,
                CallOutcome::Voicemail,
            ],
            audience: Audience::Everyone,
            cooldown_hours: 24,
            quiet_if_texting_minutes: 120,
            late_window_minutes: 15,
        }
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            business_hours: "Hey, this is {business_name}, sorry we missed your call! What can we help you with?".into(),
            after_hours: "Hey, this is {business_name}, sorry we missed your call! We're closed right now but will get back to you first thing. What can we help you with?".into(),
            opt_out_confirmation: "You won't get more automated texts from {business_name}. Reply START to opt back in.".into(),
            opt_in_confirmation: "You're opted back in to texts from {business_name}.".into(),
            help: "{business_name}: reply here to reach us. Reply STOP to opt out.".into(),
        }
    }
}

impl BusinessHours {
    /// No hours on any day.
    pub fn empty() -> Self {
        BusinessHours {
            mon: Vec::new(),
            tue: Vec::new(),
            wed: Vec::new(),
            thu: Vec::new(),
            fri: Vec::new(),
            sat: Vec::new(),
            sun: Vec::new(),
        }
    }

    /// Whether every day is empty.
    pub fn is_empty(&self) -> bool {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ]
        .iter()
        .all(|d| d.is_empty())
    }
}

impl Default for BusinessHours {
    fn default() -> Self {
        let day = || vec!["08:00-17:00".to_string()];
        BusinessHours {
            mon: day(),
            tue: day(),
            wed: day(),
            thu: day(),
            fri: day(),
            sat: Vec::new(),
            sun: Vec::new(),
        }
    }
}

/// How devices find each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Network {
    /// iroh's public relays and address lookup: works across mobile data and office NAT
    /// without configuration.
    Default,
    /// A relay the business runs itself (`sync.relay_url`).
    SelfHostedRelay,
    /// Only devices on the same local network, found by local discovery; no relay.
    LanOnly,
}

/// Sync settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct SyncSettings {
    /// How devices find each other.
    pub network: Network,
    /// The self-hosted relay (`https://…`), with `network` = `self_hosted_relay`.
    pub relay_url: String,
    /// A desktop reply that reaches the phone later than this is not sent (1–168 hours).
    pub reply_expiry_hours: u32,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            network: Network::Default,
            relay_url: String::new(),
            reply_expiry_hours: 24,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_per_30_minutes: 25,
            replies_per_desktop_per_hour: 60,
            allowed_countries: Vec::new(),
            mms_max_kb: 300,
        }
    }
}

/// Why a settings document was refused: the field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{field}: {problem}")]
pub struct SettingsError {
    /// Dotted path of the field, e.g. `text_back.delay_seconds` or `business_hours.mon[1]`.
    pub field: String,
    /// What is wrong, as a sentence that says what to do.
    pub problem: String,
}

impl SettingsError {
    fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        SettingsError {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Merges `patch` into `base`: objects merge key by key, anything else (arrays included)
/// replaces, and `null` removes the key so that it takes its default again.
pub fn merge_patch(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    base.remove(key);
                } else if let Some(existing) = base.get_mut(key) {
                    merge_patch(existing, value);
                } else {
                    base.insert(key.clone(), value.clone());
                }
            }
        }
        (base, patch) => *base = patch.clone(),
    }
}

impl Settings {
    /// Reads a settings document from JSON text; missing keys take their defaults.
    pub fn from_json(text: &str) -> Result<Settings, SettingsError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            SettingsError::new(
                "settings",
                format!("is not valid JSON ({e}); check for a missing comma or quote"),
            )
        })?;
        Settings::from_value(&value)
    }

    /// Reads a settings document from a JSON value; missing keys take their defaults.
    pub fn from_value(value: &Value) -> Result<Settings, SettingsError> {
        if !value.is_object() {
            return Err(SettingsError::new(
                "settings",
                "must be a JSON object such as {\"business_name\": \"Acme Plumbing\"}",
            ));
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." || path.is_empty() {
                "settings".to_string()
            } else {
                path
            };
            SettingsError::new(field, plain_serde_message(&e.into_inner().to_string()))
        })
    }

    /// This document with `patch` merged in (objects merge, arrays replace).
    pub fn patched(&self, patch: &Value) -> Result<Settings, SettingsError> {
        let mut value = self.to_value();
        merge_patch(&mut value, patch);
        Settings::from_value(&value)
    }

    /// The document as a JSON value.
    pub fn to_value(&self) -> Value {
        // Serializing plain data to a Value cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// A document saved by an earlier version, brought within today's bounds where they
    /// became tighter (the volume limit, how many follow-ups and keyword replies, the
    /// business name's length), so an upgrade never leaves the phone texting no one.
    pub fn within_bounds(mut self) -> Settings {
        let limits = &mut self.limits;
        limits.max_per_30_minutes = limits
            .max_per_30_minutes
            .clamp(1, outbound::MAX_PARTS_PER_WINDOW);
        self.follow_ups.truncate(MAX_FOLLOW_UPS);
        self.keyword_replies.truncate(MAX_KEYWORD_REPLIES);
        if self.business_name.chars().count() > MAX_BUSINESS_NAME_CHARS {
            self.business_name = self
                .business_name
                .chars()
                .take(MAX_BUSINESS_NAME_CHARS)
                .collect();
        }
        self
    }

    /// Checks every field and compiles the document for the rules.
    pub fn validate(&self) -> Result<Config, SettingsError> {
        Config::compile(self.clone())
    }

    /// Every problem in the document at once (at most 50), so a form can mark each field:
    /// after each refusal the refused field is set aside (an array entry removed, any other
    /// value reset to its default) and the rest checked again.
    pub fn problems(&self) -> Vec<SettingsError> {
        const MAX: usize = 50;
        let defaults = Settings::default().to_value();
        let mut doc = self.to_value();
        let mut found: Vec<SettingsError> = Vec::new();
        while found.len() < MAX {
            let error = match Settings::from_value(&doc).and_then(|s| s.validate()) {
                Ok(_) => break,
                Err(e) => e,
            };
            if found.iter().any(|f| f.field == error.field)
                || !set_aside(&mut doc, &defaults, &error.field)
            {
                found.push(error);
                break;
            }
            found.push(error);
        }
        found
    }
}

/// Removes the array entry or resets the value at a dotted `path` (`a.b[2]`) to the
/// default's; false when the path names nothing that can be set aside.
fn set_aside(doc: &mut Value, defaults: &Value, path: &str) -> bool {
    let mut steps: Vec<(String, Option<usize>)> = Vec::new();
    for part in path.split('.') {
        match part.split_once('[') {
            Some((key, rest)) => {
                let index = rest.trim_end_matches(']').parse::<usize>().ok();
                steps.push((key.to_string(), index));
            }
            None => steps.push((part.to_string(), None)),
        }
    }
    let Some((last_key, last_index)) = steps.pop() else {
        return false;
    };
    let mut here = doc;
    let mut default = Some(defaults);
    for (key, index) in &steps {
        let Some(next) = here.get_mut(key.as_str()) else {
            return false;
        };
        default = default.and_then(|d| d.get(key.as_str()));
        here = match index {
            Some(i) => match next.get_mut(*i) {
                Some(v) => v,
                None => return false,
            },
            None => next,
        };
        default = default.and_then(|d| index.map_or(Some(d), |i| d.get(i)));
    }
    let Some(object) = here.as_object_mut() else {
        return false;
    };
    match last_index {
        Some(i) => match object.get_mut(&last_key).and_then(Value::as_array_mut) {
            Some(array) if i < array.len() => {
                array.remove(i);
                true
            }
            _ => false,
        },
        None => {
            let reset = default.and_then(|d| d.get(last_key.as_str())).cloned();
            match reset {
                Some(value) if object.get(&last_key) != Some(&value) => {
                    object.insert(last_key, value);
                    true
                }
                _ => false,
            }
        }
    }
}

/// Serde's messages mention Rust types; keep what a person can use.
fn plain_serde_message(message: &str) -> String {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_string();
    if message.starts_with("unknown field") {
        format!("{message}; remove it or check its spelling")
    } else {
        message
    }
}

/// A template checked at save time.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedTemplate {
    template: Template,
}

impl CheckedTemplate {
    /// Renders with the business name and, when known, the contact's name.
    pub fn render(&self, business_name: &str, contact_name: Option<&str>) -> String {
        let first = contact_name.and_then(crate::template::first_name);
        self.template.render(&RenderContext {
            business_name,
            first_name: first.as_deref(),
        })
    }
}

/// Settings checked and compiled: what the rules and the engine run on.
#[derive(Debug, Clone)]
pub struct Config {
    /// The document this was compiled from.
    pub settings: Settings,
    /// The region national numbers are read in.
    pub region: Region,
    /// The business's time zone.
    pub timezone: TimeZone,
    /// Opening hours.
    pub hours: WeekHours,
    /// Text-back inside business hours.
    pub business_hours_template: CheckedTemplate,
    /// Text-back outside business hours.
    pub after_hours_template: CheckedTemplate,
    /// Confirmation after STOP.
    pub opt_out_template: CheckedTemplate,
    /// Confirmation after START.
    pub opt_in_template: CheckedTemplate,
    /// Answer to HELP.
    pub help_template: CheckedTemplate,
    /// Follow-ups: delay and body.
    pub follow_ups: Vec<(jiff::SignedDuration, CheckedTemplate)>,
    /// Keywords (upper case) and their answers.
    pub keywords: Vec<(String, CheckedTemplate)>,
    /// Blocked numbers.
    pub block_list: HashSet<PhoneNumber>,
    /// When the assistant may offer appointments (the business hours when none are set).
    pub availability: WeekHours,
    /// The assistant's hand-off text.
    pub handoff_template: CheckedTemplate,
    /// What the phone may send.
    pub limits: outbound::Limits,
}

impl Config {
    fn compile(settings: Settings) -> Result<Config, SettingsError> {
        let region = Region::parse(&settings.region).map_err(|_| {
            SettingsError::new(
                "region",
                format!(
                    "“{}” is not a country code; use the two-letter code of the business's country, such as US, CA or GB",
                    settings.region
                ),
            )
        })?;
        let timezone = TimeZone::get(&settings.timezone).map_err(|_| {
            SettingsError::new(
                "timezone",
                format!(
                    "“{}” is not a known time zone; use a name such as America/New_York or Europe/London",
                    settings.timezone
                ),
            )
        })?;
        let tb = &settings.text_back;
        check_range("text_back.delay_seconds", tb.delay_seconds, 0, 3600)?;
        check_range("text_back.cooldown_hours", tb.cooldown_hours, 0, 720)?;
        check_range(
            "text_back.quiet_if_texting_minutes",
            tb.quiet_if_texting_minutes,
            0,
            1440,
        )?;
        check_range(
            "text_back.late_window_minutes",
            tb.late_window_minutes,
            1,
            1440,
        )?;
        let limits = &settings.limits;
        check_range(
            "limits.max_per_30_minutes",
            limits.max_per_30_minutes,
            1,
            outbound::MAX_PARTS_PER_WINDOW,
        )?;
        check_range(
            "limits.replies_per_desktop_per_hour",
            limits.replies_per_desktop_per_hour,
            1,
            outbound::MAX_REPLIES_PER_HOUR,
        )?;
        check_range(
            "limits.mms_max_kb",
            limits.mms_max_kb,
            MMS_MIN_KB,
            MMS_MAX_KB,
        )?;
        let mut allowed_countries = Vec::new();
        for (i, code) in limits.allowed_countries.iter().enumerate() {
            let country = Region::parse(code).map_err(|_| {
                SettingsError::new(
                    format!("limits.allowed_countries[{i}]"),
                    format!(
                        "“{}” is not a country code; use two letters such as CA or MX",
                        code.chars().take(40).collect::<String>()
                    ),
                )
            })?;
            if country == region {
                return Err(SettingsError::new(
                    format!("limits.allowed_countries[{i}]"),
                    format!(
                        "{code} is the business's own country, whose numbers are always texted; remove it"
                    ),
                ));
            }
            if allowed_countries.contains(&country) {
                return Err(SettingsError::new(
                    format!("limits.allowed_countries[{i}]"),
                    format!("{code} is listed twice; keep one"),
                ));
            }
            allowed_countries.push(country);
        }
        check_range(
            "sync.reply_expiry_hours",
            settings.sync.reply_expiry_hours,
            1,
            168,
        )?;
        check_sync(&settings.sync)?;
        for (i, outcome) in tb.triggers.iter().enumerate() {
            if !outcome.is_trigger_outcome() {
                return Err(SettingsError::new(
                    format!("text_back.triggers[{i}]"),
                    format!(
                        "{} calls cannot trigger a text-back; use missed, rejected or voicemail",
                        outcome.as_str()
                    ),
                ));
            }
        }
        let hours = WeekHours::parse(&settings.business_hours)
            .map_err(|e| SettingsError::new(format!("business_hours.{}", e.field), e.problem))?;

        let name = settings.business_name.trim().to_string();
        if name.chars().count() > MAX_BUSINESS_NAME_CHARS {
            return Err(SettingsError::new(
                "business_name",
                format!(
                    "is longer than {MAX_BUSINESS_NAME_CHARS} characters; use the short name callers know"
                ),
            ));
        }
        let check = |field: &str, source: &str| -> Result<CheckedTemplate, SettingsError> {
            check_template(field, source, &name)
        };
        let t = &settings.templates;
        let business_hours_template = check("templates.business_hours", &t.business_hours)?;
        let after_hours_template = check("templates.after_hours", &t.after_hours)?;
        let opt_out_template = check("templates.opt_out_confirmation", &t.opt_out_confirmation)?;
        let opt_in_template = check("templates.opt_in_confirmation", &t.opt_in_confirmation)?;
        let help_template = check("templates.help", &t.help)?;

        if settings.follow_ups.len() > MAX_FOLLOW_UPS {
            return Err(SettingsError::new(
                "follow_ups",
                format!(
                    "keep at most {MAX_FOLLOW_UPS} follow-ups; more texts to someone who has not answered reads as spam"
                ),
            ));
        }
        let mut follow_ups = Vec::new();
        for (i, f) in settings.follow_ups.iter().enumerate() {
            let field = format!("follow_ups[{i}]");
            if !f.after_hours.is_finite() || f.after_hours <= 0.0 || f.after_hours > 720.0 {
                return Err(SettingsError::new(
                    format!("{field}.after_hours"),
                    format!(
                        "must be more than 0 and at most 720 hours (30 days), not {}",
                        f.after_hours
                    ),
                ));
            }
            let delay = jiff::SignedDuration::from_secs_f64(f.after_hours * 3600.0);
            follow_ups.push((delay, check(&format!("{field}.body"), &f.body)?));
        }

        if settings.keyword_replies.len() > MAX_KEYWORD_REPLIES {
            return Err(SettingsError::new(
                "keyword_replies",
                format!("keep at most {MAX_KEYWORD_REPLIES} keyword replies; remove some"),
            ));
        }
        let mut keywords: Vec<(String, CheckedTemplate)> = Vec::new();
        for (i, k) in settings.keyword_replies.iter().enumerate() {
            let field = format!("keyword_replies[{i}]");
            let word = normalize_keyword(&k.keyword);
            if word.is_empty() {
                return Err(SettingsError::new(
                    format!("{field}.keyword"),
                    "is empty; give the word callers text, such as HOURS",
                ));
            }
            if word.chars().any(char::is_whitespace) {
                return Err(SettingsError::new(
                    format!("{field}.keyword"),
                    format!("“{}” has a space; a keyword is a single word", k.keyword),
                ));
            }
            // Any spelling of an opt-out or opt-in word ("Opt-Out", "bája") is reserved.
            let reserved =
                crate::opt_out::is_reserved(&word) || HELP_WORDS.contains(&word.as_str());
            if reserved {
                return Err(SettingsError::new(
                    format!("{field}.keyword"),
                    format!("{word} is reserved for opt-out, opt-in and help; choose another word"),
                ));
            }
            if keywords.iter().any(|(w, _)| *w == word) {
                return Err(SettingsError::new(
                    format!("{field}.keyword"),
                    format!("{word} is listed twice; keep one answer per keyword"),
                ));
            }
            keywords.push((word, check(&format!("{field}.body"), &k.body)?));
        }

        let mut block_list = HashSet::new();
        for (i, raw) in settings.block_list.iter().enumerate() {
            let number = PhoneNumber::parse(raw, region)
                .map_err(|e| SettingsError::new(format!("block_list[{i}]"), e.to_string()))?;
            block_list.insert(number);
        }

        if settings.quick_replies.len() > MAX_QUICK_REPLIES {
            return Err(SettingsError::new(
                "quick_replies",
                format!(
                    "keep at most {MAX_QUICK_REPLIES} quick replies; remove some you rarely use"
                ),
            ));
        }
        for (i, reply) in settings.quick_replies.iter().enumerate() {
            let field = format!("quick_replies[{i}]");
            if reply.trim().is_empty() {
                return Err(SettingsError::new(
                    field,
                    "this quick reply is empty; write it or remove it",
                ));
            }
            if reply.chars().count() > MAX_QUICK_REPLY_CHARS {
                return Err(SettingsError::new(
                    field,
                    format!(
                        "a quick reply may be at most {MAX_QUICK_REPLY_CHARS} characters; shorten it"
                    ),
                ));
            }
        }

        let a = &settings.assistant;
        check_range("assistant.timeout_seconds", a.timeout_seconds, 1, 120)?;
        check_range("assistant.max_texts_per_day", a.max_texts_per_day, 1, 50)?;
        check_range(
            "assistant.max_model_calls_per_day",
            a.max_model_calls_per_day,
            1,
            100,
        )?;
        check_range(
            "assistant.max_appointments_per_day",
            a.max_appointments_per_day,
            0,
            10,
        )?;
        check_range("assistant.slot_minutes", a.slot_minutes, 15, 480)?;
        if a.mode != AssistantMode::Off {
            let url = a.base_url.trim();
            if url.is_empty() {
                return Err(SettingsError::new(
                    "assistant.base_url",
                    "is empty; give the address of the assistant's server, such as http://127.0.0.1:8080/v1, or turn the assistant off",
                ));
            }
            crate::server_address::check(url)
                .map_err(|e| SettingsError::new("assistant.base_url", e.to_string()))?;
        } else if let Err(e @ crate::server_address::AddressError::PlainHttp { .. }) =
            crate::server_address::check(&a.base_url)
        {
            // Off, a half-typed address may wait; plain http to the open internet may not.
            return Err(SettingsError::new("assistant.base_url", e.to_string()));
        }
        for (field, list) in [
            ("assistant.services", &a.services),
            ("assistant.service_area", &a.service_area),
            ("assistant.price_notes", &a.price_notes),
        ] {
            if list.len() > 100 {
                return Err(SettingsError::new(field, "keep at most 100 entries"));
            }
            for (i, item) in list.iter().enumerate() {
                if item.trim().is_empty() || item.chars().count() > 200 {
                    return Err(SettingsError::new(
                        format!("{field}[{i}]"),
                        "each entry is 1 to 200 characters; write it or remove it",
                    ));
                }
            }
        }
        let availability = if a.availability.is_empty() {
            hours.clone()
        } else {
            WeekHours::parse(&a.availability).map_err(|e| {
                SettingsError::new(format!("assistant.availability.{}", e.field), e.problem)
            })?
        };
        // Said only by the assistant: an empty business name matters once it is on.
        let handoff_template = if a.mode == AssistantMode::Off {
            check_template("assistant.handoff_text", &a.handoff_text, "the business")?
        } else {
            check("assistant.handoff_text", &a.handoff_text)?
        };

        Ok(Config {
            limits: outbound::Limits {
                region,
                allowed_countries,
                parts_per_window: limits.max_per_30_minutes,
                replies_per_hour: limits.replies_per_desktop_per_hour,
            },
            availability,
            handoff_template,
            region,
            timezone,
            hours,
            business_hours_template,
            after_hours_template,
            opt_out_template,
            opt_in_template,
            help_template,
            follow_ups,
            keywords,
            block_list,
            settings,
        })
    }

    /// The business name as texts show it.
    pub fn business_name(&self) -> &str {
        self.settings.business_name.trim()
    }

    /// The keyword answer for an inbound text that is exactly a configured keyword.
    pub fn keyword(&self, word: &str) -> Option<&CheckedTemplate> {
        self.keywords
            .iter()
            .find(|(w, _)| w == word)
            .map(|(_, t)| t)
    }
}

/// Upper-cases a word after trimming white space and trailing punctuation, the way inbound
/// texts are compared with keywords.
pub fn normalize_keyword(text: &str) -> String {
    text.trim()
        .trim_end_matches(|c: char| {
            c.is_ascii_punctuation() || c.is_whitespace() || is_other_punctuation(c)
        })
        .trim()
        .to_uppercase()
}

/// Punctuation beyond ASCII that people type after a word ("stop…", "stop！", "stop。").
fn is_other_punctuation(c: char) -> bool {
    matches!(
        c,
        '…' | '¡' | '¿' | '。' | '！' | '？' | '،' | '؟' | '«' | '»' | '“' | '”' | '‘' | '’'
    )
}

fn check_sync(sync: &SyncSettings) -> Result<(), SettingsError> {
    let url = sync.relay_url.trim();
    match sync.network {
        Network::SelfHostedRelay if url.is_empty() => Err(SettingsError::new(
            "sync.relay_url",
            "is needed for a self-hosted relay: enter its address, like https://relay.example.com",
        )),
        Network::SelfHostedRelay
            if !(url.starts_with("https://") || url.starts_with("http://"))
                || url.contains(char::is_whitespace)
                || url.len() < "http://x".len() =>
        {
            Err(SettingsError::new(
                "sync.relay_url",
                format!(
                    "“{url}” is not a relay address; it should look like https://relay.example.com"
                ),
            ))
        }
        _ => Ok(()),
    }
}

fn check_range(field: &str, value: u32, min: u32, max: u32) -> Result<(), SettingsError> {
    if value < min || value > max {
        return Err(SettingsError::new(
            field,
            format!("must be between {min} and {max}, not {value}"),
        ));
    }
    Ok(())
}

fn check_template(
    field: &str,
    source: &str,
    business_name: &str,
) -> Result<CheckedTemplate, SettingsError> {
    let template = Template::parse(source).map_err(|e| template_error(field, e))?;
    if business_name.is_empty() && template.uses_business_name() {
        // The fix is in the name, not in the template that uses it.
        return Err(SettingsError::new(
            "business_name",
            "is empty, but the templates use {business_name}; enter the name callers know the business by",
        ));
    }
    if template.renders_empty(business_name) {
        return Err(SettingsError::new(
            field,
            "would send an empty text; write the message callers should get",
        ));
    }
    let checked = CheckedTemplate { template };
    let parts = crate::sms::count(&checked.render(business_name, Some(LONG_FIRST_NAME))).segments;
    if parts > outbound::MAX_PARTS {
        return Err(SettingsError::new(
            field,
            format!(
                "would be {parts} SMS parts long; keep it within {} (about {} plain characters)",
                outbound::MAX_PARTS,
                outbound::MAX_PARTS * 153
            ),
        ));
    }
    Ok(checked)
}

fn template_error(field: &str, error: TemplateError) -> SettingsError {
    SettingsError::new(field, error.to_string())
}

#[cfg(test)]
mod tests;
