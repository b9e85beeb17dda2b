//! Calls: the call log read in batches, each ended call decided and recorded, a text-back
//! queued when the rules say so; contacts looked up before the transaction.

use std::collections::HashMap;

use jiff::Timestamp;

use super::outbox::{cancel_queued, queue_message};
use super::{Engine, EngineError, Outcome};
use crate::call::EndedCall;
use crate::message::MessageKind;
use crate::phone::{PhoneNumber, Sender, classify};
use crate::rules::{self, CallPlan, SkipReason, decide_call};
use crate::settings::Config;
use crate::store::{StoreError, WriteTx};

/// How many call-log entries one transaction takes.
const INGEST_BATCH: usize = 512;

/// How many classified callers the engine remembers before starting afresh.
const CALLER_CACHE: usize = 32_768;

impl Engine {
    /// On a first start, passes over the call log's history up to `log_id`: those calls
    /// ended before Ringback ran and are not recorded. Does nothing once a cursor exists;
    /// returns whether it moved the cursor.
    pub fn start_call_log_after(&mut self, log_id: i64) -> Result<bool, EngineError> {
        if self.store.reader().call_log_cursor()?.is_some() {
            return Ok(false);
        }
        let now = self.ports.clock.now();
        self.store
            .write(now, "call_log_started", |tx| tx.set_call_log_cursor(log_id))?;
        Ok(true)
    }

    pub(super) fn read_call_log(&mut self) -> Result<Vec<Outcome>, EngineError> {
        let cursor = self.store.reader().call_log_cursor()?;
        let mut entries = self
            .ports
            .call_log
            .entries_since(cursor)
            .map_err(EngineError::CallLog)?;
        entries.sort_by_key(|c| c.log_id);
        entries.retain(|c| cursor.is_none_or(|cur| c.log_id > cur));
        self.record_calls(&entries)
    }

    /// Records calls in batches, one transaction each, and moves the cursor past them.
    pub(super) fn record_calls(
        &mut self,
        calls: &[EndedCall],
    ) -> Result<Vec<Outcome>, EngineError> {
        let mut outcomes = Vec::new();
        let now = self.now();
        for batch in calls.chunks(INGEST_BATCH) {
            let last = batch.iter().map(|c| c.log_id).max().unwrap_or(0);
            let config = self.config.as_ref();
            let region = config.map(|c| c.region).unwrap_or_default();
            if self.callers.len() > CALLER_CACHE {
                self.callers.clear();
            }
            let callers = &mut self.callers;
            // The contacts port (a query through JNI on Android) is asked before the write
            // transaction, never inside it, so the store is not held for as long as the
            // platform takes; only calls not recorded before are looked up, once a number.
            let mut names: HashMap<PhoneNumber, Option<String>> = HashMap::new();
            let reader = self.store.reader();
            for call in batch {
                let caller = callers
                    .entry(call.number.clone())
                    .or_insert_with(|| classify(&call.number, region));
                if let Some(number) = caller.number()
                    && !names.contains_key(number)
                    && !reader.is_call_recorded(call.log_id)?
                {
                    let name = self.ports.contacts.lookup(number).ok().flatten();
                    names.insert(number.clone(), name);
                }
            }
            let callers = &self.callers;
            let mut produced = self.store.write(now, "calls_recorded", |tx| {
                let mut out = Vec::new();
                for call in batch {
                    let caller = callers
                        .get(&call.number)
                        .cloned()
                        .unwrap_or_else(|| classify(&call.number, region));
                    let name = caller
                        .number()
                        .and_then(|n| names.get(n))
                        .and_then(Option::as_deref);
                    // One span per ended call, so its decision and what follows read together;
                    // the number masked.
                    let span = tracing::info_span!(
                        "call",
                        log_id = call.log_id,
                        from = %caller.masked(),
                        outcome = call.outcome.as_str(),
                    );
                    let _in_call = span.enter();
                    out.extend(record_call(tx, config, name, call, &caller, now)?);
                }
                if tx
                    .reader()
                    .call_log_cursor()?
                    .is_none_or(|cursor| last > cursor)
                {
                    tx.set_call_log_cursor(last)?;
                }
                Ok(out)
            })?;
            outcomes.append(&mut produced);
        }
        Ok(outcomes)
    }

    pub(super) fn contact_changed(
        &mut self,
        number: &str,
        name: Option<&str>,
    ) -> Result<(), EngineError> {
        let region = self.config.as_ref().map(|c| c.region).unwrap_or_default();
        let Sender::Number(number) = classify(number, region) else {
            return Ok(()); // A contact without a textable number changes nothing here.
        };
        let now = self.now();
        self.store.write(now, "contact_changed", |tx| {
            tx.set_contact(number.as_str(), name.unwrap_or_default(), now)
        })?;
        Ok(())
    }
}

/// Decides about one call-log entry and records the decision (and a queued text-back) in
/// the open transaction; `contact` is the caller's name in the phone's contacts, looked up
/// before. A call recorded before is ignored.
fn record_call(
    tx: &WriteTx<'_>,
    config: Option<&Config>,
    contact: Option<&str>,
    call: &EndedCall,
    caller: &Sender,
    now: Timestamp,
) -> Result<Vec<Outcome>, StoreError> {
    if tx.reader().is_call_recorded(call.log_id)? {
        return Ok(Vec::new());
    }
    let number = caller.number();
    let conversation = match number {
        Some(n) => {
            if let Some(name) = contact {
                tx.set_contact(n.as_str(), name, call.ended_at)?;
            }
            Some(tx.touch_conversation(&call.line, n.as_str(), call.ended_at)?)
        }
        None => None,
    };
    // Only a trigger outcome needs the number's history.
    let history = match number {
        Some(n) if call.outcome.is_trigger_outcome() => tx.reader().number_history(n)?,
        _ => Default::default(),
    };
    let plan = match config {
        Some(config) => rules::too_late(
            config,
            decide_call(config, call.outcome, caller, call.ended_at, &history),
            call.ended_at,
            now,
        ),
        None if call.outcome.is_trigger_outcome() => CallPlan::Skip(SkipReason::Disabled),
        None => CallPlan::NotApplicable,
    };
    let number_str = number.map(PhoneNumber::as_str);
    let mut out = Vec::new();
    match plan {
        CallPlan::NotApplicable => {
            tx.insert_call(call, number_str, conversation, None)?;
            if let (Some(n), true) = (number, call.outcome.is_conversation()) {
                out = cancel_queued(
                    tx,
                    n,
                    &[MessageKind::TextBack, MessageKind::FollowUp],
                    SkipReason::ResolvedByCall,
                    call.ended_at,
                )?;
            }
        }
        CallPlan::Skip(reason) => {
            tx.insert_call(call, number_str, conversation, plan.decision())?;
            tracing::info!(reason = reason.as_str(), "missed call: no text");
            out.push(Outcome::Skipped {
                at: call.ended_at,
                from: caller.shown(&call.number),
                reason,
            });
        }
        CallPlan::TextBack { due, .. } => {
            let (Some(config), Some(conversation)) = (config, conversation) else {
                return Ok(out);
            };
            let call_id = tx.insert_call(call, number_str, conversation.into(), plan.decision())?;
            let body =
                rules::text_back_body(config, call.ended_at, history.contact_name.as_deref());
            let id = queue_message(
                tx,
                conversation,
                MessageKind::TextBack,
                &body,
                call.ended_at,
                due,
            )?;
            if let Some(id) = id {
                tx.link_call_message(call_id, id)?;
            }
            tracing::info!(due = %due, "missed call: text-back scheduled");
        }
    }
    Ok(out)
}
