//! Fuzz target: the plan reader (input decoding, the streaming reader, trust extraction).
//!
//! Any bytes go in, as if given on standard input. The reader must answer plans or a
//! `PlanError`, never panic, hang or allocate far beyond the input. A binary (zip) input is
//! pointed at a converter that does not exist, so no process is ever started.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustgate::plan::{read_bytes, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions {
        terraform_bin: Some("/nonexistent/trustgate-fuzz/terraform".to_string()),
    };
    let _ = read_bytes("-", data, &options);
});
