//! Native notifications for inbound texts while the window is not focused; clicking one
//! opens its conversation.

use notify_rust::Notification;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::ipc::{ConvKey, OpenConversation};
use crate::views;

/// Shows a notification for a text from `who`; a click brings the window up on `key`.
pub fn inbound_text(app: &AppHandle, key: ConvKey, who: &str, body: &str) {
    let summary = format!("Text from {who}");
    let body = views::preview(body, 200);
    let app = app.clone();
    // Waiting for a click blocks, so each notification waits on its own thread; the
    // server closes it when it times out, which ends the wait.
    let spawned = std::thread::Builder::new()
        .name("notification".into())
        .spawn(move || {
            let shown = Notification::new()
                .appname("Ringback")
                .summary(&summary)
                .body(&body)
                .action("default", "Open conversation")
                .hint(notify_rust::Hint::Category("im.received".into()))
                .show();
            match shown {
                Ok(handle) => handle.wait_for_action(|action| {
                    if action == "default" {
                        open(&app, key);
                    }
                }),
                Err(e) => tracing::warn!("a notification could not be shown: {e}"),
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("a notification could not be shown: {e}");
    }
}

/// Brings the window to the front on a conversation.
pub fn open(app: &AppHandle, key: ConvKey) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Err(e) = (OpenConversation { key }).emit(app) {
        tracing::warn!("the window could not be told to open a conversation: {e}");
    }
}
