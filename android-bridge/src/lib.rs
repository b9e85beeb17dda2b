//! Ringback's phone runtime: the core engine on a platform.
//!
//! - [`api`]: the uniffi API the Kotlin app calls (start and stop, one entry point per
//!   broadcast, pairing, status), a thin layer over [`runtime`].
//! - [`logging`]: `tracing` to logcat on Android, installed once per process.
//! - [`report`]: the radio's sent and delivered reports, and the names on their intents.
//! - [`platform::android`]: the engine's ports implemented with jni against the Android
//!   framework; [`platform::sim`] runs the engine in memory (the simulator, demos, tests).
//! - [`serve`]: `ringback-phone-sim serve`, a live simulated phone with sync.

uniffi::setup_scaffolding!();

pub mod api;
pub mod health;
pub mod logging;
pub mod mms;
pub mod platform;
pub mod report;
/// The scenario runner lives in core (the desktop's settings dry run uses it too).
pub use ringback_core::scenario;
pub mod runtime;
pub mod serve;
