//! `oidc-audience-removed`: an OIDC aud that is not the tenancy claim, or SAML:aud, was removed or loosened.

use super::cause::{Cause, KeyFamily};
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct OidcAudienceRemoved;

static META: RuleMeta = RuleMeta {
    id: "oidc-audience-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::Medium,
    summary: "an OIDC aud that is not the tenancy claim, or SAML:aud, was removed or loosened",
};

impl Rule for OidcAudienceRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        matches!(
            &a.cause,
            Cause::ConditionLoosened {
                family: KeyFamily::OidcAudience,
                ..
            }
        )
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        input.report_claimed(&META, out, |a| {
            let severity = META.default_severity;
            (
                severity,
                format!(
                    "the `{}` condition was removed or loosened: now {}",
                    a.key().unwrap_or("aud"),
                    a.phrase(a.key())
                ),
            )
        });
    }
}
