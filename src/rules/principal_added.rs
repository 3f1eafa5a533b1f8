//! `principal-added`: a new principal (account, role, user, service, provider) can assume the role.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::cause::Cause;
use super::class::PrincipalClass;
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct PrincipalAdded;

static META: RuleMeta = RuleMeta {
    id: "principal-added",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "a new principal (account, role, user, service, provider) can assume the role",
};

impl Rule for PrincipalAdded {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        a.cause == Cause::PrincipalAdded
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        input.report_claimed(&META, out, |a| {
            let severity = match a.class {
                PrincipalClass::Public => Severity::Critical,
                PrincipalClass::External | PrincipalClass::Federated => Severity::High,
                _ => Severity::Medium,
            };
            (
                severity,
                format!("a new principal is trusted: {}", a.phrase(None)),
            )
        });
    }
}
