//! The op applier on arbitrary batches of ops (JSON), applied to a phone from its paired
//! desktop and to a desktop from its phone. The checks are in
//! `ringback_core::fuzzing::op_apply`, which core/tests/fuzz_regressions.rs also runs on
//! every input in core/fuzz/regressions/op_apply/.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ringback_core::fuzzing::op_apply(data));
