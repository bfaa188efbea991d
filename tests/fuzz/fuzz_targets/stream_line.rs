//! See `ccdesk_core::fuzzing::stream_line` for what this target checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ccdesk_core::fuzzing::stream_line(data));
