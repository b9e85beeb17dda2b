//! Follows every paired phone's replica: tells the window what changed, keeps the tray's
//! unread count, and notifies about inbound texts while the window is not focused.

use std::collections::HashSet;
use std::time::Duration;

use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::desktop::SharedDesktop;
use crate::ipc::{AlertsChanged, ConvKey, PairingRequestsChanged, PeersChanged, StoreChanged};
use crate::{notify, tray, views};

/// Changes closer together than this reach the window as one.
const COALESCE: Duration = Duration::from_millis(15);
/// Most notifications for one burst of texts (a catch-up after hours offline is summed up
/// by the unread count, not by a wall of notifications).
const MAX_NOTIFICATIONS: u32 = 3;

/// Starts following the phones paired now and any paired later, and the phones waiting
/// for a person to accept them.
pub fn spawn(app: AppHandle, desktop: SharedDesktop) {
    tauri::async_runtime::spawn(watch_alerts(app.clone(), desktop.clone()));
    let (requests_app, requests_desktop) = (app.clone(), desktop.clone());
    tauri::async_runtime::spawn(async move {
        let mut requests = requests_desktop.node().pairing_requests();
        loop {
            let _ = PairingRequestsChanged {
                requests: requests_desktop.pairing_requests(),
            }
            .emit(&requests_app);
            if requests.changed().await.is_err() {
                return;
            }
        }
    });
    tauri::async_runtime::spawn(async move {
        let mut peers = desktop.node().peers();
        let mut watched: HashSet<String> = HashSet::new();
        loop {
            for (phone, _) in desktop.phones() {
                if watched.insert(phone.clone()) {
                    tauri::async_runtime::spawn(follow(app.clone(), desktop.clone(), phone));
                }
            }
            // Unpaired phones can be followed again if they pair again.
            let paired: HashSet<String> = desktop.phones().into_iter().map(|(p, _)| p).collect();
            watched.retain(|p| paired.contains(p));
            let _ = PeersChanged {
                phones: desktop.peers(),
            }
            .emit(&app);
            update_tray(&app, &desktop).await;
            if peers.changed().await.is_err() {
                return;
            }
        }
    });
}

async fn follow(app: AppHandle, desktop: SharedDesktop, phone: String) {
    let Ok(replica) = desktop.phone(&phone) else {
        return;
    };
    let (mut changes, mut seen) = replica
        .with_async(|s| (s.subscribe(), s.reader().last_message_id().unwrap_or(0)))
        .await
        .unwrap_or_else(|_| (tokio::sync::watch::channel(0).1, 0));
    while changes.changed().await.is_ok() {
        tokio::time::sleep(COALESCE).await;
        changes.borrow_and_update();
        if desktop.phone(&phone).is_err() {
            return; // Unpaired.
        }
        desktop.synced(&phone);
        let _ = StoreChanged {
            phone: phone.clone(),
        }
        .emit(&app);
        update_tray(&app, &desktop).await;
        seen = notify_new(&app, &replica, &phone, seen).await;
    }
}

async fn notify_new(
    app: &AppHandle,
    replica: &ringback_core::sync::replica::DesktopReplica,
    phone: &str,
    seen: i64,
) -> i64 {
    let found = replica
        .with_async(move |s| -> Result<_, ringback_core::StoreError> {
            let reader = s.reader();
            let mut out = Vec::new();
            for m in reader.inbound_after(seen, 200)? {
                let number = reader
                    .conversation_address(m.conversation_id)?
                    .map(|(n, _)| n)
                    .unwrap_or_default();
                let who = reader
                    .contact_name(&number)?
                    .unwrap_or_else(|| views::display_number(&number));
                out.push((m.id.0, m.conversation_id.0, who, m.body.clone()));
            }
            Ok(out)
        })
        .await;
    let Ok(Ok(texts)) = found else {
        return seen;
    };
    let Some(last) = texts.last().map(|t| t.0) else {
        return seen;
    };
    let focused = app
        .get_webview_window("main")
        .and_then(|w| {
            let visible = w.is_visible().unwrap_or(true) && !w.is_minimized().unwrap_or(false);
            w.is_focused().ok().map(|f| f && visible)
        })
        .unwrap_or(false);
    tracing::debug!(focused, texts = texts.len(), "new inbound texts");
    if !focused {
        for (_, conversation, who, body) in texts.into_iter().take(MAX_NOTIFICATIONS as usize) {
            let key = ConvKey {
                phone: phone.to_string(),
                id: conversation,
            };
            notify::inbound_text(app, key, &who, &body);
        }
    }
    last
}

/// How often the alerts are looked at again (a silent phone is noticed by time passing,
/// not by an event).
const ALERTS_EVERY: Duration = Duration::from_secs(2);

/// Updates the alerts every few seconds: each one raised is notified once, and the window
/// and the tray are told whenever one is raised or cleared.
async fn watch_alerts(app: AppHandle, desktop: SharedDesktop) {
    loop {
        let changes = {
            let desktop = desktop.clone();
            tauri::async_runtime::spawn_blocking(move || desktop.update_alerts()).await
        };
        if let Ok(changes) = changes
            && !changes.is_empty()
        {
            for row in &changes.raised {
                tracing::info!(kind = ?row.kind, "alert raised");
                notify::alert(row);
            }
            let alerts = desktop.alerts();
            let _ = AlertsChanged {
                alerts: alerts.clone(),
            }
            .emit(&app);
            update_tray(&app, &desktop).await;
        }
        tokio::time::sleep(ALERTS_EVERY).await;
    }
}

async fn update_tray(app: &AppHandle, desktop: &SharedDesktop) {
    let mut unread = 0u32;
    for (_, replica) in desktop.phones() {
        if let Ok(Ok(n)) = replica.with_async(|s| s.reader().unread_total()).await {
            unread = unread.saturating_add(n);
        }
    }
    tray::set_unread(app, unread);
    tray::set_alerts(app, &desktop.alerts(), unread);
}
