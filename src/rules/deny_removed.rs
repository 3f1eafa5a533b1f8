//! `deny-removed`: an explicit Deny statement was removed or narrowed.

use super::cause::Cause;
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct DenyRemoved;

static META: RuleMeta = RuleMeta {
    id: "deny-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "an explicit Deny statement was removed or narrowed",
};

impl Rule for DenyRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        a.cause == Cause::DenyRemoved
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        input.report_claimed(&META, out, |a| {
            let severity = META.default_severity;
            (
                severity,
                format!(
                    "an explicit Deny was removed or narrowed: now {}",
                    a.phrase(None)
                ),
            )
        });
    }
}
