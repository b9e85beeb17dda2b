//! The sync frame decoder on arbitrary bytes cut at arbitrary points, and the frame
//! round trip. The checks, and the layout of an input, are in
//! `ringback_core::fuzzing::frame_decode`, which core/tests/fuzz_regressions.rs also runs on
//! every input in core/fuzz/regressions/frame_decode/.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ringback_core::fuzzing::frame_decode(data));
