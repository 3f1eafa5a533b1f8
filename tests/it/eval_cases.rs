//! The evaluator's own table-driven cases: every testdata/eval/*.json file, one operator family
//! (or principals / actions) per file. Each case is
//! `{"note", "policy" | "policy_text", "request", "expect": {"trust", "decision"},
//!   "reason_contains"?: [..]}`; `reason_contains` lists fragments some statement's trace
//! reason must hold. All failures are reported together.

use crate::common;
use serde_json::Value;
use trustgate::eval::{evaluate, Request};
use trustgate::policy::parse_policy;

fn run_case(case: &Value) -> Result<(), String> {
    let text = match (case.get("policy"), case.get("policy_text")) {
        (_, Some(Value::String(t))) => t.clone(),
        (Some(p), _) => p.to_string(),
        _ => return Err("no policy".to_string()),
    };
    let policy = parse_policy(&text).map_err(|e| format!("parse error: {e}"))?;
    let request: Request =
        serde_json::from_value(case["request"].clone()).map_err(|e| format!("bad request: {e}"))?;
    let eval = evaluate(&policy, &request);
    let want_trust = case["expect"]["trust"].as_str().unwrap_or("?");
    let want_decision = case["expect"]["decision"].as_str().unwrap_or("?");
    if eval.trust.as_str() != want_trust || eval.decision.as_str() != want_decision {
        let reasons: Vec<&str> = eval.statements.iter().map(|s| s.reason.as_str()).collect();
        return Err(format!(
            "expected {want_trust}/{want_decision}, got {}/{} — {}",
            eval.trust.as_str(),
            eval.decision.as_str(),
            reasons.join(" | ")
        ));
    }
    if let Some(fragments) = case.get("reason_contains").and_then(Value::as_array) {
        for fragment in fragments.iter().filter_map(Value::as_str) {
            if !eval.statements.iter().any(|s| s.reason.contains(fragment)) {
                let reasons: Vec<&str> =
                    eval.statements.iter().map(|s| s.reason.as_str()).collect();
                return Err(format!(
                    "no statement reason contains `{fragment}`: {}",
                    reasons.join(" | ")
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn every_eval_case_passes() {
    let dir = common::testdata("eval");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/eval")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 13, "expected one file per family in {dir:?}");
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in &files {
        let name = file.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).expect("read"))
            .unwrap_or_else(|e| panic!("{name}.json is not JSON: {e}"));
        let cases = doc["cases"].as_array().expect("a cases array");
        assert!(!cases.is_empty(), "{name}.json has no cases");
        for (i, case) in cases.iter().enumerate() {
            ran += 1;
            if let Err(e) = run_case(case) {
                let note = case["note"].as_str().unwrap_or("?");
                failures.push(format!("{name}[{i}] {note}: {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} eval cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
