//! The comparison vectors through the whole rule pipeline: a widening vector raises the rule
//! its notes name (one cause, one finding), a non-widening vector raises no regression rule,
//! and every regression witness is allowed after and denied before (posture witnesses: allowed
//! after).

use crate::common;
use serde_json::Value;
use trustgate::analysis::{analyse_pair, Verdict};
use trustgate::compare::granted;
use trustgate::policy::parse_policy;
use trustgate::rules::{RuleKind, RuleSettings, REGISTRY};

const ROLE: &str = "arn:aws:iam::111111111111:role/target";

fn is_regression(rule: &str) -> bool {
    REGISTRY
        .iter()
        .any(|r| r.meta().id == rule && r.meta().kind == RuleKind::Regression)
}

#[test]
fn comparison_vectors_raise_the_rules_their_notes_name() {
    let text = std::fs::read_to_string(common::testdata("iam/vectors.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for v in doc["vectors"].as_array().unwrap() {
        if v["group"] != "comparison" {
            continue;
        }
        checked += 1;
        let id = v["id"].as_str().unwrap();
        let before = v["before"].to_string();
        let after = v["after"].to_string();
        // With --all: the notes also name the posture findings of the after state.
        let settings = RuleSettings {
            all: true,
            ..RuleSettings::default()
        };
        let result = analyse_pair(Some(&before), &after, Some(ROLE), &settings);
        let fired: Vec<&str> = result.findings.iter().map(|f| f.rule).collect();
        let widened = v["widened"].as_bool().unwrap();
        let verdict_widens = matches!(result.role.verdict, Verdict::Widened | Verdict::Lateral);
        if widened != verdict_widens {
            failures.push(format!(
                "{id}: widened={widened}, verdict {:?}",
                result.role.verdict
            ));
        }
        let regressions: Vec<&str> = fired
            .iter()
            .copied()
            .filter(|r| is_regression(r) && *r != "role-replaced")
            .collect();
        if !widened && !regressions.is_empty() {
            failures.push(format!("{id}: no widening, but {regressions:?}"));
        }
        let notes = v["notes"].as_str().unwrap_or("");
        for part in notes.split(';') {
            let named = part.split(':').next().unwrap_or("").trim();
            if !REGISTRY.iter().any(|r| r.meta().id == named) {
                continue;
            }
            if !fired.contains(&named) {
                failures.push(format!("{id}: notes name `{named}`, fired {fired:?}"));
            }
        }
        // One cause, one finding: a widening is reported by exactly one regression rule.
        if widened && regressions.len() != 1 {
            failures.push(format!(
                "{id}: expected one regression finding, got {regressions:?}"
            ));
        }
        let (b, a) = (
            parse_policy(&before).unwrap(),
            parse_policy(&after).unwrap(),
        );
        for f in &result.findings {
            if let Some(w) = &f.witness {
                failures.extend(common::unrealistic(&serde_json::to_value(w).unwrap(), id));
                // A posture witness shows what the after policy grants an outsider, whether or
                // not the before policy granted it too.
                let verified = if is_regression(f.rule) {
                    granted(&a, w) && !granted(&b, w)
                } else {
                    granted(&a, w)
                };
                if f.rule != "trust-drifted" && !verified {
                    failures.push(format!("{id}: {} witness does not verify: {w:?}", f.rule));
                }
            }
        }
    }
    assert!(checked >= 20, "only {checked} comparison vectors");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
