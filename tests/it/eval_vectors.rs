//! Every evaluation vector of testdata/iam/vectors.json through `parse_policy` + `evaluate`,
//! and every comparison witness re-checked: allowed by `after`, denied by `before`.

use crate::common;
use serde_json::Value;
use trustgate::eval::{evaluate, Request};
use trustgate::policy::parse_policy;

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(common::testdata("iam/vectors.json"))
        .expect("testdata/iam/vectors.json");
    let doc: Value = serde_json::from_str(&text).expect("vectors.json is JSON");
    doc["vectors"].as_array().expect("a vectors array").clone()
}

/// The policy of a vector side: an object, or `policy_text` parsed as written.
fn policy_text(policy: Option<&Value>, text: Option<&Value>) -> String {
    match (policy, text) {
        (_, Some(Value::String(t))) => t.clone(),
        (Some(p), _) => p.to_string(),
        _ => panic!("vector without a policy"),
    }
}

fn decide(policy: &str, request: &Value) -> Result<(String, String), String> {
    let policy = parse_policy(policy).map_err(|e| format!("parse error: {e}"))?;
    let request: Request =
        serde_json::from_value(request.clone()).map_err(|e| format!("bad request: {e}"))?;
    let eval = evaluate(&policy, &request);
    Ok((
        eval.trust.as_str().to_string(),
        eval.decision.as_str().to_string(),
    ))
}

#[test]
fn every_evaluation_vector_passes() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for v in vectors() {
        let Some(expect) = v.get("expect") else {
            continue;
        };
        ran += 1;
        let id = v["id"].as_str().unwrap_or("?");
        let text = policy_text(v.get("policy"), v.get("policy_text"));
        let want = (
            expect["trust"].as_str().unwrap_or("?").to_string(),
            expect["decision"].as_str().unwrap_or("?").to_string(),
        );
        match decide(&text, &v["request"]) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!(
                "{id}: expected {}/{}, got {}/{} ({})",
                want.0, want.1, got.0, got.1, v["rule"]
            )),
            Err(e) => failures.push(format!("{id}: {e}")),
        }
    }
    assert!(ran >= 100, "only {ran} evaluation vectors found");
    assert!(
        failures.is_empty(),
        "{} of {ran} evaluation vectors fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_comparison_witness_is_allowed_after_and_denied_before() {
    let mut failures = Vec::new();
    for v in vectors() {
        let Some(witness) = v.get("witness") else {
            continue;
        };
        let id = v["id"].as_str().unwrap_or("?");
        let before = policy_text(v.get("before"), v.get("before_text"));
        let after = policy_text(v.get("after"), v.get("after_text"));
        match (decide(&before, witness), decide(&after, witness)) {
            (Ok((_, b)), Ok((_, a))) if b == "deny" && a == "allow" => {}
            (Ok(b), Ok(a)) => failures.push(format!("{id}: before {b:?}, after {a:?}")),
            (Err(e), _) | (_, Err(e)) => failures.push(format!("{id}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} witnesses do not show a widening:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `--explain-denied` says something for exactly the requests the evaluator denies.
#[test]
fn explain_denied_speaks_for_every_denied_vector_and_only_those() {
    let mut ran = 0;
    for v in vectors() {
        if v.get("expect").is_none() {
            continue;
        }
        let text = policy_text(v.get("policy"), v.get("policy_text"));
        let (Ok(policy), Ok(request)) = (
            parse_policy(&text),
            serde_json::from_value::<Request>(v["request"].clone()),
        ) else {
            continue;
        };
        ran += 1;
        let denied = evaluate(&policy, &request).decision == trustgate::eval::Decision::Deny;
        let steps = trustgate::eval::explain_denied(&policy, &request);
        assert_eq!(denied, !steps.is_empty(), "{}: {steps:?}", v["id"]);
    }
    assert!(ran >= 100, "only {ran}");
}
