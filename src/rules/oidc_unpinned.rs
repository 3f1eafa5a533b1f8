//! `oidc-unpinned`: a shared OIDC issuer (GitHub, GitLab, HCP Terraform, Cognito, ...) is
//! trusted so that a tenant the policy does not name can assume the role: a token of the
//! outsider's own repository, project or pool, with claims it sets itself, is allowed.
//!
//! Decided by the exposure search per trusted provider, never by which keys appear: `sub`
//! `"*"`, `repo:acme*` (a look-alike owner `acme-evil` matches) or a pin on another issuer's
//! key all show up as what they grant. A statement that no token of the provider can satisfy
//! is not unpinned: it never applies.

use super::{oidc, posture};
use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::compare::exposure::Outsider;
use crate::finding::Severity;
use crate::policy::{Effect, Policy, PrincipalType};

pub struct OidcUnpinned;

static META: RuleMeta = RuleMeta {
    id: "oidc-unpinned",
    kind: RuleKind::Posture,
    default_severity: Severity::Critical,
    summary: "a shared OIDC issuer (GitHub, GitLab, HCP Terraform, Cognito, ...) is trusted without pinning its tenancy claim",
};

/// Each shared-issuer provider an Allow statement trusts, once, in policy order.
pub fn shared_providers(policy: &Policy) -> Vec<(&str, &'static oidc::Issuer)> {
    let mut out: Vec<(&str, &'static oidc::Issuer)> = Vec::new();
    for s in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        for e in &s.principals.entries {
            if e.kind != PrincipalType::Federated || out.iter().any(|(p, _)| *p == e.value) {
                continue;
            }
            if let Some(issuer) = oidc::shared_issuer(oidc::provider_url(&e.value)) {
                out.push((e.value.as_str(), issuer));
            }
        }
    }
    out
}

/// The outsider for a shared provider: a tenant the policy does not name.
pub fn tenant<'a>(provider: &'a str, issuer: &'static oidc::Issuer) -> Outsider<'a> {
    Outsider::Tenant {
        provider,
        claims: issuer.tenant_claims,
    }
}

impl Rule for OidcUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        let Some(policy) = posture::judged(input) else {
            return;
        };
        for (provider, issuer) in shared_providers(policy) {
            let Some(w) = posture::search(input, policy, tenant(provider, issuer), out) else {
                continue;
            };
            let message = format!(
                "any {} tenant can assume the role: a token of a tenant the policy does not name is allowed, {} (the `{}` claim is what separates tenants)",
                issuer.name,
                posture::presented(&w.request),
                issuer.tenancy_claim
            );
            out.push(posture::draft(&META, policy, w, message));
        }
    }
}
