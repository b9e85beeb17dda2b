//! Ringback's phone runtime: the core engine on a platform. `platform::sim` runs it in
//! memory (the simulator, demos and tests); the Android platform comes in its own module.

pub mod platform;
pub mod scenario;
pub mod serve;
