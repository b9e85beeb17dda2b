//! Ringback's desktop app: the team's inbox for recovered leads. The logic is in
//! `ringback-core`; this crate is the Tauri shell around a [`DesktopNode`]: IPC commands
//! and events, notifications, the tray, and demo mode.
//!
//! [`DesktopNode`]: ringback_core::sync::node::DesktopNode

pub mod alerts;
pub mod commands;
pub mod demo;
pub mod desktop;
pub mod diagnostics;
pub mod ipc;
pub mod logging;
pub mod notify;
pub mod pairing;
pub mod photo;
pub mod photos;
pub mod tray;
pub mod views;
mod watch;

use std::path::PathBuf;
use std::sync::Arc;

use ringback_core::sync::net::NetworkMode;
use specta_typescript::Typescript;
use tauri::Manager;
use tauri_specta::{Builder, collect_commands, collect_events};

use crate::demo::Demo;
use crate::desktop::{Desktop, SharedDesktop};

/// Every command and event the window may use, declared once: the app registers them
/// and `ui/src/bindings.ts` is generated from them.
pub fn ipc() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::overview,
            commands::inbox_page,
            commands::inbox_count,
            commands::search,
            commands::conversation,
            commands::thread,
            commands::mark_read,
            commands::send_reply,
            commands::refused_replies,
            commands::resend,
            commands::decide_opt_out,
            commands::set_lead_status,
            commands::set_note,
            commands::segments,
            commands::missed_calls,
            commands::dashboard,
            commands::settings,
            commands::validate_settings,
            commands::save_settings,
            commands::assistant_key,
            commands::set_assistant_key,
            commands::preview_template,
            commands::sample_day,
            commands::dry_run,
            commands::devices,
            commands::new_ticket,
            commands::cancel_ticket,
            commands::pairing_requests,
            commands::accept_pairing,
            commands::reject_pairing,
            commands::unpair,
            commands::set_network,
            commands::photo_settings,
            commands::set_photo_settings,
            commands::diagnostics,
            commands::save_diagnostics,
            commands::demo_call,
            commands::demo_sms,
            commands::demo_mms,
            commands::demo_radio,
            commands::demo_call_log_permission,
            commands::demo_pair,
            commands::ui_ready,
            commands::appointments,
            commands::export_appointments,
            commands::assistant_resume,
            commands::assistant_take_over,
            commands::dismiss_draft,
            commands::alerts,
            commands::text_back_now,
            photos::attachment_data,
            photos::save_attachment,
            photos::prepare_photo,
            photos::send_reply_with_photo,
        ])
        .events(collect_events![
            ipc::StoreChanged,
            ipc::OpenConversation,
            ipc::PeersChanged,
            ipc::PairingRequestsChanged,
            ipc::AlertsChanged
        ])
}

/// The TypeScript bindings for [`ipc`], as the file `ui/src/bindings.ts` holds them.
pub fn typescript_bindings() -> Result<String, String> {
    let path = std::env::temp_dir().join(format!("ringback-bindings-{}.ts", std::process::id()));
    ipc()
        .export(
            Typescript::default().header("// Generated from the Rust types by `cargo test -p ringback-desktop --test bindings` (UPDATE_BINDINGS=1). Do not edit.\n// @ts-nocheck\n"),
            &path,
        )
        .map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&path);
    text
}

/// An inbox needs no back/forward page cache, only a document viewer's memory caches, and
/// no GPU compositing: WebKitGTK without them keeps far less memory. (Compositing stays as
/// WebKit decides under WebDriver: with it off, WebDriver's screenshots never return.)
pub fn lighten(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    {
        let done = window.with_webview(|webview| {
            use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};
            let view = webview.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_enable_page_cache(false);
                if !under_automation() {
                    // Software rendering without GPU compositing layers: about 90 MB less
                    // in the web process for a UI of lists and text. Kept under WebDriver,
                    // whose screenshots need the compositor (see `under_automation`).
                    settings.set_hardware_acceleration_policy(
                        webkit2gtk::HardwareAccelerationPolicy::Never,
                    );
                }
            }
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(e) = done {
            tracing::warn!("the webview's memory settings could not be applied: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// Whether the app runs under WebDriver (WebKitWebDriver, started by tauri-driver, sets
/// `TAURI_WEBVIEW_AUTOMATION` for the app it launches). Its screenshots wait for a
/// compositor frame, which never comes with hardware acceleration off.
pub fn under_automation() -> bool {
    std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some_and(|v| v == "true")
}

/// How the app was started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Where the data lives (`--data DIR` or `RINGBACK_DATA`; else the system's app data folder).
    pub data: Option<PathBuf>,
    /// Demo mode (`--demo` or `RINGBACK_DEMO=1`): a simulated phone runs beside the app.
    pub demo: bool,
}

impl Options {
    /// Reads the command line and the environment.
    pub fn from_env() -> Result<Options, String> {
        let mut options = Options {
            data: std::env::var_os("RINGBACK_DATA").map(PathBuf::from),
            demo: std::env::var("RINGBACK_DEMO").is_ok_and(|v| v == "1"),
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--demo" => options.demo = true,
                "--data" => {
                    options.data = Some(PathBuf::from(args.next().ok_or("--data needs a folder")?));
                }
                // WebDriver and the platform add options of their own (--automation…).
                other if other.starts_with("--") => {
                    tracing::debug!(option = other, "ignoring an option meant for the webview");
                }
                other => {
                    return Err(format!(
                        "“{other}” is not an option; use --demo and --data FOLDER"
                    ));
                }
            }
        }
        Ok(options)
    }
}

/// Runs the app until its window closes.
pub fn run(options: Options) -> anyhow::Result<()> {
    let ipc = ipc();
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .invoke_handler(ipc.invoke_handler())
        .setup(move |app| {
            // Logging first, so whatever goes wrong from here is in the log file.
            let logs =
                logging::folder_for(options.data.as_deref(), || app.path().app_log_dir().ok());
            if let Err(e) = logging::init(logs.as_deref()) {
                eprintln!("ringback-desktop: {e}");
            }
            ipc.mount_events(app);
            let dir = match &options.data {
                Some(dir) => dir.clone(),
                None => app.path().app_data_dir()?,
            };
            let log_folder =
                logging::folder().map_or_else(|| "none".into(), |f| f.display().to_string());
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                os = std::env::consts::OS,
                demo = options.demo,
                data = %dir.display(),
                logs = %log_folder,
                "Ringback desktop starting"
            );
            let mode = options.demo.then_some(NetworkMode::Loopback);
            let desktop: SharedDesktop =
                Arc::new(tauri::async_runtime::block_on(Desktop::start(&dir, mode))?);
            let demo = if options.demo {
                // A first start pairs the simulated phone with a code made for it, and
                // accepts that phone (and only it) as the person who started the demo would.
                let ticket = desktop
                    .phones()
                    .is_empty()
                    .then(|| desktop.new_pairing_code().to_qr_payload());
                let first = ticket.is_some();
                let demo = tauri::async_runtime::block_on(Demo::start(&dir, ticket))?;
                if first {
                    tauri::async_runtime::spawn(demo::accept_own_phone(
                        desktop.clone(),
                        demo.endpoint_watch(),
                    ));
                }
                Some(demo)
            } else {
                None
            };
            app.manage(desktop.clone());
            app.manage::<Option<Demo>>(demo);
            if let Err(e) = tray::install(app.handle()) {
                tracing::warn!("the tray icon could not be added: {e}");
            }
            watch::spawn(app.handle().clone(), desktop);
            // The window opens once every command has what it needs.
            if let Some(config) = app.config().app.windows.first() {
                let window =
                    tauri::WebviewWindowBuilder::from_config(app.handle(), config)?.build()?;
                lighten(&window);
            }
            Ok(())
        })
        .run(tauri::generate_context!())?;
    Ok(())
}
