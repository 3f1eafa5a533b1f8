//! `oidc-audience-removed`: an OIDC aud that is not the tenancy claim, or SAML:aud, was removed or loosened.

use super::cause::KeyFamily;
use super::guard::{default_severity, GuardRule};
use super::{RuleKind, RuleMeta};
use crate::finding::Severity;

static META: RuleMeta = RuleMeta {
    id: "oidc-audience-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::Medium,
    summary: "an OIDC aud that is not the tenancy claim, or SAML:aud, was removed or loosened",
};

pub static OIDC_AUDIENCE_REMOVED: GuardRule = GuardRule {
    meta: &META,
    family: KeyFamily::OidcAudience,
    guard: "the audience condition",
    escalate: default_severity,
};
