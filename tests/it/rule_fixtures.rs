//! Every rule's fixtures: `testdata/rules/<rule-id>/fail-*.json` must raise the rule and
//! `pass-*.json` must not; every rule has at least one of each. Each fixture says why. Every
//! witness any fixture produces is a realistic request.
//!
//! Fixture: `{"why": "...", "before": POLICY | null (a created role), "after": POLICY,
//! "severity": "high" (optional, checked on fail fixtures), "settings": {"all": true}
//! (optional), "quiet": true (optional: no finding at all at or above high, so the gate stays
//! silent), "message_contains": "..." (optional, checked on fail fixtures)}`. The role is `arn:aws:iam::111111111111:role/target`. Rules that only a plan
//! can show (replace, drift, unknown) use `{"why": "...", "plan": "plans/FILE.json"}` instead.

use crate::cli::run;
use crate::common;
use serde_json::Value;
use trustgate::analysis::analyse_pair;
use trustgate::finding::Finding;
use trustgate::rules::{RuleSettings, REGISTRY};

const ROLE: &str = "arn:aws:iam::111111111111:role/target";

/// A policy-pair fixture's after policy as text (a string fixture is the text itself).
pub fn after_text(fixture: &Value) -> String {
    text(&fixture["after"])
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The findings of a policy-pair fixture (`before`, `after`, `settings`) on the fixture role.
pub fn pair_findings(fixture: &Value) -> Vec<Finding> {
    let settings = RuleSettings {
        all: fixture["settings"]["all"].as_bool().unwrap_or(false),
        ..RuleSettings::default()
    };
    let before = (!fixture["before"].is_null()).then(|| text(&fixture["before"]));
    analyse_pair(
        before.as_deref(),
        &after_text(fixture),
        Some(ROLE),
        &settings,
    )
    .findings
}

/// (rule, severity, message) of every finding the fixture produces.
fn findings_of(fixture: &Value) -> Vec<(String, String, String)> {
    if let Some(plan) = fixture["plan"].as_str() {
        let path = common::testdata(plan);
        let (code, out, err) = run(&["check", &path.to_string_lossy(), "--format", "json"]);
        assert!(code < 2, "{plan}: {err}");
        let doc: Value = serde_json::from_str(&out).unwrap();
        let bad = common::unrealistic_witnesses(&doc, plan);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
        return doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let field = |k: &str| f[k].as_str().unwrap().to_string();
                (field("rule"), field("severity"), field("message"))
            })
            .collect();
    }
    let findings = pair_findings(fixture);
    for f in &findings {
        if let Some(w) = &f.witness {
            let bad = common::unrealistic(&serde_json::to_value(w).unwrap(), f.rule);
            assert!(bad.is_none(), "{}", bad.unwrap_or_default());
        }
    }
    findings
        .into_iter()
        .map(|f| (f.rule.to_string(), f.severity.to_string(), f.message))
        .collect()
}

#[test]
fn rule_fixtures_pass_and_fail_as_named() {
    let root = common::testdata("rules");
    let mut failures = Vec::new();
    let mut seen: Vec<(String, bool)> = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let rule = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            REGISTRY.iter().any(|r| r.meta().id == rule),
            "testdata/rules/{rule}: no such rule"
        );
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let fixture: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
                .unwrap_or_else(|e| panic!("{rule}/{name}: {e}"));
            assert!(
                fixture["why"].as_str().is_some_and(|w| !w.is_empty()),
                "{rule}/{name}: says no `why`"
            );
            let expect_fire = if name.starts_with("fail-") {
                true
            } else if name.starts_with("pass-") {
                false
            } else {
                panic!("{rule}/{name}: name must start with pass- or fail-")
            };
            let findings = findings_of(&fixture);
            let hits: Vec<_> = findings.iter().filter(|f| f.0 == rule).collect();
            if hits.is_empty() == expect_fire {
                failures.push(format!(
                    "{rule}/{name}: expected {}, got findings {findings:?}",
                    if expect_fire {
                        "the rule to fire"
                    } else {
                        "no such finding"
                    },
                ));
            }
            if let (true, Some(sev)) = (expect_fire, fixture["severity"].as_str()) {
                if !hits.iter().any(|f| f.1 == sev) {
                    failures.push(format!(
                        "{rule}/{name}: expected severity {sev}, got {:?}",
                        hits.iter().map(|f| &f.1).collect::<Vec<_>>()
                    ));
                }
            }
            if let (true, Some(text)) = (expect_fire, fixture["message_contains"].as_str()) {
                if !hits.iter().any(|f| f.2.contains(text)) {
                    failures.push(format!(
                        "{rule}/{name}: no message contains {text:?}: {:?}",
                        hits.iter().map(|f| &f.2).collect::<Vec<_>>()
                    ));
                }
            }
            if fixture["quiet"].as_bool() == Some(true) {
                let loud: Vec<_> = findings
                    .iter()
                    .filter(|f| matches!(f.1.as_str(), "high" | "critical"))
                    .collect();
                if !loud.is_empty() {
                    failures.push(format!(
                        "{rule}/{name}: expected a quiet gate, got {loud:?}"
                    ));
                }
            }
            seen.push((rule.clone(), expect_fire));
        }
    }
    for r in REGISTRY {
        let id = r.meta().id;
        for fire in [true, false] {
            if !seen.iter().any(|(rule, f)| rule == id && *f == fire) {
                failures.push(format!(
                    "testdata/rules/{id}: needs at least one {} fixture",
                    if fire { "fail-" } else { "pass-" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
