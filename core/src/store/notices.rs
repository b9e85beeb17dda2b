//! What a commit tells those who wait on the store: sync sessions stream after any commit
//! that added ops; pairing and photo transfers look again only after a commit that touched
//! what they follow (a query on every commit would sit on the path of every text).

use tokio::sync::watch;

use crate::oplog::op::Change;

/// One counter per kind of change, bumped after the commit.
pub(super) struct Notices {
    /// Every commit that added ops.
    pub(super) committed: watch::Sender<u64>,
    /// Commits that paired or unpaired a device.
    pub(super) pairings: watch::Sender<u64>,
    /// Commits that added or changed attachments (of messages or of reply requests).
    pub(super) photos: watch::Sender<u64>,
}

impl Default for Notices {
    fn default() -> Notices {
        Notices {
            committed: watch::channel(0).0,
            pairings: watch::channel(0).0,
            photos: watch::channel(0).0,
        }
    }
}

/// What a commit that added ops touched, beyond adding them.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Touched {
    pub(super) pairings: bool,
    pub(super) photos: bool,
}

impl Touched {
    /// What these changes, written here, touch.
    pub(super) fn of(changes: &[Change]) -> Touched {
        Touched {
            pairings: changes.iter().any(|c| matches!(c, Change::Peer { .. })),
            photos: changes.iter().any(|c| {
                matches!(
                    c,
                    Change::Attachments { .. } | Change::ReplyAttachments { .. }
                )
            }),
        }
    }
}

impl Notices {
    /// After a commit that added ops.
    pub(super) fn committed(&self, touched: &Touched) {
        self.committed.send_modify(|n| *n += 1);
        if touched.pairings {
            self.pairings.send_modify(|n| *n += 1);
        }
        if touched.photos {
            self.photos.send_modify(|n| *n += 1);
        }
    }
}
