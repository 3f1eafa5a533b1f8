//! `oidc-unpinned`: a shared OIDC issuer trusted without pinning its tenancy claim, so every
//! tenant of the issuer (any GitHub repository, any Cognito pool, ...) can assume the role.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::posture::{PostureRule, Problem};
use super::{oidc, RoleInput, RuleKind, RuleMeta};
use crate::finding::Severity;
use crate::policy::{Effect, Policy};

static META: RuleMeta = RuleMeta {
    id: "oidc-unpinned",
    kind: RuleKind::Posture,
    default_severity: Severity::Critical,
    summary: "a shared OIDC issuer (GitHub, GitLab, HCP Terraform, Cognito, ...) is trusted without pinning its tenancy claim",
};

pub fn find(policy: &Policy, _input: &RoleInput<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    for s in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        for (issuer, reason) in oidc::unpinned(s) {
            out.push(Problem {
                pointer: s.pointer.clone(),
                message: format!(
                    "any {} tenant can assume the role: {reason} (the `{}` claim is what separates tenants)",
                    issuer.name, issuer.tenancy_claim
                ),
            });
        }
    }
    out
}

pub static OIDC_UNPINNED: PostureRule = PostureRule { meta: &META, find };
