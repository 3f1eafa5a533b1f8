//! `cross-account-no-guard`: an account that is neither the role's own nor trusted can assume
//! the role with nothing that only the intended caller has: no ExternalId the policy names, no
//! MFA session, no organization of ours. The confused-deputy shape.
//!
//! Decided by the exposure search for each account the policy names: a guard that the
//! account's principals can satisfy themselves (`StringLike sts:ExternalId "*"`, MFA
//! `"false"`, `StringLike aws:PrincipalOrgID "o-*"`) is no guard.

use super::posture;
use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::compare::exposure::Outsider;
use crate::finding::Severity;
use crate::policy::Policy;
use std::collections::BTreeSet;

pub struct CrossAccountNoGuard;

static META: RuleMeta = RuleMeta {
    id: "cross-account-no-guard",
    kind: RuleKind::Posture,
    default_severity: Severity::High,
    summary:
        "another account can assume the role with neither ExternalId, MFA nor an organization guard",
};

/// Every 12-digit account the policy names: in a principal (an account ID or an ARN) or as a
/// whole condition value or the account field of an ARN in one.
fn named_accounts(policy: &Policy) -> BTreeSet<String> {
    let is_account = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    let mut out = BTreeSet::new();
    let mut add = |v: &str| {
        if is_account(v) {
            out.insert(v.to_string());
        } else if let Some(a) = v.split(':').nth(4).filter(|a| is_account(a)) {
            out.insert(a.to_string());
        }
    };
    for s in &policy.statements {
        for e in &s.principals.entries {
            add(&e.value);
        }
        for c in &s.conditions {
            for v in &c.values {
                add(v);
            }
        }
    }
    out
}

impl Rule for CrossAccountNoGuard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        let Some(policy) = posture::judged(input) else {
            return;
        };
        let ours = posture::our_accounts(input);
        for account in named_accounts(policy) {
            if ours.contains(&account) {
                continue;
            }
            let Some(w) = posture::search(input, policy, Outsider::Account(&account), out) else {
                continue;
            };
            // Fail closed: without the role's own account every named account counts as
            // another, and the finding says how to name ours.
            let unknown_own = if input.own_account.is_none() {
                " (the role's own account is not in the plan, so every account counts as another; if this account is yours, name it in trustgate.toml: `[accounts] own = [\"ACCOUNT\"]`)"
            } else {
                ""
            };
            let message = format!(
                "account `{account}` can assume the role unguarded: nothing only the intended caller has (an ExternalId it must be given, MFA, an organization of ours) is required; `{}` is allowed, {}{unknown_own}",
                w.request.principal.value(),
                posture::presented(&w.request)
            );
            out.push(posture::draft(&META, policy, w, message));
        }
    }
}
