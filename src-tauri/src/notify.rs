//! Native notifications for inbound texts while the window is not focused; clicking one
//! opens its conversation.

use notify_rust::Notification;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::ipc::{ConvKey, OpenConversation};
use crate::views;

/// Shows a notification for a text from `who`; a click brings the window up on `key`.
pub fn inbound_text(app: &AppHandle, key: ConvKey, who: &str, body: &str) {
    let (summary, body) = notification_text(who, body, BODY_MARKUP);
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

/// Shows a notification for an alert that was just raised (once: the alert book raises
/// each alert once). It names no caller and no text.
pub fn alert(row: &crate::alerts::AlertRow) {
    let summary = plain_summary(&row.title);
    let body = row.fix.clone();
    let spawned = std::thread::Builder::new()
        .name("notification".into())
        .spawn(move || {
            let shown = Notification::new()
                .appname("Ringback")
                .summary(&summary)
                .body(&body)
                .hint(notify_rust::Hint::Category("device.error".into()))
                .show();
            if let Err(e) = shown {
                tracing::warn!("a notification could not be shown: {e}");
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

/// The summary and body of a notification for a text from `who`. A caller writes the body
/// and may name themselves anything, so neither may carry markup: the body is escaped where
/// servers read markup in bodies (`markup`; GNOME and KDE turn `<a href>` into a link),
/// and the summary, which the specification and the servers show as typed (an entity would
/// show as `&amp;`), keeps look-alikes of `<`, `>` and `&` instead.
pub fn notification_text(who: &str, body: &str, markup: bool) -> (String, String) {
    let summary = plain_summary(&format!("Text from {who}"));
    // Shortened first, so an entity is never cut in half.
    let body = views::preview(body, 200);
    let body = if markup { escape_markup(&body) } else { body };
    (summary, body)
}

/// Text as the notification specification's body markup (a subset of XML) shows it
/// literally: `&`, `<`, `>` and both quotes as entities.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Text with nothing a server could read as markup, readable where none is read.
fn plain_summary(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            '&' => '＆',
            c => c,
        })
        .collect()
}

/// Whether notification bodies are read as markup here: on Linux and the BSDs (the
/// freedesktop notification servers) they are. Escaped whatever the server says it reads:
/// GNOME, KDE, dunst, mako and xfce4-notifyd all read markup, and on a server that would
/// not, an entity shows as text, which is better than a link a caller wrote.
const BODY_MARKUP: bool = cfg!(all(unix, not(target_os = "macos")));

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = r#"Call us <a href="https://evil.example/pay">here</a> & <b>now</b> <img src="file:///etc/passwd"/> it's "urgent""#;

    #[test]
    fn a_body_with_markup_reaches_a_markup_server_as_text() {
        let (_, body) = notification_text("Dana", LINK, true);
        assert!(!body.contains('<') && !body.contains('>'), "{body}");
        assert_eq!(
            body,
            "Call us &lt;a href=&quot;https://evil.example/pay&quot;&gt;here&lt;/a&gt; &amp; \
             &lt;b&gt;now&lt;/b&gt; &lt;img src=&quot;file:///etc/passwd&quot;/&gt; it&apos;s \
             &quot;urgent&quot;"
        );
        // Every & left starts an entity this function wrote.
        let rest = body
            .replace("&amp;", "")
            .replace("&lt;", "")
            .replace("&gt;", "")
            .replace("&quot;", "")
            .replace("&apos;", "");
        assert!(!rest.contains('&'), "{rest}");
    }

    #[test]
    fn where_bodies_are_not_markup_the_text_goes_as_typed() {
        let (_, body) = notification_text("Dana", "Tom & Jerry <3", false);
        assert_eq!(body, "Tom & Jerry <3");
    }

    #[test]
    fn a_summary_never_carries_markup_and_a_long_body_is_cut_before_escaping() {
        let (summary, _) = notification_text("<b>Bob</b> & <a href='x'>Co</a>", "hi", true);
        assert!(!summary.contains(['<', '>', '&']), "{summary}");
        assert_eq!(summary, "Text from ‹b›Bob‹/b› ＆ ‹a href='x'›Co‹/a›");
        let long = "<".repeat(500);
        let (_, body) = notification_text("Dana", &long, true);
        assert!(body.starts_with("&lt;") && !body.contains('<'), "{body}");
        let stripped = body.trim_end_matches('…').replace("&lt;", "");
        assert!(stripped.is_empty(), "an entity was cut: {body}");
    }
}
