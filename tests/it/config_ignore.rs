//! `[[ignore]]`: a suppressed finding stays visible and counted but never fails the gate; the
//! address glob reaches module paths and indexes; an expired ignore stops applying and says so;
//! a fingerprint pins an ignore to one exact change; an ignore that matched nothing is reported.

use crate::cli::run;
use crate::config::{
    binary, compare_table, compare_with, config_file, json_run, refused, rules_of, td,
};
use serde_json::Value;

fn ignore(rule: &str, address: &str, extra: &str) -> String {
    format!(
        "[[ignore]]\nrule = \"{rule}\"\naddress = '{address}'\nreason = \"accepted in SEC-42\"\n{extra}"
    )
}

fn suppressed(doc: &Value) -> Vec<&Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["suppressed"])
        .collect()
}

fn notes(doc: &Value) -> Vec<String> {
    doc["notes"]
        .as_array()
        .map(|n| n.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn a_suppressed_finding_stays_counted_and_never_fails() {
    // Even at the lowest threshold.
    let config = String::from("fail_on = \"info\"\n")
        + &ignore(
            "principal-added",
            "aws_iam_role.compared",
            "expires = \"2999-12-31\"\n",
        );
    let (code, doc, err) = compare_with("suppressed", "base.json", "partner-a.json", &config);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rules_of(&doc).len(), 1, "the finding stays in the report");
    assert_eq!(
        doc["findings"][0]["suppressed"],
        serde_json::json!({"reason": "accepted in SEC-42", "expires": "2999-12-31"})
    );
    assert_eq!(doc["summary"]["suppressed"], 1);
    assert_eq!(doc["summary"]["exit_code"], 0);

    // The table shows it, with its reason, and counts it.
    let (code, out) = compare_table("suppressed-table", "base.json", "partner-a.json", &config);
    assert_eq!(code, 0);
    assert!(out.contains("principal-added"), "{out}");
    assert!(out.contains("(suppressed: accepted in SEC-42)"), "{out}");
    assert!(out.contains("1 suppressed"), "{out}");
    assert!(!out.to_lowercase().contains("fail"), "{out}");
}

#[test]
fn without_expiry_the_ignore_is_permanent() {
    let (code, doc, _) = compare_with(
        "no-expiry",
        "base.json",
        "partner-a.json",
        &ignore("principal-added", "*", ""),
    );
    assert_eq!(code, 0);
    assert_eq!(
        doc["findings"][0]["suppressed"],
        serde_json::json!({"reason": "accepted in SEC-42", "expires": null})
    );
}

#[test]
fn the_address_glob_reaches_module_paths_and_indexes() {
    // Two findings: module.poc["team-a"].aws_iam_role.r1["p1"] and
    // module.poc["team-b"].module.inner.aws_iam_role.r6["p2"].
    let plan = td("plans/modules_for_each.json");
    let cases: &[(&str, [bool; 2])] = &[
        (r#"module.poc["team-a"].*"#, [true, false]),
        (r#"module.poc["team-?"].*"#, [true, true]),
        (r#"module.poc["*"].aws_iam_role.r1["p1"]"#, [true, false]),
        (r#"*.aws_iam_role.r6["p2"]"#, [false, true]),
        (r#"*["p?"]"#, [true, true]),
        ("*", [true, true]),
        (r#"module.poc["team-a"].aws_iam_role.r1"#, [false, false]),
        ("aws_iam_role.*", [false, false]),
    ];
    for (i, (glob, expect)) in cases.iter().enumerate() {
        let cfg = config_file(
            &format!("glob-{i}"),
            &ignore("service-no-source-guard", glob, ""),
        );
        let (_, doc, _) = json_run(&["check", &plan, "--config", &cfg]);
        let got: Vec<bool> = suppressed(&doc).iter().map(|s| !s.is_null()).collect();
        assert_eq!(got, expect, "glob {glob}");
    }
}

#[test]
fn an_ignore_needs_the_same_rule() {
    let (code, doc, _) = compare_with(
        "other-rule",
        "base.json",
        "partner-a.json",
        &ignore("trust-widened", "*", ""),
    );
    assert_eq!(code, 1);
    assert!(suppressed(&doc)[0].is_null());
}

#[test]
fn an_expired_ignore_stops_applying_and_is_reported() {
    let config = ignore("principal-added", "*", "expires = \"2000-01-01\"\n");
    let cfg = config_file("expired", &config);
    let args = [
        "compare",
        &td("config/base.json"),
        &td("config/partner-a.json"),
        "--config",
        &cfg,
    ];
    let (code, out, _) = run(&args);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("note: ignore[0] (rule `principal-added`, address `*`) expired on 2000-01-01 and no longer applies (the 1 finding it matches counts again)"),
        "{out}"
    );
    let (_, doc, _) = json_run(&args);
    assert!(suppressed(&doc)[0].is_null());
    assert_eq!(doc["summary"]["suppressed"], 0);
}

#[test]
fn an_ignore_applies_through_its_expiry_day_and_not_after() {
    let cfg = config_file(
        "expiry-day",
        &ignore("principal-added", "*", "expires = 2026-01-31\n"),
    );
    let (before, after) = (td("config/base.json"), td("config/partner-a.json"));
    let args = ["compare", &before, &after, "--config", &cfg];
    let (code, out, _) = binary(None, Some("2026-01-31"), &args);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("expired"), "{out}");
    let (code, out, _) = binary(None, Some("2026-02-01"), &args);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("expired on 2026-01-31"), "{out}");
    let (code, _, err) = binary(None, Some("2026-02-30"), &args);
    assert_eq!(code, 2);
    assert!(
        err.contains("TRUSTGATE_TODAY: `2026-02-30` is not a day of the calendar"),
        "{err}"
    );
}

#[test]
fn a_fingerprint_pins_the_ignore_to_one_exact_change() {
    // Accept the change that adds account 222222222222, by its fingerprint.
    let (_, doc, _) = compare_with("fp-first", "base.json", "partner-a.json", "");
    let fingerprint = doc["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let config = ignore(
        "principal-added",
        "aws_iam_role.compared",
        &format!("fingerprint = \"{fingerprint}\"\n"),
    );
    let (code, doc, _) = compare_with("fp-pinned", "base.json", "partner-a.json", &config);
    assert_eq!(code, 0);
    assert!(!suppressed(&doc)[0].is_null());

    // The same role later widened differently (account 333333333333): same rule, same
    // address, a new change. The pinned ignore does not cover it.
    let (code, doc, _) = compare_with("fp-changed", "base.json", "partner-b.json", &config);
    assert_eq!(code, 1);
    assert_eq!(rules_of(&doc)[0].0, "principal-added");
    assert!(suppressed(&doc)[0].is_null());
    assert_ne!(doc["findings"][0]["fingerprint"], fingerprint.as_str());
    let cfg = config_file("fp-changed-table", &config);
    let (_, out, _) = run(&[
        "compare",
        &td("config/base.json"),
        &td("config/partner-b.json"),
        "--config",
        &cfg,
    ]);
    assert!(
        out.contains(&format!("note: ignore[0] (rule `principal-added`, address `aws_iam_role.compared`, fingerprint `{fingerprint}`) matched no finding")),
        "{out}"
    );
    // Without the fingerprint the same ignore covers both changes.
    let loose = ignore("principal-added", "aws_iam_role.compared", "");
    assert_eq!(
        compare_with("fp-loose", "base.json", "partner-b.json", &loose).0,
        0
    );
}

#[test]
fn an_ignore_that_matched_nothing_is_reported() {
    let config = ignore("principal-added", "aws_iam_role.compared", "")
        + &ignore("principal-added", "module.gone.*", "")
        + &ignore("public-trust", "*", "");
    let (code, out) = compare_table("unused", "base.json", "partner-a.json", &config);
    assert_eq!(code, 0);
    assert!(
        !out.contains("ignore[0]"),
        "the used one is not reported: {out}"
    );
    assert!(
        out.contains("note: ignore[1] (rule `principal-added`, address `module.gone.*`) matched no finding: remove it or correct it"),
        "{out}"
    );
    assert!(
        out.contains("note: ignore[2] (rule `public-trust`, address `*`) matched no finding"),
        "{out}"
    );
    // The JSON report carries the same notes.
    let (_, doc, _) = compare_with("unused-json", "base.json", "partner-a.json", &config);
    assert_eq!(notes(&doc).len(), 2, "{doc}");
}

#[test]
fn ignore_wrong_forms_are_refused() {
    let base = "[[ignore]]\nrule = \"trust-widened\"\naddress = \"*\"\n";
    refused(base, "ignore[0].reason", "missing: this key is required");
    refused(
        &format!("{base}reason = \"  \""),
        "ignore[0].reason",
        "must not be empty",
    );
    refused(
        "[[ignore]]\nrule = \"trust-widened\"\nreason = \"r\"",
        "ignore[0].address",
        "missing",
    );
    refused(
        "[[ignore]]\naddress = \"*\"\nreason = \"r\"",
        "ignore[0].rule",
        "missing",
    );
    refused(
        "[[ignore]]\nrule = \"trust-widend\"\naddress = \"*\"\nreason = \"r\"",
        "ignore[0].rule",
        "unknown rule `trust-widend`",
    );
    refused(
        "[[ignore]]\nrule = \"trust-widened\"\naddress = \"\"\nreason = \"r\"",
        "ignore[0].address",
        "must not be empty",
    );
    let r = format!("{base}reason = \"r\"\n");
    refused(
        &format!("{r}expires = \"2026-02-30\""),
        "ignore[0].expires",
        "`2026-02-30` is not a day of the calendar",
    );
    refused(
        &format!("{r}expires = \"next week\""),
        "ignore[0].expires",
        "expected YYYY-MM-DD",
    );
    refused(
        &format!("{r}expires = 20260101"),
        "ignore[0].expires",
        "expected a date `YYYY-MM-DD`",
    );
    refused(
        &format!("{r}expires = 2026-01-01T10:00:00"),
        "ignore[0].expires",
        "found datetime `2026-01-01T10:00:00`",
    );
    refused(
        &format!("{r}fingerprint = \"xyz\""),
        "ignore[0].fingerprint",
        "expected the 16 lowercase hex digits",
    );
    refused(
        &format!("{r}expiry = \"2026-01-01\""),
        "ignore[0].expiry",
        "unknown key (expected one of `rule`, `address`, `reason`, `expires`, `fingerprint`)",
    );
    refused(
        &format!("{r}[[ignore]]\nrule = 1"),
        "ignore[1].rule",
        "expected a string",
    );
    refused("[ignore]\nrule = \"x\"", "ignore", "expected an array");
}
