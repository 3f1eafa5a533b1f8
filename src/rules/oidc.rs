//! Facts about OIDC identity providers shared by the OIDC rules: which issuers are shared
//! between tenants, and which claims name a tenant (the tenancy claim first).

use crate::compare::exposure::TenantClaim;
use crate::policy::{BaseOp, Condition, Operator, SetQualifier, Statement};

/// A shared issuer and the claim that separates its tenants.
pub struct Issuer {
    /// Provider URL without `https://`, as condition keys use it.
    pub host: &'static str,
    pub name: &'static str,
    pub tenancy_claim: &'static str,
    /// Every claim whose value names the token's tenant, and where the tenant sits in it:
    /// a tenant cannot present another tenant's value in any of them.
    pub tenant_claims: &'static [TenantClaim],
}

const fn whole(claim: &'static str) -> TenantClaim {
    TenantClaim {
        claim,
        prefix: "",
        end: None,
    }
}

const fn led(claim: &'static str, prefix: &'static str, end: char) -> TenantClaim {
    TenantClaim {
        claim,
        prefix,
        end: Some(end),
    }
}

/// GitHub: `repo:OWNER/REPO:...`; `repository` is `OWNER/REPO`.
const GITHUB: &[TenantClaim] = &[
    led("sub", "repo:", '/'),
    led("repository", "", '/'),
    whole("repository_owner"),
    whole("repository_owner_id"),
    whole("repository_id"),
];
/// GitLab: `project_path:GROUP/PROJECT:...`.
const GITLAB: &[TenantClaim] = &[
    led("sub", "project_path:", '/'),
    led("project_path", "", '/'),
    led("namespace_path", "", '/'),
    whole("namespace_id"),
    whole("project_id"),
];
/// HCP Terraform: `organization:ORG:project:...`.
const HCP: &[TenantClaim] = &[
    led("sub", "organization:", ':'),
    whole("terraform_organization_name"),
    whole("terraform_organization_id"),
];
/// Buildkite: `organization:ORG:pipeline:...`.
const BUILDKITE: &[TenantClaim] = &[
    led("sub", "organization:", ':'),
    whole("organization_slug"),
    whole("organization_id"),
];
/// Codefresh and Scalr: `account:ACCOUNT:...`.
const ACCOUNT_SUB: &[TenantClaim] = &[led("sub", "account:", ':')];
/// Upbound: `mcp:ACCOUNT/CONTROL-PLANE:...`.
const UPBOUND: &[TenantClaim] = &[led("sub", "mcp:", '/')];
const AUD: &[TenantClaim] = &[whole("aud")];

/// Issuers that mint tokens for every customer (IAM's shared-provider list, SEMANTICS §5.3),
/// plus the built-in Cognito and Google providers.
pub const SHARED: &[Issuer] = &[
    Issuer {
        host: "token.actions.githubusercontent.com",
        name: "GitHub Actions",
        tenancy_claim: "sub",
        tenant_claims: GITHUB,
    },
    Issuer {
        host: "gitlab.com",
        name: "GitLab",
        tenancy_claim: "sub",
        tenant_claims: GITLAB,
    },
    Issuer {
        host: "app.terraform.io",
        name: "HCP Terraform",
        tenancy_claim: "sub",
        tenant_claims: HCP,
    },
    Issuer {
        host: "agent.buildkite.com",
        name: "Buildkite",
        tenancy_claim: "sub",
        tenant_claims: BUILDKITE,
    },
    Issuer {
        host: "oidc.codefresh.io",
        name: "Codefresh",
        tenancy_claim: "sub",
        tenant_claims: ACCOUNT_SUB,
    },
    Issuer {
        host: "scalr.io",
        name: "Scalr",
        tenancy_claim: "sub",
        tenant_claims: ACCOUNT_SUB,
    },
    Issuer {
        host: "proidc.upbound.io",
        name: "Upbound",
        tenancy_claim: "sub",
        tenant_claims: UPBOUND,
    },
    Issuer {
        host: "api.pulumi.com/oidc",
        name: "Pulumi Cloud",
        tenancy_claim: "aud",
        tenant_claims: AUD,
    },
    Issuer {
        host: "oidc.vercel.com",
        name: "Vercel",
        tenancy_claim: "aud",
        tenant_claims: AUD,
    },
    Issuer {
        host: "cognito-identity.amazonaws.com",
        name: "Amazon Cognito",
        tenancy_claim: "aud",
        tenant_claims: AUD,
    },
    Issuer {
        host: "accounts.google.com",
        name: "Google",
        tenancy_claim: "aud",
        tenant_claims: AUD,
    },
];

/// The provider URL of a `Federated` principal value: the part after `oidc-provider/` of an
/// IAM provider ARN, or a built-in provider name as is.
pub fn provider_url(value: &str) -> &str {
    match value.split_once(":oidc-provider/") {
        Some((_, url)) => url,
        None => value,
    }
}

/// The shared issuer a provider URL belongs to (GitHub Enterprise `…/SLUG` paths included).
pub fn shared_issuer(url: &str) -> Option<&'static Issuer> {
    SHARED.iter().find(|i| {
        url == i.host
            || (url.starts_with(i.host) && url.as_bytes().get(i.host.len()) == Some(&b'/'))
    })
}

/// Other claims that pin the tenant of an issuer's tokens (AWS evaluates them since 2026):
/// GitHub's repository and owner claims, GitLab's project and namespace IDs, Buildkite's
/// organization.
/// Each as (claim, what it pins in words).
fn other_tenancy_claims(issuer: &Issuer) -> &'static [(&'static str, &'static str)] {
    match issuer.host {
        "token.actions.githubusercontent.com" => &[
            ("repository", "the repository"),
            ("repository_id", "the repository"),
            ("repository_owner_id", "the repository owner"),
        ],
        "gitlab.com" => &[
            ("project_id", "the project"),
            ("namespace_id", "the namespace"),
        ],
        "agent.buildkite.com" => &[
            ("organization_id", "the organization"),
            ("organization_slug", "the organization"),
        ],
        _ => &[],
    }
}

/// A claim other than the tenancy claim that still pins the tenant in `statement` for the
/// provider at `url`: (condition key as written, first value, what it pins in words), when
/// there is one. Pinned means a positive condition whose values name a tenant exactly (no
/// wildcard).
pub fn remaining_pin(statement: &Statement, url: &str) -> Option<(String, String, &'static str)> {
    let issuer = shared_issuer(url)?;
    for (claim, what) in other_tenancy_claims(issuer) {
        let key = format!("{url}:{claim}");
        for c in exact_pins(statement, &key) {
            if !c.values.is_empty() && c.values.iter().all(|v| !v.contains(['*', '?'])) {
                let first = c.values.first().cloned().unwrap_or_default();
                return Some((c.key.clone(), first, what));
            }
        }
    }
    None
}

/// The statement's positive conditions on `key` (case-insensitive) that must hold with the key
/// present: not negated, not `IfExists`, not `ForAllValues`. Only for wording a message: what
/// a statement grants is always decided by the search.
fn exact_pins<'a>(s: &'a Statement, key: &str) -> impl Iterator<Item = &'a Condition> + 'a {
    let key = key.to_ascii_lowercase();
    s.conditions.iter().filter(move |c| {
        c.key.to_ascii_lowercase() == key
            && matches!(
                &c.operator,
                Operator::Known { set, base, if_exists }
                    if !if_exists
                        && *set != Some(SetQualifier::ForAllValues)
                        && !base.is_negated()
                        && *base != BaseOp::Null
            )
    })
}
