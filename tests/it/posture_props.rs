//! Posture rules against an independent outsider oracle, over random created policies.
//!
//! The oracle is a fixed list of requests an outsider can make, written by hand from the
//! outsider model in docs/rules.md (not from the search): a principal of an account no policy
//! names, in its own organization or none, with or without MFA, from an address on the
//! internet, sending an ExternalId it learned or made up. If the evaluator allows any of them,
//! `public-trust` must fire; when it fires, its witness must be allowed by the evaluator and be
//! an outsider's (an unnamed account, no organization the policy names).

use proptest::prelude::*;
use std::collections::BTreeMap;
use trustgate::analysis::analyse_pair;
use trustgate::eval::{decision, Caller, ContextValue, Decision, Request};
use trustgate::policy::parse_policy;
use trustgate::rules::RuleSettings;

const ROLE: &str = "arn:aws:iam::111111111111:role/target";

const PRINCIPALS: &[&str] = &[
    r#"{"AWS":"*"}"#,
    r#"{"AWS":"222222222222"}"#,
    r#"{"AWS":"arn:aws:iam::111111111111:root"}"#,
];

/// (operator, key, value): vacuous guards and real ones.
const CONDITIONS: &[(&str, &str, &str)] = &[
    ("StringEquals", "aws:PrincipalOrgID", "o-abc123def4"),
    ("StringLike", "aws:PrincipalOrgID", "o-*"),
    ("StringLike", "aws:PrincipalOrgID", "*"),
    ("StringNotEquals", "aws:PrincipalOrgID", "o-abc123def4"),
    ("StringEqualsIfExists", "aws:PrincipalOrgID", "o-abc123def4"),
    ("Bool", "aws:MultiFactorAuthPresent", "true"),
    ("Bool", "aws:MultiFactorAuthPresent", "false"),
    ("IpAddress", "aws:SourceIp", "0.0.0.0/0"),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24"),
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"),
    ("StringEquals", "sts:ExternalId", "x1"),
    ("StringLike", "sts:ExternalId", "*"),
    ("Bool", "aws:SecureTransport", "true"),
    ("StringEquals", "aws:PrincipalAccount", "222222222222"),
    ("StringLike", "aws:PrincipalAccount", "*"),
    ("StringNotEquals", "aws:PrincipalAccount", "222222222222"),
];

fn policy_text(principal: usize, conds: &[usize]) -> String {
    let mut by_op: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for &i in conds {
        let (op, key, value) = CONDITIONS[i];
        by_op.entry(op).or_default().insert(key, value);
    }
    let cond = serde_json::to_string(&by_op).unwrap();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{},"Action":"sts:AssumeRole","Condition":{cond}}}]}}"#,
        PRINCIPALS[principal]
    )
}

/// Every combination of what an outsider in account 999999999999 may send.
fn oracle() -> Vec<Request> {
    let callers = [
        "arn:aws:iam::999999999999:root",
        "arn:aws:sts::999999999999:assumed-role/dev/s1",
    ];
    let orgs = [None, Some("o-zzzzzzzzzz")];
    let mfa = [None, Some("false"), Some("true")];
    let ips = [None, Some("198.51.100.7")];
    let ext = [None, Some("x1"), Some("zz")];
    let tls = [None, Some("true")];
    let mut out = Vec::new();
    for caller in callers {
        for org in orgs {
            for m in mfa {
                for ip in ips {
                    for e in ext {
                        for t in tls {
                            let mut context = BTreeMap::new();
                            let principal_arn = if caller.contains("assumed-role") {
                                "arn:aws:iam::999999999999:role/dev"
                            } else {
                                caller
                            };
                            let single = |v: &str| ContextValue::Single(v.to_string());
                            context.insert("aws:PrincipalArn".into(), single(principal_arn));
                            context.insert("aws:PrincipalAccount".into(), single("999999999999"));
                            for (k, v) in [
                                ("aws:PrincipalOrgID", org),
                                ("aws:MultiFactorAuthPresent", m),
                                ("aws:SourceIp", ip),
                                ("sts:ExternalId", e),
                                ("aws:SecureTransport", t),
                            ] {
                                if let Some(v) = v {
                                    context.insert(k.into(), single(v));
                                }
                            }
                            out.push(Request {
                                role: ROLE.into(),
                                action: "sts:AssumeRole".into(),
                                also: vec![],
                                principal: Caller::Aws(caller.into()),
                                caller_allows: true,
                                context,
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn public_trust_iff_an_outsider_gets_in(
        principal in 0..PRINCIPALS.len(),
        conds in proptest::collection::btree_set(0..CONDITIONS.len(), 0..4),
    ) {
        let conds: Vec<usize> = conds.into_iter().collect();
        let text = policy_text(principal, &conds);
        let policy = parse_policy(&text).unwrap();
        let result = analyse_pair(None, &text, Some(ROLE), &RuleSettings::default());
        let finding = result.findings.iter().find(|f| f.rule == "public-trust");
        let oracle_hit = oracle().into_iter().find(|r| decision(&policy, r) == Decision::Allow);
        if let Some(r) = &oracle_hit {
            prop_assert!(finding.is_some(), "{text}: an outsider gets in with {r:?}, no public-trust");
        }
        if let Some(f) = finding {
            let w = f.witness.as_ref().expect("posture findings carry a witness");
            prop_assert_eq!(decision(&policy, w), Decision::Allow, "{}", text);
            let caller = w.principal.value();
            prop_assert!(!caller.contains("111111111111") && !caller.contains("222222222222"), "{text}: {caller}");
            if let Some(ContextValue::Single(org)) = w.context.get("aws:PrincipalOrgID") {
                prop_assert_ne!(org.as_str(), "o-abc123def4", "{}", text);
            }
            prop_assert_eq!(f.severity.to_string(), "critical");
        }
    }
}

/// The oracle itself tells a vacuous guard from a real one (so the property above has both
/// outcomes to check).
#[test]
fn the_oracle_separates_vacuous_from_real_guards() {
    let allows = |conds: &[usize]| {
        let policy = parse_policy(&policy_text(0, conds)).unwrap();
        oracle()
            .iter()
            .any(|r| decision(&policy, r) == Decision::Allow)
    };
    assert!(allows(&[1])); // o-*
    assert!(allows(&[6, 7])); // MFA false, 0.0.0.0/0
    assert!(!allows(&[0])); // a fixed organization
    assert!(!allows(&[8])); // a specific network
    assert!(!allows(&[13])); // a fixed account
}

/// Every posture witness of the rule fixtures replays through `trustgate simulate` as allowed.
#[test]
fn posture_witnesses_replay_through_simulate() {
    let mut replayed = 0;
    for rule in [
        "public-trust",
        "cross-account-no-guard",
        "oidc-unpinned",
        "service-no-source-guard",
    ] {
        for file in crate::common::json_files(&format!("rules/{rule}")) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("fail-") {
                continue;
            }
            let fixture: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let after = crate::rule_fixtures::after_text(&fixture);
            for f in crate::rule_fixtures::pair_findings(&fixture)
                .iter()
                .filter(|f| f.rule == rule)
            {
                let w = f
                    .witness
                    .as_ref()
                    .unwrap_or_else(|| panic!("{rule}/{name}: no witness"));
                let tag = format!("posture-{rule}-{name}");
                let out = crate::cli::simulate(&after, &serde_json::to_value(w).unwrap(), &tag);
                assert_eq!(out["decision"], "allow", "{rule}/{name}: {w:?}");
                replayed += 1;
            }
        }
    }
    assert!(replayed >= 20, "only {replayed} posture witnesses replayed");
}
