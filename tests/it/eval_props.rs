//! Property tests of the evaluator's invariants over small random policies and requests:
//! more conditions on an Allow or one more Deny never grant more, and order never matters
//! (statements, principal values, condition values, condition keys). The alphabets are tiny
//! so that principals, actions and conditions actually match.

use proptest::prelude::*;
use std::collections::BTreeMap;
use trustgate::eval::{decide, evaluate, trust_for_action, Caller, ContextValue, Request};
use trustgate::policy::{
    parse_operator, ActionMode, Actions, Condition, Effect, Policy, PrincipalEntry, PrincipalMode,
    PrincipalType, Principals, Statement, Version,
};

const ROLE: &str = "arn:aws:iam::111111111111:role/target";

fn principal_entry() -> impl Strategy<Value = PrincipalEntry> {
    prop_oneof![
        Just((PrincipalType::Aws, "*")),
        Just((PrincipalType::Aws, "111111111111")),
        Just((PrincipalType::Aws, "222222222222")),
        Just((PrincipalType::Aws, "arn:aws:iam::222222222222:root")),
        Just((PrincipalType::Aws, "arn:aws:iam::111111111111:role/a")),
        Just((PrincipalType::Aws, "arn:aws:iam::222222222222:role/b")),
        Just((PrincipalType::Aws, "arn:aws:iam::222222222222:user/u")),
        Just((
            PrincipalType::Aws,
            "arn:aws:sts::111111111111:assumed-role/a/s"
        )),
        Just((PrincipalType::Service, "svc.amazonaws.com")),
        Just((PrincipalType::Federated, "accounts.google.com")),
    ]
    .prop_map(|(kind, value)| PrincipalEntry {
        kind,
        value: value.to_string(),
        pointer: String::new(),
    })
}

fn caller() -> impl Strategy<Value = (Caller, &'static str)> {
    prop_oneof![
        Just((
            Caller::Aws("arn:aws:sts::111111111111:assumed-role/a/s".into()),
            "sts:AssumeRole"
        )),
        Just((
            Caller::Aws("arn:aws:sts::222222222222:assumed-role/b/t".into()),
            "sts:AssumeRole"
        )),
        Just((
            Caller::Aws("arn:aws:iam::222222222222:user/u".into()),
            "sts:AssumeRole"
        )),
        Just((
            Caller::Aws("arn:aws:iam::111111111111:root".into()),
            "sts:AssumeRole"
        )),
        Just((
            Caller::Service("svc.amazonaws.com".into()),
            "sts:AssumeRole"
        )),
        Just((
            Caller::Federated("accounts.google.com".into()),
            "sts:AssumeRoleWithWebIdentity"
        )),
    ]
}

fn action_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("sts:AssumeRole"),
        Just("sts:AssumeRoleWithWebIdentity"),
        Just("sts:TagSession"),
        Just("sts:Assume*"),
        Just("sts:*"),
        Just("*"),
    ]
    .prop_map(str::to_string)
}

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "StringEqualsIfExists",
    "StringNotLikeIfExists",
    "ForAllValues:StringEquals",
    "ForAllValues:StringNotLike",
    "ForAnyValue:StringLike",
    "ForAnyValue:StringEqualsIfExists",
    "Null",
    "Bool",
    "NumericLessThan",
    "NumericNotEquals",
    "DateLessThan",
    "ArnLike",
    "ArnNotLike",
    "IpAddress",
    "NotIpAddress",
    "Bogus",
];

const KEYS: &[&str] = &["k:one", "K:ONE", "k:two", "aws:TagKeys"];

/// Values that mean something to several operator families at once.
const VALUES: &[&str] = &[
    "a",
    "A",
    "b",
    "a*",
    "*",
    "?",
    "",
    "true",
    "false",
    "1",
    "10",
    "2024-01-01",
    "10.0.0.0/8",
    "10.1.2.3",
    "arn:aws:iam::1:role/a",
    "arn:aws:iam::*:role/*",
    "${k:two}",
];

fn value() -> impl Strategy<Value = String> {
    prop::sample::select(VALUES).prop_map(str::to_string)
}

fn condition() -> impl Strategy<Value = Condition> {
    (
        prop::sample::select(OPERATORS),
        prop::sample::select(KEYS),
        prop::collection::vec(value(), 0..3),
    )
        .prop_map(|(op, key, values)| Condition {
            operator: parse_operator(op).0,
            operator_raw: op.to_string(),
            key: key.to_string(),
            values,
            pointer: String::new(),
        })
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        prop::bool::weighted(0.75),
        prop::bool::weighted(0.1),
        prop::collection::vec(principal_entry(), 0..3),
        prop::bool::weighted(0.1),
        prop::collection::vec(action_pattern(), 1..3),
        prop::collection::vec(condition(), 0..3),
    )
        .prop_map(
            |(allow, not_principal, entries, not_action, patterns, conditions)| Statement {
                index: 0,
                pointer: String::new(),
                sid: None,
                effect: if allow { Effect::Allow } else { Effect::Deny },
                principals: Principals {
                    mode: if not_principal {
                        PrincipalMode::NotPrincipal
                    } else {
                        PrincipalMode::Principal
                    },
                    entries,
                },
                resources: None,
                actions: Actions {
                    mode: if not_action {
                        ActionMode::NotAction
                    } else {
                        ActionMode::Action
                    },
                    patterns,
                },
                conditions,
            },
        )
}

fn policy() -> impl Strategy<Value = Policy> {
    (prop::bool::ANY, prop::collection::vec(statement(), 1..4)).prop_map(|(v2012, statements)| {
        renumber(Policy {
            version: if v2012 {
                Version::V2012
            } else {
                Version::V2008
            },
            version_raw: None,
            id: None,
            statements,
            issues: vec![],
        })
    })
}

fn renumber(mut policy: Policy) -> Policy {
    for (i, s) in policy.statements.iter_mut().enumerate() {
        s.index = i;
    }
    policy
}

fn context_value() -> impl Strategy<Value = ContextValue> {
    prop_oneof![
        3 => value().prop_map(ContextValue::Single),
        1 => prop::collection::vec(value(), 0..3).prop_map(ContextValue::Multi),
    ]
}

fn request() -> impl Strategy<Value = Request> {
    (
        caller(),
        prop::bool::weighted(0.3),
        prop::bool::ANY,
        prop::collection::btree_map(prop::sample::select(KEYS), context_value(), 0..3),
    )
        .prop_map(|((principal, action), tag, caller_allows, ctx)| Request {
            role: ROLE.to_string(),
            action: action.to_string(),
            also: if tag {
                vec!["sts:TagSession".to_string()]
            } else {
                vec![]
            },
            principal,
            caller_allows,
            context: ctx
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        })
}

/// Reorder `items` by `keys` (a random permutation when the keys are random).
fn permute<T: Clone>(items: &[T], keys: &[u32]) -> Vec<T> {
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_by_key(|&i| (keys.get(i % keys.len().max(1)).copied().unwrap_or(0), i));
    idx.into_iter().map(|i| items[i].clone()).collect()
}

/// (trust, decision) as comparable ranks.
fn outcome(policy: &Policy, request: &Request) -> (trustgate::eval::TrustResult, bool) {
    let e = evaluate(policy, request);
    (e.trust, e.decision == trustgate::eval::Decision::Allow)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn a_condition_added_to_an_allow_never_grants_more(
        policy in policy(),
        request in request(),
        pick in any::<prop::sample::Index>(),
        extra in condition(),
    ) {
        let allows: Vec<usize> = policy
            .statements
            .iter()
            .enumerate()
            .filter(|(_, s)| s.effect == Effect::Allow)
            .map(|(i, _)| i)
            .collect();
        prop_assume!(!allows.is_empty());
        let target = allows[pick.index(allows.len())];
        let mut narrower = policy.clone();
        narrower.statements[target].conditions.push(extra);
        let (t0, d0) = outcome(&policy, &request);
        let (t1, d1) = outcome(&narrower, &request);
        prop_assert!(t1 <= t0, "trust {:?} -> {:?}", t0, t1);
        prop_assert!(d0 || !d1, "decision deny -> allow");
    }

    #[test]
    fn a_deny_added_never_grants_more(
        policy in policy(),
        request in request(),
        mut deny in statement(),
    ) {
        deny.effect = Effect::Deny;
        let mut more = policy.clone();
        more.statements.push(deny);
        let more = renumber(more);
        let (t0, d0) = outcome(&policy, &request);
        let (t1, d1) = outcome(&more, &request);
        prop_assert!(t1 <= t0, "trust {:?} -> {:?}", t0, t1);
        prop_assert!(d0 || !d1, "decision deny -> allow");
    }

    #[test]
    fn order_never_matters(
        policy in policy(),
        request in request(),
        keys in prop::collection::vec(any::<u32>(), 1..8),
    ) {
        let mut shuffled = policy.clone();
        shuffled.statements = permute(&shuffled.statements, &keys);
        for s in &mut shuffled.statements {
            s.principals.entries = permute(&s.principals.entries, &keys);
            s.conditions = permute(&s.conditions, &keys);
            for c in &mut s.conditions {
                c.values = permute(&c.values, &keys);
            }
            s.actions.patterns = permute(&s.actions.patterns, &keys);
        }
        let shuffled = renumber(shuffled);
        prop_assert_eq!(outcome(&policy, &request), outcome(&shuffled, &request));
    }

    #[test]
    fn evaluate_agrees_with_the_hot_path(policy in policy(), request in request()) {
        let e = evaluate(&policy, &request);
        let min = std::iter::once(request.action.as_str())
            .chain(request.also.iter().map(String::as_str))
            .map(|a| trust_for_action(&policy, &request, a))
            .min()
            .unwrap();
        prop_assert_eq!(e.trust, min);
        prop_assert_eq!(e.decision, decide(&request, min));
        prop_assert_eq!(e.statements.len(), policy.statements.len());
    }

    #[test]
    fn arbitrary_text_never_panics(
        op in prop::sample::select(OPERATORS),
        values in prop::collection::vec(".{0,12}", 0..3),
        ctx in prop::collection::vec(".{0,12}", 0..3),
        principal in ".{0,24}",
        action in ".{0,16}",
        role in ".{0,24}",
    ) {
        let policy = Policy {
            version: Version::V2012,
            version_raw: None,
            id: None,
            statements: vec![Statement {
                index: 0,
                pointer: String::new(),
                sid: None,
                effect: Effect::Allow,
                principals: Principals {
                    mode: PrincipalMode::Principal,
                    entries: vec![PrincipalEntry {
                        kind: PrincipalType::Aws,
                        value: principal.clone(),
                        pointer: String::new(),
                    }],
                },
                resources: None,
                actions: Actions { mode: ActionMode::Action, patterns: vec![action.clone()] },
                conditions: vec![Condition {
                    operator: parse_operator(op).0,
                    operator_raw: op.to_string(),
                    key: "k".to_string(),
                    values,
                    pointer: String::new(),
                }],
            }],
            issues: vec![],
        };
        let request = Request {
            role,
            action,
            also: vec![],
            principal: Caller::Aws(principal),
            caller_allows: false,
            context: [("k".to_string(), ContextValue::Multi(ctx.clone())),
                      ("K2".to_string(), ContextValue::Single(ctx.join("")))]
                .into_iter()
                .collect(),
        };
        let _ = evaluate(&policy, &request);
    }
}

/// The generators must make every trust result happen often enough, or the properties above
/// would hold vacuously.
#[test]
fn generators_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use trustgate::eval::TrustResult;
    let mut runner = TestRunner::deterministic();
    let mut counts: BTreeMap<TrustResult, usize> = BTreeMap::new();
    let samples = 2000;
    for _ in 0..samples {
        let p = policy().new_tree(&mut runner).unwrap().current();
        let r = request().new_tree(&mut runner).unwrap().current();
        *counts.entry(evaluate(&p, &r).trust).or_default() += 1;
    }
    for t in [
        TrustResult::ExplicitDeny,
        TrustResult::NoMatch,
        TrustResult::AllowAccount,
        TrustResult::AllowDirect,
    ] {
        let n = counts.get(&t).copied().unwrap_or(0);
        assert!(
            n * 50 >= samples,
            "{t:?} in only {n} of {samples} samples: {counts:?}"
        );
    }
}
