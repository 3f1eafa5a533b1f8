//! One test per bug that fuzzing or the robustness review found, named after what it broke;
//! crash inputs live under `testdata/fuzz-regressions/`.

use crate::cli::run;
use crate::common;
use trustgate::compare::{compare, CompareError, CompareOptions};
use trustgate::policy::{parse_policy, Policy};

fn tmp(name: &str, text: &str) -> String {
    // Tests run in parallel in one process: each call gets its own file, or one test's
    // `after.json` could be read by another.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("trustgate-regressions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{n}-{name}"));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const BASE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}"#;

/// `trustgate compare BASE AFTER`: exit code and output.
fn compare_cli(after: &str) -> (i32, String) {
    let before = tmp("before.json", BASE);
    let after = tmp("after.json", after);
    let (code, out, err) = run(&["compare", "--no-config", &before, &after]);
    (code, format!("{out}{err}"))
}

/// The operator parser sliced `ForAllValues:` off by byte length; a multi-byte character
/// across that boundary panicked. Found by review of the fuzz target's code paths.
#[test]
fn operator_prefix_splits_a_character() {
    let text = std::fs::read_to_string(common::testdata(
        "fuzz-regressions/operator-prefix-splits-a-character.json",
    ))
    .unwrap();
    let policy = parse_policy(&text).unwrap();
    assert_eq!(
        policy.statements[0].conditions[0].operator,
        trustgate::policy::Operator::Unknown
    );
    // An unknown operator is a construct IAM refuses: the gate fails.
    assert_eq!(compare_cli(&text).0, 1);
}

/// Beyond the parser's limits a policy is refused as a whole (critical), never half-read.
#[test]
fn policy_beyond_the_statement_limit_fails_the_gate() {
    let statement = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}"#;
    let after = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        vec![statement; trustgate::policy::limits::MAX_STATEMENTS + 1].join(",")
    );
    let (code, out) = compare_cli(&after);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("trust-policy-unparseable"), "{out}");
}

#[test]
fn policy_nested_beyond_the_depth_limit_fails_the_gate() {
    let deep = format!(
        r#"{{"Version":"2012-10-17","Statement":[],"Junk":{}1{}}}"#,
        "[".repeat(64),
        "]".repeat(64)
    );
    let (code, out) = compare_cli(&deep);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("trust-policy-unparseable"), "{out}");
}

#[test]
fn policy_with_an_oversized_string_fails_the_gate() {
    let long = "a".repeat(trustgate::policy::limits::MAX_STRING_BYTES + 1);
    let after = BASE.replace("sts:AssumeRole", &long);
    let (code, out) = compare_cli(&after);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("trust-policy-unparseable"), "{out}");
}

/// Duplicate-key detection scanned a list per member: quadratic in the member count. Four
/// thousand condition keys must parse in linear-logarithmic time (the harness timeout is the
/// bound; no timing assertion here).
#[test]
fn thousands_of_condition_keys_parse_without_quadratic_scans() {
    let keys: Vec<String> = (0..2000).map(|i| format!(r#""k{i}":"v""#)).collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"222222222222"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{{}}}}}}}]}}"#,
        keys.join(",")
    );
    let policy = parse_policy(&text).unwrap();
    assert_eq!(policy.statements[0].conditions.len(), 2000);
}

fn policy(text: &str) -> Policy {
    parse_policy(text).unwrap()
}

/// A pathological after policy — two thousand wildcard values, many keys, long patterns with
/// many `*` — must stop at a bound and say so, not explode. Fast: the atom bound is hit first.
#[test]
fn pathological_wildcards_are_incomplete_not_a_pass() {
    let values: Vec<String> = (0..2000).map(|i| format!(r#""*a{i}*b*c*""#)).collect();
    let long = format!("\"{}\"", "*x".repeat(2000));
    let keys: Vec<String> = (0..50)
        .map(|k| format!(r#""aws:PrincipalTag/k{k}":[{},{long}]"#, values.join(",")))
        .take(3)
        .collect();
    let after = policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"sts:AssumeRole","Condition":{{"StringLike":{{{}}}}}}}]}}"#,
        keys.join(",")
    ));
    let r = compare(&policy(BASE), &after, &CompareOptions::default());
    assert!(matches!(r, Err(CompareError::Incomplete { .. })), "{r:?}");
    // And through the CLI: `analysis-incomplete`, exit 1.
    let text = serde_json::to_string(&trustgate::policy::normal_form(&after)).unwrap();
    let (code, out) = compare_cli(&text);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("analysis-incomplete"), "{out}");
}

/// A drift record whose trust cannot be read was skipped: the drift check went silent.
#[test]
fn unreadable_drift_record_fails_closed() {
    let plan = format!(
        r#"{{"format_version":"1.2","resource_changes":[{{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{{"actions":["no-op"],"before":{{"assume_role_policy":{b}}},"after":{{"assume_role_policy":{b}}},"after_unknown":{{}}}}}}],
        "resource_drift":[{{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{{"actions":["update"],"before":{{"assume_role_policy":"{{not json"}},"after":{{"assume_role_policy":{b}}},"after_unknown":{{}}}}}}]}}"#,
        b = serde_json::to_string(BASE).unwrap()
    );
    let path = tmp("drift.json", &plan);
    let (code, out, err) = run(&["check", "--no-config", &path]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("analysis-incomplete"), "{out}");
}

/// The provider walk entered every list under `assume_role`, so lists nested without bound
/// there recursed without bound (found in review of the account-facts readers): a list's
/// own lists are now skipped, and such a plan reads like any other.
#[test]
fn nested_lists_under_a_providers_assume_role() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let plan = format!(
        r#"{{"format_version":"1.2","configuration":{{"provider_config":{{"aws":{{"expressions":{{"assume_role":{deep}}}}}}}}}}}"#
    );
    let path = tmp("deep-provider.json", &plan);
    let (code, _, err) = run(&["check", "--no-config", &path]);
    assert_eq!(code, 0, "{err}");
}

/// Every request allowed: nobody.
const DENY_ALL: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;

/// What is wrong with "`after` compared with `before` is a widening whose witnesses the
/// evaluator verifies and AWS could send, and the reverse comparison a narrowing".
fn widening_failures(label: &str, before: &str, after: &str) -> Vec<String> {
    use trustgate::compare::{granted, realism, Verdict};
    let (before, after) = (policy(before), policy(after));
    let mut failures = Vec::new();
    match compare(&before, &after, &CompareOptions::default()) {
        Ok(r) if r.verdict == Verdict::Widened && !r.witnesses.is_empty() => {
            for w in &r.witnesses {
                if !granted(&after, &w.request) || granted(&before, &w.request) {
                    failures.push(format!("{label}: witness does not verify: {w:?}"));
                }
                if let Err(e) = realism::check_for(&w.request, &[&before, &after]) {
                    failures.push(format!("{label}: unrealistic witness ({e}): {w:?}"));
                }
            }
        }
        other => failures.push(format!("{label}: not a widening: {other:?}")),
    }
    match compare(&after, &before, &CompareOptions::default()) {
        Ok(r) if r.verdict == Verdict::Narrowed && r.witnesses.is_empty() => {}
        other => failures.push(format!("{label}: reverse not a narrowing: {other:?}")),
    }
    failures
}

fn widening_from_deny_all_failures(label: &str, after: &str) -> Vec<String> {
    widening_failures(label, DENY_ALL, after)
}

/// Proptest seed beb30f09: a `ForAllValues:StringLike` Deny on `aws:TagKeys` is escaped only
/// by a tag-key set holding a key outside `t*` (no tags at all: the Deny holds vacuously). The
/// value search represented the cell outside `t*` by its shortest member, `""`, which no
/// tag key is, so it had no set to escape with and called the policy "unchanged".
#[test]
fn tag_keys_outside_a_for_all_values_deny_escape_it() {
    use trustgate::eval::{decide, evaluate, Caller, ContextValue, Decision, Request};
    let after = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/bob"},"Action":"sts:*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":["true"]}}},{"Effect":"Deny","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["t*"]}}}]}"#;
    let failures = widening_from_deny_all_failures("seed beb30f09", after);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The request the proptest found is one of them.
    let bob = "arn:aws:iam::111111111111:user/bob";
    let one = |s: &str| ContextValue::Single(s.into());
    let request = Request {
        role: "arn:aws:iam::111111111111:role/target".into(),
        action: "sts:AssumeRole".into(),
        also: vec!["sts:TagSession".into()],
        principal: Caller::Aws(bob.into()),
        caller_allows: false,
        context: [
            ("aws:PrincipalAccount", one("111111111111")),
            ("aws:PrincipalArn", one(bob)),
            (
                "aws:TagKeys",
                ContextValue::Multi(vec!["team".into(), "env".into()]),
            ),
            ("aws:username", one("bob")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    };
    let p = policy(after);
    assert_eq!(
        decide(&request, evaluate(&p, &request).trust),
        Decision::Allow
    );
}

/// The same family: wherever only a value outside every pattern (or unequal to every literal)
/// grants access, and AWS never sends that key empty — a set element of `aws:TagKeys` or
/// `sts:TransitiveTagKeys`, a SAML attribute sent as a list or as one value — the search must
/// still meet that value.
#[test]
fn values_outside_every_pattern_of_never_empty_keys_are_searched() {
    let bob = r#"{"AWS":"arn:aws:iam::111111111111:user/bob"}"#;
    let saml = r#"{"Federated":"arn:aws:iam::111111111111:saml-provider/corp"}"#;
    let allow = |principal: &str, action: &str, cond: &str| {
        format!(r#"{{"Effect":"Allow","Principal":{principal},"Action":"{action}"{cond}}}"#)
    };
    let deny = |principal: &str, action: &str, cond: &str| {
        format!(
            r#"{{"Effect":"Deny","Principal":{principal},"Action":"{action}","Condition":{cond}}}"#
        )
    };
    let doc = |stmts: &[String]| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            stmts.join(",")
        )
    };
    // Bob may do anything, unless anyone's request meets `cond`.
    let bob_unless = |cond: &str| {
        doc(&[
            allow(bob, "sts:*", ""),
            deny(r#"{"AWS":"*"}"#, "sts:AssumeRole", cond),
        ])
    };
    let cases = [
        (
            "ForAllValues:StringEquals Deny on aws:TagKeys",
            bob_unless(r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}"#),
        ),
        (
            "ForAnyValue:StringNotLike Allow on aws:TagKeys",
            doc(&[allow(
                bob,
                "sts:*",
                r#","Condition":{"ForAnyValue:StringNotLike":{"aws:TagKeys":["t*"]}}"#,
            )]),
        ),
        (
            "ForAllValues:StringLike Deny on sts:TransitiveTagKeys",
            bob_unless(r#"{"ForAllValues:StringLike":{"sts:TransitiveTagKeys":["t*"]}}"#),
        ),
        (
            "ForAnyValue:StringNotEquals Allow on sts:TransitiveTagKeys",
            doc(&[allow(
                bob,
                "sts:*",
                r#","Condition":{"ForAnyValue:StringNotEquals":{"sts:TransitiveTagKeys":["team"]}}"#,
            )]),
        ),
        (
            "ForAllValues:StringLike Deny on a SAML attribute sent as a list or a value",
            doc(&[
                allow(saml, "sts:AssumeRoleWithSAML", ""),
                deny(
                    saml,
                    "sts:AssumeRoleWithSAML",
                    r#"{"ForAllValues:StringLike":{"saml:department":["t*"]}}"#,
                ),
            ]),
        ),
        (
            "ForAllValues:StringEquals Deny on another service's key, a list or a value",
            bob_unless(r#"{"ForAllValues:StringEquals":{"ec2:SourceInstanceARN":["team"]}}"#),
        ),
        (
            "StringNotLike Allow on a present single-valued SAML key",
            doc(&[allow(
                saml,
                "sts:AssumeRoleWithSAML",
                r#","Condition":{"StringNotLike":{"saml:sub":["t*"]},"Null":{"saml:sub":"false"}}"#,
            )]),
        ),
    ];
    let failures: Vec<String> = cases
        .iter()
        .flat_map(|(label, after)| widening_from_deny_all_failures(label, after))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Fixed-format keys tested with string operators: a number, a date or an address that no
/// pattern of the policy matches is what grants, and the cell outside every pattern was met
/// only by `""` (no value of these keys) or by a typical value the pattern happened to match.
/// `StringLike "6*"` on `aws:MultiFactorAuthAge` loosened to "present" was "unchanged", and
/// so was `StringNotLike "2024-*"` on `aws:CurrentTime` (only an ISO date of 2024 escapes it).
#[test]
fn values_of_fixed_format_keys_outside_every_pattern_are_searched() {
    let cases = [
        ("aws:MultiFactorAuthAge", "6*"),
        ("aws:EpochTime", "17*"),
        ("aws:CurrentTime", "2025-*"),
        ("aws:CurrentTime", "2024-*"),
        ("aws:TokenIssueTime", "2025-*"),
        ("aws:SourceIp", "192.*"),
        ("aws:VpcSourceIp", "10.*"),
    ];
    let doc = |condition: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111111111111:user/bob"}},"Action":"sts:AssumeRole","Condition":{{{condition}}}}}]}}"#
        )
    };
    let mut failures = Vec::new();
    for (key, pattern) in cases {
        let present = format!(r#""Null":{{"{key}":"false"}}"#);
        let outside = doc(&format!(
            r#"{present},"StringNotLike":{{"{key}":"{pattern}"}}"#
        ));
        let inside = doc(&format!(
            r#"{present},"StringLike":{{"{key}":"{pattern}"}}"#
        ));
        for (side, after) in [("outside", &outside), ("inside", &inside)] {
            failures.extend(widening_from_deny_all_failures(
                &format!("{key} {side} {pattern}"),
                after,
            ));
        }
        // The pattern (or its negation) dropped, the key only required present: a widening,
        // with a verified witness on the side the pattern no longer excludes.
        let loosened = doc(&present);
        for (side, pinned) in [("inside", &inside), ("outside", &outside)] {
            failures.extend(widening_failures(
                &format!("{key} {side} {pattern} loosened"),
                pinned,
                &loosened,
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A source ARN witness reads as a real resource's where the search only filled segments in:
/// `arn:aws:sns:eu-west-1:000000000000:example`, not `arn:aws:0::000000000000:0` (a service
/// named `0` made reviewers doubt the finding), and it still proves the widening.
#[test]
fn source_arn_witnesses_read_as_real_resources() {
    use trustgate::compare::{granted, Verdict};
    use trustgate::eval::ContextValue;
    let doc = |condition: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"sns.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"Null":{{"aws:SourceArn":"false"}}{condition}}}}}]}}"#
        )
    };
    for pattern in [
        "arn:aws:s3:::b*",
        "arn:aws:sns:us-*",
        "arn:aws:sqs:*:111122223333:*",
    ] {
        let before = policy(&doc(&format!(
            r#","StringLike":{{"aws:SourceArn":"{pattern}"}}"#
        )));
        let after = policy(&doc(""));
        let r = compare(&before, &after, &CompareOptions::default()).unwrap();
        assert_eq!(r.verdict, Verdict::Widened, "{pattern}");
        for w in &r.witnesses {
            assert!(granted(&after, &w.request) && !granted(&before, &w.request));
            let Some(ContextValue::Single(arn)) = w.request.context.get("aws:SourceArn") else {
                panic!("{pattern}: no source ARN in {w:?}");
            };
            let parts: Vec<&str> = arn.splitn(6, ':').collect();
            assert_eq!(parts.len(), 6, "{arn}");
            assert!(
                parts[2].bytes().all(|b| b.is_ascii_lowercase()),
                "{pattern}: service of {arn}"
            );
            assert!(!parts[3].is_empty(), "{pattern}: region of {arn}");
            assert!(
                !parts[5].bytes().all(|b| b.is_ascii_digit()),
                "{pattern}: resource of {arn}"
            );
        }
    }
}
