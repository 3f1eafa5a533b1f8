//! `mfa-removed`: the MFA requirement was removed or weakened (Bool to BoolIfExists, age bound raised).

use super::cause::{Cause, KeyFamily};
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct MfaRemoved;

static META: RuleMeta = RuleMeta {
    id: "mfa-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "the MFA requirement was removed or weakened (Bool to BoolIfExists, age bound raised)",
};

impl Rule for MfaRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        matches!(
            &a.cause,
            Cause::ConditionLoosened {
                family: KeyFamily::Mfa,
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
                    "the MFA requirement was removed or weakened: now {}",
                    a.phrase(a.key())
                ),
            )
        });
    }
}
