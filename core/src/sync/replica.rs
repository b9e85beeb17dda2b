//! A desktop's replica of one phone: a store of its own that a session runs on. (The
//! phone's replica is its engine: `engine::replica`.)

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use jiff::Timestamp;
use tokio::sync::watch;

use super::session::{Hello, Replica, SyncError};
use crate::oplog::op::Field;
use crate::oplog::op::{Op, Role};
use crate::oplog::version::VersionVector;
use crate::secret::KeyChange;
use crate::settings::{Settings, SettingsError};
use crate::store::{ApplyReport, ConversationId, ReplyDraft, Source, Store, StoreError};

/// Why a desktop change was not made.
#[derive(Debug, thiserror::Error)]
pub enum DesktopError {
    /// The settings are not valid; nothing changed (the phone would refuse them too).
    #[error("the settings were not changed: {0}")]
    Settings(#[from] SettingsError),
    /// The reply is empty.
    #[error("the reply is empty; write something to send")]
    EmptyReply,
    /// The reply is longer than the phone sends.
    #[error(
        "the reply would go as {0} SMS parts; the phone sends at most {max}, so shorten it",
        max = crate::outbound::MAX_PARTS
    )]
    ReplyTooLong(usize),
    /// The reply has no recipient.
    #[error("the reply has no recipient; choose a conversation or enter a number")]
    NoRecipient,
    /// A photo attached to the reply is not one the phone would take.
    #[error("the photo cannot be sent: {0}; attach it again")]
    Photo(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn stopped<E: std::fmt::Display>(e: E) -> SyncError {
    SyncError::Replica(e.to_string())
}

/// An apply error is the peer's fault (close the connection) unless the store failed.
fn refused(e: impl std::fmt::Display) -> SyncError {
    SyncError::Refused(e.to_string())
}

/// A desktop's replica of one phone.
#[derive(Clone)]
pub struct DesktopReplica {
    store: Arc<Mutex<Store>>,
    committed: watch::Receiver<u64>,
}

impl DesktopReplica {
    /// Opens (creating if needed) the replica stored at `path`.
    pub fn open(path: &Path) -> Result<DesktopReplica, StoreError> {
        Ok(DesktopReplica::from_store(Store::open(path)?))
    }

    /// A replica on a store already open.
    pub fn from_store(store: Store) -> DesktopReplica {
        let committed = store.subscribe();
        DesktopReplica {
            store: Arc::new(Mutex::new(store)),
            committed,
        }
    }

    /// Runs `f` on the store (blocking: call from a blocking context or keep it short).
    pub fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut store)
    }

    /// Runs `f` on the store on tokio's blocking pool.
    pub async fn with_async<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> Result<T, SyncError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = store.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut store)
        })
        .await
        .map_err(stopped)
    }
}

impl DesktopReplica {
    /// Asks the phone to send a reply; returns the request id. The reply shows as waiting
    /// until the phone's message for it arrives.
    pub fn request_reply(
        &self,
        conversation: Option<ConversationId>,
        to: Option<&str>,
        body: &str,
    ) -> Result<String, DesktopError> {
        // The phone checks again: this only says so before the reply leaves this desktop.
        match crate::outbound::check_body(body) {
            Err(crate::outbound::RefusalReason::EmptyBody) => return Err(DesktopError::EmptyReply),
            Err(_) => return Err(DesktopError::ReplyTooLong(crate::sms::count(body).segments)),
            Ok(_) => {}
        }
        if conversation.is_none() && to.is_none_or(|t| t.trim().is_empty()) {
            return Err(DesktopError::NoRecipient);
        }
        self.with(|s| {
            let now = Timestamp::now();
            let seq = s.version_vector().get(s.origin()) + 1;
            let id = format!("{}-{seq}", s.origin());
            s.write(now, "reply_requested", |tx| {
                tx.request_reply(&ReplyDraft {
                    id: &id,
                    conversation: conversation.map(|c| c.0),
                    to,
                    line: None,
                    body,
                    requested_at: now.as_millisecond(),
                })
            })?;
            Ok(id)
        })
    }

    /// Asks the phone to send a reply with photos (already in this desktop's blob store for
    /// the phone, which fetches them by hash); returns the request id. The text may be
    /// empty when there is a photo. The request and its photos are one op.
    pub fn request_reply_with_photos(
        &self,
        conversation: ConversationId,
        body: &str,
        photos: &[crate::attachment::Attachment],
    ) -> Result<String, DesktopError> {
        if photos.is_empty() {
            return self.request_reply(Some(conversation), None, body);
        }
        crate::attachment::check_synced(photos).map_err(|e| DesktopError::Photo(e.to_string()))?;
        if !body.trim().is_empty()
            && let Err(crate::outbound::RefusalReason::TooLong) = crate::outbound::check_body(body)
        {
            return Err(DesktopError::ReplyTooLong(crate::sms::count(body).segments));
        }
        self.with(|s| {
            let now = Timestamp::now();
            let seq = s.version_vector().get(s.origin()) + 1;
            let id = format!("{}-{seq}", s.origin());
            s.write(now, "reply_requested", |tx| {
                tx.request_reply(&ReplyDraft {
                    id: &id,
                    conversation: Some(conversation.0),
                    to: None,
                    line: None,
                    body,
                    requested_at: now.as_millisecond(),
                })?;
                tx.attach_to_request(&id, photos)
            })?;
            Ok(id)
        })
    }

    /// Sets a conversation field (read marker, lead status, archived, note).
    pub fn set_field(&self, conversation: ConversationId, field: Field) -> Result<(), StoreError> {
        self.with(|s| {
            s.write(Timestamp::now(), "field_set", |tx| {
                tx.set_field(conversation, field)
            })
        })
    }

    /// Changes the settings: `patch` merged into the settings in force (or the defaults),
    /// checked by the same code as on the phone. Invalid settings are refused with the
    /// field named, and nothing is sent. An `assistant.api_key` in the patch is handed to
    /// the phone with them (see [`DesktopReplica::change_settings_and_key`]).
    pub fn change_settings(&self, patch: &serde_json::Value) -> Result<Settings, DesktopError> {
        let mut patch = patch.clone();
        let key = crate::secret::take_api_key(&mut patch)?;
        self.change_settings_and_key(&patch, key)
    }

    /// [`DesktopReplica::change_settings`], with the assistant's API key handed to the phone
    /// in the same op, so that the phone takes both at once. The key is written into that
    /// op only, never into this desktop's settings, and blanked there once the phone has
    /// it; the phone keeps it only for the server the new settings name.
    pub fn change_settings_and_key(
        &self,
        patch: &serde_json::Value,
        key: Option<KeyChange>,
    ) -> Result<Settings, DesktopError> {
        self.with(|s| {
            let base = s.reader().settings()?.unwrap_or_default();
            let next = base.patched(patch)?;
            next.validate()?;
            let key = hand_over(key, &next)?;
            let now = Timestamp::now();
            s.write(now, "settings_changed", |tx| {
                tx.save_settings(&next, now)?;
                if let Some((key, server)) = key {
                    tx.hand_over_assistant_key(key, &server);
                }
                Ok(())
            })?;
            Ok(next)
        })
    }

    /// Hands the phone the assistant's API key (or asks it to remove its key), write-only,
    /// for the server of the settings in force.
    pub fn hand_over_assistant_key(&self, key: KeyChange) -> Result<(), DesktopError> {
        self.with(|s| {
            let settings = s.reader().settings()?.unwrap_or_default();
            let Some((key, server)) = hand_over(Some(key), &settings)? else {
                return Ok(());
            };
            s.write(Timestamp::now(), "assistant_key_handed_over", |tx| {
                tx.hand_over_assistant_key(key, &server);
                Ok(())
            })?;
            Ok(())
        })
    }
}

/// A key change and the server it is for (the settings' server for a key to keep).
fn hand_over(
    key: Option<KeyChange>,
    settings: &Settings,
) -> Result<Option<(KeyChange, String)>, DesktopError> {
    Ok(match key {
        Some(KeyChange::Set(k)) => {
            let server = crate::secret::server_for_key(&settings.assistant.base_url)?;
            Some((KeyChange::Set(k), server))
        }
        Some(KeyChange::Remove) => Some((KeyChange::Remove, String::new())),
        Some(KeyChange::Redacted) | None => None,
    })
}

impl Replica for DesktopReplica {
    async fn held(&self) -> Result<VersionVector, SyncError> {
        self.with_async(|s| s.version_vector().clone()).await
    }

    async fn ops_after(&self, theirs: VersionVector, limit: usize) -> Result<Vec<Op>, SyncError> {
        self.with_async(move |s| s.ops_after(&theirs, limit))
            .await?
            .map_err(stopped)
    }

    async fn apply(&self, ops: Vec<Op>, from: Hello) -> Result<ApplyReport, SyncError> {
        self.with_async(move |s| {
            if from.role == Role::Phone {
                match s.phone_origin()? {
                    None => s.set_phone_origin(&from.origin)?,
                    Some(phone) if phone != from.origin => {
                        return Ok(Err(format!(
                            "this desktop holds another phone's data (origin {phone})"
                        )));
                    }
                    Some(_) => {}
                }
            }
            let source = Source {
                origin: &from.origin,
                role: from.role,
            };
            Ok::<_, StoreError>(
                s.apply_remote(&ops, source, Timestamp::now())
                    .map_err(|e| e.to_string()),
            )
        })
        .await?
        .map_err(stopped)?
        .map_err(refused)
    }

    fn committed(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }

    async fn idle(&self) -> Result<(), SyncError> {
        self.with_async(|s| s.index_pending().map(|_| ()))
            .await?
            .map_err(stopped)
    }

    async fn keep_health(&self, health: crate::health::PhoneHealth) -> Result<(), SyncError> {
        let now = Timestamp::now().as_millisecond();
        self.with_async(move |s| s.keep_phone_health(&health, now))
            .await?
            .map_err(stopped)
    }
}
