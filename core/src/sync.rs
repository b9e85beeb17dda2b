//! Replication between the phone and the desktops (DESIGN.md, "Sync"). This holds the
//! pieces that need no network: the hybrid logical clock that orders last-writer-wins
//! fields, version vectors, and the versioned, length-limited frame codec the session
//! speaks over any byte stream.

pub mod frame;
pub mod hlc;
pub mod version;
