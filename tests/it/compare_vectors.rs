//! Every comparison vector of testdata/iam/vectors.json through `compare`: the verdict says
//! "widened" exactly when the vector does, and every reported witness is re-checked here with
//! the evaluator alone (after allows, before denies), independently of the comparator, and is
//! a realistic request.

use crate::common;
use serde_json::Value;
use trustgate::compare::{compare, CompareOptions};
use trustgate::eval::{decide, evaluate, Decision, Request};
use trustgate::policy::parse_policy;

fn comparison_vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(common::testdata("iam/vectors.json"))
        .expect("testdata/iam/vectors.json");
    let doc: Value = serde_json::from_str(&text).expect("vectors.json is JSON");
    doc["vectors"]
        .as_array()
        .expect("a vectors array")
        .iter()
        .filter(|v| v["group"] == "comparison")
        .cloned()
        .collect()
}

/// One vector's problems, empty when it passes.
fn check(v: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let before = parse_policy(&v["before"].to_string()).expect("before parses");
    let after = parse_policy(&v["after"].to_string()).expect("after parses");
    let widened = v["widened"].as_bool().expect("widened is a bool");
    let result = match compare(&before, &after, &CompareOptions::default()) {
        Ok(r) => r,
        Err(e) => return vec![format!("compare failed: {e}")],
    };
    if result.verdict.is_widening() != widened {
        problems.push(format!(
            "verdict {} but the vector says widened={widened}",
            result.verdict.as_str()
        ));
    }
    if widened && result.witnesses.is_empty() {
        problems.push("widened without a witness".into());
    }
    if !widened && !result.witnesses.is_empty() {
        problems.push(format!(
            "{} witnesses for a non-widening, first: {}",
            result.witnesses.len(),
            serde_json::to_string(&result.witnesses[0].request).unwrap()
        ));
    }
    for w in result.witnesses.iter().chain(&result.lost) {
        let json = serde_json::to_value(&w.request).unwrap();
        problems.extend(common::unrealistic(&json, "comparator"));
    }
    for w in &result.witnesses {
        let a = evaluate(&after, &w.request);
        let b = evaluate(&before, &w.request);
        let a_decision = decide(&w.request, a.trust);
        let b_decision = decide(&w.request, b.trust);
        if a_decision != Decision::Allow || b_decision != Decision::Deny {
            problems.push(format!(
                "witness does not verify (after {}, before {}): {}",
                a_decision.as_str(),
                b_decision.as_str(),
                serde_json::to_string(&w.request).unwrap()
            ));
        }
    }
    // The vector's own witness must be a real widening too (it checks the evaluator side).
    if let Some(witness) = v.get("witness") {
        let req: Request = serde_json::from_value(witness.clone()).expect("witness is a request");
        if evaluate(&after, &req).decision != Decision::Allow
            || evaluate(&before, &req).decision != Decision::Deny
        {
            problems.push("the vector's own witness does not verify".into());
        }
    }
    problems
}

#[test]
fn every_comparison_vector_passes() {
    let vectors = comparison_vectors();
    assert!(!vectors.is_empty(), "no comparison vectors found");
    let mut failures = Vec::new();
    for v in &vectors {
        let id = v["id"].as_str().unwrap_or("?");
        for p in check(v) {
            failures.push(format!("{id}: {p}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} comparison vectors fail:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

/// `cargo test compare_vectors::dump -- --ignored --nocapture` prints each comparison's verdict
/// and first witnesses, for reviewing what the comparator reports.
#[test]
#[ignore]
fn dump() {
    for v in comparison_vectors() {
        let before = parse_policy(&v["before"].to_string()).unwrap();
        let after = parse_policy(&v["after"].to_string()).unwrap();
        let start = std::time::Instant::now();
        let r = compare(&before, &after, &CompareOptions::default());
        let elapsed = start.elapsed();
        match r {
            Ok(c) => {
                println!(
                    "{} {} ({} witnesses, {} lost, {:?})",
                    v["id"],
                    c.verdict.as_str(),
                    c.witnesses.len(),
                    c.lost.len(),
                    elapsed
                );
                for w in c.witnesses.iter().take(2) {
                    println!("   + {}", serde_json::to_string(&w.request).unwrap());
                }
                for w in c.lost.iter().take(1) {
                    println!("   - {}", serde_json::to_string(&w.request).unwrap());
                }
            }
            Err(e) => println!("{} error {e}", v["id"]),
        }
    }
}
