//! See `ccdesk_core::fuzzing::timestamp_from_end` for what this target checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ccdesk_core::fuzzing::timestamp_from_end(data));
