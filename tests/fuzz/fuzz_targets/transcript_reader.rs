//! See `ccdesk_core::fuzzing::transcript_reader` for what this target checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ccdesk_core::fuzzing::transcript_reader(data));
