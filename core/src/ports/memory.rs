//! In-memory ports: the simulator's platform and the tests' fakes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

use super::{
    AssistantJob, CallLog, ChatAnswer, ChatModel, Clock, Contacts, MmsRequest, PortError,
    PortFuture, Ports, SendError, SendRequest, Telephony,
};
use crate::call::EndedCall;
use crate::phone::PhoneNumber;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not hide the data from the others.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock {
    now: watch::Sender<Timestamp>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: Timestamp) -> Arc<ManualClock> {
        Arc::new(ManualClock {
            now: watch::Sender::new(start),
        })
    }

    /// Moves the clock to `at` (never backwards).
    pub fn set(&self, at: Timestamp) {
        self.now.send_if_modified(|now| {
            if at > *now {
                *now = at;
                true
            } else {
                false
            }
        });
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: SignedDuration) {
        let now = *self.now.borrow();
        self.set(now.saturating_add(by).unwrap_or(now));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.borrow()
    }

    fn sleep_until(&self, at: Timestamp) -> PortFuture<'_> {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            // The sender lives as long as self, so wait_for only ends when the time comes.
            let _ = rx.wait_for(|now| *now >= at).await;
        })
    }
}

/// The real clock, sleeping with tokio.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    fn sleep_until(&self, at: Timestamp) -> PortFuture<'_> {
        Box::pin(async move {
            let wait = at.duration_since(Timestamp::now());
            if let Ok(wait) = std::time::Duration::try_from(wait) {
                tokio::time::sleep(wait).await;
            }
        })
    }
}

/// Records every text and picture message it is asked to send; can be told to fail.
#[derive(Debug, Default)]
pub struct MemoryTelephony {
    sent: Mutex<Vec<SendRequest>>,
    sent_mms: Mutex<Vec<MmsRequest>>,
    fail_with: Mutex<Option<SendError>>,
}

impl MemoryTelephony {
    /// A new, empty telephony.
    pub fn new() -> Arc<MemoryTelephony> {
        Arc::new(MemoryTelephony::default())
    }

    /// Every text handed over so far.
    pub fn sent(&self) -> Vec<SendRequest> {
        lock(&self.sent).clone()
    }

    /// Takes the texts handed over since the last call.
    pub fn take_sent(&self) -> Vec<SendRequest> {
        std::mem::take(&mut *lock(&self.sent))
    }

    /// Every picture message handed over so far.
    pub fn sent_mms(&self) -> Vec<MmsRequest> {
        lock(&self.sent_mms).clone()
    }

    /// Takes the picture messages handed over since the last call.
    pub fn take_sent_mms(&self) -> Vec<MmsRequest> {
        std::mem::take(&mut *lock(&self.sent_mms))
    }

    /// Makes every later send fail with `error` (or succeed again with `None`).
    pub fn fail_with(&self, error: Option<SendError>) {
        *lock(&self.fail_with) = error;
    }
}

impl Telephony for MemoryTelephony {
    fn send(&self, request: &SendRequest) -> Result<(), SendError> {
        if let Some(error) = lock(&self.fail_with).clone() {
            return Err(error);
        }
        lock(&self.sent).push(request.clone());
        Ok(())
    }

    fn send_mms(&self, request: &MmsRequest) -> Result<(), SendError> {
        if let Some(error) = lock(&self.fail_with).clone() {
            return Err(error);
        }
        lock(&self.sent_mms).push(request.clone());
        Ok(())
    }
}

/// A call log held in memory.
#[derive(Debug, Default)]
pub struct MemoryCallLog {
    entries: Mutex<Vec<EndedCall>>,
    floor: Mutex<i64>,
}

impl MemoryCallLog {
    /// A new, empty log.
    pub fn new() -> Arc<MemoryCallLog> {
        Arc::new(MemoryCallLog::default())
    }

    /// Numbers new calls after `last_id` (a restarted phone whose log was read that far).
    pub fn continue_after(&self, last_id: i64) {
        *lock(&self.floor) = last_id;
    }

    /// Appends a call; its `log_id` becomes one above the last.
    pub fn push(&self, mut call: EndedCall) -> i64 {
        let floor = *lock(&self.floor);
        let mut entries = lock(&self.entries);
        call.log_id = entries.last().map_or(1, |c| c.log_id + 1).max(floor + 1);
        let id = call.log_id;
        entries.push(call);
        id
    }
}

impl CallLog for MemoryCallLog {
    fn entries_since(&self, after: Option<i64>) -> Result<Vec<EndedCall>, PortError> {
        let after = after.unwrap_or(i64::MIN);
        let entries = lock(&self.entries);
        // Ids only grow, so the new entries are a suffix.
        let first = entries.partition_point(|c| c.log_id <= after);
        Ok(entries[first..].to_vec())
    }
}

/// Contacts held in memory.
#[derive(Debug, Default)]
pub struct MemoryContacts {
    names: Mutex<HashMap<PhoneNumber, String>>,
}

impl MemoryContacts {
    /// A new, empty book.
    pub fn new() -> Arc<MemoryContacts> {
        Arc::new(MemoryContacts::default())
    }

    /// Adds or renames a contact; an empty name removes it.
    pub fn set(&self, number: PhoneNumber, name: &str) {
        let mut names = lock(&self.names);
        if name.trim().is_empty() {
            names.remove(&number);
        } else {
            names.insert(number, name.trim().to_string());
        }
    }
}

impl Contacts for MemoryContacts {
    fn lookup(&self, number: &PhoneNumber) -> Result<Option<String>, PortError> {
        Ok(lock(&self.names).get(number).cloned())
    }
}

/// A whole phone in memory: every port above, on a clock that moves only when told (the
/// scenario runner, the desktop's dry run and the simulator).
#[derive(Debug)]
pub struct SimPlatform {
    /// The virtual clock.
    pub clock: Arc<ManualClock>,
    /// What the phone was asked to send.
    pub telephony: Arc<MemoryTelephony>,
    /// The call log.
    pub call_log: Arc<MemoryCallLog>,
    /// The contacts.
    pub contacts: Arc<MemoryContacts>,
}

impl SimPlatform {
    /// A fresh phone whose clock stands at `start`.
    pub fn new(start: Timestamp) -> SimPlatform {
        SimPlatform {
            clock: ManualClock::new(start),
            telephony: MemoryTelephony::new(),
            call_log: MemoryCallLog::new(),
            contacts: MemoryContacts::new(),
        }
    }

    /// The ports for an engine.
    pub fn ports(&self) -> Ports {
        Ports {
            telephony: self.telephony.clone(),
            call_log: self.call_log.clone(),
            contacts: self.contacts.clone(),
            clock: self.clock.clone(),
        }
    }

    /// Texts handed to the radio since the last call; the simulated network sends and
    /// delivers every one of them.
    pub fn take_sent(&self) -> Vec<SendRequest> {
        self.telephony.take_sent()
    }
}

/// What a scripted model answers to a job.
type Script = dyn Fn(&AssistantJob) -> Result<String, String> + Send + Sync;

/// A chat model that answers from a script, at once: tests, benchmarks and the desktop's
/// dry run (which asks no server).
pub struct ScriptedModel {
    script: Box<Script>,
}

impl ScriptedModel {
    /// A model whose answer to each job is `script(job)`.
    pub fn new(
        script: impl Fn(&AssistantJob) -> Result<String, String> + Send + Sync + 'static,
    ) -> Arc<ScriptedModel> {
        Arc::new(ScriptedModel {
            script: Box::new(script),
        })
    }
}

impl ChatModel for ScriptedModel {
    fn ask(&self, job: &AssistantJob) -> ChatAnswer {
        let answer = (self.script)(job);
        Box::pin(std::future::ready(answer))
    }
}
