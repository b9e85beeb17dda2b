//! Replication between the phone and the desktops (DESIGN.md, "Sync"): every device
//! appends [`Op`](crate::oplog::op::Op)s to its log in the same transaction as the change they record; a
//! session exchanges version vectors, streams what the other side lacks, then streams live.
//! Frames are versioned and length-limited; the transport is iroh.

#[cfg(feature = "transport")]
pub mod blobs;
pub mod frame;
#[cfg(feature = "transport")]
pub mod net;
#[cfg(feature = "transport")]
pub mod node;
#[cfg(feature = "transport")]
pub mod pairing;
pub mod replica;
pub mod session;
#[cfg(feature = "transport")]
pub mod ticket;
