//! The assistant's API key: a secret that lives on the phone only (DESIGN.md, "Secrets":
//! desktops write it, never read it).
//!
//! - The settings document, as stored, synced and shown, never holds it.
//! - The phone keeps it in its secret store (the `secrets` table, `store/secrets.rs`), which
//!   no op writes and no session reads, with the server it was given for.
//! - A desktop hands a key over once, as a write-only [`KeyChange`] in one of its ops. The
//!   phone keeps the key, relays a copy with it blanked ([`KeyChange::Redacted`]), and
//!   answers with a [`KeyState`] (a mask such as "sk-…6789", and when); applying that answer,
//!   the desktop blanks the key in its own op log.
//! - A key is used only with the server it was given for: moving the assistant to another
//!   server (scheme, host or port) removes it, unless a new key comes with the move.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::settings::SettingsError;

/// The settings field people know the key by (in errors and in a phone's own settings).
pub const KEY_FIELD: &str = "assistant.api_key";

/// The longest key accepted, in bytes (hosted keys are under 200).
pub const MAX_KEY_BYTES: usize = 1024;

/// A secret value. Serialized as itself, since it travels once from a desktop to the phone;
/// never shown by `Debug`, which prints its mask.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// A value read back from the phone's secret store (checked when it was kept).
    pub(crate) fn from_stored(value: String) -> Secret {
        Secret(value)
    }

    /// The value, for the one place that sends it (the bearer token) or stores it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value as it may be shown ("sk-…6789").
    pub fn mask(&self) -> String {
        mask_key(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({})", self.mask())
    }
}

/// What a desktop asks the phone to do with the assistant's key (`{"set": "…"}`,
/// `"remove"`, `"redacted"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyChange {
    /// Keep this key for the assistant's server.
    Set(Secret),
    /// Forget the key.
    Remove,
    /// The hand-over with its key blanked: what the phone relays and stores, and what a
    /// desktop keeps once the phone has the key. Applying it does nothing.
    Redacted,
}

/// What happened to the assistant's key on the phone, last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// The phone keeps a key.
    Set,
    /// The phone keeps no key (removed, or never given).
    Removed,
    /// A hand-over was not taken (the reason says why); a key kept before stays.
    Refused,
}

impl KeyStatus {
    /// The serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Set => "set",
            KeyStatus::Removed => "removed",
            KeyStatus::Refused => "refused",
        }
    }
}

/// A desktop's hand-over, by its op: the origin and sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// The desktop's op-log origin.
    pub origin: String,
    /// The op's sequence number.
    pub seq: u64,
}

/// What the phone says about the assistant's key, never the key: synced to every desktop
/// (last writer wins; only the phone writes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyState {
    /// Set, removed or refused.
    pub status: KeyStatus,
    /// The key the phone keeps, as it may be shown ("sk-…6789"); empty when it keeps none.
    pub mask: String,
    /// The server the kept key is for (`https://api.openai.com`); empty when none.
    pub server: String,
    /// What happened, in words for the desktop (a refusal says what to do).
    pub reason: String,
    /// When (UTC milliseconds).
    pub at_ms: i64,
    /// The desktop hand-over this answers: that desktop then blanks its copy of the key.
    pub answers: Option<KeyRequest>,
}

/// The key as it may be shown: its prefix ("sk-") and last four characters, "sk-…9f3a".
/// Keys under 12 characters show nothing of themselves ("••••"); no key shows as "".
pub fn mask_key(key: &str) -> String {
    let key = key.trim();
    let chars: Vec<char> = key.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    if chars.len() < 12 {
        return "••••".to_string();
    }
    // A vendor prefix such as "sk-" or "gsk_", never more than 4 characters of it.
    let prefix: String = match chars.iter().take(4).position(|c| *c == '-' || *c == '_') {
        Some(at) if chars[..at].iter().all(char::is_ascii_alphanumeric) => {
            chars[..=at].iter().collect()
        }
        _ => String::new(),
    };
    let last: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{last}")
}

fn key_error(problem: impl Into<String>) -> SettingsError {
    SettingsError {
        field: KEY_FIELD.to_string(),
        problem: problem.into(),
    }
}

/// A key as typed, checked: trimmed, not empty, at most [`MAX_KEY_BYTES`], printable ASCII
/// with no spaces (what a bearer token can carry), and not a mask sent back.
pub fn check_key(key: &str) -> Result<Secret, SettingsError> {
    let key = key.trim();
    if key.is_empty() {
        return Err(key_error(
            "is empty; type or paste the key, or remove the key instead",
        ));
    }
    if key.contains('…') || key.contains('•') {
        return Err(key_error(
            "is the key as Ringback shows it (masked), not the key itself; type or paste the whole key",
        ));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(key_error(format!(
            "is longer than {MAX_KEY_BYTES} characters; paste the key alone"
        )));
    }
    if !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(key_error(
            "has spaces, line breaks or other characters a key does not have; paste it again",
        ));
    }
    Ok(Secret(key.to_string()))
}

/// The server a key for the assistant at `base_url` is kept for (`scheme://host:port`), or
/// why none can be: no address yet, or plain http to the open internet.
pub fn server_for_key(base_url: &str) -> Result<String, SettingsError> {
    use crate::server_address::{AddressError, check};
    match check(base_url) {
        Ok(url) => Ok(url.origin().ascii_serialization()),
        Err(AddressError::PlainHttp { host, .. }) => Err(key_error(format!(
            "cannot be kept for {host}: that server is plain http outside the local network, where the key would travel unencrypted; use https://"
        ))),
        Err(AddressError::NotWeb(_)) => Err(key_error(
            "needs the assistant's server address (assistant.base_url) first: a key is kept only for the server it was given for",
        )),
    }
}

/// Takes `assistant.api_key` out of a settings document or patch: `None` when it has none,
/// a key to set, or (an empty string or `null`) a removal. The rest of the document is left
/// as it was, without the key.
pub fn take_api_key(document: &mut Value) -> Result<Option<KeyChange>, SettingsError> {
    let Some(assistant) = document.get_mut("assistant").and_then(Value::as_object_mut) else {
        return Ok(None);
    };
    let Some(value) = assistant.remove("api_key") else {
        return Ok(None);
    };
    match value {
        Value::Null => Ok(Some(KeyChange::Remove)),
        Value::String(s) if s.trim().is_empty() => Ok(Some(KeyChange::Remove)),
        Value::String(s) => check_key(&s).map(|key| Some(KeyChange::Set(key))),
        _ => Err(key_error("must be text: the key in quotes")),
    }
}

/// The document without `assistant.api_key` (what a device older than this one may still
/// put in a settings op): borrowed when there was none.
pub fn without_api_key(document: &Value) -> Cow<'_, Value> {
    let has_key = document
        .get("assistant")
        .and_then(Value::as_object)
        .is_some_and(|a| a.contains_key("api_key"));
    if !has_key {
        return Cow::Borrowed(document);
    }
    let mut copy = document.clone();
    if let Some(assistant) = copy.get_mut("assistant").and_then(Value::as_object_mut) {
        assistant.remove("api_key");
    }
    Cow::Owned(copy)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_key_is_checked_and_a_mask_is_refused() {
        assert_eq!(
            check_key("  sk-live-0123456789\n").expect("key").expose(),
            "sk-live-0123456789"
        );
        for bad in ["", "   ", "sk-…6789", "••••", "sk live 0123", "sk-\u{7}x"] {
            let e = check_key(bad).expect_err(bad);
            assert_eq!(e.field, "assistant.api_key", "{bad}");
        }
        assert!(check_key(&"k".repeat(MAX_KEY_BYTES + 1)).is_err());
        assert!(check_key(&"k".repeat(MAX_KEY_BYTES)).is_ok());
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        let key = check_key("sk-proj-SECRET-0123456789").expect("key");
        let change = KeyChange::Set(key);
        let shown = format!("{change:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("sk-…6789"), "{shown}");
        // It does travel whole (once, desktop to phone).
        assert!(
            serde_json::to_string(&change)
                .expect("json")
                .contains("SECRET")
        );
    }

    #[test]
    fn the_key_is_taken_out_of_a_document() {
        let mut doc = json!({"assistant": {"mode": "auto", "api_key": "sk-live-0123456789"}});
        let taken = take_api_key(&mut doc).expect("ok");
        assert!(matches!(taken, Some(KeyChange::Set(ref k)) if k.expose() == "sk-live-0123456789"));
        assert_eq!(doc, json!({"assistant": {"mode": "auto"}}));
        let mut none = json!({"assistant": {"mode": "auto"}});
        assert_eq!(take_api_key(&mut none).expect("ok"), None);
        for removal in [json!(""), json!(null)] {
            let mut doc = json!({"assistant": {"api_key": removal}});
            assert_eq!(take_api_key(&mut doc).expect("ok"), Some(KeyChange::Remove));
        }
        let mut masked = json!({"assistant": {"api_key": "sk-…6789"}});
        assert!(take_api_key(&mut masked).is_err());
        let old = json!({"business_name": "A", "assistant": {"api_key": "sk-live-0123456789"}});
        assert_eq!(
            without_api_key(&old).into_owned(),
            json!({"business_name": "A", "assistant": {}})
        );
    }

    #[test]
    fn keys_are_masked() {
        assert_eq!(mask_key(""), "");
        assert_eq!(mask_key("short"), "••••");
        assert_eq!(mask_key("sk-proj-abcdefgh9f3a"), "sk-…9f3a");
    }
}
