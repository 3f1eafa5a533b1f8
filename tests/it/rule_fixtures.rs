//! Every rule's fixtures: `testdata/rules/<rule-id>/fail-*.json` must raise the rule and
//! `pass-*.json` must not. Each fixture says why, in `why`.
//!
//! Fixture: `{"why": "...", "before": POLICY | null (a created role), "after": POLICY,
//! "severity": "high" (optional, checked on fail fixtures), "settings": {"all": true}
//! (optional)}`. The role is `arn:aws:iam::111111111111:role/target`.

use crate::common;
use serde_json::Value;
use trustgate::analysis::analyse_pair;
use trustgate::rules::{RuleSettings, REGISTRY};

const ROLE: &str = "arn:aws:iam::111111111111:role/target";

#[test]
fn rule_fixtures_pass_and_fail_as_named() {
    let root = common::testdata("rules");
    let mut failures = Vec::new();
    let mut checked = 0;
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
            let settings = RuleSettings {
                all: fixture["settings"]["all"].as_bool().unwrap_or(false),
                ..RuleSettings::default()
            };
            let before = match &fixture["before"] {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            };
            let after = match &fixture["after"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let result = analyse_pair(before.as_deref(), &after, Some(ROLE), &settings);
            let hits: Vec<_> = result.findings.iter().filter(|f| f.rule == rule).collect();
            if hits.is_empty() == expect_fire {
                failures.push(format!(
                    "{rule}/{name}: expected {}, got findings {:?}",
                    if expect_fire {
                        "the rule to fire"
                    } else {
                        "no such finding"
                    },
                    result
                        .findings
                        .iter()
                        .map(|f| (f.rule, &f.message))
                        .collect::<Vec<_>>()
                ));
            }
            if let (true, Some(sev)) = (expect_fire, fixture["severity"].as_str()) {
                if !hits.iter().any(|f| f.severity.as_str() == sev) {
                    failures.push(format!(
                        "{rule}/{name}: expected severity {sev}, got {:?}",
                        hits.iter().map(|f| f.severity.as_str()).collect::<Vec<_>>()
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no rule fixtures found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
