//! The IPC commands: each a thin wrapper over a core query or intent. Every command is
//! async, so a query never runs on the window's thread.

use std::collections::HashMap;

use ringback_core::assistant::{AssistantState, AssistantStatus};
use ringback_core::conversation::LeadStatus;
use ringback_core::oplog::op::Field;
use ringback_core::opt_out::{ReviewDecision, ReviewState};
use ringback_core::outbound::RefusalReason;
use ringback_core::settings::{Network, Settings};
use ringback_core::store::{ConversationId, InboxFilter, MessageId};
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::template::{RenderContext, Template};
use ringback_core::{CallDecision, Direction, SkipReason};
use tauri::State;

use crate::demo::Demo;
use crate::desktop::{Desktop, SharedDesktop};
use ringback_core::scenario::DryRun;
use ringback_core::store::Dashboard;

use crate::ipc::{
    AppError, AppointmentView, AssistantKeyView, CallRow, CallsBefore, ConvKey, ConversationDetail,
    ConversationRow, Devices, Diagnostics, ExportedFile, Id, InboxAfter, KeyInput, MessageRow,
    MessageState, Overview, PairingRequestRow, PhotoSettings, RefusedReply, SearchHit, SegmentInfo,
    TemplatePreview,
};
use crate::views;
use ringback_core::secret::{KeyChange, KeyState, check_key};

/// The longest page a command returns.
const MAX_PAGE: u32 = 2_000;

pub(crate) type Reply<T> = Result<T, AppError>;

/// Runs `f` on a phone's store off the async threads.
pub(crate) async fn on_store<T: Send + 'static>(
    replica: &DesktopReplica,
    f: impl FnOnce(&mut ringback_core::Store) -> Result<T, AppError> + Send + 'static,
) -> Reply<T> {
    replica
        .with_async(f)
        .await
        .map_err(|e| AppError::new(format!("the local database stopped: {e}; restart Ringback")))?
}

/// Unread count, phones, and whether this is demo mode.
#[tauri::command]
#[specta::specta]
pub async fn overview(
    desktop: State<'_, SharedDesktop>,
    demo: State<'_, Option<Demo>>,
) -> Reply<Overview> {
    let mut unread_total = 0;
    for (_, replica) in desktop.phones() {
        unread_total += on_store(&replica, |s| Ok(s.reader().unread_total()?)).await?;
    }
    Ok(Overview {
        unread_total,
        phones: desktop.peers(),
        demo: demo.is_some(),
    })
}

/// A page of the inbox across phones, by last activity.
#[tauri::command]
#[specta::specta]
pub async fn inbox_page(
    desktop: State<'_, SharedDesktop>,
    filter: InboxFilter,
    after: Option<InboxAfter>,
    limit: u32,
) -> Reply<Vec<ConversationRow>> {
    let limit = limit.clamp(1, MAX_PAGE);
    let names = desktop.phone_names();
    let mut rows = Vec::new();
    for (phone, replica) in desktop.phones() {
        let cursor = views::phone_cursor(after.as_ref(), &phone);
        let page = on_store(&replica, move |s| Ok(s.inbox_page(filter, cursor, limit)?)).await?;
        rows.extend(
            page.into_iter()
                .map(|c| views::conversation_row(&phone, c, &names)),
        );
    }
    Ok(views::merge_inbox(rows, limit))
}

/// Full-text search over messages and contact names.
#[tauri::command]
#[specta::specta]
pub async fn search(
    desktop: State<'_, SharedDesktop>,
    query: String,
    limit: u32,
) -> Reply<Vec<SearchHit>> {
    let limit = limit.clamp(1, 200);
    let mut hits = Vec::new();
    for (phone, replica) in desktop.phones() {
        let query = query.clone();
        let found = on_store(&replica, move |s| {
            let mut out = Vec::new();
            for hit in s.search(&query, limit)? {
                let reader = s.reader();
                let number = reader
                    .conversation_address(hit.conversation_id)?
                    .map(|(n, _)| n)
                    .unwrap_or_default();
                let contact_name = reader.contact_name(&number)?;
                out.push(SearchHit {
                    key: ConvKey {
                        phone: String::new(),
                        id: hit.conversation_id.0,
                    },
                    message_id: hit.message_id.map(|m| m.0),
                    snippet: views::preview(&hit.text, 160),
                    contact_name,
                    display_number: views::display_number(&number),
                });
            }
            Ok(out)
        })
        .await?;
        hits.extend(found.into_iter().map(|mut h| {
            h.key.phone = phone.clone();
            h
        }));
    }
    hits.truncate(limit as usize);
    Ok(hits)
}

/// A page of a thread, newest first; replies still on their way to the phone come first.
#[tauri::command]
#[specta::specta]
pub async fn thread(
    desktop: State<'_, SharedDesktop>,
    key: ConvKey,
    before: Option<Id>,
    limit: u32,
) -> Reply<Vec<MessageRow>> {
    let replica = desktop.phone(&key.phone)?;
    let limit = limit.clamp(1, MAX_PAGE);
    on_store(&replica, move |s| {
        let conversation = ConversationId(key.id);
        let mut rows = Vec::new();
        if before.is_none() {
            let reader = s.reader();
            let mut pending: Vec<MessageRow> = reader
                .pending_requests()?
                .into_iter()
                .filter(|r| r.conversation == Some(conversation))
                .map(|r| {
                    // A reply with a photo shows it while it waits for the phone.
                    let photos = reader.request_attachments(&r.origin, &r.id)?;
                    Ok::<_, AppError>((r, photos))
                })
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .map(|(r, photos)| MessageRow {
                    id: 0,
                    direction: ringback_core::Direction::Outbound,
                    kind: ringback_core::MessageKind::Reply,
                    body: r.body,
                    status: MessageState::Queued,
                    failure: None,
                    failure_words: None,
                    created_ms: r.requested_at.as_millisecond(),
                    left_ms: None,
                    hold: None,
                    retry: None,
                    attachments: photos.iter().map(views::attachment_view).collect(),
                    others: Vec::new(),
                })
                .collect();
            pending.reverse();
            rows.extend(pending);
        }
        let page = s.thread_page(conversation, before.map(|b| MessageId(b.0)), limit)?;
        let reader = s.reader();
        for m in page {
            let attachments = reader.attachments(m.id)?;
            let others = if attachments.is_empty() {
                Vec::new()
            } else {
                reader.message_others(m.id)?
            };
            rows.push(views::message_row_with(m, &attachments, &others));
        }
        Ok(rows)
    })
    .await
}

/// Marks everything in a conversation read (on every device).
#[tauri::command]
#[specta::specta]
pub async fn mark_read(desktop: State<'_, SharedDesktop>, key: ConvKey) -> Reply<()> {
    let replica = desktop.phone(&key.phone)?;
    on_store(&replica, move |s| {
        let conversation = ConversationId(key.id);
        let newest = s.thread_page(conversation, None, 1)?;
        if let Some(m) = newest.first() {
            let read = s.reader().read_up_to(conversation)?;
            if read < m.id.0 {
                let now = jiff::Timestamp::now();
                s.write(now, "field_set", |tx| {
                    tx.set_field(conversation, Field::ReadUpTo(m.id.0))
                })?;
            }
        }
        Ok(())
    })
    .await
}

/// Asks the phone to send a reply.
#[tauri::command]
#[specta::specta]
pub async fn send_reply(
    desktop: State<'_, SharedDesktop>,
    key: ConvKey,
    body: String,
) -> Reply<()> {
    let replica = desktop.phone(&key.phone)?;
    refuse_if_opted_out(&replica, key.id).await?;
    let r = replica.clone();
    tauri::async_runtime::spawn_blocking(move || {
        r.request_reply(Some(ConversationId(key.id)), None, &body)
    })
    .await
    .map_err(|e| AppError::new(format!("the reply could not be queued: {e}")))??;
    Ok(())
}

/// "Text them now": asks the phone to send the business's text-back, rendered as the phone
/// would have for this call, to a caller whose call ended while Ringback was not running.
/// It goes as a reply, so the phone's policy applies to it like any other.
#[tauri::command]
#[specta::specta]
pub async fn text_back_now(
    desktop: State<'_, SharedDesktop>,
    phone: String,
    call_id: Id,
) -> Reply<()> {
    text_back_now_on(&desktop, &phone, call_id.0).await
}

/// [`text_back_now`], on a desktop.
pub async fn text_back_now_on(desktop: &Desktop, phone: &str, call_id: i64) -> Reply<()> {
    let replica = desktop.phone(phone)?;
    let (conversation, body) = on_store(&replica, move |s| {
        let call = s
            .call(call_id)?
            .ok_or_else(|| AppError::new("that call is not on this phone any more"))?;
        if call.decision != Some(CallDecision::Skipped(SkipReason::TooLate)) {
            return Err(AppError::new(
                "only a call missed while Ringback was not running can be texted from here; open the conversation to reply",
            ));
        }
        let (Some(conversation), Some(number)) = (call.conversation_id, call.number.as_deref())
        else {
            return Err(AppError::new(
                "this caller's number is not one a text can go to",
            ));
        };
        // One click, one text: anything sent to them since the call means someone did.
        let texted_since = s
            .thread_page(conversation, None, 50)?
            .iter()
            .any(|m| m.direction == Direction::Outbound && m.created_at > call.ended_at);
        // A reply written here waits as a request until the phone has made it a message.
        let on_its_way = s
            .reader()
            .pending_requests()?
            .iter()
            .any(|r| r.conversation == Some(conversation));
        if texted_since || on_its_way {
            return Err(AppError::new(
                "they have been texted since this call (or a text to them is on its way); open the conversation to see it",
            ));
        }
        let reader = s.reader();
        let config = reader
            .settings()?
            .unwrap_or_default()
            .validate()
            .map_err(|e| {
                AppError::new(format!(
                    "the phone's text-back cannot be written from its settings ({e}); fix them under Settings"
                ))
            })?;
        let name = reader.contact_name(number)?;
        Ok((
            conversation,
            ringback_core::rules::text_back_body(&config, call.ended_at, name.as_deref()),
        ))
    })
    .await?;
    refuse_if_opted_out(&replica, conversation.0).await?;
    let r = replica.clone();
    tauri::async_runtime::spawn_blocking(move || r.request_reply(Some(conversation), None, &body))
        .await
        .map_err(|e| AppError::new(format!("the text could not be queued: {e}")))??;
    Ok(())
}

/// Asks the phone to send a failed or expired message again.
#[tauri::command]
#[specta::specta]
pub async fn resend(desktop: State<'_, SharedDesktop>, key: ConvKey, message_id: Id) -> Reply<()> {
    let replica = desktop.phone(&key.phone)?;
    refuse_if_opted_out(&replica, key.id).await?;
    let message = on_store(&replica, move |s| {
        Ok(s.reader().message(MessageId(message_id.0))?)
    })
    .await?
    .filter(|m| m.conversation_id.0 == key.id)
    .ok_or_else(|| AppError::new("that message is not in this conversation any more"))?;
    let state = MessageState::of(message.status, message.failure.as_ref());
    if !matches!(state, MessageState::Failed | MessageState::Expired) {
        return Err(AppError::new(
            "only a failed or expired message can be sent again; this one was not",
        ));
    }
    let r = replica.clone();
    tauri::async_runtime::spawn_blocking(move || {
        r.request_reply(Some(ConversationId(key.id)), None, &message.body)
    })
    .await
    .map_err(|e| AppError::new(format!("the reply could not be queued: {e}")))??;
    Ok(())
}

pub(crate) async fn refuse_if_opted_out(replica: &DesktopReplica, conversation: i64) -> Reply<()> {
    let opted_out = on_store(replica, move |s| {
        let reader = s.reader();
        let Some((number, _)) = reader.conversation_address(ConversationId(conversation))? else {
            return Err(AppError::new("that conversation is not on this phone"));
        };
        Ok(reader.is_opted_out(&number)?)
    })
    .await?;
    if opted_out {
        return Err(AppError::new(RefusalReason::OptedOut.describe()));
    }
    Ok(())
}

/// Replies the phone refused because they named a number that never called or texted the
/// business (those in a conversation show there as failed), newest first.
#[tauri::command]
#[specta::specta]
pub async fn refused_replies(
    desktop: State<'_, SharedDesktop>,
    phone: String,
) -> Reply<Vec<RefusedReply>> {
    let replica = desktop.phone(&phone)?;
    on_store(&replica, move |s| {
        let me = s.origin().to_string();
        let names: HashMap<String, String> = s
            .reader()
            .peers()?
            .into_iter()
            .map(|p| (p.origin, p.name))
            .collect();
        Ok(s.reader()
            .refused_requests(MAX_PAGE)?
            .into_iter()
            .map(|r| RefusedReply {
                to: r
                    .to
                    .as_deref()
                    .map(views::display_number)
                    .unwrap_or_default(),
                preview: views::preview(&r.body, 80),
                reason: r.reason,
                words: r.reason.describe(),
                desktop: if r.origin == me {
                    "this desktop".to_string()
                } else {
                    names
                        .get(&r.origin)
                        .cloned()
                        .unwrap_or_else(|| "another desktop".to_string())
                },
                requested_ms: r.requested_at.as_millisecond(),
            })
            .collect())
    })
    .await
}

/// A person's decision about a text that probably meant "stop texting me": opt the
/// number out (the phone records it; no confirmation is sent), or resume automatic texts.
#[tauri::command]
#[specta::specta]
pub async fn decide_opt_out(
    desktop: State<'_, SharedDesktop>,
    key: ConvKey,
    decision: ReviewDecision,
) -> Reply<()> {
    let replica = desktop.phone(&key.phone)?;
    on_store(&replica, move |s| {
        let Some((number, _)) = s.reader().conversation_address(ConversationId(key.id))? else {
            return Err(AppError::new("that conversation is not on this phone any more"));
        };
        let pending = s
            .reader()
            .opt_out_review(&number)?
            .is_some_and(|r| r.state == ReviewState::Pending);
        if !pending {
            return Err(AppError::new(
                "automatic texts to this number are not waiting for a decision any more; reload the conversation",
            ));
        }
        let now = jiff::Timestamp::now();
        s.write(now, "opt_out_decided", |tx| {
            tx.set_opt_out_review(&number, decision.state(), now)
        })?;
        Ok(())
    })
    .await
}

/// Sets where a lead stands.
#[tauri::command]
#[specta::specta]
pub async fn set_lead_status(
    desktop: State<'_, SharedDesktop>,
    key: ConvKey,
    status: LeadStatus,
) -> Reply<()> {
    let replica = desktop.phone(&key.phone)?;
    set_field(&replica, key.id, Field::LeadStatus(status)).await
}

/// Sets the team's private note.
#[tauri::command]
#[specta::specta]
pub async fn set_note(desktop: State<'_, SharedDesktop>, key: ConvKey, note: String) -> Reply<()> {
    const MAX_NOTE: usize = 10_000;
    if note.chars().count() > MAX_NOTE {
        return Err(AppError::new(
            "the note is longer than 10,000 characters; shorten it",
        ));
    }
    let replica = desktop.phone(&key.phone)?;
    set_field(&replica, key.id, Field::Note(note)).await
}

async fn set_field(replica: &DesktopReplica, id: i64, field: Field) -> Reply<()> {
    let r = replica.clone();
    tauri::async_runtime::spawn_blocking(move || r.set_field(ConversationId(id), field))
        .await
        .map_err(|e| AppError::new(format!("the change could not be saved: {e}")))??;
    Ok(())
}

/// How a text will be sent (GSM-7 or UCS-2, parts, room left), as core counts it.
#[tauri::command]
#[specta::specta]
pub async fn segments(text: String) -> Reply<SegmentInfo> {
    Ok(views::segment_info(&text))
}

/// A page of calls that got a decision, across phones, newest first.
#[tauri::command]
#[specta::specta]
pub async fn missed_calls(
    desktop: State<'_, SharedDesktop>,
    before: Option<CallsBefore>,
    limit: u32,
) -> Reply<Vec<CallRow>> {
    let limit = limit.clamp(1, MAX_PAGE);
    let names = desktop.phone_names();
    let mut rows = Vec::new();
    for (phone, replica) in desktop.phones() {
        let cursor = before.as_ref().map(|b| {
            let id = match phone.cmp(&b.phone) {
                std::cmp::Ordering::Less => i64::MIN,
                std::cmp::Ordering::Equal => b.id,
                std::cmp::Ordering::Greater => i64::MAX,
            };
            (b.ended_ms, id)
        });
        let names = names.clone();
        let p = phone.clone();
        let page = on_store(&replica, move |s| {
            let calls = s.missed_calls_page(cursor, limit)?;
            calls_rows(s, &p, calls, &names)
        })
        .await?;
        rows.extend(page);
    }
    rows.sort_by(|a, b| {
        b.ended_ms
            .cmp(&a.ended_ms)
            .then_with(|| a.phone.cmp(&b.phone))
            .then_with(|| b.id.cmp(&a.id))
    });
    rows.truncate(limit as usize);
    Ok(rows)
}

/// Call rows with their contact names and conversations looked up.
pub fn calls_rows(
    s: &ringback_core::Store,
    phone: &str,
    calls: Vec<ringback_core::store::CallRecord>,
    names: &HashMap<String, String>,
) -> Reply<Vec<CallRow>> {
    let reader = s.reader();
    let mut out = Vec::with_capacity(calls.len());
    for k in calls {
        let number = k.number.clone().unwrap_or_else(|| k.caller.clone());
        let contact = reader.contact_name(&number)?;
        let conversation = k.conversation_id.map(|c| c.0);
        out.push(views::call_row(phone, k, contact, conversation, names));
    }
    Ok(out)
}

/// The settings `phone` (its endpoint id) runs with (the defaults until it has synced
/// them). They hold no API key: that is on the phone only (see `assistant_key`).
#[tauri::command]
#[specta::specta]
pub async fn settings(desktop: State<'_, SharedDesktop>, phone: String) -> Reply<Settings> {
    settings_of(&desktop, &phone).await
}

/// [`settings`], on a desktop.
pub async fn settings_of(desktop: &Desktop, phone: &str) -> Reply<Settings> {
    stored_settings(desktop, phone).await
}

/// The settings as this desktop holds them for `phone`.
pub(crate) async fn stored_settings(desktop: &Desktop, phone: &str) -> Reply<Settings> {
    let replica = desktop.phone(phone)?;
    on_store(&replica, |s| Ok(s.reader().settings()?.unwrap_or_default())).await
}

/// Whether `phone` keeps an API key for the assistant (its mask and when), and whether a
/// key typed here is still on its way to it.
#[tauri::command]
#[specta::specta]
pub async fn assistant_key(
    desktop: State<'_, SharedDesktop>,
    phone: String,
) -> Reply<AssistantKeyView> {
    assistant_key_of(&desktop, &phone).await
}

/// [`assistant_key`], on a desktop.
pub async fn assistant_key_of(desktop: &Desktop, phone: &str) -> Reply<AssistantKeyView> {
    let replica = desktop.phone(phone)?;
    on_store(&replica, |s| {
        Ok(key_view(
            s.reader().assistant_key_state()?,
            s.assistant_key_pending()?,
        ))
    })
    .await
}

/// Sends `phone` a new API key for the assistant, or asks it to remove its key. The key is
/// write-only: handed to the phone once, for the server in the settings, and never shown
/// again (the phone answers with its mask).
#[tauri::command]
#[specta::specta]
pub async fn set_assistant_key(
    desktop: State<'_, SharedDesktop>,
    phone: String,
    key: KeyInput,
) -> Reply<AssistantKeyView> {
    let replica = desktop.phone(&phone)?;
    let change = key_change(key)?;
    let r = replica.clone();
    tauri::async_runtime::spawn_blocking(move || r.hand_over_assistant_key(change))
        .await
        .map_err(|e| AppError::new(format!("the key could not be sent: {e}")))??;
    assistant_key_of(&desktop, &phone).await
}

/// The window's key input as core's write-only hand-over (checked: a masked key sent back
/// is refused).
pub fn key_change(key: KeyInput) -> Reply<KeyChange> {
    Ok(match key {
        KeyInput::Set(text) => KeyChange::Set(check_key(&text)?),
        KeyInput::Remove => KeyChange::Remove,
    })
}

/// What the window shows about the phone's key.
pub fn key_view(state: Option<KeyState>, pending: bool) -> AssistantKeyView {
    match state {
        Some(state) => AssistantKeyView {
            set: !state.mask.is_empty(),
            mask: state.mask,
            server: state.server,
            status: state.status.as_str().to_string(),
            reason: state.reason,
            at_ms: Some(state.at_ms),
            pending,
        },
        None => AssistantKeyView {
            set: false,
            mask: String::new(),
            server: String::new(),
            status: "none".into(),
            reason: String::new(),
            at_ms: None,
            pending,
        },
    }
}

/// What is wrong with a settings document, field by field (empty when it is valid).
#[tauri::command]
#[specta::specta]
pub async fn validate_settings(settings: Settings) -> Reply<Vec<AppError>> {
    Ok(settings
        .problems()
        .into_iter()
        .map(AppError::from)
        .collect())
}

/// Saves the settings of `phone` (its endpoint id), and of no other; it uses them from its
/// next decision. With `api_key`, a new key (or its removal) goes to the phone with them,
/// in the same change: the phone takes both at once, and keeps the key for the server
/// these settings name.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    desktop: State<'_, SharedDesktop>,
    phone: String,
    settings: Settings,
    api_key: Option<KeyInput>,
) -> Reply<Settings> {
    save_settings_to(&desktop, &phone, settings, api_key).await
}

/// [`save_settings`], on a desktop.
pub async fn save_settings_to(
    desktop: &Desktop,
    phone: &str,
    settings: Settings,
    api_key: Option<KeyInput>,
) -> Reply<Settings> {
    let replica = desktop.phone(phone)?;
    let key = api_key.map(key_change).transpose()?;
    let patch = serde_json::to_value(&settings)
        .map_err(|e| AppError::new(format!("the settings could not be read: {e}")))?;
    let r = replica.clone();
    let saved =
        tauri::async_runtime::spawn_blocking(move || r.change_settings_and_key(&patch, key))
            .await
            .map_err(|e| AppError::new(format!("the settings could not be saved: {e}")))??;
    Ok(saved)
}

/// A template rendered as a caller named Dana would get it, with its segment count.
#[tauri::command]
#[specta::specta]
pub async fn preview_template(template: String, settings: Settings) -> Reply<TemplatePreview> {
    let parsed = Template::parse(&template).map_err(|e| AppError::new(e.to_string()))?;
    let business = if settings.business_name.trim().is_empty() {
        "Your business"
    } else {
        settings.business_name.trim()
    };
    let text = parsed.render(&RenderContext {
        business_name: business,
        first_name: Some("Dana"),
    });
    Ok(TemplatePreview {
        segments: views::segment_info(&text),
        text,
    })
}

/// The alerts in force, for the inbox's "Needs attention" strip.
#[tauri::command]
#[specta::specta]
pub async fn alerts(desktop: State<'_, SharedDesktop>) -> Reply<Vec<crate::alerts::AlertRow>> {
    Ok(desktop.alerts())
}

/// The devices screen: the pairing code, if one is shown, and the paired phones.
#[tauri::command]
#[specta::specta]
pub async fn devices(desktop: State<'_, SharedDesktop>) -> Reply<Devices> {
    Ok(crate::pairing::devices(&desktop))
}

/// "Pair a phone" or "New code": a new pairing code; every older one stops working.
#[tauri::command]
#[specta::specta]
pub async fn new_ticket(desktop: State<'_, SharedDesktop>) -> Reply<Devices> {
    desktop.new_pairing_code();
    Ok(crate::pairing::devices(&desktop))
}

/// Closes the pairing code: no code works until "Pair a phone" is pressed again.
#[tauri::command]
#[specta::specta]
pub async fn cancel_ticket(desktop: State<'_, SharedDesktop>) -> Reply<Devices> {
    desktop.cancel_pairing();
    Ok(crate::pairing::devices(&desktop))
}

/// The phones that presented the pairing code and wait for a person to accept them.
#[tauri::command]
#[specta::specta]
pub async fn pairing_requests(desktop: State<'_, SharedDesktop>) -> Reply<Vec<PairingRequestRow>> {
    Ok(desktop.pairing_requests())
}

/// A person accepted the waiting phone `endpoint` (its name and fingerprint shown): it is
/// paired.
#[tauri::command]
#[specta::specta]
pub async fn accept_pairing(desktop: State<'_, SharedDesktop>, endpoint: String) -> Reply<()> {
    desktop.accept_pairing(&endpoint)
}

/// A person rejected the waiting phone `endpoint`: it is told so, and nothing is kept.
#[tauri::command]
#[specta::specta]
pub async fn reject_pairing(desktop: State<'_, SharedDesktop>, endpoint: String) -> Reply<()> {
    desktop.reject_pairing(&endpoint)
}

/// Unpairs a phone: it is disconnected at once and refused from then on.
#[tauri::command]
#[specta::specta]
pub async fn unpair(desktop: State<'_, SharedDesktop>, endpoint: String) -> Reply<()> {
    let id = endpoint
        .parse()
        .map_err(|_| AppError::new("that phone is not paired with this desktop"))?;
    desktop.node().unpair(&id)?;
    Ok(())
}

/// Changes how this desktop reaches phones (from the next start).
#[tauri::command]
#[specta::specta]
pub async fn set_network(
    desktop: State<'_, SharedDesktop>,
    network: Network,
    relay_url: String,
) -> Reply<Devices> {
    desktop.set_network(network, &relay_url)?;
    Ok(crate::pairing::devices(&desktop))
}

/// "Photos on this computer" (Devices): what is fetched and kept of the phones' photos, and
/// what each phone's photos take here now.
#[tauri::command]
#[specta::specta]
pub async fn photo_settings(desktop: State<'_, SharedDesktop>) -> Reply<PhotoSettings> {
    let desktop = desktop.inner().clone();
    tauri::async_runtime::spawn_blocking(move || desktop.photo_settings())
        .await
        .map_err(|e| AppError::new(format!("the photo settings could not be read: {e}")))
}

/// Changes the photo settings: checked as at start (the error names the field), written to
/// `desktop.json` and used at once, without a restart; photos past a lowered budget are
/// removed now, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn set_photo_settings(
    desktop: State<'_, SharedDesktop>,
    eager_up_to_mb: f64,
    budget_per_phone_mb: f64,
) -> Reply<PhotoSettings> {
    let desktop = desktop.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        desktop.set_photo_settings(eager_up_to_mb, budget_per_phone_mb)
    })
    .await
    .map_err(|e| AppError::new(format!("the photo settings could not be saved: {e}")))?
}

/// "Copy diagnostics" (Devices): what helps support, with no message, API key or whole
/// phone number in it (see [`crate::diagnostics`]).
#[tauri::command]
#[specta::specta]
pub async fn diagnostics(
    desktop: State<'_, SharedDesktop>,
    demo: State<'_, Option<Demo>>,
) -> Reply<Diagnostics> {
    let desktop = desktop.inner().clone();
    let context = diagnostics_context(&demo);
    tauri::async_runtime::spawn_blocking(move || {
        crate::diagnostics::gather(&desktop, &context, jiff::Timestamp::now())
    })
    .await
    .map_err(|e| AppError::new(format!("the diagnostics could not be gathered: {e}")))
}

/// The name of the saved diagnostics file.
pub const DIAGNOSTICS_FILE: &str = "ringback-diagnostics.txt";

/// "Save to file", for when the clipboard fails: the diagnostics written into the
/// Downloads folder (or, without one, the app's data folder), and where.
#[tauri::command]
#[specta::specta]
pub async fn save_diagnostics(
    app: tauri::AppHandle,
    desktop: State<'_, SharedDesktop>,
    demo: State<'_, Option<Demo>>,
) -> Reply<ExportedFile> {
    use tauri::Manager as _;
    let dir = app
        .path()
        .download_dir()
        .ok()
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| desktop.dir().to_path_buf());
    let path = dir.join(DIAGNOSTICS_FILE);
    let desktop = desktop.inner().clone();
    let context = diagnostics_context(&demo);
    let target = path.clone();
    let lines = tauri::async_runtime::spawn_blocking(move || {
        let d = crate::diagnostics::gather(&desktop, &context, jiff::Timestamp::now());
        let tmp = target.with_extension("txt.tmp");
        std::fs::write(&tmp, &d.text)?;
        std::fs::rename(&tmp, &target)?;
        Ok::<_, std::io::Error>(d.text.lines().count())
    })
    .await
    .map_err(|e| AppError::new(format!("the diagnostics could not be saved: {e}")))?
    .map_err(|e| {
        AppError::new(format!(
            "the diagnostics could not be saved to {}: {e}; check that the folder is writable",
            path.display()
        ))
    })?;
    tracing::info!("diagnostics saved to {}", path.display());
    Ok(ExportedFile {
        path: path.display().to_string(),
        count: u32::try_from(lines).unwrap_or(u32::MAX),
    })
}

fn diagnostics_context(demo: &State<'_, Option<Demo>>) -> crate::diagnostics::Context {
    crate::diagnostics::Context {
        demo: demo.is_some(),
        logs: crate::logging::folder().map(std::path::Path::to_path_buf),
    }
}

/// Demo mode: the simulated phone gets a call that ends unanswered.
#[tauri::command]
#[specta::specta]
pub async fn demo_call(
    demo: State<'_, Option<Demo>>,
    desktop: State<'_, SharedDesktop>,
    number: String,
    outcome: ringback_core::CallOutcome,
) -> Reply<()> {
    let demo = demo_of(&demo)?;
    settle_demo(demo, &desktop).await;
    demo.call(&number, outcome).await
}

/// Demo mode: the simulated phone receives a text.
#[tauri::command]
#[specta::specta]
pub async fn demo_sms(
    demo: State<'_, Option<Demo>>,
    desktop: State<'_, SharedDesktop>,
    number: String,
    body: String,
) -> Reply<()> {
    let demo = demo_of(&demo)?;
    settle_demo(demo, &desktop).await;
    demo.sms(&number, &body).await
}

/// Demo mode: the simulated phone receives a picture message (a sample photo, with `body`
/// as its text when given) from `number`.
#[tauri::command]
#[specta::specta]
pub async fn demo_mms(
    demo: State<'_, Option<Demo>>,
    desktop: State<'_, SharedDesktop>,
    number: String,
    body: String,
) -> Reply<()> {
    let demo = demo_of(&demo)?;
    settle_demo(demo, &desktop).await;
    demo.mms(&number, &body).await
}

/// Demo mode: the simulated phone's line loses or regains service (`in_service`,
/// `no_service`, `radio_off`).
#[tauri::command]
#[specta::specta]
pub async fn demo_radio(demo: State<'_, Option<Demo>>, state: String) -> Reply<()> {
    demo_of(&demo)?.radio(&state).await
}

/// Demo mode: the simulated phone loses (or gets back) its call-log permission.
#[tauri::command]
#[specta::specta]
pub async fn demo_call_log_permission(demo: State<'_, Option<Demo>>, granted: bool) -> Reply<()> {
    demo_of(&demo)?.call_log_permission(granted).await
}

/// Lets the simulated phone catch up with what the window wrote (see [`Demo::settle`]).
async fn settle_demo(demo: &Demo, desktop: &SharedDesktop) {
    if let Some(replica) = demo.endpoint().and_then(|id| desktop.phone(&id).ok()) {
        demo.settle(&replica).await;
    }
}

/// Demo mode: the simulated phone is given a pairing code, as its owner would type it.
#[tauri::command]
#[specta::specta]
pub async fn demo_pair(demo: State<'_, Option<Demo>>, code: String) -> Reply<()> {
    demo_of(&demo)?.pair(&code).await
}

fn demo_of<'a>(demo: &'a State<'_, Option<Demo>>) -> Reply<&'a Demo> {
    demo.as_ref()
        .ok_or_else(|| AppError::new("the simulated phone runs only in demo mode (--demo)"))
}

/// The app's startup markers: the window calls it when its script starts (`phase` =
/// "script") and once the inbox is on screen ("inbox"). With `RINGBACK_STARTUP_MARK=FILE`
/// each is appended there as `phase unix_ms`, for the start-up benchmark.
#[tauri::command]
#[specta::specta]
pub async fn ui_ready(phase: String) -> Reply<()> {
    use std::io::Write as _;
    if let Some(path) = std::env::var_os("RINGBACK_STARTUP_MARK") {
        let now = jiff::Timestamp::now().as_millisecond();
        let phase: String = phase
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(20)
            .collect();
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| writeln!(f, "{phase} {now}"))
            .map_err(|e| AppError::new(format!("the startup mark could not be written: {e}")))?;
    }
    tracing::info!(phase = %phase.chars().filter(char::is_ascii_alphanumeric).take(20).collect::<String>(), "window ready");
    Ok(())
}

/// How many conversations the inbox holds under `filter`.
#[tauri::command]
#[specta::specta]
pub async fn inbox_count(desktop: State<'_, SharedDesktop>, filter: InboxFilter) -> Reply<u32> {
    let mut total = 0u64;
    for (_, replica) in desktop.phones() {
        total += on_store(&replica, move |s| Ok(s.inbox_count(filter)?)).await?;
    }
    Ok(u32::try_from(total).unwrap_or(u32::MAX))
}

/// Everything the conversation screen shows besides the thread.
#[tauri::command]
#[specta::specta]
pub async fn conversation(
    desktop: State<'_, SharedDesktop>,
    key: ConvKey,
) -> Reply<ConversationDetail> {
    let replica = desktop.phone(&key.phone)?;
    let names = desktop.phone_names();
    let phone = key.phone.clone();
    on_store(&replica, move |s| {
        let id = ConversationId(key.id);
        let detail = s
            .conversation(id)?
            .ok_or_else(|| AppError::new("that conversation is not on this phone any more"))?;
        let calls = s.calls_with(&detail.number, 200)?;
        let calls = calls_rows(s, &phone, calls, &names)?;
        let settings = s.reader().settings()?.unwrap_or_default();
        let tz = jiff::tz::TimeZone::get(&settings.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let appointment = s
            .appointments(jiff::Timestamp::now(), 1_000)?
            .into_iter()
            .find(|a| a.conversation_id.0 == key.id)
            .map(|a| views::appointment_view(&phone, a, &tz, &settings.timezone));
        let summary = ringback_core::store::ConversationSummary {
            id,
            line: detail.line.clone(),
            number: detail.number.clone(),
            contact_name: detail.contact_name.clone(),
            unread: detail.unread,
            lead_status: detail.lead_status,
            opted_out: detail.opted_out_since.is_some(),
            paused: detail.opt_out_review.is_some_and(|r| r.state.pauses()),
            last_activity_at: detail.last_activity_at,
            last_message: None,
            last_attachment: None,
        };
        Ok(ConversationDetail {
            row: views::conversation_row(&phone, summary, &names),
            note: detail.note.clone(),
            opted_out_since_ms: detail.opted_out_since.map(|t| t.as_millisecond()),
            opted_out_words: detail
                .opted_out_since
                .map(|_| ringback_core::outbound::OPTED_OUT.to_string()),
            paused_since_ms: detail
                .opt_out_review
                .filter(|r| r.state.pauses())
                .map(|r| r.since.as_millisecond()),
            opt_out_requested: detail
                .opt_out_review
                .is_some_and(|r| r.state == ReviewState::OptOut),
            calls,
            quick_replies: settings.quick_replies,
            lead: detail.lead.clone(),
            lead_card: detail.lead_card.clone(),
            draft: detail.draft.clone(),
            assistant: detail.assistant.clone(),
            assistant_mode: settings.assistant.mode,
            appointment,
        })
    })
    .await
}

/// Today's and upcoming appointments on `phone` (its endpoint id), soonest first, in its
/// business's zone.
#[tauri::command]
#[specta::specta]
pub async fn appointments(
    desktop: State<'_, SharedDesktop>,
    phone: String,
) -> Reply<Vec<AppointmentView>> {
    appointments_of(&desktop, &phone).await
}

/// [`appointments`], on a desktop.
pub async fn appointments_of(desktop: &Desktop, phone: &str) -> Reply<Vec<AppointmentView>> {
    const MAX_APPOINTMENTS: u32 = 2_000;
    let replica = desktop.phone(phone)?;
    let phone = phone.to_string();
    on_store(&replica, move |s| {
        let settings = s.reader().settings()?.unwrap_or_default();
        let tz = jiff::tz::TimeZone::get(&settings.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let from = ringback_core::assistant::start_of_day(&tz, jiff::Timestamp::now());
        Ok(s.appointments(from, MAX_APPOINTMENTS)?
            .into_iter()
            .map(|a| views::appointment_view(&phone, a, &tz, &settings.timezone))
            .collect::<Vec<_>>())
    })
    .await
}

/// The name of the exported calendar file.
pub const ICS_FILE: &str = "ringback-appointments.ics";

/// Writes today's and upcoming appointments on `phone` as an iCalendar file into the
/// Downloads folder (or, without one, the app's data folder) and says where.
#[tauri::command]
#[specta::specta]
pub async fn export_appointments(
    app: tauri::AppHandle,
    desktop: State<'_, SharedDesktop>,
    phone: String,
) -> Reply<ExportedFile> {
    use tauri::Manager as _;
    let rows = appointments_of(&desktop, &phone).await?;
    let business = stored_settings(&desktop, &phone).await?.business_name;
    let dir = app
        .path()
        .download_dir()
        .ok()
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| desktop.dir().to_path_buf());
    let path = dir.join(ICS_FILE);
    let count = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    let text = ics_of(&rows, &business, jiff::Timestamp::now());
    let target = path.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let tmp = target.with_extension("ics.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &target)
    })
    .await
    .map_err(|e| AppError::new(format!("the calendar file could not be written: {e}")))?
    .map_err(|e| {
        AppError::new(format!(
            "the calendar file could not be written to {}: {e}",
            path.display()
        ))
    })?;
    Ok(ExportedFile {
        path: path.display().to_string(),
        count,
    })
}

/// The appointments as an iCalendar document.
pub fn ics_of(rows: &[AppointmentView], business: &str, now: jiff::Timestamp) -> String {
    use ringback_core::assistant::{Appointment, Slot, ics};
    let list: Vec<Appointment> = rows
        .iter()
        .filter_map(|r| {
            Some(Appointment {
                id: format!(
                    "{}-{}",
                    r.key.phone.chars().take(16).collect::<String>(),
                    r.id
                ),
                slot: Slot {
                    start: jiff::Timestamp::from_millisecond(r.start_ms).ok()?,
                    end: jiff::Timestamp::from_millisecond(r.end_ms).ok()?,
                },
                who: r
                    .contact_name
                    .clone()
                    .unwrap_or_else(|| r.display_number.clone()),
                summary: r.summary.clone(),
            })
        })
        .collect();
    let business = if business.trim().is_empty() {
        "Ringback"
    } else {
        business.trim()
    };
    ics(&list, business, now)
}

/// Hands the conversation back to the assistant (after a person took it over).
#[tauri::command]
#[specta::specta]
pub async fn assistant_resume(desktop: State<'_, SharedDesktop>, key: ConvKey) -> Reply<()> {
    let replica = desktop.phone(&key.phone)?;
    let state = AssistantState {
        status: AssistantStatus::Answered,
        reason: "handed back by the team".into(),
        at_ms: jiff::Timestamp::now().as_millisecond(),
    };
    set_field(&replica, key.id, Field::Assistant(state)).await
}

/// The team takes the conversation over: the assistant stays out of it until handed back.
#[tauri::command]
#[specta::specta]
pub async fn assistant_take_over(desktop: State<'_, SharedDesktop>, key: ConvKey) -> Reply<()> {
    let replica = desktop.phone(&key.phone)?;
    let state = AssistantState {
        status: AssistantStatus::HandedOff,
        reason: "taken over by the team".into(),
        at_ms: jiff::Timestamp::now().as_millisecond(),
    };
    set_field(&replica, key.id, Field::Assistant(state)).await
}

/// Throws the assistant's draft away.
#[tauri::command]
#[specta::specta]
pub async fn dismiss_draft(desktop: State<'_, SharedDesktop>, key: ConvKey) -> Reply<()> {
    let replica = desktop.phone(&key.phone)?;
    set_field(&replica, key.id, Field::Draft(String::new())).await
}

/// The dashboard of `phone` (its endpoint id) for the days `from_day` to `to_day`
/// (inclusive, "YYYY-MM-DD", in the business's time zone).
#[tauri::command]
#[specta::specta]
pub async fn dashboard(
    desktop: State<'_, SharedDesktop>,
    phone: String,
    from_day: String,
    to_day: String,
) -> Reply<Dashboard> {
    let replica = desktop.phone(&phone)?;
    on_store(&replica, move |s| {
        let settings = s.reader().settings()?.unwrap_or_default();
        let tz = jiff::tz::TimeZone::get(&settings.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let (from, to) = views::period(&from_day, &to_day, &tz)?;
        Ok(s.dashboard(from, to, &tz)?)
    })
    .await
}

/// A sample day to dry-run the settings on.
#[tauri::command]
#[specta::specta]
pub async fn sample_day() -> Reply<String> {
    Ok(ringback_core::scenario::SAMPLE_DAY.to_string())
}

/// Runs the real engine on a virtual clock over `day` (scenario JSON lines) with
/// `settings` as edited for `phone`: what would be texted, skipped, held and refused. The
/// assistant answers from a script: this desktop has no key, and a dry run asks no server
/// (the result says so).
#[tauri::command]
#[specta::specta]
pub async fn dry_run(
    desktop: State<'_, SharedDesktop>,
    phone: String,
    settings: Settings,
    day: String,
) -> Reply<DryRun> {
    const MAX_DAY: usize = 2_000_000;
    if day.len() > MAX_DAY {
        return Err(AppError::new(
            "the pasted day is larger than 2 MB; dry-run a shorter one",
        ));
    }
    // The phone named must be paired: the dry run is of its settings.
    desktop.phone(&phone)?;
    tauri::async_runtime::spawn_blocking(move || ringback_core::scenario::dry_run(settings, &day))
        .await
        .map_err(|e| AppError::new(format!("the dry run stopped: {e}")))?
        .map_err(|e| AppError::new(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringback_core::secret::KeyStatus;

    #[tokio::test]
    async fn previews_render_the_business_and_a_sample_name_and_refuse_bad_placeholders() {
        let settings = Settings {
            business_name: "Acme Plumbing".into(),
            ..Settings::default()
        };
        let p = preview_template(
            "Hi {first_name|there}, {business_name} here!".into(),
            settings.clone(),
        )
        .await
        .expect("preview");
        assert_eq!(p.text, "Hi Dana, Acme Plumbing here!");
        assert_eq!(p.segments.segments, 1);
        let e = preview_template("Hi {frist_name}".into(), settings)
            .await
            .expect_err("typo");
        assert!(
            e.message.contains("frist_name"),
            "the error names it: {}",
            e.message
        );
    }

    #[test]
    fn the_window_never_gets_the_api_key_and_sends_it_write_only() {
        // The settings the window reads have no key at all.
        let shown = serde_json::to_value(Settings::default()).expect("json");
        assert!(shown["assistant"].get("api_key").is_none());
        // A document sent back with a key in it is no settings document.
        let mut sent = shown.clone();
        sent["assistant"]["api_key"] = "sk-…9f3a".into();
        assert!(serde_json::from_value::<Settings>(sent).is_err());
        // A key typed in the window is checked, and a mask sent back is refused.
        let e = key_change(KeyInput::Set("sk-…9f3a".into())).expect_err("mask");
        assert_eq!(e.field.as_deref(), Some("assistant.api_key"));
        assert!(e.message.contains("masked"), "{}", e.message);
        assert!(matches!(
            key_change(KeyInput::Set(" sk-new-key-0000000000001 ".into())),
            Ok(KeyChange::Set(k)) if k.expose() == "sk-new-key-0000000000001"
        ));
        assert!(matches!(
            key_change(KeyInput::Remove),
            Ok(KeyChange::Remove)
        ));
        assert!(
            !format!("{:?}", KeyInput::Set("sk-SECRET-0000000000001".into())).contains("SECRET")
        );
        // What the window shows of the phone's key: its mask, when, and why.
        let view = key_view(
            Some(KeyState {
                status: KeyStatus::Set,
                mask: "sk-…6789".into(),
                server: "https://api.openai.com".into(),
                reason: "set from a desktop".into(),
                at_ms: 1_800_000_000_000,
                answers: None,
            }),
            false,
        );
        assert!(view.set);
        assert_eq!(view.mask, "sk-…6789");
        assert_eq!(view.status, "set");
        let none = key_view(None, true);
        assert!(!none.set && none.pending);
        assert_eq!(none.status, "none");
    }

    #[test]
    fn exported_appointments_are_a_calendar_with_one_event_each() {
        let start: jiff::Timestamp = "2026-11-03T13:00:00Z".parse().expect("time");
        let row = AppointmentView {
            key: ConvKey {
                phone: "phone1".into(),
                id: 3,
            },
            id: 7,
            number: "+12125550142".into(),
            display_number: "+1 212-555-0142".into(),
            contact_name: None,
            start_ms: start.as_millisecond(),
            end_ms: start.as_millisecond() + 3_600_000,
            day: "Tue, Nov 3".into(),
            time: "08:00–09:00".into(),
            timezone: "America/New_York".into(),
            summary: "Leaking pipe · 10001".into(),
        };
        let text = ics_of(&[row.clone(), row.clone()], "Acme Plumbing", start);
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
        assert!(text.contains("DTSTART:20261103T130000Z"), "{text}");
        assert!(text.contains("Acme Plumbing — +1 212-555-0142"), "{text}");

        // Issue 13: a lone CR (or LF) in a lead field, a contact's name or the business's
        // name is escaped, never a line break of the file.
        let hostile = AppointmentView {
            contact_name: Some("Dana\rATTENDEE:mailto:x@example.com".into()),
            summary: "Leak\rEND:VEVENT\nBEGIN:VEVENT".into(),
            ..row
        };
        let text = ics_of(&[hostile], "Acme\rPlumbing", start);
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\r' {
                assert_eq!(bytes.get(i + 1), Some(&b'\n'), "a lone CR: {text:?}");
            }
            if *b == b'\n' {
                assert_eq!(bytes[i - 1], b'\r', "a lone LF: {text:?}");
            }
        }
        let lines: Vec<String> = text
            .replace("\r\n ", "")
            .split("\r\n")
            .map(String::from)
            .collect();
        assert_eq!(
            lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(),
            1,
            "{text}"
        );
        assert!(lines.iter().all(|l| !l.starts_with("ATTENDEE")), "{text}");
        assert!(
            lines.contains(
                &"SUMMARY:Acme\\nPlumbing — Dana\\nATTENDEE:mailto:x@example.com".to_string()
            ),
            "{text}"
        );
    }

    /// Endpoint ids of keys made from fixed seeds: the first whose id sorts before every
    /// other (as a planted phone's "00…" id would), then another.
    fn planted_and_mine() -> (String, String) {
        let id = |a: u8, b: u8| {
            let mut seed = [7u8; 32];
            seed[0] = a;
            seed[1] = b;
            iroh::SecretKey::from_bytes(&seed).public().to_string()
        };
        let planted = (0..=255u8)
            .flat_map(|a| (0..=255u8).map(move |b| (a, b)))
            .map(|(a, b)| id(a, b))
            .find(|i| i.starts_with("00"))
            .expect("an id starting with 00");
        let mine = id(1, 1);
        assert!(planted < mine, "the planted phone sorts first");
        (planted, mine)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn settings_go_to_the_phone_named_and_to_no_other() {
        let dir = tempfile::tempdir().expect("dir");
        let (planted, mine) = planted_and_mine();
        for id in [&planted, &mine] {
            let folder = dir.path().join("phones").join(id);
            std::fs::create_dir_all(&folder).expect("mkdir");
            drop(DesktopReplica::open(&folder.join("ringback.db")).expect("replica"));
        }
        let desktop = Desktop::start_on(
            dir.path(),
            Some(ringback_core::sync::net::NetworkMode::Loopback),
            None,
        )
        .await
        .expect("desktop");
        assert_eq!(desktop.phones().len(), 2);
        let mut settings = Settings {
            business_name: "Acme Plumbing".into(),
            ..Settings::default()
        };
        settings.assistant.base_url = "https://api.example.com/v1".into();
        let key = KeyInput::Set("sk-proj-abcdefghijklmnop9f3a".into());
        save_settings_to(&desktop, &mine, settings, Some(key))
            .await
            .expect("saved");
        let stored = |id: &str| {
            desktop
                .phone(id)
                .expect("paired")
                .with(|s| s.reader().settings().expect("read"))
        };
        let on_mine = stored(&mine).expect("my phone got the settings");
        assert_eq!(on_mine.business_name, "Acme Plumbing");
        assert!(
            desktop
                .phone(&mine)
                .expect("paired")
                .with(|s| s.assistant_key_pending().expect("read")),
            "the key is on its way to my phone"
        );
        assert!(
            !desktop
                .phone(&planted)
                .expect("paired")
                .with(|s| s.assistant_key_pending().expect("read")),
            "and to no other"
        );
        assert!(
            stored(&planted).is_none(),
            "the phone whose id sorts first received nothing, the API key least of all"
        );
        // Reading names the phone too.
        assert_eq!(
            settings_of(&desktop, &mine)
                .await
                .expect("read")
                .business_name,
            "Acme Plumbing"
        );
        assert_eq!(
            settings_of(&desktop, &planted).await.expect("read"),
            Settings::default()
        );
        // A phone that is not paired is refused in words, and nothing is written anywhere.
        let stranger = iroh::SecretKey::from_bytes(&[9; 32]).public().to_string();
        for unknown in [stranger.as_str(), "", "not a phone"] {
            let err = save_settings_to(&desktop, unknown, Settings::default(), None)
                .await
                .expect_err("unknown phone");
            assert!(err.message.contains("not paired"), "{}", err.message);
            assert!(settings_of(&desktop, unknown).await.is_err());
        }
        assert!(stored(&planted).is_none());
        assert_eq!(stored(&mine).expect("kept").business_name, "Acme Plumbing");
    }

    #[tokio::test]
    async fn a_wrong_settings_field_is_named() {
        let mut settings = Settings {
            business_name: "Acme".into(),
            ..Settings::default()
        };
        assert!(
            validate_settings(settings.clone())
                .await
                .expect("ok")
                .is_empty()
        );
        settings.text_back.delay_seconds = 1_000_000;
        settings.templates.help = String::new();
        let errors = validate_settings(settings).await.expect("ok");
        let fields: Vec<_> = errors.iter().filter_map(|e| e.field.as_deref()).collect();
        assert_eq!(fields, ["text_back.delay_seconds", "templates.help"]);
    }

    /// A desktop with one phone whose replica holds `calls` (log id, number, decision),
    /// each ended at `ended`, and business settings.
    async fn desktop_with_calls(
        dir: &std::path::Path,
        calls: &[(i64, &str, Option<CallDecision>)],
        ended: jiff::Timestamp,
    ) -> (Desktop, String, Vec<i64>) {
        let (_, mine) = planted_and_mine();
        let folder = dir.join("phones").join(&mine);
        std::fs::create_dir_all(&folder).expect("mkdir");
        drop(DesktopReplica::open(&folder.join("ringback.db")).expect("replica"));
        let desktop = Desktop::start_on(
            dir,
            Some(ringback_core::sync::net::NetworkMode::Loopback),
            None,
        )
        .await
        .expect("desktop");
        let mut settings = Settings {
            business_name: "Acme Plumbing".into(),
            ..Settings::default()
        };
        settings.templates.business_hours = "Hi {first_name|there}, {business_name} here".into();
        settings.templates.after_hours = settings.templates.business_hours.clone();
        save_settings_to(&desktop, &mine, settings, None)
            .await
            .expect("settings");
        let ids = desktop.phone(&mine).expect("paired").with(|s| {
            s.write(ended, "test", |tx| {
                tx.set_contact("+12125550102", "Dana Smith", ended)?;
                let mut ids = Vec::new();
                for (log_id, number, decision) in calls {
                    let line = ringback_core::Line("sim1".into());
                    let conversation = tx.touch_conversation(&line, number, ended)?;
                    let call = ringback_core::EndedCall {
                        log_id: *log_id,
                        number: (*number).into(),
                        outcome: ringback_core::CallOutcome::Missed,
                        line,
                        ended_at: ended,
                    };
                    ids.push(tx.insert_call(&call, Some(number), Some(conversation), *decision)?);
                }
                Ok(ids)
            })
            .expect("calls")
        });
        (desktop, mine, ids)
    }

    fn requests(desktop: &Desktop, phone: &str) -> Vec<(Option<i64>, String)> {
        desktop.phone(phone).expect("paired").with(|s| {
            s.reader()
                .pending_requests()
                .expect("requests")
                .into_iter()
                .map(|r| (r.conversation.map(|c| c.0), r.body))
                .collect()
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn text_them_now_sends_the_text_back_as_a_reply_once() {
        let dir = tempfile::tempdir().expect("dir");
        let late = Some(CallDecision::Skipped(SkipReason::TooLate));
        let ended = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2);
        let (desktop, phone, ids) =
            desktop_with_calls(dir.path(), &[(1, "+12125550102", late)], ended).await;
        text_back_now_on(&desktop, &phone, ids[0])
            .await
            .expect("queued");
        let sent = requests(&desktop, &phone);
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(
            sent[0].1, "Hi Dana, Acme Plumbing here",
            "rendered as the phone would"
        );
        assert!(sent[0].0.is_some(), "in the call's conversation");
        // A second click while the first is on its way sends nothing more.
        let err = text_back_now_on(&desktop, &phone, ids[0])
            .await
            .expect_err("once");
        assert!(
            err.message.contains("texted since this call"),
            "{}",
            err.message
        );
        assert_eq!(requests(&desktop, &phone).len(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn text_them_now_is_only_for_calls_missed_while_not_running() {
        let dir = tempfile::tempdir().expect("dir");
        let ended = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2);
        let (desktop, phone, ids) = desktop_with_calls(
            dir.path(),
            &[
                (
                    1,
                    "+12125550103",
                    Some(CallDecision::Skipped(SkipReason::Cooldown)),
                ),
                (2, "+12125550104", Some(CallDecision::TextBack)),
            ],
            ended,
        )
        .await;
        for id in ids {
            let err = text_back_now_on(&desktop, &phone, id)
                .await
                .expect_err("refused");
            assert!(
                err.message
                    .contains("missed while Ringback was not running"),
                "{}",
                err.message
            );
        }
        let err = text_back_now_on(&desktop, &phone, 999)
            .await
            .expect_err("no such call");
        assert!(err.message.contains("not on this phone"), "{}", err.message);
        assert!(requests(&desktop, &phone).is_empty());
    }
}
