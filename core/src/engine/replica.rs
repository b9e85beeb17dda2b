//! The phone's replica: the engine owns the store, so a sync session reaches it through the
//! engine's task. It lives beside the engine so that sync's protocol ([`Replica`]) stays
//! below the engine and the nodes above it.

use tokio::sync::watch;

use super::service::EngineHandle;
use crate::oplog::op::Op;
use crate::oplog::version::VersionVector;
use crate::store::ApplyReport;
use crate::sync::session::{Hello, Replica, SyncError};

fn stopped<E: std::fmt::Display>(e: E) -> SyncError {
    SyncError::Replica(e.to_string())
}

/// The phone's replica: its engine.
#[derive(Clone)]
pub struct PhoneReplica {
    engine: EngineHandle,
}

impl PhoneReplica {
    /// The replica of a running engine.
    pub fn new(engine: EngineHandle) -> Self {
        PhoneReplica { engine }
    }

    /// The engine behind it.
    pub fn engine(&self) -> &EngineHandle {
        &self.engine
    }
}

impl Replica for PhoneReplica {
    async fn held(&self) -> Result<VersionVector, SyncError> {
        self.engine
            .with(|e| e.store().version_vector().clone())
            .await
            .map_err(stopped)
    }

    async fn ops_after(&self, theirs: VersionVector, limit: usize) -> Result<Vec<Op>, SyncError> {
        self.engine
            .with(move |e| e.store().ops_after(&theirs, limit))
            .await
            .map_err(stopped)?
            .map_err(stopped)
    }

    async fn apply(&self, ops: Vec<Op>, from: Hello) -> Result<ApplyReport, SyncError> {
        self.engine
            .apply_remote(ops, from.origin, from.role)
            .await
            .map_err(stopped)?
            .map_err(refused)
    }

    fn committed(&self) -> watch::Receiver<u64> {
        self.engine.committed()
    }

    async fn idle(&self) -> Result<(), SyncError> {
        self.engine
            .with(|e| e.store_mut().index_pending().map(|_| ()))
            .await
            .map_err(stopped)?
            .map_err(stopped)
    }

    fn health(&self) -> Option<watch::Receiver<Option<crate::health::PhoneHealth>>> {
        Some(self.engine.health())
    }
}

/// An apply error is the peer's fault (close the connection) unless the store failed.
fn refused(e: impl std::fmt::Display) -> SyncError {
    SyncError::Refused(e.to_string())
}
