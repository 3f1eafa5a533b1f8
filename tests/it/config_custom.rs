//! `[[custom]]` rules: JSONPath filters and nested paths over the after policy's normal form,
//! a finding per offending node with its pointer, rules that match nothing, invalid
//! expressions refused by rule name, and custom findings treated like built-in ones
//! (severity overrides, ignores, the gate, table and JSON output).

use crate::cli::run;
use crate::config::{compare_table, compare_with, config_file, json_run, refused, rules_of, td};
use serde_json::Value;

fn custom_toml() -> String {
    std::fs::read_to_string(crate::common::testdata("config/custom.toml")).unwrap()
}

/// (rule, severity, after_pointer, message) of each custom finding (built-in ones left out).
fn custom_findings(doc: &Value) -> Vec<(String, String, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| trustgate::rules::find(f["rule"].as_str().unwrap()).is_none())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["severity"].as_str().unwrap().into(),
                f["after_pointer"].as_str().unwrap_or("(null)").into(),
                f["message"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn filters_and_nested_paths_find_each_offending_node() {
    let (code, doc, err) =
        compare_with("custom", "empty.json", "custom-after.json", &custom_toml());
    assert_eq!(code, 1, "{err}");
    let found = custom_findings(&doc);
    assert_eq!(
        found,
        vec![
            // Statement 0 (an AWS principal without ExternalId); not 1 (a service) nor 2
            // (has its ExternalId).
            (
                "cross-account-needs-external-id".into(),
                "high".into(),
                "/Statement/0".into(),
                "an Allow for AWS principals must require sts:ExternalId".into()
            ),
            (
                "github-sub-no-wildcard".into(),
                "medium".into(),
                "/Statement/3/Condition/StringLike/token.actions.githubusercontent.com:sub".into(),
                "a GitHub subject must name one repository and ref, not a pattern".into()
            ),
        ]
    );
    // Every pointer resolves in the role's `after` (the same normal form the rules ran on).
    for f in doc["findings"].as_array().unwrap() {
        if let Some(p) = f["after_pointer"].as_str() {
            assert!(doc["roles"][0]["after"].pointer(p).is_some(), "{p}");
        }
    }
    // The rules that select nothing, or whose requirement always holds, say nothing.
    assert!(!found
        .iter()
        .any(|f| f.0 == "deny-needs-sid" || f.0 == "statements-have-actions"));
    // Fingerprints are per node.
    let fps: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let mut unique = fps.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), fps.len());
}

#[test]
fn a_rule_that_matches_nothing_passes() {
    let config = "[[custom]]\nid = \"no-deny\"\nseverity = \"critical\"\nmessage = \"m\"\nselect = \"$.Statement[?@.Effect == 'Deny']\"\nforbid = \"$\"\n\
                  [[custom]]\nid = \"nowhere\"\nseverity = \"critical\"\nmessage = \"m\"\nselect = \"$.NoSuchKey..Deep[3]\"\nrequire = \"$.x\"\n";
    let (code, doc, _) = compare_with("nothing", "base.json", "base.json", config);
    assert_eq!(code, 0);
    assert_eq!(rules_of(&doc), vec![]);
}

#[test]
fn the_severity_decides_the_gate_and_overrides_apply() {
    let only_github = "[[custom]]\nid = \"github-sub-no-wildcard\"\nseverity = \"medium\"\nmessage = \"m\"\n\
        select = \"$.Statement[*].Condition.StringLike['token.actions.githubusercontent.com:sub']\"\nforbid = \"$[?search(@, '[*?]')]\"\n";
    // Custom finding at medium alone does not block at the default `high`...
    let cfg = format!("[rules.principal-added]\nenabled = false\n{only_github}");
    let (code, doc, _) = compare_with("gate-medium", "empty.json", "custom-after.json", &cfg);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(custom_findings(&doc).len(), 1);
    // ...raised by `[rules.ID]`, it does.
    let cfg = format!(
        "[rules.principal-added]\nenabled = false\n[rules.github-sub-no-wildcard]\nseverity = \"critical\"\n{only_github}"
    );
    let (code, doc, _) = compare_with("gate-raised", "empty.json", "custom-after.json", &cfg);
    assert_eq!(code, 1);
    assert_eq!(custom_findings(&doc)[0].1, "critical");
    // And `enabled = false` drops it.
    let cfg = format!(
        "[rules.github-sub-no-wildcard]\nenabled = false\n{}",
        custom_toml()
    );
    let (_, doc, _) = compare_with("disabled", "empty.json", "custom-after.json", &cfg);
    assert!(!custom_findings(&doc)
        .iter()
        .any(|f| f.0 == "github-sub-no-wildcard"));
}

#[test]
fn an_ignore_suppresses_a_custom_finding() {
    let cfg = format!(
        "fail_on = \"medium\"\n[rules.principal-added]\nenabled = false\n\
         [[ignore]]\nrule = \"cross-account-needs-external-id\"\naddress = \"aws_iam_role.*\"\nreason = \"partner signs in with MFA\"\n\
         [[ignore]]\nrule = \"github-sub-no-wildcard\"\naddress = \"*\"\nreason = \"any branch may deploy to dev\"\n{}",
        custom_toml()
    );
    let (code, doc, _) = compare_with("ignored", "empty.json", "custom-after.json", &cfg);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["suppressed"], 2);
    let ignored = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "cross-account-needs-external-id")
        .unwrap();
    assert_eq!(ignored["suppressed"]["reason"], "partner signs in with MFA");
}

#[test]
fn custom_findings_show_in_the_table() {
    let (code, out) = compare_table("table", "empty.json", "custom-after.json", &custom_toml());
    assert_eq!(code, 1);
    assert!(out.contains("cross-account-needs-external-id"), "{out}");
    assert!(out.contains("github-sub-no-wildcard"), "{out}");
    assert!(out.contains("2 high, 1 medium"), "{out}");
}

#[test]
fn an_unchanged_offence_is_not_reported_again_except_with_all() {
    let cfg = config_file("unchanged", &custom_toml());
    let (before, after) = (
        td("config/custom-after.json"),
        td("config/custom-after.json"),
    );
    let (code, doc, _) = json_run(&["compare", &before, &after, "--config", &cfg]);
    assert_eq!(code, 0);
    assert_eq!(custom_findings(&doc), vec![]);
    let (_, doc, _) = json_run(&["compare", &before, &after, "--config", &cfg, "--all"]);
    assert_eq!(custom_findings(&doc).len(), 2);
    // A new offending statement is reported; the old ones are not.
    let (_, doc, _) = json_run(&[
        "compare",
        &td("config/base.json"),
        &td("config/partner-a.json"),
        "--config",
        &cfg,
    ]);
    assert_eq!(custom_findings(&doc).len(), 1, "{doc}");
    let (_, doc, _) = json_run(&[
        "compare",
        &td("config/partner-a.json"),
        &td("config/partner-b.json"),
        "--config",
        &cfg,
    ]);
    assert_eq!(
        custom_findings(&doc).len(),
        1,
        "a changed statement is a new node: {doc}"
    );
}

#[test]
fn custom_rules_run_on_created_roles_in_plans() {
    let cfg = config_file("plan", &custom_toml());
    let (_, doc, _) = json_run(&[
        "check",
        &td("plans/rule-cross-account-no-guard.json"),
        "--config",
        &cfg,
    ]);
    let found = custom_findings(&doc);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "cross-account-needs-external-id");
    assert_eq!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "cross-account-needs-external-id")
            .unwrap()["address"],
        "aws_iam_role.grafana"
    );
}

fn rule(fields: &str) -> String {
    format!("[[custom]]\n{fields}\n")
}

const OK: &str =
    "severity = \"high\"\nmessage = \"m\"\nselect = \"$.Statement[*]\"\nrequire = \"$.Sid\"";

#[test]
fn invalid_jsonpath_is_refused_naming_the_rule() {
    for (field, expr) in [
        ("select", "$.Statement["),
        ("select", "Statement[*]"),
        ("require", "$.a[?@.b ==]"),
        ("forbid", "$$"),
    ] {
        let mut fields = String::from(
            "id = \"broken\"\nseverity = \"high\"\nmessage = \"m\"\nselect = \"$.Statement[*]\"\n",
        );
        if field == "select" {
            fields = fields.replace("$.Statement[*]", expr);
            fields.push_str("require = \"$.Sid\"\n");
        } else {
            fields.push_str(&format!("{field} = \"{expr}\"\n"));
        }
        refused(
            &rule(&fields),
            &format!("custom[0].{field}"),
            &format!("rule `broken`: invalid JSONPath `{expr}`: "),
        );
    }
    // End to end: exit 2, one line.
    let cfg = config_file(
        "invalid",
        &rule(&format!(
            "id = \"broken\"\n{}",
            OK.replace("$.Sid", "$.Sid[")
        )),
    );
    let (code, out, err) = run(&[
        "compare",
        &td("config/base.json"),
        &td("config/base.json"),
        "--config",
        &cfg,
    ]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err.lines().count(), 1);
    assert!(
        err.contains("custom[0].require: rule `broken`: invalid JSONPath `$.Sid[`"),
        "{err}"
    );
}

#[test]
fn custom_rule_wrong_forms_are_refused() {
    refused(
        &rule(&format!("id = \"public-trust\"\n{OK}")),
        "custom[0].id",
        "`public-trust` is a built-in rule",
    );
    refused(
        &(rule(&format!("id = \"twice\"\n{OK}")) + &rule(&format!("id = \"twice\"\n{OK}"))),
        "custom[1].id",
        "`twice` is defined twice",
    );
    refused(
        &rule(&format!("id = \"No_Kebab\"\n{OK}")),
        "custom[0].id",
        "expected kebab-case",
    );
    refused(
        &rule(&format!(
            "id = \"x\"\n{}",
            OK.replace("require = \"$.Sid\"", "")
        )),
        "custom[0]",
        "rule `x`: needs `require` or `forbid`",
    );
    refused(
        &rule(&format!(
            "id = \"x\"\n{}",
            OK.replace("\"high\"", "\"urgent\"")
        )),
        "custom[0].severity",
        "rule `x`: unknown severity `urgent`",
    );
    refused(
        &rule(&format!(
            "id = \"x\"\n{}",
            OK.replace("message = \"m\"", "message = \"\"")
        )),
        "custom[0].message",
        "must not be empty",
    );
    refused(
        &rule(&format!(
            "id = \"x\"\n{}",
            OK.replace("message = \"m\"", "")
        )),
        "custom[0].message",
        "missing",
    );
    refused(
        &rule(&format!("id = \"x\"\n{OK}\nwhere = \"$\"")),
        "custom[0].where",
        "unknown key",
    );
    refused(
        &rule(&format!(
            "id = \"x\"\n{}",
            OK.replace("require = \"$.Sid\"", "require = [\"$.Sid\"]")
        )),
        "custom[0].require",
        "expected a string",
    );
}

#[test]
fn rules_and_explain_show_custom_rules_from_the_configuration() {
    let config = crate::common::testdata("config/custom.toml");
    let config = config.to_string_lossy();
    let text = std::fs::read_to_string(crate::common::testdata("config/custom.toml")).unwrap();
    let doc: toml::Value = toml::from_str(&text).unwrap();
    let first = &doc["custom"][0];
    let id = first["id"].as_str().unwrap();
    let message = first["message"].as_str().unwrap();

    let (code, out, _) = run(&["rules", "--config", &config]);
    assert_eq!(code, 0);
    let line = out.lines().find(|l| l.starts_with(id)).unwrap();
    assert!(
        line.ends_with("(custom)") && line.contains(message),
        "{line}"
    );
    // Without the configuration only the built-in rules are listed.
    let (_, out, _) = run(&["rules", "--no-config"]);
    assert!(!out.contains(id), "{out}");

    let (code, out, err) = run(&["explain", id, "--config", &config]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(&format!("## {id}\n")), "{out}");
    assert!(out.contains(message), "{out}");
}
