//! The op-log types every device shares (DESIGN.md, "Sync"): the hybrid logical clock that
//! orders changes, the ops that record them and the version vectors that say how much of
//! each device's log is held. Below both the store, which appends ops in the transaction
//! that makes the change, and sync, which streams them.

pub mod hlc;
pub mod op;
pub mod version;
