//! Ringback's phone runtime: the core engine on a platform. `platform::sim` runs it in
//! memory (the simulator, demos and tests); the Android platform comes in its own module.

pub mod platform;
/// The scenario runner lives in core (the desktop's settings dry run uses it too).
pub use ringback_core::scenario;
pub mod serve;
