//! The policy parser against every policy in the IAM vectors: each parses, and a policy is
//! reported invalid exactly when its vector's notes say `trust-policy-invalid`.

use crate::common;
use serde_json::Value;
use trustgate::policy::{parse_policy, Policy};

fn vector_policies() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(common::testdata("iam/vectors.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for v in doc["vectors"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap().to_string();
        let notes = v["notes"].as_str().unwrap_or("").to_string();
        if let Some(t) = v["policy_text"].as_str() {
            out.push((id.clone(), t.to_string(), notes.clone()));
        }
        for key in ["policy", "before", "after"] {
            if let Some(p) = v.get(key) {
                out.push((format!("{id}/{key}"), p.to_string(), notes.clone()));
            }
        }
    }
    out
}

fn invalid(policy: &Policy) -> bool {
    policy.issues.iter().any(|i| i.kind.is_invalid())
}

#[test]
fn every_vector_policy_parses_and_invalid_ones_are_flagged() {
    let mut failures = Vec::new();
    for (id, text, notes) in vector_policies() {
        match parse_policy(&text) {
            Err(e) => failures.push(format!("{id}: {e}")),
            Ok(policy) => {
                // Comparison vectors note the after policy's findings; only single-policy
                // vectors (and the after side) are held to the note.
                let expect_invalid = notes.contains("trust-policy-invalid");
                let judged = !id.ends_with("/before");
                if judged && expect_invalid != invalid(&policy) {
                    failures.push(format!(
                        "{id}: expected invalid={expect_invalid}, issues {:?}",
                        policy.issues
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
