//! Property tests of the comparator over random small policy pairs: a policy compared with a
//! reordering of itself is unchanged; every witness verifies with the evaluator alone and is a
//! realistic request; and the search is complete — any random realistic request that after
//! grants and before does not means the comparator must have reported a widening. (Random
//! requests AWS could never send, such as an `sts:ExternalId` with a space or tag keys without
//! `sts:TagSession`, are no evidence either way.)

use proptest::prelude::*;
use std::collections::BTreeMap;
use trustgate::compare::{compare, realism, CompareOptions, Verdict};
use trustgate::eval::{decide, evaluate, Caller, ContextValue, Decision, Request, DEFAULT_ROLE};
use trustgate::policy::{parse_policy, Policy};

const PRINCIPALS: &[&str] = &[
    r#"{"AWS":"*"}"#,
    r#"{"AWS":"222222222222"}"#,
    r#"{"AWS":"111111111111"}"#,
    r#"{"AWS":"arn:aws:iam::222222222222:role/ci"}"#,
    r#"{"AWS":"arn:aws:iam::111111111111:user/bob"}"#,
    r#"{"Service":"ec2.amazonaws.com"}"#,
    r#"{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}"#,
];

const ACTIONS: &[&str] = &[
    r#""sts:AssumeRole""#,
    r#""sts:*""#,
    r#"["sts:AssumeRole","sts:TagSession"]"#,
    r#"["sts:AssumeRoleWithWebIdentity"]"#,
];

const SUB: &str = "token.actions.githubusercontent.com:sub";

/// (operator, key, values) triples that exercise every operator family.
const CONDITIONS: &[(&str, &str, &[&str])] = &[
    ("StringEquals", "sts:ExternalId", &["x9"]),
    ("StringEquals", "sts:ExternalId", &["x9", "y1"]),
    ("StringLike", "sts:ExternalId", &["x*"]),
    ("StringNotEquals", "sts:ExternalId", &["x9"]),
    ("StringEqualsIfExists", "sts:ExternalId", &["x9"]),
    ("ForAllValues:StringEquals", "sts:ExternalId", &["x9"]),
    ("StringEqualsIgnoreCase", "sts:ExternalId", &["X9"]),
    ("Null", "sts:ExternalId", &["false"]),
    ("StringLike", SUB, &["repo:acme/*"]),
    ("StringLike", SUB, &["repo:acme/app:*"]),
    ("StringEquals", SUB, &["repo:acme/app:ref:refs/heads/main"]),
    (
        "ArnLike",
        "aws:PrincipalArn",
        &["arn:aws:iam::222222222222:role/c*"],
    ),
    (
        "ArnNotLike",
        "aws:PrincipalArn",
        &["arn:aws:iam::*:role/ci"],
    ),
    ("StringEquals", "aws:PrincipalAccount", &["111111111111"]),
    ("Bool", "aws:MultiFactorAuthPresent", &["true"]),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", &["true"]),
    ("NumericLessThan", "aws:MultiFactorAuthAge", &["3600"]),
    ("ForAnyValue:StringEquals", "aws:TagKeys", &["team"]),
    ("ForAllValues:StringLike", "aws:TagKeys", &["t*"]),
    ("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]),
    ("DateLessThan", "aws:CurrentTime", &["2025-01-01T00:00:00Z"]),
    ("StringLike", "sts:RoleSessionName", &["${aws:username}"]),
];

#[derive(Debug, Clone)]
struct Stmt {
    allow: bool,
    principal: usize,
    action: usize,
    conditions: Vec<usize>,
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        prop::bool::weighted(0.8),
        0..PRINCIPALS.len(),
        0..ACTIONS.len(),
        prop::collection::vec(0..CONDITIONS.len(), 0..3),
    )
        .prop_map(|(allow, principal, action, conditions)| Stmt {
            allow,
            principal,
            action,
            conditions,
        })
}

fn policy_text(v2012: bool, stmts: &[Stmt]) -> String {
    let statements: Vec<String> = stmts
        .iter()
        .map(|s| {
            // Group conditions by operator so each operator appears once in the block.
            let mut block: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
            for &c in &s.conditions {
                let (op, key, values) = CONDITIONS[c];
                block
                    .entry(op)
                    .or_default()
                    .entry(key)
                    .or_default()
                    .extend(values.iter().copied());
            }
            let cond = if block.is_empty() {
                String::new()
            } else {
                format!(r#","Condition":{}"#, serde_json::to_string(&block).unwrap())
            };
            format!(
                r#"{{"Effect":"{}","Principal":{},"Action":{}{}}}"#,
                if s.allow { "Allow" } else { "Deny" },
                PRINCIPALS[s.principal],
                ACTIONS[s.action],
                cond
            )
        })
        .collect();
    let version = if v2012 { "2012-10-17" } else { "2008-10-17" };
    format!(
        r#"{{"Version":"{version}","Statement":[{}]}}"#,
        statements.join(",")
    )
}

fn policy() -> impl Strategy<Value = (bool, Vec<Stmt>)> {
    (
        prop::bool::weighted(0.8),
        prop::collection::vec(stmt(), 1..4),
    )
}

/// A caller, the context keys its identity fixes, and its API action.
type CallerCase = (Caller, Vec<(&'static str, &'static str)>, &'static str);

/// Callers with the context keys their identity fixes.
fn callers() -> Vec<CallerCase> {
    let aws = |arn: &'static str, parn: &'static str, acct: &'static str| {
        (
            Caller::Aws(arn.into()),
            vec![("aws:PrincipalArn", parn), ("aws:PrincipalAccount", acct)],
            "sts:AssumeRole",
        )
    };
    let mut user = aws(
        "arn:aws:iam::111111111111:user/bob",
        "arn:aws:iam::111111111111:user/bob",
        "111111111111",
    );
    user.1.push(("aws:username", "bob"));
    vec![
        aws(
            "arn:aws:sts::222222222222:assumed-role/ci/s1",
            "arn:aws:iam::222222222222:role/ci",
            "222222222222",
        ),
        aws(
            "arn:aws:sts::222222222222:assumed-role/cx/s1",
            "arn:aws:iam::222222222222:role/cx",
            "222222222222",
        ),
        aws(
            "arn:aws:sts::111111111111:assumed-role/app/s1",
            "arn:aws:iam::111111111111:role/app",
            "111111111111",
        ),
        aws(
            "arn:aws:iam::333333333333:root",
            "arn:aws:iam::333333333333:root",
            "333333333333",
        ),
        user,
        (
            Caller::Service("ec2.amazonaws.com".into()),
            vec![],
            "sts:AssumeRole",
        ),
        (
            Caller::Federated(
                "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
                    .into(),
            ),
            vec![],
            "sts:AssumeRoleWithWebIdentity",
        ),
    ]
}

fn single(s: &str) -> ContextValue {
    ContextValue::Single(s.into())
}

/// Context entries a random request may carry.
fn context_pool() -> Vec<(&'static str, ContextValue)> {
    vec![
        ("sts:ExternalId", single("x9")),
        ("sts:ExternalId", single("xa")),
        ("sts:ExternalId", single("x9 ")),
        (SUB, single("repo:acme/app:ref:refs/heads/main")),
        (SUB, single("repo:acme/lib")),
        (SUB, single("repo:other/app:x")),
        ("aws:MultiFactorAuthPresent", single("true")),
        ("aws:MultiFactorAuthPresent", single("false")),
        ("aws:MultiFactorAuthAge", single("100")),
        ("aws:MultiFactorAuthAge", single("7200")),
        ("aws:TagKeys", ContextValue::Multi(vec!["team".into()])),
        (
            "aws:TagKeys",
            ContextValue::Multi(vec!["team".into(), "env".into()]),
        ),
        ("aws:TagKeys", ContextValue::Multi(vec![])),
        ("aws:SourceIp", single("203.0.113.7")),
        ("aws:SourceIp", single("198.51.100.1")),
        ("aws:CurrentTime", single("2024-06-01T00:00:00Z")),
        ("aws:CurrentTime", single("2026-06-01T00:00:00Z")),
        ("sts:RoleSessionName", single("bob")),
    ]
}

#[derive(Debug, Clone)]
struct Req {
    caller: usize,
    also: Vec<bool>,
    caller_allows: bool,
    context: Vec<usize>,
}

fn req() -> impl Strategy<Value = Req> {
    (
        0..callers().len(),
        prop::collection::vec(prop::bool::weighted(0.2), 3),
        prop::bool::weighted(0.7),
        prop::collection::vec(0..context_pool().len(), 0..4),
    )
        .prop_map(|(caller, also, caller_allows, context)| Req {
            caller,
            also,
            caller_allows,
            context,
        })
}

fn build(r: &Req) -> Request {
    let (caller, fixed, api) = callers().swap_remove(r.caller);
    let pool = context_pool();
    let mut context = BTreeMap::new();
    for &i in &r.context {
        let (k, v) = pool[i].clone();
        context.insert(k.to_string(), v);
    }
    for (k, v) in fixed {
        context.insert(k.to_string(), single(v));
    }
    let extra = ["sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"];
    Request {
        role: DEFAULT_ROLE.into(),
        action: api.into(),
        also: extra
            .iter()
            .zip(&r.also)
            .filter(|(_, on)| **on)
            .map(|(a, _)| a.to_string())
            .collect(),
        principal: caller,
        caller_allows: r.caller_allows,
        context,
    }
}

fn allows(p: &Policy, r: &Request) -> bool {
    decide(r, evaluate(p, r).trust) == Decision::Allow
}

proptest! {
    // PROPTEST_CASES raises the count for a longer hunt.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(96),
        ..ProptestConfig::default()
    })]

    #[test]
    fn reordered_policy_is_unchanged((v, stmts) in policy()) {
        let p = parse_policy(&policy_text(v, &stmts)).unwrap();
        let mut reversed = stmts.clone();
        reversed.reverse();
        let q = parse_policy(&policy_text(v, &reversed)).unwrap();
        let same = compare(&p, &p, &CompareOptions::default()).unwrap();
        prop_assert_eq!(same.verdict, Verdict::Unchanged);
        let r = compare(&p, &q, &CompareOptions::default()).unwrap();
        prop_assert_eq!(r.verdict, Verdict::Unchanged, "{:?}", r.witnesses.first());
    }

    /// Narrowing edits (an Allow statement dropped or given one more condition, a Deny added,
    /// the rest reordered) never widen: the comparator says so, and no random realistic
    /// request contradicts it.
    #[test]
    fn narrowing_edits_never_widen(
        (v, stmts) in policy(),
        edits in prop::collection::vec((0..3usize, 0..4usize, 0..CONDITIONS.len()), 1..4),
        extra_deny in stmt(),
        probes in prop::collection::vec(req(), 24),
    ) {
        let before = parse_policy(&policy_text(v, &stmts)).unwrap();
        let mut narrowed = stmts.clone();
        for (kind, at, cond) in edits {
            let allows: Vec<usize> = (0..narrowed.len()).filter(|&i| narrowed[i].allow).collect();
            match kind {
                0 if allows.len() > 1 => {
                    narrowed.remove(allows[at % allows.len()]);
                }
                // A second condition with the same operator and key would merge its values
                // into the first (a widening), so only a new (operator, key) pair narrows.
                1 if !allows.is_empty() => {
                    let s = &mut narrowed[allows[at % allows.len()]];
                    let (op, key, _) = CONDITIONS[cond];
                    if !s.conditions.iter().any(|&c| CONDITIONS[c].0 == op && CONDITIONS[c].1 == key) {
                        s.conditions.push(cond);
                    }
                }
                _ => narrowed.push(Stmt { allow: false, ..extra_deny.clone() }),
            }
        }
        narrowed.reverse();
        let after = parse_policy(&policy_text(v, &narrowed)).unwrap();
        let r = compare(&before, &after, &CompareOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert!(!r.verdict.is_widening(), "{:?}", r.witnesses.first());
        for probe in &probes {
            let req = build(probe);
            if realism::check_for(&req, &[&before, &after]).is_ok() {
                prop_assert!(!allows(&after, &req) || allows(&before, &req), "widening: {}", serde_json::to_string(&req).unwrap());
            }
        }
    }

    #[test]
    fn witnesses_verify_and_search_is_complete(
        (v1, s1) in policy(),
        (v2, s2) in policy(),
        probes in prop::collection::vec(req(), 24),
    ) {
        let before = parse_policy(&policy_text(v1, &s1)).unwrap();
        let after = parse_policy(&policy_text(v2, &s2)).unwrap();
        let r = match compare(&before, &after, &CompareOptions::default()) {
            Ok(r) => r,
            // A bound hit is an honest answer; these policies are small, so flag it.
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        };
        if r.verdict.is_widening() {
            prop_assert!(!r.witnesses.is_empty());
        } else {
            prop_assert!(r.witnesses.is_empty());
        }
        for w in r.witnesses.iter().chain(&r.lost) {
            prop_assert_eq!(realism::check_for(&w.request, &[&before, &after]), Ok(()));
        }
        for w in &r.witnesses {
            prop_assert!(allows(&after, &w.request) && !allows(&before, &w.request));
        }
        for w in &r.lost {
            prop_assert!(allows(&before, &w.request) && !allows(&after, &w.request));
        }
        for probe in &probes {
            let req = build(probe);
            if realism::check_for(&req, &[&before, &after]).is_err() {
                continue;
            }
            if allows(&after, &req) && !allows(&before, &req) {
                prop_assert!(
                    r.verdict.is_widening(),
                    "missed widening: {}\nbefore {}\nafter {}",
                    serde_json::to_string(&req).unwrap(),
                    policy_text(v1, &s1),
                    policy_text(v2, &s2)
                );
            }
            if allows(&before, &req) && !allows(&after, &req) {
                prop_assert!(
                    matches!(r.verdict, Verdict::Narrowed | Verdict::Lateral),
                    "missed narrowing: {}", serde_json::to_string(&req).unwrap()
                );
            }
        }
    }
}
