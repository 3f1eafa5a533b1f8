//! `principal-added`: a new principal (account, role, user, service, provider) can assume the role.

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
        let Some(a) = input.claimed(META.id) else {
            return;
        };
        // Public only when an outsider can really make the request; a witness of an unnamed
        // account that needs an organization of ours is another account's, not anyone's.
        let (a, public, words) = input.reported_exposure(a);
        let severity = match a.class {
            _ if public => Severity::Critical,
            PrincipalClass::Public | PrincipalClass::External | PrincipalClass::Federated => {
                Severity::High
            }
            _ => Severity::Medium,
        };
        let message = format!("a new principal is trusted: {words}");
        out.push(input.witness_draft(&META, &a, severity, message));
    }
}
