//! Implementations of the engine's ports.

pub mod android;
pub mod sim;
