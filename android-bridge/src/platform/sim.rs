//! The simulated phone: the engine's ports in memory, on a clock that moves when told.

use std::sync::Arc;

use jiff::Timestamp;
use ringback_core::Ports;
use ringback_core::ports::SendRequest;
use ringback_core::ports::memory::{ManualClock, MemoryCallLog, MemoryContacts, MemoryTelephony};

/// A phone in memory.
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
