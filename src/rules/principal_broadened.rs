//! `principal-broadened`: a principal was broadened: specific ARN to account, unique ID to ARN, account to * with conditions.

use super::cause::Cause;
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct PrincipalBroadened;

static META: RuleMeta = RuleMeta {
    id: "principal-broadened",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "a principal was broadened: specific ARN to account, unique ID to ARN, account to * with conditions",
};

impl Rule for PrincipalBroadened {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        matches!(&a.cause, Cause::PrincipalBroadened(_))
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        let Some(a) = input.claimed(META.id) else {
            return;
        };
        // Broadened to anyone an outsider can be: critical, with the outsider's request.
        let (a, public, words) = input.reported_exposure(a);
        let severity = if public {
            Severity::Critical
        } else {
            META.default_severity
        };
        let message = format!("{}: now {words}", a.detail());
        out.push(input.witness_draft(&META, &a, severity, message));
    }
}
