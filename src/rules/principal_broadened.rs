//! `principal-broadened`: a principal was broadened: specific ARN to account, unique ID to ARN, account to * with conditions.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

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
        input.report_claimed(&META, out, |a| {
            let severity = META.default_severity;
            (severity, format!("{}: now {}", a.detail(), a.phrase(None)))
        });
    }
}
