//! Fuzz target: the trust-policy parser, the normal form and the evaluator.
//!
//! Any bytes go in. The parser must answer `Ok` or `Err`, never panic, hang or allocate far
//! beyond the input. A policy that parses is then put through the normal form (the JSON report
//! and custom rules read it) and evaluated against requests built from its own values, so the
//! evaluator sees input-dependent principals, patterns and context values too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use trustgate::eval::{evaluate, Caller, ContextValue, Request, DEFAULT_ROLE};
use trustgate::policy::{normal_form, parse_policy, Policy, PrincipalType};

/// A handful of requests from the policy's own principals and condition values: the first few
/// principals as callers, every condition key set to its first value (also as a list).
fn requests(policy: &Policy) -> Vec<Request> {
    let mut callers = vec![Caller::Aws("arn:aws:iam::222222222222:root".into())];
    for s in policy.statements.iter().take(4) {
        for e in s.principals.entries.iter().take(4) {
            callers.push(match e.kind {
                PrincipalType::Service => Caller::Service(e.value.clone()),
                PrincipalType::Federated => Caller::Federated(e.value.clone()),
                _ => Caller::Aws(e.value.clone()),
            });
        }
    }
    let mut single = BTreeMap::new();
    let mut multi = BTreeMap::new();
    for c in policy
        .statements
        .iter()
        .flat_map(|s| s.conditions.iter())
        .take(32)
    {
        if let Some(v) = c.values.first() {
            single.insert(c.key.clone(), ContextValue::Single(v.clone()));
            multi.insert(
                c.key.clone(),
                ContextValue::Multi(c.values.iter().take(4).cloned().collect()),
            );
        }
    }
    let mut out = Vec::new();
    for caller in callers {
        for (action, context) in [
            ("sts:AssumeRole", BTreeMap::new()),
            ("sts:AssumeRoleWithWebIdentity", single.clone()),
            ("sts:AssumeRole", multi.clone()),
        ] {
            out.push(Request {
                role: DEFAULT_ROLE.to_string(),
                action: action.to_string(),
                also: vec!["sts:TagSession".to_string()],
                principal: caller.clone(),
                caller_allows: true,
                context,
            });
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(policy) = parse_policy(text) else {
        return;
    };
    let _ = normal_form(&policy);
    for request in requests(&policy) {
        let _ = evaluate(&policy, &request);
    }
});
