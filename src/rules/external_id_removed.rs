//! `external-id-removed`: the sts:ExternalId condition was removed, made optional or loosened.

use super::cause::{Cause, KeyFamily};
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct ExternalIdRemoved;

static META: RuleMeta = RuleMeta {
    id: "external-id-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "the sts:ExternalId condition was removed, made optional or loosened",
};

impl Rule for ExternalIdRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        matches!(
            &a.cause,
            Cause::ConditionLoosened {
                family: KeyFamily::ExternalId,
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
                    "the `sts:ExternalId` condition was removed or loosened: now {}",
                    a.phrase(Some("sts:ExternalId"))
                ),
            )
        });
    }
}
