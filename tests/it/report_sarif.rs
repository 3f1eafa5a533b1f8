//! SARIF 2.1.0 structure: what code-scanning uploads require and what SPEC §6 promises — rule
//! metadata with descriptions and help, one result per finding, a logical location always, a
//! physical one with `--source-dir`, `partialFingerprints` that do not depend on lines.

use crate::cli::run;
use serde_json::Value;
use std::collections::BTreeSet;

fn sarif(plan: &str, extra: &[&str]) -> (Value, Value) {
    let mut args = vec!["check", plan, "--format", "sarif"];
    args.extend_from_slice(extra);
    let (_, out, _) = run(&args);
    let mut json = vec!["check", plan, "--format", "json"];
    json.extend_from_slice(extra);
    let (_, report, _) = run(&json);
    (
        serde_json::from_str(&out).unwrap(),
        serde_json::from_str(&report).unwrap(),
    )
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

#[test]
fn sarif_has_the_required_structure() {
    for (plan, extra) in [
        ("testdata/plans/report-many-roles.json", &[][..]),
        (
            "testdata/plans/report-modules.json",
            &["--source-dir", "testdata/terraform/modules-demo"][..],
        ),
        ("testdata/plans/report-sensitive-widened.json", &[][..]),
    ] {
        let (log, report) = sarif(plan, extra);
        assert_eq!(log["version"], "2.1.0");
        assert!(text(&log["$schema"]).contains("sarif-2.1.0"));
        let runs = log["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let driver = &runs[0]["tool"]["driver"];
        assert_eq!(driver["name"], "trustgate");
        let rules = driver["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| text(&r["id"])).collect();
        assert_eq!(
            ids.iter().collect::<BTreeSet<_>>().len(),
            ids.len(),
            "rule ids are unique"
        );
        for rule in rules {
            for field in [
                &rule["shortDescription"]["text"],
                &rule["fullDescription"]["text"],
                &rule["help"]["text"],
            ] {
                assert!(!text(field).is_empty(), "{rule}");
            }
            assert!(text(&rule["help"]["markdown"]).contains("Flagged:"));
            assert!(text(&rule["properties"]["security-severity"])
                .parse::<f64>()
                .is_ok());
        }

        let results = runs[0]["results"].as_array().unwrap();
        let findings = report["findings"].as_array().unwrap();
        assert_eq!(results.len(), findings.len(), "one result per finding");
        assert!(!results.is_empty());
        for (result, finding) in results.iter().zip(findings) {
            assert_eq!(result["ruleId"], finding["rule"]);
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                rules[index]["id"], result["ruleId"],
                "ruleIndex points at its rule"
            );
            assert!(["error", "warning", "note"].contains(&text(&result["level"])));
            assert!(!text(&result["message"]["text"]).is_empty());
            assert_eq!(
                result["partialFingerprints"]["trustgate/v1"],
                finding["fingerprint"]
            );
            let locations = result["locations"].as_array().unwrap();
            assert!(!locations.is_empty(), "at least one location");
            assert_eq!(
                locations[0]["logicalLocations"][0]["fullyQualifiedName"], finding["address"],
                "the address is always a logical location"
            );
            let physical = &locations[0]["physicalLocation"];
            assert!(physical["artifactLocation"]["uri"].is_string(), "{result}");
            if !extra.is_empty() {
                let uri = text(&physical["artifactLocation"]["uri"]);
                assert!(
                    uri.starts_with("testdata/terraform/modules-demo/") && uri.ends_with(".tf"),
                    "{uri}"
                );
                assert!(physical["region"]["startLine"].as_u64().unwrap() >= 1);
            }
        }
    }
}

#[test]
fn fingerprints_do_not_depend_on_source_lines() {
    let plan = "testdata/plans/report-modules.json";
    let (with, _) = sarif(plan, &["--source-dir", "testdata/terraform/modules-demo"]);
    let (without, _) = sarif(plan, &[]);
    let prints = |log: &Value| -> Vec<Value> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    assert_eq!(prints(&with), prints(&without));
}
