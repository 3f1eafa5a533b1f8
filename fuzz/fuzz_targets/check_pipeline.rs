//! Fuzz target: the whole `trustgate check` pipeline in process, plan bytes on standard input,
//! through reading, analysis, the gate and the JSON report.
//!
//! Asserted: no panic, no hang, an exit code in {0, 1, 2}, and fail closed: exit 0 only when
//! no role's trust policy is unparseable (such a role carries a critical finding).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use trustgate::app::{run, Io};

fuzz_target!(|data: &[u8]| {
    let mut stdin = Cursor::new(data.to_vec());
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = {
        let mut io = Io {
            stdin: &mut stdin,
            stdin_is_terminal: false,
            stdin_is_process: false,
            out: &mut out,
            err: &mut err,
            color: false,
        };
        run(
            [
                "trustgate",
                "check",
                "--no-config",
                "--terraform-bin",
                "/nonexistent/trustgate-fuzz/terraform",
                "--format",
                "json",
                "-",
            ],
            &mut io,
        )
    };
    assert!(matches!(code, 0..=2), "exit code {code}");
    if code == 0 {
        let report: serde_json::Value =
            serde_json::from_slice(&out).expect("exit 0 prints a JSON report");
        let roles = report.get("roles").and_then(|r| r.as_array());
        for role in roles.into_iter().flatten() {
            assert_ne!(
                role.get("verdict").and_then(|v| v.as_str()),
                Some("unparseable"),
                "exit 0 with an unparseable trust policy: {role}"
            );
        }
    }
});
