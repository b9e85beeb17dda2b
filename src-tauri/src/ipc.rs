//! The shapes that cross the IPC boundary. TypeScript types for them are generated
//! (`ui/src/bindings.ts`), so each is declared here once. Times are Unix milliseconds,
//! which JavaScript's `Date` takes as they are.

use ringback_core::assistant::{AssistantState, LeadFields};
use ringback_core::conversation::LeadStatus;
use ringback_core::outbound::{HoldReason, RefusalReason};
use ringback_core::settings::AssistantMode;
use ringback_core::sync::replica::DesktopError;
use ringback_core::{
    CallDecision, Direction, Failure, MessageKind, MessageStatus, SettingsError, StoreError,
};
use serde::{Deserialize, Serialize};
use specta::Type;

/// An error the window shows: a sentence that says what to do, and the settings field it
/// is about when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// What went wrong and what to do about it.
    pub message: String,
    /// The settings field (dotted path, e.g. `templates.business_hours`), if it is about one.
    pub field: Option<String>,
}

impl AppError {
    /// An error about nothing in particular.
    pub fn new(message: impl Into<String>) -> AppError {
        AppError {
            message: message.into(),
            field: None,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        AppError::new(e.to_string())
    }
}

impl From<SettingsError> for AppError {
    fn from(e: SettingsError) -> AppError {
        AppError {
            message: e.problem,
            field: Some(e.field),
        }
    }
}

impl From<DesktopError> for AppError {
    fn from(e: DesktopError) -> AppError {
        match e {
            DesktopError::Settings(s) => s.into(),
            other => AppError::new(other.to_string()),
        }
    }
}

/// A row id as a command argument (a JavaScript number: ids stay far below 2^53).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(transparent)]
pub struct Id(#[specta(type = specta_typescript::Number)] pub i64);

/// A conversation: the phone that holds it and its id there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
pub struct ConvKey {
    /// The phone's endpoint id.
    pub phone: String,
    /// The conversation's id on that phone.
    #[specta(type = specta_typescript::Number)]
    pub id: i64,
}

/// Where the next inbox page starts (the last row of the previous one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct InboxAfter {
    /// Its last activity.
    #[specta(type = specta_typescript::Number)]
    pub last_activity_ms: i64,
    /// Its phone.
    pub phone: String,
    /// Its id.
    #[specta(type = specta_typescript::Number)]
    pub id: i64,
}

/// A message's state as the team reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Waiting to be sent (on the phone, or on its way to it).
    Queued,
    /// Handed to the radio.
    Sending,
    /// The network took it.
    Sent,
    /// The handset confirmed it.
    Delivered,
    /// It could not be sent; `failure` says why.
    Failed,
    /// The phone stopped while sending: it may or may not have left, and is not retried.
    Unconfirmed,
    /// Not sent on purpose (e.g. the caller wrote first).
    Cancelled,
    /// Received from the caller.
    Received,
    /// It reached the phone too late to be sent.
    Expired,
    /// It could not leave for a passing reason (no service…); the phone sends it again
    /// while it is still timely. `retry` says since when and why.
    Retrying,
}

impl MessageState {
    /// The state of a stored message.
    pub fn of(status: MessageStatus, failure: Option<&Failure>) -> MessageState {
        match status {
            MessageStatus::Queued => MessageState::Queued,
            MessageStatus::Sending => MessageState::Sending,
            MessageStatus::Sent => MessageState::Sent,
            MessageStatus::Delivered => MessageState::Delivered,
            MessageStatus::Failed if matches!(failure, Some(Failure::Expired { .. })) => {
                MessageState::Expired
            }
            MessageStatus::Failed => MessageState::Failed,
            MessageStatus::Unconfirmed => MessageState::Unconfirmed,
            MessageStatus::Cancelled => MessageState::Cancelled,
            MessageStatus::Received => MessageState::Received,
            MessageStatus::Retrying => MessageState::Retrying,
        }
    }
}

/// One inbox row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ConversationRow {
    /// Which conversation.
    pub key: ConvKey,
    /// The line it belongs to, in words ("SIM 1", or with the phone's name when there are several).
    pub line: String,
    /// The other party (E.164 when it is a number).
    pub number: String,
    /// The number formatted for reading.
    pub display_number: String,
    /// Their name in the phone's contacts.
    pub contact_name: Option<String>,
    /// Unread texts.
    pub unread: u32,
    /// Where the lead stands.
    pub lead_status: LeadStatus,
    /// Whether they opted out.
    pub opted_out: bool,
    /// Whether automated texts to them wait for a person (they may have asked not to be
    /// texted, in other words than STOP).
    pub paused: bool,
    /// Last activity.
    #[specta(type = specta_typescript::Number)]
    pub last_activity_ms: i64,
    /// The start of the latest message.
    pub preview: String,
    /// Which way the latest message went.
    pub preview_direction: Option<Direction>,
    /// Its state.
    pub preview_status: Option<MessageState>,
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct MessageRow {
    /// Its id on the phone (0 for a reply still on its way to the phone).
    #[specta(type = specta_typescript::Number)]
    pub id: i64,
    /// Which way.
    pub direction: Direction,
    /// What it was for.
    pub kind: MessageKind,
    /// The text.
    pub body: String,
    /// Its state.
    pub status: MessageState,
    /// Why it failed or was not sent, as a kind.
    pub failure: Option<Failure>,
    /// The same in core's words.
    pub failure_words: Option<String>,
    /// When it was written.
    #[specta(type = specta_typescript::Number)]
    pub created_ms: i64,
    /// When it left the phone.
    #[specta(type = Option<specta_typescript::Number>)]
    pub left_ms: Option<i64>,
    /// Why the phone holds it back for now (queued texts only).
    pub hold: Option<HoldView>,
    /// Since when and why the phone keeps trying (retrying texts only).
    pub retry: Option<RetryView>,
    /// Its photos and other parts (a picture message), in order.
    pub attachments: Vec<AttachmentView>,
    /// The other recipients of a group picture message, formatted (empty for one-to-one).
    pub others: Vec<String>,
}

/// What an attachment is, as the thread shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// A picture: a thumbnail inline, the viewer on a click.
    Photo,
    /// A video.
    Video,
    /// A sound recording.
    Audio,
    /// A contact card (vCard).
    Contact,
    /// Anything else.
    Other,
    /// A picture message the phone's default app has not downloaded yet.
    NotDownloaded,
}

/// One attachment of a message: what it is, and the hashes its bytes and thumbnail are
/// fetched by (`attachment_data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AttachmentView {
    /// What it is.
    pub kind: AttachmentKind,
    /// Its MIME type (empty while not downloaded).
    pub content_type: String,
    /// Its size in bytes.
    #[specta(type = specta_typescript::Number)]
    pub size: u64,
    /// The BLAKE3 hash of its bytes (64 hex digits); none while not downloaded.
    pub hash: Option<String>,
    /// The thumbnail's hash, for photos the phone made one of.
    pub thumbnail: Option<String>,
    /// Its file name, when the sender gave one.
    pub name: Option<String>,
    /// In words, as the assistant sees it too ("[photo]").
    pub words: String,
}

/// An attachment's bytes for the window: a `data:` URL the thread and the viewer show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AttachmentData {
    /// Its MIME type.
    pub content_type: String,
    /// `data:image/jpeg;base64,…`.
    pub data_url: String,
}

/// A photo made ready to send with a reply: resized and compressed to the carrier's MMS
/// size, shown in the composer before it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct PreparedPhotoView {
    /// Names it for `send_reply` (the desktop keeps it until sent or removed).
    pub token: String,
    /// Its size in bytes, at most the limit.
    #[specta(type = specta_typescript::Number)]
    pub size: u64,
    /// The carrier's limit it was made to fit, in bytes.
    #[specta(type = specta_typescript::Number)]
    pub limit: u64,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// The JPEG as a `data:` URL, for the preview.
    pub data_url: String,
}

/// A file saved to the Downloads folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SavedFile {
    /// Where it was saved.
    pub path: String,
}

/// A text the phone keeps trying: since when, and why in a few words ("no service").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RetryView {
    /// When it was first tried.
    #[specta(type = specta_typescript::Number)]
    pub since_ms: i64,
    /// Why it could not leave, in core's few words.
    pub words: String,
}

/// Why the phone holds a text back, in words, and until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct HoldView {
    /// Why.
    pub reason: HoldReason,
    /// Why, in words for the team.
    pub words: String,
    /// The earliest it leaves, if nothing else changes.
    #[specta(type = specta_typescript::Number)]
    pub until_ms: i64,
}

/// A reply the phone refused to send, with no conversation to show it in (it named a
/// number that never called or texted the business).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RefusedReply {
    /// The recipient it named, formatted for reading.
    pub to: String,
    /// The start of the text.
    pub preview: String,
    /// Why.
    pub reason: RefusalReason,
    /// Why, in words.
    pub words: String,
    /// The desktop that wrote it (its name, or "this desktop").
    pub desktop: String,
    /// When it was written.
    #[specta(type = specta_typescript::Number)]
    pub requested_ms: i64,
}

/// A call, as the missed-calls page and a conversation show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct CallRow {
    /// The phone that saw it.
    pub phone: String,
    /// Its id there.
    #[specta(type = specta_typescript::Number)]
    pub id: i64,
    /// The caller as the phone reported it.
    pub caller: String,
    /// The caller formatted for reading.
    pub display_number: String,
    /// Their contact name.
    pub contact_name: Option<String>,
    /// The line, in words.
    pub line: String,
    /// How it ended.
    pub outcome: ringback_core::CallOutcome,
    /// When it ended.
    #[specta(type = specta_typescript::Number)]
    pub ended_ms: i64,
    /// What the phone decided (none for a call that needed no decision).
    pub decision: Option<CallDecision>,
    /// The same in core's words ("texted back", "not texted: they were texted recently").
    pub decision_words: Option<String>,
    /// When the text-back left.
    #[specta(type = Option<specta_typescript::Number>)]
    pub texted_ms: Option<i64>,
    /// Whether the caller texted afterwards.
    pub replied: bool,
    /// The conversation with the caller, when there is one.
    pub conversation: Option<ConvKey>,
}

/// Where the next missed-calls page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CallsBefore {
    /// The last row's end time.
    #[specta(type = specta_typescript::Number)]
    pub ended_ms: i64,
    /// Its phone.
    pub phone: String,
    /// Its id.
    #[specta(type = specta_typescript::Number)]
    pub id: i64,
}

/// Everything the conversation screen shows besides the thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ConversationDetail {
    /// The inbox row.
    pub row: ConversationRow,
    /// The team's private note.
    pub note: String,
    /// When they texted STOP, if they did.
    #[specta(type = Option<specta_typescript::Number>)]
    pub opted_out_since_ms: Option<i64>,
    /// What that means for texts to them, in core's words (when they opted out).
    pub opted_out_words: Option<String>,
    /// Since when automated texts to them wait for a person to decide (a text that probably
    /// means "stop texting me"), if they do.
    #[specta(type = Option<specta_typescript::Number>)]
    pub paused_since_ms: Option<i64>,
    /// A person chose to opt them out and the phone has not recorded it yet.
    pub opt_out_requested: bool,
    /// Calls with this number, newest first.
    pub calls: Vec<CallRow>,
    /// The saved quick replies.
    pub quick_replies: Vec<String>,
    /// What the assistant learned about the job.
    pub lead: LeadFields,
    /// The lead card in one line ("Leaking pipe · 10001 · urgent · today after 3"; empty
    /// when nothing is known).
    pub lead_card: String,
    /// The assistant's draft for the composer; empty when there is none.
    pub draft: String,
    /// Where the assistant stands here; `None` when it never took part.
    pub assistant: Option<AssistantState>,
    /// The assistant's mode in the settings (off, suggest, auto).
    pub assistant_mode: AssistantMode,
    /// The next appointment booked in this conversation (not yet over).
    pub appointment: Option<AppointmentView>,
}

/// A booked appointment, with its time in words in the business's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AppointmentView {
    /// The conversation it was booked in.
    pub key: ConvKey,
    /// Its id on the phone.
    #[specta(type = specta_typescript::Number)]
    pub id: i64,
    /// The caller's number (E.164).
    pub number: String,
    /// The number formatted for reading.
    pub display_number: String,
    /// Their contact name.
    pub contact_name: Option<String>,
    /// When it starts.
    #[specta(type = specta_typescript::Number)]
    pub start_ms: i64,
    /// When it ends.
    #[specta(type = specta_typescript::Number)]
    pub end_ms: i64,
    /// The day in the business's time zone ("Tue, Nov 3").
    pub day: String,
    /// The time in the business's time zone ("08:00–09:00").
    pub time: String,
    /// The business's time zone ("America/New_York").
    pub timezone: String,
    /// The lead card when it was booked.
    pub summary: String,
}

/// An exported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ExportedFile {
    /// Where it was written.
    pub path: String,
    /// How many entries it holds.
    pub count: u32,
}

/// How a text will be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SegmentInfo {
    /// "gsm7" (160 a segment) or "ucs2" (70; emoji and some accents need it).
    pub encoding: String,
    /// SMS parts it is sent as.
    pub segments: u32,
    /// Characters as the network counts them.
    pub characters: u32,
    /// Room left in the last part.
    pub remaining_in_segment: u32,
    /// The most parts the phone sends in one text; a longer reply is refused.
    pub max_segments: u32,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SearchHit {
    /// The conversation.
    pub key: ConvKey,
    /// The matching message, when a message matched (else the contact name did).
    #[specta(type = Option<specta_typescript::Number>)]
    pub message_id: Option<i64>,
    /// The matching text, shortened.
    pub snippet: String,
    /// The contact's name.
    pub contact_name: Option<String>,
    /// The number formatted for reading.
    pub display_number: String,
}

/// A rendered template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TemplatePreview {
    /// The text a caller would get.
    pub text: String,
    /// How it is sent.
    pub segments: SegmentInfo,
}

/// How a peer is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// A direct path to an address of this network (private, loopback or link-local).
    Lan,
    /// A direct path over the internet.
    Direct,
    /// Through a relay (still end-to-end encrypted).
    Relay,
    /// Not connected.
    Offline,
}

/// A paired phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PeerRow {
    /// Its endpoint id.
    pub endpoint: String,
    /// Its name.
    pub name: String,
    /// The short fingerprint of its endpoint id, as the phone shows it.
    pub fingerprint: String,
    /// How it is reached now.
    pub link: LinkState,
    /// The relay's host name, when the link goes through one.
    pub relay: Option<String>,
    /// The round-trip time in milliseconds, when connected and measured.
    pub rtt_ms: Option<u32>,
    /// Since when the link has been in its present state (connected this way, or offline).
    #[specta(type = Option<specta_typescript::Number>)]
    pub since_ms: Option<i64>,
    /// Offline since when.
    #[specta(type = Option<specta_typescript::Number>)]
    pub offline_since_ms: Option<i64>,
    /// When something last arrived from it.
    #[specta(type = Option<specta_typescript::Number>)]
    pub last_sync_ms: Option<i64>,
    /// The health it last reported, as the Devices checklist shows it.
    pub health: Option<HealthRow>,
}

/// A phone's health on the Devices screen: every check, with a fix for each that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct HealthRow {
    /// When the record arrived (this desktop's clock).
    #[specta(type = specta_typescript::Number)]
    pub reported_at_ms: i64,
    /// Ringback's version on the phone.
    pub app_version: String,
    /// The checks.
    pub checklist: Vec<ringback_core::health::CheckItem>,
}

/// The alerts in force changed (one was raised or cleared).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct AlertsChanged {
    /// The alerts now, oldest first.
    pub alerts: Vec<crate::alerts::AlertRow>,
}

/// A pairing code on the devices screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PairingCode {
    /// The pairing QR code as an SVG document.
    pub qr_svg: String,
    /// The same ticket as text to type.
    pub short_code: String,
    /// What the QR code says (`ringback:pair/1/…`: the code with the desktop's addresses).
    pub payload: String,
    /// When the code stops working.
    #[specta(type = specta_typescript::Number)]
    pub expires_ms: i64,
}

/// The devices screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Devices {
    /// The code that pairs now: none until "Pair a phone" is pressed, and none once it was
    /// used, expired or cancelled.
    pub pairing: Option<PairingCode>,
    /// Paired phones.
    pub phones: Vec<PeerRow>,
    /// How this desktop reaches phones.
    pub network: ringback_core::settings::Network,
    /// The self-hosted relay.
    pub relay_url: String,
    /// Whether a network change waits for a restart.
    pub restart_needed: bool,
}

/// "Photos on this computer" (Devices): what this desktop fetches and keeps of the phones'
/// photos (`desktop.json`, used at once when changed), and what they take here now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PhotoSettings {
    /// Full-size photos up to this many MB are fetched as they arrive (0: previews only).
    #[specta(type = specta_typescript::Number)]
    pub photos_eager_up_to_mb: u64,
    /// MB of photos kept per phone; the oldest are removed past it.
    #[specta(type = specta_typescript::Number)]
    pub photos_budget_per_phone_mb: u64,
    /// The largest `photos_eager_up_to_mb` accepted (no photo is larger).
    #[specta(type = specta_typescript::Number)]
    pub max_eager_mb: u64,
    /// The largest `photos_budget_per_phone_mb` accepted.
    #[specta(type = specta_typescript::Number)]
    pub max_budget_mb: u64,
    /// What each paired phone's photos take on this computer.
    pub phones: Vec<PhotoUsage>,
}

/// What one phone's photos take on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PhotoUsage {
    /// The phone's endpoint id.
    pub endpoint: String,
    /// Its name.
    pub name: String,
    /// Bytes of its photos held here (`None`: its photo folder could not be read).
    #[specta(type = Option<specta_typescript::Number>)]
    pub held_bytes: Option<u64>,
    /// How many of its photos this change removed to fit the budget (0 when only read).
    pub removed: u32,
}

/// What the window needs at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Overview {
    /// Unread texts across phones.
    pub unread_total: u32,
    /// Paired phones.
    pub phones: Vec<PeerRow>,
    /// Whether the simulated phone runs (demo mode).
    pub demo: bool,
}

/// A phone's data changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct StoreChanged {
    /// Which phone.
    pub phone: String,
}

/// The window should open a conversation (a notification was clicked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct OpenConversation {
    /// Which.
    pub key: ConvKey,
}

/// A phone that presented the pairing code and waits for a person to accept it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PairingRequestRow {
    /// Its endpoint id.
    pub endpoint: String,
    /// The name it gave.
    pub name: String,
    /// The short fingerprint of its endpoint id: the phone shows the same.
    pub fingerprint: String,
    /// When the desktop stops waiting for an answer.
    #[specta(type = specta_typescript::Number)]
    pub expires_ms: i64,
}

/// The phones waiting to be accepted changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct PairingRequestsChanged {
    /// The phones waiting now.
    pub requests: Vec<PairingRequestRow>,
}

/// A phone was paired, unpaired, connected or lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct PeersChanged {
    /// The phones now.
    pub phones: Vec<PeerRow>,
}

/// A new API key for the assistant, or its removal: what the window sends, write-only.
/// The desktop hands it to the phone once and keeps nothing of it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum KeyInput {
    /// Keep this key on the phone.
    Set(String),
    /// Remove the key from the phone.
    Remove,
}

impl std::fmt::Debug for KeyInput {
    /// Never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyInput::Set(_) => f.write_str("Set(…)"),
            KeyInput::Remove => f.write_str("Remove"),
        }
    }
}

/// Whether the phone keeps an API key for the assistant, as the phone last said: a mask and
/// when, never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AssistantKeyView {
    /// The phone keeps a key.
    pub set: bool,
    /// It, as it may be shown ("sk-…6789"); empty when none.
    pub mask: String,
    /// The server it is kept for ("https://api.openai.com"); empty when none.
    pub server: String,
    /// What happened last: "set", "removed" or "refused" (a key not taken); "none" when
    /// the phone never said.
    pub status: String,
    /// Why, in words (a refusal says what to do).
    pub reason: String,
    /// When the phone said so (Unix ms).
    #[specta(type = Option<specta_typescript::Number>)]
    pub at_ms: Option<i64>,
    /// This desktop sent a key (or its removal) the phone has not answered yet.
    pub pending: bool,
}

/// What "Copy diagnostics" gathered for support: no message, API key or whole number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Diagnostics {
    /// The text to copy: the app's version, the system, the network, each phone's name,
    /// fingerprint and link, and the end of the log.
    pub text: String,
    /// How many phones it describes.
    pub phones: u32,
    /// How many log lines it holds.
    pub log_lines: u32,
}
