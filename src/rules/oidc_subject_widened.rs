//! `oidc-subject-widened`: the identity provider's tenancy claim (sub; aud for Cognito and Google) was removed or widened.

use super::cause::{Cause, KeyFamily};
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct OidcSubjectWidened;

static META: RuleMeta = RuleMeta {
    id: "oidc-subject-widened",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "the identity provider's tenancy claim (sub; aud for Cognito and Google) was removed or widened",
};

impl Rule for OidcSubjectWidened {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        matches!(
            &a.cause,
            Cause::ConditionLoosened {
                family: KeyFamily::OidcTenancy,
                ..
            }
        )
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        input.report_claimed(&META, out, |a| {
            let severity = if input.after_has_unpinned_shared_issuer() {
                Severity::Critical
            } else {
                META.default_severity
            };
            (
                severity,
                format!(
                    "the `{}` pin was removed or widened: now {}",
                    a.key().unwrap_or("sub"),
                    a.phrase(a.key())
                ),
            )
        });
    }
}
