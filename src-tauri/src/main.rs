//! `ringback-desktop [--demo] [--data FOLDER]`: the desktop app. Its logs go to a file in
//! the app's log folder (`<data>/logs` with `--data`), and to stderr in a terminal.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
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
            // A windowed app has no terminal: the log file is where this is read.
            if ringback_desktop::logging::is_set_up() {
                tracing::error!("Ringback stopped: {e:#}");
            }
            if !ringback_desktop::logging::writes_to_stderr() {
                eprintln!("ringback-desktop: {e:#}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}
