// Over 600 lines, one concept: the assistant's turn, from taking part to its answer.
//! The assistant inside the engine: after an inbound text it decides whether the assistant
//! may take part, and hands out a job (the prompt, built from settings and the thread); the
//! job's answer comes back as [`Engine::assistant_answered`], is validated, and becomes a
//! text (auto), a draft (suggest), a lead card and perhaps an appointment.
//!
//! The engine never waits for the model: jobs are picked up with
//! [`Engine::take_assistant_jobs`] and answered whenever the endpoint answers (the service
//! does this on its own task). Text-backs, replies and reports go on meanwhile, and an
//! answer that arrives after the conversation moved on is dropped.

use std::collections::HashMap;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::outbox::queue_message;
use super::{Engine, EngineError, Outcome};
use crate::assistant::{
    AssistantState, AssistantStatus, Facts, Slot, Speaker, answer_schema, check_booking,
    free_slots, lead_card, parse_answer_with, prompt_with, slot_text, start_of_day, wants_a_person,
};
use crate::conversation::LeadStatus;
use crate::message::{Direction, MessageKind, MessageStatus};
use crate::oplog::op::Field;
use crate::phone::PhoneNumber;
use crate::ports::AssistantJob;
use crate::settings::{AssistantMode, Config};
use crate::store::{ConversationId, DraftSlot};

/// How many messages of the thread the prompt carries.
const THREAD_MESSAGES: u32 = 12;
/// How many free slots the prompt offers.
const OFFERED_SLOTS: usize = 6;
/// How far ahead slots are offered.
const SLOT_DAYS: u32 = 14;

/// What the engine remembers about a job in flight.
#[derive(Debug, Clone)]
struct Waiting {
    id: u64,
    offered: Vec<Slot>,
    facts: Facts,
    owner_texts: Vec<String>,
    auto: bool,
}

/// The engine's assistant bookkeeping (in memory: a job in flight when the phone stops is
/// simply not answered, and the conversation stays with the team).
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    next: u64,
    waiting: HashMap<ConversationId, Waiting>,
    ready: Vec<AssistantJob>,
}

/// The facts the assistant may use, from settings.
pub fn facts(config: &Config) -> Facts {
    let a = &config.settings.assistant;
    let hours = &config.settings.business_hours;
    let days = [
        ("Mon", &hours.mon),
        ("Tue", &hours.tue),
        ("Wed", &hours.wed),
        ("Thu", &hours.thu),
        ("Fri", &hours.fri),
        ("Sat", &hours.sat),
        ("Sun", &hours.sun),
    ];
    let hours_text = days
        .iter()
        .map(|(day, spans)| {
            if spans.is_empty() {
                format!("{day} closed")
            } else {
                format!("{day} {}", spans.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    Facts {
        business_name: config.business_name().to_string(),
        services: a.services.clone(),
        service_area: a.service_area.clone(),
        price_notes: a.price_notes.clone(),
        hours: hours_text,
    }
}

/// The other texts the owner wrote for callers, from settings: the templates, the hand-off
/// text, keyword answers, follow-ups and quick replies. A link, e-mail address, phone
/// number or promise written there may be repeated by the assistant.
pub fn owner_texts(config: &Config) -> Vec<String> {
    let a = &config.settings.assistant;
    let t = &config.settings.templates;
    [
        &t.business_hours,
        &t.after_hours,
        &t.opt_out_confirmation,
        &t.opt_in_confirmation,
        &t.help,
        &a.handoff_text,
    ]
    .into_iter()
    .chain(config.settings.keyword_replies.iter().map(|k| &k.body))
    .chain(config.settings.follow_ups.iter().map(|f| &f.body))
    .chain(config.settings.quick_replies.iter())
    .cloned()
    .collect()
}

/// Whether two texts say the same words (white space aside): how a sent reply is matched
/// with the draft it was filled with.
fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

impl Engine {
    /// A key from the phone's own starting settings (onboarding, a simulated phone's
    /// settings file), kept for the server of the settings in force while the phone has
    /// never had a key: one set or removed later (from a desktop) is not overridden.
    pub fn start_with_key(&mut self, key: &crate::secret::Secret) -> Result<(), EngineError> {
        let Some(settings) = self.config.as_ref().map(|c| c.settings.clone()) else {
            return Ok(());
        };
        if self.store.reader().assistant_key_state()?.is_some() {
            return Ok(());
        }
        self.replace_settings_and_key(settings, Some(crate::secret::KeyChange::Set(key.clone())))
    }

    /// The questions for the model that are ready to be asked; each is handed out once.
    pub fn take_assistant_jobs(&mut self) -> Vec<AssistantJob> {
        std::mem::take(&mut self.jobs.ready)
    }

    fn set_assistant(
        &mut self,
        conversation: ConversationId,
        status: AssistantStatus,
        reason: &str,
        now: Timestamp,
    ) -> Result<Outcome, EngineError> {
        let state = AssistantState {
            status,
            reason: reason.to_string(),
            at_ms: now.as_millisecond(),
        };
        self.store.write(now, "assistant_state", |tx| {
            tx.set_field(conversation, Field::Assistant(state))
        })?;
        Ok(self.assistant_outcome(conversation, status, reason, None, None, now))
    }

    /// [`Self::set_assistant`], without a write when the conversation already stands there
    /// for the same reason: a caller texting on past a cap adds no op per text.
    fn set_assistant_once(
        &mut self,
        conversation: ConversationId,
        status: AssistantStatus,
        reason: &str,
        now: Timestamp,
    ) -> Result<Outcome, EngineError> {
        let current = self
            .store
            .conversation(conversation)?
            .and_then(|c| c.assistant);
        if current.is_some_and(|s| s.status == status && s.reason == reason) {
            return Ok(self.assistant_outcome(conversation, status, reason, None, None, now));
        }
        self.set_assistant(conversation, status, reason, now)
    }

    /// Whether an appointment already holds any of `slot`.
    fn slot_taken(&self, slot: &Slot) -> Result<bool, EngineError> {
        // Every appointment that overlaps it ends after it starts, and those come first.
        Ok(self.store.appointments(slot.start, 1_000)?.iter().any(|a| {
            slot.overlaps(&Slot {
                start: a.start,
                end: a.end,
            })
        }))
    }

    fn assistant_outcome(
        &self,
        conversation: ConversationId,
        status: AssistantStatus,
        reason: &str,
        draft: Option<String>,
        booked: Option<String>,
        at: Timestamp,
    ) -> Outcome {
        let to = self
            .store
            .reader()
            .conversation_address(conversation)
            .ok()
            .flatten()
            .map(|(number, _)| number)
            .unwrap_or_default();
        Outcome::Assistant {
            at,
            to,
            status,
            reason: reason.to_string(),
            draft,
            booked,
        }
    }

    /// Questions in flight when the phone stopped are not answered: their conversations
    /// are the team's, and the desktop says why.
    pub(super) fn assistant_restarted(&mut self, now: Timestamp) -> Result<(), EngineError> {
        for conversation in self.store.assistant_in(AssistantStatus::Thinking)? {
            self.set_assistant(
                conversation,
                AssistantStatus::NeedsTeam,
                "the phone restarted before the assistant answered. The conversation is yours to answer.",
                now,
            )?;
        }
        Ok(())
    }

    /// Whether a person has taken this conversation over.
    fn handed_off(&self, conversation: ConversationId) -> Result<bool, EngineError> {
        Ok(self
            .store
            .conversation(conversation)?
            .and_then(|c| c.assistant)
            .is_some_and(|s| s.status == AssistantStatus::HandedOff))
    }

    /// A person answered (from a desktop or the phone): its draft goes and an answer in
    /// flight is dropped. In auto mode the assistant steps out of this conversation; in
    /// suggest mode a person sends every text anyway, so it goes on drafting.
    pub(super) fn person_took_over(
        &mut self,
        conversation: ConversationId,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        self.jobs.waiting.remove(&conversation);
        // A draft's slot is booked only by sending that draft (see `draft_sent`).
        if self
            .store
            .reader()
            .assistant_draft_slot(conversation)?
            .is_some()
        {
            self.store
                .write(now, "assistant_draft_slot_dropped", |tx| {
                    tx.set_assistant_draft_slot(conversation, None, now)
                })?;
        }
        let Some(detail) = self.store.conversation(conversation)? else {
            return Ok(());
        };
        let suggesting = self
            .config
            .as_ref()
            .is_some_and(|c| c.settings.assistant.mode == AssistantMode::Suggest);
        if suggesting {
            let thinking = detail
                .assistant
                .as_ref()
                .is_some_and(|s| s.status == AssistantStatus::Thinking);
            if !detail.draft.is_empty() || thinking {
                self.store.write(now, "assistant_draft_used", |tx| {
                    tx.set_field(conversation, Field::Draft(String::new()))?;
                    if thinking {
                        tx.set_field(
                            conversation,
                            Field::Assistant(AssistantState {
                                status: AssistantStatus::Drafted,
                                reason: "a person replied before its draft was ready".into(),
                                at_ms: now.as_millisecond(),
                            }),
                        )?;
                    }
                    Ok(())
                })?;
            }
            return Ok(());
        }
        let took_part = detail
            .assistant
            .as_ref()
            .is_some_and(|s| s.status != AssistantStatus::HandedOff);
        let on = self
            .config
            .as_ref()
            .is_some_and(|c| c.settings.assistant.mode != AssistantMode::Off);
        // It steps out where it took part, and (when on) where it has not yet: a person got
        // there first.
        let steps_out = took_part || (on && detail.assistant.is_none());
        if !steps_out {
            return Ok(());
        }
        let state = AssistantState {
            status: AssistantStatus::HandedOff,
            reason: crate::assistant::PERSON_REPLIED.into(),
            at_ms: now.as_millisecond(),
        };
        let clear_draft = !detail.draft.is_empty();
        self.store.write(now, "assistant_handed_off", |tx| {
            tx.set_field(conversation, Field::Assistant(state))?;
            if clear_draft {
                tx.set_field(conversation, Field::Draft(String::new()))?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// A likely opt-out: an answer in flight is dropped, and where the assistant took part
    /// the team is told the conversation is theirs.
    pub(super) fn assistant_paused(
        &mut self,
        conversation: ConversationId,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        self.jobs.waiting.remove(&conversation);
        let took_part = self
            .store
            .conversation(conversation)?
            .and_then(|c| c.assistant)
            .is_some_and(|s| s.status != AssistantStatus::HandedOff);
        if took_part {
            self.set_assistant(
                conversation,
                AssistantStatus::NeedsTeam,
                "the caller may have asked not to be texted; automatic texts are paused until someone decides",
                now,
            )?;
        }
        Ok(())
    }

    /// After an inbound text in a conversation with a number: hand off, or ask the model.
    pub(super) fn assistant_after_inbound(
        &mut self,
        conversation: ConversationId,
        number: &PhoneNumber,
        body: &str,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, EngineError> {
        let Some(config) = self.config.as_ref() else {
            return Ok(Vec::new());
        };
        let settings = &config.settings.assistant;
        if settings.mode == AssistantMode::Off {
            return Ok(Vec::new());
        }
        let reader = self.store.reader();
        // Never for a number that opted out, is paused for the team, or is blocked.
        if reader.is_opted_out(number.as_str())?
            || reader.automation_paused(number.as_str())?
            || config.block_list.contains(number)
        {
            return Ok(Vec::new());
        }
        if self.handed_off(conversation)? {
            return Ok(Vec::new());
        }
        let auto = settings.mode == AssistantMode::Auto
            && !(settings.auto_only_after_hours && config.hours.is_open(now, &config.timezone));
        let sent_today = self
            .store
            .assistant_texts_since(conversation, start_of_day(&config.timezone, now))?;
        let capped = sent_today >= settings.max_texts_per_day;
        if wants_a_person(body) {
            self.jobs.waiting.remove(&conversation);
            let handoff = config.handoff_template.render(config.business_name(), None);
            let state = AssistantState {
                status: AssistantStatus::HandedOff,
                reason: "the caller asked for a person".into(),
                at_ms: now.as_millisecond(),
            };
            tracing::info!(
                conversation = conversation.0,
                "assistant: the caller asked for a person"
            );
            let reason = state.reason.clone();
            self.store.write(now, "assistant_handed_off", |tx| {
                tx.set_field(conversation, Field::Assistant(state))?;
                tx.set_field(conversation, Field::Draft(String::new()))?;
                // Said once, by itself only in auto mode and within the daily cap.
                if auto && !capped {
                    queue_message(tx, conversation, MessageKind::Assistant, &handoff, now, now)?;
                }
                Ok(())
            })?;
            return Ok(vec![self.assistant_outcome(
                conversation,
                AssistantStatus::HandedOff,
                &reason,
                None,
                None,
                now,
            )]);
        }
        let day_start = start_of_day(&config.timezone, now);
        let asked_today = reader.assistant_questions(conversation, day_start)?;
        let reason = if capped {
            Some(format!(
                "it sent its {} texts for today in this conversation",
                settings.max_texts_per_day
            ))
        } else if asked_today >= settings.max_model_calls_per_day {
            Some(format!(
                "it reached its {} questions to the model for today in this conversation; the conversation is yours until tomorrow",
                settings.max_model_calls_per_day
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            self.jobs.waiting.remove(&conversation);
            return Ok(vec![self.set_assistant_once(
                conversation,
                AssistantStatus::DailyLimit,
                &reason,
                now,
            )?]);
        }
        // Past the day's bookings, no slot is offered (and none can be booked).
        let may_book = reader.appointments_booked_since(conversation, day_start)?
            < settings.max_appointments_per_day;
        let facts = facts(config);
        let owner_texts = owner_texts(config);
        let booked: Vec<Slot> = self
            .store
            .appointments(now, 1_000)?
            .into_iter()
            .map(|a| Slot {
                start: a.start,
                end: a.end,
            })
            .collect();
        let offered = if may_book {
            free_slots(
                &config.availability,
                &config.timezone,
                SignedDuration::from_mins(i64::from(settings.slot_minutes)),
                now,
                SLOT_DAYS,
                &booked,
                OFFERED_SLOTS,
            )
        } else {
            Vec::new()
        };
        let reader = self.store.reader();
        let mut thread: Vec<(Speaker, String)> = Vec::new();
        for m in self
            .store
            .thread_page(conversation, None, THREAD_MESSAGES)?
            .into_iter()
            .filter(|m| !matches!(m.status, MessageStatus::Failed | MessageStatus::Cancelled))
        {
            let who = match m.direction {
                Direction::Inbound => Speaker::Caller,
                Direction::Outbound => Speaker::Business,
            };
            // A picture message reads as its text and "[photo]": the model never gets the
            // picture, so it cannot claim to have looked at it.
            let attachments = reader.attachments(m.id)?;
            thread.push((who, super::mms::text_for_assistant(&m.body, &attachments)));
        }
        thread.reverse();
        let messages = prompt_with(
            &facts,
            &owner_texts,
            &offered,
            &config.timezone,
            &thread,
            now,
        );
        let schema = answer_schema(&offered, &config.timezone);
        self.jobs.next += 1;
        let id = self.jobs.next;
        let job = AssistantJob {
            id,
            conversation,
            messages,
            schema,
            base_url: settings.base_url.trim().to_string(),
            model: settings.model.trim().to_string(),
            // From the phone's secret store, and only for the server it was given for.
            api_key: self
                .store
                .reader()
                .assistant_key_for(&settings.base_url)?
                .map(|key| key.expose().to_string())
                .unwrap_or_default(),
            timeout: Duration::from_secs(u64::from(settings.timeout_seconds)),
        };
        // A newer text supersedes a question still in flight: its answer will be dropped.
        self.jobs.waiting.insert(
            conversation,
            Waiting {
                id,
                offered,
                facts,
                owner_texts,
                auto,
            },
        );
        self.jobs.ready.push(job);
        // Counted as it is handed out, in the phone's own table: the cap holds across a
        // restart, and the count adds nothing to the op log.
        let thinking = AssistantState {
            status: AssistantStatus::Thinking,
            reason: "writing an answer".into(),
            at_ms: now.as_millisecond(),
        };
        self.store.write(now, "assistant_state", |tx| {
            tx.count_assistant_question(conversation, day_start)?;
            tx.set_field(conversation, Field::Assistant(thinking))
        })?;
        Ok(Vec::new()) // "Thinking" is no news for the owner.
    }

    /// The model's answer to job `id` (its content), or why there is none (a sentence for
    /// the team). Validated; then sent (auto), drafted (suggest), and the lead card and any
    /// booking recorded. An answer that does not validate is not sent.
    pub fn assistant_answered(
        &mut self,
        id: u64,
        conversation: ConversationId,
        answer: Result<String, String>,
    ) -> Result<Vec<Outcome>, EngineError> {
        let now = self.now();
        let Some(waiting) = self.jobs.waiting.get(&conversation).cloned() else {
            return Ok(Vec::new()); // Dropped: a person took over, or the phone restarted.
        };
        if waiting.id != id {
            return Ok(Vec::new()); // Superseded by a newer text.
        }
        self.jobs.waiting.remove(&conversation);
        let Some(config) = self.config.as_ref() else {
            return Ok(Vec::new());
        };
        if config.settings.assistant.mode == AssistantMode::Off {
            return Ok(Vec::new());
        }
        let max_per_day = config.settings.assistant.max_texts_per_day;
        let max_appointments = config.settings.assistant.max_appointments_per_day;
        let tz = config.timezone.clone();
        let day_start = start_of_day(&config.timezone, now);
        let Some(detail) = self.store.conversation(conversation)? else {
            return Ok(Vec::new());
        };
        if detail.opted_out_since.is_some()
            || detail.opt_out_review.is_some_and(|r| r.state.pauses())
            || detail
                .assistant
                .as_ref()
                .is_some_and(|s| s.status == AssistantStatus::HandedOff)
        {
            return Ok(Vec::new());
        }
        let content = match answer {
            Ok(content) => content,
            Err(why) => {
                tracing::warn!(
                    conversation = conversation.0,
                    "assistant: no answer from the endpoint"
                );
                let reason = format!("{why} The conversation is yours to answer.");
                return Ok(vec![self.set_assistant(
                    conversation,
                    AssistantStatus::NeedsTeam,
                    &reason,
                    now,
                )?]);
            }
        };
        let booked_today = self
            .store
            .reader()
            .appointments_booked_since(conversation, day_start)?;
        let checked = parse_answer_with(
            &content,
            &waiting.offered,
            &tz,
            &waiting.facts,
            &waiting.owner_texts,
        )
        .and_then(|a| check_booking(&a, booked_today, max_appointments).map(|()| a));
        let mut answer = match checked {
            Ok(answer) => answer,
            Err(error) => {
                // The kind only: the refused words may hold a number or a link.
                tracing::warn!(
                    conversation = conversation.0,
                    refusal = error.kind(),
                    "assistant: answer refused"
                );
                let reason = format!(
                    "its answer was not sent: {error}. The conversation is yours to answer."
                );
                return Ok(vec![self.set_assistant(
                    conversation,
                    AssistantStatus::NeedsTeam,
                    &reason,
                    now,
                )?]);
            }
        };
        // The slot may have been booked meanwhile (another conversation, another answer).
        if let Some(slot) = answer.book
            && (slot.start < now || self.slot_taken(&slot)?)
        {
            let reason = "its answer was not sent: the slot it booked is no longer free. The conversation is yours to answer.";
            return Ok(vec![self.set_assistant(
                conversation,
                AssistantStatus::NeedsTeam,
                reason,
                now,
            )?]);
        }
        let capped = waiting.auto
            && self.store.assistant_texts_since(conversation, day_start)? >= max_per_day;
        if capped {
            let reason = format!("it sent its {max_per_day} texts for today in this conversation");
            return Ok(vec![self.set_assistant(
                conversation,
                AssistantStatus::DailyLimit,
                &reason,
                now,
            )?]);
        }
        let lead = detail.lead.merged(&answer.lead);
        let card = lead_card(&lead);
        let auto = waiting.auto;
        // Only auto mode books by itself; a draft's slot waits for a person to send it.
        let proposed = answer.book.take();
        let book = if auto { proposed } else { None };
        let reply = answer.reply;
        let (status, reason) = match (auto, proposed) {
            (true, _) => (AssistantStatus::Answered, "answered by itself".to_string()),
            (false, None) => (
                AssistantStatus::Drafted,
                "wrote a draft for you to send".to_string(),
            ),
            (false, Some(slot)) => (
                AssistantStatus::Drafted,
                format!(
                    "wrote a draft for you to send; sending it as written books {}",
                    slot_text(&slot, &tz)
                ),
            ),
        };
        self.store.write(now, "assistant_answered", |tx| {
            if lead != detail.lead {
                tx.set_field(conversation, Field::Lead(lead.clone()))?;
            }
            if let Some(slot) = &book {
                tx.book_appointment(conversation, slot, &card, now)?;
                tx.set_field(conversation, Field::LeadStatus(LeadStatus::Booked))?;
            }
            if auto {
                queue_message(tx, conversation, MessageKind::Assistant, &reply, now, now)?;
            } else {
                tx.set_field(conversation, Field::Draft(reply.clone()))?;
                let kept = proposed.map(|slot| DraftSlot {
                    draft: reply.clone(),
                    slot,
                });
                tx.set_assistant_draft_slot(conversation, kept.as_ref(), now)?;
            }
            tx.set_field(
                conversation,
                Field::Assistant(AssistantState {
                    status,
                    reason: reason.clone(),
                    at_ms: now.as_millisecond(),
                }),
            )
        })?;
        if book.is_some() {
            tracing::info!(
                conversation = conversation.0,
                "assistant: appointment booked"
            );
        }
        let mut out = vec![self.assistant_outcome(
            conversation,
            status,
            &reason,
            (!auto).then_some(reply),
            book.map(|slot| slot_text(&slot, &tz)),
            now,
        )];
        out.extend(self.run_due()?);
        Ok(out)
    }

    /// A person sent `body` in `conversation` (from a desktop). When the assistant's draft
    /// there proposes a slot and `body` is that draft, word for word (white space aside),
    /// and the draft is still the one shown, the slot is booked now, if it is still free,
    /// still ahead and within the day's most appointments; otherwise the team is told why
    /// not. Either way the proposal is spent: a draft's slot is booked by sending that draft,
    /// once, and never by the model alone.
    pub(super) fn draft_sent(
        &mut self,
        conversation: ConversationId,
        body: &str,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, EngineError> {
        let Some(proposed) = self.store.reader().assistant_draft_slot(conversation)? else {
            return Ok(Vec::new());
        };
        let detail = self.store.conversation(conversation)?;
        let config = self.config.as_ref();
        let (Some(detail), Some(config)) = (detail, config) else {
            self.store
                .write(now, "assistant_draft_slot_dropped", |tx| {
                    tx.set_assistant_draft_slot(conversation, None, now)
                })?;
            return Ok(Vec::new());
        };
        let tz = config.timezone.clone();
        let max = config.settings.assistant.max_appointments_per_day;
        let slot = proposed.slot;
        let named = slot_text(&slot, &tz);
        let shown = same_words(&detail.draft, &proposed.draft);
        let sent_as_drafted = shown && same_words(body, &proposed.draft);
        let booked_today = self
            .store
            .reader()
            .appointments_booked_since(conversation, start_of_day(&tz, now))?;
        // What the team is told, and whether the slot is booked.
        let (status, reason, book) = if !shown {
            (None, String::new(), false) // Dismissed or replaced: nothing was proposed.
        } else if !sent_as_drafted {
            (
                Some(AssistantStatus::Drafted),
                format!(
                    "its draft was changed before it was sent, so the slot it proposed ({named}) was not booked"
                ),
                false,
            )
        } else if slot.start < now || self.slot_taken(&slot)? {
            (
                Some(AssistantStatus::NeedsTeam),
                format!(
                    "you sent its draft, but the slot it proposed ({named}) is no longer free, so nothing was booked; agree another time with the caller"
                ),
                false,
            )
        } else if booked_today >= max {
            (
                Some(AssistantStatus::NeedsTeam),
                format!(
                    "you sent its draft, but this conversation already has the {max} appointment(s) a day it may book, so {named} was not booked"
                ),
                false,
            )
        } else {
            (
                Some(AssistantStatus::Drafted),
                format!("booked {named}: you sent its draft"),
                true,
            )
        };
        let card = lead_card(&detail.lead);
        self.store.write(now, "assistant_draft_sent", |tx| {
            tx.set_assistant_draft_slot(conversation, None, now)?;
            if book {
                tx.book_appointment(conversation, &slot, &card, now)?;
                tx.set_field(conversation, Field::LeadStatus(LeadStatus::Booked))?;
            }
            if let Some(status) = status {
                tx.set_field(
                    conversation,
                    Field::Assistant(AssistantState {
                        status,
                        reason: reason.clone(),
                        at_ms: now.as_millisecond(),
                    }),
                )?;
            }
            Ok(())
        })?;
        let Some(status) = status else {
            return Ok(Vec::new());
        };
        if book {
            tracing::info!(
                conversation = conversation.0,
                "assistant: appointment booked as its draft was sent"
            );
        }
        Ok(vec![self.assistant_outcome(
            conversation,
            status,
            &reason,
            None,
            book.then_some(named),
            now,
        )])
    }
}

#[cfg(test)]
mod tests;
