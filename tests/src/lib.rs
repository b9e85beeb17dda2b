//! End-to-end tests live in `tests/tests/`; this library holds what they share: a small
//! W3C WebDriver client for driving the built desktop app through `tauri-driver`, and a
//! scripted chat-completions server standing in for the assistant's model, and the network
//! lab's namespaces and processes.

pub mod chat;
pub mod netlab;
pub mod webdriver;
