//! Implementations of the engine's ports.

pub mod sim;
