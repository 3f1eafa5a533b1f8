//! Facts about OIDC identity providers shared by the OIDC rules: which issuers are shared
//! between tenants, which claim isolates a tenant, and whether a statement pins it
//! (SEMANTICS §5.2, §5.3).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::posture::pins;
use crate::policy::{BaseOp, Operator, PrincipalType, Statement};

/// A shared issuer and the claim that separates its tenants.
pub struct Issuer {
    /// Provider URL without `https://`, as condition keys use it.
    pub host: &'static str,
    pub name: &'static str,
    pub tenancy_claim: &'static str,
}

/// Issuers that mint tokens for every customer (IAM's shared-provider list, SEMANTICS §5.3),
/// plus the built-in Cognito and Google providers.
pub const SHARED: &[Issuer] = &[
    Issuer {
        host: "token.actions.githubusercontent.com",
        name: "GitHub Actions",
        tenancy_claim: "sub",
    },
    Issuer {
        host: "gitlab.com",
        name: "GitLab",
        tenancy_claim: "sub",
    },
    Issuer {
        host: "app.terraform.io",
        name: "HCP Terraform",
        tenancy_claim: "sub",
    },
    Issuer {
        host: "agent.buildkite.com",
        name: "Buildkite",
        tenancy_claim: "sub",
    },
    Issuer {
        host: "oidc.codefresh.io",
        name: "Codefresh",
        tenancy_claim: "sub",
    },
    Issuer {
        host: "scalr.io",
        name: "Scalr",
        tenancy_claim: "sub",
    },
    Issuer {
        host: "proidc.upbound.io",
        name: "Upbound",
        tenancy_claim: "sub",
    },
    Issuer {
        host: "api.pulumi.com/oidc",
        name: "Pulumi Cloud",
        tenancy_claim: "aud",
    },
    Issuer {
        host: "oidc.vercel.com",
        name: "Vercel",
        tenancy_claim: "aud",
    },
    Issuer {
        host: "cognito-identity.amazonaws.com",
        name: "Amazon Cognito",
        tenancy_claim: "aud",
    },
    Issuer {
        host: "accounts.google.com",
        name: "Google",
        tenancy_claim: "aud",
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

/// Why a value of the tenancy claim does not pin a tenant, if it does not.
fn loose_value(issuer: &Issuer, value: &str, like: bool) -> Option<String> {
    if !like {
        return None;
    }
    if value.chars().all(|c| c == '*' || c == '?') {
        return Some(format!("`{value}` matches every tenant"));
    }
    let first_wild = value.find(['*', '?'])?;
    // GitHub `repo:ORG*` (no slash) also matches `ORG-evil` (TV-72); GitLab paths likewise.
    let owner_end = match issuer.host {
        "token.actions.githubusercontent.com" | "gitlab.com" => value.find('/'),
        "app.terraform.io" => value
            .strip_prefix("organization:")
            .and_then(|rest| rest.find(':'))
            .map(|i| i.saturating_add("organization:".len())),
        _ => return None,
    };
    match owner_end {
        Some(end) if first_wild > end => None,
        _ => Some(format!(
            "`{value}` has a wildcard before the owner ends, so look-alike owners match"
        )),
    }
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
        for c in pins(statement, &key) {
            if !c.values.is_empty() && c.values.iter().all(|v| !v.contains(['*', '?'])) {
                let first = c.values.first().cloned().unwrap_or_default();
                return Some((c.key.clone(), first, what));
            }
        }
    }
    None
}

/// For a statement trusting a shared issuer: `None` when the tenancy claim is pinned, else
/// (issuer, reason). A statement whose tenancy claim is loose but that pins the tenant by
/// another claim ([`remaining_pin`]) is pinned.
pub fn unpinned(statement: &Statement) -> Vec<(&'static Issuer, String)> {
    let mut out = Vec::new();
    for entry in &statement.principals.entries {
        if entry.kind != PrincipalType::Federated {
            continue;
        }
        let url = provider_url(&entry.value);
        let Some(issuer) = shared_issuer(url) else {
            continue;
        };
        if remaining_pin(statement, url).is_some() {
            continue;
        }
        let key = format!("{url}:{}", issuer.tenancy_claim);
        let conditions: Vec<_> = pins(statement, &key).collect();
        if conditions.is_empty() {
            out.push((issuer, format!("no condition requires `{key}`")));
            continue;
        }
        // Several positive pins are AND-ed: one tight pin is enough.
        let mut reasons = Vec::new();
        let tight = conditions.iter().any(|c| {
            let like = matches!(
                c.operator,
                Operator::Known {
                    base: BaseOp::StringLike,
                    ..
                }
            );
            let loose: Vec<String> = c
                .values
                .iter()
                .filter_map(|v| loose_value(issuer, v, like))
                .collect();
            let ok = loose.is_empty();
            reasons.extend(loose);
            ok
        });
        if !tight {
            out.push((issuer, reasons.join("; ")));
        }
    }
    out
}
