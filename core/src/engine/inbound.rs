//! Inbound texts: a caller's text read (opt-out, help, a reply to hand over to the
//! assistant or a person) and recorded, and the owner's own texts from the phone's
//! messaging app.

use jiff::SignedDuration;

use super::mms::MmsParts;
use super::opt_out;
use super::outbox::{cancel_queued, queue_message};
use super::{Engine, EngineError, InboundSms, Outcome, OwnerSms};
use crate::message::{Direction, MessageKind, MessageStatus};
use crate::phone::{Sender, classify};
use crate::rules::{InboundIntent, SkipReason, read_inbound};
use crate::settings::CheckedTemplate;
use crate::store::NewMessage;

impl Engine {
    /// How far apart Ringback's own send and the provider's copy of it may be.
    const OWN_COPY_WINDOW: SignedDuration = SignedDuration::from_hours(24);

    pub(super) fn owner_texted(&mut self, sms: OwnerSms) -> Result<(), EngineError> {
        let region = self.config.as_ref().map(|c| c.region).unwrap_or_default();
        let Sender::Number(number) = classify(&sms.to, region) else {
            return Ok(()); // Short codes and the like are no lead's conversation.
        };
        let took_over = self.store.write(sms.at, "owner_texted", |tx| {
            let reader = tx.reader();
            // Only a number Ringback already talks with: the owner's private texts stay private.
            let Some((_, known_line)) = reader.latest_conversation(number.as_str())? else {
                return Ok(None);
            };
            let since = sms.at - Self::OWN_COPY_WINDOW;
            if reader.sent_by_ringback(number.as_str(), &sms.body, since)? {
                return Ok(None); // The provider's copy of a text Ringback sent.
            }
            let line = if reader.has_conversation(&sms.line, number.as_str())? {
                sms.line.clone()
            } else {
                known_line
            };
            let conversation = tx.touch_conversation(&line, number.as_str(), sms.at)?;
            let inserted = tx.insert_message(&NewMessage {
                conversation_id: conversation,
                direction: Direction::Outbound,
                kind: MessageKind::FromPhone,
                body: &sms.body,
                status: MessageStatus::Sent,
                created_at: sms.at,
                due_at: None,
                left_at: Some(sms.at),
                source_id: Some(&sms.source_id),
                failure: None,
            })?;
            if inserted.is_some() {
                tracing::info!(to = %number.masked(), "owner texted from the phone's messaging app");
                // The owner is talking with them: no automatic follow-up on top.
                cancel_queued(
                    tx,
                    &number,
                    &[MessageKind::FollowUp],
                    SkipReason::InConversation,
                    sms.at,
                )?;
                return Ok(Some(conversation));
            }
            Ok(None)
        })?;
        if let Some(conversation) = took_over {
            self.person_took_over(conversation, sms.at)?;
        }
        Ok(())
    }

    pub(super) fn receive(&mut self, sms: InboundSms) -> Result<Vec<Outcome>, EngineError> {
        self.receive_inbound(sms, None)
    }

    /// A caller's text, or (with `parts`) a picture message's text and attachments.
    pub(super) fn receive_inbound(
        &mut self,
        sms: InboundSms,
        parts: Option<&MmsParts>,
    ) -> Result<Vec<Outcome>, EngineError> {
        let region = self.config.as_ref().map(|c| c.region).unwrap_or_default();
        let sender = classify(&sms.from, region);
        // One span per inbound text (the engine is synchronous: no await while it is
        // entered); the number masked, the body never logged.
        let span = tracing::info_span!("inbound_text", from = %sender.masked());
        let _in_text = span.enter();
        let key = match &sender {
            Sender::Number(n) => n.as_str().to_string(),
            Sender::Withheld => "withheld".to_string(),
            other => other.shown(sms.from.trim()),
        };
        let config = self.config.as_ref();
        let mut ask = None;
        let mut paused = None;
        let mut outcomes = self.store.write(sms.at, "sms_received", |tx| {
            let conversation = tx.touch_conversation(&sms.line, &key, sms.at)?;
            let inserted = tx.insert_message(&NewMessage {
                conversation_id: conversation,
                direction: Direction::Inbound,
                kind: MessageKind::Inbound,
                body: &sms.body,
                status: MessageStatus::Received,
                created_at: sms.at,
                due_at: None,
                left_at: None,
                source_id: sms.source_id.as_deref(),
                failure: None,
            })?;
            match (inserted, parts) {
                (Some(id), Some(parts)) => {
                    tx.set_attachments(id, None, &parts.others, &parts.attachments)?;
                }
                (Some(_), None) => {}
                (None, parts) => {
                    // The same text reported twice, or a picture message that was not
                    // downloaded and now is: completed, and its text read now.
                    if !parts.is_some_and(|p| p.downloaded)
                        || !super::mms::complete(tx, sms.source_id.as_deref(), &sms.body, parts)?
                    {
                        return Ok(Vec::new());
                    }
                }
            }
            tx.mark_engaged(conversation)?;
            let Sender::Number(number) = &sender else {
                return Ok(Vec::new()); // Short codes and the like are never answered.
            };
            tracing::info!(from = %number.masked(), "text received");
            cancel_queued(
                tx,
                number,
                &[MessageKind::FollowUp],
                SkipReason::InConversation,
                sms.at,
            )?;
            if parts.is_some_and(|p| !p.downloaded) {
                return Ok(Vec::new()); // No text yet: it is read when the message completes.
            }
            let Some(config) = config else {
                return opt_out::without_settings(tx, number, &sms.body, sms.at);
            };
            let name = tx.reader().contact_name(number.as_str())?;
            let queue = |kind: MessageKind, template: &CheckedTemplate| {
                queue_message(
                    tx,
                    conversation,
                    kind,
                    &template.render(config.business_name(), name.as_deref()),
                    sms.at,
                    sms.at,
                )
            };
            let mut out = Vec::new();
            match read_inbound(config, &sms.body) {
                InboundIntent::OptOut => {
                    if tx.opt_out(number.as_str(), sms.at)? {
                        tracing::info!(from = %number.masked(), "opted out");
                        out = cancel_queued(
                            tx,
                            number,
                            &opt_out::AUTOMATED,
                            SkipReason::OptedOut,
                            sms.at,
                        )?;
                        tx.settle_opt_out_review(number.as_str(), sms.at)?;
                        queue(MessageKind::OptOutConfirmation, &config.opt_out_template)?;
                    }
                }
                InboundIntent::LikelyOptOut => {
                    out = opt_out::pause_for_review(tx, number, sms.at)?;
                    paused = Some(conversation);
                }
                InboundIntent::OptIn => {
                    // The number's own START settles a pause too.
                    tx.settle_opt_out_review(number.as_str(), sms.at)?;
                    if tx.opt_in(number.as_str())? {
                        tracing::info!(from = %number.masked(), "opted back in");
                        queue(MessageKind::OptInConfirmation, &config.opt_in_template)?;
                    }
                }
                InboundIntent::Help => {
                    queue(MessageKind::Help, &config.help_template)?;
                }
                InboundIntent::Keyword(word) => {
                    if let (false, false, Some(template)) = (
                        tx.reader().is_opted_out(number.as_str())?,
                        tx.reader().automation_paused(number.as_str())?,
                        config.keyword(&word),
                    ) {
                        queue(MessageKind::Keyword, template)?;
                    }
                }
                InboundIntent::Conversation => ask = Some((conversation, number.clone())),
            }
            Ok(out)
        })?;
        if let Some(conversation) = paused {
            self.assistant_paused(conversation, sms.at)?;
        }
        if let Some((conversation, number)) = ask {
            // The assistant reads "[photo]" for a picture, never the picture.
            let text = match parts {
                Some(parts) => super::mms::text_for_assistant(&sms.body, &parts.attachments),
                None => sms.body.clone(),
            };
            outcomes.extend(self.assistant_after_inbound(conversation, &number, &text, sms.at)?);
        }
        Ok(outcomes)
    }
}
