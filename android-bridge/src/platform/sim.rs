//! The simulated phone: the engine's ports in memory, on a clock that moves when told. It
//! lives in core (the scenario runner and the desktop's dry run use it too).

pub use ringback_core::ports::memory::SimPlatform;
