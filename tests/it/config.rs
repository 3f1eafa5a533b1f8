//! `trustgate.toml`: every key accepted, applied and, in its wrong forms, refused with one line
//! naming the file, the key and what was expected; discovery, `--config`, `--no-config`, flags
//! over the file, and `trustgate init`.

use crate::cli::run;
use crate::common;
use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

/// `testdata/<rel>` as a string argument.
pub fn td(rel: &str) -> String {
    common::testdata(rel).to_string_lossy().into_owned()
}

/// A fresh directory for one test (tests run in parallel).
pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trustgate-config-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Write `text` as a config file for one test and return its path.
pub fn config_file(test: &str, text: &str) -> String {
    let path = scratch(test).join("trustgate.toml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Run in process with `--format json`; returns (exit code, document, stderr).
pub fn json_run(args: &[&str]) -> (i32, Value, String) {
    let mut argv = args.to_vec();
    argv.extend(["--format", "json"]);
    let (code, out, err) = run(&argv);
    let doc = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, doc, err)
}

/// `compare BEFORE AFTER` (testdata/config/) with a config written from `config`.
pub fn compare_with(test: &str, before: &str, after: &str, config: &str) -> (i32, Value, String) {
    let cfg = config_file(test, config);
    json_run(&[
        "compare",
        &td(&format!("config/{before}")),
        &td(&format!("config/{after}")),
        "--config",
        &cfg,
    ])
}

/// `compare` with a configuration, default (table) output: (exit code, stdout).
pub fn compare_table(test: &str, before: &str, after: &str, config: &str) -> (i32, String) {
    let cfg = config_file(test, config);
    let (code, out, _) = run(&[
        "compare",
        &td(&format!("config/{before}")),
        &td(&format!("config/{after}")),
        "--config",
        &cfg,
    ]);
    (code, out)
}

/// The built binary, optionally in `dir` (where it looks for `trustgate.toml`) and with
/// today's date pinned; the environment's date override is removed otherwise.
pub fn binary(
    dir: Option<&std::path::Path>,
    today: Option<&str>,
    args: &[&str],
) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("trustgate").unwrap();
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    match today {
        Some(day) => cmd.env(trustgate::config::TODAY_ENV, day),
        None => cmd.env_remove(trustgate::config::TODAY_ENV),
    };
    let output = cmd.args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// (rule, severity) of every finding, in report order.
pub fn rules_of(doc: &Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The text is refused with one line `trustgate.toml: KEY: ...` that contains `phrase`.
#[track_caller]
pub fn refused(text: &str, key: &str, phrase: &str) {
    let err = trustgate::config::parse(text, "trustgate.toml")
        .err()
        .unwrap_or_else(|| panic!("accepted:\n{text}"));
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "one line expected: {msg}");
    let prefix = format!("trustgate.toml: {key}: ");
    assert!(msg.starts_with(&prefix), "should name `{key}`: {msg}");
    assert!(msg.contains(phrase), "should say `{phrase}`: {msg}");
    assert!(
        !msg.contains("Raw") && !msg.contains("struct"),
        "no Rust names: {msg}"
    );
}

#[test]
fn every_key_with_a_valid_value_is_accepted() {
    let text = std::fs::read_to_string(common::testdata("config/full.toml")).unwrap();
    let c = trustgate::config::parse(&text, "full.toml").unwrap();
    assert_eq!(
        c.fail_on,
        Some(trustgate::gate::FailOn::Severity(
            trustgate::finding::Severity::Medium
        ))
    );
    assert_eq!(c.unknown, Some(trustgate::rules::UnknownMode::Fail));
    assert_eq!(c.accounts.own, ["111111111111"]);
    assert_eq!(c.accounts.trusted, ["222222222222", "333333333333"]);
    assert_eq!(c.accounts.trusted_orgs, ["o-aaaaaaaaaa"]);
    assert!(!c.rules["service-no-source-guard"].enabled);
    assert_eq!(
        c.rules["condition-value-changed"].severity,
        Some(trustgate::finding::Severity::High)
    );
    assert!(
        c.rules["no-star-principal"].enabled,
        "custom ids take overrides"
    );
    assert_eq!(c.ignores.len(), 2);
    assert_eq!(
        c.ignores[0].fingerprint.as_deref(),
        Some("0123456789abcdef")
    );
    assert_eq!(
        c.ignores[1].expires.map(|d| d.to_string()).as_deref(),
        Some("2999-06-30"),
        "a TOML date works as well as a string"
    );
    assert_eq!(c.custom.len(), 1);
    assert_eq!(c.custom[0].meta.id, "no-star-principal");
}

#[test]
fn an_empty_file_changes_nothing() {
    let (code, doc, _) = compare_with("empty", "base.json", "partner-a.json", "");
    assert_eq!(code, 1);
    assert_eq!(rules_of(&doc), pairs(&[("principal-added", "high")]));
}

#[test]
fn fail_on_is_applied_and_the_flag_overrides_it() {
    let cfg = config_file("fail-on", "fail_on = \"critical\"\n");
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "compare".to_string(),
            td("config/base.json"),
            td("config/partner-a.json"),
            "--config".into(),
            cfg.clone(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run_args = |a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        json_run(&refs)
    };
    // A high finding under a critical threshold passes...
    let (code, doc, _) = run_args(args(&[]));
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["exit_code"], 0);
    // ...and `--fail-on` on the command line wins over the file.
    let (code, _, _) = run_args(args(&["--fail-on", "high"]));
    assert_eq!(code, 1);
    let (code, _, _) = compare_with(
        "fail-on-never",
        "base.json",
        "partner-a.json",
        "fail_on = \"never\"\n",
    );
    assert_eq!(code, 0);
}

#[test]
fn fail_on_wrong_forms_are_refused() {
    refused(
        "fail_on = \"severe\"",
        "fail_on",
        "unknown threshold `severe` (expected critical, high, medium, low, info or never)",
    );
    refused("fail_on = 5", "fail_on", "expected a string");
    // Severities are case-insensitive: `HIGH` from a CI variable means `high`.
    let config = trustgate::config::parse("fail_on = \"High\"", "trustgate.toml").unwrap();
    assert_eq!(
        config.fail_on,
        Some(trustgate::gate::FailOn::Severity(
            trustgate::finding::Severity::High
        ))
    );
}

#[test]
fn unknown_is_applied_and_the_flag_overrides_it() {
    let plan = td("plans/after_unknown_bare.json");
    let check = |test: &str, config: &str, extra: &[&str]| {
        let cfg = config_file(test, config);
        let mut a = vec!["check", plan.as_str(), "--config", cfg.as_str()];
        a.extend_from_slice(extra);
        json_run(&a)
    };
    let (_, doc, _) = check("unknown-default", "", &[]);
    assert_eq!(rules_of(&doc), pairs(&[("trust-policy-unknown", "medium")]));
    let (code, doc, _) = check("unknown-fail", "unknown = \"fail\"", &[]);
    assert_eq!(
        (code, rules_of(&doc)),
        (1, pairs(&[("trust-policy-unknown", "critical")]))
    );
    let (code, doc, _) = check("unknown-ignore", "unknown = \"ignore\"", &[]);
    assert_eq!((code, rules_of(&doc)), (0, vec![]));
    let (_, doc, _) = check("unknown-flag", "unknown = \"fail\"", &["--unknown", "warn"]);
    assert_eq!(rules_of(&doc), pairs(&[("trust-policy-unknown", "medium")]));
}

#[test]
fn unknown_wrong_forms_are_refused() {
    refused(
        "unknown = \"maybe\"",
        "unknown",
        "unknown mode `maybe` (expected fail, warn or ignore)",
    );
    refused("unknown = true", "unknown", "expected a string");
}

#[test]
fn trusted_accounts_are_not_external() {
    let (_, doc, _) = compare_with("trusted-none", "base.json", "partner-a.json", "");
    assert_eq!(rules_of(&doc), pairs(&[("principal-added", "high")]));
    let (code, doc, _) = compare_with(
        "trusted",
        "base.json",
        "partner-a.json",
        "[accounts]\ntrusted = [\"222222222222\"]\n",
    );
    assert_eq!(code, 0);
    assert_eq!(rules_of(&doc), pairs(&[("principal-added", "medium")]));
    let message = doc["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("trusted account"), "{message}");
}

#[test]
fn own_accounts_give_the_role_its_account() {
    // A created role trusting account 444455556666; nothing in the plan tells its own account.
    let plan = td("plans/own-account-unknown.json");
    let check = |test: &str, config: &str| {
        let cfg = config_file(test, config);
        json_run(&["check", &plan, "--config", &cfg])
    };
    // Unknown own account: fail closed (the account may be another's), and say how to name
    // the own account.
    let (code, doc, _) = check("own-none", "");
    assert_eq!(
        (code, rules_of(&doc)),
        (1, pairs(&[("cross-account-no-guard", "high")]))
    );
    let message = doc["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("trustgate.toml") && message.contains("own = ["),
        "{message}"
    );
    assert_eq!(doc["roles"][0]["own_account"], serde_json::Value::Null);
    // The role lives in that account: same-account trust, no finding; the JSON says where
    // the account came from.
    let (code, doc, _) = check("own-same", "[accounts]\nown = [\"444455556666\"]\n");
    assert_eq!((code, rules_of(&doc)), (0, vec![]));
    assert_eq!(doc["roles"][0]["own_account"], "444455556666");
    assert_eq!(doc["roles"][0]["own_account_source"], "config");
    // The role lives elsewhere: a real cross-account trust, at full severity.
    let (code, doc, _) = check("own-other", "[accounts]\nown = [\"111122223333\"]\n");
    assert_eq!(
        (code, rules_of(&doc)),
        (1, pairs(&[("cross-account-no-guard", "high")]))
    );
    // Every own account counts as ours, not only the role's.
    let (_, doc, _) = check(
        "own-second",
        "[accounts]\nown = [\"111122223333\", \"444455556666\"]\n",
    );
    assert_eq!(rules_of(&doc), vec![]);
}

/// What the plan tells wins over `[accounts] own`: the configuration names the account only
/// when the plan does not.
#[test]
fn the_plans_own_account_comes_before_the_configured_one() {
    let plan = td("plans/own-account-caller-identity.json");
    let cfg = config_file("own-plan-first", "[accounts]\nown = [\"111122223333\"]\n");
    let (code, doc, _) = json_run(&["check", &plan, "--config", &cfg]);
    assert_eq!((code, rules_of(&doc)), (0, vec![]));
    assert_eq!(doc["roles"][0]["own_account"], "444455556666");
    assert_eq!(doc["roles"][0]["own_account_source"], "caller-identity");
}

#[test]
fn accounts_wrong_forms_are_refused() {
    refused(
        "[accounts]\nown = [\"1111\"]",
        "accounts.own[0]",
        "`1111` is not an AWS account ID (expected 12 digits",
    );
    refused(
        "[accounts]\ntrusted = [\"111111111111\", \"22222222222a\"]",
        "accounts.trusted[1]",
        "expected 12 digits",
    );
    refused(
        "[accounts]\ntrusted = \"111111111111\"",
        "accounts.trusted",
        "expected an array",
    );
    refused(
        "[accounts]\ntrusted = [222222222222]",
        "accounts.trusted[0]",
        "expected a string",
    );
    refused(
        "[accounts]\ntrusted_orgs = [\"o-1\"]",
        "accounts.trusted_orgs[0]",
        "is not an AWS organization ID",
    );
    refused(
        "[accounts]\ntrusted_orgs = [\"org-aaaaaaaaaa\"]",
        "accounts.trusted_orgs[0]",
        "expected `o-`",
    );
    refused(
        "[accounts]\ntrusted_orgs = [\"o-AAAAAAAAAA\"]",
        "accounts.trusted_orgs[0]",
        "lowercase",
    );
    refused(
        "[accounts]\nowned = []",
        "accounts.owned",
        "unknown key (expected one of `own`, `trusted`, `trusted_orgs`)",
    );
    refused("accounts = 3", "accounts", "expected a table");
}

#[test]
fn trusted_orgs_make_org_members_trusted() {
    // `*` limited to an organization loses its source-IP condition: widened for the org's
    // members. Unconfigured, the witness is an account nobody named: critical.
    let (_, doc, _) = compare_with("org-none", "org-before.json", "org-after.json", "");
    assert_eq!(rules_of(&doc), pairs(&[("trust-widened", "critical")]));
    let (_, doc, _) = compare_with(
        "org-trusted",
        "org-before.json",
        "org-after.json",
        "[accounts]\ntrusted_orgs = [\"o-aaaaaaaaaa\"]\n",
    );
    assert_eq!(rules_of(&doc), pairs(&[("trust-widened", "high")]));
    let (_, doc, _) = compare_with(
        "org-other",
        "org-before.json",
        "org-after.json",
        "[accounts]\ntrusted_orgs = [\"o-bbbbbbbbbb\"]\n",
    );
    assert_eq!(rules_of(&doc), pairs(&[("trust-widened", "critical")]));
}

#[test]
fn rules_enabled_false_drops_the_rule() {
    let plan = td("plans/count_index.json");
    let (_, doc, _) = json_run(&["check", &plan, "--no-config"]);
    assert_eq!(
        rules_of(&doc),
        pairs(&[
            ("service-no-source-guard", "low"),
            ("service-no-source-guard", "low")
        ])
    );
    let cfg = config_file(
        "disabled",
        "[rules.service-no-source-guard]\nenabled = false\n",
    );
    let (_, doc, _) = json_run(&["check", &plan, "--config", &cfg]);
    assert_eq!(rules_of(&doc), vec![]);
    assert_eq!(doc["summary"]["suppressed"], 0, "dropped, not suppressed");
    let cfg = config_file(
        "enabled",
        "[rules.service-no-source-guard]\nenabled = true\n",
    );
    let (_, doc, _) = json_run(&["check", &plan, "--config", &cfg]);
    assert_eq!(rules_of(&doc).len(), 2);
}

#[test]
fn rules_severity_overrides_default_and_computed_severities() {
    let plan = td("plans/count_index.json");
    let cfg = config_file(
        "severity",
        "[rules.service-no-source-guard]\nseverity = \"high\"\n",
    );
    let (code, doc, _) = json_run(&["check", &plan, "--config", &cfg]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_of(&doc),
        pairs(&[
            ("service-no-source-guard", "high"),
            ("service-no-source-guard", "high")
        ])
    );
    // principal-added computes its severity from the principal (high here); the override wins.
    let (code, doc, _) = compare_with(
        "severity-computed",
        "base.json",
        "partner-a.json",
        "[rules.principal-added]\nseverity = \"info\"\n",
    );
    assert_eq!(
        (code, rules_of(&doc)),
        (0, pairs(&[("principal-added", "info")]))
    );
}

#[test]
fn rules_wrong_forms_are_refused() {
    refused(
        "[rules.public-trust]\nseverity = \"severe\"",
        "rules.public-trust.severity",
        "unknown severity `severe` (expected critical, high, medium, low or info)",
    );
    refused(
        "[rules.publc-trust]\nenabled = false",
        "rules.publc-trust",
        "unknown rule `publc-trust`",
    );
    refused(
        "[rules.public-trust]\nenabled = \"no\"",
        "rules.public-trust.enabled",
        "expected a boolean",
    );
    refused(
        "[rules.public-trust]\nenabld = false",
        "rules.public-trust.enabld",
        "unknown key (expected `enabled` or `severity`)",
    );
    refused(
        "[rules]\npublic-trust = false",
        "rules.public-trust",
        "expected a table",
    );
}

#[test]
fn unknown_keys_and_bad_toml_are_refused() {
    refused("fial_on = \"high\"", "fial_on", "unknown key (expected one of `fail_on`, `unknown`, `accounts`, `rules`, `ignore`, `custom`)");
    let err = trustgate::config::parse("fail_on = \"high", "trustgate.toml").unwrap_err();
    assert!(
        err.0.starts_with("trustgate.toml: line 1, column "),
        "{err}"
    );
    assert!(err.0.contains("invalid TOML"), "{err}");
    assert!(!err.0.contains('\n'));
}

#[test]
fn a_bad_config_exits_2_with_one_line_before_reading_any_plan() {
    let cfg = config_file("bad-cli", "[rules.public-trust]\nseverity = \"severe\"\n");
    let (code, out, err) = run(&["check", "/nonexistent/plan.json", "--config", &cfg]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{cfg}: rules.public-trust.severity: unknown severity `severe`"
        )),
        "{err}"
    );
    let (code, _, err) = run(&[
        "check",
        &td("plans/demo.json"),
        "--config",
        "/nonexistent/trustgate.toml",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/trustgate.toml: cannot read"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "check",
        &td("plans/demo.json"),
        "--config",
        &cfg,
        "--no-config",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_working_directory_file_is_found_and_no_config_skips_it() {
    let dir = scratch("discovery");
    let demo = td("plans/demo.json");
    // No file: the demo's high finding blocks.
    assert_eq!(binary(Some(&dir), None, &["check", &demo]).0, 1);
    std::fs::write(dir.join("trustgate.toml"), "fail_on = \"never\"\n").unwrap();
    assert_eq!(binary(Some(&dir), None, &["check", &demo]).0, 0);
    assert_eq!(
        binary(Some(&dir), None, &["check", &demo, "--no-config"]).0,
        1
    );
    std::fs::write(dir.join("trustgate.toml"), "fail_on = \"sometimes\"\n").unwrap();
    let (code, _, err) = binary(Some(&dir), None, &["check", &demo]);
    assert_eq!(code, 2);
    assert!(
        err.contains("trustgate.toml: fail_on: unknown threshold `sometimes`"),
        "{err}"
    );
    assert_eq!(
        binary(Some(&dir), None, &["check", &demo, "--no-config"]).0,
        1
    );
}

#[test]
fn init_writes_a_starter_and_never_overwrites_without_force() {
    let dir = scratch("init");
    let (code, out, err) = binary(Some(&dir), None, &["init"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote trustgate.toml"), "{out}");
    let path = dir.join("trustgate.toml");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        trustgate::config::STARTER
    );
    trustgate::config::read(&path, "trustgate.toml").unwrap();
    // The starter is a working config: the demo blocks exactly as without one.
    assert_eq!(
        binary(Some(&dir), None, &["check", &td("plans/demo.json")]).0,
        1
    );

    std::fs::write(&path, "fail_on = \"never\"\n").unwrap();
    let (code, _, err) = binary(Some(&dir), None, &["init"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("trustgate.toml: already exists; pass --force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "fail_on = \"never\"\n"
    );
    assert_eq!(binary(Some(&dir), None, &["init", "--force"]).0, 0);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        trustgate::config::STARTER
    );
}

/// The starter with its `# ` example lines uncommented (`## ` lines are prose).
fn starter_uncommented() -> String {
    trustgate::config::STARTER
        .lines()
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_starter_parses_with_and_without_its_examples() {
    let plain = trustgate::config::parse(trustgate::config::STARTER, "starter").unwrap();
    assert!(plain.ignores.is_empty() && plain.custom.is_empty() && plain.rules.is_empty());
    // Uncommented, the examples override the empty defaults above them; TOML refuses a key
    // given twice, so drop the empty ones first.
    let examples: String = starter_uncommented()
        .lines()
        .filter(|l| !l.ends_with("= []"))
        .collect::<Vec<_>>()
        .join("\n");
    let full = trustgate::config::parse(&examples, "starter").unwrap();
    assert_eq!(full.ignores.len(), 1);
    assert_eq!(full.custom.len(), 1);
    assert_eq!(full.rules.len(), 2);
    assert_eq!(full.accounts.trusted_orgs.len(), 1);
}

#[test]
fn every_starter_key_is_documented_in_the_readme() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let start = readme
        .find("## Configuration")
        .expect("a Configuration section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut keys = Vec::new();
    for line in starter_uncommented().lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if line.starts_with("[[") {
            keys.push(line.to_string());
        } else if line.starts_with('[') {
            // `[rules.some-id]` is documented as `[rules.ID]`.
            keys.push(if line.starts_with("[rules.") {
                "[rules.ID]".into()
            } else {
                line.to_string()
            });
        } else if let Some((key, _)) = line.split_once('=') {
            keys.push(key.trim().to_string());
        }
    }
    keys.sort();
    keys.dedup();
    assert!(keys.len() >= 20, "{keys:?}");
    let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("| `")).collect();
    for key in keys {
        let first_cell = |row: &&str| {
            row.split(" | ")
                .next()
                .is_some_and(|c| c.contains(&format!("`{key}`")))
        };
        assert!(
            rows.iter().any(first_cell),
            "README's Configuration table does not document `{key}`"
        );
    }
}
