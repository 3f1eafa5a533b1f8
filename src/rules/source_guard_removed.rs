//! `source-guard-removed`: an aws:SourceAccount / SourceArn / SourceOrgID guard on a service principal was removed or loosened.

use super::cause::{Cause, KeyFamily};
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct SourceGuardRemoved;

static META: RuleMeta = RuleMeta {
    id: "source-guard-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "an aws:SourceAccount / SourceArn / SourceOrgID guard on a service principal was removed or loosened",
};

impl Rule for SourceGuardRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        matches!(
            &a.cause,
            Cause::ConditionLoosened {
                family: KeyFamily::SourceGuard,
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
                    a.key().unwrap_or("aws:SourceAccount"),
                    a.phrase(a.key())
                ),
            )
        });
    }
}
