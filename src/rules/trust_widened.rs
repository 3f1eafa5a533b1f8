//! `trust-widened`: a witness exists that no more specific rule explains. Registered last, so
//! it only receives witnesses every other regression rule declined.

use super::class::PrincipalClass;
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct TrustWidened;

static META: RuleMeta = RuleMeta {
    id: "trust-widened",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "the new trust policy grants a request the old one refused, for a reason no more specific rule covers",
};

impl Rule for TrustWidened {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, _a: &Attributed, _input: &RoleInput<'_>) -> bool {
        true
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        input.report_claimed(&META, out, |a| {
            let severity = match a.class {
                PrincipalClass::Public | PrincipalClass::External => Severity::Critical,
                _ => META.default_severity,
            };
            (
                severity,
                format!("{}: now {}", a.detail(), a.phrase(a.key())),
            )
        });
    }
}
