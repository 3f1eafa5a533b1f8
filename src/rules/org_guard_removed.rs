//! `org-guard-removed`: an aws:PrincipalOrgID / PrincipalOrgPaths / PrincipalAccount / PrincipalArn guard was removed or loosened.

use super::cause::{Cause, KeyFamily};
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct OrgGuardRemoved;

static META: RuleMeta = RuleMeta {
    id: "org-guard-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "an aws:PrincipalOrgID / PrincipalOrgPaths / PrincipalAccount / PrincipalArn guard was removed or loosened",
};

impl Rule for OrgGuardRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        matches!(
            &a.cause,
            Cause::ConditionLoosened {
                family: KeyFamily::OrgGuard,
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
                    "the `{}` guard was removed or loosened: now {}",
                    a.key().unwrap_or("aws:PrincipalOrgID"),
                    a.phrase(a.key())
                ),
            )
        });
    }
}
