//! The IPC commands: each a thin wrapper over a core query or intent. Every command is
//! async, so a query never runs on the window's thread.

use std::collections::HashMap;

use ringback_core::assistant::endpoint::mask_key;
use ringback_core::assistant::{AssistantState, AssistantStatus};
use ringback_core::conversation::LeadStatus;
use ringback_core::settings::{Network, Settings};
use ringback_core::store::{ConversationId, InboxFilter, MessageId};
use ringback_core::sync::op::Field;
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::template::{RenderContext, Template};
use tauri::State;

use crate::demo::Demo;
use crate::desktop::SharedDesktop;
use ringback_core::scenario::DryRun;
use ringback_core::store::Dashboard;

use crate::ipc::{
    AppError, AppointmentView, CallRow, CallsBefore, ConvKey, ConversationDetail, ConversationRow,
    Devices, ExportedFile, Id, InboxAfter, MessageRow, MessageState, Overview, SearchHit,
    SegmentInfo, TemplatePreview, Way,
};
use crate::views;

/// The longest page a command returns.
const MAX_PAGE: u32 = 2_000;

type Reply<T> = Result<T, AppError>;

/// Runs `f` on a phone's store off the async threads.
async fn on_store<T: Send + 'static>(
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
            let mut pending: Vec<MessageRow> = s
                .reader()
                .pending_requests()?
                .into_iter()
                .filter(|r| r.conversation == Some(conversation))
                .map(|r| MessageRow {
                    id: 0,
                    direction: Way::Outbound,
                    kind: ringback_core::MessageKind::Reply,
                    body: r.body,
                    status: MessageState::Queued,
                    failure: None,
                    created_ms: r.requested_at.as_millisecond(),
                    left_ms: None,
                })
                .collect();
            pending.reverse();
            rows.extend(pending);
        }
        let page = s.thread_page(conversation, before.map(|b| MessageId(b.0)), limit)?;
        rows.extend(page.into_iter().map(views::message_row));
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
    let state = MessageState::of(message.status, message.failure.as_deref());
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

async fn refuse_if_opted_out(replica: &DesktopReplica, conversation: i64) -> Reply<()> {
    let opted_out = on_store(replica, move |s| {
        let reader = s.reader();
        let Some((number, _)) = reader.conversation_address(ConversationId(conversation))? else {
            return Err(AppError::new("that conversation is not on this phone"));
        };
        Ok(reader.is_opted_out(&number)?)
    })
    .await?;
    if opted_out {
        return Err(AppError::new(
            "this person texted STOP, so replies are off until they text START",
        ));
    }
    Ok(())
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

/// The settings the phone runs with (the defaults until it has synced them).
#[tauri::command]
#[specta::specta]
pub async fn settings(desktop: State<'_, SharedDesktop>) -> Reply<Settings> {
    Ok(masked(stored_settings(&desktop).await?))
}

/// The settings as the phone holds them, API key and all (never sent to the window).
async fn stored_settings(desktop: &SharedDesktop) -> Reply<Settings> {
    let Ok((_, replica)) = desktop.settings_phone() else {
        return Ok(Settings::default());
    };
    on_store(&replica, |s| Ok(s.reader().settings()?.unwrap_or_default())).await
}

/// The settings as the window may see them: the assistant's API key masked ("sk-…9f3a").
pub fn masked(mut settings: Settings) -> Settings {
    settings.assistant.api_key = mask_key(&settings.assistant.api_key);
    settings
}

/// The settings the window sent, with the stored API key back in place when the window
/// sent the masked one (a new key typed in the window replaces it; an empty one removes it).
pub fn unmasked(mut settings: Settings, stored: &Settings) -> Settings {
    if settings.assistant.api_key == mask_key(&stored.assistant.api_key) {
        settings
            .assistant
            .api_key
            .clone_from(&stored.assistant.api_key);
    }
    settings
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

/// Saves the settings; the phone uses them from its next decision.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    desktop: State<'_, SharedDesktop>,
    settings: Settings,
) -> Reply<Settings> {
    let (_, replica) = desktop.settings_phone()?;
    let settings = unmasked(settings, &stored_settings(&desktop).await?);
    let patch = serde_json::to_value(&settings)
        .map_err(|e| AppError::new(format!("the settings could not be read: {e}")))?;
    let r = replica.clone();
    let saved = tauri::async_runtime::spawn_blocking(move || r.change_settings(&patch))
        .await
        .map_err(|e| AppError::new(format!("the settings could not be saved: {e}")))??;
    Ok(masked(saved))
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

/// The devices screen: the pairing code and the paired phones.
#[tauri::command]
#[specta::specta]
pub async fn devices(desktop: State<'_, SharedDesktop>) -> Reply<Devices> {
    Ok(crate::pairing::devices(&desktop, false))
}

/// A fresh pairing code (the old one stops working once used or expired).
#[tauri::command]
#[specta::specta]
pub async fn new_ticket(desktop: State<'_, SharedDesktop>) -> Reply<Devices> {
    Ok(crate::pairing::devices(&desktop, true))
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
    Ok(crate::pairing::devices(&desktop, false))
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

/// Lets the simulated phone catch up with what the window wrote (see [`Demo::settle`]).
async fn settle_demo(demo: &Demo, desktop: &SharedDesktop) {
    if let Ok((_, replica)) = desktop.settings_phone() {
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
    tracing::info!(phase = %phase.chars().take(20).collect::<String>(), "window ready");
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
            last_activity_at: detail.last_activity_at,
            last_message: None,
        };
        Ok(ConversationDetail {
            row: views::conversation_row(&phone, summary, &names),
            note: detail.note.clone(),
            opted_out_since_ms: detail.opted_out_since.map(|t| t.as_millisecond()),
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

/// Today's and upcoming appointments across phones, soonest first (times in each
/// business's zone).
#[tauri::command]
#[specta::specta]
pub async fn appointments(desktop: State<'_, SharedDesktop>) -> Reply<Vec<AppointmentView>> {
    const MAX_APPOINTMENTS: u32 = 2_000;
    let mut rows = Vec::new();
    for (phone, replica) in desktop.phones() {
        let page = on_store(&replica, move |s| {
            let settings = s.reader().settings()?.unwrap_or_default();
            let tz = jiff::tz::TimeZone::get(&settings.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
            let from = ringback_core::assistant::start_of_day(&tz, jiff::Timestamp::now());
            Ok(s.appointments(from, MAX_APPOINTMENTS)?
                .into_iter()
                .map(|a| views::appointment_view(&phone, a, &tz, &settings.timezone))
                .collect::<Vec<_>>())
        })
        .await?;
        rows.extend(page);
    }
    rows.sort_by(|a, b| {
        a.start_ms
            .cmp(&b.start_ms)
            .then_with(|| a.key.phone.cmp(&b.key.phone))
            .then_with(|| a.id.cmp(&b.id))
    });
    rows.truncate(MAX_APPOINTMENTS as usize);
    Ok(rows)
}

/// The name of the exported calendar file.
pub const ICS_FILE: &str = "ringback-appointments.ics";

/// Writes today's and upcoming appointments as an iCalendar file into the Downloads
/// folder (or, without one, the app's data folder) and says where.
#[tauri::command]
#[specta::specta]
pub async fn export_appointments(
    app: tauri::AppHandle,
    desktop: State<'_, SharedDesktop>,
) -> Reply<ExportedFile> {
    use tauri::Manager as _;
    let rows = appointments(desktop.clone()).await?;
    let business = stored_settings(&desktop).await?.business_name;
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

/// The dashboard for the days `from_day` to `to_day` (inclusive, "YYYY-MM-DD", in the
/// business's time zone).
#[tauri::command]
#[specta::specta]
pub async fn dashboard(
    desktop: State<'_, SharedDesktop>,
    from_day: String,
    to_day: String,
) -> Reply<Dashboard> {
    let Ok((_, replica)) = desktop.settings_phone() else {
        return Ok(Dashboard::default());
    };
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
/// `settings`: what would be texted, skipped and refused.
#[tauri::command]
#[specta::specta]
pub async fn dry_run(
    desktop: State<'_, SharedDesktop>,
    settings: Settings,
    day: String,
) -> Reply<DryRun> {
    const MAX_DAY: usize = 2_000_000;
    if day.len() > MAX_DAY {
        return Err(AppError::new(
            "the pasted day is larger than 2 MB; dry-run a shorter one",
        ));
    }
    let settings = unmasked(settings, &stored_settings(&desktop).await?);
    tauri::async_runtime::spawn_blocking(move || ringback_core::scenario::dry_run(settings, &day))
        .await
        .map_err(|e| AppError::new(format!("the dry run stopped: {e}")))?
        .map_err(|e| AppError::new(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_api_key_goes_to_the_window_masked_and_comes_back_whole() {
        let mut stored = Settings::default();
        stored.assistant.api_key = "sk-proj-abcdefghijklmnop9f3a".into();
        let shown = masked(stored.clone());
        assert_eq!(shown.assistant.api_key, "sk-…9f3a");
        assert!(
            !serde_json::to_string(&shown)
                .expect("json")
                .contains("abcdefgh")
        );
        // Sent back unchanged: the stored key stays.
        assert_eq!(
            unmasked(shown.clone(), &stored).assistant.api_key,
            stored.assistant.api_key
        );
        // A new key typed in the window replaces it; an empty one removes it.
        let mut typed = shown.clone();
        typed.assistant.api_key = "sk-new-key-0000000000001".into();
        assert_eq!(
            unmasked(typed, &stored).assistant.api_key,
            "sk-new-key-0000000000001"
        );
        let mut cleared = shown;
        cleared.assistant.api_key = String::new();
        assert_eq!(unmasked(cleared, &stored).assistant.api_key, "");
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
}
