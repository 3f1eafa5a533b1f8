//! `cross-account-no-guard`: an account that is neither the role's own nor trusted can assume
//! the role with no ExternalId, no MFA and no organization guard: the confused-deputy shape
//! (SEMANTICS §6 P5).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::posture::{self, Problem};
use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;
use crate::policy::{Effect, Policy, PrincipalMode, PrincipalType};

pub struct CrossAccountNoGuard;

static META: RuleMeta = RuleMeta {
    id: "cross-account-no-guard",
    kind: RuleKind::Posture,
    default_severity: Severity::High,
    summary:
        "another account can assume the role with neither ExternalId, MFA nor an organization guard",
};

/// Said when the role's own account is unknown.
const UNKNOWN_OWN: &str = " (nothing in the plan tells the role's own account, so every account counts as another: if this account is yours, name it in trustgate.toml under `[accounts]` as `own = [\"ACCOUNT\"]` or `trusted = [...]`)";

const GUARDS: &[&str] = &[
    "sts:ExternalId",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
];

/// The account a principal value names: 12 digits, or the account field of an ARN.
fn account_of(value: &str) -> Option<&str> {
    // A wildcard principal ARN names nobody (trust-policy-invalid reports it).
    if value.contains(['*', '?']) {
        return None;
    }
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    let account = value.split(':').nth(4)?;
    (account.len() == 12).then_some(account)
}

fn find(policy: &Policy, input: &RoleInput<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    for s in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && s.principals.mode == PrincipalMode::Principal)
    {
        if posture::pinned_by_any(s, GUARDS) {
            continue;
        }
        for e in s
            .principals
            .entries
            .iter()
            .filter(|e| e.kind == PrincipalType::Aws)
        {
            let Some(account) = account_of(&e.value) else {
                continue;
            };
            if Some(account) == input.own_account.as_deref()
                || input.settings.trusted.iter().any(|t| t == account)
            {
                continue;
            }
            let unknown_own = if input.own_account.is_none() {
                UNKNOWN_OWN
            } else {
                ""
            };
            out.push(Problem {
                pointer: e.pointer.clone(),
                message: format!(
                    "account `{account}` can assume the role with no `sts:ExternalId`, MFA or organization condition{unknown_own}"
                ),
            });
        }
    }
    out
}

impl Rule for CrossAccountNoGuard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        // Fail closed when nothing tells the role's own account: an account that may be
        // ours counts as another, at the default severity, and the message says how to name
        // the own account (UNKNOWN_OWN).
        posture::report(input, out, &META, find);
    }
}
