//! `ringback-desktop [--demo] [--data FOLDER]`: the desktop app.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    tracing::debug!(args = ?std::env::args().collect::<Vec<_>>(), "started");
    let options = match ringback_desktop::Options::from_env() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("ringback-desktop: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match ringback_desktop::run(options) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ringback-desktop: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
