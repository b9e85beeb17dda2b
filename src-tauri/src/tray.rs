//! The tray icon: the unread count at a glance, and a way back to the window.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

const TRAY_ID: &str = "ringback";

/// Adds the tray icon.
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Ringback", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Ringback")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => {
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.unminimize();
                    let _ = window.show();
                    let _ = window.set_focus();
                }
            }
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

/// The tray's words for `unread` texts.
pub fn label(unread: u32) -> String {
    match unread {
        0 => "Ringback — no unread texts".into(),
        1 => "Ringback — 1 unread text".into(),
        n => format!("Ringback — {n} unread texts"),
    }
}

/// Shows the alerts in force on the tray: its tooltip names the first, or goes back to the
/// unread count once none is left.
pub fn set_alerts(app: &AppHandle, alerts: &[crate::alerts::AlertRow], unread: u32) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let tooltip = match alerts {
            [] => label(unread),
            [one] => format!("Ringback — needs attention: {}", one.title),
            [first, rest @ ..] => format!(
                "Ringback — needs attention: {} (and {} more)",
                first.title,
                rest.len()
            ),
        };
        let _ = tray.set_tooltip(Some(tooltip));
    }
}

/// Shows the unread count on the tray icon.
pub fn set_unread(app: &AppHandle, unread: u32) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let _ = tray.set_tooltip(Some(label(unread)));
        let _ = tray.set_title((unread > 0).then(|| unread.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn the_tray_counts_in_words() {
        assert_eq!(label(0), "Ringback — no unread texts");
        assert_eq!(label(1), "Ringback — 1 unread text");
        assert_eq!(label(12), "Ringback — 12 unread texts");
    }
}
