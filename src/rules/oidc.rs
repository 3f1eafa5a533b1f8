//! Facts about OIDC identity providers shared by the OIDC rules: which issuers are shared
//! between tenants, and which claims name a tenant (the tenancy claim first).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use crate::compare::exposure::TenantClaim;

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
const BUILDKITE: &[TenantClaim] = &[led("sub", "organization:", ':'), whole("organization_slug")];
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
