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

/// The JSON report of a plan fixture under the default flags.
fn json_of(file: &str) -> (i32, Value) {
    let path = common::testdata(&format!("plans/{file}"));
    let (code, out, err) = run(&["check", &path.to_string_lossy(), "--format", "json"]);
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{file}: {e}: {err}"));
    (code, doc)
}

/// Each source of the own account is named in the report: written from the fixtures (each
/// tells account 444455556666 one way, make_whole_plan_scenarios.py).
#[test]
fn whole_plan_own_account_names_its_source() {
    for (file, source) in [
        ("own-account-caller-identity.json", "caller-identity"),
        ("own-account-provider-resources.json", "provider-resources"),
        ("own-account-assume-role.json", "provider-assume-role"),
        (
            "own-account-allowed-ids.json",
            "provider-allowed-account-ids",
        ),
    ] {
        let (_, doc) = json_of(file);
        let r = common::role(&doc, "aws_iam_role.grafana");
        assert_eq!(r["own_account"], "444455556666", "{file}");
        assert_eq!(r["own_account_source"], source, "{file}");
    }
    let (_, doc) = json_of("own-account-unknown.json");
    assert_eq!(
        common::role(&doc, "aws_iam_role.grafana")["own_account"],
        Value::Null
    );
    let message = doc["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("trustgate.toml"), "{message}");
    // The table says where an inferred account came from.
    let path = common::testdata("plans/own-account-assume-role.json");
    let (_, table, _) = run(&["check", &path.to_string_lossy()]);
    assert!(
        table.contains("own account 444455556666") && table.contains("(from provider-assume-role)"),
        "{table}"
    );
}

/// Two provider aliases in two accounts: each role takes its own provider's account, so the
/// same trust (account 777788889999's root) is same-account for one and foreign for the other.
#[test]
fn whole_plan_provider_aliases_keep_their_accounts_apart() {
    let (code, doc) = json_of("own-account-provider-aliases.json");
    assert_eq!(code, 1);
    assert_eq!(
        common::role(&doc, "aws_iam_role.grafana")["own_account"],
        "444455556666"
    );
    assert_eq!(
        common::role(&doc, "aws_iam_role.prod_reader")["own_account"],
        "777788889999"
    );
    let flagged: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["address"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["aws_iam_role.grafana"]);
}

/// A renamed role names the address it came from, and its findings are regressions against
/// that role's trust (so a narrowing raises nothing a new role would).
#[test]
fn whole_plan_renamed_roles_are_paired() {
    for (file, old, new, verdict) in [
        (
            "renamed-widened.json",
            "aws_iam_role.grafana",
            "aws_iam_role.observability",
            "widened",
        ),
        (
            "renamed-narrowed.json",
            "aws_iam_role.grafana",
            "aws_iam_role.observability",
            "narrowed",
        ),
        (
            "renamed-equivalent.json",
            "aws_iam_role.grafana",
            "aws_iam_role.observability",
            "unchanged",
        ),
        (
            "renamed-for-each-rekey.json",
            "aws_iam_role.partner[\"acme\"]",
            "aws_iam_role.partner[\"acme-corp\"]",
            "widened",
        ),
        (
            "renamed-name-prefix.json",
            "aws_iam_role.grafana",
            "aws_iam_role.observability",
            "widened",
        ),
    ] {
        let (_, doc) = json_of(file);
        let created = common::role(&doc, new);
        assert_eq!(created["paired_with"], old, "{file}");
        // One role, one account: the old ARN's account unless the plan told another.
        assert_eq!(created["own_account"], "444455556666", "{file}");
        assert_eq!(created["verdict"], verdict, "{file}");
        assert_eq!(common::role(&doc, old)["verdict"], "deleted", "{file}");
        let replaced = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "role-replaced")
            .unwrap();
        let message = replaced["message"].as_str().unwrap();
        assert!(message.contains(old) && message.contains(new), "{message}");
    }
}

/// A renamed role takes the old role's ARN account: a principal of that account is
/// same-account (medium, not blocking).
#[test]
fn whole_plan_renamed_role_keeps_its_account() {
    let (code, doc) = json_of("renamed-widened-same-account.json");
    assert_eq!(code, 0);
    let created = common::role(&doc, "aws_iam_role.observability");
    assert_eq!(created["own_account_source"], "renamed-role-arn");
    let added = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "principal-added")
        .unwrap();
    assert_eq!(added["severity"], "medium");
}

/// An imported public role is judged like a created one, and marked imported.
#[test]
fn whole_plan_import_is_judged_and_marked() {
    let (code, doc) = json_of("import-public.json");
    assert_eq!(code, 1);
    assert_eq!(common::role(&doc, "aws_iam_role.grafana")["imported"], true);
    assert_eq!(doc["findings"][0]["severity"], "critical");
    // Roles not imported carry no such key.
    let (_, doc) = json_of("update_trust.json");
    assert!(common::role(&doc, "aws_iam_role.grafana")
        .get("imported")
        .is_none());
}

/// Drift kept under an always-true condition (any session name) still blocks; the witness
/// shown is one the plan's trust grants, so it carries that condition's key.
#[test]
fn whole_plan_drift_kept_under_a_trivial_condition() {
    let (code, doc) = json_of("drift-kept-trivial-condition.json");
    assert_eq!(code, 1);
    let finding = &doc["findings"][0];
    assert_eq!(finding["rule"], "trust-drifted");
    assert_eq!(finding["severity"], "high");
    assert!(
        finding["message"].as_str().unwrap().contains("keeps it"),
        "{finding}"
    );
    assert!(
        finding["witness"]["context"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.eq_ignore_ascii_case("sts:RoleSessionName")),
        "{finding}"
    );
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
