//! End-to-end tests live in `tests/tests/`; this library holds what they share: a small
//! W3C WebDriver client for driving the built desktop app through `tauri-driver`.

pub mod webdriver;
