//! See `ccdesk_core::fuzzing::watchdog_input` for what this target checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ccdesk_core::fuzzing::watchdog_input(data));
