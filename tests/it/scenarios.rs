//! Plan scenarios, one per rule (testdata/plans/rule-*.json, edited from a real plan), and the
//! fixtures that show the others: each gives the exit code and exactly the rules that
//! testdata/plan_scenarios.json says, written by hand from the rule definitions. Every witness
//! in them, and in every plan under testdata/plans judged with `--all`, is realistic.

use crate::cli::run;
use crate::common;
use serde_json::Value;
use std::collections::BTreeSet;
use trustgate::rules::REGISTRY;

#[test]
fn every_scenario_gives_its_exit_code_and_rules() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(common::testdata("plan_scenarios.json")).unwrap(),
    )
    .unwrap();
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for (file, want) in expected.as_object().unwrap() {
        if file == "//" {
            continue;
        }
        let path = common::testdata(&format!("plans/{file}"));
        let (code, out, err) = run(&["check", &path.to_string_lossy(), "--format", "json"]);
        let doc: Value = match serde_json::from_str(&out) {
            Ok(doc) => doc,
            Err(e) => {
                failures.push(format!("{file}: no JSON ({e}): {err}"));
                continue;
            }
        };
        failures.extend(common::unrealistic_witnesses(&doc, file));
        let rules: BTreeSet<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        let want_rules: BTreeSet<String> = want["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect();
        if code != want["exit"].as_i64().unwrap() as i32 || rules != want_rules {
            failures.push(format!(
                "{file}: expected exit {} with {want_rules:?}, got exit {code} with {rules:?}",
                want["exit"]
            ));
        }
        covered.extend(want_rules);
    }
    let missing: Vec<&str> = REGISTRY
        .iter()
        .map(|r| r.meta().id)
        .filter(|id| !covered.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a plan scenario: {missing:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unknown_fail_makes_an_unknown_trust_block() {
    let path = common::testdata("plans/after_unknown_bare.json");
    let p = path.to_string_lossy();
    assert_eq!(run(&["check", &p]).0, 0);
    assert_eq!(run(&["check", &p, "--unknown", "fail"]).0, 1);
    let (code, out, _) = run(&["check", &p, "--unknown", "ignore", "--format", "json"]);
    assert_eq!(code, 0);
    assert!(!out.contains("trust-policy-unknown"), "{out}");
}

#[test]
fn a_sensitive_trust_policy_never_reaches_any_output() {
    let path = common::testdata("plans/sensitive.json");
    let plan = std::fs::read_to_string(&path).unwrap();
    // Values that stand only in the sensitive trust policies of this fixture.
    let doc: Value = serde_json::from_str(&plan).unwrap();
    let mut secrets = Vec::new();
    for rc in doc["resource_changes"].as_array().unwrap() {
        for side in ["before", "after"] {
            if let Some(text) = rc["change"][side]["assume_role_policy"].as_str() {
                secrets.push(text.to_string());
            }
        }
    }
    assert!(!secrets.is_empty());
    for format in ["table", "json"] {
        let (_, out, _) = run(&[
            "check",
            &path.to_string_lossy(),
            "--format",
            format,
            "--all",
        ]);
        assert!(out.contains("(sensitive)"), "{format}: {out}");
        for secret in &secrets {
            assert!(!out.contains(secret.as_str()), "{format} leaks {secret}");
            // Nor any principal from inside it.
            let policy: Value = serde_json::from_str(secret).unwrap();
            for principal in policy["Statement"][0]["Principal"]
                .as_object()
                .unwrap()
                .values()
            {
                let p = principal.as_str().unwrap();
                assert!(!out.contains(p), "{format} leaks principal {p}");
            }
        }
    }
}

#[test]
fn every_witness_of_every_plan_is_realistic() {
    let files = common::json_files("plans");
    let mut failures = Vec::new();
    let mut witnesses = 0usize;
    for path in files {
        let (code, out, _) = run(&[
            "check",
            &path.to_string_lossy(),
            "--all",
            "--format",
            "json",
        ]);
        if code == 2 {
            continue;
        }
        let doc: Value = serde_json::from_str(&out).unwrap();
        witnesses += doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| !f["witness"].is_null())
            .count();
        failures.extend(common::unrealistic_witnesses(
            &doc,
            &path.file_name().unwrap().to_string_lossy(),
        ));
    }
    assert!(witnesses > 10, "only {witnesses} witnesses checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
