//! The phone's secret store and what keeps the assistant's API key in it (see
//! `crate::secret` for the design).
//!
//! - `secrets` (the secrets migration) holds the key with the server it was given for. No op writes
//!   it and no session reads it: only the phone's engine (asking the model) and the phone's
//!   own settings changes touch it. On a desktop it stays empty.
//! - A desktop's hand-over ([`Change::AssistantKey`]) is taken by the phone when the server
//!   it was typed for is the one its assistant uses, and answered in the same transaction
//!   with a phone op carrying only a [`KeyState`]; the phone stores and relays the hand-over
//!   with its key blanked. Applying that answer, the desktop blanks its own copy.
//! - When the settings in force move the assistant to another server, the key goes.
//! - Rows are deleted and rewritten with `secure_delete` on, and the write-ahead log is
//!   truncated after a scrub, so an old key is not left in the file's free space.

use std::borrow::Cow;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

use super::apply::ApplyError;
use super::tx::{Stamp, lww_claim};
use super::{Reader, Store, StoreError, WriteTx};
use crate::oplog::hlc::Hlc;
use crate::oplog::op::{Change, Op};
use crate::secret::{
    KeyChange, KeyRequest, KeyState, KeyStatus, Secret, check_key, server_for_key,
};
use crate::server_address::{self, AddressError};

/// The assistant's key in the `secrets` table.
const KEY_NAME: &str = "assistant_api_key";
/// What the phone says about the key, in the `lww` table (replicated through its ops).
const STATE_KEY: &str = "assistant_key";
/// How an op body that may hold a hand-over is found without reading every body.
const HAND_OVER_TAG: &str = "\"assistant_key\"";

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// The kept key and its server.
fn kept(conn: &Connection) -> Result<Option<(Secret, String)>, StoreError> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT value, server FROM secrets WHERE name = ?1")?
        .query_row([KEY_NAME], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(value, server)| (Secret::from_stored(value), server)))
}

fn keep(tx: &Connection, key: &Secret, server: &str, at_ms: i64) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO secrets (name, value, server, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, server = excluded.server,
            updated_at = excluded.updated_at",
    )?
    .execute(params![KEY_NAME, key.expose(), server, at_ms])?;
    Ok(())
}

fn forget(tx: &Connection) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached("DELETE FROM secrets WHERE name = ?1")?
        .execute([KEY_NAME])?
        > 0)
}

/// The assistant's address in the settings in force ("" when there are none).
fn base_url_in_force(conn: &Connection) -> Result<String, StoreError> {
    Ok(Reader { conn }
        .settings()?
        .map(|s| s.assistant.base_url)
        .unwrap_or_default())
}

fn state(
    conn: &Connection,
    status: KeyStatus,
    reason: String,
    at_ms: i64,
    answers: Option<KeyRequest>,
) -> Result<KeyState, StoreError> {
    let (mask, server) = kept(conn)?
        .map(|(key, server)| (key.mask(), server))
        .unwrap_or_default();
    Ok(KeyState {
        status,
        mask,
        server,
        reason,
        at_ms,
        answers,
    })
}

/// Records what the phone says about the key, as of `stamp`.
fn record_state(
    tx: &Transaction<'_>,
    stamp: Stamp<'_>,
    state: &KeyState,
) -> Result<(), StoreError> {
    let value = serde_json::to_string(state).map_err(corrupt)?;
    lww_claim(tx, STATE_KEY, stamp, &value)?;
    Ok(())
}

impl Reader<'_> {
    /// The assistant's key for `base_url` (phone only): none unless the key was given for
    /// that server (scheme, host and port).
    pub fn assistant_key_for(&self, base_url: &str) -> Result<Option<Secret>, StoreError> {
        let Some(server) = server_address::server(base_url) else {
            return Ok(None);
        };
        Ok(kept(self.conn)?.and_then(|(key, kept_for)| (kept_for == server).then_some(key)))
    }

    /// What the phone last said about the assistant's key (a mask and when, never the key).
    pub fn assistant_key_state(&self) -> Result<Option<KeyState>, StoreError> {
        let value: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM lww WHERE key = ?1")?
            .query_row([STATE_KEY], |r| r.get(0))
            .optional()?;
        value
            .map(|v| serde_json::from_str(&v).map_err(|e| corrupt(format!("key state: {e}"))))
            .transpose()
    }
}

impl WriteTx<'_> {
    /// The phone takes a key itself (its own settings, the scenario runner), for `server`
    /// (see [`crate::secret::server_for_key`]); `None` removes the key. The op records only
    /// what the phone now keeps.
    pub fn set_assistant_key(
        &self,
        key: Option<(&Secret, &str)>,
        at: jiff::Timestamp,
    ) -> Result<KeyState, StoreError> {
        let (tx, origin, hlc) = self.parts();
        let at_ms = at.as_millisecond();
        let state = match key {
            None => {
                forget(tx)?;
                state(
                    tx,
                    KeyStatus::Removed,
                    "removed on the phone".into(),
                    at_ms,
                    None,
                )?
            }
            Some((key, server)) => {
                keep(tx, key, server, at_ms)?;
                state(tx, KeyStatus::Set, "set on the phone".into(), at_ms, None)?
            }
        };
        record_state(tx, Stamp { hlc, origin }, &state)?;
        self.push(Change::AssistantKeyState {
            state: state.clone(),
        });
        Ok(state)
    }

    /// A desktop hands the phone a key (or its removal), typed for `server`: written only
    /// into this op, never into this store's tables. The desktop's copy is blanked when the
    /// phone answers.
    pub fn hand_over_assistant_key(&self, key: KeyChange, server: &str) {
        self.push(Change::AssistantKey {
            key,
            server: server.to_string(),
        });
    }

    /// After the settings in force changed here: a key kept for another server goes (the
    /// op records what the phone now keeps).
    pub(super) fn key_follows_settings(&self, at: jiff::Timestamp) -> Result<(), StoreError> {
        let (tx, origin, hlc) = self.parts();
        if let Some(state) = follow_settings(tx, at.as_millisecond())? {
            record_state(tx, Stamp { hlc, origin }, &state)?;
            self.push(Change::AssistantKeyState { state });
        }
        Ok(())
    }
}

impl Store {
    /// Whether this desktop handed the phone a key (or its removal) that the phone has not
    /// answered yet.
    pub fn assistant_key_pending(&self) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM ops WHERE origin = ?1 AND instr(body, ?2) > 0 ORDER BY seq DESC",
        )?;
        let mut rows = stmt.query(params![self.origin, HAND_OVER_TAG])?;
        while let Some(row) = rows.next()? {
            let body: String = row.get(0)?;
            let changes: Vec<Change> = serde_json::from_str(&body).map_err(corrupt)?;
            if changes.iter().any(
                |c| matches!(c, Change::AssistantKey { key, .. } if *key != KeyChange::Redacted),
            ) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Blanks every key this device's own ops still carry (a replica whose phone was
    /// unpaired will never answer) and flushes the old pages out of the file.
    pub fn scrub_secrets(&mut self) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let blanked = blank_own(&tx, &self.origin, i64::MAX)?;
        tx.commit()?;
        self.flush_freed();
        Ok(blanked)
    }

    /// Copies the write-ahead log into the file and empties it, so that pages which held a
    /// key before it was blanked are gone from both (best effort: a reader may hold the log).
    pub(super) fn flush_freed(&self) {
        if let Err(e) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::warn!(error = %e, "the write-ahead log could not be emptied");
        }
    }
}

/// After the settings in force changed: removes a key kept for another server. Returns
/// what to report when it did.
fn follow_settings(tx: &Connection, at_ms: i64) -> Result<Option<KeyState>, StoreError> {
    let Some((_, kept_for)) = kept(tx)? else {
        return Ok(None);
    };
    let now_for = server_address::server(&base_url_in_force(tx)?);
    if now_for.as_deref() == Some(kept_for.as_str()) {
        return Ok(None);
    }
    forget(tx)?;
    tracing::info!("assistant: the server changed, so its API key was removed");
    let reason = match now_for {
        Some(server) => format!(
            "removed: the assistant now uses {server}, and the key was for {kept_for}; type the key again to use one there"
        ),
        None => format!("removed: the assistant no longer uses {kept_for}"),
    };
    Ok(Some(state(tx, KeyStatus::Removed, reason, at_ms, None)?))
}

/// On the phone: what a desktop's hand-over does. Returns the state to answer with.
fn take_hand_over(
    tx: &Connection,
    key: &KeyChange,
    typed_for: &str,
    at_ms: i64,
    answers: KeyRequest,
) -> Result<Option<KeyState>, StoreError> {
    let refused = |reason: String| {
        tracing::warn!("assistant: an API key from a desktop was not taken");
        state(tx, KeyStatus::Refused, reason, at_ms, Some(answers.clone())).map(Some)
    };
    match key {
        KeyChange::Redacted => Ok(None),
        KeyChange::Remove => {
            forget(tx)?;
            state(
                tx,
                KeyStatus::Removed,
                "removed from a desktop".into(),
                at_ms,
                Some(answers.clone()),
            )
            .map(Some)
        }
        KeyChange::Set(secret) => {
            let secret = match check_key(secret.expose()) {
                Ok(secret) => secret,
                Err(e) => return refused(format!("the key {}", e.problem)),
            };
            let server = match server_for_key(&base_url_in_force(tx)?) {
                Ok(server) => server,
                Err(e) => return refused(format!("the key {}", e.problem)),
            };
            if server != typed_for {
                return refused(format!(
                    "it was typed for {typed_for}, but the assistant now uses {server}; type the key again for that server"
                ));
            }
            keep(tx, &secret, &server, at_ms)?;
            tracing::info!("assistant: an API key from a desktop is kept on the phone");
            state(
                tx,
                KeyStatus::Set,
                "set from a desktop".into(),
                at_ms,
                Some(answers.clone()),
            )
            .map(Some)
        }
    }
}

/// What a batch of remote ops did about the key.
#[derive(Debug, Default)]
pub(super) struct KeyWork {
    /// On the phone: the state to answer with (the last one of the batch).
    answer: Option<KeyState>,
    /// On the phone: the last hand-over the batch carried.
    handed: Option<KeyRequest>,
    /// On a desktop: its own copy of a key was blanked.
    pub blanked: bool,
}

impl KeyWork {
    /// The phone's answer to the batch, if it has one: the last state, naming the last
    /// hand-over taken (a settings change after it may have removed the key again, and the
    /// desktop must still learn that its copy can go).
    pub fn take_answer(&mut self) -> Option<KeyState> {
        let mut state = self.answer.take()?;
        if state.answers.is_none() {
            state.answers = self.handed.take();
        }
        Some(state)
    }
}

/// Applies the key side of one remote change (after [`super::apply`] applied the rest):
/// on the phone a hand-over, and a settings change that moves the assistant; on a desktop
/// the phone's answer, which blanks the desktop's own copy of what it answers.
pub(super) fn apply(
    tx: &Transaction<'_>,
    op: &Op,
    change: &Change,
    own_origin: &str,
    phone: bool,
    work: &mut KeyWork,
) -> Result<(), ApplyError> {
    let invalid = |why: &str| ApplyError::Invalid {
        origin: op.origin.clone(),
        seq: op.seq,
        why: why.to_string(),
    };
    match change {
        Change::AssistantKey { key, server } => {
            let oversized = server.len() > super::MAX_TEXT
                || matches!(key, KeyChange::Set(k) if k.expose().len() > super::MAX_TEXT);
            if oversized {
                return Err(invalid("its API key or server is too long"));
            }
            if phone {
                let answers = KeyRequest {
                    origin: op.origin.clone(),
                    seq: op.seq,
                };
                if let Some(state) =
                    take_hand_over(tx, key, server, op.hlc.millis, answers.clone())?
                {
                    work.answer = Some(state);
                    work.handed = Some(answers);
                }
            }
        }
        Change::Settings { .. } if phone => {
            if let Some(state) = follow_settings(tx, op.hlc.millis)? {
                work.answer = Some(state);
            }
        }
        Change::AssistantKeyState { state } => {
            let long = [&state.mask, &state.server, &state.reason]
                .iter()
                .any(|t| t.len() > super::MAX_TEXT)
                || state.answers.as_ref().is_some_and(|a| a.origin.len() > 128);
            if long {
                return Err(invalid("its API key state is too long"));
            }
            let stamp = Stamp {
                hlc: op.hlc,
                origin: &op.origin,
            };
            record_state(tx, stamp, state)?;
            if let Some(answers) = &state.answers
                && answers.origin == own_origin
            {
                let up_to = i64::try_from(answers.seq).unwrap_or(i64::MAX);
                work.blanked |= blank_own(tx, own_origin, up_to)? > 0;
            }
        }
        _ => {}
    }
    Ok(())
}

/// On the phone, after a batch: the answer op, in the same transaction (origin, stamp and
/// change, for the caller to append).
pub(super) fn answer_change(
    tx: &Transaction<'_>,
    own_origin: &str,
    hlc: Hlc,
    state: KeyState,
) -> Result<Change, StoreError> {
    record_state(
        tx,
        Stamp {
            hlc,
            origin: own_origin,
        },
        &state,
    )?;
    Ok(Change::AssistantKeyState { state })
}

/// The changes as they may be stored and relayed: hand-overs blanked, and the key taken
/// out of any settings document (a device older than this one may still put it there).
pub(super) fn redacted(changes: &[Change]) -> Cow<'_, [Change]> {
    let needs = changes.iter().any(|c| match c {
        Change::AssistantKey { key, .. } => *key != KeyChange::Redacted,
        Change::Settings { document } => {
            matches!(crate::secret::without_api_key(document), Cow::Owned(_))
        }
        _ => false,
    });
    if !needs {
        return Cow::Borrowed(changes);
    }
    Cow::Owned(
        changes
            .iter()
            .map(|c| match c {
                Change::AssistantKey { server, .. } => Change::AssistantKey {
                    key: KeyChange::Redacted,
                    server: server.clone(),
                },
                Change::Settings { document } => Change::Settings {
                    document: crate::secret::without_api_key(document).into_owned(),
                },
                other => other.clone(),
            })
            .collect(),
    )
}

/// Blanks the keys in this device's own ops up to `up_to` (sequence number); returns how
/// many ops changed.
fn blank_own(tx: &Transaction<'_>, own_origin: &str, up_to: i64) -> Result<usize, StoreError> {
    let found: Vec<(i64, String)> = tx
        .prepare_cached(
            "SELECT seq, body FROM ops WHERE origin = ?1 AND seq <= ?2 AND instr(body, ?3) > 0",
        )?
        .query_map(params![own_origin, up_to, HAND_OVER_TAG], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut blanked = 0;
    for (seq, body) in found {
        let changes: Vec<Change> = serde_json::from_str(&body).map_err(corrupt)?;
        if let Cow::Owned(clean) = redacted(&changes) {
            let body = serde_json::to_string(&clean).map_err(corrupt)?;
            tx.prepare_cached("UPDATE ops SET body = ?3 WHERE origin = ?1 AND seq = ?2")?
                .execute(params![own_origin, seq, body])?;
            blanked += 1;
        }
    }
    Ok(blanked)
}

/// Migration 05's step in Rust: on every store the key leaves the settings document, the
/// last-writer-wins copy of it and every stored op body; on the phone it moves into the
/// secret store first. A settings document that sends the assistant over plain http to
/// the open internet (refused from now on) has the assistant turned off and that address
/// cleared, the same way on every device, so that every replica keeps valid, equal
/// settings.
pub(super) fn migrate(tx: &Transaction<'_>) -> rusqlite_migration::HookResult {
    let meta = |key: &str| -> rusqlite::Result<Option<String>> {
        tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    };
    let origin = meta("origin")?;
    let phone = origin.is_some() && origin == meta("phone_origin")?;
    let saved: Option<(String, i64)> = tx
        .query_row(
            "SELECT document, updated_at FROM settings WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((text, updated_at)) = saved
        && let Ok(mut document) = serde_json::from_str::<Value>(&text)
    {
        if phone {
            let assistant = document.get("assistant");
            let key = assistant
                .and_then(|a| a.get("api_key"))
                .and_then(Value::as_str)
                .map(str::trim)
                .unwrap_or_default();
            if !key.is_empty() {
                let base_url = assistant
                    .and_then(|a| a.get("base_url"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let server = server_address::server(base_url).unwrap_or_default();
                keep(
                    tx,
                    &Secret::from_stored(key.to_string()),
                    &server,
                    updated_at,
                )
                .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))?;
            }
        }
        if upgrade_document(&mut document) {
            tx.execute(
                "UPDATE settings SET document = ?1 WHERE id = 1",
                [document.to_string()],
            )?;
        }
    }
    let lww: Option<String> = tx
        .query_row("SELECT value FROM lww WHERE key = 'settings'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(text) = lww
        && let Ok(mut document) = serde_json::from_str::<Value>(&text)
        && upgrade_document(&mut document)
    {
        tx.execute(
            "UPDATE lww SET value = ?1 WHERE key = 'settings'",
            [document.to_string()],
        )?;
    }
    let bodies: Vec<(i64, String)> = tx
        .prepare("SELECT pos, body FROM ops WHERE instr(body, '{\"settings\":') > 0")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (pos, body) in bodies {
        let Ok(Value::Array(mut changes)) = serde_json::from_str::<Value>(&body) else {
            continue;
        };
        let mut changed = false;
        for change in &mut changes {
            if let Some(document) = change
                .get_mut("settings")
                .and_then(|s| s.get_mut("document"))
            {
                changed |= upgrade_document(document);
            }
        }
        if changed {
            tx.execute(
                "UPDATE ops SET body = ?2 WHERE pos = ?1",
                params![pos, Value::Array(changes).to_string()],
            )?;
        }
    }
    Ok(())
}

/// A settings document as this version keeps it: without `assistant.api_key`; with the
/// assistant off and no address when it sent texts over plain http to the open internet;
/// and with the assistant off when it is on with an address the address parser of this
/// version does not take (an older version only looked at how it began). Either way the
/// document stays valid. Returns whether it changed.
pub(crate) fn upgrade_document(document: &mut Value) -> bool {
    let Some(assistant) = document.get_mut("assistant").and_then(Value::as_object_mut) else {
        return false;
    };
    let mut changed = assistant.remove("api_key").is_some();
    let base_url = assistant
        .get("base_url")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string();
    let on = assistant
        .get("mode")
        .and_then(Value::as_str)
        .is_some_and(|mode| mode != "off");
    match server_address::check(&base_url) {
        Err(AddressError::PlainHttp { .. }) => {
            assistant.insert("mode".into(), Value::from("off"));
            assistant.insert("base_url".into(), Value::from(""));
            changed = true;
        }
        Err(AddressError::NotWeb(_)) if on && !base_url.is_empty() => {
            assistant.insert("mode".into(), Value::from("off"));
            changed = true;
        }
        _ => {}
    }
    changed
}

/// The id of the migration this module's step belongs to (`NN-secrets`), whatever its
/// number.
pub(super) fn migration_id(dir: &include_dir::Dir<'_>) -> Option<usize> {
    dir.dirs().find_map(|d| {
        let name = d.path().file_name()?.to_str()?;
        let (number, rest) = name.split_once('-')?;
        (rest == "secrets").then(|| number.parse().ok()).flatten()
    })
}
