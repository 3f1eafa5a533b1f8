//! Fuzz target: a before/after policy pair through the whole per-role analysis (parse,
//! compare with its bounds, every rule), as `trustgate compare` runs it.
//!
//! The input is a JSON object `{"before": POLICY, "after": POLICY}` (the shape of the rule
//! fixtures under `testdata/rules/`, which seed the corpus); `before` may be absent (a created
//! role). Each side is handed on as its exact text, so duplicate keys and odd spellings reach
//! the parser. Asserted: no panic, no hang, and fail closed: when either side is not a policy,
//! a finding at or above `high` (the default threshold) is reported.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use trustgate::analysis::analyse_pair;
use trustgate::finding::Severity;
use trustgate::policy::parse_policy;
use trustgate::rules::RuleSettings;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(pair) = serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(text) else {
        return;
    };
    let Some(after) = pair.get("after").map(|v| v.get()) else {
        return;
    };
    let before = pair.get("before").map(|v| v.get());
    let result = analyse_pair(before, after, None, &RuleSettings::default());
    let unreadable =
        parse_policy(after).is_err() || before.is_some_and(|b| parse_policy(b).is_err());
    if unreadable {
        assert!(
            result.findings.iter().any(|f| f.severity >= Severity::High),
            "an unreadable policy passed the gate: {:?}",
            result.findings
        );
    }
});
